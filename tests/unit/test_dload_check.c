// SPDX-License-Identifier: MIT
/*
 * formats/dload: dload check's verdicts on the usual mistakes.  Cards are
 * made in process through formats/fat (or by hand for exFAT and GPT), and
 * as folders.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/dload/dload.h"
#include "tests/unit/dlutil.h"
#include "tests/unit/fatutil.h"
#include "tests/unit/testutil.h"

static char *dir;
static char good[4096], bad[4096], page[4096], sdzip[4096], sdbad[4096];

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

static const char *at(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

/* The packages the cards hold: a good one, one with a bad block, a web page, two sd zips. */
static void packages(void)
{
	const char *inner[] = {"UPDATE.APP"};
	const char *files[1];

	if (good[0])
		return;
	du_make_app(at(good, sizeof(good), "good.APP"), 300000, 1);
	du_make_app(at(bad, sizeof(bad), "bad.APP"), 300000, 2);
	du_flip(bad, 150000);
	du_write_text(at(page, sizeof(page), "page.APP"), "<html><body>404</body></html>\n");
	files[0] = good;
	du_make_zip(at(sdzip, sizeof(sdzip), "update_sd_good.zip"), inner, files, 1);
	files[0] = bad;
	du_make_zip(at(sdbad, sizeof(sdbad), "update_sd_bad.zip"), inner, files, 1);
}

/* A new 64 MiB card dir/@name (MBR + FAT32), open for writing. */
static struct hwf_fat *card(const char *name, int *fd)
{
	struct hwf_fat *fs;
	char *img;

	*fd = fu_make_formatted(dir, name, 64 * MIB, &img);
	free(img);
	CU_ASSERT_EQUAL_FATAL(fu_open_fs(*fd, 64 * MIB, 1, &fs), 0);
	return fs;
}

static void mkd(struct hwf_fat *fs, const char *path)
{
	struct hwf_err e = {0};

	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, path, &e), 0);
}

/* Copy file @file to @path on the card. */
static void put(struct hwf_fat *fs, const char *path, const char *file)
{
	struct hwf_source *s;
	struct hwf_err e = {0};

	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&s, file, &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_write_file(fs, path, s, NULL, NULL, &e), 0);
	hwf_source_close(s);
}

static void done(struct hwf_fat *fs, int fd)
{
	hwf_fat_close(fs);
	close(fd);
}

/* dload check of dir/@name into @r (must succeed). */
static void check(const char *name, struct hwf_dload_report *r)
{
	struct du_rec rec = {0};
	struct hwf_dload_cb cb = du_cb(&rec, 1);
	struct hwf_err e = {0};
	char path[4096];

	memset(r, 0xa5, sizeof(*r));
	CU_ASSERT_EQUAL_FATAL(hwf_dload_check(at(path, sizeof(path), name), &cb, r, &e), 0);
	CU_ASSERT(r->n > 0 && r->n <= HWF_DLOAD_MAX_FINDINGS);
	CU_ASSERT_EQUAL(rec.begins, rec.ends);
	CU_ASSERT_EQUAL(rec.asked + rec.tmp_added + rec.events[HWF_DLOAD_EV_WRITING], 0);
}

/* How many findings of @level and @check hold @text. */
static int count(const struct hwf_dload_report *r, enum hwf_dload_level level, const char *chk,
		 const char *text)
{
	int n = 0;

	for (int i = 0; i < r->n; i++)
		if (r->f[i].level == level && !strcmp(r->f[i].check, chk) &&
		    strstr(r->f[i].text, text))
			n++;
	return n;
}

/* @r has such a finding; say what it has when not. */
static void has(const struct hwf_dload_report *r, enum hwf_dload_level level, const char *chk,
		const char *text)
{
	if (!count(r, level, chk, text)) {
		fprintf(stderr, "\nno %s %s \"%s\" among:\n", hwf_dload_level_name(level), chk,
			text);
		for (int i = 0; i < r->n; i++)
			fprintf(stderr, "  %s %s %s\n", hwf_dload_level_name(r->f[i].level),
				r->f[i].check, r->f[i].text);
	}
	CU_ASSERT(count(r, level, chk, text) > 0);
}

static void test_a_good_card(void)
{
	struct hwf_dload_report *r = calloc(1, sizeof(*r));
	char want[64];
	int fd;
	struct hwf_fat *fs;
	uint64_t free_bytes;

	packages();
	fs = card("good.img", &fd);
	mkd(fs, "dload");
	put(fs, "dload/UPDATE.APP", good);
	free_bytes = hwf_fat_free_bytes(fs);
	done(fs, fd);
	check("good.img", r);
	CU_ASSERT_PTR_NULL(hwf_dload_report_problem(r));
	has(r, HWF_DLOAD_OK, "partition", "MBR, partition type 0x0c (FAT32) at 1024 KiB");
	has(r, HWF_DLOAD_OK, "filesystem", "FAT32 (512-byte clusters, label 'HWFLASH')");
	has(r, HWF_DLOAD_OK, "dload", "dload/ is there");
	snprintf(want, sizeof(want), "dload/UPDATE.APP: %lld bytes, every CRC matches",
		 tu_size(good));
	has(r, HWF_DLOAD_OK, "package", want);
	snprintf(want, sizeof(want), "%.1f MiB free", (double)free_bytes / (double)MIB);
	has(r, HWF_DLOAD_OK, "space", want);
	CU_ASSERT_STRING_EQUAL(hwf_dload_level_name(HWF_DLOAD_OK), "ok");
	CU_ASSERT_STRING_EQUAL(hwf_dload_level_name(HWF_DLOAD_NOTE), "note");
	CU_ASSERT_STRING_EQUAL(hwf_dload_level_name(HWF_DLOAD_PROBLEM), "problem");
	free(r);
}

static void test_exfat_and_gpt(void)
{
	struct hwf_dload_report *r = calloc(1, sizeof(*r));
	uint8_t b[1024] = {0};
	char path[4096], *img;
	int fd;

	/* An exFAT card (a boot sector at 0, as phones' own format makes). */
	du_make_sparse(at(path, sizeof(path), "exfat.img"), 64 * MIB);
	memcpy(b,
	       "\xeb\x76\x90"
	       "EXFAT   ",
	       11);
	b[108] = 9;
	b[109] = 6;
	b[510] = 0x55;
	b[511] = 0xAA;
	fd = open(path, O_RDWR);
	CU_ASSERT_EQUAL(pwrite(fd, b, 512, 0), 512);
	close(fd);
	check("exfat.img", r);
	has(r, HWF_DLOAD_PROBLEM, "filesystem",
	    "exFAT, not FAT32: phones read dload only from FAT32");
	has(r, HWF_DLOAD_NOTE, "partition", "no partition table");
	CU_ASSERT_PTR_NOT_NULL(strstr(hwf_dload_report_problem(r)->text, "exFAT"));

	/* A GPT card (its one partition a little short of the FAT32 inside). */
	fd = fu_make_formatted(dir, "gpt.img", 64 * MIB, &img);
	memset(b, 0, sizeof(b));
	fu_put_mbr_entry(b, 0, 0xEE, 1, 64 * 2048 - 1);
	memcpy(b + 512, "EFI PART", 8);
	put_le64(b + 512 + 72, 2);
	put_le32(b + 512 + 80, 128);
	put_le32(b + 512 + 84, 128);
	CU_ASSERT_EQUAL(pwrite(fd, b, 1024, 0), 1024);
	memset(b, 0, sizeof(b));
	memset(b + 128, 0xA2, 16);
	put_le64(b + 128 + 32, 2048);
	put_le64(b + 128 + 40, 64 * 2048 - 34);
	CU_ASSERT_EQUAL(pwrite(fd, b, 512, 2 * 512), 512);
	close(fd);
	free(img);
	check("gpt.img", r);
	has(r, HWF_DLOAD_PROBLEM, "partition", "GPT partition table: phones' dload expects an MBR");
	free(r);
}

static void test_dload_folder_mistakes(void)
{
	struct hwf_dload_report *r = calloc(1, sizeof(*r));
	struct hwf_fat *fs;
	int fd;

	packages();
	/* dload inside dload. */
	fs = card("nested.img", &fd);
	mkd(fs, "dload");
	mkd(fs, "dload/dload");
	put(fs, "dload/dload/UPDATE.APP", good);
	done(fs, fd);
	check("nested.img", r);
	has(r, HWF_DLOAD_PROBLEM, "dload",
	    "dload/dload: a dload folder inside dload/: the phone looks only at /dload");
	has(r, HWF_DLOAD_PROBLEM, "package", "no UPDATE.APP (or update_sd*.zip) in dload/");

	/* Misspelled, a zip named like the folder, the package at the top, a zip at the top. */
	fs = card("miss.img", &fd);
	mkd(fs, "Download");
	put(fs, "Download/UPDATE.APP", good);
	put(fs, "dload.zip", sdzip);
	put(fs, "UPDATE.APP", good);
	put(fs, "update.zip", sdzip);
	done(fs, fd);
	check("miss.img", r);
	has(r, HWF_DLOAD_PROBLEM, "dload",
	    "'Download' is not 'dload': the phone looks for a folder named exactly dload");
	has(r, HWF_DLOAD_PROBLEM, "dload",
	    "'dload.zip' is not 'dload': the phone looks for a "
	    "folder named exactly dload (unpack the zip)");
	has(r, HWF_DLOAD_PROBLEM, "dload",
	    "UPDATE.APP is at the top of the card: it goes in a folder named dload");
	has(r, HWF_DLOAD_PROBLEM, "zip",
	    "update.zip at the top of the card: unpack it; its UPDATE.APP goes in dload/");
	has(r, HWF_DLOAD_PROBLEM, "dload", "no dload folder at the top of the card");

	/* The case of the names: found, but said. */
	fs = card("case.img", &fd);
	mkd(fs, "DLOAD");
	put(fs, "DLOAD/update.app", good);
	done(fs, fd);
	check("case.img", r);
	CU_ASSERT_PTR_NULL(hwf_dload_report_problem(r));
	has(r, HWF_DLOAD_NOTE, "dload", "the folder is spelled 'DLOAD'; FAT ignores case");
	has(r, HWF_DLOAD_NOTE, "name", "DLOAD/update.app: spelled 'update.app'");
	has(r, HWF_DLOAD_OK, "package", "DLOAD/update.app: ");
	free(r);
}

static void test_package_mistakes(void)
{
	struct hwf_dload_report *r = calloc(1, sizeof(*r));
	struct hwf_fat *fs;
	int fd;

	packages();
	/* A zip not unpacked. */
	fs = card("zip.img", &fd);
	mkd(fs, "dload");
	put(fs, "dload/firmware.zip", sdzip);
	done(fs, fd);
	check("zip.img", r);
	has(r, HWF_DLOAD_PROBLEM, "zip",
	    "dload/firmware.zip: a zip the phone does not open: unpack it and put its UPDATE.APP "
	    "in dload/");
	/* An update_sd zip is a package (not looked into inside an image). */
	fs = card("sd.img", &fd);
	mkd(fs, "dload");
	put(fs, "dload/update_sd_base.zip", sdzip);
	done(fs, fd);
	check("sd.img", r);
	CU_ASSERT_PTR_NULL(hwf_dload_report_problem(r));
	has(r, HWF_DLOAD_NOTE, "package", "dload/update_sd_base.zip: an update_sd package");

	/* A bad block, and a web page: each named once, no "no UPDATE.APP" after it. */
	for (int k = 0; k < 2; k++) {
		fs = card("badpkg.img", &fd);
		mkd(fs, "dload");
		put(fs, "dload/UPDATE.APP", k ? page : bad);
		done(fs, fd);
		check("badpkg.img", r);
		has(r, HWF_DLOAD_PROBLEM, "package",
		    k ? "dload/UPDATE.APP: not an UPDATE.APP: it is an HTML page"
		      : "dload/UPDATE.APP: entry SYSTEM: 1 bad block of ");
		CU_ASSERT_EQUAL(count(r, HWF_DLOAD_PROBLEM, "package", "UPDATE.APP"), 1);
		CU_ASSERT_EQUAL(count(r, HWF_DLOAD_PROBLEM, "package", "no UPDATE.APP"), 0);
	}
	free(r);
}

static void test_damaged_fat_and_space(void)
{
	struct hwf_dload_report *r = calloc(1, sizeof(*r));
	struct hwf_fat_dirent d;
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	char want[64], path[4096];
	int fd;

	packages();
	fs = card("dmg.img", &fd);
	mkd(fs, "dload");
	put(fs, "dload/UPDATE.APP", good);
	CU_ASSERT_EQUAL_FATAL(hwf_fat_stat(fs, "dload/UPDATE.APP", &d, &e), 0);
	done(fs, fd);
	fd = open(at(path, sizeof(path), "dmg.img"), O_RDWR);
	CU_ASSERT_FATAL(fd >= 0);
	fu_set_fat(fd, d.first_cluster + 5, d.first_cluster + 1);
	close(fd);
	check("dmg.img", r);
	has(r, HWF_DLOAD_PROBLEM, "filesystem",
	    "FAT32, damaged: dload/UPDATE.APP: its cluster chain loops at cluster ");
	has(r, HWF_DLOAD_PROBLEM, "filesystem",
	    "; run fsck.fat -a on it (or 'dload prepare --format' to start over)");
	CU_ASSERT_EQUAL(count(r, HWF_DLOAD_OK, "package", ""), 0); /* nothing trusted after */

	/* Free space, from the FAT: a card nearly full says so. */
	fs = card("full.img", &fd);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "FILLER.BIN", 60 * MIB, 3, &e), 0);
	mkd(fs, "dload");
	put(fs, "dload/UPDATE.APP", good);
	snprintf(want, sizeof(want), "%.1f MiB free", (double)hwf_fat_free_bytes(fs) / MIB);
	CU_ASSERT(hwf_fat_free_bytes(fs) < 4 * MIB);
	done(fs, fd);
	check("full.img", r);
	has(r, HWF_DLOAD_OK, "space", want);
	free(r);
}

static void test_a_folder(void)
{
	struct hwf_dload_report *r = calloc(1, sizeof(*r));
	char p[4096], want[4300];
	struct hwf_err e = {0};
	struct statfs sf;

	packages();
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(p, sizeof(p), "fcard/DLOAD/sub")), 0);
	du_make_app(at(p, sizeof(p), "fcard/DLOAD/Update.App"), 50000, 4);
	snprintf(want, sizeof(want), "DLOAD/Update.App: %lld bytes, every CRC matches", tu_size(p));
	du_write_text(at(p, sizeof(p), "fcard/DLOAD/.UPDATE.APP.partial"), "cut");
	CU_ASSERT_EQUAL(link(sdzip, at(p, sizeof(p), "fcard/DLOAD/sub/update_sd_good.zip")), 0);
	CU_ASSERT_EQUAL(link(sdbad, at(p, sizeof(p), "fcard/DLOAD/sub/update_sd_bad.zip")), 0);
	check("fcard", r);
	CU_ASSERT_EQUAL_FATAL(statfs(dir, &sf), 0);
	if (sf.f_type != 0x4d44)
		has(r, HWF_DLOAD_PROBLEM, "filesystem",
		    ", not FAT32: phones read dload only from FAT32");
	has(r, HWF_DLOAD_NOTE, "partition", "not visible from a mounted folder");
	has(r, HWF_DLOAD_NOTE, "dload", "the folder is spelled 'DLOAD'");
	has(r, HWF_DLOAD_NOTE, "name", "DLOAD/Update.App: spelled 'Update.App'");
	has(r, HWF_DLOAD_OK, "package", want);
	has(r, HWF_DLOAD_NOTE, "leftover",
	    "DLOAD/.UPDATE.APP.partial: an unfinished copy from an interrupted 'dload prepare'");
	/* In a folder, an update_sd zip's package is verified. */
	has(r, HWF_DLOAD_OK, "package",
	    "DLOAD/sub/update_sd_good.zip: the UPDATE.APP inside verifies");
	has(r, HWF_DLOAD_PROBLEM, "package", "DLOAD/sub/update_sd_bad.zip: entry SYSTEM: ");
	has(r, HWF_DLOAD_OK, "space", " free");

	/* Targets that cannot be checked at all. */
	CU_ASSERT_EQUAL(hwf_dload_check(at(p, sizeof(p), "nosuch"), NULL, r, &e), HWF_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nosuch: No such file or directory"));
	CU_ASSERT_EQUAL(mkfifo(at(p, sizeof(p), "pipe"), 0644), 0);
	CU_ASSERT_EQUAL(hwf_dload_check(p, NULL, r, &e), HWF_EUNSUPPORTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is a named pipe (FIFO)"));
	free(r);
}

void hwf_suite_dload_check(void)
{
	CU_pSuite s = CU_add_suite("dload_check", setup, teardown);

	CU_add_test(s, "a good card: every check ok", test_a_good_card);
	CU_add_test(s, "exFAT, GPT", test_exfat_and_gpt);
	CU_add_test(s, "dload nested, misspelled, at the wrong place, in another case",
		    test_dload_folder_mistakes);
	CU_add_test(s, "a zip not unpacked, an update_sd zip, a bad CRC, a web page",
		    test_package_mistakes);
	CU_add_test(s, "a damaged FAT, free space", test_damaged_fat_and_space);
	CU_add_test(s, "a folder: names, leftovers, update_sd packages verified", test_a_folder);
}
