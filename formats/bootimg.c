// SPDX-License-Identifier: MIT
#include "bootimg.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"

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

/* Feed a section and its LE u32 length to the first @n digests of @ctx. */
static int feed(EVP_MD_CTX **ctx, int n, struct hwf_source *src,
		const struct hwf_bootimg_section *s, struct hwf_err *e)
{
	uint8_t buf[65536], len[4];
	uint64_t size = s ? s->size : 0;

	for (uint64_t off = 0; off < size;) {
		size_t want = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		int rc = hwf_source_read_exact(src, buf, want, s->offset + off, e);

		if (rc)
			return rc;
		for (int k = 0; k < n; k++)
			EVP_DigestUpdate(ctx[k], buf, want);
		off += want;
	}
	put_le32(len, (uint32_t)size);
	for (int k = 0; k < n; k++)
		EVP_DigestUpdate(ctx[k], len, 4);
	return 0;
}

int hwf_bootimg_compute_id(struct hwf_source *src, const struct hwf_bootimg *b,
			   uint8_t sha1[20], uint8_t sha1_nodt[20], struct hwf_err *e)
{
	static const char *const order[] = { "kernel", "ramdisk", "second", "dt",
					     "recovery_dtbo", "dtb" };
	EVP_MD_CTX *ctx[2];
	int rc = 0;

	if (b->vendor || b->header_version >= 3)
		return hwf_err_set(e, HWF_EUNSUPPORTED, "header v%u has no id", b->header_version);
	ctx[0] = EVP_MD_CTX_new();
	ctx[1] = EVP_MD_CTX_new();
	if (!ctx[0] || !ctx[1] || !EVP_DigestInit_ex(ctx[0], EVP_sha1(), NULL) ||
	    !EVP_DigestInit_ex(ctx[1], EVP_sha1(), NULL)) {
		rc = hwf_err_set(e, HWF_ENOMEM, "cannot set up SHA-1");
		goto out;
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && !rc; i++) {
		const struct hwf_bootimg_section *s = hwf_bootimg_section(b, order[i]);

		if (i == 4 && b->header_version < 1)
			break;
		if (i == 5 && b->header_version < 2)
			break;
		/* Newer mkbootimg always feeds the dt term; older ones only with a dt. */
		rc = feed(ctx, i == 3 && !s ? 1 : 2, src, s, e);
	}
	if (!rc) {
		EVP_DigestFinal_ex(ctx[0], sha1, NULL);
		EVP_DigestFinal_ex(ctx[1], sha1_nodt, NULL);
	}
out:
	EVP_MD_CTX_free(ctx[0]);
	EVP_MD_CTX_free(ctx[1]);
	return rc;
}
