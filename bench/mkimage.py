#!/usr/bin/env python3
"""mkimage.py OUT MIB [SEED]: a raw partition image of MIB MiB shaped like a
filled file system, for the update benchmark.  It is made of runs of 1 to 16
MiB of three kinds of bytes, a third each on average:
  - random bytes (compressed files: apks, media, already-compressed blobs;
    deflate stores them, inflate copies them),
  - text-like bytes (code, XML, libraries: deflate shrinks them to about a
    third, and inflating them is what costs time),
  - zeros (free space: deflate makes them nearly nothing, and both fastboots
    turn them into DONT_CARE/FILL when they resparse).
The first MiB holds an ext4 superblock giving the image's size (4 KiB blocks)
and zeros, so that both tools take it for what it imitates.
Deterministic for a SEED, so every run and both tools see the same bytes."""
import os
import random
import struct
import sys

MIB = 1 << 20


def text_block(rng):
    vocab = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(2, 10)))
             for _ in range(3000)]
    vocab += [b"\n", b"    ", b"(", b")", b";", b" = ", b"0x", b"{", b"}", b"<", b"/>"]
    words = rng.choices(vocab, k=MIB // 4)
    out = b" ".join(words)
    return out[:MIB].ljust(MIB, b" ")


def main():
    out, mib = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 15)
    texts = [text_block(rng) for _ in range(8)]
    zero = bytes(MIB)
    head = bytearray(MIB)
    struct.pack_into("<I", head, 1024 + 4, mib * 256)   # s_blocks_count_lo
    struct.pack_into("<I", head, 1024 + 24, 2)          # s_log_block_size: 4096
    struct.pack_into("<H", head, 1024 + 56, 0xEF53)     # s_magic
    done = 1
    with open(out, "wb") as f:
        f.write(head)
        while done < mib:
            kind = rng.randrange(3)
            run = min(rng.randint(1, 16), mib - done)
            for _ in range(run):
                if kind == 0:
                    f.write(os.urandom(MIB))
                elif kind == 1:
                    f.write(texts[rng.randrange(len(texts))])
                else:
                    f.write(zero)
            done += run


main()
