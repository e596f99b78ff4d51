// SPDX-License-Identifier: MIT
/*
 * image repack in process: the manifest reader and writer, and the repack
 * engine over folders written by the unpack engine (round trips, a changed
 * section with the id recomputed, the trailer, and the refusals that write
 * nothing).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/image/bootimg.h"
#include "formats/image/manifest.h"
#include "formats/image/repack.h"
#include "formats/image/unpack.h"
#include "tests/unit/testutil.h"

TU_SCRATCH_SUITE(dir)

static struct hwf_manifest *parse_text(const char *text, int *rc, struct hwf_err *e)
{
	struct hwf_manifest *m = malloc(sizeof(*m));

	memset(e, 0, sizeof(*e));
	*rc = hwf_manifest_parse(text, strlen(text), "M", m, e);
	return m;
}

static void test_manifest_round_trip(void)
{
	struct hwf_manifest *m = malloc(sizeof(*m)), *back;
	static const uint8_t cmd[] = " a\\b\nc\td\x01\xff ";
	struct hwf_err e;
	size_t len;
	char *text;
	int rc;

	hwf_manifest_init(m);
	m->header_version = 2;
	m->page_size = 4096;
	m->header_size = 1660;
	m->base = 0x80000000;
	m->os_version = (12u << 25) | (22u << 4) | 3;
	memcpy(m->cmdline, cmd, sizeof(cmd) - 1);
	m->cmdline_len = sizeof(cmd) - 1;
	memcpy(m->name, "brd", 3);
	m->name_len = 3;
	m->id_mode = HWF_MF_ID_KEEP;
	memset(m->id, 0xab, 32);
	strcpy(m->file[HWF_MF_KERNEL], "kernel");
	strcpy(m->file[HWF_MF_DTB], "sub/dtb");
	strcpy(m->file[HWF_MF_RAMDISK], "ramdisk");
	m->recovery_dtbo_auto = 0;
	m->recovery_dtbo_offset = 12345;
	m->comp = HWF_RD_LZ4_LEGACY;
	strcpy(m->trailer, "trailer.bin");
	m->trailer_size = 7;
	m->avb.present = 1;
	m->avb.partition_size = 1 << 20;
	strcpy(m->avb.vbmeta, "vbmeta.bin");
	strcpy(m->avb.prop[0], "com.android.build.boot.fingerprint:x/y z");
	m->avb.nprops = 1;
	text = hwf_manifest_format(m, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	back = parse_text(text, &rc, &e);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(back->cmdline_len, m->cmdline_len);
	CU_ASSERT(!memcmp(back->cmdline, cmd, sizeof(cmd) - 1));
	CU_ASSERT_EQUAL(back->os_version, m->os_version);
	CU_ASSERT_EQUAL(back->base, 0x80000000);
	CU_ASSERT_EQUAL(back->id_mode, HWF_MF_ID_KEEP);
	CU_ASSERT(!memcmp(back->id, m->id, 32));
	CU_ASSERT_STRING_EQUAL(back->file[HWF_MF_DTB], "sub/dtb");
	CU_ASSERT_EQUAL(back->recovery_dtbo_auto, 0);
	CU_ASSERT_EQUAL(back->recovery_dtbo_offset, 12345);
	CU_ASSERT_EQUAL(back->comp, HWF_RD_LZ4_LEGACY);
	CU_ASSERT_EQUAL(back->avb.partition_size, 1 << 20);
	CU_ASSERT_STRING_EQUAL(back->avb.prop[0], m->avb.prop[0]);
	CU_ASSERT_STRING_EQUAL(back->trailer, "trailer.bin");
	free(text);
	free(back);
	free(m);
}

static void test_manifest_refusals(void)
{
	static const struct {
		const char *body, *want;
	} cases[] = {
	    {"kind = boot\ncolour = blue\n", "M line 4: unknown key 'colour'"},
	    {"page_size = 3000\n", "page_size 3000 is not a power of two"},
	    {"base = 0xffffff00\n", "overflows the 32-bit address field"},
	    {"header_size = 99999999999999999999999\n", "is out of range"},
	    {"kernel = ../x\n", "'../x' leaves the folder"},
	    {"kernel = a/../../x\n", "leaves the folder"},
	    {"kernel = /etc/passwd\n", "is an absolute path"},
	    {"kernel = k\nkernel = k\n", "kernel: given twice"},
	    {"cmdline = a\\qb\n", "unknown escape"},
	    {"header_version = 3\npage_size = 4096\nsecond = s\n", "has no such section"},
	    {"header_version = 3\npage_size = 2048\n", "fixed page size of 4096"},
	    {"header_version = 7\n", "header_version 7 is unknown"},
	    {"page_size = -4096\n", "is not a number"},
	    {"just words\n", "not \"key = value\""},
	};
	char text[512];
	struct hwf_err e;
	int rc;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hwf_manifest *m;

		snprintf(text, sizeof(text), "# c\nhwflash-manifest = 1\n%s", cases[i].body);
		m = parse_text(text, &rc, &e);
		CU_ASSERT_EQUAL(rc, HWF_EFORMAT);
		if (!strstr(e.msg, cases[i].want))
			fprintf(stderr, "\ncase %zu: '%s' lacks '%s'\n", i, e.msg, cases[i].want);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, cases[i].want));
		free(m);
	}
	free(parse_text("kind = boot\n", &rc, &e));
	CU_ASSERT_EQUAL(rc, HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "the first key must be"));
	free(parse_text("", &rc, &e));
	CU_ASSERT_EQUAL(rc, HWF_EFORMAT);
}

/* A v2 image: header page, kernel, ramdisk, dtb, ids as AOSP mkbootimg (SHA-1) or zero. */
#define PAGE 2048
static size_t boot_v2(uint8_t *img, size_t cap, size_t klen, size_t rlen, size_t dlen)
{
	size_t kp = (klen + PAGE - 1) / PAGE * PAGE, rp = (rlen + PAGE - 1) / PAGE * PAGE;
	size_t dp = (dlen + PAGE - 1) / PAGE * PAGE, len = PAGE + kp + rp + dp;

	CU_ASSERT_FATAL(cap >= len);
	memset(img, 0, len);
	memcpy(img, "ANDROID!", 8);
	put_le32(img + 8, (uint32_t)klen);
	put_le32(img + 12, 0x10008000);
	put_le32(img + 16, (uint32_t)rlen);
	put_le32(img + 20, 0x11000000);
	put_le32(img + 28, 0x10f00000);
	put_le32(img + 32, 0x10000100);
	put_le32(img + 36, PAGE);
	put_le32(img + 40, 2);
	memcpy(img + 64, "console=ttyS0", 13);
	put_le32(img + 1644, 1660);
	put_le32(img + 1648, (uint32_t)dlen);
	put_le64(img + 1652, 0x11f00000);
	tu_random(img + PAGE, klen, 11);
	tu_random(img + PAGE + kp, rlen, 12);
	tu_random(img + PAGE + kp + rp, dlen, 13);
	return len;
}

struct rp {
	struct hwf_repack_opts o;
	struct hwf_repack_result res;
	struct hwf_file_hooks hooks;
	struct tu_files files;
	struct hwf_err e;
	char out[4200];
	int rc;
};

static void unpack_to(const char *sub, const uint8_t *img, size_t len)
{
	struct hwf_unpack_opts o = {0};
	struct hwf_unpack_result res;
	struct hwf_source *src;
	struct hwf_err e = {0};
	char d[4200];

	snprintf(d, sizeof(d), "%s/%s", dir, sub);
	o.dir = d;
	o.name = "boot.img";
	o.manifest = 1;
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, len, "boot.img", &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_image_unpack(src, &o, &res, &e), 0);
	hwf_unpack_result_free(&res);
	hwf_source_close(src);
}

static void repack(struct rp *r, const char *sub, const char *out, const char *sig)
{
	char d[4200];

	memset(r, 0, sizeof(*r));
	snprintf(d, sizeof(d), "%s/%s", dir, sub);
	snprintf(r->out, sizeof(r->out), "%s/%s", dir, out);
	tu_file_hooks(&r->files, &r->hooks);
	r->o.dir = d;
	r->o.out = r->out;
	r->o.append_signature = sig;
	r->o.files = &r->hooks;
	r->rc = hwf_image_repack(&r->o, &r->res, &r->e);
	CU_ASSERT_EQUAL(tu_files_left(&r->files), 0);
	tu_files_free(&r->files);
}

static int file_is(const char *path, const uint8_t *want, size_t len)
{
	uint8_t *got = malloc(len + 1);
	FILE *f = fopen(path, "rb");
	int ok = f && fread(got, 1, len + 1, f) == len && !memcmp(got, want, len);

	if (f)
		fclose(f);
	free(got);
	return ok;
}

static void edit(const char *sub, const char *name, const char *from, const char *to)
{
	char *p = tu_path(dir, sub), *q = tu_path(p, name), buf[8192];
	FILE *f = fopen(q, "rb");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	char *at;

	if (f)
		fclose(f);
	buf[n] = '\0';
	at = strstr(buf, from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	f = fopen(q, "wb");
	fwrite(buf, 1, (size_t)(at - buf), f);
	fputs(to, f);
	fputs(at + strlen(from), f);
	fclose(f);
	free(q);
	free(p);
}

static void test_unchanged_folder_is_byte_identical(void)
{
	static uint8_t img[65536], tr[65536 + 100];
	size_t len = boot_v2(img, sizeof(img), 5000, 3000, 700);
	struct rp r;

	unpack_to("same", img, len);
	repack(&r, "same", "same.img", NULL);
	CU_ASSERT_EQUAL_FATAL(r.rc, 0);
	CU_ASSERT(file_is(r.out, img, len));
	CU_ASSERT_EQUAL(r.res.header_version, 2);
	CU_ASSERT_EQUAL(r.res.size, len);
	/* bytes after the image: saved by unpack, put back by repack */
	memcpy(tr, img, len);
	tu_random(tr + len, 100, 5);
	unpack_to("tr", tr, len + 100);
	repack(&r, "tr", "tr.img", NULL);
	CU_ASSERT_EQUAL_FATAL(r.rc, 0);
	CU_ASSERT_EQUAL(r.res.trailer_size, 100);
	CU_ASSERT(file_is(r.out, tr, len + 100));
}

static void test_changed_kernel_gets_a_new_id(void)
{
	static uint8_t img[65536];
	size_t len = boot_v2(img, sizeof(img), 5000, 3000, 700);
	struct hwf_source *src;
	struct hwf_bootimg b;
	struct hwf_bootimg_id id;
	struct hwf_err e = {0};
	uint8_t k[9000];
	char *p = tu_path(dir, "chg/kernel");
	struct rp r;

	unpack_to("chg", img, len);
	tu_random(k, sizeof(k), 99);
	CU_ASSERT_EQUAL_FATAL(tu_write(p, k, sizeof(k)), 0);
	/* the original id was zero: ask for AOSP's SHA-1 */
	edit("chg", "manifest.txt", "id = zero", "id = sha1");
	edit("chg", "manifest.txt", "cmdline = console=ttyS0", "cmdline = quiet");
	repack(&r, "chg", "chg.img", NULL);
	CU_ASSERT_EQUAL_FATAL(r.rc, 0);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&src, r.out, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_bootimg_parse(src, &b, &e), 0);
	CU_ASSERT_EQUAL(hwf_bootimg_section(&b, "kernel")->size, sizeof(k));
	CU_ASSERT_EQUAL(hwf_bootimg_section(&b, "dtb")->size, 700);
	CU_ASSERT_STRING_EQUAL(b.cmdline, "quiet");
	CU_ASSERT_EQUAL(b.needed, hwf_source_size(src));
	CU_ASSERT_EQUAL(hwf_bootimg_check_id(src, &b, &id, &e), 0);
	CU_ASSERT_EQUAL(id.match, HWF_BOOTIMG_ID_SHA1);
	hwf_source_close(src);
	free(p);
}

static void test_refusals_write_nothing(void)
{
	static uint8_t img[65536];
	size_t len = boot_v2(img, sizeof(img), 5000, 3000, 700);
	char *p = tu_path(dir, "bad/kernel"), *sig = tu_path(dir, "nosuch.sig");
	struct rp r;

	unpack_to("bad", img, len);
	/* OUT exists, no force */
	repack(&r, "bad", "bad/ramdisk", NULL);
	CU_ASSERT_EQUAL(r.rc, HWF_EEXIST);
	/* --append-signature of a missing file */
	repack(&r, "bad", "sig.img", sig);
	CU_ASSERT_NOT_EQUAL(r.rc, 0);
	CU_ASSERT(access(r.out, F_OK) != 0);
	/* a symlink pointing outside */
	unlink(p);
	CU_ASSERT_EQUAL_FATAL(symlink("/etc/hostname", p), 0);
	repack(&r, "bad", "link.img", NULL);
	CU_ASSERT_EQUAL(r.rc, HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "a symlink pointing outside the folder"));
	CU_ASSERT(access(r.out, F_OK) != 0);
	/* missing kernel */
	unlink(p);
	repack(&r, "bad", "miss.img", NULL);
	CU_ASSERT_EQUAL(r.rc, HWF_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "kernel: missing"));
	CU_ASSERT(access(r.out, F_OK) != 0);
	CU_ASSERT_EQUAL(tu_count_names(dir, "partial"), 0);
	/* an AVB partition too small for the image */
	CU_ASSERT_EQUAL_FATAL(tu_write(p, img, 5000), 0);
	CU_ASSERT_EQUAL_FATAL(tu_write(sig, img, 1000), 0);
	edit("bad", "manifest.txt", "\n# sections",
	     "\navb.partition_size = 8192\navb.vbmeta = vb\n# sections");
	{
		char *vb = tu_path(dir, "bad/vb");

		CU_ASSERT_EQUAL_FATAL(tu_write(vb, img, 512), 0);
		free(vb);
	}
	repack(&r, "bad", "avb.img", NULL);
	CU_ASSERT_EQUAL(r.rc, HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "no longer fit"));
	CU_ASSERT(access(r.out, F_OK) != 0);
	free(p);
	free(sig);
}

/* A vendor_boot v4 image as tests/tools/mkvendorboot.py lays it out: two ramdisks, dtb, table. */
#define VPAGE 4096
static size_t vendor_v4(uint8_t *img, size_t cap, size_t r0, size_t r1)
{
	size_t rp = (r0 + r1 + VPAGE - 1) / VPAGE * VPAGE, len = VPAGE + rp + VPAGE + VPAGE;
	uint8_t *t;

	CU_ASSERT_FATAL(cap >= len);
	memset(img, 0, len);
	memcpy(img, "VNDRBOOT", 8);
	put_le32(img + 8, 4);
	put_le32(img + 12, VPAGE);
	put_le32(img + 16, 0x8000);
	put_le32(img + 20, 0x1000000);
	put_le32(img + 24, (uint32_t)(r0 + r1));
	put_le32(img + 2076, 0x100);
	put_le32(img + 2096, 2128);
	put_le32(img + 2100, 100);
	put_le64(img + 2104, 0x1f00000);
	put_le32(img + 2112, 216);
	put_le32(img + 2116, 2);
	put_le32(img + 2120, 108);
	tu_random(img + VPAGE, r0 + r1, 21);
	tu_random(img + VPAGE + rp, 100, 22);
	t = img + VPAGE + rp + VPAGE;
	put_le32(t, (uint32_t)r0);
	put_le32(t + 8, 1);
	memcpy(t + 12, "platform", 8);
	put_le32(t + 108, (uint32_t)r1);
	put_le32(t + 108 + 4, (uint32_t)r0);
	put_le32(t + 108 + 8, 3);
	memcpy(t + 108 + 12, "dlkm", 4);
	return len;
}

/*
 * vendor_boot v4 is built from the per-ramdisk files: the whole
 * vendor_ramdisk changed alone is refused naming both; equal to the
 * per-ramdisk files one after another (or unchanged) it is fine.  OUT never
 * lands on a file the repack reads, not even with force.
 */
static void test_vendor_whole_and_out_over_input(void)
{
	static uint8_t img[65536], part[4096];
	size_t len = vendor_v4(img, sizeof(img), 3000, 1000);
	char *whole = tu_path(dir, "v4/vendor_ramdisk"), *r1 = tu_path(dir, "v4/vendor_ramdisk01");
	char *r0 = tu_path(dir, "v4/vendor_ramdisk00");
	struct rp r;

	unpack_to("v4", img, len);
	repack(&r, "v4", "v4same.img", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(file_is(r.out, img, len));
	CU_ASSERT_EQUAL_FATAL(tu_write(whole, img, 4000), 0);
	repack(&r, "v4", "v4a.img", NULL);
	CU_ASSERT_EQUAL(r.rc, HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "v4/vendor_ramdisk was changed, but a vendor_boot "
					       "v4 image is built from its 2 per-ramdisk files"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "v4/vendor_ramdisk00 to vendor_ramdisk01"));
	CU_ASSERT(access(r.out, F_OK) != 0);
	/* The whole file made of the (changed) per-ramdisk files: taken. */
	tu_random(part, 1000, 23);
	CU_ASSERT_EQUAL_FATAL(tu_write(r1, part, 1000), 0);
	{
		uint8_t both[4000];

		memcpy(both, img + VPAGE, 3000);
		memcpy(both + 3000, part, 1000);
		CU_ASSERT_EQUAL_FATAL(tu_write(whole, both, 4000), 0);
	}
	repack(&r, "v4", "v4b.img", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	/* OUT over the folder's own files: refused even with force. */
	{
		char *d = tu_path(dir, "v4");

		memset(&r, 0, sizeof(r));
		r.o.dir = d;
		r.o.out = r0;
		r.o.force = 1;
		r.rc = hwf_image_repack(&r.o, &r.res, &r.e);
		free(d);
	}
	CU_ASSERT_EQUAL(r.rc, HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "the repack reads it (a vendor ramdisk of "));
	CU_ASSERT(file_is(r0, img + VPAGE, 3000));
	free(whole);
	free(r0);
	free(r1);
}

void hwf_suite_repack(void)
{
	CU_pSuite s = CU_add_suite("repack", setup, teardown);

	CU_add_test(s, "manifest written and read back field for field", test_manifest_round_trip);
	CU_add_test(s, "manifest refusals name the line and what is wrong", test_manifest_refusals);
	CU_add_test(s, "an unchanged folder repacks byte-identical (trailer too)",
		    test_unchanged_folder_is_byte_identical);
	CU_add_test(s, "a changed kernel and cmdline: layout and SHA-1 id recomputed",
		    test_changed_kernel_gets_a_new_id);
	CU_add_test(s, "bad folders refused, nothing written", test_refusals_write_nothing);
	CU_add_test(s, "vendor_boot v4: the whole vendor_ramdisk changed alone; OUT over an input",
		    test_vendor_whole_and_out_over_input);
}
