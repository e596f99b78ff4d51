/* SPDX-License-Identifier: MIT */
/* The CLI's shared state and the command table. */
#ifndef HWF_CLI_H
#define HWF_CLI_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/image/bootimg_build.h"
#include "host/cleanup.h"
#include "host/ui.h"

enum { HWF_EXIT_OK = 0, HWF_EXIT_FAIL = 1, HWF_EXIT_USAGE = 2 };

#define HWF_MAX_SERIALS 32

/* AOSP fastboot's options that hwflash takes too (host/cli_aosp.c). */
struct hwf_aosp_opts {
	const char *set_active;	/* --set-active[=SLOT], -a: "" = the flashed slot; NULL */
	int skip_reboot, skip_secondary;
	int no_erase_first;	/* -u: no effect (hwflash never formats) */
	uint32_t avb_disable;	/* --disable-verity (1) | --disable-verification (2) */
	struct hwf_bootimg_args boot; /* --cmdline, --base ... for boot and flash:raw */
	const char *boot_given;	/* the first of those options given, for messages */
	const char *dtb;	/* --dtb FILE */
};

struct hwf_cli {
	struct hwf_ui ui;
	int json, verbose, force, yes;
	int wipe;			/* -w */
	int verify;			/* --verify: read written partitions back */
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
	/*
	 * The command line as given (argv[0] too), the words that select
	 * devices (-s X, -sX, --serial X, --serial=X, --all) set to NULL:
	 * what a child started anew for one device runs, with its own -s
	 * (win/multi_win.c).  main() owns the array; NULL if out of memory.
	 */
	char **given;
	int ngiven;
	struct hwf_aosp_opts aosp;
};

struct hwf_command {
	const char *name;
	/* @self: this entry (its synopsis for usage errors, its subs for a group). */
	int (*run)(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
	const char *synopsis;		/* one line: "app list FILE [--json]" */
	const char *help;		/* a paragraph or more */
	const struct hwf_command *subs;	/* a group ("app"): its subcommands */
};

/* The entry called @name in @table (ended by a NULL name), or NULL. */
const struct hwf_command *cli_find(const struct hwf_command *table, const char *name);

/*
 * The exit status of a command that ends with @rc: the one place where the
 * library's HWF_E* codes become 0, 1 or 2.  An exit status (>= 0: what
 * cli_usage() and the commands return) is kept.  HWF_EINVAL is a usage
 * error (2) when it is about the words the user typed (@user_words: an
 * option's value, a NAME=FILE, a -s), since then typing them right is the
 * fix; every other code is a failure of the work (1).
 */
int cli_exit_code(int rc, int user_words);

/*
 * A library call failed with @rc and the sentence in @e: print it as the
 * command's error (ui_error) and return cli_exit_code(@rc, @self != NULL).
 * @self: the command whose words the call checked (a usage error then
 * shows its synopsis too), or NULL.
 */
int cli_fail(struct hwf_cli *cli, const struct hwf_command *self, int rc, const struct hwf_err *e);

/* Print "hwflash: <message>" and the command's synopsis; returns 2. */
int cli_usage(struct hwf_cli *cli, const struct hwf_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A slot as the user typed it: "a".."z", "_a".."_z" (the device's suffix
 * spelling, taken as the letter), "other", and "all" when @allow_all.
 * Returns the normalised word (a pointer into @v or a literal), or NULL.
 */
const char *cli_slot_word(const char *v, int allow_all);

/* One option a command takes. */
struct cli_opt {
	const char *name;	/* long name without the dashes: "member" */
	char short_name;	/* 'o' for -o, or 0 */
	int has_value;		/* --name VALUE, --name=VALUE, -o VALUE, -oVALUE */
	int id;			/* handed to the callback */
};

/* Called for each option found: 0, or a usage error (cli_usage's return). */
typedef int (*cli_opt_fn)(void *ctx, int id, const char *value);

/*
 * The one option parser of the commands: walks argv[1..*argc) of @self's
 * command.  Options in @opts (a table ended by a NULL name; NULL for none)
 * go to @on in the order given; "--" ends the options; everything else is
 * an operand, moved in order to argv[1..] with *argc updated (argv[0], the
 * command word, stays).  An unknown option, a missing value or a value
 * given to a flag is a usage error naming the option.  Returns 0 or
 * HWF_EXIT_USAGE (or what @on returned).
 */
int cli_parse(struct hwf_cli *cli, const struct hwf_command *self, const struct cli_opt *opts,
	      int *argc, char **argv, cli_opt_fn on, void *ctx);

/*
 * AOSP's options (host/cli_aosp.c), taken anywhere on the line as the
 * global ones are.  cli_aosp_init: their defaults.  cli_aosp_option: argv[*i]
 * is one of them (or one hwflash names as unsupported): -1 when not, 0 when
 * taken (*i moved past its value), HWF_EXIT_USAGE after a usage error.
 * cli_aosp_takes_value: 1 when @a takes the next word.  cli_aosp_command:
 * a command word AOSP has and hwflash does not (one line, HWF_EXIT_USAGE),
 * else 0.  cli_aosp_check: the options against the command @name (NULL: no
 * command): a note for one without effect, HWF_EXIT_USAGE for one that
 * cannot apply.
 */
void cli_aosp_init(struct hwf_cli *cli);
int cli_aosp_option(struct hwf_cli *cli, int argc, char **argv, int *i);
int cli_aosp_takes_value(const char *a);
int cli_aosp_command(struct hwf_cli *cli, const char *word);
int cli_aosp_check(struct hwf_cli *cli, const char *name);

/* Smallest -S: a sparse piece needs its headers and at least one 4 KiB block. */
#define CLI_MIN_SPARSE_LIMIT (64u << 10)

/* Parse "16M", "512K", "1G", "0x1000", "4096" into bytes; -1 on error. */
int cli_parse_size(const char *s, uint64_t *out);

/*
 * The run function of a group (app, image, dload): argv[0] is the group,
 * argv[1] the subcommand, looked up in @self->subs.
 */
int cli_run_group(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);

/*
 * Command groups and commands, one file each (host/cmd_<group>.c).  Each
 * file adds its entries to the table in host/main.c.
 */
extern const struct hwf_command hwf_app_commands[];
/* app flash (host/cmd_appflash.c) */
int app_flash(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
/*
 * app list | check | extract | flash of a HarmonyOS update.bin (host/cmd_ubin.c) that
 * hwf_pkg_open_any() opened (pkg->ubin); returns the exit status.  @dir, @argc and
 * @argv: extract's folder and NAMEs.
 */
enum ubin_what { UBIN_LIST, UBIN_CHECK, UBIN_EXTRACT, UBIN_FLASH };
struct hwf_pkg;
struct hwf_app;
int ubin_command(struct hwf_cli *cli, enum ubin_what what, struct hwf_pkg *pkg, const char *dir,
		 int argc, char **argv);
/* app list | check: a download's packages, text and JSON; a skipped inner zip (host/cmd_download.c) */
struct hwf_download;
void app_show_download(struct hwf_cli *cli, const struct hwf_download *dl);
void app_warn_skipped(struct hwf_cli *cli, const struct hwf_download *dl);
void app_json_download(struct hwf_cli *cli, const struct hwf_download *dl);
/* app list: same-name entries shown as one partition with its pieces (host/cmd_pieces.c). */
void app_list_pieces(struct hwf_cli *cli, struct hwf_app *app);
/* app replace | remove (host/cmd_appedit.c) */
int app_replace(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
int app_remove(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
/*
 * For app list / check / extract (host/cmd_appedit.c): --raw's listing,
 * --profile checked (a usage error naming the profiles) and applied, the
 * profile said in the listing ("names by sequence id: ..."), in JSON
 * ("profile": {...} or null), and beside a legacy entry's id.
 */
struct hwf_app_entry;
int app_list_raw(struct hwf_cli *cli, struct hwf_pkg *pkg);
int app_profile_check(struct hwf_cli *cli, const struct hwf_command *self, const char *name);
void app_profile_use(struct hwf_cli *cli, struct hwf_pkg *pkg, const char *name);
void app_profile_line(struct hwf_cli *cli, struct hwf_app *app);
void app_profile_json(struct hwf_cli *cli, struct hwf_app *app);
void app_seq_note(struct hwf_app *app, const struct hwf_app_entry *en, char *buf, size_t len);
/* update ZIP (host/cmd_update.c), in the fastboot table */
int fb_update(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
/* host/cmd_info.c: the device check before flashing. */
int fb_info(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
int fb_flashall(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
extern const struct hwf_command hwf_image_commands[];
/* image sign | vbmeta (host/cmd_imgsign.c) */
int image_sign(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
int image_vbmeta(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
/* dload prepare | check (host/cmd_dload.c, over formats/dload) */
extern const struct hwf_command hwf_dload_commands[];
/* The fastboot commands are top-level (AOSP spelling): host/cmd_fastboot.c. */
extern const struct hwf_command hwf_fastboot_commands[];
/* boot, flash:raw, stage, get_staged, gsi (host/cmd_aosp.c) */
int fb_boot(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
int fb_flash_raw(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
int fb_stage(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
int fb_get_staged(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
int fb_gsi(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
/* "hwflash -w" alone: erase userdata (and cache). */
int cmd_wipe(struct hwf_cli *cli);

/*
 * Several devices (-s A -s B ..., --all): host/multi.c.  multi_applies()
 * tells whether the command (argv[0], argc >= 0) talks to a device.
 * multi_run() makes one child per device (host/multi_fork.c: fork(); in a
 * child it returns 0 with *is_child set and @cli narrowed to that device,
 * and the caller runs the command as usual; win/multi_win.c: hwflash.exe
 * started anew, *is_child always 0); in the parent it returns when every
 * device is done, with the exit code (1 if any failed) after the summary
 * table.
 */
int multi_applies(const struct hwf_cli *cli, int argc, char **argv);
int multi_run(struct hwf_cli *cli, int *is_child);

#endif
