/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podsync-internal.h - what the two halves of a syncPod pass share:
 * podsync.c (the containers and the pod's status) and podstop.c (deletion,
 * the active deadline, emptyDir eviction), and what podrec.c below them
 * gives both.  Nothing else includes it.
 */
#ifndef PODFS_NODE_PODSYNC_INTERNAL_H
#define PODFS_NODE_PODSYNC_INTERNAL_H

#include "podsync.h"

/* Add an event to the pass's result. */
void pf_sync_add_event(struct pf_sync_result *res, const char *type, const char *reason,
		       const char *fmt, ...) PF_PRINTF(4, 5);
/* Ask for the next pass no later than wall time t (0: no wish). */
void pf_sync_want_at(struct pf_sync_result *res, int64_t t);
/* The hollow runtime (fake): no real containers, passes take microseconds. */
bool pf_sync_hollow(const struct pf_sync_ctx *ctx);
/* podrec.c: what both halves use. */
/* Remember the runtime ID of the pod's container name. */
void pf_podrec_add_id(struct pf_podrec *rec, const char *name, const char *id);
/* Forget the i-th remembered ID. */
void pf_podrec_drop_id(struct pf_podrec *rec, size_t i);
/* The runtime ID in a containerID of this runtime ("fake://abc" -> "abc"),
 * NULL for another runtime's or none. */
const char *pf_sync_own_id(const struct pf_sync_ctx *ctx, const char *container_id);
/* The terminated state of an exited container (st from the runtime). */
struct pf_container_state pf_sync_exit_state(const struct pf_sync_ctx *ctx,
					     const struct pf_rt_status *st,
					     const struct pf_container_status *cs);
/* Add "<now> step" to the pod's timeline annotation, in time order. */
void pf_pod_timeline(struct pf_pod *pod, const char *step, int64_t now);

/* podstop.c.  A pass over a pod being deleted: preStop hooks, the grace
 * period, then removal (res->action says when the object may go). */
void pf_sync_delete(const struct pf_sync_ctx *ctx, struct pf_podrec *rec, struct pf_pod *pod,
		    struct pf_sync_result *res);
/* activeDeadlineSeconds passed: the containers are stopped for good and
 * true is returned (the pod goes Failed, DeadlineExceeded). */
bool pf_sync_deadline_exceeded(const struct pf_sync_ctx *ctx, struct pf_podrec *rec,
			       struct pf_pod *pod, bool *initialized, struct pf_sync_result *res);
/* An emptyDir over its sizeLimit: the pod is evicted; returns kubelet's
 * message (caller frees), NULL when nothing is over. */
char *pf_sync_volume_over_limit(const struct pf_sync_ctx *ctx, struct pf_podrec *rec,
				struct pf_pod *pod, bool *initialized, struct pf_sync_result *res);

#endif
