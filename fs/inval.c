/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inval.c - the thread that sends FUSE invalidations (see inval.h): a pool
 * of one worker (workers.h), so notifications and the calls queued behind
 * them (pf_inval_after) run in the order they were queued.
 */
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <errno.h>

#include "errors.h"
#include "inval.h"
#include "log.h"
#include "util.h"
#include "workers.h"

struct pf_inval {
	struct fuse_session *se;
	struct pf_workers *thread;
};

struct item {
	struct fuse_session *se;
	uint64_t parent; /* the directory, or the inode itself when name is empty */
	char name[];
};

static void send_item(void *arg)
{
	struct item *it = arg;
	int r;

	/* The loop has ended: nobody answers the requests that may hold the
	 * directory's lock a notification waits for (shutdown). */
	if (fuse_session_exited(it->se)) {
		free(it);
		return;
	}
	r = it->name[0]
		? fuse_lowlevel_notify_inval_entry(it->se, it->parent, it->name, strlen(it->name))
		: fuse_lowlevel_notify_inval_inode(it->se, it->parent, 0, 0);

	/* ENOENT: the kernel had no such entry or inode cached. */
	if (r < 0 && r != -ENOENT && r != -ENOTCONN)
		pf_log(PF_LOG_DEBUG, "invalidate %s: %s", it->name[0] ? it->name : "an inode",
		       strerror(-r));
	free(it);
}

struct pf_inval *pf_inval_start(struct fuse_session *se)
{
	struct pf_inval *iv = pf_xcalloc(1, sizeof(*iv));
	struct pf_err err = PF_ERR_INIT;

	iv->se = se;
	if (pf_workers_start(1, &iv->thread, &err) < 0) {
		/* Without the thread, entries simply expire on their timeout. */
		pf_log(PF_LOG_WARN,
		       "%s; deleted pods may linger in the kernel's cache for a second", err.msg);
		free(iv);
		return NULL;
	}
	return iv;
}

static void push(struct pf_inval *iv, uint64_t parent, const char *name)
{
	size_t n = strlen(name) + 1;
	struct item *it = pf_xmalloc(sizeof(*it) + n);

	it->se = iv->se;
	it->parent = parent;
	memcpy(it->name, name, n);
	pf_workers_run(iv->thread, send_item, it);
}

void pf_inval_push(struct pf_inval *iv, uint64_t parent, const char *name)
{
	if (iv)
		push(iv, parent, name);
}

void pf_inval_push_inode(struct pf_inval *iv, uint64_t ino)
{
	if (iv)
		push(iv, ino, "");
}

void pf_inval_after(struct pf_inval *iv, void (*fn)(void *arg), void *arg)
{
	if (iv)
		pf_workers_run(iv->thread, fn, arg);
	else
		fn(arg);
}

void pf_inval_stop(struct pf_inval *iv)
{
	if (!iv)
		return;
	pf_workers_free(iv->thread);
	free(iv);
}
