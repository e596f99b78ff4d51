// SPDX-License-Identifier: MIT
/*
 * image repack: a boot or vendor_boot image rebuilt from its unpacked
 * folder, laid out as mkbootimg lays it out (fastboot-protocol.md 6.1): the
 * header page(s), then each section padded to the page size; the trailer;
 * the AVB part as avbtool add_hash_footer lays it out.
 */
#include "formats/image/repack.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/image/avb.h"
#include "formats/image/manifest.h"
#include "formats/image/repack_tree.h"

#define COPY_BYTES (1u << 20)

struct job {
	const struct hwf_repack_opts *o;
	struct hwf_repack_result *res;
	struct hwf_manifest *m;
	char root[PATH_MAX];
	struct hwf_source *sec[HWF_MF_NSEC];
	struct hwf_source *vrd[HWF_MF_MAX_VRD];
	struct hwf_source *trailer, *vbmeta;
	struct hwf_repack_tree tree; /* a ramdisk packed from its folder */
	uint64_t size[HWF_MF_NSEC];
	uint8_t *table; /* vendor_boot v4 ramdisk table, built from the manifest */
	EVP_MD_CTX *md; /* the v0-v2 id */
	uint8_t *buf;
	int fd;
	const char *out;
	uint64_t pos, total;
};

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/*
 * Open DIR/@name for @key: it must exist, be a regular file, and stay inside
 * the folder once symlinks are followed.
 */
static int open_in(struct job *j, const char *key, const char *name, struct hwf_source **out,
		   struct hwf_err *e)
{
	char path[HWF_PATH_MAX + HWF_MF_FILE_MAX + 2], real[PATH_MAX];
	size_t n = strlen(j->root);
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", j->o->dir, name);
	if (lstat(path, &st) != 0)
		return hwf_err_set(e, errno == ENOENT ? HWF_ENOTFOUND : HWF_EIO,
				   "%s: %s (%s/%s names it as %s)", path,
				   errno == ENOENT ? "missing" : strerror(errno), j->o->dir,
				   HWF_MANIFEST_NAME, key);
	if (!realpath(path, real))
		return hwf_err_set(e, HWF_ENOTFOUND, "%s: a symlink to nothing (%s)", path,
				   strerror(errno));
	if (strncmp(real, j->root, n) || real[n] != '/')
		return hwf_err_set(
		    e, HWF_EINVAL,
		    "%s: a symlink pointing outside the folder (to %s); copy the file "
		    "into the folder",
		    path, real);
	if (stat(real, &st) != 0 || !S_ISREG(st.st_mode))
		return hwf_err_set(e, HWF_EINVAL, "%s: not a regular file", path);
	return hwf_source_open_file(out, real, e);
}

/* Every file the manifest names, opened; the sizes checked against their header fields. */
static int open_all(struct job *j, struct hwf_err *e)
{
	struct hwf_manifest *m = j->m;
	int rc = 0;

	for (int s = 0; s < HWF_MF_NSEC && !rc; s++) {
		if (!m->file[s][0])
			continue;
		rc = open_in(j, hwf_mf_sec_name(s), m->file[s], &j->sec[s], e);
		if (!rc)
			j->size[s] = hwf_source_size(j->sec[s]);
	}
	for (size_t i = 0; i < m->nvrd && !rc; i++) {
		rc = open_in(j, "a vendor ramdisk", m->vrd[i].file, &j->vrd[i], e);
		if (!rc && hwf_source_size(j->vrd[i]) > UINT32_MAX - j->size[HWF_MF_VENDOR_RAMDISK])
			rc =
			    hwf_err_set(e, HWF_EINVAL,
					"%s/%s: the vendor ramdisks do not fit the header's 32-bit "
					"size",
					j->o->dir, m->vrd[i].file);
		if (!rc)
			j->size[HWF_MF_VENDOR_RAMDISK] += hwf_source_size(j->vrd[i]);
	}
	if (m->has_vrd_table)
		j->size[HWF_MF_VENDOR_RAMDISK_TABLE] = (uint64_t)m->nvrd * m->vrd_entry_size;
	if (!rc && m->avb.present) {
		rc = open_in(j, "avb.vbmeta", m->avb.vbmeta, &j->vbmeta, e);
		if (!rc && hwf_source_size(j->vbmeta) > (1u << 20))
			rc = hwf_err_set(e, HWF_EINVAL, "%s/%s: %llu bytes: not a vbmeta blob",
					 j->o->dir, m->avb.vbmeta,
					 (unsigned long long)hwf_source_size(j->vbmeta));
	}
	if (!rc && j->o->append_signature)
		rc = hwf_source_open_file(&j->trailer, j->o->append_signature, e);
	else if (!rc && m->trailer[0])
		rc = open_in(j, "trailer", m->trailer, &j->trailer, e);
	for (int s = 0; s < HWF_MF_NSEC && !rc; s++)
		if (j->size[s] > UINT32_MAX)
			rc = hwf_err_set(e, HWF_EINVAL,
					 "%s/%s: %llu bytes do not fit the header's 32-bit size",
					 j->o->dir, m->file[s], (unsigned long long)j->size[s]);
	if (!rc && m->file[HWF_MF_DT][0] && j->size[HWF_MF_DT] <= 4)
		rc = hwf_err_set(e, HWF_EINVAL,
				 "%s/%s: a legacy dt of %llu bytes cannot be told from a header "
				 "version",
				 j->o->dir, m->file[HWF_MF_DT],
				 (unsigned long long)j->size[HWF_MF_DT]);
	return rc;
}

static uint64_t header_bytes(const struct hwf_manifest *m)
{
	if (!m->vendor)
		return m->page_size;
	return round_up(m->header_size > 2128 ? m->header_size : 2128, m->page_size);
}

static void put_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
	memcpy(dst, src, n);
}

/* The header of @m with the sizes in j->size and the @id (v0-v2). */
static void build_header(const struct job *j, uint8_t *h, const uint8_t *id)
{
	const struct hwf_manifest *m = j->m;
	const uint64_t *z = j->size;
	uint32_t b = (uint32_t)m->base;

	if (m->vendor) {
		memcpy(h, "VNDRBOOT", 8);
		put_le32(h + 8, m->header_version);
		put_le32(h + 12, m->page_size);
		put_le32(h + 16, b + (uint32_t)m->kernel_offset);
		put_le32(h + 20, b + (uint32_t)m->ramdisk_offset);
		put_le32(h + 24, (uint32_t)z[HWF_MF_VENDOR_RAMDISK]);
		put_bytes(h + 28, m->cmdline, m->cmdline_len);
		put_le32(h + 2076, b + (uint32_t)m->tags_offset);
		put_bytes(h + 2080, m->name, m->name_len);
		put_le32(h + 2096, m->header_size);
		put_le32(h + 2100, (uint32_t)z[HWF_MF_DTB]);
		put_le64(h + 2104, m->base + m->dtb_offset);
		if (m->header_version == 4) {
			put_le32(h + 2112, (uint32_t)z[HWF_MF_VENDOR_RAMDISK_TABLE]);
			put_le32(h + 2116, m->has_vrd_table ? (uint32_t)m->nvrd : 0);
			put_le32(h + 2120, m->has_vrd_table ? m->vrd_entry_size : 0);
			put_le32(h + 2124, (uint32_t)z[HWF_MF_BOOTCONFIG]);
		}
		return;
	}
	memcpy(h, "ANDROID!", 8);
	put_le32(h + 8, (uint32_t)z[HWF_MF_KERNEL]);
	if (m->header_version >= 3) {
		put_le32(h + 12, (uint32_t)z[HWF_MF_RAMDISK]);
		put_le32(h + 16, m->os_version);
		put_le32(h + 20, m->header_size);
		put_le32(h + 40, m->header_version);
		put_bytes(h + 44, m->cmdline, m->cmdline_len);
		if (m->header_version == 4)
			put_le32(h + 1580, (uint32_t)z[HWF_MF_SIGNATURE]);
		return;
	}
	put_le32(h + 12, b + (uint32_t)m->kernel_offset);
	put_le32(h + 16, (uint32_t)z[HWF_MF_RAMDISK]);
	put_le32(h + 20, b + (uint32_t)m->ramdisk_offset);
	put_le32(h + 24, (uint32_t)z[HWF_MF_SECOND]);
	put_le32(h + 28, b + (uint32_t)m->second_offset);
	put_le32(h + 32, b + (uint32_t)m->tags_offset);
	put_le32(h + 36, m->page_size);
	put_le32(h + 40, m->file[HWF_MF_DT][0] ? (uint32_t)z[HWF_MF_DT] : m->header_version);
	put_le32(h + 44, m->os_version);
	put_bytes(h + 48, m->name, m->name_len);
	put_bytes(h + 64, m->cmdline, m->cmdline_len);
	memcpy(h + 576, id, 32);
	put_bytes(h + 608, m->extra_cmdline, m->extra_len);
	if (m->header_version >= 1) {
		uint64_t rdtbo = 0;

		if (m->recovery_dtbo_auto && z[HWF_MF_RECOVERY_DTBO]) {
			rdtbo = m->page_size;
			for (int s = HWF_MF_KERNEL; s < HWF_MF_RECOVERY_DTBO; s++)
				rdtbo += round_up(z[s], m->page_size);
		} else if (!m->recovery_dtbo_auto) {
			rdtbo = m->recovery_dtbo_offset;
		}
		put_le32(h + 1632, (uint32_t)z[HWF_MF_RECOVERY_DTBO]);
		put_le64(h + 1636, rdtbo);
		put_le32(h + 1644, m->header_size);
	}
	if (m->header_version == 2) {
		put_le32(h + 1648, (uint32_t)z[HWF_MF_DTB]);
		put_le64(h + 1652, m->base + m->dtb_offset);
	}
}

static int write_all(struct job *j, const void *p, size_t len, struct hwf_err *e)
{
	const uint8_t *b = p;

	while (len) {
		ssize_t n = write(j->fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO, "%s: %s",
					   j->out, strerror(errno));
		b += n;
		len -= (size_t)n;
		j->pos += (uint64_t)n;
	}
	return 0;
}

/* @src whole into OUT (fed to the id digest when @md). */
static int copy(struct job *j, struct hwf_source *src, int md, struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src);

	for (uint64_t done = 0; done < size;) {
		size_t want = size - done < COPY_BYTES ? (size_t)(size - done) : COPY_BYTES;
		int rc = hwf_source_read_exact(src, j->buf, want, done, e);

		if (!rc)
			rc = write_all(j, j->buf, want, e);
		if (rc)
			return rc;
		if (md && j->md)
			EVP_DigestUpdate(j->md, j->buf, want);
		done += want;
		if (j->o->progress)
			j->o->progress(j->o->ctx, j->pos, j->total);
	}
	return 0;
}

static int pad_to(struct job *j, uint64_t to, struct hwf_err *e)
{
	static const uint8_t zero[4096];

	while (j->pos < to) {
		size_t n = to - j->pos < sizeof(zero) ? (size_t)(to - j->pos) : sizeof(zero);
		int rc = write_all(j, zero, n, e);

		if (rc)
			return rc;
	}
	return 0;
}

/* Which id terms are fed: the dt term only with a dt, unless the recipe always feeds it. */
static int feeds(const struct hwf_manifest *m, int s)
{
	if (m->vendor || m->header_version >= 3)
		return 0;
	switch (s) {
	case HWF_MF_KERNEL:
	case HWF_MF_RAMDISK:
	case HWF_MF_SECOND: return 1;
	case HWF_MF_DT:
		return m->file[HWF_MF_DT][0] || m->id_mode == HWF_MF_ID_SHA1_DT ||
		       m->id_mode == HWF_MF_ID_SHA256_DT;
	case HWF_MF_RECOVERY_DTBO: return m->header_version >= 1;
	case HWF_MF_DTB: return m->header_version >= 2;
	default: return 0;
	}
}

static void build_table(struct job *j)
{
	uint32_t at = 0;

	for (size_t i = 0; i < j->m->nvrd; i++) {
		uint8_t *t = j->table + i * j->m->vrd_entry_size;
		uint32_t sz = (uint32_t)hwf_source_size(j->vrd[i]);

		put_le32(t, sz);
		put_le32(t + 4, at);
		put_le32(t + 8, j->m->vrd[i].type);
		memcpy(t + 12, j->m->vrd[i].name, j->m->vrd[i].name_len);
		memcpy(t + 44, j->m->vrd[i].board_id, 64);
		at += sz;
	}
}

/* The sections in image order (HWF_MF_NSEC ends a list). */
static const enum hwf_mf_sec boot_order[] = {HWF_MF_KERNEL,    HWF_MF_RAMDISK,	     HWF_MF_SECOND,
					     HWF_MF_DT,	       HWF_MF_RECOVERY_DTBO, HWF_MF_DTB,
					     HWF_MF_SIGNATURE, HWF_MF_NSEC};
static const enum hwf_mf_sec vendor_order[] = {
    HWF_MF_VENDOR_RAMDISK, HWF_MF_DTB, HWF_MF_VENDOR_RAMDISK_TABLE, HWF_MF_BOOTCONFIG, HWF_MF_NSEC};

static const enum hwf_mf_sec *order(const struct hwf_manifest *m)
{
	return m->vendor ? vendor_order : boot_order;
}

/* The sections, each padded to the page size; the id digest fed as mkbootimg feeds it. */
static int write_sections(struct job *j, struct hwf_err *e)
{
	const struct hwf_manifest *m = j->m;
	uint8_t len[4];
	int rc = 0;

	for (const enum hwf_mf_sec *p = order(m); *p != HWF_MF_NSEC && !rc; p++) {
		enum hwf_mf_sec s = *p;
		int md = feeds(m, s);

		if (s == HWF_MF_VENDOR_RAMDISK && m->has_vrd_table) {
			for (size_t i = 0; i < m->nvrd && !rc; i++)
				rc = copy(j, j->vrd[i], 0, e);
		} else if (s == HWF_MF_VENDOR_RAMDISK_TABLE && m->has_vrd_table) {
			rc = write_all(j, j->table, (size_t)j->size[s], e);
		} else if (s == HWF_MF_RAMDISK && j->tree.src) {
			rc = copy(j, j->tree.src, md, e);
		} else if (j->sec[s]) {
			rc = copy(j, j->sec[s], md, e);
		}
		if (!rc && md && j->md) {
			put_le32(len, (uint32_t)j->size[s]);
			EVP_DigestUpdate(j->md, len, 4);
		}
		if (!rc)
			rc = pad_to(j, round_up(j->pos, m->page_size), e);
	}
	return rc;
}

/*
 * avbtool add_hash_footer's layout with the old vbmeta: the image padded to
 * 4096, the vbmeta, zeros, the footer in the last 64 bytes of the partition.
 * The vbmeta stays where it was when the image before it did not change size.
 */
static int plan_avb(struct job *j, uint64_t image_end, uint64_t *vb_off, struct hwf_err *e)
{
	const struct hwf_manifest *m = j->m;
	uint64_t vsize = hwf_source_size(j->vbmeta), psize = m->avb.partition_size;

	*vb_off = round_up(image_end, 4096);
	if (image_end == m->avb.original_image_size && m->avb.vbmeta_offset >= image_end)
		*vb_off = m->avb.vbmeta_offset;
	if (*vb_off > psize || vsize > psize - *vb_off || psize - *vb_off - vsize < 64)
		return hwf_err_set(
		    e, HWF_EINVAL,
		    "%s: the repacked image (%llu bytes) and its vbmeta no longer fit "
		    "the %llu-byte partition its AVB footer was made for",
		    j->o->dir, (unsigned long long)image_end, (unsigned long long)psize);
	return 0;
}

static int write_avb(struct job *j, uint64_t image_end, uint64_t vb_off, struct hwf_err *e)
{
	const struct hwf_manifest *m = j->m;
	uint64_t psize = m->avb.partition_size;
	uint8_t f[64] = {'A', 'V', 'B', 'f'};
	int rc = pad_to(j, vb_off, e);

	if (!rc)
		rc = copy(j, j->vbmeta, 0, e);
	if (rc)
		return rc;
	put_be32(f + 4, m->avb.major);
	put_be32(f + 8, m->avb.minor);
	put_be64(f + 12, image_end);
	put_be64(f + 20, vb_off);
	put_be64(f + 28, hwf_source_size(j->vbmeta));
	if (ftruncate(j->fd, (off_t)psize) != 0 || pwrite(j->fd, f, 64, (off_t)(psize - 64)) != 64)
		return hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO, "%s: %s", j->out,
				   strerror(errno));
	j->pos = psize;
	return 0;
}

static int id_digest(struct job *j, struct hwf_err *e)
{
	const struct hwf_manifest *m = j->m;
	const EVP_MD *md;

	if (m->vendor || m->header_version >= 3 || m->id_mode == HWF_MF_ID_ZERO ||
	    m->id_mode == HWF_MF_ID_KEEP)
		return 0;
	md = m->id_mode == HWF_MF_ID_SHA256 || m->id_mode == HWF_MF_ID_SHA256_DT ? EVP_sha256()
										 : EVP_sha1();
	j->md = EVP_MD_CTX_new();
	if (!j->md || !EVP_DigestInit_ex(j->md, md, NULL))
		return hwf_err_set(e, HWF_ENOMEM, "cannot set up the id digest");
	return 0;
}

static int write_image(struct job *j, struct hwf_outfile *f, struct hwf_err *e)
{
	const struct hwf_manifest *m = j->m;
	uint64_t hb = header_bytes(m), image_end, vb_off = 0;
	uint8_t id[32] = {0}, *h;
	int rc;

	j->total = hb;
	for (int s = 0; s < HWF_MF_NSEC; s++)
		j->total += round_up(j->size[s], m->page_size);
	j->res->image_size = j->total;
	j->res->trailer_size = j->trailer ? hwf_source_size(j->trailer) : 0;
	image_end = j->total + j->res->trailer_size;
	if (m->avb.present) {
		rc = plan_avb(j, image_end, &vb_off, e);
		if (rc)
			return rc;
	}
	rc = id_digest(j, e);
	if (rc)
		return rc;
	h = calloc(1, hb);
	if (!h)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_outfile_create(f, j->o->out, 0, j->o->files, e);
	if (rc) {
		free(h);
		return rc;
	}
	j->fd = f->fd;
	rc = write_all(j, h, (size_t)hb, e);
	if (!rc)
		rc = write_sections(j, e);
	if (!rc && j->trailer)
		rc = copy(j, j->trailer, 0, e);
	if (!rc && m->avb.present)
		rc = write_avb(j, image_end, vb_off, e);
	if (!rc) {
		if (m->id_mode == HWF_MF_ID_KEEP)
			memcpy(id, m->id, 32);
		else if (j->md)
			EVP_DigestFinal_ex(j->md, id, NULL);
		build_header(j, h, id);
		if (pwrite(j->fd, h, (size_t)hb, 0) != (ssize_t)hb)
			rc = hwf_err_set(e, HWF_EIO, "%s: %s", j->out, strerror(errno));
	}
	free(h);
	j->res->avb = m->avb.present;
	j->res->partition_size = m->avb.partition_size;
	j->res->size = j->pos;
	return rc;
}

/* Does the old vbmeta's hash descriptor still match the image written to @path? */
static int avb_digest_holds(const char *path)
{
	struct hwf_source *src;
	struct hwf_avb_footer f;
	struct hwf_avb_info info;
	struct hwf_err e = {0};
	int ok = 0;

	if (hwf_source_open_file(&src, path, &e))
		return 0;
	if (hwf_avb_read_footer(src, &f, &e) == 1 &&
	    !hwf_avb_parse_vbmeta(src, f.vbmeta_offset, f.vbmeta_size, &info, &e) &&
	    info.has_hash && info.image_size == f.original_image_size &&
	    !hwf_avb_check_digest(src, f.vbmeta_offset, f.vbmeta_size, &info, NULL, NULL, &e))
		ok = info.digest_ok;
	hwf_source_close(src);
	return ok;
}

/* Is @path the file @os names (same device and inode)? */
static int same_file(const char *path, const struct stat *os)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_dev == os->st_dev && st.st_ino == os->st_ino;
}

/*
 * OUT must not be a file the repack reads (the manifest, a section, the
 * vbmeta, the trailer, the ramdisk list, the --append-signature file), nor
 * lie in the ramdisk folder, which is packed: not even --force writes there.
 */
static int out_not_input(struct job *j, const char *mpath, struct hwf_err *e)
{
	const struct hwf_manifest *m = j->m;
	char path[HWF_PATH_MAX + HWF_MF_FILE_MAX + 2], real[PATH_MAX], *slash;
	const char *key = NULL;
	struct stat os;
	size_t n;

	snprintf(path, sizeof(path), "%s", j->out);
	slash = strrchr(path, '/');
	if (slash)
		slash[slash == path ? 1 : 0] = '\0';
	if (m->ramdisk_tree[0] && realpath(slash ? path : ".", real)) {
		char tree[PATH_MAX + HWF_MF_FILE_MAX + 2];

		snprintf(tree, sizeof(tree), "%s/%s", j->root, m->ramdisk_tree);
		n = strlen(tree);
		if (!strncmp(real, tree, n) && (real[n] == '\0' || real[n] == '/'))
			return hwf_err_set(e, HWF_EINVAL,
					   "%s: inside the ramdisk folder %s/%s, which is packed "
					   "into the image: choose another -o",
					   j->out, j->o->dir, m->ramdisk_tree);
	}
	if (stat(j->out, &os) != 0)
		return 0;
	if (same_file(mpath, &os))
		key = "the manifest";
	for (int s = 0; s < HWF_MF_NSEC && !key; s++) {
		snprintf(path, sizeof(path), "%s/%s", j->o->dir, m->file[s]);
		if (m->file[s][0] && same_file(path, &os))
			key = hwf_mf_sec_name(s);
	}
	for (size_t i = 0; i < m->nvrd && !key; i++) {
		snprintf(path, sizeof(path), "%s/%s", j->o->dir, m->vrd[i].file);
		if (same_file(path, &os))
			key = "a vendor ramdisk";
	}
	snprintf(path, sizeof(path), "%s/%s", j->o->dir, m->avb.vbmeta);
	if (!key && m->avb.present && same_file(path, &os))
		key = "avb.vbmeta";
	snprintf(path, sizeof(path), "%s/%s", j->o->dir, m->trailer);
	if (!key && m->trailer[0] && same_file(path, &os))
		key = "trailer";
	snprintf(path, sizeof(path), "%s/%s", j->o->dir, m->ramdisk_list);
	if (!key && m->ramdisk_list[0] && same_file(path, &os))
		key = "ramdisk_list";
	if (!key && j->o->append_signature && same_file(j->o->append_signature, &os))
		return hwf_err_set(e, HWF_EINVAL,
				   "%s: the --append-signature file: not written over; choose "
				   "another -o",
				   j->out);
	if (!key)
		return 0;
	return hwf_err_set(e, HWF_EINVAL,
			   "%s: the repack reads it (%s of %s): not written over, even with "
			   "--force; choose another -o",
			   j->out, key, j->o->dir);
}

int hwf_image_repack(const struct hwf_repack_opts *o, struct hwf_repack_result *res,
		     struct hwf_err *e)
{
	char mpath[HWF_PATH_MAX + 32];
	struct hwf_outfile f = {.fd = -1};
	struct job j = {.o = o, .res = res, .fd = -1, .out = o->out, .tree = {.tmp = {.fd = -1}}};
	struct stat st;
	int rc;

	memset(res, 0, sizeof(*res));
	snprintf(mpath, sizeof(mpath), "%s/%s", o->dir, HWF_MANIFEST_NAME);
	if (!realpath(o->dir, j.root))
		return hwf_err_set(e, HWF_ENOTFOUND, "%s: %s", o->dir, strerror(errno));
	j.m = malloc(sizeof(*j.m));
	j.buf = malloc(COPY_BYTES);
	if (!j.m || !j.buf) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	if (!o->force && lstat(o->out, &st) == 0) {
		rc = hwf_err_set(e, HWF_EEXIST, "%s: exists; not replaced (use --force)", o->out);
		goto out;
	}
	if (access(mpath, F_OK) != 0) {
		rc = hwf_err_set(e, HWF_ENOTFOUND,
				 "%s: missing: not a folder written by \"hwflash image unpack\"",
				 mpath);
		goto out;
	}
	rc = hwf_manifest_load(mpath, j.m, e);
	if (!rc)
		rc = open_all(&j, e);
	if (!rc)
		rc = hwf_repack_vendor_whole(o->dir, j.m, j.vrd, e);
	if (!rc)
		rc = out_not_input(&j, mpath, e);
	if (!rc)
		rc = hwf_repack_tree_pick(&j.tree, o->dir, j.root, j.m, j.sec[HWF_MF_RAMDISK],
					  o->out, o->files, e);
	if (!rc && j.tree.src) {
		j.size[HWF_MF_RAMDISK] = hwf_source_size(j.tree.src);
		res->ramdisk_packed = 1;
		snprintf(res->ramdisk_change, sizeof(res->ramdisk_change), "%.199s", j.tree.change);
		if (j.size[HWF_MF_RAMDISK] > UINT32_MAX)
			rc = hwf_err_set(
			    e, HWF_EINVAL,
			    "%s/%s: packed, the ramdisk does not fit the header's 32-bit "
			    "size",
			    o->dir, j.m->ramdisk_tree);
	}
	res->vendor = j.m->vendor;
	res->header_version = j.m->header_version;
	res->trailer_given = o->append_signature != NULL;
	if (!rc && j.m->has_vrd_table) {
		j.table = calloc(j.m->nvrd ? j.m->nvrd : 1, j.m->vrd_entry_size);
		if (!j.table)
			rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		else
			build_table(&j);
	}
	if (!rc)
		rc = write_image(&j, &f, e);
	if (!rc)
		rc = hwf_outfile_close(&f, 0, e);
	if (!rc && j.m->avb.present)
		res->avb_digest_ok = avb_digest_holds(f.tmp);
	if (!rc)
		rc = hwf_outfile_place(&f, o->force ? 0 : HWF_OUTFILE_NOREPLACE, e);
	else
		hwf_outfile_discard(&f);
out:
	for (int s = 0; s < HWF_MF_NSEC; s++)
		hwf_source_close(j.sec[s]);
	for (size_t i = 0; j.m && i < j.m->nvrd; i++)
		hwf_source_close(j.vrd[i]);
	hwf_source_close(j.trailer);
	hwf_source_close(j.vbmeta);
	hwf_repack_tree_done(&j.tree);
	EVP_MD_CTX_free(j.md);
	free(j.table);
	free(j.buf);
	free(j.m);
	return rc;
}
