// SPDX-License-Identifier: MIT
#include "formats/image/sniff.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "formats/core/bytes.h"

/* The liblp geometry of a full super image starts at 4096. */
#define HEAD 8192
#define TAIL 64

static int starts(const uint8_t *p, size_t len, const char *m)
{
	size_t n = strlen(m);

	return len >= n && memcmp(p, m, n) == 0;
}

static int ci_contains(const uint8_t *p, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++) {
		size_t k = 0;

		while (k < n && tolower(p[i + k]) == needle[k])
			k++;
		if (k == n)
			return 1;
	}
	return 0;
}

static int is_texty(const uint8_t *p, size_t len)
{
	size_t bad = 0;

	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x09 || (p[i] > 0x0d && p[i] < 0x20 && p[i] != 0x1b) || p[i] == 0x7f)
			bad++;
	return bad * 100 < len;	/* UTF-8 bytes >= 0x80 are fine */
}

/* First line of text, without control characters, shortened. */
static void first_line(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	size_t i = 0, o = 0;

	while (i < len && isspace(p[i]))
		i++;
	for (; i < len && p[i] != '\n' && p[i] != '\r' && o + 1 < outlen && o < 40; i++)
		out[o++] = (p[i] < 0x20 || p[i] == 0x7f) ? ' ' : (char)p[i];
	out[o] = '\0';
}

static void sniff_head(const uint8_t *p, size_t len, uint64_t size, struct hwf_sniff *s);

void hwf_sniff_buf(const uint8_t *p, size_t len, uint64_t size, struct hwf_sniff *s)
{
	memset(s, 0, sizeof(*s));
	s->size = size;
	sniff_head(p, len, size, s);
	s->inner = s->kind;
}

static void sniff_head(const uint8_t *p, size_t len, uint64_t size, struct hwf_sniff *s)
{
	size_t i;

	if (size == 0) {
		s->kind = HWF_KIND_EMPTY;
		return;
	}
	if (len >= 96 && get_le32(p + 92) == 0xa55aaa55u) {
		s->kind = HWF_KIND_UPDATE_APP;
		return;
	}
	if (starts(p, len, "ANDROID!")) {
		s->kind = HWF_KIND_BOOTIMG;
		return;
	}
	if (starts(p, len, "VNDRBOOT")) {
		s->kind = HWF_KIND_VENDOR_BOOT;
		return;
	}
	if (len >= 4 && get_le32(p) == 0xed26ff3au) {
		s->kind = HWF_KIND_SPARSE;
		return;
	}
	if (starts(p, len, "AVB0")) {
		s->kind = HWF_KIND_VBMETA;
		return;
	}
	if (starts(p, len, "PK\x03\x04") || starts(p, len, "PK\x05\x06")) {
		s->kind = HWF_KIND_ZIP;
		return;
	}
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
		s->kind = HWF_KIND_GZIP;
		return;
	}
	if (len >= 4 && (get_le32(p) == 0x184d2204u || get_le32(p) == 0x184c2102u)) {
		s->kind = HWF_KIND_LZ4;
		return;
	}
	if (starts(p, len, "\x7f" "ELF")) {
		s->kind = HWF_KIND_ELF;
		return;
	}
	if (len >= 1082 && get_le16(p + 1080) == 0xef53) {
		s->kind = HWF_KIND_EXT4;
		return;
	}
	if (len >= 1028 && get_le32(p + 1024) == 0xe0f5e1e2u) {
		s->kind = HWF_KIND_EROFS;
		return;
	}
	if (len >= 1028 && get_le32(p + 1024) == 0xf2f52010u) {
		s->kind = HWF_KIND_F2FS;
		return;
	}
	if ((len >= 4 && get_le32(p) == 0x616c4467u) ||
	    (len >= 4100 && get_le32(p + 4096) == 0x616c4467u)) {
		s->kind = HWF_KIND_SUPER;
		return;
	}
	if (len >= 4 && get_be32(p) == 0xd7b7ab1eu) {
		s->kind = HWF_KIND_DTBO;
		return;
	}
	for (i = 0; i < len && p[i] == 0; i++)
		;
	if (i == len) {
		s->kind = HWF_KIND_ZEROS;
		return;
	}
	for (i = 0; i < len && p[i] == 0xff; i++)
		;
	if (i == len) {
		s->kind = HWF_KIND_FFS;
		return;
	}
	/* An UPDATE.APP whose first entry is not at 92 (non-zero preamble). */
	for (i = 0; i + 4 <= len; i += 4)
		if (get_le32(p + i) == 0xa55aaa55u) {
			s->kind = HWF_KIND_UPDATE_APP;
			return;
		}
	if (is_texty(p, len)) {
		first_line(p, len, s->detail, sizeof(s->detail));
		if (ci_contains(p, len < 1024 ? len : 1024, "<!doctype html") ||
		    ci_contains(p, len < 1024 ? len : 1024, "<html") ||
		    ci_contains(p, len < 1024 ? len : 1024, "<head"))
			s->kind = HWF_KIND_HTML;
		else
			s->kind = HWF_KIND_TEXT;
		return;
	}
	s->kind = HWF_KIND_UNKNOWN;
}

int hwf_sniff_source(struct hwf_source *src, struct hwf_sniff *out, struct hwf_err *e)
{
	uint8_t head[HEAD], tail[TAIL];
	uint64_t size = hwf_source_size(src);
	int64_t n = hwf_source_pread(src, head, sizeof(head), 0, e);

	if (n < 0)
		return (int)n;
	hwf_sniff_buf(head, (size_t)n, size, out);
	switch (out->kind) {
	case HWF_KIND_UNKNOWN:
	case HWF_KIND_EXT4:
	case HWF_KIND_EROFS:
	case HWF_KIND_F2FS:
	case HWF_KIND_DTBO:
	case HWF_KIND_ZEROS:
	case HWF_KIND_FFS:
		/* Partition images that carry an AVB footer (hashtree or hash). */
		if (size >= TAIL && hwf_source_read_exact(src, tail, TAIL, size - TAIL, e) == 0 &&
		    memcmp(tail, "AVBf", 4) == 0)
			out->kind = HWF_KIND_AVB_FOOTER;
		break;
	default:
		break;
	}
	return 0;
}

const char *hwf_kind_name(enum hwf_kind kind)
{
	switch (kind) {
	case HWF_KIND_UNKNOWN: return "unrecognised data";
	case HWF_KIND_EMPTY: return "empty file";
	case HWF_KIND_ZEROS: return "all zero bytes";
	case HWF_KIND_FFS: return "all 0xFF bytes (erased flash)";
	case HWF_KIND_UPDATE_APP: return "Huawei UPDATE.APP";
	case HWF_KIND_BOOTIMG: return "Android boot image";
	case HWF_KIND_VENDOR_BOOT: return "Android vendor_boot image";
	case HWF_KIND_SPARSE: return "Android sparse image";
	case HWF_KIND_VBMETA: return "AVB vbmeta image";
	case HWF_KIND_AVB_FOOTER: return "raw image with an AVB footer";
	case HWF_KIND_ZIP: return "zip archive";
	case HWF_KIND_GZIP: return "gzip data";
	case HWF_KIND_LZ4: return "lz4 data";
	case HWF_KIND_ELF: return "ELF executable";
	case HWF_KIND_EXT4: return "ext4 file system";
	case HWF_KIND_HTML: return "HTML page";
	case HWF_KIND_TEXT: return "text file";
	case HWF_KIND_EROFS: return "erofs file system";
	case HWF_KIND_F2FS: return "f2fs file system";
	case HWF_KIND_SUPER: return "super image (liblp)";
	case HWF_KIND_DTBO: return "DTBO image";
	}
	return "?";
}

void hwf_sniff_explain(const struct hwf_sniff *s, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	switch (s->kind) {
	case HWF_KIND_HTML:
		snprintf(buf, len,
			 "is an HTML page (starts with `%s`): the download link saved a web page, "
			 "not the file",
			 s->detail);
		break;
	case HWF_KIND_TEXT:
		snprintf(buf, len, "is a text file (starts with `%s`), not a firmware file",
			 s->detail);
		break;
	case HWF_KIND_EMPTY:
		snprintf(buf, len, "is empty (0 bytes): the download or copy did not happen");
		break;
	case HWF_KIND_ZEROS:
		snprintf(buf, len,
			 "holds only zero bytes where data should start: a failed or "
			 "preallocated download");
		break;
	case HWF_KIND_FFS:
		snprintf(buf, len, "holds only 0xFF bytes: a dump of erased flash");
		break;
	case HWF_KIND_ZIP:
		snprintf(buf, len, "is a zip archive: unpack it first (or give it to a command "
				   "that reads zips)");
		break;
	case HWF_KIND_UNKNOWN:
		snprintf(buf, len, "is not a recognised firmware file");
		break;
	case HWF_KIND_UPDATE_APP:
		snprintf(buf, len, "is a Huawei UPDATE.APP package (its entries are flashed with "
				   "`hwflash app flash`)");
		break;
	case HWF_KIND_BOOTIMG:
		snprintf(buf, len, "is an Android boot image");
		break;
	case HWF_KIND_VENDOR_BOOT:
		snprintf(buf, len, "is an Android vendor_boot image");
		break;
	case HWF_KIND_SPARSE:
		snprintf(buf, len, "is an Android sparse image");
		break;
	case HWF_KIND_VBMETA:
		snprintf(buf, len, "is an AVB vbmeta image");
		break;
	case HWF_KIND_AVB_FOOTER:
		snprintf(buf, len, "is a raw partition image with an AVB footer");
		break;
	case HWF_KIND_GZIP:
		snprintf(buf, len, "is gzip-compressed data (decompress it first)");
		break;
	case HWF_KIND_LZ4:
		snprintf(buf, len, "is lz4-compressed data (decompress it first)");
		break;
	case HWF_KIND_ELF:
		snprintf(buf, len, "is an ELF program or library, not a firmware image");
		break;
	case HWF_KIND_EXT4:
		snprintf(buf, len, "is an ext4 file system image");
		break;
	case HWF_KIND_EROFS:
		snprintf(buf, len, "is an erofs file system image");
		break;
	case HWF_KIND_F2FS:
		snprintf(buf, len, "is an f2fs file system image");
		break;
	case HWF_KIND_SUPER:
		snprintf(buf, len, "is a super image (liblp metadata and logical partitions)");
		break;
	case HWF_KIND_DTBO:
		snprintf(buf, len, "is a DTBO image (a device tree overlay table)");
		break;
	}
}
