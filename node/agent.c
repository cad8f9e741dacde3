/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent.c - the node agent's thread: registration, heartbeats, and the pod
 * loop (list, watch, reconcile through podsync.c, batched writes).  With a
 * runtime that runs real containers, the passes themselves run on a pool of
 * pod workers, different pods side by side and each pod on one worker at a
 * time (its passes, writes and events in order), as kubelet's pod workers.
 *
 * Every write is a compare-and-swap on the revision the agent read, so the
 * scheduler, the lifecycle controller, the API layer and other agents can
 * write the same objects without anyone's change being lost; a write that
 * loses the race is dropped, and the watch brings the newer object for
 * another pass.  It must not use fs/ and must not block the thread on
 * anything but the watch (the resync and heartbeat timers are the watch's
 * timeout).
 */
#include "agent.h"
#include "api.h"
#include "hashmap.h"
#include "listwatch.h"
#include "log.h"
#include "manifest.h"
#include "net.h"
#include "podsync.h"
#include "register.h"
#include "runtime.h"
#include "writebatch.h"

#include <errno.h>
#include <pthread.h>

#define DEFAULT_HEARTBEAT_MS 10000
#define DEFAULT_RESYNC_MS    60000
/* Flush the pending writes once a round has gathered this many pods, so a
 * transaction stays a few megabytes however many pods arrive at once. */
#define BATCH_PODS 500
/* Pod workers: how many pods' passes run side by side when the runtime
 * makes real containers.  A pass mostly waits on child processes (the CNI
 * plugins, conmon, RUNTIME create and start), as kubelet's one goroutine
 * per pod does, but those children need the cores too: two per core, at
 * least 4 (the 110-pod burst on 2 cores ran as fast with 4 as with 6 or 8,
 * the cores full), at most 16.  The hollow runtime's passes take
 * microseconds: they stay on the agent's thread, batched by the round. */
#define POD_WORKERS_MIN 4
#define POD_WORKERS_MAX 16

struct hnode {
	char *name;
	struct pf_node *fresh; /* what this agent would register now */
	struct pf_node *cur;   /* the stored object as last read or written; NULL = absent */
	int64_t rev;
};

/* What a record is due a pass over (pf_podrec.want): the newest stored
 * object, decoded by the agent's thread.  due: a resync read it (a timer,
 * a retry, a container exit), so the pass runs even on the agent's own
 * last write: the resync took the record's timer for it. */
struct pf_pod_want {
	struct pf_kv kv;
	struct pf_pod *pod;
	bool due;
};

struct pf_agent {
	struct pf_store *store;
	struct pf_runtime *rt;
	char *rt_down; /* why no runtime can run, NULL when one can */
	struct pf_host_facts host;
	struct pf_reslist capacity;
	struct pf_strmap labels;
	struct pf_taint *taints;
	size_t n_taints;
	char *pod_cidr;

	struct hnode *nodes; /* sorted by name */
	size_t n_nodes;

	/* The agent's thread alone adds and removes records here. */
	struct pf_hashmap recs; /* name -> struct pf_podrec * (keyed by its name) */

	/* Pod workers (see "pod workers" below).  mu guards the run queue,
	 * the dying list and every record's dispatch fields (pf_podrec:
	 * busy, queued, gone, has_runtime, want, and wrote_rev, retry,
	 * next_ms); what a pass changes in a record is its worker's alone.
	 * Their writes gather in wbatch (batch_mu) and are stored by whoever
	 * holds flush_mu, several passes' in one transaction when they end
	 * together. */
	pthread_mutex_t mu;
	pthread_cond_t work;
	struct pf_podrec *q_head, *q_tail;
	struct pf_podrec *dying; /* gone from the table, not yet torn down */
	pthread_t *workers;
	size_t n_workers;
	bool workers_stop;
	pthread_mutex_t batch_mu, flush_mu;
	struct pf_wbatch wbatch;

	struct pf_listwatch *lw;   /* the pods; the agent's thread's, pf_agent_stop cancels it */
	struct pf_kv_list initial; /* the listing start made, for the thread's first round */
	int heartbeat_ms, resync_ms;
	int64_t backoff_ms;
	bool nodes_stale; /* a heartbeat failed: reload before the next */
	struct pf_wbatch batch;
	uint64_t rt_changes;	  /* the runtime's change counter as last seen */
	struct pf_prober *prober; /* NULL with no runtime or the hollow one */
	uint64_t probe_changes;	  /* its change counter as last seen */

	pthread_t thread;
	bool started;
	bool stopping;
	/* Heartbeats have a thread of their own, so a pod pass that waits on
	 * the runtime never makes the node look dead. */
	pthread_t hb_thread;
	bool hb_started;
	pthread_mutex_t hb_mu;
	pthread_cond_t hb_cond;
};

/* ---- options ------------------------------------------------------------ */

static int parse_opts(const struct pf_agent_opts *o, struct pf_reslist *cap,
		      struct pf_strmap *labels, struct pf_taint **taints, size_t *n_taints,
		      struct pf_err *err)
{
	const char *detail = NULL;
	int r;

	if (!o->name || !*o->name)
		return pf_err_set(err, EINVAL, "the node needs a name (--name/--node-name)");
	if (!pf_is_dns1123_subdomain(o->name, &detail))
		return pf_err_set(err, EINVAL, "invalid node name \"%s\": %s", o->name, detail);
	if (o->replicas < 0 || o->replicas > 100000)
		return pf_err_set(err, EINVAL, "--replicas %d: must be between 1 and 100000",
				  o->replicas);
	if (o->runtime && !pf_runtime_known(o->runtime))
		return pf_err_set(err, EINVAL, "--runtime %s: unknown runtime (fake, oci)",
				  o->runtime);
	if (o->heartbeat_ms < 0 || o->resync_ms < 0)
		return pf_err_set(err, EINVAL, "intervals must be positive");
	if (o->network && *o->network && !pf_net_known(o->network))
		return pf_err_set(err, EINVAL, "--network %s: unknown (cni, none)", o->network);
	r = pf_parse_capacity(o->capacity, cap, err);
	if (r >= 0)
		r = pf_parse_node_labels(o->labels, labels, err);
	if (r >= 0)
		r = pf_parse_node_taints(o->taints, taints, n_taints, err);
	return r;
}

int pf_agent_check_opts(const struct pf_agent_opts *o, struct pf_err *err)
{
	struct pf_reslist cap = {0};
	struct pf_strmap labels = {0};
	struct pf_taint *taints = NULL;
	size_t n_taints = 0;
	int r = parse_opts(o, &cap, &labels, &taints, &n_taints, err);

	pf_reslist_free(&cap);
	pf_strmap_free(&labels);
	pf_taints_free(taints, n_taints);
	return r;
}

/* ---- nodes -------------------------------------------------------------- */

static int cmp_hnode(const void *x, const void *y)
{
	return strcmp(((const struct hnode *)x)->name, ((const struct hnode *)y)->name);
}

/* The nodes are kept sorted by name (cmp_hnode). */
static ssize_t find_node(const struct pf_agent *a, const char *name)
{
	struct hnode key = {.name = (char *)name};
	const struct hnode *h;

	if (!name || !a->n_nodes)
		return -1;
	h = bsearch(&key, a->nodes, a->n_nodes, sizeof(*a->nodes), cmp_hnode);
	return h ? h - a->nodes : -1;
}

static struct pf_node *build_fresh(struct pf_agent *a, const char *name, int64_t now)
{
	struct pf_node_desc d = {
	    .name = name,
	    .host = &a->host,
	    .capacity = &a->capacity,
	    .labels = &a->labels,
	    .taints = a->taints,
	    .n_taints = a->n_taints,
	    .pod_cidr = a->pod_cidr,
	    .runtime_version = a->rt ? pf_runtime_version(a->rt) : "oci://unavailable",
	    .kubelet_version = PF_KUBELET_VERSION,
	    .not_ready = a->rt_down,
	    .ready_note = a->rt ? a->rt->note : NULL,
	};

	return pf_node_build(&d, now);
}

static struct pf_node *node_clone(const struct pf_node *n)
{
	_cleanup_buf_ struct pf_buf b = PF_BUF_INIT;
	struct pf_node *copy = NULL;
	struct pf_err err = PF_ERR_INIT;

	pf_node_encode(n, &b);
	if (pf_node_decode(b.buf, b.len, &copy, &err) < 0)
		abort(); /* our own encoding must decode */
	return copy;
}

/* Read the stored objects of our nodes. */
static int reload_nodes(struct pf_agent *a, struct pf_err *err)
{
	struct pf_kv_list l = {0};
	int r = pf_store_list(a->store, PF_NODE_PREFIX, &l, NULL, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < a->n_nodes; i++) {
		pf_node_free(a->nodes[i].cur);
		a->nodes[i].cur = NULL;
		a->nodes[i].rev = 0;
	}
	for (size_t i = 0; i < l.n; i++) {
		const char *name = pf_key_name(l.items[i].key, PF_NODE_PREFIX);
		ssize_t k = find_node(a, name);
		struct pf_node *n = NULL;
		struct pf_err derr = PF_ERR_INIT;

		if (k < 0)
			continue;
		if (pf_node_decode(l.items[i].value, l.items[i].len, &n, &derr) < 0) {
			/* Unreadable: overwrite it with compare-and-swap. */
			pf_log(PF_LOG_WARN, "node %s: stored object unreadable (%s); replacing it",
			       name, derr.msg);
			n = node_clone(a->nodes[k].fresh);
		}
		a->nodes[k].cur = n;
		a->nodes[k].rev = l.items[i].mod_rev;
	}
	pf_kv_list_free(&l);
	return 0;
}

/*
 * Register or heartbeat every node in one transaction.  Each node is merged
 * from what is stored (others' labels and taints stay, uid and
 * creationTimestamp stay), so a lost race only costs a reload and a lap.
 */
static int sync_nodes(struct pf_agent *a, bool reload, bool starting, struct pf_err *err)
{
	struct pf_wbatch b = {0};
	int r = 0;

	for (int lap = 0; lap < 8; lap++) {
		int64_t now = pf_wall_ms(), rev = 0;
		size_t failed = 0;

		if (reload) {
			r = reload_nodes(a, err);
			if (r < 0)
				break;
		}
		pf_wbatch_reset(&b);
		for (size_t i = 0; i < a->n_nodes; i++) {
			struct hnode *h = &a->nodes[i];
			struct pf_buf val = PF_BUF_INIT;
			bool created = !h->cur, ready;
			size_t len;
			char *v;

			if (created) {
				h->cur = node_clone(h->fresh);
				h->cur->meta.creation_ms = now;
			}
			ready = pf_node_merge(h->cur, h->fresh, now);
			/* kubelet's first Ready status is a NodeReady event too. */
			if (created && !a->rt_down)
				ready = true;
			h->cur->meta.resource_version = 0;
			pf_node_encode(h->cur, &val);
			v = pf_buf_detach(&val, &len);
			pf_wbatch_op(&b, created ? PF_OP_CREATE : PF_OP_UPDATE,
				     pf_xasprintf(PF_NODE_PREFIX "%s", h->name), v, len, h->rev);
			if (starting)
				pf_wbatch_event(&b, "Node", h->name, h->cur->meta.uid, "Normal",
						"Starting", h->name,
						a->rt ? "Starting kubelet (podfs node agent)."
						      : "Starting kubelet (podfs node agent); the "
							"container runtime is down.");
			if (ready) {
				_cleanup_free_ char *m =
				    pf_xasprintf("Node %s status is now: NodeReady", h->name);
				pf_wbatch_event(&b, "Node", h->name, h->cur->meta.uid, "Normal",
						"NodeReady", h->name, m);
			}
		}
		r = pf_store_txn(a->store, b.ops, b.n, &rev, &failed, err);
		if (r >= 0) {
			for (size_t i = 0; i < a->n_nodes; i++)
				a->nodes[i].rev = rev;
			a->nodes_stale = false;
			break;
		}
		if (r != -ESTALE && r != -ENOENT && r != -EEXIST) {
			/* What we merged in memory was not stored: read it again
			 * next time rather than trust it. */
			a->nodes_stale = true;
			break;
		}
		pf_err_clear(err);
		reload = true;
		r = 0;
	}
	pf_wbatch_free(&b);
	return r;
}

/* ---- pods --------------------------------------------------------------- */

static struct pf_podrec *rec_get(struct pf_agent *a, const char *name)
{
	return pf_hashmap_get(&a->recs, name);
}

static struct pf_podrec *rec_add(struct pf_agent *a, const char *name, const char *uid, size_t node)
{
	struct pf_podrec *r = pf_xcalloc(1, sizeof(*r));

	r->name = pf_xstrdup(name);
	r->uid = pf_xstrdup(uid ? uid : "");
	r->node = node;
	pf_hashmap_put(&a->recs, r->name, r);
	return r;
}

static void want_free(struct pf_pod_want *w)
{
	if (!w)
		return;
	pf_kv_free(&w->kv);
	pf_pod_free(w->pod);
	free(w);
}

/* Stop and remove what the runtime still runs for a pod whose object is
 * gone. */
static void rec_teardown(struct pf_agent *a, struct pf_podrec *r)
{
	for (size_t i = 0; a->prober && i < r->ids.n; i++)
		pf_prober_forget(a->prober, r->ids.items[i].value);
	pf_podrec_teardown(a->rt, r);
}

static void queue_push(struct pf_agent *a, struct pf_podrec *r)
{
	r->queued = true;
	r->q_next = NULL;
	if (a->q_tail)
		a->q_tail->q_next = r;
	else
		a->q_head = r;
	a->q_tail = r;
	pthread_cond_signal(&a->work);
}

/* Under mu: r has work (a want, or its teardown); queue it unless a worker
 * has it, which then finds the work when its pass ends. */
static void queue_rec(struct pf_agent *a, struct pf_podrec *r)
{
	if (!r->busy && !r->queued)
		queue_push(a, r);
}

/* Forget a pod whose object is gone, stopping what still runs for it: at
 * once without workers, else on a worker once no pass of it runs (the
 * record waits on the dying list, so a new pod under the same name gets a
 * record of its own meanwhile). */
static void rec_remove(struct pf_agent *a, const char *name)
{
	struct pf_podrec *r = pf_hashmap_del(&a->recs, name);

	if (!r)
		return;
	if (!a->n_workers) {
		rec_teardown(a, r);
		pf_podrec_free(r);
		return;
	}
	pthread_mutex_lock(&a->mu);
	r->gone = true;
	want_free(r->want);
	r->want = NULL;
	r->next = a->dying;
	a->dying = r;
	queue_rec(a, r);
	pthread_mutex_unlock(&a->mu);
}

/* One pass over rec with pod (decoded from kv), its writes added to b as
 * one group; rec is named in the group when a worker runs the pass. */
static void sync_pod(struct pf_agent *a, struct pf_podrec *rec, const struct pf_kv *kv,
		     struct pf_pod *pod, struct pf_wbatch *b, bool worker)
{
	const char *name = rec->name;
	struct pf_sync_result res;
	struct pf_sync_ctx ctx = {
	    .rt = a->rt,
	    .rt_down = a->rt_down,
	    .node = a->nodes[rec->node].name,
	    .host_ip = a->host.internal_ip,
	    .now = pf_wall_ms(),
	    .backoff_base_ms = a->backoff_ms,
	    .prober = a->prober,
	};

	pf_pod_sync(&ctx, rec, pod, &res);
	pthread_mutex_lock(&a->mu);
	rec->retry = res.retry;
	rec->next_ms = res.next_ms;
	rec->has_runtime = rec->ids.n || rec->sandbox_id;
	pthread_mutex_unlock(&a->mu);
	if (res.action != PF_SYNC_KEEP) {
		pf_wbatch_group(b, name, worker ? rec : NULL);
		if (res.action == PF_SYNC_WRITE) {
			struct pf_buf val = PF_BUF_INIT;
			size_t len;
			char *v;

			pod->meta.resource_version = 0;
			pf_pod_encode(pod, &val);
			v = pf_buf_detach(&val, &len);
			pf_wbatch_op(b, PF_OP_UPDATE, pf_xstrdup(kv->key), v, len, kv->mod_rev);
		} else {
			pf_wbatch_op(b, PF_OP_DELETE, pf_xstrdup(kv->key), NULL, 0, kv->mod_rev);
		}
		for (size_t i = 0; i < res.n_events; i++)
			pf_wbatch_event(b, "Pod", name, pod->meta.uid, res.events[i].type,
					res.events[i].reason, ctx.node, res.events[i].message);
	}
	pf_sync_result_free(&res);
}

/* One pass over the stored pod kv (a PUT, or a listing): at once without
 * workers, else handed to one (replacing an older object the pod still
 * waited with: a pass over a state about to be overwritten would act on
 * it).  A kv the agent wrote itself is skipped, unless due (resync read
 * it, see there). */
static void reconcile_kv(struct pf_agent *a, const struct pf_kv *kv, bool due)
{
	const char *name = pf_key_name(kv->key, PF_POD_PREFIX);
	struct pf_podrec *rec;
	_cleanup_pod_ struct pf_pod *pod = NULL;
	struct pf_err err = PF_ERR_INIT;
	ssize_t node;
	bool own;

	if (!name)
		return;
	if (!kv->value) {
		rec_remove(a, name);
		return;
	}
	rec = rec_get(a, name);
	if (rec && !due) {
		pthread_mutex_lock(&a->mu);
		own = kv->mod_rev == rec->wrote_rev;
		pthread_mutex_unlock(&a->mu);
		if (own)
			return; /* our own write coming back */
	}
	if (pf_pod_decode(kv->value, kv->len, &pod, &err) < 0) {
		pf_log(PF_LOG_ERROR, "node agent: cannot read stored pod %s: %s", name, err.msg);
		return;
	}
	node = find_node(a, pod->spec.node_name);
	if (rec && (node < 0 || strcmp(rec->uid, pod->meta.uid ? pod->meta.uid : "") != 0)) {
		/* Not ours any more, or a new pod under an old name. */
		rec_remove(a, name);
		rec = NULL;
	}
	if (node < 0)
		return;
	if (!rec)
		rec = rec_add(a, name, pod->meta.uid, (size_t)node);
	if (!a->n_workers) {
		sync_pod(a, rec, kv, pod, &a->batch, false);
		return;
	}

	struct pf_pod_want *w = pf_xcalloc(1, sizeof(*w));
	w->kv = (struct pf_kv){.key = pf_xstrdup(kv->key),
			       .value = pf_xstrdup(kv->value),
			       .len = kv->len,
			       .create_rev = kv->create_rev,
			       .mod_rev = kv->mod_rev};
	w->pod = PF_TAKE(pod);
	w->due = due;
	pthread_mutex_lock(&a->mu);
	/* A newer object replaces a due one, and is due in its place. */
	if (rec->want && rec->want->due)
		w->due = true;
	want_free(rec->want);
	rec->want = w;
	queue_rec(a, rec);
	pthread_mutex_unlock(&a->mu);
}

/* Store b's writes.  A group whose compare-and-swap fails is dropped (the
 * watch brings the newer object) and the rest is retried. */
static void flush_batch(struct pf_agent *a, struct pf_wbatch *b)
{
	while (b->n) {
		struct pf_err err = PF_ERR_INIT;
		size_t failed = b->n;
		int64_t rev = 0;
		int r = pf_store_txn(a->store, b->ops, b->n, &rev, &failed, &err);

		pthread_mutex_lock(&a->mu);
		if (r >= 0) {
			for (size_t g = 0; g < b->n_groups; g++) {
				struct pf_podrec *rec = b->recs[g] ?: rec_get(a, b->names[g]);
				if (rec)
					rec->wrote_rev = rev;
			}
			pthread_mutex_unlock(&a->mu);
			break;
		}
		if ((r == -ESTALE || r == -ENOENT) && failed < b->n) {
			size_t g = b->group[failed];
			struct pf_podrec *rec = b->recs[g] ?: rec_get(a, b->names[g]);

			pf_log(PF_LOG_DEBUG, "node agent: pod %s changed meanwhile: %s",
			       b->names[g], err.msg);
			/* Read it again at once (the agent thread's next round,
			 * due() through next_ms), as kubelet's status manager
			 * does: the newer object may have come in this round,
			 * or be a write of ours the watch then skips, and the
			 * periodic resync is a minute away. */
			if (rec) {
				rec->retry = true;
				rec->next_ms = pf_wall_ms();
			}
			pthread_mutex_unlock(&a->mu);
			pf_wbatch_drop_group(b, g);
			continue;
		}
		pf_log(PF_LOG_ERROR, "node agent: cannot store pod status: %s", err.msg);
		for (size_t g = 0; g < b->n_groups; g++) {
			struct pf_podrec *rec = b->recs[g] ?: rec_get(a, b->names[g]);
			if (rec)
				rec->retry = true;
		}
		pthread_mutex_unlock(&a->mu);
		break;
	}
	pf_wbatch_reset(b);
}

static void flush(struct pf_agent *a)
{
	flush_batch(a, &a->batch);
}

/* ---- pod workers -------------------------------------------------------- */

/*
 * A worker's writes go out before its pass is over, so a pod's next pass
 * starts from its stored last one, and its events keep their order.  Group
 * commit: the pass adds its group to wbatch, then whoever gets flush_mu
 * stores all that gathered, so passes that end together share one
 * transaction (the store's writes are serial anyway).
 */
static void commit(struct pf_agent *a, struct pf_wbatch *mine)
{
	struct pf_wbatch out = {0};

	pthread_mutex_lock(&a->batch_mu);
	pf_wbatch_move(&a->wbatch, mine);
	pthread_mutex_unlock(&a->batch_mu);
	pthread_mutex_lock(&a->flush_mu);
	pthread_mutex_lock(&a->batch_mu);
	out = a->wbatch;
	memset(&a->wbatch, 0, sizeof(a->wbatch));
	pthread_mutex_unlock(&a->batch_mu);
	flush_batch(a, &out);
	pthread_mutex_unlock(&a->flush_mu);
	pf_wbatch_free(&out);
}

static void dying_unlink(struct pf_agent *a, struct pf_podrec *r)
{
	for (struct pf_podrec **p = &a->dying; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			return;
		}
}

/* Under mu: the passes of r, newest object first, until it has none left
 * (or it is gone: its teardown, and it is freed).  Returns with mu held. */
static void work_rec(struct pf_agent *a, struct pf_podrec *r)
{
	r->busy = true;
	while (!a->workers_stop) {
		struct pf_pod_want *w = r->want;

		r->want = NULL;
		if (r->gone) {
			want_free(w);
			dying_unlink(a, r);
			pthread_mutex_unlock(&a->mu);
			rec_teardown(a, r);
			pf_podrec_free(r);
			pthread_mutex_lock(&a->mu);
			return;
		}
		if (!w)
			break;
		if (!w->due && w->kv.mod_rev == r->wrote_rev) {
			want_free(w); /* our own write came back while it waited */
			continue;
		}
		pthread_mutex_unlock(&a->mu);
		{
			struct pf_wbatch b = {0};

			sync_pod(a, r, &w->kv, w->pod, &b, true);
			if (b.n)
				commit(a, &b);
			pf_wbatch_free(&b);
			want_free(w);
		}
		pthread_mutex_lock(&a->mu);
	}
	r->busy = false;
}

static void *pod_worker(void *arg)
{
	struct pf_agent *a = arg;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		struct pf_podrec *r;

		while (!a->workers_stop && !a->q_head)
			pthread_cond_wait(&a->work, &a->mu);
		if (a->workers_stop)
			break;
		r = a->q_head;
		a->q_head = r->q_next;
		if (!a->q_head)
			a->q_tail = NULL;
		r->queued = false;
		work_rec(a, r);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

static size_t pod_workers(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cores > 0 ? (size_t)cores * 2 : POD_WORKERS_MIN;

	if (n < POD_WORKERS_MIN)
		return POD_WORKERS_MIN;
	return n > POD_WORKERS_MAX ? POD_WORKERS_MAX : n;
}

static int start_workers(struct pf_agent *a, size_t n, struct pf_err *err)
{
	a->workers = pf_xcalloc(n, sizeof(*a->workers));
	for (size_t i = 0; i < n; i++) {
		int r = pthread_create(&a->workers[i], NULL, pod_worker, a);
		if (r)
			return pf_err_sys(err, r, "start a pod worker thread");
		a->n_workers++;
	}
	return 0;
}

/* The passes under way end (what is queued stays undone: what runs keeps
 * running, and the next start adopts it). */
static void stop_workers(struct pf_agent *a)
{
	pthread_mutex_lock(&a->mu);
	a->workers_stop = true;
	pthread_cond_broadcast(&a->work);
	pthread_mutex_unlock(&a->mu);
	for (size_t i = 0; i < a->n_workers; i++)
		pthread_join(a->workers[i], NULL);
	free(a->workers);
	a->workers = NULL;
	pf_wbatch_free(&a->wbatch);
}

static int cmp_kv_ptr(const void *x, const void *y)
{
	const struct pf_kv *a = *(const struct pf_kv *const *)x,
			   *b = *(const struct pf_kv *const *)y;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	return a->mod_rev < b->mod_rev ? -1 : a->mod_rev > b->mod_rev;
}

/* Reconcile a set of kvs, each pod once at its newest state: a pass on a
 * state the agent is about to overwrite would act twice. */
static void reconcile_all(struct pf_agent *a, struct pf_kv **kvs, size_t n, bool due)
{
	size_t in_batch = 0;

	qsort(kvs, n, sizeof(*kvs), cmp_kv_ptr);
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(kvs[i]->key, kvs[i + 1]->key) == 0)
			continue;
		reconcile_kv(a, kvs[i], due);
		if (a->batch.n_groups > in_batch && a->batch.n_groups >= BATCH_PODS) {
			flush(a);
			in_batch = 0;
		}
	}
	flush(a);
}

static void reconcile_list(struct pf_agent *a, struct pf_kv_list *l, bool due)
{
	struct pf_kv **kvs = pf_xcalloc(l->n ? l->n : 1, sizeof(*kvs));

	for (size_t i = 0; i < l->n; i++)
		kvs[i] = &l->items[i];
	reconcile_all(a, kvs, l->n, due);
	free(kvs);
}

/* A pod is due another pass when its last one failed or lost a race (at
 * the resync), when its timer ran out (a back-off, a grace period), or when
 * the runtime saw a container exit (all pods with containers: the pass
 * finds which). */
static bool due(const struct pf_podrec *r, bool retries, bool exits, int64_t now)
{
	return (retries && r->retry) || (r->next_ms && r->next_ms <= now) ||
	       (exits && r->has_runtime);
}

static int64_t next_timer(struct pf_agent *a)
{
	const struct pf_podrec *r;
	int64_t t = 0;

	pthread_mutex_lock(&a->mu);
	for (size_t it = 0; (r = pf_hashmap_next(&a->recs, &it));)
		if (r->next_ms && (!t || r->next_ms < t))
			t = r->next_ms;
	pthread_mutex_unlock(&a->mu);
	return t;
}

/* Pods that are due get another pass, from the stored object.  The read
 * takes the pod's timer (next_ms), so its pass must run whatever it reads,
 * the agent's own last write included: a pod worker's pass may set the
 * timer (a grace period, a teardown's retry) and store its write between
 * this read and the want's turn, and skipping that write as an echo
 * would leave the pod with no timer and no pass (a Terminating pod whose
 * containers exited stayed so for good). */
static void resync(struct pf_agent *a, bool retries, bool exits)
{
	struct pf_kv_list l = {0};
	int64_t now = pf_wall_ms();
	struct pf_podrec *r;
	size_t n = 0;

	pthread_mutex_lock(&a->mu);
	for (size_t it = 0; (r = pf_hashmap_next(&a->recs, &it));)
		n += due(r, retries, exits, now);
	pthread_mutex_unlock(&a->mu);
	if (!n)
		return;
	l.items = pf_xcalloc(n, sizeof(*l.items));
	for (size_t it = 0; (r = pf_hashmap_next(&a->recs, &it));) {
		struct pf_err err = PF_ERR_INIT;
		_cleanup_free_ char *key = NULL;

		bool d;

		pthread_mutex_lock(&a->mu);
		d = due(r, retries, exits, now) && l.n < n;
		if (d)
			r->next_ms = 0;
		pthread_mutex_unlock(&a->mu);
		if (!d)
			continue;
		key = pf_pod_key(r->name);
		if (pf_store_get(a->store, key, &l.items[l.n], &err) == 0)
			l.n++;
		else if (err.code == ENOENT) /* gone: a deletion, as the watch says it */
			l.items[l.n++].key = PF_TAKE(key);
	}
	reconcile_list(a, &l, true);
	pf_kv_list_free(&l);
}

static int64_t ms_until(int64_t deadline_ns)
{
	int64_t d = deadline_ns - pf_now_ns();

	return d <= 0 ? 0 : (d + 999999) / 1000000;
}

/* Remove what the runtime holds for pods this node no longer has (deleted
 * while the agent was down), as kubelet's garbage collector does. */
static void collect_orphans(struct pf_agent *a)
{
	struct pf_rt_list l = {0};
	struct pf_err err = PF_ERR_INIT;
	struct pf_strmap seen = {0};

	if (!a->rt || pf_rt_list(a->rt, &l, &err) < 0)
		return;
	for (size_t i = 0; i < l.n; i++) {
		bool known = false;
		const char *uid = l.items[i].pod_uid;
		const struct pf_podrec *r;

		if (!uid || pf_strmap_get(&seen, uid))
			continue;
		for (size_t it = 0; !known && (r = pf_hashmap_next(&a->recs, &it));)
			known = strcmp(r->uid, uid) == 0;
		/* A pod being torn down by a worker is that worker's. */
		pthread_mutex_lock(&a->mu);
		for (r = a->dying; r && !known; r = r->next)
			known = strcmp(r->uid, uid) == 0;
		pthread_mutex_unlock(&a->mu);
		pf_strmap_set(&seen, uid, "1");
		if (known)
			continue;
		struct pf_podrec orphan = {.name = (char *)"(deleted pod)", .uid = (char *)uid};
		pf_log(PF_LOG_INFO, "node agent: removing the containers of deleted pod %s", uid);
		pf_podrec_teardown(a->rt, &orphan);
		pf_strmap_free(&orphan.ids);
		free(orphan.sandbox_id);
	}
	pf_strmap_free(&seen);
	pf_rt_list_free(&l);
}

static void *heartbeat_thread(void *arg)
{
	struct pf_agent *a = arg;

	pthread_mutex_lock(&a->hb_mu);
	while (!a->stopping) {
		struct timespec ts;
		struct pf_err err = PF_ERR_INIT;

		pf_mono_deadline(&ts, a->heartbeat_ms);
		while (!a->stopping && pthread_cond_timedwait(&a->hb_cond, &a->hb_mu, &ts) == 0)
			;
		if (a->stopping)
			break;
		pthread_mutex_unlock(&a->hb_mu);
		if (sync_nodes(a, a->nodes_stale, false, &err) < 0)
			pf_log(PF_LOG_ERROR, "node agent: heartbeat failed: %s", err.msg);
		pthread_mutex_lock(&a->hb_mu);
	}
	pthread_mutex_unlock(&a->hb_mu);
	return NULL;
}

/* How often the runtime's change counter is looked at (one stat). */
#define EXIT_POLL_MS 100

static void *agent_thread(void *arg)
{
	struct pf_agent *a = arg;
	int64_t next_resync = pf_now_ns() + (int64_t)a->resync_ms * 1000000;
	bool polls = a->rt && a->rt->ops->changes;

	if (a->rt)
		a->rt_changes = pf_rt_changes(a->rt);
	reconcile_list(a, &a->initial, false);
	pf_kv_list_free(&a->initial);
	collect_orphans(a);

	while (!__atomic_load_n(&a->stopping, __ATOMIC_ACQUIRE)) {
		struct pf_watch_batch wb = {0};
		struct pf_err err = PF_ERR_INIT;
		int64_t wait = ms_until(next_resync), timer = next_timer(a);
		int r;

		if (timer) {
			int64_t t = timer - pf_wall_ms();
			if (t < wait)
				wait = t < 0 ? 0 : t;
		}
		if (polls && wait > EXIT_POLL_MS)
			wait = EXIT_POLL_MS;
		r = pf_listwatch_next(a->lw, &wb, (int)(wait > 60000 ? 60000 : wait), &err);

		if (r == -ECANCELED)
			break;
		if (r < 0) {
			struct pf_kv_list l;

			/* It backs off (unless the history moved on) and logs. */
			r = pf_listwatch_relist(a->lw, r, &l, NULL, &err);
			if (r == -ECANCELED)
				break;
			if (r < 0)
				continue;
			reconcile_list(a, &l, false);
			pf_kv_list_free(&l);
		} else if (r > 0) {
			struct pf_kv **kvs = pf_xcalloc(wb.n, sizeof(*kvs));

			for (size_t i = 0; i < wb.n; i++)
				kvs[i] = &wb.events[i].kv;
			reconcile_all(a, kvs, wb.n, false);
			free(kvs);
		}
		pf_watch_batch_free(&wb);

		bool exits = false;
		if (polls) {
			uint64_t c = pf_rt_changes(a->rt);
			exits = c != a->rt_changes;
			a->rt_changes = c;
		}
		if (a->prober) {
			uint64_t c = pf_prober_changes(a->prober);
			exits = exits || c != a->probe_changes;
			a->probe_changes = c;
		}
		bool retries = pf_now_ns() >= next_resync;
		resync(a, retries, exits);
		if (retries)
			next_resync = pf_now_ns() + (int64_t)a->resync_ms * 1000000;
	}
	return NULL;
}

/* ---- start and stop ----------------------------------------------------- */

int pf_agent_start(struct pf_store *s, const struct pf_agent_opts *o, struct pf_agent **out,
		   struct pf_err *err)
{
	struct pf_agent *a = pf_xcalloc(1, sizeof(*a));
	struct pf_runtime_config rc = {.state_dir = o->state_dir,
				       .oci_runtime = o->oci_runtime,
				       .allow_privileged = o->allow_privileged,
				       .allow_host_paths = o->allow_host_paths,
				       .network = o->network,
				       .pod_cidr = o->pod_cidr,
				       .bridge = o->bridge,
				       .pod_egress = o->pod_egress};
	struct pf_err rerr = PF_ERR_INIT;
	int64_t now = pf_wall_ms();
	int r;

	a->store = s;
	a->heartbeat_ms = o->heartbeat_ms ? o->heartbeat_ms : DEFAULT_HEARTBEAT_MS;
	a->resync_ms = o->resync_ms ? o->resync_ms : DEFAULT_RESYNC_MS;
	a->backoff_ms = o->crash_backoff_ms;
	pthread_mutex_init(&a->hb_mu, NULL);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->work, NULL);
	pthread_mutex_init(&a->batch_mu, NULL);
	pthread_mutex_init(&a->flush_mu, NULL);
	{
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&a->hb_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	r = parse_opts(o, &a->capacity, &a->labels, &a->taints, &a->n_taints, err);
	if (r < 0)
		goto fail;
	a->pod_cidr = o->pod_cidr && *o->pod_cidr ? pf_xstrdup(o->pod_cidr) : NULL;

	r = pf_runtime_open(o->runtime ? o->runtime : "oci", &rc, &a->rt, &rerr);
	if (r < 0) {
		/* As kubelet with a runtime that is down: register NotReady. */
		a->rt = NULL;
		a->rt_down = pf_xstrdup(rerr.msg);
		pf_log(PF_LOG_WARN, "node agent: %s; the node registers NotReady", rerr.msg);
	} else if (pf_rt_status(a->rt, &rerr) < 0) {
		a->rt_down = pf_xstrdup(rerr.msg);
	}
	pf_host_detect(o->state_dir, &a->host);

	a->n_nodes = o->replicas > 0 ? (size_t)o->replicas : 1;
	a->nodes = pf_xcalloc(a->n_nodes, sizeof(*a->nodes));
	for (size_t i = 0; i < a->n_nodes; i++) {
		struct hnode *h = &a->nodes[i];
		const char *detail = NULL;

		h->name = o->replicas > 0 ? pf_xasprintf("%s-%04zu", o->name, i + 1)
					  : pf_xstrdup(o->name);
		if (!pf_is_dns1123_subdomain(h->name, &detail)) {
			r = pf_err_set(err, EINVAL, "invalid node name \"%s\": %s", h->name,
				       detail);
			goto fail;
		}
	}
	if (a->rt && strcmp(pf_runtime_name(a->rt), "fake") != 0)
		a->prober = pf_prober_new(a->rt, 4);
	qsort(a->nodes, a->n_nodes, sizeof(*a->nodes), cmp_hnode);
	for (size_t i = 0; i < a->n_nodes; i++)
		a->nodes[i].fresh = build_fresh(a, a->nodes[i].name, now);

	r = sync_nodes(a, true, true, err);
	if (r < 0) {
		pf_err_prefix(err, "register node %s: ", o->name);
		goto fail;
	}
	a->lw = pf_listwatch_new(s, PF_POD_PREFIX, "node agent");
	r = pf_listwatch_list(a->lw, &a->initial, NULL, err);
	if (r < 0) {
		pf_err_prefix(err, "list pods: ");
		goto fail;
	}
	if (a->rt && strcmp(pf_runtime_name(a->rt), "fake") != 0) {
		r = start_workers(a, pod_workers(), err);
		if (r < 0)
			goto fail;
	}
	r = pthread_create(&a->thread, NULL, agent_thread, a);
	if (r) {
		r = pf_err_sys(err, r, "start the node agent thread");
		goto fail;
	}
	a->started = true;
	r = pthread_create(&a->hb_thread, NULL, heartbeat_thread, a);
	if (r) {
		r = pf_err_sys(err, r, "start the heartbeat thread");
		goto fail;
	}
	a->hb_started = true;
	pf_log(PF_LOG_INFO, "node agent: %zu node%s registered (%s%s), runtime %s%s", a->n_nodes,
	       a->n_nodes == 1 ? "" : "s", a->nodes[0].name, a->n_nodes > 1 ? ", ..." : "",
	       a->rt ? pf_runtime_name(a->rt) : "down", a->rt ? "" : " (NotReady)");
	*out = a;
	return 0;
fail:
	pf_agent_stop(a);
	return r;
}

void pf_agent_stop(struct pf_agent *a)
{
	struct pf_podrec *r, *next;

	if (!a)
		return;
	pthread_mutex_lock(&a->hb_mu);
	__atomic_store_n(&a->stopping, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&a->hb_cond);
	pthread_mutex_unlock(&a->hb_mu);
	if (a->hb_started)
		pthread_join(a->hb_thread, NULL);
	if (a->started) {
		pf_listwatch_cancel(a->lw);
		pthread_join(a->thread, NULL);
	}
	stop_workers(a);
	pf_listwatch_free(a->lw);
	pf_kv_list_free(&a->initial);
	pf_wbatch_free(&a->batch);
	/* What runs keeps running: adopted next start. */
	for (size_t it = 0; (r = pf_hashmap_next(&a->recs, &it));) {
		want_free(r->want);
		pf_podrec_free(r);
	}
	pf_hashmap_free(&a->recs);
	for (r = a->dying; r; r = next) {
		next = r->next;
		want_free(r->want);
		pf_podrec_free(r);
	}
	for (size_t i = 0; i < a->n_nodes; i++) {
		free(a->nodes[i].name);
		pf_node_free(a->nodes[i].fresh);
		pf_node_free(a->nodes[i].cur);
	}
	free(a->nodes);
	pf_prober_free(a->prober);
	pf_runtime_close(a->rt);
	free(a->rt_down);
	pf_host_facts_free(&a->host);
	pf_reslist_free(&a->capacity);
	pf_strmap_free(&a->labels);
	pf_taints_free(a->taints, a->n_taints);
	free(a->pod_cidr);
	pthread_mutex_destroy(&a->hb_mu);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->work);
	pthread_mutex_destroy(&a->batch_mu);
	pthread_mutex_destroy(&a->flush_mu);
	pthread_cond_destroy(&a->hb_cond);
	free(a);
}

size_t pf_agent_nodes(const struct pf_agent *a)
{
	return a->n_nodes;
}
