/* SPDX-License-Identifier: MIT */
/*
 * Error codes and the per-call error context.
 *
 * Every fallible function returns 0 or a negative HWF_E* code.  When the
 * caller passes a struct hwf_err, the callee fills in one human sentence
 * ("entry 3 BOOT: block 17 CRC 0x1a2b, expected 0x9c01") that the CLI prints
 * as is.  There is no global errno-like state.
 */
#ifndef HWF_ERR_H
#define HWF_ERR_H

#include <stddef.h>

enum hwf_err_code {
	HWF_OK = 0,
	HWF_EIO = -1,		/* read/write/open failed (see message) */
	HWF_EFORMAT = -2,	/* the bytes are not what they claim to be */
	HWF_ECRC = -3,		/* a checksum did not match */
	HWF_ETRUNC = -4,	/* the file ends before its header says it does */
	HWF_ENOMEM = -5,
	HWF_EINVAL = -6,	/* bad argument from the caller */
	HWF_ENOTFOUND = -7,	/* no such entry / member / device */
	HWF_EDEVICE = -8,	/* the device answered FAIL */
	HWF_ETIMEOUT = -9,
	HWF_EPROTO = -10,	/* the peer broke the protocol */
	HWF_EUNSUPPORTED = -11,
	HWF_ECANCELED = -12,
	HWF_EEXIST = -13,
	HWF_ENOSPC = -14,
	HWF_EDISCONNECTED = -15,
	HWF_EACCES = -16,
};

#define HWF_ERR_MSG_MAX 512

struct hwf_err {
	int code;
	char msg[HWF_ERR_MSG_MAX];
};

/*
 * Record an error.  @e may be NULL.  Returns @code so callers can write
 * "return hwf_err_set(e, HWF_EIO, "...", ...);".
 */
int hwf_err_set(struct hwf_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend "prefix: " to an already recorded message (keeps the code). */
void hwf_err_prefix(struct hwf_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset to "no error". */
void hwf_err_clear(struct hwf_err *e);

/* Short generic name of a code ("I/O error", "checksum mismatch"...). */
const char *hwf_strerror(int code);

#endif
