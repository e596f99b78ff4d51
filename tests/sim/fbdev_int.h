/* SPDX-License-Identifier: MIT */
/*
 * Inside the device model (fbdev.c: the state, the command table and the
 * bootloader's commands; fbdev_mode.c: modes, reboots, snapshot-update,
 * fetch and logical partitions; fbdev_super.c: the super partition
 * (--super), its liblp metadata and fastbootd's commands on it;
 * fbdev_opts.c: the simulators' options).
 */
#ifndef HWF_FBDEV_INT_H
#define HWF_FBDEV_INT_H

#include <sys/types.h>

#include "formats/image/liblp.h"
#include "tests/sim/fbdev.h"

struct fbdev {
	struct fbdev_opts o;
	char slot; /* the current slot: 'a', 'b' ...; 0 without slots */
	int unlocked;
	enum fbdev_mode mode; /* now; after a reboot: the one it comes back in */
	enum fbdev_snapshot snap;
	int dl_fd; /* the download file while data comes in */
	uint64_t dl_size, dl_left, dl_have;
	FILE *log;
	/*
	 * --super: STORE/super.img read as it stands (NULL while it holds no
	 * readable metadata), and its logical partitions as partitions of the
	 * model (lparts[i] is the metadata's partition i).
	 */
	struct hwf_source *lpsrc;
	struct hwf_lp *lp;
	struct fbdev_part *lparts;
	size_t nlparts;
};

/* Where a partition's bytes are: its own file, or its extents in super.img. */
struct fbdev_io {
	int fd;				 /* -1: nothing stored yet (reads as zeros) */
	const struct hwf_lp_extent *ext; /* NULL: the file is the partition */
	uint32_t next;
	uint64_t size;
};

/* One reply packet: @kind ("OKAY", "FAIL", "INFO", "DATA") and at most 252 bytes of text. */
int fbdev_reply(fbdev_send_fn send, void *ctx, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* STORE/@name into @buf. */
void fbdev_path(const struct fbdev *d, const char *name, char *buf, size_t len);
/* The partition called exactly @name, or NULL. */
const struct fbdev_part *fbdev_find_part(const struct fbdev *d, const char *name);

/* Every partition the device has now: @i from 0 to fbdev_nparts() (physical, then logical). */
size_t fbdev_nparts(const struct fbdev *d);
const struct fbdev_part *fbdev_part_at(const struct fbdev *d, size_t i);

/* fbdev_super.c: STORE/super.img made (a new store) or read; physical partition "super" added. */
void fbdev_super_init(struct fbdev *d);
void fbdev_super_free(struct fbdev *d);
/* Open @p's bytes for reading or (@write) writing: 0, or -1 with errno. */
int fbdev_io_open(const struct fbdev *d, const struct fbdev_part *p, int write,
		  struct fbdev_io *io);
/* Write @n bytes at @off of the partition: 0, or -1 (past its end, or a write error). */
int fbdev_io_pwrite(const struct fbdev_io *io, const void *buf, size_t n, uint64_t off);
/* Read @n bytes at @off; what was never written reads as zeros.  0 or -1. */
int fbdev_io_pread(const struct fbdev_io *io, void *buf, size_t n, uint64_t off);
void fbdev_io_close(struct fbdev_io *io);
/*
 * After flash:/erase: of @p (@erase: zero it): a logical partition is
 * zeroed through its extents; the super partition keeps its size and its
 * metadata is read again.  1 when @p was one of them (erase done), else 0.
 */
int fbdev_super_written(struct fbdev *d, const struct fbdev_part *p, int erase);
/* fastbootd's variables on super: 1 with the value, 0 when @name is none of them. */
int fbdev_super_var(const struct fbdev *d, const char *name, char *out, size_t len);
int fbdev_c_update_super(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx);
int fbdev_c_create_lp(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx);
int fbdev_c_delete_lp(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx);
int fbdev_c_resize_lp(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx);

/*
 * fbdev_huawei.c: battery-voltage, battery-soc-ok, and with --huawei
 * vendorcountry (and unlocked refused): 1 with the value, -1 refused, 0
 * when @name is none of them.
 */
int fbdev_extra_var(const struct fbdev *d, const char *name, char *out, size_t len);
/* --huawei's oem commands: 1 and *@rc when @arg (" lock-state info" ...) was answered. */
int fbdev_huawei_oem(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx, int *rc);

/* AOSP's ParseUint: decimal or 0x hex, nothing after it.  0 or -1. */
int fbdev_parse_u64(const char *s, uint64_t *v);

/* fbdev_mode.c: the mode and snapshot state from the store, or the options' for a new one. */
void fbdev_load_mode(struct fbdev *d);
/*
 * The variables that depend on the mode (is-userspace, is-logical:NAME,
 * snapshot-update-status, max-fetch-size): 1 with the value in @out, 0 when
 * @name is not one of them, -1 when it is one the device does not answer.
 */
int fbdev_mode_var(const struct fbdev *d, const char *name, char *out, size_t len);
/*
 * flash:/erase: of @p (@what "flash", "erase"): 1 and a FAIL sent when this
 * mode or the snapshot state refuses it (the handler returns @rc), else 0.
 */
int fbdev_refuse_write(const struct fbdev *d, const struct fbdev_part *p, const char *what,
		       fbdev_send_fn send, void *ctx, int *rc);
/* The command handlers of fbdev_mode.c. */
int fbdev_c_reboot(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx);
int fbdev_c_reboot_bootloader(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx);
int fbdev_c_reboot_fastboot(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx);
int fbdev_c_reboot_recovery(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx);
int fbdev_c_snapshot_update(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx);
int fbdev_c_fetch(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx);

#endif
