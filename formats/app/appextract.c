// SPDX-License-Identifier: MIT
/* app extract: one verdict first, then each entry written whole or not at all. */
#include "formats/app/appextract.h"
#include "formats/app/appgroup.h"
#include "formats/image/sparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Files this run wrote, by device and inode: force replaces old files, never these. */
struct written {
	dev_t *dev;
	ino_t *ino;
	size_t n;
};

struct run {
	struct hwf_app *app;
	const struct hwf_extract_opts *o;
	struct hwf_extract_result *res;
	struct written wr;
	struct hwf_app_group *g; /* same-name entries (formats/app/appgroup.h) */
	size_t ng;
	unsigned char *sel; /* the selection, widened to whole joined groups */
};

/* The joined group entry @i belongs to (raw pieces always, sparse with merge_super), or NULL. */
static const struct hwf_app_group *joined(const struct run *r, size_t i)
{
	const struct hwf_app_group *g = hwf_app_group_of(r->g, r->ng, i);

	if (!g || g->kind == HWF_GROUP_ONE || (g->kind == HWF_GROUP_SPARSE && !r->o->merge_super) ||
	    (g->kind == HWF_GROUP_RAW && !r->o->join_raw))
		return NULL;
	return g;
}

static void tell(const struct run *r, enum hwf_extract_event_kind kind, long entry,
		 const char *path, const char *msg)
{
	struct hwf_extract_event ev = { kind, entry, path, msg };

	if (r->o->event)
		r->o->event(r->o->ctx, &ev);
}

static const char *entries_word(size_t n)
{
	return n == 1 ? "entry" : "entries";
}

static const char *bad_fate(const struct hwf_extract_opts *o)
{
	return o->keep_bad ? "written anyway (--keep-bad)" : "not extracted";
}

static int written_by_us(const struct written *w, const struct stat *st)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->dev[i] == st->st_dev && w->ino[i] == st->st_ino)
			return 1;
	return 0;
}

static void entry_path(const struct run *r, size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", r->o->dir, hwf_app_entry(r->app, i)->file_name);
}

enum { XT_DONE, XT_KEPT_BAD, XT_FAILED };

/*
 * Without force an existing file is never replaced (outfile's NOREPLACE);
 * with it, only a file that was there before this run is.
 */
static int place(struct run *r, struct hwf_outfile *f, struct hwf_err *e)
{
	struct stat st;

	if (lstat(f->path, &st) == 0 && written_by_us(&r->wr, &st)) {
		hwf_outfile_discard(f);
		return hwf_err_set(e, HWF_EEXIST,
				   "%s was written moments ago by this run for another entry (a "
				   "file system that folds names?)",
				   f->path);
	}
	return hwf_outfile_place(f, r->o->force ? 0 : HWF_OUTFILE_NOREPLACE, e);
}

/* Copy entry @i, or the group @g it leads, into @fd. */
static int copy_into(struct run *r, size_t i, const struct hwf_app_group *g, int fd,
		     uint64_t *nbad, struct hwf_err *e)
{
	struct hwf_source **src;
	const char **names;
	int rc = 0;

	if (!g)
		return hwf_app_extract(r->app, i, fd, r->o->keep_bad, nbad, r->o->progress,
				       r->o->ctx, e);
	if (g->kind == HWF_GROUP_RAW) {
		/* Raw pieces one after the other, each verified block by block. */
		for (size_t p = 0; p < g->n && !rc; p++) {
			uint64_t nb = 0;

			rc = hwf_app_extract(r->app, g->entry[p], fd, r->o->keep_bad, &nb,
					     r->o->progress, r->o->ctx, e);
			*nbad += nb;
		}
		return rc;
	}
	src = calloc(g->n, sizeof(*src));
	names = calloc(g->n, sizeof(*names));
	if (!src || !names)
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (size_t p = 0; !rc && p < g->n; p++) {
		rc = hwf_app_entry_source(r->app, g->entry[p], &src[p], e);
		names[p] = hwf_app_entry(r->app, g->entry[p])->name;
	}
	if (!rc)
		rc = hwf_sparse_merge(src, names, g->n, fd, r->o->progress, r->o->ctx, e);
	for (size_t p = 0; src && p < g->n; p++)
		hwf_source_close(src[p]);
	free(src);
	free(names);
	return rc;
}

/* Write entry @i (@good: it verified), or the group it leads, as DIR/<file name>. */
static int extract_one(struct run *r, size_t i, int good)
{
	const struct hwf_app_group *g = joined(r, i);
	char how[80] = "";
	const struct hwf_app_entry *en = hwf_app_entry(r->app, i);
	char path[HWF_PATH_MAX + 80], msg[HWF_ERR_MSG_MAX + HWF_PATH_MAX + 1200];
	struct hwf_err e = { 0 };
	struct hwf_outfile f;
	uint64_t nbad = 0;
	struct stat st;
	int rc;

	entry_path(r, i, path, sizeof(path));
	if (hwf_outfile_create(&f, path, HWF_OUTFILE_HIDDEN, r->o->files, &e)) {
		tell(r, HWF_XEV_FAILED, (long)i, path, e.msg);
		return XT_FAILED;
	}
	tell(r, HWF_XEV_STEP, (long)i, path, en->name);
	rc = copy_into(r, i, g, f.fd, &nbad, &e);
	tell(r, HWF_XEV_STEP_END, (long)i, path, NULL);
	if (rc)
		hwf_outfile_discard(&f);
	else
		rc = hwf_outfile_close(&f, HWF_OUTFILE_SYNC, &e);
	if (!rc)
		rc = place(r, &f, &e);
	if (rc) {
		snprintf(msg, sizeof(msg), "%s: %s; %s not written", r->o->label, e.msg, path);
		tell(r, HWF_XEV_FAILED, (long)i, path, msg);
		return XT_FAILED;
	}
	if (lstat(path, &st) == 0) {
		r->wr.dev[r->wr.n] = st.st_dev;
		r->wr.ino[r->wr.n++] = st.st_ino;
	}
	if (!good || nbad) {
		snprintf(msg, sizeof(msg), "%s: written although bad (--keep-bad)", path);
		tell(r, HWF_XEV_KEPT_BAD, (long)i, path, msg);
		return XT_KEPT_BAD;
	}
	if (g)
		snprintf(how, sizeof(how), "%zu %s joined", g->n, hwf_group_kind_name(g->kind));
	tell(r, HWF_XEV_WRITTEN, (long)i, path, how[0] ? how : NULL);
	return XT_DONE;
}

/*
 * The verdict on each selected entry, told as it is found; then whether a
 * file to write is there already.  Returns HWF_EEXIST (nothing written) or 0.
 */
static int judge(struct run *r, struct hwf_err *e)
{
	const struct hwf_extract_opts *o = r->o;
	struct hwf_extract_result *res = r->res;
	size_t n = hwf_app_count(r->app), exist = 0;
	char first_exist[HWF_PATH_MAX + 80] = "", msg[HWF_ERR_MSG_MAX + 1200];
	/* A CRC entry of the wrong length vouches for nothing: app check and flash refuse all. */
	int broken = res->check.crc_entry_ok == 0 && res->check.crc_entry_msg[0];
	struct stat st;

	if (broken) {
		snprintf(msg, sizeof(msg), "%s: %s; so no entry is vouched for: %s", o->label,
			 res->check.crc_entry_msg, bad_fate(o));
		tell(r, HWF_XEV_BAD, -1, NULL, msg);
	}
	for (size_t i = 0; i < n; i++) {
		const struct hwf_app_group *g = joined(r, i);
		struct hwf_extract_row *row = &res->row[i];
		char path[HWF_PATH_MAX + 80];

		if (!r->sel[i])
			continue;
		res->selected++;
		row->selected = 1;
		row->good = !broken && hwf_app_entry_ok(&res->check.entries[i]);
		if (broken)
			row->why = res->check.crc_entry_msg;
		else if (!row->good)
			row->why = res->check.entries[i].msg;
		if (!row->good)
			res->bad++;
		if (!row->good && !broken) {
			snprintf(msg, sizeof(msg), "%s: entry %s: %s; %s", o->label,
				 hwf_app_entry(r->app, i)->name, row->why, bad_fate(o));
			tell(r, HWF_XEV_BAD, (long)i, NULL, msg);
		}
		if ((!row->good && !o->keep_bad) || (g && g->entry[0] != i))
			continue;
		entry_path(r, i, path, sizeof(path));
		if (!o->force && lstat(path, &st) == 0 && !exist++)
			snprintf(first_exist, sizeof(first_exist), "%s", path);
	}
	if (exist)
		return hwf_err_set(
		    e, HWF_EEXIST, "%s: exists%s; not replaced (use --force): nothing extracted",
		    first_exist, exist > 1 ? " (and more of the files to write)" : "");
	return 0;
}

static void summarize(struct run *r)
{
	struct hwf_extract_result *res = r->res;
	size_t cap = sizeof(res->summary);
	int l;

	if (!res->bad && !res->failed)
		return;
	l = snprintf(res->summary, cap, "%s:", r->o->label);
	if (res->bad)
		l += snprintf(res->summary + l, cap - (size_t)l, " %zu of %zu %s bad, %s;",
			      res->bad, res->selected, entries_word(res->selected), bad_fate(r->o));
	if (res->failed)
		l += snprintf(res->summary + l, cap - (size_t)l, " %zu could not be written;",
			      res->failed);
	snprintf(res->summary + l, cap - (size_t)l, " %zu file%s written to %s", res->written,
		 res->written == 1 ? "" : "s", r->o->dir);
}

/*
 * The groups of same-name entries, and the selection: every entry, or the
 * ones asked for with the rest of any joined group they belong to.
 */
static int widen(struct run *r, struct hwf_err *e)
{
	size_t n = hwf_app_count(r->app);
	int rc = hwf_app_groups(r->app, &r->g, &r->ng, e);

	if (rc)
		return rc;
	r->sel = calloc(n ? n : 1, 1);
	if (!r->sel)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		r->sel[i] = !r->o->select || r->o->select[i];
	for (size_t i = 0; i < n; i++) {
		const struct hwf_app_group *g = joined(r, i);

		r->res->row[i].in_file = g ? g->entry[0] : i;
		for (size_t p = 0; g && r->sel[i] && p < g->n; p++)
			r->sel[g->entry[p]] = 1;
	}
	return 0;
}

/* Write entry @i, or the joined group it leads (all its pieces must be good). */
static void write_one(struct run *r, size_t i)
{
	const struct hwf_app_group *g = joined(r, i);
	struct hwf_extract_result *res = r->res;
	struct hwf_extract_row *row = &res->row[i];
	int good = row->good, x;

	if (!row->selected || (g && g->entry[0] != i))
		return;
	for (size_t p = 1; g && p < g->n; p++)
		good = good && res->row[g->entry[p]].good;
	if (!good && !r->o->keep_bad)
		return;
	x = extract_one(r, i, good);
	for (size_t p = 0; p < (g ? g->n : 1); p++)
		res->row[g ? g->entry[p] : i].written = x != XT_FAILED;
	if (x == XT_FAILED)
		res->failed++;
	else
		res->written++;
	if (x == XT_KEPT_BAD && good) {
		/* Bad blocks found while copying that the check did not see: changed? */
		row->good = 0;
		row->why = "bad blocks while copying";
		res->bad++;
	}
}

int hwf_extract_run(struct hwf_app *app, const struct hwf_extract_opts *o,
		    struct hwf_extract_result *res, struct hwf_err *e)
{
	struct run r = { app, o, res, { NULL, NULL, 0 }, NULL, 0, NULL };
	size_t n = hwf_app_count(app);
	int rc;

	memset(res, 0, sizeof(*res));
	res->row = calloc(n ? n : 1, sizeof(*res->row));
	r.wr.dev = calloc(n ? n : 1, sizeof(*r.wr.dev));
	r.wr.ino = calloc(n ? n : 1, sizeof(*r.wr.ino));
	if (!res->row || !r.wr.dev || !r.wr.ino) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	rc = widen(&r, e);
	if (rc)
		goto out;
	tell(&r, HWF_XEV_STEP, -1, NULL, "verifying");
	rc = hwf_app_verify(app, o->select ? r.sel : NULL, 0, &res->check, o->progress, o->ctx, e);
	tell(&r, HWF_XEV_STEP_END, -1, NULL, NULL);
	if (rc)
		goto out;
	rc = judge(&r, e);
	if (rc)
		goto out;
	if (res->bad == res->selected && !o->keep_bad) {
		snprintf(res->summary, sizeof(res->summary), "%s: %s bad: nothing extracted",
			 o->label, res->selected == 1 ? "the entry is" : "every selected entry is");
		goto out;
	}
	rc = hwf_mkdirs(o->dir, e);
	if (rc)
		goto out;
	tell(&r, HWF_XEV_WRITING, -1, o->dir, NULL);
	for (size_t i = 0; i < n; i++)
		write_one(&r, i);
	summarize(&r);
out:
	res->ok = !rc && !res->summary[0];
	free(r.wr.dev);
	free(r.wr.ino);
	free(r.sel);
	hwf_app_groups_free(r.g, r.ng);
	return rc;
}

void hwf_extract_free(struct hwf_extract_result *res)
{
	if (res->check.entries)
		hwf_app_check_free(&res->check);
	free(res->row);
	res->row = NULL;
}
