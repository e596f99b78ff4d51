// SPDX-License-Identifier: MIT
/*
 * app list: partitions that come in several same-name entries
 * (formats/app/appgroup.h), shown once with their pieces, as text or as the
 * "partitions_in_pieces" array of app list --json.
 */
#include <stdio.h>
#include <string.h>

#include "formats/app/appgroup.h"
#include "host/cli.h"

void app_list_pieces(struct hwf_cli *cli, struct hwf_app *app)
{
	struct hwf_app_group *g;
	struct hwf_err e = {0};
	size_t ng;
	char sz[32];

	if (hwf_app_groups(app, &g, &ng, &e)) {
		ui_warn(&cli->ui, "%s", e.msg);
		return;
	}
	if (cli->json) {
		json_key(&cli->ui, "partitions_in_pieces");
		json_begin_array(&cli->ui);
	}
	for (size_t k = 0; k < ng; k++) {
		const struct hwf_app_group *gr = &g[k];
		int raw = gr->kind == HWF_GROUP_RAW;
		char names[600] = "";

		if (gr->kind == HWF_GROUP_ONE)
			continue;
		for (size_t p = 0; p < gr->n; p++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 p ? ", " : "", hwf_app_entry(app, gr->entry[p])->name);
		if (cli->json) {
			json_begin_object(&cli->ui);
			json_kv_str(&cli->ui, "name", gr->name);
			json_kv_str(&cli->ui, "kind", raw ? "raw" : "sparse");
			json_kv_uint(&cli->ui, "size", gr->size);
			json_key(&cli->ui, "entries");
			json_begin_array(&cli->ui);
			for (size_t p = 0; p < gr->n; p++)
				json_str(&cli->ui, hwf_app_entry(app, gr->entry[p])->name);
			json_end_array(&cli->ui);
			json_end_object(&cli->ui);
			continue;
		}
		ui_size(gr->size, sz, sizeof(sz));
		ui_info(&cli->ui, "%s: one partition in %zu %s (%s), %s together; %s\n", gr->name,
			gr->n, hwf_group_kind_name(gr->kind), names, sz,
			raw ? "extract and flash join them in order"
			    : "flashed one after the other; extract --merge-super joins them");
	}
	if (cli->json)
		json_end_array(&cli->ui);
	hwf_app_groups_free(g, ng);
}
