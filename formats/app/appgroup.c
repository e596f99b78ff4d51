// SPDX-License-Identifier: MIT
/* Same-name entries of an UPDATE.APP: which are pieces of one partition, and how they join. */
#include "formats/app/appgroup.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/core/bytes.h"
#include "formats/image/sparse.h"

/* An entry that may be a piece: an image with a real name (not INPUT, not empty). */
static int joinable(const struct hwf_app_entry *en)
{
	return en->kind == HWF_APP_IMAGE && en->raw_name[0] && strcmp(en->raw_name, "INPUT");
}

static int starts_sparse(struct hwf_app *app, const struct hwf_app_entry *en)
{
	uint8_t m[4];

	if (en->data_len < 28 ||
	    hwf_source_read_exact(hwf_app_source(app), m, sizeof(m), en->data_off, NULL))
		return 0;
	return get_le32(m) == HWF_SPARSE_MAGIC;
}

static int same_group(const struct hwf_app_entry *a, const struct hwf_app_entry *b)
{
	return joinable(a) && joinable(b) && !strcasecmp(a->raw_name, b->raw_name);
}

int hwf_app_groups(struct hwf_app *app, struct hwf_app_group **out, size_t *nout, struct hwf_err *e)
{
	size_t n = hwf_app_count(app), ng = 0;
	struct hwf_app_group *g = calloc(n ? n : 1, sizeof(*g));
	unsigned char *taken = calloc(n ? n : 1, 1);

	*out = NULL;
	*nout = 0;
	if (!g || !taken)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		const struct hwf_app_entry *en = hwf_app_entry(app, i);
		struct hwf_app_group *gr = &g[ng];
		int sparse = 1;

		if (taken[i])
			continue;
		gr->name = en->raw_name[0] ? en->raw_name : en->name;
		for (size_t j = i; j < n; j++)
			gr->n += j == i || (!taken[j] && same_group(en, hwf_app_entry(app, j)));
		gr->entry = malloc(gr->n * sizeof(*gr->entry));
		if (!gr->entry)
			goto nomem;
		ng++;
		gr->n = 0;
		for (size_t j = i; j < n; j++) {
			const struct hwf_app_entry *ej = hwf_app_entry(app, j);

			if (j != i && (taken[j] || !same_group(en, ej)))
				continue;
			taken[j] = 1;
			gr->entry[gr->n++] = j;
			gr->size += ej->data_len;
			sparse = sparse && starts_sparse(app, ej);
		}
		gr->kind = gr->n == 1 ? HWF_GROUP_ONE : sparse ? HWF_GROUP_SPARSE : HWF_GROUP_RAW;
	}
	free(taken);
	*out = g;
	*nout = ng;
	return 0;
nomem:
	free(taken);
	hwf_app_groups_free(g, ng);
	return hwf_err_set(e, HWF_ENOMEM, "out of memory");
}

void hwf_app_groups_free(struct hwf_app_group *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		free(g[i].entry);
	free(g);
}

const struct hwf_app_group *hwf_app_group_of(const struct hwf_app_group *g, size_t n, size_t i)
{
	for (size_t k = 0; k < n; k++)
		for (size_t p = 0; p < g[k].n; p++)
			if (g[k].entry[p] == i)
				return &g[k];
	return NULL;
}

const char *hwf_group_kind_name(enum hwf_group_kind kind)
{
	switch (kind) {
	case HWF_GROUP_SPARSE: return "sparse pieces";
	case HWF_GROUP_RAW: return "raw pieces";
	case HWF_GROUP_ONE: break;
	}
	return "one entry";
}

int hwf_app_group_source(struct hwf_app *app, const struct hwf_app_group *g, const char *name,
			 struct hwf_source **out, struct hwf_err *e)
{
	struct hwf_source **w = calloc(g->n ? g->n : 1, sizeof(*w));
	int rc = 0;

	*out = NULL;
	if (!w)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (size_t p = 0; p < g->n && !rc; p++)
		rc = hwf_app_entry_source(app, g->entry[p], &w[p], e);
	if (!rc)
		rc = hwf_source_open_concat(out, w, g->n, name, e);
	if (rc) {
		for (size_t p = 0; p < g->n; p++)
			hwf_source_close(w[p]);
	} else {
		/* The concatenation closes the first window, each window the next. */
		hwf_source_own(*out, w[0]);
		for (size_t p = 0; p + 1 < g->n; p++)
			hwf_source_own(w[p], w[p + 1]);
	}
	free(w);
	return rc;
}
