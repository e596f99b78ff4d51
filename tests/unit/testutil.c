// SPDX-License-Identifier: MIT
#include "tests/unit/testutil.h"

#include "formats/core/outfile.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *tu_mkdtemp(void)
{
	const char *t = getenv("TMPDIR");
	char *p = malloc(4096);

	snprintf(p, 4096, "%s/hwf-unit-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(p)) {
		free(p);
		return NULL;
	}
	return p;
}

void tu_rmtree(const char *dir)
{
	char cmd[4200];

	if (!dir || strstr(dir, "hwf-unit-") == NULL)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

char *tu_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int tu_write(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

void tu_random(void *buf, size_t len, uint64_t seed)
{
	uint8_t *p = buf;
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
}

long long tu_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void files_forget(void *ctx, const char *path)
{
	struct tu_files *f = ctx;

	for (size_t i = 0; i < sizeof(f->path) / sizeof(f->path[0]); i++)
		if (f->path[i] && !strcmp(f->path[i], path)) {
			free(f->path[i]);
			f->path[i] = NULL;
		}
}

static int files_mkstemp(void *ctx, char *tmpl)
{
	struct tu_files *f = ctx;
	int fd;

	if (f->before_create)
		f->before_create(f, tmpl);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		return fd;
	f->made++;
	for (size_t i = 0; i < sizeof(f->path) / sizeof(f->path[0]); i++)
		if (!f->path[i]) {
			f->path[i] = strdup(tmpl);
			break;
		}
	return fd;
}

static int files_rename(void *ctx, const char *from, const char *to)
{
	int rc = rename(from, to);

	if (!rc)
		files_forget(ctx, from);
	return rc;
}

static int files_mkdtemp(void *ctx, char *tmpl)
{
	struct tu_files *f = ctx;

	if (!mkdtemp(tmpl))
		return -1;
	for (size_t i = 0; i < sizeof(f->path) / sizeof(f->path[0]); i++)
		if (!f->path[i]) {
			f->path[i] = strdup(tmpl);
			break;
		}
	return 0;
}

void tu_file_hooks(struct tu_files *f, struct hwf_file_hooks *h)
{
	h->mkstemp = files_mkstemp;
	h->rename = files_rename;
	h->forget = files_forget;
	h->mkdtemp = files_mkdtemp;
	h->atomic = NULL;
	h->ctx = f;
}

size_t tu_files_left(struct tu_files *f)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(f->path) / sizeof(f->path[0]); i++)
		n += f->path[i] != NULL;
	return n;
}

void tu_files_free(struct tu_files *f)
{
	for (size_t i = 0; i < sizeof(f->path) / sizeof(f->path[0]); i++) {
		free(f->path[i]);
		f->path[i] = NULL;
	}
}

int tu_count_names(const char *dir, const char *part)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strstr(de->d_name, part))
			n++;
	closedir(d);
	return n;
}

int tu_sh(const char *dir, const char *fmt, ...)
{
	char cmd[4096], full[8400];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && (%s) > cmd.log 2>&1", dir, cmd);
	rc = system(full);
	if (rc) {
		fprintf(stderr, "\ncommand failed (%d): %s\n", rc, cmd);
		snprintf(full, sizeof(full), "cat '%s/cmd.log' >&2", dir);
		if (system(full))
			fprintf(stderr, "(no log)\n");
	}
	return rc;
}
