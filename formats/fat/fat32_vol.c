// SPDX-License-Identifier: MIT
/*
 * An opened FAT32 volume: its boot sector checked, the FAT read and written
 * through one 1 MiB window (never loaded whole), clusters found and freed.
 * Every loop over a chain is bounded by the volume's cluster count.
 */
#include "formats/fat/fat32_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"

/* --- the FAT ---------------------------------------------------------------- */

static uint64_t fat_off(const struct hwf_fat *fs, uint32_t k)
{
	return fs->off + ((uint64_t)fs->reserved + (uint64_t)k * fs->fatsz) * fs->bps;
}

int hwf_fat32_flush(struct hwf_fat *fs, struct hwf_err *e)
{
	size_t len;

	if (!fs->dirty)
		return 0;
	len = (size_t)(fs->dirty_hi - fs->dirty_lo + 1) * 4;
	for (uint32_t k = 0; k < fs->nfats; k++) {
		uint64_t at = fat_off(fs, k) + (uint64_t)(fs->win_first + fs->dirty_lo) * 4;
		int rc;

		if (!fs->mirror && k != fs->active_fat)
			continue;
		rc = hwf_fat32_write(fs->fd, fs->win + (size_t)fs->dirty_lo * 4, len, at, e);
		if (rc)
			return rc;
	}
	fs->dirty = 0;
	return 0;
}

/* Bring entry @n (< fat_entries) into the window. */
static int fat_load(struct hwf_fat *fs, uint32_t n, struct hwf_err *e)
{
	uint32_t first = n - n % WIN_ENTRIES, count;
	int rc;

	if (fs->win_count && n >= fs->win_first && n - fs->win_first < fs->win_count)
		return 0;
	rc = hwf_fat32_flush(fs, e);
	if (rc)
		return rc;
	count = fs->fat_entries - first < WIN_ENTRIES ? fs->fat_entries - first : WIN_ENTRIES;
	fs->win_count = 0;
	rc = hwf_fat32_read(fs->fd, fs->win, (size_t)count * 4,
			    fat_off(fs, fs->active_fat) + (uint64_t)first * 4, 0, e);
	if (rc)
		return rc;
	fs->win_first = first;
	fs->win_count = count;
	return 0;
}

static int fat_get(struct hwf_fat *fs, uint32_t n, uint32_t *v, struct hwf_err *e)
{
	int rc = fat_load(fs, n, e);

	if (rc)
		return rc;
	*v = get_le32(fs->win + (size_t)(n - fs->win_first) * 4) & FAT_MASK;
	return 0;
}

int hwf_fat32_set(struct hwf_fat *fs, uint32_t n, uint32_t v, struct hwf_err *e)
{
	uint32_t i;
	uint8_t *p;
	int rc = fat_load(fs, n, e);

	if (rc)
		return rc;
	i = n - fs->win_first;
	p = fs->win + (size_t)i * 4;
	put_le32(p, (get_le32(p) & ~FAT_MASK) | (v & FAT_MASK)); /* keep the top 4 bits */
	if (!fs->dirty) {
		fs->dirty_lo = fs->dirty_hi = i;
		fs->dirty = 1;
	} else if (i < fs->dirty_lo) {
		fs->dirty_lo = i;
	} else if (i > fs->dirty_hi) {
		fs->dirty_hi = i;
	}
	return 0;
}

static int chain_err(struct hwf_fat *fs, uint32_t c, uint32_t v, struct hwf_err *e)
{
	if (v == 0)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "broken cluster chain: it runs into cluster %u, which is marked free", c);
	if (v == 0x0FFFFFF7)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "broken cluster chain: it runs into cluster %u, which is marked bad", c);
	return hwf_err_set(
	    e, HWF_EFORMAT,
	    "broken cluster chain: the FAT entry of cluster %u points to cluster %u, "
	    "outside the volume (2..%u)",
	    c, v, fs->nclusters + 1);
}

/* The cluster after @c in its chain, or 0 at the end of the chain. */
int hwf_fat32_chain_next(struct hwf_fat *fs, uint32_t c, uint32_t *next, struct hwf_err *e)
{
	uint32_t v;
	int rc = fat_get(fs, c, &v, e);

	if (rc)
		return rc;
	if (v >= FAT_EOC_MIN) {
		*next = 0;
		return 0;
	}
	if (!cluster_ok(fs, v))
		return chain_err(fs, c, v, e);
	*next = v;
	return 0;
}

/* The cluster @n steps after @c (the chain is known to be that long). */
static int chain_skip(struct hwf_fat *fs, uint32_t c, uint32_t n, uint32_t *out, struct hwf_err *e)
{
	for (uint32_t i = 0; i < n; i++) {
		int rc = hwf_fat32_chain_next(fs, c, &c, e);

		if (rc)
			return rc;
	}
	*out = c;
	return 0;
}

/*
 * Brent's cycle finding: the hare walks the chain once, the tortoise jumps
 * to it at every power of two, so a loop is met within about twice the
 * chain's length and nothing is kept per cluster.  A chain longer than the
 * volume's cluster count cannot be sound either (it would have to repeat).
 */
int hwf_fat32_chain_check(struct hwf_fat *fs, uint32_t first, const char *what, uint32_t *len,
			  struct hwf_err *e)
{
	uint32_t power = 1, lam = 1, tort = first, hare = first, mu = 0, back, loop_at;
	uint64_t n = 1;
	int rc;

	*len = 0;
	if (!cluster_ok(fs, first))
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: its first cluster %u is outside the volume (2..%u)", what,
				   first, fs->nclusters + 1);
	for (;;) {
		rc = hwf_fat32_chain_next(fs, hare, &hare, e);
		if (rc) {
			hwf_err_prefix(e, "%s", what);
			return rc;
		}
		if (!hare) {
			*len = (uint32_t)n;
			return 0;
		}
		/* Brent meets a loop within 3x the clusters; a sound chain has fewer. */
		if (hare == tort || n > 3ull * fs->nclusters)
			break;
		n++;
		if (power == lam) {
			tort = hare;
			power <<= 1;
			lam = 0;
		}
		lam++;
	}
	if (hare != tort)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: its cluster chain is longer than the volume has clusters",
				   what);
	/* The loop is @lam long; find where it starts (@mu) and the cluster pointing back. */
	tort = first;
	rc = chain_skip(fs, first, lam, &hare, e);
	while (!rc && tort != hare && mu < fs->nclusters) {
		rc = hwf_fat32_chain_next(fs, tort, &tort, e);
		if (!rc)
			rc = hwf_fat32_chain_next(fs, hare, &hare, e);
		mu++;
	}
	loop_at = tort;
	if (!rc)
		rc = chain_skip(fs, first, mu + lam - 1, &back, e);
	if (rc) {
		hwf_err_prefix(e, "%s", what);
		return rc;
	}
	if (back == loop_at)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: its cluster chain loops at cluster %u (it points to itself)", what, back);
	return hwf_err_set(
	    e, HWF_EFORMAT,
	    "%s: its cluster chain loops at cluster %u (it points back to cluster %u)", what, back,
	    loop_at);
}

int hwf_fat32_count_free(struct hwf_fat *fs, uint32_t *out, struct hwf_err *e)
{
	uint32_t n = 0, last = fs->nclusters + 1;

	if (fs->free_count >= 0) {
		*out = (uint32_t)fs->free_count;
		return 0;
	}
	for (uint32_t c = 2; c <= last;) {
		uint32_t i, end;
		int rc = fat_load(fs, c, e);

		if (rc)
			return rc;
		i = c - fs->win_first;
		end = last - fs->win_first + 1 < fs->win_count ? last - fs->win_first + 1
							       : fs->win_count;
		for (; i < end; i++)
			if (!(get_le32(fs->win + (size_t)i * 4) & FAT_MASK))
				n++;
		c = fs->win_first + end;
	}
	fs->free_count = n;
	*out = n;
	return 0;
}

/* See fat32_int.h. */
int hwf_fat32_find_free_run(struct hwf_fat *fs, uint32_t from, uint32_t max, uint32_t *start,
			    uint32_t *len, struct hwf_err *e)
{
	uint32_t last = fs->nclusters + 1, v;
	int rc;

	*start = *len = 0;
	for (uint32_t c = from < 2 ? 2 : from; c <= last; c++) {
		rc = fat_get(fs, c, &v, e);
		if (rc)
			return rc;
		if (v)
			continue;
		*start = c;
		while (*len < max && c <= last) {
			rc = fat_get(fs, c, &v, e);
			if (rc)
				return rc;
			if (v)
				break;
			(*len)++;
			c++;
		}
		return 0;
	}
	return 0;
}

/* Take one free cluster (its entry becomes EOC), zeroed on disk. */
int hwf_fat32_alloc_cluster(struct hwf_fat *fs, uint32_t *out, struct hwf_err *e)
{
	uint32_t c, n;
	int rc = hwf_fat32_find_free_run(fs, fs->hint, 1, &c, &n, e);

	if (!rc && !c)
		rc = hwf_fat32_find_free_run(fs, 2, 1, &c, &n, e);
	if (rc)
		return rc;
	if (!c)
		return hwf_err_set(e, HWF_ENOSPC, "the volume is full");
	memset(fs->io, 0, fs->csize);
	rc = hwf_fat32_write(fs->fd, fs->io, fs->csize, cluster_off(fs, c), e);
	if (!rc)
		rc = hwf_fat32_set(fs, c, FAT_EOC, e);
	if (rc)
		return rc;
	if (fs->free_count > 0)
		fs->free_count--;
	fs->hint = c + 1;
	*out = c;
	return 0;
}

/* Undo: mark the chain from @c free again.  Errors are left to the caller's first one. */
void hwf_fat32_free_chain(struct hwf_fat *fs, uint32_t c)
{
	for (uint32_t steps = 0; c && steps <= fs->nclusters; steps++) {
		uint32_t next;

		if (hwf_fat32_chain_next(fs, c, &next, NULL) || hwf_fat32_set(fs, c, 0, NULL))
			break;
		if (fs->free_count >= 0)
			fs->free_count++;
		if (c < fs->hint)
			fs->hint = c;
		c = next;
	}
	hwf_fat32_flush(fs, NULL);
}

int hwf_fat32_fsinfo_update(struct hwf_fat *fs, struct hwf_err *e)
{
	uint8_t s[SECTOR];
	uint64_t at = fs->off + (uint64_t)fs->fsinfo_sec * fs->bps;
	int rc;

	if (!fs->fsinfo_sec || fs->fsinfo_sec >= fs->reserved)
		return 0;
	rc = hwf_fat32_read(fs->fd, s, sizeof(s), at, 0, e);
	if (rc)
		return rc;
	if (get_le32(s) != 0x41615252 || get_le32(s + 484) != 0x61417272)
		return 0; /* no valid FSInfo: nothing to keep up to date */
	put_le32(s + 488, fs->free_count >= 0 ? (uint32_t)fs->free_count : 0xFFFFFFFF);
	put_le32(s + 492, cluster_ok(fs, fs->hint) ? fs->hint : 0xFFFFFFFF);
	return hwf_fat32_write(fs->fd, s, sizeof(s), at, e);
}

/* --- open / close ------------------------------------------------------------ */

static int not_fat32(struct hwf_err *e, const char *what)
{
	return hwf_err_set(e, HWF_EFORMAT, "the partition %s, not FAT32", what);
}

int hwf_fat_open(struct hwf_fat **out, int fd, uint64_t part_offset, uint64_t part_size,
		 int writable, struct hwf_err *e)
{
	uint8_t *h, *b;
	struct hwf_fat *fs;
	struct hwf_fat32_bpb bpb;
	enum hwf_fs_kind kind;
	uint32_t csize;
	uint64_t fat_bytes;
	char what[80];
	int rc;

	*out = NULL;
	if (part_size < PROBE_HEAD)
		return hwf_err_set(e, HWF_EFORMAT,
				   "the partition is too small (%llu bytes) to hold FAT32",
				   (unsigned long long)part_size);
	h = malloc(PROBE_HEAD);
	if (!h)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_fat32_read(fd, h, PROBE_HEAD, part_offset, 0, e);
	if (rc) {
		free(h);
		return rc;
	}
	b = h;
	kind = hwf_fat32_detect(h, &csize);
	if (kind != HWF_FS_FAT32) {
		if (kind == HWF_FS_UNKNOWN && hwf_fat32_all_zero(h, PROBE_HEAD))
			rc = hwf_err_set(
			    e, HWF_EFORMAT,
			    "the partition is not formatted (its first sector is all zero)");
		else if (kind == HWF_FS_UNKNOWN)
			rc = hwf_err_set(
			    e, HWF_EFORMAT,
			    "the partition holds no FAT file system (no valid boot sector)");
		else if (kind == HWF_FS_FAT12 || kind == HWF_FS_FAT16) {
			hwf_fat32_parse_bpb(h, &bpb);
			snprintf(what, sizeof(what), "holds %s (%llu clusters)",
				 hwf_fs_kind_name(kind), (unsigned long long)bpb.clusters);
			rc = not_fat32(e, what);
		} else {
			snprintf(what, sizeof(what), "holds %s", hwf_fs_kind_name(kind));
			rc = not_fat32(e, what);
		}
		free(h);
		return rc;
	}
	hwf_fat32_parse_bpb(b, &bpb);
	if (bpb.root_ents || get_le16(b + 22))
		rc = hwf_err_set(
		    e, HWF_EFORMAT,
		    "bad FAT32 boot sector: %u root entries, 16-bit FAT size %u (both must "
		    "be 0)",
		    bpb.root_ents, get_le16(b + 22));
	else if (get_le16(b + 42))
		rc = hwf_err_set(e, HWF_EUNSUPPORTED, "FAT32 version %u.%u is not supported", b[43],
				 b[42]);
	else if ((uint64_t)bpb.total * bpb.bps > part_size)
		rc = hwf_err_set(
		    e, HWF_EFORMAT,
		    "the file system is %llu bytes, larger than its partition (%llu bytes)",
		    (unsigned long long)bpb.total * bpb.bps, (unsigned long long)part_size);
	else if (bpb.clusters > FAT32_MAX_CLUSTERS)
		rc = hwf_err_set(e, HWF_EFORMAT, "%llu clusters is more than FAT32 can address",
				 (unsigned long long)bpb.clusters);
	else if (bpb.nfats > 4)
		rc = hwf_err_set(e, HWF_EFORMAT, "bad FAT32 boot sector: %u FATs", bpb.nfats);
	fat_bytes = (uint64_t)bpb.fatsz * bpb.bps;
	if (!rc && fat_bytes / 4 < bpb.clusters + 2)
		rc = hwf_err_set(e, HWF_EFORMAT,
				 "the FAT has room for %llu entries, the volume has %llu clusters",
				 (unsigned long long)fat_bytes / 4,
				 (unsigned long long)bpb.clusters);
	if (rc) {
		free(h);
		return rc;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs) {
		free(h);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	fs->fd = fd;
	fs->writable = writable;
	fs->off = part_offset;
	fs->size = part_size;
	fs->bps = bpb.bps;
	fs->spc = bpb.spc;
	fs->csize = bpb.bps * bpb.spc;
	fs->reserved = bpb.reserved;
	fs->nfats = bpb.nfats;
	fs->fatsz = bpb.fatsz;
	fs->total = bpb.total;
	fs->nclusters = (uint32_t)bpb.clusters;
	fs->fat_entries = fs->nclusters + 2;
	fs->data_off = ((uint64_t)bpb.reserved + (uint64_t)bpb.nfats * bpb.fatsz) * bpb.bps;
	fs->mirror = !(b[40] & 0x80);
	fs->active_fat = fs->mirror ? 0 : b[40] & 0x0F;
	fs->root_cl = get_le32(b + 44);
	fs->fsinfo_sec = get_le16(b + 48);
	fs->free_count = -1;
	fs->hint = 2;
	memcpy(fs->label, b + 71, 11);
	for (int i = 10; i >= 0 && fs->label[i] == ' '; i--)
		fs->label[i] = '\0';
	free(h);
	if (fs->active_fat >= fs->nfats)
		rc = hwf_err_set(e, HWF_EFORMAT, "bad FAT32 boot sector: active FAT %u of %u",
				 fs->active_fat, fs->nfats);
	else if (!cluster_ok(fs, fs->root_cl))
		rc =
		    hwf_err_set(e, HWF_EFORMAT,
				"bad FAT32 boot sector: root directory cluster %u is outside 2..%u",
				fs->root_cl, fs->nclusters + 1);
	if (!rc) {
		fs->win = malloc((size_t)WIN_ENTRIES * 4);
		fs->io = malloc(IO_BUF);
		if (!fs->win || !fs->io)
			rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	if (rc) {
		hwf_fat_close(fs);
		return rc;
	}
	*out = fs;
	return 0;
}

void hwf_fat_close(struct hwf_fat *fs)
{
	if (!fs)
		return;
	if (fs->win)
		hwf_fat32_flush(fs, NULL);
	while (fs->srcs) {
		struct fat_src *s = fs->srcs;

		fs->srcs = s->next;
		free(s->runs);
		free(s);
	}
	free(fs->win);
	free(fs->io);
	free(fs);
}

uint64_t hwf_fat_free_bytes(struct hwf_fat *fs)
{
	uint32_t n;

	if (hwf_fat32_count_free(fs, &n, NULL))
		return 0;
	return (uint64_t)n * fs->csize;
}

uint32_t hwf_fat_cluster_size(const struct hwf_fat *fs)
{
	return fs->csize;
}

uint32_t hwf_fat_cluster_count(const struct hwf_fat *fs)
{
	return fs->nclusters;
}

const char *hwf_fat_label(const struct hwf_fat *fs)
{
	return fs->label;
}
