// SPDX-License-Identifier: MIT
/* app extract's engine, in process: one verdict, unique names, --force, --keep-bad. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/app/appextract.h"
#include "tests/unit/testutil.h"

TU_SCRATCH_SUITE(dir)

#define MAXIN 8

/* A package of entries name[i] holding pseudo-random bytes (seed i + 1) of len[i]. */
struct pkg {
	char path[4096];
	size_t len[MAXIN], n;
	struct hwf_source *src;
	struct hwf_app *app;
};

static void make_pkg(struct pkg *p, const char *file, int crc_entry, const char *const *names,
		     const size_t *lens, size_t n)
{
	struct hwf_app_pack_opts po = { "HW", "2026.01.02", "03.04.05", crc_entry };
	struct hwf_app_pack_item it[MAXIN];
	struct hwf_err e = { 0 };
	int fd;

	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s/%s", dir, file);
	p->n = n;
	for (size_t i = 0; i < n; i++) {
		uint8_t *buf = malloc(lens[i] + 1);
		char in[4200];

		tu_random(buf, lens[i], i + 1);
		snprintf(in, sizeof(in), "%s.in%zu", p->path, i);
		CU_ASSERT_EQUAL_FATAL(tu_write(in, buf, lens[i]), 0);
		CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&it[i].src, in, &e), 0);
		it[i].name = names[i];
		it[i].seq = 0;
		p->len[i] = lens[i];
		free(buf);
	}
	fd = open(p->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_EQUAL_FATAL(hwf_app_pack(fd, it, n, &po, NULL, NULL, &e), 0);
	close(fd);
	for (size_t i = 0; i < n; i++)
		hwf_source_close(it[i].src);
}

static void open_pkg(struct pkg *p)
{
	struct hwf_err e = { 0 };

	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&p->src, p->path, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_app_open(&p->app, p->src, &e), 0);
}

static void close_pkg(struct pkg *p)
{
	hwf_app_close(p->app);
	hwf_source_close(p->src);
	p->app = NULL;
	p->src = NULL;
}

/* Flip a byte of entry @name's data (the package must be closed). */
static void damage(struct pkg *p, const char *name, uint64_t at)
{
	const struct hwf_app_entry *en;
	uint64_t off;
	uint8_t b;
	int fd;

	open_pkg(p);
	en = hwf_app_find(p->app, name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(en);
	off = en->data_off + at;
	close_pkg(p);
	fd = open(p->path, O_RDWR);
	CU_ASSERT_EQUAL(pread(fd, &b, 1, (off_t)off), 1);
	b ^= 0x5a;
	CU_ASSERT_EQUAL(pwrite(fd, &b, 1, (off_t)off), 1);
	close(fd);
}

/* Does @path hold exactly input @i of the package (seed i + 1)? */
static int holds_input(const struct pkg *p, size_t i, const char *path)
{
	size_t len = p->len[i];
	uint8_t *want = malloc(len + 1), *got = malloc(len + 2);
	FILE *f = fopen(path, "rb");
	int ok = 0;

	if (f && want && got) {
		tu_random(want, len, i + 1);
		ok = fread(got, 1, len + 1, f) == len && !memcmp(got, want, len);
	}
	if (f)
		fclose(f);
	free(want);
	free(got);
	return ok;
}

/* What the engine told, in order. */
struct told {
	int kind[64];
	long entry[64];
	char msg[64][600];
	size_t n;
	uint64_t progress_calls;
};

static void on_event(void *ctx, const struct hwf_extract_event *ev)
{
	struct told *t = ctx;

	if (t->n >= 64)
		return;
	t->kind[t->n] = ev->kind;
	t->entry[t->n] = ev->entry;
	snprintf(t->msg[t->n], sizeof(t->msg[0]), "%s", ev->msg ? ev->msg : "");
	t->n++;
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct told *t = ctx;

	(void)done;
	(void)total;
	t->progress_calls++;
}

static size_t count(const struct told *t, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += t->kind[i] == kind;
	return n;
}

/* The first message of @kind that contains @text, or NULL. */
static const char *told_text(const struct told *t, int kind, const char *text)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->kind[i] == kind && strstr(t->msg[i], text))
			return t->msg[i];
	return NULL;
}

struct run {
	struct hwf_extract_opts o;
	struct hwf_extract_result res;
	struct hwf_file_hooks hooks;
	struct tu_files files;
	struct told told;
	struct hwf_err e;
	char out[4200];
	int rc;
};

static void run_init(struct run *r, const char *sub)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->out, sizeof(r->out), "%s/%s", dir, sub);
	tu_file_hooks(&r->files, &r->hooks);
	r->o.dir = r->out;
	r->o.label = "test.APP";
	r->o.files = &r->hooks;
	r->o.event = on_event;
	r->o.progress = on_progress;
	r->o.ctx = &r->told;
}

static void run(struct run *r, struct pkg *p)
{
	open_pkg(p);
	r->rc = hwf_extract_run(p->app, &r->o, &r->res, &r->e);
	/* Every temporary file made is renamed or removed, and no .partial file is left. */
	CU_ASSERT_EQUAL(tu_files_left(&r->files), 0);
	CU_ASSERT(tu_count_names(r->out, "partial") <= 0);
}

static void run_done(struct run *r, struct pkg *p)
{
	hwf_extract_free(&r->res);
	tu_files_free(&r->files);
	close_pkg(p);
}

static char *out_file(const struct run *r, const char *name)
{
	static char buf[4300];

	snprintf(buf, sizeof(buf), "%s/%s", r->out, name);
	return buf;
}

static const char *const names3[] = { "BOOT", "SYSTEM", "CUST" };
static const size_t lens3[] = { 300000, 70000, 1 };

static void test_every_entry_written_and_verified(void)
{
	struct pkg p;
	struct run r;

	make_pkg(&p, "all.APP", 1, names3, lens3, 3);
	run_init(&r, "all/a/b");
	run(&r, &p);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(r.res.ok);
	CU_ASSERT_STRING_EQUAL(r.res.summary, "");
	/* the CRC entry is an entry too: 4 files */
	CU_ASSERT_EQUAL(r.res.selected, 4);
	CU_ASSERT_EQUAL(r.res.written, 4);
	CU_ASSERT_EQUAL(count(&r.told, HWF_XEV_WRITTEN), 4);
	CU_ASSERT_EQUAL(count(&r.told, HWF_XEV_WRITING), 1);
	CU_ASSERT_EQUAL(count(&r.told, HWF_XEV_STEP), count(&r.told, HWF_XEV_STEP_END));
	CU_ASSERT_EQUAL(r.told.kind[0], HWF_XEV_STEP);
	CU_ASSERT_STRING_EQUAL(r.told.msg[0], "verifying");
	CU_ASSERT(r.told.progress_calls > 0);
	CU_ASSERT(holds_input(&p, 0, out_file(&r, "boot.img")));
	CU_ASSERT(holds_input(&p, 1, out_file(&r, "system.img")));
	CU_ASSERT(holds_input(&p, 2, out_file(&r, "cust.img")));
	CU_ASSERT(tu_size(out_file(&r, "crc.img")) > 0);
	CU_ASSERT_EQUAL(tu_files_left(&r.files), 0);
	CU_ASSERT_EQUAL(r.files.made, 4);
	run_done(&r, &p);
}

static void test_selection_writes_only_it(void)
{
	unsigned char sel[4] = { 0, 0, 1, 0 }; /* CRC, BOOT, SYSTEM, CUST */
	struct pkg p;
	struct run r;

	make_pkg(&p, "sel.APP", 1, names3, lens3, 3);
	run_init(&r, "sel");
	r.o.select = sel;
	run(&r, &p);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(r.res.ok);
	CU_ASSERT_EQUAL(r.res.written, 1);
	CU_ASSERT_EQUAL(tu_count_names(r.out, ".img"), 1);
	CU_ASSERT(holds_input(&p, 1, out_file(&r, "system.img")));
	CU_ASSERT(r.res.row[2].selected && r.res.row[2].written && !r.res.row[1].selected);
	run_done(&r, &p);
}

/* Names that collide as file names get one file each, each with its own bytes. */
static void test_colliding_names_get_unique_files(void)
{
	static const char *const names[] = { "SUPER",	"SUPER",   "super",
					     "SUB/DIR", "sub_dir", "SUPER#2" };
	static const size_t lens[] = { 5000, 7000, 100, 9000, 1, 33000 };
	struct pkg p;
	struct run r;

	make_pkg(&p, "col.APP", 0, names, lens, 6);
	run_init(&r, "col");
	run(&r, &p);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(r.res.ok);
	CU_ASSERT_EQUAL(r.res.written, 6);
	CU_ASSERT_EQUAL(tu_count_names(r.out, ""), 6);
	for (size_t i = 0; i < 6; i++)
		CU_ASSERT(holds_input(&p, i, out_file(&r, hwf_app_entry(p.app, i)->file_name)));
	run_done(&r, &p);
}

static void test_existing_files_refused_without_force(void)
{
	struct pkg p;
	struct run r;
	char *old;

	make_pkg(&p, "ex.APP", 1, names3, lens3, 3);
	run_init(&r, "ex");
	mkdir(r.out, 0755);
	CU_ASSERT_EQUAL(tu_write(out_file(&r, "system.img"), "old", 3), 0);
	CU_ASSERT_EQUAL(tu_write(out_file(&r, "keep.me"), "stray", 5), 0);
	run(&r, &p);
	CU_ASSERT_EQUAL(r.rc, HWF_EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "system.img: exists; not replaced (use --force): "
					       "nothing extracted"));
	/* nothing written at all: the check comes before the first file */
	CU_ASSERT_EQUAL(tu_count_names(r.out, ""), 2);
	CU_ASSERT_EQUAL(count(&r.told, HWF_XEV_WRITING), 0);
	CU_ASSERT_EQUAL(r.files.made, 0);
	run_done(&r, &p);

	/* --force replaces what was there before the run, and leaves other files alone. */
	run_init(&r, "ex");
	r.o.force = 1;
	run(&r, &p);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(r.res.ok);
	CU_ASSERT(holds_input(&p, 1, out_file(&r, "system.img")));
	old = out_file(&r, "keep.me");
	CU_ASSERT_EQUAL(tu_size(old), 5);
	CU_ASSERT_EQUAL(tu_count_names(r.out, ""), 5);
	run_done(&r, &p);
}

/* Before system.img's temporary file is made, system.img appears as a hard link to boot.img. */
static void fold_names(struct tu_files *f, const char *tmpl)
{
	struct run *r = f->ctx;
	char from[4300];

	if (!strstr(tmpl, ".system.img.partial"))
		return;
	snprintf(from, sizeof(from), "%s", out_file(r, "boot.img"));
	CU_ASSERT_EQUAL(link(from, out_file(r, "system.img")), 0);
}

/* A file system that folds names: --force never replaces a file this run wrote. */
static void test_force_never_replaces_a_file_of_this_run(void)
{
	struct pkg p;
	struct run r;

	make_pkg(&p, "fold.APP", 0, names3, lens3, 3);
	run_init(&r, "fold");
	r.o.force = 1;
	r.files.before_create = fold_names;
	r.files.ctx = &r;
	run(&r, &p);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(!r.res.ok);
	CU_ASSERT_EQUAL(r.res.failed, 1);
	CU_ASSERT_EQUAL(r.res.written, 2);
	CU_ASSERT_PTR_NOT_NULL(told_text(&r.told, HWF_XEV_FAILED,
					 "was written moments ago by this run for another entry"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.summary, "1 could not be written; 2 files written"));
	CU_ASSERT(!r.res.row[1].written && r.res.row[0].written);
	/* boot.img still holds BOOT, not SYSTEM */
	CU_ASSERT(holds_input(&p, 0, out_file(&r, "boot.img")));
	run_done(&r, &p);
}

static void test_bad_entry_not_written(void)
{
	struct pkg p;
	struct run r;

	make_pkg(&p, "bad.APP", 1, names3, lens3, 3);
	damage(&p, "SYSTEM", 5000);
	run_init(&r, "bad");
	run(&r, &p);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(!r.res.ok);
	CU_ASSERT_EQUAL(r.res.bad, 1);
	CU_ASSERT_EQUAL(r.res.written, 3);
	CU_ASSERT_EQUAL(access(out_file(&r, "system.img"), F_OK), -1);
	CU_ASSERT(holds_input(&p, 0, out_file(&r, "boot.img")));
	CU_ASSERT_PTR_NOT_NULL(told_text(&r.told, HWF_XEV_BAD, "test.APP: entry SYSTEM: "));
	CU_ASSERT_PTR_NOT_NULL(told_text(&r.told, HWF_XEV_BAD, "; not extracted"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.summary, "test.APP: 1 of 4 entries bad, not "
						     "extracted; 3 files written to "));
	CU_ASSERT(!r.res.row[2].good && !r.res.row[2].written && r.res.row[2].why);
	/* one verdict: told before anything was written */
	CU_ASSERT_EQUAL(r.told.kind[2], HWF_XEV_BAD);
	run_done(&r, &p);

	/* --keep-bad writes it, says so, and the run still fails. */
	run_init(&r, "keep");
	r.o.keep_bad = 1;
	run(&r, &p);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(!r.res.ok);
	CU_ASSERT_EQUAL(r.res.written, 4);
	CU_ASSERT_EQUAL(tu_size(out_file(&r, "system.img")), (long long)lens3[1]);
	CU_ASSERT_PTR_NOT_NULL(told_text(&r.told, HWF_XEV_KEPT_BAD,
					 "system.img: written although bad (--keep-bad)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.res.summary, "bad, written anyway (--keep-bad);"));
	CU_ASSERT(!r.res.row[2].good && r.res.row[2].written);
	run_done(&r, &p);
}

/* Only bad entries selected: nothing is written, not even the folder. */
static void test_only_bad_selected_writes_nothing(void)
{
	unsigned char sel[4] = { 0, 0, 1, 0 };
	struct pkg p;
	struct run r;

	make_pkg(&p, "onlybad.APP", 1, names3, lens3, 3);
	damage(&p, "SYSTEM", 10);
	run_init(&r, "onlybad");
	r.o.select = sel;
	run(&r, &p);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(!r.res.ok);
	CU_ASSERT_STRING_EQUAL(r.res.summary, "test.APP: the entry is bad: nothing extracted");
	CU_ASSERT_EQUAL(access(r.out, F_OK), -1);
	CU_ASSERT_EQUAL(r.files.made, 0);
	run_done(&r, &p);
}

void hwf_suite_appextract(void)
{
	CU_pSuite s = CU_add_suite("appextract", setup, teardown);

	CU_add_test(s, "every entry written and verified", test_every_entry_written_and_verified);
	CU_add_test(s, "a selection writes only it", test_selection_writes_only_it);
	CU_add_test(s, "colliding names get unique files", test_colliding_names_get_unique_files);
	CU_add_test(s, "existing files refused without --force, replaced with it",
		    test_existing_files_refused_without_force);
	CU_add_test(s, "--force never replaces a file of this run",
		    test_force_never_replaces_a_file_of_this_run);
	CU_add_test(s, "a bad entry is not written; --keep-bad writes it",
		    test_bad_entry_not_written);
	CU_add_test(s, "only bad entries selected: nothing written",
		    test_only_bad_selected_writes_nothing);
}
