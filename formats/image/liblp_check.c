// SPDX-License-Identifier: MIT
/*
 * The full check of a liblp image: every copy's checksums, then what
 * reader.cpp does not look at but a device needs (writer.cpp's
 * ValidateAndSerializeMetadata and the builder's rules): extents inside
 * their block device, no two extents on the same sectors, group limits,
 * names that can be file names.  Each finding is one sentence.
 */
#include "formats/image/liblp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/text.h"

#define MAX_OVERLAP_FINDINGS 8

struct ctx {
	struct hwf_lp *lp;
	hwf_lp_finding_fn fn;
	void *fctx;
	int errors;
	char prefix[32]; /* "slot 1: " when a slot differs from the one read */
};

static void say(struct ctx *c, int sev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(struct ctx *c, int sev, const char *fmt, ...)
{
	char text[400];
	size_t n = (size_t)snprintf(text, sizeof(text), "%s", c->prefix);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text + n, sizeof(text) - n, fmt, ap);
	va_end(ap);
	if (sev == HWF_LP_ERROR)
		c->errors++;
	if (c->fn)
		c->fn(c->fctx, sev, text);
}

/* Letters, digits, '_', '-' and '.', not "." or "..": safe as a file name too. */
static int good_name(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

static void names(struct ctx *c, const struct hwf_lp_metadata *m)
{
	for (uint32_t i = 0; i < m->npart; i++) {
		if (!good_name(m->part[i].name))
			say(c, HWF_LP_ERROR,
			    "partition %u has the name \"%.36s\", which is empty or has characters "
			    "other than letters, digits, '_', '-' and '.'",
			    i, m->part[i].name);
		for (uint32_t k = 0; k < i; k++)
			if (!strcmp(m->part[k].name, m->part[i].name)) {
				say(c, HWF_LP_ERROR, "two partitions are named %s (%u and %u)",
				    m->part[i].name, k, i);
				break;
			}
	}
	for (uint32_t i = 0; i < m->ngroup; i++) {
		if (!good_name(m->group[i].name))
			say(c, HWF_LP_ERROR, "group %u has the name \"%.36s\", which is not a name",
			    i, m->group[i].name);
		for (uint32_t k = 0; k < i; k++)
			if (!strcmp(m->group[k].name, m->group[i].name)) {
				say(c, HWF_LP_ERROR, "two groups are named %s", m->group[i].name);
				break;
			}
	}
	for (uint32_t i = 0; i < m->ndev; i++)
		if (!good_name(m->dev[i].name))
			say(c, HWF_LP_ERROR,
			    "block device %u has the name \"%.36s\", which is not a name", i,
			    m->dev[i].name);
}

static void devices(struct ctx *c, const struct hwf_lp_metadata *m)
{
	uint32_t bs = m->geo.block_size;

	for (uint32_t i = 0; i < m->ndev; i++) {
		const struct hwf_lp_device *d = &m->dev[i];

		/* writer.cpp: one sector at least after first_logical_sector. */
		if (d->first_logical_sector >= d->size / HWF_LP_SECTOR)
			say(c, HWF_LP_ERROR,
			    "block device %s: partitions would start at sector %llu, the device "
			    "has %llu bytes",
			    d->name, (unsigned long long)d->first_logical_sector,
			    (unsigned long long)d->size);
		if (d->size % bs)
			say(c, HWF_LP_WARN,
			    "block device %s: its size %llu is not a multiple of the block size %u",
			    d->name, (unsigned long long)d->size, bs);
	}
}

struct span {
	uint64_t start, end; /* sectors, [start, end) */
	uint32_t source, part;
};

static int by_start(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* qsort is not stable everywhere (Windows): ties in table order, same findings */
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	return 0;
}

/* Every extent in its device, after the metadata, block-sized; then overlaps. */
static int extents(struct ctx *c, const struct hwf_lp_metadata *m)
{
	struct span *sp = calloc(m->next ? m->next : 1, sizeof(*sp));
	uint32_t bs_sectors = m->geo.block_size / HWF_LP_SECTOR, n = 0, told = 0;
	uint64_t end = 0;
	uint32_t owner = 0;

	if (!sp)
		return HWF_ENOMEM;
	for (uint32_t i = 0; i < m->npart; i++) {
		const struct hwf_lp_partition *p = &m->part[i];

		for (uint32_t k = 0; k < p->num_extents; k++) {
			const struct hwf_lp_extent *x = &m->ext[p->first_extent + k];
			const struct hwf_lp_device *d;

			if (x->type == HWF_LP_TARGET_ZERO) {
				if (x->target || x->source)
					say(c, HWF_LP_WARN,
					    "%s: extent %u is a zero extent with target data set",
					    p->name, k);
				continue;
			}
			if (x->type != HWF_LP_TARGET_LINEAR) {
				say(c, HWF_LP_ERROR, "%s: extent %u has unknown type %u", p->name,
				    k, x->type);
				continue;
			}
			if (!x->sectors)
				say(c, HWF_LP_WARN, "%s: extent %u has no sectors", p->name, k);
			if (x->sectors % bs_sectors || x->target % bs_sectors)
				say(c, HWF_LP_WARN,
				    "%s: extent %u (%llu sectors at sector %llu) is not aligned to "
				    "the "
				    "block size %u",
				    p->name, k, (unsigned long long)x->sectors,
				    (unsigned long long)x->target, m->geo.block_size);
			d = &m->dev[x->source];
			if (x->target < d->first_logical_sector)
				say(c, HWF_LP_ERROR,
				    "%s: extent %u starts at sector %llu, inside the metadata area "
				    "of "
				    "%s (partitions start at sector %llu)",
				    p->name, k, (unsigned long long)x->target, d->name,
				    (unsigned long long)d->first_logical_sector);
			else if (x->target > d->size / HWF_LP_SECTOR ||
				 x->sectors > d->size / HWF_LP_SECTOR - x->target)
				say(c, HWF_LP_ERROR,
				    "%s: extent %u (sectors %llu to %llu) ends past the end of %s "
				    "(%llu sectors)",
				    p->name, k, (unsigned long long)x->target,
				    (unsigned long long)(x->target + x->sectors), d->name,
				    (unsigned long long)(d->size / HWF_LP_SECTOR));
			else
				sp[n++] =
				    (struct span){x->target, x->target + x->sectors, x->source, i};
		}
	}
	qsort(sp, n, sizeof(*sp), by_start);
	for (uint32_t i = 0; i < n; i++) {
		if (i && sp[i].source == sp[i - 1].source && sp[i].start < end &&
		    told++ < MAX_OVERLAP_FINDINGS)
			say(c, HWF_LP_ERROR, "%s and %s overlap at sectors %llu to %llu of %s",
			    m->part[owner].name, m->part[sp[i].part].name,
			    (unsigned long long)sp[i].start,
			    (unsigned long long)(end < sp[i].end ? end : sp[i].end),
			    m->dev[sp[i].source].name);
		if (!i || sp[i].source != sp[i - 1].source || sp[i].end > end) {
			end = sp[i].end;
			owner = sp[i].part;
		}
	}
	free(sp);
	return 0;
}

static void groups(struct ctx *c, const struct hwf_lp_metadata *m)
{
	for (uint32_t g = 0; g < m->ngroup; g++) {
		uint64_t used = 0;
		char a[32], b[32];

		/* builder.cpp counts the bytes on disk: linear extents only. */
		for (uint32_t i = 0; i < m->npart; i++) {
			const struct hwf_lp_partition *p = &m->part[i];

			if (p->group != g)
				continue;
			for (uint32_t k = 0; k < p->num_extents; k++)
				if (m->ext[p->first_extent + k].type == HWF_LP_TARGET_LINEAR)
					used += m->ext[p->first_extent + k].sectors * HWF_LP_SECTOR;
		}
		if (m->group[g].maximum_size && used > m->group[g].maximum_size) {
			hwf_size_text(used, a, sizeof(a));
			hwf_size_text(m->group[g].maximum_size, b, sizeof(b));
			say(c, HWF_LP_ERROR,
			    "group %s holds %s (%llu bytes), more than its maximum of %s (%llu "
			    "bytes)",
			    m->group[g].name, a, (unsigned long long)used, b,
			    (unsigned long long)m->group[g].maximum_size);
		}
	}
}

/* The super device's extents against the image: the bytes must be in the file. */
static void image_size(struct ctx *c, const struct hwf_lp_metadata *m)
{
	const struct hwf_lp_info *in = hwf_lp_info(c->lp);
	uint64_t need = hwf_lp_metadata_area(&m->geo), dev = m->dev[0].size;
	char a[32], b[32];

	if (in->empty)
		return;
	for (uint32_t i = 0; i < m->next; i++) {
		const struct hwf_lp_extent *x = &m->ext[i];

		if (x->type == HWF_LP_TARGET_LINEAR && !x->source && x->target <= dev / 512 &&
		    x->sectors <= dev / 512 - x->target && (x->target + x->sectors) * 512 > need)
			need = (x->target + x->sectors) * 512;
	}
	hwf_size_text(in->size, a, sizeof(a));
	hwf_size_text(dev, b, sizeof(b));
	if (need > in->size)
		say(c, HWF_LP_ERROR,
		    "truncated: the partitions reach byte %llu, the image has %s (%llu bytes); "
		    "the super device is %s",
		    (unsigned long long)need, a, (unsigned long long)in->size, b);
	else if (in->size < dev)
		say(c, HWF_LP_WARN,
		    "the image (%s) is smaller than the super device it describes (%s): what "
		    "follows it is left as it is",
		    a, b);
	else if (in->size > dev)
		say(c, HWF_LP_WARN,
		    "the image (%s) is larger than the super device it describes (%s)", a, b);
}

static int content(struct ctx *c, const struct hwf_lp_metadata *m)
{
	names(c, m);
	devices(c, m);
	groups(c, m);
	if (!c->prefix[0])
		image_size(c, m);
	return extents(c, m);
}

/* Both geometries of a full image: each must be whole, and they must agree. */
static int geometries(struct ctx *c, struct hwf_source *s, struct hwf_err *e)
{
	uint8_t g[2][HWF_LP_GEOMETRY_SIZE];
	struct hwf_lp_geometry d;
	char why[200];

	for (int k = 0; k < 2; k++) {
		int rc = hwf_source_read_exact(s, g[k], HWF_LP_GEOMETRY_SIZE,
					       HWF_LP_RESERVED + k * HWF_LP_GEOMETRY_SIZE, e);

		if (rc == HWF_EIO)
			return rc;
		if (!rc)
			rc = hwf_lp_parse_geometry(g[k], &d, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "the file ends inside it");
		if (rc)
			say(c, HWF_LP_ERROR, "the %s geometry at byte %u is damaged (%s)%s",
			    k ? "backup" : "primary", HWF_LP_RESERVED + k * HWF_LP_GEOMETRY_SIZE,
			    why, k ? "" : ": liblp reads the backup");
	}
	if (!hwf_lp_info(c->lp)->geometry_backup && !hwf_lp_parse_geometry(g[1], &d, why, 200) &&
	    memcmp(g[0], g[1], 52))
		say(c, HWF_LP_ERROR, "the backup geometry differs from the primary");
	return 0;
}

/* Every copy of every slot; then the content of each copy that differs from the one read. */
static int slots(struct ctx *c, struct hwf_source *s, struct hwf_err *e)
{
	const struct hwf_lp_metadata *read = hwf_lp_metadata(c->lp);
	const struct hwf_lp_geometry *g = &read->geo;
	int rc = 0;

	for (uint32_t slot = 0; slot < g->slot_count && !rc; slot++) {
		struct hwf_lp_metadata m[2];
		int ok[2] = {0, 0};

		for (int k = 0; k < 2; k++) {
			uint64_t at =
			    k ? hwf_lp_backup_offset(g, slot) : hwf_lp_primary_offset(g, slot);
			char what[96];
			struct hwf_err pe = {0};

			snprintf(what, sizeof(what), "slot %u (%s, at byte %llu)", slot,
				 k ? "backup" : "primary", (unsigned long long)at);
			rc =
			    hwf_lp_parse_metadata(s, at, g->metadata_max_size, g, what, &m[k], &pe);
			ok[k] = !rc;
			if (rc == HWF_EIO || rc == HWF_ENOMEM) {
				if (e)
					*e = pe;
				break;
			}
			rc = 0;
			if (!ok[k]) {
				const char *msg = strstr(pe.msg, "liblp metadata ");

				say(c, HWF_LP_ERROR, "%s", msg ? msg + 15 : pe.msg);
			}
		}
		if (rc) {
			for (int k = 0; k < 2; k++)
				if (ok[k])
					hwf_lp_metadata_free(&m[k]);
			break;
		}
		if (ok[0] && ok[1] && memcmp(m[0].header_sha, m[1].header_sha, 32))
			say(c, HWF_LP_WARN,
			    "slot %u: the backup copy differs from the primary (an interrupted "
			    "update?)",
			    slot);
		for (int k = 0; k < 2 && !rc; k++) {
			if (!ok[k] || !memcmp(m[k].header_sha, read->header_sha, 32))
				continue;
			if (k && ok[0] && !memcmp(m[0].header_sha, m[1].header_sha, 32))
				continue;
			snprintf(c->prefix, sizeof(c->prefix), "slot %u%s: ", slot,
				 k ? " (backup)" : "");
			rc = content(c, &m[k]);
			c->prefix[0] = '\0';
		}
		for (int k = 0; k < 2; k++)
			if (ok[k])
				hwf_lp_metadata_free(&m[k]);
	}
	return rc == HWF_ENOMEM ? hwf_err_set(e, rc, "out of memory") : rc;
}

int hwf_lp_check(struct hwf_lp *lp, hwf_lp_finding_fn fn, void *ctx, struct hwf_err *e)
{
	const struct hwf_lp_metadata *m = hwf_lp_metadata(lp);
	const struct hwf_lp_info *in = hwf_lp_info(lp);
	struct hwf_source *s = hwf_lp_source(lp);
	struct ctx c = {.lp = lp, .fn = fn, .fctx = ctx};
	char a[32];
	int rc;

	hwf_size_text(m->dev[0].size, a, sizeof(a));
	say(&c, HWF_LP_INFO,
	    "%s, liblp %u.%u: %u partition%s in %u group%s, %u metadata slot%s of %u bytes, "
	    "block size %u; super device %s of %s%s",
	    in->empty ? "super_empty (metadata only)" : "super image", m->major, m->minor, m->npart,
	    m->npart == 1 ? "" : "s", m->ngroup, m->ngroup == 1 ? "" : "s", m->geo.slot_count,
	    m->geo.slot_count == 1 ? "" : "s", m->geo.metadata_max_size, m->geo.block_size,
	    m->dev[0].name, a, m->flags & HWF_LP_HEADER_FLAG_VIRTUAL_AB ? "; virtual A/B" : "");
	if (!in->empty) {
		rc = geometries(&c, s, e);
		if (!rc)
			rc = slots(&c, s, e);
		if (rc)
			return rc;
	}
	rc = content(&c, m);
	if (rc)
		return hwf_err_set(e, rc, "out of memory");
	return c.errors;
}
