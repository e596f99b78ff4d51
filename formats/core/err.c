// SPDX-License-Identifier: MIT
#include "formats/core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int hwf_err_set(struct hwf_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void hwf_err_prefix(struct hwf_err *e, const char *fmt, ...)
{
	char pre[HWF_ERR_MSG_MAX], old[HWF_ERR_MSG_MAX];
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* Truncation is acceptable: the message stays a readable prefix. */
	size_t n = strnlen(pre, sizeof(pre) - 3);

	memcpy(e->msg, pre, n);
	memcpy(e->msg + n, ": ", 2);
	n += 2;
	size_t rest = strnlen(old, sizeof(e->msg) - n - 1);

	memcpy(e->msg + n, old, rest);
	e->msg[n + rest] = '\0';
}

void hwf_err_clear(struct hwf_err *e)
{
	if (!e)
		return;
	e->code = 0;
	e->msg[0] = '\0';
}

const char *hwf_strerror(int code)
{
	switch (code) {
	case HWF_OK: return "success";
	case HWF_EIO: return "I/O error";
	case HWF_EFORMAT: return "bad format";
	case HWF_ECRC: return "checksum mismatch";
	case HWF_ETRUNC: return "truncated";
	case HWF_ENOMEM: return "out of memory";
	case HWF_EINVAL: return "invalid argument";
	case HWF_ENOTFOUND: return "not found";
	case HWF_EDEVICE: return "device refused";
	case HWF_ETIMEOUT: return "timed out";
	case HWF_EPROTO: return "protocol error";
	case HWF_EUNSUPPORTED: return "not supported";
	case HWF_ECANCELED: return "canceled";
	case HWF_EEXIST: return "already exists";
	case HWF_ENOSPC: return "no space left";
	case HWF_EDISCONNECTED: return "disconnected";
	case HWF_EACCES: return "permission denied";
	}
	return "unknown error";
}
