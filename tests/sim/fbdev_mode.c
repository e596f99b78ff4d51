// SPDX-License-Identifier: MIT
/*
 * The device model's two modes: the bootloader and fastbootd (userspace
 * fastboot), the reboots between them, logical partitions, snapshot-update
 * and fetch.  Behaviour after AOSP's fastbootd (system/core
 * fastboot/device/commands.cpp, variables.cpp, fastboot_device.cpp); see
 * fbdev.h for the whole picture and what the model simplifies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/sim/fbdev_int.h"

#define FETCH_CHUNK (256u << 10) /* bytes per data packet of a fetch */

static const char *const mode_names[] = {
    [FBDEV_BOOTLOADER] = "bootloader", [FBDEV_FASTBOOTD] = "fastbootd"};
static const char *const snap_names[] = {[FBDEV_SNAP_NONE] = "none",
					 [FBDEV_SNAP_SNAPSHOTTED] = "snapshotted",
					 [FBDEV_SNAP_MERGING] = "merging"};

/* STORE/@file holds one of @names (@n of them): its index, or -1. */
static int load_word(const struct fbdev *d, const char *file, const char *const *names, int n)
{
	char path[4096], w[32] = "";
	FILE *f;

	fbdev_path(d, file, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(w, sizeof(w), f))
		w[0] = '\0';
	fclose(f);
	w[strcspn(w, "\n")] = '\0';
	for (int i = 0; i < n; i++)
		if (!strcmp(w, names[i]))
			return i;
	return -1;
}

static void save_word(const struct fbdev *d, const char *file, const char *word)
{
	char path[4096];
	FILE *f;

	fbdev_path(d, file, path, sizeof(path));
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s\n", word);
		fclose(f);
	}
}

/* Each connection of fbsim is a new model: the state the last one left is in the store. */
void fbdev_load_mode(struct fbdev *d)
{
	int m = load_word(d, ".mode", mode_names, 2), s = load_word(d, ".snapshot", snap_names, 3);

	d->mode = m < 0 ? d->o.mode : (enum fbdev_mode)m;
	d->snap = s < 0 ? d->o.snapshot : (enum fbdev_snapshot)s;
}

static void save_state(const struct fbdev *d)
{
	save_word(d, ".mode", mode_names[d->mode]);
	save_word(d, ".snapshot", snap_names[d->snap]);
}

enum fbdev_mode fbdev_mode(const struct fbdev *d)
{
	return d->mode;
}

int fbdev_reboot_delay_ms(const struct fbdev *d)
{
	if (d->o.fault == FBDEV_FAULT_REBOOT_NEVER)
		return -1;
	if (d->o.fault == FBDEV_FAULT_REBOOT_SLOW)
		return (int)d->o.fault_num;
	return (int)d->o.reboot_ms;
}

int fbdev_mode_var(const struct fbdev *d, const char *name, char *out, size_t len)
{
	const struct fbdev_part *p;

	if (!strcmp(name, "is-userspace")) {
		snprintf(out, len, "%s", d->mode == FBDEV_FASTBOOTD ? "yes" : "no");
		return 1;
	}
	if (!strncmp(name, "is-logical:", 11)) {
		/* AOSP: "Partition not found" for a name that is neither. */
		if (!(p = fbdev_find_part(d, name + 11)))
			return -1;
		snprintf(out, len, "%s", p->logical ? "yes" : "no");
		return 1;
	}
	if (!strcmp(name, "snapshot-update-status")) {
		snprintf(out, len, "%s", snap_names[d->snap]);
		return 1;
	}
	if (!strcmp(name, "max-fetch-size")) {
		if (d->mode != FBDEV_FASTBOOTD)
			return -1;
		snprintf(out, len, "0x%llx", (unsigned long long)d->o.max_download);
		return 1;
	}
	return 0;
}

/* AOSP's ProtectedPartitionsDuringMerge (commands.cpp). */
static int protected_during_merge(const char *name)
{
	return !strcmp(name, "userdata") || !strcmp(name, "metadata") || !strcmp(name, "misc");
}

int fbdev_refuse_write(const struct fbdev *d, const struct fbdev_part *p, const char *what,
		       fbdev_send_fn send, void *ctx, int *rc)
{
	if (p->logical && d->mode == FBDEV_BOOTLOADER) {
		/* The wording Pixel bootloaders are reported to use. */
		*rc = fbdev_reply(send, ctx, "FAIL", "Partition should be %s in fastbootd",
				  !strcmp(what, "flash") ? "flashed" : "erased");
		return 1;
	}
	if (d->snap != FBDEV_SNAP_NONE && protected_during_merge(p->name)) {
		*rc = fbdev_reply(send, ctx, "FAIL",
				  "Cannot %s %s while a snapshot update is in progress", what,
				  p->name);
		return 1;
	}
	return 0;
}

/* OKAY, then the device is gone: it comes back in @to after fbdev_reboot_delay_ms. */
static int reboot_to(struct fbdev *d, enum fbdev_mode to, fbdev_send_fn send, void *ctx)
{
	if (fbdev_reply(send, ctx, "OKAY", "%s", ""))
		return -1;
	d->mode = to;
	save_state(d);
	return FBDEV_REBOOT;
}

int fbdev_c_reboot(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	(void)arg;
	/* An update applied as a snapshot starts merging once the new slot boots. */
	if (d->snap == FBDEV_SNAP_SNAPSHOTTED)
		d->snap = FBDEV_SNAP_MERGING;
	return reboot_to(d, FBDEV_BOOTLOADER, send, ctx);
}

int fbdev_c_reboot_bootloader(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	(void)arg;
	return reboot_to(d, FBDEV_BOOTLOADER, send, ctx);
}

int fbdev_c_reboot_recovery(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	(void)arg;
	return reboot_to(d, FBDEV_BOOTLOADER, send, ctx);
}

int fbdev_c_reboot_fastboot(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	(void)arg;
	return reboot_to(
	    d, d->o.fault == FBDEV_FAULT_NO_FASTBOOTD ? FBDEV_BOOTLOADER : FBDEV_FASTBOOTD, send,
	    ctx);
}

/*
 * snapshot-update[:cancel|:merge] (AOSP's SnapshotUpdateHandler): alone it
 * says the status as INFO; cancel ends a snapshotted or merging update;
 * merge finishes a merge, in fastbootd only (FinishMergeInRecovery).
 */
int fbdev_c_snapshot_update(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	if (!*arg || !strcmp(arg, ":")) {
		fbdev_reply(send, ctx, "INFO", "%s", snap_names[d->snap]);
		return fbdev_reply(send, ctx, "OKAY", "%s", "");
	}
	if (!strcmp(arg, ":cancel")) {
		d->snap = FBDEV_SNAP_NONE;
	} else if (!strcmp(arg, ":merge")) {
		if (d->mode != FBDEV_FASTBOOTD)
			return fbdev_reply(send, ctx, "FAIL",
					   "snapshot-update:merge is done in "
					   "fastbootd");
		if (d->snap != FBDEV_SNAP_MERGING)
			return fbdev_reply(send, ctx, "FAIL", "No snapshot merge is in progress");
		d->snap = FBDEV_SNAP_NONE;
	} else {
		return fbdev_reply(send, ctx, "FAIL", "Invalid parameter to snapshot-update");
	}
	save_state(d);
	return fbdev_reply(send, ctx, "OKAY", "Success");
}

int fbdev_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || *s == ' ')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return *end || errno ? -1 : 0;
}

/*
 * fetch:NAME[:OFFSET[:SIZE]] (AOSP's PartitionFetcher): DATA%08x, the
 * bytes, then OKAY.  What was never written reads as zeros.  AOSP lets
 * user builds fetch nothing and others vendor_boot only; the model lets a
 * test read any partition back.
 */
int fbdev_c_fetch(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	char name[80], *colon;
	const struct fbdev_part *p;
	uint64_t off = 0, size, left;
	struct fbdev_io io;
	uint8_t *buf;
	int rc = 0;

	snprintf(name, sizeof(name), "%s", arg);
	colon = strchr(name, ':');
	if (colon)
		*colon++ = '\0';
	if (!name[0])
		return fbdev_reply(send, ctx, "FAIL", "Missing partition arg");
	p = fbdev_find_part(d, name);
	if (!p)
		return fbdev_reply(send, ctx, "FAIL", "Cannot open %s", name);
	if (colon) {
		char *sz = strchr(colon, ':');

		if (sz)
			*sz++ = '\0';
		if (fbdev_parse_u64(colon, &off))
			return fbdev_reply(send, ctx, "FAIL", "Invalid offset, must be integer");
		if (off > p->size)
			return fbdev_reply(send, ctx, "FAIL",
					   "Invalid offset 0x%llx, partition %s has size 0x%llx",
					   (unsigned long long)off, name,
					   (unsigned long long)p->size);
		size = p->size - off;
		if (sz && fbdev_parse_u64(sz, &size))
			return fbdev_reply(send, ctx, "FAIL", "Invalid size, must be integer");
	} else {
		size = p->size;
	}
	if (!size)
		return fbdev_reply(send, ctx, "OKAY", "Read 0 bytes");
	if (size > p->size - off)
		return fbdev_reply(send, ctx, "FAIL",
				   "Invalid size to read 0x%llx, partition %s has size 0x%llx and "
				   "fetching from offset 0x%llx",
				   (unsigned long long)size, name, (unsigned long long)p->size,
				   (unsigned long long)off);
	if (size > d->o.max_download || size > UINT32_MAX)
		return fbdev_reply(send, ctx, "FAIL",
				   "Cannot fetch 0x%llx bytes because it exceeds maximum transport "
				   "size 0x%llx",
				   (unsigned long long)size, (unsigned long long)d->o.max_download);
	buf = malloc(FETCH_CHUNK);
	if (!buf)
		return fbdev_reply(send, ctx, "FAIL", "out of memory");
	if (fbdev_io_open(d, p, 0, &io)) {
		free(buf);
		return fbdev_reply(send, ctx, "FAIL", "Cannot open %s", name);
	}
	rc = fbdev_reply(send, ctx, "DATA", "%08llx", (unsigned long long)size);
	for (left = size; !rc && left;) {
		size_t n = left < FETCH_CHUNK ? (size_t)left : FETCH_CHUNK;

		rc = fbdev_io_pread(&io, buf, n, off + size - left);
		if (!rc)
			rc = send(ctx, buf, n);
		left -= n;
	}
	fbdev_io_close(&io);
	free(buf);
	if (rc)
		return -1;
	return fbdev_reply(send, ctx, "OKAY", "Fetched %s (offset=0x%llx, size=0x%llx", name,
			   (unsigned long long)off, (unsigned long long)size);
}
