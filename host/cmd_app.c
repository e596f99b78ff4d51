// SPDX-License-Identifier: MIT
/* hwflash app list | check | extract | pack */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "formats/app/appextract.h"
#include "formats/app/apppack.h"
#include "formats/app/pkg.h"
#include "host/cli.h"

static int app_list(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int app_check(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int app_extract(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int app_pack(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);

const struct hwf_command hwf_app_commands[] = {
	{ "list", app_list, "app list FILE [--member NAME] [--raw] [--profile P] [--json]",
	  "List the entries of an UPDATE.APP, or of the UPDATE.APPs in a firmware download\n"
	  "(a .zip, with packages in zips inside it up to 4 levels deep): first the\n"
	  "packages it holds (path through the zips, size), then each one's entries\n"
	  "(--member PATH lists one).\n"
	  "One row per entry: index, name, size, date, time, hardware id, sequence id,\n"
	  "where its data starts, and its kind (image, signature, crc, metadata).\n"
	  "--raw: every header field of every entry, unknown ones too, in hex and decoded,\n"
	  "and the header CRC as stored.  Legacy entries (named INPUT or nothing) are\n"
	  "named by sequence id from the best-fitting profile, or --profile P (u8220,\n"
	  "msm8x25, hue-g610, hue-g526, msm8953; also for check and extract).\n"
	  "A HarmonyOS update.bin (plain or in a zip) is listed too: its components\n"
	  "(name without '/', size, type, version, offset, the file extract writes).", NULL },
	{ "check", app_check, "app check FILE [--member NAME] [--json]",
	  "Verify every entry: header CRC, every block CRC, and the package's CRC entry.\n"
	  "A bad entry is named with its bad blocks and their byte offsets.\n"
	  "In a download, the one UPDATE.APP, the one --member picks, or every package of\n"
	  "an update made of several (base + cust + preload, full_base + data_public +\n"
	  "all_hw).  Exit status 1 when anything is bad.  For a HarmonyOS update.bin:\n"
	  "the SHA-256 of every component against its table; the header signature is\n"
	  "reported, never checked (Huawei's key is not public).", NULL },
	{ "extract", app_extract,
	  "app extract FILE [-o DIR] [--member NAME] [--keep-bad] [--merge-super] [--pieces] "
	  "[--force] [NAME...]",
	  "Write entries as DIR/<name>.img (the FILE column of 'app list --json': lower\n"
	  "case, unique even where entry names collide: super.img, super_2.img ...).\n"
	  "DIR and its parents are created.  Without NAMEs, every entry.  First every\n"
	  "selected entry is verified as 'app check' does it (header CRC, every block\n"
	  "CRC, the package's CRC entry); then the good entries are written, each under\n"
	  "a temporary name renamed once complete, while a bad entry is not written at\n"
	  "all and the exit status is 1.  --keep-bad writes bad entries too (exit 1).\n"
	  "Existing files are not replaced without --force; then nothing is written.\n"
	  "--merge-super joins a split SUPER (several entries of one name, each a sparse\n"
	  "image of the whole partition with DONT_CARE where the others hold data) into\n"
	  "one sparse super.img, chunk by chunk, never expanded; pieces whose data\n"
	  "overlap are refused.  'hwflash image unpack super.img' then writes out the\n"
	  "logical partitions.  Raw pieces of one partition (several entries of one\n"
	  "name that are not all sparse images: HarmonyOS splits a partition over\n"
	  "4,160,749,568 bytes so) are joined in order into one file, each piece\n"
	  "verified as it is copied; --pieces writes every entry as its own file.\n"
	  "A HarmonyOS update.bin's components are written as\n"
	  "NAME.img (raw images), NAME.zip, VERSION.mbn, BOARD.list, each streamed and\n"
	  "kept only when its SHA-256 matches; a name that would leave DIR is refused.", NULL },
	{ "pack", app_pack,
	  "app pack -o OUT.APP [--hwid ID] [--no-crc] [--allow-empty] [--force] NAME=FILE...",
	  "Build an UPDATE.APP from image files, with a CRC entry first as official\n"
	  "packages have (--no-crc to leave it out).  The result is verified before it\n"
	  "gets its name.  FILE may be a pipe or FIFO (bash's <(...), /dev/stdin): it is\n"
	  "read once into an unnamed temporary file beside OUT.APP.  An empty FILE is\n"
	  "refused (a failed download or copy) unless --allow-empty.  Names are letters,\n"
	  "digits, '_', '-' and '.', up to 32; a name given twice (split SUPER) makes\n"
	  "pieces.  hwflash cannot sign: a SHA256RSA=FILE or MD5RSA=FILE entry is\n"
	  "copied as given (first, outside the CRC entry); without a valid one a device\n"
	  "that checks signatures (dload, eRecovery) rejects the package, while fastboot\n"
	  "flashing does not care.", NULL },
	{ "flash", app_flash,
	  "app flash FILE [NAME...] [--dry-run] [--map NAME=PARTITION] [--member M] [--force] "
	  "[--verify]",
	  "Flash the entries of an UPDATE.APP (or of the one in a firmware .zip) over\n"
	  "fastboot, streamed out of the package.  Without NAMEs every image entry;\n"
	  "signature, CRC and metadata entries are never flashed.  Partitions are the\n"
	  "lower-case entry names (HISIUFS_GPT/EFI -> ptable; --map overrides), the\n"
	  "partition table and bootloader first.  Before anything is sent, every block\n"
	  "CRC of every selected entry is verified, every entry gets the image check\n"
	  "for its partition (as flash does; an empty entry is never sent), and the\n"
	  "device must have every partition.  A plan that would write one partition\n"
	  "twice (HISIUFS_GPT and EFI both to ptable, a --map onto a taken partition,\n"
	  "an entry named twice) is refused; split SUPER pieces go in order to one\n"
	  "partition; raw pieces of one partition (same name, not sparse) are sent\n"
	  "joined, as one image.  --dry-run shows the plan and verifies, sending nothing.\n"
	  "--verify reads each written partition back, as flash does.  A HarmonyOS\n"
	  "update.bin is refused: no public source says which component goes to which\n"
	  "partition.", NULL },
	{ "replace", app_replace, "app replace PKG NAME=FILE... -o OUT [--member M] [--force]",
	  "Copy the package PKG (or the one in a firmware download) to OUT, a bare\n"
	  "UPDATE.APP, with each entry NAME given the data of FILE and a new block CRC\n"
	  "table.  All else is kept: order, sequence ids, hardware ids, dates, times,\n"
	  "unknown header bytes, other entries byte for byte (each block checked).  The\n"
	  "CRC entry is recomputed; signature entries are kept but no longer match (a\n"
	  "dload update would refuse OUT; fastboot 'app flash' does not need them).  OUT\n"
	  "is verified before it gets its name; a NAME not in PKG, a FILE missing,\n"
	  "empty or over 4 GiB - 1: nothing is written.", NULL },
	{ "remove", app_remove, "app remove PKG NAME... -o OUT [--member M] [--force]",
	  "Copy PKG to OUT without the entries NAME, all else kept as by replace.", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* Options shared by the subcommands. */
struct app_opts {
	const char *member, *outdir, *out, *hwid, *profile;
	int keep_bad, no_crc, allow_empty, raw, merge_super, pieces;
};

enum { OPT_MEMBER, OPT_KEEP_BAD, OPT_HWID, OPT_NO_CRC, OPT_ALLOW_EMPTY, OPT_OUT, OPT_PROFILE,
       OPT_RAW, OPT_MERGE_SUPER, OPT_PIECES };

/* Each subcommand's options (check takes --member and --profile, list also --raw). */
static const struct cli_opt read_opts[] = {
	{ "member", 0, 1, OPT_MEMBER }, { "profile", 0, 1, OPT_PROFILE }, { NULL, 0, 0, 0 },
};
static const struct cli_opt list_opts[] = {
	{ "member", 0, 1, OPT_MEMBER }, { "profile", 0, 1, OPT_PROFILE },
	{ "raw", 0, 0, OPT_RAW },	{ NULL, 0, 0, 0 },
};

static const struct cli_opt extract_opts[] = {
	{ "member", 0, 1, OPT_MEMBER }, { "profile", 0, 1, OPT_PROFILE },
	{ "keep-bad", 0, 0, OPT_KEEP_BAD },
	{ "output", 'o', 1, OPT_OUT },
	{ "merge-super", 0, 0, OPT_MERGE_SUPER },
	{ "pieces", 0, 0, OPT_PIECES },
	{ NULL, 0, 0, 0 },
};

static const struct cli_opt pack_opts[] = {
	{ "hwid", 0, 1, OPT_HWID },
	{ "no-crc", 0, 0, OPT_NO_CRC },
	{ "allow-empty", 0, 0, OPT_ALLOW_EMPTY },
	{ "output", 'o', 1, OPT_OUT },
	{ NULL, 0, 0, 0 },
};

static int on_opt(void *ctx, int id, const char *v)
{
	struct app_opts *o = ctx;

	switch (id) {
	case OPT_MEMBER: o->member = v; break;
	case OPT_KEEP_BAD: o->keep_bad = 1; break;
	case OPT_HWID: o->hwid = v; break;
	case OPT_NO_CRC: o->no_crc = 1; break;
	case OPT_ALLOW_EMPTY: o->allow_empty = 1; break;
	case OPT_OUT: o->out = o->outdir = v; break;
	case OPT_PROFILE: o->profile = v; break;
	case OPT_RAW: o->raw = 1; break;
	case OPT_MERGE_SUPER: o->merge_super = 1; break;
	case OPT_PIECES: o->pieces = 1; break;
	}
	return 0;
}

static const char *entries_word(size_t n)
{
	return n == 1 ? "entry" : "entries";
}

/* Options of @c into @o; the operands are then argv[1..*argc). */
static int parse_opts(struct hwf_cli *cli, const struct hwf_command *c, const struct cli_opt *opts,
		      int *argc, char **argv, struct app_opts *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	rc = cli_parse(cli, c, opts, argc, argv, on_opt, o);
	return rc ? rc : app_profile_check(cli, c, o->profile);
}

/*
 * Open the package named @path; prints the error itself.  @once: the
 * command reads it twice (extract: verify, then copy), so a package
 * deflated in a zip is inflated once into a temporary file.
 */
static int open_pkg(struct hwf_cli *cli, const char *path, const struct app_opts *o, int once,
		    struct hwf_pkg *pkg)
{
	struct hwf_err e = { 0 };
	int rc = hwf_pkg_open_any(pkg, path, o->member, once, NULL, &e);

	if (rc)
		return cli_fail(cli, NULL, rc, &e);
	if (pkg->others[0])
		ui_warn(&cli->ui, "%s also holds %s (pick one with --member)", path, pkg->others);
	for (size_t i = 0; pkg->app && i < hwf_app_warning_count(pkg->app); i++)
		ui_warn(&cli->ui, "%s: %s", pkg->label, hwf_app_warning(pkg->app, i));
	if (pkg->app)
		app_profile_use(cli, pkg, o->profile);
	return 0;
}

static void pkg_warnings(struct hwf_cli *cli, const char *path, struct hwf_pkg *pkg, int others,
			 const struct app_opts *o)
{
	if (pkg->app)
		app_profile_use(cli, pkg, o->profile);
	if (others && pkg->others[0])
		ui_warn(&cli->ui, "%s also holds %s (pick one with --member)", path, pkg->others);
	for (size_t i = 0; pkg->app && i < hwf_app_warning_count(pkg->app); i++)
		ui_warn(&cli->ui, "%s: %s", pkg->label, hwf_app_warning(pkg->app, i));
}

/*
 * Run @fn on the package @path names; for a download, on the one --member
 * picks, else on every UPDATE.APP it holds (@all) or on the packages that
 * make one update together, else on its one UPDATE.APP.  Prints errors.
 */
static int each_pkg(struct hwf_cli *cli, const char *path, const struct app_opts *o, int all,
		    int (*fn)(struct hwf_cli *cli, struct hwf_pkg *pkg))
{
	struct hwf_err e = { 0 };
	struct hwf_download *dl;
	struct hwf_pkg pkg;
	size_t n, napp = 0, nsel = 0;
	int nested = 0, rc, worst = HWF_EXIT_OK;

	rc = hwf_pkg_download(path, NULL, &dl, &e);
	if (rc < 0)
		return cli_fail(cli, NULL, rc, &e);
	if (rc == 0) {
		rc = open_pkg(cli, path, o, 0, &pkg);
		if (!rc) {
			rc = fn(cli, &pkg);
			hwf_pkg_close(&pkg);
		}
		return rc;
	}
	n = hwf_download_count(dl);
	for (size_t i = 0; i < n; i++) {
		const struct hwf_download_pkg *p = hwf_download_pkg(dl, i);

		nested |= p->depth > 0 || p->foreign;
		napp += !p->foreign;
		nsel += !p->foreign && (all || p->group);
	}
	app_warn_skipped(cli, dl);
	if (!cli->json && (n > 1 || nested))
		app_show_download(cli, dl);
	if (cli->json && all && !o->member && nsel >= 2) {
		/* app list --json of several packages: what the download holds. */
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", path);
		app_json_download(cli, dl);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
		hwf_download_close(dl);
		return HWF_EXIT_OK;
	}
	if (o->member || cli->json || nsel < 2) {
		int i = hwf_pkg_pick(dl, o->member, &e);

		rc = i < 0 ? i : hwf_pkg_open_in_any(&pkg, dl, (size_t)i, 0, &e);
		if (rc) {
			hwf_download_close(dl);
			return cli_fail(cli, NULL, rc, &e);
		}
		pkg_warnings(cli, path, &pkg, napp > 1, o);
		rc = fn(cli, &pkg);
		hwf_pkg_close(&pkg);
		hwf_download_close(dl);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		const struct hwf_download_pkg *p = hwf_download_pkg(dl, i);

		if (p->foreign || !(all || p->group))
			continue;
		ui_info(&cli->ui, "\n");
		rc = hwf_pkg_open_in(&pkg, dl, i, 0, &e);
		if (rc) {
			cli_fail(cli, NULL, rc, &e);
			worst = HWF_EXIT_FAIL;
			continue;
		}
		pkg_warnings(cli, path, &pkg, 0, o);
		rc = fn(cli, &pkg);
		if (rc != HWF_EXIT_OK)
			worst = rc;
		hwf_pkg_close(&pkg);
	}
	hwf_download_close(dl);
	return worst;
}

/* Width of the NAME column: at least @min, else the longest display name. */
static int name_width(struct hwf_app *app, int min)
{
	size_t w = (size_t)min;

	for (size_t i = 0; i < hwf_app_count(app); i++) {
		size_t l = strlen(hwf_app_entry(app, i)->name);

		if (l > w)
			w = l;
	}
	return (int)w;
}

/* --- list --- */

static int list_one(struct hwf_cli *cli, struct hwf_pkg *pkg_)
{
	struct hwf_pkg pkg = *pkg_;
	size_t n;

	if (pkg.ubin)
		return ubin_command(cli, UBIN_LIST, pkg_, NULL, 0, NULL);
	n = hwf_app_count(pkg.app);
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", pkg.label);
		json_kv_uint(&cli->ui, "size", hwf_source_size(pkg.src));
		if (pkg.dl)
			app_json_download(cli, pkg.dl);
		app_profile_json(cli, pkg.app);
		json_key(&cli->ui, "entries");
		json_begin_array(&cli->ui);
		for (size_t i = 0; i < n; i++) {
			const struct hwf_app_entry *en = hwf_app_entry(pkg.app, i);

			json_begin_object(&cli->ui);
			json_kv_uint(&cli->ui, "index", en->index);
			json_kv_str(&cli->ui, "name", en->name);
			json_kv_uint(&cli->ui, "size", en->data_len);
			json_kv_uint(&cli->ui, "offset", en->data_off);
			json_kv_str(&cli->ui, "date", en->date);
			json_kv_str(&cli->ui, "time", en->time);
			json_kv_str(&cli->ui, "hwid", en->hwid);
			json_kv_uint(&cli->ui, "seq", en->seq);
			json_kv_str(&cli->ui, "seq_name", en->seq_name[0] ? en->seq_name : NULL);
			json_kv_str(&cli->ui, "kind", hwf_app_kind_name(en->kind));
			json_kv_uint(&cli->ui, "header_offset", en->header_off);
			json_kv_uint(&cli->ui, "block_size", en->block_size);
			json_kv_str(&cli->ui, "file_name", en->file_name);
			json_end_object(&cli->ui);
		}
		json_end_array(&cli->ui);
		app_list_pieces(cli, pkg.app);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else {
		int w = name_width(pkg.app, 20);
		char sz[32];

		ui_size(hwf_source_size(pkg.src), sz, sizeof(sz));
		ui_info(&cli->ui, "%s: %zu %s, %s\n", pkg.label, n, entries_word(n), sz);
		app_profile_line(cli, pkg.app);
		ui_info(&cli->ui, "%3s  %-*s %12s  %-10s %-8s  %-8s %-8s %12s  %s\n", "#", w,
			"NAME", "SIZE", "DATE", "TIME", "HWID", "SEQ", "OFFSET", "KIND");
		for (size_t i = 0; i < n; i++) {
			const struct hwf_app_entry *en = hwf_app_entry(pkg.app, i);
			char note[128];

			app_seq_note(pkg.app, en, note, sizeof(note));
			ui_info(&cli->ui, "%3u  %-*s %12llu  %-10s %-8s  %-8s %08X %12llu  %s%s\n",
				en->index, w, en->name, (unsigned long long)en->data_len, en->date,
				en->time, en->hwid, en->seq, (unsigned long long)en->data_off,
				hwf_app_kind_name(en->kind), note);
		}
		app_list_pieces(cli, pkg.app);
	}
	return HWF_EXIT_OK;
}

/* --raw shows UPDATE.APP header fields; an update.bin gets its listing. */
static int list_raw(struct hwf_cli *cli, struct hwf_pkg *pkg)
{
	return pkg->ubin ? list_one(cli, pkg) : app_list_raw(cli, pkg);
}

static int app_list(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct app_opts o;
	int rc = parse_opts(cli, self, list_opts, &argc, argv, &o);

	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, self, "app list takes one FILE");
	return each_pkg(cli, argv[1], &o, 1, o.raw ? list_raw : list_one);
}

/* --- check --- */

static int check_one(struct hwf_cli *cli, struct hwf_pkg *pkg_)
{
	struct hwf_pkg pkg = *pkg_;
	struct hwf_err e = { 0 };
	struct hwf_app_check res;
	size_t n, nbad = 0;
	char verdict[HWF_ERR_MSG_MAX + 1100] = "";
	double t0;
	int rc;

	if (pkg.ubin)
		return ubin_command(cli, UBIN_CHECK, pkg_, NULL, 0, NULL);
	n = hwf_app_count(pkg.app);
	t0 = ui_now();
	ui_progress_begin(&cli->ui, "checking");
	rc = hwf_app_verify(pkg.app, NULL, 0, &res, ui_progress_cb, &cli->ui, &e);
	ui_progress_end(&cli->ui);
	if (rc)
		return cli_fail(cli, NULL, rc, &e);
	for (size_t i = 0; i < n; i++) {
		const struct hwf_app_entry_check *r = &res.entries[i];

		if (!hwf_app_entry_ok(r))
			nbad++;
	}
	if (!res.ok && nbad)
		snprintf(verdict, sizeof(verdict), "%s: %zu of %zu %s %s bad", pkg.label, nbad, n,
			 entries_word(n), nbad == 1 ? "is" : "are");
	else if (!res.ok)
		snprintf(verdict, sizeof(verdict), "%s: %s", pkg.label, res.crc_entry_msg);
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", pkg.label);
		json_kv_bool(&cli->ui, "ok", res.ok);
		json_key(&cli->ui, "crc_entry");
		if (res.crc_entry_ok < 0 && !res.crc_entry_msg[0])
			json_null(&cli->ui);
		else
			json_bool(&cli->ui, res.crc_entry_ok > 0);
		json_key(&cli->ui, "entries");
		json_begin_array(&cli->ui);
		for (size_t i = 0; i < n; i++) {
			const struct hwf_app_entry *en = hwf_app_entry(pkg.app, i);
			const struct hwf_app_entry_check *r = &res.entries[i];
			int ok = hwf_app_entry_ok(r);

			json_begin_object(&cli->ui);
			json_kv_uint(&cli->ui, "index", en->index);
			json_kv_str(&cli->ui, "name", en->name);
			json_kv_bool(&cli->ui, "ok", ok);
			json_kv_bool(&cli->ui, "header_ok", r->header_ok);
			json_key(&cli->ui, "bad_blocks");
			json_begin_array(&cli->ui);
			for (uint64_t k = 0; k < r->nbad && k < HWF_APP_MAX_BAD; k++)
				json_uint(&cli->ui, r->bad[k]);
			json_end_array(&cli->ui);
			json_kv_uint(&cli->ui, "bad_block_count", r->nbad);
			json_key(&cli->ui, "error");
			if (ok)
				json_null(&cli->ui);
			else
				json_str(&cli->ui, r->msg);
			json_end_object(&cli->ui);
		}
		json_end_array(&cli->ui);
		if (res.crc_entry_msg[0])
			json_kv_str(&cli->ui, "crc_entry_error", res.crc_entry_msg);
		if (!res.ok)
			json_kv_str(&cli->ui, "error", verdict);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else {
		int w = name_width(pkg.app, 20);
		char sz[32];

		for (size_t i = 0; i < n; i++) {
			const struct hwf_app_entry *en = hwf_app_entry(pkg.app, i);
			const struct hwf_app_entry_check *r = &res.entries[i];
			int ok = hwf_app_entry_ok(r);

			ui_size(en->data_len, sz, sizeof(sz));
			if (ok)
				ui_info(&cli->ui, "  OK   %-*s %10s\n", w, en->name, sz);
			else
				ui_info(&cli->ui, "  BAD  %-*s %10s  %s\n", w, en->name, sz,
					r->msg);
		}
		if (res.crc_entry_msg[0])
			ui_info(&cli->ui, "  %s  %s\n", res.crc_entry_ok == 0 ? "BAD" : "NOTE",
				res.crc_entry_msg);
		ui_size(hwf_source_size(pkg.src), sz, sizeof(sz));
		if (res.ok)
			ui_info(&cli->ui, "%s: %s%zu %s OK%s (%s in %.1fs)\n", pkg.label,
				n == 1 ? "" : "all ", n, entries_word(n),
				res.crc_entry_ok > 0 ? ", CRC entry matches" : "", sz,
				ui_now() - t0);
	}
	if (!res.ok)
		ui_error(&cli->ui, "%s", verdict);
	rc = res.ok ? HWF_EXIT_OK : HWF_EXIT_FAIL;
	hwf_app_check_free(&res);
	return rc;
}

static int app_check(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct app_opts o;
	int rc = parse_opts(cli, self, read_opts, &argc, argv, &o);

	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, self, "app check takes one FILE");
	return each_pkg(cli, argv[1], &o, 0, check_one);
}

/* --- extract --- */

/* What the extract engine tells, as lines on the terminal. */
struct extract_ui {
	struct hwf_cli *cli;
	struct hwf_pkg *pkg;
	int w;			/* NAME column */
};

static void on_extract(void *ctx, const struct hwf_extract_event *ev)
{
	struct extract_ui *x = ctx;
	struct hwf_ui *ui = &x->cli->ui;
	const struct hwf_app_entry *en;
	char sz[32];

	switch (ev->kind) {
	case HWF_XEV_STEP: ui_progress_begin(ui, ev->msg); break;
	case HWF_XEV_STEP_END: ui_progress_end(ui); break;
	case HWF_XEV_BAD:
	case HWF_XEV_FAILED: ui_error(ui, "%s", ev->msg); break;
	case HWF_XEV_KEPT_BAD: ui_warn(ui, "%s", ev->msg); break;
	case HWF_XEV_WRITING:
		ui_info(ui, "Extracting from %s into %s\n", x->pkg->label, ev->path);
		break;
	case HWF_XEV_WRITTEN:
		en = hwf_app_entry(x->pkg->app, (size_t)ev->entry);
		ui_size(en->data_len, sz, sizeof(sz));
		if (ev->msg)
			ui_info(ui, "  %-*s -> %s (%s, verified)\n", x->w, en->name, ev->path,
				ev->msg);
		else
			ui_info(ui, "  %-*s -> %s (%s, verified)\n", x->w, en->name, ev->path,
				sz);
		break;
	}
}

static void on_extract_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct extract_ui *x = ctx;

	ui_progress_update(&x->cli->ui, done, total);
}

static void extract_json(struct hwf_cli *cli, struct hwf_pkg *pkg, const char *dir,
			 const struct hwf_extract_result *res)
{
	json_begin_object(&cli->ui);
	json_kv_str(&cli->ui, "file", pkg->label);
	json_kv_str(&cli->ui, "dir", dir);
	json_kv_bool(&cli->ui, "ok", res->ok);
	json_key(&cli->ui, "entries");
	json_begin_array(&cli->ui);
	for (size_t i = 0; i < hwf_app_count(pkg->app); i++) {
		const struct hwf_app_entry *en = hwf_app_entry(pkg->app, i);
		const struct hwf_extract_row *row = &res->row[i];

		if (!row->selected)
			continue;
		json_begin_object(&cli->ui);
		json_kv_uint(&cli->ui, "index", en->index);
		json_kv_str(&cli->ui, "name", en->name);
		json_kv_str(&cli->ui, "file_name",
			    hwf_app_entry(pkg->app, row->in_file)->file_name);
		json_kv_uint(&cli->ui, "size", en->data_len);
		json_kv_bool(&cli->ui, "ok", row->good);
		json_kv_bool(&cli->ui, "written", row->written);
		json_kv_str(&cli->ui, "error", row->why);
		json_end_object(&cli->ui);
	}
	json_end_array(&cli->ui);
	json_kv_str(&cli->ui, "error", res->ok ? NULL : res->summary);
	json_end_object(&cli->ui);
	json_done(&cli->ui);
}

static int app_extract(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_extract_result res = { 0 };
	struct hwf_extract_opts xo = { 0 };
	struct hwf_file_hooks hooks;
	struct hwf_err e = { 0 };
	struct extract_ui x;
	struct hwf_pkg pkg;
	struct app_opts o;
	unsigned char *sel = NULL;
	struct stat st;
	int rc = parse_opts(cli, self, extract_opts, &argc, argv, &o);

	if (rc)
		return rc;
	if (argc < 2)
		return cli_usage(cli, self, "app extract needs a FILE");
	xo.dir = o.outdir ? o.outdir : ".";
	if (stat(xo.dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		ui_error(&cli->ui, "%s: not a folder", xo.dir);
		return HWF_EXIT_FAIL;
	}
	rc = open_pkg(cli, argv[1], &o, 1, &pkg);
	if (rc)
		return rc;
	if (pkg.ubin) {
		rc = ubin_command(cli, UBIN_EXTRACT, &pkg, xo.dir, argc - 2, argv + 2);
		goto out;
	}
	/* Without NAMEs every entry (select NULL: the CRC entry is checked as well). */
	if (argc > 2 && !(sel = calloc(hwf_app_count(pkg.app), 1))) {
		rc = cli_fail(cli, NULL, hwf_err_set(&e, HWF_ENOMEM, "out of memory"), &e);
		goto out;
	}
	for (int a = 2; a < argc; a++) {
		const struct hwf_app_entry *en = hwf_app_find(pkg.app, argv[a]);

		if (!en) {
			ui_error(&cli->ui, "%s: no entry named %s ('hwflash app list' shows them)",
				 pkg.label, argv[a]);
			rc = HWF_EXIT_FAIL;
			goto out;
		}
		sel[en->index] = 1;
	}
	x = (struct extract_ui){ cli, &pkg, name_width(pkg.app, 20) };
	cleanup_file_hooks(&cli->cleanup, &hooks);
	xo.select = sel;
	xo.label = pkg.label;
	xo.keep_bad = o.keep_bad;
	xo.merge_super = o.merge_super;
	xo.join_raw = !o.pieces;
	xo.force = cli->force;
	xo.files = &hooks;
	xo.event = on_extract;
	xo.progress = on_extract_progress;
	xo.ctx = &x;
	rc = hwf_extract_run(pkg.app, &xo, &res, &e);
	if (rc) {
		rc = cli_fail(cli, NULL, rc, &e);
		goto out;
	}
	if (res.ok)
		ui_info(&cli->ui, "%zu %s extracted and verified\n", res.written,
			entries_word(res.written));
	else
		ui_error(&cli->ui, "%s", res.summary);
	if (cli->json)
		extract_json(cli, &pkg, xo.dir, &res);
	rc = res.ok ? HWF_EXIT_OK : HWF_EXIT_FAIL;
out:
	hwf_extract_free(&res);
	free(sel);
	hwf_pkg_close(&pkg);
	return rc;
}

/* --- pack --- */

static void on_pack(void *ctx, const struct hwf_pack_event *ev)
{
	struct hwf_ui *ui = ctx;

	switch (ev->kind) {
	case HWF_PEV_STEP: ui_progress_begin(ui, ev->msg); break;
	case HWF_PEV_STEP_END: ui_progress_end(ui); break;
	case HWF_PEV_WARN: ui_warn(ui, "%s", ev->msg); break;
	}
}

/* The date and time the entries get: now, or $SOURCE_DATE_EPOCH (UTC) for reproducible builds. */
static void pack_clock(char *date, char *tm, size_t len)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t now = sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm lt;

	if (sde)
		gmtime_r(&now, &lt);
	else
		localtime_r(&now, &lt);
	strftime(date, len, "%Y.%m.%d", &lt);
	strftime(tm, len, "%H.%M.%S", &lt);
}

static void pack_report(struct hwf_cli *cli, const char *out, size_t n, int crc_entry,
			const struct hwf_pack_result *res)
{
	char sz[32];

	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", out);
		json_kv_uint(&cli->ui, "size", res->size);
		json_kv_uint(&cli->ui, "entries", res->entries);
		json_kv_bool(&cli->ui, "signature_entry", res->has_signature);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
		return;
	}
	ui_size(res->size, sz, sizeof(sz));
	ui_info(&cli->ui, "Packed %zu %s%s into %s (%s), verified.\n", n, entries_word(n),
		crc_entry ? " and a CRC entry" : "", out, sz);
	if (res->has_signature)
		ui_info(&cli->ui,
			"Note: the signature entry was copied as given; hwflash cannot make one, "
			"and a\ndevice checks it against the other entries' bytes.\n");
	else
		ui_info(&cli->ui,
			"Note: the package has no signature entry.  A device whose bootloader "
			"checks\nsignatures (SD-card dload, eRecovery) will reject it; hwflash app "
			"flash over\nfastboot does not need one.\n");
}

static int app_pack(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_pack_input *in = NULL;
	struct hwf_pack_opts po = { 0 };
	struct hwf_pack_result res;
	struct hwf_file_hooks hooks;
	struct hwf_err e = { 0 };
	struct app_opts o;
	char date[32], tm[32];
	size_t n = 0;
	int rc = parse_opts(cli, self, pack_opts, &argc, argv, &o);

	if (rc)
		return rc;
	if (!o.out)
		return cli_usage(cli, self, "app pack needs -o OUT.APP");
	if (argc < 2)
		return cli_usage(cli, self, "app pack needs at least one NAME=FILE");
	if (o.hwid && strlen(o.hwid) > 8)
		return cli_usage(cli, self, "--hwid %s: at most 8 characters", o.hwid);
	in = calloc((size_t)(argc - 1), sizeof(*in));
	if (!in)
		return cli_fail(cli, NULL, hwf_err_set(&e, HWF_ENOMEM, "out of memory"), &e);
	for (int a = 1; a < argc; a++, n++) {
		char *eq = strchr(argv[a], '=');

		if (!eq || eq == argv[a] || !eq[1]) {
			rc = cli_usage(cli, self, "'%s' is not NAME=FILE", argv[a]);
			goto out;
		}
		*eq = '\0';
		in[n].name = argv[a];
		in[n].path = eq + 1;
	}
	/* The names are the user's words: a bad one is a usage error. */
	rc = hwf_pack_check_names(in, n, &e);
	if (rc) {
		rc = cli_fail(cli, self, rc, &e);
		goto out;
	}
	pack_clock(date, tm, sizeof(date));
	cleanup_file_hooks(&cli->cleanup, &hooks);
	po.out = o.out;
	po.hwid = o.hwid ? o.hwid : "HWFLASH";
	po.date = date;
	po.time = tm;
	po.crc_entry = !o.no_crc;
	po.allow_empty = o.allow_empty;
	po.force = cli->force;
	po.files = &hooks;
	po.event = on_pack;
	po.progress = ui_progress_cb;
	po.ctx = &cli->ui;
	rc = hwf_pack_run(in, n, &po, &res, &e);
	if (rc) {
		rc = cli_fail(cli, NULL, rc, &e);
		goto out;
	}
	pack_report(cli, o.out, n, po.crc_entry, &res);
out:
	free(in);
	return rc;
}
