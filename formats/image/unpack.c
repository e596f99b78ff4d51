// SPDX-License-Identifier: MIT
/*
 * image unpack: sections, logical partitions or the expanded sparse image,
 * each file whole or not at all.
 */
#include "formats/image/unpack.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/image/liblp.h"
#include "formats/image/rdfolder.h"
#include "formats/image/rdtree.h"
#include "formats/image/sparse.h"
#include "formats/image/unpack_manifest.h"

#define COPY_BYTES (1u << 20)
/* A boot image's sections, the extra files of its manifest, and the manifest. */
#define UNPACK_MAX_FILES (HWF_BOOTIMG_MAX_SECTIONS + HWF_MF_MAX_RANGES + 1)

static void tell(const struct hwf_unpack_opts *o, enum hwf_unpack_event_kind kind,
		 const char *label, const struct hwf_unpack_file *file)
{
	struct hwf_unpack_event ev = {kind, label, file};

	if (o->event)
		o->event(o->ctx, &ev);
}

static int write_all(int fd, const uint8_t *p, size_t len, const char *path, struct hwf_err *e)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO, "%s: %s",
					   path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Bytes [@off, @off + @size) of @src into @fd. */
static int copy_range(struct hwf_source *src, uint64_t off, uint64_t size, int fd, const char *path,
		      struct hwf_err *e)
{
	uint8_t *buf = malloc(COPY_BYTES);
	int rc = 0;

	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (uint64_t done = 0; done < size && !rc;) {
		size_t want = size - done < COPY_BYTES ? (size_t)(size - done) : COPY_BYTES;

		rc = hwf_source_read_exact(src, buf, want, off + done, e);
		if (!rc)
			rc = write_all(fd, buf, want, path, e);
		done += want;
	}
	free(buf);
	return rc;
}

/*
 * Partition @p of @lp into @fd as lpunpack does: all-zero blocks are
 * skipped (holes), the file is sized at the end.
 */
static int copy_partition(struct hwf_lp *lp, uint32_t p, int fd, const char *path,
			  const struct hwf_unpack_opts *o, struct hwf_err *e)
{
	struct hwf_source *ps;
	uint8_t *buf = malloc(COPY_BYTES);
	uint64_t size;
	int rc = buf ? hwf_lp_open_partition(lp, p, &ps, e)
		     : hwf_err_set(e, HWF_ENOMEM, "out of memory");

	if (rc) {
		free(buf);
		return rc;
	}
	size = hwf_source_size(ps);
	for (uint64_t done = 0; done < size && !rc;) {
		size_t want = size - done < COPY_BYTES ? (size_t)(size - done) : COPY_BYTES;

		rc = hwf_source_read_exact(ps, buf, want, done, e);
		for (size_t at = 0; at < want && !rc;) {
			size_t n = want - at < 4096 ? want - at : 4096, z = 0;

			while (z < n && !buf[at + z])
				z++;
			if (z < n && lseek(fd, (off_t)(done + at), SEEK_SET) < 0)
				rc = hwf_err_set(e, HWF_EIO, "%s: %s", path, strerror(errno));
			else if (z < n)
				rc = write_all(fd, buf + at, n, path, e);
			at += n;
		}
		done += want;
		if (o->progress)
			o->progress(o->ctx, done, size);
	}
	if (!rc && ftruncate(fd, (off_t)size) < 0)
		rc = hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO, "%s: %s", path,
				 strerror(errno));
	hwf_source_close(ps);
	free(buf);
	return rc;
}

/* Write one planned file: section @sec of a boot image, partition @p of @lp, or the expansion. */
static int write_file(struct hwf_source *src, const struct hwf_unpack_opts *o,
		      const struct hwf_bootimg_section *sec, struct hwf_lp *lp, uint32_t p,
		      const struct hwf_unpack_file *file, const char *text, struct hwf_err *e)
{
	struct hwf_outfile f;
	int rc = hwf_outfile_create(&f, file->path, 0, o->files, e);

	if (rc)
		return rc;
	if (text) {
		rc = write_all(f.fd, (const uint8_t *)text, strlen(text), file->path, e);
	} else if (sec) {
		rc = copy_range(src, sec->offset, sec->size, f.fd, file->path, e);
	} else if (lp) {
		tell(o, HWF_UEV_STEP, file->part, NULL);
		rc = copy_partition(lp, p, f.fd, file->path, o, e);
		tell(o, HWF_UEV_STEP_END, NULL, NULL);
	} else {
		tell(o, HWF_UEV_STEP, "expanding", NULL);
		rc = hwf_sparse_expand(src, f.fd, o->progress, o->ctx, e);
		tell(o, HWF_UEV_STEP_END, NULL, NULL);
	}
	if (rc) {
		hwf_outfile_discard(&f);
		return rc;
	}
	return hwf_outfile_commit(&f, o->force ? 0 : HWF_OUTFILE_NOREPLACE, e);
}

/* DIR/<base name of the image without its extension>.raw */
static void raw_path(const struct hwf_unpack_opts *o, char *buf, size_t len)
{
	const char *base = strrchr(o->name, '/') ? strrchr(o->name, '/') + 1 : o->name;
	char stem[256], *dot;

	snprintf(stem, sizeof(stem), "%s", base);
	dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = '\0';
	snprintf(buf, len, "%s/%s.raw", o->dir, stem);
}

/* Letters, digits, '_', '-', '.'; not "." or "..": a name that stays inside DIR. */
static int file_name_ok(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

/* One file per logical partition: DIR/<name>.img. */
static int plan_super(struct hwf_lp *lp, const struct hwf_unpack_opts *o,
		      struct hwf_unpack_file *plan, struct hwf_err *e)
{
	const struct hwf_lp_metadata *m = hwf_lp_metadata(lp);

	if (hwf_lp_info(lp)->empty)
		return hwf_err_set(e, HWF_EINVAL,
				   "%s: a super_empty image holds only metadata, no partition data "
				   "to unpack",
				   o->name);
	for (uint32_t i = 0; i < m->npart; i++) {
		hwf_lp_partition_name(lp, i, plan[i].part, sizeof(plan[i].part));
		if (!file_name_ok(plan[i].part))
			return hwf_err_set(
			    e, HWF_EFORMAT,
			    "%s: logical partition %u is named \"%s\", which cannot be "
			    "a file name",
			    o->name, i, plan[i].part);
		for (uint32_t k = 0; k < i; k++)
			if (!strcmp(plan[k].part, plan[i].part))
				return hwf_err_set(e, HWF_EFORMAT,
						   "%s: two logical partitions are named %s",
						   o->name, plan[i].part);
		plan[i].section = plan[i].part;
		snprintf(plan[i].path, sizeof(plan[i].path), "%s/%s.img", o->dir, plan[i].part);
		plan[i].size = m->part[i].size;
	}
	return 0;
}

/*
 * The manifest and the files it names beyond the sections (trailer, vbmeta,
 * vendor_boot v4 ramdisks): planned after the sections, the manifest last.
 */
static int plan_manifest(struct hwf_source *src, const struct hwf_bootimg *b,
			 const struct hwf_unpack_opts *o, struct hwf_unpack_file *plan,
			 const struct hwf_bootimg_section **sec, struct hwf_bootimg_section *extra,
			 size_t *n, struct hwf_manifest **mf, struct hwf_mf_ranges *x, char **text,
			 struct hwf_err *e)
{
	size_t len;
	int rc;

	*mf = malloc(sizeof(**mf));
	if (!*mf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_manifest_from_image(src, b, *mf, x, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < x->n; i++) {
		extra[i].name = !strcmp(x->r[i].file, "trailer.bin")  ? "trailer"
				: !strcmp(x->r[i].file, "vbmeta.bin") ? "vbmeta"
								      : "vendor_ramdisk";
		extra[i].offset = x->r[i].off;
		extra[i].size = x->r[i].size;
		sec[*n] = &extra[i];
		snprintf(plan[*n].part, sizeof(plan[*n].part), "%s", x->r[i].file);
		plan[*n].section = extra[i].name[0] == 'v' && extra[i].name[1] == 'e' ? plan[*n].part
										     : extra[i].name;
		snprintf(plan[*n].path, sizeof(plan[*n].path), "%s/%s", o->dir, x->r[i].file);
		plan[(*n)++].size = x->r[i].size;
	}
	*text = hwf_manifest_format(*mf, &len);
	if (!*text)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	sec[*n] = NULL;
	plan[*n].section = "manifest";
	snprintf(plan[*n].path, sizeof(plan[*n].path), "%s/%s", o->dir, HWF_MANIFEST_NAME);
	plan[(*n)++].size = len;
	return 0;
}

/* The ramdisk folder's swap into place (see ramdisk_tree). */
struct rd_swap {
	char stage[HWF_PATH_MAX + 64]; /* DIR/.ramdisk.partial.XXXXXX */
	char new_dir[HWF_PATH_MAX + 96], new_list[HWF_PATH_MAX + 96], old_dir[HWF_PATH_MAX + 96];
	char dir[HWF_PATH_MAX + 64], list[HWF_PATH_MAX + 64];
	int had_dir;
	const char *failed; /* the name a rename failed on */
};

/*
 * The new folder and list in place of the old ones; the old folder goes
 * into the staging folder (removed with it).  Undone on failure.
 */
static int swap_in(void *arg)
{
	struct rd_swap *s = arg;
	int err;

	s->had_dir = lstat(s->dir, &(struct stat){0}) == 0;
	if (s->had_dir && rename(s->dir, s->old_dir)) {
		s->failed = s->dir;
		return -1;
	}
	if (rename(s->new_dir, s->dir)) {
		err = errno;
		s->failed = s->dir;
		goto undo_old;
	}
	if (rename(s->new_list, s->list)) {
		err = errno;
		s->failed = s->list;
		rename(s->dir, s->new_dir);
		goto undo_old;
	}
	return 0;
undo_old:
	if (s->had_dir)
		rename(s->old_dir, s->dir);
	errno = err;
	return -1;
}

static void stage_remove(const struct hwf_file_hooks *h, const char *stage)
{
	hwf_rdf_remove(stage);
	if (h && h->forget)
		h->forget(h->ctx, stage);
}

/*
 * The ramdisk as a folder too (DIR/ramdisk.d, its entry list DIR/ramdisk.list),
 * named in the manifest; a ramdisk that cannot be read that way (an unknown
 * compression, a broken archive) is noted in the manifest instead, and its
 * file alone is repacked.  Both are made in a staging folder
 * DIR/.ramdisk.partial.XXXXXX (made through the hooks, so that an
 * interruption removes it) and swapped into place once complete: with
 * force, an earlier folder and list are replaced then, never before.
 */
static int ramdisk_tree(struct hwf_source *src, const struct hwf_bootimg *b,
			const struct hwf_unpack_opts *o, struct hwf_manifest *mf, char **text,
			struct hwf_err *e)
{
	const struct hwf_bootimg_section *rd = hwf_bootimg_section(b, "ramdisk");
	const struct hwf_file_hooks *h = o->files;
	struct hwf_unpack_file file = {.section = "ramdisk_tree"};
	struct hwf_rdtree_info info;
	struct hwf_err why = {0};
	struct rd_swap *s;
	size_t len;
	int rc;

	if (b->vendor || !rd || !rd->size)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	snprintf(s->dir, sizeof(s->dir), "%s/ramdisk.d", o->dir);
	snprintf(s->list, sizeof(s->list), "%s/ramdisk.list", o->dir);
	snprintf(s->stage, sizeof(s->stage), "%s/.ramdisk.partial.XXXXXX", o->dir);
	if (h && h->mkdtemp ? h->mkdtemp(h->ctx, s->stage) : !mkdtemp(s->stage)) {
		rc = hwf_err_set(e, HWF_EIO, "%s: cannot make a folder there: %s", o->dir,
				 strerror(errno));
		free(s);
		return rc;
	}
	snprintf(s->new_dir, sizeof(s->new_dir), "%s/ramdisk.d", s->stage);
	snprintf(s->new_list, sizeof(s->new_list), "%s/ramdisk.list", s->stage);
	snprintf(s->old_dir, sizeof(s->old_dir), "%s/old.d", s->stage);
	rc = hwf_rdtree_extract(src, rd->offset, rd->size, s->new_dir, s->new_list, &info, &why);
	if (rc == HWF_EIO || rc == HWF_ENOSPC || rc == HWF_ENOMEM) {
		*e = why;
		goto out;
	}
	if (rc) {
		snprintf(mf->ramdisk_tree_note, sizeof(mf->ramdisk_tree_note),
			 "not unpacked as a folder: %.160s%s", why.msg,
			 lstat(s->dir, &(struct stat){0})
			     ? ""
			     : " (the ramdisk.d there is older and not used)");
		rc = 0;
		goto out;
	}
	rc = h && h->atomic ? h->atomic(h->ctx, swap_in, s) : swap_in(s);
	if (rc) {
		rc = hwf_err_set(e, HWF_EIO, "%s: cannot put the new ramdisk folder in place: %s",
				 s->failed, strerror(errno));
		goto out;
	}
	snprintf(mf->ramdisk_tree, sizeof(mf->ramdisk_tree), "ramdisk.d");
	snprintf(mf->ramdisk_list, sizeof(mf->ramdisk_list), "ramdisk.list");
	snprintf(file.path, sizeof(file.path), "%s", s->dir);
	file.size = info.entries;
	tell(o, HWF_UEV_WRITTEN, NULL, &file);
out:
	stage_remove(h, s->stage);
	free(s);
	if (rc)
		return rc;
	free(*text);
	*text = hwf_manifest_format(mf, &len);
	return *text ? 0 : hwf_err_set(e, HWF_ENOMEM, "out of memory");
}

void hwf_unpack_result_free(struct hwf_unpack_result *res)
{
	free(res->file);
	res->file = NULL;
	res->nfiles = 0;
}

int hwf_image_unpack(struct hwf_source *src, const struct hwf_unpack_opts *o,
		     struct hwf_unpack_result *res, struct hwf_err *e)
{
	const struct hwf_bootimg_section *sec[UNPACK_MAX_FILES] = {NULL};
	struct hwf_unpack_file *plan;
	struct hwf_lp *lp = NULL;
	struct hwf_bootimg b;
	struct hwf_bootimg_section extra[HWF_MF_MAX_RANGES];
	struct hwf_manifest *mf = NULL;
	struct hwf_mf_ranges x = {0};
	char *text = NULL;
	size_t n = 0;
	struct stat st;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (hwf_lp_probe(src)) {
		rc = hwf_lp_open(&lp, src, 0, e);
		if (rc)
			return rc;
		res->super = 1;
		res->sparse = hwf_lp_info(lp)->sparse;
		n = hwf_lp_metadata(lp)->npart;
	} else {
		res->sparse = hwf_sparse_validate(src, NULL, NULL) == 0;
	}
	plan = calloc(lp || res->sparse ? (n ? n : 1) : UNPACK_MAX_FILES, sizeof(*plan));
	if (!plan) {
		hwf_lp_close(lp);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	res->file = plan;
	if (lp) {
		rc = plan_super(lp, o, plan, e);
	} else if (res->sparse) {
		plan[0].section = "expanded";
		raw_path(o, plan[0].path, sizeof(plan[0].path));
		plan[0].size = 0;
		n = 1;
	} else {
		rc = hwf_bootimg_parse(src, &b, e);
		if (!rc && b.needed > hwf_source_size(src))
			rc = hwf_err_set(e, HWF_ETRUNC,
					 "%s: truncated: header says %llu bytes, file has %llu",
					 o->name, (unsigned long long)b.needed,
					 (unsigned long long)hwf_source_size(src));
		res->vendor = !rc && b.vendor;
		for (size_t i = 0; !rc && i < b.nsec; i++) {
			if (!b.sec[i].size)
				continue;
			sec[n] = &b.sec[i];
			plan[n].section = b.sec[i].name;
			snprintf(plan[n].path, sizeof(plan[n].path), "%s/%s", o->dir,
				 b.sec[i].name);
			plan[n++].size = b.sec[i].size;
		}
		if (!rc && o->manifest)
			rc = plan_manifest(src, &b, o, plan, sec, extra, &n, &mf, &x, &text, e);
	}
	/* Settled before the first file is written: nothing is replaced without force. */
	for (size_t i = 0; !rc && i < n && !o->force; i++)
		if (lstat(plan[i].path, &st) == 0)
			rc = hwf_err_set(e, HWF_EEXIST, "%s: exists; not replaced (use --force)",
					 plan[i].path);
	for (size_t i = 0; !rc && text && !o->force && i < 2; i++) {
		char p[HWF_PATH_MAX + 64];

		snprintf(p, sizeof(p), "%s/%s", o->dir, i ? "ramdisk.list" : "ramdisk.d");
		if (lstat(p, &st) == 0)
			rc = hwf_err_set(e, HWF_EEXIST, "%s: exists; not replaced (use --force)", p);
	}
	if (!rc)
		rc = hwf_mkdirs(o->dir, e);
	for (size_t i = 0; i < n && !rc; i++) {
		if (text && i + 1 == n)
			rc = ramdisk_tree(src, &b, o, mf, &text, e);
		if (!rc)
			rc = write_file(src, o, sec[i], lp, (uint32_t)i, &plan[i],
					text && i + 1 == n ? text : NULL, e);
		if (rc)
			break;
		if (!sec[i] && !lp)
			plan[i].size = stat(plan[i].path, &st) == 0 ? (uint64_t)st.st_size : 0;
		res->nfiles++;
		tell(o, HWF_UEV_WRITTEN, NULL, &plan[i]);
	}
	hwf_lp_close(lp);
	free(mf);
	free(text);
	return rc;
}
