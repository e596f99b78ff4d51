#!/usr/bin/env python3
"""mkbootv4.py OUT RAMDISK [KERNEL]: an Android boot image with header v4
laid out from the spec (fastboot-protocol.md section 6.1: page 4096,
header_size 1584, signature_size 0), since Debian 12's mkbootimg cannot make
v4.  Without KERNEL it is an init_boot image (Android 13 GKI)."""
import struct
import sys

out, rd = sys.argv[1], open(sys.argv[2], "rb").read()
kernel = open(sys.argv[3], "rb").read() if len(sys.argv) > 3 else b""
page = 4096
hdr = bytearray(1584)
hdr[0:8] = b"ANDROID!"
# kernel_size, ramdisk_size, os_version (A13, 2023-05), header_size
struct.pack_into("<IIII", hdr, 8, len(kernel), len(rd), (13 << 25) | (23 << 4) | 5, 1584)
struct.pack_into("<I", hdr, 40, 4)      # header_version
struct.pack_into("<I", hdr, 1580, 0)    # signature_size


def pad(b):
    return b + b"\0" * (-len(b) % page)


open(out, "wb").write(pad(bytes(hdr)) + pad(kernel) + pad(rd))
