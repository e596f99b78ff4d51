// SPDX-License-Identifier: MIT
/*
 * liblp builder and writer: AOSP builder.cpp's allocation in spirit (see
 * liblp_build.h for the choices), writer.cpp's serialization, images.cpp's
 * image layouts.  Fields are encoded byte by byte.
 */
#include "formats/image/liblp_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_V1_0 128u
#define HEADER_V1_2 256u

struct bpart {
	char name[HWF_LP_NAME_LEN + 1];
	char group[HWF_LP_NAME_LEN + 1];
	uint32_t attributes;
	uint32_t next, cap;
	struct hwf_lp_extent *ext;
	uint64_t size; /* bytes, all extents */
};

struct hwf_lp_builder {
	struct hwf_lp_geometry geo;
	int expanded; /* header 10.2 */
	uint32_t flags;
	struct hwf_lp_device dev; /* the super device (one only) */
	uint32_t ngroup, npart;
	struct hwf_lp_group *group;
	struct bpart *part;
};

static uint64_t align_to(uint64_t base, uint32_t a)
{
	return a && base % a ? base + (a - base % a) : base;
}

/* utility.h's AlignTo with an offset: aligned to @a, then moved by @off. */
static uint64_t align_off(uint64_t base, uint32_t a, uint32_t off)
{
	uint64_t x = align_to(base, a) + off;

	if (a && x >= a && x - a >= base)
		x -= a;
	return x;
}

/* builder.cpp's AlignSector: the first aligned sector at or after @sector. */
static uint64_t align_sector(const struct hwf_lp_device *d, uint64_t sector)
{
	uint64_t lba = align_off(sector * HWF_LP_SECTOR, d->alignment, d->alignment_offset);

	return align_to(lba, HWF_LP_SECTOR) / HWF_LP_SECTOR;
}

static int set_name(char *dst, const char *name, const char *what, struct hwf_err *e)
{
	if (!name || !*name || strlen(name) > HWF_LP_NAME_LEN)
		return hwf_err_set(e, HWF_EINVAL, "%s name \"%s\" must have 1 to %d characters",
				   what, name ? name : "", HWF_LP_NAME_LEN);
	snprintf(dst, HWF_LP_NAME_LEN + 1, "%s", name);
	return 0;
}

static struct bpart *find_part(const struct hwf_lp_builder *b, const char *name)
{
	for (uint32_t i = 0; i < b->npart; i++)
		if (!strcmp(b->part[i].name, name))
			return &b->part[i];
	return NULL;
}

static struct hwf_lp_group *find_group(const struct hwf_lp_builder *b, const char *name)
{
	for (uint32_t i = 0; i < b->ngroup; i++)
		if (!strcmp(b->group[i].name, name))
			return &b->group[i];
	return NULL;
}

int hwf_lp_builder_add_group(struct hwf_lp_builder *b, const char *name, uint64_t maximum_size,
			     struct hwf_err *e)
{
	struct hwf_lp_group g = {.maximum_size = maximum_size}, *n;
	int rc = set_name(g.name, name, "group", e);

	if (rc)
		return rc;
	if (find_group(b, name))
		return hwf_err_set(e, HWF_EEXIST, "group %s already exists", name);
	n = realloc(b->group, (b->ngroup + 1) * sizeof(*n));
	if (!n)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	b->group = n;
	b->group[b->ngroup++] = g;
	return 0;
}

int hwf_lp_builder_new(struct hwf_lp_builder **out, const struct hwf_lp_device_opts *o,
		       struct hwf_err *e)
{
	struct hwf_lp_builder *b;
	uint32_t bs = o->block_size ? o->block_size : HWF_LP_DEFAULT_BLOCK_SIZE;
	uint32_t align = o->alignment ? o->alignment : HWF_LP_DEFAULT_ALIGNMENT;
	uint64_t max = align_to(o->metadata_max_size, HWF_LP_SECTOR), reserved, first;
	int rc;

	*out = NULL;
	if (o->metadata_max_size < HEADER_V1_2 || max > (16u << 20))
		return hwf_err_set(e, HWF_EINVAL, "metadata size %u must be 256 bytes to 16 MiB",
				   o->metadata_max_size);
	if (!o->slot_count || o->slot_count > 16)
		return hwf_err_set(e, HWF_EINVAL, "%u metadata slots: 1 to 16 are possible",
				   o->slot_count);
	if (bs % HWF_LP_SECTOR || o->size % bs)
		return hwf_err_set(e, HWF_EINVAL,
				   "block size %u must be a multiple of 512 that divides the super "
				   "size %llu",
				   bs, (unsigned long long)o->size);
	if (align % HWF_LP_SECTOR || o->alignment_offset % HWF_LP_SECTOR ||
	    o->alignment_offset > align)
		return hwf_err_set(
		    e, HWF_EINVAL,
		    "alignment %u and offset %u must be multiples of 512, the offset "
		    "not past the alignment",
		    align, o->alignment_offset);
	reserved = HWF_LP_RESERVED + 2 * (HWF_LP_GEOMETRY_SIZE + max * o->slot_count);
	first = align_off(reserved, align, o->alignment_offset);
	if (o->size < first + bs)
		return hwf_err_set(e, HWF_ENOSPC,
				   "a super of %llu bytes is too small: the metadata takes %llu "
				   "bytes and partitions start at byte %llu",
				   (unsigned long long)o->size, (unsigned long long)reserved,
				   (unsigned long long)first);
	b = calloc(1, sizeof(*b));
	if (!b)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	b->geo = (struct hwf_lp_geometry){(uint32_t)max, o->slot_count, bs};
	b->dev.first_logical_sector = first / HWF_LP_SECTOR;
	b->dev.alignment = align;
	b->dev.alignment_offset = o->alignment_offset;
	b->dev.size = o->size;
	rc = set_name(b->dev.name, o->name ? o->name : "super", "block device", e);
	if (!rc)
		rc = hwf_lp_builder_add_group(b, HWF_LP_DEFAULT_GROUP, 0, e);
	if (rc) {
		hwf_lp_builder_free(b);
		return rc;
	}
	if (o->virtual_ab) {
		b->expanded = 1;
		b->flags = HWF_LP_HEADER_FLAG_VIRTUAL_AB;
	}
	*out = b;
	return 0;
}

void hwf_lp_builder_free(struct hwf_lp_builder *b)
{
	if (!b)
		return;
	for (uint32_t i = 0; i < b->npart; i++)
		free(b->part[i].ext);
	free(b->part);
	free(b->group);
	free(b);
}

int hwf_lp_builder_add_partition(struct hwf_lp_builder *b, const char *name, const char *group,
				 uint32_t attributes, struct hwf_err *e)
{
	struct bpart p = {.attributes = attributes}, *n;
	int rc = set_name(p.name, name, "partition", e);

	if (rc)
		return rc;
	if (!group)
		group = HWF_LP_DEFAULT_GROUP;
	if (find_part(b, name))
		return hwf_err_set(e, HWF_EEXIST, "partition %s already exists", name);
	if (!find_group(b, group))
		return hwf_err_set(e, HWF_ENOTFOUND, "partition %s: there is no group %s", name,
				   group);
	if (attributes & ~0xfu)
		return hwf_err_set(e, HWF_EINVAL, "partition %s: attributes 0x%x are unknown", name,
				   attributes);
	snprintf(p.group, sizeof(p.group), "%s", group);
	n = realloc(b->part, (b->npart + 1) * sizeof(*n));
	if (!n)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	b->part = n;
	b->part[b->npart++] = p;
	return 0;
}

int hwf_lp_builder_remove_partition(struct hwf_lp_builder *b, const char *name, struct hwf_err *e)
{
	struct bpart *p = find_part(b, name);

	if (!p)
		return hwf_err_set(e, HWF_ENOTFOUND, "no logical partition %s", name);
	free(p->ext);
	memmove(p, p + 1, (size_t)(b->part + b->npart - (p + 1)) * sizeof(*p));
	b->npart--;
	return 0;
}

/* Partition::AddExtent: a linear extent that continues the last one is merged into it. */
static int add_extent(struct bpart *p, struct hwf_lp_extent x, struct hwf_err *e)
{
	struct hwf_lp_extent *last = p->next ? &p->ext[p->next - 1] : NULL;

	p->size += x.sectors * HWF_LP_SECTOR;
	if (last && x.type == HWF_LP_TARGET_LINEAR && last->type == HWF_LP_TARGET_LINEAR &&
	    last->source == x.source && last->target + last->sectors == x.target) {
		last->sectors += x.sectors;
		return 0;
	}
	if (p->next == p->cap) {
		uint32_t cap = p->cap ? 2 * p->cap : 4;
		struct hwf_lp_extent *n = realloc(p->ext, cap * sizeof(*n));

		if (!n)
			return hwf_err_set(e, HWF_ENOMEM, "out of memory");
		p->ext = n;
		p->cap = cap;
	}
	p->ext[p->next++] = x;
	return 0;
}

/* Bytes of linear extents in @group (builder.cpp's TotalSizeOfGroup). */
static uint64_t group_used(const struct hwf_lp_builder *b, const char *group)
{
	uint64_t used = 0;

	for (uint32_t i = 0; i < b->npart; i++)
		if (!strcmp(b->part[i].group, group))
			for (uint32_t k = 0; k < b->part[i].next; k++)
				if (b->part[i].ext[k].type == HWF_LP_TARGET_LINEAR)
					used += b->part[i].ext[k].sectors * HWF_LP_SECTOR;
	return used;
}

struct interval {
	uint64_t start, end;
};

static int by_start(const void *a, const void *b)
{
	const struct interval *x = a, *y = b;

	/* By start, then end: the empty interval at the first sector sorts before an extent there.
	 */
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/*
 * builder.cpp's GetFreeRegions: every linear extent sorted, with empty
 * intervals at the first logical sector and at the end of the device; the
 * gaps between them, each starting at an aligned sector.  *@out is
 * malloc'ed.
 */
static int free_regions(const struct hwf_lp_builder *b, struct interval **out, size_t *nout,
			struct hwf_err *e)
{
	size_t n = 2, k = 0, nfree = 0;
	struct interval *all, *fr;

	for (uint32_t i = 0; i < b->npart; i++)
		n += b->part[i].next;
	all = malloc(n * sizeof(*all));
	fr = malloc(n * sizeof(*fr));
	if (!all || !fr) {
		free(all);
		free(fr);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < b->npart; i++)
		for (uint32_t x = 0; x < b->part[i].next; x++)
			if (b->part[i].ext[x].type == HWF_LP_TARGET_LINEAR)
				all[k++] = (struct interval){b->part[i].ext[x].target,
							     b->part[i].ext[x].target +
								 b->part[i].ext[x].sectors};
	all[k++] = (struct interval){b->dev.first_logical_sector, b->dev.first_logical_sector};
	all[k++] = (struct interval){b->dev.size / HWF_LP_SECTOR, b->dev.size / HWF_LP_SECTOR};
	qsort(all, k, sizeof(*all), by_start);
	for (size_t i = 1; i < k; i++) {
		uint64_t start = align_sector(&b->dev, all[i - 1].end);

		if (start < all[i].start)
			fr[nfree++] = (struct interval){start, all[i].start};
	}
	free(all);
	*out = fr;
	*nout = nfree;
	return 0;
}

static int grow(struct hwf_lp_builder *b, struct bpart *p, uint64_t size, struct hwf_err *e)
{
	uint64_t need = (size - p->size) / HWF_LP_SECTOR, per_block = b->geo.block_size / 512;
	struct interval *fr = NULL;
	size_t nfr = 0, nnew = 0;
	int rc = free_regions(b, &fr, &nfr, e);

	if (rc)
		return rc;
	/* Plan first: nothing changes unless all the space is there. */
	for (size_t i = 0; i < nfr && need; i++) {
		uint64_t len = (fr[i].end - fr[i].start) / per_block * per_block;
		uint64_t take = len < need ? len : need;

		if (!take)
			continue;
		fr[nnew++] = (struct interval){fr[i].start, fr[i].start + take};
		need -= take;
	}
	if (need) {
		free(fr);
		return hwf_err_set(e, HWF_ENOSPC,
				   "not enough free space in %s to grow %s to %llu bytes (%llu "
				   "bytes missing)",
				   b->dev.name, p->name, (unsigned long long)size,
				   (unsigned long long)(need * HWF_LP_SECTOR));
	}
	for (size_t i = 0; i < nnew && !rc; i++)
		rc = add_extent(p,
				(struct hwf_lp_extent){fr[i].end - fr[i].start,
						       HWF_LP_TARGET_LINEAR, fr[i].start, 0},
				e);
	free(fr);
	return rc;
}

/* Partition::ShrinkTo: cut extents from the end. */
static void shrink(struct bpart *p, uint64_t size)
{
	uint64_t cut = (p->size - size) / HWF_LP_SECTOR;

	while (cut && p->next) {
		struct hwf_lp_extent *x = &p->ext[p->next - 1];

		if (x->sectors > cut) {
			x->sectors -= cut;
			break;
		}
		cut -= x->sectors;
		p->next--;
	}
	p->size = size;
}

int hwf_lp_builder_resize_partition(struct hwf_lp_builder *b, const char *name, uint64_t size,
				    struct hwf_err *e)
{
	struct bpart *p = find_part(b, name);
	struct hwf_lp_group *g;
	uint64_t want;

	if (!p)
		return hwf_err_set(e, HWF_ENOTFOUND, "no logical partition %s", name);
	if (size > b->dev.size)
		return hwf_err_set(e, HWF_ENOSPC, "%s: %llu bytes do not fit a super of %llu bytes",
				   name, (unsigned long long)size, (unsigned long long)b->dev.size);
	want = align_to(size, b->geo.block_size);
	if (want < p->size) {
		shrink(p, want);
		return 0;
	}
	if (want == p->size)
		return 0;
	g = find_group(b, p->group);
	if (g && g->maximum_size) {
		uint64_t used = group_used(b, p->group);

		if (used >= g->maximum_size || g->maximum_size - used < want - p->size)
			return hwf_err_set(
			    e, HWF_ENOSPC,
			    "%s is in group %s, which has %llu of its %llu bytes free, "
			    "%llu are needed",
			    name, g->name,
			    (unsigned long long)(used < g->maximum_size ? g->maximum_size - used
									: 0),
			    (unsigned long long)g->maximum_size,
			    (unsigned long long)(want - p->size));
	}
	return grow(b, p, want, e);
}

static int import_partition(struct hwf_lp_builder *b, const struct hwf_lp_metadata *m, uint32_t i,
			    struct hwf_err *e)
{
	const struct hwf_lp_partition *src = &m->part[i];
	const char *group = m->group[src->group].name;
	struct bpart *p = find_part(b, src->name);
	int rc = 0;

	if (!p) {
		rc = hwf_lp_builder_add_partition(b, src->name, group, src->attributes, e);
		if (rc)
			return rc;
		p = &b->part[b->npart - 1];
	}
	if (p->size)
		return hwf_err_set(e, HWF_EINVAL,
				   "partition %s exists in both with a size: wipe needed",
				   src->name);
	for (uint32_t k = 0; k < src->num_extents && !rc; k++)
		rc = add_extent(p, m->ext[src->first_extent + k], e);
	return rc;
}

int hwf_lp_builder_import(struct hwf_lp_builder **out, const struct hwf_lp_metadata *m,
			  struct hwf_err *e)
{
	struct hwf_lp_builder *b;
	int rc = 0;

	*out = NULL;
	if (m->ndev != 1)
		return hwf_err_set(e, HWF_EUNSUPPORTED,
				   "metadata over %u block devices (a retrofit device) is not "
				   "supported",
				   m->ndev);
	b = calloc(1, sizeof(*b));
	if (!b)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	b->geo = m->geo;
	b->dev = m->dev[0];
	b->expanded = m->minor >= 2;
	b->flags = m->flags;
	for (uint32_t i = 0; i < m->ngroup && !rc; i++)
		rc = hwf_lp_builder_add_group(b, m->group[i].name, m->group[i].maximum_size, e);
	for (uint32_t i = 0; i < m->npart && !rc; i++)
		rc = import_partition(b, m, i, e);
	if (rc) {
		hwf_lp_builder_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int hwf_lp_builder_merge_update(struct hwf_lp_builder *b, const struct hwf_lp_metadata *old,
				const char *slot_suffix, int virtual_ab, struct hwf_err *e)
{
	const struct hwf_lp_device *d = &old->dev[0];
	char other[3] = "";

	if (slot_suffix && *slot_suffix)
		snprintf(other, sizeof(other), "%s", !strcmp(slot_suffix, "_a") ? "_b" : "_a");
	if (old->ndev != 1 || d->first_logical_sector != b->dev.first_logical_sector ||
	    d->size != b->dev.size || strcmp(d->name, b->dev.name))
		return hwf_err_set(e, HWF_EINVAL,
				   "the block device table of the new metadata differs from the "
				   "device's (%s of %llu bytes, partitions from sector %llu): wipe "
				   "needed",
				   d->name, (unsigned long long)d->size,
				   (unsigned long long)d->first_logical_sector);
	for (uint32_t i = 0; i < old->npart; i++) {
		const struct hwf_lp_partition *p = &old->part[i];
		size_t n = strlen(p->name);
		const char *suffix = n >= 2 && p->name[n - 2] == '_' ? p->name + n - 2 : "";
		const struct hwf_lp_group *g;
		int rc;

		if (slot_suffix && *slot_suffix &&
		    (!strcmp(suffix, slot_suffix) || (virtual_ab && !strcmp(suffix, other))))
			continue;
		if (!strcmp(old->group[p->group].name, "cow") || !strcmp(p->name, "scratch"))
			continue;
		rc = import_partition(b, old, i, e);
		g = rc ? NULL : find_group(b, old->group[p->group].name);
		if (!rc && g && g->maximum_size && group_used(b, g->name) > g->maximum_size)
			rc = hwf_err_set(e, HWF_EINVAL,
					 "kept partition %s does not fit its group %s in the new "
					 "metadata: wipe needed",
					 p->name, g->name);
		if (rc)
			return rc == HWF_ENOMEM ? rc
						: (hwf_err_prefix(e, "update-super"), HWF_EINVAL);
	}
	return 0;
}

int hwf_lp_compatible(const struct hwf_lp_metadata *device, const struct hwf_lp_metadata *image,
		      char *why, size_t len)
{
	const struct hwf_lp_geometry *a = &device->geo, *b = &image->geo;

	if (a->metadata_max_size != b->metadata_max_size || a->slot_count != b->slot_count ||
	    a->block_size != b->block_size) {
		snprintf(why, len,
			 "the geometry differs: the device has %u slots of %u bytes and blocks of "
			 "%u, the image %u slots of %u bytes and blocks of %u",
			 a->slot_count, a->metadata_max_size, a->block_size, b->slot_count,
			 b->metadata_max_size, b->block_size);
		return HWF_EINVAL;
	}
	if (device->dev[0].size != image->dev[0].size) {
		snprintf(why, len,
			 "the super sizes differ: the device's is %llu bytes, the image's %llu",
			 (unsigned long long)device->dev[0].size,
			 (unsigned long long)image->dev[0].size);
		return HWF_EINVAL;
	}
	return 0;
}

int hwf_lp_builder_export(const struct hwf_lp_builder *b, struct hwf_lp_metadata *m,
			  struct hwf_err *e)
{
	uint32_t next = 0;

	memset(m, 0, sizeof(*m));
	m->geo = b->geo;
	m->major = HWF_LP_MAJOR;
	m->flags = b->flags;
	for (uint32_t i = 0; i < b->npart; i++) {
		next += b->part[i].next;
		if (b->part[i].attributes & (HWF_LP_ATTR_UPDATED | HWF_LP_ATTR_DISABLED))
			m->minor = 1;
	}
	if (b->expanded)
		m->minor = 2;
	m->header_size = m->minor >= 2 ? HEADER_V1_2 : HEADER_V1_0;
	m->npart = b->npart;
	m->ngroup = b->ngroup;
	m->ndev = 1;
	m->part = calloc(b->npart ? b->npart : 1, sizeof(*m->part));
	m->ext = calloc(next ? next : 1, sizeof(*m->ext));
	m->group = calloc(b->ngroup, sizeof(*m->group));
	m->dev = calloc(1, sizeof(*m->dev));
	if (!m->part || !m->ext || !m->group || !m->dev) {
		hwf_lp_metadata_free(m);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	memcpy(m->group, b->group, b->ngroup * sizeof(*m->group));
	m->dev[0] = b->dev;
	for (uint32_t i = 0; i < b->npart; i++) {
		const struct bpart *p = &b->part[i];
		struct hwf_lp_partition *q = &m->part[i];

		memcpy(q->name, p->name, sizeof(q->name));
		q->attributes = p->attributes;
		q->first_extent = m->next;
		q->num_extents = p->next;
		q->size = p->size;
		for (uint32_t g = 0; g < b->ngroup; g++)
			if (!strcmp(b->group[g].name, p->group))
				q->group = g;
		if (p->next)
			memcpy(m->ext + m->next, p->ext, p->next * sizeof(*p->ext));
		m->next += p->next;
	}
	return 0;
}
