/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_podstatus - the STATUS word, why, readiness and wait/ decisions on
 * pods built in C (kubectl's printPod cases).
 */
#include "podstatus.h"
#include "tap.h"
#include "util.h"

static struct pf_pod *mkpod(const char *phase, size_t ncont)
{
	struct pf_pod *p = pf_xcalloc(1, sizeof(*p));

	p->meta.name = pf_xstrdup("p");
	p->meta.uid = pf_xstrdup("u");
	if (phase)
		p->status.phase = pf_xstrdup(phase);
	p->spec.n_containers = ncont;
	p->spec.containers = pf_xcalloc(ncont, sizeof(*p->spec.containers));
	p->status.n_container_statuses = ncont;
	p->status.container_statuses = pf_xcalloc(ncont, sizeof(*p->status.container_statuses));
	for (size_t i = 0; i < ncont; i++) {
		p->spec.containers[i].name = pf_xasprintf("c%zu", i);
		p->spec.containers[i].image = pf_xstrdup("busybox");
		p->status.container_statuses[i].name = pf_xasprintf("c%zu", i);
	}
	return p;
}

static void set_state(struct pf_pod *p, size_t i, enum pf_cstate_kind k, const char *reason,
		      int exit_code)
{
	struct pf_container_status *cs = &p->status.container_statuses[i];

	cs->state.kind = k;
	cs->state.reason = reason ? pf_xstrdup(reason) : NULL;
	cs->state.exit_code = exit_code;
}

static void add_cond(struct pf_pod *p, const char *type, const char *status, const char *msg)
{
	p->status.conditions = pf_xrealloc(p->status.conditions, (p->status.n_conditions + 1) *
								     sizeof(struct pf_condition));
	struct pf_condition *c = &p->status.conditions[p->status.n_conditions++];
	memset(c, 0, sizeof(*c));
	c->type = pf_xstrdup(type);
	c->status = pf_xstrdup(status);
	c->message = msg ? pf_xstrdup(msg) : NULL;
}

static void word_is(struct pf_pod *p, const char *want, const char *name)
{
	char *w = pf_pod_status_word(p);
	is_str(w, want, "status word: %s", name);
	free(w);
}

static int wait_of(struct pf_pod *p, const char *x)
{
	struct pf_pod_summary s;
	const char *why;
	int r;

	if (!p)
		return pf_pod_wait_check(NULL, x, &why);
	pf_pod_summarize(p, &s);
	r = pf_pod_wait_check(&s, x, &why);
	pf_pod_summary_free(&s);
	return r;
}

int main(void)
{
	struct pf_pod *p;
	char *why;

	p = mkpod(NULL, 1);
	free(p->status.container_statuses[0].name);
	p->status.n_container_statuses = 0;
	word_is(p, "Pending", "a new pod without phase is Pending");
	why = pf_pod_why(p);
	is_str(why, "waiting for the scheduler to assign a node", "why of an unscheduled pod");
	free(why);
	is_int(wait_of(p, "Pending"), 1, "wait/Pending satisfied");
	is_int(wait_of(p, "Running"), 0, "wait/Running not yet");
	is_int(wait_of(p, "Scheduled"), 0, "wait/Scheduled not yet");
	is_int(wait_of(p, "Deleted"), 0, "wait/Deleted not while it exists");
	is_int(wait_of(NULL, "Deleted"), 1, "wait/Deleted once gone");
	is_int(wait_of(NULL, "Running"), -1, "wait/Running never once gone");
	add_cond(p, "PodScheduled", "False", "0/2 nodes are available: 2 Insufficient memory.");
	why = pf_pod_why(p);
	is_str(why, "0/2 nodes are available: 2 Insufficient memory.",
	       "why shows FailedScheduling");
	free(why);
	pf_pod_free(p);

	p = mkpod("Pending", 1);
	p->spec.node_name = pf_xstrdup("n1");
	set_state(p, 0, PF_CSTATE_WAITING, "ContainerCreating", 0);
	word_is(p, "ContainerCreating", "waiting reason shows");
	is_int(wait_of(p, "Scheduled"), 1, "wait/Scheduled once a node is set");
	pf_pod_free(p);

	p = mkpod("Running", 2);
	p->spec.node_name = pf_xstrdup("n1");
	set_state(p, 0, PF_CSTATE_RUNNING, NULL, 0);
	set_state(p, 1, PF_CSTATE_RUNNING, NULL, 0);
	p->status.container_statuses[0].ready = p->status.container_statuses[1].ready = true;
	p->status.container_statuses[1].restart_count = 3;
	add_cond(p, "Ready", "True", NULL);
	word_is(p, "Running", "running containers");
	ok(pf_pod_ready(p), "ready");
	is_int(pf_pod_restarts(p), 3, "restarts summed");
	why = pf_pod_why(p);
	is_str(why, "", "why is empty while Running and Ready");
	free(why);
	is_int(wait_of(p, "Ready"), 1, "wait/Ready");
	is_int(wait_of(p, "Running"), 1, "wait/Running");
	p->meta.deletion_ms = 1;
	word_is(p, "Terminating", "deletionTimestamp makes Terminating");
	is_int(wait_of(p, "Succeeded"), -1, "wait/Succeeded never while terminating");
	is_int(wait_of(p, "Terminating"), 1, "wait/Terminating");
	pf_pod_free(p);

	p = mkpod("Running", 1);
	p->spec.node_name = pf_xstrdup("n1");
	set_state(p, 0, PF_CSTATE_WAITING, "CrashLoopBackOff", 0);
	p->status.container_statuses[0].state.message =
	    pf_xstrdup("back-off 10s restarting failed container=c0 pod=p");
	word_is(p, "CrashLoopBackOff", "CrashLoopBackOff");
	why = pf_pod_why(p);
	is_str(why, "back-off 10s restarting failed container=c0 pod=p", "why shows the back-off");
	free(why);
	pf_pod_free(p);

	p = mkpod("Succeeded", 1);
	set_state(p, 0, PF_CSTATE_TERMINATED, "Completed", 0);
	word_is(p, "Completed", "Completed");
	is_int(wait_of(p, "Succeeded"), 1, "wait/Succeeded");
	is_int(wait_of(p, "Running"), -1, "wait/Running never after Succeeded");
	is_int(wait_of(p, "Completed"), 1, "wait/Completed");
	pf_pod_free(p);

	p = mkpod("Failed", 1);
	set_state(p, 0, PF_CSTATE_TERMINATED, NULL, 2);
	word_is(p, "ExitCode:2", "terminated without reason shows the exit code");
	p->status.container_statuses[0].state.signal = 9;
	word_is(p, "Signal:9", "a signal shows");
	free(p->status.container_statuses[0].state.reason);
	p->status.container_statuses[0].state.reason = pf_xstrdup("OOMKilled");
	word_is(p, "OOMKilled", "OOMKilled");
	pf_pod_free(p);

	/* Init containers: Init:i/n, Init:Reason, Init:ExitCode. */
	p = mkpod("Pending", 1);
	p->spec.n_init_containers = 2;
	p->spec.init_containers = pf_xcalloc(2, sizeof(struct pf_container));
	p->status.n_init_container_statuses = 2;
	p->status.init_container_statuses = pf_xcalloc(2, sizeof(struct pf_container_status));
	for (int i = 0; i < 2; i++) {
		p->spec.init_containers[i].name = pf_xasprintf("i%d", i);
		p->status.init_container_statuses[i].name = pf_xasprintf("i%d", i);
	}
	p->status.init_container_statuses[0].state.kind = PF_CSTATE_TERMINATED;
	p->status.init_container_statuses[1].state.kind = PF_CSTATE_RUNNING;
	word_is(p, "Init:1/2", "second init container running");
	p->status.init_container_statuses[1].state.kind = PF_CSTATE_TERMINATED;
	p->status.init_container_statuses[1].state.exit_code = 3;
	word_is(p, "Init:ExitCode:3", "init container failed");
	p->status.init_container_statuses[1].state.kind = PF_CSTATE_WAITING;
	p->status.init_container_statuses[1].state.reason = pf_xstrdup("CrashLoopBackOff");
	word_is(p, "Init:CrashLoopBackOff", "init container in back-off");
	struct pf_pod_summary s;
	pf_pod_summarize(p, &s);
	is_int((long long)s.n_containers, 3, "summary lists init and app containers");
	ok(s.containers[0].init && !s.containers[2].init, "init containers first");
	is_str(s.containers[1].state, "waiting", "container state word");
	pf_pod_summary_free(&s);
	pf_pod_free(p);

	return tap_done();
}
