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
	bool queued;		 /* in the active queue */
	bool parked;		 /* in the unschedulable list */
	bool dead;		 /* gone from the store; freed by the list that holds it */
	struct pf_sched_pod *sp; /* while pending: what the filters read */
	/* While pending: the object as stored at rev, never changed in place,
	 * so the bind writes it back without decoding the text again (that
	 * decode was a third of the time per bind; ~4 kB a pending pod). */
	struct pf_pod *pod;
	char *cond_msg; /* the PodScheduled=False message stored, NULL when none */
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
	/* Replaced by reloads on the thread, cancelled by pf_sched_stop on
	 * another: watch_lock orders the two (the thread reads it freely). */
	pthread_mutex_t watch_lock;
	struct pf_watch *watch;
	struct pf_lease lease;
	struct pf_sched_ctx ctx;

	struct smap pods;   /* name -> struct spod * */
	struct smap nodeix; /* name -> node index + 1 */
	struct pf_sched_node *nodes;
	struct snode_x *nx;
	size_t n_nodes, cap_nodes;

	struct spod **active; /* FIFO of pods to schedule */
	size_t a_head, a_n, a_cap;
	struct spod **parked; /* unschedulable, waiting for a change */
	size_t p_n, p_cap;
	bool move_all; /* a change that may let parked pods fit */

	int64_t next_resync_mono, next_renew_mono, next_nodes_mono, backoff_until_mono;

	pthread_mutex_t stats_lock;
	struct pf_sched_stats stats;
};

int64_t pf_sched_mono_ms(void);
struct spod *pf_sched_pod_get(struct pf_sched *s, const char *name);
ssize_t pf_sched_node_index(struct pf_sched *s, const char *name);
/* Re-read one key and apply it to the view (after losing a CAS). */
void pf_sched_refresh(struct pf_sched *s, const char *key);

/* The node lifecycle controller's pass (leader only); returns when it wants
 * to run next (monotonic ms). */
int64_t pf_nodelifecycle_run(struct pf_sched *s);

#endif
