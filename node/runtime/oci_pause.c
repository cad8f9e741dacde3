/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_pause.c - the pod's pause process, for pods that share their PID
 * namespace: starting it in the pod's cgroups, stopping it, and making it
 * (and the namespace) again when it died.
 *
 * The process itself is pause.c; this file only runs and finds it.
 */
#include <errno.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio.h"
#include "log.h"
#include "oci-internal.h"

/*
 * shareProcessNamespace.  A PID namespace, unlike the network, IPC and UTS
 * ones, cannot be kept by a bind mount alone: it dies with its first
 * process (PID 1), after which nothing can enter it.  Were a container's
 * process that PID 1, its exit (or a restart, or the end of an init
 * container) would kill every other container of the pod.  So the pod
 * holds it as Kubernetes does, with a pause process as PID 1: `podfs pause`
 * (pause.c) enters the sandbox's namespaces, makes the PID namespace, and
 * leaves a child in it that only reaps orphans and sleeps, in the pod's
 * cgroups (a "pause" child cgroup of each), so the pod's limits count it
 * and removal finds it even when a crash lost its pid.
 */
int pf_oci_start_pause(struct oci *o, const char *nsdir, const struct pod_cg *cgs, size_t n,
		       pid_t *pid, struct pf_err *err)
{
	const char **argv = pf_xcalloc(n + 4, sizeof(*argv));
	char **dirs = pf_xcalloc(n ? n : 1, sizeof(*dirs));
	struct pf_spawn s = {.argv = argv, .keep_stdout = true, .no_wait_eof = true};
	struct pf_spawn_out out;
	size_t k = 0;
	int r;

	if (o->pause) {
		argv[k++] = o->pause;
	} else {
		argv[k++] = o->self;
		argv[k++] = "pause";
	}
	argv[k++] = nsdir;
	for (size_t i = 0; i < n; i++) {
		dirs[i] = pf_xasprintf("%s/%s/pause", cgs[i].mnt, cgs[i].plan.dir);
		int e = pf_mkdir_p(dirs[i], 0755);
		if (e == 0)
			argv[k++] = dirs[i];
		else
			pf_log(PF_LOG_WARN, "pause process: cannot create its cgroup %s: %s",
			       dirs[i], strerror(-e));
	}
	argv[k] = NULL;
	r = pf_spawn_run(&s, &out, err);
	if (r == 0 && (out.status != 0 || !out.out || (*pid = atoi(out.out)) <= 0))
		r = pf_err_set(err, EIO, "start the pod's pause process: %s",
			       *out.err ? out.err : "it reported no pid");
	pf_spawn_out_free(&out);
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	free(argv);
	return r;
}

/* Kill the pod's pause process (found through its cgroups, and through
 * the recorded pid while that pid is still PID 1 of the pod's namespace)
 * and wait, briefly, until it is gone, so its cgroups can be removed. */
void pf_oci_stop_pause(const char *dir, json_t *rec)
{
	json_t *cgs = rec ? json_object_get(rec, "cgroups") : NULL;
	pid_t pid = rec ? (pid_t)jint(rec, "pause_pid") : 0;
	_cleanup_free_ char *ns = pf_xasprintf("%s/ns/pid", dir);
	struct stat a, b;
	char path[64];
	size_t i;
	json_t *c;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	if (pid > 0 && stat(ns, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	    a.st_dev == b.st_dev)
		kill(pid, SIGKILL);
	for (int round = 0; round < 200; round++) {
		bool left = false;
		json_array_foreach(cgs, i, c)
		{
			_cleanup_free_ char *p =
			    pf_xasprintf("%s/pause/cgroup.procs", json_string_value(c));
			_cleanup_fclose_ FILE *f = fopen(p, "re");
			int q;
			while (f && fscanf(f, "%d", &q) == 1) {
				kill(q, SIGKILL);
				left = true;
			}
		}
		if (!left)
			return;
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
	}
}

/* Is pid the pause process holding the PID namespace bind-mounted at ns? */
static bool pause_alive(const char *ns, pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return pid > 0 && pf_oci_alive(pid) && stat(ns, &a) == 0 && stat(path, &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/*
 * The pod's PID namespace dies with its pause process (killed from the
 * host, say), and every container in it with it.  kubelet would make a
 * whole new sandbox; here only the PID namespace depended on a process, so
 * only it is made again: the containers, restarted by their restartPolicy,
 * join the new one, and the pod keeps its network (and IP), IPC, UTS and
 * volumes.
 */
int pf_oci_ensure_pause(struct oci *o, const char *sdir, const struct pf_pod *pod,
			struct pf_err *err)
{
	_cleanup_free_ char *recpath = pf_xasprintf("%s/sandbox.json", sdir);
	_cleanup_free_ char *ns = pf_xasprintf("%s/ns/pid", sdir);
	_cleanup_free_ char *nsdir = pf_xasprintf("%s/ns", sdir);
	json_t *rec = pf_oci_read_json(recpath);
	pid_t pid = rec ? (pid_t)jint(rec, "pause_pid") : 0, fresh = 0;
	struct pod_cg *cgs = NULL;
	size_t n_cgs = 0;
	char src[64];
	int r = 0;

	if (!rec || !pid || pause_alive(ns, pid)) {
		json_decref(rec);
		return 0;
	}
	pf_log(PF_LOG_WARN,
	       "pod %s: its pause process (%d) is gone, and with it the pod's PID "
	       "namespace; making a new one",
	       pod->meta.name, (int)pid);
	pf_oci_stop_pause(sdir, rec);
	pf_oci_unmount(ns);
	cgs = pf_oci_pod_cgroup_plans(pod, &n_cgs);
	r = pf_oci_start_pause(o, nsdir, cgs, n_cgs, &fresh, err);
	if (r == 0) {
		json_object_set_new(rec, "pause_pid", json_integer(fresh));
		r = pf_oci_write_json(recpath, rec, err);
	}
	snprintf(src, sizeof(src), "/proc/%d/ns/pid", (int)fresh);
	if (r == 0 && mount(src, ns, NULL, MS_BIND, NULL) < 0)
		r = pf_err_sys(err, errno, "bind-mount the pod's PID namespace");
	pf_oci_pod_cgs_free(cgs, n_cgs);
	json_decref(rec);
	return r;
}
