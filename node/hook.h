/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hook.h - a container's preStop exec hook, run on a thread of its own so
 * that the agent thread never waits for it: a hook may take the whole grace
 * period (or hang), and one pod's hook must not hold up every other pod.
 *
 * The thread calls the runtime's container_exec (which is safe off the
 * agent thread: the prober calls it from its workers too) with the grace
 * period as its deadline, so it ends by then at the latest.  The agent
 * polls pf_hook_done on its passes.
 */
#ifndef PODFS_NODE_HOOK_H
#define PODFS_NODE_HOOK_H

#include "runtime.h"

struct pf_hook {
	char *name;	      /* the container's */
	bool signalled;	      /* the agent sent the stop signal after it (agent's field) */
	struct pf_hook *next; /* the pod record's list (agent's field) */
	struct pf_hook_run *run;
};

/* Start argv in container id (named name) with a deadline of timeout_s
 * seconds.  NULL when no thread could be started (err says why). */
struct pf_hook *pf_hook_start(struct pf_runtime *rt, const char *name, const char *id,
			      const struct pf_strlist *argv, int64_t timeout_s, struct pf_err *err);
/* Has it ended?  Once it has: 0 when the command exited 0, else -errno
 * with the sentence in err. */
bool pf_hook_done(struct pf_hook *h, int *rc, struct pf_err *err);
/* Waits for the thread (at most until the hook's deadline) and frees it.
 * NULL is fine. */
void pf_hook_free(struct pf_hook *h);

#endif
