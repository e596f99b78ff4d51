// SPDX-License-Identifier: MIT
/* UPDATE.APP: parsing the entry chain.  Verification is in updateapp_verify.c,
 * extraction and packing in updateapp_write.c. */
#include "formats/app/updateapp_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/app/appprofiles.h"
#include "formats/core/bytes.h"
#include "formats/core/crc16.h"
#include "formats/image/sniff.h"

#define SCAN_LIMIT (64ull << 20)	/* how far to look for the first header */

void hwf_app_human_size(uint64_t n, char *buf, size_t len)
{
	if (n >= (1ull << 30))
		snprintf(buf, len, "%.1f GiB", (double)n / (double)(1ull << 30));
	else if (n >= (1ull << 20))
		snprintf(buf, len, "%.1f MiB", (double)n / (double)(1ull << 20));
	else if (n >= 1024)
		snprintf(buf, len, "%.1f KiB", (double)n / 1024.0);
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
}

static void warn(struct hwf_app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct hwf_app *app, const char *fmt, ...)
{
	va_list ap;

	if (app->nwarn >= HWF_APP_MAX_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(app->warn[app->nwarn++], sizeof(app->warn[0]), fmt, ap);
	va_end(ap);
}

static void copy_field(char *dst, size_t dstlen, const uint8_t *src, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < dstlen; i++) {
		if (src[i] == 0 || src[i] == 0xff)
			break;
		dst[o++] = isprint(src[i]) ? (char)src[i] : '?';
	}
	dst[o] = '\0';
}

enum hwf_app_kind hwf_app_kind_of(const char *raw, uint32_t seq)
{
	int named = raw[0] && strcmp(raw, "INPUT") != 0;
	static const char *const sig[] = { "SHA256RSA", "MD5RSA", "CRCMD5", "MD5_RSA" };
	static const char *const meta[] = { "CURVER",	     "VERLIST",	      "PACKAGE_TYPE",
					    "BASE_VER",	     "BASE_VERLIST",  "VERSION",
					    "OEMSBL_VER",    "OEMSBL_VERLIST", "AMSS_VER",
					    "AMSS_VERLIST",  "UPT_VER",	      "CUST_VER",
					    "PRELOAD_VER",   "SOFTWARE_VER_LIST" };

	if (!named) {
		/* Legacy "INPUT" packages: HUE profiles and PY-cskau agree on these ids. */
		if (seq == 0xfe000000u)
			return HWF_APP_SIGNATURE;
		if (seq == 0xff000000u)
			return HWF_APP_CRC;
		return HWF_APP_IMAGE;
	}
	for (size_t i = 0; i < sizeof(sig) / sizeof(sig[0]); i++)
		if (!strcasecmp(raw, sig[i]))
			return HWF_APP_SIGNATURE;
	if (!strcasecmp(raw, "CRC"))
		return HWF_APP_CRC;
	for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
		if (!strcasecmp(raw, meta[i]))
			return HWF_APP_METADATA;
	return HWF_APP_IMAGE;
}

const char *hwf_app_kind_name(enum hwf_app_kind kind)
{
	switch (kind) {
	case HWF_APP_IMAGE: return "image";
	case HWF_APP_SIGNATURE: return "signature";
	case HWF_APP_CRC: return "crc";
	case HWF_APP_METADATA: return "metadata";
	}
	return "?";
}

/* Where is the first header?  92 normally; else the first 4-aligned magic. */
static int find_first(struct hwf_app *app, uint64_t *first, struct hwf_err *e)
{
	struct hwf_source *src = app->src;
	uint64_t size = hwf_source_size(src), off = 0;
	uint8_t buf[65536 + 4];
	int64_t n;

	n = hwf_source_pread(src, buf, 96, 0, e);
	if (n < 0)
		return (int)n;
	if (n == 96 && get_le32(buf + 92) == HWF_APP_MAGIC) {
		*first = 92;
		return 0;
	}
	while (off < size && off < SCAN_LIMIT) {
		n = hwf_source_pread(src, buf, sizeof(buf), off, e);
		if (n < 0)
			return (int)n;
		for (int64_t i = 0; i + 4 <= n; i += 4)
			if (get_le32(buf + i) == HWF_APP_MAGIC) {
				*first = off + (uint64_t)i;
				return 0;
			}
		if ((size_t)n < sizeof(buf))
			break;
		off += sizeof(buf) - 4;
	}
	/* Not an UPDATE.APP: say what it is instead. */
	{
		struct hwf_sniff sn;
		char why[256];
		int rc = hwf_sniff_source(src, &sn, e);

		if (rc)
			return rc;
		if (sn.kind == HWF_KIND_UPDATE_APP || sn.kind == HWF_KIND_UNKNOWN)
			snprintf(why, sizeof(why), "has no UPDATE.APP entry header (55 AA 5A A5)");
		else
			hwf_sniff_explain(&sn, why, sizeof(why));
		return hwf_err_set(e, sn.kind == HWF_KIND_EMPTY ? HWF_ETRUNC : HWF_EFORMAT,
				   "%s: not an UPDATE.APP: it %s", hwf_source_name(src), why);
	}
}

static int all_zero(struct hwf_source *src, uint64_t off, uint64_t end, struct hwf_err *e)
{
	uint8_t buf[4096];

	while (off < end) {
		size_t want = end - off < sizeof(buf) ? (size_t)(end - off) : sizeof(buf);
		int64_t n = hwf_source_pread(src, buf, want, off, e);

		if (n <= 0)
			return n < 0 ? (int)n : 1;
		for (int64_t i = 0; i < n; i++)
			if (buf[i])
				return 0;
		off += (uint64_t)n;
	}
	return 1;
}

static int push_entry(struct hwf_app *app, const struct hwf_app_entry *ent, struct hwf_err *e)
{
	if (app->count == app->cap) {
		size_t cap = app->cap ? app->cap * 2 : 32;
		struct hwf_app_entry *n = realloc(app->ent, cap * sizeof(*n));

		if (!n)
			return hwf_err_set(e, HWF_ENOMEM, "out of memory");
		app->ent = n;
		app->cap = cap;
	}
	app->ent[app->count++] = *ent;
	return 0;
}

static const char *prev_name(const struct hwf_app *app)
{
	return app->count ? app->ent[app->count - 1].name : "";
}

int hwf_app_entry_legacy(const struct hwf_app_entry *ent)
{
	return !ent->raw_name[0] || !strcmp(ent->raw_name, "INPUT");
}

/* The display name before duplicates are told apart: the name field, or INPUT_<seq>. */
static void natural_name(struct hwf_app_entry *ent)
{
	if (!ent->raw_name[0])
		snprintf(ent->name, sizeof(ent->name), "ENTRY_%08X", ent->seq);
	else if (!strcmp(ent->raw_name, "INPUT"))
		snprintf(ent->name, sizeof(ent->name), "INPUT_%08X", ent->seq);
	else
		snprintf(ent->name, sizeof(ent->name), "%s", ent->raw_name);
}

/* Parse the 98-byte header at @pos into @ent; check its own consistency. */
static int parse_header(struct hwf_app *app, uint64_t pos, struct hwf_app_entry *ent,
			struct hwf_err *e)
{
	const char *fname = hwf_source_name(app->src);
	uint64_t size = hwf_source_size(app->src), need;
	uint8_t h[HWF_APP_HDR_LEN];
	char a[32], b[32];
	uint32_t unknown1;
	int rc;

	memset(ent, 0, sizeof(*ent));
	ent->index = (unsigned)app->count;
	rc = hwf_source_read_exact(app->src, h, sizeof(h), pos, e);
	if (rc)
		return rc;
	if (get_le32(h) != HWF_APP_MAGIC)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: garbage at byte %llu after entry %zu %s: expected an entry "
				   "header (55 AA 5A A5), found %02x %02x %02x %02x",
				   fname, (unsigned long long)pos, app->count - 1, prev_name(app),
				   h[0], h[1], h[2], h[3]);
	ent->header_off = pos;
	ent->header_len = get_le32(h + 4);
	unknown1 = get_le32(h + 8);
	copy_field(ent->hwid, sizeof(ent->hwid), h + 0x0c, 8);
	ent->seq = get_le32(h + 0x14);
	ent->data_len = get_le32(h + 0x18);
	copy_field(ent->date, sizeof(ent->date), h + 0x1c, 16);
	copy_field(ent->time, sizeof(ent->time), h + 0x2c, 16);
	copy_field(ent->raw_name, sizeof(ent->raw_name), h + 0x3c, 32);
	ent->header_crc = get_le16(h + 0x5c);
	ent->block_size = get_le16(h + 0x5e);
	if (!ent->block_size)
		ent->block_size = 4096;
	h[0x5c] = h[0x5d] = 0;
	ent->header_crc_calc = hwf_crc16(h, sizeof(h));

	natural_name(ent);
	ent->kind = hwf_app_kind_of(ent->raw_name, ent->seq);

	if (ent->header_len < HWF_APP_HDR_LEN || (ent->header_len - HWF_APP_HDR_LEN) % 2)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: entry %u %s at byte %llu: header length %u is impossible "
				   "(must be 98 + 2 per block)",
				   fname, ent->index, ent->name, (unsigned long long)pos,
				   ent->header_len);
	ent->nblocks = (ent->header_len - HWF_APP_HDR_LEN) / 2;
	need = (ent->data_len + ent->block_size - 1) / ent->block_size;
	if (need != ent->nblocks)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: entry %u %s: checksum table has %u blocks, but %llu bytes "
				   "of data in blocks of %u need %llu",
				   fname, ent->index, ent->name, ent->nblocks,
				   (unsigned long long)ent->data_len, ent->block_size,
				   (unsigned long long)need);
	ent->data_off = pos + ent->header_len;
	if (ent->data_off > size || ent->data_len > size - ent->data_off) {
		hwf_app_human_size(ent->data_off + ent->data_len, a, sizeof(a));
		hwf_app_human_size(size, b, sizeof(b));
		return hwf_err_set(e, HWF_ETRUNC,
				   "%s: truncated: entry %u %s: data ends at byte %llu (%s), file "
				   "is %llu bytes (%s)",
				   fname, ent->index, ent->name,
				   (unsigned long long)(ent->data_off + ent->data_len), a,
				   (unsigned long long)size, b);
	}
	if (unknown1 != 1)
		warn(app, "entry %u %s: header field at 0x08 is %u (always 1 in known packages)",
		     ent->index, ent->name, unknown1);
	return 0;
}

/*
 * Names.  Every entry gets a display name (list, check, extract, flash,
 * JSON; what the user types) and a file name (extract), each unique among
 * the package's entries ignoring case, so that lookups are unambiguous and
 * extraction onto a case-insensitive file system (FAT32, exFAT, macOS)
 * cannot write two entries to one file.
 *
 * The natural display name is the FileType field (INPUT_<seq> / ENTRY_<seq>
 * when it is INPUT or empty).  The first entry of a natural name keeps it;
 * later ones (split SUPER, or SUPER and super) become NAME#2, NAME#3 ...,
 * skipping any name another entry really has (a package holding SUPER,
 * SUPER and SUPER#2 lists SUPER, SUPER#3, SUPER#2).  The file name is the
 * display name in lower case with everything but letters, digits, '-',
 * '_' and '.' turned into '_', plus ".img"; where two entries meet there
 * (SUB/DIR and sub_dir), the later one gets stem_2.img, stem_3.img ...
 * Sets are hashed: a package of many small entries stays linear.
 */
struct nameset {
	const char **key;	/* borrowed, compared ignoring ASCII case */
	uint32_t *next;		/* per key: the next suffix number to try */
	size_t cap;
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (uint64_t)tolower((unsigned char)*s)) * 1099511628211ull;
	return h;
}

static int nameset_init(struct nameset *ns, size_t n)
{
	ns->cap = 16;
	while (ns->cap < 4 * n)
		ns->cap *= 2;
	ns->key = calloc(ns->cap, sizeof(*ns->key));
	ns->next = calloc(ns->cap, sizeof(*ns->next));
	return ns->key && ns->next ? 0 : -1;
}

static void nameset_free(struct nameset *ns)
{
	free(ns->key);
	free(ns->next);
}

/* The slot of @s, or the empty slot where it would go. */
static size_t nameset_slot(const struct nameset *ns, const char *s)
{
	size_t i = (size_t)name_hash(s) & (ns->cap - 1);

	while (ns->key[i] && strcasecmp(ns->key[i], s))
		i = (i + 1) & (ns->cap - 1);
	return i;
}

static int nameset_has(const struct nameset *ns, const char *s)
{
	return ns->key[nameset_slot(ns, s)] != NULL;
}

/* Add @s (kept by pointer); returns its slot.  The set never fills: cap >= 4n. */
static size_t nameset_add(struct nameset *ns, const char *s)
{
	size_t i = nameset_slot(ns, s);

	if (!ns->key[i]) {
		ns->key[i] = s;
		ns->next[i] = 2;
	}
	return i;
}

/* Windows keeps these for devices, with any extension. */
static int reserved_stem(const char *stem)
{
	static const char *const dev[] = { "con", "prn", "aux", "nul" };

	for (size_t i = 0; i < sizeof(dev) / sizeof(dev[0]); i++)
		if (!strcmp(stem, dev[i]))
			return 1;
	return (!strncmp(stem, "com", 3) || !strncmp(stem, "lpt", 3)) && stem[3] >= '1' &&
	       stem[3] <= '9' && !stem[4];
}

/* The file stem for display name @name: lower case, [a-z0-9._-] only, no leading dot. */
static void file_stem(const char *name, unsigned index, char *buf, size_t len)
{
	size_t o = 0;

	if (name[0] == '.' && o + 1 < len)
		buf[o++] = '_';
	for (const char *p = name; *p && o + 1 < len; p++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*p);

		buf[o++] = (isalnum(c) || c == '-' || c == '_' || c == '.') ? (char)c : '_';
	}
	buf[o] = '\0';
	if (!o)
		snprintf(buf, len, "entry%u", index);
	else if (reserved_stem(buf) && o + 1 < len)
		strcat(buf, "_");
}

/* The file stem of @ent: its display name's, or for a legacy entry the profile's name. */
static void entry_stem(const struct hwf_app_entry *ent, char *buf, size_t len)
{
	char name[sizeof(ent->seq_name)];
	char *q;

	if (!hwf_app_entry_legacy(ent)) {
		file_stem(ent->name, ent->index, buf, len);
		return;
	}
	snprintf(name, sizeof(name), "%s", ent->seq_name);
	q = strchr(name, '?');
	if (q)
		*q = '\0';
	if (name[0])
		file_stem(name, ent->index, buf, len);
	else
		snprintf(buf, len, "%u_%08x", ent->index, ent->seq); /* reference §5.2 */
}

static int name_entries(struct hwf_app *app, struct hwf_err *e)
{
	struct nameset names = { 0 }, files = { 0 };
	unsigned char *flag;	/* per entry: RENAMED, HAS_FILE */
	enum { RENAMED = 1, HAS_FILE = 2 };
	int rc = 0;

	flag = calloc(app->count ? app->count : 1, 1);
	if (!flag || nameset_init(&names, app->count) || nameset_init(&files, app->count)) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	/* Display names: the first of each natural name keeps it; count the others. */
	for (size_t i = 0; i < app->count; i++) {
		struct hwf_app_entry *ent = &app->ent[i];
		size_t slot;

		natural_name(ent);
		slot = nameset_slot(&names, ent->name);

		ent->dup = 0;
		if (names.key[slot]) {
			flag[i] |= RENAMED;
			ent->dup = names.next[slot]++ - 1;
		} else {
			nameset_add(&names, ent->name);
		}
	}
	for (size_t i = 0; i < names.cap; i++)
		names.next[i] = 2;
	/* The others: NAME#k, past every name an entry has or was given. */
	for (size_t i = 0; i < app->count; i++) {
		struct hwf_app_entry *ent = &app->ent[i];
		char cand[sizeof(ent->name)];
		size_t slot;
		uint32_t k;

		if (!(flag[i] & RENAMED))
			continue;
		slot = nameset_slot(&names, ent->name);
		k = names.next[slot];
		do
			snprintf(cand, sizeof(cand), "%.32s#%u", ent->name, k++);
		while (nameset_has(&names, cand));
		names.next[slot] = k;
		memcpy(ent->name, cand, sizeof(cand));
		nameset_add(&names, ent->name);
	}
	/* File names: natural ones first (entries with their own name before renamed ones)... */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < app->count; i++) {
			struct hwf_app_entry *ent = &app->ent[i];
			char stem[sizeof(ent->file_name) - 16];

			if ((flag[i] & RENAMED) != (pass ? RENAMED : 0))
				continue;
			entry_stem(ent, stem, sizeof(stem));
			snprintf(ent->file_name, sizeof(ent->file_name), "%s.img", stem);
			if (!nameset_has(&files, ent->file_name)) {
				nameset_add(&files, ent->file_name);
				flag[i] |= HAS_FILE;
			}
		}
	/* ... then stem_2.img, stem_3.img ... where two met (SUB/DIR and sub_dir). */
	for (size_t i = 0; i < app->count; i++) {
		struct hwf_app_entry *ent = &app->ent[i];
		char stem[sizeof(ent->file_name) - 16];
		size_t slot;
		uint32_t k;

		if (flag[i] & HAS_FILE)
			continue;
		slot = nameset_slot(&files, ent->file_name);
		k = files.next[slot];
		entry_stem(ent, stem, sizeof(stem));
		do
			snprintf(ent->file_name, sizeof(ent->file_name), "%s_%u.img", stem, k++);
		while (nameset_has(&files, ent->file_name));
		files.next[slot] = k;
		nameset_add(&files, ent->file_name);
	}
out:
	nameset_free(&names);
	nameset_free(&files);
	free(flag);
	return rc;
}

/* Name the legacy entries from @p, or from the best fit when @p is NULL. */
static void set_profile(struct hwf_app *app, const struct hwf_app_profile *p)
{
	uint32_t seqs[64];
	size_t n = 0;

	app->legacy = 0;
	for (size_t i = 0; i < app->count; i++)
		if (hwf_app_entry_legacy(&app->ent[i])) {
			if (n < sizeof(seqs) / sizeof(seqs[0]))
				seqs[n++] = app->ent[i].seq;
			app->legacy++;
		}
	app->profile_forced = p != NULL;
	if (!p)
		p = app->legacy ? hwf_app_profile_best(seqs, n, NULL) : NULL;
	app->profile = p;
	app->profile_known = 0;
	for (size_t i = 0; i < app->count; i++) {
		struct hwf_app_entry *ent = &app->ent[i];
		const struct hwf_app_profile_row *row = NULL;

		if (hwf_app_entry_legacy(ent))
			row = hwf_app_profile_row(p, ent->seq);
		ent->seq_name[0] = '\0';
		if (row) {
			snprintf(ent->seq_name, sizeof(ent->seq_name), "%s%s", row->name,
				 row->confirmed ? "" : "?");
			app->profile_known++;
		}
	}
}

int hwf_app_use_profile(struct hwf_app *app, const char *name, struct hwf_err *e)
{
	const struct hwf_app_profile *p = hwf_app_profile_find(name);
	char names[256];

	if (!p) {
		hwf_app_profile_names(names, sizeof(names));
		return hwf_err_set(e, HWF_EINVAL, "no profile %s (there are: %s)", name, names);
	}
	set_profile(app, p);
	return name_entries(app, e);
}

const char *hwf_app_profile_used(const struct hwf_app *app, size_t *known, size_t *legacy,
				 int *forced)
{
	if (known)
		*known = app->profile_known;
	if (legacy)
		*legacy = app->legacy;
	if (forced)
		*forced = app->profile_forced;
	return app->profile ? app->profile->name : NULL;
}

const struct hwf_app_field hwf_app_fields[] = {
	{ 0x00, 4, "magic", HWF_FIELD_HEX, "55 AA 5A A5" },
	{ 0x04, 4, "header_len", HWF_FIELD_U32, "98 + 2 per block" },
	{ 0x08, 4, "unknown1", HWF_FIELD_U32, "unknown; 1 in every known package" },
	{ 0x0c, 8, "hwid", HWF_FIELD_TEXT, "hardware id, 0xFF padded" },
	{ 0x14, 4, "seq", HWF_FIELD_U32, "sequence id" },
	{ 0x18, 4, "data_len", HWF_FIELD_U32, "data bytes" },
	{ 0x1c, 16, "date", HWF_FIELD_TEXT, "yyyy.MM.dd" },
	{ 0x2c, 16, "time", HWF_FIELD_TEXT, "HH.mm.ss" },
	{ 0x3c, 32, "name", HWF_FIELD_TEXT, "16 name + 16 blank1 (long names run on)" },
	{ 0x5c, 2, "header_crc", HWF_FIELD_U16, "CRC-16/X-25 of the header, this field 0" },
	{ 0x5e, 2, "block_size", HWF_FIELD_U16, "block of the CRC table (0: 4096)" },
	{ 0x60, 2, "blank2", HWF_FIELD_U16, "unknown; 0 in every known package" },
};
const size_t hwf_app_nfields = sizeof(hwf_app_fields) / sizeof(hwf_app_fields[0]);

int hwf_app_read_header(struct hwf_app *app, size_t i, uint8_t *hdr, struct hwf_err *e)
{
	return hwf_source_read_exact(app->src, hdr, HWF_APP_HDR_LEN, app->ent[i].header_off, e);
}

int hwf_app_open(struct hwf_app **out, struct hwf_source *src, struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src), pos, first;
	struct hwf_app *app;
	int rc;

	*out = NULL;
	app = calloc(1, sizeof(*app));
	if (!app)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	app->src = src;
	rc = find_first(app, &first, e);
	if (rc)
		goto fail;
	app->first = first;
	if (first != 92) {
		rc = all_zero(src, 0, first, e);
		if (rc < 0)
			goto fail;
		app->preamble_nonzero = !rc;
		warn(app, "first entry at byte %llu, not 92%s", (unsigned long long)first,
		     rc ? "" : " (non-zero data before it: a modem/router firmware or a wrapped "
			       "file)");
	} else {
		rc = all_zero(src, 0, first, e);
		if (rc < 0)
			goto fail;
		if (!rc) {
			uint8_t pre[4];

			app->preamble_nonzero = 1;
			hwf_source_read_exact(src, pre, 4, 0, NULL);
			warn(app, "the 92-byte preamble is not zero (dload_id %u)", get_le32(pre));
		}
	}
	pos = first;
	while (pos < size) {
		struct hwf_app_entry ent;

		if (size - pos < HWF_APP_HDR_LEN) {
			rc = all_zero(src, pos, size, e);
			if (rc < 0)
				goto fail;
			if (rc)
				break;
			rc = hwf_err_set(e, HWF_ETRUNC,
					 "%s: truncated: %llu stray bytes at byte %llu after entry "
					 "%zu %s, too short for an entry header",
					 hwf_source_name(src), (unsigned long long)(size - pos),
					 (unsigned long long)pos, app->count - 1, prev_name(app));
			goto fail;
		}
		rc = parse_header(app, pos, &ent, e);
		if (rc == HWF_EFORMAT && app->count && all_zero(src, pos, size, NULL) == 1) {
			warn(app, "%llu zero bytes after the last entry",
			     (unsigned long long)(size - pos));
			break;
		}
		if (rc)
			goto fail;
		rc = push_entry(app, &ent, e);
		if (rc)
			goto fail;
		pos = (ent.data_off + ent.data_len + 3) & ~3ull;
	}
	if (!app->count) {
		rc = hwf_err_set(e, HWF_EFORMAT, "%s: no entries", hwf_source_name(src));
		goto fail;
	}
	set_profile(app, NULL);
	rc = name_entries(app, e);
	if (rc)
		goto fail;
	*out = app;
	return 0;
fail:
	hwf_app_close(app);
	return rc;
}

void hwf_app_close(struct hwf_app *app)
{
	if (!app)
		return;
	free(app->ent);
	free(app);
}

size_t hwf_app_count(const struct hwf_app *app)
{
	return app->count;
}

const struct hwf_app_entry *hwf_app_entry(const struct hwf_app *app, size_t i)
{
	return i < app->count ? &app->ent[i] : NULL;
}

const struct hwf_app_entry *hwf_app_find(const struct hwf_app *app, const char *name)
{
	for (size_t i = 0; i < app->count; i++)
		if (!strcasecmp(app->ent[i].name, name))
			return &app->ent[i];
	for (size_t i = 0; i < app->count; i++)
		if (!strcasecmp(app->ent[i].raw_name, name))
			return &app->ent[i];
	return NULL;
}

struct hwf_source *hwf_app_source(const struct hwf_app *app)
{
	return app->src;
}

uint64_t hwf_app_first_offset(const struct hwf_app *app)
{
	return app->first;
}

int hwf_app_preamble_nonzero(const struct hwf_app *app)
{
	return app->preamble_nonzero;
}

size_t hwf_app_warning_count(const struct hwf_app *app)
{
	return app->nwarn;
}

const char *hwf_app_warning(const struct hwf_app *app, size_t i)
{
	return i < app->nwarn ? app->warn[i] : NULL;
}

int hwf_app_read_table(struct hwf_app *app, size_t i, uint16_t *table, struct hwf_err *e)
{
	const struct hwf_app_entry *ent = &app->ent[i];
	uint8_t buf[8192];
	uint64_t off = ent->header_off + HWF_APP_HDR_LEN;
	uint32_t done = 0;

	while (done < ent->nblocks) {
		uint32_t n = ent->nblocks - done;
		int rc;

		if (n > sizeof(buf) / 2)
			n = sizeof(buf) / 2;
		rc = hwf_source_read_exact(app->src, buf, n * 2u, off + done * 2ull, e);
		if (rc)
			return rc;
		for (uint32_t k = 0; k < n; k++)
			table[done + k] = get_le16(buf + 2 * k);
		done += n;
	}
	return 0;
}

int hwf_app_entry_source(struct hwf_app *app, size_t i, struct hwf_source **out,
			 struct hwf_err *e)
{
	const struct hwf_app_entry *ent = &app->ent[i];
	char label[600];

	snprintf(label, sizeof(label), "%s:%s", hwf_source_name(app->src), ent->name);
	return hwf_source_open_window(out, app->src, ent->data_off, ent->data_len, label, e);
}

void hwf_app_output_name(const struct hwf_app_entry *ent, char *buf, size_t len)
{
	char stem[sizeof(ent->file_name) - 16];

	if (!len)
		return;
	if (ent->file_name[0]) {
		snprintf(buf, len, "%s", ent->file_name);
		return;
	}
	/* An entry that did not come from hwf_app_open(): its natural file name. */
	file_stem(ent->name, ent->index, stem, sizeof(stem));
	snprintf(buf, len, "%s.img", stem);
}
