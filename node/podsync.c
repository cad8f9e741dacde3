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
#include "podsync.h"
#include "log.h"
#include "manifest.h"
#include "podstatus.h"

#include <errno.h>

void pf_podrec_free(struct pf_podrec *rec)
{
	if (!rec)
		return;
	free(rec->name);
	free(rec->uid);
	free(rec->sandbox_id);
	pf_strmap_free(&rec->ids);
	free(rec);
}

void pf_sync_result_free(struct pf_sync_result *r)
{
	for (size_t i = 0; i < r->n_events; i++)
		free(r->events[i].message);
	free(r->events);
	memset(r, 0, sizeof(*r));
}

static void add_event(struct pf_sync_result *res, const char *type, const char *reason,
		      const char *fmt, ...) PF_PRINTF(4, 5);
static void add_event(struct pf_sync_result *res, const char *type, const char *reason,
		      const char *fmt, ...)
{
	struct pf_buf b = PF_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pf_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	res->events = pf_xrealloc(res->events, (res->n_events + 1) * sizeof(*res->events));
	res->events[res->n_events++] = (struct pf_sync_event){
		.type = type, .reason = reason, .message = pf_buf_detach(&b, NULL)
	};
}

static bool hollow(const struct pf_sync_ctx *ctx)
{
	return ctx->rt && strcmp(pf_runtime_name(ctx->rt), "fake") == 0;
}

static void rec_add_id(struct pf_podrec *rec, const char *name, const char *id)
{
	pf_strmap_set(&rec->ids, name, id);
}

static void rec_drop_id(struct pf_podrec *rec, size_t i)
{
	free(rec->ids.items[i].key);
	free(rec->ids.items[i].value);
	rec->ids.items[i] = rec->ids.items[--rec->ids.n];
}

/* The runtime ID in a containerID of this runtime ("fake://abc" -> "abc"),
 * NULL for another runtime's or none. */
static const char *own_id(const struct pf_sync_ctx *ctx, const char *container_id)
{
	const char *name = pf_runtime_name(ctx->rt);
	size_t n = strlen(name);

	if (!container_id || strncmp(container_id, name, n) != 0 ||
	    strncmp(container_id + n, "://", 3) != 0)
		return NULL;
	return container_id + n + 3;
}

/* ---- status pieces ------------------------------------------------------ */

static void set_cond(struct pf_pod_status *st, const char *type, bool ok, const char *reason,
		     const char *message, int64_t now)
{
	const char *status = ok ? "True" : "False";
	struct pf_condition *c = pf_condition_find(st->conditions, st->n_conditions, type);

	if (!c) {
		st->conditions =
			pf_xrealloc(st->conditions, (st->n_conditions + 1) * sizeof(*c));
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
	static const char *const order[] = { "PodReadyToStartContainers", "Initialized", "Ready",
					     "ContainersReady", "PodScheduled" };
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

/* Bring one container to life or learn how it is: fills cs from the runtime.
 * Returns 1 running, 2 exited, 0 not running (waiting; cs says why), and
 * sets *failed on a runtime failure. */
static int sync_container(const struct pf_sync_ctx *ctx, struct pf_podrec *rec,
			  const struct pf_pod *pod, const struct pf_container *c, bool init,
			  struct pf_container_status *cs, struct pf_sync_result *res, bool *failed)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_rt_status st = { 0 };
	const char *id = own_id(ctx, cs->container_id);
	_cleanup_free_ char *new_id = NULL;
	/* A container created by an earlier pass whose status write was lost
	 * (a compare-and-swap race) is adopted, never created twice. */
	if (!id)
		id = pf_strmap_get(&rec->ids, c->name);
	bool sidecar = init && c->restart_policy && strcmp(c->restart_policy, "Always") == 0;
	int r;

	if (init && !sidecar && cs->state.kind == PF_CSTATE_TERMINATED && cs->state.exit_code == 0)
		return 2; /* completed init containers never run again */
	if (id) {
		r = pf_rt_container_status(ctx->rt, id, &st, &err);
		if (r == 0) {
			new_id = pf_xstrdup(id);
			rec_add_id(rec, c->name, new_id);
			id = new_id;
			if (!own_id(ctx, cs->container_id)) {
				free(cs->container_id);
				cs->container_id =
					pf_xasprintf("%s://%s", pf_runtime_name(ctx->rt), id);
			}
		} else if (r == -ENOENT) {
			id = NULL; /* gone: created again below */
			pf_err_clear(&err);
		} else {
			set_state(&cs->state, PF_CSTATE_WAITING, "ContainerStatusUnknown", err.msg);
			*failed = true;
			return 0;
		}
	}
	if (!id) {
		if (!rec->sandbox_id) {
			r = pf_rt_sandbox_create(ctx->rt, pod, &rec->sandbox_id, &err);
			if (r < 0) {
				_cleanup_free_ char *m =
					pf_xasprintf("Failed to create pod sandbox: %s", err.msg);
				set_state(&cs->state, PF_CSTATE_WAITING, "ContainerCreating", m);
				add_event(res, "Warning", "FailedCreatePodSandBox", "%s", m);
				*failed = true;
				return 0;
			}
		}
		r = pf_rt_container_create(ctx->rt, rec->sandbox_id, pod, c, init, &new_id, &err);
		if (r < 0) {
			set_state(&cs->state, PF_CSTATE_WAITING, "CreateContainerError", err.msg);
			add_event(res, "Warning", "Failed", "Error: %s", err.msg);
			*failed = true;
			return 0;
		}
		rec_add_id(rec, c->name, new_id);
		r = pf_rt_container_start(ctx->rt, new_id, &err);
		if (r < 0) {
			set_state(&cs->state, PF_CSTATE_WAITING, "RunContainerError", err.msg);
			add_event(res, "Warning", "Failed", "Error: %s", err.msg);
			*failed = true;
			return 0;
		}
		if (hollow(ctx))
			add_event(res, "Normal", "Started",
				  "Started container %s (hollow node: the fake runtime runs no "
				  "process)",
				  c->name);
		else
			add_event(res, "Normal", "Started", "Started container %s", c->name);
		free(cs->container_id);
		cs->container_id = pf_xasprintf("%s://%s", pf_runtime_name(ctx->rt), new_id);
		pf_container_state_free(&cs->state);
		memset(&cs->state, 0, sizeof(cs->state));
		id = new_id;
		r = pf_rt_container_status(ctx->rt, id, &st, &err);
		if (r < 0) {
			set_state(&cs->state, PF_CSTATE_WAITING, "ContainerStatusUnknown", err.msg);
			*failed = true;
			return 0;
		}
	}

	if (st.state == PF_RT_RUNNING) {
		if (cs->state.kind != PF_CSTATE_RUNNING) {
			set_state(&cs->state, PF_CSTATE_RUNNING, NULL, NULL);
			cs->state.started_ms = st.started_ms ? st.started_ms : ctx->now;
		}
		/* No probes yet: a running container is started and ready. */
		cs->ready = true;
		cs->started = PF_TRUE;
		pf_rt_status_free(&st);
		return 1;
	}
	if (st.state == PF_RT_EXITED) {
		if (cs->state.kind != PF_CSTATE_TERMINATED) {
			int64_t started = cs->state.kind == PF_CSTATE_RUNNING ? cs->state.started_ms
									       : ctx->now;
			set_state(&cs->state, PF_CSTATE_TERMINATED,
				  st.reason ? st.reason : (st.exit_code ? "Error" : "Completed"),
				  NULL);
			cs->state.exit_code = st.exit_code;
			cs->state.signal = st.signal;
			cs->state.started_ms = st.started_ms ? st.started_ms : started;
			cs->state.finished_ms = st.finished_ms ? st.finished_ms : ctx->now;
			cs->state.container_id = pf_xstrdup(cs->container_id);
		}
		cs->ready = init && st.exit_code == 0;
		cs->started = PF_FALSE;
		pf_rt_status_free(&st);
		return 2;
	}
	set_state(&cs->state, PF_CSTATE_WAITING, "ContainerCreating", NULL);
	pf_rt_status_free(&st);
	return 0;
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

static void append_timeline(struct pf_pod *pod, const char *step, int64_t now)
{
	const char *tl = pf_strmap_get(&pod->meta.annotations, PF_TIMELINE_ANNOTATION);
	_cleanup_free_ char *v = NULL;

	if (tl)
		v = pf_xasprintf("%s%s%lld %s", tl, *tl && tl[strlen(tl) - 1] != '\n' ? "\n" : "",
				 (long long)now, step);
	else
		v = pf_xasprintf("%lld stored\n%lld %s", (long long)pod->meta.creation_ms,
				 (long long)now, step);
	pf_strmap_set(&pod->meta.annotations, PF_TIMELINE_ANNOTATION, v);
}

static void sync_delete(const struct pf_sync_ctx *ctx, struct pf_podrec *rec, struct pf_pod *pod,
			struct pf_sync_result *res)
{
	struct pf_pod_status *st = &pod->status;
	int64_t grace = pod->meta.has_deletion_grace_period_seconds
				? pod->meta.deletion_grace_period_seconds
				: 30;
	bool failed = false;

	if (!ctx->rt) {
		/* Nothing can have been started: the object can go. */
		res->action = PF_SYNC_DELETE;
		return;
	}
	for (int pass = 0; pass < 2; pass++) {
		struct pf_container_status *v = pass ? st->container_statuses
						     : st->init_container_statuses;
		size_t n = pass ? st->n_container_statuses : st->n_init_container_statuses;

		for (size_t i = 0; i < n; i++) {
			const char *id = own_id(ctx, v[i].container_id);
			struct pf_err err = PF_ERR_INIT;

			if (!id)
				continue;
			if (v[i].state.kind == PF_CSTATE_RUNNING) {
				if (hollow(ctx))
					add_event(res, "Normal", "Killing",
						  "Stopping container %s (hollow node: no process "
						  "to stop)",
						  v[i].name);
				else
					add_event(res, "Normal", "Killing",
						  "Stopping container %s", v[i].name);
			}
			rec_add_id(rec, v[i].name, id);
			if (pf_rt_container_stop(ctx->rt, id, grace, &err) < 0 &&
			    err.code != ENOENT) {
				pf_log(PF_LOG_WARN, "pod %s: stop container %s: %s",
				       pod->meta.name, v[i].name, err.msg);
				failed = true;
			}
		}
	}
	if (failed) {
		res->retry = true;
		return;
	}
	pf_podrec_teardown(ctx->rt, rec);
	res->action = rec->ids.n || rec->sandbox_id ? PF_SYNC_KEEP : PF_SYNC_DELETE;
	res->retry = res->action == PF_SYNC_KEEP;
}

void pf_pod_sync(const struct pf_sync_ctx *ctx, struct pf_podrec *rec, struct pf_pod *pod,
		 struct pf_sync_result *res)
{
	struct pf_pod_status *st = &pod->status;
	_cleanup_buf_ struct pf_buf before = PF_BUF_INIT, after = PF_BUF_INIT, msg = PF_BUF_INIT;
	bool was_running = strcmp(pf_pod_phase(pod), "Running") == 0;
	bool failed = false, initialized = true, all_running = true, sandbox_ok = true;
	const char *phase;

	memset(res, 0, sizeof(*res));
	if (pod->meta.deletion_ms) {
		sync_delete(ctx, rec, pod, res);
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

	if (!ctx->rt) {
		_cleanup_free_ char *m =
			pf_xasprintf("Failed to create pod sandbox: %s", ctx->rt_down);

		for (size_t i = 0; i < st->n_init_container_statuses; i++)
			set_state(&st->init_container_statuses[i].state, PF_CSTATE_WAITING,
				  "PodInitializing", NULL);
		for (size_t i = 0; i < st->n_container_statuses; i++) {
			set_state(&st->container_statuses[i].state, PF_CSTATE_WAITING,
				  "ContainerCreating", m);
			st->container_statuses[i].ready = false;
			st->container_statuses[i].started = PF_FALSE;
		}
		add_event(res, "Warning", "FailedCreatePodSandBox", "%s", m);
		initialized = pod->spec.n_init_containers == 0;
		all_running = false;
		sandbox_ok = false;
	} else {
		/* Init containers one after the other; app containers once they
		 * are all done (sidecars: once started). */
		for (size_t i = 0; i < pod->spec.n_init_containers && !failed; i++) {
			int s = sync_container(ctx, rec, pod, &pod->spec.init_containers[i], true,
					       &st->init_container_statuses[i], res, &failed);
			bool sidecar = pod->spec.init_containers[i].restart_policy &&
				       !strcmp(pod->spec.init_containers[i].restart_policy,
					       "Always");
			if (!(s == 2 && st->init_container_statuses[i].state.exit_code == 0) &&
			    !(s == 1 && sidecar)) {
				initialized = false;
				for (size_t k = i + 1; k < pod->spec.n_init_containers; k++)
					set_state(&st->init_container_statuses[k].state,
						  PF_CSTATE_WAITING, "PodInitializing", NULL);
				break;
			}
		}
		for (size_t i = 0; i < pod->spec.n_containers; i++) {
			struct pf_container_status *cs = &st->container_statuses[i];
			int s = 0;

			if (initialized && !failed)
				s = sync_container(ctx, rec, pod, &pod->spec.containers[i], false,
						   cs, res, &failed);
			else if (cs->state.kind == PF_CSTATE_NONE)
				set_state(&cs->state, PF_CSTATE_WAITING, "PodInitializing", NULL);
			if (s != 1)
				all_running = false;
		}
		sandbox_ok = rec->sandbox_id || (initialized && all_running);
	}
	res->retry = failed;

	phase = all_running && initialized ? "Running" : "Pending";
	free(st->phase);
	st->phase = pf_xstrdup(phase);
	if (!st->host_ip || strcmp(st->host_ip, ctx->host_ip) != 0) {
		free(st->host_ip);
		st->host_ip = pf_xstrdup(ctx->host_ip);
	}
	if (!st->start_time_ms)
		st->start_time_ms = ctx->now;

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
	pf_buf_reset(&msg);
	pf_buf_adds(&msg, "containers with unready status: ");
	names_where(&msg, st->container_statuses, st->n_container_statuses, not_ready);
	set_cond(st, "Ready", all_running && initialized, all_running ? NULL : "ContainersNotReady",
		 all_running ? NULL : msg.buf, ctx->now);
	set_cond(st, "ContainersReady", all_running && initialized,
		 all_running ? NULL : "ContainersNotReady", all_running ? NULL : msg.buf,
		 ctx->now);
	if (!pf_condition_find(st->conditions, st->n_conditions, "PodScheduled"))
		set_cond(st, "PodScheduled", true, NULL, NULL, ctx->now);
	order_conds(st);

	if (!was_running && strcmp(phase, "Running") == 0)
		append_timeline(pod, "running", ctx->now);

	pf_pod_encode(pod, &after);
	if (before.len != after.len || memcmp(before.buf, after.buf, before.len) != 0)
		res->action = PF_SYNC_WRITE;
}

void pf_podrec_teardown(struct pf_runtime *rt, struct pf_podrec *rec)
{
	struct pf_err err = PF_ERR_INIT;

	if (!rt)
		return;
	for (size_t i = rec->ids.n; i-- > 0;) {
		const char *id = rec->ids.items[i].value;

		pf_err_clear(&err);
		if (pf_rt_container_stop(rt, id, 0, &err) < 0 && err.code != ENOENT) {
			pf_log(PF_LOG_WARN, "pod %s: stop container %s: %s", rec->name,
			       rec->ids.items[i].key, err.msg);
			continue;
		}
		pf_err_clear(&err);
		if (pf_rt_container_remove(rt, id, &err) < 0 && err.code != ENOENT) {
			pf_log(PF_LOG_WARN, "pod %s: remove container %s: %s", rec->name,
			       rec->ids.items[i].key, err.msg);
			continue;
		}
		rec_drop_id(rec, i);
	}
	if (rec->sandbox_id && !rec->ids.n) {
		pf_err_clear(&err);
		if (pf_rt_sandbox_remove(rt, rec->sandbox_id, &err) < 0 && err.code != ENOENT) {
			pf_log(PF_LOG_WARN, "pod %s: remove sandbox: %s", rec->name, err.msg);
			return;
		}
		free(rec->sandbox_id);
		rec->sandbox_id = NULL;
	}
}
