#!/usr/bin/env python3
"""avbfoot.py IN OUT PARTITION PARTITION_SIZE [--tamper] [--key KEY.pem] [--resign-bad]
                                                [--export-key OUT.bin] [--fingerprint FP]
Adds an AVB hash footer to IN as avbtool add_hash_footer lays it out
(fastboot-protocol.md §6.2): image padded to 4096, vbmeta, zeros, the
64-byte AVBf footer at the very end.  Without --key the vbmeta is unsigned
(algorithm NONE); with --key it is SHA256_RSA2048-signed with `openssl
pkeyutl` (PKCS#1 v1.5 over SHA-256 of header || aux, as libavb verifies).
--export-key writes the public key in AVB's binary format.  Written from
the spec for tests, since Debian 12 packages no avbtool."""
import hashlib
import struct
import subprocess
import sys
import tempfile


def pad(b, n):
    return b + b"\0" * (-len(b) % n)


def opt(name):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


def avb_pubkey(keyfile):
    out = subprocess.run(["openssl", "rsa", "-in", keyfile, "-noout", "-modulus"],
                         capture_output=True, check=True, text=True).stdout
    n = int(out.strip().split("=")[1], 16)
    bits = n.bit_length()
    n0inv = (2**32 - pow(n % 2**32, -1, 2**32)) % 2**32
    rr = pow(2, 2 * bits, n)
    return struct.pack(">II", bits, n0inv) + n.to_bytes(bits // 8, "big") + \
        rr.to_bytes(bits // 8, "big")


def sign(keyfile, digest):
    with tempfile.NamedTemporaryFile() as f:
        f.write(digest)
        f.flush()
        return subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", keyfile, "-pkeyopt",
                               "digest:sha256", "-in", f.name],
                              capture_output=True, check=True).stdout


def main():
    src, out, part, psize = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    key = opt("--key")
    img = open(src, "rb").read()
    salt = bytes(range(32))
    digest = hashlib.sha256(salt + img).digest()
    name = part.encode()
    body = struct.pack(">Q32sIII I60x", len(img), b"sha256", len(name), len(salt),
                       len(digest), 0)
    desc_body = pad(body + name + salt + digest, 8)
    desc = struct.pack(">QQ", 2, len(desc_body)) + desc_body
    if opt("--fingerprint"):
        k = ("com.android.build.%s.fingerprint" % part).encode()
        val = opt("--fingerprint").encode()
        prop = pad(struct.pack(">QQ", len(k), len(val)) + k + b"\0" + val + b"\0", 8)
        desc = struct.pack(">QQ", 0, len(prop)) + prop + desc
    pub = avb_pubkey(key) if key else b""
    if opt("--export-key"):
        open(opt("--export-key"), "wb").write(pub)
    aux = pad(desc + pub, 64)
    auth_size = pad(b"\0" * (32 + 256), 64).__len__() if key else 0
    hdr = bytearray(256)
    hdr[0:4] = b"AVB0"
    struct.pack_into(">II", hdr, 4, 1, 0)
    struct.pack_into(">QQI", hdr, 12, auth_size, len(aux), 1 if key else 0)
    if key:
        struct.pack_into(">QQQQ", hdr, 32, 0, 32, 32, 256)       # hash, signature
        struct.pack_into(">QQ", hdr, 64, len(desc), len(pub))    # public key
    struct.pack_into(">QQ", hdr, 96, 0, len(desc))               # descriptors
    hdr[128:128 + 12] = b"avbfoot 1.0\0"
    auth = b""
    if key:
        h = hashlib.sha256(bytes(hdr) + aux).digest()
        sig = sign(key, h)
        assert len(sig) == 256
        auth = pad(h + sig, 64)
    vbmeta = bytearray(bytes(hdr) + auth + aux)
    if "--resign-bad" in sys.argv:
        vbmeta[128 + 3] ^= 1          # change the release string after signing
    if "--tamper" in sys.argv:
        img = bytearray(img)
        img[len(img) // 2] ^= 0xFF
        img = bytes(img)
    body = pad(img, 4096)
    off = len(body)
    body += pad(bytes(vbmeta), 4096)
    assert len(body) + 4096 <= psize, "partition too small"
    footer = b"AVBf" + struct.pack(">IIQQQ", 1, 0, len(img), off, len(vbmeta)) + b"\0" * 28
    body += b"\0" * (psize - len(body) - 64) + footer
    open(out, "wb").write(body)


main()
