// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the FAT32 reader behind `dload check`: hwf_disk_probe,
 * hwf_card_classify, hwf_fat_open read-only, the whole-volume check
 * (hwf_fat_check: every chain, loops, cross-links), listing the root and
 * dload/, stat and reading dload/UPDATE.APP, counting free space.
 *
 * A FAT32 volume is at least ~33 MiB and its interesting sectors (MBR, boot
 * sector, FSInfo, the start of each FAT, the root and dload directories, a
 * file) are far apart, so the input is not the disk itself but a sparse
 * description of it, which keeps seeds at a few KiB and lets mutations hit
 * the sectors that matter:
 *   bytes 0-1   disk size in 64 KiB units (LE), at most 256 MiB
 *   then        segments: [u32 LE byte offset][u16 LE length][bytes]
 * The disk is a memfd of that size (holes read as zero, cost no memory) and
 * each segment is written at its offset (clipped to the disk).
 * tests/fuzz/mkcorpus.sh makes the seeds from mkfs.vfat/mtools images.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/fat/fat32.h"

#define DISK_UNIT (64u << 10)
#define DISK_MAX (256u << 20)
#define READ_BUDGET (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_entry(void *ctx, const struct hwf_fat_dirent *d)
{
	size_t *n = ctx;

	if (strlen(d->name) >= HWF_FAT_NAME_MAX || strlen(d->short_name) >= 13)
		abort();
	return ++*n > 100000;	/* bounded by the reader; this is a backstop */
}

static void read_file(struct hwf_fat *fs, const char *path)
{
	static uint8_t buf[64 << 10];
	struct hwf_source *s;
	struct hwf_err e = { 0 };
	uint64_t size, off = 0;

	if (hwf_fat_open_source(fs, path, &s, &e))
		return;
	size = hwf_source_size(s);
	while (off < size && off < READ_BUDGET) {
		int64_t n = hwf_source_pread(s, buf, sizeof(buf), off, &e);

		if (n <= 0)
			break;
		off += (uint64_t)n;
	}
	/* The last bytes, as a CRC check of the tail would read them. */
	if (size > 100)
		hwf_source_pread(s, buf, 100, size - 100, &e);
	hwf_source_close(s);
}

static void volume(int fd, uint64_t off, uint64_t len)
{
	struct hwf_fat *fs;
	struct hwf_fat_dirent d;
	struct hwf_err e = { 0 };
	size_t n = 0;

	if (hwf_fat_open(&fs, fd, off, len, 0, &e))
		return;
	hwf_fat_label(fs);
	hwf_fat_cluster_size(fs);
	if (hwf_fat_check(fs, &e) == 0 && e.msg[0])
		abort(); /* a sound volume leaves no message behind */
	hwf_err_clear(&e);
	hwf_fat_list(fs, "/", count_entry, &n, &e);
	hwf_fat_list(fs, "dload", count_entry, &n, &e);
	hwf_fat_stat(fs, "DLOAD/update.app", &d, &e);
	hwf_fat_stat(fs, "dload/sub/x", &d, &e);
	read_file(fs, "dload/UPDATE.APP");
	hwf_fat_free_bytes(fs);
	hwf_fat_close(fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwf_disk_probe pr;
	struct hwf_err e = { 0 };
	uint64_t disk;
	int fd;

	if (size < 2)
		return 0;
	disk = (uint64_t)get_le16(data) * DISK_UNIT;
	if (disk > DISK_MAX)
		disk = DISK_MAX;
	fd = memfd_create("fuzz.disk", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)disk))
		abort();
	for (size_t i = 2; i + 6 <= size;) {
		uint64_t at = get_le32(data + i);
		size_t len = get_le16(data + i + 4);

		i += 6;
		if (len > size - i)
			len = size - i;
		if (at < disk) {
			size_t w = disk - at < len ? (size_t)(disk - at) : len;

			if (pwrite(fd, data + i, w, (off_t)at) != (ssize_t)w)
				abort();
		}
		i += len;
	}
	{
		struct hwf_card_class cls;

		if (hwf_card_classify(fd, disk, &cls, &e) == 0 &&
		    (cls.kind > HWF_CARD_FOREIGN || !cls.what[0]))
			abort();
	}
	if (hwf_disk_probe(fd, disk, &pr, &e) == 0) {
		hwf_fs_kind_name(pr.fs);
		hwf_pt_kind_name(pr.pt);
		/* As dload check does: the partition the table names, clipped to the disk. */
		if (pr.part_offset < disk)
			volume(fd, pr.part_offset,
			       pr.part_size < disk - pr.part_offset ? pr.part_size
								    : disk - pr.part_offset);
	}
	close(fd);
	return 0;
}
