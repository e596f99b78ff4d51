// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: sniff, boot image / vendor_boot / AVB / sparse / file
 * system / liblp / DTBO parsing via the image checker, for "recovery" and
 * for a partition of another class picked by the input's last byte (the
 * partition table's fit verdicts).
 */
#include <stdint.h>

#include "formats/image/bootimg.h"
#include "formats/image/imagecheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwf_image_check_opts o = { "recovery", NULL, NULL, NULL };
	struct hwf_image_report r;
	struct hwf_source *src;
	struct hwf_bootimg b;
	struct hwf_err e = { 0 };

	if (hwf_source_open_mem(&src, data, size, "fuzz.img", &e))
		return 0;
	static const char *const parts[] = { "boot_a", "init_boot", "ramdisk", "vendor_boot",
					     "vbmeta_system", "dtbo", "system", "super", "modem" };

	hwf_image_check(src, &o, &r, NULL, NULL, &e);
	o.partition = parts[(size ? data[size - 1] : 0) % (sizeof(parts) / sizeof(parts[0]))];
	hwf_image_check(src, &o, &r, NULL, NULL, &e);
	if (hwf_bootimg_parse(src, &b, &e) == 0) {
		struct hwf_bootimg_id id;

		if (b.needed <= size)
			hwf_bootimg_check_id(src, &b, &id, &e);
	}
	hwf_source_close(src);
	return 0;
}
