// SPDX-License-Identifier: MIT
/*
 * Verifying what goes on a card before it is written (every package CRC,
 * the CRC-32 of everything else), and the copies on the card after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/app/pkg.h"
#include "formats/app/updateapp.h"
#include "formats/dload/dload_int.h"

/* Drop "@name: " from the start of @why: the caller names the file itself. */
static void drop_name(char *why, const char *name)
{
	size_t n = strlen(name);

	if (n && !strncmp(why, name, n) && why[n] == ':') {
		n++;
		while (why[n] == ' ')
			n++;
		memmove(why, why + n, strlen(why + n) + 1);
	}
}

int hwf_dl_verify_app(struct hwf_source *src, const char *label, const struct hwf_dload_cb *cb,
		      char *why, size_t whylen)
{
	struct hwf_err e = {0};
	struct hwf_app_check res;
	struct hwf_app *app;
	int rc;

	why[0] = '\0';
	rc = hwf_app_open(&app, src, &e);
	if (rc) {
		hwf_dl_say(why, whylen, "%s", e.msg);
		drop_name(why, hwf_source_name(src));
		return rc;
	}
	hwf_dl_begin(cb, label);
	rc = hwf_app_verify(app, NULL, 0, &res, cb ? cb->progress : NULL, cb ? cb->ctx : NULL, &e);
	hwf_dl_end(cb);
	if (rc) {
		hwf_dl_say(why, whylen, "%s", e.msg);
		drop_name(why, hwf_source_name(src));
		hwf_app_close(app);
		return rc;
	}
	if (!res.ok) {
		rc = HWF_ECRC;
		for (size_t i = 0; i < hwf_app_count(app) && !why[0]; i++) {
			const struct hwf_app_entry_check *r = &res.entries[i];

			if (!hwf_app_entry_ok(r))
				hwf_dl_say(why, whylen, "entry %s: %s", hwf_app_entry(app, i)->name,
					   r->msg);
		}
		if (!why[0])
			hwf_dl_say(why, whylen, "%s", res.crc_entry_msg);
	}
	hwf_app_check_free(&res);
	hwf_app_close(app);
	return rc;
}

int hwf_dl_verify_zip(const char *path, const struct hwf_dload_cb *cb, char *why, size_t whylen)
{
	struct hwf_err e = {0};
	struct hwf_pkg pkg;
	int rc = hwf_pkg_open(&pkg, path, NULL, &e);

	if (rc) {
		hwf_dl_say(why, whylen, "%s", e.msg);
		drop_name(why, path);
		return rc;
	}
	rc = hwf_dl_verify_app(pkg.src, "verifying", cb, why, whylen);
	hwf_pkg_close(&pkg);
	return rc;
}

int hwf_dl_verify_inner(struct hwf_download *dl, const char *member, const struct hwf_dload_cb *cb,
			char *why, size_t whylen)
{
	struct hwf_err e = {0};
	struct hwf_pkg pkg;
	size_t ml = strlen(member);
	int rc, pick = -1;

	for (size_t i = 0; i < hwf_download_count(dl) && pick < 0; i++) {
		const struct hwf_download_pkg *p = hwf_download_pkg(dl, i);

		if (!p->foreign && !strncmp(p->path, member, ml) && p->path[ml] == '/' &&
		    !strchr(p->path + ml + 1, '/'))
			pick = (int)i;
	}
	/*
	 * None: a zip without UPDATE.APP (copied as it is), or one that could
	 * not be read (broken, a bomb): that one is refused.  The download keeps
	 * the first such zip only.
	 */
	if (pick < 0) {
		if (hwf_download_skipped(dl, &e) && strstr(e.msg, member)) {
			hwf_dl_say(why, whylen, "%s", e.msg);
			return e.code ? e.code : HWF_EFORMAT;
		}
		return HWF_ENOTFOUND;
	}
	/* Through @dl: the inner zip's bytes are those the CRC pass inflated. */
	rc = hwf_pkg_open_in(&pkg, dl, (size_t)pick, 1, &e);
	if (rc) {
		hwf_dl_say(why, whylen, "%s", e.msg);
		return rc;
	}
	rc = hwf_dl_verify_app(pkg.src, "verifying", cb, why, whylen);
	if (rc) {
		char inner[HWF_ERR_MSG_MAX];

		snprintf(inner, sizeof(inner), "%s", why);
		hwf_dl_say(why, whylen, "%s: %s", pkg.label, inner);
	}
	hwf_pkg_close(&pkg);
	return rc;
}

int hwf_dl_verify_copy(const struct hwf_dload_item *it, struct hwf_source *copy,
		       const struct hwf_dload_cb *cb, char *why, size_t whylen)
{
	uint8_t *buf;
	uLong crc = crc32(0, NULL, 0);
	struct hwf_err e = {0};
	int rc = 0;

	why[0] = '\0';
	if (hwf_source_size(copy) != it->size) {
		hwf_dl_say(why, whylen, "%llu bytes on the card, %llu expected",
			   (unsigned long long)hwf_source_size(copy), (unsigned long long)it->size);
		return HWF_ETRUNC;
	}
	if (it->kind == HWF_DLOAD_APP)
		return hwf_dl_verify_app(copy, "reading back", cb, why, whylen);
	buf = malloc(HWF_DL_COPY_BUF);
	if (!buf) {
		hwf_dl_say(why, whylen, "out of memory");
		return HWF_ENOMEM;
	}
	hwf_dl_begin(cb, "reading back");
	for (uint64_t off = 0; off < it->size && !rc;) {
		size_t n =
		    it->size - off < HWF_DL_COPY_BUF ? (size_t)(it->size - off) : HWF_DL_COPY_BUF;

		rc = hwf_source_read_exact(copy, buf, n, off, &e);
		if (rc)
			hwf_dl_say(why, whylen, "%s", e.msg);
		crc = crc32(crc, buf, (uInt)n);
		off += n;
		hwf_dl_update(cb, off, it->size);
	}
	hwf_dl_end(cb);
	free(buf);
	if (!rc && (uint32_t)crc != it->crc) {
		hwf_dl_say(why, whylen,
			   "the bytes read back differ from the source (CRC-32 %08x, "
			   "expected %08x)",
			   (unsigned)crc, it->crc);
		rc = HWF_ECRC;
	}
	return rc;
}

/* CRC-32 of all of @src (@size bytes) into @it->crc. */
static int crc_of(struct hwf_dload_item *it, struct hwf_source *src, uint8_t *buf,
		  struct hwf_err *e)
{
	uLong crc = crc32(0, NULL, 0);

	for (uint64_t off = 0; off < it->size;) {
		size_t n =
		    it->size - off < HWF_DL_COPY_BUF ? (size_t)(it->size - off) : HWF_DL_COPY_BUF;
		int rc = hwf_source_read_exact(src, buf, n, off, e);

		if (rc)
			return rc;
		crc = crc32(crc, buf, (uInt)n);
		off += n;
	}
	it->crc = (uint32_t)crc;
	return 0;
}

static int verify_item(struct hwf_dload_plan *p, struct hwf_dload_item *it, struct hwf_source *src,
		       uint8_t *buf, const struct hwf_dload_cb *cb, struct hwf_err *e)
{
	char why[HWF_ERR_MSG_MAX], label[64];
	int rc;

	/* Before reading gigabytes: no card can take it (zip64 members, big files). */
	if (it->size > HWF_DLOAD_FAT_MAX_FILE)
		return hwf_err_set(e, HWF_EUNSUPPORTED,
				   "%s: %llu bytes: FAT32 cannot hold a file of 4 GiB or more; "
				   "nothing was written",
				   hwf_source_name(src), (unsigned long long)it->size);
	if (it->kind == HWF_DLOAD_APP) {
		snprintf(label, sizeof(label), "verifying %.40s", it->rel);
		rc = hwf_dl_verify_app(src, label, cb, why, sizeof(why));
		if (rc)
			return hwf_err_set(e, rc, "%s: %s; nothing was written to the card",
					   hwf_source_name(src), why);
		return 0;
	}
	rc = crc_of(it, src, buf, e);
	if (rc)
		return rc;
	/*
	 * A zip on disk can be opened: verify the UPDATE.APP inside too (a zip
	 * without one, HWF_ENOTFOUND, is copied as it is).
	 */
	if (it->kind == HWF_DLOAD_SDZIP && !it->member[0]) {
		rc = hwf_dl_verify_zip(it->path, cb, why, sizeof(why));
		if (rc < 0 && rc != HWF_ENOTFOUND)
			return hwf_err_set(e, rc, "%s: %s; nothing was written to the card",
					   it->path, why);
	}
	/* An update_sd zip inside a download: its UPDATE.APP, through the zip. */
	if (it->kind == HWF_DLOAD_SDZIP && it->member[0]) {
		rc = p->dl ? hwf_dl_verify_inner(p->dl, it->member, cb, why, sizeof(why))
			   : HWF_ENOTFOUND;
		if (rc < 0 && rc != HWF_ENOTFOUND)
			return hwf_err_set(e, rc, "%s; nothing was written to the card", why);
	}
	return 0;
}

int hwf_dload_plan_verify(struct hwf_dload_plan *p, const struct hwf_dload_cb *cb,
			  struct hwf_err *e)
{
	uint8_t *buf = malloc(HWF_DL_COPY_BUF);
	struct hwf_err local = {0};
	int rc = 0;

	if (!e)
		e = &local;
	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	p->verified = 0;
	p->total = 0;
	rc = hwf_dl_plan_download(p, e);
	for (size_t i = 0; i < p->n && !rc; i++) {
		struct hwf_dload_item *it = &p->it[i];
		struct hwf_source *src;

		rc = hwf_dl_open_item(p, it, &src, e);
		if (rc)
			break;
		it->size = hwf_source_size(src);
		p->total += it->size;
		rc = verify_item(p, it, src, buf, cb, e);
		hwf_source_close(src);
	}
	free(buf);
	if (!rc)
		p->verified = 1;
	return rc;
}
