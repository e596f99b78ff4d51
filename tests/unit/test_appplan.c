// SPDX-License-Identifier: MIT
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/app/appplan.h"
#include "formats/core/bytes.h"
#include "formats/image/sparse.h"
#include "tests/unit/testutil.h"

TU_SCRATCH_SUITE(dir)

struct pkg {
	struct hwf_source *src;
	struct hwf_app *app;
};

/* Pack entries; an entry whose name starts with '~' gets a sparse header. */
static void make(struct pkg *p, const char *const *names, size_t n)
{
	struct hwf_app_pack_item it[16];
	struct hwf_app_pack_opts po = { "HW", "2026.01.01", "00.00.00", 1 };
	struct hwf_err e = { 0 };
	uint8_t data[64][100];
	char *out = tu_path(dir, "plan.app");
	int fd;

	for (size_t i = 0; i < n; i++) {
		tu_random(data[i], sizeof(data[i]), i);
		it[i].name = names[i];
		if (names[i][0] == '~') {
			put_le32(data[i], HWF_SPARSE_MAGIC);
			it[i].name = names[i] + 1;
		}
		CU_ASSERT_EQUAL(hwf_source_open_mem(&it[i].src, data[i], sizeof(data[i]), "m", &e), 0);
		it[i].seq = 0;
	}
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_EQUAL(hwf_app_pack(fd, it, n, &po, NULL, NULL, &e), 0);
	close(fd);
	for (size_t i = 0; i < n; i++)
		hwf_source_close(it[i].src);
	CU_ASSERT_EQUAL(hwf_source_open_file(&p->src, out, &e), 0);
	CU_ASSERT_EQUAL(hwf_app_open(&p->app, p->src, &e), 0);
	free(out);
}

static void unmake(struct pkg *p)
{
	hwf_app_close(p->app);
	hwf_source_close(p->src);
}

static void test_default_mapping_and_order(void)
{
	static const char *const names[] = { "SYSTEM", "BOOT",	   "FASTBOOT", "CURVER",
					     "XLOADER", "HISIUFS_GPT", "RECOVERY_RAMDISK" };
	struct hwf_plan_step *st;
	struct hwf_err e = { 0 };
	struct pkg p;
	size_t n;

	make(&p, names, 7);
	CU_ASSERT_EQUAL_FATAL(hwf_plan_build(p.app, NULL, 0, NULL, 0, &st, &n, &e), 0);
	/* CRC and CURVER are left out; ptable, xloader, fastboot first. */
	CU_ASSERT_EQUAL_FATAL(n, 6);
	CU_ASSERT_STRING_EQUAL(st[0].partition, "ptable");
	CU_ASSERT_STRING_EQUAL(st[1].partition, "xloader");
	CU_ASSERT_STRING_EQUAL(st[2].partition, "fastboot");
	CU_ASSERT_STRING_EQUAL(st[3].partition, "system");
	CU_ASSERT_STRING_EQUAL(st[4].partition, "boot");
	CU_ASSERT_STRING_EQUAL(st[5].partition, "recovery_ramdisk");
	free(st);
	unmake(&p);
}

static void test_named_selection_and_map(void)
{
	static const char *const names[] = { "SYSTEM", "BOOT", "RECOVERY" };
	static const char *const want[] = { "recovery", "BOOT" };
	struct hwf_plan_map map = { "boot", "boot_a" };
	struct hwf_plan_step *st;
	struct hwf_err e = { 0 };
	struct pkg p;
	size_t n;

	make(&p, names, 3);
	CU_ASSERT_EQUAL_FATAL(hwf_plan_build(p.app, want, 2, &map, 1, &st, &n, &e), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(st[0].partition, "boot_a");
	CU_ASSERT_STRING_EQUAL(st[1].partition, "recovery");
	free(st);
	{
		static const char *const crc[] = { "CRC" };
		static const char *const none[] = { "VENDOR" };

		CU_ASSERT_EQUAL(hwf_plan_build(p.app, crc, 1, NULL, 0, &st, &n, &e), HWF_EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "never flashed"));
		CU_ASSERT_EQUAL(hwf_plan_build(p.app, none, 1, NULL, 0, &st, &n, &e),
				HWF_ENOTFOUND);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "VENDOR"));
	}
	unmake(&p);
}

static void test_split_entries(void)
{
	static const char *const sparse[] = { "~SUPER", "~SUPER", "BOOT" };
	static const char *const raw[] = { "SUPER", "SUPER" };
	static const char *const want[] = { "super" };
	struct hwf_plan_step *st;
	struct hwf_err e = { 0 };
	struct pkg p;
	size_t n;

	make(&p, sparse, 3);
	CU_ASSERT_EQUAL_FATAL(hwf_plan_build(p.app, want, 1, NULL, 0, &st, &n, &e), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(st[0].partition, "super");
	CU_ASSERT_STRING_EQUAL(st[1].partition, "super");
	CU_ASSERT_EQUAL(st[0].piece, 1);
	CU_ASSERT_EQUAL(st[1].piece, 2);
	CU_ASSERT_EQUAL(st[1].pieces, 2);
	free(st);
	unmake(&p);
	/* Raw pieces: one image, one step that sends them joined (issue 18). */
	make(&p, raw, 2);
	CU_ASSERT_EQUAL_FATAL(hwf_plan_build(p.app, NULL, 0, NULL, 0, &st, &n, &e), 0);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(st[0].njoin, 2);
	CU_ASSERT_EQUAL(st[0].entry, st[0].join[0]);
	CU_ASSERT_EQUAL(hwf_plan_step_size(p.app, &st[0]),
			hwf_app_entry(p.app, st[0].join[0])->data_len +
			    hwf_app_entry(p.app, st[0].join[1])->data_len);
	free(st);
	{
		/* One raw piece alone would land at the partition's start: refused. */
		static const char *const one[] = { "SUPER#2" };

		CU_ASSERT_EQUAL(hwf_plan_build(p.app, one, 1, NULL, 0, &st, &n, &e), HWF_EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "one of 2 raw pieces of SUPER"));
	}
	unmake(&p);
}

/* Build a plan that must be refused; the message must name @a and @b. */
static void expect_refused(struct pkg *p, const char *const *want, size_t nwant,
			   const struct hwf_plan_map *maps, size_t nmaps, const char *a,
			   const char *b)
{
	struct hwf_plan_step *st = NULL;
	struct hwf_err e = { 0 };
	size_t n = 99;

	CU_ASSERT_EQUAL(hwf_plan_build(p->app, want, nwant, maps, nmaps, &st, &n, &e), HWF_EINVAL);
	CU_ASSERT_PTR_NULL(st);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, a));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, b));
	if (!strstr(e.msg, a) || !strstr(e.msg, b))
		fprintf(stderr, "\n    message: %s\n", e.msg);
}

static void test_one_partition_twice_refused(void)
{
	static const char *const names[] = { "HISIUFS_GPT", "BOOT", "EFI", "SYSTEM", "PTABLE" };
	static const char *const gpt[] = { "HISIUFS_GPT", "EFI" };
	static const char *const one[] = { "EFI", "BOOT" };
	static const char *const boot_sys[] = { "BOOT", "SYSTEM" };
	struct hwf_plan_map onto_boot = { "SYSTEM", "boot" };
	struct hwf_plan_map away[] = { { "EFI", "ptable_b" }, { "PTABLE", "ptable_c" } };
	struct hwf_plan_map upper = { "SYSTEM", "BOOT" };
	struct hwf_plan_step *st;
	struct hwf_err e = { 0 };
	struct pkg p;
	size_t n;

	make(&p, names, 5);
	/* Every image entry: HISIUFS_GPT, EFI and PTABLE all map to ptable. */
	expect_refused(&p, NULL, 0, NULL, 0, "HISIUFS_GPT", "ptable");
	/* Named explicitly, the same. */
	expect_refused(&p, gpt, 2, NULL, 0, "HISIUFS_GPT", "EFI");
	/* A --map onto a partition another entry takes. */
	expect_refused(&p, boot_sys, 2, &onto_boot, 1, "BOOT", "SYSTEM");
	/* Partition names that differ only in case are one partition to refuse on. */
	expect_refused(&p, boot_sys, 2, &upper, 1, "BOOT", "SYSTEM");
	/* One of them alone is fine, and --map can send the others elsewhere. */
	CU_ASSERT_EQUAL(hwf_plan_build(p.app, one, 2, NULL, 0, &st, &n, &e), 0);
	CU_ASSERT_EQUAL(n, 2);
	free(st);
	CU_ASSERT_EQUAL_FATAL(hwf_plan_build(p.app, NULL, 0, away, 2, &st, &n, &e), 0);
	CU_ASSERT_EQUAL(n, 5);
	free(st);
	unmake(&p);
}

static void test_named_twice_refused(void)
{
	static const char *const names[] = { "~SUPER", "~SUPER", "BOOT" };
	static const char *const twice[] = { "BOOT", "boot" };
	static const char *const piece[] = { "SUPER", "SUPER#2" };
	static const char *const same[] = { "BOOT", "BOOT" };
	struct pkg p;

	make(&p, names, 3);
	expect_refused(&p, twice, 2, NULL, 0, "BOOT", "twice");
	expect_refused(&p, same, 2, NULL, 0, "BOOT", "twice");
	/* SUPER selects every piece; SUPER#2 again is the same piece twice. */
	expect_refused(&p, piece, 2, NULL, 0, "SUPER#2", "twice");
	unmake(&p);
}

static void test_maps_conflicting_refused(void)
{
	static const char *const names[] = { "~SUPER", "~SUPER", "BOOT", "CUST" };
	static const char *const boot[] = { "BOOT" };
	static const char *const super[] = { "SUPER" };
	struct hwf_plan_map two[] = { { "BOOT", "boot_a" }, { "boot", "boot_b" } };
	struct hwf_plan_map split[] = { { "SUPER#2", "other" } };
	struct hwf_plan_map whole[] = { { "SUPER", "super_a" } };
	struct hwf_plan_step *st;
	struct hwf_err e = { 0 };
	struct pkg p;
	size_t n;

	make(&p, names, 4);
	expect_refused(&p, boot, 1, two, 2, "boot_a", "boot_b");
	/* The pieces of a split entry go to one partition, whatever --map says. */
	expect_refused(&p, super, 1, split, 1, "SUPER#2", "other");
	/* Both pieces mapped together are fine: the split rule, not the refusal. */
	CU_ASSERT_EQUAL_FATAL(hwf_plan_build(p.app, super, 1, whole, 1, &st, &n, &e), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(st[0].partition, "super_a");
	CU_ASSERT_STRING_EQUAL(st[1].partition, "super_a");
	CU_ASSERT_EQUAL(st[1].pieces, 2);
	free(st);
	unmake(&p);
}

void hwf_suite_appplan(void)
{
	CU_pSuite s = CU_add_suite("appplan", setup, teardown);

	CU_add_test(s, "default mapping and order", test_default_mapping_and_order);
	CU_add_test(s, "named selection, --map, refusals", test_named_selection_and_map);
	CU_add_test(s, "split entries: sparse pieces in order, raw joined", test_split_entries);
	CU_add_test(s, "two entries onto one partition refused", test_one_partition_twice_refused);
	CU_add_test(s, "an entry named twice refused", test_named_twice_refused);
	CU_add_test(s, "conflicting --map refused", test_maps_conflicting_refused);
}
