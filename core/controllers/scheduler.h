/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scheduler.h - the scheduler: where a pending pod goes, and the thread that
 * binds pods and watches over nodes.
 *
 * Two layers.  The decision functions (core/controllers/scheduler.c) are pure: they work on
 * compact tables of nodes and pods and never touch the store, so unit tests
 * drive them with tables.  They follow kube-scheduler's default profile for
 * what podfs runs: the filters NodeUnschedulable, NodeName, TaintToleration,
 * NodeAffinity (nodeSelector), NodeResourcesFit (cpu, memory, pods), in that
 * order, the first failing filter giving a node's reason (NodeResourcesFit
 * gives all of its reasons); the scores LeastAllocated (cpu and memory, with
 * kube's defaults of 100m and 200MB for pods requesting nothing) and
 * TaintToleration (PreferNoSchedule); kube's adaptive percentage of nodes to
 * score; and FitError's message: "0/3 nodes are available: 1 node(s) had
 * untolerated taint {node-role: master}, 2 Insufficient memory." (reasons
 * counted, "COUNT REASON" strings sorted bytewise).  Preemption is not run,
 * so no "preemption: ..." tail follows.
 *
 * The loop (core/controllers/scheduler_loop.c) is one thread per process: it lists and
 * watches /registry/, keeps its own compact view, takes part in the
 * kube-scheduler lease (core/lease.h) and, while it holds it, binds pending
 * pods in batched compare-and-swap transactions and runs the node lifecycle
 * controller (core/controllers/nodelifecycle.c).  It talks to nothing but the store.
 */
#ifndef PODFS_SCHEDULER_H
#define PODFS_SCHEDULER_H

#include <sys/types.h>

#include "errors.h"
#include "types.h"
#include "store.h"

/* Taint effects as bits; a toleration with effect 0 tolerates every effect. */
enum {
	PF_EFFECT_NOSCHEDULE = 1,
	PF_EFFECT_PREFER = 2, /* PreferNoSchedule: scores only */
	PF_EFFECT_NOEXECUTE = 4,
};
unsigned pf_taint_effect(const char *s); /* 0 for NULL, "" or unknown */

struct pf_sched_taint {
	char *key;
	char *value; /* "" when unset */
	unsigned effect;
};

struct pf_sched_tol {
	char *key;   /* "" with exists: tolerates every taint */
	char *value; /* "" when unset */
	bool exists; /* operator Exists (else Equal) */
	unsigned effect;
	bool has_seconds; /* tolerationSeconds set (NoExecute only) */
	int64_t seconds;
};

/* What the Ready condition of a node says. */
enum pf_node_ready { PF_READY_UNKNOWN = 0, PF_READY_TRUE, PF_READY_FALSE };

/* Kube-scheduler's stand-ins for a zero request, used only for scoring
 * (schedutil.DefaultMilliCPURequest, DefaultMemoryRequest). */
#define PF_SCHED_DEFAULT_MILLICPU 100
#define PF_SCHED_DEFAULT_MEMORY	  (200LL * 1024 * 1024)

struct pf_sched_node {
	char *name;
	int64_t alloc_cpu;  /* millicores */
	int64_t alloc_mem;  /* bytes */
	int64_t alloc_pods; /* default 110 when allocatable has no pods */
	/* What the non-terminal pods bound here request (filter) and the same
	 * with the defaults for zero requests (score). */
	int64_t used_cpu, used_mem, nz_cpu, nz_mem, npods;
	struct pf_strmap labels;
	/* spec.taints, then the taint the Ready condition implies when the
	 * node lacks it (not-ready for False, unreachable for Unknown), as the
	 * node lifecycle controller's TaintNodesByCondition would add it. */
	struct pf_sched_taint *taints;
	size_t n_taints;
	bool unschedulable;
	enum pf_node_ready ready;
};

struct pf_sched_pod {
	char *name;
	char *node_name;	/* spec.nodeName, NULL when unset */
	int64_t cpu, mem;	/* effective requests (millicores, bytes) */
	int64_t nz_cpu, nz_mem; /* the same with the scoring defaults */
	struct pf_strmap selector;
	struct pf_sched_tol *tols;
	size_t n_tols;
};

/* The pod's effective requests as Kubernetes computes them
 * (resourcehelper.PodRequests): the sum over app containers, raised to the
 * largest init container (restartable init containers, "sidecars", add up
 * with the ones before them and with the app containers). */
void pf_sched_pod_requests(const struct pf_pod *pod, int64_t *cpu, int64_t *mem);
void pf_sched_pod_nonzero(const struct pf_pod *pod, int64_t *cpu, int64_t *mem);

/* Fill the compact forms from full objects (copies; clear frees). */
void pf_sched_pod_init(struct pf_sched_pod *out, const struct pf_pod *pod);
void pf_sched_pod_clear(struct pf_sched_pod *p);
/* Usage (used_*, npods) starts at zero: the caller adds the bound pods. */
void pf_sched_node_init(struct pf_sched_node *out, const struct pf_node *node);
void pf_sched_node_clear(struct pf_sched_node *n);
enum pf_node_ready pf_node_ready_of(const struct pf_node *node);

/* Add (sign 1) or remove (sign -1) a bound pod's requests. */
void pf_sched_node_account(struct pf_sched_node *n, int64_t cpu, int64_t mem, int64_t nz_cpu,
			   int64_t nz_mem, int sign);

/* Filter reasons (bits). */
enum {
	PF_FIT_UNSCHEDULABLE = 1 << 0, /* node(s) were unschedulable */
	PF_FIT_NODE_NAME = 1 << 1,     /* node(s) didn't match the requested node name */
	PF_FIT_TAINT = 1 << 2,	       /* node(s) had untolerated taint {k: v} */
	PF_FIT_SELECTOR = 1 << 3,      /* node(s) didn't match Pod's node affinity/selector */
	PF_FIT_PODS = 1 << 4,	       /* Too many pods */
	PF_FIT_CPU = 1 << 5,	       /* Insufficient cpu */
	PF_FIT_MEMORY = 1 << 6,	       /* Insufficient memory */
};

/* 0 when the pod fits the node, else the reason bits; *taint (may be NULL)
 * is the untolerated taint for PF_FIT_TAINT. */
unsigned pf_sched_filter(const struct pf_sched_pod *pod, const struct pf_sched_node *node,
			 const struct pf_sched_taint **taint);

/*
 * Taint-based eviction, as kube-controller-manager's taint eviction
 * controller decides it for a pod bound to node: PF_EVICT_NEVER when the node
 * has no NoExecute taint or the pod tolerates every one of them without
 * tolerationSeconds; 0 when some NoExecute taint is not tolerated (evict
 * now); else the smallest tolerationSeconds of the tolerations used, in ms
 * (0 again when one is <= 0).  Each taint is matched by the first toleration
 * that tolerates it (v1helper.GetMatchingTolerations).
 */
#define PF_EVICT_NEVER (-1)
int64_t pf_sched_noexecute(const struct pf_sched_tol *tols, size_t n_tols,
			   const struct pf_sched_node *node);
/* Does the node carry a NoExecute taint? */
bool pf_sched_node_noexecute(const struct pf_sched_node *node);
/* The tolerations that can tolerate a NoExecute taint (effect NoExecute or
 * any), copied into one allocation that free() releases; NULL when none. */
struct pf_sched_tol *pf_sched_tols_noexecute(const struct pf_sched_tol *tols, size_t n,
					     size_t *out_n);
/* The same taken from a pod's spec.tolerations. */
struct pf_sched_tol *pf_sched_pod_tols_noexecute(const struct pf_pod *pod, size_t *out_n);

/* The resource part of a node's score for given allocatable and requested
 * amounts: a pure function, remembered per node index because most pods
 * meet most nodes unchanged since the last pod (four divisions a node were
 * most of a pick). */
struct pf_sched_score_memo {
	int64_t acpu, amem, rcpu, rmem, score;
};

/* Scratch space and the rotating start of pf_sched_pick, one per scheduler. */
struct pf_sched_ctx {
	size_t next_start;
	size_t *feasible;
	int64_t *scores;
	struct pf_sched_score_memo *memo;
	size_t cap;
};
void pf_sched_ctx_free(struct pf_sched_ctx *c);

/* How many feasible nodes kube-scheduler looks for before it stops
 * (numFeasibleNodesToFind with the adaptive default). */
size_t pf_sched_nodes_to_find(size_t n_nodes);

/*
 * Choose a node for pod among nodes[0..n).  Returns its index, or -1 with
 * the FailedScheduling message in why ("no nodes available to schedule
 * pods" when n is 0).  Nodes are examined from c->next_start on, wrapping,
 * until pf_sched_nodes_to_find() feasible ones are found; the highest score
 * wins; a tie goes to the node with fewer pods, then to the first examined,
 * so equal nodes take pods in turn.  Deterministic for given inputs.
 */
ssize_t pf_sched_pick(struct pf_sched_ctx *c, const struct pf_sched_pod *pod,
		      const struct pf_sched_node *nodes, size_t n, struct pf_buf *why);

/* The loop. */
struct pf_sched_opts {
	const char *identity;	 /* lease holder identity; NULL: HOSTNAME_UUID */
	int lease_duration_ms;	 /* 0: 15000 */
	int renew_ms;		 /* 0: 2000 */
	int node_grace_ms;	 /* 0: 40000 (node-monitor-grace-period) */
	int resync_ms;		 /* 0: 60000: unschedulable pods are retried at least this often */
	size_t batch;		 /* pods a bind transaction at most; 0: 250 */
	bool no_node_controller; /* schedule only */
};
struct pf_sched;

/* Start the thread.  Errors: the store's, while listing. */
int pf_sched_start(struct pf_store *s, const struct pf_sched_opts *opts, struct pf_sched **out,
		   struct pf_err *err);
/* Stop the thread, release the lease if held, free everything.  NULL ok. */
void pf_sched_stop(struct pf_sched *s);

/* For tests and the benchmark: counters since start. */
struct pf_sched_stats {
	bool leader;
	uint64_t bound;		/* pods bound by this scheduler */
	uint64_t conflicts;	/* bind ops that lost a compare-and-swap */
	uint64_t txns;		/* bind transactions committed */
	uint64_t unschedulable; /* FailedScheduling updates written */
};
void pf_sched_get_stats(struct pf_sched *s, struct pf_sched_stats *out);

#endif
