/*
 * runtime.h - the container runtime the node agent drives, as kubelet drives
 * a CRI runtime: pod sandboxes, containers in them, their status, and a
 * listing for adoption after a restart.
 *
 * Backends are chosen by name from a static table (runtime.c):
 *   fake   hollow containers (kubemark's idea): nothing runs, every call
 *          succeeds at once; for scale simulation only
 *   oci    OCI bundles run by crun/runc under a monitor (the next issue;
 *          until it lands, pf_runtime_open says so with -ENOSYS)
 *
 * The agent owns the decisions (what should run, restarts, status); a
 * backend only does what it is told and reports what is.  IDs are the
 * backend's own (64 hex digits, as containerd's); the agent shows them as
 * "<name>://<id>" in containerID.  Every op may block (an OCI backend
 * execs crun), is called from the agent thread only, and returns 0 or
 * -errno with one sentence in err.  Errors a backend may return:
 *   -ENOENT  no such sandbox or container (the agent then recreates it)
 *   -ENOSYS  the backend cannot run at all on this host (err says why)
 *   -EIO, -ENOMEM, -ENOSPC, -ETIMEDOUT  the runtime failed; err says how
 * Strings the backend returns are new allocations the caller frees.
 */
#ifndef PODFS_NODE_RUNTIME_H
#define PODFS_NODE_RUNTIME_H

#include "err.h"
#include "model.h"

struct pf_runtime;

struct pf_runtime_config {
	const char *state_dir;   /* bundles, logs and the backend's records live under it */
	const char *oci_runtime; /* crun | runc | PATH (oci); NULL = default */
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
	int exit_code;       /* EXITED */
	int signal;          /* EXITED by a signal, else 0 */
	char *reason;        /* EXITED: Completed, Error, OOMKilled; NULL otherwise */
};
void pf_rt_status_free(struct pf_rt_status *st);

/* One sandbox or container the runtime holds (list).  Backends label what
 * they create with the pod's uid and the container's name, as CRI runtimes
 * label with io.kubernetes.pod.uid, so an agent that restarts can match
 * them to pods. */
struct pf_rt_item {
	char *id;
	char *sandbox_id;     /* containers: their sandbox; sandboxes: NULL */
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
	 * init container from an app container. */
	int (*container_create)(struct pf_runtime *rt, const char *sandbox_id,
				const struct pf_pod *pod, const struct pf_container *c, bool init,
				char **id, struct pf_err *err);
	int (*container_start)(struct pf_runtime *rt, const char *id, struct pf_err *err);
	/* SIGTERM, then SIGKILL after grace_s seconds; returns once it exited. */
	int (*container_stop)(struct pf_runtime *rt, const char *id, int64_t grace_s,
			      struct pf_err *err);
	int (*container_remove)(struct pf_runtime *rt, const char *id, struct pf_err *err);
	int (*container_status)(struct pf_runtime *rt, const char *id, struct pf_rt_status *out,
				struct pf_err *err);
};

/* Every backend's handle starts with this header. */
struct pf_runtime {
	const struct pf_runtime_ops *ops;
};

/* Open the backend called name.  -EINVAL for an unknown name (err lists the
 * known ones), -ENOSYS when it is known but not built or cannot run here. */
int pf_runtime_open(const char *name, const struct pf_runtime_config *cfg,
		    struct pf_runtime **out, struct pf_err *err);
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
static inline int pf_rt_sandbox_create(struct pf_runtime *rt, const struct pf_pod *pod,
				       char **id, struct pf_err *err)
{
	return rt->ops->sandbox_create(rt, pod, id, err);
}
static inline int pf_rt_sandbox_remove(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	return rt->ops->sandbox_remove(rt, id, err);
}
static inline int pf_rt_container_create(struct pf_runtime *rt, const char *sandbox_id,
					 const struct pf_pod *pod, const struct pf_container *c,
					 bool init, char **id, struct pf_err *err)
{
	return rt->ops->container_create(rt, sandbox_id, pod, c, init, id, err);
}
static inline int pf_rt_container_start(struct pf_runtime *rt, const char *id,
					struct pf_err *err)
{
	return rt->ops->container_start(rt, id, err);
}
static inline int pf_rt_container_stop(struct pf_runtime *rt, const char *id, int64_t grace_s,
				       struct pf_err *err)
{
	return rt->ops->container_stop(rt, id, grace_s, err);
}
static inline int pf_rt_container_remove(struct pf_runtime *rt, const char *id,
					 struct pf_err *err)
{
	return rt->ops->container_remove(rt, id, err);
}
static inline int pf_rt_container_status(struct pf_runtime *rt, const char *id,
					 struct pf_rt_status *out, struct pf_err *err)
{
	return rt->ops->container_status(rt, id, out, err);
}

#endif
