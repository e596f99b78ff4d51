// SPDX-License-Identifier: MIT
/* image unpack's engine, in process: boot image sections, a sparse image expanded. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/image/unpack.h"
#include "tests/unit/testutil.h"

static char *dir;
static int with_manifest; /* run() with o.manifest (the ramdisk folder too) */

static int setup(void)
{
	dir = tu_mkdtemp();
	return dir ? 0 : -1;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	return 0;
}

#define KERNEL_LEN  10000
#define RAMDISK_LEN 5000

/* A boot image v3: 4096-byte header, kernel and ramdisk each padded to 4096. */
static size_t boot_v3(uint8_t *img, size_t cap)
{
	size_t len = 4096 + 12288 + 8192;

	CU_ASSERT_FATAL(cap >= len);
	memset(img, 0, len);
	memcpy(img, "ANDROID!", 8);
	put_le32(img + 8, KERNEL_LEN);
	put_le32(img + 12, RAMDISK_LEN);
	put_le32(img + 20, 1580);
	put_le32(img + 40, 3);
	tu_random(img + 4096, KERNEL_LEN, 1);
	tu_random(img + 4096 + 12288, RAMDISK_LEN, 2);
	return len;
}

struct told {
	int steps, ends;
	char written[8][4200];
	size_t nwritten;
};

static void on_event(void *ctx, const struct hwf_unpack_event *ev)
{
	struct told *t = ctx;

	if (ev->kind == HWF_UEV_STEP)
		t->steps++;
	else if (ev->kind == HWF_UEV_STEP_END)
		t->ends++;
	else if (t->nwritten < 8)
		snprintf(t->written[t->nwritten++], sizeof(t->written[0]), "%s", ev->file->path);
}

struct run {
	struct hwf_unpack_opts o;
	struct hwf_unpack_result res;
	struct hwf_file_hooks hooks;
	struct tu_files files;
	struct told told;
	struct hwf_err e;
	char out[4200];
	int rc;
};

static void run(struct run *r, const char *sub, const uint8_t *img, size_t len, const char *name,
		int force)
{
	struct hwf_source *src;

	memset(r, 0, sizeof(*r));
	snprintf(r->out, sizeof(r->out), "%s/%s", dir, sub);
	tu_file_hooks(&r->files, &r->hooks);
	r->o.dir = r->out;
	r->o.name = name;
	r->o.force = force;
	r->o.manifest = with_manifest;
	r->o.files = &r->hooks;
	r->o.event = on_event;
	r->o.ctx = &r->told;
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, len, name, &r->e), 0);
	r->rc = hwf_image_unpack(src, &r->o, &r->res, &r->e);
	hwf_source_close(src);
	CU_ASSERT_EQUAL(tu_files_left(&r->files), 0);
	CU_ASSERT(tu_count_names(r->out, "partial") <= 0);
	tu_files_free(&r->files);
}

/* @path holds @len bytes of seed @seed. */
static int holds(const char *path, size_t len, uint64_t seed)
{
	uint8_t *want = malloc(len + 1), *got = malloc(len + 2);
	FILE *f = fopen(path, "rb");
	int ok = 0;

	if (f) {
		tu_random(want, len, seed);
		ok = fread(got, 1, len + 1, f) == len && !memcmp(got, want, len);
		fclose(f);
	}
	free(want);
	free(got);
	return ok;
}

static void test_boot_sections_written(void)
{
	static uint8_t img[32768];
	size_t len = boot_v3(img, sizeof(img));
	char path[4300];
	struct run r;

	run(&r, "boot/x", img, len, "boot.img", 0);
	CU_ASSERT_EQUAL_FATAL(r.rc, 0);
	CU_ASSERT(!r.res.sparse && !r.res.vendor);
	CU_ASSERT_EQUAL(r.res.nfiles, 2);
	CU_ASSERT_STRING_EQUAL(r.res.file[0].section, "kernel");
	CU_ASSERT_EQUAL(r.res.file[1].size, RAMDISK_LEN);
	snprintf(path, sizeof(path), "%s/kernel", r.out);
	CU_ASSERT(holds(path, KERNEL_LEN, 1));
	CU_ASSERT_STRING_EQUAL(r.told.written[0], path);
	snprintf(path, sizeof(path), "%s/ramdisk", r.out);
	CU_ASSERT(holds(path, RAMDISK_LEN, 2));
	CU_ASSERT_EQUAL(r.told.nwritten, 2);
	CU_ASSERT_EQUAL(r.files.made, 2);
	hwf_unpack_result_free(&r.res);
}

/* Nothing replaced without force, and that is known before the first file is written. */
static void test_existing_file_refused_before_writing(void)
{
	static uint8_t img[32768];
	size_t len = boot_v3(img, sizeof(img));
	char path[4300];
	struct run r;

	snprintf(path, sizeof(path), "%s/ex", dir);
	CU_ASSERT_EQUAL(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/ex/ramdisk", dir);
	CU_ASSERT_EQUAL(tu_write(path, "old", 3), 0);
	run(&r, "ex", img, len, "boot.img", 0);
	CU_ASSERT_EQUAL(r.rc, HWF_EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "ex/ramdisk: exists; not replaced (use --force)"));
	CU_ASSERT_EQUAL(tu_count_names(r.out, "kernel"), 0);
	CU_ASSERT_EQUAL(r.files.made, 0);
	CU_ASSERT_EQUAL(tu_size(path), 3);
	hwf_unpack_result_free(&r.res);
	run(&r, "ex", img, len, "boot.img", 1);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(holds(path, RAMDISK_LEN, 2));
	hwf_unpack_result_free(&r.res);
}

static void test_truncated_or_foreign_refused(void)
{
	static uint8_t img[32768];
	size_t len = boot_v3(img, sizeof(img));
	struct run r;

	run(&r, "cut", img, len - 100, "cut.img", 0);
	CU_ASSERT_EQUAL(r.rc, HWF_ETRUNC);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "cut.img: truncated: header says 24576 bytes, "
					       "file has 24476"));
	CU_ASSERT_EQUAL(access(r.out, F_OK), -1);
	memcpy(img, "NOTBOOT!", 8);
	hwf_unpack_result_free(&r.res);
	run(&r, "foreign", img, len, "foreign.img", 0);
	CU_ASSERT_EQUAL(r.rc, HWF_EFORMAT);
	CU_ASSERT_EQUAL(access(r.out, F_OK), -1);
	hwf_unpack_result_free(&r.res);
}

static void test_sparse_expanded(void)
{
	/* 4 blocks of 4096: RAW (1 block), FILL (2 blocks), DONT_CARE (1 block). */
	static uint8_t img[28 + 12 + 4096 + 12 + 4 + 12];
	static uint8_t want[4 * 4096];
	uint8_t *p = img;
	char path[4300];
	struct run r;

	put_le32(p, 0xed26ff3a);
	put_le16(p + 4, 1);
	put_le16(p + 8, 28);
	put_le16(p + 10, 12);
	put_le32(p + 12, 4096);
	put_le32(p + 16, 4);
	put_le32(p + 20, 3);
	p += 28;
	put_le16(p, 0xcac1);
	put_le32(p + 4, 1);
	put_le32(p + 8, 12 + 4096);
	tu_random(p + 12, 4096, 9);
	memcpy(want, p + 12, 4096);
	p += 12 + 4096;
	put_le16(p, 0xcac2);
	put_le32(p + 4, 2);
	put_le32(p + 8, 16);
	memset(p + 12, 0xab, 4);
	memset(want + 4096, 0xab, 8192);
	p += 16;
	put_le16(p, 0xcac3);
	put_le32(p + 4, 1);
	put_le32(p + 8, 12);
	run(&r, "sp", img, sizeof(img), "dir.d/system.simg", 0);
	CU_ASSERT_EQUAL_FATAL(r.rc, 0);
	CU_ASSERT(r.res.sparse);
	CU_ASSERT_EQUAL(r.res.nfiles, 1);
	CU_ASSERT_STRING_EQUAL(r.res.file[0].section, "expanded");
	snprintf(path, sizeof(path), "%s/system.raw", r.out);
	CU_ASSERT_STRING_EQUAL(r.res.file[0].path, path);
	CU_ASSERT_EQUAL(r.res.file[0].size, sizeof(want));
	CU_ASSERT_EQUAL(tu_size(path), (long long)sizeof(want));
	CU_ASSERT(r.told.steps == 1 && r.told.ends == 1);
	{
		FILE *f = fopen(path, "rb");
		static uint8_t got[sizeof(want)];

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(fread(got, 1, sizeof(got), f), sizeof(got));
		fclose(f);
		CU_ASSERT(!memcmp(got, want, sizeof(want)));
	}
	hwf_unpack_result_free(&r.res);
}

/* One newc entry (mkbootfs style) at @p; returns its length. */
static size_t newc(uint8_t *p, unsigned ino, unsigned mode, const char *name, const char *data)
{
	size_t nl = strlen(name) + 1, dl = strlen(data), n;

	n = (size_t)sprintf((char *)p,
			    "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ino,
			    mode, 0u, 0u, 1u, 0u, dl, 0u, 0u, 0u, 0u, nl, 0u);
	memcpy(p + n, name, nl);
	n += nl;
	while (n % 4)
		p[n++] = 0;
	memcpy(p + n, data, dl);
	n += dl;
	while (n % 4)
		p[n++] = 0;
	return n;
}

/* boot_v3 with a bare cpio ramdisk holding "prop" = @prop (or random bytes when NULL). */
static size_t boot_v3_cpio(uint8_t *img, size_t cap, const char *prop)
{
	size_t len = boot_v3(img, cap), n = 0;
	uint8_t *rd = img + 4096 + 12288;

	if (!prop)
		return len;
	memset(rd, 0, 8192);
	n += newc(rd + n, 1, 0100644, "prop", prop);
	n += newc(rd + n, 0, 0, "TRAILER!!!", "");
	CU_ASSERT_FATAL(n <= 8192);
	put_le32(img + 12, (uint32_t)n);
	return len;
}

static int file_holds(const char *path, const char *text)
{
	char got[256] = {0};
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(got, 1, sizeof(got) - 1, f) : 0;

	if (f)
		fclose(f);
	return n == strlen(text) && !memcmp(got, text, n);
}

/*
 * --force over an earlier unpack: the ramdisk folder and its list are
 * replaced (an edit made there is gone, the new image's files are in), with
 * nothing of the staging folder left; without force both are refused.  A
 * ramdisk that cannot be a folder leaves the earlier folder, and the
 * manifest says it is not used.
 */
static void test_force_replaces_ramdisk_folder(void)
{
	static uint8_t img[32768];
	char path[4300], path2[4300];
	struct run r;
	size_t len;

	with_manifest = 1;
	len = boot_v3_cpio(img, sizeof(img), "ro.old=1\n");
	run(&r, "rf", img, len, "rec.img", 0);
	CU_ASSERT_EQUAL_FATAL(r.rc, 0);
	hwf_unpack_result_free(&r.res);
	snprintf(path, sizeof(path), "%s/rf/ramdisk.d/prop", dir);
	CU_ASSERT(file_holds(path, "ro.old=1\n"));
	snprintf(path2, sizeof(path2), "%s/rf/ramdisk.d/added", dir);
	CU_ASSERT_EQUAL(tu_write(path2, "mine", 4), 0);

	len = boot_v3_cpio(img, sizeof(img), "ro.new=2\n");
	snprintf(path, sizeof(path), "%s/rf/kernel", dir);
	CU_ASSERT_EQUAL(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/rf/ramdisk", dir);
	CU_ASSERT_EQUAL(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/rf/manifest.txt", dir);
	CU_ASSERT_EQUAL(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/rf/trailer.bin", dir);
	CU_ASSERT_EQUAL(unlink(path), 0);
	run(&r, "rf", img, len, "rec.img", 0);
	CU_ASSERT_EQUAL(r.rc, HWF_EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "rf/ramdisk.d: exists; not replaced (use --force)"));
	hwf_unpack_result_free(&r.res);

	run(&r, "rf", img, len, "rec.img", 1);
	CU_ASSERT_EQUAL_FATAL(r.rc, 0);
	hwf_unpack_result_free(&r.res);
	snprintf(path, sizeof(path), "%s/rf/ramdisk.d/prop", dir);
	CU_ASSERT(file_holds(path, "ro.new=2\n"));
	CU_ASSERT_EQUAL(access(path2, F_OK), -1);
	snprintf(path, sizeof(path), "%s/rf", dir);
	CU_ASSERT_EQUAL(tu_count_names(path, "old.d"), 0);
	CU_ASSERT_EQUAL(tu_count_names(path, ".ramdisk"), 0);
	snprintf(path, sizeof(path), "%s/rf/manifest.txt", dir);
	{
		char text[8192] = {0};
		FILE *f = fopen(path, "rb");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT(fread(text, 1, sizeof(text) - 1, f) > 0);
		fclose(f);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "ramdisk_list = ramdisk.list"));
		CU_ASSERT_PTR_NULL(strstr(text, "ramdisk_tree_note"));
	}

	/* Not a cpio now: the earlier folder stays, named as not used. */
	len = boot_v3_cpio(img, sizeof(img), NULL);
	run(&r, "rf", img, len, "rec.img", 1);
	CU_ASSERT_EQUAL_FATAL(r.rc, 0);
	hwf_unpack_result_free(&r.res);
	{
		char text[8192] = {0};
		FILE *f = fopen(path, "rb");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT(fread(text, 1, sizeof(text) - 1, f) > 0);
		fclose(f);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "the ramdisk.d there is older and not used"));
		CU_ASSERT_PTR_NULL(strstr(text, "ramdisk_list = "));
	}
	snprintf(path, sizeof(path), "%s/rf/ramdisk.d/prop", dir);
	CU_ASSERT(file_holds(path, "ro.new=2\n"));
	with_manifest = 0;
}

void hwf_suite_unpack(void)
{
	CU_pSuite s = CU_add_suite("unpack", setup, teardown);

	CU_add_test(s, "boot image sections written", test_boot_sections_written);
	CU_add_test(s, "an existing file refused before anything is written",
		    test_existing_file_refused_before_writing);
	CU_add_test(s, "truncated or foreign images refused, nothing made",
		    test_truncated_or_foreign_refused);
	CU_add_test(s, "a sparse image expanded to NAME.raw", test_sparse_expanded);
	CU_add_test(s, "--force replaces the ramdisk folder and list, after the new one is whole",
		    test_force_replaces_ramdisk_folder);
}
