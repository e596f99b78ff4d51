// SPDX-License-Identifier: MIT
/*
 * hwflash update ZIP: AOSP's update package (boot.img, system.img, ... and
 * android-info.txt at the top of a zip), flashed with AOSP's semantics:
 * android-info.txt's require/reject lines are checked against the device
 * before anything is sent (--force overrides), then every image the device
 * has a partition for, then -w's wipe, then a reboot (--skip-reboot).
 * Every image is checked first, as for flash; images are streamed out of
 * the zip, never extracted.  The decisions are the flash engine's
 * (protocol/flash.h); this file reads the zip and says what happens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/core/source.h"
#include "formats/core/zip.h"
#include "formats/core/zip_members.h"
#include "host/cli.h"
#include "host/fbsession.h"
#include "protocol/flash.h"

#define MAX_IMAGES 64
#define INFO_MAX 65536

struct upd {
	char names[MAX_IMAGES][64];	/* member names "boot.img" */
	size_t n;
	int has_info, too_many;
	struct hwf_flash_parts parts[MAX_IMAGES]; /* what each image goes to; n = 0: skipped */
	struct hwf_zip_members *zm; /* each member inflated once for the whole command */
};

static int walk_cb(void *ctx, const struct hwf_zip_member *m)
{
	struct upd *u = ctx;
	size_t len = strlen(m->name);

	if (!strcmp(m->name, "android-info.txt")) {
		u->has_info = 1;
		return 0;
	}
	if (strchr(m->name, '/') || len < 5 || len >= sizeof(u->names[0]) ||
	    strcasecmp(m->name + len - 4, ".img"))
		return 0;
	if (u->n == MAX_IMAGES) {
		u->too_many = 1;
		return 0;
	}
	snprintf(u->names[u->n++], sizeof(u->names[0]), "%s", m->name);
	return 0;
}

static int by_order(const void *a, const void *b)
{
	return hwf_flash_update_cmp(a, b);
}

static int read_info(struct hwf_cli *cli, struct upd *u, const char *zip, char **out)
{
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	uint64_t size;
	char *text;

	if (hwf_zip_members_source(u->zm, "android-info.txt", &src, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	size = hwf_source_size(src);
	if (size > INFO_MAX) {
		ui_error(&cli->ui, "%s: android-info.txt is %llu bytes; that is not one", zip,
			 (unsigned long long)size);
		hwf_source_close(src);
		return HWF_EXIT_FAIL;
	}
	text = malloc(size + 1);
	if (!text || hwf_source_read_exact(src, text, size, 0, &e)) {
		ui_error(&cli->ui, "%s", text ? e.msg : "out of memory");
		free(text);
		hwf_source_close(src);
		return HWF_EXIT_FAIL;
	}
	text[size] = '\0';
	hwf_source_close(src);
	*out = text;
	return 0;
}

/* This command's table entry, for its synopsis in usage errors. */
static int on_opt(void *ctx, int id, const char *v)
{
	(void)id;
	(void)v;
	*(int *)ctx = 1;	/* --skip-reboot, the only option */
	return 0;
}

int fb_update(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "skip-reboot", 0, 0, 0 },
		{ NULL, 0, 0, 0 },
	};
	struct upd *u = calloc(1, sizeof(*u));
	const char *zip = NULL;
	struct hwf_err e = { 0 };
	int skip_reboot = 0, rc = 0, nflashed = 0;
	char *info = NULL;
	struct hwf_source *probe;
	struct fb_session s;

	rc = cli_parse(cli, self, opts, &argc, argv, on_opt, &skip_reboot);
	if (!rc && argc > 2)
		rc = cli_usage(cli, self, "update takes one ZIP, not '%s' too", argv[2]);
	else if (!rc && argc < 2)
		rc = cli_usage(cli, self, "update needs ZIP");
	else if (!rc)
		zip = argv[1];
	if (rc || !u) {
		free(u);
		return rc ? rc : HWF_EXIT_FAIL;
	}
	/* A missing or unreadable file is said as such, not as "not a zip". */
	if (hwf_source_open_file(&probe, zip, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		free(u);
		return HWF_EXIT_FAIL;
	}
	hwf_source_close(probe);
	if (!hwf_zip_sniff(zip)) {
		ui_error(&cli->ui, "%s: not a zip file (update takes AOSP's update package; an "
				   "UPDATE.APP goes to 'hwflash app flash')",
			 zip);
		free(u);
		return HWF_EXIT_FAIL;
	}
	if (hwf_zip_walk(zip, walk_cb, u, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		free(u);
		return HWF_EXIT_FAIL;
	}
	if (!u->n) {
		ui_error(&cli->ui, "%s: no *.img at the top of the zip: not an AOSP update package",
			 zip);
		free(u);
		return HWF_EXIT_FAIL;
	}
	if (u->too_many)
		ui_warn(&cli->ui, "%s: more than %d images; only the first %d are used", zip,
			MAX_IMAGES, MAX_IMAGES);
	qsort(u->names, u->n, sizeof(u->names[0]), by_order);
	if (hwf_zip_members_open(&u->zm, zip, NULL, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		free(u);
		return HWF_EXIT_FAIL;
	}

	/* Verify every image before the device is even asked. */
	for (size_t i = 0; i < u->n && !rc; i++) {
		struct hwf_source *src;
		char part[64], label[1200];

		snprintf(part, sizeof(part), "%.*s", (int)strlen(u->names[i]) - 4, u->names[i]);
		snprintf(label, sizeof(label), "%s:%s", zip, u->names[i]);
		if (hwf_zip_members_source(u->zm, u->names[i], &src, &e)) {
			ui_error(&cli->ui, "%s", e.msg);
			rc = HWF_EXIT_FAIL;
			break;
		}
		rc = fbs_gate(cli, src, part, label);
		hwf_source_close(src);
	}
	if (!rc && u->has_info)
		rc = read_info(cli, u, zip, &info);
	if (rc)
		goto out;
	rc = fbs_open(cli, &s);
	if (rc)
		goto out;
	if (info && hwf_flash_android_info(s.f, zip, info, NULL))
		rc = HWF_EXIT_FAIL;
	/* Every image's partition(s) settled with the device (slots too) before the first byte. */
	for (size_t i = 0; i < u->n && !rc; i++)
		rc = fbs_exit(hwf_flash_update_target(s.f, u->names[i], &u->parts[i], NULL));
	for (size_t i = 0; i < u->n && !rc; i++) {
		char label[1200];

		snprintf(label, sizeof(label), "%s:%s", zip, u->names[i]);
		for (int k = 0; k < u->parts[i].n && !rc; k++) {
			struct hwf_source *src;

			if (hwf_zip_members_source(u->zm, u->names[i], &src, &e)) {
				ui_error(&cli->ui, "%s", e.msg);
				rc = HWF_EXIT_FAIL;
				break;
			}
			rc = fbs_exit(hwf_flash_image(s.f, src, u->parts[i].name[k], label, NULL));
			hwf_source_close(src);
			nflashed++;
		}
	}
	if (!rc && !nflashed) {
		ui_error(&cli->ui, "%s: the device has a partition for none of its images", zip);
		rc = HWF_EXIT_FAIL;
	}
	/* As AOSP's update: the flashed slot (or the current one) is made active. */
	if (!rc)
		rc = fbs_exit(hwf_flash_set_active_flashed(s.f, NULL));
	if (!rc && cli->wipe)
		rc = fbs_exit(hwf_flash_wipe(s.f, NULL));
	if (!rc && !skip_reboot)
		rc = fbs_exit(hwf_flash_command(s.f, "Rebooting", "reboot", NULL));
	rc = fbs_finish(&s, rc);
out:
	fbs_inflate_report(cli, u->zm);
	hwf_zip_members_close(u->zm);
	free(info);
	free(u);
	return rc;
}
