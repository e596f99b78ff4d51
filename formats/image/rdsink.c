// SPDX-License-Identifier: MIT
#include "formats/image/rdsink.h"

#include <errno.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lz4hc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK	     65536
#define LEGACY_BLOCK (8u << 20)
#define LZ4_LEVEL    12

struct hwf_rdsink {
	enum hwf_ramdisk_comp comp;
	int fd;
	uint64_t total, written;
	z_stream z;
	gz_header gzh; /* zlib keeps a pointer to it until the header is written */
	int z_init;
	LZ4F_cctx *cctx;
	LZ4F_preferences_t prefs;
	uint8_t *in, *out;
	size_t in_n, out_cap;
	struct hwf_err *e;
};

static int put(struct hwf_rdsink *s, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = write(s->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return hwf_err_set(s->e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
					   "writing the ramdisk: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
		s->written += (size_t)w;
	}
	return 0;
}

static int deflate_some(struct hwf_rdsink *s, int flush)
{
	int zr;

	do {
		s->z.next_out = s->out;
		s->z.avail_out = (uInt)s->out_cap;
		zr = deflate(&s->z, flush);
		if (zr == Z_STREAM_ERROR)
			return hwf_err_set(s->e, HWF_EIO, "zlib: deflate failed");
		if (put(s, s->out, s->out_cap - s->z.avail_out))
			return HWF_EIO;
	} while (s->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static int legacy_block(struct hwf_rdsink *s)
{
	int n;
	uint8_t h[4];

	if (!s->in_n)
		return 0;
	n = LZ4_compress_HC((const char *)s->in, (char *)s->out + 4, (int)s->in_n,
			    (int)s->out_cap - 4, LZ4_LEVEL);
	if (n <= 0)
		return hwf_err_set(s->e, HWF_EIO, "lz4: compression failed");
	h[0] = (uint8_t)n;
	h[1] = (uint8_t)(n >> 8);
	h[2] = (uint8_t)(n >> 16);
	h[3] = (uint8_t)(n >> 24);
	memcpy(s->out, h, 4);
	s->in_n = 0;
	return put(s, s->out, (size_t)n + 4);
}

static int lz4f_check(struct hwf_rdsink *s, size_t r)
{
	if (LZ4F_isError(r))
		return hwf_err_set(s->e, HWF_EIO, "lz4: %s", LZ4F_getErrorName(r));
	return put(s, s->out, r);
}

int hwf_rdsink_write(struct hwf_rdsink *s, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	s->total += n;
	switch (s->comp) {
	case HWF_RD_GZIP:
		while (n) {
			size_t k = n < CHUNK ? n : CHUNK;

			s->z.next_in = (Bytef *)p;
			s->z.avail_in = (uInt)k;
			if (deflate_some(s, Z_NO_FLUSH))
				return HWF_EIO;
			p += k;
			n -= k;
		}
		return 0;
	case HWF_RD_LZ4_LEGACY:
		while (n) {
			size_t k = LEGACY_BLOCK - s->in_n;

			if (k > n)
				k = n;
			memcpy(s->in + s->in_n, p, k);
			s->in_n += k;
			p += k;
			n -= k;
			if (s->in_n == LEGACY_BLOCK && legacy_block(s))
				return HWF_EIO;
		}
		return 0;
	case HWF_RD_LZ4_FRAME:
		while (n) {
			size_t k = n < CHUNK ? n : CHUNK;

			if (lz4f_check(
				s, LZ4F_compressUpdate(s->cctx, s->out, s->out_cap, p, k, NULL)))
				return HWF_EIO;
			p += k;
			n -= k;
		}
		return 0;
	default: return put(s, buf, n);
	}
}

int hwf_rdsink_finish(struct hwf_rdsink *s, uint64_t *written)
{
	int rc = 0;

	if (s->comp == HWF_RD_GZIP)
		rc = deflate_some(s, Z_FINISH);
	else if (s->comp == HWF_RD_LZ4_LEGACY)
		rc = legacy_block(s);
	else if (s->comp == HWF_RD_LZ4_FRAME)
		rc = lz4f_check(s, LZ4F_compressEnd(s->cctx, s->out, s->out_cap, NULL));
	if (written)
		*written = s->written;
	return rc;
}

uint64_t hwf_rdsink_total(const struct hwf_rdsink *s)
{
	return s->total;
}

void hwf_rdsink_close(struct hwf_rdsink *s)
{
	if (!s)
		return;
	if (s->z_init)
		deflateEnd(&s->z);
	if (s->cctx)
		LZ4F_freeCompressionContext(s->cctx);
	free(s->in);
	free(s->out);
	free(s);
}

int hwf_rdsink_open(struct hwf_rdsink **out, enum hwf_ramdisk_comp comp, int fd, struct hwf_err *e)
{
	struct hwf_rdsink *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	s->comp = comp;
	s->fd = fd;
	s->e = e;
	switch (comp) {
	case HWF_RD_GZIP:
		s->out_cap = CHUNK;
		s->out = malloc(s->out_cap);
		if (!s->out ||
		    deflateInit2(&s->z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			goto nomem;
		s->z_init = 1;
		/* The header's OS byte is 3 (Unix) as gzip and zlib write it on Linux, on every
		 * build: zlib's default is the build's OS (10 on Windows), and a ramdisk repacked
		 * there would differ from the one unpacked by that byte. */
		s->gzh.os = 3;
		if (deflateSetHeader(&s->z, &s->gzh) != Z_OK)
			goto nomem;
		break;
	case HWF_RD_LZ4_LEGACY: {
		static const uint8_t magic[4] = {0x02, 0x21, 0x4c, 0x18};

		s->out_cap = (size_t)LZ4_compressBound(LEGACY_BLOCK) + 4;
		s->in = malloc(LEGACY_BLOCK);
		s->out = malloc(s->out_cap);
		if (!s->in || !s->out)
			goto nomem;
		if (put(s, magic, 4))
			goto fail;
		break;
	}
	case HWF_RD_LZ4_FRAME:
		s->prefs.frameInfo.blockSizeID = LZ4F_max4MB;
		s->prefs.frameInfo.blockMode = LZ4F_blockIndependent;
		s->prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
		s->prefs.compressionLevel = LZ4_LEVEL;
		s->out_cap = LZ4F_compressBound(CHUNK, &s->prefs);
		if (s->out_cap < LZ4F_HEADER_SIZE_MAX)
			s->out_cap = LZ4F_HEADER_SIZE_MAX;
		s->out = malloc(s->out_cap);
		if (!s->out || LZ4F_isError(LZ4F_createCompressionContext(&s->cctx, LZ4F_VERSION)))
			goto nomem;
		if (lz4f_check(s, LZ4F_compressBegin(s->cctx, s->out, s->out_cap, &s->prefs)))
			goto fail;
		break;
	case HWF_RD_CPIO: break;
	default:
		free(s);
		return hwf_err_set(e, HWF_EINVAL, "ramdisk: cannot compress as %s",
				   hwf_ramdisk_comp_name(comp));
	}
	*out = s;
	return 0;
nomem:
	hwf_err_set(e, HWF_ENOMEM, "out of memory");
fail:
	hwf_rdsink_close(s);
	return e ? e->code : HWF_ENOMEM;
}
