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
 * STORE/commands.log as it arrives.  The current slot, the lock state
 * (flashing unlock), the mode and the snapshot-update state outlive a
 * connection, as on a device (STORE/.current-slot, .unlocked, .mode,
 * .snapshot).
 *
 * Two modes (fbdev_mode.c): the bootloader and fastbootd (userspace
 * fastboot, getvar is-userspace: yes), switched by reboot-fastboot and
 * reboot-bootloader.  A reboot command is answered OKAY and then the
 * connection goes away (fbdev_input returns FBDEV_REBOOT): the wire closes
 * it, and the device is back, in its new mode, after
 * fbdev_reboot_delay_ms().  reboot and reboot-recovery come back to the
 * bootloader (a real device would boot Android or recovery; a simulated
 * one returns to where a test can go on).  Logical partitions (--logical)
 * live in super on a real device: the bootloader says is-logical: yes but
 * refuses to flash or erase them, and does not know their size; fastbootd
 * flashes them: into NAME.img like any partition, or with --super through
 * their extents in a real super partition (fbdev_super.c: update-super,
 * create-, delete-, resize-logical-partition, super-partition-name, as
 * AOSP's fastbootd).  fastbootd
 * refuses the bootloader's own commands (flashing, boot, continue) as
 * AOSP's does ("Unrecognized command ..."); the bootloader refuses fetch.
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
	FBDEV_FAULT_REBOOT_NEVER,	/* reboot-never-returns: a reboot goes away for good */
	FBDEV_FAULT_REBOOT_SLOW,	/* reboot-slow:MS, back MS milliseconds after a reboot */
	FBDEV_FAULT_NO_FASTBOOTD,	/* no-fastbootd: reboot-fastboot comes back in the
					   bootloader (fastbootd does not start) */
	FBDEV_FAULT_SUPER_FULL,		/* super-full: create/resize-logical-partition that
					   needs more space fails as AOSP's does when none is
					   left (shrinking still works) */
	FBDEV_FAULT_RESIZE_REFUSED,	/* resize-refused: every resize-logical-partition
					   fails ("Failed to write partition table") */
	FBDEV_FAULT_FLIP_BYTE,		/* flip-byte:OFFSET, a flash that writes the byte at
					   OFFSET of a partition stores it inverted */
};

enum fbdev_mode { FBDEV_BOOTLOADER, FBDEV_FASTBOOTD };

/* getvar snapshot-update-status (AOSP's merge status, as fastbootd reports it). */
enum fbdev_snapshot { FBDEV_SNAP_NONE, FBDEV_SNAP_SNAPSHOTTED, FBDEV_SNAP_MERGING };

struct fbdev_part {
	char name[64];
	uint64_t size;
	int logical;			/* --logical: inside super on a real device */
	char type[16];			/* partition-type ("raw" when empty) */
};

/* fbdev_input's answer when the device reboots: the connection goes away now. */
#define FBDEV_REBOOT 1

struct fbdev_opts {
	const char *store;		/* folder: partitions as NAME.img, commands.log */
	const char *product;
	uint64_t max_download;
	struct fbdev_part parts[FBDEV_MAX_PARTS];
	size_t nparts;
	enum fbdev_fault fault;
	unsigned fault_num;		/* disconnect-at's percentage, overlong's length,
					   flip-byte's offset */
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
	/* The state a new store starts in (a store that has .mode/.snapshot keeps it). */
	enum fbdev_mode mode;		/* --mode bootloader|fastbootd */
	enum fbdev_snapshot snapshot;	/* --snapshot none|snapshotted|merging */
	unsigned reboot_ms;		/* --reboot-ms N: a reboot is back after N ms (0) */
	/*
	 * --super SIZE: a dynamic device.  A physical partition "super" of SIZE
	 * bytes (STORE/super.img) holds liblp metadata (2 metadata slots, 3 on
	 * an A/B device; 64 KiB each) and the logical partitions' extents.  A
	 * new store gets the --logical partitions in it (on an A/B device a
	 * NAME without a slot suffix becomes NAME_a of its size and NAME_b of
	 * 0, in groups main_a and main_b, readonly, as AOSP's build makes
	 * super); a store that has super.img keeps what it holds.  0: the
	 * --logical partitions are files NAME.img, as before.
	 */
	uint64_t super_size;
	/* --huawei: a Huawei/Honor bootloader (fbdev_huawei.c); --locked: a new store starts
	   locked (unlocked: no, oem lock-state info LOCKED), else unlocked. */
	int huawei;
	int locked;
};

/* Defaults: everything zero, slots -1 (decided by the partition list). */
void fbdev_opts_init(struct fbdev_opts *o);

/*
 * One device option of the simulators' command lines, with its @value:
 *   --store DIR, --product P, --max-download SIZE, --partition NAME:SIZE[:TYPE],
 *   --logical NAME:SIZE[:TYPE], --slots N (0, or 2-26), --current-slot X (a
 *   letter; "_b" answers "_b", as some bootloaders do), --mode bootloader|fastbootd,
 *   --snapshot none|snapshotted|merging, --reboot-ms N, --super SIZE (a multiple
 *   of 4096, at least 2 MiB), --fault KIND[:ARG]; the flags --huawei and --locked
 *   (fbdev_parse_flag).
 * Returns 1 when @name was one of them and @value was good, 0 when @name is
 * another option, -1 for a bad value (@why gets a sentence).
 */
int fbdev_parse_option(const char *name, const char *value, struct fbdev_opts *o, char *why,
		       size_t whylen);

/* A device flag without a value (--huawei, --locked): 1 when @name was one, else 0. */
int fbdev_parse_flag(const char *name, struct fbdev_opts *o);

/* Send one reply packet. */
typedef int (*fbdev_send_fn)(void *ctx, const void *buf, size_t len);

struct fbdev;

struct fbdev *fbdev_new(const struct fbdev_opts *o);
void fbdev_free(struct fbdev *d);

/* Bytes of download data still expected (0 in command mode). */
uint64_t fbdev_data_left(const struct fbdev *d);

/*
 * Feed a command packet (command mode) or download data (data mode).
 * Returns 0; FBDEV_REBOOT after a reboot command's OKAY (the wire drops the
 * connection and the device is back after fbdev_reboot_delay_ms); or -1
 * when the connection must be dropped (a fault or a protocol error).
 */
int fbdev_input(struct fbdev *d, const uint8_t *buf, size_t len, fbdev_send_fn send, void *ctx);

/* The mode the device is in (after a reboot: the one it comes back in). */
enum fbdev_mode fbdev_mode(const struct fbdev *d);
/* After FBDEV_REBOOT: milliseconds until the device is back; -1: never (a fault). */
int fbdev_reboot_delay_ms(const struct fbdev *d);
/*
 * A new connection to the same device (after a reboot, or a wire that keeps
 * one model for many connections): a download in progress is forgotten.
 */
void fbdev_reconnect(struct fbdev *d);

/* "64M", "1G", "512K", "0x1000", "4096" for the simulators' options; -1 if not a size. */
int fbdev_parse_size(const char *s, uint64_t *out);

int fbdev_parse_fault(const char *s, enum fbdev_fault *f);
/* A fault with its argument ("disconnect-at:50", "stall-on:erase") into @o. */
int fbdev_parse_fault_spec(const char *s, struct fbdev_opts *o);

#endif
