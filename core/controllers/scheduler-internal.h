/*
 * scheduler-internal.h - the scheduler thread's view of the cluster, shared
 * by core/scheduler_loop.c (the view, the lease, binding) and
 * core/nodelifecycle.c (the node lifecycle controller).  Only the scheduler
 * thread touches it, so it has no lock.  Not for other modules.
 */
#ifndef PODFS_SCHEDULER_INTERNAL_H
#define PODFS_SCHEDULER_INTERNAL_H

#include <pthread.h>

#include "lease.h"
#include "listwatch.h"
#include "schedqueue.h"
#include "scheduler.h"

enum spod_phase { PH_PENDING = 0, PH_RUNNING, PH_SUCCEEDED, PH_FAILED, PH_UNKNOWN };

/* A pod as the scheduler keeps it: a couple of hundred bytes, plus the
 * decoded object and the filter form while it waits for a node. */
struct spod {
	char *name;
	char *uid;
	char *node;  /* spec.nodeName; NULL until bound */
	int64_t rev; /* mod_rev of the version this view reflects */
	int64_t cpu, mem, nz_cpu, nz_mem;
	unsigned char phase;
	bool deleting;
	bool ours;		 /* schedulerName is default-scheduler */
	bool in_flight;		 /* popped, in a bind transaction not yet done */
	bool dead;		 /* gone from the store while in flight: freed after */
	struct pf_sq_entry q;	 /* its place in the scheduling queue */
	struct pf_sched_pod *sp; /* while pending: what the filters read */
	/* While pending: the object as stored at rev, never changed in place,
	 * so the bind writes it back without decoding the text again (that
	 * decode was a third of the time per bind; ~4 kB a pending pod). */
	struct pf_pod *pod;
	char *cond_msg; /* the PodScheduled=False message stored, NULL when none */
	/* Bound: the tolerations that matter to NoExecute taints (shared;
	 * NULL for none), and the taint eviction scheduled for it. */
	struct tolset *ne;
	int64_t evict_start_mono, evict_at_mono; /* 0: none scheduled */
};

/* A set of tolerations shared by the bound pods that have it: nearly every
 * pod carries the same two (the API server's defaults), and a copy per pod
 * was a megabyte of the view at 10,000 pods. */
struct tolset {
	size_t refs;
	char *key; /* canonical text, the key in pf_sched.tolsets */
	struct pf_sched_tol *tols;
	size_t n;
};

/* Per node, beside the pf_sched_node the decisions read. */
struct snode_x {
	int64_t rev;
	int64_t hb_ms;	       /* the Ready condition's lastHeartbeatTime */
	int64_t hb_seen_mono;  /* when hb_ms last changed, as seen here */
	bool has_ready;	       /* the node has a Ready condition at all */
	unsigned cond_taints;  /* CT_* present in spec.taints */
	int64_t next_try_mono; /* back-off for the node controller's writes */
};
enum { CT_NR_NS = 1, CT_NR_NE = 2, CT_UR_NS = 4, CT_UR_NE = 8 };

/* Open-addressing string -> pointer map (keys point into the values). */
struct smap {
	const char **keys;
	void **vals;
	size_t cap, n;
};

struct pf_sched {
	struct pf_store *store;
	struct pf_sched_opts opts;
	pthread_t thread;
	bool started;
	bool stopping;
	struct pf_listwatch *lw; /* the thread's; pf_sched_stop cancels it */
	struct pf_lease lease;
	struct pf_sched_ctx ctx;

	struct smap pods;    /* name -> struct spod * */
	struct smap tolsets; /* canonical text -> struct tolset * */
	struct smap nodeix;  /* name -> node index + 1 */
	struct pf_sched_node *nodes;
	struct snode_x *nx;
	size_t n_nodes, cap_nodes;

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

int64_t pf_sched_mono_ms(void);
struct spod *pf_sched_pod_get(struct pf_sched *s, const char *name);
ssize_t pf_sched_node_index(struct pf_sched *s, const char *name);
/* Re-read one key and apply it to the view (after losing a CAS). */
void pf_sched_refresh(struct pf_sched *s, const char *key);

/* The node lifecycle controller's pass (leader only); returns when it wants
 * to run next (monotonic ms). */
int64_t pf_nodelifecycle_run(struct pf_sched *s);
/* The taint eviction controller's pass over every bound pod (leader only,
 * core/tainteviction.c); returns when it wants to run next (monotonic ms,
 * INT64_MAX: on a change). */
int64_t pf_tainteviction_run(struct pf_sched *s);
/* The same for one pod that was bound or changed, at once (a no-op unless
 * this process leads and runs the controllers). */
void pf_tainteviction_pod(struct pf_sched *s, struct spod *p);

#endif
