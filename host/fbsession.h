/* SPDX-License-Identifier: MIT */
/*
 * One fastboot session for the commands that talk to a device
 * (host/cmd_fastboot.c, host/cmd_appflash.c, host/cmd_update.c): the
 * device given by -s opened through the transport factory, the flash
 * engine (protocol/flash.h) run with callbacks that print through ui.c,
 * and the --json result document of the steps.  Functions return an
 * HWF_EXIT_* code; every failure was printed once (ui_error).
 */
#ifndef HWF_FBSESSION_H
#define HWF_FBSESSION_H

#include "formats/core/source.h"
#include "formats/core/zip_members.h"
#include "host/cli.h"
#include "protocol/flash.h"
#include "protocol/transport.h"

#define FBS_MAX_STEPS 64
#define FBS_MAX_READBACKS 32

/* --verify: one partition's read-back, kept for the summary and --json. */
struct fbs_readback {
	char part[HWF_FLASH_PART_MAX];
	enum hwf_flash_rb result;
	uint64_t compared, first, ndiff;
};

/* One AOSP-style line, kept for --json. */
struct fbs_step_log {
	char label[96];
	int ok;
	double seconds;
	uint64_t bytes; /* downloads */
};

struct fb_session {
	struct hwf_cli *cli;
	struct hwf_transport *t;
	struct hwf_flash *f; /* the engine, over @t */
	/* @t's name, kept when a reboot's device does not come back (@t is NULL then). */
	char device[sizeof(((struct hwf_transport *)0)->name)];
	double start;
	/* --json: fbs_finish() prints {"command", "ok", "seconds", "steps", "error"}
	 * unless the command prints its own document (json_own). */
	const char *command;
	int json_own;
	/* More members of that document (update's plan), written by @json_more. */
	void (*json_more)(void *ctx, struct hwf_ui *ui);
	void *json_more_ctx;
	int no_wipe; /* fbs_finish does not wipe nor set the active slot (a dry run) */
	int no_set_active; /* the command sets the active slot itself (update) */
	int settled; /* fbs_settle ran */
	struct fbs_step_log steps[FBS_MAX_STEPS];
	int nsteps;
	char error[HWF_ERR_MSG_MAX];
	int step_started; /* ui_step_start printed the current step's label */
	struct fbs_readback rb[FBS_MAX_READBACKS]; /* --verify */
	int nrb, rb_count[3];			   /* counts by enum hwf_flash_rb */
	/* getvar all --json: the INFO lines, "\n"-separated, while @collecting. */
	int collecting;
	char *collect;
	size_t ncollect, collect_cap;
};

/* Connect to the one device given (-s / $ANDROID_SERIAL) and start the engine. */
int fbs_open(struct hwf_cli *cli, struct fb_session *s);
void fbs_close(struct fb_session *s);
/*
 * What the options ask after the commands, once: -w's wipe, then
 * --set-active's slot (AOSP's order; before a reboot).  HWF_EXIT_* code.
 */
int fbs_settle(struct fb_session *s);
/* fbs_settle, "Finished. Total time", --json result, close; returns @rc or the wipe's. */
int fbs_finish(struct fb_session *s, int rc);
/*
 * The exit code for an engine call's result (already printed):
 * HWF_EXIT_USAGE for HWF_EINVAL from resolving names, else HWF_EXIT_FAIL.
 */
int fbs_exit(int rc);

/*
 * The engine's gate (hwf_flash_gate) for the CLI: @file named in
 * messages, --force from @cli; @sign (may be NULL) gets the signature
 * verdict for hwf_flash_lock_gate.  Returns 0 or HWF_EXIT_FAIL (printed).
 */
int fbs_gate(struct hwf_cli *cli, struct hwf_source *src, const char *part, const char *file,
	     int *sign);

/*
 * -v: what became of each zip member a command read through @zm (NULL:
 * nothing), one line each: inflated how often, how many bytes, how long,
 * how many written to the temporary file.
 */
void fbs_inflate_report(struct hwf_cli *cli, const struct hwf_zip_members *zm);

/*
 * --verify: "read_back" ("identical", "differs" when any partition
 * differs, "unsupported" when any could not be read back, null when none
 * was) and "read_back_partitions" as members of the document being
 * written.  Nothing without --verify.
 */
void fbs_readback_json(struct fb_session *s);

/* Callbacks that print an engine's messages through @cli's ui, for work without a device. */
void fbs_cli_cb(struct hwf_cli *cli, struct hwf_flash_cb *cb);

#endif
