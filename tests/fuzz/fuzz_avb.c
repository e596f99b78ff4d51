// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: AVB.  The input is parsed both as a standalone vbmeta
 * image (AVB0 at byte 0, as vbmeta.img) and as a partition image with an
 * AVBf footer in its last 64 bytes; the hash descriptor's digest and the
 * signature (embedded key) are checked, and the footer relocation is read
 * back whole.  The image checker reaches vbmeta only through a consistent
 * footer; this target feeds vbmeta directly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/image/avb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void vbmeta_at(struct hwf_source *src, uint64_t off, uint64_t len)
{
	struct hwf_avb_info info;
	struct hwf_err e = { 0 };
	enum hwf_avb_sig sig;

	if (hwf_avb_parse_vbmeta(src, off, len, &info, &e))
		return;
	if (info.has_hash)
		hwf_avb_check_digest(src, off, len, &info, NULL, NULL, &e);
	hwf_avb_verify_signature(src, off, len, NULL, &sig, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwf_source *src, *rel;
	struct hwf_avb_footer f;
	struct hwf_avb_relocation r;
	struct hwf_err e = { 0 };

	if (hwf_source_open_mem(&src, data, size, "fuzz.img", &e))
		return 0;
	vbmeta_at(src, 0, size);
	if (hwf_avb_read_footer(src, &f, &e) == 1) {
		/* What the image checker asks of a footer before it trusts it. */
		if (f.vbmeta_offset <= size - 64 && f.vbmeta_size <= size - 64 - f.vbmeta_offset)
			vbmeta_at(src, f.vbmeta_offset, f.vbmeta_size);
		/* Without those checks too: the parser must bound itself. */
		vbmeta_at(src, f.vbmeta_offset, f.vbmeta_size);
		if (hwf_avb_relocate_footer(&r, src, size + 64 + (size ? data[0] : 0) * 512u, &rel,
					    &e) == 0) {
			uint64_t n = hwf_source_size(rel);
			uint8_t *buf = n <= (4u << 20) ? malloc(n ? n : 1) : NULL;

			if (buf && hwf_source_read_exact(rel, buf, n, 0, &e) == 0 &&
			    memcmp(buf + n - 64, data + size - 64, 64))
				abort();	/* the footer must land in the last 64 bytes */
			free(buf);
			hwf_source_close(rel);
		}
	}
	hwf_source_close(src);
	return 0;
}
