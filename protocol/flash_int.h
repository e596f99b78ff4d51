/* SPDX-License-Identifier: MIT */
/*
 * Inside the flash engine (flash.c, flash_slot.c, flash_plan.c,
 * flash_mode.c, flash_verify.c): the session's state and the reporting
 * helpers.  flash.c defines the helpers and uses nothing of the others;
 * flash_verify.c uses only flash.c; flash_mode.c only flash.c and
 * flash_verify.c; flash_slot.c and flash_plan.c may use all.  So no two
 * objects use each other.
 */
#ifndef HWF_FLASH_INT_H
#define HWF_FLASH_INT_H

#include "protocol/flash.h"

struct hwf_flash {
	struct hwf_fb fb;
	struct hwf_flash_opts o;
	struct hwf_flash_cb cb;
	int wiped;
	enum hwf_flash_mode mode; /* asked once per connection (flash_mode.c) */
	/* The device's slots, asked once (flash_slot.c). */
	int slots_asked;
	int slot_count;	   /* 0: the device has no slots (or does not say) */
	char current_slot; /* 'a', 'b' ...; 0 when not asked yet */
	char slot;	   /* the slot option checked: a letter, '*' for all, 0 */
	int slot_checked;
	/* The lock state, asked once (flash_lock.c): 0 not asked, else enum hwf_lock + 1. */
	int lock_asked;
	int lock;
	char lock_source[48];
};

/* A message to @cb (NULL: none). */
void hwf_flash_say(const struct hwf_flash_cb *cb, enum hwf_flash_msg kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fail with @code: the sentence goes to @e (may be NULL) and, as an error, to @cb. */
int hwf_flash_fail(const struct hwf_flash_cb *cb, struct hwf_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Fail with what a lower layer put in @from (its code @rc). */
int hwf_flash_pass(const struct hwf_flash_cb *cb, struct hwf_err *e, int rc,
		   const struct hwf_err *from);
/* A step's start (@s->done 0) or end to the step callback. */
void hwf_flash_step_event(struct hwf_flash *f, struct hwf_flash_step *s);

/*
 * @why ("system is a logical partition") needs fastbootd: go there unless
 * already in it, and say so (flash_mode.c).
 */
int hwf_flash_need_fastbootd(struct hwf_flash *f, const char *why, struct hwf_err *e);
/* Called after a write with what was sent (@src, or its view with the AVB footer moved). */
typedef int (*hwf_flash_after_fn)(struct hwf_flash *f, struct hwf_source *sent, const char *part,
				  struct hwf_err *e);
/*
 * hwf_flash_image without the mode: fit @src to @part, then one download
 * or sparse pieces, each flashed, then @after (may be NULL) (flash.c).
 */
int hwf_flash_write(struct hwf_flash *f, struct hwf_source *src, const char *part,
		    const char *label, hwf_flash_after_fn after, struct hwf_err *e);
/* hwf_flash_readback as an after-write step (flash_verify.c). */
int hwf_flash_verify_written(struct hwf_flash *f, struct hwf_source *sent, const char *part,
			     struct hwf_err *e);

#endif
