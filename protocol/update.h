/* SPDX-License-Identifier: MIT */
/*
 * update and flashall of factory images (formats/image/factory.h: an
 * update zip, an outer factory zip, a folder), planned before the first
 * byte is sent, then run through the flash engine (protocol/flash.h).
 *
 *   check  device-free: every image through the flash gate (its base
 *          partition's rules), super_empty.img through the liblp reader
 *          (which partitions are dynamic, even while the device is in its
 *          bootloader), fastboot-info.txt parsed;
 *   plan   getvars only (has-slot, partition-size, is-logical,
 *          super-partition-name, slot-count, current-slot): every image
 *          placed as physical, logical, secondary (the other slot),
 *          super (update-super) or not flashed with its reason, in the
 *          order it will be sent (AOSP's FlashAllTool, or fastboot-info.txt
 *          when there is one).  An image with nowhere to go is an error
 *          naming it, and the whole plan fails: nothing was sent;
 *   run    the plan's steps: boot-critical images (in the bootloader),
 *          update-super from fastbootd (rebooting there first, and saying
 *          so), each logical partition resized to 0, then each image
 *          (hwf_flash_image resizes a logical partition to its image),
 *          secondary images to the other slot, then set_active, -w's wipe
 *          and the reboot are the caller's.
 *
 * Nothing prints: messages go through the session's callbacks (errors as
 * HWF_FLASH_ERROR, each once).  Errors: the gate's (HWF_EFORMAT), the
 * factory's, HWF_ENOTFOUND for an image with nowhere to go, the flash
 * engine's.  Memory: a plan is malloc'd inside (hwf_update_plan_free).
 */
#ifndef HWF_UPDATE_H
#define HWF_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "formats/image/factory.h"
#include "protocol/flash.h"

enum hwf_upd_kind {
	HWF_UPD_PHYSICAL,    /* a partition of its own */
	HWF_UPD_LOGICAL,     /* inside super: flashed from fastbootd, resized first */
	HWF_UPD_SECONDARY,   /* *_other.img: the other slot */
	HWF_UPD_SUPER,	     /* super_empty.img: update-super */
	HWF_UPD_NOT_FLASHED, /* with its reason */
	HWF_UPD_COMMAND,     /* a step without an image: reboot, resize, erase */
};

enum hwf_upd_op {
	HWF_UPD_OP_NONE,	 /* not flashed */
	HWF_UPD_OP_FLASH,	 /* the image to @target */
	HWF_UPD_OP_UPDATE_SUPER, /* download super_empty.img, update-super:@target[:wipe] */
	HWF_UPD_OP_RESIZE,	 /* resize-logical-partition:@target:0 */
	HWF_UPD_OP_REBOOT,	 /* @target: "bootloader" or "fastboot", followed */
	HWF_UPD_OP_ERASE,	 /* erase:@target */
};

struct hwf_upd_step {
	enum hwf_upd_op op;
	enum hwf_upd_kind kind;
	int image;			 /* index into the factory, -1 for a command */
	char target[HWF_FLASH_PART_MAX]; /* "system_a", "super", "bootloader" (reboot) */
	int logical;			 /* the target lies inside super */
	uint64_t size;			 /* flash: bytes on the device (sparse: expanded) */
	char reason[200]; /* for a person: "in super_empty.img", "--skip-secondary" */
};

struct hwf_upd_opts {
	int skip_secondary; /* *_other.img not flashed */
	int wipe;	    /* -w: update-super:NAME:wipe, fastboot-info's if-wipe lines */
	int force;	    /* the gate's errors only warn */
};

/* What check learns without a device; the plan's input. */
struct hwf_upd_input {
	struct hwf_factory *fac;	     /* borrowed */
	uint64_t size[HWF_FACTORY_MAX];	     /* each image's bytes on the device */
	int sign[HWF_FACTORY_MAX];	     /* the gate's signature verdict (hwf_image_sign) */
	int super_empty;		     /* index of super_empty.img, or -1 */
	char (*dynamic)[HWF_FLASH_PART_MAX]; /* names in super_empty.img ("system_a") */
	size_t ndynamic;
	struct hwf_fbinfo_cmd *fbinfo; /* fastboot-info.txt's commands, NULL without */
	size_t nfbinfo;
};

struct hwf_upd_plan {
	struct hwf_upd_step *step;
	size_t n;
	int from_fbinfo; /* the order is fastboot-info.txt's */
};

/*
 * Device-free: gate every image of @fac (the partition it is named for:
 * system_other.img as system, dt.img as dts, bootloader-x.img as
 * bootloader), read super_empty.img and fastboot-info.txt.  Each problem
 * is an error message through @cb; the last is returned.  Free @in with
 * hwf_update_input_free.
 */
int hwf_update_check(struct hwf_factory *fac, const struct hwf_upd_opts *o,
		     const struct hwf_flash_cb *cb, struct hwf_upd_input *in, struct hwf_err *e);
void hwf_update_input_free(struct hwf_upd_input *in);

/*
 * Place every image of @in on the device of @f (getvars only).  On
 * success *@p holds the steps in the order they will run.  Every image
 * with nowhere to go is an error message naming it; then HWF_ENOTFOUND
 * "F: N images have nowhere to go on this device: nothing was sent".
 */
int hwf_update_plan(struct hwf_flash *f, const struct hwf_upd_input *in,
		    const struct hwf_upd_opts *o, struct hwf_upd_plan *p, struct hwf_err *e);
void hwf_update_plan_free(struct hwf_upd_plan *p);

/* Run @p's steps (see above); stops at the first failure. */
int hwf_update_run(struct hwf_flash *f, const struct hwf_upd_input *in,
		   const struct hwf_upd_plan *p, const struct hwf_upd_opts *o, struct hwf_err *e);

/* "physical", "logical", "secondary", "super", "not flashed", "command". */
const char *hwf_upd_kind_name(enum hwf_upd_kind k);

#endif
