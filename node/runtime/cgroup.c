/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup.c - the pod-level cgroup's limits and the writes that set them
 * (cgroup.h).
 *
 * The conversions are kubelet's (pkg/kubelet/cm/helpers_linux.go): quota =
 * millicores x period / 1000 with a floor of 1 ms, shares = millicores x
 * 1024 / 1000 with a floor of 2.  The pod's quota is the sum of its
 * containers' (each already at the floor), so no container's quota can
 * exceed its parent's, which cgroup v1 refuses.  No I/O here.
 */
#include "cgroup.h"
#include "util.h"

#define CPU_PERIOD 100000
#define MIN_QUOTA  1000
#define MIN_SHARES 2

static int64_t quota_of(int64_t milli)
{
	int64_t q = milli * CPU_PERIOD / 1000;

	return q < MIN_QUOTA ? MIN_QUOTA : q;
}

/* Sum (app containers) or max (init containers) of one resource's limit;
 * false when a container declares none. */
static bool fold(const struct pf_container *v, size_t n, const char *name, bool sum, bool as_quota,
		 int64_t *acc)
{
	for (size_t i = 0; i < n; i++) {
		const struct pf_quantity *q = pf_reslist_get(&v[i].resources.limits, name);
		int64_t x;
		if (!q || q->milli <= 0)
			return false;
		x = as_quota ? quota_of(q->milli) : q->milli / 1000;
		if (sum)
			*acc += x;
		else if (x > *acc)
			*acc = x;
	}
	return true;
}

static int64_t pod_limit(const struct pf_pod *pod, const char *name, bool as_quota)
{
	int64_t app = 0, init = 0;

	if (!pod->spec.n_containers ||
	    !fold(pod->spec.containers, pod->spec.n_containers, name, true, as_quota, &app) ||
	    !fold(pod->spec.init_containers, pod->spec.n_init_containers, name, false, as_quota,
		  &init))
		return 0;
	return app > init ? app : init;
}

void pf_pod_limits(const struct pf_pod *pod, int64_t pids_max, struct pf_pod_limits *out)
{
	int64_t req = 0;

	memset(out, 0, sizeof(*out));
	out->memory = pod_limit(pod, "memory", false);
	out->cpu_quota = pod_limit(pod, "cpu", true);
	out->cpu_period = CPU_PERIOD;
	for (size_t i = 0; i < pod->spec.n_containers; i++) {
		const struct pf_container *c = &pod->spec.containers[i];
		const struct pf_quantity *q = pf_reslist_get(&c->resources.requests, "cpu");
		if (!q) /* a limit without a request requests the limit */
			q = pf_reslist_get(&c->resources.limits, "cpu");
		req += q ? q->milli : 0;
	}
	out->cpu_shares = req * 1024 / 1000;
	if (out->cpu_shares < MIN_SHARES)
		out->cpu_shares = MIN_SHARES;
	out->pids = pids_max;
}

int64_t pf_cg_shares_to_weight(int64_t shares)
{
	if (shares < MIN_SHARES)
		shares = MIN_SHARES;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

static bool has_word(const char *list, const char *word, const char *seps)
{
	_cleanup_free_ char *copy = pf_xstrdup(list ? list : "");
	char *save = NULL;

	for (char *t = strtok_r(copy, seps, &save); t; t = strtok_r(NULL, seps, &save))
		if (strcmp(t, word) == 0)
			return true;
	return false;
}

static void add(struct pf_cg_plan *p, char *path, char *value)
{
	p->w = pf_xrealloc(p->w, (p->n + 1) * sizeof(*p->w));
	p->w[p->n++] = (struct pf_cg_write){.path = path, .value = value};
}

#define ADD(p, value, ...) add(p, pf_xasprintf(__VA_ARGS__), value)

static void plan_v1(const char *ctl, const char *dir, const struct pf_pod_limits *l,
		    struct pf_cg_plan *p)
{
	if (has_word(ctl, "memory", ",") && l->memory > 0)
		ADD(p, pf_xasprintf("%lld", (long long)l->memory), "%s/memory.limit_in_bytes", dir);
	if (has_word(ctl, "cpu", ",")) {
		/* The period before the quota: the quota is checked against it. */
		if (l->cpu_quota > 0) {
			ADD(p, pf_xasprintf("%lld", (long long)l->cpu_period),
			    "%s/cpu.cfs_period_us", dir);
			ADD(p, pf_xasprintf("%lld", (long long)l->cpu_quota), "%s/cpu.cfs_quota_us",
			    dir);
		}
		ADD(p, pf_xasprintf("%lld", (long long)l->cpu_shares), "%s/cpu.shares", dir);
	}
	if (has_word(ctl, "pids", ",") && l->pids > 0)
		ADD(p, pf_xasprintf("%lld", (long long)l->pids), "%s/pids.max", dir);
}

static void plan_v2(const char *ctl, const char *dir, const struct pf_pod_limits *l,
		    struct pf_cg_plan *p)
{
	static const char *const want[] = {"cpu", "memory", "pids"};

	/* Controllers reach a cgroup only through its parents' subtree_control;
	 * one write each, so a controller the host keeps elsewhere cannot fail
	 * the others. */
	for (const char *const *parent = (const char *const[]){"", "podfs/", NULL}; *parent;
	     parent++)
		for (size_t i = 0; i < PF_ARRAY_SIZE(want); i++)
			if (has_word(ctl, want[i], " \n"))
				ADD(p, pf_xasprintf("+%s", want[i]), "%scgroup.subtree_control",
				    *parent);
	if (has_word(ctl, "memory", " \n"))
		ADD(p,
		    l->memory > 0 ? pf_xasprintf("%lld", (long long)l->memory) : pf_xstrdup("max"),
		    "%s/memory.max", dir);
	if (has_word(ctl, "cpu", " \n")) {
		if (l->cpu_quota > 0)
			ADD(p,
			    pf_xasprintf("%lld %lld", (long long)l->cpu_quota,
					 (long long)l->cpu_period),
			    "%s/cpu.max", dir);
		else
			ADD(p, pf_xasprintf("max %lld", (long long)l->cpu_period), "%s/cpu.max",
			    dir);
		ADD(p, pf_xasprintf("%lld", (long long)pf_cg_shares_to_weight(l->cpu_shares)),
		    "%s/cpu.weight", dir);
	}
	if (has_word(ctl, "pids", " \n") && l->pids > 0)
		ADD(p, pf_xasprintf("%lld", (long long)l->pids), "%s/pids.max", dir);
}

void pf_cg_pod_plan(bool v2, const char *controllers, const char *uid,
		    const struct pf_pod_limits *l, struct pf_cg_plan *out)
{
	const char *seps = v2 ? " \n" : ",";
	bool any = false;

	memset(out, 0, sizeof(*out));
	for (const char *const *c = (const char *const[]){"memory", "cpu", "pids", NULL}; *c; c++)
		any = any || has_word(controllers, *c, seps);
	if (!any)
		return;
	out->dir = pf_xasprintf("podfs/%s", uid);
	if (v2)
		plan_v2(controllers, out->dir, l, out);
	else
		plan_v1(controllers, out->dir, l, out);
}

void pf_cg_plan_free(struct pf_cg_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->w[i].path);
		free(p->w[i].value);
	}
	free(p->w);
	free(p->dir);
	memset(p, 0, sizeof(*p));
}
