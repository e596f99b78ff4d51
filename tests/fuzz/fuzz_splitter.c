// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the sparse splitter, checked end to end.  The input
 * describes an image (raw, built from literal/fill/zero records, or a
 * sparse image taken as is) and a max-download-size; the image is split
 * into pieces, every piece is read back through its generated source in
 * odd-sized reads, parsed with the strict sparse reader and expanded into
 * a buffer.  abort() unless: every piece fits max, every piece describes
 * the whole image, every block is written by exactly one piece (blocks the
 * input left DONT_CARE by none), and the result equals the image.
 *
 * Input layout:
 *   byte 0     flags: bit 0 = the rest (after byte 3) is a sparse image;
 *              bit 1 = use bytes 1-2 as max itself (tests the refusal of
 *              a max too small to split into)
 *   bytes 1-2  max selector (LE): max = smallest usable + selector * 16
 *   byte 3     read step selector for reading pieces back
 *   rest       raw: records  0x00-0x7f: (op + 1) * 16 literal bytes follow
 *                            0x80-0xbf: (op & 0x3f) + 1 blocks filled with
 *                                       the next 4 bytes
 *                            0xc0-0xff: (op & 0x3f) + 1 blocks of zeros
 *              sparse: the image (expanding to at most 1 MiB)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"
#include "formats/image/sparse.h"

#define IMG_MAX (1u << 20)
#define BLK 4096u

/* The harness's own loops over a MiB need no coverage: it would slow fuzzing tenfold. */
#if defined(__clang__)
#define NOCOV __attribute__((no_sanitize("coverage")))
#else
#define NOCOV
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Raw image from records; returns its size. */
NOCOV static size_t build_raw(const uint8_t *p, size_t n, uint8_t *img)
{
	size_t len = 0;

	while (n && len < IMG_MAX) {
		uint8_t op = *p++;
		size_t k;

		n--;
		if (op < 0x80) {
			k = (size_t)(op + 1) * 16;
			if (k > n)
				k = n;
			if (k > IMG_MAX - len)
				k = IMG_MAX - len;
			memcpy(img + len, p, k);
			p += k;
			n -= k;
		} else {
			uint8_t pat[4] = { 0 };

			k = (size_t)((op & 0x3f) + 1) * BLK;
			if (op < 0xc0) {
				size_t m = n < 4 ? n : 4;

				memcpy(pat, p, m);
				p += m;
				n -= m;
			}
			if (k > IMG_MAX - len)
				k = IMG_MAX - len;
			/* The pattern, then doubling copies (period 4 keeps it aligned). */
			for (size_t i = 0; i < k && i < 4; i++)
				img[len + i] = pat[(len + i) % 4];
			for (size_t c = 4; c < k; c *= 2)
				memcpy(img + len + c, img + len, c < k - c ? c : k - c);
		}
		len += k;
	}
	return len;
}

/*
 * Expand sparse @src into @out (@cap bytes), marking written blocks in
 * @mark (one counter per block).  Returns 0, or -1 when the reader refuses.
 */
NOCOV static int expand(struct hwf_source *src, uint8_t *out, size_t cap, uint8_t *mark,
		  uint32_t *blk, uint32_t *total)
{
	struct hwf_sparse_reader *r;
	struct hwf_sparse_chunk c;
	struct hwf_err e = { 0 };
	int rc;

	if (hwf_sparse_open(&r, src, &e))
		return -1;
	*blk = hwf_sparse_header(r)->blk_sz;
	*total = hwf_sparse_header(r)->total_blks;
	if ((uint64_t)*blk * *total > cap) {
		hwf_sparse_close(r);
		return -1;
	}
	while ((rc = hwf_sparse_next(r, &c, &e)) == 1) {
		size_t at = (size_t)c.out_block * *blk, len = (size_t)c.blocks * *blk;

		if (c.type == HWF_SPARSE_RAW) {
			if (hwf_source_read_exact(src, out + at, len, c.data_off, &e))
				abort();	/* the reader checked the chunk fits the file */
		} else if (c.type == HWF_SPARSE_FILL) {
			put_le32(out + at, c.fill);	/* blk_sz is a multiple of 4 */
			for (size_t k = 4; k < len; k *= 2)
				memcpy(out + at + k, out + at, k < len - k ? k : len - k);
		} else {
			continue;
		}
		for (size_t b = c.out_block; b < c.out_block + c.blocks; b++)
			mark[b]++;
	}
	hwf_sparse_close(r);
	return rc;
}

NOCOV static void compare(const uint8_t *got, const uint8_t *want, const uint8_t *gmark,
			  const uint8_t *wmark, uint32_t total, uint32_t blk)
{
	for (size_t b = 0; b < total; b++) {
		if (gmark[b] != wmark[b])
			abort();	/* a block lost or written twice */
		if (wmark[b] && memcmp(got + b * blk, want + b * blk, blk))
			abort();	/* a block with the wrong bytes */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *img = NULL, *want = NULL, *got = NULL, *wmark = NULL, *gmark = NULL;
	uint8_t *piece = NULL;
	struct hwf_source *src = NULL;
	struct hwf_sparse_split *sp = NULL;
	struct hwf_err e = { 0 };
	uint32_t blk = BLK, total, pblk, ptotal;
	uint64_t max;
	size_t len, step;
	int sparse;

	if (size < 4)
		return 0;
	sparse = data[0] & 1;
	step = 1 + (size_t)data[3] * 37;
	if (sparse) {
		/* The sparse input is its own image; expand it first. */
		uint64_t raw;

		if (hwf_source_open_mem(&src, data + 4, size - 4, "fuzz.simg", &e))
			return 0;
		if (hwf_sparse_validate(src, &raw, &e) || raw > IMG_MAX)
			goto out;
		len = (size_t)raw;
		want = calloc(1, len);
		wmark = calloc(1, len / 4 + 1);
		if (!want || !wmark || expand(src, want, len, wmark, &blk, &total))
			abort();	/* validated above */
	} else {
		img = malloc(IMG_MAX);
		if (!img)
			return 0;
		len = build_raw(data + 4, size - 4, img);
		if (!len)
			goto out;
		/* Raw means raw: the splitter takes anything with the magic as sparse. */
		if (len >= 4 && get_le32(img) == HWF_SPARSE_MAGIC)
			img[0] ^= 0xff;
		if (hwf_source_open_mem(&src, img, len, "fuzz.img", &e))
			goto out;
		total = (uint32_t)((len + BLK - 1) / BLK);
		want = calloc(1, (size_t)total * BLK);	/* the last block zero-padded */
		wmark = malloc(total);
		if (!want || !wmark)
			goto out;
		memcpy(want, img, len);
		memset(wmark, 1, total);
		len = (size_t)total * BLK;
	}
	max = 28 + 3 * 12 + (uint64_t)blk + get_le16(data + 1) * 16u;
	if (data[0] & 2)
		max = get_le16(data + 1);
	if (hwf_sparse_split(&sp, src, max, &e)) {
		if (max >= 28 + 3 * 12 + (uint64_t)blk)
			abort();	/* a usable max must split anything valid */
		goto out;
	}
	got = calloc(1, len ? len : 1);
	gmark = calloc(1, total + 1);
	if (!got || !gmark)
		goto out;
	for (size_t i = 0; i < hwf_sparse_split_count(sp); i++) {
		struct hwf_source *ps, *ms;
		uint64_t psize;

		if (hwf_sparse_split_piece(sp, i, &ps, &e))
			abort();
		psize = hwf_source_size(ps);
		if (psize > max)
			abort();	/* a piece larger than max-download-size */
		free(piece);
		piece = malloc(psize);
		if (!piece)
			abort();
		/* Small odd reads, but not a million of them for a 1 MiB piece. */
		if (step < psize / 1024)
			step = (size_t)(psize / 1024) | 1;
		/* Read it back the way a download does, in arbitrary pieces. */
		for (uint64_t off = 0; off < psize;) {
			size_t n = psize - off < step ? (size_t)(psize - off) : step;

			if (hwf_source_read_exact(ps, piece + off, n, off, &e))
				abort();
			off += n;
		}
		hwf_source_close(ps);
		if (hwf_source_open_mem(&ms, piece, psize, "piece", &e))
			abort();
		if (expand(ms, got, len, gmark, &pblk, &ptotal) || pblk != blk || ptotal != total)
			abort();	/* every piece is a valid sparse image of the whole */
		hwf_source_close(ms);
	}
	compare(got, want, gmark, wmark, total, blk);
out:
	free(piece);
	hwf_sparse_split_free(sp);
	hwf_source_close(src);
	free(img);
	free(want);
	free(got);
	free(wmark);
	free(gmark);
	return 0;
}
