/* SPDX-License-Identifier: MIT */
/* Internal to formats/app/updateapp*.c: the package handle. */
#ifndef HWF_UPDATEAPP_INT_H
#define HWF_UPDATEAPP_INT_H

#include <stdarg.h>

#include "formats/app/updateapp.h"

#define HWF_APP_MAX_WARN 16

struct hwf_app {
	struct hwf_source *src;
	struct hwf_app_entry *ent;
	size_t count, cap;
	uint64_t first;
	int preamble_nonzero;
	size_t nwarn;
	char warn[HWF_APP_MAX_WARN][200];
};

/* "41.0 MiB" */
void hwf_app_human_size(uint64_t n, char *buf, size_t len);

#endif
