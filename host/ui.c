// SPDX-License-Identifier: MIT
#include "host/ui.h"

#include "formats/core/text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

double ui_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ui_init(struct hwf_ui *ui, int json, int verbose)
{
	const char *force = getenv("HWFLASH_PROGRESS");

	memset(ui, 0, sizeof(*ui));
	ui->json = json;
	ui->verbose = verbose;
	ui->out = stdout;
	ui->err = stderr;
	ui->progress = isatty(STDERR_FILENO);
	if (force)
		ui->progress = atoi(force) != 0;
}

static void clear_bar(struct hwf_ui *ui)
{
	if (ui->bar_shown) {
		fputs("\r\033[K", ui->err);
		ui->bar_shown = 0;
	}
}

void ui_info(struct hwf_ui *ui, const char *fmt, ...)
{
	va_list ap;

	if (ui->json)
		return;
	clear_bar(ui);
	va_start(ap, fmt);
	vfprintf(ui->out, fmt, ap);
	va_end(ap);
	fflush(ui->out);
}

void ui_debug(struct hwf_ui *ui, const char *fmt, ...)
{
	va_list ap;

	if (!ui->verbose)
		return;
	clear_bar(ui);
	va_start(ap, fmt);
	vfprintf(ui->err, fmt, ap);
	va_end(ap);
}

void ui_warn(struct hwf_ui *ui, const char *fmt, ...)
{
	va_list ap;

	clear_bar(ui);
	fputs("warning: ", ui->err);
	va_start(ap, fmt);
	vfprintf(ui->err, fmt, ap);
	va_end(ap);
	fputc('\n', ui->err);
}

void ui_error(struct hwf_ui *ui, const char *fmt, ...)
{
	char line[sizeof(ui->error)];
	va_list ap;

	clear_bar(ui);
	fflush(ui->out);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(ui->err, "hwflash: %s\n", line);
	if (!ui->error[0])
		memcpy(ui->error, line, sizeof(line));
}

void ui_json_failure(struct hwf_ui *ui, const char *command, int rc)
{
	if (!ui->json || ui->docs || ui->started)
		return;
	json_begin_object(ui);
	json_kv_str(ui, "command", command ? command : "");
	json_kv_bool(ui, "ok", 0);
	json_key(ui, "exit");
	json_int(ui, rc);
	json_kv_str(ui, "error", ui->error[0] ? ui->error : "failed");
	json_end_object(ui);
	json_done(ui);
}

void ui_size(uint64_t n, char *buf, size_t len)
{
	hwf_size_text(n, buf, len);
}

void ui_progress_begin(struct hwf_ui *ui, const char *label)
{
	snprintf(ui->label, sizeof(ui->label), "%s", label);
	ui->start = ui_now();
	ui->last_draw = 0;
}

void ui_progress_update(struct hwf_ui *ui, uint64_t done, uint64_t total)
{
	double now, el, rate, pct;
	char d[32], r[32], eta[32];
	int width = 30, fill;

	if (!ui->progress)
		return;
	now = ui_now();
	if (done < total && now - ui->last_draw < 0.1)
		return;
	ui->last_draw = now;
	el = now - ui->start;
	rate = el > 0 ? (double)done / el : 0;
	pct = total ? 100.0 * (double)done / (double)total : 100.0;
	fill = total ? (int)((double)width * (double)done / (double)total) : width;
	if (fill > width)
		fill = width;
	ui_size(done, d, sizeof(d));
	ui_size((uint64_t)rate, r, sizeof(r));
	if (rate > 0 && total > done)
		snprintf(eta, sizeof(eta), "ETA %.0fs", (double)(total - done) / rate);
	else
		snprintf(eta, sizeof(eta), "%.1fs", el);
	fprintf(ui->err, "\r\033[K%-16.16s [%.*s%*s] %5.1f%% %s %s/s %s", ui->label, fill,
		"##############################", width - fill, "", pct, d, r, eta);
	fflush(ui->err);
	ui->bar_shown = 1;
}

void ui_progress_end(struct hwf_ui *ui)
{
	clear_bar(ui);
}

void ui_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	ui_progress_update(ctx, done, total);
}

/* --- JSON --- */

static void json_sep(struct hwf_ui *ui)
{
	if (ui->after_key) {
		ui->after_key = 0;
		return;
	}
	if (ui->depth > 0 && ui->need_comma[ui->depth])
		fputc(',', ui->out);
	if (ui->depth > 0)
		ui->need_comma[ui->depth] = 1;
}

static void json_open(struct hwf_ui *ui, char c)
{
	ui->started = 1;
	json_sep(ui);
	fputc(c, ui->out);
	if (ui->depth + 1 < UI_JSON_DEPTH)
		ui->depth++;
	ui->need_comma[ui->depth] = 0;
}

static void json_close(struct hwf_ui *ui, char c)
{
	fputc(c, ui->out);
	if (ui->depth > 0)
		ui->depth--;
}

void json_begin_object(struct hwf_ui *ui)
{
	json_open(ui, '{');
}

void json_end_object(struct hwf_ui *ui)
{
	json_close(ui, '}');
}

void json_begin_array(struct hwf_ui *ui)
{
	json_open(ui, '[');
}

void json_end_array(struct hwf_ui *ui)
{
	json_close(ui, ']');
}

static void json_quoted(struct hwf_ui *ui, const char *s, size_t n)
{
	fputc('"', ui->out);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': fputs("\\\"", ui->out); break;
		case '\\': fputs("\\\\", ui->out); break;
		case '\n': fputs("\\n", ui->out); break;
		case '\r': fputs("\\r", ui->out); break;
		case '\t': fputs("\\t", ui->out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(ui->out, "\\u%04x", c);
			else
				fputc(c, ui->out);
		}
	}
	fputc('"', ui->out);
}

void json_key(struct hwf_ui *ui, const char *key)
{
	json_sep(ui);
	json_quoted(ui, key, strlen(key));
	fputc(':', ui->out);
	ui->after_key = 1;
}

void json_strn(struct hwf_ui *ui, const char *s, size_t n)
{
	json_sep(ui);
	json_quoted(ui, s, n);
}

void json_str(struct hwf_ui *ui, const char *s)
{
	if (!s) {
		json_null(ui);
		return;
	}
	json_strn(ui, s, strlen(s));
}

void json_uint(struct hwf_ui *ui, uint64_t v)
{
	json_sep(ui);
	fprintf(ui->out, "%llu", (unsigned long long)v);
}

void json_int(struct hwf_ui *ui, int64_t v)
{
	json_sep(ui);
	fprintf(ui->out, "%lld", (long long)v);
}

void json_double(struct hwf_ui *ui, double v)
{
	json_sep(ui);
	fprintf(ui->out, "%.3f", v);
}

void json_bool(struct hwf_ui *ui, int v)
{
	json_sep(ui);
	fputs(v ? "true" : "false", ui->out);
}

void json_null(struct hwf_ui *ui)
{
	json_sep(ui);
	fputs("null", ui->out);
}

void json_raw(struct hwf_ui *ui, const char *s, size_t n)
{
	json_sep(ui);
	fwrite(s, 1, n, ui->out);
}

void json_kv_str(struct hwf_ui *ui, const char *key, const char *s)
{
	json_key(ui, key);
	json_str(ui, s);
}

void json_kv_uint(struct hwf_ui *ui, const char *key, uint64_t v)
{
	json_key(ui, key);
	json_uint(ui, v);
}

void json_kv_bool(struct hwf_ui *ui, const char *key, int v)
{
	json_key(ui, key);
	json_bool(ui, v);
}

void json_done(struct hwf_ui *ui)
{
	ui->docs++;
	ui->started = 0;
	fputc('\n', ui->out);
	fflush(ui->out);
}

/* --- asking on the terminal --- */

int ui_ask(struct hwf_ui *ui, const char *prompt, char *answer, size_t len)
{
	FILE *tty;

	if (len)
		answer[0] = '\0';
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return -1;
	clear_bar(ui);
	fputs(prompt, ui->err);
	fflush(ui->err);
	tty = fopen("/dev/tty", "re");
	if (tty && len && fgets(answer, (int)len, tty))
		answer[strcspn(answer, "\r\n")] = '\0';
	if (tty)
		fclose(tty);
	return 0;
}

/* --- Help text, plain lines, the several-devices block --- */

void ui_help(struct hwf_ui *ui, int to_stderr, const char *fmt, ...)
{
	FILE *f = to_stderr ? ui->err : ui->out;
	va_list ap;

	clear_bar(ui);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

void ui_plain(struct hwf_ui *ui, const char *fmt, ...)
{
	va_list ap;

	clear_bar(ui);
	va_start(ap, fmt);
	vfprintf(ui->err, fmt, ap);
	va_end(ap);
	fflush(ui->err);
}

static int term_cols(FILE *f)
{
	struct winsize ws;

	if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

void ui_block_erase(struct hwf_ui *ui)
{
	if (ui->block_lines)
		fprintf(ui->err, "\033[%dA\r\033[J", ui->block_lines);
	ui->block_lines = 0;
	fflush(ui->err);
}

void ui_block_draw(struct hwf_ui *ui, const char *const *lines, int n)
{
	int cols = term_cols(ui->err);

	ui_block_erase(ui);
	for (int i = 0; i < n; i++)
		fprintf(ui->err, "%.*s\n", cols - 1, lines[i]);
	ui->block_lines = n;
	fflush(ui->err);
}

/* --- lines for a person (not with --json) and AOSP-style steps --- */

void ui_note(struct hwf_ui *ui, const char *fmt, ...)
{
	va_list ap;

	if (ui->json)
		return;
	clear_bar(ui);
	va_start(ap, fmt);
	vfprintf(ui->err, fmt, ap);
	va_end(ap);
	fputc('\n', ui->err);
}

void ui_text(struct hwf_ui *ui, const char *text)
{
	clear_bar(ui);
	fputs(text, ui->err);
}

void ui_step_start(struct hwf_ui *ui, const char *label)
{
	if (ui->json || ui->verbose)
		return;
	clear_bar(ui);
	fprintf(ui->err, "%-50s ", label);
}

void ui_step_end(struct hwf_ui *ui, const char *label, int after_start, int ok, double seconds)
{
	if (ui->json)
		return;
	clear_bar(ui);
	if (after_start && !ui->verbose)
		fprintf(ui->err, "%s [%7.3fs]\n", ok ? "OKAY" : "FAILED", seconds);
	else
		fprintf(ui->err, "%-50s %s [%7.3fs]\n", label, ok ? "OKAY" : "FAILED", seconds);
}
