// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the fastboot client's response parser and state
 * machine, over a fake in-memory transport.  The input is the device's side
 * of the conversation: a config byte, then frames [u16 LE length][bytes].
 * Each transport read returns the next frame (a frame longer than the
 * reader's buffer is the transport's HWF_EPROTO, as tcp.c and usb do); when
 * the frames run out the device "disconnects" or "times out".  The client
 * runs getvar, max-download-size, a command, a download and a flash, as
 * hwflash does; it must end every step with 0 or an error, never crash or
 * loop: the frames are finite, so every loop is bounded by the input.
 *
 * config byte: bits 0-1 end of input = disconnect / timeout / EPROTO /
 * zero-length packets; bit 2 = the transport's write fails after
 * (bits 3-5) writes; bits 6-7 download size selector.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"
#include "protocol/fastboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake {
	struct hwf_transport base;
	const uint8_t *p;
	size_t left;
	uint8_t cfg;
	unsigned writes;
	unsigned zero_reads;
};

static int fake_write(struct hwf_transport *bt, const void *buf, size_t len, int timeout_ms,
		      struct hwf_err *e)
{
	struct fake *f = (struct fake *)bt;

	(void)timeout_ms;
	if (len && !buf)
		abort();
	/* A command is at most 64 bytes; download data goes in bounded chunks. */
	if (len > (1u << 20))
		abort();
	f->writes++;
	if ((f->cfg & 4) && f->writes > ((f->cfg >> 3) & 7u))
		return hwf_err_set(e, HWF_EDISCONNECTED, "fake: write failed");
	return 0;
}

static int64_t fake_read(struct hwf_transport *bt, void *buf, size_t len, int timeout_ms,
			 struct hwf_err *e)
{
	struct fake *f = (struct fake *)bt;
	size_t n;

	(void)timeout_ms;
	if (f->left < 2) {
		switch (f->cfg & 3) {
		case 0:
			return hwf_err_set(e, HWF_EDISCONNECTED,
					   "fake: the device closed the connection");
		case 1:
			return hwf_err_set(e, HWF_ETIMEOUT, "fake: no answer");
		case 2:
			return hwf_err_set(e, HWF_EPROTO, "fake: broken frame");
		default:
			/* Empty packets, but not forever. */
			if (++f->zero_reads > 1000)
				return hwf_err_set(e, HWF_EDISCONNECTED, "fake: gone");
			return 0;
		}
	}
	n = get_le16(f->p);
	f->p += 2;
	f->left -= 2;
	if (n > f->left)
		n = f->left;
	if (n > len) {
		f->p += n;
		f->left -= n;
		return hwf_err_set(e, HWF_EPROTO, "fake: a %zu-byte packet (at most %zu)", n, len);
	}
	memcpy(buf, f->p, n);
	f->p += n;
	f->left -= n;
	return (int64_t)n;
}

static void fake_close(struct hwf_transport *bt)
{
	(void)bt;
}

static const struct hwf_transport_ops fake_ops = {
	.write = fake_write,
	.read = fake_read,
	.close = fake_close,
};

static void on_info(void *ctx, const char *text, int is_text)
{
	size_t *count = ctx;

	(void)is_text;
	/* The text is a NUL-terminated string within the reply. */
	if (strlen(text) > HWF_FB_RESP_MAX)
		abort();
	(*count)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t dl_sizes[4] = { 0, 1, 4096, (1u << 20) + 17 };
	static uint8_t payload[(1u << 20) + 17];
	struct fake f = { .base = { &fake_ops, "fake" } };
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	struct hwf_fb fb;
	char v[HWF_FB_RESP_MAX];
	size_t infos = 0;
	uint64_t max;

	if (!size)
		return 0;
	f.cfg = data[0];
	f.p = data + 1;
	f.left = size - 1;
	hwf_fb_init(&fb, &f.base, on_info, &infos);
	fb.timeout_ms = 10;
	hwf_fb_getvar(&fb, "product", v, sizeof(v), &e);
	hwf_fb_max_download(&fb, &max, &e);
	v[0] = '\0';
	hwf_fb_command(&fb, "oem device-info", v, 4, &e);	/* a short buffer */
	if (strlen(v) >= 4)
		abort();
	if (hwf_source_open_mem(&src, payload, sizeof(payload), "payload", &e))
		return 0;
	if (hwf_fb_download(&fb, src, 0, dl_sizes[f.cfg >> 6], NULL, NULL, &e) == 0)
		hwf_fb_command(&fb, "flash:system", NULL, 0, &e);
	hwf_source_close(src);
	/* The public parser with device text. */
	{
		char num[32];
		size_t n = f.left < sizeof(num) - 1 ? f.left : sizeof(num) - 1;

		memcpy(num, f.p, n);
		num[n] = '\0';
		hwf_fb_parse_num(num, &max);
	}
	return 0;
}
