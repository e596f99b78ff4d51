// SPDX-License-Identifier: MIT
/*
 * dload prepare in order: the plan, every check of the target (quick: a
 * refusal should not wait for a long verification), the verification of
 * every source, and only then the first byte written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "formats/dload/dload_int.h"

int hwf_dload_target_open(struct hwf_dload_target **out, const char *path,
			  const struct hwf_dload_plan *p, const struct hwf_dload_opts *o,
			  const struct hwf_dload_cb *cb, struct hwf_err *e)
{
	enum hwf_dload_target_kind kind;
	struct hwf_dload_target *t;
	static const struct hwf_dload_opts none = {0, 0};
	struct hwf_err local = {0};
	int rc;

	if (!e)
		e = &local;
	if (!o)
		o = &none;
	*out = NULL;
	rc = hwf_dload_target_kind(path, &kind, e);
	if (rc)
		return rc;
	if (o->format && kind == HWF_DLOAD_FOLDER)
		return hwf_err_set(e, HWF_EINVAL,
				   "--format takes an image file or a device, not a folder");
	t = calloc(1, sizeof(*t));
	if (!t)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	t->kind = kind;
	t->fd = -1;
	t->format = o->format;
	t->force = o->force;
	snprintf(t->path, sizeof(t->path), "%s", path);
	rc = kind == HWF_DLOAD_FOLDER ? hwf_dl_folder_check(t, p, cb, e)
				      : hwf_dl_image_check(t, p, cb, e);
	if (rc) {
		hwf_dload_target_close(t);
		return rc;
	}
	*out = t;
	return 0;
}

int hwf_dload_target_write(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
			   const struct hwf_dload_cb *cb, struct hwf_err *e)
{
	struct hwf_err local = {0};

	if (!e)
		e = &local;
	if (!p->verified)
		return hwf_err_set(e, HWF_EINVAL,
				   "%s: the sources were not verified; nothing was "
				   "written",
				   t->path);
	return t->kind == HWF_DLOAD_FOLDER ? hwf_dl_folder_write(t, p, cb, e)
					   : hwf_dl_image_write(t, p, cb, e);
}

void hwf_dload_target_close(struct hwf_dload_target *t)
{
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

int hwf_dload_prepare(const char *source, const char *target, const struct hwf_dload_opts *o,
		      const struct hwf_dload_cb *cb, struct hwf_dload_plan **plan_out,
		      struct hwf_err *e)
{
	struct hwf_dload_target *t = NULL;
	struct hwf_dload_plan *p = NULL;
	struct hwf_err local = {0};
	int rc;

	if (!e)
		e = &local;
	*plan_out = NULL;
	rc = hwf_dload_plan_open(&p, source, e);
	if (!rc)
		rc = hwf_dload_target_open(&t, target, p, o, cb, e);
	if (!rc)
		rc = hwf_dload_plan_verify(p, cb, e);
	if (!rc)
		hwf_dl_event(cb, HWF_DLOAD_EV_VERIFIED, "Verified %s: %zu file%s, %llu bytes",
			     source, p->n, p->n == 1 ? "" : "s", (unsigned long long)p->total);
	if (!rc)
		rc = hwf_dload_target_write(t, p, cb, e);
	hwf_dload_target_close(t);
	if (rc) {
		hwf_dload_plan_close(p);
		return rc;
	}
	*plan_out = p;
	return 0;
}
