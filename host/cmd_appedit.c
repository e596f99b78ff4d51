// SPDX-License-Identifier: MIT
/* hwflash app replace | remove (formats/app/appedit.h) */
#include <stdlib.h>
#include <string.h>

#include "formats/app/appedit.h"
#include "formats/app/pkg.h"
#include "host/cli.h"

struct edit_opts {
	const char *member, *out;
};

enum { OPT_MEMBER, OPT_OUT };

static const struct cli_opt edit_opts[] = {
    {"member", 0, 1, OPT_MEMBER},
    {"output", 'o', 1, OPT_OUT},
    {NULL, 0, 0, 0},
};

static int on_opt(void *ctx, int id, const char *v)
{
	struct edit_opts *o = ctx;

	if (id == OPT_MEMBER)
		o->member = v;
	else
		o->out = v;
	return 0;
}

struct edit_ui {
	struct hwf_cli *cli;
	char sig[8][HWF_ERR_MSG_MAX + 200]; /* for --json */
	size_t nsig;
};

static void on_edit(void *ctx, const struct hwf_edit_event *ev)
{
	struct edit_ui *x = ctx;
	struct hwf_ui *ui = &x->cli->ui;

	switch (ev->kind) {
	case HWF_EEV_STEP: ui_progress_begin(ui, ev->msg); break;
	case HWF_EEV_STEP_END: ui_progress_end(ui); break;
	case HWF_EEV_WARN: ui_warn(ui, "%s", ev->msg); break;
	case HWF_EEV_SIGNATURE:
		ui_warn(ui, "%s", ev->msg);
		if (x->nsig < sizeof(x->sig) / sizeof(x->sig[0]))
			snprintf(x->sig[x->nsig++], sizeof(x->sig[0]), "%s", ev->msg);
		break;
	}
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct edit_ui *x = ctx;

	ui_progress_update(&x->cli->ui, done, total);
}

static void report(struct hwf_cli *cli, struct edit_ui *x, const char *from, const char *out,
		   const struct hwf_edit_result *res)
{
	static const char *const crc_word[] = {"none", "kept as stored", "recomputed"};
	char sz[32];

	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", out);
		json_kv_str(&cli->ui, "from", from);
		json_kv_uint(&cli->ui, "size", res->size);
		json_kv_uint(&cli->ui, "entries", res->entries);
		json_kv_uint(&cli->ui, "replaced", res->replaced);
		json_kv_uint(&cli->ui, "removed", res->removed);
		json_kv_str(&cli->ui, "crc_entry", crc_word[res->crc_entry + 1]);
		json_kv_bool(&cli->ui, "signature_matches", res->signatures == 0);
		json_key(&cli->ui, "warnings");
		json_begin_array(&cli->ui);
		for (size_t i = 0; i < x->nsig; i++)
			json_str(&cli->ui, x->sig[i]);
		json_end_array(&cli->ui);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
		return;
	}
	ui_size(res->size, sz, sizeof(sz));
	ui_info(&cli->ui,
		"Wrote %s (%s, %zu entr%s: %zu replaced, %zu removed; CRC entry %s), "
		"verified.\n",
		out, sz, res->entries, res->entries == 1 ? "y" : "ies", res->replaced, res->removed,
		crc_word[res->crc_entry + 1]);
}

/* app replace PKG NAME=FILE... -o OUT, app remove PKG NAME... -o OUT */
static int edit(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv,
		int replace)
{
	struct hwf_edit_result res;
	struct hwf_edit_opts eo = {0};
	struct hwf_file_hooks hooks;
	struct hwf_edit_op *ops = NULL;
	struct hwf_err e = {0};
	struct edit_opts o = {0};
	struct edit_ui *x = NULL;
	struct hwf_pkg pkg;
	size_t n = 0;
	int rc = cli_parse(cli, self, edit_opts, &argc, argv, on_opt, &o);

	if (rc)
		return rc;
	if (!o.out)
		return cli_usage(cli, self, "app %s needs -o OUT", replace ? "replace" : "remove");
	if (argc < 3)
		return cli_usage(cli, self, "app %s needs a PKG and at least one %s",
				 replace ? "replace" : "remove", replace ? "NAME=FILE" : "NAME");
	ops = calloc((size_t)argc, sizeof(*ops));
	x = calloc(1, sizeof(*x));
	if (!ops || !x) {
		free(ops);
		free(x);
		return cli_fail(cli, NULL, hwf_err_set(&e, HWF_ENOMEM, "out of memory"), &e);
	}
	for (int a = 2; a < argc; a++, n++) {
		char *eq = replace ? strchr(argv[a], '=') : NULL;

		if (replace && (!eq || eq == argv[a] || !eq[1])) {
			rc = cli_usage(cli, self, "'%s' is not NAME=FILE", argv[a]);
			goto out;
		}
		if (eq)
			*eq = '\0';
		ops[n].name = argv[a];
		ops[n].path = eq ? eq + 1 : NULL;
	}
	rc = hwf_pkg_open_once(&pkg, argv[1], o.member, NULL, &e);
	if (rc) {
		rc = cli_fail(cli, NULL, rc, &e);
		goto out;
	}
	if (pkg.others[0])
		ui_warn(&cli->ui, "%s also holds %s (pick one with --member)", argv[1], pkg.others);
	for (size_t i = 0; i < hwf_app_warning_count(pkg.app); i++)
		ui_warn(&cli->ui, "%s: %s", pkg.label, hwf_app_warning(pkg.app, i));
	x->cli = cli;
	cleanup_file_hooks(&cli->cleanup, &hooks);
	eo.out = o.out;
	eo.label = pkg.label;
	eo.force = cli->force;
	eo.files = &hooks;
	eo.event = on_edit;
	eo.progress = on_progress;
	eo.ctx = x;
	rc = hwf_edit_run(pkg.app, ops, n, &eo, &res, &e);
	if (rc)
		rc = cli_fail(cli, NULL, rc, &e);
	else
		report(cli, x, pkg.label, o.out, &res);
	hwf_pkg_close(&pkg);
out:
	free(ops);
	free(x);
	return rc;
}

int app_replace(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	return edit(cli, self, argc, argv, 1);
}

int app_remove(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	return edit(cli, self, argc, argv, 0);
}
