// SPDX-License-Identifier: MIT
/* image unpack: sections or the expanded sparse image, each file whole or not at all. */
#include "formats/image/unpack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/image/sparse.h"

#define COPY_BYTES (1u << 20)

static void tell(const struct hwf_unpack_opts *o, enum hwf_unpack_event_kind kind,
		 const char *label, const struct hwf_unpack_file *file)
{
	struct hwf_unpack_event ev = { kind, label, file };

	if (o->event)
		o->event(o->ctx, &ev);
}

static int write_all(int fd, const uint8_t *p, size_t len, const char *path, struct hwf_err *e)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO, "%s: %s",
					   path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Bytes [@off, @off + @size) of @src into @fd. */
static int copy_range(struct hwf_source *src, uint64_t off, uint64_t size, int fd, const char *path,
		      struct hwf_err *e)
{
	uint8_t *buf = malloc(COPY_BYTES);
	int rc = 0;

	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (uint64_t done = 0; done < size && !rc;) {
		size_t want = size - done < COPY_BYTES ? (size_t)(size - done) : COPY_BYTES;

		rc = hwf_source_read_exact(src, buf, want, off + done, e);
		if (!rc)
			rc = write_all(fd, buf, want, path, e);
		done += want;
	}
	free(buf);
	return rc;
}

/* Write one planned file: section @sec of a boot image, or the expansion when @sec is NULL. */
static int write_file(struct hwf_source *src, const struct hwf_unpack_opts *o,
		      const struct hwf_bootimg_section *sec, const struct hwf_unpack_file *file,
		      struct hwf_err *e)
{
	struct hwf_outfile f;
	int rc = hwf_outfile_create(&f, file->path, 0, o->files, e);

	if (rc)
		return rc;
	if (sec) {
		rc = copy_range(src, sec->offset, sec->size, f.fd, file->path, e);
	} else {
		tell(o, HWF_UEV_STEP, "expanding", NULL);
		rc = hwf_sparse_expand(src, f.fd, o->progress, o->ctx, e);
		tell(o, HWF_UEV_STEP_END, NULL, NULL);
	}
	if (rc) {
		hwf_outfile_discard(&f);
		return rc;
	}
	return hwf_outfile_commit(&f, o->force ? 0 : HWF_OUTFILE_NOREPLACE, e);
}

/* DIR/<base name of the image without its extension>.raw */
static void raw_path(const struct hwf_unpack_opts *o, char *buf, size_t len)
{
	const char *base = strrchr(o->name, '/') ? strrchr(o->name, '/') + 1 : o->name;
	char stem[256], *dot;

	snprintf(stem, sizeof(stem), "%s", base);
	dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = '\0';
	snprintf(buf, len, "%s/%s.raw", o->dir, stem);
}

int hwf_image_unpack(struct hwf_source *src, const struct hwf_unpack_opts *o,
		     struct hwf_unpack_result *res, struct hwf_err *e)
{
	const struct hwf_bootimg_section *sec[HWF_BOOTIMG_MAX_SECTIONS] = { NULL };
	struct hwf_unpack_file plan[HWF_BOOTIMG_MAX_SECTIONS];
	struct hwf_bootimg b;
	size_t n = 0;
	struct stat st;
	int rc;

	memset(res, 0, sizeof(*res));
	res->sparse = hwf_sparse_validate(src, NULL, NULL) == 0;
	if (res->sparse) {
		plan[0].section = "expanded";
		raw_path(o, plan[0].path, sizeof(plan[0].path));
		plan[0].size = 0;
		n = 1;
	} else {
		rc = hwf_bootimg_parse(src, &b, e);
		if (rc)
			return rc;
		if (b.needed > hwf_source_size(src))
			return hwf_err_set(e, HWF_ETRUNC,
					   "%s: truncated: header says %llu bytes, file has %llu",
					   o->name, (unsigned long long)b.needed,
					   (unsigned long long)hwf_source_size(src));
		res->vendor = b.vendor;
		for (size_t i = 0; i < b.nsec; i++) {
			if (!b.sec[i].size)
				continue;
			sec[n] = &b.sec[i];
			plan[n].section = b.sec[i].name;
			snprintf(plan[n].path, sizeof(plan[n].path), "%s/%s", o->dir,
				 b.sec[i].name);
			plan[n++].size = b.sec[i].size;
		}
	}
	/* Settled before the first file is written: nothing is replaced without force. */
	for (size_t i = 0; i < n && !o->force; i++)
		if (lstat(plan[i].path, &st) == 0)
			return hwf_err_set(e, HWF_EEXIST, "%s: exists; not replaced (use --force)",
					   plan[i].path);
	rc = hwf_mkdirs(o->dir, e);
	for (size_t i = 0; i < n && !rc; i++) {
		rc = write_file(src, o, sec[i], &plan[i], e);
		if (rc)
			break;
		if (!sec[i])
			plan[i].size = stat(plan[i].path, &st) == 0 ? (uint64_t)st.st_size : 0;
		res->file[res->nfiles++] = plan[i];
		tell(o, HWF_UEV_WRITTEN, NULL, &res->file[res->nfiles - 1]);
	}
	return rc;
}
