/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_cgroup.c - the pod-level cgroups of the OCI backend: where the
 * hierarchies are mounted, the pod's plan in each (cgroup.c decides what
 * to write), making them, writing the limits, and removing them.
 *
 * Containers' own cgroups are the runtime's (RUNTIME create and delete);
 * this file only makes and removes the level above them, under cg_lock.
 */
#include <errno.h>
#include <fcntl.h>

#include "fileio.h"
#include "log.h"
#include "oci-internal.h"

#define POD_PIDS_MAX 4096

static const char *const cgroup_types[] = {"cgroup", "cgroup2", NULL};

/* Every cgroup hierarchy mounted here (v1 controllers and v2). */
void pf_oci_cgroup_mounts(struct pf_mounts *out)
{
	pf_mounts_read(NULL, cgroup_types, out);
}

/* Remove the pod's cgroup in every hierarchy (and /podfs when it is the
 * last pod): the runtime removes its containers' cgroups on delete, this
 * catches the pod level and anything a crash left. */
void pf_oci_remove_pod_cgroups(struct oci *o, const char *uid)
{
	struct pf_mounts mnts;

	pf_oci_cgroup_mounts(&mnts);
	for (size_t i = 0; i < mnts.n; i++) {
		_cleanup_free_ char *p = pf_xasprintf("%s/podfs/%s", mnts.items[i].target, uid);
		_cleanup_free_ char *top = pf_xasprintf("%s/podfs", mnts.items[i].target);
		if (path_exists(p))
			pf_rm_tree(p, PF_RM_DIRS_ONLY);
		pthread_rwlock_wrlock(&o->cg_lock);
		rmdir(top); /* EBUSY while other pods live: fine */
		pthread_rwlock_unlock(&o->cg_lock);
	}
	pf_mounts_free(&mnts);
}

void pf_oci_pod_cgs_free(struct pod_cg *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].mnt);
		pf_cg_plan_free(&v[i].plan);
	}
	free(v);
}

/* The plans for every hierarchy with memory, cpu or pids: v1 mounts name
 * their controllers in their options, the v2 mount in cgroup.controllers
 * (on a hybrid host it has none of the three, so nothing happens there). */
struct pod_cg *pf_oci_pod_cgroup_plans(const struct pf_pod *pod, size_t *n)
{
	struct pf_pod_limits lim;
	struct pod_cg *v = NULL;
	struct pf_mounts mnts;

	*n = 0;
	pf_pod_limits(pod, POD_PIDS_MAX, &lim);
	pf_oci_cgroup_mounts(&mnts);
	for (size_t i = 0; i < mnts.n; i++) {
		const char *mnt = mnts.items[i].target;
		bool v2 = strcmp(mnts.items[i].type, "cgroup2") == 0;
		_cleanup_free_ char *ctl = NULL;
		struct pf_cg_plan plan;

		if (v2) {
			_cleanup_free_ char *p = pf_xasprintf("%s/cgroup.controllers", mnt);
			size_t len = 0;
			if (pf_read_file(p, 4096, &ctl, &len) < 0)
				continue;
		} else {
			ctl = pf_xstrdup(mnts.items[i].options);
		}
		pf_cg_pod_plan(v2, ctl, pod->meta.uid, &lim, &plan);
		if (!plan.dir)
			continue;
		v = pf_xrealloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = (struct pod_cg){.mnt = pf_xstrdup(mnt), .plan = plan};
	}
	pf_mounts_free(&mnts);
	return v;
}

/* cgroupfs takes writes in place, not the tmp + rename of pf_write_file. */
static int cg_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* Make the pod's cgroups and set their limits.  A limit the host refuses
 * is logged, not fatal: the containers' own limits still hold. */
void pf_oci_apply_pod_cgroups(const struct pf_pod *pod, const struct pod_cg *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *dir = pf_xasprintf("%s/%s", v[i].mnt, v[i].plan.dir);
		int r = pf_mkdir_p(dir, 0755);

		if (r < 0) {
			pf_log(PF_LOG_WARN, "pod %s: cannot create its cgroup %s: %s",
			       pod->meta.name, dir, strerror(-r));
			continue;
		}
		for (size_t k = 0; k < v[i].plan.n; k++) {
			_cleanup_free_ char *p =
			    pf_xasprintf("%s/%s", v[i].mnt, v[i].plan.w[k].path);
			if ((r = cg_write(p, v[i].plan.w[k].value)) < 0)
				pf_log(PF_LOG_WARN, "pod %s: cannot write %s to %s: %s",
				       pod->meta.name, v[i].plan.w[k].value, p, strerror(-r));
		}
	}
}
