// SPDX-License-Identifier: MIT
/*
 * app list | check: what a firmware download holds (formats/app/download.h),
 * as lines before the entries or as the "packages" array of --json, and an
 * inner zip that could not be read.  Moved out of host/cmd_app.c (800 lines).
 */
#include <stdint.h>

#include "formats/app/download.h"
#include "host/cli.h"

/* A download's packages, before their entries. */
void app_show_download(struct hwf_cli *cli, const struct hwf_download *dl)
{
	size_t n = hwf_download_count(dl);
	char sz[32];

	ui_info(&cli->ui, "%s holds %zu package%s:\n", hwf_download_path(dl), n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		const struct hwf_download_pkg *p = hwf_download_pkg(dl, i);

		ui_size(p->size, sz, sizeof(sz));
		ui_info(&cli->ui, "  %-48s %10s%s%s%s\n", p->path, sz, p->foreign ? "  " : "",
			p->foreign ? p->foreign : "", p->group ? "  (part of the update)" : "");
	}
	if (hwf_download_group(dl))
		ui_info(&cli->ui, "Together they make one update (%s).\n", hwf_download_group(dl));
}

/* An inner zip that could not be read, when packages beside it could. */
void app_warn_skipped(struct hwf_cli *cli, const struct hwf_download *dl)
{
	struct hwf_err e = {0};

	if (hwf_download_count(dl) && hwf_download_skipped(dl, &e))
		ui_warn(&cli->ui, "%s (its packages are left out)", e.msg);
}

/* A download's packages as a JSON array under "packages", and the update they make. */
void app_json_download(struct hwf_cli *cli, const struct hwf_download *dl)
{
	json_key(&cli->ui, "packages");
	json_begin_array(&cli->ui);
	for (size_t i = 0; i < hwf_download_count(dl); i++) {
		const struct hwf_download_pkg *p = hwf_download_pkg(dl, i);

		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "path", p->path);
		json_kv_uint(&cli->ui, "size", p->size);
		json_kv_uint(&cli->ui, "depth", (uint64_t)p->depth);
		json_kv_bool(&cli->ui, "deflated", p->deflated);
		json_key(&cli->ui, "foreign");
		if (p->foreign)
			json_str(&cli->ui, p->foreign);
		else
			json_null(&cli->ui);
		json_kv_bool(&cli->ui, "part_of_update", p->group);
		json_end_object(&cli->ui);
	}
	json_end_array(&cli->ui);
	json_key(&cli->ui, "update");
	if (hwf_download_group(dl))
		json_str(&cli->ui, hwf_download_group(dl));
	else
		json_null(&cli->ui);
}
