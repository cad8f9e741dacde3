/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podrec.c - what both halves of a syncPod pass use (podsync.c, the
 * containers and the pod's status; podstop.c, deletion and eviction): the
 * pass's events and wishes, the record's container IDs, a container's
 * exit state, the pod's timeline, and removing what the runtime holds for
 * a pod.  It sits below both, so neither calls back into the other.
 */
#include "podsync-internal.h"
#include "log.h"

#include <errno.h>

void pf_sync_add_event(struct pf_sync_result *res, const char *type, const char *reason,
		       const char *fmt, ...)
{
	struct pf_buf b = PF_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pf_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	res->events = pf_xrealloc(res->events, (res->n_events + 1) * sizeof(*res->events));
	res->events[res->n_events++] = (struct pf_sync_event){
	    .type = type, .reason = reason, .message = pf_buf_detach(&b, NULL)};
}

bool pf_sync_hollow(const struct pf_sync_ctx *ctx)
{
	return ctx->rt && strcmp(pf_runtime_name(ctx->rt), "fake") == 0;
}

void pf_podrec_add_id(struct pf_podrec *rec, const char *name, const char *id)
{
	pf_strmap_set(&rec->ids, name, id);
}

void pf_podrec_drop_id(struct pf_podrec *rec, size_t i)
{
	free(rec->ids.items[i].key);
	free(rec->ids.items[i].value);
	rec->ids.items[i] = rec->ids.items[--rec->ids.n];
}

/* The runtime ID in a containerID of this runtime ("fake://abc" -> "abc"),
 * NULL for another runtime's or none. */
const char *pf_sync_own_id(const struct pf_sync_ctx *ctx, const char *container_id)
{
	const char *name = pf_runtime_name(ctx->rt);
	size_t n = strlen(name);

	if (!container_id || strncmp(container_id, name, n) != 0 ||
	    strncmp(container_id + n, "://", 3) != 0)
		return NULL;
	return container_id + n + 3;
}

void pf_sync_want_at(struct pf_sync_result *res, int64_t t)
{
	if (t > 0 && (!res->next_ms || t < res->next_ms))
		res->next_ms = t;
}

/* The terminated state of an exited container (st from the runtime). */
struct pf_container_state pf_sync_exit_state(const struct pf_sync_ctx *ctx,
					     const struct pf_rt_status *st,
					     const struct pf_container_status *cs)
{
	struct pf_container_state term = {0};

	term.kind = PF_CSTATE_TERMINATED;
	term.reason = pf_xstrdup(st->reason ? st->reason : (st->exit_code ? "Error" : "Completed"));
	term.message = st->message ? pf_xstrdup(st->message) : NULL;
	term.exit_code = st->exit_code;
	term.signal = st->signal;
	term.started_ms = st->started_ms			? st->started_ms
			  : cs->state.kind == PF_CSTATE_RUNNING ? cs->state.started_ms
								: ctx->now;
	term.finished_ms = st->finished_ms ? st->finished_ms : ctx->now;
	term.container_id = pf_xstrdup(cs->container_id);
	return term;
}

/* Add "<now> step" to the pod's timeline, in time order (a step the
 * runtime did in the background, the network, can end before the step
 * the agent noted last). */
void pf_pod_timeline(struct pf_pod *pod, const char *step, int64_t now)
{
	const char *tl = pf_strmap_get(&pod->meta.annotations, PF_TIMELINE_ANNOTATION);
	_cleanup_free_ char *v = NULL;
	size_t at;

	if (!tl) {
		v = pf_xasprintf("%lld stored\n%lld %s", (long long)pod->meta.creation_ms,
				 (long long)now, step);
		pf_strmap_set(&pod->meta.annotations, PF_TIMELINE_ANNOTATION, v);
		return;
	}
	/* Before the first line that is later, else at the end. */
	for (at = 0; tl[at]; at += strcspn(tl + at, "\n"), at += tl[at] == '\n')
		if (strtoll(tl + at, NULL, 10) > now)
			break;
	if (tl[at])
		v = pf_xasprintf("%.*s%lld %s\n%s", (int)at, tl, (long long)now, step, tl + at);
	else
		v = pf_xasprintf("%s%s%lld %s", tl, *tl && tl[strlen(tl) - 1] != '\n' ? "\n" : "",
				 (long long)now, step);
	pf_strmap_set(&pod->meta.annotations, PF_TIMELINE_ANNOTATION, v);
}

void pf_podrec_teardown(struct pf_runtime *rt, struct pf_podrec *rec)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_rt_list l = {0};

	if (!rt)
		return;
	/* What the runtime holds for this pod that the record does not know
	 * (an agent that restarted knows no sandbox ID). */
	if (pf_rt_list(rt, &l, &err) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			if (!l.items[i].pod_uid || strcmp(l.items[i].pod_uid, rec->uid) != 0)
				continue;
			if (l.items[i].container_name) {
				bool known = false;
				for (size_t k = 0; k < rec->ids.n && !known; k++)
					known = strcmp(rec->ids.items[k].value, l.items[i].id) == 0;
				if (!known) {
					_cleanup_free_ char *key = pf_xasprintf(
					    "%s#%s", l.items[i].container_name, l.items[i].id);
					pf_podrec_add_id(rec, key, l.items[i].id);
				}
			} else if (!rec->sandbox_id) {
				rec->sandbox_id = pf_xstrdup(l.items[i].id);
			}
		}
		pf_rt_list_free(&l);
	}
	pf_err_clear(&err);
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
		pf_podrec_drop_id(rec, i);
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
