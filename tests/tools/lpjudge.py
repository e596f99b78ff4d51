#!/usr/bin/env python3
"""An independent judge of liblp ("super") images, written from the format
(AOSP fs_mgr/liblp metadata_format.h; ../shared/reference/dynamic-partitions.md),
not from hwflash's C code.  Debian has no lpmake/lpunpack/lpdump, so this
reads, checks, lists, extracts and builds super images for the tests.

  lpjudge.py check FILE [--slot N] [--json]
      Every geometry and metadata copy (both SHA-256 of each), every extent
      inside its block device and after the metadata, no overlaps, group
      limits.  Prints a listing (or JSON); exit 1 with "lpjudge: ..." lines
      when something is wrong.  A sparse FILE is expanded with simg2img.
  lpjudge.py extract FILE NAME OUT [--slot N]
      Partition NAME's bytes (its extents, in order) into OUT.
  lpjudge.py build -o OUT --device-size N --metadata-size M --metadata-slots S
      [--block-size 4096] [--alignment 1048576] [--alignment-offset 0]
      [--group NAME:MAX]... [--partition NAME:ATTRS:SIZE[:GROUP]]...
      [--image NAME=FILE]... [--full] [--sparse] [--virtual-ab]
      As lpmake: without --image or --full a super_empty.img (geometry at 0,
      one metadata copy); otherwise the whole super image, every slot and
      backup, the images in their partitions' extents.  --sparse pipes the
      full image through img2simg.  ATTRS: none, or readonly, slot-suffixed,
      updated, disabled joined by commas.
"""
import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

SECTOR = 512
GEOMETRY_SIZE = 4096
RESERVED = 4096
GEOMETRY_MAGIC = 0x616C4467
HEADER_MAGIC = 0x414C5030
ATTRS = {"readonly": 1, "slot-suffixed": 2, "updated": 4, "disabled": 8}
ENTRY = {"partitions": 52, "extents": 24, "groups": 48, "block_devices": 64}
TABLES = ("partitions", "extents", "groups", "block_devices")


class Bad(Exception):
    pass


def sha(b):
    return hashlib.sha256(b).digest()


def cstr(b):
    return b.split(b"\0", 1)[0].decode("latin-1")


# --- reading -----------------------------------------------------------------

def parse_geometry(b):
    if len(b) < 52:
        raise Bad("the file ends inside it")
    magic, size = struct.unpack_from("<II", b, 0)
    if magic != GEOMETRY_MAGIC:
        raise Bad("no geometry magic")
    if size != 52:
        raise Bad("struct_size %d" % size)
    if sha(b[:8] + bytes(32) + b[40:52]) != b[8:40]:
        raise Bad("SHA-256 mismatch")
    maxsize, slots, bs = struct.unpack_from("<III", b, 40)
    if slots == 0 or maxsize % SECTOR or maxsize == 0 or bs == 0 or bs % SECTOR:
        raise Bad("impossible values (max %d, slots %d, block %d)" % (maxsize, slots, bs))
    return {"metadata_max_size": maxsize, "slots": slots, "block_size": bs, "raw": b[:52]}


def parse_metadata(img, off, limit, geo):
    h = img[off:off + 128]
    if len(h) < 128:
        raise Bad("file ends inside the header")
    magic, major, minor, hsize = struct.unpack_from("<IHHI", h, 0)
    if magic != HEADER_MAGIC:
        raise Bad("no header magic")
    if major != 10 or minor > 2:
        raise Bad("version %d.%d" % (major, minor))
    if hsize != (256 if minor >= 2 else 128):
        raise Bad("header_size %d for 10.%d" % (hsize, minor))
    h = img[off:off + hsize]
    if len(h) < hsize or hsize > limit:
        raise Bad("file ends inside the header")
    if sha(h[:12] + bytes(32) + h[44:]) != h[12:44]:
        raise Bad("header SHA-256 mismatch")
    tables_size = struct.unpack_from("<I", h, 44)[0]
    if tables_size > geo["metadata_max_size"] or hsize + tables_size > limit:
        raise Bad("tables of %d bytes do not fit" % tables_size)
    t = img[off + hsize:off + hsize + tables_size]
    if len(t) < tables_size:
        raise Bad("file ends inside the tables")
    if sha(t) != h[48:80]:
        raise Bad("tables SHA-256 mismatch")
    desc = {}
    for i, name in enumerate(TABLES):
        o, n, sz = struct.unpack_from("<III", h, 80 + 12 * i)
        if sz != ENTRY[name]:
            raise Bad("%s entry size %d" % (name, sz))
        if o > tables_size or n * sz > tables_size - o:
            raise Bad("%s table out of bounds" % name)
        desc[name] = (o, n)
    md = {"major": major, "minor": minor, "header_size": hsize,
          "flags": struct.unpack_from("<I", h, 128)[0] if hsize == 256 else 0,
          "header_sha": h[12:44], "partitions": [], "extents": [], "groups": [],
          "block_devices": []}
    o, n = desc["groups"]
    for i in range(n):
        e = t[o + 48 * i:o + 48 * i + 48]
        md["groups"].append({"name": cstr(e[:36]), "flags": struct.unpack_from("<I", e, 36)[0],
                             "maximum_size": struct.unpack_from("<Q", e, 40)[0]})
    o, n = desc["block_devices"]
    for i in range(n):
        e = t[o + 64 * i:o + 64 * i + 64]
        fls, al, alo, size = struct.unpack_from("<QIIQ", e, 0)
        md["block_devices"].append({"first_logical_sector": fls, "alignment": al,
                                    "alignment_offset": alo, "size": size,
                                    "name": cstr(e[24:60]),
                                    "flags": struct.unpack_from("<I", e, 60)[0]})
    if not md["block_devices"]:
        raise Bad("no block device")
    o, n = desc["extents"]
    for i in range(n):
        sectors, typ, data, src = struct.unpack_from("<QIQI", t, o + 24 * i)
        if typ == 0 and src >= len(md["block_devices"]):
            raise Bad("extent %d on block device %d" % (i, src))
        md["extents"].append({"sectors": sectors, "type": typ, "target": data, "source": src})
    valid = 3 | (12 if minor >= 1 else 0)
    o, n = desc["partitions"]
    for i in range(n):
        e = t[o + 52 * i:o + 52 * i + 52]
        attrs, first, num, group = struct.unpack_from("<IIII", e, 36)
        name = cstr(e[:36])
        if attrs & ~valid:
            raise Bad("partition %s attributes 0x%x" % (name, attrs))
        if first + num > len(md["extents"]):
            raise Bad("partition %s extents out of range" % name)
        if group >= len(md["groups"]):
            raise Bad("partition %s group %d" % (name, group))
        exts = md["extents"][first:first + num]
        md["partitions"].append({"name": name, "attributes": attrs, "first_extent": first,
                                 "num_extents": num, "group": group,
                                 "size": sum(x["sectors"] for x in exts) * SECTOR})
    area = RESERVED + 2 * (GEOMETRY_SIZE + geo["metadata_max_size"] * geo["slots"])
    if area > md["block_devices"][0]["first_logical_sector"] * SECTOR:
        raise Bad("metadata area overlaps the partitions")
    return md


def expand(path, tmpdir):
    with open(path, "rb") as f:
        head = f.read(4)
    if head == struct.pack("<I", 0xED26FF3A):
        raw = os.path.join(tmpdir, "expanded.raw")
        subprocess.run(["simg2img", path, raw], check=True)
        return raw, True
    return path, False


class Image:
    def __init__(self, path, slot=0):
        self.tmp = tempfile.TemporaryDirectory()
        self.path, self.sparse = expand(path, self.tmp.name)
        with open(self.path, "rb") as f:
            self.img = f.read()
        self.errors, self.warnings = [], []
        self.empty = self.img[:4] == struct.pack("<I", GEOMETRY_MAGIC)
        if self.empty:
            self.geo = parse_geometry(self.img[:GEOMETRY_SIZE])
            self.md = parse_metadata(self.img, GEOMETRY_SIZE, len(self.img) - GEOMETRY_SIZE,
                                     self.geo)
            return
        geos = []
        for k, at in enumerate((RESERVED, RESERVED + GEOMETRY_SIZE)):
            try:
                geos.append(parse_geometry(self.img[at:at + GEOMETRY_SIZE]))
            except Bad as e:
                geos.append(None)
                self.errors.append("%s geometry at %d: %s" % (("primary", "backup")[k], at, e))
        if not any(geos):
            raise Bad("no usable geometry")
        self.geo = geos[0] or geos[1]
        if geos[0] and geos[1] and geos[0]["raw"] != geos[1]["raw"]:
            self.errors.append("the geometries differ")
        g = self.geo
        self.copies = {}
        for s in range(g["slots"]):
            for k in range(2):
                at = RESERVED + 2 * GEOMETRY_SIZE + g["metadata_max_size"] * (s + k * g["slots"])
                try:
                    self.copies[(s, k)] = parse_metadata(self.img, at, g["metadata_max_size"], g)
                except Bad as e:
                    self.errors.append("slot %d %s at %d: %s" % (s, ("primary", "backup")[k],
                                                                 at, e))
        if slot >= g["slots"]:
            raise Bad("no slot %d" % slot)
        self.md = self.copies.get((slot, 0)) or self.copies.get((slot, 1))
        if not self.md:
            raise Bad("slot %d: both copies damaged" % slot)

    def validate(self, md=None):
        md = md or self.md
        err = self.errors
        names = [p["name"] for p in md["partitions"]]
        for n in set(names):
            if names.count(n) > 1:
                err.append("duplicate partition %s" % n)
        for p in md["partitions"]:
            if not p["name"] or any(not (c.isascii() and (c.isalnum() or c in "_-."))
                                    for c in p["name"]) or p["name"] in (".", ".."):
                err.append("bad partition name %r" % p["name"])
        spans = []
        bs = self.geo["block_size"] // SECTOR
        for p in md["partitions"]:
            for x in md["extents"][p["first_extent"]:p["first_extent"] + p["num_extents"]]:
                if x["type"] == 1:
                    continue
                if x["type"] != 0:
                    err.append("%s: extent type %d" % (p["name"], x["type"]))
                    continue
                d = md["block_devices"][x["source"]]
                if x["target"] < d["first_logical_sector"]:
                    err.append("%s: extent inside the metadata area" % p["name"])
                elif x["target"] + x["sectors"] > d["size"] // SECTOR:
                    err.append("%s: extent past the end of %s" % (p["name"], d["name"]))
                else:
                    spans.append((x["source"], x["target"], x["target"] + x["sectors"],
                                  p["name"]))
                if x["sectors"] % bs or x["target"] % bs:
                    self.warnings.append("%s: extent not block-aligned" % p["name"])
        spans.sort()
        for a, b in zip(spans, spans[1:]):
            if a[0] == b[0] and b[1] < a[2]:
                err.append("%s and %s overlap" % (a[3], b[3]))
        for gi, g in enumerate(md["groups"]):
            used = sum(x["sectors"] * SECTOR for p in md["partitions"] if p["group"] == gi
                       for x in md["extents"][p["first_extent"]:p["first_extent"]
                                              + p["num_extents"]] if x["type"] == 0)
            if g["maximum_size"] and used > g["maximum_size"]:
                err.append("group %s over its maximum" % g["name"])
        if not self.empty:
            dev = md["block_devices"][0]
            end = max([s[2] * SECTOR for s in spans if s[0] == 0] or [0])
            if end > len(self.img):
                err.append("truncated: partitions reach byte %d, image has %d"
                           % (end, len(self.img)))
        return err

    def listing(self):
        md = self.md
        return {
            "empty": self.empty, "sparse": self.sparse, "major": md["major"],
            "minor": md["minor"], "flags": md["flags"],
            "metadata_max_size": self.geo["metadata_max_size"], "slots": self.geo["slots"],
            "block_size": self.geo["block_size"],
            "block_devices": [{k: d[k] for k in ("name", "size", "first_logical_sector",
                                                 "alignment", "alignment_offset")}
                              for d in md["block_devices"]],
            "groups": [{"name": g["name"], "maximum_size": g["maximum_size"]}
                       for g in md["groups"]],
            "partitions": [{
                "name": p["name"], "group": md["groups"][p["group"]]["name"],
                "size": p["size"], "attributes": attr_text(p["attributes"]),
                "extents": [{"sectors": x["sectors"], "type": x["type"], "target": x["target"],
                             "source": x["source"]}
                            for x in md["extents"][p["first_extent"]:
                                                   p["first_extent"] + p["num_extents"]]]}
                for p in md["partitions"]],
        }

    def extract(self, name, out):
        md = self.md
        for p in md["partitions"]:
            if p["name"] == name:
                break
        else:
            raise Bad("no partition %s" % name)
        with open(out, "wb") as f:
            for x in md["extents"][p["first_extent"]:p["first_extent"] + p["num_extents"]]:
                n = x["sectors"] * SECTOR
                if x["type"] == 0:
                    f.write(self.img[x["target"] * SECTOR:x["target"] * SECTOR + n])
                else:
                    f.write(bytes(n))


def attr_text(a):
    names = [n for n, bit in ATTRS.items() if a & bit]
    return ",".join(names) if names else "none"


# --- building ------------------------------------------------------------------

def align(x, a):
    return x if not a or x % a == 0 else x + a - x % a


def align_off(x, a, off):
    y = align(x, a) + off
    if a and y >= a and y - a >= x:
        y -= a
    return y


class Builder:
    def __init__(self, size, maxsize, slots, bs=4096, alignment=1 << 20, offset=0, vab=False):
        maxsize = align(maxsize, SECTOR)
        reserved = RESERVED + 2 * (GEOMETRY_SIZE + maxsize * slots)
        first = align_off(reserved, alignment, offset) if alignment or offset \
            else align(reserved, bs)
        if size % bs or size < first + bs:
            raise Bad("device size %d impossible" % size)
        self.geo = {"metadata_max_size": maxsize, "slots": slots, "block_size": bs}
        self.dev = {"name": "super", "size": size, "first_logical_sector": first // SECTOR,
                    "alignment": alignment, "alignment_offset": offset, "flags": 0}
        self.groups = [{"name": "default", "maximum_size": 0, "flags": 0}]
        self.parts = []
        self.vab = vab

    def add_group(self, name, maxsize):
        self.groups.append({"name": name, "maximum_size": maxsize, "flags": 0})

    def add_partition(self, name, attrs, size, group="default"):
        p = {"name": name, "attributes": attrs, "group": group, "extents": []}
        self.parts.append(p)
        self.grow(p, align(size, self.geo["block_size"]))

    def grow(self, p, size):
        need = size // SECTOR
        g = [x for x in self.groups if x["name"] == p["group"]][0]
        used = sum(e[0] for q in self.parts if q["group"] == p["group"] for e in q["extents"])
        if g["maximum_size"] and used * SECTOR + size > g["maximum_size"]:
            raise Bad("group %s full" % g["name"])
        ivs = sorted([(e[1], e[1] + e[0]) for q in self.parts for e in q["extents"]]
                     + [(self.dev["first_logical_sector"],) * 2,
                        (self.dev["size"] // SECTOR,) * 2])
        per = self.geo["block_size"] // SECTOR
        for a, b in zip(ivs, ivs[1:]):
            start = align_off(a[1] * SECTOR, self.dev["alignment"],
                              self.dev["alignment_offset"]) // SECTOR
            if start >= b[0] or not need:
                continue
            take = min(need, (b[0] - start) // per * per)
            if not take:
                continue
            ex = p["extents"]
            if ex and ex[-1][1] + ex[-1][0] == start:
                ex[-1] = (ex[-1][0] + take, ex[-1][1])
            else:
                ex.append((take, start))
            need -= take
        if need:
            raise Bad("no room for %s" % p["name"])

    def metadata(self):
        minor = 1 if any(p["attributes"] & 12 for p in self.parts) else 0
        if self.vab:
            minor = 2
        hsize = 256 if minor >= 2 else 128
        parts, exts = b"", b""
        n = 0
        for p in self.parts:
            gi = [g["name"] for g in self.groups].index(p["group"])
            parts += struct.pack("<36sIIII", p["name"].encode(), p["attributes"], n,
                                 len(p["extents"]), gi)
            for sectors, target in p["extents"]:
                exts += struct.pack("<QIQI", sectors, 0, target, 0)
                n += 1
        groups = b"".join(struct.pack("<36sIQ", g["name"].encode(), g["flags"],
                                      g["maximum_size"]) for g in self.groups)
        d = self.dev
        devs = struct.pack("<QIIQ36sI", d["first_logical_sector"], d["alignment"],
                           d["alignment_offset"], d["size"], d["name"].encode(), d["flags"])
        tables = parts + exts + groups + devs
        desc = b""
        off = 0
        for blob, size in ((parts, 52), (exts, 24), (groups, 48), (devs, 64)):
            desc += struct.pack("<III", off, len(blob) // size, size)
            off += len(blob)
        h = struct.pack("<IHHI32sI32s", HEADER_MAGIC, 10, minor, hsize, bytes(32), len(tables),
                        sha(tables)) + desc
        if hsize == 256:
            h += struct.pack("<I", 1 if self.vab else 0) + bytes(124)
        h = h[:12] + sha(h) + h[44:]
        blob = h + tables
        if len(blob) > self.geo["metadata_max_size"]:
            raise Bad("metadata too large")
        return blob

    def geometry(self):
        g = self.geo
        b = struct.pack("<II32sIII", GEOMETRY_MAGIC, 52, bytes(32), g["metadata_max_size"],
                        g["slots"], g["block_size"])
        b = b[:8] + sha(b) + b[40:]
        return b + bytes(GEOMETRY_SIZE - 52)

    def write_empty(self, path):
        with open(path, "wb") as f:
            f.write(self.geometry() + self.metadata())

    def write_full(self, path, images):
        g = self.geo
        meta = self.metadata()
        meta += bytes(g["metadata_max_size"] - len(meta))
        with open(path, "wb") as f:
            f.write(bytes(RESERVED) + self.geometry() * 2 + meta * (2 * g["slots"]))
            for name, file in images.items():
                p = [q for q in self.parts if q["name"] == name][0]
                with open(file, "rb") as src:
                    data = src.read()
                if len(data) > sum(e[0] for e in p["extents"]) * SECTOR:
                    raise Bad("image for %s too large" % name)
                for sectors, target in p["extents"]:
                    chunk, data = data[:sectors * SECTOR], data[sectors * SECTOR:]
                    f.seek(target * SECTOR)
                    f.write(chunk)
            f.truncate(self.dev["size"])


def cmd_build(a):
    b = Builder(a.device_size, a.metadata_size, a.metadata_slots, a.block_size, a.alignment,
                a.alignment_offset, a.virtual_ab)
    for g in a.group:
        name, size = g.split(":")
        b.add_group(name, int(size, 0))
    for p in a.partition:
        f = p.split(":")
        attrs = 0
        for at in f[1].split(","):
            if at != "none":
                attrs |= ATTRS[at]
        b.add_partition(f[0], attrs, int(f[2], 0), f[3] if len(f) > 3 else "default")
    images = dict(i.split("=", 1) for i in a.image)
    if not images and not a.full:
        b.write_empty(a.output)
        return 0
    if not a.sparse:
        b.write_full(a.output, images)
        return 0
    with tempfile.TemporaryDirectory() as d:
        raw = os.path.join(d, "super.raw")
        b.write_full(raw, images)
        subprocess.run(["img2simg", raw, a.output], check=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("file")
    c.add_argument("--slot", type=int, default=0)
    c.add_argument("--json", action="store_true")
    x = sub.add_parser("extract")
    x.add_argument("file")
    x.add_argument("name")
    x.add_argument("out")
    x.add_argument("--slot", type=int, default=0)
    b = sub.add_parser("build")
    b.add_argument("-o", "--output", required=True)
    b.add_argument("--device-size", type=lambda s: int(s, 0), required=True)
    b.add_argument("--metadata-size", type=lambda s: int(s, 0), required=True)
    b.add_argument("--metadata-slots", type=int, required=True)
    b.add_argument("--block-size", type=lambda s: int(s, 0), default=4096)
    b.add_argument("--alignment", type=lambda s: int(s, 0), default=1 << 20)
    b.add_argument("--alignment-offset", type=lambda s: int(s, 0), default=0)
    b.add_argument("--group", action="append", default=[])
    b.add_argument("--partition", action="append", default=[])
    b.add_argument("--image", action="append", default=[])
    b.add_argument("--full", action="store_true")
    b.add_argument("--sparse", action="store_true")
    b.add_argument("--virtual-ab", action="store_true")
    a = ap.parse_args()
    try:
        if a.cmd == "build":
            return cmd_build(a)
        img = Image(a.file, a.slot)
        if a.cmd == "extract":
            img.extract(a.name, a.out)
            return 0
        errors = img.validate()
        if not img.empty:
            for key, md in img.copies.items():
                if md["header_sha"] != img.md["header_sha"]:
                    errors += ["slot %d: %s" % (key[0], m) for m in img.validate(md)]
        out = img.listing()
        out["errors"], out["warnings"] = errors, img.warnings
        if a.json:
            print(json.dumps(out, indent=1))
        else:
            for p in out["partitions"]:
                print("%-20s %-12s %12d %s" % (p["name"], p["group"], p["size"],
                                               p["attributes"]))
        for e in errors:
            print("lpjudge: %s" % e, file=sys.stderr)
        return 1 if errors else 0
    except Bad as e:
        print("lpjudge: %s: %s" % (getattr(a, "file", a.cmd), e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
