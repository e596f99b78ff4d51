#!/bin/sh
# Build the static mingw-w64 libraries that hwflash.exe and the Windows unit
# tests link (libusb-1.0, minizip, OpenSSL's libcrypto, CUnit), from Debian's own
# source packages of the versions the Linux build uses, into a cache outside
# the clone (and liblz4, the ramdisk codec):
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/hwflash/mingw/<srcpkg>-<version>/{include,lib}
#
# A prefix that is there (its file .done written last) is used as it is, so a
# second `make windows`, or the next clone's, builds nothing.  zlib is
# Debian's libz-mingw-w64-dev (win/deps.sh installs it).
#
# Versions: those of the installed Linux -dev packages (dpkg-query), so both
# builds use the same code.  Sources: `apt-get source SRC=VERSION`; apt checks
# the .dsc against the signed Sources index and dpkg-source checks every file
# against the .dsc's checksums before it unpacks.  A deb-src line is added
# (/etc/apt/sources.list.d/hwflash-deb-src.sources, from the deb lines) when
# apt knows no such source.
#
#   libs.sh            build what is missing, print the cache folder
#   libs.sh --prefix   print the prefixes (one a line: usb, minizip, crypto, cunit, lz4)
set -e
HOST=x86_64-w64-mingw32
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/hwflash/mingw
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# libcrypto only: no libssl, no programs, no tests, no shared library, no
# loadable modules or engines.  hwflash uses SHA-1/256/512 digests, RSA (keys
# made, read and written as PEM, PKCS#8 encrypted with AES and PBKDF2/HMAC),
# BN and RAND: everything else is off (legacy and national ciphers, EC, DH,
# DSA, the TLS/CMS/OCSP/TS/CT/SRP/CMP protocols, compression).  The cache
# folder of libcrypto carries a checksum of these options, so changing them
# builds it again.
SSL_OPTS="no-shared no-tests no-module no-legacy no-engine no-dso no-comp no-ct no-ocsp no-ts
no-srp no-cmp no-des no-rc2 no-rc4 no-rc5 no-idea no-seed no-camellia no-aria no-sm2 no-sm3
no-sm4 no-whirlpool no-blake2 no-siphash no-poly1305 no-chacha no-cast no-bf no-md4 no-mdc2
no-rmd160 no-ec no-ec2m no-dh no-dsa no-scrypt no-ocb no-siv no-cms no-gost no-srtp no-psk
no-ssl no-tls no-dtls no-sock no-ktls no-ssl-trace no-nextprotoneg"
SSL_TAG=-o$(printf '%s' "$SSL_OPTS" | cksum | cut -d' ' -f1)
ARG=${1:-}

# $1 = a Linux -dev package; prints "SRCPKG VERSION" of what is installed.
src_of() {
	dpkg-query -W -f='${source:Package} ${source:Version}\n' "$1" 2>/dev/null ||
		{ echo "win/libs.sh: $1 is not installed (make deps)" >&2; exit 1; }
}
# The cache folder of a source package: epoch dropped (no ':' in make paths).
dir_of() { echo "$CACHE/$1-$(echo "$2" | sed 's/^[0-9]*://')${3:-}"; }

have_source() { # SRC VERSION: does apt know this source version?
	apt-cache showsrc "$1" 2>/dev/null | grep -qx "Version: $2"
}

add_deb_src() {
	f=/etc/apt/sources.list.d/hwflash-deb-src.sources
	if [ "$(id -u)" != 0 ]; then
		echo "win/libs.sh: apt has no deb-src line; as root run: make deps-windows" >&2
		exit 1
	fi
	[ -e $f ] && [ -z "${1:-}" ] && return 0
	if [ ! -e $f ]; then
		echo "win/libs.sh: adding deb-src lines ($f)" >&2
		{
			for s in /etc/apt/sources.list.d/*.sources; do
				case $s in *hwflash-deb-src*) continue ;; esac
				grep -q 'deb.debian.org\|snapshot.debian.org\|security.debian.org' "$s" || continue
				sed -n '/^Types:/,$p' "$s" | sed 's/^Types:.*/Types: deb-src/'
				echo
			done
			[ -r /etc/apt/sources.list ] &&
				grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' || true
		} > $f.tmp
		# A one-line format list goes to its own file.
		if grep -q '^deb-src ' $f.tmp; then
			grep '^deb-src ' $f.tmp > /etc/apt/sources.list.d/hwflash-deb-src.list
			sed -i '/^deb-src /d' $f.tmp
		fi
		mv $f.tmp $f
	fi
	apt-get update -q >&2
}

# fetch SRC VERSION WORKDIR: the source tree, verified and patched, in WORKDIR.
fetch() {
	have_source "$1" "$2" || add_deb_src "$1" "$2"
	have_source "$1" "$2" || return 1
	rm -rf "$3" && mkdir -p "$3"
	# dpkg-source (run by apt-get source) refuses files whose checksums differ from the .dsc.
	(cd "$3" && apt-get source -q --only-source "$1=$2" >&2) || return 1
	find "$3" -mindepth 1 -maxdepth 1 -type d | head -n 1
}

# The versions to try for SRC: VERSION itself, then the others of the archive
# with the same upstream major.minor, newest first.  Debian's archive may no
# longer serve the source of the installed version (a security update
# replaced it, or the mirror keeps no sources of the security pool).
candidates() {
	echo "$2"
	mm=$(echo "$2" | sed 's/^[0-9]*://; s/^\([0-9]*\.[0-9]*\).*/\1/')
	apt-cache showsrc "$1" 2>/dev/null | sed -n 's/^Version: //p' | while read -r v; do
		[ "$v" = "$2" ] && continue
		case $(echo "$v" | sed 's/^[0-9]*://') in "$mm".*) echo "$v" ;; esac
	done | sort -r -V
}

set -- $(src_of libusb-1.0-0-dev) $(src_of libminizip-dev) $(src_of libssl-dev) \
	$(src_of libcunit1-dev) $(src_of liblz4-dev)
USB_SRC=$1 USB_VER=$2 MZ_SRC=$3 MZ_VER=$4 SSL_SRC=$5 SSL_VER=$6 CU_SRC=$7 CU_VER=$8
LZ_SRC=$9 LZ_VER=${10}
USB_DIR=$(dir_of "$USB_SRC" "$USB_VER")
MZ_DIR=$(dir_of "$MZ_SRC" "$MZ_VER")
SSL_DIR=$(dir_of "$SSL_SRC" "$SSL_VER" "$SSL_TAG")
CU_DIR=$(dir_of "$CU_SRC" "$CU_VER")
LZ_DIR=$(dir_of "$LZ_SRC" "$LZ_VER")
if [ "$ARG" = --prefix ]; then
	printf '%s\n' "$USB_DIR" "$MZ_DIR" "$SSL_DIR" "$CU_DIR" "$LZ_DIR"
	exit 0
fi

build_usb() { # SRCDIR PREFIX
	(cd "$1" && { [ -x configure ] || autoreconf -fi; } &&
		./configure -q --host=$HOST --prefix="$2" --enable-static --disable-shared \
			--disable-examples-build --disable-tests-build &&
		make -j"$JOBS" -s && make -s install) >&2
}

# minizip: only the zip reader and writer (ioapi.c, zip.c, unzip.c) that the unit
# tests use; its build system would also build the programs.
build_mz() {
	cc=$HOST-gcc-posix
	mkdir -p "$2/include/minizip" "$2/lib" "$1/obj"
	for f in ioapi zip unzip; do
		$cc -O2 -c "$1/$f.c" -o "$1/obj/$f.o"
	done
	$HOST-ar rcs "$2/lib/libminizip.a" "$1"/obj/*.o
	cp "$1/ioapi.h" "$1/zip.h" "$1/unzip.h" "$1/crypt.h" "$2/include/minizip/"
}

# CUnit (the unit tests' runner): the framework and the basic interface.
build_cu() {
	cc=$HOST-gcc-posix
	mkdir -p "$2/include/CUnit" "$2/lib" "$1/obj"
	[ -e "$1/CUnit/Headers/CUnit.h" ] ||
		sed 's/@VERSION@-@RELEASE@/2.1-3/' "$1/CUnit/Headers/CUnit.h.in" > "$1/CUnit/Headers/CUnit.h"
	for f in "$1"/CUnit/Sources/Framework/*.c "$1/CUnit/Sources/Basic/Basic.c"; do
		$cc -O2 -I"$1/CUnit/Headers" -c "$f" -o "$1/obj/$(basename "$f" .c).o" || return 1
	done
	$HOST-ar rcs "$2/lib/libcunit.a" "$1"/obj/*.o
	cp "$1"/CUnit/Headers/*.h "$2/include/CUnit/"
}

# liblz4 (the ramdisk codec): the block, HC and frame formats and xxhash.
build_lz() {
	cc=$HOST-gcc-posix
	mkdir -p "$2/include" "$2/lib" "$1/obj"
	for f in lz4 lz4hc lz4frame xxhash; do
		$cc -O2 -c "$1/lib/$f.c" -o "$1/obj/$f.o" || return 1
	done
	$HOST-ar rcs "$2/lib/liblz4.a" "$1"/obj/*.o
	cp "$1/lib/lz4.h" "$1/lib/lz4hc.h" "$1/lib/lz4frame.h" "$2/include/"
}

build_ssl() {
	(cd "$1" && ./Configure mingw64 --cross-compile-prefix=$HOST- --prefix="$2" \
		--libdir=lib $SSL_OPTS &&
		make -j"$JOBS" -s build_generated && make -j"$JOBS" -s libcrypto.a) >&2 || return 1
	mkdir -p "$2/include/openssl" "$2/lib"
	cp "$1"/include/openssl/*.h "$2/include/openssl/"
	cp "$1/libcrypto.a" "$2/lib/"
}

# one NAME SRC VERSION DIR [TAG]: build into DIR unless it is there.  When the
# archive has no source of VERSION, the newest one of the same major.minor is
# built in its own folder and DIR becomes a link to it (said on stderr).
one() {
	[ -e "$4/.done" ] && return 0
	t0=$(date +%s)
	work=$(mktemp -d "$CACHE/.work-$1.XXXXXX")
	trap 'rm -rf "$work"' EXIT INT TERM
	for v in $(candidates "$2" "$3"); do
		d=$(dir_of "$2" "$v" "${5:-}")
		if [ ! -e "$d/.done" ]; then
			src=$(fetch "$2" "$v" "$work/src") || continue
			echo "win/libs.sh: building $2 $v for $HOST into $d" >&2
			rm -rf "$d" "$work/prefix"
			"build_$1" "$src" "$work/prefix" ||
				{ echo "win/libs.sh: building $2 $v failed" >&2; exit 1; }
			echo "$2 $v built $(date -u +%FT%TZ) by $($HOST-gcc-posix --version | head -n 1)" \
				> "$work/prefix/.done"
			# Paths inside (.pc, .la) name the work folder: the prefix is used by its path.
			rm -rf "$work/prefix/lib/pkgconfig" "$work/prefix/lib"/*.la
			mv "$work/prefix" "$d"
			echo "win/libs.sh: $2 $v built in $(($(date +%s) - t0)) s" >&2
		fi
		if [ "$d" != "$4" ]; then
			echo "win/libs.sh: warning: Debian's archive has no source of $2 $3 (the Linux" \
				"build's); the Windows build uses $2 $v" >&2
			ln -sfn "$(basename "$d")" "$4"
		fi
		rm -rf "$work"
		trap - EXIT INT TERM
		return 0
	done
	echo "win/libs.sh: no source of $2 $3 (nor of another version of the same major.minor)" \
		"can be had from Debian's archive" >&2
	exit 1
}

mkdir -p "$CACHE"
one usb "$USB_SRC" "$USB_VER" "$USB_DIR"
one mz "$MZ_SRC" "$MZ_VER" "$MZ_DIR"
one ssl "$SSL_SRC" "$SSL_VER" "$SSL_DIR" "$SSL_TAG"
one cu "$CU_SRC" "$CU_VER" "$CU_DIR"
one lz "$LZ_SRC" "$LZ_VER" "$LZ_DIR"
printf '%s\n' "$USB_DIR" "$MZ_DIR" "$SSL_DIR" "$CU_DIR" "$LZ_DIR"
