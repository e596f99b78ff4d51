// SPDX-License-Identifier: MIT
/* A ramdisk unpacked into a folder + list, and the folder compared with its list. */
#include "formats/image/rdtree.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/outfile.h"
#include "formats/image/rdfolder.h"
#include "formats/image/rdlist.h"
#include "formats/image/rdstream.h"

#define CHUNK	     65536
#define TAIL_MAX     (1u << 20)	  /* zeros after the trailer */
#define UNPACKED_MAX (4ull << 30) /* file bytes one ramdisk may unpack to */
#define IMPLICIT_MAX 4096u	  /* folders the archive lacks */
#define NODES_MAX    65536u	  /* device nodes, fifos, sockets */
#define LINKS_MAX    4096u	  /* hard-linked names made as links; past it, copies */

struct ex {
	struct hwf_rdstream *s;
	int rootfd;
	struct hwf_outfile of;
	char *wbuf; /* the list, buffered */
	size_t wn;
	struct hwf_rdtree_info *info;
	char **implicit, **nodes;
	size_t nimplicit, nnodes;
	uint8_t *buf;
	int root_seen, crc, magic_set, first_upper, case_set, dotslash;
	uint64_t file_bytes;
	EVP_MD_CTX *md;
	struct hlink {
		uint32_t ino, dmaj, dmin;
		int data;
		char *path;
	} * links; /* files with more than one name: newc keeps their data once */
	size_t nlinks;
	char line[HWF_RD_LINE_MAX + 64];
	struct hwf_err *e;
};

static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int w_flush(struct ex *x)
{
	int r = write_all(x->of.fd, x->wbuf, x->wn);

	x->wn = 0;
	if (r)
		return hwf_err_set(x->e, r == -ENOSPC ? HWF_ENOSPC : HWF_EIO, "%s: %s", x->of.path,
				   strerror(-r));
	return 0;
}

static int w_put(struct ex *x, const char *s, size_t n)
{
	if (x->wn + n > CHUNK && w_flush(x))
		return x->e ? x->e->code : HWF_EIO;
	memcpy(x->wbuf + x->wn, s, n);
	x->wn += n;
	return 0;
}

static int w_entry(struct ex *x, const struct hwf_rdent *en)
{
	return w_put(x, x->line, hwf_rdlist_format(en, x->line));
}

static int dup_name(struct ex *x, const char *name)
{
	return hwf_err_set(x->e, HWF_EFORMAT, "ramdisk: \"%s\" is in the archive twice", name);
}

static int is_implicit(struct ex *x, const char *path)
{
	for (size_t i = 0; i < x->nimplicit; i++)
		if (!strcmp(x->implicit[i], path))
			return 1;
	return 0;
}

static int add_str(struct ex *x, char ***v, size_t *n, const char *s, size_t len, size_t max)
{
	char **nv;

	if (*n >= max)
		return hwf_err_set(x->e, HWF_EFORMAT, "ramdisk: more than %zu %s", max,
				   v == &x->nodes ? "device nodes"
						  : "folders missing from the archive");
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return hwf_err_set(x->e, HWF_ENOMEM, "out of memory");
	*v = nv;
	nv[*n] = strndup(s, len);
	if (!nv[*n])
		return hwf_err_set(x->e, HWF_ENOMEM, "out of memory");
	(*n)++;
	return 0;
}

/* A folder the archive names things in but does not hold: made, and listed as D. */
static int implicit_dir(struct ex *x, int fd, const char *part, const char *path, size_t len)
{
	struct hwf_rdent en = {.type = 'D', .mode = 0755};
	char name[HWF_RD_NAME_MAX + 2];
	int rc;

	if (mkdirat(fd, part, 0755))
		return hwf_err_set(x->e, HWF_EIO, "ramdisk: %.*s: cannot make the folder: %s",
				   (int)len, path, strerror(errno));
	snprintf(name, sizeof(name), "%s%.*s", x->dotslash ? "./" : "", (int)len, path);
	en.name = name;
	x->info->implicit_dirs++;
	rc = add_str(x, &x->implicit, &x->nimplicit, path, len, IMPLICIT_MAX);
	return rc ? rc : w_entry(x, &en);
}

/* The folder that will hold @path, walked without following symlinks; missing parts made. */
static int ex_parent(struct ex *x, const char *name, const char *path, const char **base, int *out)
{
	int fd = dup(x->rootfd);
	const char *p = path;

	if (fd < 0)
		return hwf_err_set(x->e, HWF_EIO, "ramdisk: %s", strerror(errno));
	for (;;) {
		const char *s = strchr(p, '/');
		char part[HWF_RD_NAME_MAX];
		int nfd, rc;

		if (!s) {
			*base = p;
			*out = fd;
			return 0;
		}
		memcpy(part, p, (size_t)(s - p));
		part[s - p] = '\0';
		nfd = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT) {
			rc = implicit_dir(x, fd, part, path, (size_t)(s - path));
			if (rc) {
				close(fd);
				return rc;
			}
			nfd = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (nfd >= 0)
				fchmod(nfd, 0755);
		}
		if (nfd < 0) {
			int err = errno;

			close(fd);
			if (err == ENOTDIR || err == ELOOP)
				return hwf_err_set(
				    x->e, HWF_EFORMAT,
				    "ramdisk: \"%s\" goes through \"%.*s\", which the "
				    "archive made a symlink or a file: not unpacked "
				    "(it could write outside the folder)",
				    name, (int)(s - path), path);
			return hwf_err_set(x->e, HWF_EIO, "ramdisk: %.*s: %s", (int)(s - path),
					   path, strerror(err));
		}
		close(fd);
		fd = nfd;
		p = s + 1;
	}
}

static int short_read(struct ex *x, int rc, const char *name)
{
	if (rc != HWF_ETRUNC || hwf_rdstream_cut(x->s))
		return rc;
	if (name)
		return hwf_err_set(x->e, rc, "ramdisk: the cpio archive ends inside %s", name);
	return hwf_err_set(x->e, rc, "ramdisk: the cpio archive is cut short (no TRAILER!!!)");
}

static int skip_pad(struct ex *x, const char *name)
{
	uint64_t t = hwf_rdstream_total(x->s);
	int rc = hwf_rdstream_read(x->s, NULL, (size_t)((4 - t % 4) % 4));

	return rc ? short_read(x, rc, name) : 0;
}

/* An earlier name of the file @c names again (same inode, more than one link). */
static struct hlink *hl_find(struct ex *x, const struct hwf_cpio_hdr *c)
{
	for (size_t i = 0; c->nlink > 1 && i < x->nlinks; i++)
		if (x->links[i].ino == c->ino && x->links[i].dmaj == c->dmaj &&
		    x->links[i].dmin == c->dmin)
			return &x->links[i];
	return NULL;
}

static int hl_add(struct ex *x, const struct hwf_cpio_hdr *c, const char *path)
{
	struct hlink *nl;

	if (c->nlink < 2 || x->nlinks >= LINKS_MAX)
		return 0;
	nl = realloc(x->links, (x->nlinks + 1) * sizeof(*nl));
	if (!nl)
		return hwf_err_set(x->e, HWF_ENOMEM, "out of memory");
	x->links = nl;
	nl[x->nlinks] = (struct hlink){c->ino, c->dmaj, c->dmin, c->size > 0, strdup(path)};
	if (!nl[x->nlinks].path)
		return hwf_err_set(x->e, HWF_ENOMEM, "out of memory");
	x->nlinks++;
	return 0;
}

/*
 * The file's descriptor for its data: a new file, or, for another name of
 * a hard-linked file whose data has not come yet (GNU cpio puts it with the
 * last name), a link to the first name (*@fd = -1 when there is no data).
 */
static int ex_open(struct ex *x, const struct hwf_cpio_hdr *c, struct hwf_rdent *en, int pfd,
		   const char *base, int *fd)
{
	struct hlink *h = hl_find(x, c);
	const char *hb;
	int hp, rc = 0;

	*fd = -1;
	if (!h || (c->size && h->data)) {
		*fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (*fd < 0)
			return errno == EEXIST ? dup_name(x, en->name)
					       : hwf_err_set(x->e, HWF_EIO, "ramdisk: %s: %s",
							     en->path, strerror(errno));
		return h ? 0 : hl_add(x, c, en->path);
	}
	hp = hwf_rdf_parent(x->rootfd, h->path, &hb);
	if (hp < 0)
		return hwf_err_set(x->e, HWF_EIO, "ramdisk: %s: %s", h->path, strerror(-hp));
	if (linkat(hp, hb, pfd, base, 0))
		rc = errno == EEXIST
			 ? dup_name(x, en->name)
			 : hwf_err_set(x->e, HWF_EIO, "ramdisk: %s: %s", en->path, strerror(errno));
	if (!rc && c->size) {
		*fd = openat(hp, hb, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
		if (*fd < 0)
			rc = hwf_err_set(x->e, HWF_EIO, "ramdisk: %s: %s", en->path,
					 strerror(errno));
		h->data = 1;
	}
	close(hp);
	return rc;
}

static int ex_file(struct ex *x, const struct hwf_cpio_hdr *c, struct hwf_rdent *en, int pfd,
		   const char *base)
{
	uint32_t left = c->size, sum = 0;
	unsigned int mdlen;
	int fd, rc = ex_open(x, c, en, pfd, base, &fd);

	if (rc || fd < 0) {
		if (fd >= 0)
			close(fd);
		EVP_DigestInit_ex(x->md, EVP_sha256(), NULL);
		EVP_DigestFinal_ex(x->md, en->sha, &mdlen);
		return rc;
	}
	x->file_bytes += c->size;
	if (x->file_bytes > UNPACKED_MAX)
		rc = hwf_err_set(x->e, HWF_EFORMAT,
				 "ramdisk: unpacks to more than %llu GiB of "
				 "files (a bomb?)",
				 UNPACKED_MAX >> 30);
	if (!rc)
		EVP_DigestInit_ex(x->md, EVP_sha256(), NULL);
	while (!rc && left) {
		size_t n = left < CHUNK ? left : CHUNK;

		rc = hwf_rdstream_read(x->s, x->buf, n);
		if (rc) {
			rc = short_read(x, rc, en->name);
			break;
		}
		for (size_t i = 0; i < n; i++)
			sum += x->buf[i];
		EVP_DigestUpdate(x->md, x->buf, n);
		rc = write_all(fd, x->buf, n);
		if (rc)
			rc = hwf_err_set(x->e, rc == -ENOSPC ? HWF_ENOSPC : HWF_EIO,
					 "ramdisk: %s: %s", en->path, strerror(-rc));
		left -= (uint32_t)n;
	}
	if (!rc && fchmod(fd, hwf_rdf_made_perm('f', en->mode)))
		rc = hwf_err_set(x->e, HWF_EIO, "ramdisk: %s: %s", en->path, strerror(errno));
	if (close(fd) && !rc)
		rc = hwf_err_set(x->e, HWF_EIO, "ramdisk: %s: %s", en->path, strerror(errno));
	if (rc)
		return rc;
	EVP_DigestFinal_ex(x->md, en->sha, &mdlen);
	if (c->crc && sum != c->check)
		return hwf_err_set(x->e, HWF_ECRC,
				   "ramdisk: %s: checksum 0x%08x, the header says "
				   "0x%08x",
				   en->name, sum, c->check);
	return 0;
}

static int ex_dir(struct ex *x, struct hwf_rdent *en, int pfd, const char *base)
{
	int fd;

	if (!*en->path) {
		if (x->root_seen)
			return dup_name(x, en->name);
		x->root_seen = 1;
		fd = dup(x->rootfd);
	} else {
		if (mkdirat(pfd, base, 0700)) {
			if (errno != EEXIST)
				return hwf_err_set(x->e, HWF_EIO, "ramdisk: %s: %s", en->path,
						   strerror(errno));
			if (!is_implicit(x, en->path))
				return dup_name(x, en->name);
		}
		fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0 || fchmod(fd, hwf_rdf_made_perm('d', en->mode))) {
		int rc = hwf_err_set(x->e, HWF_EIO, "ramdisk: %s: %s", *en->path ? en->path : ".",
				     strerror(errno));

		if (fd >= 0)
			close(fd);
		return rc;
	}
	close(fd);
	return 0;
}

static int ex_link(struct ex *x, const struct hwf_cpio_hdr *c, struct hwf_rdent *en, int pfd,
		   const char *base)
{
	char *t;
	int rc;

	if (!c->size || c->size >= HWF_RD_NAME_MAX)
		return hwf_err_set(x->e, HWF_EFORMAT, "ramdisk: symlink %s: a target of %u bytes",
				   en->name, c->size);
	t = malloc(c->size + 1);
	if (!t)
		return hwf_err_set(x->e, HWF_ENOMEM, "out of memory");
	rc = hwf_rdstream_read(x->s, t, c->size);
	if (rc) {
		free(t);
		return short_read(x, rc, en->name);
	}
	t[c->size] = '\0';
	if (strlen(t) != c->size) {
		free(t);
		return hwf_err_set(x->e, HWF_EFORMAT, "ramdisk: symlink %s: a NUL in its target",
				   en->name);
	}
	en->target = t;
	if (symlinkat(t, pfd, base))
		return errno == EEXIST ? dup_name(x, en->name)
				       : hwf_err_set(x->e, HWF_EIO, "ramdisk: %s: %s", en->path,
						     strerror(errno));
	return 0;
}

static int ex_entry(struct ex *x, const struct hwf_cpio_hdr *c, struct hwf_rdent *en)
{
	const char *base = "";
	int pfd = -1, rc;

	if (en->type == 'd' || en->type == 'l' || en->type == 'f') {
		if (*en->path) {
			rc = ex_parent(x, en->name, en->path, &base, &pfd);
			if (rc)
				return rc;
		}
	} else if (c->size) {
		return hwf_err_set(x->e, HWF_EFORMAT,
				   "ramdisk: %s: a device node with %u bytes "
				   "of data",
				   en->name, c->size);
	}
	switch (en->type) {
	case 'f':
		rc = ex_file(x, c, en, pfd, base);
		x->info->files++;
		break;
	case 'd':
		rc = c->size ? hwf_err_set(x->e, HWF_EFORMAT,
					   "ramdisk: folder %s with %u bytes "
					   "of data",
					   en->name, c->size)
			     : ex_dir(x, en, pfd, base);
		x->info->dirs++;
		break;
	case 'l':
		rc = ex_link(x, c, en, pfd, base);
		x->info->symlinks++;
		break;
	default:
		if (!*en->path)
			return hwf_err_set(x->e, HWF_EFORMAT, "ramdisk: \".\" is not a folder");
		rc = add_str(x, &x->nodes, &x->nnodes, en->path, strlen(en->path), NODES_MAX);
		x->info->nodes++;
		break;
	}
	if (pfd >= 0)
		close(pfd);
	return rc ? rc : skip_pad(x, en->name);
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Device nodes live only in the list: nothing else may have their names. */
static int check_nodes(struct ex *x)
{
	if (x->nnodes)
		qsort(x->nodes, x->nnodes, sizeof(char *), by_str);
	for (size_t i = 0; i < x->nnodes; i++) {
		const char *base;
		int fd;
		struct stat st;

		if (i && !strcmp(x->nodes[i - 1], x->nodes[i]))
			return dup_name(x, x->nodes[i]);
		fd = hwf_rdf_parent(x->rootfd, x->nodes[i], &base);
		if (fd < 0)
			continue;
		if (!fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW)) {
			close(fd);
			return dup_name(x, x->nodes[i]);
		}
		close(fd);
	}
	return 0;
}

/* The block the archive was padded to: @end bytes up to the trailer's end, then @tail zeros. */
static uint32_t choose_pad(uint64_t end, uint64_t tail, int upper)
{
	const uint32_t pref[2] = {upper ? 512u : 256u, upper ? 256u : 512u};

	for (int i = 0; i < 2; i++)
		if (tail < pref[i] && (end + tail) % pref[i] == 0 && (tail || end % pref[i] == 0))
			return pref[i];
	for (uint32_t b = 4; b <= TAIL_MAX; b <<= 1)
		if (tail < b && (end + tail) % b == 0)
			return b;
	return 4;
}

static int walk(struct ex *x)
{
	uint8_t h[110];

	for (;;) {
		struct hwf_cpio_hdr c;
		struct hwf_rdent en = {0};
		char name[HWF_RD_NAME_MAX];
		int rc = hwf_rdstream_read(x->s, h, sizeof(h));

		if (rc)
			return short_read(x, rc, NULL);
		if (hwf_cpio_parse(h, &c, x->e)) {
			hwf_err_prefix(x->e, "ramdisk: after %llu entries",
				       (unsigned long long)x->info->entries);
			return HWF_EFORMAT;
		}
		if (x->magic_set && c.crc != x->crc)
			return hwf_err_set(x->e, HWF_EFORMAT,
					   "ramdisk: mixes 070701 and 070702 "
					   "cpio headers");
		x->magic_set = 1;
		x->crc = c.crc;
		if (!x->case_set && (c.lower || c.upper)) {
			x->case_set = 1;
			x->first_upper = c.upper && !c.lower;
		}
		if (!c.namesize || c.namesize > sizeof(name))
			return hwf_err_set(x->e, HWF_EFORMAT, "ramdisk: a cpio name of %u bytes",
					   c.namesize);
		rc = hwf_rdstream_read(x->s, name, c.namesize);
		if (rc)
			return short_read(x, rc, NULL);
		if (name[c.namesize - 1] || strlen(name) != c.namesize - 1)
			return hwf_err_set(x->e, HWF_EFORMAT,
					   "ramdisk: a cpio name with a NUL "
					   "inside or none at its end");
		rc = skip_pad(x, name);
		if (rc)
			return rc;
		en = (struct hwf_rdent){.mode = c.mode & 07777,
					.uid = c.uid,
					.gid = c.gid,
					.mtime = c.mtime,
					.ino = c.ino,
					.nlink = c.nlink,
					.dmaj = c.dmaj,
					.dmin = c.dmin,
					.rmaj = c.rmaj,
					.rmin = c.rmin,
					.size = c.size,
					.name = name};
		if (!strcmp(name, "TRAILER!!!")) {
			en.type = 'T';
			en.mode = c.mode;
			if (c.size)
				return hwf_err_set(x->e, HWF_EFORMAT,
						   "ramdisk: a TRAILER!!! with "
						   "data");
			return w_entry(x, &en);
		}
		if (++x->info->entries > HWF_RD_ENTRIES_MAX)
			return hwf_err_set(x->e, HWF_EFORMAT, "ramdisk: more than %u entries",
					   HWF_RD_ENTRIES_MAX);
		en.type = hwf_rd_type_of_mode(c.mode);
		if (!en.type || (c.mode & ~0177777u))
			return hwf_err_set(x->e, HWF_EFORMAT,
					   "ramdisk: %s: mode 0%o is no file "
					   "type cpio stores",
					   name, c.mode);
		en.path = hwf_rdname_path(name);
		if (!en.path)
			return hwf_err_set(x->e, HWF_EFORMAT,
					   "ramdisk: \"%s\": a name that could "
					   "write outside the folder (absolute, \"..\", empty "
					   "parts) or too deep: not unpacked",
					   name);
		if (!strncmp(name, "./", 2))
			x->dotslash = 1;
		rc = ex_entry(x, &c, &en);
		if (!rc)
			rc = w_entry(x, &en);
		free(en.target);
		if (rc)
			return rc;
	}
}

static int finish(struct ex *x)
{
	uint64_t end = hwf_rdstream_total(x->s), got, nonzero;
	int rc = hwf_rdstream_rest(x->s, TAIL_MAX, &got, &nonzero);
	int n;

	if (rc == HWF_ETRUNC && !hwf_rdstream_cut(x->s))
		rc = hwf_err_set(x->e, rc,
				 "ramdisk: the compressed stream is cut short after "
				 "the cpio archive");
	if (rc)
		return rc;
	if (got > TAIL_MAX || nonzero)
		return hwf_err_set(x->e, HWF_EFORMAT,
				   "ramdisk: %s after the cpio trailer (a second archive?): not "
				   "unpacked",
				   got > TAIL_MAX ? "more than 1 MiB" : "data");
	x->info->bytes = end + got;
	rc = check_nodes(x);
	if (rc)
		return rc;
	n = snprintf(x->line, sizeof(x->line), "cpio %s %s %u\n", x->crc ? "070702" : "070701",
		     x->first_upper ? "upper" : "lower", choose_pad(end, got, x->first_upper));
	return w_put(x, x->line, (size_t)n);
}

static void ex_free(struct ex *x)
{
	for (size_t i = 0; i < x->nimplicit; i++)
		free(x->implicit[i]);
	for (size_t i = 0; i < x->nnodes; i++)
		free(x->nodes[i]);
	for (size_t i = 0; i < x->nlinks; i++)
		free(x->links[i].path);
	free(x->links);
	free(x->implicit);
	free(x->nodes);
	free(x->buf);
	free(x->wbuf);
	EVP_MD_CTX_free(x->md);
	hwf_rdstream_close(x->s);
	if (x->rootfd >= 0)
		close(x->rootfd);
}

/* @dir must not exist, or be an empty folder (*@existed). */
static int check_dir(const char *dir, int *existed, struct hwf_err *e)
{
	struct stat st;
	int fd, empty = 1;

	*existed = 0;
	if (lstat(dir, &st)) {
		if (errno == ENOENT)
			return 0;
		return hwf_err_set(e, HWF_EIO, "%s: %s", dir, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return hwf_err_set(e, HWF_EEXIST, "%s: exists and is not a folder", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		struct hwf_rdfolder fo;

		if (!hwf_rdf_scan(fd, dir, &fo, NULL))
			empty = !fo.n;
		else
			empty = 0;
		hwf_rdfolder_free(&fo);
		close(fd);
	}
	if (!empty)
		return hwf_err_set(e, HWF_EEXIST, "%s: exists and is not empty; not replaced", dir);
	*existed = 1;
	return 0;
}

int hwf_rdtree_extract(struct hwf_source *src, uint64_t off, uint64_t len, const char *dir_arg,
		       const char *list, struct hwf_rdtree_info *info, struct hwf_err *e)
{
	struct hwf_rdtree_info dummy;
	struct ex x = {.rootfd = -1, .e = e};
	char tmp[HWF_PATH_MAX + 32], dir[HWF_PATH_MAX];
	size_t dl;
	int existed, rc, n;

	x.info = info ? info : &dummy;
	memset(x.info, 0, sizeof(*x.info));
	x.of.fd = -1;
	if (!dir_arg || !*dir_arg || !list || !*list)
		return hwf_err_set(e, HWF_EINVAL, "ramdisk: no folder or list given");
	dl = strlen(dir_arg);
	if (dl >= sizeof(dir))
		return hwf_err_set(e, HWF_EINVAL, "%s: a name too long", dir_arg);
	while (dl > 1 && dir_arg[dl - 1] == '/')
		dl--; /* "rd/": the temporary folder goes beside rd, not into it */
	memcpy(dir, dir_arg, dl);
	dir[dl] = '\0';
	rc = check_dir(dir, &existed, e);
	if (rc)
		return rc;
	if (!lstat(list, &(struct stat){0}))
		return hwf_err_set(e, HWF_EEXIST, "%s: exists; not replaced", list);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.partial.XXXXXX", dir) >= sizeof(tmp))
		return hwf_err_set(e, HWF_EINVAL, "%s: a name too long", dir);
	rc = hwf_rdstream_open(&x.s, src, off, len, &x.info->comp, e);
	if (rc)
		return rc;
	if (!mkdtemp(tmp)) {
		rc = hwf_err_set(e, HWF_EIO, "%s: cannot make a folder beside it: %s", dir,
				 strerror(errno));
		ex_free(&x);
		return rc;
	}
	x.rootfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	x.buf = malloc(CHUNK);
	x.wbuf = malloc(CHUNK);
	x.md = EVP_MD_CTX_new();
	if (x.rootfd < 0 || !x.buf || !x.wbuf || !x.md) {
		rc = hwf_err_set(e, x.rootfd < 0 ? HWF_EIO : HWF_ENOMEM, "%s: %s", tmp,
				 x.rootfd < 0 ? strerror(errno) : "out of memory");
		goto fail;
	}
	rc = hwf_outfile_create(&x.of, list, 0, NULL, e);
	if (rc)
		goto fail;
	n = snprintf(x.line, sizeof(x.line),
		     "hwflash-ramdisk-list 1\ncomp %s\n"
		     "# TYPE MODE UID GID MTIME INO NLINK DEV RDEV SIZE DATA NAME (see "
		     "formats/image/rdtree.h)\n",
		     hwf_rdtree_comp_word(x.info->comp));
	rc = w_put(&x, x.line, (size_t)n);
	if (!rc)
		rc = walk(&x);
	if (!rc)
		rc = finish(&x);
	if (!rc)
		rc = w_flush(&x);
	if (!rc)
		rc = hwf_outfile_close(&x.of, 0, e);
	if (rc)
		goto fail;
	if (rename(tmp, dir)) {
		rc = hwf_err_set(e, HWF_EIO, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	rc = hwf_outfile_place(&x.of, HWF_OUTFILE_NOREPLACE, e);
	if (rc) {
		hwf_rdf_remove(dir);
		if (existed)
			mkdir(dir, 0755);
	}
	ex_free(&x);
	return rc;
fail:
	hwf_outfile_discard(&x.of);
	ex_free(&x);
	hwf_rdf_remove(tmp);
	return rc;
}
