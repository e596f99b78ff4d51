// SPDX-License-Identifier: MIT
/*
 * usbsim: simulated fastboot devices on USB, for the real hwflash binary.
 *
 *   usbsim [--stats FILE] DEVICE... -- COMMAND [ARGS...]
 *   DEVICE: --device SERIAL --store DIR [--product P] [--max-download N]
 *           [--partition NAME:SIZE[:TYPE]]... [--logical NAME:SIZE[:TYPE]]...
 *           [--super SIZE]
 *           [--slots 0|N] [--current-slot X] [--mode bootloader|fastbootd]
 *           [--snapshot none|snapshotted|merging] [--reboot-ms N]
 *           [--fault KIND[:ARG]] [--usb-fault KIND=N]
 *           [--vid HEX] [--pid HEX] [--no-access] [--no-sysfs-strings] [--huawei] [--locked]
 *           [--add-after SECONDS]
 *
 * It makes a umockdev testbed (a private /sys and /dev), declares each
 * device there as a high-speed USB device with one fastboot interface
 * (ff/42/03, bulk 0x81 IN and 0x01 OUT, 512-byte packets, serial and
 * product strings), answers the usbdevfs ioctls libusb sends to its node,
 * and runs COMMAND with the preload library that sends those ioctls here
 * (LD_PRELOAD=libumockdev-preload.so.0, UMOCKDEV_DIR).  Behind the ioctls
 * is the same device model as fbsim's (fbdev.c): one model, two wires.
 * usbsim exits with COMMAND's status.  Facts: reference §10.
 *
 * The device side runs in its own thread: an OUT URB completes when the
 * model has taken its bytes, an IN URB when the model has a reply for it,
 * so INFO lines reach the host while a command is still running.
 *
 * The serial and product strings are in sysfs (where hwflash reads them
 * first, as AOSP does) and in the string descriptors (control URBs);
 * --no-sysfs-strings leaves them out of sysfs.  --no-access makes the node
 * unopenable (mode 000, and no CAP_DAC_OVERRIDE for COMMAND when root).
 *
 * USB faults (--usb-fault), counted over the device's bulk URBs:
 *   stall-out=N         the Nth OUT URB stalls (EPIPE) until CLEAR_HALT
 *   stall-out-always=N  every OUT URB from the Nth on stalls
 *   stall-in=N          the Nth IN URB stalls
 *   disconnect=BYTES    unplugged once BYTES of OUT data went in: ENODEV
 * Model faults (--fault) are fbdev's: stall (never answer: a timeout),
 * disconnect-mid-download (ENODEV on reap half way through a download)...
 *
 * A reboot command (reboot, reboot-bootloader, reboot-fastboot,
 * reboot-recovery) is answered OKAY, then the device leaves the bus
 * ("remove": its node and sysfs entry go, what the host has open fails with
 * ENODEV) and comes back after the model's delay (--reboot-ms,
 * reboot-slow:MS; at least REPLUG_MIN_S, as USB takes to enumerate; never
 * with reboot-never-returns) as a new device node at the same port with
 * the same serial, in its new mode, as a phone does.
 *
 * --stats FILE gets one line per device when COMMAND is done: URBs, bytes,
 * the most OUT URBs in flight at once, halts cleared, and the data rate
 * from the first to the last OUT URB.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/sim/usbsim.h"

#ifndef PR_CAPBSET_DROP
#define PR_CAPBSET_DROP 24
#endif
#define CAP_DAC_OVERRIDE_NR 1
#define CAP_DAC_READ_SEARCH_NR 2
#define REPLUG_MIN_S 0.1 /* a rebooted device is off the bus at least this long */

/* --- the testbed ------------------------------------------------------------ */

static void add_device(UMockdevTestbed *tb, struct simdev *d)
{
	char node[64], *hex, *rec, *strings;
	uint8_t desc[64];
	size_t n = usbsim_device_descriptors(d, desc);
	GError *err = NULL;

	snprintf(node, sizeof(node), "/dev/bus/usb/001/%03d", d->devnum);
	d->handler = umockdev_ioctl_base_new();
	g_signal_connect(d->handler, "handle-ioctl", G_CALLBACK(usbsim_on_ioctl), d);
	/* The handler first, so the node answers as soon as the device is seen. */
	if (!umockdev_testbed_attach_ioctl(tb, node, d->handler, &err))
		usbsim_die("cannot attach the ioctl handler: %s", err->message);
	strings = d->no_sysfs_strings ? g_strdup("") :
		  g_strdup_printf("A: serial=%s\\n\nA: product=%s\\n\n", d->serial, d->o.product);
	hex = g_malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", desc[i]);
	rec = g_strdup_printf("P: /devices/usb1/1-%d\n"
			      "N: bus/usb/001/%03d\n"
			      "E: SUBSYSTEM=usb\n"
			      "E: DRIVER=usb\n"
			      "E: BUSNUM=001\n"
			      "E: DEVNUM=%03d\n"
			      "E: DEVNAME=/dev/bus/usb/001/%03d\n"
			      "E: DEVTYPE=usb_device\n"
			      "E: PRODUCT=%x/%x/100\n"
			      "A: bConfigurationValue=1\\n\n"
			      "A: busnum=1\\n\n"
			      "A: devnum=%d\\n\n"
			      "A: speed=480\\n\n"
			      "A: idVendor=%04x\\n\n"
			      "A: idProduct=%04x\\n\n"
			      "%s"
			      "H: descriptors=%s\n",
			      d->port, d->devnum, d->devnum, d->devnum, d->vid, d->pid, d->devnum,
			      d->vid, d->pid, strings, hex);
	if (!umockdev_testbed_add_from_string(tb, rec, &err))
		usbsim_die("cannot add the device: %s", err->message);
	g_free(rec);
	g_free(hex);
	g_free(strings);
	if (d->no_access) {
		char *root = umockdev_testbed_get_root_dir(tb);
		char *path = g_strdup_printf("%s%s", root, node);

		if (chmod(path, 0) < 0)
			usbsim_die("cannot chmod %s", path);
		g_free(path);
		g_free(root);
	}
	d->added = 1;
}

static char *syspath_of(const struct simdev *d)
{
	return g_strdup_printf("/sys/devices/usb1/1-%d", d->port);
}

/* The OKAY of a reboot went out: off the bus until the model is back. */
static void take_off_bus(UMockdevTestbed *tb, struct simdev *d)
{
	char *sys = syspath_of(d);
	int delay = fbdev_reboot_delay_ms(d->fb);

	umockdev_testbed_uevent(tb, sys, "remove");
	umockdev_testbed_remove_device(tb, sys);
	g_free(sys);
	usbsim_unplug(d);
	d->rebooting = 0;
	d->down = 1;
	d->never = delay < 0;
	d->back_at = usbsim_now() + (delay / 1000.0 > REPLUG_MIN_S ? delay / 1000.0 : REPLUG_MIN_S);
}

/* Back after a reboot: a new device number at the same port, the same serial. */
static void put_back(UMockdevTestbed *tb, struct simdev *d, GPtrArray *old_handlers)
{
	char *sys;

	g_ptr_array_add(old_handlers, d->handler);
	d->devnum = d->devnum + MAX_DEVICES > 127 ? d->port + 1 : d->devnum + MAX_DEVICES;
	fbdev_reconnect(d->fb);
	usbsim_replug(d);
	add_device(tb, d);
	sys = syspath_of(d);
	umockdev_testbed_uevent(tb, sys, "add");
	g_free(sys);
	d->down = 0;
}

/* Reboots in flight: unplug once the model's OKAY has gone into an IN URB, replug when due. */
static void follow_reboots(UMockdevTestbed *tb, struct simdev *devs, int n, GPtrArray *old)
{
	for (int k = 0; k < n; k++) {
		struct simdev *d = &devs[k];
		int ready;

		g_mutex_lock(&d->lock);
		ready = d->rebooting && g_queue_is_empty(&d->replies);
		g_mutex_unlock(&d->lock);
		if (ready)
			take_off_bus(tb, d);
		else if (d->down && !d->never && usbsim_now() >= d->back_at)
			put_back(tb, d, old);
	}
}

static void add_root_hub(UMockdevTestbed *tb)
{
	GError *err = NULL;

	if (!umockdev_testbed_add_from_string(
		    tb,
		    "P: /devices/usb1\n"
		    "N: bus/usb/001/001\n"
		    "E: SUBSYSTEM=usb\n"
		    "E: DRIVER=usb\n"
		    "E: BUSNUM=001\n"
		    "E: DEVNUM=001\n"
		    "E: DEVNAME=/dev/bus/usb/001/001\n"
		    "E: DEVTYPE=usb_device\n"
		    "A: bConfigurationValue=1\\n\n"
		    "A: busnum=1\\n\n"
		    "A: devnum=1\\n\n"
		    "A: speed=480\\n\n"
		    "H: descriptors=12010002090001406b1d020006060302010109021900010100e0000904"
		    "000001090000000705810304000c\n",
		    &err))
		usbsim_die("cannot add the root hub: %s", err->message);
}

static void run_child(char **argv, int drop_dac, const char *root)
{
	const char *pre = getenv("LD_PRELOAD"), *asan = getenv("ASAN_OPTIONS");
	char *v;

	setenv("UMOCKDEV_DIR", root, 1);
	v = g_strdup_printf("libumockdev-preload.so.0%s%s", pre && *pre ? ":" : "",
			    pre ? pre : "");
	setenv("LD_PRELOAD", v, 1);
	/* ASan wants to come first; the preload library does. */
	v = g_strdup_printf("%s%sverify_asan_link_order=0", asan ? asan : "",
			    asan && *asan ? ":" : "");
	setenv("ASAN_OPTIONS", v, 1);
	if (drop_dac && geteuid() == 0) {
		/* As root, a node with mode 000 is still readable: give up that power. */
		prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE_NR, 0, 0, 0);
		prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH_NR, 0, 0, 0);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "usbsim: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void parse_usb_fault(struct simdev *d, const char *s)
{
	static const struct {
		const char *name;
		enum usb_fault f;
	} t[] = { { "stall-out", UF_STALL_OUT },
		  { "stall-out-always", UF_STALL_OUT_ALWAYS },
		  { "stall-in", UF_STALL_IN },
		  { "disconnect", UF_DISCONNECT } };
	const char *eq = strchr(s, '=');

	for (size_t i = 0; eq && i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].name) == (size_t)(eq - s) && !strncmp(s, t[i].name, (size_t)(eq - s)) &&
		    !fbdev_parse_size(eq + 1, &d->uf_n)) {
			d->uf = t[i].f;
			return;
		}
	usbsim_die("unknown --usb-fault %s (stall-out=N, stall-out-always=N, stall-in=N, "
	    "disconnect=BYTES)", s);
}

static void default_parts(struct fbdev_opts *o)
{
	static const char *const def[] = { "boot_a", "boot_b", "recovery", "system",
					   "vendor", "userdata", "cache", "ptable" };

	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
		snprintf(o->parts[i].name, sizeof(o->parts[i].name), "%s", def[i]);
		o->parts[i].size = 1ull << 30;
	}
	o->nparts = sizeof(def) / sizeof(def[0]);
}

static void write_stats(const char *path, struct simdev *devs, int n)
{
	FILE *f = path ? fopen(path, "w") : NULL;

	if (path && !f)
		usbsim_die("cannot write %s", path);
	for (int i = 0; i < n; i++) {
		struct simdev *d = &devs[i];
		double dt = d->t_last > d->t_first ? d->t_last - d->t_first : 0;

		fprintf(f ? f : stderr,
			"%s out_urbs=%llu out_bytes=%llu max_out_in_flight=%u in_urbs=%llu "
			"control_urbs=%llu discards=%llu halts_cleared=%llu data_bytes=%llu "
			"data_seconds=%.3f data_MBps=%.1f\n",
			d->serial, (unsigned long long)d->out_urbs,
			(unsigned long long)d->out_bytes, d->max_out_pending,
			(unsigned long long)d->in_urbs, (unsigned long long)d->ctrl_urbs,
			(unsigned long long)d->discards, (unsigned long long)d->clears,
			(unsigned long long)d->data_bytes, dt,
			dt > 0 ? (double)d->data_bytes / dt / 1e6 : 0.0);
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	static struct simdev devs[MAX_DEVICES];
	GPtrArray *old_handlers = g_ptr_array_new_with_free_func(g_object_unref);
	UMockdevTestbed *tb;
	const char *stats = NULL;
	char *root, why[256];
	int n = 0, i, status = 0, drop = 0;
	pid_t pid;
	double t0;

	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		struct simdev *d = n ? &devs[n - 1] : NULL;

		if (!strcmp(a, "--no-access") || !strcmp(a, "--no-sysfs-strings")) {
			if (!d)
				usbsim_die("%s comes after --device", a);
			if (a[5] == 'a')
				d->no_access = 1;
			else
				d->no_sysfs_strings = 1;
			continue;
		}
		if (d && fbdev_parse_flag(a, &d->o))
			continue;
		if (!v)
			usbsim_die("%s needs a value", a);
		i++;
		if (!strcmp(a, "--stats")) {
			stats = v;
			continue;
		}
		if (!strcmp(a, "--device")) {
			if (n == MAX_DEVICES)
				usbsim_die("at most %s devices", "16");
			d = &devs[n++];
			fbdev_opts_init(&d->o);
			snprintf(d->serial, sizeof(d->serial), "%s", v);
			d->vid = 0x18d1;
			d->pid = 0x4ee0;
			d->port = n;
			d->devnum = n + 1;
			continue;
		}
		if (!d)
			usbsim_die("%s comes after --device", a);
		switch (fbdev_parse_option(a, v, &d->o, why, sizeof(why))) {
		case 1:
			continue;
		case -1:
			usbsim_die("%s", why);
		}
		if (!strcmp(a, "--usb-fault")) {
			parse_usb_fault(d, v);
		} else if (!strcmp(a, "--vid")) {
			d->vid = (uint16_t)strtoul(v, NULL, 16);
		} else if (!strcmp(a, "--pid")) {
			d->pid = (uint16_t)strtoul(v, NULL, 16);
		} else if (!strcmp(a, "--add-after")) {
			d->add_after = atof(v);
		} else {
			usbsim_die("unknown option %s", a);
		}
	}
	if (i >= argc - 1 || !n) {
		fprintf(stderr, "usage: usbsim [--stats FILE] --device SERIAL --store DIR "
				"[device options] ... -- COMMAND [ARGS...]\n");
		return 125;
	}
	tb = umockdev_testbed_new();
	root = umockdev_testbed_get_root_dir(tb);
	add_root_hub(tb);
	for (int k = 0; k < n; k++) {
		struct simdev *d = &devs[k];

		if (!d->o.store)
			usbsim_die("device %s has no --store", d->serial);
		if (!d->o.product)
			d->o.product = "fbsim";
		if (!d->o.nparts)
			default_parts(&d->o);
		d->o.serial = d->serial;
		d->fb = fbdev_new(&d->o);
		if (!d->fb)
			usbsim_die("cannot make device %s", d->serial);
		g_mutex_init(&d->lock);
		g_cond_init(&d->cond);
		d->worker = g_thread_new("usbsim-dev", usbsim_worker, d);
		drop |= d->no_access;
		if (d->add_after <= 0)
			add_device(tb, d);
	}
	fflush(NULL);
	t0 = usbsim_now();
	pid = fork();
	if (pid < 0)
		usbsim_die("fork: %s", strerror(errno));
	if (pid == 0)
		run_child(argv + i + 1, drop, root);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			usbsim_die("waitpid: %s", strerror(errno));
		for (int k = 0; k < n; k++)
			if (!devs[k].added && usbsim_now() - t0 >= devs[k].add_after)
				add_device(tb, &devs[k]);
		follow_reboots(tb, devs, n, old_handlers);
		nanosleep(&ts, NULL);
	}
	write_stats(stats, devs, stats ? n : 0);
	for (int k = 0; k < n; k++) {
		struct simdev *d = &devs[k];

		g_mutex_lock(&d->lock);
		d->quit = 1;
		g_cond_broadcast(&d->cond);
		g_mutex_unlock(&d->lock);
		g_thread_join(d->worker);
		fbdev_free(d->fb);
	}
	g_object_unref(tb);
	g_ptr_array_free(old_handlers, TRUE);
	g_free(root);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
