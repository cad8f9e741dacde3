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
 * pf_watch_next() until a change or its next timer (lease renewal, node
 * controller pass, resync).
 *
 * It must not block on anything but the store, and it never writes a pod
 * without the revision it read.
 */
#include "scheduler-internal.h"
#include "api.h"
#include "log.h"
#include "manifest.h"

#include <errno.h>

int64_t pf_sched_mono_ms(void)
{
	return pf_now_ns() / 1000000;
}

/* ---- a small string map (linear probing, backward-shift deletion) ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static size_t smap_slot(const struct smap *m, const char *k)
{
	size_t i = hash_str(k) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], k) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void *smap_get(const struct smap *m, const char *k)
{
	if (!m->cap)
		return NULL;
	return m->vals[smap_slot(m, k)];
}

static void smap_put(struct smap *m, const char *k, void *v)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct smap old = *m;

		m->cap = old.cap ? old.cap * 2 : 64;
		m->keys = pf_xcalloc(m->cap, sizeof(*m->keys));
		m->vals = pf_xcalloc(m->cap, sizeof(*m->vals));
		m->n = 0;
		for (size_t j = 0; j < old.cap; j++)
			if (old.keys[j])
				smap_put(m, old.keys[j], old.vals[j]);
		free(old.keys);
		free(old.vals);
	}
	i = smap_slot(m, k);
	if (!m->keys[i])
		m->n++;
	m->keys[i] = k;
	m->vals[i] = v;
}

static void smap_del(struct smap *m, const char *k)
{
	size_t i, j;

	if (!m->cap)
		return;
	i = smap_slot(m, k);
	if (!m->keys[i])
		return;
	m->keys[i] = NULL;
	m->vals[i] = NULL;
	m->n--;
	/* Shift back the entries of the run after i that may no longer be
	 * reached from their home slot. */
	for (j = (i + 1) & (m->cap - 1); m->keys[j]; j = (j + 1) & (m->cap - 1)) {
		size_t home = hash_str(m->keys[j]) & (m->cap - 1);
		bool reachable = i <= j ? (home > i && home <= j) : (home > i || home <= j);

		if (reachable)
			continue;
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		m->keys[j] = NULL;
		m->vals[j] = NULL;
		i = j;
	}
}

static void smap_free(struct smap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- the view ---- */

struct spod *pf_sched_pod_get(struct pf_sched *s, const char *name)
{
	return smap_get(&s->pods, name);
}

ssize_t pf_sched_node_index(struct pf_sched *s, const char *name)
{
	uintptr_t v = (uintptr_t)smap_get(&s->nodeix, name);

	return v ? (ssize_t)(v - 1) : -1;
}

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

	if (!counted(p) || (i = pf_sched_node_index(s, p->node)) < 0)
		return;
	pf_sched_node_account(&s->nodes[i], p->cpu, p->mem, p->nz_cpu, p->nz_mem, sign);
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

static void spod_free(struct spod *p)
{
	forget_pending(p);
	free(p->name);
	free(p->uid);
	free(p->node);
	free(p);
}

/* Drop a pod from the view; a list holding it frees it later. */
static void spod_drop(struct pf_sched *s, struct spod *p)
{
	if (counted(p))
		s->move_all = true; /* its requests are free again */
	account(s, p, -1);
	smap_del(&s->pods, p->name);
	if (p->queued || p->parked)
		p->dead = true;
	else
		spod_free(p);
}

static void queue_push(struct pf_sched *s, struct spod *p)
{
	if (s->a_n == s->a_cap) {
		size_t ncap = s->a_cap ? s->a_cap * 2 : 256;
		struct spod **v = pf_xcalloc(ncap, sizeof(*v));

		for (size_t i = 0; i < s->a_n; i++)
			v[i] = s->active[(s->a_head + i) % s->a_cap];
		free(s->active);
		s->active = v;
		s->a_cap = ncap;
		s->a_head = 0;
	}
	s->active[(s->a_head + s->a_n++) % s->a_cap] = p;
	p->queued = true;
}

static struct spod *queue_pop(struct pf_sched *s)
{
	struct spod *p;

	if (!s->a_n)
		return NULL;
	p = s->active[s->a_head];
	s->a_head = (s->a_head + 1) % s->a_cap;
	s->a_n--;
	p->queued = false;
	return p;
}

static void park(struct pf_sched *s, struct spod *p)
{
	PF_GROW(s->parked, s->p_cap, s->p_n + 1);
	s->parked[s->p_n++] = p;
	p->parked = true;
}

/* kube's MoveAllToActiveOrBackoffQueue: parked pods get another try. */
static void unpark_all(struct pf_sched *s)
{
	for (size_t i = 0; i < s->p_n; i++) {
		struct spod *p = s->parked[i];

		p->parked = false;
		if (p->dead)
			spod_free(p);
		else if (needs_sched(p))
			queue_push(s, p);
	}
	s->p_n = 0;
	s->move_all = false;
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
	struct spod *p = pf_sched_pod_get(s, name);
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
		smap_put(&s->pods, p->name, p);
	} else if (p->parked && !p->node) {
		/* Someone else changed a parked pod (its tolerations, say):
		 * look at it again. */
		s->move_all = true;
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
	account(s, p, 1);
	if (was_counted && !counted(p))
		s->move_all = true;

	if (!needs_sched(p)) {
		forget_pending(p);
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
	if (!p->queued && !p->parked)
		queue_push(s, p);
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
		bool nr = t->key && strcmp(t->key, "node.kubernetes.io/not-ready") == 0;
		bool ur = t->key && strcmp(t->key, "node.kubernetes.io/unreachable") == 0;

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
	size_t last = s->n_nodes - 1;

	smap_del(&s->nodeix, s->nodes[i].name);
	pf_sched_node_clear(&s->nodes[i]);
	if (i != last) {
		s->nodes[i] = s->nodes[last];
		s->nx[i] = s->nx[last];
		smap_put(&s->nodeix, s->nodes[i].name, (void *)(uintptr_t)(i + 1));
	}
	s->n_nodes--;
}

static void apply_node(struct pf_sched *s, const char *name, const struct pf_kv *kv)
{
	ssize_t i = pf_sched_node_index(s, name);
	_cleanup_node_ struct pf_node *node = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct pf_sched_node nn;
	const struct pf_condition *rc;
	int64_t hb;

	if (!kv->value) {
		if (i >= 0)
			remove_node(s, (size_t)i);
		return;
	}
	if (i >= 0 && kv->mod_rev <= s->nx[i].rev)
		return;
	if (pf_node_decode(kv->value, kv->len, &node, &err) < 0) {
		pf_log(PF_LOG_ERROR, "scheduler: cannot read stored node %s: %s", name, err.msg);
		return;
	}
	pf_sched_node_init(&nn, node);
	rc = pf_condition_find(node->conditions, node->n_conditions, "Ready");
	hb = rc ? rc->last_probe_ms : 0;
	if (i < 0) {
		if (s->n_nodes == s->cap_nodes) {
			s->cap_nodes = s->cap_nodes ? s->cap_nodes * 2 : 16;
			s->nodes = pf_xrealloc(s->nodes, s->cap_nodes * sizeof(*s->nodes));
			s->nx = pf_xrealloc(s->nx, s->cap_nodes * sizeof(*s->nx));
		}
		i = (ssize_t)s->n_nodes++;
		s->nodes[i] = nn;
		memset(&s->nx[i], 0, sizeof(s->nx[i]));
		s->nx[i].hb_ms = hb;
		s->nx[i].hb_seen_mono = pf_sched_mono_ms();
		smap_put(&s->nodeix, s->nodes[i].name, (void *)(uintptr_t)(i + 1));
		/* Pods bound to it before it was known now count against it. */
		for (size_t k = 0; k < s->pods.cap; k++) {
			struct spod *p = s->pods.vals[k];
			if (p && p->node && strcmp(p->node, name) == 0)
				account(s, p, 1);
		}
		s->move_all = true;
	} else {
		struct pf_sched_node *o = &s->nodes[i];

		if (!node_sched_equal(o, &nn))
			s->move_all = true;
		nn.used_cpu = o->used_cpu;
		nn.used_mem = o->used_mem;
		nn.nz_cpu = o->nz_cpu;
		nn.nz_mem = o->nz_mem;
		nn.npods = o->npods;
		/* The map's key points at the name being freed: point it at
		 * the new copy first. */
		smap_put(&s->nodeix, nn.name, (void *)(uintptr_t)(i + 1));
		pf_sched_node_clear(o);
		*o = nn;
		/* lastHeartbeatTime has whole seconds, so an agent that
		 * beats more often than once a second writes the same time
		 * again: a Ready write stamped within the current second is
		 * a heartbeat as well.  Counting only changed times made a
		 * node look up to a second older than it was, and go
		 * NotReady that much early with a short grace period. */
		if (hb != s->nx[i].hb_ms ||
		    (nn.ready == PF_READY_TRUE && pf_wall_ms() - hb < 1500)) {
			s->nx[i].hb_ms = hb;
			s->nx[i].hb_seen_mono = pf_sched_mono_ms();
		}
	}
	s->nx[i].rev = kv->mod_rev;
	s->nx[i].has_ready = rc != NULL;
	s->nx[i].cond_taints = cond_taints(node);
	s->nx[i].next_try_mono = 0;
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
	for (size_t i = 0; i < s->a_n; i++) {
		struct spod *p = s->active[(s->a_head + i) % s->a_cap];
		p->queued = false;
		if (p->dead)
			spod_free(p);
	}
	s->a_n = s->a_head = 0;
	for (size_t i = 0; i < s->p_n; i++) {
		s->parked[i]->parked = false;
		if (s->parked[i]->dead)
			spod_free(s->parked[i]);
	}
	s->p_n = 0;
	for (size_t i = 0; i < s->pods.cap; i++)
		if (s->pods.vals[i])
			spod_free(s->pods.vals[i]);
	smap_free(&s->pods);
	for (size_t i = 0; i < s->n_nodes; i++)
		pf_sched_node_clear(&s->nodes[i]);
	s->n_nodes = 0;
	smap_free(&s->nodeix);
}

/* (Re)load the view and watch from just after the listing. */
static int load(struct pf_sched *s, struct pf_err *err)
{
	struct pf_kv_list all = {0};
	int64_t rev = 0;
	int r;

	r = pf_store_list(s->store, "/registry/", &all, &rev, err);
	if (r < 0)
		return r;
	view_clear(s);
	/* Each value goes as soon as it is read: the listing and the decoded
	 * pending pods together were the scheduler's peak. */
	for (size_t i = 0; i < all.n; i++) {
		apply_kv(s, &all.items[i]);
		pf_kv_free(&all.items[i]);
	}
	pf_kv_list_free(&all);

	struct pf_watch *w = NULL;
	pthread_mutex_lock(&s->watch_lock);
	if (s->watch)
		pf_watch_close(s->watch);
	s->watch = NULL;
	pthread_mutex_unlock(&s->watch_lock);
	r = pf_watch_open(s->store, "/registry/", rev + 1, &w, err);
	if (r < 0)
		return r;
	pthread_mutex_lock(&s->watch_lock);
	s->watch = w;
	if (__atomic_load_n(&s->stopping, __ATOMIC_ACQUIRE))
		pf_watch_cancel(w);
	pthread_mutex_unlock(&s->watch_lock);
	return 0;
}

/* ---- binding ---- */

struct plan {
	struct spod *p;
	ssize_t node; /* -1: unschedulable */
	char *msg;    /* FailedScheduling message */
	int64_t now;  /* wall clock ms of the decision */
	char *key;    /* the pod's key */
	struct pf_buf val;
	char *ev_key;
	struct pf_buf ev_val;
	bool dropped;
};

static void plan_free(struct plan *pl)
{
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
		const char *node = s->nodes[pl->node].name;

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

/* Write the plans in one transaction; a pod whose revision moved is
 * re-read and left out, and the rest written again: nothing is written
 * twice, and a pod bound meanwhile by someone else stays theirs. */
static void commit(struct pf_sched *s, struct plan *pl, size_t n)
{
	struct pf_op *ops = pf_xcalloc(2 * n + 1, sizeof(*ops));
	size_t *owner = pf_xcalloc(2 * n + 1, sizeof(*owner));
	uint64_t bound = 0, conflicts = 0, unsched = 0;
	int64_t rev = 0;
	int r;

	for (;;) {
		struct pf_err err = PF_ERR_INIT;
		size_t nops = 0, failed = 0;

		for (size_t k = 0; k < n; k++) {
			if (pl[k].dropped)
				continue;
			owner[nops] = k;
			ops[nops++] = (struct pf_op){.kind = PF_OP_UPDATE,
						     .key = pl[k].key,
						     .value = pl[k].val.buf,
						     .len = pl[k].val.len,
						     .expect_rev = pl[k].p->rev};
			owner[nops] = k;
			ops[nops++] = (struct pf_op){.kind = PF_OP_PUT,
						     .key = pl[k].ev_key,
						     .value = pl[k].ev_val.buf,
						     .len = pl[k].ev_val.len};
		}
		if (!nops)
			break;
		r = pf_store_txn(s->store, ops, nops, &rev, &failed, &err);
		if (r >= 0)
			break;
		if ((r == -ESTALE || r == -ENOENT) && failed < nops) {
			struct plan *x = &pl[owner[failed]];
			_cleanup_free_ char *key = pf_xstrdup(x->key);

			x->dropped = true;
			conflicts++;
			if (x->node >= 0)
				pf_sched_node_account(&s->nodes[x->node], x->p->cpu, x->p->mem,
						      x->p->nz_cpu, x->p->nz_mem, -1);
			pf_log(PF_LOG_DEBUG, "scheduler: %s changed meanwhile; re-reading it",
			       x->p->name);
			/* The pod is in no list now: the re-read either frees it
			 * (gone) or, still pending, queues it again. */
			pf_sched_refresh(s, key);
			continue;
		}
		pf_log(PF_LOG_ERROR, "scheduler: bind transaction failed: %s; retrying in 1 s",
		       err.msg);
		for (size_t k = 0; k < n; k++) {
			if (pl[k].dropped)
				continue;
			pl[k].dropped = true;
			if (pl[k].node >= 0)
				pf_sched_node_account(&s->nodes[pl[k].node], pl[k].p->cpu,
						      pl[k].p->mem, pl[k].p->nz_cpu,
						      pl[k].p->nz_mem, -1);
			queue_push(s, pl[k].p);
		}
		s->backoff_until_mono = pf_sched_mono_ms() + 1000;
		break;
	}
	for (size_t k = 0; k < n; k++) {
		struct spod *p = pl[k].p;

		if (pl[k].dropped)
			continue;
		p->rev = rev;
		if (pl[k].node >= 0) {
			/* Already counted against the node since the pick. */
			p->node = pf_xstrdup(s->nodes[pl[k].node].name);
			forget_pending(p);
			bound++;
		} else {
			/* The kept object follows what was written, as
			 * encode_scheduled() changed it. */
			pf_condition_set(&p->pod->status.conditions, &p->pod->status.n_conditions,
					 "PodScheduled", "False", "Unschedulable", pl[k].msg,
					 pl[k].now);
			free(p->cond_msg);
			p->cond_msg = PF_TAKE(pl[k].msg);
			park(s, p);
			unsched++;
		}
	}
	stats_add(s, bound, conflicts, bound + unsched ? 1 : 0, unsched);
	free(ops);
	free(owner);
}

/* Take up to a batch of pods off the queue, decide, write. */
static void schedule_batch(struct pf_sched *s)
{
	size_t cap = s->opts.batch, n = 0;
	struct plan *pl = pf_xcalloc(cap, sizeof(*pl));
	int64_t now = pf_wall_ms();
	struct spod *p;

	while (n < cap && (p = queue_pop(s))) {
		struct pf_buf why = PF_BUF_INIT;
		struct plan *x = &pl[n];

		if (p->dead) {
			spod_free(p);
			continue;
		}
		if (!needs_sched(p))
			continue;
		x->p = p;
		x->node = pf_sched_pick(&s->ctx, p->sp, s->nodes, s->n_nodes, &why);
		if (x->node < 0) {
			x->msg = pf_buf_detach(&why, NULL);
			if (p->cond_msg && strcmp(p->cond_msg, x->msg) == 0) {
				/* Said already: no new event, no write. */
				free(x->msg);
				memset(x, 0, sizeof(*x));
				park(s, p);
				continue;
			}
		} else {
			pf_buf_release(&why);
			/* Assume: the next pods of the batch see this one. */
			pf_sched_node_account(&s->nodes[x->node], p->cpu, p->mem, p->nz_cpu,
					      p->nz_mem, 1);
		}
		plan_build(s, x, now);
		n++;
	}
	if (n)
		commit(s, pl, n);
	for (size_t k = 0; k < n; k++)
		plan_free(&pl[k]);
	free(pl);
}

/* ---- the thread ---- */

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static void *sched_thread(void *arg)
{
	struct pf_sched *s = arg;

	while (!__atomic_load_n(&s->stopping, __ATOMIC_ACQUIRE)) {
		struct pf_watch_batch b = {0};
		struct pf_err err = PF_ERR_INIT;
		int64_t now = pf_sched_mono_ms(), wake;
		bool leader, busy;
		int r;

		if (now >= s->next_renew_mono) {
			bool was = s->lease.held;

			if (pf_lease_tick(&s->lease, &err) < 0)
				pf_log(PF_LOG_WARN, "scheduler: lease: %s", err.msg);
			pf_err_clear(&err);
			s->next_renew_mono = now + s->opts.renew_ms;
			if (s->lease.held && !was) {
				s->move_all = true;
				s->next_nodes_mono = now;
			}
			pthread_mutex_lock(&s->stats_lock);
			s->stats.leader = s->lease.held;
			pthread_mutex_unlock(&s->stats_lock);
		}
		leader = s->lease.held;
		if (now >= s->next_resync_mono) {
			s->move_all = true;
			s->next_resync_mono = now + s->opts.resync_ms;
		}
		if (leader && now >= s->backoff_until_mono) {
			if (s->move_all)
				unpark_all(s);
			if (s->a_n)
				schedule_batch(s);
			if (!s->opts.no_node_controller && now >= s->next_nodes_mono)
				s->next_nodes_mono = pf_nodelifecycle_run(s);
		}

		busy = leader && s->a_n && pf_sched_mono_ms() >= s->backoff_until_mono;
		wake = min64(s->next_renew_mono, s->next_resync_mono);
		if (leader && !s->opts.no_node_controller)
			wake = min64(wake, s->next_nodes_mono);
		if (leader && (s->a_n || s->move_all))
			wake = min64(wake, s->backoff_until_mono);
		now = pf_sched_mono_ms();
		/* Without a watch (a reload failed) there is nothing to wait
		 * on: back off, then reload again. */
		r = s->watch ? pf_watch_next(s->watch, &b,
					     busy ? 0 : (int)(wake > now ? wake - now : 0), &err)
			     : -ENOTCONN;
		if (r == -ECANCELED)
			break;
		if (r < 0) {
			if (r != -ERANGE) {
				if (s->watch)
					pf_log(PF_LOG_ERROR,
					       "scheduler: watch failed: %s; reloading", err.msg);
				struct timespec ts = {1, 0};
				nanosleep(&ts, NULL);
			}
			pf_err_clear(&err);
			/* A failed reload comes back here through the back-off
			 * above: its old watch failed, or it has none. */
			if (load(s, &err) < 0)
				pf_log(PF_LOG_ERROR, "scheduler: reload failed: %s", err.msg);
			continue;
		}
		for (size_t i = 0; i < b.n; i++)
			apply_kv(s, &b.events[i].kv);
		pf_watch_batch_free(&b);
	}
	return NULL;
}

int pf_sched_start(struct pf_store *store, const struct pf_sched_opts *opts, struct pf_sched **out,
		   struct pf_err *err)
{
	struct pf_sched *s = pf_xcalloc(1, sizeof(*s));
	_cleanup_free_ char *ident = NULL;
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
		s->opts.batch = 500;
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
	pthread_mutex_init(&s->watch_lock, NULL);

	r = load(s, err);
	if (r < 0) {
		pf_err_prefix(err, "scheduler: load the store: ");
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
		pthread_mutex_lock(&s->watch_lock);
		pf_watch_cancel(s->watch);
		pthread_mutex_unlock(&s->watch_lock);
		pthread_join(s->thread, NULL);
	}
	pf_lease_release(&s->lease);
	if (s->watch)
		pf_watch_close(s->watch);
	view_clear(s);
	free(s->active);
	free(s->parked);
	free(s->nodes);
	free(s->nx);
	pf_sched_ctx_free(&s->ctx);
	pf_lease_clear(&s->lease);
	pthread_mutex_destroy(&s->stats_lock);
	pthread_mutex_destroy(&s->watch_lock);
	free(s);
}

void pf_sched_get_stats(struct pf_sched *s, struct pf_sched_stats *out)
{
	pthread_mutex_lock(&s->stats_lock);
	*out = s->stats;
	pthread_mutex_unlock(&s->stats_lock);
}
