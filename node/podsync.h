/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podsync.h - one pass of kubelet's syncPod for one pod: compare what the
 * pod object asks for with what the runtime holds, tell the runtime what to
 * create, start, stop or remove, and work out the pod's new status.
 *
 * It changes the pod object in memory and says what to do with it (write
 * it, delete it, nothing); the agent (agent.c) writes, with compare-and-swap
 * and batched with other pods.  It never touches the store, so a pass whose
 * write loses a race costs nothing but a second pass.
 */
#ifndef PODFS_NODE_PODSYNC_H
#define PODFS_NODE_PODSYNC_H

#include "hook.h"
#include "types.h"
#include "probe.h"
#include "runtime.h"

struct pf_pod_want;

/* kubelet's image pull back-off, per image of a pod: in memory only, as
 * kubelet's is (a restarted agent tries at once). */
struct pf_pull_backoff {
	char *image;
	int fails;	 /* failed attempts in a row */
	int64_t next_ms; /* no attempt before this wall time */
	char *why;	 /* the last attempt's error */
};

/* What the agent remembers of a pod bound to one of its nodes.  The pod
 * object is the source of truth for everything else (container IDs are in
 * its status), so losing this on a restart loses nothing. */
struct pf_podrec {
	char *name;
	char *uid;
	size_t node;	       /* index of the agent's node that holds it */
	char *sandbox_id;      /* NULL until created (or after a restart: unknown) */
	struct pf_strmap ids;  /* container name -> runtime ID, created or adopted */
	int64_t wrote_rev;     /* the revision of the agent's last write of it */
	bool retry;	       /* the last pass failed; the resync timer tries again */
	int64_t next_ms;       /* pass again at this wall time (back-off, grace period) */
	int64_t kill_ms;       /* deleting: the stop signal went out; SIGKILL at this time */
	bool killed;	       /* deleting: SIGKILL went out */
	struct pf_hook *hooks; /* deleting: the preStop hooks started (hook.h) */
	struct pf_pull_backoff *pulls;
	size_t n_pulls;
	struct pf_podrec *next; /* the dying list once gone (agent.c) */
	/* agent.c's pod workers, under the agent's lock, as are wrote_rev,
	 * retry and next_ms (a pass of this pod runs on one worker at a time,
	 * so everything above is that worker's during a pass). */
	bool busy;		  /* a worker runs a pass of it now */
	bool queued;		  /* it waits on the run queue */
	bool gone;		  /* its object is gone: tear it down, then free it */
	bool has_runtime;	  /* it held a sandbox or containers after its last pass */
	struct pf_pod_want *want; /* the newest stored object to pass over; NULL = none */
	struct pf_podrec *q_next; /* run queue */
};
void pf_podrec_free(struct pf_podrec *rec);
/* Wait for the record's preStop hooks (each ends by its deadline) and free
 * them. */
void pf_podrec_drop_hooks(struct pf_podrec *rec);

/* The node side of a pass. */
struct pf_sync_ctx {
	struct pf_runtime *rt; /* NULL: no runtime can run (rt_down says why) */
	const char *rt_down;
	const char *node;    /* node name: events' source.host */
	const char *host_ip; /* the node's InternalIP: status.hostIP */
	int64_t now;
	/* The crash loop and image pull back-offs: first delay (0 = 10 s) and
	 * cap (0 = 300 s, or 30 x a given base). */
	int64_t backoff_base_ms;
	int64_t backoff_max_ms;
	struct pf_prober *prober; /* NULL: no probes run (containers are ready once running) */
};

struct pf_sync_event {
	const char *type;   /* Normal | Warning */
	const char *reason; /* Started, Killing, FailedCreatePodSandBox ... */
	char *message;
};

enum pf_sync_action {
	PF_SYNC_KEEP = 0, /* nothing to store (the status may still have been recomputed) */
	PF_SYNC_WRITE,	  /* store the changed pod */
	PF_SYNC_DELETE,	  /* every container is gone: delete the pod object */
};

struct pf_sync_result {
	enum pf_sync_action action;
	struct pf_sync_event *events; /* to store with the write, and only with it */
	size_t n_events;
	bool retry;
	int64_t next_ms; /* pass again at this wall time at the latest (0 = no need) */
	bool write;	 /* store the events even when the status did not change */
};
void pf_sync_result_free(struct pf_sync_result *r);

/* One pass over pod (bound to ctx->node), changing pod in place.  Decides
 * the action by comparing the object before and after. */
void pf_pod_sync(const struct pf_sync_ctx *ctx, struct pf_podrec *rec, struct pf_pod *pod,
		 struct pf_sync_result *res);

/* The pod object is gone (deleted by force): stop and remove whatever the
 * runtime still runs for it.  Failures are logged. */
void pf_podrec_teardown(struct pf_runtime *rt, struct pf_podrec *rec);

/* The annotation components append "<epoch ms> <step>" lines to. */
#define PF_TIMELINE_ANNOTATION "podfs.io/timeline"

#endif
