/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent.h - the node agent (kubelet): registers one node, or many hollow
 * ones, keeps them Ready with heartbeats, and runs the pods bound to them
 * through a runtime (runtime.h), reporting their status to the store.
 *
 * One thread per agent, however many nodes it runs: it follows the pods
 * with one watch, reconciles each pod bound to one of its nodes on every
 * change and at every resync, batches the resulting writes (statuses,
 * deletions, events) into one store transaction per round, and writes all
 * its nodes' heartbeats in one transaction per interval.  That is what lets
 * 1,000 hollow nodes share a process (kubemark runs one process per hollow
 * node; 1,000 of them do not fit on two cores).
 *
 * It uses core/ only; the process around it (cmd_mount.c, cmd_node.c) owns signals.
 */
#ifndef PODFS_NODE_AGENT_H
#define PODFS_NODE_AGENT_H

#include <stdbool.h>

#include "errors.h"
#include "store.h"

struct pf_agent;

struct pf_agent_opts {
	const char *name;      /* the node's name; with replicas, the names' stem */
	int replicas;	       /* 0: one node called name; N: name-0001 .. name-N */
	const char *runtime;   /* "fake" | "oci" (default "oci") */
	const char *state_dir; /* runtime state; statvfs'd for ephemeral-storage */
	const char *oci_runtime;
	/* The flags as given (NULL or "" = none), parsed by pf_agent_start:
	 * --capacity, --node-labels, --node-taints, --pod-cidr. */
	const char *capacity;
	const char *labels;
	const char *taints;
	const char *pod_cidr;
	int heartbeat_ms;      /* 0 = 10,000 */
	int resync_ms;	       /* 0 = 60,000: retry failed pods, recheck the runtime */
	int crash_backoff_ms;  /* 0 = 10,000: the first crash loop back-off (tests shorten it) */
	bool allow_privileged; /* the runtime may run privileged containers */
	bool allow_host_paths; /* and mount hostPath volumes */
	/* Pod networking (net.h): --network cni|none (NULL = cni), --bridge,
	 * --pod-egress; the CNI subnet is pod_cidr (NULL = 10.88.0.0/16). */
	const char *network;
	const char *bridge;
	bool pod_egress;
};

/* The version a node reports as kubeletVersion. */
#define PF_KUBELET_VERSION "podfs-0.1"

/* Check the options as pf_agent_start would (flag syntax, names, runtime
 * name) without touching the store: `podfs node` reports mistakes before
 * it goes to the background.  -EINVAL with the flag named in err. */
int pf_agent_check_opts(const struct pf_agent_opts *o, struct pf_err *err);

/*
 * Register the nodes (create, or update the stored objects with
 * compare-and-swap, keeping uid and creationTimestamp), list the pods and
 * start the agent's thread.  Errors: -EINVAL (options), store errors.
 * A runtime that cannot run (oci, until it is built) is not an error: the
 * nodes register NotReady saying why, and pods bound to them stay Pending
 * with that reason, as kubelet does when its runtime is down.
 */
int pf_agent_start(struct pf_store *s, const struct pf_agent_opts *o, struct pf_agent **out,
		   struct pf_err *err);
/* Stop the thread and free everything; the nodes stay registered (a node
 * that stops heartbeating is the lifecycle controller's to mark). NULL ok. */
void pf_agent_stop(struct pf_agent *a);

/* How many nodes the agent runs, and their heartbeats so far (tests). */
size_t pf_agent_nodes(const struct pf_agent *a);

#endif
