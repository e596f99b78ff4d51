/* SPDX-License-Identifier: MIT */
/*
 * Packages hwflash cannot read yet, told apart by name and first bytes so
 * that a command says what the file is instead of "not an UPDATE.APP":
 * a HarmonyOS update.bin (OpenHarmony upgrade package: TLV 0x0001/0x0011
 * of length 136 at 0, TLV 0x0002 of length 32 at 140;
 * /work/shared/reference/harmonyos-update-bin.md §2.2, after
 * openharmony/update_packaging_tools create_update_package.py), an Android
 * OTA payload.bin ("CrAU"), a Samsung .tar.md5 (a ustar tar) and an MTK
 * scatter file (text naming partition_name or MTK_PLATFORM_CFG).
 *
 * Memory: nothing is kept; the strings returned are static.  No errors.
 */
#ifndef HWF_FOREIGN_H
#define HWF_FOREIGN_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a file's start hwf_foreign_what() looks at. */
#define HWF_FOREIGN_HEAD 512

/*
 * What @name (a path or member name; may be NULL) with first bytes @head
 * (@len of them; may be 0) is, in words ("a HarmonyOS update.bin"), or
 * NULL when it is none of the packages above.
 */
const char *hwf_foreign_what(const char *name, const uint8_t *head, size_t len);

/* The same from the name alone (a zip member not read yet). */
const char *hwf_foreign_by_name(const char *name);

#endif
