// SPDX-License-Identifier: MIT
/*
 * The manifest of an unpacked image: reader and writer (format: manifest.h).
 * The reader trusts nothing: every line, number and name is checked before
 * the repack reads a single byte of a section.
 */
#include "formats/image/manifest.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/text.h"
#include "formats/image/bootimg_build.h"

static const char *const sec_names[HWF_MF_NSEC] = {
    [HWF_MF_KERNEL] = "kernel",
    [HWF_MF_RAMDISK] = "ramdisk",
    [HWF_MF_SECOND] = "second",
    [HWF_MF_DT] = "dt",
    [HWF_MF_RECOVERY_DTBO] = "recovery_dtbo",
    [HWF_MF_DTB] = "dtb",
    [HWF_MF_SIGNATURE] = "signature",
    [HWF_MF_VENDOR_RAMDISK] = "vendor_ramdisk",
    [HWF_MF_VENDOR_RAMDISK_TABLE] = "vendor_ramdisk_table",
    [HWF_MF_BOOTCONFIG] = "bootconfig",
};

const char *hwf_mf_sec_name(enum hwf_mf_sec s)
{
	return (unsigned)s < HWF_MF_NSEC ? sec_names[s] : "?";
}

static const char *const comp_words[] = {
    [HWF_RD_UNKNOWN] = "unknown",     [HWF_RD_GZIP] = "gzip", [HWF_RD_LZ4_LEGACY] = "lz4-legacy",
    [HWF_RD_LZ4_FRAME] = "lz4-frame", [HWF_RD_CPIO] = "none",
};

const char *hwf_mf_comp_word(enum hwf_ramdisk_comp c)
{
	return (unsigned)c < sizeof(comp_words) / sizeof(comp_words[0]) ? comp_words[c] : "unknown";
}

static const char *const id_words[] = {
    [HWF_MF_ID_ZERO] = "zero",		 [HWF_MF_ID_SHA1] = "sha1",
    [HWF_MF_ID_SHA1_DT] = "sha1-dt",	 [HWF_MF_ID_SHA256] = "sha256",
    [HWF_MF_ID_SHA256_DT] = "sha256-dt",
};

const char *hwf_mf_id_word(enum hwf_mf_id id)
{
	return (unsigned)id < sizeof(id_words) / sizeof(id_words[0]) && id_words[id] ? id_words[id]
										     : "?";
}

void hwf_manifest_init(struct hwf_manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->page_size = HWF_MKBOOTIMG_PAGE;
	m->base = HWF_MKBOOTIMG_BASE;
	m->kernel_offset = HWF_MKBOOTIMG_KERNEL_OFF;
	m->ramdisk_offset = HWF_MKBOOTIMG_RAMDISK_OFF;
	m->second_offset = HWF_MKBOOTIMG_SECOND_OFF;
	m->tags_offset = HWF_MKBOOTIMG_TAGS_OFF;
	m->dtb_offset = HWF_MKBOOTIMG_DTB_OFF;
	m->recovery_dtbo_auto = 1;
	m->id_mode = HWF_MF_ID_SHA1;
	m->vrd_entry_size = 108;
	m->avb.major = 1;
}

/* ---- reader ---- */

struct rd {
	const char *name;
	unsigned line;
	struct hwf_err *e;
};

static int bad(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct rd *r, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->line)
		return hwf_err_set(r->e, HWF_EFORMAT, "%s line %u: %s", r->name, r->line, msg);
	return hwf_err_set(r->e, HWF_EFORMAT, "%s: %s", r->name, msg);
}

/* Unescape @v (@n chars) into @out (at most @cap bytes). */
static int unescape(struct rd *r, const char *key, const char *v, size_t n, uint8_t *out,
		    size_t cap, size_t *outlen)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)v[i];

		if (c == '\\') {
			if (i + 1 >= n)
				return bad(r, "%s: a '\\' ends the value", key);
			c = (uint8_t)v[++i];
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 'r')
				c = '\r';
			else if (c == 'x') {
				if (i + 2 >= n || hwf_hex_digit(v[i + 1]) < 0 || hwf_hex_digit(v[i + 2]) < 0)
					return bad(r, "%s: \\x needs two hex digits", key);
				c = (uint8_t)(hwf_hex_digit(v[i + 1]) << 4 | hwf_hex_digit(v[i + 2]));
				i += 2;
			} else if (c != '\\')
				return bad(r, "%s: unknown escape '\\%c'", key, c);
		} else if (c < 0x20 || c == 0x7f) {
			return bad(r, "%s: a control byte in the value (escape it as \\x%02x)", key,
				   c);
		}
		if (k >= cap)
			return bad(r, "%s: longer than the %zu bytes the field holds", key, cap);
		out[k++] = c;
	}
	*outlen = k;
	return 0;
}

static int num(struct rd *r, const char *key, const char *v, uint64_t max, uint64_t *out)
{
	char *end;

	if (!*v || *v == '-' || *v == '+' || *v == ' ')
		return bad(r, "%s: '%s' is not a number", key, v);
	errno = 0;
	*out = strtoull(v, &end, 0);
	if (*end)
		return bad(r, "%s: '%s' is not a number", key, v);
	if (errno == ERANGE || *out > max)
		return bad(r, "%s: %s is out of range (at most %llu)", key, v,
			   (unsigned long long)max);
	return 0;
}

static int num32(struct rd *r, const char *key, const char *v, uint32_t *out)
{
	uint64_t x;
	int rc = num(r, key, v, UINT32_MAX, &x);

	*out = (uint32_t)x;
	return rc;
}

static int hexbytes(struct rd *r, const char *key, const char *v, uint8_t *out, size_t n)
{
	if (strlen(v) != 2 * n)
		return bad(r, "%s: needs %zu hex digits", key, 2 * n);
	for (size_t i = 0; i < n; i++) {
		if (hwf_hex_digit(v[2 * i]) < 0 || hwf_hex_digit(v[2 * i + 1]) < 0)
			return bad(r, "%s: '%s' is not hex", key, v);
		out[i] = (uint8_t)(hwf_hex_digit(v[2 * i]) << 4 | hwf_hex_digit(v[2 * i + 1]));
	}
	return 0;
}

static int text_value(struct rd *r, const char *key, const char *v, size_t n, char *out,
		      size_t cap);

/* A file name inside the folder by its spelling: relative, no "..", no empty component. */
static int file_value(struct rd *r, const char *key, const char *raw, char *out)
{
	char v[HWF_MF_FILE_MAX];
	const char *p = v;
	int rc = text_value(r, key, raw, strlen(raw), v, sizeof(v));

	if (rc)
		return rc;

	if (!*v)
		return bad(r, "%s: no file named", key);
	if (*v == '/')
		return bad(r, "%s: '%s' is an absolute path; name a file inside the folder", key,
			   v);
	while (*p) {
		size_t n = strcspn(p, "/");

		if ((n == 2 && !strncmp(p, "..", 2)) || n == 0)
			return bad(r, "%s: '%s' leaves the folder or is not a file name", key, v);
		p += n + (p[n] == '/');
	}
	strcpy(out, v);
	return 0;
}

static int text_value(struct rd *r, const char *key, const char *v, size_t n, char *out, size_t cap)
{
	size_t len;
	int rc = unescape(r, key, v, n, (uint8_t *)out, cap - 1, &len);

	if (rc)
		return rc;
	if (memchr(out, 0, len))
		return bad(r, "%s: a NUL byte in a text value", key);
	out[len] = '\0';
	return 0;
}

static int os_value(struct rd *r, const char *key, const char *v, int patch, uint32_t *os)
{
	unsigned a = 0, b = 0, c = 0;
	int n = 0;

	if (!*v) {
		*os &= patch ? ~0x7ffu : 0x7ffu;
		return 0;
	}
	if (patch) {
		if (sscanf(v, "%4u-%2u%n", &a, &b, &n) != 2 || v[n] || a < 2000 || a > 2127 ||
		    b > 15)
			return bad(r, "%s: '%s' is not YYYY-MM (2000-2127)", key, v);
		*os = (*os & ~0x7ffu) | (a - 2000) << 4 | b;
		return 0;
	}
	if (sscanf(v, "%3u.%3u.%3u%n", &a, &b, &c, &n) != 3 || v[n] || a > 127 || b > 127 ||
	    c > 127)
		return bad(r, "%s: '%s' is not A.B.C (each below 128)", key, v);
	*os = (*os & 0x7ffu) | (a << 14 | b << 7 | c) << 11;
	return 0;
}

/* vendor_ramdisk.N.FIELD */
static int vrd_value(struct rd *r, struct hwf_manifest *m, const char *key, const char *v,
		     size_t vn)
{
	char field[16];
	unsigned idx;
	int n = 0;
	struct hwf_mf_vrd *d;

	if (sscanf(key, "vendor_ramdisk.%3u.%15[a-z_]%n", &idx, field, &n) != 2 || key[n])
		return bad(r, "unknown key '%s'", key);
	if (idx >= HWF_MF_MAX_VRD)
		return bad(r, "%s: at most %d vendor ramdisks", key, HWF_MF_MAX_VRD);
	if (idx > m->nvrd)
		return bad(r, "%s: vendor ramdisk %u comes before %zu", key, idx, m->nvrd);
	if (idx == m->nvrd) {
		if (strcmp(field, "file"))
			return bad(r, "%s: each vendor ramdisk starts with its .file", key);
		m->nvrd++;
	}
	m->has_vrd_table = 1;
	d = &m->vrd[idx];
	if (!strcmp(field, "file"))
		return d->file[0] ? bad(r, "%s: given twice", key) : file_value(r, key, v, d->file);
	if (!strcmp(field, "name"))
		return unescape(r, key, v, vn, d->name, sizeof(d->name), &d->name_len);
	if (!strcmp(field, "type"))
		return num32(r, key, v, &d->type);
	if (!strcmp(field, "board_id"))
		return hexbytes(r, key, v, d->board_id, 64);
	return bad(r, "unknown key '%s'", key);
}

static int avb_value(struct rd *r, struct hwf_manifest *m, const char *k, const char *v, size_t vn)
{
	uint64_t x;
	int rc;

	m->avb.present = 1;
	if (!strcmp(k, "partition_size"))
		return num(r, "avb.partition_size", v, UINT64_MAX, &m->avb.partition_size);
	if (!strcmp(k, "original_image_size"))
		return num(r, "avb.original_image_size", v, UINT64_MAX,
			   &m->avb.original_image_size);
	if (!strcmp(k, "vbmeta_offset"))
		return num(r, "avb.vbmeta_offset", v, UINT64_MAX, &m->avb.vbmeta_offset);
	if (!strcmp(k, "vbmeta_size"))
		return num(r, "avb.vbmeta_size", v, 1u << 20, &m->avb.vbmeta_size);
	if (!strcmp(k, "footer_version")) {
		unsigned a, b;
		int n = 0;

		if (sscanf(v, "%5u.%5u%n", &a, &b, &n) != 2 || v[n])
			return bad(r, "avb.footer_version: '%s' is not MAJOR.MINOR", v);
		m->avb.major = a;
		m->avb.minor = b;
		return 0;
	}
	if (!strcmp(k, "vbmeta"))
		return file_value(r, "avb.vbmeta", v, m->avb.vbmeta);
	if (!strcmp(k, "algorithm"))
		return text_value(r, "avb.algorithm", v, vn, m->avb.algorithm,
				  sizeof(m->avb.algorithm));
	if (!strcmp(k, "rollback_index"))
		return num(r, "avb.rollback_index", v, UINT64_MAX, &m->avb.rollback_index);
	if (!strcmp(k, "rollback_index_location"))
		return num32(r, "avb.rollback_index_location", v, &m->avb.rollback_location);
	if (!strcmp(k, "flags"))
		return num32(r, "avb.flags", v, &m->avb.flags);
	if (!strcmp(k, "release"))
		return text_value(r, "avb.release", v, vn, m->avb.release, sizeof(m->avb.release));
	if (!strcmp(k, "partition_name"))
		return text_value(r, "avb.partition_name", v, vn, m->avb.partition_name,
				  sizeof(m->avb.partition_name));
	if (!strcmp(k, "hash_algorithm"))
		return text_value(r, "avb.hash_algorithm", v, vn, m->avb.hash_algorithm,
				  sizeof(m->avb.hash_algorithm));
	if (!strcmp(k, "salt") || !strcmp(k, "digest")) {
		char *dst = k[0] == 's' ? m->avb.salt : m->avb.digest;

		if (strlen(v) > 128 || strspn(v, "0123456789abcdefABCDEF") != strlen(v))
			return bad(r, "avb.%s: at most 128 hex digits", k);
		strcpy(dst, v);
		return 0;
	}
	if (!strcmp(k, "prop")) {
		if (m->avb.nprops >= HWF_MF_MAX_PROPS)
			return bad(r, "avb.prop: at most %d properties", HWF_MF_MAX_PROPS);
		rc = text_value(r, "avb.prop", v, vn, m->avb.prop[m->avb.nprops],
				sizeof(m->avb.prop[0]));
		m->avb.nprops += !rc;
		return rc;
	}
	(void)x;
	return bad(r, "unknown key 'avb.%s'", k);
}

/* One key; @v is the raw value (@vn chars, NUL-terminated copy). */
static int set_key(struct rd *r, struct hwf_manifest *m, const char *k, const char *v, size_t vn)
{
	uint64_t x;
	int rc;

	for (int s = 0; s < HWF_MF_NSEC; s++)
		if (!strcmp(k, sec_names[s]))
			return file_value(r, k, v, m->file[s]);
	if (!strcmp(k, "kind")) {
		if (strcmp(v, "boot") && strcmp(v, "vendor_boot"))
			return bad(r, "kind: '%s' is neither boot nor vendor_boot", v);
		m->vendor = v[0] == 'v';
		return 0;
	}
	if (!strcmp(k, "header_version"))
		return num32(r, k, v, &m->header_version);
	if (!strcmp(k, "page_size"))
		return num32(r, k, v, &m->page_size);
	if (!strcmp(k, "header_size"))
		return num32(r, k, v, &m->header_size);
	if (!strcmp(k, "base"))
		return num(r, k, v, UINT32_MAX, &m->base);
	if (!strcmp(k, "kernel_offset"))
		return num(r, k, v, UINT32_MAX, &m->kernel_offset);
	if (!strcmp(k, "ramdisk_offset"))
		return num(r, k, v, UINT32_MAX, &m->ramdisk_offset);
	if (!strcmp(k, "second_offset"))
		return num(r, k, v, UINT32_MAX, &m->second_offset);
	if (!strcmp(k, "tags_offset"))
		return num(r, k, v, UINT32_MAX, &m->tags_offset);
	if (!strcmp(k, "dtb_offset"))
		return num(r, k, v, UINT64_MAX, &m->dtb_offset);
	if (!strcmp(k, "recovery_dtbo_offset")) {
		m->recovery_dtbo_auto = !strcmp(v, "auto");
		return m->recovery_dtbo_auto ? 0
					     : num(r, k, v, UINT64_MAX, &m->recovery_dtbo_offset);
	}
	if (!strcmp(k, "os_version") || !strcmp(k, "os_patch_level"))
		return os_value(r, k, v, k[3] == 'p', &m->os_version);
	if (!strcmp(k, "name"))
		return unescape(r, k, v, vn, m->name, sizeof(m->name), &m->name_len);
	if (!strcmp(k, "cmdline"))
		return unescape(r, k, v, vn, m->cmdline, sizeof(m->cmdline), &m->cmdline_len);
	if (!strcmp(k, "extra_cmdline"))
		return unescape(r, k, v, vn, m->extra_cmdline, sizeof(m->extra_cmdline),
				&m->extra_len);
	if (!strcmp(k, "id")) {
		for (size_t i = 0; i < sizeof(id_words) / sizeof(id_words[0]); i++)
			if (id_words[i] && !strcmp(v, id_words[i])) {
				m->id_mode = (enum hwf_mf_id)i;
				return 0;
			}
		if (strncmp(v, "hex:", 4))
			return bad(r,
				   "id: '%s' is none of sha1, sha1-dt, sha256, sha256-dt, zero, "
				   "hex:DIGITS",
				   v);
		m->id_mode = HWF_MF_ID_KEEP;
		return hexbytes(r, k, v + 4, m->id, 32);
	}
	if (!strcmp(k, "ramdisk_compression")) {
		for (size_t i = 0; i < sizeof(comp_words) / sizeof(comp_words[0]); i++)
			if (!strcmp(v, comp_words[i])) {
				m->comp = (enum hwf_ramdisk_comp)i;
				return 0;
			}
		return bad(r,
			   "ramdisk_compression: '%s' is none of gzip, lz4-legacy, lz4-frame, "
			   "none, unknown",
			   v);
	}
	if (!strcmp(k, "ramdisk_sha256")) {
		m->has_ramdisk_sha256 = 1;
		return hexbytes(r, k, v, m->ramdisk_sha256, 32);
	}
	if (!strcmp(k, "ramdisk_tree"))
		return file_value(r, k, v, m->ramdisk_tree);
	if (!strcmp(k, "ramdisk_list"))
		return file_value(r, k, v, m->ramdisk_list);
	if (!strcmp(k, "ramdisk_tree_note"))
		return text_value(r, k, v, vn, m->ramdisk_tree_note, sizeof(m->ramdisk_tree_note));
	if (!strcmp(k, "vendor_ramdisk_table_entry_size")) {
		rc = num(r, k, v, 4096, &x);
		m->vrd_entry_size = (uint32_t)x;
		if (!rc && x < 108)
			return bad(r, "%s: %llu is below the 108 bytes an entry has", k,
				   (unsigned long long)x);
		return rc;
	}
	if (!strncmp(k, "vendor_ramdisk.", 15))
		return vrd_value(r, m, k, v, vn);
	if (!strcmp(k, "trailer"))
		return file_value(r, k, v, m->trailer);
	if (!strcmp(k, "trailer_size"))
		return num(r, k, v, UINT64_MAX, &m->trailer_size);
	if (!strncmp(k, "avb.", 4))
		return avb_value(r, m, k + 4, v, vn);
	return bad(r, "unknown key '%s'", k);
}

/* What the header can say, checked once every line is read. */
static int check_whole(struct rd *r, struct hwf_manifest *m)
{
	/* Sections each kind and version has. */
	static const unsigned boot_secs[5] = {
	    1u << HWF_MF_KERNEL | 1u << HWF_MF_RAMDISK | 1u << HWF_MF_SECOND | 1u << HWF_MF_DT,
	    1u << HWF_MF_KERNEL | 1u << HWF_MF_RAMDISK | 1u << HWF_MF_SECOND |
		1u << HWF_MF_RECOVERY_DTBO,
	    1u << HWF_MF_KERNEL | 1u << HWF_MF_RAMDISK | 1u << HWF_MF_SECOND |
		1u << HWF_MF_RECOVERY_DTBO | 1u << HWF_MF_DTB,
	    1u << HWF_MF_KERNEL | 1u << HWF_MF_RAMDISK,
	    1u << HWF_MF_KERNEL | 1u << HWF_MF_RAMDISK | 1u << HWF_MF_SIGNATURE,
	};
	unsigned allowed;
	uint32_t v = m->header_version, p = m->page_size;
	int boot012 = !m->vendor && v < 3;

	r->line = 0;
	if (m->vendor ? v < 3 || v > 4 : v > 4)
		return bad(r, "header_version %u is unknown for a %s image", v,
			   m->vendor ? "vendor_boot" : "boot");
	if (p < 2048 || p > (1u << 20) || (p & (p - 1)))
		return bad(r, "page_size %u is not a power of two from 2048 to 1 MiB", p);
	if (!m->vendor && v >= 3 && p != 4096)
		return bad(r, "page_size %u: boot header v%u has a fixed page size of 4096", p, v);
	if (m->header_size > 8192)
		return bad(r, "header_size %u: no boot image header is that large", m->header_size);
	if (m->base + m->kernel_offset > UINT32_MAX || m->base + m->ramdisk_offset > UINT32_MAX ||
	    m->base + m->second_offset > UINT32_MAX || m->base + m->tags_offset > UINT32_MAX)
		return bad(r, "base 0x%llx plus an offset overflows the 32-bit address field",
			   (unsigned long long)m->base);
	if (m->dtb_offset > UINT64_MAX - m->base)
		return bad(r, "base plus dtb_offset overflows the 64-bit address field");
	if (m->vendor)
		allowed =
		    1u << HWF_MF_VENDOR_RAMDISK | 1u << HWF_MF_DTB |
		    (v == 4 ? 1u << HWF_MF_VENDOR_RAMDISK_TABLE | 1u << HWF_MF_BOOTCONFIG : 0);
	else
		allowed = boot_secs[v];
	for (int s = 0; s < HWF_MF_NSEC; s++)
		if (m->file[s][0] && !(allowed >> s & 1))
			return bad(r, "'%s': a %s v%u image has no such section", sec_names[s],
				   m->vendor ? "vendor_boot" : "boot", v);
	if (!boot012 && m->extra_len)
		return bad(r, "extra_cmdline: a %s v%u header has none",
			   m->vendor ? "vendor_boot" : "boot", v);
	if (!boot012 && !m->vendor && m->name_len)
		return bad(r, "name: a boot v%u header has none", v);
	if (m->cmdline_len > (m->vendor ? 2048u : boot012 ? 512u : 1536u))
		return bad(r, "cmdline: %zu bytes do not fit the header's field", m->cmdline_len);
	if (m->has_vrd_table) {
		if (!m->vendor || v != 4)
			return bad(r, "vendor_ramdisk.N: only vendor_boot v4 has a ramdisk table");
		if (m->file[HWF_MF_VENDOR_RAMDISK][0] || m->file[HWF_MF_VENDOR_RAMDISK_TABLE][0])
			return bad(r, "give the vendor ramdisks either as vendor_ramdisk.N entries "
				      "or as vendor_ramdisk and vendor_ramdisk_table, not both");
	}
	if (!m->ramdisk_tree[0] != !m->ramdisk_list[0])
		return bad(r, "ramdisk_tree and ramdisk_list go together");
	if (m->avb.present && !m->avb.vbmeta[0])
		return bad(r, "avb.*: avb.vbmeta names no file");
	if (m->avb.present && (m->avb.partition_size < 64 || m->avb.partition_size % 4096))
		return bad(r, "avb.partition_size %llu is not a multiple of 4096",
			   (unsigned long long)m->avb.partition_size);
	return 0;
}

int hwf_manifest_parse(const char *text, size_t len, const char *name, struct hwf_manifest *m,
		       struct hwf_err *e)
{
	struct rd r = {name, 0, e};
	char *line = malloc(16384);
	char seen[64][40];
	size_t nseen = 0, pos = 0;
	int rc = 0, first = 1;

	hwf_manifest_init(m);
	if (!line)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	while (pos < len && !rc) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *k, *v, *eq, *end;

		r.line++;
		if (n >= 16384) {
			rc = bad(&r, "the line is too long");
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (strlen(line) != n) {
			rc = bad(&r, "a NUL byte in the line");
			break;
		}
		for (k = line; *k == ' ' || *k == '\t'; k++)
			;
		if (!*k || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			rc = bad(&r, "not \"key = value\"");
			break;
		}
		for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		if (!*k || strlen(k) >= sizeof(seen[0]) ||
		    strspn(k, "abcdefghijklmnopqrstuvwxyz"
			      "0123456789_.-") != strlen(k)) {
			rc = bad(&r, "'%.40s' is not a key", k);
			break;
		}
		if (first) {
			if (strcmp(k, "hwflash-manifest") || strcmp(v, "1"))
				rc = bad(&r, "the first key must be \"hwflash-manifest = 1\"");
			first = 0;
			continue;
		}
		if (strcmp(k, "avb.prop") && strncmp(k, "vendor_ramdisk.", 15)) {
			for (size_t i = 0; i < nseen && !rc; i++)
				if (!strcmp(seen[i], k))
					rc = bad(&r, "%s: given twice", k);
			if (rc)
				break;
			if (nseen < 64)
				strcpy(seen[nseen++], k);
		}
		rc = set_key(&r, m, k, v, strlen(v));
	}
	free(line);
	if (!rc && first)
		rc = bad(&r, "empty: no \"hwflash-manifest = 1\"");
	return rc ? rc : check_whole(&r, m);
}

int hwf_manifest_load(const char *path, struct hwf_manifest *m, struct hwf_err *e)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	int rc;

	if (!f)
		return hwf_err_set(e, HWF_EIO, "%s: %s", path, strerror(errno));
	buf = malloc(HWF_MF_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	n = fread(buf, 1, HWF_MF_MAX_BYTES + 1, f);
	if (ferror(f))
		rc = hwf_err_set(e, HWF_EIO, "%s: cannot read: %s", path, strerror(errno));
	else if (n > HWF_MF_MAX_BYTES)
		rc = hwf_err_set(e, HWF_EFORMAT, "%s: larger than 1 MiB: not a manifest", path);
	else
		rc = hwf_manifest_parse(buf, n, path, m, e);
	fclose(f);
	free(buf);
	return rc;
}
