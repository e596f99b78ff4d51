// SPDX-License-Identifier: MIT
/*
 * hwflash update ZIP and flashall: factory images (an update zip, Google's
 * outer factory zip, or $ANDROID_PRODUCT_OUT) flashed with AOSP's
 * semantics, planned before the first byte: every image is checked, its
 * place on the device settled (physical, logical, secondary, or not
 * flashed and why) and the plan printed; --dry-run stops there.  The
 * decisions are the engine's (protocol/update.h); this file reads the
 * options and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/core/zip.h"
#include "host/cli.h"
#include "host/fbsession.h"
#include "protocol/update.h"

struct upd_cmd {
	int skip_reboot, dry_run;
	struct hwf_upd_opts o;
	struct hwf_upd_input in;
	struct hwf_upd_plan plan;
};

enum { OPT_SKIP_REBOOT = 1, OPT_SKIP_SECONDARY, OPT_DRY_RUN };

static int on_opt(void *ctx, int id, const char *v)
{
	struct upd_cmd *u = ctx;

	(void)v;
	if (id == OPT_SKIP_REBOOT)
		u->skip_reboot = 1;
	else if (id == OPT_SKIP_SECONDARY)
		u->o.skip_secondary = 1;
	else
		u->dry_run = 1;
	return 0;
}

static const char *image_name(const struct upd_cmd *u, const struct hwf_upd_step *s)
{
	return s->image >= 0 ? u->in.fac->img[s->image].name : "";
}

static const char *op_name(enum hwf_upd_op op)
{
	static const char *const names[] = {"none",   "flash",	"update-super",
					    "resize", "reboot", "erase"};

	return names[op];
}

/* The plan as a table on stdout. */
static void print_plan(struct hwf_cli *cli, const struct upd_cmd *u)
{
	ui_info(&cli->ui, "Plan for %s (%zu images; nothing is sent before it is complete):\n",
		u->in.fac->label, u->in.fac->n);
	for (size_t i = 0; i < u->plan.n; i++) {
		const struct hwf_upd_step *s = &u->plan.step[i];
		char what[80];

		if (s->op == HWF_UPD_OP_RESIZE || s->op == HWF_UPD_OP_REBOOT ||
		    s->op == HWF_UPD_OP_ERASE)
			snprintf(what, sizeof(what), "%s", op_name(s->op));
		else
			snprintf(what, sizeof(what), "%s", hwf_upd_kind_name(s->kind));
		if (*s->reason)
			ui_info(&cli->ui, "  %-22s %-2s %-18s %-12s %s\n", image_name(u, s),
				s->image >= 0 && s->op != HWF_UPD_OP_NONE ? "->" : "",
				s->op == HWF_UPD_OP_NONE ? "-" : s->target, what, s->reason);
		else
			ui_info(&cli->ui, "  %-22s %-2s %-18s %s\n", image_name(u, s),
				s->image >= 0 && s->op != HWF_UPD_OP_NONE ? "->" : "",
				s->op == HWF_UPD_OP_NONE ? "-" : s->target, what);
	}
	if (u->dry_run)
		ui_info(&cli->ui, "--dry-run: nothing was sent.\n");
}

/* The plan in the --json result document. */
static void json_plan(void *ctx, struct hwf_ui *ui)
{
	const struct upd_cmd *u = ctx;

	json_kv_bool(ui, "dry_run", u->dry_run);
	json_kv_str(ui, "input", u->in.fac->label);
	json_kv_bool(ui, "fastboot_info", u->plan.from_fbinfo);
	json_key(ui, "plan");
	json_begin_array(ui);
	for (size_t i = 0; i < u->plan.n; i++) {
		const struct hwf_upd_step *s = &u->plan.step[i];

		json_begin_object(ui);
		json_key(ui, "image");
		if (s->image >= 0)
			json_str(ui, image_name(u, s));
		else
			json_null(ui);
		json_kv_str(ui, "op", op_name(s->op));
		json_kv_str(ui, "kind", hwf_upd_kind_name(s->kind));
		json_key(ui, "target");
		if (s->op != HWF_UPD_OP_NONE)
			json_str(ui, s->target);
		else
			json_null(ui);
		if (s->op == HWF_UPD_OP_FLASH)
			json_kv_uint(ui, "size", s->size);
		json_kv_str(ui, "reason", s->reason);
		json_end_object(ui);
	}
	json_end_array(ui);
}

/* Plan against the device, print, then (unless --dry-run) flash, -w, reboot. */
static int on_device(struct hwf_cli *cli, struct upd_cmd *u, int need_info)
{
	struct hwf_factory *fac = u->in.fac;
	struct fb_session s;
	char *info = NULL;
	int rc = fbs_open(cli, &s);

	if (rc)
		return rc;
	s.json_more = json_plan;
	s.json_more_ctx = u;
	s.no_wipe = u->dry_run;
	s.no_set_active = 1; /* update makes the flashed slot active itself */
	if (fac->android_info) {
		info = strdup(fac->android_info);
		if (!info || hwf_flash_android_info(s.f, fac->label, info, NULL))
			rc = HWF_EXIT_FAIL;
		free(info);
	} else if (need_info) {
		ui_error(&cli->ui, "%s: no android-info.txt: flashall needs it", fac->label);
		rc = HWF_EXIT_FAIL;
	}
	if (!rc)
		rc = fbs_exit(hwf_update_plan(s.f, &u->in, &u->o, &u->plan, NULL));
	if (!rc)
		print_plan(cli, u);
	if (!rc && !u->dry_run) {
		rc = fbs_exit(hwf_update_run(s.f, &u->in, &u->plan, &u->o, NULL));
		/* As AOSP's update: the flashed slot (or the current one) is made active. */
		if (!rc)
			rc = fbs_exit(hwf_flash_set_active_flashed(s.f, NULL));
		if (!rc && cli->wipe)
			rc = fbs_exit(hwf_flash_wipe(s.f, NULL));
		if (!rc && !u->skip_reboot)
			rc = fbs_exit(hwf_flash_command(s.f, "Rebooting", "reboot", NULL));
	}
	return fbs_finish(&s, rc);
}

/* Options, the input opened and checked, then on_device. */
static int run(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv,
	       const char *path, int flashall)
{
	static const struct cli_opt opts[] = {
	    {"skip-reboot", 0, 0, OPT_SKIP_REBOOT},
	    {"skip-secondary", 0, 0, OPT_SKIP_SECONDARY},
	    {"dry-run", 0, 0, OPT_DRY_RUN},
	    {NULL, 0, 0, 0},
	};
	struct upd_cmd *u = calloc(1, sizeof(*u));
	struct hwf_flash_cb cb;
	struct hwf_factory *fac = NULL;
	struct hwf_err e = {0};
	int rc;

	if (!u)
		return HWF_EXIT_FAIL;
	rc = cli_parse(cli, self, opts, &argc, argv, on_opt, u);
	if (!rc && flashall && argc > 1)
		rc = cli_usage(cli, self, "flashall takes no file, not '%s'", argv[1]);
	else if (!rc && !flashall && argc > 2)
		rc = cli_usage(cli, self, "update takes one ZIP, not '%s' too", argv[2]);
	else if (!rc && !flashall && argc < 2)
		rc = cli_usage(cli, self, "update needs ZIP");
	if (rc)
		goto out;
	if (!flashall)
		path = argv[1];
	u->o.wipe = cli->wipe;
	/* Given before the command, AOSP-style, they are the CLI's. */
	u->skip_reboot |= cli->aosp.skip_reboot;
	u->o.skip_secondary |= cli->aosp.skip_secondary;
	u->o.force = cli->force;
	rc = hwf_factory_open(&fac, path, &e);
	if (rc) {
		ui_error(&cli->ui, "%s", e.msg);
		rc = HWF_EXIT_FAIL;
		goto out;
	}
	fbs_cli_cb(cli, &cb);
	rc = hwf_update_check(fac, &u->o, &cb, &u->in, NULL) ? HWF_EXIT_FAIL : 0;
	if (!rc)
		rc = on_device(cli, u, flashall);
out:
	hwf_update_plan_free(&u->plan);
	hwf_update_input_free(&u->in);
	if (fac) {
		fbs_inflate_report(cli, hwf_factory_members(fac, 0));
		fbs_inflate_report(cli, hwf_factory_members(fac, 1));
	}
	hwf_factory_close(fac);
	free(u);
	return rc;
}

int fb_update(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_source *probe;
	struct hwf_err e = {0};

	/* A missing or unreadable file is said as such, not as "not a zip". */
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (hwf_source_open_file(&probe, argv[i], &e)) {
			ui_error(&cli->ui, "%s", e.msg);
			return HWF_EXIT_FAIL;
		}
		hwf_source_close(probe);
		if (!hwf_zip_sniff(argv[i])) {
			ui_error(&cli->ui,
				 "%s: not a zip file (update takes AOSP's update package or a "
				 "factory zip; an UPDATE.APP goes to 'hwflash app flash')",
				 argv[i]);
			return HWF_EXIT_FAIL;
		}
		break;
	}
	return run(cli, self, argc, argv, NULL, 0);
}

int fb_flashall(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	const char *out = getenv("ANDROID_PRODUCT_OUT");
	char info[4200];
	struct stat st;

	if (!out || !*out) {
		ui_error(&cli->ui, "flashall: $ANDROID_PRODUCT_OUT is not set (it names the folder "
				   "of a build's images; or give a zip to hwflash update)");
		return HWF_EXIT_FAIL;
	}
	snprintf(info, sizeof(info), "%s/android-info.txt", out);
	if (stat(out, &st) || !S_ISDIR(st.st_mode) || stat(info, &st)) {
		ui_error(&cli->ui,
			 "flashall: $ANDROID_PRODUCT_OUT (%s) holds no android-info.txt: "
			 "not a build's image folder",
			 out);
		return HWF_EXIT_FAIL;
	}
	return run(cli, self, argc, argv, out, 1);
}
