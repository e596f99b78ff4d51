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
#include "tests/unit/testutil.h"

#define MIB  (1024ull * 1024)
#define GIB  (1024 * MIB)
#define PART HWF_FAT32_PART_OFFSET

/* A sparse image file of @size bytes, open read-write. */
static int make_image(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* A formatted 64 MiB image at dir/name. */
static int make_formatted(const char *dir, const char *name, uint64_t size, char **path)
{
	struct hwf_err e = {0};
	int fd;

	*path = tu_path(dir, name);
	fd = make_image(*path, size);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(hwf_fat32_format(fd, size, "HWFLASH", 0x1234abcd, &e), 0);
	return fd;
}

static int open_fs(int fd, uint64_t size, int writable, struct hwf_fat **fs)
{
	struct hwf_err e = {0};
	int rc = hwf_fat_open(fs, fd, PART, size - PART, writable, &e);

	if (rc)
		fprintf(stderr, "hwf_fat_open: %s\n", e.msg);
	return rc;
}

/* Bytes made from their offset, so a source of any size needs no memory. */
static uint8_t gen_byte(uint64_t off, uint32_t seed)
{
	uint64_t x = (off >> 3) * 0x9e3779b97f4a7c15ull + seed;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	return (uint8_t)(x >> (8 * (off & 7)));
}

static int gen_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	uint32_t seed = (uint32_t)(uintptr_t)ctx;
	uint8_t *p = buf;

	(void)e;
	for (size_t i = 0; i < len; i++)
		p[i] = gen_byte(off + i, seed);
	return 0;
}

static int never_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	(void)ctx;
	(void)buf;
	(void)len;
	(void)off;
	CU_FAIL("the source was read although the file cannot fit");
	return hwf_err_set(e, HWF_EIO, "must not be read");
}

static int write_gen(struct hwf_fat *fs, const char *path, uint64_t size, uint32_t seed,
		     struct hwf_err *e)
{
	struct hwf_source *src;
	int rc;

	hwf_source_open_callback(&src, size, path, gen_read, (void *)(uintptr_t)seed, e);
	rc = hwf_fat_write_file(fs, path, src, NULL, NULL, e);
	hwf_source_close(src);
	return rc;
}

/* Read @path back in odd-sized pieces and compare with the generator. */
static void check_gen(struct hwf_fat *fs, const char *path, uint64_t size, uint32_t seed)
{
	struct hwf_source *src;
	struct hwf_err e = {0};
	size_t cap = 300000;
	uint8_t *buf = malloc(cap);
	int bad = 0;

	CU_ASSERT_EQUAL_FATAL(hwf_fat_open_source(fs, path, &src, &e), 0);
	CU_ASSERT_EQUAL(hwf_source_size(src), size);
	for (uint64_t off = 0; off < size && !bad;) {
		size_t n = size - off < cap ? (size_t)(size - off) : cap;

		CU_ASSERT_EQUAL_FATAL(hwf_source_read_exact(src, buf, n, off, &e), 0);
		for (size_t i = 0; i < n; i++)
			if (buf[i] != gen_byte(off + i, seed))
				bad = 1;
		off += n;
	}
	CU_ASSERT_FALSE(bad);
	hwf_source_close(src);
	free(buf);
}

/* --- command-line tools (dosfstools, mtools), when installed --- */

static int find_tool(const char *name, char *out, size_t cap)
{
	static const char *const dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(out, cap, "%s/%s", dirs[i], name);
		if (access(out, X_OK) == 0)
			return 1;
	}
	return 0;
}

static int have_tools(void)
{
	char p[256];

	return find_tool("fsck.fat", p, sizeof(p)) && find_tool("mkfs.fat", p, sizeof(p)) &&
	       find_tool("mcopy", p, sizeof(p)) && find_tool("mdir", p, sizeof(p)) &&
	       find_tool("mmd", p, sizeof(p));
}

/* Run a shell command (PATH includes the sbin folders); on failure show its output. */
static int run(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run(const char *dir, const char *fmt, ...)
{
	char cmd[4096], full[8192], *log = tu_path(dir, "cmd.log");
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full),
		 "PATH=/usr/sbin:/sbin:$PATH; export MTOOLSRC=/dev/null; (%s) >'%s' 2>&1", cmd,
		 log);
	rc = system(full);
	if (rc != 0) {
		char show[8400];

		fprintf(stderr, "\ncommand failed (%d): %s\n", rc, cmd);
		snprintf(show, sizeof(show), "cat '%s' >&2", log);
		if (system(show) != 0)
			fprintf(stderr, "(no output)\n");
	}
	free(log);
	return rc;
}

/*
 * fsck.fat has no offset option: copy the partition of dir/@img to dir/part.img,
 * only the extents that hold data (SEEK_DATA), so sparse images stay cheap.
 */
static int copy_part(const char *dir, const char *img)
{
	char *src = tu_path(dir, img), *dst = tu_path(dir, "part.img");
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	uint8_t *buf = malloc(MIB);
	off_t size = in >= 0 ? lseek(in, 0, SEEK_END) : -1, pos = PART;
	int rc = in < 0 || out < 0 || size < (off_t)PART || !buf;

	while (!rc && pos < size) {
		off_t d = lseek(in, pos, SEEK_DATA), h;

		if (d < 0)
			break; /* only a hole is left */
		h = lseek(in, d, SEEK_HOLE);
		for (off_t o = d; !rc && o < h;) {
			size_t n = h - o < (off_t)MIB ? (size_t)(h - o) : MIB;

			rc = pread(in, buf, n, o) != (ssize_t)n ||
			     pwrite(out, buf, n, o - (off_t)PART) != (ssize_t)n;
			o += (off_t)n;
		}
		pos = h;
	}
	if (!rc)
		rc = ftruncate(out, size - (off_t)PART) != 0;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(buf);
	free(src);
	free(dst);
	return rc;
}

/* fsck.fat -n on the partition of dir/@img: 0 when it found nothing to fix. */
static int fsck_part(const char *dir, const char *img)
{
	if (copy_part(dir, img))
		return -1;
	return run(dir, "cd '%s' && fsck.fat -n part.img", dir);
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
	int fd = make_formatted(dir, "card.img", 64 * MIB, &img);

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

	CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 0, &fs), 0);
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
	int fd = make_image(img, 16 * MIB);

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

struct listing {
	int n;
	struct hwf_fat_dirent d[64];
};

static int collect(void *ctx, const struct hwf_fat_dirent *d)
{
	struct listing *l = ctx;

	if (l->n < 64)
		l->d[l->n] = *d;
	l->n++;
	return 0;
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
	struct listing l = {0};
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	uint64_t free0, free1, prog[2] = {0, 0};
	int fd = make_formatted(dir, "card.img", 64 * MIB, &img);

	tu_random(data, size, 42);
	CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 1, &fs), 0);
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
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "/", collect, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 1);
	CU_ASSERT_STRING_EQUAL(l.d[0].name, "dload");
	CU_ASSERT_STRING_EQUAL(l.d[0].short_name, "DLOAD");
	CU_ASSERT_TRUE(l.d[0].is_dir);
	l.n = 0;
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "dload", collect, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 1);
	CU_ASSERT_STRING_EQUAL(l.d[0].name, "UPDATE.APP");
	CU_ASSERT_EQUAL(l.d[0].size, size);
	CU_ASSERT_FALSE(l.d[0].is_dir);
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "dload/UPDATE.APP", collect, &l, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "dlaod", collect, &l, &e), HWF_ENOTFOUND);

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
	CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 0, &fs), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), free1);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "other", &e), HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "read-only"));
	CU_ASSERT_EQUAL_FATAL(hwf_fat_open_source(fs, "dload/UPDATE.APP", &src, &e), 0);
	memset(back, 0, size);
	CU_ASSERT_EQUAL(hwf_source_read_exact(src, back, size, 0, &e), 0);
	CU_ASSERT_EQUAL(memcmp(back, data, size), 0);
	hwf_source_close(src);
	hwf_fat_close(fs);

	if (have_tools()) {
		/* fsck.fat has no offset option: check a copy of the partition. */
		CU_ASSERT_EQUAL(fsck_part(dir, "card.img"), 0);
		CU_ASSERT_EQUAL(run(dir,
				    "cd '%s' && mdir -i card.img@@1M ::/dload && mcopy -n "
				    "-i card.img@@1M ::/dload/UPDATE.APP out.bin",
				    dir),
				0);
		CU_ASSERT_EQUAL(
		    run(dir, "cd '%s' && mdir -i card.img@@1M ::/ | grep -q ' dload$'", dir), 0);
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
	struct listing l = {0};
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	uint8_t before[4096], after[4096];
	uint64_t free0;
	int fd = make_formatted(dir, "card.img", 64 * MIB, &img);

	CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 1, &fs), 0);
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
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "", collect, &l, &e), 0);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL_FATAL(pread(fd, after, sizeof(after), PART + 32 * 512), 4096);
	CU_ASSERT_EQUAL(memcmp(before, after, sizeof(before)), 0);

	/* Exactly the free space fits, then nothing more does. */
	CU_ASSERT_EQUAL(write_gen(fs, "FULL.BIN", free0, 7, &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), 0);
	check_gen(fs, "full.bin", free0, 7);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload", &e), HWF_ENOSPC);
	CU_ASSERT_EQUAL(write_gen(fs, "EMPTY.BIN", 0, 1, &e), 0); /* needs no cluster */
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "EMPTY.BIN", &d, &e), 0);
	CU_ASSERT_EQUAL(d.size, 0);
	CU_ASSERT_EQUAL(d.first_cluster, 0);
	check_gen(fs, "EMPTY.BIN", 0, 1);
	hwf_fat_close(fs);
	if (have_tools())
		CU_ASSERT_EQUAL(fsck_part(dir, "card.img"), 0);
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
	struct listing l = {0};
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	int fd = make_formatted(dir, "card.img", 64 * MIB, &img);

	CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 1, &fs), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CU_ASSERT_EQUAL(write_gen(fs, names[i], 1000 + i, (uint32_t)i, &e), 0);
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
		check_gen(fs, names[i], 1000 + i, (uint32_t)i);

	CU_ASSERT_EQUAL(write_gen(fs, "a:b", 1, 1, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(write_gen(fs, "trailing.", 1, 1, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(write_gen(fs, "bad\xff", 1, 1, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "/", &e), HWF_EINVAL);

	/* 40 long names: 80 entries, five 512-byte clusters. */
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload", &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload/sub", &e), 0);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "dload/sub/file number %02d.bin", i);
		CU_ASSERT_EQUAL(write_gen(fs, name, 700 + (uint64_t)i, (uint32_t)i, &e), 0);
	}
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "DLOAD/SUB", collect, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 40);
	CU_ASSERT_STRING_EQUAL(l.d[39].name, "file number 39.bin");
	CU_ASSERT_EQUAL(l.d[39].size, 739);
	check_gen(fs, "dload/sub/FILE NUMBER 17.BIN", 717, 17);
	CU_ASSERT_EQUAL(hwf_fat_stat(fs, "dload/sub/..", &d, &e), 0);
	CU_ASSERT_TRUE(d.is_dir);
	hwf_fat_close(fs);

	if (have_tools()) {
		CU_ASSERT_EQUAL(fsck_part(dir, "card.img"), 0);
		CU_ASSERT_EQUAL(run(dir,
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
	int fd = make_formatted(dir, "card.img", 64 * MIB, &img);

	CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 1, &fs), 0);
	free0 = hwf_fat_free_bytes(fs);
	CU_ASSERT_EQUAL(write_gen(fs, "F1.BIN", 10 * 512, 1, &e), 0);
	CU_ASSERT_EQUAL(write_gen(fs, "F2.BIN", 10 * 512, 2, &e), 0);
	CU_ASSERT_EQUAL(write_gen(fs, "FILLER.BIN", free0 - 30 * 512, 3, &e), 0);
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

	CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 1, &fs), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), 20 * 512);
	CU_ASSERT_EQUAL(write_gen(fs, "FRAG.BIN", 20 * 512 - 100, 4, &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), 0);
	check_gen(fs, "FRAG.BIN", 20 * 512 - 100, 4);
	check_gen(fs, "F1.BIN", 10 * 512, 1);
	check_gen(fs, "FILLER.BIN", free0 - 30 * 512, 3);
	hwf_fat_close(fs);

	CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 0, &fs), 0);
	check_gen(fs, "frag.bin", 20 * 512 - 100, 4);
	hwf_fat_close(fs);
	if (have_tools())
		CU_ASSERT_EQUAL(fsck_part(dir, "card.img"), 0);
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
	int fd = make_formatted(dir, "big.img", size, &img);

	CU_ASSERT_EQUAL(hwf_disk_probe(fd, size, &p, &e), 0);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_FAT32);
	CU_ASSERT_EQUAL(p.cluster_size, 4096);
	CU_ASSERT_EQUAL_FATAL(open_fs(fd, size, 1, &fs), 0);
	free0 = hwf_fat_free_bytes(fs);
	CU_ASSERT_EQUAL(free0, (uint64_t)(hwf_fat_cluster_count(fs) - 1) * 4096);
	CU_ASSERT(hwf_fat_cluster_count(fs) > 262144 + 10); /* more than one FAT window */
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload", &e), 0);
	CU_ASSERT_EQUAL(write_gen(fs, "dload/UPDATE.APP", 5 * MIB + 3, 9, &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), free0 - 4096 - (5 * MIB + 4096));
	hwf_fat_close(fs);
	CU_ASSERT_EQUAL_FATAL(open_fs(fd, size, 0, &fs), 0);
	CU_ASSERT_EQUAL(hwf_fat_free_bytes(fs), free0 - 4096 - (5 * MIB + 4096));
	check_gen(fs, "dload/UPDATE.APP", 5 * MIB + 3, 9);
	hwf_fat_close(fs);
	if (have_tools())
		CU_ASSERT_EQUAL(
		    run(dir, "cd '%s' && mdir -i big.img@@1M ::/dload | grep -q UPDATE", dir) ||
			fsck_part(dir, "big.img"),
		    0);
	close(fd);
	free(img);
	tu_rmtree(dir);
	free(dir);
}

static void put_mbr_entry(uint8_t *mbr, int i, uint8_t type, uint32_t lba, uint32_t n)
{
	uint8_t *p = mbr + 446 + 16 * i;

	p[4] = type;
	put_le32(p + 8, lba);
	put_le32(p + 12, n);
	mbr[510] = 0x55;
	mbr[511] = 0xAA;
}

static void test_probe_other_layouts(void)
{
	char *dir = tu_mkdtemp(), *img = tu_path(dir, "x.img");
	uint8_t b[1024];
	struct hwf_disk_probe p;
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	int fd = make_image(img, 64 * MIB);

	CU_ASSERT_FATAL(fd >= 0);
	/* All zero. */
	CU_ASSERT_EQUAL(hwf_disk_probe(fd, 64 * MIB, &p, &e), 0);
	CU_ASSERT_EQUAL(p.pt, HWF_PT_NONE);
	CU_ASSERT_EQUAL(p.fs, HWF_FS_EMPTY);
	CU_ASSERT_EQUAL(hwf_fat_open(&fs, fd, PART, 63 * MIB, 0, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not formatted"));

	/* exFAT in an MBR partition of type 0x07. */
	memset(b, 0, sizeof(b));
	put_mbr_entry(b, 0, 0x07, 2048, 63 * 2048);
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
	put_mbr_entry(b, 1, 0x83, 2048, 63 * 2048);
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
	fd = make_formatted(dir, "gpt.img", 64 * MIB, &img);
	memset(b, 0, sizeof(b));
	put_mbr_entry(b, 0, 0xEE, 1, 64 * 2048 - 1);
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
	CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 0, &fs), 0);
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
	struct listing l = {0};
	struct hwf_disk_probe p;
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	int fd;

	if (!have_tools()) {
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
	    run(dir,
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
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "", collect, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 1);
	CU_ASSERT_STRING_EQUAL(l.d[0].name, "dload");
	l.n = 0;
	CU_ASSERT_EQUAL(hwf_fat_list(fs, "DLOAD", collect, &l, &e), 0);
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
	CU_ASSERT_EQUAL(write_gen(fs, "dload/more/Second File.bin", 1234567, 5, &e), 0);
	check_gen(fs, "DLOAD/MORE/second file.BIN", 1234567, 5);
	hwf_fat_close(fs);
	close(fd);
	CU_ASSERT_EQUAL(run(dir,
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

/* --- damaged volumes: every chain walk bounded, every loop named ------------------ */

/* Set FAT entry @c to @v in both FATs of the volume at PART. */
static void set_fat(int fd, uint32_t c, uint32_t v)
{
	uint8_t s[512], b[4];

	CU_ASSERT_EQUAL_FATAL(pread(fd, s, 512, PART), 512);
	put_le32(b, v);
	for (uint32_t k = 0; k < s[16]; k++) {
		uint64_t at = PART +
			      ((uint64_t)get_le16(s + 14) + (uint64_t)k * get_le32(s + 36)) * 512 +
			      4ull * c;

		CU_ASSERT_EQUAL_FATAL(pwrite(fd, b, 4, (off_t)at), 4);
	}
}

/* First cluster of @path. */
static uint32_t first_cluster(int fd, uint64_t size, const char *path)
{
	struct hwf_fat_dirent d;
	struct hwf_err e = {0};
	struct hwf_fat *fs;

	CU_ASSERT_EQUAL_FATAL(open_fs(fd, size, 0, &fs), 0);
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

	CU_ASSERT_EQUAL_FATAL(open_fs(fd, size, 0, &fs), 0);
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
	int fd = make_formatted(dir, "bad.img", 64 * MIB, img);

	CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 1, &fs), 0);
	CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload", &e), 0);
	CU_ASSERT_EQUAL(write_gen(fs, "dload/A.BIN", 10 * 512 - 7, 1, &e), 0);
	CU_ASSERT_EQUAL(write_gen(fs, "dload/B.BIN", 3 * 512, 2, &e), 0);
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

	if (!have_tools())
		return;
	CU_ASSERT_EQUAL_FATAL(copy_part(dir, "bad.img"), 0);
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
		struct listing l = {0};
		struct hwf_err e = {0};
		struct hwf_fat *fs;
		uint64_t free0;
		int fd = damaged_card(dir, &img);

		if (cases[i].cl) {
			set_fat(fd, cases[i].cl, cases[i].val);
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
		CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 1, &fs), 0);
		free0 = hwf_fat_free_bytes(fs);
		if ((cases[i].cl == 2 || cases[i].cl == 3) && cases[i].val == cases[i].cl) {
			CU_ASSERT_EQUAL(write_gen(fs, "dload/C.BIN", 5000, 3, &e), HWF_EFORMAT);
			CU_ASSERT_EQUAL(
			    hwf_fat_list(fs, cases[i].cl == 2 ? "" : "dload", collect, &l, &e),
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
	int fd = make_formatted(dir, "big.img", size, &img);

	CU_ASSERT_EQUAL_FATAL(open_fs(fd, size, 1, &fs), 0);
	CU_ASSERT_EQUAL(write_gen(fs, "A.BIN", 300 * 4096, 1, &e), 0);
	hwf_fat_close(fs);
	a = first_cluster(fd, size, "A.BIN");
	set_fat(fd, a + 299, a + 150);
	check_says(fd, size, "loops at cluster");
	CU_ASSERT_EQUAL_FATAL(open_fs(fd, size, 0, &fs), 0);
	CU_ASSERT_EQUAL(hwf_fat_open_source(fs, "A.BIN", &src, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "(it points back to cluster"));
	hwf_fat_close(fs);
	/* Mended, it is sound again. */
	set_fat(fd, a + 299, 0x0FFFFFFF);
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
	int fd = make_image(path, size);

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
		put_mbr_entry(buf, 0, 0x83, 2048, 4 * 2048);
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
		int fd = make_formatted(dir, "ours.img", 64 * MIB, &img);

		CU_ASSERT_EQUAL(classify_file(img, &c), HWF_CARD_IMAGE);
		CU_ASSERT_STRING_EQUAL(c.what, "MBR partition table, first partition FAT32");
		CU_ASSERT_EQUAL_FATAL(open_fs(fd, 64 * MIB, 1, &fs), 0);
		CU_ASSERT_EQUAL(hwf_fat_mkdir(fs, "dload", &e), 0);
		CU_ASSERT_EQUAL(write_gen(fs, "dload/UPDATE.APP", 3 * MIB, 7, &e), 0);
		hwf_fat_close(fs);
		CU_ASSERT_EQUAL(classify_file(img, &c), HWF_CARD_IMAGE);
		put_mbr_entry(buf, 0, 0xEE, 1, 64 * 2048 - 1);
		memcpy(buf + 512, "EFI PART", 8);
		CU_ASSERT_EQUAL(pwrite(fd, buf, 1024, 0), 1024);
		CU_ASSERT_EQUAL(classify_file(img, &c), HWF_CARD_IMAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(c.what, "GPT"));
		memset(buf, 0, 1024);
		close(fd);
		free(img);
	}
	/* A FAT32 superfloppy from mkfs.fat. */
	if (have_tools()) {
		char *path = tu_path(dir, "sf.img");

		CU_ASSERT_EQUAL(run(dir, "cd '%s' && mkfs.fat -F 32 -C sf.img 65536", dir), 0);
		CU_ASSERT_EQUAL(classify_file(path, &c), HWF_CARD_IMAGE);
		CU_ASSERT_STRING_EQUAL(c.what, "FAT32 file system without a partition table");
		free(path);
	}
	free(buf);
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
	CU_add_test(s, "chain loops, links out, cross-links are found and named",
		    test_chain_loops_are_found_and_named);
	CU_add_test(s, "a chain loop in a big volume is found quickly",
		    test_chain_loop_in_big_volume_is_quick);
	CU_add_test(s, "is a target a card: by content, not name", test_card_classify_by_content);
}
