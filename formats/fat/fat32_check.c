// SPDX-License-Identifier: MIT
/*
 * Before a card is trusted or erased: is a FAT32 volume sound (every chain
 * walked, bounded, loops and cross-links named, as fsck.fat would), and is
 * a target a card at all (decided from its bytes, never from its name).
 */
#include "formats/fat/fat32_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/image/sniff.h"

/* --- the volume --------------------------------------------------------- */

#define CHECK_DEPTH 32 /* folders below the root */
#define FOUND	    1  /* second pass: the first owner of a cluster was found */

struct vcheck {
	struct hwf_fat *fs;
	uint8_t *seen;	/* a bit per cluster already in a chain */
	uint32_t find;	/* second pass: the cluster whose first owner is wanted */
	uint32_t cross; /* first pass: the cluster found in two chains */
	char cross_what[PATH_MAX_BYTES + 16];
	char owner[PATH_MAX_BYTES + 16];
	int depth;
};

/* Mark the chain from @first (already checked sound), or look for v->find in it. */
static int visit_chain(struct vcheck *v, uint32_t first, const char *what, struct hwf_err *e)
{
	uint32_t c = first;

	for (uint32_t n = 0; c && n <= v->fs->nclusters; n++) {
		uint8_t bit = (uint8_t)(1u << (c & 7));
		int rc;

		if (v->find) {
			if (c == v->find) {
				snprintf(v->owner, sizeof(v->owner), "%s", what);
				return FOUND;
			}
		} else if (v->seen[c >> 3] & bit) {
			v->cross = c;
			snprintf(v->cross_what, sizeof(v->cross_what), "%s", what);
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: cluster %u belongs to another file or folder too "
					   "(cross-linked)",
					   what, c);
		} else {
			v->seen[c >> 3] |= bit;
		}
		rc = hwf_fat32_chain_next(v->fs, c, &c, e);
		if (rc)
			return rc;
	}
	return 0;
}

static int check_dir(struct vcheck *v, uint32_t dir_cl, const char *path, struct hwf_err *e);

struct entry_ctx {
	struct vcheck *v;
	const char *path;
};

static int check_entry(void *ctx, const struct dir_ent *de, struct hwf_err *e)
{
	struct entry_ctx *x = ctx;
	struct vcheck *v = x->v;
	char *child;
	uint32_t len;
	int rc;

	if ((de->raw[11] & (ATTR_LABEL | ATTR_DIR)) == ATTR_LABEL || de->raw[0] == '.')
		return 0;
	child = malloc(PATH_MAX_BYTES + 16);
	if (!child)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	/* Names are for messages only: a path cut short at PATH_MAX_BYTES does no harm. */
	snprintf(child, PATH_MAX_BYTES, "%s%s%s", x->path, x->path[0] ? "/" : "", de->d.name);
	if (de->d.is_dir) {
		if (v->depth >= CHECK_DEPTH)
			rc = hwf_err_set(e, HWF_EFORMAT, "folder %s: folders nested deeper than %d",
					 child, CHECK_DEPTH);
		else if (!de->d.first_cluster)
			rc = hwf_err_set(e, HWF_EFORMAT, "folder %s: its entry names no cluster",
					 child);
		else
			rc = check_dir(v, de->d.first_cluster, child, e);
	} else {
		rc = hwf_fat32_check_file_chain(v->fs, child, de->d.first_cluster, de->d.size, &len,
						e);
		if (!rc && de->d.first_cluster)
			rc = visit_chain(v, de->d.first_cluster, child, e);
	}
	free(child);
	return rc;
}

static int check_dir(struct vcheck *v, uint32_t dir_cl, const char *path, struct hwf_err *e)
{
	struct entry_ctx x = {v, path};
	char what[PATH_MAX_BYTES + 16];
	uint32_t len;
	int rc;

	snprintf(what, sizeof(what), path[0] ? "folder %s" : "root directory", path);
	rc = hwf_fat32_chain_check(v->fs, dir_cl, what, &len, e);
	if (!rc)
		rc = visit_chain(v, dir_cl, what, e);
	if (rc)
		return rc;
	v->depth++;
	rc = hwf_fat32_dir_walk(v->fs, dir_cl, path, strlen(path), check_entry, &x, e);
	v->depth--;
	return rc;
}

int hwf_fat_check(struct hwf_fat *fs, struct hwf_err *e)
{
	struct vcheck *v = calloc(1, sizeof(*v));
	struct hwf_err e2 = {0};
	int rc;

	if (!v)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	v->fs = fs;
	v->seen = calloc(1, ((size_t)fs->nclusters + 2 + 7) / 8);
	if (!v->seen) {
		free(v);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	rc = check_dir(v, fs->root_cl, "", e);
	if (rc == HWF_EFORMAT && v->cross) {
		/* Walk again, in the same order, to name the chain that had the cluster first. */
		v->find = v->cross;
		v->depth = 0;
		if (check_dir(v, fs->root_cl, "", &e2) == FOUND)
			rc =
			    hwf_err_set(e, HWF_EFORMAT, "%s and %s share cluster %u (cross-linked)",
					v->owner, v->cross_what, v->cross);
	}
	free(v->seen);
	free(v);
	return rc;
}

/* --- is a target a card? ------------------------------------------------ */

#define HEAD_LEN   (1024u * 1024u) /* what an MBR card keeps before its partition */
#define SAMPLES	   255
#define SAMPLE_LEN 4096u
#define TAIL_LEN   (64u * 1024u)
#define EXTENTS	   1024u /* data extents of a sparse file looked at */

static int fd_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	return hwf_fat32_read(*(const int *)ctx, buf, len, off, 1, e);
}

/* The first byte of @len at @off that is not @fill, or UINT64_MAX. */
static int first_other(int fd, uint8_t *buf, size_t len, uint64_t off, uint8_t fill, uint64_t *at,
		       struct hwf_err *e)
{
	int rc = hwf_fat32_read(fd, buf, len, off, 1, e);

	*at = UINT64_MAX;
	if (rc)
		return rc;
	for (size_t i = 0; i < len; i++)
		if (buf[i] != fill) {
			*at = off + i;
			break;
		}
	return 0;
}

/*
 * Is every byte @fill where we look: the first MiB, the last 64 KiB, 4 KiB
 * at 255 points spread over the rest and, in a sparse file, the start of
 * each of its first 1024 data extents?  Reading a whole card or image to
 * be sure would take minutes; a file that holds data (a partition dump)
 * holds it in more than a few places, and these reads take well under a
 * second even on a card.  *at is the first other byte found.
 */
static int uniform(int fd, uint64_t size, uint8_t fill, uint64_t *at, struct hwf_err *e)
{
	uint8_t *buf = malloc(HEAD_LEN);
	struct stat st;
	int rc;

	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = first_other(fd, buf, size < HEAD_LEN ? (size_t)size : HEAD_LEN, 0, fill, at, e);
	if (!rc && !fstat(fd, &st) && S_ISREG(st.st_mode)) {
		off_t pos = HEAD_LEN;

		for (uint32_t i = 0; !rc && *at == UINT64_MAX && i < EXTENTS; i++) {
			off_t d = (uint64_t)pos < size ? lseek(fd, pos, SEEK_DATA) : -1, h;

			if (d < 0)
				break; /* no data past @pos, or no SEEK_DATA here */
			h = lseek(fd, d, SEEK_HOLE);
			rc = first_other(
			    fd, buf, (uint64_t)(h - d) < SAMPLE_LEN ? (size_t)(h - d) : SAMPLE_LEN,
			    (uint64_t)d, fill, at, e);
			if (h <= d)
				break;
			pos = h;
		}
	}
	for (uint32_t i = 1; !rc && *at == UINT64_MAX && i <= SAMPLES; i++) {
		/* 4 KiB aligned points; the last ones may fall into the tail, read below anyway. */
		uint64_t off = size / (SAMPLES + 1) * i / SAMPLE_LEN * SAMPLE_LEN;

		if (off < size)
			rc = first_other(
			    fd, buf, size - off < SAMPLE_LEN ? (size_t)(size - off) : SAMPLE_LEN,
			    off, fill, at, e);
	}
	if (!rc && *at == UINT64_MAX && size > HEAD_LEN) {
		uint64_t off = size - TAIL_LEN < HEAD_LEN ? HEAD_LEN : size - TAIL_LEN;

		rc = first_other(fd, buf, (size_t)(size - off), off, fill, at, e);
	}
	free(buf);
	return rc;
}

static void set_class(struct hwf_card_class *out, enum hwf_card_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_class(struct hwf_card_class *out, enum hwf_card_kind kind, const char *fmt, ...)
{
	va_list ap;

	out->kind = kind;
	va_start(ap, fmt);
	vsnprintf(out->what, sizeof(out->what), fmt, ap);
	va_end(ap);
}

int hwf_card_classify(int fd, uint64_t size, struct hwf_card_class *out, struct hwf_err *e)
{
	struct hwf_source *src;
	struct hwf_disk_probe p;
	struct hwf_sniff sn;
	uint64_t at;
	uint8_t fill;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!size) {
		set_class(out, HWF_CARD_BLANK, "empty (0 bytes)");
		return 0;
	}
	/* Firmware, archives and images first: their magic outranks a stray 55 AA. */
	rc = hwf_source_open_callback(&src, size, "target", fd_read, &fd, e);
	if (rc)
		return rc;
	rc = hwf_sniff_source(src, &sn, e);
	hwf_source_close(src);
	if (rc)
		return rc;
	switch (sn.kind) {
	case HWF_KIND_UPDATE_APP:
	case HWF_KIND_BOOTIMG:
	case HWF_KIND_VENDOR_BOOT:
	case HWF_KIND_SPARSE:
	case HWF_KIND_VBMETA:
	case HWF_KIND_AVB_FOOTER:
	case HWF_KIND_ZIP:
	case HWF_KIND_GZIP:
	case HWF_KIND_LZ4:
	case HWF_KIND_ELF: set_class(out, HWF_CARD_FOREIGN, "%s", hwf_kind_name(sn.kind)); return 0;
	default: break;
	}
	rc = hwf_disk_probe(fd, size, &p, e);
	if (rc)
		return rc;
	if (p.pt == HWF_PT_NONE && (p.fs == HWF_FS_FAT12 || p.fs == HWF_FS_FAT16 ||
				    p.fs == HWF_FS_FAT32 || p.fs == HWF_FS_EXFAT)) {
		set_class(out, HWF_CARD_IMAGE, "%s file system without a partition table",
			  hwf_fs_kind_name(p.fs));
		return 0;
	}
	if (p.pt == HWF_PT_MBR || p.pt == HWF_PT_GPT) {
		if (p.part_count)
			set_class(out, HWF_CARD_IMAGE, "%s partition table, first partition %s",
				  hwf_pt_kind_name(p.pt), hwf_fs_kind_name(p.fs));
		else
			set_class(out, HWF_CARD_IMAGE, "%s partition table without partitions",
				  hwf_pt_kind_name(p.pt));
		return 0;
	}
	if (p.pt == HWF_PT_UNKNOWN && p.part_type == 0xEE) {
		set_class(out, HWF_CARD_IMAGE,
			  "protective MBR of a GPT disk (its GPT header is gone)");
		return 0;
	}
	if (p.fs == HWF_FS_EXT || sn.kind == HWF_KIND_EXT4) {
		set_class(out, HWF_CARD_FOREIGN,
			  "ext2/3/4 file system image without a partition "
			  "table (a phone partition?)");
		return 0;
	}
	if (p.fs == HWF_FS_NTFS) {
		set_class(out, HWF_CARD_FOREIGN, "NTFS file system without a partition table");
		return 0;
	}
	if (p.fs == HWF_FS_EMPTY || sn.kind == HWF_KIND_ZEROS || sn.kind == HWF_KIND_FFS) {
		fill = sn.kind == HWF_KIND_FFS ? 0xFF : 0x00;
		rc = uniform(fd, size, fill, &at, e);
		if (rc)
			return rc;
		if (at == UINT64_MAX)
			set_class(out, HWF_CARD_BLANK, "%s",
				  fill ? "all 0xFF (erased)" : "all zero");
		else
			set_class(
			    out, HWF_CARD_FOREIGN,
			    "unrecognised data: neither a partition table nor a FAT file system "
			    "(%s at the start, data at byte %llu)",
			    fill ? "0xFF" : "zero", (unsigned long long)at);
		return 0;
	}
	if (sn.kind == HWF_KIND_HTML || sn.kind == HWF_KIND_TEXT)
		set_class(out, HWF_CARD_FOREIGN, "%s starting with `%s`", hwf_kind_name(sn.kind),
			  sn.detail);
	else
		set_class(out, HWF_CARD_FOREIGN,
			  "unrecognised data: neither a partition table nor a FAT file system");
	return 0;
}
