// SPDX-License-Identifier: MIT
/* hwflash image info | check | unpack | repack */
#include <string.h>

#include "formats/image/avb.h"
#include "formats/image/bootimg.h"
#include "formats/image/imagecheck.h"
#include "formats/image/liblp.h"
#include "formats/image/repack.h"
#include "formats/image/sparse.h"
#include "formats/image/unpack.h"
#include "host/cli.h"

static int image_info(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int image_check(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int image_unpack(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);
static int image_repack(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);

const struct hwf_command hwf_image_commands[] = {
	{ "info", image_info, "image info FILE [--json]",
	  "What the file is, told by its content: boot image (header v0-v4), vendor_boot,\n"
	  "sparse, vbmeta, an image with an AVB footer, or a web page, a zip, text...\n"
	  "For boot images: version, page size, OS version and patch level, sections.\n"
	  "For super images and super_empty.img (liblp, raw or sparse): the logical\n"
	  "partitions with their group, size, attributes and extents.",
	  NULL },
	{ "check", image_check,
	  "image check FILE [--partition P] [--sha256 HEX] [--key KEY] [--product NAME] [--json]",
	  "Is the file whole and sound for that partition?  Exit 0 only when it is.\n"
	  "Checks: what the content is, the boot image layout against the file size\n"
	  "(truncation), the v0-v2 id against the sections, the ramdisk, the AVB\n"
	  "footer, vbmeta images and the vbmeta of footers (structure, signature, the\n"
	  "hash descriptor's digest), the partition the image was signed for, every\n"
	  "chunk header of a sparse image, the size an ext4/erofs/f2fs, super or DTBO\n"
	  "header gives, every checksum and extent of a super image (liblp: both\n"
	  "geometries, every metadata slot and its backup, no overlaps, group\n"
	  "limits), whether the content can belong to the partition (a boot\n"
	  "image with a kernel for boot/recovery, none for init_boot, a file system\n"
	  "for system/vendor/userdata, a vbmeta image for vbmeta ...), and the SHA-256\n"
	  "you give.  --key KEY: the signer must be KEY (a file with nothing signed\n"
	  "fails).  Findings are printed as sentences.  flash, boot, app flash and\n"
	  "update run this check.",
	  NULL },
	{ "unpack", image_unpack, "image unpack FILE [-o DIR] [--force]",
	  "Write the sections of a boot or vendor_boot image (kernel, ramdisk, second,\n"
	  "dtb, ...) into DIR, one file each; the logical partitions of a super image\n"
	  "(raw or sparse) into DIR/PARTITION.img, as lpunpack does; another sparse\n"
	  "image is expanded to DIR/NAME.raw.  For a boot, vendor_boot or recovery\n"
	  "image also DIR/manifest.txt (every header field image repack needs), the\n"
	  "bytes after the image's end (trailer.bin), an AVB footer's vbmeta\n"
	  "(vbmeta.bin) and each vendor_boot v4 ramdisk (vendor_ramdiskNN).",
	  NULL },
	{ "repack", image_repack,
	  "image repack DIR -o OUT [--append-signature FILE] [--force] [--json]",
	  "Rebuild a boot (v0-v4), vendor_boot (v3/v4) or recovery image from a folder\n"
	  "written by image unpack, after its files were changed.  An unchanged folder\n"
	  "gives back the same bytes: the header from manifest.txt, the v0-v2 id\n"
	  "recomputed as the original was made, the trailer put back.  An AVB footer\n"
	  "is re-appended at the same partition size with the OLD vbmeta: after a\n"
	  "change its signature no longer matches, and image check says so (a locked\n"
	  "bootloader refuses the image; sign it again).  --append-signature FILE\n"
	  "appends FILE after the image instead of the saved trailer.  Bad manifests,\n"
	  "missing files and files outside DIR are refused; nothing is written then.",
	  NULL },
	{ "sign", image_sign,
	  "image sign IMAGE --partition NAME --partition-size BYTES [--key KEY.pem] "
	  "[--algorithm ALG] [--rollback-index N] [--prop KEY:VALUE]... [--salt HEX] -o OUT "
	  "[--force] [--json]",
	  "Add an AVB hash footer to IMAGE, or replace the one it has (the image is then\n"
	  "signed over its original size), as avbtool add_hash_footer lays it out: OUT\n"
	  "is exactly --partition-size bytes (a multiple of 4096, at least 64 KiB +\n"
	  "8 KiB), the vbmeta after the image, the footer at the very end.  The digest\n"
	  "is sha256(salt + image); the salt is random unless --salt HEX gives it.\n"
	  "--key KEY.pem: an RSA private key (openssl genpkey -algorithm RSA -pkeyopt\n"
	  "rsa_keygen_bits:4096); --algorithm SHA256_RSA2048, SHA256_RSA4096,\n"
	  "SHA512_RSA4096 ... must fit its size (default: SHA256_RSA<bits>).  Without\n"
	  "--key the vbmeta is unsigned (algorithm NONE).  --prop KEY:VALUE adds a\n"
	  "property descriptor (repeatable).  Release string \"avbtool 1.3.0\".",
	  NULL },
	{ "vbmeta", image_vbmeta,
	  "image vbmeta VBMETA [--disable-verity] [--disable-verification] -o OUT [--force] "
	  "[--json]",
	  "Write VBMETA to OUT with the vbmeta header flags set: bit 0 (hashtree\n"
	  "disabled, --disable-verity), bit 1 (verification disabled), the same patch\n"
	  "flash --disable-verity applies on the fly.  VBMETA is a vbmeta image, or an\n"
	  "image with an AVB footer (the vbmeta it points at is patched, the rest kept).\n"
	  "Says the old and the new flags.  The flags are signed: only an unlocked\n"
	  "bootloader accepts the result.",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

struct image_opts {
	struct hwf_image_check_opts chk;
	const char *out;
	const char *append_sig;
};

enum { OPT_PARTITION, OPT_SHA256, OPT_KEY, OPT_PRODUCT, OPT_OUT, OPT_APPEND_SIG };

static const struct cli_opt check_opts[] = {
	{ "partition", 0, 1, OPT_PARTITION },
	{ "sha256", 0, 1, OPT_SHA256 },
	{ "key", 0, 1, OPT_KEY },
	{ "product", 0, 1, OPT_PRODUCT },
	{ NULL, 0, 0, 0 },
};

static const struct cli_opt unpack_opts[] = {
	{ "output", 'o', 1, OPT_OUT },
	{ NULL, 0, 0, 0 },
};

static const struct cli_opt repack_opts[] = {
	{ "output", 'o', 1, OPT_OUT },
	{ "append-signature", 0, 1, OPT_APPEND_SIG },
	{ NULL, 0, 0, 0 },
};

static int on_opt(void *ctx, int id, const char *v)
{
	struct image_opts *o = ctx;

	switch (id) {
	case OPT_PARTITION: o->chk.partition = v; break;
	case OPT_SHA256: o->chk.sha256_hex = v; break;
	case OPT_KEY: o->chk.key_path = v; break;
	case OPT_PRODUCT: o->chk.product = v; break;
	case OPT_OUT: o->out = v; break;
	case OPT_APPEND_SIG: o->append_sig = v; break;
	}
	return 0;
}

/* @opts: the options @self takes; one FILE operand, then argv[1]. */
static int parse(struct hwf_cli *cli, const struct hwf_command *self, const struct cli_opt *opts,
		 int *argc, char **argv, struct image_opts *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	rc = cli_parse(cli, self, opts, argc, argv, on_opt, o);
	if (rc)
		return rc;
	if (*argc != 2)
		return cli_usage(cli, self, "image %s takes one FILE", self->name);
	if (o->chk.sha256_hex && strlen(o->chk.sha256_hex) != 64)
		return cli_usage(cli, self, "--sha256 wants 64 hex digits");
	return 0;
}

static int open_src(struct hwf_cli *cli, const char *path, struct hwf_source **src)
{
	struct hwf_err e = { 0 };
	int rc = hwf_source_open_file(src, path, &e);

	return rc ? cli_fail(cli, NULL, rc, &e) : 0;
}

/* image info of a liblp super image or super_empty.img: its logical partitions. */
static int super_info(struct hwf_cli *cli, const char *path, struct hwf_source *src)
{
	const struct hwf_lp_metadata *m;
	const struct hwf_lp_info *in;
	struct hwf_err e = { 0 };
	struct hwf_lp *lp;
	char attrs[64], sz[32];
	int rc = hwf_lp_open(&lp, src, 0, &e);

	if (rc)
		return cli_fail(cli, NULL, rc, &e);
	m = hwf_lp_metadata(lp);
	in = hwf_lp_info(lp);
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", path);
		json_kv_str(&cli->ui, "kind", in->empty ? "super_empty image (liblp)"
							: hwf_kind_name(HWF_KIND_SUPER));
		json_kv_bool(&cli->ui, "sparse", in->sparse);
		json_kv_uint(&cli->ui, "size", hwf_source_size(src));
		json_kv_uint(&cli->ui, "metadata_max_size", m->geo.metadata_max_size);
		json_kv_uint(&cli->ui, "metadata_slots", m->geo.slot_count);
		json_kv_uint(&cli->ui, "block_size", m->geo.block_size);
		json_kv_str(&cli->ui, "super_name", m->dev[0].name);
		json_kv_uint(&cli->ui, "super_size", m->dev[0].size);
		json_kv_uint(&cli->ui, "first_logical_sector", m->dev[0].first_logical_sector);
		json_key(&cli->ui, "groups");
		json_begin_array(&cli->ui);
		for (uint32_t i = 0; i < m->ngroup; i++) {
			json_begin_object(&cli->ui);
			json_kv_str(&cli->ui, "name", m->group[i].name);
			json_kv_uint(&cli->ui, "maximum_size", m->group[i].maximum_size);
			json_end_object(&cli->ui);
		}
		json_end_array(&cli->ui);
		json_key(&cli->ui, "partitions");
		json_begin_array(&cli->ui);
		for (uint32_t i = 0; i < m->npart; i++) {
			const struct hwf_lp_partition *p = &m->part[i];

			hwf_lp_attr_text(p->attributes, attrs, sizeof(attrs));
			json_begin_object(&cli->ui);
			json_kv_str(&cli->ui, "name", p->name);
			json_kv_str(&cli->ui, "group", m->group[p->group].name);
			json_kv_uint(&cli->ui, "size", p->size);
			json_kv_str(&cli->ui, "attributes", attrs);
			json_key(&cli->ui, "extents");
			json_begin_array(&cli->ui);
			for (uint32_t k = 0; k < p->num_extents; k++) {
				const struct hwf_lp_extent *x = &m->ext[p->first_extent + k];

				json_begin_object(&cli->ui);
				json_kv_str(&cli->ui, "type", x->type ? "zero" : "linear");
				json_kv_uint(&cli->ui, "sectors", x->sectors);
				json_kv_uint(&cli->ui, "target", x->target);
				json_end_object(&cli->ui);
			}
			json_end_array(&cli->ui);
			json_end_object(&cli->ui);
		}
		json_end_array(&cli->ui);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else {
		ui_size(m->dev[0].size, sz, sizeof(sz));
		ui_info(&cli->ui, "%s: %s%s, liblp %u.%u, %u metadata slot%s of %u bytes, %s %s\n",
			path, in->empty ? "super_empty image" : "super image",
			in->sparse ? " (sparse)" : "", m->major, m->minor, m->geo.slot_count,
			m->geo.slot_count == 1 ? "" : "s", m->geo.metadata_max_size, m->dev[0].name,
			sz);
		for (uint32_t i = 0; i < m->npart; i++) {
			const struct hwf_lp_partition *p = &m->part[i];

			hwf_lp_attr_text(p->attributes, attrs, sizeof(attrs));
			ui_size(p->size, sz, sizeof(sz));
			ui_info(&cli->ui, "  %-20s %-16s %10s  %-9s %u extent%s", p->name,
				m->group[p->group].name, sz, attrs, p->num_extents,
				p->num_extents == 1 ? "" : "s");
			for (uint32_t k = 0; k < p->num_extents && k < 4; k++)
				ui_info(&cli->ui, "%s%llu+%llu", k ? ", " : ": sectors ",
					(unsigned long long)m->ext[p->first_extent + k].target,
					(unsigned long long)m->ext[p->first_extent + k].sectors);
			ui_info(&cli->ui, "%s\n", p->num_extents > 4 ? ", ..." : "");
		}
		if (!m->npart)
			ui_info(&cli->ui, "  no logical partitions\n");
	}
	hwf_lp_close(lp);
	return HWF_EXIT_OK;
}

static int image_info(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_err e = { 0 };
	struct image_opts o;
	struct hwf_source *src;
	struct hwf_sniff sn;
	struct hwf_bootimg b;
	struct hwf_avb_footer f;
	int rc = parse(cli, self, NULL, &argc, argv, &o), isboot, hasf;

	if (rc)
		return rc;
	rc = open_src(cli, argv[1], &src);
	if (rc)
		return rc;
	rc = hwf_sniff_source(src, &sn, &e);
	if (rc) {
		hwf_source_close(src);
		return cli_fail(cli, NULL, rc, &e);
	}
	if (sn.kind == HWF_KIND_SUPER || (sn.kind == HWF_KIND_SPARSE && hwf_lp_probe(src))) {
		rc = super_info(cli, argv[1], src);
		hwf_source_close(src);
		return rc;
	}
	if (sn.kind == HWF_KIND_SPARSE) {
		struct hwf_sparse_reader *sr;
		uint64_t raw = 0;
		int ok = (rc = hwf_sparse_validate(src, &raw, &e)) == 0 &&
			 (rc = hwf_sparse_open(&sr, src, &e)) == 0;

		if (ok) {
			const struct hwf_sparse_header *h = hwf_sparse_header(sr);

			if (cli->json) {
				json_begin_object(&cli->ui);
				json_kv_str(&cli->ui, "file", argv[1]);
				json_kv_str(&cli->ui, "kind", hwf_kind_name(sn.kind));
				json_kv_uint(&cli->ui, "size", hwf_source_size(src));
				json_kv_uint(&cli->ui, "block_size", h->blk_sz);
				json_kv_uint(&cli->ui, "blocks", h->total_blks);
				json_kv_uint(&cli->ui, "chunks", h->total_chunks);
				json_kv_uint(&cli->ui, "expanded_size", raw);
				json_end_object(&cli->ui);
				json_done(&cli->ui);
			} else {
				ui_info(&cli->ui,
					"%s: %s v%u.%u, %u blocks of %u in %u chunks, expands to "
					"%llu bytes\n",
					argv[1], hwf_kind_name(sn.kind), h->major, h->minor,
					h->total_blks, h->blk_sz, h->total_chunks,
					(unsigned long long)raw);
			}
			hwf_sparse_close(sr);
		}
		hwf_source_close(src);
		if (!ok)
			return cli_fail(cli, NULL, rc, &e);
		return HWF_EXIT_OK;
	}
	isboot = (sn.kind == HWF_KIND_BOOTIMG || sn.kind == HWF_KIND_VENDOR_BOOT) &&
		 hwf_bootimg_parse(src, &b, &e) == 0;
	hasf = hwf_avb_read_footer(src, &f, &e) == 1;
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", argv[1]);
		json_kv_str(&cli->ui, "kind", hwf_kind_name(sn.kind));
		json_kv_uint(&cli->ui, "size", hwf_source_size(src));
		if (isboot) {
			json_kv_uint(&cli->ui, "header_version", b.header_version);
			json_kv_uint(&cli->ui, "page_size", b.page_size);
			json_kv_str(&cli->ui, "os_version", b.os_version);
			json_kv_str(&cli->ui, "patch_level", b.patch_level);
			json_kv_str(&cli->ui, "name", b.name);
			json_kv_str(&cli->ui, "cmdline", b.cmdline);
			json_kv_uint(&cli->ui, "needed", b.needed);
			json_key(&cli->ui, "sections");
			json_begin_array(&cli->ui);
			for (size_t i = 0; i < b.nsec; i++) {
				json_begin_object(&cli->ui);
				json_kv_str(&cli->ui, "name", b.sec[i].name);
				json_kv_uint(&cli->ui, "offset", b.sec[i].offset);
				json_kv_uint(&cli->ui, "size", b.sec[i].size);
				json_end_object(&cli->ui);
			}
			json_end_array(&cli->ui);
		}
		json_kv_bool(&cli->ui, "avb_footer", hasf);
		if (hasf) {
			json_kv_uint(&cli->ui, "avb_original_image_size", f.original_image_size);
			json_kv_uint(&cli->ui, "avb_vbmeta_offset", f.vbmeta_offset);
			json_kv_uint(&cli->ui, "avb_vbmeta_size", f.vbmeta_size);
		}
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else {
		char sz[32];

		ui_size(hwf_source_size(src), sz, sizeof(sz));
		ui_info(&cli->ui, "%s: %s, %s\n", argv[1], hwf_kind_name(sn.kind), sz);
		if (isboot) {
			ui_info(&cli->ui, "  header version  %u%s\n", b.header_version,
				b.legacy_dt_size ? " (with a legacy dt)" : "");
			ui_info(&cli->ui, "  page size       %u\n", b.page_size);
			if (b.os_version[0] || b.patch_level[0])
				ui_info(&cli->ui, "  os version      %s  patch level %s\n",
					b.os_version, b.patch_level);
			if (b.name[0])
				ui_info(&cli->ui, "  name            %s\n", b.name);
			if (b.cmdline[0])
				ui_info(&cli->ui, "  cmdline         %s\n", b.cmdline);
			for (size_t i = 0; i < b.nsec; i++)
				ui_info(&cli->ui, "  %-15s %llu bytes at %llu\n", b.sec[i].name,
					(unsigned long long)b.sec[i].size,
					(unsigned long long)b.sec[i].offset);
		}
		if (hasf)
			ui_info(&cli->ui, "  AVB footer      image %llu bytes, vbmeta at %llu (%llu bytes)\n",
				(unsigned long long)f.original_image_size,
				(unsigned long long)f.vbmeta_offset, (unsigned long long)f.vbmeta_size);
	}
	hwf_source_close(src);
	return HWF_EXIT_OK;
}

static const char *sev_name(enum hwf_severity s)
{
	return s == HWF_SEV_ERROR ? "error" : s == HWF_SEV_WARN ? "warning" : "info";
}

static int image_check(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_image_report r;
	struct hwf_err e = { 0 };
	struct image_opts o;
	struct hwf_source *src;
	int rc = parse(cli, self, check_opts, &argc, argv, &o);

	if (rc)
		return rc;
	rc = open_src(cli, argv[1], &src);
	if (rc)
		return rc;
	ui_progress_begin(&cli->ui, "checking");
	rc = hwf_image_check(src, &o.chk, &r, ui_progress_cb, &cli->ui, &e);
	ui_progress_end(&cli->ui);
	hwf_source_close(src);
	if (rc)
		return cli_fail(cli, NULL, rc, &e);
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", argv[1]);
		json_kv_str(&cli->ui, "kind", hwf_kind_name(r.kind));
		json_kv_bool(&cli->ui, "ok", r.ok);
		for (size_t i = 0; !r.ok && i < r.nfind; i++)
			if (r.find[i].severity == HWF_SEV_ERROR) {
				/* The first error, as the one line on stderr says it. */
				json_kv_str(&cli->ui, "error", r.find[i].text);
				break;
			}
		json_key(&cli->ui, "findings");
		json_begin_array(&cli->ui);
		for (size_t i = 0; i < r.nfind; i++) {
			json_begin_object(&cli->ui);
			json_kv_str(&cli->ui, "severity", sev_name(r.find[i].severity));
			json_kv_str(&cli->ui, "text", r.find[i].text);
			json_end_object(&cli->ui);
		}
		json_end_array(&cli->ui);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else {
		for (size_t i = 0; i < r.nfind; i++)
			if (r.find[i].severity != HWF_SEV_ERROR)
				ui_info(&cli->ui, "  %-7s %s\n", sev_name(r.find[i].severity),
					r.find[i].text);
		if (r.ok)
			ui_info(&cli->ui, "%s: OK (%s)%s%s\n", argv[1], hwf_kind_name(r.kind),
				o.chk.partition ? " for " : "",
				o.chk.partition ? o.chk.partition : "");
	}
	if (!r.ok) {
		/* The first error is the one line; the rest go after it. */
		const char *base = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1
							      : argv[1];
		int first = 1;

		for (size_t i = 0; i < r.nfind; i++) {
			if (r.find[i].severity != HWF_SEV_ERROR)
				continue;
			if (first && (!strncmp(r.find[i].text, base, strlen(base)) ||
				      !strncmp(r.find[i].text, argv[1], strlen(argv[1]))))
				ui_error(&cli->ui, "%s", r.find[i].text);
			else if (first)
				ui_error(&cli->ui, "%s: %s", argv[1], r.find[i].text);
			else
				ui_warn(&cli->ui, "also: %s", r.find[i].text);
			first = 0;
		}
	}
	return r.ok ? HWF_EXIT_OK : HWF_EXIT_FAIL;
}

/* What the unpack engine tells, as lines on the terminal. */
static void on_unpack(void *ctx, const struct hwf_unpack_event *ev)
{
	struct hwf_ui *ui = ctx;

	switch (ev->kind) {
	case HWF_UEV_STEP: ui_progress_begin(ui, ev->label); break;
	case HWF_UEV_STEP_END: ui_progress_end(ui); break;
	case HWF_UEV_WRITTEN:
		if (!strcmp(ev->file->section, "expanded"))
			ui_info(ui, "  expanded -> %s\n", ev->file->path);
		else if (!strcmp(ev->file->section, "ramdisk_tree"))
			ui_info(ui, "  %-15s -> %s (%llu entries)\n", "ramdisk folder",
				ev->file->path, (unsigned long long)ev->file->size);
		else
			ui_info(ui, "  %-15s -> %s (%llu bytes)\n", ev->file->section,
				ev->file->path, (unsigned long long)ev->file->size);
		break;
	}
}

static int image_unpack(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_unpack_opts uo = { 0 };
	struct hwf_unpack_result res;
	struct hwf_file_hooks hooks;
	struct hwf_err e = { 0 };
	struct image_opts o;
	struct hwf_source *src;
	int rc = parse(cli, self, unpack_opts, &argc, argv, &o);

	if (rc)
		return rc;
	rc = open_src(cli, argv[1], &src);
	if (rc)
		return rc;
	cleanup_file_hooks(&cli->cleanup, &hooks);
	uo.dir = o.out ? o.out : ".";
	uo.name = argv[1];
	uo.force = cli->force;
	uo.manifest = 1;
	uo.files = &hooks;
	uo.event = on_unpack;
	uo.progress = ui_progress_cb;
	uo.ctx = &cli->ui;
	rc = hwf_image_unpack(src, &uo, &res, &e);
	hwf_source_close(src);
	if (rc) {
		hwf_unpack_result_free(&res);
		return cli_fail(cli, NULL, rc, &e);
	}
	if (cli->json) {	/* only now: a failure half-way prints no document of its own */
		const char *kind = res.vendor ? "Android vendor_boot image" : "Android boot image";

		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", argv[1]);
		json_kv_str(&cli->ui, "kind",
			    res.super    ? hwf_kind_name(HWF_KIND_SUPER)
			    : res.sparse ? hwf_kind_name(HWF_KIND_SPARSE)
					 : kind);
		json_kv_bool(&cli->ui, "ok", 1);
		json_key(&cli->ui, "files");
		json_begin_array(&cli->ui);
		for (size_t i = 0; i < res.nfiles; i++) {
			json_begin_object(&cli->ui);
			json_kv_str(&cli->ui, "section", res.file[i].section);
			json_kv_str(&cli->ui, "path", res.file[i].path);
			json_kv_uint(&cli->ui, "size", res.file[i].size);
			json_end_object(&cli->ui);
		}
		json_end_array(&cli->ui);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	}
	hwf_unpack_result_free(&res);
	return HWF_EXIT_OK;
}

static int image_repack(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct hwf_repack_opts ro = { 0 };
	struct hwf_repack_result res;
	struct hwf_file_hooks hooks;
	struct hwf_err e = { 0 };
	struct image_opts o;
	int rc = parse(cli, self, repack_opts, &argc, argv, &o);

	if (rc)
		return rc;
	if (!o.out)
		return cli_usage(cli, self, "image repack needs -o OUT");
	cleanup_file_hooks(&cli->cleanup, &hooks);
	ro.dir = argv[1];
	ro.out = o.out;
	ro.force = cli->force;
	ro.append_signature = o.append_sig;
	ro.files = &hooks;
	ro.progress = ui_progress_cb;
	ro.ctx = &cli->ui;
	ui_progress_begin(&cli->ui, "repacking");
	rc = hwf_image_repack(&ro, &res, &e);
	ui_progress_end(&cli->ui);
	if (rc)
		return cli_fail(cli, NULL, rc, &e);
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "dir", argv[1]);
		json_kv_str(&cli->ui, "file", o.out);
		json_kv_str(&cli->ui, "kind", res.vendor ? "Android vendor_boot image"
							 : "Android boot image");
		json_kv_uint(&cli->ui, "header_version", res.header_version);
		json_kv_bool(&cli->ui, "ok", 1);
		json_kv_uint(&cli->ui, "size", res.size);
		json_kv_uint(&cli->ui, "image_size", res.image_size);
		json_kv_bool(&cli->ui, "ramdisk_packed", res.ramdisk_packed);
		json_kv_uint(&cli->ui, "trailer_size", res.trailer_size);
		json_kv_bool(&cli->ui, "avb_footer", res.avb);
		json_kv_bool(&cli->ui, "avb_digest_ok", res.avb && res.avb_digest_ok);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
		return HWF_EXIT_OK;
	}
	ui_info(&cli->ui, "%s: %s header v%u, %llu bytes\n", o.out,
		res.vendor ? "vendor_boot" : "boot image", res.header_version,
		(unsigned long long)res.size);
	if (res.ramdisk_packed)
		ui_info(&cli->ui, "  ramdisk packed from its folder (%s)\n", res.ramdisk_change);
	if (res.trailer_size)
		ui_info(&cli->ui, "  %llu bytes appended after the image (%s)\n",
			(unsigned long long)res.trailer_size,
			res.trailer_given ? o.append_sig : "the trailer saved by unpack");
	if (res.avb && res.avb_digest_ok)
		ui_info(&cli->ui, "  AVB footer re-appended with the old vbmeta, which still matches\n");
	else if (res.avb)
		ui_warn(&cli->ui,
			"AVB footer re-appended with the old vbmeta (partition size %llu): the old "
			"signature no longer matches this image: a locked bootloader will refuse it "
			"(sign it again)",
			(unsigned long long)res.partition_size);
	return HWF_EXIT_OK;
}
