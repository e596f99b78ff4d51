// SPDX-License-Identifier: MIT
#include "formats/image/bootimg.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "formats/core/bytes.h"

#define HDR_READ 2128	/* the largest header: vendor_boot v4 */

static uint64_t pages(uint64_t size, uint32_t page)
{
	return (size + page - 1) / page;
}

static void copy_str(char *dst, size_t dstlen, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < dstlen && src[i]; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[i] = '\0';
}

static void decode_os_version(struct hwf_bootimg *b, uint32_t v)
{
	uint32_t ver = v >> 11, lvl = v & 0x7ff;

	b->os_version_raw = v;
	if (ver)
		snprintf(b->os_version, sizeof(b->os_version), "%u.%u.%u", (ver >> 14) & 0x7f,
			 (ver >> 7) & 0x7f, ver & 0x7f);
	if (lvl)
		snprintf(b->patch_level, sizeof(b->patch_level), "%04u-%02u", 2000 + (lvl >> 4),
			 lvl & 0xf);
}

static void add(struct hwf_bootimg *b, const char *name, uint64_t size, uint64_t *pos)
{
	if (b->nsec < HWF_BOOTIMG_MAX_SECTIONS) {
		b->sec[b->nsec].name = name;
		b->sec[b->nsec].offset = *pos;
		b->sec[b->nsec].size = size;
		b->nsec++;
	}
	*pos += pages(size, b->page_size) * b->page_size;
}

static int page_ok(uint32_t p)
{
	return p >= 2048 && p <= (1u << 20) && (p & (p - 1)) == 0;
}

static int parse_vendor(struct hwf_bootimg *b, const uint8_t *h, size_t n, const char *fname,
			struct hwf_err *e)
{
	uint64_t pos;

	b->vendor = 1;
	b->header_version = get_le32(h + 8);
	b->page_size = get_le32(h + 12);
	if (b->header_version < 3 || b->header_version > 4)
		return hwf_err_set(e, HWF_EFORMAT, "%s: vendor_boot header version %u is unknown",
				   fname, b->header_version);
	if (n < (b->header_version == 4 ? 2128u : 2112u))
		return hwf_err_set(e, HWF_ETRUNC, "%s: truncated inside the vendor_boot header",
				   fname);
	if (!page_ok(b->page_size))
		return hwf_err_set(e, HWF_EFORMAT, "%s: page size %u is not a power of two >= 2048",
				   fname, b->page_size);
	copy_str(b->cmdline, sizeof(b->cmdline), h + 28, 2048);
	copy_str(b->name, sizeof(b->name), h + 2080, 16);
	b->header_size = get_le32(h + 2096);
	pos = pages(b->header_size, b->page_size) * b->page_size;
	add(b, "vendor_ramdisk", get_le32(h + 24), &pos);
	add(b, "dtb", get_le32(h + 2100), &pos);
	if (b->header_version == 4) {
		add(b, "vendor_ramdisk_table", get_le32(h + 2112), &pos);
		add(b, "bootconfig", get_le32(h + 2124), &pos);
	}
	b->needed = pos;
	return 0;
}

int hwf_bootimg_parse(struct hwf_source *src, struct hwf_bootimg *b, struct hwf_err *e)
{
	const char *fname = hwf_source_name(src);
	uint8_t h[HDR_READ];
	uint32_t v;
	uint64_t pos;
	int64_t n;

	memset(b, 0, sizeof(*b));
	memset(h, 0, sizeof(h));
	n = hwf_source_pread(src, h, sizeof(h), 0, e);
	if (n < 0)
		return (int)n;
	if (n >= 8 && !memcmp(h, "VNDRBOOT", 8))
		return parse_vendor(b, h, (size_t)n, fname, e);
	if (n < 8 || memcmp(h, "ANDROID!", 8))
		return hwf_err_set(e, HWF_EFORMAT, "%s: not an Android boot image (no ANDROID! magic)",
				   fname);
	if (n < 1580)
		return hwf_err_set(e, HWF_ETRUNC,
				   "%s: truncated: %lld bytes, shorter than any boot image header",
				   fname, (long long)n);
	v = get_le32(h + 40);
	if (v >= 3 && v <= 4) {
		b->header_version = v;
		b->page_size = 4096;
		b->header_size = get_le32(h + 20);
		decode_os_version(b, get_le32(h + 16));
		copy_str(b->cmdline, sizeof(b->cmdline), h + 44, 1536);
		pos = 4096;
		add(b, "kernel", get_le32(h + 8), &pos);
		add(b, "ramdisk", get_le32(h + 12), &pos);
		if (v == 4 && (size_t)n >= 1584)
			add(b, "signature", get_le32(h + 1580), &pos);
		b->needed = pos;
		return 0;
	}
	/* v0-v2; a large value is a legacy Qualcomm dt size (mkbootimg writes max(version, dt)). */
	if (v > 4) {
		b->legacy_dt_size = v;
		v = 0;
	}
	b->header_version = v;
	b->page_size = get_le32(h + 36);
	if (!page_ok(b->page_size))
		return hwf_err_set(e, HWF_EFORMAT, "%s: page size %u is not a power of two >= 2048",
				   fname, b->page_size);
	decode_os_version(b, get_le32(h + 44));
	copy_str(b->name, sizeof(b->name), h + 48, 16);
	copy_str(b->cmdline, sizeof(b->cmdline), h + 64, 512);
	memcpy(b->id, h + 576, 32);
	if (v >= 1)
		b->header_size = get_le32(h + 1644);
	pos = b->page_size;
	add(b, "kernel", get_le32(h + 8), &pos);
	add(b, "ramdisk", get_le32(h + 16), &pos);
	add(b, "second", get_le32(h + 24), &pos);
	if (b->legacy_dt_size)
		add(b, "dt", b->legacy_dt_size, &pos);
	if (v >= 1)
		add(b, "recovery_dtbo", get_le32(h + 1632), &pos);
	if (v >= 2)
		add(b, "dtb", get_le32(h + 1648), &pos);
	b->needed = pos;
	return 0;
}

const struct hwf_bootimg_section *hwf_bootimg_section(const struct hwf_bootimg *b,
						      const char *name)
{
	for (size_t i = 0; i < b->nsec; i++)
		if (!strcmp(b->sec[i].name, name))
			return &b->sec[i];
	return NULL;
}

/*
 * Feed a section and its LE u32 length to the digests in @ctx whose bit is
 * set in @mask (a digest context may be NULL: not computed).
 */
static int feed(EVP_MD_CTX **ctx, size_t n, unsigned mask, struct hwf_source *src,
		const struct hwf_bootimg_section *s, struct hwf_err *e)
{
	uint8_t buf[65536], len[4];
	uint64_t size = s ? s->size : 0;

	for (uint64_t off = 0; off < size;) {
		size_t want = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		int rc = hwf_source_read_exact(src, buf, want, s->offset + off, e);

		if (rc)
			return rc;
		for (size_t k = 0; k < n; k++)
			if (ctx[k] && (mask >> k & 1))
				EVP_DigestUpdate(ctx[k], buf, want);
		off += want;
	}
	put_le32(len, (uint32_t)size);
	for (size_t k = 0; k < n; k++)
		if (ctx[k] && (mask >> k & 1))
			EVP_DigestUpdate(ctx[k], len, 4);
	return 0;
}

/*
 * The ways tools fill the v0-v2 id.  Each feeds kernel, ramdisk, second,
 * [dt], recovery_dtbo (v1+), dtb (v2), every term the section's bytes and
 * its size as LE u32; they differ in the hash and in the dt term when the
 * image has no dt:
 * - AOSP mkbootimg.py (Debian 12's mkbootimg 29.x) has no dt at all; the old
 *   C mkbootimg of CAF trees, osm0sis' mkbootimg (mkbootimg.c
 *   generate_id_sha1) and magiskboot (native/src/boot/bootimg.cpp, repack)
 *   feed the dt term only when there is a dt;
 * - LineageOS' mkbootimg.py (write_header: update_sha(sha, args.dt)) always
 *   feeds it, as LE u32 0 when there is none;
 * - SHA-256 instead of SHA-1 over the same terms, filling all 32 bytes:
 *   osm0sis' mkbootimg --hashtype sha256 (pull request #6: "The Xiaomi Mi 5C
 *   uses a sha256 hash for the id field"), and magiskboot keeps SHA-256
 *   when the id has non-zero bytes past the SHA-1 (SHA256_FLAG);
 * - Samsung headers with a 20-byte board name (Galaxy S5 SM-G900H) put the
 *   SHA-1 4 bytes further in (Magisk pull request #2083: "UNPACK CHECKSUM
 *   [00000000b11580f7...]").
 */
#define ID_WAYS 4
static const struct {
	enum hwf_bootimg_id_match match;
	int sha256, dt_always;
} ways[ID_WAYS] = {
	{ HWF_BOOTIMG_ID_SHA1, 0, 0 },
	{ HWF_BOOTIMG_ID_SHA1_DT, 0, 1 },
	{ HWF_BOOTIMG_ID_SHA256, 1, 0 },
	{ HWF_BOOTIMG_ID_SHA256_DT, 1, 1 },
};

const char *hwf_bootimg_id_how(enum hwf_bootimg_id_match m)
{
	switch (m) {
	case HWF_BOOTIMG_ID_ZERO: return "not filled in (all zero)";
	case HWF_BOOTIMG_ID_MISMATCH: return "matches no known way of computing it";
	case HWF_BOOTIMG_ID_SHA1: return "SHA-1, as AOSP mkbootimg computes it";
	case HWF_BOOTIMG_ID_SHA1_DT: return "SHA-1, as LineageOS mkbootimg computes it";
	case HWF_BOOTIMG_ID_SHA256: return "SHA-256, as some vendor tools compute it";
	case HWF_BOOTIMG_ID_SHA256_DT: return "SHA-256 with the dt term always fed";
	case HWF_BOOTIMG_ID_SHA1_AT4: return "SHA-1 4 bytes into the field (Samsung header)";
	}
	return "?";
}

int hwf_bootimg_check_id(struct hwf_source *src, const struct hwf_bootimg *b,
			 struct hwf_bootimg_id *out, struct hwf_err *e)
{
	static const char *const order[] = { "kernel", "ramdisk", "second", "dt",
					     "recovery_dtbo", "dtb" };
	static const uint8_t zero[32];
	uint8_t d[ID_WAYS][EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx[ID_WAYS] = { NULL };
	/* A SHA-1 id leaves bytes 20-31 zero (mkbootimg pads it to 32): no SHA-256 then. */
	int want256 = memcmp(b->id + 20, zero, 12) != 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (b->vendor || b->header_version >= 3)
		return hwf_err_set(e, HWF_EUNSUPPORTED, "header v%u has no id", b->header_version);
	if (!memcmp(b->id, zero, 32)) {
		out->match = HWF_BOOTIMG_ID_ZERO;
		return 0;
	}
	for (size_t k = 0; k < ID_WAYS; k++) {
		if (ways[k].sha256 && !want256)
			continue;
		ctx[k] = EVP_MD_CTX_new();
		if (!ctx[k] ||
		    !EVP_DigestInit_ex(ctx[k], ways[k].sha256 ? EVP_sha256() : EVP_sha1(), NULL)) {
			rc = hwf_err_set(e, HWF_ENOMEM, "cannot set up the id digests");
			goto out;
		}
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && !rc; i++) {
		const struct hwf_bootimg_section *s = hwf_bootimg_section(b, order[i]);
		unsigned mask = 0;

		if (i == 4 && b->header_version < 1)
			break;
		if (i == 5 && b->header_version < 2)
			break;
		for (size_t k = 0; k < ID_WAYS; k++)
			if (i != 3 || s || ways[k].dt_always)
				mask |= 1u << k;
		rc = feed(ctx, ID_WAYS, mask, src, s, e);
	}
	if (rc)
		goto out;
	out->match = HWF_BOOTIMG_ID_MISMATCH;
	for (size_t k = 0; k < ID_WAYS; k++) {
		if (!ctx[k])
			continue;
		EVP_DigestFinal_ex(ctx[k], d[k], NULL);
		if (k == 0)
			memcpy(out->sha1, d[k], 20);
		if (out->match != HWF_BOOTIMG_ID_MISMATCH)
			continue;
		if (!memcmp(b->id, d[k], ways[k].sha256 ? 32 : 20))
			out->match = ways[k].match;
		else if (!ways[k].sha256 && !memcmp(b->id, zero, 4) && !memcmp(b->id + 4, d[k], 20))
			out->match = HWF_BOOTIMG_ID_SHA1_AT4;
	}
out:
	for (size_t k = 0; k < ID_WAYS; k++)
		EVP_MD_CTX_free(ctx[k]);
	return rc;
}
