// SPDX-License-Identifier: MIT
/* hwflash app list | check | extract | pack */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "pkg.h"

static int app_list(struct hwf_cli *cli, int argc, char **argv);
static int app_check(struct hwf_cli *cli, int argc, char **argv);
static int app_extract(struct hwf_cli *cli, int argc, char **argv);
static int app_pack(struct hwf_cli *cli, int argc, char **argv);
static int app_flash_run(struct hwf_cli *cli, int argc, char **argv);

const struct hwf_command hwf_app_commands[] = {
	{ "list", app_list, "app list FILE [--member NAME] [--json]",
	  "List the entries of an UPDATE.APP, or of the UPDATE.APP inside a firmware .zip\n"
	  "(found anywhere in the zip; --member picks one when there are several).\n"
	  "One row per entry: index, name, size, date, time, hardware id, sequence id,\n"
	  "where its data starts, and its kind (image, signature, crc, metadata).", NULL },
	{ "check", app_check, "app check FILE [--member NAME] [--json]",
	  "Verify every entry: header CRC, every block CRC, and the package's CRC entry.\n"
	  "A bad entry is named with its bad blocks and their byte offsets.\n"
	  "Exit status 1 when anything is bad.", NULL },
	{ "extract", app_extract,
	  "app extract FILE [-o DIR] [--member NAME] [--keep-bad] [--force] [NAME...]",
	  "Write entries as DIR/<name>.img (lower case), verifying every block as it is\n"
	  "written.  A bad entry is reported and its output removed, unless --keep-bad.\n"
	  "Existing files are not replaced without --force.  Without NAMEs, every entry.", NULL },
	{ "pack", app_pack,
	  "app pack -o OUT.APP [--hwid ID] [--no-crc] [--force] NAME=FILE...",
	  "Build an UPDATE.APP from image files, with a CRC entry first as official\n"
	  "packages have (--no-crc to leave it out).  The result is verified before it\n"
	  "gets its name.  hwflash cannot sign: a SHA256RSA=FILE or MD5RSA=FILE entry is\n"
	  "copied as given (first, outside the CRC entry); without a valid one a device\n"
	  "that checks signatures (dload, eRecovery) rejects the package, while fastboot\n"
	  "flashing does not care.", NULL },
	{ "flash", app_flash_run,
	  "app flash FILE [NAME...] [--dry-run] [--map NAME=PARTITION] [--member M] [--force]",
	  "Flash the entries of an UPDATE.APP (or of the one in a firmware .zip) over\n"
	  "fastboot, streamed out of the package.  Without NAMEs every image entry;\n"
	  "signature, CRC and metadata entries are never flashed.  Partitions are the\n"
	  "lower-case entry names (HISIUFS_GPT/EFI -> ptable; --map overrides), the\n"
	  "partition table and bootloader first.  Before anything is sent, every block\n"
	  "CRC of every selected entry is verified, every entry gets the image check\n"
	  "for its partition (as flash does; an empty entry is never sent), and the\n"
	  "device must have every partition.  --dry-run shows the plan and verifies,\n"
	  "sending nothing.", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static int app_flash_run(struct hwf_cli *cli, int argc, char **argv)
{
	for (const struct hwf_command *c = hwf_app_commands; c->name; c++)
		if (!strcmp(c->name, "flash"))
			return app_flash(cli, c, argc, argv);
	return HWF_EXIT_USAGE;
}

static const struct hwf_command *sub(const char *name)
{
	for (const struct hwf_command *c = hwf_app_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int cmd_app(struct hwf_cli *cli, int argc, char **argv)
{
	return cli_run_group(cli, "app", hwf_app_commands, argc, argv);
}

/* Options shared by the subcommands. */
struct app_opts {
	const char *member, *outdir, *out, *hwid;
	int keep_bad, no_crc;
};

enum { OPT_MEMBER = 256, OPT_KEEP_BAD, OPT_HWID, OPT_NO_CRC };

static int parse_opts(struct hwf_cli *cli, const struct hwf_command *c, int argc, char **argv,
		      struct app_opts *o)
{
	static const struct option longopts[] = {
		{ "member", required_argument, NULL, OPT_MEMBER },
		{ "keep-bad", no_argument, NULL, OPT_KEEP_BAD },
		{ "hwid", required_argument, NULL, OPT_HWID },
		{ "no-crc", no_argument, NULL, OPT_NO_CRC },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_MEMBER: o->member = optarg; break;
		case OPT_KEEP_BAD: o->keep_bad = 1; break;
		case OPT_HWID: o->hwid = optarg; break;
		case OPT_NO_CRC: o->no_crc = 1; break;
		case 'o': o->out = o->outdir = optarg; break;
		default:
			return cli_usage(cli, c, "%s: unknown option '%s'", c->name,
					 argv[optind - 1]);
		}
	}
	return 0;
}

/* Open the package named by argv[optind]; prints the error itself. */
static int open_pkg(struct hwf_cli *cli, const char *path, const struct app_opts *o,
		    struct hwf_pkg *pkg)
{
	struct hwf_err e = { 0 };

	if (hwf_pkg_open(pkg, path, o->member, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	if (pkg->others[0])
		ui_warn(&cli->ui, "%s also holds %s (pick one with --member)", path, pkg->others);
	for (size_t i = 0; i < hwf_app_warning_count(pkg->app); i++)
		ui_warn(&cli->ui, "%s: %s", pkg->label, hwf_app_warning(pkg->app, i));
	return 0;
}

/* --- list --- */

static int app_list(struct hwf_cli *cli, int argc, char **argv)
{
	const struct hwf_command *c = sub("list");
	struct hwf_pkg pkg;
	struct app_opts o;
	size_t n;
	int rc = parse_opts(cli, c, argc, argv, &o);

	if (rc)
		return rc;
	if (argc - optind != 1)
		return cli_usage(cli, c, "app list takes one FILE");
	rc = open_pkg(cli, argv[optind], &o, &pkg);
	if (rc)
		return rc;
	n = hwf_app_count(pkg.app);
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", pkg.label);
		json_kv_uint(&cli->ui, "size", hwf_source_size(pkg.src));
		json_key(&cli->ui, "entries");
		json_begin_array(&cli->ui);
		for (size_t i = 0; i < n; i++) {
			const struct hwf_app_entry *en = hwf_app_entry(pkg.app, i);
			char fname[64];

			hwf_app_output_name(en, fname, sizeof(fname));
			json_begin_object(&cli->ui);
			json_kv_uint(&cli->ui, "index", en->index);
			json_kv_str(&cli->ui, "name", en->name);
			json_kv_uint(&cli->ui, "size", en->data_len);
			json_kv_uint(&cli->ui, "offset", en->data_off);
			json_kv_str(&cli->ui, "date", en->date);
			json_kv_str(&cli->ui, "time", en->time);
			json_kv_str(&cli->ui, "hwid", en->hwid);
			json_kv_uint(&cli->ui, "seq", en->seq);
			json_kv_str(&cli->ui, "kind", hwf_app_kind_name(en->kind));
			json_kv_uint(&cli->ui, "header_offset", en->header_off);
			json_kv_uint(&cli->ui, "block_size", en->block_size);
			json_kv_str(&cli->ui, "file_name", fname);
			json_end_object(&cli->ui);
		}
		json_end_array(&cli->ui);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else {
		char sz[32];

		ui_size(hwf_source_size(pkg.src), sz, sizeof(sz));
		ui_info(&cli->ui, "%s: %zu entries, %s\n", pkg.label, n, sz);
		ui_info(&cli->ui, "%3s  %-20s %12s  %-10s %-8s  %-8s %-8s %12s  %s\n", "#", "NAME",
			"SIZE", "DATE", "TIME", "HWID", "SEQ", "OFFSET", "KIND");
		for (size_t i = 0; i < n; i++) {
			const struct hwf_app_entry *en = hwf_app_entry(pkg.app, i);

			ui_info(&cli->ui, "%3u  %-20s %12llu  %-10s %-8s  %-8s %08X %12llu  %s\n",
				en->index, en->name, (unsigned long long)en->data_len, en->date,
				en->time, en->hwid, en->seq, (unsigned long long)en->data_off,
				hwf_app_kind_name(en->kind));
		}
	}
	hwf_pkg_close(&pkg);
	return HWF_EXIT_OK;
}

/* --- check --- */

static int app_check(struct hwf_cli *cli, int argc, char **argv)
{
	const struct hwf_command *c = sub("check");
	struct hwf_err e = { 0 };
	struct hwf_app_check res;
	struct hwf_pkg pkg;
	struct app_opts o;
	size_t n, nbad = 0;
	double t0;
	int rc = parse_opts(cli, c, argc, argv, &o);

	if (rc)
		return rc;
	if (argc - optind != 1)
		return cli_usage(cli, c, "app check takes one FILE");
	rc = open_pkg(cli, argv[optind], &o, &pkg);
	if (rc)
		return rc;
	n = hwf_app_count(pkg.app);
	t0 = ui_now();
	ui_progress_begin(&cli->ui, "checking");
	rc = hwf_app_verify(pkg.app, NULL, 0, &res, ui_progress_cb, &cli->ui, &e);
	ui_progress_end(&cli->ui);
	if (rc) {
		ui_error(&cli->ui, "%s", e.msg);
		hwf_pkg_close(&pkg);
		return HWF_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct hwf_app_entry_check *r = &res.entries[i];

		if (!hwf_app_entry_ok(r))
			nbad++;
	}
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
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else {
		char sz[32];

		for (size_t i = 0; i < n; i++) {
			const struct hwf_app_entry *en = hwf_app_entry(pkg.app, i);
			const struct hwf_app_entry_check *r = &res.entries[i];
			int ok = hwf_app_entry_ok(r);

			ui_size(en->data_len, sz, sizeof(sz));
			if (ok)
				ui_info(&cli->ui, "  OK   %-20s %10s\n", en->name, sz);
			else
				ui_info(&cli->ui, "  BAD  %-20s %10s  %s\n", en->name, sz, r->msg);
		}
		if (res.crc_entry_msg[0])
			ui_info(&cli->ui, "  %s  %s\n", res.crc_entry_ok == 0 ? "BAD" : "NOTE",
				res.crc_entry_msg);
		ui_size(hwf_source_size(pkg.src), sz, sizeof(sz));
		if (res.ok)
			ui_info(&cli->ui, "%s: all %zu entries OK%s (%s in %.1fs)\n", pkg.label, n,
				res.crc_entry_ok > 0 ? ", CRC entry matches" : "", sz,
				ui_now() - t0);
	}
	if (!res.ok) {
		if (nbad)
			ui_error(&cli->ui, "%s: %zu of %zu entries are bad", pkg.label, nbad, n);
		else
			ui_error(&cli->ui, "%s: %s", pkg.label, res.crc_entry_msg);
	}
	rc = res.ok ? HWF_EXIT_OK : HWF_EXIT_FAIL;
	hwf_app_check_free(&res);
	hwf_pkg_close(&pkg);
	return rc;
}

/* --- extract --- */

static int extract_one(struct hwf_cli *cli, struct hwf_pkg *pkg, size_t i, const char *dir,
		       const struct app_opts *o)
{
	const struct hwf_app_entry *en = hwf_app_entry(pkg->app, i);
	struct hwf_err e = { 0 };
	char fname[64], path[4096], tmp[4096], sz[32];
	uint64_t nbad = 0;
	struct stat st;
	int fd, rc;

	hwf_app_output_name(en, fname, sizeof(fname));
	snprintf(path, sizeof(path), "%s/%s", dir, fname);
	if (!cli->force && lstat(path, &st) == 0) {
		ui_error(&cli->ui, "%s: exists; not replaced (use --force)", path);
		return HWF_EXIT_FAIL;
	}
	if (en->header_crc != en->header_crc_calc && !o->keep_bad) {
		ui_error(&cli->ui, "%s: entry %u %s: header CRC is 0x%04x, the header says 0x%04x; "
				   "not extracted",
			 pkg->label, en->index, en->name, en->header_crc_calc, en->header_crc);
		return HWF_EXIT_FAIL;
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s.partial.XXXXXX", dir, fname);
	fd = cleanup_mkstemp(&cli->cleanup, tmp);
	if (fd < 0) {
		ui_error(&cli->ui, "%s: cannot create a file there: %s", dir, strerror(errno));
		return HWF_EXIT_FAIL;
	}
	fchmod(fd, 0644);
	ui_progress_begin(&cli->ui, en->name);
	rc = hwf_app_extract(pkg->app, i, fd, o->keep_bad, &nbad, ui_progress_cb, &cli->ui, &e);
	ui_progress_end(&cli->ui);
	if (!rc && fsync(fd) < 0)
		rc = hwf_err_set(&e, HWF_EIO, "%s: %s", path, strerror(errno));
	if (close(fd) < 0 && !rc)
		rc = hwf_err_set(&e, HWF_EIO, "%s: %s", path, strerror(errno));
	if (!rc && cleanup_rename(&cli->cleanup, tmp, path) < 0)
		rc = hwf_err_set(&e, HWF_EIO, "%s: %s", path, strerror(errno));
	if (rc) {
		unlink(tmp);
		cleanup_forget(&cli->cleanup, tmp);
		ui_error(&cli->ui, "%s: %s; %s not written", pkg->label, e.msg, path);
		return HWF_EXIT_FAIL;
	}
	ui_size(en->data_len, sz, sizeof(sz));
	if (nbad) {
		ui_warn(&cli->ui, "%s: %llu bad blocks, kept because of --keep-bad", path,
			(unsigned long long)nbad);
		return HWF_EXIT_FAIL;
	}
	ui_info(&cli->ui, "  %-20s -> %s (%s, verified)\n", en->name, path, sz);
	return HWF_EXIT_OK;
}

static int app_extract(struct hwf_cli *cli, int argc, char **argv)
{
	const struct hwf_command *c = sub("extract");
	struct hwf_pkg pkg;
	struct app_opts o;
	unsigned char *sel;
	const char *dir;
	size_t n, failed = 0, done = 0;
	struct stat st;
	int rc = parse_opts(cli, c, argc, argv, &o);

	if (rc)
		return rc;
	if (argc - optind < 1)
		return cli_usage(cli, c, "app extract needs a FILE");
	dir = o.outdir ? o.outdir : ".";
	rc = open_pkg(cli, argv[optind], &o, &pkg);
	if (rc)
		return rc;
	n = hwf_app_count(pkg.app);
	sel = calloc(n, 1);
	if (!sel) {
		hwf_pkg_close(&pkg);
		ui_error(&cli->ui, "out of memory");
		return HWF_EXIT_FAIL;
	}
	if (argc - optind == 1)
		memset(sel, 1, n);
	for (int a = optind + 1; a < argc; a++) {
		const struct hwf_app_entry *en = hwf_app_find(pkg.app, argv[a]);

		if (!en) {
			ui_error(&cli->ui, "%s: no entry named %s ('hwflash app list' shows them)",
				 pkg.label, argv[a]);
			rc = HWF_EXIT_FAIL;
			goto out;
		}
		sel[en->index] = 1;
	}
	if (stat(dir, &st) < 0) {
		if (mkdir(dir, 0755) < 0) {
			ui_error(&cli->ui, "%s: cannot create: %s", dir, strerror(errno));
			rc = HWF_EXIT_FAIL;
			goto out;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		ui_error(&cli->ui, "%s: not a folder", dir);
		rc = HWF_EXIT_FAIL;
		goto out;
	}
	ui_info(&cli->ui, "Extracting from %s into %s\n", pkg.label, dir);
	for (size_t i = 0; i < n; i++) {
		if (!sel[i])
			continue;
		if (extract_one(cli, &pkg, i, dir, &o))
			failed++;
		else
			done++;
	}
	if (failed) {
		ui_error(&cli->ui, "%s: %zu of %zu entries not extracted or bad", pkg.label, failed,
			 failed + done);
		rc = HWF_EXIT_FAIL;
	} else {
		ui_info(&cli->ui, "%zu entries extracted and verified\n", done);
	}
out:
	free(sel);
	hwf_pkg_close(&pkg);
	return rc;
}

/* --- pack --- */

static int pack_verify(struct hwf_cli *cli, const char *path, struct hwf_err *e)
{
	struct hwf_app_check res;
	struct hwf_source *src;
	struct hwf_app *app;
	int rc;

	rc = hwf_source_open_file(&src, path, e);
	if (rc)
		return rc;
	rc = hwf_app_open(&app, src, e);
	if (!rc) {
		ui_progress_begin(&cli->ui, "verifying");
		rc = hwf_app_verify(app, NULL, 0, &res, ui_progress_cb, &cli->ui, e);
		ui_progress_end(&cli->ui);
		if (!rc && !res.ok)
			rc = hwf_err_set(e, HWF_ECRC, "%s: the written package does not verify",
					 path);
		if (!rc || res.entries)
			hwf_app_check_free(&res);
		hwf_app_close(app);
	}
	hwf_source_close(src);
	return rc;
}

static int app_pack(struct hwf_cli *cli, int argc, char **argv)
{
	const struct hwf_command *c = sub("pack");
	struct hwf_app_pack_item *items = NULL;
	struct hwf_app_pack_opts po;
	struct hwf_err e = { 0 };
	struct app_opts o;
	char date[32], tm[32], tmp[4096], sz[32];
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct stat st;
	struct tm lt;
	time_t now;
	size_t n = 0;
	int has_sig = 0;
	int fd = -1, rc = parse_opts(cli, c, argc, argv, &o);

	if (rc)
		return rc;
	if (!o.out)
		return cli_usage(cli, c, "app pack needs -o OUT.APP");
	if (argc - optind < 1)
		return cli_usage(cli, c, "app pack needs at least one NAME=FILE");
	if (o.hwid && strlen(o.hwid) > 8)
		return cli_usage(cli, c, "--hwid %s: at most 8 characters", o.hwid);
	if (!cli->force && lstat(o.out, &st) == 0) {
		ui_error(&cli->ui, "%s: exists; not replaced (use --force)", o.out);
		return HWF_EXIT_FAIL;
	}
	items = calloc((size_t)(argc - optind), sizeof(*items));
	if (!items)
		return HWF_EXIT_FAIL;
	rc = HWF_EXIT_FAIL;
	for (int a = optind; a < argc; a++, n++) {
		char *eq = strchr(argv[a], '=');

		if (!eq || eq == argv[a] || !eq[1]) {
			rc = cli_usage(cli, c, "'%s' is not NAME=FILE", argv[a]);
			goto out;
		}
		*eq = '\0';
		if (strlen(argv[a]) > 32) {
			rc = cli_usage(cli, c, "entry name %s is longer than 32 characters",
				       argv[a]);
			goto out;
		}
		items[n].name = argv[a];
		if (hwf_source_open_file(&items[n].src, eq + 1, &e)) {
			ui_error(&cli->ui, "%s", e.msg);
			goto out;
		}
		if (!strcasecmp(argv[a], "CRC")) {
			ui_error(&cli->ui, "CRC is the name of the checksum entry pack writes itself");
			n++;
			goto out;
		}
	}
	now = sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	if (sde)
		gmtime_r(&now, &lt);
	else
		localtime_r(&now, &lt);
	strftime(date, sizeof(date), "%Y.%m.%d", &lt);
	strftime(tm, sizeof(tm), "%H.%M.%S", &lt);
	po.hwid = o.hwid ? o.hwid : "HWFLASH";
	po.date = date;
	po.time = tm;
	po.crc_entry = !o.no_crc;
	snprintf(tmp, sizeof(tmp), "%s.partial.XXXXXX", o.out);
	fd = cleanup_mkstemp(&cli->cleanup, tmp);
	if (fd < 0) {
		ui_error(&cli->ui, "%s: cannot create: %s", o.out, strerror(errno));
		goto out;
	}
	fchmod(fd, 0644);
	ui_progress_begin(&cli->ui, "packing");
	if (hwf_app_pack(fd, items, n, &po, ui_progress_cb, &cli->ui, &e) == 0 && fsync(fd) == 0 &&
	    close(fd) == 0) {
		fd = -1;
		ui_progress_end(&cli->ui);
		if (pack_verify(cli, tmp, &e) == 0 && cleanup_rename(&cli->cleanup, tmp, o.out) == 0)
			rc = HWF_EXIT_OK;
		else if (!e.msg[0])
			hwf_err_set(&e, HWF_EIO, "%s: %s", o.out, strerror(errno));
	} else if (!e.msg[0]) {
		hwf_err_set(&e, HWF_EIO, "%s: %s", o.out, strerror(errno));
	}
	ui_progress_end(&cli->ui);
	if (rc) {
		unlink(tmp);
		cleanup_forget(&cli->cleanup, tmp);
		ui_error(&cli->ui, "%s; %s not written", e.msg, o.out);
		goto out;
	}
	stat(o.out, &st);
	ui_size((uint64_t)st.st_size, sz, sizeof(sz));
	for (size_t i = 0; i < n; i++)
		if (hwf_app_kind_of(items[i].name, items[i].seq) == HWF_APP_SIGNATURE)
			has_sig = 1;
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", o.out);
		json_kv_uint(&cli->ui, "size", (uint64_t)st.st_size);
		json_kv_uint(&cli->ui, "entries", n + (po.crc_entry ? 1 : 0));
		json_kv_bool(&cli->ui, "signature_entry", has_sig);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else {
		ui_info(&cli->ui, "Packed %zu entries%s into %s (%s), verified.\n", n,
			po.crc_entry ? " and a CRC entry" : "", o.out, sz);
		if (has_sig)
			ui_info(&cli->ui,
				"Note: the signature entry was copied as given; hwflash cannot make "
				"one, and a\ndevice checks it against the other entries' bytes.\n");
		else
			ui_info(&cli->ui,
				"Note: the package has no signature entry.  A device whose "
				"bootloader checks\nsignatures (SD-card dload, eRecovery) will "
				"reject it; hwflash app flash over\nfastboot does not need one.\n");
	}
out:
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < n; i++)
		hwf_source_close(items[i].src);
	free(items);
	return rc;
}
