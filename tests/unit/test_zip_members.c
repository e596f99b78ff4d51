// SPDX-License-Identifier: MIT
/*
 * Zip members inflated once (formats/core/zip_members.c): stored members
 * read in place, a deflated member inflated once however it is read
 * (forwards, backwards, again, through a second source), a zip bomb and a
 * bad CRC-32 refused, the temporary file never seen in its folder and gone
 * after close and after an error, a full folder said in one line naming
 * the zip, the member and the folder.  Zips are written here with minizip;
 * raw mode writes deflated data whose declared size and CRC lie.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include "formats/core/crc32.h"
#include "formats/core/source.h"
#include "formats/core/zip_members.h"
#include "tests/unit/testutil.h"
#include "tests/unit/zipfix.h"

#define IMG_LEN	   (3u << 20) /* more than the handle's 1 MiB chunk */
#define STORED_LEN 300000u

static char *dir, *tmp, *zpath;
static uint8_t *img, *stored;

/* A partition image in small: runs of random bytes, text and zeros. */
static void make_image(uint8_t *p, size_t len)
{
	static const char text[] = "static int main(void) { return hwflash_update(zip); }\n";

	for (size_t off = 0, k = 0; off < len; k++) {
		size_t run = (k % 5 + 1) * 65536 + 1234 * k;

		if (run > len - off)
			run = len - off;
		if (k % 3 == 0)
			tu_random(p + off, run, k);
		else if (k % 3 == 1)
			for (size_t i = 0; i < run; i++)
				p[off + i] = (uint8_t)text[i % (sizeof(text) - 1)];
		else
			memset(p + off, 0, run);
		off += run;
	}
}

static int setup(void)
{
	zipFile z;
	uint8_t zeros[65536] = {0};

	dir = tu_mkdtemp();
	tmp = dir ? tu_path(dir, "tmp") : NULL;
	zpath = dir ? tu_path(dir, "upd.zip") : NULL;
	img = malloc(IMG_LEN);
	stored = malloc(STORED_LEN);
	if (!tmp || !zpath || !img || !stored || mkdir(tmp, 0700))
		return -1;
	make_image(img, IMG_LEN);
	tu_random(stored, STORED_LEN, 99);
	z = zipOpen64(zpath, 0);
	if (!z)
		return -1;
	if (zf_add(z, "stored.bin", stored, STORED_LEN, 0) ||
	    zf_add(z, "system.img", img, IMG_LEN, Z_DEFLATED) ||
	    /* 64 KiB of zeros said to be 4 KiB: a bomb in small. */
	    zf_add_raw(z, "bomb.img", zeros, sizeof(zeros), 4096, crc32(0, zeros, 4096)) ||
	    /* The right size, a wrong CRC-32. */
	    zf_add_raw(z, "badcrc.img", img, 100000, 100000, crc32(0, img, 100000) ^ 1) ||
	    /* Less data than the zip says. */
	    zf_add_raw(z, "short.img", img, 100000, 200000, crc32(0, img, 100000))) {
		zipClose(z, NULL);
		return -1;
	}
	return zipClose(z, NULL) == ZIP_OK ? 0 : -1;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(tmp);
	free(zpath);
	free(img);
	free(stored);
	return 0;
}

/* Descriptors of this process on files in @folder (linked or not). */
static int fds_into(const char *folder)
{
	size_t n = strlen(folder);
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int count = 0;

	while (d && (de = readdir(d))) {
		char link[300], target[4096];
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (!strncmp(target, folder, n) && target[n] == '/')
			count++;
	}
	if (d)
		closedir(d);
	return count;
}

static struct hwf_zip_members *open_zm(void)
{
	struct hwf_zip_members *zm = NULL;
	struct hwf_err e = {0};

	CU_ASSERT_EQUAL(hwf_zip_members_open(&zm, zpath, tmp, &e), 0);
	return zm;
}

static struct hwf_zip_member_stats stats_of(struct hwf_zip_members *zm, const char *name)
{
	struct hwf_zip_member_stats st;

	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i < hwf_zip_members_count(zm); i++) {
		hwf_zip_members_stats(zm, i, &st);
		if (!strcmp(st.name, name))
			return st;
	}
	CU_FAIL("member not in the handle's list");
	return st;
}

/* Read [off, off + len) of @s and compare with @want. */
static int same(struct hwf_source *s, const uint8_t *want, uint64_t off, size_t len)
{
	uint8_t *buf = malloc(len);
	struct hwf_err e = {0};
	int ok = buf && hwf_source_read_exact(s, buf, len, off, &e) == 0 &&
		 !memcmp(buf, want + off, len);

	free(buf);
	return ok;
}

static void test_stored_read_in_place(void)
{
	struct hwf_zip_members *zm = open_zm();
	struct hwf_zip_member_stats st;
	struct hwf_source *s;
	struct hwf_err e = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(zm);
	CU_ASSERT_EQUAL_FATAL(hwf_zip_members_source(zm, "stored.bin", &s, &e), 0);
	CU_ASSERT_STRING_EQUAL(hwf_source_name(s) + strlen(zpath), ":stored.bin");
	CU_ASSERT_TRUE(hwf_source_random_access(s));
	CU_ASSERT_TRUE(hwf_source_fd(s, NULL) >= 0);
	CU_ASSERT_EQUAL(hwf_source_size(s), STORED_LEN);
	CU_ASSERT_TRUE(same(s, stored, 0, STORED_LEN));
	CU_ASSERT_TRUE(same(s, stored, 1000, 5000));
	CU_ASSERT_EQUAL(fds_into(tmp), 0);
	st = stats_of(zm, "stored.bin");
	CU_ASSERT_FALSE(st.deflated);
	CU_ASSERT_EQUAL(st.passes, 0);
	CU_ASSERT_EQUAL(st.written, 0);
	hwf_source_close(s);
	hwf_zip_members_close(zm);
}

static void test_deflated_once(void)
{
	struct hwf_zip_members *zm = open_zm();
	struct hwf_zip_member_stats st;
	struct hwf_source *s, *again;
	struct hwf_err e = {0};
	uint64_t off = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(zm);
	CU_ASSERT_EQUAL_FATAL(hwf_zip_members_source(zm, "system.img", &s, &e), 0);
	CU_ASSERT_EQUAL(hwf_source_size(s), IMG_LEN);
	/* Opening inflates nothing and makes no file. */
	CU_ASSERT_EQUAL(stats_of(zm, "system.img").inflated, 0);
	CU_ASSERT_EQUAL(fds_into(tmp), 0);
	/* The head, as a sniff reads it: only that much is inflated. */
	CU_ASSERT_TRUE(same(s, img, 0, 4096));
	st = stats_of(zm, "system.img");
	CU_ASSERT_EQUAL(st.passes, 1);
	CU_ASSERT_TRUE(st.inflated >= 4096 && st.inflated < IMG_LEN);
	/* Forwards in odd pieces, then backwards, then again through a second source. */
	for (size_t step = 777; off < IMG_LEN; step = step * 3 % 200000 + 1) {
		size_t len = step < IMG_LEN - off ? step : (size_t)(IMG_LEN - off);

		if (!same(s, img, off, len))
			break;
		off += len;
	}
	CU_ASSERT_EQUAL(off, IMG_LEN);
	for (uint64_t o = IMG_LEN; o > 70000; o -= 70000)
		CU_ASSERT_TRUE(same(s, img, o - 70000, 70000));
	CU_ASSERT_EQUAL_FATAL(hwf_zip_members_source(zm, "system.img", &again, &e), 0);
	CU_ASSERT_TRUE(same(again, img, 0, IMG_LEN));
	hwf_source_close(again);
	st = stats_of(zm, "system.img");
	CU_ASSERT_TRUE(st.deflated);
	CU_ASSERT_EQUAL(st.passes, 1);
	CU_ASSERT_EQUAL(st.inflated, IMG_LEN);
	/* A third of the image is zeros: those blocks were not written. */
	CU_ASSERT_TRUE(st.written > 0 && st.written < IMG_LEN * 3 / 4);
	/* The file is open but was never in the folder. */
	CU_ASSERT_EQUAL(fds_into(tmp), 1);
	CU_ASSERT_EQUAL(tu_count_names(tmp, ""), 0);
	hwf_source_close(s);
	hwf_zip_members_close(zm);
	CU_ASSERT_EQUAL(fds_into(tmp), 0);
	CU_ASSERT_EQUAL(tu_count_names(tmp, ""), 0);
}

/* The first read near the end (an AVB footer) inflates up to it once; the rest is kept. */
static void test_tail_first(void)
{
	struct hwf_zip_members *zm = open_zm();
	struct hwf_source *s;
	struct hwf_err e = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(zm);
	CU_ASSERT_EQUAL_FATAL(hwf_zip_members_source(zm, "system.img", &s, &e), 0);
	CU_ASSERT_TRUE(same(s, img, IMG_LEN - 64, 64));
	CU_ASSERT_TRUE(same(s, img, 0, IMG_LEN));
	CU_ASSERT_EQUAL(stats_of(zm, "system.img").passes, 1);
	CU_ASSERT_EQUAL(stats_of(zm, "system.img").inflated, IMG_LEN);
	hwf_source_close(s);
	hwf_zip_members_close(zm);
}

/* Read all of @member; the error of the read that failed. */
static int read_through(struct hwf_zip_members *zm, const char *member, struct hwf_err *e)
{
	struct hwf_source *s;
	uint8_t buf[65536];
	uint64_t off = 0;
	int rc = hwf_zip_members_source(zm, member, &s, e);

	while (!rc && off < hwf_source_size(s)) {
		int64_t n = hwf_source_pread(s, buf, sizeof(buf), off, e);

		if (n <= 0)
			rc = n < 0 ? (int)n : -1;
		off += n > 0 ? (uint64_t)n : 0;
	}
	hwf_source_close(s);
	return rc;
}

static void test_bomb_and_bad_data_refused(void)
{
	static const struct {
		const char *member, *says;
		int code;
	} bad[] = {
	    {"bomb.img", "holds more than the 4096 bytes", HWF_EFORMAT},
	    {"badcrc.img", "CRC-32 mismatch", HWF_ECRC},
	    {"short.img", "ends", HWF_EFORMAT},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hwf_zip_members *zm = open_zm();
		struct hwf_err e = {0}, again = {0};
		uint8_t b;

		CU_ASSERT_PTR_NOT_NULL_FATAL(zm);
		CU_ASSERT_EQUAL(read_through(zm, bad[i].member, &e), bad[i].code);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, bad[i].says));
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, bad[i].member));
		/* Gone at once, and never inflated again: the same error comes back. */
		CU_ASSERT_EQUAL(fds_into(tmp), 0);
		{
			struct hwf_source *s;

			CU_ASSERT_EQUAL_FATAL(hwf_zip_members_source(zm, bad[i].member, &s, &e), 0);
			CU_ASSERT_EQUAL(hwf_source_pread(s, &b, 1, 0, &again), bad[i].code);
			CU_ASSERT_STRING_EQUAL(again.msg, e.msg);
			hwf_source_close(s);
		}
		CU_ASSERT_EQUAL(stats_of(zm, bad[i].member).passes, 1);
		CU_ASSERT_TRUE(stats_of(zm, bad[i].member).inflated <= 200000);
		hwf_zip_members_close(zm);
		CU_ASSERT_EQUAL(fds_into(tmp), 0);
		CU_ASSERT_EQUAL(tu_count_names(tmp, ""), 0);
	}
}

/* No room: one sentence naming the zip, the member and the folder; nothing left. */
static void test_no_room(void)
{
	struct hwf_zip_members *zm;
	struct hwf_err e = {0};
	struct rlimit old, small;
	void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
	char missing[4200];

	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 1 << 20;
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &small), 0);
	zm = open_zm();
	CU_ASSERT_EQUAL(read_through(zm, "system.img", &e), HWF_ENOSPC);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, was);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, zpath));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "system.img"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, tmp));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "TMPDIR"));
	CU_ASSERT_EQUAL(fds_into(tmp), 0);
	/* Stored members need no room. */
	CU_ASSERT_EQUAL(read_through(zm, "stored.bin", &e), 0);
	hwf_zip_members_close(zm);
	CU_ASSERT_EQUAL(tu_count_names(tmp, ""), 0);

	/* A folder that is not there. */
	snprintf(missing, sizeof(missing), "%s/not-there", tmp);
	CU_ASSERT_EQUAL_FATAL(hwf_zip_members_open(&zm, zpath, missing, &e), 0);
	CU_ASSERT_EQUAL(read_through(zm, "system.img", &e), HWF_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, missing));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "system.img"));
	hwf_zip_members_close(zm);
}

static void test_missing_member_and_zip(void)
{
	struct hwf_zip_members *zm = open_zm();
	struct hwf_source *s;
	struct hwf_err e = {0};
	char *nozip = tu_path(dir, "nozip.zip");

	CU_ASSERT_PTR_NOT_NULL_FATAL(zm);
	CU_ASSERT_EQUAL(hwf_zip_members_source(zm, "vendor.img", &s, &e), HWF_ENOTFOUND);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(hwf_zip_members_count(zm), 0);
	hwf_zip_members_close(zm);
	CU_ASSERT_EQUAL(hwf_zip_members_open(&zm, nozip, tmp, &e), HWF_EIO);
	CU_ASSERT_PTR_NULL(zm);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nozip.zip"));
	free(nozip);
}

/* The folded CRC-32 gives zlib's over every length and alignment, chained too. */
static void test_crc32_folded_as_zlib(void)
{
	unsigned bad = 0;

	for (unsigned t = 0; t < 4000; t++) {
		size_t off = t % 61, len = t < 2000 ? t % 300 : (t * 7919u) % IMG_LEN;
		uint32_t c0 = t * 2654435761u;

		if (len > IMG_LEN - off)
			len = IMG_LEN - off;
		if (hwf_crc32(c0, img + off, len) != hwf_crc32_zlib(c0, img + off, len))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(hwf_crc32(0, "123456789", 9), 0xcbf43926u);
	CU_ASSERT_EQUAL(hwf_crc32(hwf_crc32(0, img, 1000), img + 1000, IMG_LEN - 1000),
			hwf_crc32_zlib(0, img, IMG_LEN));
}

void hwf_suite_zip_members(void)
{
	CU_pSuite s = CU_add_suite("zip_members", setup, teardown);

	CU_add_test(s, "stored member read in place, no temporary file", test_stored_read_in_place);
	CU_add_test(s, "deflated member inflated once: forwards, backwards, again",
		    test_deflated_once);
	CU_add_test(s, "first read at the end inflates once", test_tail_first);
	CU_add_test(s, "bomb, bad CRC-32, short data refused; file gone at once",
		    test_bomb_and_bad_data_refused);
	CU_add_test(s, "no room in TMPDIR: one line naming zip, member, folder", test_no_room);
	CU_add_test(s, "missing member and zip", test_missing_member_and_zip);
	CU_add_test(s, "CRC-32 folded gives zlib's", test_crc32_folded_as_zlib);
}
