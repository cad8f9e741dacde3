/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net.h - pod networking, as kubelet's network plugin (CNI): attach a pod
 * sandbox's network namespace to the node's pod network and detach it.
 *
 * Backends are chosen by name from a static table (net.c):
 *   cni    the reference CNI plugins (bridge + host-local IPAM, loopback)
 *          exec'd from CNI_PATH as the CNI spec says (net_cni.c)
 *   none   no network: the sandbox keeps loopback only and no pod IP
 *
 * The runtime calls it (as containerd calls CNI inside RunPodSandbox):
 * add when the sandbox's namespaces exist, del before they go.  del is
 * idempotent.  Each add comes with a sandbox ID that was never added
 * before (a retry makes a new sandbox); the caller dels the old ID, when
 * it tears the failed or half-made sandbox down, before it retries.  add
 * dels its own ID when it fails half-way.  Ops return 0 or -errno with
 * one sentence in err.
 */
#ifndef PODFS_NODE_NET_H
#define PODFS_NODE_NET_H

#include <stdbool.h>

#include "errors.h"
#include "types.h"

struct pf_net;

struct pf_net_config {
	const char *state_dir; /* the conflist and IPAM state go in STATE/cni/ */
	const char *pod_cidr;  /* NULL = PF_NET_DEFAULT_CIDR */
	const char *bridge;    /* NULL = PF_NET_DEFAULT_BRIDGE */
	bool egress;	       /* masquerade and a default route via the bridge */
	const char *cni_path;  /* NULL = PF_NET_DEFAULT_CNI_PATH */
};

#define PF_NET_DEFAULT_CIDR	"10.88.0.0/16"
#define PF_NET_DEFAULT_BRIDGE	"podfs0"
#define PF_NET_DEFAULT_CNI_PATH "/usr/lib/cni"

struct pf_net_ops {
	const char *name;
	int (*open)(const struct pf_net_config *cfg, struct pf_net **out, struct pf_err *err);
	void (*close)(struct pf_net *n);
	/* Attach netns (a path) for sandbox id of pod; *ip = the pod's IP
	 * ("10.88.0.5") or NULL when the backend gives none.  id is new (the
	 * caller detaches what a crashed attempt left under its own id, from
	 * its record), so nothing is attached under it yet; on failure add
	 * detaches what it attached. */
	int (*add)(struct pf_net *n, const char *id, const char *netns, const struct pf_pod *pod,
		   char **ip, struct pf_err *err);
	/* Detach; 0 also when nothing was attached.  netns may be gone. */
	int (*del)(struct pf_net *n, const char *id, const char *netns, struct pf_err *err);
	/* Forget IP reservations of every sandbox not in live (after a crash).
	 * May be NULL. */
	void (*reconcile)(struct pf_net *n, const struct pf_strlist *live);
};

struct pf_net {
	const struct pf_net_ops *ops;
};

/* Open the backend called name (NULL = "cni").  -EINVAL for an unknown
 * name, -ENOSYS when the plugins are missing. */
int pf_net_open(const char *name, const struct pf_net_config *cfg, struct pf_net **out,
		struct pf_err *err);
void pf_net_close(struct pf_net *n);
bool pf_net_known(const char *name);

#endif
