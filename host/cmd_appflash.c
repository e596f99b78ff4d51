// SPDX-License-Identifier: MIT
/*
 * hwflash app flash FILE [NAME...]: restore partitions straight out of an
 * UPDATE.APP (or the one inside a firmware .zip) over fastboot.
 *
 * Order of work, so that a bad package never sends a byte:
 *   1. plan: entries -> partitions, order (formats/appplan);
 *   2. verify: header and block CRCs of every selected entry (and the CRC
 *      entry when everything is selected), the image check of every entry
 *      for its partition (the flash engine's gate);
 *   3. ask the device: every target partition must exist there
 *      (hwf_flash_plan);
 *   4. only then download and flash, entry by entry, in sparse pieces when
 *      an entry is larger than max-download-size (hwf_flash_image).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/app/appplan.h"
#include "formats/app/pkg.h"
#include "host/cli.h"
#include "host/fbsession.h"
#include "protocol/flash.h"

#define MAX_MAPS 32

struct result {
	uint64_t bytes;
	double secs;
	const char *state;	/* "OK", "FAILED", "not sent" */
};

struct flash_opts {
	struct hwf_cli *cli;
	const struct hwf_command *self;
	const char **member;
	int *dry_run;
	struct hwf_plan_map *maps;
	size_t *nmaps;
};

enum { OPT_MEMBER, OPT_DRY, OPT_MAP };

static int on_opt(void *ctx, int id, const char *v)
{
	struct flash_opts *f = ctx;
	char *eq;

	switch (id) {
	case OPT_MEMBER:
		*f->member = v;
		break;
	case OPT_DRY:
		*f->dry_run = 1;
		break;
	case OPT_MAP:
		eq = strchr(v, '=');
		if (!eq || eq == v || !eq[1] || *f->nmaps >= MAX_MAPS)
			return cli_usage(f->cli, f->self, "--map wants NAME=PARTITION (at most %d)",
					 MAX_MAPS);
		*eq = '\0';
		f->maps[*f->nmaps].entry = v;
		f->maps[*f->nmaps].partition = eq + 1;
		(*f->nmaps)++;
		break;
	}
	return 0;
}

/* Options; then argv[1] is FILE and argv[2..*argc) the entry names. */
static int parse(struct hwf_cli *cli, const struct hwf_command *c, int *argc, char **argv,
		 const char **member, int *dry_run, struct hwf_plan_map *maps, size_t *nmaps)
{
	static const struct cli_opt opts[] = {
		{ "member", 0, 1, OPT_MEMBER },
		{ "dry-run", 0, 0, OPT_DRY },
		{ "map", 0, 1, OPT_MAP },
		{ NULL, 0, 0, 0 },
	};
	struct flash_opts f = { cli, c, member, dry_run, maps, nmaps };
	int rc = cli_parse(cli, c, opts, argc, argv, on_opt, &f);

	if (rc)
		return rc;
	if (*argc < 2)
		return cli_usage(cli, c, "app flash needs FILE");
	return 0;
}

/*
 * Step 2: every selected entry's CRCs, then the image check of every
 * selected entry for its partition (a piece of a split SUPER is a sparse
 * image of its own and is checked as one).  The CRC pass reads every byte;
 * the image check reads headers (a sparse entry: its chunk headers), except
 * for boot images, whose SHA-1 id and AVB digest read them once more.
 */
static int verify(struct hwf_cli *cli, struct hwf_pkg *pkg, const struct hwf_plan_step *st,
		  size_t nst, int all)
{
	size_t n = hwf_app_count(pkg->app);
	unsigned char *sel = calloc(n ? n : 1, 1);
	struct hwf_err e = { 0 };
	struct hwf_app_check res;
	int rc, bad = 0;

	if (!sel) {
		ui_error(&cli->ui, "out of memory");
		return HWF_EXIT_FAIL;
	}
	for (size_t i = 0; i < nst; i++)
		for (unsigned k = 0; k < (st[i].njoin ? st[i].njoin : 1); k++)
			sel[st[i].njoin ? st[i].join[k] : st[i].entry] = 1;
	ui_progress_begin(&cli->ui, "verifying");
	rc = hwf_app_verify(pkg->app, all ? NULL : sel, 0, &res, ui_progress_cb, &cli->ui, &e);
	ui_progress_end(&cli->ui);
	if (rc) {
		free(sel);
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct hwf_app_entry_check *r = &res.entries[i];

		if (sel[i] && !hwf_app_entry_ok(r)) {
			ui_error(&cli->ui, "%s: entry %s: %s", pkg->label,
				 hwf_app_entry(pkg->app, i)->name, r->msg);
			bad = 1;
		}
	}
	if (!bad && res.crc_entry_ok == 0) {
		ui_error(&cli->ui, "%s: %s", pkg->label, res.crc_entry_msg);
		bad = 1;
	}
	hwf_app_check_free(&res);
	free(sel);
	if (bad) {
		ui_error(&cli->ui, "%s: nothing was sent to the device", pkg->label);
		return HWF_EXIT_FAIL;
	}
	for (size_t i = 0; i < nst; i++) {
		const struct hwf_app_entry *en = hwf_app_entry(pkg->app, st[i].entry);
		struct hwf_source *src;
		char label[1200];

		if (hwf_plan_step_source(pkg->app, &st[i], &src, &e)) {
			ui_error(&cli->ui, "%s", e.msg);
			return HWF_EXIT_FAIL;
		}
		snprintf(label, sizeof(label), "%s:%s", pkg->label, en->name);
		if (fbs_gate(cli, src, st[i].partition, label, NULL))
			bad = 1;	/* go on: name every bad entry at once */
		hwf_source_close(src);
	}
	return bad ? HWF_EXIT_FAIL : 0;
}

/*
 * The plan (@res NULL) or the summary.  --json: one document; @error set
 * (a failed flash) adds "ok": false and "error" to it; @s (may be NULL) the
 * session's read-back (--verify).
 */
static void print_plan(struct hwf_cli *cli, struct hwf_pkg *pkg, const struct hwf_plan_step *st,
		       size_t nst, const struct result *res, int dry, const char *error,
		       struct fb_session *s)
{
	int we = 16, wp = 16;

	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "package", pkg->label);
		if (error) {
			json_kv_bool(&cli->ui, "ok", 0);
			json_kv_str(&cli->ui, "error", error);
		}
		json_kv_bool(&cli->ui, "dry_run", dry);
		json_key(&cli->ui, "steps");
		json_begin_array(&cli->ui);
		for (size_t i = 0; i < nst; i++) {
			const struct hwf_app_entry *en = hwf_app_entry(pkg->app, st[i].entry);

			json_begin_object(&cli->ui);
			json_kv_uint(&cli->ui, "order", i + 1);
			json_kv_str(&cli->ui, "entry", en->name);
			json_kv_str(&cli->ui, "partition", st[i].partition);
			json_kv_uint(&cli->ui, "size", hwf_plan_step_size(pkg->app, &st[i]));
			json_kv_uint(&cli->ui, "raw_pieces", st[i].njoin);
			if (res) {
				json_kv_str(&cli->ui, "state", res[i].state);
				json_key(&cli->ui, "seconds");
				json_double(&cli->ui, res[i].secs);
			}
			json_end_object(&cli->ui);
		}
		json_end_array(&cli->ui);
		if (s)
			fbs_readback_json(s);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
		return;
	}
	/* Columns as wide as the longest name: long names must not shift the rest. */
	for (size_t i = 0; i < nst; i++) {
		int le = (int)strlen(hwf_app_entry(pkg->app, st[i].entry)->name);
		int lp = (int)strlen(st[i].partition);

		we = le > we ? le : we;
		wp = lp > wp ? lp : wp;
	}
	ui_info(&cli->ui, "%s%s\n", res ? "Summary of " : "Plan for ", pkg->label);
	ui_info(&cli->ui, "  %-3s %-*s %-*s %12s%s\n", "#", we, "ENTRY", wp, "PARTITION", "BYTES",
		res ? "      TIME  RESULT" : "");
	for (size_t i = 0; i < nst; i++) {
		const struct hwf_app_entry *en = hwf_app_entry(pkg->app, st[i].entry);

		if (res)
			ui_info(&cli->ui, "  %-3zu %-*s %-*s %12llu %8.2fs  %s\n", i + 1, we,
				en->name, wp, st[i].partition,
				(unsigned long long)hwf_plan_step_size(pkg->app, &st[i]), res[i].secs,
				res[i].state);
		else
			ui_info(&cli->ui, "  %-3zu %-*s %-*s %12llu%s\n", i + 1, we, en->name, wp,
				st[i].partition,
				(unsigned long long)hwf_plan_step_size(pkg->app, &st[i]),
				st[i].njoin > 1 ? "  (raw pieces joined)" : "");
	}
}

int app_flash(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_plan_map maps[MAX_MAPS];
	struct hwf_plan_step *st = NULL, *rst = NULL;
	struct result *res = NULL;
	struct hwf_err e = { 0 };
	const char *member = NULL;
	struct fb_session s;
	struct hwf_pkg pkg;
	size_t nmaps = 0, nst = 0, nrst = 0;
	int dry = 0, sent = 0, rc;

	rc = parse(cli, self, &argc, argv, &member, &dry, maps, &nmaps);
	if (rc)
		return rc;
	if (hwf_pkg_open_any(&pkg, argv[1], member, 1, NULL, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	if (pkg.ubin) { /* a HarmonyOS update.bin: refused in one sentence */
		rc = ubin_command(cli, UBIN_FLASH, &pkg, NULL, 0, NULL);
		hwf_pkg_close(&pkg);
		return rc;
	}
	if (hwf_plan_build(pkg.app, (const char *const *)argv + 2,
			   (size_t)(argc - 2), maps, nmaps, &st, &nst, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		rc = HWF_EXIT_FAIL;
		goto out;
	}
	if (!nst) {
		ui_error(&cli->ui, "%s: no entry to flash", pkg.label);
		rc = HWF_EXIT_FAIL;
		goto out;
	}
	/* Without a device the plan comes first; with one, once the device named the partitions. */
	if (dry && !cli->json && !cli->nserials)
		print_plan(cli, &pkg, st, nst, NULL, 1, NULL, NULL);
	rc = verify(cli, &pkg, st, nst, argc == 2);
	if (rc)
		goto out;
	ui_note(&cli->ui, "Verified %zu entr%s of %s: every block CRC matches", nst,
		nst == 1 ? "y" : "ies", pkg.label);
	if (dry) {
		/* With a device at hand, also check that it has the partitions. */
		if (cli->nserials) {
			rc = fbs_open(cli, &s);
			if (rc)
				goto out;
			s.json_own = 1;
			rc = fbs_exit(hwf_flash_plan(s.f, pkg.app, st, nst, &rst, &nrst, NULL));
			fbs_close(&s);
			if (!rc && !cli->json)
				print_plan(cli, &pkg, rst, nrst, NULL, 1, NULL, NULL);
		}
		/* A refusal leaves the document to main's failure fallback. */
		if (cli->json && !rc)
			print_plan(cli, &pkg, cli->nserials ? rst : st, cli->nserials ? nrst : nst, NULL,
				   1, NULL, NULL);
		if (!rc)
			ui_note(&cli->ui, "--dry-run: nothing was sent");
		goto out;
	}
	rc = fbs_open(cli, &s);
	if (rc)
		goto out;
	s.json_own = 1;
	/* A package for other hardware is the usual way to a brick. */
	hwf_flash_product_check(s.f, hwf_app_count(pkg.app) ? hwf_app_entry(pkg.app, 0)->hwid
							  : "");
	/* Slots and partitions settled with the device before the first download. */
	rc = fbs_exit(hwf_flash_plan(s.f, pkg.app, st, nst, &rst, &nrst, NULL));
	res = rc ? NULL : calloc(nrst ? nrst : 1, sizeof(*res));
	if (!rc && !res) {
		ui_error(&cli->ui, "out of memory");
		rc = HWF_EXIT_FAIL;
	}
	for (size_t i = 0; res && i < nrst; i++)
		res[i].state = "not sent";
	for (size_t i = 0; !rc && i < nrst; i++) {
		const struct hwf_app_entry *en = hwf_app_entry(pkg.app, rst[i].entry);
		struct hwf_source *src;
		char label[1200];
		double t0 = ui_now();

		if (hwf_plan_step_source(pkg.app, &rst[i], &src, &e)) {
			ui_error(&cli->ui, "%s", e.msg);
			rc = HWF_EXIT_FAIL;
			break;
		}
		sent = 1;
		snprintf(label, sizeof(label), "%s:%s", pkg.label, en->name);
		rc = fbs_exit(hwf_flash_image(s.f, src, rst[i].partition, label, NULL));
		hwf_source_close(src);
		res[i].bytes = hwf_plan_step_size(pkg.app, &rst[i]);
		res[i].secs = ui_now() - t0;
		res[i].state = rc ? "FAILED" : "OK";
	}
	if (res && sent)
		print_plan(cli, &pkg, rst, nrst, res, 0,
			   rc ? (cli->ui.error[0] ? cli->ui.error : "failed") : NULL, &s);
	rc = fbs_finish(&s, rc);
out:
	free(res);
	free(rst);
	free(st);
	if (pkg.dl)
		for (size_t l = 0; l < hwf_download_layers(pkg.dl); l++)
			fbs_inflate_report(cli, hwf_download_layer(pkg.dl, l));
	else
		fbs_inflate_report(cli, pkg.members);
	hwf_pkg_close(&pkg);
	return rc;
}
