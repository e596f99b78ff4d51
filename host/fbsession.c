// SPDX-License-Identifier: MIT
/*
 * A fastboot session: the transport factory and the flash engine, with
 * callbacks that turn the engine's steps and messages into AOSP-style
 * lines (ui.c) and the --json result document.
 */
#include "host/fbsession.h"

#include <stdlib.h>
#include <string.h>

#define COLLECT_MAX (4u << 20) /* getvar all --json: INFO text kept, at most */

/* getvar all --json: keep the INFO lines, "\n"-separated. */
static void collect(struct fb_session *s, const char *text)
{
	size_t n = strlen(text);

	if (s->ncollect + n + 2 > s->collect_cap && s->collect_cap < COLLECT_MAX) {
		size_t cap = s->collect_cap ? s->collect_cap : 4096;
		char *p;

		while (cap < s->ncollect + n + 2 && cap < COLLECT_MAX)
			cap *= 2;
		p = realloc(s->collect, cap);
		if (!p)
			return;
		s->collect = p;
		s->collect_cap = cap;
	}
	if (s->ncollect + n + 2 > s->collect_cap)
		return;
	memcpy(s->collect + s->ncollect, text, n);
	s->ncollect += n;
	s->collect[s->ncollect++] = '\n';
	s->collect[s->ncollect] = '\0';
}

static void on_info(void *ctx, const char *text, int is_text)
{
	struct fb_session *s = ctx;

	if (s->collecting && !is_text)
		collect(s, text);
	if (is_text)
		ui_text(&s->cli->ui, text);
	else
		ui_note(&s->cli->ui, "(bootloader) %s", text);
}

/* -v: the conversation on stderr, "> getvar:product", "< OKAY hwsim". */
static void on_trace(void *ctx, char dir, const char *text)
{
	static const char *const kinds[] = { "OKAY", "FAIL", "INFO", "TEXT", "DATA" };
	struct fb_session *s = ctx;

	if (dir == '<')
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strncmp(text, kinds[i], 4)) {
				ui_debug(&s->cli->ui, "< %.4s%s%s\n", text, text[4] ? " " : "",
					 text + 4);
				return;
			}
	ui_debug(&s->cli->ui, "%c %s\n", dir, text);
}

/* The engine's messages, for a session or (@ctx a cli) for the gate alone. */
static void say(struct hwf_ui *ui, enum hwf_flash_msg kind, const char *text)
{
	switch (kind) {
	case HWF_FLASH_DETAIL: ui_debug(ui, "%s\n", text); break;
	case HWF_FLASH_NOTE: ui_note(ui, "%s", text); break;
	case HWF_FLASH_WARN: ui_warn(ui, "%s", text); break;
	case HWF_FLASH_ERROR: ui_error(ui, "%s", text); break;
	}
}

static void on_message(void *ctx, enum hwf_flash_msg kind, const char *text)
{
	say(&((struct fb_session *)ctx)->cli->ui, kind, text);
}

static void on_cli_message(void *ctx, enum hwf_flash_msg kind, const char *text)
{
	say(&((struct hwf_cli *)ctx)->ui, kind, text);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	ui_progress_update(&((struct fb_session *)ctx)->cli->ui, done, total);
}

/* Record a step for --json (and its error, the first one). */
static void log_step(struct fb_session *s, const struct hwf_flash_step *st)
{
	if (s->nsteps < FBS_MAX_STEPS) {
		struct fbs_step_log *l = &s->steps[s->nsteps++];

		snprintf(l->label, sizeof(l->label), "%s", st->label);
		l->ok = st->ok;
		l->seconds = st->seconds;
		l->bytes = st->kind != HWF_FLASH_STEP_COMMAND ? st->bytes : 0;
	}
	if (st->error && !s->error[0])
		snprintf(s->error, sizeof(s->error), "%s", st->error);
}

/* "Sending 'x' (16384 KB)  OKAY [ 0.4s]" style steps on stderr, as AOSP prints them. */
static void on_step(void *ctx, const struct hwf_flash_step *st)
{
	struct fb_session *s = ctx;
	struct hwf_ui *ui = &s->cli->ui;

	if (!st->done) {
		s->step_started = st->kind == HWF_FLASH_STEP_COMMAND;
		if (s->step_started)
			ui_step_start(ui, st->label);
		else
			ui_progress_begin(ui, st->what);
		return;
	}
	if (st->kind != HWF_FLASH_STEP_COMMAND)
		ui_progress_end(ui);
	ui_step_end(ui, st->label, s->step_started, st->ok, st->seconds);
	s->step_started = 0;
	log_step(s, st);
}

/* --verify: each partition's read-back, for the summary and --json. */
static void on_readback(void *ctx, const struct hwf_flash_readback *r)
{
	struct fb_session *s = ctx;

	s->rb_count[r->result]++;
	if (s->nrb < FBS_MAX_READBACKS) {
		struct fbs_readback *k = &s->rb[s->nrb++];

		snprintf(k->part, sizeof(k->part), "%s", r->part);
		k->result = r->result;
		k->compared = r->compared;
		k->first = r->first;
		k->ndiff = r->ndiff;
	}
}

/*
 * The read-back as one word: "differs" when any partition differs, else
 * "unsupported" when any could not be read back (a technician who asked
 * for --verify learns that it did not happen; the exit status stays 0),
 * else "identical"; NULL when nothing was read back.
 */
static const char *readback_word(const struct fb_session *s)
{
	if (s->rb_count[HWF_FLASH_RB_DIFFERS])
		return "differs";
	if (s->rb_count[HWF_FLASH_RB_UNSUPPORTED])
		return "unsupported";
	return s->rb_count[HWF_FLASH_RB_IDENTICAL] ? "identical" : NULL;
}

static const char *const rb_names[] = { "identical", "differs", "unsupported" };

static void readback_summary(struct fb_session *s)
{
	const char *w = readback_word(s);
	int n = s->rb_count[0] + s->rb_count[1] + s->rb_count[2];

	if (!w)
		return;
	for (int i = 0; !strcmp(w, "differs") && i < s->nrb; i++)
		if (s->rb[i].result == HWF_FLASH_RB_DIFFERS) {
			ui_note(&s->cli->ui, "read back: differs at offset 0x%llx of '%s'",
				(unsigned long long)s->rb[i].first, s->rb[i].part);
			return;
		}
	if (!strcmp(w, "unsupported"))
		ui_warn(&s->cli->ui,
			"read back: not supported by the device (fetch:) for %d of %d "
			"partition%s: written, not verified",
			s->rb_count[HWF_FLASH_RB_UNSUPPORTED], n, n == 1 ? "" : "s");
	else
		ui_note(&s->cli->ui, "read back: identical (%d partition%s)", n, n == 1 ? "" : "s");
}

void fbs_readback_json(struct fb_session *s)
{
	struct hwf_ui *ui = &s->cli->ui;
	const char *w = readback_word(s);

	if (!s->cli->verify)
		return;
	json_key(ui, "read_back");
	if (w)
		json_str(ui, w);
	else
		json_null(ui);
	json_key(ui, "read_back_partitions");
	json_begin_array(ui);
	for (int i = 0; i < s->nrb; i++) {
		json_begin_object(ui);
		json_kv_str(ui, "partition", s->rb[i].part);
		json_kv_str(ui, "result", rb_names[s->rb[i].result]);
		json_kv_uint(ui, "bytes_compared", s->rb[i].compared);
		if (s->rb[i].result == HWF_FLASH_RB_DIFFERS) {
			json_kv_uint(ui, "first_difference", s->rb[i].first);
			json_kv_uint(ui, "bytes_differing", s->rb[i].ndiff);
		}
		json_end_object(ui);
	}
	json_end_array(ui);
}

static void on_waiting(void *ctx, const char *what)
{
	ui_note(&((struct hwf_cli *)ctx)->ui, "< waiting for %s >", what);
}

/*
 * The engine follows a reboot (into fastbootd and back): the same device
 * again through the transport factory.  *@t is s->t; the session owns the
 * old transport and the new one.
 */
static int on_reconnect(void *ctx, struct hwf_transport **t, int wait_ms, struct hwf_err *e)
{
	struct fb_session *s = ctx;
	struct hwf_transport_opts to = { wait_ms / 1000.0, 0, on_waiting, s->cli };
	int rc;

	if (*t != s->t)
		return hwf_err_set(e, HWF_EINVAL, "not this session's connection");
	rc = hwf_transport_reopen(&s->t, &to, e);
	*t = s->t;
	if (s->t)
		snprintf(s->device, sizeof(s->device), "%s", s->t->name);
	return rc;
}

int fbs_open(struct hwf_cli *cli, struct fb_session *s)
{
	struct hwf_transport_opts to = { cli->wait, 0, on_waiting, cli };
	struct hwf_flash_opts fo = { cli->force, cli->slot, cli->sparse_limit, cli->timeout_ms,
				     cli->verify };
	struct hwf_flash_cb cb = { s,	    on_step, on_message,   on_progress,
				   on_info, NULL,    on_reconnect, on_readback };
	const char *serial = cli->nserials ? cli->serials[0] : NULL;
	struct hwf_err e = { 0 };
	int rc;

	memset(s, 0, sizeof(*s));
	s->cli = cli;
	s->start = ui_now();
	s->command = cli->command ? cli->command : "wipe";
	if (cli->nserials > 1 || cli->all) {
		/* main.c runs several devices in parallel before a command starts. */
		ui_error(&cli->ui, "this command runs on one device at a time: give one -s");
		return HWF_EXIT_USAGE;
	}
	rc = hwf_transport_open(&s->t, serial, &to, &e);
	if (rc) {
		ui_error(&cli->ui, "%s", e.msg);
		/* Several devices and no -s: the user has to choose. */
		return rc == HWF_EINVAL && !serial ? HWF_EXIT_USAGE : HWF_EXIT_FAIL;
	}
	snprintf(s->device, sizeof(s->device), "%s", s->t->name);
	if (cli->verbose)
		cb.trace = on_trace;
	if (hwf_flash_new(&s->f, s->t, &fo, &cb, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		fbs_close(s);
		return HWF_EXIT_FAIL;
	}
	return 0;
}

void fbs_close(struct fb_session *s)
{
	hwf_flash_free(s->f);
	s->f = NULL;
	hwf_transport_close(s->t);
	s->t = NULL;
	free(s->collect);
	s->collect = NULL;
}

int fbs_exit(int rc)
{
	return !rc ? HWF_EXIT_OK : rc == HWF_EINVAL ? HWF_EXIT_USAGE : HWF_EXIT_FAIL;
}

static void json_result(struct fb_session *s, int rc)
{
	struct hwf_ui *ui = &s->cli->ui;

	json_begin_object(ui);
	json_kv_str(ui, "command", s->command);
	json_kv_str(ui, "device", s->device);
	json_kv_bool(ui, "ok", rc == 0);
	json_key(ui, "seconds");
	json_double(ui, ui_now() - s->start);
	json_key(ui, "steps");
	json_begin_array(ui);
	for (int i = 0; i < s->nsteps; i++) {
		json_begin_object(ui);
		json_kv_str(ui, "step", s->steps[i].label);
		json_kv_bool(ui, "ok", s->steps[i].ok);
		json_key(ui, "seconds");
		json_double(ui, s->steps[i].seconds);
		if (s->steps[i].bytes)
			json_kv_uint(ui, "bytes", s->steps[i].bytes);
		json_end_object(ui);
	}
	json_end_array(ui);
	if (s->json_more)
		s->json_more(s->json_more_ctx, ui);
	fbs_readback_json(s);
	json_key(ui, "error");
	if (rc)
		json_str(ui, s->error[0] ? s->error : ui->error[0] ? ui->error : "failed");
	else
		json_null(ui);
	json_end_object(ui);
	json_done(ui);
}

int fbs_settle(struct fb_session *s)
{
	const char *w = s->cli->aosp.set_active;

	if (s->settled)
		return 0;
	s->settled = 1;
	if (s->cli->wipe && !s->no_wipe && hwf_flash_wipe(s->f, NULL))
		return HWF_EXIT_FAIL;
	/* AOSP: after the commands and -w, before a reboot. */
	if (w && !s->no_wipe && !s->no_set_active)
		return fbs_exit(*w ? hwf_flash_set_active(s->f, w, NULL)
				   : hwf_flash_set_active_flashed(s->f, NULL));
	return 0;
}

int fbs_finish(struct fb_session *s, int rc)
{
	if (!rc)
		rc = fbs_settle(s);
	readback_summary(s);
	if (!rc)
		ui_note(&s->cli->ui, "Finished. Total time: %.3fs", ui_now() - s->start);
	if (s->cli->json && !s->json_own && s->command)
		json_result(s, rc);
	fbs_close(s);
	return rc;
}

int fbs_gate(struct hwf_cli *cli, struct hwf_source *src, const char *part, const char *file,
	     int *sign)
{
	struct hwf_flash_cb cb = { .ctx = cli, .message = on_cli_message };

	return hwf_flash_gate(src, part, file, cli->force, &cb, sign, NULL) ? HWF_EXIT_FAIL : 0;
}

void fbs_cli_cb(struct hwf_cli *cli, struct hwf_flash_cb *cb)
{
	memset(cb, 0, sizeof(*cb));
	cb->ctx = cli;
	cb->message = on_cli_message;
}

/* "hwflash -w" with no command: only the wipe. */
int cmd_wipe(struct hwf_cli *cli)
{
	struct fb_session s;
	int rc = fbs_open(cli, &s);

	return rc ? rc : fbs_finish(&s, 0);
}

void fbs_inflate_report(struct hwf_cli *cli, const struct hwf_zip_members *zm)
{
	size_t n = zm ? hwf_zip_members_count(zm) : 0;

	for (size_t i = 0; i < n; i++) {
		struct hwf_zip_member_stats st;

		hwf_zip_members_stats(zm, i, &st);
		if (!st.deflated)
			ui_debug(&cli->ui, "%s: stored, read in place\n", st.name);
		else
			ui_debug(&cli->ui,
				 "%s: inflated %llu time%s, %llu of %llu bytes in %.3fs, %llu "
				 "bytes kept in an unlinked file in %s\n",
				 st.name, (unsigned long long)st.passes, st.passes == 1 ? "" : "s",
				 (unsigned long long)st.inflated, (unsigned long long)st.size,
				 st.seconds, (unsigned long long)st.written,
				 hwf_zip_members_tmpdir(zm));
	}
}
