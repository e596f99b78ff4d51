// SPDX-License-Identifier: MIT
/* formats/dload: the plan from every kind of SOURCE, and the verification of the sources. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/dload/dload.h"
#include "tests/unit/dlutil.h"
#include "tests/unit/fatutil.h"
#include "tests/unit/testutil.h"

static char *dir;

static int setup(void)
{
	dir = tu_mkdtemp();
	return dir ? 0 : 1;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	return 0;
}

/* dir/@name, in a buffer of the test's. */
static const char *at(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

/* The item of @p whose rel is @rel, or NULL. */
static const struct hwf_dload_item *item(const struct hwf_dload_plan *p, const char *rel)
{
	for (size_t i = 0; i < hwf_dload_plan_count(p); i++)
		if (!strcmp(hwf_dload_plan_item(p, i)->rel, rel))
			return hwf_dload_plan_item(p, i);
	return NULL;
}

/* hwf_dload_plan_open() fails with @code and a message holding @want. */
static void plan_refused(const char *source, int code, const char *want)
{
	struct hwf_dload_plan *p = (void *)1;
	struct hwf_err e = {0};

	CU_ASSERT_EQUAL(hwf_dload_plan_open(&p, source, &e), code);
	CU_ASSERT_PTR_NULL(p);
	if (!strstr(e.msg, want))
		fprintf(stderr, "\nplan of %s said \"%s\", wanted \"%s\"\n", source, e.msg, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want));
}

/* The plan of @source verifies (0) or fails with @code and @want in the message. */
static void verify_says(const char *source, int code, const char *want)
{
	struct hwf_dload_plan *p;
	struct hwf_err e = {0};
	struct du_rec r = {0};
	struct hwf_dload_cb cb = du_cb(&r, 1);

	CU_ASSERT_EQUAL_FATAL(hwf_dload_plan_open(&p, source, &e), 0);
	CU_ASSERT_EQUAL(hwf_dload_plan_verify(p, &cb, &e), code);
	if (want && !strstr(e.msg, want))
		fprintf(stderr, "\nverify of %s said \"%s\", wanted \"%s\"\n", source, e.msg, want);
	if (want)
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want));
	CU_ASSERT_EQUAL(r.begins, r.ends);
	CU_ASSERT_EQUAL(r.asked, 0);
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_WRITING], 0);
	hwf_dload_plan_close(p);
}

static void test_plan_from_update_app(void)
{
	char pkg[4096];
	struct hwf_dload_plan *p;
	const struct hwf_dload_item *it;
	struct hwf_err e = {0};

	du_make_app(at(pkg, sizeof(pkg), "one.APP"), 300000, 1);
	CU_ASSERT_EQUAL_FATAL(hwf_dload_plan_open(&p, pkg, &e), 0);
	CU_ASSERT_EQUAL(hwf_dload_plan_count(p), 1);
	it = hwf_dload_plan_item(p, 0);
	CU_ASSERT_STRING_EQUAL(it->rel, "UPDATE.APP");
	CU_ASSERT_STRING_EQUAL(it->path, pkg);
	CU_ASSERT_STRING_EQUAL(it->member, "");
	CU_ASSERT_EQUAL(it->kind, HWF_DLOAD_APP);
	CU_ASSERT_EQUAL(it->size, (uint64_t)tu_size(pkg));
	CU_ASSERT_EQUAL(hwf_dload_plan_total(p), it->size);
	CU_ASSERT_PTR_NULL(hwf_dload_plan_item(p, 1));
	CU_ASSERT_EQUAL(hwf_dload_plan_verify(p, NULL, &e), 0);
	hwf_dload_plan_close(p);
}

static void test_plan_from_firmware_zip(void)
{
	char pkg[4096], txt[4096], zip[4096];
	const char *names[] = {"Software/readme.txt", "Software/dload/UPDATE.APP"};
	const char *files[] = {txt, pkg};
	struct hwf_dload_plan *p;
	const struct hwf_dload_item *it;
	struct hwf_err e = {0};

	du_make_app(at(pkg, sizeof(pkg), "fw.APP"), 200000, 2);
	du_write_text(at(txt, sizeof(txt), "readme.txt"), "not a package\n");
	du_make_zip(at(zip, sizeof(zip), "firmware.zip"), names, files, 2);
	CU_ASSERT_EQUAL_FATAL(hwf_dload_plan_open(&p, zip, &e), 0);
	CU_ASSERT_EQUAL(hwf_dload_plan_count(p), 1);
	it = hwf_dload_plan_item(p, 0);
	CU_ASSERT_STRING_EQUAL(it->rel, "UPDATE.APP");
	CU_ASSERT_STRING_EQUAL(it->path, zip);
	CU_ASSERT_STRING_EQUAL(it->member, "Software/dload/UPDATE.APP");
	CU_ASSERT_EQUAL(it->kind, HWF_DLOAD_APP);
	CU_ASSERT_EQUAL(it->size, (uint64_t)tu_size(pkg));
	CU_ASSERT_EQUAL(hwf_dload_plan_verify(p, NULL, &e), 0);
	hwf_dload_plan_close(p);
}

static void test_plan_from_update_sd_zip(void)
{
	char pkg[4096], bad[4096], txt[4096], zip[4096];
	const char *names[] = {"UPDATE.APP", "SD_update.tag"};
	const char *files[] = {pkg, txt};
	struct hwf_dload_plan *p;
	const struct hwf_dload_item *it;
	struct hwf_err e = {0};

	du_make_app(at(pkg, sizeof(pkg), "sd.APP"), 100000, 3);
	du_write_text(at(txt, sizeof(txt), "tag"), "SD_PACKAGE_BASEPKG");
	du_make_zip(at(zip, sizeof(zip), "update_sd_base.zip"), names, files, 2);
	CU_ASSERT_EQUAL_FATAL(hwf_dload_plan_open(&p, zip, &e), 0);
	CU_ASSERT_EQUAL(hwf_dload_plan_count(p), 1);
	it = hwf_dload_plan_item(p, 0);
	CU_ASSERT_STRING_EQUAL(it->rel, "update_sd_base.zip"); /* into dload/ as it is */
	CU_ASSERT_STRING_EQUAL(it->member, "");
	CU_ASSERT_EQUAL(it->kind, HWF_DLOAD_SDZIP);
	CU_ASSERT_EQUAL(it->size, (uint64_t)tu_size(zip));
	CU_ASSERT_EQUAL(hwf_dload_plan_verify(p, NULL, &e), 0);
	CU_ASSERT_NOT_EQUAL(it->crc, 0); /* kept for the read-back */
	hwf_dload_plan_close(p);

	/* The UPDATE.APP inside is verified too. */
	snprintf(bad, sizeof(bad), "%s/sdbad.APP", dir);
	du_make_app(bad, 100000, 3);
	du_flip(bad, 50000);
	files[0] = bad;
	du_make_zip(at(zip, sizeof(zip), "update_sd_bad.zip"), names, files, 2);
	verify_says(zip, HWF_ECRC, "update_sd_bad.zip: entry SYSTEM: ");
	verify_says(zip, HWF_ECRC, "; nothing was written to the card");
	/* An update_sd zip without a package is copied as it is. */
	du_make_zip(at(zip, sizeof(zip), "update_sd_tag.zip"), names + 1, files + 1, 1);
	verify_says(zip, 0, NULL);
}

static void test_plan_from_zip_of_update_sd_zips(void)
{
	char a[4096], base[4096], pkg[4096], txt[4096], zip[4096];
	const char *inner[] = {"UPDATE.APP"};
	const char *names[] = {"Software/dload/A/update_sd_a.zip", "Software/readme.txt",
			       "Software/dload/update_sd_base.zip"};
	const char *files[] = {a, txt, base};
	struct hwf_dload_plan *p;
	const struct hwf_dload_item *it;
	struct hwf_err e = {0};
	const char *pkgs[] = {pkg};

	du_make_app(at(pkg, sizeof(pkg), "zz.APP"), 50000, 4);
	du_make_zip(at(a, sizeof(a), "update_sd_a.zip"), inner, pkgs, 1);
	du_make_zip(at(base, sizeof(base), "update_sd_base2.zip"), inner, pkgs, 1);
	du_write_text(at(txt, sizeof(txt), "readme2.txt"), "hello\n");
	du_make_zip(at(zip, sizeof(zip), "service.zip"), names, files, 3);
	CU_ASSERT_EQUAL_FATAL(hwf_dload_plan_open(&p, zip, &e), 0);
	CU_ASSERT_EQUAL(hwf_dload_plan_count(p), 2);
	it = item(p, "A/update_sd_a.zip"); /* its path below dload/ kept */
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	CU_ASSERT_STRING_EQUAL(it->member, "Software/dload/A/update_sd_a.zip");
	CU_ASSERT_EQUAL(it->kind, HWF_DLOAD_SDZIP);
	CU_ASSERT_EQUAL(it->size, (uint64_t)tu_size(a));
	it = item(p, "update_sd_base.zip");
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	CU_ASSERT_EQUAL(it->size, (uint64_t)tu_size(base));
	CU_ASSERT_EQUAL(hwf_dload_plan_total(p), (uint64_t)(tu_size(a) + tu_size(base)));
	CU_ASSERT_EQUAL(hwf_dload_plan_verify(p, NULL, &e), 0);
	hwf_dload_plan_close(p);
}

static void test_plan_from_folder(void)
{
	char src[4096], path[4096];
	struct hwf_dload_plan *p;
	const struct hwf_dload_item *it;
	struct hwf_err e = {0};

	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "tree/DLOAD/sub")), 0);
	at(src, sizeof(src), "tree");
	du_make_app(at(path, sizeof(path), "tree/DLOAD/UPDATE.APP"), 70000, 5);
	du_write_text(at(path, sizeof(path), "tree/DLOAD/sub/note.txt"), "a note\n");
	du_write_text(at(path, sizeof(path), "tree/DLOAD/.UPDATE.APP.partial"), "leftover");
	du_write_text(at(path, sizeof(path), "tree/outside.txt"), "not in dload/");
	CU_ASSERT_EQUAL_FATAL(hwf_dload_plan_open(&p, src, &e), 0);
	CU_ASSERT_EQUAL(hwf_dload_plan_count(p), 2); /* hidden files and what is outside: no */
	it = item(p, "UPDATE.APP");
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	CU_ASSERT_EQUAL(it->kind, HWF_DLOAD_APP);
	it = item(p, "sub/note.txt");
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	CU_ASSERT_EQUAL(it->kind, HWF_DLOAD_OTHER);
	CU_ASSERT_EQUAL(it->size, 7);
	CU_ASSERT_EQUAL(hwf_dload_plan_verify(p, NULL, &e), 0);
	CU_ASSERT_NOT_EQUAL(it->crc, 0);
	hwf_dload_plan_close(p);
}

static void test_plan_refusals(void)
{
	char path[4096], src[4096], zip[4096], txt[4096];
	const char *names[] = {"readme.txt"};
	const char *files[] = {txt};

	plan_refused(at(path, sizeof(path), "nosuch.APP"), HWF_EIO, "nosuch.APP: No such file");
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "nodl/stuff")), 0);
	plan_refused(at(src, sizeof(src), "nodl"), HWF_ENOTFOUND,
		     "nodl: a folder SOURCE must hold a dload/ folder");
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "emptydl/dload")), 0);
	plan_refused(at(src, sizeof(src), "emptydl"), HWF_ENOTFOUND,
		     "emptydl: nothing to put in dload/");
	/* More files than a plan holds. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "many/dload")), 0);
	for (int i = 0; i <= HWF_DLOAD_MAX_ITEMS; i++) {
		snprintf(path, sizeof(path), "%s/many/dload/f%02d.bin", dir, i);
		du_write_text(path, "x");
	}
	plan_refused(at(src, sizeof(src), "many"), HWF_EINVAL, "more than 64 files for dload/");
	/* Folders nested deeper than a card needs. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "deep/dload/1/2/3/4/5")), 0);
	du_write_text(at(path, sizeof(path), "deep/dload/1/2/3/4/5/f.bin"), "x");
	plan_refused(at(src, sizeof(src), "deep"), HWF_EINVAL, "folders nested deeper than 4");
	/* A zip with neither a package nor update_sd zips: the package reader's words. */
	du_write_text(at(txt, sizeof(txt), "readme3.txt"), "just text\n");
	du_make_zip(at(zip, sizeof(zip), "nothing.zip"), names, files, 1);
	plan_refused(zip, HWF_ENOTFOUND, "nothing.zip");
	/* The one package of a zip past 4 GiB: refused from the zip's directory, unread. */
	du_make_zip64_sparse(at(zip, sizeof(zip), "huge.zip"), "dload/UPDATE.APP", 5ull << 30);
	plan_refused(zip, HWF_EUNSUPPORTED,
		     "huge.zip:dload/UPDATE.APP: 5368709120 bytes: FAT32 cannot hold a file of "
		     "4 GiB or more; nothing was written");
}

static void test_verify_refusals(void)
{
	char pkg[4096], path[4096], src[4096];

	/* One bad block: named with its entry, nothing written. */
	du_make_app(at(pkg, sizeof(pkg), "bad.APP"), 300000, 6);
	du_flip(pkg, 150000);
	verify_says(pkg, HWF_ECRC, "bad.APP: entry SYSTEM: 1 bad block of ");
	verify_says(pkg, HWF_ECRC, "; nothing was written to the card");
	/* A web page saved as UPDATE.APP. */
	du_write_text(at(pkg, sizeof(pkg), "page.APP"), "<html><body>404</body></html>\n");
	verify_says(pkg, HWF_EFORMAT, "page.APP: not an UPDATE.APP: it is an HTML page");
	/* A package cut short. */
	du_make_app(at(pkg, sizeof(pkg), "cut.APP"), 300000, 7);
	CU_ASSERT_EQUAL(truncate(pkg, 200000), 0);
	verify_says(pkg, HWF_ETRUNC, "cut.APP: ");
	/* A file no card can hold, refused before it is read. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "big/dload")), 0);
	du_make_sparse(at(path, sizeof(path), "big/dload/huge.bin"), HWF_DLOAD_FAT_MAX_FILE + 1);
	verify_says(at(src, sizeof(src), "big"), HWF_EUNSUPPORTED,
		    "huge.bin: 4294967296 bytes: FAT32 cannot hold a file of 4 GiB or more");
	/* Small enough, the same file verifies (read through, its CRC-32 kept). */
	CU_ASSERT_EQUAL(truncate(path, 100000), 0);
	verify_says(src, 0, NULL);
}

/* Writing a plan that was never verified is refused, and nothing is made. */
static void test_write_needs_a_verified_plan(void)
{
	char pkg[4096], card[4096], dl[4096];
	struct hwf_dload_opts o = {0, 1};
	struct hwf_dload_target *t;
	struct hwf_dload_plan *p;
	struct hwf_err e = {0};
	struct du_rec r = {0};
	struct hwf_dload_cb cb = du_cb(&r, 1);

	du_make_app(at(pkg, sizeof(pkg), "nv.APP"), 10000, 8);
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(card, sizeof(card), "nvcard")), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_dload_plan_open(&p, pkg, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_dload_target_open(&t, card, p, &o, &cb, &e), 0);
	CU_ASSERT_EQUAL(hwf_dload_target_write(t, p, &cb, &e), HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "the sources were not verified; nothing was written"));
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_WRITING], 0);
	CU_ASSERT_NOT_EQUAL(access(at(dl, sizeof(dl), "nvcard/dload"), F_OK), 0);
	/* Verified, the same target takes it. */
	CU_ASSERT_EQUAL(hwf_dload_plan_verify(p, &cb, &e), 0);
	CU_ASSERT_EQUAL(hwf_dload_target_write(t, p, &cb, &e), 0);
	CU_ASSERT(du_same(pkg, at(dl, sizeof(dl), "nvcard/dload/UPDATE.APP")));
	hwf_dload_target_close(t);
	hwf_dload_plan_close(p);
}

void hwf_suite_dload_plan(void)
{
	CU_pSuite s = CU_add_suite("dload_plan", setup, teardown);

	CU_add_test(s, "plan from an UPDATE.APP", test_plan_from_update_app);
	CU_add_test(s, "plan from a firmware zip", test_plan_from_firmware_zip);
	CU_add_test(s, "plan from an update_sd zip, its package verified",
		    test_plan_from_update_sd_zip);
	CU_add_test(s, "plan from a zip of update_sd zips", test_plan_from_zip_of_update_sd_zips);
	CU_add_test(s, "plan from a folder with dload/", test_plan_from_folder);
	CU_add_test(s, "plan refusals: missing, no dload/, empty, too many, too deep, 4 GiB",
		    test_plan_refusals);
	CU_add_test(s, "verify refusals: bad block, web page, cut short, 4 GiB",
		    test_verify_refusals);
	CU_add_test(s, "a plan not verified is not written", test_write_needs_a_verified_plan);
}
