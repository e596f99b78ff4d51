#!/usr/bin/env python3
"""Independent judge for UPDATE.APP files: a from-the-spec parser written
without hwflash's code (reference/updateapp-format.md §1-§4, §6).
Prints one line per entry "NAME LEN OK|BAD" and exits 1 if anything is bad.

  appjudge.py FILE
  appjudge.py --same ORIG NEW [--replaced NAME=FILE]... [--removed NAME]...
  appjudge.py --build OUT [--crc] [--short-crc] [--skew-crc NAME]
              [--bad-header NAME] [--bad-block NAME] [--reblock NAME] NAME=FILE...

--build writes a package from the spec alone, with any names (colliding,
'/', '#': what `hwflash app pack` rightly refuses to make), so hwflash can be
tried on them.  --crc adds a CRC entry first (CRC-16 per 32 KiB of every
other entry); --short-crc leaves its last checksum out (a CRC entry of
the wrong length, consistent in itself).  The others damage the Nth entry called NAME (first match,
exact): --skew-crc changes its first checksum in the CRC entry (the CRC
entry's own block table still matches), --bad-header its header CRC,
--bad-block one data byte (block table unchanged), --reblock one data byte
with the block table made to match (so only the CRC entry disagrees).

--same judges an edited package (app replace / app remove): NEW must hold
ORIG's preamble and ORIG's entries in order, minus the --removed ones; every
header byte kept but, for a replaced entry and the CRC entry, the header
length (0x04), data length (0x18) and header CRC (0x5C); untouched entries'
block tables and data byte for byte; a replaced entry's data equal to FILE;
and NEW must pass the checks above.  NAME is an entry's name field
(case-insensitive, first match) or @SEQ (its sequence id in hex: @FC000000).
Legacy entries named INPUT or nothing are told apart by sequence id:
FF000000 is the CRC entry, FE000000 the signature (reference §5.2)."""
import os
import struct
import sys


def x25_bitwise(data, crc=0xFFFF):
    """CRC-16/X-25 bit by bit, as the reference states it (slow: the check of x25)."""
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


# The fast one (Python's binascii.crc_hqx on bit-reversed bytes) lives in
# mkapp.py beside this file; both are independent of hwflash's C code.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkapp import x25  # noqa: E402

for _v in (b"123456789", bytes(range(256)) * 3, b"\xff" * 4097):
    assert x25(_v) == x25_bitwise(_v)


def kind(name, seq):
    if name in ("", "INPUT"):
        return {0xFF000000: "crc", 0xFE000000: "sig"}.get(seq, "image")
    if name.upper() == "CRC":
        return "crc"
    return "sig" if name.upper() in ("SHA256RSA", "MD5RSA") else "image"


def parse(blob, pos=92):
    """[(header bytes, table bytes, data bytes, name, seq)] by the strict chain."""
    out = []
    while pos < len(blob):
        hdr = blob[pos:pos + 98]
        magic, hlen = struct.unpack_from("<II", hdr, 0)
        assert magic == 0xA55AAA55, "magic at %d" % pos
        seq, dlen = struct.unpack_from("<II", hdr, 0x14)
        name = hdr[0x3C:0x5C].split(b"\0")[0].decode("latin-1")
        out.append((hdr, blob[pos + 98:pos + hlen], blob[pos + hlen:pos + hlen + dlen], name, seq))
        pos = (pos + hlen + dlen + 3) & ~3
    return out


def same(argv):
    orig, new = open(argv[0], "rb").read(), open(argv[1], "rb").read()
    repl, removed = {}, []
    it = iter(argv[2:])
    for a in it:
        if a == "--replaced":
            name, path = next(it).split("=", 1)
            repl[name] = open(path, "rb").read()
        elif a == "--removed":
            removed.append(next(it))
        else:
            raise SystemExit("unknown argument " + a)
    first = 92
    while struct.unpack_from("<I", orig, first)[0] != 0xA55AAA55:
        first += 4
    assert new[:first] == orig[:first], "preamble changed"
    a, b = parse(orig, first), parse(new, first)

    def find(key):
        for i, e in enumerate(a):
            if (key.startswith("@") and e[4] == int(key[1:], 16)) or e[3].upper() == key.upper():
                return i
        raise SystemExit("judge: no entry " + key + " in " + argv[0])

    gone = {find(k) for k in removed}
    new_data = {find(k): v for k, v in repl.items()}
    keep = [i for i in range(len(a)) if i not in gone]
    assert len(keep) == len(b), "%d entries, expected %d" % (len(b), len(keep))
    bad = 0
    for i, e in zip(keep, b):
        o = a[i]
        loose = i in new_data or kind(o[3], o[4]) == "crc"
        mask = [k for k in range(98) if not (loose and (4 <= k < 8 or 0x18 <= k < 0x1C or
                                                        0x5C <= k < 0x5E))]
        ok = all(o[0][k] == e[0][k] for k in mask)
        if i in new_data:
            ok = ok and e[2] == new_data[i]
        elif kind(o[3], o[4]) != "crc":
            ok = ok and e[1] == o[1] and e[2] == o[2]
        print("kept", i, o[3] or "-", "%08X" % o[4], "OK" if ok else "CHANGED")
        bad += not ok
    return 1 if bad else 0


def main(path, first=92):
    blob = open(path, "rb").read()
    pos = first
    if first == 92:
        assert blob[:92] == b"\0" * 92, "preamble not zero"
    bad = 0
    payloads = []
    crc_entry = None
    while pos < len(blob):
        hdr = bytearray(blob[pos:pos + 98])
        magic, hlen, one = struct.unpack_from("<III", hdr, 0)
        assert magic == 0xA55AAA55, "magic at %d" % pos
        assert one == 1
        dlen = struct.unpack_from("<I", hdr, 0x18)[0]
        name = hdr[0x3C:0x5C].split(b"\0")[0].decode("latin-1")
        seq = struct.unpack_from("<I", hdr, 0x14)[0]
        stored = struct.unpack_from("<H", hdr, 0x5C)[0]
        bs = struct.unpack_from("<H", hdr, 0x5E)[0] or 4096
        hdr[0x5C:0x5E] = b"\0\0"
        ok = x25(bytes(hdr)) == stored
        n = (hlen - 98) // 2
        ok = ok and n == (dlen + bs - 1) // bs
        data = blob[pos + hlen:pos + hlen + dlen]
        ok = ok and len(data) == dlen
        for i in range(n):
            want = struct.unpack_from("<H", blob, pos + 98 + 2 * i)[0]
            if x25(data[i * bs:(i + 1) * bs]) != want:
                ok = False
        print(name, dlen, "OK" if ok else "BAD")
        bad += not ok
        if kind(name, seq) == "crc":
            crc_entry = data
        elif kind(name, seq) != "sig":
            payloads.append(data)
        pos = (pos + hlen + dlen + 3) & ~3
    if crc_entry is not None:
        want = b"".join(struct.pack("<H", x25(p[i:i + 32768]))
                        for p in payloads for i in range(0, len(p), 32768))
        print("CRC-entry", "OK" if want == crc_entry else "BAD")
        bad += want != crc_entry
    return 1 if bad else 0


def entry(name, data, seq=0, hwid=b"HWJUDGE"):
    bs = 4096
    n = (len(data) + bs - 1) // bs
    table = b"".join(struct.pack("<H", x25(data[i * bs:(i + 1) * bs])) for i in range(n))
    hdr = bytearray(98)
    struct.pack_into("<III", hdr, 0, 0xA55AAA55, 98 + 2 * n, 1)
    hdr[0x0C:0x14] = hwid[:8].ljust(8, b"\xff")
    struct.pack_into("<II", hdr, 0x14, seq, len(data))
    hdr[0x1C:0x2C] = b"2026.01.01".ljust(16, b"\0")
    hdr[0x2C:0x3C] = b"12.00.00".ljust(16, b"\0")
    hdr[0x3C:0x5C] = name.encode()[:32].ljust(32, b"\0")
    struct.pack_into("<H", hdr, 0x5E, bs)
    struct.pack_into("<H", hdr, 0x5C, x25(bytes(hdr)))
    blob = bytes(hdr) + table + data
    return blob + b"\0" * (-len(blob) % 4)


def build(argv):
    out = argv[0]
    opts = {"--skew-crc": None, "--bad-header": None, "--bad-block": None, "--reblock": None}
    crc = False
    items = []
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--crc":
            crc = True
        elif a == "--short-crc":
            crc = "short"
        elif a in opts:
            i += 1
            opts[a] = argv[i]
        else:
            name, path = a.split("=", 1)
            items.append([name, open(path, "rb").read()])
        i += 1

    def first(name):
        for it in items:
            if it[0] == name:
                return it
        raise SystemExit("no entry " + name)

    if opts["--reblock"]:
        it = first(opts["--reblock"])
        it[1] = bytes([it[1][0] ^ 0xFF]) + it[1][1:]
    sums = []
    for name, data in items:
        sums.append(b"".join(struct.pack("<H", x25(data[k:k + 32768]))
                             for k in range(0, len(data), 32768)))
    if opts["--reblock"]:
        # The CRC entry keeps the checksums of the original bytes.
        it = first(opts["--reblock"])
        k = items.index(it)
        orig = bytes([it[1][0] ^ 0xFF]) + it[1][1:]
        sums[k] = b"".join(struct.pack("<H", x25(orig[j:j + 32768]))
                           for j in range(0, len(orig), 32768))
    if opts["--skew-crc"]:
        k = items.index(first(opts["--skew-crc"]))
        sums[k] = bytes([sums[k][0] ^ 0x55]) + sums[k][1:]
    table = b"".join(sums)
    if crc == "short":
        table = table[:-2]
    blobs = [entry("CRC", table, 0xFF000000)] if crc else []
    for name, data in items:
        e = bytearray(entry(name, data))
        if opts["--bad-header"] == name:
            e[0x5C] ^= 0xFF
            opts["--bad-header"] = None
        if opts["--bad-block"] == name:
            hlen = struct.unpack_from("<I", e, 4)[0]
            e[hlen] ^= 0xFF
            opts["--bad-block"] = None
        blobs.append(bytes(e))
    with open(out, "wb") as f:
        f.write(b"\0" * 92 + b"".join(blobs))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--build":
        sys.exit(build(sys.argv[2:]))
    if sys.argv[1] == "--same":
        r = same(sys.argv[2:])
        first = 92
        blob = open(sys.argv[3], "rb").read()
        while struct.unpack_from("<I", blob, first)[0] != 0xA55AAA55:
            first += 4
        sys.exit(r | main(sys.argv[3], first))
    sys.exit(main(sys.argv[1]))
