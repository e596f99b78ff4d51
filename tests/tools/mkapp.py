#!/usr/bin/env python3
"""Write an UPDATE.APP without hwflash's code, for test fixtures of any size
(reference/updateapp-format.md §1-§4, §6).

    mkapp.py OUT.APP [--no-crc] [--legacy] [--hwid ID] NAME[@SEQ]=FILE|NAME[@SEQ]=zeros:BYTES ...

NAME=zeros:BYTES is an entry of BYTES zero bytes (at most 4 GiB - 1, the
u32 length field) that is never written: the output file stays sparse, so
a 5 GiB package costs a few KiB of disk and no time.  A CRC entry (CRC-16
per 32 KiB of every entry) comes first unless --no-crc.

NAME@SEQ gives the entry the sequence id SEQ (hex, as the u32 LE value:
INPUT@FC000000); without it entries get 0x10, 0x11 ...  A signature entry
(SHA256RSA, MD5RSA, or an INPUT/empty name with sequence FE000000, §5.2/§6)
goes first and is left out of the CRC entry.  --legacy names the CRC entry
INPUT with sequence FF000000, as old packages that name entries only by
sequence id do.  --hwid sets the hardware id (default: 8 bytes 0xFF)."""
import binascii
import struct
import sys

# CRC-16/X-25 is CRC-16/CCITT (binascii.crc_hqx, in C) with every byte and
# the result bit-reversed: fast enough for fixtures of megabytes.
REV8 = bytes(int("{:08b}".format(i)[::-1], 2) for i in range(256))


def x25(data):
    """CRC-16/X-25: reflected 0x1021, init and xorout 0xFFFF."""
    crc = binascii.crc_hqx(bytes(data).translate(REV8), 0xFFFF)
    return int("{:016b}".format(crc)[::-1], 2) ^ 0xFFFF


assert x25(b"123456789") == 0x906E


def zero_crcs(size, bs):
    """CRC-16 of each bs-byte block of size zero bytes, without the bytes."""
    full, rest = divmod(size, bs)
    out = struct.pack("<H", x25(bytes(bs))) * full
    if rest:
        out += struct.pack("<H", x25(bytes(rest)))
    return out


def crcs(data, bs):
    return b"".join(struct.pack("<H", x25(data[i:i + bs])) for i in range(0, len(data), bs))


def header(name, seq, size, table, hwid=b""):
    h = bytearray(98)
    struct.pack_into("<III", h, 0, 0xA55AAA55, 98 + len(table), 1)
    h[0x0C:0x14] = hwid[:8].ljust(8, b"\xff")
    struct.pack_into("<II", h, 0x14, seq, size)
    h[0x1C:0x2C] = b"2024.01.01".ljust(16, b"\0")
    h[0x2C:0x3C] = b"00.00.00".ljust(16, b"\0")
    h[0x3C:0x5C] = name.encode().ljust(32, b"\0")
    struct.pack_into("<H", h, 0x5E, 4096)
    struct.pack_into("<H", h, 0x5C, x25(bytes(h)))
    return bytes(h) + table


def is_sig(name, seq):
    if name in ("", "INPUT"):
        return seq == 0xFE000000
    return name.upper() in ("SHA256RSA", "MD5RSA")


def main(argv):
    out, crc_entry, legacy, hwid, ents, seqs = None, True, False, b"", [], {}
    args = iter(argv)
    for a in args:
        if a == "--no-crc":
            crc_entry = False
        elif a == "--legacy":
            legacy = True
        elif a == "--hwid":
            hwid = next(args).encode()
        elif "=" in a:
            name, what = a.split("=", 1)
            if "@" in name:
                name, seq = name.split("@", 1)
                seqs[len(ents)] = int(seq, 16)
            if what.startswith("zeros:"):
                size = int(what[6:])
                ents.append((name, size, None))
            else:
                data = open(what, "rb").read()
                ents.append((name, len(data), data))
        else:
            out = a
    if not out or not ents:
        sys.exit(__doc__)
    for name, size, _ in ents:
        if size > 0xFFFFFFFF or len(name) > 32:
            sys.exit("%s: an entry holds 0-32 name bytes and at most 4 GiB - 1" % name)
    ents = [(n, seqs.get(i, 0x10 + i), s, d) for i, (n, s, d) in enumerate(ents)]
    sigs = [e for e in ents if is_sig(e[0], e[1])]
    ents = [e for e in ents if not is_sig(e[0], e[1])]
    crc = b"".join(zero_crcs(s, 32768) if d is None else crcs(d, 32768) for _, _, s, d in ents)
    with open(out, "wb") as f:
        f.truncate(0)
        pos = 92
        f.write(bytes(92))
        todo = sigs + ([("INPUT" if legacy else "CRC", 0xFF000000, len(crc), crc)]
                       if crc_entry else [])
        todo += ents
        for name, seq, size, data in todo:
            table = zero_crcs(size, 4096) if data is None else crcs(data, 4096)
            f.seek(pos)
            f.write(header(name, seq, size, table, hwid))
            if data is not None:
                f.write(data)
            pos = (pos + 98 + len(table) + size + 3) & ~3
        f.truncate(pos)


if __name__ == "__main__":
    main(sys.argv[1:])
