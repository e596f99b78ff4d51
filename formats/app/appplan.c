// SPDX-License-Identifier: MIT
#include "formats/app/appplan.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/app/appgroup.h"
#include "formats/core/bytes.h"
#include "formats/image/sparse.h"

/* Names whose partition is not simply the lower-case name. */
static const struct {
	const char *entry, *partition;
} builtin_map[] = {
	{ "HISIUFS_GPT", "ptable" },	/* EMUI >= 9 (SH-Vixano) */
	{ "EFI", "ptable" },		/* EMUI <= 8 */
	{ "PTABLE", "ptable" },
};

/* Flashed first, in this order (SH-Vixano: "MUST be flashed in a specific order"). */
static const char *const first_order[] = { "ptable", "xloader", "dts", "dto", "fastboot" };

void hwf_plan_default_partition(const char *entry_name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(builtin_map) / sizeof(builtin_map[0]); i++)
		if (!strcasecmp(entry_name, builtin_map[i].entry)) {
			snprintf(buf, len, "%s", builtin_map[i].partition);
			return;
		}
	for (i = 0; entry_name[i] && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)entry_name[i]);
	if (len)
		buf[i < len ? i : len - 1] = '\0';
}

/* Pieces share a raw name; entries named only by sequence id (INPUT) are never pieces. */
static const char *base_name(const struct hwf_app_entry *en)
{
	return hwf_app_entry_legacy(en) ? en->name : en->raw_name;
}

static int rank(const char *partition)
{
	for (size_t i = 0; i < sizeof(first_order) / sizeof(first_order[0]); i++)
		if (!strcmp(partition, first_order[i]))
			return (int)i;
	return (int)(sizeof(first_order) / sizeof(first_order[0]));
}

static int is_sparse(struct hwf_app *app, const struct hwf_app_entry *en)
{
	uint8_t m[4];

	if (en->data_len < 28)
		return 0;
	if (hwf_source_read_exact(hwf_app_source(app), m, 4, en->data_off, NULL))
		return 0;
	return get_le32(m) == HWF_SPARSE_MAGIC;
}

static int select_entries(struct hwf_app *app, const char *const *names, size_t nnames,
			  unsigned char *sel, struct hwf_err *e)
{
	size_t n = hwf_app_count(app);
	const char **by;
	int rc = 0;

	if (!nnames) {
		for (size_t i = 0; i < n; i++)
			sel[i] = hwf_app_entry(app, i)->kind == HWF_APP_IMAGE;
		return 0;
	}
	/* Who selected each entry: an entry named twice is refused, not flashed twice. */
	by = calloc(n ? n : 1, sizeof(*by));
	if (!by)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (size_t k = 0; k < nnames && !rc; k++) {
		const struct hwf_app_entry *one = hwf_app_find(app, names[k]);

		if (!one) {
			rc = hwf_err_set(e, HWF_ENOTFOUND,
					 "%s: no entry named %s ('hwflash app list' shows them)",
					 hwf_source_name(hwf_app_source(app)), names[k]);
			break;
		}
		if (one->kind != HWF_APP_IMAGE) {
			rc = hwf_err_set(e, HWF_EINVAL,
					 "%s is a %s entry: it is verified, never flashed",
					 one->name, hwf_app_kind_name(one->kind));
			break;
		}
		/* A base name selects every piece; "SUPER#2" only that piece. */
		for (size_t i = 0; i < n && !rc; i++) {
			const struct hwf_app_entry *en = hwf_app_entry(app, i);

			if (i != one->index && strcasecmp(en->name, names[k]) &&
			    (strcasecmp(base_name(en), names[k]) || strchr(names[k], '#')))
				continue;
			if (by[i])
				rc = hwf_err_set(e, HWF_EINVAL,
						 "%s is named twice (as %s and as %s): each "
						 "entry is flashed once; name it once",
						 en->name, by[i], names[k]);
			sel[i] = 1;
			by[i] = names[k];
		}
	}
	free(by);
	return rc;
}

/* The --map that applies to @en, or NULL; two that apply are refused. */
static int map_for(const struct hwf_app_entry *en, const struct hwf_plan_map *maps, size_t nmaps,
		   const char **part, struct hwf_err *e)
{
	const struct hwf_plan_map *found = NULL;

	*part = NULL;
	for (size_t k = 0; k < nmaps; k++) {
		if (strcasecmp(maps[k].entry, en->name) && strcasecmp(maps[k].entry, base_name(en)))
			continue;
		if (found)
			return hwf_err_set(e, HWF_EINVAL,
					   "--map %s=%s and --map %s=%s both say where %s goes; "
					   "give one",
					   found->entry, found->partition, maps[k].entry,
					   maps[k].partition, en->name);
		found = &maps[k];
	}
	if (found)
		*part = found->partition;
	return 0;
}

/*
 * One partition, one entry: two entries planned onto one partition (EFI and
 * HISIUFS_GPT both to ptable, or a --map onto a partition another entry
 * already takes) would leave only the last one there, so the plan is
 * refused, naming both.  The pieces of one split entry (SUPER, SUPER#2) are
 * the exception; they must all go to the same partition.
 */
static int one_entry_per_partition(struct hwf_app *app, const struct hwf_plan_step *st,
				   size_t count, struct hwf_err *e)
{
	for (size_t a = 0; a < count; a++)
		for (size_t b = a + 1; b < count; b++) {
			const struct hwf_app_entry *ea = hwf_app_entry(app, st[a].entry);
			const struct hwf_app_entry *eb = hwf_app_entry(app, st[b].entry);
			int same_part = !strcasecmp(st[a].partition, st[b].partition);
			int pieces = !strcasecmp(base_name(ea), base_name(eb));

			if (pieces && !same_part)
				return hwf_err_set(e, HWF_EINVAL,
						   "%s and %s are pieces of one split entry, "
						   "planned onto partitions %s and %s: the "
						   "pieces of %s all go to one partition; "
						   "refusing",
						   ea->name, eb->name, st[a].partition,
						   st[b].partition, base_name(ea));
			if (same_part && !pieces)
				return hwf_err_set(e, HWF_EINVAL,
						   "%s and %s would both be written to "
						   "partition %s, the second over the first; "
						   "refusing (name the one to flash, or --map "
						   "one elsewhere)",
						   ea->name, eb->name, st[a].partition);
		}
	return 0;
}

/*
 * Raw pieces of one image (appgroup.h HWF_GROUP_RAW): the first piece's step
 * carries them all, the others' steps go.  All pieces must be planned: one
 * alone would be written at the partition's start.
 */
static int join_raw(struct hwf_app *app, struct hwf_plan_step *st, size_t *count,
		    struct hwf_err *e)
{
	struct hwf_app_group *g;
	size_t ng, out = 0;
	int rc = hwf_app_groups(app, &g, &ng, e);

	for (size_t a = 0; !rc && a < *count; a++) {
		const struct hwf_app_group *gr = hwf_app_group_of(g, ng, st[a].entry);
		size_t have = 0, first = 0;

		if (!gr || gr->kind != HWF_GROUP_RAW) {
			st[out++] = st[a];
			continue;
		}
		for (size_t b = 0; b < *count; b++) {
			first += st[b].entry == gr->entry[0];
			for (size_t p = 0; p < gr->n; p++)
				have += st[b].entry == gr->entry[p];
		}
		if (first && st[a].entry != gr->entry[0] && have == gr->n)
			continue; /* joined into the first piece's step */
		if (have != gr->n)
			rc = hwf_err_set(e, HWF_EINVAL,
					 "%s is one of %zu raw pieces of %s, one image to be "
					 "joined in order: flashed alone it would land at the "
					 "partition's start; name %s to flash them all",
					 hwf_app_entry(app, st[a].entry)->name, gr->n, gr->name,
					 gr->name);
		else if (gr->n > HWF_PLAN_MAX_JOIN)
			rc = hwf_err_set(e, HWF_EINVAL,
					 "%s comes in %zu raw pieces, more than the %d hwflash "
					 "joins; refusing",
					 gr->name, gr->n, HWF_PLAN_MAX_JOIN);
		if (rc)
			break;
		st[out] = st[a];
		st[out].njoin = (unsigned)gr->n;
		st[out].size = gr->size;
		memcpy(st[out].join, gr->entry, gr->n * sizeof(*gr->entry));
		out++;
	}
	hwf_app_groups_free(g, ng);
	*count = out;
	return rc;
}

int hwf_plan_step_source(struct hwf_app *app, const struct hwf_plan_step *st,
			 struct hwf_source **out, struct hwf_err *e)
{
	struct hwf_app_group g = { 0 };
	char name[600];

	if (st->njoin < 2)
		return hwf_app_entry_source(app, st->entry, out, e);
	g.name = hwf_app_entry(app, st->entry)->raw_name;
	g.kind = HWF_GROUP_RAW;
	g.n = st->njoin;
	g.entry = (size_t *)st->join;
	snprintf(name, sizeof(name), "%s:%s (%u pieces joined)",
		 hwf_source_name(hwf_app_source(app)), g.name, st->njoin);
	return hwf_app_group_source(app, &g, name, out, e);
}

uint64_t hwf_plan_step_size(struct hwf_app *app, const struct hwf_plan_step *st)
{
	return st->size ? st->size : hwf_app_entry(app, st->entry)->data_len;
}

int hwf_plan_build(struct hwf_app *app, const char *const *names, size_t nnames,
		   const struct hwf_plan_map *maps, size_t nmaps, struct hwf_plan_step **steps,
		   size_t *nsteps, struct hwf_err *e)
{
	size_t n = hwf_app_count(app), count = 0;
	struct hwf_plan_step *st;
	unsigned char *sel;
	int rc;

	*steps = NULL;
	*nsteps = 0;
	sel = calloc(n ? n : 1, 1);
	st = calloc(n ? n : 1, sizeof(*st));
	if (!sel || !st) {
		free(sel);
		free(st);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	rc = select_entries(app, names, nnames, sel, e);
	if (rc)
		goto fail;
	for (size_t k = 0; k < nmaps; k++) {
		const struct hwf_app_entry *en = hwf_app_find(app, maps[k].entry);

		if (!en) {
			rc = hwf_err_set(e, HWF_ENOTFOUND, "--map %s=%s: no entry named %s",
					 maps[k].entry, maps[k].partition, maps[k].entry);
			goto fail;
		}
		if (!maps[k].partition[0] || strlen(maps[k].partition) >= HWF_PART_MAX) {
			rc = hwf_err_set(e, HWF_EINVAL, "--map %s=%s: bad partition name",
					 maps[k].entry, maps[k].partition);
			goto fail;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct hwf_app_entry *en = hwf_app_entry(app, i);
		const char *part = NULL;

		if (!sel[i])
			continue;
		rc = map_for(en, maps, nmaps, &part, e);
		if (rc)
			goto fail;
		/*
		 * Named only by its sequence id (INPUT or no name): the profiles'
		 * names are other tools' guesses, so the partition is never guessed.
		 */
		if (!part && hwf_app_entry_legacy(en)) {
			const char *prof = hwf_app_profile_used(app, NULL, NULL, NULL);
			char said[96] = "";

			if (en->seq_name[0] && prof)
				snprintf(said, sizeof(said), " (%s per profile %s, a guess)",
					 en->seq_name, prof);
			rc = hwf_err_set(e, HWF_EINVAL,
					 "%s is named only by its sequence id%s: hwflash does not "
					 "guess its partition; give --map %s=PARTITION, or leave it "
					 "out by naming the entries to flash",
					 en->name, said, en->name);
			goto fail;
		}
		st[count].entry = i;
		if (part)
			snprintf(st[count].partition, HWF_PART_MAX, "%s", part);
		else
			hwf_plan_default_partition(base_name(en), st[count].partition,
						   HWF_PART_MAX);
		count++;
	}
	rc = one_entry_per_partition(app, st, count, e);
	if (rc)
		goto fail;
	rc = join_raw(app, st, &count, e);
	if (rc)
		goto fail;
	/* Pieces of a split sparse entry: number them. */
	for (size_t a = 0; a < count; a++) {
		const struct hwf_app_entry *ea = hwf_app_entry(app, st[a].entry);
		unsigned total = 0, idx = 0;

		for (size_t b = 0; b < count; b++)
			if (!strcasecmp(base_name(hwf_app_entry(app, st[b].entry)), base_name(ea)))
				total++;
		for (size_t b = 0; b <= a; b++)
			if (!strcasecmp(base_name(hwf_app_entry(app, st[b].entry)), base_name(ea)))
				idx++;
		st[a].piece = idx;
		st[a].pieces = total;
		if (!st[a].njoin)
			st[a].size = ea->data_len;
		if (total > 1 && !st[a].njoin && !is_sparse(app, ea)) {
			rc = hwf_err_set(e, HWF_EINVAL,
					 "%s comes in %u pieces and %s is not a sparse image: "
					 "flashing them one after the other would overwrite each "
					 "other; refusing",
					 base_name(ea), total, ea->name);
			goto fail;
		}
	}
	/* Stable order: partition table and bootloader pieces first. */
	for (size_t a = 1; a < count; a++) {
		struct hwf_plan_step tmp = st[a];
		size_t b = a;

		while (b > 0 && rank(st[b - 1].partition) > rank(tmp.partition)) {
			st[b] = st[b - 1];
			b--;
		}
		st[b] = tmp;
	}
	free(sel);
	*steps = st;
	*nsteps = count;
	return 0;
fail:
	free(sel);
	free(st);
	return rc;
}
