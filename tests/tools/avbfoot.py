#!/usr/bin/env python3
"""avbfoot.py IN OUT PARTITION PARTITION_SIZE [--tamper]
Adds an AVB hash footer to IN as avbtool add_hash_footer lays it out
(fastboot-protocol.md §6.2), algorithm NONE (unsigned): image padded to
4096, vbmeta, zeros, the 64-byte AVBf footer at the very end.  Written
from the spec for tests, since Debian 12 packages no avbtool."""
import hashlib
import struct
import sys


def pad(b, n):
    return b + b"\0" * (-len(b) % n)


def main():
    src, out, part, psize = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    img = open(src, "rb").read()
    salt = bytes(range(32))
    digest = hashlib.sha256(salt + img).digest()
    name = part.encode()
    body = struct.pack(">Q32sIII I60x", len(img), b"sha256", len(name), len(salt),
                       len(digest), 0)
    desc_body = pad(body + name + salt + digest, 8)
    desc = struct.pack(">QQ", 2, len(desc_body)) + desc_body
    aux = pad(desc, 64)
    hdr = bytearray(256)
    hdr[0:4] = b"AVB0"
    struct.pack_into(">II", hdr, 4, 1, 0)
    struct.pack_into(">QQI", hdr, 12, 0, len(aux), 0)          # auth 0, aux, alg NONE
    struct.pack_into(">QQ", hdr, 96, 0, len(desc))              # descriptors
    struct.pack_into(">Q", hdr, 112, 0)                          # rollback index
    hdr[128:128 + 12] = b"avbfoot 1.0\0"
    vbmeta = bytes(hdr) + aux
    if "--tamper" in sys.argv:
        img = bytearray(img)
        img[len(img) // 2] ^= 0xFF
        img = bytes(img)
    body = pad(img, 4096)
    off = len(body)
    body += pad(vbmeta, 4096)
    assert len(body) + 4096 <= psize, "partition too small"
    footer = b"AVBf" + struct.pack(">IIQQQ", 1, 0, len(img), off, len(vbmeta)) + b"\0" * 28
    body += b"\0" * (psize - len(body) - 64) + footer
    open(out, "wb").write(body)


main()
