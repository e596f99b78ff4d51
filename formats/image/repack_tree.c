// SPDX-License-Identifier: MIT
/* The ramdisk of a repack: the file (the ramdisk folder arrives with rdtree). */
#include "formats/image/repack_tree.h"

#include <string.h>

int hwf_repack_tree_pick(struct hwf_repack_tree *t, const char *dir, const char *root,
			 const struct hwf_manifest *m, struct hwf_source *ramdisk, const char *out,
			 const struct hwf_file_hooks *hooks, struct hwf_err *e)
{
	(void)dir, (void)root, (void)m, (void)ramdisk, (void)out, (void)hooks, (void)e;
	memset(t, 0, sizeof(*t));
	t->tmp.fd = -1;
	return 0;
}

void hwf_repack_tree_done(struct hwf_repack_tree *t)
{
	hwf_source_close(t->src);
	t->src = NULL;
	if (t->tmp.tmp[0] || t->tmp.fd >= 0)
		hwf_outfile_discard(&t->tmp);
}
