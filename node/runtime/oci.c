/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci.c - the OCI runtime backend's front (oci-internal.h): which runtime
 * binary runs the containers (crun, or runc where crun cannot run, said
 * plainly), open and close, and the table of ops.  It sits above the
 * backend's other files; none of them calls into it (the calls of the
 * runtime binary are oci_call.c).
 *
 * It makes no sandbox and no container (oci_sandbox.c, oci_container.c),
 * and never alters the host to make crun run: it reports why it cannot.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>

#include "fileio.h"
#include "log.h"
#include "oci-internal.h"

/* ---- the runtime binary, and why crun may not run here ------------------ */

static char *which(const char *name)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy =
	    pf_xstrdup(path && *path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	char *save = NULL;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? realpath(name, NULL) : NULL;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = pf_xasprintf("%s/%s", d, name);
		if (access(p, X_OK) == 0)
			return PF_TAKE(p);
	}
	/* Debian puts runc in /usr/sbin, which a user's PATH may lack. */
	for (const char *const *d = (const char *const[]){"/usr/sbin", "/usr/bin", NULL}; *d; d++) {
		_cleanup_free_ char *p = pf_xasprintf("%s/%s", *d, name);
		if (access(p, X_OK) == 0)
			return PF_TAKE(p);
	}
	return NULL;
}

/*
 * crun (1.8) refuses a host with cgroup v1 hierarchies and a cgroup v2
 * mount that has controllers ("cgroups in hybrid mode not supported, drop
 * all controllers from cgroupv2").  Returns why, or NULL when crun can run.
 */
static char *crun_blocker(void)
{
	struct pf_mounts mnts;
	bool v1 = false;
	_cleanup_free_ char *v2 = NULL;

	pf_oci_cgroup_mounts(&mnts);
	for (size_t i = 0; i < mnts.n; i++) {
		if (strcmp(mnts.items[i].type, "cgroup") == 0)
			v1 = true;
		else if (!v2)
			v2 = pf_xstrdup(mnts.items[i].target);
	}
	pf_mounts_free(&mnts);
	if (!v1 || !v2)
		return NULL;
	_cleanup_free_ char *path = pf_xasprintf("%s/cgroup.controllers", v2);
	_cleanup_free_ char *ctl = NULL;
	size_t len = 0;
	if (pf_read_file(path, 4096, &ctl, &len) < 0)
		return NULL;
	while (len && (ctl[len - 1] == '\n' || ctl[len - 1] == ' '))
		ctl[--len] = 0;
	if (!len)
		return NULL;
	return pf_xasprintf("cgroups are hybrid (v1 hierarchies, and the %s controller%s on the "
			    "v2 mount %s), which crun does not support",
			    ctl, strchr(ctl, ' ') ? "s" : "", v2);
}

static char *runtime_version(const char *path, const char *name)
{
	const char *argv[] = {path, "--version", NULL};
	struct pf_spawn s = {.argv = argv, .keep_stdout = true, .timeout_ms = 5000};
	struct pf_spawn_out o;
	struct pf_err err = PF_ERR_INIT;
	char ver[64] = "unknown";

	if (pf_spawn_run(&s, &o, &err) == 0 && o.out) {
		const char *v = strstr(o.out, "version ");
		if (v)
			sscanf(v + 8, "%63s", ver);
	}
	pf_spawn_out_free(&o);
	return pf_xasprintf("%s://%s", name, ver);
}

/* ---- open --------------------------------------------------------------- */

/*
 * A container directory without its record is what a crash between its
 * mkdir and the record's first write left (the ADD beside the container's
 * creation makes such a crash likelier): nothing in it is mounted or
 * running yet, since the record lists those before they exist, so it
 * goes.  No container is being created while the runtime opens.
 */
static void sweep_unrecorded(struct oci *o)
{
	_cleanup_free_ char *cd = pf_xasprintf("%s/containers", o->root);
	DIR *d = opendir(cd);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		_cleanup_free_ char *dir = NULL, *rec = NULL;
		if (!pf_oci_valid_id(e->d_name))
			continue;
		dir = pf_xasprintf("%s/%s", cd, e->d_name);
		rec = pf_xasprintf("%s/record.json", dir);
		if (path_exists(rec))
			continue;
		pf_log(PF_LOG_INFO,
		       "oci runtime: removing container %.12s, which a crash left "
		       "without its record",
		       e->d_name);
		pf_rm_rf(dir);
	}
	if (d)
		closedir(d);
}

/* crun by default; runc where crun cannot run (blocker says why), said
 * plainly; or the one asked for by --oci-runtime (want). */
static int choose_runtime(struct oci *o, const char *want, const char *blocker, struct pf_err *err)
{
	if (!want) {
		if (blocker && (o->runtime_path = which("runc"))) {
			o->runtime_name = pf_xstrdup("runc");
			o->note = pf_xasprintf("containers run with runc, not crun: %s (to use "
					       "crun, bind the v2 controllers to v1 hierarchies; "
					       "see podfs(1))",
					       blocker);
		} else if ((o->runtime_path = which("crun"))) {
			o->runtime_name = pf_xstrdup("crun");
		} else if ((o->runtime_path = which("runc"))) {
			o->runtime_name = pf_xstrdup("runc");
			o->note = pf_xstrdup("containers run with runc: crun is not installed");
		}
		if (!o->runtime_path)
			return pf_err_set(err, ENOSYS,
					  "no OCI runtime found: neither crun nor runc is "
					  "installed (make deps)");
	} else {
		o->runtime_path = which(want);
		if (!o->runtime_path)
			return pf_err_set(err, ENOSYS,
					  "--oci-runtime %s: not found or not executable", want);
		const char *base = strrchr(o->runtime_path, '/');
		o->runtime_name = pf_xstrdup(base ? base + 1 : o->runtime_path);
		if (strcmp(o->runtime_name, "crun") == 0 && blocker)
			/* Asked for by name: honoured, and the node says why it
			 * cannot run anything. */
			o->down = pf_xasprintf("crun cannot run containers on this host: %s; use "
					       "--oci-runtime runc, or bind the v2 controllers to "
					       "v1 hierarchies (see podfs(1))",
					       blocker);
		else
			o->note =
			    pf_xasprintf("containers run with %s (--oci-runtime)", o->runtime_name);
	}
	return 0;
}

/* This program (for `podfs pause`) and podfs-pause beside it. */
static void find_pause(struct oci *o)
{
	o->self = realpath("/proc/self/exe", NULL);
	if (!o->self)
		o->self = pf_xstrdup("podfs");
	if (strrchr(o->self, '/')) {
		o->pause = pf_xasprintf("%.*s/podfs-pause", (int)(strrchr(o->self, '/') - o->self),
					o->self);
		if (access(o->pause, X_OK) < 0) {
			free(o->pause);
			o->pause = NULL;
		}
	}
}

/* IPs reserved for sandboxes a crash left unrecorded. */
static void reconcile_ips(struct oci *o)
{
	_cleanup_free_ char *sd = pf_xasprintf("%s/sandboxes", o->root);
	DIR *d = opendir(sd);
	struct pf_strlist live = {0};
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (pf_oci_valid_id(e->d_name))
			pf_strlist_add(&live, e->d_name);
	if (d)
		closedir(d);
	o->net->ops->reconcile(o->net, &live);
	pf_strlist_free(&live);
}

static int oci_open(const struct pf_runtime_config *cfg, struct pf_runtime **out,
		    struct pf_err *err)
{
	struct oci *o = pf_xcalloc(1, sizeof(*o));
	const char *want = cfg->oci_runtime && *cfg->oci_runtime ? cfg->oci_runtime : NULL;
	_cleanup_free_ char *blocker = crun_blocker();
	int r;

	o->rt.ops = &pf_runtime_oci_ops;
	{
		/* Writers first: a burst of starts must not hold a removal off. */
		pthread_rwlockattr_t ra;
		pthread_rwlockattr_init(&ra);
		pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&o->cg_lock, &ra);
		pthread_rwlockattr_destroy(&ra);
	}
	pthread_mutex_init(&o->jobs_mu, NULL);
	o->state = pf_xstrdup(cfg->state_dir ? cfg->state_dir : "/var/lib/podfs");
	o->root = pf_xasprintf("%s/oci", o->state);
	o->allow_privileged = cfg->allow_privileged;
	o->allow_host_paths = cfg->allow_host_paths;
	{
		struct pf_net_config nc = {.state_dir = o->state,
					   .pod_cidr = cfg->pod_cidr,
					   .bridge = cfg->bridge,
					   .egress = cfg->pod_egress};
		struct pf_err nerr = PF_ERR_INIT;
		if (pf_net_open(cfg->network, &nc, &o->net, &nerr) < 0) {
			if (nerr.code == EINVAL) {
				r = pf_err_set(err, EINVAL, "%s", nerr.msg);
				pf_err_clear(&nerr);
				goto fail;
			}
			o->net_down = pf_xasprintf("the pod network is down: %s", nerr.msg);
			pf_err_clear(&nerr);
		}
	}

	r = choose_runtime(o, want, blocker, err);
	if (r < 0)
		goto fail;
	o->conmon = which("conmon");
	find_pause(o);
	if (o->net_down && !o->down)
		o->down = PF_TAKE(o->net_down);
	if (!o->conmon && !o->down)
		o->down = pf_xstrdup("conmon is not installed (make deps)");
	o->version = runtime_version(o->runtime_path, o->runtime_name);
	o->rt.name = o->runtime_name;
	o->rt.version = o->version;
	o->rt.note = o->note;

	for (const char *const *d = (const char *const[]){"runtime-root", "exits", "sock",
							  "containers", "sandboxes", NULL};
	     *d; d++) {
		_cleanup_free_ char *p = pf_xasprintf("%s/%s", o->root, *d);
		r = pf_mkdir_p(p, 0700);
		if (r < 0) {
			r = pf_err_sys(err, -r, "create %s", p);
			goto fail;
		}
	}
	r = pf_image_store_open(o->state, &o->images, err);
	if (r < 0)
		goto fail;
	sweep_unrecorded(o);
	if (o->net && o->net->ops->reconcile)
		reconcile_ips(o);
	pf_log(PF_LOG_INFO, "oci runtime: %s (%s), monitor %s%s%s", o->runtime_path, o->version,
	       o->conmon ? o->conmon : "none", o->note ? "; " : "", o->note ? o->note : "");
	if (o->down)
		pf_log(PF_LOG_WARN, "oci runtime: %s", o->down);
	*out = &o->rt;
	return 0;
fail:
	pf_runtime_oci_ops.close(&o->rt);
	return r;
}

static void oci_close(struct pf_runtime *rt)
{
	struct oci *o = oci_of(rt);

	if (!o)
		return;
	pf_oci_net_jobs_drain(o);
	pf_image_store_close(o->images);
	pf_net_close(o->net);
	free(o->net_down);
	free(o->state);
	free(o->root);
	free(o->runtime_path);
	free(o->runtime_name);
	free(o->version);
	free(o->note);
	free(o->down);
	free(o->conmon);
	free(o->self);
	free(o->pause);
	pthread_rwlock_destroy(&o->cg_lock);
	pthread_mutex_destroy(&o->jobs_mu);
	free(o);
}

static int oci_status(struct pf_runtime *rt, struct pf_err *err)
{
	struct oci *o = oci_of(rt);

	if (o->down)
		return pf_err_set(err, ENOSYS, "%s", o->down);
	return 0;
}

const struct pf_runtime_ops pf_runtime_oci_ops = {
    .name = "oci",
    .version = "oci://unknown",
    .open = oci_open,
    .close = oci_close,
    .status = oci_status,
    .list = pf_oci_list,
    .sandbox_create = pf_oci_sandbox_create,
    .sandbox_remove = pf_oci_sandbox_remove,
    .sandbox_ip = pf_oci_sandbox_ip,
    .sandbox_network = pf_oci_sandbox_network,
    .container_create = pf_oci_container_create,
    .container_start = pf_oci_container_start,
    .container_stop = pf_oci_container_stop,
    .container_remove = pf_oci_container_remove,
    .container_status = pf_oci_container_status,
    .container_kill = pf_oci_container_kill,
    .container_exec = pf_oci_container_exec,
    .container_netns = pf_oci_container_netns,
    .image_status = pf_oci_image_status,
    .changes = pf_oci_changes,
    .stop_signal = pf_oci_stop_signal,
    .volume_usage = pf_oci_volume_usage,
};
