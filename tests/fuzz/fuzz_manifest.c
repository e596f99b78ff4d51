// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the manifest of an unpacked image (DIR/manifest.txt,
 * formats/image/manifest.h), the one text "image repack" trusts to rebuild
 * a header.  Whatever parses must be written back and read again to the
 * same text (the writer escapes what the reader unescapes); a manifest the
 * writer made must always parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwf_manifest *m = malloc(sizeof(*m)), *back = malloc(sizeof(*back));
	struct hwf_err e = { 0 };
	char *t1 = NULL, *t2 = NULL;
	size_t n1, n2;

	if (!m || !back)
		goto out;
	if (hwf_manifest_parse((const char *)data, size, "fuzz", m, &e))
		goto out;
	t1 = hwf_manifest_format(m, &n1);
	if (!t1)
		goto out;
	if (hwf_manifest_parse(t1, n1, "again", back, &e))
		abort(); /* the writer wrote what the reader refuses */
	t2 = hwf_manifest_format(back, &n2);
	if (t2 && (n1 != n2 || memcmp(t1, t2, n1)))
		abort(); /* a field lost or changed on the way */
out:
	free(t1);
	free(t2);
	free(m);
	free(back);
	return 0;
}
