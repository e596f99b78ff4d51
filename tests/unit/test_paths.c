// SPDX-License-Identifier: MIT
/*
 * File names and realpath() as the engines use them (open, readdir, the *at
 * functions, rename, unlink; repack's "inside the folder" check).  On Linux
 * this is the C library; on Windows it is win/src: names holding what no
 * Windows file name may hold (stored as U+F000 + c, as Cygwin does) and links
 * in the middle of a path (win/src/at.c's link files, which Windows itself
 * cannot walk through).
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/testutil.h"

TU_SCRATCH_SUITE(dir)

/* Names a ramdisk may hold and Windows forbids (a colon, wildcards, a trailing dot or space). */
static const char *const odd[] = {"x:y*z?.rc", "q<u>o|t\"e", "end.", "sp ", "tab\there", "c:x"};
#define NODD (sizeof(odd) / sizeof(odd[0]))

/* How many times readdir() of @d gives @name. */
static int listed(const char *d, const char *name)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	int n = 0;

	if (!dp)
		return -1;
	while ((de = readdir(dp)))
		n += !strcmp(de->d_name, name);
	closedir(dp);
	return n;
}

static void test_odd_names_made_listed_read_renamed_removed(void)
{
	char *sub = tu_path(dir, "odd");
	int dfd;

	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
	for (size_t i = 0; i < NODD; i++) {
		char *p = tu_path(sub, odd[i]);
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
		struct stat st;

		CU_ASSERT_TRUE_FATAL(fd >= 0);
		CU_ASSERT_EQUAL(write(fd, odd[i], strlen(odd[i])), (ssize_t)strlen(odd[i]));
		close(fd);
		CU_ASSERT_EQUAL(stat(p, &st), 0);
		CU_ASSERT_EQUAL(st.st_size, (off_t)strlen(odd[i]));
		free(p);
	}
	/* Each listed as written, and nothing else there. */
	for (size_t i = 0; i < NODD; i++)
		CU_ASSERT_EQUAL(listed(sub, odd[i]), 1);
	CU_ASSERT_EQUAL(tu_count_names(sub, ""), (int)NODD);
	/* Opened by name in the folder's descriptor, as the ramdisk engine does. */
	dfd = open(sub, O_RDONLY | O_DIRECTORY);
	CU_ASSERT_TRUE_FATAL(dfd >= 0);
	for (size_t i = 0; i < NODD; i++) {
		char buf[32] = {0};
		int fd = openat(dfd, odd[i], O_RDONLY | O_NOFOLLOW);

		CU_ASSERT_TRUE(fd >= 0);
		if (fd < 0)
			continue;
		CU_ASSERT_EQUAL(read(fd, buf, sizeof(buf) - 1), (ssize_t)strlen(odd[i]));
		CU_ASSERT_STRING_EQUAL(buf, odd[i]);
		close(fd);
	}
	close(dfd);
	/* Renamed (to another odd name) and removed. */
	for (size_t i = 0; i < NODD; i++) {
		char *p = tu_path(sub, odd[i]), q[4200];

		snprintf(q, sizeof(q), "%s.", p);
		CU_ASSERT_EQUAL(rename(p, q), 0);
		CU_ASSERT_EQUAL(access(p, F_OK), -1);
		CU_ASSERT_EQUAL(unlink(q), 0);
		free(p);
	}
	CU_ASSERT_EQUAL(tu_count_names(sub, ""), 0);
	CU_ASSERT_EQUAL(rmdir(sub), 0);
	free(sub);
}

/*
 * DOS device names in a folder, through the *at functions (the ramdisk
 * engine's way): on Windows a plain path "dir\\nul" is the NUL device (what is
 * written is lost) and "dir\\aux.txt" cannot be made; in a folder they are files.
 */
static void test_device_names_in_a_folder_are_files(void)
{
	static const char *const dev[] = {"nul", "aux.txt", "con", "COM1", "lpt9.img", "prn"};
	char *sub = tu_path(dir, "dev");
	int dfd;

	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
	dfd = open(sub, O_RDONLY | O_DIRECTORY);
	CU_ASSERT_TRUE_FATAL(dfd >= 0);
	for (size_t i = 0; i < sizeof(dev) / sizeof(dev[0]); i++) {
		int fd = openat(dfd, dev[i], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
		struct stat st;
		char buf[16] = {0};

		CU_ASSERT_TRUE(fd >= 0);
		if (fd < 0)
			continue;
		CU_ASSERT_EQUAL(write(fd, "hello", 5), 5);
		close(fd);
		CU_ASSERT_EQUAL(fstatat(dfd, dev[i], &st, AT_SYMLINK_NOFOLLOW), 0);
		CU_ASSERT_TRUE(S_ISREG(st.st_mode));
		CU_ASSERT_EQUAL(st.st_size, 5);
		fd = openat(dfd, dev[i], O_RDONLY | O_NOFOLLOW);
		CU_ASSERT_TRUE(fd >= 0);
		if (fd >= 0) {
			CU_ASSERT_EQUAL(read(fd, buf, sizeof(buf)), 5);
			close(fd);
		}
		CU_ASSERT_EQUAL(listed(sub, dev[i]), 1);
	}
	for (size_t i = 0; i < sizeof(dev) / sizeof(dev[0]); i++)
		CU_ASSERT_EQUAL(unlinkat(dfd, dev[i], 0), 0);
	close(dfd);
	CU_ASSERT_EQUAL(tu_count_names(sub, ""), 0);
	CU_ASSERT_EQUAL(rmdir(sub), 0);
	free(sub);
}

static void test_realpath_follows_links_in_every_part(void)
{
	char *real = tu_path(dir, "real"), *sub = tu_path(dir, "real/sub"),
	     *lnk = tu_path(dir, "lnk"), *loop = tu_path(dir, "loop"), p[4200], want[PATH_MAX],
	     got[PATH_MAX];

	CU_ASSERT_EQUAL_FATAL(mkdir(real, 0755), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
	CU_ASSERT_EQUAL_FATAL(symlink("real", lnk), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(sub, want));
	/* The link as the last part, in the middle, and before ".." (taken after the link). */
	snprintf(p, sizeof(p), "%s/sub", lnk);
	CU_ASSERT_PTR_NOT_NULL(realpath(p, got));
	CU_ASSERT_STRING_EQUAL(got, want);
	snprintf(p, sizeof(p), "%s/sub/../sub/.", lnk);
	CU_ASSERT_PTR_NOT_NULL(realpath(p, got));
	CU_ASSERT_STRING_EQUAL(got, want);
	snprintf(p, sizeof(p), "%s/../real/sub", lnk);
	CU_ASSERT_PTR_NOT_NULL(realpath(p, got));
	CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT_PTR_NOT_NULL(realpath(lnk, got));
	CU_ASSERT_PTR_NOT_NULL(realpath(real, want));
	CU_ASSERT_STRING_EQUAL(got, want);
	/* A link to itself, and nothing at all. */
	CU_ASSERT_EQUAL_FATAL(symlink("loop", loop), 0);
	snprintf(p, sizeof(p), "%s/x", loop);
	errno = 0;
	CU_ASSERT_PTR_NULL(realpath(p, got));
	CU_ASSERT_EQUAL(errno, ELOOP);
	snprintf(p, sizeof(p), "%s/nothing/x", lnk);
	errno = 0;
	CU_ASSERT_PTR_NULL(realpath(p, got));
	CU_ASSERT_EQUAL(errno, ENOENT);
	free(real);
	free(sub);
	free(lnk);
	free(loop);
}

void hwf_suite_paths(void)
{
	CU_pSuite s = CU_add_suite("paths", setup, teardown);

	CU_add_test(s, "odd names: made, listed, read, renamed, removed",
		    test_odd_names_made_listed_read_renamed_removed);
	CU_add_test(s, "device names in a folder are files",
		    test_device_names_in_a_folder_are_files);
	CU_add_test(s, "realpath follows links in every part",
		    test_realpath_follows_links_in_every_part);
}
