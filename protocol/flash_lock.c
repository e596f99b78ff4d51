// SPDX-License-Identifier: MIT
/*
 * The lock gate: a locked bootloader rejects a repacked, unsigned or
 * modified image, so hwflash refuses it before any byte is sent.  See
 * flash.h (hwf_flash_lock_gate, hwf_flash_lock_rejects).
 */
#include <stdio.h>
#include <string.h>

#include "formats/image/imagecheck.h"
#include "protocol/devinfo.h"
#include "protocol/flash_int.h"

const char *hwf_flash_lock_rejects(int lock, int sign)
{
	if (lock != HWF_LOCK_LOCKED && lock != HWF_LOCK_RELOCKED)
		return NULL;
	switch (sign) {
	case HWF_SIGN_REPACKED: return "repacked";
	case HWF_SIGN_UNSIGNED: return "unsigned";
	case HWF_SIGN_BROKEN: return "modified";
	default: return NULL;
	}
}

/* The device's lock, asked once per session. */
static int ask_lock(struct hwf_flash *f, struct hwf_err *e)
{
	struct hwf_devinfo di;
	struct hwf_err le = {0};
	int rc;

	if (f->lock_asked)
		return 0;
	rc = hwf_devinfo_lock_state(&f->fb, &di, &le);
	if (rc)
		return hwf_flash_pass(&f->cb, e, rc, &le);
	f->lock_asked = 1;
	f->lock = di.lock;
	snprintf(f->lock_source, sizeof(f->lock_source), "%s",
		 di.lock_source ? di.lock_source : "");
	hwf_flash_say(&f->cb, HWF_FLASH_DETAIL, "bootloader lock: %s%s%s%s", hwf_lock_name(di.lock),
		      di.lock_source ? " (" : "", di.lock_source ? di.lock_source : "",
		      di.lock_source ? ")" : "");
	return 0;
}

int hwf_flash_lock_gate(struct hwf_flash *f, int sign, const char *part, const char *file,
			struct hwf_err *e)
{
	const char *word;
	int rc;

	/*
	 * The image's verdict first (the gate's check, no device): only an
	 * image a locked bootloader would reject makes the device be asked, so
	 * the conversation of every other flash stays AOSP's.
	 */
	if (!hwf_flash_lock_rejects(HWF_LOCK_LOCKED, sign))
		return 0;
	rc = ask_lock(f, e);
	if (rc)
		return rc;
	word = hwf_flash_lock_rejects(f->lock, sign);
	if (!word)
		return 0;
	if (f->o.force) {
		hwf_flash_say(&f->cb, HWF_FLASH_WARN,
			      "--force: flashing %s to %s although the bootloader is locked (%s): "
			      "it will reject %s %s %s",
			      file, part, f->lock_source, word[0] == 'u' ? "an" : "a", word, part);
		return 0;
	}
	return hwf_flash_fail(&f->cb, e, HWF_EFORMAT,
			      "%s: not flashed to %s: bootloader is locked: it will reject %s %s %s; "
			      "unlock first, or flash the signed original (%s says locked; nothing "
			      "was sent; --force overrides)",
			      file, part, word[0] == 'u' ? "an" : "a", word, part, f->lock_source);
}
