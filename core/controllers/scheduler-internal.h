/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scheduler-internal.h - the scheduler thread's state: its cluster view
 * (clusterview.h), its queue, lease and binder, shared by scheduler_loop.c
 * and the controllers it runs while it leads (nodelifecycle.c,
 * tainteviction.c).  Only the scheduler thread touches it, so it has no
 * lock.  Not for other modules.
 */
#ifndef PODFS_SCHEDULER_INTERNAL_H
#define PODFS_SCHEDULER_INTERNAL_H

#include <pthread.h>

#include "clusterview.h"
#include "lease.h"
#include "listwatch.h"
#include "schedqueue.h"
#include "scheduler.h"

struct pf_sched {
	struct pf_store *store;
	struct pf_sched_opts opts;
	pthread_t thread;
	bool started;
	bool stopping;
	struct pf_listwatch *lw; /* the thread's; pf_sched_stop cancels it */
	struct pf_lease lease;
	struct pf_sched_ctx ctx;

	struct pf_cluster view; /* the pods and nodes, shared with the controllers */

	struct pf_sq queue;
	struct sched_binder *binder;  /* the thread that commits batches */
	struct sched_batch *inflight; /* the batch it commits, NULL when none */
	bool move_all;		      /* a change that may let unschedulable pods fit */
	uint64_t move_gen;	      /* moves of all unschedulable pods done so far */
	bool evict_dirty;	      /* NoExecute taints or bound pods changed */
	bool evict_scheduled;	      /* some pod may have an eviction scheduled */
	int64_t next_evict_mono;

	int64_t next_resync_mono, next_renew_mono, next_nodes_mono, backoff_until_mono;

	pthread_mutex_t stats_lock;
	struct pf_sched_stats stats;
};

#define spod_of(e) ((struct spod *)(void *)((char *)(e)-offsetof(struct spod, q)))

/* Re-read one key and apply it to the view (after losing a CAS). */
void pf_sched_refresh(struct pf_sched *s, const char *key);

/* The node lifecycle controller's pass (leader only); returns when it wants
 * to run next (monotonic ms). */
int64_t pf_nodelifecycle_run(struct pf_sched *s);
/* The taint eviction controller's pass over every bound pod (leader only,
 * tainteviction.c); returns when it wants to run next (monotonic ms,
 * INT64_MAX: on a change). */
int64_t pf_tainteviction_run(struct pf_sched *s);
/* The same for one pod that was bound or changed, at once (a no-op unless
 * this process leads and runs the controllers). */
void pf_tainteviction_pod(struct pf_sched *s, struct spod *p);

#endif
