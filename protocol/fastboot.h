/* SPDX-License-Identifier: MIT */
/*
 * The fastboot client: commands, responses (OKAY/FAIL/DATA/INFO/TEXT),
 * getvar, and downloads streamed from a source.  Facts:
 * ../shared/reference/fastboot-protocol.md §1-§3.
 */
#ifndef HWF_FASTBOOT_H
#define HWF_FASTBOOT_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"
#include "protocol/transport.h"

#define HWF_FB_CMD_MAX 64	/* the smallest bootloaders (LK, U-Boot) read 64 bytes */
#define HWF_FB_RESP_MAX 256
#define HWF_FB_TIMEOUT_MS 30000 /* per reply unless told otherwise (AOSP's RESP_TIMEOUT) */

/* INFO (@text) or TEXT (@is_text) from the device, as it arrives. */
typedef void (*hwf_fb_info_fn)(void *ctx, const char *text, int is_text);
/*
 * The conversation as text, for -v: @dir '>' for what was sent (a command,
 * or one line for a download's data), '<' for each reply as it came
 * (OKAY/FAIL/INFO/TEXT/DATA and anything else, escaped by hwf_printable).
 */
typedef void (*hwf_fb_trace_fn)(void *ctx, char dir, const char *text);

struct hwf_fb {
	struct hwf_transport *t;
	hwf_fb_info_fn info;
	void *ictx;
	int timeout_ms;		/* per reply; reset by every INFO/TEXT */
	hwf_fb_trace_fn trace;	/* NULL unless hwf_fb_set_trace() */
	void *tctx;
	/*
	 * Set by the first error that leaves the conversation out of step (a
	 * timeout, a lost connection, a reply that is not fastboot, a download
	 * cut short): a late reply could otherwise be taken as the answer to the
	 * next command, so every later command fails at once with @lost_msg.
	 * A FAIL reply is a clean answer and does not set it.
	 */
	int lost;
	char lost_msg[HWF_ERR_MSG_MAX];
};

void hwf_fb_init(struct hwf_fb *fb, struct hwf_transport *t, hwf_fb_info_fn info, void *ictx);
/*
 * The device came back on a new connection @t (after a reboot): the
 * conversation starts afresh.  @t NULL: there is none; every command fails
 * with @why (as a lost conversation does).
 */
void hwf_fb_set_transport(struct hwf_fb *fb, struct hwf_transport *t, const char *why);
/* Report every command and reply to @fn (see hwf_fb_trace_fn); NULL turns it off. */
void hwf_fb_set_trace(struct hwf_fb *fb, hwf_fb_trace_fn fn, void *ctx);

/*
 * The first @max bytes of @buf (@len bytes from a peer) as text for a
 * message: printable ASCII as is, anything else (and a backslash) as \xNN,
 * "..." when cut.  Returns @out (@outlen >= 4 * @max + 4 holds any input).
 */
const char *hwf_printable(const void *buf, size_t len, size_t max, char *out, size_t outlen);

/*
 * Send @cmd and wait for OKAY; @resp (may be NULL) gets OKAY's payload.
 * FAIL gives HWF_EDEVICE with "device refused: <text>".  Once the
 * conversation is lost (see struct hwf_fb), nothing more is sent: the
 * earlier error again, prefixed with @cmd.
 */
int hwf_fb_command(struct hwf_fb *fb, const char *cmd, char *resp, size_t resplen,
		   struct hwf_err *e);

/* getvar:@name.  An empty value is returned as "". */
int hwf_fb_getvar(struct hwf_fb *fb, const char *name, char *value, size_t len,
		  struct hwf_err *e);

/*
 * max-download-size: hex with 0x, decimal otherwise.  *size = 0 when the
 * device does not say (empty OKAY or FAIL).
 */
int hwf_fb_max_download(struct hwf_fb *fb, uint64_t *size, struct hwf_err *e);

/* Parse a getvar number: "0x1000" hex, "4096" decimal; -1 when not a number. */
int hwf_fb_parse_num(const char *s, uint64_t *out);
/*
 * Parse a size getvar as AOSP's fb_fix_numeric_var reads partition-size and
 * max-fetch-size: hex, with or without "0x" (fastbootd says "4000000"),
 * spaces around it ignored; -1 when not a number.
 */
int hwf_fb_parse_hex(const char *s, uint64_t *out);

/*
 * download:%08x of [@off, @off + @len) of @src, in bounded chunks, then
 * wait for OKAY.  @len must fit in 32 bits.
 */
int hwf_fb_download(struct hwf_fb *fb, struct hwf_source *src, uint64_t off, uint64_t len,
		    hwf_progress_fn progress, void *pctx, struct hwf_err *e);

/* Where the bytes of a data phase from the device go, in order: 0 or a negative code. */
typedef int (*hwf_fb_sink_fn)(void *ctx, const void *buf, size_t len, struct hwf_err *e);

/*
 * @cmd with a data phase from the device (fetch:NAME:OFFSET:SIZE, upload):
 * the device answers DATA%08x, which must be @want bytes; those bytes go
 * to @sink as they come; then OKAY.  HWF_EPROTO when the device offers
 * another size or no data; a sink's error stops the conversation (the rest
 * of the data would be taken for replies).  @want HWF_FB_UPLOAD_ANY: as
 * many bytes as the device offers (upload), none when it answers OKAY.
 */
#define HWF_FB_UPLOAD_ANY UINT64_MAX
int hwf_fb_upload(struct hwf_fb *fb, const char *cmd, uint64_t want, hwf_fb_sink_fn sink,
		  void *sctx, hwf_progress_fn progress, void *pctx, struct hwf_err *e);

#endif
