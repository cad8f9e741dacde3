/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_schedqueue - kube-scheduler's scheduling queue (core/controllers/schedqueue.c):
 * pop order (priority, then creation, then arrival), the back-off of pods
 * that failed (1 s doubling to 10 s), unschedulable pods that wait for a
 * cluster event and then for their back-off, removal from every place, and
 * the heap order over many random entries.
 */
#include <stdlib.h>

#include "schedqueue.h"
#include "util.h"
#include "tap.h"

struct item {
	struct pf_sq_entry q;
	int id;
};

static int pop_id(struct pf_sq *q, int64_t now)
{
	struct pf_sq_entry *e = pf_sq_pop(q, now);

	return e ? ((struct item *)(void *)e)->id : -1;
}

static void test_order(void)
{
	struct pf_sq q = {0};
	struct item it[6] = {
	    {{.priority = 0, .created_ms = 100}, 0},
	    {{.priority = 0, .created_ms = 50}, 1},
	    {{.priority = 2000001000, .created_ms = 300}, 2}, /* system-node-critical */
	    {{.priority = 2000000000, .created_ms = 10}, 3},  /* system-cluster-critical */
	    {{.priority = 0, .created_ms = 50}, 4},	      /* same as 1, arrives later */
	    {{.priority = -5, .created_ms = 1}, 5},
	};
	char got[32] = "";

	for (int i = 0; i < 6; i++)
		pf_sq_add(&q, &it[i].q, 0);
	is_int(pf_sq_active_len(&q), 6, "six pods in active");
	for (int i = 0; i < 6; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%d", pop_id(&q, 0));
	is_str(got, "231405", "higher priority first, then older creation, then arrival");
	is_int(pop_id(&q, 0), -1, "empty: NULL");
	pf_sq_free(&q);
}

static void test_backoff_durations(void)
{
	struct pf_sq q = {0}, fast = {.initial_ms = 10, .max_ms = 35};
	int64_t want[] = {0, 1000, 2000, 4000, 8000, 10000, 10000};

	for (unsigned a = 0; a < 7; a++)
		is_int(pf_sq_backoff_ms(&q, a), want[a], "back-off after %u failed attempts", a);
	is_int(pf_sq_backoff_ms(&fast, 3), 35, "the maximum holds with other settings");
	is_int(pf_sq_backoff_ms(&q, 400), 10000, "no overflow after many attempts");
}

static void test_unschedulable(void)
{
	struct pf_sq q = {0};
	struct item a = {{.priority = 0}, 1}, b = {{.priority = 9}, 2};

	pf_sq_add(&q, &a.q, 0);
	is_int(pop_id(&q, 0), 1, "a popped");
	pf_sq_unschedulable(&q, &a.q, 1000);
	is_int(a.q.attempts, 1, "one failed attempt");
	is_int(a.q.where, PF_SQ_UNSCHED, "a waits in unschedulable");
	is_int(pop_id(&q, 100000), -1, "not tried again without an event, however late");
	is_int(pf_sq_next_backoff(&q), INT64_MAX, "no back-off timer: it waits for an event");

	/* An event during the back-off: to backoff, out at 2000. */
	pf_sq_move_all(&q, 1500);
	is_int(a.q.where, PF_SQ_BACKOFF, "event before its back-off ends: to backoff");
	is_int(pf_sq_next_backoff(&q), 2000, "its back-off ends 1 s after the failure");
	is_int(pop_id(&q, 1999), -1, "not before");
	is_int(pop_id(&q, 2000), 1, "popped when the back-off ends");

	/* Second failure: 2 s; an event after that: straight to active. */
	pf_sq_unschedulable(&q, &a.q, 3000);
	is_int(a.q.backoff_until, 5000, "second failure: 2 s");
	pf_sq_move_all(&q, 6000);
	is_int(a.q.where, PF_SQ_ACTIVE, "event after the back-off: to active");

	/* Pods that failed together come back together, in priority order. */
	is_int(pop_id(&q, 6000), 1, "a again");
	pf_sq_add(&q, &b.q, 6000);
	is_int(pop_id(&q, 6000), 2, "b");
	pf_sq_unschedulable(&q, &a.q, 7000);
	pf_sq_unschedulable(&q, &b.q, 7000);
	pf_sq_move_all(&q, 7100);
	is_int(pop_id(&q, 7000 + 4000), 2, "the higher priority first, though it failed second");
	is_int(pop_id(&q, 7000 + 4000), 1, "then the other");

	/* An update to an unschedulable pod moves that pod only. */
	pf_sq_unschedulable(&q, &a.q, 20000);
	pf_sq_unschedulable(&q, &b.q, 20000);
	pf_sq_add(&q, &a.q, 40000);
	is_int(a.q.where, PF_SQ_ACTIVE, "updated after its back-off: active");
	is_int(b.q.where, PF_SQ_UNSCHED, "the other still waits");
	pf_sq_free(&q);
}

static void test_remove(void)
{
	struct pf_sq q = {0};
	struct item it[5];

	for (int i = 0; i < 5; i++) {
		it[i] = (struct item){{.priority = i}, i};
		pf_sq_add(&q, &it[i].q, 0);
	}
	pf_sq_remove(&q, &it[4].q);
	pf_sq_remove(&q, &it[0].q);
	is_int(it[4].q.where, PF_SQ_NONE, "removed from active");
	is_int(pop_id(&q, 0), 3, "the heap holds after removals");
	pf_sq_unschedulable(&q, &it[3].q, 0);
	is_int(pop_id(&q, 0), 2, "2");
	pf_sq_unschedulable(&q, &it[2].q, 0);
	pf_sq_remove(&q, &it[3].q);
	is_int(q.u_n, 1, "removed from unschedulable");
	pf_sq_move_all(&q, 10);
	pf_sq_remove(&q, &it[2].q);
	is_int(pf_sq_next_backoff(&q), INT64_MAX, "removed from backoff");
	pf_sq_remove(&q, &it[2].q);
	is_int(it[2].q.where, PF_SQ_NONE, "removing twice is harmless");
	is_int(pop_id(&q, 100000), 1, "what is left pops");
	pf_sq_requeue(&q, &it[1].q);
	is_int(pop_id(&q, 0), 1, "requeued: active at once, no back-off");
	pf_sq_free(&q);
}

/* Many random entries with random removals pop in order. */
static void test_random(void)
{
	enum { N = 2000 };
	struct pf_sq q = {0};
	struct item *it = pf_xcalloc(N, sizeof(*it));
	int bad = 0, popped = 0;
	struct pf_sq_entry *e, *prev = NULL;

	srand(7);
	for (int i = 0; i < N; i++) {
		it[i] = (struct item){{.priority = rand() % 5, .created_ms = rand() % 50}, i};
		pf_sq_add(&q, &it[i].q, 0);
		if (i % 7 == 3)
			pf_sq_remove(&q, &it[rand() % (i + 1)].q);
	}
	while ((e = pf_sq_pop(&q, 0))) {
		if (prev && (prev->priority < e->priority ||
			     (prev->priority == e->priority && prev->created_ms > e->created_ms) ||
			     (prev->priority == e->priority && prev->created_ms == e->created_ms &&
			      prev->seq > e->seq)))
			bad++;
		prev = e;
		popped++;
	}
	is_int(bad, 0, "%d pops in PrioritySort order", popped);
	ok(popped > N / 2 && popped < N, "removals took some out (%d left)", popped);
	free(it);
	pf_sq_free(&q);
}

int main(void)
{
	test_order();
	test_backoff_durations();
	test_unschedulable();
	test_remove();
	test_random();
	return tap_done();
}
