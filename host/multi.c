// SPDX-License-Identifier: MIT
/*
 * Several devices at once (a factory line, a classroom): "-s A -s B ..."
 * or "--all" run the same command on every device in parallel.
 *
 * One child process per device, made with fork() before the command
 * starts: each child is an ordinary one-device hwflash with its own CLI
 * state, ui and libusb context, so nothing is shared and one device's
 * failure cannot stop another.  The parent reads each child's stdout and
 * stderr through pipes and shows every line with the device's name in
 * front; on a terminal it keeps one progress line per device at the bottom
 * (the child draws its usual progress bar into the pipe; the parent shows
 * its last state).  At the end: a summary table, and exit 1 if any device
 * failed.  With --json the parent prints one document holding each
 * child's own JSON output.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/cli.h"
#include "protocol/usb.h"

#define LINE_MAX_LEN 2048

struct target {
	char sel[160];		/* what the child gets as -s */
	char label[160];	/* how it is shown */
	pid_t pid;
	int fd[2];		/* read ends: the child's stdout, stderr; -1 at EOF */
	char part[2][LINE_MAX_LEN];	/* a line not ended yet, per stream */
	size_t plen[2];
	char status[LINE_MAX_LEN];	/* progress bar or last line, for the terminal */
	char error[LINE_MAX_LEN];	/* the child's last "hwflash: ..." line */
	char *json;		/* --json: the child's stdout */
	size_t jlen;
	double t0, t1;
	int rc;
};

struct multi {
	struct hwf_cli *cli;
	struct target *t;
	int n;
	int progress;		/* a terminal: keep the per-device lines at the bottom */
	int width;		/* label column */
	double last_draw;
};

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
	struct target *t;

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
	t->fd[0] = t->fd[1] = -1;
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
	char (*line)[LINE_MAX_LEN + 200];
	const char **lines;

	if (!m->progress)
		return;
	line = calloc((size_t)m->n, sizeof(*line));
	lines = calloc((size_t)m->n, sizeof(*lines));
	for (int i = 0; line && lines && i < m->n; i++) {
		struct target *t = &m->t[i];
		const char *state = t->pid > 0 ? t->status : t->rc ? "FAILED" : "OKAY";

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
 * stdout: take() keeps that for the document), its stderr through ui_plain.
 */
static void emit(struct multi *m, struct target *t, int stream, const char *text)
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

static void take(struct multi *m, struct target *t, int stream, const char *buf, size_t n)
{
	char text[LINE_MAX_LEN];

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

/* The child: its output into the pipes, and the command for its device only. */
static void become_child(struct multi *m, int k, int out[2], int err[2])
{
	struct hwf_cli *cli = m->cli;

	for (int i = 0; i < k; i++) {
		close(m->t[i].fd[0]);
		close(m->t[i].fd[1]);
	}
	close(out[0]);
	close(err[0]);
	dup2(out[1], STDOUT_FILENO);
	dup2(err[1], STDERR_FILENO);
	close(out[1]);
	close(err[1]);
	snprintf(cli->own_serial, sizeof(cli->own_serial), "%s", m->t[k].sel);
	cli->serials[0] = cli->own_serial;
	cli->nserials = 1;
	cli->all = 0;
	cli->ui.progress = m->progress;
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
			struct target *t = &m->t[i];
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
		struct target *t = &m->t[i];
		const char *res = t->rc == 0 ? "OKAY" : t->rc == HWF_EXIT_USAGE ? "USAGE" :
			t->rc > 128 ? "KILLED" : "FAILED";

		bad += t->rc != 0;
		ui_plain(ui, "%-*s  %-6s  %7.2fs  %s\n", m->width, t->label, res, t->t1 - t->t0,
			 t->rc ? t->error : "");
	}
	ui_plain(ui, "%d device%s: %d OKAY, %d FAILED\n", m->n, m->n == 1 ? "" : "s", m->n - bad,
		 bad);
}

/* Read every pipe until all children are done. */
static void pump(struct multi *m)
{
	struct pollfd *p = calloc((size_t)m->n * 2, sizeof(*p));
	int running = m->n;

	while (p && running) {
		int np = 0;

		for (int i = 0; i < m->n; i++)
			for (int s = 0; s < 2; s++)
				if (m->t[i].fd[s] >= 0) {
					p[np].fd = m->t[i].fd[s];
					p[np].events = POLLIN;
					p[np++].revents = 0;
				}
		if (np && poll(p, (nfds_t)np, 100) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < np; k++) {
			if (!p[k].revents)
				continue;
			for (int i = 0; i < m->n; i++)
				for (int s = 0; s < 2; s++) {
					struct target *t = &m->t[i];
					char buf[8192];
					ssize_t r;

					if (t->fd[s] != p[k].fd)
						continue;
					r = read(t->fd[s], buf, sizeof(buf));
					if (r > 0) {
						take(m, t, s, buf, (size_t)r);
					} else if (r == 0 || errno != EINTR) {
						close(t->fd[s]);
						t->fd[s] = -1;
					}
				}
		}
		for (int i = 0; i < m->n; i++) {
			struct target *t = &m->t[i];
			int st;

			if (t->pid <= 0 || t->fd[0] >= 0 || t->fd[1] >= 0)
				continue;
			for (int s = 0; s < 2; s++)
				if (t->plen[s]) {
					char text[LINE_MAX_LEN];

					visible(t->part[s], t->plen[s], text, sizeof(text));
					emit(m, t, s, text);
					t->plen[s] = 0;
				}
			while (waitpid(t->pid, &st, 0) < 0 && errno == EINTR)
				;
			t->rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			t->t1 = ui_now();
			t->pid = 0;
			running--;
		}
		if (m->progress && ui_now() - m->last_draw >= 0.1)
			block_draw(m);
	}
	free(p);
}

int multi_run(struct hwf_cli *cli, int *is_child)
{
	struct multi m = { .cli = cli };
	int rc, bad = 0, usage = 0;

	*is_child = 0;
	m.progress = cli->ui.progress && !cli->json;
	rc = collect(&m);
	if (rc) {
		free(m.t);
		return rc;
	}
	for (int i = 0; i < m.n; i++) {
		struct target *t = &m.t[i];
		int out[2], err[2];

		if (pipe(out) || pipe(err)) {
			ui_error(&cli->ui, "cannot make a pipe: %s", strerror(errno));
			t->rc = HWF_EXIT_FAIL;
			continue;
		}
		fflush(NULL);
		t->t0 = ui_now();
		t->pid = fork();
		if (t->pid == 0) {
			become_child(&m, i, out, err);
			free(m.t);
			*is_child = 1;
			return 0;
		}
		close(out[1]);
		close(err[1]);
		if (t->pid < 0) {
			ui_error(&cli->ui, "%s: cannot start: %s", t->label, strerror(errno));
			close(out[0]);
			close(err[0]);
			t->rc = HWF_EXIT_FAIL;
			t->t1 = t->t0;
			continue;
		}
		t->fd[0] = out[0];
		t->fd[1] = err[0];
		snprintf(t->status, sizeof(t->status), "started");
	}
	pump(&m);
	summary(&m);
	for (int i = 0; i < m.n; i++) {
		bad += m.t[i].rc != 0;
		usage += m.t[i].rc == HWF_EXIT_USAGE;
		free(m.t[i].json);
	}
	free(m.t);
	if (bad && usage == m.n)
		return HWF_EXIT_USAGE;
	return bad ? HWF_EXIT_FAIL : HWF_EXIT_OK;
}
