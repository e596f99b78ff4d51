// SPDX-License-Identifier: MIT
/*
 * The ramdisk folder (formats/image/rdtree.h): archives written here by a
 * small newc writer of the test's own (mkbootfs style: lowercase hex,
 * inodes from 300000, bare names, padded to 256; GNU cpio style: uppercase,
 * "./" names, padded to 512), compressed with zlib and liblz4 directly,
 * unpacked, compared and packed again.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <lz4.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "formats/image/ramdisk.h"
#include "formats/image/rdlist.h"
#include "formats/image/rdtree.h"
#include "tests/unit/testutil.h"

struct buf {
	uint8_t *b;
	size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 1024;
		b->b = realloc(b->b, b->cap);
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void align(struct buf *b, size_t to)
{
	static const uint8_t z[512];

	while (b->n % to)
		put(b, z, 1);
}

struct style {
	int upper, crc;
	unsigned ino0, pad;
};

static const struct style MKBOOTFS = {0, 0, 300000, 256};
static const struct style GNUCPIO = {1, 0, 0, 512};

/* One newc entry as the style's writer puts it. */
static void ent(struct buf *b, const struct style *st, unsigned ino, unsigned mode, unsigned uid,
		unsigned mtime, unsigned rmaj, unsigned rmin, const char *name, const void *data,
		size_t len)
{
	char h[111];
	unsigned sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += ((const uint8_t *)data)[i];
	snprintf(h, sizeof(h),
		 st->upper ? "%s%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X"
			   : "%s%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x",
		 st->crc ? "070702" : "070701", ino, mode, uid, uid, 1u, mtime, len, 0u, 0u, rmaj,
		 rmin, strlen(name) + 1, st->crc ? sum : 0u);
	put(b, h, 110);
	put(b, name, strlen(name) + 1);
	align(b, 4);
	if (len)
		put(b, data, len);
	align(b, 4);
}

static void trailer(struct buf *b, const struct style *st, unsigned ino)
{
	ent(b, st, ino, 0, 0, 0, 0, 0, "TRAILER!!!", NULL, 0);
	align(b, st->pad);
}

/* A small recovery-like ramdisk. */
static void sample(struct buf *b, const struct style *st)
{
	const char *p = st->upper ? "./" : "";
	char n[64];
	unsigned i = st->ino0;

	if (st->upper)
		ent(b, st, i++, 040755, 0, 1700000000, 0, 0, ".", NULL, 0);
	snprintf(n, sizeof(n), "%sinit", p);
	ent(b, st, i++, 0100750, 0, 1700000001, 0, 0, n, "#!init\n", 7);
	snprintf(n, sizeof(n), "%ssbin", p);
	ent(b, st, i++, 040750, 0, 0, 0, 0, n, NULL, 0);
	snprintf(n, sizeof(n), "%ssbin/recovery", p);
	ent(b, st, i++, 0104755, 2000, 5, 0, 0, n, "RECOVERY", 8);
	snprintf(n, sizeof(n), "%ssbin/sh", p);
	ent(b, st, i++, 0120777, 0, 0, 0, 0, n, "/system/bin/sh", 14);
	snprintf(n, sizeof(n), "%sdev", p);
	ent(b, st, i++, 040755, 0, 0, 0, 0, n, NULL, 0);
	snprintf(n, sizeof(n), "%sdev/console", p);
	ent(b, st, i++, 020600, 0, 0, 5, 1, n, NULL, 0);
	snprintf(n, sizeof(n), "%swith space\nand newline", p);
	ent(b, st, i++, 0100644, 0, 0, 0, 0, n, "x", 1);
	snprintf(n, sizeof(n), "%sempty", p);
	ent(b, st, i++, 0100600, 0, 0, 0, 0, n, NULL, 0);
	trailer(b, st, st->upper ? 0 : i);
}

static struct buf gz(const struct buf *in)
{
	struct buf o = {malloc(in->n + 1024), 0, in->n + 1024};
	z_stream z = {0};

	deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	z.next_in = in->b;
	z.avail_in = (uInt)in->n;
	z.next_out = o.b;
	z.avail_out = (uInt)o.cap;
	CU_ASSERT_EQUAL(deflate(&z, Z_FINISH), Z_STREAM_END);
	o.n = o.cap - z.avail_out;
	deflateEnd(&z);
	return o;
}

static struct buf lz4legacy(const struct buf *in)
{
	struct buf o = {malloc((size_t)LZ4_compressBound((int)in->n) + 8), 8, 0};
	int n = LZ4_compress_default((const char *)in->b, (char *)o.b + 8, (int)in->n,
				     LZ4_compressBound((int)in->n));

	memcpy(o.b, "\x02\x21\x4c\x18", 4);
	o.b[4] = (uint8_t)n, o.b[5] = (uint8_t)(n >> 8), o.b[6] = (uint8_t)(n >> 16), o.b[7] = 0;
	o.n = 8 + (size_t)n;
	return o;
}

static struct buf lz4frame(const struct buf *in)
{
	size_t cap = LZ4F_compressFrameBound(in->n, NULL);
	struct buf o = {malloc(cap), 0, cap};

	o.n = LZ4F_compressFrame(o.b, cap, in->b, in->n, NULL);
	CU_ASSERT_FALSE(LZ4F_isError(o.n));
	return o;
}

struct ws {
	char *tmp, *dir, *list, *out;
};

static void ws_open(struct ws *w)
{
	w->tmp = tu_mkdtemp();
	w->dir = tu_path(w->tmp, "rd");
	w->list = tu_path(w->tmp, "rd.list");
	w->out = tu_path(w->tmp, "out");
}

static void ws_close(struct ws *w)
{
	tu_rmtree(w->tmp);
	free(w->tmp);
	free(w->dir);
	free(w->list);
	free(w->out);
}

static int extract(struct ws *w, const void *b, size_t n, struct hwf_rdtree_info *info,
		   struct hwf_err *e)
{
	struct hwf_source *src;
	int rc;

	hwf_source_open_mem(&src, b, n, "rd", e);
	rc = hwf_rdtree_extract(src, 0, n, w->dir, w->list, info, e);
	hwf_source_close(src);
	return rc;
}

/* Pack into w->out; the bytes (malloc'ed) in *@o. */
static int pack(struct ws *w, enum hwf_ramdisk_comp c, struct buf *o, struct hwf_err *e)
{
	int fd = open(w->out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	uint64_t written = 0;
	int rc = hwf_rdtree_pack(w->dir, w->list, c, fd, &written, e);
	long long n = lseek(fd, 0, SEEK_END);

	o->n = (size_t)n;
	o->b = malloc(o->n + 1);
	CU_ASSERT_EQUAL(pread(fd, o->b, o->n, 0), (ssize_t)o->n);
	if (!rc)
		CU_ASSERT_EQUAL(written, (uint64_t)n);
	close(fd);
	return rc;
}

static int changed(struct ws *w, struct hwf_err *e)
{
	int ch = -1;

	CU_ASSERT_EQUAL(hwf_rdtree_changed(w->dir, w->list, &ch, e), 0);
	return ch;
}

static void roundtrip_style(const struct style *st)
{
	struct buf cpio = {0}, packed[4];
	struct buf comp[4];
	enum hwf_ramdisk_comp cs[4] = {HWF_RD_CPIO, HWF_RD_GZIP, HWF_RD_LZ4_LEGACY,
				       HWF_RD_LZ4_FRAME};
	struct hwf_err e = {0};

	sample(&cpio, st);
	comp[0] = (struct buf){malloc(cpio.n), cpio.n, cpio.n};
	memcpy(comp[0].b, cpio.b, cpio.n);
	comp[1] = gz(&cpio);
	comp[2] = lz4legacy(&cpio);
	comp[3] = lz4frame(&cpio);
	for (int i = 0; i < 4; i++) {
		struct ws w;
		struct hwf_rdtree_info info;
		struct stat sb;
		char l[64];

		ws_open(&w);
		CU_ASSERT_EQUAL_FATAL(extract(&w, comp[i].b, comp[i].n, &info, &e), 0);
		CU_ASSERT_EQUAL(info.comp, cs[i]);
		CU_ASSERT_EQUAL(info.entries, st->upper ? 9 : 8);
		CU_ASSERT_EQUAL(info.bytes, cpio.n);
		CU_ASSERT_EQUAL(info.nodes, 1);
		CU_ASSERT_EQUAL(changed(&w, &e), 0);
		/* What the folder holds. */
		{
			char *p = tu_path(w.dir, "sbin/recovery");

			CU_ASSERT_EQUAL(tu_size(p), 8);
			CU_ASSERT_EQUAL(stat(p, &sb), 0);
			CU_ASSERT_EQUAL(sb.st_mode & 07777, 0755);
			free(p);
			p = tu_path(w.dir, "sbin/sh");
			CU_ASSERT_EQUAL(readlink(p, l, sizeof(l)), 14);
			free(p);
			p = tu_path(w.dir, "dev/console");
			CU_ASSERT_NOT_EQUAL(lstat(p, &sb), 0);
			free(p);
			p = tu_path(w.dir, "with space\nand newline");
			CU_ASSERT_EQUAL(tu_size(p), 1);
			free(p);
		}
		CU_ASSERT_EQUAL(pack(&w, HWF_RD_CPIO, &packed[0], &e), 0);
		CU_ASSERT_EQUAL(packed[0].n, cpio.n);
		CU_ASSERT(packed[0].n == cpio.n && !memcmp(packed[0].b, cpio.b, cpio.n));
		free(packed[0].b);
		/* Each compression packs to something that unpacks to the same cpio. */
		for (int j = 1; j < 4; j++) {
			struct ws w2;

			CU_ASSERT_EQUAL(pack(&w, cs[j], &packed[j], &e), 0);
			ws_open(&w2);
			CU_ASSERT_EQUAL(extract(&w2, packed[j].b, packed[j].n, &info, &e), 0);
			CU_ASSERT_EQUAL(info.comp, cs[j]);
			CU_ASSERT_EQUAL(info.bytes, cpio.n);
			free(packed[j].b);
			CU_ASSERT_EQUAL(pack(&w2, HWF_RD_CPIO, &packed[j], &e), 0);
			CU_ASSERT(packed[j].n == cpio.n && !memcmp(packed[j].b, cpio.b, cpio.n));
			free(packed[j].b);
			ws_close(&w2);
		}
		ws_close(&w);
	}
	for (int i = 0; i < 4; i++)
		free(comp[i].b);
	free(cpio.b);
}

static void test_roundtrip_mkbootfs(void)
{
	roundtrip_style(&MKBOOTFS);
}

static void test_roundtrip_gnu_cpio(void)
{
	roundtrip_style(&GNUCPIO);
}

static void test_roundtrip_crc_and_implicit(void)
{
	static const struct style CRC = {0, 1, 10, 4};
	struct buf b = {0}, o;
	struct ws w;
	struct hwf_err e = {0};
	struct hwf_rdtree_info info;

	ent(&b, &CRC, 1, 0100644, 0, 0, 0, 0, "a/b/c", "hello", 5);
	ent(&b, &CRC, 2, 040711, 0, 0, 0, 0, "a", NULL, 0);
	trailer(&b, &CRC, 0);
	ws_open(&w);
	CU_ASSERT_EQUAL_FATAL(extract(&w, b.b, b.n, &info, &e), 0);
	CU_ASSERT_EQUAL(info.implicit_dirs, 2);
	CU_ASSERT_EQUAL(changed(&w, &e), 0);
	CU_ASSERT_EQUAL(pack(&w, HWF_RD_CPIO, &o, &e), 0);
	CU_ASSERT(o.n == b.n && !memcmp(o.b, b.b, b.n));
	free(o.b);
	ws_close(&w);
	/* A wrong checksum. */
	b.b[110 - 1] ^= 1;
	ws_open(&w);
	CU_ASSERT_EQUAL(extract(&w, b.b, b.n, &info, &e), HWF_ECRC);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "checksum"));
	CU_ASSERT_EQUAL(tu_count_names(w.tmp, "rd"), 0);
	ws_close(&w);
	free(b.b);
}

/* Edit the folder: the changes are seen and packed as the header says. */
static void test_changes(void)
{
	struct buf cpio = {0}, o = {0};
	struct ws w;
	struct hwf_err e = {0};
	struct hwf_rdtree_info info;
	char *p;

	sample(&cpio, &MKBOOTFS);
	ws_open(&w);
	CU_ASSERT_EQUAL_FATAL(extract(&w, cpio.b, cpio.n, &info, &e), 0);
	p = tu_path(w.dir, "init");
	CU_ASSERT_EQUAL(tu_write(p, "#!new init\n", 11), 0);
	CU_ASSERT_EQUAL(changed(&w, &e), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "init has other contents"));
	CU_ASSERT_EQUAL(chmod(p, 0755), 0);
	free(p);
	p = tu_path(w.dir, "empty");
	CU_ASSERT_EQUAL(unlink(p), 0);
	free(p);
	p = tu_path(w.dir, "zz-new");
	CU_ASSERT_EQUAL(tu_write(p, "new", 3), 0);
	free(p);
	p = tu_path(w.dir, "sbin/aa");
	CU_ASSERT_EQUAL(symlink("../../../etc/passwd", p), 0);
	free(p);
	CU_ASSERT_EQUAL(pack(&w, HWF_RD_CPIO, &o, &e), 0);
	{
		/* Independent view: the names and modes in order. */
		const char *want[] = {"init",	"sbin",	       "sbin/recovery",		  "sbin/sh",
				      "dev",	"dev/console", "with space\nand newline", "sbin/aa",
				      "zz-new", "TRAILER!!!"};
		const unsigned modes[] = {0100755, 040750,  0104755, 0120777, 040755,
					  020600,  0100644, 0120777, 0100644, 0};
		size_t at = 0, k = 0;

		while (at + 110 <= o.n && k < 10) {
			char f[9] = {0};
			unsigned long ns, fs, mode;

			memcpy(f, o.b + at + 94, 8);
			ns = strtoul(f, NULL, 16);
			memcpy(f, o.b + at + 54, 8);
			fs = strtoul(f, NULL, 16);
			memcpy(f, o.b + at + 14, 8);
			mode = strtoul(f, NULL, 16);
			CU_ASSERT_STRING_EQUAL((char *)o.b + at + 110, want[k]);
			CU_ASSERT_EQUAL(mode, modes[k]);
			if (k == 0)
				CU_ASSERT_EQUAL(fs, 11);
			if (k == 7)
				CU_ASSERT_EQUAL(fs, 19); /* a symlink stays a symlink */
			at = (at + 110 + ns + 3) & ~(size_t)3;
			at = (at + fs + 3) & ~(size_t)3;
			k++;
		}
		CU_ASSERT_EQUAL(k, 10);
		CU_ASSERT_EQUAL(o.n % 256, 0);
	}
	free(o.b);
	/* A fifo in the folder cannot be packed. */
	p = tu_path(w.dir, "fifo");
	CU_ASSERT_EQUAL(mkfifo(p, 0644), 0);
	CU_ASSERT_EQUAL(pack(&w, HWF_RD_CPIO, &o, &e), HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "fifo"));
	free(o.b);
	free(p);
	ws_close(&w);
	free(cpio.b);
}

/* Each bad archive: an error naming it, no folder, no list, no temporary left. */
static void bad(const struct buf *b, int want, const char *msg)
{
	struct ws w;
	struct hwf_err e = {0};
	int rc;

	ws_open(&w);
	rc = extract(&w, b->b, b->n, NULL, &e);
	CU_ASSERT_EQUAL(rc, want);
	if (rc != want || !strstr(e.msg, msg))
		fprintf(stderr, "\n  [%s] rc %d: %s\n", msg, rc, e.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, msg));
	CU_ASSERT_EQUAL(tu_count_names(w.tmp, ""), 0);
	ws_close(&w);
}

static void test_bad_archives(void)
{
	const struct style *st = &MKBOOTFS;
	struct buf b;

#define CASE(want, msg, ...)                                                                       \
	do {                                                                                       \
		b = (struct buf){0};                                                               \
		__VA_ARGS__;                                                                       \
		bad(&b, want, msg);                                                                \
		free(b.b);                                                                         \
	} while (0)
	CASE(HWF_EFORMAT, "outside the folder",
	     ent(&b, st, 1, 0100644, 0, 0, 0, 0, "../evil", "x", 1);
	     trailer(&b, st, 2));
	CASE(HWF_EFORMAT, "outside the folder",
	     ent(&b, st, 1, 0100644, 0, 0, 0, 0, "/etc/evil", "x", 1);
	     trailer(&b, st, 2));
	CASE(HWF_EFORMAT, "outside the folder", ent(&b, st, 1, 040755, 0, 0, 0, 0, "a", NULL, 0);
	     ent(&b, st, 1, 0100644, 0, 0, 0, 0, "a/../../evil", "x", 1); trailer(&b, st, 2));
	CASE(HWF_EFORMAT, "symlink or a file", ent(&b, st, 1, 0120777, 0, 0, 0, 0, "l", "/tmp", 4);
	     ent(&b, st, 2, 0100644, 0, 0, 0, 0, "l/evil", "x", 1); trailer(&b, st, 3));
	CASE(HWF_EFORMAT, "twice", ent(&b, st, 1, 0120777, 0, 0, 0, 0, "l", "/tmp/evil", 9);
	     ent(&b, st, 2, 0100644, 0, 0, 0, 0, "l", "x", 1); trailer(&b, st, 3));
	CASE(HWF_EFORMAT, "twice", ent(&b, st, 1, 0100644, 0, 0, 0, 0, "a", "x", 1);
	     ent(&b, st, 2, 0100644, 0, 0, 0, 0, "./a", "y", 1); trailer(&b, st, 3));
	CASE(HWF_EFORMAT, "twice", ent(&b, st, 1, 040755, 0, 0, 0, 0, "d", NULL, 0);
	     ent(&b, st, 2, 040755, 0, 0, 0, 0, "d", NULL, 0); trailer(&b, st, 3));
	CASE(HWF_EFORMAT, "twice", ent(&b, st, 1, 020600, 0, 0, 5, 1, "console", NULL, 0);
	     ent(&b, st, 2, 0100644, 0, 0, 0, 0, "console", "x", 1); trailer(&b, st, 3));
	CASE(HWF_EFORMAT, "twice", ent(&b, st, 1, 020600, 0, 0, 5, 1, "console", NULL, 0);
	     ent(&b, st, 2, 020600, 0, 0, 5, 1, "console", NULL, 0); trailer(&b, st, 3));
	CASE(HWF_ETRUNC, "cut short", ent(&b, st, 1, 0100644, 0, 0, 0, 0, "a", "x", 1));
	CASE(HWF_ETRUNC, "ends inside big", ent(&b, st, 1, 0100644, 0, 0, 0, 0, "big", "x", 1);
	     b.b[54] = 'f'; b.b[55] = 'f'; trailer(&b, st, 2));
	CASE(HWF_EFORMAT, "non-hex", ent(&b, st, 1, 0100644, 0, 0, 0, 0, "a", "x", 1);
	     b.b[20] = 'g'; trailer(&b, st, 2));
	CASE(HWF_EFORMAT, "NUL", ent(&b, st, 1, 0100644, 0, 0, 0, 0, "ab", "x", 1); b.b[110] = 0;
	     trailer(&b, st, 2));
	CASE(HWF_EFORMAT, "no file type", ent(&b, st, 1, 0170644, 0, 0, 0, 0, "a", "x", 1);
	     trailer(&b, st, 2));
	CASE(HWF_EFORMAT, "after the cpio trailer",
	     ent(&b, st, 1, 0100644, 0, 0, 0, 0, "a", "x", 1);
	     trailer(&b, st, 2); ent(&b, st, 3, 0100644, 0, 0, 0, 0, "b", "x", 1);
	     trailer(&b, st, 4));
	CASE(HWF_EFORMAT, "folder . with", ent(&b, st, 1, 040755, 0, 0, 0, 0, ".", "x", 1);
	     trailer(&b, st, 2));
	CASE(HWF_EUNSUPPORTED, "neither", put(&b, "BZh91AY&SY", 10));
#undef CASE
	/* A compressed stream cut short. */
	{
		struct buf c = {0}, z;

		sample(&c, st);
		z = gz(&c);
		z.n /= 2;
		bad(&z, HWF_ETRUNC, "gzip stream is cut short");
		free(z.b);
		z = lz4frame(&c);
		z.n -= 6;
		bad(&z, HWF_ETRUNC, "lz4 frame is cut short");
		free(z.b);
		free(c.b);
	}
}

static void test_target_exists(void)
{
	struct buf cpio = {0};
	struct ws w;
	struct hwf_err e = {0};
	char *p;

	sample(&cpio, &MKBOOTFS);
	ws_open(&w);
	CU_ASSERT_EQUAL(mkdir(w.dir, 0755), 0);
	CU_ASSERT_EQUAL(extract(&w, cpio.b, cpio.n, NULL, &e), 0); /* an empty folder: fine */
	hwf_err_clear(&e);
	CU_ASSERT_EQUAL(extract(&w, cpio.b, cpio.n, NULL, &e), HWF_EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not empty"));
	p = tu_path(w.dir, "init");
	CU_ASSERT_EQUAL(tu_size(p), 7);
	free(p);
	/* "rd2/": made beside, not inside. */
	p = tu_path(w.tmp, "rd2/");
	free(w.dir);
	w.dir = p;
	CU_ASSERT_EQUAL(extract(&w, cpio.b, cpio.n, NULL, &e), HWF_EEXIST); /* the list is there */
	free(w.list);
	w.list = tu_path(w.tmp, "rd2.list");
	CU_ASSERT_EQUAL(extract(&w, cpio.b, cpio.n, NULL, &e), 0);
	CU_ASSERT_EQUAL(tu_count_names(w.tmp, "partial"), 0);
	CU_ASSERT_EQUAL(tu_count_names(w.dir, ""), 5);
	ws_close(&w);
	free(cpio.b);
}

/* Lists that must be refused, each with its reason. */
static void test_bad_lists(void)
{
	static const char head[] = "hwflash-ramdisk-list 1\ncomp gzip\n";
	static const char tail[] =
	    "T 0000 0 0 0 0 1 0:0 0:0 0 - TRAILER!!!\ncpio 070701 lower 256\n";
	static const struct {
		const char *body, *msg;
	} cases[] = {
	    {"d 0755 0 0 0 1 1 0:0 0:0 0 - ../x\n", "may not be a path"},
	    {"d 0755 0 0 0 1 1 0:0 0:0 0 - /x\n", "may not be a path"},
	    {"d 0755 0 0 0 1 1 0:0 0:0 0 - a//b\n", "may not be a path"},
	    {"d 0755 0 0 0 1 1 0:0 0:0 0 - a\nf 0644 0 0 0 2 1 0:0 0:0 0 "
	     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 a\n",
	     "listed twice"},
	    {"d 10755 0 0 0 1 1 0:0 0:0 0 - a\n", "permission bits"},
	    {"d 0755 0 0 0 99999999999 1 0:0 0:0 0 - a\n", "INO"},
	    {"d 0755 0 0 0 1 1 0:0 0 0 - a\n", "MAJOR:MINOR"},
	    {"f 0644 0 0 0 1 1 0:0 0:0 0 abc a\n", "SHA-256"},
	    {"l 0777 0 0 0 1 1 0:0 0:0 0 \\x0 a\n", "escape"},
	    {"l 0777 0 0 0 1 1 0:0 0:0 0 \\x00 a\n", "NUL"},
	    {"d 0755 0 0 0 1 1 0:0 0:0 0 - a b\n", "not escaped"},
	    {"x 0755 0 0 0 1 1 0:0 0:0 0 - a\n", "not an entry"},
	    {"d 0755  0 0 1 1 0:0 0:0 0 - a\n", "empty field"},
	    {"f 0755 0 0 0 1 1 0:0 0:0 0 "
	     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 .\n",
	     "the folder itself"},
	    {"d 0755 0 0 0 1 1 0:0 0:0 0 - TRAILER!!!\n", "TRAILER"},
	    {"comp lz4-frame\n", "a second comp line"},
	    {"d 0755 0 0 0 1 1 0:0 0:0 0 -\n", "too few"},
	};
	struct hwf_rdlist l;
	struct hwf_err e = {0};
	char text[4096];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(text, sizeof(text), "%s%s%s", head, cases[i].body, tail);

		CU_ASSERT_EQUAL(hwf_rdlist_parse(&l, text, (size_t)n, "l", &e), HWF_EFORMAT);
		if (!strstr(e.msg, cases[i].msg))
			fprintf(stderr, "\n  list case %zu: %s\n", i, e.msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, cases[i].msg));
		hwf_rdlist_free(&l);
	}
	/* Headers and structure. */
	CU_ASSERT_EQUAL(hwf_rdlist_parse(&l, "x\n", 2, "l", &e), HWF_EFORMAT);
	hwf_rdlist_free(&l);
	CU_ASSERT_EQUAL(hwf_rdlist_parse(&l, head, sizeof(head) - 1, "l", &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cpio line"));
	hwf_rdlist_free(&l);
	snprintf(text, sizeof(text), "%s%s", head, tail);
	CU_ASSERT_EQUAL(hwf_rdlist_parse(&l, text, strlen(text) - 1, "l", &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no newline"));
	hwf_rdlist_free(&l);
	snprintf(text, sizeof(text), "%s%s", head,
		 "T 0000 0 0 0 0 1 0:0 0:0 0 - TRAILER!!!\ncpio 070701 lower 100\n");
	CU_ASSERT_EQUAL(hwf_rdlist_parse(&l, text, strlen(text), "l", &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "power of two"));
	hwf_rdlist_free(&l);
	snprintf(text, sizeof(text), "hwflash-ramdisk-list 1\ncomp zstd\n%s", tail);
	CU_ASSERT_EQUAL(hwf_rdlist_parse(&l, text, strlen(text), "l", &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "comp is not"));
	hwf_rdlist_free(&l);
	/* A good one, with escapes. */
	snprintf(text, sizeof(text), "%s%s%s", head,
		 "l 0777 0 0 0 1 1 0:0 0:0 3 a\\x20b x\\x5cy\\x0az\n", tail);
	CU_ASSERT_EQUAL_FATAL(hwf_rdlist_parse(&l, text, strlen(text), "l", &e), 0);
	CU_ASSERT_STRING_EQUAL(l.ent[0].name, "x\\y\nz");
	CU_ASSERT_STRING_EQUAL(l.ent[0].target, "a b");
	CU_ASSERT_EQUAL(l.pad, 256);
	hwf_rdlist_free(&l);
}

/* The inspector reads lz4 frame ramdisks now. */
static void test_inspect_lz4_frame(void)
{
	struct buf cpio = {0}, f;
	struct hwf_source *src;
	struct hwf_ramdisk_info info;
	struct hwf_err e = {0};

	sample(&cpio, &MKBOOTFS);
	f = lz4frame(&cpio);
	hwf_source_open_mem(&src, f.b, f.n, "rd", &e);
	CU_ASSERT_EQUAL(hwf_ramdisk_inspect(src, 0, f.n, &info, &e), 0);
	CU_ASSERT_EQUAL(info.comp, HWF_RD_LZ4_FRAME);
	CU_ASSERT_TRUE(info.recovery);
	CU_ASSERT_EQUAL(info.files, 8);
	hwf_source_close(src);
	f.b[f.n - 1] ^= 1; /* the content checksum */
	hwf_source_open_mem(&src, f.b, f.n, "rd", &e);
	CU_ASSERT_EQUAL(hwf_ramdisk_inspect(src, 0, f.n, &info, &e), HWF_EFORMAT);
	hwf_source_close(src);
	free(f.b);
	free(cpio.b);
}

void hwf_suite_rdtree(void)
{
	CU_pSuite s = CU_add_suite("rdtree", NULL, NULL);

	CU_add_test(s, "mkbootfs-style archive: unpack, pack byte-identical, 4 compressions",
		    test_roundtrip_mkbootfs);
	CU_add_test(s, "GNU cpio-style archive: unpack, pack byte-identical, 4 compressions",
		    test_roundtrip_gnu_cpio);
	CU_add_test(s, "070702 checksums, folders the archive lacks",
		    test_roundtrip_crc_and_implicit);
	CU_add_test(s, "edits: seen by changed, packed as documented", test_changes);
	CU_add_test(s, "bad archives and escapes: an error, nothing left", test_bad_archives);
	CU_add_test(s, "an existing folder is never replaced", test_target_exists);
	CU_add_test(s, "bad lists", test_bad_lists);
	CU_add_test(s, "ramdisk inspect reads lz4 frame", test_inspect_lz4_frame);
}
