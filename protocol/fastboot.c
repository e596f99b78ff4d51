// SPDX-License-Identifier: MIT
#include "protocol/fastboot.h"

#include "formats/core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20)

void hwf_fb_init(struct hwf_fb *fb, struct hwf_transport *t, hwf_fb_info_fn info, void *ictx)
{
	fb->t = t;
	fb->info = info;
	fb->ictx = ictx;
	fb->timeout_ms = HWF_FB_TIMEOUT_MS;
	fb->lost = 0;
	fb->lost_msg[0] = '\0';
	fb->trace = NULL;
	fb->tctx = NULL;
}

void hwf_fb_set_transport(struct hwf_fb *fb, struct hwf_transport *t, const char *why)
{
	fb->t = t;
	fb->lost = t ? 0 : HWF_EDISCONNECTED;
	snprintf(fb->lost_msg, sizeof(fb->lost_msg), "%s", t ? "" : why ? why : "no device");
}

void hwf_fb_set_trace(struct hwf_fb *fb, hwf_fb_trace_fn fn, void *ctx)
{
	fb->trace = fn;
	fb->tctx = ctx;
}

/* Record @rc as the end of the conversation unless it is a clean FAIL; returns @rc. */
static int lose(struct hwf_fb *fb, int rc, const struct hwf_err *e)
{
	if (rc < 0 && rc != HWF_EDEVICE && !fb->lost) {
		fb->lost = rc;
		snprintf(fb->lost_msg, sizeof(fb->lost_msg), "%s", e && e->msg[0] ? e->msg
										: hwf_strerror(rc));
	}
	return rc;
}

/* Refuse to send @cmd on a lost conversation. */
static int check_lost(const struct hwf_fb *fb, const char *cmd, struct hwf_err *e)
{
	if (!fb->lost)
		return 0;
	return hwf_err_set(e, fb->lost, "%s: not sent, the device stopped answering earlier (%s)",
			   cmd, fb->lost_msg);
}

const char *hwf_printable(const void *buf, size_t len, size_t max, char *out, size_t outlen)
{
	const unsigned char *b = buf;
	size_t o = 0, i;

	if (!outlen)
		return out;
	for (i = 0; i < len && i < max && o + 5 < outlen; i++) {
		if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
			out[o++] = (char)b[i];
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", b[i]);
	}
	if (i < len && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* Read replies until OKAY/FAIL/DATA; INFO/TEXT go to the callback. */
static int response(struct hwf_fb *fb, const char *cmd, char *resp, size_t resplen,
		    uint32_t *data_size, struct hwf_err *e)
{
	/* A whole max-packet, so an over-long reply cannot overflow (§1.8). */
	char buf[1024 + 1], shown[4 * 1024 + 4];

	for (unsigned n = 0;; n++) {
		int64_t got = fb->t->ops->read(fb->t, buf, sizeof(buf) - 1, fb->timeout_ms, e);
		char *payload = buf + 4;

		if (got < 0) {
			if (e)
				hwf_err_prefix(e, "%s", cmd);
			return (int)got;
		}
		if (fb->trace)
			fb->trace(fb->tctx, '<', hwf_printable(buf, (size_t)got, sizeof(buf), shown,
							       sizeof(shown)));
		buf[got] = '\0';	/* the payload stops at the first NUL too */
		if (got < 4) {
			hwf_printable(buf, (size_t)got, 12, shown, sizeof(shown));
			return hwf_err_set(e, HWF_EPROTO,
					   "%s: the device answered something that is not fastboot: "
					   "'%s' (%lld bytes)",
					   cmd, shown, (long long)got);
		}
		if (got > HWF_FB_RESP_MAX)
			return hwf_err_set(e, HWF_EPROTO,
					   "%s: the device sent an over-long reply (%lld bytes)", cmd,
					   (long long)got);
		if (!memcmp(buf, "INFO", 4) || !memcmp(buf, "TEXT", 4)) {
			if (fb->info)
				fb->info(fb->ictx, payload, buf[0] == 'T');
			if (n > 1000000)
				return hwf_err_set(e, HWF_EPROTO, "%s: endless INFO stream", cmd);
			continue;
		}
		if (!memcmp(buf, "OKAY", 4)) {
			if (resp)
				snprintf(resp, resplen, "%s", payload);
			return 0;
		}
		if (!memcmp(buf, "FAIL", 4))
			return hwf_err_set(e, HWF_EDEVICE, "%s: device refused: %s", cmd, payload);
		if (!memcmp(buf, "DATA", 4) && data_size) {
			char *end;
			unsigned long v = strtoul(payload, &end, 16);

			if (end == payload || *end || v > UINT32_MAX)
				return hwf_err_set(e, HWF_EPROTO, "%s: bad DATA reply '%s'", cmd,
						   payload);
			*data_size = (uint32_t)v;
			return 1;
		}
		hwf_printable(buf, (size_t)got, 12, shown, sizeof(shown));
		return hwf_err_set(e, HWF_EPROTO,
				   "%s: the device answered something that is not fastboot: '%s'", cmd,
				   shown);
	}
}

static int send_cmd(struct hwf_fb *fb, const char *cmd, struct hwf_err *e)
{
	size_t len = strlen(cmd);
	int rc = check_lost(fb, cmd, e);

	if (rc)
		return rc;
	if (len > HWF_FB_CMD_MAX)
		return hwf_err_set(e, HWF_EINVAL, "command '%.20s...' is longer than %d bytes", cmd,
				   HWF_FB_CMD_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)cmd[i] < 0x20 || cmd[i] == 0x7f)
			return hwf_err_set(e, HWF_EINVAL, "command has a control character");
	if (fb->trace)
		fb->trace(fb->tctx, '>', cmd);
	rc = fb->t->ops->write(fb->t, cmd, len, fb->timeout_ms, e);
	/* Name the step, as reply errors do: "flash:system: ...: connection lost". */
	if (rc && e)
		hwf_err_prefix(e, "%s", cmd);
	return lose(fb, rc, e);
}

int hwf_fb_command(struct hwf_fb *fb, const char *cmd, char *resp, size_t resplen,
		   struct hwf_err *e)
{
	struct hwf_err local = { 0 };
	int rc;

	if (!e)
		e = &local;	/* the message is kept for fb->lost_msg */
	rc = send_cmd(fb, cmd, e);

	if (rc)
		return rc;
	rc = response(fb, cmd, resp, resplen, NULL, e);
	if (rc == 1)
		rc = hwf_err_set(e, HWF_EPROTO, "%s: unexpected DATA reply", cmd);
	return lose(fb, rc, e);
}

int hwf_fb_getvar(struct hwf_fb *fb, const char *name, char *value, size_t len,
		  struct hwf_err *e)
{
	char cmd[HWF_FB_CMD_MAX + 16];

	snprintf(cmd, sizeof(cmd), "getvar:%s", name);
	return hwf_fb_command(fb, cmd, value, len, e);
}

int hwf_fb_parse_num(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	while (*s == ' ')
		s++;
	if (!*s || *s == '-')
		return -1;
	v = strtoull(s, &end, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10);
	if (*end)
		return -1;
	*out = v;
	return 0;
}

int hwf_fb_parse_hex(const char *s, uint64_t *out)
{
	char buf[HWF_FB_RESP_MAX + 4], *end;
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	if (n > HWF_FB_RESP_MAX)
		return -1;
	snprintf(buf, sizeof(buf), "%s%.*s", strncmp(s, "0x", 2) && strncmp(s, "0X", 2) ? "0x" : "",
		 (int)n, s);
	if (!n || buf[2] == '-' || buf[2] == '+' || buf[2] == ' ')
		return -1;
	*out = strtoull(buf, &end, 16);
	return *end ? -1 : 0;
}

int hwf_fb_max_download(struct hwf_fb *fb, uint64_t *size, struct hwf_err *e)
{
	char v[HWF_FB_RESP_MAX];
	int rc = hwf_fb_getvar(fb, "max-download-size", v, sizeof(v), e);

	*size = 0;
	if (rc == HWF_EDEVICE)
		return 0;
	if (rc)
		return rc;
	if (!v[0])
		return 0;
	if (hwf_fb_parse_num(v, size))
		return hwf_err_set(e, HWF_EPROTO, "max-download-size '%s' is not a number", v);
	return 0;
}

int hwf_fb_download(struct hwf_fb *fb, struct hwf_source *src, uint64_t off, uint64_t len,
		    hwf_progress_fn progress, void *pctx, struct hwf_err *e)
{
	struct hwf_err local = { 0 };
	char cmd[32];
	uint32_t want = 0;
	uint8_t *buf;
	int rc;

	if (!e)
		e = &local;

	if (len > UINT32_MAX)
		return hwf_err_set(e, HWF_EINVAL, "download of %llu bytes does not fit download:%%08x",
				   (unsigned long long)len);
	snprintf(cmd, sizeof(cmd), "download:%08x", (unsigned)len);
	rc = send_cmd(fb, cmd, e);
	if (rc)
		return rc;
	rc = response(fb, cmd, NULL, 0, &want, e);
	if (rc < 0)
		return lose(fb, rc, e);
	if (rc != 1 || want != len)
		return lose(fb, hwf_err_set(e, HWF_EPROTO, "%s: the device asked for %u bytes", cmd,
					    want), e);
	buf = malloc(CHUNK);
	if (!buf)
		return lose(fb, hwf_err_set(e, HWF_ENOMEM, "out of memory"), e);
	if (fb->trace) {
		char line[64];

		/* One line for the data phase, not one per chunk. */
		snprintf(line, sizeof(line), "(%llu bytes of data)", (unsigned long long)len);
		fb->trace(fb->tctx, '>', line);
	}
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;

		rc = hwf_source_read_exact(src, buf, n, off + done, e);
		if (!rc)
			rc = fb->t->ops->write(fb->t, buf, n, fb->timeout_ms, e);
		if (rc) {
			char sent[32], all[32];

			snprintf(sent, sizeof(sent), "%.1f MiB", (double)done / 1048576.0);
			snprintf(all, sizeof(all), "%.1f MiB", (double)len / 1048576.0);
			hwf_err_prefix(e, "download stopped after %s of %s", sent, all);
			free(buf);
			return lose(fb, rc, e);
		}
		done += n;
		if (progress)
			progress(pctx, done, len);
	}
	free(buf);
	rc = response(fb, cmd, NULL, 0, NULL, e);
	if (rc == 1)
		rc = hwf_err_set(e, HWF_EPROTO, "%s: unexpected DATA reply", cmd);
	return lose(fb, rc, e);
}

int hwf_fb_upload(struct hwf_fb *fb, const char *cmd, uint64_t want, hwf_fb_sink_fn sink,
		  void *sctx, hwf_progress_fn progress, void *pctx, struct hwf_err *e)
{
	struct hwf_err local = { 0 };
	uint32_t offered = 0;
	uint64_t done = 0;
	uint8_t *buf;
	int rc, empty = 0;

	if (!e)
		e = &local;
	rc = send_cmd(fb, cmd, e);
	if (rc)
		return rc;
	rc = response(fb, cmd, NULL, 0, &offered, e);
	if (rc < 0)
		return lose(fb, rc, e);
	if (rc == 0)
		/* OKAY and no data: the conversation is in step, the data is missing. */
		return want && want != HWF_FB_UPLOAD_ANY
			   ? hwf_err_set(e, HWF_EPROTO, "%s: the device sent no data", cmd)
			   : 0;
	if (want == HWF_FB_UPLOAD_ANY)
		want = offered;
	if (offered != want)
		return lose(fb, hwf_err_set(e, HWF_EPROTO, "%s: the device offered %u bytes, not %llu",
					    cmd, offered, (unsigned long long)want),
			    e);
	buf = malloc(CHUNK);
	if (!buf)
		return lose(fb, hwf_err_set(e, HWF_ENOMEM, "out of memory"), e);
	if (fb->trace) {
		char line[64];

		snprintf(line, sizeof(line), "(%llu bytes of data)", (unsigned long long)want);
		fb->trace(fb->tctx, '<', line);
	}
	while (done < want) {
		int64_t n = fb->t->ops->read(fb->t, buf, CHUNK, fb->timeout_ms, e);

		if (n == 0 && ++empty < 16)
			continue; /* an empty packet carries nothing */
		if (n > 0 && (uint64_t)n > want - done)
			n = hwf_err_set(e, HWF_EPROTO, "the device sent more than the %llu bytes it "
						       "announced",
					(unsigned long long)want);
		else if (n == 0)
			n = hwf_err_set(e, HWF_EPROTO, "the device sent empty packets");
		if (n > 0)
			rc = sink(sctx, buf, (size_t)n, e);
		if (n < 0 || rc) {
			char got[32], all[32];

			hwf_size_text(done, got, sizeof(got));
			hwf_size_text(want, all, sizeof(all));
			hwf_err_prefix(e, "%s: stopped after %s of %s", cmd, got, all);
			free(buf);
			return lose(fb, n < 0 ? (int)n : rc, e);
		}
		done += (uint64_t)n;
		if (progress)
			progress(pctx, done, want);
	}
	free(buf);
	rc = response(fb, cmd, NULL, 0, NULL, e);
	if (rc == 1)
		rc = hwf_err_set(e, HWF_EPROTO, "%s: unexpected DATA reply", cmd);
	return lose(fb, rc, e);
}
