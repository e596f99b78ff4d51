// SPDX-License-Identifier: MIT
#include "tests/unit/flashfix.h"

#include <CUnit/CUnit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"
#include "formats/image/sparse.h"
#include "tests/sim/simtransport.h"
#include "tests/unit/testutil.h"

#define MAX_BUFS 16

/* Buffers behind memory sources, freed by fx_done. */
struct bufs {
	uint8_t *b[MAX_BUFS];
	int n;
};

static struct bufs *bufs_of(struct fx *x)
{
	return x->bufs;
}

static void add(struct fx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct fx *x, const char *fmt, ...)
{
	char line[2048];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (x->nevents + n + 2 > x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 4096;
		char *p;

		while (cap < x->nevents + n + 2)
			cap *= 2;
		p = realloc(x->events, cap);
		if (!p)
			return;
		x->events = p;
		x->cap = cap;
	}
	memcpy(x->events + x->nevents, line, n);
	x->nevents += n;
	x->events[x->nevents++] = '\n';
	x->events[x->nevents] = '\0';
}

static void on_step(void *ctx, const struct hwf_flash_step *s)
{
	struct fx *x = ctx;

	if (!s->done) {
		add(x, "start %s", s->label);
		return;
	}
	x->steps++;
	if (s->ok)
		add(x, "OKAY %s", s->label);
	else
		add(x, "FAILED %s: %s", s->label, s->error ? s->error : "(no error)");
}

static void on_message(void *ctx, enum hwf_flash_msg kind, const char *text)
{
	static const char *const names[] = { "detail", "note", "warn", "error" };
	struct fx *x = ctx;

	x->errors += kind == HWF_FLASH_ERROR;
	x->warnings += kind == HWF_FLASH_WARN;
	add(x, "%s: %s", names[kind], text);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct fx *x = ctx;

	x->progress_calls++;
	x->progress_done = done;
	x->progress_total = total;
}

static void on_info(void *ctx, const char *text, int is_text)
{
	add(ctx, "%s: %s", is_text ? "text" : "info", text);
}

/*
 * The engine follows a reboot: the model is back on a new connection
 * (fbdev_reconnect), unless it says it never comes back or comes back later
 * than the engine waits.  No time passes.
 */
static int on_reconnect(void *ctx, struct hwf_transport **t, int wait_ms, struct hwf_err *e)
{
	struct fx *x = ctx;
	int delay = fbdev_reboot_delay_ms(x->d);

	CU_ASSERT_PTR_EQUAL(*t, x->t);
	x->reconnects++;
	x->reconnect_wait_ms = wait_ms;
	add(x, "reconnect (waiting up to %d ms)", wait_ms);
	hwf_transport_close(*t);
	*t = x->t = NULL;
	if (delay < 0 || delay > wait_ms)
		return hwf_err_set(e, HWF_ETIMEOUT, "sim:dev did not come back within %d ms",
				   wait_ms);
	fbdev_reconnect(x->d);
	if (simt_open(&x->t, x->d, "dev", e))
		return HWF_ENOMEM;
	*t = x->t;
	return 0;
}

void fx_init(struct fx *x)
{
	memset(x, 0, sizeof(*x));
	x->dir = tu_mkdtemp();
	x->bufs = calloc(1, sizeof(struct bufs));
	CU_ASSERT_PTR_NOT_NULL_FATAL(x->bufs);
	fbdev_opts_init(&x->dev);
	x->dev.store = x->dir;
	x->dev.product = "hwsim";
	x->cb = (struct hwf_flash_cb){ x, on_step, on_message, on_progress, on_info, NULL,
				       on_reconnect, NULL };
	CU_ASSERT_PTR_NOT_NULL_FATAL(x->dir);
}

void fx_part(struct fx *x, const char *name, uint64_t size)
{
	CU_ASSERT_FATAL(x->dev.nparts < FBDEV_MAX_PARTS);
	snprintf(x->dev.parts[x->dev.nparts].name, sizeof(x->dev.parts[0].name), "%s", name);
	x->dev.parts[x->dev.nparts++].size = size;
}

int fx_start(struct fx *x)
{
	struct hwf_err e = { 0 };

	x->d = fbdev_new(&x->dev);
	if (!x->d || simt_open(&x->t, x->d, "dev", &e))
		return -1;
	return hwf_flash_new(&x->f, x->t, &x->opts, &x->cb, &e);
}

void fx_clear(struct fx *x)
{
	x->nevents = 0;
	if (x->events)
		x->events[0] = '\0';
	x->errors = x->warnings = x->steps = 0;
	x->progress_calls = 0;
	x->progress_done = x->progress_total = 0;
}

void fx_done(struct fx *x)
{
	struct bufs *b = bufs_of(x);

	hwf_flash_free(x->f);
	hwf_transport_close(x->t);
	fbdev_free(x->d);
	for (int i = 0; b && i < b->n; i++)
		free(b->b[i]);
	free(x->bufs);
	tu_rmtree(x->dir);
	free(x->dir);
	free(x->events);
	memset(x, 0, sizeof(*x));
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

char *fx_commands(const struct fx *x)
{
	char *p = tu_path(x->dir, "commands.log");
	size_t len = 0;
	char *s = slurp(p, &len);

	free(p);
	return s ? s : strdup("");
}

char *fx_writes(const struct fx *x)
{
	char *all = fx_commands(x), *out = calloc(1, strlen(all) + 2), *save = NULL;

	for (char *l = strtok_r(all, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, "getvar:", 7)) {
			strcat(out, l);
			strcat(out, " ");
		}
	free(all);
	return out;
}

int fx_count(const struct fx *x, const char *prefix)
{
	char *all = fx_commands(x), *save = NULL;
	int n = 0;

	for (char *l = strtok_r(all, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		n += !strncmp(l, prefix, strlen(prefix));
	free(all);
	return n;
}

uint8_t *fx_stored(const struct fx *x, const char *name, size_t *len)
{
	char *p = tu_path(x->dir, name);
	uint8_t *b = (uint8_t *)slurp(p, len);

	free(p);
	return b;
}

struct hwf_source *fx_mem(struct fx *x, const char *name, const void *data, size_t n)
{
	struct bufs *b = bufs_of(x);
	struct hwf_source *src = NULL;
	struct hwf_err e = { 0 };
	uint8_t *copy;

	CU_ASSERT_FATAL(b->n < MAX_BUFS);
	copy = malloc(n ? n : 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	if (n)
		memcpy(copy, data, n);
	b->b[b->n++] = copy;
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, copy, n, name, &e), 0);
	return src;
}

struct hwf_source *fx_noise(struct fx *x, const char *name, size_t n, uint64_t seed)
{
	uint8_t *buf = malloc(n ? n : 1);
	struct hwf_source *src;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	tu_random(buf, n, seed);
	src = fx_mem(x, name, buf, n);
	free(buf);
	return src;
}

int fx_saw(const struct fx *x, const char *text)
{
	if (x->events && strstr(x->events, text))
		return 1;
	fprintf(stderr, "\n    no event with '%s' among:\n%s", text,
		x->events ? x->events : "(none)\n");
	return 0;
}

struct hwf_source *fx_sparse(struct fx *x, const char *name, const struct fx_chunk *c, size_t n,
			     uint64_t *raw)
{
	size_t len = 28, p = 28;
	uint32_t blocks = 0;
	struct hwf_source *src;
	uint8_t *b;

	for (size_t i = 0; i < n; i++)
		len += 12 + (c[i].type == HWF_SPARSE_RAW    ? (size_t)c[i].blocks * 4096
			     : c[i].type == HWF_SPARSE_FILL ? 4
							    : 0);
	b = calloc(1, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (size_t i = 0; i < n; i++) {
		size_t data = c[i].type == HWF_SPARSE_RAW    ? (size_t)c[i].blocks * 4096
			      : c[i].type == HWF_SPARSE_FILL ? 4
							     : 0;

		put_le16(b + p, c[i].type);
		put_le32(b + p + 4, c[i].blocks);
		put_le32(b + p + 8, (uint32_t)(12 + data));
		if (c[i].type == HWF_SPARSE_RAW)
			tu_random(b + p + 12, data, c[i].arg);
		else if (c[i].type == HWF_SPARSE_FILL)
			put_le32(b + p + 12, c[i].arg);
		p += 12 + data;
		blocks += c[i].blocks;
	}
	put_le32(b, HWF_SPARSE_MAGIC);
	put_le16(b + 4, 1);
	put_le16(b + 8, 28);
	put_le16(b + 10, 12);
	put_le32(b + 12, 4096);
	put_le32(b + 16, blocks);
	put_le32(b + 20, (uint32_t)n);
	*raw = (uint64_t)blocks * 4096;
	src = fx_mem(x, name, b, len);
	free(b);
	return src;
}

uint64_t fx_downloaded(const struct fx *x)
{
	char *all = fx_commands(x), *save = NULL;
	uint64_t sum = 0;

	for (char *l = strtok_r(all, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, "download:", 9))
			sum += strtoull(l + 9, NULL, 16);
	free(all);
	return sum;
}
