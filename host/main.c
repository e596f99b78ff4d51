// SPDX-License-Identifier: MIT
/* hwflash: argument parsing and dispatch.  The only place that exits. */
#include <ctype.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host/cli.h"
#include "host/multi.h"
#include "protocol/transport.h"

#ifndef HWF_VERSION
#define HWF_VERSION "0.0.0"
#endif

static int cmd_help(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);

static const struct hwf_command commands[] = {
	/* Keep this order: it is the order of 'hwflash --help'. */
	{ "app", cli_run_group, "app list|check|extract|pack ...",
	  "Huawei UPDATE.APP packages (or a firmware .zip holding one).", hwf_app_commands },
	{ "image", cli_run_group, "image info|check|unpack ...",
	  "What is this file, and is it whole and sound to flash?", hwf_image_commands },
	{ "dload", cli_run_group, "dload prepare|check ...",
	  "SD cards for the forced dload update (Vol+ Vol- Power).", hwf_dload_commands },
	{ "help", cmd_help, "help [COMMAND [SUBCOMMAND]]", "Show help for a command.", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* A top-level command: the groups and help, or a fastboot command. */
static const struct hwf_command *find_any(const char *name)
{
	const struct hwf_command *c = cli_find(commands, name);

	return c ? c : cli_find(hwf_fastboot_commands, name);
}

/* The usage text: on stdout when asked for (--help), on stderr after a mistake. */
static void print_usage(struct hwf_ui *ui, int to_stderr)
{
	ui_help(ui, to_stderr,
		"usage: hwflash [OPTIONS] COMMAND [ARGS...]\n"
		"\n"
		"Brings Huawei/Android devices back: verified fastboot flashing, UPDATE.APP\n"
		"packages, dload SD cards.  Nothing is written before it was verified.\n"
		"\n"
		"Commands:\n");
	for (const struct hwf_command *c = commands; c->name; c++) {
		if (!c->subs) {
			ui_help(ui, to_stderr, "  %s\n", c->synopsis);
			continue;
		}
		for (const struct hwf_command *s = c->subs; s->name; s++)
			ui_help(ui, to_stderr, "  %s\n", s->synopsis);
	}
	ui_help(ui, to_stderr, "\nfastboot (AOSP spelling):\n");
	for (const struct hwf_command *c = hwf_fastboot_commands; c->name; c++)
		ui_help(ui, to_stderr, "  %s\n", c->synopsis);
	ui_help(ui, to_stderr,
		"\n"
		"Options:\n"
		"  -s SERIAL|tcp:HOST[:PORT]|usb:PATH   device to use (also $ANDROID_SERIAL);\n"
		"                                      repeat, or --all, for several devices\n"
		"  --all         every fastboot device on USB, in parallel, with a summary\n"
		"  --wait[=S]    wait up to S seconds (default 30) for the device to appear\n"
		"  --json        machine-readable output on stdout\n"
		"  -v            more detail on stderr: each fastboot command and reply\n"
		"  --force       skip a safety check (it says what it skipped)\n"
		"  --yes         do not ask for confirmation\n"
		"  --slot SLOT   a, b, other or all: the slot of slotted partitions on A/B\n"
		"                devices (default: the current slot)\n"
		"  -S SIZE       split images into sparse pieces of at most SIZE (64K or more,\n"
		"                e.g. 256M)\n"
		"  -w            wipe userdata, cache and metadata (as AOSP's fastboot -w)\n"
		"  --verify      flash, app flash, update: read each written partition back\n"
		"                (fetch:, fastbootd) and compare it with what was sent\n"
		"  -a, --set-active[=SLOT]  make SLOT (default: the one flashed) active after\n"
		"                the command, before a reboot\n"
		"  --disable-verity, --disable-verification   flash: set those vbmeta flags in\n"
		"                the bytes sent (the file is never changed)\n"
		"  --cmdline, --base, --kernel-offset, --ramdisk-offset, --second-offset,\n"
		"  --tags-offset, --dtb-offset, --page-size, --header-version, --os-version,\n"
		"  --os-patch-level, --dtb FILE   the boot image built by boot and flash:raw\n"
		"  --skip-reboot, --skip-secondary   update and flashall; -u: no effect\n"
		"                (AOSP's options stand before or after the command)\n"
		"  --timeout S   seconds to wait for each device reply, and for a device\n"
		"                that reboots into fastbootd (default 30)\n"
		"  -h, --help    this text;  hwflash help COMMAND for one command\n"
		"  --version     print the version\n"
		"\n"
		"Exit status: 0 done, 1 the work failed (verification, device, I/O), 2 usage.\n");
}

static void print_command_help(struct hwf_ui *ui, const struct hwf_command *c)
{
	ui_help(ui, 0, "usage: hwflash %s\n\n%s\n", c->synopsis, c->help);
}

static int cmd_help(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	const struct hwf_command *c;

	if (argc < 2) {
		print_usage(&cli->ui, 0);
		return HWF_EXIT_OK;
	}
	if (argc > 3)
		return cli_usage(cli, self, "help takes COMMAND [SUBCOMMAND]");
	c = find_any(argv[1]);
	if (c && c->subs) {
		const struct hwf_command *s = argc >= 3 ? cli_find(c->subs, argv[2]) : NULL;

		if (s) {
			print_command_help(&cli->ui, s);
			return HWF_EXIT_OK;
		}
		if (argc == 3 && !s)
			return cli_usage(cli, NULL, "%s has no subcommand '%s' (hwflash help %s lists "
						    "them)",
					 c->name, argv[2], c->name);
		ui_help(&cli->ui, 0, "usage: hwflash %s SUBCOMMAND ...\n\n%s\n\n", c->name,
			c->help);
		for (s = c->subs; s->name; s++)
			ui_help(&cli->ui, 0, "  %s\n", s->synopsis);
		ui_help(&cli->ui, 0, "\nhwflash help %s SUBCOMMAND for details.\n", c->name);
		return HWF_EXIT_OK;
	}
	if (!c)
		return cli_usage(cli, NULL, "no command '%s' (hwflash --help lists them)", argv[1]);
	if (argc > 2)
		return cli_usage(cli, NULL, "%s has no subcommands: hwflash help %s", c->name,
				 c->name);
	print_command_help(&cli->ui, c);
	return HWF_EXIT_OK;
}

/* The global options that take the next word as their value. */
static int takes_value(const char *a)
{
	return !strcmp(a, "-s") || !strcmp(a, "--serial") || !strcmp(a, "--slot") ||
	       !strcmp(a, "-S") || !strcmp(a, "--timeout");
}

/* -s tcp:HOST:PORT is checked here, so that a bad port is a usage error (2). */
static int check_serial(struct hwf_cli *cli, const char *serial)
{
	struct hwf_err e = { 0 };

	if (!hwf_transport_check(serial, &e))
		return 0;
	return cli_usage(cli, NULL, "%s", e.msg);
}

/*
 * Global options may stand anywhere before "--"; they are taken out of
 * argv and the rest is handed to the command in order.
 */
static int parse_globals(struct hwf_cli *cli, int *argc, char **argv)
{
	int out = 1;
	int i;

	for (i = 1; i < *argc; i++) {
		char *a = argv[i];
		const char *val = NULL;
		int first = i;	/* where this option's words begin */

		if (!strcmp(a, "--")) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strcmp(a, "--json")) {
			cli->json = 1;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			cli->verbose++;
		} else if (!strcmp(a, "--force")) {
			cli->force = 1;
		} else if (!strcmp(a, "--yes") || !strcmp(a, "-y")) {
			cli->yes = 1;
		} else if (!strcmp(a, "-w")) {
			cli->wipe = 1;
		} else if (!strcmp(a, "--verify")) {
			cli->verify = 1;
		} else if (!strcmp(a, "--all")) {
			cli->all = 1;
			if (cli->given)
				cli->given[i] = NULL;
		} else if (!strcmp(a, "--wait")) {
			cli->wait = 30;
		} else if (!strncmp(a, "--wait=", 7)) {
			char *end;

			cli->wait = strtod(a + 7, &end);
			if (end == a + 7 || *end || !(cli->wait >= 0) || cli->wait > 86400)
				return cli_usage(cli, NULL, "%s: give seconds (e.g. --wait=30)", a);
		} else if (takes_value(a)) {
			/* The next word is the value, unless it is missing or another option. */
			if (i + 1 >= *argc || (argv[i + 1][0] == '-' && argv[i + 1][1]))
				return cli_usage(cli, NULL, "%s needs a value%s%s%s", a,
						 i + 1 < *argc ? ", not '" : "",
						 i + 1 < *argc ? argv[i + 1] : "",
						 i + 1 < *argc ? "'" : "");
			val = argv[++i];
		} else if (!strncmp(a, "-s", 2) && a[2] && a[1] != '-') {
			val = a + 2;
			a = "-s";
		} else if (!strncmp(a, "--serial=", 9)) {
			val = a + 9;
			a = "-s";
		} else if (!strncmp(a, "--timeout=", 10)) {
			val = a + 10;
			a = "--timeout";
		} else if (!strncmp(a, "--slot=", 7)) {
			val = a + 7;
			a = "--slot";
		} else {
			int rc = cli_aosp_option(cli, *argc, argv, &i);

			if (rc > 0)
				return rc;
			if (rc < 0)
				argv[out++] = a;
			continue;
		}
		if (!val)
			continue;
		if (!*val)
			return cli_usage(cli, NULL, "%s needs a value, not an empty word", a);
		if (!strcmp(a, "-s") || !strcmp(a, "--serial")) {
			if (cli->nserials >= HWF_MAX_SERIALS)
				return cli_usage(cli, NULL, "too many -s options (at most %d)",
						 HWF_MAX_SERIALS);
			if (check_serial(cli, val))
				return HWF_EXIT_USAGE;
			cli->serials[cli->nserials++] = val;
			for (int k = first; cli->given && k <= i; k++)
				cli->given[k] = NULL;
		} else if (!strcmp(a, "--slot")) {
			cli->slot = cli_slot_word(val, 1);
			if (!cli->slot && val[0] == '_' && cli_slot_word(val + 1, 0))
				return cli_usage(cli, NULL, "--slot %s: slots are named without the "
							    "underscore (as AOSP fastboot): --slot %s",
						 val, val + 1);
			if (!cli->slot)
				return cli_usage(cli, NULL, "--slot %s: give a slot letter (a, b), other "
							    "or all",
						 val);
		} else if (!strcmp(a, "-S")) {
			if (cli_parse_size(val, &cli->sparse_limit) || !cli->sparse_limit)
				return cli_usage(cli, NULL, "-S %s: not a size (e.g. 256M)", val);
			if (cli->sparse_limit < CLI_MIN_SPARSE_LIMIT)
				return cli_usage(cli, NULL, "-S %s: too small; a sparse piece needs "
							    "at least 64K (e.g. -S 256M)",
						 val);
		} else if (!strcmp(a, "--timeout")) {
			char *end;
			double t = strtod(val, &end);

			if (*end || !(t > 0) || t > 86400)
				return cli_usage(cli, NULL, "--timeout %s: give seconds (e.g. 30)", val);
			cli->timeout_ms = (int)(t * 1000);
		}
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

static int run(struct hwf_cli *cli, int argc, char **argv);

int main(int argc, char **argv)
{
	struct hwf_cli cli;
	const char *child;
	int rc;

	memset(&cli, 0, sizeof(cli));
	cli.wait = -1;
	cli_aosp_init(&cli);
	/* --json is known before anything can fail, so that a usage error is JSON too. */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			cli.json = 1;
	ui_init(&cli.ui, cli.json, 0);
	/* A child of a parallel run started anew (host/multi.h): its parent's progress bars. */
	child = getenv(MULTI_CHILD_ENV);
	if (child && *child)
		cli.ui.progress = atoi(child) != 0;
	/* parse_globals() takes the device selections out of this copy. */
	cli.given = calloc((size_t)argc + 1, sizeof(*cli.given));
	if (cli.given) {
		memcpy(cli.given, argv, (size_t)argc * sizeof(*argv));
		cli.ngiven = argc;
	}
	rc = run(&cli, argc, argv);
	cleanup_stop(&cli.cleanup);
	if (rc)
		ui_json_failure(&cli.ui, cli.command ? cli.command : "", rc);
	fflush(stdout);
	free(cli.given);
	return rc;
}

static int run(struct hwf_cli *cli, int argc, char **argv)
{
	const struct hwf_command *c;
	const char *env;
	int rc;

	/* A file size limit (ulimit -f) then fails a write with EFBIG, which we report. */
	signal(SIGXFSZ, SIG_IGN);
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--version")) {
			ui_help(&cli->ui, 0, "hwflash %s\n", HWF_VERSION);
			return HWF_EXIT_OK;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			/* "hwflash app check --help" is help for that command. */
			if (i > 1) {
				char *words[4] = { "help", NULL, NULL, NULL };
				int n = 1;

				for (int k = 1; k < i && n < 3; k++) {
					const struct hwf_command *g;

					if (takes_value(argv[k]) || cli_aosp_takes_value(argv[k])) {
						k++;	/* -s SERIAL: not a command word */
						continue;
					}
					if (argv[k][0] == '-')
						continue;
					/* A subcommand word only after a group (app, image ...). */
					if (n == 2 && (!(g = find_any(words[1])) || !g->subs))
						break;
					words[n++] = argv[k];
				}
				return cmd_help(cli, cli_find(commands, "help"), n, words);
			}
			print_usage(&cli->ui, 0);
			return HWF_EXIT_OK;
		}
	}
	rc = parse_globals(cli, &argc, argv);
	if (rc)
		return rc;
	env = getenv("ANDROID_SERIAL");
	if (!cli->nserials && env && *env) {
		if (check_serial(cli, env))
			return HWF_EXIT_USAGE;
		cli->serials[cli->nserials++] = env;
	}
	cli->ui.verbose = cli->verbose;
	if (multi_applies(cli, argc - 1, argv + 1)) {
		int child;

		/* Several devices: the parent returns when all are done. */
		rc = multi_run(cli, &child);
		if (!child)
			return rc;
	}
	/* "app flash" talks to a device; the other app commands do not. */
	if (argc > 2 && !strcmp(argv[1], "app") && !strcmp(argv[2], "flash"))
		rc = cli_aosp_check(cli, "app flash");
	else if (argc > 2 && !strcmp(argv[1], "image") && !strcmp(argv[2], "vbmeta"))
		rc = cli_aosp_check(cli, "image vbmeta"); /* it takes --disable-verity */
	else
		rc = cli_aosp_check(cli, argc < 2 ? NULL : argv[1]);
	if (rc)
		return rc;
	/* "hwflash -w", "hwflash --set-active=b": only that. */
	if (argc < 2 && (cli->wipe || cli->aosp.set_active))
		return cmd_wipe(cli);
	if (argc < 2) {
		print_usage(&cli->ui, 1);
		return HWF_EXIT_USAGE;
	}
	c = find_any(argv[1]);
	if (!c && cli_aosp_command(cli, argv[1]))
		return HWF_EXIT_USAGE;
	if (!c)
		return cli_usage(cli, NULL, "unknown command '%s' (hwflash --help lists them)",
				 argv[1]);
	cli->command = argv[1];
	/* After multi_run's fork: every process that may make a temporary file watches. */
	if (cleanup_start(&cli->cleanup))
		ui_warn(&cli->ui, "cannot watch for Ctrl-C: an interruption may leave a .partial file");
	return c->run(cli, c, argc - 1, argv + 1);
}
