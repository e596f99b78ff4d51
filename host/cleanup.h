/* SPDX-License-Identifier: MIT */
/*
 * Temporary files are removed when hwflash is interrupted (Ctrl-C,
 * SIGTERM, SIGHUP) as they are on every error path.
 *
 * Signals are not caught by a handler (which would need a global list):
 * cleanup_start() blocks them in every thread and a watcher thread waits
 * for them with sigwait(), removes the files registered in the struct that
 * main() owns, and then lets the signal end the process as it would have.
 * A file is registered while it is created (cleanup_mkstemp), so there is
 * no moment in which it exists and is unknown; so is a temporary folder
 * (cleanup_mkdtemp: image unpack's DIR/.ramdisk.partial.XXXXXX), which is
 * removed with all it holds, tried again while the command still writes
 * into it.  Renames that go together run under the lock (cleanup_atomic),
 * so an interruption sees them all done or none.  SIGKILL cannot be handled;
 * what it leaves is named by the commands that look at such places
 * (dload check names an unfinished .partial).
 */
#ifndef HWF_CLEANUP_H
#define HWF_CLEANUP_H

#include <pthread.h>
#include <stddef.h>

#include "formats/core/outfile.h"

struct hwf_cleanup {
	pthread_mutex_t lock;
	char **path;		/* registered files; NULL = a free slot */
	unsigned char *dir;	/* path[i] is a folder, removed with all it holds */
	size_t n;
	pthread_t watcher;
	int started;
};

/* Block SIGINT/SIGTERM/SIGHUP in this thread (and so in threads made later) and start the watcher.
 */
int cleanup_start(struct hwf_cleanup *c);

/*
 * mkostemp(@tmpl, O_CLOEXEC) and register the file, under one lock.
 * Returns the fd or -1 with errno set.
 * @c may be NULL (nothing is registered).
 */
int cleanup_mkstemp(struct hwf_cleanup *c, char *tmpl);

/*
 * mkdtemp(@tmpl) and register the folder, under one lock: an interruption
 * removes it with everything in it.  0, or -1 with errno set.
 */
int cleanup_mkdtemp(struct hwf_cleanup *c, char *tmpl);

/* Run @fn(@arg) under the lock: no interruption removes anything meanwhile. */
int cleanup_atomic(struct hwf_cleanup *c, int (*fn)(void *arg), void *arg);

/* Register an existing path (a file about to be created with a fixed name). */
int cleanup_add(struct hwf_cleanup *c, const char *path);

/* rename(@tmp, @path) and forget @tmp, under the lock; 0 or -1 with errno. */
int cleanup_rename(struct hwf_cleanup *c, const char *tmp, const char *path);

/* At exit: free the list (the watcher stays, with nothing to remove). */
void cleanup_stop(struct hwf_cleanup *c);

/* Forget @path: it was renamed into place or removed. */
void cleanup_forget(struct hwf_cleanup *c, const char *path);

/*
 * The engines' temporary files (formats/core/outfile.h) registered in @c:
 * fills @h with cleanup_mkstemp, cleanup_rename, cleanup_forget, cleanup_mkdtemp
 * and cleanup_atomic.
 */
void cleanup_file_hooks(struct hwf_cleanup *c, struct hwf_file_hooks *h);

#endif
