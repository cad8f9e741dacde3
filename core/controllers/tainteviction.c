/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tainteviction.c - the taint eviction controller of kube-controller-manager
 * for podfs, run by the scheduler thread while it holds the lease, beside
 * the node lifecycle controller.
 *
 *  - A pod bound to a node with a NoExecute taint it does not tolerate is
 *    deleted at once, the way rmdir deletes it (graceful: its node agent
 *    stops it), with condition DisruptionTarget (reason
 *    DeletionByTaintManager) and the event TaintManagerEviction "Marking for
 *    deletion Pod default/x".
 *  - One that tolerates every NoExecute taint of its node, some with
 *    tolerationSeconds, is deleted the smallest of those seconds after the
 *    controller first saw it so; a change that makes it tolerate them
 *    forever, or the taints' removal, cancels that ("Cancelling deletion of
 *    Pod default/x").  Tolerated forever: it stays.
 *  - So the API server's default tolerations (not-ready and unreachable,
 *    300 s, --default-*-toleration-seconds) send a lost node's pods away
 *    five minutes after the node lifecycle controller taints it.
 *
 * A pod is looked at when it is bound or changes (at once, so the order of
 * events holds: a taint removed after a pod was bound cancels its
 * eviction), every pod when a node's taints change, and each pod again
 * when its eviction is due.  The clock of a scheduled eviction lives in
 * this process only, as in kube-controller-manager: a new leader starts
 * counting afresh.  It never
 * writes a pod but through pf_api_delete_pod_why, and it reads only the
 * cluster view (clusterview.h).
 */
#include "scheduler-internal.h"
#include "api.h"
#include "log.h"

#include <errno.h>

#define COMPONENT "taint-eviction-controller"

static void cancel(struct pf_sched *s, struct spod *p)
{
	p->evict_start_mono = p->evict_at_mono = 0;
	pf_api_event(s->store, "Pod", p->name, p->uid, "Normal", "TaintManagerEviction", COMPONENT,
		     "Cancelling deletion of Pod default/%s", p->name);
}

/* Delete p now; false when it has to be tried again. */
static bool evict(struct pf_sched *s, struct spod *p)
{
	struct pf_err err = PF_ERR_INIT;
	int r;

	pf_log(PF_LOG_INFO, "taint eviction: deleting pod %s from node %s", p->name, p->node);
	pf_api_event(s->store, "Pod", p->name, p->uid, "Normal", "TaintManagerEviction", COMPONENT,
		     "Marking for deletion Pod default/%s", p->name);
	r = pf_api_delete_pod_why(s->store, p->name, p->uid, "DisruptionTarget",
				  "DeletionByTaintManager",
				  "Taint manager: deleting due to NoExecute taint", NULL, &err);
	if (r < 0 && r != -ENOENT) {
		pf_log(PF_LOG_WARN, "taint eviction: delete pod %s: %s", p->name, err.msg);
		return false;
	}
	p->evict_start_mono = p->evict_at_mono = 0;
	/* The watch brings the deletion back; until then, not again. */
	p->deleting = true;
	return true;
}

/* When p is to go (0: never), given what its node's taints say now. */
static int64_t due(struct pf_sched *s, struct spod *p, int64_t now)
{
	ssize_t i = pf_cluster_node_index(&s->view, p->node);
	int64_t d = i < 0 ? PF_EVICT_NEVER
			  : pf_sched_noexecute(p->ne ? p->ne->tols : NULL, p->ne ? p->ne->n : 0,
					       &s->view.nodes[i]);

	if (d == PF_EVICT_NEVER) {
		if (p->evict_at_mono)
			cancel(s, p);
		return 0;
	}
	if (d == 0)
		return now;
	/* Scheduled already: it stays as it was first set. */
	if (!p->evict_at_mono) {
		p->evict_start_mono = now;
		p->evict_at_mono = d > INT64_MAX - now ? INT64_MAX : now + d;
	}
	return p->evict_at_mono;
}

/* p goes now, or its eviction is due at (or none). */
static int64_t handle(struct pf_sched *s, struct spod *p, int64_t now)
{
	int64_t at = due(s, p, now);

	if (!at)
		return 0;
	if (at <= now && evict(s, p))
		return 0;
	if (at <= now)
		at = p->evict_at_mono = now + 1000; /* the store failed: again soon */
	s->evict_scheduled = true;
	return at;
}

void pf_tainteviction_pod(struct pf_sched *s, struct spod *p)
{
	int64_t at;

	if (!s->lease.held || s->opts.no_node_controller || !p->node || p->deleting)
		return;
	at = handle(s, p, pf_cluster_mono_ms());
	if (at && at < s->next_evict_mono)
		s->next_evict_mono = at;
}

int64_t pf_tainteviction_run(struct pf_sched *s)
{
	int64_t now = pf_cluster_mono_ms(), next = INT64_MAX;
	bool tainted = false, scheduled = false;
	struct spod *p;

	for (size_t i = 0; i < s->view.n_nodes && !tainted; i++)
		tainted = pf_sched_node_noexecute(&s->view.nodes[i]);
	if (!tainted && !s->evict_scheduled)
		return INT64_MAX;
	for (size_t it = 0; (p = pf_cluster_pod_next(&s->view, &it));) {
		int64_t at;

		if (!p->node || p->deleting)
			continue;
		at = handle(s, p, now);
		if (!at)
			continue;
		scheduled = true;
		if (at < next)
			next = at;
	}
	s->evict_scheduled = scheduled;
	return next;
}
