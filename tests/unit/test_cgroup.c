/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cgroup.c - the pod-level cgroup (node/cgroup.c): the pod's limits
 * from its containers' as kubelet sums them, and what is written where on
 * a cgroup v1 hierarchy and on cgroup v2 (a path this host, hybrid, cannot
 * run, so the plan is checked here).
 */
#include "cgroup.h"
#include "manifest.h"
#include "pod_of.h"
#include "tap.h"

static const char *two =
    "apiVersion: v1\nkind: Pod\nmetadata: {name: p, uid: u-2}\nspec:\n  containers:\n"
    "  - name: a\n    image: busybox\n    resources:\n"
    "      requests: {cpu: 100m}\n      limits: {cpu: 200m, memory: 32Mi}\n"
    "  - name: b\n    image: busybox\n    resources:\n      limits: {cpu: 300m, memory: 48Mi}\n";

/* The plan's text: "path=value" a line. */
static char *plan_text(const struct pf_cg_plan *p)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_adds(&b, "");
	for (size_t i = 0; i < p->n; i++)
		pf_buf_addf(&b, "%s=%s\n", p->w[i].path, p->w[i].value);
	return pf_buf_detach(&b, NULL);
}

static void test_limits(void)
{
	struct pf_pod *pod = pod_of(two);
	struct pf_pod_limits l;

	pf_pod_limits(pod, 4096, &l);
	is_int(l.memory, (32 + 48) << 20, "memory: the sum of the containers' limits");
	is_int(l.cpu_quota, 50000, "cpu quota: the sum (200m + 300m) per 100 ms");
	is_int(l.cpu_period, 100000, "period 100 ms");
	is_int(l.cpu_shares, (100 + 300) * 1024 / 1000, "shares: the sum of the requests");
	is_int(l.pids, 4096, "pids");
	pf_pod_free(pod);

	pod = pod_of("apiVersion: v1\nkind: Pod\nmetadata: {name: p, uid: u}\nspec:\n"
		     "  initContainers:\n  - name: i\n    image: busybox\n    resources:\n"
		     "      limits: {memory: 200Mi, cpu: 1}\n"
		     "  containers:\n  - name: a\n    image: busybox\n    resources:\n"
		     "      limits: {memory: 32Mi, cpu: 1m}\n");
	pf_pod_limits(pod, 0, &l);
	is_int(l.memory, 200 << 20, "an init container larger than the app containers wins");
	is_int(l.cpu_quota, 100000, "for cpu too");
	pf_pod_free(pod);

	pod = pod_of("apiVersion: v1\nkind: Pod\nmetadata: {name: p, uid: u}\nspec:\n"
		     "  containers:\n  - name: a\n    image: busybox\n    resources:\n"
		     "      limits: {memory: 32Mi, cpu: 1m}\n  - {name: b, image: busybox}\n");
	pf_pod_limits(pod, 0, &l);
	is_int(l.memory, 0, "no pod memory limit when a container has none");
	is_int(l.cpu_quota, 0, "no pod cpu quota when a container has none");
	is_int(l.cpu_shares, 2, "shares at least 2");
	pf_pod_free(pod);
}

static void test_plans(void)
{
	struct pf_pod *pod = pod_of(two);
	struct pf_pod_limits l;
	struct pf_cg_plan p;
	char *t;

	pf_pod_limits(pod, 4096, &l);
	pf_cg_pod_plan(false, "rw,nosuid,nodev,noexec,relatime,memory", "u-2", &l, &p);
	t = plan_text(&p);
	is_str(p.dir, "podfs/u-2", "v1 memory: the pod's directory");
	is_str(t, "podfs/u-2/memory.limit_in_bytes=83886080\n", "v1 memory limit");
	free(t);
	pf_cg_plan_free(&p);

	pf_cg_pod_plan(false, "rw,cpu,cpuacct", "u-2", &l, &p);
	t = plan_text(&p);
	is_str(t,
	       "podfs/u-2/cpu.cfs_period_us=100000\npodfs/u-2/cpu.cfs_quota_us=50000\n"
	       "podfs/u-2/cpu.shares=409\n",
	       "v1 cpu: period before quota, then shares");
	free(t);
	pf_cg_plan_free(&p);

	pf_cg_pod_plan(false, "rw,pids", "u-2", &l, &p);
	t = plan_text(&p);
	is_str(t, "podfs/u-2/pids.max=4096\n", "v1 pids");
	free(t);
	pf_cg_plan_free(&p);

	pf_cg_pod_plan(false, "rw,freezer", "u-2", &l, &p);
	ok(!p.dir && !p.n, "a v1 hierarchy without memory, cpu or pids: nothing");
	pf_cg_plan_free(&p);
	pf_cg_pod_plan(true, "hugetlb\n", "u-2", &l, &p);
	ok(!p.dir && !p.n, "a hybrid host's v2 mount (hugetlb only): nothing");
	pf_cg_plan_free(&p);

	pf_cg_pod_plan(true, "cpuset cpu io memory hugetlb pids rdma misc\n", "u-2", &l, &p);
	t = plan_text(&p);
	is_str(t,
	       "cgroup.subtree_control=+cpu\ncgroup.subtree_control=+memory\n"
	       "cgroup.subtree_control=+pids\npodfs/cgroup.subtree_control=+cpu\n"
	       "podfs/cgroup.subtree_control=+memory\npodfs/cgroup.subtree_control=+pids\n"
	       "podfs/u-2/memory.max=83886080\npodfs/u-2/cpu.max=50000 100000\n"
	       "podfs/u-2/cpu.weight=16\npodfs/u-2/pids.max=4096\n",
	       "v2: controllers enabled down to the pod, then memory.max, cpu.max, cpu.weight, "
	       "pids.max");
	free(t);
	pf_cg_plan_free(&p);
	pf_pod_free(pod);

	memset(&l, 0, sizeof(l));
	l.cpu_period = 100000;
	l.cpu_shares = 2;
	pf_cg_pod_plan(true, "cpu memory\n", "u-3", &l, &p);
	t = plan_text(&p);
	ok(strstr(t, "podfs/u-3/memory.max=max\n") && strstr(t, "podfs/u-3/cpu.max=max 100000\n"),
	   "v2 without limits: max");
	free(t);
	pf_cg_plan_free(&p);
	is_int(pf_cg_shares_to_weight(1024), 39, "kubelet's shares to weight: 1024 -> 39");
	is_int(pf_cg_shares_to_weight(2), 1, "2 -> 1");
	is_int(pf_cg_shares_to_weight(262144), 10000, "262144 -> 10000");
}

int main(void)
{
	test_limits();
	test_plans();
	return tap_done();
}
