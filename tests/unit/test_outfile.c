// SPDX-License-Identifier: MIT
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/outfile.h"
#include "tests/unit/testutil.h"

TU_SCRATCH_SUITE(dir)

static char *read_text(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_commit_gives_the_name_only_when_complete(void)
{
	char *path = tu_path(dir, "whole.img");
	struct hwf_file_hooks h;
	struct tu_files files = { 0 };
	struct hwf_outfile f;
	struct hwf_err e = { 0 };
	struct stat st;

	tu_file_hooks(&files, &h);
	CU_ASSERT_EQUAL_FATAL(hwf_outfile_create(&f, path, HWF_OUTFILE_HIDDEN, &h, &e), 0);
	/* The temporary name: hidden, beside the target. */
	CU_ASSERT_PTR_NOT_NULL(strstr(f.tmp, "/.whole.img.partial."));
	CU_ASSERT_EQUAL(tu_files_left(&files), 1);
	CU_ASSERT_EQUAL(write(f.fd, "data", 4), 4);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	CU_ASSERT_EQUAL(hwf_outfile_commit(&f, HWF_OUTFILE_SYNC | HWF_OUTFILE_NOREPLACE, &e), 0);
	CU_ASSERT_STRING_EQUAL(read_text(path), "data");
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
	CU_ASSERT_EQUAL(tu_files_left(&files), 0);
	CU_ASSERT_EQUAL(tu_count_names(dir, "partial"), 0);
	unlink(path);
	free(path);
}

static void test_plain_temporary_name_and_no_hooks(void)
{
	char *path = tu_path(dir, "plain.APP");
	struct hwf_outfile f;
	struct hwf_err e = { 0 };

	CU_ASSERT_EQUAL_FATAL(hwf_outfile_create(&f, path, 0, NULL, &e), 0);
	CU_ASSERT_EQUAL(strncmp(f.tmp, path, strlen(path)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.tmp, "plain.APP.partial."));
	CU_ASSERT_EQUAL(hwf_outfile_commit(&f, 0, &e), 0);
	CU_ASSERT_EQUAL(tu_size(path), 0);
	unlink(path);
	free(path);
}

static void test_discard_leaves_nothing(void)
{
	char *path = tu_path(dir, "gone.img");
	struct hwf_file_hooks h;
	struct tu_files files = { 0 };
	struct hwf_outfile f;
	struct hwf_err e = { 0 };

	tu_file_hooks(&files, &h);
	CU_ASSERT_EQUAL_FATAL(hwf_outfile_create(&f, path, HWF_OUTFILE_HIDDEN, &h, &e), 0);
	CU_ASSERT_EQUAL(write(f.fd, "x", 1), 1);
	hwf_outfile_discard(&f);
	hwf_outfile_discard(&f); /* twice is harmless */
	CU_ASSERT_EQUAL(tu_count_names(dir, "gone"), 0);
	CU_ASSERT_EQUAL(tu_files_left(&files), 0);
	free(path);
}

static void test_noreplace_keeps_an_existing_file(void)
{
	char *path = tu_path(dir, "old.img");
	struct hwf_file_hooks h;
	struct tu_files files = { 0 };
	struct hwf_outfile f;
	struct hwf_err e = { 0 };

	tu_file_hooks(&files, &h);
	CU_ASSERT_EQUAL(tu_write(path, "old", 3), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_outfile_create(&f, path, HWF_OUTFILE_HIDDEN, &h, &e), 0);
	CU_ASSERT_EQUAL(write(f.fd, "new", 3), 3);
	CU_ASSERT_EQUAL(hwf_outfile_commit(&f, HWF_OUTFILE_NOREPLACE, &e), HWF_EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "old.img: exists; not replaced (use --force)"));
	CU_ASSERT_STRING_EQUAL(read_text(path), "old");
	CU_ASSERT_EQUAL(tu_count_names(dir, "partial"), 0);
	CU_ASSERT_EQUAL(tu_files_left(&files), 0);
	/* Without NOREPLACE (--force) it is replaced. */
	CU_ASSERT_EQUAL_FATAL(hwf_outfile_create(&f, path, HWF_OUTFILE_HIDDEN, &h, &e), 0);
	CU_ASSERT_EQUAL(write(f.fd, "new", 3), 3);
	CU_ASSERT_EQUAL(hwf_outfile_commit(&f, 0, &e), 0);
	CU_ASSERT_STRING_EQUAL(read_text(path), "new");
	CU_ASSERT_EQUAL(tu_files_left(&files), 0);
	unlink(path);
	free(path);
}

static void test_create_failure_names_the_folder(void)
{
	char *path = tu_path(dir, "no/such/file.img");
	struct hwf_outfile f;
	struct hwf_err e = { 0 };

	CU_ASSERT_EQUAL(hwf_outfile_create(&f, path, HWF_OUTFILE_HIDDEN, NULL, &e), HWF_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/no/such: cannot create a file there: "));
	CU_ASSERT_EQUAL(f.fd, -1);
	free(path);
}

static void test_mkdirs(void)
{
	char *deep = tu_path(dir, "a/b/c"), *file = tu_path(dir, "afile");
	char *under = tu_path(dir, "afile/x");
	struct hwf_err e = { 0 };
	struct stat st;

	CU_ASSERT_EQUAL(hwf_mkdirs(deep, &e), 0);
	CU_ASSERT(stat(deep, &st) == 0 && S_ISDIR(st.st_mode));
	CU_ASSERT_EQUAL(hwf_mkdirs(deep, &e), 0); /* there already */
	CU_ASSERT_EQUAL(tu_write(file, "", 0), 0);
	CU_ASSERT_EQUAL(hwf_mkdirs(file, &e), HWF_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "afile: not a folder"));
	CU_ASSERT_NOT_EQUAL(hwf_mkdirs(under, &e), 0);
	CU_ASSERT_EQUAL(hwf_mkdirs("", &e), HWF_EINVAL);
	free(deep);
	free(file);
	free(under);
}

void hwf_suite_outfile(void)
{
	CU_pSuite s = CU_add_suite("outfile", setup, teardown);

	CU_add_test(s, "commit gives the name only when complete",
		    test_commit_gives_the_name_only_when_complete);
	CU_add_test(s, "plain temporary name, no hooks", test_plain_temporary_name_and_no_hooks);
	CU_add_test(s, "discard leaves nothing", test_discard_leaves_nothing);
	CU_add_test(s, "NOREPLACE keeps an existing file", test_noreplace_keeps_an_existing_file);
	CU_add_test(s, "a failed create names the folder", test_create_failure_names_the_folder);
	CU_add_test(s, "mkdirs: parents, a file in the way, empty", test_mkdirs);
}
