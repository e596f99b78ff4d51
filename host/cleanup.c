// SPDX-License-Identifier: MIT
#include "host/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void watched_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
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
		if (c->path[i])
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

static int add_locked(struct hwf_cleanup *c, const char *path)
{
	char *copy = strdup(path), **grown;
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
		c->n += 8;
	}
	c->path[i] = copy;
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
	if (fd >= 0 && add_locked(c, tmpl) < 0) {
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
	rc = add_locked(c, path);
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
	c->path = NULL;
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

void cleanup_file_hooks(struct hwf_cleanup *c, struct hwf_file_hooks *h)
{
	h->mkstemp = hook_mkstemp;
	h->rename = hook_rename;
	h->forget = hook_forget;
	h->ctx = c;
}
