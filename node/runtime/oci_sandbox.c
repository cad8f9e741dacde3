/*
 * runtime_oci.c - real containers: OCI bundles run by crun or runc, each
 * under its own conmon, as CRI-O runs them.
 *
 * A sandbox is a directory per pod, STATE/pods/<pod-uid>/, holding the
 * pod's network, IPC and UTS namespaces (bind-mounted namespace files, so
 * no pause process has to sleep to keep them), its /dev/shm (a tmpfs), its
 * /etc/hosts, /etc/resolv.conf and /etc/hostname, and one directory per
 * emptyDir volume; and a cgroup, /podfs/<pod-uid>, with the pod's pids
 * limit.  Its CNI ADD runs on a thread of its own while the agent creates
 * the first container (net_job), and no container starts before it ended.
 * A container is STATE/oci/containers/<id>/: the overlayfs root
 * (the image's layers, an upper and work directory of its own), config.json
 * (bundle.c), and the record this backend keeps.  conmon runs `RUNTIME
 * create`, holds the container's stdio, writes its log to
 * STATE/logs/<pod-uid>/<container>/<attempt>.log (CRI's k8s-file format,
 * capped by --log-size-max) and its exit code to STATE/oci/exits/<id>; it
 * outlives podfs, so a podfs that restarts finds every container as it is
 * (list) and nothing is restarted.
 *
 * Every kernel object is written into its owner's record before it is
 * made (the sandbox's mounts and cgroup, the container's overlay mount),
 * so removal, after a crash at any point, undoes exactly what exists.
 * This file never decides anything about pods (restarts, phases): the
 * agent does.  It never changes the host beyond STATE and its own cgroups:
 * a host crun cannot run on is reported, not altered.
 */
#include "bundle.h"
#include "cgroup.h"
#include "fileio.h"
#include "image.h"
#include "log.h"
#include "net.h"
#include "runtime.h"
#include "spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

extern const struct pf_runtime_ops pf_runtime_oci_ops;

#define LOG_SIZE_MAX	  (10 * 1024 * 1024) /* kubelet's containerLogMaxSize */
#define POD_PIDS_MAX	  4096
#define SHM_SIZE	  "65536k"
#define CREATE_TIMEOUT_MS 20000
#define CALL_TIMEOUT_MS	  10000
#define MESSAGE_MAX	  4096 /* kubelet's limit on a termination message */

struct oci {
	struct pf_runtime rt;
	char *state;	    /* STATE */
	char *root;	    /* STATE/oci */
	char *runtime_path; /* absolute path of crun/runc */
	char *runtime_name; /* "crun" | "runc" | basename of PATH */
	char *version;	    /* "runc://1.1.5" */
	char *note;	    /* which runtime and why */
	char *down;	    /* why nothing can run (status), NULL when fine */
	struct pf_net *net; /* pod networking (net.h); NULL when it cannot open */
	char *net_down;	    /* why it cannot */
	char *conmon;
	char *self;  /* this program, for `podfs pause` */
	char *pause; /* podfs-pause beside it; NULL = `podfs pause` */
	bool allow_privileged, allow_host_paths;
	struct pf_image_store *images;
	struct net_job *jobs; /* sandboxes whose network attaches in the background */
	pthread_mutex_t jobs_mu;
	/* The agent's pod workers call in for several pods at once (never
	 * twice at once for one pod), and what this backend keeps is per pod
	 * or per container on disk, except one thing: the /podfs cgroup every
	 * pod's sits under.  The removal of the last pod's rmdirs it; a pod
	 * starting meanwhile would find its parent gone halfway through
	 * making its cgroups (ours, or RUNTIME create's under conmon).  Makers
	 * hold this shared, that rmdir holds it alone. */
	pthread_rwlock_t cg_lock;
};

static struct oci *O(struct pf_runtime *rt)
{
	return (struct oci *)rt;
}

/* ---- small file helpers -------------------------------------------------- */

static bool valid_id(const char *id)
{
	size_t n = 0;

	for (; id[n]; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
			return false;
	return n == 64;
}

static int write_json(const char *path, json_t *j, struct pf_err *err)
{
	_cleanup_free_ char *s = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);

	return pf_write_file(path, s, strlen(s), 0644, PF_WRITE_DURABLE, err);
}

/*
 * A record made durable by its first write, updated with what only a
 * running host can use (pids, a start time, the sandbox's "ready" and IP):
 * no fsync.  A podfs that crashes finds the update in the page cache; a
 * host that loses power loses those processes and mounts as well, and its
 * ext4 (auto_da_alloc) keeps the old or the new file across the rename.
 */
static int update_json(const char *path, json_t *j, struct pf_err *err)
{
	_cleanup_free_ char *s = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);

	return pf_write_file(path, s, strlen(s), 0644, 0, err);
}

static json_t *read_json(const char *path)
{
	return json_load_file(path, 0, NULL);
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Unmount path if something is mounted there; tolerant of nothing being
 * there, so removal can run over a half-made sandbox. */
static void unmount(const char *path)
{
	if (umount2(path, UMOUNT_NOFOLLOW) == 0)
		return;
	if (errno == EBUSY)
		umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
}

static const char *const cgroup_types[] = {"cgroup", "cgroup2", NULL};

/* Every cgroup hierarchy mounted here (v1 controllers and v2). */
static void cgroup_mounts(struct pf_mounts *out)
{
	pf_mounts_read(NULL, cgroup_types, out);
}

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

	cgroup_mounts(&mnts);
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

/* ---- errors from the runtime, translated once --------------------------- */

/*
 * runc and crun report failures on stderr (or through conmon's sync pipe) as
 * JSON log lines, {"level":"error","msg":"..."}, or as runc's logfmt
 * (time="..." level=error msg="..."), or as plain text.  Keep the last
 * error message, without the noise that tells a user nothing.
 */
static char *runtime_msg(const char *text)
{
	_cleanup_free_ char *copy = pf_xstrdup(text ? text : "");
	char *best = NULL, *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_t *j = l[0] == '{' ? json_loads(l, 0, NULL) : NULL;
		const char *m = NULL;
		char *msg = NULL;

		if (j) {
			m = jstr(j, "msg");
			if (!m)
				m = jstr(j, "message");
			if (m)
				msg = pf_xstrdup(m);
			json_decref(j);
		} else if ((m = strstr(l, "msg=\""))) {
			m += 5;
			msg = pf_xstrdup(m);
			size_t n = strlen(msg);
			if (n && msg[n - 1] == '"')
				msg[n - 1] = 0;
		} else if (*l) {
			msg = pf_xstrdup(l);
		}
		if (msg) {
			free(best);
			best = msg;
		}
	}
	return best ? best : pf_xstrdup("the OCI runtime failed without saying why");
}

/* Run `RUNTIME --root R args...`. */
static int runtime_call(struct oci *o, const char *const *args, size_t n, struct pf_spawn_out *out,
			struct pf_err *err)
{
	const char *argv[16];
	_cleanup_free_ char *rootarg = pf_xasprintf("--root=%s/runtime-root", o->root);
	size_t k = 0;
	struct pf_spawn s = {.argv = argv, .timeout_ms = CALL_TIMEOUT_MS, .keep_stdout = true};

	argv[k++] = o->runtime_path;
	argv[k++] = rootarg;
	for (size_t i = 0; i < n && k < PF_ARRAY_SIZE(argv) - 1; i++)
		argv[k++] = args[i];
	argv[k] = NULL;
	return pf_spawn_run(&s, out, err);
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
		if (!valid_id(e->d_name))
			continue;
		dir = pf_xasprintf("%s/%s", cd, e->d_name);
		rec = pf_xasprintf("%s/record.json", dir);
		if (exists(rec))
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

	if (!want) {
		/* crun by default; runc where crun cannot run, said plainly. */
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
		if (!o->runtime_path) {
			r = pf_err_set(err, ENOSYS,
				       "no OCI runtime found: neither crun nor runc is installed "
				       "(make deps)");
			goto fail;
		}
	} else {
		o->runtime_path = which(want);
		if (!o->runtime_path) {
			r = pf_err_set(err, ENOSYS, "--oci-runtime %s: not found or not executable",
				       want);
			goto fail;
		}
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
	o->conmon = which("conmon");
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
	if (o->net && o->net->ops->reconcile) {
		/* IPs reserved for sandboxes a crash left unrecorded. */
		_cleanup_free_ char *sd = pf_xasprintf("%s/sandboxes", o->root);
		DIR *d = opendir(sd);
		struct pf_strlist live = {0};
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (valid_id(e->d_name))
				pf_strlist_add(&live, e->d_name);
		if (d)
			closedir(d);
		o->net->ops->reconcile(o->net, &live);
		pf_strlist_free(&live);
	}
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

static void net_jobs_drain(struct oci *o);

static void oci_close(struct pf_runtime *rt)
{
	struct oci *o = O(rt);

	if (!o)
		return;
	net_jobs_drain(o);
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
	struct oci *o = O(rt);

	if (o->down)
		return pf_err_set(err, ENOSYS, "%s", o->down);
	return 0;
}

/* ---- sandboxes ---------------------------------------------------------- */

static char *sandbox_dir_of(struct oci *o, const char *id)
{
	_cleanup_free_ char *link = pf_xasprintf("%s/sandboxes/%s", o->root, id);

	if (!valid_id(id))
		return NULL;
	return realpath(link, NULL);
}

/* Remove the pod's cgroup in every hierarchy (and /podfs when it is the
 * last pod): the runtime removes its containers' cgroups on delete, this
 * catches the pod level and anything a crash left. */
static void remove_pod_cgroups(struct oci *o, const char *uid)
{
	struct pf_mounts mnts;

	cgroup_mounts(&mnts);
	for (size_t i = 0; i < mnts.n; i++) {
		_cleanup_free_ char *p = pf_xasprintf("%s/podfs/%s", mnts.items[i].target, uid);
		_cleanup_free_ char *top = pf_xasprintf("%s/podfs", mnts.items[i].target);
		if (exists(p))
			pf_rm_tree(p, PF_RM_DIRS_ONLY);
		pthread_rwlock_wrlock(&o->cg_lock);
		rmdir(top); /* EBUSY while other pods live: fine */
		pthread_rwlock_unlock(&o->cg_lock);
	}
	pf_mounts_free(&mnts);
}

/* The pod's cgroup in one hierarchy: where it is mounted and what to
 * write there (cgroup.h). */
struct pod_cg {
	char *mnt;
	struct pf_cg_plan plan;
};

static void pod_cgs_free(struct pod_cg *v, size_t n)
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
static struct pod_cg *pod_cgroup_plans(const struct pf_pod *pod, size_t *n)
{
	struct pf_pod_limits lim;
	struct pod_cg *v = NULL;
	struct pf_mounts mnts;

	*n = 0;
	pf_pod_limits(pod, POD_PIDS_MAX, &lim);
	cgroup_mounts(&mnts);
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
static void apply_pod_cgroups(const struct pf_pod *pod, const struct pod_cg *v, size_t n)
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
static int start_pause(struct oci *o, const char *nsdir, const struct pod_cg *cgs, size_t n,
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
static void stop_pause(const char *dir, json_t *rec)
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

static bool memory_medium(const struct pf_volume *v)
{
	return v->kind == PF_VOLUME_EMPTYDIR && v->empty_dir_medium &&
	       strcmp(v->empty_dir_medium, "Memory") == 0;
}

/* kubelet's size for a memory-backed emptyDir: the pod's memory limit, or
 * the node's memory when the pod has none, and sizeLimit when smaller. */
static int64_t memory_volume_size(const struct pf_pod *pod, const struct pf_volume *v)
{
	struct pf_pod_limits lim;
	int64_t size,
	    limit = v->empty_dir_size_limit.str ? v->empty_dir_size_limit.milli / 1000 : 0;

	pf_pod_limits(pod, 0, &lim);
	size =
	    lim.memory > 0 ? lim.memory : (int64_t)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
	return limit > 0 && limit < size ? limit : size;
}

struct ns_job {
	const char *dir;
	const char *hostname;
	int err;
	char what[128];
};

/*
 * Made in a thread of its own: unshare(2) of the network, IPC and UTS
 * namespaces changes only the calling thread, the thread names the host
 * and brings loopback up inside, and the bind mounts of its namespace
 * files keep the namespaces alive after it exits.  No process stays.
 */
static void *ns_thread(void *arg)
{
	struct ns_job *j = arg;
	static const struct {
		const char *name;
		int flag;
	} nss[] = {{"net", CLONE_NEWNET}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}};
	struct ifreq ifr = {0};
	int s;

	if (unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0) {
		j->err = errno;
		snprintf(j->what, sizeof(j->what), "unshare the pod's namespaces");
		return NULL;
	}
	if (sethostname(j->hostname, strlen(j->hostname)) < 0) {
		j->err = errno;
		snprintf(j->what, sizeof(j->what), "set the pod's hostname");
		return NULL;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
		if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
			ifr.ifr_flags |= IFF_UP;
			ioctl(s, SIOCSIFFLAGS, &ifr);
		}
		close(s);
	}
	for (size_t i = 0; i < PF_ARRAY_SIZE(nss); i++) {
		char src[64], dst[4096];
		snprintf(src, sizeof(src), "/proc/thread-self/ns/%s", nss[i].name);
		snprintf(dst, sizeof(dst), "%s/%s", j->dir, nss[i].name);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0) {
			j->err = errno;
			snprintf(j->what, sizeof(j->what), "bind-mount the %s namespace",
				 nss[i].name);
			return NULL;
		}
	}
	return NULL;
}

/* A file the sandbox or bundle makes from the pod (/etc/hosts, an empty
 * termination log): rewritten whenever it is made, so no fsync. */
static void write_text(const char *path, const char *text)
{
	struct pf_err err = PF_ERR_INIT;

	pf_write_file(path, text, strlen(text), 0644, 0, &err);
}

static void sandbox_teardown(struct oci *o, const char *dir, json_t *rec);

/* The sandbox of pod uid, when one exists and is whole. */
static char *existing_sandbox(struct oci *o, const char *uid)
{
	_cleanup_free_ char *path = pf_xasprintf("%s/pods/%s/sandbox.json", o->state, uid);
	json_t *rec = read_json(path);
	char *id = NULL;

	if (rec && jstr(rec, "id") && jstr(rec, "state") &&
	    strcmp(jstr(rec, "state"), "ready") == 0) {
		_cleanup_free_ char *dir = sandbox_dir_of(o, jstr(rec, "id"));
		if (dir)
			id = pf_xstrdup(jstr(rec, "id"));
	}
	json_decref(rec);
	return id;
}

/*
 * A sandbox's CNI ADD on a thread of its own: it needs only the network
 * namespace, and the agent creates the first container meanwhile (conmon
 * and `RUNTIME create` need the namespace's path, not its network).
 * sandbox_network joins it and records the outcome; container_start and
 * sandbox_remove join it first, so no container starts without its IP and
 * no DEL races the ADD.  Until then sandbox.json says "creating": a crash
 * meanwhile leaves a sandbox that the next sandbox_create undoes (DEL
 * included) before it makes a new one.  The list is under jobs_mu (pod
 * workers start and take jobs of different pods at once); the thread
 * touches only its job, and whoever takes a job off the list owns it.
 */
struct net_job {
	struct net_job *next;
	struct pf_net *net;
	char *id, *uid, *netns;
	pthread_t thread;
	bool threaded;
	int r;
	char *ip;
	int64_t done_ms;
	struct pf_err err;
};

static void *net_thread(void *arg)
{
	struct net_job *j = arg;

	/* No pod: the job may outlive the agent's copy of it (cni and none
	 * ignore it). */
	j->r = j->net->ops->add(j->net, j->id, j->netns, NULL, &j->ip, &j->err);
	j->done_ms = pf_wall_ms();
	return NULL;
}

static void net_job_start(struct oci *o, const char *id, const char *uid, const char *netns)
{
	struct net_job *j = pf_xcalloc(1, sizeof(*j));

	j->net = o->net;
	j->id = pf_xstrdup(id);
	j->uid = pf_xstrdup(uid);
	j->netns = pf_xstrdup(netns);
	j->threaded = pthread_create(&j->thread, NULL, net_thread, j) == 0;
	if (!j->threaded)
		net_thread(j);
	pthread_mutex_lock(&o->jobs_mu);
	j->next = o->jobs;
	o->jobs = j;
	pthread_mutex_unlock(&o->jobs_mu);
}

/* Take the job of sandbox id (or of pod uid) off the list once its ADD
 * ended; NULL when there is none. */
static struct net_job *net_job_take(struct oci *o, const char *id, const char *uid)
{
	struct net_job *j = NULL;

	pthread_mutex_lock(&o->jobs_mu);
	for (struct net_job **p = &o->jobs; *p; p = &(*p)->next) {
		if ((id && strcmp((*p)->id, id) == 0) || (uid && strcmp((*p)->uid, uid) == 0) ||
		    (!id && !uid)) {
			j = *p;
			*p = j->next;
			break;
		}
	}
	pthread_mutex_unlock(&o->jobs_mu);
	/* Not under jobs_mu: an ADD takes milliseconds. */
	if (j && j->threaded)
		pthread_join(j->thread, NULL);
	return j;
}

static void net_job_free(struct net_job *j)
{
	if (!j)
		return;
	free(j->id);
	free(j->uid);
	free(j->netns);
	free(j->ip);
	free(j);
}

static int remove_containers_of(struct pf_runtime *rt, const char *sandbox_id, struct pf_err *err);

/* Record how the ADD of job j went: the sandbox is ready with its IP, or
 * it goes, with whatever was created in it meanwhile (the ADD detached
 * what it attached; the teardown's DEL is the idempotent second word). */
static int net_job_finish(struct oci *o, struct net_job *j, struct pf_err *err)
{
	_cleanup_free_ char *dir = sandbox_dir_of(o, j->id);
	_cleanup_free_ char *recpath = dir ? pf_xasprintf("%s/sandbox.json", dir) : NULL;
	_cleanup_free_ char *link = pf_xasprintf("%s/sandboxes/%s", o->root, j->id);
	json_t *rec = recpath ? read_json(recpath) : NULL;
	int r = j->r;

	if (r < 0)
		r = pf_err_set(err, -r, "%s", j->err.msg);
	else if (!rec)
		r = pf_err_set(err, ENOENT, "the record of pod sandbox %.12s is gone", j->id);
	if (r == 0) {
		if (j->ip)
			json_object_set_new(rec, "ip", json_string(j->ip));
		json_object_set_new(rec, "state", json_string("ready"));
		r = update_json(recpath, rec, err);
	}
	if (r < 0 && dir) {
		struct pf_err e2 = PF_ERR_INIT;
		if (remove_containers_of(&o->rt, j->id, &e2) < 0)
			pf_log(PF_LOG_WARN, "sandbox %.12s: %s", j->id, e2.msg);
		sandbox_teardown(o, dir, rec);
		unlink(link);
	}
	json_decref(rec);
	return r;
}

/* Every ADD ends and is recorded, so each sandbox is whole for the next
 * start (the runtime closes). */
static void net_jobs_drain(struct oci *o)
{
	struct net_job *j;

	/* id and uid NULL: the first job. */
	while ((j = net_job_take(o, NULL, NULL))) {
		struct pf_err err = PF_ERR_INIT;
		if (net_job_finish(o, j, &err) < 0)
			pf_log(PF_LOG_WARN, "sandbox %.12s: %s", j->id, err.msg);
		net_job_free(j);
	}
}

static int oci_sandbox_create(struct pf_runtime *rt, const struct pf_pod *pod, char **id,
			      struct pf_err *err)
{
	struct oci *o = O(rt);
	const char *uid = pod->meta.uid;
	_cleanup_free_ char *dir = NULL, *recpath = NULL, *sid = NULL, *nsdir = NULL, *shm = NULL,
			    *link = NULL, *hosts = NULL, *pidns = NULL;
	const char *hostname =
	    pod->spec.hostname && *pod->spec.hostname ? pod->spec.hostname : pod->meta.name;
	json_t *rec = NULL, *mounts, *cgj;
	struct pod_cg *cgs = NULL;
	size_t n_cgs = 0;
	bool share_pid = pod->spec.share_process_namespace == PF_TRUE;
	struct ns_job job = {0};
	pthread_t t;
	int r;

	if (!uid || !*uid || strchr(uid, '/') || uid[0] == '.')
		return pf_err_set(err, EINVAL, "the pod has no usable uid");
	{
		/* One whose network still attaches: its outcome first. */
		struct net_job *j = net_job_take(o, NULL, uid);
		struct pf_err e2 = PF_ERR_INIT;
		if (j && net_job_finish(o, j, &e2) < 0)
			pf_log(PF_LOG_INFO, "pod %s: the earlier sandbox failed: %s",
			       pod->meta.name, e2.msg);
		net_job_free(j);
	}
	if ((*id = existing_sandbox(o, uid)))
		return 0;
	sid = pf_random_id64();
	dir = pf_xasprintf("%s/pods/%s", o->state, uid);
	recpath = pf_xasprintf("%s/sandbox.json", dir);
	if (exists(recpath)) {
		/* A half-made one from before a crash: undo it first, with
		 * a container created in it while its network attached. */
		json_t *old = read_json(recpath);
		pf_log(PF_LOG_INFO, "pod %s: undoing the sandbox a crash left half-made",
		       pod->meta.name);
		if (old && jstr(old, "id") && valid_id(jstr(old, "id"))) {
			_cleanup_free_ char *oldlink =
			    pf_xasprintf("%s/sandboxes/%s", o->root, jstr(old, "id"));
			struct pf_err e2 = PF_ERR_INIT;
			if (remove_containers_of(rt, jstr(old, "id"), &e2) < 0)
				pf_log(PF_LOG_WARN, "sandbox %.12s: %s", jstr(old, "id"), e2.msg);
			sandbox_teardown(o, dir, old);
			unlink(oldlink);
		} else {
			sandbox_teardown(o, dir, old);
		}
		json_decref(old);
	}
	nsdir = pf_xasprintf("%s/ns", dir);
	shm = pf_xasprintf("%s/shm", dir);
	pidns = pf_xasprintf("%s/pid", nsdir);
	cgs = pod_cgroup_plans(pod, &n_cgs);
	r = pf_mkdir_p(nsdir, 0700);
	if (r < 0)
		return pf_err_sys(err, -r, "create %s", nsdir);

	/* The record first: everything below is listed before it exists. */
	rec = json_object();
	json_object_set_new(rec, "id", json_string(sid));
	json_object_set_new(rec, "pod_uid", json_string(uid));
	json_object_set_new(rec, "pod_name", json_string(pod->meta.name));
	json_object_set_new(rec, "namespace",
			    json_string(pod->meta.namespace_ ? pod->meta.namespace_ : "default"));
	json_object_set_new(rec, "created_ms", json_integer(pf_wall_ms()));
	json_object_set_new(rec, "state", json_string("creating"));
	mounts = json_array();
	for (const char *const *n = (const char *const[]){"net", "ipc", "uts", NULL}; *n; n++) {
		char *p = pf_xasprintf("%s/%s", nsdir, *n);
		json_array_append_new(mounts, json_string(p));
		free(p);
	}
	json_array_append_new(mounts, json_string(shm));
	if (share_pid)
		json_array_append_new(mounts, json_string(pidns));
	for (size_t i = 0; i < pod->spec.n_volumes; i++) {
		const struct pf_volume *v = &pod->spec.volumes[i];
		char *p;
		if (!memory_medium(v))
			continue;
		p = pf_xasprintf("%s/volumes/%s", dir, v->name);
		json_array_append_new(mounts, json_string(p));
		free(p);
	}
	json_object_set_new(rec, "mounts", mounts);
	cgj = json_array();
	for (size_t i = 0; i < n_cgs; i++) {
		char *p = pf_xasprintf("%s/%s", cgs[i].mnt, cgs[i].plan.dir);
		json_array_append_new(cgj, json_string(p));
		free(p);
	}
	json_object_set_new(rec, "cgroups", cgj);
	r = write_json(recpath, rec, err);
	if (r < 0)
		goto fail;

	for (const char *const *n = (const char *const[]){"net", "ipc", "uts", NULL}; *n; n++) {
		_cleanup_free_ char *p = pf_xasprintf("%s/%s", nsdir, *n);
		int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			r = pf_err_sys(err, errno, "create %s", p);
			goto fail;
		}
		close(fd);
	}
	job.dir = nsdir;
	job.hostname = hostname;
	r = pthread_create(&t, NULL, ns_thread, &job);
	if (r) {
		r = pf_err_sys(err, r, "start the namespace thread");
		goto fail;
	}
	pthread_join(t, NULL);
	if (job.err) {
		r = pf_err_sys(err, job.err, "%s", job.what);
		goto fail;
	}
	if (o->net) {
		/* The ADD runs while the rest is made, and on while the
		 * agent creates the first container (net_job). */
		_cleanup_free_ char *netns = pf_xasprintf("%s/net", nsdir);
		net_job_start(o, sid, uid, netns);
	}
	if (mkdir(shm, 01777) < 0 && errno != EEXIST) {
		r = pf_err_sys(err, errno, "create %s", shm);
		goto fail;
	}
	if (mount("shm", shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=1777,size=" SHM_SIZE) < 0) {
		r = pf_err_sys(err, errno, "mount the pod's /dev/shm");
		goto fail;
	}
	pthread_rwlock_rdlock(&o->cg_lock);
	apply_pod_cgroups(pod, cgs, n_cgs);
	pthread_rwlock_unlock(&o->cg_lock);
	if (share_pid) {
		pid_t pause = 0;
		char src[64];
		int fd = open(pidns, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			r = pf_err_sys(err, errno, "create %s", pidns);
			goto fail;
		}
		close(fd);
		r = start_pause(o, nsdir, cgs, n_cgs, &pause, err);
		if (r < 0)
			goto fail;
		json_object_set_new(rec, "pause_pid", json_integer(pause));
		r = write_json(recpath, rec, err);
		if (r < 0)
			goto fail;
		snprintf(src, sizeof(src), "/proc/%d/ns/pid", (int)pause);
		if (mount(src, pidns, NULL, MS_BIND, NULL) < 0) {
			r = pf_err_sys(err, errno, "bind-mount the pod's PID namespace");
			goto fail;
		}
	}
	/* /etc files the containers share. */
	{
		_cleanup_free_ char *etc = pf_xasprintf("%s/etc", dir);
		_cleanup_free_ char *resolv = NULL, *hn = NULL, *host_resolv = NULL;
		size_t len = 0;

		r = pf_mkdir_p(etc, 0755);
		if (r < 0) {
			r = pf_err_sys(err, -r, "create %s", etc);
			goto fail;
		}
		hosts = pf_xasprintf("%s/hosts", etc);
		{
			_cleanup_free_ char *text = pf_xasprintf(
			    "# Kubernetes-managed hosts file (podfs).\n127.0.0.1\tlocalhost\n::1\t"
			    "localhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\t"
			    "ip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
			write_text(hosts, text);
		}
		resolv = pf_xasprintf("%s/resolv.conf", etc);
		if (pf_read_file("/etc/resolv.conf", 65536, &host_resolv, &len) == 0)
			write_text(resolv, host_resolv);
		else
			write_text(resolv, "");
		hn = pf_xasprintf("%s/hostname", etc);
		{
			_cleanup_free_ char *text = pf_xasprintf("%s\n", hostname);
			write_text(hn, text);
		}
	}
	/* emptyDir volumes (world-writable, as kubelet makes them). */
	for (size_t i = 0; i < pod->spec.n_volumes; i++) {
		const struct pf_volume *v = &pod->spec.volumes[i];
		_cleanup_free_ char *p = NULL;
		if (v->kind != PF_VOLUME_EMPTYDIR)
			continue;
		p = pf_xasprintf("%s/volumes/%s", dir, v->name);
		if (pf_mkdir_p(p, 0777) < 0 || chmod(p, 0777) < 0) {
			r = pf_err_sys(err, errno, "create the emptyDir volume %s", v->name);
			goto fail;
		}
		if (memory_medium(v)) {
			_cleanup_free_ char *opts = pf_xasprintf(
			    "mode=0777,size=%lld", (long long)memory_volume_size(pod, v));
			if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
				r = pf_err_sys(err, errno, "mount the emptyDir volume %s (tmpfs)",
					       v->name);
				goto fail;
			}
		}
	}
	link = pf_xasprintf("%s/sandboxes/%s", o->root, sid);
	if (symlink(dir, link) < 0) {
		r = pf_err_sys(err, errno, "create %s", link);
		goto fail;
	}
	if (!o->net) {
		/* Else ready once the ADD is recorded (net_job_finish). */
		json_object_set_new(rec, "state", json_string("ready"));
		r = update_json(recpath, rec, err);
		if (r < 0)
			goto fail;
	}
	json_decref(rec);
	pod_cgs_free(cgs, n_cgs);
	*id = PF_TAKE(sid);
	return 0;
fail:
	/* The ADD ends before the teardown's DEL. */
	net_job_free(net_job_take(o, sid, NULL));
	sandbox_teardown(o, dir, rec);
	if (link)
		unlink(link);
	json_decref(rec);
	pod_cgs_free(cgs, n_cgs);
	return r;
}

static int oci_sandbox_network(struct pf_runtime *rt, const char *id, char **ip, int64_t *ms,
			       struct pf_err *err)
{
	struct oci *o = O(rt);
	struct net_job *j = net_job_take(o, id, NULL);
	_cleanup_free_ char *dir = NULL, *recpath = NULL;
	json_t *rec;
	int r;

	*ip = NULL;
	*ms = 0;
	if (j) {
		r = net_job_finish(o, j, err);
		if (r == 0) {
			*ip = PF_TAKE(j->ip);
			*ms = j->done_ms;
		}
		net_job_free(j);
		return r;
	}
	dir = sandbox_dir_of(o, id);
	if (!dir)
		return pf_err_set(err, ENOENT, "no such pod sandbox \"%s\"", id);
	recpath = pf_xasprintf("%s/sandbox.json", dir);
	rec = read_json(recpath);
	if (!rec || !jstr(rec, "state") || strcmp(jstr(rec, "state"), "ready") != 0)
		r = pf_err_set(err, ENOENT, "pod sandbox %.12s was never finished", id);
	else
		r = 0;
	if (r == 0 && jstr(rec, "ip"))
		*ip = pf_xstrdup(jstr(rec, "ip"));
	json_decref(rec);
	return r;
}

/* ---- containers --------------------------------------------------------- */

static char *cdir(struct oci *o, const char *id)
{
	return pf_xasprintf("%s/containers/%s", o->root, id);
}

static json_t *crec(struct oci *o, const char *id)
{
	_cleanup_free_ char *p = NULL;

	if (!valid_id(id))
		return NULL;
	p = pf_xasprintf("%s/containers/%s/record.json", o->root, id);
	return read_json(p);
}

static int save_crec(struct oci *o, const char *id, json_t *rec, struct pf_err *err)
{
	_cleanup_free_ char *p = pf_xasprintf("%s/containers/%s/record.json", o->root, id);

	return write_json(p, rec, err);
}

static int update_crec(struct oci *o, const char *id, json_t *rec, struct pf_err *err)
{
	_cleanup_free_ char *p = pf_xasprintf("%s/containers/%s/record.json", o->root, id);

	return update_json(p, rec, err);
}

static pid_t read_pid(const char *path)
{
	_cleanup_free_ char *s = NULL;
	size_t len = 0;

	if (pf_read_file(path, 64, &s, &len) < 0)
		return 0;
	return (pid_t)strtol(s, NULL, 10);
}

/* The exit code conmon wrote, or -1 while the container runs. */
static int exit_code(struct oci *o, const char *id, int64_t *when_ms)
{
	_cleanup_free_ char *p = pf_xasprintf("%s/exits/%s", o->root, id);
	_cleanup_free_ char *s = NULL;
	size_t len = 0;
	struct stat st;

	if (pf_read_file(p, 64, &s, &len) < 0 || !len)
		return -1;
	if (when_ms && stat(p, &st) == 0)
		*when_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	return (int)strtol(s, NULL, 10);
}

/* A process that exited but that nobody reaped yet (conmon's parent is
 * init, which may reap late) counts as gone. */
static bool alive(pid_t pid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;
	const char *p;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

static void release_hold(struct oci *o, const char *id)
{
	struct pf_err err = PF_ERR_INIT;

	if (pf_image_release(o->images, id, &err) < 0)
		pf_log(PF_LOG_WARN, "container %.12s: release its image: %s", id, err.msg);
}

/* Undo what the record says exists, in reverse; every step tolerates the
 * object being absent. */
static void container_teardown(struct oci *o, const char *id)
{
	_cleanup_free_ char *dir = cdir(o, id);
	_cleanup_free_ char *rootfs = pf_xasprintf("%s/rootfs", dir);
	_cleanup_free_ char *exitf = pf_xasprintf("%s/exits/%s", o->root, id);
	_cleanup_free_ char *sock = pf_xasprintf("%s/sock/%s", o->root, id);

	unmount(rootfs);
	release_hold(o, id);
	pf_rm_rf(dir);
	unlink(exitf);
	pf_rm_rf(sock);
}

static int sync_pipe_read(int fd, int timeout_ms, pid_t *pid, char **msg)
{
	struct pf_buf b = PF_BUF_INIT;
	int64_t deadline = pf_now_ns() + (int64_t)timeout_ms * 1000000;
	int r = -ETIMEDOUT;

	*msg = NULL;
	for (;;) {
		int64_t left = (deadline - pf_now_ns()) / 1000000;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char tmp[4096];
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = read(fd, tmp, sizeof(tmp));
		if (n <= 0) {
			r = -EIO;
			break;
		}
		pf_buf_add(&b, tmp, (size_t)n);
		json_t *j = json_loadb(b.buf, b.len, JSON_DISABLE_EOF_CHECK, NULL);
		if (j) {
			*pid = (pid_t)jint(j, "data");
			if (jstr(j, "message"))
				*msg = pf_xstrdup(jstr(j, "message"));
			json_decref(j);
			r = 0;
			break;
		}
	}
	pf_buf_release(&b);
	return r;
}

/* Is pid the pause process holding the PID namespace bind-mounted at ns? */
static bool pause_alive(const char *ns, pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return pid > 0 && alive(pid) && stat(ns, &a) == 0 && stat(path, &b) == 0 &&
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
static int ensure_pause(struct oci *o, const char *sdir, const struct pf_pod *pod,
			struct pf_err *err)
{
	_cleanup_free_ char *recpath = pf_xasprintf("%s/sandbox.json", sdir);
	_cleanup_free_ char *ns = pf_xasprintf("%s/ns/pid", sdir);
	_cleanup_free_ char *nsdir = pf_xasprintf("%s/ns", sdir);
	json_t *rec = read_json(recpath);
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
	stop_pause(sdir, rec);
	unmount(ns);
	cgs = pod_cgroup_plans(pod, &n_cgs);
	r = start_pause(o, nsdir, cgs, n_cgs, &fresh, err);
	if (r == 0) {
		json_object_set_new(rec, "pause_pid", json_integer(fresh));
		r = write_json(recpath, rec, err);
	}
	snprintf(src, sizeof(src), "/proc/%d/ns/pid", (int)fresh);
	if (r == 0 && mount(src, ns, NULL, MS_BIND, NULL) < 0)
		r = pf_err_sys(err, errno, "bind-mount the pod's PID namespace");
	pod_cgs_free(cgs, n_cgs);
	json_decref(rec);
	return r;
}

static int oci_container_create(struct pf_runtime *rt, const char *sandbox_id,
				const struct pf_pod *pod, const struct pf_container *c, bool init,
				int attempt, char **id, struct pf_err *err)
{
	struct oci *o = O(rt);
	_cleanup_free_ char *sdir = sandbox_dir_of(o, sandbox_id);
	_cleanup_free_ char *cid = pf_random_id64();
	_cleanup_free_ char *dir = NULL, *rootfs = NULL, *upper = NULL, *work = NULL,
			    *logdir = NULL, *logpath = NULL, *opts = NULL, *tlog = NULL,
			    *cgpath = NULL;
	struct pf_image img = {0};
	json_t *rec = NULL, *cfg = NULL;
	struct pf_buf lower = PF_BUF_INIT;
	int r;

	if (!sdir)
		return pf_err_set(err, ENOENT, "no such pod sandbox \"%s\"", sandbox_id);
	if (pod->spec.share_process_namespace == PF_TRUE &&
	    (r = ensure_pause(o, sdir, pod, err)) < 0)
		return r;
	r = pf_image_resolve(o->images, c->image, &img, err);
	if (r < 0)
		return r;
	dir = cdir(o, cid);
	rootfs = pf_xasprintf("%s/rootfs", dir);
	upper = pf_xasprintf("%s/upper", dir);
	work = pf_xasprintf("%s/work", dir);
	tlog = pf_xasprintf("%s/termination-log", dir);
	logdir = pf_xasprintf("%s/logs/%s/%s", o->state, pod->meta.uid, c->name);
	logpath = pf_xasprintf("%s/%d.log", logdir, attempt);
	cgpath = pf_xasprintf("/podfs/%s/%s", pod->meta.uid, cid);

	for (const char *const *d = (const char *const[]){rootfs, upper, work, logdir, NULL}; *d;
	     d++) {
		r = pf_mkdir_p(*d, 0755);
		if (r < 0) {
			r = pf_err_sys(err, -r, "create %s", *d);
			goto fail;
		}
	}
	rec = json_object();
	json_object_set_new(rec, "id", json_string(cid));
	json_object_set_new(rec, "sandbox_id", json_string(sandbox_id));
	json_object_set_new(rec, "pod_uid", json_string(pod->meta.uid));
	json_object_set_new(rec, "pod_name", json_string(pod->meta.name));
	json_object_set_new(rec, "container_name", json_string(c->name));
	json_object_set_new(rec, "init", json_boolean(init));
	json_object_set_new(rec, "attempt", json_integer(attempt));
	json_object_set_new(rec, "image", json_string(c->image));
	json_object_set_new(rec, "image_id", json_string(img.id));
	json_object_set_new(rec, "log_path", json_string(logpath));
	json_object_set_new(rec, "cgroups_path", json_string(cgpath));
	json_object_set_new(rec, "created_ms", json_integer(pf_wall_ms()));
	json_object_set_new(rec, "stop_signal",
			    json_string(img.stop_signal ? img.stop_signal : "SIGTERM"));
	json_object_set_new(
	    rec, "termination_message_policy",
	    json_string(c->termination_message_policy ? c->termination_message_policy : "File"));
	json_object_set_new(rec, "mounts", json_pack("[s]", rootfs));
	r = save_crec(o, cid, rec, err);
	if (r < 0)
		goto fail;
	r = pf_image_hold(o->images, &img, cid, err);
	if (r < 0)
		goto fail;

	/* overlayfs wants the top layer first. */
	for (size_t i = img.layers.n; i-- > 0;)
		pf_buf_addf(&lower, "%s%s", lower.len ? ":" : "", img.layers.items[i]);
	if (img.layers.n == 0) {
		/* An image with no layer: an empty lower directory. */
		_cleanup_free_ char *empty = pf_xasprintf("%s/empty", dir);
		r = pf_mkdir_p(empty, 0755);
		if (r < 0) {
			r = pf_err_sys(err, -r, "create %s", empty);
			goto fail;
		}
		pf_buf_adds(&lower, empty);
	}
	opts = pf_xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower.buf, upper, work);
	if (mount("overlay", rootfs, "overlay", 0, opts) < 0) {
		r = pf_err_sys(err, errno, "mount the container's root filesystem (overlay)");
		goto fail;
	}
	write_text(tlog, "");
	{
		_cleanup_free_ char *netns = pf_xasprintf("%s/ns/net", sdir);
		_cleanup_free_ char *ipcns = pf_xasprintf("%s/ns/ipc", sdir);
		_cleanup_free_ char *utsns = pf_xasprintf("%s/ns/uts", sdir);
		_cleanup_free_ char *pidns = pod->spec.share_process_namespace == PF_TRUE
						 ? pf_xasprintf("%s/ns/pid", sdir)
						 : NULL;
		_cleanup_free_ char *hosts = pf_xasprintf("%s/etc/hosts", sdir);
		_cleanup_free_ char *resolv = pf_xasprintf("%s/etc/resolv.conf", sdir);
		_cleanup_free_ char *hn = pf_xasprintf("%s/etc/hostname", sdir);
		_cleanup_free_ char *shm = pf_xasprintf("%s/shm", sdir);
		_cleanup_free_ char *vols = pf_xasprintf("%s/volumes", sdir);
		_cleanup_free_ char *cfgpath = pf_xasprintf("%s/config.json", dir);
		struct pf_bundle_in in = {
		    .pod = pod,
		    .c = c,
		    .img = &img,
		    .rootfs = rootfs,
		    .netns = netns,
		    .ipcns = ipcns,
		    .utsns = utsns,
		    .pidns = pidns,
		    .hosts = hosts,
		    .resolv = resolv,
		    .hostname = hn,
		    .shm = shm,
		    .termination_log = tlog,
		    .volumes_dir = vols,
		    .cgroups_path = cgpath,
		    .node_name = pod->spec.node_name,
		    .host_ip = pod->status.host_ip,
		    .pod_ip = pod->status.pod_ip,
		    .allow_host_paths = o->allow_host_paths,
		    .allow_privileged = o->allow_privileged,
		};
		r = pf_bundle_config(&in, &cfg, err);
		if (r < 0)
			goto fail;
		/* Mount points the image lacks are made by the runtime in the
		 * upper layer; subPath directories are ours to make. */
		for (size_t i = 0; i < c->n_volume_mounts; i++) {
			const struct pf_volume_mount *vm = &c->volume_mounts[i];
			if (vm->sub_path && *vm->sub_path && !strstr(vm->sub_path, "..")) {
				_cleanup_free_ char *p =
				    pf_xasprintf("%s/%s/%s", vols, vm->name, vm->sub_path);
				int e = pf_mkdir_p(p, 0777);
				if (e < 0)
					pf_log(PF_LOG_WARN,
					       "container %s: cannot create the subPath "
					       "directory %s: %s",
					       c->name, p, strerror(-e));
			}
		}
		{
			/* The runtime reads it now; nothing reads it after a
			 * crash (adoption goes by the record): no fsync. */
			_cleanup_free_ char *text = json_dumps(cfg, JSON_COMPACT);
			r = pf_write_file(cfgpath, text, strlen(text), 0644, 0, err);
		}
		if (r < 0)
			goto fail;
	}

	/* conmon runs `RUNTIME create` and reports the pid on the sync pipe. */
	{
		int sp[2];
		_cleanup_free_ char *rootarg = pf_xasprintf("--root=%s/runtime-root", o->root);
		_cleanup_free_ char *exits = pf_xasprintf("%s/exits", o->root);
		_cleanup_free_ char *persist = pf_xasprintf("%s/persist", dir);
		_cleanup_free_ char *sock = pf_xasprintf("%s/sock", o->root);
		_cleanup_free_ char *pidfile = pf_xasprintf("%s/pid", dir);
		_cleanup_free_ char *cpidfile = pf_xasprintf("%s/conmon.pid", dir);
		_cleanup_free_ char *logarg = pf_xasprintf("k8s-file:%s", logpath);
		_cleanup_free_ char *sizemax = pf_xasprintf("%d", LOG_SIZE_MAX);
		_cleanup_free_ char *name =
		    pf_xasprintf("k8s_%s_%s_%s", c->name, pod->meta.name, pod->meta.uid);
		const char *argv[] = {o->conmon,
				      "--api-version",
				      "1",
				      "-c",
				      cid,
				      "-u",
				      cid,
				      "-n",
				      name,
				      "-r",
				      o->runtime_path,
				      "-b",
				      dir,
				      "-p",
				      pidfile,
				      "-P",
				      cpidfile,
				      "-l",
				      logarg,
				      "--exit-dir",
				      exits,
				      "--persist-dir",
				      persist,
				      "--socket-dir-path",
				      sock,
				      "--log-size-max",
				      sizemax,
				      "--runtime-arg",
				      rootarg,
				      "--no-sync-log",
				      NULL};
		const char *env[] = {"_OCI_SYNCPIPE=3", NULL};
		struct pf_spawn s = {
		    .argv = argv, .env = env, .timeout_ms = CREATE_TIMEOUT_MS, .no_wait_eof = true};
		struct pf_spawn_out out;
		pid_t pid = 0;
		_cleanup_free_ char *msg = NULL;

		r = pf_mkdir_p(persist, 0700);
		if (r < 0)
			pf_log(PF_LOG_WARN, "container %s: cannot create %s: %s", c->name, persist,
			       strerror(-r));
		r = 0;
		if (pipe2(sp, O_CLOEXEC) < 0) {
			r = pf_err_sys(err, errno, "pipe");
			goto fail;
		}
		s.pass_fds = &sp[1];
		s.n_pass_fds = 1;
		/* RUNTIME create makes the container's cgroups. */
		pthread_rwlock_rdlock(&o->cg_lock);
		r = pf_spawn_run(&s, &out, err);
		close(sp[1]);
		if (r == 0 && out.status != 0)
			r = pf_err_set(err, EIO, "conmon failed (exit %d): %s", out.status,
				       out.err);
		pf_spawn_out_free(&out);
		if (r == 0) {
			r = sync_pipe_read(sp[0], CREATE_TIMEOUT_MS, &pid, &msg);
			if (r < 0)
				r = pf_err_set(err, -r == ETIMEDOUT ? ETIMEDOUT : EIO,
					       "conmon did not report the container's creation%s",
					       r == -ETIMEDOUT ? " in time" : "");
			else if (pid <= 0) {
				_cleanup_free_ char *m = runtime_msg(msg);
				r = pf_err_set(err, EIO, "%s create: %s", o->runtime_name, m);
			}
		}
		pthread_rwlock_unlock(&o->cg_lock);
		close(sp[0]);
		if (r < 0)
			goto fail;
		json_object_set_new(rec, "pid", json_integer(pid));
		json_object_set_new(rec, "conmon_pid", json_integer(read_pid(cpidfile)));
		r = update_crec(o, cid, rec, err);
		if (r < 0)
			goto fail;
	}
	json_decref(rec);
	json_decref(cfg);
	pf_buf_release(&lower);
	pf_image_free(&img);
	*id = PF_TAKE(cid);
	return 0;
fail : {
	/* The runtime may hold a half-created container. */
	const char *args[] = {"delete", "--force", cid};
	struct pf_spawn_out out;
	struct pf_err e2 = PF_ERR_INIT;
	if (runtime_call(o, args, 3, &out, &e2) == 0)
		pf_spawn_out_free(&out);
	else
		pf_spawn_out_free(&out);
}
	container_teardown(o, cid);
	json_decref(rec);
	json_decref(cfg);
	pf_buf_release(&lower);
	pf_image_free(&img);
	return r;
}

static int oci_container_start(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	struct oci *o = O(rt);
	json_t *rec = crec(o, id);
	const char *args[] = {"start", id};
	struct pf_spawn_out out;
	int r;

	if (!rec)
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	if (jstr(rec, "sandbox_id")) {
		/* Never before the pod has its network (net_job). */
		struct net_job *j = net_job_take(o, jstr(rec, "sandbox_id"), NULL);
		r = j ? net_job_finish(o, j, err) : 0;
		net_job_free(j);
		if (r < 0) {
			json_decref(rec);
			pf_err_prefix(err, "the pod's network: ");
			return r;
		}
	}
	r = runtime_call(o, args, 2, &out, err);
	if (r == 0 && out.status != 0) {
		_cleanup_free_ char *m = runtime_msg(out.err);
		r = pf_err_set(err, EIO, "%s start: %s", o->runtime_name, m);
	}
	pf_spawn_out_free(&out);
	if (r == 0) {
		json_object_set_new(rec, "started_ms", json_integer(pf_wall_ms()));
		r = update_crec(o, id, rec, err);
	}
	json_decref(rec);
	return r;
}

static int signal_number(const char *name)
{
	static const struct {
		const char *n;
		int s;
	} t[] = {{"TERM", SIGTERM}, {"KILL", SIGKILL},	 {"INT", SIGINT},
		 {"QUIT", SIGQUIT}, {"HUP", SIGHUP},	 {"USR1", SIGUSR1},
		 {"USR2", SIGUSR2}, {"WINCH", SIGWINCH}, {"STOP", SIGSTOP}};

	if (!name)
		return SIGTERM;
	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	if (*name >= '0' && *name <= '9')
		return atoi(name);
	for (size_t i = 0; i < PF_ARRAY_SIZE(t); i++)
		if (strcmp(t[i].n, name) == 0)
			return t[i].s;
	return SIGTERM;
}

static int oci_stop_signal(struct pf_runtime *rt, const char *id)
{
	json_t *rec = crec(O(rt), id);
	int s = signal_number(rec ? jstr(rec, "stop_signal") : NULL);

	json_decref(rec);
	return s;
}

static int oci_container_kill(struct pf_runtime *rt, const char *id, int sig, struct pf_err *err)
{
	struct oci *o = O(rt);
	json_t *rec = crec(o, id);
	pid_t pid;
	int fd, r = 0;
	char path[64];
	_cleanup_free_ char *cg = NULL;
	size_t len = 0;

	if (!rec)
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	pid = (pid_t)jint(rec, "pid");
	json_decref(rec);
	if (exit_code(o, id, NULL) >= 0 || pid <= 0)
		return 0;
	fd = pidfd_open(pid, 0);
	if (fd < 0)
		return errno == ESRCH ? 0 : pf_err_sys(err, errno, "signal container %.12s", id);
	/* The pid may have been reused since: it is ours only while it sits
	 * in the container's cgroup. */
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (pf_read_file(path, 65536, &cg, &len) == 0 && strstr(cg, id)) {
		if (pidfd_send_signal(fd, sig, NULL, 0) < 0 && errno != ESRCH)
			r = pf_err_sys(err, errno, "signal container %.12s", id);
	}
	close(fd);
	return r;
}

static int wait_exit(struct oci *o, const char *id, pid_t pid, int ms)
{
	int64_t deadline = pf_now_ns() + (int64_t)ms * 1000000;

	while (pf_now_ns() < deadline) {
		if (exit_code(o, id, NULL) >= 0)
			return 0;
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

static int oci_container_stop(struct pf_runtime *rt, const char *id, int64_t grace_s,
			      struct pf_err *err)
{
	struct oci *o = O(rt);
	json_t *rec = crec(o, id);
	pid_t pid, conmon;
	int r;

	if (!rec)
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	pid = (pid_t)jint(rec, "pid");
	conmon = (pid_t)jint(rec, "conmon_pid");
	json_decref(rec);
	if (exit_code(o, id, NULL) >= 0 || !alive(conmon))
		return 0;
	if (grace_s > 0) {
		r = oci_container_kill(rt, id, oci_stop_signal(rt, id), err);
		if (r < 0)
			return r;
		if (wait_exit(o, id, pid, (int)(grace_s * 1000)) == 0)
			return 0;
	}
	r = oci_container_kill(rt, id, SIGKILL, err);
	if (r < 0)
		return r;
	if (wait_exit(o, id, pid, 10000) < 0 && alive(conmon))
		return pf_err_set(err, ETIMEDOUT, "container %.12s did not exit after SIGKILL", id);
	return 0;
}

static int oci_container_remove(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	struct oci *o = O(rt);
	json_t *rec = crec(o, id);
	_cleanup_free_ char *dir = NULL;
	const char *args[] = {"delete", "--force", id};
	struct pf_spawn_out out;
	pid_t conmon;
	int r;

	if (!valid_id(id))
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	dir = cdir(o, id);
	if (!rec && !exists(dir))
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	conmon = rec ? (pid_t)jint(rec, "conmon_pid") : 0;
	json_decref(rec);
	r = runtime_call(o, args, 3, &out, err);
	if (r == 0 && out.status != 0 && !strstr(out.err, "does not exist") &&
	    !strstr(out.err, "not exist")) {
		_cleanup_free_ char *m = runtime_msg(out.err);
		r = pf_err_set(err, EIO, "%s delete: %s", o->runtime_name, m);
	}
	pf_spawn_out_free(&out);
	if (r < 0)
		return r;
	/* conmon leaves once it has written the exit code; give it that
	 * moment so no monitor outlives its container. */
	for (int i = 0; i < 200 && alive(conmon); i++) {
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
	}
	container_teardown(o, id);
	return 0;
}

/* kubelet's bounds on a message taken from the log (FallbackToLogsOnError):
 * its last 80 lines, of which the last 2048 bytes. */
#define LOG_MESSAGE_LINES 80
#define LOG_MESSAGE_BYTES 2048

/* The log's tail as the container wrote it (FallbackToLogsOnError): the
 * lines' text without the CRI prefix, partial lines (P) joined. */
static char *log_tail(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct pf_buf b = PF_BUF_INIT;
	size_t starts[LOG_MESSAGE_LINES] = {0}, n = 0, from;
	char line[8192];
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	/* 80 lines within 2048 bytes: the last 16 KiB of the file hold them
	 * unless the lines are long, and then the bytes bound is the one. */
	fseek(f, size > 16384 ? size - 16384 : 0, SEEK_SET);
	if (size > 16384 && !fgets(line, sizeof(line), f)) /* a partial first line */
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		/* <time> <stream> <P|F> <text> */
		char *p = line, *tag = NULL;
		for (int k = 0; k < 3 && p; k++) {
			p = strchr(p, ' ');
			if (p && k == 1)
				tag = p + 1;
			if (p)
				p++;
		}
		if (!p)
			continue;
		if (b.len == 0 || b.buf[b.len - 1] == '\n')
			starts[n++ % LOG_MESSAGE_LINES] = b.len; /* a line begins */
		if (tag && *tag == 'P') {
			size_t l = strlen(p);
			if (l && p[l - 1] == '\n')
				p[l - 1] = 0;
		}
		pf_buf_adds(&b, p);
	}
	if (!b.len)
		return NULL;
	from = n > LOG_MESSAGE_LINES ? starts[n % LOG_MESSAGE_LINES] : 0;
	if (b.len - from > LOG_MESSAGE_BYTES)
		from = b.len - LOG_MESSAGE_BYTES;
	{
		char *s = pf_xstrdup(b.buf + from);
		pf_buf_release(&b);
		return s;
	}
}

/* Did the container's cgroup see the OOM killer? */
static bool oom_killed(struct oci *o, const char *id, json_t *rec)
{
	_cleanup_free_ char *persist = pf_xasprintf("%s/containers/%s/persist/oom", o->root, id);
	const char *cg = jstr(rec, "cgroups_path");
	struct pf_mounts mnts;
	bool oom = exists(persist);

	if (oom || !cg)
		return oom;
	cgroup_mounts(&mnts);
	for (size_t i = 0; i < mnts.n && !oom; i++) {
		for (const char *const *f =
			 (const char *const[]){"memory.oom_control", "memory.events", NULL};
		     *f && !oom; f++) {
			_cleanup_free_ char *p =
			    pf_xasprintf("%s%s/%s", mnts.items[i].target, cg, *f);
			_cleanup_free_ char *text = NULL;
			size_t len = 0;
			const char *k;
			if (pf_read_file(p, 65536, &text, &len) < 0)
				continue;
			k = strstr(text, "oom_kill ");
			if (k && strtoll(k + 9, NULL, 10) > 0)
				oom = true;
		}
	}
	pf_mounts_free(&mnts);
	return oom;
}

static int oci_container_status(struct pf_runtime *rt, const char *id, struct pf_rt_status *st,
				struct pf_err *err)
{
	struct oci *o = O(rt);
	json_t *rec = crec(o, id);
	int64_t finished = 0;
	int code;

	memset(st, 0, sizeof(*st));
	if (!rec)
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	st->started_ms = jint(rec, "started_ms");
	code = exit_code(o, id, &finished);
	if (code < 0 && st->started_ms && !alive((pid_t)jint(rec, "conmon_pid"))) {
		/* The monitor is gone without a word (killed): if the
		 * container went with it, nobody will ever know its code. */
		code = exit_code(o, id, &finished);
		if (code < 0 && !alive((pid_t)jint(rec, "pid"))) {
			st->state = PF_RT_EXITED;
			st->exit_code = 137;
			st->finished_ms = pf_wall_ms();
			st->reason = pf_xstrdup("ContainerStatusUnknown");
			st->message = pf_xstrdup("The container's monitor (conmon) died; its exit "
						 "code is unknown");
			json_decref(rec);
			return 0;
		}
	}
	if (code >= 0) {
		_cleanup_free_ char *tpath =
		    pf_xasprintf("%s/containers/%s/termination-log", o->root, id);
		_cleanup_free_ char *msg = NULL;
		size_t len = 0;
		const char *policy = jstr(rec, "termination_message_policy");

		st->state = PF_RT_EXITED;
		st->exit_code = code;
		st->finished_ms = finished;
		if (!st->started_ms)
			st->started_ms = finished;
		if (code != 0 && oom_killed(o, id, rec))
			st->reason = pf_xstrdup("OOMKilled");
		else
			st->reason = pf_xstrdup(code == 0 ? "Completed" : "Error");
		if (pf_read_file(tpath, 1 << 20, &msg, &len) == 0 && len) {
			/* kubelet reads at most the file's last 4096 bytes. */
			st->message = pf_xstrdup(len > MESSAGE_MAX ? msg + len - MESSAGE_MAX : msg);
		} else if (code != 0 && policy && strcmp(policy, "FallbackToLogsOnError") == 0) {
			st->message = log_tail(jstr(rec, "log_path"));
		}
	} else if (st->started_ms) {
		st->state = PF_RT_RUNNING;
	} else {
		st->state = PF_RT_CREATED;
	}
	json_decref(rec);
	return 0;
}

static int oci_container_exec(struct pf_runtime *rt, const char *id, const struct pf_strlist *argv,
			      int64_t timeout_s, struct pf_err *err)
{
	struct oci *o = O(rt);
	_cleanup_free_ char *rootarg = pf_xasprintf("--root=%s/runtime-root", o->root);
	const char **v = pf_xcalloc(argv->n + 6, sizeof(*v));
	struct pf_spawn s = {.argv = v,
			     .timeout_ms = (int)(timeout_s > 0 ? timeout_s * 1000 : 1000),
			     .keep_stdout = true};
	struct pf_spawn_out out;
	size_t k = 0;
	int r;

	v[k++] = o->runtime_path;
	v[k++] = rootarg;
	v[k++] = "exec";
	v[k++] = id;
	for (size_t i = 0; i < argv->n; i++)
		v[k++] = argv->items[i];
	v[k] = NULL;
	r = pf_spawn_run(&s, &out, err);
	if (r == 0 && out.status != 0) {
		_cleanup_free_ char *m = runtime_msg(*out.err ? out.err : out.out);
		r = pf_err_set(err, EIO, "command '%s' exited with %d: %s", argv->items[0],
			       out.status, m);
	}
	pf_spawn_out_free(&out);
	free(v);
	return r;
}

static char *oci_container_netns(struct pf_runtime *rt, const char *id)
{
	struct oci *o = O(rt);
	json_t *rec = crec(o, id);
	_cleanup_free_ char *sdir = NULL;
	char *ns = NULL;

	if (rec && jstr(rec, "sandbox_id"))
		sdir = sandbox_dir_of(o, jstr(rec, "sandbox_id"));
	if (sdir)
		ns = pf_xasprintf("%s/ns/net", sdir);
	json_decref(rec);
	return ns;
}

/* ---- sandbox removal ---------------------------------------------------- */

static void sandbox_teardown(struct oci *o, const char *dir, json_t *rec)
{
	json_t *mounts = rec ? json_object_get(rec, "mounts") : NULL;
	const char *uid = rec ? jstr(rec, "pod_uid") : NULL;
	size_t i;
	json_t *m;

	if (o->net && rec && jstr(rec, "id")) {
		/* Before the namespace goes: the plugins remove the veth in it. */
		_cleanup_free_ char *netns = pf_xasprintf("%s/ns/net", dir);
		struct pf_err err = PF_ERR_INIT;
		if (o->net->ops->del(o->net, jstr(rec, "id"), netns, &err) < 0)
			pf_log(PF_LOG_WARN, "sandbox %.12s: %s", jstr(rec, "id"), err.msg);
		pf_err_clear(&err);
	}
	stop_pause(dir, rec);
	json_array_foreach(mounts, i, m)
	{
		if (json_string_value(m))
			unmount(json_string_value(m));
	}
	if (uid) {
		_cleanup_free_ char *logs = pf_xasprintf("%s/logs/%s", o->state, uid);
		remove_pod_cgroups(o, uid);
		pf_rm_rf(logs);
	}
	pf_rm_rf(dir);
}

static int oci_list(struct pf_runtime *rt, struct pf_rt_list *out, struct pf_err *err);

/* Stop and remove every container of sandbox sandbox_id. */
static int remove_containers_of(struct pf_runtime *rt, const char *sandbox_id, struct pf_err *err)
{
	struct pf_rt_list l = {0};
	int r = oci_list(rt, &l, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < l.n && r == 0; i++) {
		if (!l.items[i].sandbox_id || strcmp(l.items[i].sandbox_id, sandbox_id) != 0)
			continue;
		r = oci_container_stop(rt, l.items[i].id, 0, err);
		if (r == 0 || r == -ENOENT)
			r = oci_container_remove(rt, l.items[i].id, err);
		if (r == -ENOENT)
			r = 0;
	}
	pf_rt_list_free(&l);
	return r;
}

static int oci_sandbox_remove(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	struct oci *o = O(rt);
	_cleanup_free_ char *dir = sandbox_dir_of(o, id);
	_cleanup_free_ char *link = NULL, *recpath = NULL;
	json_t *rec;
	int r;

	/* An ADD still running ends first: the teardown's DEL follows it. */
	net_job_free(net_job_take(o, id, NULL));
	if (!dir)
		return pf_err_set(err, ENOENT, "no such pod sandbox \"%s\"", id);
	/* Whatever still runs in it goes first. */
	r = remove_containers_of(rt, id, err);
	if (r < 0)
		return r;
	recpath = pf_xasprintf("%s/sandbox.json", dir);
	rec = read_json(recpath);
	sandbox_teardown(o, dir, rec);
	json_decref(rec);
	link = pf_xasprintf("%s/sandboxes/%s", o->root, id);
	unlink(link);
	return 0;
}

static int oci_list(struct pf_runtime *rt, struct pf_rt_list *out, struct pf_err *err)
{
	struct oci *o = O(rt);
	_cleanup_free_ char *cd = pf_xasprintf("%s/containers", o->root);
	_cleanup_free_ char *sd = pf_xasprintf("%s/sandboxes", o->root);
	DIR *d;
	struct dirent *e;

	memset(out, 0, sizeof(*out));
	d = opendir(sd);
	while (d && (e = readdir(d))) {
		_cleanup_free_ char *dir = NULL, *recpath = NULL;
		json_t *rec;
		if (!valid_id(e->d_name) || !(dir = sandbox_dir_of(o, e->d_name)))
			continue;
		recpath = pf_xasprintf("%s/sandbox.json", dir);
		rec = read_json(recpath);
		out->items = pf_xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
		out->items[out->n++] = (struct pf_rt_item){
		    .id = pf_xstrdup(e->d_name),
		    .pod_uid = pf_xstrdup(rec && jstr(rec, "pod_uid") ? jstr(rec, "pod_uid") : ""),
		    .state = PF_RT_RUNNING,
		};
		json_decref(rec);
	}
	if (d)
		closedir(d);
	d = opendir(cd);
	while (d && (e = readdir(d))) {
		json_t *rec;
		struct pf_rt_status st;
		struct pf_err e2 = PF_ERR_INIT;
		if (!valid_id(e->d_name) || !(rec = crec(o, e->d_name)))
			continue;
		if (oci_container_status(rt, e->d_name, &st, &e2) < 0)
			st.state = PF_RT_EXITED;
		out->items = pf_xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
		out->items[out->n++] = (struct pf_rt_item){
		    .id = pf_xstrdup(e->d_name),
		    .sandbox_id =
			pf_xstrdup(jstr(rec, "sandbox_id") ? jstr(rec, "sandbox_id") : ""),
		    .pod_uid = pf_xstrdup(jstr(rec, "pod_uid") ? jstr(rec, "pod_uid") : ""),
		    .container_name =
			pf_xstrdup(jstr(rec, "container_name") ? jstr(rec, "container_name") : ""),
		    .state = st.state,
		};
		pf_rt_status_free(&st);
		json_decref(rec);
	}
	if (d)
		closedir(d);
	return 0;
}

static int oci_image_status(struct pf_runtime *rt, const char *ref, char **image_id,
			    struct pf_err *err)
{
	struct pf_image img = {0};
	int r = pf_image_resolve(O(rt)->images, ref, &img, err);

	if (r == 0)
		*image_id = pf_xstrdup(img.id);
	pf_image_free(&img);
	return r;
}

static char *oci_sandbox_ip(struct pf_runtime *rt, const char *id)
{
	struct oci *o = O(rt);
	_cleanup_free_ char *dir = sandbox_dir_of(o, id);
	_cleanup_free_ char *recpath = NULL;
	json_t *rec;
	char *ip = NULL;

	if (!dir)
		return NULL;
	recpath = pf_xasprintf("%s/sandbox.json", dir);
	rec = read_json(recpath);
	if (rec && jstr(rec, "ip"))
		ip = pf_xstrdup(jstr(rec, "ip"));
	json_decref(rec);
	return ip;
}

static _Thread_local int64_t du_bytes;

static int du_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F || flag == FTW_D || flag == FTW_DP || flag == FTW_SL)
		du_bytes += (int64_t)st->st_blocks * 512;
	return 0;
}

static int oci_volume_usage(struct pf_runtime *rt, const char *pod_uid, const char *volume,
			    int64_t *bytes, struct pf_err *err)
{
	_cleanup_free_ char *p = NULL;

	if (!pod_uid || strchr(pod_uid, '/') || strchr(volume, '/') || volume[0] == '.')
		return pf_err_set(err, EINVAL, "bad volume \"%s\"", volume);
	p = pf_xasprintf("%s/pods/%s/volumes/%s", O(rt)->state, pod_uid, volume);
	if (!exists(p))
		return pf_err_set(err, ENOENT, "no volume \"%s\"", volume);
	du_bytes = 0;
	if (nftw(p, du_entry, 16, FTW_PHYS | FTW_MOUNT) < 0)
		return pf_err_sys(err, errno, "measure %s", p);
	*bytes = du_bytes;
	return 0;
}

static uint64_t oci_changes(struct pf_runtime *rt)
{
	_cleanup_free_ char *p = pf_xasprintf("%s/exits", O(rt)->root);
	struct stat st;

	if (stat(p, &st) < 0)
		return 0;
	return (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec;
}

const struct pf_runtime_ops pf_runtime_oci_ops = {
    .name = "oci",
    .version = "oci://unknown",
    .open = oci_open,
    .close = oci_close,
    .status = oci_status,
    .list = oci_list,
    .sandbox_create = oci_sandbox_create,
    .sandbox_remove = oci_sandbox_remove,
    .sandbox_ip = oci_sandbox_ip,
    .sandbox_network = oci_sandbox_network,
    .container_create = oci_container_create,
    .container_start = oci_container_start,
    .container_stop = oci_container_stop,
    .container_remove = oci_container_remove,
    .container_status = oci_container_status,
    .container_kill = oci_container_kill,
    .container_exec = oci_container_exec,
    .container_netns = oci_container_netns,
    .image_status = oci_image_status,
    .changes = oci_changes,
    .stop_signal = oci_stop_signal,
    .volume_usage = oci_volume_usage,
};
