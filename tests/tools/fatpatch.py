#!/usr/bin/env python3
# Damage a FAT32 volume on purpose, for the tests of the chain checks.
#   fatpatch.py IMAGE[@@OFFSET] ACTION [PATH [PATH2]]
# OFFSET in bytes (or with K/M), as mtools writes it.  PATHs are 8.3 names
# ("DLOAD/UPDATE.APP", case-insensitive).  Both FATs are changed alike.
# ACTION:
#   root-loop        the root directory's chain points back to its first cluster
#   dir-loop PATH    the folder's chain points back to its first cluster
#   file-loop PATH   the last cluster of the file points back to its first
#   past-end PATH    the file's first FAT entry points past the last cluster
#   free PATH        the file's first FAT entry is 0 (free) in the middle of the chain
#   long PATH        the file's chain gets one more cluster than its size needs
#   cross PATH PATH2 PATH2's directory entry starts inside PATH's chain, where the
#                    rest of that chain is as long as PATH2's size needs (only a
#                    cross-link: both chains end where their sizes say)
import struct
import sys


def parse_target(arg):
    if "@@" not in arg:
        return arg, 0
    path, off = arg.split("@@", 1)
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(off[-1:].upper(), 1)
    return path, int(off[:-1] if mult > 1 else off) * mult


class Vol:
    def __init__(self, f, base):
        self.f, self.base = f, base
        b = self.read(0, 512)
        self.bps = struct.unpack("<H", b[11:13])[0]
        self.spc = b[13]
        self.res = struct.unpack("<H", b[14:16])[0]
        self.nfats = b[16]
        total = struct.unpack("<H", b[19:21])[0] or struct.unpack("<I", b[32:36])[0]
        self.fatsz = struct.unpack("<I", b[36:40])[0]
        self.root = struct.unpack("<I", b[44:48])[0]
        self.csize = self.bps * self.spc
        self.data = (self.res + self.nfats * self.fatsz) * self.bps
        self.nclusters = (total - self.res - self.nfats * self.fatsz) // self.spc

    def read(self, off, n):
        self.f.seek(self.base + off)
        return self.f.read(n)

    def write(self, off, b):
        self.f.seek(self.base + off)
        self.f.write(b)

    def get(self, c):
        return struct.unpack("<I", self.read(self.res * self.bps + 4 * c, 4))[0] & 0x0FFFFFFF

    def set(self, c, v):
        for k in range(self.nfats):
            self.write((self.res + k * self.fatsz) * self.bps + 4 * c, struct.pack("<I", v))

    def chain(self, c):
        out = []
        while 2 <= c < 0x0FFFFFF8 and len(out) <= self.nclusters:
            out.append(c)
            c = self.get(c)
        return out

    def cluster_off(self, c):
        return self.data + (c - 2) * self.csize

    def entries(self, dir_cl):
        """(byte offset of the 32-byte entry, the entry) for each 8.3 entry."""
        for c in self.chain(dir_cl):
            for i in range(self.csize // 32):
                off = self.cluster_off(c) + 32 * i
                d = self.read(off, 32)
                if d[0] == 0:
                    return
                if d[0] == 0xE5 or d[11] & 0x3F == 0x0F:
                    continue
                yield off, d

    def lookup(self, path):
        """(entry offset, first cluster, size) of PATH."""
        cl, hit = self.root, None
        for comp in path.strip("/").split("/"):
            base, _, ext = comp.upper().partition(".")
            want = (base.ljust(8) + ext.ljust(3)).encode()
            hit = None
            for off, d in self.entries(cl):
                if d[:11] == want:
                    first = struct.unpack("<H", d[20:22])[0] << 16 | struct.unpack("<H", d[26:28])[0]
                    hit = (off, first, struct.unpack("<I", d[28:32])[0])
                    break
            if not hit:
                sys.exit("fatpatch: %s: no %s" % (path, comp))
            cl = hit[1]
        return hit


def main():
    img, base = parse_target(sys.argv[1])
    act, args = sys.argv[2], sys.argv[3:]
    with open(img, "r+b") as f:
        v = Vol(f, base)
        if act == "root-loop":
            v.set(v.root, v.root)
        elif act == "dir-loop":
            first = v.lookup(args[0])[1]
            v.set(v.chain(first)[-1], first)
        elif act == "file-loop":
            ch = v.chain(v.lookup(args[0])[1])
            assert len(ch) >= 2, "the file needs two clusters"
            v.set(ch[-1], ch[0])
        elif act == "past-end":
            v.set(v.lookup(args[0])[1], v.nclusters + 2 + 5)
        elif act == "free":
            ch = v.chain(v.lookup(args[0])[1])
            assert len(ch) >= 2, "the file needs two clusters"
            v.set(ch[0], 0)
        elif act == "long":
            ch = v.chain(v.lookup(args[0])[1])
            spare = next(c for c in range(v.nclusters + 1, 2, -1) if v.get(c) == 0)
            v.set(ch[-1], spare)
            v.set(spare, 0x0FFFFFFF)
        elif act == "cross":
            ch = v.chain(v.lookup(args[0])[1])
            off, _, size2 = v.lookup(args[1])
            need = (size2 + v.csize - 1) // v.csize
            assert 0 < need < len(ch), "the first file must be the longer one"
            start = ch[len(ch) - need]
            v.write(off + 20, struct.pack("<H", start >> 16))
            v.write(off + 26, struct.pack("<H", start & 0xFFFF))
        else:
            sys.exit("fatpatch: unknown action " + act)


main()
