// SPDX-License-Identifier: MIT
/*
 * The device model's super partition (tests/sim/fbdev_super.c), driven in
 * process through the simulated transport and the fastboot client: the
 * metadata a new store gets (checked with liblp's full check), fastbootd's
 * variables, create/delete/resize-logical-partition with AOSP's answers,
 * update-super with and without wipe, flash (raw and sparse), erase and
 * fetch through extents, what the bootloader refuses, the faults
 * super-full and resize-refused, and the state a reboot leaves in the
 * store.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/image/liblp_build.h"
#include "protocol/fastboot.h"
#include "tests/sim/simtransport.h"
#include "tests/unit/testutil.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

struct sx {
	char *dir;
	struct fbdev_opts o;
	struct fbdev *d;
	struct hwf_transport *t;
	struct hwf_fb fb;
	struct hwf_err e;
	char r[HWF_FB_RESP_MAX]; /* the last OKAY's text */
	char *info;		 /* INFO lines, "\n" after each */
};

static void on_info(void *ctx, const char *text, int is_text)
{
	struct sx *x = ctx;
	size_t n = x->info ? strlen(x->info) : 0;
	char *p = realloc(x->info, n + strlen(text) + 2);

	(void)is_text;
	if (!p)
		return;
	sprintf(p + n, "%s\n", text);
	x->info = p;
}

/* A device with boot, a @super_size super and @logical ("name:size,...") in @mode. */
static void init(struct sx *x, uint64_t super_size, const char *logical, enum fbdev_mode mode)
{
	char why[200], list[256], *tok, *save = NULL;

	memset(x, 0, sizeof(*x));
	x->dir = tu_mkdtemp();
	CU_ASSERT_PTR_NOT_NULL_FATAL(x->dir);
	fbdev_opts_init(&x->o);
	x->o.store = x->dir;
	x->o.mode = mode;
	CU_ASSERT_EQUAL(fbdev_parse_option("--partition", "boot:1M", &x->o, why, sizeof(why)), 1);
	if (super_size)
		x->o.super_size = super_size;
	snprintf(list, sizeof(list), "%s", logical ? logical : "");
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		CU_ASSERT_EQUAL(fbdev_parse_option("--logical", tok, &x->o, why, sizeof(why)), 1);
}

/* The device (again, from its store, as after a reboot or a new connection). */
static void start(struct sx *x)
{
	x->d = fbdev_new(&x->o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x->d);
	CU_ASSERT_EQUAL_FATAL(simt_open(&x->t, x->d, "dev", &x->e), 0);
	hwf_fb_init(&x->fb, x->t, on_info, x);
}

static void stop(struct sx *x)
{
	hwf_transport_close(x->t);
	fbdev_free(x->d);
	x->t = NULL;
	x->d = NULL;
}

static void done(struct sx *x)
{
	stop(x);
	tu_rmtree(x->dir);
	free(x->dir);
	free(x->info);
}

/* @cmd: 0 with OKAY's text in x->r, or the client's code with the FAIL in x->e.msg. */
static int cmd(struct sx *x, const char *c)
{
	x->r[0] = '\0';
	memset(&x->e, 0, sizeof(x->e));
	return hwf_fb_command(&x->fb, c, x->r, sizeof(x->r), &x->e);
}

/* @c refused with exactly @text. */
static int refused(struct sx *x, const char *c, const char *text)
{
	char want[HWF_ERR_MSG_MAX];

	snprintf(want, sizeof(want), "%s: device refused: %s", c, text);
	if (cmd(x, c) == HWF_EDEVICE && !strcmp(x->e.msg, want))
		return 1;
	fprintf(stderr, "\n    %s: got '%s', wanted '%s'\n", c, x->e.msg, want);
	return 0;
}

static const char *var(struct sx *x, const char *name)
{
	static char v[HWF_FB_RESP_MAX];

	if (hwf_fb_getvar(&x->fb, name, v, sizeof(v), &x->e))
		snprintf(v, sizeof(v), "FAIL");
	return v;
}

static int download(struct sx *x, const void *buf, size_t n)
{
	struct hwf_source *s;
	int rc;

	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&s, buf, n, "img", &x->e), 0);
	rc = hwf_fb_download(&x->fb, s, 0, n, NULL, NULL, &x->e);
	hwf_source_close(s);
	return rc;
}

/* download, then flash:@name: 0 or the client's code. */
static int flash(struct sx *x, const char *name, const void *buf, size_t n)
{
	char c[96];

	CU_ASSERT_EQUAL_FATAL(download(x, buf, n), 0);
	snprintf(c, sizeof(c), "flash:%s", name);
	return cmd(x, c);
}

struct grab {
	uint8_t *buf;
	size_t n;
};

static int sink(void *ctx, const void *buf, size_t len, struct hwf_err *e)
{
	struct grab *g = ctx;

	(void)e;
	memcpy(g->buf + g->n, buf, len);
	g->n += len;
	return 0;
}

/* fetch:@name:@off:@n into @out: 0 or the client's code. */
static int fetch(struct sx *x, const char *name, uint64_t off, size_t n, uint8_t *out)
{
	struct grab g = {out, 0};
	char c[96];

	snprintf(c, sizeof(c), "fetch:%s:0x%llx:0x%zx", name, (unsigned long long)off, n);
	return hwf_fb_upload(&x->fb, c, n, sink, &g, NULL, NULL, &x->e);
}

static void finding(void *ctx, int severity, const char *text)
{
	if (severity == HWF_LP_ERROR) {
		fprintf(stderr, "\n    liblp check: %s\n", text);
		++*(int *)ctx;
	}
}

/*
 * STORE/super.img opened with liblp (slot 0) and fully checked: every
 * copy, checksums, extents.  The caller closes it with lp_close.
 */
static struct hwf_lp *lp_open(struct sx *x, struct hwf_source **src)
{
	struct hwf_lp *lp = NULL;
	char *path = tu_path(x->dir, "super.img");
	int errors = 0;

	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(src, path, &x->e), 0);
	free(path);
	CU_ASSERT_EQUAL_FATAL(hwf_lp_open(&lp, *src, 0, &x->e), 0);
	CU_ASSERT_EQUAL(hwf_lp_check(lp, finding, &errors, &x->e), 0);
	CU_ASSERT_EQUAL(errors, 0);
	return lp;
}

static void lp_done(struct hwf_lp *lp, struct hwf_source *src)
{
	hwf_lp_close(lp);
	hwf_source_close(src);
}

/* Partition @name's bytes in super.img, read with liblp (not the model), equal @want. */
static int holds(struct sx *x, const char *name, const uint8_t *want, size_t n)
{
	struct hwf_source *src, *ps = NULL;
	struct hwf_lp *lp = lp_open(x, &src);
	int i = hwf_lp_find_partition(hwf_lp_metadata(lp), name), ok = 0;
	uint8_t *got = malloc(n ? n : 1);

	if (i >= 0 && got && !hwf_lp_open_partition(lp, (uint32_t)i, &ps, &x->e) &&
	    !hwf_source_read_exact(ps, got, n, 0, &x->e))
		ok = !memcmp(got, want, n);
	hwf_source_close(ps);
	free(got);
	lp_done(lp, src);
	return ok;
}

/* A super_empty.img for a device of @size with @slots metadata slots of @meta bytes. */
static uint8_t *super_empty(uint64_t size, uint32_t slots, uint32_t meta, const char *const *parts,
			    const uint64_t *sizes, size_t n, size_t *len)
{
	struct hwf_lp_device_opts o = {
	    .size = size, .metadata_max_size = meta, .slot_count = slots};
	struct hwf_lp_builder *b;
	struct hwf_lp_metadata m;
	struct hwf_err e = {0};
	char path[] = "/tmp/hwf-se-XXXXXX";
	uint8_t *buf;
	int fd = mkstemp(path);
	long long sz;

	CU_ASSERT_FATAL(fd >= 0);
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(hwf_lp_builder_new(&b, &o, &e), 0);
	CU_ASSERT_EQUAL(hwf_lp_builder_add_group(b, "main_a", 0, &e), 0);
	CU_ASSERT_EQUAL(hwf_lp_builder_add_group(b, "main_b", 0, &e), 0);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(parts[i]);
		const char *g = l > 2 && parts[i][l - 2] == '_'
				    ? (parts[i][l - 1] == 'a' ? "main_a" : "main_b")
				    : NULL;

		CU_ASSERT_EQUAL(hwf_lp_builder_add_partition(b, parts[i], g, 1, &e), 0);
		CU_ASSERT_EQUAL(hwf_lp_builder_resize_partition(b, parts[i], sizes[i], &e), 0);
	}
	CU_ASSERT_EQUAL_FATAL(hwf_lp_builder_export(b, &m, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_lp_write_empty(&m, fd, &e), 0);
	hwf_lp_metadata_free(&m);
	hwf_lp_builder_free(b);
	sz = lseek(fd, 0, SEEK_END);
	buf = malloc((size_t)sz);
	CU_ASSERT_FATAL(buf && pread(fd, buf, (size_t)sz, 0) == sz);
	close(fd);
	*len = (size_t)sz;
	return buf;
}

static void test_a_new_store(void)
{
	struct hwf_source *src;
	struct hwf_lp *lp;
	const struct hwf_lp_metadata *m;
	char *path;
	struct sx x;

	init(&x, 8 * MiB, "system:1M,vendor:300000", FBDEV_FASTBOOTD);
	start(&x);
	path = tu_path(x.dir, "super.img");
	CU_ASSERT_EQUAL(tu_size(path), 8 * MiB);
	free(path);
	lp = lp_open(&x, &src);
	m = hwf_lp_metadata(lp);
	/* A device without slots: 2 metadata slots of 64 KiB, as AOSP's build. */
	CU_ASSERT_EQUAL(m->geo.slot_count, 2);
	CU_ASSERT_EQUAL(m->geo.metadata_max_size, 65536);
	CU_ASSERT_EQUAL(m->ndev, 1);
	CU_ASSERT_STRING_EQUAL(m->dev[0].name, "super");
	CU_ASSERT_EQUAL(m->dev[0].size, 8 * MiB);
	CU_ASSERT_EQUAL_FATAL(m->npart, 2);
	CU_ASSERT_STRING_EQUAL(m->part[0].name, "system");
	CU_ASSERT_EQUAL(m->part[0].size, MiB);
	CU_ASSERT_EQUAL(m->part[0].attributes, HWF_LP_ATTR_READONLY);
	CU_ASSERT_STRING_EQUAL(m->part[1].name, "vendor");
	CU_ASSERT_EQUAL(m->part[1].size, 303104); /* rounded up to 4096 */
	lp_done(lp, src);

	/* fastbootd's variables (AOSP variables.cpp: "0x%" PRIX64). */
	CU_ASSERT_STRING_EQUAL(var(&x, "super-partition-name"), "super");
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:system"), "yes");
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:super"), "no");
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:boot"), "no");
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:nothing"), "FAIL");
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:vendor"), "0x4A000");
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:super"), "0x800000");
	CU_ASSERT_EQUAL(cmd(&x, "getvar:all"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.info, "super-partition-name: super\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.info, "partition-size:vendor: 0x4A000\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.info, "is-logical:system: yes\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.info, "is-logical:vendor: yes\n"));
	/* --logical given again to a store that has super.img: the store wins. */
	CU_ASSERT_EQUAL(cmd(&x, "delete-logical-partition:vendor"), 0);
	stop(&x);
	start(&x);
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:vendor"), "FAIL");
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:system"), "0x100000");
	done(&x);
}

static void test_an_ab_device(void)
{
	struct hwf_source *src;
	struct hwf_lp *lp;
	const struct hwf_lp_metadata *m;
	char why[200];
	struct sx x;

	init(&x, 8 * MiB, "system:1M,vendor_b:64K", FBDEV_FASTBOOTD);
	CU_ASSERT_EQUAL(fbdev_parse_option("--slots", "2", &x.o, why, sizeof(why)), 1);
	start(&x);
	lp = lp_open(&x, &src);
	m = hwf_lp_metadata(lp);
	/* A/B: 3 metadata slots; system_a of its size, system_b empty, groups per slot. */
	CU_ASSERT_EQUAL(m->geo.slot_count, 3);
	CU_ASSERT_EQUAL_FATAL(m->npart, 3);
	CU_ASSERT_STRING_EQUAL(m->part[0].name, "system_a");
	CU_ASSERT_STRING_EQUAL(m->group[m->part[0].group].name, "main_a");
	CU_ASSERT_STRING_EQUAL(m->part[1].name, "system_b");
	CU_ASSERT_STRING_EQUAL(m->group[m->part[1].group].name, "main_b");
	CU_ASSERT_EQUAL(m->part[1].size, 0);
	CU_ASSERT_STRING_EQUAL(m->part[2].name, "vendor_b"); /* a suffixed name as given */
	CU_ASSERT_STRING_EQUAL(m->group[m->part[2].group].name, "main_b");
	lp_done(lp, src);
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:system_a"), "0x100000");
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:system_b"), "0x0");
	CU_ASSERT_STRING_EQUAL(var(&x, "has-slot:system"), "yes");
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:system_b"), "yes");
	done(&x);
}

static void test_create_resize_delete(void)
{
	struct hwf_source *src;
	struct hwf_lp *lp;
	const struct hwf_lp_metadata *m;
	struct sx x;

	init(&x, 4 * MiB, NULL, FBDEV_FASTBOOTD);
	start(&x);
	/* Sizes decimal or 0x (ParseUint); the answers are AOSP's commands.cpp. */
	CU_ASSERT_EQUAL(cmd(&x, "create-logical-partition:a:1048576"), 0);
	CU_ASSERT_STRING_EQUAL(x.r, "Partition created");
	CU_ASSERT_EQUAL(cmd(&x, "create-logical-partition:b:0x80000"), 0);
	CU_ASSERT(refused(&x, "create-logical-partition:a:4096", "Partition already exists"));
	CU_ASSERT(refused(&x, "create-logical-partition:c:12kB", "Invalid partition size"));
	CU_ASSERT(refused(&x, "create-logical-partition:c:-1", "Invalid partition size"));
	CU_ASSERT(refused(&x, "create-logical-partition:c", "Invalid partition name and size"));
	CU_ASSERT(refused(&x, "create-logical-partition:0123456789012345678901234567890123456:1",
			  "Failed to add partition"));
	/* 3 MiB are free after the 1 MiB of metadata: 4 MiB do not fit, and nothing changed. */
	CU_ASSERT(
	    refused(&x, "create-logical-partition:c:4194304", "Not enough space for partition"));
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:c"), "FAIL");
	/* a grows past b: a second extent. */
	CU_ASSERT_EQUAL(cmd(&x, "resize-logical-partition:a:0x180000"), 0);
	CU_ASSERT_STRING_EQUAL(x.r, "Partition resized");
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:a"), "0x180000");
	CU_ASSERT(refused(&x, "resize-logical-partition:a:0x300000",
			  "Not enough space to resize partition"));
	CU_ASSERT(refused(&x, "resize-logical-partition:zz:1", "Partition does not exist"));
	CU_ASSERT(refused(&x, "resize-logical-partition:a", "Invalid partition name and size"));
	CU_ASSERT(refused(&x, "resize-logical-partition:a:0x", "Invalid partition size"));
	lp = lp_open(&x, &src);
	m = hwf_lp_metadata(lp);
	CU_ASSERT_EQUAL(m->npart, 2);
	CU_ASSERT_EQUAL(m->part[0].num_extents, 2);
	CU_ASSERT_EQUAL(m->part[0].attributes, 0); /* as fastbootd's AddPartition(name, 0) */
	lp_done(lp, src);
	/* Shrinking cuts from the end; 0 leaves a partition without extents. */
	CU_ASSERT_EQUAL(cmd(&x, "resize-logical-partition:a:4097"), 0);
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:a"), "0x2000");
	CU_ASSERT_EQUAL(cmd(&x, "resize-logical-partition:b:0"), 0);
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:b"), "0x0");
	CU_ASSERT_EQUAL(cmd(&x, "delete-logical-partition:a"), 0);
	CU_ASSERT_STRING_EQUAL(x.r, "Partition deleted");
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:a"), "FAIL");
	/* AOSP removes what is there and says so either way. */
	CU_ASSERT_EQUAL(cmd(&x, "delete-logical-partition:a"), 0);
	lp = lp_open(&x, &src);
	CU_ASSERT_EQUAL(hwf_lp_metadata(lp)->npart, 1);
	lp_done(lp, src);
	done(&x);
}

static void test_the_bootloader_refuses(void)
{
	static const char *const cmds[] = {
	    "create-logical-partition:x:4096", "delete-logical-partition:system",
	    "resize-logical-partition:system:0", "update-super:super"};
	uint8_t img[4096] = {1};
	char v[64];
	struct sx x;

	init(&x, 4 * MiB, "system:64K", FBDEV_BOOTLOADER);
	start(&x);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		CU_ASSERT(refused(&x, cmds[i], "unknown command"));
	CU_ASSERT_EQUAL(hwf_fb_getvar(&x.fb, "super-partition-name", v, sizeof(v), &x.e),
			HWF_EDEVICE);
	/* It knows system is logical, not its size, and will not write it. */
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:system"), "yes");
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:system"), "FAIL");
	CU_ASSERT_EQUAL(flash(&x, "system", img, sizeof(img)), HWF_EDEVICE);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.e.msg, "Partition should be flashed in fastbootd"));
	CU_ASSERT(refused(&x, "erase:system", "Partition should be erased in fastbootd"));
	CU_ASSERT(!holds(&x, "system", img, sizeof(img)));
	done(&x);
}

/* A sparse image of 4096-byte blocks: RAW 1 (@a), FILL 2 (0x5a5a5a5a), DONT_CARE 1, RAW 1 (@b). */
static size_t sparse(uint8_t *out, const uint8_t *a, const uint8_t *b)
{
	static const uint8_t hdr[28] = {0x3a, 0xff, 0x26, 0xed, 1, 0, 0, 0, 28, 0, 12, 0,
					0,    0x10, 0,	  0,	5, 0, 0, 0, 4,	0, 0,  0};
	struct {
		uint16_t type;
		uint32_t blocks;
		const uint8_t *data;
		size_t len;
	} c[] = {{0xCAC1, 1, a, 4096},
		 {0xCAC2, 2, (const uint8_t *)"\x5a\x5a\x5a\x5a", 4},
		 {0xCAC3, 1, NULL, 0},
		 {0xCAC1, 1, b, 4096}};
	size_t n = sizeof(hdr);

	memcpy(out, hdr, sizeof(hdr));
	for (size_t i = 0; i < 4; i++) {
		uint32_t total = (uint32_t)(12 + c[i].len);
		uint8_t *h = out + n;

		memset(h, 0, 12);
		h[0] = (uint8_t)c[i].type;
		h[1] = (uint8_t)(c[i].type >> 8);
		memcpy(h + 4, &c[i].blocks, 4);
		memcpy(h + 8, &total, 4);
		if (c[i].len)
			memcpy(h + 12, c[i].data, c[i].len);
		n += total;
	}
	return n;
}

static void test_flash_through_extents(void)
{
	uint8_t *a = malloc(3 * MiB / 2), *b = malloc(512 * KiB), *got = malloc(3 * MiB / 2);
	uint8_t sp[2 * 4096 + 200], want[5 * 4096];
	struct sx x;

	CU_ASSERT_FATAL(a && b && got);
	tu_random(a, 3 * MiB / 2, 1);
	tu_random(b, 512 * KiB, 2);
	init(&x, 4 * MiB, NULL, FBDEV_FASTBOOTD);
	start(&x);
	/* a in two extents around b. */
	CU_ASSERT_EQUAL(cmd(&x, "create-logical-partition:a:0x80000"), 0);
	CU_ASSERT_EQUAL(cmd(&x, "create-logical-partition:b:0x80000"), 0);
	CU_ASSERT_EQUAL(cmd(&x, "resize-logical-partition:a:0x180000"), 0);
	CU_ASSERT_EQUAL(flash(&x, "b", b, 512 * KiB), 0);
	CU_ASSERT_EQUAL(flash(&x, "a", a, 3 * MiB / 2), 0);
	CU_ASSERT(holds(&x, "a", a, 3 * MiB / 2));
	CU_ASSERT(holds(&x, "b", b, 512 * KiB));
	/* fetch reads through the extents, across the seam too. */
	CU_ASSERT_EQUAL(fetch(&x, "a", 0, 3 * MiB / 2, got), 0);
	CU_ASSERT(!memcmp(got, a, 3 * MiB / 2));
	CU_ASSERT_EQUAL(fetch(&x, "a", 0x7f000, 0x2000, got), 0);
	CU_ASSERT(!memcmp(got, a + 0x7f000, 0x2000));
	/* Larger than the partition: refused, nothing written. */
	CU_ASSERT_EQUAL(flash(&x, "b", a, 3 * MiB / 2), HWF_EDEVICE);
	CU_ASSERT(holds(&x, "b", b, 512 * KiB));
	/* Raw data shorter than the partition: the rest keeps its bytes (a block device). */
	CU_ASSERT_EQUAL(flash(&x, "b", a, 4096), 0);
	memcpy(got, b, 512 * KiB);
	memcpy(got, a, 4096);
	CU_ASSERT(holds(&x, "b", got, 512 * KiB));
	/* Sparse: RAW, FILL, DONT_CARE (keeps what was there), RAW. */
	CU_ASSERT_EQUAL(flash(&x, "b", sp, sparse(sp, b + 8192, b + 4096)), 0);
	memcpy(want, b + 8192, 4096);
	memset(want + 4096, 0x5a, 8192);
	memcpy(want + 3 * 4096, got + 3 * 4096, 4096);
	memcpy(want + 4 * 4096, b + 4096, 4096);
	CU_ASSERT(holds(&x, "b", want, sizeof(want)));
	/* Erase: the partition reads as zeros, its neighbour keeps its bytes. */
	CU_ASSERT_EQUAL(cmd(&x, "erase:b"), 0);
	memset(want, 0, sizeof(want));
	CU_ASSERT(holds(&x, "b", want, sizeof(want)));
	CU_ASSERT_EQUAL(fetch(&x, "b", 0, sizeof(want), got), 0);
	CU_ASSERT(!memcmp(got, want, sizeof(want)));
	CU_ASSERT(holds(&x, "a", a, 3 * MiB / 2));
	done(&x);
	free(a);
	free(b);
	free(got);
}

static void test_update_super(void)
{
	static const char *const both[] = {"system_a", "system_b"}, *const plain[] = {"system"};
	static const uint64_t zero[] = {0, 0}, sized[] = {4096};
	uint8_t img[8192], *se;
	size_t len;
	char why[200];
	struct sx x;

	tu_random(img, sizeof(img), 3);
	/* A/B, slot a current: the _a partitions go, the _b ones stay with their bytes. */
	init(&x, 8 * MiB, "system:1M,vendor_b:64K", FBDEV_FASTBOOTD);
	CU_ASSERT_EQUAL(fbdev_parse_option("--slots", "2", &x.o, why, sizeof(why)), 1);
	start(&x);
	CU_ASSERT(refused(&x, "update-super:super", "No data available"));
	CU_ASSERT_EQUAL(flash(&x, "vendor_b", img, sizeof(img)), 0);
	se = super_empty(8 * MiB, 3, 65536, both, zero, 2, &len);
	CU_ASSERT_EQUAL(download(&x, se, len), 0);
	CU_ASSERT_EQUAL(cmd(&x, "update-super:super"), 0);
	CU_ASSERT_STRING_EQUAL(x.r, "Successfully updated partition table");
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:system_a"), "0x0");
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:vendor_b"), "0x10000");
	CU_ASSERT(holds(&x, "vendor_b", img, sizeof(img)));
	/* The download is used up, as fastbootd moves it away. */
	CU_ASSERT(refused(&x, "update-super:super", "No data available"));
	/* With wipe: the image's table as it is. */
	CU_ASSERT_EQUAL(download(&x, se, len), 0);
	CU_ASSERT_EQUAL(cmd(&x, "update-super:super:wipe"), 0);
	CU_ASSERT_STRING_EQUAL(x.r, "Successfully flashed partition table");
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:vendor_b"), "FAIL");
	free(se);
	/* Another super size: refused with or without wipe, the table unchanged. */
	se = super_empty(16 * MiB, 3, 65536, both, zero, 2, &len);
	CU_ASSERT_EQUAL(download(&x, se, len), 0);
	CU_ASSERT(refused(&x, "update-super:super:wipe", "Unable to flash new partition table"));
	CU_ASSERT_EQUAL(download(&x, se, len), 0);
	CU_ASSERT(refused(&x, "update-super:super",
			  "Old partitions are not compatible with the new super layout; wipe "
			  "needed"));
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:system_b"), "yes");
	free(se);
	/* Another geometry (metadata size), same super: not written over the device's. */
	se = super_empty(8 * MiB, 3, 4096, both, zero, 2, &len);
	CU_ASSERT_EQUAL(download(&x, se, len), 0);
	CU_ASSERT(refused(&x, "update-super:super", "Unable to write new partition table"));
	CU_ASSERT_EQUAL(download(&x, se, len), 0);
	CU_ASSERT(refused(&x, "update-super:system",
			  "Cannot find system, build may be missing "
			  "broken or missing boot_devices"));
	/* Not a super_empty.img: random bytes, a full super image. */
	CU_ASSERT_EQUAL(download(&x, img, sizeof(img)), 0);
	CU_ASSERT(refused(&x, "update-super:super",
			  "Data is not a valid logical partition metadata image"));
	free(se);
	done(&x);

	/* No slots: every partition is kept; one the new table has with a size clashes. */
	init(&x, 8 * MiB, "system:64K,odm:64K", FBDEV_FASTBOOTD);
	start(&x);
	se = super_empty(8 * MiB, 2, 65536, plain, sized, 1, &len);
	CU_ASSERT_EQUAL(download(&x, se, len), 0);
	CU_ASSERT(refused(&x, "update-super:super",
			  "Old partitions are not compatible with the new super layout; wipe "
			  "needed"));
	free(se);
	se = super_empty(8 * MiB, 2, 65536, plain, zero, 1, &len);
	CU_ASSERT_EQUAL(download(&x, se, len), 0);
	CU_ASSERT_EQUAL(cmd(&x, "update-super:super"), 0);
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:odm"), "0x10000");
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:system"), "0x10000");
	free(se);
	done(&x);
}

static void test_super_itself(void)
{
	uint8_t zeros[4096] = {0};
	struct sx x;

	init(&x, 4 * MiB, "system:64K", FBDEV_FASTBOOTD);
	start(&x);
	/* Erasing super loses the metadata: no logical partitions until update-super. */
	CU_ASSERT_EQUAL(cmd(&x, "erase:super"), 0);
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:system"), "FAIL");
	CU_ASSERT(refused(&x, "create-logical-partition:x:0", "Could not open super partition"));
	/* A new table over a super without one is flashed as it is (no wipe needed). */
	{
		static const char *const p[] = {"system"};
		static const uint64_t s[] = {8192};
		size_t len;
		uint8_t *se = super_empty(4 * MiB, 2, 65536, p, s, 1, &len);

		CU_ASSERT_EQUAL(download(&x, se, len), 0);
		CU_ASSERT_EQUAL(cmd(&x, "update-super:super"), 0);
		CU_ASSERT_STRING_EQUAL(x.r, "Successfully flashed partition table");
		free(se);
	}
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:system"), "0x2000");
	CU_ASSERT(holds(&x, "system", zeros, sizeof(zeros)));
	done(&x);
}

static void test_faults(void)
{
	struct sx x;

	init(&x, 4 * MiB, "system:64K", FBDEV_FASTBOOTD);
	CU_ASSERT_EQUAL(fbdev_parse_fault_spec("super-full", &x.o), 0);
	start(&x);
	CU_ASSERT(refused(&x, "create-logical-partition:x:4096", "Not enough space for partition"));
	CU_ASSERT(refused(&x, "resize-logical-partition:system:0x20000",
			  "Not enough space to resize partition"));
	/* What needs no space still works. */
	CU_ASSERT_EQUAL(cmd(&x, "create-logical-partition:x:0"), 0);
	CU_ASSERT_EQUAL(cmd(&x, "resize-logical-partition:system:0x10000"), 0);
	CU_ASSERT_EQUAL(cmd(&x, "resize-logical-partition:system:4096"), 0);
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:system"), "0x1000");
	done(&x);

	init(&x, 4 * MiB, "system:64K", FBDEV_FASTBOOTD);
	CU_ASSERT_EQUAL(fbdev_parse_fault_spec("resize-refused", &x.o), 0);
	start(&x);
	CU_ASSERT(
	    refused(&x, "resize-logical-partition:system:0", "Failed to write partition table"));
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:system"), "0x10000");
	CU_ASSERT_EQUAL(cmd(&x, "create-logical-partition:x:4096"), 0);
	done(&x);
}

static void test_state_survives_reboots(void)
{
	uint8_t img[3 * 4096], got[sizeof(img)];
	struct sx x;

	tu_random(img, sizeof(img), 9);
	init(&x, 4 * MiB, NULL, FBDEV_FASTBOOTD);
	start(&x);
	CU_ASSERT_EQUAL(cmd(&x, "create-logical-partition:product:12288"), 0);
	CU_ASSERT_EQUAL(flash(&x, "product", img, sizeof(img)), 0);
	/* reboot-bootloader: OKAY, the connection goes; the device comes back from its store. */
	CU_ASSERT_EQUAL(cmd(&x, "reboot-bootloader"), 0);
	CU_ASSERT_EQUAL(fbdev_mode(x.d), FBDEV_BOOTLOADER);
	stop(&x);
	start(&x);
	CU_ASSERT_STRING_EQUAL(var(&x, "is-userspace"), "no");
	CU_ASSERT_STRING_EQUAL(var(&x, "is-logical:product"), "yes");
	CU_ASSERT_EQUAL(cmd(&x, "reboot-fastboot"), 0);
	stop(&x);
	start(&x);
	CU_ASSERT_STRING_EQUAL(var(&x, "partition-size:product"), "0x3000");
	CU_ASSERT_EQUAL(fetch(&x, "product", 0, sizeof(got), got), 0);
	CU_ASSERT(!memcmp(got, img, sizeof(img)));
	done(&x);
}

static void test_options(void)
{
	struct fbdev_opts o;
	char why[200];

	fbdev_opts_init(&o);
	CU_ASSERT_EQUAL(fbdev_parse_option("--super", "64M", &o, why, sizeof(why)), 1);
	CU_ASSERT_EQUAL(o.super_size, 64 * MiB);
	CU_ASSERT_EQUAL(fbdev_parse_option("--super", "1M", &o, why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "--super 1M: give a size of at least 2M, a multiple of 4096");
	CU_ASSERT_EQUAL(fbdev_parse_option("--super", "3000000", &o, why, sizeof(why)), -1);
	CU_ASSERT_EQUAL(fbdev_parse_option("--super", "big", &o, why, sizeof(why)), -1);
	CU_ASSERT_EQUAL(fbdev_parse_option("--fault", "super-full", &o, why, sizeof(why)), 1);
	CU_ASSERT_EQUAL(o.fault, FBDEV_FAULT_SUPER_FULL);
	CU_ASSERT_EQUAL(fbdev_parse_option("--fault", "resize-refused", &o, why, sizeof(why)), 1);
	CU_ASSERT_EQUAL(o.fault, FBDEV_FAULT_RESIZE_REFUSED);
}

void hwf_suite_fbdev_super(void)
{
	CU_pSuite s = CU_add_suite("device model: super and its logical partitions", NULL, NULL);

	CU_add_test(s, "--super: a new store gets real metadata; fastbootd's variables",
		    test_a_new_store);
	CU_add_test(s, "an A/B device: NAME_a and NAME_b, 3 metadata slots", test_an_ab_device);
	CU_add_test(s, "create, resize, delete-logical-partition as AOSP answers",
		    test_create_resize_delete);
	CU_add_test(s, "the bootloader refuses all of it", test_the_bootloader_refuses);
	CU_add_test(s, "flash (raw, sparse), fetch, erase through extents",
		    test_flash_through_extents);
	CU_add_test(s, "update-super: merged, wiped, refused", test_update_super);
	CU_add_test(s, "super itself erased, then a table flashed over it", test_super_itself);
	CU_add_test(s, "faults super-full and resize-refused", test_faults);
	CU_add_test(s, "the state outlives reboots (the store's super.img)",
		    test_state_survives_reboots);
	CU_add_test(s, "--super and the faults as options", test_options);
}
