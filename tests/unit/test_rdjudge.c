// SPDX-License-Identifier: MIT
/*
 * The ramdisk folder against independent tools: archives written by GNU
 * `cpio -o -H newc` and by tests/tools/mkbootfs.py (AOSP mkbootfs's output
 * format), compressed by gzip, `lz4 -l` and lz4 (frame), are unpacked and
 * packed again byte for byte; what we pack is decompressed by gzip and lz4
 * and unpacked by `cpio -i`.  Skipped (with a note) without those tools.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/image/rdtree.h"
#include "tests/unit/testutil.h"

static char *fx;	 /* the fixture folder */
static char tools[4096]; /* tests/tools, absolute */

/* The judges run in the fixture folder. */
#define sh(...) tu_sh(fx, __VA_ARGS__)

static int judge_init(void)
{
	if (system("command -v cpio gzip lz4 python3 > /dev/null 2>&1") ||
	    !realpath("tests/tools", tools)) {
		fprintf(stderr, "rdjudge: needs cpio, gzip, lz4, python3 and tests/tools "
				"(run from the top): skipped\n");
		return 0;
	}
	fx = tu_mkdtemp();
	if (!fx)
		return 1;
	/* A tree with what ramdisks hold: folders, modes, a symlink, odd names,
	 * a file over one read buffer, a hard link (GNU cpio), a device node
	 * when root can make one. */
	return sh("mkdir -p tree/sbin tree/etc 'tree/a dir' tree/dev && printf init > tree/init "
		  "&& chmod 750 tree/init && printf rec > tree/sbin/recovery && "
		  "chmod 4755 tree/sbin/recovery && ln -s /system/bin/sh tree/sbin/sh && "
		  "printf x > 'tree/a dir/f g' && seq 1 40000 > tree/etc/big && "
		  "ln tree/etc/big tree/etc/hard && chmod 700 tree/etc && "
		  "{ [ \"$(id -u)\" != 0 ] || mknod tree/dev/console c 5 1; } && "
		  "(cd tree && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > gnu.cpio && "
		  "rm tree/etc/hard && python3 '%s/mkbootfs.py' tree > aosp.cpio && "
		  "for f in gnu aosp; do gzip -9 -c $f.cpio > $f.gz && "
		  "lz4 -l -9 -q -c $f.cpio > $f.lz4 && lz4 -q -c $f.cpio > $f.lz4f; done",
		  tools)
		   ? 1
		   : 0;
}

static int judge_clean(void)
{
	if (fx)
		tu_rmtree(fx);
	free(fx);
	fx = NULL;
	return 0;
}

static char *at(const char *name)
{
	return tu_path(fx, name);
}

static int extract(const char *file, const char *dir, const char *list, struct hwf_err *e)
{
	struct hwf_source *src;
	char *p = at(file), *d = at(dir), *l = at(list);
	int rc = hwf_source_open_file(&src, p, e);

	if (!rc) {
		rc = hwf_rdtree_extract(src, 0, hwf_source_size(src), d, l, NULL, e);
		hwf_source_close(src);
	}
	free(p);
	free(d);
	free(l);
	return rc;
}

static int pack(const char *dir, const char *list, enum hwf_ramdisk_comp c, const char *out,
		struct hwf_err *e)
{
	char *d = at(dir), *l = at(list), *o = at(out);
	int fd = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int rc = hwf_rdtree_pack(d, l, c, fd, NULL, e);

	close(fd);
	free(d);
	free(l);
	free(o);
	return rc;
}

static void test_their_archives_round_trip(void)
{
	static const char *const maker[] = {"gnu", "aosp"};
	static const char *const ext[] = {"cpio", "gz", "lz4", "lz4f"};
	struct hwf_err e = {0};

	if (!fx)
		return;
	for (int m = 0; m < 2; m++)
		for (int x = 0; x < 4; x++) {
			char in[32], dir[32], list[48];

			snprintf(in, sizeof(in), "%s.%s", maker[m], ext[x]);
			snprintf(dir, sizeof(dir), "rd-%s-%s", maker[m], ext[x]);
			snprintf(list, sizeof(list), "%s.list", dir);
			CU_ASSERT_EQUAL_FATAL(extract(in, dir, list, &e), 0);
			if (e.code)
				fprintf(stderr, "\n%s: %s\n", in, e.msg);
			CU_ASSERT_EQUAL(pack(dir, list, HWF_RD_CPIO, "out.cpio", &e), 0);
			CU_ASSERT_EQUAL(sh("cmp out.cpio %s.cpio", maker[m]), 0);
			CU_ASSERT_EQUAL(
			    sh("diff -r --no-dereference -x console -x hard tree %s", dir), 0);
			if (m == 0) /* GNU cpio's hard link is one again */
				CU_ASSERT_EQUAL(sh("[ %s/etc/big -ef %s/etc/hard ] && "
						   "cmp %s/etc/hard tree/etc/big",
						   dir, dir, dir),
						0);
		}
}

static void test_tools_read_what_we_write(void)
{
	struct hwf_err e = {0};

	if (!fx)
		return;
	CU_ASSERT_EQUAL_FATAL(extract("gnu.gz", "mine", "mine.list", &e), 0);
	CU_ASSERT_EQUAL(pack("mine", "mine.list", HWF_RD_GZIP, "o.gz", &e), 0);
	CU_ASSERT_EQUAL(pack("mine", "mine.list", HWF_RD_LZ4_LEGACY, "o.lz4", &e), 0);
	CU_ASSERT_EQUAL(pack("mine", "mine.list", HWF_RD_LZ4_FRAME, "o.lz4f", &e), 0);
	CU_ASSERT_EQUAL(sh("gzip -t o.gz && gzip -dc o.gz | cmp - gnu.cpio"), 0);
	CU_ASSERT_EQUAL(sh("[ \"$(head -c 4 o.lz4 | od -An -tx1 | tr -d ' ')\" = 02214c18 ] && "
			   "lz4 -dc o.lz4 | cmp - gnu.cpio"),
			0);
	CU_ASSERT_EQUAL(sh("lz4 -t o.lz4f && lz4 -dc o.lz4f | cmp - gnu.cpio"), 0);
	/* lz4 legacy as lz4 -l -12 (AOSP's level) writes it, byte for byte. */
	CU_ASSERT_EQUAL(sh("lz4 -l -12 -q -c gnu.cpio | cmp - o.lz4"), 0);
	/* Edit the folder (a new file, a changed one, one gone, a chmod): cpio -i
	 * unpacks what we pack into the same tree. */
	CU_ASSERT_EQUAL(sh("printf new-init > mine/init && printf hi > 'mine/zz new' && "
			   "mkdir mine/newdir && printf deep > mine/newdir/f && rm mine/etc/hard "
			   "&& chmod 755 'mine/a dir/f g'"),
			0);
	CU_ASSERT_EQUAL(pack("mine", "mine.list", HWF_RD_GZIP, "o.gz", &e), 0);
	CU_ASSERT_EQUAL(sh("mkdir x && cd x && gzip -dc ../o.gz | cpio -idm --quiet "
			   "--no-absolute-filenames"),
			0);
	CU_ASSERT_EQUAL(sh("diff -r --no-dereference -x console mine x"), 0);
	CU_ASSERT_EQUAL(sh("[ \"$(stat -c %%a 'x/a dir/f g')\" = 755 ]"), 0);
	CU_ASSERT_EQUAL(sh("[ \"$(stat -c %%a x/sbin/recovery)\" = 4755 ]"), 0);
	CU_ASSERT_EQUAL(sh("[ \"$(readlink x/sbin/sh)\" = /system/bin/sh ]"), 0);
	/* New entries last, sorted, named as the archive names its own (GNU cpio
	 * strips "./"). */
	CU_ASSERT_EQUAL(sh("gzip -dc o.gz | cpio -t --quiet | tail -4 | tr '\\n' '|' | "
			   "grep -qx 'sbin/sh|newdir|newdir/f|zz new|' && "
			   "! gzip -dc o.gz | grep -qa './zz new'"),
			0);
}

void hwf_suite_rdjudge(void)
{
	CU_pSuite s = CU_add_suite("rdjudge", judge_init, judge_clean);

	CU_add_test(s, "GNU cpio and mkbootfs archives (cpio, gzip, lz4 -l, lz4): byte-identical",
		    test_their_archives_round_trip);
	CU_add_test(s, "gzip, lz4 and cpio -i read what we pack, edits included",
		    test_tools_read_what_we_write);
}
