// SPDX-License-Identifier: MIT
/*
 * The liblp reader and check (formats/image/liblp.h) against images made
 * by the independent judge tests/tools/lpjudge.py (written from the
 * format, not from this code) and by our own writer: byte-identical
 * metadata both ways, each reads what the other writes; then damaged
 * copies (geometry, header, tables) with the fallback to the backup,
 * extents out of range or overlapping, truncated files, a sparse super
 * (img2simg), image check and image unpack of super images.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/image/imagecheck.h"
#include "formats/image/liblp.h"
#include "formats/image/liblp_build.h"
#include "formats/image/sparse.h"
#include "formats/image/unpack.h"
#include "tests/unit/testutil.h"

static char *fx; /* scratch folder: the judge's images and ours */
static char judge[4400];

#define DEV  (8u << 20)
#define META 65536u
/* The layout both builders make: lpmake's arguments. */
#define JUDGE_ARGS                                                                                 \
	"--device-size 8388608 --metadata-size 65536 --metadata-slots 2 --group main:6291456 "     \
	"--partition system_a:readonly:300000:main --partition vendor_a:readonly:8192:main "       \
	"--partition odm_a:none:0"

/* The judges run in the fixture folder. */
#define sh(...) tu_sh(fx, __VA_ARGS__)

/* Our builder, the same steps as JUDGE_ARGS. */
static int build_ours(struct hwf_lp_metadata *m)
{
	struct hwf_lp_device_opts o = {.size = DEV, .metadata_max_size = META, .slot_count = 2};
	struct hwf_lp_builder *b;
	struct hwf_err e = {0};
	int rc = hwf_lp_builder_new(&b, &o, &e);

	if (rc)
		return rc;
	rc = hwf_lp_builder_add_group(b, "main", 6291456, &e) ||
	     hwf_lp_builder_add_partition(b, "system_a", "main", HWF_LP_ATTR_READONLY, &e) ||
	     hwf_lp_builder_resize_partition(b, "system_a", 300000, &e) ||
	     hwf_lp_builder_add_partition(b, "vendor_a", "main", HWF_LP_ATTR_READONLY, &e) ||
	     hwf_lp_builder_resize_partition(b, "vendor_a", 8192, &e) ||
	     hwf_lp_builder_add_partition(b, "odm_a", NULL, 0, &e) ||
	     hwf_lp_builder_export(b, m, &e);
	hwf_lp_builder_free(b);
	return rc;
}

static int write_ours(const char *name, int full, const struct hwf_lp_image *img, size_t n)
{
	struct hwf_lp_metadata m;
	struct hwf_err e = {0};
	char *path = tu_path(fx, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), rc = build_ours(&m);

	free(path);
	if (!rc)
		rc = full ? hwf_lp_write_image(&m, fd, img, n, &e) : hwf_lp_write_empty(&m, fd, &e);
	close(fd);
	hwf_lp_metadata_free(&m);
	return rc;
}

static int suite_init(void)
{
	const char *f = __FILE__, *s;
	char rel[4200], *abs;
	uint8_t *data = malloc(300000);
	int rc;

	fx = tu_mkdtemp();
	if (!fx || !data)
		return 1;
	s = strstr(f, "unit/test_liblp.c");
	snprintf(rel, sizeof(rel), "%.*stools/lpjudge.py", s ? (int)(s - f) : 0, f);
	abs = realpath(rel, NULL);
	snprintf(judge, sizeof(judge), "python3 '%s'", abs ? abs : rel);
	free(abs);
	tu_random(data, 300000, 15);
	{
		char *p = tu_path(fx, "system.img");

		rc = tu_write(p, data, 300000);
		free(p);
		p = tu_path(fx, "vendor.img");
		rc |= tu_write(p, data + 1000, 8192);
		free(p);
	}
	free(data);
	return rc || sh("%s build -o j_empty.img " JUDGE_ARGS, judge) ||
	       sh("%s build -o j_super.img " JUDGE_ARGS
		  " --image system_a=system.img --image vendor_a=vendor.img",
		  judge) ||
	       sh("img2simg j_super.img j_super.simg");
}

static int suite_clean(void)
{
	tu_rmtree(fx);
	free(fx);
	return 0;
}

/* The whole file @name, malloc'ed; *@len its size. */
static uint8_t *slurp(const char *name, size_t *len)
{
	char *p = tu_path(fx, name);
	FILE *f = fopen(p, "rb");
	uint8_t *b = NULL;
	long n;

	free(p);
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

struct found {
	int errors, warnings;
	char first[400];
	char all[4000];
};

static void on_finding(void *ctx, int sev, const char *text)
{
	struct found *f = ctx;
	size_t n = strlen(f->all);

	if (sev == HWF_LP_ERROR && !f->errors++)
		snprintf(f->first, sizeof(f->first), "%s", text);
	if (sev == HWF_LP_WARN)
		f->warnings++;
	snprintf(f->all + n, sizeof(f->all) - n, "%s\n", text);
}

/* Open @b (@len bytes) and check it: the open's code; the check's findings in @f. */
static int open_check(const uint8_t *b, size_t len, struct found *f, struct hwf_lp_info *info,
		      struct hwf_err *e)
{
	struct hwf_source *src;
	struct hwf_lp *lp;
	int rc;

	memset(f, 0, sizeof(*f));
	hwf_source_open_mem(&src, b, len, "super.img", e);
	rc = hwf_lp_open(&lp, src, 0, e);
	if (!rc) {
		CU_ASSERT(hwf_lp_check(lp, on_finding, f, e) >= 0);
		if (info)
			*info = *hwf_lp_info(lp);
		hwf_lp_close(lp);
	}
	hwf_source_close(src);
	return rc;
}

static int has(const char *text, const char *want)
{
	if (strstr(text, want))
		return 1;
	fprintf(stderr, "\n    '%s' lacks '%s'\n", text, want);
	return 0;
}

/* The judge's super_empty.img and ours are the same bytes; so is the metadata area of a full image.
 */
static void test_same_bytes_as_judge(void)
{
	struct hwf_lp_image img[2];
	struct hwf_source *sys, *ven;
	struct hwf_err e = {0};
	size_t la, lb;
	uint8_t *a, *b;
	char *p;

	CU_ASSERT_EQUAL_FATAL(write_ours("o_empty.img", 0, NULL, 0), 0);
	a = slurp("j_empty.img", &la);
	b = slurp("o_empty.img", &lb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(la, lb);
	CU_ASSERT(la == lb && !memcmp(a, b, la));
	free(a);
	free(b);
	p = tu_path(fx, "system.img");
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&sys, p, &e), 0);
	free(p);
	p = tu_path(fx, "vendor.img");
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&ven, p, &e), 0);
	free(p);
	img[0] = (struct hwf_lp_image){"system_a", sys};
	img[1] = (struct hwf_lp_image){"vendor_a", ven};
	CU_ASSERT_EQUAL(write_ours("o_super.img", 1, img, 2), 0);
	hwf_source_close(sys);
	hwf_source_close(ven);
	a = slurp("j_super.img", &la);
	b = slurp("o_super.img", &lb);
	CU_ASSERT_EQUAL(la, DEV);
	CU_ASSERT(la == lb && !memcmp(a, b, la));
	free(a);
	free(b);
	/* The judge reads and checks what we wrote, and extracts what we put in. */
	CU_ASSERT_EQUAL(sh("%s check o_super.img && %s check o_empty.img", judge, judge), 0);
	CU_ASSERT_EQUAL(
	    sh("%s extract o_super.img vendor_a v.out && cmp -n 8192 v.out vendor.img", judge), 0);
}

/* We read the judge's images: listing, partitions' bytes, a clean check. */
static void test_read_judge_images(void)
{
	const char *files[] = {"j_super.img", "j_super.simg"};
	uint8_t *want = malloc(300000);

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	tu_random(want, 300000, 15); /* vendor.img is bytes 1000 to 9192 of it */
	for (int i = 0; i < 2; i++) {
		const struct hwf_lp_metadata *m;
		struct hwf_source *src, *ps;
		struct hwf_err e = {0};
		struct found f = {0};
		struct hwf_lp *lp;
		uint8_t got[8192];
		char *p = tu_path(fx, files[i]);

		CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&src, p, &e), 0);
		free(p);
		CU_ASSERT_EQUAL(hwf_lp_probe(src), 1);
		CU_ASSERT_EQUAL_FATAL(hwf_lp_open(&lp, src, 1, &e), 0);
		CU_ASSERT_EQUAL(hwf_lp_info(lp)->sparse, i);
		CU_ASSERT_EQUAL(hwf_lp_info(lp)->size, DEV);
		m = hwf_lp_metadata(lp);
		CU_ASSERT_EQUAL(m->npart, 3);
		CU_ASSERT_STRING_EQUAL(m->part[1].name, "vendor_a");
		CU_ASSERT_STRING_EQUAL(m->group[m->part[1].group].name, "main");
		CU_ASSERT_EQUAL(m->part[0].size, 303104);
		CU_ASSERT_EQUAL(m->part[0].attributes, HWF_LP_ATTR_READONLY);
		CU_ASSERT_EQUAL(hwf_lp_check(lp, on_finding, &f, &e), 0);
		CU_ASSERT_EQUAL(f.warnings, 0);
		CU_ASSERT_EQUAL_FATAL(hwf_lp_open_partition(lp, 1, &ps, &e), 0);
		CU_ASSERT_EQUAL(hwf_source_size(ps), 8192);
		/* Read across the middle: the bytes the judge put there. */
		CU_ASSERT_EQUAL(hwf_source_read_exact(ps, got, 5000, 3000, &e), 0);
		CU_ASSERT(!memcmp(got, want + 1000 + 3000, 5000));
		hwf_source_close(ps);
		hwf_lp_close(lp);
		hwf_source_close(src);
	}
	free(want);
}

/* Damaged copies: liblp falls back to the backup, the check names the damage. */
static void test_damage_falls_back(void)
{
	struct hwf_lp_info in;
	struct hwf_err e = {0};
	struct found f;
	size_t len, slot1 = 12288 + META, backup0 = 12288 + 2 * META;
	uint8_t *b = slurp("j_super.img", &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	b[4096 + 44] ^= 1; /* primary geometry: slot count */
	CU_ASSERT_EQUAL(open_check(b, len, &f, &in, &e), 0);
	CU_ASSERT(in.geometry_backup);
	CU_ASSERT(has(in.geometry_why, "SHA-256"));
	CU_ASSERT_EQUAL(f.errors, 1);
	CU_ASSERT(has(f.first, "the primary geometry at byte 4096 is damaged"));
	b[8192 + 44] ^= 1; /* and the backup */
	CU_ASSERT_EQUAL(open_check(b, len, &f, NULL, &e), HWF_ECRC);
	CU_ASSERT(has(e.msg, "the liblp geometry is damaged"));
	b[4096 + 44] ^= 1;
	b[8192 + 44] ^= 1;
	b[12288 + 6] ^= 1; /* slot 0's header: the minor version */
	CU_ASSERT_EQUAL(open_check(b, len, &f, &in, &e), 0);
	CU_ASSERT(in.metadata_backup);
	CU_ASSERT(has(in.metadata_why, "slot 0 (primary, at byte 12288)"));
	CU_ASSERT(has(f.first, "header's SHA-256 checksum does not match"));
	b[12288 + 6] ^= 1;
	b[slot1 + 128 + 10] ^= 1; /* slot 1's tables */
	CU_ASSERT_EQUAL(open_check(b, len, &f, &in, &e), 0);
	CU_ASSERT(!in.metadata_backup);
	CU_ASSERT_EQUAL(f.errors, 1);
	CU_ASSERT(has(f.first, "slot 1 (primary, at byte 77824): the tables' SHA-256"));
	b[slot1 + 128 + 10] ^= 1;
	b[12288 + 6] ^= 1;
	b[backup0 + 6] ^= 1; /* both copies of slot 0 */
	CU_ASSERT_EQUAL(open_check(b, len, &f, NULL, &e), HWF_ECRC);
	CU_ASSERT(has(e.msg, "super.img: liblp metadata slot 0 (backup, at byte 143360)"));
	free(b);
}

/*
 * Metadata that is whole but wrong: rewritten through our writer with
 * extents moved (the writer does not judge content; the check does).
 */
static void test_bad_extents_and_groups(void)
{
	static const struct {
		int part, field;
		uint64_t value;
		const char *want;
	} cases[] = {
	    {1, 0, 2048, "system_a and vendor_a overlap at sectors 2048 to 2064"},
	    {1, 0, 16380, "vendor_a: extent 0 (sectors 16380 to 16396) ends past the end"},
	    {0, 0, 100, "system_a: extent 0 starts at sector 100, inside the metadata area"},
	    {0, 1, 6291456 / 512, "group main holds"},
	    {1, 2, 7, "vendor_a: extent 0 has unknown type 7"},
	};
	struct hwf_lp_metadata m;
	struct hwf_err e = {0};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hwf_lp_extent *x;
		struct found f;
		size_t len;
		uint8_t *b;
		char *p = tu_path(fx, "bad.img");
		int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);

		free(p);
		CU_ASSERT_EQUAL_FATAL(build_ours(&m), 0);
		x = &m.ext[m.part[cases[i].part].first_extent];
		if (cases[i].field == 0)
			x->target = cases[i].value;
		else if (cases[i].field == 1)
			x->sectors = cases[i].value;
		else
			x->type = (uint32_t)cases[i].value;
		CU_ASSERT_EQUAL(hwf_lp_write_metadata(&m, fd, &e), 0);
		CU_ASSERT_EQUAL(ftruncate(fd, DEV), 0);
		close(fd);
		hwf_lp_metadata_free(&m);
		b = slurp("bad.img", &len);
		CU_ASSERT_EQUAL(open_check(b, len, &f, NULL, &e), 0);
		CU_ASSERT(f.errors >= 1);
		CU_ASSERT(has(f.all, cases[i].want));
		free(b);
	}
	CU_ASSERT_EQUAL(sh("! %s check bad.img", judge), 0); /* the judge agrees the last is bad */
}

/* A file cut short: inside the metadata, or before the partitions' data. */
static void test_truncated(void)
{
	struct hwf_source *src, *ps;
	struct hwf_err e = {0};
	struct hwf_lp *lp;
	struct found f;
	size_t len;
	uint8_t *b = slurp("j_super.img", &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(open_check(b, 2101248, &f, NULL, &e), 0);
	CU_ASSERT(
	    has(f.first, "truncated: the partitions reach byte 2105344, the image has 2.0 MiB"));
	hwf_source_open_mem(&src, b, 2101248, "cut.img", &e);
	CU_ASSERT_EQUAL_FATAL(hwf_lp_open(&lp, src, 0, &e), 0);
	CU_ASSERT_EQUAL(hwf_lp_open_partition(lp, 0, &ps, &e), 0);
	hwf_source_close(ps);
	CU_ASSERT_EQUAL(hwf_lp_open_partition(lp, 1, &ps, &e), HWF_ETRUNC);
	CU_ASSERT(
	    has(e.msg, "cut.img: vendor_a: extent 0 (sectors 4096 to 4112) lies past the end"));
	hwf_lp_close(lp);
	hwf_source_close(src);
	CU_ASSERT_EQUAL(open_check(b, 12288 + 100, &f, NULL, &e), HWF_ETRUNC);
	CU_ASSERT(has(e.msg, "the file ends inside the header"));
	CU_ASSERT_EQUAL(open_check(b, 5000, &f, NULL, &e), HWF_ETRUNC);
	CU_ASSERT_EQUAL(open_check(b, 100, &f, NULL, &e), HWF_EFORMAT);
	CU_ASSERT(has(e.msg, "not a liblp super image"));
	free(b);
	b = slurp("j_empty.img", &len);
	CU_ASSERT_EQUAL(open_check(b, len - 1, &f, NULL, &e), HWF_ETRUNC);
	CU_ASSERT(has(e.msg, "the file ends inside the tables"));
	free(b);
}

/* The sparse view reads what simg2img would write, at any offset. */
static void test_sparse_view(void)
{
	struct hwf_source *sp, *view;
	struct hwf_err e = {0};
	size_t len;
	uint8_t *raw = slurp("j_super.img", &len), got[70000];
	char *p = tu_path(fx, "j_super.simg");
	static const uint64_t at[] = {0, 4000, 12288, 1048000, 1052672, 2097100, DEV - 70000};

	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&sp, p, &e), 0);
	free(p);
	CU_ASSERT_EQUAL_FATAL(hwf_sparse_open_view(&view, sp, &e), 0);
	CU_ASSERT_EQUAL(hwf_source_size(view), DEV);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		CU_ASSERT_EQUAL(hwf_source_read_exact(view, got, sizeof(got), at[i], &e), 0);
		CU_ASSERT(!memcmp(got, raw + at[i], sizeof(got)));
	}
	hwf_source_close(view);
	hwf_source_close(sp);
	free(raw);
}

/* image check: a sound super passes for super; a damaged one fails with the sentence. */
static void test_image_check(void)
{
	struct hwf_image_check_opts o = {.partition = "super"};
	struct hwf_image_report r;
	struct hwf_source *src;
	struct hwf_err e = {0};
	size_t len;
	uint8_t *b = slurp("j_super.img", &len);

	hwf_source_open_mem(&src, b, len, "super.img", &e);
	CU_ASSERT_EQUAL(hwf_image_check(src, &o, &r, NULL, NULL, &e), 0);
	CU_ASSERT(r.ok);
	CU_ASSERT_EQUAL(r.kind, HWF_KIND_SUPER);
	CU_ASSERT(has(r.find[r.nfind - 1].text, "logical partitions: system_a 296.0 KiB"));
	b[8192 + 40] ^= 1;
	CU_ASSERT_EQUAL(hwf_image_check(src, &o, &r, NULL, NULL, &e), 0);
	CU_ASSERT(!r.ok);
	CU_ASSERT(has(r.find[1].text, "the backup geometry at byte 8192 is damaged"));
	hwf_source_close(src);
	free(b);
	b = slurp("j_empty.img", &len);
	hwf_source_open_mem(&src, b, len, "super_empty.img", &e);
	CU_ASSERT_EQUAL(hwf_image_check(src, &o, &r, NULL, NULL, &e), 0);
	CU_ASSERT(!r.ok);
	CU_ASSERT(has(r.find[r.nfind - 1].text, "update-super"));
	hwf_source_close(src);
	free(b);
}

/* image unpack of the sparse super: each partition as NAME.img, equal to the judge's extraction. */
static void test_unpack_sparse_super(void)
{
	struct hwf_unpack_opts o = {0};
	struct hwf_unpack_result res;
	struct hwf_source *src;
	struct hwf_err e = {0};
	char *p = tu_path(fx, "j_super.simg"), *out = tu_path(fx, "unpacked");

	o.dir = out;
	o.name = p;
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&src, p, &e), 0);
	CU_ASSERT_EQUAL(hwf_image_unpack(src, &o, &res, &e), 0);
	CU_ASSERT(res.super && res.sparse);
	CU_ASSERT_EQUAL(res.nfiles, 3);
	CU_ASSERT(has(res.file[2].path, "unpacked/odm_a.img"));
	CU_ASSERT_EQUAL(res.file[0].size, 303104);
	hwf_unpack_result_free(&res);
	CU_ASSERT_EQUAL(
	    sh("%s extract j_super.img system_a s.out && cmp s.out unpacked/system_a.img "
	       "&& cmp -n 300000 system.img unpacked/system_a.img",
	       judge),
	    0);
	/* Again without force: refused before anything is written. */
	CU_ASSERT_EQUAL(hwf_image_unpack(src, &o, &res, &e), HWF_EEXIST);
	hwf_unpack_result_free(&res);
	hwf_source_close(src);
	free(p);
	p = tu_path(fx, "j_empty.img");
	o.name = p;
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&src, p, &e), 0);
	CU_ASSERT_EQUAL(hwf_image_unpack(src, &o, &res, &e), HWF_EINVAL);
	CU_ASSERT(has(e.msg, "holds only metadata"));
	hwf_unpack_result_free(&res);
	hwf_source_close(src);
	free(p);
	free(out);
}

void hwf_suite_liblp(void)
{
	CU_pSuite s = CU_add_suite("liblp reader and check", suite_init, suite_clean);

	CU_add_test(s, "our super_empty and super images are the judge's bytes",
		    test_same_bytes_as_judge);
	CU_add_test(s, "the judge's images read: raw and sparse, listing and data",
		    test_read_judge_images);
	CU_add_test(s, "damaged geometry, header or tables: the backup is used, the check says so",
		    test_damage_falls_back);
	CU_add_test(s, "extents overlapping, out of range, in the metadata; group over its limit",
		    test_bad_extents_and_groups);
	CU_add_test(s, "truncated images refused with the offsets", test_truncated);
	CU_add_test(s, "sparse view reads as the expanded image", test_sparse_view);
	CU_add_test(s, "image check of super and super_empty", test_image_check);
	CU_add_test(s, "image unpack of a sparse super matches the judge's extraction",
		    test_unpack_sparse_super);
}
