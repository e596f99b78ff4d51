// SPDX-License-Identifier: MIT
/*
 * The image checker: sniff the content, then check the structure of what
 * it is (boot image layout against the file size, the v0-v2 id, the AVB
 * footer and its hash descriptor), and the user's own expectations
 * (partition, SHA-256).  Every finding is a sentence for a person.
 */
#include "imagecheck.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "avb.h"
#include "bootimg.h"
#include "digest.h"
#include "partimage.h"
#include "partkind.h"
#include "ramdisk.h"
#include "sparse.h"

static void add(struct hwf_image_report *r, enum hwf_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct hwf_image_report *r, enum hwf_severity sev, const char *fmt, ...)
{
	va_list ap;

	if (sev == HWF_SEV_ERROR)
		r->ok = 0;
	if (r->nfind >= HWF_IMAGE_MAX_FINDINGS)
		return;
	r->find[r->nfind].severity = sev;
	va_start(ap, fmt);
	vsnprintf(r->find[r->nfind].text, sizeof(r->find[0].text), fmt, ap);
	va_end(ap);
	r->nfind++;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void mib(uint64_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f MiB", (double)n / (1024.0 * 1024.0));
}

/*
 * Does a board name or fingerprint look like it belongs to @product?
 * Huawei boards ("HWELE") and products ("ELE-L29") share the model code
 * before the dash, so that is what is compared.
 */
static int related(const char *text, const char *product)
{
	char model[32];
	size_t n = strcspn(product, "-_ ");

	if (n >= sizeof(model))
		n = sizeof(model) - 1;
	memcpy(model, product, n);
	model[n] = '\0';
	return strcasestr(text, product) || (n >= 2 && strcasestr(text, model));
}

/* A partition that takes an Android boot image (the table in partkind.c). */
static int is_boot_partition(const char *p)
{
	return p && hwf_part_takes_bootimg(hwf_part_lookup(p));
}

static int sha256_file(struct hwf_source *src, uint8_t out[32], hwf_progress_fn progress,
		       void *pctx, struct hwf_err *e)
{
	return hwf_digest_source(src, EVP_sha256(), NULL, 0, hwf_source_size(src), out, progress,
				 pctx, e);
}

static int is_recovery_partition(const char *p)
{
	return p && (hwf_part_lookup(p)->flags & HWF_PART_F_RECOVERY);
}

static void check_ramdisk(struct hwf_source *src, const struct hwf_bootimg *b,
			  const struct hwf_image_check_opts *o, struct hwf_image_report *r,
			  struct hwf_err *e)
{
	const struct hwf_bootimg_section *s =
		hwf_bootimg_section(b, b->vendor ? "vendor_ramdisk" : "ramdisk");
	struct hwf_ramdisk_info info;
	int rc;

	if (!s || !s->size)
		return;
	rc = hwf_ramdisk_inspect(src, s->offset, s->size, &info, e);
	if (rc == HWF_EUNSUPPORTED) {
		add(r, info.comp == HWF_RD_UNKNOWN ? HWF_SEV_WARN : HWF_SEV_INFO, "%s", e->msg);
		return;
	}
	if (rc) {
		add(r, HWF_SEV_ERROR, "%s", e->msg);
		return;
	}
	if (info.recovery)
		add(r, HWF_SEV_INFO, "ramdisk: %s cpio, %llu files, looks like a recovery (has %s)",
		    hwf_ramdisk_comp_name(info.comp), (unsigned long long)info.files, info.marker);
	else
		add(r, is_recovery_partition(o->partition) ? HWF_SEV_WARN : HWF_SEV_INFO,
		    "ramdisk: %s cpio, %llu files, no recovery in it (no sbin/recovery, "
		    "system/bin/recovery or init.recovery.*)%s",
		    hwf_ramdisk_comp_name(info.comp), (unsigned long long)info.files,
		    is_recovery_partition(o->partition) ? ": this looks like a boot image, not a "
							  "recovery"
							: "");
}

static void check_bootimg(struct hwf_source *src, const char *fn, struct hwf_image_report *r,
			  const struct hwf_image_check_opts *o, uint64_t limit, struct hwf_err *e)
{
	struct hwf_bootimg b;
	char a[32], c[32];
	uint8_t id[20], id2[20];

	if (hwf_bootimg_parse(src, &b, e)) {
		add(r, HWF_SEV_ERROR, "%s", e->msg);
		return;
	}
	if (o->product && b.name[0] && !related(b.name, o->product))
		add(r, HWF_SEV_WARN, "the header names board '%s', not product %s: check that the "
				     "image is for this device", b.name, o->product);
	add(r, HWF_SEV_INFO, "%s header v%u, page size %u%s%s%s", b.vendor ? "vendor_boot" : "boot image",
	    b.header_version, b.page_size, b.os_version[0] ? ", Android " : "", b.os_version,
	    b.legacy_dt_size ? " (legacy dt appended)" : "");
	if (b.needed > limit) {
		mib(b.needed, a, sizeof(a));
		mib(limit, c, sizeof(c));
		add(r, HWF_SEV_ERROR, "truncated: header says %s (%llu bytes), file has %s (%llu bytes)",
		    a, (unsigned long long)b.needed, c, (unsigned long long)limit);
		return;
	}
	for (size_t i = 0; i < b.nsec; i++)
		if (!strcmp(b.sec[i].name, b.vendor ? "vendor_ramdisk" : "ramdisk") &&
		    b.sec[i].size == 0)
			add(r, HWF_SEV_WARN, "%s: the ramdisk is empty", fn);
	check_ramdisk(src, &b, o, r, e);
	if (!b.vendor && b.header_version < 3 && hwf_bootimg_compute_id(src, &b, id, id2, e) == 0) {
		if (memcmp(id, b.id, 20) && memcmp(id2, b.id, 20))
			add(r, HWF_SEV_WARN,
			    "the SHA-1 id in the header does not match the contents (some vendors "
			    "fill it differently; a repacked image often has a stale one)");
		else
			add(r, HWF_SEV_INFO, "SHA-1 id matches the contents");
	}
}

/* Returns the end of the data the footer protects (or the file size). */
static uint64_t check_avb(struct hwf_source *src, const char *fn,
			  const struct hwf_image_check_opts *o, struct hwf_image_report *r,
			  hwf_progress_fn progress, void *pctx, struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src);
	struct hwf_avb_footer f;
	struct hwf_avb_info info;
	int rc = hwf_avb_read_footer(src, &f, e);

	if (rc < 0) {
		add(r, HWF_SEV_ERROR, "%s", e->msg);
		return size;
	}
	if (rc == 0) {
		if (is_boot_partition(o->partition))
			add(r, HWF_SEV_WARN,
			    "no AVB footer and no signature: a repacked image; a locked bootloader "
			    "will reject it");
		return size;
	}
	if (f.major > 1 || f.original_image_size > f.vbmeta_offset ||
	    f.vbmeta_offset > size - 64 || f.vbmeta_size > size - 64 - f.vbmeta_offset) {
		add(r, HWF_SEV_ERROR,
		    "AVB footer is inconsistent with the file (image %llu, vbmeta at %llu + %llu, "
		    "file %llu bytes)",
		    (unsigned long long)f.original_image_size, (unsigned long long)f.vbmeta_offset,
		    (unsigned long long)f.vbmeta_size, (unsigned long long)size);
		return size;
	}
	if (hwf_avb_parse_vbmeta(src, f.vbmeta_offset, f.vbmeta_size, &info, e)) {
		add(r, HWF_SEV_ERROR, "%s", e->msg);
		return f.original_image_size;
	}
	add(r, HWF_SEV_INFO, "AVB footer: image %llu bytes, vbmeta %llu bytes, algorithm %u%s",
	    (unsigned long long)f.original_image_size, (unsigned long long)f.vbmeta_size,
	    info.algorithm, info.algorithm ? "" : " (NONE: not signed)");
	if (info.has_key) {
		char hex[41];

		for (int i = 0; i < 20; i++)
			snprintf(hex + 2 * i, 3, "%02x", info.key_sha1[i]);
		add(r, HWF_SEV_INFO, "embedded public key SHA-1 %s", hex);
	}
	if (info.fingerprint[0])
		add(r, HWF_SEV_INFO, "build fingerprint %s", info.fingerprint);
	if (o->product && info.fingerprint[0] && !related(info.fingerprint, o->product))
		add(r, HWF_SEV_WARN,
		    "built for %s, not for product %s: an image for another device is the "
		    "usual cause of \"verify failed\"",
		    info.fingerprint, o->product);
	if (info.flags & 2)
		add(r, HWF_SEV_WARN, "vbmeta flags disable verification");
	if (!info.has_hash && !is_boot_partition(o->partition) && o->partition &&
	    hwf_part_lookup(o->partition)->cls != HWF_PART_VENDOR_BOOT) {
		/* System, vendor ... images carry a hashtree descriptor: the device
		 * checks their blocks as it reads them. */
		add(r, HWF_SEV_INFO, "AVB vbmeta without a hash descriptor (a hashtree image: "
				     "its blocks are verified by the device as they are read)");
		return f.original_image_size;
	}
	if (!info.has_hash) {
		add(r, HWF_SEV_ERROR, "AVB vbmeta has no hash descriptor for the image");
		return f.original_image_size;
	}
	if (info.image_size != f.original_image_size)
		add(r, HWF_SEV_ERROR, "AVB hash descriptor covers %llu bytes, the footer says %llu",
		    (unsigned long long)info.image_size,
		    (unsigned long long)f.original_image_size);
	if (o->partition && strcmp(info.partition, o->partition) &&
	    !(is_boot_partition(o->partition) && is_boot_partition(info.partition)))
		add(r, HWF_SEV_ERROR, "%s is signed for partition '%s', not '%s'", fn,
		    info.partition, o->partition);
	else if (o->partition && strcmp(info.partition, o->partition))
		add(r, HWF_SEV_WARN, "%s is signed for partition '%s', flashing it to '%s'", fn,
		    info.partition, o->partition);
	if (hwf_avb_check_digest(src, f.vbmeta_offset, f.vbmeta_size, &info, progress, pctx, e))
		add(r, HWF_SEV_ERROR, "%s", e->msg);
	else if (!info.digest_ok)
		add(r, HWF_SEV_ERROR,
		    "AVB %s digest of the image differs from the one in vbmeta: the image was "
		    "changed after signing",
		    info.hash_alg);
	else
		add(r, HWF_SEV_INFO, "AVB %s digest matches", info.hash_alg);
	{
		enum hwf_avb_sig sig;

		if (hwf_avb_verify_signature(src, f.vbmeta_offset, f.vbmeta_size, o->key_path, &sig,
					     e))
			add(r, HWF_SEV_ERROR, "%s", e->msg);
		else if (sig == HWF_AVB_SIG_NONE)
			add(r, o->key_path ? HWF_SEV_ERROR : HWF_SEV_WARN,
			    "vbmeta is not signed (algorithm NONE)%s",
			    o->key_path ? ", so it cannot match your key" : "");
		else if (sig == HWF_AVB_SIG_OTHER_KEY)
			add(r, HWF_SEV_ERROR,
			    "signed with a different key than %s (the image's key has SHA-1 shown "
			    "above)",
			    o->key_path);
		else if (sig == HWF_AVB_SIG_BAD)
			add(r, HWF_SEV_ERROR,
			    "vbmeta signature does not verify: the vbmeta was changed after signing");
		else
			add(r, HWF_SEV_INFO, "vbmeta signature verifies with %s",
			    o->key_path ? o->key_path : "the embedded key (integrity only: give "
							"--key to check who signed it)");
	}
	return f.original_image_size;
}

/* What partkind's table needs to know about a boot image's content. */
static void bootimg_content(struct hwf_source *src, struct hwf_part_content *c)
{
	struct hwf_bootimg b;
	const struct hwf_bootimg_section *k, *rd;

	if (hwf_bootimg_parse(src, &b, NULL))
		return;
	k = hwf_bootimg_section(&b, "kernel");
	rd = hwf_bootimg_section(&b, "ramdisk");
	c->bootimg_ok = 1;
	c->header_version = b.legacy_dt_size ? 0 : b.header_version;
	c->kernel_size = k ? k->size : 0;
	c->ramdisk_size = rd ? rd->size : 0;
}

/* ext4, erofs, f2fs, super, DTBO: the size the header gives against the file. */
static void check_partimage(struct hwf_source *src, enum hwf_kind kind, uint64_t limit,
			    struct hwf_part_content *c, struct hwf_image_report *r,
			    struct hwf_err *e)
{
	struct hwf_partimage_info pi;

	if (hwf_partimage_check(src, kind, limit, &pi, e)) {
		add(r, HWF_SEV_ERROR, "%s", e->msg);
		return;
	}
	c->super_empty = pi.super_empty;
	add(r, HWF_SEV_INFO, "%s", pi.what);
}

/*
 * The partition fit from the one table (partkind.c): an error when the
 * content cannot belong to the partition, a warning when it is suspicious.
 */
static void check_fit(const char *fn, const struct hwf_image_check_opts *o,
		      const struct hwf_part_content *c, struct hwf_image_report *r)
{
	char why[256];
	enum hwf_fit fit;

	if (!o->partition)
		return;
	fit = hwf_part_fit(hwf_part_lookup(o->partition), o->partition, c, why, sizeof(why));
	if (fit != HWF_FIT_OK)
		add(r, fit == HWF_FIT_ERROR ? HWF_SEV_ERROR : HWF_SEV_WARN, "%s: %s", fn, why);
}

int hwf_image_check(struct hwf_source *src, const struct hwf_image_check_opts *o,
		    struct hwf_image_report *r, hwf_progress_fn progress, void *pctx,
		    struct hwf_err *e)
{
	static const struct hwf_image_check_opts none;
	const char *fn = base(hwf_source_name(src));
	struct hwf_part_content c = { 0 };
	struct hwf_sniff sn;
	char why[256];
	uint64_t limit;
	int rc;

	if (!o)
		o = &none;
	memset(r, 0, sizeof(*r));
	r->ok = 1;
	rc = hwf_sniff_source(src, &sn, e);
	if (rc)
		return rc;
	r->kind = sn.kind;
	c.kind = sn.kind;
	c.inner = sn.inner;
	/* First the full check of the kind the content is, whatever the partition. */
	switch (sn.kind) {
	case HWF_KIND_BOOTIMG:
	case HWF_KIND_VENDOR_BOOT:
		limit = check_avb(src, fn, o, r, progress, pctx, e);
		check_bootimg(src, fn, r, o, limit, e);
		if (sn.kind == HWF_KIND_BOOTIMG)
			bootimg_content(src, &c);
		break;
	case HWF_KIND_AVB_FOOTER:
		limit = check_avb(src, fn, o, r, progress, pctx, e);
		switch (sn.inner) {
		case HWF_KIND_EXT4:
		case HWF_KIND_EROFS:
		case HWF_KIND_F2FS:
		case HWF_KIND_DTBO:
			/* The image proper ends where the footer's image size says. */
			check_partimage(src, sn.inner, limit, &c, r, e);
			break;
		default:
			break;
		}
		break;
	case HWF_KIND_SPARSE: {
		uint64_t raw;

		/* Header, every chunk header against the file, the block and chunk
		 * counts: chunk headers only, never the data. */
		if (hwf_sparse_validate(src, &raw, e)) {
			add(r, HWF_SEV_ERROR, "%s", e->msg);
			break;
		}
		add(r, HWF_SEV_INFO, "sparse image, expands to %.1f MiB; every chunk checked",
		    (double)raw / (1024.0 * 1024.0));
		break;
	}
	case HWF_KIND_EXT4:
	case HWF_KIND_EROFS:
	case HWF_KIND_F2FS:
	case HWF_KIND_SUPER:
	case HWF_KIND_DTBO:
		check_partimage(src, sn.kind, hwf_source_size(src), &c, r, e);
		break;
	case HWF_KIND_EMPTY:
	case HWF_KIND_HTML:
	case HWF_KIND_TEXT:
	case HWF_KIND_ZIP:
	case HWF_KIND_UPDATE_APP:
		/* Refused for every partition. */
		hwf_sniff_explain(&sn, why, sizeof(why));
		add(r, HWF_SEV_ERROR, "%s %s", fn, why);
		break;
	default:
		/* vbmeta, gzip, lz4, ELF, zeros, unrecognised data: no structure
		 * of their own to check here; the partition decides. */
		break;
	}
	/* Then whether that content can belong to the partition. */
	check_fit(fn, o, &c, r);
	if (o->sha256_hex) {
		uint8_t d[32];
		char hex[65];

		rc = sha256_file(src, d, progress, pctx, e);
		if (rc)
			return rc;
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", d[i]);
		if (strcasecmp(hex, o->sha256_hex))
			add(r, HWF_SEV_ERROR, "SHA-256 differs from the one you gave (file has %s)", hex);
		else
			add(r, HWF_SEV_INFO, "SHA-256 matches the one you gave");
	}
	return 0;
}
