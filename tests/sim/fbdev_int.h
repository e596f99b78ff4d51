/* SPDX-License-Identifier: MIT */
/*
 * Inside the device model (fbdev.c: the state, the command table and the
 * bootloader's commands; fbdev_mode.c: modes, reboots, snapshot-update,
 * fetch and logical partitions; fbdev_opts.c: the simulators' options).
 */
#ifndef HWF_FBDEV_INT_H
#define HWF_FBDEV_INT_H

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
};

/* One reply packet: @kind ("OKAY", "FAIL", "INFO", "DATA") and at most 252 bytes of text. */
int fbdev_reply(fbdev_send_fn send, void *ctx, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* STORE/@name into @buf. */
void fbdev_path(const struct fbdev *d, const char *name, char *buf, size_t len);
/* The partition called exactly @name, or NULL. */
const struct fbdev_part *fbdev_find_part(const struct fbdev *d, const char *name);

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
