// SPDX-License-Identifier: MIT
/*
 * update's engine in process: the factory view of a folder,
 * fastboot-info.txt's parser, the plan against the device model with a
 * real super (every image placed, or the whole plan refused with nothing
 * sent), and the run: boot-critical images in the bootloader, update-super
 * from fastbootd, resizes to 0, logical and secondary images, -w's wipe of
 * super, fastboot-info.txt's order.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/image/factory.h"
#include "formats/image/liblp.h"
#include "formats/image/liblp_build.h"
#include "protocol/update.h"
#include "tests/unit/flashfix.h"
#include "tests/unit/testutil.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

struct upd {
	struct fx x;
	char *dir; /* the images */
	struct hwf_factory *fac;
	struct hwf_upd_opts o;
	struct hwf_upd_input in;
	struct hwf_upd_plan p;
};

static void put(struct upd *u, const char *name, const void *buf, size_t len)
{
	char *p = tu_path(u->dir, name);

	CU_ASSERT_EQUAL_FATAL(tu_write(p, buf, len), 0);
	free(p);
}

static void noise(struct upd *u, const char *name, size_t len, uint64_t seed)
{
	uint8_t *b = malloc(len);

	tu_random(b, len, seed);
	put(u, name, b, len);
	free(b);
}

/* A boot image v4 with a kernel, and an unsigned vbmeta image. */
static void boot_and_vbmeta(struct upd *u)
{
	uint8_t img[4096 * 3] = {0};

	memcpy(img, "ANDROID!", 8);
	put_le32(img + 8, 4096);
	put_le32(img + 12, 100);
	put_le32(img + 20, 1584);
	put_le32(img + 40, 4);
	tu_random(img + 4096, 4096, 7);
	put(u, "boot.img", img, sizeof(img));
	memset(img, 0, sizeof(img));
	memcpy(img, "AVB0", 4);
	put_be32(img + 4, 1);
	put(u, "vbmeta.img", img, 4096);
}

/* super_empty.img for the model's 4 MiB A/B super: system and vendor in both slots. */
static void super_empty(struct upd *u)
{
	struct hwf_lp_device_opts o = {
	    .size = 4 * MiB, .metadata_max_size = 65536, .slot_count = 3};
	static const char *const parts[] = {"system_a", "system_b", "vendor_a", "vendor_b"};
	struct hwf_lp_builder *b = NULL;
	struct hwf_lp_metadata m;
	struct hwf_err e = {0};
	char *p = tu_path(u->dir, "super_empty.img");
	int fd;

	CU_ASSERT_EQUAL_FATAL(hwf_lp_builder_new(&b, &o, &e), 0);
	CU_ASSERT_EQUAL(hwf_lp_builder_add_group(b, "main_a", 0, &e), 0);
	CU_ASSERT_EQUAL(hwf_lp_builder_add_group(b, "main_b", 0, &e), 0);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(hwf_lp_builder_add_partition(b, parts[i],
							     i % 2 ? "main_b" : "main_a",
							     HWF_LP_ATTR_READONLY, &e),
				0);
	CU_ASSERT_EQUAL_FATAL(hwf_lp_builder_export(b, &m, &e), 0);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(hwf_lp_write_empty(&m, fd, &e), 0);
	close(fd);
	hwf_lp_metadata_free(&m);
	hwf_lp_builder_free(b);
	free(p);
}

/* A factory folder and an A/B device with a 4 MiB super, in its bootloader. */
static void setup(struct upd *u)
{
	memset(u, 0, sizeof(*u));
	u->dir = tu_mkdtemp();
	CU_ASSERT_PTR_NOT_NULL_FATAL(u->dir);
	fx_init(&u->x);
	fx_part(&u->x, "boot_a", MiB);
	fx_part(&u->x, "boot_b", MiB);
	fx_part(&u->x, "vbmeta_a", 64 * KiB);
	fx_part(&u->x, "vbmeta_b", 64 * KiB);
	fx_part(&u->x, "system", 0);
	u->x.dev.parts[u->x.dev.nparts - 1].logical = 1;
	fx_part(&u->x, "vendor", 0);
	u->x.dev.parts[u->x.dev.nparts - 1].logical = 1;
	fx_part(&u->x, "userdata", MiB);
	fx_part(&u->x, "metadata", 64 * KiB);
	u->x.dev.super_size = 4 * MiB;
	u->x.dev.mode = FBDEV_BOOTLOADER;
	boot_and_vbmeta(u);
	super_empty(u);
	noise(u, "system.img", 64 * KiB, 1);
	noise(u, "vendor.img", 32 * KiB, 2);
	noise(u, "system_other.img", 16 * KiB, 3);
	noise(u, "userdata.img", 8 * KiB, 4);
}

static void teardown(struct upd *u)
{
	hwf_update_plan_free(&u->p);
	hwf_update_input_free(&u->in);
	hwf_factory_close(u->fac);
	fx_done(&u->x);
	tu_rmtree(u->dir);
	free(u->dir);
}

/* Open the folder, check it, start the device, plan. */
static int plan(struct upd *u)
{
	struct hwf_err e = {0};

	CU_ASSERT_EQUAL_FATAL(hwf_factory_open(&u->fac, u->dir, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_update_check(u->fac, &u->o, &u->x.cb, &u->in, &e), 0);
	CU_ASSERT_EQUAL_FATAL(fx_start(&u->x), 0);
	return hwf_update_plan(u->x.f, &u->in, &u->o, &u->p, &e);
}

/* The plan in one line: "flash:physical:boot_a boot.img; ..." */
static char *steps(const struct upd *u)
{
	static char buf[4096];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < u->p.n && o < sizeof(buf) - 200; i++) {
		const struct hwf_upd_step *s = &u->p.step[i];
		static const char *const ops[] = {"none",   "flash",  "update-super",
						  "resize", "reboot", "erase"};

		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s:%s:%s %s", i ? "; " : "",
				      ops[s->op], hwf_upd_kind_name(s->kind), s->target,
				      s->image >= 0 ? u->fac->img[s->image].name : "-");
	}
	return buf;
}

static void test_fastboot_info_parser(void)
{
	static const char good[] = "version 1\n"
				   "# Android 14 order\n"
				   "flash boot\n"
				   "flash --apply-vbmeta vbmeta\n"
				   "reboot fastboot\n"
				   "update-super\n"
				   "flash --slot-other system system_other.img   # secondary\n"
				   "if-wipe erase userdata\r\n"
				   "\n";
	struct hwf_fbinfo_cmd *c = NULL;
	struct hwf_err e = {0};
	size_t n = 0;

	CU_ASSERT_EQUAL_FATAL(hwf_fbinfo_parse(good, "fi.txt", &c, &n, &e), 0);
	CU_ASSERT_EQUAL_FATAL(n, 6);
	CU_ASSERT(c[0].op == HWF_FBINFO_FLASH && !strcmp(c[0].part, "boot") &&
		  !strcmp(c[0].file, "boot.img") && c[0].line == 3);
	CU_ASSERT(c[1].apply_vbmeta && !strcmp(c[1].file, "vbmeta.img"));
	CU_ASSERT(c[2].op == HWF_FBINFO_REBOOT && !strcmp(c[2].part, "fastboot"));
	CU_ASSERT_EQUAL(c[3].op, HWF_FBINFO_UPDATE_SUPER);
	CU_ASSERT(c[4].slot_other && !strcmp(c[4].part, "system") &&
		  !strcmp(c[4].file, "system_other.img"));
	CU_ASSERT(c[5].op == HWF_FBINFO_ERASE && c[5].if_wipe && !strcmp(c[5].part, "userdata"));
	free(c);

	/* A line it does not know: the file and the line named, nothing returned. */
	CU_ASSERT_EQUAL(hwf_fbinfo_parse("flash boot\nflsh system\n", "fi.txt", &c, &n, &e),
			HWF_EFORMAT);
	CU_ASSERT_STRING_EQUAL(e.msg, "fi.txt line 2: unknown command 'flsh'");
	CU_ASSERT(c == NULL && n == 0);
	CU_ASSERT_EQUAL(hwf_fbinfo_parse("version 2\nflash boot\n", "fi.txt", &c, &n, &e),
			HWF_EUNSUPPORTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "fi.txt line 1: version 2"));
	CU_ASSERT_EQUAL(hwf_fbinfo_parse("flash\n", "f", &c, &n, &e), HWF_EFORMAT);
	CU_ASSERT_EQUAL(hwf_fbinfo_parse("reboot recovery\n", "f", &c, &n, &e), HWF_EFORMAT);
	CU_ASSERT_EQUAL(hwf_fbinfo_parse("flash --bogus boot\n", "f", &c, &n, &e), HWF_EFORMAT);
	CU_ASSERT_EQUAL(hwf_fbinfo_parse("flash a b c\n", "f", &c, &n, &e), HWF_EFORMAT);
	CU_ASSERT_EQUAL(hwf_fbinfo_parse("update-super now\n", "f", &c, &n, &e), HWF_EFORMAT);
	CU_ASSERT_EQUAL(hwf_fbinfo_parse("if-wipe\n", "f", &c, &n, &e), HWF_EFORMAT);
}

static void test_factory_folder(void)
{
	struct hwf_factory *f = NULL;
	struct hwf_source *src;
	struct hwf_err e = {0};
	struct upd u;
	char *p;

	setup(&u);
	p = tu_path(u.dir, "android-info.txt");
	CU_ASSERT_EQUAL(tu_write(p, "require board=hwsim\n", 20), 0);
	free(p);
	p = tu_path(u.dir, "notes.txt");
	CU_ASSERT_EQUAL(tu_write(p, "x", 1), 0);
	free(p);
	CU_ASSERT_EQUAL_FATAL(hwf_factory_open(&f, u.dir, &e), 0);
	CU_ASSERT_EQUAL(f->kind, HWF_FACTORY_FOLDER);
	CU_ASSERT_EQUAL(f->n, 7);
	CU_ASSERT_STRING_EQUAL(f->img[0].name, "boot.img");
	CU_ASSERT_STRING_EQUAL(f->android_info, "require board=hwsim\n");
	CU_ASSERT_PTR_NULL(f->fastboot_info);
	CU_ASSERT_EQUAL(f->img[hwf_factory_find(f, "vendor.img")].size, 32 * KiB);
	CU_ASSERT_EQUAL(hwf_factory_find(f, "notes.txt"), -1);
	CU_ASSERT_EQUAL(
	    hwf_factory_open_image(f, (size_t)hwf_factory_find(f, "system.img"), &src, &e), 0);
	CU_ASSERT_EQUAL(hwf_source_size(src), 64 * KiB);
	hwf_source_close(src);
	hwf_factory_close(f);
	teardown(&u);

	/* A folder without images, and a path that is nothing. */
	p = tu_mkdtemp();
	CU_ASSERT_EQUAL(hwf_factory_open(&f, p, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no *.img in the folder"));
	tu_rmtree(p);
	free(p);
	CU_ASSERT(hwf_factory_open(&f, "/nonexistent/x.zip", &e) < 0);
}

static void test_plan_places_every_image(void)
{
	struct upd u;
	char *w;

	setup(&u);
	CU_ASSERT_EQUAL_FATAL(plan(&u), 0);
	/*
	 * Boot-critical in the bootloader, update-super, every logical target
	 * resized to 0, then the OS images by name, system_other to slot b,
	 * userdata.img not flashed (AOSP's "extra").
	 */
	CU_ASSERT_STRING_EQUAL(
	    steps(&u), "flash:physical:boot_a boot.img; flash:physical:vbmeta_a vbmeta.img; "
		       "update-super:super:super super_empty.img; "
		       "resize:command:system_a -; resize:command:system_b -; "
		       "resize:command:vendor_a -; "
		       "flash:logical:system_a system.img; "
		       "flash:secondary:system_b system_other.img; "
		       "none:not flashed: userdata.img; "
		       "flash:logical:vendor_a vendor.img");
	CU_ASSERT_PTR_NOT_NULL(strstr(u.p.step[8].reason, "extra"));
	CU_ASSERT_EQUAL(u.p.step[6].size, 64 * KiB);
	CU_ASSERT(u.p.step[7].logical);
	/* Only questions were asked. */
	w = fx_writes(&u.x);
	CU_ASSERT_STRING_EQUAL(w, "");
	free(w);
	teardown(&u);

	/* --skip-secondary: said, not silent. */
	setup(&u);
	u.o.skip_secondary = 1;
	CU_ASSERT_EQUAL_FATAL(plan(&u), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(steps(&u), "none:not flashed: system_other.img"));
	CU_ASSERT_PTR_NULL(strstr(steps(&u), "system_b"));
	for (size_t i = 0; i < u.p.n; i++)
		if (u.p.step[i].image == hwf_factory_find(u.fac, "system_other.img"))
			CU_ASSERT_STRING_EQUAL(u.p.step[i].reason, "--skip-secondary");
	teardown(&u);
}

static void test_an_image_with_nowhere_to_go(void)
{
	struct upd u;
	char *w;

	setup(&u);
	noise(&u, "modem.img", 4096, 9);
	noise(&u, "odm.img", 4096, 10);
	CU_ASSERT_EQUAL(plan(&u), HWF_ENOTFOUND);
	/*
	 * odm.img named, then the whole plan refused; nothing but getvars went
	 * out.  modem.img is not an error in a build folder: flashall takes only
	 * the images AOSP's knows (the plan says so for it).
	 */
	CU_ASSERT(fx_saw(&u.x, "odm.img: the device has no partition 'odm' and "
			       "super_empty.img does not list it: nowhere to flash it"));
	CU_ASSERT(fx_saw(&u.x, ": 1 image with nowhere to go on this device: nothing was sent"));
	CU_ASSERT_PTR_NULL(strstr(u.x.events, "modem.img: the device"));
	CU_ASSERT_EQUAL(u.x.errors, 2);
	CU_ASSERT_EQUAL(u.p.n, 0);
	CU_ASSERT_EQUAL(fx_count(&u.x, "download:"), 0);
	w = fx_writes(&u.x);
	CU_ASSERT_STRING_EQUAL(w, "");
	free(w);
	teardown(&u);

	/* A secondary image on a device without slots has nowhere to go either. */
	setup(&u);
	u.x.dev.nparts = 0;
	fx_part(&u.x, "boot", MiB);
	fx_part(&u.x, "vbmeta", 64 * KiB);
	fx_part(&u.x, "system", MiB);
	fx_part(&u.x, "vendor", MiB);
	u.x.dev.super_size = 0;
	u.x.dev.slots = 0;
	CU_ASSERT_EQUAL_FATAL(hwf_factory_open(&u.fac, u.dir, NULL), 0);
	{
		char *se = tu_path(u.dir, "super_empty.img");

		unlink(se);
		free(se);
	}
	hwf_factory_close(u.fac);
	u.fac = NULL;
	CU_ASSERT_EQUAL(plan(&u), HWF_ENOTFOUND);
	CU_ASSERT(fx_saw(&u.x, "system_other.img: a secondary image, but the device has no "
			       "other slot of 'system'"));
	teardown(&u);
}

/* Partition @name of the device's super (metadata slot @slot) against @want. */
static int super_holds(struct upd *u, uint32_t slot, const char *name, const uint8_t *want,
		       size_t len)
{
	char *p = tu_path(u->x.dir, "super.img");
	struct hwf_source *file, *part;
	struct hwf_err e = {0};
	struct hwf_lp *lp;
	uint8_t *got = malloc(len);
	int idx, ok = 0;

	if (!hwf_source_open_file(&file, p, &e) && !hwf_lp_open(&lp, file, slot, &e)) {
		idx = hwf_lp_find_partition(hwf_lp_metadata(lp), name);
		if (idx >= 0 && !hwf_lp_open_partition(lp, (uint32_t)idx, &part, &e)) {
			ok = hwf_source_size(part) == len &&
			     !hwf_source_read_exact(part, got, len, 0, &e) &&
			     !memcmp(got, want, len);
			hwf_source_close(part);
		}
		hwf_lp_close(lp);
		hwf_source_close(file);
	}
	free(got);
	free(p);
	return ok;
}

static void test_run_dynamic(void)
{
	uint8_t sys[64 * KiB], ven[32 * KiB], oth[16 * KiB];
	struct hwf_err e = {0};
	struct upd u;
	char *w;

	setup(&u);
	tu_random(sys, sizeof(sys), 1);
	tu_random(ven, sizeof(ven), 2);
	tu_random(oth, sizeof(oth), 3);
	CU_ASSERT_EQUAL_FATAL(plan(&u), 0);
	CU_ASSERT_EQUAL(hwf_update_run(u.x.f, &u.in, &u.p, &u.o, &e), 0);
	CU_ASSERT_EQUAL(u.x.errors, 0);
	w = fx_writes(&u.x);
	CU_ASSERT_STRING_EQUAL(w, "download:00003000 flash:boot_a download:00001000 flash:vbmeta_a "
				  "reboot-fastboot download:00001220 update-super:super "
				  "resize-logical-partition:system_a:0 "
				  "resize-logical-partition:system_b:0 "
				  "resize-logical-partition:vendor_a:0 "
				  "resize-logical-partition:system_a:65536 download:00010000 "
				  "flash:system_a "
				  "resize-logical-partition:system_b:16384 download:00004000 "
				  "flash:system_b "
				  "resize-logical-partition:vendor_a:32768 download:00008000 "
				  "flash:vendor_a ");
	free(w);
	/* Said, not silent: the reboot into fastbootd and why. */
	CU_ASSERT(fx_saw(&u.x, "note: super_empty.img: update-super is done in fastbootd: "
			       "rebooting into fastbootd"));
	CU_ASSERT_EQUAL(u.x.reconnects, 1);
	CU_ASSERT(super_holds(&u, 0, "system_a", sys, sizeof(sys)));
	CU_ASSERT(super_holds(&u, 0, "system_b", oth, sizeof(oth)));
	CU_ASSERT(super_holds(&u, 0, "vendor_a", ven, sizeof(ven)));
	teardown(&u);
}

static void test_fastboot_info_order_and_wipe(void)
{
	static const char fi[] = "version 1\n"
				 "flash boot\n"
				 "flash vbmeta\n"
				 "reboot fastboot\n"
				 "update-super\n"
				 "flash system\n"
				 "flash --slot-other system system_other.img\n"
				 "if-wipe erase userdata\n";
	struct hwf_err e = {0};
	struct upd u;
	char *p, *w;

	setup(&u);
	p = tu_path(u.dir, "fastboot-info.txt");
	CU_ASSERT_EQUAL(tu_write(p, fi, sizeof(fi) - 1), 0);
	free(p);
	u.o.wipe = 1;
	CU_ASSERT_EQUAL_FATAL(plan(&u), 0);
	CU_ASSERT(u.p.from_fbinfo);
	/* Its order; vendor.img and userdata.img, not named there, are said so. */
	CU_ASSERT_STRING_EQUAL(
	    steps(&u), "flash:physical:boot_a boot.img; flash:physical:vbmeta_a vbmeta.img; "
		       "reboot:command:fastboot -; "
		       "update-super:super:super super_empty.img; "
		       "resize:command:system_a -; resize:command:system_b -; "
		       "flash:logical:system_a system.img; "
		       "flash:secondary:system_b system_other.img; "
		       "erase:command:userdata -; "
		       "none:not flashed: userdata.img; none:not flashed: vendor.img");
	CU_ASSERT_STRING_EQUAL(u.p.step[10].reason, "fastboot-info.txt does not name it");
	CU_ASSERT_EQUAL(hwf_update_run(u.x.f, &u.in, &u.p, &u.o, &e), 0);
	w = fx_writes(&u.x);
	/* -w: update-super wipes super. */
	CU_ASSERT_PTR_NOT_NULL(strstr(w,
				      "reboot-fastboot download:00001220 update-super:super:wipe "
				      "resize-logical-partition:system_a:0 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(w, "flash:system_b erase:userdata "));
	free(w);
	teardown(&u);

	/* Without -w the if-wipe line is left out; a file it names must be there. */
	setup(&u);
	p = tu_path(u.dir, "fastboot-info.txt");
	CU_ASSERT_EQUAL(tu_write(p, "flash boot\nflash odm\n", 21), 0);
	free(p);
	CU_ASSERT_EQUAL(plan(&u), HWF_ENOTFOUND);
	CU_ASSERT(fx_saw(&u.x, "fastboot-info.txt line 2 flashes odm from odm.img, which is not "
			       "there: nothing was sent"));
	CU_ASSERT_EQUAL(fx_count(&u.x, "download:"), 0);
	teardown(&u);
}

static void test_check_refuses_bad_images_without_a_device(void)
{
	static const char page[] = "<!DOCTYPE html>\n<html><body>404</body></html>\n";
	struct hwf_err e = {0};
	struct upd u;

	setup(&u);
	put(&u, "vbmeta.img", page, sizeof(page) - 1);
	put(&u, "super_empty.img", "not liblp at all", 16);
	CU_ASSERT_EQUAL_FATAL(hwf_factory_open(&u.fac, u.dir, &e), 0);
	CU_ASSERT(hwf_update_check(u.fac, &u.o, &u.x.cb, &u.in, &e) < 0);
	CU_ASSERT(fx_saw(&u.x, "vbmeta.img: not flashed to vbmeta"));
	CU_ASSERT(fx_saw(&u.x, "super_empty.img"));
	CU_ASSERT_EQUAL(u.x.errors, 2);
	teardown(&u);
}

void hwf_suite_update(void)
{
	CU_pSuite s =
	    CU_add_suite("update: factory images planned before the first byte", NULL, NULL);

	CU_add_test(s, "fastboot-info.txt: its grammar, a bad line named",
		    test_fastboot_info_parser);
	CU_add_test(s, "a folder of images as the factory view", test_factory_folder);
	CU_add_test(s, "the plan places every image (getvars only)", test_plan_places_every_image);
	CU_add_test(s, "an image with nowhere to go: refused, nothing sent",
		    test_an_image_with_nowhere_to_go);
	CU_add_test(s, "the run: update-super from fastbootd, resizes, slots", test_run_dynamic);
	CU_add_test(s, "fastboot-info.txt's order, -w", test_fastboot_info_order_and_wipe);
	CU_add_test(s, "check: bad images refused before any device",
		    test_check_refuses_bad_images_without_a_device);
}
