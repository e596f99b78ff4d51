// SPDX-License-Identifier: MIT
/* The manifest's writer (format: manifest.h): every value escaped so that the reader reads it back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/image/manifest.h"

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *q = realloc(b->p, b->cap * 2 + (size_t)n);

		if (!q) {
			b->failed = 1;
			return;
		}
		b->p = q;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

/* "key = value" with the value's bytes escaped. */
static void put_bytes(struct buf *b, const char *key, const uint8_t *v, size_t n)
{
	put(b, "%s = ", key);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = v[i];

		if (c == '\\')
			put(b, "\\\\");
		else if (c == '\n')
			put(b, "\\n");
		else if (c == '\t')
			put(b, "\\t");
		else if (c == '\r')
			put(b, "\\r");
		else if (c < 0x20 || c >= 0x7f || (c == ' ' && (i == 0 || i + 1 == n)))
			put(b, "\\x%02x", c);
		else
			put(b, "%c", c);
	}
	put(b, "\n");
}

static void put_str(struct buf *b, const char *key, const char *v)
{
	put_bytes(b, key, (const uint8_t *)v, strlen(v));
}

static void put_hex(struct buf *b, const char *key, const char *prefix, const uint8_t *v, size_t n)
{
	put(b, "%s = %s", key, prefix);
	for (size_t i = 0; i < n; i++)
		put(b, "%02x", v[i]);
	put(b, "\n");
}

static void put_os(struct buf *b, uint32_t v)
{
	uint32_t ver = v >> 11, lvl = v & 0x7ff;

	if (ver)
		put(b, "os_version = %u.%u.%u\n", (ver >> 14) & 0x7f, (ver >> 7) & 0x7f,
		    ver & 0x7f);
	else
		put(b, "os_version = \n");
	if (lvl)
		put(b, "os_patch_level = %04u-%02u\n", 2000 + (lvl >> 4), lvl & 0xf);
	else
		put(b, "os_patch_level = \n");
}

static void put_avb(struct buf *b, const struct hwf_manifest *m)
{
	put(b, "\n# AVB footer as found; repack without a key keeps the old vbmeta\n");
	put(b, "avb.partition_size = %llu\n", (unsigned long long)m->avb.partition_size);
	put(b, "avb.original_image_size = %llu\n", (unsigned long long)m->avb.original_image_size);
	put(b, "avb.vbmeta_offset = %llu\n", (unsigned long long)m->avb.vbmeta_offset);
	put(b, "avb.vbmeta_size = %llu\n", (unsigned long long)m->avb.vbmeta_size);
	put(b, "avb.footer_version = %u.%u\n", m->avb.major, m->avb.minor);
	put_str(b, "avb.vbmeta", m->avb.vbmeta);
	put_str(b, "avb.algorithm", m->avb.algorithm);
	put(b, "avb.rollback_index = %llu\n", (unsigned long long)m->avb.rollback_index);
	put(b, "avb.rollback_index_location = %u\n", m->avb.rollback_location);
	put(b, "avb.flags = %u\n", m->avb.flags);
	put_str(b, "avb.release", m->avb.release);
	put_str(b, "avb.partition_name", m->avb.partition_name);
	put_str(b, "avb.hash_algorithm", m->avb.hash_algorithm);
	put_str(b, "avb.salt", m->avb.salt);
	put_str(b, "avb.digest", m->avb.digest);
	for (size_t i = 0; i < m->avb.nprops; i++)
		put_str(b, "avb.prop", m->avb.prop[i]);
}

char *hwf_manifest_format(const struct hwf_manifest *m, size_t *len)
{
	struct buf b = {malloc(4096), 0, 4096, 0};
	int boot012 = !m->vendor && m->header_version < 3;

	if (!b.p)
		return NULL;
	put(&b,
	    "# hwflash image manifest: what \"hwflash image repack DIR\" rebuilds the image from.\n"
	    "# One \"key = value\" a line; values escape \\\\, \\n, \\t, \\r and other bytes as "
	    "\\xHH.\n"
	    "# Section files are named relative to this folder; a section without a key is "
	    "empty.\n");
	put(&b, "hwflash-manifest = 1\n");
	put(&b, "kind = %s\n", m->vendor ? "vendor_boot" : "boot");
	put(&b, "header_version = %u\n", m->header_version);
	put(&b, "page_size = %u\n", m->page_size);
	put(&b, "header_size = %u\n", m->header_size);
	if (boot012 || m->vendor) {
		put(&b, "base = 0x%08llx\n", (unsigned long long)m->base);
		put(&b, "kernel_offset = 0x%08llx\n", (unsigned long long)m->kernel_offset);
		put(&b, "ramdisk_offset = 0x%08llx\n", (unsigned long long)m->ramdisk_offset);
		if (boot012)
			put(&b, "second_offset = 0x%08llx\n", (unsigned long long)m->second_offset);
		put(&b, "tags_offset = 0x%08llx\n", (unsigned long long)m->tags_offset);
		if (m->vendor || m->header_version == 2)
			put(&b, "dtb_offset = 0x%08llx\n", (unsigned long long)m->dtb_offset);
	}
	if (boot012 && m->header_version >= 1) {
		if (m->recovery_dtbo_auto)
			put(&b, "recovery_dtbo_offset = auto\n");
		else
			put(&b, "recovery_dtbo_offset = %llu\n",
			    (unsigned long long)m->recovery_dtbo_offset);
	}
	if (!m->vendor)
		put_os(&b, m->os_version);
	if (boot012 || m->vendor)
		put_bytes(&b, "name", m->name, m->name_len);
	put_bytes(&b, "cmdline", m->cmdline, m->cmdline_len);
	if (boot012) {
		put_bytes(&b, "extra_cmdline", m->extra_cmdline, m->extra_len);
		if (m->id_mode == HWF_MF_ID_KEEP)
			put_hex(&b, "id", "hex:", m->id, 32);
		else
			put(&b, "id = %s\n", hwf_mf_id_word(m->id_mode));
	}
	put(&b, "\n# sections\n");
	for (int s = 0; s < HWF_MF_NSEC; s++)
		if (m->file[s][0])
			put_str(&b, hwf_mf_sec_name(s), m->file[s]);
	if (m->has_vrd_table) {
		put(&b, "# vendor_boot v4: repack builds the vendor ramdisk from the files below, one\n"
			"# per ramdisk; the whole section (file vendor_ramdisk, ramdisk_sha256) is not\n"
			"# used: changed alone, repack refuses\n");
		put(&b, "vendor_ramdisk_table_entry_size = %u\n", m->vrd_entry_size);
		for (size_t i = 0; i < m->nvrd; i++) {
			char k[64];

			snprintf(k, sizeof(k), "vendor_ramdisk.%zu.file", i);
			put_str(&b, k, m->vrd[i].file);
			snprintf(k, sizeof(k), "vendor_ramdisk.%zu.name", i);
			put_bytes(&b, k, m->vrd[i].name, m->vrd[i].name_len);
			put(&b, "vendor_ramdisk.%zu.type = %u\n", i, m->vrd[i].type);
			snprintf(k, sizeof(k), "vendor_ramdisk.%zu.board_id", i);
			put_hex(&b, k, "", m->vrd[i].board_id, 64);
		}
	}
	if (m->file[HWF_MF_RAMDISK][0] || m->file[HWF_MF_VENDOR_RAMDISK][0] || m->nvrd)
		put(&b, "ramdisk_compression = %s\n", hwf_mf_comp_word(m->comp));
	if (m->has_ramdisk_sha256)
		put_hex(&b, "ramdisk_sha256", "", m->ramdisk_sha256, 32);
	if (m->ramdisk_tree[0]) {
		put_str(&b, "ramdisk_tree", m->ramdisk_tree);
		put_str(&b, "ramdisk_list", m->ramdisk_list);
	}
	if (m->ramdisk_tree_note[0])
		put_str(&b, "ramdisk_tree_note", m->ramdisk_tree_note);
	if (m->trailer[0]) {
		put(&b, "\n# bytes after the image's declared end (an appended signature?)\n");
		put_str(&b, "trailer", m->trailer);
		put(&b, "trailer_size = %llu\n", (unsigned long long)m->trailer_size);
	}
	if (m->avb.present)
		put_avb(&b, m);
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
