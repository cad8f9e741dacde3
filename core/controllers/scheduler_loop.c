/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scheduler_loop.c - the scheduler thread: list and watch /registry/, keep a
 * compact view of pods and nodes, hold the kube-scheduler lease, and while
 * holding it bind pending pods in batched compare-and-swap transactions.
 *
 * Every process runs the thread and keeps its view current, so a takeover
 * is immediate; only the lease holder writes.  A bind is an UPDATE of the
 * pod expecting the revision the view holds, so a pod is never bound twice,
 * whoever else writes.  Pods that fit nowhere are parked and retried when
 * something that could make them fit happens (a node added or changed in a
 * way the filters read, a pod gone or finished), or on a slow resync; their
 * PodScheduled=False condition and FailedScheduling event are written only
 * when the message changes.  No polling: the thread sleeps in
 * pf_listwatch_next() until a change or its next timer (lease renewal, node
 * controller pass, resync).
 *
 * It must not block on anything but the store, and it never writes a pod
 * without the revision it read.
 */
#include "scheduler-internal.h"
#include "api.h"
#include "log.h"
#include "manifest.h"
#include "wellknown.h"

#include <errno.h>

/* ---- the view ---- */

static bool terminal(const struct spod *p)
{
	return p->phase == PH_SUCCEEDED || p->phase == PH_FAILED;
}

/* Does the pod's request count against its node? */
static bool counted(const struct spod *p)
{
	return p->node && !terminal(p);
}

static bool needs_sched(const struct spod *p)
{
	return !p->dead && !p->node && p->ours && !p->deleting && p->phase == PH_PENDING;
}

static void account(struct pf_sched *s, const struct spod *p, int sign)
{
	ssize_t i;

	if (!counted(p) || (i = pf_cluster_node_index(&s->view, p->node)) < 0)
		return;
	pf_sched_node_account(&s->view.nodes[i], p->cpu, p->mem, p->nz_cpu, p->nz_mem, sign);
}

static void forget_pending(struct spod *p)
{
	if (p->sp) {
		pf_sched_pod_clear(p->sp);
		free(p->sp);
		p->sp = NULL;
	}
	pf_pod_free(p->pod);
	p->pod = NULL;
	free(p->cond_msg);
	p->cond_msg = NULL;
}

static void spod_free(struct pf_sched *s, struct spod *p)
{
	forget_pending(p);
	pf_cluster_tolset_put(&s->view, p->ne);
	free(p->name);
	free(p->uid);
	free(p->node);
	free(p);
}

/* Drop a pod from the view; one in a bind transaction is freed after it. */
static void spod_drop(struct pf_sched *s, struct spod *p)
{
	if (counted(p)) {
		s->move_all = true; /* its requests are free again */
		s->evict_dirty = true;
	}
	account(s, p, -1);
	pf_cluster_pod_del(&s->view, p->name);
	pf_sq_remove(&s->queue, &p->q);
	if (p->in_flight)
		p->dead = true;
	else
		spod_free(s, p);
}

static unsigned char phase_of(const char *ph)
{
	if (!ph || !strcmp(ph, "Pending"))
		return PH_PENDING;
	if (!strcmp(ph, "Running"))
		return PH_RUNNING;
	if (!strcmp(ph, "Succeeded"))
		return PH_SUCCEEDED;
	if (!strcmp(ph, "Failed"))
		return PH_FAILED;
	return PH_UNKNOWN;
}

static void apply_pod(struct pf_sched *s, const char *name, struct pf_kv *kv)
{
	struct spod *p = pf_cluster_pod(&s->view, name);
	_cleanup_pod_ struct pf_pod *pod = NULL;
	struct pf_err err = PF_ERR_INIT;
	const struct pf_condition *c;
	const char *uid;
	bool was_counted;

	if (!kv->value) {
		if (p)
			spod_drop(s, p);
		return;
	}
	if (p && kv->mod_rev <= p->rev)
		return; /* our own write coming back, or older than what we know */
	if (pf_pod_decode(kv->value, kv->len, &pod, &err) < 0) {
		pf_log(PF_LOG_ERROR, "scheduler: cannot read stored pod %s (revision %lld): %s",
		       name, (long long)kv->mod_rev, err.msg);
		return;
	}
	uid = pod->meta.uid ? pod->meta.uid : "";
	if (p && strcmp(p->uid, uid) != 0) {
		spod_drop(s, p); /* deleted and created again under the same name */
		p = NULL;
	}
	if (!p) {
		p = pf_xcalloc(1, sizeof(*p));
		p->name = pf_xstrdup(name);
		p->uid = pf_xstrdup(uid);
		pf_cluster_pod_put(&s->view, p);
	}
	was_counted = counted(p);
	account(s, p, -1);
	free(p->node);
	p->node =
	    pod->spec.node_name && *pod->spec.node_name ? pf_xstrdup(pod->spec.node_name) : NULL;
	p->phase = phase_of(pod->status.phase);
	p->deleting = pod->meta.deletion_ms != 0;
	p->ours = !pod->spec.scheduler_name || !*pod->spec.scheduler_name ||
		  strcmp(pod->spec.scheduler_name, "default-scheduler") == 0;
	pf_sched_pod_requests(pod, &p->cpu, &p->mem);
	pf_sched_pod_nonzero(pod, &p->nz_cpu, &p->nz_mem);
	p->rev = kv->mod_rev;
	p->q.priority = pod->spec.has_priority ? pod->spec.priority : 0;
	p->q.created_ms = pod->meta.creation_ms;
	account(s, p, 1);
	if (was_counted && !counted(p))
		s->move_all = true;
	pf_cluster_tolset_put(&s->view, p->ne);
	p->ne = NULL;
	if (p->node) {
		size_t n;
		struct pf_sched_tol *t = pf_sched_pod_tols_noexecute(pod, &n);

		p->ne = pf_cluster_tolset_get(&s->view, t, n);
	}

	if (!needs_sched(p)) {
		forget_pending(p);
		pf_sq_remove(&s->queue, &p->q);
		pf_tainteviction_pod(s, p);
		return;
	}
	forget_pending(p);
	p->sp = pf_xcalloc(1, sizeof(*p->sp));
	pf_sched_pod_init(p->sp, pod);
	p->pod = PF_TAKE(pod);
	c = pf_condition_find(p->pod->status.conditions, p->pod->status.n_conditions,
			      "PodScheduled");
	if (c && c->status && strcmp(c->status, "False") == 0)
		p->cond_msg = pf_xstrdup(c->message ? c->message : "");
	/* New, or changed by someone else (its tolerations, say): kube's
	 * Add/Update put it to active, or to backoff while that runs. */
	if (!p->in_flight)
		pf_sq_add(&s->queue, &p->q, pf_cluster_mono_ms());
}

static bool strmap_equal(const struct pf_strmap *a, const struct pf_strmap *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const char *v = pf_strmap_get(b, a->items[i].key);
		if (!v || strcmp(v, a->items[i].value) != 0)
			return false;
	}
	return true;
}

/* Would the filters or scores see a difference? (Heartbeats alone do not
 * count, or every node's status update would retry every parked pod.) */
static bool node_sched_equal(const struct pf_sched_node *a, const struct pf_sched_node *b)
{
	if (a->alloc_cpu != b->alloc_cpu || a->alloc_mem != b->alloc_mem ||
	    a->alloc_pods != b->alloc_pods || a->unschedulable != b->unschedulable ||
	    a->ready != b->ready || a->n_taints != b->n_taints ||
	    !strmap_equal(&a->labels, &b->labels))
		return false;
	for (size_t i = 0; i < a->n_taints; i++)
		if (a->taints[i].effect != b->taints[i].effect ||
		    strcmp(a->taints[i].key, b->taints[i].key) != 0 ||
		    strcmp(a->taints[i].value, b->taints[i].value) != 0)
			return false;
	return true;
}

static unsigned cond_taints(const struct pf_node *node)
{
	unsigned m = 0;

	for (size_t i = 0; i < node->n_taints; i++) {
		const struct pf_taint *t = &node->taints[i];
		unsigned e = pf_taint_effect(t->effect);
		bool nr = t->key && strcmp(t->key, PF_TAINT_NOT_READY) == 0;
		bool ur = t->key && strcmp(t->key, PF_TAINT_UNREACHABLE) == 0;

		if (nr && e == PF_EFFECT_NOSCHEDULE)
			m |= CT_NR_NS;
		if (nr && e == PF_EFFECT_NOEXECUTE)
			m |= CT_NR_NE;
		if (ur && e == PF_EFFECT_NOSCHEDULE)
			m |= CT_UR_NS;
		if (ur && e == PF_EFFECT_NOEXECUTE)
			m |= CT_UR_NE;
	}
	return m;
}

static void remove_node(struct pf_sched *s, size_t i)
{
	size_t last = s->view.n_nodes - 1;

	pf_cluster_node_index_del(&s->view, s->view.nodes[i].name);
	pf_sched_node_clear(&s->view.nodes[i]);
	if (i != last) {
		s->view.nodes[i] = s->view.nodes[last];
		s->view.nx[i] = s->view.nx[last];
		pf_cluster_node_index_set(&s->view, s->view.nodes[i].name, i);
	}
	s->view.n_nodes--;
}

static void apply_node(struct pf_sched *s, const char *name, const struct pf_kv *kv)
{
	ssize_t i = pf_cluster_node_index(&s->view, name);
	_cleanup_node_ struct pf_node *node = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct pf_sched_node nn;
	const struct pf_condition *rc;
	struct spod *p;
	int64_t hb;

	if (!kv->value) {
		if (i >= 0)
			remove_node(s, (size_t)i);
		s->evict_dirty = true;
		return;
	}
	if (i >= 0 && kv->mod_rev <= s->view.nx[i].rev)
		return;
	if (pf_node_decode(kv->value, kv->len, &node, &err) < 0) {
		pf_log(PF_LOG_ERROR, "scheduler: cannot read stored node %s: %s", name, err.msg);
		return;
	}
	pf_sched_node_init(&nn, node);
	rc = pf_condition_find(node->conditions, node->n_conditions, "Ready");
	hb = rc ? rc->last_probe_ms : 0;
	if (i < 0) {
		if (s->view.n_nodes == s->view.cap_nodes) {
			s->view.cap_nodes = s->view.cap_nodes ? s->view.cap_nodes * 2 : 16;
			s->view.nodes =
			    pf_xrealloc(s->view.nodes, s->view.cap_nodes * sizeof(*s->view.nodes));
			s->view.nx =
			    pf_xrealloc(s->view.nx, s->view.cap_nodes * sizeof(*s->view.nx));
		}
		i = (ssize_t)s->view.n_nodes++;
		s->view.nodes[i] = nn;
		memset(&s->view.nx[i], 0, sizeof(s->view.nx[i]));
		s->view.nx[i].hb_ms = hb;
		s->view.nx[i].hb_seen_mono = pf_cluster_mono_ms();
		pf_cluster_node_index_set(&s->view, s->view.nodes[i].name, i);
		/* Pods bound to it before it was known now count against it. */
		for (size_t it = 0; (p = pf_cluster_pod_next(&s->view, &it));)
			if (p->node && strcmp(p->node, name) == 0)
				account(s, p, 1);
		s->move_all = true;
		s->evict_dirty = true;
	} else {
		struct pf_sched_node *o = &s->view.nodes[i];

		if (!node_sched_equal(o, &nn))
			s->move_all = s->evict_dirty = true;
		nn.used_cpu = o->used_cpu;
		nn.used_mem = o->used_mem;
		nn.nz_cpu = o->nz_cpu;
		nn.nz_mem = o->nz_mem;
		nn.npods = o->npods;
		/* The map's key points at the name being freed: point it at
		 * the new copy first. */
		pf_cluster_node_index_set(&s->view, nn.name, i);
		pf_sched_node_clear(o);
		*o = nn;
		/* lastHeartbeatTime has whole seconds, so an agent that
		 * beats more often than once a second writes the same time
		 * again: a Ready write stamped within the current second is
		 * a heartbeat as well.  Counting only changed times made a
		 * node look up to a second older than it was, and go
		 * NotReady that much early with a short grace period. */
		if (hb != s->view.nx[i].hb_ms ||
		    (nn.ready == PF_READY_TRUE && pf_wall_ms() - hb < 1500)) {
			s->view.nx[i].hb_ms = hb;
			s->view.nx[i].hb_seen_mono = pf_cluster_mono_ms();
		}
	}
	s->view.nx[i].rev = kv->mod_rev;
	s->view.nx[i].has_ready = rc != NULL;
	s->view.nx[i].cond_taints = cond_taints(node);
	s->view.nx[i].next_try_mono = 0;
}

static void apply_kv(struct pf_sched *s, struct pf_kv *kv)
{
	const char *name;

	if ((name = pf_key_name(kv->key, PF_POD_PREFIX)))
		apply_pod(s, name, kv);
	else if ((name = pf_key_name(kv->key, PF_NODE_PREFIX)))
		apply_node(s, name, kv);
}

void pf_sched_refresh(struct pf_sched *s, const char *key)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_kv kv = {0};
	int r = pf_store_get(s->store, key, &kv, &err);

	if (r == -ENOENT) {
		kv.key = (char *)key;
		apply_kv(s, &kv);
		return;
	}
	if (r < 0) {
		pf_log(PF_LOG_WARN, "scheduler: re-read %s: %s", key, err.msg);
		return;
	}
	apply_kv(s, &kv);
	pf_kv_free(&kv);
}

static void view_clear(struct pf_sched *s)
{
	struct spod *p;

	s->queue.a_n = s->queue.b_n = s->queue.u_n = 0;
	for (size_t it = 0; (p = pf_cluster_pod_next(&s->view, &it));) {
		p->q.where = PF_SQ_NONE;
		if (p->in_flight)
			p->dead = true;
		else
			spod_free(s, p);
	}
	pf_cluster_clear(&s->view);
}

/* Replace the view with a listing (the list-and-watch's), and free it. */
static void load(struct pf_sched *s, struct pf_kv_list *all)
{
	view_clear(s);
	/* Each value goes as soon as it is read: the listing and the decoded
	 * pending pods together were the scheduler's peak. */
	for (size_t i = 0; i < all->n; i++) {
		apply_kv(s, &all->items[i]);
		pf_kv_free(&all->items[i]);
	}
	pf_kv_list_free(all);
}

/* ---- binding ---- */

struct plan {
	struct spod *p;
	ssize_t node;	    /* -1: unschedulable; valid while the batch is built */
	char *node_name;    /* the node, for when the batch is done */
	char *msg;	    /* FailedScheduling message */
	int64_t now;	    /* wall clock ms of the decision */
	int64_t mono;	    /* the same, monotonic: its back-off counts from there */
	char *key;	    /* the pod's key */
	int64_t expect_rev; /* the revision the decision was made on */
	uint64_t move_gen;  /* s->move_gen when it was made */
	struct pf_buf val;
	char *ev_key;
	struct pf_buf ev_val;
	bool dropped;
};

static void plan_free(struct plan *pl)
{
	free(pl->node_name);
	free(pl->msg);
	free(pl->key);
	pf_buf_release(&pl->val);
	free(pl->ev_key);
	pf_buf_release(&pl->ev_val);
}

/*
 * Encode pod as it will be stored: bound to node (NULL: marked
 * unschedulable with msg).  The changes go on a shallow copy, so pod stays
 * what the store holds at its revision whether or not the write succeeds.
 * The PodScheduled condition changes as pf_condition_set() would change it.
 */
static void encode_scheduled(const struct pf_pod *pod, const char *node, const char *msg,
			     int64_t now, struct pf_buf *out)
{
	struct pf_pod o = *pod;
	const char *status = node ? "True" : "False";
	const struct pf_condition *old;
	struct pf_condition *conds, *c;
	struct pf_pair *ann = NULL;
	_cleanup_free_ char *line = NULL;
	size_t n = pod->status.n_conditions;

	conds = pf_xcalloc(n + 1, sizeof(*conds));
	if (n)
		memcpy(conds, pod->status.conditions, n * sizeof(*conds));
	old = pf_condition_find(pod->status.conditions, n, "PodScheduled");
	if (old) {
		c = &conds[old - pod->status.conditions];
	} else {
		c = &conds[n++];
		c->type = (char *)"PodScheduled";
	}
	if (!c->status || strcmp(c->status, status) != 0) {
		c->status = (char *)status;
		c->last_transition_ms = now;
	}
	c->reason = node ? NULL : (char *)"Unschedulable";
	c->message = node ? NULL : (char *)msg;
	o.status.conditions = conds;
	o.status.n_conditions = n;

	if (node) {
		const char *tl = pf_strmap_get(&pod->meta.annotations, PF_TIMELINE_ANNOTATION);
		size_t na = pod->meta.annotations.n, i;

		o.spec.node_name = (char *)node;
		line = tl && *tl ? pf_xasprintf("%s%s%lld scheduled %s", tl,
						tl[strlen(tl) - 1] == '\n' ? "" : "\n",
						(long long)now, node)
				 : pf_xasprintf("%lld scheduled %s", (long long)now, node);
		ann = pf_xcalloc(na + 1, sizeof(*ann));
		if (na)
			memcpy(ann, pod->meta.annotations.items, na * sizeof(*ann));
		for (i = 0; i < na && strcmp(ann[i].key, PF_TIMELINE_ANNOTATION) != 0; i++)
			;
		if (i == na) {
			ann[i].key = (char *)PF_TIMELINE_ANNOTATION;
			na++;
		}
		ann[i].value = line;
		o.meta.annotations.items = ann;
		o.meta.annotations.n = na;
	}
	o.meta.resource_version = 0;
	pf_pod_encode(&o, out);
	free(conds);
	free(ann);
}

/* The pod as it will be stored, and its event. */
static void plan_build(struct pf_sched *s, struct plan *pl, int64_t now)
{
	struct spod *p = pl->p;
	_cleanup_free_ char *msg = NULL;

	pl->now = now;

	if (pl->node >= 0) {
		const char *node = s->view.nodes[pl->node].name;

		pl->node_name = pf_xstrdup(node);
		encode_scheduled(p->pod, node, NULL, now, &pl->val);
		msg = pf_xasprintf("Successfully assigned default/%s to %s", p->name, node);
		pl->ev_key = pf_api_event_build("Pod", p->name, p->uid, "Normal", "Scheduled",
						"default-scheduler", NULL, msg, &pl->ev_val);
	} else {
		encode_scheduled(p->pod, NULL, pl->msg, now, &pl->val);
		pl->ev_key =
		    pf_api_event_build("Pod", p->name, p->uid, "Warning", "FailedScheduling",
				       "default-scheduler", NULL, pl->msg, &pl->ev_val);
	}
	pl->key = pf_pod_key(p->name);
}

static void stats_add(struct pf_sched *s, uint64_t bound, uint64_t conflicts, uint64_t txns,
		      uint64_t unsched)
{
	pthread_mutex_lock(&s->stats_lock);
	s->stats.bound += bound;
	s->stats.conflicts += conflicts;
	s->stats.txns += txns;
	s->stats.unschedulable += unsched;
	pthread_mutex_unlock(&s->stats_lock);
}

/*
 * A batch's plans are written in one transaction by the binder thread while
 * this thread decides the next batch, so picking and encoding (CPU) overlap
 * with sqlite's inserts and its fsync.  At most one transaction is in
 * flight, and the view changes only in this thread and only while none is:
 * the watch is read after the previous batch is done and before the next
 * one leaves, so a batch's expected revisions were read before it left and
 * our own writes come back only once their revision is known.
 */
struct sched_batch {
	struct plan *pl;
	size_t n;
	struct pf_op *ops;
	size_t *owner; /* ops[i] belongs to pl[owner[i]] */
	size_t nops;
	/* Set by the binder. */
	bool done;
	int r;
	int64_t rev;
	size_t failed;
	struct pf_err err;
};

struct sched_binder {
	struct pf_store *store;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sched_batch *job; /* NULL when idle */
	bool quit;
};

static void *binder_thread(void *arg)
{
	struct sched_binder *bd = arg;

	pthread_setname_np(pthread_self(), "podfs-binder");
	pthread_mutex_lock(&bd->mu);
	for (;;) {
		struct sched_batch *b;
		struct pf_err err = PF_ERR_INIT;
		size_t failed = 0;
		int64_t rev = 0;
		int r;

		while (!bd->job && !bd->quit)
			pthread_cond_wait(&bd->cv, &bd->mu);
		if (!bd->job)
			break;
		b = bd->job;
		pthread_mutex_unlock(&bd->mu);
		r = pf_store_txn(bd->store, b->ops, b->nops, &rev, &failed, &err);
		pthread_mutex_lock(&bd->mu);
		b->r = r;
		b->rev = rev;
		b->failed = failed;
		b->err = err;
		b->done = true;
		bd->job = NULL;
		pthread_cond_broadcast(&bd->cv);
	}
	pthread_mutex_unlock(&bd->mu);
	return NULL;
}

static int binder_start(struct pf_sched *s, struct pf_err *err)
{
	struct sched_binder *bd = pf_xcalloc(1, sizeof(*bd));
	int r;

	bd->store = s->store;
	pthread_mutex_init(&bd->mu, NULL);
	pthread_cond_init(&bd->cv, NULL);
	r = pthread_create(&bd->thread, NULL, binder_thread, bd);
	if (r) {
		pthread_mutex_destroy(&bd->mu);
		pthread_cond_destroy(&bd->cv);
		free(bd);
		return pf_err_sys(err, r, "start the scheduler's binder thread");
	}
	s->binder = bd;
	return 0;
}

static void binder_stop(struct sched_binder *bd)
{
	if (!bd)
		return;
	pthread_mutex_lock(&bd->mu);
	bd->quit = true;
	pthread_cond_broadcast(&bd->cv);
	pthread_mutex_unlock(&bd->mu);
	pthread_join(bd->thread, NULL);
	pthread_mutex_destroy(&bd->mu);
	pthread_cond_destroy(&bd->cv);
	free(bd);
}

static void binder_send(struct sched_binder *bd, struct sched_batch *b)
{
	pthread_mutex_lock(&bd->mu);
	b->done = false;
	bd->job = b;
	pthread_cond_broadcast(&bd->cv);
	pthread_mutex_unlock(&bd->mu);
}

static void binder_wait(struct sched_binder *bd, struct sched_batch *b)
{
	pthread_mutex_lock(&bd->mu);
	while (!b->done)
		pthread_cond_wait(&bd->cv, &bd->mu);
	pthread_mutex_unlock(&bd->mu);
}

/* The pod and its event for every plan still in. */
static void batch_ops(struct sched_batch *b)
{
	b->nops = 0;
	for (size_t k = 0; k < b->n; k++) {
		struct plan *pl = &b->pl[k];

		if (pl->dropped)
			continue;
		b->owner[b->nops] = k;
		b->ops[b->nops++] = (struct pf_op){.kind = PF_OP_UPDATE,
						   .key = pl->key,
						   .value = pl->val.buf,
						   .len = pl->val.len,
						   .expect_rev = pl->expect_rev};
		b->owner[b->nops] = k;
		b->ops[b->nops++] = (struct pf_op){.kind = PF_OP_PUT,
						   .key = pl->ev_key,
						   .value = pl->ev_val.buf,
						   .len = pl->ev_val.len};
	}
}

static struct sched_batch *batch_new(size_t cap)
{
	struct sched_batch *b = pf_xcalloc(1, sizeof(*b));

	b->pl = pf_xcalloc(cap, sizeof(*b->pl));
	b->ops = pf_xcalloc(2 * cap + 1, sizeof(*b->ops));
	b->owner = pf_xcalloc(2 * cap + 1, sizeof(*b->owner));
	return b;
}

static void batch_free(struct pf_sched *s, struct sched_batch *b)
{
	if (!b)
		return;
	for (size_t k = 0; k < b->n; k++) {
		if (!b->pl[k].dropped && b->pl[k].p->dead)
			spod_free(s, b->pl[k].p);
		plan_free(&b->pl[k]);
	}
	free(b->pl);
	free(b->ops);
	free(b->owner);
	free(b);
}

/* Take back what the pick assumed on the plan's node (if it is still there). */
static void unassume(struct pf_sched *s, const struct plan *pl)
{
	ssize_t i = pl->node_name ? pf_cluster_node_index(&s->view, pl->node_name) : -1;

	if (i >= 0)
		pf_sched_node_account(&s->view.nodes[i], pl->p->cpu, pl->p->mem, pl->p->nz_cpu,
				      pl->p->nz_mem, -1);
}

/* A plan that will not be written: out of the batch, and the pod back to
 * the view's care.  A pod gone meanwhile is freed now. */
static void plan_drop(struct pf_sched *s, struct plan *pl)
{
	pl->dropped = true;
	pl->p->in_flight = false;
	if (pl->p->dead)
		spod_free(s, pl->p);
}

/* The written plans: bound pods count on their node, unschedulable ones
 * wait for a cluster event. */
static void batch_apply(struct pf_sched *s, struct sched_batch *b, uint64_t conflicts)
{
	uint64_t bound = 0, unsched = 0;

	for (size_t k = 0; k < b->n; k++) {
		struct plan *pl = &b->pl[k];
		struct spod *p = pl->p;

		if (pl->dropped)
			continue;
		p->in_flight = false;
		if (pl->node_name)
			bound++;
		else
			unsched++;
		if (p->dead) {
			/* Deleted after the commit, before its echo: what the
			 * pick assumed for it is free again. */
			if (pl->node_name)
				unassume(s, pl);
			continue;
		}
		p->rev = b->rev;
		if (pl->node_name) {
			/* Already counted against the node since the pick. */
			p->node = PF_TAKE(pl->node_name);
			pf_cluster_tolset_put(&s->view, p->ne);
			p->ne = NULL;
			if (p->sp) {
				size_t n;
				struct pf_sched_tol *t =
				    pf_sched_tols_noexecute(p->sp->tols, p->sp->n_tols, &n);

				p->ne = pf_cluster_tolset_get(&s->view, t, n);
			}
			forget_pending(p);
			pf_tainteviction_pod(s, p);
		} else {
			/* The kept object follows what was written, as
			 * encode_scheduled() changed it. */
			pf_condition_set(&p->pod->status.conditions, &p->pod->status.n_conditions,
					 "PodScheduled", "False", "Unschedulable", pl->msg,
					 pl->now);
			free(p->cond_msg);
			p->cond_msg = PF_TAKE(pl->msg);
			pf_sq_unschedulable(&s->queue, &p->q, pl->mono);
			/* A cluster event came while it was in flight (kube's
			 * moveRequestCycle): it may fit now, so it waits only
			 * for its back-off, not for the next event. */
			if (pl->move_gen != s->move_gen)
				pf_sq_add(&s->queue, &p->q, pf_cluster_mono_ms());
		}
	}
	stats_add(s, bound, conflicts, bound + unsched ? 1 : 0, unsched);
}

/*
 * A batch's transaction returned r: on a lost compare-and-swap the pod whose
 * revision moved is re-read and left out and the rest written again, here,
 * until it goes through: nothing is written twice, and a pod bound
 * meanwhile by someone else stays theirs.  Any other failure puts the
 * batch back and pauses binding for a second.
 */
static void batch_finish(struct pf_sched *s, struct sched_batch *b)
{
	uint64_t conflicts = 0;
	int r = b->r;

	while (r < 0) {
		if ((r == -ESTALE || r == -ENOENT) && b->failed < b->nops) {
			struct plan *x = &b->pl[b->owner[b->failed]];
			_cleanup_free_ char *key = pf_xstrdup(x->key);

			conflicts++;
			if (x->node_name)
				unassume(s, x);
			pf_log(PF_LOG_DEBUG, "scheduler: %s changed meanwhile; re-reading it",
			       x->p->name);
			/* The view may hold the newer revision already (read
			 * while the batch was built): make the re-read count. */
			x->p->rev = 0;
			plan_drop(s, x);
			/* The pod is in no queue now: the re-read either frees
			 * it (gone) or, still pending, queues it again. */
			pf_sched_refresh(s, key);
			batch_ops(b);
			if (!b->nops)
				break;
			pf_err_clear(&b->err);
			r = pf_store_txn(s->store, b->ops, b->nops, &b->rev, &b->failed, &b->err);
			continue;
		}
		pf_log(PF_LOG_ERROR, "scheduler: bind transaction failed: %s; retrying in 1 s",
		       b->err.msg);
		for (size_t k = 0; k < b->n; k++) {
			struct plan *pl = &b->pl[k];
			bool dead;

			if (pl->dropped)
				continue;
			if (pl->node_name)
				unassume(s, pl);
			dead = pl->p->dead;
			plan_drop(s, pl);
			if (!dead)
				pf_sq_requeue(&s->queue, &pl->p->q);
		}
		s->backoff_until_mono = pf_cluster_mono_ms() + 1000;
		break;
	}
	batch_apply(s, b, conflicts);
}

/* Wait for the batch in flight, if any, and take in its outcome. */
static void flush_inflight(struct pf_sched *s)
{
	struct sched_batch *b = s->inflight;

	if (!b)
		return;
	binder_wait(s->binder, b);
	s->inflight = NULL;
	batch_finish(s, b);
	batch_free(s, b);
}

/* Take up to a batch of pods off the queue and decide for each. */
static struct sched_batch *batch_build(struct pf_sched *s)
{
	size_t cap = s->opts.batch;
	struct sched_batch *b = batch_new(cap);
	int64_t now = pf_wall_ms(), mono = pf_cluster_mono_ms();
	struct pf_sq_entry *e;

	/* One clock for the batch: pods that fail together back off together,
	 * and then come back in priority order. */
	while (b->n < cap && (e = pf_sq_pop(&s->queue, mono))) {
		struct spod *p = spod_of(e);
		struct pf_buf why = PF_BUF_INIT;
		struct plan *x = &b->pl[b->n];

		if (!needs_sched(p))
			continue;
		x->p = p;
		x->expect_rev = p->rev;
		x->move_gen = s->move_gen;
		x->mono = mono;
		x->node = pf_sched_pick(&s->ctx, p->sp, s->view.nodes, s->view.n_nodes, &why);
		if (x->node < 0) {
			x->msg = pf_buf_detach(&why, NULL);
			if (p->cond_msg && strcmp(p->cond_msg, x->msg) == 0) {
				/* Said already: no new event, no write. */
				free(x->msg);
				memset(x, 0, sizeof(*x));
				pf_sq_unschedulable(&s->queue, &p->q, mono);
				continue;
			}
		} else {
			pf_buf_release(&why);
			/* Assume: the next pods see this one, this batch's and
			 * the next one's. */
			pf_sched_node_account(&s->view.nodes[x->node], p->cpu, p->mem, p->nz_cpu,
					      p->nz_mem, 1);
		}
		p->in_flight = true;
		plan_build(s, x, now);
		b->n++;
	}
	if (!b->n) {
		batch_free(s, b);
		return NULL;
	}
	batch_ops(b);
	return b;
}

static void apply_watch(struct pf_sched *s, struct pf_watch_batch *wb)
{
	for (size_t i = 0; i < wb->n; i++)
		apply_kv(s, &wb->events[i].kv);
}

/*
 * Decide the next batch while the previous one commits, then take in the
 * previous one's outcome and what the watch has meanwhile, and send the new
 * one.  Returns false when the watch needs the thread's attention (an
 * error: the caller reloads).
 */
static int schedule_batch(struct pf_sched *s, struct pf_err *err)
{
	struct sched_batch *b = batch_build(s);
	struct pf_watch_batch wb = {0};
	int r;

	flush_inflight(s);
	r = pf_listwatch_next(s->lw, &wb, 0, err);
	if (r >= 0) {
		apply_watch(s, &wb);
		pf_watch_batch_free(&wb);
	}
	if (b) {
		/* Plans whose pod went or changed meanwhile fail their
		 * compare-and-swap in the transaction and are sorted out
		 * then. */
		s->inflight = b;
		binder_send(s->binder, b);
	}
	return r;
}

/* ---- the thread ---- */

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* The watch failed (or fell behind the log's history): list again. */
static void reload(struct pf_sched *s, int r, struct pf_err *err)
{
	struct pf_kv_list all;

	flush_inflight(s);
	if (pf_listwatch_relist(s->lw, r, &all, NULL, err) == 0)
		load(s, &all);
}

/* Is a pod ready to be tried (in active, or its back-off over)? */
static bool have_work(struct pf_sched *s, int64_t now)
{
	return pf_sq_active_len(&s->queue) || pf_sq_next_backoff(&s->queue) <= now;
}

static void lease_tick(struct pf_sched *s, int64_t now)
{
	struct pf_err err = PF_ERR_INIT;
	bool was = s->lease.held;

	if (pf_lease_tick(&s->lease, &err) < 0)
		pf_log(PF_LOG_WARN, "scheduler: lease: %s", err.msg);
	s->next_renew_mono = now + s->opts.renew_ms;
	if (s->lease.held && !was) {
		s->move_all = true;
		s->next_nodes_mono = now;
		s->evict_dirty = true;
	}
	pthread_mutex_lock(&s->stats_lock);
	s->stats.leader = s->lease.held;
	pthread_mutex_unlock(&s->stats_lock);
}

/* The leader's work: bind, then the controllers. */
static int lead(struct pf_sched *s, int64_t now, struct pf_err *err)
{
	int r = 0;

	if (now < s->backoff_until_mono) {
		flush_inflight(s);
		return 0;
	}
	if (s->move_all) {
		pf_sq_move_all(&s->queue, now);
		s->move_all = false;
		s->move_gen++;
	}
	if (have_work(s, now))
		r = schedule_batch(s, err);
	else
		flush_inflight(s);
	if (s->opts.no_node_controller)
		return r;
	if (now >= s->next_nodes_mono)
		s->next_nodes_mono = pf_nodelifecycle_run(s);
	if (s->evict_dirty || now >= s->next_evict_mono) {
		s->evict_dirty = false;
		s->next_evict_mono = pf_tainteviction_run(s);
	}
	return r;
}

static void *sched_thread(void *arg)
{
	struct pf_sched *s = arg;

	pthread_setname_np(pthread_self(), "podfs-sched");
	while (!__atomic_load_n(&s->stopping, __ATOMIC_ACQUIRE)) {
		struct pf_watch_batch b = {0};
		struct pf_err err = PF_ERR_INIT;
		int64_t now = pf_cluster_mono_ms(), wake;
		bool leader;
		int r = 0;

		if (now >= s->next_renew_mono)
			lease_tick(s, now);
		leader = s->lease.held;
		if (now >= s->next_resync_mono) {
			s->move_all = true;
			s->next_resync_mono = now + s->opts.resync_ms;
		}
		if (leader)
			r = lead(s, now, &err);
		else
			flush_inflight(s);
		if (r == -ECANCELED)
			break;
		if (r < 0) {
			reload(s, r, &err);
			continue;
		}
		/* With a batch in flight the watch waits: schedule_batch reads
		 * it between one batch's end and the next one's start. */
		if (s->inflight)
			continue;

		wake = min64(s->next_renew_mono, s->next_resync_mono);
		if (leader && !s->opts.no_node_controller)
			wake = min64(min64(wake, s->next_nodes_mono),
				     s->evict_dirty ? now : s->next_evict_mono);
		now = pf_cluster_mono_ms();
		if (leader) {
			/* Pods to try: now, or when the first back-off ends;
			 * never before a failed transaction's pause is over. */
			int64_t t = pf_sq_active_len(&s->queue) || s->move_all
					? now
					: pf_sq_next_backoff(&s->queue);

			wake = min64(wake, t > s->backoff_until_mono ? t : s->backoff_until_mono);
		}
		/* Without a watch (a reload failed) this is -ENOTCONN:
		 * reload() backs off, then reloads again. */
		r = pf_listwatch_next(s->lw, &b,
				      (int)(wake > now ? min64(wake - now, INT32_MAX) : 0), &err);
		if (r == -ECANCELED)
			break;
		if (r < 0) {
			reload(s, r, &err);
			continue;
		}
		apply_watch(s, &b);
		pf_watch_batch_free(&b);
	}
	flush_inflight(s);
	return NULL;
}

int pf_sched_start(struct pf_store *store, const struct pf_sched_opts *opts, struct pf_sched **out,
		   struct pf_err *err)
{
	struct pf_sched *s = pf_xcalloc(1, sizeof(*s));
	_cleanup_free_ char *ident = NULL;
	struct pf_kv_list all;
	int r;

	s->store = store;
	if (opts)
		s->opts = *opts;
	if (s->opts.lease_duration_ms <= 0)
		s->opts.lease_duration_ms = 15000;
	if (s->opts.renew_ms <= 0)
		s->opts.renew_ms = 2000;
	if (s->opts.node_grace_ms <= 0)
		s->opts.node_grace_ms = 40000;
	if (s->opts.resync_ms <= 0)
		s->opts.resync_ms = 60000;
	if (!s->opts.batch)
		s->opts.batch = 250;
	if (s->opts.identity) {
		ident = pf_xstrdup(s->opts.identity);
	} else {
		char host[256] = "podfs", uid[37];

		gethostname(host, sizeof(host) - 1);
		pf_uuid4(uid);
		ident = pf_xasprintf("%s_%s", host, uid);
	}
	s->opts.identity = NULL; /* the lease keeps the copy */
	pf_lease_init(&s->lease, store, "kube-system", "kube-scheduler", ident,
		      s->opts.lease_duration_ms);
	pthread_mutex_init(&s->stats_lock, NULL);

	s->next_evict_mono = INT64_MAX;
	s->lw = pf_listwatch_new(store, "/registry/", "scheduler");
	r = pf_listwatch_list(s->lw, &all, NULL, err);
	if (r < 0) {
		pf_err_prefix(err, "scheduler: load the store: ");
		pf_sched_stop(s);
		return r;
	}
	load(s, &all);
	r = binder_start(s, err);
	if (r < 0) {
		pf_sched_stop(s);
		return r;
	}
	r = pthread_create(&s->thread, NULL, sched_thread, s);
	if (r) {
		pf_sched_stop(s);
		return pf_err_sys(err, r, "start the scheduler thread");
	}
	s->started = true;
	*out = s;
	return 0;
}

void pf_sched_stop(struct pf_sched *s)
{
	if (!s)
		return;
	__atomic_store_n(&s->stopping, true, __ATOMIC_RELEASE);
	if (s->started) {
		pf_listwatch_cancel(s->lw);
		pthread_join(s->thread, NULL);
	}
	binder_stop(s->binder);
	pf_lease_release(&s->lease);
	pf_listwatch_free(s->lw);
	view_clear(s);
	pf_sq_free(&s->queue);
	pf_cluster_free(&s->view);
	pf_sched_ctx_free(&s->ctx);
	pf_lease_clear(&s->lease);
	pthread_mutex_destroy(&s->stats_lock);
	free(s);
}

void pf_sched_get_stats(struct pf_sched *s, struct pf_sched_stats *out)
{
	pthread_mutex_lock(&s->stats_lock);
	*out = s->stats;
	pthread_mutex_unlock(&s->stats_lock);
}
