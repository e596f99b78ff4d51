/* SPDX-License-Identifier: MIT */
/* The CLI's shared state and the command table. */
#ifndef HWF_CLI_H
#define HWF_CLI_H

#include <stdint.h>

#include "cleanup.h"
#include "ui.h"

enum { HWF_EXIT_OK = 0, HWF_EXIT_FAIL = 1, HWF_EXIT_USAGE = 2 };

#define HWF_MAX_SERIALS 32

struct hwf_cli {
	struct hwf_ui ui;
	int json, verbose, force, yes;
	int wipe;			/* -w */
	int all;			/* --all: every device */
	const char *serials[HWF_MAX_SERIALS];	/* -s, or $ANDROID_SERIAL */
	int nserials;
	const char *slot;		/* --slot */
	uint64_t sparse_limit;		/* -S SIZE, 0 = ask the device */
	double wait;			/* --wait[=SECONDS], <0 = not given */
	int timeout_ms;			/* --timeout SECONDS per device reply, 0 = default */
	const char *command;		/* the command words, for --json results */
	char command_buf[64];		/* "app list": a group's command words */
	struct hwf_cleanup cleanup;	/* temporary files removed on Ctrl-C too */
	char own_serial[160];		/* a parallel run's child: its one -s (host/multi.c) */
};

struct hwf_command {
	const char *name;
	int (*run)(struct hwf_cli *cli, int argc, char **argv);
	const char *synopsis;		/* one line: "app list FILE [--json]" */
	const char *help;		/* a paragraph or more */
	const struct hwf_command *subs;	/* a group ("app"): its subcommands */
};

/* Print "hwflash: <message>" and the command's synopsis; returns 2. */
int cli_usage(struct hwf_cli *cli, const struct hwf_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Case-insensitive "does @s end with @suffix" (".app", ".zip"). */
int cli_ends_with(const char *s, const char *suffix);

/*
 * A slot as the user typed it: "a".."z", "_a".."_z" (the device's suffix
 * spelling, taken as the letter), "other", and "all" when @allow_all.
 * Returns the normalised word (a pointer into @v or a literal), or NULL.
 */
const char *cli_slot_word(const char *v, int allow_all);

/* Smallest -S: a sparse piece needs its headers and at least one 4 KiB block. */
#define CLI_MIN_SPARSE_LIMIT (64u << 10)

/* Parse "16M", "512K", "1G", "0x1000", "4096" into bytes; -1 on error. */
int cli_parse_size(const char *s, uint64_t *out);

/*
 * Run a group's subcommand: argv[0] is the group, argv[1] the subcommand.
 * Used by the groups' entry points (cmd_app...).
 */
int cli_run_group(struct hwf_cli *cli, const char *group, const struct hwf_command *subs,
		  int argc, char **argv);

/*
 * Command groups and commands, one file each (host/cmd_<group>.c).  Each
 * file adds its entries to the table in host/main.c.
 */
int cmd_app(struct hwf_cli *cli, int argc, char **argv);
extern const struct hwf_command hwf_app_commands[];
/* app flash (host/cmd_appflash.c) */
int app_flash(struct hwf_cli *cli, const struct hwf_command *c, int argc, char **argv);
int cmd_image(struct hwf_cli *cli, int argc, char **argv);
extern const struct hwf_command hwf_image_commands[];
/* dload prepare | check (host/cmd_dload.c, host/dload_check.c) */
int cmd_dload(struct hwf_cli *cli, int argc, char **argv);
extern const struct hwf_command hwf_dload_commands[];
/* The fastboot commands are top-level (AOSP spelling): host/cmd_fastboot.c. */
extern const struct hwf_command hwf_fastboot_commands[];
/* "hwflash -w" alone: erase userdata (and cache). */
int cmd_wipe(struct hwf_cli *cli);

/*
 * Several devices (-s A -s B ..., --all): host/multi.c.  multi_applies()
 * tells whether the command (argv[0], argc >= 0) talks to a device.
 * multi_run() forks one child per device: in a child it returns 0 with
 * *is_child set and @cli narrowed to that device, and the caller runs the
 * command as usual; in the parent it returns when every device is done,
 * with the exit code (1 if any failed) after the summary table.
 */
int multi_applies(const struct hwf_cli *cli, int argc, char **argv);
int multi_run(struct hwf_cli *cli, int *is_child);

#endif
