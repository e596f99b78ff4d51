/* SPDX-License-Identifier: MIT */
/*
 * What is this file?  Identified by content, never by name, so that a web
 * page saved as recovery.img or a zip saved as UPDATE.APP gets a sentence a
 * person understands instead of "bad magic".
 *
 * Memory: results are the caller's structs; nothing allocated.  Errors:
 * only what reading the first bytes returns (HWF_EIO); an unknown kind is
 * a result, not an error.
 */
#ifndef HWF_SNIFF_H
#define HWF_SNIFF_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

enum hwf_kind {
	HWF_KIND_UNKNOWN,
	HWF_KIND_EMPTY,
	HWF_KIND_ZEROS,		/* every byte sniffed is 0x00 */
	HWF_KIND_FFS,		/* every byte sniffed is 0xFF (erased flash) */
	HWF_KIND_UPDATE_APP,
	HWF_KIND_BOOTIMG,	/* ANDROID! */
	HWF_KIND_VENDOR_BOOT,	/* VNDRBOOT */
	HWF_KIND_SPARSE,	/* 0xED26FF3A */
	HWF_KIND_VBMETA,	/* AVB0 */
	HWF_KIND_AVB_FOOTER,	/* raw image with AVBf in the last 64 bytes */
	HWF_KIND_ZIP,
	HWF_KIND_GZIP,
	HWF_KIND_LZ4,
	HWF_KIND_ELF,
	HWF_KIND_EXT4,
	HWF_KIND_HTML,
	HWF_KIND_TEXT,
	HWF_KIND_EROFS,		/* 0xE0F5E1E2 at 1024 */
	HWF_KIND_F2FS,		/* 0xF2F52010 at 1024 */
	HWF_KIND_SUPER,		/* liblp geometry (0x616c4467) at 0 (super_empty) or 4096 */
	HWF_KIND_DTBO,		/* DTBO table header, 0xd7b7ab1e big-endian */
};

struct hwf_sniff {
	enum hwf_kind kind;
	/* HWF_KIND_AVB_FOOTER: what the start of the file is (ext4, erofs,
	 * DTBO ... or HWF_KIND_UNKNOWN); else the same as kind. */
	enum hwf_kind inner;
	uint64_t size;
	char detail[160];	/* e.g. the first line of an HTML page */
};

/*
 * Identify @src from its first and last bytes (8 KiB and 64 bytes; never
 * the whole file).  Returns 0 or a read error.
 */
int hwf_sniff_source(struct hwf_source *src, struct hwf_sniff *out, struct hwf_err *e);

/* Identify from a buffer holding the start of a file of @size bytes. */
void hwf_sniff_buf(const uint8_t *head, size_t len, uint64_t size, struct hwf_sniff *out);

/* Short name of a kind: "HTML page", "Android boot image", ... */
const char *hwf_kind_name(enum hwf_kind kind);

/*
 * A sentence for a person about a file that is not what was expected, e.g.
 * "is an HTML page (starts with `<!DOCTYPE html`): the download link saved
 * a web page, not the file".
 */
void hwf_sniff_explain(const struct hwf_sniff *s, char *buf, size_t len);

#endif
