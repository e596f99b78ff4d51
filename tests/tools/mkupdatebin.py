#!/usr/bin/env python3
"""Write a HarmonyOS update.bin for tests, without hwflash's code, from
/work/shared/reference/harmonyos-update-bin.md §2.2 (OpenHarmony
update_packaging_tools create_update_package.py / create_hashdata.py, the
OHUP pkg_upgradefile.h field layout).

    mkupdatebin.py OUT.bin [options] ADDRESS=FILE[:zip] ...

ADDRESS is the component address ("/system"; written as given, so tests can
try "../x" or "/a/b"); FILE its bytes (type 0, a raw image), or type 1 (a
zip) with ":zip".  Options:
  --non-l2        71-byte records (address[16]), header TLV 0x0011
  --sd            SD-card package: hash info TLV 0x06 + block hashes TLV 0x07
  --legacy-slot   the old fixed 640-byte signature slot instead of TLV 0x08
  --stream        the streaming-update prefix TLV 0xAA + a small fake zip
  --bad-digest N  store a wrong SHA-256 for component N (0-based)
  --sign-len L    signature TLV length (default 256, zero bytes)
  --truncate K    drop the last K bytes
  --append K      add K bytes after the last component
"""
import argparse
import hashlib
import struct


def pad(b, n):
    b = b.encode() if isinstance(b, str) else b
    return b[:n] + b"\0" * (n - len(b[:n]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("comps", nargs="+")
    ap.add_argument("--non-l2", action="store_true")
    ap.add_argument("--sd", action="store_true")
    ap.add_argument("--legacy-slot", action="store_true")
    ap.add_argument("--stream", action="store_true")
    ap.add_argument("--bad-digest", type=int, default=-1)
    ap.add_argument("--sign-len", type=int, default=256)
    ap.add_argument("--truncate", type=int, default=0)
    ap.add_argument("--append", type=int, default=0)
    a = ap.parse_args()

    addr_len = 16 if a.non_l2 else 32
    comps = []
    for spec in a.comps:
        addr, path = spec.split("=", 1)
        ctype = 0
        if path.endswith(":zip"):
            path, ctype = path[:-4], 1
        data = open(path, "rb").read()
        comps.append((addr, ctype, data))

    table = b""
    for i, (addr, ctype, data) in enumerate(comps):
        digest = hashlib.sha256(data).digest()
        if i == a.bad_digest:
            digest = bytes(x ^ 0xFF for x in digest)
        # address, u16 id, u8 resType, u8 flags, u8 type, version[10], u32 size,
        # u32 originalSize, digest[32]  (pkg_upgradefile.h:42-52)
        table += pad(addr, addr_len) + struct.pack("<HBBB", i + 1, 0, 0, ctype)
        table += pad("1.0", 10) + struct.pack("<II", len(data), len(data)) + digest
    assert len(table) == len(comps) * (addr_len + 55)

    head = struct.pack("<HH", 0x0011 if a.non_l2 else 0x0001, 136)
    head += struct.pack("<II", 0x1B8, 1) + pad("HWTEST-AL00", 64) + pad("TEST 5.0.0.1", 64)
    head += struct.pack("<HH", 0x0002, 32) + pad("2026-01-02", 16) + pad("03:04:05", 16)
    head += struct.pack("<HH", 0x0005, len(table))
    assert len(head) == 180
    head += table + pad("update/info.bin", 16)
    if a.sd:
        # hashinfo: u16 hashType, u16 digestLen, u16 componentCount, u32 blockSize
        info = struct.pack("<HHHI", 1, 32, len(comps), 4 << 20)
        head += struct.pack("<HI", 0x0006, len(info)) + info
        hashes = b""
        for addr, _ctype, data in comps:
            blocks = [data[o:o + (4 << 20)] for o in range(0, max(len(data), 1), 4 << 20)]
            hashes += pad(addr, 32) + struct.pack("<HI", len(blocks), len(data))
            for k, blk in enumerate(blocks):
                start = k * (4 << 20)
                hashes += struct.pack("<II", start, start + len(blk) - 1)
                hashes += hashlib.sha256(blk).digest()
        head += struct.pack("<HI", 0x0007, len(hashes)) + hashes
    if a.legacy_slot:
        head += b"\0" * 640
    else:
        head += struct.pack("<HI", 0x0008, a.sign_len) + b"\x5a" * a.sign_len
    if a.stream:
        fake = b"PK\x05\x06" + b"\0" * 18
        head = struct.pack("<HI", 0x00AA, len(fake)) + fake + head
    blob = head + b"".join(d for _a, _t, d in comps) + b"\0" * a.append
    if a.truncate:
        blob = blob[:-a.truncate]
    open(a.out, "wb").write(blob)


if __name__ == "__main__":
    main()
