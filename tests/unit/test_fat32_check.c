// SPDX-License-Identifier: MIT
/* FAT32 damage (loops, links out, cross-links) and what a target holds (hwf_card_classify). */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/fat/fat32.h"
#include "tests/unit/fatutil.h"
#include "tests/unit/testutil.h"

/* --- damaged volumes: every chain walk bounded, every loop named ------------------ */

/* First cluster of @path. */
static uint32_t first_cluster(int fd, uint64_t size, const char *path)
{
	struct hwf_fat_dirent d;
	struct hwf_err e = {0};
	struct hwf_fat *fs;

	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, size, 0, &fs), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_fat_stat(fs, path, &d, &e), 0);
	hwf_fat_close(fs);
	return d.first_cluster;
}

/*
 * hwf_fat_check() on the volume: returns its code; @want (or NULL for a
 * sound volume) must be in the message.
 */
static int check_says(int fd, uint64_t size, const char *want)
{
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	int rc;

	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, size, 0, &fs), 0);
	rc = hwf_fat_check(fs, &e);
	hwf_fat_close(fs);
	if (want && !strstr(e.msg, want))
		fprintf(stderr, "\nhwf_fat_check said \"%s\", wanted \"%s\"\n", e.msg, want);
	CU_ASSERT(want ? rc == HWF_EFORMAT && strstr(e.msg, want) != NULL : rc == 0);
	return rc;
}

/* A card with dload/ (cluster 3), dload/A.BIN (4..13) and dload/B.BIN (14..16). */
static int damaged_card(const char *dir, char **img)
{
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	int fd = fu_make_formatted(dir, "bad.img", 64 * MIB, img);

	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 1, &fs), 0);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload", &e), 0);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "dload/A.BIN", 10 * 512 - 7, 1, &e), 0);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "dload/B.BIN", 3 * 512, 2, &e), 0);
	hwf_fat_close(fs);
	CU_ASSERT_EQUAL(first_cluster(fd, 64 * MIB, "dload"), 3);
	CU_ASSERT_EQUAL(first_cluster(fd, 64 * MIB, "dload/A.BIN"), 4);
	CU_ASSERT_EQUAL(first_cluster(fd, 64 * MIB, "dload/B.BIN"), 14);
	check_says(fd, 64 * MIB, NULL);
	return fd;
}

/* fsck.fat -n must agree that the volume is broken (when it is installed). */
static void fsck_calls_it_broken(const char *dir)
{
	char cmd[4096];

	if (!fu_have_tools())
		return;
	CU_ASSERT_EQUAL_FATAL(fu_copy_part(dir, "bad.img"), 0);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && PATH=/usr/sbin:/sbin:$PATH fsck.fat -n part.img > /dev/null 2>&1",
		 dir);
	CU_ASSERT_NOT_EQUAL(system(cmd), 0);
}

static void test_chain_loops_are_found_and_named(void)
{
	static const struct {
		const char *what;
		uint32_t cl, val; /* FAT[cl] = val; 0, 0: B.BIN's entry moved into A.BIN */
		const char *msg;
		const char *file; /* the reader must refuse it */
	} cases[] = {
	    {"root points to itself", 2, 2,
	     "root directory: its cluster chain loops at cluster 2 (it points to itself)", NULL},
	    {"dload points to itself", 3, 3,
	     "folder dload: its cluster chain loops at cluster 3 (it points to itself)", NULL},
	    {"the end of A.BIN back to its start", 13, 4,
	     "dload/A.BIN: its cluster chain loops at cluster 13 (it points back to cluster 4)",
	     "dload/A.BIN"},
	    {"A.BIN loops in its middle", 9, 6,
	     "dload/A.BIN: its cluster chain loops at cluster 9 (it points back to cluster 6)",
	     "dload/A.BIN"},
	    {"B.BIN's last cluster to itself", 16, 16,
	     "dload/B.BIN: its cluster chain loops at cluster 16 (it points to itself)",
	     "dload/B.BIN"},
	    {"A.BIN runs past the last cluster", 5, 0x0FFFFFF0,
	     "dload/A.BIN: broken cluster chain: the FAT entry of cluster 5 points to "
	     "cluster 268435440, outside the volume",
	     "dload/A.BIN"},
	    {"A.BIN runs into a free cluster", 6, 0,
	     "dload/A.BIN: broken cluster chain: it runs into cluster 6, which is marked free",
	     "dload/A.BIN"},
	    {"A.BIN runs into a bad cluster", 6, 0x0FFFFFF7, "which is marked bad", "dload/A.BIN"},
	    {"A.BIN ends early", 8, 0x0FFFFFFF,
	     "dload/A.BIN: its cluster chain ends after 5 clusters, its size (5113 bytes) "
	     "needs 10",
	     "dload/A.BIN"},
	    {"A.BIN runs on into B.BIN", 13, 14, "dload/A.BIN: its cluster chain has 13 clusters",
	     "dload/A.BIN"},
	    {"the root runs into dload", 2, 3,
	     "root directory and folder dload share cluster 3 (cross-linked)", NULL},
	    {"B.BIN is A.BIN's tail", 0, 0,
	     "dload/A.BIN and dload/B.BIN share cluster 11 (cross-linked)", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = tu_mkdtemp(), *img;
		struct hwf_source *src;
		struct fu_listing l = {0};
		struct hwf_err e = {0};
		struct hwf_fat *fs;
		uint64_t free0;
		int fd = damaged_card(dir, &img);

		if (cases[i].cl) {
			fu_set_fat(fd, cases[i].cl, cases[i].val);
		} else {
			/* B.BIN's entry starts at A.BIN's cluster 11: both chains end right. */
			uint8_t ent[32], s[512];
			uint64_t at;

			CU_ASSERT_EQUAL_FATAL(pread(fd, s, 512, PART), 512);
			at = PART + (32 + 2ull * get_le32(s + 36)) * 512 + 512; /* cluster 3 */
			for (int k = 0; k < 16; k++) {
				CU_ASSERT_EQUAL_FATAL(pread(fd, ent, 32, (off_t)(at + 32 * k)), 32);
				if (!memcmp(ent, "B       BIN", 11)) {
					put_le16(ent + 26, 11);
					CU_ASSERT_EQUAL(pwrite(fd, ent, 32, (off_t)(at + 32 * k)),
							32);
				}
			}
		}
		check_says(fd, 64 * MIB, cases[i].msg);
		fsck_calls_it_broken(dir);

		/* The writer refuses a looping folder, and changes nothing. */
		CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 1, &fs), 0);
		free0 = hwf_fat_free_bytes(fs);
		if ((cases[i].cl == 2 || cases[i].cl == 3) && cases[i].val == cases[i].cl) {
			CU_ASSERT_EQUAL(fu_write_gen(fs, "dload/C.BIN", 5000, 3, &e), HWF_EFORMAT);
			CU_ASSERT_EQUAL(
			    hwf_fat_list(fs, cases[i].cl == 2 ? "" : "dload", fu_collect, &l, &e),
			    HWF_EFORMAT);
			CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "loops at cluster"));
			CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), free0);
		}
		/* The reader refuses a broken file, with the same words. */
		if (cases[i].file) {
			CU_ASSERT_EQUAL(hwf_fat_open_source(fs, cases[i].file, &src, &e),
					HWF_EFORMAT);
			CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, cases[i].msg));
		}
		hwf_fat_close(fs);
		close(fd);
		free(img);
		tu_rmtree(dir);
		free(dir);
	}
}

/* A loop in a volume of 786 000 clusters, its FAT larger than one 1 MiB window. */
static void test_chain_loop_in_big_volume_is_quick(void)
{
	const uint64_t size = 3 * GIB;
	char *dir = tu_mkdtemp(), *img;
	struct hwf_source *src;
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	uint32_t a;
	int fd = fu_make_formatted(dir, "big.img", size, &img);

	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, size, 1, &fs), 0);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "A.BIN", 300 * 4096, 1, &e), 0);
	hwf_fat_close(fs);
	a = first_cluster(fd, size, "A.BIN");
	fu_set_fat(fd, a + 299, a + 150);
	check_says(fd, size, "loops at cluster");
	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, size, 0, &fs), 0);
	CU_ASSERT_EQUAL(hwf_fat_open_source(fs, "A.BIN", &src, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "(it points back to cluster"));
	hwf_fat_close(fs);
	/* Mended, it is sound again. */
	fu_set_fat(fd, a + 299, 0x0FFFFFFF);
	check_says(fd, size, NULL);
	close(fd);
	free(img);
	tu_rmtree(dir);
	free(dir);
}

/* --- is a target a card? ------------------------------------------------------ */

static int classify_file(const char *path, struct hwf_card_class *c)
{
	struct hwf_err e = {0};
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(fstat(fd, &st), 0);
	rc = hwf_card_classify(fd, (uint64_t)st.st_size, c, &e);
	CU_ASSERT_EQUAL(rc, 0);
	close(fd);
	return c->kind;
}

/* Write @len bytes of @head at @off into a new sparse file of @size bytes. */
static void make_file(const char *path, uint64_t size, const void *head, size_t len, uint64_t off)
{
	int fd = fu_make_image(path, size);

	CU_ASSERT_FATAL(fd >= 0);
	if (len)
		CU_ASSERT_EQUAL(pwrite(fd, head, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void test_card_classify_by_content(void)
{
	static const struct {
		const char *name; /* names that look like cards must not matter */
		const char *bytes;
		size_t len, at;
		uint64_t size;
		int kind;
		const char *what;
	} cases[] = {
	    {"empty.img", "", 0, 0, 0, HWF_CARD_BLANK, "empty"},
	    {"new.img", "", 0, 0, 64 * MIB, HWF_CARD_BLANK, "all zero"},
	    {"card.img", "PK\3\4\24\0\0\0", 8, 0, 270 * MIB, HWF_CARD_FOREIGN, "zip archive"},
	    {"sd.img", "ANDROID!", 8, 0, 8 * MIB, HWF_CARD_FOREIGN, "Android boot image"},
	    {"card.img", "\x3a\xff\x26\xed", 4, 0, 8 * MIB, HWF_CARD_FOREIGN, "sparse"},
	    {"card.img",
	     "\x7f"
	     "ELF\2\1\1",
	     7, 0, 1 * MIB, HWF_CARD_FOREIGN, "ELF"},
	    {"card.img", "\x1f\x8b\x08\0", 4, 0, 1 * MIB, HWF_CARD_FOREIGN, "gzip"},
	    {"card.img", "<!DOCTYPE html>\n<html>404</html>\n", 33, 0, 33, HWF_CARD_FOREIGN,
	     "HTML page starting with `<!DOCTYPE html>`"},
	    {"card.img", "just some notes\n", 16, 0, 16, HWF_CARD_FOREIGN, "text file"},
	    /* zeros, then data past the first 128 KiB / in the middle / in the last KiB */
	    {"zeros.img", "\1\2\3\4", 4, 200 * 1024, 64 * MIB, HWF_CARD_FOREIGN,
	     "data at byte 204800"},
	    {"zeros.img", "\1\2\3\4", 4, 1000 * 1024 + 3, 64 * MIB, HWF_CARD_FOREIGN,
	     "data at byte 1024003"},
	    {"zeros.img", "\1\2\3\4", 4, 64 * MIB - 1000, 64 * MIB, HWF_CARD_FOREIGN,
	     "neither a partition table nor a FAT file system"},
	    /* (sniff reads the first 8 KiB: data there makes it "unrecognised data") */
	    {"zeros.img", "\1", 1, 5000, 64 * MIB, HWF_CARD_FOREIGN, "data"},
	    /* random-looking data: unrecognised */
	    {"card.img", "\x13\x37\xc0\xde\xfa\xce\x00\x01\x99", 9, 0, 4096, HWF_CARD_FOREIGN,
	     "unrecognised data"},
	};
	char *dir = tu_mkdtemp();
	struct hwf_card_class c;
	uint8_t *buf = calloc(1, 2 * MIB);

	CU_ASSERT_FATAL(buf != NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = tu_path(dir, cases[i].name);

		unlink(path);
		make_file(path, cases[i].size, cases[i].bytes, cases[i].len, cases[i].at);
		classify_file(path, &c);
		if ((int)c.kind != cases[i].kind || !strstr(c.what, cases[i].what))
			fprintf(stderr, "\ncase %zu: kind %d \"%s\"\n", i, c.kind, c.what);
		CU_ASSERT_EQUAL((int)c.kind, cases[i].kind);
		CU_ASSERT_PTR_NOT_NULL(strstr(c.what, cases[i].what));
		free(path);
	}

	/* An UPDATE.APP named card.img, also with a stray 55 AA where an MBR has it. */
	{
		char *path = tu_path(dir, "card.img");

		put_le32(buf + 92, 0xa55aaa55);
		put_le16(buf + 510, 0xAA55);
		unlink(path);
		make_file(path, 100 * MIB, buf, 4096, 0);
		CU_ASSERT_EQUAL(classify_file(path, &c), HWF_CARD_FOREIGN);
		CU_ASSERT_STRING_EQUAL(c.what, "Huawei UPDATE.APP");
		free(path);
		memset(buf, 0, 4096);
	}
	/* Zeros with 1 MiB of data in the middle (a partition dump that starts empty). */
	{
		char *path = tu_path(dir, "dump.img");

		memset(buf, 0x5A, MIB);
		unlink(path);
		make_file(path, 300 * MIB, buf, MIB, 150 * MIB);
		CU_ASSERT_EQUAL(classify_file(path, &c), HWF_CARD_FOREIGN);
		memset(buf, 0, MIB);
		free(path);
	}
	/* Erased flash: all 0xFF; and 0xFF with data in the middle. */
	{
		char *path = tu_path(dir, "ff.img");

		memset(buf, 0xFF, 2 * MIB);
		unlink(path);
		make_file(path, 2 * MIB, buf, 2 * MIB, 0);
		CU_ASSERT_EQUAL(classify_file(path, &c), HWF_CARD_BLANK);
		CU_ASSERT_PTR_NOT_NULL(strstr(c.what, "0xFF"));
		memset(buf + MIB + 100000, 0x12, 64 * 1024);
		unlink(path);
		make_file(path, 2 * MIB, buf, 2 * MIB, 0);
		CU_ASSERT_EQUAL(classify_file(path, &c), HWF_CARD_FOREIGN);
		memset(buf, 0, 2 * MIB);
		free(path);
	}
	/* ext4 superfloppy: a partition image; the same inside an MBR partition: a disk. */
	{
		char *path = tu_path(dir, "ext.img");

		put_le16(buf + 1080, 0xEF53);
		unlink(path);
		make_file(path, 8 * MIB, buf, 2048, 0);
		CU_ASSERT_EQUAL(classify_file(path, &c), HWF_CARD_FOREIGN);
		CU_ASSERT_PTR_NOT_NULL(strstr(c.what, "ext2/3/4"));
		memset(buf, 0, 2048);
		fu_put_mbr_entry(buf, 0, 0x83, 2048, 4 * 2048);
		put_le16(buf + MIB + 1080, 0xEF53);
		unlink(path);
		make_file(path, 8 * MIB, buf, MIB + 2048, 0);
		CU_ASSERT_EQUAL(classify_file(path, &c), HWF_CARD_IMAGE);
		CU_ASSERT_STRING_EQUAL(c.what, "MBR partition table, first partition ext2/3/4");
		memset(buf, 0, MIB + 2048);
		free(path);
	}
	/* exFAT and NTFS at sector 0. */
	{
		char *path = tu_path(dir, "x.img");

		memcpy(buf,
		       "\xeb\x76\x90"
		       "EXFAT   ",
		       11);
		buf[108] = 9;
		buf[109] = 6;
		put_le16(buf + 510, 0xAA55);
		unlink(path);
		make_file(path, 64 * MIB, buf, 512, 0);
		CU_ASSERT_EQUAL(classify_file(path, &c), HWF_CARD_IMAGE);
		CU_ASSERT_STRING_EQUAL(c.what, "exFAT file system without a partition table");
		memcpy(buf,
		       "\xeb\x52\x90"
		       "NTFS    ",
		       11);
		unlink(path);
		make_file(path, 64 * MIB, buf, 512, 0);
		CU_ASSERT_EQUAL(classify_file(path, &c), HWF_CARD_FOREIGN);
		memset(buf, 0, 512);
		free(path);
	}
	/* Our own card, empty and with a package on it; the same with a GPT. */
	{
		char *img;
		struct hwf_err e = {0};
		struct hwf_fat *fs;
		int fd = fu_make_formatted(dir, "ours.img", 64 * MIB, &img);

		CU_ASSERT_EQUAL(classify_file(img, &c), HWF_CARD_IMAGE);
		CU_ASSERT_STRING_EQUAL(c.what, "MBR partition table, first partition FAT32");
		CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 1, &fs), 0);
		CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload", &e), 0);
		CU_ASSERT_EQUAL(fu_write_gen(fs, "dload/UPDATE.APP", 3 * MIB, 7, &e), 0);
		hwf_fat_close(fs);
		CU_ASSERT_EQUAL(classify_file(img, &c), HWF_CARD_IMAGE);
		fu_put_mbr_entry(buf, 0, 0xEE, 1, 64 * 2048 - 1);
		memcpy(buf + 512, "EFI PART", 8);
		CU_ASSERT_EQUAL(pwrite(fd, buf, 1024, 0), 1024);
		CU_ASSERT_EQUAL(classify_file(img, &c), HWF_CARD_IMAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(c.what, "GPT"));
		memset(buf, 0, 1024);
		close(fd);
		free(img);
	}
	/* A FAT32 superfloppy from mkfs.fat. */
	if (fu_have_tools()) {
		char *path = tu_path(dir, "sf.img");

		CU_ASSERT_EQUAL(fu_run(dir, "cd '%s' && mkfs.fat -F 32 -C sf.img 65536", dir), 0);
		CU_ASSERT_EQUAL(classify_file(path, &c), HWF_CARD_IMAGE);
		CU_ASSERT_STRING_EQUAL(c.what, "FAT32 file system without a partition table");
		free(path);
	}
	free(buf);
	tu_rmtree(dir);
	free(dir);
}

void hwf_suite_fat32_check(void)
{
	CU_pSuite s = CU_add_suite("fat32_check", NULL, NULL);

	CU_add_test(s, "chain loops, links out, cross-links are found and named",
		    test_chain_loops_are_found_and_named);
	CU_add_test(s, "a chain loop in a big volume is found quickly",
		    test_chain_loop_in_big_volume_is_quick);
	CU_add_test(s, "is a target a card: by content, not name", test_card_classify_by_content);
}
