// SPDX-License-Identifier: MIT
/*
 * FAT32 file data: writing a source into contiguous (or, failing that,
 * first-fit) clusters through a 1 MiB buffer, and reading a file back as a
 * thread-safe random-access source.
 */
#include "formats/fat/fat32_int.h"

#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"

/* Write @size bytes of @src into @need free clusters; *first is the chain. */
static int write_data(struct hwf_fat *fs, struct hwf_source *src, uint64_t size, uint32_t need,
		      uint32_t *first, hwf_progress_fn progress, void *pctx, struct hwf_err *e)
{
	uint32_t cursor = 2, prev = 0, start, len;
	uint64_t done = 0;
	int rc;

	*first = 0;
	/* The first free run that holds the whole file, if there is one. */
	for (uint32_t c = 2;; c = start + len) {
		rc = hwf_fat32_find_free_run(fs, c, need, &start, &len, e);
		if (rc)
			return rc;
		if (!start)
			break;
		if (len == need) {
			cursor = start;
			break;
		}
	}
	while (need) {
		rc = hwf_fat32_find_free_run(fs, cursor, need, &start, &len, e);
		if (!rc && !start)
			rc = hwf_err_set(e, HWF_ENOSPC, "the volume filled up while writing");
		for (uint64_t at = 0, run = (uint64_t)len * fs->csize; !rc && at < run;) {
			size_t n = run - at < IO_BUF ? (size_t)(run - at) : IO_BUF;
			size_t data = size - done < n ? (size_t)(size - done) : n;

			rc = hwf_source_read_exact(src, fs->io, data, done, e);
			if (rc)
				break;
			memset(fs->io + data, 0, n - data); /* the rest of the last cluster */
			rc = hwf_fat32_write(fs->fd, fs->io, n, cluster_off(fs, start) + at, e);
			at += n;
			done += data;
			if (!rc && progress)
				progress(pctx, done, size);
		}
		for (uint32_t i = 0; i < len && !rc; i++)
			rc = hwf_fat32_set(fs, start + i, i + 1 < len ? start + i + 1 : FAT_EOC, e);
		if (!rc && prev)
			rc = hwf_fat32_set(fs, prev, start, e);
		if (rc)
			break;
		if (!prev)
			*first = start;
		prev = start + len - 1;
		need -= len;
		cursor = start + len;
		fs->hint = cursor;
		if (fs->free_count >= 0)
			fs->free_count -= len;
	}
	if (rc && *first)
		hwf_fat32_free_chain(fs, *first); /* the run that failed is not linked in yet */
	if (rc)
		*first = 0;
	return rc;
}

int hwf_fat_write_file(struct hwf_fat *fs, const char *path, struct hwf_source *src,
		       hwf_progress_fn progress, void *pctx, struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src);
	struct hwf_fat32_create *cr;
	uint32_t nfree, need, first = 0;
	uint8_t ent[32];
	int rc;

	if (!fs->writable)
		return hwf_err_set(e, HWF_EINVAL, "the volume was opened read-only");
	if (size > UINT32_MAX)
		return hwf_err_set(e, HWF_ENOSPC,
				   "%s is %llu bytes; FAT32 cannot hold files of 4 GiB or more",
				   hwf_source_name(src), (unsigned long long)size);
	need = (uint32_t)((size + fs->csize - 1) / fs->csize);
	cr = malloc(sizeof(*cr));
	if (!cr)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_fat32_create_prepare(fs, path, cr, e);
	if (!rc)
		rc = hwf_fat32_count_free(fs, &nfree, e);
	if (!rc && (uint64_t)need + cr->plan.grow > nfree)
		rc = hwf_err_set(e, HWF_ENOSPC,
				 "%s does not fit: it needs %llu bytes (%u clusters of %u bytes), "
				 "the volume has %llu bytes free",
				 path, (unsigned long long)(need + cr->plan.grow) * fs->csize,
				 need + cr->plan.grow, fs->csize,
				 (unsigned long long)nfree * fs->csize);
	if (!rc && need)
		rc = write_data(fs, src, size, need, &first, progress, pctx, e);
	if (!rc) {
		hwf_fat32_make_short(ent, cr->nn.sfn, ATTR_ARCHIVE, first, (uint32_t)size);
		rc = hwf_fat32_create_commit(fs, cr, ent, e);
		if (rc && first)
			hwf_fat32_free_chain(fs, first);
	}
	if (!rc && !need && progress)
		progress(pctx, 0, 0);
	free(cr);
	return rc;
}

/* --- reading files --------------------------------------------------------- */

static int fat_src_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	const struct fat_src *s = ctx;
	const struct hwf_fat *fs = s->fs;
	uint8_t *p = buf;

	while (len) {
		uint32_t fcl = (uint32_t)(off / fs->csize), lo = 0, hi = s->nruns - 1, end;
		uint64_t avail, at;
		size_t n;
		int rc;

		if (off >= s->size)
			return hwf_err_set(e, HWF_ETRUNC, "read past the end of the file");
		while (lo < hi) { /* the last run starting at or before fcl */
			uint32_t mid = lo + (hi - lo + 1) / 2;

			if (s->runs[mid].file_cl <= fcl)
				lo = mid;
			else
				hi = mid - 1;
		}
		end = lo + 1 < s->nruns ? s->runs[lo + 1].file_cl : s->nclusters;
		avail = (uint64_t)end * fs->csize - off;
		n = len < avail ? len : (size_t)avail;
		at = cluster_off(fs, s->runs[lo].disk_cl + (fcl - s->runs[lo].file_cl)) +
		     off % fs->csize;
		rc = hwf_fat32_read(fs->fd, p, n, at, 0, e);
		if (rc)
			return rc;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* See fat32_int.h. */
int hwf_fat32_check_file_chain(struct hwf_fat *fs, const char *path, uint32_t first, uint64_t size,
			       uint32_t *len, struct hwf_err *e)
{
	uint64_t need = (size + fs->csize - 1) / fs->csize;
	int rc;

	*len = 0;
	if (!first && !need)
		return 0;
	if (!first)
		return hwf_err_set(e, HWF_EFORMAT, "%s: %llu bytes, but no cluster holds them",
				   path, (unsigned long long)size);
	rc = hwf_fat32_chain_check(fs, first, path, len, e);
	if (rc)
		return rc;
	if (*len < need)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: its cluster chain ends after %u clusters, its size (%llu "
				   "bytes) needs %llu",
				   path, *len, (unsigned long long)size, (unsigned long long)need);
	if (*len > need)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: its cluster chain has %u clusters, its size (%llu bytes) "
				   "needs %llu",
				   path, *len, (unsigned long long)size, (unsigned long long)need);
	return 0;
}

int hwf_fat_open_source(struct hwf_fat *fs, const char *path, struct hwf_source **out,
			struct hwf_err *e)
{
	struct fat_src *s;
	struct dir_ent de;
	uint32_t c, cap = 0, last = 0, len;
	int rc;

	*out = NULL;
	rc = hwf_fat32_resolve(fs, path, strlen(path), &de, e);
	if (rc)
		return rc;
	if (de.d.is_dir)
		return hwf_err_set(e, HWF_EINVAL, "%s is a folder, not a file", path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	s->fs = fs;
	s->size = de.d.size;
	s->nclusters = (uint32_t)((s->size + fs->csize - 1) / fs->csize);
	c = de.d.first_cluster;
	if (s->nclusters > fs->nclusters)
		rc = hwf_err_set(e, HWF_EFORMAT,
				 "%s: its size (%llu bytes) is larger than the volume", path,
				 (unsigned long long)s->size);
	else if (c || s->nclusters)
		rc = hwf_fat32_check_file_chain(fs, path, c, s->size, &len, e);
	for (uint32_t i = 0; i < s->nclusters && !rc; i++) {
		if (!s->nruns || c != last + 1) {
			if (s->nruns == cap) {
				struct src_run *r;

				cap = cap ? cap * 2 : 4;
				r = realloc(s->runs, cap * sizeof(*r));
				if (!r) {
					rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
					break;
				}
				s->runs = r;
			}
			s->runs[s->nruns].file_cl = i;
			s->runs[s->nruns++].disk_cl = c;
		}
		last = c;
		if (i + 1 < s->nclusters) {
			rc = hwf_fat32_chain_next(fs, c, &c, e);
			if (rc)
				hwf_err_prefix(e, "%s", path);
		}
	}
	if (!rc)
		rc = hwf_source_open_callback(out, s->size, path, fat_src_read, s, e);
	if (rc) {
		free(s->runs);
		free(s);
		return rc;
	}
	s->next = fs->srcs;
	fs->srcs = s;
	return 0;
}
