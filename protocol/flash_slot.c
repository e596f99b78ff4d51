// SPDX-License-Identifier: MIT
/*
 * Slots: partition names as AOSP's fastboot resolves them
 * (do_for_partitions, verify_slot), asked of the device with getvars only,
 * and refused before anything is written.  See flash.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/flash_int.h"

/*
 * What a fastboot command leaves for a name: "getvar:has-slot:NAME" for
 * the name asked, "getvar:partition-size:NAME_a" for the name resolved.
 */
#define ASKED_MAX    (HWF_FB_CMD_MAX - 16)
#define RESOLVED_MAX (HWF_FB_CMD_MAX - 22)

int hwf_flash_has_partition(struct hwf_flash *f, const char *part)
{
	char q[128], v[HWF_FB_RESP_MAX];

	snprintf(q, sizeof(q), "partition-size:%s", part);
	if (!hwf_fb_getvar(&f->fb, q, v, sizeof(v), NULL))
		return 1;
	snprintf(q, sizeof(q), "has-slot:%s", part);
	if (!hwf_fb_getvar(&f->fb, q, v, sizeof(v), NULL) && !strcmp(v, "yes"))
		return 1;
	/* A bootloader does not know the size of a partition inside super. */
	snprintf(q, sizeof(q), "is-logical:%s", part);
	return !hwf_fb_getvar(&f->fb, q, v, sizeof(v), NULL) && !strcmp(v, "yes");
}

/*
 * has-slot:@part: 1 yes, 0 no (a FAIL counts as no, as in AOSP: older
 * bootloaders do not know the variable), or a negative code when the
 * conversation is lost.
 */
static int ask_has_slot(struct hwf_flash *f, const char *part, struct hwf_err *e)
{
	char q[128], v[HWF_FB_RESP_MAX];
	struct hwf_err le = { 0 };
	int rc;

	snprintf(q, sizeof(q), "has-slot:%s", part);
	rc = hwf_fb_getvar(&f->fb, q, v, sizeof(v), &le);
	if (rc && rc != HWF_EDEVICE)
		return hwf_flash_pass(&f->cb, e, rc, &le);
	return !rc && !strcmp(v, "yes");
}

/* slot-count, once: 0 when the device does not say (FAIL, not a number), as AOSP reads it. */
static int ask_slots(struct hwf_flash *f, struct hwf_err *e)
{
	char v[HWF_FB_RESP_MAX], *end;
	struct hwf_err le = { 0 };
	long n;
	int rc;

	if (f->slots_asked)
		return 0;
	rc = hwf_fb_getvar(&f->fb, "slot-count", v, sizeof(v), &le);
	if (rc && rc != HWF_EDEVICE)
		return hwf_flash_pass(&f->cb, e, rc, &le);
	n = rc ? 0 : strtol(v, &end, 10);
	if (rc || end == v || *end || n < 0)
		n = 0;
	if (n > HWF_FLASH_MAX_SLOTS)
		return hwf_flash_fail(&f->cb, e, HWF_EUNSUPPORTED,
				      "the device reports slot-count %ld; hwflash knows at most %d "
				      "slots: nothing was written",
				      n, HWF_FLASH_MAX_SLOTS);
	f->slots_asked = 1;
	f->slot_count = (int)n;
	return 0;
}

/* "a, b" */
static const char *slot_list(const struct hwf_flash *f, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < f->slot_count && o + 4 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%c", i ? ", " : "", 'a' + i);
	return buf;
}

/*
 * current-slot, once.  AOSP strips a leading '_' from the answer (some
 * bootloaders say "_a"); anything but one letter of the device's slots is
 * refused, because a partition name would be built from it.
 */
static int ask_current(struct hwf_flash *f, const char *why, struct hwf_err *e)
{
	char v[HWF_FB_RESP_MAX], *c = v;
	struct hwf_err le = { 0 };
	int rc;

	if (f->current_slot)
		return 0;
	rc = ask_slots(f, e);
	if (rc)
		return rc;
	rc = hwf_fb_getvar(&f->fb, "current-slot", v, sizeof(v), &le);
	if (rc && rc != HWF_EDEVICE)
		return hwf_flash_pass(&f->cb, e, rc, &le);
	if (!rc && *c == '_')
		c++;
	if (rc || strlen(c) != 1 || *c < 'a' || *c > 'z' ||
	    (f->slot_count && *c >= 'a' + f->slot_count))
		return hwf_flash_fail(&f->cb, e, HWF_EUNSUPPORTED,
				      "%s, but the device does not say which slot is current "
				      "(current-slot: %s); give --slot: nothing was written",
				      why, rc ? "not reported" : v);
	f->current_slot = *c;
	return 0;
}

/*
 * @word (a letter, "other" or "all") against the device, as AOSP's
 * verify_slot: *@slot becomes the letter, or '*' for all.  All is taken on
 * any device; other and a letter need a device with that slot.  @opt names
 * the option in messages.
 */
static int verify_slot(struct hwf_flash *f, const char *opt, const char *word, char *slot,
		       struct hwf_err *e)
{
	char list[64];
	int rc;

	if (!strcmp(word, "all")) {
		*slot = '*';
		return 0;
	}
	rc = ask_slots(f, e);
	if (rc)
		return rc;
	if (f->slot_count == 0)
		return hwf_flash_fail(&f->cb, e, HWF_ENOTFOUND,
				      "%s %s: the device has no slots (it reports no slot-count): "
				      "nothing was written",
				      opt, word);
	if (!strcmp(word, "other")) {
		rc = ask_current(f, "--slot other needs the current slot", e);
		if (rc)
			return rc;
		*slot = (char)('a' + (f->current_slot - 'a' + 1) % f->slot_count);
		return 0;
	}
	if (word[0] - 'a' >= f->slot_count)
		return hwf_flash_fail(&f->cb, e, HWF_ENOTFOUND,
				      "%s %s: the device has no slot %s (its slots: %s): nothing "
				      "was written",
				      opt, word, word, slot_list(f, list, sizeof(list)));
	*slot = word[0];
	return 0;
}

int hwf_flash_check_slot(struct hwf_flash *f, struct hwf_err *e)
{
	int rc;

	if (f->slot_checked || !f->o.slot)
		return 0;
	rc = verify_slot(f, "--slot", f->o.slot, &f->slot, e);
	if (!rc)
		f->slot_checked = 1;
	return rc;
}

int hwf_flash_set_active(struct hwf_flash *f, const char *word, struct hwf_err *e)
{
	char letter = 0, cmd[32], label[64];
	int rc = verify_slot(f, "set_active", word, &letter, e);

	if (rc)
		return rc;
	snprintf(cmd, sizeof(cmd), "set_active:%c", letter);
	snprintf(label, sizeof(label), "Setting current slot to '%c'", letter);
	return hwf_flash_command(f, label, cmd, e);
}

static int add_name(struct hwf_flash *f, struct hwf_flash_parts *out, const char *part, char slot,
		    struct hwf_err *e)
{
	int n = slot ? snprintf(out->name[out->n], HWF_FLASH_PART_MAX, "%s_%c", part, slot)
		     : snprintf(out->name[out->n], HWF_FLASH_PART_MAX, "%s", part);

	if (n < 0 || n >= HWF_FLASH_PART_MAX || n > RESOLVED_MAX)
		return hwf_flash_fail(&f->cb, e, HWF_EINVAL,
				      "partition name '%s' is too long for fastboot", part);
	out->n++;
	return 0;
}

/* boot_b: a name that already carries a slot of a slotted partition. */
static int named_slot(struct hwf_flash *f, const char *part, struct hwf_flash_parts *out, int *done,
		      struct hwf_err *e)
{
	size_t len = strlen(part);
	char base[HWF_FLASH_PART_MAX], list[64];
	int has, rc;

	*done = 0;
	if (len < 3 || len >= sizeof(base) || part[len - 2] != '_' || part[len - 1] < 'a' ||
	    part[len - 1] > 'z')
		return 0;
	snprintf(base, sizeof(base), "%.*s", (int)(len - 2), part);
	has = ask_has_slot(f, base, e);
	if (has <= 0)
		return has;
	rc = ask_slots(f, e);
	if (rc)
		return rc;
	if (f->slot_count && part[len - 1] >= 'a' + f->slot_count)
		return hwf_flash_fail(&f->cb, e, HWF_ENOTFOUND,
				      "%s: the device has no slot %c (its slots: %s): nothing was "
				      "written",
				      part, part[len - 1], slot_list(f, list, sizeof(list)));
	if (f->slot && f->slot != part[len - 1])
		return hwf_flash_fail(&f->cb, e, HWF_EINVAL,
				      "%s names slot %c, and --slot %s asks for %s: give one of "
				      "them",
				      part, part[len - 1], f->o.slot,
				      f->slot == '*' ? "every slot" : "another");
	*done = 1;
	out->slotted = 1;
	return add_name(f, out, part, 0, e);
}

int hwf_flash_resolve(struct hwf_flash *f, const char *part, int warn_slot,
		      struct hwf_flash_parts *out, struct hwf_err *e)
{
	char why[160];
	int rc, has, done;

	memset(out, 0, sizeof(*out));
	if (strlen(part) > ASKED_MAX)
		return hwf_flash_fail(&f->cb, e, HWF_EINVAL,
				      "partition name '%s' is too long for fastboot", part);
	for (const char *c = part; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return hwf_flash_fail(&f->cb, e, HWF_EINVAL,
					      "partition name has a control character (\\x%02x)",
					      (unsigned char)*c);
	rc = hwf_flash_check_slot(f, e);
	if (rc)
		return rc;
	has = ask_has_slot(f, part, e);
	if (has < 0)
		return has;
	if (has) {
		out->slotted = 1;
		if (f->slot == '*') {
			rc = ask_slots(f, e);
			if (!rc && f->slot_count < 2)
				rc =
				    hwf_flash_fail(&f->cb, e, HWF_EUNSUPPORTED,
						   "--slot all: the device says '%s' has slots but "
						   "reports slot-count %d: nothing was written",
						   part, f->slot_count);
			for (int i = 0; !rc && i < f->slot_count; i++)
				rc = add_name(f, out, part, (char)('a' + i), e);
			return rc;
		}
		if (!f->slot) {
			snprintf(why, sizeof(why), "'%s' has a partition per slot", part);
			rc = ask_current(f, why, e);
			if (rc)
				return rc;
		}
		return add_name(f, out, part, f->slot ? f->slot : f->current_slot, e);
	}
	rc = named_slot(f, part, out, &done, e);
	if (rc || done)
		return rc;
	/* Not slotted: the name as it is (as AOSP), and a word when --slot named a slot. */
	if (warn_slot && f->slot && f->slot != '*')
		hwf_flash_say(&f->cb, HWF_FLASH_WARN,
			      "'%s' has no slots: --slot %s does not apply to it", part, f->o.slot);
	return add_name(f, out, part, 0, e);
}

int hwf_flash_set_active_flashed(struct hwf_flash *f, struct hwf_err *e)
{
	char cmd[32], label[64], slot = f->slot;
	int rc = ask_slots(f, e);

	if (rc || f->slot_count < 2)
		return rc;
	if (slot == '*') {
		slot = 'a'; /* AOSP: after --slot all, a is made active */
	} else if (!slot) {
		rc = ask_current(f, "setting the active slot needs the current slot", e);
		if (rc)
			return rc;
		slot = f->current_slot;
	}
	snprintf(cmd, sizeof(cmd), "set_active:%c", slot);
	snprintf(label, sizeof(label), "Setting current slot to '%c'", slot);
	return hwf_flash_command(f, label, cmd, e);
}
