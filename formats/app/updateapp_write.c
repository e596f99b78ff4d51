// SPDX-License-Identifier: MIT
/* UPDATE.APP: extracting an entry (verified block by block) and packing. */
#include "formats/app/updateapp_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/core/crc16.h"

#define COPY_BYTES (1u << 20)

static int write_all(int fd, const void *buf, size_t len, const char *what, struct hwf_err *e)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
					   "writing %s: %s", what, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int hwf_app_extract(struct hwf_app *app, size_t i, int fd, int keep_bad, uint64_t *nbad,
		    hwf_progress_fn progress, void *pctx, struct hwf_err *e)
{
	const struct hwf_app_entry *ent = &app->ent[i];
	uint32_t bs = ent->block_size;
	uint32_t per = COPY_BYTES / bs ? COPY_BYTES / bs : 1;
	uint8_t *buf = NULL, *tab = NULL;
	uint64_t bad = 0;
	int rc = 0;

	if (nbad)
		*nbad = 0;
	buf = malloc((size_t)per * bs);
	tab = malloc(2u * per);
	if (!buf || !tab) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	for (uint32_t b = 0; b < ent->nblocks; b += per) {
		uint32_t nb = ent->nblocks - b < per ? ent->nblocks - b : per;
		uint64_t off = (uint64_t)b * bs;
		size_t len = (size_t)(ent->data_len - off < (uint64_t)nb * bs ? ent->data_len - off
									    : (uint64_t)nb * bs);

		/* Table slice first: it sits before the data, so zip streams go forwards. */
		rc = hwf_source_read_exact(app->src, tab, 2u * nb,
					   ent->header_off + HWF_APP_HDR_LEN + 2ull * b, e);
		if (!rc)
			rc = hwf_source_read_exact(app->src, buf, len, ent->data_off + off, e);
		if (rc)
			goto out;
		for (uint32_t k = 0; k < nb; k++) {
			size_t boff = (size_t)k * bs, blen = len - boff < bs ? len - boff : bs;
			uint16_t got = hwf_crc16(buf + boff, blen), want = get_le16(tab + 2 * k);

			if (got == want)
				continue;
			if (!bad && !keep_bad) {
				rc = hwf_err_set(e, HWF_ECRC,
						 "entry %u %s: block %u CRC 0x%04x, expected 0x%04x "
						 "(byte %llu of the package)",
						 ent->index, ent->name, b + k, got, want,
						 (unsigned long long)(ent->data_off + off + boff));
				goto out;
			}
			bad++;
		}
		rc = write_all(fd, buf, len, ent->name, e);
		if (rc)
			goto out;
		if (progress)
			progress(pctx, off + len, ent->data_len);
	}
	if (ent->nblocks == 0 && progress)
		progress(pctx, 0, 0);
out:
	if (nbad)
		*nbad = bad;
	free(buf);
	free(tab);
	return rc;
}

/* --- pack --- */

static void fill_field(uint8_t *dst, size_t n, const char *s, uint8_t pad)
{
	size_t l = s ? strlen(s) : 0;

	memset(dst, pad, n);
	memcpy(dst, s, l < n ? l : n);
}

static void make_header(uint8_t *h, const char *name, uint32_t seq, uint64_t data_len,
			uint32_t nblocks, const struct hwf_app_pack_opts *o)
{
	memset(h, 0, HWF_APP_HDR_LEN);
	put_le32(h, HWF_APP_MAGIC);
	put_le32(h + 4, HWF_APP_HDR_LEN + 2 * nblocks);
	put_le32(h + 8, 1);
	fill_field(h + 0x0c, 8, o->hwid, 0xff);
	put_le32(h + 0x14, seq);
	put_le32(h + 0x18, (uint32_t)data_len);
	fill_field(h + 0x1c, 16, o->date, 0);
	fill_field(h + 0x2c, 16, o->time, 0);
	fill_field(h + 0x3c, 32, name, 0);
	put_le16(h + 0x5e, 4096);
	put_le16(h + 0x5c, hwf_crc16(h, HWF_APP_HDR_LEN));
}

static int seek_to(int fd, uint64_t off, struct hwf_err *e)
{
	if (lseek(fd, (off_t)off, SEEK_SET) < 0)
		return hwf_err_set(e, HWF_EIO, "seek: %s", strerror(errno));
	return 0;
}

static uint64_t blocks_of(uint64_t len, uint64_t bs)
{
	return (len + bs - 1) / bs;
}

/* Write one entry whose data comes from @src (or @mem); returns the next offset. */
static int pack_one(int fd, uint64_t pos, const char *name, uint32_t seq, struct hwf_source *src,
		    const uint8_t *mem, uint64_t len, uint8_t *crc32k, uint8_t *buf,
		    const struct hwf_app_pack_opts *o, uint64_t *next, hwf_progress_fn progress,
		    void *pctx, uint64_t *done, uint64_t total, struct hwf_err *e)
{
	uint32_t nblocks = (uint32_t)blocks_of(len, 4096);
	uint8_t *table = malloc(2ull * nblocks + 1);
	uint8_t h[HWF_APP_HDR_LEN];
	static const uint8_t zero[4];
	uint64_t off = 0, end;
	int rc;

	if (!table)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = seek_to(fd, pos + HWF_APP_HDR_LEN + 2ull * nblocks, e);
	while (!rc && off < len) {
		size_t n = len - off < COPY_BYTES ? (size_t)(len - off) : COPY_BYTES;
		const uint8_t *p = mem ? mem + off : buf;

		if (!mem)
			rc = hwf_source_read_exact(src, buf, n, off, e);
		if (rc)
			break;
		for (size_t k = 0; k < n; k += 4096) {
			size_t bl = n - k < 4096 ? n - k : 4096;

			put_le16(table + 2 * ((off + k) / 4096), hwf_crc16(p + k, bl));
		}
		if (crc32k)
			for (size_t k = 0; k < n; k += HWF_APP_CRC_CHUNK) {
				size_t cl = n - k < HWF_APP_CRC_CHUNK ? n - k : HWF_APP_CRC_CHUNK;

				put_le16(crc32k + 2 * ((off + k) / HWF_APP_CRC_CHUNK),
					 hwf_crc16(p + k, cl));
			}
		rc = write_all(fd, p, n, name, e);
		off += n;
		*done += n;
		if (progress)
			progress(pctx, *done, total);
	}
	end = pos + HWF_APP_HDR_LEN + 2ull * nblocks + len;
	if (!rc && end % 4)
		rc = write_all(fd, zero, 4 - end % 4, name, e);
	if (!rc) {
		make_header(h, name, seq, len, nblocks, o);
		rc = seek_to(fd, pos, e);
	}
	if (!rc)
		rc = write_all(fd, h, sizeof(h), name, e);
	if (!rc)
		rc = write_all(fd, table, 2ull * nblocks, name, e);
	free(table);
	*next = (end + 3) & ~3ull;
	return rc;
}

static int is_sig(const struct hwf_app_pack_item *it)
{
	return hwf_app_kind_of(it->name, it->seq) == HWF_APP_SIGNATURE;
}

int hwf_app_pack(int fd, const struct hwf_app_pack_item *items, size_t n,
		 const struct hwf_app_pack_opts *opts, hwf_progress_fn progress, void *pctx,
		 struct hwf_err *e)
{
	uint64_t chunks = 0, pos = HWF_APP_PREAMBLE, crc_pos = 0, total = 0, done = 0;
	uint8_t preamble[HWF_APP_PREAMBLE] = { 0 };
	uint8_t *crc = NULL, *buf = NULL;
	int rc;

	for (size_t i = 0; i < n; i++) {
		uint64_t len = hwf_source_size(items[i].src);

		if (!items[i].name[0] || strlen(items[i].name) > 32)
			return hwf_err_set(e, HWF_EINVAL,
					   "entry name '%s' must be 1 to 32 characters", items[i].name);
		if (len > UINT32_MAX)
			return hwf_err_set(e, HWF_EINVAL,
					   "%s: %llu bytes is more than an entry can hold (4 GiB - 1)",
					   hwf_source_name(items[i].src), (unsigned long long)len);
		if (!is_sig(&items[i]))
			chunks += blocks_of(len, HWF_APP_CRC_CHUNK);
		total += len;
	}
	if (opts->crc_entry && 2 * chunks > UINT32_MAX)
		return hwf_err_set(e, HWF_EINVAL, "package too large for a CRC entry");
	buf = malloc(COPY_BYTES);
	if (opts->crc_entry)
		crc = calloc(1, 2 * chunks + 1);
	if (!buf || (opts->crc_entry && !crc)) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	rc = write_all(fd, preamble, sizeof(preamble), "preamble", e);
	if (rc)
		goto out;
	/*
	 * Official order: signature entries first, then the CRC entry, then the
	 * rest.  The CRC entry covers every entry but signatures and itself.
	 */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && opts->crc_entry) {
			/* Reserve the CRC entry's place; it is written once the data is known. */
			crc_pos = pos;
			pos = (pos + HWF_APP_HDR_LEN + 2 * blocks_of(2 * chunks, 4096) + 2 * chunks +
			       3) & ~3ull;
		}
		for (size_t i = 0, c = 0; i < n; i++) {
			uint64_t len = hwf_source_size(items[i].src);
			uint32_t seq = items[i].seq;

			if (is_sig(&items[i]) != (pass == 0)) {
				if (!is_sig(&items[i]))
					c += blocks_of(len, HWF_APP_CRC_CHUNK);
				continue;
			}
			if (pass == 0 && !seq)
				seq = 0xfe000000u;
			rc = pack_one(fd, pos, items[i].name, seq, items[i].src, NULL, len,
				      crc && pass == 1 ? crc + 2 * c : NULL, buf, opts, &pos,
				      progress, pctx, &done, total, e);
			if (rc)
				goto out;
			if (pass == 1)
				c += blocks_of(len, HWF_APP_CRC_CHUNK);
		}
	}
	if (opts->crc_entry) {
		uint64_t end;

		rc = pack_one(fd, crc_pos, "CRC", 0xff000000u, NULL, crc, 2 * chunks, NULL, buf,
			      opts, &end, NULL, NULL, &done, total, e);
		if (rc)
			goto out;
	}
	/* Leave the file at its end; the padding of the last entry is already there. */
	if (lseek(fd, 0, SEEK_END) < 0)
		rc = hwf_err_set(e, HWF_EIO, "seek: %s", strerror(errno));
out:
	free(buf);
	free(crc);
	return rc;
}
