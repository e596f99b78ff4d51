// SPDX-License-Identifier: MIT
/*
 * AOSP fastboot's command-line options (platform fastboot.cpp's usage text),
 * taken anywhere on the line as AOSP's getopt takes them: the slot to make
 * active, the boot image options of boot and flash:raw, the vbmeta flags,
 * and the ones hwflash accepts without effect.  Options and commands AOSP
 * has and hwflash does not get one line naming them and what to use
 * instead (exit 2).
 */
#include <stdlib.h>
#include <string.h>

#include "host/cli.h"

enum {
	O_CMDLINE = 1,
	O_BASE,
	O_KERNEL_OFF,
	O_RAMDISK_OFF,
	O_SECOND_OFF,
	O_TAGS_OFF,
	O_DTB_OFF,
	O_PAGE,
	O_HDR_VERSION,
	O_OS_VERSION,
	O_PATCH_LEVEL,
	O_DTB,
};

struct aopt {
	const char *name;	 /* with its dashes */
	int id;			 /* a value option (boot image); 0: see @flag */
	const char *unsupported; /* what to use instead */
};

static const struct aopt value_opts[] = {
    {"--cmdline", O_CMDLINE, NULL},
    {"--base", O_BASE, NULL},
    {"--kernel-offset", O_KERNEL_OFF, NULL},
    {"--ramdisk-offset", O_RAMDISK_OFF, NULL},
    {"--second-offset", O_SECOND_OFF, NULL},
    {"--tags-offset", O_TAGS_OFF, NULL},
    {"--dtb-offset", O_DTB_OFF, NULL},
    {"--page-size", O_PAGE, NULL},
    {"--header-version", O_HDR_VERSION, NULL},
    {"--os-version", O_OS_VERSION, NULL},
    {"--os-patch-level", O_PATCH_LEVEL, NULL},
    {"--dtb", O_DTB, NULL},
    {"--fs-options", 0,
     "hwflash makes no file systems (erase, and the device makes "
     "them at boot): leave it out"},
    {NULL, 0, NULL},
};

static const struct aopt unsupported_flags[] = {
    {"--disable-super-optimization", 0,
     "hwflash's update does not optimise super (each logical partition is flashed from "
     "fastbootd): leave it out"},
    {"--exclude-dynamic-partitions", 0,
     "flash the physical partitions one by one with hwflash flash PARTITION FILE"},
    {"--disable-fastboot-info", 0,
     "update follows fastboot-info.txt when the zip has one: leave it out of the zip"},
    {NULL, 0, NULL},
};

static const struct aopt unsupported_commands[] = {
    {"format", 0,
     "hwflash makes no file systems: hwflash erase PARTITION (the device makes the file "
     "system at its next boot), or -w for userdata, cache and metadata"},
    {"wipe-super", 0, "hwflash update ZIP (its super_empty.img), or hwflash flash super super.img"},
    {"create-logical-partition", 0,
     "hwflash flash NAME FILE from fastbootd (it sizes the partition), or hwflash update ZIP"},
    {"delete-logical-partition", 0,
     "hwflash update ZIP (it lays out super from its "
     "super_empty.img)"},
    {"resize-logical-partition", 0,
     "hwflash flash NAME FILE from fastbootd (it resizes the partition to the image)"},
    {"connect", 0, "give the device with -s tcp:HOST[:PORT]"},
    {"disconnect", 0, "give the device with -s tcp:HOST[:PORT] (nothing is kept)"},
    {NULL, 0, NULL},
};

void cli_aosp_init(struct hwf_cli *cli)
{
	memset(&cli->aosp, 0, sizeof(cli->aosp));
	hwf_bootimg_args_init(&cli->aosp.boot);
}

static const struct aopt *find(const struct aopt *t, const char *a, size_t n)
{
	for (; t->name; t++)
		if (strlen(t->name) == n && !strncmp(t->name, a, n))
			return t;
	return NULL;
}

int cli_aosp_takes_value(const char *a)
{
	return find(value_opts, a, strlen(a)) != NULL;
}

/* A hex address as AOSP reads it (strtoul(..., 16): "0x" optional). */
static int hex(struct hwf_cli *cli, const char *opt, const char *v, uint64_t *out)
{
	char *end;

	*out = strtoull(v, &end, 16);
	if (!*v || *v == '-' || *end || *out > 0xffffffffu)
		return cli_usage(cli, NULL, "%s %s: give a 32-bit address in hex (e.g. 0x10000000)",
				 opt, v);
	return 0;
}

static int number(struct hwf_cli *cli, const char *opt, const char *v, uint32_t *out)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 0);

	if (!*v || *v == '-' || *end || n > 0xffffffffu)
		return cli_usage(cli, NULL, "%s %s: give a number", opt, v);
	*out = (uint32_t)n;
	return 0;
}

static int boot_value(struct hwf_cli *cli, const struct aopt *o, const char *v)
{
	struct hwf_bootimg_args *b = &cli->aosp.boot;
	struct hwf_err e = {0};

	if (!cli->aosp.boot_given)
		cli->aosp.boot_given = o->name;
	switch (o->id) {
	case O_CMDLINE: b->cmdline = v; return 0;
	case O_BASE: return hex(cli, o->name, v, &b->base);
	case O_KERNEL_OFF: return hex(cli, o->name, v, &b->kernel_offset);
	case O_RAMDISK_OFF: return hex(cli, o->name, v, &b->ramdisk_offset);
	case O_SECOND_OFF: return hex(cli, o->name, v, &b->second_offset);
	case O_TAGS_OFF: return hex(cli, o->name, v, &b->tags_offset);
	case O_DTB_OFF: return hex(cli, o->name, v, &b->dtb_offset);
	case O_PAGE: return number(cli, o->name, v, &b->page_size);
	case O_HDR_VERSION: return number(cli, o->name, v, &b->header_version);
	case O_DTB: cli->aosp.dtb = v; return 0;
	case O_OS_VERSION:
		if (hwf_bootimg_parse_os_version(v, &b->os_version, &e))
			return cli_usage(cli, NULL, "%s", e.msg);
		return 0;
	default:
		if (hwf_bootimg_parse_patch_level(v, &b->os_version, &e))
			return cli_usage(cli, NULL, "%s", e.msg);
		return 0;
	}
}

int cli_aosp_option(struct hwf_cli *cli, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *eq = a[0] == '-' && a[1] == '-' ? strchr(a, '=') : NULL;
	size_t n = eq ? (size_t)(eq - a) : strlen(a);
	const struct aopt *o;

	if (!strcmp(a, "-a") || !strcmp(a, "--set-active")) {
		cli->aosp.set_active = "";
		return 0;
	}
	if (!strncmp(a, "-a", 2) || !strncmp(a, "--set-active=", 13)) {
		const char *w = cli_slot_word(a[1] == 'a' ? a + 2 : a + 13, 0);

		if (!w)
			return cli_usage(cli, NULL,
					 "%s: give a slot letter (a, b) or other "
					 "(--set-active=b, -ab)",
					 a);
		cli->aosp.set_active = w;
		return 0;
	}
	if (!strcmp(a, "--skip-reboot"))
		cli->aosp.skip_reboot = 1;
	else if (!strcmp(a, "--skip-secondary"))
		cli->aosp.skip_secondary = 1;
	else if (!strcmp(a, "-u"))
		cli->aosp.no_erase_first = 1;
	else if (!strcmp(a, "--disable-verity"))
		cli->aosp.avb_disable |= 1;
	else if (!strcmp(a, "--disable-verification"))
		cli->aosp.avb_disable |= 2;
	else if ((o = find(unsupported_flags, a, n)))
		return cli_usage(cli, NULL, "%s: not in hwflash; %s", o->name, o->unsupported);
	else if ((o = find(value_opts, a, n))) {
		const char *v = eq ? eq + 1 : NULL;

		if (o->unsupported)
			return cli_usage(cli, NULL, "%s: not in hwflash; %s", o->name,
					 o->unsupported);
		if (!v && *i + 1 < argc)
			v = argv[++*i];
		if (!v)
			return cli_usage(cli, NULL, "%s needs a value", o->name);
		return boot_value(cli, o, v);
	} else
		return -1;
	return 0;
}

int cli_aosp_command(struct hwf_cli *cli, const char *word)
{
	size_t n = strcspn(word, ":");
	const struct aopt *o = find(unsupported_commands, word, n);

	if (!o)
		return 0;
	return cli_usage(cli, NULL, "%s: not in hwflash; %s", word, o->unsupported);
}

static int is(const char *name, const char *a, const char *b)
{
	return name && (!strcmp(name, a) || (b && !strcmp(name, b)));
}

int cli_aosp_check(struct hwf_cli *cli, const char *name)
{
	const struct hwf_aosp_opts *o = &cli->aosp;
	int device = name && !is(name, "app", "image") && !is(name, "dload", "help") &&
		     !is(name, "devices", NULL);

	if (o->avb_disable && !is(name, "flash", "image vbmeta"))
		return cli_usage(cli, NULL,
				 "%s: hwflash applies it to flash (hwflash %s flash vbmeta "
				 "vbmeta.img); %s does not take it",
				 o->avb_disable & 1 ? "--disable-verity" : "--disable-verification",
				 o->avb_disable & 1 ? "--disable-verity" : "--disable-verification",
				 name ? name : "no command");
	if (o->set_active && name && !device)
		return cli_usage(cli, NULL,
				 "--set-active: %s talks to no device; give it with a "
				 "fastboot command, or alone",
				 name);
	if (o->no_erase_first)
		ui_note(&cli->ui, "-u: no effect (hwflash never formats a partition, so it never "
				  "erases one first)");
	if ((o->skip_reboot || o->skip_secondary) && !is(name, "update", "flashall"))
		ui_note(&cli->ui, "%s: no effect on %s (update and flashall take it)",
			o->skip_reboot ? "--skip-reboot" : "--skip-secondary",
			name ? name : "no command");
	if ((o->boot_given || o->dtb) && !is(name, "boot", "flash:raw"))
		ui_note(&cli->ui, "%s: no effect on %s (boot and flash:raw build boot images)",
			o->boot_given ? o->boot_given : "--dtb", name ? name : "no command");
	return 0;
}
