// SPDX-License-Identifier: MIT
/*
 * The fastboot client over a scripted transport: after a reply is lost
 * (timeout, disconnect, garbage, a download cut short) nothing more is
 * sent, so a late reply can never be taken for the answer to the next
 * command; a FAIL is a clean answer and the conversation goes on.
 */
#include <CUnit/CUnit.h>
#include <string.h>
#include <time.h>

#include "protocol/fastboot.h"

/* Replies in order; NULL = time out.  Writes are counted, never fail unless asked. */
struct script {
	struct hwf_transport base;
	const char *const *replies;
	size_t next, n;
	unsigned writes;
	int write_fails;
};

static int s_write(struct hwf_transport *bt, const void *buf, size_t len, int timeout_ms,
		   struct hwf_err *e)
{
	struct script *s = (struct script *)bt;

	(void)buf;
	(void)len;
	(void)timeout_ms;
	s->writes++;
	if (s->write_fails)
		return hwf_err_set(e, HWF_EDISCONNECTED, "%s: connection lost: Broken pipe",
				   s->base.name);
	return 0;
}

static int64_t s_read(struct hwf_transport *bt, void *buf, size_t len, int timeout_ms,
		      struct hwf_err *e)
{
	struct script *s = (struct script *)bt;
	const char *r;

	(void)timeout_ms;
	if (s->next >= s->n)
		return hwf_err_set(e, HWF_EDISCONNECTED, "%s: the device closed the connection",
				   s->base.name);
	r = s->replies[s->next++];
	if (!r)
		return hwf_err_set(e, HWF_ETIMEOUT, "%s: no answer for 1 s", s->base.name);
	if (strlen(r) > len)
		return HWF_EPROTO;
	memcpy(buf, r, strlen(r));
	return (int64_t)strlen(r);
}

static void s_close(struct hwf_transport *bt)
{
	(void)bt;
}

static const struct hwf_transport_ops script_ops = {
	.write = s_write,
	.read = s_read,
	.close = s_close,
};

static void init(struct script *s, struct hwf_fb *fb, const char *const *replies, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->base.ops = &script_ops;
	strcpy(s->base.name, "script");
	s->replies = replies;
	s->n = n;
	hwf_fb_init(fb, &s->base, NULL, NULL);
}

static void test_timeout_stops_the_conversation(void)
{
	/* The OKAY arrives late: it must not answer flash:system. */
	static const char *const r[] = { NULL, "OKAY" };
	struct script s;
	struct hwf_fb fb;
	struct hwf_err e = { 0 };
	char v[64];

	init(&s, &fb, r, 2);
	CU_ASSERT_EQUAL(hwf_fb_getvar(&fb, "partition-size:system", v, sizeof(v), NULL),
			HWF_ETIMEOUT);
	CU_ASSERT_EQUAL(hwf_fb_command(&fb, "flash:system", NULL, 0, &e), HWF_ETIMEOUT);
	CU_ASSERT_EQUAL(s.writes, 1);	/* flash:system never went out */
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "flash:system: not sent"));
	/* The first error is kept even though the caller passed no hwf_err. */
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "getvar:partition-size:system: script: no answer"));
}

static void test_fail_is_a_clean_answer(void)
{
	static const char *const r[] = { "FAILGetVar Variable Not found", "OKAY" };
	struct script s;
	struct hwf_fb fb;
	struct hwf_err e = { 0 };
	uint64_t max = 1;

	init(&s, &fb, r, 2);
	CU_ASSERT_EQUAL(hwf_fb_max_download(&fb, &max, &e), 0);
	CU_ASSERT_EQUAL(max, 0);
	CU_ASSERT_EQUAL(hwf_fb_command(&fb, "erase:cache", NULL, 0, &e), 0);
	CU_ASSERT_EQUAL(s.writes, 2);
}

static void test_garbage_and_cut_download_stop_it(void)
{
	static const char *const garbage[] = { "\x89PNG\r\n", "OKAY" };
	static const char *const cut[] = { "DATA00000010" };
	static const uint8_t data[16];
	struct hwf_source *src;
	struct script s;
	struct hwf_fb fb;
	struct hwf_err e = { 0 };

	init(&s, &fb, garbage, 2);
	CU_ASSERT_EQUAL(hwf_fb_command(&fb, "getvar:product", NULL, 0, &e), HWF_EPROTO);
	CU_ASSERT_EQUAL(hwf_fb_command(&fb, "reboot", NULL, 0, &e), HWF_EPROTO);
	CU_ASSERT_EQUAL(s.writes, 1);

	/* All data sent, then the device hangs up: flash: must not follow. */
	init(&s, &fb, cut, 1);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, data, sizeof(data), "d", &e), 0);
	CU_ASSERT_EQUAL(hwf_fb_download(&fb, src, 0, sizeof(data), NULL, NULL, &e),
			HWF_EDISCONNECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "download:00000010"));
	CU_ASSERT_EQUAL(hwf_fb_command(&fb, "flash:system", NULL, 0, &e), HWF_EDISCONNECTED);
	CU_ASSERT_EQUAL(s.writes, 2);	/* the command and the data, no flash: */
	hwf_source_close(src);
}

static void test_send_error_names_the_command(void)
{
	struct script s;
	struct hwf_fb fb;
	struct hwf_err e = { 0 };

	init(&s, &fb, NULL, 0);
	s.write_fails = 1;
	CU_ASSERT_EQUAL(hwf_fb_command(&fb, "flash:system", NULL, 0, &e), HWF_EDISCONNECTED);
	CU_ASSERT_STRING_EQUAL(e.msg, "flash:system: script: connection lost: Broken pipe");
}

/* -v's trace: what was sent and what came back, the data phase as one line. */
struct trace_log {
	char text[1024];
	unsigned lines;
};

static void on_trace(void *ctx, char dir, const char *text)
{
	struct trace_log *t = ctx;
	size_t n = strlen(t->text);

	snprintf(t->text + n, sizeof(t->text) - n, "%c%s|", dir, text);
	t->lines++;
}

static void test_trace_shows_commands_and_replies(void)
{
	static const char *const r[] = { "INFOworking", "OKAYhwsim", "DATA00300000", "OKAY",
					 "FAILno such partition" };
	static uint8_t data[3 << 20];
	struct trace_log t = { "", 0 };
	struct hwf_source *src;
	struct script s;
	struct hwf_fb fb;
	struct hwf_err e = { 0 };
	char v[64];

	init(&s, &fb, r, 5);
	hwf_fb_set_trace(&fb, on_trace, &t);
	CU_ASSERT_EQUAL(hwf_fb_getvar(&fb, "product", v, sizeof(v), &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, data, sizeof(data), "d", &e), 0);
	CU_ASSERT_EQUAL(hwf_fb_download(&fb, src, 0, sizeof(data), NULL, NULL, &e), 0);
	hwf_source_close(src);
	CU_ASSERT_EQUAL(hwf_fb_command(&fb, "erase:nope", NULL, 0, &e), HWF_EDEVICE);
	CU_ASSERT_STRING_EQUAL(t.text, ">getvar:product|<INFOworking|<OKAYhwsim|"
				       ">download:00300000|<DATA00300000|"
				       ">(3145728 bytes of data)|<OKAY|"
				       ">erase:nope|<FAILno such partition|");
	/* Three 1 MiB chunks went out, but the data phase is one line. */
	CU_ASSERT_EQUAL(t.lines, 9);
	CU_ASSERT_EQUAL(s.writes, 6);
}

static void test_garbage_is_named_not_fastboot(void)
{
	static const char *const longer[] = { "HTTP/1.1 400 Bad Request" };
	static const char *const shorter[] = { "ab" };
	struct script s;
	struct hwf_fb fb;
	struct hwf_err e = { 0 };

	init(&s, &fb, longer, 1);
	CU_ASSERT_EQUAL(hwf_fb_command(&fb, "getvar:product", NULL, 0, &e), HWF_EPROTO);
	CU_ASSERT_STRING_EQUAL(e.msg, "getvar:product: the device answered something that is not "
				      "fastboot: 'HTTP/1.1 400...'");
	init(&s, &fb, shorter, 1);
	CU_ASSERT_EQUAL(hwf_fb_command(&fb, "getvar:product", NULL, 0, &e), HWF_EPROTO);
	CU_ASSERT_STRING_EQUAL(e.msg, "getvar:product: the device answered something that is not "
				      "fastboot: 'ab' (2 bytes)");
}

static void test_printable(void)
{
	char out[64];

	CU_ASSERT_STRING_EQUAL(hwf_printable("OKAY", 4, 12, out, sizeof(out)), "OKAY");
	CU_ASSERT_STRING_EQUAL(hwf_printable("\x89PN\\G\n", 6, 12, out, sizeof(out)),
			       "\\x89PN\\x5cG\\x0a");
	CU_ASSERT_STRING_EQUAL(hwf_printable("abcdef", 6, 3, out, sizeof(out)), "abc...");
	CU_ASSERT_STRING_EQUAL(hwf_printable("\0\0", 2, 12, out, 8), "\\x00...");
}

static void test_tcp_address_check(void)
{
	static const char *const good[] = { "127.0.0.1", "127.0.0.1:5554", "host:1",
					    "host:65535", "[::1]:5554", "[::1]", "::1",
					    "fe80::1" };
	static const char *const bad[] = { "127.0.0.1:99999", "127.0.0.1:0", "host:",
					   "host:http", "host:-1", "host:5554x", ":5554", "",
					   "[::1", "[::1]x", "host:4294967297" };
	struct hwf_err e = { 0 };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT_EQUAL(hwf_tcp_check_address(good[i], &e), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(hwf_tcp_check_address(bad[i], &e), HWF_EINVAL);
	hwf_tcp_check_address("127.0.0.1:99999", &e);
	CU_ASSERT_STRING_EQUAL(e.msg, "tcp:127.0.0.1:99999: port must be 1-65535");
}

/* The transport factory: one reading of a device spec, and --wait's retry of a TCP address. */
static void test_transport_specs(void)
{
	struct hwf_transport_opts o = { .wait_s = 0.3 };
	struct hwf_transport *t = NULL;
	struct hwf_err e = { 0 };
	struct timespec t0, t1;

	CU_ASSERT_EQUAL(hwf_transport_kind(NULL), HWF_TRANSPORT_USB_ANY);
	CU_ASSERT_EQUAL(hwf_transport_kind(""), HWF_TRANSPORT_USB_ANY);
	CU_ASSERT_EQUAL(hwf_transport_kind("tcp:10.0.0.1:5554"), HWF_TRANSPORT_TCP);
	CU_ASSERT_EQUAL(hwf_transport_kind("usb:1-1.2"), HWF_TRANSPORT_USB_PATH);
	CU_ASSERT_EQUAL(hwf_transport_kind("FBSIM0001"), HWF_TRANSPORT_USB_SERIAL);
	CU_ASSERT_EQUAL(hwf_transport_kind("tcp"), HWF_TRANSPORT_USB_SERIAL);
	CU_ASSERT_EQUAL(hwf_transport_kind("TCP:x"), HWF_TRANSPORT_USB_SERIAL);
	CU_ASSERT_EQUAL(hwf_transport_check("tcp:host:0", &e), HWF_EINVAL);
	CU_ASSERT_STRING_EQUAL(e.msg, "tcp:host:0: port must be 1-65535");
	CU_ASSERT_EQUAL(hwf_transport_check("usb:anything", &e), 0);
	CU_ASSERT_EQUAL(hwf_transport_check("SERIAL:1", &e), 0);
	/* A bad address is refused before any connection, waiting or not. */
	CU_ASSERT_EQUAL(hwf_transport_open(&t, "tcp::5554", &o, &e), HWF_EINVAL);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_STRING_EQUAL(e.msg, "tcp::5554: no host name or address");
	/* Nothing listens on port 1: with a wait, tried again after half a second. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(hwf_transport_open(&t, "tcp:127.0.0.1:1", &o, &e), HWF_ENOTFOUND);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "tcp:127.0.0.1:1: cannot connect"));
	CU_ASSERT((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 >=
		  0.45);
}

void hwf_suite_fbclient(void)
{
	CU_pSuite s = CU_add_suite("fastboot client", NULL, NULL);

	CU_add_test(s, "a timeout stops the conversation: no command after it",
		    test_timeout_stops_the_conversation);
	CU_add_test(s, "a FAIL reply is a clean answer", test_fail_is_a_clean_answer);
	CU_add_test(s, "garbage and a cut download stop it too",
		    test_garbage_and_cut_download_stop_it);
	CU_add_test(s, "a failed send names the command", test_send_error_names_the_command);
	CU_add_test(s, "-v trace: every command and reply, one line for the data",
		    test_trace_shows_commands_and_replies);
	CU_add_test(s, "garbage is named as not fastboot, with its bytes",
		    test_garbage_is_named_not_fastboot);
	CU_add_test(s, "hwf_printable escapes and cuts", test_printable);
	CU_add_test(s, "tcp addresses: port 1-65535, a host", test_tcp_address_check);
	CU_add_test(s, "device specs: one reading, --wait retries TCP", test_transport_specs);
}
