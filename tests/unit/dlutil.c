// SPDX-License-Identifier: MIT
/* Helpers of the dload engine tests: packages, zips, a recorder of the callbacks. */
#include "tests/unit/dlutil.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "formats/app/updateapp.h"
#include "formats/core/bytes.h"
#include "tests/unit/fatutil.h"

void du_make_app(const char *path, uint64_t size, uint32_t seed)
{
	struct hwf_app_pack_opts po = {"HW", "2026.01.01", "00.00.00", 1};
	struct hwf_app_pack_item it = {"SYSTEM", NULL, 0};
	struct hwf_err e = {0};
	int fd;

	CU_ASSERT_EQUAL_FATAL(hwf_source_open_callback(&it.src, size, "gen", fu_gen_read,
						       (void *)(uintptr_t)seed, &e),
			      0);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(hwf_app_pack(fd, &it, 1, &po, NULL, NULL, &e), 0);
	close(fd);
	hwf_source_close(it.src);
}

void du_make_zip(const char *path, const char *const *names, const char *const *files, size_t n)
{
	zipFile z = zipOpen64(path, 0);
	char *buf = malloc(1 << 20);

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	for (size_t i = 0; i < n; i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);
		ssize_t r;

		CU_ASSERT_FATAL(fd >= 0);
		CU_ASSERT_EQUAL(
		    zipOpenNewFileInZip64(z, names[i], NULL, NULL, 0, NULL, 0, NULL, 0, 0, 1),
		    ZIP_OK);
		while ((r = read(fd, buf, 1 << 20)) > 0)
			CU_ASSERT_EQUAL(zipWriteInFileInZip(z, buf, (unsigned)r), ZIP_OK);
		CU_ASSERT_EQUAL(zipCloseFileInZip(z), ZIP_OK);
		close(fd);
	}
	CU_ASSERT_EQUAL(zipClose(z, NULL), ZIP_OK);
	free(buf);
}

void du_make_zip64_sparse(const char *path, const char *name, uint64_t size)
{
	uint8_t b[512], *p;
	size_t nlen = strlen(name);
	uint64_t data, cd, cdsize, z64;
	int fd = fu_make_image(path, 0);

	CU_ASSERT_FATAL(fd >= 0);
	/* local header with a zip64 extra field, then @size bytes left a hole */
	p = b;
	put_le32(p, 0x04034b50), p += 4;
	put_le16(p, 45), p += 2;
	memset(p, 0, 8), p += 8; /* flags, method (stored), time, date */
	put_le32(p, 0), p += 4;	 /* CRC-32: never read here */
	put_le32(p, 0xffffffff), p += 4;
	put_le32(p, 0xffffffff), p += 4;
	put_le16(p, (uint16_t)nlen), p += 2;
	put_le16(p, 20), p += 2;
	memcpy(p, name, nlen), p += nlen;
	put_le16(p, 1), put_le16(p + 2, 16), put_le64(p + 4, size), put_le64(p + 12, size);
	p += 20;
	data = (uint64_t)(p - b);
	CU_ASSERT_EQUAL(pwrite(fd, b, (size_t)data, 0), (ssize_t)data);
	/* central directory entry */
	cd = data + size;
	p = b;
	put_le32(p, 0x02014b50), p += 4;
	put_le16(p, 45), put_le16(p + 2, 45), p += 4;
	memset(p, 0, 8), p += 8;
	put_le32(p, 0), p += 4;
	put_le32(p, 0xffffffff), p += 4;
	put_le32(p, 0xffffffff), p += 4;
	put_le16(p, (uint16_t)nlen), put_le16(p + 2, 20), p += 4;
	memset(p, 0, 14), p += 14; /* comment, disk, attributes, local header at 0 */
	memcpy(p, name, nlen), p += nlen;
	put_le16(p, 1), put_le16(p + 2, 16), put_le64(p + 4, size), put_le64(p + 12, size);
	p += 20;
	cdsize = (uint64_t)(p - b);
	/* zip64 end record, its locator, the end record */
	z64 = cd + cdsize;
	put_le32(p, 0x06064b50), put_le64(p + 4, 44), put_le16(p + 12, 45), put_le16(p + 14, 45);
	put_le32(p + 16, 0), put_le32(p + 20, 0), put_le64(p + 24, 1), put_le64(p + 32, 1);
	put_le64(p + 40, cdsize), put_le64(p + 48, cd);
	p += 56;
	put_le32(p, 0x07064b50), put_le32(p + 4, 0), put_le64(p + 8, z64), put_le32(p + 16, 1);
	p += 20;
	put_le32(p, 0x06054b50), put_le16(p + 4, 0), put_le16(p + 6, 0), put_le16(p + 8, 1);
	put_le16(p + 10, 1), put_le32(p + 12, (uint32_t)cdsize), put_le32(p + 16, 0xffffffff);
	put_le16(p + 20, 0);
	p += 22;
	CU_ASSERT_EQUAL(pwrite(fd, b, (size_t)(p - b), (off_t)cd), p - b);
	close(fd);
}

void du_make_sparse(const char *path, uint64_t size)
{
	int fd = fu_make_image(path, size);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
}

void du_flip(const char *path, uint64_t off)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	uint8_t c = 0;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(pread(fd, &c, 1, (off_t)off), 1);
	c ^= 0x5a;
	CU_ASSERT_EQUAL(pwrite(fd, &c, 1, (off_t)off), 1);
	close(fd);
}

int du_same(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rbe"), *fb = fopen(b, "rbe");
	char x[1 << 14], y[1 << 14];
	int same = fa && fb;

	while (same) {
		size_t na = fread(x, 1, sizeof(x), fa), nb = fread(y, 1, sizeof(y), fb);

		if (na != nb || memcmp(x, y, na))
			same = 0;
		if (!na)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

int du_mkdirs(const char *path)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *s = tmp + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(tmp, 0755) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

void du_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* --- the recorder --- */

static enum hwf_dload_answer rec_confirm(void *ctx, const char *question)
{
	struct du_rec *r = ctx;

	r->asked++;
	snprintf(r->question, sizeof(r->question), "%s", question);
	return r->answer;
}

static void rec_event(void *ctx, enum hwf_dload_event kind, const char *text)
{
	static const char *const names[] = {"WARNING", "VERIFIED", "WRITING"};
	struct du_rec *r = ctx;
	size_t n = strlen(r->log);

	CU_ASSERT_FATAL((unsigned)kind < 3);
	r->events[kind]++;
	if (kind == HWF_DLOAD_EV_WRITING && r->events[kind] == (r->flip_at ? r->flip_at : 1)) {
		char path[4096];
		const char *rel = strncmp(text, "Writing dload/", 14) ? NULL : text + 14;
		const char *end = rel ? strstr(rel, " (") : NULL;

		if (r->flip_dir && end) {
			snprintf(path, sizeof(path), "%s/%.*s", r->flip_dir, (int)(end - rel), rel);
			du_flip(path, r->flip_off);
		} else if (r->flip_path) {
			du_flip(r->flip_path, r->flip_off);
		}
	}
	snprintf(r->log + n, sizeof(r->log) - n, "%s %s\n", names[kind], text);
}

static void rec_begin(void *ctx, const char *label)
{
	struct du_rec *r = ctx;

	CU_ASSERT_PTR_NOT_NULL(label);
	CU_ASSERT_EQUAL(r->begins, r->ends); /* never nested */
	r->begins++;
}

static void rec_update(void *ctx, uint64_t done, uint64_t total)
{
	struct du_rec *r = ctx;

	CU_ASSERT(done <= total);
	r->updates++;
}

static void rec_end(void *ctx)
{
	((struct du_rec *)ctx)->ends++;
}

static int rec_tmp_add(void *ctx, const char *path)
{
	struct du_rec *r = ctx;

	if (r->tmp_fail) {
		errno = ENOMEM;
		return -1;
	}
	r->tmp_added++;
	snprintf(r->tmp_last, sizeof(r->tmp_last), "%s", path);
	/* Registered before it exists. */
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	return 0;
}

static void rec_tmp_forget(void *ctx, const char *path)
{
	struct du_rec *r = ctx;

	(void)path;
	r->tmp_forgotten++;
}

struct hwf_dload_cb du_cb(struct du_rec *r, int with_confirm)
{
	struct hwf_dload_cb cb = {
	    .ctx = r,
	    .confirm = with_confirm ? rec_confirm : NULL,
	    .event = rec_event,
	    .progress_begin = rec_begin,
	    .progress = rec_update,
	    .progress_end = rec_end,
	    .tmp_add = rec_tmp_add,
	    .tmp_forget = rec_tmp_forget,
	};

	return cb;
}
