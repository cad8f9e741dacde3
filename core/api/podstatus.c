/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podstatus.c - the STATUS word, readiness, restarts and "why" of a pod.
 *
 * The status word follows kubectl's printPod so that a script written against
 * `kubectl get pods` reads the same words here.  No I/O, no store.
 */
#include "podstatus.h"
#include "util.h"

const char *pf_pod_phase(const struct pf_pod *pod)
{
	return pod->status.phase && *pod->status.phase ? pod->status.phase : "Pending";
}

static char *terminated_word(const char *prefix, const struct pf_container_state *t)
{
	if (t->reason && *t->reason)
		return pf_xasprintf("%s%s", prefix, t->reason);
	if (t->signal)
		return pf_xasprintf("%sSignal:%d", prefix, t->signal);
	return pf_xasprintf("%sExitCode:%d", prefix, t->exit_code);
}

char *pf_pod_status_word(const struct pf_pod *pod)
{
	const struct pf_pod_status *st = &pod->status;
	_cleanup_free_ char *reason = pf_xstrdup(pf_pod_phase(pod));
	bool initializing = false;

	if (st->reason && *st->reason) {
		free(reason);
		reason = pf_xstrdup(st->reason);
	}

	for (size_t i = 0; i < st->n_init_container_statuses; i++) {
		const struct pf_container_status *cs = &st->init_container_statuses[i];
		const struct pf_container_state *s = &cs->state;

		if (s->kind == PF_CSTATE_TERMINATED && s->exit_code == 0)
			continue;
		/* A restartable init container (sidecar) that runs lets the pod go on. */
		if (s->kind == PF_CSTATE_RUNNING && cs->started == PF_TRUE)
			continue;
		initializing = true;
		free(reason);
		if (s->kind == PF_CSTATE_TERMINATED)
			reason = terminated_word("Init:", s);
		else if (s->kind == PF_CSTATE_WAITING && s->reason && *s->reason &&
			 strcmp(s->reason, "PodInitializing") != 0)
			reason = pf_xasprintf("Init:%s", s->reason);
		else
			reason = pf_xasprintf("Init:%zu/%zu", i, pod->spec.n_init_containers);
		break;
	}

	if (!initializing) {
		bool has_running = false;

		for (size_t k = st->n_container_statuses; k-- > 0;) {
			const struct pf_container_status *cs = &st->container_statuses[k];
			const struct pf_container_state *s = &cs->state;

			if (s->kind == PF_CSTATE_WAITING && s->reason && *s->reason) {
				free(reason);
				reason = pf_xstrdup(s->reason);
			} else if (s->kind == PF_CSTATE_TERMINATED) {
				free(reason);
				reason = terminated_word("", s);
			} else if (s->kind == PF_CSTATE_RUNNING && cs->ready) {
				has_running = true;
			}
		}
		/* A pod with one container still running is Running, not Completed. */
		if (strcmp(reason, "Completed") == 0 && has_running) {
			free(reason);
			reason = pf_xstrdup(pf_pod_ready(pod) ? "Running" : "NotReady");
		}
	}

	/* A pod the kubelet failed as a whole at its deadline: the containers
	 * it stopped ended in Error because of it, and kubectl shows why. */
	if (strcmp(pf_pod_phase(pod), "Failed") == 0 && st->reason &&
	    strcmp(st->reason, "DeadlineExceeded") == 0) {
		free(reason);
		reason = pf_xstrdup(st->reason);
	}

	if (pod->meta.deletion_ms) {
		free(reason);
		reason = pf_xstrdup(
		    st->reason && strcmp(st->reason, "NodeLost") == 0 ? "Unknown" : "Terminating");
	}
	return PF_TAKE(reason);
}

bool pf_pod_ready(const struct pf_pod *pod)
{
	const struct pf_condition *c =
	    pf_condition_find(pod->status.conditions, pod->status.n_conditions, "Ready");

	return c && c->status && strcmp(c->status, "True") == 0;
}

int pf_pod_restarts(const struct pf_pod *pod)
{
	int n = 0;

	for (size_t i = 0; i < pod->status.n_container_statuses; i++)
		n += pod->status.container_statuses[i].restart_count;
	return n;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

char *pf_pod_why(const struct pf_pod *pod)
{
	const struct pf_pod_status *st = &pod->status;
	const char *phase = pf_pod_phase(pod);
	const struct pf_condition *c;

	if (pod->meta.deletion_ms)
		return pf_xstrdup("the pod is being deleted: stopping its containers");
	if (strcmp(phase, "Succeeded") == 0)
		return pf_xstrdup("");
	if (nonempty(st->message))
		return pf_xstrdup(st->message);

	c = pf_condition_find(st->conditions, st->n_conditions, "PodScheduled");
	if (c && c->status && strcmp(c->status, "False") == 0)
		return pf_xstrdup(nonempty(c->message)	? c->message
				  : nonempty(c->reason) ? c->reason
							: "the pod is not scheduled");
	if (!nonempty(pod->spec.node_name))
		return pf_xstrdup("waiting for the scheduler to assign a node");

	for (int pass = 0; pass < 2; pass++) {
		const struct pf_container_status *v =
		    pass ? st->container_statuses : st->init_container_statuses;
		size_t n = pass ? st->n_container_statuses : st->n_init_container_statuses;

		for (size_t i = 0; i < n; i++) {
			const struct pf_container_state *s = &v[i].state;

			if (s->kind == PF_CSTATE_WAITING && nonempty(s->message))
				return pf_xstrdup(s->message);
			if (s->kind == PF_CSTATE_WAITING && nonempty(s->reason) &&
			    strcmp(s->reason, "PodInitializing") != 0)
				return pf_xasprintf("container %s is waiting: %s", v[i].name,
						    s->reason);
			if (s->kind == PF_CSTATE_TERMINATED && (s->exit_code || s->signal) &&
			    strcmp(phase, "Failed") == 0)
				return pf_xasprintf(
				    "container %s terminated: %s (exit code %d)", v[i].name,
				    nonempty(s->reason) ? s->reason : "Error", s->exit_code);
		}
	}
	if (strcmp(phase, "Failed") == 0)
		return pf_xstrdup(nonempty(st->reason) ? st->reason : "the pod failed");
	if (strcmp(phase, "Pending") == 0 && st->n_container_statuses == 0)
		return pf_xasprintf("waiting for node %s to start the pod", pod->spec.node_name);

	c = pf_condition_find(st->conditions, st->n_conditions, "Ready");
	if (!pf_pod_ready(pod)) {
		if (c && nonempty(c->message))
			return pf_xstrdup(c->message);
		if (c && nonempty(c->reason))
			return pf_xstrdup(c->reason);
		return pf_xstrdup("the pod is not ready");
	}
	return pf_xstrdup("");
}

static char *dupe(const char *s)
{
	return pf_xstrdup(s ? s : "");
}

static void summarize_container(const struct pf_container *c, const struct pf_container_status *cs,
				bool init, struct pf_container_summary *o)
{
	static const char *const states[] = {"", "waiting", "running", "terminated"};
	const struct pf_container_state *s = cs ? &cs->state : NULL;
	const char *id = cs ? cs->container_id : NULL;
	const char *sep = id ? strstr(id, "://") : NULL;

	o->name = dupe(c->name);
	o->init = init;
	o->state = dupe(s ? states[s->kind] : "");
	o->reason = dupe(s ? s->reason : NULL);
	o->message = dupe(s ? s->message : NULL);
	o->has_exit = s && s->kind == PF_CSTATE_TERMINATED;
	o->exit_code = o->has_exit ? s->exit_code : 0;
	o->restarts = cs ? cs->restart_count : 0;
	o->image = dupe(c->image);
	o->id = dupe(sep ? sep + 3 : id);
	o->ready = cs && cs->ready;
}

static const struct pf_container_status *find_status(const struct pf_container_status *v, size_t n,
						     const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].name && strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

void pf_pod_summarize(const struct pf_pod *pod, struct pf_pod_summary *o)
{
	const struct pf_pod_status *st = &pod->status;
	struct pf_buf conds = PF_BUF_INIT;
	size_t k = 0;

	memset(o, 0, sizeof(*o));
	o->name = dupe(pod->meta.name);
	o->uid = dupe(pod->meta.uid);
	o->status = pf_pod_status_word(pod);
	o->phase = dupe(pf_pod_phase(pod));
	o->node = dupe(pod->spec.node_name);
	o->ip = dupe(st->pod_ip);
	o->host_ip = dupe(st->host_ip);
	o->why = pf_pod_why(pod);
	pf_buf_addc(&conds, ',');
	for (size_t i = 0; i < st->n_conditions; i++)
		if (st->conditions[i].status && strcmp(st->conditions[i].status, "True") == 0)
			pf_buf_addf(&conds, "%s,", st->conditions[i].type);
	o->conditions_true = pf_buf_detach(&conds, NULL);
	o->ready = pf_pod_ready(pod);
	o->deleting = pod->meta.deletion_ms != 0;
	o->terminal = strcmp(o->phase, "Succeeded") == 0 || strcmp(o->phase, "Failed") == 0;
	o->restarts = pf_pod_restarts(pod);
	o->creation_ms = pod->meta.creation_ms;
	o->n_containers = pod->spec.n_init_containers + pod->spec.n_containers;
	o->containers = pf_xcalloc(o->n_containers, sizeof(*o->containers));
	for (size_t i = 0; i < pod->spec.n_init_containers; i++, k++)
		summarize_container(&pod->spec.init_containers[i],
				    find_status(st->init_container_statuses,
						st->n_init_container_statuses,
						pod->spec.init_containers[i].name),
				    true, &o->containers[k]);
	for (size_t i = 0; i < pod->spec.n_containers; i++, k++)
		summarize_container(&pod->spec.containers[i],
				    find_status(st->container_statuses, st->n_container_statuses,
						pod->spec.containers[i].name),
				    false, &o->containers[k]);
}

void pf_pod_summary_free(struct pf_pod_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_containers; i++) {
		struct pf_container_summary *c = &s->containers[i];
		free(c->name);
		free(c->state);
		free(c->reason);
		free(c->message);
		free(c->image);
		free(c->id);
	}
	free(s->containers);
	free(s->name);
	free(s->uid);
	free(s->status);
	free(s->phase);
	free(s->node);
	free(s->ip);
	free(s->host_ip);
	free(s->why);
	free(s->conditions_true);
	memset(s, 0, sizeof(*s));
}

static bool cond_true(const struct pf_pod_summary *s, const char *type)
{
	char pat[128];

	snprintf(pat, sizeof(pat), ",%s,", type);
	return strstr(s->conditions_true, pat) != NULL;
}

int pf_pod_wait_check(const struct pf_pod_summary *s, const char *x, const char **reason)
{
	*reason = NULL;
	if (strcmp(x, "Deleted") == 0)
		return s ? 0 : 1;
	if (!s) {
		*reason = "the pod was deleted";
		return -1;
	}
	if (strcmp(s->status, x) == 0 || strcmp(s->phase, x) == 0)
		return 1;
	if (strcmp(x, "Scheduled") == 0 || strcmp(x, "PodScheduled") == 0) {
		if (*s->node || cond_true(s, "PodScheduled"))
			return 1;
	} else if (strcmp(x, "Ready") == 0) {
		if (s->ready)
			return 1;
	} else if (cond_true(s, x)) {
		return 1;
	}
	if (s->deleting) {
		*reason = "the pod is being deleted";
		return -1;
	}
	if (s->terminal) {
		*reason = strcmp(s->phase, "Succeeded") == 0 ? "the pod has completed (Succeeded)"
							     : "the pod has failed (Failed)";
		return -1;
	}
	return 0;
}
