// SPDX-License-Identifier: MIT
#include "tests/sim/simtransport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct packet {
	struct packet *next;
	size_t len;
	uint8_t data[];
};

struct simt {
	struct hwf_transport base;
	struct fbdev *d;
	struct packet *head, *tail; /* replies not read yet */
	int hung_up;
	struct hwf_transport_stats st;
};

/* fbdev_send_fn: queue one reply. */
static int queue(void *ctx, const void *buf, size_t len)
{
	struct simt *s = ctx;
	struct packet *p = malloc(sizeof(*p) + len);

	if (!p)
		return -1;
	p->next = NULL;
	p->len = len;
	memcpy(p->data, buf, len);
	if (s->tail)
		s->tail->next = p;
	else
		s->head = p;
	s->tail = p;
	return 0;
}

static int s_write(struct hwf_transport *t, const void *buf, size_t len, int timeout_ms,
		   struct hwf_err *e)
{
	struct simt *s = (struct simt *)t;

	(void)timeout_ms;
	if (s->hung_up)
		return hwf_err_set(e, HWF_EDISCONNECTED, "%s: connection lost", t->name);
	s->st.transfers++;
	s->st.bytes += len;
	s->st.max_in_flight = 1;
	if (fbdev_input(s->d, buf, len, queue, s))
		s->hung_up = 1; /* what was sent before still arrives */
	return 0;
}

static int64_t s_read(struct hwf_transport *t, void *buf, size_t len, int timeout_ms,
		      struct hwf_err *e)
{
	struct simt *s = (struct simt *)t;
	struct packet *p = s->head;
	size_t n;

	if (!p && s->hung_up)
		return hwf_err_set(e, HWF_EDISCONNECTED, "%s: the device closed the connection",
				   t->name);
	if (!p)
		return hwf_err_set(e, HWF_ETIMEOUT, "%s: no answer for %d ms", t->name, timeout_ms);
	if (p->len > len)
		return hwf_err_set(e, HWF_EPROTO,
				   "%s: the device sent a %zu-byte reply (at most %zu)", t->name,
				   p->len, len);
	n = p->len;
	memcpy(buf, p->data, n);
	s->head = p->next;
	if (!s->head)
		s->tail = NULL;
	free(p);
	return (int64_t)n;
}

static void s_close(struct hwf_transport *t)
{
	struct simt *s = (struct simt *)t;

	while (s->head) {
		struct packet *p = s->head;

		s->head = p->next;
		free(p);
	}
	free(s);
}

static void s_stats(const struct hwf_transport *t, struct hwf_transport_stats *st)
{
	*st = ((const struct simt *)t)->st;
}

static const struct hwf_transport_ops simt_ops = {
	.write = s_write,
	.read = s_read,
	.close = s_close,
	.stats = s_stats,
};

int simt_open(struct hwf_transport **out, struct fbdev *d, const char *name, struct hwf_err *e)
{
	struct simt *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	s->base.ops = &simt_ops;
	s->d = d;
	snprintf(s->base.name, sizeof(s->base.name), "sim:%s", name);
	snprintf(s->base.spec, sizeof(s->base.spec), "sim:%s", name);
	*out = &s->base;
	return 0;
}
