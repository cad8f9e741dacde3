/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch.c - the half of every watch that does not depend on the backend:
 * waiting for a change with a timeout, cancelling from another thread, and
 * the batch helpers.  A backend only finds the events after a revision
 * (its watch_fetch, which never blocks) and bumps its hub when there may be
 * new ones; the etcd backend's stream will do the same from its reader.
 *
 * It must know nothing of how a backend keeps its history, and must never
 * call a backend's fetch with the hub's mutex held: a fetch may do I/O, and
 * every commit takes that mutex to wake the watchers.
 */
#include "store-internal.h"

#include <errno.h>
#include <time.h>

void pf_watch_hub_init(struct pf_watch_hub *h)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&h->mu, NULL);
	/* Watch timeouts are measured on the monotonic clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->changed, &ca);
	pthread_condattr_destroy(&ca);
	h->seq = 0;
}

void pf_watch_hub_destroy(struct pf_watch_hub *h)
{
	pthread_cond_destroy(&h->changed);
	pthread_mutex_destroy(&h->mu);
}

void pf_watch_hub_bump(struct pf_watch_hub *h)
{
	pthread_mutex_lock(&h->mu);
	h->seq++;
	pthread_cond_broadcast(&h->changed);
	pthread_mutex_unlock(&h->mu);
}

void pf_watch_init(struct pf_watch *w, const struct pf_store_ops *ops, struct pf_watch_hub *hub)
{
	w->ops = ops;
	w->hub = hub;
	w->cancelled = false;
}

int pf_watch_open(struct pf_store *s, const char *prefix, int64_t from_rev, struct pf_watch **out,
		  struct pf_err *err)
{
	int r;

	*out = NULL;
	r = s->ops->watch_open(s, prefix ? prefix : "", from_rev, out, err);
	if (r < 0)
		*out = NULL;
	return r;
}

int pf_watch_next(struct pf_watch *w, struct pf_watch_batch *out, int timeout_ms,
		  struct pf_err *err)
{
	struct pf_watch_hub *h = w->hub;
	struct timespec deadline;
	bool timed_out = false;
	uint64_t seen;
	int r = 0;

	out->events = NULL;
	out->n = 0;
	if (timeout_ms >= 0)
		pf_mono_deadline(&deadline, timeout_ms);
	pthread_mutex_lock(&h->mu);
	while (!timed_out) {
		if (w->cancelled) {
			r = pf_err_set(err, ECANCELED, "watch cancelled");
			break;
		}
		/* Read seq before looking, so a change after the look wakes us. */
		seen = h->seq;
		pthread_mutex_unlock(&h->mu);
		r = w->ops->watch_fetch(w, out, err);
		pthread_mutex_lock(&h->mu);
		if (r != 0)
			break;
		while (h->seq == seen && !w->cancelled && !timed_out) {
			if (timeout_ms < 0)
				pthread_cond_wait(&h->changed, &h->mu);
			else
				timed_out = pthread_cond_timedwait(&h->changed, &h->mu,
								   &deadline) == ETIMEDOUT;
		}
	}
	pthread_mutex_unlock(&h->mu);
	if (r < 0)
		pf_watch_batch_free(out);
	return r;
}

void pf_watch_cancel(struct pf_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->hub->mu);
	w->cancelled = true;
	pthread_cond_broadcast(&w->hub->changed);
	pthread_mutex_unlock(&w->hub->mu);
}

void pf_watch_close(struct pf_watch *w)
{
	if (w)
		w->ops->watch_close(w);
}

void pf_watch_batch_free(struct pf_watch_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		pf_kv_free(&b->events[i].kv);
	free(b->events);
	b->events = NULL;
	b->n = 0;
}

struct pf_watch_event *pf_watch_batch_add(struct pf_watch_batch *b, size_t *cap)
{
	PF_GROW(b->events, *cap, b->n + 1);
	memset(&b->events[b->n], 0, sizeof(b->events[0]));
	return &b->events[b->n++];
}
