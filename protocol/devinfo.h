/* SPDX-License-Identifier: MIT */
/*
 * The device check before flashing (`hwflash info`): the standard
 * variables (product, serialno, version-bootloader, slot-count,
 * current-slot, unlocked, secure, is-userspace, max-download-size,
 * battery-voltage, battery-soc-ok) and, on a Huawei/Honor bootloader, the
 * answers of its own commands (oem get-product-model, oem
 * get-build-number, oem lock-state info, getvar vendorcountry, oem
 * get-bootinfo), each parsed by a parser for its one reply format, with
 * the public source of that format cited at the parser.  A reply that no
 * parser knows is kept raw and shown as it came: never guessed.
 *
 * Memory: struct hwf_devinfo is the caller's, filled here; nothing stays
 * allocated.  Errors: a variable or command the device refuses (FAIL) is
 * only "not answered"; a lost conversation (timeout, disconnect, not
 * fastboot) ends the check with the client's code (HWF_ETIMEOUT ...).
 */
#ifndef HWF_DEVINFO_H
#define HWF_DEVINFO_H

#include "formats/core/err.h"
#include "protocol/fastboot.h"

#define HWF_DEVINFO_VAL 128
#define HWF_DEVINFO_RAW 512

/* A lock as a bootloader reports it. */
enum hwf_lock {
	HWF_LOCK_UNKNOWN, /* not said, or said in a way no parser knows */
	HWF_LOCK_LOCKED,
	HWF_LOCK_UNLOCKED,
	HWF_LOCK_RELOCKED, /* Huawei "RELOCKED": locked again after an unlock */
};

/* "locked", "unlocked", "relocked", "unknown". */
const char *hwf_lock_name(enum hwf_lock l);

/* One standard variable: @have 0 when the device did not answer it. */
struct hwf_devinfo_var {
	int have;
	char value[HWF_DEVINFO_VAL];
};

enum hwf_devinfo_var_id {
	HWF_DI_PRODUCT,
	HWF_DI_SERIALNO,
	HWF_DI_VERSION_BOOTLOADER,
	HWF_DI_SLOT_COUNT,
	HWF_DI_CURRENT_SLOT,
	HWF_DI_UNLOCKED,
	HWF_DI_SECURE,
	HWF_DI_IS_USERSPACE,
	HWF_DI_MAX_DOWNLOAD,
	HWF_DI_BATTERY_VOLTAGE,
	HWF_DI_BATTERY_SOC_OK,
	HWF_DI_NVARS
};

/* The getvar name of @id ("product" ...). */
const char *hwf_devinfo_var_name(enum hwf_devinfo_var_id id);

/* Huawei/Honor: each answer parsed, and the raw reply (INFO lines joined by "\n"). */
struct hwf_devinfo_huawei {
	int asked;   /* the device looked like a Huawei bootloader: the oem commands were sent */
	int answers; /* how many of them answered (OKAY) */
	char model[HWF_DEVINFO_VAL]; /* oem get-product-model: "ANE-LX2J" ("" unknown) */
	char build[HWF_DEVINFO_VAL]; /* oem get-build-number: "ANE-LX2J 9.1.0.132(C635E4R1P1)" */
	enum hwf_lock fb_lock, user_lock; /* oem lock-state info */
	char frp[HWF_DEVINFO_VAL];	  /* an FRP line of lock-state info, as it came */
	char vendor[HWF_DEVINFO_VAL];	  /* getvar vendorcountry "hw/eu": "hw" */
	char country[HWF_DEVINFO_VAL];	  /* ... "eu" */
	enum hwf_lock bootinfo;		  /* oem get-bootinfo */
	/* The raw replies ("" when not answered); shown when a parser did not know them. */
	char raw_model[HWF_DEVINFO_RAW], raw_build[HWF_DEVINFO_RAW], raw_lock[HWF_DEVINFO_RAW],
	    raw_vendorcountry[HWF_DEVINFO_RAW], raw_bootinfo[HWF_DEVINFO_RAW];
	/* lock-state info lines that were neither FB, USER nor FRP ("\n"-joined). */
	char lock_other[HWF_DEVINFO_RAW];
};

struct hwf_devinfo {
	struct hwf_devinfo_var var[HWF_DI_NVARS];
	struct hwf_devinfo_huawei hw;
	/* The verdict the flash gate uses (hwf_devinfo_lock_state). */
	enum hwf_lock lock;
	const char *lock_source; /* "getvar unlocked", "oem lock-state info (FB lock)" or NULL */
};

/*
 * Ask everything.  @huawei: 1 send the Huawei commands, 0 never, -1 when
 * the device looks like one (product or serial of a Huawei/Honor
 * bootloader: getvar unlocked not answered, or vendorcountry answered).
 * The client's INFO callback is borrowed for the oem commands and given
 * back.  Returns 0, or the client's code when the conversation was lost.
 */
int hwf_devinfo_read(struct hwf_fb *fb, int huawei, struct hwf_devinfo *di, struct hwf_err *e);

/*
 * Only the lock: getvar unlocked (yes/no); when the device does not answer
 * it, oem lock-state info's FB lock.  Fills di->lock and di->lock_source.
 * 0, or the client's code when the conversation was lost.
 */
int hwf_devinfo_lock_state(struct hwf_fb *fb, struct hwf_devinfo *di, struct hwf_err *e);

/* --- the parsers, one per reply format (public for the unit tests) ----------- */

/* getvar unlocked: "yes"/"no" (also "true"/"false", "1"/"0"); else UNKNOWN. */
enum hwf_lock hwf_devinfo_parse_unlocked(const char *v);
/*
 * oem lock-state info's INFO lines (@text, "\n"-separated): "FB LockState:
 * LOCKED", "USER LockState: UNLOCKED" (leading spaces allowed).  An FRP
 * line is kept raw in @hw->frp; any other line goes to @hw->lock_other.
 * Returns how many of FB/USER were understood.
 */
int hwf_devinfo_parse_lockstate(const char *text, struct hwf_devinfo_huawei *hw);
/* oem get-bootinfo: "locked", "unlocked", "relocked" (one word, any case); else UNKNOWN. */
enum hwf_lock hwf_devinfo_parse_bootinfo(const char *text);
/* oem get-build-number: the text without the leading ':' some bootloaders put there. */
void hwf_devinfo_parse_build(const char *text, char *out, size_t len);
/* getvar vendorcountry "VENDOR/COUNTRY": 0, or -1 when it is not that shape. */
int hwf_devinfo_parse_vendorcountry(const char *v, char *vendor, size_t vlen, char *country,
				    size_t clen);

#endif
