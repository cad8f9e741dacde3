/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup.h - the pod-level cgroup, as kubelet makes kubepods/<qos>/pod<uid>:
 * here /podfs/<pod-uid>, the parent of the pod's containers' cgroups, with
 * the pod's memory limit, cpu quota and shares and its pids limit.
 *
 * Pure functions: the limits from the pod, and the plan of what to write
 * where in one cgroup hierarchy (a v1 one named by its controllers, or the
 * v2 one), so both versions are unit-tested on any host.  oci_cgroup.c
 * carries the plan out; nothing here touches the system.
 */
#ifndef PODFS_NODE_CGROUP_H
#define PODFS_NODE_CGROUP_H

#include "types.h"

/* kubelet's ResourceConfigForPod: a limit only when every container
 * declares one (sum of the app containers, or the largest init container
 * when that is more); shares from the sum of the cpu requests. */
struct pf_pod_limits {
	int64_t memory;	    /* bytes; 0 = unlimited */
	int64_t cpu_quota;  /* microseconds per cpu_period; 0 = unlimited */
	int64_t cpu_period; /* 100000 */
	int64_t cpu_shares; /* at least 2 */
	int64_t pids;	    /* 0 = unlimited */
};
void pf_pod_limits(const struct pf_pod *pod, int64_t pids_max, struct pf_pod_limits *out);

/* One file to write, relative to the hierarchy's mount point. */
struct pf_cg_write {
	char *path;
	char *value;
};
struct pf_cg_plan {
	char *dir; /* the pod's cgroup, relative ("podfs/<uid>"); NULL = nothing here */
	struct pf_cg_write *w;
	size_t n;
};

/* What the pod's cgroup needs in one hierarchy.  v1: controllers are the
 * mount's controller options ("cpu,cpuacct"); v2: the mount's
 * cgroup.controllers ("cpuset cpu io memory pids"), and the plan first
 * enables memory, cpu and pids for the subtree down to the pod.  A
 * hierarchy without memory, cpu or pids gets an empty plan (dir NULL). */
void pf_cg_pod_plan(bool v2, const char *controllers, const char *uid,
		    const struct pf_pod_limits *l, struct pf_cg_plan *out);
void pf_cg_plan_free(struct pf_cg_plan *p);

/* kubelet's CpuSharesToCpuWeight (cgroup v2's cpu.weight). */
int64_t pf_cg_shares_to_weight(int64_t shares);

#endif
