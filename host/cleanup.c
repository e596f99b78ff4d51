// SPDX-License-Identifier: MIT
#include "host/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/image/rdfolder.h"

static void watched_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

/*
 * A registered folder, with all it holds.  The command may still be writing
 * into it (this thread runs beside it until the signal ends the process), so
 * a name made meanwhile is caught by trying again.
 */
static void remove_folder(const char *path)
{
	struct stat st;

	for (int i = 0; i < 100 && lstat(path, &st) == 0; i++)
		hwf_rdf_remove(path);
}

static void *watch(void *arg)
{
	struct hwf_cleanup *c = arg;
	sigset_t set;
	int sig;

	watched_signals(&set);
	if (sigwait(&set, &sig))
		return NULL;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n; i++)
		if (c->path[i] && c->dir[i])
			remove_folder(c->path[i]);
		else if (c->path[i])
			unlink(c->path[i]);
	/* Die of the signal, as without us: the shell sees 130 for Ctrl-C. */
	signal(sig, SIG_DFL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

int cleanup_start(struct hwf_cleanup *c)
{
	sigset_t set;

	c->path = NULL;
	c->dir = NULL;
	c->n = 0;
	if (pthread_mutex_init(&c->lock, NULL))
		return -1;
	watched_signals(&set);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	if (pthread_create(&c->watcher, NULL, watch, c)) {
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		return -1;
	}
	pthread_detach(c->watcher);
	c->started = 1;
	return 0;
}

static int add_locked(struct hwf_cleanup *c, const char *path, int dir)
{
	char *copy = strdup(path), **grown;
	unsigned char *kinds;
	size_t i;

	if (!copy)
		return -1;
	for (i = 0; i < c->n && c->path[i]; i++)
		;
	if (i == c->n) {
		grown = realloc(c->path, (c->n + 8) * sizeof(*grown));
		if (!grown) {
			free(copy);
			return -1;
		}
		memset(grown + c->n, 0, 8 * sizeof(*grown));
		c->path = grown;
		kinds = realloc(c->dir, c->n + 8);
		if (!kinds) {
			free(copy);
			return -1;
		}
		memset(kinds + c->n, 0, 8);
		c->dir = kinds;
		c->n += 8;
	}
	c->path[i] = copy;
	c->dir[i] = (unsigned char)dir;
	return 0;
}

static void forget_locked(struct hwf_cleanup *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->path[i] && !strcmp(c->path[i], path)) {
			free(c->path[i]);
			c->path[i] = NULL;
		}
}

int cleanup_mkstemp(struct hwf_cleanup *c, char *tmpl)
{
	int fd;

	if (!c || !c->started)
		return mkostemp(tmpl, O_CLOEXEC);
	pthread_mutex_lock(&c->lock);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0 && add_locked(c, tmpl, 0) < 0) {
		unlink(tmpl);
		close(fd);
		fd = -1;
	}
	pthread_mutex_unlock(&c->lock);
	return fd;
}

int cleanup_add(struct hwf_cleanup *c, const char *path)
{
	int rc;

	if (!c || !c->started)
		return 0;
	pthread_mutex_lock(&c->lock);
	rc = add_locked(c, path, 0);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int cleanup_mkdtemp(struct hwf_cleanup *c, char *tmpl)
{
	int rc = 0;

	if (!c || !c->started)
		return mkdtemp(tmpl) ? 0 : -1;
	pthread_mutex_lock(&c->lock);
	if (!mkdtemp(tmpl)) {
		rc = -1;
	} else if (add_locked(c, tmpl, 1) < 0) {
		rmdir(tmpl);
		errno = ENOMEM;
		rc = -1;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int cleanup_atomic(struct hwf_cleanup *c, int (*fn)(void *arg), void *arg)
{
	int rc;

	if (!c || !c->started)
		return fn(arg);
	pthread_mutex_lock(&c->lock);
	rc = fn(arg);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void cleanup_forget(struct hwf_cleanup *c, const char *path)
{
	if (!c || !c->started)
		return;
	pthread_mutex_lock(&c->lock);
	forget_locked(c, path);
	pthread_mutex_unlock(&c->lock);
}

int cleanup_rename(struct hwf_cleanup *c, const char *tmp, const char *path)
{
	int rc;

	if (!c || !c->started)
		return rename(tmp, path);
	pthread_mutex_lock(&c->lock);
	rc = rename(tmp, path);
	if (!rc)
		forget_locked(c, tmp);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void cleanup_stop(struct hwf_cleanup *c)
{
	if (!c->started)
		return;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n; i++)
		free(c->path[i]);
	free(c->path);
	free(c->dir);
	c->path = NULL;
	c->dir = NULL;
	c->n = 0;
	pthread_mutex_unlock(&c->lock);
}

static int hook_mkstemp(void *ctx, char *tmpl)
{
	return cleanup_mkstemp(ctx, tmpl);
}

static int hook_rename(void *ctx, const char *from, const char *to)
{
	return cleanup_rename(ctx, from, to);
}

static void hook_forget(void *ctx, const char *path)
{
	cleanup_forget(ctx, path);
}

static int hook_mkdtemp(void *ctx, char *tmpl)
{
	return cleanup_mkdtemp(ctx, tmpl);
}

static int hook_atomic(void *ctx, int (*fn)(void *arg), void *arg)
{
	return cleanup_atomic(ctx, fn, arg);
}

void cleanup_file_hooks(struct hwf_cleanup *c, struct hwf_file_hooks *h)
{
	h->mkstemp = hook_mkstemp;
	h->rename = hook_rename;
	h->forget = hook_forget;
	h->mkdtemp = hook_mkdtemp;
	h->atomic = hook_atomic;
	h->ctx = c;
}
