/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clusterview.h - the cluster as the controllers see it: the pods and nodes
 * the scheduler thread keeps from its list-and-watch, the node index, the
 * shared toleration sets and the monotonic clock they all count in.  The
 * scheduler (scheduler_loop.c) fills it; it and the controllers it runs
 * (nodelifecycle.c, tainteviction.c) read it, so that no controller calls
 * back into the scheduler's loop.
 *
 * Only the scheduler thread touches it, so it has no lock.  It must not
 * read the store nor know the scheduler's queue or lease.
 */
#ifndef PODFS_CLUSTERVIEW_H
#define PODFS_CLUSTERVIEW_H

#include "hashmap.h"
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
	char *key; /* canonical text, the key in pf_cluster.tolsets */
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

/* The view: pods by name, nodes by index (and their index by name). */
struct pf_cluster {
	/* Keys point into the values (hashmap.h borrows them). */
	struct pf_hashmap pods;	   /* name -> struct spod * */
	struct pf_hashmap tolsets; /* canonical text -> struct tolset * */
	struct pf_hashmap nodeix;  /* name -> node index + 1 */
	struct pf_sched_node *nodes;
	struct snode_x *nx;
	size_t n_nodes, cap_nodes;
};

/* The clock every *_mono field counts in, in milliseconds. */
int64_t pf_cluster_mono_ms(void);

/* The pod of that name, NULL when the view has none. */
struct spod *pf_cluster_pod(const struct pf_cluster *v, const char *name);
/* Add p under p->name (which must live as long as p is in the view). */
void pf_cluster_pod_put(struct pf_cluster *v, struct spod *p);
void pf_cluster_pod_del(struct pf_cluster *v, const char *name);
/* Every pod, in no order:  for (size_t it = 0; (p = pf_cluster_pod_next(v, &it));)
 * The view's pods must not be added or removed meanwhile. */
struct spod *pf_cluster_pod_next(const struct pf_cluster *v, size_t *it);

/* The index in nodes of the node of that name, -1 when unknown. */
ssize_t pf_cluster_node_index(const struct pf_cluster *v, const char *name);
/* Index nodes[i] under name, its name: a copy that lives as long as it is
 * indexed (so index the new copy before the old one is freed). */
void pf_cluster_node_index_set(struct pf_cluster *v, const char *name, size_t i);
void pf_cluster_node_index_del(struct pf_cluster *v, const char *name);

/* The shared set equal to tols[0..n) (taken: freed or kept); NULL for
 * none.  Give it back with pf_cluster_tolset_put (NULL is a no-op). */
struct tolset *pf_cluster_tolset_get(struct pf_cluster *v, struct pf_sched_tol *tols, size_t n);
void pf_cluster_tolset_put(struct pf_cluster *v, struct tolset *t);

/* Forget every pod and node, once the caller has disposed of each pod
 * (pods may be freed later; the nodes are cleared here). */
void pf_cluster_clear(struct pf_cluster *v);
/* After pf_cluster_clear, and after every pod gave its toleration set back. */
void pf_cluster_free(struct pf_cluster *v);

#endif
