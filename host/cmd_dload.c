// SPDX-License-Identifier: MIT
/*
 * hwflash dload prepare SOURCE TARGET | dload check TARGET: the command
 * line of the dload card engine (formats/dload).  Here the options are
 * parsed, the user is asked (a typed "yes" on a terminal, or --yes), the
 * engine's progress and events are shown, temporary files are registered
 * for Ctrl-C, and the results are printed (or written as JSON).  What is
 * checked, refused, written and verified is the engine's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/app/download.h"
#include "formats/dload/dload.h"
#include "host/cli.h"
#include "host/fbsession.h"

static int dload_prepare(struct hwf_cli *cli, const struct hwf_command *self, int argc,
			 char **argv);
static int dload_check(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);

const struct hwf_command hwf_dload_commands[] = {
    {"prepare", dload_prepare, "dload prepare SOURCE TARGET [--format] [--yes] [--force] [--json]",
     "Put a firmware package on an SD card for the forced dload update.\n"
     "SOURCE: an UPDATE.APP, a firmware .zip holding one, an update_sd*.zip, or a\n"
     "folder with a dload/ tree.  TARGET: the card's mounted folder (must be FAT32),\n"
     "or an image file / block device (with --format: a new MBR and FAT32).\n"
     "--format asks on a terminal and needs --yes off one; a target that holds\n"
     "no card (a firmware file, a zip, a boot or partition image...) is refused\n"
     "even then, unless --force.  A damaged FAT32 is refused without --format.\n"
     "Every package is verified first; every file is written under a temporary\n"
     "name, read back past the page cache and verified, and only then takes its\n"
     "place, so a failure leaves the card as it was.",
     NULL},
    {"check", dload_check, "dload check TARGET [--json]",
     "Say whether a phone would find a dload update on this card (a folder, an\n"
     "image or a device): FAT32 (every cluster chain, as fsck.fat), partition\n"
     "table, dload/ (and its usual misspellings), UPDATE.APP (or a zip still to\n"
     "unpack), every package CRC, free space.  Exit status 0 only when the card\n"
     "is right.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* --- the engine's callbacks: ctx is the struct hwf_cli --- */

static enum hwf_dload_answer ask(void *ctx, const char *question)
{
	struct hwf_cli *cli = ctx;
	char prompt[4096 + 512 + 32], answer[64];

	if (cli->yes)
		return HWF_DLOAD_YES;
	snprintf(prompt, sizeof(prompt), "%s Type yes to go on: ", question);
	if (ui_ask(&cli->ui, prompt, answer, sizeof(answer)))
		return HWF_DLOAD_CANNOT_ASK;
	return strcmp(answer, "yes") ? HWF_DLOAD_NO : HWF_DLOAD_YES;
}

static void event(void *ctx, enum hwf_dload_event kind, const char *text)
{
	struct hwf_cli *cli = ctx;

	if (kind == HWF_DLOAD_EV_WARNING)
		ui_warn(&cli->ui, "%s", text);
	else
		ui_note(&cli->ui, "%s", text);
}

static void progress_begin(void *ctx, const char *label)
{
	ui_progress_begin(&((struct hwf_cli *)ctx)->ui, label);
}

static void progress(void *ctx, uint64_t done, uint64_t total)
{
	ui_progress_update(&((struct hwf_cli *)ctx)->ui, done, total);
}

static void progress_end(void *ctx)
{
	ui_progress_end(&((struct hwf_cli *)ctx)->ui);
}

static int tmp_add(void *ctx, const char *path)
{
	return cleanup_add(&((struct hwf_cli *)ctx)->cleanup, path);
}

static void tmp_forget(void *ctx, const char *path)
{
	cleanup_forget(&((struct hwf_cli *)ctx)->cleanup, path);
}

static struct hwf_dload_cb callbacks(struct hwf_cli *cli)
{
	struct hwf_dload_cb cb = {
	    .ctx = cli,
	    .confirm = ask,
	    .event = event,
	    .progress_begin = progress_begin,
	    .progress = progress,
	    .progress_end = progress_end,
	    .tmp_add = tmp_add,
	    .tmp_forget = tmp_forget,
	};

	return cb;
}

/*
 * What TARGET is, for the usage errors: 0 with @kind, HWF_EXIT_USAGE for
 * something that is no card at all, HWF_EXIT_FAIL when it is not there
 * (@hint is added to that message).
 */
static int target_kind(struct hwf_cli *cli, const struct hwf_command *self, const char *target,
		       const char *hint, enum hwf_dload_target_kind *kind)
{
	struct hwf_err e = {0};
	int rc = hwf_dload_target_kind(target, kind, &e);

	if (rc == HWF_EUNSUPPORTED)
		return cli_usage(cli, self, "%s", e.msg);
	if (rc) {
		ui_error(&cli->ui, "%s%s", e.msg, hint);
		return HWF_EXIT_FAIL;
	}
	return 0;
}

/* --- dload prepare --- */

static void prepare_result(struct hwf_cli *cli, const struct hwf_dload_plan *p, const char *source,
			   const char *target, int format, double seconds)
{
	size_t n = hwf_dload_plan_count(p);

	if (!cli->json) {
		ui_info(
		    &cli->ui,
		    "%s is ready: dload/%s written, read back and verified (%.1fs).\n"
		    "Put the card in the phone, switch it off, hold Vol+ Vol- Power together.\n",
		    target, n == 1 ? hwf_dload_plan_item(p, 0)->rel : "*", seconds);
		return;
	}
	json_begin_object(&cli->ui);
	json_kv_str(&cli->ui, "command", "dload prepare");
	json_kv_bool(&cli->ui, "ok", 1);
	json_kv_str(&cli->ui, "source", source);
	json_kv_str(&cli->ui, "target", target);
	json_kv_bool(&cli->ui, "formatted", format);
	json_key(&cli->ui, "files");
	json_begin_array(&cli->ui);
	for (size_t i = 0; i < n; i++) {
		const struct hwf_dload_item *it = hwf_dload_plan_item(p, i);
		char rel[600];

		snprintf(rel, sizeof(rel), "dload/%s", it->rel);
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "path", rel);
		json_kv_uint(&cli->ui, "size", it->size);
		json_kv_bool(&cli->ui, "verified", 1);
		json_end_object(&cli->ui);
	}
	json_end_array(&cli->ui);
	json_key(&cli->ui, "seconds");
	json_double(&cli->ui, seconds);
	json_end_object(&cli->ui);
	json_done(&cli->ui);
}

static int on_format(void *ctx, int id, const char *v)
{
	(void)id;
	(void)v;
	*(int *)ctx = 1; /* --format, the only option of its own */
	return 0;
}

static int dload_prepare(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
	    {"format", 0, 0, 0},
	    {NULL, 0, 0, 0},
	};
	struct hwf_dload_cb cb = callbacks(cli);
	struct hwf_dload_opts o = {0, cli->force};
	enum hwf_dload_target_kind kind;
	struct hwf_dload_plan *p = NULL;
	struct hwf_err e = {0};
	const struct hwf_download *dl;
	double t0 = ui_now();
	int rc;

	rc = cli_parse(cli, self, opts, &argc, argv, on_format, &o.format);
	if (rc)
		return rc;
	if (argc != 3)
		return cli_usage(cli, self, "dload prepare takes SOURCE TARGET");
	rc = target_kind(cli, self, argv[2], " (give the card's folder, an image file or a device)",
			 &kind);
	if (rc)
		return rc;
	if (o.format && kind == HWF_DLOAD_FOLDER)
		return cli_usage(cli, self,
				 "--format takes an image file or a device, not a folder");
	if (hwf_dload_prepare(argv[1], argv[2], &o, &cb, &p, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	prepare_result(cli, p, argv[1], argv[2], o.format, ui_now() - t0);
	dl = hwf_dload_plan_download(p);
	for (size_t l = 0; dl && l < hwf_download_layers(dl); l++)
		fbs_inflate_report(cli, hwf_download_layer(dl, l));
	hwf_dload_plan_close(p);
	return HWF_EXIT_OK;
}

/* --- dload check --- */

static void check_result(struct hwf_cli *cli, const struct hwf_dload_report *r, const char *target)
{
	static const char *const mark[] = {"ok     ", "note   ", "PROBLEM"};
	const struct hwf_dload_finding *bad = hwf_dload_report_problem(r);

	if (!cli->json) {
		for (int i = 0; i < r->n; i++)
			ui_info(&cli->ui, "  %s %-10s %s\n", mark[r->f[i].level], r->f[i].check,
				r->f[i].text);
		ui_info(&cli->ui, "%s: %s\n", target,
			bad ? "a phone would NOT update from this card (see PROBLEM lines)"
			    : "a phone would find its update on this card");
		return;
	}
	json_begin_object(&cli->ui);
	json_kv_str(&cli->ui, "command", "dload check");
	json_kv_str(&cli->ui, "target", target);
	json_kv_bool(&cli->ui, "ok", !bad);
	json_key(&cli->ui, "error");
	if (bad)
		json_str(&cli->ui, bad->text);
	else
		json_null(&cli->ui);
	json_key(&cli->ui, "findings");
	json_begin_array(&cli->ui);
	for (int i = 0; i < r->n; i++) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "check", r->f[i].check);
		json_kv_str(&cli->ui, "level", hwf_dload_level_name(r->f[i].level));
		json_kv_str(&cli->ui, "text", r->f[i].text);
		json_end_object(&cli->ui);
	}
	json_end_array(&cli->ui);
	json_end_object(&cli->ui);
	json_done(&cli->ui);
}

static int dload_check(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_dload_cb cb = callbacks(cli);
	enum hwf_dload_target_kind kind;
	struct hwf_dload_report *r;
	struct hwf_err e = {0};
	int rc;

	rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);
	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, self,
				 "dload check takes one TARGET (folder, image or device)");
	rc = target_kind(cli, self, argv[1], "", &kind);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r) {
		ui_error(&cli->ui, "out of memory");
		return HWF_EXIT_FAIL;
	}
	if (hwf_dload_check(argv[1], &cb, r, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		free(r);
		return HWF_EXIT_FAIL;
	}
	check_result(cli, r, argv[1]);
	rc = hwf_dload_report_problem(r) ? HWF_EXIT_FAIL : HWF_EXIT_OK;
	free(r);
	return rc;
}
