/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache.c - pods, nodes and events as the mount shows them, following the
 * store's watch.
 *
 * One thread lists /registry/ once and then applies watch batches under the
 * write lock; FUSE workers read under the read lock.  Pods are kept as
 * summaries (core/podstatus.h), not whole objects: 10,000 pods must fit in a
 * few megabytes.  pod.yaml and node.yaml are read from the store on open.
 * It must not write to the store.
 */
#include "cache.h"
#include "api.h"
#include "listwatch.h"
#include "log.h"
#include "manifest.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#define EVENT_RING 10000

struct cevent {
	char *line;
	char *kind;
	char *name;
	char *uid; /* the involved object's uid, "" when unknown */
};

/* A set of objects sorted by name, plus the same pointers sorted by serial
 * (serials only grow, so appending keeps that order). */
struct objset {
	void **by_name;
	void **by_serial;
	size_t n, cap_name, cap_serial;
};

struct pf_cache {
	struct pf_store *store;
	pthread_rwlock_t lock;
	struct objset pods;
	struct objset nodes;
	struct cevent ring[EVENT_RING];
	size_t ring_start, ring_n;
	uint64_t next_serial;

	pthread_mutex_t rev_lock;
	pthread_cond_t rev_cond;
	int64_t rev; /* the newest revision applied */

	pf_cache_notify_fn notify;
	void *notify_arg;
	/* What the batch being applied changed (watch thread, write lock). */
	uint64_t *touched_pods, *touched_nodes;
	size_t n_touched_pods, cap_touched_pods, n_touched_nodes, cap_touched_nodes;
	bool touched_events;
	struct pf_listwatch *lw; /* the cache thread's; pf_cache_stop cancels it */
	int64_t applied_rev;	 /* newest revision applied (write lock) */
	unsigned settling;	 /* batches that deleted pods, not yet settled (write lock) */
	pthread_t thread;
	bool stopping;
};

static const char *pod_name(const void *p)
{
	return ((const struct pf_cpod *)p)->s.name;
}
static const char *node_name(const void *p)
{
	return ((const struct pf_cnode *)p)->node->meta.name;
}
static uint64_t pod_serial(const void *p)
{
	return ((const struct pf_cpod *)p)->serial;
}
static uint64_t node_serial(const void *p)
{
	return ((const struct pf_cnode *)p)->serial;
}

/* Index of name in set, or -(insertion point) - 1. */
static ssize_t set_find(const struct objset *set, const char *name,
			const char *(*get)(const void *))
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(get(set->by_name[mid]), name);
		if (c == 0)
			return (ssize_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(ssize_t)lo - 1;
}

static void *set_find_serial(const struct objset *set, uint64_t serial,
			     uint64_t (*get)(const void *))
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint64_t s = get(set->by_serial[mid]);
		if (s == serial)
			return set->by_serial[mid];
		if (s < serial)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Insert obj (whose name is absent) at the name position -(pos)-1. */
static void set_insert(struct objset *set, ssize_t pos, void *obj)
{
	size_t at = (size_t)(-pos - 1);

	PF_GROW(set->by_name, set->cap_name, set->n + 1);
	PF_GROW(set->by_serial, set->cap_serial, set->n + 1);
	memmove(&set->by_name[at + 1], &set->by_name[at], (set->n - at) * sizeof(void *));
	set->by_name[at] = obj;
	set->by_serial[set->n] = obj;
	set->n++;
}

static void set_remove(struct objset *set, size_t at, uint64_t (*serial)(const void *))
{
	void *obj = set->by_name[at];
	uint64_t s = serial(obj);
	size_t lo = 0, hi = set->n;

	memmove(&set->by_name[at], &set->by_name[at + 1], (set->n - at - 1) * sizeof(void *));
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (serial(set->by_serial[mid]) < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&set->by_serial[lo], &set->by_serial[lo + 1], (set->n - lo - 1) * sizeof(void *));
	set->n--;
}

static void cpod_free(struct pf_cpod *p)
{
	if (!p)
		return;
	pf_pod_summary_free(&p->s);
	free(p);
}

static void cnode_free(struct pf_cnode *n)
{
	if (!n)
		return;
	pf_node_free(n->node);
	free(n);
}

/* Insert or refresh the summary of a decoded pod stored at revision rev. */
static void touch_pod(struct pf_cache *c, struct pf_cpod *p)
{
	if (!__atomic_load_n(&p->seen, __ATOMIC_RELAXED))
		return;
	PF_GROW(c->touched_pods, c->cap_touched_pods, c->n_touched_pods + 1);
	c->touched_pods[c->n_touched_pods++] = p->serial;
}

static void put_pod(struct pf_cache *c, const char *name, const struct pf_pod *pod, int64_t rev,
		    struct pf_strlist *deleted)
{
	ssize_t pos = set_find(&c->pods, name, pod_name);
	struct pf_cpod *p;

	if (pos >= 0) {
		p = c->pods.by_name[pos];
		p->mark = true;
		/* The writer may have put a newer version already. */
		if (rev <= p->rev)
			return;
		/* A pod deleted and created again under the same name is a new
		 * object: it gets a new serial, hence new inodes.  So does a pod
		 * that starts terminating: rmdir(2) marked its directory inode
		 * dead in the kernel, and the Terminating pod must stay
		 * reachable under its name until it is gone. */
		bool other = strcmp(p->s.uid, pod->meta.uid ? pod->meta.uid : "") != 0;
		bool terminating = pod->meta.deletion_ms && !p->s.deleting;
		if (other || terminating) {
			set_remove(&c->pods, (size_t)pos, pod_serial);
			cpod_free(p);
			if (deleted)
				pf_strlist_add(deleted, name);
			pos = set_find(&c->pods, name, pod_name);
		} else {
			pf_pod_summary_free(&p->s);
			pf_pod_summarize(pod, &p->s);
			p->rev = rev;
			touch_pod(c, p);
			return;
		}
	}
	p = pf_xcalloc(1, sizeof(*p));
	p->serial = c->next_serial++;
	p->rev = rev;
	p->mark = true;
	pf_pod_summarize(pod, &p->s);
	set_insert(&c->pods, pos, p);
}

/* A pod the store holds but that cannot be decoded stays visible, so that
 * its name is not lost for good: listed, status and phase Unknown, why
 * saying what is wrong and how to remove it (rm -r deletes the key). */
static void put_damaged(struct pf_cache *c, const char *name, int64_t rev, const char *msg,
			struct pf_strlist *deleted)
{
	struct pf_pod pod = {0};
	struct pf_cpod *p;
	ssize_t pos;

	pod.meta.name = (char *)name;
	pod.meta.uid = (char *)"";
	pod.status.phase = (char *)"Unknown";
	put_pod(c, name, &pod, rev, deleted);
	pos = set_find(&c->pods, name, pod_name);
	if (pos < 0)
		return;
	p = c->pods.by_name[pos];
	if (p->rev != rev)
		return; /* a newer version was there already */
	free(p->s.status);
	p->s.status = pf_xstrdup("Unknown");
	free(p->s.why);
	p->s.why = pf_xasprintf("the stored object cannot be read (revision %lld): %s; rm -r "
				"pods/%s removes it",
				(long long)rev, msg, name);
}

static void apply_pod(struct pf_cache *c, const char *name, const struct pf_kv *kv,
		      struct pf_strlist *deleted)
{
	_cleanup_pod_ struct pf_pod *pod = NULL;
	struct pf_err err = PF_ERR_INIT;

	if (!kv->value) {
		ssize_t pos = set_find(&c->pods, name, pod_name);
		struct pf_cpod *p = pos >= 0 ? c->pods.by_name[pos] : NULL;

		/* A delete older than what is cached belongs to an earlier
		 * object of the same name. */
		if (p && kv->mod_rev > p->rev) {
			set_remove(&c->pods, (size_t)pos, pod_serial);
			cpod_free(p);
			pf_strlist_add(deleted, name);
		}
		return;
	}
	ssize_t pos = set_find(&c->pods, name, pod_name);
	if (pos >= 0 && kv->mod_rev <= ((struct pf_cpod *)c->pods.by_name[pos])->rev) {
		((struct pf_cpod *)c->pods.by_name[pos])->mark = true;
		return; /* already put by the writer: skip the decode */
	}
	if (pf_pod_decode(kv->value, kv->len, &pod, &err) < 0) {
		pf_log(PF_LOG_ERROR, "cache: cannot read stored pod %s (revision %lld): %s", name,
		       (long long)kv->mod_rev, err.msg);
		put_damaged(c, name, kv->mod_rev, err.msg, deleted);
		return;
	}
	put_pod(c, name, pod, kv->mod_rev, deleted);
}

void pf_cache_put_pods(struct pf_cache *c, struct pf_pod *const *pods, size_t n, int64_t rev,
		       struct pf_strlist *replaced)
{
	pthread_rwlock_wrlock(&c->lock);
	/* The watch got there first (and may have applied a later delete):
	 * putting the pods now would bring a deleted pod back. */
	if (rev > c->applied_rev)
		for (size_t i = 0; i < n; i++)
			put_pod(c, pods[i]->meta.name, pods[i], rev, replaced);
	pthread_rwlock_unlock(&c->lock);
}

static bool node_is_ready(const struct pf_node *n)
{
	const struct pf_condition *cd = pf_condition_find(n->conditions, n->n_conditions, "Ready");

	return cd && cd->status && strcmp(cd->status, "True") == 0;
}

static void apply_node(struct pf_cache *c, const char *name, const struct pf_kv *kv)
{
	ssize_t pos = set_find(&c->nodes, name, node_name);
	struct pf_node *node = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct pf_cnode *n;

	if (!kv->value) {
		if (pos >= 0) {
			n = c->nodes.by_name[pos];
			set_remove(&c->nodes, (size_t)pos, node_serial);
			cnode_free(n);
		}
		return;
	}
	if (pf_node_decode(kv->value, kv->len, &node, &err) < 0) {
		pf_log(PF_LOG_ERROR, "cache: cannot read stored node %s: %s", name, err.msg);
		return;
	}
	node->meta.resource_version = kv->mod_rev;
	if (pos >= 0) {
		((struct pf_cnode *)c->nodes.by_name[pos])->mark = true;
		n = c->nodes.by_name[pos];
		pf_node_free(n->node);
		if (__atomic_load_n(&n->seen, __ATOMIC_RELAXED)) {
			PF_GROW(c->touched_nodes, c->cap_touched_nodes, c->n_touched_nodes + 1);
			c->touched_nodes[c->n_touched_nodes++] = n->serial;
		}
	} else {
		n = pf_xcalloc(1, sizeof(*n));
		n->serial = c->next_serial++;
		n->mark = true;
		set_insert(&c->nodes, pos, n);
	}
	n->node = node;
	n->rev = kv->mod_rev;
	n->ready = node_is_ready(node);
}

static void apply_event(struct pf_cache *c, const struct pf_kv *kv)
{
	_cleanup_event_ struct pf_event *ev = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct cevent *slot;
	struct pf_buf line = PF_BUF_INIT;
	char ts[21];
	const char *src;

	if (!kv->value)
		return; /* expiry of old events does not rewrite history on screen */
	if (pf_event_decode(kv->value, kv->len, &ev, &err) < 0) {
		pf_log(PF_LOG_ERROR, "cache: cannot read stored event %s: %s", kv->key, err.msg);
		return;
	}
	pf_format_time(ev->last_ms ? ev->last_ms : ev->meta.creation_ms, ts);
	src = ev->source_component && *ev->source_component ? ev->source_component : "podfs";
	pf_buf_addf(&line, "%s %s %s %s", ts, ev->type ? ev->type : "Normal",
		    ev->reason ? ev->reason : "", src);
	if (ev->source_host && *ev->source_host)
		pf_buf_addf(&line, ",%s", ev->source_host);
	pf_buf_addf(&line, " %s\n", ev->message ? ev->message : "");

	if (c->ring_n == EVENT_RING) {
		slot = &c->ring[c->ring_start];
		free(slot->line);
		free(slot->kind);
		free(slot->name);
		free(slot->uid);
		c->ring_start = (c->ring_start + 1) % EVENT_RING;
		c->ring_n--;
	}
	slot = &c->ring[(c->ring_start + c->ring_n) % EVENT_RING];
	c->ring_n++;
	slot->line = pf_buf_detach(&line, NULL);
	c->touched_events = true;
	if (ev->involved_kind && strcmp(ev->involved_kind, "Pod") == 0 && ev->involved_name) {
		ssize_t pos = set_find(&c->pods, ev->involved_name, pod_name);
		if (pos >= 0)
			touch_pod(c, c->pods.by_name[pos]);
	}
	slot->kind = pf_xstrdup(ev->involved_kind ? ev->involved_kind : "");
	slot->name = pf_xstrdup(ev->involved_name ? ev->involved_name : "");
	slot->uid = pf_xstrdup(ev->involved_uid ? ev->involved_uid : "");
}

static void apply_kv(struct pf_cache *c, const struct pf_kv *kv, struct pf_strlist *deleted)
{
	const char *name;

	if ((name = pf_key_name(kv->key, PF_POD_PREFIX)))
		apply_pod(c, name, kv, deleted);
	else if ((name = pf_key_name(kv->key, PF_NODE_PREFIX)))
		apply_node(c, name, kv);
	else if (pf_key_name(kv->key, PF_EVENT_PREFIX))
		apply_event(c, kv);
}

static void publish_rev(struct pf_cache *c, int64_t rev)
{
	pthread_mutex_lock(&c->rev_lock);
	if (rev > c->rev)
		c->rev = rev;
	pthread_cond_broadcast(&c->rev_cond);
	pthread_mutex_unlock(&c->rev_lock);
}

static void clear_events(struct pf_cache *c)
{
	for (size_t i = 0; i < c->ring_n; i++) {
		struct cevent *e = &c->ring[(c->ring_start + i) % EVENT_RING];
		free(e->line);
		free(e->kind);
		free(e->name);
		free(e->uid);
	}
	c->ring_start = c->ring_n = 0;
}

/* Drop the objects a reload did not find (mark false). */
static void sweep(struct pf_cache *c, struct pf_strlist *deleted)
{
	for (size_t i = c->pods.n; i-- > 0;) {
		struct pf_cpod *p = c->pods.by_name[i];
		if (p->mark)
			continue;
		if (deleted)
			pf_strlist_add(deleted, p->s.name);
		set_remove(&c->pods, i, pod_serial);
		cpod_free(p);
	}
	for (size_t i = c->nodes.n; i-- > 0;) {
		struct pf_cnode *n = c->nodes.by_name[i];
		if (n->mark)
			continue;
		set_remove(&c->nodes, i, node_serial);
		cnode_free(n);
	}
}

/* Order a listing so that events come oldest first: their keys end in the
 * time in hex nanoseconds (core/apiserver/api.c); other keys keep their order. */
static int cmp_event_keys(const void *a, const void *b)
{
	const struct pf_kv *x = a, *y = b;
	bool ex = pf_key_name(x->key, PF_EVENT_PREFIX) != NULL;
	bool ey = pf_key_name(y->key, PF_EVENT_PREFIX) != NULL;

	if (ex != ey)
		return ex ? 1 : -1; /* pods and nodes first, so events find them */
	if (!ex)
		return strcmp(x->key, y->key);
	const char *dx = strrchr(x->key, '.'), *dy = strrchr(y->key, '.');
	unsigned long long tx = dx ? strtoull(dx + 1, NULL, 16) : 0;
	unsigned long long ty = dy ? strtoull(dy + 1, NULL, 16) : 0;
	return tx < ty ? -1 : tx > ty ? 1 : strcmp(x->key, y->key);
}

static void clear_all(struct pf_cache *c, struct pf_strlist *deleted)
{
	for (size_t i = 0; i < c->pods.n; i++) {
		struct pf_cpod *p = c->pods.by_name[i];
		if (deleted)
			pf_strlist_add(deleted, p->s.name);
		cpod_free(p);
	}
	c->pods.n = 0;
	for (size_t i = 0; i < c->nodes.n; i++)
		cnode_free(c->nodes.by_name[i]);
	c->nodes.n = 0;
	clear_events(c);
}

/* Replace everything with a listing as of rev (the list-and-watch's), and
 * free it. */
static void load(struct pf_cache *c, struct pf_kv_list *all, int64_t rev,
		 struct pf_strlist *deleted)
{
	/* Events in time order (keys sort by object name). */
	if (all->n)
		qsort(all->items, all->n, sizeof(*all->items), cmp_event_keys);
	pthread_rwlock_wrlock(&c->lock);
	/* A reload keeps every object that is still there with its serial,
	 * hence its inodes: open files, current directories and parked
	 * waits go on.  Only what vanished is reported deleted. */
	for (size_t i = 0; i < c->pods.n; i++)
		((struct pf_cpod *)c->pods.by_name[i])->mark = false;
	for (size_t i = 0; i < c->nodes.n; i++)
		((struct pf_cnode *)c->nodes.by_name[i])->mark = false;
	clear_events(c);
	for (size_t i = 0; i < all->n; i++)
		apply_kv(c, &all->items[i], deleted);
	sweep(c, deleted);
	if (deleted && deleted->n)
		c->settling++; /* see pf_cache_settling */
	if (rev > c->applied_rev)
		c->applied_rev = rev;
	pthread_rwlock_unlock(&c->lock);
	pf_kv_list_free(all);
	publish_rev(c, rev);
}

static void *watch_thread(void *arg)
{
	struct pf_cache *c = arg;

	while (!__atomic_load_n(&c->stopping, __ATOMIC_ACQUIRE)) {
		struct pf_watch_batch b = {0};
		struct pf_err err = PF_ERR_INIT;
		struct pf_strlist deleted = {0};
		int64_t rev = 0;
		int r;

		r = pf_listwatch_next(c->lw, &b, -1, &err);
		if (r == -ECANCELED)
			break;
		if (r < 0) {
			struct pf_kv_list all;

			/* It backs off (unless the history moved on) and logs. */
			r = pf_listwatch_relist(c->lw, r, &all, &rev, &err);
			if (r == -ECANCELED)
				break;
			if (r == 0)
				load(c, &all, rev, &deleted);
		} else {
			pthread_rwlock_wrlock(&c->lock);
			for (size_t i = 0; i < b.n; i++) {
				apply_kv(c, &b.events[i].kv, &deleted);
				if (b.events[i].kv.mod_rev > rev)
					rev = b.events[i].kv.mod_rev;
			}
			if (rev > c->applied_rev)
				c->applied_rev = rev;
			if (deleted.n)
				c->settling++; /* see pf_cache_settling */
			pthread_rwlock_unlock(&c->lock);
			pf_watch_batch_free(&b);
			publish_rev(c, rev);
		}
		if (c->notify) {
			struct pf_cache_changes ch = {
			    .deleted_pods = (const char *const *)deleted.items,
			    .n_deleted = deleted.n,
			    .pods = c->touched_pods,
			    .n_pods = c->n_touched_pods,
			    .nodes = c->touched_nodes,
			    .n_nodes = c->n_touched_nodes,
			    .events = c->touched_events,
			};
			c->notify(c->notify_arg, &ch);
		}
		if (deleted.n && !c->notify)
			pf_cache_settled(c);
		c->n_touched_pods = c->n_touched_nodes = 0;
		c->touched_events = false;
		pf_strlist_free(&deleted);
	}
	return NULL;
}

int pf_cache_start(struct pf_store *s, pf_cache_notify_fn notify, void *arg, struct pf_cache **out,
		   struct pf_err *err)
{
	struct pf_cache *c = pf_xcalloc(1, sizeof(*c));
	struct pf_kv_list all;
	int64_t rev = 0;
	int r;

	c->store = s;
	c->notify = notify;
	c->notify_arg = arg;
	c->next_serial = 1;
	/* Writer-preferring: sixteen FUSE workers reading must not starve
	 * the one thread that applies changes. */
	pthread_rwlockattr_t ra;
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&c->lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	pthread_mutex_init(&c->rev_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->rev_cond, &ca);
	pthread_condattr_destroy(&ca);

	c->lw = pf_listwatch_new(s, "/registry/", "cache");
	r = pf_listwatch_list(c->lw, &all, &rev, err);
	if (r < 0) {
		pf_err_prefix(err, "load the store: ");
		pf_cache_stop(c);
		return r;
	}
	load(c, &all, rev, NULL);
	r = pthread_create(&c->thread, NULL, watch_thread, c);
	if (r) {
		c->thread = 0;
		pf_cache_stop(c);
		return pf_err_sys(err, r, "start the cache thread");
	}
	*out = c;
	return 0;
}

void pf_cache_stop(struct pf_cache *c)
{
	if (!c)
		return;
	__atomic_store_n(&c->stopping, true, __ATOMIC_RELEASE);
	if (c->thread) {
		pf_listwatch_cancel(c->lw);
		pthread_join(c->thread, NULL);
	}
	pf_listwatch_free(c->lw);
	clear_all(c, NULL);
	free(c->pods.by_name);
	free(c->pods.by_serial);
	free(c->nodes.by_name);
	free(c->nodes.by_serial);
	free(c->touched_pods);
	free(c->touched_nodes);
	pthread_rwlock_destroy(&c->lock);
	pthread_mutex_destroy(&c->rev_lock);
	pthread_cond_destroy(&c->rev_cond);
	free(c);
}

void pf_cache_rdlock(struct pf_cache *c)
{
	pthread_rwlock_rdlock(&c->lock);
}

void pf_cache_unlock(struct pf_cache *c)
{
	pthread_rwlock_unlock(&c->lock);
}

const struct pf_cpod *pf_cache_pod(struct pf_cache *c, const char *name)
{
	ssize_t pos = set_find(&c->pods, name, pod_name);

	return pos >= 0 ? c->pods.by_name[pos] : NULL;
}

bool pf_cache_settling(struct pf_cache *c)
{
	return c->settling > 0;
}

void pf_cache_settled(struct pf_cache *c)
{
	pthread_rwlock_wrlock(&c->lock);
	c->settling--;
	pthread_rwlock_unlock(&c->lock);
}

const struct pf_cpod *pf_cache_pod_serial(struct pf_cache *c, uint64_t serial)
{
	return set_find_serial(&c->pods, serial, pod_serial);
}

const struct pf_cpod *const *pf_cache_pods(struct pf_cache *c, size_t *n)
{
	*n = c->pods.n;
	return (const struct pf_cpod *const *)c->pods.by_name;
}

const struct pf_cnode *pf_cache_node(struct pf_cache *c, const char *name)
{
	ssize_t pos = set_find(&c->nodes, name, node_name);

	return pos >= 0 ? c->nodes.by_name[pos] : NULL;
}

const struct pf_cnode *pf_cache_node_serial(struct pf_cache *c, uint64_t serial)
{
	return set_find_serial(&c->nodes, serial, node_serial);
}

const struct pf_cnode *const *pf_cache_nodes(struct pf_cache *c, size_t *n)
{
	*n = c->nodes.n;
	return (const struct pf_cnode *const *)c->nodes.by_name;
}

void pf_cache_events_render(struct pf_cache *c, const char *kind, const char *name, const char *uid,
			    struct pf_buf *out)
{
	for (size_t i = 0; i < c->ring_n; i++) {
		const struct cevent *e = &c->ring[(c->ring_start + i) % EVENT_RING];
		if (kind && (strcmp(e->kind, kind) != 0 || strcmp(e->name, name) != 0))
			continue;
		/* An earlier pod of the same name is another object. */
		if (kind && uid && *e->uid && strcmp(e->uid, uid) != 0)
			continue;
		pf_buf_adds(out, e->line);
	}
}

int pf_cache_wait_rev(struct pf_cache *c, int64_t rev, int timeout_ms)
{
	struct timespec deadline;
	int r = 0;

	pf_mono_deadline(&deadline, timeout_ms);
	pthread_mutex_lock(&c->rev_lock);
	while (c->rev < rev && r == 0)
		r = pthread_cond_timedwait(&c->rev_cond, &c->rev_lock, &deadline);
	r = c->rev >= rev ? 0 : -ETIMEDOUT;
	pthread_mutex_unlock(&c->rev_lock);
	return r;
}
