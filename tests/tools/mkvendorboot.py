#!/usr/bin/env python3
"""mkvendorboot.py OUT RAMDISK DTB: a vendor_boot v3 image laid out from the
spec (fastboot-protocol.md §6.1), since Debian 12's mkbootimg cannot make
one (it fails with "Boot header version 4 not supported")."""
import struct
import sys

out, rd, dtb = sys.argv[1], open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
page = 4096
hdr = bytearray(2112)
hdr[0:8] = b"VNDRBOOT"
struct.pack_into("<IIIII", hdr, 8, 3, page, 0x8000, 0x1000000, len(rd))
hdr[28:28 + 9] = b"console=0"
struct.pack_into("<I", hdr, 2076, 0x100)
hdr[2080:2080 + 6] = b"vtest1"
struct.pack_into("<IIQ", hdr, 2096, 2112, len(dtb), 0x1f00000)


def pad(b):
    return b + b"\0" * (-len(b) % page)


open(out, "wb").write(pad(bytes(hdr)) + pad(rd) + pad(dtb))
