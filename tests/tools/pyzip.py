#!/usr/bin/env python3
"""Write a zip with Python's zipfile (an independent writer for the tests).

    pyzip.py OUT|- [--sparse] [--fast-zeros] [--stored|--deflate[=LEVEL]] [--zip64]
             NAME=FILE ...

Options apply to the NAME=FILE arguments after them.  Members are written as
ZipFile.write() would write them (zipfile decides zip64 from the file size),
with force_zip64=True after --zip64 (zip64 records on small members).
OUT "-" writes to stdout, which a test pipes into a file: zipfile then sees
a stream it cannot seek and writes data descriptors, as streaming writers do.
--sparse turns runs of zero bytes into holes in OUT, so that zipping a
sparse 5 GiB file costs no disk space and little time; the bytes of the zip
are the same.  --fast-zeros deflates with a full flush after every 1 MiB
and deflates a 1 MiB run of zeros only once, reusing zlib's output for the
next ones (valid: a full flush leaves nothing to refer back to): deflating
5 GiB of zeros takes seconds instead of a minute.  The stream is still
zlib's, the records around it zipfile's."""
import os
import sys
import zipfile
import zlib


CHUNK = 1 << 20
ZERO = bytes(CHUNK)  # what a hole of the input reads as, never read


def copy(src, dst):
    """@src into @dst in 1 MiB writes; holes of @src are not read but given as ZERO."""
    fd = src.fileno()
    pos, size = 0, os.fstat(fd).st_size
    while pos < size:
        try:
            data = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError:  # ENXIO: a hole up to the end
            data = size
        if data > pos:
            n = min(data - pos, CHUNK)
            dst.write(ZERO if n == CHUNK else bytes(n))
        else:
            n = min(os.lseek(fd, pos, os.SEEK_HOLE) - pos, CHUNK)
            dst.write(os.pread(fd, n, pos))
        pos += n


class SparseFile:
    """A seekable output file whose all-zero writes become holes."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.pos = 0
        self.end = 0

    def write(self, b):
        n = len(b)
        if b is not ZERO and (n < 4096 or b != bytes(n)):
            self.f.seek(self.pos)
            self.f.write(b)
        self.pos += n
        self.end = max(self.end, self.pos)
        return n

    def seek(self, off, whence=0):
        self.pos = [off, self.pos + off, self.end + off][whence]
        return self.pos

    def tell(self):
        return self.pos

    def flush(self):
        self.f.flush()

    def close(self):
        self.f.truncate(self.end)
        self.f.close()


class FastZeros:
    """zlib's raw deflate with a full flush per write; zero writes cached."""
    def __init__(self, level):
        self.z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION if level is None else level,
                                  zlib.DEFLATED, -15)
        self.cache = None

    def compress(self, data):
        zeros = data is ZERO or (len(data) == CHUNK and data == ZERO)
        if zeros and self.cache is not None:
            return self.cache
        # Every write starts after a full flush and ends with one, so its
        # output refers to nothing before it: a zero chunk's can be reused.
        out = self.z.compress(data) + self.z.flush(zlib.Z_FULL_FLUSH)
        if zeros:
            self.cache = out
        return out

    def flush(self, mode=zlib.Z_FINISH):
        return self.z.flush(mode)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out, args = argv[0], argv[1:]
    method, level, force = zipfile.ZIP_STORED, None, False
    if out == "-":
        fp = sys.stdout.buffer
    elif "--sparse" in args:
        fp = SparseFile(out)
    else:
        fp = open(out, "wb")
    if "--fast-zeros" in args:
        plain = zipfile._get_compressor

        def fast(compress_type, compresslevel=None):
            if compress_type == zipfile.ZIP_DEFLATED:
                return FastZeros(compresslevel)
            return plain(compress_type, compresslevel)
        zipfile._get_compressor = fast
    with zipfile.ZipFile(fp, "w", allowZip64=True) as z:
        for a in args:
            if a in ("--sparse", "--fast-zeros"):
                continue
            if a == "--stored":
                method = zipfile.ZIP_STORED
            elif a.startswith("--deflate"):
                method = zipfile.ZIP_DEFLATED
                level = int(a[10:]) if a.startswith("--deflate=") else None
            elif a == "--zip64":
                force = True
            else:
                name, path = a.split("=", 1)
                info = zipfile.ZipInfo.from_file(path, name)
                info.compress_type = method
                if hasattr(zipfile.ZipInfo, "compress_level"):  # Python 3.13
                    info.compress_level = level
                else:
                    info._compresslevel = level
                with open(path, "rb") as src, z.open(info, "w", force_zip64=force) as dst:
                    copy(src, dst)
    if fp is not sys.stdout.buffer:
        fp.close()


if __name__ == "__main__":
    main(sys.argv[1:])
