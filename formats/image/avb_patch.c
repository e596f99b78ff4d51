// SPDX-License-Identifier: MIT
/* The vbmeta flags set on the fly: see avb_patch.h. */
#include "formats/image/avb_patch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/image/avb.h"

#define VBMETA_HEADER 256
#define FLAGS_AT      120

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The image's bytes, with the four flag bytes of the header replaced. */
static int patched_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	struct hwf_avb_patch *p = ctx;
	uint64_t at = p->vbmeta_offset + FLAGS_AT;
	uint8_t flags[4] = {(uint8_t)(p->new_flags >> 24), (uint8_t)(p->new_flags >> 16),
			    (uint8_t)(p->new_flags >> 8), (uint8_t)p->new_flags};
	int rc = hwf_source_read_exact(p->img, buf, len, off, e);

	if (rc)
		return rc;
	for (int i = 0; i < 4; i++)
		if (at + i >= off && at + i < off + len)
			((uint8_t *)buf)[at + i - off] = flags[i];
	return 0;
}

/* 1 when a vbmeta header starts at @off of @img, 0 when not. */
static int header_at(struct hwf_source *img, uint64_t off, uint8_t *h, struct hwf_err *e)
{
	int64_t n;

	if (off > hwf_source_size(img) || hwf_source_size(img) - off < VBMETA_HEADER)
		return 0;
	n = hwf_source_pread(img, h, VBMETA_HEADER, off, e);
	if (n < 0)
		return (int)n;
	return n == VBMETA_HEADER && !memcmp(h, "AVB0", 4);
}

int hwf_avb_patch_flags(struct hwf_avb_patch *p, struct hwf_source *img, uint32_t set,
			struct hwf_source **out, struct hwf_err *e)
{
	uint8_t h[VBMETA_HEADER];
	struct hwf_avb_footer f;
	int rc;

	memset(p, 0, sizeof(*p));
	p->img = img;
	rc = header_at(img, 0, h, e);
	if (rc == 0) {
		rc = hwf_avb_read_footer(img, &f, e);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			p->vbmeta_offset = f.vbmeta_offset;
			p->in_footer = 1;
			rc = header_at(img, f.vbmeta_offset, h, e);
		}
	}
	if (rc < 0)
		return rc;
	if (rc == 0)
		return hwf_err_set(e, HWF_ENOTFOUND,
				   "%s has no vbmeta (neither a vbmeta image nor an image with an "
				   "AVB footer): --disable-verity and --disable-verification "
				   "apply to vbmeta images",
				   hwf_source_name(img));
	p->old_flags = be32(h + FLAGS_AT);
	p->new_flags = p->old_flags | (set & 3u);
	return hwf_source_open_callback(out, hwf_source_size(img), hwf_source_name(img),
					patched_read, p, e);
}

int hwf_avb_write_flags(struct hwf_avb_patch *p, struct hwf_source *img, uint32_t set, int out_fd,
			hwf_progress_fn progress, void *pctx, struct hwf_err *e)
{
	const size_t chunk = 1u << 20;
	struct hwf_source *view;
	uint64_t size = hwf_source_size(img);
	uint8_t *buf;
	int rc = hwf_avb_patch_flags(p, img, set, &view, e);

	if (rc)
		return rc;
	buf = malloc(chunk);
	if (!buf) {
		hwf_source_close(view);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	for (uint64_t off = 0; off < size && !rc;) {
		size_t n = size - off < chunk ? (size_t)(size - off) : chunk, done = 0;

		rc = hwf_source_read_exact(view, buf, n, off, e);
		while (!rc && done < n) {
			ssize_t w = write(out_fd, buf + done, n - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				rc = hwf_err_set(e, w < 0 && errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
						 "cannot write the output: %s",
						 strerror(w < 0 ? errno : EIO));
			else
				done += (size_t)w;
		}
		off += n;
		if (!rc && progress)
			progress(pctx, off, size);
	}
	free(buf);
	hwf_source_close(view);
	return rc;
}

const char *hwf_avb_flags_text(uint32_t flags)
{
	switch (flags & 3u) {
	case 1: return "hashtree (verity) disabled";
	case 2: return "verification disabled";
	case 3: return "hashtree (verity) and verification disabled";
	default: return "";
	}
}
