/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nodelifecycle.c - the node lifecycle controller of kube-controller-manager,
 * for podfs: run by the scheduler thread while it holds the lease.
 *
 *  - A node whose Ready condition has not been refreshed (lastHeartbeatTime
 *    unchanged) for the grace period, as this process saw it, gets every
 *    condition Unknown (reason NodeStatusUnknown, "Kubelet stopped posting
 *    node status."), an event NodeNotReady, and (below) the unreachable
 *    taints.
 *  - Taints follow the Ready condition as TaintNodesByCondition and the
 *    taint manager keep them: False -> node.kubernetes.io/not-ready with
 *    NoSchedule and NoExecute; Unknown -> node.kubernetes.io/unreachable
 *    with both; True -> neither.  (NoExecute taints are written but no pod
 *    is evicted for them: podfs does not run taint-based eviction.)
 *  - The pods of a node lost that way get phase Unknown, status.message
 *    "Node N which was running pod P is unresponsive", the Ready condition
 *    False and an event NodeNotReady, so pods/<p>/status reads Unknown (the
 *    word kubectl prints for phase Unknown) and why says which node is lost.
 *    When the node agent posts Ready again it rewrites its pods' status.
 *
 * Every write is a compare-and-swap on the revision just read; a lost race
 * is retried on the next pass, never in a loop.
 */
#include "scheduler-internal.h"
#include "api.h"
#include "log.h"
#include "manifest.h"
#include "wellknown.h"

#include <errno.h>

static void set_cond_taints(struct pf_node *node, unsigned want, int64_t now)
{
	size_t k = 0;
	static const struct {
		unsigned bit;
		const char *key, *effect;
	} all[] = {
	    {CT_NR_NS, PF_TAINT_NOT_READY, "NoSchedule"},
	    {CT_NR_NE, PF_TAINT_NOT_READY, "NoExecute"},
	    {CT_UR_NS, PF_TAINT_UNREACHABLE, "NoSchedule"},
	    {CT_UR_NE, PF_TAINT_UNREACHABLE, "NoExecute"},
	};

	/* Drop the condition taints, keep the others in their order. */
	for (size_t i = 0; i < node->n_taints; i++) {
		struct pf_taint *t = &node->taints[i];
		bool cond =
		    t->key &&
		    (strcmp(t->key, PF_TAINT_NOT_READY) == 0 ||
		     strcmp(t->key, PF_TAINT_UNREACHABLE) == 0) &&
		    (pf_taint_effect(t->effect) & (PF_EFFECT_NOSCHEDULE | PF_EFFECT_NOEXECUTE));

		if (cond) {
			free(t->key);
			free(t->value);
			free(t->effect);
			continue;
		}
		node->taints[k++] = *t;
	}
	node->n_taints = k;
	node->taints = pf_xrealloc(node->taints, (k + 4) * sizeof(*node->taints));
	for (size_t i = 0; i < PF_ARRAY_SIZE(all); i++) {
		struct pf_taint *t;

		if (!(want & all[i].bit))
			continue;
		t = &node->taints[node->n_taints++];
		memset(t, 0, sizeof(*t));
		t->key = pf_xstrdup(all[i].key);
		t->effect = pf_xstrdup(all[i].effect);
		/* The taint manager stamps NoExecute taints (eviction counts
		 * tolerationSeconds from there); NoSchedule ones have no time. */
		if (strcmp(all[i].effect, "NoExecute") == 0)
			t->time_added_ms = now;
	}
}

/* Rewrite node i: conditions Unknown when lost, and the condition taints. */
static void update_node(struct pf_sched *s, size_t i, bool lost, unsigned want)
{
	_cleanup_free_ char *key = pf_xasprintf(PF_NODE_PREFIX "%s", s->view.nodes[i].name);
	_cleanup_free_ char *name = pf_xstrdup(s->view.nodes[i].name);
	_cleanup_node_ struct pf_node *node = NULL;
	_cleanup_buf_ struct pf_buf val = PF_BUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	struct pf_kv kv = {0};
	int64_t now = pf_wall_ms();
	int r;

	s->view.nx[i].next_try_mono = pf_cluster_mono_ms() + 1000;
	r = pf_store_get(s->store, key, &kv, &err);
	if (r < 0)
		return;
	r = pf_node_decode(kv.value, kv.len, &node, &err);
	if (r < 0) {
		pf_kv_free(&kv);
		return;
	}
	if (lost) {
		bool never = !pf_condition_find(node->conditions, node->n_conditions, "Ready");

		for (size_t k = 0; k < node->n_conditions; k++)
			pf_condition_set(&node->conditions, &node->n_conditions,
					 node->conditions[k].type, "Unknown", "NodeStatusUnknown",
					 "Kubelet stopped posting node status.", now);
		if (never)
			pf_condition_set(&node->conditions, &node->n_conditions, "Ready", "Unknown",
					 "NodeStatusNeverUpdated",
					 "Kubelet never posted node status.", now);
	}
	set_cond_taints(node, want, now);
	node->meta.resource_version = 0;
	pf_node_encode(node, &val);
	r = pf_store_update(s->store, key, val.buf, val.len, kv.mod_rev, NULL, &err);
	pf_kv_free(&kv);
	if (r < 0) {
		if (r != -ESTALE && r != -ENOENT)
			pf_log(PF_LOG_WARN, "node controller: update node %s: %s", name, err.msg);
		return;
	}
	if (lost) {
		pf_log(PF_LOG_INFO, "node controller: node %s stopped posting status: NotReady",
		       name);
		pf_api_event(s->store, "Node", name, node->meta.uid, "Normal", "NodeNotReady",
			     "node-controller", "Node %s status is now: NodeNotReady", name);
	}
}

/* MarkPodsNotReady, and phase Unknown (see the file comment). */
static void mark_pod(struct pf_sched *s, struct spod *sp)
{
	_cleanup_pod_ struct pf_pod *pod = NULL;
	_cleanup_buf_ struct pf_buf val = PF_BUF_INIT;
	_cleanup_free_ char *key = pf_pod_key(sp->name);
	struct pf_err err = PF_ERR_INIT;
	struct pf_kv kv = {0};
	const char *ph;
	int64_t now = pf_wall_ms(), rev = 0;
	int r;

	if (pf_store_get(s->store, key, &kv, &err) < 0)
		return;
	r = pf_pod_decode(kv.value, kv.len, &pod, &err);
	if (r < 0 || !pod->spec.node_name || strcmp(pod->spec.node_name, sp->node) != 0 ||
	    pod->meta.deletion_ms) {
		pf_kv_free(&kv);
		return;
	}
	ph = pod->status.phase ? pod->status.phase : "Pending";
	if (strcmp(ph, "Pending") != 0 && strcmp(ph, "Running") != 0) {
		pf_kv_free(&kv);
		return;
	}
	free(pod->status.phase);
	pod->status.phase = pf_xstrdup("Unknown");
	free(pod->status.message);
	pod->status.message =
	    pf_xasprintf("Node %s which was running pod %s is unresponsive", sp->node, sp->name);
	pf_condition_set(&pod->status.conditions, &pod->status.n_conditions, "Ready", "False",
			 "NodeLost", NULL, now);
	pod->meta.resource_version = 0;
	pf_pod_encode(pod, &val);
	r = pf_store_update(s->store, key, val.buf, val.len, kv.mod_rev, &rev, &err);
	pf_kv_free(&kv);
	if (r < 0)
		return;		/* changed meanwhile: the next pass looks again */
	sp->phase = PH_UNKNOWN; /* not again before the watch brings it back */
	pf_api_event(s->store, "Pod", sp->name, sp->uid, "Warning", "NodeNotReady",
		     "node-controller", "Node is not ready");
}

int64_t pf_nodelifecycle_run(struct pf_sched *s)
{
	int64_t now = pf_cluster_mono_ms(), grace = s->opts.node_grace_ms;
	int64_t period = grace / 4 < 50 ? 50 : grace / 4 > 1000 ? 1000 : grace / 4;
	bool any_lost = false;

	for (size_t i = 0; i < s->view.n_nodes; i++) {
		struct snode_x *x = &s->view.nx[i];
		enum pf_node_ready ready = s->view.nodes[i].ready;
		bool silent = now - x->hb_seen_mono > grace;
		unsigned want;

		if (ready == PF_READY_UNKNOWN && x->has_ready && silent)
			any_lost = true;
		if (now < x->next_try_mono)
			continue;
		if ((ready != PF_READY_UNKNOWN || !x->has_ready) && silent) {
			update_node(s, i, true, CT_UR_NS | CT_UR_NE);
			continue;
		}
		if (ready == PF_READY_TRUE)
			want = 0;
		else if (ready == PF_READY_FALSE)
			want = CT_NR_NS | CT_NR_NE;
		else if (x->has_ready)
			want = CT_UR_NS | CT_UR_NE;
		else
			continue; /* not reported yet: the grace period decides */
		if (x->cond_taints != want)
			update_node(s, i, false, want);
	}
	if (any_lost) {
		struct spod *p;

		for (size_t it = 0; (p = pf_cluster_pod_next(&s->view, &it));) {
			ssize_t i;

			if (!p->node || p->deleting ||
			    (p->phase != PH_PENDING && p->phase != PH_RUNNING))
				continue;
			i = pf_cluster_node_index(&s->view, p->node);
			if (i < 0 || s->view.nodes[i].ready != PF_READY_UNKNOWN ||
			    !s->view.nx[i].has_ready || now - s->view.nx[i].hb_seen_mono <= grace)
				continue;
			mark_pod(s, p);
		}
	}
	return now + period;
}
