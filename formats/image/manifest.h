/* SPDX-License-Identifier: MIT */
/*
 * The manifest of an unpacked boot, vendor_boot or recovery image
 * (DIR/manifest.txt): every header field "image repack" needs to rebuild
 * the image, and the names of the files beside it.  Reader: manifest.c;
 * writer: manifest_write.c.
 *
 * The format, one "key = value" a line:
 *
 *   # hwflash image manifest (comment lines start with '#'; blank lines are skipped)
 *   hwflash-manifest = 1          first key, always
 *   kind = boot | vendor_boot
 *   header_version = 2
 *   page_size = 2048
 *   header_size = 1660            as found (Debian's mkbootimg writes 1596 for boot v3)
 *   base = 0x10000000             every address is base + its offset
 *   kernel_offset = 0x00008000    (also ramdisk_, second_, tags_, dtb_offset)
 *   recovery_dtbo_offset = auto   or the number found when it was not the layout's
 *   os_version = 11.0.0           "" for none; os_patch_level = 2021-05
 *   name = ...                    the board name; cmdline, extra_cmdline
 *   id = sha1 | sha1-dt | sha256 | sha256-dt | zero | hex:<64 hex digits>
 *                                 how the v0-v2 id is recomputed (sha1: the dt term
 *                                 only with a dt, as Debian/AOSP mkbootimg.py; sha1-dt:
 *                                 always, as LineageOS) or the bytes kept as found
 *   kernel = kernel               a section's file, relative to DIR; a section without
 *                                 a key is empty.  Sections: kernel ramdisk second dt
 *                                 recovery_dtbo dtb signature vendor_ramdisk
 *                                 vendor_ramdisk_table bootconfig
 *   ramdisk_compression = gzip | lz4-legacy | lz4-frame | none | unknown
 *   ramdisk_sha256 = <hex>        the ramdisk file as unpacked (tells a changed file)
 *   ramdisk_tree = ramdisk.d      the ramdisk as a folder, its entry list in
 *   ramdisk_list = ramdisk.list   ramdisk_list (or ramdisk_tree_note = why there is none)
 *   vendor_ramdisk_table_entry_size = 108
 *   vendor_ramdisk.N.file / .name / .type / .board_id (128 hex digits)
 *                                 vendor_boot v4: the table, one ramdisk file each
 *   trailer = trailer.bin         bytes after the image's declared end (before an AVB
 *   trailer_size = 4096           footer's vbmeta), put back by repack
 *   avb.partition_size, avb.original_image_size, avb.vbmeta_offset, avb.vbmeta_size,
 *   avb.footer_version = 1.0, avb.vbmeta = vbmeta.bin: the footer as found
 *   avb.algorithm, avb.rollback_index, avb.rollback_index_location, avb.flags,
 *   avb.release, avb.partition_name, avb.hash_algorithm, avb.salt, avb.digest,
 *   avb.prop = KEY:VALUE (repeated): what the vbmeta said (information for signing)
 *
 * Values are bytes: printable ASCII as is, everything else as \xHH (and \\,
 * \n, \t, \r); a space at either end of a value is escaped, so that the
 * spaces around '=' are never part of it.  Numbers are decimal or 0x hex.
 *
 * Memory: struct hwf_manifest is the caller's (large: allocate it);
 * hwf_manifest_format returns a malloc'd text.  Errors: HWF_EFORMAT ("NAME
 * line N: what is wrong"), HWF_EINVAL (a value that cannot be said),
 * HWF_EIO, HWF_ENOMEM.
 */
#ifndef HWF_MANIFEST_H
#define HWF_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/image/ramdisk.h"

#define HWF_MANIFEST_NAME "manifest.txt"
#define HWF_MF_FILE_MAX	  256 /* a file name in the folder */
#define HWF_MF_MAX_VRD	  64  /* vendor_boot v4 ramdisks */
#define HWF_MF_MAX_PROPS  32
#define HWF_MF_MAX_BYTES  (1u << 20) /* a manifest is small */

/* The sections a manifest may name, in image order (the names bootimg.c gives them). */
enum hwf_mf_sec {
	HWF_MF_KERNEL,
	HWF_MF_RAMDISK,
	HWF_MF_SECOND,
	HWF_MF_DT,
	HWF_MF_RECOVERY_DTBO,
	HWF_MF_DTB,
	HWF_MF_SIGNATURE,
	HWF_MF_VENDOR_RAMDISK,
	HWF_MF_VENDOR_RAMDISK_TABLE,
	HWF_MF_BOOTCONFIG,
	HWF_MF_NSEC
};

/* "kernel", ...: the key, and the file name unpack gives the section. */
const char *hwf_mf_sec_name(enum hwf_mf_sec s);

enum hwf_mf_id {
	HWF_MF_ID_ZERO,
	HWF_MF_ID_SHA1,
	HWF_MF_ID_SHA1_DT,
	HWF_MF_ID_SHA256,
	HWF_MF_ID_SHA256_DT,
	HWF_MF_ID_KEEP /* the 32 bytes in id[] as found */
};

struct hwf_mf_vrd {
	char file[HWF_MF_FILE_MAX];
	uint8_t name[32];
	size_t name_len;
	uint32_t type;
	uint8_t board_id[64];
};

struct hwf_manifest {
	int vendor; /* VNDRBOOT */
	uint32_t header_version;
	uint32_t page_size;
	uint32_t header_size;
	uint64_t base, kernel_offset, ramdisk_offset, second_offset, tags_offset, dtb_offset;
	int recovery_dtbo_auto;
	uint64_t recovery_dtbo_offset;
	uint32_t os_version; /* packed as in the header (version << 11 | patch level) */
	uint8_t name[16];
	size_t name_len;
	uint8_t cmdline[2048];
	size_t cmdline_len;
	uint8_t extra_cmdline[1024];
	size_t extra_len;
	enum hwf_mf_id id_mode;
	uint8_t id[32];
	char file[HWF_MF_NSEC][HWF_MF_FILE_MAX]; /* "" = the section is empty */
	enum hwf_ramdisk_comp comp;
	int has_ramdisk_sha256;
	uint8_t ramdisk_sha256[32];
	char ramdisk_tree[HWF_MF_FILE_MAX], ramdisk_list[HWF_MF_FILE_MAX];
	char ramdisk_tree_note[256];
	int has_vrd_table; /* vendor_boot v4 table given as entries */
	uint32_t vrd_entry_size;
	size_t nvrd;
	struct hwf_mf_vrd vrd[HWF_MF_MAX_VRD];
	char trailer[HWF_MF_FILE_MAX];
	uint64_t trailer_size;
	struct {
		int present;
		uint64_t partition_size, original_image_size, vbmeta_offset, vbmeta_size;
		uint32_t major, minor;
		char vbmeta[HWF_MF_FILE_MAX];
		/* what the vbmeta said: information, not used to rebuild */
		char algorithm[32], release[64], partition_name[64], hash_algorithm[40];
		uint64_t rollback_index;
		uint32_t rollback_location, flags;
		char salt[129], digest[129]; /* hex */
		size_t nprops;
		char prop[HWF_MF_MAX_PROPS][256];
	} avb;
};

/* Defaults: mkbootimg's addresses, page 2048, v0, id sha1, nothing else. */
void hwf_manifest_init(struct hwf_manifest *m);

/*
 * Parse @len bytes of @text (need not be NUL-terminated); @name is what
 * messages call it ("DIR/manifest.txt").  Checks every line, every key
 * (unknown keys are refused), every number (range, overflow), the page size
 * (a power of two 2048..1 MiB), that the addresses fit their header
 * fields, and that every file name stays inside the folder by its
 * spelling (no absolute path, no ".." component).  What the files are is
 * the repack's business.
 */
int hwf_manifest_parse(const char *text, size_t len, const char *name, struct hwf_manifest *m,
		       struct hwf_err *e);

/* Read @path (at most HWF_MF_MAX_BYTES) and parse it. */
int hwf_manifest_load(const char *path, struct hwf_manifest *m, struct hwf_err *e);

/* The text of @m (malloc'd, NUL-terminated, length in *@len); NULL when out of memory. */
char *hwf_manifest_format(const struct hwf_manifest *m, size_t *len);

/* "sha1", "sha1-dt", "sha256", "sha256-dt", "zero" ("?" for HWF_MF_ID_KEEP). */
const char *hwf_mf_id_word(enum hwf_mf_id id);

/* "gzip", "lz4-legacy", "lz4-frame", "none", "unknown": the manifest's words. */
const char *hwf_mf_comp_word(enum hwf_ramdisk_comp c);

#endif
