// SPDX-License-Identifier: MIT
#include "formats/app/foreign.h"
#include "formats/core/text.h"

#include <string.h>
#include <strings.h>

#define HARMONY "a HarmonyOS update.bin"
#define PAYLOAD "an Android OTA payload.bin"
#define SAMSUNG "a Samsung .tar.md5 (Odin) package"
#define SCATTER "an MTK scatter file"

static const char *base_of(const char *name)
{
	const char *b = strrchr(name, '/');

	return b ? b + 1 : name;
}

const char *hwf_foreign_by_name(const char *name)
{
	const char *b;

	if (!name)
		return NULL;
	b = base_of(name);
	if (!strcasecmp(b, "update.bin"))
		return HARMONY;
	if (!strcasecmp(b, "payload.bin"))
		return PAYLOAD;
	if (hwf_ends_with_ci(b, ".tar.md5"))
		return SAMSUNG;
	if (hwf_ends_with_ci(b, ".txt") && strcasestr(b, "scatter"))
		return SCATTER;
	return NULL;
}

static int has(const uint8_t *head, size_t len, const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(head + i, word, n))
			return 1;
	return 0;
}

const char *hwf_foreign_what(const char *name, const uint8_t *head, size_t len)
{
	if (len >= 4 && !memcmp(head, "CrAU", 4))
		return PAYLOAD;
	/* update_packaging_tools: TLV (u16 type 0x0001 or 0x0011, u16 length 136), then at
	 * 140 the time TLV (type 0x0002, length 32). */
	if (len >= 144 && (head[0] == 0x01 || head[0] == 0x11) && head[1] == 0 && head[2] == 136 &&
	    head[3] == 0 && head[140] == 2 && head[141] == 0 && head[142] == 32 && head[143] == 0)
		return HARMONY;
	if (len >= 262 && !memcmp(head + 257, "ustar", 5) && name &&
	    hwf_ends_with_ci(name, ".tar.md5"))
		return SAMSUNG;
	if (has(head, len, "MTK_PLATFORM_CFG") || has(head, len, "partition_name:"))
		return SCATTER;
	if (len >= 262 && !memcmp(head + 257, "ustar", 5) && name && hwf_ends_with_ci(name, ".md5"))
		return SAMSUNG;
	return len ? NULL : hwf_foreign_by_name(name);
}
