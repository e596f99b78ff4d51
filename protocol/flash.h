/* SPDX-License-Identifier: MIT */
/*
 * The flash engine: everything `flash`, `boot`, `erase`, `app flash` and
 * `update` decide about a device, below the command line.
 *
 *   gate      hwf_image_check for the partition: errors refuse (unless
 *             force), warnings are reported, an empty image is never sent;
 *   slots     a partition name as AOSP's fastboot resolves it (has-slot,
 *             current-slot, --slot a|b|other|all), refusals before writing;
 *   fit       a raw image larger than its partition is refused, an AVB
 *             footer of a smaller one is moved to the partition's end;
 *   flash     one download, or sparse pieces for what exceeds
 *             max-download-size (or the caller's limit), each flashed;
 *   plans     app flash's partitions checked against the device, update's
 *             android-info.txt and its image order;
 *   read-back with opts.verify, each written partition fetched back and
 *             compared with what it should hold (flash_verify.c);
 *   modes     the bootloader and fastbootd (userspace fastboot): reboots
 *             between them and following the device to its new connection,
 *             logical partitions (flashed from fastbootd), -w, snapshot-update
 *             and fetch (flash_mode.c).
 *
 * Nothing here prints.  Work is reported through struct hwf_flash_cb:
 * steps (AOSP's "Sending 'boot' (16 KB) OKAY [0.1s]"), messages (notes,
 * warnings, -v details), download progress, the device's INFO/TEXT and the
 * -v trace.  Every failure is reported once as an HWF_FLASH_ERROR message
 * before the call returns, and the same sentence is left in @e: a caller
 * with a message callback need not print @e again.  Calls that find
 * several problems (a plan with several missing partitions) report each
 * and return the last.
 *
 * Errors: the fastboot client's (HWF_EDEVICE for a FAIL, HWF_ETIMEOUT,
 * HWF_EDISCONNECTED, HWF_EPROTO ...), HWF_EFORMAT for an image the gate
 * refuses or that does not fit, HWF_ENOTFOUND for a slot or partition the
 * device does not have, HWF_EUNSUPPORTED for a device whose slots cannot be
 * used, and HWF_EINVAL only from resolving names (hwf_flash_resolve,
 * hwf_flash_plan) when the request contradicts
 * itself or cannot be said in fastboot: a usage error for a CLI.
 *
 * Memory: the session borrows its transport and every source; plans and
 * lists it returns are malloc'd for the caller.  After a reboot it follows
 * (hwf_flash_reboot_mode), the session borrows the transport its reconnect
 * callback returned instead: the callback's owner holds it.
 */
#ifndef HWF_FLASH_H
#define HWF_FLASH_H

#include <stddef.h>
#include <stdint.h>

#include "formats/app/appplan.h"
#include "formats/app/updateapp.h"
#include "formats/core/err.h"
#include "formats/core/source.h"
#include "protocol/fastboot.h"
#include "protocol/transport.h"

#define HWF_FLASH_MAX_SLOTS 8 /* slot-count above this is refused */
#define HWF_FLASH_PART_MAX  80

enum hwf_flash_step_kind {
	HWF_FLASH_STEP_COMMAND,	 /* one command and its OKAY: "Writing 'boot_a'" */
	HWF_FLASH_STEP_DOWNLOAD, /* download:%08x and the data: "Sending 'boot' (16 KB)" */
	HWF_FLASH_STEP_FETCH,	 /* fetch: and the data back: "Fetching 'boot_a' (16 KB)" */
};

/* One AOSP-style step, reported when it starts (@done 0) and when it ends (@done 1). */
struct hwf_flash_step {
	enum hwf_flash_step_kind kind;
	int done;
	const char *label; /* the step's line */
	const char *what;  /* a download's short name for a progress bar: "'boot'" */
	/* When @done: */
	int ok;
	double seconds;
	uint64_t bytes;	   /* a download's (a fetch's) size */
	const char *error; /* !@ok: the failure as the client said it */
};

/* Read-back after write (hwf_flash_readback): what came of one partition. */
enum hwf_flash_rb {
	HWF_FLASH_RB_IDENTICAL,	  /* every compared byte as written */
	HWF_FLASH_RB_DIFFERS,	  /* @first is the first differing offset */
	HWF_FLASH_RB_UNSUPPORTED, /* the device does not fetch (@why): not verified */
};

struct hwf_flash_readback {
	const char *part;
	enum hwf_flash_rb result;
	uint64_t compared; /* bytes compared (a sparse image's DONT_CARE is not) */
	uint64_t first;	   /* DIFFERS: partition offset of the first differing byte */
	uint64_t ndiff;	   /* DIFFERS: how many bytes differ */
	char sha256[65];      /* hex, of the expected bytes of the compared ranges */
	char read_sha256[65]; /* hex, of the bytes read back in the same ranges */
	const char *why;      /* UNSUPPORTED: the device's answer */
};

enum hwf_flash_msg {
	HWF_FLASH_DETAIL, /* a fact for -v: a finding of the image check, USB counters */
	HWF_FLASH_NOTE,	  /* a line for a person: "AVB footer of x moved ..." */
	HWF_FLASH_WARN,	  /* something the person should know before it is too late */
	HWF_FLASH_ERROR,  /* a failure (see above) */
};

/* Every member may be NULL. */
struct hwf_flash_cb {
	void *ctx;
	void (*step)(void *ctx, const struct hwf_flash_step *s);
	void (*message)(void *ctx, enum hwf_flash_msg kind, const char *text);
	hwf_progress_fn progress; /* a download's bytes sent */
	hwf_fb_info_fn info;	  /* the device's INFO and TEXT lines */
	hwf_fb_trace_fn trace;	  /* the conversation, for -v */
	/*
	 * The device rebooted and is coming back (hwf_flash_reboot_mode): *@t
	 * is the transport it went away from.  Close it, open the same device
	 * again waiting up to @wait_ms (the host does it with
	 * hwf_transport_reopen), and leave the new transport in *@t, which the
	 * session then borrows as it did the first; on failure *@t is NULL and
	 * @e says why.  NULL: the session cannot follow a reboot.
	 */
	int (*reconnect)(void *ctx, struct hwf_transport **t, int wait_ms, struct hwf_err *e);
	/* opts.verify: each partition's read-back, as it ends (strings valid for the call). */
	void (*readback)(void *ctx, const struct hwf_flash_readback *r);
};

struct hwf_flash_opts {
	int force;	       /* image check errors and android-info.txt refusals only warn */
	const char *slot;      /* "a".."z", "other", "all" (already spelled so), or NULL */
	uint64_t sparse_limit; /* pieces at most this big when smaller than the device's */
	int timeout_ms;	       /* per device reply, and the wait for a device that
				  reboots; 0: the client's default (HWF_FB_TIMEOUT_MS) */
	int verify;	       /* read each partition back after writing it (hwf_flash_image) */
};

/*
 * Verify before write, the same on every path that sends bytes: the full
 * image check of @src for @part (formats/image/partkind.c's table).  An
 * error refuses it (HWF_EFORMAT) unless @force, and then each error is a
 * warning; warnings are reported, the check's facts are details.  An empty
 * @src is refused even with @force (erase's job).  @file names the image
 * in messages.  No device needed.  @sign (may be NULL) gets the check's
 * signature verdict (enum hwf_image_sign) for hwf_flash_lock_gate, so that
 * the image is read once.
 */
int hwf_flash_gate(struct hwf_source *src, const char *part, const char *file, int force,
		   const struct hwf_flash_cb *cb, int *sign, struct hwf_err *e);

/*
 * The lock gate's decision, without a device: on a locked bootloader
 * (@lock an enum hwf_lock, protocol/devinfo.h) an image whose check says
 * @sign (enum hwf_image_sign, formats/image/imagecheck.h) is repacked,
 * unsigned or changed after signing is one the bootloader rejects: returns
 * the word for it ("repacked", "unsigned", "modified"), else NULL (an
 * unknown lock or signature blocks nothing).
 */
const char *hwf_flash_lock_rejects(int lock, int sign);

/* --- a session with one device ------------------------------------------ */

struct hwf_flash;

/* A session over @t (borrowed: close it after hwf_flash_free).  HWF_ENOMEM. */
int hwf_flash_new(struct hwf_flash **out, struct hwf_transport *t, const struct hwf_flash_opts *o,
		  const struct hwf_flash_cb *cb, struct hwf_err *e);
void hwf_flash_free(struct hwf_flash *f);
/* The session's fastboot client, for plain getvars. */
struct hwf_fb *hwf_flash_fb(struct hwf_flash *f);

/* Send @cmd as the step @label. */
int hwf_flash_command(struct hwf_flash *f, const char *label, const char *cmd, struct hwf_err *e);

/*
 * Flash @src (@label in messages) to @part, a name the device has (from
 * hwf_flash_resolve): fit to the partition, then one download or sparse
 * pieces, each followed by flash:@part.  A partition the device calls
 * logical (is-logical:@part) is flashed from fastbootd: from the
 * bootloader the session first reboots there and says so (a note, then
 * hwf_flash_reboot_mode's steps); then it is resized to the image
 * (resize-logical-partition:@part:SIZE, a sparse image by its expanded
 * size), as AOSP does.  With opts.verify the partition is then read
 * back (hwf_flash_readback of what was sent).
 */
int hwf_flash_image(struct hwf_flash *f, struct hwf_source *src, const char *part,
		    const char *label, struct hwf_err *e);

/*
 * download:%08x of all of @src as the step "Sending @what (N KB)" (@what:
 * "'super'"), for a command that takes the data (update-super).
 */
int hwf_flash_download(struct hwf_flash *f, struct hwf_source *src, const char *what,
		       struct hwf_err *e);

/* boot: @src in one download (refused when larger than the device takes), then "boot". */
int hwf_flash_boot(struct hwf_flash *f, struct hwf_source *src, struct hwf_err *e);

/*
 * Before any byte goes to @part (flash_lock.c): the image check's
 * signature verdict @sign (from hwf_flash_gate) against the device's lock state, asked (once per
 * session) only for an image a locked bootloader would reject
 * (protocol/devinfo.h: hwf_devinfo_lock_state: getvar unlocked, or
 * Huawei's FB lock); every other image sends nothing.  A locked bootloader and an image it
 * rejects (hwf_flash_lock_rejects) is refused with HWF_EFORMAT and the
 * reason, unless force (then a warning).  An unlocked or unknown lock, or
 * a properly signed image, passes.  @file names the image in messages.
 */
int hwf_flash_lock_gate(struct hwf_flash *f, int sign, const char *part, const char *file,
			struct hwf_err *e);

/* --- modes (flash_mode.c) ------------------------------------------------- */

enum hwf_flash_mode {
	HWF_FLASH_MODE_UNKNOWN,
	HWF_FLASH_BOOTLOADER, /* the bootloader's fastboot (getvar is-userspace: no, or FAIL) */
	HWF_FLASH_FASTBOOTD,  /* userspace fastboot (getvar is-userspace: yes) */
};

/* The mode the device is in: getvar is-userspace, asked once per connection. */
int hwf_flash_mode(struct hwf_flash *f, enum hwf_flash_mode *mode, struct hwf_err *e);

/*
 * Reboot into @mode and follow the device: reboot-fastboot or
 * reboot-bootloader as a step, wait for the device to go (3 s at most),
 * open it again through the reconnect callback (waiting up to the
 * session's timeout_ms, default HWF_FB_TIMEOUT_MS), and check that it came
 * back in @mode (is-userspace).  What the session knew of the device
 * (slots, mode) is asked again.  Errors: the command's; HWF_ETIMEOUT (or
 * the factory's) "reboot-fastboot: FBSIM01 did not come back within 30 s";
 * HWF_EUNSUPPORTED when it came back in the other mode, or there is no
 * reconnect callback.
 */
int hwf_flash_reboot_mode(struct hwf_flash *f, enum hwf_flash_mode mode, struct hwf_err *e);

/*
 * reboot [@target]: NULL (Android), "bootloader", "recovery" or "fastboot".
 * fastboot is hwf_flash_reboot_mode(FASTBOOTD), as AOSP follows the device
 * into fastbootd; the others wait (3 s at most) for the device to go, as
 * AOSP's WaitForDisconnect, and end the conversation: later commands of
 * this session fail with "the device rebooted".
 */
int hwf_flash_reboot(struct hwf_flash *f, const char *target, struct hwf_err *e);

/*
 * is-logical:@part: 1 yes (a partition inside super), 0 no or unknown (a
 * FAIL: the bootloader may not know the variable), or a negative code when
 * the conversation is lost (reported).
 */
int hwf_flash_is_logical(struct hwf_flash *f, const char *part, struct hwf_err *e);

/*
 * -w as AOSP's fastboot does it today (fastboot.cpp Main / WipeTask):
 * userdata, cache and metadata, each erased when getvar partition-type
 * answers it (skipped when the device does not name it).  AOSP then makes
 * an empty ext4/f2fs there; hwflash makes no file systems and says so for
 * a partition that is not raw.  With force, a snapshot update in progress
 * is cancelled first (snapshot-update:cancel), as AOSP does with --force.
 * Once per session: later calls do nothing.
 */
int hwf_flash_wipe(struct hwf_flash *f, struct hwf_err *e);

/*
 * snapshot-update [@action]: NULL (the device says its status as INFO),
 * "cancel" or "merge".  merge is done in fastbootd: from the bootloader
 * the session reboots there first and says so.
 */
int hwf_flash_snapshot_update(struct hwf_flash *f, const char *action, struct hwf_err *e);

/*
 * fetch @part (a name the device has) into @sink, as AOSP's fetch does:
 * partition-size:@part bytes in pieces of max-fetch-size, each
 * fetch:@part:0xOFFSET:0xSIZE.  HWF_EUNSUPPORTED when the device does not
 * say max-fetch-size (bootloaders; fastbootd does).  *@size (may be NULL)
 * gets the partition's size.
 */
int hwf_flash_fetch(struct hwf_flash *f, const char *part, hwf_fb_sink_fn sink, void *sctx,
		    uint64_t *size, struct hwf_err *e);

/* --- read-back (flash_verify.c) -------------------------------------------- */

/*
 * Read @part back and compare it with @img, what was sent to it (a raw
 * image, the view with its AVB footer moved, or a sparse image): a raw
 * image over its own length, a sparse one over its RAW and FILL chunks
 * (DONT_CARE is not compared).  Both sides are streamed, fetched in pieces
 * of max-fetch-size (fetch:@part:0xOFFSET:0xSIZE, AOSP's spelling); *@r
 * gets the result (also to the readback callback), and a message says it:
 * a note "P: read back: identical (...)", or a warning "P: read back: not
 * supported by the device (fetch:): ..." when the device does not say
 * max-fetch-size (bootloaders) or answers fetch: with FAIL (fastbootd of
 * a user build) -- 0 then: the write stands, unverified; or the error
 * HWF_ECRC "P: read back: differs at offset 0x... (N of M bytes differ
 * ...)".  Other errors: the client's (a lost device), reading @img's.
 */
int hwf_flash_readback(struct hwf_flash *f, struct hwf_source *img, const char *part,
		       struct hwf_flash_readback *r, struct hwf_err *e);

/* --- slots (flash_slot.c) ------------------------------------------------- */

/* The partitions one name means on the device. */
struct hwf_flash_parts {
	int n;	     /* 1, or one per slot for --slot all; 0: none (update: skipped) */
	int slotted; /* the device said has-slot: yes for the name's base */
	char name[HWF_FLASH_MAX_SLOTS][HWF_FLASH_PART_MAX];
};

/*
 * The partition(s) @part means on this device, as AOSP's fastboot resolves
 * them (do_for_partitions): when has-slot:@part is yes, @part_X for the
 * slot the options name (other = the inactive one), every slot for all,
 * the current slot without one; a name that already ends in a slot the
 * device has (boot_a) as it is (HWF_EINVAL when the slot option asks for
 * another); anything else as it is, with a warning when @warn_slot and the
 * slot option named a slot (flash and erase, as AOSP).  The slot option is
 * checked against the device first (hwf_flash_check_slot).  Only getvars
 * are sent.
 */
int hwf_flash_resolve(struct hwf_flash *f, const char *part, int warn_slot,
		      struct hwf_flash_parts *out, struct hwf_err *e);
/*
 * The slot option against the device, once: a slot it does not have (c on
 * an A/B device, any slot on a device without slots) is refused.
 */
int hwf_flash_check_slot(struct hwf_flash *f, struct hwf_err *e);
/* set_active @word ("a".."z" or "other"): a slot the device has (AOSP's verify_slot), then the
 * step. */
int hwf_flash_set_active(struct hwf_flash *f, const char *word, struct hwf_err *e);
/*
 * AOSP's update/flashall end: on an A/B device, set_active the slot that
 * was flashed (the slot option's; a for all; else the current one).
 */
int hwf_flash_set_active_flashed(struct hwf_flash *f, struct hwf_err *e);
/*
 * 1 when the device has @part (partition-size answers, has-slot:@part is
 * yes, or is-logical:@part is yes: a bootloader does not know the size of
 * a partition inside super).
 */
int hwf_flash_has_partition(struct hwf_flash *f, const char *part);

/* --- plans (flash_plan.c) ------------------------------------------------- */

/*
 * app flash: @st's partitions as this device names them (boot -> boot_a
 * on an A/B device, one step per slot for all), then checked: the device
 * must have every one, and every raw entry must fit its partition (each
 * problem an error message, then "nothing was sent to the device").
 * *@out is malloc'd (free() it).
 */
int hwf_flash_plan(struct hwf_flash *f, struct hwf_app *app, const struct hwf_plan_step *st,
		   size_t nst, struct hwf_plan_step **out, size_t *nout, struct hwf_err *e);
/*
 * A package for other hardware is the usual way to a brick: a note with the
 * package's hardware id @hwid and the device's product, and a warning when
 * they look unrelated.  Nothing when either is unknown.
 */
void hwf_flash_product_check(struct hwf_flash *f, const char *hwid);

/*
 * update: android-info.txt (@text, changed in place) against the device.
 * Lines "require VAR=V1|V2|PREFIX*", "require-for-product:PRODUCT VAR=...",
 * "reject VAR=...", "require partition-exists=NAME"; '#' comments.  Every
 * failed line is an error message; then, unless force, HWF_EUNSUPPORTED "@zip:
 * not for this device" (with force: a warning, and 0).
 */
int hwf_flash_android_info(struct hwf_flash *f, const char *zip, char *text, struct hwf_err *e);

#endif
