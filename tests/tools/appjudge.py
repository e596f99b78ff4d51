#!/usr/bin/env python3
"""Independent judge for UPDATE.APP files: a from-the-spec parser written
without hwflash's code (reference/updateapp-format.md §1-§4, §6).
Prints one line per entry "NAME LEN OK|BAD" and exits 1 if anything is bad."""
import struct
import sys


def x25(data, crc=0xFFFF):
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


def main(path):
    blob = open(path, "rb").read()
    pos = 92
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
        name = hdr[0x3C:0x5C].split(b"\0")[0].decode()
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
        if name == "CRC":
            crc_entry = data
        elif name not in ("SHA256RSA", "MD5RSA"):
            payloads.append(data)
        pos = (pos + hlen + dlen + 3) & ~3
    if crc_entry is not None:
        want = b"".join(struct.pack("<H", x25(p[i:i + 32768]))
                        for p in payloads for i in range(0, len(p), 32768))
        print("CRC-entry", "OK" if want == crc_entry else "BAD")
        bad += want != crc_entry
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
