// SPDX-License-Identifier: MIT
/*
 * Zip members inflated once: a deflated member's bytes are kept, as far as
 * they have been read, in an unlinked temporary file; reads below that mark
 * come from the file, reads past it inflate forwards (never backwards, so
 * the stream never restarts).  See zip_members.h.
 */
#include "formats/core/zip_members.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/core/zip.h"

#define CHUNK (1u << 20) /* inflated ahead of a read that starts past the mark */
#define BLOCK 4096u	 /* zero blocks of this size become holes */

struct member {
	struct hwf_zip_members *zm;
	char *name, *label;
	struct hwf_zip_entry ent; /* ent.name is not kept */
	uint64_t data_off;
	struct hwf_zip_stream *zs; /* while inflating */
	uint8_t *chunk;		   /* while inflating */
	int fd;			   /* the temporary file, -1 before the first read */
	uint64_t have;		   /* bytes inflated and kept */
	struct hwf_err err;	   /* a failed inflation, returned again on every read */
	uint64_t passes, inflated, written;
	double seconds;
};

struct hwf_zip_members {
	char *path, *tmpdir;
	struct hwf_source *file;
	int own_file; /* 0: the zip's source is the caller's (hwf_zip_members_open_source) */
	struct hwf_zip *zip;
	struct member **m;
	size_t n, cap;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int members_new(struct hwf_zip_members **out, const char *label, const char *tmpdir,
		       struct hwf_err *e)
{
	struct hwf_zip_members *zm;

	*out = NULL;
	if (!tmpdir || !*tmpdir)
		tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	zm = calloc(1, sizeof(*zm));
	if (!zm)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	zm->path = strdup(label);
	zm->tmpdir = strdup(tmpdir);
	if (!zm->path || !zm->tmpdir) {
		hwf_zip_members_close(zm);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	*out = zm;
	return 0;
}

int hwf_zip_members_open(struct hwf_zip_members **out, const char *zip_path, const char *tmpdir,
			 struct hwf_err *e)
{
	struct hwf_zip_members *zm;
	int rc = members_new(&zm, zip_path, tmpdir, e);

	*out = NULL;
	if (rc)
		return rc;
	zm->own_file = 1;
	rc = hwf_source_open_file(&zm->file, zip_path, e);
	if (!rc)
		rc = hwf_zip_open(&zm->zip, zm->file, e);
	if (rc) {
		hwf_zip_members_close(zm);
		return rc;
	}
	*out = zm;
	return 0;
}

int hwf_zip_members_open_source(struct hwf_zip_members **out, struct hwf_source *zip,
				const char *label, const char *tmpdir, struct hwf_err *e)
{
	struct hwf_zip_members *zm;
	int rc = members_new(&zm, label, tmpdir, e);

	*out = NULL;
	if (rc)
		return rc;
	zm->file = zip;
	rc = hwf_zip_open(&zm->zip, zm->file, e);
	if (rc) {
		hwf_zip_members_close(zm);
		return rc;
	}
	*out = zm;
	return 0;
}

/* The temporary file: never linked (O_TMPFILE), else unlinked at once. */
static int spool_open(struct member *m, struct hwf_err *e)
{
	const char *dir = m->zm->tmpdir;
	char path[4096];
	int fd, err;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* Not every file system has O_TMPFILE. */
		if (snprintf(path, sizeof(path), "%s/hwflash-inflate-XXXXXX", dir) >=
		    (int)sizeof(path))
			return hwf_err_set(e, HWF_EINVAL, "%s: temporary folder name too long",
					   dir);
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0) {
		err = errno;
		return hwf_err_set(e, err == ENOSPC || err == EDQUOT ? HWF_ENOSPC : HWF_EIO,
				   "%s: cannot make a temporary file in %s to inflate %s into: %s "
				   "(set TMPDIR to a writable folder)",
				   m->zm->path, dir, m->name, strerror(err));
	}
	if (ftruncate(fd, (off_t)m->ent.usize) < 0) {
		err = errno;
		close(fd);
		return hwf_err_set(
		    e, err == ENOSPC || err == EDQUOT || err == EFBIG ? HWF_ENOSPC : HWF_EIO,
		    "%s: %s inflates to %llu bytes, more than a file in %s can "
		    "hold: %s (set TMPDIR to a folder with room)",
		    m->zm->path, m->name, (unsigned long long)m->ent.usize, dir, strerror(err));
	}
	m->fd = fd;
	return 0;
}

static int write_all(struct member *m, const uint8_t *p, size_t len, uint64_t at, struct hwf_err *e)
{
	while (len) {
		ssize_t n = pwrite(m->fd, p, len, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : ENOSPC;

			return hwf_err_set(
			    e, err == ENOSPC || err == EDQUOT ? HWF_ENOSPC : HWF_EIO,
			    "%s: %s: cannot keep its inflated bytes in %s: %s at byte %llu of "
			    "%llu (set TMPDIR to a folder with room)",
			    m->zm->path, m->name, m->zm->tmpdir, strerror(err),
			    (unsigned long long)at, (unsigned long long)m->ent.usize);
		}
		p += n;
		len -= (size_t)n;
		at += (uint64_t)n;
		m->written += (uint64_t)n;
	}
	return 0;
}

static int all_zero(const uint8_t *p, size_t len)
{
	static const uint8_t zeros[BLOCK];

	return !memcmp(p, zeros, len);
}

/* Append @len inflated bytes at the mark; blocks of zeros stay holes. */
static int keep(struct member *m, const uint8_t *p, size_t len, struct hwf_err *e)
{
	uint64_t at = m->have;
	size_t i = 0, run = 0;
	int rc;

	while (i < len) {
		size_t n = BLOCK - (size_t)((at + i) % BLOCK);

		if (n > len - i)
			n = len - i;
		if (!all_zero(p + i, n)) {
			run += n;
		} else if (run) {
			rc = write_all(m, p + i - run, run, at + i - run, e);
			if (rc)
				return rc;
			run = 0;
		}
		i += n;
	}
	if (run) {
		rc = write_all(m, p + len - run, run, at + len - run, e);
		if (rc)
			return rc;
	}
	m->have += len;
	return 0;
}

/* Inflate @len bytes at the mark into @buf and keep them. */
static int inflate_more(struct member *m, uint8_t *buf, size_t len, struct hwf_err *e)
{
	int64_t n = hwf_zip_stream_read(m->zs, buf, len, m->have, e);

	if (n < 0)
		return (int)n;
	if ((size_t)n != len)
		return hwf_err_set(e, HWF_EFORMAT, "%s: inflating stopped at byte %llu of %llu",
				   m->label, (unsigned long long)(m->have + (uint64_t)n),
				   (unsigned long long)m->ent.usize);
	return keep(m, buf, len, e);
}

static void stream_done(struct member *m)
{
	if (m->zs)
		hwf_zip_stream_counts(m->zs, &m->passes, &m->inflated);
	hwf_zip_stream_close(m->zs);
	free(m->chunk);
	m->zs = NULL;
	m->chunk = NULL;
}

/* Inflate up to @off + @len, the request's own bytes straight into @buf + (have - off). */
static int extend(struct member *m, uint8_t *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	int rc = 0;

	if (m->fd < 0) {
		rc = spool_open(m, e);
		if (!rc)
			rc = hwf_zip_stream_open(&m->zs, m->zm->file, &m->ent, m->data_off,
						 m->label, e);
		if (rc)
			return rc;
	}
	if (m->have < off && !m->chunk && !(m->chunk = malloc(CHUNK)))
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	while (!rc && m->have < off)
		rc = inflate_more(m, m->chunk,
				  off - m->have < CHUNK ? (size_t)(off - m->have) : CHUNK, e);
	if (!rc)
		rc = inflate_more(m, buf + (m->have - off), (size_t)(off + len - m->have), e);
	if (!rc && m->have == m->ent.usize)
		stream_done(m);
	return rc;
}

static int64_t member_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	struct member *m = ctx;
	size_t from_file = len;
	size_t done = 0;

	if (m->err.code) {
		if (e)
			*e = m->err;
		return m->err.code;
	}
	if (off + len > m->have) {
		double t0 = now();
		int rc;

		from_file = off < m->have ? (size_t)(m->have - off) : 0;
		rc = extend(m, buf, len, off, &m->err);
		m->seconds += now() - t0;
		if (rc) {
			/* Sticky: the member is not inflated again, its file not kept. */
			m->err.code = rc;
			stream_done(m);
			if (m->fd >= 0)
				close(m->fd);
			m->fd = -1;
			if (e)
				*e = m->err;
			return rc;
		}
	}
	while (done < from_file) {
		ssize_t n =
		    pread(m->fd, (uint8_t *)buf + done, from_file - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hwf_err_set(
			    e, HWF_EIO, "%s: reading back its inflated bytes in %s: %s", m->label,
			    m->zm->tmpdir, n < 0 ? strerror(errno) : "the file is shorter");
		done += (size_t)n;
	}
	return (int64_t)len;
}

static void member_free(struct member *m)
{
	if (!m)
		return;
	stream_done(m);
	if (m->fd >= 0)
		close(m->fd);
	free(m->name);
	free(m->label);
	free(m);
}

/* The record of @member: found, or read from the central directory. */
static int member_get(struct hwf_zip_members *zm, const char *member, struct member **out,
		      struct hwf_err *e)
{
	struct member *m;
	int rc;

	for (size_t i = 0; i < zm->n; i++)
		if (!strcmp(zm->m[i]->name, member)) {
			*out = zm->m[i];
			return 0;
		}
	if (zm->n == zm->cap) {
		size_t cap = zm->cap ? 2 * zm->cap : 8;
		struct member **p = realloc(zm->m, cap * sizeof(*p));

		if (!p)
			return hwf_err_set(e, HWF_ENOMEM, "out of memory");
		zm->m = p;
		zm->cap = cap;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	m->zm = zm;
	m->fd = -1;
	m->name = strdup(member);
	m->label = malloc(strlen(zm->path) + strlen(member) + 2);
	if (!m->name || !m->label) {
		member_free(m);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	sprintf(m->label, "%s:%s", zm->path, member);
	rc = hwf_zip_find(zm->zip, member, &m->ent, e);
	if (!rc && (m->ent.flags & 1))
		rc = hwf_err_set(e, HWF_EUNSUPPORTED, "%s: %s is encrypted", zm->path, member);
	if (!rc && m->ent.method != 0 && m->ent.method != 8)
		rc = hwf_err_set(e, HWF_EUNSUPPORTED,
				 "%s: %s uses compression method %u (only stored and deflated "
				 "are supported)",
				 zm->path, member, m->ent.method);
	if (!rc)
		rc = hwf_zip_data_offset(zm->zip, &m->ent, &m->data_off, e);
	if (rc) {
		member_free(m);
		return rc;
	}
	m->ent.name = NULL;
	zm->m[zm->n++] = m;
	*out = m;
	return 0;
}

int hwf_zip_members_source(struct hwf_zip_members *zm, const char *member, struct hwf_source **out,
			   struct hwf_err *e)
{
	struct member *m = NULL;
	int rc;

	*out = NULL;
	rc = member_get(zm, member, &m, e);
	if (rc)
		return rc;
	if (m->ent.method == 0)
		return hwf_source_open_window(out, zm->file, m->data_off, m->ent.usize, m->label,
					      e);
	return hwf_source_open_stream(out, m->ent.usize, m->label, member_read, NULL, m, e);
}

size_t hwf_zip_members_count(const struct hwf_zip_members *zm)
{
	return zm->n;
}

void hwf_zip_members_stats(const struct hwf_zip_members *zm, size_t i,
			   struct hwf_zip_member_stats *st)
{
	const struct member *m = zm->m[i];

	memset(st, 0, sizeof(*st));
	st->name = m->name;
	st->deflated = m->ent.method == 8;
	st->size = m->ent.usize;
	st->passes = m->passes;
	st->inflated = m->inflated;
	if (m->zs)
		hwf_zip_stream_counts(m->zs, &st->passes, &st->inflated);
	st->written = m->written;
	st->seconds = m->seconds;
}

const char *hwf_zip_members_tmpdir(const struct hwf_zip_members *zm)
{
	return zm->tmpdir;
}

void hwf_zip_members_close(struct hwf_zip_members *zm)
{
	if (!zm)
		return;
	for (size_t i = 0; i < zm->n; i++)
		member_free(zm->m[i]);
	free(zm->m);
	hwf_zip_close(zm->zip);
	if (zm->own_file)
		hwf_source_close(zm->file);
	free(zm->path);
	free(zm->tmpdir);
	free(zm);
}
