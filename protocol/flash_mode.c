// SPDX-License-Identifier: MIT
/*
 * The device's two fastboots: its bootloader, and fastbootd (userspace
 * fastboot, Android 10+), which flashes the logical partitions inside
 * super.  Reboots between them and following the device to its new
 * connection, -w, snapshot-update and fetch.  See flash.h.
 *
 * Facts: shared/reference/dynamic-partitions.md; AOSP system/core
 * fastboot/fastboot.cpp (reboot_to_userspace_fastboot, is_logical,
 * CancelSnapshotIfNeeded, fetch_partition, the -w list) and
 * fastboot/device/commands.cpp (what fastbootd answers).
 *
 * A logical partition is resized to its image before it is flashed
 * (hwf_flash_image); update-super and the resizes to 0 of an update are
 * protocol/update_run.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/image/sparse.h"
#include "protocol/flash_int.h"

#define GONE_MS 3000 /* how long a rebooting device may take to go (AOSP: 3 s, USB) */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One getvar: 0 with @v, HWF_EDEVICE for a FAIL (not reported), else reported and returned. */
static int ask(struct hwf_flash *f, const char *name, char *v, size_t len, struct hwf_err *e)
{
	struct hwf_err le = { 0 };
	int rc = hwf_fb_getvar(&f->fb, name, v, len, &le);

	if (rc && rc != HWF_EDEVICE)
		return hwf_flash_pass(&f->cb, e, rc, &le);
	return rc;
}

int hwf_flash_mode(struct hwf_flash *f, enum hwf_flash_mode *mode, struct hwf_err *e)
{
	char v[HWF_FB_RESP_MAX];
	int rc;

	if (f->mode == HWF_FLASH_MODE_UNKNOWN) {
		/* A bootloader that does not know the variable is no fastbootd. */
		rc = ask(f, "is-userspace", v, sizeof(v), e);
		if (rc && rc != HWF_EDEVICE)
			return rc;
		f->mode = !rc && !strcmp(v, "yes") ? HWF_FLASH_FASTBOOTD : HWF_FLASH_BOOTLOADER;
	}
	*mode = f->mode;
	return 0;
}

/* What the session knew of the device before it rebooted is asked again. */
static void forget_device(struct hwf_flash *f)
{
	f->mode = HWF_FLASH_MODE_UNKNOWN;
	f->slots_asked = 0;
	f->slot_count = 0;
	f->current_slot = 0;
}

/*
 * The device answered @step (a reboot) and goes away: wait for it to go,
 * then have the reconnect callback open it again.
 */
static int follow(struct hwf_flash *f, const char *step, struct hwf_err *e)
{
	int wait_ms = f->o.timeout_ms > 0 ? f->o.timeout_ms : HWF_FB_TIMEOUT_MS;
	struct hwf_transport *t = f->fb.t;
	struct hwf_err le = { 0 };
	double t0 = now();
	int rc;

	forget_device(f);
	if (!f->cb.reconnect) {
		hwf_fb_set_transport(&f->fb, NULL, "the device rebooted");
		return hwf_flash_fail(&f->cb, e, HWF_EUNSUPPORTED,
				      "%s: the device rebooted, and this session cannot connect to "
				      "it again",
				      step);
	}
	if (!hwf_transport_wait_gone(t, GONE_MS))
		hwf_flash_say(&f->cb, HWF_FLASH_DETAIL, "%s: still connected after %d s", t->name,
			      GONE_MS / 1000);
	rc = f->cb.reconnect(f->cb.ctx, &t, wait_ms, &le);
	if (rc || !t) {
		hwf_fb_set_transport(&f->fb, NULL, "the device did not come back");
		return hwf_flash_fail(&f->cb, e, rc ? rc : HWF_ENOTFOUND, "%s: %s", step,
				      le.msg[0] ? le.msg : "the device did not come back");
	}
	hwf_fb_set_transport(&f->fb, t, NULL);
	hwf_flash_say(&f->cb, HWF_FLASH_DETAIL, "%s: back as %s after %.1f s", step, t->name,
		      now() - t0);
	return 0;
}

int hwf_flash_reboot_mode(struct hwf_flash *f, enum hwf_flash_mode mode, struct hwf_err *e)
{
	int fd = mode == HWF_FLASH_FASTBOOTD;
	const char *cmd = fd ? "reboot-fastboot" : "reboot-bootloader";
	enum hwf_flash_mode got;
	int rc;

	rc = hwf_flash_command(f, fd ? "Rebooting into fastboot" : "Rebooting into bootloader", cmd,
			       e);
	if (!rc)
		rc = follow(f, cmd, e);
	if (!rc)
		rc = hwf_flash_mode(f, &got, e);
	if (rc || got == mode)
		return rc;
	/* AOSP: "Failed to boot into userspace fastboot; one or more components might be
	 * unbootable." */
	if (fd)
		return hwf_flash_fail(
		    &f->cb, e, HWF_EUNSUPPORTED,
		    "%s: the device came back in its bootloader, not in fastbootd "
		    "(getvar is-userspace: no); its recovery may not start "
		    "fastbootd",
		    cmd);
	return hwf_flash_fail(&f->cb, e, HWF_EUNSUPPORTED,
			      "%s: the device came back in fastbootd, not in its bootloader "
			      "(getvar is-userspace: yes)",
			      cmd);
}

int hwf_flash_reboot(struct hwf_flash *f, const char *target, struct hwf_err *e)
{
	char cmd[32], label[48];
	int rc;

	if (target && !strcmp(target, "fastboot"))
		return hwf_flash_reboot_mode(f, HWF_FLASH_FASTBOOTD, e);
	snprintf(cmd, sizeof(cmd), "reboot%s%s", target ? "-" : "", target ? target : "");
	snprintf(label, sizeof(label), "Rebooting%s%s", target ? " into " : "",
		 target ? target : "");
	rc = hwf_flash_command(f, label, cmd, e);
	if (rc)
		return rc;
	forget_device(f);
	hwf_transport_wait_gone(f->fb.t, GONE_MS);
	/* The transport stays the caller's; this conversation is over. */
	f->fb.lost = HWF_EDISCONNECTED;
	snprintf(f->fb.lost_msg, sizeof(f->fb.lost_msg), "the device rebooted");
	return 0;
}

int hwf_flash_is_logical(struct hwf_flash *f, const char *part, struct hwf_err *e)
{
	char q[128], v[HWF_FB_RESP_MAX];
	int rc;

	snprintf(q, sizeof(q), "is-logical:%s", part);
	rc = ask(f, q, v, sizeof(v), e);
	if (rc == HWF_EDEVICE)
		return 0;
	return rc ? rc : !strcmp(v, "yes");
}

int hwf_flash_need_fastbootd(struct hwf_flash *f, const char *why, struct hwf_err *e)
{
	enum hwf_flash_mode mode;
	int rc = hwf_flash_mode(f, &mode, e);

	if (rc || mode == HWF_FLASH_FASTBOOTD)
		return rc;
	hwf_flash_say(&f->cb, HWF_FLASH_NOTE, "%s: rebooting into fastbootd (userspace fastboot)",
		      why);
	return hwf_flash_reboot_mode(f, HWF_FLASH_FASTBOOTD, e);
}

/*
 * AOSP's flash of a logical partition: resize-logical-partition:@part:SIZE
 * first, SIZE the bytes the image takes (a sparse image's expanded size).
 */
static int resize_to(struct hwf_flash *f, struct hwf_source *src, const char *part,
		     struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src);
	char cmd[HWF_FLASH_PART_MAX + 64], label[HWF_FLASH_PART_MAX + 32];
	struct hwf_err le = { 0 };
	uint8_t m[4];

	if (size >= 28 && !hwf_source_read_exact(src, m, 4, 0, &le) &&
	    (uint32_t)(m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24) == 0xED26FF3Au &&
	    hwf_sparse_validate(src, &size, &le))
		return hwf_flash_pass(&f->cb, e, HWF_EFORMAT, &le);
	snprintf(cmd, sizeof(cmd), "resize-logical-partition:%s:%llu", part,
		 (unsigned long long)size);
	snprintf(label, sizeof(label), "Resizing '%s'", part);
	return hwf_flash_command(f, label, cmd, e);
}

int hwf_flash_image(struct hwf_flash *f, struct hwf_source *src, const char *part,
		    const char *label, struct hwf_err *e)
{
	char why[HWF_FLASH_PART_MAX + 40];
	int rc = hwf_flash_is_logical(f, part, e);

	if (rc < 0)
		return rc;
	if (rc) {
		snprintf(why, sizeof(why), "%s is a logical partition", part);
		rc = hwf_flash_need_fastbootd(f, why, e);
		if (rc)
			return rc;
		rc = resize_to(f, src, part, e);
		if (rc)
			return rc;
	}
	return hwf_flash_write(f, src, part, label, f->o.verify ? hwf_flash_verify_written : NULL,
			       e);
}

/* --- -w and snapshot-update --------------------------------------------------- */

/* AOSP's CancelSnapshotIfNeeded: a status that is not "none" is cancelled. */
static int cancel_snapshot(struct hwf_flash *f, struct hwf_err *e)
{
	char v[HWF_FB_RESP_MAX];
	int rc = ask(f, "snapshot-update-status", v, sizeof(v), e);

	if (rc == HWF_EDEVICE || (!rc && (!v[0] || !strcmp(v, "none"))))
		return 0;
	if (rc)
		return rc;
	hwf_flash_say(&f->cb, HWF_FLASH_NOTE,
		      "--force: the snapshot update (%s) is cancelled "
		      "before wiping",
		      v);
	return hwf_flash_command(f, "Snapshot cancel", "snapshot-update:cancel", e);
}

int hwf_flash_wipe(struct hwf_flash *f, struct hwf_err *e)
{
	static const char *const parts[] = {"userdata", "cache", "metadata"};
	char q[64], v[HWF_FB_RESP_MAX], cmd[64], label[64];
	int rc, wiped = 0;

	if (f->wiped)
		return 0;
	f->wiped = 1;
	if (f->o.force) {
		rc = cancel_snapshot(f, e);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		snprintf(q, sizeof(q), "partition-type:%s", parts[i]);
		rc = ask(f, q, v, sizeof(v), e);
		if (rc == HWF_EDEVICE || (!rc && !v[0]))
			continue; /* the device does not name it: not there */
		if (rc)
			return rc;
		snprintf(cmd, sizeof(cmd), "erase:%s", parts[i]);
		snprintf(label, sizeof(label), "Erasing '%s'", parts[i]);
		rc = hwf_flash_command(f, label, cmd, e);
		if (rc)
			return rc;
		wiped++;
		if (strcmp(v, "raw"))
			hwf_flash_say(&f->cb, HWF_FLASH_NOTE,
				      "'%s' (%s) erased, not formatted: hwflash makes no file "
				      "systems (AOSP's fastboot -w also formats it)",
				      parts[i], v);
	}
	if (!wiped)
		hwf_flash_say(&f->cb, HWF_FLASH_WARN,
			      "-w: the device names none of userdata, cache and metadata "
			      "(getvar partition-type): nothing was wiped");
	return 0;
}

int hwf_flash_snapshot_update(struct hwf_flash *f, const char *action, struct hwf_err *e)
{
	char cmd[48], label[48];
	int rc;

	if (action && !strcmp(action, "merge")) {
		rc = hwf_flash_need_fastbootd(f, "snapshot-update merge is done in fastbootd", e);
		if (rc)
			return rc;
	}
	snprintf(cmd, sizeof(cmd), "snapshot-update%s%s", action ? ":" : "", action ? action : "");
	snprintf(label, sizeof(label), "Snapshot %s", action ? action : "status");
	return hwf_flash_command(f, label, cmd, e);
}

/* --- fetch -------------------------------------------------------------------- */

/* A size getvar, hex as AOSP reads it (hwf_fb_parse_hex): 0 when unknown. */
static int ask_size(struct hwf_flash *f, const char *name, uint64_t *size, struct hwf_err *e)
{
	char v[HWF_FB_RESP_MAX];
	int rc = ask(f, name, v, sizeof(v), e);

	*size = 0;
	if (rc == HWF_EDEVICE)
		return 0;
	if (!rc && hwf_fb_parse_hex(v, size))
		*size = 0;
	return rc;
}

int hwf_flash_fetch(struct hwf_flash *f, const char *part, hwf_fb_sink_fn sink, void *sctx,
		    uint64_t *size, struct hwf_err *e)
{
	char q[128], cmd[128], what[HWF_FLASH_PART_MAX + 32], line[HWF_FLASH_PART_MAX + 64];
	uint64_t max = 0, psize = 0;
	enum hwf_flash_mode mode;
	size_t pieces, i = 0;
	int rc = ask_size(f, "max-fetch-size", &max, e);

	if (!rc && !max) {
		rc = hwf_flash_mode(f, &mode, e);
		if (rc)
			return rc;
		return hwf_flash_fail(&f->cb, e, HWF_EUNSUPPORTED,
				      "getvar:max-fetch-size: the device does not say it: it does "
				      "not fetch%s",
				      mode == HWF_FLASH_BOOTLOADER
					  ? " (bootloaders do not; fastbootd does: hwflash reboot "
					    "fastboot)"
					  : "");
	}
	snprintf(q, sizeof(q), "partition-size:%s", part);
	if (!rc)
		rc = ask_size(f, q, &psize, e);
	if (rc)
		return rc;
	if (!psize)
		return hwf_flash_fail(&f->cb, e, HWF_ENOTFOUND,
				      "getvar:%s: the device reports no size for %s: nothing to "
				      "fetch",
				      q, part);
	if (size)
		*size = psize;
	pieces = (size_t)((psize + max - 1) / max);
	for (uint64_t off = 0; off < psize; off += max, i++) {
		uint64_t n = psize - off < max ? psize - off : max;
		struct hwf_flash_step s = {.kind = HWF_FLASH_STEP_FETCH, .bytes = n};
		struct hwf_err le = { 0 };
		double t0 = now();

		snprintf(cmd, sizeof(cmd), "fetch:%s:0x%08llx:0x%08llx", part,
			 (unsigned long long)off, (unsigned long long)n);
		if (pieces > 1)
			snprintf(what, sizeof(what), "'%s' %zu/%zu", part, i + 1, pieces);
		else
			snprintf(what, sizeof(what), "'%s'", part);
		snprintf(line, sizeof(line), "Fetching %s (%llu KB)", what,
			 (unsigned long long)(n / 1024));
		s.label = line;
		s.what = what;
		hwf_flash_step_event(f, &s);
		rc = hwf_fb_upload(&f->fb, cmd, n, sink, sctx, f->cb.progress, f->cb.ctx, &le);
		s.done = 1;
		s.ok = !rc;
		s.seconds = now() - t0;
		s.error = rc ? le.msg : NULL;
		hwf_flash_step_event(f, &s);
		if (rc)
			return hwf_flash_pass(&f->cb, e, rc, &le);
	}
	return 0;
}
