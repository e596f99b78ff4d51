/* SPDX-License-Identifier: MIT */
/*
 * One fastboot session for the commands that talk to a device
 * (host/cmd_fastboot.c, host/cmd_appflash.c): open, AOSP-style steps,
 * the verify-before-write gate, flashing a source with sparse splitting.
 * Everything prints through cli->ui and returns an HWF_EXIT_* code.
 */
#ifndef HWF_FBSESSION_H
#define HWF_FBSESSION_H

#include "formats/image/avb.h"
#include "host/cli.h"
#include "protocol/fastboot.h"
#include "formats/core/source.h"
#include "protocol/transport.h"

#define FBS_MAX_STEPS 64
#define FBS_MAX_SLOTS 8		/* slot-count above this is refused */
#define FBS_PART_MAX 80

/* The partitions one name means on the device (fbs_resolve). */
struct fbs_parts {
	int n;				/* 1, or one per slot with --slot all */
	int slotted;			/* the device said has-slot: yes for the name's base */
	char name[FBS_MAX_SLOTS][FBS_PART_MAX];
};

/* One AOSP-style line, kept for --json. */
struct fbs_step_log {
	char label[96];
	int ok;
	double seconds;
	uint64_t bytes;		/* downloads */
};

struct fb_session {
	struct hwf_cli *cli;
	struct hwf_transport *t;
	struct hwf_fb fb;
	double start;
	int wiped;
	/* --json: fbs_finish() prints {"command", "ok", "seconds", "steps", "error"}
	 * unless the command prints its own document (json_own). */
	const char *command;
	int json_own;
	struct fbs_step_log steps[FBS_MAX_STEPS];
	int nsteps;
	char error[HWF_ERR_MSG_MAX];
	/* The device's slots, asked once (fbs_check_slot / fbs_resolve). */
	int slots_asked;
	int slot_count;		/* 0: the device has no slots (or does not say) */
	char current_slot;	/* 'a', 'b' ...; 0 when not asked yet or not reported */
	char slot;		/* --slot checked against the device: a letter, '*' for all, 0 */
	int slot_checked;
	/* getvar all --json: the INFO lines, "\n"-separated, while @collecting. */
	int collecting;
	char *collect;
	size_t ncollect, collect_cap;
};

/* Connect to the one device given (-s / $ANDROID_SERIAL). */
int fbs_open(struct hwf_cli *cli, struct fb_session *s);
void fbs_close(struct fb_session *s);
/* -w's erase of userdata (and cache), once per session. */
int fbs_wipe(struct fb_session *s);
/* Wipe if asked, print "Finished. Total time", close; returns @rc or the wipe's failure. */
int fbs_finish(struct fb_session *s, int rc);
/* Record a step for --json (and its error, the first one). */
void fbs_log(struct fb_session *s, const char *label, int ok, double seconds, uint64_t bytes,
	     const char *error);
/* Send @cmd, printing "@label  OKAY [ 0.010s]". */
int fbs_step(struct fb_session *s, const char *label, const char *cmd);

/*
 * Verify before write, on every path that sends bytes: hwf_image_check for
 * @part (the full check of the content's kind and its fit to the partition,
 * formats/partkind.c).  Errors refuse (unless --force), warnings are printed
 * on stderr, an empty image is always refused.  @file names the image in
 * messages.  Returns 0 or HWF_EXIT_FAIL (the message printed).
 */
int fbs_gate(struct hwf_cli *cli, struct hwf_source *src, const char *part, const char *file);
/*
 * Flash @src (called @label in messages) to @part: a raw image larger than
 * the partition the device reports is refused, an AVB footer of a smaller
 * one is moved to the partition's end, and what exceeds max-download-size
 * / -S goes in sparse pieces.
 */
int fbs_flash_image(struct fb_session *s, struct hwf_source *src, const char *part,
		    const char *label);
/* 1 when the device has @part (partition-size answers, or PART_a/PART_b exist). */
int fbs_has_partition(struct fb_session *s, const char *part);
/* 1 when the device says has-slot:@part is yes. */
int fbs_has_slot(struct fb_session *s, const char *part);
/*
 * --slot against the device, once, before anything is written: a slot it
 * does not have (c on an A/B device, any slot on a device without slots)
 * is refused with one line.  fbs_resolve() calls it; returns 0 or an exit
 * code.
 */
int fbs_check_slot(struct fb_session *s);
/*
 * The partition(s) @part means on this device, as AOSP's fastboot resolves
 * them (do_for_partitions): when has-slot:@part is yes, @part_X for the
 * slot --slot names (other = the inactive one), every slot for --slot all,
 * the current slot without --slot; a name that already ends in a slot the
 * device has (boot_a) as it is (refused when --slot asks for another);
 * anything else as it is (with a warning when --slot named a slot and
 * @force_slot: flash and erase, as AOSP; not for update's many images).
 * Only getvars are sent.  Returns 0, or an exit code after one ui_error.
 */
int fbs_resolve(struct fb_session *s, const char *part, int force_slot, struct fbs_parts *out);
/*
 * AOSP's update/flashall end: on an A/B device, set_active the slot that
 * was flashed (--slot; a for all; else the current one).  0 or exit code.
 */
int fbs_set_active_flashed(struct fb_session *s);

/* hwflash update ZIP (host/cmd_update.c) */
int fb_update(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);

#endif
