/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hook.c - preStop exec hooks on their own threads (hook.h).  The thread
 * only runs the command and records how it went; every decision (when to
 * signal the container, which event to record) stays with the agent.
 */
#include "hook.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>

struct pf_hook_run {
	struct pf_runtime *rt;
	char *id;
	struct pf_strlist argv;
	int64_t timeout_s;
	pthread_t thread;
	bool done; /* atomic: set by the thread as its last act */
	int rc;
	struct pf_err err;
};

static void *hook_thread(void *arg)
{
	struct pf_hook_run *r = arg;

	r->rc = r->rt->ops->container_exec(r->rt, r->id, &r->argv, r->timeout_s, &r->err);
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void run_free(struct pf_hook_run *r)
{
	free(r->id);
	pf_strlist_free(&r->argv);
	pf_err_clear(&r->err);
	free(r);
}

struct pf_hook *pf_hook_start(struct pf_runtime *rt, const char *name, const char *id,
			      const struct pf_strlist *argv, int64_t timeout_s, struct pf_err *err)
{
	struct pf_hook_run *r = pf_xcalloc(1, sizeof(*r));
	struct pf_hook *h;
	int e;

	r->rt = rt;
	r->id = pf_xstrdup(id);
	for (size_t i = 0; i < argv->n; i++)
		pf_strlist_add(&r->argv, argv->items[i]);
	r->timeout_s = timeout_s;
	e = pthread_create(&r->thread, NULL, hook_thread, r);
	if (e) {
		run_free(r);
		pf_err_sys(err, e, "start the preStop hook of container %s", name);
		return NULL;
	}
	h = pf_xcalloc(1, sizeof(*h));
	h->name = pf_xstrdup(name);
	h->run = r;
	return h;
}

bool pf_hook_done(struct pf_hook *h, int *rc, struct pf_err *err)
{
	struct pf_hook_run *r = h->run;

	if (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
		return false;
	*rc = r->rc;
	if (r->rc < 0)
		pf_err_set(err, r->err.code ? r->err.code : EIO, "%s", r->err.msg);
	return true;
}

void pf_hook_free(struct pf_hook *h)
{
	if (!h)
		return;
	pthread_join(h->run->thread, NULL);
	run_free(h->run);
	free(h->name);
	free(h);
}
