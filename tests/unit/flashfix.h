/* SPDX-License-Identifier: MIT */
/*
 * The flash engine's unit tests (test_flash*.c) drive it in process
 * against the device model (tests/sim/fbdev.h) through the simulated
 * transport: a fixture holds a scratch store, the model, the transport,
 * the engine, and what the engine reported, as text to search.
 */
#ifndef HWF_FLASHFIX_H
#define HWF_FLASHFIX_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/flash.h"
#include "tests/sim/fbdev.h"

struct bufs;

struct fx {
	char *dir;	       /* the device's store: NAME.img, commands.log */
	struct fbdev_opts dev; /* filled by fx_init, changed by the test, used by fx_start */
	struct hwf_flash_opts opts;
	struct fbdev *d;
	struct hwf_transport *t;
	struct hwf_flash *f;
	struct hwf_flash_cb cb;
	/*
	 * Everything reported, one line each: "start Writing 'boot_a'",
	 * "OKAY Writing 'boot_a'", "FAILED Sending 'x' (1 KB): why",
	 * "note: ...", "warn: ...", "error: ...", "detail: ...", "info: ...".
	 */
	char *events;
	size_t nevents, cap;
	unsigned errors, warnings, steps;
	uint64_t progress_done, progress_total;
	int progress_calls;
	int reconnects;	       /* how often the engine followed a reboot */
	int reconnect_wait_ms; /* how long it was ready to wait, the last time */
	struct bufs *bufs; /* behind the memory sources */
};

/* A store and default options: no partitions, no slots, 64 MiB downloads. */
void fx_init(struct fx *x);
/* Add partition @name of @size bytes to the device. */
void fx_part(struct fx *x, const char *name, uint64_t size);
/*
 * The model, the transport and the engine, from x->dev and x->opts.  0 on
 * success.  The engine's reconnect callback follows the model through a
 * reboot at once (a new simulated connection), or fails as a device that
 * never comes back when the model's reboot delay is -1 or longer than the
 * engine waits.
 */
int fx_start(struct fx *x);
/* Everything fx_start made and the store; events too. */
void fx_done(struct fx *x);
/* The events reported so far are forgotten (counters too). */
void fx_clear(struct fx *x);

/* The device's commands since the start, one per line; malloc'd ("" when none). */
char *fx_commands(const struct fx *x);
/* The commands, without getvar:, in one line: "download:00001000 flash:boot_a ". */
char *fx_writes(const struct fx *x);
/* How many lines of commands.log start with @prefix. */
int fx_count(const struct fx *x, const char *prefix);
/* A file in the store ("boot_a.img") read whole; malloc'd, *len set; NULL when missing. */
uint8_t *fx_stored(const struct fx *x, const char *name, size_t *len);
/* A copy of @data as a memory source named @name (close it; the copy is x-owned). */
struct hwf_source *fx_mem(struct fx *x, const char *name, const void *data, size_t n);
/* @n bytes of reproducible noise as a memory source named @name (the buffer is x-owned). */
struct hwf_source *fx_noise(struct fx *x, const char *name, size_t n, uint64_t seed);
/* One chunk of a sparse image made by fx_sparse (blocks of 4096 bytes). */
struct fx_chunk {
	uint16_t type; /* HWF_SPARSE_RAW (noise from @arg as seed), _FILL (@arg), _DONT_CARE */
	uint32_t blocks;
	uint32_t arg;
};
/* A sparse image of @n chunks as a memory source; *@raw gets its expanded size. */
struct hwf_source *fx_sparse(struct fx *x, const char *name, const struct fx_chunk *c, size_t n,
			     uint64_t *raw);
/* Every "download:%08x" size in the device's log, added up. */
uint64_t fx_downloaded(const struct fx *x);
/* 1 when @text is among the events. */
int fx_saw(const struct fx *x, const char *text);

#endif
