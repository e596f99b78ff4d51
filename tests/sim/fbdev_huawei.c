// SPDX-License-Identifier: MIT
/*
 * The device model's Huawei/Honor bootloader (--huawei) and the battery
 * variables.  The replies follow public captures (see
 * protocol/devinfo.c for the sources): oem lock-state info answers INFO
 * " FB LockState: LOCKED" and " USER LockState: LOCKED" (UNLOCKED when
 * unlocked), oem get-bootinfo one word ("locked"/"unlocked"), oem
 * get-product-model the model, oem get-build-number ":MODEL 9.1.0.132(...)",
 * getvar vendorcountry "hw/eu"; getvar unlocked is refused, as the
 * ANE-LX2J notes saw ("Command not allowed"), so a client must read the
 * lock from oem lock-state info.
 */
#include <string.h>

#include "tests/sim/fbdev_int.h"

int fbdev_extra_var(const struct fbdev *d, const char *name, char *out, size_t len)
{
	if (!strcmp(name, "battery-voltage")) {
		snprintf(out, len, "4123");
		return 1;
	}
	if (!strcmp(name, "battery-soc-ok")) {
		snprintf(out, len, "yes");
		return 1;
	}
	if (!d->o.huawei)
		return 0;
	if (!strcmp(name, "vendorcountry")) {
		snprintf(out, len, "hw/eu");
		return 1;
	}
	if (!strcmp(name, "unlocked"))
		return -1;
	return 0;
}

int fbdev_huawei_oem(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx, int *rc)
{
	const char *state = d->unlocked ? "UNLOCKED" : "LOCKED";

	if (!d->o.huawei)
		return 0;
	if (!strcmp(arg, " lock-state info")) {
		fbdev_reply(send, ctx, "INFO", " FB LockState: %s", state);
		fbdev_reply(send, ctx, "INFO", " USER LockState: %s", state);
	} else if (!strcmp(arg, " get-bootinfo")) {
		fbdev_reply(send, ctx, "INFO", "%s", d->unlocked ? "unlocked" : "locked");
	} else if (!strcmp(arg, " get-product-model")) {
		fbdev_reply(send, ctx, "INFO", "%s", d->o.product);
	} else if (!strcmp(arg, " get-build-number")) {
		fbdev_reply(send, ctx, "INFO", ":%s 9.1.0.132(C432E4R1P1)", d->o.product);
	} else {
		/* What the ANE-LX2J answered to every other oem word. */
		*rc = fbdev_reply(send, ctx, "FAIL", "Command not allowed");
		return 1;
	}
	*rc = fbdev_reply(send, ctx, "OKAY", "%s", "");
	return 1;
}
