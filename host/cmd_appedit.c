// SPDX-License-Identifier: MIT
/*
 * hwflash app replace | remove (formats/app/appedit.h); app list --raw and
 * the sequence-id profiles (formats/app/appprofiles.h) for list, check and
 * extract.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/app/appedit.h"
#include "formats/app/appprofiles.h"
#include "formats/core/bytes.h"
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

/* --- app list --raw, and the sequence-id profiles in list / check / extract --- */

static void hex(const uint8_t *p, size_t n, char *buf)
{
	for (size_t i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", p[i]);
	buf[2 * n] = '\0';
}

/* A text field up to its first NUL or 0xFF (padding), anything unprintable as \xHH. */
static void text(const uint8_t *p, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && p[i] && p[i] != 0xff && o + 5 < len; i++)
		o += (size_t)(p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\'
				  ? snprintf(buf + o, len - o, "%c", p[i])
				  : snprintf(buf + o, len - o, "\\x%02x", p[i]));
	buf[o] = '\0';
}

static uint32_t field_value(const struct hwf_app_field *f, const uint8_t *h)
{
	return f->type == HWF_FIELD_U32 ? get_le32(h + f->off) : get_le16(h + f->off);
}

static void raw_json(struct hwf_cli *cli, const struct hwf_app_entry *en, const uint8_t *h)
{
	char hx[2 * HWF_APP_HDR_LEN + 1], tx[4 * 32 + 1];

	json_begin_object(&cli->ui);
	json_kv_uint(&cli->ui, "index", en->index);
	json_kv_str(&cli->ui, "name", en->name);
	json_kv_uint(&cli->ui, "header_offset", en->header_off);
	json_kv_uint(&cli->ui, "header_crc_stored", en->header_crc);
	json_kv_uint(&cli->ui, "header_crc_computed", en->header_crc_calc);
	json_kv_bool(&cli->ui, "header_crc_ok", en->header_crc == en->header_crc_calc);
	hex(h, HWF_APP_HDR_LEN, hx);
	json_kv_str(&cli->ui, "header_hex", hx);
	json_key(&cli->ui, "fields");
	json_begin_array(&cli->ui);
	for (size_t k = 0; k < hwf_app_nfields; k++) {
		const struct hwf_app_field *f = &hwf_app_fields[k];

		json_begin_object(&cli->ui);
		json_kv_uint(&cli->ui, "offset", f->off);
		json_kv_uint(&cli->ui, "length", f->len);
		json_kv_str(&cli->ui, "field", f->name);
		hex(h + f->off, f->len, hx);
		json_kv_str(&cli->ui, "hex", hx);
		json_key(&cli->ui, "value");
		if (f->type == HWF_FIELD_TEXT) {
			text(h + f->off, f->len, tx, sizeof(tx));
			json_str(&cli->ui, tx);
		} else if (f->type == HWF_FIELD_HEX) {
			json_str(&cli->ui, hx);
		} else {
			json_uint(&cli->ui, field_value(f, h));
		}
		json_end_object(&cli->ui);
	}
	json_end_array(&cli->ui);
	json_end_object(&cli->ui);
}

static void raw_text(struct hwf_cli *cli, const struct hwf_app_entry *en, const uint8_t *h)
{
	char hx[2 * 32 + 1], tx[4 * 32 + 3];

	ui_info(&cli->ui,
		"entry %u %s (%s): header at byte %llu, %u bytes with its table; header CRC "
		"0x%04X stored, 0x%04X computed: %s\n",
		en->index, en->name, hwf_app_kind_name(en->kind),
		(unsigned long long)en->header_off, en->header_len, en->header_crc,
		en->header_crc_calc, en->header_crc == en->header_crc_calc ? "matches" : "WRONG");
	for (size_t k = 0; k < hwf_app_nfields; k++) {
		const struct hwf_app_field *f = &hwf_app_fields[k];

		hex(h + f->off, f->len, hx);
		if (f->type == HWF_FIELD_TEXT) {
			tx[0] = '"';
			text(h + f->off, f->len, tx + 1, sizeof(tx) - 2);
			strcat(tx, "\"");
		} else if (f->type == HWF_FIELD_HEX) {
			tx[0] = '\0';
		} else {
			snprintf(tx, sizeof(tx), "%u (0x%0*X)", field_value(f, h), (int)f->len * 2,
				 field_value(f, h));
		}
		ui_info(&cli->ui, "  0x%02x %-10s %-64s %-24s %s\n", f->off, f->name, hx, tx,
			f->what);
	}
}

int app_list_raw(struct hwf_cli *cli, struct hwf_pkg *pkg)
{
	size_t n = hwf_app_count(pkg->app);
	uint8_t h[HWF_APP_HDR_LEN];
	struct hwf_err e = {0};
	int rc;

	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", pkg->label);
		json_kv_uint(&cli->ui, "size", hwf_source_size(pkg->src));
		json_kv_uint(&cli->ui, "first_entry", hwf_app_first_offset(pkg->app));
		json_key(&cli->ui, "entries");
		json_begin_array(&cli->ui);
	} else {
		ui_info(&cli->ui, "%s: %zu entr%s, raw headers (first at byte %llu)\n", pkg->label,
			n, n == 1 ? "y" : "ies",
			(unsigned long long)hwf_app_first_offset(pkg->app));
	}
	for (size_t i = 0; i < n; i++) {
		rc = hwf_app_read_header(pkg->app, i, h, &e);
		if (rc)
			return cli_fail(cli, NULL, rc, &e);
		if (cli->json)
			raw_json(cli, hwf_app_entry(pkg->app, i), h);
		else
			raw_text(cli, hwf_app_entry(pkg->app, i), h);
	}
	if (cli->json) {
		json_end_array(&cli->ui);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	}
	return HWF_EXIT_OK;
}

int app_profile_check(struct hwf_cli *cli, const struct hwf_command *self, const char *name)
{
	char names[256];

	if (!name || hwf_app_profile_find(name))
		return 0;
	hwf_app_profile_names(names, sizeof(names));
	return cli_usage(cli, self, "--profile %s: no such profile (there are: %s)", name, names);
}

void app_profile_use(struct hwf_cli *cli, struct hwf_pkg *pkg, const char *name)
{
	struct hwf_err e = {0};

	if (name && hwf_app_use_profile(pkg->app, name, &e))
		ui_warn(&cli->ui, "%s", e.msg);
}

void app_profile_line(struct hwf_cli *cli, struct hwf_app *app)
{
	size_t known, legacy;
	int forced;
	const char *p = hwf_app_profile_used(app, &known, &legacy, &forced);

	if (p)
		ui_info(&cli->ui,
			"Entries named by sequence id: profile %s (%s; it names %zu of %zu)%s\n", p,
			forced ? "--profile" : "best fit", known, legacy,
			forced ? "" : "; --profile picks another");
	else if (legacy)
		ui_info(&cli->ui, "Entries named by sequence id: no profile names them (files are "
				  "<index>_<id>.img)\n");
}

void app_profile_json(struct hwf_cli *cli, struct hwf_app *app)
{
	size_t known, legacy;
	int forced;
	const char *p = hwf_app_profile_used(app, &known, &legacy, &forced);

	json_key(&cli->ui, "profile");
	if (!p) {
		json_null(&cli->ui);
		return;
	}
	json_begin_object(&cli->ui);
	json_kv_str(&cli->ui, "name", p);
	json_kv_str(&cli->ui, "picked", forced ? "--profile" : "best fit");
	json_kv_uint(&cli->ui, "named", known);
	json_kv_uint(&cli->ui, "legacy_entries", legacy);
	json_end_object(&cli->ui);
}

void app_seq_note(struct hwf_app *app, const struct hwf_app_entry *en, char *buf, size_t len)
{
	const char *p = hwf_app_profile_used(app, NULL, NULL, NULL);

	if (en->seq_name[0] && p)
		snprintf(buf, len, "  0x%08X (%s per profile %s)", en->seq, en->seq_name, p);
	else if (len)
		buf[0] = '\0';
}
