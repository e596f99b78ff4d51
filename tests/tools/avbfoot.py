#!/usr/bin/env python3
"""AVB structures for the tests, written from the spec (fastboot-protocol.md §6.2,
libavb's avb_vbmeta_image.h, avb_crypto.h and the descriptor headers), since
Debian 12 packages no avbtool.  Signatures are made by `openssl pkeyutl`
(PKCS#1 v1.5 over SHA-256/512 of header || auxiliary block, as libavb verifies).

Footer mode (as avbtool add_hash_footer lays it out: image padded to 4096,
vbmeta, zeros, the 64-byte AVBf footer at the very end):
  avbfoot.py IN OUT PARTITION PARTITION_SIZE [--tamper] [--key KEY.pem]
             [--resign-bad] [--export-key OUT.bin] [--fingerprint FP]
             [--algorithm NAME]

vbmeta mode (a vbmeta partition image, as avbtool make_vbmeta_image):
  avbfoot.py --vbmeta OUT [--key KEY.pem] [--algorithm NAME] [--flags N]
             [--rollback N] [--padding N] [--hash NAME=FILE]... [--chain NAME=KEY.pem]...
             [--hashtree NAME=SIZE]... [--export-key OUT.bin] [--fingerprint FP]

Without --key the vbmeta is unsigned (algorithm NONE).  --algorithm defaults to
SHA256_RSA2048 and must match the key's size.  --export-key writes the public
key in AVB's binary format."""
import hashlib
import struct
import subprocess
import sys
import tempfile

ALGS = {"NONE": (0, None, 0), "SHA256_RSA2048": (1, "sha256", 2048),
        "SHA256_RSA4096": (2, "sha256", 4096), "SHA256_RSA8192": (3, "sha256", 8192),
        "SHA512_RSA2048": (4, "sha512", 2048), "SHA512_RSA4096": (5, "sha512", 4096),
        "SHA512_RSA8192": (6, "sha512", 8192)}


def pad(b, n):
    return b + b"\0" * (-len(b) % n)


def opt(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def opts(name):
    return [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == name]


def avb_pubkey(keyfile):
    out = subprocess.run(["openssl", "rsa", "-in", keyfile, "-noout", "-modulus"],
                         capture_output=True, check=True, text=True).stdout
    n = int(out.strip().split("=")[1], 16)
    bits = n.bit_length()
    n0inv = (2**32 - pow(n % 2**32, -1, 2**32)) % 2**32
    rr = pow(2, 2 * bits, n)
    return struct.pack(">II", bits, n0inv) + n.to_bytes(bits // 8, "big") + \
        rr.to_bytes(bits // 8, "big")


def sign(keyfile, digest, hashname):
    with tempfile.NamedTemporaryFile() as f:
        f.write(digest)
        f.flush()
        return subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", keyfile, "-pkeyopt",
                               "digest:" + hashname, "-in", f.name],
                              capture_output=True, check=True).stdout


def desc(tag, body):
    body = pad(body, 8)
    return struct.pack(">QQ", tag, len(body)) + body


def hash_desc(part, data, salt=bytes(range(32))):
    digest = hashlib.sha256(salt + data).digest()
    name = part.encode()
    body = struct.pack(">Q32sIIII60x", len(data), b"sha256", len(name), len(salt),
                       len(digest), 0)
    return desc(2, body + name + salt + digest)


def hashtree_desc(part, size):
    name, salt, root = part.encode(), bytes(32), bytes(32)
    body = struct.pack(">IQQQIIIQQ32sIII64x", 1, size, size, 4096, 4096, 4096, 0, 0, 0,
                       b"sha1", len(name), len(salt), len(root))
    return desc(1, body + name + salt + root)


def chain_desc(part, keyfile, location):
    name, key = part.encode(), avb_pubkey(keyfile)
    body = struct.pack(">IIII60x", location, len(name), len(key), 0)
    return desc(4, body + name + key)


def prop_desc(key, val):
    key, val = key.encode(), val.encode()
    return desc(0, struct.pack(">QQ", len(key), len(val)) + key + b"\0" + val + b"\0")


def vbmeta(descs, key, algname, flags=0, rollback=0):
    """header || authentication block || auxiliary block, signed when key is given."""
    alg, hashname, bits = ALGS[algname if key else "NONE"]
    pub = avb_pubkey(key) if key else b""
    if "--bad-rr" in sys.argv:       # a key blob whose rr does not belong to n
        pub = pub[:-1] + bytes([pub[-1] ^ 1])
    if key:
        assert pub[:4] == struct.pack(">I", bits), "--algorithm does not fit the key size"
    if opt("--export-key"):
        open(opt("--export-key"), "wb").write(pub)
    aux = pad(descs + pub, 64)
    hlen = {"sha256": 32, "sha512": 64}.get(hashname, 0)
    auth_size = len(pad(b"\0" * (hlen + bits // 8), 64)) if key else 0
    hdr = bytearray(256)
    hdr[0:4] = b"AVB0"
    struct.pack_into(">II", hdr, 4, 1, 0)
    struct.pack_into(">QQI", hdr, 12, auth_size, len(aux), alg)
    if key:
        struct.pack_into(">QQQQ", hdr, 32, 0, hlen, hlen, bits // 8)   # hash, signature
        struct.pack_into(">QQ", hdr, 64, len(descs), len(pub))          # public key
    struct.pack_into(">QQ", hdr, 96, 0, len(descs))                     # descriptors
    struct.pack_into(">QII", hdr, 112, rollback, flags, 0)
    hdr[128:128 + 12] = b"avbfoot 1.0\0"
    auth = b""
    if key:
        h = hashlib.new(hashname, bytes(hdr) + aux).digest()
        sig = sign(key, h, hashname)
        assert len(sig) == bits // 8
        auth = pad(h + sig, 64)
    return bytearray(bytes(hdr) + auth + aux)


def footer_mode():
    src, out, part, psize = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    img = open(src, "rb").read()
    descs = hash_desc(part, img)
    if opt("--fingerprint"):
        descs = prop_desc("com.android.build.%s.fingerprint" % part, opt("--fingerprint")) + descs
    vb = vbmeta(descs, opt("--key"), opt("--algorithm", "SHA256_RSA2048"))
    if "--resign-bad" in sys.argv:
        vb[128 + 3] ^= 1          # change the release string after signing
    if "--tamper" in sys.argv:
        img = bytearray(img)
        img[len(img) // 2] ^= 0xFF
        img = bytes(img)
    body = pad(img, 4096)
    off = len(body)
    body += pad(bytes(vb), 4096)
    assert len(body) + 4096 <= psize, "partition too small"
    footer = b"AVBf" + struct.pack(">IIQQQ", 1, 0, len(img), off, len(vb)) + b"\0" * 28
    body += b"\0" * (psize - len(body) - 64) + footer
    open(out, "wb").write(body)


def vbmeta_mode():
    out = opt("--vbmeta")
    descs = b""
    if opt("--fingerprint"):
        descs += prop_desc("com.android.build.vbmeta.fingerprint", opt("--fingerprint"))
    for h in opts("--hash"):
        name, path = h.split("=", 1)
        descs += hash_desc(name, open(path, "rb").read())
    for h in opts("--hashtree"):
        name, size = h.split("=", 1)
        descs += hashtree_desc(name, int(size))
    for i, c in enumerate(opts("--chain")):
        name, key = c.split("=", 1)
        descs += chain_desc(name, key, i + 1)
    vb = vbmeta(descs, opt("--key"), opt("--algorithm", "SHA256_RSA2048"),
                int(opt("--flags", "0")), int(opt("--rollback", "0")))
    open(out, "wb").write(pad(bytes(vb), int(opt("--padding", "4096"))))


if "--vbmeta" in sys.argv:
    vbmeta_mode()
else:
    footer_mode()
