// SPDX-License-Identifier: MIT
/*
 * formats/dload: a mounted card's folder as TARGET.  The test folders are
 * not FAT32 (tmpfs, ext4, overlayfs), so most tests go on with force, as
 * t_dload.sh does.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "formats/dload/dload.h"
#include "tests/unit/dlutil.h"
#include "tests/unit/fatutil.h"
#include "tests/unit/testutil.h"

static char *dir;

static int setup(void)
{
	dir = tu_mkdtemp();
	return dir ? 0 : 1;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	return 0;
}

static const char *at(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static int exists(const char *name)
{
	char p[4096];

	return access(at(p, sizeof(p), name), F_OK) == 0;
}

/* Is the test folder on vfat (then the not-FAT32 refusal cannot be seen here)? */
static int on_vfat(void)
{
	struct statfs sf;

	return statfs(dir, &sf) == 0 && sf.f_type == 0x4d44;
}

/* The message of the last prepare(). */
static char last[HWF_ERR_MSG_MAX];

/* hwf_dload_prepare(@source, dir/@card): its code; @want in the message when it fails. */
static int prepare(const char *source, const char *card, int force, struct du_rec *r,
		   const char *want)
{
	struct hwf_dload_opts o = {0, force};
	struct hwf_dload_plan *p = NULL;
	struct hwf_dload_cb cb = du_cb(r, 1);
	struct hwf_err e = {0};
	char target[4096];
	int rc;

	rc = hwf_dload_prepare(source, at(target, sizeof(target), card), &o, &cb, &p, &e);
	memcpy(last, e.msg, sizeof(last));
	if (want && !strstr(e.msg, want))
		fprintf(stderr, "\nprepare said \"%s\", wanted \"%s\"\n", e.msg, want);
	if (want)
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want));
	CU_ASSERT(rc ? p == NULL : p != NULL);
	CU_ASSERT_EQUAL(r->begins, r->ends);
	CU_ASSERT_EQUAL(r->asked, 0); /* a folder is never formatted */
	hwf_dload_plan_close(p);
	return rc;
}

static void test_not_fat32_is_refused_before_anything(void)
{
	char pkg[4096], card[4096];
	struct du_rec r = {0};

	if (on_vfat())
		return;
	du_make_app(at(pkg, sizeof(pkg), "nf.APP"), 20000, 1);
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(card, sizeof(card), "nfcard")), 0);
	CU_ASSERT_EQUAL(prepare(pkg, "nfcard", 0, &r,
				", not FAT32: phones read dload only from FAT32 (format the card "
				"FAT32, or --force)"),
			HWF_EUNSUPPORTED);
	CU_ASSERT_EQUAL(strncmp(last, card, strlen(card)), 0);
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_VERIFIED] + r.events[HWF_DLOAD_EV_WRITING], 0);
	CU_ASSERT_EQUAL(r.tmp_added, 0);
	CU_ASSERT_FALSE(exists("nfcard/dload"));
}

static void test_write_verify_rename(void)
{
	char pkg[4096], card[4096], p[4096], want[4200];
	struct du_rec r = {0};
	long long size;

	du_make_app(at(pkg, sizeof(pkg), "wr.APP"), 2500000, 2);
	size = tu_size(pkg);
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(card, sizeof(card), "wrcard/dload")), 0);
	at(card, sizeof(card), "wrcard");
	du_write_text(at(p, sizeof(p), "wrcard/dload/UPDATE.APP"), "old");
	CU_ASSERT_EQUAL(prepare(pkg, "wrcard", 1, &r, NULL), 0);
	CU_ASSERT(du_same(pkg, at(p, sizeof(p), "wrcard/dload/UPDATE.APP")));
	CU_ASSERT_FALSE(exists("wrcard/dload/.UPDATE.APP.partial"));
	/* Warned, verified, then written: in that order. */
	if (!on_vfat()) {
		snprintf(want, sizeof(want), "WARNING --force: %s is on ", card);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.log, want));
		CU_ASSERT(strstr(r.log, "WARNING") < strstr(r.log, "VERIFIED"));
	}
	snprintf(want, sizeof(want), "VERIFIED Verified %s: 1 file, %lld bytes\n", pkg, size);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.log, want));
	snprintf(want, sizeof(want), "WRITING Writing dload/UPDATE.APP (%lld bytes)\n", size);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.log, want));
	CU_ASSERT(strstr(r.log, "VERIFIED") < strstr(r.log, "WRITING"));
	/* The .partial was known before it existed, and forgotten once renamed. */
	CU_ASSERT_EQUAL(r.tmp_added, 1);
	CU_ASSERT(r.tmp_forgotten >= 1);
	snprintf(want, sizeof(want), "%s/dload/.UPDATE.APP.partial", card);
	CU_ASSERT_STRING_EQUAL(r.tmp_last, want);
	CU_ASSERT(r.updates > 0);

	/* A dload folder in another case is used, not a second one made. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(card, sizeof(card), "uccard/DLOAD")), 0);
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(prepare(pkg, "uccard", 1, &r, NULL), 0);
	CU_ASSERT(du_same(pkg, at(p, sizeof(p), "uccard/DLOAD/UPDATE.APP")));
	CU_ASSERT_FALSE(exists("uccard/dload"));
}

static void test_folder_source_with_subfolders(void)
{
	char src[4096], card[4096], a[4096], b[4096];
	struct du_rec r = {0};

	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "tree/dload/X")), 0);
	du_make_app(at(a, sizeof(a), "tree/dload/UPDATE.APP"), 100000, 3);
	du_write_text(at(a, sizeof(a), "tree/dload/X/note.txt"), "a note in a sub folder\n");
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(card, sizeof(card), "treecard")), 0);
	CU_ASSERT_EQUAL(prepare(at(src, sizeof(src), "tree"), "treecard", 1, &r, NULL), 0);
	CU_ASSERT(du_same(at(a, sizeof(a), "tree/dload/UPDATE.APP"),
			  at(b, sizeof(b), "treecard/dload/UPDATE.APP")));
	CU_ASSERT(du_same(at(a, sizeof(a), "tree/dload/X/note.txt"),
			  at(b, sizeof(b), "treecard/dload/X/note.txt")));
	CU_ASSERT_FALSE(exists("treecard/dload/X/.note.txt.partial"));
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_WRITING], 2);
	CU_ASSERT_EQUAL(r.tmp_added, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.log, "Verified "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.log, ": 2 files, "));
}

/*
 * A source that changes between its verification and the copy: the
 * read-back catches it, nothing is renamed, the old file stays.
 */
static void test_read_back_mismatch_keeps_the_card(void)
{
	char pkg[4096], card[4096], p[4096], src[4096];
	struct du_rec r = {0};

	du_make_app(at(pkg, sizeof(pkg), "mm.APP"), 400000, 4);
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(card, sizeof(card), "mmcard/dload")), 0);
	du_write_text(at(p, sizeof(p), "mmcard/dload/UPDATE.APP"), "old");
	r.flip_path = pkg;
	r.flip_off = 200000;
	CU_ASSERT_EQUAL(
	    prepare(pkg, "mmcard", 1, &r, "the copy on the card does not verify: entry SYSTEM: "),
	    HWF_ECRC);
	CU_ASSERT_PTR_NOT_NULL(strstr(last, "; the card's dload/ was left as it was"));
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_WRITING], 1);
	CU_ASSERT_EQUAL(tu_size(at(p, sizeof(p), "mmcard/dload/UPDATE.APP")), 3);
	CU_ASSERT_FALSE(exists("mmcard/dload/.UPDATE.APP.partial"));
	CU_ASSERT_EQUAL(r.tmp_added, 1);
	CU_ASSERT(r.tmp_forgotten >= 1);
	/* The source stays changed: now its verification refuses it, before any writing. */
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(prepare(pkg, "mmcard", 1, &r, "; nothing was written to the card"),
			HWF_ECRC);
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_WRITING], 0);
	CU_ASSERT_EQUAL(r.tmp_added, 0);

	/* A file that is not a package: its CRC-32 says so. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "txt/dload")), 0);
	du_write_text(at(p, sizeof(p), "txt/dload/note.txt"), "twenty bytes of text");
	memset(&r, 0, sizeof(r));
	r.flip_path = p;
	r.flip_off = 3;
	CU_ASSERT_EQUAL(prepare(at(src, sizeof(src), "txt"), "mmcard", 1, &r,
				"the bytes read back differ from the source (CRC-32 "),
			HWF_ECRC);
	CU_ASSERT_FALSE(exists("mmcard/dload/note.txt"));
	CU_ASSERT_FALSE(exists("mmcard/dload/.note.txt.partial"));

	/* The second of two files goes wrong: the first, already verified, is not renamed either.
	 */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "two/dload")), 0);
	du_write_text(at(p, sizeof(p), "two/dload/a.txt"), "first file");
	du_write_text(at(p, sizeof(p), "two/dload/b.txt"), "second file");
	memset(&r, 0, sizeof(r));
	r.flip_dir = at(src, sizeof(src), "two/dload");
	r.flip_at = 2;
	r.flip_off = 0;
	CU_ASSERT_EQUAL(prepare(at(p, sizeof(p), "two"), "mmcard", 1, &r, "differ from the source"),
			HWF_ECRC);
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_WRITING], 2);
	CU_ASSERT_FALSE(exists("mmcard/dload/a.txt"));
	CU_ASSERT_FALSE(exists("mmcard/dload/b.txt"));
	CU_ASSERT_FALSE(exists("mmcard/dload/.a.txt.partial"));
	CU_ASSERT_FALSE(exists("mmcard/dload/.b.txt.partial"));
	CU_ASSERT_EQUAL(tu_size(at(p, sizeof(p), "mmcard/dload/UPDATE.APP")), 3);
}

static void test_refusals_before_the_first_write(void)
{
	char src[4096], card[4096], p[4096];
	struct du_rec r = {0};
	struct statfs sf;

	/* A file FAT32 cannot hold. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "big/dload")), 0);
	du_make_sparse(at(p, sizeof(p), "big/dload/huge.bin"), HWF_DLOAD_FAT_MAX_FILE + 1);
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(card, sizeof(card), "bigcard")), 0);
	CU_ASSERT_EQUAL(prepare(at(src, sizeof(src), "big"), "bigcard", 1, &r,
				"huge.bin: 4294967296 bytes: FAT32 cannot hold a file of 4 GiB or "
				"more; nothing was written"),
			HWF_EUNSUPPORTED);
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_VERIFIED] + r.events[HWF_DLOAD_EV_WRITING], 0);
	CU_ASSERT_FALSE(exists("bigcard/dload"));

	/* More than the folder has free: 64 files of 4 GiB - 1 (sparse: 256 GiB in all). */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "room/dload")), 0);
	for (int i = 0; i < HWF_DLOAD_MAX_ITEMS; i++) {
		snprintf(p, sizeof(p), "%s/room/dload/f%02d.bin", dir, i);
		du_make_sparse(p, HWF_DLOAD_FAT_MAX_FILE);
	}
	CU_ASSERT_EQUAL_FATAL(statfs(dir, &sf), 0);
	if ((uint64_t)sf.f_bavail * (uint64_t)sf.f_bsize < 250ull << 30) {
		memset(&r, 0, sizeof(r));
		CU_ASSERT_EQUAL(prepare(at(src, sizeof(src), "room"), "bigcard", 1, &r,
					" free, the package needs 256.00 GiB; nothing was written"),
				HWF_ENOSPC);
		CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_WRITING], 0);
		CU_ASSERT_FALSE(exists("bigcard/dload"));
	}

	/* The .partial cannot be registered for removal on Ctrl-C: not made at all. */
	du_make_app(at(p, sizeof(p), "tmpf.APP"), 10000, 5);
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(card, sizeof(card), "tmpcard/dload")), 0);
	memset(&r, 0, sizeof(r));
	r.tmp_fail = 1;
	CU_ASSERT_EQUAL(prepare(p, "tmpcard", 1, &r,
				".UPDATE.APP.partial: Cannot allocate memory; the card's dload/ "
				"was left as it was"),
			HWF_EIO);
	CU_ASSERT_FALSE(exists("tmpcard/dload/.UPDATE.APP.partial"));
	CU_ASSERT_FALSE(exists("tmpcard/dload/UPDATE.APP"));
}

static void test_target_kinds(void)
{
	enum hwf_dload_target_kind k;
	struct hwf_dload_opts o = {1, 0};
	struct hwf_dload_target *t = (void *)1;
	struct hwf_dload_plan *p;
	struct hwf_err e = {0};
	char path[4096], pkg[4096];

	CU_ASSERT_EQUAL(hwf_dload_target_kind(dir, &k, &e), 0);
	CU_ASSERT_EQUAL(k, HWF_DLOAD_FOLDER);
	du_make_sparse(at(path, sizeof(path), "k.img"), 1 << 20);
	CU_ASSERT_EQUAL(hwf_dload_target_kind(path, &k, &e), 0);
	CU_ASSERT_EQUAL(k, HWF_DLOAD_IMAGE);
	CU_ASSERT_EQUAL(hwf_dload_target_kind(at(path, sizeof(path), "nosuch"), &k, &e), HWF_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nosuch: No such file or directory"));
	CU_ASSERT_EQUAL_FATAL(mkfifo(at(path, sizeof(path), "fifo"), 0644), 0);
	CU_ASSERT_EQUAL(hwf_dload_target_kind(path, &k, &e), HWF_EUNSUPPORTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "fifo is a named pipe (FIFO): TARGET is the card's "
					     "folder, an image file or a device"));
	CU_ASSERT_EQUAL(hwf_dload_target_kind("/dev/null", &k, &e), HWF_EUNSUPPORTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is a character device"));
	/* format takes no folder. */
	du_make_app(at(pkg, sizeof(pkg), "kinds.APP"), 1000, 6);
	CU_ASSERT_EQUAL_FATAL(hwf_dload_plan_open(&p, pkg, &e), 0);
	CU_ASSERT_EQUAL(hwf_dload_target_open(&t, dir, p, &o, NULL, &e), HWF_EINVAL);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "--format takes an image file or a device"));
	hwf_dload_plan_close(p);
}

void hwf_suite_dload_folder(void)
{
	CU_pSuite s = CU_add_suite("dload_folder", setup, teardown);

	CU_add_test(s, "a folder not on FAT32 is refused before anything",
		    test_not_fat32_is_refused_before_anything);
	CU_add_test(s, "write to .partial, read back, verify, rename", test_write_verify_rename);
	CU_add_test(s, "a folder SOURCE with sub folders", test_folder_source_with_subfolders);
	CU_add_test(s, "a read-back mismatch leaves the card as it was",
		    test_read_back_mismatch_keeps_the_card);
	CU_add_test(s, "4 GiB, no room, no cleanup registration: refused before writing",
		    test_refusals_before_the_first_write);
	CU_add_test(s, "what a TARGET is", test_target_kinds);
}
