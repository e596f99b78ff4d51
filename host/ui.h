/* SPDX-License-Identifier: MIT */
/*
 * All terminal output goes through here: messages, the TTY-only progress
 * bar (stderr, rate-limited, hidden when stderr is not a terminal) and the
 * JSON writer used by --json.
 */
#ifndef HWF_UI_H
#define HWF_UI_H

#include <stdint.h>
#include <stdio.h>

#define UI_JSON_DEPTH 32

struct hwf_ui {
	int json;		/* --json: stdout carries one JSON document */
	int verbose;
	int progress;		/* draw progress bars (stderr is a TTY) */
	FILE *out;		/* stdout */
	FILE *err;		/* stderr */
	/* progress bar */
	char label[64];
	double start, last_draw;
	int bar_shown;
	/* JSON writer */
	int depth;
	int need_comma[UI_JSON_DEPTH];
	int after_key;
	int docs;		/* JSON documents finished (json_done) */
	int started;		/* a JSON document was begun */
	/* The first ui_error() text: main's --json failure document carries it. */
	char error[512];
	/* ui_block_draw(): lines of the block on the screen now */
	int block_lines;
};

void ui_init(struct hwf_ui *ui, int json, int verbose);

/* Normal output (stdout); suppressed in --json mode. */
void ui_info(struct hwf_ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Only with -v. */
void ui_debug(struct hwf_ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "warning: ..." on stderr. */
void ui_warn(struct hwf_ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "hwflash: ..." on stderr: the one line a failure prints (the first is kept in ui->error). */
void ui_error(struct hwf_ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * --json and the command failed without finishing a document of its own:
 * print {"command": @command, "ok": false, "exit": @rc, "error": ui->error}
 * so that stdout is one JSON document on failure too.
 */
void ui_json_failure(struct hwf_ui *ui, const char *command, int rc);

/* Progress: begin with a label, update (rate-limited), end (clears the line). */
void ui_progress_begin(struct hwf_ui *ui, const char *label);
void ui_progress_update(struct hwf_ui *ui, uint64_t done, uint64_t total);
void ui_progress_end(struct hwf_ui *ui);
/* An hwf_progress_fn for the lower layers; @ctx is the struct hwf_ui. */
void ui_progress_cb(void *ctx, uint64_t done, uint64_t total);

double ui_now(void);
/* "16384 KB"-style and "1.2 GiB"-style sizes. */
void ui_size(uint64_t n, char *buf, size_t len);

/* --- JSON (stdout) --- */
void json_begin_object(struct hwf_ui *ui);
void json_end_object(struct hwf_ui *ui);
void json_begin_array(struct hwf_ui *ui);
void json_end_array(struct hwf_ui *ui);
void json_key(struct hwf_ui *ui, const char *key);
void json_str(struct hwf_ui *ui, const char *s);
void json_strn(struct hwf_ui *ui, const char *s, size_t n);
void json_uint(struct hwf_ui *ui, uint64_t v);
void json_int(struct hwf_ui *ui, int64_t v);
void json_double(struct hwf_ui *ui, double v);
void json_bool(struct hwf_ui *ui, int v);
void json_null(struct hwf_ui *ui);
/* @n bytes that already are one JSON value (another hwflash's --json output). */
void json_raw(struct hwf_ui *ui, const char *s, size_t n);
/* key + value shorthands */
void json_kv_str(struct hwf_ui *ui, const char *key, const char *s);
void json_kv_uint(struct hwf_ui *ui, const char *key, uint64_t v);
void json_kv_bool(struct hwf_ui *ui, const char *key, int v);
/* End the document: newline and flush. */
void json_done(struct hwf_ui *ui);

/* --- asking on the terminal --- */
/*
 * Ask on the terminal: @prompt on stderr, one line read from /dev/tty into
 * @answer (line end removed; "" at end of input).  Returns -1, asking
 * nothing, when stdin or stderr is not a terminal; else 0.
 */
int ui_ask(struct hwf_ui *ui, const char *prompt, char *answer, size_t len);

/* --- Help text, plain lines, the several-devices block (host/main.c, cli.c, multi.c) --- */
/*
 * Help, usage and version text, printed with --json too: on stdout when
 * the user asked for it (--help, help, --version), on stderr (@to_stderr)
 * after a mistake.  The caller ends its lines.
 */
void ui_help(struct hwf_ui *ui, int to_stderr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Text on stderr as it is, printed with --json too: no prefix, the caller
 * ends its lines (another process's lines passed through, a summary table).
 */
void ui_plain(struct hwf_ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A block of status lines at the bottom of a terminal (one per device, see
 * host/multi.c) on stderr: each draw replaces the block drawn before, lines
 * are cut to the terminal's width.  ui_block_erase() takes it away before
 * other output.
 */
void ui_block_draw(struct hwf_ui *ui, const char *const *lines, int n);
void ui_block_erase(struct hwf_ui *ui);

/* --- lines for a person (not with --json) and AOSP-style steps --- */
/* One line on stderr for a person ("Finished. Total time: 1.2s"); not with --json. */
void ui_note(struct hwf_ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A device's TEXT reply, as it came (stderr). */
void ui_text(struct hwf_ui *ui, const char *text);
/*
 * An AOSP-style step line on stderr, not with --json: "Writing 'boot'
 * OKAY [  0.010s]".  ui_step_start() prints the label half before the
 * device answers (not with -v, whose trace lines come in between);
 * ui_step_end() the rest, or the whole line when @after_start is 0.
 */
void ui_step_start(struct hwf_ui *ui, const char *label);
void ui_step_end(struct hwf_ui *ui, const char *label, int after_start, int ok, double seconds);

#endif
