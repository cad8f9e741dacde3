/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci-internal.h - what the files of the OCI runtime backend share
 * (oci.c, oci_record.c, oci_cgroup.c, oci_pause.c, oci_sandbox.c,
 * oci_container.c, oci_status.c): real containers, OCI bundles run by crun
 * or runc, each under its own conmon, as CRI-O runs them.
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
 * This backend never decides anything about pods (restarts, phases): the
 * agent does.  It never changes the host beyond STATE and its own cgroups:
 * a host crun cannot run on is reported, not altered.  Only the backend's
 * own files include this header; everyone else goes through runtime.h.
 */
#ifndef PODFS_OCI_INTERNAL_H
#define PODFS_OCI_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

#include "cgroup.h"
#include "fileio.h"
#include "image.h"
#include "net.h"
#include "runtime.h"
#include "spawner.h"

struct net_job;

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

extern const struct pf_runtime_ops pf_runtime_oci_ops;

static inline struct oci *oci_of(struct pf_runtime *rt)
{
	return (struct oci *)rt;
}

static inline const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static inline int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static inline bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* ---- records and processes (oci_record.c) -------------------------------- */

/* A sandbox or container ID: 64 lowercase hex digits. */
bool pf_oci_valid_id(const char *id);
/* A record's first write, durable (a restart reads it back). */
int pf_oci_write_json(const char *path, json_t *j, struct pf_err *err);
/* A record's update with what only a running host can use: not fsync'd. */
int pf_oci_update_json(const char *path, json_t *j, struct pf_err *err);
/* The record at path; NULL when it is missing or unreadable. */
json_t *pf_oci_read_json(const char *path);
/* A file made from the pod at each creation: not fsync'd, errors ignored. */
void pf_oci_write_text(const char *path, const char *text);
/* Unmount path when something is mounted there. */
void pf_oci_unmount(const char *path);
/* The real directory of sandbox id (a new string), NULL when none. */
char *pf_oci_sandbox_dir(struct oci *o, const char *id);
/* STATE/oci/containers/<id> (a new string). */
char *pf_oci_container_dir(struct oci *o, const char *id);
/* Container id's record; NULL when it has none. */
json_t *pf_oci_container_record(struct oci *o, const char *id);
/* The exit code conmon wrote (and when), or -1 while the container runs. */
int pf_oci_exit_code(struct oci *o, const char *id, int64_t *when_ms);
/* Is pid alive (a zombie counts as gone)? */
bool pf_oci_alive(pid_t pid);

/* ---- the runtime binary (oci.c) ----------------------------------------- */

/* The last error message in the runtime's output (a new string). */
char *pf_oci_runtime_msg(const char *text);
/* Run `RUNTIME --root R args...`. */
int pf_oci_runtime_call(struct oci *o, const char *const *args, size_t n, struct pf_spawn_out *out,
			struct pf_err *err);

/* ---- pod cgroups (oci_cgroup.c) ----------------------------------------- */

/* The pod's cgroup in one hierarchy: where it is mounted and what to
 * write there (cgroup.h). */
struct pod_cg {
	char *mnt;
	struct pf_cg_plan plan;
};

/* Every cgroup hierarchy mounted here (v1 controllers and v2). */
void pf_oci_cgroup_mounts(struct pf_mounts *out);
/* The pod's cgroup plans for every hierarchy with memory, cpu or pids. */
struct pod_cg *pf_oci_pod_cgroup_plans(const struct pf_pod *pod, size_t *n);
void pf_oci_pod_cgs_free(struct pod_cg *v, size_t n);
/* Make the pod's cgroups and set their limits (failures are logged). */
void pf_oci_apply_pod_cgroups(const struct pf_pod *pod, const struct pod_cg *v, size_t n);
/* Remove the pod's cgroups everywhere (and /podfs after the last pod). */
void pf_oci_remove_pod_cgroups(struct oci *o, const char *uid);

/* ---- the pause process (oci_pause.c) ------------------------------------ */

int pf_oci_start_pause(struct oci *o, const char *nsdir, const struct pod_cg *cgs, size_t n,
		       pid_t *pid, struct pf_err *err);
void pf_oci_stop_pause(const char *dir, json_t *rec);
/* Make the pod's PID namespace again when its pause process is gone. */
int pf_oci_ensure_pause(struct oci *o, const char *sdir, const struct pf_pod *pod,
			struct pf_err *err);

/* ---- sandboxes and their network jobs (oci_sandbox.c) ------------------- */

/* The job of sandbox id (or of pod uid, or the first when both are NULL),
 * taken off the list once its ADD ended; NULL when there is none. */
struct net_job *pf_oci_net_job_take(struct oci *o, const char *id, const char *uid);
/* Record how the ADD of j went (the sandbox goes when it failed). */
int pf_oci_net_job_finish(struct oci *o, struct net_job *j, struct pf_err *err);
void pf_oci_net_job_free(struct net_job *j);
/* Finish every job (the runtime closes). */
void pf_oci_net_jobs_drain(struct oci *o);

/* The runtime ops, in the file of their job. */
int pf_oci_sandbox_create(struct pf_runtime *rt, const struct pf_pod *pod, char **id,
			  struct pf_err *err);
int pf_oci_sandbox_network(struct pf_runtime *rt, const char *id, char **ip, int64_t *ms,
			   struct pf_err *err);
int pf_oci_sandbox_remove(struct pf_runtime *rt, const char *id, struct pf_err *err);
char *pf_oci_sandbox_ip(struct pf_runtime *rt, const char *id);

/* ---- containers (oci_container.c) --------------------------------------- */

int pf_oci_container_create(struct pf_runtime *rt, const char *sandbox_id, const struct pf_pod *pod,
			    const struct pf_container *c, bool init, int attempt, char **id,
			    struct pf_err *err);
int pf_oci_container_start(struct pf_runtime *rt, const char *id, struct pf_err *err);
int pf_oci_container_kill(struct pf_runtime *rt, const char *id, int sig, struct pf_err *err);
int pf_oci_container_stop(struct pf_runtime *rt, const char *id, int64_t grace_s,
			  struct pf_err *err);
int pf_oci_container_remove(struct pf_runtime *rt, const char *id, struct pf_err *err);
int pf_oci_container_exec(struct pf_runtime *rt, const char *id, const struct pf_strlist *argv,
			  int64_t timeout_s, struct pf_err *err);
char *pf_oci_container_netns(struct pf_runtime *rt, const char *id);
int pf_oci_stop_signal(struct pf_runtime *rt, const char *id);

/* ---- status, listing and adoption (oci_status.c) ------------------------ */

int pf_oci_container_status(struct pf_runtime *rt, const char *id, struct pf_rt_status *st,
			    struct pf_err *err);
int pf_oci_list(struct pf_runtime *rt, struct pf_rt_list *out, struct pf_err *err);
int pf_oci_image_status(struct pf_runtime *rt, const char *ref, char **image_id,
			struct pf_err *err);
int pf_oci_volume_usage(struct pf_runtime *rt, const char *pod_uid, const char *volume,
			int64_t *bytes, struct pf_err *err);
uint64_t pf_oci_changes(struct pf_runtime *rt);

#endif
