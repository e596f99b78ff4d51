// SPDX-License-Identifier: MIT
/*
 * UPDATE.APP verification: header CRCs, every block CRC, and the CRC entry.
 *
 * The data is cut into units of about 1 MiB (whole blocks, aligned to the
 * CRC entry's 32 KiB chunks) that worker threads take from a shared counter
 * and check with pread(), so both cores work and memory stays at one buffer
 * per thread.  Deflated zip members can only be read forwards: they are
 * checked by the calling thread alone, entry by entry.
 */
#include "formats/app/updateapp_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/core/crc16.h"

#define UNIT_BYTES (1u << 20)
#define MAX_THREADS 8
#define CRC_ENTRY_MAX (16u << 20)	/* covers 256 GiB of package */
#define NOT_COVERED UINT64_MAX

struct unit {
	uint32_t entry;
	uint32_t first_block;
	uint32_t nblocks;
};

struct vctx {
	struct hwf_app *app;
	struct hwf_app_check *res;
	struct unit *units;
	size_t nunits;
	atomic_size_t next;
	atomic_uint_fast64_t done;
	uint64_t total;
	uint8_t *crc_data;		/* the CRC entry's contents */
	uint64_t *crc_base;		/* per entry: index of its first 32 KiB chunk */
	int crc_inline;			/* 32 KiB chunks checked inside the units */
	const uint8_t *seq_table;	/* sequential mode: the current entry's table */
	pthread_mutex_t lock;
	unsigned running;
	pthread_cond_t cond;
};

static void record_bad(struct vctx *c, struct hwf_app_entry_check *r, uint32_t block)
{
	pthread_mutex_lock(&c->lock);
	if (r->nbad < HWF_APP_MAX_BAD) {
		size_t n = (size_t)r->nbad, i = n;

		while (i > 0 && r->bad[i - 1] > block) {
			r->bad[i] = r->bad[i - 1];
			i--;
		}
		r->bad[i] = block;
	} else if (block < r->bad[HWF_APP_MAX_BAD - 1]) {
		size_t i = HWF_APP_MAX_BAD - 1;

		while (i > 0 && r->bad[i - 1] > block) {
			r->bad[i] = r->bad[i - 1];
			i--;
		}
		r->bad[i] = block;
	}
	r->nbad++;
	pthread_mutex_unlock(&c->lock);
}

static void record_crc_entry_bad(struct vctx *c, struct hwf_app_entry_check *r, uint64_t chunk)
{
	pthread_mutex_lock(&c->lock);
	if (r->crc_entry_ok != 0 || chunk < r->crc_entry_bad_chunk)
		r->crc_entry_bad_chunk = chunk;
	r->crc_entry_ok = 0;
	pthread_mutex_unlock(&c->lock);
}

static void record_io(struct vctx *c, struct hwf_app_entry_check *r, const struct hwf_err *err)
{
	pthread_mutex_lock(&c->lock);
	if (!r->io_error) {
		r->io_error = 1;
		snprintf(r->msg, sizeof(r->msg), "%s", err->msg);
	}
	pthread_mutex_unlock(&c->lock);
}

static void run_unit(struct vctx *c, const struct unit *u, uint8_t *buf, uint8_t *tab)
{
	const struct hwf_app_entry *ent = &c->app->ent[u->entry];
	struct hwf_app_entry_check *r = &c->res->entries[u->entry];
	struct hwf_source *src = c->app->src;
	uint32_t bs = ent->block_size;
	uint64_t off = (uint64_t)u->first_block * bs;
	size_t len = (size_t)((uint64_t)u->nblocks * bs < ent->data_len - off
				      ? (uint64_t)u->nblocks * bs
				      : ent->data_len - off);
	const uint8_t *t;
	struct hwf_err err = { 0 };
	int rc;

	if (c->seq_table) {
		t = c->seq_table + 2ull * u->first_block;
	} else {
		rc = hwf_source_read_exact(src, tab, 2u * u->nblocks,
					   ent->header_off + HWF_APP_HDR_LEN + 2ull * u->first_block,
					   &err);
		if (rc) {
			record_io(c, r, &err);
			return;
		}
		t = tab;
	}
	rc = hwf_source_read_exact(src, buf, len, ent->data_off + off, &err);
	if (rc) {
		record_io(c, r, &err);
		return;
	}
	for (uint32_t k = 0; k < u->nblocks; k++) {
		size_t boff = (size_t)k * bs;
		size_t blen = len - boff < bs ? len - boff : bs;

		if (hwf_crc16(buf + boff, blen) != get_le16(t + 2 * k))
			record_bad(c, r, u->first_block + k);
	}
	if (c->crc_inline && c->crc_base[u->entry] != NOT_COVERED) {
		uint64_t chunk0 = off / HWF_APP_CRC_CHUNK;

		for (size_t p = 0; p < len; p += HWF_APP_CRC_CHUNK) {
			size_t clen = len - p < HWF_APP_CRC_CHUNK ? len - p : HWF_APP_CRC_CHUNK;
			uint64_t idx = c->crc_base[u->entry] + chunk0 + p / HWF_APP_CRC_CHUNK;

			if (hwf_crc16(buf + p, clen) != get_le16(c->crc_data + 2 * idx))
				record_crc_entry_bad(c, r, chunk0 + p / HWF_APP_CRC_CHUNK);
		}
	}
	atomic_fetch_add(&c->done, len);
}

struct worker {
	struct vctx *c;
	uint8_t *buf, *tab;
	pthread_t th;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct vctx *c = w->c;

	for (;;) {
		size_t i = atomic_fetch_add(&c->next, 1);

		if (i >= c->nunits)
			break;
		run_unit(c, &c->units[i], w->buf, w->tab);
	}
	pthread_mutex_lock(&c->lock);
	c->running--;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static unsigned blocks_per_unit(uint32_t bs)
{
	uint32_t n = UNIT_BYTES / bs;

	return n ? n : 1;
}

static int build_units(struct vctx *c, const unsigned char *select, struct hwf_err *e)
{
	struct hwf_app *app = c->app;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < app->count; i++) {
		const struct hwf_app_entry *ent = &app->ent[i];
		uint32_t per = blocks_per_unit(ent->block_size);

		if (select && !select[i])
			continue;
		c->total += ent->data_len;
		for (uint32_t b = 0; b < ent->nblocks; b += per) {
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				struct unit *nu = realloc(c->units, ncap * sizeof(*nu));

				if (!nu)
					return hwf_err_set(e, HWF_ENOMEM, "out of memory");
				c->units = nu;
				cap = ncap;
			}
			c->units[n].entry = (uint32_t)i;
			c->units[n].first_block = b;
			c->units[n].nblocks = ent->nblocks - b < per ? ent->nblocks - b : per;
			n++;
		}
	}
	c->nunits = n;
	return 0;
}

/* Set up the CRC entry check: contents, per-entry chunk index. */
static int setup_crc_entry(struct vctx *c, const unsigned char *select, struct hwf_err *e)
{
	struct hwf_app *app = c->app;
	struct hwf_app_check *res = c->res;
	const struct hwf_app_entry *crc = NULL;
	uint64_t chunks = 0;
	int inferred, rc;

	res->crc_entry_ok = -1;
	for (size_t i = 0; i < app->count && !crc; i++)
		if (app->ent[i].kind == HWF_APP_CRC)
			crc = &app->ent[i];
	c->crc_base = malloc(app->count * sizeof(*c->crc_base));
	if (!c->crc_base)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (size_t i = 0; i < app->count; i++)
		c->crc_base[i] = NOT_COVERED;
	if (!crc)
		return 0;
	res->has_crc_entry = 1;
	inferred = strcasecmp(crc->raw_name, "CRC") != 0;
	for (size_t i = 0; i < app->count; i++) {
		const struct hwf_app_entry *ent = &app->ent[i];

		if (ent->kind == HWF_APP_CRC || ent->kind == HWF_APP_SIGNATURE)
			continue;
		c->crc_base[i] = chunks;
		chunks += (ent->data_len + HWF_APP_CRC_CHUNK - 1) / HWF_APP_CRC_CHUNK;
	}
	if (crc->data_len != 2 * chunks || crc->data_len > CRC_ENTRY_MAX) {
		for (size_t i = 0; i < app->count; i++)
			c->crc_base[i] = NOT_COVERED;
		snprintf(res->crc_entry_msg, sizeof(res->crc_entry_msg),
			 "%s entry holds %llu checksums, the package's %llu 32 KiB chunks need "
			 "%llu%s",
			 crc->name, (unsigned long long)(crc->data_len / 2),
			 (unsigned long long)chunks, (unsigned long long)chunks,
			 inferred ? " (layout not recognised: not verified)" : "");
		if (!inferred)
			res->crc_entry_ok = 0;
		return 0;
	}
	c->crc_data = malloc(crc->data_len ? crc->data_len : 1);
	if (!c->crc_data)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_source_read_exact(app->src, c->crc_data, crc->data_len, crc->data_off, e);
	if (rc)
		return rc;
	res->crc_entry_ok = 1;
	for (size_t i = 0; i < app->count; i++) {
		if (c->crc_base[i] == NOT_COVERED)
			continue;
		if (select && !select[i]) {
			c->crc_base[i] = NOT_COVERED;
			continue;
		}
		res->entries[i].crc_entry_ok = 1;
		if (HWF_APP_CRC_CHUNK % app->ent[i].block_size != 0)
			c->crc_inline = 0;
	}
	return 0;
}

/* Fallback for block sizes that do not divide 32 KiB: a pass of its own. */
static void crc_entry_pass(struct vctx *c, uint8_t *buf, hwf_progress_fn progress, void *pctx)
{
	struct hwf_app *app = c->app;

	for (size_t i = 0; i < app->count; i++) {
		const struct hwf_app_entry *ent = &app->ent[i];
		struct hwf_app_entry_check *r = &c->res->entries[i];
		struct hwf_err err = { 0 };

		if (c->crc_base[i] == NOT_COVERED)
			continue;
		for (uint64_t off = 0, k = 0; off < ent->data_len;
		     off += HWF_APP_CRC_CHUNK, k++) {
			size_t len = ent->data_len - off < HWF_APP_CRC_CHUNK
					     ? (size_t)(ent->data_len - off)
					     : HWF_APP_CRC_CHUNK;

			if (hwf_source_read_exact(app->src, buf, len, ent->data_off + off, &err)) {
				record_io(c, r, &err);
				break;
			}
			if (hwf_crc16(buf, len) != get_le16(c->crc_data + 2 * (c->crc_base[i] + k)))
				record_crc_entry_bad(c, r, k);
		}
		if (progress)
			progress(pctx, atomic_load(&c->done), c->total);
	}
}

static void run_sequential(struct vctx *c, uint8_t *buf, uint8_t *tab, hwf_progress_fn progress,
			   void *pctx)
{
	struct hwf_app *app = c->app;
	uint8_t *table = NULL;
	uint32_t cur = UINT32_MAX;

	for (size_t i = 0; i < c->nunits; i++) {
		const struct unit *u = &c->units[i];

		if (u->entry != cur) {
			const struct hwf_app_entry *ent = &app->ent[u->entry];
			struct hwf_err err = { 0 };

			cur = u->entry;
			free(table);
			c->seq_table = NULL;
			table = malloc(2ull * ent->nblocks);
			if (!table) {
				hwf_err_set(&err, HWF_ENOMEM, "out of memory for the block table");
				record_io(c, &c->res->entries[cur], &err);
				continue;
			}
			if (hwf_source_read_exact(app->src, table, 2ull * ent->nblocks,
						  ent->header_off + HWF_APP_HDR_LEN, &err)) {
				record_io(c, &c->res->entries[cur], &err);
				continue;
			}
			c->seq_table = table;
		}
		if (!c->seq_table)
			continue;
		run_unit(c, u, buf, tab);
		if (progress)
			progress(pctx, atomic_load(&c->done), c->total);
	}
	free(table);
	c->seq_table = NULL;
}

static unsigned pick_threads(unsigned threads)
{
	long n;

	if (threads)
		return threads > MAX_THREADS ? MAX_THREADS : threads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > 4 ? 4 : (unsigned)n;
}

static void run_parallel(struct vctx *c, struct worker *w, unsigned nthreads,
			 hwf_progress_fn progress, void *pctx)
{
	unsigned started = 0;

	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < nthreads; i++) {
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0)
			break;
		started++;
		c->running++;
	}
	pthread_mutex_unlock(&c->lock);
	if (!started) {
		/* No threads to be had: do it here. */
		c->running = 1;
		worker_main(&w[0]);
	}
	pthread_mutex_lock(&c->lock);
	while (c->running) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&c->cond, &c->lock, &ts);
		if (progress) {
			pthread_mutex_unlock(&c->lock);
			progress(pctx, atomic_load(&c->done), c->total);
			pthread_mutex_lock(&c->lock);
		}
	}
	pthread_mutex_unlock(&c->lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(w[i].th, NULL);
}

static void summarise(struct vctx *c)
{
	struct hwf_app *app = c->app;
	struct hwf_app_check *res = c->res;

	res->ok = res->crc_entry_ok != 0;
	for (size_t i = 0; i < app->count; i++) {
		const struct hwf_app_entry *ent = &app->ent[i];
		struct hwf_app_entry_check *r = &res->entries[i];
		int ok = hwf_app_entry_ok(r);

		if (!ok)
			res->ok = 0;
		if (ok || r->io_error)
			continue;
		if (!r->header_ok)
			snprintf(r->msg, sizeof(r->msg),
				 "header CRC is 0x%04x, the header says 0x%04x", ent->header_crc_calc,
				 ent->header_crc);
		else if (r->nbad)
			snprintf(r->msg, sizeof(r->msg),
				 "%llu bad block%s of %u; first: block %u at byte %llu",
				 (unsigned long long)r->nbad, r->nbad == 1 ? "" : "s", ent->nblocks,
				 r->bad[0],
				 (unsigned long long)(ent->data_off +
						      (uint64_t)r->bad[0] * ent->block_size));
		else
			snprintf(r->msg, sizeof(r->msg),
				 "differs from the package's CRC entry at 32 KiB chunk %llu (byte "
				 "%llu)",
				 (unsigned long long)r->crc_entry_bad_chunk,
				 (unsigned long long)(ent->data_off +
						      r->crc_entry_bad_chunk * HWF_APP_CRC_CHUNK));
	}
	if (res->crc_entry_ok == 1)
		for (size_t i = 0; i < app->count; i++)
			if (res->entries[i].crc_entry_ok == 0)
				res->crc_entry_ok = 0;
}

int hwf_app_verify(struct hwf_app *app, const unsigned char *select, unsigned threads,
		   struct hwf_app_check *res, hwf_progress_fn progress, void *pctx,
		   struct hwf_err *e)
{
	struct worker w[MAX_THREADS];
	struct vctx c;
	unsigned nthreads;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	memset(w, 0, sizeof(w));
	res->entries = calloc(app->count, sizeof(*res->entries));
	if (!res->entries)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (size_t i = 0; i < app->count; i++) {
		res->entries[i].header_ok =
			app->ent[i].header_crc == app->ent[i].header_crc_calc;
		res->entries[i].crc_entry_ok = -1;
	}
	c.app = app;
	c.res = res;
	c.crc_inline = 1;
	atomic_init(&c.next, 0);
	atomic_init(&c.done, 0);
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	rc = setup_crc_entry(&c, select, e);
	if (!rc)
		rc = build_units(&c, select, e);
	if (rc)
		goto out;
	nthreads = hwf_source_random_access(app->src) ? pick_threads(threads) : 1;
	for (unsigned i = 0; i < nthreads; i++) {
		w[i].c = &c;
		w[i].buf = malloc(UNIT_BYTES + 65536);
		w[i].tab = malloc(2 * (UNIT_BYTES + 65536));
		if (!w[i].buf || !w[i].tab) {
			rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (hwf_source_random_access(app->src))
		run_parallel(&c, w, nthreads, progress, pctx);
	else
		run_sequential(&c, w[0].buf, w[0].tab, progress, pctx);
	if (!c.crc_inline)
		crc_entry_pass(&c, w[0].buf, progress, pctx);
	if (progress)
		progress(pctx, c.total, c.total);
	summarise(&c);
out:
	for (unsigned i = 0; i < MAX_THREADS; i++) {
		free(w[i].buf);
		free(w[i].tab);
	}
	free(c.units);
	free(c.crc_data);
	free(c.crc_base);
	pthread_mutex_destroy(&c.lock);
	pthread_cond_destroy(&c.cond);
	if (rc)
		hwf_app_check_free(res);
	return rc;
}

void hwf_app_check_free(struct hwf_app_check *res)
{
	free(res->entries);
	res->entries = NULL;
}
