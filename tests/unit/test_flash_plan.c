// SPDX-License-Identifier: MIT
/*
 * The flash engine when the device fails (FAIL on download or flash, a
 * hang-up, silence, garbage) and the plans it checks against the device:
 * app flash's partitions (missing, too small, slots), update's
 * android-info.txt, where update's images go and in which order.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/app/appplan.h"
#include "formats/app/updateapp.h"
#include "formats/core/bytes.h"
#include "formats/image/sparse.h"
#include "protocol/flash.h"
#include "tests/unit/flashfix.h"
#include "tests/unit/testutil.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

/* --- failures ------------------------------------------------------------- */

/* Flash @size bytes of noise to system on a device with @fault; the code, @e the message. */
static int flash_size_fault(struct fx *x, size_t size, const char *fault, struct hwf_err *e)
{
	struct hwf_source *src;
	int rc;

	fx_init(x);
	fx_part(x, "system", 8 * MiB);
	CU_ASSERT_EQUAL_FATAL(fbdev_parse_fault_spec(fault, &x->dev), 0);
	CU_ASSERT_EQUAL_FATAL(fx_start(x), 0);
	src = fx_noise(x, "sys.img", size, 21);
	rc = hwf_flash_image(x->f, src, "system", "sys.img", e);
	hwf_source_close(src);
	return rc;
}

static int flash_with_fault(struct fx *x, const char *fault, struct hwf_err *e)
{
	return flash_size_fault(x, 100 * KiB, fault, e);
}

static void test_fail_on_download_sends_no_flash(void)
{
	struct hwf_err e = { 0 };
	struct fx x;

	CU_ASSERT_EQUAL(flash_with_fault(&x, "fail-download", &e), HWF_EDEVICE);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "download:00019000: device refused: download refused "
			       "(simulated fault); nothing was written: the flash command was "
			       "not sent");
	CU_ASSERT(fx_saw(&x, "FAILED Sending 'system' (100 KB): download:00019000: device "
			     "refused: download refused (simulated fault)\n"));
	CU_ASSERT_EQUAL(x.errors, 1);
	CU_ASSERT_EQUAL(fx_count(&x, "flash:"), 0);
	fx_done(&x);
}

static void test_fail_on_flash_is_the_devices_word(void)
{
	struct hwf_err e = { 0 };
	struct fx x;

	CU_ASSERT_EQUAL(flash_with_fault(&x, "fail-flash", &e), HWF_EDEVICE);
	CU_ASSERT_STRING_EQUAL(e.msg, "flash:system: device refused: flash write failure "
				      "(simulated fault)");
	CU_ASSERT(fx_saw(&x, "OKAY Sending 'system' (100 KB)\n"));
	CU_ASSERT(fx_saw(&x, "FAILED Writing 'system': flash:system: device refused"));
	fx_done(&x);
}

static void test_disconnect_stops_everything(void)
{
	struct hwf_err e = { 0 };
	struct fx x;

	/* Half-way through 4 MiB of data: no flash:, and nothing is sent afterwards. */
	CU_ASSERT_EQUAL(flash_size_fault(&x, 4 * MiB, "disconnect-at:50", &e), HWF_EDISCONNECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "download stopped after 3.0 MiB of 4.0 MiB"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(e.msg, "nothing was written: the flash command was not sent"));
	CU_ASSERT_EQUAL(fx_count(&x, "(disconnect after"), 1);
	CU_ASSERT_EQUAL(hwf_flash_command(x.f, "Rebooting", "reboot", &e), HWF_EDISCONNECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "reboot: not sent, the device stopped answering"));
	CU_ASSERT_EQUAL(fx_count(&x, "reboot"), 0);
	fx_done(&x);

	/* After the download's OKAY: flash: cannot go out. */
	CU_ASSERT_EQUAL(flash_with_fault(&x, "disconnect-before-flash", &e), HWF_EDISCONNECTED);
	CU_ASSERT_STRING_EQUAL(e.msg, "flash:system: sim:dev: connection lost");
	CU_ASSERT(fx_saw(&x, "OKAY Sending 'system' (100 KB)\n"));
	CU_ASSERT(fx_saw(&x, "FAILED Writing 'system': flash:system: sim:dev: connection lost\n"));
	CU_ASSERT_EQUAL(fx_count(&x, "flash:"), 0);
	fx_done(&x);
}

static void test_silence_and_garbage(void)
{
	struct hwf_err e = { 0 };
	struct fx x;

	/* The device takes flash: and never answers: a timeout, named after the step. */
	CU_ASSERT_EQUAL(flash_with_fault(&x, "stall-flash", &e), HWF_ETIMEOUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "flash:system: sim:dev: no answer"));
	CU_ASSERT(fx_saw(&x, "FAILED Writing 'system'"));
	fx_done(&x);

	/* Silent from the first getvar (is-logical, asked first as AOSP does): it stops there. */
	CU_ASSERT_EQUAL(flash_with_fault(&x, "stall", &e), HWF_ETIMEOUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "getvar:is-logical:system: sim:dev: no answer"));
	CU_ASSERT_EQUAL(x.steps, 0);
	fx_done(&x);

	CU_ASSERT_EQUAL(flash_with_fault(&x, "garbage", &e), HWF_EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not fastboot: '\\x89PNG"));
	CU_ASSERT_EQUAL(fx_count(&x, "download:"), 0);
	fx_done(&x);
}

/* --- app flash's plan -------------------------------------------------------- */

struct pkg {
	struct hwf_source *src;
	struct hwf_app *app;
};

/* A package of @n entries of @size bytes each ('~' before a name: a sparse header). */
static void make(struct fx *x, struct pkg *p, const char *const *names, size_t n, size_t size)
{
	struct hwf_app_pack_item it[8];
	struct hwf_app_pack_opts po = { "HWSIM", "2026.01.01", "00.00.00", 0 };
	struct hwf_err e = { 0 };
	char *out = tu_path(x->dir, "plan.app");
	uint8_t *data = malloc(n * size);
	int fd;

	for (size_t i = 0; i < n; i++) {
		tu_random(data + i * size, size, i);
		it[i].name = names[i];
		if (names[i][0] == '~') {
			put_le32(data + i * size, HWF_SPARSE_MAGIC);
			it[i].name = names[i] + 1;
		}
		CU_ASSERT_EQUAL(hwf_source_open_mem(&it[i].src, data + i * size, size, "m", &e), 0);
		it[i].seq = 0;
	}
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_EQUAL(hwf_app_pack(fd, it, n, &po, NULL, NULL, &e), 0);
	close(fd);
	for (size_t i = 0; i < n; i++)
		hwf_source_close(it[i].src);
	free(data);
	CU_ASSERT_EQUAL(hwf_source_open_file(&p->src, out, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_app_open(&p->app, p->src, &e), 0);
	free(out);
}

static void unmake(struct pkg *p)
{
	hwf_app_close(p->app);
	hwf_source_close(p->src);
}

/* The plan for every entry of @p against the device: the code; *@names "boot_a system ". */
static int plan(struct fx *x, struct pkg *p, char *names, size_t len, struct hwf_err *e)
{
	struct hwf_plan_step *st = NULL, *out = NULL;
	size_t nst = 0, nout = 0;
	char *w;
	int rc;

	CU_ASSERT_EQUAL_FATAL(hwf_plan_build(p->app, NULL, 0, NULL, 0, &st, &nst, e), 0);
	rc = hwf_flash_plan(x->f, p->app, st, nst, &out, &nout, e);
	names[0] = '\0';
	for (size_t i = 0; i < nout; i++) {
		strncat(names, out[i].partition, len - strlen(names) - 2);
		strcat(names, " ");
	}
	CU_ASSERT(rc || nout >= nst);
	CU_ASSERT(!rc || (!out && !nout));
	w = fx_writes(x);
	CU_ASSERT_STRING_EQUAL(w, ""); /* a plan sends nothing but getvars */
	free(w);
	free(out);
	free(st);
	return rc;
}

static void test_plan_resolves_slots(void)
{
	static const char *const names[] = { "BOOT", "SYSTEM" };
	struct hwf_err e = { 0 };
	char got[256];
	struct pkg p;
	struct fx x;

	fx_init(&x);
	fx_part(&x, "boot_a", MiB);
	fx_part(&x, "boot_b", MiB);
	fx_part(&x, "system", MiB);
	x.dev.current_slot = 'b';
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	make(&x, &p, names, 2, 8 * KiB);
	CU_ASSERT_EQUAL(plan(&x, &p, got, sizeof(got), &e), 0);
	CU_ASSERT_STRING_EQUAL(got, "boot_b system ");
	CU_ASSERT_EQUAL(x.errors, 0);
	unmake(&p);
	fx_done(&x);

	fx_init(&x);
	fx_part(&x, "boot_a", MiB);
	fx_part(&x, "boot_b", MiB);
	fx_part(&x, "system", MiB);
	x.opts.slot = "all";
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	make(&x, &p, names, 2, 8 * KiB);
	CU_ASSERT_EQUAL(plan(&x, &p, got, sizeof(got), &e), 0);
	CU_ASSERT_STRING_EQUAL(got, "boot_a boot_b system ");
	unmake(&p);
	fx_done(&x);
}

static void test_plan_refuses_missing_and_too_small(void)
{
	static const char *const names[] = { "BOOT", "SYSTEM", "CACHE", "~VENDOR" };
	struct hwf_err e = { 0 };
	char got[256];
	struct pkg p;
	struct fx x;

	fx_init(&x);
	fx_part(&x, "boot", 4 * KiB); /* smaller than the 8 KiB raw entry */
	fx_part(&x, "system", MiB);
	fx_part(&x, "vendor", 4 * KiB); /* a sparse entry may be larger than its file says */
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	make(&x, &p, names, 4, 8 * KiB);
	CU_ASSERT_EQUAL(plan(&x, &p, got, sizeof(got), &e), HWF_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(e.msg, "nothing was sent to the device");
	CU_ASSERT(fx_saw(&x, "error: BOOT: 8192 bytes do not fit partition boot (4096 bytes)\n"));
	CU_ASSERT(fx_saw(&x, "error: the device has no partition 'cache' (for CACHE); --map "
			     "CACHE=PARTITION picks another\n"));
	CU_ASSERT_EQUAL(x.errors, 3); /* both problems, then the end */
	CU_ASSERT(!strstr(x.events, "VENDOR"));
	unmake(&p);
	fx_done(&x);
}

static void test_product_check(void)
{
	struct fx x;

	fx_init(&x);
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0); /* product "hwsim" */
	hwf_flash_product_check(x.f, "HWSIM");
	CU_ASSERT(fx_saw(&x, "note: package hardware id HWSIM, device product hwsim\n"));
	CU_ASSERT_EQUAL(x.warnings, 0);
	hwf_flash_product_check(x.f, "HWOTHER");
	CU_ASSERT(fx_saw(&x, "warn: the package's hardware id (HWOTHER) and the device's product "
			     "(hwsim) look unrelated"));
	fx_clear(&x);
	hwf_flash_product_check(x.f, "");
	CU_ASSERT_EQUAL(x.nevents, 0);
	fx_done(&x);
}

/* --- update ---------------------------------------------------------------- */

/* android-info.txt @text against a device (product hwsim, boot_a/boot_b); force @force. */
static int info(struct fx *x, const char *text, int force, struct hwf_err *e)
{
	char buf[1024];
	char *w;
	int rc;

	fx_init(x);
	fx_part(x, "boot_a", MiB);
	fx_part(x, "boot_b", MiB);
	fx_part(x, "system", MiB);
	x->opts.force = force;
	CU_ASSERT_EQUAL_FATAL(fx_start(x), 0);
	snprintf(buf, sizeof(buf), "%s", text);
	rc = hwf_flash_android_info(x->f, "u.zip", buf, e);
	w = fx_writes(x);
	CU_ASSERT_STRING_EQUAL(w, "");
	free(w);
	return rc;
}

static void test_android_info_accepts(void)
{
	struct hwf_err e = { 0 };
	struct fx x;

	CU_ASSERT_EQUAL(info(&x,
			     "# made by hand\nrequire board=other|hwsim\r\n"
			     "require product=hw*\nreject board=sailfish\n"
			     "require-for-product:other version-bootloader=9\n"
			     "require partition-exists=boot\nrequire partition-exists=system\n"
			     "something else\n",
			     0, &e),
			0);
	CU_ASSERT_EQUAL(x.errors, 0);
	fx_done(&x);
}

static void test_android_info_refuses(void)
{
	struct hwf_err e = { 0 };
	struct fx x;

	CU_ASSERT_EQUAL(info(&x,
			     "require board=sailfish\nreject product=hwsim\n"
			     "require-for-product:hwsim version-bootloader=9.9\n"
			     "require partition-exists=vendor\nrequire no-such-var=1\n",
			     0, &e),
			HWF_EUNSUPPORTED);
	CU_ASSERT_STRING_EQUAL(e.msg, "u.zip: not for this device; nothing was sent (--force "
				      "overrides)");
	CU_ASSERT(fx_saw(&x, "error: u.zip: android-info.txt requires board=sailfish, the device "
			     "says hwsim\n"));
	CU_ASSERT(fx_saw(&x,
			 "error: u.zip: android-info.txt rejects product=hwsim, the device says "
			 "hwsim\n"));
	CU_ASSERT(fx_saw(&x, "error: u.zip: android-info.txt requires version-bootloader=9.9, the "
			     "device says 0.4.1-fbsim\n"));
	CU_ASSERT(fx_saw(&x, "error: u.zip: android-info.txt requires partition vendor, the device "
			     "has none\n"));
	CU_ASSERT(fx_saw(&x,
			 "error: u.zip: android-info.txt requires no-such-var=1, and the device "
			 "does not report no-such-var\n"));
	CU_ASSERT_EQUAL(x.errors, 6);
	fx_done(&x);

	/* --force: the same lines are said, then a warning, and the update may go on. */
	CU_ASSERT_EQUAL(info(&x, "require board=sailfish\n", 1, &e), 0);
	CU_ASSERT_EQUAL(x.errors, 1);
	CU_ASSERT(fx_saw(&x, "warn: --force: flashing despite android-info.txt\n"));
	fx_done(&x);
}

void hwf_suite_flash_plan(void)
{
	CU_pSuite s = CU_add_suite("flash engine: failures and plans", NULL, NULL);

	CU_add_test(s, "FAIL on download: the device's words, no flash:",
		    test_fail_on_download_sends_no_flash);
	CU_add_test(s, "FAIL on flash: the device's words", test_fail_on_flash_is_the_devices_word);
	CU_add_test(s, "a hang-up stops the flash and every later command",
		    test_disconnect_stops_everything);
	CU_add_test(s, "silence is a timeout, garbage is said as such", test_silence_and_garbage);
	CU_add_test(s, "app flash plan: slots resolved", test_plan_resolves_slots);
	CU_add_test(s, "app flash plan: every missing or too small partition named",
		    test_plan_refuses_missing_and_too_small);
	CU_add_test(s, "app flash: the package's hardware id against the product",
		    test_product_check);
	CU_add_test(s, "update: android-info.txt lines that hold", test_android_info_accepts);
	CU_add_test(s, "update: android-info.txt lines that fail, --force",
		    test_android_info_refuses);
}
