// SPDX-License-Identifier: MIT
/*
 * Zip archives (PKWARE APPNOTE 6.3: 4.3.7 local header, 4.3.9 data
 * descriptor, 4.3.12 central header, 4.3.14-16 zip64 end records, 4.5.3
 * zip64 extra field), read without minizip.
 *
 * Debian's libminizip1 (1.1-8) was tried first and gets zip64 wrong in
 * ways an API cannot work around: unzGetCurrentFileInfo64 leaves a size at
 * 4294967295 when the zip64 extra field holds it (a 70000-byte member of
 * `zip -fz` reads as 4294967295 bytes; a 5 GiB UPDATE.APP as well), the
 * local header offset of an entry is not exposed at all (zip64 or not),
 * and unzReadCurrentFile stops at that wrong 32-bit size and then reports a
 * CRC error.  So the records are parsed here, every value checked against
 * the file size, and deflated data goes straight to zlib.
 */
#include "formats/core/zip.h"

#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"

#define SIG_LOCAL   0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END	    0x06054b50u
#define SIG_END64   0x06064b50u
#define SIG_LOC64   0x07064b50u
#define SIG_DESC    0x08074b50u

#define LOCAL_LEN   30
#define CENTRAL_LEN 46
#define END_LEN	    22
#define END64_LEN   56
#define LOC64_LEN   20
#define MAX_COMMENT 65535u

#define FLAG_ENCRYPTED	1u
#define FLAG_DESCRIPTOR 8u

struct hwf_zip {
	struct hwf_source *file;
	const char *path;
	uint64_t prefix;   /* bytes before the archive: offsets in it are relative */
	uint64_t cd_start; /* absolute */
	uint64_t cd_end;
	uint64_t count;
	uint64_t next; /* the next central header, absolute */
	uint64_t index;
	uint8_t *rec; /* name and extra field of the current central header */
	char *name;
};

int hwf_zip_open(struct hwf_zip **out, struct hwf_source *file, struct hwf_err *e)
{
	const char *path = hwf_source_name(file);
	uint64_t size = hwf_source_size(file), tail_off, end_pos = 0, end_of_cd;
	uint64_t count, cd_size, cd_off;
	size_t tail_len, i;
	uint8_t *tail, *p;
	struct hwf_zip *z;
	int found = 0, rc;

	*out = NULL;
	if (size < END_LEN)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: not a readable zip (no central directory: truncated "
				   "download?)",
				   path);
	tail_len = size < END_LEN + MAX_COMMENT ? (size_t)size : END_LEN + MAX_COMMENT;
	tail_off = size - tail_len;
	tail = malloc(tail_len);
	if (!tail)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_source_read_exact(file, tail, tail_len, tail_off, e);
	if (rc) {
		free(tail);
		return rc;
	}
	/* The last end record whose comment fits in the file. */
	for (i = tail_len - END_LEN + 1; i-- > 0;) {
		p = tail + i;
		if (get_le32(p) == SIG_END && i + END_LEN + get_le16(p + 20) <= tail_len) {
			end_pos = tail_off + i;
			found = 1;
			break;
		}
	}
	if (!found) {
		free(tail);
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: not a readable zip (no central directory: truncated "
				   "download?)",
				   path);
	}
	p = tail + (end_pos - tail_off);
	if (get_le16(p + 4) != 0 || get_le16(p + 6) != 0) {
		free(tail);
		return hwf_err_set(e, HWF_EUNSUPPORTED,
				   "%s: one part of a split (spanned) zip; join the parts first",
				   path);
	}
	count = get_le16(p + 10);
	cd_size = get_le32(p + 12);
	cd_off = get_le32(p + 16);
	end_of_cd = end_pos;
	/* zip64: a locator right before the end record points at the zip64 end record. */
	if (end_pos >= LOC64_LEN) {
		uint8_t loc[LOC64_LEN], r[END64_LEN];
		uint64_t at;

		rc = hwf_source_read_exact(file, loc, sizeof(loc), end_pos - LOC64_LEN, NULL);
		if (!rc && get_le32(loc) == SIG_LOC64) {
			at = get_le64(loc + 8);
			if (get_le32(loc + 4) != 0 || get_le32(loc + 16) > 1) {
				free(tail);
				return hwf_err_set(e, HWF_EUNSUPPORTED,
						   "%s: one part of a split (spanned) zip; join "
						   "the parts first",
						   path);
			}
			/*
			 * The locator's offset is relative to the archive; with data
			 * before the archive the record is where it would be without
			 * extensible data: right before the locator.
			 */
			if (at > end_pos - LOC64_LEN || end_pos - LOC64_LEN - at < END64_LEN ||
			    hwf_source_read_exact(file, r, sizeof(r), at, NULL) ||
			    get_le32(r) != SIG_END64) {
				at = end_pos - LOC64_LEN - END64_LEN;
				if (end_pos < LOC64_LEN + END64_LEN ||
				    hwf_source_read_exact(file, r, sizeof(r), at, NULL) ||
				    get_le32(r) != SIG_END64) {
					free(tail);
					return hwf_err_set(
					    e, HWF_EFORMAT,
					    "%s: the zip64 end record is not at byte "
					    "%llu where its locator points: corrupt "
					    "zip",
					    path, (unsigned long long)get_le64(loc + 8));
				}
			}
			if (get_le32(r + 16) != 0 || get_le32(r + 20) != 0) {
				free(tail);
				return hwf_err_set(e, HWF_EUNSUPPORTED,
						   "%s: one part of a split (spanned) zip; join "
						   "the parts first",
						   path);
			}
			/* A 32-bit field is either its "see zip64" mark or the same value. */
			if ((count != 0xffff && count != get_le64(r + 32)) ||
			    (cd_size != 0xffffffffu && cd_size != get_le64(r + 40)) ||
			    (cd_off != 0xffffffffu && cd_off != get_le64(r + 48))) {
				free(tail);
				return hwf_err_set(e, HWF_EFORMAT,
						   "%s: the end record and the zip64 end record "
						   "disagree (%llu or %llu entries, directory at "
						   "byte %llu or %llu): corrupt zip",
						   path, (unsigned long long)count,
						   (unsigned long long)get_le64(r + 32),
						   (unsigned long long)cd_off,
						   (unsigned long long)get_le64(r + 48));
			}
			count = get_le64(r + 32);
			cd_size = get_le64(r + 40);
			cd_off = get_le64(r + 48);
			end_of_cd = at;
		}
	}
	free(tail);
	if (end_of_cd == end_pos && (cd_size == 0xffffffffu || cd_off == 0xffffffffu))
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: the end record defers the central directory's %s to a zip64 "
		    "end record that is not there: corrupt zip",
		    path, cd_off == 0xffffffffu ? "offset" : "size");
	if (cd_size > end_of_cd || cd_off > end_of_cd - cd_size)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: the central directory (%llu bytes at byte %llu) does not "
		    "fit before its end record at byte %llu: truncated or corrupt zip",
		    path, (unsigned long long)cd_size, (unsigned long long)cd_off,
		    (unsigned long long)end_of_cd);
	if (count > cd_size / CENTRAL_LEN)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: %llu entries cannot fit in a central directory of %llu "
				   "bytes: corrupt zip",
				   path, (unsigned long long)count, (unsigned long long)cd_size);
	z = calloc(1, sizeof(*z));
	if (!z)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	z->file = file;
	z->path = path;
	z->cd_end = end_of_cd;
	z->cd_start = end_of_cd - cd_size;
	z->prefix = z->cd_start - cd_off;
	z->count = count;
	z->next = z->cd_start;
	*out = z;
	return 0;
}

uint64_t hwf_zip_count(const struct hwf_zip *z)
{
	return z->count;
}

/*
 * The zip64 extra field (id 1) of @x: the 8-byte values for those of @want
 * (up to 3) whose 32-bit field holds its 0xFFFFFFFF mark, in this order,
 * then a 4-byte disk number if @disk.  Returns 1 when there is no such
 * field, 0 when read, <0 when it is too short.
 */
static int zip64_extra(const uint8_t *x, size_t xlen, uint64_t *v[3], const int need[3], int disk,
		       size_t *got_len, size_t *need_len)
{
	size_t i = 0;

	*need_len = (size_t)(8 * (need[0] + need[1] + need[2]) + 4 * disk);
	while (i + 4 <= xlen) {
		uint16_t id = get_le16(x + i), len = get_le16(x + i + 2);
		const uint8_t *d = x + i + 4;
		size_t k = 0;

		if (id != 1) {
			i += 4u + len;
			continue;
		}
		*got_len = len > xlen - i - 4 ? xlen - i - 4 : len;
		if (*got_len < *need_len)
			return -1;
		for (int f = 0; f < 3; f++)
			if (need[f]) {
				*v[f] = get_le64(d + k);
				k += 8;
			}
		return 0;
	}
	*got_len = 0;
	return 1;
}

int hwf_zip_next(struct hwf_zip *z, struct hwf_zip_entry *ent, struct hwf_err *e)
{
	uint8_t h[CENTRAL_LEN];
	uint64_t at = z->next, off;
	uint64_t *v[3];
	size_t nlen, xlen, clen, got, need_len;
	int need[3], disk, rc;
	uint8_t *rec;

	if (z->index >= z->count)
		return 0;
	memset(ent, 0, sizeof(*ent));
	ent->index = z->index;
	if (z->cd_end - at < CENTRAL_LEN)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: central directory entry %llu runs past the directory's end: "
		    "corrupt zip",
		    z->path, (unsigned long long)z->index + 1);
	rc = hwf_source_read_exact(z->file, h, sizeof(h), at, e);
	if (rc)
		return rc;
	if (get_le32(h) != SIG_CENTRAL)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: central directory entry %llu at byte %llu has no signature: "
		    "corrupt zip",
		    z->path, (unsigned long long)z->index + 1, (unsigned long long)at);
	nlen = get_le16(h + 28);
	xlen = get_le16(h + 30);
	clen = get_le16(h + 32);
	if (z->cd_end - at - CENTRAL_LEN < nlen + xlen + clen)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: central directory entry %llu runs past the directory's end: "
		    "corrupt zip",
		    z->path, (unsigned long long)z->index + 1);
	rec = realloc(z->rec, nlen + xlen + 1);
	if (!rec)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	z->rec = rec;
	rc = hwf_source_read_exact(z->file, rec, nlen + xlen, at + CENTRAL_LEN, e);
	if (rc)
		return rc;
	if (memchr(rec, 0, nlen))
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: the name of central directory entry %llu holds a NUL byte: "
				   "corrupt zip",
				   z->path, (unsigned long long)z->index + 1);
	free(z->name);
	z->name = malloc(nlen + 1);
	if (!z->name)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	memcpy(z->name, rec, nlen);
	z->name[nlen] = '\0';
	ent->name = z->name;
	ent->flags = get_le16(h + 8);
	ent->method = get_le16(h + 10);
	ent->crc = get_le32(h + 16);
	ent->csize = get_le32(h + 20);
	ent->usize = get_le32(h + 24);
	off = get_le32(h + 42);
	disk = get_le16(h + 34) == 0xffff;
	need[0] = ent->usize == 0xffffffffu;
	need[1] = ent->csize == 0xffffffffu;
	need[2] = off == 0xffffffffu;
	v[0] = &ent->usize;
	v[1] = &ent->csize;
	v[2] = &off;
	rc = zip64_extra(rec + nlen, xlen, v, need, disk, &got, &need_len);
	ent->zip64 = rc <= 0;
	if (rc < 0 || (rc > 0 && need_len))
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: %s: the central directory defers %s to a zip64 extra field "
				   "of %zu bytes, which %s: corrupt zip",
				   z->path, z->name,
				   need[0]   ? "the size"
				   : need[1] ? "the compressed size"
					     : "the offset",
				   need_len, rc > 0 ? "is missing" : "is shorter");
	if (!disk && get_le16(h + 34) != 0)
		return hwf_err_set(
		    e, HWF_EUNSUPPORTED,
		    "%s: %s starts on disk %u of a split (spanned) zip; join the parts "
		    "first",
		    z->path, z->name, get_le16(h + 34));
	/* Local headers and data lie before the central directory. */
	if (off > z->cd_start - z->prefix || z->cd_start - z->prefix - off < LOCAL_LEN)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: %s: local header at byte %llu is not before the central "
				   "directory (byte %llu): corrupt zip",
				   z->path, z->name, (unsigned long long)off,
				   (unsigned long long)(z->cd_start - z->prefix));
	ent->local_off = off + z->prefix;
	if (ent->csize > z->cd_start - ent->local_off - LOCAL_LEN)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: %s: %llu compressed bytes from byte %llu run past the start "
		    "of the central directory (byte %llu): corrupt sizes",
		    z->path, z->name, (unsigned long long)ent->csize,
		    (unsigned long long)ent->local_off, (unsigned long long)z->cd_start);
	if (ent->method == 0 && !(ent->flags & FLAG_ENCRYPTED) && ent->csize != ent->usize)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: %s is stored but its size (%llu) and compressed size (%llu) "
		    "differ: corrupt zip",
		    z->path, z->name, (unsigned long long)ent->usize,
		    (unsigned long long)ent->csize);
	/* Deflate makes at most 258 bytes from 2 bits: 1032 to 1. */
	if (ent->method == 8 && ent->csize < UINT64_MAX / 1032 &&
	    ent->usize > ent->csize * 1032 + 65536)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: %s: %llu bytes cannot come from %llu deflated bytes: corrupt "
		    "size",
		    z->path, z->name, (unsigned long long)ent->usize,
		    (unsigned long long)ent->csize);
	z->next = at + CENTRAL_LEN + nlen + xlen + clen;
	z->index++;
	return 1;
}

int hwf_zip_find(struct hwf_zip *z, const char *name, struct hwf_zip_entry *ent, struct hwf_err *e)
{
	int rc;

	z->next = z->cd_start;
	z->index = 0;
	while ((rc = hwf_zip_next(z, ent, e)) == 1)
		if (!strcmp(ent->name, name))
			return 0;
	if (rc < 0)
		return rc;
	return hwf_err_set(e, HWF_ENOTFOUND, "%s: no member %s", z->path, name);
}

static int mismatch(struct hwf_zip *z, const struct hwf_zip_entry *ent, const char *what,
		    uint64_t local, uint64_t central, struct hwf_err *e)
{
	int hex = !strcmp(what, "CRC-32");

	return hwf_err_set(e, HWF_EFORMAT,
			   hex ? "%s: %s: the local header says %s %08llx, the central directory "
				 "%08llx: corrupt zip"
			       : "%s: %s: the local header says %s %llu, the central directory "
				 "%llu: corrupt zip",
			   z->path, ent->name, what, (unsigned long long)local,
			   (unsigned long long)central);
}

/* The data descriptor after @ent's data: CRC-32 and sizes of 4 or 8 bytes each. */
static int check_descriptor(struct hwf_zip *z, const struct hwf_zip_entry *ent, uint64_t at,
			    struct hwf_err *e)
{
	uint8_t d[24];
	size_t n = z->cd_start - at < sizeof(d) ? (size_t)(z->cd_start - at) : sizeof(d), k = 0;
	int rc = hwf_source_read_exact(z->file, d, n, at, e);

	if (rc)
		return rc;
	if (n >= 4 && get_le32(d) == SIG_DESC)
		k = 4;
	if (n >= k + 4 && get_le32(d + k) != ent->crc)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: %s: the data descriptor at byte %llu says CRC-32 %08x, the "
				   "central directory %08x: corrupt zip",
				   z->path, ent->name, (unsigned long long)at, get_le32(d + k),
				   ent->crc);
	if (n >= k + 20 && get_le64(d + k + 4) == ent->csize && get_le64(d + k + 12) == ent->usize)
		return 0;
	if (n >= k + 12 && get_le32(d + k + 4) == ent->csize && get_le32(d + k + 8) == ent->usize)
		return 0;
	return hwf_err_set(e, HWF_EFORMAT,
			   "%s: %s: the data descriptor at byte %llu does not give the sizes of "
			   "the central directory (%llu bytes, %llu compressed): corrupt zip",
			   z->path, ent->name, (unsigned long long)at,
			   (unsigned long long)ent->usize, (unsigned long long)ent->csize);
}

int hwf_zip_data_offset(struct hwf_zip *z, const struct hwf_zip_entry *ent, uint64_t *off,
			struct hwf_err *e)
{
	uint8_t h[LOCAL_LEN], *x;
	uint64_t usize, csize, data, dummy = 0, *v[3] = { &usize, &csize, &dummy };
	size_t nlen, xlen, got, need_len;
	int need[3] = { 0, 0, 0 }, rc;

	*off = 0;
	/* hwf_zip_next made sure that the fixed part lies before the directory. */
	rc = hwf_source_read_exact(z->file, h, sizeof(h), ent->local_off, e);
	if (rc)
		return rc;
	if (get_le32(h) != SIG_LOCAL)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: %s: no local header at byte %llu where the central directory "
		    "points: corrupt zip",
		    z->path, ent->name, (unsigned long long)ent->local_off);
	if (get_le16(h + 8) != ent->method)
		return mismatch(z, ent, "method", get_le16(h + 8), ent->method, e);
	nlen = get_le16(h + 26);
	xlen = get_le16(h + 28);
	data = ent->local_off + LOCAL_LEN + nlen + xlen;
	if (data > z->cd_start || ent->csize > z->cd_start - data)
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: %s: its %llu bytes of data from byte %llu run past the start "
		    "of the central directory (byte %llu): corrupt zip",
		    z->path, ent->name, (unsigned long long)ent->csize, (unsigned long long)data,
		    (unsigned long long)z->cd_start);
	x = malloc(xlen + 1);
	if (!x)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_source_read_exact(z->file, x, xlen, ent->local_off + LOCAL_LEN + nlen, e);
	usize = get_le32(h + 22);
	csize = get_le32(h + 18);
	need[0] = usize == 0xffffffffu;
	need[1] = csize == 0xffffffffu;
	if (!rc) {
		/*
		 * A local zip64 field holds both sizes (APPNOTE 4.5.3), whichever is
		 * marked; read by the central rule (only marked ones, in order) only
		 * when it is too short for both.
		 */
		static const int both[3] = { 1, 1, 0 };

		rc = need[0] || need[1] ? zip64_extra(x, xlen, v, both, 0, &got, &need_len) : 1;
		if (rc)
			rc = zip64_extra(x, xlen, v, need, 0, &got, &need_len);
		if (rc < 0 || (rc > 0 && need_len))
			rc = hwf_err_set(
			    e, HWF_EFORMAT,
			    "%s: %s: the local header defers its sizes to a zip64 extra "
			    "field of %zu bytes, which %s: corrupt zip",
			    z->path, ent->name, need_len, rc > 0 ? "is missing" : "is shorter");
		else
			rc = 0;
	}
	free(x);
	if (rc)
		return rc;
	if (get_le16(h + 6) & FLAG_DESCRIPTOR) {
		/* Sizes and CRC-32 follow the data (a streaming writer). */
		rc = check_descriptor(z, ent, data + ent->csize, e);
		if (rc)
			return rc;
	} else {
		if (get_le32(h + 14) != ent->crc)
			return mismatch(z, ent, "CRC-32", get_le32(h + 14), ent->crc, e);
		if (usize != ent->usize)
			return mismatch(z, ent, "size", usize, ent->usize, e);
		if (csize != ent->csize)
			return mismatch(z, ent, "compressed size", csize, ent->csize, e);
	}
	*off = data;
	return 0;
}

void hwf_zip_close(struct hwf_zip *z)
{
	if (!z)
		return;
	free(z->rec);
	free(z->name);
	free(z);
}
