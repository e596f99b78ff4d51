/* SPDX-License-Identifier: MIT */
/*
 * A ramdisk as a folder: unpack a boot image's ramdisk (gzip, lz4 legacy,
 * lz4 frame or bare cpio "newc") into a folder plus a list file that keeps
 * what a folder cannot (owners, modes, times, inode numbers, device nodes),
 * tell whether the folder still matches its list, and pack it back.  An
 * unchanged folder packs to the very cpio bytes it came from (archives of
 * AOSP mkbootfs and GNU `cpio -o -H newc`); compressed bytes may differ.
 *
 * The list (a text file, written by extract, read by changed/pack; keep it
 * outside the folder).  Line 1: "hwflash-ramdisk-list 1".  Then, in any
 * order (extract writes comp first, cpio last):
 *   comp NAME                gzip | lz4-legacy | lz4-frame | none
 *   cpio MAGIC CASE PAD      MAGIC 070701|070702, CASE lower|upper (the
 *                            header's hex digits), PAD: the archive ends
 *                            (after TRAILER!!!) padded with zeros to a
 *                            multiple of PAD bytes (a power of two, 4 = none)
 *   # ...                    a comment
 * and one line per cpio entry, in archive order, TRAILER!!! last:
 *   TYPE MODE UID GID MTIME INO NLINK DEV RDEV SIZE DATA NAME
 * TYPE  f file, d folder, l symlink, c/b char/block device, p fifo,
 *       s socket, D a folder the archive lacks but a later name needs
 *       (made in the folder, never packed), T the trailer
 * MODE  the permission bits, octal (0755; T: the whole mode field);
 *       UID GID MTIME INO NLINK decimal
 * DEV   the cpio header's devmajor:devminor; RDEV rdevmajor:rdevminor
 * SIZE  the entry's data size in the archive (file bytes, symlink target)
 * DATA  f: the SHA-256 of the file (hex), l: the target, else "-"
 * NAME  the name exactly as in the archive ("init", "./init", ".").
 * NAME and a symlink target are escaped: the bytes 0x00-0x20, 0x7f and
 * '\' are written as \xHH; everything else as it is.
 *
 * The folder: NAME without a leading "./" ("." is the folder itself).
 * Files are made with the list's permission bits plus u+rw, folders plus
 * u+rwx (so that they can be edited); setuid/setgid/sticky bits, owners and
 * times live only in the list.  Device nodes, fifos and sockets are not
 * made (a non-root user cannot): they live only in the list.  Hard links
 * (newc stores the data once, with the last name) are made as hard links;
 * a name the archive stores without the data (size 0, nlink > 1) is packed
 * so again while it is still linked to another name in the folder.
 *
 * Packing: the list's entries in its order, with the list's owners, times,
 * inode numbers and modes, except that a permission change made in the
 * folder (chmod) is kept; an entry gone from the folder is dropped (device
 * nodes never are: delete their line); what is new in the folder is
 * appended in byte-sorted order with mode 0644 (files), 0755 (folders),
 * 0777 (symlinks), owner 0:0, mtime 0, nlink 1 (2 for folders), inode
 * numbers after the list's largest.  Symlinks are stored as symlinks
 * (lstat), never followed; only regular files, folders and symlinks are
 * taken from the folder (a fifo or socket there is an error).
 *
 * Safety: extraction never writes outside @dir: a name with "..", an
 * absolute name, a name through a symlink of the archive, a name given
 * twice, a NUL-less or overlong name are errors (HWF_EFORMAT) that leave
 * nothing behind: the folder is built under a temporary name beside @dir
 * and renamed at the end; the list is written whole or not at all.  Sizes
 * in the archive are untrusted; everything is streamed in bounded buffers.
 * Limits: 1,000,000 entries, 4 GiB of file bytes, names of 4095 bytes and
 * 128 parts, 1 MiB of zeros after the trailer; anything else after it (a
 * second archive, as the kernel would read on) is refused, not dropped.
 *
 * Memory: everything is the caller's; buffers live for the call.  Errors:
 * HWF_EFORMAT (a broken archive or list), HWF_ETRUNC (cut short),
 * HWF_EUNSUPPORTED (not a compression read here), HWF_EINVAL (bad
 * arguments, @dir exists and is not empty, a folder entry that cannot be
 * packed), HWF_EEXIST, HWF_EIO, HWF_ENOSPC, HWF_ENOMEM.
 */
#ifndef HWF_RDTREE_H
#define HWF_RDTREE_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"
#include "formats/image/ramdisk.h"

struct hwf_rdtree_info {
	enum hwf_ramdisk_comp comp;	       /* the ramdisk's compression */
	uint64_t entries;		       /* cpio entries, TRAILER!!! excluded */
	uint64_t bytes;			       /* the cpio stream's length */
	uint64_t files, dirs, symlinks, nodes; /* nodes: devices, fifos, sockets */
	uint64_t implicit_dirs;		       /* folders made for names whose folder was missing */
};

/*
 * Unpack the ramdisk at [@off, @off + @len) of @src into the folder @dir
 * (which must not exist, or be empty) and write the list @list (which must
 * not exist: HWF_EEXIST, nothing replaced).  @info may be NULL.
 */
int hwf_rdtree_extract(struct hwf_source *src, uint64_t off, uint64_t len, const char *dir,
		       const char *list, struct hwf_rdtree_info *info, struct hwf_err *e);

/*
 * *@changed = 1 when the folder @dir no longer matches @list (a file's
 * bytes, a symlink's target, a permission, an entry added or removed),
 * else 0.  The comparison stops at the first difference, which @e names
 * (as a message with code 0: e->msg) so that the caller can say what.
 */
int hwf_rdtree_changed(const char *dir, const char *list, int *changed, struct hwf_err *e);

/*
 * Pack @dir as cpio newc following @list (see above) and compress it with
 * @comp (HWF_RD_GZIP: zlib level 9; HWF_RD_LZ4_LEGACY: 8 MiB blocks as
 * `lz4 -l` writes them, lz4hc level 12 as AOSP; HWF_RD_LZ4_FRAME; HWF_RD_CPIO:
 * none) to @out_fd; *@written = the bytes written (may be NULL).
 */
int hwf_rdtree_pack(const char *dir, const char *list, enum hwf_ramdisk_comp comp, int out_fd,
		    uint64_t *written, struct hwf_err *e);

/* The list's name of a compression ("gzip", "lz4-legacy", "lz4-frame", "none"). */
const char *hwf_rdtree_comp_word(enum hwf_ramdisk_comp c);

#endif
