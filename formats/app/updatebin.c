// SPDX-License-Identifier: MIT
/*
 * HarmonyOS update.bin: the header walk.  Sources (as in
 * ../shared/reference/harmonyos-update-bin.md):
 *  OHPT  openharmony/update_packaging_tools@babdae1a: create_update_package.py
 *        (writer), create_hashdata.py (TLV 0x06/0x07), unpack_updater_package.py
 *        (the official unpacker: names, u32 sizes, data start)
 *  OHUP  openharmony/update_updater: pkg_upgradefile.h@24915b7a (field layout),
 *        pkg_upgradefile.cpp@3007dd69 (TLV types, TLV_CHECK_AND_RETURN, legacy slot)
 *  SIMY  SimomYung/unpack_huawei_package@8600ae72 (u64 size reading)
 *  RUNA  runassu/HarmonyOS-NEXT-UPDATE.APP-Unpack-Tool (update_bin.hexpat, digest check)
 */
#include "formats/app/updatebin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/core/bytes.h"

#define HDR_LEN	     180    /* OHPT create_update_package.py:34 UPGRADE_FILE_HEADER_LEN */
#define DESCRIBE_LEN 16	    /* OHPT :466-474, "update/info.bin" NUL-padded */
#define LEGACY_SLOT  640    /* OHUP pkg_upgradefile.cpp: 256 SHA-256 + 384 SHA-384 signatures */
#define TLV_STREAM   0x00aa /* OHPT create_update_package.py:53 */
#define TLV_SHA256   0x0001 /* OHUP pkg_upgradefile.cpp TLV_TYPE_FOR_SHA256 */
#define TLV_SHA384   0x0011 /* OHUP TLV_TYPE_FOR_SHA384 (OHPT: non-L2) */
#define TLV_TIME     0x0002 /* OHPT :153-156 */
#define TLV_COMPINFO 0x0005 /* OHPT :158-160 */
#define TLV_HASHINFO 0x0006 /* OHPT create_hashdata.py:39-47 */
#define TLV_HASHDATA 0x0007 /* create_hashdata.py:93-105 */
#define TLV_SIGN     0x0008 /* create_hashdata.py:107-118 */

struct hwf_ubin {
	struct hwf_source *src;
	struct hwf_ubin_info info;
	struct hwf_ubin_comp *c;
	size_t n;
};

static void text(char *dst, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len && b[i]; i++)
		dst[i] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '?';
	dst[i] = 0;
}

/* Where the header starts: 0, or after the streaming-update prefix TLV 0xAA (u16, u32). */
static int header_base(struct hwf_source *src, uint64_t *base, struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src);
	uint8_t b[6];
	int rc = hwf_source_read_exact(src, b, sizeof(b), 0, e);

	*base = 0;
	if (rc)
		return rc;
	if (get_le16(b) != TLV_STREAM)
		return 0;
	if ((uint64_t)get_le32(b + 2) > size - 6)
		return hwf_err_set(e, HWF_ETRUNC,
				   "%s: the streaming prefix (TLV 0xAA) says %u bytes, the file "
				   "has %llu",
				   hwf_source_name(src), get_le32(b + 2), (unsigned long long)size);
	*base = 6 + (uint64_t)get_le32(b + 2);
	return 0;
}

int hwf_ubin_sniff(struct hwf_source *src)
{
	uint64_t base;
	uint8_t h[HDR_LEN];
	uint16_t t;

	if (header_base(src, &base, NULL) || hwf_source_read_exact(src, h, sizeof(h), base, NULL))
		return 0;
	t = get_le16(h);
	/* reference §2.5: u16 at 0 in {1, 0x11}, at 140 == 2, at 176 == 5. */
	return (t == TLV_SHA256 || t == TLV_SHA384) && get_le16(h + 2) == 136 &&
	       get_le16(h + 140) == TLV_TIME && get_le16(h + 176) == TLV_COMPINFO;
}

/* A TLV with a u32 length (OHPT create_hashdata.py) at @off: its type and length, bounded. */
static int tlv32(struct hwf_source *src, uint64_t off, uint16_t *type, uint64_t *len,
		 struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src);
	uint8_t b[6];
	int rc;

	if (off > size || size - off < 6)
		return hwf_err_set(e, HWF_ETRUNC, "%s: ends at byte %llu, inside the TLV at %llu",
				   hwf_source_name(src), (unsigned long long)size,
				   (unsigned long long)off);
	rc = hwf_source_read_exact(src, b, sizeof(b), off, e);
	if (rc)
		return rc;
	*type = get_le16(b);
	*len = get_le32(b + 2);
	/* OHUP TLV_CHECK_AND_RETURN: a length past the end of the file is an error. */
	if (*len > size - off - 6)
		return hwf_err_set(e, HWF_ETRUNC,
				   "%s: the TLV of type 0x%04x at byte %llu says %llu bytes, "
				   "only %llu follow",
				   hwf_source_name(src), *type, (unsigned long long)off,
				   (unsigned long long)*len, (unsigned long long)(size - off - 6));
	return 0;
}

/*
 * After the describe id: [0x06 hash info, 0x07 block hashes] then 0x08
 * signature (OHPT unpack: "if 0x06 skip hashinfo+0x07; if 0x08 read the
 * length and skip"), or the legacy 640-byte slot (OHUP LoadPackage).
 * SIMY's 0x06 path forgets the 0x08 TLV; the official code is followed.
 */
static int walk_tail(struct hwf_ubin *u, uint64_t off, struct hwf_err *e)
{
	struct hwf_ubin_info *in = &u->info;
	uint64_t len;
	uint8_t tb[2];
	uint16_t t = 0;
	int rc;

	if (hwf_source_size(u->src) - off >= 2) {
		rc = hwf_source_read_exact(u->src, tb, 2, off, e);
		if (rc)
			return rc;
		t = get_le16(tb);
	}
	if (t != TLV_HASHINFO && t != TLV_SIGN) {
		/* Neither TLV: the legacy fixed slot, if the file has room for it. */
		if (hwf_source_size(u->src) - off < LEGACY_SLOT)
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: byte %llu holds neither a signature TLV (0x08), "
					   "nor hash TLVs (0x06), nor room for the 640-byte "
					   "signature slot",
					   hwf_source_name(u->src), (unsigned long long)off);
		in->sign = HWF_UBIN_SIGN_SLOT;
		in->sign_off = off;
		in->sign_len = LEGACY_SLOT;
		in->data_start = off + LEGACY_SLOT;
		return 0;
	}
	rc = tlv32(u->src, off, &t, &len, e);
	if (rc)
		return rc;
	if (t == TLV_HASHINFO) {
		in->block_hashes = 1;
		in->hash_off = off;
		off += 6 + len;
		rc = tlv32(u->src, off, &t, &len, e);
		if (rc)
			return rc;
		if (t != TLV_HASHDATA)
			return hwf_err_set(
			    e, HWF_EFORMAT,
			    "%s: the hash info TLV (0x06) is followed by type 0x%04x "
			    "at byte %llu, not the block hashes (0x07)",
			    hwf_source_name(u->src), t, (unsigned long long)off);
		off += 6 + len;
		in->hash_len = off - in->hash_off;
		rc = tlv32(u->src, off, &t, &len, e);
		if (rc)
			return rc;
		if (t != TLV_SIGN)
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: type 0x%04x at byte %llu where the signature TLV "
					   "(0x08) must follow the block hashes",
					   hwf_source_name(u->src), t, (unsigned long long)off);
	}
	in->sign = HWF_UBIN_SIGN_TLV;
	in->sign_off = off + 6;
	in->sign_len = len;
	in->data_start = off + 6 + len;
	return 0;
}

/*
 * One component record (OHUP pkg_upgradefile.h:42-52; OHPT
 * create_update_package.py:176-211): address[32 or 16], u16 id, u8 resType,
 * u8 flags, u8 type, version[10], u32 size, u32 originalSize, digest[32].
 */
static void parse_record(struct hwf_ubin_comp *c, const uint8_t *r, unsigned rec, int size64)
{
	unsigned a = rec - 55; /* address bytes: 32 or 16 */
	const uint8_t *f = r + a;

	text(c->address, r, a);
	c->id = get_le16(f);
	c->res_type = f[2];
	c->flags = f[3];
	c->type = f[4];
	text(c->version, f + 5, 10);
	c->size = size64 ? get_le64(f + 15) : get_le32(f + 15);
	c->original_size = get_le32(f + 19);
	memcpy(c->digest, f + 23, 32);
}

/* The table read as @rec-byte records with @size64 sizes: do they add up to the data? */
static int fits(struct hwf_ubin *u, const uint8_t *tab, size_t n, unsigned rec, int size64)
{
	uint64_t sum = 0, room = hwf_source_size(u->src) - u->info.data_start;

	for (size_t i = 0; i < n; i++) {
		struct hwf_ubin_comp c;

		parse_record(&c, tab + i * rec, rec, size64);
		if (c.size > room - sum)
			return 0;
		sum += c.size;
	}
	return sum == room;
}

/*
 * File name rules (OHPT unpack_updater_package.py create_image_file):
 * strip '/', version_list -> VERSION.mbn, board_list -> BOARD.list, type 0
 * -> NAME.img, type 1 -> NAME.zip, else NAME.  A name that could leave
 * the output folder or is no plain file name is refused, not repaired.
 */
static void name_comp(struct hwf_ubin_comp *c)
{
	const char *s = c->address;
	size_t l;

	while (*s == '/')
		s++;
	snprintf(c->name, sizeof(c->name), "%s", s);
	l = strlen(c->name);
	if (!l)
		c->unsafe = "an empty name";
	else if (!strcmp(c->name, ".") || !strcmp(c->name, "..") || strstr(c->name, "/") ||
		 strchr(c->name, '\\'))
		c->unsafe = "a path that would leave the output folder";
	else if (strchr(c->name, '?') || c->name[0] == '.')
		c->unsafe = "not a plain file name";
	if (c->unsafe)
		return;
	if (!strcmp(c->name, "version_list"))
		snprintf(c->file_name, sizeof(c->file_name), "VERSION.mbn");
	else if (!strcmp(c->name, "board_list"))
		snprintf(c->file_name, sizeof(c->file_name), "BOARD.list");
	else
		snprintf(c->file_name, sizeof(c->file_name), "%s%s", c->name,
			 c->type == 0	? ".img"
			 : c->type == 1 ? ".zip"
					: "");
}

/* Two components with one file name (ignoring case): the later ones are not plain either. */
static void unique_names(struct hwf_ubin *u)
{
	for (size_t i = 0; i < u->n; i++)
		for (size_t j = 0; j < i; j++)
			if (!u->c[i].unsafe && !u->c[j].unsafe &&
			    !strcasecmp(u->c[i].file_name, u->c[j].file_name)) {
				u->c[i].unsafe = "the same file name as an earlier component";
				u->c[i].file_name[0] = 0;
			}
}

static int read_header(struct hwf_ubin *u, uint8_t *h, struct hwf_err *e)
{
	struct hwf_ubin_info *in = &u->info;
	const char *fn = hwf_source_name(u->src);
	int rc = header_base(u->src, &in->base, e);

	if (rc)
		return rc;
	rc = hwf_source_read_exact(u->src, h, HDR_LEN, in->base, e);
	if (rc)
		return rc == HWF_ETRUNC ? hwf_err_set(e, rc,
						      "%s: shorter than the 180-byte "
						      "update.bin header",
						      fn)
					: rc;
	in->header_type = get_le16(h);
	if ((in->header_type != TLV_SHA256 && in->header_type != TLV_SHA384) ||
	    get_le16(h + 2) != 136)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: not an update.bin (no header TLV 0x0001/0x0011 of 136 bytes "
		    "at byte %llu)",
		    fn, (unsigned long long)in->base);
	if (get_le16(h + 140) != TLV_TIME || get_le16(h + 142) != 32)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: no time TLV (0x0002, 32 bytes) at byte %llu", fn,
				   (unsigned long long)(in->base + 140));
	if (get_le16(h + 176) != TLV_COMPINFO)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: no component table TLV (0x0005) at byte %llu", fn,
				   (unsigned long long)(in->base + 176));
	/* OHUP pkg_upgradefile.h:30-40 */
	in->pkg_info_len = get_le32(h + 4);
	in->file_version = get_le32(h + 8);
	text(in->product, h + 12, 64);
	text(in->version, h + 76, 64);
	text(in->date, h + 144, 16);
	text(in->time, h + 160, 16);
	return 0;
}

/* Try the table as @rec-byte records; 1 when a size reading fits the file, 0 when none does. */
static int try_layout(struct hwf_ubin *u, uint8_t *tab, uint32_t clen, unsigned rec,
		      struct hwf_err *e)
{
	struct hwf_ubin_info *in = &u->info;
	uint64_t toff = in->base + HDR_LEN, after = toff + clen + DESCRIBE_LEN;
	uint8_t id[DESCRIBE_LEN];
	int rc;

	if (clen % rec)
		return 0;
	if (after > hwf_source_size(u->src))
		return hwf_err_set(
		    e, HWF_ETRUNC,
		    "%s: the component table (%u bytes at byte %llu) and the package "
		    "id reach past the end of the file",
		    hwf_source_name(u->src), clen, (unsigned long long)toff);
	rc = hwf_source_read_exact(u->src, tab, clen, toff, e);
	if (!rc)
		rc = hwf_source_read_exact(u->src, id, sizeof(id), toff + clen, e);
	if (!rc)
		rc = walk_tail(u, after, e);
	if (rc)
		return rc;
	text(in->describe_id, id, sizeof(id));
	in->rec_size = rec;
	/* Reference §2.3: both readings are checked against the file length. */
	for (in->size64 = 0; in->size64 < 2; in->size64++)
		if (fits(u, tab, clen / rec, rec, in->size64))
			return 1;
	in->size64 = 0;
	return 0;
}

static int describe_mismatch(struct hwf_ubin *u, uint8_t *tab, uint32_t clen, struct hwf_err *e)
{
	unsigned rec = clen % 87 == 0 ? 87 : 71;
	uint64_t s32 = 0, s64 = 0, room;
	int rc;

	if (clen % 87 && clen % 71)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: the component table is %u bytes, neither records of 87 "
				   "(L2) nor of 71 bytes",
				   hwf_source_name(u->src), clen);
	rc = try_layout(u, tab, clen, rec, e);
	if (rc < 0)
		return rc;
	room = hwf_source_size(u->src) - u->info.data_start;
	for (size_t i = 0; i < clen / rec; i++) {
		struct hwf_ubin_comp c;

		parse_record(&c, tab + i * rec, rec, 0);
		s32 += c.size;
		parse_record(&c, tab + i * rec, rec, 1);
		s64 += c.size;
	}
	return hwf_err_set(e, HWF_ETRUNC,
			   "%s: the %u components add up to %llu bytes (sizes as u32; %llu as "
			   "u64), but %llu bytes follow the header at byte %llu: truncated, "
			   "or data appended",
			   hwf_source_name(u->src), clen / rec, (unsigned long long)s32,
			   (unsigned long long)s64, (unsigned long long)room,
			   (unsigned long long)u->info.data_start);
}

static int parse(struct hwf_ubin *u, struct hwf_err *e)
{
	uint8_t h[HDR_LEN], *tab;
	uint32_t clen;
	uint64_t off;
	int rc = read_header(u, h, e);

	if (rc)
		return rc;
	clen = get_le16(h + 178); /* OHPT unpack_updater_package.py:40-41 */
	tab = malloc(clen ? clen : 1);
	if (!tab)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	/* L2 (87-byte records) first, then 71 (OHPT: compinfo_len % 87 tells them apart). */
	rc = try_layout(u, tab, clen, 87, e);
	if (!rc)
		rc = try_layout(u, tab, clen, 71, e);
	if (!rc)
		rc = describe_mismatch(u, tab, clen, e);
	if (rc < 0)
		goto out;
	u->n = clen / u->info.rec_size;
	u->c = calloc(u->n ? u->n : 1, sizeof(*u->c));
	if (!u->c) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	off = u->info.data_start;
	for (size_t i = 0; i < u->n; i++) {
		struct hwf_ubin_comp *c = &u->c[i];

		parse_record(c, tab + i * u->info.rec_size, u->info.rec_size, u->info.size64);
		c->index = (unsigned)i;
		c->offset = off; /* OHPT create_update_package.py:487-512: in table order */
		off += c->size;
		name_comp(c);
	}
	unique_names(u);
	rc = 0;
out:
	free(tab);
	return rc;
}

int hwf_ubin_open(struct hwf_ubin **out, struct hwf_source *src, struct hwf_err *e)
{
	struct hwf_ubin *u = calloc(1, sizeof(*u));
	int rc;

	*out = NULL;
	if (!u)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	u->src = src;
	rc = parse(u, e);
	if (rc) {
		hwf_ubin_close(u);
		return rc;
	}
	*out = u;
	return 0;
}

void hwf_ubin_close(struct hwf_ubin *u)
{
	if (!u)
		return;
	free(u->c);
	free(u);
}

const struct hwf_ubin_info *hwf_ubin_info(const struct hwf_ubin *u)
{
	return &u->info;
}

size_t hwf_ubin_count(const struct hwf_ubin *u)
{
	return u->n;
}

const struct hwf_ubin_comp *hwf_ubin_comp(const struct hwf_ubin *u, size_t i)
{
	return &u->c[i];
}

const struct hwf_ubin_comp *hwf_ubin_find(const struct hwf_ubin *u, const char *name)
{
	for (size_t i = 0; i < u->n; i++) {
		const struct hwf_ubin_comp *c = &u->c[i];

		if (!strcasecmp(c->name, name) || !strcasecmp(c->address, name) ||
		    (c->file_name[0] && !strcasecmp(c->file_name, name)))
			return c;
	}
	return NULL;
}

struct hwf_source *hwf_ubin_source(const struct hwf_ubin *u)
{
	return u->src;
}

int hwf_ubin_comp_source(struct hwf_ubin *u, size_t i, struct hwf_source **out, struct hwf_err *e)
{
	char label[600];

	snprintf(label, sizeof(label), "%s:%s", hwf_source_name(u->src), u->c[i].name);
	return hwf_source_open_window(out, u->src, u->c[i].offset, u->c[i].size, label, e);
}
