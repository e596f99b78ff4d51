// SPDX-License-Identifier: MIT
#include "formats/core/text.h"

#include <string.h>
#include <strings.h>

int hwf_ends_with_ci(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcasecmp(s + a - b, suffix);
}
