// SPDX-License-Identifier: MIT
/*
 * The manifest of a boot or vendor_boot image, decoded from its whole
 * header (bootimg.c keeps only what info and check show).
 */
#include "formats/image/unpack_manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"
#include "formats/core/digest.h"
#include "formats/image/avb.h"

#define HDR 2128

/* A field's bytes up to its last non-zero byte: what the manifest keeps. */
static size_t field(uint8_t *dst, const uint8_t *src, size_t n)
{
	while (n && !src[n - 1])
		n--;
	memcpy(dst, src, n);
	return n;
}

/*
 * Addresses as base + offsets: base from the kernel's (mkbootimg's kernel
 * offset 0x8000), or 0 when another address lies below it.
 */
static void split_addrs(struct hwf_manifest *m, uint32_t kernel, uint32_t ramdisk, uint32_t second,
			uint32_t tags, uint64_t dtb)
{
	uint64_t base = kernel >= 0x8000 ? kernel - 0x8000u : 0;

	if (ramdisk < base || second < base || tags < base || dtb < base)
		base = 0;
	m->base = base;
	m->kernel_offset = kernel - base;
	m->ramdisk_offset = ramdisk - base;
	m->second_offset = second - base;
	m->tags_offset = tags - base;
	m->dtb_offset = dtb - base;
}

static enum hwf_ramdisk_comp sniff_comp(struct hwf_source *src, const struct hwf_bootimg_section *s)
{
	uint8_t m[6] = {0};
	struct hwf_err e;

	if (!s || s->size < 6 || hwf_source_read_exact(src, m, 6, s->offset, &e))
		return HWF_RD_UNKNOWN;
	if (m[0] == 0x1f && m[1] == 0x8b)
		return HWF_RD_GZIP;
	if (get_le32(m) == 0x184c2102u)
		return HWF_RD_LZ4_LEGACY;
	if (get_le32(m) == 0x184d2204u)
		return HWF_RD_LZ4_FRAME;
	if (!memcmp(m, "07070", 5))
		return HWF_RD_CPIO;
	return HWF_RD_UNKNOWN;
}

static int ramdisk_digest(struct hwf_source *src, const struct hwf_bootimg_section *s,
			  struct hwf_manifest *m, struct hwf_err *e)
{
	struct hwf_source *w;
	int rc;

	if (!s || !s->size)
		return 0;
	rc = hwf_source_open_window(&w, src, s->offset, s->size, "ramdisk", e);
	if (rc)
		return rc;
	rc = hwf_digest_source(w, EVP_sha256(), NULL, 0, s->size, m->ramdisk_sha256, NULL, NULL, e);
	hwf_source_close(w);
	m->has_ramdisk_sha256 = !rc;
	return rc;
}

static void add_range(struct hwf_mf_ranges *x, const char *file, uint64_t off, uint64_t size)
{
	if (x->n < HWF_MF_MAX_RANGES) {
		snprintf(x->r[x->n].file, sizeof(x->r[0].file), "%s", file);
		x->r[x->n].off = off;
		x->r[x->n].size = size;
		x->n++;
	}
}

/* vendor_boot v4: one file per ramdisk when the table tiles the vendor_ramdisk section. */
static int vendor_table(struct hwf_source *src, const struct hwf_bootimg *b, const uint8_t *h,
			struct hwf_manifest *m, struct hwf_mf_ranges *x, struct hwf_err *e)
{
	const struct hwf_bootimg_section *rd = hwf_bootimg_section(b, "vendor_ramdisk");
	const struct hwf_bootimg_section *tb = hwf_bootimg_section(b, "vendor_ramdisk_table");
	uint32_t num = get_le32(h + 2116), esize = get_le32(h + 2120);
	uint8_t ent[108];
	uint64_t at = 0;
	int rc;

	if (!tb || !rd || esize != 108 || num == 0 || num > HWF_MF_MAX_VRD ||
	    (uint64_t)num * esize != tb->size)
		return 0; /* kept as the raw table and the whole section */
	for (uint32_t i = 0; i < num; i++) {
		rc = hwf_source_read_exact(src, ent, sizeof(ent), tb->offset + (uint64_t)i * esize,
					   e);
		if (rc)
			return rc;
		if (get_le32(ent + 4) != at)
			return 0;
		at += get_le32(ent);
	}
	if (at != rd->size)
		return 0;
	m->has_vrd_table = 1;
	m->vrd_entry_size = esize;
	m->nvrd = num;
	for (uint32_t i = 0; i < num; i++) {
		struct hwf_mf_vrd *d = &m->vrd[i];

		rc = hwf_source_read_exact(src, ent, sizeof(ent), tb->offset + (uint64_t)i * esize,
					   e);
		if (rc)
			return rc;
		snprintf(d->file, sizeof(d->file), "vendor_ramdisk%02u", i);
		d->type = get_le32(ent + 8);
		d->name_len = field(d->name, ent + 12, 32);
		memcpy(d->board_id, ent + 44, 64);
		add_range(x, d->file, rd->offset + get_le32(ent + 4), get_le32(ent));
	}
	m->file[HWF_MF_VENDOR_RAMDISK][0] = '\0';
	m->file[HWF_MF_VENDOR_RAMDISK_TABLE][0] = '\0';
	return 0;
}

static void hexstr(char *dst, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(dst + 2 * i, 3, "%02x", p[i]);
}

/* Salt, digest and properties from the vbmeta blob @v (@n bytes, already parsed by avb.c). */
static void vbmeta_details(const uint8_t *v, uint64_t n, struct hwf_manifest *m)
{
	uint64_t auth = get_be64(v + 12), aux = get_be64(v + 20);
	uint64_t doff = get_be64(v + 96), dsize = get_be64(v + 104), start, end;

	if (auth > n || aux > n - auth || 256 > n - auth - aux || doff > aux || dsize > aux - doff)
		return;
	start = 256 + auth + doff;
	end = start + dsize;
	while (start + 16 <= end) {
		uint64_t tag = get_be64(v + start), len = get_be64(v + start + 8);
		const uint8_t *d = v + start + 16;

		if (len > end - start - 16)
			return;
		if (tag == 0 && len >= 16) {
			uint64_t kl = get_be64(d), vl = get_be64(d + 8);

			if (kl < len && vl < len - kl && 16 + kl + 1 + vl <= len &&
			    m->avb.nprops < HWF_MF_MAX_PROPS && kl + vl + 2 < 256) {
				snprintf(m->avb.prop[m->avb.nprops++], 256, "%.*s:%.*s", (int)kl,
					 (const char *)d + 16, (int)vl,
					 (const char *)d + 16 + kl + 1);
			}
		} else if (tag == 2 && len >= 116) {
			uint32_t pl = get_be32(d + 40), sl = get_be32(d + 44),
				 dl = get_be32(d + 48);

			if ((uint64_t)pl + sl + dl <= len - 116 && sl <= 64 && dl <= 64) {
				hexstr(m->avb.salt, d + 116 + pl, sl);
				hexstr(m->avb.digest, d + 116 + pl + sl, dl);
			}
		}
		start += 16 + len;
	}
}

/* Are bytes [@off, @end) of @src all zero? */
static int zeros(struct hwf_source *src, uint64_t off, uint64_t end, struct hwf_err *e)
{
	uint8_t buf[65536];

	while (off < end) {
		size_t n = end - off < sizeof(buf) ? (size_t)(end - off) : sizeof(buf);

		if (hwf_source_read_exact(src, buf, n, off, e))
			return 0;
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return 0;
		off += n;
	}
	return 1;
}

/*
 * The AVB footer, when it can be put back as avbtool laid it out: the image
 * (and any trailer) first, zeros, the vbmeta, zeros, the footer in the last
 * 64 bytes.  Returns where the bytes before the AVB part end.
 */
static uint64_t avb_part(struct hwf_source *src, const struct hwf_bootimg *b,
			 struct hwf_manifest *m, struct hwf_mf_ranges *x, struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src), vend;
	struct hwf_avb_footer f;
	struct hwf_avb_info info;
	uint8_t *blob;

	if (hwf_avb_read_footer(src, &f, e) != 1)
		return size;
	if (f.original_image_size < b->needed || f.vbmeta_offset < f.original_image_size ||
	    f.vbmeta_offset > size - 64 || f.vbmeta_size > size - 64 - f.vbmeta_offset ||
	    f.vbmeta_size > (1u << 20) || size % 4096 || f.vbmeta_offset % 4096)
		return size;
	vend = f.vbmeta_offset + f.vbmeta_size;
	if (!zeros(src, f.original_image_size, f.vbmeta_offset, e) ||
	    !zeros(src, vend, size - 64, e))
		return size;
	blob = malloc(f.vbmeta_size ? f.vbmeta_size : 1);
	if (!blob || hwf_source_read_exact(src, blob, f.vbmeta_size, f.vbmeta_offset, e)) {
		free(blob);
		return size;
	}
	memset(&info, 0, sizeof(info));
	if (f.vbmeta_size >= 256 && !memcmp(blob, "AVB0", 4) &&
	    hwf_avb_parse_vbmeta(src, f.vbmeta_offset, f.vbmeta_size, &info, e) == 0) {
		snprintf(m->avb.algorithm, sizeof(m->avb.algorithm), "%s",
			 hwf_avb_algorithm_name(info.algorithm));
		m->avb.rollback_index = info.rollback_index;
		m->avb.rollback_location = info.rollback_location;
		m->avb.flags = info.flags;
		snprintf(m->avb.release, sizeof(m->avb.release), "%s", info.release);
		snprintf(m->avb.partition_name, sizeof(m->avb.partition_name), "%s",
			 info.partition);
		snprintf(m->avb.hash_algorithm, sizeof(m->avb.hash_algorithm), "%s", info.hash_alg);
		vbmeta_details(blob, f.vbmeta_size, m);
	}
	free(blob);
	m->avb.present = 1;
	m->avb.partition_size = size;
	m->avb.original_image_size = f.original_image_size;
	m->avb.vbmeta_offset = f.vbmeta_offset;
	m->avb.vbmeta_size = f.vbmeta_size;
	m->avb.major = f.major;
	m->avb.minor = f.minor;
	snprintf(m->avb.vbmeta, sizeof(m->avb.vbmeta), "vbmeta.bin");
	add_range(x, "vbmeta.bin", f.vbmeta_offset, f.vbmeta_size);
	return f.original_image_size;
}

static int boot_fields(struct hwf_source *src, const struct hwf_bootimg *b, const uint8_t *h,
		       struct hwf_manifest *m, struct hwf_err *e)
{
	const struct hwf_bootimg_section *rdtbo = hwf_bootimg_section(b, "recovery_dtbo");
	struct hwf_bootimg_id id;
	int rc;

	if (b->header_version >= 3) {
		m->header_size = get_le32(h + 20);
		m->os_version = get_le32(h + 16);
		m->cmdline_len = field(m->cmdline, h + 44, 1536);
		return 0;
	}
	split_addrs(m, get_le32(h + 12), get_le32(h + 20), get_le32(h + 28), get_le32(h + 32),
		    b->header_version >= 2 ? get_le64(h + 1652) : get_le32(h + 12));
	m->os_version = get_le32(h + 44);
	m->name_len = field(m->name, h + 48, 16);
	m->cmdline_len = field(m->cmdline, h + 64, 512);
	m->extra_len = field(m->extra_cmdline, h + 608, 1024);
	if (b->header_version >= 1) {
		m->header_size = get_le32(h + 1644);
		m->recovery_dtbo_offset = get_le64(h + 1636);
		m->recovery_dtbo_auto =
		    m->recovery_dtbo_offset == (rdtbo && rdtbo->size ? rdtbo->offset : 0);
	}
	rc = hwf_bootimg_check_id(src, b, &id, e);
	if (rc)
		return rc;
	switch (id.match) {
	case HWF_BOOTIMG_ID_ZERO: m->id_mode = HWF_MF_ID_ZERO; break;
	case HWF_BOOTIMG_ID_SHA1: m->id_mode = HWF_MF_ID_SHA1; break;
	case HWF_BOOTIMG_ID_SHA1_DT: m->id_mode = HWF_MF_ID_SHA1_DT; break;
	case HWF_BOOTIMG_ID_SHA256: m->id_mode = HWF_MF_ID_SHA256; break;
	case HWF_BOOTIMG_ID_SHA256_DT: m->id_mode = HWF_MF_ID_SHA256_DT; break;
	default: m->id_mode = HWF_MF_ID_KEEP; break;
	}
	memcpy(m->id, b->id, 32);
	return 0;
}

int hwf_manifest_from_image(struct hwf_source *src, const struct hwf_bootimg *b,
			    struct hwf_manifest *m, struct hwf_mf_ranges *x, struct hwf_err *e)
{
	const struct hwf_bootimg_section *rd;
	uint8_t h[HDR];
	uint64_t end;
	int64_t n;
	int rc;

	hwf_manifest_init(m);
	memset(x, 0, sizeof(*x));
	memset(h, 0, sizeof(h));
	n = hwf_source_pread(src, h, sizeof(h), 0, e);
	if (n < 0)
		return (int)n;
	m->vendor = b->vendor;
	m->header_version = b->header_version;
	m->page_size = b->page_size;
	for (size_t i = 0; i < b->nsec; i++)
		for (int s = 0; s < HWF_MF_NSEC; s++)
			if (b->sec[i].size && !strcmp(b->sec[i].name, hwf_mf_sec_name(s)))
				snprintf(m->file[s], sizeof(m->file[s]), "%s", b->sec[i].name);
	if (b->vendor) {
		split_addrs(m, get_le32(h + 16), get_le32(h + 20), get_le32(h + 16),
			    get_le32(h + 2076), get_le64(h + 2104));
		m->header_size = b->header_size;
		m->cmdline_len = field(m->cmdline, h + 28, 2048);
		m->name_len = field(m->name, h + 2080, 16);
		rc = b->header_version == 4 ? vendor_table(src, b, h, m, x, e) : 0;
	} else {
		rc = boot_fields(src, b, h, m, e);
	}
	if (rc)
		return rc;
	rd = hwf_bootimg_section(b, b->vendor ? "vendor_ramdisk" : "ramdisk");
	m->comp = sniff_comp(src, rd);
	if (!b->vendor || m->has_vrd_table) {
		rc = ramdisk_digest(src, rd, m, e);
		if (rc)
			return rc;
	}
	end = avb_part(src, b, m, x, e);
	if (end > b->needed) {
		snprintf(m->trailer, sizeof(m->trailer), "trailer.bin");
		m->trailer_size = end - b->needed;
		add_range(x, "trailer.bin", b->needed, end - b->needed);
	}
	return 0;
}
