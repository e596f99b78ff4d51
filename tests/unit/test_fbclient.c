// SPDX-License-Identifier: MIT
/*
 * The fastboot client over a scripted transport: after a reply is lost
 * (timeout, disconnect, garbage, a download cut short) nothing more is
 * sent, so a late reply can never be taken for the answer to the next
 * command; a FAIL is a clean answer and the conversation goes on.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "fastboot.h"

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

static const struct hwf_transport_ops script_ops = { s_write, s_read, s_close };

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

void hwf_suite_fbclient(void)
{
	CU_pSuite s = CU_add_suite("fastboot client", NULL, NULL);

	CU_add_test(s, "a timeout stops the conversation: no command after it",
		    test_timeout_stops_the_conversation);
	CU_add_test(s, "a FAIL reply is a clean answer", test_fail_is_a_clean_answer);
	CU_add_test(s, "garbage and a cut download stop it too",
		    test_garbage_and_cut_download_stop_it);
	CU_add_test(s, "a failed send names the command", test_send_error_names_the_command);
}
