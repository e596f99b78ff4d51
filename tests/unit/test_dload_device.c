// SPDX-License-Identifier: MIT
/*
 * A whole device as TARGET of dload prepare: the decision
 * (hwf_dl_device_gate, on every OS) and, in the Windows build only, the
 * sector-aligned I/O a physical drive gets (win/src/sectorio.c through
 * hwfw_disk_attach on an ordinary file: unaligned reads and writes must
 * leave every other byte as it was) and which disks count as cards.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/dload/dload_int.h"
#include "tests/unit/testutil.h"

#define GIB (1ull << 30)

static int gate(const struct hwf_dl_device *d, int format, int force, struct hwf_err *e)
{
	hwf_err_clear(e);
	return hwf_dl_device_gate("\\\\.\\PhysicalDrive2", d, format, force, e);
}

static void test_the_system_disk_is_never_written(void)
{
	struct hwf_dl_device d = {.size = 8 * GIB, .removable = 1};
	struct hwf_err e = {0};

	snprintf(d.system, sizeof(d.system), "Windows (C:\\)");
	CU_ASSERT_EQUAL(gate(&d, 1, 1, &e), HWF_EACCES);
	CU_ASSERT_STRING_EQUAL(e.msg, "\\\\.\\PhysicalDrive2 holds Windows (C:\\): never written");
	CU_ASSERT_EQUAL(gate(&d, 0, 1, &e), HWF_EACCES);
	CU_ASSERT_EQUAL(gate(&d, 0, 0, &e), HWF_EACCES);
}

static void test_mounted_is_refused(void)
{
	struct hwf_dl_device d = {.size = 8 * GIB, .removable = 1};
	struct hwf_err e = {0};

	snprintf(d.mounted, sizeof(d.mounted), "/media/card");
	CU_ASSERT_EQUAL(gate(&d, 1, 1, &e), HWF_EACCES);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is mounted on /media/card: unmount it first"));
	CU_ASSERT_EQUAL(gate(&d, 0, 0, &e), HWF_EACCES);
}

static void test_format_of_a_fixed_disk_needs_force(void)
{
	struct hwf_dl_device d = {.size = 8 * GIB, .removable = 0};
	struct hwf_err e = {0};

	CU_ASSERT_EQUAL(gate(&d, 1, 0, &e), HWF_EACCES);
	CU_ASSERT_STRING_EQUAL(e.msg, "\\\\.\\PhysicalDrive2 is not a removable device: refusing "
				      "to format it (--force if you are sure)");
	CU_ASSERT_EQUAL(gate(&d, 1, 1, &e), 0);
	/* Without format nothing is erased: the card's FAT32 is checked instead. */
	CU_ASSERT_EQUAL(gate(&d, 0, 0, &e), 0);
}

static void test_format_of_a_big_card_needs_force(void)
{
	struct hwf_dl_device d = {.size = 256 * GIB + 512, .removable = 1};
	struct hwf_err e = {0};

	CU_ASSERT_EQUAL(gate(&d, 1, 0, &e), HWF_EACCES);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is larger than 256 GiB"));
	CU_ASSERT_EQUAL(gate(&d, 1, 1, &e), 0);
	d.size = 256 * GIB;
	CU_ASSERT_EQUAL(gate(&d, 1, 0, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.msg, "");
}

#ifdef _WIN32
static void test_which_disks_are_cards(void)
{
	/* STORAGE_BUS_TYPE: 7 USB, 0xB SATA, 0xC SD, 0xD MMC, 0x11 NVMe. */
	CU_ASSERT_TRUE(hwfw_disk_is_card(1, 7));   /* a USB card reader */
	CU_ASSERT_TRUE(hwfw_disk_is_card(0, 0xC)); /* a laptop's SD slot */
	CU_ASSERT_TRUE(hwfw_disk_is_card(0, 0xD));
	CU_ASSERT_FALSE(hwfw_disk_is_card(0, 7)); /* a USB hard disk */
	CU_ASSERT_FALSE(hwfw_disk_is_card(0, 0xB));
	CU_ASSERT_FALSE(hwfw_disk_is_card(0, 0x11));
}

#define FILE_SIZE (3u << 20)

/* Unaligned writes and reads through a file attached as a disk of @sector-byte sectors. */
static void sector_io(unsigned sector)
{
	static const struct {
		size_t off, len;
	} w[] = {
	    {100, 1000},	 {511, 2},	     {1024, 512}, {4095, 4099},
	    {7, (3u << 19) + 5}, {FILE_SIZE - 3, 3}, {2047, 1},	  {0, 1},
	};
	char *dir = tu_mkdtemp(), *path = tu_path(dir, "disk.img");
	unsigned char *mirror = malloc(FILE_SIZE), *got = malloc(FILE_SIZE), *data;
	int fd;

	tu_random(mirror, FILE_SIZE, 19);
	CU_ASSERT_EQUAL_FATAL(tu_write(path, mirror, FILE_SIZE), 0);
	fd = open(path, O_RDWR);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(hwfw_disk_attach(fd, 3), -1); /* not a sector size */
	CU_ASSERT_EQUAL_FATAL(hwfw_disk_attach(fd, sector), 0);
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		data = malloc(w[i].len);
		tu_random(data, w[i].len, 100 + i);
		CU_ASSERT_EQUAL(pwrite(fd, data, w[i].len, (off_t)w[i].off), (ssize_t)w[i].len);
		memcpy(mirror + w[i].off, data, w[i].len);
		memset(got, 0, w[i].len);
		CU_ASSERT_EQUAL(pread(fd, got, w[i].len, (off_t)w[i].off), (ssize_t)w[i].len);
		CU_ASSERT_EQUAL(memcmp(got, data, w[i].len), 0);
		free(data);
	}
	/* Reads at odd places; past the end a short read, then 0. */
	CU_ASSERT_EQUAL(pread(fd, got, 777, 12345), 777);
	CU_ASSERT_EQUAL(memcmp(got, mirror + 12345, 777), 0);
	CU_ASSERT_EQUAL(pread(fd, got, 100, FILE_SIZE - 10), 10);
	CU_ASSERT_EQUAL(memcmp(got, mirror + FILE_SIZE - 10, 10), 0);
	CU_ASSERT_EQUAL(pread(fd, got, 100, FILE_SIZE + 1), 0);
	CU_ASSERT_EQUAL(pread(fd, got, 1, -1), -1);
	CU_ASSERT_EQUAL(close(fd), 0);
	/* Read back as an ordinary file: every other byte as it was, the size too. */
	CU_ASSERT_EQUAL(tu_size(path), FILE_SIZE);
	fd = open(path, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(pread(fd, got, FILE_SIZE, 0), FILE_SIZE);
	CU_ASSERT_EQUAL(memcmp(got, mirror, FILE_SIZE), 0);
	close(fd);
	free(mirror);
	free(got);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void test_sector_io_512(void)
{
	sector_io(512);
}

static void test_sector_io_4096(void)
{
	sector_io(4096);
}
#endif

void hwf_suite_dload_device(void)
{
	CU_pSuite s = CU_add_suite("dload_device", NULL, NULL);

	CU_add_test(s, "the disk of the system: never written, even with --force",
		    test_the_system_disk_is_never_written);
	CU_add_test(s, "a mounted device is refused", test_mounted_is_refused);
	CU_add_test(s, "--format of a fixed disk only with --force",
		    test_format_of_a_fixed_disk_needs_force);
	CU_add_test(s, "--format past 256 GiB only with --force",
		    test_format_of_a_big_card_needs_force);
#ifdef _WIN32
	CU_add_test(s, "which Windows disks are cards", test_which_disks_are_cards);
	CU_add_test(s, "unaligned I/O on 512-byte sectors (read-modify-write)", test_sector_io_512);
	CU_add_test(s, "unaligned I/O on 4096-byte sectors (read-modify-write)",
		    test_sector_io_4096);
#endif
}
