// SPDX-License-Identifier: MIT
/*
 * win/multi_win.c: multi_run() of the Windows build (host/cli.h): several
 * devices at once without fork().  host/multi.c does the rest, as on Linux
 * (the lines with the device's name, progress lines, summary, --json); this
 * file starts the children and feeds it their output (host/multi_fork.c is
 * the Linux twin, which win/Makefile leaves out).
 *
 * Each child is hwflash.exe itself (GetModuleFileNameW) started with
 * CreateProcessW: "-s SEL" for its device, then the command line as given
 * without its device selections (cli->given: host/main.c blanks -s X,
 * -sX, --serial X, --serial=X and --all), each word quoted as
 * CommandLineToArgvW and the C runtime read it back (UTF-16, so any name
 * survives).  HWFLASH_MULTI_CHILD (host/multi.h) tells the child that it is
 * one: its progress bars as its parent would draw them, its output in
 * binary mode.  The child's stdout and stderr are anonymous pipes, each
 * read by a thread of its own; one lock serialises host/multi.c's calls.
 *
 * Ctrl-C goes to every process of the console: the children stop as a
 * one-device run does (their temporary files removed, host/cleanup.c); the
 * parent's console handler only notes it, and the parent waits for each
 * child, reads the pipes to the end and prints the summary (a child ended
 * by Ctrl-C counts as KILLED, exit code 130).
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win/src/compat_int.h"
#include "host/multi.h"

#ifndef STATUS_CONTROL_C_EXIT
#define STATUS_CONTROL_C_EXIT 0xC000013AL
#endif

struct winmulti;

struct reader {
	struct winmulti *w;
	int i, s;    /* target, stream (0 stdout, 1 stderr) */
	HANDLE pipe; /* read end */
	HANDLE thread;
};

struct child {
	HANDLE proc; /* NULL: not started or finished */
	struct reader r[2];
};

struct winmulti {
	struct multi m;
	struct child *c;
	CRITICAL_SECTION lock; /* around every call into host/multi.c once readers run */
	HANDLE wake;	       /* set by a reader at the end of its pipe */
};

/* The console's Ctrl-C handler has no argument to hand state through. */
static volatile LONG interrupted;

static BOOL WINAPI on_ctrl(DWORD ev)
{
	if (ev != CTRL_C_EVENT && ev != CTRL_BREAK_EVENT)
		return FALSE;
	InterlockedExchange(&interrupted, 1);
	return TRUE; /* the children got it too: wait for them */
}

static unsigned __stdcall read_pipe(void *arg)
{
	struct reader *r = arg;
	char buf[8192];
	DWORD got;

	/* ReadFile fails with ERROR_BROKEN_PIPE once every writer is gone. */
	while (ReadFile(r->pipe, buf, sizeof(buf), &got, NULL))
		if (got) {
			EnterCriticalSection(&r->w->lock);
			multi_take(&r->w->m, &r->w->m.t[r->i], r->s, buf, got);
			LeaveCriticalSection(&r->w->lock);
		}
	SetEvent(r->w->wake);
	return 0;
}

struct wbuf {
	wchar_t *p;
	size_t len, cap;
	int bad;
};

static void put(struct wbuf *b, const wchar_t *s, size_t n)
{
	if (b->bad)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		wchar_t *p = realloc(b->p, cap * sizeof(*p));

		if (!p) {
			b->bad = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	wmemcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = L'\0';
}

static void put_repeat(struct wbuf *b, wchar_t c, size_t n)
{
	while (n--)
		put(b, &c, 1);
}

/*
 * One argument as CommandLineToArgvW reads it back: quoted when empty or
 * holding a blank or a quote; inside quotes, backslashes are literal except
 * before a quote (doubled, and the quote escaped) and at the end (doubled).
 */
static void put_arg(struct wbuf *b, const wchar_t *a)
{
	size_t bs = 0;

	put(b, L" ", 1);
	if (*a && !wcspbrk(a, L" \t\n\v\"")) {
		put(b, a, wcslen(a));
		return;
	}
	put(b, L"\"", 1);
	for (; *a; a++) {
		if (*a == L'\\') {
			bs++;
			continue;
		}
		put_repeat(b, L'\\', *a == L'"' ? 2 * bs + 1 : bs);
		bs = 0;
		put(b, a, 1);
	}
	put_repeat(b, L'\\', 2 * bs);
	put(b, L"\"", 1);
}

static int put_utf8_arg(struct wbuf *b, const char *a)
{
	wchar_t *w = hwf_wide_text(a);

	if (!w)
		return -1;
	put_arg(b, w);
	free(w);
	return 0;
}

/* The child's command line (malloc'd), or NULL. */
static wchar_t *command_line(struct hwf_cli *cli, const wchar_t *exe, const char *sel)
{
	struct wbuf b = {0};

	/* argv[0] is read up to the closing quote, backslashes and all; paths hold no quote. */
	put(&b, L"\"", 1);
	put(&b, exe, wcslen(exe));
	put(&b, L"\"", 1);
	/* First, so that it stays before a "--". */
	put_arg(&b, L"-s");
	if (put_utf8_arg(&b, sel))
		b.bad = 1;
	for (int k = 1; k < cli->ngiven; k++)
		if (cli->given[k] && put_utf8_arg(&b, cli->given[k]))
			b.bad = 1;
	if (b.bad) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

static int spawn(struct winmulti *w, int i, const wchar_t *exe, HANDLE in)
{
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
	struct multi_target *t = &w->m.t[i];
	struct child *c = &w->c[i];
	HANDLE rd[2] = {NULL, NULL}, wr[2] = {NULL, NULL};
	STARTUPINFOW si;
	PROCESS_INFORMATION pi;
	wchar_t *cmd = NULL;
	DWORD err = 0;
	BOOL ok = FALSE;

	for (int s = 0; s < 2 && !err; s++)
		if (!CreatePipe(&rd[s], &wr[s], &sa, 65536) ||
		    !SetHandleInformation(rd[s], HANDLE_FLAG_INHERIT, 0))
			err = GetLastError();
	if (!err && !(cmd = command_line(w->m.cli, exe, t->sel)))
		err = ERROR_NOT_ENOUGH_MEMORY;
	if (!err) {
		memset(&si, 0, sizeof(si));
		si.cb = sizeof(si);
		si.dwFlags = STARTF_USESTDHANDLES;
		si.hStdInput = in;
		si.hStdOutput = wr[0];
		si.hStdError = wr[1];
		EnterCriticalSection(&w->lock);
		multi_started(&w->m, t);
		LeaveCriticalSection(&w->lock);
		/*
		 * One thread starts children, one at a time, and closes the
		 * write ends right after: no other child inherits them, so
		 * each pipe ends when its own child does.
		 */
		ok = CreateProcessW(exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi);
		if (!ok)
			err = GetLastError();
	}
	free(cmd);
	for (int s = 0; s < 2; s++)
		if (wr[s])
			CloseHandle(wr[s]);
	if (!ok) {
		for (int s = 0; s < 2; s++)
			if (rd[s])
				CloseHandle(rd[s]);
		EnterCriticalSection(&w->lock);
		ui_error(&w->m.cli->ui, "%s: cannot start: %s", t->label,
			 strerror(hwf_win_errno(err)));
		multi_not_started(&w->m, t);
		LeaveCriticalSection(&w->lock);
		return -1;
	}
	CloseHandle(pi.hThread);
	c->proc = pi.hProcess;
	for (int s = 0; s < 2; s++) {
		struct reader *r = &c->r[s];

		r->w = w;
		r->i = i;
		r->s = s;
		r->pipe = rd[s];
		r->thread = (HANDLE)_beginthreadex(NULL, 0, read_pipe, r, 0, NULL);
		if (!r->thread) {
			/* Nobody reads it: a child writing there would wait forever. */
			CloseHandle(r->pipe);
			r->pipe = NULL;
		}
	}
	return 0;
}

static int done_reading(struct child *c)
{
	for (int s = 0; s < 2; s++)
		if (c->r[s].thread && WaitForSingleObject(c->r[s].thread, 0) != WAIT_OBJECT_0)
			return 0;
	return 1;
}

/* Wait for every child and the ends of its pipes. */
static void pump(struct winmulti *w, int running)
{
	int told = 0;

	while (running) {
		WaitForSingleObject(w->wake, 100);
		EnterCriticalSection(&w->lock);
		if (interrupted && !told++)
			ui_plain(&w->m.cli->ui, "interrupted: waiting for each device's hwflash "
						"to stop\n");
		for (int i = 0; i < w->m.n; i++) {
			struct child *c = &w->c[i];
			DWORD code = 1;
			int rc;

			if (!c->proc || !done_reading(c) ||
			    WaitForSingleObject(c->proc, 0) != WAIT_OBJECT_0)
				continue;
			GetExitCodeProcess(c->proc, &code);
			rc = code > 255 ? 255 : (int)code; /* an NTSTATUS: a crash */
			if (code == (DWORD)STATUS_CONTROL_C_EXIT)
				rc = 128 + SIGINT;
			multi_finished(&w->m, &w->m.t[i], rc);
			CloseHandle(c->proc);
			c->proc = NULL;
			for (int s = 0; s < 2; s++) {
				if (c->r[s].thread)
					CloseHandle(c->r[s].thread);
				if (c->r[s].pipe)
					CloseHandle(c->r[s].pipe);
				c->r[s].thread = c->r[s].pipe = NULL;
			}
			running--;
		}
		multi_tick(&w->m);
		LeaveCriticalSection(&w->lock);
	}
}

int multi_run(struct hwf_cli *cli, int *is_child)
{
	const DWORD exe_max = 32768;
	wchar_t *exe = malloc(exe_max * sizeof(*exe));
	struct winmulti w;
	HANDLE in = NULL, h = GetStdHandle(STD_INPUT_HANDLE);
	DWORD n;
	int rc, running = 0;

	*is_child = 0;
	memset(&w, 0, sizeof(w));
	rc = multi_begin(&w.m, cli);
	if (rc)
		return rc;
	n = exe ? GetModuleFileNameW(NULL, exe, exe_max) : 0;
	w.c = calloc((size_t)w.m.n, sizeof(*w.c));
	w.wake = CreateEventW(NULL, FALSE, FALSE, NULL);
	if (!n || n >= exe_max || !w.c || !w.wake || !cli->given) {
		ui_error(&cli->ui, "cannot start a hwflash for each device: %s",
			 exe && (!n || n >= exe_max) ? "the program's own path is unknown"
						     : "out of memory");
		for (int i = 0; i < w.m.n; i++)
			multi_not_started(&w.m, &w.m.t[i]);
		free(w.c);
		free(exe);
		if (w.wake)
			CloseHandle(w.wake);
		return multi_end(&w.m);
	}
	InitializeCriticalSection(&w.lock);
	/* The children share stdin (questions), as forked ones do. */
	if (h && h != INVALID_HANDLE_VALUE &&
	    !DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &in, 0, TRUE,
			     DUPLICATE_SAME_ACCESS))
		in = NULL;
	SetEnvironmentVariableW(L"" MULTI_CHILD_ENV, w.m.progress ? L"1" : L"0");
	SetConsoleCtrlHandler(on_ctrl, TRUE);
	fflush(NULL);
	for (int i = 0; i < w.m.n; i++)
		running += !spawn(&w, i, exe, in);
	if (in)
		CloseHandle(in);
	pump(&w, running);
	SetConsoleCtrlHandler(on_ctrl, FALSE);
	SetEnvironmentVariableW(L"" MULTI_CHILD_ENV, NULL);
	DeleteCriticalSection(&w.lock);
	CloseHandle(w.wake);
	free(w.c);
	free(exe);
	return multi_end(&w.m);
}
