// SPDX-License-Identifier: MIT
/*
 * Several devices at once (a factory line, a classroom): "-s A -s B ..."
 * or "--all" run the same command on every device in parallel.
 *
 * One child process per device, made before the command starts: each
 * child is an ordinary one-device hwflash with its own CLI state, ui and
 * libusb context, so nothing is shared and one device's failure cannot
 * stop another.  The parent reads each child's stdout and stderr through
 * pipes and shows every line with the device's name in front; on a
 * terminal it keeps one progress line per device at the bottom (the child
 * draws its usual progress bar into the pipe; the parent shows its last
 * state).  At the end: a summary table, and exit 1 if any device failed.
 * With --json the parent prints one document holding each child's own
 * JSON output.
 *
 * This file is that, whatever the platform (host/multi.h); how the
 * children are made and read is host/multi_fork.c's (fork, poll) or
 * win/multi_win.c's (CreateProcessW).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/multi.h"
#include "protocol/usb.h"

int multi_applies(const struct hwf_cli *cli, int argc, char **argv)
{
	if (cli->nserials < 2 && !cli->all)
		return 0;
	if (argc < 1)
		return cli->wipe;
	if (!strcmp(argv[0], "app"))
		return argc > 1 && !strcmp(argv[1], "flash");
	if (!strcmp(argv[0], "devices"))
		return 0;
	for (const struct hwf_command *c = hwf_fastboot_commands; c->name; c++)
		if (!strcmp(argv[0], c->name))
			return 1;
	return 0;
}

static int add_target(struct multi *m, const char *sel, const char *label)
{
	struct multi_target *t;

	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->t[i].sel, sel) || !strcmp(m->t[i].label, sel))
			return 0;
	t = realloc(m->t, (size_t)(m->n + 1) * sizeof(*t));
	if (!t)
		return -1;
	m->t = t;
	t = &m->t[m->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->sel, sizeof(t->sel), "%s", sel);
	snprintf(t->label, sizeof(t->label), "%s", label);
	return 0;
}

/* --all: every USB fastboot device (waiting for one with --wait), then the -s ones. */
static int collect(struct multi *m)
{
	struct hwf_cli *cli = m->cli;
	struct hwf_usb_device *d = NULL;
	struct hwf_err e = { 0 };
	size_t n = 0;
	int rc;

	if (cli->all) {
		rc = hwf_usb_list(&d, &n, &e);
		if (rc)
			return cli_fail(cli, NULL, rc, &e);
		if (!n && cli->wait > 0) {
			if (!cli->json)
				ui_plain(&cli->ui, "< waiting for any device >\n");
			if (!hwf_usb_wait(NULL, (int)(cli->wait * 1000), &e) &&
			    (rc = hwf_usb_list(&d, &n, &e)))
				return cli_fail(cli, NULL, rc, &e);
		}
		for (size_t i = 0; i < n; i++) {
			int dup = 0;

			for (size_t k = 0; k < n; k++)
				dup |= k != i && !strcmp(d[k].serial, d[i].serial);
			/* By port, so two devices with one serial stay two devices. */
			if (add_target(m, d[i].path,
				       d[i].serial[0] && !dup ? d[i].serial : d[i].path)) {
				free(d);
				return HWF_EXIT_FAIL;
			}
		}
		free(d);
		d = NULL;
		n = 0;
	}
	/*
	 * -s SERIAL: found once here, and each child gets the port path, so no
	 * child reads the strings of a device another child is flashing.
	 */
	for (int i = 0; i < cli->nserials && !d && !cli->all; i++)
		if (hwf_transport_kind(cli->serials[i]) == HWF_TRANSPORT_USB_SERIAL &&
		    hwf_usb_list(&d, &n, &e))
			n = 0;
	for (int i = 0; i < cli->nserials; i++) {
		const char *sel = cli->serials[i];
		size_t k = 0, hits = 0;

		for (size_t j = 0; j < n; j++)
			if (!strcmp(d[j].serial, sel) && !hits++)
				k = j;
		if (add_target(m, hits == 1 ? d[k].path : sel, sel)) {
			free(d);
			return HWF_EXIT_FAIL;
		}
	}
	free(d);
	if (!m->n) {
		ui_error(&cli->ui, "--all: no fastboot device on USB (are they connected, and in "
				   "fastboot mode?)");
		return HWF_EXIT_FAIL;
	}
	m->width = 6;	/* "DEVICE" */
	for (int i = 0; i < m->n; i++) {
		int w = (int)strlen(m->t[i].label);

		if (w > m->width)
			m->width = w < 40 ? w : 40;
	}
	return 0;
}

/* The per-device lines at the bottom of the terminal, through ui.c. */
static void block_draw(struct multi *m)
{
	char (*line)[MULTI_LINE_MAX + 200];
	const char **lines;

	if (!m->progress)
		return;
	line = calloc((size_t)m->n, sizeof(*line));
	lines = calloc((size_t)m->n, sizeof(*lines));
	for (int i = 0; line && lines && i < m->n; i++) {
		struct multi_target *t = &m->t[i];
		const char *state = t->running ? t->status : t->rc ? "FAILED" : "OKAY";

		snprintf(line[i], sizeof(line[i]), "%-*s  %s", m->width, t->label, state);
		lines[i] = line[i];
	}
	if (line && lines)
		ui_block_draw(&m->cli->ui, lines, m->n);
	free(line);
	free(lines);
	m->last_draw = ui_now();
}

/* The text a terminal would show: after the last \r, without escape sequences. */
static void visible(const char *in, size_t n, char *out, size_t outlen)
{
	const char *p = in;
	size_t o = 0;

	for (size_t i = 0; i < n; i++)
		if (in[i] == '\r')
			p = in + i + 1;
	for (; p < in + n && o + 1 < outlen; p++) {
		if (*p == '\033') {
			/* CSI: ESC [ parameters final-letter */
			if (p + 1 < in + n && p[1] == '[')
				for (p += 2; p < in + n && !(*p >= '@' && *p <= '~'); p++)
					;
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

/*
 * One line of a child's output, with the device's name in front: its
 * stdout through ui_info (in --json mode the parent never gets here with
 * stdout: multi_take() keeps that for the document), its stderr through ui_plain.
 */
static void emit(struct multi *m, struct multi_target *t, int stream, const char *text)
{
	if (!text[0])
		return;
	if (stream && !strncmp(text, "hwflash: ", 9))
		snprintf(t->error, sizeof(t->error), "%s", text + 9);
	snprintf(t->status, sizeof(t->status), "%s", text);
	if (m->progress)
		ui_block_erase(&m->cli->ui);
	if (stream)
		ui_plain(&m->cli->ui, "[%s] %s\n", t->label, text);
	else
		ui_info(&m->cli->ui, "[%s] %s\n", t->label, text);
}

void multi_take(struct multi *m, struct multi_target *t, int stream, const char *buf, size_t n)
{
	char text[MULTI_LINE_MAX];

	if (stream == 0 && m->cli->json) {
		char *j = realloc(t->json, t->jlen + n + 1);

		if (j) {
			memcpy(j + t->jlen, buf, n);
			t->json = j;
			t->jlen += n;
			j[t->jlen] = '\0';
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\r')
			t->plen[stream] = 0;	/* a progress bar redraws over what was there */
		if (c == '\n' || t->plen[stream] + 1 >= sizeof(t->part[stream])) {
			visible(t->part[stream], t->plen[stream], text, sizeof(text));
			emit(m, t, stream, text);
			t->plen[stream] = 0;
			if (c == '\n')
				continue;
		}
		t->part[stream][t->plen[stream]++] = c;
	}
	/* A progress bar redraws with \r and no newline: show its state. */
	if (t->plen[stream] && memchr(t->part[stream], '\r', t->plen[stream])) {
		visible(t->part[stream], t->plen[stream], text, sizeof(text));
		if (text[0])
			snprintf(t->status, sizeof(t->status), "%s", text);
	}
}

int multi_begin(struct multi *m, struct hwf_cli *cli)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->cli = cli;
	m->progress = cli->ui.progress && !cli->json;
	rc = collect(m);
	if (rc) {
		free(m->t);
		m->t = NULL;
		m->n = 0;
	}
	return rc;
}

void multi_started(struct multi *m, struct multi_target *t)
{
	(void)m;
	t->t0 = ui_now();
	t->running = 1;
	snprintf(t->status, sizeof(t->status), "started");
}

void multi_not_started(struct multi *m, struct multi_target *t)
{
	(void)m;
	t->t0 = t->t1 = ui_now();
	t->running = 0;
	t->rc = HWF_EXIT_FAIL;
}

void multi_finished(struct multi *m, struct multi_target *t, int rc)
{
	for (int s = 0; s < 2; s++)
		if (t->plen[s]) {
			char text[MULTI_LINE_MAX];

			visible(t->part[s], t->plen[s], text, sizeof(text));
			emit(m, t, s, text);
			t->plen[s] = 0;
		}
	t->rc = rc;
	t->t1 = ui_now();
	t->running = 0;
}

void multi_tick(struct multi *m)
{
	if (m->progress && ui_now() - m->last_draw >= 0.1)
		block_draw(m);
}

static void summary(struct multi *m)
{
	struct hwf_ui *ui = &m->cli->ui;
	int bad = 0;

	if (m->cli->json) {
		json_begin_object(ui);
		json_key(ui, "devices");
		json_begin_array(ui);
		for (int i = 0; i < m->n; i++) {
			struct multi_target *t = &m->t[i];
			size_t a = 0, b = t->jlen;

			json_begin_object(ui);
			json_kv_str(ui, "device", t->label);
			json_kv_str(ui, "selector", t->sel);
			json_kv_bool(ui, "ok", t->rc == 0);
			json_key(ui, "exit");
			json_int(ui, t->rc);
			json_key(ui, "seconds");
			json_double(ui, t->t1 - t->t0);
			json_kv_str(ui, "error", t->error[0] ? t->error : NULL);
			json_key(ui, "output");
			while (a < b && (t->json[a] == ' ' || t->json[a] == '\n'))
				a++;
			while (b > a && (t->json[b - 1] == ' ' || t->json[b - 1] == '\n'))
				b--;
			if (b > a && (t->json[a] == '{' || t->json[a] == '['))
				json_raw(ui, t->json + a, b - a);
			else
				json_null(ui);
			json_end_object(ui);
		}
		json_end_array(ui);
		json_end_object(ui);
		json_done(ui);
		return;
	}
	ui_block_erase(ui);
	ui_plain(ui, "\n%-*s  %-6s  %8s  %s\n", m->width, "DEVICE", "RESULT", "TIME", "MESSAGE");
	for (int i = 0; i < m->n; i++) {
		struct multi_target *t = &m->t[i];
		const char *res = t->rc == 0 ? "OKAY" : t->rc == HWF_EXIT_USAGE ? "USAGE" :
			t->rc > 128 ? "KILLED" : "FAILED";

		bad += t->rc != 0;
		ui_plain(ui, "%-*s  %-6s  %7.2fs  %s\n", m->width, t->label, res, t->t1 - t->t0,
			 t->rc ? t->error : "");
	}
	ui_plain(ui, "%d device%s: %d OKAY, %d FAILED\n", m->n, m->n == 1 ? "" : "s", m->n - bad,
		 bad);
}

int multi_end(struct multi *m)
{
	int bad = 0, usage = 0;

	summary(m);
	for (int i = 0; i < m->n; i++) {
		bad += m->t[i].rc != 0;
		usage += m->t[i].rc == HWF_EXIT_USAGE;
		free(m->t[i].json);
	}
	free(m->t);
	m->t = NULL;
	if (bad && usage == m->n)
		return HWF_EXIT_USAGE;
	return bad ? HWF_EXIT_FAIL : HWF_EXIT_OK;
}
