// SPDX-License-Identifier: MIT
/*
 * formats/dload: an image file as TARGET.  Every refusal leaves the image
 * byte for byte as it was (compared with a copy made before) and comes
 * before any "Writing" event; what is written is judged by our FAT reader
 * and, where dosfstools is installed, by fsck.fat -n.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The message of the last prepare(). */
static char last[HWF_ERR_MSG_MAX];

/* hwf_dload_prepare(@source, dir/@img): its code; @want in the message when given. */
static int prepare(const char *source, const char *img, int format, int force, struct du_rec *r,
		   const char *want)
{
	struct hwf_dload_opts o = {format, force};
	struct hwf_dload_plan *p = NULL;
	struct hwf_dload_cb cb = du_cb(r, 1);
	struct hwf_err e = {0};
	char target[4096];
	int rc;

	rc = hwf_dload_prepare(source, at(target, sizeof(target), img), &o, &cb, &p, &e);
	memcpy(last, e.msg, sizeof(last));
	if (want && !strstr(e.msg, want))
		fprintf(stderr, "\nprepare said \"%s\", wanted \"%s\"\n", e.msg, want);
	if (want)
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want));
	CU_ASSERT(rc ? p == NULL : p != NULL);
	CU_ASSERT_EQUAL(r->begins, r->ends);
	hwf_dload_plan_close(p);
	return rc;
}

/*
 * A prepare that must be refused with @code: no "Writing", and dir/@img
 * byte for byte as it was.
 */
static void refused(const char *source, const char *img, int format, int force, struct du_rec *r,
		    int code, const char *want)
{
	char path[4096], copy[4096];
	char cmd[8400];

	at(path, sizeof(path), img);
	at(copy, sizeof(copy), "before.img");
	snprintf(cmd, sizeof(cmd), "cp --sparse=always '%s' '%s'", path, copy);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	CU_ASSERT_EQUAL(prepare(source, img, format, force, r, want), code);
	CU_ASSERT_EQUAL(r->events[HWF_DLOAD_EV_WRITING], 0);
	CU_ASSERT(du_same(path, copy));
}

/* The file dload/@rel on the card image dir/@img holds the bytes of @want. */
static void card_has(const char *img, const char *rel, const char *want)
{
	char path[4096], name[600];
	struct hwf_source *src, *ref;
	struct hwf_disk_probe pr;
	struct hwf_err e = {0};
	uint8_t a[4096], b[4096];
	struct hwf_fat *fs;
	uint64_t size;
	int fd;

	fd = open(at(path, sizeof(path), img), O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(hwf_disk_probe(fd, (uint64_t)tu_size(path), &pr, &e), 0);
	CU_ASSERT_EQUAL(pr.pt, HWF_PT_MBR);
	CU_ASSERT_EQUAL(pr.part_type, 0x0c);
	CU_ASSERT_EQUAL_FATAL(pr.fs, HWF_FS_FAT32);
	CU_ASSERT_EQUAL_FATAL(hwf_fat_open(&fs, fd, pr.part_offset, pr.part_size, 0, &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_check(fs, &e), 0);
	snprintf(name, sizeof(name), "dload/%s", rel);
	CU_ASSERT_EQUAL_FATAL(hwf_fat_open_source(fs, name, &src, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&ref, want, &e), 0);
	size = hwf_source_size(ref);
	CU_ASSERT_EQUAL(hwf_source_size(src), size);
	for (uint64_t off = 0; off < size && hwf_source_size(src) == size;) {
		size_t n = size - off < sizeof(a) ? (size_t)(size - off) : sizeof(a);

		CU_ASSERT_EQUAL_FATAL(hwf_source_read_exact(src, a, n, off, &e), 0);
		CU_ASSERT_EQUAL_FATAL(hwf_source_read_exact(ref, b, n, off, &e), 0);
		CU_ASSERT_EQUAL_FATAL(memcmp(a, b, n), 0);
		off += n;
	}
	hwf_source_close(ref);
	hwf_source_close(src);
	hwf_fat_close(fs);
	close(fd);
}

static void test_format_write_read_back(void)
{
	char pkg[4096], img[4096], want[4300], src[4096], p[4096];
	struct du_rec r = {.answer = HWF_DLOAD_YES};

	du_make_app(at(pkg, sizeof(pkg), "fmt.APP"), 3000000, 1);
	du_make_sparse(at(img, sizeof(img), "fmt.img"), 64 * MIB);
	CU_ASSERT_EQUAL(prepare(pkg, "fmt.img", 1, 0, &r, NULL), 0);
	CU_ASSERT_EQUAL(r.asked, 1);
	snprintf(want, sizeof(want), "This erases everything on %s (64.0 MiB, all zero).", img);
	CU_ASSERT_STRING_EQUAL(r.question, want);
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_VERIFIED], 1);
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_WRITING], 1);
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_WARNING], 0);
	CU_ASSERT_EQUAL(r.tmp_added, 0); /* nothing temporary on an image */
	card_has("fmt.img", "UPDATE.APP", pkg);
	if (fu_have_tools())
		CU_ASSERT_EQUAL(fu_fsck_part(dir, "fmt.img"), 0);

	/* Several files, a sub folder, onto a new card. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "tree/dload/X")), 0);
	at(src, sizeof(src), "tree");
	du_make_app(at(p, sizeof(p), "tree/dload/UPDATE.APP"), 500000, 2);
	du_write_text(at(p, sizeof(p), "tree/dload/X/note.txt"), "a note\n");
	du_write_text(at(p, sizeof(p), "tree/dload/X/more.txt"), "more\n");
	du_make_sparse(at(img, sizeof(img), "tree.img"), 64 * MIB);
	memset(&r, 0, sizeof(r));
	r.answer = HWF_DLOAD_YES;
	CU_ASSERT_EQUAL(prepare(src, "tree.img", 1, 0, &r, NULL), 0);
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_WRITING], 3);
	card_has("tree.img", "UPDATE.APP", at(p, sizeof(p), "tree/dload/UPDATE.APP"));
	card_has("tree.img", "X/note.txt", at(p, sizeof(p), "tree/dload/X/note.txt"));
	card_has("tree.img", "X/more.txt", at(p, sizeof(p), "tree/dload/X/more.txt"));
	if (fu_have_tools())
		CU_ASSERT_EQUAL(fu_fsck_part(dir, "tree.img"), 0);
}

static void test_confirm_answers(void)
{
	char pkg[4096], img[4096];
	struct du_rec r = {.answer = HWF_DLOAD_NO};
	struct hwf_dload_cb cb = du_cb(&r, 0);
	struct hwf_dload_opts o = {1, 0};
	struct hwf_dload_target *t = (void *)1;
	struct hwf_dload_plan *p;
	struct hwf_err e = {0};

	du_make_app(at(pkg, sizeof(pkg), "ask.APP"), 20000, 3);
	du_make_sparse(at(img, sizeof(img), "ask.img"), 64 * MIB);
	refused(pkg, "ask.img", 1, 0, &r, HWF_ECANCELED,
		"ask.img: not confirmed; nothing was changed");
	CU_ASSERT_EQUAL(r.asked, 1);
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_VERIFIED], 0); /* asked before the long part */
	memset(&r, 0, sizeof(r));
	r.answer = HWF_DLOAD_CANNOT_ASK;
	refused(pkg, "ask.img", 1, 0, &r, HWF_ECANCELED,
		"ask.img: formatting erases everything on it; give --yes when not on a terminal "
		"(nothing was changed)");
	/* Nobody to ask at all. */
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL_FATAL(hwf_dload_plan_open(&p, pkg, &e), 0);
	CU_ASSERT_EQUAL(hwf_dload_target_open(&t, img, p, &o, &cb, &e), HWF_ECANCELED);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "give --yes when not on a terminal"));
	hwf_dload_plan_close(p);
	/* Without format nobody is asked: there is no card on it to write into. */
	memset(&r, 0, sizeof(r));
	refused(pkg, "ask.img", 0, 0, &r, HWF_EUNSUPPORTED, "ask.img is not a FAT32 card (");
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(last, "): add --format to make a new card (it erases the card)"));
	CU_ASSERT_EQUAL(r.asked, 0);
}

static void test_foreign_content(void)
{
	char pkg[4096], victim[4096], want[4300];
	struct du_rec r = {.answer = HWF_DLOAD_YES};

	du_make_app(at(pkg, sizeof(pkg), "fc.APP"), 20000, 4);
	du_make_app(at(victim, sizeof(victim), "victim.img"), 300000, 5);
	CU_ASSERT_EQUAL_FATAL(truncate(victim, 40 * MIB), 0);
	refused(
	    pkg, "victim.img", 1, 0, &r, HWF_EACCES,
	    "victim.img is not an SD card image (content: Huawei UPDATE.APP): not formatting it; "
	    "nothing was changed (--force formats it anyway)");
	CU_ASSERT_EQUAL(r.asked, 0); /* refused before anything is asked */
	memset(&r, 0, sizeof(r));
	refused(pkg, "victim.img", 0, 0, &r, HWF_EUNSUPPORTED,
		"victim.img is not an SD card image (content: Huawei UPDATE.APP); nothing was "
		"changed: TARGET is the card's folder, image file or device");
	/* force: a warning, the question, and a card. */
	memset(&r, 0, sizeof(r));
	r.answer = HWF_DLOAD_YES;
	CU_ASSERT_EQUAL(prepare(pkg, "victim.img", 1, 1, &r, NULL), 0);
	snprintf(want, sizeof(want),
		 "WARNING --force: formatting %s although it holds Huawei UPDATE.APP\n", victim);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.log, want));
	CU_ASSERT_EQUAL(r.asked, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.question, "40.0 MiB, Huawei UPDATE.APP)."));
	card_has("victim.img", "UPDATE.APP", pkg);
}

static void test_size_refusals(void)
{
	char pkg[4096], src[4096], p[4096];
	struct du_rec r = {.answer = HWF_DLOAD_YES};

	du_make_app(at(pkg, sizeof(pkg), "sz.APP"), 20000, 6);
	du_make_sparse(at(p, sizeof(p), "tiny.img"), 16 * MIB);
	refused(pkg, "tiny.img", 1, 0, &r, HWF_ENOSPC,
		"tiny.img: 16.0 MiB is too small for FAT32 (a card of at least ");
	CU_ASSERT_EQUAL(r.asked, 0);
	/* A package bigger than the card. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "fat/dload")), 0);
	at(src, sizeof(src), "fat");
	du_make_sparse(at(p, sizeof(p), "fat/dload/big.bin"), 100 * MIB);
	du_make_sparse(at(p, sizeof(p), "small.img"), 64 * MIB);
	memset(&r, 0, sizeof(r));
	r.answer = HWF_DLOAD_YES;
	refused(
	    src, "small.img", 1, 0, &r, HWF_ENOSPC,
	    "small.img: 64.0 MiB is too small for the package (100.0 MiB) on FAT32; nothing was "
	    "changed");
	CU_ASSERT_EQUAL(r.asked, 0);
	/* A file FAT32 cannot hold: refused before the card's size is even looked at. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "huge/dload")), 0);
	at(src, sizeof(src), "huge");
	du_make_sparse(at(p, sizeof(p), "huge/dload/huge.bin"), HWF_DLOAD_FAT_MAX_FILE + 1);
	du_make_sparse(at(p, sizeof(p), "h.img"), 64 * MIB);
	memset(&r, 0, sizeof(r));
	r.answer = HWF_DLOAD_YES;
	refused(src, "h.img", 1, 0, &r, HWF_EUNSUPPORTED,
		"huge.bin: 4294967296 bytes: FAT32 cannot hold a file of 4 GiB or more");
	CU_ASSERT_EQUAL(r.asked, 0);
}

/* A card made by the engine, then used without format. */
static void test_existing_card(void)
{
	char pkg[4096], pkg2[4096], src[4096], p[4096];
	struct du_rec r = {.answer = HWF_DLOAD_YES};
	struct hwf_source *s;
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	char *img;
	int fd;

	du_make_app(at(pkg, sizeof(pkg), "ex.APP"), 200000, 7);
	du_make_app(at(pkg2, sizeof(pkg2), "ex2.APP"), 200000, 8);
	du_make_sparse(at(p, sizeof(p), "ex.img"), 64 * MIB);
	CU_ASSERT_EQUAL_FATAL(prepare(pkg, "ex.img", 1, 0, &r, NULL), 0);
	/* The file is there already: never replaced in place. */
	memset(&r, 0, sizeof(r));
	refused(pkg2, "ex.img", 0, 0, &r, HWF_EEXIST,
		"ex.img: the card already has dload/UPDATE.APP: add --format to start over, or "
		"prepare the mounted folder (which replaces it safely); nothing was written");
	card_has("ex.img", "UPDATE.APP", pkg);
	/* Another file goes in beside it, nobody asked. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "add/dload/X")), 0);
	at(src, sizeof(src), "add");
	du_write_text(at(p, sizeof(p), "add/dload/X/note.txt"), "added later\n");
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(prepare(src, "ex.img", 0, 0, &r, NULL), 0);
	CU_ASSERT_EQUAL(r.asked, 0);
	card_has("ex.img", "X/note.txt", p);
	card_has("ex.img", "UPDATE.APP", pkg);

	/* A file named dload where the folder goes. */
	fd = fu_make_formatted(dir, "dfile.img", 64 * MIB, &img);
	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 1, &fs), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&s, pkg2, &e), 0);
	CU_ASSERT_EQUAL(hwf_fat_write_file(fs, "DLOAD", s, NULL, NULL, &e), 0);
	hwf_source_close(s);
	hwf_fat_close(fs);
	close(fd);
	free(img);
	memset(&r, 0, sizeof(r));
	refused(pkg, "dfile.img", 0, 0, &r, HWF_EEXIST,
		"dfile.img: the card has a file dload where the folder dload/ goes; nothing was "
		"written");
}

static void test_damaged_or_full_card(void)
{
	char pkg[4096], src[4096], p[4096];
	struct du_rec r = {.answer = HWF_DLOAD_YES};
	struct hwf_fat_dirent d;
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	int fd;

	du_make_app(at(pkg, sizeof(pkg), "dm.APP"), 100000, 9);
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "other/dload")), 0);
	at(src, sizeof(src), "other");
	du_write_text(at(p, sizeof(p), "other/dload/other.txt"), "another file\n");
	du_make_sparse(at(p, sizeof(p), "dm.img"), 64 * MIB);
	CU_ASSERT_EQUAL_FATAL(prepare(pkg, "dm.img", 1, 0, &r, NULL), 0);
	/* UPDATE.APP's chain made to loop. */
	fd = open(p, O_RDWR);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(fu_open_fs(fd, 64 * MIB, 0, &fs), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_fat_stat(fs, "dload/UPDATE.APP", &d, &e), 0);
	hwf_fat_close(fs);
	fu_set_fat(fd, d.first_cluster + 3, d.first_cluster);
	close(fd);
	memset(&r, 0, sizeof(r));
	refused(src, "dm.img", 0, 0, &r, HWF_EFORMAT,
		"dm.img: the card's file system is damaged: dload/UPDATE.APP: its cluster chain "
		"loops at cluster ");
	CU_ASSERT_PTR_NOT_NULL(strstr(last, "nothing was written (repair it with fsck.fat -a, or "
					    "start over with --format)"));
	/* format starts over. */
	memset(&r, 0, sizeof(r));
	r.answer = HWF_DLOAD_YES;
	CU_ASSERT_EQUAL(prepare(src, "dm.img", 1, 0, &r, NULL), 0);
	card_has("dm.img", "other.txt", at(p, sizeof(p), "other/dload/other.txt"));

	/* No room: 75 MiB of files (sparse) for a 64 MiB card. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "full/dload")), 0);
	at(src, sizeof(src), "full");
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/full/dload/part%d.bin", dir, i);
		du_make_sparse(p, 25 * MIB);
	}
	memset(&r, 0, sizeof(r));
	refused(src, "dm.img", 0, 0, &r, HWF_ENOSPC,
		" free on the card, the package needs 75.0 MiB");
}

/* A source that changes between its verification and the write: the read-back refuses it. */
static void test_read_back_mismatch(void)
{
	char pkg[4096], src[4096], p[4096];
	struct du_rec r = {.answer = HWF_DLOAD_YES};

	du_make_app(at(pkg, sizeof(pkg), "rb.APP"), 300000, 10);
	du_make_sparse(at(p, sizeof(p), "rb.img"), 64 * MIB);
	r.flip_path = pkg;
	r.flip_off = 100000;
	CU_ASSERT_EQUAL(prepare(pkg, "rb.img", 1, 0, &r,
				"rb.img: dload/UPDATE.APP read back from the card does not verify: "
				"entry SYSTEM: "),
			HWF_ECRC);
	CU_ASSERT_EQUAL(r.events[HWF_DLOAD_EV_WRITING], 1);
	/* Not a package: the CRC-32 taken at verification. */
	CU_ASSERT_EQUAL_FATAL(du_mkdirs(at(src, sizeof(src), "rbt/dload")), 0);
	at(src, sizeof(src), "rbt");
	du_write_text(at(p, sizeof(p), "rbt/dload/a.txt"), "some text that will change");
	memset(&r, 0, sizeof(r));
	r.answer = HWF_DLOAD_YES;
	r.flip_path = p;
	r.flip_off = 5;
	CU_ASSERT_EQUAL(prepare(src, "rb.img", 1, 0, &r,
				"rb.img: dload/a.txt read back from the card does not verify: the "
				"bytes read back differ from the source (CRC-32 "),
			HWF_ECRC);
}

/* The gate holds for formatting too: a plan not verified leaves the image untouched. */
static void test_unverified_plan_formats_nothing(void)
{
	char pkg[4096], img[4096], copy[4096];
	struct du_rec r = {.answer = HWF_DLOAD_YES};
	struct hwf_dload_cb cb = du_cb(&r, 1);
	struct hwf_dload_opts o = {1, 0};
	struct hwf_dload_target *t;
	struct hwf_dload_plan *p;
	struct hwf_err e = {0};

	du_make_app(at(pkg, sizeof(pkg), "uv.APP"), 10000, 11);
	du_make_sparse(at(img, sizeof(img), "uv.img"), 64 * MIB);
	du_make_sparse(at(copy, sizeof(copy), "uv.copy"), 64 * MIB);
	CU_ASSERT_EQUAL_FATAL(hwf_dload_plan_open(&p, pkg, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_dload_target_open(&t, img, p, &o, &cb, &e), 0);
	CU_ASSERT_EQUAL(hwf_dload_target_write(t, p, &cb, &e), HWF_EINVAL);
	CU_ASSERT(du_same(img, copy));
	hwf_dload_target_close(t);
	hwf_dload_plan_close(p);
}

void hwf_suite_dload_image(void)
{
	CU_pSuite s = CU_add_suite("dload_image", setup, teardown);

	CU_add_test(s, "format, write, read back (our reader, fsck.fat)",
		    test_format_write_read_back);
	CU_add_test(s, "formatting needs a yes", test_confirm_answers);
	CU_add_test(s, "what holds no card is not formatted without force", test_foreign_content);
	CU_add_test(s, "too small, too big, 4 GiB: refused before asking", test_size_refusals);
	CU_add_test(s, "an existing card: files there, a file where dload/ goes",
		    test_existing_card);
	CU_add_test(s, "a damaged card, a full card", test_damaged_or_full_card);
	CU_add_test(s, "a read-back mismatch is named", test_read_back_mismatch);
	CU_add_test(s, "a plan not verified formats nothing", test_unverified_plan_formats_nothing);
}
