// SPDX-License-Identifier: MIT
/*
 * liblp reader: geometry, metadata copies, the opened image and its
 * partitions as sources.  The rules are AOSP reader.cpp's (ParseGeometry,
 * ReadMetadataHeader, ParseMetadata), a little stricter where the format's
 * comments say "must" and reader.cpp trusts: table entry sizes are exact
 * for every table, a copy must fit its slot, sizes must not overflow.
 * Fields are decoded byte by byte.
 */
#include "formats/image/liblp.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"
#include "formats/image/sparse.h"

#define GEOMETRY_MAGIC 0x616c4467u
#define HEADER_MAGIC   0x414c5030u
#define GEOMETRY_BYTES 52u
#define HEADER_V1_0    128u
#define HEADER_V1_2    256u
#define PART_BYTES     52u
#define EXTENT_BYTES   24u
#define GROUP_BYTES    48u
#define DEVICE_BYTES   64u
/* Bounds no real device comes near (AOSP: 65536 bytes, 1 to 3 slots). */
#define MAX_METADATA (16u << 20)
#define MAX_SLOTS    16u

static void sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned int len = 0;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

uint64_t hwf_lp_primary_offset(const struct hwf_lp_geometry *g, uint32_t slot)
{
	return HWF_LP_RESERVED + 2ull * HWF_LP_GEOMETRY_SIZE +
	       (uint64_t)g->metadata_max_size * slot;
}

uint64_t hwf_lp_backup_offset(const struct hwf_lp_geometry *g, uint32_t slot)
{
	return hwf_lp_primary_offset(g, g->slot_count) + (uint64_t)g->metadata_max_size * slot;
}

uint64_t hwf_lp_metadata_area(const struct hwf_lp_geometry *g)
{
	return hwf_lp_backup_offset(g, g->slot_count);
}

int hwf_lp_parse_geometry(const uint8_t *g, struct hwf_lp_geometry *out, char *why, size_t len)
{
	uint32_t size = get_le32(g + 4);
	uint8_t tmp[GEOMETRY_BYTES], sum[32];

	memset(out, 0, sizeof(*out));
	if (get_le32(g) != GEOMETRY_MAGIC) {
		snprintf(why, len, "no geometry magic");
		return HWF_EFORMAT;
	}
	if (size != GEOMETRY_BYTES) {
		snprintf(why, len, "its struct_size is %u, liblp's geometry has %u bytes", size,
			 GEOMETRY_BYTES);
		return HWF_EFORMAT;
	}
	memcpy(tmp, g, sizeof(tmp));
	memset(tmp + 8, 0, 32);
	sha256(tmp, sizeof(tmp), sum);
	if (memcmp(sum, g + 8, 32)) {
		snprintf(why, len, "its SHA-256 checksum does not match");
		return HWF_ECRC;
	}
	out->metadata_max_size = get_le32(g + 40);
	out->slot_count = get_le32(g + 44);
	out->block_size = get_le32(g + 48);
	if (!out->slot_count || out->slot_count > MAX_SLOTS) {
		snprintf(why, len, "it says %u metadata slots", out->slot_count);
		return HWF_EFORMAT;
	}
	if (out->metadata_max_size < HEADER_V1_0 || out->metadata_max_size % HWF_LP_SECTOR ||
	    out->metadata_max_size > MAX_METADATA) {
		snprintf(why, len,
			 "its metadata_max_size %u is not a multiple of 512 from 512 to "
			 "16 MiB",
			 out->metadata_max_size);
		return HWF_EFORMAT;
	}
	if (!out->block_size || out->block_size % HWF_LP_SECTOR) {
		snprintf(why, len, "its logical block size %u is not a multiple of 512",
			 out->block_size);
		return HWF_EFORMAT;
	}
	return 0;
}

/* A 36-byte name: up to the first NUL (all 36 when there is none). */
static void get_name(char *dst, const uint8_t *src)
{
	memcpy(dst, src, HWF_LP_NAME_LEN);
	dst[HWF_LP_NAME_LEN] = '\0';
}

struct table {
	uint32_t offset, num, size;
};

static int bad(struct hwf_err *e, int code, const char *fn, const char *what, const char *fmt,
	       const char *detail)
{
	return hwf_err_set(e, code, "%s: liblp metadata %s: %s%s", fn, what, fmt, detail);
}

/* The header checks of reader.cpp's ReadMetadataHeader. */
static int parse_header(const uint8_t *h, uint32_t hsize, const struct hwf_lp_geometry *geo,
			uint64_t limit, const char *fn, const char *what, struct hwf_lp_metadata *m,
			struct table t[4], struct hwf_err *e)
{
	static const char *names[4] = {"partition", "extent", "group", "block device"};
	static const uint32_t sizes[4] = {PART_BYTES, EXTENT_BYTES, GROUP_BYTES, DEVICE_BYTES};
	uint8_t tmp[HEADER_V1_2], sum[32];
	uint32_t tables;
	char d[160];

	memcpy(tmp, h, hsize);
	memset(tmp + 12, 0, 32);
	sha256(tmp, hsize, sum);
	if (memcmp(sum, h + 12, 32))
		return bad(e, HWF_ECRC, fn, what, "the header's SHA-256 checksum does not match",
			   "");
	memcpy(m->header_sha, h + 12, 32);
	tables = get_le32(h + 44);
	/* A limit below metadata_max_size is the end of a super_empty file. */
	if (hsize + (uint64_t)tables <= geo->metadata_max_size && hsize + (uint64_t)tables > limit)
		return bad(e, HWF_ETRUNC, fn, what, "the file ends inside the tables", "");
	if (tables > geo->metadata_max_size || hsize + (uint64_t)tables > limit) {
		snprintf(d, sizeof(d), " (%u bytes of header and tables, room for %llu)",
			 hsize + tables, (unsigned long long)limit);
		return bad(e, HWF_EFORMAT, fn, what, "the tables do not fit the copy", d);
	}
	for (int i = 0; i < 4; i++) {
		const uint8_t *p = h + 80 + 12 * i;

		t[i].offset = get_le32(p);
		t[i].num = get_le32(p + 4);
		t[i].size = get_le32(p + 8);
		if (t[i].size != sizes[i]) {
			snprintf(d, sizeof(d), "%s entries of %u bytes, liblp's have %u", names[i],
				 t[i].size, sizes[i]);
			return bad(e, HWF_EFORMAT, fn, what, d, "");
		}
		if (t[i].offset > tables || (uint64_t)t[i].num * t[i].size > tables - t[i].offset) {
			snprintf(d, sizeof(d),
				 "the %s table (%u entries at %u) lies outside the %u "
				 "bytes of tables",
				 names[i], t[i].num, t[i].offset, tables);
			return bad(e, HWF_EFORMAT, fn, what, d, "");
		}
	}
	m->flags = hsize == HEADER_V1_2 ? get_le32(h + 128) : 0;
	m->npart = t[0].num;
	m->next = t[1].num;
	m->ngroup = t[2].num;
	m->ndev = t[3].num;
	return 0;
}

static int decode_tables(const uint8_t *tb, const struct table t[4], const char *fn,
			 const char *what, struct hwf_lp_metadata *m, struct hwf_err *e)
{
	uint32_t valid = HWF_LP_ATTR_READONLY | HWF_LP_ATTR_SLOT_SUFFIXED;
	char d[200];

	if (m->minor >= 1)
		valid |= HWF_LP_ATTR_UPDATED | HWF_LP_ATTR_DISABLED;
	m->part = calloc(m->npart ? m->npart : 1, sizeof(*m->part));
	m->ext = calloc(m->next ? m->next : 1, sizeof(*m->ext));
	m->group = calloc(m->ngroup ? m->ngroup : 1, sizeof(*m->group));
	m->dev = calloc(m->ndev ? m->ndev : 1, sizeof(*m->dev));
	if (!m->part || !m->ext || !m->group || !m->dev)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < m->ngroup; i++) {
		const uint8_t *p = tb + t[2].offset + (size_t)i * GROUP_BYTES;

		get_name(m->group[i].name, p);
		m->group[i].flags = get_le32(p + 36);
		m->group[i].maximum_size = get_le64(p + 40);
	}
	for (uint32_t i = 0; i < m->ndev; i++) {
		const uint8_t *p = tb + t[3].offset + (size_t)i * DEVICE_BYTES;
		struct hwf_lp_device *dv = &m->dev[i];

		dv->first_logical_sector = get_le64(p);
		dv->alignment = get_le32(p + 8);
		dv->alignment_offset = get_le32(p + 12);
		dv->size = get_le64(p + 16);
		get_name(dv->name, p + 24);
		dv->flags = get_le32(p + 60);
	}
	for (uint32_t i = 0; i < m->next; i++) {
		const uint8_t *p = tb + t[1].offset + (size_t)i * EXTENT_BYTES;
		struct hwf_lp_extent *x = &m->ext[i];

		x->sectors = get_le64(p);
		x->type = get_le32(p + 8);
		x->target = get_le64(p + 12);
		x->source = get_le32(p + 20);
		if (x->type == HWF_LP_TARGET_LINEAR && x->source >= m->ndev) {
			snprintf(d, sizeof(d), "extent %u names block device %u of %u", i,
				 x->source, m->ndev);
			return bad(e, HWF_EFORMAT, fn, what, d, "");
		}
	}
	for (uint32_t i = 0; i < m->npart; i++) {
		const uint8_t *p = tb + t[0].offset + (size_t)i * PART_BYTES;
		struct hwf_lp_partition *q = &m->part[i];
		uint64_t sectors = 0;

		get_name(q->name, p);
		q->attributes = get_le32(p + 36);
		q->first_extent = get_le32(p + 40);
		q->num_extents = get_le32(p + 44);
		q->group = get_le32(p + 48);
		if (q->attributes & ~valid) {
			snprintf(d, sizeof(d),
				 "partition %u (%.36s) has attributes 0x%x, version 10.%u "
				 "allows 0x%x",
				 i, q->name, q->attributes, m->minor, valid);
			return bad(e, HWF_EFORMAT, fn, what, d, "");
		}
		if ((uint64_t)q->first_extent + q->num_extents > m->next) {
			snprintf(d, sizeof(d),
				 "partition %u (%.36s) has extents %u to %llu, the table "
				 "has %u",
				 i, q->name, q->first_extent,
				 (unsigned long long)q->first_extent + q->num_extents, m->next);
			return bad(e, HWF_EFORMAT, fn, what, d, "");
		}
		if (q->group >= m->ngroup) {
			snprintf(d, sizeof(d), "partition %u (%.36s) is in group %u of %u", i,
				 q->name, q->group, m->ngroup);
			return bad(e, HWF_EFORMAT, fn, what, d, "");
		}
		for (uint32_t k = 0; k < q->num_extents; k++) {
			uint64_t s = m->ext[q->first_extent + k].sectors;

			if (s > (UINT64_MAX / HWF_LP_SECTOR) - sectors) {
				snprintf(d, sizeof(d),
					 "partition %u (%.36s) is larger than 2^64 bytes", i,
					 q->name);
				return bad(e, HWF_EFORMAT, fn, what, d, "");
			}
			sectors += s;
		}
		q->size = sectors * HWF_LP_SECTOR;
	}
	return 0;
}

int hwf_lp_parse_metadata(struct hwf_source *src, uint64_t off, uint64_t limit,
			  const struct hwf_lp_geometry *geo, const char *what,
			  struct hwf_lp_metadata *m, struct hwf_err *e)
{
	const char *fn = hwf_source_name(src);
	uint8_t h[HEADER_V1_2], *tb = NULL;
	struct table t[4];
	uint32_t hsize;
	uint64_t area, first;
	char d[160];
	int rc;

	memset(m, 0, sizeof(*m));
	m->geo = *geo;
	if (limit < HEADER_V1_0)
		return bad(e, HWF_ETRUNC, fn, what, "no room for a header", "");
	rc = hwf_source_read_exact(src, h, HEADER_V1_0, off, e);
	if (rc)
		return rc == HWF_ETRUNC
			   ? bad(e, rc, fn, what, "the file ends inside the header", "")
			   : rc;
	if (get_le32(h) != HEADER_MAGIC)
		return bad(e, HWF_EFORMAT, fn, what, "no header magic (0x414C5030)", "");
	m->major = get_le16(h + 4);
	m->minor = get_le16(h + 6);
	if (m->major != HWF_LP_MAJOR || m->minor > HWF_LP_MINOR_MAX) {
		snprintf(d, sizeof(d), "version %u.%u (known: 10.0 to 10.2)", m->major, m->minor);
		return bad(e, HWF_EFORMAT, fn, what, d, "");
	}
	hsize = get_le32(h + 8);
	m->header_size = hsize;
	if (hsize != (m->minor >= 2 ? HEADER_V1_2 : HEADER_V1_0)) {
		snprintf(d, sizeof(d), "header_size %u, version 10.%u has %u", hsize, m->minor,
			 m->minor >= 2 ? HEADER_V1_2 : HEADER_V1_0);
		return bad(e, HWF_EFORMAT, fn, what, d, "");
	}
	if (hsize > limit)
		return bad(e, HWF_ETRUNC, fn, what, "no room for the header", "");
	if (hsize > HEADER_V1_0) {
		rc = hwf_source_read_exact(src, h + HEADER_V1_0, hsize - HEADER_V1_0,
					   off + HEADER_V1_0, e);
		if (rc)
			return rc == HWF_ETRUNC
				   ? bad(e, rc, fn, what, "the file ends inside the header", "")
				   : rc;
	}
	rc = parse_header(h, hsize, geo, limit, fn, what, m, t, e);
	if (rc)
		return rc;
	tb = malloc(get_le32(h + 44) ? get_le32(h + 44) : 1);
	if (!tb)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_source_read_exact(src, tb, get_le32(h + 44), off + hsize, e);
	if (rc == HWF_ETRUNC)
		rc = bad(e, rc, fn, what, "the file ends inside the tables", "");
	if (!rc) {
		uint8_t sum[32];

		sha256(tb, get_le32(h + 44), sum);
		if (memcmp(sum, h + 48, 32))
			rc = bad(e, HWF_ECRC, fn, what,
				 "the tables' SHA-256 checksum does not match", "");
	}
	if (!rc)
		rc = decode_tables(tb, t, fn, what, m, e);
	free(tb);
	if (!rc && !m->ndev)
		rc = bad(e, HWF_EFORMAT, fn, what, "no block device (super) in the table", "");
	if (rc) {
		hwf_lp_metadata_free(m);
		return rc;
	}
	/* reader.cpp: the metadata area must end before the first logical sector. */
	area = hwf_lp_metadata_area(geo);
	first = m->dev[0].first_logical_sector;
	if (first > UINT64_MAX / HWF_LP_SECTOR || area > first * HWF_LP_SECTOR) {
		snprintf(d, sizeof(d), " (%llu bytes of metadata, partitions from sector %llu)",
			 (unsigned long long)area, (unsigned long long)first);
		hwf_lp_metadata_free(m);
		return bad(e, HWF_EFORMAT, fn, what,
			   "the metadata area overlaps the logical partitions", d);
	}
	return 0;
}

void hwf_lp_metadata_free(struct hwf_lp_metadata *m)
{
	free(m->part);
	free(m->ext);
	free(m->group);
	free(m->dev);
	m->part = NULL;
	m->ext = NULL;
	m->group = NULL;
	m->dev = NULL;
	m->npart = m->next = m->ngroup = m->ndev = 0;
}

int hwf_lp_find_partition(const struct hwf_lp_metadata *m, const char *name)
{
	for (uint32_t i = 0; i < m->npart; i++)
		if (!strcmp(m->part[i].name, name))
			return (int)i;
	return -1;
}

void hwf_lp_attr_text(uint32_t a, char *buf, size_t len)
{
	static const char *names[] = {"readonly", "slot-suffixed", "updated", "disabled"};
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 4 && n < len; i++)
		if (a & (1u << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", names[i]);
	if (a >> 4 && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s0x%x", n ? "," : "", a & ~0xfu);
	if (!n)
		snprintf(buf, len, "none");
}

/* --- the opened image --- */

struct part_view {
	struct hwf_lp *lp;
	uint32_t index;
	uint64_t *start; /* logical byte where each extent begins, and the end */
};

struct hwf_lp {
	struct hwf_source *src;	 /* the caller's */
	struct hwf_source *view; /* its sparse expansion, or NULL */
	struct hwf_lp_metadata m;
	struct hwf_lp_info info;
	struct part_view *views; /* one per partition, made on demand */
};

static int read_geometry(struct hwf_source *src, uint64_t at, struct hwf_lp_geometry *g, char *why,
			 size_t len, struct hwf_err *e)
{
	uint8_t buf[HWF_LP_GEOMETRY_SIZE];
	int rc = hwf_source_read_exact(src, buf, sizeof(buf), at, e);

	if (rc == HWF_ETRUNC) {
		snprintf(why, len, "the file ends inside it");
		return rc;
	}
	return rc ? rc : hwf_lp_parse_geometry(buf, g, why, len);
}

static int open_metadata(struct hwf_lp *lp, struct hwf_source *s, uint32_t slot,
			 struct hwf_lp_geometry *g, struct hwf_err *e)
{
	struct hwf_lp_info *in = &lp->info;
	uint64_t at;
	char what[96];
	int rc;

	if (in->empty) {
		snprintf(what, sizeof(what), "copy (at byte %u)", HWF_LP_GEOMETRY_SIZE);
		return hwf_lp_parse_metadata(s, HWF_LP_GEOMETRY_SIZE,
					     in->size - HWF_LP_GEOMETRY_SIZE, g, what, &lp->m, e);
	}
	at = hwf_lp_primary_offset(g, slot);
	snprintf(what, sizeof(what), "slot %u (primary, at byte %llu)", slot,
		 (unsigned long long)at);
	rc = hwf_lp_parse_metadata(s, at, g->metadata_max_size, g, what, &lp->m, e);
	if (!rc || rc == HWF_EIO || rc == HWF_ENOMEM)
		return rc;
	snprintf(in->metadata_why, sizeof(in->metadata_why), "%s", e ? e->msg : "");
	in->metadata_backup = 1;
	at = hwf_lp_backup_offset(g, slot);
	snprintf(what, sizeof(what), "slot %u (backup, at byte %llu)", slot,
		 (unsigned long long)at);
	return hwf_lp_parse_metadata(s, at, g->metadata_max_size, g, what, &lp->m, e);
}

int hwf_lp_open(struct hwf_lp **out, struct hwf_source *src, uint32_t slot, struct hwf_err *e)
{
	const char *fn = hwf_source_name(src);
	struct hwf_lp_geometry g;
	struct hwf_source *s = src;
	struct hwf_lp *lp;
	uint8_t head[4];
	char why[200];
	int rc;

	*out = NULL;
	lp = calloc(1, sizeof(*lp));
	if (!lp)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	lp->src = src;
	rc = hwf_source_read_exact(src, head, sizeof(head), 0, e);
	if (!rc && get_le32(head) == HWF_SPARSE_MAGIC) {
		rc = hwf_sparse_open_view(&lp->view, src, e);
		s = lp->view;
		lp->info.sparse = 1;
		if (!rc)
			rc = hwf_source_read_exact(s, head, sizeof(head), 0, e);
	}
	if (rc)
		goto fail;
	lp->info.size = hwf_source_size(s);
	lp->info.empty = get_le32(head) == GEOMETRY_MAGIC;
	lp->info.slot = slot;
	if (lp->info.empty) {
		rc = read_geometry(s, 0, &g, why, sizeof(why), e);
		if (rc == HWF_EIO)
			goto fail;
		if (rc) {
			rc = hwf_err_set(e, rc, "%s: the liblp geometry at byte 0 is damaged: %s",
					 fn, why);
			goto fail;
		}
	} else if (lp->info.size < HWF_LP_RESERVED + 4) {
		rc = hwf_err_set(e, HWF_EFORMAT,
				 "%s: not a liblp super image (no geometry at byte 0 or 4096)", fn);
		goto fail;
	} else {
		rc = read_geometry(s, HWF_LP_RESERVED, &g, why, sizeof(why), e);
		if (rc == HWF_EIO)
			goto fail;
		if (rc) {
			char why2[200];
			int primary_missing = !strcmp(why, "no geometry magic");

			snprintf(lp->info.geometry_why, sizeof(lp->info.geometry_why), "%s", why);
			lp->info.geometry_backup = 1;
			rc = read_geometry(s, HWF_LP_RESERVED + HWF_LP_GEOMETRY_SIZE, &g, why2,
					   sizeof(why2), e);
			if (rc == HWF_EIO)
				goto fail;
			if (rc && primary_missing && !strcmp(why2, "no geometry magic"))
				rc = hwf_err_set(e, HWF_EFORMAT,
						 "%s: not a liblp super image (no geometry at byte "
						 "0 or 4096)",
						 fn);
			else if (rc)
				rc = hwf_err_set(
				    e, rc,
				    "%s: the liblp geometry is damaged: at byte 4096 %s, "
				    "its backup at byte 8192: %s",
				    fn, why, why2);
			if (rc)
				goto fail;
		}
	}
	if (slot >= g.slot_count) {
		rc = hwf_err_set(e, HWF_EINVAL, "%s: metadata slot %u asked, the geometry has %u",
				 fn, slot, g.slot_count);
		goto fail;
	}
	rc = open_metadata(lp, s, slot, &g, e);
	if (rc)
		goto fail;
	*out = lp;
	return 0;
fail:
	hwf_lp_close(lp);
	return rc;
}

int hwf_lp_probe(struct hwf_source *src)
{
	struct hwf_source *s = src, *view = NULL;
	uint8_t b[4];
	int yes = 0;

	if (hwf_source_read_exact(src, b, 4, 0, NULL))
		return 0;
	if (get_le32(b) == HWF_SPARSE_MAGIC) {
		if (hwf_sparse_open_view(&view, src, NULL))
			return 0;
		s = view;
		if (hwf_source_read_exact(s, b, 4, 0, NULL))
			goto out;
	}
	yes = get_le32(b) == GEOMETRY_MAGIC ||
	      (!hwf_source_read_exact(s, b, 4, HWF_LP_RESERVED, NULL) &&
	       get_le32(b) == GEOMETRY_MAGIC);
out:
	hwf_source_close(view);
	return yes;
}

const struct hwf_lp_metadata *hwf_lp_metadata(const struct hwf_lp *lp)
{
	return &lp->m;
}

const struct hwf_lp_info *hwf_lp_info(const struct hwf_lp *lp)
{
	return &lp->info;
}

struct hwf_source *hwf_lp_source(const struct hwf_lp *lp)
{
	return lp->view ? lp->view : lp->src;
}

void hwf_lp_close(struct hwf_lp *lp)
{
	if (!lp)
		return;
	if (lp->views)
		for (uint32_t i = 0; i < lp->m.npart; i++)
			free(lp->views[i].start);
	free(lp->views);
	hwf_lp_metadata_free(&lp->m);
	hwf_source_close(lp->view);
	free(lp);
}

void hwf_lp_partition_name(const struct hwf_lp *lp, uint32_t i, char *buf, size_t len)
{
	const struct hwf_lp_partition *p = &lp->m.part[i];

	if (p->attributes & HWF_LP_ATTR_SLOT_SUFFIXED)
		snprintf(buf, len, "%s_%c", p->name, 'a' + (char)lp->info.slot);
	else
		snprintf(buf, len, "%s", p->name);
}

static int part_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	const struct part_view *v = ctx;
	const struct hwf_lp_partition *p = &v->lp->m.part[v->index];
	struct hwf_source *s = hwf_lp_source(v->lp);
	uint32_t lo = 0, hi = p->num_extents;
	uint8_t *out = buf;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v->start[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	for (uint32_t k = lo; len && k < p->num_extents; k++) {
		const struct hwf_lp_extent *x = &v->lp->m.ext[p->first_extent + k];
		uint64_t in = off - v->start[k];
		size_t n = v->start[k + 1] - off < len ? (size_t)(v->start[k + 1] - off) : len;

		if (x->type == HWF_LP_TARGET_LINEAR) {
			int rc =
			    hwf_source_read_exact(s, out, n, x->target * HWF_LP_SECTOR + in, e);

			if (rc)
				return rc;
		} else {
			memset(out, 0, n);
		}
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

int hwf_lp_open_partition(struct hwf_lp *lp, uint32_t i, struct hwf_source **out, struct hwf_err *e)
{
	const struct hwf_lp_partition *p;
	struct part_view *v;
	uint64_t at = 0, size;
	char name[HWF_LP_NAME_LEN + 8], label[600];

	*out = NULL;
	if (i >= lp->m.npart)
		return hwf_err_set(e, HWF_ENOTFOUND, "%s: no logical partition %u",
				   hwf_source_name(lp->src), i);
	p = &lp->m.part[i];
	hwf_lp_partition_name(lp, i, name, sizeof(name));
	if (lp->info.empty)
		return hwf_err_set(e, HWF_EINVAL,
				   "%s: a super_empty image holds no partition data (%s has none)",
				   hwf_source_name(lp->src), name);
	if (!lp->views) {
		lp->views = calloc(lp->m.npart, sizeof(*lp->views));
		if (!lp->views)
			return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	v = &lp->views[i];
	size = hwf_source_size(hwf_lp_source(lp));
	for (uint32_t k = 0; k < p->num_extents; k++) {
		const struct hwf_lp_extent *x = &lp->m.ext[p->first_extent + k];

		if (x->type == HWF_LP_TARGET_ZERO)
			continue;
		if (x->type != HWF_LP_TARGET_LINEAR)
			return hwf_err_set(e, HWF_EFORMAT, "%s: %s: extent %u has unknown type %u",
					   hwf_source_name(lp->src), name, k, x->type);
		if (x->source != 0)
			return hwf_err_set(e, HWF_EUNSUPPORTED,
					   "%s: %s: extent %u lies on block device %u (%s), not in "
					   "this image",
					   hwf_source_name(lp->src), name, k, x->source,
					   lp->m.dev[x->source].name);
		if (x->target > size / HWF_LP_SECTOR ||
		    x->sectors > size / HWF_LP_SECTOR - x->target)
			return hwf_err_set(
			    e, HWF_ETRUNC,
			    "%s: %s: extent %u (sectors %llu to %llu) lies past the "
			    "end of the image (%llu bytes)",
			    hwf_source_name(lp->src), name, k, (unsigned long long)x->target,
			    (unsigned long long)(x->target + x->sectors), (unsigned long long)size);
	}
	if (!v->start) {
		v->start = malloc(((size_t)p->num_extents + 1) * sizeof(*v->start));
		if (!v->start)
			return hwf_err_set(e, HWF_ENOMEM, "out of memory");
		for (uint32_t k = 0; k < p->num_extents; k++) {
			v->start[k] = at;
			at += lp->m.ext[p->first_extent + k].sectors * HWF_LP_SECTOR;
		}
		v->start[p->num_extents] = at;
		v->lp = lp;
		v->index = i;
	}
	snprintf(label, sizeof(label), "%s:%s", hwf_source_name(lp->src), name);
	return hwf_source_open_callback(out, p->size, label, part_read, v, e);
}
