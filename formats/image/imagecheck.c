// SPDX-License-Identifier: MIT
/*
 * The image checker: sniff the content, then check the structure of what
 * it is (boot image layout against the file size, the v0-v2 id, the AVB
 * footer and its hash descriptor), and the user's own expectations
 * (partition, SHA-256).  Every finding is a sentence for a person.
 */
#include "formats/image/imagecheck.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/image/avb.h"
#include "formats/image/bootimg.h"
#include "formats/image/liblp.h"
#include "formats/core/digest.h"
#include "formats/core/text.h"
#include "formats/image/partimage.h"
#include "formats/image/partkind.h"
#include "formats/image/ramdisk.h"
#include "formats/image/sparse.h"

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

/*
 * "3.8 MiB (4005888 bytes)", "20 KiB (20480 bytes)", "1000 bytes": exact
 * below 1 KiB, never "0.0 MiB" for a small size.  KiB are cut, not rounded,
 * so that 1048575 bytes do not read as 1024.0 KiB.
 */
static void size_text(uint64_t n, char *buf, size_t len)
{
	if (n >= (1ull << 30))
		snprintf(buf, len, "%.1f GiB (%llu bytes)", (double)n / (double)(1ull << 30),
			 (unsigned long long)n);
	else if (n >= (1ull << 20))
		snprintf(buf, len, "%.1f MiB (%llu bytes)", (double)n / (1024.0 * 1024.0),
			 (unsigned long long)n);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, len, "%llu KiB (%llu bytes)", (unsigned long long)(n / 1024),
			 (unsigned long long)n);
	else if (n >= 1024)
		snprintf(buf, len, "%llu.%llu KiB (%llu bytes)", (unsigned long long)(n / 1024),
			 (unsigned long long)(n % 1024 * 10 / 1024), (unsigned long long)n);
	else
		snprintf(buf, len, "%llu byte%s", (unsigned long long)n, n == 1 ? "" : "s");
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

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/*
 * The v0-v2 id is a digest of the sections made when the image was made: a
 * non-zero id that matches no known way of computing it means a section
 * changed since (a damaged copy, or a repack that kept the old id, as
 * abootimg -u does).  Ways and their sources: bootimg.c.
 */
static void check_boot_id(struct hwf_source *src, const struct hwf_bootimg *b,
			  struct hwf_image_report *r, struct hwf_err *e)
{
	struct hwf_bootimg_id id;
	char have[65], want[41];

	if (hwf_bootimg_check_id(src, b, &id, e)) {
		add(r, HWF_SEV_ERROR, "%s", e->msg);
		return;
	}
	switch (id.match) {
	case HWF_BOOTIMG_ID_ZERO:
		add(r, HWF_SEV_INFO, "the header's id is all zero (the tool that made the image "
				     "left it empty): nothing to compare the sections with");
		break;
	case HWF_BOOTIMG_ID_MISMATCH:
		hex(b->id, 20, have);
		hex(id.sha1, 20, want);
		add(r, HWF_SEV_ERROR,
		    "kernel, ramdisk or another section changed after the image was made: the "
		    "header's id %s does not match the contents (SHA-1 %s); a damaged copy, or a "
		    "repack that kept the old id",
		    have, want);
		break;
	case HWF_BOOTIMG_ID_SHA1:
	case HWF_BOOTIMG_ID_SHA1_DT:
		add(r, HWF_SEV_INFO, "SHA-1 id matches the contents");
		break;
	default:
		add(r, HWF_SEV_INFO, "id matches the contents (%s)", hwf_bootimg_id_how(id.match));
		break;
	}
}

/*
 * Bytes after the image's declared end (before an AVB footer's vbmeta):
 * zeros are padding (a partition dump); anything else is what "re-append
 * the signature" guides add, which image repack --append-signature puts back.
 */
static void check_trailer(struct hwf_source *src, uint64_t end, uint64_t limit,
			  struct hwf_image_report *r, struct hwf_err *e)
{
	uint8_t buf[65536];
	char a[64];

	for (uint64_t off = end; off < limit;) {
		size_t n = limit - off < sizeof(buf) ? (size_t)(limit - off) : sizeof(buf);

		if (hwf_source_read_exact(src, buf, n, off, e)) {
			add(r, HWF_SEV_ERROR, "%s", e->msg);
			return;
		}
		for (size_t k = 0; k < n; k++)
			if (buf[k]) {
				add(r, HWF_SEV_WARN, "%llu bytes after the image: an appended signature?",
				    (unsigned long long)(limit - end));
				return;
			}
		off += n;
	}
	size_text(limit - end, a, sizeof(a));
	add(r, HWF_SEV_INFO, "%s of zeros after the image (padding)", a);
}

static void check_bootimg(struct hwf_source *src, const char *fn, struct hwf_image_report *r,
			  const struct hwf_image_check_opts *o, uint64_t limit, struct hwf_err *e)
{
	struct hwf_bootimg b;
	char a[64], c[64];

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
		size_text(b.needed, a, sizeof(a));
		size_text(limit, c, sizeof(c));
		add(r, HWF_SEV_ERROR, "truncated: header says %s, file has %s", a, c);
		return;
	}
	if (limit > b.needed)
		check_trailer(src, b.needed, limit, r, e);
	for (size_t i = 0; i < b.nsec; i++)
		if (!strcmp(b.sec[i].name, b.vendor ? "vendor_ramdisk" : "ramdisk") &&
		    b.sec[i].size == 0)
			add(r, HWF_SEV_WARN, "%s: the ramdisk is empty", fn);
	check_ramdisk(src, &b, o, r, e);
	if (!b.vendor && b.header_version < 3)
		check_boot_id(src, &b, r, e);
}

/* Facts every vbmeta has: algorithm, key, flags, fingerprint and the device it was built for. */
static void vbmeta_facts(const struct hwf_avb_info *info, const struct hwf_image_check_opts *o,
			 struct hwf_image_report *r)
{
	if (info->has_key) {
		char h[41];

		hex(info->key_sha1, 20, h);
		add(r, HWF_SEV_INFO, "embedded public key SHA-1 %s", h);
	}
	if (info->fingerprint[0])
		add(r, HWF_SEV_INFO, "build fingerprint %s", info->fingerprint);
	if (o->product && info->fingerprint[0] && !related(info->fingerprint, o->product))
		add(r, HWF_SEV_WARN,
		    "built for %s, not for product %s: an image for another device is the "
		    "usual cause of \"verify failed\"",
		    info->fingerprint, o->product);
	if (info->flags & 3)
		add(r, HWF_SEV_WARN, "vbmeta flags %u disable %s: only an unlocked bootloader "
				     "boots with them", info->flags,
		    (info->flags & 3) == 3 ? "verity and verification"
		    : info->flags & 2      ? "verification"
					   : "verity (the hashtree)");
}

/*
 * The signature of the vbmeta at [@off, @off + @len), and the user's key.
 * The header and the auxiliary block are hashed, the hash is signed: any
 * changed byte there, in the hash or in the signature fails.
 */
static void check_signature(struct hwf_source *src, uint64_t off, uint64_t len,
			    const struct hwf_avb_info *info, const struct hwf_image_check_opts *o,
			    struct hwf_image_report *r, struct hwf_err *e)
{
	const char *alg = hwf_avb_algorithm_name(info->algorithm);
	enum hwf_avb_sig sig;

	r->has_vbmeta = 1;
	if (hwf_avb_verify_signature(src, off, len, o->key_path, &sig, e)) {
		add(r, HWF_SEV_ERROR, "%s", e->msg);
		return;
	}
	/* A digest found changed before (check_avb) stays BROKEN. */
	if (r->sign != HWF_SIGN_BROKEN)
		r->sign = sig == HWF_AVB_SIG_OK || sig == HWF_AVB_SIG_OTHER_KEY ? HWF_SIGN_VALID
			  : sig == HWF_AVB_SIG_NONE			     ? HWF_SIGN_UNSIGNED
									     : HWF_SIGN_BROKEN;
	switch (sig) {
	case HWF_AVB_SIG_NONE:
		if (o->key_path)
			add(r, HWF_SEV_ERROR,
			    "not signed: the vbmeta's algorithm is NONE, so it cannot match your "
			    "key %s",
			    o->key_path);
		else
			add(r, HWF_SEV_WARN,
			    "vbmeta is not signed (algorithm NONE): a locked bootloader rejects it");
		break;
	case HWF_AVB_SIG_BAD_HASH:
		add(r, HWF_SEV_ERROR,
		    "vbmeta signature does not verify: the header or the auxiliary block (keys, "
		    "descriptors) was changed after signing, their %s hash differs",
		    info->algorithm >= 4 ? "SHA-512" : "SHA-256");
		break;
	case HWF_AVB_SIG_BAD_STORED_HASH:
		add(r, HWF_SEV_ERROR,
		    "vbmeta's stored hash is damaged: the signature still matches the contents, but "
		    "a bootloader compares the stored hash first and rejects it");
		break;
	case HWF_AVB_SIG_BAD:
		add(r, HWF_SEV_ERROR,
		    "vbmeta signature does not verify with its own public key (%s): the signature "
		    "was damaged or replaced",
		    alg);
		break;
	case HWF_AVB_SIG_BAD_KEY:
		add(r, HWF_SEV_ERROR,
		    "the vbmeta's public key carries precomputed values (n0inv, rr) that do not "
		    "belong to its modulus: a bootloader's libavb would reject the signature");
		break;
	case HWF_AVB_SIG_FLAGS_CHANGED:
		add(r, o->key_path ? HWF_SEV_ERROR : HWF_SEV_WARN,
		    "vbmeta flags were set to %u after signing (as fastboot --disable-verity or "
		    "--disable-verification do): the rest verifies, the signature no longer does; "
		    "only an unlocked bootloader accepts it",
		    info->flags);
		break;
	case HWF_AVB_SIG_OTHER_KEY:
		add(r, HWF_SEV_ERROR,
		    "signed, but not by %s: signed with a different key (its SHA-1 is shown "
		    "above)",
		    o->key_path);
		break;
	case HWF_AVB_SIG_OK:
		if (o->key_path && r->sign == HWF_SIGN_BROKEN)
			add(r, HWF_SEV_INFO,
			    "the vbmeta is signed by %s, but it no longer matches the image (above)",
			    o->key_path);
		else if (o->key_path)
			add(r, HWF_SEV_INFO, "signed by %s: the vbmeta signature verifies with it",
			    o->key_path);
		else if (r->sign == HWF_SIGN_BROKEN)
			add(r, HWF_SEV_INFO,
			    "the vbmeta itself is intact (its signature verifies with its embedded "
			    "key), but it describes the image as it was before the change");
		else
			add(r, HWF_SEV_INFO,
			    "vbmeta signature verifies with the embedded key (integrity only: give "
			    "--key to check who signed it)");
		break;
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
		if (is_boot_partition(o->partition)) {
			r->sign = HWF_SIGN_REPACKED;
			add(r, HWF_SEV_WARN,
			    "no AVB footer and no signature: a repacked image; a locked bootloader "
			    "will reject it");
		}
		return size;
	}
	r->has_vbmeta = 1;
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
	add(r, HWF_SEV_INFO, "AVB footer: image %llu bytes, vbmeta %llu bytes, algorithm %s",
	    (unsigned long long)f.original_image_size, (unsigned long long)f.vbmeta_size,
	    info.algorithm ? hwf_avb_algorithm_name(info.algorithm) : "NONE (not signed)");
	vbmeta_facts(&info, o, r);
	if (!info.has_hash && info.n_hashtree) {
		/* System, vendor ... images: the device checks their blocks as it reads them. */
		add(r, HWF_SEV_INFO,
		    "AVB hashtree image (%s): the device verifies its blocks as it reads them "
		    "(dm-verity); the tree is not recomputed here",
		    info.partitions);
	} else if (!info.has_hash) {
		add(r, HWF_SEV_ERROR, "AVB vbmeta has no hash descriptor for the image");
	} else {
		if (info.image_size != f.original_image_size)
			add(r, HWF_SEV_ERROR,
			    "AVB hash descriptor covers %llu bytes, the footer says %llu",
			    (unsigned long long)info.image_size,
			    (unsigned long long)f.original_image_size);
		if (o->partition && strcmp(info.partition, o->partition) &&
		    !(is_boot_partition(o->partition) && is_boot_partition(info.partition)))
			add(r, HWF_SEV_ERROR, "%s is signed for partition '%s', not '%s'", fn,
			    info.partition, o->partition);
		else if (o->partition && strcmp(info.partition, o->partition))
			add(r, HWF_SEV_WARN, "%s is signed for partition '%s', flashing it to '%s'",
			    fn, info.partition, o->partition);
		if (hwf_avb_check_digest(src, f.vbmeta_offset, f.vbmeta_size, &info, progress,
					 pctx, e))
			add(r, HWF_SEV_ERROR, "%s", e->msg);
		else if (!info.digest_ok && (r->sign = HWF_SIGN_BROKEN))
			add(r, HWF_SEV_ERROR,
			    "the old signature no longer matches: the image was changed after it "
			    "was signed (its %s digest differs from the one in its vbmeta, as after "
			    "a repack that kept the old vbmeta); a locked bootloader will refuse "
			    "this image",
			    info.hash_alg);
		else
			add(r, HWF_SEV_INFO, "AVB %s digest matches", info.hash_alg);
	}
	check_signature(src, f.vbmeta_offset, f.vbmeta_size, &info, o, r, e);
	return f.original_image_size;
}

/*
 * A vbmeta partition image (AVB0 at byte 0): the structure as libavb
 * checks it, what it covers, its signature and the user's key.  A
 * bootloader reads the blob and ignores what follows it.
 */
static void check_vbmeta_image(struct hwf_source *src, const char *fn,
			       const struct hwf_image_check_opts *o, struct hwf_image_report *r,
			       struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src), blob;
	struct hwf_avb_info info;
	char a[64], c[64];

	r->has_vbmeta = 1;
	if (hwf_avb_vbmeta_size(src, 0, size, &blob, e) ||
	    hwf_avb_parse_vbmeta(src, 0, blob, &info, e)) {
		add(r, HWF_SEV_ERROR, "%s", e->msg);
		return;
	}
	size_text(blob, a, sizeof(a));
	add(r, HWF_SEV_INFO, "vbmeta image: %s, algorithm %s, rollback index %llu (location %u)",
	    a, info.algorithm ? hwf_avb_algorithm_name(info.algorithm) : "NONE (not signed)",
	    (unsigned long long)info.rollback_index, info.rollback_location);
	if (info.ndesc)
		add(r, HWF_SEV_INFO, "%u descriptor%s; partitions: %s", info.ndesc,
		    info.ndesc == 1 ? "" : "s", info.partitions[0] ? info.partitions : "none");
	else
		add(r, HWF_SEV_WARN, "vbmeta has no descriptors: it verifies no partition");
	vbmeta_facts(&info, o, r);
	check_signature(src, 0, blob, &info, o, r, e);
	if (size - blob > (16u << 20)) {
		size_text(size, c, sizeof(c));
		add(r, HWF_SEV_WARN,
		    "%s is %s, its vbmeta only %s: a vbmeta partition image is small; is this "
		    "the right file?",
		    fn, c, a);
	} else {
		uint8_t buf[65536];

		for (uint64_t off = blob; off < size;) {
			size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
			size_t k = 0;

			if (hwf_source_read_exact(src, buf, n, off, e)) {
				add(r, HWF_SEV_ERROR, "%s", e->msg);
				return;
			}
			while (k < n && !buf[k])
				k++;
			if (k < n) {
				add(r, HWF_SEV_WARN,
				    "data after the vbmeta (byte %llu is not zero): the bootloader "
				    "ignores it",
				    (unsigned long long)(off + k));
				break;
			}
			off += n;
		}
	}
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

static void on_lp_finding(void *ctx, int severity, const char *text)
{
	add(ctx,
	    severity == HWF_LP_ERROR  ? HWF_SEV_ERROR
	    : severity == HWF_LP_WARN ? HWF_SEV_WARN
				      : HWF_SEV_INFO,
	    "%s", text);
}

/*
 * A liblp super image or super_empty.img, raw or sparse: every geometry
 * and metadata copy, every extent (liblp_check.c), and its partitions in
 * one line.
 */
static void check_liblp(struct hwf_source *src, struct hwf_part_content *c,
			struct hwf_image_report *r, struct hwf_err *e)
{
	const struct hwf_lp_metadata *m;
	struct hwf_lp *lp;
	char line[320], sz[32];
	size_t n = 0;
	int rc = hwf_lp_open(&lp, src, 0, e);

	if (rc) {
		add(r, HWF_SEV_ERROR, "%s", e->msg);
		return;
	}
	c->super_empty = hwf_lp_info(lp)->empty;
	rc = hwf_lp_check(lp, on_lp_finding, r, e);
	if (rc < 0)
		add(r, HWF_SEV_ERROR, "%s", e->msg);
	m = hwf_lp_metadata(lp);
	line[0] = '\0';
	for (uint32_t i = 0; i < m->npart && n < sizeof(line); i++) {
		hwf_size_text(m->part[i].size, sz, sizeof(sz));
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s %s", i ? ", " : "",
				      m->part[i].name, sz);
	}
	if (m->npart)
		add(r, HWF_SEV_INFO, "logical partitions: %s", line);
	hwf_lp_close(lp);
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
		if (hwf_lp_probe(src))
			check_liblp(src, &c, r, e);
		break;
	}
	case HWF_KIND_VBMETA:
		check_vbmeta_image(src, fn, o, r, e);
		break;
	case HWF_KIND_SUPER:
		check_liblp(src, &c, r, e);
		break;
	case HWF_KIND_EXT4:
	case HWF_KIND_EROFS:
	case HWF_KIND_F2FS:
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
	if (o->key_path && !r->has_vbmeta)
		add(r, HWF_SEV_ERROR,
		    "not signed: no AVB footer and no vbmeta, so there is no signature to check "
		    "against %s",
		    o->key_path);
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
