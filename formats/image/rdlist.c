// SPDX-License-Identifier: MIT
#include "formats/image/rdlist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/text.h"
#include "formats/image/rdtree.h"

int hwf_cpio_parse(const uint8_t *h, struct hwf_cpio_hdr *c, struct hwf_err *e)
{
	uint32_t v[13];

	memset(c, 0, sizeof(*c));
	if (memcmp(h, "07070", 5) || (h[5] != '1' && h[5] != '2'))
		return hwf_err_set(e, HWF_EFORMAT, "not a cpio \"newc\" header");
	c->crc = h[5] == '2';
	for (int f = 0; f < 13; f++) {
		v[f] = 0;
		for (int i = 0; i < 8; i++) {
			int ch = h[6 + f * 8 + i], x = hwf_hex_digit(ch);

			if (x < 0)
				return hwf_err_set(e, HWF_EFORMAT,
						   "a cpio header with a non-hex digit (0x%02x)",
						   ch);
			c->lower |= ch >= 'a';
			c->upper |= ch >= 'A' && ch <= 'F';
			v[f] = v[f] << 4 | (uint32_t)x;
		}
	}
	c->ino = v[0];
	c->mode = v[1];
	c->uid = v[2];
	c->gid = v[3];
	c->nlink = v[4];
	c->mtime = v[5];
	c->size = v[6];
	c->dmaj = v[7];
	c->dmin = v[8];
	c->rmaj = v[9];
	c->rmin = v[10];
	c->namesize = v[11];
	c->check = v[12];
	return 0;
}

void hwf_cpio_format(const struct hwf_cpio_hdr *c, int upper, uint8_t *h)
{
	const uint32_t v[13] = {c->ino,	 c->mode, c->uid,  c->gid,  c->nlink,	 c->mtime, c->size,
				c->dmaj, c->dmin, c->rmaj, c->rmin, c->namesize, c->check};
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	memcpy(h, c->crc ? "070702" : "070701", 6);
	for (int f = 0; f < 13; f++)
		for (int i = 0; i < 8; i++)
			h[6 + f * 8 + i] = (uint8_t)dig[(v[f] >> (28 - 4 * i)) & 15];
}

const char *hwf_rdname_path(const char *name)
{
	const char *p = name, *c;
	size_t n = strlen(name);

	if (!n || n >= HWF_RD_NAME_MAX)
		return NULL;
	if (!strcmp(name, ".") || !strcmp(name, "./"))
		return name + n;
	if (!strncmp(p, "./", 2))
		p += 2;
	if (*p == '/' || !*p)
		return NULL;
	c = p;
	for (int parts = 1;; parts++) {
		const char *s = strchr(c, '/');
		size_t l = s ? (size_t)(s - c) : strlen(c);

		if (!l || parts > HWF_RD_DEPTH_MAX || (l == 1 && c[0] == '.') ||
		    (l == 2 && c[0] == '.' && c[1] == '.'))
			return NULL;
		if (!s)
			return p;
		c = s + 1;
	}
}

static const struct {
	char type;
	uint32_t mode;
} types[] = {{'f', 0100000}, {'d', 0040000}, {'l', 0120000}, {'c', 0020000},
	     {'b', 0060000}, {'p', 0010000}, {'s', 0140000}, {'D', 0040000}};

char hwf_rd_type_of_mode(uint32_t mode)
{
	for (size_t i = 0; i < 7; i++)
		if ((mode & 0170000) == types[i].mode)
			return types[i].type;
	return 0;
}

uint32_t hwf_rd_mode_of_type(char type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return types[i].mode;
	return 0;
}

size_t hwf_rd_escape(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= 0x20 || ch == 0x7f || ch == '\\')
			o += (size_t)sprintf(out + o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
	return o;
}

size_t hwf_rdlist_format(const struct hwf_rdent *en, char *out)
{
	size_t o;

	o = (size_t)sprintf(out, "%c %04o %u %u %u %u %u %u:%u %u:%u %u ", en->type,
			    (unsigned)en->mode, en->uid, en->gid, en->mtime, en->ino, en->nlink,
			    en->dmaj, en->dmin, en->rmaj, en->rmin, en->size);
	if (en->type == 'f') {
		for (int i = 0; i < 32; i++)
			o += (size_t)sprintf(out + o, "%02x", en->sha[i]);
	} else if (en->type == 'l') {
		o += hwf_rd_escape(en->target, strlen(en->target), out + o);
	} else {
		out[o++] = '-';
	}
	out[o++] = ' ';
	o += hwf_rd_escape(en->name, strlen(en->name), out + o);
	out[o++] = '\n';
	out[o] = '\0';
	return o;
}

const char *hwf_rdtree_comp_word(enum hwf_ramdisk_comp c)
{
	switch (c) {
	case HWF_RD_GZIP: return "gzip";
	case HWF_RD_LZ4_LEGACY: return "lz4-legacy";
	case HWF_RD_LZ4_FRAME: return "lz4-frame";
	case HWF_RD_CPIO: return "none";
	case HWF_RD_UNKNOWN: break;
	}
	return "unknown";
}

/* --- the reader ---------------------------------------------------------------- */

struct lp {
	const char *s, *end; /* the rest of the line */
	const char *name;
	size_t line;
	struct hwf_err *e;
};

static int bad(struct lp *p, const char *what)
{
	return hwf_err_set(p->e, HWF_EFORMAT, "%s: line %zu: %s", p->name, p->line, what);
}

/* The next space-separated field: [*f, *f + *n).  The last field of a line is its rest. */
static int field(struct lp *p, const char **f, size_t *n, int last)
{
	const char *sp;

	if (p->s >= p->end)
		return bad(p, "too few fields");
	sp = last ? p->end : memchr(p->s, ' ', (size_t)(p->end - p->s));
	if (!sp)
		return bad(p, "too few fields");
	*f = p->s;
	*n = (size_t)(sp - p->s);
	p->s = sp + (sp < p->end);
	if (!*n)
		return bad(p, "an empty field (two spaces?)");
	return 0;
}

/* The decimal (or octal) number [f, f + n), at most 2^32-1. */
static int numf(struct lp *p, const char *f, size_t n, uint32_t *v, int base, const char *what)
{
	uint64_t x = 0;
	char msg[96];

	if (!n || n > 11)
		goto no;
	for (size_t i = 0; i < n; i++) {
		int d = f[i] - '0';

		if (d < 0 || d >= base)
			goto no;
		x = x * (unsigned)base + (unsigned)d;
	}
	if (x > 0xffffffffu)
		goto no;
	*v = (uint32_t)x;
	return 0;
no:
	snprintf(msg, sizeof(msg), "%s is not a number up to 2^32-1", what);
	return bad(p, msg);
}

static int num(struct lp *p, uint32_t *v, int base, const char *what)
{
	const char *f = NULL;
	size_t n = 0;

	if (field(p, &f, &n, 0))
		return HWF_EFORMAT;
	return numf(p, f, n, v, base, what);
}

/* MAJOR:MINOR */
static int pair(struct lp *p, uint32_t *a, uint32_t *b, const char *what)
{
	const char *f = NULL, *colon;
	size_t n = 0;

	if (field(p, &f, &n, 0))
		return HWF_EFORMAT;
	colon = memchr(f, ':', n);
	if (!colon)
		return bad(p, "a device field is not MAJOR:MINOR");
	if (numf(p, f, (size_t)(colon - f), a, 10, what) ||
	    numf(p, colon + 1, n - (size_t)(colon - f) - 1, b, 10, what))
		return HWF_EFORMAT;
	return 0;
}

/* Unescape [f, f + n) into a new string; no NUL allowed. */
static int unescape(struct lp *p, const char *f, size_t n, char **out, size_t max)
{
	char *s = malloc(n + 1);
	size_t o = 0;

	if (!s)
		return hwf_err_set(p->e, HWF_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		int ch = (unsigned char)f[i];

		if (ch == '\\') {
			int hi, lo;

			if (i + 3 >= n || f[i + 1] != 'x' || (hi = hwf_hex_digit(f[i + 2])) < 0 ||
			    (lo = hwf_hex_digit(f[i + 3])) < 0) {
				free(s);
				return bad(p, "a bad escape (only \\xHH)");
			}
			ch = hi << 4 | lo;
			i += 3;
		} else if (ch <= 0x20 || ch == 0x7f) {
			free(s);
			return bad(p, "a control byte or space not escaped");
		}
		if (!ch) {
			free(s);
			return bad(p, "a NUL byte in a name");
		}
		s[o++] = (char)ch;
	}
	s[o] = '\0';
	if (!o || o >= max) {
		free(s);
		return bad(p, o ? "a name too long" : "an empty name");
	}
	*out = s;
	return 0;
}

static int parse_entry(struct lp *p, struct hwf_rdent *en)
{
	const char *f = NULL;
	size_t n = 0;
	uint32_t mode;

	memset(en, 0, sizeof(*en));
	if (p->end - p->s < 2 || p->s[1] != ' ' || !strchr("fdlcbpsDT", p->s[0]) || !p->s[0])
		return bad(p, "not an entry (TYPE MODE UID GID MTIME INO NLINK DEV RDEV SIZE "
			      "DATA NAME)");
	en->type = p->s[0];
	p->s += 2;
	if (num(p, &mode, 8, "MODE") || num(p, &en->uid, 10, "UID") ||
	    num(p, &en->gid, 10, "GID") || num(p, &en->mtime, 10, "MTIME") ||
	    num(p, &en->ino, 10, "INO") || num(p, &en->nlink, 10, "NLINK") ||
	    pair(p, &en->dmaj, &en->dmin, "DEV") || pair(p, &en->rmaj, &en->rmin, "RDEV") ||
	    num(p, &en->size, 10, "SIZE"))
		return HWF_EFORMAT;
	if (en->type != 'T' && mode > 07777)
		return bad(p, "MODE has more than permission bits");
	en->mode = mode;
	if (field(p, &f, &n, 0))
		return HWF_EFORMAT;
	if (en->type == 'f') {
		if (n != 64)
			return bad(p, "a file's DATA is not a SHA-256 (64 hex digits)");
		for (int i = 0; i < 32; i++) {
			int hi = hwf_hex_digit(f[2 * i]), lo = hwf_hex_digit(f[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return bad(p, "a file's DATA is not a SHA-256 (64 hex digits)");
			en->sha[i] = (uint8_t)(hi << 4 | lo);
		}
	} else if (en->type == 'l') {
		if (unescape(p, f, n, &en->target, HWF_RD_NAME_MAX))
			return HWF_EFORMAT;
	} else if (n != 1 || f[0] != '-') {
		return bad(p, "DATA is not \"-\"");
	}
	if (field(p, &f, &n, 1) || unescape(p, f, n, &en->name, HWF_RD_NAME_MAX)) {
		free(en->target);
		en->target = NULL;
		return HWF_EFORMAT;
	}
	if (en->type == 'T') {
		if (strcmp(en->name, "TRAILER!!!"))
			return bad(p, "a T entry not named TRAILER!!!");
		en->path = en->name;
		return 0;
	}
	if (!strcmp(en->name, "TRAILER!!!"))
		return bad(p, "TRAILER!!! as an entry's name");
	en->path = hwf_rdname_path(en->name);
	if (!en->path)
		return bad(p, "a name that may not be a path in the folder (absolute, empty "
			      "part, . or ..)");
	if (!*en->path && en->type != 'd')
		return bad(p, "the folder itself (\".\") as something else than a folder");
	return 0;
}

static int header_line(struct lp *p, struct hwf_rdlist *l, int *have_comp, int *have_cpio)
{
	const char *f = NULL;
	size_t n = 0;
	uint32_t pad;

	if (!strncmp(p->s, "comp ", 5) && p->end - p->s >= 5) {
		static const enum hwf_ramdisk_comp cs[] = {HWF_RD_GZIP, HWF_RD_LZ4_LEGACY,
							   HWF_RD_LZ4_FRAME, HWF_RD_CPIO};
		p->s += 5;
		if (field(p, &f, &n, 1))
			return HWF_EFORMAT;
		for (size_t i = 0; i < 4; i++) {
			const char *w = hwf_rdtree_comp_word(cs[i]);

			if (strlen(w) == n && !memcmp(w, f, n)) {
				l->comp = cs[i];
				*have_comp = 1;
				return 0;
			}
		}
		return bad(p, "comp is not gzip, lz4-legacy, lz4-frame or none");
	}
	p->s += 5;
	if (field(p, &f, &n, 0))
		return HWF_EFORMAT;
	if (n != 6 || (memcmp(f, "070701", 6) && memcmp(f, "070702", 6)))
		return bad(p, "cpio magic is not 070701 or 070702");
	l->crc = f[5] == '2';
	if (field(p, &f, &n, 0))
		return HWF_EFORMAT;
	if ((n != 5 || memcmp(f, "lower", 5)) && (n != 5 || memcmp(f, "upper", 5)))
		return bad(p, "cpio case is not lower or upper");
	l->upper = f[0] == 'u';
	if (field(p, &f, &n, 1) || numf(p, f, n, &pad, 10, "PAD"))
		return HWF_EFORMAT;
	if (pad < 4 || pad > (1u << 20) || (pad & (pad - 1)))
		return bad(p, "cpio PAD is not a power of two from 4 to 1048576");
	l->pad = pad;
	*have_cpio = 1;
	return 0;
}

static int by_path(const void *a, const void *b)
{
	const struct hwf_rdkey *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x->i < y->i ? -1 : x->i > y->i);
}

static int index_paths(struct hwf_rdlist *l, const char *name, struct hwf_err *e)
{
	size_t k = 0;

	l->sorted = malloc((l->n ? l->n : 1) * sizeof(*l->sorted));
	if (!l->sorted)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n; i++)
		if (l->ent[i].type != 'T')
			l->sorted[k++] = (struct hwf_rdkey){l->ent[i].path, i};
	l->nsorted = k;
	qsort(l->sorted, k, sizeof(*l->sorted), by_path);
	for (size_t i = 1; i < k; i++) {
		const struct hwf_rdent *x = &l->ent[l->sorted[i - 1].i],
				       *y = &l->ent[l->sorted[i].i];

		if (strcmp(x->path, y->path) || (x->type == 'D' && y->type == 'd'))
			continue;
		return hwf_err_set(e, HWF_EFORMAT, "%s: \"%s\" is listed twice", name,
				   *x->path ? x->path : ".");
	}
	return 0;
}

int hwf_rdlist_parse(struct hwf_rdlist *l, const char *buf, size_t len, const char *name,
		     struct hwf_err *e)
{
	struct lp p = {buf, buf, name, 0, e};
	const char *end = buf + len;
	int have_comp = 0, have_cpio = 0, have_t = 0;

	memset(l, 0, sizeof(*l));
	while (p.s < end) {
		const char *nl = memchr(p.s, '\n', (size_t)(end - p.s));

		p.line++;
		if (!nl)
			return bad(&p, "no newline at the end (a cut list?)");
		p.end = nl;
		if ((size_t)(nl - p.s) > HWF_RD_LINE_MAX)
			return bad(&p, "a line too long");
		if (p.line == 1) {
			if ((size_t)(nl - p.s) != 22 || memcmp(p.s, "hwflash-ramdisk-list 1", 22))
				return bad(&p, "not a hwflash ramdisk list (\"hwflash-ramdisk-list "
					       "1\")");
		} else if (p.s[0] == '#') {
		} else if (!strncmp(p.s, "comp ", 5) || !strncmp(p.s, "cpio ", 5)) {
			if (!strncmp(p.s, "comp ", 5) && have_comp)
				return bad(&p, "a second comp line");
			if (!strncmp(p.s, "cpio ", 5) && have_cpio)
				return bad(&p, "a second cpio line");
			if (header_line(&p, l, &have_comp, &have_cpio))
				return HWF_EFORMAT;
		} else {
			struct hwf_rdent en;

			if (have_t)
				return bad(&p, "an entry after the TRAILER!!! line");
			if (l->n >= HWF_RD_ENTRIES_MAX)
				return bad(&p, "too many entries");
			if (l->n == l->cap) {
				size_t cap = l->cap ? l->cap * 2 : 64;
				struct hwf_rdent *ne = realloc(l->ent, cap * sizeof(*ne));

				if (!ne)
					return hwf_err_set(e, HWF_ENOMEM, "out of memory");
				l->ent = ne;
				l->cap = cap;
			}
			if (parse_entry(&p, &en)) {
				free(en.name);
				free(en.target);
				return HWF_EFORMAT;
			}
			l->ent[l->n++] = en;
			have_t = en.type == 'T';
		}
		p.s = nl + 1;
	}
	if (!p.line)
		return hwf_err_set(e, HWF_EFORMAT, "%s: empty, not a hwflash ramdisk list", name);
	if (!have_comp || !have_cpio || !have_t)
		return hwf_err_set(e, HWF_EFORMAT, "%s: no %s line (a cut list?)", name,
				   !have_comp	? "comp"
				   : !have_cpio ? "cpio"
						: "TRAILER!!!");
	return index_paths(l, name, e);
}

int hwf_rdlist_load(struct hwf_rdlist *l, const char *path, struct hwf_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t got = 0;
	int rc;

	memset(l, 0, sizeof(*l));
	if (fd < 0)
		return hwf_err_set(e, errno == ENOENT ? HWF_ENOTFOUND : HWF_EIO, "%s: %s", path,
				   strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (off_t)HWF_RD_LIST_MAX) {
		close(fd);
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: not a ramdisk list (not a file, or over "
				   "%u MiB)",
				   path, HWF_RD_LIST_MAX >> 20);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc =
			    hwf_err_set(e, HWF_EIO, "%s: %s", path, r ? strerror(errno) : "shrank");
			close(fd);
			free(buf);
			return rc;
		}
		got += (size_t)r;
	}
	close(fd);
	rc = hwf_rdlist_parse(l, buf, got, path, e);
	free(buf);
	if (rc)
		hwf_rdlist_free(l);
	return rc;
}

void hwf_rdlist_free(struct hwf_rdlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->ent[i].name);
		free(l->ent[i].target);
	}
	free(l->ent);
	free(l->sorted);
	memset(l, 0, sizeof(*l));
}

const struct hwf_rdent *hwf_rdlist_find(const struct hwf_rdlist *l, const char *path)
{
	size_t lo = 0, hi = l->nsorted;
	const struct hwf_rdent *hit = NULL;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->sorted[mid].path, path);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < l->nsorted && !strcmp(l->sorted[lo].path, path); lo++)
		if (!hit || hit->type == 'D')
			hit = &l->ent[l->sorted[lo].i];
	return hit;
}
