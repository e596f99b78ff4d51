# The files and simulated phones of README.md's walk-throughs, for
# tests/integration/t_readme.sh (Linux) and win/t_readme.sh (hwflash.exe under
# wine).  Sourced after lib.sh, in $T, with $top the repository's top folder;
# HWFLASH_LINUX (else HWFLASH) makes the packages.  Sets LOCKED, UNLOCKED,
# PIXEL, PHONE and ANDROID_SERIAL (= PHONE, exported).
HWFLASH_LINUX=${HWFLASH_LINUX:-$HWFLASH}
# The walk-throughs' files: a recovery.img cut short, a good recovery-new.img,
# a firmware.zip holding dload/UPDATE.APP, an SD card image.
head -c 2000000 /dev/urandom > kernel
mkdir -p rd/sbin && echo r > rd/sbin/recovery
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel \
	--cmdline androidboot.mode=recovery -o recovery-new.img
head -c 3000000 recovery-new.img > recovery.img
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel -o boot.img
head -c 30000000 /dev/urandom > system.img
printf 'ANE-LX1 9.1.0.252(C432E5R1P7)' > curver.txt
"$HWFLASH_LINUX" app pack -o UPDATE.APP --hwid HWANE BOOT=boot.img RECOVERY=recovery-new.img \
	SYSTEM=system.img CURVER=curver.txt > /dev/null
python3 -c '
import zipfile
with zipfile.ZipFile("firmware.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("UPDATE.APP", "Software/dload/UPDATE.APP")'
rm -f UPDATE.APP kernel rd.gz
rm -rf rd
truncate -s 8G card.img

# "Repack a recovery and flash it": the maker's recovery, signed with the
# maker's ("vendor") key by the independent AVB writer for a 1 MiB partition;
# a locked and an unlocked phone with such a recovery partition.
mkdir sr && (
	cd sr || exit 1
	head -c 300000 /dev/urandom > kernel
	mkdir -p rd/sbin && echo r > rd/sbin/recovery &&
		printf 'ro.secure=1\nro.adb.secure=1\n' > rd/prop.default
	# the same ramdisk bytes every run (README shows their size)
	find rd -exec touch -h -d @0 {} +
	(cd rd && find . | LC_ALL=C sort | cpio -o -H newc --reproducible 2> /dev/null) |
		gzip -n > rd.gz
	mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel \
		--cmdline androidboot.mode=recovery -o raw.img
	openssl genrsa -out vendor.pem 2048 2> /dev/null
	python3 "$top/tests/tools/avbfoot.py" raw.img ../stock-recovery.img recovery 1048576 \
		--key vendor.pem
)
start_sim locked --product ANE-LX1 --locked --partition recovery:1M
LOCKED=tcp:127.0.0.1:$PORT
start_sim unlocked --product ANE-LX1 --partition recovery:1M
UNLOCKED=tcp:127.0.0.1:$PORT

# "A modern phone": an A/B phone with super, and its factory zip (a signed
# boot.img and vbmeta.img, ext4 system and vendor, super_empty.img from the
# independent liblp builder).
tools=$top/tests/tools
mkdir px && (
	cd px || exit 1
	head -c 300000 /dev/urandom > kernel
	mkdir -p rd sys/bin ven/etc && echo init > rd/init && echo sh > sys/bin/sh &&
		echo fstab > ven/etc/fstab
	(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
	mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel -o boot_raw.img
	openssl genrsa -out key.pem 2048 2> /dev/null
	python3 "$tools/avbfoot.py" boot_raw.img boot.img boot 4194304 --key key.pem
	python3 "$tools/avbfoot.py" --vbmeta vbmeta.img --key key.pem --hash boot=boot_raw.img
	mkfs.ext4 -q -d sys system.img 3M > /dev/null 2>&1
	mkfs.ext4 -q -d ven vendor.img 2M > /dev/null 2>&1
	python3 "$tools/lpjudge.py" build -o super_empty.img --device-size 16777216 \
		--metadata-size 65536 --metadata-slots 3 --group main_a:0 --group main_b:0 \
		--partition system_a:readonly:0:main_a --partition system_b:readonly:0:main_b \
		--partition vendor_a:readonly:0:main_a --partition vendor_b:readonly:0:main_b
	printf 'require board=pixel\n' > android-info.txt
	zip -q ../image-pixel.zip android-info.txt boot.img vbmeta.img super_empty.img \
		system.img vendor.img
)
cp px/super_empty.img .
start_sim pixel --product pixel --slots 2 --partition boot_a:4M --partition boot_b:4M \
	--partition vbmeta_a:64K --partition vbmeta_b:64K --partition userdata:4M \
	--partition metadata:64K --super 16M
PIXEL=tcp:127.0.0.1:$PORT

start_sim phone --product ANE-LX1 --max-download 16M --partition boot:64M \
	--partition recovery:64M --partition system:256M --partition userdata:256M \
	--partition cache:64M
ANDROID_SERIAL=tcp:127.0.0.1:$PORT
PHONE=$ANDROID_SERIAL
export ANDROID_SERIAL
