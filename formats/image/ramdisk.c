// SPDX-License-Identifier: MIT
#include "formats/image/ramdisk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/image/rdstream.h"

#define MAX_FILES 1000000u

static unsigned long hex8(const uint8_t *p)
{
	char b[9];

	memcpy(b, p, 8);
	b[8] = '\0';
	return strtoul(b, NULL, 16);
}

static void note(struct hwf_ramdisk_info *info, const char *name)
{
	static const char *const exact[] = { "sbin/recovery", "system/bin/recovery" };
	const char *n = name[0] == '.' && name[1] == '/' ? name + 2 : name;

	if (!strcmp(n, "init"))
		info->has_init = 1;
	if (info->recovery)
		return;
	for (size_t i = 0; i < 2; i++)
		if (!strcmp(n, exact[i]))
			info->recovery = 1;
	if (!strncmp(n, "init.recovery.", 14))
		info->recovery = 1;
	if (info->recovery) {
		size_t l = strnlen(n, sizeof(info->marker) - 1);

		memcpy(info->marker, n, l);
		info->marker[l] = '\0';
	}
}

/*
 * The data ran out inside the cpio archive (in the file @name, or between
 * entries).  When the compressed stream itself was cut, that message stays.
 */
static int cpio_short(struct hwf_rdstream *s, struct hwf_err *e, int rc, const char *name)
{
	if (rc != HWF_ETRUNC || hwf_rdstream_cut(s))
		return rc;
	if (name)
		return hwf_err_set(e, rc, "ramdisk: the cpio archive ends inside %s", name);
	return hwf_err_set(e, rc, "ramdisk: the cpio archive is cut short (no TRAILER!!!)");
}

static int walk_cpio(struct hwf_rdstream *s, struct hwf_ramdisk_info *info, struct hwf_err *e)
{
	uint8_t h[110];
	char name[4096];

	for (;;) {
		unsigned long namesize, filesize;
		int rc = hwf_rdstream_read(s, h, sizeof(h));

		if (rc)
			return cpio_short(s, e, rc, NULL);
		if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
			return hwf_err_set(e, HWF_EFORMAT,
					   "ramdisk: not a cpio \"newc\" archive after %llu files",
					   (unsigned long long)info->files);
		namesize = hex8(h + 94);
		filesize = hex8(h + 54);
		if (!namesize || namesize > sizeof(name))
			return hwf_err_set(e, HWF_EFORMAT, "ramdisk: cpio name size %lu", namesize);
		rc = hwf_rdstream_read(s, (uint8_t *)name, namesize);
		if (!rc)
			rc = hwf_rdstream_read(s, NULL, (4 - (110 + namesize) % 4) % 4);
		if (rc)
			return cpio_short(s, e, rc, NULL);
		name[namesize - 1] = '\0';
		if (!strcmp(name, "TRAILER!!!"))
			return 0;
		if (++info->files > MAX_FILES)
			return hwf_err_set(e, HWF_EFORMAT, "ramdisk: more than %u files", MAX_FILES);
		note(info, name);
		rc = hwf_rdstream_read(s, NULL, filesize + (4 - filesize % 4) % 4);
		if (rc)
			return cpio_short(s, e, rc, name);
	}
}

/*
 * After the cpio trailer: the rest of a gzip or lz4 frame stream (cpio's
 * padding), to its end, where the CRC-32 / content checksum of all the data
 * is checked.  A stream cut there, or a flipped bit that still inflated,
 * shows only here.  Bounded: past @TAIL_MAX more bytes the stream is not
 * followed.
 */
#define TAIL_MAX (64u << 20)

int hwf_ramdisk_inspect(struct hwf_source *src, uint64_t off, uint64_t len,
			struct hwf_ramdisk_info *info, struct hwf_err *e)
{
	struct hwf_rdstream *s;
	uint64_t got, nonzero;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = hwf_rdstream_open(&s, src, off, len, &info->comp, e);
	if (rc)
		return rc;
	rc = walk_cpio(s, info, e);
	if (!rc && (info->comp == HWF_RD_GZIP || info->comp == HWF_RD_LZ4_FRAME)) {
		rc = hwf_rdstream_rest(s, TAIL_MAX, &got, &nonzero);
		if (rc == HWF_ETRUNC && !hwf_rdstream_cut(s))
			rc = hwf_err_set(e, rc,
					 "ramdisk: the %s stream is cut short after the cpio "
					 "archive",
					 info->comp == HWF_RD_GZIP ? "gzip" : "lz4 frame");
	}
	info->bytes = hwf_rdstream_total(s);
	hwf_rdstream_close(s);
	return rc;
}

const char *hwf_ramdisk_comp_name(enum hwf_ramdisk_comp c)
{
	switch (c) {
	case HWF_RD_GZIP: return "gzip";
	case HWF_RD_LZ4_LEGACY: return "lz4 (legacy)";
	case HWF_RD_LZ4_FRAME: return "lz4 (frame)";
	case HWF_RD_CPIO: return "uncompressed";
	case HWF_RD_UNKNOWN: break;
	}
	return "unknown";
}
