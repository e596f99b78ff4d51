// SPDX-License-Identifier: MIT
/*
 * update's check (device-free) and plan (getvars only).  See update.h.
 *
 * Facts: shared/reference/fastboot-protocol.md section 5 (FlashAllTool,
 * the images[] table: boot-critical, OS, extra, *_other.img secondary,
 * UpdateSuperTask, fastboot-info.txt) and dynamic-partitions.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/image/liblp.h"
#include "formats/image/sparse.h"
#include "protocol/flash_int.h"
#include "protocol/update.h"

#define SPARSE_MAGIC 0xED26FF3Au

/* AOSP's boot-critical images, in the order they are flashed (bootloader or fastbootd). */
static const char *const boot_critical[] = {
    "boot",	   "init_boot",		 "dtbo",   "dts",	    "pvmfw",	     "recovery",
    "vendor_boot", "vendor_kernel_boot", "vbmeta", "vbmeta_system", "vbmeta_vendor",
};
/* The OS images AOSP's flashall knows (folders: only these and the above are taken). */
static const char *const os_images[] = {
    "odm",	   "odm_dlkm",	 "product", "product_services", "system",
    "system_dlkm", "system_ext", "vendor",  "vendor_dlkm",
};
/* AOSP's "extra" images: never flashed by update or flashall. */
static const char *const extra[] = {"bootloader", "cache", "radio", "super", "userdata"};

#define IN(list, s) in_list(list, sizeof(list) / sizeof(list[0]), s)

static int in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return (int)i + 1;
	return 0;
}

const char *hwf_upd_kind_name(enum hwf_upd_kind k)
{
	static const char *const names[] = {"physical", "logical",     "secondary",
					    "super",	"not flashed", "command"};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/*
 * The partition image @i is for, and whether it is a secondary one:
 * "system_other.img" -> system (1), "dt.img" -> dts, the outer zip's
 * bootloader and radio images -> bootloader, radio.
 */
static int part_of(const struct hwf_factory *fac, size_t i, char *part, size_t len)
{
	const char *name = fac->img[i].name;
	size_t l = strlen(name) - 4; /* ".img" */
	int other = 0;

	if (fac->img[i].outer) {
		snprintf(part, len, "%s", fac->img[i].outer == 1 ? "bootloader" : "radio");
		return 0;
	}
	if (l > 6 && !strncmp(name + l - 6, "_other", 6)) {
		l -= 6;
		other = 1;
	}
	snprintf(part, len, "%.*s", (int)l, name);
	if (!strcmp(part, "dt"))
		snprintf(part, len, "dts");
	return other;
}

/* --- check -------------------------------------------------------------------- */

/* The bytes @src takes on the device: a sparse image's expanded size. */
static int device_size(struct hwf_source *src, uint64_t *size, struct hwf_err *e)
{
	uint8_t m[4];

	*size = hwf_source_size(src);
	if (*size < 28 || hwf_source_read_exact(src, m, 4, 0, e))
		return 0;
	if ((uint32_t)(m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24) != SPARSE_MAGIC)
		return 0;
	return hwf_sparse_validate(src, size, e);
}

static int read_super_empty(struct hwf_upd_input *in, struct hwf_source *src, const char *label,
			    const struct hwf_flash_cb *cb, struct hwf_err *e)
{
	const struct hwf_lp_metadata *m;
	struct hwf_err le = {0};
	struct hwf_lp *lp;
	int rc = hwf_lp_open(&lp, src, 0, &le);

	if (rc)
		return hwf_flash_pass(cb, e, rc, &le);
	m = hwf_lp_metadata(lp);
	if (!hwf_lp_info(lp)->empty) {
		hwf_lp_close(lp);
		return hwf_flash_fail(cb, e, HWF_EFORMAT,
				      "%s: a full super image, not a super_empty.img (metadata "
				      "only)",
				      label);
	}
	in->dynamic = calloc(m->npart ? m->npart : 1, sizeof(*in->dynamic));
	if (!in->dynamic) {
		hwf_lp_close(lp);
		return hwf_flash_fail(cb, e, HWF_ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < m->npart; i++)
		hwf_lp_partition_name(lp, i, in->dynamic[in->ndynamic++], HWF_FLASH_PART_MAX);
	hwf_lp_close(lp);
	return 0;
}

/* Image @i: gated, its size on the device, super_empty.img read. */
static int check_one(struct hwf_upd_input *in, size_t i, const struct hwf_upd_opts *o,
		     const struct hwf_flash_cb *cb, struct hwf_err *e)
{
	struct hwf_factory *fac = in->fac;
	char part[HWF_FLASH_PART_MAX], label[2048];
	struct hwf_source *src;
	struct hwf_err le = {0};
	int rc, empty = !strcmp(fac->img[i].name, "super_empty.img");

	part_of(fac, i, part, sizeof(part));
	hwf_factory_image_label(fac, i, label, sizeof(label));
	rc = hwf_factory_open_image(fac, i, &src, &le);
	if (rc)
		return hwf_flash_pass(cb, e, rc, &le);
	if (empty) {
		in->super_empty = (int)i;
		rc = read_super_empty(in, src, label, cb, e);
		hwf_source_close(src);
		return rc;
	}
	rc = hwf_flash_gate(src, part, label, o->force, cb, &in->sign[i], e);
	hwf_source_close(src);
	if (rc)
		return rc;
	rc = hwf_factory_open_image(fac, i, &src, &le);
	if (!rc)
		rc = device_size(src, &in->size[i], &le);
	hwf_source_close(src);
	return rc ? hwf_flash_pass(cb, e, rc, &le) : 0;
}

int hwf_update_check(struct hwf_factory *fac, const struct hwf_upd_opts *o,
		     const struct hwf_flash_cb *cb, struct hwf_upd_input *in, struct hwf_err *e)
{
	struct hwf_err le = {0};
	int rc = 0, last = 0;

	memset(in, 0, sizeof(*in));
	in->fac = fac;
	in->super_empty = -1;
	if (fac->fastboot_info) {
		char label[2048];

		snprintf(label, sizeof(label), "%s:fastboot-info.txt", fac->label);
		if (fac->kind == HWF_FACTORY_FOLDER)
			snprintf(label, sizeof(label), "%s/fastboot-info.txt", fac->path);
		rc = hwf_fbinfo_parse(fac->fastboot_info, label, &in->fbinfo, &in->nfbinfo, &le);
		if (rc)
			last = hwf_flash_pass(cb, e, rc, &le);
	}
	for (size_t i = 0; i < fac->n; i++) {
		rc = check_one(in, i, o, cb, e);
		if (rc)
			last = rc;
	}
	return last;
}

void hwf_update_input_free(struct hwf_upd_input *in)
{
	free(in->dynamic);
	free(in->fbinfo);
	in->dynamic = NULL;
	in->fbinfo = NULL;
}

/* --- plan --------------------------------------------------------------------- */

struct planner {
	struct hwf_flash *f;
	const struct hwf_upd_input *in;
	const struct hwf_upd_opts *o;
	struct hwf_upd_plan *p;
	size_t cap;
	int placed[HWF_FACTORY_MAX]; /* the image has a step */
	int nowhere;		     /* images with nowhere to go */
	char current, other;	     /* slots: 0 when the device has none */
	struct hwf_err *e;
};

static struct hwf_upd_step *add(struct planner *pl, enum hwf_upd_op op, enum hwf_upd_kind kind,
				int image, const char *target)
{
	struct hwf_upd_step *s;

	if (pl->p->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 32;
		void *n = realloc(pl->p->step, cap * sizeof(*s));

		if (!n)
			return NULL;
		pl->p->step = n;
		pl->cap = cap;
	}
	s = &pl->p->step[pl->p->n++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	s->kind = kind;
	s->image = image;
	snprintf(s->target, sizeof(s->target), "%s", target ? target : "");
	if (image >= 0) {
		pl->placed[image] = 1;
		s->size = pl->in->size[image];
	}
	return s;
}

static int oom(struct planner *pl)
{
	return hwf_flash_fail(&pl->f->cb, pl->e, HWF_ENOMEM, "out of memory");
}

/* One getvar; "" when the device FAILs it.  A lost conversation is returned (reported). */
static int ask(struct planner *pl, const char *q, char *v, size_t len)
{
	struct hwf_err le = {0};
	int rc = hwf_fb_getvar(&pl->f->fb, q, v, len, &le);

	if (rc == HWF_EDEVICE) {
		v[0] = '\0';
		return 0;
	}
	return rc ? hwf_flash_pass(&pl->f->cb, pl->e, rc, &le) : 0;
}

/* The current and the other slot (none on a device without slots). */
static int slots(struct planner *pl)
{
	char v[HWF_FB_RESP_MAX], *c = v;
	long n;
	int rc = ask(pl, "slot-count", v, sizeof(v));

	if (rc)
		return rc;
	n = strtol(v, NULL, 10);
	if (n < 2 || n > HWF_FLASH_MAX_SLOTS)
		return 0;
	rc = ask(pl, "current-slot", v, sizeof(v));
	if (rc)
		return rc;
	if (*c == '_')
		c++;
	if (pl->f->o.slot && pl->f->o.slot[0] >= 'a' && pl->f->o.slot[0] <= 'z' &&
	    !pl->f->o.slot[1])
		c = (char *)pl->f->o.slot;
	if (strlen(c) != 1 || *c < 'a' || *c >= 'a' + n)
		return 0;
	pl->current = *c;
	pl->other = (char)('a' + (*c - 'a' + 1) % n);
	return 0;
}

/* Is @name (a partition, with or without its slot) in super_empty.img? */
static int dynamic(const struct hwf_upd_input *in, const char *name)
{
	size_t l = strlen(name);

	for (size_t i = 0; i < in->ndynamic; i++) {
		const char *d = in->dynamic[i];

		if (!strcmp(d, name) || (strlen(d) == l + 2 && !strncmp(d, name, l) && d[l] == '_'))
			return 1;
	}
	return 0;
}

/* A base partition name already carrying a slot: "boot_a". */
static int named_other(struct planner *pl, const char *part, char *target, size_t len)
{
	char q[128], v[HWF_FB_RESP_MAX];
	int rc;

	if (!pl->other)
		return 0;
	snprintf(q, sizeof(q), "has-slot:%s", part);
	rc = ask(pl, q, v, sizeof(v));
	if (rc)
		return rc;
	if (strcmp(v, "yes")) {
		snprintf(q, sizeof(q), "%s_%c", part, pl->other);
		if (!dynamic(pl->in, q))
			return 0;
	}
	snprintf(target, len, "%s_%c", part, pl->other);
	return 1;
}

static void not_flashed(struct planner *pl, int image, const char *why);

static int nowhere(struct planner *pl, int image, const char *fmt, const char *a)
{
	char label[2048], why[300];

	hwf_factory_image_label(pl->in->fac, (size_t)image, label, sizeof(label));
	snprintf(why, sizeof(why), fmt, a);
	hwf_flash_fail(&pl->f->cb, pl->e, HWF_ENOTFOUND, "%s: %s", label, why);
	pl->nowhere++;
	pl->placed[image] = 1;
	return 0;
}

/*
 * Place image @image on partition @part (@other: the other slot): a
 * step, or an error for an image with nowhere to go.  Only getvars.
 */
static int place(struct planner *pl, int image, const char *part, int other)
{
	char target[HWF_FLASH_PART_MAX], q[160], v[HWF_FB_RESP_MAX];
	struct hwf_flash_parts parts;
	struct hwf_upd_step *s;
	int logical, rc;
	uint64_t psize;

	if (other) {
		if (pl->o->skip_secondary) {
			not_flashed(pl, image, "--skip-secondary");
			return 0;
		}
		rc = named_other(pl, part, target, sizeof(target));
		if (rc < 0)
			return rc;
		if (!rc)
			return nowhere(pl, image,
				       "a secondary image, but the device has no other slot of "
				       "'%s' (--skip-secondary leaves it out)",
				       part);
		logical = dynamic(pl->in, target);
		if (!logical) {
			snprintf(q, sizeof(q), "is-logical:%s", target);
			rc = ask(pl, q, v, sizeof(v));
			if (rc)
				return rc;
			logical = !strcmp(v, "yes");
		}
		s = add(pl, HWF_UPD_OP_FLASH, HWF_UPD_SECONDARY, image, target);
		if (!s)
			return oom(pl);
		s->logical = logical;
		snprintf(s->reason, sizeof(s->reason), "%s, the other slot%s",
			 logical ? "logical" : "physical", "");
		return 0;
	}
	logical = dynamic(pl->in, part);
	if (!logical && !hwf_flash_has_partition(pl->f, part))
		return nowhere(pl, image,
			       pl->in->super_empty >= 0
				   ? "the device has no partition '%s' and super_empty.img does "
				     "not list it: nowhere to flash it; nothing was sent"
				   : "the device has no partition '%s': nowhere to flash it; "
				     "nothing was sent",
			       part);
	rc = hwf_flash_resolve(pl->f, part, 0, &parts, pl->e);
	if (rc)
		return rc;
	/* A bootloader may not know has-slot of a partition inside super: super_empty does. */
	if (!parts.slotted && logical && pl->current) {
		snprintf(target, sizeof(target), "%s_%c", part, pl->current);
		if (dynamic(pl->in, target)) {
			parts.n = 1;
			snprintf(parts.name[0], sizeof(parts.name[0]), "%s", target);
		}
	}
	for (int k = 0; k < parts.n; k++) {
		int lg = logical || dynamic(pl->in, parts.name[k]);

		if (!lg) {
			rc = hwf_flash_is_logical(pl->f, parts.name[k], pl->e);
			if (rc < 0)
				return rc;
			lg = rc;
		}
		s = add(pl, HWF_UPD_OP_FLASH, lg ? HWF_UPD_LOGICAL : HWF_UPD_PHYSICAL, image,
			parts.name[k]);
		if (!s)
			return oom(pl);
		s->logical = lg;
		if (lg) {
			snprintf(s->reason, sizeof(s->reason), "%s",
				 dynamic(pl->in, parts.name[k]) || dynamic(pl->in, part)
				     ? "in super_empty.img; flashed from fastbootd"
				     : "is-logical: yes; flashed from fastbootd");
			continue;
		}
		/* A physical partition: does the image fit (when the device says its size)? */
		snprintf(q, sizeof(q), "partition-size:%s", parts.name[k]);
		rc = ask(pl, q, v, sizeof(v));
		if (rc)
			return rc;
		if (v[0] && !hwf_fb_parse_hex(v, &psize) && psize && s->size > psize) {
			char why[200];

			snprintf(why, sizeof(why),
				 "%llu bytes, partition %s holds %llu: it does "
				 "not fit; nothing was sent",
				 (unsigned long long)s->size, parts.name[k],
				 (unsigned long long)psize);
			pl->p->n--;
			return nowhere(pl, image, "%s", why);
		}
	}
	return 0;
}

static void not_flashed(struct planner *pl, int image, const char *why)
{
	struct hwf_upd_step *s = add(pl, HWF_UPD_OP_NONE, HWF_UPD_NOT_FLASHED, image, "");

	if (s)
		snprintf(s->reason, sizeof(s->reason), "%s", why);
}

/* After update-super: every logical partition flashed later, resized to 0 first (AOSP). */
static int resize_zero(struct planner *pl, size_t from)
{
	size_t n = pl->p->n;

	for (size_t i = from; i < n; i++) {
		struct hwf_upd_step *s = &pl->p->step[i], *r;
		int seen = 0;

		if (s->op != HWF_UPD_OP_FLASH || !s->logical)
			continue;
		for (size_t j = from; j < i; j++)
			seen |= pl->p->step[j].op == HWF_UPD_OP_FLASH && pl->p->step[j].logical &&
				!strcmp(pl->p->step[j].target, s->target);
		if (seen)
			continue;
		r = add(pl, HWF_UPD_OP_RESIZE, HWF_UPD_COMMAND, -1, pl->p->step[i].target);
		if (!r)
			return oom(pl);
		snprintf(r->reason, sizeof(r->reason), "to 0 before flashing, as AOSP");
	}
	/* The resizes were appended: move them in front of the flashes from @from on. */
	if (pl->p->n > n) {
		size_t nr = pl->p->n - n;
		struct hwf_upd_step *tmp = malloc(nr * sizeof(*tmp));

		if (!tmp)
			return oom(pl);
		memcpy(tmp, pl->p->step + n, nr * sizeof(*tmp));
		memmove(pl->p->step + from + nr, pl->p->step + from, (n - from) * sizeof(*tmp));
		memcpy(pl->p->step + from, tmp, nr * sizeof(*tmp));
		free(tmp);
	}
	return 0;
}

static int super_step(struct planner *pl, const char *super)
{
	struct hwf_upd_step *s;

	s = add(pl, HWF_UPD_OP_UPDATE_SUPER, HWF_UPD_SUPER, pl->in->super_empty, super);
	if (!s)
		return oom(pl);
	snprintf(s->reason, sizeof(s->reason), "update-super:%s%s from fastbootd", super,
		 pl->o->wipe ? ":wipe" : "");
	return 0;
}

/* AOSP's FlashAllTool order: boot-critical, update-super, resizes to 0, OS images. */
static int plan_default(struct planner *pl, const char *super)
{
	const struct hwf_factory *fac = pl->in->fac;
	char part[HWF_FLASH_PART_MAX];
	size_t os_from;
	int rc = 0;

	/* flash-all.sh: bootloader, reboot-bootloader, radio, reboot-bootloader. */
	for (size_t i = 0; i < fac->n && !rc; i++) {
		if (!fac->img[i].outer)
			continue;
		part_of(fac, i, part, sizeof(part));
		rc = place(pl, (int)i, part, 0);
		if (!rc && !add(pl, HWF_UPD_OP_REBOOT, HWF_UPD_COMMAND, -1, "bootloader"))
			rc = oom(pl);
	}
	for (size_t k = 0; k < sizeof(boot_critical) / sizeof(boot_critical[0]) && !rc; k++)
		for (size_t i = 0; i < fac->n && !rc; i++)
			if (!fac->img[i].outer && !part_of(fac, i, part, sizeof(part)) &&
			    !strcmp(part, boot_critical[k]))
				rc = place(pl, (int)i, part, 0);
	if (!rc && pl->in->super_empty >= 0)
		rc = super_step(pl, super);
	os_from = pl->p->n;
	for (size_t i = 0; i < fac->n && !rc; i++) {
		int other;

		if (pl->placed[i] || fac->img[i].outer)
			continue;
		other = part_of(fac, i, part, sizeof(part));
		if (!other && IN(extra, part))
			not_flashed(pl, (int)i,
				    "AOSP's update and flashall do not flash it (an "
				    "\"extra\" image; hwflash flash does)");
		else if (fac->kind == HWF_FACTORY_FOLDER && !IN(os_images, part) &&
			 !IN(boot_critical, part))
			not_flashed(pl, (int)i,
				    "flashall takes only the images AOSP's flashall "
				    "knows");
		else
			rc = place(pl, (int)i, part, other);
	}
	return rc ? rc : resize_zero(pl, os_from);
}

/* fastboot-info.txt's order; images it does not name are not flashed, and said so. */
static int plan_fbinfo(struct planner *pl, const char *super)
{
	const struct hwf_upd_input *in = pl->in;
	size_t super_at = (size_t)-1;
	int rc = 0;

	for (size_t c = 0; c < in->nfbinfo && !rc; c++) {
		const struct hwf_fbinfo_cmd *cmd = &in->fbinfo[c];
		int img = -1;
		struct hwf_upd_step *s;

		if (cmd->if_wipe && !pl->o->wipe)
			continue;
		switch (cmd->op) {
		case HWF_FBINFO_FLASH:
			img = hwf_factory_find(in->fac, cmd->file);
			if (img < 0)
				return hwf_flash_fail(
				    &pl->f->cb, pl->e, HWF_ENOTFOUND,
				    "%s: fastboot-info.txt line %u flashes %s "
				    "from %s, which is not there: nothing was sent",
				    in->fac->label, cmd->line, cmd->part, cmd->file);
			rc = place(pl, img, cmd->part, cmd->slot_other);
			break;
		case HWF_FBINFO_REBOOT:
			if (!add(pl, HWF_UPD_OP_REBOOT, HWF_UPD_COMMAND, -1, cmd->part))
				rc = oom(pl);
			break;
		case HWF_FBINFO_ERASE:
			s = add(pl, HWF_UPD_OP_ERASE, HWF_UPD_COMMAND, -1, cmd->part);
			if (!s)
				rc = oom(pl);
			break;
		case HWF_FBINFO_UPDATE_SUPER:
			if (in->super_empty < 0)
				return hwf_flash_fail(
				    &pl->f->cb, pl->e, HWF_ENOTFOUND,
				    "%s: fastboot-info.txt line %u: update-super, "
				    "and there is no super_empty.img: nothing was "
				    "sent",
				    in->fac->label, cmd->line);
			rc = super_step(pl, super);
			if (super_at == (size_t)-1)
				super_at = pl->p->n;
			break;
		}
	}
	if (!rc && super_at != (size_t)-1)
		rc = resize_zero(pl, super_at);
	for (size_t i = 0; i < in->fac->n && !rc; i++)
		if (!pl->placed[i])
			not_flashed(pl, (int)i, "fastboot-info.txt does not name it");
	return rc;
}

int hwf_update_plan(struct hwf_flash *f, const struct hwf_upd_input *in,
		    const struct hwf_upd_opts *o, struct hwf_upd_plan *p, struct hwf_err *e)
{
	struct planner *pl = calloc(1, sizeof(*pl));
	char super[HWF_FB_RESP_MAX];
	int rc;

	memset(p, 0, sizeof(*p));
	if (!pl)
		return hwf_flash_fail(&f->cb, e, HWF_ENOMEM, "out of memory");
	pl->f = f;
	pl->in = in;
	pl->o = o;
	pl->p = p;
	pl->e = e;
	rc = hwf_flash_check_slot(f, e);
	if (!rc)
		rc = slots(pl);
	if (!rc)
		rc = ask(pl, "super-partition-name", super, sizeof(super));
	if (!rc && (!super[0] || strlen(super) >= HWF_FLASH_PART_MAX - 8))
		snprintf(super, sizeof(super), "super");
	p->from_fbinfo = in->fbinfo != NULL;
	if (!rc)
		rc = p->from_fbinfo ? plan_fbinfo(pl, super) : plan_default(pl, super);
	if (!rc && pl->nowhere)
		rc = hwf_flash_fail(&f->cb, e, HWF_ENOTFOUND,
				    "%s: %d image%s with nowhere to go on this device: nothing "
				    "was sent",
				    in->fac->label, pl->nowhere, pl->nowhere == 1 ? "" : "s");
	free(pl);
	if (rc)
		hwf_update_plan_free(p);
	return rc;
}

void hwf_update_plan_free(struct hwf_upd_plan *p)
{
	free(p->step);
	p->step = NULL;
	p->n = 0;
}
