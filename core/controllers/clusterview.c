/* SPDX-License-Identifier: Apache-2.0 */
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

/* ---- pods and nodes by name ---- */

struct spod *pf_cluster_pod(const struct pf_cluster *v, const char *name)
{
	return pf_hashmap_get(&v->pods, name);
}

void pf_cluster_pod_put(struct pf_cluster *v, struct spod *p)
{
	pf_hashmap_put(&v->pods, p->name, p);
}

void pf_cluster_pod_del(struct pf_cluster *v, const char *name)
{
	pf_hashmap_del(&v->pods, name);
}

struct spod *pf_cluster_pod_next(const struct pf_cluster *v, size_t *it)
{
	return pf_hashmap_next(&v->pods, it);
}

ssize_t pf_cluster_node_index(const struct pf_cluster *v, const char *name)
{
	uintptr_t x = (uintptr_t)pf_hashmap_get(&v->nodeix, name);

	return x ? (ssize_t)(x - 1) : -1;
}

void pf_cluster_node_index_set(struct pf_cluster *v, const char *name, size_t i)
{
	pf_hashmap_put(&v->nodeix, name, (void *)(uintptr_t)(i + 1));
}

void pf_cluster_node_index_del(struct pf_cluster *v, const char *name)
{
	pf_hashmap_del(&v->nodeix, name);
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
	t = pf_hashmap_get(&v->tolsets, key.buf);
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
	pf_hashmap_put(&v->tolsets, t->key, t);
	return t;
}

void pf_cluster_tolset_put(struct pf_cluster *v, struct tolset *t)
{
	if (!t || --t->refs)
		return;
	pf_hashmap_del(&v->tolsets, t->key);
	free(t->key);
	free(t->tols);
	free(t);
}

void pf_cluster_clear(struct pf_cluster *v)
{
	pf_hashmap_free(&v->pods);
	for (size_t i = 0; i < v->n_nodes; i++)
		pf_sched_node_clear(&v->nodes[i]);
	v->n_nodes = 0;
	pf_hashmap_free(&v->nodeix);
}

void pf_cluster_free(struct pf_cluster *v)
{
	pf_hashmap_free(&v->tolsets); /* empty: every pod gave its set back */
	free(v->nodes);
	free(v->nx);
}
