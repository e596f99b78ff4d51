// SPDX-License-Identifier: MIT
/*
 * Zip members as bytes: deflated data inflated forwards with its CRC-32 and
 * sizes checked at the end (a stream source that restarts to go backwards),
 * stored data as a window; and the walk and sniff helpers.  The records
 * are zip.c's.
 */
#include "formats/core/zip.h"

#include "formats/core/crc32.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define IN_BUF (256u << 10)

struct hwf_zip_stream {
	struct hwf_source *file;
	char *label;
	uint64_t data_off, csize, usize;
	uint32_t crc_want;
	z_stream zs;
	int ended;	 /* the deflate stream said Z_STREAM_END */
	uint64_t passes;   /* times inflating started from the first byte */
	uint64_t produced; /* bytes inflated over all passes */
	uint64_t in_pos; /* compressed bytes read */
	uint64_t pos;	 /* bytes produced */
	uLong crc;
	uint8_t in[IN_BUF];
	uint8_t skip[64u << 10];
};

static int stream_restart(struct hwf_zip_stream *s, struct hwf_err *e)
{
	if (inflateReset(&s->zs) != Z_OK)
		return hwf_err_set(e, HWF_ENOMEM, "%s: cannot restart inflate", s->label);
	s->zs.next_in = s->in;
	s->zs.avail_in = 0;
	s->ended = 0;
	s->in_pos = 0;
	s->pos = 0;
	s->crc = crc32(0, NULL, 0);
	s->passes++;
	return 0;
}

int hwf_zip_stream_open(struct hwf_zip_stream **out, struct hwf_source *file,
			const struct hwf_zip_entry *ent, uint64_t data_off, const char *label,
			struct hwf_err *e)
{
	struct hwf_zip_stream *s;

	*out = NULL;
	if (data_off > hwf_source_size(file) || ent->csize > hwf_source_size(file) - data_off)
		return hwf_err_set(e, HWF_ETRUNC, "%s: compressed data past the end of the file",
				   label);
	s = calloc(1, sizeof(*s));
	if (!s)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	s->label = strdup(label);
	if (!s->label || inflateInit2(&s->zs, -MAX_WBITS) != Z_OK) {
		free(s->label);
		free(s);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	s->file = file;
	s->data_off = data_off;
	s->csize = ent->csize;
	s->usize = ent->usize;
	s->crc_want = ent->crc;
	stream_restart(s, NULL);
	*out = s;
	return 0;
}

/* Inflate into @out until it is full or the stream ends; the bytes made, or <0. */
static int64_t inflate_into(struct hwf_zip_stream *s, uint8_t *out, size_t len, struct hwf_err *e)
{
	size_t made;

	if (len > (1u << 30))
		len = 1u << 30;
	s->zs.next_out = out;
	s->zs.avail_out = (uInt)len;
	while (s->zs.avail_out && !s->ended) {
		int r;

		if (!s->zs.avail_in && s->in_pos < s->csize) {
			size_t n =
			    s->csize - s->in_pos < IN_BUF ? (size_t)(s->csize - s->in_pos) : IN_BUF;
			int rc =
			    hwf_source_read_exact(s->file, s->in, n, s->data_off + s->in_pos, e);

			if (rc)
				return rc;
			s->in_pos += n;
			s->zs.next_in = s->in;
			s->zs.avail_in = (uInt)n;
		}
		r = inflate(&s->zs, Z_NO_FLUSH);
		if (r == Z_STREAM_END) {
			s->ended = 1;
		} else if (r == Z_BUF_ERROR && !s->zs.avail_in && s->in_pos == s->csize) {
			return hwf_err_set(
			    e, HWF_EFORMAT,
			    "%s: the deflated data (%llu bytes) ends before the "
			    "stream does, at byte %llu of %llu: corrupt or truncated "
			    "zip",
			    s->label, (unsigned long long)s->csize,
			    (unsigned long long)(s->pos + len - s->zs.avail_out),
			    (unsigned long long)s->usize);
		} else if (r != Z_OK) {
			return hwf_err_set(
			    e, HWF_EFORMAT, "%s: inflate failed at byte %llu: %s (corrupt zip)",
			    s->label, (unsigned long long)(s->pos + len - s->zs.avail_out),
			    s->zs.msg ? s->zs.msg : "bad data");
		}
	}
	made = len - s->zs.avail_out;
	s->crc = hwf_crc32((uint32_t)s->crc, out, made);
	s->pos += made;
	s->produced += made;
	return (int64_t)made;
}

/* At the announced size: the stream must end here and the CRC-32 match. */
static int stream_finish(struct hwf_zip_stream *s, struct hwf_err *e)
{
	uint8_t extra;
	int64_t n;

	if (!s->ended) {
		n = inflate_into(s, &extra, 1, e);
		if (n < 0)
			return (int)n;
		if (n > 0)
			return hwf_err_set(
			    e, HWF_EFORMAT,
			    "%s: the deflated data holds more than the %llu bytes the "
			    "zip says: corrupt zip",
			    s->label, (unsigned long long)s->usize);
	}
	if ((uint32_t)s->crc != s->crc_want)
		return hwf_err_set(
		    e, HWF_ECRC,
		    "%s: zip CRC-32 mismatch: the %llu bytes give %08x, the zip says "
		    "%08x",
		    s->label, (unsigned long long)s->usize, (unsigned)s->crc,
		    (unsigned)s->crc_want);
	return 0;
}

int64_t hwf_zip_stream_read(struct hwf_zip_stream *s, void *buf, size_t len, uint64_t off,
			    struct hwf_err *e)
{
	size_t done = 0;
	int64_t n;
	int rc;

	if (off >= s->usize)
		return 0;
	if (len > s->usize - off)
		len = (size_t)(s->usize - off);
	if (off < s->pos) {
		rc = stream_restart(s, e);
		if (rc)
			return rc;
	}
	while (s->pos < off) {
		uint64_t want = off - s->pos;

		n = inflate_into(s, s->skip,
				 want < sizeof(s->skip) ? (size_t)want : sizeof(s->skip), e);
		if (n < 0)
			return n;
		if (n == 0)
			break;
	}
	while (s->pos == off + done && done < len) {
		n = inflate_into(s, (uint8_t *)buf + done, len - done, e);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	if (s->pos < off + done || (s->ended && s->pos < s->usize))
		return hwf_err_set(
		    e, HWF_EFORMAT,
		    "%s: the deflated data ends at byte %llu, the zip says %llu bytes: "
		    "corrupt zip",
		    s->label, (unsigned long long)s->pos, (unsigned long long)s->usize);
	if (s->pos == s->usize) {
		rc = stream_finish(s, e);
		if (rc)
			return rc;
	}
	return (int64_t)done;
}

void hwf_zip_stream_counts(const struct hwf_zip_stream *s, uint64_t *passes, uint64_t *bytes)
{
	if (passes)
		*passes = s->passes;
	if (bytes)
		*bytes = s->produced;
}

void hwf_zip_stream_close(struct hwf_zip_stream *s)
{
	if (!s)
		return;
	inflateEnd(&s->zs);
	free(s->label);
	free(s);
}

static int64_t member_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	return hwf_zip_stream_read(ctx, buf, len, off, e);
}

static void member_release(void *ctx)
{
	hwf_zip_stream_close(ctx);
}

int hwf_source_open_zip_member(struct hwf_source **out, const char *zip_path, const char *member,
			       struct hwf_err *e)
{
	struct hwf_source *file, *s = NULL;
	struct hwf_zip_stream *zs;
	struct hwf_zip_entry ent;
	struct hwf_zip *z;
	char label[1024];
	uint64_t data_off;
	int rc;

	*out = NULL;
	rc = hwf_source_open_file(&file, zip_path, e);
	if (rc)
		return rc;
	rc = hwf_zip_open(&z, file, e);
	if (rc) {
		hwf_source_close(file);
		return rc;
	}
	rc = hwf_zip_find(z, member, &ent, e);
	if (!rc && (ent.flags & 1))
		rc = hwf_err_set(e, HWF_EUNSUPPORTED, "%s: %s is encrypted", zip_path, member);
	if (!rc && ent.method != 0 && ent.method != 8)
		rc = hwf_err_set(e, HWF_EUNSUPPORTED,
				 "%s: %s uses compression method %u (only stored and deflated "
				 "are supported)",
				 zip_path, member, ent.method);
	if (!rc)
		rc = hwf_zip_data_offset(z, &ent, &data_off, e);
	hwf_zip_close(z);
	snprintf(label, sizeof(label), "%s:%s", zip_path, member);
	if (!rc && ent.method == 0) {
		/* Stored: a plain window on the archive file. */
		rc = hwf_source_open_window(&s, file, data_off, ent.usize, label, e);
	} else if (!rc) {
		rc = hwf_zip_stream_open(&zs, file, &ent, data_off, label, e);
		if (!rc)
			rc = hwf_source_open_stream(&s, ent.usize, label, member_read,
						    member_release, zs, e);
	}
	if (rc) {
		hwf_source_close(file);
		return rc;
	}
	hwf_source_own(s, file);
	*out = s;
	return 0;
}

int hwf_zip_sniff(const char *path)
{
	unsigned char m[4];
	FILE *f = fopen(path, "rb");
	int ok;

	if (!f)
		return 0;
	ok = fread(m, 1, 4, f) == 4 && m[0] == 'P' && m[1] == 'K' && m[2] == 3 && m[3] == 4;
	fclose(f);
	return ok;
}

int hwf_zip_walk(const char *zip_path, int (*cb)(void *ctx, const struct hwf_zip_member *m),
		 void *ctx, struct hwf_err *e)
{
	struct hwf_source *file;
	struct hwf_zip_entry ent;
	struct hwf_zip *z;
	int rc;

	rc = hwf_source_open_file(&file, zip_path, e);
	if (rc)
		return rc;
	rc = hwf_zip_open(&z, file, e);
	while (!rc && (rc = hwf_zip_next(z, &ent, e)) == 1) {
		struct hwf_zip_member m;

		m.name = ent.name;
		m.size = ent.usize;
		m.csize = ent.csize;
		m.method = ent.method;
		m.encrypted = ent.flags & 1;
		rc = cb(ctx, &m);
	}
	hwf_zip_close(z);
	hwf_source_close(file);
	return rc;
}
