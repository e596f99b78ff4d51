/* SPDX-License-Identifier: MIT */
/*
 * host/multi.h: several devices at once (-s A -s B ..., --all), the half
 * that is the same on every platform (host/multi.c): which devices, each
 * child's output taken apart into lines with the device's name in front,
 * one progress line per device on a terminal, the summary table, the --json
 * document and the exit code.  The other half starts one child per device
 * and feeds its output here: host/multi_fork.c (fork() and poll(), Linux)
 * and win/multi_win.c (CreateProcessW and pipes, Windows); each defines
 * multi_run() (host/cli.h).
 *
 * struct multi owns its targets (multi_end() frees them).  Nothing here is
 * thread-safe: a caller that reads pipes from several threads serialises
 * the calls.
 *
 * A child started anew (Windows) knows it is one from the environment
 * variable HWFLASH_MULTI_CHILD (MULTI_CHILD_ENV): "1" or "0", the progress
 * bar setting of its parent (host/main.c takes it over; win/src/wmain.c
 * puts the child's stdout and stderr in binary mode, so that its lines end
 * in "\n" alone as a forked child's do).
 */
#ifndef HWF_MULTI_H
#define HWF_MULTI_H

#include <stddef.h>

#include "host/cli.h"

#define MULTI_LINE_MAX	2048
#define MULTI_CHILD_ENV "HWFLASH_MULTI_CHILD"

struct multi_target {
	char sel[160];		      /* what the child gets as -s */
	char label[160];	      /* how it is shown */
	int running;		      /* started and not finished */
	char part[2][MULTI_LINE_MAX]; /* a line not ended yet, per stream */
	size_t plen[2];
	char status[MULTI_LINE_MAX]; /* progress bar or last line, for the terminal */
	char error[MULTI_LINE_MAX];  /* the child's last "hwflash: ..." line */
	char *json;		     /* --json: the child's stdout */
	size_t jlen;
	double t0, t1;
	int rc;
};

struct multi {
	struct hwf_cli *cli;
	struct multi_target *t;
	int n;
	int progress; /* a terminal: keep the per-device lines at the bottom */
	int width;    /* label column */
	double last_draw;
};

/*
 * The devices of @cli (-s, --all; USB serials found once and given as port
 * paths): 0, or the exit code after an error message (@m is then empty).
 */
int multi_begin(struct multi *m, struct hwf_cli *cli);
/* Target @t's child is running from now on. */
void multi_started(struct multi *m, struct multi_target *t);
/* Target @t's child could not start: @t fails with exit code 1. */
void multi_not_started(struct multi *m, struct multi_target *t);
/* @n bytes of the child's stdout (@stream 0) or stderr (1). */
void multi_take(struct multi *m, struct multi_target *t, int stream, const char *buf, size_t n);
/* The child ended with exit code @rc, both its streams read to the end. */
void multi_finished(struct multi *m, struct multi_target *t, int rc);
/* Redraw the per-device lines when a tenth of a second has passed. */
void multi_tick(struct multi *m);
/* The summary table or --json document; frees @m's targets; the exit code. */
int multi_end(struct multi *m);

#endif
