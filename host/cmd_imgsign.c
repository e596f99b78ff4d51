// SPDX-License-Identifier: MIT
/*
 * hwflash image sign | vbmeta: the AVB engines (formats/image/avb_sign.c,
 * avb_patch.c) on the command line.  Outputs go through a temporary file
 * that gets its name only when complete (formats/core/outfile.h).
 */
#include <stdlib.h>
#include <string.h>

#include "formats/core/text.h"
#include "formats/core/outfile.h"
#include "formats/image/avb.h"
#include "formats/image/avb_patch.h"
#include "formats/image/avb_sign.h"
#include "host/cli.h"

#define MAX_PROPS 32

struct sign_args {
	struct hwf_avb_sign_opts so;
	const char *props[MAX_PROPS];
	uint8_t salt[HWF_AVB_MAX_SALT];
	const char *out;
	uint32_t disable; /* image vbmeta: HWF_AVB_FLAG_* */
	struct hwf_cli *cli;
	const struct hwf_command *self;
};

enum {
	OPT_PARTITION,
	OPT_PSIZE,
	OPT_KEY,
	OPT_ALG,
	OPT_ROLLBACK,
	OPT_PROP,
	OPT_SALT,
	OPT_OUT,
	OPT_NO_VERITY,
	OPT_NO_VERIFICATION,
};

static const struct cli_opt sign_opts[] = {
    {"partition", 0, 1, OPT_PARTITION},
    {"partition-size", 0, 1, OPT_PSIZE},
    {"key", 0, 1, OPT_KEY},
    {"algorithm", 0, 1, OPT_ALG},
    {"rollback-index", 0, 1, OPT_ROLLBACK},
    {"prop", 0, 1, OPT_PROP},
    {"salt", 0, 1, OPT_SALT},
    {"output", 'o', 1, OPT_OUT},
    {NULL, 0, 0, 0},
};

static const struct cli_opt vbmeta_opts[] = {
    {"disable-verity", 0, 0, OPT_NO_VERITY},
    {"disable-verification", 0, 0, OPT_NO_VERIFICATION},
    {"output", 'o', 1, OPT_OUT},
    {NULL, 0, 0, 0},
};

static int on_opt(void *ctx, int id, const char *v)
{
	struct sign_args *a = ctx;
	char *end;

	switch (id) {
	case OPT_PARTITION: a->so.partition = v; break;
	case OPT_KEY: a->so.key_path = v; break;
	case OPT_ALG: a->so.algorithm = v; break;
	case OPT_OUT: a->out = v; break;
	case OPT_NO_VERITY: a->disable |= HWF_AVB_FLAG_HASHTREE_DISABLED; break;
	case OPT_NO_VERIFICATION: a->disable |= HWF_AVB_FLAG_VERIFICATION_DISABLED; break;
	case OPT_PSIZE:
		if (cli_parse_size(v, &a->so.partition_size) || !a->so.partition_size)
			return cli_usage(a->cli, a->self, "--partition-size '%s' is not a size", v);
		break;
	case OPT_ROLLBACK:
		a->so.rollback_index = strtoull(v, &end, 0);
		if (!*v || *end || *v == '-')
			return cli_usage(a->cli, a->self, "--rollback-index '%s' is not a number",
					 v);
		break;
	case OPT_PROP:
		if (a->so.nprops == MAX_PROPS)
			return cli_usage(a->cli, a->self, "at most %d --prop", MAX_PROPS);
		if (!strchr(v, ':') || v[0] == ':')
			return cli_usage(a->cli, a->self, "--prop '%s' is not KEY:VALUE", v);
		a->props[a->so.nprops++] = v;
		break;
	case OPT_SALT: {
		size_t n = strlen(v);

		if (n % 2 || n / 2 > HWF_AVB_MAX_SALT)
			return cli_usage(a->cli, a->self,
					 "--salt wants an even number of hex digits (at most %u "
					 "bytes)",
					 HWF_AVB_MAX_SALT);
		for (size_t i = 0; i < n; i += 2) {
			if (hwf_hex_digit(v[i]) < 0 || hwf_hex_digit(v[i + 1]) < 0)
				return cli_usage(a->cli, a->self, "--salt '%s' is not hex", v);
			a->salt[i / 2] = (uint8_t)(hwf_hex_digit(v[i]) << 4 | hwf_hex_digit(v[i + 1]));
		}
		a->so.salt = a->salt;
		a->so.salt_len = n / 2;
		break;
	}
	}
	return 0;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	out[2 * n] = '\0';
}

/* Open IMAGE and the temporary output; a usage error or failure is reported here. */
static int open_both(struct hwf_cli *cli, const char *in, const char *out, struct hwf_source **src,
		     struct hwf_outfile *of, struct hwf_file_hooks *hooks)
{
	struct hwf_err e = {0};
	int rc = hwf_source_open_file(src, in, &e);

	if (rc)
		return cli_fail(cli, NULL, rc, &e);
	cleanup_file_hooks(&cli->cleanup, hooks);
	rc = hwf_outfile_create(of, out, 0, hooks, &e);
	if (rc) {
		hwf_source_close(*src);
		return cli_fail(cli, NULL, rc, &e);
	}
	return 0;
}

static void print_signed(struct hwf_cli *cli, const struct sign_args *a, const char *in,
			 const struct hwf_avb_sign_result *r)
{
	char sha1[41], salt[2 * HWF_AVB_MAX_SALT + 1], digest[65];
	const char *alg = hwf_avb_algorithm_name(r->algorithm);

	hex(r->key_sha1, 20, sha1);
	hex(r->salt, r->salt_len, salt);
	hex(r->digest, 32, digest);
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", in);
		json_kv_str(&cli->ui, "output", a->out);
		json_kv_bool(&cli->ui, "ok", 1);
		json_kv_str(&cli->ui, "partition", a->so.partition);
		json_kv_uint(&cli->ui, "partition_size", a->so.partition_size);
		json_kv_uint(&cli->ui, "image_size", r->image_size);
		json_kv_bool(&cli->ui, "replaced", r->replaced);
		json_kv_str(&cli->ui, "algorithm", alg);
		if (r->key_bits) {
			json_kv_str(&cli->ui, "key", a->so.key_path);
			json_kv_str(&cli->ui, "key_sha1", sha1);
		}
		json_kv_uint(&cli->ui, "rollback_index", a->so.rollback_index);
		json_kv_uint(&cli->ui, "vbmeta_offset", r->vbmeta_offset);
		json_kv_uint(&cli->ui, "vbmeta_size", r->vbmeta_size);
		json_kv_str(&cli->ui, "salt", salt);
		json_kv_str(&cli->ui, "digest", digest);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
		return;
	}
	if (r->replaced)
		ui_info(&cli->ui,
			"%s had an AVB footer: replaced (signed over its original %llu bytes)\n",
			in, (unsigned long long)r->image_size);
	if (r->key_bits)
		ui_info(&cli->ui, "%s: %s signed with %s by %s (public key SHA-1 %s)\n", a->out,
			a->so.partition, alg, a->so.key_path, sha1);
	else
		ui_info(&cli->ui,
			"%s: %s with an unsigned AVB footer (algorithm NONE: only an unlocked "
			"bootloader boots it)\n",
			a->out, a->so.partition);
	ui_info(&cli->ui,
		"  image %llu bytes, vbmeta %llu bytes at %llu, footer at the end of %llu bytes\n",
		(unsigned long long)r->image_size, (unsigned long long)r->vbmeta_size,
		(unsigned long long)r->vbmeta_offset, (unsigned long long)a->so.partition_size);
	ui_info(&cli->ui, "  sha256 digest %s (salt %s)\n", digest, salt);
}

int image_sign(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct sign_args a;
	struct hwf_avb_sign_result r;
	struct hwf_file_hooks hooks;
	struct hwf_outfile of;
	struct hwf_source *src;
	struct hwf_err e = {0};
	int rc;

	memset(&a, 0, sizeof(a));
	a.cli = cli;
	a.self = self;
	a.so.props = a.props;
	rc = cli_parse(cli, self, sign_opts, &argc, argv, on_opt, &a);
	if (rc)
		return rc;
	if (argc != 2)
		return cli_usage(cli, self, "image sign takes one IMAGE");
	if (!a.so.partition || !a.so.partition_size || !a.out)
		return cli_usage(cli, self,
				 "image sign needs --partition, --partition-size and -o");
	rc = open_both(cli, argv[1], a.out, &src, &of, &hooks);
	if (rc)
		return rc;
	a.so.progress = ui_progress_cb;
	a.so.pctx = &cli->ui;
	ui_progress_begin(&cli->ui, "signing");
	rc = hwf_avb_add_hash_footer(src, of.fd, &a.so, &r, &e);
	ui_progress_end(&cli->ui);
	hwf_source_close(src);
	if (!rc)
		rc = hwf_outfile_commit(&of, cli->force ? 0 : HWF_OUTFILE_NOREPLACE, &e);
	if (rc) {
		hwf_outfile_discard(&of);
		/* Option errors the engine finds (sizes, algorithm, key size) are the user's words.
		 */
		return cli_fail(cli, rc == HWF_EINVAL ? self : NULL, rc, &e);
	}
	print_signed(cli, &a, argv[1], &r);
	return HWF_EXIT_OK;
}

int image_vbmeta(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	struct sign_args a;
	struct hwf_avb_patch p;
	struct hwf_file_hooks hooks;
	struct hwf_outfile of;
	struct hwf_source *src;
	struct hwf_err e = {0};
	int rc;

	memset(&a, 0, sizeof(a));
	a.cli = cli;
	a.self = self;
	rc = cli_parse(cli, self, vbmeta_opts, &argc, argv, on_opt, &a);
	if (rc)
		return rc;
	/* main.c takes --disable-verity/-verification anywhere on the line (AOSP's globals). */
	a.disable |= cli->aosp.avb_disable;
	if (argc != 2)
		return cli_usage(cli, self, "image vbmeta takes one VBMETA");
	if (!a.disable || !a.out)
		return cli_usage(cli, self,
				 "image vbmeta needs --disable-verity and/or "
				 "--disable-verification, and -o");
	rc = open_both(cli, argv[1], a.out, &src, &of, &hooks);
	if (rc)
		return rc;
	ui_progress_begin(&cli->ui, "writing");
	rc = hwf_avb_write_flags(&p, src, a.disable, of.fd, ui_progress_cb, &cli->ui, &e);
	ui_progress_end(&cli->ui);
	hwf_source_close(src);
	if (!rc)
		rc = hwf_outfile_commit(&of, cli->force ? 0 : HWF_OUTFILE_NOREPLACE, &e);
	if (rc) {
		hwf_outfile_discard(&of);
		return cli_fail(cli, NULL, rc, &e);
	}
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "file", argv[1]);
		json_kv_str(&cli->ui, "output", a.out);
		json_kv_bool(&cli->ui, "ok", 1);
		json_kv_uint(&cli->ui, "vbmeta_offset", p.vbmeta_offset);
		json_kv_bool(&cli->ui, "in_footer", p.in_footer);
		json_kv_uint(&cli->ui, "old_flags", p.old_flags);
		json_kv_uint(&cli->ui, "new_flags", p.new_flags);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
		return HWF_EXIT_OK;
	}
	ui_info(&cli->ui, "%s: vbmeta flags %u -> %u (%s)%s\n", a.out, p.old_flags, p.new_flags,
		hwf_avb_flags_text(p.new_flags),
		p.old_flags == p.new_flags ? "; they were set already" : "");
	if (p.in_footer)
		ui_info(&cli->ui, "  the vbmeta of %s's AVB footer, at byte %llu\n", argv[1],
			(unsigned long long)p.vbmeta_offset);
	if (p.old_flags != p.new_flags)
		ui_info(&cli->ui,
			"  the flags are inside the signed header: the signature no longer "
			"verifies, which only an unlocked bootloader accepts\n");
	return HWF_EXIT_OK;
}
