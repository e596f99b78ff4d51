// SPDX-License-Identifier: MIT
/*
 * The partition table (formats/partkind.c), the raw partition image
 * headers (formats/partimage.c) and the image check's verdict for a
 * partition: content that cannot belong there is an error, suspicious
 * content a warning.
 */
#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"
#include "formats/image/imagecheck.h"
#include "formats/image/partimage.h"
#include "formats/image/partkind.h"
#include "formats/image/sniff.h"

static void test_lookup(void)
{
	static const struct {
		const char *name;
		enum hwf_part_class cls;
	} cases[] = {
		{ "boot", HWF_PART_BOOT },
		{ "boot_a", HWF_PART_BOOT },
		{ "BOOT_B", HWF_PART_BOOT },
		{ "recovery", HWF_PART_BOOT },
		{ "erecovery", HWF_PART_BOOT },
		{ "recovery_ramdisk", HWF_PART_RAMDISK },
		{ "erecovery_ramdisk", HWF_PART_RAMDISK },
		{ "ramdisk", HWF_PART_RAMDISK },
		{ "init_boot", HWF_PART_INIT_BOOT },
		{ "init_boot_b", HWF_PART_INIT_BOOT },
		{ "vendor_boot", HWF_PART_VENDOR_BOOT },
		{ "vendor_boot_a", HWF_PART_VENDOR_BOOT },
		{ "vendor_kernel_boot", HWF_PART_VENDOR_BOOT },
		{ "vbmeta", HWF_PART_VBMETA },
		{ "vbmeta_a", HWF_PART_VBMETA },
		{ "vbmeta_system", HWF_PART_VBMETA },
		{ "vbmeta_vendor_b", HWF_PART_VBMETA },
		{ "recovery_vbmeta", HWF_PART_VBMETA },
		{ "dtbo", HWF_PART_DTBO },
		{ "dtbo_a", HWF_PART_DTBO },
		{ "system", HWF_PART_FS },
		{ "system_a", HWF_PART_FS },
		{ "system_ext", HWF_PART_FS },
		{ "system_ext_b", HWF_PART_FS },
		{ "vendor", HWF_PART_FS },
		{ "product", HWF_PART_FS },
		{ "odm", HWF_PART_FS },
		{ "vendor_dlkm", HWF_PART_FS },
		{ "userdata", HWF_PART_FS },
		{ "cache", HWF_PART_FS },
		{ "cust", HWF_PART_FS },
		{ "CUST", HWF_PART_FS },
		{ "super", HWF_PART_SUPER },
		/* Raw blobs and names whose content is not documented: anything goes. */
		{ "modem", HWF_PART_ANY },
		{ "xloader", HWF_PART_ANY },
		{ "fastboot", HWF_PART_ANY },
		{ "ptable", HWF_PART_ANY },
		{ "kernel", HWF_PART_ANY },
		{ "erecovery_kernel", HWF_PART_ANY },
		{ "vbmeta_", HWF_PART_ANY },	/* a prefix needs something after it */
		{ "bootx", HWF_PART_ANY },
		{ "boot_c", HWF_PART_ANY },
		{ "_a", HWF_PART_ANY },
		{ "", HWF_PART_ANY },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hwf_part *p = hwf_part_lookup(cases[i].name);

		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		if (p->cls != cases[i].cls)
			fprintf(stderr, "\n    %s: class %d, wanted %d\n", cases[i].name, p->cls,
				cases[i].cls);
		CU_ASSERT_EQUAL(p->cls, cases[i].cls);
	}
	CU_ASSERT_EQUAL(hwf_part_lookup(NULL)->cls, HWF_PART_ANY);
	CU_ASSERT_TRUE(hwf_part_lookup("recovery_a")->flags & HWF_PART_F_RECOVERY);
	CU_ASSERT_TRUE(hwf_part_lookup("recovery_ramdisk")->flags & HWF_PART_F_RECOVERY);
	CU_ASSERT_FALSE(hwf_part_lookup("boot")->flags & HWF_PART_F_RECOVERY);
	CU_ASSERT_TRUE(hwf_part_takes_bootimg(hwf_part_lookup("init_boot_a")));
	CU_ASSERT_TRUE(hwf_part_takes_bootimg(hwf_part_lookup("erecovery_ramdisk")));
	CU_ASSERT_FALSE(hwf_part_takes_bootimg(hwf_part_lookup("vendor_boot")));
	CU_ASSERT_FALSE(hwf_part_takes_bootimg(hwf_part_lookup("system")));
}

static enum hwf_fit fit(const char *part, enum hwf_kind kind, char *why)
{
	struct hwf_part_content c = { 0 };

	c.kind = kind;
	c.inner = kind == HWF_KIND_AVB_FOOTER ? HWF_KIND_UNKNOWN : kind;
	return hwf_part_fit(hwf_part_lookup(part), part, &c, why, 256);
}

static enum hwf_fit fit_boot(const char *part, uint32_t version, uint64_t kernel,
			     uint64_t ramdisk, char *why)
{
	struct hwf_part_content c = { 0 };

	c.kind = c.inner = HWF_KIND_BOOTIMG;
	c.bootimg_ok = 1;
	c.header_version = version;
	c.kernel_size = kernel;
	c.ramdisk_size = ramdisk;
	return hwf_part_fit(hwf_part_lookup(part), part, &c, why, 256);
}

static void test_fit_matrix(void)
{
	char why[256];

	/* File-system partitions: file systems and sparse; never gzip or a boot image. */
	CU_ASSERT_EQUAL(fit("system", HWF_KIND_SPARSE, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("system", HWF_KIND_EXT4, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("system_a", HWF_KIND_EROFS, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("userdata", HWF_KIND_F2FS, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("vendor", HWF_KIND_AVB_FOOTER, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("system", HWF_KIND_GZIP, why), HWF_FIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "gzip data, but system takes a file system image"));
	CU_ASSERT_EQUAL(fit("system", HWF_KIND_LZ4, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("cust", HWF_KIND_BOOTIMG, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("system", HWF_KIND_VENDOR_BOOT, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("system", HWF_KIND_VBMETA, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("system", HWF_KIND_SUPER, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("system", HWF_KIND_ELF, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("system", HWF_KIND_UNKNOWN, why), HWF_FIT_WARN);
	CU_ASSERT_EQUAL(fit("cache", HWF_KIND_ZEROS, why), HWF_FIT_WARN);
	/* Loose entries only warn. */
	CU_ASSERT_EQUAL(fit("recovery_vendor", HWF_KIND_GZIP, why), HWF_FIT_WARN);
	CU_ASSERT_EQUAL(fit("recovery_vbmeta", HWF_KIND_UNKNOWN, why), HWF_FIT_WARN);
	/* super: liblp or sparse; a partition's file system belongs to that partition. */
	CU_ASSERT_EQUAL(fit("super", HWF_KIND_SUPER, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("super", HWF_KIND_SPARSE, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("super", HWF_KIND_EXT4, why), HWF_FIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "flash it to its logical partition"));
	CU_ASSERT_EQUAL(fit("super", HWF_KIND_UNKNOWN, why), HWF_FIT_WARN);
	/* Boot partitions take boot images only. */
	CU_ASSERT_EQUAL(fit("boot", HWF_KIND_SPARSE, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("recovery", HWF_KIND_AVB_FOOTER, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("boot_b", HWF_KIND_VENDOR_BOOT, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("recovery", HWF_KIND_ZEROS, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("recovery_ramdisk", HWF_KIND_GZIP, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("ramdisk", HWF_KIND_GZIP, why), HWF_FIT_OK);	/* raw ramdisk */
	CU_ASSERT_EQUAL(fit("ramdisk", HWF_KIND_EXT4, why), HWF_FIT_WARN);
	CU_ASSERT_EQUAL(fit("vendor_boot", HWF_KIND_VENDOR_BOOT, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("vendor_boot", HWF_KIND_BOOTIMG, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit("vbmeta", HWF_KIND_VBMETA, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("vbmeta_system", HWF_KIND_UNKNOWN, why), HWF_FIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "vbmeta_system takes an AVB vbmeta image"));
	CU_ASSERT_EQUAL(fit("dtbo", HWF_KIND_DTBO, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("dtbo", HWF_KIND_UNKNOWN, why), HWF_FIT_ERROR);
	/* Unknown partitions take any raw blob. */
	CU_ASSERT_EQUAL(fit("modem", HWF_KIND_UNKNOWN, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("modem", HWF_KIND_GZIP, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("xloader", HWF_KIND_BOOTIMG, why), HWF_FIT_OK);
	/* The universal refusals are the image check's: no double report. */
	CU_ASSERT_EQUAL(fit("system", HWF_KIND_HTML, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit("boot", HWF_KIND_EMPTY, why), HWF_FIT_OK);
}

static void test_fit_boot_images(void)
{
	char why[256];

	CU_ASSERT_EQUAL(fit_boot("boot", 2, 5000, 3000, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit_boot("recovery", 0, 5000, 3000, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit_boot("boot_a", 4, 5000, 3000, why), HWF_FIT_OK);
	/* An init_boot image (v4, no kernel) for boot. */
	CU_ASSERT_EQUAL(fit_boot("boot", 4, 0, 3000, why), HWF_FIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "without a kernel (an init_boot image)"));
	/* A ramdisk-only (Huawei) image for recovery. */
	CU_ASSERT_EQUAL(fit_boot("recovery", 2, 0, 3000, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit_boot("recovery_ramdisk", 2, 0, 3000, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit_boot("erecovery_ramdisk", 1, 5000, 3000, why), HWF_FIT_OK);
	/* init_boot: v4, a ramdisk, no kernel. */
	CU_ASSERT_EQUAL(fit_boot("init_boot", 4, 0, 3000, why), HWF_FIT_OK);
	CU_ASSERT_EQUAL(fit_boot("init_boot_a", 4, 5000, 3000, why), HWF_FIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "with a kernel (a boot image), but init_boot_a takes"));
	CU_ASSERT_EQUAL(fit_boot("init_boot", 4, 0, 0, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit_boot("init_boot", 2, 0, 3000, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit_boot("init_boot", 3, 0, 3000, why), HWF_FIT_WARN);
	/* A boot image for a file system or a vbmeta partition. */
	CU_ASSERT_EQUAL(fit_boot("system", 2, 5000, 3000, why), HWF_FIT_ERROR);
	CU_ASSERT_EQUAL(fit_boot("vbmeta", 2, 5000, 3000, why), HWF_FIT_ERROR);
}

static void sniff_buf(const uint8_t *b, size_t len, enum hwf_kind want)
{
	struct hwf_sniff sn;

	hwf_sniff_buf(b, len, len, &sn);
	CU_ASSERT_EQUAL(sn.kind, want);
	CU_ASSERT_EQUAL(sn.inner, want);
}

/* An ext4/erofs/f2fs superblock saying @blocks blocks of 4096 bytes, in @img. */
static void fs_image(uint8_t *img, enum hwf_kind kind, uint64_t blocks)
{
	uint8_t *sb = img + 1024;

	memset(img, 0, 2048);
	if (kind == HWF_KIND_EXT4) {
		put_le16(sb + 56, 0xef53);
		put_le32(sb + 4, (uint32_t)blocks);
		put_le32(sb + 24, 2);	/* 1024 << 2 */
		if (blocks >> 32) {
			put_le32(sb + 0x60, 0x80);
			put_le32(sb + 0x150, (uint32_t)(blocks >> 32));
		}
	} else if (kind == HWF_KIND_EROFS) {
		put_le32(sb, 0xe0f5e1e2u);
		sb[12] = 12;
		put_le32(sb + 36, (uint32_t)blocks);
	} else {
		put_le32(sb, 0xf2f52010u);
		put_le32(sb + 16, 12);
		put_le64(sb + 36, blocks);
	}
}

static int pcheck(const uint8_t *b, size_t len, size_t limit, struct hwf_partimage_info *pi,
		  struct hwf_err *e)
{
	struct hwf_source *src;
	struct hwf_sniff sn;
	int rc;

	hwf_source_open_mem(&src, b, len, "p.img", e);
	hwf_sniff_source(src, &sn, e);
	rc = hwf_partimage_check(src, sn.inner, limit, pi, e);
	hwf_source_close(src);
	return rc;
}

static void test_fs_headers(void)
{
	static const enum hwf_kind kinds[] = { HWF_KIND_EXT4, HWF_KIND_EROFS, HWF_KIND_F2FS };
	size_t len = 16 * 4096;
	uint8_t *img = calloc(1, len);
	struct hwf_partimage_info pi;
	struct hwf_err e = { 0 };

	for (size_t k = 0; k < 3; k++) {
		fs_image(img, kinds[k], 16);
		sniff_buf(img, len, kinds[k]);
		CU_ASSERT_EQUAL(pcheck(img, len, len, &pi, &e), 0);
		CU_ASSERT_EQUAL(pi.needed, len);
		/* Cut short: the superblock's size against the file. */
		CU_ASSERT_EQUAL(pcheck(img, len - 4096, len - 4096, &pi, &e), HWF_ETRUNC);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "superblock says 0.1 MiB (65536 bytes), the file "
						     "has 0.1 MiB (61440 bytes)"));
		CU_ASSERT_EQUAL(pcheck(img, 1500, 1500, &pi, &e), HWF_ETRUNC);
		/* More blocks than the file holds, and none. */
		fs_image(img, kinds[k], 1u << 20);
		CU_ASSERT_EQUAL(pcheck(img, len, len, &pi, &e), HWF_ETRUNC);
		fs_image(img, kinds[k], 0);
		CU_ASSERT_EQUAL(pcheck(img, len, len, &pi, &e), HWF_EFORMAT);
	}
	/* ext4 64bit: the high word counts. */
	fs_image(img, HWF_KIND_EXT4, (1ull << 32) + 16);
	CU_ASSERT_EQUAL(pcheck(img, len, len, &pi, &e), HWF_ETRUNC);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "16384.0 GiB") || strstr(e.msg, "17592186109952"));
	free(img);
}

/* A liblp geometry at @g: 2 slots of 65536 bytes, checksum filled. */
static void lp_geometry(uint8_t *g)
{
	unsigned int n = 0;

	memset(g, 0, 4096);
	put_le32(g, 0x616c4467u);
	put_le32(g + 4, 52);
	put_le32(g + 40, 65536);
	put_le32(g + 44, 2);
	put_le32(g + 48, 4096);
	EVP_Digest(g, 52, g + 8, &n, EVP_sha256(), NULL);
}

static void test_super_and_dtbo(void)
{
	size_t len = 12288 + 4 * 65536;
	uint8_t *img = calloc(1, len);
	struct hwf_partimage_info pi;
	struct hwf_err e = { 0 };
	char why[256];

	/* A full super image: reserved 4 KiB, geometry and backup, metadata slots. */
	lp_geometry(img + 4096);
	memcpy(img + 8192, img + 4096, 4096);
	put_le32(img + 12288, 0x414c5030u);
	sniff_buf(img, 8192, HWF_KIND_SUPER);
	CU_ASSERT_EQUAL(pcheck(img, len, len, &pi, &e), 0);
	CU_ASSERT_FALSE(pi.super_empty);
	CU_ASSERT_EQUAL(pcheck(img, len - 1, len - 1, &pi, &e), HWF_ETRUNC);
	/* A damaged primary geometry with a good backup still passes; both damaged do not. */
	img[4096 + 60] ^= 1;
	img[4096 + 40] ^= 1;
	CU_ASSERT_EQUAL(pcheck(img, len, len, &pi, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(pi.what, "backup is good"));
	img[8192 + 40] ^= 1;
	CU_ASSERT_EQUAL(pcheck(img, len, len, &pi, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "SHA-256"));
	/* super_empty: geometry at 0, then the metadata. */
	memset(img, 0, len);
	lp_geometry(img);
	put_le32(img + 4096, 0x414c5030u);
	CU_ASSERT_EQUAL(pcheck(img, 8192, 8192, &pi, &e), 0);
	CU_ASSERT_TRUE(pi.super_empty);
	{
		struct hwf_part_content c = { 0 };

		c.kind = c.inner = HWF_KIND_SUPER;
		c.super_empty = 1;
		CU_ASSERT_EQUAL(hwf_part_fit(hwf_part_lookup("super"), "super", &c, why, sizeof(why)),
				HWF_FIT_ERROR);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "update-super"));
	}
	/* DTBO: total size against the file, entries inside the total. */
	memset(img, 0, len);
	put_be32(img, 0xd7b7ab1eu);
	put_be32(img + 4, 4096);
	put_be32(img + 8, 32);
	put_be32(img + 12, 32);
	put_be32(img + 16, 2);
	put_be32(img + 20, 32);
	sniff_buf(img, 4096, HWF_KIND_DTBO);
	CU_ASSERT_EQUAL(pcheck(img, 4096, 4096, &pi, &e), 0);
	CU_ASSERT_EQUAL(pcheck(img, 3000, 3000, &pi, &e), HWF_ETRUNC);
	put_be32(img + 16, 200);
	CU_ASSERT_EQUAL(pcheck(img, 4096, 4096, &pi, &e), HWF_EFORMAT);
	free(img);
}

/* Boot image header v4 (page 4096): kernel @kernel bytes, ramdisk 100 bytes. */
static size_t v4_image(uint8_t *img, uint32_t kernel)
{
	memset(img, 0, 4096 * 4);
	memcpy(img, "ANDROID!", 8);
	put_le32(img + 8, kernel);
	put_le32(img + 12, 100);
	put_le32(img + 20, 1584);
	put_le32(img + 40, 4);
	return 4096 * (kernel ? 3 : 2);
}

static int check(const uint8_t *b, size_t len, const char *name, const char *part,
		 struct hwf_image_report *r)
{
	struct hwf_image_check_opts o = { part, NULL, NULL, NULL };
	struct hwf_source *src;
	struct hwf_err e = { 0 };

	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, b, len, name, &e), 0);
	CU_ASSERT_EQUAL(hwf_image_check(src, &o, r, NULL, NULL, &e), 0);
	hwf_source_close(src);
	return r->ok;
}

static int finding(const struct hwf_image_report *r, enum hwf_severity sev, const char *text)
{
	for (size_t i = 0; i < r->nfind; i++)
		if (r->find[i].severity == sev && strstr(r->find[i].text, text))
			return 1;
	for (size_t i = 0; i < r->nfind; i++)
		fprintf(stderr, "\n    [%d] %s", r->find[i].severity, r->find[i].text);
	fprintf(stderr, "\n    (wanted [%d] %s)\n", sev, text);
	return 0;
}

static void test_image_check_for_partition(void)
{
	uint8_t *img = calloc(1, 4096 * 16);
	struct hwf_image_report r;
	size_t len;

	/* init_boot image (v4, no kernel) for boot: refused; for init_boot: fine. */
	len = v4_image(img, 0);
	CU_ASSERT_FALSE(check(img, len, "init_boot.img", "boot", &r));
	CU_ASSERT(finding(&r, HWF_SEV_ERROR, "init_boot.img: boot image header v4 without a kernel"));
	CU_ASSERT_TRUE(check(img, len, "init_boot.img", "init_boot", &r));
	CU_ASSERT_TRUE(check(img, len, "init_boot.img", "init_boot_b", &r));
	/* boot v4 with a kernel for init_boot: refused; for boot: fine. */
	len = v4_image(img, 4000);
	CU_ASSERT_FALSE(check(img, len, "boot.img", "init_boot", &r));
	CU_ASSERT(finding(&r, HWF_SEV_ERROR, "boot.img: boot image header v4 with a kernel"));
	CU_ASSERT_TRUE(check(img, len, "boot.img", "boot", &r));
	/* ... and for system. */
	CU_ASSERT_FALSE(check(img, len, "boot.img", "system", &r));
	CU_ASSERT(finding(&r, HWF_SEV_ERROR, "Android boot image, but system takes"));
	/* Without --partition only the image itself is judged. */
	CU_ASSERT_TRUE(check(img, len, "boot.img", NULL, &r));
	/* gzip data for system, for a raw ramdisk partition, for modem. */
	memset(img, 0, 4096);
	memcpy(img, "\x1f\x8b\x08\x00", 4);
	CU_ASSERT_FALSE(check(img, 4096, "rec.img.gz", "system", &r));
	CU_ASSERT(finding(&r, HWF_SEV_ERROR, "rec.img.gz: gzip data, but system takes"));
	CU_ASSERT_TRUE(check(img, 4096, "rec.img.gz", "modem", &r));
	CU_ASSERT_TRUE(check(img, 4096, "rd.gz", "ramdisk", &r));
	/* Random bytes: a warning for system, an error for vbmeta, nothing for modem. */
	for (size_t i = 0; i < 4096; i++)
		img[i] = (uint8_t)(i * 2654435761u >> 7) | 1;
	CU_ASSERT_TRUE(check(img, 4096, "blob.img", "system", &r));
	CU_ASSERT(finding(&r, HWF_SEV_WARN, "unrecognised data, not an image hwflash recognises"));
	CU_ASSERT_FALSE(check(img, 4096, "blob.img", "vbmeta", &r));
	CU_ASSERT(finding(&r, HWF_SEV_ERROR, "vbmeta takes an AVB vbmeta image"));
	CU_ASSERT_TRUE(check(img, 4096, "blob.img", "modem", &r));
	CU_ASSERT_EQUAL(r.nfind, 0);
	/* An ext4 image cut short is refused wherever it goes. */
	fs_image(img, HWF_KIND_EXT4, 16);
	CU_ASSERT_TRUE(check(img, 16 * 4096, "sys.ext4", "system", &r));
	CU_ASSERT_FALSE(check(img, 8 * 4096, "sys.ext4", "system", &r));
	CU_ASSERT_FALSE(check(img, 8 * 4096, "sys.ext4", "modem", &r));
	CU_ASSERT(finding(&r, HWF_SEV_ERROR, "truncated: the ext4 superblock says"));
	free(img);
}

void hwf_suite_partkind(void)
{
	CU_pSuite s = CU_add_suite("partkind", NULL, NULL);

	CU_add_test(s, "one table: names, slots, case, prefixes, unknown names", test_lookup);
	CU_add_test(s, "fit: content kinds against partition classes", test_fit_matrix);
	CU_add_test(s, "fit: boot, init_boot and ramdisk-only boot images", test_fit_boot_images);
	CU_add_test(s, "ext4, erofs, f2fs: superblock size against the file", test_fs_headers);
	CU_add_test(s, "super (liblp geometry, backup, super_empty) and DTBO headers",
		    test_super_and_dtbo);
	CU_add_test(s, "image check for a partition: errors, warnings, none",
		    test_image_check_for_partition);
}
