// SPDX-License-Identifier: MIT
#include "tests/sim/fbdev_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/image/sparse.h"

/* The modes a command is served in (a bit per enum fbdev_mode). */
#define BL (1u << FBDEV_BOOTLOADER)
#define FD (1u << FBDEV_FASTBOOTD)

struct cmd {
	const char *name;	/* prefix up to ':' or the whole command */
	int (*run)(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx);
	unsigned modes;
};

int fbdev_reply(fbdev_send_fn send, void *ctx, const char *kind, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	memcpy(buf, kind, 4);
	va_start(ap, fmt);
	n = vsnprintf(buf + 4, sizeof(buf) - 4, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > 252)
		n = 252;
	return send(ctx, buf, 4 + (size_t)n);
}

void fbdev_path(const struct fbdev *d, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", d->o.store, name);
}

size_t fbdev_nparts(const struct fbdev *d)
{
	return d->o.nparts + d->nlparts;
}

const struct fbdev_part *fbdev_part_at(const struct fbdev *d, size_t i)
{
	return i < d->o.nparts ? &d->o.parts[i] : &d->lparts[i - d->o.nparts];
}

/* A name in super and among the physical partitions is the logical one (as fastbootd). */
const struct fbdev_part *fbdev_find_part(const struct fbdev *d, const char *name)
{
	for (size_t i = 0; i < d->nlparts; i++)
		if (!strcmp(d->lparts[i].name, name))
			return &d->lparts[i];
	for (size_t i = 0; i < d->o.nparts; i++)
		if (!strcmp(d->o.parts[i].name, name))
			return &d->o.parts[i];
	return NULL;
}

/* has-slot:NAME: the device has NAME_a (and its other slots). */
static int has_slot(const struct fbdev *d, const char *name)
{
	char n[80];

	snprintf(n, sizeof(n), "%s_a", name);
	return d->o.slots > 0 && fbdev_find_part(d, n) != NULL;
}

/*
 * Exact names only: a bare "boot" on an A/B device is not a partition
 * (fastbootd's behaviour), so the host must send boot_a or boot_b.
 */
static const struct fbdev_part *resolve(const struct fbdev *d, const char *name)
{
	return fbdev_find_part(d, name);
}

/*
 * What the device knows of @p in its mode: the bootloader sees only
 * physical partitions (a logical one lives inside super).
 */
static int sized(const struct fbdev *d, const struct fbdev_part *p)
{
	return p && (!p->logical || d->mode == FBDEV_FASTBOOTD);
}

/* 0 with the value in @out, -1 for a variable the device does not answer. */
static int var(struct fbdev *d, const char *name, char *out, size_t len)
{
	const struct fbdev_part *p;
	int m = fbdev_mode_var(d, name, out, len);

	if (m)
		return m > 0 ? 0 : -1;
	if (fbdev_super_var(d, name, out, len))
		return 0;
	if ((m = fbdev_extra_var(d, name, out, len)))
		return m > 0 ? 0 : -1;
	if (!strcmp(name, "version"))
		snprintf(out, len, "0.4");
	else if (!strcmp(name, "version-bootloader"))
		snprintf(out, len, "0.4.1-fbsim");
	else if (!strcmp(name, "version-baseband"))
		snprintf(out, len, "none");
	else if (!strcmp(name, "product"))
		snprintf(out, len, "%s", d->o.product);
	else if (!strcmp(name, "serialno"))
		snprintf(out, len, "%s", d->o.serial ? d->o.serial : "FBSIM0001");
	else if (!strcmp(name, "max-download-size"))
		snprintf(out, len, "0x%llx", (unsigned long long)d->o.max_download);
	else if (!strcmp(name, "current-slot") && d->slot)
		/* fastbootd answers the letter alone (AOSP's GetCurrentSlot). */
		snprintf(out, len, "%s%c",
			 d->o.slot_underscore && d->mode == FBDEV_BOOTLOADER ? "_" : "", d->slot);
	else if (!strcmp(name, "slot-count") && d->o.slots > 0)
		snprintf(out, len, "%d", d->o.slots);
	else if (!strcmp(name, "unlocked"))
		snprintf(out, len, "%s", d->unlocked ? "yes" : "no");
	else if (!strcmp(name, "secure"))
		snprintf(out, len, "yes");
	else if (!strncmp(name, "partition-size:", 15) && sized(d, p = resolve(d, name + 15)))
		/* fastbootd: "0x%" PRIX64 (AOSP variables.cpp GetPartitionSize). */
		snprintf(out, len, d->mode == FBDEV_FASTBOOTD ? "0x%llX" : "0x%llx",
			 (unsigned long long)p->size);
	else if (!strncmp(name, "partition-type:", 15) && sized(d, p = resolve(d, name + 15)))
		snprintf(out, len, "%s", p->type[0] ? p->type : "raw");
	else if (!strncmp(name, "has-slot:", 9) && d->o.slots > 0)
		snprintf(out, len, "%s", has_slot(d, name + 9) ? "yes" : "no");
	else
		return -1;
	return 0;
}

static int c_getvar(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	char v[200];

	if (d->o.fault == FBDEV_FAULT_INFO_FLOOD)
		for (int i = 0; i < 10000; i++)
			if (fbdev_reply(send, ctx, "INFO", "still thinking %d", i))
				return -1;
	if (d->o.fault == FBDEV_FAULT_OVERLONG) {
		size_t n = d->o.fault_num ? d->o.fault_num : 2000;
		char *b = malloc(n);
		int rc;

		if (!b || n < 4) {
			free(b);
			return -1;
		}
		memcpy(b, "OKAY", 4);
		memset(b + 4, 'A', n - 4);
		rc = send(ctx, b, n);
		free(b);
		return rc;
	}
	if (!strcmp(arg, "all")) {
		static const char *const names[] = {
			"version",   "version-bootloader", "product",  "serialno",
			"max-download-size", "current-slot", "slot-count", "unlocked",
			"secure",    "is-userspace",	   "snapshot-update-status",
			"super-partition-name", "dynamic-partition"
		};

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!var(d, names[i], v, sizeof(v)))
				fbdev_reply(send, ctx, "INFO", "%s: %s", names[i], v);
		for (size_t i = 0; i < fbdev_nparts(d); i++) {
			const struct fbdev_part *p = fbdev_part_at(d, i);

			if (sized(d, p))
				fbdev_reply(send, ctx, "INFO",
					    d->mode == FBDEV_FASTBOOTD ? "partition-size:%s: 0x%llX"
								       : "partition-size:%s: 0x%llx",
					    p->name, (unsigned long long)p->size);
			if (p->logical)
				fbdev_reply(send, ctx, "INFO", "is-logical:%s: yes", p->name);
		}
		/* has-slot for the base names of slotted partitions, as LK lists them. */
		for (size_t i = 0; d->o.slots > 0 && i < fbdev_nparts(d); i++) {
			const char *n = fbdev_part_at(d, i)->name;
			size_t l = strlen(n);

			if (l > 2 && !strcmp(n + l - 2, "_a"))
				fbdev_reply(send, ctx, "INFO", "has-slot:%.*s: yes", (int)(l - 2), n);
		}
		return fbdev_reply(send, ctx, "OKAY", "%s", "");
	}
	if (var(d, arg, v, sizeof(v)))
		return fbdev_reply(send, ctx, "FAIL", "%s",
				   d->mode == FBDEV_FASTBOOTD ? "Unknown variable"
							      : "GetVar Variable Not found");
	return fbdev_reply(send, ctx, "OKAY", "%s", v);
}

static int c_download(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	char path[4096], *end;
	unsigned long long n = strtoull(arg, &end, 16);

	if (d->o.fault == FBDEV_FAULT_FAIL_DOWNLOAD)
		return fbdev_reply(send, ctx, "FAIL", "download refused (simulated fault)");
	if (*end || end == arg || strlen(arg) != 8)
		return fbdev_reply(send, ctx, "FAIL", "bad download size '%s'", arg);
	if (!n || n > d->o.max_download)
		return fbdev_reply(send, ctx, "FAIL", "data too large");
	fbdev_path(d, ".download", path, sizeof(path));
	if (d->dl_fd >= 0)
		close(d->dl_fd);
	d->dl_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (d->dl_fd < 0)
		return fbdev_reply(send, ctx, "FAIL", "cannot store download: %s", strerror(errno));
	d->dl_size = d->dl_left = n;
	d->dl_have = 0;
	return fbdev_reply(send, ctx, "DATA", "%08llx", n);
}

/* The flip-byte fault: the byte at its offset, when in [@at, @at + @n), goes wrong. */
static void flip(const struct fbdev *d, uint8_t *buf, size_t n, uint64_t at)
{
	if (d->o.fault == FBDEV_FAULT_FLIP_BYTE && d->o.fault_num >= at && d->o.fault_num - at < n)
		buf[d->o.fault_num - at] ^= 0xff;
}

/*
 * Copy the download into the partition, raw or sparse-expanded: its file
 * (what is past the image reads as zeros), or its extents in super (what
 * the image does not cover keeps its bytes, as on a block device).
 */
static int store(struct fbdev *d, const struct fbdev_part *p, char *err, size_t errlen)
{
	char dl[4096];
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	struct fbdev_io io;
	uint8_t m[4] = { 0 };
	int rc = 0;

	fbdev_path(d, ".download", dl, sizeof(dl));
	if (hwf_source_open_file(&src, dl, &e)) {
		snprintf(err, errlen, "%s", e.msg);
		return -1;
	}
	hwf_source_read_exact(src, m, 4, 0, NULL);
	if (fbdev_io_open(d, p, 1, &io)) {
		snprintf(err, errlen, "%s", strerror(errno));
		hwf_source_close(src);
		return -1;
	}
	if (m[0] == 0x3a && m[1] == 0xff && m[2] == 0x26 && m[3] == 0xed) {
		struct hwf_sparse_reader *r = NULL;
		struct hwf_sparse_chunk c;
		uint8_t *buf = malloc(1 << 20);
		uint64_t raw = 0;
		uint32_t bs = 0;
		int more = -1;

		/*
		 * A sparse piece describes the whole partition; DONT_CARE keeps old
		 * data.  Debian 12's AOSP fastboot (29.0.6) sends split pieces whose
		 * last DONT_CARE chunk is counted in the header but not sent, so a
		 * piece that ends exactly where a chunk would start is accepted, as
		 * a device would.
		 */
		if (hwf_sparse_open(&r, src, &e) == 0) {
			bs = hwf_sparse_header(r)->blk_sz;
			raw = (uint64_t)hwf_sparse_header(r)->total_blks * bs;
		}
		if (!r || raw > p->size) {
			snprintf(err, errlen, "%s", r ? "sparse image too large" : e.msg);
			rc = -1;
		}
		while (r && buf && !rc && (more = hwf_sparse_next(r, &c, &e)) == 1) {
			uint64_t len = (uint64_t)c.blocks * bs, o = (uint64_t)c.out_block * bs;

			for (uint64_t k = 0; k < len && c.type != HWF_SPARSE_DONT_CARE;) {
				size_t n = len - k < (1u << 20) ? (size_t)(len - k) : (1u << 20);

				if (c.type == HWF_SPARSE_RAW)
					hwf_source_read_exact(src, buf, n, c.data_off + k, NULL);
				else
					for (size_t i = 0; i < n; i += 4)
						memcpy(buf + i, &c.fill, 4);
				flip(d, buf, n, o + k);
				if (fbdev_io_pwrite(&io, buf, n, o + k))
					rc = -1;
				k += n;
			}
		}
		if (!rc && more < 0 &&
		    !(more == HWF_ETRUNC && strstr(e.msg, "truncated at a chunk boundary"))) {
			snprintf(err, errlen, "%s", e.msg);
			rc = -1;
		}
		hwf_sparse_close(r);
		free(buf);
		if (!rc && !io.ext && ftruncate(io.fd, (off_t)raw) < 0)
			rc = -1;
	} else {
		uint8_t *buf = malloc(1 << 20);
		uint64_t size = hwf_source_size(src);

		if (size > p->size) {
			snprintf(err, errlen, "image of %llu bytes does not fit partition of %llu",
				 (unsigned long long)size, (unsigned long long)p->size);
			rc = -1;
		}
		if (!rc && !io.ext && ftruncate(io.fd, 0) < 0)
			rc = -1;
		for (uint64_t k = 0; buf && !rc && k < size;) {
			size_t n = size - k < (1u << 20) ? (size_t)(size - k) : (1u << 20);

			hwf_source_read_exact(src, buf, n, k, NULL);
			flip(d, buf, n, k);
			if (fbdev_io_pwrite(&io, buf, n, k))
				rc = -1;
			k += n;
		}
		free(buf);
	}
	fbdev_io_close(&io);
	hwf_source_close(src);
	if (rc && !err[0])
		snprintf(err, errlen, "write failed");
	return rc;
}

static int c_flash(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	const struct fbdev_part *p = resolve(d, arg);
	char err[512] = "";
	int rc;

	if (d->o.fault == FBDEV_FAULT_STALL_FLASH)
		return 0;
	if (d->o.fault == FBDEV_FAULT_DISCONNECT_FLASH)
		return -1;
	if (d->o.fault == FBDEV_FAULT_FAIL_FLASH)
		return fbdev_reply(send, ctx, "FAIL", "flash write failure (simulated fault)");
	if (!p)
		return fbdev_reply(send, ctx, "FAIL", "partition does not exist");
	if (fbdev_refuse_write(d, p, "flash", send, ctx, &rc))
		return rc;
	if (!d->dl_size || d->dl_left)
		return fbdev_reply(send, ctx, "FAIL", "no image downloaded");
	rc = store(d, p, err, sizeof(err));
	fbdev_super_written(d, p, 0);
	if (rc)
		return fbdev_reply(send, ctx, "FAIL", "%s", err);
	return fbdev_reply(send, ctx, "OKAY", "%s", "");
}

static int c_erase(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	const struct fbdev_part *p = resolve(d, arg);
	char path[4096];
	int rc;

	if (d->o.fault == FBDEV_FAULT_FAIL_ERASE)
		return fbdev_reply(send, ctx, "FAIL", "erase failure (simulated fault)");
	if (!p)
		return fbdev_reply(send, ctx, "FAIL", "partition does not exist");
	if (fbdev_refuse_write(d, p, "erase", send, ctx, &rc))
		return rc;
	if (!fbdev_super_written(d, p, 1)) {
		snprintf(path, sizeof(path), "%s/%s.img", d->o.store, p->name);
		unlink(path);
	}
	return fbdev_reply(send, ctx, "OKAY", "%s", "");
}

static int c_okay(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	(void)d;
	(void)arg;
	return fbdev_reply(send, ctx, "OKAY", "%s", "");
}

static int c_boot(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	(void)arg;
	if (!d->dl_size || d->dl_left)
		return fbdev_reply(send, ctx, "FAIL", "no image downloaded");
	return fbdev_reply(send, ctx, "OKAY", "%s", "");
}

/*
 * upload (AOSP's get_staged): the last download back (stage = a download
 * and nothing else; STORE/.download outlives a connection as staged data
 * would), DATA, its bytes, OKAY; FAIL when nothing is staged.
 */
static int c_upload(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	char buf[65536], path[4096];
	uint64_t off = 0, size;
	struct stat st;
	int fd, rc = 0;

	fbdev_path(d, ".download", path, sizeof(path));
	fd = d->dl_left ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	if (*arg || fd < 0 || fstat(fd, &st) || !st.st_size) {
		if (fd >= 0)
			close(fd);
		return fbdev_reply(send, ctx, "FAIL", "No data staged");
	}
	size = (uint64_t)st.st_size;
	rc = fbdev_reply(send, ctx, "DATA", "%08llx", (unsigned long long)size);
	while (!rc && off < size) {
		size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);

		rc = pread(fd, buf, n, (off_t)off) != (ssize_t)n || send(ctx, buf, n);
		off += n;
	}
	close(fd);
	return rc ? -1 : fbdev_reply(send, ctx, "OKAY", "%s", "");
}

/* gsi:wipe|disable|status (fastbootd): no GSI is ever installed here. */
static int c_gsi(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	(void)d;
	if (!strcmp(arg, "status")) {
		if (fbdev_reply(send, ctx, "INFO", "not installed"))
			return -1;
		return fbdev_reply(send, ctx, "OKAY", "%s", "");
	}
	if (!strcmp(arg, "wipe") || !strcmp(arg, "disable"))
		return fbdev_reply(send, ctx, "OKAY", "%s", "");
	return fbdev_reply(send, ctx, "FAIL", "Invalid arguments");
}

/* The current slot outlives a connection, as on a device: STORE/.current-slot. */
static void save_slot(const struct fbdev *d)
{
	char path[4096];
	FILE *f;

	fbdev_path(d, ".current-slot", path, sizeof(path));
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%c\n", d->slot);
		fclose(f);
	}
}

static void load_slot(struct fbdev *d)
{
	char path[4096];
	FILE *f;
	int c;

	fbdev_path(d, ".current-slot", path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return;
	c = fgetc(f);
	if (c >= 'a' && c < 'a' + d->o.slots)
		d->slot = (char)c;
	fclose(f);
}

static int c_set_active(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	if (d->o.slots <= 0)
		return fbdev_reply(send, ctx, "FAIL", "this device has no slots");
	if (strlen(arg) != 1 || arg[0] < 'a' || arg[0] >= 'a' + d->o.slots)
		return fbdev_reply(send, ctx, "FAIL", "invalid slot");
	d->slot = arg[0];
	save_slot(d);
	return fbdev_reply(send, ctx, "OKAY", "%s", "");
}

static int c_oem(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	int rc;

	if (fbdev_huawei_oem(d, arg, send, ctx, &rc))
		return rc;
	fbdev_reply(send, ctx, "INFO", "oem%s", arg);
	return fbdev_reply(send, ctx, "OKAY", "%s", "");
}

/*
 * The lock state outlives a connection too: STORE/.unlocked while
 * unlocked, STORE/.locked while locked; a new store starts as --locked says.
 */
static void save_unlocked(const struct fbdev *d)
{
	char path[4096], other[4096];
	FILE *f;

	fbdev_path(d, d->unlocked ? ".unlocked" : ".locked", path, sizeof(path));
	fbdev_path(d, d->unlocked ? ".locked" : ".unlocked", other, sizeof(other));
	unlink(other);
	f = fopen(path, "w");
	if (f)
		fclose(f);
}

static void load_unlocked(struct fbdev *d)
{
	char path[4096], other[4096];

	fbdev_path(d, ".unlocked", path, sizeof(path));
	fbdev_path(d, ".locked", other, sizeof(other));
	d->unlocked = access(path, F_OK) == 0		? 1
		      : access(other, F_OK) == 0	? 0
							: !d->o.locked;
}

static int c_flashing(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	if (!strcmp(arg, " unlock") || !strcmp(arg, " unlock_critical")) {
		d->unlocked = 1;
		save_unlocked(d);
	} else if (!strcmp(arg, " lock") || !strcmp(arg, " lock_critical")) {
		d->unlocked = 0;
		save_unlocked(d);
	} else if (!strcmp(arg, " get_unlock_ability")) {
		fbdev_reply(send, ctx, "INFO", "unlock_ability = 1");
	} else {
		return fbdev_reply(send, ctx, "FAIL", "unknown flashing command");
	}
	return fbdev_reply(send, ctx, "OKAY", "%s", "");
}

/*
 * fastbootd has no boot, continue or flashing (AOSP's command map); the
 * bootloader has no fetch.  "reboot" comes after the longer reboot-*.
 */
static const struct cmd commands[] = {
	{ "getvar:", c_getvar, BL | FD },
	{ "download:", c_download, BL | FD },
	{ "flash:", c_flash, BL | FD },
	{ "erase:", c_erase, BL | FD },
	{ "set_active:", c_set_active, BL | FD },
	{ "boot", c_boot, BL },
	{ "continue", c_okay, BL },
	{ "reboot-bootloader", fbdev_c_reboot_bootloader, BL | FD },
	{ "reboot-recovery", fbdev_c_reboot_recovery, BL | FD },
	{ "reboot-fastboot", fbdev_c_reboot_fastboot, BL | FD },
	{ "reboot", fbdev_c_reboot, BL | FD },
	{ "oem", c_oem, BL | FD },
	{ "flashing", c_flashing, BL },
	{ "snapshot-update", fbdev_c_snapshot_update, BL | FD },
	{ "fetch:", fbdev_c_fetch, FD },
	{ "upload", c_upload, BL | FD },
	{ "gsi:", c_gsi, FD },
	{ "update-super:", fbdev_c_update_super, FD },
	{ "create-logical-partition:", fbdev_c_create_lp, FD },
	{ "delete-logical-partition:", fbdev_c_delete_lp, FD },
	{ "resize-logical-partition:", fbdev_c_resize_lp, FD },
};

struct fbdev *fbdev_new(const struct fbdev_opts *o)
{
	struct fbdev *d = calloc(1, sizeof(*d));
	char path[4096];

	if (!d)
		return NULL;
	d->o = *o;
	if (d->o.slots < 0) {
		d->o.slots = 0;
		for (size_t i = 0; i < d->o.nparts; i++) {
			size_t l = strlen(d->o.parts[i].name);

			if (l > 2 && !strcmp(d->o.parts[i].name + l - 2, "_a"))
				d->o.slots = 2;
		}
	}
	d->slot = d->o.slots > 0 ? (d->o.current_slot ? d->o.current_slot : 'a') : 0;
	d->dl_fd = -1;
	if (!d->o.product)
		d->o.product = "fbsim";
	if (!d->o.max_download)
		d->o.max_download = 64u << 20;
	if (d->o.fault == FBDEV_FAULT_SMALL_DOWNLOAD)
		d->o.max_download = 1u << 20;
	mkdir(d->o.store, 0755);
	if (d->slot)
		load_slot(d);
	load_unlocked(d);
	fbdev_load_mode(d);
	fbdev_path(d, "commands.log", path, sizeof(path));
	d->log = fopen(path, "a");
	fbdev_super_init(d);
	return d;
}

void fbdev_free(struct fbdev *d)
{
	if (!d)
		return;
	if (d->dl_fd >= 0)
		close(d->dl_fd);
	if (d->log)
		fclose(d->log);
	fbdev_super_free(d);
	free(d);
}

uint64_t fbdev_data_left(const struct fbdev *d)
{
	return d->dl_left;
}

void fbdev_reconnect(struct fbdev *d)
{
	if (d->dl_fd >= 0)
		close(d->dl_fd);
	d->dl_fd = -1;
	d->dl_size = d->dl_left = d->dl_have = 0;
}

/* Drop the connection in the middle of a download, and say so in the log. */
static int hang_up(struct fbdev *d)
{
	if (d->log) {
		fprintf(d->log, "(disconnect after %llu of %llu bytes)\n",
			(unsigned long long)d->dl_have, (unsigned long long)d->dl_size);
		fflush(d->log);
	}
	d->dl_size = d->dl_left = 0;
	return -1;
}

int fbdev_input(struct fbdev *d, const uint8_t *buf, size_t len, fbdev_send_fn send, void *ctx)
{
	char cmd[4097];

	if (d->dl_left) {
		size_t n = len < d->dl_left ? len : (size_t)d->dl_left;

		if (d->o.fault == FBDEV_FAULT_DISCONNECT_DOWNLOAD && d->dl_have >= d->dl_size / 2)
			return hang_up(d);
		if (d->o.fault == FBDEV_FAULT_DISCONNECT_AT && d->o.fault_num < 100 &&
		    d->dl_have >= d->dl_size * d->o.fault_num / 100)
			return hang_up(d);
		if (pwrite(d->dl_fd, buf, n, (off_t)d->dl_have) != (ssize_t)n)
			return -1;
		d->dl_have += n;
		d->dl_left -= n;
		if (d->dl_left)
			return 0;
		if (d->o.fault == FBDEV_FAULT_DISCONNECT_AT)
			return hang_up(d);	/* 100 %: every byte in, no OKAY */
		if (d->o.fault == FBDEV_FAULT_STALL_ON && !strcmp(d->o.fault_cmd, "data"))
			return 0;
		if (fbdev_reply(send, ctx, "OKAY", "%s", ""))
			return -1;
		return d->o.fault == FBDEV_FAULT_DISCONNECT_BEFORE_FLASH ? -1 : 0;
	}
	if (len >= sizeof(cmd))
		return fbdev_reply(send, ctx, "FAIL", "command too long");
	memcpy(cmd, buf, len);
	cmd[len] = '\0';
	if (d->log) {
		fprintf(d->log, "%s\n", cmd);
		fflush(d->log);
	}
	if (d->o.fault == FBDEV_FAULT_STALL)
		return 0;
	if (d->o.fault == FBDEV_FAULT_STALL_ON && d->o.fault_cmd[0] &&
	    !strncmp(cmd, d->o.fault_cmd, strlen(d->o.fault_cmd)))
		return 0;
	if (d->o.fault == FBDEV_FAULT_GARBAGE)
		return send(ctx, "\x89PNG\r\n\x1a\n<html>", 14) ? -1 : 0;
	if (d->o.fault == FBDEV_FAULT_SLOW_INFO)
		for (int i = 0; i < 12; i++) {
			usleep(250 * 1000);
			if (fbdev_reply(send, ctx, "INFO", "working (%d/12)", i + 1))
				return -1;
		}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		size_t n = strlen(commands[i].name);
		int rc;

		if (strncmp(cmd, commands[i].name, n))
			continue;
		if (!(commands[i].modes & (1u << d->mode)))
			break;
		rc = commands[i].run(d, cmd + n, send, ctx);
		return rc < 0 ? -1 : rc;
	}
	/* fastbootd names the command (fastboot_device.cpp ExecuteCommands). */
	if (d->mode == FBDEV_FASTBOOTD)
		return fbdev_reply(send, ctx, "FAIL", "Unrecognized command %s", cmd) ? -1 : 0;
	return fbdev_reply(send, ctx, "FAIL", "unknown command") ? -1 : 0;
}

