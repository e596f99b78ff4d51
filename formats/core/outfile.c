// SPDX-License-Identifier: MIT
#include "formats/core/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int io_code(int err)
{
	return err == ENOSPC ? HWF_ENOSPC : HWF_EIO;
}

static int do_mkstemp(const struct hwf_file_hooks *h, char *tmpl)
{
	return h && h->mkstemp ? h->mkstemp(h->ctx, tmpl) : mkostemp(tmpl, O_CLOEXEC);
}

static int do_rename(const struct hwf_file_hooks *h, const char *from, const char *to)
{
	return h && h->rename ? h->rename(h->ctx, from, to) : rename(from, to);
}

static void do_forget(const struct hwf_file_hooks *h, const char *path)
{
	if (h && h->forget)
		h->forget(h->ctx, path);
}

int hwf_outfile_create(struct hwf_outfile *f, const char *path, unsigned flags,
		       const struct hwf_file_hooks *hooks, struct hwf_err *e)
{
	const char *slash = strrchr(path, '/');
	char dir[HWF_PATH_MAX];
	int n;

	f->hooks = hooks;
	f->fd = -1;
	f->tmp[0] = '\0';
	if (strlen(path) >= sizeof(f->path))
		return hwf_err_set(e, HWF_EINVAL, "%.60s...: name too long", path);
	snprintf(f->path, sizeof(f->path), "%s", path);
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (flags & HWF_OUTFILE_HIDDEN)
		n = snprintf(f->tmp, sizeof(f->tmp), "%s%s.%s.partial.XXXXXX", slash ? dir : "",
			     slash && slash != path ? "/" : "", slash ? slash + 1 : path);
	else
		n = snprintf(f->tmp, sizeof(f->tmp), "%s.partial.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(f->tmp)) {
		f->tmp[0] = '\0';
		return hwf_err_set(e, HWF_EINVAL, "%.60s...: name too long", path);
	}
	f->fd = do_mkstemp(hooks, f->tmp);
	if (f->fd < 0) {
		int err = errno;

		f->tmp[0] = '\0';
		return hwf_err_set(e, io_code(err), "%s: cannot create a file there: %s", dir,
				   strerror(err));
	}
	fchmod(f->fd, 0644);
	return 0;
}

void hwf_outfile_discard(struct hwf_outfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp[0]) {
		unlink(f->tmp);
		do_forget(f->hooks, f->tmp);
		f->tmp[0] = '\0';
	}
}

int hwf_outfile_close(struct hwf_outfile *f, unsigned flags, struct hwf_err *e)
{
	int rc = 0, fd = f->fd;

	f->fd = -1;
	if ((flags & HWF_OUTFILE_SYNC) && fsync(fd) < 0)
		rc = hwf_err_set(e, io_code(errno), "%s: %s", f->path, strerror(errno));
	if (close(fd) < 0 && !rc)
		rc = hwf_err_set(e, io_code(errno), "%s: %s", f->path, strerror(errno));
	if (rc)
		hwf_outfile_discard(f);
	return rc;
}

int hwf_outfile_place(struct hwf_outfile *f, unsigned flags, struct hwf_err *e)
{
	struct stat st;
	int rc;

	if ((flags & HWF_OUTFILE_NOREPLACE) && lstat(f->path, &st) == 0) {
		rc = hwf_err_set(e, HWF_EEXIST, "%s: exists; not replaced (use --force)", f->path);
		goto fail;
	}
#ifdef RENAME_NOREPLACE
	/* The look above can race with another writer; the kernel's check cannot. */
	if (flags & HWF_OUTFILE_NOREPLACE) {
		if (renameat2(AT_FDCWD, f->tmp, AT_FDCWD, f->path, RENAME_NOREPLACE) == 0) {
			do_forget(f->hooks, f->tmp);
			f->tmp[0] = '\0';
			return 0;
		}
		if (errno == EEXIST) {
			rc = hwf_err_set(e, HWF_EEXIST, "%s: exists; not replaced (use --force)",
					 f->path);
			goto fail;
		}
		if (errno != EINVAL && errno != ENOSYS) {
			rc = hwf_err_set(e, HWF_EIO, "%s: %s", f->path, strerror(errno));
			goto fail;
		}
	}
#endif
	if (do_rename(f->hooks, f->tmp, f->path) < 0) {
		rc = hwf_err_set(e, HWF_EIO, "%s: %s", f->path, strerror(errno));
		goto fail;
	}
	f->tmp[0] = '\0';
	return 0;
fail:
	hwf_outfile_discard(f);
	return rc;
}

int hwf_outfile_commit(struct hwf_outfile *f, unsigned flags, struct hwf_err *e)
{
	int rc = hwf_outfile_close(f, flags, e);

	return rc ? rc : hwf_outfile_place(f, flags, e);
}

int hwf_mkdirs(const char *dir, struct hwf_err *e)
{
	char buf[HWF_PATH_MAX];
	size_t len = strlen(dir);
	struct stat st;

	if (!len)
		return hwf_err_set(e, HWF_EINVAL, "an empty folder name");
	if (len >= sizeof(buf))
		return hwf_err_set(e, HWF_EINVAL, "%.60s...: folder name too long", dir);
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1;; p++) {
		char ch = *p;

		if (ch != '/' && ch != '\0')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return hwf_err_set(e, io_code(errno), "%s: cannot create: %s", buf,
					   strerror(errno));
		*p = ch;
		if (!ch)
			break;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return hwf_err_set(e, HWF_EIO, "%s: not a folder", dir);
	return 0;
}
