// SPDX-License-Identifier: MIT
#include "formats/image/rdfolder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/image/rdlist.h"

int hwf_rdf_parent(int rootfd, const char *path, const char **base)
{
	int fd = dup(rootfd);
	const char *p = path;

	if (fd < 0)
		return -errno;
	for (;;) {
		const char *s = strchr(p, '/');
		char part[HWF_RD_NAME_MAX];
		size_t l;
		int nfd;

		if (!s) {
			*base = p;
			return fd;
		}
		l = (size_t)(s - p);
		if (l >= sizeof(part)) {
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(part, p, l);
		part[l] = '\0';
		nfd = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			int err = errno;

			close(fd);
			return -err;
		}
		close(fd);
		fd = nfd;
		p = s + 1;
	}
}

static int add(struct hwf_rdfolder *fo, const char *path, mode_t mode, struct hwf_err *e)
{
	if (fo->n >= HWF_RD_ENTRIES_MAX)
		return hwf_err_set(e, HWF_EINVAL, "more than %u entries in the folder",
				   HWF_RD_ENTRIES_MAX);
	if (fo->n == fo->cap) {
		size_t cap = fo->cap ? fo->cap * 2 : 64;
		struct hwf_rdfile *nf = realloc(fo->f, cap * sizeof(*nf));

		if (!nf)
			return hwf_err_set(e, HWF_ENOMEM, "out of memory");
		fo->f = nf;
		fo->cap = cap;
	}
	fo->f[fo->n].path = strdup(path);
	if (!fo->f[fo->n].path)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	fo->f[fo->n++].mode = mode;
	return 0;
}

/* @fd is the folder @rel (relative, "" for the top); consumed. */
static int scan(int fd, const char *dir, const char *rel, int depth, struct hwf_rdfolder *fo,
		struct hwf_err *e)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth >= HWF_RD_DEPTH_MAX) {
		close(fd);
		return hwf_err_set(e, HWF_EINVAL, "%s/%s: folders nested deeper than %d", dir, rel,
				   HWF_RD_DEPTH_MAX);
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return hwf_err_set(e, HWF_EIO, "%s/%s: %s", dir, rel, strerror(errno));
	}
	while ((de = readdir(d))) {
		char path[HWF_RD_NAME_MAX];
		struct stat st;
		int n;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n = snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) - 2) {
			rc =
			    hwf_err_set(e, HWF_EINVAL, "%s/%s: a path too long for cpio", dir, rel);
			break;
		}
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			rc = hwf_err_set(e, HWF_EIO, "%s/%s: %s", dir, path, strerror(errno));
			break;
		}
		rc = add(fo, path, st.st_mode, e);
		if (!rc && S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0)
				rc = hwf_err_set(e, HWF_EIO, "%s/%s: %s", dir, path,
						 strerror(errno));
			else
				rc = scan(sub, dir, path, depth + 1, fo, e);
		}
		if (rc)
			break;
	}
	closedir(d);
	return rc;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct hwf_rdfile *)a)->path, ((const struct hwf_rdfile *)b)->path);
}

int hwf_rdf_scan(int rootfd, const char *dir, struct hwf_rdfolder *out, struct hwf_err *e)
{
	int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return hwf_err_set(e, HWF_EIO, "%s: %s", dir, strerror(errno));
	rc = scan(fd, dir, "", 0, out, e);
	if (rc) {
		hwf_rdfolder_free(out);
		return rc;
	}
	if (out->n)
		qsort(out->f, out->n, sizeof(*out->f), by_path);
	return 0;
}

const struct hwf_rdfile *hwf_rdf_find(const struct hwf_rdfolder *fo, const char *path)
{
	struct hwf_rdfile key = {(char *)path, 0};

	return fo->n ? bsearch(&key, fo->f, fo->n, sizeof(*fo->f), by_path) : NULL;
}

void hwf_rdfolder_free(struct hwf_rdfolder *fo)
{
	for (size_t i = 0; i < fo->n; i++)
		free(fo->f[i].path);
	free(fo->f);
	memset(fo, 0, sizeof(*fo));
}

static void remove_in(int fd)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!unlinkat(dirfd(d), de->d_name, 0))
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0) {
			fchmod(sub, 0700);
			remove_in(sub);
		}
		unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

void hwf_rdf_remove(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	fchmod(fd, 0700);
	remove_in(fd);
	rmdir(path);
}

uint32_t hwf_rdf_made_perm(char type, uint32_t mode)
{
	if (type == 'd' || type == 'D')
		return (mode & 0777) | 0700;
	return (mode & 0777) | 0600;
}

int hwf_rdf_keeps_modes(int fd)
{
	struct stat a, b;
	int kept;

	if (fstat(fd, &a) || fchmod(fd, (a.st_mode & 07777) ^ 0010))
		return 1;
	kept = !fstat(fd, &b) && (b.st_mode & 07777) != (a.st_mode & 07777);
	fchmod(fd, a.st_mode & 07777);
	return kept;
}
