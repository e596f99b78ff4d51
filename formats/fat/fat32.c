// SPDX-License-Identifier: MIT
/*
 * FAT32: probing what is on a card and formatting it.  Facts from
 * Microsoft's "FAT: General Overview of On-Disk Format" (fatgen103).
 */
#include "formats/fat/fat32_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats/core/bytes.h"

/* --- I/O -------------------------------------------------------------- */

/* Read @len bytes at @off; with @zero_past_end, bytes past the end read as zero. */
int hwf_fat32_read(int fd, void *buf, size_t len, uint64_t off, int zero_past_end,
		   struct hwf_err *e)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hwf_err_set(e, HWF_EIO, "read at byte %llu: %s",
					   (unsigned long long)off, strerror(errno));
		if (n == 0) {
			if (zero_past_end) {
				memset(p, 0, len);
				return 0;
			}
			return hwf_err_set(e, HWF_ETRUNC,
					   "the image ends at byte %llu, %zu bytes short",
					   (unsigned long long)off, len);
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int hwf_fat32_write(int fd, const void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hwf_err_set(e, HWF_EIO, "write at byte %llu: %s",
					   (unsigned long long)off,
					   n < 0 ? strerror(errno) : "nothing written");
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int hwf_fat32_sync(int fd, struct hwf_err *e)
{
	if (fdatasync(fd) == 0 || errno == EINVAL || errno == EROFS)
		return 0;
	return hwf_err_set(e, HWF_EIO, "flushing to the card: %s", strerror(errno));
}

int hwf_fat32_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* --- probing ------------------------------------------------------------ */

const char *hwf_fs_kind_name(enum hwf_fs_kind k)
{
	switch (k) {
	case HWF_FS_UNKNOWN: return "unknown";
	case HWF_FS_FAT12: return "FAT12";
	case HWF_FS_FAT16: return "FAT16";
	case HWF_FS_FAT32: return "FAT32";
	case HWF_FS_EXFAT: return "exFAT";
	case HWF_FS_NTFS: return "NTFS";
	case HWF_FS_EXT: return "ext2/3/4";
	case HWF_FS_EMPTY: return "empty (all zero)";
	}
	return "unknown";
}

const char *hwf_pt_kind_name(enum hwf_pt_kind k)
{
	switch (k) {
	case HWF_PT_NONE: return "none";
	case HWF_PT_MBR: return "MBR";
	case HWF_PT_GPT: return "GPT";
	case HWF_PT_UNKNOWN: return "unknown";
	}
	return "unknown";
}

int hwf_fat32_parse_bpb(const uint8_t *h, struct hwf_fat32_bpb *b)
{
	uint64_t meta;
	uint32_t rds;

	if (h[0] != 0xEB && h[0] != 0xE9)
		return 0;
	b->bps = get_le16(h + 11);
	b->spc = h[13];
	b->reserved = get_le16(h + 14);
	b->nfats = h[16];
	b->root_ents = get_le16(h + 17);
	b->total = get_le16(h + 19) ? get_le16(h + 19) : get_le32(h + 32);
	b->fatsz = get_le16(h + 22) ? get_le16(h + 22) : get_le32(h + 36);
	if (b->bps != 512 && b->bps != 1024 && b->bps != 2048 && b->bps != 4096)
		return 0;
	if (!b->spc || (b->spc & (b->spc - 1)) || !b->reserved || !b->nfats || !b->total ||
	    !b->fatsz)
		return 0;
	if (h[21] != 0xF0 && h[21] < 0xF8)
		return 0;
	rds = (b->root_ents * 32 + b->bps - 1) / b->bps;
	meta = (uint64_t)b->reserved + (uint64_t)b->nfats * b->fatsz + rds;
	if (meta >= b->total)
		return 0;
	b->clusters = (b->total - meta) / b->spc;
	return 1;
}

static enum hwf_fs_kind fat_kind_of(uint64_t clusters)
{
	if (clusters < 4085)
		return HWF_FS_FAT12;
	if (clusters < HWF_FAT32_MIN_CLUSTERS)
		return HWF_FS_FAT16;
	return HWF_FS_FAT32;
}

/* What the PROBE_HEAD bytes at the start of a partition are (EMPTY is decided by the caller). */
enum hwf_fs_kind hwf_fat32_detect(const uint8_t *h, uint32_t *csize)
{
	struct hwf_fat32_bpb b;

	*csize = 0;
	if (!memcmp(h + 3, "EXFAT   ", 8)) {
		if (h[108] >= 9 && h[108] <= 12 && h[109] <= 25 - h[108])
			*csize = 1u << (h[108] + h[109]);
		return HWF_FS_EXFAT;
	}
	if (!memcmp(h + 3, "NTFS    ", 8))
		return HWF_FS_NTFS;
	if (hwf_fat32_parse_bpb(h, &b)) {
		*csize = b.bps * b.spc;
		return fat_kind_of(b.clusters);
	}
	if (get_le16(h + 1080) == 0xEF53)
		return HWF_FS_EXT;
	return HWF_FS_UNKNOWN;
}

/* File system at byte @off of a device of @size bytes. */
static int probe_fs(int fd, uint64_t size, uint64_t off, uint8_t *buf, struct hwf_disk_probe *out,
		    struct hwf_err *e)
{
	int rc;

	out->fs = HWF_FS_UNKNOWN;
	if (off >= size)
		return 0;
	rc = hwf_fat32_read(fd, buf, PROBE_ZERO, off, 1, e);
	if (rc)
		return rc;
	out->fs = hwf_fat32_detect(buf, &out->cluster_size);
	if (out->fs == HWF_FS_UNKNOWN && hwf_fat32_all_zero(buf, PROBE_ZERO))
		out->fs = HWF_FS_EMPTY;
	return 0;
}

static int probe_gpt(int fd, uint64_t size, uint8_t *buf, struct hwf_disk_probe *out,
		     struct hwf_err *e)
{
	static const uint32_t sizes[] = {512, 4096};
	uint8_t hdr[92], ent[128];

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		uint32_t ss = sizes[k], n, esz;
		uint64_t lba;
		int rc = hwf_fat32_read(fd, hdr, sizeof(hdr), ss, 1, e);

		if (rc)
			return rc;
		if (memcmp(hdr, "EFI PART", 8))
			continue;
		out->pt = HWF_PT_GPT;
		lba = get_le64(hdr + 72);
		n = get_le32(hdr + 80);
		esz = get_le32(hdr + 84);
		if (esz < 128 || esz > 4096 || esz % 8 || lba >= size / ss)
			return 0;
		if (n > 1024)
			n = 1024;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t first, last;

			rc = hwf_fat32_read(fd, ent, sizeof(ent), lba * ss + (uint64_t)i * esz, 1,
					    e);
			if (rc)
				return rc;
			if (hwf_fat32_all_zero(ent, 16))
				continue;
			if (out->part_count++)
				continue;
			first = get_le64(ent + 32);
			last = get_le64(ent + 40);
			if (last < first || last >= UINT64_MAX / ss)
				continue;
			out->part_offset = first * ss;
			out->part_size = (last - first + 1) * ss;
			rc = probe_fs(fd, size, out->part_offset, buf, out, e);
			if (rc)
				return rc;
		}
		return 0;
	}
	out->pt = HWF_PT_UNKNOWN; /* a protective MBR without a GPT header */
	return 0;
}

int hwf_disk_probe(int fd, uint64_t size, struct hwf_disk_probe *out, struct hwf_err *e)
{
	uint8_t *buf = malloc(PROBE_ZERO);
	uint8_t mbr[SECTOR];
	int rc, is_mbr;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_fat32_read(fd, buf, PROBE_ZERO, 0, 1, e);
	if (rc)
		goto out;
	memcpy(mbr, buf, SECTOR);
	out->fs = hwf_fat32_detect(buf, &out->cluster_size);
	if (out->fs != HWF_FS_UNKNOWN && out->fs != HWF_FS_EXT) {
		out->pt = HWF_PT_NONE; /* a boot sector at sector 0: superfloppy */
		out->part_size = size;
		goto out;
	}
	is_mbr = mbr[510] == 0x55 && mbr[511] == 0xAA;
	for (int i = 0; i < 4 && is_mbr; i++)
		if (mbr[446 + 16 * i] & 0x7F)
			is_mbr = 0; /* status must be 0x00 or 0x80 */
	if (!is_mbr) {
		out->pt = out->fs == HWF_FS_EXT || hwf_fat32_all_zero(buf, PROBE_ZERO)
			      ? HWF_PT_NONE
			      : HWF_PT_UNKNOWN;
		if (out->pt == HWF_PT_NONE)
			out->part_size = size;
		if (out->fs == HWF_FS_UNKNOWN && out->pt == HWF_PT_NONE)
			out->fs = HWF_FS_EMPTY;
		goto out;
	}
	out->pt = HWF_PT_MBR;
	out->fs = HWF_FS_UNKNOWN;
	out->cluster_size = 0;
	for (int i = 0; i < 4; i++) {
		const uint8_t *pe = mbr + 446 + 16 * i;

		if (pe[4] == 0xEE) {
			out->part_type = 0xEE;
			rc = probe_gpt(fd, size, buf, out, e);
			goto out;
		}
	}
	for (int i = 0; i < 4; i++) {
		const uint8_t *pe = mbr + 446 + 16 * i;
		uint8_t type = pe[4];

		if (!type || !get_le32(pe + 12))
			continue;
		out->part_count++;
		if (type == 0x05 || type == 0x0F || type == 0x85 || out->part_type)
			continue; /* extended containers hold no file system */
		out->part_type = type;
		out->part_offset = (uint64_t)get_le32(pe + 8) * SECTOR;
		out->part_size = (uint64_t)get_le32(pe + 12) * SECTOR;
	}
	if (out->part_type)
		rc = probe_fs(fd, size, out->part_offset, buf, out, e);
out:
	free(buf);
	return rc;
}

/* --- formatting ----------------------------------------------------------- */

uint32_t hwf_fat32_cluster_size(uint64_t vol_bytes)
{
	const uint64_t mib = 1024 * 1024, gib = 1024 * mib;

	if (vol_bytes <= 260 * mib)
		return 512;
	if (vol_bytes <= 8 * gib)
		return 4096;
	if (vol_bytes <= 16 * gib)
		return 8192;
	if (vol_bytes <= 32 * gib)
		return 16384;
	return 32768;
}

struct fat32_layout {
	uint32_t total; /* sectors in the volume */
	uint32_t spc;
	uint32_t fatsz; /* sectors per FAT */
	uint32_t clusters;
};

/* fatgen103's FAT size, then grown so the data area starts on a cluster boundary. */
static void fat32_layout(uint32_t vol_sectors, struct fat32_layout *l)
{
	uint64_t tmp1, tmp2, fatsz;

	memset(l, 0, sizeof(*l));
	l->total = vol_sectors;
	l->spc = hwf_fat32_cluster_size((uint64_t)vol_sectors * SECTOR) / SECTOR;
	if (vol_sectors <= RESERVED)
		return;
	tmp1 = vol_sectors - RESERVED;
	tmp2 = (256 * (uint64_t)l->spc + 2) / 2;
	fatsz = (tmp1 + tmp2 - 1) / tmp2;
	while ((RESERVED + 2 * fatsz) % l->spc)
		fatsz++;
	for (;;) {
		uint64_t meta = RESERVED + 2 * fatsz;
		uint64_t clusters = meta < vol_sectors ? (vol_sectors - meta) / l->spc : 0;

		if (fatsz * (SECTOR / 4) >= clusters + 2) {
			l->fatsz = (uint32_t)fatsz;
			l->clusters = (uint32_t)clusters;
			return;
		}
		fatsz += l->spc; /* never taken with fatgen103's formula; keeps alignment */
	}
}

/* Smallest device that hwf_fat32_format() accepts, in bytes. */
static uint64_t fat32_min_device(void)
{
	struct fat32_layout l;

	for (uint32_t v = RESERVED + HWF_FAT32_MIN_CLUSTERS;; v++) {
		fat32_layout(v, &l);
		if (l.clusters >= HWF_FAT32_MIN_CLUSTERS)
			return HWF_FAT32_PART_OFFSET + (uint64_t)v * SECTOR;
	}
}

uint64_t hwf_fat32_min_device_size(void)
{
	return fat32_min_device();
}

/* Characters allowed in 8.3 names and labels besides A-Z and 0-9. */
int hwf_fat32_short_char_ok(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'()-@^_`{}~", c) != NULL);
}

static int make_label(const char *label, uint8_t out[11], struct hwf_err *e)
{
	size_t n = label ? strlen(label) : 0;

	memset(out, ' ', 11);
	if (!n) {
		memcpy(out, "NO NAME", 7);
		return 0;
	}
	if (n > 11)
		return hwf_err_set(e, HWF_EINVAL,
				   "volume label \"%s\" is longer than 11 characters", label);
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)label[i];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (!hwf_fat32_short_char_ok(c) && !(c == ' ' && i))
			return hwf_err_set(e, HWF_EINVAL,
					   "volume label \"%s\": character '%c' is not allowed "
					   "(use letters, digits and !#$%%&'()-@^_`{}~)",
					   label, label[i]);
		out[i] = (uint8_t)c;
	}
	return 0;
}

static void fat_now(uint16_t *date, uint16_t *tim)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || tm.tm_year < 80 || tm.tm_year > 207) {
		*date = 1 << 5 | 1; /* 1980-01-01 */
		*tim = 0;
		return;
	}
	*date = (uint16_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
	*tim = (uint16_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
}

/* A short (8.3) directory entry. */
void hwf_fat32_make_short(uint8_t *d, const uint8_t name[11], uint8_t attr, uint32_t cl,
			  uint32_t size)
{
	uint16_t date, tim;

	fat_now(&date, &tim);
	memset(d, 0, 32);
	memcpy(d, name, 11);
	d[11] = attr;
	put_le16(d + 14, tim);
	put_le16(d + 16, date);
	put_le16(d + 18, date);
	put_le16(d + 20, (uint16_t)(cl >> 16));
	put_le16(d + 22, tim);
	put_le16(d + 24, date);
	put_le16(d + 26, (uint16_t)cl);
	put_le32(d + 28, size);
}

static void chs(uint8_t *p, uint64_t lba)
{
	uint32_t c = 1023, h = 254, s = 63;

	if (lba < 1024ull * 255 * 63) {
		c = (uint32_t)(lba / (255 * 63));
		h = (uint32_t)(lba / 63 % 255);
		s = (uint32_t)(lba % 63 + 1);
	}
	p[0] = (uint8_t)h;
	p[1] = (uint8_t)(s | (c >> 2 & 0xC0));
	p[2] = (uint8_t)c;
}

static void make_boot_sector(uint8_t *b, const struct fat32_layout *l, const uint8_t label[11],
			     uint32_t serial)
{
	static const uint8_t stub[] = {0xCD, 0x18, 0xF4, 0xEB, 0xFD}; /* int 18h; hlt; jmp */

	memset(b, 0, SECTOR);
	b[0] = 0xEB;
	b[1] = 0x58;
	b[2] = 0x90;
	memcpy(b + 3, "MSWIN4.1", 8);
	put_le16(b + 11, SECTOR);
	b[13] = (uint8_t)l->spc;
	put_le16(b + 14, RESERVED);
	b[16] = 2;
	b[21] = 0xF8;
	put_le16(b + 24, 63);
	put_le16(b + 26, 255);
	put_le32(b + 28, HWF_FAT32_PART_OFFSET / SECTOR);
	put_le32(b + 32, l->total);
	put_le32(b + 36, l->fatsz);
	put_le32(b + 44, 2);
	put_le16(b + 48, 1);
	put_le16(b + 50, 6);
	b[64] = 0x80;
	b[66] = 0x29;
	put_le32(b + 67, serial);
	memcpy(b + 71, label, 11);
	memcpy(b + 82, "FAT32   ", 8);
	memcpy(b + 90, stub, sizeof(stub));
	b[510] = 0x55;
	b[511] = 0xAA;
}

static int check_sector_size(int fd, struct hwf_err *e)
{
	struct stat st;
	int ss = 0;

	if (fstat(fd, &st) < 0)
		return hwf_err_set(e, HWF_EIO, "stat: %s", strerror(errno));
	if (!S_ISBLK(st.st_mode) || ioctl(fd, BLKSSZGET, &ss) < 0 || ss == (int)SECTOR)
		return 0;
	return hwf_err_set(e, HWF_EUNSUPPORTED,
			   "the card uses %d-byte sectors; only 512-byte sectors are supported",
			   ss);
}

int hwf_fat32_format(int fd, uint64_t dev_size, const char *label, uint32_t serial,
		     struct hwf_err *e)
{
	uint64_t vol =
	    dev_size > HWF_FAT32_PART_OFFSET ? (dev_size - HWF_FAT32_PART_OFFSET) / SECTOR : 0;
	uint64_t part = HWF_FAT32_PART_OFFSET, data;
	struct fat32_layout l;
	uint8_t lab[11], *buf, *p;
	uint32_t csize;
	int rc;

	rc = make_label(label, lab, e);
	if (rc)
		return rc;
	rc = check_sector_size(fd, e);
	if (rc)
		return rc;
	if (vol > UINT32_MAX)
		vol = UINT32_MAX; /* MBR and FAT32 count sectors in 32 bits: 2 TiB */
	fat32_layout((uint32_t)vol, &l);
	if (l.clusters < HWF_FAT32_MIN_CLUSTERS) {
		uint64_t min = fat32_min_device();

		return hwf_err_set(e, HWF_EINVAL,
				   "%llu bytes is too small for FAT32: it would have %u clusters, "
				   "FAT32 needs at least %u; use a card or image of at least %llu "
				   "bytes (%llu MiB)",
				   (unsigned long long)dev_size, l.clusters, HWF_FAT32_MIN_CLUSTERS,
				   (unsigned long long)min,
				   (unsigned long long)((min + (1 << 20) - 1) >> 20));
	}
	csize = l.spc * SECTOR;
	data = part + (RESERVED + 2ull * l.fatsz) * SECTOR;
	buf = calloc(1, IO_BUF);
	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");

	/* The rest of the first MiB: no stale GPT header or boot loader survives. */
	rc = hwf_fat32_write(fd, buf, HWF_FAT32_PART_OFFSET - SECTOR, SECTOR, e);

	/* Both FATs, zeroed in IO_BUF chunks, with entries 0, 1 and the root's EOC. */
	for (uint32_t k = 0; k < 2 && !rc; k++) {
		uint64_t at = part + (RESERVED + (uint64_t)k * l.fatsz) * SECTOR;
		uint64_t left = (uint64_t)l.fatsz * SECTOR;

		put_le32(buf, 0x0FFFFF00u | 0xF8);
		put_le32(buf + 4, FAT_EOC);
		put_le32(buf + 8, FAT_EOC);
		while (left && !rc) {
			size_t n = left < IO_BUF ? (size_t)left : IO_BUF;

			rc = hwf_fat32_write(fd, buf, n, at, e);
			memset(buf, 0, 12);
			at += n;
			left -= n;
		}
	}

	/* The root directory: one zeroed cluster, holding the volume label. */
	if (!rc) {
		if (memcmp(lab, "NO NAME    ", 11))
			hwf_fat32_make_short(buf, lab, ATTR_LABEL, 0, 0);
		rc = hwf_fat32_write(fd, buf, csize, data, e);
		memset(buf, 0, 32);
	}

	/* The reserved area: boot sector + FSInfo, backups at 6 and 7. */
	if (!rc) {
		make_boot_sector(buf, &l, lab, serial);
		p = buf + SECTOR;
		put_le32(p, 0x41615252);
		put_le32(p + 484, 0x61417272);
		put_le32(p + 488, l.clusters - 1);
		put_le32(p + 492, 3);
		put_le32(p + 508, 0xAA550000);
		memcpy(buf + 6 * SECTOR, buf, 2 * SECTOR);
		rc = hwf_fat32_write(fd, buf, RESERVED * SECTOR, part, e);
		memset(buf, 0, RESERVED * SECTOR);
	}

	/* A backup GPT header in the last sector would make tools "repair" the old table. */
	if (!rc) {
		uint64_t last = dev_size / SECTOR * SECTOR - SECTOR;

		rc = hwf_fat32_read(fd, buf, SECTOR, last, 1, e);
		if (!rc && !memcmp(buf, "EFI PART", 8)) {
			memset(buf, 0, SECTOR);
			rc = hwf_fat32_write(fd, buf, SECTOR, last, e);
		}
		memset(buf, 0, SECTOR);
	}

	/* The MBR last: the card is only a FAT32 card once everything else is there. */
	if (!rc) {
		p = buf + 446;
		put_le32(buf + 440, serial);
		chs(p + 1, HWF_FAT32_PART_OFFSET / SECTOR);
		p[4] = 0x0C;
		chs(p + 5, HWF_FAT32_PART_OFFSET / SECTOR + l.total - 1);
		put_le32(p + 8, HWF_FAT32_PART_OFFSET / SECTOR);
		put_le32(p + 12, l.total);
		buf[510] = 0x55;
		buf[511] = 0xAA;
		rc = hwf_fat32_write(fd, buf, SECTOR, 0, e);
	}
	free(buf);
	if (!rc)
		rc = hwf_fat32_sync(fd, e);
	return rc;
}
