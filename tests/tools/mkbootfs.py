#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkbootfs.py DIR > ramdisk.cpio: a cpio "newc" archive of DIR written the
way AOSP's system/core/cpio/mkbootfs.c writes it (Debian ships no mkbootfs),
as the judge of the ramdisk folder's byte identity.  From that program's
output format:
  - no entry for DIR itself; every folder is followed by its contents,
    sorted by name (strcmp), depth first; names have no "./" prefix;
  - inode numbers count up from 300000 (the trailer gets the next one),
    nlink 1, mtime 0, dev/rdev 0 except for device nodes; owners and modes
    from fs_config (here: uid/gid 0 and the file's own permission bits; a
    --root-owned-only run of mkbootfs gives the same);
  - each header starts 4-byte aligned (zeros between), hex digits lowercase,
    the trailer is TRAILER!!! with mode 0755 (fs_config treats it as a
    folder and keeps only the permission bits) and the archive is padded
    with zeros to a multiple of 256 bytes.
"""
import os
import stat
import sys

out = bytearray()
ino = [300000]


def eject(name, mode, data=b"", rdev=(0, 0)):
    while len(out) & 3:
        out.append(0)
    fields = (ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0)
    ino[0] += 1
    out.extend(b"070701" + b"".join(b"%08x" % f for f in fields) + name + b"\0")
    while len(out) & 3:
        out.append(0)
    out.extend(data)


def archive_dir(path, rel):
    for n in sorted(os.listdir(path)):
        p = os.path.join(path, n)
        r = rel + n.encode() if isinstance(n, str) else rel + n
        st = os.lstat(p)
        if stat.S_ISDIR(st.st_mode):
            eject(r, st.st_mode)
            archive_dir(p, r + b"/")
        elif stat.S_ISLNK(st.st_mode):
            eject(r, st.st_mode, os.readlink(os.fsencode(p)))
        elif stat.S_ISREG(st.st_mode):
            with open(p, "rb") as f:
                eject(r, st.st_mode, f.read())
        else:
            eject(r, st.st_mode, b"", (os.major(st.st_rdev), os.minor(st.st_rdev)))


archive_dir(os.fsencode(sys.argv[1]), b"")
eject(b"TRAILER!!!", 0o755)
while len(out) & 0xFF:
    out.append(0)
sys.stdout.buffer.write(out)
