// SPDX-License-Identifier: MIT
/*
 * The device check (protocol/devinfo.c) and the lock gate
 * (protocol/flash_lock.c): each Huawei reply parser on the formats public
 * captures show and on replies it must not guess at; the check against the
 * device model in process (plain, A/B, Huawei locked, a lost device); and
 * the gate's decision: a locked device refuses a repacked image before any
 * download, --force sends it, an unlocked or unknown lock or a signed image
 * passes.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"
#include "formats/image/imagecheck.h"
#include "protocol/devinfo.h"
#include "protocol/flash.h"
#include "tests/unit/flashfix.h"
#include "tests/unit/testutil.h"

#define MiB (1024u * 1024u)

static void test_parse_lockstate(void)
{
	struct hwf_devinfo_huawei hw;

	memset(&hw, 0, sizeof(hw));
	/* hisi-nve's README capture: a leading space on each INFO line. */
	CU_ASSERT_EQUAL(hwf_devinfo_parse_lockstate(" FB LockState: UNLOCKED\n"
						    " USER LockState: LOCKED",
						    &hw),
			2);
	CU_ASSERT_EQUAL(hw.fb_lock, HWF_LOCK_UNLOCKED);
	CU_ASSERT_EQUAL(hw.user_lock, HWF_LOCK_LOCKED);
	CU_ASSERT_STRING_EQUAL(hw.frp, "");
	CU_ASSERT_STRING_EQUAL(hw.lock_other, "");

	CU_ASSERT_EQUAL(hwf_devinfo_parse_lockstate("FB LockState: RELOCKED\r\n"
						    "FRP LockState: LOCK\n"
						    "something else: 1",
						    &hw),
			1);
	CU_ASSERT_EQUAL(hw.fb_lock, HWF_LOCK_RELOCKED);
	CU_ASSERT_EQUAL(hw.user_lock, HWF_LOCK_UNKNOWN);
	/* FRP is kept as it came, not parsed; the unknown line is kept raw. */
	CU_ASSERT_STRING_EQUAL(hw.frp, "FRP LockState: LOCK");
	CU_ASSERT_STRING_EQUAL(hw.lock_other, "something else: 1");

	/* Not guessed: another word, another key, no colon. */
	CU_ASSERT_EQUAL(hwf_devinfo_parse_lockstate("FB LockState: maybe\nFB Lock: LOCKED\n"
						    "LOCKED",
						    &hw),
			0);
	CU_ASSERT_EQUAL(hw.fb_lock, HWF_LOCK_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(hw.lock_other, "FB LockState: maybe\nFB Lock: LOCKED\nLOCKED");
	CU_ASSERT_EQUAL(hwf_devinfo_parse_lockstate("", &hw), 0);
}

static void test_parse_small_replies(void)
{
	char a[64], b[64];

	CU_ASSERT_EQUAL(hwf_devinfo_parse_bootinfo("locked"), HWF_LOCK_LOCKED);
	CU_ASSERT_EQUAL(hwf_devinfo_parse_bootinfo(" unlocked \r"), HWF_LOCK_UNLOCKED);
	CU_ASSERT_EQUAL(hwf_devinfo_parse_bootinfo("RELOCKED"), HWF_LOCK_RELOCKED);
	CU_ASSERT_EQUAL(hwf_devinfo_parse_bootinfo("unlocked\nfoo"), HWF_LOCK_UNKNOWN);
	CU_ASSERT_EQUAL(hwf_devinfo_parse_bootinfo(""), HWF_LOCK_UNKNOWN);

	hwf_devinfo_parse_build(":ANE-LX2J 9.1.0.132(C635E4R1P1)", a, sizeof(a));
	CU_ASSERT_STRING_EQUAL(a, "ANE-LX2J 9.1.0.132(C635E4R1P1)");
	hwf_devinfo_parse_build("NOH-AN00 4.2.0.196(C00E182R6P6)", a, sizeof(a));
	CU_ASSERT_STRING_EQUAL(a, "NOH-AN00 4.2.0.196(C00E182R6P6)");

	CU_ASSERT_EQUAL(hwf_devinfo_parse_vendorcountry("all/cn", a, sizeof(a), b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(a, "all");
	CU_ASSERT_STRING_EQUAL(b, "cn");
	CU_ASSERT_EQUAL(hwf_devinfo_parse_vendorcountry("hw/meafnaf", a, sizeof(a), b, sizeof(b)),
			0);
	CU_ASSERT_STRING_EQUAL(b, "meafnaf");
	CU_ASSERT_EQUAL(hwf_devinfo_parse_vendorcountry("hw", a, sizeof(a), b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(hwf_devinfo_parse_vendorcountry("/cn", a, sizeof(a), b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(hwf_devinfo_parse_vendorcountry("a/b/c", a, sizeof(a), b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(hwf_devinfo_parse_vendorcountry("h w/eu", a, sizeof(a), b, sizeof(b)), -1);

	CU_ASSERT_EQUAL(hwf_devinfo_parse_unlocked("yes"), HWF_LOCK_UNLOCKED);
	CU_ASSERT_EQUAL(hwf_devinfo_parse_unlocked("no"), HWF_LOCK_LOCKED);
	CU_ASSERT_EQUAL(hwf_devinfo_parse_unlocked("perhaps"), HWF_LOCK_UNKNOWN);
}

static void test_lock_rejects(void)
{
	CU_ASSERT_STRING_EQUAL(hwf_flash_lock_rejects(HWF_LOCK_LOCKED, HWF_SIGN_REPACKED),
			       "repacked");
	CU_ASSERT_STRING_EQUAL(hwf_flash_lock_rejects(HWF_LOCK_RELOCKED, HWF_SIGN_UNSIGNED),
			       "unsigned");
	CU_ASSERT_STRING_EQUAL(hwf_flash_lock_rejects(HWF_LOCK_LOCKED, HWF_SIGN_BROKEN),
			       "modified");
	/* A signed image, an image with nothing to say, an unlocked or unknown lock: pass. */
	CU_ASSERT_PTR_NULL(hwf_flash_lock_rejects(HWF_LOCK_LOCKED, HWF_SIGN_VALID));
	CU_ASSERT_PTR_NULL(hwf_flash_lock_rejects(HWF_LOCK_LOCKED, HWF_SIGN_UNKNOWN));
	CU_ASSERT_PTR_NULL(hwf_flash_lock_rejects(HWF_LOCK_UNLOCKED, HWF_SIGN_REPACKED));
	CU_ASSERT_PTR_NULL(hwf_flash_lock_rejects(HWF_LOCK_UNKNOWN, HWF_SIGN_REPACKED));
}

/* A boot image v4 without an AVB footer: what a repack gives. */
static struct hwf_source *repacked(struct fx *x)
{
	static uint8_t img[4096 * 3];

	memset(img, 0, sizeof(img));
	memcpy(img, "ANDROID!", 8);
	put_le32(img + 8, 4096);
	put_le32(img + 12, 100);
	put_le32(img + 20, 1584);
	put_le32(img + 40, 4);
	tu_random(img + 4096, 4096, 7);
	return fx_mem(x, "boot-repacked.img", img, sizeof(img));
}

static void test_image_check_says_repacked(void)
{
	struct hwf_image_check_opts o = {"boot", NULL, NULL, NULL};
	struct hwf_image_report r;
	struct hwf_source *src;
	struct hwf_err e = {0};
	struct fx x;

	fx_init(&x);
	src = repacked(&x);
	CU_ASSERT_EQUAL(hwf_image_check(src, &o, &r, NULL, NULL, &e), 0);
	CU_ASSERT_EQUAL(r.sign, HWF_SIGN_REPACKED);
	o.partition = "system"; /* no AVB expected there: nothing to say */
	CU_ASSERT_EQUAL(hwf_image_check(src, &o, &r, NULL, NULL, &e), 0);
	CU_ASSERT_EQUAL(r.sign, HWF_SIGN_UNKNOWN);
	hwf_source_close(src);
	fx_done(&x);
}

static void test_read_plain_and_ab(void)
{
	struct hwf_devinfo di;
	struct hwf_err e = {0};
	struct fx x;
	char *log;

	fx_init(&x);
	fx_part(&x, "boot_a", MiB);
	fx_part(&x, "boot_b", MiB);
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	CU_ASSERT_EQUAL(hwf_devinfo_read(hwf_flash_fb(x.f), -1, &di, &e), 0);
	CU_ASSERT_STRING_EQUAL(di.var[HWF_DI_PRODUCT].value, "hwsim");
	CU_ASSERT_STRING_EQUAL(di.var[HWF_DI_SLOT_COUNT].value, "2");
	CU_ASSERT_STRING_EQUAL(di.var[HWF_DI_CURRENT_SLOT].value, "a");
	CU_ASSERT_STRING_EQUAL(di.var[HWF_DI_BATTERY_VOLTAGE].value, "4123");
	CU_ASSERT_EQUAL(di.lock, HWF_LOCK_UNLOCKED);
	CU_ASSERT_STRING_EQUAL(di.lock_source, "getvar unlocked");
	CU_ASSERT_EQUAL(di.hw.asked, 0);
	log = fx_commands(&x);
	CU_ASSERT_PTR_NULL(strstr(log, "oem"));
	free(log);
	fx_done(&x);
}

static void test_read_huawei_locked(void)
{
	struct hwf_devinfo di;
	struct hwf_err e = {0};
	struct fx x;

	fx_init(&x);
	fx_part(&x, "recovery", MiB);
	x.dev.huawei = 1;
	x.dev.locked = 1;
	x.dev.product = "ANE-LX1";
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	CU_ASSERT_EQUAL(hwf_devinfo_read(hwf_flash_fb(x.f), -1, &di, &e), 0);
	CU_ASSERT_EQUAL(di.var[HWF_DI_UNLOCKED].have, 0);
	CU_ASSERT_EQUAL(di.hw.asked, 1);
	CU_ASSERT_EQUAL(di.hw.answers, 5);
	CU_ASSERT_STRING_EQUAL(di.hw.model, "ANE-LX1");
	CU_ASSERT_STRING_EQUAL(di.hw.build, "ANE-LX1 9.1.0.132(C432E4R1P1)");
	CU_ASSERT_EQUAL(di.hw.fb_lock, HWF_LOCK_LOCKED);
	CU_ASSERT_EQUAL(di.hw.user_lock, HWF_LOCK_LOCKED);
	CU_ASSERT_EQUAL(di.hw.bootinfo, HWF_LOCK_LOCKED);
	CU_ASSERT_STRING_EQUAL(di.hw.vendor, "hw");
	CU_ASSERT_STRING_EQUAL(di.hw.country, "eu");
	CU_ASSERT_EQUAL(di.lock, HWF_LOCK_LOCKED);
	CU_ASSERT_STRING_EQUAL(di.lock_source, "oem lock-state info (FB lock)");
	/* The INFO callback was borrowed and given back: nothing reached the session's. */
	CU_ASSERT(!x.events || !strstr(x.events, "info: "));
	fx_done(&x);
}

static void test_read_lost_device(void)
{
	struct hwf_devinfo di;
	struct hwf_err e = {0};
	struct fx x;

	fx_init(&x);
	CU_ASSERT_EQUAL(fbdev_parse_fault_spec("stall", &x.dev), 0);
	x.opts.timeout_ms = 50;
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	CU_ASSERT_EQUAL(hwf_devinfo_read(hwf_flash_fb(x.f), -1, &di, &e), HWF_ETIMEOUT);
	CU_ASSERT(e.msg[0] != '\0');
	fx_done(&x);
}

/* The lock gate for a repacked boot image on a device made by @huawei/@locked. */
static int gate(struct fx *x, int huawei, int locked, int force)
{
	struct hwf_source *src;
	struct hwf_flash_cb quiet = {0};
	struct hwf_err e = {0};
	int rc, sign = -1;

	fx_init(x);
	fx_part(x, "boot", MiB);
	x->dev.huawei = huawei;
	x->dev.locked = locked;
	x->opts.force = force;
	CU_ASSERT_EQUAL_FATAL(fx_start(x), 0);
	src = repacked(x);
	/* The gate's verdict (its warnings are not what these tests count). */
	rc = hwf_flash_gate(src, "boot", "boot-repacked.img", force, &quiet, &sign, &e);
	if (!rc)
		rc = hwf_flash_lock_gate(x->f, sign, "boot", "boot-repacked.img", &e);
	if (!rc)
		rc = hwf_flash_image(x->f, src, "boot", "boot-repacked.img", &e);
	hwf_source_close(src);
	return rc;
}

static void test_gate_locked_refuses_before_any_byte(void)
{
	struct fx x;

	CU_ASSERT_EQUAL(gate(&x, 0, 1, 0), HWF_EFORMAT);
	CU_ASSERT_EQUAL(fx_count(&x, "download:"), 0);
	CU_ASSERT_EQUAL(x.errors, 1);
	CU_ASSERT(fx_saw(&x, "error: boot-repacked.img: not flashed to boot: bootloader is "
			     "locked: it will reject a repacked boot; unlock first, or flash the "
			     "signed original (getvar unlocked says locked"));
	fx_done(&x);

	CU_ASSERT_EQUAL(gate(&x, 1, 1, 0), HWF_EFORMAT);
	CU_ASSERT_EQUAL(fx_count(&x, "download:"), 0);
	CU_ASSERT(fx_saw(&x, "(oem lock-state info (FB lock) says locked"));
	fx_done(&x);
}

static void test_gate_force_and_unlocked_send(void)
{
	struct fx x;

	CU_ASSERT_EQUAL(gate(&x, 0, 1, 1), 0);
	CU_ASSERT_EQUAL(fx_count(&x, "download:"), 1);
	CU_ASSERT(fx_saw(&x, "warn: --force: flashing boot-repacked.img to boot although the "
			     "bootloader is locked"));
	fx_done(&x);

	CU_ASSERT_EQUAL(gate(&x, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(fx_count(&x, "download:"), 1);
	CU_ASSERT_EQUAL(x.warnings, 0);
	fx_done(&x);

	CU_ASSERT_EQUAL(gate(&x, 1, 0, 0), 0);
	CU_ASSERT_EQUAL(fx_count(&x, "download:"), 1);
	CU_ASSERT_EQUAL(fx_count(&x, "oem lock-state info"), 1);
	fx_done(&x);
}

void hwf_suite_devinfo(void)
{
	CU_pSuite s = CU_add_suite("device check and lock gate", NULL, NULL);

	CU_add_test(s, "parse: oem lock-state info, FRP and unknown lines raw",
		    test_parse_lockstate);
	CU_add_test(s, "parse: get-bootinfo, get-build-number, vendorcountry, unlocked",
		    test_parse_small_replies);
	CU_add_test(s, "gate decision: what a locked bootloader rejects", test_lock_rejects);
	CU_add_test(s, "image check: a boot image without footer is repacked",
		    test_image_check_says_repacked);
	CU_add_test(s, "read: plain A/B device, no oem command", test_read_plain_and_ab);
	CU_add_test(s, "read: Huawei locked, every answer parsed", test_read_huawei_locked);
	CU_add_test(s, "read: a device that does not answer", test_read_lost_device);
	CU_add_test(s, "gate: locked refuses a repacked image, no download:",
		    test_gate_locked_refuses_before_any_byte);
	CU_add_test(s, "gate: --force and an unlocked device send it",
		    test_gate_force_and_unlocked_send);
}
