// SPDX-License-Identifier: MIT
/*
 * The AOSP fastboot commands that build or move data without a partition
 * image file: boot and flash:raw (a boot image built on the fly by
 * formats/image/bootimg_build.h from a kernel, ramdisk, second and dtb,
 * with AOSP's --cmdline, --base ... options from host/cli_aosp.c), stage,
 * get_staged and gsi.  A built image passes the same gate as any boot image.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "formats/core/outfile.h"
#include "formats/image/bootimg_build.h"
#include "formats/image/sniff.h"
#include "host/cli.h"
#include "host/fbsession.h"
#include "protocol/fastboot.h"

#define MAX_PARTS 4 /* kernel, ramdisk, second, dtb */

/* The image to send: a file as it is, or one built from @argv's files. */
struct built {
	struct hwf_source *part[MAX_PARTS];
	struct hwf_bootimg_build *b;
	struct hwf_source *img;
};

static void built_close(struct built *x)
{
	hwf_source_close(x->img);
	hwf_bootimg_build_free(x->b);
	for (int i = 0; i < MAX_PARTS; i++)
		hwf_source_close(x->part[i]);
}

/* 1 when @path starts with a boot image's magic. */
static int is_bootimg(struct hwf_source *src)
{
	char m[8];

	return hwf_source_size(src) >= 8 && !hwf_source_read_exact(src, m, 8, 0, NULL) &&
	       !memcmp(m, "ANDROID!", 8);
}

/*
 * A KERNEL that is plainly something else (a web page, a file system, a
 * sparse or vbmeta image ...: a download gone wrong, or the wrong file) is
 * refused before a boot image is built around it, unless --force.  A raw,
 * gzip, lz4 or ELF kernel passes (a kernel has no one magic).
 */
static int kernel_check(struct hwf_cli *cli, struct hwf_source *k, const char *file)
{
	struct hwf_sniff sn;
	struct hwf_err e = { 0 };

	if (hwf_sniff_source(k, &sn, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	switch (sn.kind) {
	case HWF_KIND_UNKNOWN:
	case HWF_KIND_GZIP:
	case HWF_KIND_LZ4:
	case HWF_KIND_ELF: return 0;
	case HWF_KIND_EMPTY:
		ui_error(&cli->ui, "%s: empty (0 bytes): not a kernel", file);
		return HWF_EXIT_FAIL;
	default: break;
	}
	if (cli->force) {
		ui_warn(&cli->ui, "%s looks like %s, not a kernel; used as one (--force)", file,
			hwf_kind_name(sn.kind));
		return 0;
	}
	ui_error(&cli->ui, "%s is neither a boot image nor a kernel (it looks like %s): nothing "
			   "was sent (--force uses it as a kernel)",
		 file, hwf_kind_name(sn.kind));
	return HWF_EXIT_FAIL;
}

/*
 * @files (1 to 3: KERNEL [RAMDISK [SECOND]]) into x->img: @as_is (boot) lets
 * a single boot image through unchanged.  Returns 0 or an exit code (printed).
 */
static int build(struct hwf_cli *cli, const struct hwf_command *self, char **files, int n,
		 int as_is, struct built *x)
{
	struct hwf_err e = {0};
	int rc;

	memset(x, 0, sizeof(*x));
	for (int i = 0; i < n; i++)
		if (hwf_source_open_file(&x->part[i], files[i], &e)) {
			ui_error(&cli->ui, "%s", e.msg);
			built_close(x);
			return HWF_EXIT_FAIL;
		}
	if (as_is && is_bootimg(x->part[0])) {
		if (n > 1 || cli->aosp.boot_given || cli->aosp.dtb) {
			rc = cli_usage(cli, self,
				       "%s is a boot image: hwflash sends it as it is; "
				       "%s apply to a KERNEL (hwflash image unpack %s "
				       "gives it)",
				       files[0],
				       n > 1 ? "a RAMDISK and SECOND" : "boot image options",
				       files[0]);
			built_close(x);
			return rc;
		}
		x->img = x->part[0];
		x->part[0] = NULL;
		return 0;
	}
	rc = kernel_check(cli, x->part[0], files[0]);
	if (rc) {
		built_close(x);
		return rc;
	}
	if (cli->aosp.dtb && hwf_source_open_file(&x->part[3], cli->aosp.dtb, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		built_close(x);
		return HWF_EXIT_FAIL;
	}
	rc = hwf_bootimg_build(&x->b, &cli->aosp.boot, x->part[0], x->part[1], x->part[2],
			       x->part[3], "boot.img", &x->img, &e);
	if (rc) {
		built_close(x);
		return cli_fail(cli, rc == HWF_EINVAL ? self : NULL, rc, &e);
	}
	ui_note(&cli->ui, "boot image built from %s%s%s%s%s: header v%u, %llu bytes", files[0],
		n > 1 ? ", " : "", n > 1 ? files[1] : "", n > 2 ? ", " : "", n > 2 ? files[2] : "",
		cli->aosp.boot.header_version, (unsigned long long)hwf_source_size(x->img));
	return 0;
}

int fb_boot(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct fb_session s;
	struct built x;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc < 2 || argc > 4)
		return cli_usage(cli, self, "boot takes FILE, or KERNEL [RAMDISK [SECOND]]");
	rc = build(cli, self, argv + 1, argc - 1, 1, &x);
	if (rc)
		return rc;
	rc = fbs_gate(cli, x.img, "boot", x.b ? "the boot image built" : argv[1], NULL);
	if (!rc)
		rc = fbs_open(cli, &s);
	if (rc) {
		built_close(&x);
		return rc;
	}
	rc = fbs_exit(hwf_flash_boot(s.f, x.img, NULL));
	built_close(&x);
	return fbs_finish(&s, rc);
}

int fb_flash_raw(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_flash_parts parts;
	struct fb_session s;
	struct built x;
	int sign = 0;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc < 3 || argc > 5)
		return cli_usage(cli, self, "flash:raw takes PARTITION KERNEL [RAMDISK [SECOND]]");
	rc = build(cli, self, argv + 2, argc - 2, 0, &x);
	if (rc)
		return rc;
	rc = fbs_gate(cli, x.img, argv[1], "the boot image built", &sign);
	if (!rc)
		rc = fbs_open(cli, &s);
	if (rc) {
		built_close(&x);
		return rc;
	}
	/* A built image is unsigned: a locked bootloader rejects it (the lock gate). */
	rc = fbs_exit(hwf_flash_resolve(s.f, argv[1], 1, &parts, NULL));
	for (int i = 0; !rc && i < parts.n; i++)
		rc = fbs_exit(hwf_flash_lock_gate(s.f, sign, parts.name[i], "the boot image built",
						  NULL));
	for (int i = 0; !rc && i < parts.n; i++)
		rc = fbs_exit(hwf_flash_image(s.f, x.img, parts.name[i], "boot.img", NULL));
	built_close(&x);
	return fbs_finish(&s, rc);
}

int fb_stage(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_err e = {0};
	struct hwf_source *src;
	struct fb_session s;
	char what[160];
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, self, "stage takes one FILE");
	if (hwf_source_open_file(&src, argv[1], &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	if (!hwf_source_size(src)) {
		ui_error(&cli->ui, "%s: empty (0 bytes): nothing to stage", argv[1]);
		hwf_source_close(src);
		return HWF_EXIT_FAIL;
	}
	rc = fbs_open(cli, &s);
	if (rc) {
		hwf_source_close(src);
		return rc;
	}
	snprintf(what, sizeof(what), "'%s'", argv[1]);
	rc = fbs_exit(hwf_flash_download(s.f, src, what, NULL));
	hwf_source_close(src);
	return fbs_finish(&s, rc);
}

struct sink {
	struct hwf_outfile of;
	uint64_t n;
};

static int to_file(void *ctx, const void *buf, size_t len, struct hwf_err *e)
{
	struct sink *k = ctx;
	const char *p = buf;

	while (len) {
		ssize_t n = write(k->of.fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO, "%s: %s",
					   k->of.path, strerror(n < 0 ? errno : EIO));
		p += n;
		len -= (size_t)n;
		k->n += (uint64_t)n;
	}
	return 0;
}

int fb_get_staged(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_file_hooks hooks;
	struct hwf_err e = {0};
	struct fb_session s;
	struct sink k = {0};
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, self, "get_staged takes one FILE");
	cleanup_file_hooks(&cli->cleanup, &hooks);
	if (hwf_outfile_create(&k.of, argv[1], 0, &hooks, &e)) {
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	rc = fbs_open(cli, &s);
	if (rc) {
		hwf_outfile_discard(&k.of);
		return rc;
	}
	if (hwf_fb_upload(hwf_flash_fb(s.f), "upload", HWF_FB_UPLOAD_ANY, to_file, &k, NULL, NULL,
			  &e) ||
	    hwf_outfile_commit(&k.of, 0, &e)) {
		ui_error(&cli->ui, "get_staged: %s", e.msg);
		hwf_outfile_discard(&k.of);
		return fbs_finish(&s, HWF_EXIT_FAIL);
	}
	ui_note(&cli->ui, "%s: %llu bytes staged by the device", argv[1], (unsigned long long)k.n);
	return fbs_finish(&s, 0);
}

int fb_gsi(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	char cmd[32];
	struct fb_session s;
	int rc = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc)
		return rc;
	if (argc != 2 ||
	    (strcmp(argv[1], "wipe") && strcmp(argv[1], "disable") && strcmp(argv[1], "status")))
		return cli_usage(cli, self, "gsi takes wipe, disable or status");
	rc = fbs_open(cli, &s);
	if (rc)
		return rc;
	snprintf(cmd, sizeof(cmd), "gsi:%s", argv[1]);
	return fbs_finish(&s, fbs_exit(hwf_flash_command(s.f, cmd, cmd, NULL)));
}
