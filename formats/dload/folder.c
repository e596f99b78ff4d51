// SPDX-License-Identifier: MIT
/*
 * A mounted card's folder as TARGET: FAT32 only (unless force); every file
 * goes to dload/.NAME.partial, is fsync'ed, read back past the page cache
 * and verified; only when all are good are they renamed into place and the
 * folders fsync'ed.  What was on the card stays untouched until then.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/text.h"
#include "formats/dload/dload_int.h"

int hwf_dl_folder_check(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
			const struct hwf_dload_cb *cb, struct hwf_err *e)
{
	struct hwf_dl_fs fs;
	int rc;

	if (hwf_dl_statfs(t->path, &fs))
		return hwf_err_set(e, HWF_EIO, "%s: %s", t->path, strerror(errno));
	if (!fs.is_fat32) {
		if (!t->force)
			return hwf_err_set(e, HWF_EUNSUPPORTED,
					   "%s is on %s, not FAT32: phones read dload only from "
					   "FAT32 (format the card FAT32, or --force)",
					   t->path, fs.name);
		hwf_dl_event(cb, HWF_DLOAD_EV_WARNING, "--force: %s is on %s, not FAT32", t->path,
			     fs.name);
	}
	rc = hwf_dl_too_big(p, e);
	if (rc)
		return rc;
	/* The old files stay until the new ones are verified: room for both. */
	if (fs.free < p->total + (1u << 20)) {
		char need[32], have[32];

		hwf_size_text(p->total, need, sizeof(need));
		hwf_size_text(fs.free, have, sizeof(have));
		return hwf_err_set(e, HWF_ENOSPC,
				   "%s: %s free, the package needs %s; nothing was "
				   "written",
				   t->path, have, need);
	}
	return 0;
}

static int mkdirs(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *s = tmp + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(tmp, 0755) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

/* Where item @rel goes below @dload: its folder, its final and its .partial name. */
struct names {
	char dir[PATH_MAX], final[PATH_MAX], partial[PATH_MAX];
};

static void split_rel(const char *dload, const char *rel, struct names *n)
{
	const char *slash = strrchr(rel, '/');

	if (slash)
		hwf_dl_say(n->dir, sizeof(n->dir), "%s/%.*s", dload, (int)(slash - rel), rel);
	else
		hwf_dl_say(n->dir, sizeof(n->dir), "%s", dload);
	hwf_dl_say(n->final, sizeof(n->final), "%s/%s", n->dir, slash ? slash + 1 : rel);
	hwf_dl_say(n->partial, sizeof(n->partial), "%s/.%s.partial", n->dir,
		   slash ? slash + 1 : rel);
}

/* Write all of @buf[0..n) to @fd; 0, or a code with @why set. */
static int write_all(int fd, const uint8_t *buf, size_t n, uint64_t off, uint64_t size,
		     const char *dst, char *why, size_t whylen)
{
	ssize_t w = 0;

	for (size_t k = 0; k < n; k += (size_t)w) {
		w = write(fd, buf + k, n - k);
		if (w <= 0) {
			int err = w < 0 ? errno : ENOSPC;

			hwf_dl_say(why, whylen, "%s: %s after %llu of %llu bytes", dst,
				   err == EFBIG ? "file too large for this file system (or a size "
						  "limit)"
						: strerror(err),
				   (unsigned long long)(off + k), (unsigned long long)size);
			return err == ENOSPC || err == EFBIG ? HWF_ENOSPC : HWF_EIO;
		}
	}
	return 0;
}

/* Copy @it to @dst (registered through tmp_add first); fsync; drop it from the page cache. */
static int copy_to(const struct hwf_dload_plan *p, const struct hwf_dload_item *it, const char *dst,
		   uint8_t *buf, const struct hwf_dload_cb *cb, char *why, size_t whylen)
{
	struct hwf_dl_writeback wb;
	struct hwf_source *src;
	struct hwf_err e = {0};
	int fd, rc = 0;

	if (hwf_dl_open_item(p, it, &src, &e)) {
		hwf_dl_say(why, whylen, "%s", e.msg);
		return e.code ? e.code : HWF_EIO;
	}
	/* Known before it exists: an interruption from here on removes it. */
	fd = cb && cb->tmp_add && cb->tmp_add(cb->ctx, dst)
		 ? -1
		 : open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		hwf_dl_say(why, whylen, "%s: %s", dst, strerror(errno));
		hwf_source_close(src);
		return HWF_EIO;
	}
	wb.cb = cb;
	wb.fd = fd;
	wb.last = 0;
	hwf_dl_begin(cb, "copying");
	for (uint64_t off = 0; off < it->size && !rc;) {
		size_t n =
		    it->size - off < HWF_DL_COPY_BUF ? (size_t)(it->size - off) : HWF_DL_COPY_BUF;

		rc = hwf_source_read_exact(src, buf, n, off, &e);
		if (rc) {
			hwf_dl_say(why, whylen, "%s", e.msg);
			break;
		}
		rc = write_all(fd, buf, n, off, it->size, dst, why, whylen);
		if (rc)
			break;
		off += n;
		hwf_dl_writeback_progress(&wb, off, it->size);
	}
	hwf_dl_end(cb);
	if (!rc && fsync(fd)) {
		hwf_dl_say(why, whylen, "%s: %s", dst, strerror(errno));
		rc = HWF_EIO;
	}
	if (!rc)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (close(fd) && !rc) {
		hwf_dl_say(why, whylen, "%s: %s", dst, strerror(errno));
		rc = HWF_EIO;
	}
	hwf_source_close(src);
	return rc;
}

static void forget(const struct hwf_dload_cb *cb, const char *path)
{
	if (cb && cb->tmp_forget)
		cb->tmp_forget(cb->ctx, path);
}

/* Every file to its .partial name, read back and verified. */
static int write_partials(const char *dload, const struct hwf_dload_plan *p,
			  const struct hwf_dload_cb *cb, char *why, size_t whylen)
{
	uint8_t *buf = malloc(HWF_DL_COPY_BUF);
	int rc = 0;

	if (!buf) {
		hwf_dl_say(why, whylen, "out of memory");
		return HWF_ENOMEM;
	}
	for (size_t i = 0; i < p->n && !rc; i++) {
		const struct hwf_dload_item *it = &p->it[i];
		struct hwf_source *copy;
		struct hwf_err e = {0};
		struct names n;

		split_rel(dload, it->rel, &n);
		if (mkdirs(n.dir)) {
			hwf_dl_say(why, whylen, "%s: %s", n.dir, strerror(errno));
			rc = HWF_EIO;
			break;
		}
		hwf_dl_event(cb, HWF_DLOAD_EV_WRITING, "Writing dload/%s (%llu bytes)", it->rel,
			     (unsigned long long)it->size);
		rc = copy_to(p, it, n.partial, buf, cb, why, whylen);
		if (rc) {
			unlink(n.partial);
			forget(cb, n.partial);
			break;
		}
		rc = hwf_source_open_file(&copy, n.partial, &e);
		if (rc) {
			hwf_dl_say(why, whylen, "%s", e.msg);
			break;
		}
		rc = hwf_dl_verify_copy(it, copy, cb, why, whylen);
		hwf_source_close(copy);
		if (rc) {
			char w2[HWF_ERR_MSG_MAX];

			hwf_dl_say(w2, sizeof(w2), "the copy on the card does not verify: %s", why);
			hwf_dl_say(why, whylen, "%s", w2);
		}
	}
	free(buf);
	return rc;
}

int hwf_dl_folder_write(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
			const struct hwf_dload_cb *cb, struct hwf_err *e)
{
	char dload[PATH_MAX], why[HWF_ERR_MSG_MAX] = "";
	int rc;

	if (hwf_dl_find_dload(t->path, dload, sizeof(dload)))
		hwf_dl_say(dload, sizeof(dload), "%s/dload", t->path);
	if (mkdirs(dload))
		return hwf_err_set(e, HWF_EIO, "%s: %s", dload, strerror(errno));
	/* 1. Every file to its .partial name, read back and verified. */
	rc = write_partials(dload, p, cb, why, sizeof(why));
	/* 2. All good: rename into place, then make the folders durable. */
	for (size_t i = 0; !rc && i < p->n; i++) {
		struct names n;

		split_rel(dload, p->it[i].rel, &n);
		if (rename(n.partial, n.final)) {
			hwf_dl_say(why, sizeof(why), "%s: %s", n.final, strerror(errno));
			rc = HWF_EIO;
		} else {
			forget(cb, n.partial);
		}
		hwf_dl_fsync_dir(n.dir);
	}
	if (rc) {
		/* Nothing renamed yet (a rename failure aside): remove what we made. */
		for (size_t i = 0; i < p->n; i++) {
			struct names n;

			split_rel(dload, p->it[i].rel, &n);
			unlink(n.partial);
			forget(cb, n.partial);
		}
		return hwf_err_set(e, rc, "%s; the card's dload/ was left as it was", why);
	}
	hwf_dl_fsync_dir(t->path);
	return 0;
}
