/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe.h - kubelet's prober: startup, liveness and readiness probes of
 * running containers, run by a small pool of worker threads so that one
 * slow probe holds up neither the agent thread nor the other pods' probes.
 *
 * Handlers: exec (the runtime's container_exec; exit 0 succeeds), httpGet
 * (libcurl; 200-399 succeed, redirects are not followed, so a redirect
 * anywhere counts as success as kubelet counts one to another host) and
 * tcpSocket (a connect within the timeout).  httpGet and tcpSocket connect
 * inside the pod's network namespace, to the pod IP when it has one, else
 * to 127.0.0.1 there.  grpc and unknown handlers count as success.
 *
 * podsync.c asks for each running container's results on every pass and
 * forgets a container once it no longer runs; the prober counts a change
 * (pf_prober_changes) whenever a result flips, and the agent then passes
 * over its pods again, as it does when a container exits.
 */
#ifndef PODFS_NODE_PROBE_H
#define PODFS_NODE_PROBE_H

#include "types.h"
#include "runtime.h"

enum pf_probe_kind { PF_PROBE_STARTUP = 0, PF_PROBE_LIVENESS, PF_PROBE_READINESS };
enum pf_probe_result { PF_PROBE_UNKNOWN = 0, PF_PROBE_SUCCESS, PF_PROBE_FAILURE };

/* Kubernetes' defaults for the fields a manifest leaves 0. */
int32_t pf_probe_period_s(const struct pf_probe *p);   /* 10 */
int32_t pf_probe_timeout_s(const struct pf_probe *p);  /* 1 */
int32_t pf_probe_success_th(const struct pf_probe *p); /* 1 */
int32_t pf_probe_failure_th(const struct pf_probe *p); /* 3 */

/* The decision logic alone: consecutive outcomes against the thresholds. */
struct pf_probe_state {
	enum pf_probe_result result; /* UNKNOWN until a threshold is first reached */
	int32_t successes, failures; /* consecutive */
};
/* Record one outcome; true when the result changed. */
bool pf_probe_record(struct pf_probe_state *s, const struct pf_probe *p, bool ok);
/* started: no startupProbe, or it succeeded (liveness and readiness run
 * only then); ready: started, and no readinessProbe or it succeeds. */
bool pf_probe_started(bool has_startup, enum pf_probe_result startup);
bool pf_probe_ready(bool started, bool has_readiness, enum pf_probe_result readiness);

struct pf_prober;
/* workers: threads that run probes (0 = 4). */
struct pf_prober *pf_prober_new(struct pf_runtime *rt, int workers);
void pf_prober_free(struct pf_prober *pr);
/* Moves whenever a probe result flipped. */
uint64_t pf_prober_changes(struct pf_prober *pr);

/* Container cid (container c of pod) runs since started_ms: start probing
 * it with p as kind (the first call), and return the result so far.
 * *event (NULL or a new string the caller frees) is the message of a flip
 * to failure not reported yet ("Readiness probe failed: HTTP probe failed
 * with statuscode: 500"), returned once. */
enum pf_probe_result pf_prober_get(struct pf_prober *pr, const char *cid, enum pf_probe_kind kind,
				   const struct pf_pod *pod, const struct pf_container *c,
				   const struct pf_probe *p, int64_t started_ms, char **event);
/* When container cid failing its liveness probe was told to stop (0 = not
 * yet); pf_prober_set_kill records it. */
int64_t pf_prober_kill_ms(struct pf_prober *pr, const char *cid);
void pf_prober_set_kill(struct pf_prober *pr, const char *cid, int64_t ms);
/* cid no longer runs: stop probing it. */
void pf_prober_forget(struct pf_prober *pr, const char *cid);

#endif
