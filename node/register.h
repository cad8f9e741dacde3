/* SPDX-License-Identifier: Apache-2.0 */
/*
 * register.h - the node object a node agent registers and keeps fresh, as
 * kubelet's registerWithAPIServer and updateNodeStatus do: the flags that
 * shape it (--capacity, --node-labels, --node-taints), what the host says
 * about itself (cpus, memory, disk, address, kernel, OS), building the
 * object, merging it into what is stored (re-registration keeps uid and
 * creationTimestamp), and the heartbeat that keeps it Ready.
 *
 * Pure functions of their inputs except pf_host_detect (which reads /proc,
 * /sys, /etc and the interfaces); no store, no threads.
 */
#ifndef PODFS_NODE_REGISTER_H
#define PODFS_NODE_REGISTER_H

#include "errors.h"
#include "types.h"
#include "wellknown.h" /* PF_TAINT_*: the taints a heartbeat takes off */

/* kubelet's evictionHard default memory.available<100Mi: allocatable memory
 * is capacity minus this; nodefs.available<10% likewise for ephemeral-storage. */
#define PF_EVICTION_MEMORY_BYTES (100LL * 1024 * 1024)
#define PF_DEFAULT_MAX_PODS	 110

/* --capacity cpu=4,memory=8Gi,pods=110: resource names as the API server
 * accepts them (cpu, memory, pods, ephemeral-storage, hugepages-<size>, or a
 * domain-qualified extended resource), quantities as resource.Quantity.
 * Adds to (overrides in) *out.  -EINVAL with a sentence naming the entry. */
int pf_parse_capacity(const char *s, struct pf_reslist *out, struct pf_err *err);
/* --node-labels k=v,k2=v2: label keys and values as the API server checks
 * them; kubelet's own labels (kubernetes.io/hostname, os, arch) may not be
 * set this way.  Adds to *out. */
int pf_parse_node_labels(const char *s, struct pf_strmap *out, struct pf_err *err);
/* --node-taints k=v:NoSchedule,k2:NoExecute (kubelet's --register-with-taints
 * form).  Appends to *taints, counting in *n. */
int pf_parse_node_taints(const char *s, struct pf_taint **taints, size_t *n, struct pf_err *err);
void pf_taints_free(struct pf_taint *t, size_t n);

/* What this machine says about itself. */
struct pf_host_facts {
	int64_t cpu_milli;    /* usable cpus * 1000 (sched_getaffinity) */
	int64_t memory_bytes; /* MemTotal */
	int64_t disk_bytes;   /* the state directory's file system (statvfs) */
	char *internal_ip;    /* first non-loopback IPv4 address that is up, else 127.0.0.1 */
	char *kernel_version; /* uname -r */
	char *arch;	      /* GOARCH spelling: amd64, arm64 ... */
	char *os_image;	      /* PRETTY_NAME of /etc/os-release */
	char *machine_id;     /* /etc/machine-id, "" when absent */
};
void pf_host_detect(const char *state_dir, struct pf_host_facts *out);
void pf_host_facts_free(struct pf_host_facts *h);

/* Everything a node object is built from. */
struct pf_node_desc {
	const char *name;
	const struct pf_host_facts *host;
	const struct pf_reslist *capacity; /* overrides of the detected values; may be NULL */
	const struct pf_strmap *labels;	   /* --node-labels; may be NULL */
	const struct pf_taint *taints;	   /* --node-taints */
	size_t n_taints;
	const char *pod_cidr;	     /* NULL = none */
	const char *runtime_version; /* containerRuntimeVersion */
	const char *kubelet_version; /* kubeletVersion */
	/* NULL: the node is Ready.  Otherwise why it is not (the runtime is
	 * down): Ready False, reason KubeletNotReady, this message. */
	const char *not_ready;
	/* Appended to the Ready condition's message when Ready (which OCI
	 * runtime runs the containers and why); NULL = nothing. */
	const char *ready_note;
};

/* A new node object as kubelet registers it, with a new uid and
 * creationTimestamp now. */
struct pf_node *pf_node_build(const struct pf_node_desc *d, int64_t now);

/*
 * Bring the stored node cur up to date with fresh (built by pf_node_build),
 * in place, as kubelet's re-registration and status update do: uid,
 * creationTimestamp, other writers' labels, annotations and taints stay;
 * fresh's labels and taints are added; status comes from fresh, except that
 * a condition whose status did not change keeps its lastTransitionTime.
 * Every condition's lastHeartbeatTime becomes now.  When fresh is Ready and
 * cur was not (the lifecycle controller marked it Unknown), the controller's
 * unreachable/not-ready taints go.  Returns true when the Ready condition
 * became True.
 */
bool pf_node_merge(struct pf_node *cur, const struct pf_node *fresh, int64_t now);

/* The node's InternalIP, NULL when it has none. */
const char *pf_node_internal_ip(const struct pf_node *n);

#endif
