// SPDX-License-Identifier: MIT
/*
 * Plans against the device: app flash's entries -> partitions the device
 * has, update's android-info.txt and image order.  See flash.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/core/bytes.h"
#include "formats/image/sparse.h"
#include "protocol/flash_int.h"

/* --- app flash -------------------------------------------------------------- */

static int entry_is_sparse(struct hwf_app *app, size_t i)
{
	const struct hwf_app_entry *en = hwf_app_entry(app, i);
	uint8_t m[4] = { 0 };

	if (en->data_len < 28 ||
	    hwf_source_read_exact(hwf_app_source(app), m, 4, en->data_off, NULL))
		return 0;
	return get_le32(m) == HWF_SPARSE_MAGIC;
}

/*
 * The plan's partitions as this device names them.  *@out and *@known
 * (1: the device said the partition has slots, so it exists) are
 * allocated.
 */
static int resolve_plan(struct hwf_flash *f, const struct hwf_plan_step *st, size_t nst,
			struct hwf_plan_step **out, unsigned char **known, size_t *nout,
			struct hwf_err *e)
{
	struct hwf_plan_step *r = calloc(nst * HWF_FLASH_MAX_SLOTS + 1, sizeof(*r));
	unsigned char *k = calloc(nst * HWF_FLASH_MAX_SLOTS + 1, 1);
	size_t n = 0;
	int rc = 0;

	if (!r || !k)
		rc = hwf_flash_fail(&f->cb, e, HWF_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < nst; i++) {
		struct hwf_flash_parts p;

		rc = hwf_flash_resolve(f, st[i].partition, 0, &p, e);
		for (int j = 0; !rc && j < p.n; j++) {
			if (strlen(p.name[j]) >= sizeof(r[n].partition)) {
				rc = hwf_flash_fail(&f->cb, e, HWF_EINVAL,
						    "partition name '%s' is too long", p.name[j]);
				break;
			}
			r[n] = st[i];
			snprintf(r[n].partition, sizeof(r[n].partition), "%s", p.name[j]);
			k[n++] = (unsigned char)p.slotted;
		}
	}
	if (rc) {
		free(r);
		free(k);
		return rc;
	}
	*out = r;
	*known = k;
	*nout = n;
	return 0;
}

/*
 * The device must have every partition (@known: it said so through
 * has-slot), and every raw entry must fit its partition.
 */
static int check_partitions(struct hwf_flash *f, struct hwf_app *app,
			    const struct hwf_plan_step *st, const unsigned char *known, size_t nst,
			    struct hwf_err *e)
{
	int missing = 0;

	for (size_t i = 0; i < nst; i++) {
		const struct hwf_app_entry *en = hwf_app_entry(app, st[i].entry);
		char q[128], v[HWF_FB_RESP_MAX];
		uint64_t psize;

		snprintf(q, sizeof(q), "partition-size:%s", st[i].partition);
		if (!hwf_fb_getvar(&f->fb, q, v, sizeof(v), NULL)) {
			uint64_t len = hwf_plan_step_size(app, &st[i]);

			if (!hwf_fb_parse_hex(v, &psize) && psize && len > psize &&
			    !entry_is_sparse(app, st[i].entry)) {
				hwf_flash_fail(&f->cb, e, HWF_EFORMAT,
					       "%s: %llu bytes do not fit partition %s (%llu bytes)",
					       en->name, (unsigned long long)len, st[i].partition,
					       (unsigned long long)psize);
				missing = 1;
			}
			continue;
		}
		if (known[i])
			continue;
		/* A bootloader does not know the size of a partition inside super. */
		snprintf(q, sizeof(q), "is-logical:%s", st[i].partition);
		if (!hwf_fb_getvar(&f->fb, q, v, sizeof(v), NULL) && !strcmp(v, "yes"))
			continue;
		hwf_flash_fail(&f->cb, e, HWF_ENOTFOUND,
			       "the device has no partition '%s' (for %s); --map %s=PARTITION "
			       "picks another",
			       st[i].partition, en->name, en->name);
		missing = 1;
	}
	if (missing)
		return hwf_flash_fail(&f->cb, e, HWF_ENOTFOUND, "nothing was sent to the device");
	return 0;
}

int hwf_flash_plan(struct hwf_flash *f, struct hwf_app *app, const struct hwf_plan_step *st,
		   size_t nst, struct hwf_plan_step **out, size_t *nout, struct hwf_err *e)
{
	unsigned char *known = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	rc = resolve_plan(f, st, nst, out, &known, nout, e);
	if (!rc)
		rc = check_partitions(f, app, *out, known, *nout, e);
	free(known);
	if (rc) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	return rc;
}

/* Letters and digits only, upper case, without a leading "HW". */
static void squash(const char *in, char *out, size_t len)
{
	size_t o = 0;

	if (!strncasecmp(in, "HW", 2))
		in += 2;
	for (; *in && o + 1 < len; in++)
		if ((*in >= '0' && *in <= '9') || (*in >= 'a' && *in <= 'z') ||
		    (*in >= 'A' && *in <= 'Z'))
			out[o++] = (char)(*in >= 'a' && *in <= 'z' ? *in - 32 : *in);
	out[o] = '\0';
}

void hwf_flash_product_check(struct hwf_flash *f, const char *hwid)
{
	char product[HWF_FB_RESP_MAX], a[64], b[64];

	if (hwf_fb_getvar(&f->fb, "product", product, sizeof(product), NULL) || !product[0] ||
	    !hwid || !hwid[0])
		return;
	squash(hwid, a, sizeof(a));
	squash(product, b, sizeof(b));
	hwf_flash_say(&f->cb, HWF_FLASH_NOTE, "package hardware id %s, device product %s", hwid,
		      product);
	if (a[0] && b[0] && !strstr(a, b) && !strstr(b, a))
		hwf_flash_say(&f->cb, HWF_FLASH_WARN,
			      "the package's hardware id (%s) and the device's product (%s) look "
			      "unrelated: make sure this firmware is for this device",
			      hwid, product);
}

/* --- update ------------------------------------------------------------------ */

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

/* One line of android-info.txt (changed in place): 1 when it fails, after its error. */
static int check_line(struct hwf_flash *f, const char *zip, const char *product, char *line,
		      struct hwf_err *e)
{
	char have[HWF_FB_RESP_MAX], *var, *eq;
	int reject = 0;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return 0;
	if (!strncmp(line, "require-for-product:", 20)) {
		char *sp = strchr(line + 20, ' ');

		if (!sp)
			return 0;
		*sp = '\0';
		if (strcmp(line + 20, product))
			return 0;
		var = sp + 1;
	} else if (!strncmp(line, "require ", 8)) {
		var = line + 8;
	} else if (!strncmp(line, "reject ", 7)) {
		var = line + 7;
		reject = 1;
	} else {
		return 0;
	}
	while (*var == ' ')
		var++;
	eq = strchr(var, '=');
	if (!eq)
		return 0;
	*eq = '\0';
	if (!strcmp(var, "partition-exists")) {
		/* AOSP asks has-slot: a slotted boot has no partition-size:boot. */
		if (hwf_flash_has_partition(f, eq + 1))
			return 0;
		hwf_flash_fail(&f->cb, e, HWF_ENOTFOUND,
			       "%s: android-info.txt requires partition %s, the device has none",
			       zip, eq + 1);
		return 1;
	}
	if (hwf_fb_getvar(&f->fb, var_name(var), have, sizeof(have), NULL)) {
		hwf_flash_fail(&f->cb, e, HWF_EUNSUPPORTED,
			       "%s: android-info.txt %s %s=%s, and the device does not report %s",
			       zip, reject ? "rejects" : "requires", var, eq + 1, var_name(var));
		return 1;
	}
	if (matches(eq + 1, have) != reject)
		return 0;
	hwf_flash_fail(&f->cb, e, HWF_EUNSUPPORTED,
		       "%s: android-info.txt %s %s=%s, the device says %s", zip,
		       reject ? "rejects" : "requires", var, eq + 1, have);
	return 1;
}

int hwf_flash_android_info(struct hwf_flash *f, const char *zip, char *text, struct hwf_err *e)
{
	char product[HWF_FB_RESP_MAX] = "", *save = NULL;
	int bad = 0;

	hwf_fb_getvar(&f->fb, "product", product, sizeof(product), NULL);
	for (char *line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save))
		bad += check_line(f, zip, product, line, e);
	if (!bad)
		return 0;
	if (f->o.force) {
		hwf_flash_say(&f->cb, HWF_FLASH_WARN, "--force: flashing despite android-info.txt");
		return 0;
	}
	return hwf_flash_fail(&f->cb, e, HWF_EUNSUPPORTED,
			      "%s: not for this device; nothing was sent (--force overrides)", zip);
}
