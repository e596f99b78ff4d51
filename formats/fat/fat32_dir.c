// SPDX-License-Identifier: MIT
/*
 * FAT32 directories: long names (VFAT), 8.3 names with ~N tails, lookups,
 * listings, and where new entries go.  Directory walks are bounded by
 * FAT32's 65536-entry limit, so a looping chain cannot hang them.
 */
#include "formats/fat/fat32_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"

/* Where the 13 UTF-16 characters of a long-name entry are. */
static const uint8_t lfn_pos[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

/* --- names ------------------------------------------------------------------ */

static uint8_t sfn_checksum(const uint8_t *name)
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name[i]);
	return sum;
}

static int ascii_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}

/* Equal, folding ASCII case only. */
static int name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_upper((unsigned char)*a) != ascii_upper((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* "NAME.EXT" from an 8.3 entry; @nt_case applies the Windows NT lower-case bits. */
static void short_display(const uint8_t *d, char *out, int nt_case)
{
	int n = 0, base_end = 8, ext_end = 11;

	while (base_end > 0 && d[base_end - 1] == ' ')
		base_end--;
	while (ext_end > 8 && d[ext_end - 1] == ' ')
		ext_end--;
	for (int i = 0; i < ext_end; i++) {
		int c = d[i];

		if (i == 8)
			out[n++] = '.';
		if (i >= base_end && i < 8)
			continue;
		if (i == 0 && c == 0x05)
			c = 0xE5;
		if (c >= 0x80 || c < 0x20)
			c = '_'; /* OEM code page: not UTF-8 */
		if (nt_case && c >= 'A' && c <= 'Z' && (d[12] & (i < 8 ? 0x08 : 0x10)))
			c += 'a' - 'A';
		out[n++] = (char)c;
	}
	out[n] = '\0';
}

static size_t utf16_to_utf8(const uint16_t *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t cp = s[i];
		char t[4];
		size_t k;

		if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 &&
		    s[i + 1] <= 0xDFFF) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00u);
			i++;
		} else if (cp >= 0xD800 && cp <= 0xDFFF) {
			cp = 0xFFFD;
		}
		if (cp < 0x80) {
			t[0] = (char)cp;
			k = 1;
		} else if (cp < 0x800) {
			t[0] = (char)(0xC0 | cp >> 6);
			t[1] = (char)(0x80 | (cp & 0x3F));
			k = 2;
		} else if (cp < 0x10000) {
			t[0] = (char)(0xE0 | cp >> 12);
			t[1] = (char)(0x80 | (cp >> 6 & 0x3F));
			t[2] = (char)(0x80 | (cp & 0x3F));
			k = 3;
		} else {
			t[0] = (char)(0xF0 | cp >> 18);
			t[1] = (char)(0x80 | (cp >> 12 & 0x3F));
			t[2] = (char)(0x80 | (cp >> 6 & 0x3F));
			t[3] = (char)(0x80 | (cp & 0x3F));
			k = 4;
		}
		if (o + k >= cap)
			break;
		memcpy(out + o, t, k);
		o += k;
	}
	out[o] = '\0';
	return o;
}

/* One code point from UTF-8 @s; the number of bytes used, or 0 when invalid. */
static int utf8_next(const unsigned char *s, uint32_t *cp)
{
	int n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		*cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		*cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		*cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 2 && *cp < 0x80) || (n == 3 && *cp < 0x800) || (n == 4 && *cp < 0x10000) ||
	    *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
		return 0;
	return n;
}

/* --- directories ---------------------------------------------------------------- */

struct lfn_acc {
	uint16_t u[20 * 13];
	int count; /* entries in the set being read, 0 = none */
	int next;  /* ordinal expected next; 0 with count > 0 = complete */
	uint8_t chk;
};

static void lfn_take(struct lfn_acc *a, const uint8_t *d)
{
	int ord = d[0] & 0x3F;

	if (d[0] & 0x40) {
		if (ord < 1 || ord > 20) {
			a->count = 0;
			return;
		}
		a->count = ord;
		a->next = ord;
		a->chk = d[13];
	}
	if (!a->count || !a->next || ord != a->next || d[13] != a->chk) {
		a->count = 0;
		return;
	}
	for (int i = 0; i < 13; i++)
		a->u[(ord - 1) * 13 + i] = get_le16(d + lfn_pos[i]);
	a->next--;
}

static void fill_dirent(struct dir_ent *de, const uint8_t *d, uint32_t slot, struct lfn_acc *a)
{
	memset(&de->d, 0, sizeof(de->d));
	memcpy(de->raw, d, 32);
	de->slot = slot;
	de->d.attr = d[11];
	de->d.is_dir = !!(d[11] & ATTR_DIR);
	de->d.size = get_le32(d + 28);
	de->d.first_cluster = (uint32_t)get_le16(d + 20) << 16 | get_le16(d + 26);
	short_display(d, de->d.short_name, 0);
	if (a->count && !a->next && a->chk == sfn_checksum(d)) {
		size_t n = 0;

		while (n < (size_t)a->count * 13 && a->u[n])
			n++;
		utf16_to_utf8(a->u, n, de->d.name, sizeof(de->d.name));
	} else {
		short_display(d, de->d.name, 1);
	}
	a->count = 0;
}

/* "root directory" or "folder dload/sub", for messages about folder @name (@len bytes). */
static void dir_what(const char *name, size_t len, char *out, size_t cap)
{
	while (len && name[len - 1] == '/')
		len--;
	while (len && name[0] == '/') {
		name++;
		len--;
	}
	if (!len)
		snprintf(out, cap, "root directory");
	else
		snprintf(out, cap, "folder %.*s", (int)len, name);
}

/*
 * Every entry of folder @name (@namelen bytes of it; "" for the root) at
 * @dir_cl.  Its whole cluster chain is checked first, so a loop or a link
 * out of the volume is reported as such, even past the end marker.
 */
static int dir_walk(struct hwf_fat *fs, uint32_t dir_cl, const char *name, size_t namelen,
		    hwf_fat32_dir_fn fn, void *ctx, struct hwf_err *e)
{
	uint32_t per = fs->csize / 32, slot = 0, c = dir_cl, len;
	struct lfn_acc *acc = calloc(1, sizeof(*acc));
	struct dir_ent *de = malloc(sizeof(*de));
	uint8_t *buf = malloc(fs->csize);
	char what[PATH_MAX_BYTES + 16];
	int rc = 0;

	if (!acc || !de || !buf) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	dir_what(name, namelen, what, sizeof(what));
	rc = hwf_fat32_chain_check(fs, dir_cl, what, &len, e);
	if (rc)
		goto out;
	while (c) {
		if (slot >= DIR_MAX_SLOTS) {
			rc = hwf_err_set(e, HWF_EFORMAT, "%s has more than %u entries", what,
					 DIR_MAX_SLOTS);
			goto out;
		}
		rc = hwf_fat32_read(fs->fd, buf, fs->csize, cluster_off(fs, c), 0, e);
		if (rc)
			goto out;
		for (uint32_t i = 0; i < per; i++, slot++) {
			const uint8_t *d = buf + (size_t)i * 32;

			if (d[0] == 0x00)
				goto out;
			if (d[0] == 0xE5) {
				acc->count = 0;
				continue;
			}
			if ((d[11] & 0x3F) == ATTR_LFN) {
				lfn_take(acc, d);
				continue;
			}
			fill_dirent(de, d, slot, acc);
			rc = fn(ctx, de, e);
			if (rc)
				goto out;
		}
		rc = hwf_fat32_chain_next(fs, c, &c, e);
		if (rc)
			goto out;
	}
out:
	free(acc);
	free(de);
	free(buf);
	return rc;
}

int hwf_fat32_dir_walk(struct hwf_fat *fs, uint32_t dir_cl, const char *name, size_t namelen,
		       hwf_fat32_dir_fn fn, void *ctx, struct hwf_err *e)
{
	return dir_walk(fs, dir_cl, name, namelen, fn, ctx, e);
}

static int is_label(const struct dir_ent *de)
{
	return (de->raw[11] & (ATTR_LABEL | ATTR_DIR)) == ATTR_LABEL;
}

struct lookup {
	const char *name;
	struct dir_ent *out;
};

static int lookup_cb(void *ctx, const struct dir_ent *de, struct hwf_err *e)
{
	struct lookup *l = ctx;

	(void)e;
	if (is_label(de) || (!name_eq(l->name, de->d.name) && !name_eq(l->name, de->d.short_name)))
		return 0;
	*l->out = *de;
	return 1;
}

/*
 * 1 with *out filled when @name is in the directory @dir (@dirlen bytes of
 * its path), 0 when not, < 0 on error.
 */
static int dir_lookup(struct hwf_fat *fs, uint32_t dir_cl, const char *dir, size_t dirlen,
		      const char *name, struct dir_ent *out, struct hwf_err *e)
{
	struct lookup l = {name, out};

	return dir_walk(fs, dir_cl, dir, dirlen, lookup_cb, &l, e);
}

static uint32_t dir_cluster(const struct hwf_fat *fs, const struct dir_ent *de)
{
	return de->d.first_cluster ? de->d.first_cluster : fs->root_cl; /* ".." of a top folder */
}

static void root_ent(const struct hwf_fat *fs, struct dir_ent *de)
{
	memset(de, 0, sizeof(*de));
	de->d.is_dir = 1;
	de->d.attr = ATTR_DIR;
	de->d.first_cluster = fs->root_cl;
}

/* Resolve the first @len bytes of @path. */
int hwf_fat32_resolve(struct hwf_fat *fs, const char *path, size_t len, struct dir_ent *out,
		      struct hwf_err *e)
{
	char comp[HWF_FAT_NAME_MAX];
	size_t i = 0;

	root_ent(fs, out);
	while (i < len) {
		size_t s, n;
		int rc;

		while (i < len && path[i] == '/')
			i++;
		s = i;
		while (i < len && path[i] != '/')
			i++;
		n = i - s;
		if (!n || (n == 1 && path[s] == '.'))
			continue;
		if (n >= sizeof(comp))
			return hwf_err_set(e, HWF_EINVAL, "%.*s: a name is too long", (int)len,
					   path);
		if (!out->d.is_dir)
			return hwf_err_set(e, HWF_ENOTFOUND, "%.*s: %.*s is a file, not a folder",
					   (int)len, path, (int)(s - 1), path);
		memcpy(comp, path + s, n);
		comp[n] = '\0';
		rc = dir_lookup(fs, dir_cluster(fs, out), path, s, comp, out, e);
		if (rc < 0)
			return rc;
		if (!rc)
			return hwf_err_set(e, HWF_ENOTFOUND, "%.*s: not found (no %.*s)", (int)len,
					   path, (int)i, path);
	}
	return 0;
}

int hwf_fat_stat(struct hwf_fat *fs, const char *path, struct hwf_fat_dirent *out,
		 struct hwf_err *e)
{
	struct dir_ent de;
	int rc = hwf_fat32_resolve(fs, path, strlen(path), &de, e);

	if (!rc)
		*out = de.d;
	return rc;
}

struct list_ctx {
	int (*cb)(void *ctx, const struct hwf_fat_dirent *d);
	void *ctx;
};

static int list_cb(void *ctx, const struct dir_ent *de, struct hwf_err *e)
{
	struct list_ctx *l = ctx;

	(void)e;
	if (is_label(de) || de->raw[0] == '.')
		return 0;
	return l->cb(l->ctx, &de->d);
}

int hwf_fat_list(struct hwf_fat *fs, const char *path,
		 int (*cb)(void *ctx, const struct hwf_fat_dirent *d), void *ctx, struct hwf_err *e)
{
	struct list_ctx l = {cb, ctx};
	struct dir_ent de;
	int rc = hwf_fat32_resolve(fs, path, strlen(path), &de, e);

	if (rc)
		return rc;
	if (!de.d.is_dir)
		return hwf_err_set(e, HWF_EINVAL, "%s is a file, not a folder", path);
	return dir_walk(fs, dir_cluster(fs, &de), path, strlen(path), list_cb, &l, e);
}

/* --- creating entries --------------------------------------------------------- */

/*
 * The 8.3 basis of @name (Windows' algorithm, ASCII only): upper-cased,
 * spaces and extra dots dropped, other characters FAT cannot hold as '_',
 * cut to 8 + 3.  *lossy when the name had to be changed beyond case.
 */
static void sfn_basis(const char *name, uint8_t sfn[11], int *lossy)
{
	const char *dot, *s = name;
	int nb = 0, ne = 0;

	memset(sfn, ' ', 11);
	*lossy = 0;
	while (*s == '.') {
		s++;
		*lossy = 1;
	}
	dot = strrchr(s, '.');
	for (const char *p = s; *p; p++) {
		int c = ascii_upper((unsigned char)*p), ext = dot && p > dot;

		if (p == dot)
			continue;
		if (c == ' ' || c == '.') {
			*lossy = 1;
			continue;
		}
		if ((unsigned char)*p >= 0x80) {
			while (((unsigned char)p[1] & 0xC0) == 0x80)
				p++; /* one '_' per code point */
			c = '_';
			*lossy = 1;
		} else if (!hwf_fat32_short_char_ok(c)) {
			c = '_';
			*lossy = 1;
		}
		if (ext && ne < 3)
			sfn[8 + ne++] = (uint8_t)c;
		else if (!ext && nb < 8)
			sfn[nb++] = (uint8_t)c;
		else
			*lossy = 1;
	}
	if (!nb) {
		sfn[0] = '_';
		*lossy = 1;
	}
}

struct sfn_find {
	const uint8_t *sfn;
};

static int sfn_find_cb(void *ctx, const struct dir_ent *de, struct hwf_err *e)
{
	struct sfn_find *f = ctx;

	(void)e;
	return !is_label(de) && !memcmp(de->raw, f->sfn, 11);
}

/*
 * Check @name and work out its entries in directory @dir_cl (@dir, @dirlen:
 * its path, for messages): HWF_EEXIST when it is there, HWF_EINVAL when FAT
 * cannot hold it.
 */
static int make_name(struct hwf_fat *fs, uint32_t dir_cl, const char *dir, size_t dirlen,
		     const char *name, struct new_name *nn, struct hwf_err *e)
{
	struct sfn_find f = {nn->sfn};
	size_t len = strlen(name);
	uint8_t basis[8];
	char disp[13];
	struct dir_ent de;
	int lossy, rc, blen = 8;

	memset(nn, 0, sizeof(*nn));
	if (!len || !strcmp(name, ".") || !strcmp(name, ".."))
		return hwf_err_set(e, HWF_EINVAL, "\"%s\" is not a valid file name", name);
	if (name[len - 1] == ' ' || name[len - 1] == '.')
		return hwf_err_set(e, HWF_EINVAL,
				   "\"%s\": FAT names cannot end with a space or a dot", name);
	for (const unsigned char *p = (const unsigned char *)name; *p;) {
		uint32_t cp;
		int n = utf8_next(p, &cp);

		if (!n)
			return hwf_err_set(e, HWF_EINVAL, "\"%s\" is not valid UTF-8", name);
		if (cp < 0x20 || (cp < 0x80 && strchr("\"*/:<>?\\|", (int)cp)))
			return hwf_err_set(
			    e, HWF_EINVAL,
			    "\"%s\": FAT names cannot hold control characters or any "
			    "of \" * / : < > ? \\ |",
			    name);
		if (nn->lfn_len + (cp >= 0x10000 ? 2 : 1) > LFN_MAX_UNITS)
			return hwf_err_set(e, HWF_EINVAL, "\"%s\" is longer than 255 characters",
					   name);
		if (cp >= 0x10000) {
			nn->lfn[nn->lfn_len++] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
			nn->lfn[nn->lfn_len++] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
		} else {
			nn->lfn[nn->lfn_len++] = (uint16_t)cp;
		}
		p += n;
	}
	rc = dir_lookup(fs, dir_cl, dir, dirlen, name, &de, e);
	if (rc < 0)
		return rc;
	if (rc)
		return hwf_err_set(e, HWF_EEXIST, "%s already exists", name);

	sfn_basis(name, nn->sfn, &lossy);
	short_display(nn->sfn, disp, 0);
	if (!lossy && !strcmp(disp, name)) {
		nn->lfn_len = 0; /* a valid upper-case 8.3 name: no long name needed */
		nn->nslots = 1;
		return 0;
	}
	/* Lossy or taken: BASIS~N with the first free N. */
	memcpy(basis, nn->sfn, 8);
	while (blen > 0 && basis[blen - 1] == ' ')
		blen--;
	rc = lossy ? 1 : dir_walk(fs, dir_cl, dir, dirlen, sfn_find_cb, &f, e);
	for (uint32_t k = 1; rc > 0; k++) {
		char tail[8];
		int tl, keep;

		if (k > 999999)
			return hwf_err_set(e, HWF_ENOSPC, "no free short name for %s", name);
		tl = snprintf(tail, sizeof(tail), "~%u", k);
		keep = blen < 8 - tl ? blen : 8 - tl;
		memset(nn->sfn, ' ', 8);
		memcpy(nn->sfn, basis, (size_t)keep);
		memcpy(nn->sfn + keep, tail, (size_t)tl);
		rc = dir_walk(fs, dir_cl, dir, dirlen, sfn_find_cb, &f, e);
	}
	if (rc < 0)
		return rc;
	nn->nslots = (nn->lfn_len + 12) / 13 + 1;
	return 0;
}

/* Write the long-name entries of @nn, then @short_ent, into @out (nslots * 32 bytes). */
static void build_entries(const struct new_name *nn, const uint8_t *short_ent, uint8_t *out)
{
	uint32_t nl = nn->nslots - 1;
	uint8_t chk = sfn_checksum(short_ent);

	for (uint32_t i = 0; i < nl; i++) {
		uint8_t *d = out + (size_t)i * 32;
		uint32_t ord = nl - i;

		memset(d, 0, 32);
		d[0] = (uint8_t)(ord | (i == 0 ? 0x40 : 0));
		d[11] = ATTR_LFN;
		d[13] = chk;
		for (uint32_t k = 0; k < 13; k++) {
			uint32_t at = (ord - 1) * 13 + k;
			uint16_t u = 0xFFFF; /* padding after the terminator */

			if (at < nn->lfn_len)
				u = nn->lfn[at];
			else if (at == nn->lfn_len)
				u = 0;
			put_le16(d + lfn_pos[k], u);
		}
	}
	memcpy(out + (size_t)nl * 32, short_ent, 32);
}

static int dir_plan(struct hwf_fat *fs, uint32_t dir_cl, const char *dir, size_t dirlen, uint32_t n,
		    struct slot_plan *p, struct hwf_err *e)
{
	uint32_t per = fs->csize / 32, run = 0, c = dir_cl, len;
	uint8_t *buf = malloc(fs->csize);
	char what[PATH_MAX_BYTES + 16];
	int rc = 0, found = 0, ended = 0;

	memset(p, 0, sizeof(*p));
	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	dir_what(dir, dirlen, what, sizeof(what));
	rc = hwf_fat32_chain_check(fs, dir_cl, what, &len, e);
	if (rc)
		goto out;
	while (c) {
		if (p->nslots >= DIR_MAX_SLOTS) {
			rc = hwf_err_set(e, HWF_EFORMAT, "%s has more than %u entries", what,
					 DIR_MAX_SLOTS);
			goto out;
		}
		rc = hwf_fat32_read(fs->fd, buf, fs->csize, cluster_off(fs, c), 0, e);
		if (rc)
			goto out;
		for (uint32_t i = 0; i < per; i++, p->nslots++) {
			uint8_t b0 = buf[(size_t)i * 32];

			if (!ended && b0 == 0x00) {
				ended = 1;
				p->end = p->nslots;
			}
			if (found)
				continue;
			if (ended || b0 == 0xE5) {
				if (!run++)
					p->first = p->nslots;
				if (run == n)
					found = 1;
			} else {
				run = 0;
			}
		}
		p->last_cl = c;
		rc = hwf_fat32_chain_next(fs, c, &c, e);
		if (rc)
			goto out;
	}
	if (!ended)
		p->end = p->nslots;
	if (!found) {
		if (!run)
			p->first = p->nslots;
		p->grow = (p->first + n - p->nslots + per - 1) / per;
	}
	if (p->first + n > DIR_MAX_SLOTS)
		rc = hwf_err_set(e, HWF_ENOSPC, "the folder is full (%u entries)", DIR_MAX_SLOTS);
out:
	free(buf);
	return rc;
}

static int dir_grow(struct hwf_fat *fs, struct slot_plan *p, struct hwf_err *e)
{
	for (uint32_t i = 0; i < p->grow; i++) {
		uint32_t c;
		int rc = hwf_fat32_alloc_cluster(fs, &c, e);

		if (!rc)
			rc = hwf_fat32_set(fs, p->last_cl, c, e);
		if (rc)
			return rc;
		p->last_cl = c;
		p->nslots += fs->csize / 32;
	}
	p->grow = 0;
	return 0;
}

/* Write @n entries from slot @first of directory @dir_cl (long enough already). */
static int dir_write(struct hwf_fat *fs, uint32_t dir_cl, const struct slot_plan *p,
		     const uint8_t *ents, uint32_t n, struct hwf_err *e)
{
	uint32_t per = fs->csize / 32, c = dir_cl, idx = 0;
	static const uint8_t zero[32];
	uint32_t first = p->first, total = n;
	int rc = 0;

	/* The set ends past the old end marker: mark the new end. */
	if (first + n > p->end && first + n < p->nslots)
		total = n + 1;
	for (uint32_t i = 0; i < total && !rc; i++) {
		uint32_t slot = first + i;

		while (idx < slot / per && !rc) {
			rc = hwf_fat32_chain_next(fs, c, &c, e);
			idx++;
			if (!rc && !c)
				rc = hwf_err_set(e, HWF_EFORMAT, "the folder's chain ended early");
		}
		if (!rc)
			rc = hwf_fat32_write(fs->fd, i < n ? ents + (size_t)i * 32 : zero, 32,
					     cluster_off(fs, c) + (uint64_t)(slot % per) * 32, e);
	}
	return rc;
}

/* Everything up to "where do the entries go" for a new @path; nothing is written. */
int hwf_fat32_create_prepare(struct hwf_fat *fs, const char *path, struct hwf_fat32_create *cr,
			     struct hwf_err *e)
{
	size_t len = strlen(path);
	const char *leaf;
	struct dir_ent de;
	char *name;
	int rc;

	if (!fs->writable)
		return hwf_err_set(e, HWF_EINVAL, "the volume was opened read-only");
	while (len && path[len - 1] == '/')
		len--;
	if (!len || len >= PATH_MAX_BYTES)
		return hwf_err_set(e, HWF_EINVAL, "\"%s\" is not a valid path", path);
	leaf = memrchr(path, '/', len);
	leaf = leaf ? leaf + 1 : path;
	rc = hwf_fat32_resolve(fs, path, (size_t)(leaf - path), &de, e);
	if (rc)
		return rc;
	if (!de.d.is_dir)
		return hwf_err_set(e, HWF_ENOTFOUND, "%.*s is a file, not a folder",
				   (int)(leaf - path), path);
	cr->dir_cl = dir_cluster(fs, &de);
	name = strndup(leaf, len - (size_t)(leaf - path));
	if (!name)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = make_name(fs, cr->dir_cl, path, (size_t)(leaf - path), name, &cr->nn, e);
	free(name);
	if (!rc)
		rc = dir_plan(fs, cr->dir_cl, path, (size_t)(leaf - path), cr->nn.nslots, &cr->plan,
			      e);
	return rc;
}

/* Grow the folder if needed, write the entries, flush the FAT, FSInfo and the disk. */
int hwf_fat32_create_commit(struct hwf_fat *fs, struct hwf_fat32_create *cr,
			    const uint8_t *short_ent, struct hwf_err *e)
{
	uint8_t ents[21 * 32];
	int rc;

	build_entries(&cr->nn, short_ent, ents);
	rc = dir_grow(fs, &cr->plan, e);
	if (!rc)
		rc = hwf_fat32_flush(fs, e);
	if (!rc)
		rc = dir_write(fs, cr->dir_cl, &cr->plan, ents, cr->nn.nslots, e);
	if (!rc)
		rc = hwf_fat32_fsinfo_update(fs, e);
	if (!rc)
		rc = hwf_fat32_sync(fs->fd, e);
	return rc;
}

int hwf_fat_mkdir(struct hwf_fat *fs, const char *path, struct hwf_err *e)
{
	struct hwf_fat32_create *cr = malloc(sizeof(*cr));
	uint8_t ent[32], dots[64];
	uint32_t nfree, c = 0;
	int rc;

	if (!cr)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_fat32_create_prepare(fs, path, cr, e);
	if (!rc)
		rc = hwf_fat32_count_free(fs, &nfree, e);
	if (!rc && (uint64_t)cr->plan.grow + 1 > nfree)
		rc = hwf_err_set(e, HWF_ENOSPC, "no room for folder %s: the volume is full", path);
	if (!rc)
		rc = hwf_fat32_alloc_cluster(fs, &c, e);
	if (!rc) {
		uint32_t parent = cr->dir_cl == fs->root_cl ? 0 : cr->dir_cl;

		hwf_fat32_make_short(dots, (const uint8_t *)".          ", ATTR_DIR, c, 0);
		hwf_fat32_make_short(dots + 32, (const uint8_t *)"..         ", ATTR_DIR, parent,
				     0);
		rc = hwf_fat32_write(fs->fd, dots, sizeof(dots), cluster_off(fs, c), e);
		if (rc)
			hwf_fat32_free_chain(fs, c);
	}
	if (!rc) {
		hwf_fat32_make_short(ent, cr->nn.sfn, ATTR_DIR, c, 0);
		rc = hwf_fat32_create_commit(fs, cr, ent, e);
		if (rc)
			hwf_fat32_free_chain(fs, c);
	}
	free(cr);
	return rc;
}
