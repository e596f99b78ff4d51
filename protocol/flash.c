// SPDX-License-Identifier: MIT
/*
 * The flash engine's core: the gate, steps, downloads, fitting an image to
 * its partition and sparse pieces.  See flash.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/core/bytes.h"
#include "formats/image/avb.h"
#include "formats/image/imagecheck.h"
#include "formats/image/sparse.h"
#include "protocol/flash_int.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void vsay(const struct hwf_flash_cb *cb, enum hwf_flash_msg kind, const char *fmt,
		 va_list ap)
{
	char text[HWF_ERR_MSG_MAX + 256];

	if (!cb || !cb->message)
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	cb->message(cb->ctx, kind, text);
}

void hwf_flash_say(const struct hwf_flash_cb *cb, enum hwf_flash_msg kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(cb, kind, fmt, ap);
	va_end(ap);
}

int hwf_flash_fail(const struct hwf_flash_cb *cb, struct hwf_err *e, int code, const char *fmt, ...)
{
	struct hwf_err local;
	va_list ap;

	if (!e)
		e = &local;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	hwf_flash_say(cb, HWF_FLASH_ERROR, "%s", e->msg);
	return code;
}

/*
 * A lower layer's HWF_EINVAL is a bad argument between layers, not the
 * caller's request contradicting itself: only name resolution says that.
 */
static int lower_code(int rc)
{
	return rc == HWF_EINVAL ? HWF_EUNSUPPORTED : rc;
}

int hwf_flash_pass(const struct hwf_flash_cb *cb, struct hwf_err *e, int rc,
		   const struct hwf_err *from)
{
	return hwf_flash_fail(cb, e, lower_code(rc), "%s",
			      from->msg[0] ? from->msg : hwf_strerror(rc));
}

void hwf_flash_step_event(struct hwf_flash *f, struct hwf_flash_step *s)
{
	if (f->cb.step)
		f->cb.step(f->cb.ctx, s);
}

/* --- the gate ------------------------------------------------------------- */

/*
 * A finding's text without a leading "NAME: " (and, with @word, "NAME ")
 * when NAME is the image's name or its last path component: the gate's
 * line names the file already.
 */
static const char *finding_text(const char *text, struct hwf_source *src, int word)
{
	const char *name = hwf_source_name(src), *b = strrchr(name, '/');
	size_t n;

	for (int i = 0; i < 2; i++, name = b + 1) {
		if (i && !b)
			break;
		n = strlen(name);
		if (!n || strncmp(text, name, n))
			continue;
		if (text[n] == ':' && text[n + 1] == ' ')
			return text + n + 2;
		if (word && text[n] == ' ')
			return text + n + 1;
	}
	return text;
}

/*
 * An empty image is never sent, force or not: download:00000000 and flash
 * would empty the partition, and that is erase's job.
 */
int hwf_flash_gate(struct hwf_source *src, const char *part, const char *file, int force,
		   const struct hwf_flash_cb *cb, int *sign, struct hwf_err *e)
{
	struct hwf_image_check_opts o = { part, NULL, NULL, NULL };
	struct hwf_image_report rep, *r = &rep;
	struct hwf_err le = { 0 };
	size_t first = SIZE_MAX;
	int rc;

	if (hwf_source_size(src) == 0)
		return hwf_flash_fail(cb, e, HWF_EFORMAT,
				      "%s: not flashed to %s: it is empty (0 bytes), nothing was "
				      "sent; to clear the partition use 'hwflash erase %s'%s",
				      file, part, part,
				      force ? " (--force does not send empty images)" : "");
	if (sign)
		*sign = HWF_SIGN_UNKNOWN;
	rc = hwf_image_check(src, &o, r, NULL, NULL, &le);
	if (rc)
		return hwf_flash_pass(cb, e, rc, &le);
	if (sign)
		*sign = (int)r->sign;
	for (size_t i = 0; i < r->nfind && first == SIZE_MAX; i++)
		if (r->find[i].severity == HWF_SEV_ERROR)
			first = i;
	if (!r->ok && !force) {
		/* One line for the refusal; further errors after it. */
		rc = hwf_flash_fail(
		    cb, e, HWF_EFORMAT,
		    "%s: not flashed to %s: %s (nothing was sent; --force overrides)", file, part,
		    finding_text(first < r->nfind ? r->find[first].text : "", src, 0));
		for (size_t i = first + 1; i < r->nfind; i++)
			if (r->find[i].severity == HWF_SEV_ERROR)
				hwf_flash_say(cb, HWF_FLASH_WARN, "%s: also: %s", file,
					      finding_text(r->find[i].text, src, 0));
		return rc;
	}
	for (size_t i = 0; i < r->nfind; i++) {
		const char *t =
		    finding_text(r->find[i].text, src, r->find[i].severity != HWF_SEV_ERROR);

		if (r->find[i].severity == HWF_SEV_ERROR)
			hwf_flash_say(cb, HWF_FLASH_WARN, "--force: flashing %s to %s despite: %s",
				      file, part, t);
		else if (r->find[i].severity == HWF_SEV_WARN)
			hwf_flash_say(cb, HWF_FLASH_WARN, "%s: %s", file, t);
		else
			hwf_flash_say(cb, HWF_FLASH_DETAIL, "%s: %s", file, t);
	}
	return 0;
}

/* --- the session ---------------------------------------------------------- */

int hwf_flash_new(struct hwf_flash **out, struct hwf_transport *t, const struct hwf_flash_opts *o,
		  const struct hwf_flash_cb *cb, struct hwf_err *e)
{
	struct hwf_flash *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	if (o)
		f->o = *o;
	if (cb)
		f->cb = *cb;
	hwf_fb_init(&f->fb, t, f->cb.info, f->cb.ctx);
	if (f->cb.trace)
		hwf_fb_set_trace(&f->fb, f->cb.trace, f->cb.ctx);
	if (f->o.timeout_ms > 0)
		f->fb.timeout_ms = f->o.timeout_ms;
	*out = f;
	return 0;
}

void hwf_flash_free(struct hwf_flash *f)
{
	free(f);
}

struct hwf_fb *hwf_flash_fb(struct hwf_flash *f)
{
	return &f->fb;
}

/* "Writing 'x'  OKAY [ 0.010s]": the step's line comes in two halves, as AOSP prints it. */
int hwf_flash_command(struct hwf_flash *f, const char *label, const char *cmd, struct hwf_err *e)
{
	struct hwf_flash_step s = { .kind = HWF_FLASH_STEP_COMMAND, .label = label };
	struct hwf_err le = { 0 };
	double t0 = now();
	int rc;

	hwf_flash_step_event(f, &s);
	rc = hwf_fb_command(&f->fb, cmd, NULL, 0, &le);
	s.done = 1;
	s.ok = !rc;
	s.seconds = now() - t0;
	s.error = rc ? le.msg : NULL;
	hwf_flash_step_event(f, &s);
	return rc ? hwf_flash_pass(&f->cb, e, rc, &le) : 0;
}

/* --- downloads -------------------------------------------------------------- */

/* One download of all of @src, shown as @what ("'boot'", "sparse 'system' 1/3"). */
static int download_one(struct hwf_flash *f, struct hwf_source *src, const char *what,
			struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src);
	struct hwf_flash_step s = { .kind = HWF_FLASH_STEP_DOWNLOAD, .what = what };
	struct hwf_transport_stats st;
	struct hwf_err le = { 0 };
	char line[160];
	double t0;
	int rc;

	snprintf(line, sizeof(line), "Sending %s (%llu KB)", what,
		 (unsigned long long)(size / 1024));
	s.label = line;
	s.bytes = size;
	hwf_flash_step_event(f, &s);
	t0 = now();
	rc = hwf_fb_download(&f->fb, src, 0, size, f->cb.progress, f->cb.ctx, &le);
	s.done = 1;
	s.ok = !rc;
	s.seconds = now() - t0;
	s.error = rc ? le.msg : NULL;
	hwf_flash_step_event(f, &s);
	hwf_transport_get_stats(f->fb.t, &st);
	if (st.transfers)
		hwf_flash_say(&f->cb, HWF_FLASH_DETAIL,
			      "%s: %llu bulk transfers so far, at most %u in flight, %u halts "
			      "cleared",
			      f->fb.t->name, (unsigned long long)st.transfers, st.max_in_flight,
			      st.halts_cleared);
	if (rc)
		return hwf_flash_fail(&f->cb, e, lower_code(rc),
				      "%s; nothing was written: the flash command was not sent",
				      le.msg);
	return 0;
}

int hwf_flash_download(struct hwf_flash *f, struct hwf_source *src, const char *what,
		       struct hwf_err *e)
{
	if (!hwf_source_size(src))
		return hwf_flash_fail(&f->cb, e, HWF_EFORMAT, "%s: empty (0 bytes): nothing to send",
				      hwf_source_name(src));
	return download_one(f, src, what, e);
}

/* The download limit: the device's max-download-size, or the caller's when smaller. */
static int limit(struct hwf_flash *f, uint64_t *max, struct hwf_err *e)
{
	struct hwf_err le = { 0 };
	int rc = hwf_fb_max_download(&f->fb, max, &le);

	if (rc)
		return hwf_flash_pass(&f->cb, e, rc, &le);
	if (f->o.sparse_limit && (!*max || f->o.sparse_limit < *max))
		*max = f->o.sparse_limit;
	return 0;
}

int hwf_flash_boot(struct hwf_flash *f, struct hwf_source *src, struct hwf_err *e)
{
	uint64_t max = 0, size = hwf_source_size(src);
	int rc;

	if (!size)
		return hwf_flash_fail(&f->cb, e, HWF_EFORMAT,
				      "%s: empty (0 bytes): nothing to send", hwf_source_name(src));
	rc = limit(f, &max, e);
	if (rc)
		return rc;
	if (max && size > max)
		return hwf_flash_fail(
		    &f->cb, e, HWF_EFORMAT, "%s is %llu bytes, the device takes %llu per download",
		    hwf_source_name(src), (unsigned long long)size, (unsigned long long)max);
	rc = download_one(f, src, "'boot.img'", e);
	return rc ? rc : hwf_flash_command(f, "Booting", "boot", e);
}

/*
 * Flash @src to @part: as is when it fits one download, else as sparse
 * pieces each describing the whole partition (AOSP's resparse), each piece
 * downloaded and flashed in turn.
 */
static int flash_source(struct hwf_flash *f, struct hwf_source *src, const char *part,
			struct hwf_err *e)
{
	struct hwf_sparse_split *sp;
	struct hwf_err le = { 0 };
	char cmd[128], what[160], label[160];
	uint64_t max = 0;
	size_t n;
	int rc;

	if (!hwf_source_size(src))
		/* The gate refuses these first; this is the last line of defence. */
		return hwf_flash_fail(&f->cb, e, HWF_EFORMAT,
				      "%s: empty (0 bytes): nothing to flash to %s",
				      hwf_source_name(src), part);
	rc = limit(f, &max, e);
	if (rc)
		return rc;
	snprintf(cmd, sizeof(cmd), "flash:%s", part);
	if (!max || hwf_source_size(src) <= max) {
		snprintf(what, sizeof(what), "'%s'", part);
		rc = download_one(f, src, what, e);
		snprintf(label, sizeof(label), "Writing '%s'", part);
		return rc ? rc : hwf_flash_command(f, label, cmd, e);
	}
	rc = hwf_sparse_split(&sp, src, max, &le);
	if (rc)
		return hwf_flash_pass(&f->cb, e, rc, &le);
	n = hwf_sparse_split_count(sp);
	for (size_t i = 0; i < n && !rc; i++) {
		struct hwf_source *piece;

		rc = hwf_sparse_split_piece(sp, i, &piece, &le);
		if (rc) {
			rc = hwf_flash_pass(&f->cb, e, rc, &le);
			break;
		}
		snprintf(what, sizeof(what), "sparse '%s' %zu/%zu", part, i + 1, n);
		rc = download_one(f, piece, what, e);
		hwf_source_close(piece);
		snprintf(label, sizeof(label), "Writing '%s' %zu/%zu", part, i + 1, n);
		if (!rc)
			rc = hwf_flash_command(f, label, cmd, e);
	}
	hwf_sparse_split_free(sp);
	return rc;
}

/*
 * Match a raw image to the partition the device reports: refuse one that
 * is larger (nothing sent), and move an AVB footer of a smaller one to the
 * partition's end, as AOSP fastboot does.  A device that does not report
 * partition-size gets the image as it is.  On a move, *src becomes the
 * relocated view and @r->img keeps the original.
 */
static int fit_partition(struct hwf_flash *f, struct hwf_source **src, const char *part,
			 const char *file, struct hwf_avb_relocation *r, struct hwf_err *e)
{
	struct hwf_source *view;
	struct hwf_err le = { 0 };
	char q[128], v[HWF_FB_RESP_MAX];
	uint64_t psize = 0, size = hwf_source_size(*src);
	uint8_t m[4] = { 0 };
	struct hwf_avb_footer foot;
	int rc;

	snprintf(q, sizeof(q), "partition-size:%s", part);
	rc = hwf_fb_getvar(&f->fb, q, v, sizeof(v), &le);
	if (rc && rc != HWF_EDEVICE)
		/* Not a FAIL ("unknown variable") but a lost device: stop here. */
		return hwf_flash_pass(&f->cb, e, rc, &le);
	if (rc || hwf_fb_parse_hex(v, &psize) || !psize)
		return 0;
	hwf_source_pread(*src, m, 4, 0, NULL);
	if (get_le32(m) == HWF_SPARSE_MAGIC)
		return 0;
	if (size > psize)
		return hwf_flash_fail(&f->cb, e, HWF_EFORMAT,
				      "%s: %llu bytes do not fit partition %s (%llu bytes); "
				      "nothing was sent",
				      file, (unsigned long long)size, part,
				      (unsigned long long)psize);
	if (size == psize || hwf_avb_read_footer(*src, &foot, NULL) != 1)
		return 0;
	rc = hwf_avb_relocate_footer(r, *src, psize, &view, &le);
	if (rc)
		return hwf_flash_pass(&f->cb, e, rc, &le);
	hwf_flash_say(&f->cb, HWF_FLASH_NOTE,
		      "AVB footer of %s moved to the end of '%s' (%llu bytes)", file, part,
		      (unsigned long long)psize);
	*src = view;
	return 0;
}

int hwf_flash_write(struct hwf_flash *f, struct hwf_source *src, const char *part,
		    const char *label, hwf_flash_after_fn after, struct hwf_err *e)
{
	struct hwf_avb_relocation moved = { 0 };
	struct hwf_source *view = src;
	int rc = fit_partition(f, &view, part, label, &moved, e);

	if (!rc)
		rc = flash_source(f, view, part, e);
	if (!rc && after)
		rc = after(f, view, part, e);
	if (view != src)
		hwf_source_close(view);
	return rc;
}
