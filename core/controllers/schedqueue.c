/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schedqueue.c - kube-scheduler's scheduling queue (see schedqueue.h): two
 * binary heaps and a list over entries the caller owns.  Each entry knows
 * where it is and at which index, so taking one out is O(log n) and the
 * caller can free a pod at once when it goes away.
 *
 * It must not allocate per entry, read a clock or know what a pod is.
 */
#include "schedqueue.h"
#include "util.h"

#include <stdlib.h>

/* Is a to be popped before b?  PrioritySort, then arrival. */
static bool active_less(const struct pf_sq_entry *a, const struct pf_sq_entry *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	if (a->created_ms != b->created_ms)
		return a->created_ms < b->created_ms;
	return a->seq < b->seq;
}

static bool backoff_less(const struct pf_sq_entry *a, const struct pf_sq_entry *b)
{
	if (a->backoff_until != b->backoff_until)
		return a->backoff_until < b->backoff_until;
	return a->seq < b->seq;
}

typedef bool (*less_fn)(const struct pf_sq_entry *, const struct pf_sq_entry *);

static void heap_set(struct pf_sq_entry **h, size_t i, struct pf_sq_entry *e)
{
	h[i] = e;
	e->ix = i;
}

static void sift_up(struct pf_sq_entry **h, size_t i, less_fn less)
{
	struct pf_sq_entry *e = h[i];

	while (i > 0) {
		size_t up = (i - 1) / 2;

		if (!less(e, h[up]))
			break;
		heap_set(h, i, h[up]);
		i = up;
	}
	heap_set(h, i, e);
}

static void sift_down(struct pf_sq_entry **h, size_t n, size_t i, less_fn less)
{
	struct pf_sq_entry *e = h[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && less(h[c + 1], h[c]))
			c++;
		if (!less(h[c], e))
			break;
		heap_set(h, i, h[c]);
		i = c;
	}
	heap_set(h, i, e);
}

static void heap_push(struct pf_sq_entry ***h, size_t *n, size_t *cap, struct pf_sq_entry *e,
		      less_fn less)
{
	PF_GROW(*h, *cap, *n + 1);
	heap_set(*h, (*n)++, e);
	sift_up(*h, *n - 1, less);
}

static void heap_del(struct pf_sq_entry **h, size_t *n, size_t i, less_fn less)
{
	struct pf_sq_entry *last = h[--*n];

	if (i == *n)
		return;
	heap_set(h, i, last);
	sift_down(h, *n, i, less);
	sift_up(h, last->ix, less);
}

static void to_active(struct pf_sq *q, struct pf_sq_entry *e)
{
	heap_push(&q->active, &q->a_n, &q->a_cap, e, active_less);
	e->where = PF_SQ_ACTIVE;
}

static void to_backoff(struct pf_sq *q, struct pf_sq_entry *e)
{
	heap_push(&q->backoff, &q->b_n, &q->b_cap, e, backoff_less);
	e->where = PF_SQ_BACKOFF;
}

static bool backing_off(const struct pf_sq_entry *e, int64_t now)
{
	return e->attempts > 0 && e->backoff_until > now;
}

void pf_sq_remove(struct pf_sq *q, struct pf_sq_entry *e)
{
	switch (e->where) {
	case PF_SQ_ACTIVE:
		heap_del(q->active, &q->a_n, e->ix, active_less);
		break;
	case PF_SQ_BACKOFF:
		heap_del(q->backoff, &q->b_n, e->ix, backoff_less);
		break;
	case PF_SQ_UNSCHED:
		q->unsched[e->ix] = q->unsched[--q->u_n];
		q->unsched[e->ix]->ix = e->ix;
		break;
	default:
		break;
	}
	e->where = PF_SQ_NONE;
}

void pf_sq_add(struct pf_sq *q, struct pf_sq_entry *e, int64_t now)
{
	if (e->where == PF_SQ_ACTIVE)
		return;
	if (e->where == PF_SQ_NONE)
		e->seq = q->next_seq++;
	pf_sq_remove(q, e);
	if (backing_off(e, now))
		to_backoff(q, e);
	else
		to_active(q, e);
}

static void flush_backoff(struct pf_sq *q, int64_t now)
{
	while (q->b_n && q->backoff[0]->backoff_until <= now) {
		struct pf_sq_entry *e = q->backoff[0];

		heap_del(q->backoff, &q->b_n, 0, backoff_less);
		to_active(q, e);
	}
}

struct pf_sq_entry *pf_sq_pop(struct pf_sq *q, int64_t now)
{
	struct pf_sq_entry *e;

	flush_backoff(q, now);
	if (!q->a_n)
		return NULL;
	e = q->active[0];
	heap_del(q->active, &q->a_n, 0, active_less);
	e->where = PF_SQ_NONE;
	return e;
}

int64_t pf_sq_backoff_ms(const struct pf_sq *q, unsigned attempts)
{
	int64_t d = q->initial_ms > 0 ? q->initial_ms : 1000;
	int64_t max = q->max_ms > 0 ? q->max_ms : 10000;

	if (!attempts)
		return 0;
	for (unsigned i = 1; i < attempts && d < max; i++)
		d *= 2;
	return d < max ? d : max;
}

void pf_sq_unschedulable(struct pf_sq *q, struct pf_sq_entry *e, int64_t now)
{
	pf_sq_remove(q, e);
	e->attempts++;
	e->backoff_until = now + pf_sq_backoff_ms(q, e->attempts);
	PF_GROW(q->unsched, q->u_cap, q->u_n + 1);
	e->ix = q->u_n;
	q->unsched[q->u_n++] = e;
	e->where = PF_SQ_UNSCHED;
}

void pf_sq_requeue(struct pf_sq *q, struct pf_sq_entry *e)
{
	pf_sq_remove(q, e);
	to_active(q, e);
}

void pf_sq_move_all(struct pf_sq *q, int64_t now)
{
	for (size_t i = 0; i < q->u_n; i++) {
		struct pf_sq_entry *e = q->unsched[i];

		if (backing_off(e, now))
			to_backoff(q, e);
		else
			to_active(q, e);
	}
	q->u_n = 0;
}

int64_t pf_sq_next_backoff(const struct pf_sq *q)
{
	return q->b_n ? q->backoff[0]->backoff_until : INT64_MAX;
}

void pf_sq_free(struct pf_sq *q)
{
	free(q->active);
	free(q->backoff);
	free(q->unsched);
	q->active = q->backoff = q->unsched = NULL;
	q->a_n = q->a_cap = q->b_n = q->b_cap = q->u_n = q->u_cap = 0;
}
