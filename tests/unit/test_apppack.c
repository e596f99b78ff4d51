// SPDX-License-Identifier: MIT
/* app pack's engine, in process: names, pipes spooled, empty inputs, verify before rename. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/app/apppack.h"
#include "formats/app/updateapp.h"
#include "tests/unit/testutil.h"

TU_SCRATCH_SUITE(dir)

struct told {
	int kind[32];
	char msg[32][600];
	size_t n;
	/* set: damage this file when verification starts */
	const struct tu_files *damage_tmp;
};

static void on_event(void *ctx, const struct hwf_pack_event *ev)
{
	struct told *t = ctx;

	if (t->n < 32) {
		t->kind[t->n] = ev->kind;
		snprintf(t->msg[t->n++], sizeof(t->msg[0]), "%s", ev->msg ? ev->msg : "");
	}
	/* The package is written and closed, not yet renamed: spoil one byte of its data. */
	if (t->damage_tmp && ev->kind == HWF_PEV_STEP && !strcmp(ev->msg, "verifying")) {
		const char *tmp = t->damage_tmp->path[0];
		int fd = tmp ? open(tmp, O_RDWR) : -1;
		uint8_t b = 0;

		CU_ASSERT_FATAL(fd >= 0);
		CU_ASSERT_EQUAL(pread(fd, &b, 1, 5000), 1);
		b ^= 0xff;
		CU_ASSERT_EQUAL(pwrite(fd, &b, 1, 5000), 1);
		close(fd);
	}
}

struct run {
	struct hwf_pack_opts o;
	struct hwf_pack_result res;
	struct hwf_file_hooks hooks;
	struct tu_files files;
	struct told told;
	struct hwf_err e;
	char out[4200];
	int rc;
};

static void run_init(struct run *r, const char *out)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->out, sizeof(r->out), "%s/%s", dir, out);
	tu_file_hooks(&r->files, &r->hooks);
	r->o.out = r->out;
	r->o.hwid = "HWTEST";
	r->o.date = "2026.01.02";
	r->o.time = "03.04.05";
	r->o.crc_entry = 1;
	r->o.files = &r->hooks;
	r->o.event = on_event;
	r->o.ctx = &r->told;
}

static void run(struct run *r, const struct hwf_pack_input *in, size_t n)
{
	r->rc = hwf_pack_run(in, n, &r->o, &r->res, &r->e);
	CU_ASSERT_EQUAL(tu_files_left(&r->files), 0);
	CU_ASSERT_EQUAL(tu_count_names(dir, "partial"), 0);
	tu_files_free(&r->files);
}

static char *input(const char *name, size_t len, uint64_t seed)
{
	char *p = tu_path(dir, name);
	uint8_t *buf = malloc(len + 1);

	tu_random(buf, len, seed);
	CU_ASSERT_EQUAL(tu_write(p, buf, len), 0);
	free(buf);
	return p;
}

/* Entry @name of package @path holds @len bytes of seed @seed, and the package verifies. */
static int entry_holds(const char *path, const char *name, size_t len, uint64_t seed)
{
	struct hwf_source *src, *es;
	struct hwf_app_check chk;
	struct hwf_app *app;
	struct hwf_err e = { 0 };
	const struct hwf_app_entry *en;
	uint8_t *want = malloc(len + 1), *got = malloc(len + 1);
	int ok = 0;

	if (hwf_source_open_file(&src, path, &e))
		return 0;
	if (!hwf_app_open(&app, src, &e)) {
		en = hwf_app_find(app, name);
		ok = en && en->data_len == len &&
		     !hwf_app_verify(app, NULL, 1, &chk, NULL, NULL, &e) && chk.ok;
		if (chk.entries)
			hwf_app_check_free(&chk);
		tu_random(want, len, seed);
		if (ok && !hwf_app_entry_source(app, en->index, &es, &e)) {
			ok = !len || !hwf_source_read_exact(es, got, len, 0, &e);
			ok = ok && !memcmp(got, want, len);
			hwf_source_close(es);
		}
		hwf_app_close(app);
	}
	hwf_source_close(src);
	free(want);
	free(got);
	return ok;
}

/* A pipe holding @len bytes of seed @seed, its writing end closed: "/dev/fd/N" in @path. */
static int pipe_with(size_t len, uint64_t seed, char *path, size_t plen)
{
	uint8_t *buf = malloc(len + 1);
	int p[2];

	CU_ASSERT_FATAL(len < 60000); /* fits the pipe's buffer: no writer thread needed */
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	tu_random(buf, len, seed);
	CU_ASSERT_EQUAL(write(p[1], buf, len), (ssize_t)len);
	close(p[1]);
	free(buf);
	snprintf(path, plen, "/dev/fd/%d", p[0]);
	return p[0];
}

static void test_files_and_a_pipe_packed_and_verified(void)
{
	char *boot = input("boot.in", 300000, 1), piped[64];
	int rfd = pipe_with(40000, 2, piped, sizeof(piped));
	struct hwf_pack_input in[] = { { "BOOT", boot }, { "SYSTEM", piped } };
	struct run r;

	run_init(&r, "ok.APP");
	run(&r, in, 2);
	close(rfd);
	CU_ASSERT_EQUAL_FATAL(r.rc, 0);
	CU_ASSERT_EQUAL(r.res.entries, 3);
	CU_ASSERT_EQUAL((long long)r.res.size, tu_size(r.out));
	CU_ASSERT(!r.res.has_signature);
	CU_ASSERT(entry_holds(r.out, "BOOT", 300000, 1));
	CU_ASSERT(entry_holds(r.out, "SYSTEM", 40000, 2));
	/* told: packing, then verifying, each ended */
	CU_ASSERT_EQUAL(r.told.n, 4);
	CU_ASSERT(r.told.kind[0] == HWF_PEV_STEP && !strcmp(r.told.msg[0], "packing"));
	CU_ASSERT(r.told.kind[2] == HWF_PEV_STEP && !strcmp(r.told.msg[2], "verifying"));
	CU_ASSERT_EQUAL(r.files.made, 1);
	free(boot);
}

static void test_empty_inputs(void)
{
	char *empty = input("empty.in", 0, 1), *boot = input("boot2.in", 1000, 3), piped[64];
	struct hwf_pack_input in[] = { { "BOOT", boot }, { "EMPTY", empty } };
	struct run r;
	int rfd;

	run_init(&r, "empty.APP");
	run(&r, in, 2);
	CU_ASSERT_EQUAL(r.rc, HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "EMPTY="));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "empty.in: the file is empty (0 bytes): an empty "
					       "EMPTY entry is not packed (--allow-empty packs it "
					       "anyway)"));
	CU_ASSERT_EQUAL(access(r.out, F_OK), -1);
	CU_ASSERT_EQUAL(r.files.made, 0);

	run_init(&r, "empty.APP");
	r.o.allow_empty = 1;
	run(&r, in, 2);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(entry_holds(r.out, "EMPTY", 0, 1));
	CU_ASSERT_EQUAL(r.told.kind[0], HWF_PEV_WARN);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.told.msg[0], "empty (0 bytes), packed as an empty entry "
						     "(--allow-empty)"));

	rfd = pipe_with(0, 1, piped, sizeof(piped));
	in[1].path = piped;
	run_init(&r, "pipe0.APP");
	run(&r, in, 2);
	close(rfd);
	CU_ASSERT_EQUAL(r.rc, HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "EMPTY=/dev/fd/"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, ": the pipe gave no data (0 bytes)"));
	CU_ASSERT_EQUAL(access(r.out, F_OK), -1);
	free(empty);
	free(boot);
}

static int name_refused(const char *a, const char *b, const char *text)
{
	struct hwf_pack_input in[] = { { a, "x" }, { b, "y" } };
	struct hwf_err e = { 0 };
	int rc = hwf_pack_check_names(in, b ? 2 : 1, &e);

	return rc == HWF_EINVAL && strstr(e.msg, text);
}

static void test_names_checked(void)
{
	struct hwf_pack_input ok[] = { { "SUPER", "a" }, { "SUPER", "b" }, { "a.b-c_D9", "c" } };
	char *boot = input("boot3.in", 100, 1);
	struct hwf_pack_input bad[] = { { "BOOT", boot }, { "SUB/DIR", boot } };
	struct hwf_err e = { 0 };
	struct run r;

	CU_ASSERT_EQUAL(hwf_pack_check_names(ok, 3, &e), 0);
	CU_ASSERT(name_refused("SUB/DIR", NULL, "entry name 'SUB/DIR': '/' is not allowed"));
	CU_ASSERT(name_refused("SUPER#2", NULL, "'#' is not allowed"));
	CU_ASSERT(name_refused("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", NULL,
			       "is longer than 32 characters"));
	CU_ASSERT(name_refused("crc", NULL, "CRC is the name of the checksum entry"));
	CU_ASSERT(name_refused("", NULL, "empty"));
	CU_ASSERT(name_refused("SUPER", "super", "names SUPER and super differ only in case"));
	/* the engine checks them too, before it writes anything */
	run_init(&r, "names.APP");
	run(&r, bad, 2);
	CU_ASSERT_EQUAL(r.rc, HWF_EINVAL);
	CU_ASSERT_EQUAL(access(r.out, F_OK), -1);
	free(boot);
}

static void test_existing_output(void)
{
	char *boot = input("boot4.in", 5000, 4);
	struct hwf_pack_input in[] = { { "BOOT", boot } };
	struct run r;

	run_init(&r, "there.APP");
	CU_ASSERT_EQUAL(tu_write(r.out, "old", 3), 0);
	run(&r, in, 1);
	CU_ASSERT_EQUAL(r.rc, HWF_EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "there.APP: exists; not replaced (use --force)"));
	CU_ASSERT_EQUAL(tu_size(r.out), 3);
	run_init(&r, "there.APP");
	r.o.force = 1;
	run(&r, in, 1);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(entry_holds(r.out, "BOOT", 5000, 4));
	free(boot);
}

static void test_unreadable_inputs_named(void)
{
	struct hwf_pack_input missing[] = { { "BOOT", "/nonexistent/boot.img" } };
	struct hwf_pack_input chardev[] = { { "BOOT", "/dev/null" } };
	struct run r;

	run_init(&r, "missing.APP");
	run(&r, missing, 1);
	CU_ASSERT_EQUAL(r.rc, HWF_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "BOOT=/nonexistent/boot.img: /nonexistent/boot"));
	CU_ASSERT_EQUAL(access(r.out, F_OK), -1);
	run_init(&r, "chardev.APP");
	run(&r, chardev, 1);
	CU_ASSERT(r.rc < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "/dev/null is a character device"));
	CU_ASSERT_EQUAL(access(r.out, F_OK), -1);
}

/* What is written is read back: a package spoilt after writing never gets its name. */
static void test_written_package_verified_before_rename(void)
{
	char *boot = input("boot5.in", 100000, 5);
	struct hwf_pack_input in[] = { { "BOOT", boot } };
	struct run r;

	run_init(&r, "spoilt.APP");
	r.told.damage_tmp = &r.files;
	run(&r, in, 1);
	CU_ASSERT_EQUAL(r.rc, HWF_ECRC);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "the written package does not verify: entry BOOT "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.e.msg, "spoilt.APP not written"));
	CU_ASSERT_EQUAL(access(r.out, F_OK), -1);
	CU_ASSERT_EQUAL(r.files.made, 1);
	free(boot);
}

void hwf_suite_apppack(void)
{
	CU_pSuite s = CU_add_suite("apppack", setup, teardown);

	CU_add_test(s, "files and a pipe packed and verified",
		    test_files_and_a_pipe_packed_and_verified);
	CU_add_test(s, "empty inputs refused, or packed with allow_empty", test_empty_inputs);
	CU_add_test(s, "entry names checked", test_names_checked);
	CU_add_test(s, "an existing output is replaced only with force", test_existing_output);
	CU_add_test(s, "unreadable inputs named as typed", test_unreadable_inputs_named);
	CU_add_test(s, "the written package is verified before its rename",
		    test_written_package_verified_before_rename);
}
