// SPDX-License-Identifier: MIT
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unzip.h>

enum src_kind { SRC_FILE, SRC_WINDOW, SRC_ZIP, SRC_MEM, SRC_CB };

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
	/* SRC_CB */
	hwf_source_read_fn cb;
	void *cb_ctx;
	/* SRC_ZIP (deflated): a stream positioned at pos */
	unzFile zip;
	char *zip_path, *member;
	uint64_t pos;
	struct hwf_source *zip_file;	/* stored member: the window's parent, owned */
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

int hwf_source_open_file(struct hwf_source **out, const char *path, struct hwf_err *e)
{
	struct hwf_source *s;
	struct stat st;
	int fd;

	*out = NULL;
	/* O_NONBLOCK: opening a pipe nobody writes to must not hang (it is refused below). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return hwf_err_set(e, errno == EACCES ? HWF_EACCES : HWF_EIO, "%s: %s", path,
				   strerror(errno));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0 || fstat(fd, &st) < 0) {
		close(fd);
		return hwf_err_set(e, HWF_EIO, "%s: %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return hwf_err_set(e, HWF_EINVAL, "%s: is a folder, not a file", path);
	}
	/* A pipe has no size and cannot be read twice: every check reads before it sends. */
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode)) {
		close(fd);
		return hwf_err_set(e, HWF_EINVAL,
				   "%s: is a %s, not a file: save the data to a file first", path,
				   S_ISCHR(st.st_mode) ? "character device" : "pipe");
	}
	s = src_new(SRC_FILE, path);
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

static int zip_err(struct hwf_err *e, const char *zip, const char *what, int rc)
{
	return hwf_err_set(e, HWF_EFORMAT, "%s: %s (minizip error %d)", zip, what, rc);
}

static int zip_reopen(struct hwf_source *s, struct hwf_err *e)
{
	int rc;

	if (s->zip) {
		unzCloseCurrentFile(s->zip);
		unzClose(s->zip);
	}
	s->zip = unzOpen64(s->zip_path);
	if (!s->zip)
		return hwf_err_set(e, HWF_EIO, "%s: cannot open as zip", s->zip_path);
	rc = unzLocateFile(s->zip, s->member, 1);
	if (rc != UNZ_OK)
		return hwf_err_set(e, HWF_ENOTFOUND, "%s: no member %s", s->zip_path, s->member);
	rc = unzOpenCurrentFile(s->zip);
	if (rc != UNZ_OK)
		return zip_err(e, s->zip_path, "cannot open member", rc);
	s->pos = 0;
	return 0;
}

int hwf_source_open_zip_member(struct hwf_source **out, const char *zip_path, const char *member,
			       struct hwf_err *e)
{
	unz_file_info64 info;
	struct hwf_source *s = NULL;
	char label[1024];
	unzFile z;
	int rc;

	*out = NULL;
	z = unzOpen64(zip_path);
	if (!z) {
		if (access(zip_path, R_OK) != 0)
			return hwf_err_set(e, HWF_EIO, "%s: %s", zip_path, strerror(errno));
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: not a readable zip (no central directory: truncated "
				   "download?)",
				   zip_path);
	}
	rc = unzLocateFile(z, member, 1);
	if (rc != UNZ_OK) {
		unzClose(z);
		return hwf_err_set(e, HWF_ENOTFOUND, "%s: no member %s", zip_path, member);
	}
	rc = unzGetCurrentFileInfo64(z, &info, NULL, 0, NULL, 0, NULL, 0);
	if (rc != UNZ_OK) {
		unzClose(z);
		return zip_err(e, zip_path, "bad central directory entry", rc);
	}
	if (info.flag & 1) {
		unzClose(z);
		return hwf_err_set(e, HWF_EUNSUPPORTED, "%s: %s is encrypted", zip_path, member);
	}
	if (info.compression_method != 0 && info.compression_method != Z_DEFLATED) {
		unzClose(z);
		return hwf_err_set(e, HWF_EUNSUPPORTED,
				   "%s: %s uses compression method %lu (only stored and deflated "
				   "are supported)",
				   zip_path, member, (unsigned long)info.compression_method);
	}
	snprintf(label, sizeof(label), "%s:%s", zip_path, member);
	if (info.compression_method == 0) {
		/* Stored: a plain window on the archive file. */
		struct hwf_source *file;
		uint64_t data_off;

		rc = unzOpenCurrentFile(z);
		if (rc != UNZ_OK) {
			unzClose(z);
			return zip_err(e, zip_path, "cannot open member", rc);
		}
		data_off = unzGetCurrentFileZStreamPos64(z);
		unzCloseCurrentFile(z);
		unzClose(z);
		rc = hwf_source_open_file(&file, zip_path, e);
		if (rc)
			return rc;
		rc = hwf_source_open_window(&s, file, data_off, info.uncompressed_size, label, e);
		if (rc) {
			hwf_source_close(file);
			return rc;
		}
		s->zip_file = file;
		*out = s;
		return 0;
	}
	unzClose(z);
	s = src_new(SRC_ZIP, label);
	if (!s)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	s->zip_path = strdup(zip_path);
	s->member = strdup(member);
	s->size = info.uncompressed_size;
	if (!s->zip_path || !s->member) {
		hwf_source_close(s);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	rc = zip_reopen(s, e);
	if (rc) {
		hwf_source_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

static int64_t zip_read(struct hwf_source *s, void *buf, size_t len, uint64_t off,
			struct hwf_err *e)
{
	uint8_t skip[4096];
	size_t done = 0;
	int rc;

	if (off < s->pos) {
		rc = zip_reopen(s, e);
		if (rc)
			return rc;
	}
	while (s->pos < off) {
		uint64_t want = off - s->pos;
		int n = unzReadCurrentFile(s->zip, skip,
					   (unsigned)(want < sizeof(skip) ? want : sizeof(skip)));
		if (n < 0)
			return hwf_err_set(e, HWF_EFORMAT, "%s: inflate failed (error %d)", s->name,
					   n);
		if (n == 0)
			return 0;
		s->pos += (uint64_t)n;
	}
	while (done < len) {
		size_t want = len - done;
		int n;

		if (want > (1u << 30))
			want = 1u << 30;
		n = unzReadCurrentFile(s->zip, (uint8_t *)buf + done, (unsigned)want);
		if (n < 0)
			return hwf_err_set(e, n == UNZ_CRCERROR ? HWF_ECRC : HWF_EFORMAT,
					   "%s: %s at byte %llu (error %d)", s->name,
					   n == UNZ_CRCERROR ? "zip CRC-32 mismatch"
							     : "inflate failed: corrupt or truncated",
					   (unsigned long long)s->pos, n);
		if (n == 0)
			break;
		done += (size_t)n;
		s->pos += (uint64_t)n;
	}
	return (int64_t)done;
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
	case SRC_ZIP:
		return zip_read(s, buf, len, off, e);
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
	if (s->zip) {
		unzCloseCurrentFile(s->zip);
		unzClose(s->zip);
	}
	hwf_source_close(s->zip_file);
	free(s->zip_path);
	free(s->member);
	free(s->name);
	free(s);
}

int hwf_zip_sniff(const char *path)
{
	unsigned char m[4];
	FILE *f = fopen(path, "rb");
	int ok;

	if (!f)
		return 0;
	ok = fread(m, 1, 4, f) == 4 && m[0] == 'P' && m[1] == 'K' && m[2] == 3 && m[3] == 4;
	fclose(f);
	return ok;
}

int hwf_zip_walk(const char *zip_path, int (*cb)(void *ctx, const struct hwf_zip_member *m),
		 void *ctx, struct hwf_err *e)
{
	char name[4096];
	unzFile z = unzOpen64(zip_path);
	int rc;

	if (!z)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: not a readable zip (no central directory: truncated "
				   "download?)",
				   zip_path);
	for (rc = unzGoToFirstFile(z); rc == UNZ_OK; rc = unzGoToNextFile(z)) {
		unz_file_info64 info;
		struct hwf_zip_member m;
		int r;

		if (unzGetCurrentFileInfo64(z, &info, name, sizeof(name), NULL, 0, NULL, 0) !=
		    UNZ_OK) {
			unzClose(z);
			return zip_err(e, zip_path, "bad central directory entry", -1);
		}
		/* minizip leaves a name that fills the buffer without its NUL. */
		if (info.size_filename >= sizeof(name)) {
			unzClose(z);
			return hwf_err_set(e, HWF_EFORMAT, "%s: a member name of %lu bytes (corrupt?)",
					   zip_path, (unsigned long)info.size_filename);
		}
		m.name = name;
		m.size = info.uncompressed_size;
		m.csize = info.compressed_size;
		m.method = (int)info.compression_method;
		m.encrypted = info.flag & 1;
		r = cb(ctx, &m);
		if (r) {
			unzClose(z);
			return r;
		}
	}
	unzClose(z);
	if (rc != UNZ_END_OF_LIST_OF_FILE)
		return zip_err(e, zip_path, "corrupt central directory", rc);
	return 0;
}
