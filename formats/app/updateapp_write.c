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

void hwf_app_chunks_feed(struct hwf_app_chunks *c, const uint8_t *p, size_t len)
{
	while (len) {
		size_t n = HWF_APP_CRC_CHUNK - c->fill < len ? HWF_APP_CRC_CHUNK - c->fill : len;

		if (!c->fill)
			c->reg = HWF_CRC16_INIT;
		c->reg = hwf_crc16_update(c->reg, p, n);
		c->fill += (uint32_t)n;
		p += n;
		len -= n;
		if (c->fill == HWF_APP_CRC_CHUNK)
			hwf_app_chunks_end(c);
	}
}

void hwf_app_chunks_end(struct hwf_app_chunks *c)
{
	if (!c->fill)
		return;
	if (c->out)
		put_le16(c->out + 2 * c->n, (uint16_t)(c->reg ^ 0xffffu));
	c->n++;
	c->fill = 0;
}

static void wprog_add(struct hwf_app_wprog *wp, uint64_t n)
{
	if (!wp)
		return;
	wp->done += n;
	if (wp->fn)
		wp->fn(wp->ctx, wp->done, wp->total);
}

/*
 * Entry @i's data to @fd at its current position, each block checked
 * against the stored table first (a bad one stops the copy with HWF_ECRC
 * unless @keep_bad); the 32 KiB checksums to @chunks.
 */
static int copy_data(struct hwf_app *app, size_t i, int fd, int keep_bad, uint64_t *nbad,
		     struct hwf_app_chunks *chunks, hwf_progress_fn progress, void *pctx,
		     struct hwf_app_wprog *wp, struct hwf_err *e)
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
		if (chunks)
			hwf_app_chunks_feed(chunks, buf, len);
		rc = write_all(fd, buf, len, ent->name, e);
		if (rc)
			goto out;
		if (progress)
			progress(pctx, off + len, ent->data_len);
		wprog_add(wp, len);
	}
	if (chunks)
		hwf_app_chunks_end(chunks);
	if (ent->nblocks == 0 && progress)
		progress(pctx, 0, 0);
out:
	if (nbad)
		*nbad = bad;
	free(buf);
	free(tab);
	return rc;
}

int hwf_app_extract(struct hwf_app *app, size_t i, int fd, int keep_bad, uint64_t *nbad,
		    hwf_progress_fn progress, void *pctx, struct hwf_err *e)
{
	return copy_data(app, i, fd, keep_bad, nbad, NULL, progress, pctx, NULL, e);
}

/* --- pack --- */

static void fill_field(uint8_t *dst, size_t n, const char *s, uint8_t pad)
{
	size_t l = s ? strlen(s) : 0;

	memset(dst, pad, n);
	memcpy(dst, s, l < n ? l : n);
}

static void make_header(uint8_t *h, const char *name, uint32_t seq,
			const struct hwf_app_pack_opts *o)
{
	memset(h, 0, HWF_APP_HDR_LEN);
	put_le32(h, HWF_APP_MAGIC);
	put_le32(h + 8, 1);
	fill_field(h + 0x0c, 8, o->hwid, 0xff);
	put_le32(h + 0x14, seq);
	fill_field(h + 0x1c, 16, o->date, 0);
	fill_field(h + 0x2c, 16, o->time, 0);
	fill_field(h + 0x3c, 32, name, 0);
	put_le16(h + 0x5e, 4096);
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

static int pad_to4(int fd, uint64_t end, const char *what, struct hwf_err *e)
{
	static const uint8_t zero[4];

	return end % 4 ? write_all(fd, zero, 4 - end % 4, what, e) : 0;
}

int hwf_app_write_entry(int fd, uint64_t pos, const uint8_t *hdr, struct hwf_source *src,
			const uint8_t *mem, uint64_t len, struct hwf_app_chunks *chunks,
			struct hwf_app_wprog *wp, uint64_t *next, struct hwf_err *e)
{
	uint32_t bs = get_le16(hdr + 0x5e) ? get_le16(hdr + 0x5e) : 4096;
	uint32_t nblocks = (uint32_t)blocks_of(len, bs);
	size_t bufsz = (size_t)(COPY_BYTES / bs ? COPY_BYTES / bs : 1) * bs;
	uint8_t *table = malloc(2ull * nblocks + 1), *buf = mem ? NULL : malloc(bufsz);
	char name[33];
	uint8_t h[HWF_APP_HDR_LEN];
	uint64_t off = 0, end;
	int rc;

	memcpy(name, hdr + 0x3c, 32);
	name[32] = '\0';
	if (!table || (!mem && !buf)) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	rc = seek_to(fd, pos + HWF_APP_HDR_LEN + 2ull * nblocks, e);
	while (!rc && off < len) {
		size_t n = len - off < bufsz ? (size_t)(len - off) : bufsz;
		const uint8_t *p = mem ? mem + off : buf;

		if (!mem)
			rc = hwf_source_read_exact(src, buf, n, off, e);
		if (rc)
			break;
		for (size_t k = 0; k < n; k += bs) {
			size_t bl = n - k < bs ? n - k : bs;

			put_le16(table + 2 * ((off + k) / bs), hwf_crc16(p + k, bl));
		}
		if (chunks)
			hwf_app_chunks_feed(chunks, p, n);
		rc = write_all(fd, p, n, name, e);
		off += n;
		wprog_add(wp, n);
	}
	if (chunks)
		hwf_app_chunks_end(chunks);
	end = pos + HWF_APP_HDR_LEN + 2ull * nblocks + len;
	if (!rc)
		rc = pad_to4(fd, end, name, e);
	if (!rc) {
		memcpy(h, hdr, sizeof(h));
		put_le32(h + 4, HWF_APP_HDR_LEN + 2 * nblocks);
		put_le32(h + 0x18, (uint32_t)len);
		put_le16(h + 0x5c, 0);
		put_le16(h + 0x5c, hwf_crc16(h, HWF_APP_HDR_LEN));
		rc = seek_to(fd, pos, e);
	}
	if (!rc)
		rc = write_all(fd, h, sizeof(h), name, e);
	if (!rc)
		rc = write_all(fd, table, 2ull * nblocks, name, e);
	*next = (end + 3) & ~3ull;
out:
	free(table);
	free(buf);
	return rc;
}

int hwf_app_copy_entry(struct hwf_app *app, size_t i, int fd, uint64_t pos,
		       struct hwf_app_chunks *chunks, struct hwf_app_wprog *wp, uint64_t *next,
		       struct hwf_err *e)
{
	const struct hwf_app_entry *ent = &app->ent[i];
	uint8_t buf[65536];
	uint64_t off = 0;
	int rc = seek_to(fd, pos, e);

	/* The header and its table as stored, then the data checked block by block. */
	while (!rc && off < ent->header_len) {
		size_t n = ent->header_len - off < sizeof(buf) ? (size_t)(ent->header_len - off)
							       : sizeof(buf);

		rc = hwf_source_read_exact(app->src, buf, n, ent->header_off + off, e);
		if (!rc)
			rc = write_all(fd, buf, n, ent->name, e);
		off += n;
	}
	if (!rc)
		rc = copy_data(app, i, fd, 0, NULL, chunks, NULL, NULL, wp, e);
	if (!rc)
		rc = pad_to4(fd, pos + ent->header_len + ent->data_len, ent->name, e);
	*next = (pos + ent->header_len + ent->data_len + 3) & ~3ull;
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
	uint64_t chunks = 0, pos = HWF_APP_PREAMBLE, crc_pos = 0, total = 0;
	uint8_t preamble[HWF_APP_PREAMBLE] = { 0 };
	struct hwf_app_wprog wp = { progress, pctx, 0, 0 };
	struct hwf_app_chunks ck = { 0 };
	uint8_t h[HWF_APP_HDR_LEN];
	uint8_t *crc = NULL;
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
	wp.total = total;
	if (opts->crc_entry)
		crc = calloc(1, 2 * chunks + 1);
	ck.out = crc;
	if (opts->crc_entry && !crc) {
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
		for (size_t i = 0; i < n; i++) {
			uint64_t len = hwf_source_size(items[i].src);
			uint32_t seq = items[i].seq;

			if (is_sig(&items[i]) != (pass == 0))
				continue;
			if (pass == 0 && !seq)
				seq = 0xfe000000u;
			make_header(h, items[i].name, seq, opts);
			/* The CRC entry's checksums come in the order of its entries. */
			rc = hwf_app_write_entry(fd, pos, h, items[i].src, NULL, len,
						 crc && pass == 1 ? &ck : NULL, &wp, &pos, e);
			if (rc)
				goto out;
		}
	}
	if (opts->crc_entry) {
		uint64_t end;

		make_header(h, "CRC", 0xff000000u, opts);
		rc = hwf_app_write_entry(fd, crc_pos, h, NULL, crc, 2 * chunks, NULL, NULL, &end,
					 e);
		if (rc)
			goto out;
	}
	/* Leave the file at its end; the padding of the last entry is already there. */
	if (lseek(fd, 0, SEEK_END) < 0)
		rc = hwf_err_set(e, HWF_EIO, "seek: %s", strerror(errno));
out:
	free(crc);
	return rc;
}
