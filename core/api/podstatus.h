/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podstatus.h - what a person sees of a pod: the STATUS word of `kubectl get
 * pods`, the Ready condition, the restart count and the one line that says
 * what holds the pod back.  Pure functions of the object; fs/ renders them
 * and the node agent and tests use the same words.
 */
#ifndef PODFS_PODSTATUS_H
#define PODFS_PODSTATUS_H

#include "types.h"

/* kubectl's STATUS column (printPod in kubectl's printers): Pending,
 * ContainerCreating, Running, Completed, Error, CrashLoopBackOff,
 * Init:0/2, Terminating, Unknown ... Returns a new string. */
char *pf_pod_status_word(const struct pf_pod *pod);
/* status.phase, "Pending" when unset. */
const char *pf_pod_phase(const struct pf_pod *pod);
/* The Ready condition is True. */
bool pf_pod_ready(const struct pf_pod *pod);
/* Sum of restartCount over app containers (kubectl's RESTARTS). */
int pf_pod_restarts(const struct pf_pod *pod);
/* One line in Kubernetes' words saying what holds the pod back; "" when it
 * is Running and Ready (or Succeeded). Returns a new string. */
char *pf_pod_why(const struct pf_pod *pod);

/* What the mount shows of one container (containers/<c>/). */
struct pf_container_summary {
	char *name;
	bool init;
	char *state;  /* waiting | running | terminated | "" (not created yet) */
	char *reason; /* waiting or terminated reason, "" */
	char *message;
	bool has_exit;
	int exit_code;
	int restarts;
	char *image;
	char *id; /* container ID without the runtime:// prefix, "" */
	bool ready;
};

/* Everything the mount renders of a pod without reading the store: small
 * enough to keep 10,000 of them in memory. */
struct pf_pod_summary {
	char *name;
	char *uid;
	char *status; /* pf_pod_status_word */
	char *phase;
	char *node; /* "" until scheduled */
	char *ip;   /* "" until the network is attached */
	char *host_ip;
	char *why;
	char *conditions_true; /* ",PodScheduled,Ready," : types whose status is True */
	bool ready;
	bool deleting;
	bool terminal; /* phase Succeeded or Failed */
	int restarts;
	int64_t creation_ms;
	struct pf_container_summary *containers; /* init containers first, then app */
	size_t n_containers;
};
void pf_pod_summarize(const struct pf_pod *pod, struct pf_pod_summary *out);
void pf_pod_summary_free(struct pf_pod_summary *s);

/* Does the pod satisfy "wait/X"?  1 yes, 0 not yet, -1 never (the pod is
 * finished or being deleted and X cannot happen any more; *reason then
 * says why, pointing into static text).  s is NULL when the pod is gone. */
int pf_pod_wait_check(const struct pf_pod_summary *s, const char *x, const char **reason);

#endif
