// SPDX-License-Identifier: MIT
/*
 * The flash engine's modes against the device model, in process: reboots
 * into fastbootd and back followed through the reconnect callback (the
 * model's connection reset, as a device that comes back), a logical
 * partition flashed from the bootloader (reboot first, and said), a
 * device that never comes back or comes back in the wrong mode, -w as
 * AOSP does it, snapshot-update and fetch, and what each mode refuses.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/flash.h"
#include "tests/unit/flashfix.h"
#include "tests/unit/testutil.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

/* A device with boot, a logical system, userdata/cache/metadata; @mode and @fault as given. */
static void dev(struct fx *x, enum fbdev_mode mode, const char *fault)
{
	fx_init(x);
	fx_part(x, "boot", MiB);
	fx_part(x, "system", MiB);
	x->dev.parts[x->dev.nparts - 1].logical = 1;
	fx_part(x, "userdata", MiB);
	snprintf(x->dev.parts[x->dev.nparts - 1].type, sizeof(x->dev.parts[0].type), "ext4");
	fx_part(x, "cache", MiB);
	fx_part(x, "metadata", MiB);
	x->dev.mode = mode;
	if (fault)
		CU_ASSERT_EQUAL_FATAL(fbdev_parse_fault_spec(fault, &x->dev), 0);
}

static void start(struct fx *x)
{
	CU_ASSERT_EQUAL_FATAL(fx_start(x), 0);
}

static enum hwf_flash_mode mode_of(struct fx *x)
{
	enum hwf_flash_mode m = HWF_FLASH_MODE_UNKNOWN;

	CU_ASSERT_EQUAL(hwf_flash_mode(x->f, &m, NULL), 0);
	return m;
}

/* The device's commands in one line, getvars too. */
static int logged(struct fx *x, const char *want)
{
	char *all = fx_commands(x), *p;
	int ok;

	for (p = all; *p; p++)
		if (*p == '\n')
			*p = ' ';
	ok = strstr(all, want) != NULL;
	if (!ok)
		fprintf(stderr, "\n    '%s' not in the log: %s\n", want, all);
	free(all);
	return ok;
}

static void test_reboot_into_fastbootd_and_back(void)
{
	struct hwf_err e = { 0 };
	size_t len = 0;
	uint8_t *state;
	struct fx x;

	dev(&x, FBDEV_BOOTLOADER, NULL);
	start(&x);
	CU_ASSERT_EQUAL(mode_of(&x), HWF_FLASH_BOOTLOADER);
	CU_ASSERT_EQUAL(hwf_flash_reboot_mode(x.f, HWF_FLASH_FASTBOOTD, &e), 0);
	CU_ASSERT_EQUAL(mode_of(&x), HWF_FLASH_FASTBOOTD);
	CU_ASSERT_EQUAL(fbdev_mode(x.d), FBDEV_FASTBOOTD);
	/* The wait is the client's default unless the session has a timeout. */
	CU_ASSERT_EQUAL(x.reconnects, 1);
	CU_ASSERT_EQUAL(x.reconnect_wait_ms, HWF_FB_TIMEOUT_MS);
	CU_ASSERT(fx_saw(&x, "OKAY Rebooting into fastboot\nreconnect (waiting up to 30000 ms)\n"));
	/* Asked again on the new connection: is-userspace, not the answer of the old one. */
	CU_ASSERT(logged(&x, "getvar:is-userspace reboot-fastboot getvar:is-userspace"));
	/* It stays in the store, as a device stays in fastbootd. */
	state = fx_stored(&x, ".mode", &len);
	CU_ASSERT(state && len == 10 && !memcmp(state, "fastbootd\n", 10));
	free(state);
	CU_ASSERT_EQUAL(hwf_flash_reboot_mode(x.f, HWF_FLASH_BOOTLOADER, &e), 0);
	CU_ASSERT_EQUAL(mode_of(&x), HWF_FLASH_BOOTLOADER);
	CU_ASSERT_EQUAL(x.reconnects, 2);
	CU_ASSERT(logged(&x, "reboot-bootloader getvar:is-userspace"));
	CU_ASSERT_EQUAL(x.errors, 0);
	fx_done(&x);

	/* The session's timeout bounds the wait. */
	dev(&x, FBDEV_BOOTLOADER, NULL);
	x.opts.timeout_ms = 5000;
	start(&x);
	CU_ASSERT_EQUAL(hwf_flash_reboot(x.f, "fastboot", &e), 0);
	CU_ASSERT_EQUAL(x.reconnect_wait_ms, 5000);
	CU_ASSERT_EQUAL(mode_of(&x), HWF_FLASH_FASTBOOTD);
	fx_done(&x);
}

/* A fetch into a buffer of 1 MiB (want: where it is; got: how much came). */
struct fetched {
	uint8_t *b;
	size_t n;
};

static int to_buf(void *ctx, const void *buf, size_t len, struct hwf_err *e)
{
	struct fetched *m = ctx;

	(void)e;
	if (m->n + len > MiB)
		return HWF_ENOSPC;
	memcpy(m->b + m->n, buf, len);
	m->n += len;
	return 0;
}

static void test_logical_partition_from_the_bootloader(void)
{
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	uint8_t img[100000];
	struct fetched got = { 0 };
	uint64_t size = 0;
	char *w;
	struct fx x;

	dev(&x, FBDEV_BOOTLOADER, NULL);
	x.dev.super_size = 4 * MiB; /* system lives in a real super */
	start(&x);
	/* The bootloader knows system is logical, not its size; it is still there. */
	CU_ASSERT_EQUAL(hwf_flash_is_logical(x.f, "system", &e), 1);
	CU_ASSERT_EQUAL(hwf_flash_is_logical(x.f, "boot", &e), 0);
	CU_ASSERT_EQUAL(hwf_flash_has_partition(x.f, "system"), 1);
	CU_ASSERT_EQUAL(
	    hwf_fb_getvar(hwf_flash_fb(x.f), "partition-size:system", (char *)img, 64, &e),
	    HWF_EDEVICE);
	tu_random(img, sizeof(img), 5);
	src = fx_mem(&x, "system.img", img, sizeof(img));
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "system", "system.img", &e), 0);
	CU_ASSERT(fx_saw(&x, "note: system is a logical partition: rebooting into fastbootd "
			     "(userspace fastboot)\nstart Rebooting into fastboot\n"));
	CU_ASSERT_EQUAL(x.reconnects, 1);
	w = fx_writes(&x);
	/* Resized to the image first, as AOSP does, then flashed. */
	CU_ASSERT_STRING_EQUAL(w, "reboot-fastboot resize-logical-partition:system:100000 "
				  "download:000186a0 flash:system ");
	free(w);
	got.b = malloc(MiB);
	CU_ASSERT_EQUAL(hwf_flash_fetch(x.f, "system", to_buf, &got, &size, &e), 0);
	CU_ASSERT(size >= sizeof(img) && got.n == size && !memcmp(got.b, img, sizeof(img)));
	free(got.b);
	fx_clear(&x);
	/* In fastbootd now: the next logical flash goes straight, and so does boot. */
	fx_clear(&x);
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "system", "system.img", &e), 0);
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "boot", "system.img", &e), 0);
	CU_ASSERT_EQUAL(x.reconnects, 1);
	CU_ASSERT_PTR_NULL(strstr(x.events, "note:"));
	hwf_source_close(src);
	fx_done(&x);

	/* What hwflash spares the user: the bootloader refuses logical partitions. */
	dev(&x, FBDEV_BOOTLOADER, NULL);
	start(&x);
	CU_ASSERT_EQUAL(hwf_fb_command(hwf_flash_fb(x.f), "erase:system", NULL, 0, &e),
			HWF_EDEVICE);
	CU_ASSERT_STRING_EQUAL(e.msg, "erase:system: device refused: Partition should be erased in "
				      "fastbootd");
	fx_done(&x);
}

static void test_a_session_that_cannot_follow(void)
{
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	struct fx x;

	dev(&x, FBDEV_BOOTLOADER, NULL);
	x.cb.reconnect = NULL;
	start(&x);
	src = fx_noise(&x, "system.img", 4096, 1);
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "system", "system.img", &e), HWF_EUNSUPPORTED);
	CU_ASSERT_STRING_EQUAL(e.msg, "reboot-fastboot: the device rebooted, and this session "
				      "cannot connect to it again");
	CU_ASSERT_EQUAL(x.errors, 1);
	/* Nothing more is sent on a connection that is gone. */
	CU_ASSERT_EQUAL(hwf_fb_getvar(hwf_flash_fb(x.f), "product", NULL, 0, &e),
			HWF_EDISCONNECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "the device rebooted"));
	CU_ASSERT_EQUAL(fx_count(&x, "download:"), 0);
	hwf_source_close(src);
	fx_done(&x);
}

/* reboot_mode(FASTBOOTD) on a device with @fault, waiting @timeout_ms; returns the code. */
static int reboot_with(struct fx *x, const char *fault, int timeout_ms, struct hwf_err *e)
{
	dev(x, FBDEV_BOOTLOADER, fault);
	x->opts.timeout_ms = timeout_ms;
	start(x);
	return hwf_flash_reboot_mode(x->f, HWF_FLASH_FASTBOOTD, e);
}

static void test_reboots_that_do_not_come_back(void)
{
	struct hwf_err e = { 0 };
	struct fx x;

	/* Never: one error naming the step and the wait; later commands are not sent. */
	CU_ASSERT_EQUAL(reboot_with(&x, "reboot-never-returns", 2000, &e), HWF_ETIMEOUT);
	CU_ASSERT_STRING_EQUAL(e.msg, "reboot-fastboot: sim:dev did not come back within 2000 ms");
	CU_ASSERT_EQUAL(x.errors, 1);
	CU_ASSERT_EQUAL(x.reconnects, 1);
	CU_ASSERT_EQUAL(hwf_flash_command(x.f, "Erasing 'boot'", "erase:boot", &e),
			HWF_EDISCONNECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "did not come back"));
	CU_ASSERT_EQUAL(fx_count(&x, "erase:"), 0);
	fx_done(&x);

	/* Later than the session waits: the same; sooner: fine. */
	CU_ASSERT_EQUAL(reboot_with(&x, "reboot-slow:5000", 2000, &e), HWF_ETIMEOUT);
	fx_done(&x);
	CU_ASSERT_EQUAL(reboot_with(&x, "reboot-slow:1000", 2000, &e), 0);
	CU_ASSERT_EQUAL(mode_of(&x), HWF_FLASH_FASTBOOTD);
	fx_done(&x);

	/* Back, but in the bootloader (fastbootd did not start): said as such. */
	CU_ASSERT_EQUAL(reboot_with(&x, "no-fastbootd", 0, &e), HWF_EUNSUPPORTED);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "reboot-fastboot: the device came back in its bootloader, not "
			       "in fastbootd (getvar is-userspace: no); its recovery may not "
			       "start fastbootd");
	CU_ASSERT_EQUAL(x.errors, 1);
	fx_done(&x);
}

static void test_plain_reboots_end_the_conversation(void)
{
	struct hwf_err e = { 0 };
	struct fx x;

	dev(&x, FBDEV_FASTBOOTD, NULL);
	start(&x);
	CU_ASSERT_EQUAL(hwf_flash_reboot(x.f, NULL, &e), 0);
	CU_ASSERT(fx_saw(&x, "OKAY Rebooting\n"));
	CU_ASSERT_EQUAL(x.reconnects, 0);
	/* The simulated device returns to its bootloader (fbdev.h). */
	CU_ASSERT_EQUAL(fbdev_mode(x.d), FBDEV_BOOTLOADER);
	CU_ASSERT_EQUAL(hwf_fb_getvar(hwf_flash_fb(x.f), "product", NULL, 0, &e),
			HWF_EDISCONNECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "the device rebooted"));
	fx_done(&x);

	dev(&x, FBDEV_BOOTLOADER, NULL);
	start(&x);
	CU_ASSERT_EQUAL(hwf_flash_reboot(x.f, "recovery", &e), 0);
	CU_ASSERT(fx_saw(&x, "OKAY Rebooting into recovery\n"));
	CU_ASSERT(logged(&x, "reboot-recovery"));
	fx_done(&x);
}

static void test_wipe_as_aosp(void)
{
	struct hwf_err e = { 0 };
	char *w;
	struct fx x;

	/* userdata, cache, metadata: each when partition-type names it, in both modes. */
	for (int m = FBDEV_BOOTLOADER; m <= FBDEV_FASTBOOTD; m++) {
		dev(&x, (enum fbdev_mode)m, NULL);
		start(&x);
		CU_ASSERT_EQUAL(hwf_flash_wipe(x.f, &e), 0);
		w = fx_writes(&x);
		CU_ASSERT_STRING_EQUAL(w, "erase:userdata erase:cache erase:metadata ");
		free(w);
		CU_ASSERT(logged(&x, "getvar:partition-type:userdata erase:userdata "
				     "getvar:partition-type:cache erase:cache "
				     "getvar:partition-type:metadata erase:metadata"));
		CU_ASSERT(fx_saw(&x,
				 "note: 'userdata' (ext4) erased, not formatted: hwflash makes no "
				 "file systems"));
		/* Once per session. */
		CU_ASSERT_EQUAL(hwf_flash_wipe(x.f, &e), 0);
		CU_ASSERT_EQUAL(fx_count(&x, "erase:userdata"), 1);
		fx_done(&x);
	}

	/* A device without cache or metadata: userdata alone. */
	fx_init(&x);
	fx_part(&x, "userdata", MiB);
	start(&x);
	CU_ASSERT_EQUAL(hwf_flash_wipe(x.f, &e), 0);
	w = fx_writes(&x);
	CU_ASSERT_STRING_EQUAL(w, "erase:userdata ");
	free(w);
	CU_ASSERT_EQUAL(x.warnings, 0);
	fx_done(&x);

	/* None of them: nothing erased, and said. */
	fx_init(&x);
	fx_part(&x, "boot", MiB);
	start(&x);
	CU_ASSERT_EQUAL(hwf_flash_wipe(x.f, &e), 0);
	CU_ASSERT_EQUAL(x.warnings, 1);
	CU_ASSERT(fx_saw(&x, "nothing was wiped"));
	fx_done(&x);

	/* An update merging: the device refuses to erase userdata ... */
	dev(&x, FBDEV_FASTBOOTD, NULL);
	x.dev.snapshot = FBDEV_SNAP_MERGING;
	start(&x);
	CU_ASSERT_EQUAL(hwf_flash_wipe(x.f, &e), HWF_EDEVICE);
	CU_ASSERT_STRING_EQUAL(e.msg, "erase:userdata: device refused: Cannot erase userdata while "
				      "a snapshot update is in progress");
	fx_done(&x);
	/* ... and --force cancels it first, as AOSP's fastboot -w --force. */
	dev(&x, FBDEV_FASTBOOTD, NULL);
	x.dev.snapshot = FBDEV_SNAP_MERGING;
	x.opts.force = 1;
	start(&x);
	CU_ASSERT_EQUAL(hwf_flash_wipe(x.f, &e), 0);
	w = fx_writes(&x);
	CU_ASSERT_STRING_EQUAL(w, "snapshot-update:cancel erase:userdata erase:cache "
				  "erase:metadata ");
	free(w);
	CU_ASSERT(fx_saw(&x, "note: --force: the snapshot update (merging) is cancelled"));
	fx_done(&x);
}

static void test_snapshot_update(void)
{
	struct hwf_err e = { 0 };
	uint8_t *state;
	size_t len = 0;
	char v[64];
	struct fx x;

	dev(&x, FBDEV_BOOTLOADER, NULL);
	x.dev.snapshot = FBDEV_SNAP_SNAPSHOTTED;
	start(&x);
	CU_ASSERT_EQUAL(hwf_flash_snapshot_update(x.f, NULL, &e), 0);
	CU_ASSERT(fx_saw(&x, "info: snapshotted\n"));
	CU_ASSERT(fx_saw(&x, "OKAY Snapshot status"));
	CU_ASSERT_EQUAL(hwf_flash_snapshot_update(x.f, "cancel", &e), 0);
	CU_ASSERT_EQUAL(
	    hwf_fb_getvar(hwf_flash_fb(x.f), "snapshot-update-status", v, sizeof(v), &e), 0);
	CU_ASSERT_STRING_EQUAL(v, "none");
	/* Nothing to merge. */
	CU_ASSERT_EQUAL(hwf_flash_snapshot_update(x.f, "merge", &e), HWF_EDEVICE);
	CU_ASSERT_STRING_EQUAL(e.msg, "snapshot-update:merge: device refused: No snapshot merge is "
				      "in progress");
	fx_done(&x);

	/* merge is fastbootd's: from the bootloader hwflash goes there first. */
	dev(&x, FBDEV_BOOTLOADER, NULL);
	x.dev.snapshot = FBDEV_SNAP_MERGING;
	start(&x);
	CU_ASSERT_EQUAL(hwf_flash_snapshot_update(x.f, "merge", &e), 0);
	CU_ASSERT(fx_saw(&x, "note: snapshot-update merge is done in fastbootd: rebooting into "
			     "fastbootd"));
	CU_ASSERT(logged(&x, "reboot-fastboot getvar:is-userspace snapshot-update:merge"));
	CU_ASSERT_EQUAL(
	    hwf_fb_getvar(hwf_flash_fb(x.f), "snapshot-update-status", v, sizeof(v), &e), 0);
	CU_ASSERT_STRING_EQUAL(v, "none");
	fx_done(&x);

	/* The model: an applied update starts merging when the device boots (the store says). */
	dev(&x, FBDEV_FASTBOOTD, NULL);
	x.dev.snapshot = FBDEV_SNAP_SNAPSHOTTED;
	start(&x);
	CU_ASSERT_EQUAL(hwf_flash_reboot(x.f, NULL, &e), 0);
	state = fx_stored(&x, ".snapshot", &len);
	CU_ASSERT(state && len == 8 && !memcmp(state, "merging\n", 8));
	free(state);
	fx_done(&x);
}

/* fetch's bytes into memory. */
struct mem {
	uint8_t *b;
	size_t n, cap;
	int fail_at; /* the Nth call fails (0: none) */
	int calls;
};

static int to_mem(void *ctx, const void *buf, size_t len, struct hwf_err *e)
{
	struct mem *m = ctx;

	if (++m->calls == m->fail_at)
		return hwf_err_set(e, HWF_ENOSPC, "out.img: No space left on device");
	if (m->n + len > m->cap)
		return hwf_err_set(e, HWF_EIO, "more than expected");
	memcpy(m->b + m->n, buf, len);
	m->n += len;
	return 0;
}

static void test_fetch(void)
{
	uint8_t img[60000], want[100 * KiB];
	struct mem m = { 0 };
	struct hwf_err e = { 0 };
	struct hwf_source *src;
	uint64_t size = 0;
	struct fx x;

	fx_init(&x);
	fx_part(&x, "vendor_boot", 100 * KiB);
	x.dev.mode = FBDEV_FASTBOOTD;
	x.dev.max_download = 40 * KiB;
	start(&x);
	tu_random(img, sizeof(img), 9);
	src = fx_mem(&x, "vb.img", img, sizeof(img));
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "vendor_boot", "vb.img", &e), 0);
	hwf_source_close(src);
	fx_clear(&x);
	/* The whole partition: the image, then zeros; in pieces of max-fetch-size. */
	memset(want, 0, sizeof(want));
	memcpy(want, img, sizeof(img));
	m.cap = sizeof(want);
	m.b = malloc(m.cap);
	CU_ASSERT_EQUAL(hwf_flash_fetch(x.f, "vendor_boot", to_mem, &m, &size, &e), 0);
	CU_ASSERT_EQUAL(size, 100 * KiB);
	CU_ASSERT(m.n == sizeof(want) && !memcmp(m.b, want, sizeof(want)));
	CU_ASSERT(logged(&x, "fetch:vendor_boot:0x00000000:0x0000a000 "
			     "fetch:vendor_boot:0x0000a000:0x0000a000 "
			     "fetch:vendor_boot:0x00014000:0x00005000"));
	CU_ASSERT(fx_saw(&x, "OKAY Fetching 'vendor_boot' 1/3 (40 KB)\n"));
	CU_ASSERT(fx_saw(&x, "OKAY Fetching 'vendor_boot' 3/3 (20 KB)\n"));
	CU_ASSERT_EQUAL(x.progress_done, 20 * KiB);
	/* The file cannot take it: stopped, and nothing more is said to the device. */
	m.n = 0;
	m.fail_at = m.calls + 1;
	fx_clear(&x);
	CU_ASSERT_EQUAL(hwf_flash_fetch(x.f, "vendor_boot", to_mem, &m, NULL, &e), HWF_ENOSPC);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "fetch:vendor_boot:0x00000000:0x0000a000: stopped "
					     "after 0 B of 40.0 KiB: out.img: No space left"));
	CU_ASSERT_EQUAL(x.errors, 1);
	CU_ASSERT_EQUAL(hwf_fb_getvar(hwf_flash_fb(x.f), "product", NULL, 0, &e), HWF_ENOSPC);
	fx_done(&x);

	/* The bootloader does not fetch: said before anything is asked of it. */
	fx_init(&x);
	fx_part(&x, "vendor_boot", 100 * KiB);
	start(&x);
	m.n = 0;
	m.fail_at = 0;
	CU_ASSERT_EQUAL(hwf_flash_fetch(x.f, "vendor_boot", to_mem, &m, NULL, &e),
			HWF_EUNSUPPORTED);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "getvar:max-fetch-size: the device does not say it: it does "
			       "not fetch (bootloaders do not; fastbootd does: hwflash reboot "
			       "fastboot)");
	CU_ASSERT_EQUAL(fx_count(&x, "fetch:"), 0);
	/* Asked anyway, it refuses the command. */
	CU_ASSERT_EQUAL(hwf_fb_command(hwf_flash_fb(x.f), "fetch:vendor_boot", NULL, 0, &e),
			HWF_EDEVICE);
	CU_ASSERT_STRING_EQUAL(e.msg, "fetch:vendor_boot: device refused: unknown command");
	free(m.b);
	fx_done(&x);
}

static void test_fetch_limits_of_the_model(void)
{
	struct hwf_err e = { 0 };
	char r[HWF_FB_RESP_MAX];
	struct fx x;

	fx_init(&x);
	fx_part(&x, "vendor_boot", 64 * KiB);
	x.dev.mode = FBDEV_FASTBOOTD;
	start(&x);
	/* As AOSP's PartitionFetcher: offsets and sizes inside the partition, 0 bytes is OKAY. */
	CU_ASSERT_EQUAL(hwf_fb_command(hwf_flash_fb(x.f), "fetch:vendor_boot:0x20000", NULL, 0, &e),
			HWF_EDEVICE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "Invalid offset 0x20000, partition vendor_boot has "
					     "size 0x10000"));
	CU_ASSERT_EQUAL(
	    hwf_fb_command(hwf_flash_fb(x.f), "fetch:vendor_boot:0:0x20000", NULL, 0, &e),
	    HWF_EDEVICE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "Invalid size to read 0x20000"));
	CU_ASSERT_EQUAL(hwf_fb_command(hwf_flash_fb(x.f), "fetch:nope", NULL, 0, &e), HWF_EDEVICE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "Cannot open nope"));
	CU_ASSERT_EQUAL(
	    hwf_fb_command(hwf_flash_fb(x.f), "fetch:vendor_boot:0x10000", r, sizeof(r), &e), 0);
	CU_ASSERT_STRING_EQUAL(r, "Read 0 bytes");
	/* An OKAY where data was wanted: said, and the conversation goes on. */
	CU_ASSERT_EQUAL(hwf_fb_upload(hwf_flash_fb(x.f), "fetch:vendor_boot:0x10000", 16, NULL,
				      NULL, NULL, NULL, &e),
			HWF_EPROTO);
	CU_ASSERT_STRING_EQUAL(e.msg, "fetch:vendor_boot:0x10000: the device sent no data");
	CU_ASSERT_EQUAL(hwf_fb_getvar(hwf_flash_fb(x.f), "is-userspace", r, sizeof(r), &e), 0);
	/* Another size than asked: the rest of the data would be misread, so it stops. */
	CU_ASSERT_EQUAL(hwf_fb_upload(hwf_flash_fb(x.f), "fetch:vendor_boot:0:0x100", 16, NULL,
				      NULL, NULL, NULL, &e),
			HWF_EPROTO);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "fetch:vendor_boot:0:0x100: the device offered 256 bytes, not "
			       "16");
	CU_ASSERT_EQUAL(hwf_fb_getvar(hwf_flash_fb(x.f), "is-userspace", r, sizeof(r), &e),
			HWF_EPROTO);
	fx_done(&x);
}

static void test_what_each_mode_refuses(void)
{
	static const char *const bl_only[] = {"flashing unlock", "boot", "continue"};
	struct hwf_err e = { 0 };
	char want[128], v[64];
	struct fx x;

	dev(&x, FBDEV_FASTBOOTD, NULL);
	start(&x);
	/* fastbootd's command map has none of the bootloader's own (AOSP). */
	for (size_t i = 0; i < sizeof(bl_only) / sizeof(bl_only[0]); i++) {
		CU_ASSERT_EQUAL(hwf_fb_command(hwf_flash_fb(x.f), bl_only[i], NULL, 0, &e),
				HWF_EDEVICE);
		snprintf(want, sizeof(want), "%s: device refused: Unrecognized command %s",
			 bl_only[i], bl_only[i]);
		CU_ASSERT_STRING_EQUAL(e.msg, want);
	}
	CU_ASSERT_EQUAL(hwf_fb_getvar(hwf_flash_fb(x.f), "nonsense", v, sizeof(v), &e),
			HWF_EDEVICE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "Unknown variable"));
	/* It knows the logical partition's size, and says current-slot without "_". */
	CU_ASSERT_EQUAL(hwf_fb_getvar(hwf_flash_fb(x.f), "partition-size:system", v, sizeof(v), &e),
			0);
	CU_ASSERT_STRING_EQUAL(v, "0x100000");
	CU_ASSERT_EQUAL(hwf_fb_getvar(hwf_flash_fb(x.f), "max-fetch-size", v, sizeof(v), &e), 0);
	fx_done(&x);

	dev(&x, FBDEV_BOOTLOADER, NULL);
	start(&x);
	CU_ASSERT_EQUAL(hwf_fb_command(hwf_flash_fb(x.f), "flashing unlock", NULL, 0, &e), 0);
	CU_ASSERT_EQUAL(hwf_fb_getvar(hwf_flash_fb(x.f), "max-fetch-size", v, sizeof(v), &e),
			HWF_EDEVICE);
	fx_done(&x);
}

static void test_hex_sizes(void)
{
	uint64_t v = 0;

	/* fastbootd says partition-size in hex without 0x; AOSP reads every answer as hex. */
	CU_ASSERT_EQUAL(hwf_fb_parse_hex("4000000", &v), 0);
	CU_ASSERT_EQUAL(v, 0x4000000);
	CU_ASSERT_EQUAL(hwf_fb_parse_hex(" 0x1000 ", &v), 0);
	CU_ASSERT_EQUAL(v, 0x1000);
	CU_ASSERT_EQUAL(hwf_fb_parse_hex("C0000000", &v), 0);
	CU_ASSERT_EQUAL(v, 0xC0000000);
	CU_ASSERT_EQUAL(hwf_fb_parse_hex("", &v), -1);
	CU_ASSERT_EQUAL(hwf_fb_parse_hex("0x", &v), -1);
	CU_ASSERT_EQUAL(hwf_fb_parse_hex("-1", &v), -1);
	CU_ASSERT_EQUAL(hwf_fb_parse_hex("12 kB", &v), -1);
}

void hwf_suite_flash_modes(void)
{
	CU_pSuite s = CU_add_suite("flash engine: bootloader and fastbootd", NULL, NULL);

	CU_add_test(s, "reboot into fastbootd and back, followed to the new connection",
		    test_reboot_into_fastbootd_and_back);
	CU_add_test(s, "a logical partition from the bootloader: reboot first, and said",
		    test_logical_partition_from_the_bootloader);
	CU_add_test(s, "a session without a reconnect callback says it cannot follow",
		    test_a_session_that_cannot_follow);
	CU_add_test(s, "never back, back too late, back in the bootloader",
		    test_reboots_that_do_not_come_back);
	CU_add_test(s, "reboot, reboot recovery: the conversation ends",
		    test_plain_reboots_end_the_conversation);
	CU_add_test(s, "-w: userdata, cache, metadata as AOSP; snapshot in the way",
		    test_wipe_as_aosp);
	CU_add_test(s, "snapshot-update: status, cancel, merge in fastbootd", test_snapshot_update);
	CU_add_test(s, "fetch: pieces of max-fetch-size, a sink that fails, the bootloader",
		    test_fetch);
	CU_add_test(s, "fetch: offsets, sizes, no data, the wrong size",
		    test_fetch_limits_of_the_model);
	CU_add_test(s, "what fastbootd and the bootloader refuse", test_what_each_mode_refuses);
	CU_add_test(s, "partition-size and max-fetch-size are hex", test_hex_sizes);
}
