// SPDX-License-Identifier: MIT
/*
 * The device check before flashing: variables and Huawei's oem answers.
 * See devinfo.h.
 *
 * The Huawei/Honor reply formats, as public sources show them (nothing
 * else is assumed; a reply that does not match is kept raw):
 *  - oem lock-state info: INFO lines " FB LockState: UNLOCKED" and
 *    " USER LockState: UNLOCKED" (README of github.com/R0rt1z2/hisi-nve, a
 *    P10 Lite session: "(bootloader)  FB LockState: UNLOCKED"); "LOCKED"
 *    on locked devices (public unlock notes of an ANE-LX2J and a Mate 40 Pro
 *    NOH-AN00: "FB LockState: LOCKED / USER LockState: LOCKED").  An FRP
 *    line was not found in any public capture: one is kept raw, not parsed.
 *    "RELOCKED" is Huawei's word for a relocked bootloader on its unlock
 *    screen; it is taken only as that exact word.
 *  - oem get-bootinfo: one INFO word, "locked" / "unlocked" (the ANE-LX2J
 *    notes; guides check it after "oem unlock": "fastboot oem get-bootinfo").
 *  - oem get-product-model: the model as one INFO line, "ANE-LX2J".
 *  - oem get-build-number: ":ANE-LX2J 9.1.0.132(C635E4R1P1)" (ANE-LX2J,
 *    with a leading ':' that tools strip) or "NOH-AN00
 *    4.2.0.196(C00E182R6P6)" (NOH-AN00, without it).
 *  - getvar vendorcountry: "VENDOR/COUNTRY", "all/cn" (NOH-AN00),
 *    "hw/meafnaf" (a VOG-L29 repair plan).
 *  - getvar unlocked and most getvars may be refused ("Command not
 *    allowed") on these bootloaders (the ANE-LX2J notes): the lock then
 *    comes from oem lock-state info.
 */
#include "protocol/devinfo.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const var_names[HWF_DI_NVARS] = {
    [HWF_DI_PRODUCT] = "product",
    [HWF_DI_SERIALNO] = "serialno",
    [HWF_DI_VERSION_BOOTLOADER] = "version-bootloader",
    [HWF_DI_SLOT_COUNT] = "slot-count",
    [HWF_DI_CURRENT_SLOT] = "current-slot",
    [HWF_DI_UNLOCKED] = "unlocked",
    [HWF_DI_SECURE] = "secure",
    [HWF_DI_IS_USERSPACE] = "is-userspace",
    [HWF_DI_MAX_DOWNLOAD] = "max-download-size",
    [HWF_DI_BATTERY_VOLTAGE] = "battery-voltage",
    [HWF_DI_BATTERY_SOC_OK] = "battery-soc-ok",
};

const char *hwf_devinfo_var_name(enum hwf_devinfo_var_id id)
{
	return id < HWF_DI_NVARS ? var_names[id] : "";
}

const char *hwf_lock_name(enum hwf_lock l)
{
	switch (l) {
	case HWF_LOCK_LOCKED: return "locked";
	case HWF_LOCK_UNLOCKED: return "unlocked";
	case HWF_LOCK_RELOCKED: return "relocked";
	default: return "unknown";
	}
}

/* @s without spaces (and CR) at both ends, into @out. */
static void trim(const char *s, size_t n, char *out, size_t len)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	snprintf(out, len, "%.*s", (int)n, s);
}

enum hwf_lock hwf_devinfo_parse_unlocked(const char *v)
{
	char w[32];

	trim(v, strlen(v), w, sizeof(w));
	if (!strcasecmp(w, "yes") || !strcasecmp(w, "true") || !strcmp(w, "1"))
		return HWF_LOCK_UNLOCKED;
	if (!strcasecmp(w, "no") || !strcasecmp(w, "false") || !strcmp(w, "0"))
		return HWF_LOCK_LOCKED;
	return HWF_LOCK_UNKNOWN;
}

/* One state word as Huawei writes it: LOCKED, UNLOCKED, RELOCKED (any case). */
static enum hwf_lock lock_word(const char *w)
{
	if (!strcasecmp(w, "locked"))
		return HWF_LOCK_LOCKED;
	if (!strcasecmp(w, "unlocked"))
		return HWF_LOCK_UNLOCKED;
	if (!strcasecmp(w, "relocked"))
		return HWF_LOCK_RELOCKED;
	return HWF_LOCK_UNKNOWN;
}

/* @line after what @buf holds, "\n"-separated; cut where @buf ends. */
static void append_line(char *buf, size_t len, const char *line)
{
	size_t n = strlen(buf), l = strlen(line);

	if (n && n + 1 < len)
		buf[n++] = '\n';
	if (n + l >= len)
		l = len - n - 1;
	memcpy(buf + n, line, l);
	buf[n + l] = '\0';
}

int hwf_devinfo_parse_lockstate(const char *text, struct hwf_devinfo_huawei *hw)
{
	int found = 0;

	hw->fb_lock = hw->user_lock = HWF_LOCK_UNKNOWN;
	hw->frp[0] = hw->lock_other[0] = '\0';
	for (const char *l = text; *l;) {
		const char *end = strchr(l, '\n'), *colon;
		size_t n = end ? (size_t)(end - l) : strlen(l);
		char line[HWF_DEVINFO_RAW], key[64], val[64];
		enum hwf_lock v = HWF_LOCK_UNKNOWN;

		trim(l, n, line, sizeof(line));
		l += n + (end ? 1 : 0);
		if (!line[0])
			continue;
		colon = strchr(line, ':');
		if (colon) {
			trim(line, (size_t)(colon - line), key, sizeof(key));
			trim(colon + 1, strlen(colon + 1), val, sizeof(val));
			v = lock_word(val);
		}
		if (colon && v != HWF_LOCK_UNKNOWN && !strcmp(key, "FB LockState")) {
			hw->fb_lock = v;
			found++;
		} else if (colon && v != HWF_LOCK_UNKNOWN && !strcmp(key, "USER LockState")) {
			hw->user_lock = v;
			found++;
		} else if (strstr(line, "FRP") && !hw->frp[0]) {
			snprintf(hw->frp, sizeof(hw->frp), "%.*s", (int)sizeof(hw->frp) - 1, line);
		} else {
			append_line(hw->lock_other, sizeof(hw->lock_other), line);
		}
	}
	return found;
}

enum hwf_lock hwf_devinfo_parse_bootinfo(const char *text)
{
	char w[64];

	trim(text, strlen(text), w, sizeof(w));
	return lock_word(w);
}

void hwf_devinfo_parse_build(const char *text, char *out, size_t len)
{
	while (*text == ' ')
		text++;
	if (*text == ':')
		text++;
	trim(text, strlen(text), out, len);
}

int hwf_devinfo_parse_vendorcountry(const char *v, char *vendor, size_t vlen, char *country,
				    size_t clen)
{
	char w[HWF_DEVINFO_VAL];
	const char *slash;

	trim(v, strlen(v), w, sizeof(w));
	slash = strchr(w, '/');
	if (!slash || slash == w || !slash[1] || strchr(slash + 1, '/') || strchr(w, ' '))
		return -1;
	snprintf(vendor, vlen, "%.*s", (int)(slash - w), w);
	snprintf(country, clen, "%s", slash + 1);
	return 0;
}

/* --- asking the device ------------------------------------------------------ */

/* The INFO lines of one command, collected while the client's callback is borrowed. */
struct collect {
	char *buf;
	size_t len;
};

static void on_info(void *ctx, const char *text, int is_text)
{
	struct collect *c = ctx;

	(void)is_text;
	append_line(c->buf, c->len, text);
}

/*
 * @cmd's INFO lines (and OKAY's payload) into @out.  1 answered, 0 FAIL,
 * or a negative code when the conversation was lost.
 */
static int oem(struct hwf_fb *fb, const char *cmd, char *out, size_t len, struct hwf_err *e)
{
	hwf_fb_info_fn info = fb->info;
	void *ictx = fb->ictx;
	struct collect c = {out, len};
	char resp[HWF_FB_RESP_MAX] = "";
	struct hwf_err le = {0};
	int rc;

	out[0] = '\0';
	fb->info = on_info;
	fb->ictx = &c;
	rc = hwf_fb_command(fb, cmd, resp, sizeof(resp), &le);
	fb->info = info;
	fb->ictx = ictx;
	if (rc == HWF_EDEVICE) {
		out[0] = '\0';
		return 0;
	}
	if (rc) {
		*e = le;
		return rc;
	}
	if (resp[0])
		append_line(out, len, resp);
	return 1;
}

/* getvar @name: 1 answered, 0 refused, or the code of a lost conversation. */
static int var(struct hwf_fb *fb, const char *name, char *out, size_t len, struct hwf_err *e)
{
	struct hwf_err le = {0};
	int rc = hwf_fb_getvar(fb, name, out, len, &le);

	if (rc == HWF_EDEVICE) {
		out[0] = '\0';
		return 0;
	}
	if (rc) {
		*e = le;
		return rc;
	}
	return 1;
}

static int huawei_vendorcountry(struct hwf_fb *fb, struct hwf_devinfo_huawei *hw, struct hwf_err *e)
{
	int rc = var(fb, "vendorcountry", hw->raw_vendorcountry, sizeof(hw->raw_vendorcountry), e);

	if (rc == 1 &&
	    hwf_devinfo_parse_vendorcountry(hw->raw_vendorcountry, hw->vendor, sizeof(hw->vendor),
					    hw->country, sizeof(hw->country)))
		hw->vendor[0] = hw->country[0] = '\0';
	return rc;
}

static int huawei_lockstate(struct hwf_fb *fb, struct hwf_devinfo_huawei *hw, struct hwf_err *e)
{
	int rc = oem(fb, "oem lock-state info", hw->raw_lock, sizeof(hw->raw_lock), e);

	if (rc == 1)
		hwf_devinfo_parse_lockstate(hw->raw_lock, hw);
	return rc;
}

/* The rest of the Huawei answers (vendorcountry and lock-state asked already). */
static int huawei_rest(struct hwf_fb *fb, struct hwf_devinfo_huawei *hw, struct hwf_err *e)
{
	int rc;

	hw->asked = 1;
	rc = oem(fb, "oem get-product-model", hw->raw_model, sizeof(hw->raw_model), e);
	if (rc < 0)
		return rc;
	hw->answers += rc;
	if (rc && !strchr(hw->raw_model, '\n'))
		trim(hw->raw_model, strlen(hw->raw_model), hw->model, sizeof(hw->model));
	rc = oem(fb, "oem get-build-number", hw->raw_build, sizeof(hw->raw_build), e);
	if (rc < 0)
		return rc;
	hw->answers += rc;
	if (rc && !strchr(hw->raw_build, '\n'))
		hwf_devinfo_parse_build(hw->raw_build, hw->build, sizeof(hw->build));
	rc = oem(fb, "oem get-bootinfo", hw->raw_bootinfo, sizeof(hw->raw_bootinfo), e);
	if (rc < 0)
		return rc;
	hw->answers += rc;
	if (rc)
		hw->bootinfo = hwf_devinfo_parse_bootinfo(hw->raw_bootinfo);
	return 0;
}

/* The verdict from what was asked: getvar unlocked first, then Huawei's FB lock. */
static void verdict(struct hwf_devinfo *di)
{
	enum hwf_lock fb = di->hw.fb_lock;

	di->lock = HWF_LOCK_UNKNOWN;
	di->lock_source = NULL;
	if (di->var[HWF_DI_UNLOCKED].have)
		di->lock = hwf_devinfo_parse_unlocked(di->var[HWF_DI_UNLOCKED].value);
	if (di->lock != HWF_LOCK_UNKNOWN) {
		di->lock_source = "getvar unlocked";
		return;
	}
	if (fb != HWF_LOCK_UNKNOWN) {
		di->lock = fb == HWF_LOCK_RELOCKED ? HWF_LOCK_LOCKED : fb;
		di->lock_source = "oem lock-state info (FB lock)";
	}
}

int hwf_devinfo_lock_state(struct hwf_fb *fb, struct hwf_devinfo *di, struct hwf_err *e)
{
	struct hwf_devinfo_var *u = &di->var[HWF_DI_UNLOCKED];
	int rc;

	memset(di, 0, sizeof(*di));
	rc = var(fb, "unlocked", u->value, sizeof(u->value), e);
	if (rc < 0)
		return rc;
	u->have = rc;
	if (!rc || hwf_devinfo_parse_unlocked(u->value) == HWF_LOCK_UNKNOWN) {
		/* Only a device that answers vendorcountry gets Huawei's oem command. */
		rc = huawei_vendorcountry(fb, &di->hw, e);
		if (rc == 1)
			rc = huawei_lockstate(fb, &di->hw, e);
		if (rc < 0)
			return rc;
	}
	verdict(di);
	return 0;
}

int hwf_devinfo_read(struct hwf_fb *fb, int huawei, struct hwf_devinfo *di, struct hwf_err *e)
{
	int rc, looks;

	memset(di, 0, sizeof(*di));
	for (int i = 0; i < HWF_DI_NVARS; i++) {
		rc = var(fb, var_names[i], di->var[i].value, sizeof(di->var[i].value), e);
		if (rc < 0)
			return rc;
		di->var[i].have = rc;
	}
	if (huawei) {
		rc = huawei_vendorcountry(fb, &di->hw, e);
		if (rc < 0)
			return rc;
		looks = rc == 1;
		if (huawei > 0 || looks) {
			rc = huawei_lockstate(fb, &di->hw, e);
			if (rc < 0)
				return rc;
			di->hw.answers += rc + looks;
			rc = huawei_rest(fb, &di->hw, e);
			if (rc < 0)
				return rc;
		}
	}
	verdict(di);
	return 0;
}
