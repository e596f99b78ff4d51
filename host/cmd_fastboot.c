// SPDX-License-Identifier: MIT
/*
 * The fastboot commands, spelled as AOSP spells them: arguments here, the
 * work in the flash engine (protocol/flash.h) through a session
 * (host/fbsession.c).  Before anything is sent (flash, boot) the image is
 * checked for the partition, and an error refuses it unless --force:
 * nothing is downloaded then.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/core/outfile.h"
#include "formats/image/avb_patch.h"
#include "formats/image/imagecheck.h"
#include "host/cli.h"
#include "host/fbsession.h"
#include "protocol/fastboot.h"
#include "protocol/transport.h"
#include "protocol/usb.h"

/*
 * The fastboot commands take no options of their own but devices' -l (the
 * global ones are gone by now): cli_parse says a word starting with '-' is
 * a mistake; "--" ends that.
 */

static void device_json(struct hwf_cli *cli, const char *transport, const char *serial,
			const char *path, const char *product, uint16_t vid, uint16_t pid,
			int access)
{
	char id[16];

	json_begin_object(&cli->ui);
	json_kv_str(&cli->ui, "transport", transport);
	json_kv_str(&cli->ui, "serial", serial);
	json_kv_str(&cli->ui, "path", path);
	if (product) {
		json_kv_str(&cli->ui, "product", product);
		snprintf(id, sizeof(id), "%04x:%04x", vid, pid);
		json_kv_str(&cli->ui, "id", id);
	}
	json_kv_bool(&cli->ui, "access", access);
	json_end_object(&cli->ui);
}

static int on_flag(void *ctx, int id, const char *v)
{
	(void)id;
	(void)v;
	*(int *)ctx = 1;
	return 0;
}

/* AOSP's layout: "SERIAL<TAB>fastboot"; -l adds the path, product and id. */
static int fb_devices(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "long", 'l', 0, 0 },
		{ NULL, 0, 0, 0 },
	};
	struct hwf_usb_device *d = NULL;
	struct hwf_err e = { 0 };
	int longfmt = 0, rc = cli_parse(cli, self, opts, &argc, argv, on_flag, &longfmt);
	size_t n = 0;

	if (rc)
		return rc;
	if (argc > 1)
		return cli_usage(cli, self, "devices takes only -l");
	if (hwf_usb_list(&d, &n, &e))
		ui_warn(&cli->ui, "%s", e.msg);
	if (!n && cli->wait > 0 && !hwf_usb_wait(NULL, (int)(cli->wait * 1000), &e) &&
	    hwf_usb_list(&d, &n, &e))
		ui_warn(&cli->ui, "%s", e.msg);
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_key(&cli->ui, "devices");
		json_begin_array(&cli->ui);
	}
	for (size_t i = 0; i < n; i++) {
		const char *serial = d[i].serial[0] ? d[i].serial : "????????????";

		if (cli->json)
			device_json(cli, "usb", d[i].serial, d[i].path, d[i].product, d[i].vid,
				    d[i].pid, !d[i].no_access);
		else if (d[i].no_access)
			ui_info(&cli->ui, "%s\tno permissions (%04x:%04x at %s): %s\n", serial,
				d[i].vid, d[i].pid, d[i].path, HWF_USB_PERMISSION_HINT);
		else if (longfmt)
			ui_info(&cli->ui, "%-20s fastboot %s product:%s id:%04x:%04x\n", serial,
				d[i].path, d[i].product[0] ? d[i].product : "?", d[i].vid,
				d[i].pid);
		else
			ui_info(&cli->ui, "%s\tfastboot\n", serial);
	}
	free(d);
	for (int i = 0; i < cli->nserials; i++) {
		struct hwf_transport *t;

		if (hwf_transport_kind(cli->serials[i]) != HWF_TRANSPORT_TCP ||
		    hwf_transport_open(&t, cli->serials[i], NULL, &e))
			continue;
		if (cli->json)
			device_json(cli, "tcp", "", cli->serials[i], NULL, 0, 0, 1);
		else if (longfmt)
			ui_info(&cli->ui, "%-20s fastboot %s\n", cli->serials[i], cli->serials[i]);
		else
			ui_info(&cli->ui, "%s\tfastboot\n", cli->serials[i]);
		hwf_transport_close(t);
	}
	if (cli->json) {
		json_end_array(&cli->ui);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	}
	return HWF_EXIT_OK;
}

/*
 * getvar all --json: the INFO lines as {"vars": {NAME: VALUE}}.  Bootloaders
 * write "NAME: VALUE" (LK: "partition-size:boot_a: 0x4000000"), fastbootd
 * "NAME:VALUE" ("partition-size:boot_a:0x4000000"): split at the first
 * ": ", else at the last ':'.  A name that comes again gets "#2", "#3" (as
 * UPDATE.APP's SUPER#2), so nothing the device said is lost.
 */
static void json_vars(struct hwf_ui *ui, char *text)
{
	char *save = NULL, *names[4096];
	size_t n = 0;

	json_key(ui, "vars");
	json_begin_object(ui);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sep = strstr(l, ": "), *v = "", key[HWF_FB_RESP_MAX + 16];
		size_t dup = 1, vl;

		if (!sep)
			sep = strrchr(l, ':');
		if (sep && sep != l) {
			v = sep + 1;
			*sep = '\0';
		}
		while (*v == ' ')
			v++;
		vl = strlen(v);
		while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\r'))
			v[--vl] = '\0';
		for (size_t i = 0; i < n; i++)
			dup += !strcmp(names[i], l);
		if (n < sizeof(names) / sizeof(names[0]))
			names[n++] = l;
		if (dup > 1)
			snprintf(key, sizeof(key), "%s#%zu", l, dup);
		else
			snprintf(key, sizeof(key), "%s", l);
		json_kv_str(ui, key, v);
	}
	json_end_object(ui);
}

static int fb_getvar_cmd(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_err e = { 0 };
	char v[HWF_FB_RESP_MAX], none[1] = "";
	struct fb_session s;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, self, "getvar takes one NAME");
	rc = fbs_open(cli, &s);
	if (rc)
		return rc;
	s.json_own = 1;
	s.collecting = cli->json && !strcmp(argv[1], "all");
	if (hwf_fb_getvar(hwf_flash_fb(s.f), argv[1], v, sizeof(v), &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return fbs_finish(&s, HWF_EXIT_FAIL);
	}
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "name", argv[1]);
		if (s.collecting)
			json_vars(&cli->ui, s.collect ? s.collect : none);
		else
			json_kv_str(&cli->ui, "value", v);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else if (strcmp(argv[1], "all")) {
		ui_info(&cli->ui, "%s: %s\n", argv[1], v);
	}
	return fbs_finish(&s, 0);
}

static int fb_flash(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_err e = { 0 };
	struct hwf_flash_parts parts;
	struct hwf_source *src, *sent = NULL;
	struct hwf_avb_patch patch;
	struct fb_session s;
	char file[4096];
	int sign = 0;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc < 2 || argc > 3)
		return cli_usage(cli, self, "flash needs PARTITION [FILE]");
	if (argc == 3)
		snprintf(file, sizeof(file), "%s", argv[2]);
	else
		snprintf(file, sizeof(file), "%s.img", argv[1]);
	if (hwf_source_open_file(&src, file, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	rc = fbs_gate(cli, src, argv[1], file, &sign);
	/* --disable-verity/-verification: the flags set in the bytes sent, not in the file. */
	if (!rc && cli->aosp.avb_disable) {
		if (hwf_avb_patch_flags(&patch, src, cli->aosp.avb_disable, &sent, &e)) {
			ui_error(&cli->ui, "%s", e.msg);
			rc = HWF_EXIT_FAIL;
		} else {
			ui_note(&cli->ui, "%s: vbmeta flags at offset %llu set from 0x%x to 0x%x (%s) "
					  "in the bytes sent; the file is unchanged",
				file, (unsigned long long)patch.vbmeta_offset + 120,
				patch.old_flags, patch.new_flags,
				hwf_avb_flags_text(patch.new_flags));
			/*
			 * The flags are in the signed header: a locked bootloader
			 * rejects the patched bytes (the lock gate below says so).
			 */
			if (sign == HWF_SIGN_VALID && patch.new_flags != patch.old_flags)
				sign = HWF_SIGN_BROKEN;
		}
	}
	if (!rc)
		rc = fbs_open(cli, &s);
	if (rc) {
		hwf_source_close(sent);
		hwf_source_close(src);
		return rc;
	}
	/* The names and the lock are settled with the device before the first byte goes. */
	rc = fbs_exit(hwf_flash_resolve(s.f, argv[1], 1, &parts, NULL));
	for (int i = 0; !rc && i < parts.n; i++)
		rc = fbs_exit(hwf_flash_lock_gate(s.f, sign, parts.name[i], file, NULL));
	for (int i = 0; !rc && i < parts.n; i++)
		rc = fbs_exit(hwf_flash_image(s.f, sent ? sent : src, parts.name[i], file, NULL));
	hwf_source_close(sent);
	hwf_source_close(src);
	return fbs_finish(&s, rc);
}

static int fb_erase(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	char cmd[HWF_FB_CMD_MAX + 1], label[128];
	struct hwf_flash_parts parts;
	struct fb_session s;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, self, "erase takes one PARTITION");
	rc = fbs_open(cli, &s);
	if (rc)
		return rc;
	rc = fbs_exit(hwf_flash_resolve(s.f, argv[1], 1, &parts, NULL));
	for (int i = 0; !rc && i < parts.n; i++) {
		snprintf(cmd, sizeof(cmd), "erase:%s", parts.name[i]);
		snprintf(label, sizeof(label), "Erasing '%s'", parts.name[i]);
		rc = fbs_exit(hwf_flash_command(s.f, label, cmd, NULL));
	}
	return fbs_finish(&s, rc);
}

/* One command as one step; @wipe_first: -w's wipe before it (the device boots away after). */
static int one_step(struct hwf_cli *cli, const char *label, const char *cmd, int wipe_first)
{
	struct fb_session s;
	int rc = fbs_open(cli, &s);

	if (rc)
		return rc;
	if (wipe_first && cli->wipe && hwf_flash_wipe(s.f, NULL))
		return fbs_finish(&s, HWF_EXIT_FAIL);
	return fbs_finish(&s, fbs_exit(hwf_flash_command(s.f, label, cmd, NULL)));
}

/* reboot [@target]: NULL (Android), bootloader, recovery, fastboot, or any: reboot-TARGET. */
static int reboot_to(struct hwf_cli *cli, const char *target)
{
	struct fb_session s;
	int rc = fbs_open(cli, &s);

	if (rc)
		return rc;
	/* -w's wipe and --set-active come before: the device boots away after. */
	rc = fbs_settle(&s);
	if (rc)
		return fbs_finish(&s, rc);
	return fbs_finish(&s, fbs_exit(hwf_flash_reboot(s.f, target, NULL)));
}

static int fb_reboot(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc > 2)
		return cli_usage(cli, self, "reboot takes at most one TARGET");
	/* Any target (edl, sideload ...) is sent as reboot-TARGET, as AOSP does. */
	if (argc == 2 && (!argv[1][0] || strlen(argv[1]) > 24 ||
			  strspn(argv[1], "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
			      strlen(argv[1])))
		return cli_usage(cli, self, "reboot %s: a target is a word of a-z, 0-9, - and _ "
					    "(bootloader, recovery, fastboot, edl ...)",
				 argv[1]);
	return reboot_to(cli, argc == 2 ? argv[1] : NULL);
}

/* AOSP's other spellings: reboot-bootloader, reboot-fastboot, reboot-recovery. */
static int fb_reboot_target(struct hwf_cli *cli, const struct hwf_command *self, int argc,
			    char **argv)
{
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 1)
		return cli_usage(cli, self, "%s takes no arguments", self->name);
	return reboot_to(cli, self->name + strlen("reboot-"));
}

static int fb_continue(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 1)
		return cli_usage(cli, self, "continue takes no arguments");
	return one_step(cli, "continue", "continue", 1);
}

static int fb_oem(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	char cmd[HWF_FB_CMD_MAX + 2] = "oem";
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc < 2)
		return cli_usage(cli, self, "oem needs a command");
	for (int i = 1; i < argc; i++) {
		if (strlen(cmd) + 1 + strlen(argv[i]) > HWF_FB_CMD_MAX)
			return cli_usage(cli, self, "oem command longer than %d bytes",
					 HWF_FB_CMD_MAX);
		strcat(cmd, " ");
		strcat(cmd, argv[i]);
	}
	return one_step(cli, cmd, cmd, 0);
}

static int fb_flashing(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	static const char *const words[] = { "lock", "unlock", "lock_critical", "unlock_critical",
					     "get_unlock_ability" };
	char cmd[HWF_FB_CMD_MAX + 2];
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);
	size_t i;

	if (rc)
		return rc;
	for (i = 0; argc == 2 && i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(argv[1], words[i]))
			break;
	if (argc != 2 || i == sizeof(words) / sizeof(words[0]))
		return cli_usage(cli, self, "flashing takes lock, unlock, lock_critical, "
					    "unlock_critical or get_unlock_ability");
	snprintf(cmd, sizeof(cmd), "flashing %s", argv[1]);
	return one_step(cli, cmd, cmd, 0);
}

static int fb_set_active(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	const char *slot = NULL;
	struct fb_session s;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 2 || !(slot = cli_slot_word(argv[1], 0)))
		return cli_usage(cli, self, "set_active takes one slot: a, b ... or other");
	rc = fbs_open(cli, &s);
	if (rc)
		return rc;
	/* Only a slot the device has (AOSP's verify_slot). */
	return fbs_finish(&s, fbs_exit(hwf_flash_set_active(s.f, slot, NULL)));
}

static int fb_snapshot_update(struct hwf_cli *cli, const struct hwf_command *self, int argc,
			      char **argv)
{
	struct fb_session s;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "cancel") && strcmp(argv[1], "merge")))
		return cli_usage(cli, self, "snapshot-update takes nothing, cancel or merge");
	rc = fbs_open(cli, &s);
	if (rc)
		return rc;
	return fbs_finish(&s, fbs_exit(hwf_flash_snapshot_update(s.f, argc == 2 ? argv[1] : NULL,
								 NULL)));
}

/* fetch's bytes into the output file. */
static int to_file(void *ctx, const void *buf, size_t len, struct hwf_err *e)
{
	struct hwf_outfile *of = ctx;
	const char *p = buf;

	while (len) {
		ssize_t n = write(of->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO, "%s: %s",
					   of->path, strerror(n < 0 ? errno : EIO));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fb_fetch(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_file_hooks hooks;
	struct hwf_outfile of;
	struct hwf_flash_parts parts;
	struct hwf_err e = { 0 };
	struct fb_session s;
	uint64_t size = 0;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 3)
		return cli_usage(cli, self, "fetch needs PARTITION FILE");
	cleanup_file_hooks(&cli->cleanup, &hooks);
	/* A place for the bytes before the device is asked for them. */
	if (hwf_outfile_create(&of, argv[2], 0, &hooks, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	rc = fbs_open(cli, &s);
	if (rc) {
		hwf_outfile_discard(&of);
		return rc;
	}
	rc = fbs_exit(hwf_flash_resolve(s.f, argv[1], 0, &parts, NULL));
	if (!rc && parts.n != 1) {
		ui_error(&cli->ui, "fetch reads one partition; --slot all names %d", parts.n);
		rc = HWF_EXIT_USAGE;
	}
	if (!rc)
		rc = fbs_exit(hwf_flash_fetch(s.f, parts.name[0], to_file, &of, &size, NULL));
	if (!rc && hwf_outfile_commit(&of, 0, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		rc = HWF_EXIT_FAIL;
	}
	if (rc)
		hwf_outfile_discard(&of);
	else
		ui_note(&cli->ui, "%s: %llu bytes of '%s'", argv[2], (unsigned long long)size,
			parts.name[0]);
	return fbs_finish(&s, rc);
}

const struct hwf_command hwf_fastboot_commands[] = {
	{ "devices", fb_devices, "devices [-l] [--json]",
	  "List the fastboot devices on USB (any interface of class ff/42/03), and the\n"
	  "tcp: devices given with -s that answer.  -l adds the port path\n"
	  "(usb:BUS-PORT.PORT, which -s takes too), the product and the vendor:product\n"
	  "id.  A device that may not be opened is listed as \"no permissions\".",
	  NULL },
	{ "info", fb_info, "info [--json]",
	  "The device check before flashing, on one screen: product, serial,\n"
	  "bootloader version, slots and the active one, the bootloader lock\n"
	  "(getvar unlocked, or Huawei's FB lock), secure, is-userspace,\n"
	  "max-download-size and the battery where the device reports them.  A\n"
	  "Huawei/Honor bootloader (one that answers getvar vendorcountry) is also\n"
	  "asked oem get-product-model, oem get-build-number, oem lock-state info\n"
	  "(FB lock, USER lock, FRP) and oem get-bootinfo; a reply hwflash does not\n"
	  "know is shown raw.",
	  NULL },
	{ "getvar", fb_getvar_cmd, "getvar NAME|all [--json]",
	  "Ask the device for a variable (product, max-download-size, partition-size:P ...).",
	  NULL },
	{ "flash", fb_flash, "flash PARTITION [FILE] [--force] [--verify]",
	  "Check the image, then download and write it.  FILE defaults to PARTITION.img.\n"
	  "Every image goes through 'image check --partition PARTITION' first: a\n"
	  "damaged image (truncated sparse, boot image ...) or content that cannot\n"
	  "belong to the partition (gzip data for system, an init_boot image for\n"
	  "boot ...) is refused, nothing is sent, unless --force; its warnings are\n"
	  "shown before sending.  An empty file is never sent (use erase).  On an\n"
	  "A/B device a slotted PARTITION gets the current slot's suffix, or --slot's.\n"
	  "A logical partition (inside super: getvar is-logical says yes) is flashed\n"
	  "from fastbootd: from the bootloader hwflash reboots there first and says so.\n"
	  "--verify reads the partition back (fetch:, fastbootd) and compares what it\n"
	  "holds with what was sent: \"read back: identical\", or the first differing\n"
	  "offset (exit 1).  A device that does not fetch (bootloaders) gets a warning\n"
	  "and exit 0: written, not verified.\n"
	  "On a locked bootloader (see info) a repacked, unsigned or modified image\n"
	  "is refused before any byte is sent, as the bootloader would reject it;\n"
	  "--force overrides.  A properly signed image is not blocked.\n"
	  "--disable-verity and --disable-verification set the flags of the vbmeta\n"
	  "header (a vbmeta image, or the one an AVB footer points at) in the bytes\n"
	  "sent; the file is never changed, and an image without vbmeta is refused.",
	  NULL },
	{ "erase", fb_erase, "erase PARTITION",
	  "Erase a partition (on an A/B device: the current slot's, or --slot's).", NULL },
	{ "boot", fb_boot, "boot FILE | boot KERNEL [RAMDISK [SECOND]] [--cmdline ...]",
	  "Boot without flashing.  A boot image (ANDROID!) is checked (as 'image check\n"
	  "--partition boot') and sent as it is.  Anything else is a KERNEL: a boot\n"
	  "image (header v0-v2) is built on the fly from it and the optional RAMDISK\n"
	  "and SECOND, as AOSP's fastboot builds it, with --cmdline TEXT, --base,\n"
	  "--kernel-offset, --ramdisk-offset, --second-offset, --tags-offset,\n"
	  "--dtb-offset (hex addresses; mkbootimg's defaults: base 0x10000000, kernel\n"
	  "0x8000, ramdisk 0x1000000, second 0xf00000, tags 0x100, dtb 0x1f00000),\n"
	  "--page-size (2048), --header-version (0), --os-version A.B.C,\n"
	  "--os-patch-level YYYY-MM-DD and --dtb FILE (version 2); it goes through\n"
	  "the same check as any boot image.",
	  NULL },
	{ "flash:raw", fb_flash_raw, "flash:raw PARTITION KERNEL [RAMDISK [SECOND]] [--cmdline ...]",
	  "Flash a boot image built from KERNEL (and RAMDISK, SECOND) with boot's\n"
	  "options, after the same check as flash PARTITION.",
	  NULL },
	{ "reboot", fb_reboot, "reboot [bootloader|recovery|fastboot|TARGET]",
	  "Reboot the device.  reboot fastboot goes into fastbootd (userspace fastboot)\n"
	  "and, as AOSP's fastboot, waits for the device to come back there (up to\n"
	  "--timeout, 30 s by default) and checks getvar is-userspace.  The others\n"
	  "wait for the device to go.  Any other TARGET (edl, sideload ...) is sent\n"
	  "as reboot-TARGET.",
	  NULL },
	{ "reboot-bootloader", fb_reboot_target, "reboot-bootloader",
	  "The same as reboot bootloader (AOSP's other spelling).", NULL },
	{ "reboot-fastboot", fb_reboot_target, "reboot-fastboot",
	  "The same as reboot fastboot (AOSP's other spelling): into fastbootd, and\n"
	  "waits for the device to come back there.",
	  NULL },
	{ "reboot-recovery", fb_reboot_target, "reboot-recovery",
	  "The same as reboot recovery (AOSP's other spelling).", NULL },
	{ "continue", fb_continue, "continue", "Continue booting.", NULL },
	{ "oem", fb_oem, "oem ARGS...", "Send a vendor command.", NULL },
	{ "flashing", fb_flashing,
	  "flashing lock|unlock|lock_critical|unlock_critical|get_unlock_ability",
	  "Lock or unlock flashing (the device asks for confirmation).", NULL },
	{ "stage", fb_stage, "stage FILE",
	  "Download FILE to the device for a later command to use (nothing is\n"
	  "written to a partition).",
	  NULL },
	{ "get_staged", fb_get_staged, "get_staged FILE",
	  "Read what the device staged for the host (upload) into FILE.", NULL },
	{ "gsi", fb_gsi, "gsi wipe|disable|status",
	  "fastbootd: wipe or disable an installed GSI, or say its status.", NULL },
	{ "set_active", fb_set_active, "set_active SLOT",
	  "Make a slot the active one: a, b ... (one the device has) or other.", NULL },
	{ "snapshot-update", fb_snapshot_update, "snapshot-update [cancel|merge]",
	  "Virtual A/B: without a word the device says its update status (none,\n"
	  "snapshotted, merging; also getvar snapshot-update-status); cancel ends an\n"
	  "update in progress; merge finishes a merge, in fastbootd (from the\n"
	  "bootloader hwflash reboots there first).",
	  NULL },
	{ "fetch", fb_fetch, "fetch PARTITION FILE",
	  "Read a partition back from the device into FILE (written whole or not at\n"
	  "all), in pieces of max-fetch-size, as AOSP's fastboot fetch.  fastbootd\n"
	  "fetches (AOSP's only vendor_boot, and not on user builds); bootloaders\n"
	  "do not.",
	  NULL },
	{ "update", fb_update,
	  "update ZIP [--dry-run] [--skip-secondary] [--skip-reboot] [-w] [--force] [--verify] "
	  "[--json]",
	  "Flash factory images: AOSP's update zip (NAME.img at its top,\n"
	  "android-info.txt, super_empty.img, *_other.img, fastboot-info.txt) or\n"
	  "Google's factory zip (bootloader, reboot-bootloader, radio,\n"
	  "reboot-bootloader, then its inner image zip, as flash-all.sh does).\n"
	  "Planned before the first byte: every image is checked (as flash checks\n"
	  "it), android-info.txt is checked against the device, and every image is\n"
	  "placed: physical, logical (inside super: update-super from fastbootd,\n"
	  "resized to 0, then to its image), secondary (the other slot; not with\n"
	  "--skip-secondary) or not flashed, with the reason.  The plan is printed\n"
	  "(--json: in the result); --dry-run stops there.  An image with nowhere to\n"
	  "go fails the whole command before anything is sent.  fastboot-info.txt,\n"
	  "when there, gives the order.  Then the slot is made active, -w wipes\n"
	  "userdata, cache and metadata (and update-super wipes super), and the\n"
	  "device reboots unless --skip-reboot.  --verify reads each written partition\n"
	  "back where the device fetches (fastbootd: the logical ones; physical ones\n"
	  "written in the bootloader are not verified, with a warning), as flash does.",
	  NULL },
	{ "flashall", fb_flashall, "flashall [--dry-run] [--skip-secondary] [--skip-reboot]",
	  "update from the images of a build: the folder $ANDROID_PRODUCT_OUT (it\n"
	  "must hold android-info.txt); only the images AOSP's flashall knows.",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
