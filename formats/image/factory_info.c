// SPDX-License-Identifier: MIT
/*
 * fastboot-info.txt, the flash order file of Android 14+ factory images.
 * See factory.h.  Facts: AOSP fastboot README "Flashing Logic",
 * fastboot.cpp ParseFastbootInfo / ParseFlashCommand (version <= 1,
 * FASTBOOT_INFO_VERSION).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/image/factory.h"

#define MAX_WORDS 8
#define MAX_CMDS  256

/* Split @line (changed in place) at blanks: the word count, or MAX_WORDS + 1 for too many. */
static int words(char *line, char **w)
{
	int n = 0;

	for (char *s = strtok(line, " \t"); s; s = strtok(NULL, " \t")) {
		if (n == MAX_WORDS)
			return MAX_WORDS + 1;
		w[n++] = s;
	}
	return n;
}

static int bad(struct hwf_err *e, const char *label, unsigned line, const char *fmt, const char *a)
{
	char why[256];

	snprintf(why, sizeof(why), fmt, a);
	return hwf_err_set(e, HWF_EFORMAT, "%s line %u: %s", label, line, why);
}

/* flash [--slot-other] [--apply-vbmeta] PART [FILE] */
static int parse_flash(char **w, int n, const char *label, unsigned line, struct hwf_fbinfo_cmd *c,
		       struct hwf_err *e)
{
	for (int i = 1; i < n; i++) {
		if (!strcmp(w[i], "--slot-other"))
			c->slot_other = 1;
		else if (!strcmp(w[i], "--apply-vbmeta"))
			c->apply_vbmeta = 1;
		else if (w[i][0] == '-')
			return bad(e, label, line, "flash: unknown option '%s'", w[i]);
		else if (!c->part[0]) {
			if (strlen(w[i]) >= sizeof(c->part))
				return bad(e, label, line, "partition name '%s' too long", w[i]);
			snprintf(c->part, sizeof(c->part), "%s", w[i]);
		} else if (!c->file[0]) {
			if (strlen(w[i]) >= sizeof(c->file))
				return bad(e, label, line, "file name '%s' too long", w[i]);
			snprintf(c->file, sizeof(c->file), "%s", w[i]);
		} else {
			return bad(e, label, line,
				   "flash: one partition and one file, not '%s' too", w[i]);
		}
	}
	if (!c->part[0])
		return bad(e, label, line, "%s: which partition?", "flash");
	if (!c->file[0])
		snprintf(c->file, sizeof(c->file), "%s.img", c->part);
	return 0;
}

/* One command line (no comment, not empty) into @c. */
static int parse_line(char *text, const char *label, unsigned line, struct hwf_fbinfo_cmd *c,
		      struct hwf_err *e)
{
	char *w[MAX_WORDS] = {0};
	int n = words(text, w), k = 0;

	if (n > MAX_WORDS || n < 1)
		return bad(e, label, line, "%s", "too many words");
	memset(c, 0, sizeof(*c));
	c->line = line;
	if (!strcmp(w[0], "if-wipe")) {
		c->if_wipe = 1;
		k = 1;
		if (n == 1)
			return bad(e, label, line, "%s", "if-wipe: of which command?");
	}
	if (!strcmp(w[k], "flash")) {
		c->op = HWF_FBINFO_FLASH;
		return parse_flash(w + k, n - k, label, line, c, e);
	}
	if (!strcmp(w[k], "update-super")) {
		c->op = HWF_FBINFO_UPDATE_SUPER;
		return n - k == 1
			   ? 0
			   : bad(e, label, line, "update-super takes nothing, not '%s'", w[k + 1]);
	}
	if (!strcmp(w[k], "reboot") || !strcmp(w[k], "erase")) {
		int reboot = w[k][0] == 'r';

		c->op = reboot ? HWF_FBINFO_REBOOT : HWF_FBINFO_ERASE;
		if (n - k != 2)
			return bad(e, label, line, "%s takes one word", w[k]);
		if (reboot && strcmp(w[k + 1], "bootloader") && strcmp(w[k + 1], "fastboot"))
			return bad(e, label, line,
				   "reboot %s: an update reboots only to bootloader or fastboot",
				   w[k + 1]);
		if (strlen(w[k + 1]) >= sizeof(c->part))
			return bad(e, label, line, "partition name '%s' too long", w[k + 1]);
		snprintf(c->part, sizeof(c->part), "%s", w[k + 1]);
		return 0;
	}
	return bad(e, label, line, "unknown command '%s'", w[k]);
}

int hwf_fbinfo_parse(const char *text, const char *label, struct hwf_fbinfo_cmd **out, size_t *n,
		     struct hwf_err *e)
{
	struct hwf_fbinfo_cmd *cmds = calloc(MAX_CMDS, sizeof(*cmds));
	char *copy = strdup(text), *p, *next;
	unsigned line = 0;
	int rc = 0, first = 1;

	*out = NULL;
	*n = 0;
	if (!cmds || !copy) {
		free(cmds);
		free(copy);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	for (p = copy; p && !rc; p = next) {
		char *hash;

		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		line++;
		hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		p[strcspn(p, "\r")] = '\0';
		if (!p[strspn(p, " \t")])
			continue;
		if (first && !strncmp(p + strspn(p, " \t"), "version", 7)) {
			char *v = p + strspn(p, " \t") + 7, *end;
			long ver = strtol(v, &end, 10);

			first = 0;
			if (end == v || end[strspn(end, " \t")] || ver < 0)
				rc = bad(e, label, line, "version '%s': not a number", v);
			else if (ver > 1)
				rc = hwf_err_set(e, HWF_EUNSUPPORTED,
						 "%s line %u: version %ld; hwflash reads version 1 "
						 "and below",
						 label, line, ver);
			continue;
		}
		first = 0;
		if (*n == MAX_CMDS)
			rc = bad(e, label, line, "more than %s commands", "256");
		else
			rc = parse_line(p, label, line, &cmds[*n], e);
		if (!rc)
			(*n)++;
	}
	free(copy);
	if (rc) {
		free(cmds);
		*n = 0;
		return rc;
	}
	*out = cmds;
	return 0;
}
