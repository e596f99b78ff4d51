// SPDX-License-Identifier: MIT
/*
 * win/src/disk.c: whole disks (\\.\PhysicalDriveN) as descriptors (see
 * win/src/disk.h): open, stat, the table of open disks, their volumes
 * locked and dismounted before a write, the disk of the Windows folder and
 * whether a disk is a card.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <winioctl.h>

#include "win/src/compat_int.h"
#include "win/src/disk.h"

#define MAX_DISKS   8
#define MAX_VOLUMES 32

/* The open disks (and files attached as disks for the tests). */
struct disk {
	int fd; /* -1: a free slot */
	unsigned sector;
	int number; /* -1: a file attached by hwfw_disk_attach() */
	HANDLE vol[MAX_VOLUMES];
	int nvol;
};

static SRWLOCK lock = SRWLOCK_INIT;
static struct disk disks[MAX_DISKS] = {[0 ... MAX_DISKS - 1] = {.fd = -1}};

int hwf_disk_number(const char *p)
{
	static const char name[] = "physicaldrive";
	long n = 0;
	size_t i;

	if (!((p[0] == '\\' || p[0] == '/') && (p[1] == '\\' || p[1] == '/') && p[2] == '.' &&
	      (p[3] == '\\' || p[3] == '/')))
		return -1;
	p += 4;
	for (i = 0; name[i]; i++)
		if ((p[i] | 0x20) != name[i])
			return -1;
	p += i;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9' && n < 100000; p++)
		n = n * 10 + (*p - '0');
	return *p || n >= 100000 ? -1 : (int)n;
}

static int enter(int fd, unsigned sector, int number)
{
	int rc = -1;

	AcquireSRWLockExclusive(&lock);
	for (int i = 0; i < MAX_DISKS && rc; i++)
		if (disks[i].fd < 0) {
			disks[i] = (struct disk){.fd = fd, .sector = sector, .number = number};
			rc = 0;
		}
	ReleaseSRWLockExclusive(&lock);
	if (rc)
		errno = EMFILE;
	return rc;
}

/* The slot of @fd (under the lock), or NULL. */
static struct disk *slot(int fd)
{
	for (int i = 0; fd >= 0 && i < MAX_DISKS; i++)
		if (disks[i].fd == fd)
			return &disks[i];
	return NULL;
}

int hwfw_disk_attach(int fd, unsigned sector)
{
	if (sector < 512 || sector > 65536 || (sector & (sector - 1))) {
		errno = EINVAL;
		return -1;
	}
	return enter(fd, sector, -1);
}

unsigned hwf_disk_sector(int fd)
{
	unsigned s = 0;
	struct disk *d;

	AcquireSRWLockShared(&lock);
	d = slot(fd);
	if (d)
		s = d->sector;
	ReleaseSRWLockShared(&lock);
	return s;
}

static HANDLE open_disk(int number, DWORD access)
{
	wchar_t name[48];

	swprintf(name, 48, L"\\\\.\\PhysicalDrive%d", number);
	return CreateFileW(name, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0,
			   NULL);
}

int hwf_disk_open(int number, int flags)
{
	DWORD access = GENERIC_READ, got;
	union {
		DISK_GEOMETRY_EX g; /* followed by partition and detection facts */
		char space[256];
	} x;
	unsigned sector = 512;
	HANDLE h;
	int fd;

	if ((flags & (O_RDONLY | O_WRONLY | O_RDWR)) != O_RDONLY)
		access |= GENERIC_WRITE;
	h = open_disk(number, access);
	if (h == INVALID_HANDLE_VALUE)
		return hwf_win_fail(GetLastError());
	/* The sector size; a power of two from 512 to 64 KiB, else 512 is assumed. */
	if (DeviceIoControl(h, IOCTL_DISK_GET_DRIVE_GEOMETRY_EX, NULL, 0, &x, sizeof(x), &got,
			    NULL) &&
	    x.g.Geometry.BytesPerSector >= 512 && x.g.Geometry.BytesPerSector <= 65536 &&
	    !(x.g.Geometry.BytesPerSector & (x.g.Geometry.BytesPerSector - 1)))
		sector = x.g.Geometry.BytesPerSector;
	fd = _open_osfhandle((intptr_t)h, _O_BINARY | (access & GENERIC_WRITE ? 0 : _O_RDONLY));
	if (fd < 0) {
		/* Not a disk the C library takes (wine's PhysicalDrive0 is none). */
		CloseHandle(h);
		errno = ENODEV;
		return -1;
	}
	if (enter(fd, sector, number)) {
		_close(fd);
		errno = EMFILE;
		return -1;
	}
	return fd;
}

int hwf_disk_stat(int number, struct hwfw_stat *st)
{
	HANDLE h = open_disk(number, 0);

	if (h == INVALID_HANDLE_VALUE)
		return hwf_win_fail(GetLastError());
	CloseHandle(h);
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFBLK | 0660;
	st->st_rdev = (uint64_t)number;
	return 0;
}

int hwf_disk_fstat(int fd, struct hwfw_stat *st)
{
	int number = -1;
	struct disk *d;

	AcquireSRWLockShared(&lock);
	d = slot(fd);
	if (d)
		number = d->number;
	ReleaseSRWLockShared(&lock);
	if (number < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFBLK | 0660;
	st->st_rdev = (uint64_t)number;
	return 0;
}

int hwf_disk_close(int fd, int *rc)
{
	HANDLE vol[MAX_VOLUMES];
	struct disk *d;
	int nvol = -1;

	AcquireSRWLockExclusive(&lock);
	d = slot(fd);
	if (d) {
		nvol = d->nvol;
		memcpy(vol, d->vol, sizeof(vol));
		d->fd = -1;
	}
	ReleaseSRWLockExclusive(&lock);
	if (nvol < 0)
		return 0;
	*rc = _close(fd);
	/* Unlocked now: Windows mounts what is on the disk again. */
	for (int i = 0; i < nvol; i++)
		CloseHandle(vol[i]);
	return 1;
}

/* Does the volume @h lie (in part) on disk @number? */
static int on_disk(HANDLE h, int number)
{
	union {
		VOLUME_DISK_EXTENTS v;
		char space[sizeof(VOLUME_DISK_EXTENTS) + 31 * sizeof(DISK_EXTENT)];
	} x;
	DWORD got;

	if (!DeviceIoControl(h, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, NULL, 0, &x, sizeof(x), &got,
			     NULL))
		return 0;
	for (DWORD i = 0; i < x.v.NumberOfDiskExtents && i < 32; i++)
		if (x.v.Extents[i].DiskNumber == (DWORD)number)
			return 1;
	return 0;
}

/* The volume \\?\Volume{...}\ @name without its last backslash (to open it). */
static HANDLE open_volume(const wchar_t *name, DWORD access)
{
	wchar_t path[MAX_PATH + 1];
	size_t n = wcslen(name);

	if (n >= MAX_PATH)
		return INVALID_HANDLE_VALUE;
	wcscpy(path, name);
	if (n && path[n - 1] == L'\\')
		path[n - 1] = 0;
	return CreateFileW(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0,
			   NULL);
}

/* The first drive letter or folder volume @name is mounted on, for messages. */
static void volume_label(const wchar_t *name, char *out, size_t len)
{
	wchar_t paths[1024];
	DWORD got = 0;
	char *u = NULL;

	if (GetVolumePathNamesForVolumeNameW(name, paths, 1024, &got) && paths[0])
		u = hwf_utf8(paths);
	snprintf(out, len, "%s", u ? u : "a volume without a drive letter");
	free(u);
}

/* Lock and dismount the volume @name of disk @d; its handle goes to @d. */
static int claim_one(struct disk *d, const wchar_t *name, char *why, size_t len)
{
	char label[MAX_PATH * 3];
	HANDLE h = open_volume(name, GENERIC_READ | GENERIC_WRITE);
	DWORD got;
	int locked = 0;

	volume_label(name, label, sizeof(label));
	if (h == INVALID_HANDLE_VALUE) {
		snprintf(why, len,
			 "%s, a volume on it, cannot be opened to lock it (%s); nothing "
			 "was written",
			 label, strerror(hwf_win_errno(GetLastError())));
		return -1;
	}
	/* Explorer lets go of a volume a moment after its window closes: a few tries. */
	for (int tries = 0; tries < 5 && !locked; tries++) {
		locked = DeviceIoControl(h, FSCTL_LOCK_VOLUME, NULL, 0, NULL, 0, &got, NULL);
		if (!locked)
			Sleep(200);
	}
	if (!locked) {
		CloseHandle(h);
		snprintf(why, len,
			 "%s is in use: close the Explorer windows and programs that have files "
			 "open on it (an antivirus scan too), then try again; nothing was written",
			 label);
		return -1;
	}
	DeviceIoControl(h, FSCTL_DISMOUNT_VOLUME, NULL, 0, NULL, 0, &got, NULL);
	if (d->nvol == MAX_VOLUMES) {
		CloseHandle(h);
		snprintf(why, len, "more than %d volumes on it; nothing was written", MAX_VOLUMES);
		return -1;
	}
	d->vol[d->nvol++] = h;
	return 0;
}

int hwf_disk_claim(int fd, char *why, size_t len)
{
	wchar_t name[MAX_PATH + 1];
	struct disk *d;
	HANDLE find;
	int rc = 0;

	AcquireSRWLockExclusive(&lock);
	d = slot(fd);
	if (!d || d->number < 0) {
		ReleaseSRWLockExclusive(&lock);
		return 0; /* a file (the tests' HWF_WIN_SECTOR) has no volumes */
	}
	find = FindFirstVolumeW(name, MAX_PATH + 1);
	for (int more = find != INVALID_HANDLE_VALUE; more && !rc;
	     more = FindNextVolumeW(find, name, MAX_PATH + 1)) {
		HANDLE q = open_volume(name, 0);
		int mine = q != INVALID_HANDLE_VALUE && on_disk(q, d->number);

		if (q != INVALID_HANDLE_VALUE)
			CloseHandle(q);
		if (mine)
			rc = claim_one(d, name, why, len);
	}
	if (find != INVALID_HANDLE_VALUE)
		FindVolumeClose(find);
	ReleaseSRWLockExclusive(&lock);
	return rc;
}

int hwf_disk_holds_windows(int number, char *what, size_t len)
{
	wchar_t sys[MAX_PATH + 1], root[MAX_PATH + 1], vol[MAX_PATH + 1];
	HANDLE h;
	char *u;
	int hit;

	if (!GetSystemDirectoryW(sys, MAX_PATH + 1) ||
	    !GetVolumePathNameW(sys, root, MAX_PATH + 1) ||
	    !GetVolumeNameForVolumeMountPointW(root, vol, MAX_PATH + 1))
		return 0;
	h = open_volume(vol, 0);
	if (h == INVALID_HANDLE_VALUE)
		return 0;
	hit = on_disk(h, number);
	CloseHandle(h);
	if (!hit)
		return 0;
	u = hwf_utf8(root);
	snprintf(what, len, "Windows (%s)", u ? u : "the system drive");
	free(u);
	return 1;
}

int hwfw_disk_is_card(int removable_media, int bus_type)
{
	return removable_media || bus_type == BusTypeSd || bus_type == BusTypeMmc;
}

int hwf_disk_removable(int number)
{
	STORAGE_PROPERTY_QUERY q = {StorageDeviceProperty, PropertyStandardQuery, {0}};
	union {
		STORAGE_DEVICE_DESCRIPTOR d;
		char space[1024];
	} x;
	HANDLE h = open_disk(number, 0);
	DWORD got;
	int ok;

	if (h == INVALID_HANDLE_VALUE)
		return 0;
	ok = DeviceIoControl(h, IOCTL_STORAGE_QUERY_PROPERTY, &q, sizeof(q), &x, sizeof(x), &got,
			     NULL) &&
	     got >= offsetof(STORAGE_DEVICE_DESCRIPTOR, BusType) + sizeof(x.d.BusType);
	CloseHandle(h);
	return ok && hwfw_disk_is_card(x.d.RemovableMedia, x.d.BusType);
}
