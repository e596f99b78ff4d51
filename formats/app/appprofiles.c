// SPDX-License-Identifier: MIT
/*
 * The sequence-id profiles (appprofiles.h).  Every row is from
 * /work/shared/reference/updateapp-format.md §5.2, which names its sources:
 *   PL-ZeB    ZeBadger/JoeyJiao split_updata.pl %fileHash (U8220, 2009-10)
 *   C-terrex  terrex/unupdatapp src/packet.c FILE_SEQS[] (U8220, 2012)
 *   PL-xjl    xjljian/huawei_UPDATE.APP_unpacktool split_update-linux.pl and readme
 *             (msm8x25: Y300/G510/G330, 2013)
 *   HUE       Huawei Update Extractor Profiles.xml (redistributed in
 *             Zaopen/huawei-rom-unpacktools): profiles "G610/G520/G510/C8813", "G330",
 *             "C8812", "U8818", and the G526 rows
 *   PY-cskau  cskau/update_app.py module-id table (MSM8953)
 * Names are the sources' own, upper-cased; where a source gives a file name
 * (PL-ZeB "appsboot.mbn", PL-xjl "system.img.ext4") the stem is used.
 *
 * Unconfirmed rows (confirmed = 0):
 *   msm8x25 FE000000 and FF000000: PL-xjl labels FE "crc.mbn" and FF "MD5_RSA", the
 *     opposite of HUE and PY-cskau; PL-xjl's FE entry is 128 bytes, the size of an
 *     RSA-1024 signature, so the reference infers FE = signature, FF = CRC.  Used here.
 *   hue-g526 FE000000 / FF000000: the HUE column gives signature/checksum for its
 *     profiles, but the reference does not list them for G526 itself.
 *   u8220 FE000000 / FF000000: PL-ZeB names them file18.mbn / file21.mbn only; what
 *     they hold is not known (hwflash treats FE as a signature, FF as a CRC entry).
 * Not here: the sequence-based HUE profiles the reference only mentions (U8661/Y210
 * with the signature at FD000000, C8810/C8500s at F3000000, G700 with 00600000 mbr,
 * 02780000 bootimg ...), and PL-xjl's 29-id table with mmcblk numbers: their rows are
 * not in the reference.
 */
#include "formats/app/appprofiles.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ROWS(r) r, sizeof(r) / sizeof(r[0])

static const struct hwf_app_profile_row u8220[] = {
    {0x10000000u, "APPSBOOT", 1},	 /* PL-ZeB, C-terrex: appsboot.mbn */
    {0x30000000u, "BOOT", 1},		 /* PL-ZeB, C-terrex: boot.img */
    {0x40000000u, "SYSTEM", 1},		 /* PL-ZeB, C-terrex: system.img */
    {0x50000000u, "USERDATA", 1},	 /* PL-ZeB, C-terrex: userdata.img */
    {0x60000000u, "RECOVERY", 1},	 /* PL-ZeB, C-terrex: recovery.img */
    {0xf2400000u, "PARTITION_TABLE", 1}, /* C-terrex: partition_table.mbn */
    {0xf2500000u, "QCSBL", 1},		 /* C-terrex: qcsbl.mbn */
    {0xf6100000u, "VERSION_BOOT", 1},	 /* C-terrex: version_boot.txt */
    {0xfc000000u, "FILE23", 1},		 /* PL-ZeB, C-terrex: file23.mbn */
    {0xfe000000u, "FILE18", 0},		 /* PL-ZeB: file18.mbn (contents unknown) */
    {0xff000000u, "FILE21", 0},		 /* PL-ZeB: file21.mbn (contents unknown) */
};

static const struct hwf_app_profile_row msm8x25[] = {
    {0x00000000u, "SYSTEM", 1},		       /* PL-xjl: system.img.ext4 */
    {0x30000000u, "USERDATA", 1},	       /* PL-xjl: userdata.img.ext4 */
    {0x40000000u, "RECOVERY", 1},	       /* PL-xjl: recovery.img */
    {0x70000000u, "CUST", 1},		       /* PL-xjl: cust.img.ext4 */
    {0x80000000u, "AMSS", 1},		       /* PL-xjl: fat.bin (amss) */
    {0xd2000000u, "PARTITION0", 1},	       /* PL-xjl: partition0.bin (MBR/EBR) */
    {0xe3000000u, "EMMC_APPSBOOT", 1},	       /* PL-xjl: emmc_appsboot.mbn */
    {0xe8000000u, "BOOT_VERSIONS_LIST", 1},    /* PL-xjl: boot_versions_list.txt */
    {0xe9000000u, "CURRENT_BOOT_VERSIONS", 1}, /* PL-xjl: current_boot_versions.txt */
    {0xea000000u, "VERSIONS_LIST", 1},	       /* PL-xjl: versions_list.txt */
    {0xec000000u, "CURRENT_VERSION", 1},       /* PL-xjl: current_version.txt */
    {0xfc000000u, "BOOT", 1},		       /* PL-xjl: boot.img */
    {0xfe000000u, "SIGNATURE", 0},	       /* PL-xjl says crc.mbn; reference infers signature */
    {0xff000000u, "CRC", 0},		       /* PL-xjl says MD5_RSA; reference infers CRC */
};

static const struct hwf_app_profile_row hue_g610[] = {
    {0x00000000u, "SYSTEM", 1},	   /* HUE G610/G520/G510/C8813, G330, C8812, U8818 */
    {0x30000000u, "USERDATA", 1},  /* HUE, same profiles */
    {0x40000000u, "RECOVERY", 1},  /* HUE */
    {0x70000000u, "CUST", 1},	   /* HUE */
    {0x80000000u, "BASEBAND", 1},  /* HUE */
    {0xd2000000u, "FILE3", 1},	   /* HUE: file3 */
    {0xe3000000u, "FILE22", 1},	   /* HUE: file22 */
    {0xfc000000u, "BOOT", 1},	   /* HUE */
    {0xfe000000u, "SIGNATURE", 1}, /* HUE filetype="signature" */
    {0xff000000u, "CHECKSUM", 1},  /* HUE filetype="checksum" */
};

static const struct hwf_app_profile_row hue_g526[] = {
    {0x50000000u, "CACHE", 1},	   /* HUE G526 */
    {0xc1000000u, "MODEM", 1},	   /* HUE G526 */
    {0xc2000000u, "RPM", 1},	   /* HUE G526 */
    {0xc3000000u, "TZ", 1},	   /* HUE G526 */
    {0xc6000000u, "SBL1", 1},	   /* HUE G526 */
    {0xe3000000u, "ABOOT", 1},	   /* HUE G526 */
    {0xfe000000u, "SIGNATURE", 0}, /* HUE's other profiles; not listed for G526 */
    {0xff000000u, "CHECKSUM", 0},  /* HUE's other profiles; not listed for G526 */
};

static const struct hwf_app_profile_row msm8953[] = {
    {0x00000000u, "SYSTEM", 1},		/* PY-cskau */
    {0x00000013u, "VENDOR", 1},		/* PY-cskau (bytes 13 00 00 00) */
    {0x00000014u, "VERSION", 1},	/* PY-cskau */
    {0x00000015u, "PRODUCT", 1},	/* PY-cskau */
    {0x40000000u, "RECOVERY", 1},	/* PY-cskau */
    {0x44000000u, "ERECOVERY", 1},	/* PY-cskau */
    {0x70000000u, "CUST", 1},		/* PY-cskau */
    {0xc1000000u, "MODEM", 1},		/* PY-cskau */
    {0xc2000000u, "RPM", 1},		/* PY-cskau */
    {0xc3000000u, "TZ", 1},		/* PY-cskau */
    {0xc6000000u, "SBL1", 1},		/* PY-cskau */
    {0xd2000000u, "GPT", 1},		/* PY-cskau */
    {0xe3000000u, "ABOOT", 1},		/* PY-cskau */
    {0xe8000000u, "OEMSBL_VERLIST", 1}, /* PY-cskau */
    {0xe9000000u, "OEMSBL_VER", 1},	/* PY-cskau */
    {0xea000000u, "AMSS_VERLIST", 1},	/* PY-cskau */
    {0xec000000u, "AMSS_VER", 1},	/* PY-cskau */
    {0xfc000000u, "BOOT", 1},		/* PY-cskau */
    {0xfe000000u, "SHA256RSA", 1},	/* PY-cskau */
    {0xff000000u, "CRC", 1},		/* PY-cskau */
    {0xfffffff2u, "PACKAGE_TYPE", 1},	/* PY-cskau (bytes F2 FF FF FF) */
};

static const struct hwf_app_profile profiles[] = {
    {"u8220", "Huawei U8220 (2009-10; PL-ZeB, C-terrex)", ROWS(u8220)},
    {"msm8x25", "Qualcomm msm8x25: Y300, G510, G330 (PL-xjl)", ROWS(msm8x25)},
    {"hue-g610", "HUE profiles G610/G520/G510/C8813, G330, C8812, U8818", ROWS(hue_g610)},
    {"hue-g526", "HUE profile G526", ROWS(hue_g526)},
    {"msm8953", "Qualcomm MSM8953 (PY-cskau)", ROWS(msm8953)},
};

#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

size_t hwf_app_profile_count(void)
{
	return NPROFILES;
}

const struct hwf_app_profile *hwf_app_profile_at(size_t i)
{
	return i < NPROFILES ? &profiles[i] : NULL;
}

const struct hwf_app_profile *hwf_app_profile_find(const char *name)
{
	for (size_t i = 0; i < NPROFILES; i++)
		if (!strcasecmp(profiles[i].name, name))
			return &profiles[i];
	return NULL;
}

const struct hwf_app_profile_row *hwf_app_profile_row(const struct hwf_app_profile *p, uint32_t seq)
{
	for (size_t i = 0; p && i < p->nrows; i++)
		if (p->rows[i].seq == seq)
			return &p->rows[i];
	return NULL;
}

const struct hwf_app_profile *hwf_app_profile_best(const uint32_t *seqs, size_t n, size_t *known)
{
	const struct hwf_app_profile *best = NULL;
	size_t best_known = 0, best_unused = 0;

	for (size_t i = 0; i < NPROFILES; i++) {
		const struct hwf_app_profile *p = &profiles[i];
		size_t k = 0, used = 0;

		for (size_t j = 0; j < n; j++)
			k += hwf_app_profile_row(p, seqs[j]) != NULL;
		/* Rows of @p some id matches (an id given twice counts once). */
		for (size_t r = 0; r < p->nrows; r++)
			for (size_t j = 0; j < n; j++)
				if (seqs[j] == p->rows[r].seq) {
					used++;
					break;
				}
		if (k > best_known || (k && k == best_known && p->nrows - used < best_unused)) {
			best = p;
			best_known = k;
			best_unused = p->nrows - used;
		}
	}
	if (known)
		*known = best_known;
	return best;
}

void hwf_app_profile_names(char *buf, size_t len)
{
	size_t o = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < NPROFILES && o < len; i++) {
		int n = snprintf(buf + o, len - o, "%s%s", i ? ", " : "", profiles[i].name);

		if (n < 0)
			break;
		o += (size_t)n;
	}
}
