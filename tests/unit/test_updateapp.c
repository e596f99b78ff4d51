// SPDX-License-Identifier: MIT
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>

#include "formats/core/zip.h"
#include "formats/core/bytes.h"
#include "formats/core/crc16.h"
#include "tests/unit/testutil.h"
#include "formats/app/updateapp.h"

TU_SCRATCH_SUITE(dir)

/* The 140-byte entry of a public msm8x25 firmware (reference §3.3). */
static const uint8_t vector[140] = {
	0x55, 0xaa, 0x5a, 0xa5, 0x64, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x48, 0x57, 0x38,
	0x78, 0x32, 0x35, 0xff, 0xff, 0x00, 0x00, 0x00, 0xfb, 0x28, 0x00, 0x00, 0x00, 0x32, 0x30,
	0x31, 0x33, 0x2e, 0x30, 0x33, 0x2e, 0x32, 0x32, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x31,
	0x37, 0x2e, 0x35, 0x39, 0x2e, 0x33, 0x33, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x49, 0x4e, 0x50, 0x55, 0x54, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x96, 0x86, 0x00, 0x10, 0x00, 0x00, 0x39, 0xf3, 0x01, 0x00, 0x00, 0x00, 0x03,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x60, 0x00, 0x00, 0x54, 0x2d, 0xf0, 0xa3, 0x08, 0x00,
	0xf0, 0xa3, 0x08, 0x00, 0xf0, 0xa3, 0x5c, 0x2d, 0x00, 0x00, 0x00, 0x00, 0xf0, 0xa3, 0x5c,
	0x2d, 0x00, 0x00, 0x00, 0x00,
};

/* Write preamble + @body to dir/@name; returns the path (malloc'ed). */
static char *write_pkg(const char *name, const uint8_t *pre, size_t prelen, const uint8_t *body,
		       size_t len)
{
	char *p = tu_path(dir, name);
	uint8_t *buf = calloc(1, prelen + len + 1);

	if (pre)
		memcpy(buf, pre, prelen);
	memcpy(buf + prelen, body, len);
	CU_ASSERT_EQUAL(tu_write(p, buf, prelen + len), 0);
	free(buf);
	return p;
}

struct opened {
	struct hwf_source *src;
	struct hwf_app *app;
	struct hwf_err e;
	int rc;
};

static void open_path(struct opened *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->rc = hwf_source_open_file(&o->src, path, &o->e);
	if (!o->rc)
		o->rc = hwf_app_open(&o->app, o->src, &o->e);
}

static void close_opened(struct opened *o)
{
	hwf_app_close(o->app);
	hwf_source_close(o->src);
}

static void test_vector_parses_and_verifies(void)
{
	uint8_t zero[92] = { 0 };
	char *p = write_pkg("vec.app", zero, 92, vector, sizeof(vector));
	struct hwf_app_check res;
	const struct hwf_app_entry *en;
	struct opened o;

	open_path(&o, p);
	CU_ASSERT_EQUAL_FATAL(o.rc, 0);
	CU_ASSERT_EQUAL(hwf_app_count(o.app), 1);
	en = hwf_app_entry(o.app, 0);
	CU_ASSERT_EQUAL(en->header_len, 100);
	CU_ASSERT_EQUAL(en->data_len, 40);
	CU_ASSERT_EQUAL(en->data_off, 92 + 100);
	CU_ASSERT_EQUAL(en->header_crc, 0x8696);
	CU_ASSERT_EQUAL(en->header_crc_calc, 0x8696);
	CU_ASSERT_EQUAL(en->block_size, 4096);
	CU_ASSERT_EQUAL(en->seq, 0xfb000000u);
	CU_ASSERT_STRING_EQUAL(en->hwid, "HW8x25");
	CU_ASSERT_STRING_EQUAL(en->date, "2013.03.22");
	CU_ASSERT_STRING_EQUAL(en->time, "17.59.33");
	CU_ASSERT_STRING_EQUAL(en->raw_name, "INPUT");
	CU_ASSERT_STRING_EQUAL(en->name, "INPUT_FB000000");
	CU_ASSERT_EQUAL(hwf_crc16(vector + 100, 40), 0xf339);
	CU_ASSERT_EQUAL(hwf_app_verify(o.app, NULL, 0, &res, NULL, NULL, &o.e), 0);
	CU_ASSERT_TRUE(res.ok);
	CU_ASSERT_TRUE(res.entries[0].header_ok);
	CU_ASSERT_EQUAL(res.entries[0].nbad, 0);
	hwf_app_check_free(&res);
	close_opened(&o);
	free(p);
}

static void test_nonzero_preamble_is_scanned_and_reported(void)
{
	uint8_t pre[200];
	char *p;
	struct opened o;

	memset(pre, 0x11, sizeof(pre));
	p = write_pkg("pre.app", pre, sizeof(pre), vector, sizeof(vector));
	open_path(&o, p);
	CU_ASSERT_EQUAL_FATAL(o.rc, 0);
	CU_ASSERT_EQUAL(hwf_app_first_offset(o.app), 200);
	CU_ASSERT_TRUE(hwf_app_preamble_nonzero(o.app));
	CU_ASSERT(hwf_app_warning_count(o.app) >= 1);
	close_opened(&o);
	free(p);
}

/* --- packages built by the writer --- */

struct item {
	const char *name;
	size_t len;
};

static char *make_pkg(const char *fname, const struct item *items, size_t n, int crc_entry)
{
	struct hwf_app_pack_item pi[16];
	struct hwf_app_pack_opts po = { "HW7x27", "2026.01.02", "03.04.05", crc_entry };
	char *out = tu_path(dir, fname);
	struct hwf_err e = { 0 };
	int fd;

	for (size_t i = 0; i < n; i++) {
		char nm[64];
		char *p;
		uint8_t *buf = malloc(items[i].len + 1);

		snprintf(nm, sizeof(nm), "%s.in%zu", fname, i);
		p = tu_path(dir, nm);
		tu_random(buf, items[i].len, i + 1);
		CU_ASSERT_EQUAL(tu_write(p, buf, items[i].len), 0);
		CU_ASSERT_EQUAL(hwf_source_open_file(&pi[i].src, p, &e), 0);
		pi[i].name = items[i].name;
		pi[i].seq = 0;
		free(buf);
		free(p);
	}
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_EQUAL(hwf_app_pack(fd, pi, n, &po, NULL, NULL, &e), 0);
	close(fd);
	for (size_t i = 0; i < n; i++)
		hwf_source_close(pi[i].src);
	return out;
}

static const struct item basic[] = {
	{ "BOOT", 100000 },
	{ "ERECOVERY_RAMDISK", 4096 },
	{ "EMPTY", 0 },
	{ "SUPER", 70000 },
	{ "SUPER", 5000 },
	{ "CURVER", 12 },
};

static void test_pack_roundtrip(void)
{
	char *p = make_pkg("basic.app", basic, 6, 1);
	struct hwf_app_check res;
	struct opened o;

	open_path(&o, p);
	CU_ASSERT_EQUAL_FATAL(o.rc, 0);
	CU_ASSERT_EQUAL_FATAL(hwf_app_count(o.app), 7);
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(o.app, 0)->name, "CRC");
	CU_ASSERT_EQUAL(hwf_app_entry(o.app, 0)->kind, HWF_APP_CRC);
	CU_ASSERT_EQUAL(hwf_app_entry(o.app, 0)->seq, 0xff000000u);
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(o.app, 2)->name, "ERECOVERY_RAMDISK");
	CU_ASSERT_EQUAL(hwf_app_entry(o.app, 3)->data_len, 0);
	CU_ASSERT_EQUAL(hwf_app_entry(o.app, 3)->header_len, 98);
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(o.app, 4)->name, "SUPER");
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(o.app, 5)->name, "SUPER#2");
	CU_ASSERT_EQUAL(hwf_app_entry(o.app, 5)->dup, 1);
	CU_ASSERT_EQUAL(hwf_app_entry(o.app, 6)->kind, HWF_APP_METADATA);
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(o.app, 1)->hwid, "HW7x27");
	CU_ASSERT_PTR_EQUAL(hwf_app_find(o.app, "super#2"), hwf_app_entry(o.app, 5));
	CU_ASSERT_PTR_EQUAL(hwf_app_find(o.app, "boot"), hwf_app_entry(o.app, 1));
	CU_ASSERT_PTR_NULL(hwf_app_find(o.app, "SYSTEM"));
	for (size_t i = 0; i < hwf_app_count(o.app); i++)
		CU_ASSERT_EQUAL(hwf_app_entry(o.app, i)->header_off % 4, 0);
	CU_ASSERT_EQUAL_FATAL(hwf_app_verify(o.app, NULL, 0, &res, NULL, NULL, &o.e), 0);
	CU_ASSERT_TRUE(res.ok);
	CU_ASSERT_EQUAL(res.crc_entry_ok, 1);
	hwf_app_check_free(&res);
	close_opened(&o);
	free(p);
}

/* Flip one byte of a file at @off. */
static void corrupt(const char *path, uint64_t off)
{
	int fd = open(path, O_RDWR);
	uint8_t b;

	CU_ASSERT_EQUAL(pread(fd, &b, 1, (off_t)off), 1);
	b ^= 0x5a;
	CU_ASSERT_EQUAL(pwrite(fd, &b, 1, (off_t)off), 1);
	close(fd);
}

static void test_bad_block_named_with_offset(void)
{
	static const struct item it[] = { { "BOOT", 300000 }, { "RECOVERY", 9000 } };
	char *p = make_pkg("bad.app", it, 2, 1);
	struct hwf_app_check res;
	const struct hwf_app_entry *en;
	struct opened o;
	char want[64];

	open_path(&o, p);
	CU_ASSERT_EQUAL_FATAL(o.rc, 0);
	en = hwf_app_find(o.app, "BOOT");
	corrupt(p, en->data_off + 17 * 4096 + 5);
	corrupt(p, en->data_off + 40 * 4096);
	for (unsigned threads = 1; threads <= 3; threads++) {
		CU_ASSERT_EQUAL_FATAL(hwf_app_verify(o.app, NULL, threads, &res, NULL, NULL, &o.e),
				      0);
		CU_ASSERT_FALSE(res.ok);
		CU_ASSERT_EQUAL(res.entries[en->index].nbad, 2);
		CU_ASSERT_EQUAL(res.entries[en->index].bad[0], 17);
		CU_ASSERT_EQUAL(res.entries[en->index].bad[1], 40);
		CU_ASSERT_EQUAL(res.entries[en->index].crc_entry_ok, 0);
		snprintf(want, sizeof(want), "block 17 at byte %llu",
			 (unsigned long long)(en->data_off + 17 * 4096));
		CU_ASSERT_PTR_NOT_NULL(strstr(res.entries[en->index].msg, want));
		CU_ASSERT_EQUAL(res.entries[2].nbad, 0);
		CU_ASSERT_EQUAL(res.entries[2].crc_entry_ok, 1);
		hwf_app_check_free(&res);
	}
	close_opened(&o);
	free(p);
}

static void test_crc_entry_mismatch_alone_fails(void)
{
	static const struct item it[] = { { "BOOT", 50000 } };
	char *p = make_pkg("crcent.app", it, 1, 1);
	struct hwf_app_check res;
	const struct hwf_app_entry *crc;
	struct opened o;
	uint8_t tab[2];
	uint16_t c;
	int fd;

	open_path(&o, p);
	CU_ASSERT_EQUAL_FATAL(o.rc, 0);
	crc = hwf_app_entry(o.app, 0);
	/* Change the CRC entry's first checksum and fix its own block CRC, so
	 * only the cross-check can notice. */
	fd = open(p, O_RDWR);
	CU_ASSERT_EQUAL(pread(fd, tab, 2, (off_t)crc->data_off), 2);
	tab[0] ^= 1;
	CU_ASSERT_EQUAL(pwrite(fd, tab, 2, (off_t)crc->data_off), 2);
	{
		uint8_t data[8];

		CU_ASSERT_EQUAL(pread(fd, data, crc->data_len, (off_t)crc->data_off),
				(ssize_t)crc->data_len);
		c = hwf_crc16(data, crc->data_len);
		put_le16(tab, c);
		CU_ASSERT_EQUAL(pwrite(fd, tab, 2, (off_t)(crc->header_off + 98)), 2);
	}
	close(fd);
	CU_ASSERT_EQUAL_FATAL(hwf_app_verify(o.app, NULL, 0, &res, NULL, NULL, &o.e), 0);
	CU_ASSERT_FALSE(res.ok);
	CU_ASSERT_EQUAL(res.entries[0].nbad, 0);
	CU_ASSERT_EQUAL(res.entries[1].nbad, 0);
	CU_ASSERT_EQUAL(res.entries[1].crc_entry_ok, 0);
	CU_ASSERT_EQUAL(res.crc_entry_ok, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.entries[1].msg, "CRC entry"));
	hwf_app_check_free(&res);
	close_opened(&o);
	free(p);
}

static void test_header_crc_mismatch(void)
{
	static const struct item it[] = { { "BOOT", 5000 }, { "SYSTEM", 5000 } };
	char *p = make_pkg("hdr.app", it, 2, 0);
	struct hwf_app_check res;
	struct opened o;

	open_path(&o, p);
	CU_ASSERT_EQUAL_FATAL(o.rc, 0);
	corrupt(p, hwf_app_entry(o.app, 1)->header_off + 0x1c);	/* the date */
	close_opened(&o);
	open_path(&o, p);
	CU_ASSERT_EQUAL_FATAL(o.rc, 0);
	CU_ASSERT_EQUAL_FATAL(hwf_app_verify(o.app, NULL, 0, &res, NULL, NULL, &o.e), 0);
	CU_ASSERT_FALSE(res.ok);
	CU_ASSERT_TRUE(res.entries[0].header_ok);
	CU_ASSERT_FALSE(res.entries[1].header_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.entries[1].msg, "header CRC"));
	hwf_app_check_free(&res);
	close_opened(&o);
	free(p);
}

static void test_truncated_entry_reports_offsets(void)
{
	static const struct item it[] = { { "BOOT", 3 << 20 } };
	char *p = make_pkg("trunc.app", it, 1, 0);
	struct opened o;

	CU_ASSERT_EQUAL(truncate(p, 2 << 20), 0);
	open_path(&o, p);
	CU_ASSERT_EQUAL(o.rc, HWF_ETRUNC);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.e.msg, "entry 0 BOOT: data ends at byte"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.e.msg, "(3.0 MiB), file is 2097152 bytes (2.0 MiB)"));
	close_opened(&o);
	free(p);
}

static void test_wrong_magic_and_garbage_between(void)
{
	static const struct item it[] = { { "BOOT", 1000 }, { "SYSTEM", 1000 } };
	char *p = make_pkg("garb.app", it, 2, 0);
	struct opened o;
	uint64_t second;

	open_path(&o, p);
	CU_ASSERT_EQUAL_FATAL(o.rc, 0);
	second = hwf_app_entry(o.app, 1)->header_off;
	close_opened(&o);
	corrupt(p, second);
	open_path(&o, p);
	CU_ASSERT_EQUAL(o.rc, HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.e.msg, "garbage at byte"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.e.msg, "after entry 0 BOOT"));
	close_opened(&o);
	free(p);
}

static void test_table_size_mismatch(void)
{
	uint8_t zero[92] = { 0 }, v[sizeof(vector)];
	char *p;
	struct opened o;

	memcpy(v, vector, sizeof(v));
	put_le32(v + 0x18, 5000);	/* 5000 bytes need 2 blocks; table has 1 */
	p = write_pkg("tab.app", zero, 92, v, sizeof(v));
	open_path(&o, p);
	CU_ASSERT_EQUAL(o.rc, HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.e.msg, "checksum table has 1 blocks"));
	close_opened(&o);
	free(p);
}

static void test_html_empty_and_missing(void)
{
	const char *html = "<!DOCTYPE html>\n<html><head><title>Download</title></head></html>\n";
	char *p = write_pkg("page.app", NULL, 0, (const uint8_t *)html, strlen(html));
	char *q = write_pkg("empty.app", NULL, 0, (const uint8_t *)"", 0);
	char *r = tu_path(dir, "does-not-exist.app");
	struct opened o;

	open_path(&o, p);
	CU_ASSERT_EQUAL(o.rc, HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.e.msg, "HTML page"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.e.msg, "<!DOCTYPE html"));
	close_opened(&o);
	open_path(&o, q);
	CU_ASSERT(o.rc < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.e.msg, "empty"));
	close_opened(&o);
	open_path(&o, r);
	CU_ASSERT_EQUAL(o.rc, HWF_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.e.msg, "No such file"));
	close_opened(&o);
	free(p);
	free(q);
	free(r);
}

static void test_extract_verifies_blocks(void)
{
	static const struct item it[] = { { "BOOT", 20000 } };
	char *p = make_pkg("ext.app", it, 1, 0);
	char *out = tu_path(dir, "ext.out");
	struct opened o;
	uint64_t nbad;
	int fd;

	open_path(&o, p);
	CU_ASSERT_EQUAL_FATAL(o.rc, 0);
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_EQUAL(hwf_app_extract(o.app, 0, fd, 0, &nbad, NULL, NULL, &o.e), 0);
	close(fd);
	CU_ASSERT_EQUAL(tu_size(out), 20000);
	corrupt(p, hwf_app_entry(o.app, 0)->data_off + 3 * 4096 + 1);
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_EQUAL(hwf_app_extract(o.app, 0, fd, 0, &nbad, NULL, NULL, &o.e), HWF_ECRC);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.e.msg, "block 3 CRC"));
	close(fd);
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_EQUAL(hwf_app_extract(o.app, 0, fd, 1, &nbad, NULL, NULL, &o.e), 0);
	CU_ASSERT_EQUAL(nbad, 1);
	close(fd);
	CU_ASSERT_EQUAL(tu_size(out), 20000);
	close_opened(&o);
	free(p);
	free(out);
}

static void test_output_names_cannot_escape(void)
{
	struct hwf_app_entry en;
	char buf[64];

	memset(&en, 0, sizeof(en));
	snprintf(en.name, sizeof(en.name), "../../x");
	hwf_app_output_name(&en, buf, sizeof(buf));
	CU_ASSERT_PTR_NULL(strchr(buf, '/'));
	CU_ASSERT_NOT_EQUAL(buf[0], '.');
	snprintf(en.name, sizeof(en.name), "SUPER#2");
	hwf_app_output_name(&en, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "super_2.img");
	snprintf(en.name, sizeof(en.name), "ERECOVERY_RAMDISK");
	hwf_app_output_name(&en, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "erecovery_ramdisk.img");
}

/* Every name of a package is unique ignoring case, safe as a file, and finds its entry. */
static void assert_names_distinct(struct hwf_app *app)
{
	size_t n = hwf_app_count(app);

	for (size_t i = 0; i < n; i++) {
		const struct hwf_app_entry *a = hwf_app_entry(app, i);
		char out[64];

		CU_ASSERT_PTR_EQUAL(hwf_app_find(app, a->name), a);
		CU_ASSERT_PTR_NULL(strchr(a->file_name, '/'));
		CU_ASSERT_PTR_NULL(strchr(a->file_name, '\\'));
		CU_ASSERT_NOT_EQUAL(a->file_name[0], '.');
		CU_ASSERT_NOT_EQUAL(a->file_name[0], '\0');
		hwf_app_output_name(a, out, sizeof(out));
		CU_ASSERT_STRING_EQUAL(out, a->file_name);
		for (size_t j = i + 1; j < n; j++) {
			const struct hwf_app_entry *b = hwf_app_entry(app, j);

			CU_ASSERT(strcasecmp(a->name, b->name) != 0);
			CU_ASSERT(strcasecmp(a->file_name, b->file_name) != 0);
		}
	}
}

/* Pack @names (tiny entries, no CRC entry) and open the result. */
static void open_named(struct opened *o, const char *fname, const char *const *names, size_t n)
{
	struct item it[64];
	char *p;

	for (size_t i = 0; i < n; i++) {
		it[i].name = names[i];
		it[i].len = 10 + i;
	}
	p = make_pkg(fname, it, n, 0);
	open_path(o, p);
	CU_ASSERT_EQUAL_FATAL(o->rc, 0);
	CU_ASSERT_EQUAL_FATAL(hwf_app_count(o->app), n);
	free(p);
}

static void expect_names(struct hwf_app *app, const char *const *names, const char *const *files)
{
	for (size_t i = 0; names[i]; i++) {
		CU_ASSERT_STRING_EQUAL(hwf_app_entry(app, i)->name, names[i]);
		CU_ASSERT_STRING_EQUAL(hwf_app_entry(app, i)->file_name, files[i]);
	}
	assert_names_distinct(app);
}

static void test_names_exact_duplicates(void)
{
	static const char *const in[] = { "SUPER", "BOOT", "SUPER", "SUPER" };
	static const char *const nm[] = { "SUPER", "BOOT", "SUPER#2", "SUPER#3", NULL };
	static const char *const fn[] = { "super.img", "boot.img", "super_2.img", "super_3.img" };
	struct opened o;

	open_named(&o, "dup.app", in, 4);
	expect_names(o.app, nm, fn);
	CU_ASSERT_EQUAL(hwf_app_entry(o.app, 3)->dup, 2);
	close_opened(&o);
}

static void test_names_case_only(void)
{
	static const char *const in[] = { "SUPER", "super", "Super", "boot", "BOOT" };
	static const char *const nm[] = { "SUPER", "super#2", "Super#3", "boot", "BOOT#2", NULL };
	static const char *const fn[] = { "super.img", "super_2.img", "super_3.img", "boot.img",
					  "boot_2.img" };
	struct opened o;

	open_named(&o, "case.app", in, 5);
	expect_names(o.app, nm, fn);
	/* Each spelling finds its own entry, not the first one ignoring case. */
	CU_ASSERT_PTR_EQUAL(hwf_app_find(o.app, "SUPER#3"), hwf_app_entry(o.app, 2));
	close_opened(&o);
}

static void test_names_unsafe_characters(void)
{
	static const char *const in[] = { "SUB/DIR", "sub_dir", "SUB DIR", "../x", "..",
					  "a\\b", "CON", "Sub?Dir" };
	static const char *const nm[] = { "SUB/DIR", "sub_dir", "SUB DIR", "../x", "..",
					  "a\\b", "CON", "Sub?Dir", NULL };
	static const char *const fn[] = { "sub_dir.img", "sub_dir_2.img", "sub_dir_3.img",
					  "_.._x.img", "_...img", "a_b.img", "con_.img",
					  "sub_dir_4.img" };
	struct opened o;

	open_named(&o, "unsafe.app", in, 8);
	expect_names(o.app, nm, fn);
	close_opened(&o);
}

static void test_names_generated_meets_real(void)
{
	/* A duplicate SUPER must not become a second SUPER#2; SUPER_2 is a file name too. */
	static const char *const in[] = { "SUPER", "SUPER", "SUPER#2", "SUPER_2", "super#3" };
	static const char *const nm[] = { "SUPER", "SUPER#4", "SUPER#2", "SUPER_2", "super#3",
					  NULL };
	static const char *const fn[] = { "super.img", "super_4.img", "super_2.img",
					  "super_2_2.img", "super_3.img" };
	struct opened o;

	open_named(&o, "gen.app", in, 5);
	expect_names(o.app, nm, fn);
	CU_ASSERT_PTR_EQUAL(hwf_app_find(o.app, "super#2"), hwf_app_entry(o.app, 2));
	close_opened(&o);
}

static void test_names_input_entries(void)
{
	/* Legacy INPUT entries with one sequence id (pack writes 0 for all). */
	static const char *const in[] = { "INPUT", "INPUT", "INPUT_00000000" };
	static const char *const nm[] = { "INPUT_00000000", "INPUT_00000000#2",
					  "INPUT_00000000#3", NULL };
	struct opened o;

	open_named(&o, "input.app", in, 3);
	for (size_t i = 0; nm[i]; i++)
		CU_ASSERT_STRING_EQUAL(hwf_app_entry(o.app, i)->name, nm[i]);
	assert_names_distinct(o.app);
	close_opened(&o);
}

static void test_names_many_duplicates(void)
{
	/* 3000 pieces of one name and 3000 real SUPER#k names: all distinct, quickly. */
	enum { N = 6000 };
	struct hwf_app_pack_item *pi = calloc(N, sizeof(*pi));
	char (*names)[40] = calloc(N, sizeof(*names));
	struct hwf_app_pack_opts po = { "HW", "2026.01.02", "03.04.05", 0 };
	struct hwf_source *mem;
	struct hwf_err e = { 0 };
	char *out = tu_path(dir, "many.app");
	uint8_t byte = 7;
	struct opened o;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pi);
	CU_ASSERT_PTR_NOT_NULL_FATAL(names);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&mem, &byte, 1, "m", &e), 0);
	for (size_t i = 0; i < N; i++) {
		if (i % 2)
			snprintf(names[i], sizeof(names[i]), "SUPER#%zu", i / 2 + 2);
		else
			snprintf(names[i], sizeof(names[i]), "SUPER");
		pi[i].name = names[i];
		pi[i].src = mem;
	}
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_EQUAL(hwf_app_pack(fd, pi, N, &po, NULL, NULL, &e), 0);
	close(fd);
	open_path(&o, out);
	CU_ASSERT_EQUAL_FATAL(o.rc, 0);
	CU_ASSERT_EQUAL_FATAL(hwf_app_count(o.app), N);
	/* Spot checks (the full pairwise check is quadratic): the pieces skip the real names. */
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(o.app, 2)->name, "SUPER#3002");
	CU_ASSERT_STRING_EQUAL(hwf_app_entry(o.app, 1)->name, "SUPER#2");
	for (size_t i = 0; i < N; i += 97)
		CU_ASSERT_PTR_EQUAL(hwf_app_find(o.app, hwf_app_entry(o.app, i)->name),
				    hwf_app_entry(o.app, i));
	close_opened(&o);
	hwf_source_close(mem);
	free(out);
	free(names);
	free(pi);
}

/* A zip holding the package, stored and deflated: same entries, same verdict. */
static void zip_add(zipFile z, const char *name, const char *path, int method)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	CU_ASSERT_EQUAL(zipOpenNewFileInZip64(z, name, NULL, NULL, 0, NULL, 0, NULL, method,
					      method ? 6 : 0, 1),
			ZIP_OK);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		CU_ASSERT_EQUAL(zipWriteInFileInZip(z, buf, (unsigned)n), ZIP_OK);
	fclose(f);
	zipCloseFileInZip(z);
}

static void test_zip_members(void)
{
	char *p = make_pkg("zipped.app", basic, 6, 1);
	char *zp = tu_path(dir, "fw.zip");
	zipFile z = zipOpen64(zp, 0);
	struct hwf_app_check res;
	struct hwf_err e = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	zip_add(z, "stored/UPDATE.APP", p, 0);
	zip_add(z, "dload/UPDATE.APP", p, Z_DEFLATED);
	zipClose(z, NULL);
	CU_ASSERT_TRUE(hwf_zip_sniff(zp));
	CU_ASSERT_FALSE(hwf_zip_sniff(p));
	for (int m = 0; m < 2; m++) {
		struct hwf_source *src;
		struct hwf_app *app;

		CU_ASSERT_EQUAL_FATAL(hwf_source_open_zip_member(&src, zp,
								 m ? "dload/UPDATE.APP"
								   : "stored/UPDATE.APP",
								 &e),
				      0);
		CU_ASSERT_EQUAL(hwf_source_random_access(src), m == 0);
		CU_ASSERT_EQUAL(hwf_source_size(src), (uint64_t)tu_size(p));
		CU_ASSERT_EQUAL_FATAL(hwf_app_open(&app, src, &e), 0);
		CU_ASSERT_EQUAL(hwf_app_count(app), 7);
		CU_ASSERT_EQUAL_FATAL(hwf_app_verify(app, NULL, 0, &res, NULL, NULL, &e), 0);
		CU_ASSERT_TRUE(res.ok);
		CU_ASSERT_EQUAL(res.crc_entry_ok, 1);
		hwf_app_check_free(&res);
		hwf_app_close(app);
		hwf_source_close(src);
	}
	{
		struct hwf_source *src;

		CU_ASSERT_EQUAL(hwf_source_open_zip_member(&src, zp, "nope/UPDATE.APP", &e),
				HWF_ENOTFOUND);
	}
	free(p);
	free(zp);
}

static void test_window_bounds(void)
{
	char *p = write_pkg("win.bin", NULL, 0, vector, sizeof(vector));
	struct hwf_source *f, *w;
	struct hwf_err e = { 0 };
	uint8_t b[8];

	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&f, p, &e), 0);
	CU_ASSERT_EQUAL(hwf_source_open_window(&w, f, 100, 41, "w", &e), HWF_ETRUNC);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_window(&w, f, 100, 40, "w", &e), 0);
	CU_ASSERT_EQUAL(hwf_source_pread(w, b, 8, 36, &e), 4);
	CU_ASSERT_EQUAL(b[0], vector[136]);
	CU_ASSERT_EQUAL(hwf_source_read_exact(w, b, 8, 36, &e), HWF_ETRUNC);
	hwf_source_close(w);
	hwf_source_close(f);
	free(p);
}

void hwf_suite_updateapp(void)
{
	CU_pSuite s = CU_add_suite("updateapp", setup, teardown);

	CU_add_test(s, "public 140-byte entry parses and verifies", test_vector_parses_and_verifies);
	CU_add_test(s, "non-zero preamble is scanned and reported",
		    test_nonzero_preamble_is_scanned_and_reported);
	CU_add_test(s, "pack round trip: names, dups, zero length, CRC entry", test_pack_roundtrip);
	CU_add_test(s, "bad blocks named with offsets, any thread count",
		    test_bad_block_named_with_offset);
	CU_add_test(s, "CRC entry mismatch alone fails", test_crc_entry_mismatch_alone_fails);
	CU_add_test(s, "header CRC mismatch", test_header_crc_mismatch);
	CU_add_test(s, "truncated entry reports offsets", test_truncated_entry_reports_offsets);
	CU_add_test(s, "wrong magic / garbage between entries", test_wrong_magic_and_garbage_between);
	CU_add_test(s, "table size not matching data length", test_table_size_mismatch);
	CU_add_test(s, "HTML page, empty file, missing file", test_html_empty_and_missing);
	CU_add_test(s, "extract verifies every block", test_extract_verifies_blocks);
	CU_add_test(s, "output names cannot escape the folder", test_output_names_cannot_escape);
	CU_add_test(s, "names: exact duplicates", test_names_exact_duplicates);
	CU_add_test(s, "names: case-only collisions", test_names_case_only);
	CU_add_test(s, "names: '/' and other unsafe characters", test_names_unsafe_characters);
	CU_add_test(s, "names: a generated name meets a real one", test_names_generated_meets_real);
	CU_add_test(s, "names: INPUT entries with one sequence id", test_names_input_entries);
	CU_add_test(s, "names: thousands of collisions stay distinct",
		    test_names_many_duplicates);
	CU_add_test(s, "zip members stored and deflated", test_zip_members);
	CU_add_test(s, "windows are bounded", test_window_bounds);
}
