/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podsync.c - one syncPod pass: runtime calls and the pod's new status, in
 * kubelet's words (conditions, containerStatuses, events).
 *
 * Idempotent by construction: a pass over a pod whose containers already
 * run and whose status already says so changes nothing, so the agent can
 * run a pass on every watch event and every resync without writing, and a
 * restarted agent adopts what runs instead of starting it again.  It must
 * not touch the store (agent.c writes) nor decide timing (agent.c again).
 */
#include "podsync-internal.h"
#include "log.h"
#include "manifest.h"
#include "podstatus.h"

#include <errno.h>
#include <signal.h>

void pf_podrec_free(struct pf_podrec *rec)
{
	if (!rec)
		return;
	free(rec->name);
	free(rec->uid);
	free(rec->sandbox_id);
	pf_strmap_free(&rec->ids);
	pf_podrec_drop_hooks(rec);
	for (size_t i = 0; i < rec->n_pulls; i++) {
		free(rec->pulls[i].image);
		free(rec->pulls[i].why);
	}
	free(rec->pulls);
	free(rec);
}

void pf_podrec_drop_hooks(struct pf_podrec *rec)
{
	while (rec->hooks) {
		struct pf_hook *h = rec->hooks;
		rec->hooks = h->next;
		pf_hook_free(h);
	}
}

void pf_sync_result_free(struct pf_sync_result *r)
{
	for (size_t i = 0; i < r->n_events; i++)
		free(r->events[i].message);
	free(r->events);
	memset(r, 0, sizeof(*r));
}

/* ---- status pieces ------------------------------------------------------ */

static void set_cond(struct pf_pod_status *st, const char *type, bool ok, const char *reason,
		     const char *message, int64_t now)
{
	const char *status = ok ? "True" : "False";
	struct pf_condition *c = pf_condition_find(st->conditions, st->n_conditions, type);

	if (!c) {
		st->conditions = pf_xrealloc(st->conditions, (st->n_conditions + 1) * sizeof(*c));
		c = &st->conditions[st->n_conditions++];
		memset(c, 0, sizeof(*c));
		c->type = pf_xstrdup(type);
	}
	if (!c->status || strcmp(c->status, status) != 0) {
		free(c->status);
		c->status = pf_xstrdup(status);
		c->last_transition_ms = now;
	}
	free(c->reason);
	free(c->message);
	c->reason = reason ? pf_xstrdup(reason) : NULL;
	c->message = message ? pf_xstrdup(message) : NULL;
}

/* kubelet's order of pod conditions. */
static void order_conds(struct pf_pod_status *st)
{
	static const char *const order[] = {"PodReadyToStartContainers", "Initialized", "Ready",
					    "ContainersReady", "PodScheduled"};
	size_t k = 0;

	for (size_t o = 0; o < PF_ARRAY_SIZE(order); o++)
		for (size_t i = k; i < st->n_conditions; i++)
			if (strcmp(st->conditions[i].type, order[o]) == 0) {
				struct pf_condition t = st->conditions[k];
				st->conditions[k] = st->conditions[i];
				st->conditions[i] = t;
				k++;
				break;
			}
}

static void cs_free(struct pf_container_status *cs)
{
	free(cs->name);
	pf_container_state_free(&cs->state);
	pf_container_state_free(&cs->last_state);
	free(cs->image);
	free(cs->image_id);
	free(cs->container_id);
	memset(cs, 0, sizeof(*cs));
}

static struct pf_container_status *find_cs(struct pf_container_status *v, size_t n,
					   const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].name && strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static void set_state(struct pf_container_state *s, enum pf_cstate_kind kind, const char *reason,
		      const char *message)
{
	pf_container_state_free(s);
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->reason = reason ? pf_xstrdup(reason) : NULL;
	s->message = message ? pf_xstrdup(message) : NULL;
}

/* ---- the pass ----------------------------------------------------------- */

enum cres {
	C_WAITING = 0, /* not running yet: creating, an image missing, a failure */
	C_RUNNING,
	C_DONE,	   /* terminated and staying so (or an init container completed) */
	C_BACKOFF, /* terminated, restarting after the crash loop back-off */
};

static bool timeline_has(const struct pf_pod *pod, const char *step);

/* kubelet's crash loop back-off: the first restart is at once, then 10 s,
 * doubling to 300 s; a container that ran 10 minutes starts over. */
static int64_t backoff_ms(const struct pf_sync_ctx *ctx, int restarts, int64_t ran_ms)
{
	int64_t base = ctx->backoff_base_ms > 0 ? ctx->backoff_base_ms : 10000;
	int64_t max = ctx->backoff_max_ms > 0	 ? ctx->backoff_max_ms
		      : ctx->backoff_base_ms > 0 ? base * 30
						 : 300000;
	int64_t d = base;

	if (restarts <= 0 || ran_ms >= 600000)
		return 0;
	for (int i = 1; i < restarts && d < max; i++)
		d *= 2;
	return d < max ? d : max;
}

static char *fmt_duration(int64_t ms)
{
	if (ms % 1000 == 0) {
		int64_t s = ms / 1000;
		if (s >= 60 && s % 60 == 0)
			return pf_xasprintf("%lldm0s", (long long)(s / 60));
		if (s >= 60)
			return pf_xasprintf("%lldm%llds", (long long)(s / 60), (long long)(s % 60));
		return pf_xasprintf("%llds", (long long)s);
	}
	return pf_xasprintf("%lldms", (long long)ms);
}

static bool should_restart(const struct pf_pod *pod, const struct pf_container *c, bool init,
			   int code)
{
	const char *policy = pod->spec.restart_policy ? pod->spec.restart_policy : "Always";

	if (init && c->restart_policy && strcmp(c->restart_policy, "Always") == 0)
		return true; /* a sidecar */
	if (init)
		return code != 0 && strcmp(policy, "Never") != 0;
	if (strcmp(policy, "Always") == 0)
		return true;
	return strcmp(policy, "OnFailure") == 0 && code != 0;
}

/* The pod's IP, as soon as the sandbox's network is attached: the runtime
 * may attach it while the first container is created (sandbox_network in
 * runtime.h).  false when the attachment failed: the runtime removed the
 * sandbox (and a container created in it), the pod stays
 * ContainerCreating and a later pass makes a new sandbox. */
static bool sandbox_network(const struct pf_sync_ctx *ctx, struct pf_podrec *rec,
			    struct pf_pod *pod, struct pf_container_status *cs,
			    struct pf_sync_result *res)
{
	struct pf_err err = PF_ERR_INIT;
	_cleanup_free_ char *ip = NULL;
	int64_t ms = 0;

	if (ctx->rt->ops->sandbox_network &&
	    ctx->rt->ops->sandbox_network(ctx->rt, rec->sandbox_id, &ip, &ms, &err) < 0) {
		_cleanup_free_ char *m = pf_xasprintf("Failed to create pod sandbox: %s", err.msg);
		free(rec->sandbox_id);
		rec->sandbox_id = NULL;
		set_state(&cs->state, PF_CSTATE_WAITING, "ContainerCreating", m);
		pf_sync_add_event(res, "Warning", "FailedCreatePodSandBox", "%s", m);
		return false;
	}
	if (!ctx->rt->ops->sandbox_network && ctx->rt->ops->sandbox_ip)
		ip = ctx->rt->ops->sandbox_ip(ctx->rt, rec->sandbox_id);
	if (ip && (!pod->status.pod_ip || strcmp(pod->status.pod_ip, ip) != 0)) {
		_cleanup_free_ char *step = pf_xasprintf("network ready %s", ip);
		free(pod->status.pod_ip);
		pod->status.pod_ip = pf_xstrdup(ip);
		pf_pod_timeline(pod, step, ms ? ms : pf_wall_ms());
	}
	return true;
}

/* Does c's environment name the pod's IP (fieldRef status.podIP)?  Then
 * it is created once the network is attached, not beside the attachment. */
static bool wants_pod_ip(const struct pf_container *c)
{
	for (size_t i = 0; i < c->n_env; i++) {
		const char *f = c->env[i].field_ref_path;
		if (f && (strcmp(f, "status.podIP") == 0 || strcmp(f, "status.podIPs") == 0))
			return true;
	}
	return false;
}

static struct pf_pull_backoff *pull_backoff(struct pf_podrec *rec, const char *image, bool make)
{
	for (size_t i = 0; i < rec->n_pulls; i++)
		if (strcmp(rec->pulls[i].image, image) == 0)
			return &rec->pulls[i];
	if (!make)
		return NULL;
	rec->pulls = pf_xrealloc(rec->pulls, (rec->n_pulls + 1) * sizeof(*rec->pulls));
	rec->pulls[rec->n_pulls] = (struct pf_pull_backoff){.image = pf_xstrdup(image)};
	return &rec->pulls[rec->n_pulls++];
}

static bool waiting_for(const struct pf_container_status *cs, const char *reason)
{
	return cs->state.kind == PF_CSTATE_WAITING && cs->state.reason &&
	       strcmp(cs->state.reason, reason) == 0;
}

/*
 * kubelet's image puller: an attempt that fails gives ErrImagePull and
 * starts a back-off (the crash loop's 10 s doubling to 300 s, per image of
 * the pod); passes within it make no attempt and say ImagePullBackOff;
 * the first pass after it tries again.  "Pulling" here is finding the
 * image in the local store, so one imported meanwhile starts the pod at
 * the next attempt.  ErrImagePull shows for at most a second before the
 * back-off's word, as kubectl shows it.
 */
static bool image_present(const struct pf_sync_ctx *ctx, struct pf_podrec *rec,
			  const struct pf_container *c, struct pf_container_status *cs,
			  struct pf_sync_result *res, char **image_id)
{
	struct pf_pull_backoff *pb = pull_backoff(rec, c->image, false);
	struct pf_err err = PF_ERR_INIT;
	int64_t delay;

	if (pb && ctx->now < pb->next_ms) {
		if (!waiting_for(cs, "ImagePullBackOff")) {
			_cleanup_free_ char *m =
			    pf_xasprintf("Back-off pulling image \"%s\": %s", c->image, pb->why);
			set_state(&cs->state, PF_CSTATE_WAITING, "ImagePullBackOff", m);
			pf_sync_add_event(res, "Normal", "BackOff", "Back-off pulling image \"%s\"",
					  c->image);
			pf_sync_add_event(res, "Warning", "Failed", "Error: ImagePullBackOff");
			res->write = true;
		}
		pf_sync_want_at(res, pb->next_ms);
		return false;
	}
	if (ctx->rt->ops->image_status(ctx->rt, c->image, image_id, &err) == 0) {
		if (pb) {
			free(pb->image);
			free(pb->why);
			*pb = rec->pulls[--rec->n_pulls];
		}
		return true;
	}
	pb = pull_backoff(rec, c->image, true);
	pb->fails++;
	delay = backoff_ms(ctx, pb->fails, 0);
	pb->next_ms = ctx->now + delay;
	free(pb->why);
	pb->why = pf_xstrdup(err.msg);
	set_state(&cs->state, PF_CSTATE_WAITING, "ErrImagePull", err.msg);
	pf_sync_add_event(res, "Warning", "Failed", "Failed to pull image \"%s\": %s", c->image,
			  err.msg);
	pf_sync_add_event(res, "Warning", "Failed", "Error: ErrImagePull");
	res->write = true;
	pf_sync_want_at(res, ctx->now + (delay < 1000 ? delay : 1000));
	pf_err_clear(&err);
	return false;
}

/* Create and start container c (attempt = its restartCount). */
static int create_start(const struct pf_sync_ctx *ctx, struct pf_podrec *rec, struct pf_pod *pod,
			const struct pf_container *c, bool init, struct pf_container_status *cs,
			struct pf_sync_result *res, bool *failed)
{
	struct pf_err err = PF_ERR_INIT;
	_cleanup_free_ char *new_id = NULL, *image_id = NULL;
	bool attaching = false; /* the new sandbox's network attaches meanwhile */
	int64_t created_ms;
	int r;

	if (ctx->rt->ops->image_status) {
		if (!image_present(ctx, rec, c, cs, res, &image_id))
			return C_WAITING;
		pf_sync_add_event(res, "Normal", "Pulled",
				  "Container image \"%s\" already present on machine", c->image);
		free(cs->image_id);
		cs->image_id = PF_TAKE(image_id);
	}
	if (!rec->sandbox_id) {
		r = pf_rt_sandbox_create(ctx->rt, pod, &rec->sandbox_id, &err);
		if (r < 0) {
			_cleanup_free_ char *m =
			    pf_xasprintf("Failed to create pod sandbox: %s", err.msg);
			set_state(&cs->state, PF_CSTATE_WAITING, "ContainerCreating", m);
			pf_sync_add_event(res, "Warning", "FailedCreatePodSandBox", "%s", m);
			*failed = true;
			return C_WAITING;
		}
		if (!pf_sync_hollow(ctx) &&
		    !strstr(pf_strmap_get(&pod->meta.annotations, PF_TIMELINE_ANNOTATION) ?: "",
			    " sandbox ready"))
			pf_pod_timeline(pod, "sandbox ready", pf_wall_ms());
		attaching = !wants_pod_ip(c);
		if (!attaching && !sandbox_network(ctx, rec, pod, cs, res)) {
			*failed = true;
			return C_WAITING;
		}
	}
	r = pf_rt_container_create(ctx->rt, rec->sandbox_id, pod, c, init, cs->restart_count,
				   &new_id, &err);
	created_ms = pf_wall_ms();
	if (attaching && !sandbox_network(ctx, rec, pod, cs, res)) {
		*failed = true;
		return C_WAITING;
	}
	if (r == -ENOENT && !strstr(err.msg, "image")) {
		/* The sandbox went away under us: make it again next pass. */
		free(rec->sandbox_id);
		rec->sandbox_id = NULL;
	}
	if (r < 0) {
		set_state(&cs->state, PF_CSTATE_WAITING, "CreateContainerError", err.msg);
		pf_sync_add_event(res, "Warning", "Failed", "Error: %s", err.msg);
		*failed = true;
		return C_WAITING;
	}
	pf_podrec_add_id(rec, c->name, new_id);
	free(cs->container_id);
	cs->container_id = pf_xasprintf("%s://%s", pf_runtime_name(ctx->rt), new_id);
	if (!pf_sync_hollow(ctx)) {
		_cleanup_free_ char *step = pf_xasprintf("container %s created", c->name);
		pf_sync_add_event(res, "Normal", "Created", "Created container %s", c->name);
		pf_pod_timeline(pod, step, created_ms);
	}
	r = pf_rt_container_start(ctx->rt, new_id, &err);
	if (r < 0) {
		set_state(&cs->state, PF_CSTATE_WAITING, "RunContainerError", err.msg);
		pf_sync_add_event(res, "Warning", "Failed", "Error: %s", err.msg);
		*failed = true;
		return C_WAITING;
	}
	if (pf_sync_hollow(ctx)) {
		pf_sync_add_event(
		    res, "Normal", "Started",
		    "Started container %s (hollow node: the fake runtime runs no process)",
		    c->name);
	} else {
		_cleanup_free_ char *step = pf_xasprintf("container %s started", c->name);
		pf_sync_add_event(res, "Normal", "Started", "Started container %s", c->name);
		pf_pod_timeline(pod, step, pf_wall_ms());
	}
	pf_container_state_free(&cs->state);
	memset(&cs->state, 0, sizeof(cs->state));
	return -1; /* read its status now */
}

/* The latest result of one of c's probes; a result that turned to failure
 * comes with kubelet's Unhealthy event. */
static enum pf_probe_result probe_result(const struct pf_sync_ctx *ctx, const char *id,
					 enum pf_probe_kind kind, struct pf_pod *pod,
					 const struct pf_container *c, const struct pf_probe *probe,
					 int64_t started, struct pf_sync_result *res)
{
	char *ev = NULL;
	enum pf_probe_result r = pf_prober_get(ctx->prober, id, kind, pod, c, probe, started, &ev);

	if (ev)
		pf_sync_add_event(res, "Warning", "Unhealthy", "%s", ev);
	free(ev);
	return r;
}

/* A running container's probes: started, ready, and a liveness failure
 * stops it (the exit then restarts it per restartPolicy, as any exit). */
static enum cres probe_container(const struct pf_sync_ctx *ctx, struct pf_pod *pod,
				 const struct pf_container *c, const char *id,
				 struct pf_container_status *cs, struct pf_sync_result *res)
{
	enum pf_probe_result sr = PF_PROBE_UNKNOWN, lr = PF_PROBE_UNKNOWN, rr = PF_PROBE_UNKNOWN;
	int64_t started = cs->state.started_ms;
	bool is_started;

	if (!ctx->prober) {
		cs->ready = true;
		cs->started = PF_TRUE;
		return C_RUNNING;
	}
	if (c->startup_probe.set)
		sr = probe_result(ctx, id, PF_PROBE_STARTUP, pod, c, &c->startup_probe, started,
				  res);
	is_started = pf_probe_started(c->startup_probe.set, sr);
	cs->started = is_started ? PF_TRUE : PF_FALSE;
	if (is_started && c->liveness_probe.set)
		lr = probe_result(ctx, id, PF_PROBE_LIVENESS, pod, c, &c->liveness_probe, started,
				  res);
	if (is_started && c->readiness_probe.set)
		rr = probe_result(ctx, id, PF_PROBE_READINESS, pod, c, &c->readiness_probe, started,
				  res);
	cs->ready = pf_probe_ready(is_started, c->readiness_probe.set, rr);
	if (lr == PF_PROBE_FAILURE || sr == PF_PROBE_FAILURE) {
		/* kubelet kills with the probe's grace period, else the pod's. */
		const struct pf_probe *p =
		    lr == PF_PROBE_FAILURE ? &c->liveness_probe : &c->startup_probe;
		int64_t grace = p->has_termination_grace_period_seconds
				    ? p->termination_grace_period_seconds
				: pod->spec.has_termination_grace_period_seconds
				    ? pod->spec.termination_grace_period_seconds
				    : 30;
		int64_t kill = pf_prober_kill_ms(ctx->prober, id);
		struct pf_err err = PF_ERR_INIT;

		cs->ready = false;
		if (!kill) {
			int sig = ctx->rt->ops->stop_signal ? ctx->rt->ops->stop_signal(ctx->rt, id)
							    : SIGTERM;
			pf_sync_add_event(res, "Normal", "Killing",
					  "Container %s failed %s probe, will be restarted",
					  c->name, lr == PF_PROBE_FAILURE ? "liveness" : "startup");
			kill = ctx->now + grace * 1000;
			pf_prober_set_kill(ctx->prober, id, kill);
			if (pf_rt_container_kill(ctx->rt, id, sig, &err) < 0)
				pf_err_clear(&err);
			pf_sync_want_at(res, kill);
		} else if (ctx->now >= kill) {
			if (pf_rt_container_kill(ctx->rt, id, SIGKILL, &err) < 0)
				pf_err_clear(&err);
			pf_sync_want_at(res, ctx->now + 1000);
		} else {
			pf_sync_want_at(res, kill);
		}
	}
	return C_RUNNING;
}

/* Bring one container to life or learn how it is: fills cs from the runtime. */
static enum cres sync_container(const struct pf_sync_ctx *ctx, struct pf_podrec *rec,
				struct pf_pod *pod, const struct pf_container *c, bool init,
				struct pf_container_status *cs, struct pf_sync_result *res,
				bool *failed)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_rt_status st = {0};
	_cleanup_free_ char *id = NULL;
	bool sidecar = init && c->restart_policy && strcmp(c->restart_policy, "Always") == 0;
	int r;

	if (init && !sidecar && cs->state.kind == PF_CSTATE_TERMINATED && cs->state.exit_code == 0)
		return C_DONE; /* completed init containers never run again */
	{
		/* A container created by an earlier pass whose status write was
		 * lost (a compare-and-swap race) is adopted, never created twice. */
		const char *known = pf_strmap_get(&rec->ids, c->name);
		const char *own = pf_sync_own_id(ctx, cs->container_id);
		if (known)
			id = pf_xstrdup(known);
		else if (own)
			id = pf_xstrdup(own);
	}
again:
	if (id) {
		r = pf_rt_container_status(ctx->rt, id, &st, &err);
		if (r == -ENOENT) {
			pf_err_clear(&err);
			for (size_t i = 0; i < rec->ids.n; i++)
				if (strcmp(rec->ids.items[i].key, c->name) == 0) {
					pf_podrec_drop_id(rec, i);
					break;
				}
			free(id);
			id = NULL; /* gone: created again below */
		} else if (r < 0) {
			set_state(&cs->state, PF_CSTATE_WAITING, "ContainerStatusUnknown", err.msg);
			*failed = true;
			return C_WAITING;
		} else {
			pf_podrec_add_id(rec, c->name, id);
			if (!pf_sync_own_id(ctx, cs->container_id) ||
			    strcmp(pf_sync_own_id(ctx, cs->container_id), id) != 0) {
				free(cs->container_id);
				cs->container_id =
				    pf_xasprintf("%s://%s", pf_runtime_name(ctx->rt), id);
			}
		}
	}
	if (!id) {
		r = create_start(ctx, rec, pod, c, init, cs, res, failed);
		if (r >= 0)
			return (enum cres)r;
		id = pf_xstrdup(pf_strmap_get(&rec->ids, c->name));
		goto again;
	}

	if (st.state == PF_RT_CREATED) {
		/* Created by a pass that did not live to start it. */
		if (pf_rt_container_start(ctx->rt, id, &err) < 0) {
			set_state(&cs->state, PF_CSTATE_WAITING, "RunContainerError", err.msg);
			*failed = true;
			pf_rt_status_free(&st);
			return C_WAITING;
		}
		pf_sync_add_event(res, "Normal", "Started", "Started container %s", c->name);
		pf_rt_status_free(&st);
		goto again;
	}
	if (st.state == PF_RT_RUNNING) {
		if (cs->state.kind != PF_CSTATE_RUNNING) {
			set_state(&cs->state, PF_CSTATE_RUNNING, NULL, NULL);
			cs->state.started_ms = st.started_ms ? st.started_ms : ctx->now;
		}
		pf_rt_status_free(&st);
		return probe_container(ctx, pod, c, id, cs, res);
	}

	/* Exited. */
	if (ctx->prober)
		pf_prober_forget(ctx->prober, id);
	struct pf_container_state term = pf_sync_exit_state(ctx, &st, cs);
	pf_rt_status_free(&st);
	cs->ready = init && !sidecar && term.exit_code == 0;
	cs->started = PF_FALSE;

	if (!should_restart(pod, c, init, term.exit_code)) {
		if (cs->state.kind != PF_CSTATE_TERMINATED ||
		    cs->state.finished_ms != term.finished_ms) {
			pf_container_state_free(&cs->state);
			cs->state = term;
		} else {
			pf_container_state_free(&term);
		}
		return C_DONE;
	}

	int64_t delay = backoff_ms(ctx, cs->restart_count, term.finished_ms - term.started_ms);
	int64_t at = term.finished_ms + delay;
	if (ctx->now < at) {
		bool entering = !(cs->state.kind == PF_CSTATE_WAITING && cs->state.reason &&
				  strcmp(cs->state.reason, "CrashLoopBackOff") == 0);
		_cleanup_free_ char *d = fmt_duration(delay);
		_cleanup_free_ char *m = pf_xasprintf(
		    "back-off %s restarting failed container=%s pod=%s_%s(%s)", d, c->name,
		    pod->meta.name, pod->meta.namespace_ ? pod->meta.namespace_ : "default",
		    pod->meta.uid ? pod->meta.uid : "");
		pf_container_state_free(&cs->last_state);
		cs->last_state = term;
		set_state(&cs->state, PF_CSTATE_WAITING, "CrashLoopBackOff", m);
		if (entering)
			pf_sync_add_event(
			    res, "Warning", "BackOff",
			    "Back-off restarting failed container %s in pod %s_%s(%s)", c->name,
			    pod->meta.name, pod->meta.namespace_ ? pod->meta.namespace_ : "default",
			    pod->meta.uid ? pod->meta.uid : "");
		pf_sync_want_at(res, at);
		return C_BACKOFF;
	}

	/* Restart: the dead container goes (its log stays, as logs.previous),
	 * a new one with the next attempt number takes its place. */
	r = ctx->rt->ops->container_remove(ctx->rt, id, &err);
	if (r < 0 && r != -ENOENT) {
		pf_log(PF_LOG_WARN, "pod %s: remove exited container %s: %s", pod->meta.name,
		       c->name, err.msg);
		pf_err_clear(&err);
	}
	for (size_t i = 0; i < rec->ids.n; i++)
		if (strcmp(rec->ids.items[i].key, c->name) == 0) {
			pf_podrec_drop_id(rec, i);
			break;
		}
	pf_container_state_free(&cs->last_state);
	cs->last_state = term;
	cs->restart_count++;
	free(id);
	id = NULL;
	r = create_start(ctx, rec, pod, c, init, cs, res, failed);
	if (r >= 0)
		return (enum cres)r;
	id = pf_xstrdup(pf_strmap_get(&rec->ids, c->name));
	goto again;
}

/* Rebuild the status list of a set of containers in spec order, keeping
 * what each had (IDs, start times, restart counts). */
static struct pf_container_status *rebuild_statuses(const struct pf_container *spec, size_t n,
						    struct pf_container_status *old, size_t n_old)
{
	struct pf_container_status *v = pf_xcalloc(n ? n : 1, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		struct pf_container_status *o = find_cs(old, n_old, spec[i].name);
		if (o) {
			v[i] = *o;
			memset(o, 0, sizeof(*o));
		}
		free(v[i].name);
		v[i].name = pf_xstrdup(spec[i].name);
		free(v[i].image);
		v[i].image = pf_xstrdup(spec[i].image ? spec[i].image : "");
		if (!v[i].image_id)
			v[i].image_id = pf_xstrdup("");
	}
	for (size_t i = 0; i < n_old; i++)
		cs_free(&old[i]);
	free(old);
	return v;
}

static void names_where(struct pf_buf *b, const struct pf_container_status *v, size_t n,
			bool (*pred)(const struct pf_container_status *))
{
	bool first = true;

	pf_buf_addc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (!pred(&v[i]))
			continue;
		pf_buf_addf(b, "%s%s", first ? "" : " ", v[i].name);
		first = false;
	}
	pf_buf_addc(b, ']');
}

static bool not_ready(const struct pf_container_status *cs)
{
	return !cs->ready;
}

/* Has the pod's timeline a line "<ms> step"? */
static bool timeline_has(const struct pf_pod *pod, const char *step)
{
	const char *tl = pf_strmap_get(&pod->meta.annotations, PF_TIMELINE_ANNOTATION);
	size_t n = strlen(step);

	for (const char *l = tl; l && *l;) {
		const char *sp = strchr(l, ' '), *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		if (sp && sp < l + len && (size_t)(l + len - sp - 1) == n &&
		    strncmp(sp + 1, step, n) == 0)
			return true;
		l = nl ? nl + 1 : NULL;
	}
	return false;
}

/* Kubernetes' pod phase from the container states (kubelet's getPhase). */
static const char *compute_phase(const struct pf_pod *pod, bool initialized, bool init_failed)
{
	const struct pf_pod_status *st = &pod->status;
	const char *policy = pod->spec.restart_policy ? pod->spec.restart_policy : "Always";
	int running = 0, waiting = 0, stopped = 0, succeeded = 0;

	if (init_failed)
		return "Failed";
	if (!initialized)
		return "Pending";
	for (size_t i = 0; i < st->n_container_statuses; i++) {
		const struct pf_container_status *cs = &st->container_statuses[i];
		switch (cs->state.kind) {
		case PF_CSTATE_RUNNING:
			running++;
			break;
		case PF_CSTATE_TERMINATED:
			stopped++;
			succeeded += cs->state.exit_code == 0;
			break;
		case PF_CSTATE_WAITING:
			if (cs->last_state.kind == PF_CSTATE_TERMINATED)
				stopped++;
			else
				waiting++;
			break;
		default:
			waiting++;
		}
	}
	if (waiting)
		return "Pending";
	if (running)
		return "Running";
	if (stopped) {
		if (strcmp(policy, "Always") == 0)
			return "Running";
		if (stopped == succeeded)
			return "Succeeded";
		if (strcmp(policy, "Never") == 0)
			return "Failed";
		/* OnFailure: is anything still to restart? */
		for (size_t i = 0; i < st->n_container_statuses; i++)
			if (st->container_statuses[i].state.kind != PF_CSTATE_TERMINATED)
				return "Running";
		return stopped == succeeded ? "Succeeded" : "Running";
	}
	return "Pending";
}

/* No runtime can run (kubelet with its runtime down): every container
 * waits, and the pod says why. */
static void sandbox_down(const struct pf_sync_ctx *ctx, struct pf_pod_status *st,
			 struct pf_sync_result *res)
{
	_cleanup_free_ char *m = pf_xasprintf("Failed to create pod sandbox: %s", ctx->rt_down);

	for (size_t i = 0; i < st->n_init_container_statuses; i++)
		set_state(&st->init_container_statuses[i].state, PF_CSTATE_WAITING,
			  "PodInitializing", NULL);
	for (size_t i = 0; i < st->n_container_statuses; i++) {
		set_state(&st->container_statuses[i].state, PF_CSTATE_WAITING, "ContainerCreating",
			  m);
		st->container_statuses[i].ready = false;
		st->container_statuses[i].started = PF_FALSE;
	}
	pf_sync_add_event(res, "Warning", "FailedCreatePodSandBox", "%s", m);
}

void pf_pod_sync(const struct pf_sync_ctx *ctx, struct pf_podrec *rec, struct pf_pod *pod,
		 struct pf_sync_result *res)
{
	struct pf_pod_status *st = &pod->status;
	_cleanup_buf_ struct pf_buf before = PF_BUF_INIT, after = PF_BUF_INIT, msg = PF_BUF_INIT;
	bool was_running = strcmp(pf_pod_phase(pod), "Running") == 0;
	bool failed = false, initialized = true, all_running = true, sandbox_ok = true;
	bool init_failed = false, deadline = false;
	_cleanup_free_ char *evicted = NULL;
	const char *phase;

	memset(res, 0, sizeof(*res));
	if (pod->meta.deletion_ms) {
		pf_sync_delete(ctx, rec, pod, res);
		return;
	}
	if (st->phase && (strcmp(st->phase, "Succeeded") == 0 || strcmp(st->phase, "Failed") == 0))
		return; /* finished pods stay as they ended */

	pf_pod_encode(pod, &before);
	st->init_container_statuses =
	    rebuild_statuses(pod->spec.init_containers, pod->spec.n_init_containers,
			     st->init_container_statuses, st->n_init_container_statuses);
	st->n_init_container_statuses = pod->spec.n_init_containers;
	st->container_statuses = rebuild_statuses(pod->spec.containers, pod->spec.n_containers,
						  st->container_statuses, st->n_container_statuses);
	st->n_container_statuses = pod->spec.n_containers;
	if (!st->start_time_ms)
		st->start_time_ms = ctx->now;

	if (!ctx->rt) {
		sandbox_down(ctx, st, res);
		initialized = pod->spec.n_init_containers == 0;
		all_running = false;
		sandbox_ok = false;
	} else {
		deadline = pf_sync_deadline_exceeded(ctx, rec, pod, &initialized, res);
		if (!deadline &&
		    (evicted = pf_sync_volume_over_limit(ctx, rec, pod, &initialized, res)))
			deadline = true; /* stopped for good just the same */
		/* Init containers one after the other; app containers once they
		 * are all done (sidecars: once started). */
		for (size_t i = 0; i < pod->spec.n_init_containers && !failed && !deadline; i++) {
			const struct pf_container *c = &pod->spec.init_containers[i];
			struct pf_container_status *cs = &st->init_container_statuses[i];
			enum cres s = sync_container(ctx, rec, pod, c, true, cs, res, &failed);
			bool sidecar = c->restart_policy && !strcmp(c->restart_policy, "Always");

			if (s == C_DONE && cs->state.exit_code != 0)
				init_failed = true; /* restartPolicy Never */
			if (!(s == C_DONE && cs->state.exit_code == 0) &&
			    !(s == C_RUNNING && sidecar)) {
				initialized = false;
				for (size_t k = i + 1; k < pod->spec.n_init_containers; k++)
					if (st->init_container_statuses[k].state.kind ==
					    PF_CSTATE_NONE)
						set_state(&st->init_container_statuses[k].state,
							  PF_CSTATE_WAITING, "PodInitializing",
							  NULL);
				break;
			}
		}
		for (size_t i = 0; i < pod->spec.n_containers; i++) {
			struct pf_container_status *cs = &st->container_statuses[i];
			enum cres s = C_WAITING;

			if (deadline)
				s = C_DONE;
			else if (initialized && !failed)
				s = sync_container(ctx, rec, pod, &pod->spec.containers[i], false,
						   cs, res, &failed);
			else if (cs->state.kind == PF_CSTATE_NONE || !initialized)
				set_state(&cs->state, PF_CSTATE_WAITING, "PodInitializing", NULL);
			if (s != C_RUNNING)
				all_running = false;
		}
		sandbox_ok = rec->sandbox_id || (initialized && all_running);
	}
	res->retry = failed;

	phase = deadline ? "Failed" : compute_phase(pod, initialized, init_failed);
	free(st->phase);
	st->phase = pf_xstrdup(phase);
	if (deadline) {
		free(st->reason);
		free(st->message);
		st->reason = pf_xstrdup(evicted ? "Evicted" : "DeadlineExceeded");
		st->message = pf_xstrdup(evicted ? evicted
						 : "Pod was active on the node longer than the "
						   "specified deadline");
	}
	if (evicted)
		set_cond(st, "DisruptionTarget", true, "TerminationByKubelet", evicted, ctx->now);
	if (!st->host_ip || strcmp(st->host_ip, ctx->host_ip) != 0) {
		free(st->host_ip);
		st->host_ip = pf_xstrdup(ctx->host_ip);
	}

	set_cond(st, "PodReadyToStartContainers", sandbox_ok, NULL, NULL, ctx->now);
	if (initialized) {
		set_cond(st, "Initialized", true, NULL, NULL, ctx->now);
	} else {
		pf_buf_reset(&msg);
		pf_buf_adds(&msg, "containers with incomplete status: ");
		names_where(&msg, st->init_container_statuses, st->n_init_container_statuses,
			    not_ready);
		set_cond(st, "Initialized", false, "ContainersNotInitialized", msg.buf, ctx->now);
	}
	all_running = all_running && initialized && !deadline;
	for (size_t i = 0; i < st->n_container_statuses; i++)
		all_running = all_running && st->container_statuses[i].ready;
	if (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0)
		for (size_t i = 0; i < st->n_container_statuses; i++)
			st->container_statuses[i].ready = false;
	pf_buf_reset(&msg);
	pf_buf_adds(&msg, "containers with unready status: ");
	names_where(&msg, st->container_statuses, st->n_container_statuses, not_ready);
	{
		const char *why =
		    strcmp(phase, "Succeeded") == 0 ? "PodCompleted" : "ContainersNotReady";
		set_cond(st, "Ready", all_running, all_running ? NULL : why,
			 all_running || !strcmp(why, "PodCompleted") ? NULL : msg.buf, ctx->now);
		set_cond(st, "ContainersReady", all_running, all_running ? NULL : why,
			 all_running || !strcmp(why, "PodCompleted") ? NULL : msg.buf, ctx->now);
	}
	if (!pf_condition_find(st->conditions, st->n_conditions, "PodScheduled"))
		set_cond(st, "PodScheduled", true, NULL, NULL, ctx->now);
	order_conds(st);

	if (!was_running && strcmp(phase, "Running") == 0 && all_running)
		pf_pod_timeline(pod, "Running", pf_wall_ms());
	if (all_running && !timeline_has(pod, "ready"))
		pf_pod_timeline(pod, "ready", pf_wall_ms());
	for (size_t i = 0; i < res->n_events; i++)
		if (strcmp(res->events[i].reason, "Unhealthy") == 0)
			res->write = true;
	if (res->write)
		res->action = PF_SYNC_WRITE; /* the events go with a write */

	pf_pod_encode(pod, &after);
	if (before.len != after.len || memcmp(before.buf, after.buf, before.len) != 0)
		res->action = PF_SYNC_WRITE;
}
