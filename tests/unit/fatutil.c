// SPDX-License-Identifier: MIT
/* Helpers of the FAT32 and dload unit tests: images, generated files, fsck.fat. */
#include "tests/unit/fatutil.h"

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "tests/unit/testutil.h"

/* A sparse image file of @size bytes, open read-write. */
int fu_make_image(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* A formatted 64 MiB image at dir/name. */
int fu_make_formatted(const char *dir, const char *name, uint64_t size, char **path)
{
	struct hwf_err e = {0};
	int fd;

	*path = tu_path(dir, name);
	fd = fu_make_image(*path, size);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(hwf_fat32_format(fd, size, "HWFLASH", 0x1234abcd, &e), 0);
	return fd;
}

int fu_open_fs(int fd, uint64_t size, int writable, struct hwf_fat **fs)
{
	struct hwf_err e = {0};
	int rc = hwf_fat_open(fs, fd, PART, size - PART, writable, &e);

	if (rc)
		fprintf(stderr, "hwf_fat_open: %s\n", e.msg);
	return rc;
}

/* Bytes made from their offset, so a source of any size needs no memory. */
uint8_t fu_gen_byte(uint64_t off, uint32_t seed)
{
	uint64_t x = (off >> 3) * 0x9e3779b97f4a7c15ull + seed;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	return (uint8_t)(x >> (8 * (off & 7)));
}

int fu_gen_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	uint32_t seed = (uint32_t)(uintptr_t)ctx;
	uint8_t *p = buf;

	(void)e;
	for (size_t i = 0; i < len; i++)
		p[i] = fu_gen_byte(off + i, seed);
	return 0;
}

int fu_write_gen(struct hwf_fat *fs, const char *path, uint64_t size, uint32_t seed,
		 struct hwf_err *e)
{
	struct hwf_source *src;
	int rc;

	hwf_source_open_callback(&src, size, path, fu_gen_read, (void *)(uintptr_t)seed, e);
	rc = hwf_fat_write_file(fs, path, src, NULL, NULL, e);
	hwf_source_close(src);
	return rc;
}

/* Read @path back in odd-sized pieces and compare with the generator. */
void fu_check_gen(struct hwf_fat *fs, const char *path, uint64_t size, uint32_t seed)
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
			if (buf[i] != fu_gen_byte(off + i, seed))
				bad = 1;
		off += n;
	}
	CU_ASSERT_FALSE(bad);
	hwf_source_close(src);
	free(buf);
}

/* --- command-line tools (dosfstools, mtools), when installed --- */

int fu_find_tool(const char *name, char *out, size_t cap)
{
	static const char *const dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(out, cap, "%s/%s", dirs[i], name);
		if (access(out, X_OK) == 0)
			return 1;
	}
	return 0;
}

int fu_have_tools(void)
{
	char p[256];

	return fu_find_tool("fsck.fat", p, sizeof(p)) && fu_find_tool("mkfs.fat", p, sizeof(p)) &&
	       fu_find_tool("mcopy", p, sizeof(p)) && fu_find_tool("mdir", p, sizeof(p)) &&
	       fu_find_tool("mmd", p, sizeof(p));
}

/* Run a shell command (PATH includes the sbin folders); on failure show its output. */
int fu_run(const char *dir, const char *fmt, ...)
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
int fu_copy_part(const char *dir, const char *img)
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
int fu_fsck_part(const char *dir, const char *img)
{
	if (fu_copy_part(dir, img))
		return -1;
	return fu_run(dir, "cd '%s' && fsck.fat -n part.img", dir);
}

int fu_collect(void *ctx, const struct hwf_fat_dirent *d)
{
	struct fu_listing *l = ctx;

	if (l->n < 64)
		l->d[l->n] = *d;
	l->n++;
	return 0;
}

void fu_put_mbr_entry(uint8_t *mbr, int i, uint8_t type, uint32_t lba, uint32_t n)
{
	uint8_t *p = mbr + 446 + 16 * i;

	p[4] = type;
	put_le32(p + 8, lba);
	put_le32(p + 12, n);
	mbr[510] = 0x55;
	mbr[511] = 0xAA;
}

/* Set FAT entry @c to @v in both FATs of the volume at PART. */
void fu_set_fat(int fd, uint32_t c, uint32_t v)
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
