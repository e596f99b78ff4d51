// SPDX-License-Identifier: MIT
/*
 * The device model's options, as fbsim and usbsim take them on their
 * command lines (see fbdev.h: fbdev_parse_option).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/fbdev.h"

int fbdev_parse_fault(const char *s, enum fbdev_fault *f)
{
	static const struct {
		const char *name;
		enum fbdev_fault f;
	} t[] = {
	    {"none", FBDEV_FAULT_NONE},
	    {"fail-download", FBDEV_FAULT_FAIL_DOWNLOAD},
	    {"fail-flash", FBDEV_FAULT_FAIL_FLASH},
	    {"disconnect-mid-download", FBDEV_FAULT_DISCONNECT_DOWNLOAD},
	    {"stall", FBDEV_FAULT_STALL},
	    {"stall-flash", FBDEV_FAULT_STALL_FLASH},
	    {"garbage", FBDEV_FAULT_GARBAGE},
	    {"slow-info", FBDEV_FAULT_SLOW_INFO},
	    {"info-flood", FBDEV_FAULT_INFO_FLOOD},
	    {"small-download", FBDEV_FAULT_SMALL_DOWNLOAD},
	    {"disconnect-before-flash", FBDEV_FAULT_DISCONNECT_BEFORE_FLASH},
	    {"disconnect-during-flash", FBDEV_FAULT_DISCONNECT_FLASH},
	    {"fail-erase", FBDEV_FAULT_FAIL_ERASE},
	    {"overlong", FBDEV_FAULT_OVERLONG},
	    {"byte-by-byte", FBDEV_FAULT_BYTE_BY_BYTE},
	    {"unframed", FBDEV_FAULT_UNFRAMED},
	    {"reboot-never-returns", FBDEV_FAULT_REBOOT_NEVER},
	    {"no-fastbootd", FBDEV_FAULT_NO_FASTBOOTD},
	    {"super-full", FBDEV_FAULT_SUPER_FULL},
	    {"resize-refused", FBDEV_FAULT_RESIZE_REFUSED},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].name)) {
			*f = t[i].f;
			return 0;
		}
	return -1;
}

int fbdev_parse_fault_spec(const char *s, struct fbdev_opts *o)
{
	const char *arg = strchr(s, ':');
	char *end;
	unsigned long v;

	o->fault_num = 0;
	o->fault_cmd[0] = '\0';
	if (!arg)
		return fbdev_parse_fault(s, &o->fault);
	arg++;
	if (!strncmp(s, "stall-on:", 9)) {
		if (!*arg || strlen(arg) >= sizeof(o->fault_cmd))
			return -1;
		snprintf(o->fault_cmd, sizeof(o->fault_cmd), "%s", arg);
		o->fault = FBDEV_FAULT_STALL_ON;
		return 0;
	}
	v = strtoul(arg, &end, 10);
	if (end == arg || *end)
		return -1;
	if (!strncmp(s, "disconnect-at:", 14) && v <= 100)
		o->fault = FBDEV_FAULT_DISCONNECT_AT;
	else if (!strncmp(s, "overlong:", 9) && v >= 4 && v <= 4096)
		o->fault = FBDEV_FAULT_OVERLONG;
	else if (!strncmp(s, "reboot-slow:", 12) && v <= 600000)
		o->fault = FBDEV_FAULT_REBOOT_SLOW;
	else if (!strncmp(s, "flip-byte:", 10) && v <= 0xffffffffu)
		o->fault = FBDEV_FAULT_FLIP_BYTE;
	else
		return -1;
	o->fault_num = (unsigned)v;
	return 0;
}

int fbdev_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	*out = v;
	return *end || end == s ? -1 : 0;
}

void fbdev_opts_init(struct fbdev_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->slots = -1;
}

int fbdev_parse_flag(const char *name, struct fbdev_opts *o)
{
	if (!strcmp(name, "--huawei"))
		o->huawei = 1;
	else if (!strcmp(name, "--locked"))
		o->locked = 1;
	else
		return 0;
	return 1;
}

/* NAME:SIZE[:TYPE] into the next partition of @o. */
static int parse_partition(const char *v, int logical, struct fbdev_opts *o, char *why,
			   size_t whylen)
{
	const char *c = strchr(v, ':'), *t = c ? strchr(c + 1, ':') : NULL;
	char size[32];
	struct fbdev_part *p = &o->parts[o->nparts];

	if (o->nparts >= FBDEV_MAX_PARTS) {
		snprintf(why, whylen, "at most %d partitions", FBDEV_MAX_PARTS);
		return -1;
	}
	if (!c || c == v || (size_t)(c - v) >= sizeof(p->name) ||
	    (size_t)((t ? t : c + strlen(c)) - c - 1) >= sizeof(size) ||
	    (t && (!t[1] || strlen(t + 1) >= sizeof(p->type)))) {
		snprintf(why, whylen, "%s: give NAME:SIZE[:TYPE]", v);
		return -1;
	}
	snprintf(size, sizeof(size), "%.*s", (int)((t ? t : c + strlen(c)) - c - 1), c + 1);
	if (fbdev_parse_size(size, &p->size)) {
		snprintf(why, whylen, "%s: %s is not a size (64M, 1G, 0x1000)", v, size);
		return -1;
	}
	memset(p->name, 0, sizeof(p->name));
	memcpy(p->name, v, (size_t)(c - v));
	snprintf(p->type, sizeof(p->type), "%s", t ? t + 1 : "");
	p->logical = logical;
	o->nparts++;
	return 1;
}

/* @value as one of @names (@n): its index, or -1 with a sentence in @why. */
static int pick(const char *opt, const char *value, const char *const *names, int n, char *why,
		size_t whylen)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(value, names[i]))
			return i;
	snprintf(why, whylen, "%s %s: give %s", opt, value,
		 n == 2 ? "bootloader or fastbootd" : "none, snapshotted or merging");
	return -1;
}

int fbdev_parse_option(const char *name, const char *value, struct fbdev_opts *o, char *why,
		       size_t whylen)
{
	static const char *const modes[] = {"bootloader", "fastbootd"};
	static const char *const snaps[] = {"none", "snapshotted", "merging"};
	char *end;
	long v;
	int i;

	if (!strcmp(name, "--store")) {
		o->store = value;
	} else if (!strcmp(name, "--product")) {
		o->product = value;
	} else if (!strcmp(name, "--max-download")) {
		if (fbdev_parse_size(value, &o->max_download) || !o->max_download) {
			snprintf(why, whylen, "--max-download %s: not a size", value);
			return -1;
		}
	} else if (!strcmp(name, "--partition") || !strcmp(name, "--logical")) {
		return parse_partition(value, name[2] == 'l', o, why, whylen);
	} else if (!strcmp(name, "--super")) {
		if (fbdev_parse_size(value, &o->super_size) || o->super_size % 4096 ||
		    o->super_size < (2u << 20)) {
			snprintf(why, whylen,
				 "--super %s: give a size of at least 2M, a multiple of 4096",
				 value);
			return -1;
		}
	} else if (!strcmp(name, "--fault")) {
		if (fbdev_parse_fault_spec(value, o)) {
			snprintf(why, whylen, "unknown fault %s", value);
			return -1;
		}
	} else if (!strcmp(name, "--mode")) {
		if ((i = pick(name, value, modes, 2, why, whylen)) < 0)
			return -1;
		o->mode = (enum fbdev_mode)i;
	} else if (!strcmp(name, "--snapshot")) {
		if ((i = pick(name, value, snaps, 3, why, whylen)) < 0)
			return -1;
		o->snapshot = (enum fbdev_snapshot)i;
	} else if (!strcmp(name, "--reboot-ms")) {
		v = strtol(value, &end, 10);
		if (end == value || *end || v < 0 || v > 600000) {
			snprintf(why, whylen, "--reboot-ms %s: give milliseconds", value);
			return -1;
		}
		o->reboot_ms = (unsigned)v;
	} else if (!strcmp(name, "--slots")) {
		v = strtol(value, &end, 10);
		if (end == value || *end || v < 0 || v == 1 || v > 26) {
			snprintf(why, whylen, "--slots %s: give 0 or 2-26", value);
			return -1;
		}
		o->slots = (int)v;
	} else if (!strcmp(name, "--current-slot")) {
		o->slot_underscore = value[0] == '_';
		value += o->slot_underscore;
		if (strlen(value) != 1 || value[0] < 'a' || value[0] > 'z') {
			snprintf(why, whylen, "--current-slot %s: give a slot letter", value);
			return -1;
		}
		o->current_slot = value[0];
	} else {
		return 0;
	}
	return 1;
}
