// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: UPDATE.APP parse, list, verify (1 and 2 threads),
 * extract, the raw headers (list --raw), and naming by a sequence-id
 * profile picked by the input's size (legacy packages).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "formats/app/appprofiles.h"
#include "formats/app/updateapp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwf_source *src;
	struct hwf_app *app;
	struct hwf_err e = { 0 };
	struct hwf_app_check res;
	int fd;

	if (hwf_source_open_mem(&src, data, size, "fuzz", &e))
		return 0;
	if (hwf_app_open(&app, src, &e) == 0) {
		const struct hwf_app_profile *p = hwf_app_profile_at(size % hwf_app_profile_count());
		uint8_t hdr[HWF_APP_HDR_LEN];

		hwf_app_use_profile(app, p->name, &e);
		for (size_t i = 0; i < hwf_app_count(app); i++) {
			char name[64];

			hwf_app_output_name(hwf_app_entry(app, i), name, sizeof(name));
			hwf_app_read_header(app, i, hdr, &e);
		}
		if (hwf_app_verify(app, NULL, (unsigned)(size % 2) + 1, &res, NULL, NULL, &e) == 0)
			hwf_app_check_free(&res);
		fd = open("/dev/null", O_WRONLY);
		for (size_t i = 0; i < hwf_app_count(app) && i < 8; i++)
			hwf_app_extract(app, i, fd, (int)(i & 1), NULL, NULL, NULL, &e);
		close(fd);
		hwf_app_close(app);
	}
	hwf_source_close(src);
	return 0;
}
