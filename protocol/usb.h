/* SPDX-License-Identifier: MIT */
/*
 * Fastboot over USB with libusb-1.0.  A fastboot device is any interface
 * with class/subclass/protocol ff/42/03 and one bulk IN and one bulk OUT
 * endpoint; no vendor list (AOSP dropped its own in 2015).  Facts:
 * ../shared/reference/fastboot-protocol.md §1.5-§1.9, §7.
 *
 * Every call makes its own libusb context and a transport keeps one for
 * its lifetime: no global state, so forked children and several sessions
 * in one process do not share anything.
 */
#ifndef HWF_USB_H
#define HWF_USB_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "protocol/transport.h"

/* What a person should do when a device cannot be opened. */
#define HWF_USB_PERMISSION_HINT \
	"install udev/51-hwflash.rules (make install) or run as root"

/* What to do when the device is bound to a driver libusb cannot use (Windows). */
#define HWF_USB_DRIVER_HINT                                                                        \
	"install the WinUSB driver for it (\"Android Bootloader Interface\", from Google's USB "   \
	"driver or Zadig; README \"Windows\")"

/* One fastboot interface on the bus. */
struct hwf_usb_device {
	char path[40];		/* "usb:1-1.2": bus number, then the port chain */
	char serial[128];	/* string descriptor iSerialNumber; "" when unreadable */
	char product[128];	/* string descriptor iProduct; "" when absent or unreadable */
	uint16_t vid, pid;
	int no_access;		/* present, but opening it was refused (permissions) */
};

/*
 * The one line for a device that was found but could not be opened, from
 * libusb's error @rc (a LIBUSB_ERROR_*): no permission (HWF_EACCES, the udev
 * hint), bound to another driver or to none (NOT_SUPPORTED, NOT_FOUND: the
 * WinUSB hint; HWF_EACCES), anything else (HWF_EIO, libusb's text).
 */
int hwf_usb_open_error(const struct hwf_usb_device *d, int rc, struct hwf_err *e);

/*
 * Every fastboot device on the bus, ordered by path.  Reads the serial and
 * product strings, which opens each device for a moment.  *out is one
 * malloc'd array (free() it; NULL when *n is 0).
 */
int hwf_usb_list(struct hwf_usb_device **out, size_t *n, struct hwf_err *e);

/*
 * Open and claim a fastboot device.  @sel is "usb:PATH" (the port path as
 * hwf_usb_list gives it), a serial number, or NULL for "the only one".
 * Errors, each a sentence for a person:
 *   HWF_ENOTFOUND  nothing matches (the message lists what is there);
 *   HWF_EACCES     the device is there but may not be opened;
 *   HWF_EINVAL     @sel is NULL and there are several devices (listed);
 *   HWF_EIO        claiming failed (another program holds the interface...).
 * The transport's name is the device's "usb:PATH".
 */
int hwf_usb_open(struct hwf_transport **out, const char *sel, struct hwf_err *e);

/*
 * Wait up to @timeout_ms for a device matching @sel (as for hwf_usb_open;
 * NULL: any) to be present, using libusb hotplug events where libusb has
 * them and a rescan every half second otherwise.  0 when one is there,
 * HWF_ETIMEOUT when none came.
 */
int hwf_usb_wait(const char *sel, int timeout_ms, struct hwf_err *e);

#endif
