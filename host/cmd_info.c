// SPDX-License-Identifier: MIT
/*
 * hwflash info [--json]: the device check a technician reads before
 * touching a phone (protocol/devinfo.h asks; this prints).  Unknown
 * replies are shown raw.
 */
#include <stdio.h>
#include <string.h>

#include "host/cli.h"
#include "host/fbsession.h"
#include "protocol/devinfo.h"

static const char *val(const struct hwf_devinfo *di, enum hwf_devinfo_var_id id)
{
	return di->var[id].have ? di->var[id].value : NULL;
}

/* One "label  value" line; @v NULL: "(not reported)". */
static void line(struct hwf_cli *cli, const char *label, const char *v)
{
	ui_info(&cli->ui, "%-18s %s\n", label, v ? v : "(not reported)");
}

/* A Huawei answer: parsed (@parsed non-empty), else the raw reply, else not reported. */
static void hw_line(struct hwf_cli *cli, const char *label, const char *parsed, const char *raw)
{
	char buf[HWF_DEVINFO_RAW + 32];

	if (parsed && parsed[0])
		line(cli, label, parsed);
	else if (raw[0]) {
		snprintf(buf, sizeof(buf), "(raw, not understood) %s", raw);
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = '|';
		line(cli, label, buf);
	} else
		line(cli, label, NULL);
}

static const char *lock_or_null(enum hwf_lock l)
{
	return l == HWF_LOCK_UNKNOWN ? NULL : hwf_lock_name(l);
}

static void print_text(struct hwf_cli *cli, const char *device, const struct hwf_devinfo *di)
{
	const struct hwf_devinfo_huawei *hw = &di->hw;
	char buf[640], size[64];
	uint64_t n;
	const char *bv = val(di, HWF_DI_BATTERY_VOLTAGE), *soc = val(di, HWF_DI_BATTERY_SOC_OK);

	line(cli, "device", device);
	line(cli, "product", val(di, HWF_DI_PRODUCT));
	line(cli, "serial", val(di, HWF_DI_SERIALNO));
	line(cli, "bootloader", val(di, HWF_DI_VERSION_BOOTLOADER));
	if (val(di, HWF_DI_SLOT_COUNT)) {
		snprintf(buf, sizeof(buf), "%s, active %s", val(di, HWF_DI_SLOT_COUNT),
			 val(di, HWF_DI_CURRENT_SLOT) ? val(di, HWF_DI_CURRENT_SLOT)
						      : "(not reported)");
		line(cli, "slots", buf);
	} else
		line(cli, "slots", "none (slot-count not reported)");
	snprintf(buf, sizeof(buf), "%s (%s)", hwf_lock_name(di->lock),
		 di->lock_source ? di->lock_source : "the device does not say");
	line(cli, "bootloader lock", buf);
	line(cli, "unlocked", val(di, HWF_DI_UNLOCKED));
	line(cli, "secure", val(di, HWF_DI_SECURE));
	line(cli, "is-userspace", val(di, HWF_DI_IS_USERSPACE));
	if (val(di, HWF_DI_MAX_DOWNLOAD) && !hwf_fb_parse_num(val(di, HWF_DI_MAX_DOWNLOAD), &n)) {
		ui_size(n, size, sizeof(size));
		snprintf(buf, sizeof(buf), "%s (%s)", size, val(di, HWF_DI_MAX_DOWNLOAD));
		line(cli, "max-download-size", buf);
	} else
		line(cli, "max-download-size", val(di, HWF_DI_MAX_DOWNLOAD));
	if (bv || soc) {
		snprintf(buf, sizeof(buf), "%s%s%s%s", bv ? bv : "", bv ? " mV" : "",
			 soc ? (bv ? ", soc ok: " : "soc ok: ") : "", soc ? soc : "");
		line(cli, "battery", buf);
	} else
		line(cli, "battery", NULL);
	if (!hw->asked)
		return;
	ui_info(&cli->ui, "Huawei/Honor bootloader:\n");
	hw_line(cli, "  model", hw->model, hw->raw_model);
	hw_line(cli, "  build", hw->build, hw->raw_build);
	hw_line(cli, "  FB lock", lock_or_null(hw->fb_lock), hw->raw_lock);
	hw_line(cli, "  USER lock", lock_or_null(hw->user_lock), hw->raw_lock);
	line(cli, "  FRP", hw->frp[0] ? hw->frp : NULL);
	if (hw->lock_other[0])
		hw_line(cli, "  lock-state other", NULL, hw->lock_other);
	snprintf(buf, sizeof(buf), "%s / %s", hw->vendor, hw->country);
	hw_line(cli, "  vendor/country", hw->vendor[0] ? buf : NULL, hw->raw_vendorcountry);
	hw_line(cli, "  bootinfo", lock_or_null(hw->bootinfo), hw->raw_bootinfo);
}

static void kv_or_null(struct hwf_ui *ui, const char *key, const char *v)
{
	json_key(ui, key);
	if (v && v[0])
		json_str(ui, v);
	else
		json_null(ui);
}

static void print_json(struct hwf_cli *cli, const char *device, const struct hwf_devinfo *di)
{
	const struct hwf_devinfo_huawei *hw = &di->hw;
	struct hwf_ui *ui = &cli->ui;

	json_begin_object(ui);
	json_kv_str(ui, "command", "info");
	json_kv_str(ui, "device", device);
	json_kv_bool(ui, "ok", 1);
	json_key(ui, "vars");
	json_begin_object(ui);
	for (int i = 0; i < HWF_DI_NVARS; i++) {
		json_key(ui, hwf_devinfo_var_name(i));
		if (di->var[i].have)
			json_str(ui, di->var[i].value);
		else
			json_null(ui);
	}
	json_end_object(ui);
	json_kv_str(ui, "lock", hwf_lock_name(di->lock));
	kv_or_null(ui, "lock_source", di->lock_source);
	json_key(ui, "huawei");
	if (!hw->asked) {
		json_null(ui);
	} else {
		json_begin_object(ui);
		kv_or_null(ui, "model", hw->model);
		kv_or_null(ui, "build", hw->build);
		kv_or_null(ui, "fb_lock", lock_or_null(hw->fb_lock));
		kv_or_null(ui, "user_lock", lock_or_null(hw->user_lock));
		kv_or_null(ui, "frp", hw->frp);
		kv_or_null(ui, "vendor", hw->vendor);
		kv_or_null(ui, "country", hw->country);
		kv_or_null(ui, "bootinfo", lock_or_null(hw->bootinfo));
		json_key(ui, "raw");
		json_begin_object(ui);
		kv_or_null(ui, "oem get-product-model", hw->raw_model);
		kv_or_null(ui, "oem get-build-number", hw->raw_build);
		kv_or_null(ui, "oem lock-state info", hw->raw_lock);
		kv_or_null(ui, "getvar vendorcountry", hw->raw_vendorcountry);
		kv_or_null(ui, "oem get-bootinfo", hw->raw_bootinfo);
		json_end_object(ui);
		json_end_object(ui);
	}
	json_key(ui, "error");
	json_null(ui);
	json_end_object(ui);
	json_done(ui);
}

int fb_info(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_devinfo di;
	struct hwf_err e = {0};
	struct fb_session s;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 1)
		return cli_usage(cli, self, "info takes no arguments");
	rc = fbs_open(cli, &s);
	if (rc)
		return rc;
	s.json_own = 1;
	if (hwf_devinfo_read(hwf_flash_fb(s.f), -1, &di, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return fbs_finish(&s, HWF_EXIT_FAIL);
	}
	if (cli->json)
		print_json(cli, s.device, &di);
	else
		print_text(cli, s.device, &di);
	return fbs_finish(&s, 0);
}
