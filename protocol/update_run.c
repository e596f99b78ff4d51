// SPDX-License-Identifier: MIT
/*
 * update's plan run through the flash engine.  See update.h.
 *
 * Facts: shared/reference/fastboot-protocol.md section 5 (UpdateSuperTask:
 * fastbootd, download super_empty.img, update-super:NAME[:wipe]; every
 * logical partition resized to 0, then each flashed) and
 * dynamic-partitions.md ("What the AOSP 29.0.6 client does").
 */
#include <stdio.h>
#include <string.h>

#include "protocol/flash_int.h"
#include "protocol/update.h"

static int update_super(struct hwf_flash *f, const struct hwf_upd_input *in,
			const struct hwf_upd_step *s, const struct hwf_upd_opts *o,
			struct hwf_err *e)
{
	char name[HWF_FB_RESP_MAX], cmd[HWF_FB_RESP_MAX + 40];
	struct hwf_source *src;
	struct hwf_err le = {0};
	int rc = hwf_flash_need_fastbootd(f, "super_empty.img: update-super is done in fastbootd",
					  e);

	if (rc)
		return rc;
	/* AOSP asks fastbootd for the name; a bootloader may not know it. */
	if (hwf_fb_getvar(&f->fb, "super-partition-name", name, sizeof(name), NULL) || !name[0] ||
	    strlen(name) >= HWF_FLASH_PART_MAX)
		snprintf(name, sizeof(name), "%s", s->target);
	rc = hwf_factory_open_image(in->fac, (size_t)s->image, &src, &le);
	if (rc)
		return hwf_flash_pass(&f->cb, e, rc, &le);
	rc = hwf_flash_download(f, src, "'super_empty.img'", e);
	hwf_source_close(src);
	if (rc)
		return rc;
	snprintf(cmd, sizeof(cmd), "update-super:%s%s", name, o->wipe ? ":wipe" : "");
	return hwf_flash_command(f, "Updating super partition", cmd, e);
}

static int run_step(struct hwf_flash *f, const struct hwf_upd_input *in,
		    const struct hwf_upd_step *s, const struct hwf_upd_opts *o, struct hwf_err *e)
{
	char cmd[HWF_FLASH_PART_MAX + 64], label[2048];
	struct hwf_source *src;
	struct hwf_err le = {0};
	int rc;

	switch (s->op) {
	case HWF_UPD_OP_NONE: return 0;
	case HWF_UPD_OP_FLASH:
		hwf_factory_image_label(in->fac, (size_t)s->image, label, sizeof(label));
		rc = hwf_factory_open_image(in->fac, (size_t)s->image, &src, &le);
		if (rc)
			return hwf_flash_pass(&f->cb, e, rc, &le);
		rc = hwf_flash_image(f, src, s->target, label, e);
		hwf_source_close(src);
		return rc;
	case HWF_UPD_OP_UPDATE_SUPER: return update_super(f, in, s, o, e);
	case HWF_UPD_OP_RESIZE:
		rc = hwf_flash_need_fastbootd(f, "logical partitions are resized in fastbootd", e);
		if (rc)
			return rc;
		snprintf(cmd, sizeof(cmd), "resize-logical-partition:%s:0", s->target);
		snprintf(label, sizeof(label), "Resizing '%s' to 0", s->target);
		return hwf_flash_command(f, label, cmd, e);
	case HWF_UPD_OP_REBOOT:
		return hwf_flash_reboot_mode(
		    f, strcmp(s->target, "fastboot") ? HWF_FLASH_BOOTLOADER : HWF_FLASH_FASTBOOTD,
		    e);
	case HWF_UPD_OP_ERASE:
		snprintf(cmd, sizeof(cmd), "erase:%s", s->target);
		snprintf(label, sizeof(label), "Erasing '%s'", s->target);
		return hwf_flash_command(f, label, cmd, e);
	}
	return 0;
}

int hwf_update_run(struct hwf_flash *f, const struct hwf_upd_input *in,
		   const struct hwf_upd_plan *p, const struct hwf_upd_opts *o, struct hwf_err *e)
{
	int rc = 0;

	/*
	 * A locked bootloader's refusals, every image before the first byte
	 * (flash_lock.c), from the verdicts of hwf_update_check's gate.
	 */
	for (size_t i = 0; i < p->n && !rc; i++) {
		const struct hwf_upd_step *st = &p->step[i];
		char label[2048];

		if (st->op != HWF_UPD_OP_FLASH)
			continue;
		hwf_factory_image_label(in->fac, (size_t)st->image, label, sizeof(label));
		rc = hwf_flash_lock_gate(f, in->sign[st->image], st->target, label, e);
	}
	for (size_t i = 0; i < p->n && !rc; i++)
		rc = run_step(f, in, &p->step[i], o, e);
	return rc;
}
