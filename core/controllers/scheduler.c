/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scheduler.c - the scheduler's decisions: filter, score, pick, and the
 * FailedScheduling message, as kube-scheduler's default profile makes them
 * for the fields podfs runs (see sched.h for the list).
 *
 * Pure functions of their arguments: no store, no clock, no randomness (kube
 * breaks ties at random; here the tie goes to the node with fewer pods, then
 * to the first examined, so tests are deterministic and equal nodes still
 * take pods in turn).  Per node the checks are integer compares and, only
 * when the node has taints or the pod a selector, short string compares:
 * the loop calls pf_sched_pick once per pod over up to a thousand nodes.
 */
#include "scheduler.h"
#include "wellknown.h"

#include <errno.h>

unsigned pf_taint_effect(const char *s)
{
	if (!s)
		return 0;
	if (strcmp(s, "NoSchedule") == 0)
		return PF_EFFECT_NOSCHEDULE;
	if (strcmp(s, "PreferNoSchedule") == 0)
		return PF_EFFECT_PREFER;
	if (strcmp(s, "NoExecute") == 0)
		return PF_EFFECT_NOEXECUTE;
	return 0;
}

static int64_t req_of(const struct pf_reslist *l, const char *name, bool *set)
{
	const struct pf_quantity *q = pf_reslist_get(l, name);

	*set = q != NULL;
	if (!q || q->milli <= 0)
		return 0;
	/* cpu is kept in millicores; memory in milli-bytes, rounded up to bytes. */
	return strcmp(name, "cpu") == 0 ? q->milli : (q->milli + 999) / 1000;
}

/* One container's (cpu, mem); with nonzero, kube's scoring defaults stand in
 * for a request that is not set at all. */
static void container_req(const struct pf_container *c, bool nonzero, int64_t v[2])
{
	bool set;

	v[0] = req_of(&c->resources.requests, "cpu", &set);
	if (nonzero && !set)
		v[0] = PF_SCHED_DEFAULT_MILLICPU;
	v[1] = req_of(&c->resources.requests, "memory", &set);
	if (nonzero && !set)
		v[1] = PF_SCHED_DEFAULT_MEMORY;
}

static void pod_requests(const struct pf_pod *pod, bool nonzero, int64_t *cpu, int64_t *mem)
{
	int64_t reqs[2] = {0, 0}, init[2] = {0, 0}, sidecars[2] = {0, 0}, v[2];
	const struct pf_pod_spec *s = &pod->spec;

	for (size_t i = 0; i < s->n_containers; i++) {
		container_req(&s->containers[i], nonzero, v);
		reqs[0] += v[0];
		reqs[1] += v[1];
	}
	/* resourcehelper.PodRequests: an init container runs alone, but after
	 * the restartable ones started before it, which keep running beside
	 * the app containers. */
	for (size_t i = 0; i < s->n_init_containers; i++) {
		const struct pf_container *c = &s->init_containers[i];
		bool sidecar = c->restart_policy && strcmp(c->restart_policy, "Always") == 0;

		container_req(c, nonzero, v);
		for (int k = 0; k < 2; k++) {
			if (sidecar) {
				reqs[k] += v[k];
				sidecars[k] += v[k];
				v[k] = sidecars[k];
			} else {
				v[k] += sidecars[k];
			}
			if (v[k] > init[k])
				init[k] = v[k];
		}
	}
	*cpu = reqs[0] > init[0] ? reqs[0] : init[0];
	*mem = reqs[1] > init[1] ? reqs[1] : init[1];
}

void pf_sched_pod_requests(const struct pf_pod *pod, int64_t *cpu, int64_t *mem)
{
	pod_requests(pod, false, cpu, mem);
}

void pf_sched_pod_nonzero(const struct pf_pod *pod, int64_t *cpu, int64_t *mem)
{
	pod_requests(pod, true, cpu, mem);
}

void pf_sched_pod_init(struct pf_sched_pod *out, const struct pf_pod *pod)
{
	const struct pf_pod_spec *s = &pod->spec;

	memset(out, 0, sizeof(*out));
	out->name = pf_xstrdup(pod->meta.name ? pod->meta.name : "");
	if (s->node_name && *s->node_name)
		out->node_name = pf_xstrdup(s->node_name);
	pod_requests(pod, false, &out->cpu, &out->mem);
	pod_requests(pod, true, &out->nz_cpu, &out->nz_mem);
	for (size_t i = 0; i < s->node_selector.n; i++)
		pf_strmap_set(&out->selector, s->node_selector.items[i].key,
			      s->node_selector.items[i].value);
	out->tols = pf_xcalloc(s->n_tolerations ? s->n_tolerations : 1, sizeof(*out->tols));
	for (size_t i = 0; i < s->n_tolerations; i++) {
		const struct pf_toleration *t = &s->tolerations[i];
		struct pf_sched_tol *o = &out->tols[out->n_tols++];

		o->key = pf_xstrdup(t->key ? t->key : "");
		o->value = pf_xstrdup(t->value ? t->value : "");
		o->exists = t->operator_ && strcmp(t->operator_, "Exists") == 0;
		o->effect = pf_taint_effect(t->effect);
		o->has_seconds = t->has_toleration_seconds;
		o->seconds = t->toleration_seconds;
	}
}

void pf_sched_pod_clear(struct pf_sched_pod *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->node_name);
	pf_strmap_free(&p->selector);
	for (size_t i = 0; i < p->n_tols; i++) {
		free(p->tols[i].key);
		free(p->tols[i].value);
	}
	free(p->tols);
	memset(p, 0, sizeof(*p));
}

enum pf_node_ready pf_node_ready_of(const struct pf_node *node)
{
	const struct pf_condition *c =
	    pf_condition_find(node->conditions, node->n_conditions, "Ready");

	if (!c || !c->status)
		return PF_READY_UNKNOWN;
	if (strcmp(c->status, "True") == 0)
		return PF_READY_TRUE;
	if (strcmp(c->status, "False") == 0)
		return PF_READY_FALSE;
	return PF_READY_UNKNOWN;
}

/* allocatable, else capacity (a node that reports only capacity), else dflt. */
static int64_t node_res(const struct pf_node *node, const char *name, int64_t dflt)
{
	bool set;
	int64_t v = req_of(&node->allocatable, name, &set);

	if (set)
		return v;
	v = req_of(&node->capacity, name, &set);
	return set ? v : dflt;
}

static void add_taint(struct pf_sched_node *n, const char *key, const char *value, unsigned effect)
{
	struct pf_sched_taint *t = &n->taints[n->n_taints++];

	t->key = pf_xstrdup(key ? key : "");
	t->value = pf_xstrdup(value ? value : "");
	t->effect = effect;
}

void pf_sched_node_init(struct pf_sched_node *out, const struct pf_node *node)
{
	const char *implied = NULL;

	memset(out, 0, sizeof(*out));
	out->name = pf_xstrdup(node->meta.name ? node->meta.name : "");
	out->alloc_cpu = node_res(node, "cpu", 0);
	out->alloc_mem = node_res(node, "memory", 0);
	/* pods is a plain count: milli / 1000. */
	{
		const struct pf_quantity *q = pf_reslist_get(&node->allocatable, "pods");
		if (!q)
			q = pf_reslist_get(&node->capacity, "pods");
		out->alloc_pods = q ? q->milli / 1000 : 110;
	}
	for (size_t i = 0; i < node->meta.labels.n; i++)
		pf_strmap_set(&out->labels, node->meta.labels.items[i].key,
			      node->meta.labels.items[i].value);
	out->unschedulable = node->unschedulable;
	out->ready = pf_node_ready_of(node);
	if (out->ready == PF_READY_FALSE)
		implied = PF_TAINT_NOT_READY;
	else if (out->ready == PF_READY_UNKNOWN)
		implied = PF_TAINT_UNREACHABLE;
	out->taints = pf_xcalloc(node->n_taints + 1, sizeof(*out->taints));
	for (size_t i = 0; i < node->n_taints; i++) {
		const struct pf_taint *t = &node->taints[i];

		add_taint(out, t->key, t->value, pf_taint_effect(t->effect));
		if (implied && t->key && strcmp(t->key, implied) == 0 &&
		    pf_taint_effect(t->effect) == PF_EFFECT_NOSCHEDULE)
			implied = NULL;
	}
	if (implied)
		add_taint(out, implied, "", PF_EFFECT_NOSCHEDULE);
}

void pf_sched_node_clear(struct pf_sched_node *n)
{
	if (!n)
		return;
	free(n->name);
	pf_strmap_free(&n->labels);
	for (size_t i = 0; i < n->n_taints; i++) {
		free(n->taints[i].key);
		free(n->taints[i].value);
	}
	free(n->taints);
	memset(n, 0, sizeof(*n));
}

void pf_sched_node_account(struct pf_sched_node *n, int64_t cpu, int64_t mem, int64_t nz_cpu,
			   int64_t nz_mem, int sign)
{
	n->used_cpu += sign * cpu;
	n->used_mem += sign * mem;
	n->nz_cpu += sign * nz_cpu;
	n->nz_mem += sign * nz_mem;
	n->npods += sign;
}

/* v1helper.ToleratesTaint. */
static bool tolerates(const struct pf_sched_tol *t, const char *key, const char *value,
		      unsigned effect)
{
	if (t->effect && t->effect != effect)
		return false;
	if (*t->key && strcmp(t->key, key) != 0)
		return false;
	return t->exists || strcmp(t->value, value) == 0;
}

static bool tolerated(const struct pf_sched_pod *pod, const char *key, const char *value,
		      unsigned effect)
{
	for (size_t i = 0; i < pod->n_tols; i++)
		if (tolerates(&pod->tols[i], key, value, effect))
			return true;
	return false;
}

bool pf_sched_node_noexecute(const struct pf_sched_node *node)
{
	for (size_t i = 0; i < node->n_taints; i++)
		if (node->taints[i].effect == PF_EFFECT_NOEXECUTE)
			return true;
	return false;
}

int64_t pf_sched_noexecute(const struct pf_sched_tol *tols, size_t n_tols,
			   const struct pf_sched_node *node)
{
	int64_t min = INT64_MAX;
	bool any = false;

	for (size_t i = 0; i < node->n_taints; i++) {
		const struct pf_sched_taint *t = &node->taints[i];
		const struct pf_sched_tol *used = NULL;

		if (t->effect != PF_EFFECT_NOEXECUTE)
			continue;
		any = true;
		for (size_t k = 0; k < n_tols && !used; k++)
			if (tolerates(&tols[k], t->key, t->value, t->effect))
				used = &tols[k];
		if (!used)
			return 0;
		if (used->has_seconds && used->seconds <= 0)
			return 0;
		if (used->has_seconds && used->seconds < min)
			min = used->seconds;
	}
	if (!any || min == INT64_MAX)
		return PF_EVICT_NEVER;
	return min > INT64_MAX / 1000 ? INT64_MAX : min * 1000;
}

static bool noexecute_tol(const struct pf_sched_tol *t)
{
	return !t->effect || t->effect == PF_EFFECT_NOEXECUTE;
}

struct pf_sched_tol *pf_sched_tols_noexecute(const struct pf_sched_tol *tols, size_t n,
					     size_t *out_n)
{
	size_t k = 0, size = 0;
	struct pf_sched_tol *out;
	char *str;

	for (size_t i = 0; i < n; i++)
		if (noexecute_tol(&tols[i])) {
			k++;
			size += strlen(tols[i].key) + strlen(tols[i].value) + 2;
		}
	*out_n = k;
	if (!k)
		return NULL;
	out = pf_xcalloc(1, k * sizeof(*out) + size);
	str = (char *)(out + k);
	k = 0;
	for (size_t i = 0; i < n; i++) {
		struct pf_sched_tol *o;
		size_t kl, vl;

		if (!noexecute_tol(&tols[i]))
			continue;
		o = &out[k++];
		*o = tols[i];
		kl = strlen(tols[i].key) + 1;
		vl = strlen(tols[i].value) + 1;
		o->key = memcpy(str, tols[i].key, kl);
		o->value = memcpy(str + kl, tols[i].value, vl);
		str += kl + vl;
	}
	return out;
}

struct pf_sched_tol *pf_sched_pod_tols_noexecute(const struct pf_pod *pod, size_t *out_n)
{
	const struct pf_pod_spec *s = &pod->spec;
	_cleanup_free_ struct pf_sched_tol *tmp = NULL;

	*out_n = 0;
	if (!s->n_tolerations)
		return NULL;
	tmp = pf_xcalloc(s->n_tolerations, sizeof(*tmp));
	for (size_t i = 0; i < s->n_tolerations; i++) {
		const struct pf_toleration *t = &s->tolerations[i];

		/* Borrowed strings: the copy below owns its own. */
		tmp[i].key = t->key ? t->key : (char *)"";
		tmp[i].value = t->value ? t->value : (char *)"";
		tmp[i].exists = t->operator_ && strcmp(t->operator_, "Exists") == 0;
		tmp[i].effect = pf_taint_effect(t->effect);
		tmp[i].has_seconds = t->has_toleration_seconds;
		tmp[i].seconds = t->toleration_seconds;
	}
	return pf_sched_tols_noexecute(tmp, s->n_tolerations, out_n);
}

unsigned pf_sched_filter(const struct pf_sched_pod *pod, const struct pf_sched_node *node,
			 const struct pf_sched_taint **taint)
{
	unsigned r = 0;

	if (node->unschedulable &&
	    !tolerated(pod, PF_TAINT_UNSCHEDULABLE, "", PF_EFFECT_NOSCHEDULE))
		return PF_FIT_UNSCHEDULABLE;
	if (pod->node_name && strcmp(pod->node_name, node->name) != 0)
		return PF_FIT_NODE_NAME;
	for (size_t i = 0; i < node->n_taints; i++) {
		const struct pf_sched_taint *t = &node->taints[i];

		if (!(t->effect & (PF_EFFECT_NOSCHEDULE | PF_EFFECT_NOEXECUTE)))
			continue;
		if (!tolerated(pod, t->key, t->value, t->effect)) {
			if (taint)
				*taint = t;
			return PF_FIT_TAINT;
		}
	}
	for (size_t i = 0; i < pod->selector.n; i++) {
		const char *v = pf_strmap_get(&node->labels, pod->selector.items[i].key);

		if (!v || strcmp(v, pod->selector.items[i].value) != 0)
			return PF_FIT_SELECTOR;
	}
	if (node->npods + 1 > node->alloc_pods)
		r |= PF_FIT_PODS;
	if (pod->cpu == 0 && pod->mem == 0)
		return r;
	if (pod->cpu > 0 && pod->cpu > node->alloc_cpu - node->used_cpu)
		r |= PF_FIT_CPU;
	if (pod->mem > 0 && pod->mem > node->alloc_mem - node->used_mem)
		r |= PF_FIT_MEMORY;
	return r;
}

size_t pf_sched_nodes_to_find(size_t n)
{
	size_t pct, k;

	if (n < 100)
		return n;
	pct = n / 125 >= 45 ? 5 : 50 - n / 125;
	k = n * pct / 100;
	return k < 100 ? 100 : k;
}

/* LeastAllocated for one resource: the free share, 0..100. */
static int64_t least(int64_t alloc, int64_t requested)
{
	if (alloc <= 0 || requested > alloc)
		return 0;
	return (alloc - requested) * 100 / alloc;
}

/* BalancedAllocation for cpu and memory: 100 * (1 - |fcpu - fmem| / 2). */
static int64_t balanced(int64_t acpu, int64_t rcpu, int64_t amem, int64_t rmem)
{
	double f1 = acpu > 0 ? (double)rcpu / (double)acpu : 1.0;
	double f2 = amem > 0 ? (double)rmem / (double)amem : 1.0;
	double d;

	f1 = f1 > 1 ? 1 : f1;
	f2 = f2 > 1 ? 1 : f2;
	d = f1 > f2 ? f1 - f2 : f2 - f1;
	return (int64_t)((1.0 - d / 2) * 100);
}

/* LeastAllocated (the mean of cpu and memory) plus BalancedAllocation, as
 * remembered in m when the inputs are the same. */
static int64_t resource_score(struct pf_sched_score_memo *m, const struct pf_sched_node *nd,
			      const struct pf_sched_pod *pod)
{
	int64_t rcpu = nd->nz_cpu + pod->nz_cpu, rmem = nd->nz_mem + pod->nz_mem;

	if (m->acpu == nd->alloc_cpu && m->amem == nd->alloc_mem && m->rcpu == rcpu &&
	    m->rmem == rmem)
		return m->score;
	m->acpu = nd->alloc_cpu;
	m->amem = nd->alloc_mem;
	m->rcpu = rcpu;
	m->rmem = rmem;
	m->score = (least(nd->alloc_cpu, rcpu) + least(nd->alloc_mem, rmem)) / 2 +
		   balanced(nd->alloc_cpu, rcpu, nd->alloc_mem, rmem);
	return m->score;
}

static int64_t prefer_taints(const struct pf_sched_pod *pod, const struct pf_sched_node *node)
{
	int64_t k = 0;

	for (size_t i = 0; i < node->n_taints; i++) {
		const struct pf_sched_taint *t = &node->taints[i];
		if (t->effect == PF_EFFECT_PREFER && !tolerated(pod, t->key, t->value, t->effect))
			k++;
	}
	return k;
}

struct reason {
	char *text;
	size_t count;
};

static void count_reason(struct reason **v, size_t *n, size_t *cap, const char *text)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].text, text) == 0) {
			(*v)[i].count++;
			return;
		}
	PF_GROW(*v, *cap, *n + 1);
	(*v)[*n].text = pf_xstrdup(text);
	(*v)[(*n)++].count = 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* FitError.Error(): "0/N nodes are available: " + sorted "COUNT REASON"s. */
static void fit_error(const struct pf_sched_pod *pod, const struct pf_sched_node *nodes, size_t n,
		      struct pf_buf *why)
{
	static const struct {
		unsigned bit;
		const char *text;
	} fixed[] = {
	    {PF_FIT_UNSCHEDULABLE, "node(s) were unschedulable"},
	    {PF_FIT_NODE_NAME, "node(s) didn't match the requested node name"},
	    {PF_FIT_SELECTOR, "node(s) didn't match Pod's node affinity/selector"},
	    {PF_FIT_PODS, "Too many pods"},
	    {PF_FIT_CPU, "Insufficient cpu"},
	    {PF_FIT_MEMORY, "Insufficient memory"},
	};
	struct reason *v = NULL;
	size_t nv = 0, cap = 0;
	char **lines;

	for (size_t i = 0; i < n; i++) {
		const struct pf_sched_taint *t = NULL;
		unsigned r = pf_sched_filter(pod, &nodes[i], &t);

		if (r & PF_FIT_TAINT) {
			char *s = pf_xasprintf("node(s) had untolerated taint {%s: %s}", t->key,
					       t->value);
			count_reason(&v, &nv, &cap, s);
			free(s);
		}
		for (size_t k = 0; k < PF_ARRAY_SIZE(fixed); k++)
			if (r & fixed[k].bit)
				count_reason(&v, &nv, &cap, fixed[k].text);
	}
	lines = pf_xcalloc(nv ? nv : 1, sizeof(*lines));
	for (size_t i = 0; i < nv; i++) {
		lines[i] = pf_xasprintf("%zu %s", v[i].count, v[i].text);
		free(v[i].text);
	}
	free(v);
	qsort(lines, nv, sizeof(*lines), cmp_str);
	pf_buf_addf(why, "0/%zu nodes are available:", n);
	for (size_t i = 0; i < nv; i++) {
		pf_buf_addf(why, "%s%s", i ? ", " : " ", lines[i]);
		free(lines[i]);
	}
	pf_buf_addc(why, '.');
	free(lines);
}

void pf_sched_ctx_free(struct pf_sched_ctx *c)
{
	free(c->feasible);
	free(c->scores);
	free(c->memo);
	memset(c, 0, sizeof(*c));
}

ssize_t pf_sched_pick(struct pf_sched_ctx *c, const struct pf_sched_pod *pod,
		      const struct pf_sched_node *nodes, size_t n, struct pf_buf *why)
{
	size_t want, nf = 0, k, i, start, best = 0;
	int64_t max_prefer = 0, best_score = -1;

	if (n == 0) {
		pf_buf_adds(why, "no nodes available to schedule pods");
		return -1;
	}
	if (c->cap < n) {
		c->feasible = pf_xrealloc(c->feasible, n * sizeof(*c->feasible));
		c->scores = pf_xrealloc(c->scores, n * sizeof(*c->scores));
		free(c->memo);
		c->memo = pf_xcalloc(n, sizeof(*c->memo));
		for (size_t j = 0; j < n; j++)
			c->memo[j].acpu = -1; /* no allocatable is negative: empty */
		c->cap = n;
	}
	want = pf_sched_nodes_to_find(n);
	start = c->next_start % n;
	/* From start on, wrapping (without a division per node: this loop
	 * runs over hundreds of nodes for every pod). */
	for (k = 0, i = start; k < n && nf < want; k++) {
		if (pf_sched_filter(pod, &nodes[i], NULL) == 0)
			c->feasible[nf++] = i;
		if (++i == n)
			i = 0;
	}
	c->next_start = i;
	if (nf == 0) {
		fit_error(pod, nodes, n, why);
		return -1;
	}

	/* TaintToleration's score is normalized over the feasible nodes, so
	 * count first, then score. */
	for (k = 0; k < nf; k++) {
		c->scores[k] = prefer_taints(pod, &nodes[c->feasible[k]]);
		if (c->scores[k] > max_prefer)
			max_prefer = c->scores[k];
	}
	for (k = 0; k < nf; k++) {
		const struct pf_sched_node *nd = &nodes[c->feasible[k]];
		int64_t taint = max_prefer ? 100 - 100 * c->scores[k] / max_prefer : 100;
		int64_t score = resource_score(&c->memo[c->feasible[k]], nd, pod) + 3 * taint;

		if (score > best_score ||
		    (score == best_score && nd->npods < nodes[c->feasible[best]].npods)) {
			best_score = score;
			best = k;
		}
	}
	return (ssize_t)c->feasible[best];
}
