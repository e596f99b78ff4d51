/* SPDX-License-Identifier: MIT */
/*
 * win/compat.h: the POSIX that hwflash uses, on Windows.  The Windows build
 * (win/Makefile) force-includes this header into every file (-include), so
 * formats/, protocol/, host/ and the tests compile unchanged: no #ifdef _WIN32
 * in them.  The shim headers in win/include/ stand for the POSIX headers that
 * mingw-w64 lacks (sys/socket.h, poll.h, ...); win/src/compat.c implements
 * what is declared here on top of the Win32 API.
 *
 * Paths are UTF-8 everywhere in hwflash; every function here that takes one
 * converts it to UTF-16 and calls the wide Win32 function, so any file name
 * works.  Files are always opened in binary mode, shared for read, write and
 * delete (as on POSIX, a file may be renamed or removed while it is open),
 * with 64-bit sizes and offsets (struct stat here is hwfw_stat: 64-bit st_size,
 * st_dev/st_ino from the volume serial and the file index).  rename() replaces
 * the target atomically (MoveFileExW, MOVEFILE_REPLACE_EXISTING |
 * MOVEFILE_WRITE_THROUGH).  Sockets are Winsock SOCKETs kept in an int (as the
 * POSIX code does); close() tells them from files.  Errors set errno (Win32
 * and Winsock codes mapped to the POSIX ones); strerror() knows the POSIX
 * codes that the Microsoft C library does not (network ones).
 *
 * The names are object-like macros on purpose: a struct member of the same
 * name (ops->close, hooks->rename) is renamed alike in every file.
 */
#ifndef HWF_WIN_COMPAT_H
#define HWF_WIN_COMPAT_H

#ifndef _WIN32
#error "win/compat.h is for the Windows build only"
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <process.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <zlib.h>
#include <limits.h>

/* mingw's PATH_MAX is MAX_PATH (260): realpath() fills PATH_MAX bytes, as on Linux. */
#undef PATH_MAX
#define PATH_MAX 4096

/* POSIX error numbers that the Microsoft C library lacks are in mingw's errno.h. */
#ifndef ELOOP
#define ELOOP 114
#endif

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
/* Checked by open() (win/src/compat.c): ELOOP on a link (win/src/at.c), ENOTDIR on a file. */
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0x00100000
#endif
#ifndef O_DIRECTORY
#define O_DIRECTORY 0x00200000
#endif
#ifndef O_NOCTTY
#define O_NOCTTY 0
#endif
#ifndef O_SYNC
#define O_SYNC 0
#endif
#ifndef O_NONBLOCK
#define O_NONBLOCK 0
#endif
/* An unnamed file in the folder given as path: FILE_FLAG_DELETE_ON_CLOSE. */
#ifndef O_TMPFILE
#define O_TMPFILE 0x00400000
#endif
/* lseek() refuses them (EINVAL), as a file system without holes would. */
#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif
#ifndef EDQUOT
#define EDQUOT ENOSPC
#endif
#ifndef _SC_NPROCESSORS_ONLN
#define _SC_NPROCESSORS_ONLN 84
#endif
#ifndef POSIX_FADV_DONTNEED
#define POSIX_FADV_DONTNEED 4
#endif
#ifndef S_IFBLK
#define S_IFBLK 0x3000
#endif
#ifndef S_ISBLK
#define S_ISBLK(m) (((m)&S_IFMT) == S_IFBLK)
#endif
/* Symbolic links: Cygwin's "system file" links (win/src/at.c), seen by lstat() only. */
#ifndef S_IFLNK
#define S_IFLNK 0xA000
#endif
#ifndef S_ISLNK
#define S_ISLNK(m) (((m)&S_IFMT) == S_IFLNK)
#endif
#ifndef S_ISSOCK
#define S_ISSOCK(m) 0
#endif

/* Signals Windows does not have: never raised, so ignoring them is a no-op. */
#ifndef SIGHUP
#define SIGHUP 1
#endif
#ifndef SIGXFSZ
#define SIGXFSZ 25
#endif
#ifndef SIGPIPE
#define SIGPIPE 13
#endif

typedef unsigned hwfw_nlink_t;
#define nlink_t hwfw_nlink_t
/* mingw's ino_t is 16 bits and its dev_t 32: hwfw_stat's st_ino and st_dev (64 bits)
 * kept in them lost their top bits, and files compared by them differed. */
typedef uint64_t hwfw_ino_t;
typedef uint64_t hwfw_dev_t;
#define ino_t hwfw_ino_t
#define dev_t hwfw_dev_t

struct hwfw_stat {
	uint64_t st_dev; /* volume serial number */
	uint64_t st_ino; /* file index on the volume */
	unsigned st_mode;
	unsigned st_nlink;
	uint64_t st_rdev;
	int64_t st_size;
	time_t st_atime, st_mtime, st_ctime;
};

int hwfw_open(const char *path, int flags, ...);
int hwfw_close(int fd);
int hwfw_stat(const char *path, struct hwfw_stat *st);
int hwfw_fstat(int fd, struct hwfw_stat *st);
int hwfw_rename(const char *from, const char *to);
int hwfw_unlink(const char *path);
int hwfw_rmdir(const char *path);
int hwfw_mkdir(const char *path, int mode);
int hwfw_access(const char *path, int mode);
FILE *hwfw_fopen(const char *path, const char *mode);
ssize_t hwfw_pread(int fd, void *buf, size_t n, int64_t off);
ssize_t hwfw_pwrite(int fd, const void *buf, size_t n, int64_t off);
int64_t hwfw_lseek(int fd, int64_t off, int whence);
int hwfw_fsync(int fd);
int hwfw_ftruncate(int fd, int64_t size);
int hwfw_mkostemp(char *tmpl, int flags);
char *hwfw_realpath(const char *path, char *resolved);
char *hwfw_strerror(int err);
int hwfw_isatty(int fd);
int hwfw_fchmod(int fd, int mode);
long hwfw_sysconf(int name);
int hwfw_posix_fadvise(int fd, int64_t off, int64_t len, int advice);
char *hwfw_strcasestr(const char *hay, const char *needle);
void *hwfw_memrchr(const void *s, int c, size_t n);
char *hwfw_strndup(const char *s, size_t n);
struct tm *hwfw_localtime_r(const time_t *t, struct tm *out);
struct tm *hwfw_gmtime_r(const time_t *t, struct tm *out);
int hwfw_mkstemp(char *tmpl);
int hwfw_lstat(const char *path, struct hwfw_stat *st);
int hwfw_symlink(const char *target, const char *path);

/* The *at() functions: a folder's descriptor stands for its path (win/src/at.c). */
#ifndef AT_FDCWD
#define AT_FDCWD	    (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR	    0x200
#endif
int hwfw_openat(int dirfd, const char *name, int flags, ...);
int hwfw_fstatat(int dirfd, const char *name, struct hwfw_stat *st, int flags);
int hwfw_mkdirat(int dirfd, const char *name, int mode);
int hwfw_unlinkat(int dirfd, const char *name, int flags);
ssize_t hwfw_readlinkat(int dirfd, const char *name, char *buf, size_t n);
int hwfw_symlinkat(const char *target, int dirfd, const char *name);
int hwfw_linkat(int fromfd, const char *from, int tofd, const char *to, int flags);
#define openat	   hwfw_openat
#define fstatat	   hwfw_fstatat
#define mkdirat	   hwfw_mkdirat
#define unlinkat   hwfw_unlinkat
#define readlinkat hwfw_readlinkat
#define symlinkat  hwfw_symlinkat
#define symlink	   hwfw_symlink
#define linkat	   hwfw_linkat

/*
 * Whole disks (win/src/disk.c): open() of \\.\PhysicalDriveN gives a descriptor
 * whose reads and writes may start and end anywhere (made sector-aligned
 * underneath) and whose fstat() says S_IFBLK with st_rdev = N.
 * hwfw_disk_attach() makes the ordinary file open as @fd such a disk with
 * @sector-byte sectors (a power of two, 512..65536): a test hook (see
 * HWF_WIN_SECTOR in win/src/dload_os.c).  hwfw_disk_is_card(): a disk whose
 * STORAGE_DEVICE_DESCRIPTOR says this is a card (removable media, or an SD or
 * MMC bus).
 */
int hwfw_disk_attach(int fd, unsigned sector);
int hwfw_disk_is_card(int removable_media, int bus_type);

/* Used by the tests and the simulator only. */
int hwfw_link(const char *from, const char *to);
int hwfw_mkfifo(const char *path, int mode);
char *hwfw_mkdtemp(char *tmpl);
int hwfw_fallocate(int fd, int mode, int64_t off, int64_t len);
#define FALLOC_FL_KEEP_SIZE  1
#define FALLOC_FL_PUNCH_HOLE 2
ssize_t hwfw_readlink(const char *path, char *buf, size_t n);
/* mingw's zlib takes a 32-bit long as "z_off64_t": lengths past 2 GiB in steps. */
unsigned long hwfw_crc32_combine64(unsigned long crc1, unsigned long crc2, int64_t len2);
int hwfw_system(const char *cmd);
#define system	 hwfw_system
#define readlink hwfw_readlink
#undef crc32_combine64
#define crc32_combine64 hwfw_crc32_combine64
#undef z_off64_t
#define z_off64_t int64_t
#define link	  hwfw_link
#define mkfifo	  hwfw_mkfifo
#define mkdtemp	  hwfw_mkdtemp
#define fallocate hwfw_fallocate

/*
 * printf-style checking: the project's __attribute__((format(printf, ...)))
 * means the Microsoft printf to mingw's gcc, which knows no %zu; the C
 * library here is mingw's C99 one (__USE_MINGW_ANSI_STDIO), so "printf" is
 * gnu_printf, and a call of printf() is one of gnu_printf(), which is printf.
 */
int gnu_printf(const char *fmt, ...) __attribute__((format(gnu_printf, 1, 2)));
#undef printf
#define printf gnu_printf
/* Pipes in binary mode (host/multi.c; fork() fails on Windows before it reads them). */
#define pipe(fds) _pipe(fds, 65536, _O_BINARY)
/* io.h's tell() would clash with the static functions named tell. */
#define tell hwfw_tell_

/* Directories: UTF-8 names (mingw's opendir is ANSI-only). */
struct hwfw_dirent {
	uint64_t d_ino;
	unsigned char d_type;
	char d_name[1024];
};
typedef struct hwfw_dir HWFW_DIR;
HWFW_DIR *hwfw_opendir(const char *path);
struct hwfw_dirent *hwfw_readdir(HWFW_DIR *d);
int hwfw_closedir(HWFW_DIR *d);
/* The folder open as @fd (closedir() closes @fd); dirfd() the descriptor of a folder. */
HWFW_DIR *hwfw_fdopendir(int fd);
int hwfw_dirfd(HWFW_DIR *d);
#ifndef DT_UNKNOWN
#define DT_UNKNOWN 0
#define DT_DIR	   4
#define DT_REG	   8
#endif

/* Signals the way host/cleanup.c waits for them (a thread in sigwait()):
 * Ctrl-C, Ctrl-Break and closing the console window come to sigwait() through
 * SetConsoleCtrlHandler as SIGINT, SIGBREAK->SIGINT, SIGTERM. */
typedef unsigned long hwfw_sigset_t;
int hwfw_sigemptyset(hwfw_sigset_t *s);
int hwfw_sigaddset(hwfw_sigset_t *s, int sig);
int hwfw_sigwait(const hwfw_sigset_t *s, int *sig);
int hwfw_pthread_sigmask(int how, const hwfw_sigset_t *s, hwfw_sigset_t *old);
int hwfw_raise(int sig);
#ifndef SIG_BLOCK
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#endif

#undef stat
#define stat hwfw_stat
#undef fstat
#define fstat hwfw_fstat
#undef lstat
#define lstat hwfw_lstat
#undef open
#define open hwfw_open
#undef close
#define close hwfw_close
#undef rename
#define rename hwfw_rename
#undef unlink
#define unlink hwfw_unlink
#undef remove
#define remove hwfw_unlink
#undef rmdir
#define rmdir hwfw_rmdir
#undef mkdir
#define mkdir hwfw_mkdir
#undef access
#define access hwfw_access
#undef fopen
#define fopen hwfw_fopen
#undef pread
#define pread hwfw_pread
#undef pwrite
#define pwrite hwfw_pwrite
#undef lseek
#define lseek hwfw_lseek
#undef fsync
#define fsync hwfw_fsync
#undef fdatasync
#define fdatasync hwfw_fsync
#undef ftruncate
#define ftruncate hwfw_ftruncate
#undef mkostemp
#define mkostemp hwfw_mkostemp
#undef mkstemp
#define mkstemp hwfw_mkstemp
#undef realpath
#define realpath hwfw_realpath
#undef strerror
#define strerror hwfw_strerror
#undef isatty
#define isatty	      hwfw_isatty
#define fchmod	      hwfw_fchmod
#define sysconf	      hwfw_sysconf
#define posix_fadvise hwfw_posix_fadvise
#define strcasestr    hwfw_strcasestr
#define memrchr	      hwfw_memrchr
#define strndup	      hwfw_strndup
#define localtime_r   hwfw_localtime_r
#define gmtime_r      hwfw_gmtime_r
#undef DIR
#define DIR HWFW_DIR
#undef dirent
#define dirent hwfw_dirent
#undef opendir
#define opendir hwfw_opendir
#undef readdir
#define readdir hwfw_readdir
#undef closedir
#define closedir hwfw_closedir
#define fdopendir hwfw_fdopendir
#define dirfd	  hwfw_dirfd
#undef sigset_t
#define sigset_t hwfw_sigset_t
#undef sigemptyset
#define sigemptyset hwfw_sigemptyset
#undef sigaddset
#define sigaddset hwfw_sigaddset
#undef sigwait
#define sigwait hwfw_sigwait
#undef pthread_sigmask
#define pthread_sigmask hwfw_pthread_sigmask
#undef raise
#define raise hwfw_raise

#endif
