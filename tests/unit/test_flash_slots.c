// SPDX-License-Identifier: MIT
/*
 * The flash engine's slots against the device model: a name resolved as
 * AOSP's fastboot resolves it (current slot, --slot a|b|other|all, a name
 * that carries its slot, partitions without slots, devices without
 * slots), refusals before anything but getvars is sent, set_active.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/flash.h"
#include "tests/unit/flashfix.h"

#define MiB (1024u * 1024u)

/* An A/B device (boot and system per slot, recovery and userdata not), current slot @cur. */
static void ab(struct fx *x, char cur, const char *slot)
{
	fx_init(x);
	fx_part(x, "boot_a", MiB);
	fx_part(x, "boot_b", MiB);
	fx_part(x, "system_a", MiB);
	fx_part(x, "system_b", MiB);
	fx_part(x, "recovery", MiB);
	fx_part(x, "userdata", MiB);
	x->dev.current_slot = cur;
	x->opts.slot = slot;
	CU_ASSERT_EQUAL_FATAL(fx_start(x), 0);
}

/* Resolve @part: returns the code; *@names gets "boot_a boot_b " (and only getvars were sent). */
static int resolve(struct fx *x, const char *part, int warn, char *names, size_t len,
		   struct hwf_err *e)
{
	struct hwf_flash_parts p;
	char *w;
	int rc = hwf_flash_resolve(x->f, part, warn, &p, e);

	names[0] = '\0';
	for (int i = 0; !rc && i < p.n; i++) {
		strncat(names, p.name[i], len - strlen(names) - 2);
		strcat(names, " ");
	}
	w = fx_writes(x);
	CU_ASSERT_STRING_EQUAL(w, ""); /* resolving sends nothing but getvars */
	free(w);
	return rc;
}

static void expect(char cur, const char *slot, const char *part, const char *want)
{
	struct hwf_err e = { 0 };
	char got[256];
	struct fx x;

	ab(&x, cur, slot);
	CU_ASSERT_EQUAL(resolve(&x, part, 1, got, sizeof(got), &e), 0);
	if (strcmp(got, want))
		fprintf(stderr, "\n    %s with current %c, --slot %s: '%s', wanted '%s'\n", part,
			cur, slot ? slot : "-", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT_EQUAL(x.errors, 0);
	fx_done(&x);
}

static void test_current_slot_and_slot_option(void)
{
	expect('a', NULL, "boot", "boot_a ");
	expect('b', NULL, "boot", "boot_b ");
	expect('a', "b", "boot", "boot_b ");
	expect('a', "other", "boot", "boot_b ");
	expect('b', "other", "system", "system_a ");
	expect('b', "all", "boot", "boot_a boot_b ");
	expect('a', "a", "boot_a", "boot_a ");
	expect('b', NULL, "boot_a", "boot_a "); /* the name's slot wins over the current one */
	expect('a', "all", "recovery", "recovery ");
}

static void test_underscore_current_slot(void)
{
	struct hwf_err e = { 0 };
	char got[256];
	struct fx x;

	fx_init(&x);
	fx_part(&x, "boot_a", MiB);
	fx_part(&x, "boot_b", MiB);
	x.dev.current_slot = 'b';
	x.dev.slot_underscore = 1; /* current-slot: _b, as some bootloaders say it */
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	CU_ASSERT_EQUAL(resolve(&x, "boot", 1, got, sizeof(got), &e), 0);
	CU_ASSERT_STRING_EQUAL(got, "boot_b ");
	fx_done(&x);
}

static void test_slot_the_device_lacks_is_refused(void)
{
	struct hwf_err e = { 0 };
	char got[256];
	struct fx x;

	ab(&x, 'a', "c");
	CU_ASSERT_EQUAL(resolve(&x, "boot", 1, got, sizeof(got), &e), HWF_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(e.msg, "--slot c: the device has no slot c (its slots: a, b): "
				      "nothing was written");
	CU_ASSERT(fx_saw(&x, "error: --slot c: the device has no slot c"));
	CU_ASSERT_EQUAL(x.errors, 1);
	fx_done(&x);

	ab(&x, 'a', NULL);
	CU_ASSERT_EQUAL(resolve(&x, "boot_c", 1, got, sizeof(got), &e), HWF_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(e.msg, "boot_c: the device has no slot c (its slots: a, b): nothing "
				      "was written");
	fx_done(&x);

	/* A name and --slot that contradict each other: the caller's mistake (a usage error). */
	ab(&x, 'a', "a");
	CU_ASSERT_EQUAL(resolve(&x, "boot_b", 1, got, sizeof(got), &e), HWF_EINVAL);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "boot_b names slot b, and --slot a asks for another: give one "
			       "of them");
	fx_done(&x);
	ab(&x, 'a', "all");
	CU_ASSERT_EQUAL(resolve(&x, "boot_b", 1, got, sizeof(got), &e), HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "asks for every slot"));
	fx_done(&x);
}

static void test_device_without_slots(void)
{
	struct hwf_err e = { 0 };
	char got[256];
	struct fx x;

	fx_init(&x);
	fx_part(&x, "boot", MiB);
	x.opts.slot = "a";
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	CU_ASSERT_EQUAL(resolve(&x, "boot", 1, got, sizeof(got), &e), HWF_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(e.msg, "--slot a: the device has no slots (it reports no "
				      "slot-count): nothing was written");
	fx_done(&x);

	/* No option: the name as it is; "all" is taken on any device, as AOSP takes it. */
	fx_init(&x);
	fx_part(&x, "boot", MiB);
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	CU_ASSERT_EQUAL(resolve(&x, "boot", 1, got, sizeof(got), &e), 0);
	CU_ASSERT_STRING_EQUAL(got, "boot ");
	CU_ASSERT_EQUAL(hwf_flash_set_active_flashed(x.f, &e), 0); /* nothing to set */
	fx_done(&x);
	fx_init(&x);
	fx_part(&x, "boot", MiB);
	x.opts.slot = "all";
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	CU_ASSERT_EQUAL(resolve(&x, "boot", 1, got, sizeof(got), &e), 0);
	CU_ASSERT_STRING_EQUAL(got, "boot ");
	CU_ASSERT_EQUAL(x.warnings, 0);
	fx_done(&x);
}

static void test_partition_without_slots(void)
{
	struct hwf_err e = { 0 };
	char got[256];
	struct fx x;

	/* flash and erase say that --slot does not apply; update's many images do not. */
	ab(&x, 'a', "b");
	CU_ASSERT_EQUAL(resolve(&x, "recovery", 1, got, sizeof(got), &e), 0);
	CU_ASSERT_STRING_EQUAL(got, "recovery ");
	CU_ASSERT(fx_saw(&x, "warn: 'recovery' has no slots: --slot b does not apply to it"));
	fx_clear(&x);
	CU_ASSERT_EQUAL(resolve(&x, "userdata", 0, got, sizeof(got), &e), 0);
	CU_ASSERT_STRING_EQUAL(got, "userdata ");
	CU_ASSERT_EQUAL(x.warnings, 0);
	/* The slot option was checked once for both. */
	CU_ASSERT_EQUAL(fx_count(&x, "getvar:slot-count"), 1);
	fx_done(&x);
}

static void test_slots_the_engine_cannot_use(void)
{
	struct hwf_err e = { 0 };
	char got[256];
	struct fx x;

	/* The current slot is not one of the device's. */
	ab(&x, 'c', NULL);
	CU_ASSERT_EQUAL(resolve(&x, "boot", 1, got, sizeof(got), &e), HWF_EUNSUPPORTED);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "'boot' has a partition per slot, but the device does not say "
			       "which slot is current (current-slot: c); give --slot: nothing "
			       "was written");
	fx_done(&x);

	/* More slots than hwflash knows. */
	fx_init(&x);
	fx_part(&x, "boot_a", MiB);
	x.dev.slots = 9;
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	CU_ASSERT_EQUAL(resolve(&x, "boot", 1, got, sizeof(got), &e), HWF_EUNSUPPORTED);
	CU_ASSERT_STRING_EQUAL(e.msg, "the device reports slot-count 9; hwflash knows at most 8 "
				      "slots: nothing was written");
	fx_done(&x);
}

static void test_names_fastboot_cannot_say(void)
{
	char got[256], name[80];
	struct hwf_err e = { 0 };
	struct fx x;

	ab(&x, 'a', NULL);
	memset(name, 'p', 49);
	name[49] = '\0';
	CU_ASSERT_EQUAL(resolve(&x, name, 1, got, sizeof(got), &e), HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is too long for fastboot"));
	CU_ASSERT_EQUAL(resolve(&x, "bo\not", 1, got, sizeof(got), &e), HWF_EINVAL);
	CU_ASSERT_STRING_EQUAL(e.msg, "partition name has a control character (\\x0a)");
	CU_ASSERT_EQUAL(fx_count(&x, "getvar:"), 0); /* refused before asking */
	fx_done(&x);
}

static void test_set_active(void)
{
	struct hwf_err e = { 0 };
	char *w;
	struct fx x;

	ab(&x, 'a', NULL);
	CU_ASSERT_EQUAL(hwf_flash_set_active(x.f, "other", &e), 0);
	CU_ASSERT(fx_saw(&x, "OKAY Setting current slot to 'b'"));
	CU_ASSERT_EQUAL(hwf_flash_set_active(x.f, "c", &e), HWF_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(e.msg, "set_active c: the device has no slot c (its slots: a, b): "
				      "nothing was written");
	w = fx_writes(&x);
	CU_ASSERT_STRING_EQUAL(w, "set_active:b ");
	free(w);
	fx_done(&x);

	fx_init(&x);
	fx_part(&x, "boot", MiB);
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	CU_ASSERT_EQUAL(hwf_flash_set_active(x.f, "a", &e), HWF_ENOTFOUND);
	CU_ASSERT_EQUAL(fx_count(&x, "set_active"), 0);
	fx_done(&x);
}

/* After update: the slot flashed becomes the active one. */
static void active_after(char cur, const char *slot, const char *want)
{
	struct hwf_err e = { 0 };
	char got[256], *w;
	struct fx x;

	ab(&x, cur, slot);
	CU_ASSERT_EQUAL(resolve(&x, "boot", 0, got, sizeof(got), &e), 0);
	CU_ASSERT_EQUAL(hwf_flash_set_active_flashed(x.f, &e), 0);
	w = fx_writes(&x);
	CU_ASSERT_STRING_EQUAL(w, want);
	free(w);
	fx_done(&x);
}

static void test_set_active_flashed(void)
{
	active_after('a', NULL, "set_active:a ");
	active_after('b', NULL, "set_active:b ");
	active_after('a', "b", "set_active:b ");
	active_after('a', "other", "set_active:b ");
	active_after('b', "all", "set_active:a "); /* AOSP: a after --slot all */
}

static void test_has_partition(void)
{
	struct fx x;

	ab(&x, 'a', NULL);
	CU_ASSERT_EQUAL(hwf_flash_has_partition(x.f, "recovery"), 1); /* partition-size */
	CU_ASSERT_EQUAL(hwf_flash_has_partition(x.f, "boot"), 1);     /* has-slot */
	CU_ASSERT_EQUAL(hwf_flash_has_partition(x.f, "boot_b"), 1);
	CU_ASSERT_EQUAL(hwf_flash_has_partition(x.f, "vendor"), 0);
	fx_done(&x);
}

void hwf_suite_flash_slots(void)
{
	CU_pSuite s = CU_add_suite("flash engine: slots", NULL, NULL);

	CU_add_test(s, "the current slot, --slot a|b|other|all, names with a slot",
		    test_current_slot_and_slot_option);
	CU_add_test(s, "current-slot _b is slot b", test_underscore_current_slot);
	CU_add_test(s, "a slot the device lacks, or a contradiction, is refused",
		    test_slot_the_device_lacks_is_refused);
	CU_add_test(s, "a device without slots", test_device_without_slots);
	CU_add_test(s, "a partition without slots on an A/B device", test_partition_without_slots);
	CU_add_test(s, "slots the engine cannot use are refused", test_slots_the_engine_cannot_use);
	CU_add_test(s, "names fastboot cannot say are refused before asking",
		    test_names_fastboot_cannot_say);
	CU_add_test(s, "set_active: a slot the device has", test_set_active);
	CU_add_test(s, "after update: the flashed slot is made active", test_set_active_flashed);
	CU_add_test(s, "has_partition: partition-size or has-slot", test_has_partition);
}
