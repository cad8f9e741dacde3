/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spawner.h - the one way node/ runs a child process (crun/runc, conmon, a
 * hook): fork + exec with a deadline, stdout and stderr captured, every
 * other descriptor closed in the child except those the caller passes on.
 *
 * It must not be bypassed (no system(3), no popen(3)): a deadline on every
 * child is what keeps a wedged runtime from wedging the node agent, and one
 * place to capture stderr is what lets errors be translated once.
 */
#ifndef PODFS_NODE_SPAWNER_H
#define PODFS_NODE_SPAWNER_H

#include <stdbool.h>

#include "errors.h"

struct pf_spawn {
	const char *const *argv; /* argv[0] is the program (a path or a name on PATH) */
	const char *const *env;	 /* "K=V" added to the environment; NULL-terminated or NULL */
	/* Descriptors the child gets at 3, 4, ... (in this order); -1 ends. */
	const int *pass_fds;
	size_t n_pass_fds;
	int timeout_ms;	  /* 0 = 30 s; the child is SIGKILLed at the deadline */
	bool keep_stdout; /* capture stdout into out (else /dev/null) */
	/* Wait only for the child itself, not for the EOF of its pipes: a
	 * daemonising child (conmon) leaves grandchildren holding them. */
	bool no_wait_eof;
	/* The child's stdin (else /dev/null): written into a pipe before the
	 * fork, so at most 64 KiB (a CNI network config). */
	const char *in;
	size_t in_len;
	/* The child's working directory (else the caller's): a program that
	 * writes files by relative name (conmon's "oom") writes them there. */
	const char *cwd;
};

struct pf_spawn_out {
	int status; /* exit status, or 128 + signal */
	char *out;  /* captured stdout (keep_stdout), NUL-terminated; may be NULL */
	char *err;  /* captured stderr, NUL-terminated, never NULL after a run */
};
void pf_spawn_out_free(struct pf_spawn_out *o);

/* Run it.  Returns 0 when the child ran (whatever its exit status: see
 * o->status), -ETIMEDOUT when it was killed at the deadline, -errno when it
 * could not be started (err says which program and why). */
int pf_spawn_run(const struct pf_spawn *s, struct pf_spawn_out *o, struct pf_err *err);

/* Fault injection for tests: when set, called before every spawn with the
 * argv; a negative return fails the spawn with that errno. */
extern int (*pf_spawn_hook)(const char *const *argv);

#endif
