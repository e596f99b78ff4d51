// SPDX-License-Identifier: MIT
/* app replace / app remove: a package rewritten with entries replaced or left out. */
#include "formats/app/appedit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/app/apppack.h"
#include "formats/app/updateapp_int.h"

struct plan {
	struct hwf_app *app;
	const struct hwf_edit_opts *o;
	unsigned char *removed;	  /* per entry */
	struct hwf_source **with; /* per entry: its new data, or NULL */
	long crc;		  /* the CRC entry recomputed, or -1 */
	uint64_t chunks;	  /* its checksums */
	uint64_t total;		  /* data bytes written, for progress */
	uint64_t size;		  /* the package written */
};

static void tell(const struct hwf_edit_opts *o, enum hwf_edit_event_kind kind, long entry,
		 const char *msg)
{
	struct hwf_edit_event ev = {kind, entry, msg};

	if (o->event)
		o->event(o->ctx, &ev);
}

static uint64_t chunks_of(uint64_t len)
{
	return (len + HWF_APP_CRC_CHUNK - 1) / HWF_APP_CRC_CHUNK;
}

static int covered(const struct hwf_app_entry *ent)
{
	return ent->kind != HWF_APP_CRC && ent->kind != HWF_APP_SIGNATURE;
}

static uint64_t new_len(const struct plan *p, size_t i)
{
	return p->with[i] ? hwf_source_size(p->with[i]) : hwf_app_entry(p->app, i)->data_len;
}

/* Which entry each op names; an entry named twice, or nothing left, is refused. */
static int resolve(struct plan *p, const struct hwf_edit_op *ops, size_t n, long *target,
		   struct hwf_err *e)
{
	const char *label = p->o->label;
	size_t left = hwf_app_count(p->app);

	for (size_t k = 0; k < n; k++) {
		const struct hwf_app_entry *ent = hwf_app_find(p->app, ops[k].name);

		if (!ent)
			return hwf_err_set(e, HWF_ENOTFOUND,
					   "%s: no entry named %s ('hwflash app list' shows them)",
					   label, ops[k].name);
		for (size_t j = 0; j < k; j++)
			if (target[j] == (long)ent->index)
				return hwf_err_set(e, HWF_EINVAL,
						   "%s: entry %s is named twice (%s and %s)", label,
						   ent->name, ops[j].name, ops[k].name);
		target[k] = ent->index;
		if (!ops[k].path) {
			p->removed[ent->index] = 1;
			left--;
		}
	}
	if (!left)
		return hwf_err_set(e, HWF_EINVAL,
				   "%s: removing every entry would leave an empty package", label);
	return 0;
}

/* The CRC entry: recomputed when its layout is recognised, else kept as stored. */
static int plan_crc_entry(struct plan *p, char *warn, size_t wlen)
{
	struct hwf_app *app = p->app;
	size_t n = hwf_app_count(app);
	const struct hwf_app_entry *crc = NULL;
	uint64_t old = 0;

	p->crc = -1;
	warn[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct hwf_app_entry *ent = hwf_app_entry(app, i);

		if (covered(ent))
			old += chunks_of(ent->data_len);
		else if (ent->kind == HWF_APP_CRC && !crc)
			crc = ent;
	}
	if (!crc || p->removed[crc->index])
		return 0;
	if (crc->data_len != 2 * old && strcasecmp(crc->raw_name, "CRC")) {
		snprintf(warn, wlen,
			 "entry %u %s (sequence 0x%08X) holds %llu bytes, not the %llu a CRC entry "
			 "of this package would: its layout is not recognised, so it is kept as "
			 "stored",
			 crc->index, crc->name, crc->seq, (unsigned long long)crc->data_len,
			 (unsigned long long)(2 * old));
		return 0;
	}
	if (crc->data_len != 2 * old)
		snprintf(warn, wlen,
			 "entry %u %s did not match the input package (%llu checksums for %llu "
			 "32 KiB chunks); the new one does",
			 crc->index, crc->name, (unsigned long long)(crc->data_len / 2),
			 (unsigned long long)old);
	p->crc = crc->index;
	for (size_t i = 0; i < n; i++)
		if (!p->removed[i] && covered(hwf_app_entry(app, i)))
			p->chunks += chunks_of(new_len(p, i));
	return 1;
}

/* Open the replacements: readable, not empty, within the u32 size field. */
static int open_inputs(struct plan *p, const struct hwf_edit_op *ops, size_t n, const long *target,
		       struct hwf_err *e)
{
	char dir[HWF_PATH_MAX], *slash;

	/* A pipe is copied next to the output: the folder that will hold the package. */
	snprintf(dir, sizeof(dir), "%s", p->o->out);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir] = '\0';
	for (size_t k = 0; k < n; k++) {
		struct hwf_source **src = &p->with[target[k]];
		uint64_t size;
		int is_pipe, rc;

		if (!ops[k].path)
			continue;
		rc = hwf_pack_open_input(ops[k].path, dir, src, &is_pipe, e);
		if (rc) {
			hwf_err_prefix(e, "%s=%s", ops[k].name, ops[k].path);
			return rc;
		}
		size = hwf_source_size(*src);
		if (!size)
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s=%s: %s (0 bytes): entry %s is not replaced by "
					   "nothing",
					   ops[k].name, ops[k].path,
					   is_pipe ? "the pipe gave no data" : "the file is empty",
					   ops[k].name);
		if (size > UINT32_MAX)
			return hwf_err_set(e, HWF_EINVAL,
					   "%s=%s: %llu bytes, more than an entry's size field "
					   "holds (4 GiB - 1)",
					   ops[k].name, ops[k].path, (unsigned long long)size);
	}
	return 0;
}

/* The 98 header bytes of entry @i as stored. */
static int read_header(struct plan *p, size_t i, uint8_t *h, struct hwf_err *e)
{
	return hwf_source_read_exact(hwf_app_source(p->app), h, HWF_APP_HDR_LEN,
				     hwf_app_entry(p->app, i)->header_off, e);
}

static int copy_preamble(struct plan *p, int fd, struct hwf_err *e)
{
	struct hwf_source *src = hwf_app_source(p->app);
	uint64_t first = hwf_app_first_offset(p->app), off = 0;
	uint8_t buf[4096];

	while (off < first) {
		size_t n = first - off < sizeof(buf) ? (size_t)(first - off) : sizeof(buf);
		int rc = hwf_source_read_exact(src, buf, n, off, e);

		if (rc)
			return rc;
		for (size_t k = 0; k < n;) {
			ssize_t w = pwrite(fd, buf + k, n - k, (off_t)(off + k));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
						   "writing the preamble: %s", strerror(errno));
			k += (size_t)w;
		}
		off += n;
	}
	return 0;
}

static int write_edit(void *ctx, int fd, struct hwf_err *e)
{
	struct plan *p = ctx;
	struct hwf_app *app = p->app;
	struct hwf_app_wprog wp = {p->o->progress, p->o->ctx, 0, p->total};
	struct hwf_app_chunks ck = {0};
	uint64_t pos = hwf_app_first_offset(app), crc_pos = 0;
	uint8_t h[HWF_APP_HDR_LEN], *crc = NULL;
	int rc;

	if (p->crc >= 0 && !(crc = calloc(1, 2 * p->chunks + 1)))
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	ck.out = crc;
	rc = copy_preamble(p, fd, e);
	for (size_t i = 0; !rc && i < hwf_app_count(app); i++) {
		const struct hwf_app_entry *ent = hwf_app_entry(app, i);
		struct hwf_app_chunks *c = p->crc >= 0 && covered(ent) ? &ck : NULL;

		if (p->removed[i])
			continue;
		if ((long)i == p->crc) {
			/* Its place is kept; it is written once the others' data is known. */
			uint64_t len = 2 * p->chunks;

			crc_pos = pos;
			pos = (pos + HWF_APP_HDR_LEN +
			       2 * ((len + ent->block_size - 1) / ent->block_size) + len + 3) &
			      ~3ull;
			continue;
		}
		if (p->with[i]) {
			rc = read_header(p, i, h, e);
			if (!rc)
				rc = hwf_app_write_entry(fd, pos, h, p->with[i], NULL,
							 hwf_source_size(p->with[i]), c, &wp, &pos,
							 e);
		} else {
			rc = hwf_app_copy_entry(app, i, fd, pos, c, &wp, &pos, e);
			if (rc)
				hwf_err_prefix(e, "%s", p->o->label);
		}
	}
	if (!rc && p->crc >= 0) {
		uint64_t end;

		rc = read_header(p, (size_t)p->crc, h, e);
		if (!rc)
			rc = hwf_app_write_entry(fd, crc_pos, h, NULL, crc, 2 * p->chunks, NULL,
						 NULL, &end, e);
	}
	p->size = pos;
	free(crc);
	return rc;
}

static void on_step(void *ctx, const char *label)
{
	const struct hwf_edit_opts *o = ctx;

	tell(o, label ? HWF_EEV_STEP : HWF_EEV_STEP_END, -1, label);
}

/* Everything that can be known before writing: damaged headers kept, signatures, warnings. */
static int precheck(struct plan *p, struct hwf_edit_result *res, struct hwf_err *e)
{
	struct hwf_app *app = p->app;
	char msg[HWF_ERR_MSG_MAX + 200];

	for (size_t i = 0; i < hwf_app_count(app); i++) {
		const struct hwf_app_entry *ent = hwf_app_entry(app, i);

		if (p->removed[i])
			continue;
		res->entries++;
		p->total += new_len(p, i);
		if (p->with[i] || (long)i == p->crc)
			continue;
		if (ent->header_crc != ent->header_crc_calc)
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: entry %u %s: header CRC 0x%04x stored, 0x%04x "
					   "computed: the package is damaged; not rewritten",
					   p->o->label, ent->index, ent->name, ent->header_crc,
					   ent->header_crc_calc);
	}
	if (p->crc >= 0 && 2 * p->chunks > UINT32_MAX)
		return hwf_err_set(e, HWF_EINVAL, "%s: the CRC entry would not fit its size field",
				   p->o->label);
	for (size_t i = 0; i < hwf_app_count(app); i++) {
		const struct hwf_app_entry *ent = hwf_app_entry(app, i);

		if (p->removed[i] || ent->kind != HWF_APP_SIGNATURE)
			continue;
		res->signatures++;
		snprintf(msg, sizeof(msg),
			 "entry %u %s: signature %s, but it no longer matches the package: a dload "
			 "update would refuse this package; fastboot `app flash` does not need "
			 "the signature",
			 ent->index, ent->name, p->with[i] ? "replaced as given" : "kept");
		tell(p->o, HWF_EEV_SIGNATURE, (long)i, msg);
	}
	return 0;
}

int hwf_edit_run(struct hwf_app *app, const struct hwf_edit_op *ops, size_t n,
		 const struct hwf_edit_opts *o, struct hwf_edit_result *res, struct hwf_err *e)
{
	size_t count = hwf_app_count(app);
	struct plan p = {app, o, NULL, NULL, -1, 0, 0, 0};
	char warn[HWF_ERR_MSG_MAX];
	long *target = NULL;
	struct stat st;
	int rc;

	memset(res, 0, sizeof(*res));
	res->crc_entry = -1;
	if (!n)
		return hwf_err_set(e, HWF_EINVAL, "%s: no change asked for", o->label);
	p.removed = calloc(count, 1);
	p.with = calloc(count, sizeof(*p.with));
	target = calloc(n, sizeof(*target));
	if (!p.removed || !p.with || !target) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	rc = resolve(&p, ops, n, target, e);
	if (rc)
		goto out;
	for (size_t k = 0; k < n; k++) {
		const struct hwf_app_entry *ent = hwf_app_entry(app, (size_t)target[k]);

		if (ops[k].path && ent->kind == HWF_APP_CRC) {
			rc = hwf_err_set(e, HWF_EINVAL,
					 "%s: entry %s is the package's CRC entry: hwflash "
					 "recomputes it from the other entries (app remove leaves "
					 "it out)",
					 o->label, ent->name);
			goto out;
		}
		if (ops[k].path)
			res->replaced++;
		else
			res->removed++;
	}
	if (!o->force && lstat(o->out, &st) == 0) {
		rc = hwf_err_set(e, HWF_EEXIST, "%s: exists; not replaced (use --force)", o->out);
		goto out;
	}
	rc = open_inputs(&p, ops, n, target, e);
	if (rc)
		goto out;
	res->crc_entry = plan_crc_entry(&p, warn, sizeof(warn));
	if (res->crc_entry == 0 && !warn[0])
		res->crc_entry = -1; /* none, or removed */
	rc = precheck(&p, res, e);
	if (rc)
		goto out;
	if (warn[0])
		tell(o, HWF_EEV_WARN, p.crc, warn);
	{
		struct hwf_pack_sink s = {o->out, o->force, o->files,  "rewriting", write_edit,
					  &p,	  on_step,  (void *)o, o->progress, o->ctx};

		rc = hwf_pack_write_verified(&s, e);
	}
	if (!rc)
		res->size = p.size;
out:
	for (size_t i = 0; p.with && i < count; i++)
		hwf_source_close(p.with[i]);
	free(p.with);
	free(p.removed);
	free(target);
	return rc;
}
