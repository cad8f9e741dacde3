/* SPDX-License-Identifier: Apache-2.0 */
/*
 * listwatch.c - list, watch from just after the listing, list again when
 * the watch breaks (see listwatch.h).  One owner thread lists and waits;
 * another may cancel.  mu orders the two: the owner replaces the watch
 * under it, the canceller cancels whatever watch is there under it, and
 * a watch installed after a cancel is cancelled at once.
 *
 * It must use store.h only (no backend's internals) and must not hold mu
 * while it waits on the store.
 */
#include "listwatch.h"
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

/* How long to wait before listing again after a failure, so that a broken
 * store is not hammered. */
#define BACKOFF_MS 1000

struct pf_listwatch {
	struct pf_store *store;
	char *prefix;
	char *who;
	pthread_mutex_t mu;
	pthread_cond_t cancel_cond; /* a back-off waits on it */
	struct pf_watch *watch;	    /* the owner writes it under mu and reads it freely */
	bool cancelled;		    /* under mu */
};

struct pf_listwatch *pf_listwatch_new(struct pf_store *s, const char *prefix, const char *who)
{
	struct pf_listwatch *lw = pf_xcalloc(1, sizeof(*lw));
	pthread_condattr_t ca;

	lw->store = s;
	lw->prefix = pf_xstrdup(prefix);
	lw->who = pf_xstrdup(who);
	pthread_mutex_init(&lw->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lw->cancel_cond, &ca);
	pthread_condattr_destroy(&ca);
	return lw;
}

void pf_listwatch_free(struct pf_listwatch *lw)
{
	if (!lw)
		return;
	pf_watch_close(lw->watch);
	pthread_cond_destroy(&lw->cancel_cond);
	pthread_mutex_destroy(&lw->mu);
	free(lw->prefix);
	free(lw->who);
	free(lw);
}

int pf_listwatch_list(struct pf_listwatch *lw, struct pf_kv_list *out, int64_t *rev,
		      struct pf_err *err)
{
	struct pf_watch *w = NULL, *old;
	int64_t at = 0;
	int r;

	r = pf_store_list(lw->store, lw->prefix, out, &at, err);
	if (r < 0)
		return r;
	pthread_mutex_lock(&lw->mu);
	old = lw->watch;
	lw->watch = NULL;
	pthread_mutex_unlock(&lw->mu);
	pf_watch_close(old);
	r = pf_watch_open(lw->store, lw->prefix, at + 1, &w, err);
	if (r < 0) {
		pf_kv_list_free(out);
		return r;
	}
	pthread_mutex_lock(&lw->mu);
	lw->watch = w;
	if (lw->cancelled)
		pf_watch_cancel(w);
	pthread_mutex_unlock(&lw->mu);
	if (rev)
		*rev = at;
	return (int)out->n;
}

static bool cancelled(struct pf_listwatch *lw)
{
	bool c;

	pthread_mutex_lock(&lw->mu);
	c = lw->cancelled;
	pthread_mutex_unlock(&lw->mu);
	return c;
}

int pf_listwatch_next(struct pf_listwatch *lw, struct pf_watch_batch *out, int timeout_ms,
		      struct pf_err *err)
{
	out->events = NULL;
	out->n = 0;
	if (lw->watch)
		return pf_watch_next(lw->watch, out, timeout_ms, err);
	if (cancelled(lw))
		return pf_err_set(err, ECANCELED, "watch cancelled");
	return pf_err_set(err, ENOTCONN, "%s: no watch on %s", lw->who, lw->prefix);
}

/* Sleep BACKOFF_MS unless cancelled; -ECANCELED, said in err, when
 * cancelled. */
static int backoff(struct pf_listwatch *lw, struct pf_err *err)
{
	struct timespec deadline;
	bool c;

	pf_mono_deadline(&deadline, BACKOFF_MS);
	pthread_mutex_lock(&lw->mu);
	while (!lw->cancelled && pthread_cond_timedwait(&lw->cancel_cond, &lw->mu, &deadline) == 0)
		;
	c = lw->cancelled;
	pthread_mutex_unlock(&lw->mu);
	if (!c)
		return 0;
	pf_err_clear(err);
	return pf_err_set(err, ECANCELED, "watch cancelled");
}

int pf_listwatch_relist(struct pf_listwatch *lw, int r, struct pf_kv_list *out, int64_t *rev,
			struct pf_err *err)
{
	out->items = NULL;
	out->n = 0;
	if (r != -ERANGE) {
		if (r != -ENOTCONN)
			pf_log(PF_LOG_ERROR, "%s: watch failed: %s; listing again", lw->who,
			       err->msg);
		if (backoff(lw, err) < 0)
			return -ECANCELED;
	}
	pf_err_clear(err);
	r = pf_listwatch_list(lw, out, rev, err);
	if (r >= 0)
		return 0;
	pf_log(PF_LOG_ERROR, "%s: list failed: %s", lw->who, err->msg);
	if (backoff(lw, err) < 0)
		return -ECANCELED;
	return r;
}

void pf_listwatch_cancel(struct pf_listwatch *lw)
{
	if (!lw)
		return;
	pthread_mutex_lock(&lw->mu);
	lw->cancelled = true;
	pf_watch_cancel(lw->watch);
	pthread_cond_broadcast(&lw->cancel_cond);
	pthread_mutex_unlock(&lw->mu);
}
