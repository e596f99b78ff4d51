// SPDX-License-Identifier: MIT
/* What every command file shares: usage errors, groups, sizes, slots. */
#include "host/cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct hwf_command *cli_find(const struct hwf_command *table, const char *name)
{
	for (; table->name; table++)
		if (!strcmp(table->name, name))
			return table;
	return NULL;
}

int cli_usage(struct hwf_cli *cli, const struct hwf_command *cmd, const char *fmt, ...)
{
	char msg[sizeof(cli->ui.error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ui_error(&cli->ui, "%s", msg);
	if (cmd)
		ui_help(&cli->ui, 1, "usage: hwflash %s\n", cmd->synopsis);
	return HWF_EXIT_USAGE;
}

int cli_exit_code(int rc, int user_words)
{
	if (rc >= 0)
		return rc;
	return rc == HWF_EINVAL && user_words ? HWF_EXIT_USAGE : HWF_EXIT_FAIL;
}

int cli_fail(struct hwf_cli *cli, const struct hwf_command *self, int rc, const struct hwf_err *e)
{
	/* A failure is never a success, whatever @rc says. */
	int code = rc ? cli_exit_code(rc, self != NULL) : HWF_EXIT_FAIL;

	if (code == HWF_EXIT_USAGE)
		return cli_usage(cli, self, "%s", e->msg);
	ui_error(&cli->ui, "%s", e->msg[0] ? e->msg : hwf_strerror(rc));
	return code;
}

int cli_run_group(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	const char *group = self->name;
	const struct hwf_command *c;

	if (argc < 2)
		return cli_usage(cli, NULL, "%s needs a subcommand (hwflash help %s)", group,
				 group);
	c = cli_find(self->subs, argv[1]);
	if (!c)
		return cli_usage(cli, NULL, "%s: unknown subcommand '%s' (hwflash help %s)", group,
				 argv[1], group);
	snprintf(cli->command_buf, sizeof(cli->command_buf), "%s %s", group, c->name);
	cli->command = cli->command_buf;
	return c->run(cli, c, argc - 1, argv + 1);
}

const char *cli_slot_word(const char *v, int allow_all)
{
	if (!strcmp(v, "other") || (allow_all && !strcmp(v, "all")))
		return v;
	/*
	 * "_b" is refused, as AOSP's verify_slot() refuses it ("Slot _b does
	 * not exist"): the caller's message says to write "b".  (AOSP strips
	 * the '_' only from a device's current-slot answer; so do we.)
	 */
	return v[0] >= 'a' && v[0] <= 'z' && !v[1] ? v : NULL;
}

int cli_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (!s || !*s || *s == '-')
		return -1;
	v = strtoull(s, &end, 0);
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end++;
	if (*end == 'B')
		end++;
	if (*end || (shift && v > (~0ull >> shift)))
		return -1;
	*out = v << shift;
	return 0;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *a, size_t n)
{
	for (; opts && opts->name; opts++)
		if (a[1] == '-' ? strlen(opts->name) == n - 2 && !strncmp(opts->name, a + 2, n - 2)
				: opts->short_name && n == 2 && a[1] == opts->short_name)
			return opts;
	return NULL;
}

int cli_parse(struct hwf_cli *cli, const struct hwf_command *self, const struct cli_opt *opts,
	      int *argc, char **argv, cli_opt_fn on, void *ctx)
{
	const char *cmd = cli->command ? cli->command : self->name;
	int out = 1, i;

	for (i = 1; i < *argc; i++) {
		char *a = argv[i];
		const struct cli_opt *o;
		const char *val = NULL, *eq;
		size_t n;
		int rc;

		if (!strcmp(a, "--")) {
			for (i++; i < *argc; i++)
				argv[out++] = argv[i];
			break;
		}
		if (a[0] != '-' || !a[1]) {
			argv[out++] = a; /* an operand ("-" too: standard input) */
			continue;
		}
		eq = a[1] == '-' ? strchr(a, '=') : NULL;
		n = eq ? (size_t)(eq - a) : strlen(a);
		/* -oVALUE: a short option with its value attached */
		if (a[1] != '-' && n > 2 && (o = find_opt(opts, a, 2)) && o->has_value) {
			val = a + 2;
			n = 2;
		}
		o = find_opt(opts, a, n);
		if (!o)
			return cli_usage(cli, self,
					 "%s: unknown option '%.*s' (put -- before a name that "
					 "starts with '-')",
					 cmd, (int)n, a);
		if (eq && !o->has_value)
			return cli_usage(cli, self, "%s: %.*s takes no value", cmd, (int)n, a);
		if (o->has_value && !val) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < *argc && argv[i + 1][0] != '-')
				val = argv[++i];
			else if (i + 1 < *argc && !strcmp(argv[i + 1], "-"))
				val = argv[++i];
			else
				return cli_usage(cli, self, "%s: %s needs a value", cmd, a);
		}
		rc = on(ctx, o->id, val);
		if (rc)
			return rc;
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}
