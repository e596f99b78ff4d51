// SPDX-License-Identifier: MIT
/*
 * The one line hwflash prints when a fastboot device is on the bus but cannot
 * be opened (protocol/usb_find.c hwf_usb_open_error): libusb's error mapped to
 * what the person should do, the same text on every platform.
 */
#include <CUnit/CUnit.h>
#include <libusb.h>
#include <string.h>

#include "protocol/usb.h"
#include "tests/unit/testutil.h"

static const struct hwf_usb_device DEV = {.path = "usb:1-4.2", .vid = 0x18d1, .pid = 0x4ee0};

static void test_access(void)
{
	struct hwf_err e = {0};

	CU_ASSERT_EQUAL(hwf_usb_open_error(&DEV, LIBUSB_ERROR_ACCESS, &e), HWF_EACCES);
	CU_ASSERT_STRING_EQUAL(e.msg, "found 18d1:4ee0 at usb:1-4.2 but no permission: install "
				      "udev/51-hwflash.rules (make install) or run as root");
}

/* Windows: the phone is bound to another driver (NOT_SUPPORTED) or to none (NOT_FOUND). */
static void test_other_driver(void)
{
	static const struct {
		int rc;
		const char *why;
	} cases[] = {{LIBUSB_ERROR_NOT_SUPPORTED, "another driver owns it"},
		     {LIBUSB_ERROR_NOT_FOUND, "it has no driver"}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hwf_err e = {0};
		char want[400];

		snprintf(
		    want, sizeof(want),
		    "found 18d1:4ee0 at usb:1-4.2 but %s: install the WinUSB "
		    "driver for it (\"Android Bootloader Interface\", from Google's USB driver "
		    "or Zadig; README \"Windows\")",
		    cases[i].why);
		CU_ASSERT_EQUAL(hwf_usb_open_error(&DEV, cases[i].rc, &e), HWF_EACCES);
		CU_ASSERT_STRING_EQUAL(e.msg, want);
		CU_ASSERT_PTR_NULL(strchr(e.msg, '\n'));
	}
}

static void test_other_errors(void)
{
	struct hwf_err e = {0};

	CU_ASSERT_EQUAL(hwf_usb_open_error(&DEV, LIBUSB_ERROR_IO, &e), HWF_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "usb:1-4.2: cannot open: "));
	CU_ASSERT_PTR_NULL(strstr(e.msg, "WinUSB"));
}

void hwf_suite_usbmsg(void)
{
	CU_pSuite s = CU_add_suite("usb messages", NULL, NULL);

	CU_add_test(s, "no permission: the udev hint", test_access);
	CU_add_test(s, "another driver or none: the WinUSB hint", test_other_driver);
	CU_add_test(s, "any other error: libusb's text", test_other_errors);
}
