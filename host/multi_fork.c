// SPDX-License-Identifier: MIT
/*
 * Several devices at once with fork(): host/multi.c's children on POSIX.
 * Each child is this process forked before the command starts, its stdout
 * and stderr into two pipes, @cli narrowed to its one device; the parent
 * reads all pipes with poll() and hands what comes to host/multi.c.  The
 * Windows build has win/multi_win.c instead (win/Makefile leaves this
 * file out).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/multi.h"

struct child {
	pid_t pid;
	int fd[2]; /* read ends: the child's stdout, stderr; -1 at EOF */
};

/* The child: its output into the pipes, and the command for its device only. */
static void become_child(struct multi *m, struct child *c, int k, int out[2], int err[2])
{
	struct hwf_cli *cli = m->cli;

	for (int i = 0; i < k; i++) {
		close(c[i].fd[0]);
		close(c[i].fd[1]);
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

/* Read every pipe until all children are done. */
static void pump(struct multi *m, struct child *c)
{
	struct pollfd *p = calloc((size_t)m->n * 2, sizeof(*p));
	int running = 0;

	for (int i = 0; i < m->n; i++)
		running += c[i].pid > 0;
	while (p && running) {
		int np = 0;

		for (int i = 0; i < m->n; i++)
			for (int s = 0; s < 2; s++)
				if (c[i].fd[s] >= 0) {
					p[np].fd = c[i].fd[s];
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
					char buf[8192];
					ssize_t r;

					if (c[i].fd[s] != p[k].fd)
						continue;
					r = read(c[i].fd[s], buf, sizeof(buf));
					if (r > 0) {
						multi_take(m, &m->t[i], s, buf, (size_t)r);
					} else if (r == 0 || errno != EINTR) {
						close(c[i].fd[s]);
						c[i].fd[s] = -1;
					}
				}
		}
		for (int i = 0; i < m->n; i++) {
			int st;

			if (c[i].pid <= 0 || c[i].fd[0] >= 0 || c[i].fd[1] >= 0)
				continue;
			while (waitpid(c[i].pid, &st, 0) < 0 && errno == EINTR)
				;
			multi_finished(m, &m->t[i],
				       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
			c[i].pid = 0;
			running--;
		}
		multi_tick(m);
	}
	free(p);
}

int multi_run(struct hwf_cli *cli, int *is_child)
{
	struct multi m;
	struct child *c;
	int rc;

	*is_child = 0;
	rc = multi_begin(&m, cli);
	if (rc)
		return rc;
	c = calloc((size_t)m.n, sizeof(*c));
	if (!c) {
		ui_error(&cli->ui, "out of memory");
		for (int i = 0; i < m.n; i++)
			multi_not_started(&m, &m.t[i]);
		return multi_end(&m);
	}
	for (int i = 0; i < m.n; i++) {
		struct multi_target *t = &m.t[i];
		int out[2], err[2];

		c[i].fd[0] = c[i].fd[1] = -1;
		if (pipe(out) || pipe(err)) {
			ui_error(&cli->ui, "cannot make a pipe: %s", strerror(errno));
			multi_not_started(&m, t);
			continue;
		}
		fflush(NULL);
		multi_started(&m, t);
		c[i].pid = fork();
		if (c[i].pid == 0) {
			become_child(&m, c, i, out, err);
			free(c);
			free(m.t);
			*is_child = 1;
			return 0;
		}
		close(out[1]);
		close(err[1]);
		if (c[i].pid < 0) {
			ui_error(&cli->ui, "%s: cannot start: %s", t->label, strerror(errno));
			close(out[0]);
			close(err[0]);
			multi_not_started(&m, t);
			continue;
		}
		c[i].fd[0] = out[0];
		c[i].fd[1] = err[0];
	}
	pump(&m, c);
	free(c);
	return multi_end(&m);
}
