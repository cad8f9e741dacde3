/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_container.c - the OCI backend's containers: create (the overlay
 * root, config.json, conmon running `RUNTIME create`), start, signal,
 * stop, remove and exec.
 *
 * The record lists the overlay mount before it is made.  Nothing here
 * reads a container's state for the agent (oci_status.c) or touches the
 * sandbox beyond reading its paths.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <time.h>

#include "bundle.h"
#include "fileio.h"
#include "log.h"
#include "oci-internal.h"

#define LOG_SIZE_MAX	  (10 * 1024 * 1024) /* kubelet's containerLogMaxSize */
#define CREATE_TIMEOUT_MS 20000

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
	_cleanup_free_ char *dir = pf_oci_container_dir(o, id);
	_cleanup_free_ char *rootfs = pf_xasprintf("%s/rootfs", dir);
	_cleanup_free_ char *exitf = pf_xasprintf("%s/exits/%s", o->root, id);
	_cleanup_free_ char *sock = pf_xasprintf("%s/sock/%s", o->root, id);

	pf_oci_unmount(rootfs);
	release_hold(o, id);
	pf_rm_rf(dir);
	unlink(exitf);
	pf_rm_rf(sock);
}

static int save_crec(struct oci *o, const char *id, json_t *rec, struct pf_err *err)
{
	_cleanup_free_ char *p = pf_xasprintf("%s/containers/%s/record.json", o->root, id);

	return pf_oci_write_json(p, rec, err);
}

static int update_crec(struct oci *o, const char *id, json_t *rec, struct pf_err *err)
{
	_cleanup_free_ char *p = pf_xasprintf("%s/containers/%s/record.json", o->root, id);

	return pf_oci_update_json(p, rec, err);
}

static pid_t read_pid(const char *path)
{
	_cleanup_free_ char *s = NULL;
	size_t len = 0;

	if (pf_read_file(path, 64, &s, &len) < 0)
		return 0;
	return (pid_t)strtol(s, NULL, 10);
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

/* A container being created: what the steps of pf_oci_container_create
 * share.  The strings are its own; sdir and cid are the caller's. */
struct creating {
	struct oci *o;
	const struct pf_pod *pod;
	const struct pf_container *c;
	const char *sdir; /* the sandbox's directory */
	const char *cid;
	struct pf_image img;
	char *dir, *rootfs, *upper, *work, *tlog, *logdir, *logpath, *cgpath;
	json_t *rec, *cfg;
};

static void creating_paths(struct creating *k, int attempt)
{
	k->dir = pf_oci_container_dir(k->o, k->cid);
	k->rootfs = pf_xasprintf("%s/rootfs", k->dir);
	k->upper = pf_xasprintf("%s/upper", k->dir);
	k->work = pf_xasprintf("%s/work", k->dir);
	k->tlog = pf_xasprintf("%s/termination-log", k->dir);
	k->logdir = pf_xasprintf("%s/logs/%s/%s", k->o->state, k->pod->meta.uid, k->c->name);
	k->logpath = pf_xasprintf("%s/%d.log", k->logdir, attempt);
	k->cgpath = pf_xasprintf("/podfs/%s/%s", k->pod->meta.uid, k->cid);
}

static void creating_free(struct creating *k)
{
	free(k->dir);
	free(k->rootfs);
	free(k->upper);
	free(k->work);
	free(k->tlog);
	free(k->logdir);
	free(k->logpath);
	free(k->cgpath);
	json_decref(k->rec);
	json_decref(k->cfg);
	pf_image_free(&k->img);
}

static int make_dirs(struct creating *k, struct pf_err *err)
{
	for (const char *const *d =
		 (const char *const[]){k->rootfs, k->upper, k->work, k->logdir, NULL};
	     *d; d++) {
		int r = pf_mkdir_p(*d, 0755);
		if (r < 0)
			return pf_err_sys(err, -r, "create %s", *d);
	}
	return 0;
}

/* The record, written before anything it lists exists (the rootfs mount). */
static json_t *new_record(struct creating *k, const char *sandbox_id, bool init, int attempt)
{
	const struct pf_container *c = k->c;
	json_t *rec = json_object();

	json_object_set_new(rec, "id", json_string(k->cid));
	json_object_set_new(rec, "sandbox_id", json_string(sandbox_id));
	json_object_set_new(rec, "pod_uid", json_string(k->pod->meta.uid));
	json_object_set_new(rec, "pod_name", json_string(k->pod->meta.name));
	json_object_set_new(rec, "container_name", json_string(c->name));
	json_object_set_new(rec, "init", json_boolean(init));
	json_object_set_new(rec, "attempt", json_integer(attempt));
	json_object_set_new(rec, "image", json_string(c->image));
	json_object_set_new(rec, "image_id", json_string(k->img.id));
	json_object_set_new(rec, "log_path", json_string(k->logpath));
	json_object_set_new(rec, "cgroups_path", json_string(k->cgpath));
	json_object_set_new(rec, "created_ms", json_integer(pf_wall_ms()));
	json_object_set_new(rec, "stop_signal",
			    json_string(k->img.stop_signal ? k->img.stop_signal : "SIGTERM"));
	json_object_set_new(
	    rec, "termination_message_policy",
	    json_string(c->termination_message_policy ? c->termination_message_policy : "File"));
	json_object_set_new(rec, "mounts", json_pack("[s]", k->rootfs));
	return rec;
}

/* The overlay root: the image's layers under an upper and a work
 * directory of the container's own. */
static int mount_rootfs(struct creating *k, struct pf_err *err)
{
	_cleanup_buf_ struct pf_buf lower = PF_BUF_INIT;
	_cleanup_free_ char *opts = NULL;

	/* overlayfs wants the top layer first. */
	for (size_t i = k->img.layers.n; i-- > 0;)
		pf_buf_addf(&lower, "%s%s", lower.len ? ":" : "", k->img.layers.items[i]);
	if (k->img.layers.n == 0) {
		/* An image with no layer: an empty lower directory. */
		_cleanup_free_ char *empty = pf_xasprintf("%s/empty", k->dir);
		int r = pf_mkdir_p(empty, 0755);
		if (r < 0)
			return pf_err_sys(err, -r, "create %s", empty);
		pf_buf_adds(&lower, empty);
	}
	opts = pf_xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower.buf, k->upper, k->work);
	if (mount("overlay", k->rootfs, "overlay", 0, opts) < 0)
		return pf_err_sys(err, errno, "mount the container's root filesystem (overlay)");
	return 0;
}

/* Mount points the image lacks are made by the runtime in the upper
 * layer; subPath directories are ours to make. */
static void make_subpaths(const struct pf_container *c, const char *vols)
{
	for (size_t i = 0; i < c->n_volume_mounts; i++) {
		const struct pf_volume_mount *vm = &c->volume_mounts[i];
		if (vm->sub_path && *vm->sub_path && !strstr(vm->sub_path, "..")) {
			_cleanup_free_ char *p =
			    pf_xasprintf("%s/%s/%s", vols, vm->name, vm->sub_path);
			int e = pf_mkdir_p(p, 0777);
			if (e < 0)
				pf_log(PF_LOG_WARN,
				       "container %s: cannot create the subPath directory %s: %s",
				       c->name, p, strerror(-e));
		}
	}
}

/* config.json (bundle.c) from the pod, the image and the sandbox's paths. */
static int write_bundle(struct creating *k, struct pf_err *err)
{
	const char *sdir = k->sdir;
	const struct pf_pod *pod = k->pod;
	_cleanup_free_ char *netns = pf_xasprintf("%s/ns/net", sdir);
	_cleanup_free_ char *ipcns = pf_xasprintf("%s/ns/ipc", sdir);
	_cleanup_free_ char *utsns = pf_xasprintf("%s/ns/uts", sdir);
	_cleanup_free_ char *pidns =
	    pod->spec.share_process_namespace == PF_TRUE ? pf_xasprintf("%s/ns/pid", sdir) : NULL;
	_cleanup_free_ char *hosts = pf_xasprintf("%s/etc/hosts", sdir);
	_cleanup_free_ char *resolv = pf_xasprintf("%s/etc/resolv.conf", sdir);
	_cleanup_free_ char *hn = pf_xasprintf("%s/etc/hostname", sdir);
	_cleanup_free_ char *shm = pf_xasprintf("%s/shm", sdir);
	_cleanup_free_ char *vols = pf_xasprintf("%s/volumes", sdir);
	_cleanup_free_ char *cfgpath = pf_xasprintf("%s/config.json", k->dir);
	_cleanup_free_ char *text = NULL;
	struct pf_bundle_in in = {
	    .pod = pod,
	    .c = k->c,
	    .img = &k->img,
	    .rootfs = k->rootfs,
	    .netns = netns,
	    .ipcns = ipcns,
	    .utsns = utsns,
	    .pidns = pidns,
	    .hosts = hosts,
	    .resolv = resolv,
	    .hostname = hn,
	    .shm = shm,
	    .termination_log = k->tlog,
	    .volumes_dir = vols,
	    .cgroups_path = k->cgpath,
	    .node_name = pod->spec.node_name,
	    .host_ip = pod->status.host_ip,
	    .pod_ip = pod->status.pod_ip,
	    .allow_host_paths = k->o->allow_host_paths,
	    .allow_privileged = k->o->allow_privileged,
	};
	int r = pf_bundle_config(&in, &k->cfg, err);

	if (r < 0)
		return r;
	make_subpaths(k->c, vols);
	/* The runtime reads it now; nothing reads it after a crash (adoption
	 * goes by the record): no fsync. */
	text = json_dumps(k->cfg, JSON_COMPACT);
	return pf_write_file(cfgpath, text, strlen(text), 0644, 0, err);
}

/* conmon runs `RUNTIME create` and reports the pid on the sync pipe; the
 * record gets the container's and conmon's pids. */
static int run_conmon(struct creating *k, struct pf_err *err)
{
	struct oci *o = k->o;
	int sp[2];
	_cleanup_free_ char *rootarg = pf_xasprintf("--root=%s/runtime-root", o->root);
	_cleanup_free_ char *exits = pf_xasprintf("%s/exits", o->root);
	_cleanup_free_ char *persist = pf_xasprintf("%s/persist", k->dir);
	_cleanup_free_ char *sock = pf_xasprintf("%s/sock", o->root);
	_cleanup_free_ char *pidfile = pf_xasprintf("%s/pid", k->dir);
	_cleanup_free_ char *cpidfile = pf_xasprintf("%s/conmon.pid", k->dir);
	_cleanup_free_ char *logarg = pf_xasprintf("k8s-file:%s", k->logpath);
	_cleanup_free_ char *sizemax = pf_xasprintf("%d", LOG_SIZE_MAX);
	_cleanup_free_ char *name =
	    pf_xasprintf("k8s_%s_%s_%s", k->c->name, k->pod->meta.name, k->pod->meta.uid);
	const char *argv[] = {o->conmon,
			      "--api-version",
			      "1",
			      "-c",
			      k->cid,
			      "-u",
			      k->cid,
			      "-n",
			      name,
			      "-r",
			      o->runtime_path,
			      "-b",
			      k->dir,
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
	/* conmon writes its "oom" file into its working directory too: the
	 * container's directory, which goes with the container (it used to
	 * land wherever podfs was started). */
	struct pf_spawn s = {.argv = argv,
			     .env = env,
			     .timeout_ms = CREATE_TIMEOUT_MS,
			     .no_wait_eof = true,
			     .cwd = k->dir};
	struct pf_spawn_out out;
	pid_t pid = 0;
	_cleanup_free_ char *msg = NULL;
	int r = pf_mkdir_p(persist, 0700);

	if (r < 0)
		pf_log(PF_LOG_WARN, "container %s: cannot create %s: %s", k->c->name, persist,
		       strerror(-r));
	if (pipe2(sp, O_CLOEXEC) < 0)
		return pf_err_sys(err, errno, "pipe");
	s.pass_fds = &sp[1];
	s.n_pass_fds = 1;
	/* RUNTIME create makes the container's cgroups. */
	pthread_rwlock_rdlock(&o->cg_lock);
	r = pf_spawn_run(&s, &out, err);
	close(sp[1]);
	if (r == 0 && out.status != 0)
		r = pf_err_set(err, EIO, "conmon failed (exit %d): %s", out.status, out.err);
	pf_spawn_out_free(&out);
	if (r == 0) {
		r = sync_pipe_read(sp[0], CREATE_TIMEOUT_MS, &pid, &msg);
		if (r < 0)
			r = pf_err_set(err, -r == ETIMEDOUT ? ETIMEDOUT : EIO,
				       "conmon did not report the container's creation%s",
				       r == -ETIMEDOUT ? " in time" : "");
		else if (pid <= 0) {
			_cleanup_free_ char *m = pf_oci_runtime_msg(msg);
			r = pf_err_set(err, EIO, "%s create: %s", o->runtime_name, m);
		}
	}
	pthread_rwlock_unlock(&o->cg_lock);
	close(sp[0]);
	if (r < 0)
		return r;
	json_object_set_new(k->rec, "pid", json_integer(pid));
	json_object_set_new(k->rec, "conmon_pid", json_integer(read_pid(cpidfile)));
	return update_crec(o, k->cid, k->rec, err);
}

/* Undo a failed creation: the runtime may hold a half-created container,
 * and the teardown undoes what the record lists. */
static void abandon(struct creating *k)
{
	const char *args[] = {"delete", "--force", k->cid};
	struct pf_spawn_out out;
	struct pf_err e2 = PF_ERR_INIT;

	pf_oci_runtime_call(k->o, args, 3, &out, &e2);
	pf_spawn_out_free(&out);
	container_teardown(k->o, k->cid);
}

int pf_oci_container_create(struct pf_runtime *rt, const char *sandbox_id, const struct pf_pod *pod,
			    const struct pf_container *c, bool init, int attempt, char **id,
			    struct pf_err *err)
{
	struct oci *o = oci_of(rt);
	_cleanup_free_ char *sdir = pf_oci_sandbox_dir(o, sandbox_id);
	_cleanup_free_ char *cid = pf_random_id64();
	struct creating k = {.o = o, .pod = pod, .c = c, .sdir = sdir, .cid = cid};
	int r;

	if (!sdir)
		return pf_err_set(err, ENOENT, "no such pod sandbox \"%s\"", sandbox_id);
	if (pod->spec.share_process_namespace == PF_TRUE &&
	    (r = pf_oci_ensure_pause(o, sdir, pod, err)) < 0)
		return r;
	r = pf_image_resolve(o->images, c->image, &k.img, err);
	if (r < 0)
		return r;
	creating_paths(&k, attempt);
	r = make_dirs(&k, err);
	if (r == 0) {
		k.rec = new_record(&k, sandbox_id, init, attempt);
		r = save_crec(o, cid, k.rec, err);
	}
	if (r == 0)
		r = pf_image_hold(o->images, &k.img, cid, err);
	if (r == 0)
		r = mount_rootfs(&k, err);
	if (r == 0) {
		pf_oci_write_text(k.tlog, "");
		r = write_bundle(&k, err);
	}
	if (r == 0)
		r = run_conmon(&k, err);
	if (r < 0)
		abandon(&k);
	else
		*id = PF_TAKE(cid);
	creating_free(&k);
	return r;
}

int pf_oci_container_start(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	struct oci *o = oci_of(rt);
	json_t *rec = pf_oci_container_record(o, id);
	const char *args[] = {"start", id};
	struct pf_spawn_out out;
	int r;

	if (!rec)
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	if (jstr(rec, "sandbox_id")) {
		/* Never before the pod has its network (net_job). */
		struct net_job *j = pf_oci_net_job_take(o, jstr(rec, "sandbox_id"), NULL);
		r = j ? pf_oci_net_job_finish(o, j, err) : 0;
		pf_oci_net_job_free(j);
		if (r < 0) {
			json_decref(rec);
			pf_err_prefix(err, "the pod's network: ");
			return r;
		}
	}
	r = pf_oci_runtime_call(o, args, 2, &out, err);
	if (r == 0 && out.status != 0) {
		_cleanup_free_ char *m = pf_oci_runtime_msg(out.err);
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

int pf_oci_stop_signal(struct pf_runtime *rt, const char *id)
{
	json_t *rec = pf_oci_container_record(oci_of(rt), id);
	int s = signal_number(rec ? jstr(rec, "stop_signal") : NULL);

	json_decref(rec);
	return s;
}

int pf_oci_container_kill(struct pf_runtime *rt, const char *id, int sig, struct pf_err *err)
{
	struct oci *o = oci_of(rt);
	json_t *rec = pf_oci_container_record(o, id);
	pid_t pid;
	int fd, r = 0;
	char path[64];
	_cleanup_free_ char *cg = NULL;
	size_t len = 0;

	if (!rec)
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	pid = (pid_t)jint(rec, "pid");
	json_decref(rec);
	if (pf_oci_exit_code(o, id, NULL) >= 0 || pid <= 0)
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
		if (pf_oci_exit_code(o, id, NULL) >= 0)
			return 0;
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

int pf_oci_container_stop(struct pf_runtime *rt, const char *id, int64_t grace_s,
			  struct pf_err *err)
{
	struct oci *o = oci_of(rt);
	json_t *rec = pf_oci_container_record(o, id);
	pid_t pid, conmon;
	int r;

	if (!rec)
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	pid = (pid_t)jint(rec, "pid");
	conmon = (pid_t)jint(rec, "conmon_pid");
	json_decref(rec);
	if (pf_oci_exit_code(o, id, NULL) >= 0 || !pf_oci_alive(conmon))
		return 0;
	if (grace_s > 0) {
		r = pf_oci_container_kill(rt, id, pf_oci_stop_signal(rt, id), err);
		if (r < 0)
			return r;
		if (wait_exit(o, id, pid, (int)(grace_s * 1000)) == 0)
			return 0;
	}
	r = pf_oci_container_kill(rt, id, SIGKILL, err);
	if (r < 0)
		return r;
	if (wait_exit(o, id, pid, 10000) < 0 && pf_oci_alive(conmon))
		return pf_err_set(err, ETIMEDOUT, "container %.12s did not exit after SIGKILL", id);
	return 0;
}

int pf_oci_container_remove(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	struct oci *o = oci_of(rt);
	json_t *rec = pf_oci_container_record(o, id);
	_cleanup_free_ char *dir = NULL;
	const char *args[] = {"delete", "--force", id};
	struct pf_spawn_out out;
	pid_t conmon;
	int r;

	if (!pf_oci_valid_id(id))
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	dir = pf_oci_container_dir(o, id);
	if (!rec && !path_exists(dir))
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	conmon = rec ? (pid_t)jint(rec, "conmon_pid") : 0;
	json_decref(rec);
	r = pf_oci_runtime_call(o, args, 3, &out, err);
	if (r == 0 && out.status != 0 && !strstr(out.err, "does not exist") &&
	    !strstr(out.err, "not exist")) {
		_cleanup_free_ char *m = pf_oci_runtime_msg(out.err);
		r = pf_err_set(err, EIO, "%s delete: %s", o->runtime_name, m);
	}
	pf_spawn_out_free(&out);
	if (r < 0)
		return r;
	/* conmon leaves once it has written the exit code; give it that
	 * moment so no monitor outlives its container. */
	for (int i = 0; i < 200 && pf_oci_alive(conmon); i++) {
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
	}
	container_teardown(o, id);
	return 0;
}

int pf_oci_container_exec(struct pf_runtime *rt, const char *id, const struct pf_strlist *argv,
			  int64_t timeout_s, struct pf_err *err)
{
	struct oci *o = oci_of(rt);
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
		_cleanup_free_ char *m = pf_oci_runtime_msg(*out.err ? out.err : out.out);
		r = pf_err_set(err, EIO, "command '%s' exited with %d: %s", argv->items[0],
			       out.status, m);
	}
	pf_spawn_out_free(&out);
	free(v);
	return r;
}

char *pf_oci_container_netns(struct pf_runtime *rt, const char *id)
{
	struct oci *o = oci_of(rt);
	json_t *rec = pf_oci_container_record(o, id);
	_cleanup_free_ char *sdir = NULL;
	char *ns = NULL;

	if (rec && jstr(rec, "sandbox_id"))
		sdir = pf_oci_sandbox_dir(o, jstr(rec, "sandbox_id"));
	if (sdir)
		ns = pf_xasprintf("%s/ns/net", sdir);
	json_decref(rec);
	return ns;
}
