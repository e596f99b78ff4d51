#!/usr/bin/env python3
"""Split an Android sparse image into pieces the way libsparse's resparse
(fastboot -S, and Huawei's split SUPER entries) does, without hwflash's code.

    simgsplit.py IN.simg OUTPREFIX --pieces N [--max-blocks B] [--overlap]

Written from the sparse format (AOSP system/core/libsparse/sparse_format.h:
file header 28 bytes, chunk header 12 bytes; RAW 0xCAC1, FILL 0xCAC2,
DONT_CARE 0xCAC3, CRC32 0xCAC4).  Every piece describes the whole image
(same block size and block count): its share of the data chunks, DONT_CARE
everywhere else.  RAW chunks longer than B blocks (default 64) are cut first
so that even a small image gives several pieces.  --overlap gives the last
piece a copy of the first piece's first data chunk as well (a broken split,
for tests).  Writes OUTPREFIX.0, OUTPREFIX.1, ...
"""
import argparse
import struct
import sys

RAW, FILL, DONT_CARE, CRC32 = 0xCAC1, 0xCAC2, 0xCAC3, 0xCAC4


def read_chunks(data):
    magic, major, _minor, fhdr, chdr, blk, total, nchunks, _ck = struct.unpack_from(
        "<IHHHHIIII", data, 0)
    if magic != 0xED26FF3A or major != 1:
        sys.exit("not a sparse image")
    pos, block, out = fhdr, 0, []
    for _ in range(nchunks):
        ctype, _res, blocks, tsize = struct.unpack_from("<HHII", data, pos)
        body = data[pos + chdr:pos + tsize]
        if ctype in (RAW, FILL):
            out.append((ctype, block, blocks, body))
        block += blocks
        pos += tsize
    assert block == total, (block, total)
    return blk, total, out


def cut(chunks, blk, maxb):
    out = []
    for ctype, start, blocks, body in chunks:
        if ctype != RAW:
            out.append((ctype, start, blocks, body))
            continue
        for b in range(0, blocks, maxb):
            n = min(maxb, blocks - b)
            out.append((RAW, start + b, n, body[b * blk:(b + n) * blk]))
    return out


def write_piece(path, blk, total, chunks):
    body, count, block = bytearray(), 0, 0
    for ctype, start, blocks, payload in sorted(chunks, key=lambda c: c[1]):
        if start > block:
            body += struct.pack("<HHII", DONT_CARE, 0, start - block, 12)
            count += 1
        body += struct.pack("<HHII", ctype, 0, blocks, 12 + len(payload)) + payload
        count += 1
        block = start + blocks
    if block < total:
        body += struct.pack("<HHII", DONT_CARE, 0, total - block, 12)
        count += 1
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHHHIIII", 0xED26FF3A, 1, 0, 28, 12, blk, total, count, 0))
        f.write(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("prefix")
    ap.add_argument("--pieces", type=int, required=True)
    ap.add_argument("--max-blocks", type=int, default=64)
    ap.add_argument("--overlap", action="store_true")
    a = ap.parse_args()
    blk, total, chunks = read_chunks(open(a.input, "rb").read())
    chunks = cut(chunks, blk, a.max_blocks)
    if len(chunks) < a.pieces:
        sys.exit("only %d data chunks for %d pieces" % (len(chunks), a.pieces))
    per = -(-len(chunks) // a.pieces)
    shares = [chunks[i * per:(i + 1) * per] for i in range(a.pieces)]
    if a.overlap:
        shares[-1] = shares[-1] + [shares[0][0]]
    for i, share in enumerate(shares):
        write_piece("%s.%d" % (a.prefix, i), blk, total, share)


if __name__ == "__main__":
    main()
