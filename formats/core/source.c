// SPDX-License-Identifier: MIT
#include "formats/core/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/zip.h"

enum src_kind { SRC_FILE, SRC_WINDOW, SRC_STREAM, SRC_MEM, SRC_CB, SRC_CONCAT };

struct hwf_source {
	enum src_kind kind;
	char *name;
	uint64_t size;
	/* SRC_FILE */
	int fd;
	/* SRC_WINDOW: [base, base + size) of parent */
	struct hwf_source *parent;
	uint64_t base;
	/* SRC_MEM */
	const uint8_t *mem;
	/* SRC_CB, SRC_STREAM (@stream_read: short reads at the end) */
	hwf_source_read_fn cb;
	int64_t (*stream_read)(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e);
	void *cb_ctx;
	void (*release)(void *ctx);	/* SRC_STREAM: frees cb_ctx on close */
	struct hwf_source *owned;	/* closed with this source (hwf_source_own) */
	/* SRC_CONCAT: @nparts borrowed sources one after the other */
	struct hwf_source **parts;
	size_t nparts;
};

static struct hwf_source *src_new(enum src_kind kind, const char *name)
{
	struct hwf_source *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->kind = kind;
	s->fd = -1;
	s->name = strdup(name);
	if (!s->name) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * What a file that is not a regular file or a block device is, for the one
 * line that refuses it; NULL for the kinds that can be read as a source.
 */
static const char *not_a_file(mode_t mode)
{
	if (S_ISDIR(mode))
		return "is a folder, not a file";
	if (S_ISFIFO(mode))
		return "is a pipe, not a file: hwflash reads its input more than once and must "
		       "know its size first; save it to a file and give that";
	if (S_ISSOCK(mode))
		return "is a socket, not a file: save what it sends to a file and give that";
	if (S_ISCHR(mode))
		return "is a character device (a terminal, /dev/zero ...), not a file";
	if (!S_ISREG(mode) && !S_ISBLK(mode))
		return "is not a regular file";
	return NULL;
}

int hwf_source_open_fd(struct hwf_source **out, int fd, const char *name, struct hwf_err *e)
{
	struct hwf_source *s;
	const char *why;
	struct stat st;

	*out = NULL;
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		return hwf_err_set(e, HWF_EIO, "%s: %s", name, strerror(err));
	}
	why = not_a_file(st.st_mode);
	if (why) {
		close(fd);
		return hwf_err_set(e, S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
						  S_ISCHR(st.st_mode)
					  ? HWF_EUNSUPPORTED
					  : HWF_EINVAL,
				   "%s %s", name, why);
	}
	s = src_new(SRC_FILE, name);
	if (!s) {
		close(fd);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	s->fd = fd;
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);

		s->size = end > 0 ? (uint64_t)end : 0;
	} else {
		s->size = (uint64_t)st.st_size;
	}
	*out = s;
	return 0;
}

int hwf_source_open_file(struct hwf_source **out, const char *path, struct hwf_err *e)
{
	struct stat st;
	int fd;

	*out = NULL;
	/* A FIFO would block open() until a writer comes: look before opening. */
	if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
		return hwf_err_set(e, HWF_EUNSUPPORTED, "%s %s", path, not_a_file(st.st_mode));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hwf_err_set(e, errno == EACCES ? HWF_EACCES : HWF_EIO, "%s: %s", path,
				   strerror(errno));
	return hwf_source_open_fd(out, fd, path, e);
}

int hwf_source_open_mem(struct hwf_source **out, const void *buf, size_t len, const char *name,
			struct hwf_err *e)
{
	struct hwf_source *s = src_new(SRC_MEM, name);

	*out = NULL;
	if (!s)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	s->mem = buf;
	s->size = len;
	*out = s;
	return 0;
}

int hwf_source_open_callback(struct hwf_source **out, uint64_t size, const char *name,
			     hwf_source_read_fn read, void *ctx, struct hwf_err *e)
{
	struct hwf_source *s = src_new(SRC_CB, name);

	*out = NULL;
	if (!s)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	s->cb = read;
	s->cb_ctx = ctx;
	s->size = size;
	*out = s;
	return 0;
}

int hwf_source_open_window(struct hwf_source **out, struct hwf_source *parent, uint64_t off,
			   uint64_t size, const char *name, struct hwf_err *e)
{
	struct hwf_source *s;

	*out = NULL;
	if (off > parent->size || size > parent->size - off)
		return hwf_err_set(e, HWF_ETRUNC,
				   "%s: %s needs bytes up to %llu, the file has %llu", parent->name,
				   name, (unsigned long long)off + size,
				   (unsigned long long)parent->size);
	s = src_new(SRC_WINDOW, name);
	if (!s)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	s->parent = parent;
	s->base = off;
	s->size = size;
	*out = s;
	return 0;
}

int hwf_source_open_stream(struct hwf_source **out, uint64_t size, const char *name,
			   int64_t (*read)(void *ctx, void *buf, size_t len, uint64_t off,
					   struct hwf_err *e),
			   void (*release)(void *ctx), void *ctx, struct hwf_err *e)
{
	struct hwf_source *s = src_new(SRC_STREAM, name);

	*out = NULL;
	if (!s) {
		if (release)
			release(ctx);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	s->size = size;
	s->stream_read = read;
	s->release = release;
	s->cb_ctx = ctx;
	*out = s;
	return 0;
}

int hwf_source_open_concat(struct hwf_source **out, struct hwf_source *const *parts, size_t n,
			   const char *name, struct hwf_err *e)
{
	struct hwf_source *s = src_new(SRC_CONCAT, name);

	*out = NULL;
	if (!s || !(s->parts = malloc((n ? n : 1) * sizeof(*s->parts)))) {
		if (s)
			free(s->name);
		free(s);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		s->parts[i] = parts[i];
		s->size += hwf_source_size(parts[i]);
	}
	s->nparts = n;
	*out = s;
	return 0;
}

/* SRC_CONCAT: the parts' bytes at @off, part after part. */
static int64_t concat_pread(struct hwf_source *s, uint8_t *buf, size_t len, uint64_t off,
			    struct hwf_err *e)
{
	size_t done = 0;

	for (size_t i = 0; i < s->nparts && done < len; i++) {
		uint64_t sz = hwf_source_size(s->parts[i]);
		int64_t n;

		if (off >= sz) {
			off -= sz;
			continue;
		}
		n = hwf_source_pread(s->parts[i], buf + done, len - done, off, e);
		if (n < 0)
			return n;
		done += (size_t)n;
		if ((uint64_t)n < sz - off && done < len)
			break; /* a part shorter than it said */
		off = 0;
	}
	return (int64_t)done;
}

void hwf_source_own(struct hwf_source *s, struct hwf_source *other)
{
	s->owned = other;
}

int64_t hwf_source_pread(struct hwf_source *s, void *buf, size_t len, uint64_t off,
			 struct hwf_err *e)
{
	size_t done = 0;

	if (off >= s->size)
		return 0;
	if (len > s->size - off)
		len = (size_t)(s->size - off);
	switch (s->kind) {
	case SRC_WINDOW:
		return hwf_source_pread(s->parent, buf, len, s->base + off, e);
	case SRC_STREAM:
		return s->stream_read(s->cb_ctx, buf, len, off, e);
	case SRC_CONCAT:
		return concat_pread(s, buf, len, off, e);
	case SRC_MEM:
		memcpy(buf, s->mem + off, len);
		return (int64_t)len;
	case SRC_CB: {
		int rc = s->cb(s->cb_ctx, buf, len, off, e);

		return rc ? rc : (int64_t)len;
	}
	case SRC_FILE:
		break;
	}
	while (done < len) {
		ssize_t n = pread(s->fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return hwf_err_set(e, HWF_EIO, "%s: read error at byte %llu: %s", s->name,
					   (unsigned long long)(off + done), strerror(errno));
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (int64_t)done;
}

int hwf_source_read_exact(struct hwf_source *s, void *buf, size_t len, uint64_t off,
			  struct hwf_err *e)
{
	int64_t n = hwf_source_pread(s, buf, len, off, e);

	if (n < 0)
		return (int)n;
	if ((size_t)n != len)
		return hwf_err_set(e, HWF_ETRUNC, "%s: ends at byte %llu, needed %llu", s->name,
				   (unsigned long long)(off + (uint64_t)n),
				   (unsigned long long)(off + len));
	return 0;
}

uint64_t hwf_source_size(const struct hwf_source *s)
{
	return s->size;
}

const char *hwf_source_name(const struct hwf_source *s)
{
	return s->name;
}

int hwf_source_random_access(const struct hwf_source *s)
{
	if (s->kind == SRC_WINDOW)
		return hwf_source_random_access(s->parent);
	if (s->kind == SRC_CONCAT) {
		for (size_t i = 0; i < s->nparts; i++)
			if (!hwf_source_random_access(s->parts[i]))
				return 0;
		return 1;
	}
	return s->kind == SRC_FILE || s->kind == SRC_MEM || s->kind == SRC_CB;
}

int hwf_source_fd(const struct hwf_source *s, uint64_t *base)
{
	uint64_t b = 0;

	while (s->kind == SRC_WINDOW) {
		b += s->base;
		s = s->parent;
	}
	if (s->kind != SRC_FILE)
		return -1;
	if (base)
		*base = b;
	return s->fd;
}

void hwf_source_close(struct hwf_source *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	if (s->release)
		s->release(s->cb_ctx);
	hwf_source_close(s->owned);
	free(s->parts);
	free(s->name);
	free(s);
}
