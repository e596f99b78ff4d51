// SPDX-License-Identifier: MIT
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

static int never_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	(void)ctx;
	(void)buf;
	(void)len;
	(void)off;
	CU_FAIL("the source was read although the file cannot fit");
	return hwf_err_set(e, HWF_EIO, "must not be read");
}

/* --- tests --- */

static void test_cluster_size_table(void)
{
	CU_ASSERT_EQUAL(hwf_fat32_cluster_size(63 * MIB), 512);
	CU_ASSERT_EQUAL(hwf_fat32_cluster_size(260 * MIB), 512);
	CU_ASSERT_EQUAL(hwf_fat32_cluster_size(261 * MIB), 4096);
	CU_ASSERT_EQUAL(hwf_fat32_cluster_size(1 * GIB), 4096);
	CU_ASSERT_EQUAL(hwf_fat32_cluster_size(8 * GIB), 4096);
	CU_ASSERT_EQUAL(hwf_fat32_cluster_size(8 * GIB + 1), 8192);
	CU_ASSERT_EQUAL(hwf_fat32_cluster_size(16 * GIB), 8192);
	CU_ASSERT_EQUAL(hwf_fat32_cluster_size(32 * GIB), 16384);
	CU_ASSERT_EQUAL(hwf_fat32_cluster_size(40 * GIB), 32768);
	CU_ASSERT_EQUAL(hwf_fat32_cluster_size(256 * GIB), 32768);
}

static void test_format_writes_mbr_and_fat32(void)
{
	char *dir = tu_mkdtemp(), *img;
	uint8_t s[8 * 512];
	struct hwf_disk_probe p;
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	uint32_t fatsz;
	int fd = fu_make_formatted(dir, "card.img", 64 * MIB, &img);

	CU_ASSERT_EQUAL(hwf_disk_probe(fd, 64 * MIB, &p, &e), 0);
	CU_ASSERT_EQUAL(p.pt, HWF_PT_MBR);
	CU_ASSERT_EQUAL(p.part_type, 0x0C);
	CU_ASSERT_EQUAL(p.part_offset, PART);
	CU_ASSERT_EQUAL(p.part_size, 64 * MIB - PART);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_FAT32);
	CU_ASSERT_EQUAL(p.cluster_size, 512);
	CU_ASSERT_STRING_EQUAL(hwf_fs_kind_name(p.fs), "FAT32");
	CU_ASSERT_STRING_EQUAL(hwf_pt_kind_name(p.pt), "MBR");

	/* The boot sector, its backup and FSInfo. */
	CU_ASSERT_EQUAL_FATAL(pread(fd, s, sizeof(s), PART), (ssize_t)sizeof(s));
	CU_ASSERT_EQUAL(get_le16(s + 11), 512);
	CU_ASSERT_EQUAL(get_le16(s + 14), 32);
	CU_ASSERT_EQUAL(s[16], 2);
	CU_ASSERT_EQUAL(s[21], 0xF8);
	CU_ASSERT_EQUAL(get_le32(s + 32), (64 * MIB - PART) / 512);
	CU_ASSERT_EQUAL(get_le32(s + 44), 2);
	CU_ASSERT_EQUAL(get_le16(s + 48), 1);
	CU_ASSERT_EQUAL(get_le16(s + 50), 6);
	CU_ASSERT_EQUAL(s[66], 0x29);
	CU_ASSERT_EQUAL(get_le32(s + 67), 0x1234abcd);
	CU_ASSERT_EQUAL(memcmp(s + 71, "HWFLASH    FAT32   ", 19), 0);
	CU_ASSERT_EQUAL(get_le16(s + 510), 0xAA55);
	CU_ASSERT_EQUAL(memcmp(s, s + 6 * 512, 1024), 0);
	CU_ASSERT_EQUAL(get_le32(s + 512), 0x41615252);
	CU_ASSERT_EQUAL(get_le32(s + 512 + 484), 0x61417272);
	CU_ASSERT_EQUAL(get_le32(s + 512 + 508), 0xAA550000);
	/* The data area starts on a cluster boundary; FAT[0..2]. */
	fatsz = get_le32(s + 36);
	CU_ASSERT_EQUAL((32 + 2 * fatsz) % s[13], 0);
	CU_ASSERT_EQUAL_FATAL(pread(fd, s, 12, PART + 32 * 512 + (uint64_t)fatsz * 512), 12);
	CU_ASSERT_EQUAL(get_le32(s), 0x0FFFFFF8);
	CU_ASSERT_EQUAL(get_le32(s + 4), 0x0FFFFFFF);
	CU_ASSERT_EQUAL(get_le32(s + 8), 0x0FFFFFFF);

	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 0, &fs), 0);
	CU_ASSERT_STRING_EQUAL(hwf_fat_label(fs), "HWFLASH");
	CU_ASSERT_EQUAL(hwf_fat_cluster_size(fs), 512);
	CU_ASSERT(hwf_fat_cluster_count(fs) >= HWF_FAT32_MIN_CLUSTERS);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), (uint64_t)(hwf_fat_cluster_count(fs) - 1) * 512);
	hwf_fat_close(fs);
	close(fd);
	free(img);
	tu_rmtree(dir);
	free(dir);
}

static void test_format_refuses_small_image_and_bad_label(void)
{
	char *dir = tu_mkdtemp(), *img = tu_path(dir, "small.img");
	struct hwf_disk_probe p;
	struct hwf_err e = {0};
	int fd = fu_make_image(img, 16 * MIB);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(hwf_fat32_format(fd, 16 * MIB, "HWFLASH", 1, &e), HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "too small for FAT32"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "at least 65525"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "(34 MiB)"));
	/* Nothing was written. */
	CU_ASSERT_EQUAL(hwf_disk_probe(fd, 16 * MIB, &p, &e), 0);
	CU_ASSERT_EQUAL(p.pt, HWF_PT_NONE);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_EMPTY);
	CU_ASSERT_EQUAL(hwf_fat32_format(fd, 0, "HWFLASH", 1, &e), HWF_EINVAL);
	/* Exactly the minimum works; one sector less does not. */
	CU_ASSERT_EQUAL(hwf_fat32_format(fd, 34 * MIB, "HWFLASH", 1, &e), 0);
	CU_ASSERT_EQUAL(hwf_fat32_format(fd, 33 * MIB, "HWFLASH", 1, &e), HWF_EINVAL);

	CU_ASSERT_EQUAL(hwf_fat32_format(fd, 64 * MIB, "TOO LONG LABEL", 1, &e), HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "longer than 11"));
	CU_ASSERT_EQUAL(hwf_fat32_format(fd, 64 * MIB, "A*B", 1, &e), HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'*'"));
	close(fd);
	free(img);
	tu_rmtree(dir);
	free(dir);
}

static void progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	uint64_t *last = ctx;

	CU_ASSERT(done >= last[0]);
	CU_ASSERT(done <= total);
	last[0] = done;
	last[1]++;
}

static void test_dload_update_app_roundtrip(void)
{
	const size_t size = 3 * MIB + 12345;
	char *dir = tu_mkdtemp(), *img;
	uint8_t *data = malloc(size), *back = malloc(size);
	struct hwf_source *src;
	struct hwf_fat_dirent d;
	struct fu_listing l = {0};
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	uint64_t free0, free1, prog[2] = {0, 0};
	int fd = fu_make_formatted(dir, "card.img", 64 * MIB, &img);

	tu_random(data, size, 42);
	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 1, &fs), 0);
	free0 = hwf_fat_free_bytes(fs);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload", &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "DLoad", &e), HWF_EEXIST);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "nope/sub", &e), HWF_ENOTFOUND);
	CU_ASSERT_EQUAL(hwf_source_open_mem(&src, data, size, "UPDATE.APP", &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_write_file(fs, "dload/UPDATE.APP", src, progress_cb, prog, &e), 0);
	CU_ASSERT_EQUAL(prog[0], size);
	CU_ASSERT(prog[1] >= 3);
	CU_ASSERT_EQUAL(hwf_fat_write_file(fs, "DLOAD/update.app", src, NULL, NULL, &e),
			HWF_EEXIST);
	hwf_source_close(src);
	free1 = hwf_fat_free_bytes(fs);
	CU_ASSERT_EQUAL(free0 - free1, (size + 511) / 512 * 512 + 512);

	/* Root: one folder "dload" whose 8.3 name is DLOAD. */
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "/", fu_collect, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 1);
	CU_ASSERT_STRING_EQUAL(l.d[0].name, "dload");
	CU_ASSERT_STRING_EQUAL(l.d[0].short_name, "DLOAD");
	CU_ASSERT_TRUE(l.d[0].is_dir);
	l.n = 0;
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "dload", fu_collect, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 1);
	CU_ASSERT_STRING_EQUAL(l.d[0].name, "UPDATE.APP");
	CU_ASSERT_EQUAL(l.d[0].size, size);
	CU_ASSERT_FALSE(l.d[0].is_dir);
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "dload/UPDATE.APP", fu_collect, &l, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "dlaod", fu_collect, &l, &e), HWF_ENOTFOUND);

	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "DLOAD/update.app", &d, &e), 0);
	CU_ASSERT_EQUAL(d.size, size);
	CU_ASSERT_STRING_EQUAL(d.name, "UPDATE.APP");
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "/dload/", &d, &e), 0);
	CU_ASSERT_TRUE(d.is_dir);
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "", &d, &e), 0);
	CU_ASSERT_TRUE(d.is_dir);
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "dload/UPDATE.APP.bak", &d, &e), HWF_ENOTFOUND);
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "dload/UPDATE.APP/x", &d, &e), HWF_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is a file"));

	/* Read back: whole, and a piece straddling clusters. */
	CU_ASSERT_EQUAL_FATAL(hwf_fat_open_source(fs, "dload/update.APP", &src, &e), 0);
	CU_ASSERT_EQUAL(hwf_source_size(src), size);
	CU_ASSERT_EQUAL(hwf_source_read_exact(src, back, size, 0, &e), 0);
	CU_ASSERT_EQUAL(memcmp(back, data, size), 0);
	CU_ASSERT_EQUAL(hwf_source_read_exact(src, back, 1000, 1000, &e), 0);
	CU_ASSERT_EQUAL(memcmp(back, data + 1000, 1000), 0);
	CU_ASSERT(hwf_source_random_access(src));
	hwf_source_close(src);
	CU_ASSERT_EQUAL(hwf_fat_open_source(fs, "dload", &src, &e), HWF_EINVAL);
	hwf_fat_close(fs);

	/* Again from scratch, read-only: the free count comes from the FAT. */
	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 0, &fs), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), free1);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "other", &e), HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "read-only"));
	CU_ASSERT_EQUAL_FATAL(hwf_fat_open_source(fs, "dload/UPDATE.APP", &src, &e), 0);
	memset(back, 0, size);
	CU_ASSERT_EQUAL(hwf_source_read_exact(src, back, size, 0, &e), 0);
	CU_ASSERT_EQUAL(memcmp(back, data, size), 0);
	hwf_source_close(src);
	hwf_fat_close(fs);

	if (fu_have_tools()) {
		/* fsck.fat has no offset option: check a copy of the partition. */
		CU_ASSERT_EQUAL(fu_fsck_part(dir, "card.img"), 0);
		CU_ASSERT_EQUAL(fu_run(dir,
				       "cd '%s' && mdir -i card.img@@1M ::/dload && mcopy -n "
				       "-i card.img@@1M ::/dload/UPDATE.APP out.bin",
				       dir),
				0);
		CU_ASSERT_EQUAL(
		    fu_run(dir, "cd '%s' && mdir -i card.img@@1M ::/ | grep -q ' dload$'", dir), 0);
		free(img);
		img = tu_path(dir, "out.bin");
		CU_ASSERT_EQUAL(tu_size(img), (long long)size);
		if (tu_size(img) == (long long)size) {
			FILE *f = fopen(img, "rb");

			CU_ASSERT_EQUAL(fread(back, 1, size, f), size);
			CU_ASSERT_EQUAL(memcmp(back, data, size), 0);
			fclose(f);
		}
	} else {
		CU_PASS("fsck.fat/mtools not installed: their checks were skipped");
	}
	close(fd);
	free(img);
	free(data);
	free(back);
	tu_rmtree(dir);
	free(dir);
}

static void test_enospc_changes_nothing(void)
{
	char *dir = tu_mkdtemp(), *img;
	struct hwf_source *src;
	struct hwf_fat_dirent d;
	struct fu_listing l = {0};
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	uint8_t before[4096], after[4096];
	uint64_t free0;
	int fd = fu_make_formatted(dir, "card.img", 64 * MIB, &img);

	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 1, &fs), 0);
	free0 = hwf_fat_free_bytes(fs);
	CU_ASSERT_EQUAL_FATAL(pread(fd, before, sizeof(before), PART + 32 * 512), 4096);
	hwf_source_open_callback(&src, free0 + 1, "big.app", never_read, NULL, &e);
	CU_ASSERT_EQUAL(hwf_fat_write_file(fs, "UPDATE.APP", src, NULL, NULL, &e), HWF_ENOSPC);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "does not fit"));
	hwf_source_close(src);
	hwf_source_open_callback(&src, 4 * GIB, "huge.app", never_read, NULL, &e);
	CU_ASSERT_EQUAL(hwf_fat_write_file(fs, "UPDATE.APP", src, NULL, NULL, &e), HWF_ENOSPC);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "4 GiB"));
	hwf_source_close(src);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), free0);
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "UPDATE.APP", &d, &e), HWF_ENOTFOUND);
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "", fu_collect, &l, &e), 0);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL_FATAL(pread(fd, after, sizeof(after), PART + 32 * 512), 4096);
	CU_ASSERT_EQUAL(memcmp(before, after, sizeof(before)), 0);

	/* Exactly the free space fits, then nothing more does. */
	CU_ASSERT_EQUAL(fu_write_gen(fs, "FULL.BIN", free0, 7, &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), 0);
	fu_check_gen(fs, "full.bin", free0, 7);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload", &e), HWF_ENOSPC);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "EMPTY.BIN", 0, 1, &e), 0); /* needs no cluster */
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "EMPTY.BIN", &d, &e), 0);
	CU_ASSERT_EQUAL(d.size, 0);
	CU_ASSERT_EQUAL(d.first_cluster, 0);
	fu_check_gen(fs, "EMPTY.BIN", 0, 1);
	hwf_fat_close(fs);
	if (fu_have_tools())
		CU_ASSERT_EQUAL(fu_fsck_part(dir, "card.img"), 0);
	close(fd);
	free(img);
	tu_rmtree(dir);
	free(dir);
}

/* Long names, ~N short names, nested folders, a folder growing past one cluster. */
static void test_long_names_and_growing_folders(void)
{
	static const char *const names[] = {
	    "longfilename1.txt",
	    "longfilename2.txt",
	    "Long Folder Name.with.dots",
	    "a+b",
	    "\xc3\xbc"
	    "ber.txt",
	    "README",
	    "readme2",
	    ".hidden",
	};
	char *dir = tu_mkdtemp(), *img, name[64];
	struct hwf_fat_dirent d;
	struct fu_listing l = {0};
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	int fd = fu_make_formatted(dir, "card.img", 64 * MIB, &img);

	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 1, &fs), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CU_ASSERT_EQUAL(fu_write_gen(fs, names[i], 1000 + i, (uint32_t)i, &e), 0);
		if (e.code)
			fprintf(stderr, "%s: %s\n", names[i], e.msg);
	}
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "LONGFI~1.TXT", &d, &e), 0);
	CU_ASSERT_STRING_EQUAL(d.name, "longfilename1.txt");
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "longfi~2.txt", &d, &e), 0);
	CU_ASSERT_STRING_EQUAL(d.name, "longfilename2.txt");
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "long folder name.WITH.dots", &d, &e), 0);
	CU_ASSERT_STRING_EQUAL(d.short_name, "LONGFO~1.DOT");
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "A+B", &d, &e), 0);
	CU_ASSERT_STRING_EQUAL(d.short_name, "A_B~1");
	CU_ASSERT_EQUAL(hwf_fat_stat(fs,
				     "\xc3\xbc"
				     "ber.txt",
				     &d, &e),
			0);
	CU_ASSERT_STRING_EQUAL(d.short_name, "_BER~1.TXT");
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "readme", &d, &e), 0);
	CU_ASSERT_STRING_EQUAL(d.name, "README");
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "readme2", &d, &e), 0);
	CU_ASSERT_STRING_EQUAL(d.name, "readme2");
	CU_ASSERT_STRING_EQUAL(d.short_name, "README2");
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, ".HIDDEN", &d, &e), 0);
	CU_ASSERT_STRING_EQUAL(d.short_name, "HIDDEN~1");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		fu_check_gen(fs, names[i], 1000 + i, (uint32_t)i);

	CU_ASSERT_EQUAL(fu_write_gen(fs, "a:b", 1, 1, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "trailing.", 1, 1, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "bad\xff", 1, 1, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "/", &e), HWF_EINVAL);

	/* 40 long names: 80 entries, five 512-byte clusters. */
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload", &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload/sub", &e), 0);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "dload/sub/file number %02d.bin", i);
		CU_ASSERT_EQUAL(fu_write_gen(fs, name, 700 + (uint64_t)i, (uint32_t)i, &e), 0);
	}
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "DLOAD/SUB", fu_collect, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 40);
	CU_ASSERT_STRING_EQUAL(l.d[39].name, "file number 39.bin");
	CU_ASSERT_EQUAL(l.d[39].size, 739);
	fu_check_gen(fs, "dload/sub/FILE NUMBER 17.BIN", 717, 17);
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "dload/sub/..", &d, &e), 0);
	CU_ASSERT_TRUE(d.is_dir);
	hwf_fat_close(fs);

	if (fu_have_tools()) {
		CU_ASSERT_EQUAL(fu_fsck_part(dir, "card.img"), 0);
		CU_ASSERT_EQUAL(fu_run(dir,
				       "cd '%s' && mdir -i card.img@@1M ::/dload/sub | grep -q "
				       "'file number 39.bin' && mdir -i card.img@@1M ::/ | grep -q "
				       "'longfilename2.txt'",
				       dir),
				0);
	}
	close(fd);
	free(img);
	tu_rmtree(dir);
	free(dir);
}

/* Find the 8.3 entry @sfn in the first cluster of the root (512-byte clusters). */
static uint64_t root_entry_off(int fd, const char *sfn)
{
	uint8_t s[512];
	uint64_t data;

	if (pread(fd, s, 512, PART) != 512)
		return 0;
	data = PART + (32 + 2ull * get_le32(s + 36)) * 512;
	if (pread(fd, s, 512, (off_t)data) != 512)
		return 0;
	for (int i = 0; i < 16; i++)
		if (!memcmp(s + 32 * i, sfn, 11))
			return data + 32 * (uint64_t)i;
	return 0;
}

/* A file that only fits in pieces: the gap left by a deleted file plus the tail. */
static void test_fragmented_file(void)
{
	char *dir = tu_mkdtemp(), *img;
	uint8_t s[512], ent[32], zero[40] = {0};
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	uint64_t free0, eoff, fat;
	uint32_t c2;
	int fd = fu_make_formatted(dir, "card.img", 64 * MIB, &img);

	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 1, &fs), 0);
	free0 = hwf_fat_free_bytes(fs);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "F1.BIN", 10 * 512, 1, &e), 0);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "F2.BIN", 10 * 512, 2, &e), 0);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "FILLER.BIN", free0 - 30 * 512, 3, &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), 10 * 512);
	hwf_fat_close(fs);

	/* Delete F2.BIN by hand: entry 0xE5, its 10 FAT entries free in both FATs. */
	eoff = root_entry_off(fd, "F2      BIN");
	CU_ASSERT_FATAL(eoff != 0);
	CU_ASSERT_EQUAL_FATAL(pread(fd, ent, 32, (off_t)eoff), 32);
	c2 = get_le16(ent + 26);
	ent[0] = 0xE5;
	CU_ASSERT_EQUAL(pwrite(fd, ent, 32, (off_t)eoff), 32);
	CU_ASSERT_EQUAL_FATAL(pread(fd, s, 512, PART), 512);
	for (int k = 0; k < 2; k++) {
		fat = PART + (32 + (uint64_t)k * get_le32(s + 36)) * 512;
		CU_ASSERT_EQUAL(pwrite(fd, zero, 40, (off_t)(fat + 4 * c2)), 40);
	}

	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 1, &fs), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), 20 * 512);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "FRAG.BIN", 20 * 512 - 100, 4, &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), 0);
	fu_check_gen(fs, "FRAG.BIN", 20 * 512 - 100, 4);
	fu_check_gen(fs, "F1.BIN", 10 * 512, 1);
	fu_check_gen(fs, "FILLER.BIN", free0 - 30 * 512, 3);
	hwf_fat_close(fs);

	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 0, &fs), 0);
	fu_check_gen(fs, "frag.bin", 20 * 512 - 100, 4);
	hwf_fat_close(fs);
	if (fu_have_tools())
		CU_ASSERT_EQUAL(fu_fsck_part(dir, "card.img"), 0);
	close(fd);
	free(img);
	tu_rmtree(dir);
	free(dir);
}

/* A 3 GiB sparse image: 4 KiB clusters and a FAT bigger than one 1 MiB window. */
static void test_format_large_sparse_image(void)
{
	const uint64_t size = 3 * GIB;
	char *dir = tu_mkdtemp(), *img;
	struct hwf_disk_probe p;
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	uint64_t free0;
	int fd = fu_make_formatted(dir, "big.img", size, &img);

	CU_ASSERT_EQUAL(hwf_disk_probe(fd, size, &p, &e), 0);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_FAT32);
	CU_ASSERT_EQUAL(p.cluster_size, 4096);
	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, size, 1, &fs), 0);
	free0 = hwf_fat_free_bytes(fs);
	CU_ASSERT_EQUAL(free0, (uint64_t)(hwf_fat_cluster_count(fs) - 1) * 4096);
	CU_ASSERT(hwf_fat_cluster_count(fs) > 262144 + 10); /* more than one FAT window */
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload", &e), 0);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "dload/UPDATE.APP", 5 * MIB + 3, 9, &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), free0 - 4096 - (5 * MIB + 4096));
	hwf_fat_close(fs);
	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, size, 0, &fs), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), free0 - 4096 - (5 * MIB + 4096));
	fu_check_gen(fs, "dload/UPDATE.APP", 5 * MIB + 3, 9);
	hwf_fat_close(fs);
	if (fu_have_tools())
		CU_ASSERT_EQUAL(
		    fu_run(dir, "cd '%s' && mdir -i big.img@@1M ::/dload | grep -q UPDATE", dir) ||
			fu_fsck_part(dir, "big.img"),
		    0);
	close(fd);
	free(img);
	tu_rmtree(dir);
	free(dir);
}

static void test_probe_other_layouts(void)
{
	char *dir = tu_mkdtemp(), *img = tu_path(dir, "x.img");
	uint8_t b[1024];
	struct hwf_disk_probe p;
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	int fd = fu_make_image(img, 64 * MIB);

	CU_ASSERT_FATAL(fd >= 0);
	/* All zero. */
	CU_ASSERT_EQUAL(hwf_disk_probe(fd, 64 * MIB, &p, &e), 0);
	CU_ASSERT_EQUAL(p.pt, HWF_PT_NONE);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_EMPTY);
	CU_ASSERT_EQUAL(hwf_fat_open(&fs, fd, PART, 63 * MIB, 0, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not formatted"));

	/* exFAT in an MBR partition of type 0x07. */
	memset(b, 0, sizeof(b));
	fu_put_mbr_entry(b, 0, 0x07, 2048, 63 * 2048);
	CU_ASSERT_EQUAL(pwrite(fd, b, 512, 0), 512);
	memset(b, 0, sizeof(b));
	memcpy(b,
	       "\xeb\x76\x90"
	       "EXFAT   ",
	       11);
	b[108] = 9;
	b[109] = 6;
	b[510] = 0x55;
	b[511] = 0xAA;
	CU_ASSERT_EQUAL(pwrite(fd, b, 512, PART), 512);
	CU_ASSERT_EQUAL(hwf_disk_probe(fd, 64 * MIB, &p, &e), 0);
	CU_ASSERT_EQUAL(p.pt, HWF_PT_MBR);
	CU_ASSERT_EQUAL(p.part_type, 0x07);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_EXFAT);
	CU_ASSERT_EQUAL(p.cluster_size, 32768);
	CU_ASSERT_STRING_EQUAL(hwf_fs_kind_name(p.fs), "exFAT");
	CU_ASSERT_EQUAL(hwf_fat_open(&fs, fd, PART, 63 * MIB, 0, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "exFAT, not FAT32"));

	/* The same exFAT as a superfloppy. */
	CU_ASSERT_EQUAL(pwrite(fd, b, 512, 0), 512);
	CU_ASSERT_EQUAL(hwf_disk_probe(fd, 64 * MIB, &p, &e), 0);
	CU_ASSERT_EQUAL(p.pt, HWF_PT_NONE);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_EXFAT);

	/* NTFS and ext4 in partitions, the first entry empty. */
	memset(b, 0, sizeof(b));
	fu_put_mbr_entry(b, 1, 0x83, 2048, 63 * 2048);
	CU_ASSERT_EQUAL(pwrite(fd, b, 512, 0), 512);
	memset(b, 0, sizeof(b));
	put_le16(b + 1080 - 1024, 0xEF53);
	CU_ASSERT_EQUAL(pwrite(fd, b, 512, PART), 512);
	CU_ASSERT_EQUAL(pwrite(fd, b, 1024, PART + 1024), 1024);
	CU_ASSERT_EQUAL(hwf_disk_probe(fd, 64 * MIB, &p, &e), 0);
	CU_ASSERT_EQUAL(p.pt, HWF_PT_MBR);
	CU_ASSERT_EQUAL(p.part_type, 0x83);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_EXT);
	CU_ASSERT_EQUAL(p.part_count, 1);
	memcpy(b,
	       "\xeb\x52\x90"
	       "NTFS    ",
	       11);
	CU_ASSERT_EQUAL(pwrite(fd, b, 512, PART), 512);
	CU_ASSERT_EQUAL(hwf_disk_probe(fd, 64 * MIB, &p, &e), 0);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_NTFS);
	close(fd);

	/* GPT: our FAT32 image with a protective MBR and one GPT entry at LBA 2048. */
	free(img);
	fd = fu_make_formatted(dir, "gpt.img", 64 * MIB, &img);
	memset(b, 0, sizeof(b));
	fu_put_mbr_entry(b, 0, 0xEE, 1, 64 * 2048 - 1);
	memcpy(b + 512, "EFI PART", 8);
	put_le64(b + 512 + 72, 2);
	put_le32(b + 512 + 80, 128);
	put_le32(b + 512 + 84, 128);
	CU_ASSERT_EQUAL(pwrite(fd, b, 1024, 0), 1024);
	memset(b, 0, sizeof(b));
	memset(b + 128, 0xA2, 16); /* entry 1 used: its type GUID is not zero */
	put_le64(b + 128 + 32, 2048);
	put_le64(b + 128 + 40, 64 * 2048 - 34);
	CU_ASSERT_EQUAL(pwrite(fd, b, 512, 2 * 512), 512);
	CU_ASSERT_EQUAL(hwf_disk_probe(fd, 64 * MIB, &p, &e), 0);
	CU_ASSERT_EQUAL(p.pt, HWF_PT_GPT);
	CU_ASSERT_STRING_EQUAL(hwf_pt_kind_name(p.pt), "GPT");
	CU_ASSERT_EQUAL(p.part_type, 0xEE);
	CU_ASSERT_EQUAL(p.part_offset, PART);
	CU_ASSERT_EQUAL(p.part_size, (64 * 2048 - 34 - 2048 + 1) * 512ull);
	CU_ASSERT_EQUAL(p.part_count, 1);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_FAT32);

	/* Formatting replaces the GPT (and the stale backup header at the end). */
	memset(b, 0, sizeof(b));
	memcpy(b, "EFI PART", 8);
	CU_ASSERT_EQUAL(pwrite(fd, b, 512, 64 * MIB - 512), 512);
	CU_ASSERT_EQUAL(hwf_fat32_format(fd, 64 * MIB, NULL, 5, &e), 0);
	CU_ASSERT_EQUAL(hwf_disk_probe(fd, 64 * MIB, &p, &e), 0);
	CU_ASSERT_EQUAL(p.pt, HWF_PT_MBR);
	CU_ASSERT_EQUAL(pread(fd, b, 1024, 64 * MIB - 512), 512);
	CU_ASSERT_NOT_EQUAL(memcmp(b, "EFI PART", 8), 0);
	CU_ASSERT_EQUAL(pread(fd, b, 512, 512), 512);
	CU_ASSERT_NOT_EQUAL(memcmp(b, "EFI PART", 8), 0);
	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 0, &fs), 0);
	CU_ASSERT_STRING_EQUAL(hwf_fat_label(fs), "NO NAME");
	hwf_fat_close(fs);
	close(fd);
	free(img);
	tu_rmtree(dir);
	free(dir);
}

/* The reverse: a card made by mkfs.fat + mtools, read with our reader. */
static void test_reads_mkfs_fat_and_mtools_card(void)
{
	const size_t size = 2 * MIB + 777;
	char *dir, *img, *path;
	uint8_t *data, *back;
	struct hwf_source *src;
	struct hwf_fat_dirent d;
	struct fu_listing l = {0};
	struct hwf_disk_probe p;
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	int fd;

	if (!fu_have_tools()) {
		CU_PASS("mkfs.fat/mtools not installed: skipped");
		return;
	}
	dir = tu_mkdtemp();
	img = tu_path(dir, "vfat.img");
	path = tu_path(dir, "update.bin");
	data = malloc(size);
	back = malloc(size);
	tu_random(data, size, 99);
	CU_ASSERT_EQUAL_FATAL(tu_write(path, data, size), 0);
	CU_ASSERT_EQUAL_FATAL(
	    fu_run(dir,
		   "cd '%s' && mkfs.fat -F 32 -C -n MKFS vfat.img 65536 && "
		   "mmd -i vfat.img ::/dload && mcopy -i vfat.img update.bin "
		   "::/dload/UPDATE.APP && mcopy -i vfat.img update.bin "
		   "'::/dload/A long file name, with spaces.txt' && mcopy -i vfat.img "
		   "update.bin ::/dload/lower.txt",
		   dir),
	    0);
	fd = open(img, O_RDWR | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(hwf_disk_probe(fd, 64 * MIB, &p, &e), 0);
	CU_ASSERT_EQUAL(p.pt, HWF_PT_NONE);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_FAT32);
	CU_ASSERT_EQUAL_FATAL(hwf_fat_open(&fs, fd, 0, 64 * MIB, 1, &e), 0);
	CU_ASSERT_STRING_EQUAL(hwf_fat_label(fs), "MKFS");
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "", fu_collect, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 1);
	CU_ASSERT_STRING_EQUAL(l.d[0].name, "dload");
	l.n = 0;
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "DLOAD", fu_collect, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 3);
	CU_ASSERT_STRING_EQUAL(l.d[0].name, "UPDATE.APP");
	CU_ASSERT_STRING_EQUAL(l.d[1].name, "A long file name, with spaces.txt");
	CU_ASSERT_STRING_EQUAL(l.d[2].name, "lower.txt");
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "dload/a LONG file name, with spaces.TXT", &d, &e), 0);
	CU_ASSERT_EQUAL(d.size, size);
	CU_ASSERT_EQUAL_FATAL(hwf_fat_open_source(fs, "dload/update.app", &src, &e), 0);
	CU_ASSERT_EQUAL(hwf_source_read_exact(src, back, size, 0, &e), 0);
	CU_ASSERT_EQUAL(memcmp(back, data, size), 0);
	hwf_source_close(src);
	/* And our writer on their volume. */
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload/more", &e), 0);
	CU_ASSERT_EQUAL(fu_write_gen(fs, "dload/more/Second File.bin", 1234567, 5, &e), 0);
	fu_check_gen(fs, "DLOAD/MORE/second file.BIN", 1234567, 5);
	hwf_fat_close(fs);
	close(fd);
	CU_ASSERT_EQUAL(fu_run(dir,
			       "cd '%s' && fsck.fat -n vfat.img && mcopy -n -i vfat.img "
			       "'::/dload/more/Second File.bin' second.bin && mdir -i vfat.img "
			       "::/dload/more",
			       dir),
			0);
	free(path);
	path = tu_path(dir, "second.bin");
	CU_ASSERT_EQUAL(tu_size(path), 1234567);
	free(img);
	free(path);
	free(data);
	free(back);
	tu_rmtree(dir);
	free(dir);
}

void hwf_suite_fat32(void)
{
	CU_pSuite s = CU_add_suite("fat32", NULL, NULL);

	CU_add_test(s, "cluster size table", test_cluster_size_table);
	CU_add_test(s, "format writes MBR + FAT32", test_format_writes_mbr_and_fat32);
	CU_add_test(s, "format refuses a small image and a bad label",
		    test_format_refuses_small_image_and_bad_label);
	CU_add_test(s, "dload/UPDATE.APP round trip", test_dload_update_app_roundtrip);
	CU_add_test(s, "ENOSPC changes nothing", test_enospc_changes_nothing);
	CU_add_test(s, "long names and growing folders", test_long_names_and_growing_folders);
	CU_add_test(s, "fragmented file", test_fragmented_file);
	CU_add_test(s, "format a 3 GiB sparse image", test_format_large_sparse_image);
	CU_add_test(s, "probe exFAT, ext, NTFS, empty, GPT", test_probe_other_layouts);
	CU_add_test(s, "reads a mkfs.fat + mtools card", test_reads_mkfs_fat_and_mtools_card);
}
