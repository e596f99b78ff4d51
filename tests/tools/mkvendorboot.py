#!/usr/bin/env python3
"""mkvendorboot.py OUT RAMDISK DTB [--v4 BOOTCONFIG RAMDISK2 [PAGE]]: a vendor_boot
image laid out from the spec (fastboot-protocol.md §6.1), since Debian 12's
mkbootimg cannot make one (it fails with "Boot header version 4 not supported").
Without --v4: header v3.  With --v4: header v4 whose vendor ramdisk table holds
RAMDISK ("platform", type 1 platform, board id 1..16) and RAMDISK2 ("dlkm",
type 3 dlkm), laid out one after the other as mkbootimg does, and a bootconfig
section; PAGE (default 4096) is the page size."""
import struct
import sys

out, rd, dtb = sys.argv[1], open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
v4 = len(sys.argv) > 4 and sys.argv[4] == "--v4"
page = int(sys.argv[7]) if v4 and len(sys.argv) > 7 else 4096
hdr = bytearray(2128 if v4 else 2112)
hdr[0:8] = b"VNDRBOOT"
rds = [rd]
if v4:
    bootconfig = open(sys.argv[5], "rb").read()
    rds.append(open(sys.argv[6], "rb").read())
total = sum(len(r) for r in rds)
struct.pack_into("<IIIII", hdr, 8, 4 if v4 else 3, page, 0x8000, 0x1000000, total)
hdr[28:28 + 9] = b"console=0"
struct.pack_into("<I", hdr, 2076, 0x100)
hdr[2080:2080 + 6] = b"vtest1"
struct.pack_into("<IIQ", hdr, 2096, len(hdr), len(dtb), 0x1f00000)


def pad(b):
    return b + b"\0" * (-len(b) % page)


body = pad(bytes(hdr))
if not v4:
    open(out, "wb").write(body + pad(rd) + pad(dtb))
    sys.exit(0)
table = b""
at = 0
for i, (r, name, typ) in enumerate(zip(rds, [b"platform", b"dlkm"], [1, 3])):
    ent = struct.pack("<III", len(r), at, typ) + name.ljust(32, b"\0")
    ent += struct.pack("<16I", *([k + 1 for k in range(16)] if i == 0 else [0] * 16))
    assert len(ent) == 108
    table += ent
    at += len(r)
struct.pack_into("<IIII", hdr, 2112, len(table), len(rds), 108, len(bootconfig))
body = pad(bytes(hdr))
open(out, "wb").write(body + pad(b"".join(rds)) + pad(dtb) + pad(table) + pad(bootconfig))
