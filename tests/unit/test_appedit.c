// SPDX-License-Identifier: MIT
/* app replace / remove's engine in process: what is kept, what is recomputed, failures write
 * nothing. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/app/appedit.h"
#include "formats/app/appprofiles.h"
#include "formats/app/updateapp.h"
#include "formats/core/bytes.h"
#include "formats/core/crc16.h"
#include "tests/unit/testutil.h"

TU_SCRATCH_SUITE(dir)

/* A package of @n entries written by hwf_app_pack (with a CRC entry) to dir/@name. */
static char *make_pkg(const char *name, const char *const *names, const size_t *sizes, size_t n)
{
	struct hwf_app_pack_opts po = {"HWEDIT", "2020.02.02", "10.20.30", 1};
	struct hwf_app_pack_item it[8];
	uint8_t *bufs[8];
	struct hwf_err e = {0};
	char *path = tu_path(dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	CU_ASSERT_FATAL(fd >= 0 && n <= 8);
	for (size_t i = 0; i < n; i++) {
		bufs[i] = malloc(sizes[i] + 1);
		tu_random(bufs[i], sizes[i], 100 + i);
		it[i].name = names[i];
		it[i].seq = 0x10 + (uint32_t)i;
		CU_ASSERT_FATAL(hwf_source_open_mem(&it[i].src, bufs[i], sizes[i], names[i], &e) ==
				0);
	}
	CU_ASSERT_EQUAL_FATAL(hwf_app_pack(fd, it, n, &po, NULL, NULL, &e), 0);
	for (size_t i = 0; i < n; i++) {
		hwf_source_close(it[i].src);
		free(bufs[i]);
	}
	close(fd);
	return path;
}

static char *make_file(const char *name, size_t len, uint64_t seed)
{
	char *path = tu_path(dir, name);
	uint8_t *buf = malloc(len + 1);

	tu_random(buf, len, seed);
	CU_ASSERT_FATAL(tu_write(path, buf, len) == 0);
	free(buf);
	return path;
}

struct run {
	struct hwf_source *src;
	struct hwf_app *app;
	struct hwf_edit_opts o;
	struct hwf_edit_result res;
	struct hwf_file_hooks hooks;
	struct tu_files files;
	struct hwf_err e;
	char out[4200];
	int kinds[16];
	char msgs[16][700];
	size_t nev;
	int rc;
	int spoil; /* damage the temporary file when verifying starts */
};

static void on_event(void *ctx, const struct hwf_edit_event *ev)
{
	struct run *r = ctx;

	if (r->nev < 16) {
		r->kinds[r->nev] = ev->kind;
		snprintf(r->msgs[r->nev++], sizeof(r->msgs[0]), "%s", ev->msg ? ev->msg : "");
	}
	if (r->spoil && ev->kind == HWF_EEV_STEP && !strcmp(ev->msg, "verifying")) {
		int fd = open(r->files.path[0], O_RDWR);
		uint8_t b = 0;

		CU_ASSERT_FATAL(fd >= 0);
		CU_ASSERT_EQUAL(pread(fd, &b, 1, 3000), 1);
		b ^= 0xff;
		CU_ASSERT_EQUAL(pwrite(fd, &b, 1, 3000), 1);
		close(fd);
	}
}

static void run_edit(struct run *r, const char *pkg, const char *out)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->out, sizeof(r->out), "%s/%s", dir, out);
	CU_ASSERT_FATAL(hwf_source_open_file(&r->src, pkg, &r->e) == 0);
	CU_ASSERT_FATAL(hwf_app_open(&r->app, r->src, &r->e) == 0);
	tu_file_hooks(&r->files, &r->hooks);
	r->o.out = r->out;
	r->o.label = "pkg";
	r->o.files = &r->hooks;
	r->o.event = on_event;
	r->o.ctx = r;
}

static void run_go(struct run *r, const struct hwf_edit_op *ops, size_t n)
{
	r->rc = hwf_edit_run(r->app, ops, n, &r->o, &r->res, &r->e);
	CU_ASSERT_EQUAL(tu_files_left(&r->files), 0);
}

static void run_free(struct run *r)
{
	hwf_app_close(r->app);
	hwf_source_close(r->src);
	tu_files_free(&r->files);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	long long n = tu_size(path);
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	CU_ASSERT_FATAL(n >= 0 && fd >= 0);
	buf = malloc((size_t)n + 1);
	CU_ASSERT_EQUAL((long long)pread(fd, buf, (size_t)n, 0), n);
	close(fd);
	*len = (size_t)n;
	return buf;
}

/* Open @path and check it as app check does: 1 when all is well. */
static int verifies(const char *path, size_t *count)
{
	struct hwf_source *src;
	struct hwf_app *app;
	struct hwf_app_check res;
	struct hwf_err e = {0};
	int ok = 0;

	if (hwf_source_open_file(&src, path, &e))
		return 0;
	if (!hwf_app_open(&app, src, &e)) {
		if (!hwf_app_verify(app, NULL, 1, &res, NULL, NULL, &e)) {
			ok = res.ok && res.crc_entry_ok == 1;
			hwf_app_check_free(&res);
		}
		*count = hwf_app_count(app);
		hwf_app_close(app);
	}
	hwf_source_close(src);
	return ok;
}

static void test_replace_keeps_the_rest(void)
{
	static const char *const names[] = {"SHA256RSA", "BOOT", "SYSTEM", "SUPER", "SUPER"};
	static const size_t sizes[] = {256, 40000, 100000, 5000, 7000};
	char *pkg = make_pkg("keep.APP", names, sizes, 5);
	char *repl = make_file("new.img", 70001, 9);
	struct hwf_edit_op ops[] = {{"SUPER#2", repl}};
	uint8_t *a, *b;
	size_t alen, blen, count = 0;
	struct run r;
	int sig = 0;

	run_edit(&r, pkg, "keep.out");
	run_go(&r, ops, 1);
	CU_ASSERT_EQUAL_FATAL(r.rc, 0);
	CU_ASSERT_EQUAL(r.res.replaced, 1);
	CU_ASSERT_EQUAL(r.res.entries, 6);
	CU_ASSERT_EQUAL(r.res.crc_entry, 1);
	CU_ASSERT_EQUAL(r.res.signatures, 1);
	for (size_t i = 0; i < r.nev; i++)
		sig += r.kinds[i] == HWF_EEV_SIGNATURE &&
		       strstr(r.msgs[i], "a dload update would refuse this package");
	CU_ASSERT_EQUAL(sig, 1);
	CU_ASSERT(verifies(r.out, &count));
	CU_ASSERT_EQUAL(count, 6);
	/* Every entry but SUPER#2 and the CRC entry: the same bytes, header, table and data. */
	a = slurp(pkg, &alen);
	b = slurp(r.out, &blen);
	{
		struct hwf_source *src;
		struct hwf_app *out;
		struct hwf_err e = {0};
		uint8_t h[98];

		CU_ASSERT_FATAL(hwf_source_open_file(&src, r.out, &e) == 0);
		CU_ASSERT_FATAL(hwf_app_open(&out, src, &e) == 0);
		CU_ASSERT_EQUAL_FATAL(hwf_app_count(out), 6);
		CU_ASSERT(memcmp(a, b, 92) == 0);
		for (size_t i = 0; i < 6; i++) {
			const struct hwf_app_entry *x = hwf_app_entry(r.app, i);
			const struct hwf_app_entry *y = hwf_app_entry(out, i);

			CU_ASSERT_STRING_EQUAL(x->name, y->name);
			if (x->kind == HWF_APP_CRC || !strcmp(x->name, "SUPER#2"))
				continue;
			CU_ASSERT_EQUAL(x->header_len + x->data_len, y->header_len + y->data_len);
			CU_ASSERT(memcmp(a + x->header_off, b + y->header_off,
					 x->header_len + x->data_len) == 0);
		}
		/* SUPER#2's header: only its lengths and header CRC changed. */
		{
			const struct hwf_app_entry *x = hwf_app_find(r.app, "SUPER#2");
			const struct hwf_app_entry *y = hwf_app_find(out, "SUPER#2");

			memcpy(h, a + x->header_off, 98);
			put_le32(h + 4, 98 + 2 * 18);
			put_le32(h + 0x18, 70001);
			put_le16(h + 0x5c, 0);
			put_le16(h + 0x5c, hwf_crc16(h, 98));
			CU_ASSERT(memcmp(h, b + y->header_off, 98) == 0);
			CU_ASSERT_EQUAL(blen, (y->header_off + 98 + 36 + 70001 + 3) & ~3ull);
		}
		hwf_app_close(out);
		hwf_source_close(src);
	}
	free(a);
	free(b);
	run_free(&r);
	free(pkg);
	free(repl);
}

static void test_remove(void)
{
	static const char *const names[] = {"BOOT", "SYSTEM", "VENDOR"};
	static const size_t sizes[] = {1000, 40000, 3};
	char *pkg = make_pkg("rm.APP", names, sizes, 3);
	struct hwf_edit_op ops[] = {{"system", NULL}};
	size_t count = 0;
	struct run r;

	run_edit(&r, pkg, "rm.out");
	run_go(&r, ops, 1);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_EQUAL(r.res.removed, 1);
	CU_ASSERT_EQUAL(r.res.entries, 3);
	CU_ASSERT_EQUAL(r.res.signatures, 0);
	CU_ASSERT(verifies(r.out, &count));
	CU_ASSERT_EQUAL(count, 3);
	run_free(&r);
	free(pkg);
}

/* Each refusal: its code, its sentence, and no file. */
static void refused(const char *pkg, const struct hwf_edit_op *ops, size_t n, int code,
		    const char *words, int make_out)
{
	struct run r;

	run_edit(&r, pkg, "refused.out");
	if (make_out)
		CU_ASSERT_FATAL(tu_write(r.out, "x", 1) == 0);
	run_go(&r, ops, n);
	CU_ASSERT_EQUAL(r.rc, code);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, words));
	if (!strstr(r.e.msg, words))
		fprintf(stderr, "\n  got: %s\n", r.e.msg);
	if (make_out) {
		CU_ASSERT_EQUAL(tu_size(r.out), 1);
	} else {
		CU_ASSERT_EQUAL(access(r.out, F_OK), -1);
	}
	unlink(r.out);
	CU_ASSERT_EQUAL(r.files.made, 0);
	run_free(&r);
}

static void test_refusals_write_nothing(void)
{
	static const char *const names[] = {"BOOT", "SYSTEM"};
	static const size_t sizes[] = {1000, 40000};
	char *pkg = make_pkg("ref.APP", names, sizes, 2);
	char *empty = make_file("empty.img", 0, 1), *ok = make_file("ok.img", 10, 2);
	char *missing = tu_path(dir, "missing.img"), *big = tu_path(dir, "big.img");
	struct hwf_edit_op nope[] = {{"NOPE", ok}};
	struct hwf_edit_op twice[] = {{"BOOT", ok}, {"boot", NULL}};
	struct hwf_edit_op all[] = {{"CRC", NULL}, {"BOOT", NULL}, {"SYSTEM", NULL}};
	struct hwf_edit_op crc[] = {{"CRC", ok}};
	struct hwf_edit_op e0[] = {{"BOOT", empty}};
	struct hwf_edit_op miss[] = {{"BOOT", missing}};
	struct hwf_edit_op huge[] = {{"BOOT", big}};
	struct hwf_edit_op fine[] = {{"BOOT", ok}};
	int fd = open(big, O_RDWR | O_CREAT | O_TRUNC, 0644);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(ftruncate(fd, (off_t)UINT32_MAX + 1) == 0);
	close(fd);
	refused(pkg, nope, 1, HWF_ENOTFOUND, "no entry named NOPE", 0);
	refused(pkg, twice, 2, HWF_EINVAL, "named twice", 0);
	refused(pkg, all, 3, HWF_EINVAL, "empty package", 0);
	refused(pkg, crc, 1, HWF_EINVAL, "CRC entry", 0);
	refused(pkg, e0, 1, HWF_EFORMAT, "the file is empty", 0);
	refused(pkg, miss, 1, HWF_EIO, "BOOT=", 0);
	refused(pkg, huge, 1, HWF_EINVAL, "4 GiB - 1", 0);
	refused(pkg, fine, 1, HWF_EEXIST, "use --force", 1);
	free(pkg);
	free(empty);
	free(ok);
	free(missing);
	unlink(big);
	free(big);
}

/* A bad block in a copied entry, or a package spoilt after writing: no OUT, no temporary. */
static void test_bad_input_and_spoilt_output(void)
{
	static const char *const names[] = {"BOOT", "SYSTEM"};
	static const size_t sizes[] = {1000, 40000};
	char *pkg = make_pkg("bad.APP", names, sizes, 2);
	char *ok = make_file("ok2.img", 10, 3);
	struct hwf_edit_op ops[] = {{"BOOT", ok}};
	struct run r;
	uint8_t b;
	int fd;

	run_edit(&r, pkg, "spoilt.out");
	r.spoil = 1;
	run_go(&r, ops, 1);
	CU_ASSERT_EQUAL(r.rc, HWF_ECRC);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "does not verify"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "not written"));
	CU_ASSERT_EQUAL(access(r.out, F_OK), -1);
	CU_ASSERT_EQUAL(r.files.made, 1);
	run_free(&r);

	/* SYSTEM's data, block 5: flipped in the input. */
	fd = open(pkg, O_RDWR);
	CU_ASSERT_FATAL(fd >= 0);
	{
		struct run q;
		const struct hwf_app_entry *sys;
		off_t at;

		run_edit(&q, pkg, "bad.out");
		sys = hwf_app_find(q.app, "SYSTEM");
		at = (off_t)(sys->data_off + 5 * 4096 + 1);
		CU_ASSERT(pread(fd, &b, 1, at) == 1);
		b ^= 0x5a;
		CU_ASSERT(pwrite(fd, &b, 1, at) == 1);
		run_go(&q, ops, 1);
		CU_ASSERT_EQUAL(q.rc, HWF_ECRC);
		CU_ASSERT_PTR_NOT_NULL(strstr(q.e.msg, "SYSTEM: block 5"));
		CU_ASSERT_EQUAL(access(q.out, F_OK), -1);
		run_free(&q);
	}
	close(fd);
	free(pkg);
	free(ok);
}

/*
 * A legacy package whose FF000000 entry does not fit the CRC layout (128
 * bytes, like PL-xjl's MD5_RSA): kept as stored, said so.
 */
static void test_unrecognised_crc_entry_kept(void)
{
	struct hwf_app_pack_opts po = {"HW8x25", "2013.03.22", "17.59.33", 0};
	struct hwf_app_pack_item it[2];
	uint8_t sum[128], data[5000];
	struct hwf_err e = {0};
	char *pkg = tu_path(dir, "legacy.APP"), *ok = make_file("ok3.img", 77, 4);
	struct hwf_edit_op ops[] = {{"INPUT_FC000000", ok}};
	uint8_t *a, *b;
	size_t alen, blen;
	struct run r;
	int fd = open(pkg, O_RDWR | O_CREAT | O_TRUNC, 0644), warned = 0;

	tu_random(sum, sizeof(sum), 5);
	tu_random(data, sizeof(data), 6);
	it[0] = (struct hwf_app_pack_item){"INPUT", NULL, 0xff000000u};
	it[1] = (struct hwf_app_pack_item){"INPUT", NULL, 0xfc000000u};
	CU_ASSERT_FATAL(hwf_source_open_mem(&it[0].src, sum, sizeof(sum), "s", &e) == 0);
	CU_ASSERT_FATAL(hwf_source_open_mem(&it[1].src, data, sizeof(data), "d", &e) == 0);
	CU_ASSERT_FATAL(hwf_app_pack(fd, it, 2, &po, NULL, NULL, &e) == 0);
	hwf_source_close(it[0].src);
	hwf_source_close(it[1].src);
	close(fd);
	run_edit(&r, pkg, "legacy.out");
	run_go(&r, ops, 1);
	CU_ASSERT_EQUAL_FATAL(r.rc, 0);
	CU_ASSERT_EQUAL(r.res.crc_entry, 0);
	for (size_t i = 0; i < r.nev; i++)
		warned += r.kinds[i] == HWF_EEV_WARN && strstr(r.msgs[i], "kept as stored");
	CU_ASSERT_EQUAL(warned, 1);
	a = slurp(pkg, &alen);
	b = slurp(r.out, &blen);
	CU_ASSERT(memcmp(a, b, 92 + 98 + 2 + 128) == 0);
	free(a);
	free(b);
	run_free(&r);
	free(pkg);
	free(ok);
}

/* A legacy package: every entry named INPUT, told apart by @seqs. */
static struct hwf_app *open_legacy(const char *name, const uint32_t *seqs, size_t n,
				   struct hwf_source **src)
{
	struct hwf_app_pack_opts po = {"HW8x25", "2013.03.22", "17.59.33", 0};
	struct hwf_app_pack_item it[8];
	struct hwf_err e = {0};
	char *path = tu_path(dir, name);
	uint8_t data[100];
	struct hwf_app *app = NULL;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	CU_ASSERT_FATAL(fd >= 0 && n <= 8);
	tu_random(data, sizeof(data), 7);
	for (size_t i = 0; i < n; i++) {
		it[i] = (struct hwf_app_pack_item){"INPUT", NULL, seqs[i]};
		CU_ASSERT_FATAL(hwf_source_open_mem(&it[i].src, data, sizeof(data), "d", &e) == 0);
	}
	CU_ASSERT_FATAL(hwf_app_pack(fd, it, n, &po, NULL, NULL, &e) == 0);
	for (size_t i = 0; i < n; i++)
		hwf_source_close(it[i].src);
	close(fd);
	CU_ASSERT_FATAL(hwf_source_open_file(src, path, &e) == 0);
	CU_ASSERT_FATAL(hwf_app_open(&app, *src, &e) == 0);
	free(path);
	return app;
}

static void test_profile_best_fit_and_names(void)
{
	static const uint32_t seqs[] = {0xfe000000u, 0xfc000000u, 0x00000000u, 0xe8000000u,
					0x12345678u};
	struct hwf_source *src;
	struct hwf_app *app = open_legacy("legacy1.APP", seqs, 5, &src);
	size_t known = 0, legacy = 0;
	int forced = 1;
	struct hwf_err e = {0};
	const struct hwf_app_entry *en;

	/* E8000000 is only in msm8x25 and msm8953; msm8x25 names all four known ids too. */
	CU_ASSERT_STRING_EQUAL(hwf_app_profile_used(app, &known, &legacy, &forced), "msm8x25");
	CU_ASSERT_EQUAL(known, 4);
	CU_ASSERT_EQUAL(legacy, 5);
	CU_ASSERT_EQUAL(forced, 0);
	en = hwf_app_entry(app, 0);
	CU_ASSERT_STRING_EQUAL(en->name, "INPUT_FE000000");
	CU_ASSERT_STRING_EQUAL(en->seq_name, "SIGNATURE?");
	CU_ASSERT_STRING_EQUAL(en->file_name, "signature.img");
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(app, 1)->file_name, "boot.img");
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(app, 2)->file_name, "system.img");
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(app, 3)->file_name, "boot_versions_list.img");
	/* An id no profile row names: <index>_<seq>.img (reference §5.2). */
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(app, 4)->seq_name, "");
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(app, 4)->file_name, "4_12345678.img");
	/* Picked by name: names change, display names do not. */
	CU_ASSERT_EQUAL(hwf_app_use_profile(app, "MSM8953", &e), 0);
	CU_ASSERT_STRING_EQUAL(hwf_app_profile_used(app, &known, NULL, &forced), "msm8953");
	CU_ASSERT_EQUAL(forced, 1);
	CU_ASSERT_STRING_EQUAL(en->seq_name, "SHA256RSA");
	CU_ASSERT_STRING_EQUAL(en->file_name, "sha256rsa.img");
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(app, 3)->file_name, "oemsbl_verlist.img");
	CU_ASSERT_STRING_EQUAL(en->name, "INPUT_FE000000");
	CU_ASSERT_PTR_EQUAL(hwf_app_find(app, "input_fe000000"), en);
	CU_ASSERT_EQUAL(hwf_app_use_profile(app, "nope", &e), HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "u8220, msm8x25, hue-g610, hue-g526, msm8953"));
	hwf_app_close(app);
	hwf_source_close(src);
}

static void test_profile_table(void)
{
	static const uint32_t u8220[] = {0x10000000u, 0x60000000u, 0x30000000u};
	static const uint32_t shared[] = {0x00000000u, 0xfc000000u};
	static const uint32_t none[] = {0x01020304u};
	size_t known = 9;

	CU_ASSERT_STRING_EQUAL(hwf_app_profile_best(u8220, 3, &known)->name, "u8220");
	CU_ASSERT_EQUAL(known, 3);
	/* A tie goes to the profile with the fewest rows left unused. */
	CU_ASSERT_STRING_EQUAL(hwf_app_profile_best(shared, 2, &known)->name, "hue-g610");
	CU_ASSERT_PTR_NULL(hwf_app_profile_best(none, 1, &known));
	CU_ASSERT_EQUAL(known, 0);
	/* Every profile: ids unique, names non-empty (one row per id). */
	for (size_t i = 0; i < hwf_app_profile_count(); i++) {
		const struct hwf_app_profile *p = hwf_app_profile_at(i);

		CU_ASSERT_PTR_EQUAL(hwf_app_profile_find(p->name), p);
		for (size_t r = 0; r < p->nrows; r++) {
			CU_ASSERT(p->rows[r].name[0] != '\0');
			CU_ASSERT_PTR_EQUAL(hwf_app_profile_row(p, p->rows[r].seq), &p->rows[r]);
		}
	}
}

static void test_profile_not_for_named_packages(void)
{
	static const char *const names[] = {"BOOT"};
	static const size_t sizes[] = {10};
	char *pkg = make_pkg("named.APP", names, sizes, 1);
	struct run r;
	size_t legacy = 9;

	run_edit(&r, pkg, "unused.out");
	CU_ASSERT_PTR_NULL(hwf_app_profile_used(r.app, NULL, &legacy, NULL));
	CU_ASSERT_EQUAL(legacy, 0);
	CU_ASSERT_STRING_EQUAL(hwf_app_find(r.app, "BOOT")->seq_name, "");
	run_free(&r);
	free(pkg);
}

void hwf_suite_appedit(void)
{
	CU_pSuite s = CU_add_suite("appedit", setup, teardown);

	CU_add_test(s, "replace keeps every other byte; the CRC entry recomputed",
		    test_replace_keeps_the_rest);
	CU_add_test(s, "remove", test_remove);
	CU_add_test(s, "refusals write nothing", test_refusals_write_nothing);
	CU_add_test(s, "a bad input block, a spoilt output: nothing written",
		    test_bad_input_and_spoilt_output);
	CU_add_test(s, "a CRC entry of another layout is kept as stored",
		    test_unrecognised_crc_entry_kept);
	CU_add_test(s, "legacy entries named by the best-fitting profile, or the one picked",
		    test_profile_best_fit_and_names);
	CU_add_test(s, "the profile table: best fit, ties, one row per id", test_profile_table);
	CU_add_test(s, "no profile for a package with names", test_profile_not_for_named_packages);
}
