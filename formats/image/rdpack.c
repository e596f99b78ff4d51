// SPDX-License-Identifier: MIT
/* A ramdisk folder packed as cpio newc following its list; the folder compared with its list. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/image/rdfolder.h"
#include "formats/image/rdlist.h"
#include "formats/image/rdsink.h"
#include "formats/image/rdtree.h"

#define CHUNK 65536

struct tree {
	struct hwf_rdlist l;
	struct hwf_rdfolder fo;
	int rootfd;
	int modes; /* the folder's file system keeps permission bits */
	const char *dir;
};

static int tree_open(struct tree *t, const char *dir, const char *list, struct hwf_err *e)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->rootfd = -1;
	t->dir = dir;
	if (!dir || !*dir || !list || !*list)
		return hwf_err_set(e, HWF_EINVAL, "ramdisk: no folder or list given");
	rc = hwf_rdlist_load(&t->l, list, e);
	if (rc)
		return rc;
	t->rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (t->rootfd < 0)
		return hwf_err_set(e, errno == ENOENT ? HWF_ENOTFOUND : HWF_EIO, "%s: %s", dir,
				   errno == ENOTDIR || errno == ELOOP ? "not a folder"
								      : strerror(errno));
	t->modes = hwf_rdf_keeps_modes(t->rootfd);
	return hwf_rdf_scan(t->rootfd, dir, &t->fo, e);
}

static void tree_close(struct tree *t)
{
	hwf_rdlist_free(&t->l);
	hwf_rdfolder_free(&t->fo);
	if (t->rootfd >= 0)
		close(t->rootfd);
}

/* Does the folder's @mode hold what a list entry of @type is? */
static int same_type(char type, mode_t mode)
{
	switch (type) {
	case 'f': return S_ISREG(mode);
	case 'd':
	case 'D': return S_ISDIR(mode);
	case 'l': return S_ISLNK(mode);
	default: return 0;
	}
}

static int is_node(char type)
{
	return type == 'c' || type == 'b' || type == 'p' || type == 's';
}

/*
 * The mode to store: the list's, unless the folder's permission bits were
 * changed (on a file system that keeps them: FAT or Windows report the same
 * bits for every file, so there the list's are always taken).
 */
static uint32_t perm_of(const struct tree *t, const struct hwf_rdent *en, mode_t folder)
{
	uint32_t p = (uint32_t)folder & 0777;

	if (en->type == 'l' || !t->modes)
		return en->mode;
	if (p == hwf_rdf_made_perm(en->type, en->mode))
		return en->mode;
	return p | (en->mode & 07000);
}

/* Open @path of the folder for reading (no symlink followed on the way). */
static int open_in(struct tree *t, const char *path, int flags)
{
	const char *base;
	int pfd, fd;

	if (!*path)
		return dup(t->rootfd);
	pfd = hwf_rdf_parent(t->rootfd, path, &base);
	if (pfd < 0) {
		errno = -pfd;
		return -1;
	}
	fd = openat(pfd, base, flags | O_NOFOLLOW | O_CLOEXEC);
	close(pfd);
	return fd;
}

static int read_link(struct tree *t, const char *path, char *buf, struct hwf_err *e)
{
	const char *base;
	int pfd = hwf_rdf_parent(t->rootfd, path, &base);
	ssize_t n;

	if (pfd < 0)
		return hwf_err_set(e, HWF_EIO, "%s/%s: %s", t->dir, path, strerror(-pfd));
	n = readlinkat(pfd, base, buf, HWF_RD_NAME_MAX);
	close(pfd);
	if (n < 0 || n >= HWF_RD_NAME_MAX)
		return hwf_err_set(e, HWF_EIO, "%s/%s: %s", t->dir, path,
				   n < 0 ? strerror(errno) : "a symlink target too long");
	buf[n] = '\0';
	return 0;
}

/* --- changed ------------------------------------------------------------------------- */

/*
 * A name of a hard-linked file whose data the archive keeps with another
 * name (size 0 in the list, more than one link there and in the folder).
 */
static int data_elsewhere(const struct hwf_rdent *en, nlink_t folder_links)
{
	return en->size == 0 && en->nlink > 1 && folder_links > 1;
}

static int hash_file(struct tree *t, const char *path, uint8_t *sha, nlink_t *links,
		     struct hwf_err *e)
{
	int fd = open_in(t, path, O_RDONLY);
	struct stat st;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t *buf = malloc(CHUNK);
	unsigned int len;
	ssize_t n;
	int rc = 0;

	if (fd < 0 || !md || !buf) {
		rc = hwf_err_set(e, fd < 0 ? HWF_EIO : HWF_ENOMEM, "%s/%s: %s", t->dir, path,
				 fd < 0 ? strerror(errno) : "out of memory");
		goto out;
	}
	*links = fstat(fd, &st) ? 1 : st.st_nlink;
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	while ((n = read(fd, buf, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = hwf_err_set(e, HWF_EIO, "%s/%s: %s", t->dir, path, strerror(errno));
			goto out;
		}
		EVP_DigestUpdate(md, buf, (size_t)n);
	}
	EVP_DigestFinal_ex(md, sha, &len);
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

static int differs(int *changed, struct hwf_err *e, const char *what, const char *path)
{
	*changed = 1;
	hwf_err_set(e, 0, "%s %s", *path ? path : ".", what);
	return 0;
}

int hwf_rdtree_changed(const char *dir, const char *list, int *changed, struct hwf_err *e)
{
	struct tree t;
	char target[HWF_RD_NAME_MAX];
	int rc = tree_open(&t, dir, list, e);

	*changed = 0;
	for (size_t i = 0; !rc && !*changed && i < t.l.n; i++) {
		const struct hwf_rdent *en = &t.l.ent[i];
		const struct hwf_rdfile *f;
		struct stat st;
		uint8_t sha[32];

		if (en->type == 'T' || is_node(en->type))
			continue;
		if (!*en->path) {
			if (fstat(t.rootfd, &st))
				rc = hwf_err_set(e, HWF_EIO, "%s: %s", dir, strerror(errno));
			else if (perm_of(&t, en, st.st_mode) != en->mode)
				rc = differs(changed, e, "has other permissions", en->path);
			continue;
		}
		f = hwf_rdf_find(&t.fo, en->path);
		if (!f || !same_type(en->type, f->mode)) {
			rc = differs(changed, e, f ? "is of another type" : "is gone", en->path);
			continue;
		}
		if (en->type != 'D' && perm_of(&t, en, f->mode) != en->mode) {
			rc = differs(changed, e, "has other permissions", en->path);
		} else if (en->type == 'l') {
			rc = read_link(&t, en->path, target, e);
			if (!rc && strcmp(target, en->target))
				rc = differs(changed, e, "points elsewhere", en->path);
		} else if (en->type == 'f') {
			nlink_t links = 1;

			rc = hash_file(&t, en->path, sha, &links, e);
			if (!rc && !data_elsewhere(en, links) && memcmp(sha, en->sha, 32))
				rc = differs(changed, e, "has other contents", en->path);
		}
	}
	for (size_t i = 0; !rc && !*changed && i < t.fo.n; i++)
		if (!hwf_rdlist_find(&t.l, t.fo.f[i].path))
			rc = differs(changed, e, "is new", t.fo.f[i].path);
	tree_close(&t);
	return rc;
}

/* --- pack ---------------------------------------------------------------------------- */

struct pk {
	struct tree t;
	struct hwf_rdsink *s;
	uint8_t *buf;
	uint32_t next_ino;
	struct hwf_err *e;
};

static int emit_header(struct pk *p, struct hwf_cpio_hdr *c, const char *name)
{
	static const uint8_t zero[4];
	uint8_t h[110];
	size_t n = strlen(name) + 1;
	int rc;

	c->crc = p->t.l.crc;
	c->namesize = (uint32_t)n;
	hwf_cpio_format(c, p->t.l.upper, h);
	rc = hwf_rdsink_write(p->s, h, sizeof(h));
	if (!rc)
		rc = hwf_rdsink_write(p->s, name, n);
	if (!rc)
		rc = hwf_rdsink_write(p->s, zero, (4 - hwf_rdsink_total(p->s) % 4) % 4);
	return rc;
}

static int emit_data(struct pk *p, const void *buf, size_t n)
{
	static const uint8_t zero[4];
	int rc = hwf_rdsink_write(p->s, buf, n);

	return rc ? rc : hwf_rdsink_write(p->s, zero, (4 - hwf_rdsink_total(p->s) % 4) % 4);
}

/* A regular file: its size and, for 070702, the sum of its bytes, then its bytes. */
static int emit_file(struct pk *p, struct hwf_cpio_hdr *c, const struct hwf_rdent *en)
{
	const char *name = en->name, *path = en->path;
	int fd = open_in(&p->t, path, O_RDONLY);
	struct stat st;
	int rc = 0;

	if (fd < 0 || fstat(fd, &st)) {
		rc = hwf_err_set(p->e, HWF_EIO, "%s/%s: %s", p->t.dir, path, strerror(errno));
		goto out;
	}
	if (st.st_size > 0xffffffffll) {
		rc = hwf_err_set(p->e, HWF_EINVAL, "%s/%s: over 4 GiB, more than cpio newc holds",
				 p->t.dir, path);
		goto out;
	}
	c->size = data_elsewhere(en, st.st_nlink) ? 0 : (uint32_t)st.st_size;
	c->check = 0;
	for (int pass = p->t.l.crc ? 0 : 1; pass < 2 && !rc; pass++) {
		uint32_t left = c->size;

		if (pass == 1)
			rc = emit_header(p, c, name);
		while (!rc && left) {
			ssize_t n =
			    pread(fd, p->buf, left < CHUNK ? left : CHUNK, (off_t)(c->size - left));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rc = hwf_err_set(p->e, HWF_EIO, "%s/%s: %s", p->t.dir, path,
						 n ? strerror(errno) : "shrank while packed");
				break;
			}
			if (pass == 0)
				for (ssize_t i = 0; i < n; i++)
					c->check += p->buf[i];
			else
				rc = hwf_rdsink_write(p->s, p->buf, (size_t)n);
			left -= (uint32_t)n;
		}
	}
	if (!rc)
		rc = emit_data(p, NULL, 0);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static void hdr_of(const struct hwf_rdent *en, struct hwf_cpio_hdr *c)
{
	memset(c, 0, sizeof(*c));
	c->ino = en->ino;
	c->mode = hwf_rd_mode_of_type(en->type) | en->mode;
	c->uid = en->uid;
	c->gid = en->gid;
	c->nlink = en->nlink;
	c->mtime = en->mtime;
	c->dmaj = en->dmaj;
	c->dmin = en->dmin;
	c->rmaj = en->rmaj;
	c->rmin = en->rmin;
}

/* One entry: @en from the list (or made up for a new one), its bytes from the folder. */
static int emit(struct pk *p, const struct hwf_rdent *en, mode_t folder)
{
	struct hwf_cpio_hdr c;
	char target[HWF_RD_NAME_MAX];
	int rc;

	hdr_of(en, &c);
	if (is_node(en->type))
		return emit_header(p, &c, en->name);
	c.mode = hwf_rd_mode_of_type(en->type) | perm_of(&p->t, en, folder);
	if (en->type == 'f')
		return emit_file(p, &c, en);
	if (en->type == 'd')
		return emit_header(p, &c, en->name);
	rc = read_link(&p->t, en->path, target, p->e);
	if (rc)
		return rc;
	c.size = (uint32_t)strlen(target);
	if (p->t.l.crc)
		for (size_t i = 0; i < c.size; i++)
			c.check += (uint8_t)target[i];
	rc = emit_header(p, &c, en->name);
	return rc ? rc : emit_data(p, target, c.size);
}

/* A file new in the folder: the defaults the header promises. */
static int emit_new(struct pk *p, const struct hwf_rdfile *f, int dotslash)
{
	struct hwf_rdent en = {0};
	char name[HWF_RD_NAME_MAX + 2];

	if (S_ISREG(f->mode))
		en.type = 'f', en.mode = 0644, en.nlink = 1;
	else if (S_ISDIR(f->mode))
		en.type = 'd', en.mode = 0755, en.nlink = 2;
	else if (S_ISLNK(f->mode))
		en.type = 'l', en.mode = 0777, en.nlink = 1;
	else
		return hwf_err_set(p->e, HWF_EINVAL,
				   "%s/%s: a fifo, socket or device node in the "
				   "folder: cannot be packed (device nodes belong in the list)",
				   p->t.dir, f->path);
	if ((size_t)snprintf(name, sizeof(name), "%s%s", dotslash ? "./" : "", f->path) >=
	    HWF_RD_NAME_MAX)
		return hwf_err_set(p->e, HWF_EINVAL, "%s/%s: a name too long for cpio", p->t.dir,
				   f->path);
	if (!strcmp(name, "TRAILER!!!"))
		return hwf_err_set(p->e, HWF_EINVAL, "%s/TRAILER!!!: a name cpio keeps for its end",
				   p->t.dir);
	en.ino = p->next_ino++;
	en.name = name;
	en.path = f->path;
	/* perm_of() keeps the folder's permission bits only when they differ from
	 * those extraction makes: compare against the folder itself. */
	return emit(p, &en, hwf_rdf_made_perm(en.type, en.mode));
}

static int pack_entries(struct pk *p)
{
	const struct hwf_rdent *trailer = NULL;
	int dotslash = 0, rc = 0;
	static const uint8_t zero[512];

	for (size_t i = 0; i < p->t.l.n; i++) {
		const struct hwf_rdent *en = &p->t.l.ent[i];

		if (en->ino >= p->next_ino && en->type != 'T')
			p->next_ino = en->ino + 1;
		if (!strncmp(en->name, "./", 2))
			dotslash = 1;
	}
	for (size_t i = 0; !rc && i < p->t.l.n; i++) {
		const struct hwf_rdent *en = &p->t.l.ent[i];
		const struct hwf_rdfile *f = hwf_rdf_find(&p->t.fo, en->path);
		struct stat st;

		if (en->type == 'T') {
			trailer = en;
		} else if (en->type == 'D') {
			continue;
		} else if (is_node(en->type)) {
			if (f)
				rc = hwf_err_set(
				    p->e, HWF_EINVAL,
				    "%s/%s: the list has a device node there, the folder "
				    "a file",
				    p->t.dir, en->path);
			else
				rc = emit(p, en, 0);
		} else if (!*en->path) {
			rc = fstat(p->t.rootfd, &st)
				 ? hwf_err_set(p->e, HWF_EIO, "%s: %s", p->t.dir, strerror(errno))
				 : emit(p, en, st.st_mode);
		} else if (f && same_type(en->type, f->mode)) {
			rc = emit(p, en, f->mode);
		}
	}
	for (size_t i = 0; !rc && i < p->t.fo.n; i++) {
		const struct hwf_rdent *en = hwf_rdlist_find(&p->t.l, p->t.fo.f[i].path);

		if (!en || !same_type(en->type, p->t.fo.f[i].mode))
			rc = emit_new(p, &p->t.fo.f[i], dotslash);
	}
	if (!rc) {
		struct hwf_cpio_hdr c;

		hdr_of(trailer, &c);
		c.mode = trailer->mode;
		rc = emit_header(p, &c, "TRAILER!!!");
	}
	while (!rc && hwf_rdsink_total(p->s) % p->t.l.pad) {
		uint64_t n = p->t.l.pad - hwf_rdsink_total(p->s) % p->t.l.pad;

		rc = hwf_rdsink_write(p->s, zero, n < sizeof(zero) ? (size_t)n : sizeof(zero));
	}
	return rc;
}

int hwf_rdtree_pack(const char *dir, const char *list, enum hwf_ramdisk_comp comp, int out_fd,
		    uint64_t *written, struct hwf_err *e)
{
	struct pk p = {.e = e};
	int rc = tree_open(&p.t, dir, list, e);

	if (written)
		*written = 0;
	if (!rc)
		rc = hwf_rdsink_open(&p.s, comp, out_fd, e);
	if (!rc) {
		p.buf = malloc(CHUNK);
		rc = p.buf ? pack_entries(&p) : hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	if (!rc)
		rc = hwf_rdsink_finish(p.s, written);
	free(p.buf);
	hwf_rdsink_close(p.s);
	tree_close(&p.t);
	return rc;
}
