// SPDX-License-Identifier: MIT
/*
 * hwflash update ZIP: AOSP's update package (boot.img, system.img, ... and
 * android-info.txt at the top of a zip), flashed with AOSP's semantics:
 * android-info.txt's require/reject lines are checked against the device
 * before anything is sent (--force overrides), then every image the device
 * has a partition for, then -w's wipe, then a reboot (--skip-reboot).
 * Every image is checked first, as for flash; images are streamed out of
 * the zip, never extracted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host/cli.h"
#include "host/fbsession.h"
#include "formats/core/source.h"
#include "formats/core/zip.h"

#define MAX_IMAGES 64
#define INFO_MAX 65536

struct upd {
	char names[MAX_IMAGES][64];	/* member names "boot.img" */
	size_t n;
	int has_info, too_many;
	struct fbs_parts parts[MAX_IMAGES];	/* what each image goes to; n = 0: skipped */
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

/* AOSP's flashing order for the images it knows; the others follow by name. */
static int rank(const char *img)
{
	static const char *const order[] = { "boot.img",	 "init_boot.img", "dtbo.img",
					     "dt.img",		 "pvmfw.img",	  "recovery.img",
					     "vendor_boot.img", "vbmeta.img",	  "vbmeta_system.img",
					     "vbmeta_vendor.img", "super_empty.img", "system.img",
					     "system_ext.img",	 "product.img",	  "odm.img",
					     "vendor.img",	 "vendor_dlkm.img" };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (!strcmp(img, order[i]))
			return (int)i;
	return 100;
}

static int by_rank(const void *a, const void *b)
{
	int ra = rank(a), rb = rank(b);

	return ra != rb ? ra - rb : strcmp(a, b);
}

/* "board" is asked as "product", as AOSP does. */
static const char *var_name(const char *v)
{
	return !strcmp(v, "board") ? "product" : v;
}

/* @want is "V1|V2|PREFIX*"; 1 when @have matches one of them. */
static int matches(const char *want, const char *have)
{
	char buf[512], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", want);
	for (char *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		size_t l = strlen(t);

		if (l && t[l - 1] == '*' ? !strncmp(t, have, l - 1) : !strcmp(t, have))
			return 1;
	}
	return 0;
}

/*
 * Check android-info.txt against the device.  Lines: "require VAR=V|V",
 * "require-for-product:PRODUCT VAR=V|V", "reject VAR=V|V", comments '#'.
 * Every failed line is reported; returns the number of failures.
 */
static int check_info(struct fb_session *s, const char *zip, char *text)
{
	char product[HWF_FB_RESP_MAX] = "", *save = NULL;
	int bad = 0;

	hwf_fb_getvar(&s->fb, "product", product, sizeof(product), NULL);
	for (char *line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char have[HWF_FB_RESP_MAX], *var, *eq;
		int reject = 0;

		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (!strncmp(line, "require-for-product:", 20)) {
			char *sp = strchr(line + 20, ' ');

			if (!sp)
				continue;
			*sp = '\0';
			if (strcmp(line + 20, product))
				continue;
			var = sp + 1;
		} else if (!strncmp(line, "require ", 8)) {
			var = line + 8;
		} else if (!strncmp(line, "reject ", 7)) {
			var = line + 7;
			reject = 1;
		} else {
			continue;
		}
		while (*var == ' ')
			var++;
		eq = strchr(var, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (!strcmp(var, "partition-exists")) {
			/* AOSP asks has-slot: a slotted boot has no partition-size:boot. */
			if (!fbs_has_partition(s, eq + 1)) {
				ui_error(&s->cli->ui, "%s: android-info.txt requires partition %s, the "
						      "device has none",
					 zip, eq + 1);
				bad++;
			}
			continue;
		}
		if (hwf_fb_getvar(&s->fb, var_name(var), have, sizeof(have), NULL)) {
			ui_error(&s->cli->ui, "%s: android-info.txt %s %s=%s, and the device does "
					      "not report %s",
				 zip, reject ? "rejects" : "requires", var, eq + 1, var_name(var));
			bad++;
			continue;
		}
		if (matches(eq + 1, have) == reject) {
			ui_error(&s->cli->ui, "%s: android-info.txt %s %s=%s, the device says %s", zip,
				 reject ? "rejects" : "requires", var, eq + 1, have);
			bad++;
		}
	}
	return bad;
}

static int read_info(struct hwf_cli *cli, const char *zip, char **out)
{
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	uint64_t size;
	char *text;

	if (hwf_source_open_zip_member(&src, zip, "android-info.txt", &e)) {
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
	qsort(u->names, u->n, sizeof(u->names[0]), by_rank);

	/* Verify every image before the device is even asked. */
	for (size_t i = 0; i < u->n && !rc; i++) {
		struct hwf_source *src;
		char part[64], label[1200];

		snprintf(part, sizeof(part), "%.*s", (int)strlen(u->names[i]) - 4, u->names[i]);
		snprintf(label, sizeof(label), "%s:%s", zip, u->names[i]);
		if (hwf_source_open_zip_member(&src, zip, u->names[i], &e)) {
			ui_error(&cli->ui, "%s", e.msg);
			rc = HWF_EXIT_FAIL;
			break;
		}
		rc = fbs_gate(cli, src, part, label);
		hwf_source_close(src);
	}
	if (!rc && u->has_info)
		rc = read_info(cli, zip, &info);
	if (rc)
		goto out;
	rc = fbs_open(cli, &s);
	if (rc)
		goto out;
	if (info && check_info(&s, zip, info)) {
		if (cli->force) {
			ui_warn(&cli->ui, "--force: flashing despite android-info.txt");
		} else {
			ui_error(&cli->ui, "%s: not for this device; nothing was sent (--force "
					   "overrides)",
				 zip);
			rc = HWF_EXIT_FAIL;
		}
	}
	/* Every image's partition(s) settled with the device (slots too) before the first byte. */
	for (size_t i = 0; i < u->n && !rc; i++) {
		char part[64];

		snprintf(part, sizeof(part), "%.*s", (int)strlen(u->names[i]) - 4, u->names[i]);
		if (!fbs_has_partition(&s, part)) {
			if (!cli->json)
				fprintf(cli->ui.err, "Skipping %s: the device has no partition '%s'\n",
					u->names[i], part);
			continue;
		}
		rc = fbs_resolve(&s, part, 0, &u->parts[i]);
	}
	for (size_t i = 0; i < u->n && !rc; i++) {
		char label[1200];

		snprintf(label, sizeof(label), "%s:%s", zip, u->names[i]);
		for (int k = 0; k < u->parts[i].n && !rc; k++) {
			struct hwf_source *src;

			if (hwf_source_open_zip_member(&src, zip, u->names[i], &e)) {
				ui_error(&cli->ui, "%s", e.msg);
				rc = HWF_EXIT_FAIL;
				break;
			}
			rc = fbs_flash_image(&s, src, u->parts[i].name[k], label);
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
		rc = fbs_set_active_flashed(&s);
	if (!rc)
		rc = fbs_wipe(&s);
	if (!rc && !skip_reboot)
		rc = fbs_step(&s, "Rebooting", "reboot");
	rc = fbs_finish(&s, rc);
out:
	free(info);
	free(u);
	return rc;
}
