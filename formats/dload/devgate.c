// SPDX-License-Identifier: MIT
/*
 * Whether prepare may write onto a whole device, decided from what the OS
 * says about it (os.c, win/src/dload_os.c): no I/O here, so the decision is
 * tested on its own on every OS.
 */
#include "formats/dload/dload_int.h"

#define BIG_DEVICE (256ull << 30)

int hwf_dl_device_gate(const char *path, const struct hwf_dl_device *d, int format, int force,
		       struct hwf_err *e)
{
	if (d->system[0])
		return hwf_err_set(e, HWF_EACCES, "%s holds %s: never written", path, d->system);
	if (d->mounted[0])
		return hwf_err_set(e, HWF_EACCES,
				   "%s is mounted on %s: unmount it first, or prepare the mounted "
				   "folder instead",
				   path, d->mounted);
	if (format && !force && (!d->removable || d->size > BIG_DEVICE))
		return hwf_err_set(
		    e, HWF_EACCES, "%s %s: refusing to format it (--force if you are sure)", path,
		    d->size > BIG_DEVICE ? "is larger than 256 GiB, which no SD card for a phone is"
					 : "is not a removable device");
	return 0;
}
