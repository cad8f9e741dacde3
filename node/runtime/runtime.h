/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime.h - the container runtime the node agent drives, as kubelet drives
 * a CRI runtime: pod sandboxes, containers in them, their status, and a
 * listing for adoption after a restart.
 *
 * Backends are chosen by name from a static table (runtime.c):
 *   fake   hollow containers (kubemark's idea): nothing runs, every call
 *          succeeds at once; for scale simulation only
 *   oci    OCI bundles run by crun or runc under conmon (oci*.c):
 *          real containers that outlive podfs and are adopted again
 *
 * The agent owns the decisions (what should run, restarts, status); a
 * backend only does what it is told and reports what is.  IDs are the
 * backend's own (64 hex digits, as containerd's); the agent shows them as
 * "<name>://<id>" in containerID.  Every op may block (an OCI backend
 * execs crun) and returns 0 or -errno with one sentence in err.  Ops are
 * called from the agent's pod workers, for several pods at once but never
 * twice at once for one pod (its sandbox and containers), and from the
 * probe and hook threads (container_exec, container_netns,
 * container_status) beside them: a backend keeps whatever it shares
 * between pods safe for that (it may also run work of its own beside
 * them: see sandbox_network).  Errors a backend may return:
 *   -ENOENT  no such sandbox or container (the agent then recreates it)
 *   -ENOSYS  the backend cannot run at all on this host (err says why)
 *   -EIO, -ENOMEM, -ENOSPC, -ETIMEDOUT  the runtime failed; err says how
 * Strings the backend returns are new allocations the caller frees.
 */
#ifndef PODFS_NODE_RUNTIME_H
#define PODFS_NODE_RUNTIME_H

#include "errors.h"
#include "types.h"

struct pf_runtime;

struct pf_runtime_config {
	const char *state_dir;	 /* bundles, logs and the backend's records live under it */
	const char *oci_runtime; /* crun | runc | PATH (oci); NULL = default */
	bool allow_privileged;	 /* privileged containers may run (else -EPERM at create) */
	bool allow_host_paths;	 /* hostPath volumes may be mounted (else -EPERM) */
	/* Pod networking (net.h), attached at sandbox creation (oci). */
	const char *network;  /* cni | none; NULL = cni */
	const char *pod_cidr; /* NULL = PF_NET_DEFAULT_CIDR */
	const char *bridge;   /* NULL = PF_NET_DEFAULT_BRIDGE */
	bool pod_egress;      /* pods may reach beyond the node (masquerade) */
};

enum pf_rt_state {
	PF_RT_CREATED = 1, /* created, not started */
	PF_RT_RUNNING,
	PF_RT_EXITED,
};

struct pf_rt_status {
	enum pf_rt_state state;
	int64_t started_ms;  /* 0 = unknown */
	int64_t finished_ms; /* EXITED */
	int exit_code;	     /* EXITED */
	int signal;	     /* EXITED by a signal, else 0 */
	char *reason;	     /* EXITED: Completed, Error, OOMKilled; NULL otherwise */
	char *message;	     /* EXITED: the termination message (terminationMessagePath,
				or the log's tail with FallbackToLogsOnError); NULL = none */
};
void pf_rt_status_free(struct pf_rt_status *st);

/* One sandbox or container the runtime holds (list).  Backends label what
 * they create with the pod's uid and the container's name, as CRI runtimes
 * label with io.kubernetes.pod.uid, so an agent that restarts can match
 * them to pods. */
struct pf_rt_item {
	char *id;
	char *sandbox_id; /* containers: their sandbox; sandboxes: NULL */
	char *pod_uid;
	char *container_name; /* NULL for a sandbox */
	enum pf_rt_state state;
};
struct pf_rt_list {
	struct pf_rt_item *items;
	size_t n;
};
void pf_rt_list_free(struct pf_rt_list *l);

struct pf_runtime_ops {
	const char *name;    /* "fake", "oci" */
	const char *version; /* nodeInfo.containerRuntimeVersion: "fake://0.1" */
	int (*open)(const struct pf_runtime_config *cfg, struct pf_runtime **out,
		    struct pf_err *err);
	void (*close)(struct pf_runtime *rt);
	/* Is the runtime able to run pods now (CRI RuntimeReady)?  0, or
	 * -errno with the reason the node reports as NotReady. */
	int (*status)(struct pf_runtime *rt, struct pf_err *err);
	/* Every sandbox and container the runtime holds.  A backend that keeps
	 * nothing (fake) returns an empty list. */
	int (*list)(struct pf_runtime *rt, struct pf_rt_list *out, struct pf_err *err);
	/* The pod's sandbox: namespaces, cgroup, the pause of kubelet.  *id is set. */
	int (*sandbox_create)(struct pf_runtime *rt, const struct pf_pod *pod, char **id,
			      struct pf_err *err);
	/* Stop what is left in it and free it; -ENOENT when already gone. */
	int (*sandbox_remove)(struct pf_runtime *rt, const char *id, struct pf_err *err);
	/* Create container c of pod in the sandbox (not started). init tells an
	 * init container from an app container; attempt is the container's
	 * restartCount (CRI's metadata.attempt: it names the log file).
	 * -ENOENT when the sandbox is gone, -ENOENT with `image "x" not found`
	 * is image_status's business, checked first by the agent. */
	int (*container_create)(struct pf_runtime *rt, const char *sandbox_id,
				const struct pf_pod *pod, const struct pf_container *c, bool init,
				int attempt, char **id, struct pf_err *err);
	int (*container_start)(struct pf_runtime *rt, const char *id, struct pf_err *err);
	/* SIGTERM, then SIGKILL after grace_s seconds; returns once it exited. */
	int (*container_stop)(struct pf_runtime *rt, const char *id, int64_t grace_s,
			      struct pf_err *err);
	int (*container_remove)(struct pf_runtime *rt, const char *id, struct pf_err *err);
	int (*container_status)(struct pf_runtime *rt, const char *id, struct pf_rt_status *out,
				struct pf_err *err);
	/* Send sig to the container's first process and return at once (the
	 * agent keeps the grace period's clock, so one pod's grace period
	 * never holds up another pod).  0 also when it already exited;
	 * -ENOENT when there is no such container. */
	int (*container_kill)(struct pf_runtime *rt, const char *id, int sig, struct pf_err *err);
	/* Run argv inside the running container (a preStop exec hook) and wait
	 * at most timeout_s seconds.  0 when it ran and exited 0, -EIO with its
	 * output's tail otherwise.  May be NULL (hollow: nothing to run). */
	int (*container_exec)(struct pf_runtime *rt, const char *id, const struct pf_strlist *argv,
			      int64_t timeout_s, struct pf_err *err);
	/* Is image ref present (CRI ImageStatus)?  0 with its ID
	 * ("sha256:...") in *image_id, -ENOENT with `image "x" not found`.
	 * May be NULL: every image is present (hollow). */
	int (*image_status)(struct pf_runtime *rt, const char *ref, char **image_id,
			    struct pf_err *err);
	/* A number that changes whenever a container exits (kubelet's PLEG in
	 * one stat): the agent polls it and syncs the pods again when it moved.
	 * May be NULL: nothing ever exits by itself (hollow). */
	uint64_t (*changes)(struct pf_runtime *rt);
	/* The signal that stops container c of pod (the image's StopSignal,
	 * else SIGTERM); may be NULL (SIGTERM). */
	int (*stop_signal)(struct pf_runtime *rt, const char *id);
	/* The path of the network namespace container id runs in (its pod
	 * sandbox's), for probes that connect inside the pod; NULL when
	 * unknown.  May be NULL (hollow: probes connect from the host). */
	char *(*container_netns)(struct pf_runtime *rt, const char *id);
	/* The sandbox's pod IP (its network was attached at create), NULL =
	 * none (no network, or unknown).  May be NULL. */
	char *(*sandbox_ip)(struct pf_runtime *rt, const char *id);
	/* sandbox_create may leave the network attaching in the background
	 * (CNI ADD needs only the namespace), so that the agent creates the
	 * first container meanwhile.  This waits for it: 0 with *ip the pod's
	 * IP (NULL = none) and *ms the wall time the attachment ended (0 =
	 * before this call, unknown); at once when it is attached already.
	 * On failure -errno, err says why, and the sandbox is gone, with any
	 * container created in it: the caller forgets its ID.  No container of
	 * the sandbox starts before its network is attached (container_start
	 * waits too).  May be NULL: sandbox_create attaches before it returns. */
	int (*sandbox_network)(struct pf_runtime *rt, const char *id, char **ip, int64_t *ms,
			       struct pf_err *err);
	/* The bytes the disk-backed emptyDir volume of pod pod_uid uses (du's
	 * count of allocated blocks, not crossing mounts), for kubelet's
	 * sizeLimit eviction.  -ENOENT when there is no such volume.  May be
	 * NULL (hollow: nothing is ever written). */
	int (*volume_usage)(struct pf_runtime *rt, const char *pod_uid, const char *volume,
			    int64_t *bytes, struct pf_err *err);
};

/* Every backend's handle starts with this header. */
struct pf_runtime {
	const struct pf_runtime_ops *ops;
	/* Set by a backend whose name or version depends on the host (oci:
	 * "runc" or "crun"); NULL = the ops' own. name prefixes containerIDs. */
	const char *name;
	const char *version;
	/* One sentence for the node's Ready condition: which OCI runtime runs
	 * the containers and why; NULL = nothing to say. */
	const char *note;
};

/* Open the backend called name.  -EINVAL for an unknown name (err lists the
 * known ones), -ENOSYS when it is known but not built or cannot run here. */
int pf_runtime_open(const char *name, const struct pf_runtime_config *cfg, struct pf_runtime **out,
		    struct pf_err *err);
void pf_runtime_close(struct pf_runtime *rt);
/* The backend's name and containerRuntimeVersion. */
const char *pf_runtime_name(const struct pf_runtime *rt);
const char *pf_runtime_version(const struct pf_runtime *rt);
/* Is name a runtime this podfs knows (built or not)? */
bool pf_runtime_known(const char *name);

static inline int pf_rt_status(struct pf_runtime *rt, struct pf_err *err)
{
	return rt->ops->status(rt, err);
}
static inline int pf_rt_list(struct pf_runtime *rt, struct pf_rt_list *out, struct pf_err *err)
{
	return rt->ops->list(rt, out, err);
}
static inline int pf_rt_sandbox_create(struct pf_runtime *rt, const struct pf_pod *pod, char **id,
				       struct pf_err *err)
{
	return rt->ops->sandbox_create(rt, pod, id, err);
}
static inline int pf_rt_sandbox_remove(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	return rt->ops->sandbox_remove(rt, id, err);
}
static inline int pf_rt_container_create(struct pf_runtime *rt, const char *sandbox_id,
					 const struct pf_pod *pod, const struct pf_container *c,
					 bool init, int attempt, char **id, struct pf_err *err)
{
	return rt->ops->container_create(rt, sandbox_id, pod, c, init, attempt, id, err);
}
static inline int pf_rt_container_start(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	return rt->ops->container_start(rt, id, err);
}
static inline int pf_rt_container_stop(struct pf_runtime *rt, const char *id, int64_t grace_s,
				       struct pf_err *err)
{
	return rt->ops->container_stop(rt, id, grace_s, err);
}
static inline int pf_rt_container_remove(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	return rt->ops->container_remove(rt, id, err);
}
static inline int pf_rt_container_status(struct pf_runtime *rt, const char *id,
					 struct pf_rt_status *out, struct pf_err *err)
{
	return rt->ops->container_status(rt, id, out, err);
}

static inline int pf_rt_container_kill(struct pf_runtime *rt, const char *id, int sig,
				       struct pf_err *err)
{
	return rt->ops->container_kill(rt, id, sig, err);
}
static inline uint64_t pf_rt_changes(struct pf_runtime *rt)
{
	return rt->ops->changes ? rt->ops->changes(rt) : 0;
}

#endif
