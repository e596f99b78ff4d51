// SPDX-License-Identifier: MIT
/*
 * liblp writer: writer.cpp's SerializeGeometry and SerializeMetadata (the
 * tables in the order partitions, extents, groups, block devices, each
 * right after the one before), FlashPartitionTable's metadata area, and
 * images.cpp's two image layouts: super_empty.img (geometry, one copy) and
 * the full super image (the metadata area, then the partitions' data).
 */
#include "formats/image/liblp_build.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/core/bytes.h"

#define HEADER_V1_0 128u
#define HEADER_V1_2 256u

static void sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned int len = 0;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

void hwf_lp_serialize_geometry(const struct hwf_lp_geometry *g, uint8_t out[HWF_LP_GEOMETRY_SIZE])
{
	memset(out, 0, HWF_LP_GEOMETRY_SIZE);
	put_le32(out, 0x616c4467u);
	put_le32(out + 4, 52);
	put_le32(out + 40, g->metadata_max_size);
	put_le32(out + 44, g->slot_count);
	put_le32(out + 48, g->block_size);
	sha256(out, 52, out + 8);
}

static void put_name(uint8_t *p, const char *name)
{
	memset(p, 0, HWF_LP_NAME_LEN);
	memcpy(p, name, strnlen(name, HWF_LP_NAME_LEN));
}

int hwf_lp_serialize_metadata(const struct hwf_lp_metadata *m, uint8_t **blob, size_t *len,
			      struct hwf_err *e)
{
	uint32_t hs = m->minor >= 2 ? HEADER_V1_2 : HEADER_V1_0;
	uint64_t tables = (uint64_t)m->npart * 52 + (uint64_t)m->next * 24 +
			  (uint64_t)m->ngroup * 48 + (uint64_t)m->ndev * 64;
	uint32_t off[4] = {0, m->npart * 52, m->npart * 52 + m->next * 24,
			   m->npart * 52 + m->next * 24 + m->ngroup * 48};
	uint32_t num[4] = {m->npart, m->next, m->ngroup, m->ndev}, size[4] = {52, 24, 48, 64};
	uint8_t *b, *t;

	*blob = NULL;
	if (hs + tables > m->geo.metadata_max_size)
		return hwf_err_set(e, HWF_ENOSPC,
				   "the metadata takes %llu bytes, more than its slots' %u",
				   (unsigned long long)(hs + tables), m->geo.metadata_max_size);
	b = calloc(1, hs + tables);
	if (!b)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	t = b + hs;
	for (uint32_t i = 0; i < m->npart; i++) {
		uint8_t *p = t + off[0] + (size_t)i * 52;

		put_name(p, m->part[i].name);
		put_le32(p + 36, m->part[i].attributes);
		put_le32(p + 40, m->part[i].first_extent);
		put_le32(p + 44, m->part[i].num_extents);
		put_le32(p + 48, m->part[i].group);
	}
	for (uint32_t i = 0; i < m->next; i++) {
		uint8_t *p = t + off[1] + (size_t)i * 24;

		put_le64(p, m->ext[i].sectors);
		put_le32(p + 8, m->ext[i].type);
		put_le64(p + 12, m->ext[i].target);
		put_le32(p + 20, m->ext[i].source);
	}
	for (uint32_t i = 0; i < m->ngroup; i++) {
		uint8_t *p = t + off[2] + (size_t)i * 48;

		put_name(p, m->group[i].name);
		put_le32(p + 36, m->group[i].flags);
		put_le64(p + 40, m->group[i].maximum_size);
	}
	for (uint32_t i = 0; i < m->ndev; i++) {
		uint8_t *p = t + off[3] + (size_t)i * 64;

		put_le64(p, m->dev[i].first_logical_sector);
		put_le32(p + 8, m->dev[i].alignment);
		put_le32(p + 12, m->dev[i].alignment_offset);
		put_le64(p + 16, m->dev[i].size);
		put_name(p + 24, m->dev[i].name);
		put_le32(p + 60, m->dev[i].flags);
	}
	put_le32(b, 0x414c5030u);
	put_le16(b + 4, HWF_LP_MAJOR);
	put_le16(b + 6, m->minor);
	put_le32(b + 8, hs);
	put_le32(b + 44, (uint32_t)tables);
	sha256(t, (size_t)tables, b + 48);
	for (int i = 0; i < 4; i++) {
		put_le32(b + 80 + 12 * i, off[i]);
		put_le32(b + 84 + 12 * i, num[i]);
		put_le32(b + 88 + 12 * i, size[i]);
	}
	if (hs == HEADER_V1_2)
		put_le32(b + 128, m->flags);
	sha256(b, hs, b + 12);
	*blob = b;
	*len = hs + (size_t)tables;
	return 0;
}

/* --- writing --- */

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
					   "writing liblp metadata at byte %llu: %s",
					   (unsigned long long)off, strerror(errno));
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int hwf_lp_write_empty(const struct hwf_lp_metadata *m, int fd, struct hwf_err *e)
{
	uint8_t g[HWF_LP_GEOMETRY_SIZE], *blob;
	size_t len;
	int rc = hwf_lp_serialize_metadata(m, &blob, &len, e);

	if (rc)
		return rc;
	hwf_lp_serialize_geometry(&m->geo, g);
	rc = pwrite_all(fd, g, sizeof(g), 0, e);
	if (!rc)
		rc = pwrite_all(fd, blob, len, sizeof(g), e);
	free(blob);
	return rc;
}

int hwf_lp_write_metadata(const struct hwf_lp_metadata *m, int fd, struct hwf_err *e)
{
	uint8_t g[HWF_LP_GEOMETRY_SIZE], *blob, *slot;
	size_t len;
	int rc;

	if (hwf_lp_metadata_area(&m->geo) > m->dev[0].first_logical_sector * HWF_LP_SECTOR)
		return hwf_err_set(e, HWF_EINVAL, "the metadata area overlaps the partitions");
	rc = hwf_lp_serialize_metadata(m, &blob, &len, e);
	if (rc)
		return rc;
	slot = calloc(1, m->geo.metadata_max_size);
	if (!slot) {
		free(blob);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	memcpy(slot, blob, len);
	free(blob);
	memset(g, 0, sizeof(g));
	rc = pwrite_all(fd, g, HWF_LP_RESERVED, 0, e);
	hwf_lp_serialize_geometry(&m->geo, g);
	for (int k = 0; k < 2 && !rc; k++)
		rc = pwrite_all(fd, g, sizeof(g), HWF_LP_RESERVED + k * HWF_LP_GEOMETRY_SIZE, e);
	for (uint32_t s = 0; s < m->geo.slot_count && !rc; s++)
		rc = pwrite_all(fd, slot, m->geo.metadata_max_size,
				hwf_lp_primary_offset(&m->geo, s), e);
	for (uint32_t s = 0; s < m->geo.slot_count && !rc; s++)
		rc = pwrite_all(fd, slot, m->geo.metadata_max_size,
				hwf_lp_backup_offset(&m->geo, s), e);
	free(slot);
	return rc;
}

/* @src into the extents of partition @p, from its start. */
static int write_partition(const struct hwf_lp_metadata *m, const struct hwf_lp_partition *p,
			   struct hwf_source *src, int fd, uint8_t *buf, size_t bufsz,
			   struct hwf_err *e)
{
	uint64_t left = hwf_source_size(src), done = 0;

	for (uint32_t k = 0; k < p->num_extents && left; k++) {
		const struct hwf_lp_extent *x = &m->ext[p->first_extent + k];
		uint64_t room = x->sectors * HWF_LP_SECTOR, at = x->target * HWF_LP_SECTOR;

		if (x->type != HWF_LP_TARGET_LINEAR) {
			done += room < left ? room : left;
			left -= room < left ? room : left;
			continue;
		}
		while (room && left) {
			size_t n = bufsz;
			int rc;

			if (n > room)
				n = (size_t)room;
			if (n > left)
				n = (size_t)left;
			rc = hwf_source_read_exact(src, buf, n, done, e);
			if (!rc)
				rc = pwrite_all(fd, buf, n, at, e);
			if (rc)
				return rc;
			done += n;
			left -= n;
			room -= n;
			at += n;
		}
	}
	return 0;
}

int hwf_lp_write_image(const struct hwf_lp_metadata *m, int fd, const struct hwf_lp_image *images,
		       size_t nimages, struct hwf_err *e)
{
	const size_t bufsz = 1u << 20;
	uint8_t *buf;
	int rc;

	for (size_t i = 0; i < nimages; i++) {
		int k = hwf_lp_find_partition(m, images[i].partition);

		if (k < 0)
			return hwf_err_set(e, HWF_EINVAL, "no logical partition %s for %s",
					   images[i].partition, hwf_source_name(images[i].src));
		if (hwf_source_size(images[i].src) > m->part[k].size)
			return hwf_err_set(
			    e, HWF_EINVAL, "%s: %llu bytes do not fit partition %s of %llu bytes",
			    hwf_source_name(images[i].src),
			    (unsigned long long)hwf_source_size(images[i].src), images[i].partition,
			    (unsigned long long)m->part[k].size);
	}
	rc = hwf_lp_write_metadata(m, fd, e);
	if (rc)
		return rc;
	buf = malloc(bufsz);
	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (size_t i = 0; i < nimages && !rc; i++)
		rc = write_partition(m, &m->part[hwf_lp_find_partition(m, images[i].partition)],
				     images[i].src, fd, buf, bufsz, e);
	free(buf);
	if (!rc && ftruncate(fd, (off_t)m->dev[0].size) < 0)
		rc = hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
				 "sizing the super image to %llu bytes: %s",
				 (unsigned long long)m->dev[0].size, strerror(errno));
	return rc;
}
