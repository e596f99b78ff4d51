// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the liblp reader and check on a super image or
 * super_empty.img (raw or sparse), each partition as a source, and the
 * builder's round trip (import, export, serialize, parse again).
 */
#include <stdint.h>
#include <stdlib.h>

#include "formats/image/liblp.h"
#include "formats/image/liblp_build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(void *ctx, int severity, const char *text)
{
	(void)ctx, (void)severity, (void)text;
}

static void round_trip(const struct hwf_lp_metadata *m)
{
	struct hwf_lp_builder *b;
	struct hwf_lp_metadata out, again;
	struct hwf_source *src;
	struct hwf_err e = {0};
	uint8_t *blob;
	size_t len;

	if (hwf_lp_builder_import(&b, m, &e))
		return;
	if (!hwf_lp_builder_export(b, &out, &e)) {
		if (!hwf_lp_serialize_metadata(&out, &blob, &len, &e)) {
			if (!hwf_source_open_mem(&src, blob, len, "blob", &e)) {
				if (!hwf_lp_parse_metadata(src, 0, len, &out.geo, "copy", &again,
							   &e))
					hwf_lp_metadata_free(&again);
				hwf_source_close(src);
			}
			free(blob);
		}
		hwf_lp_metadata_free(&out);
	}
	hwf_lp_builder_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwf_source *src, *ps;
	struct hwf_err e = {0};
	struct hwf_lp *lp;
	uint8_t buf[4096];

	if (hwf_source_open_mem(&src, data, size, "fuzz.img", &e))
		return 0;
	for (uint32_t slot = 0; slot < 2; slot++) {
		const struct hwf_lp_metadata *m;

		if (hwf_lp_open(&lp, src, slot, &e))
			continue;
		hwf_lp_check(lp, ignore, NULL, &e);
		m = hwf_lp_metadata(lp);
		for (uint32_t i = 0; i < m->npart && i < 64; i++) {
			uint64_t n;

			if (hwf_lp_open_partition(lp, i, &ps, &e))
				continue;
			n = hwf_source_size(ps);
			hwf_source_pread(ps, buf, sizeof(buf), 0, &e);
			if (n > sizeof(buf))
				hwf_source_pread(ps, buf, sizeof(buf), n - sizeof(buf), &e);
			hwf_source_close(ps);
		}
		if (!slot)
			round_trip(m);
		hwf_lp_close(lp);
	}
	hwf_source_close(src);
	return 0;
}
