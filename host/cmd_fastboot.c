// SPDX-License-Identifier: MIT
/*
 * The fastboot commands, spelled as AOSP spells them.  Before anything is
 * sent (flash, boot, and app flash / update through fbs_gate) the image
 * checker runs for the partition, and an error refuses the image unless
 * --force: nothing is downloaded then.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/image/avb.h"
#include "formats/core/bytes.h"
#include "host/cli.h"
#include "host/fbsession.h"
#include "protocol/fastboot.h"
#include "formats/image/imagecheck.h"
#include "formats/image/sparse.h"
#include "protocol/transport.h"
#include "protocol/usb.h"

#define CONNECT_TIMEOUT_MS 5000

static int fb_getvar_cmd(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int fb_flash(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int fb_erase(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int fb_boot(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int fb_reboot(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int fb_simple(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int fb_devices(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);

const struct hwf_command hwf_fastboot_commands[] = {
	{ "devices", fb_devices, "devices [-l] [--json]",
	  "List the fastboot devices on USB (any interface of class ff/42/03), and the\n"
	  "tcp: devices given with -s that answer.  -l adds the port path\n"
	  "(usb:BUS-PORT.PORT, which -s takes too), the product and the vendor:product\n"
	  "id.  A device that may not be opened is listed as \"no permissions\".",
	  NULL },
	{ "getvar", fb_getvar_cmd, "getvar NAME|all [--json]",
	  "Ask the device for a variable (product, max-download-size, partition-size:P ...).",
	  NULL },
	{ "flash", fb_flash, "flash PARTITION [FILE] [--force]",
	  "Check the image, then download and write it.  FILE defaults to PARTITION.img.\n"
	  "Every image goes through 'image check --partition PARTITION' first: a\n"
	  "damaged image (truncated sparse, boot image ...) or content that cannot\n"
	  "belong to the partition (gzip data for system, an init_boot image for\n"
	  "boot ...) is refused, nothing is sent, unless --force; its warnings are\n"
	  "shown before sending.  An empty file is never sent (use erase).  On an\n"
	  "A/B device a slotted PARTITION gets the current slot's suffix, or --slot's.",
	  NULL },
	{ "erase", fb_erase, "erase PARTITION",
	  "Erase a partition (on an A/B device: the current slot's, or --slot's).", NULL },
	{ "boot", fb_boot, "boot FILE",
	  "Check FILE as a boot image (as 'image check --partition boot'), download it\n"
	  "and boot it without flashing.",
	  NULL },
	{ "reboot", fb_reboot, "reboot [bootloader|recovery|fastboot]", "Reboot the device.",
	  NULL },
	{ "continue", fb_simple, "continue", "Continue booting.", NULL },
	{ "oem", fb_simple, "oem ARGS...", "Send a vendor command.", NULL },
	{ "flashing", fb_simple,
	  "flashing lock|unlock|lock_critical|unlock_critical|get_unlock_ability",
	  "Lock or unlock flashing (the device asks for confirmation).", NULL },
	{ "set_active", fb_simple, "set_active SLOT",
	  "Make a slot the active one: a, b ... (one the device has) or other.", NULL },
	{ "update", fb_update, "update ZIP [--skip-reboot]",
	  "Flash AOSP's update package: every NAME.img at the top of ZIP to partition\n"
	  "NAME (images the device has no partition for are skipped), streamed out of\n"
	  "the zip.  Every image is checked first, as flash checks it (an empty\n"
	  "member is refused); android-info.txt's require and reject lines are\n"
	  "checked against the device before anything is sent (--force overrides).\n"
	  "On an A/B device the images go to the current slot (or --slot's) and that\n"
	  "slot is made active, as AOSP does.  -w wipes userdata and cache; then the\n"
	  "device reboots unless --skip-reboot.",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};


#define COLLECT_MAX (4u << 20)	/* getvar all --json: INFO text kept, at most */

/* getvar all --json: keep the INFO lines, "\n"-separated. */
static void collect(struct fb_session *s, const char *text)
{
	size_t n = strlen(text);

	if (s->ncollect + n + 2 > s->collect_cap && s->collect_cap < COLLECT_MAX) {
		size_t cap = s->collect_cap ? s->collect_cap : 4096;
		char *p;

		while (cap < s->ncollect + n + 2 && cap < COLLECT_MAX)
			cap *= 2;
		p = realloc(s->collect, cap);
		if (!p)
			return;
		s->collect = p;
		s->collect_cap = cap;
	}
	if (s->ncollect + n + 2 > s->collect_cap)
		return;
	memcpy(s->collect + s->ncollect, text, n);
	s->ncollect += n;
	s->collect[s->ncollect++] = '\n';
	s->collect[s->ncollect] = '\0';
}

static void on_info(void *ctx, const char *text, int is_text)
{
	struct fb_session *s = ctx;
	struct hwf_cli *cli = s->cli;

	if (s->collecting && !is_text)
		collect(s, text);
	if (is_text)
		fprintf(cli->ui.err, "%s", text);
	else if (!cli->json)
		fprintf(cli->ui.err, "(bootloader) %s\n", text);
}

/* -v: the conversation on stderr, "> getvar:product", "< OKAY hwsim". */
static void on_trace(void *ctx, char dir, const char *text)
{
	static const char *const kinds[] = { "OKAY", "FAIL", "INFO", "TEXT", "DATA" };
	struct hwf_cli *cli = ctx;

	if (dir == '<')
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strncmp(text, kinds[i], 4)) {
				fprintf(cli->ui.err, "< %.4s%s%s\n", text, text[4] ? " " : "",
					text + 4);
				return;
			}
	fprintf(cli->ui.err, "%c %s\n", dir, text);
}

/* tcp:HOST[:PORT], retried until --wait runs out. */
static int open_tcp(struct hwf_cli *cli, const char *addr, struct hwf_transport **t,
		    struct hwf_err *e)
{
	double until = ui_now() + (cli->wait > 0 ? cli->wait : 0);
	int rc;

	while ((rc = hwf_tcp_open(t, addr, CONNECT_TIMEOUT_MS, e)) == HWF_ENOTFOUND &&
	       ui_now() < until) {
		struct timespec ts = { 0, 500 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	return rc;
}

/*
 * A USB device: usb:PATH, a serial, or (@sel NULL) the only one there is.
 * --wait waits for it to appear; a device that has just appeared may take
 * a moment before udev lets us open it.
 */
static int open_usb(struct hwf_cli *cli, const char *sel, struct hwf_transport **t,
		    struct hwf_err *e)
{
	int rc = hwf_usb_open(t, sel, e);
	double until;

	if (rc != HWF_ENOTFOUND || !(cli->wait > 0))
		return rc;
	if (!cli->json)
		fprintf(cli->ui.err, "< waiting for %s >\n", sel ? sel : "any device");
	rc = hwf_usb_wait(sel, (int)(cli->wait * 1000), e);
	until = ui_now() + 2;
	while (!rc && (rc = hwf_usb_open(t, sel, e)) == HWF_EACCES && ui_now() < until) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	return rc;
}

int fbs_open(struct hwf_cli *cli, struct fb_session *s)
{
	struct hwf_err e = { 0 };
	const char *serial = cli->nserials ? cli->serials[0] : NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	s->cli = cli;
	s->start = ui_now();
	s->command = cli->command ? cli->command : "wipe";
	if (cli->nserials > 1 || cli->all) {
		/* main.c runs several devices in parallel before a command starts. */
		ui_error(&cli->ui, "this command runs on one device at a time: give one -s");
		return HWF_EXIT_USAGE;
	}
	if (serial && !strncmp(serial, "tcp:", 4))
		rc = open_tcp(cli, serial + 4, &s->t, &e);
	else
		rc = open_usb(cli, serial, &s->t, &e);
	if (rc) {
		ui_error(&cli->ui, "%s", e.msg);
		/* Several devices and no -s: the user has to choose. */
		return rc == HWF_EINVAL && !serial ? HWF_EXIT_USAGE : HWF_EXIT_FAIL;
	}
	hwf_fb_init(&s->fb, s->t, on_info, s);
	if (cli->verbose)
		hwf_fb_set_trace(&s->fb, on_trace, cli);
	if (cli->timeout_ms > 0)
		s->fb.timeout_ms = cli->timeout_ms;
	return 0;
}

void fbs_close(struct fb_session *s)
{
	hwf_transport_close(s->t);
	s->t = NULL;
	free(s->collect);
	s->collect = NULL;
}


/*
 * -w: erase userdata, and cache where the device has one, as AOSP's
 * fastboot -w does (it then formats them; a device's recovery re-creates
 * the file systems on first boot).  Once per session.
 */
int fbs_wipe(struct fb_session *s)
{
	char v[HWF_FB_RESP_MAX];
	int rc;

	if (!s->cli->wipe || s->wiped)
		return 0;
	s->wiped = 1;
	rc = fbs_step(s, "Erasing 'userdata'", "erase:userdata");
	if (!rc && !hwf_fb_getvar(&s->fb, "partition-size:cache", v, sizeof(v), NULL))
		rc = fbs_step(s, "Erasing 'cache'", "erase:cache");
	return rc;
}

void fbs_log(struct fb_session *s, const char *label, int ok, double seconds, uint64_t bytes,
	     const char *error)
{
	if (s->nsteps < FBS_MAX_STEPS) {
		struct fbs_step_log *l = &s->steps[s->nsteps++];

		snprintf(l->label, sizeof(l->label), "%s", label);
		l->ok = ok;
		l->seconds = seconds;
		l->bytes = bytes;
	}
	if (error && !s->error[0])
		snprintf(s->error, sizeof(s->error), "%s", error);
}

static void json_result(struct fb_session *s, int rc)
{
	struct hwf_ui *ui = &s->cli->ui;

	json_begin_object(ui);
	json_kv_str(ui, "command", s->command);
	json_kv_str(ui, "device", s->t ? s->t->name : "");
	json_kv_bool(ui, "ok", rc == 0);
	json_key(ui, "seconds");
	json_double(ui, ui_now() - s->start);
	json_key(ui, "steps");
	json_begin_array(ui);
	for (int i = 0; i < s->nsteps; i++) {
		json_begin_object(ui);
		json_kv_str(ui, "step", s->steps[i].label);
		json_kv_bool(ui, "ok", s->steps[i].ok);
		json_key(ui, "seconds");
		json_double(ui, s->steps[i].seconds);
		if (s->steps[i].bytes)
			json_kv_uint(ui, "bytes", s->steps[i].bytes);
		json_end_object(ui);
	}
	json_end_array(ui);
	json_key(ui, "error");
	if (rc)
		json_str(ui, s->error[0] ? s->error : ui->error[0] ? ui->error : "failed");
	else
		json_null(ui);
	json_end_object(ui);
	json_done(ui);
}

int fbs_finish(struct fb_session *s, int rc)
{
	if (!rc)
		rc = fbs_wipe(s);
	if (!rc && !s->cli->json)
		fprintf(s->cli->ui.err, "Finished. Total time: %.3fs\n", ui_now() - s->start);
	if (s->cli->json && !s->json_own && s->command)
		json_result(s, rc);
	fbs_close(s);
	return rc;
}

/* "Sending 'x' (16384 KB)  OKAY [ 0.4s]" style steps on stderr, as AOSP prints them. */
int fbs_step(struct fb_session *s, const char *label, const char *cmd)
{
	struct hwf_err e = { 0 };
	double t0 = ui_now();
	int rc;

	/* With -v the trace lines come in between: then the step's line comes whole, after. */
	if (!s->cli->json && !s->cli->verbose)
		fprintf(s->cli->ui.err, "%-50s ", label);
	rc = hwf_fb_command(&s->fb, cmd, NULL, 0, &e);
	if (!s->cli->json)
		fprintf(s->cli->ui.err, "%-*s%s [%7.3fs]\n", s->cli->verbose ? 51 : 0,
			s->cli->verbose ? label : "", rc ? "FAILED" : "OKAY", ui_now() - t0);
	fbs_log(s, label, !rc, ui_now() - t0, 0, rc ? e.msg : NULL);
	if (rc) {
		ui_error(&s->cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	return 0;
}

/* "hwflash -w" with no command: only the wipe. */
int cmd_wipe(struct hwf_cli *cli)
{
	struct fb_session s;
	int rc = fbs_open(cli, &s);

	return rc ? rc : fbs_finish(&s, 0);
}

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

/* AOSP's layout: "SERIAL<TAB>fastboot"; -l adds the path, product and id. */
static int fb_devices(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_usb_device *d = NULL;
	struct hwf_err e = { 0 };
	int longfmt = argc == 2 && !strcmp(argv[1], "-l");
	size_t n = 0;

	if (argc > 2 || (argc == 2 && !longfmt))
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

		if (strncmp(cli->serials[i], "tcp:", 4) ||
		    hwf_tcp_open(&t, cli->serials[i] + 4, CONNECT_TIMEOUT_MS, &e))
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
	if (hwf_fb_getvar(&s.fb, argv[1], v, sizeof(v), &e)) {
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

/*
 * A finding's text without a leading "NAME: " (and, with @word, "NAME ")
 * when NAME is the image's name or its last path component: the gate's
 * line names the file already.
 */
static const char *finding_text(const char *text, struct hwf_source *src, int word)
{
	const char *name = hwf_source_name(src), *b = strrchr(name, '/');
	size_t n;

	for (int i = 0; i < 2; i++, name = b + 1) {
		if (i && !b)
			break;
		n = strlen(name);
		if (!n || strncmp(text, name, n))
			continue;
		if (text[n] == ':' && text[n + 1] == ' ')
			return text + n + 2;
		if (word && text[n] == ' ')
			return text + n + 1;
	}
	return text;
}

/*
 * Verify before write, the same on every path that sends bytes (flash, boot,
 * app flash, update): hwf_image_check's full check of what the content is
 * and of whether it fits @part (formats/partkind.c's table).  An error
 * refuses the image, nothing sent, unless --force; every warning is printed
 * before anything is sent (-v adds the facts the check found).  An empty
 * image is never sent, --force or not: download:00000000 and flash would
 * empty the partition, and that is erase's job.
 */
int fbs_gate(struct hwf_cli *cli, struct hwf_source *src, const char *part, const char *file)
{
	struct hwf_image_check_opts o = { part, NULL, NULL, NULL };
	struct hwf_image_report r;
	struct hwf_err e = { 0 };
	size_t first = SIZE_MAX;

	if (hwf_source_size(src) == 0) {
		ui_error(&cli->ui, "%s: not flashed to %s: it is empty (0 bytes), nothing was sent; "
				   "to clear the partition use 'hwflash erase %s'%s",
			 file, part, part, cli->force ? " (--force does not send empty images)" : "");
		return HWF_EXIT_FAIL;
	}
	if (hwf_image_check(src, &o, &r, NULL, NULL, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	for (size_t i = 0; i < r.nfind && first == SIZE_MAX; i++)
		if (r.find[i].severity == HWF_SEV_ERROR)
			first = i;
	if (!r.ok && !cli->force) {
		/* One line for the refusal; further errors after it. */
		ui_error(&cli->ui, "%s: not flashed to %s: %s (nothing was sent; --force overrides)",
			 file, part, finding_text(first < r.nfind ? r.find[first].text : "", src, 0));
		for (size_t i = first + 1; i < r.nfind; i++)
			if (r.find[i].severity == HWF_SEV_ERROR)
				ui_warn(&cli->ui, "%s: also: %s", file,
					finding_text(r.find[i].text, src, 0));
		return HWF_EXIT_FAIL;
	}
	for (size_t i = 0; i < r.nfind; i++) {
		const char *t = finding_text(r.find[i].text, src,
					     r.find[i].severity != HWF_SEV_ERROR);

		if (r.find[i].severity == HWF_SEV_ERROR)
			ui_warn(&cli->ui, "--force: flashing %s to %s despite: %s", file, part, t);
		else if (r.find[i].severity == HWF_SEV_WARN)
			ui_warn(&cli->ui, "%s: %s", file, t);
		else
			ui_debug(&cli->ui, "%s: %s\n", file, t);
	}
	return 0;
}

static int download_one(struct fb_session *s, struct hwf_source *src, const char *label)
{
	struct hwf_cli *cli = s->cli;
	struct hwf_err e = { 0 };
	uint64_t size = hwf_source_size(src);
	char line[160];
	double t0;
	int rc;

	snprintf(line, sizeof(line), "Sending %s (%llu KB)", label,
		 (unsigned long long)(size / 1024));
	t0 = ui_now();
	ui_progress_begin(&cli->ui, label);
	rc = hwf_fb_download(&s->fb, src, 0, size, ui_progress_cb, &cli->ui, &e);
	ui_progress_end(&cli->ui);
	if (!cli->json)
		fprintf(cli->ui.err, "%-50s %s [%7.3fs]\n", line, rc ? "FAILED" : "OKAY",
			ui_now() - t0);
	fbs_log(s, line, !rc, ui_now() - t0, size, rc ? e.msg : NULL);
	if (cli->verbose) {
		struct hwf_usb_stats st;

		hwf_usb_get_stats(s->t, &st);
		if (st.transfers)
			ui_debug(&cli->ui, "%s: %llu bulk transfers so far, at most %u in flight, "
					   "%u halts cleared\n",
				 s->t->name, (unsigned long long)st.transfers, st.max_in_flight,
				 st.halts_cleared);
	}
	if (rc) {
		ui_error(&cli->ui, "%s; nothing was written: the flash command was not sent", e.msg);
		return HWF_EXIT_FAIL;
	}
	return 0;
}

/* The download limit: the device's max-download-size, or -S when smaller. */
static int limit(struct fb_session *s, uint64_t *max)
{
	struct hwf_err e = { 0 };

	if (hwf_fb_max_download(&s->fb, max, &e)) {
		ui_error(&s->cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	if (s->cli->sparse_limit && (!*max || s->cli->sparse_limit < *max))
		*max = s->cli->sparse_limit;
	return 0;
}

/* A download that must fit in one go (boot FILE). */
static int download(struct fb_session *s, struct hwf_source *src, const char *label)
{
	char quoted[128];
	uint64_t max = 0;
	int rc;

	if (!hwf_source_size(src)) {
		ui_error(&s->cli->ui, "%s: empty (0 bytes): nothing to send", hwf_source_name(src));
		return HWF_EXIT_FAIL;
	}
	rc = limit(s, &max);
	if (rc)
		return rc;
	if (max && hwf_source_size(src) > max) {
		ui_error(&s->cli->ui, "%s is %llu bytes, the device takes %llu per download",
			 hwf_source_name(src), (unsigned long long)hwf_source_size(src),
			 (unsigned long long)max);
		return HWF_EXIT_FAIL;
	}
	snprintf(quoted, sizeof(quoted), "'%s'", label);
	return download_one(s, src, quoted);
}

/*
 * Flash @src to @part: as is when it fits one download, else as sparse
 * pieces each describing the whole partition (AOSP's resparse), each piece
 * downloaded and flashed in turn.
 */
static int flash_source(struct fb_session *s, struct hwf_source *src, const char *part)
{
	struct hwf_cli *cli = s->cli;
	struct hwf_sparse_split *sp;
	struct hwf_err e = { 0 };
	char cmd[128], label[160];
	uint64_t max = 0;
	size_t n;
	int rc;

	if (!hwf_source_size(src)) {
		/* fbs_gate refuses these first; this is the last line of defence. */
		ui_error(&cli->ui, "%s: empty (0 bytes): nothing to flash to %s", hwf_source_name(src),
			 part);
		return HWF_EXIT_FAIL;
	}
	rc = limit(s, &max);
	if (rc)
		return rc;
	snprintf(cmd, sizeof(cmd), "flash:%s", part);
	if (!max || hwf_source_size(src) <= max) {
		snprintf(label, sizeof(label), "'%s'", part);
		rc = download_one(s, src, label);
		snprintf(label, sizeof(label), "Writing '%s'", part);
		return rc ? rc : fbs_step(s, label, cmd);
	}
	if (hwf_sparse_split(&sp, src, max, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	n = hwf_sparse_split_count(sp);
	for (size_t i = 0; i < n && !rc; i++) {
		struct hwf_source *piece;

		if (hwf_sparse_split_piece(sp, i, &piece, &e)) {
			ui_error(&cli->ui, "%s", e.msg);
			rc = HWF_EXIT_FAIL;
			break;
		}
		snprintf(label, sizeof(label), "sparse '%s' %zu/%zu", part, i + 1, n);
		rc = download_one(s, piece, label);
		hwf_source_close(piece);
		snprintf(label, sizeof(label), "Writing '%s' %zu/%zu", part, i + 1, n);
		if (!rc)
			rc = fbs_step(s, label, cmd);
	}
	hwf_sparse_split_free(sp);
	return rc;
}

/*
 * Match a raw image to the partition the device reports: refuse one that
 * is larger (nothing sent), and move an AVB footer of a smaller one to the
 * partition's end, as AOSP fastboot does.  A device that does not report
 * partition-size gets the image as it is.  On a move, *src becomes the
 * relocated view and @r->img keeps the original.
 */
static int fit_partition(struct fb_session *s, struct hwf_source **src, const char *part,
			 const char *file, struct hwf_avb_relocation *r)
{
	struct hwf_cli *cli = s->cli;
	struct hwf_source *view;
	struct hwf_err e = { 0 };
	char q[128], v[HWF_FB_RESP_MAX];
	uint64_t psize = 0, size = hwf_source_size(*src);
	uint8_t m[4] = { 0 };
	struct hwf_avb_footer f;
	int rc;

	snprintf(q, sizeof(q), "partition-size:%s", part);
	rc = hwf_fb_getvar(&s->fb, q, v, sizeof(v), &e);
	if (rc && rc != HWF_EDEVICE) {
		/* Not a FAIL ("unknown variable") but a lost device: stop here. */
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	if (rc || hwf_fb_parse_num(v, &psize) || !psize)
		return 0;
	hwf_source_pread(*src, m, 4, 0, NULL);
	if (get_le32(m) == HWF_SPARSE_MAGIC)
		return 0;
	if (size > psize) {
		ui_error(&cli->ui, "%s: %llu bytes do not fit partition %s (%llu bytes); nothing was "
				   "sent",
			 file, (unsigned long long)size, part, (unsigned long long)psize);
		return HWF_EXIT_FAIL;
	}
	if (size == psize || hwf_avb_read_footer(*src, &f, NULL) != 1)
		return 0;
	if (hwf_avb_relocate_footer(r, *src, psize, &view, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	if (!cli->json)
		fprintf(cli->ui.err, "AVB footer of %s moved to the end of '%s' (%llu bytes)\n", file,
			part, (unsigned long long)psize);
	*src = view;
	return 0;
}

int fbs_flash_image(struct fb_session *s, struct hwf_source *src, const char *part,
		    const char *label)
{
	struct hwf_avb_relocation moved = { 0 };
	struct hwf_source *view = src;
	int rc = fit_partition(s, &view, part, label, &moved);

	if (!rc)
		rc = flash_source(s, view, part);
	if (view != src)
		hwf_source_close(view);
	return rc;
}

int fbs_has_partition(struct fb_session *s, const char *part)
{
	char q[128], v[HWF_FB_RESP_MAX];

	snprintf(q, sizeof(q), "partition-size:%s", part);
	if (!hwf_fb_getvar(&s->fb, q, v, sizeof(v), NULL))
		return 1;
	return fbs_has_slot(s, part);
}

int fbs_has_slot(struct fb_session *s, const char *part)
{
	char q[128], v[HWF_FB_RESP_MAX];

	snprintf(q, sizeof(q), "has-slot:%s", part);
	return !hwf_fb_getvar(&s->fb, q, v, sizeof(v), NULL) && !strcmp(v, "yes");
}

/*
 * has-slot:@part: 1 yes, 0 no (a FAIL counts as no, as in AOSP: older
 * bootloaders do not know the variable), or -(exit code) when the
 * conversation is lost.
 */
static int ask_has_slot(struct fb_session *s, const char *part)
{
	char q[128], v[HWF_FB_RESP_MAX];
	struct hwf_err e = { 0 };
	int rc;

	snprintf(q, sizeof(q), "has-slot:%s", part);
	rc = hwf_fb_getvar(&s->fb, q, v, sizeof(v), &e);
	if (rc && rc != HWF_EDEVICE) {
		ui_error(&s->cli->ui, "%s", e.msg);
		return -HWF_EXIT_FAIL;
	}
	return !rc && !strcmp(v, "yes");
}

/* slot-count, once: 0 when the device does not say (FAIL, not a number), as AOSP reads it. */
static int ask_slots(struct fb_session *s)
{
	char v[HWF_FB_RESP_MAX], *end;
	struct hwf_err e = { 0 };
	long n;
	int rc;

	if (s->slots_asked)
		return 0;
	rc = hwf_fb_getvar(&s->fb, "slot-count", v, sizeof(v), &e);
	if (rc && rc != HWF_EDEVICE) {
		ui_error(&s->cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	n = rc ? 0 : strtol(v, &end, 10);
	if (rc || end == v || *end || n < 0)
		n = 0;
	if (n > FBS_MAX_SLOTS) {
		ui_error(&s->cli->ui, "the device reports slot-count %ld; hwflash knows at most %d "
				      "slots: nothing was written",
			 n, FBS_MAX_SLOTS);
		return HWF_EXIT_FAIL;
	}
	s->slots_asked = 1;
	s->slot_count = (int)n;
	return 0;
}

/* "a, b" */
static const char *slot_list(const struct fb_session *s, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < s->slot_count && o + 4 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%c", i ? ", " : "", 'a' + i);
	return buf;
}

/*
 * current-slot, once.  AOSP strips a leading '_' from the answer (some
 * bootloaders say "_a"); anything but one letter of the device's slots is
 * refused, because a partition name would be built from it.
 */
static int ask_current(struct fb_session *s, const char *why)
{
	char v[HWF_FB_RESP_MAX], *c = v;
	struct hwf_err e = { 0 };
	int rc;

	if (s->current_slot)
		return 0;
	rc = ask_slots(s);
	if (rc)
		return rc;
	rc = hwf_fb_getvar(&s->fb, "current-slot", v, sizeof(v), &e);
	if (rc && rc != HWF_EDEVICE) {
		ui_error(&s->cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	if (!rc && *c == '_')
		c++;
	if (rc || strlen(c) != 1 || *c < 'a' || *c > 'z' ||
	    (s->slot_count && *c >= 'a' + s->slot_count)) {
		ui_error(&s->cli->ui, "%s, but the device does not say which slot is current "
				      "(current-slot: %s); give --slot: nothing was written",
			 why, rc ? "not reported" : v);
		return HWF_EXIT_FAIL;
	}
	s->current_slot = *c;
	return 0;
}

/*
 * @word (cli_slot_word's: a letter, "other" or "all") against the device,
 * as AOSP's verify_slot: *@slot becomes the letter, or '*' for all.  All
 * is taken on any device; other and a letter need a device with that slot.
 */
static int verify_slot(struct fb_session *s, const char *opt, const char *word, char *slot)
{
	char list[64];
	int rc;

	if (!strcmp(word, "all")) {
		*slot = '*';
		return 0;
	}
	rc = ask_slots(s);
	if (rc)
		return rc;
	if (s->slot_count == 0) {
		ui_error(&s->cli->ui, "%s %s: the device has no slots (it reports no slot-count): "
				      "nothing was written",
			 opt, word);
		return HWF_EXIT_FAIL;
	}
	if (!strcmp(word, "other")) {
		rc = ask_current(s, "--slot other needs the current slot");
		if (rc)
			return rc;
		*slot = (char)('a' + (s->current_slot - 'a' + 1) % s->slot_count);
		return 0;
	}
	if (word[0] - 'a' >= s->slot_count) {
		ui_error(&s->cli->ui, "%s %s: the device has no slot %s (its slots: %s): nothing "
				      "was written",
			 opt, word, word, slot_list(s, list, sizeof(list)));
		return HWF_EXIT_FAIL;
	}
	*slot = word[0];
	return 0;
}

int fbs_check_slot(struct fb_session *s)
{
	int rc;

	if (s->slot_checked || !s->cli->slot)
		return 0;
	rc = verify_slot(s, "--slot", s->cli->slot, &s->slot);
	if (!rc)
		s->slot_checked = 1;
	return rc;
}

static int add_name(struct fb_session *s, struct fbs_parts *out, const char *part, char slot)
{
	int n = slot ? snprintf(out->name[out->n], FBS_PART_MAX, "%s_%c", part, slot)
		     : snprintf(out->name[out->n], FBS_PART_MAX, "%s", part);

	if (n < 0 || n >= FBS_PART_MAX || n + 6 > HWF_FB_CMD_MAX) {
		ui_error(&s->cli->ui, "partition name '%s' is too long for fastboot", part);
		return HWF_EXIT_USAGE;
	}
	out->n++;
	return 0;
}

/* boot_b: a name that already carries a slot of a slotted partition. */
static int named_slot(struct fb_session *s, const char *part, struct fbs_parts *out, int *done)
{
	size_t len = strlen(part);
	char base[FBS_PART_MAX], list[64];
	int has, rc;

	*done = 0;
	if (len < 3 || len >= sizeof(base) || part[len - 2] != '_' || part[len - 1] < 'a' ||
	    part[len - 1] > 'z')
		return 0;
	snprintf(base, sizeof(base), "%.*s", (int)(len - 2), part);
	has = ask_has_slot(s, base);
	if (has <= 0)
		return -has;
	rc = ask_slots(s);
	if (rc)
		return rc;
	if (s->slot_count && part[len - 1] >= 'a' + s->slot_count) {
		ui_error(&s->cli->ui, "%s: the device has no slot %c (its slots: %s): nothing was "
				      "written",
			 part, part[len - 1], slot_list(s, list, sizeof(list)));
		return HWF_EXIT_FAIL;
	}
	if (s->slot && s->slot != part[len - 1]) {
		ui_error(&s->cli->ui, "%s names slot %c, and --slot %s asks for %s: give one of "
				      "them",
			 part, part[len - 1], s->cli->slot,
			 s->slot == '*' ? "every slot" : "another");
		return HWF_EXIT_USAGE;
	}
	*done = 1;
	out->slotted = 1;
	return add_name(s, out, part, 0);
}

int fbs_resolve(struct fb_session *s, const char *part, int force_slot, struct fbs_parts *out)
{
	char why[160];
	int rc, has, done;

	memset(out, 0, sizeof(*out));
	rc = fbs_check_slot(s);
	if (rc)
		return rc;
	has = ask_has_slot(s, part);
	if (has < 0)
		return -has;
	if (has) {
		out->slotted = 1;
		if (s->slot == '*') {
			rc = ask_slots(s);
			if (!rc && s->slot_count < 2) {
				ui_error(&s->cli->ui, "--slot all: the device says '%s' has slots but "
						      "reports slot-count %d: nothing was written",
					 part, s->slot_count);
				rc = HWF_EXIT_FAIL;
			}
			for (int i = 0; !rc && i < s->slot_count; i++)
				rc = add_name(s, out, part, (char)('a' + i));
			return rc;
		}
		if (!s->slot) {
			snprintf(why, sizeof(why), "'%s' has a partition per slot", part);
			rc = ask_current(s, why);
			if (rc)
				return rc;
		}
		return add_name(s, out, part, s->slot ? s->slot : s->current_slot);
	}
	rc = named_slot(s, part, out, &done);
	if (rc || done)
		return rc;
	/* Not slotted: the name as it is (as AOSP), and a word when --slot named a slot. */
	if (force_slot && s->slot && s->slot != '*')
		ui_warn(&s->cli->ui, "'%s' has no slots: --slot %s does not apply to it", part,
			s->cli->slot);
	return add_name(s, out, part, 0);
}

int fbs_set_active_flashed(struct fb_session *s)
{
	char cmd[32], label[64], slot = s->slot;
	int rc = ask_slots(s);

	if (rc || s->slot_count < 2)
		return rc;
	if (slot == '*') {
		slot = 'a';	/* AOSP: after --slot all, a is made active */
	} else if (!slot) {
		rc = ask_current(s, "setting the active slot needs the current slot");
		if (rc)
			return rc;
		slot = s->current_slot;
	}
	snprintf(cmd, sizeof(cmd), "set_active:%c", slot);
	snprintf(label, sizeof(label), "Setting current slot to '%c'", slot);
	return fbs_step(s, label, cmd);
}

/*
 * The fastboot commands take no options of their own (the global ones are
 * gone by now): a word starting with '-' is a mistake, and said as such.
 * "--" ends that; it is taken out of @argv.
 */
static int fb_flash(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_err e = { 0 };
	struct hwf_source *src;
	struct fbs_parts parts;
	struct fb_session s;
	char file[4096];
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
	rc = fbs_gate(cli, src, argv[1], file);
	if (rc) {
		hwf_source_close(src);
		return rc;
	}
	rc = fbs_open(cli, &s);
	if (rc) {
		hwf_source_close(src);
		return rc;
	}
	/* The names are settled with the device before the first byte goes. */
	rc = fbs_resolve(&s, argv[1], 1, &parts);
	for (int i = 0; !rc && i < parts.n; i++)
		rc = fbs_flash_image(&s, src, parts.name[i], file);
	hwf_source_close(src);
	return fbs_finish(&s, rc);
}

static int fb_erase(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	char cmd[HWF_FB_CMD_MAX + 1], label[128];
	struct fbs_parts parts;
	struct fb_session s;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, self, "erase takes one PARTITION");
	rc = fbs_open(cli, &s);
	if (rc)
		return rc;
	rc = fbs_resolve(&s, argv[1], 1, &parts);
	for (int i = 0; !rc && i < parts.n; i++) {
		snprintf(cmd, sizeof(cmd), "erase:%s", parts.name[i]);
		snprintf(label, sizeof(label), "Erasing '%s'", parts.name[i]);
		rc = fbs_step(&s, label, cmd);
	}
	return fbs_finish(&s, rc);
}

static int fb_boot(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_err e = { 0 };
	struct hwf_source *src;
	struct fb_session s;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, self, "boot takes one FILE");
	if (hwf_source_open_file(&src, argv[1], &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	rc = fbs_gate(cli, src, "boot", argv[1]);
	if (!rc)
		rc = fbs_open(cli, &s);
	if (rc) {
		hwf_source_close(src);
		return rc;
	}
	rc = download(&s, src, "boot.img");
	hwf_source_close(src);
	if (!rc)
		rc = fbs_step(&s, "Booting", "boot");
	return fbs_finish(&s, rc);
}

static int fb_reboot(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	char cmd[64], label[64];
	struct fb_session s;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "bootloader") &&
			 strcmp(argv[1], "recovery") && strcmp(argv[1], "fastboot")))
		return cli_usage(cli, self,
				 "reboot takes nothing, bootloader, recovery or fastboot");
	rc = fbs_open(cli, &s);
	if (rc)
		return rc;
	rc = fbs_wipe(&s);
	if (rc)
		return fbs_finish(&s, rc);
	snprintf(cmd, sizeof(cmd), "reboot%s%s", argc == 2 ? "-" : "", argc == 2 ? argv[1] : "");
	snprintf(label, sizeof(label), "Rebooting%s%s", argc == 2 ? " into " : "",
		 argc == 2 ? argv[1] : "");
	return fbs_finish(&s, fbs_step(&s, label, cmd));
}

/* continue, oem ARGS..., flashing X, set_active SLOT */
static int fb_simple(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	static const char *const flashing[] = { "lock", "unlock", "lock_critical",
						"unlock_critical", "get_unlock_ability" };
	char cmd[HWF_FB_CMD_MAX + 2] = "";
	const char *slot = NULL;
	struct fb_session s;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (!strcmp(argv[0], "continue")) {
		if (argc != 1)
			return cli_usage(cli, self, "continue takes no arguments");
		snprintf(cmd, sizeof(cmd), "continue");
	} else if (!strcmp(argv[0], "set_active")) {
		if (argc != 2 || !(slot = cli_slot_word(argv[1], 0)))
			return cli_usage(cli, self, "set_active takes one slot: a, b ... or other");
	} else if (!strcmp(argv[0], "flashing")) {
		size_t i;

		for (i = 0; argc == 2 && i < sizeof(flashing) / sizeof(flashing[0]); i++)
			if (!strcmp(argv[1], flashing[i]))
				break;
		if (argc != 2 || i == sizeof(flashing) / sizeof(flashing[0]))
			return cli_usage(cli, self, "flashing takes lock, unlock, lock_critical, "
						    "unlock_critical or get_unlock_ability");
		snprintf(cmd, sizeof(cmd), "flashing %s", argv[1]);
	} else {
		if (argc < 2)
			return cli_usage(cli, self, "oem needs a command");
		snprintf(cmd, sizeof(cmd), "oem");
		for (int i = 1; i < argc; i++) {
			if (strlen(cmd) + 1 + strlen(argv[i]) > HWF_FB_CMD_MAX)
				return cli_usage(cli, self, "oem command longer than %d bytes",
						 HWF_FB_CMD_MAX);
			strcat(cmd, " ");
			strcat(cmd, argv[i]);
		}
	}
	rc = fbs_open(cli, &s);
	if (rc)
		return rc;
	if (slot) {
		/* Only a slot the device has (AOSP's verify_slot). */
		char letter = 0, label[64];

		rc = verify_slot(&s, "set_active", slot, &letter);
		snprintf(cmd, sizeof(cmd), "set_active:%c", letter);
		snprintf(label, sizeof(label), "Setting current slot to '%c'", letter);
		return fbs_finish(&s, rc ? rc : fbs_step(&s, label, cmd));
	}
	if (!strcmp(cmd, "continue"))
		rc = fbs_wipe(&s);	/* before the device boots away */
	return fbs_finish(&s, rc ? rc : fbs_step(&s, cmd, cmd));
}
