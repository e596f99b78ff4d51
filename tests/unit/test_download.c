// SPDX-License-Identifier: MIT
/*
 * A firmware download read through its nesting (formats/app/download.c and
 * pkg.c): the layouts of update_sd zips and full OTA zips, stored and
 * deflated, found and opened through every layer; the depth limit; a zip
 * bomb in an inner layer refused; a stored package read in place (nothing
 * written to a temporary file); a deflated inner zip inflated once however
 * often its package is read; a corrupt block named through the layers;
 * packages hwflash cannot read named in words.  Zips are written here with
 * minizip (an independent writer), packages with hwf_app_pack.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include "formats/app/download.h"
#include "formats/app/foreign.h"
#include "formats/app/pkg.h"
#include "formats/app/updateapp.h"
#include "tests/unit/testutil.h"
#include "tests/unit/zipfix.h"

static char *dir, *tmp;
static uint8_t *pkgbuf; /* a small UPDATE.APP: CRC, BOOT, SYSTEM */
static size_t pkglen;

struct member {
	const char *name;
	const void *buf;
	size_t len;
	int method; /* 0 or Z_DEFLATED; -1: a bomb (the zip says 4096 bytes) */
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Write the zip @name in dir from @n members; its path (malloc'ed). */
static char *make_zip(const char *name, const struct member *m, size_t n)
{
	char *path = tu_path(dir, name);
	zipFile z = zipOpen64(path, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	for (size_t i = 0; i < n; i++) {
		/* method < 0: a bomb, the zip saying 4096 bytes. */
		int rc = m[i].method < 0 ? zf_add_raw(z, m[i].name, m[i].buf, m[i].len, 4096,
						      crc32(0, m[i].buf, 4096))
				 : zf_add(z, m[i].name, m[i].buf, m[i].len, m[i].method);

		CU_ASSERT_EQUAL_FATAL(rc, 0);
	}
	CU_ASSERT_EQUAL_FATAL(zipClose(z, NULL), ZIP_OK);
	return path;
}

/* A zip of one member, as bytes (for the next layer). */
static char *zip_bytes(const char *member, const void *buf, size_t len, int method, size_t *out)
{
	struct member m = {member, buf, len, method};
	char *path = make_zip("layer.tmp", &m, 1);
	char *bytes = slurp(path, out);

	unlink(path);
	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
	return bytes;
}

static int setup(void)
{
	struct hwf_app_pack_opts po = {"HW", "2026.01.02", "03.04.05", 1};
	struct hwf_app_pack_item it[2];
	struct hwf_err e = {0};
	static uint8_t boot[100000], sys[40000];
	char *path;
	int fd, rc = -1;

	dir = tu_mkdtemp();
	tmp = dir ? tu_path(dir, "tmp") : NULL;
	if (!tmp || mkdir(tmp, 0700))
		return -1;
	tu_random(boot, sizeof(boot), 1);
	memset(sys, 0x5a, sizeof(sys));
	if (hwf_source_open_mem(&it[0].src, boot, sizeof(boot), "boot", &e) ||
	    hwf_source_open_mem(&it[1].src, sys, sizeof(sys), "sys", &e))
		return -1;
	it[0].name = "BOOT";
	it[0].seq = 0;
	it[1].name = "SYSTEM";
	it[1].seq = 0;
	path = tu_path(dir, "pkg.APP");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && hwf_app_pack(fd, it, 2, &po, NULL, NULL, &e) == 0)
		rc = 0;
	if (fd >= 0)
		close(fd);
	hwf_source_close(it[0].src);
	hwf_source_close(it[1].src);
	pkgbuf = rc ? NULL : (uint8_t *)slurp(path, &pkglen);
	free(path);
	return pkgbuf ? 0 : -1;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(tmp);
	free(pkgbuf);
	return 0;
}

/* Open package @want of @path and verify it; returns the check's ok, or -1. */
static int check_pkg(const char *path, const char *want, char *label, size_t llen)
{
	struct hwf_err e = {0};
	struct hwf_app_check res;
	struct hwf_pkg pkg;
	int ok;

	if (hwf_pkg_open(&pkg, path, want, &e))
		return -1;
	if (label)
		snprintf(label, llen, "%s", pkg.label);
	CU_ASSERT_EQUAL(hwf_app_count(pkg.app), 3);
	CU_ASSERT_EQUAL_FATAL(hwf_app_verify(pkg.app, NULL, 1, &res, NULL, NULL, &e), 0);
	ok = res.ok;
	hwf_app_check_free(&res);
	hwf_pkg_close(&pkg);
	return ok;
}

/* Software/dload/update_sd.zip inside, every mix of stored and deflated. */
static void test_update_sd_layouts(void)
{
	for (int mix = 0; mix < 4; mix++) {
		int inner = mix & 1 ? Z_DEFLATED : 0, outer = mix & 2 ? Z_DEFLATED : 0;
		size_t zlen;
		char *zb = zip_bytes("UPDATE.APP", pkgbuf, pkglen, inner, &zlen);
		struct member m[] = {{"readme.txt", "hi\n", 3, 0},
				     {"Software/dload/update_sd.zip", zb, zlen, outer}};
		char *path = make_zip("fw.zip", m, 2), label[1024];
		struct hwf_download *dl;
		struct hwf_err e = {0};
		const struct hwf_download_pkg *p;

		CU_ASSERT_EQUAL_FATAL(hwf_download_open(&dl, path, tmp, &e), 0);
		CU_ASSERT_EQUAL(hwf_download_count(dl), 1);
		p = hwf_download_pkg(dl, 0);
		CU_ASSERT_STRING_EQUAL(p->path, "Software/dload/update_sd.zip/UPDATE.APP");
		CU_ASSERT_EQUAL(p->size, pkglen);
		CU_ASSERT_EQUAL(p->depth, 1);
		CU_ASSERT_EQUAL(p->deflated, inner != 0);
		CU_ASSERT_PTR_NULL(hwf_download_group(dl));
		hwf_download_close(dl);
		CU_ASSERT_EQUAL(check_pkg(path, NULL, label, sizeof(label)), 1);
		CU_ASSERT_EQUAL(check_pkg(path, "update_sd.zip/UPDATE.APP", NULL, 0), 1);
		CU_ASSERT(strstr(label, "fw.zip:Software/dload/update_sd.zip:UPDATE.APP") != NULL);
		free(zb);
		free(path);
	}
}

/* base + cust + preload, and full_base + data_public + all_hw: one update each. */
static void test_groups(void)
{
	static const char *const sets[2][3] = {
	    {"update_sd_base.zip", "cust/update_sd_cust_X.zip", "update_sd_preload_X.zip"},
	    {"update_full_base.zip", "update_data_public.zip", "update_all_hw.zip"},
	};
	static const char *const words[2] = {"base + cust + preload",
					     "full_base + data_public + all_hw"};

	for (int s = 0; s < 2; s++) {
		size_t zlen[3];
		char *zb[3];
		struct member m[3];
		struct hwf_download *dl;
		struct hwf_err e = {0};
		char *path;

		for (int i = 0; i < 3; i++) {
			zb[i] = zip_bytes("UPDATE.APP", pkgbuf, pkglen, i == 1 ? 0 : Z_DEFLATED,
					  &zlen[i]);
			m[i] = (struct member){sets[s][i], zb[i], zlen[i], i == 2 ? Z_DEFLATED : 0};
		}
		path = make_zip("set.zip", m, 3);
		CU_ASSERT_EQUAL_FATAL(hwf_download_open(&dl, path, tmp, &e), 0);
		CU_ASSERT_EQUAL(hwf_download_count(dl), 3);
		CU_ASSERT_PTR_NOT_NULL_FATAL(hwf_download_group(dl));
		CU_ASSERT_STRING_EQUAL(hwf_download_group(dl), words[s]);
		for (size_t i = 0; i < 3; i++)
			CU_ASSERT_EQUAL(hwf_download_pkg(dl, i)->group, 1);
		/* No one package to pick: the error says they make one update. */
		CU_ASSERT_EQUAL(hwf_pkg_pick(dl, NULL, &e), HWF_EINVAL);
		CU_ASSERT(strstr(e.msg, words[s]) != NULL);
		for (size_t i = 0; i < 3; i++) {
			struct hwf_pkg pkg;

			CU_ASSERT_EQUAL_FATAL(hwf_pkg_open_in(&pkg, dl, i, 1, &e), 0);
			CU_ASSERT_EQUAL(hwf_app_count(pkg.app), 3);
			hwf_pkg_close(&pkg);
		}
		hwf_download_close(dl);
		for (int i = 0; i < 3; i++)
			free(zb[i]);
		free(path);
	}
}

/* Zips nested @levels deep (the outer zip counts), UPDATE.APP in the last. */
static char *nest(int levels)
{
	size_t len = pkglen, nlen;
	char *bytes = malloc(pkglen), *next, name[32];
	struct member m;

	memcpy(bytes, pkgbuf, pkglen);
	snprintf(name, sizeof(name), "UPDATE.APP");
	for (int l = levels; l > 1; l--) {
		next = zip_bytes(name, bytes, len, l % 2 ? Z_DEFLATED : 0, &nlen);
		free(bytes);
		bytes = next;
		len = nlen;
		snprintf(name, sizeof(name), "level%d.zip", l);
	}
	m = (struct member){name, bytes, len, Z_DEFLATED};
	next = make_zip("deep.zip", &m, 1);
	free(bytes);
	return next;
}

static void test_depth_limit(void)
{
	struct hwf_download *dl;
	struct hwf_err e = {0};
	char *path = nest(HWF_DOWNLOAD_DEPTH);

	CU_ASSERT_EQUAL_FATAL(hwf_download_open(&dl, path, tmp, &e), 0);
	CU_ASSERT_EQUAL(hwf_download_count(dl), 1);
	CU_ASSERT_EQUAL(hwf_download_pkg(dl, 0)->depth, HWF_DOWNLOAD_DEPTH - 1);
	CU_ASSERT_PTR_NULL(hwf_download_too_deep(dl));
	hwf_download_close(dl);
	CU_ASSERT_EQUAL(check_pkg(path, NULL, NULL, 0), 1);
	free(path);

	path = nest(HWF_DOWNLOAD_DEPTH + 1);
	CU_ASSERT_EQUAL_FATAL(hwf_download_open(&dl, path, tmp, &e), 0);
	CU_ASSERT_EQUAL(hwf_download_count(dl), 0);
	CU_ASSERT_PTR_NOT_NULL(hwf_download_too_deep(dl));
	CU_ASSERT_EQUAL(hwf_download_layers(dl), (size_t)HWF_DOWNLOAD_DEPTH);
	CU_ASSERT_EQUAL(hwf_pkg_pick(dl, NULL, &e), HWF_ENOTFOUND);
	CU_ASSERT(strstr(e.msg, "deeper than") != NULL);
	hwf_download_close(dl);
	free(path);
}

/* An inner zip, or a package in it, that inflates past its declared size. */
static void test_bomb(void)
{
	static uint8_t zeros[65536];
	struct hwf_download *dl;
	struct hwf_err e = {0};
	struct hwf_pkg pkg;
	size_t zlen;
	char *zb;
	char *path;
	struct member outer = {"update_sd.zip", zeros, sizeof(zeros), -1};

	/* The inner zip itself is the bomb. */
	path = make_zip("bomb1.zip", &outer, 1);
	CU_ASSERT_EQUAL_FATAL(hwf_download_open(&dl, path, tmp, &e), 0);
	CU_ASSERT_EQUAL(hwf_download_count(dl), 0);
	CU_ASSERT(hwf_download_skipped(dl, &e) < 0);
	CU_ASSERT(strstr(e.msg, "bomb1.zip:update_sd.zip") != NULL);
	memset(&e, 0, sizeof(e));
	CU_ASSERT(hwf_pkg_pick(dl, NULL, &e) < 0);
	CU_ASSERT(strstr(e.msg, "bomb1.zip:update_sd.zip") != NULL);
	hwf_download_close(dl);
	free(path);

	/* Beside a good update_sd zip: that one is still listed, the bomb said. */
	{
		size_t glen;
		char *good = zip_bytes("UPDATE.APP", pkgbuf, pkglen, Z_DEFLATED, &glen);
		struct member two[] = {{"a/update_sd.zip", zeros, sizeof(zeros), -1},
				       {"b/update_sd.zip", good, glen, 0}};

		path = make_zip("bomb3.zip", two, 2);
		memset(&e, 0, sizeof(e));
		CU_ASSERT_EQUAL_FATAL(hwf_download_open(&dl, path, tmp, &e), 0);
		CU_ASSERT_EQUAL(hwf_download_count(dl), 1);
		CU_ASSERT(hwf_download_skipped(dl, &e) < 0);
		CU_ASSERT(strstr(e.msg, "a/update_sd.zip") != NULL);
		CU_ASSERT_EQUAL(hwf_pkg_pick(dl, NULL, &e), 0);
		hwf_download_close(dl);
		free(good);
		free(path);
	}

	/* The package inside a well-formed inner zip is. */
	{
		char *ipath;
		struct member in = {"UPDATE.APP", zeros, sizeof(zeros), -1};

		ipath = make_zip("inner.zip", &in, 1);
		zb = slurp(ipath, &zlen);
		free(ipath);
	}
	outer = (struct member){"update_sd.zip", zb, zlen, 0};
	path = make_zip("bomb2.zip", &outer, 1);
	CU_ASSERT_EQUAL_FATAL(hwf_download_open(&dl, path, tmp, &e), 0);
	CU_ASSERT_EQUAL(hwf_download_count(dl), 1);
	memset(&e, 0, sizeof(e));
	CU_ASSERT(hwf_pkg_open_in(&pkg, dl, 0, 1, &e) < 0);
	CU_ASSERT(strstr(e.msg, "bomb2.zip:update_sd.zip:UPDATE.APP") != NULL);
	hwf_download_close(dl);
	CU_ASSERT_EQUAL(tu_count_names(tmp, ""), 0);
	free(zb);
	free(path);
}

/* Stored through every layer: read in place, nothing written anywhere. */
static void test_stored_in_place(void)
{
	size_t zlen;
	char *zb = zip_bytes("UPDATE.APP", pkgbuf, pkglen, 0, &zlen);
	struct member m = {"dload/update_sd.zip", zb, zlen, 0};
	char *path = make_zip("stored.zip", &m, 1);
	struct hwf_download *dl;
	struct hwf_err e = {0};
	struct hwf_app_check res;
	struct hwf_pkg pkg;

	CU_ASSERT_EQUAL_FATAL(hwf_download_open(&dl, path, tmp, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_pkg_open_in(&pkg, dl, 0, 1, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_app_verify(pkg.app, NULL, 1, &res, NULL, NULL, &e), 0);
	CU_ASSERT(res.ok);
	hwf_app_check_free(&res);
	for (size_t l = 0; l < hwf_download_layers(dl); l++) {
		struct hwf_zip_members *zm = hwf_download_layer(dl, l);

		for (size_t i = 0; i < hwf_zip_members_count(zm); i++) {
			struct hwf_zip_member_stats st;

			hwf_zip_members_stats(zm, i, &st);
			CU_ASSERT_EQUAL(st.deflated, 0);
			CU_ASSERT_EQUAL(st.passes, 0);
			CU_ASSERT_EQUAL(st.written, 0);
		}
	}
	hwf_pkg_close(&pkg);
	hwf_download_close(dl);
	free(zb);
	free(path);
}

/* A deflated inner zip and package: inflated once, however often it is read. */
static void test_inflated_once(void)
{
	size_t zlen;
	char *zb = zip_bytes("UPDATE.APP", pkgbuf, pkglen, Z_DEFLATED, &zlen);
	struct member m = {"update_sd.zip", zb, zlen, Z_DEFLATED};
	char *path = make_zip("once.zip", &m, 1);
	struct hwf_download *dl;
	struct hwf_err e = {0};
	size_t seen = 0;

	CU_ASSERT_EQUAL_FATAL(hwf_download_open(&dl, path, tmp, &e), 0);
	for (int round = 0; round < 3; round++) {
		struct hwf_app_check res;
		struct hwf_pkg pkg;

		CU_ASSERT_EQUAL_FATAL(hwf_pkg_open_in(&pkg, dl, 0, 1, &e), 0);
		CU_ASSERT_EQUAL_FATAL(hwf_app_verify(pkg.app, NULL, 1, &res, NULL, NULL, &e), 0);
		CU_ASSERT(res.ok);
		hwf_app_check_free(&res);
		hwf_pkg_close(&pkg);
	}
	CU_ASSERT_EQUAL(hwf_download_layers(dl), 2);
	for (size_t l = 0; l < hwf_download_layers(dl); l++) {
		struct hwf_zip_members *zm = hwf_download_layer(dl, l);

		for (size_t i = 0; i < hwf_zip_members_count(zm); i++) {
			struct hwf_zip_member_stats st;

			hwf_zip_members_stats(zm, i, &st);
			CU_ASSERT_EQUAL(st.deflated, 1);
			CU_ASSERT_EQUAL(st.passes, 1);
			CU_ASSERT(st.inflated > 0 && st.inflated <= st.size);
			seen++;
		}
	}
	CU_ASSERT_EQUAL(seen, 2);
	/* The temporary files were never linked into the folder. */
	CU_ASSERT_EQUAL(tu_count_names(tmp, ""), 0);
	hwf_download_close(dl);
	free(zb);
	free(path);
}

/* A corrupt block of an inner package: the label names every layer. */
static void test_corrupt_block_named(void)
{
	uint8_t *bad = malloc(pkglen);
	size_t zlen;
	char *zb, *path, label[1024];
	struct member m;

	memcpy(bad, pkgbuf, pkglen);
	bad[pkglen / 2] ^= 0xff;
	zb = zip_bytes("UPDATE.APP", bad, pkglen, Z_DEFLATED, &zlen);
	m = (struct member){"Software/update_sd.zip", zb, zlen, Z_DEFLATED};
	path = make_zip("bad.zip", &m, 1);
	CU_ASSERT_EQUAL(check_pkg(path, NULL, label, sizeof(label)), 0);
	CU_ASSERT(strstr(label, "bad.zip:Software/update_sd.zip:UPDATE.APP") != NULL);
	free(bad);
	free(zb);
	free(path);
}

/* payload.bin, update.bin, .tar.md5, scatter: said in words. */
static void test_foreign(void)
{
	uint8_t head[HWF_FOREIGN_HEAD] = {0};
	struct member m = {"payload.bin", "CrAU\0\0\0\0\0\0\0\2", 12, Z_DEFLATED};
	char *path = make_zip("ota.zip", &m, 1);
	struct hwf_err e = {0};
	struct hwf_pkg pkg;

	CU_ASSERT_EQUAL(hwf_pkg_open(&pkg, path, NULL, &e), HWF_EUNSUPPORTED);
	CU_ASSERT(strstr(e.msg, "ota.zip:payload.bin: this is an Android OTA payload.bin, not an "
				"UPDATE.APP") != NULL);
	free(path);

	head[0] = 0x01;
	head[2] = 136;
	head[140] = 2;
	head[142] = 32;
	CU_ASSERT_STRING_EQUAL(hwf_foreign_what("x.bin", head, sizeof(head)),
			       "a HarmonyOS update.bin");
	head[0] = 0x11;
	CU_ASSERT_PTR_NOT_NULL(hwf_foreign_what(NULL, head, sizeof(head)));
	head[142] = 31;
	CU_ASSERT_PTR_NULL(hwf_foreign_what("x.bin", head, sizeof(head)));
	memset(head, 0, sizeof(head));
	memcpy(head + 257, "ustar", 5);
	CU_ASSERT_PTR_NOT_NULL(hwf_foreign_what("AP_X.tar.md5", head, sizeof(head)));
	CU_ASSERT_PTR_NULL(hwf_foreign_what("AP_X.tar", head, sizeof(head)));
	CU_ASSERT_PTR_NOT_NULL(
	    hwf_foreign_what("x.txt", (const uint8_t *)"- general: MTK_PLATFORM_CFG\n", 28));
	CU_ASSERT_PTR_NOT_NULL(hwf_foreign_by_name("a/MT6765_Android_scatter.txt"));
	CU_ASSERT_PTR_NOT_NULL(hwf_foreign_by_name("UPDATE.BIN"));
	CU_ASSERT_PTR_NULL(hwf_foreign_by_name("UPDATE.APP"));
}

void hwf_suite_download(void)
{
	CU_pSuite s = CU_add_suite("download", setup, teardown);

	CU_add_test(s, "update_sd.zip inside, stored and deflated", test_update_sd_layouts);
	CU_add_test(s, "base+cust+preload, full_base+data_public+all_hw", test_groups);
	CU_add_test(s, "depth limit", test_depth_limit);
	CU_add_test(s, "zip bomb in an inner layer refused", test_bomb);
	CU_add_test(s, "stored through every layer: read in place", test_stored_in_place);
	CU_add_test(s, "deflated inner zip and package inflated once", test_inflated_once);
	CU_add_test(s, "corrupt block named through the layers", test_corrupt_block_named);
	CU_add_test(s, "foreign packages named in words", test_foreign);
}
