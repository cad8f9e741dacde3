/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schedqueue.h - the scheduling queue of kube-scheduler for podfs: which
 * pending pod is tried next, and when a pod that fitted nowhere is tried
 * again.
 *
 * Three places, as in kube-scheduler's PriorityQueue:
 *  - active: a heap popped in the order of the PrioritySort plugin, higher
 *    spec.priority first, then the older creationTimestamp, then the order
 *    of arrival;
 *  - backoff: pods that failed and whose back-off has not run out, a heap by
 *    the time it runs out; they go to active then.  The back-off is 1 s after
 *    the first failure, doubling up to 10 s (podInitialBackoffSeconds,
 *    podMaxBackoffSeconds);
 *  - unschedulable: pods that failed and wait for a cluster event that may
 *    make them fit (pf_sq_move_all: a node added or changed, a pod gone);
 *    they then go to backoff or, back-off over, to active.
 * So a pod that cannot fit is never retried in a loop: it waits for an event,
 * and even then no sooner than its back-off allows.
 *
 * The entries are embedded in the caller's objects; the queue owns none of
 * them.  Time is the caller's (monotonic milliseconds), so tests drive it.
 * No store, no clock, no locks.
 */
#ifndef PODFS_SCHEDQUEUE_H
#define PODFS_SCHEDQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pf_sq_where { PF_SQ_NONE = 0, PF_SQ_ACTIVE, PF_SQ_BACKOFF, PF_SQ_UNSCHED };

struct pf_sq_entry {
	int32_t priority;      /* spec.priority */
	int64_t created_ms;    /* metadata.creationTimestamp */
	uint64_t seq;	       /* arrival order, set by the queue */
	unsigned attempts;     /* failed scheduling attempts so far */
	int64_t backoff_until; /* monotonic ms; meaningful once attempts > 0 */
	unsigned char where;   /* enum pf_sq_where */
	size_t ix;	       /* index in the heap or list it is in */
};

struct pf_sq {
	struct pf_sq_entry **active, **backoff, **unsched;
	size_t a_n, a_cap, b_n, b_cap, u_n, u_cap;
	uint64_t next_seq;
	int64_t initial_ms, max_ms; /* 0: 1000 and 10000 */
};

/* A new pod, or one whose object changed: to active, or to backoff while its
 * back-off runs (kube's Add and Update).  An entry already in active stays. */
void pf_sq_add(struct pf_sq *q, struct pf_sq_entry *e, int64_t now);
/* Move the pods whose back-off ran out by now to active, then pop the first
 * of active; NULL when active is empty. */
struct pf_sq_entry *pf_sq_pop(struct pf_sq *q, int64_t now);
/* A popped pod that fitted nowhere: one more attempt, back-off from now,
 * into unschedulable. */
void pf_sq_unschedulable(struct pf_sq *q, struct pf_sq_entry *e, int64_t now);
/* A popped pod to be tried again as soon as possible (a lost
 * compare-and-swap, a failed write): to active, no back-off. */
void pf_sq_requeue(struct pf_sq *q, struct pf_sq_entry *e);
/* A cluster event: every unschedulable pod to backoff or active. */
void pf_sq_move_all(struct pf_sq *q, int64_t now);
/* Take e out of wherever it is (no-op for PF_SQ_NONE). */
void pf_sq_remove(struct pf_sq *q, struct pf_sq_entry *e);
/* The back-off of the next failure: initial << attempts, at most max. */
int64_t pf_sq_backoff_ms(const struct pf_sq *q, unsigned attempts);
/* When the first back-off runs out (INT64_MAX when none is waiting). */
int64_t pf_sq_next_backoff(const struct pf_sq *q);
static inline size_t pf_sq_active_len(const struct pf_sq *q)
{
	return q->a_n;
}
/* Free the arrays (the entries are the caller's). */
void pf_sq_free(struct pf_sq *q);

#endif
