/* SPDX-License-Identifier: MIT */
/*
 * The simulated fastboot device: one state struct and a command table
 * (u-boot's fb_command.c shape, without globals).  Transport-independent:
 * feed it packets, it answers through a callback; fbsim_main.c puts it on
 * TCP, and a USB shim can put the same model behind umockdev.
 * Downloads go to a file in the store, never into memory.
 *
 * Partitions are named exactly: on an A/B device "flash:boot" fails when
 * the device has boot_a and boot_b (as fastbootd does), so a client that
 * forgets the slot suffix is caught.  Every command goes to
 * STORE/commands.log as it arrives.  The current slot and the lock state
 * (flashing unlock) outlive a connection, as on a device
 * (STORE/.current-slot, STORE/.unlocked).
 */
#ifndef HWF_FBDEV_H
#define HWF_FBDEV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FBDEV_MAX_PARTS 32

enum fbdev_fault {
	FBDEV_FAULT_NONE,
	FBDEV_FAULT_FAIL_DOWNLOAD,	/* FAIL the download: command */
	FBDEV_FAULT_FAIL_FLASH,		/* FAIL every flash: */
	FBDEV_FAULT_DISCONNECT_DOWNLOAD, /* hang up half-way through a download */
	FBDEV_FAULT_STALL,		/* never answer any command */
	FBDEV_FAULT_STALL_FLASH,	/* never answer flash: */
	FBDEV_FAULT_GARBAGE,		/* answer every command with non-protocol bytes */
	FBDEV_FAULT_SLOW_INFO,		/* INFO every 250 ms for 3 s before answering */
	FBDEV_FAULT_INFO_FLOOD,		/* 10000 INFO lines before answering getvar */
	FBDEV_FAULT_SMALL_DOWNLOAD,	/* max-download-size 1 MiB: forces splits */
	/* Parameterised (fbdev_parse_fault_spec "NAME:ARG"); the argument is in the opts. */
	FBDEV_FAULT_DISCONNECT_AT,	/* disconnect-at:PCT, hang up at PCT % of a download's
					   data (0: before any, 100: all in, no OKAY) */
	FBDEV_FAULT_DISCONNECT_BEFORE_FLASH, /* hang up right after a download's OKAY */
	FBDEV_FAULT_DISCONNECT_FLASH,	/* hang up on flash: without an answer */
	FBDEV_FAULT_FAIL_ERASE,		/* FAIL every erase: */
	FBDEV_FAULT_STALL_ON,		/* stall-on:CMD, never answer commands starting with CMD
					   ("data": no OKAY after download data) */
	FBDEV_FAULT_OVERLONG,		/* overlong[:N], answer getvar with an N-byte OKAY
					   (default 2000) */
	FBDEV_FAULT_BYTE_BY_BYTE,	/* the transport sends replies one byte at a time */
	FBDEV_FAULT_UNFRAMED,		/* TCP: replies without their 8-byte length (a device
					   that speaks USB-style fastboot on TCP); USB: no effect */
};

struct fbdev_part {
	char name[64];
	uint64_t size;
};

struct fbdev_opts {
	const char *store;		/* folder: partitions as NAME.img, commands.log */
	const char *product;
	uint64_t max_download;
	struct fbdev_part parts[FBDEV_MAX_PARTS];
	size_t nparts;
	enum fbdev_fault fault;
	unsigned fault_num;		/* disconnect-at's percentage, overlong's length */
	char fault_cmd[32];		/* stall-on's command prefix */
	const char *serial;		/* getvar serialno (default FBSIM0001) */
	/*
	 * Slots (--slots N, --current-slot X): 0 = a device without slots
	 * (slot-count, current-slot and has-slot answer FAIL, as older
	 * bootloaders do); N >= 2 = an A/B device whose slotted partitions are
	 * the NAME_a, NAME_b ... of the partition list.  -1 (fbdev_opts_init)
	 * = 2 when a partition ends in "_a", else 0.
	 */
	int slots;
	char current_slot;		/* 'a' unless set */
	int slot_underscore;		/* --current-slot _b: answer current-slot as "_b" */
};

/* Defaults: everything zero, slots -1 (decided by the partition list). */
void fbdev_opts_init(struct fbdev_opts *o);

/*
 * A slot option for the simulators' command lines: "--slots" N (0, or 2-26)
 * or "--current-slot" X (a letter; "_b" answers "_b", as some bootloaders
 * do).  Returns 1 when @name was one of them
 * and @value was good, 0 when @name is another option, -1 for a bad value.
 */
int fbdev_parse_slot_option(const char *name, const char *value, struct fbdev_opts *o);

/* Send one reply packet. */
typedef int (*fbdev_send_fn)(void *ctx, const void *buf, size_t len);

struct fbdev;

struct fbdev *fbdev_new(const struct fbdev_opts *o);
void fbdev_free(struct fbdev *d);

/* Bytes of download data still expected (0 in command mode). */
uint64_t fbdev_data_left(const struct fbdev *d);

/*
 * Feed a command packet (command mode) or download data (data mode).
 * Returns 0, or -1 when the connection must be dropped (a fault or a
 * protocol error).
 */
int fbdev_input(struct fbdev *d, const uint8_t *buf, size_t len, fbdev_send_fn send, void *ctx);

/* "64M", "1G", "512K", "0x1000", "4096" for the simulators' options; -1 if not a size. */
int fbdev_parse_size(const char *s, uint64_t *out);

int fbdev_parse_fault(const char *s, enum fbdev_fault *f);
/* A fault with its argument ("disconnect-at:50", "stall-on:erase") into @o. */
int fbdev_parse_fault_spec(const char *s, struct fbdev_opts *o);

#endif
