/* SPDX-License-Identifier: MIT */
/*
 * Android sparse images (libsparse format, little-endian): reading,
 * validating, expanding, and splitting into pieces for fastboot.
 * Facts: ../shared/reference/fastboot-protocol.md section 4.
 * Nothing here holds a whole image in memory.
 *
 * Memory: a reader is allocated by hwf_sparse_open() and freed by
 * hwf_sparse_close(), a split plan by hwf_sparse_split() and
 * hwf_sparse_split_free(); both borrow the source.  Errors:
 * HWF_EFORMAT (a header or chunk that breaks the format, naming the chunk),
 * HWF_ETRUNC (the file ends before a chunk), HWF_EINVAL (a split that
 * cannot fit max-download-size), HWF_EIO, HWF_ENOSPC (expanding), HWF_ENOMEM.
 */
#ifndef HWF_SPARSE_H
#define HWF_SPARSE_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

#define HWF_SPARSE_MAGIC 0xed26ff3au
#define HWF_SPARSE_RAW 0xcac1
#define HWF_SPARSE_FILL 0xcac2
#define HWF_SPARSE_DONT_CARE 0xcac3
#define HWF_SPARSE_CRC32 0xcac4

struct hwf_sparse_header {
	uint16_t major, minor;
	uint16_t file_hdr_sz, chunk_hdr_sz;
	uint32_t blk_sz;
	uint32_t total_blks;
	uint32_t total_chunks;
	uint32_t image_checksum;
};

struct hwf_sparse_chunk {
	uint16_t type;		/* HWF_SPARSE_RAW ... */
	uint32_t blocks;	/* output blocks this chunk covers */
	uint64_t out_block;	/* first output block */
	uint64_t data_off;	/* RAW: where its data is in the source */
	uint32_t fill;		/* FILL: the 4-byte pattern (LE) */
	uint32_t crc;		/* CRC32: the stored value */
};

struct hwf_sparse_reader;

/* Open and check the file header of a sparse image (borrows @src). */
int hwf_sparse_open(struct hwf_sparse_reader **out, struct hwf_source *src, struct hwf_err *e);
const struct hwf_sparse_header *hwf_sparse_header(const struct hwf_sparse_reader *r);
/*
 * Next chunk, checked against the header and the file size: 1 = a chunk,
 * 0 = the end (all chunks seen and the block count adds up), < 0 error with
 * a sentence such as "chunk 7 of 12: RAW chunk needs 4096 bytes at byte
 * 123, the file ends at 100".
 */
int hwf_sparse_next(struct hwf_sparse_reader *r, struct hwf_sparse_chunk *c, struct hwf_err *e);
void hwf_sparse_close(struct hwf_sparse_reader *r);

/* Walk every chunk; on success *expanded is the raw size in bytes. */
int hwf_sparse_validate(struct hwf_source *src, uint64_t *expanded, struct hwf_err *e);

/* Expand to @fd (seekable or not), streaming. */
int hwf_sparse_expand(struct hwf_source *src, int fd, hwf_progress_fn progress, void *pctx,
		      struct hwf_err *e);

/*
 * A random-access view of the expanded image: a source of total_blks *
 * blk_sz bytes whose reads map to the chunks (RAW from @src, FILL
 * generated, DONT_CARE zeros).  Every chunk header is checked first (as
 * hwf_sparse_validate() does); the chunk list is kept in memory (one entry
 * per chunk, found by binary search), the data never is.  The view borrows
 * @src; it keeps its chunk list in the source it owns (hwf_source_own()),
 * so do not hand it another source to own.
 */
int hwf_sparse_open_view(struct hwf_source **out, struct hwf_source *src, struct hwf_err *e);

/* --- joining split pieces (sparse_merge.c) --- */

/*
 * Join @n sparse pieces of one image (@src, borrowed; @names for messages,
 * may be NULL) into one sparse image written to @fd (a regular file,
 * positioned at 0, empty; its header is written last, at offset 0).  The
 * pieces are what a splitter such as libsparse's resparse (fastboot -S)
 * makes: each describes the whole image (same block size and block count),
 * with DONT_CARE where the other pieces hold the data.  Where one piece has
 * RAW or FILL blocks they are taken, where none does the result has
 * DONT_CARE; chunks are written in order and never expanded.  Errors as
 * the reader's, and HWF_EFORMAT when the pieces describe different sizes
 * or two of them hold data for the same block (naming both and the block),
 * HWF_EIO/HWF_ENOSPC writing, HWF_EINVAL for no pieces.
 */
int hwf_sparse_merge(struct hwf_source *const *src, const char *const *names, size_t n, int fd,
		     hwf_progress_fn progress, void *pctx, struct hwf_err *e);

/* --- splitting for fastboot --- */

struct hwf_sparse_split;

/*
 * Plan pieces of at most @max bytes for a raw or sparse @src (borrowed).
 * Each piece is a sparse image describing the whole partition: DONT_CARE
 * for what other pieces carry, FILL for uniform blocks (a raw input is
 * read once to find them), RAW for the rest.  Nothing is held in memory
 * but the chunk list.  @max must leave room for at least one block.
 */
int hwf_sparse_split(struct hwf_sparse_split **out, struct hwf_source *src, uint64_t max,
		     struct hwf_err *e);
size_t hwf_sparse_split_count(const struct hwf_sparse_split *sp);
/* Piece @i as a source whose bytes are generated on demand (close it after use). */
int hwf_sparse_split_piece(struct hwf_sparse_split *sp, size_t i, struct hwf_source **out,
			   struct hwf_err *e);
void hwf_sparse_split_free(struct hwf_sparse_split *sp);

#endif
