// SPDX-License-Identifier: MIT
/*
 * app list | check | extract of a HarmonyOS update.bin (formats/app/updatebin.h),
 * and the sentence app flash refuses one with.  host/cmd_app.c and
 * cmd_appflash.c hand a package here when hwf_pkg_open_any() opened it as one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/app/pkg.h"
#include "formats/app/updatebin.h"
#include "host/cleanup.h"
#include "host/cli.h"

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static const char *type_word(uint8_t t)
{
	return t == 0 ? "image" : t == 1 ? "zip" : "other";
}

static void list_json(struct hwf_cli *cli, struct hwf_pkg *pkg)
{
	const struct hwf_ubin_info *in = hwf_ubin_info(pkg->ubin);
	struct hwf_ui *ui = &cli->ui;
	char h[65];

	json_begin_object(ui);
	json_kv_str(ui, "file", pkg->label);
	json_kv_str(ui, "format", "update.bin");
	json_kv_uint(ui, "size", hwf_source_size(pkg->src));
	json_kv_str(ui, "product", in->product);
	json_kv_str(ui, "version", in->version);
	json_kv_str(ui, "date", in->date);
	json_kv_str(ui, "time", in->time);
	json_kv_uint(ui, "header_type", in->header_type);
	json_kv_uint(ui, "record_size", in->rec_size);
	json_kv_str(ui, "size_field", in->size64 ? "u64" : "u32");
	json_kv_bool(ui, "block_hashes", in->block_hashes);
	json_kv_str(ui, "signature", in->sign == HWF_UBIN_SIGN_SLOT ? "legacy slot" : "tlv");
	json_kv_uint(ui, "signature_length", in->sign_len);
	json_kv_uint(ui, "data_start", in->data_start);
	json_key(ui, "components");
	json_begin_array(ui);
	for (size_t i = 0; i < hwf_ubin_count(pkg->ubin); i++) {
		const struct hwf_ubin_comp *c = hwf_ubin_comp(pkg->ubin, i);

		hex(c->digest, 32, h);
		json_begin_object(ui);
		json_kv_uint(ui, "index", c->index);
		json_kv_str(ui, "name", c->name);
		json_kv_str(ui, "address", c->address);
		json_kv_str(ui, "file_name", c->file_name[0] ? c->file_name : NULL);
		json_kv_str(ui, "unsafe", c->unsafe);
		json_kv_str(ui, "type", type_word(c->type));
		json_kv_uint(ui, "id", c->id);
		json_kv_str(ui, "version", c->version);
		json_kv_uint(ui, "size", c->size);
		json_kv_uint(ui, "original_size", c->original_size);
		json_kv_uint(ui, "offset", c->offset);
		json_kv_str(ui, "sha256", h);
		json_end_object(ui);
	}
	json_end_array(ui);
	json_end_object(ui);
	json_done(ui);
}

static int ubin_list(struct hwf_cli *cli, struct hwf_pkg *pkg)
{
	const struct hwf_ubin_info *in = hwf_ubin_info(pkg->ubin);
	size_t n = hwf_ubin_count(pkg->ubin);
	char sz[32];

	if (cli->json) {
		list_json(cli, pkg);
		return HWF_EXIT_OK;
	}
	ui_size(hwf_source_size(pkg->src), sz, sizeof(sz));
	ui_info(&cli->ui, "%s: HarmonyOS update.bin, %zu component%s, %s\n", pkg->label, n,
		n == 1 ? "" : "s", sz);
	ui_info(&cli->ui, "  product %s, version %s, %s %s%s%s\n", in->product, in->version,
		in->date, in->time, in->block_hashes ? ", block hashes" : "",
		in->size64 ? ", 64-bit sizes" : "");
	ui_info(&cli->ui, "%3s  %-24s %12s  %-5s %-10s %12s  %s\n", "#", "NAME", "SIZE", "TYPE",
		"VERSION", "OFFSET", "FILE");
	for (size_t i = 0; i < n; i++) {
		const struct hwf_ubin_comp *c = hwf_ubin_comp(pkg->ubin, i);

		ui_info(&cli->ui, "%3u  %-24s %12llu  %-5s %-10s %12llu  %s%s\n", c->index,
			c->name[0] ? c->name : "(none)", (unsigned long long)c->size,
			type_word(c->type), c->version, (unsigned long long)c->offset,
			c->unsafe ? "-- " : c->file_name, c->unsafe ? c->unsafe : "");
	}
	return HWF_EXIT_OK;
}

static int ubin_check(struct hwf_cli *cli, struct hwf_pkg *pkg)
{
	struct hwf_ubin_check res;
	struct hwf_err e = {0};
	size_t n = hwf_ubin_count(pkg->ubin);
	char verdict[HWF_ERR_MSG_MAX + 1100] = "";
	int rc;

	ui_progress_begin(&cli->ui, "checking");
	rc = hwf_ubin_check(pkg->ubin, NULL, &res, ui_progress_cb, &cli->ui, &e);
	ui_progress_end(&cli->ui);
	if (rc) {
		hwf_ubin_check_free(&res);
		return cli_fail(cli, NULL, rc, &e);
	}
	if (!res.ok)
		snprintf(verdict, sizeof(verdict),
			 "%s: %zu of %zu component%s %s bad (SHA-256 does not match the table)",
			 pkg->label, res.bad, n, n == 1 ? "" : "s", res.bad == 1 ? "is" : "are");
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", pkg->label);
		json_kv_str(&cli->ui, "format", "update.bin");
		json_kv_bool(&cli->ui, "ok", res.ok);
		json_kv_str(&cli->ui, "signature", res.signature);
		json_key(&cli->ui, "components");
		json_begin_array(&cli->ui);
		for (size_t i = 0; i < n; i++) {
			json_begin_object(&cli->ui);
			json_kv_uint(&cli->ui, "index", i);
			json_kv_str(&cli->ui, "name", hwf_ubin_comp(pkg->ubin, i)->name);
			json_kv_bool(&cli->ui, "ok", !res.bad_comp[i]);
			json_end_object(&cli->ui);
		}
		json_end_array(&cli->ui);
		json_kv_str(&cli->ui, "error", res.ok ? NULL : verdict);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else {
		for (size_t i = 0; i < n; i++)
			ui_info(&cli->ui, "  %s  %-24s SHA-256 %s\n",
				res.bad_comp[i] ? "BAD" : "OK ", hwf_ubin_comp(pkg->ubin, i)->name,
				res.bad_comp[i] ? "does not match" : "matches");
		ui_info(&cli->ui, "  NOTE %s\n", res.signature);
		if (res.ok)
			ui_info(&cli->ui, "%s: all %zu component%s OK\n", pkg->label, n,
				n == 1 ? "" : "s");
	}
	if (!res.ok)
		ui_error(&cli->ui, "%s", verdict);
	hwf_ubin_check_free(&res);
	return res.ok ? HWF_EXIT_OK : HWF_EXIT_FAIL;
}

static void on_event(void *ctx, const struct hwf_ubin_event *ev)
{
	struct hwf_ui *ui = ctx;

	switch (ev->kind) {
	case HWF_UBEV_WRITING:
		ui_info(ui, "Extracting from %s into %s\n", ev->msg, ev->path);
		break;
	case HWF_UBEV_STEP: ui_progress_begin(ui, ev->msg); break;
	case HWF_UBEV_STEP_END: ui_progress_end(ui); break;
	case HWF_UBEV_BAD: ui_error(ui, "%s", ev->msg); break;
	case HWF_UBEV_WRITTEN: ui_info(ui, "  -> %s (SHA-256 verified)\n", ev->path); break;
	}
}

static int ubin_extract(struct hwf_cli *cli, struct hwf_pkg *pkg, const char *dir, int argc,
			char **argv)
{
	struct hwf_ubin_extract_opts xo = {0};
	struct hwf_file_hooks hooks;
	struct hwf_err e = {0};
	unsigned char *sel = NULL;
	size_t written = 0, bad = 0;
	int rc;

	if (argc > 0 && !(sel = calloc(hwf_ubin_count(pkg->ubin), 1)))
		return cli_fail(cli, NULL, hwf_err_set(&e, HWF_ENOMEM, "out of memory"), &e);
	for (int a = 0; a < argc; a++) {
		const struct hwf_ubin_comp *c = hwf_ubin_find(pkg->ubin, argv[a]);

		if (!c) {
			ui_error(&cli->ui,
				 "%s: no component named %s ('hwflash app list' shows them)",
				 pkg->label, argv[a]);
			free(sel);
			return HWF_EXIT_FAIL;
		}
		sel[c->index] = 1;
	}
	cleanup_file_hooks(&cli->cleanup, &hooks);
	xo.dir = dir;
	xo.select = sel;
	xo.label = pkg->label;
	xo.force = cli->force;
	xo.files = &hooks;
	xo.event = on_event;
	xo.progress = ui_progress_cb;
	xo.ctx = &cli->ui;
	rc = hwf_ubin_extract(pkg->ubin, &xo, &written, &bad, &e);
	free(sel);
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", pkg->label);
		json_kv_str(&cli->ui, "dir", dir);
		json_kv_bool(&cli->ui, "ok", !rc);
		json_kv_uint(&cli->ui, "written", written);
		json_kv_uint(&cli->ui, "bad", bad);
		json_kv_str(&cli->ui, "error", rc ? e.msg : NULL);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	}
	if (rc)
		return cli_fail(cli, NULL, rc, &e);
	ui_info(&cli->ui, "%zu component%s extracted and verified\n", written,
		written == 1 ? "" : "s");
	return HWF_EXIT_OK;
}

int ubin_command(struct hwf_cli *cli, enum ubin_what what, struct hwf_pkg *pkg, const char *dir,
		 int argc, char **argv)
{
	switch (what) {
	case UBIN_LIST: return ubin_list(cli, pkg);
	case UBIN_CHECK: return ubin_check(cli, pkg);
	case UBIN_EXTRACT: return ubin_extract(cli, pkg, dir, argc, argv);
	case UBIN_FLASH: break;
	}
	ui_error(&cli->ui,
		 "%s: a HarmonyOS update.bin cannot be flashed over fastboot: which component "
		 "goes to which partition, and whether a HarmonyOS bootloader takes these "
		 "images, has no public source; 'hwflash app extract' writes its images",
		 pkg->label);
	return HWF_EXIT_FAIL;
}
