// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the ramdisk folder's two parsers of untrusted input.
 * An input starting with 'L' is a list file (formats/image/rdlist.c);
 * anything else is a ramdisk (gzip, lz4, bare cpio newc) unpacked into a
 * scratch folder, which must stay inside that folder; when it unpacks, the
 * list it wrote must parse, the folder must match it and pack again.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/image/rdfolder.h"
#include "formats/image/rdlist.h"
#include "formats/image/rdtree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ramdisk(const uint8_t *data, size_t size)
{
	const char *t = getenv("TMPDIR");
	char tmp[4096], dir[4200], list[4200];
	struct hwf_source *src;
	struct hwf_err e = {0};
	struct hwf_rdlist l;
	int changed = -1, fd;

	snprintf(tmp, sizeof(tmp), "%s/hwf-fuzz-cpio-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmp))
		return;
	snprintf(dir, sizeof(dir), "%s/rd", tmp);
	snprintf(list, sizeof(list), "%s/rd.list", tmp);
	if (hwf_source_open_mem(&src, data, size, "fuzz.cpio", &e))
		goto out;
	if (!hwf_rdtree_extract(src, 0, size, dir, list, NULL, &e)) {
		if (hwf_rdlist_load(&l, list, &e))
			abort(); /* our own list must read back */
		hwf_rdlist_free(&l);
		if (hwf_rdtree_changed(dir, list, &changed, &e) || changed)
			abort(); /* an untouched folder matches its list */
		fd = open("/dev/null", O_WRONLY);
		if (hwf_rdtree_pack(dir, list, HWF_RD_CPIO, fd, NULL, &e))
			abort();
		close(fd);
	}
	hwf_source_close(src);
out:
	hwf_rdf_remove(tmp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwf_rdlist l;
	struct hwf_err e = {0};

	if (size && data[0] == 'L') {
		hwf_rdlist_parse(&l, (const char *)data + 1, size - 1, "fuzz.list", &e);
		hwf_rdlist_free(&l);
		return 0;
	}
	ramdisk(data, size);
	return 0;
}
