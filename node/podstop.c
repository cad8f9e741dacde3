/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podstop.c - how a pod's containers come to an end in a syncPod pass:
 * deletion with its grace period and preStop hooks, activeDeadlineSeconds
 * (DeadlineExceeded), and the eviction of a pod whose emptyDir outgrew its
 * sizeLimit.  Part of the pass (podsync.c calls it); like the rest of the
 * pass it must not touch the store nor decide when the next pass runs
 * beyond asking for one (pf_sync_want_at).
 */
#include "podsync-internal.h"
#include "log.h"

#include <errno.h>
#include <signal.h>

/* While a preStop hook runs, the agent looks at it this often. */
#define HOOK_POLL_MS 100
/* kubelet's minimumGracePeriodInSeconds: what a container gets after its
 * preStop hook, however little of the grace period is left. */
#define MIN_GRACE_MS 2000

/* Every runtime ID the pod is known to have, from its status and from the
 * record (a container created by a pass whose write was lost). */
static void pod_ids(const struct pf_sync_ctx *ctx, struct pf_podrec *rec, const struct pf_pod *pod)
{
	const struct pf_pod_status *st = &pod->status;

	for (int pass = 0; pass < 2; pass++) {
		const struct pf_container_status *v =
		    pass ? st->container_statuses : st->init_container_statuses;
		size_t n = pass ? st->n_container_statuses : st->n_init_container_statuses;
		for (size_t i = 0; i < n; i++) {
			const char *id = pf_sync_own_id(ctx, v[i].container_id);
			if (id && !pf_strmap_get(&rec->ids, v[i].name))
				pf_podrec_add_id(rec, v[i].name, id);
		}
	}
}

static const struct pf_container *spec_container(const struct pf_pod *pod, const char *name)
{
	for (size_t i = 0; i < pod->spec.n_containers; i++)
		if (strcmp(pod->spec.containers[i].name, name) == 0)
			return &pod->spec.containers[i];
	for (size_t i = 0; i < pod->spec.n_init_containers; i++)
		if (strcmp(pod->spec.init_containers[i].name, name) == 0)
			return &pod->spec.init_containers[i];
	return NULL;
}

/* The running preStop hook of container name, NULL when none. */
static struct pf_hook *find_hook(struct pf_podrec *rec, const char *name)
{
	for (struct pf_hook *h = rec->hooks; h; h = h->next)
		if (strcmp(h->name, name) == 0)
			return h;
	return NULL;
}

/* kubelet's killContainer, first half: the Killing event, then the preStop
 * exec hook (on its own thread, with the grace period as its deadline)
 * instead of the stop signal.  true when the hook runs: the signal waits. */
static bool start_pre_stop(const struct pf_sync_ctx *ctx, struct pf_podrec *rec,
			   const struct pf_pod *pod, const char *name, const char *id,
			   int64_t grace, struct pf_sync_result *res)
{
	const struct pf_container *c = spec_container(pod, name);
	struct pf_err err = PF_ERR_INIT;
	struct pf_hook *h;

	if (pf_sync_hollow(ctx))
		pf_sync_add_event(res, "Normal", "Killing",
				  "Stopping container %s (hollow node: no process to stop)", name);
	else
		pf_sync_add_event(res, "Normal", "Killing", "Stopping container %s", name);
	if (!c || c->lifecycle.pre_stop.kind != PF_HANDLER_EXEC || !ctx->rt->ops->container_exec ||
	    grace <= 0)
		return false;
	h = pf_hook_start(ctx->rt, name, id, &c->lifecycle.pre_stop.exec_command, grace, &err);
	if (!h) {
		pf_sync_add_event(res, "Warning", "FailedPreStopHook", "PreStopHook failed: %s",
				  err.msg);
		return false;
	}
	h->next = rec->hooks;
	rec->hooks = h;
	return true;
}

/* The hook of container name, if any, is over (ended, or cut at the end of
 * the grace period): may the stop signal go?  kubelet then gives the
 * container what is left of the grace period, 2 seconds at least. */
static bool pre_stop_over(const struct pf_sync_ctx *ctx, struct pf_podrec *rec, const char *name,
			  struct pf_sync_result *res)
{
	struct pf_hook *h = find_hook(rec, name);
	struct pf_err err = PF_ERR_INIT;
	int rc = 0;
	bool done;

	if (!h || h->signalled)
		return true;
	done = pf_hook_done(h, &rc, &err);
	if (!done && ctx->now < rec->kill_ms) {
		pf_sync_want_at(res, ctx->now + HOOK_POLL_MS);
		return false;
	}
	if (done && rc < 0 && rc != -ETIMEDOUT)
		pf_sync_add_event(res, "Warning", "FailedPreStopHook", "PreStopHook failed: %s",
				  err.msg);
	else if (!done || rc == -ETIMEDOUT)
		pf_log(PF_LOG_INFO,
		       "pod %s: the preStop hook of container %s did not end within "
		       "the grace period",
		       rec->name, name);
	h->signalled = true;
	if (rec->kill_ms < ctx->now + MIN_GRACE_MS)
		rec->kill_ms = ctx->now + MIN_GRACE_MS;
	return true;
}

/*
 * Graceful deletion without blocking the agent: the Killing events go out
 * and the preStop hooks start on the first pass, and the stop signal with
 * them for containers without one; a later pass sends it once a hook ended
 * or the grace period ran out, SIGKILL goes out on the pass at the end of
 * the grace period, and the pass that finds nothing running removes the
 * containers and the sandbox and deletes the object.
 */
void pf_sync_delete(const struct pf_sync_ctx *ctx, struct pf_podrec *rec, struct pf_pod *pod,
		    struct pf_sync_result *res)
{
	int64_t grace = pod->meta.has_deletion_grace_period_seconds
			    ? pod->meta.deletion_grace_period_seconds
			: pod->spec.has_termination_grace_period_seconds
			    ? pod->spec.termination_grace_period_seconds
			    : 30;
	bool first = !rec->kill_ms, running = false, failed = false;

	if (!ctx->rt) {
		/* Nothing can have been started: the object can go. */
		res->action = PF_SYNC_DELETE;
		return;
	}
	pod_ids(ctx, rec, pod);
	for (size_t i = 0; ctx->prober && i < rec->ids.n; i++)
		pf_prober_forget(ctx->prober,
				 rec->ids.items[i].value); /* no probes while stopping */
	if (first)
		rec->kill_ms = ctx->now + grace * 1000;
	for (size_t i = 0; i < rec->ids.n; i++) {
		const char *name = rec->ids.items[i].key, *id = rec->ids.items[i].value;
		struct pf_rt_status st = {0};
		struct pf_err err = PF_ERR_INIT;
		int sig;

		if (pf_rt_container_status(ctx->rt, id, &st, &err) < 0 ||
		    st.state == PF_RT_EXITED) {
			pf_rt_status_free(&st);
			continue;
		}
		pf_rt_status_free(&st);
		running = true;
		sig = ctx->rt->ops->stop_signal ? ctx->rt->ops->stop_signal(ctx->rt, id) : SIGTERM;
		if (first) {
			if (start_pre_stop(ctx, rec, pod, name, id, grace, res)) {
				pf_sync_want_at(res, ctx->now + HOOK_POLL_MS);
				continue;
			}
		} else if (find_hook(rec, name) && !find_hook(rec, name)->signalled) {
			if (!pre_stop_over(ctx, rec, name, res))
				continue;
		} else if (ctx->now >= rec->kill_ms) {
			sig = SIGKILL;
			rec->killed = true;
		} else {
			continue;
		}
		if (pf_rt_container_kill(ctx->rt, id, sig, &err) < 0 && err.code != ENOENT) {
			pf_log(PF_LOG_WARN, "pod %s: stop container %s: %s", pod->meta.name, name,
			       err.msg);
			failed = true;
		}
	}
	if (running) {
		/* The hollow runtime's containers stop on the signal. */
		if (pf_sync_hollow(ctx))
			running = false;
	}
	if (running) {
		res->retry = failed;
		pf_sync_want_at(res, rec->killed || ctx->now >= rec->kill_ms ? ctx->now + 200
									     : rec->kill_ms);
		if (first)
			/* Store the Killing events with a timeline step. */
			pf_pod_timeline(pod, "Terminating", pf_wall_ms());
		if (res->n_events)
			res->action = PF_SYNC_WRITE;
		return;
	}
	pf_podrec_teardown(ctx->rt, rec);
	res->action = rec->ids.n || rec->sandbox_id ? PF_SYNC_KEEP : PF_SYNC_DELETE;
	res->retry = res->action == PF_SYNC_KEEP;
	if (res->retry)
		pf_sync_want_at(res, ctx->now + 200); /* not the minute-long resync */
}

/* One container of a pod past its deadline: stopped (at once, as kubelet
 * does when the pod's time is up), its state terminated, never restarted. */
static void deadline_stop(const struct pf_sync_ctx *ctx, struct pf_podrec *rec,
			  const struct pf_pod *pod, struct pf_container_status *cs,
			  struct pf_sync_result *res)
{
	const char *id = pf_strmap_get(&rec->ids, cs->name);
	struct pf_rt_status st = {0};
	struct pf_err err = PF_ERR_INIT;

	cs->ready = false;
	cs->started = PF_FALSE;
	if (!id)
		return; /* never created: it stays as it was (waiting) */
	if (ctx->prober)
		pf_prober_forget(ctx->prober, id);
	if (pf_rt_container_status(ctx->rt, id, &st, &err) == 0 && st.state != PF_RT_EXITED) {
		pf_sync_add_event(res, "Normal", "Killing", "Stopping container %s", cs->name);
		pf_rt_status_free(&st);
		if (pf_rt_container_stop(ctx->rt, id, 0, &err) < 0 && err.code != ENOENT)
			pf_log(PF_LOG_WARN, "pod %s: stop container %s: %s", pod->meta.name,
			       cs->name, err.msg);
		pf_err_clear(&err);
		if (pf_rt_container_status(ctx->rt, id, &st, &err) < 0)
			return;
	}
	if (st.state == PF_RT_EXITED) {
		pf_container_state_free(&cs->state);
		cs->state = pf_sync_exit_state(ctx, &st, cs);
	}
	pf_rt_status_free(&st);
}

/* The pod's time is up (deadline, eviction): every container stopped and
 * never restarted; initialized only if its init containers all completed. */
static void stop_for_good(const struct pf_sync_ctx *ctx, struct pf_podrec *rec, struct pf_pod *pod,
			  bool *initialized, struct pf_sync_result *res)
{
	struct pf_pod_status *st = &pod->status;

	pod_ids(ctx, rec, pod);
	for (size_t i = 0; i < st->n_init_container_statuses; i++)
		if (st->init_container_statuses[i].state.kind != PF_CSTATE_TERMINATED ||
		    st->init_container_statuses[i].state.exit_code != 0)
			*initialized = false;
	for (size_t i = 0; i < st->n_init_container_statuses; i++)
		deadline_stop(ctx, rec, pod, &st->init_container_statuses[i], res);
	for (size_t i = 0; i < st->n_container_statuses; i++)
		deadline_stop(ctx, rec, pod, &st->container_statuses[i], res);
}

/* activeDeadlineSeconds ran out: kill what runs, the pod Failed. */
bool pf_sync_deadline_exceeded(const struct pf_sync_ctx *ctx, struct pf_podrec *rec,
			       struct pf_pod *pod, bool *initialized, struct pf_sync_result *res)
{
	struct pf_pod_status *st = &pod->status;
	int64_t start = st->start_time_ms;

	if (!pod->spec.has_active_deadline_seconds || !start)
		return false;
	if (ctx->now < start + pod->spec.active_deadline_seconds * 1000) {
		pf_sync_want_at(res, start + pod->spec.active_deadline_seconds * 1000);
		return false;
	}
	pf_sync_add_event(res, "Warning", "DeadlineExceeded",
			  "Pod was active on the node longer than the specified deadline");
	stop_for_good(ctx, rec, pod, initialized, res);
	return true;
}

/*
 * kubelet's eviction of a pod whose disk-backed emptyDir outgrew its
 * sizeLimit (the eviction manager's emptyDir check): the containers are
 * killed without a grace period and the pod Failed with reason Evicted.
 * Looked at on every pass, and every EVICTION_CHECK_MS while such a pod
 * lives.  A medium: Memory volume needs no check: its tmpfs is that size.
 * Returns kubelet's message when the pod is evicted, else NULL.
 */
#define EVICTION_CHECK_MS 2000
char *pf_sync_volume_over_limit(const struct pf_sync_ctx *ctx, struct pf_podrec *rec,
				struct pf_pod *pod, bool *initialized, struct pf_sync_result *res)
{
	bool checked = false;

	if (!ctx->rt->ops->volume_usage)
		return NULL;
	for (size_t i = 0; i < pod->spec.n_volumes; i++) {
		const struct pf_volume *v = &pod->spec.volumes[i];
		struct pf_err err = PF_ERR_INIT;
		int64_t used = 0;
		char *m;

		if (v->kind != PF_VOLUME_EMPTYDIR || !v->empty_dir_size_limit.str ||
		    (v->empty_dir_medium && strcmp(v->empty_dir_medium, "Memory") == 0))
			continue;
		checked = true;
		if (ctx->rt->ops->volume_usage(ctx->rt, pod->meta.uid, v->name, &used, &err) < 0) {
			pf_err_clear(&err); /* not made yet */
			continue;
		}
		if (used * 1000 <= v->empty_dir_size_limit.milli)
			continue;
		m = pf_xasprintf("Usage of EmptyDir volume \"%s\" exceeds the limit \"%s\".",
				 v->name, v->empty_dir_size_limit.str);
		pf_sync_add_event(res, "Warning", "Evicted", "%s", m);
		stop_for_good(ctx, rec, pod, initialized, res);
		return m;
	}
	if (checked)
		pf_sync_want_at(res, ctx->now + EVICTION_CHECK_MS);
	return NULL;
}
