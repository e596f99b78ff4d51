#!/bin/sh
# win/dist.sh EXE OUT.zip: the zip a Windows user downloads (make windows-dist).
#
#   hwflash-VERSION-windows-x86_64/
#     hwflash.exe        the stripped, statically linked program
#     README.txt         README.md's "Windows" section (CRLF line endings)
#     licenses/*.txt     hwflash's and every statically linked library's terms,
#                        from the Debian packages whose sources were built
#     SHA256SUMS         of everything above (certutil -hashfile FILE SHA256)
#
# The zip is the same bytes for the same inputs: names sorted, every date
# SOURCE_DATE_EPOCH or the last commit of VERSION (1980-01-01 outside git), no
# extra fields.
set -eu
exe=$1
out=$2
version=$(cat VERSION 2> /dev/null || echo 0.0.0)
name=hwflash-$version-windows-x86_64
stage=$(mktemp -d "${TMPDIR:-/tmp}/hwflash-dist-XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
d=$stage/$name
mkdir -p "$d/licenses"
cp "$exe" "$d/hwflash.exe"

# README.txt: the Windows section as Notepad shows it.
awk '/^## / { on = ($0 ~ /^## Windows/) } on' README.md | sed 's/$/\r/' > "$d/README.txt"
[ -s "$d/README.txt" ] || { echo "win/dist.sh: README.md has no \"## Windows\" section" >&2; exit 1; }

# The terms of what is inside the .exe.  libusb-1.0 is LGPL-2.1, linked
# statically: its source is Debian's libusb-1.0 package of the version named
# in the file, and hwflash's own (MIT) is the repository this zip was built from,
# so the program can be relinked against a changed libusb.
lic() {
	src=/usr/share/doc/$1/copyright
	if [ ! -f "$src" ]; then
		echo "win/dist.sh: $src is missing (make deps-windows installs $1)" >&2
		exit 1
	fi
	{
		printf 'Statically linked into hwflash.exe: %s, from the Debian source package of\n' "$2"
		printf '%s (%s).\n\n' "$1" "$(dpkg-query -W -f='${Version}' "$1" 2> /dev/null || echo '?')"
		cat "$src"
	} | sed 's/$/\r/' > "$d/licenses/$2.txt"
}
lic libusb-1.0-0-dev libusb-1.0
lic libssl-dev openssl-libcrypto
lic libminizip-dev minizip
lic liblz4-dev lz4
lic libz-mingw-w64-dev zlib
lic mingw-w64-common mingw-w64-runtime
lic gcc-mingw-w64-x86-64-posix-runtime gcc-runtime
cat > "$d/licenses/hwflash.txt" << 'EOF'
hwflash is released under the MIT License (SPDX-License-Identifier: MIT, as each
of its source files says):

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
EOF
sed -i 's/$/\r/' "$d/licenses/hwflash.txt"

(cd "$d" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort |
	xargs sha256sum > SHA256SUMS)

# SOURCE_DATE_EPOCH when given, else when VERSION last changed (a rule input).
when=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct -- VERSION 2> /dev/null)}
when=${when:-315532800}
python3 - "$stage" "$name" "$out.tmp" "$when" << 'EOF'
import os, sys, time, zipfile
stage, name, out, when = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
date = time.gmtime(max(when, 315532800))[:6]
files = []
for root, _, names in os.walk(os.path.join(stage, name)):
    for n in names:
        files.append(os.path.relpath(os.path.join(root, n), stage))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for rel in sorted(files):
        info = zipfile.ZipInfo(rel.replace(os.sep, "/"), date)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with open(os.path.join(stage, rel), "rb") as f:
            z.writestr(info, f.read())
EOF
mv "$out.tmp" "$out"
echo "$out: $(wc -c < "$out") bytes ($(sed -n 's/ *hwflash.exe$//p' "$d/SHA256SUMS" | cut -c1-16)... hwflash.exe)"
