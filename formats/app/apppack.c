// SPDX-License-Identifier: MIT
/* app pack: inputs (pipes spooled), the package under a temporary name, verified, renamed. */
#include "formats/app/apppack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/app/updateapp.h"

static void tell(const struct hwf_pack_opts *o, enum hwf_pack_event_kind kind, const char *msg)
{
	struct hwf_pack_event ev = { kind, msg };

	if (o->event)
		o->event(o->ctx, &ev);
}

int hwf_pack_check_name(const struct hwf_pack_input *in, size_t i, struct hwf_err *e)
{
	const char *name = in[i].name;

	if (strlen(name) > 32)
		return hwf_err_set(e, HWF_EINVAL, "entry name %s is longer than 32 characters",
				   name);
	for (const char *p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return hwf_err_set(e, HWF_EINVAL,
					   "entry name '%s': '%c' is not allowed (letters, digits, "
					   "'_', '-' and '.')",
					   name, *p);
	if (!*name)
		return hwf_err_set(e, HWF_EINVAL, "an entry name is empty");
	if (!strcasecmp(name, "CRC"))
		return hwf_err_set(e, HWF_EINVAL,
				   "CRC is the name of the checksum entry pack writes itself");
	for (size_t k = 0; k < i; k++)
		if (!strcasecmp(in[k].name, name) && strcmp(in[k].name, name))
			return hwf_err_set(
			    e, HWF_EINVAL,
			    "entry names %s and %s differ only in case: readers "
			    "take them for one name; spell them alike to make pieces "
			    "of one entry",
			    in[k].name, name);
	return 0;
}

int hwf_pack_check_names(const struct hwf_pack_input *in, size_t n, struct hwf_err *e)
{
	for (size_t i = 0; i < n; i++) {
		int rc = hwf_pack_check_name(in, i, e);

		if (rc)
			return rc;
	}
	return 0;
}

/* An unnamed file in @dir: O_TMPFILE, or where the file system lacks it, one removed at once. */
static int unnamed_file(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0) {
		char tmpl[HWF_PATH_MAX + 32];

		snprintf(tmpl, sizeof(tmpl), "%.4095s/.hwflash-pipe.XXXXXX", dir);
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmpl);
	}
	return fd;
}

/*
 * Read the pipe @in once into an unnamed temporary file in @dir.  One 1 MiB
 * buffer; stops past what an entry can hold (4 GiB - 1) instead of filling
 * the disk.
 */
static int spool_pipe(int in, const char *path, const char *dir, int *out, struct hwf_err *e)
{
	const size_t bufsz = 1u << 20;
	uint8_t *buf = malloc(bufsz);
	uint64_t total = 0;
	int fd, rc = 0;

	*out = -1;
	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	fd = unnamed_file(dir);
	if (fd < 0) {
		rc = hwf_err_set(e, HWF_EIO, "%s is a pipe; cannot make a copy of it in %s: %s",
				 path, dir, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n = read(in, buf, bufsz), off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = hwf_err_set(e, HWF_EIO, "%s: read error after %llu bytes: %s", path,
					 (unsigned long long)total, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > UINT32_MAX) {
			rc = hwf_err_set(e, HWF_EINVAL,
					 "%s gave more than 4 GiB - 1 bytes, more than an entry "
					 "can hold",
					 path);
			break;
		}
		while (off < n) {
			ssize_t m = write(fd, buf + off, (size_t)(n - off));

			if (m < 0 && errno == EINTR)
				continue;
			if (m < 0) {
				rc = hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
						 "%s is a pipe; copying it into %s: %s", path, dir,
						 strerror(errno));
				break;
			}
			off += m;
		}
		if (rc)
			break;
	}
out:
	free(buf);
	if (rc && fd >= 0)
		close(fd);
	else
		*out = fd;
	return rc;
}

int hwf_pack_open_input(const char *path, const char *spool_dir, struct hwf_source **src,
			int *is_pipe, struct hwf_err *e)
{
	struct stat st;
	int fd, copy, rc;

	*is_pipe = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hwf_err_set(e, errno == EACCES ? HWF_EACCES : HWF_EIO, "%s: %s", path,
				   strerror(errno));
	if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
		*is_pipe = 1;
		rc = spool_pipe(fd, path, spool_dir, &copy, e);
		close(fd);
		if (rc)
			return rc;
		fd = copy;
	}
	return hwf_source_open_fd(src, fd, path, e);
}

/* Open every input; an empty one is refused unless allow_empty. */
static int open_inputs(const struct hwf_pack_input *in, size_t n, const struct hwf_pack_opts *o,
		       const char *spool_dir, struct hwf_app_pack_item *items, struct hwf_err *e)
{
	char msg[HWF_ERR_MSG_MAX + 200];

	for (size_t i = 0; i < n; i++) {
		int is_pipe, rc;

		items[i].name = in[i].name;
		rc = hwf_pack_open_input(in[i].path, spool_dir, &items[i].src, &is_pipe, e);
		if (rc) {
			hwf_err_prefix(e, "%s=%s", in[i].name, in[i].path);
			return rc;
		}
		if (hwf_source_size(items[i].src))
			continue;
		/* Almost always a download or copy that failed; never silently. */
		if (!o->allow_empty)
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s=%s: %s (0 bytes): an empty %s entry is not packed "
					   "(--allow-empty packs it anyway)",
					   in[i].name, in[i].path,
					   is_pipe ? "the pipe gave no data" : "the file is empty",
					   in[i].name);
		snprintf(msg, sizeof(msg),
			 "%s=%s: empty (0 bytes), packed as an empty entry (--allow-empty)",
			 in[i].name, in[i].path);
		tell(o, HWF_PEV_WARN, msg);
	}
	return 0;
}

int hwf_pack_verify_file(const char *path, hwf_progress_fn progress, void *pctx,
			 struct hwf_err *e)
{
	struct hwf_app_check res = { 0 };
	struct hwf_source *src;
	struct hwf_app *app;
	int rc;

	rc = hwf_source_open_file(&src, path, e);
	if (rc)
		return rc;
	rc = hwf_app_open(&app, src, e);
	if (!rc) {
		rc = hwf_app_verify(app, NULL, 0, &res, progress, pctx, e);
		if (!rc && !res.ok) {
			const char *why = res.crc_entry_msg;
			size_t bad = 0;

			for (size_t i = 0; i < hwf_app_count(app); i++)
				if (!hwf_app_entry_ok(&res.entries[i]) && (bad = i + 1))
					break;
			if (bad)
				why = res.entries[bad - 1].msg;
			rc = hwf_err_set(e, HWF_ECRC,
					 "%s: the written package does not verify%s%s%s%s", path,
					 bad ? ": entry " : why[0] ? ": " : "",
					 bad ? hwf_app_entry(app, bad - 1)->name : "", bad ? " " : "",
					 why);
		}
		if (res.entries)
			hwf_app_check_free(&res);
		hwf_app_close(app);
	}
	hwf_source_close(src);
	return rc;
}

int hwf_pack_write_verified(const struct hwf_pack_sink *s, struct hwf_err *e)
{
	struct hwf_outfile f;
	int rc;

	rc = hwf_outfile_create(&f, s->out, 0, s->files, e);
	if (rc)
		return rc;
	if (s->step)
		s->step(s->ctx, s->label);
	rc = s->write(s->wctx, f.fd, e);
	if (s->step)
		s->step(s->ctx, NULL);
	if (rc)
		hwf_outfile_discard(&f);
	else
		rc = hwf_outfile_close(&f, HWF_OUTFILE_SYNC, e);
	if (!rc) {
		if (s->step)
			s->step(s->ctx, "verifying");
		rc = hwf_pack_verify_file(f.tmp, s->progress, s->pctx, e);
		if (s->step)
			s->step(s->ctx, NULL);
		if (rc)
			hwf_outfile_discard(&f);
	}
	if (!rc)
		rc = hwf_outfile_place(&f, s->force ? 0 : HWF_OUTFILE_NOREPLACE, e);
	if (rc && e) {
		char why[HWF_ERR_MSG_MAX];

		memcpy(why, e->msg, sizeof(why));
		hwf_err_set(e, rc, "%s; %s not written", why, s->out);
	}
	return rc;
}

struct pack_write {
	const struct hwf_app_pack_item *items;
	size_t n;
	const struct hwf_pack_opts *o;
};

static int pack_write(void *ctx, int fd, struct hwf_err *e)
{
	struct pack_write *w = ctx;
	const struct hwf_pack_opts *o = w->o;
	struct hwf_app_pack_opts po = { o->hwid, o->date, o->time, o->crc_entry };

	return hwf_app_pack(fd, w->items, w->n, &po, o->progress, o->ctx, e);
}

static void pack_step(void *ctx, const char *label)
{
	tell(ctx, label ? HWF_PEV_STEP : HWF_PEV_STEP_END, label);
}

/* Pack, sync, verify, rename: OUT appears complete and verified, or not at all. */
static int write_package(const struct hwf_app_pack_item *items, size_t n,
			 const struct hwf_pack_opts *o, struct hwf_err *e)
{
	struct pack_write w = { items, n, o };
	struct hwf_pack_sink s = { o->out,	o->force,  o->files,	  "packing", pack_write,
				   &w,		pack_step, (void *)o, o->progress, o->ctx };

	return hwf_pack_write_verified(&s, e);
}

int hwf_pack_run(const struct hwf_pack_input *in, size_t n, const struct hwf_pack_opts *o,
		 struct hwf_pack_result *res, struct hwf_err *e)
{
	struct hwf_app_pack_item *items = NULL;
	char spool_dir[HWF_PATH_MAX], *slash;
	struct stat st;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = hwf_pack_check_names(in, n, e);
	if (rc)
		return rc;
	if (!o->force && lstat(o->out, &st) == 0)
		return hwf_err_set(e, HWF_EEXIST, "%s: exists; not replaced (use --force)", o->out);
	items = calloc(n ? n : 1, sizeof(*items));
	if (!items)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	/* Pipes are copied next to the output: the folder that will hold the package. */
	snprintf(spool_dir, sizeof(spool_dir), "%s", o->out);
	slash = strrchr(spool_dir, '/');
	if (!slash)
		snprintf(spool_dir, sizeof(spool_dir), ".");
	else
		slash[slash == spool_dir] = '\0';
	rc = open_inputs(in, n, o, spool_dir, items, e);
	if (!rc)
		rc = write_package(items, n, o, e);
	if (!rc) {
		res->size = stat(o->out, &st) == 0 ? (uint64_t)st.st_size : 0;
		res->entries = n + (o->crc_entry ? 1 : 0);
		for (size_t i = 0; i < n; i++)
			if (hwf_app_kind_of(items[i].name, items[i].seq) == HWF_APP_SIGNATURE)
				res->has_signature = 1;
	}
	for (size_t i = 0; i < n; i++)
		hwf_source_close(items[i].src);
	free(items);
	return rc;
}
