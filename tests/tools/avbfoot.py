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

Parse mode (the judge of what hwflash writes; reads only, prints JSON):
  avbfoot.py --parse FILE [--signed OUT] [--signature OUT]
  footer, header, descriptors, the key blob (n0inv and rr recomputed from n),
  the stored hash recomputed, the hash descriptor's digest recomputed over the
  file, avbtool's layout (vbmeta at the image rounded up to 4096, footer in
  the last 64 bytes); --signed writes header || auxiliary block (the signed
  bytes) and --signature the signature, for `openssl dgst -verify`.

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


def parse_mode():
    import json
    path = opt("--parse")
    f = open(path, "rb")
    data_size = f.seek(0, 2)
    out = {"file_size": data_size}
    f.seek(data_size - 64)
    foot = f.read(64)
    voff = 0
    if data_size >= 64 and foot[:4] == b"AVBf":
        major, minor, orig, voff, vsize = struct.unpack(">IIQQQ", foot[4:36])
        out["footer"] = {"version": [major, minor], "original_image_size": orig,
                         "vbmeta_offset": voff, "vbmeta_size": vsize,
                         "reserved_zero": foot[36:] == bytes(28)}
        out["layout_ok"] = voff == (orig + 4095) // 4096 * 4096 and data_size % 4096 == 0
    f.seek(voff)
    hdr = f.read(256)
    assert hdr[:4] == b"AVB0", "no vbmeta"
    (maj, mnr, auth_sz, aux_sz, alg, h_off, h_sz, s_off, s_sz, k_off, k_sz, m_off, m_sz,
     d_off, d_sz, rollback, flags, rloc) = struct.unpack(">IIQQIQQQQQQQQQQQII", hdr[4:128])
    auth = f.read(auth_sz)
    aux = f.read(aux_sz)
    name = [k for k, v in ALGS.items() if v[0] == alg][0]
    out["header"] = {"libavb": [maj, mnr], "auth_size": auth_sz, "aux_size": aux_sz,
                     "algorithm": name, "hash": [h_off, h_sz], "signature": [s_off, s_sz],
                     "public_key": [k_off, k_sz], "metadata": [m_off, m_sz],
                     "descriptors": [d_off, d_sz], "rollback_index": rollback,
                     "flags": flags, "rollback_location": rloc,
                     "release": hdr[128:176].split(b"\0")[0].decode(),
                     "reserved_zero": hdr[176:] == bytes(80),
                     "size": 256 + auth_sz + aux_sz}
    if ALGS[name][1]:
        want = hashlib.new(ALGS[name][1], hdr + aux).digest()
        out["stored_hash_ok"] = auth[h_off:h_off + h_sz] == want
    descs, off = [], d_off
    while off < d_off + d_sz:
        tag, nb = struct.unpack(">QQ", aux[off:off + 16])
        b = aux[off + 16:off + 16 + nb]
        d = {"tag": tag, "length": nb}
        if tag == 0:
            kl, vl = struct.unpack(">QQ", b[:16])
            d["key"] = b[16:16 + kl].decode()
            d["value"] = b[17 + kl:17 + kl + vl].decode()
        elif tag == 2:
            isz, halg, nl, sl, dl, fl = struct.unpack(">Q32sIIII", b[:56])
            name_b = b[116:116 + nl]
            salt = b[116 + nl:116 + nl + sl]
            dig = b[116 + nl + sl:116 + nl + sl + dl]
            halg = halg.rstrip(b"\0").decode()
            d.update({"image_size": isz, "hash_algorithm": halg, "partition": name_b.decode(),
                      "salt": salt.hex(), "digest": dig.hex(), "flags": fl})
            if "footer" in out:     # a vbmeta image's descriptors cover other partitions
                h = hashlib.new(halg, salt)
                f.seek(0)
                left = isz
                while left:
                    chunk = f.read(min(left, 1 << 20))
                    assert chunk, "image shorter than the hash descriptor says"
                    h.update(chunk)
                    left -= len(chunk)
                d["digest_ok"] = h.digest() == dig
        descs.append(d)
        off += 16 + nb
    out["descriptors"] = descs
    if k_sz:
        key = aux[k_off:k_off + k_sz]
        bits, n0inv = struct.unpack(">II", key[:8])
        n = int.from_bytes(key[8:8 + bits // 8], "big")
        rr = int.from_bytes(key[8 + bits // 8:8 + bits // 4], "big")
        out["key"] = {"bits": bits, "modulus": "%X" % n,
                      "n0inv_ok": (n0inv * n + 1) % 2**32 == 0,
                      "rr_ok": rr == pow(2, 2 * bits, n),
                      "sha1": hashlib.sha1(key).hexdigest()}
    if opt("--signed"):
        open(opt("--signed"), "wb").write(hdr + aux)
    if opt("--signature"):
        open(opt("--signature"), "wb").write(auth[s_off:s_off + s_sz])
    print(json.dumps(out, indent=1))


if "--parse" in sys.argv:
    parse_mode()
elif "--vbmeta" in sys.argv:
    vbmeta_mode()
else:
    footer_mode()
