/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_sandbox.c - the OCI backend's pod sandboxes: their namespaces,
 * /dev/shm, /etc files and emptyDir volumes, the CNI ADD that runs beside
 * the first container's creation (net_job), and their teardown.
 *
 * Every mount and cgroup is in sandbox.json before it is made.  The
 * sandbox's containers are oci_container.c's; only removal stops them
 * here, through the runtime ops.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "oci-internal.h"

#define SHM_SIZE "65536k"

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

/* The sandbox of pod uid, when one exists and is whole. */
static char *existing_sandbox(struct oci *o, const char *uid)
{
	_cleanup_free_ char *path = pf_xasprintf("%s/pods/%s/sandbox.json", o->state, uid);
	json_t *rec = pf_oci_read_json(path);
	char *id = NULL;

	if (rec && jstr(rec, "id") && jstr(rec, "state") &&
	    strcmp(jstr(rec, "state"), "ready") == 0) {
		_cleanup_free_ char *dir = pf_oci_sandbox_dir(o, jstr(rec, "id"));
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
struct net_job *pf_oci_net_job_take(struct oci *o, const char *id, const char *uid)
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

void pf_oci_net_job_free(struct net_job *j)
{
	if (!j)
		return;
	free(j->id);
	free(j->uid);
	free(j->netns);
	free(j->ip);
	free(j);
}

/* Undo what the sandbox's record (rec, NULL when none was written) lists:
 * the network first, then the pause process, the mounts and cgroups, and
 * the directories; every step tolerates its object being absent. */
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
	pf_oci_stop_pause(dir, rec);
	json_array_foreach(mounts, i, m)
	{
		if (json_string_value(m))
			pf_oci_unmount(json_string_value(m));
	}
	if (uid) {
		_cleanup_free_ char *logs = pf_xasprintf("%s/logs/%s", o->state, uid);
		pf_oci_remove_pod_cgroups(o, uid);
		pf_rm_rf(logs);
	}
	pf_rm_rf(dir);
}

/* Stop and remove every container of sandbox sandbox_id, through the
 * runtime's own interface (as a kubelet would through the CRI): the
 * sandbox code does not reach into the container code it sits beside. */
static int remove_containers_of(struct pf_runtime *rt, const char *sandbox_id, struct pf_err *err)
{
	struct pf_rt_list l = {0};
	int r = pf_rt_list(rt, &l, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < l.n && r == 0; i++) {
		if (!l.items[i].sandbox_id || strcmp(l.items[i].sandbox_id, sandbox_id) != 0)
			continue;
		r = pf_rt_container_stop(rt, l.items[i].id, 0, err);
		if (r == 0 || r == -ENOENT)
			r = pf_rt_container_remove(rt, l.items[i].id, err);
		if (r == -ENOENT)
			r = 0;
	}
	pf_rt_list_free(&l);
	return r;
}

/* Record how the ADD of job j went: the sandbox is ready with its IP, or
 * it goes, with whatever was created in it meanwhile (the ADD detached
 * what it attached; the teardown's DEL is the idempotent second word). */
int pf_oci_net_job_finish(struct oci *o, struct net_job *j, struct pf_err *err)
{
	_cleanup_free_ char *dir = pf_oci_sandbox_dir(o, j->id);
	_cleanup_free_ char *recpath = dir ? pf_xasprintf("%s/sandbox.json", dir) : NULL;
	_cleanup_free_ char *link = pf_xasprintf("%s/sandboxes/%s", o->root, j->id);
	json_t *rec = recpath ? pf_oci_read_json(recpath) : NULL;
	int r = j->r;

	if (r < 0)
		r = pf_err_set(err, -r, "%s", j->err.msg);
	else if (!rec)
		r = pf_err_set(err, ENOENT, "the record of pod sandbox %.12s is gone", j->id);
	if (r == 0) {
		if (j->ip)
			json_object_set_new(rec, "ip", json_string(j->ip));
		json_object_set_new(rec, "state", json_string("ready"));
		r = pf_oci_update_json(recpath, rec, err);
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
void pf_oci_net_jobs_drain(struct oci *o)
{
	struct net_job *j;

	/* id and uid NULL: the first job. */
	while ((j = pf_oci_net_job_take(o, NULL, NULL))) {
		struct pf_err err = PF_ERR_INIT;
		if (pf_oci_net_job_finish(o, j, &err) < 0)
			pf_log(PF_LOG_WARN, "sandbox %.12s: %s", j->id, err.msg);
		pf_oci_net_job_free(j);
	}
}

/* One whose network still attaches: its outcome first. */
static void finish_earlier_job(struct oci *o, const struct pf_pod *pod)
{
	struct net_job *j = pf_oci_net_job_take(o, NULL, pod->meta.uid);
	struct pf_err e2 = PF_ERR_INIT;

	if (j && pf_oci_net_job_finish(o, j, &e2) < 0)
		pf_log(PF_LOG_INFO, "pod %s: the earlier sandbox failed: %s", pod->meta.name,
		       e2.msg);
	pf_oci_net_job_free(j);
}

/* A sandbox being made: what the steps of pf_oci_sandbox_create share.
 * The strings, cgs and rec are its own; sid is the caller's. */
struct making {
	struct oci *o;
	const struct pf_pod *pod;
	const char *sid;
	const char *hostname;
	bool share_pid;
	char *dir, *recpath, *nsdir, *shm, *pidns;
	struct pod_cg *cgs;
	size_t n_cgs;
	json_t *rec;
};

static void making_paths(struct making *k)
{
	k->dir = pf_xasprintf("%s/pods/%s", k->o->state, k->pod->meta.uid);
	k->recpath = pf_xasprintf("%s/sandbox.json", k->dir);
	k->nsdir = pf_xasprintf("%s/ns", k->dir);
	k->shm = pf_xasprintf("%s/shm", k->dir);
	k->pidns = pf_xasprintf("%s/pid", k->nsdir);
}

static void making_free(struct making *k)
{
	free(k->dir);
	free(k->recpath);
	free(k->nsdir);
	free(k->shm);
	free(k->pidns);
	pf_oci_pod_cgs_free(k->cgs, k->n_cgs);
	json_decref(k->rec);
}

/* A half-made sandbox from before a crash: undo it first, with a
 * container created in it while its network attached. */
static void undo_half_made(struct making *k)
{
	json_t *old = pf_oci_read_json(k->recpath);
	const char *oid = old ? jstr(old, "id") : NULL;

	pf_log(PF_LOG_INFO, "pod %s: undoing the sandbox a crash left half-made",
	       k->pod->meta.name);
	if (oid && pf_oci_valid_id(oid)) {
		_cleanup_free_ char *oldlink = pf_xasprintf("%s/sandboxes/%s", k->o->root, oid);
		struct pf_err e2 = PF_ERR_INIT;
		if (remove_containers_of(&k->o->rt, oid, &e2) < 0)
			pf_log(PF_LOG_WARN, "sandbox %.12s: %s", oid, e2.msg);
		sandbox_teardown(k->o, k->dir, old);
		unlink(oldlink);
	} else {
		sandbox_teardown(k->o, k->dir, old);
	}
	json_decref(old);
}

static void add_path(json_t *a, const char *fmt, const char *x, const char *y)
{
	char *p = pf_xasprintf(fmt, x, y);

	json_array_append_new(a, json_string(p));
	free(p);
}

/* The record lists every mount and cgroup below before it exists. */
static json_t *new_sandbox_record(struct making *k)
{
	const struct pf_pod *pod = k->pod;
	json_t *rec = json_object(), *mounts = json_array(), *cgj = json_array();

	json_object_set_new(rec, "id", json_string(k->sid));
	json_object_set_new(rec, "pod_uid", json_string(pod->meta.uid));
	json_object_set_new(rec, "pod_name", json_string(pod->meta.name));
	json_object_set_new(rec, "namespace",
			    json_string(pod->meta.namespace_ ? pod->meta.namespace_ : "default"));
	json_object_set_new(rec, "created_ms", json_integer(pf_wall_ms()));
	json_object_set_new(rec, "state", json_string("creating"));
	for (const char *const *n = (const char *const[]){"net", "ipc", "uts", NULL}; *n; n++)
		add_path(mounts, "%s/%s", k->nsdir, *n);
	json_array_append_new(mounts, json_string(k->shm));
	if (k->share_pid)
		json_array_append_new(mounts, json_string(k->pidns));
	for (size_t i = 0; i < pod->spec.n_volumes; i++)
		if (memory_medium(&pod->spec.volumes[i]))
			add_path(mounts, "%s/volumes/%s", k->dir, pod->spec.volumes[i].name);
	json_object_set_new(rec, "mounts", mounts);
	for (size_t i = 0; i < k->n_cgs; i++)
		add_path(cgj, "%s/%s", k->cgs[i].mnt, k->cgs[i].plan.dir);
	json_object_set_new(rec, "cgroups", cgj);
	return rec;
}

/* The network, IPC and UTS namespaces, bind-mounted on files of their own
 * (ns_thread). */
static int make_namespaces(struct making *k, struct pf_err *err)
{
	struct ns_job job = {.dir = k->nsdir, .hostname = k->hostname};
	pthread_t t;
	int r;

	for (const char *const *n = (const char *const[]){"net", "ipc", "uts", NULL}; *n; n++) {
		_cleanup_free_ char *p = pf_xasprintf("%s/%s", k->nsdir, *n);
		int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return pf_err_sys(err, errno, "create %s", p);
		close(fd);
	}
	r = pthread_create(&t, NULL, ns_thread, &job);
	if (r)
		return pf_err_sys(err, r, "start the namespace thread");
	pthread_join(t, NULL);
	if (job.err)
		return pf_err_sys(err, job.err, "%s", job.what);
	return 0;
}

static int mount_shm(struct making *k, struct pf_err *err)
{
	if (mkdir(k->shm, 01777) < 0 && errno != EEXIST)
		return pf_err_sys(err, errno, "create %s", k->shm);
	if (mount("shm", k->shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=1777,size=" SHM_SIZE) < 0)
		return pf_err_sys(err, errno, "mount the pod's /dev/shm");
	return 0;
}

/* shareProcessNamespace: the pause process makes the PID namespace (its
 * pid recorded before the bind mount that keeps the namespace findable). */
static int make_pid_namespace(struct making *k, struct pf_err *err)
{
	pid_t pause = 0;
	char src[64];
	int fd = open(k->pidns, O_WRONLY | O_CREAT | O_CLOEXEC, 0600), r;

	if (fd < 0)
		return pf_err_sys(err, errno, "create %s", k->pidns);
	close(fd);
	r = pf_oci_start_pause(k->o, k->nsdir, k->cgs, k->n_cgs, &pause, err);
	if (r < 0)
		return r;
	json_object_set_new(k->rec, "pause_pid", json_integer(pause));
	r = pf_oci_write_json(k->recpath, k->rec, err);
	if (r < 0)
		return r;
	snprintf(src, sizeof(src), "/proc/%d/ns/pid", (int)pause);
	if (mount(src, k->pidns, NULL, MS_BIND, NULL) < 0)
		return pf_err_sys(err, errno, "bind-mount the pod's PID namespace");
	return 0;
}

/* /etc files the containers share. */
static int write_etc(struct making *k, struct pf_err *err)
{
	_cleanup_free_ char *etc = pf_xasprintf("%s/etc", k->dir);
	_cleanup_free_ char *hosts = NULL, *resolv = NULL, *hn = NULL, *host_resolv = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = pf_mkdir_p(etc, 0755);

	if (r < 0)
		return pf_err_sys(err, -r, "create %s", etc);
	hosts = pf_xasprintf("%s/hosts", etc);
	pf_oci_write_text(hosts,
			  "# Kubernetes-managed hosts file (podfs).\n127.0.0.1\tlocalhost\n::1\t"
			  "localhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\t"
			  "ip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
	resolv = pf_xasprintf("%s/resolv.conf", etc);
	if (pf_read_file("/etc/resolv.conf", 65536, &host_resolv, &len) == 0)
		pf_oci_write_text(resolv, host_resolv);
	else
		pf_oci_write_text(resolv, "");
	hn = pf_xasprintf("%s/hostname", etc);
	text = pf_xasprintf("%s\n", k->hostname);
	pf_oci_write_text(hn, text);
	return 0;
}

/* emptyDir volumes (world-writable, as kubelet makes them). */
static int make_volumes(struct making *k, struct pf_err *err)
{
	const struct pf_pod *pod = k->pod;

	for (size_t i = 0; i < pod->spec.n_volumes; i++) {
		const struct pf_volume *v = &pod->spec.volumes[i];
		_cleanup_free_ char *p = NULL;
		if (v->kind != PF_VOLUME_EMPTYDIR)
			continue;
		p = pf_xasprintf("%s/volumes/%s", k->dir, v->name);
		if (pf_mkdir_p(p, 0777) < 0 || chmod(p, 0777) < 0)
			return pf_err_sys(err, errno, "create the emptyDir volume %s", v->name);
		if (memory_medium(v)) {
			_cleanup_free_ char *opts = pf_xasprintf(
			    "mode=0777,size=%lld", (long long)memory_volume_size(pod, v));
			if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
				return pf_err_sys(err, errno,
						  "mount the emptyDir volume %s (tmpfs)", v->name);
		}
	}
	return 0;
}

int pf_oci_sandbox_create(struct pf_runtime *rt, const struct pf_pod *pod, char **id,
			  struct pf_err *err)
{
	struct oci *o = oci_of(rt);
	const char *uid = pod->meta.uid;
	_cleanup_free_ char *sid = NULL, *link = NULL;
	struct making k = {
	    .o = o,
	    .pod = pod,
	    .hostname =
		pod->spec.hostname && *pod->spec.hostname ? pod->spec.hostname : pod->meta.name,
	    .share_pid = pod->spec.share_process_namespace == PF_TRUE,
	};
	int r;

	if (!uid || !*uid || strchr(uid, '/') || uid[0] == '.')
		return pf_err_set(err, EINVAL, "the pod has no usable uid");
	finish_earlier_job(o, pod);
	if ((*id = existing_sandbox(o, uid)))
		return 0;
	sid = pf_random_id64();
	k.sid = sid;
	making_paths(&k);
	if (path_exists(k.recpath))
		undo_half_made(&k);
	k.cgs = pf_oci_pod_cgroup_plans(pod, &k.n_cgs);
	r = pf_mkdir_p(k.nsdir, 0700);
	if (r < 0) {
		r = pf_err_sys(err, -r, "create %s", k.nsdir);
		making_free(&k);
		return r;
	}
	/* The record first: everything below is listed before it exists. */
	k.rec = new_sandbox_record(&k);
	r = pf_oci_write_json(k.recpath, k.rec, err);
	if (r == 0)
		r = make_namespaces(&k, err);
	if (r == 0 && o->net) {
		/* The ADD runs while the rest is made, and on while the
		 * agent creates the first container (net_job). */
		_cleanup_free_ char *netns = pf_xasprintf("%s/net", k.nsdir);
		net_job_start(o, sid, uid, netns);
	}
	if (r == 0)
		r = mount_shm(&k, err);
	if (r == 0) {
		pthread_rwlock_rdlock(&o->cg_lock);
		pf_oci_apply_pod_cgroups(pod, k.cgs, k.n_cgs);
		pthread_rwlock_unlock(&o->cg_lock);
		if (k.share_pid)
			r = make_pid_namespace(&k, err);
	}
	if (r == 0)
		r = write_etc(&k, err);
	if (r == 0)
		r = make_volumes(&k, err);
	if (r == 0) {
		link = pf_xasprintf("%s/sandboxes/%s", o->root, sid);
		if (symlink(k.dir, link) < 0)
			r = pf_err_sys(err, errno, "create %s", link);
	}
	if (r == 0 && !o->net) {
		/* Else ready once the ADD is recorded (net_job_finish). */
		json_object_set_new(k.rec, "state", json_string("ready"));
		r = pf_oci_update_json(k.recpath, k.rec, err);
	}
	if (r < 0) {
		/* The ADD ends before the teardown's DEL. */
		pf_oci_net_job_free(pf_oci_net_job_take(o, sid, NULL));
		sandbox_teardown(o, k.dir, k.rec);
		if (link)
			unlink(link);
	} else {
		*id = PF_TAKE(sid);
	}
	making_free(&k);
	return r;
}

int pf_oci_sandbox_network(struct pf_runtime *rt, const char *id, char **ip, int64_t *ms,
			   struct pf_err *err)
{
	struct oci *o = oci_of(rt);
	struct net_job *j = pf_oci_net_job_take(o, id, NULL);
	_cleanup_free_ char *dir = NULL, *recpath = NULL;
	json_t *rec;
	int r;

	*ip = NULL;
	*ms = 0;
	if (j) {
		r = pf_oci_net_job_finish(o, j, err);
		if (r == 0) {
			*ip = PF_TAKE(j->ip);
			*ms = j->done_ms;
		}
		pf_oci_net_job_free(j);
		return r;
	}
	dir = pf_oci_sandbox_dir(o, id);
	if (!dir)
		return pf_err_set(err, ENOENT, "no such pod sandbox \"%s\"", id);
	recpath = pf_xasprintf("%s/sandbox.json", dir);
	rec = pf_oci_read_json(recpath);
	if (!rec || !jstr(rec, "state") || strcmp(jstr(rec, "state"), "ready") != 0)
		r = pf_err_set(err, ENOENT, "pod sandbox %.12s was never finished", id);
	else
		r = 0;
	if (r == 0 && jstr(rec, "ip"))
		*ip = pf_xstrdup(jstr(rec, "ip"));
	json_decref(rec);
	return r;
}

int pf_oci_sandbox_remove(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	struct oci *o = oci_of(rt);
	_cleanup_free_ char *dir = pf_oci_sandbox_dir(o, id);
	_cleanup_free_ char *link = NULL, *recpath = NULL;
	json_t *rec;
	int r;

	/* An ADD still running ends first: the teardown's DEL follows it. */
	pf_oci_net_job_free(pf_oci_net_job_take(o, id, NULL));
	if (!dir)
		return pf_err_set(err, ENOENT, "no such pod sandbox \"%s\"", id);
	/* Whatever still runs in it goes first. */
	r = remove_containers_of(rt, id, err);
	if (r < 0)
		return r;
	recpath = pf_xasprintf("%s/sandbox.json", dir);
	rec = pf_oci_read_json(recpath);
	sandbox_teardown(o, dir, rec);
	json_decref(rec);
	link = pf_xasprintf("%s/sandboxes/%s", o->root, id);
	unlink(link);
	return 0;
}

char *pf_oci_sandbox_ip(struct pf_runtime *rt, const char *id)
{
	struct oci *o = oci_of(rt);
	_cleanup_free_ char *dir = pf_oci_sandbox_dir(o, id);
	_cleanup_free_ char *recpath = NULL;
	json_t *rec;
	char *ip = NULL;

	if (!dir)
		return NULL;
	recpath = pf_xasprintf("%s/sandbox.json", dir);
	rec = pf_oci_read_json(recpath);
	if (rec && jstr(rec, "ip"))
		ip = pf_xstrdup(jstr(rec, "ip"));
	json_decref(rec);
	return ip;
}
