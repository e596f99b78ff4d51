// SPDX-License-Identifier: MIT
/* hwflash app list | check | extract | pack */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host/cli.h"
#include "formats/app/pkg.h"

static int app_list(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int app_check(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int app_extract(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int app_pack(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);

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
	  "Write entries as DIR/<name>.img (the FILE column of 'app list --json': lower\n"
	  "case, unique even where entry names collide: super.img, super_2.img ...).\n"
	  "DIR and its parents are created.  Without NAMEs, every entry.  First every\n"
	  "selected entry is verified as 'app check' does it (header CRC, every block\n"
	  "CRC, the package's CRC entry); then the good entries are written, each under\n"
	  "a temporary name renamed once complete, while a bad entry is not written at\n"
	  "all and the exit status is 1.  --keep-bad writes bad entries too (exit 1).\n"
	  "Existing files are not replaced without --force; then nothing is written.", NULL },
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
	  "app flash FILE [NAME...] [--dry-run] [--map NAME=PARTITION] [--member M] [--force]",
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
	  "partition.  --dry-run shows the plan and verifies, sending nothing.", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* Options shared by the subcommands. */
struct app_opts {
	const char *member, *outdir, *out, *hwid;
	int keep_bad, no_crc, allow_empty;
};

enum { OPT_MEMBER, OPT_KEEP_BAD, OPT_HWID, OPT_NO_CRC, OPT_ALLOW_EMPTY, OPT_OUT };

/* Each subcommand's options (list and check take only --member). */
static const struct cli_opt read_opts[] = {
	{ "member", 0, 1, OPT_MEMBER },
	{ NULL, 0, 0, 0 },
};

static const struct cli_opt extract_opts[] = {
	{ "member", 0, 1, OPT_MEMBER },
	{ "keep-bad", 0, 0, OPT_KEEP_BAD },
	{ "output", 'o', 1, OPT_OUT },
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
	memset(o, 0, sizeof(*o));
	return cli_parse(cli, c, opts, argc, argv, on_opt, o);
}

/* Open the package named @path; prints the error itself. */
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

static int app_list(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	const struct hwf_command *c = self;
	struct hwf_pkg pkg;
	struct app_opts o;
	size_t n;
	int rc = parse_opts(cli, c, read_opts, &argc, argv, &o);

	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, c, "app list takes one FILE");
	rc = open_pkg(cli, argv[1], &o, &pkg);
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
			json_kv_str(&cli->ui, "file_name", en->file_name);
			json_end_object(&cli->ui);
		}
		json_end_array(&cli->ui);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else {
		int w = name_width(pkg.app, 20);
		char sz[32];

		ui_size(hwf_source_size(pkg.src), sz, sizeof(sz));
		ui_info(&cli->ui, "%s: %zu %s, %s\n", pkg.label, n, entries_word(n), sz);
		ui_info(&cli->ui, "%3s  %-*s %12s  %-10s %-8s  %-8s %-8s %12s  %s\n", "#", w,
			"NAME", "SIZE", "DATE", "TIME", "HWID", "SEQ", "OFFSET", "KIND");
		for (size_t i = 0; i < n; i++) {
			const struct hwf_app_entry *en = hwf_app_entry(pkg.app, i);

			ui_info(&cli->ui, "%3u  %-*s %12llu  %-10s %-8s  %-8s %08X %12llu  %s\n",
				en->index, w, en->name, (unsigned long long)en->data_len, en->date,
				en->time, en->hwid, en->seq, (unsigned long long)en->data_off,
				hwf_app_kind_name(en->kind));
		}
	}
	hwf_pkg_close(&pkg);
	return HWF_EXIT_OK;
}

/* --- check --- */

static int app_check(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	const struct hwf_command *c = self;
	struct hwf_err e = { 0 };
	struct hwf_app_check res;
	struct hwf_pkg pkg;
	struct app_opts o;
	size_t n, nbad = 0;
	char verdict[HWF_ERR_MSG_MAX + 1100] = "";
	double t0;
	int rc = parse_opts(cli, c, read_opts, &argc, argv, &o);

	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, c, "app check takes one FILE");
	rc = open_pkg(cli, argv[1], &o, &pkg);
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
	hwf_pkg_close(&pkg);
	return rc;
}

/* --- extract --- */

/* Files this run wrote, by device and inode: --force replaces old files, never these. */
struct written {
	dev_t *dev;
	ino_t *ino;
	size_t n;
};

static int written_by_us(const struct written *w, const struct stat *st)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->dev[i] == st->st_dev && w->ino[i] == st->st_ino)
			return 1;
	return 0;
}

/*
 * Move @tmp to @path.  Without --force an existing @path is never replaced
 * (RENAME_NOREPLACE where the file system has it, else a look first); with
 * it, only a file that was there before this run is.
 */
static int place_file(struct hwf_cli *cli, const char *tmp, const char *path,
		      const struct written *w, struct hwf_err *e)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		if (written_by_us(w, &st))
			return hwf_err_set(e, HWF_EEXIST,
					   "%s was written moments ago by this run for another "
					   "entry (a file system that folds names?)",
					   path);
		if (!cli->force)
			return hwf_err_set(e, HWF_EEXIST, "%s: exists; not replaced (use --force)",
					   path);
	}
#ifdef RENAME_NOREPLACE
	if (!cli->force) {
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0) {
			cleanup_forget(&cli->cleanup, tmp);
			return 0;
		}
		if (errno == EEXIST)
			return hwf_err_set(e, HWF_EEXIST, "%s: exists; not replaced (use --force)",
					   path);
		if (errno != EINVAL && errno != ENOSYS)
			return hwf_err_set(e, HWF_EIO, "%s: %s", path, strerror(errno));
	}
#endif
	if (cleanup_rename(&cli->cleanup, tmp, path) < 0)
		return hwf_err_set(e, HWF_EIO, "%s: %s", path, strerror(errno));
	return 0;
}

enum { XT_DONE, XT_KEPT_BAD, XT_FAILED };

/* Write entry @i (@good: it verified) as dir/<file name>; XT_DONE, XT_KEPT_BAD or XT_FAILED. */
static int extract_one(struct hwf_cli *cli, struct hwf_pkg *pkg, size_t i, int good,
		       const char *dir, const struct app_opts *o, int w, struct written *wr)
{
	const struct hwf_app_entry *en = hwf_app_entry(pkg->app, i);
	struct hwf_err e = { 0 };
	char path[4096], tmp[4096], sz[32];
	const char *fname = en->file_name;
	uint64_t nbad = 0;
	struct stat st;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, fname);
	snprintf(tmp, sizeof(tmp), "%s/.%s.partial.XXXXXX", dir, fname);
	fd = cleanup_mkstemp(&cli->cleanup, tmp);
	if (fd < 0) {
		ui_error(&cli->ui, "%s: cannot create a file there: %s", dir, strerror(errno));
		return XT_FAILED;
	}
	fchmod(fd, 0644);
	ui_progress_begin(&cli->ui, en->name);
	rc = hwf_app_extract(pkg->app, i, fd, o->keep_bad, &nbad, ui_progress_cb, &cli->ui, &e);
	ui_progress_end(&cli->ui);
	if (!rc && fsync(fd) < 0)
		rc = hwf_err_set(&e, HWF_EIO, "%s: %s", path, strerror(errno));
	if (close(fd) < 0 && !rc)
		rc = hwf_err_set(&e, HWF_EIO, "%s: %s", path, strerror(errno));
	if (!rc)
		rc = place_file(cli, tmp, path, wr, &e);
	if (rc) {
		unlink(tmp);
		cleanup_forget(&cli->cleanup, tmp);
		ui_error(&cli->ui, "%s: %s; %s not written", pkg->label, e.msg, path);
		return XT_FAILED;
	}
	if (lstat(path, &st) == 0) {
		wr->dev[wr->n] = st.st_dev;
		wr->ino[wr->n++] = st.st_ino;
	}
	ui_size(en->data_len, sz, sizeof(sz));
	if (!good || nbad) {
		ui_warn(&cli->ui, "%s: written although bad (--keep-bad)", path);
		return XT_KEPT_BAD;
	}
	ui_info(&cli->ui, "  %-*s -> %s (%s, verified)\n", w, en->name, path, sz);
	return XT_DONE;
}

/* mkdir -p @dir. */
static int make_dirs(struct hwf_cli *cli, const char *dir)
{
	char buf[4096];
	size_t len = strlen(dir);
	struct stat st;

	if (len >= sizeof(buf)) {
		ui_error(&cli->ui, "%.60s...: folder name too long", dir);
		return HWF_EXIT_FAIL;
	}
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1;; p++) {
		char ch = *p;

		if (ch != '/' && ch != '\0')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			ui_error(&cli->ui, "%s: cannot create: %s", buf, strerror(errno));
			return HWF_EXIT_FAIL;
		}
		*p = ch;
		if (!ch)
			break;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ui_error(&cli->ui, "%s: not a folder", dir);
		return HWF_EXIT_FAIL;
	}
	return 0;
}

/* One entry's part of the extract --json document. */
struct extract_row {
	int selected, good, written;
	const char *why;	/* why it is bad, or NULL */
};

static void extract_json(struct hwf_cli *cli, struct hwf_pkg *pkg, const char *dir,
			 const struct extract_row *row, int ok, const char *error)
{
	json_begin_object(&cli->ui);
	json_kv_str(&cli->ui, "file", pkg->label);
	json_kv_str(&cli->ui, "dir", dir);
	json_kv_bool(&cli->ui, "ok", ok);
	json_key(&cli->ui, "entries");
	json_begin_array(&cli->ui);
	for (size_t i = 0; i < hwf_app_count(pkg->app); i++) {
		const struct hwf_app_entry *en = hwf_app_entry(pkg->app, i);

		if (!row[i].selected)
			continue;
		json_begin_object(&cli->ui);
		json_kv_uint(&cli->ui, "index", en->index);
		json_kv_str(&cli->ui, "name", en->name);
		json_kv_str(&cli->ui, "file_name", en->file_name);
		json_kv_uint(&cli->ui, "size", en->data_len);
		json_kv_bool(&cli->ui, "ok", row[i].good);
		json_kv_bool(&cli->ui, "written", row[i].written);
		json_key(&cli->ui, "error");
		if (row[i].why)
			json_str(&cli->ui, row[i].why);
		else
			json_null(&cli->ui);
		json_end_object(&cli->ui);
	}
	json_end_array(&cli->ui);
	json_key(&cli->ui, "error");
	if (error)
		json_str(&cli->ui, error);
	else
		json_null(&cli->ui);
	json_end_object(&cli->ui);
	json_done(&cli->ui);
}

static int app_extract(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	const struct hwf_command *c = self;
	struct hwf_app_check res = { 0 };
	struct extract_row *row = NULL;
	struct written wr = { 0 };
	struct hwf_err e = { 0 };
	struct hwf_pkg pkg;
	struct app_opts o;
	unsigned char *sel = NULL;
	const char *dir;
	size_t n, nsel = 0, nbad = 0, failed = 0, done = 0, exist = 0;
	char summary[HWF_ERR_MSG_MAX + 1200] = "", first_exist[4096] = "";
	struct stat st;
	int all, w, broken, rc = parse_opts(cli, c, extract_opts, &argc, argv, &o);

	if (rc)
		return rc;
	if (argc < 2)
		return cli_usage(cli, c, "app extract needs a FILE");
	dir = o.outdir ? o.outdir : ".";
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		ui_error(&cli->ui, "%s: not a folder", dir);
		return HWF_EXIT_FAIL;
	}
	rc = open_pkg(cli, argv[1], &o, &pkg);
	if (rc)
		return rc;
	n = hwf_app_count(pkg.app);
	w = name_width(pkg.app, 20);
	sel = calloc(n, 1);
	row = calloc(n, sizeof(*row));
	wr.dev = calloc(n, sizeof(*wr.dev));
	wr.ino = calloc(n, sizeof(*wr.ino));
	if (!sel || !row || !wr.dev || !wr.ino) {
		ui_error(&cli->ui, "out of memory");
		rc = HWF_EXIT_FAIL;
		goto out;
	}
	all = argc == 2;
	if (all)
		memset(sel, 1, n);
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
	/* One verdict: the same verification as app check (and app flash) first. */
	ui_progress_begin(&cli->ui, "verifying");
	rc = hwf_app_verify(pkg.app, all ? NULL : sel, 0, &res, ui_progress_cb, &cli->ui, &e);
	ui_progress_end(&cli->ui);
	if (rc) {
		ui_error(&cli->ui, "%s", e.msg);
		rc = HWF_EXIT_FAIL;
		goto out;
	}
	/* A CRC entry of the wrong length vouches for nothing: app check and flash refuse all. */
	broken = res.crc_entry_ok == 0 && res.crc_entry_msg[0];
	if (broken)
		ui_error(&cli->ui, "%s: %s; so no entry is vouched for: %s", pkg.label,
			 res.crc_entry_msg,
			 o.keep_bad ? "written anyway (--keep-bad)" : "not extracted");
	for (size_t i = 0; i < n; i++) {
		const struct hwf_app_entry *en = hwf_app_entry(pkg.app, i);
		char path[4096];

		if (!sel[i])
			continue;
		nsel++;
		row[i].selected = 1;
		row[i].good = !broken && hwf_app_entry_ok(&res.entries[i]);
		if (broken)
			row[i].why = res.crc_entry_msg;
		else if (!row[i].good)
			row[i].why = res.entries[i].msg;
		if (!row[i].good)
			nbad++;
		if (!row[i].good && !broken)
			ui_error(&cli->ui, "%s: entry %s: %s; %s", pkg.label, en->name, row[i].why,
				 o.keep_bad ? "written anyway (--keep-bad)" : "not extracted");
		if (!row[i].good && !o.keep_bad)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, en->file_name);
		if (!cli->force && lstat(path, &st) == 0 && !exist++)
			snprintf(first_exist, sizeof(first_exist), "%s", path);
	}
	if (exist) {
		ui_error(&cli->ui, "%s: exists%s; not replaced (use --force): nothing extracted",
			 first_exist, exist > 1 ? " (and more of the files to write)" : "");
		rc = HWF_EXIT_FAIL;
		goto out;
	}
	if (nbad == nsel && !o.keep_bad) {
		snprintf(summary, sizeof(summary), "%s: %s bad: nothing extracted", pkg.label,
			 nsel == 1 ? "the entry is" : "every selected entry is");
		goto report;
	}
	rc = make_dirs(cli, dir);
	if (rc)
		goto out;
	ui_info(&cli->ui, "Extracting from %s into %s\n", pkg.label, dir);
	for (size_t i = 0; i < n; i++) {
		int x;

		if (!row[i].selected || (!row[i].good && !o.keep_bad))
			continue;
		x = extract_one(cli, &pkg, i, row[i].good, dir, &o, w, &wr);
		row[i].written = x != XT_FAILED;
		if (x == XT_FAILED)
			failed++;
		else
			done++;
		if (x == XT_KEPT_BAD && row[i].good) {
			/* Bad blocks found while copying that the check did not see: changed? */
			row[i].good = 0;
			row[i].why = "bad blocks while copying";
			nbad++;
		}
	}
	if (nbad || failed) {
		int l = snprintf(summary, sizeof(summary), "%s:", pkg.label);

		size_t cap = sizeof(summary);

		if (nbad)
			l += snprintf(summary + l, cap - (size_t)l, " %zu of %zu %s bad, %s;", nbad,
				      nsel, entries_word(nsel),
				      o.keep_bad ? "written anyway (--keep-bad)" : "not extracted");
		if (failed)
			l += snprintf(summary + l, cap - (size_t)l, " %zu could not be written;",
				      failed);
		snprintf(summary + l, cap - (size_t)l, " %zu file%s written to %s", done,
			 done == 1 ? "" : "s", dir);
	}
report:
	if (summary[0])
		ui_error(&cli->ui, "%s", summary);
	else
		ui_info(&cli->ui, "%zu %s extracted and verified\n", done, entries_word(done));
	if (cli->json)
		extract_json(cli, &pkg, dir, row, !summary[0], summary[0] ? summary : NULL);
	rc = summary[0] ? HWF_EXIT_FAIL : HWF_EXIT_OK;
out:
	if (res.entries)
		hwf_app_check_free(&res);
	free(wr.dev);
	free(wr.ino);
	free(row);
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

/*
 * Read the pipe @in (FILE of NAME=FILE) once into an unnamed temporary file
 * in @dir, so that pack can learn its size and read it twice.  O_TMPFILE
 * leaves nothing behind whatever happens; where the file system lacks it, a
 * file that is removed at once.  One 1 MiB buffer; stops past what an
 * entry can hold (4 GiB - 1) instead of filling the disk.
 */
static int spool_pipe(int in, const char *path, const char *dir, int *out, struct hwf_err *e)
{
	const size_t bufsz = 1u << 20;
	uint8_t *buf = malloc(bufsz);
	uint64_t total = 0;
	int fd, rc = 0;

	*out = -1;
	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		char tmpl[4096 + 32];

		snprintf(tmpl, sizeof(tmpl), "%.4095s/.hwflash-pipe.XXXXXX", dir);
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmpl);
	}
	if (fd < 0) {
		rc = hwf_err_set(e, HWF_EIO, "%s is a pipe; cannot make a copy of it in %s: %s",
				 path, dir, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n = read(in, buf, bufsz), off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = hwf_err_set(e, HWF_EIO, "%s: read error after %llu bytes: %s", path,
					 (unsigned long long)total, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > UINT32_MAX) {
			rc = hwf_err_set(e, HWF_EINVAL,
					 "%s gave more than 4 GiB - 1 bytes, more than an entry "
					 "can hold",
					 path);
			break;
		}
		while (off < n) {
			ssize_t m = write(fd, buf + off, (size_t)(n - off));

			if (m < 0 && errno == EINTR)
				continue;
			if (m < 0) {
				rc = hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
						 "%s is a pipe; copying it into %s: %s", path, dir,
						 strerror(errno));
				break;
			}
			off += m;
		}
		if (rc)
			break;
	}
out:
	free(buf);
	if (rc && fd >= 0)
		close(fd);
	else
		*out = fd;
	return rc;
}

/*
 * Open FILE of NAME=FILE.  A regular file or block device is read in place;
 * a pipe, FIFO or socket is spooled (spool_pipe) and *is_pipe set; anything
 * else (a character device, a folder) is refused by hwf_source_open_fd.
 * Messages name @path as the user typed it ("/dev/fd/63" for <(...)).
 */
static int open_input(const char *path, const char *spool_dir, struct hwf_source **src,
		      int *is_pipe, struct hwf_err *e)
{
	struct stat st;
	int fd, copy, rc;

	*is_pipe = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hwf_err_set(e, errno == EACCES ? HWF_EACCES : HWF_EIO, "%s: %s", path,
				   strerror(errno));
	if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
		*is_pipe = 1;
		rc = spool_pipe(fd, path, spool_dir, &copy, e);
		close(fd);
		if (rc)
			return rc;
		fd = copy;
	}
	return hwf_source_open_fd(src, fd, path, e);
}

/*
 * Names pack writes are names every reader keeps apart: letters, digits,
 * '_', '-', '.'; '#' is how listings number repeats (SUPER#2), and names
 * that differ only in case are one name to readers and to case-insensitive
 * file systems.  The same name twice is fine: pieces (split SUPER).
 */
static int pack_name_ok(struct hwf_cli *cli, const struct hwf_command *c, const char *name,
			const struct hwf_app_pack_item *items, size_t n)
{
	if (strlen(name) > 32)
		return cli_usage(cli, c, "entry name %s is longer than 32 characters", name);
	for (const char *p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return cli_usage(cli, c,
					 "entry name '%s': '%c' is not allowed (letters, digits, "
					 "'_', '-' and '.')",
					 name, *p);
	if (!strcasecmp(name, "CRC"))
		return cli_usage(cli, c,
				 "CRC is the name of the checksum entry pack writes itself");
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(items[i].name, name) && strcmp(items[i].name, name))
			return cli_usage(cli, c,
					 "entry names %s and %s differ only in case: readers "
					 "take them for one name; spell them alike to make "
					 "pieces of one entry",
					 items[i].name, name);
	return 0;
}

static int app_pack(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	const struct hwf_command *c = self;
	struct hwf_app_pack_item *items = NULL;
	struct hwf_app_pack_opts po;
	struct hwf_err e = { 0 };
	struct app_opts o;
	char date[32], tm[32], tmp[4096], sz[32], spool_dir[4096], *slash;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct stat st;
	struct tm lt;
	time_t now;
	size_t n = 0;
	int has_sig = 0;
	int fd = -1, rc = parse_opts(cli, c, pack_opts, &argc, argv, &o);

	if (rc)
		return rc;
	if (!o.out)
		return cli_usage(cli, c, "app pack needs -o OUT.APP");
	if (argc < 2)
		return cli_usage(cli, c, "app pack needs at least one NAME=FILE");
	if (o.hwid && strlen(o.hwid) > 8)
		return cli_usage(cli, c, "--hwid %s: at most 8 characters", o.hwid);
	if (!cli->force && lstat(o.out, &st) == 0) {
		ui_error(&cli->ui, "%s: exists; not replaced (use --force)", o.out);
		return HWF_EXIT_FAIL;
	}
	items = calloc((size_t)(argc - 1), sizeof(*items));
	if (!items)
		return HWF_EXIT_FAIL;
	/* Pipes are copied next to the output: the folder that will hold the package. */
	snprintf(spool_dir, sizeof(spool_dir), "%s", o.out);
	slash = strrchr(spool_dir, '/');
	if (!slash)
		snprintf(spool_dir, sizeof(spool_dir), ".");
	else
		slash[slash == spool_dir] = '\0';
	for (int a = 1; a < argc; a++, n++) {
		char *eq = strchr(argv[a], '=');
		int is_pipe;

		if (!eq || eq == argv[a] || !eq[1]) {
			rc = cli_usage(cli, c, "'%s' is not NAME=FILE", argv[a]);
			goto out;
		}
		*eq = '\0';
		rc = pack_name_ok(cli, c, argv[a], items, n);
		if (rc)
			goto out;
		rc = HWF_EXIT_FAIL;
		items[n].name = argv[a];
		if (open_input(eq + 1, spool_dir, &items[n].src, &is_pipe, &e)) {
			ui_error(&cli->ui, "%s=%s: %s", argv[a], eq + 1, e.msg);
			goto out;
		}
		if (hwf_source_size(items[n].src) == 0) {
			/* Almost always a download or copy that failed; never silently. */
			if (!o.allow_empty) {
				ui_error(&cli->ui, "%s=%s: %s (0 bytes): an empty %s entry is not "
						   "packed (--allow-empty packs it anyway)",
					 argv[a], eq + 1,
					 is_pipe ? "the pipe gave no data" : "the file is empty",
					 argv[a]);
				n++;
				goto out;
			}
			ui_warn(&cli->ui, "%s=%s: empty (0 bytes), packed as an empty entry "
					  "(--allow-empty)",
				argv[a], eq + 1);
		}
	}
	rc = HWF_EXIT_FAIL;
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
		ui_info(&cli->ui, "Packed %zu %s%s into %s (%s), verified.\n", n, entries_word(n),
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
