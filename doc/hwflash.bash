# bash completion for hwflash                                -*- shell-script -*-
# SPDX-License-Identifier: MIT
# Subcommands, options, files, and partition names from `getvar all` when a
# device answers (asked once per command line, with a short timeout).

_hwflash_partitions()
{
	local serial=$1
	local -a args=()
	[[ -n $serial ]] && args=(-s "$serial")
	"${HWFLASH:-hwflash}" "${args[@]}" --timeout 2 getvar all 2>&1 |
		sed -n 's/^(bootloader) partition-size:\([^:]*\):.*/\1/p' |
		sed 's/_[ab]$//' | sort -u
}

_hwflash()
{
	local cur prev words cword
	_init_completion || return

	local groups="app image dload"
	local fastboot="devices getvar flash erase boot reboot continue oem flashing
		set_active update reboot-bootloader reboot-fastboot reboot-recovery
		snapshot-update fetch info flash:raw stage get_staged gsi flashall"
	local globals="-s --serial --json -v --force --yes --slot -S -w --verify --timeout --wait --all
		--help --version -a --set-active --skip-reboot --skip-secondary -u --disable-verity
		--disable-verification --cmdline --base --kernel-offset --ramdisk-offset
		--second-offset --tags-offset --dtb-offset --page-size --header-version --os-version
		--os-patch-level --dtb"

	# The command and the serial given so far, skipping global options and their values.
	local i cmd="" sub="" serial="${ANDROID_SERIAL:-}"
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-s | --serial) serial=${words[i + 1]}; ((i++)) ;;
		--slot | -S | --timeout | --cmdline | --base | --*-offset | --page-size | \
			--header-version | --os-version | --os-patch-level | --dtb) ((i++)) ;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${words[i]}
			elif [[ -z $sub ]]; then
				sub=${words[i]}
			fi
			;;
		esac
	done

	case $prev in
	-s | --serial)
		COMPREPLY=($(compgen -W "$("${HWFLASH:-hwflash}" devices 2>/dev/null | cut -f1)" -- "$cur"))
		return
		;;
	--slot)
		COMPREPLY=($(compgen -W "a b" -- "$cur"))
		return
		;;
	-S | --timeout | --cmdline | --base | --*-offset | --page-size | --header-version | \
		--os-version | --os-patch-level) return ;;
	--dtb) _filedir; return ;;
	--algorithm)
		COMPREPLY=($(compgen -W "SHA256_RSA2048 SHA256_RSA4096 SHA256_RSA8192 SHA512_RSA2048
			SHA512_RSA4096 SHA512_RSA8192 NONE" -- "$cur"))
		return
		;;
	--partition-size | --rollback-index | --prop | --salt) return ;;
	-o)
		_filedir -d
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$globals --member --dry-run --map --format --keep-bad --merge-super --pieces
			--no-crc --allow-empty --hwid --partition --sha256 --key --product --skip-reboot
			--partition-size --algorithm --rollback-index --prop --salt --append-signature" -- "$cur"))
		return
	fi
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$groups $fastboot help" -- "$cur"))
		return
	fi
	case $cmd in
	app)
		[[ -z $sub ]] && COMPREPLY=($(compgen -W "list check extract pack flash replace remove" -- "$cur")) ||
			_filedir
		;;
	image)
		[[ -z $sub ]] && COMPREPLY=($(compgen -W "info check unpack repack sign vbmeta" -- "$cur")) ||
			{ [[ $sub == repack && $prev != --append-signature ]] && _filedir -d || _filedir; }
		;;
	dload)
		[[ -z $sub ]] && COMPREPLY=($(compgen -W "prepare check" -- "$cur")) || _filedir
		;;
	help)
		COMPREPLY=($(compgen -W "$groups $fastboot" -- "$cur"))
		;;
	reboot)
		COMPREPLY=($(compgen -W "bootloader recovery fastboot edl sideload" -- "$cur"))
		;;
	snapshot-update)
		COMPREPLY=($(compgen -W "cancel merge" -- "$cur"))
		;;
	flashing)
		COMPREPLY=($(compgen -W "lock unlock lock_critical unlock_critical
			get_unlock_ability" -- "$cur"))
		;;
	set_active)
		COMPREPLY=($(compgen -W "a b" -- "$cur"))
		;;
	gsi)
		COMPREPLY=($(compgen -W "wipe disable status" -- "$cur"))
		;;
	getvar)
		COMPREPLY=($(compgen -W "all product serialno version version-bootloader
			max-download-size current-slot slot-count unlocked secure is-userspace
			snapshot-update-status battery-voltage battery-soc-ok vendorcountry" -- "$cur"))
		;;
	info)
		COMPREPLY=($(compgen -W "--json" -- "$cur"))
		;;
	flash | erase | flash:raw)
		if [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "$(_hwflash_partitions "$serial")" -- "$cur"))
		else
			_filedir
		fi
		;;
	*)
		_filedir
		;;
	esac
} && complete -F _hwflash hwflash
