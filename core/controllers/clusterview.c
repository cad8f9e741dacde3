/*
 * clusterview.c - the pods and nodes the scheduler and its controllers see
 * (clusterview.h): the maps by name, the node index, the shared toleration
 * sets and the clock.
 *
 * It must hold no scheduling logic (what a change means for the queue or
 * for evictions is the scheduler's, scheduler_loop.c) and must not read the
 * store.
 */
#include "clusterview.h"

int64_t pf_cluster_mono_ms(void)
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

/* ---- pods and nodes by name ---- */

struct spod *pf_cluster_pod(const struct pf_cluster *v, const char *name)
{
	return smap_get(&v->pods, name);
}

void pf_cluster_pod_put(struct pf_cluster *v, struct spod *p)
{
	smap_put(&v->pods, p->name, p);
}

void pf_cluster_pod_del(struct pf_cluster *v, const char *name)
{
	smap_del(&v->pods, name);
}

struct spod *pf_cluster_pod_next(const struct pf_cluster *v, size_t *it)
{
	while (*it < v->pods.cap) {
		struct spod *p = v->pods.vals[(*it)++];

		if (p)
			return p;
	}
	return NULL;
}

ssize_t pf_cluster_node_index(const struct pf_cluster *v, const char *name)
{
	uintptr_t x = (uintptr_t)smap_get(&v->nodeix, name);

	return x ? (ssize_t)(x - 1) : -1;
}

void pf_cluster_node_index_set(struct pf_cluster *v, const char *name, size_t i)
{
	smap_put(&v->nodeix, name, (void *)(uintptr_t)(i + 1));
}

void pf_cluster_node_index_del(struct pf_cluster *v, const char *name)
{
	smap_del(&v->nodeix, name);
}

/* ---- toleration sets ---- */

struct tolset *pf_cluster_tolset_get(struct pf_cluster *v, struct pf_sched_tol *tols, size_t n)
{
	struct pf_buf key = PF_BUF_INIT;
	struct tolset *t;

	if (!n) {
		free(tols);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		pf_buf_addf(&key, "%s%c%s%c%d%u%d%lld%c", tols[i].key, 1, tols[i].value, 1,
			    tols[i].exists, tols[i].effect, tols[i].has_seconds,
			    (long long)tols[i].seconds, 2);
	t = smap_get(&v->tolsets, key.buf);
	if (t) {
		pf_buf_release(&key);
		free(tols);
		t->refs++;
		return t;
	}
	t = pf_xcalloc(1, sizeof(*t));
	t->refs = 1;
	t->key = pf_buf_detach(&key, NULL);
	t->tols = tols;
	t->n = n;
	smap_put(&v->tolsets, t->key, t);
	return t;
}

void pf_cluster_tolset_put(struct pf_cluster *v, struct tolset *t)
{
	if (!t || --t->refs)
		return;
	smap_del(&v->tolsets, t->key);
	free(t->key);
	free(t->tols);
	free(t);
}

void pf_cluster_clear(struct pf_cluster *v)
{
	smap_free(&v->pods);
	for (size_t i = 0; i < v->n_nodes; i++)
		pf_sched_node_clear(&v->nodes[i]);
	v->n_nodes = 0;
	smap_free(&v->nodeix);
}

void pf_cluster_free(struct pf_cluster *v)
{
	smap_free(&v->tolsets); /* empty: every pod gave its set back */
	free(v->nodes);
	free(v->nx);
}
