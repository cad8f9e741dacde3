/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sched - the scheduler's decisions on tables of nodes and pods (filters,
 * scores, kube's FailedScheduling messages, requests with init containers)
 * and binding through the mem: store (batch bind, a lost compare-and-swap
 * never binds a pod twice, leader election between two schedulers).
 */
#include <errno.h>
#include <time.h>

#include "api.h"
#include "lease.h"
#include "manifest.h"
#include "scheduler.h"
#include "store-internal.h" /* pf_store_compact */
#include "tap.h"

/* A node: cpu in millicores, memory in MiB; taints "k=v:Effect,...". */
static void mknode(struct pf_sched_node *n, const char *name, int64_t cpu, int64_t mem_mi,
		   const char *labels, const char *taints)
{
	memset(n, 0, sizeof(*n));
	n->name = pf_xstrdup(name);
	n->alloc_cpu = cpu;
	n->alloc_mem = mem_mi << 20;
	n->alloc_pods = 110;
	n->ready = PF_READY_TRUE;
	if (labels) {
		char *dup = pf_xstrdup(labels), *save = NULL;
		for (char *kv = strtok_r(dup, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(kv, '=');
			*eq = 0;
			pf_strmap_set(&n->labels, kv, eq + 1);
		}
		free(dup);
	}
	n->taints = pf_xcalloc(8, sizeof(*n->taints));
	if (taints) {
		char *dup = pf_xstrdup(taints), *save = NULL;
		for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			char *colon = strchr(t, ':'), *eq;
			struct pf_sched_taint *x = &n->taints[n->n_taints++];
			*colon = 0;
			eq = strchr(t, '=');
			if (eq)
				*eq = 0;
			x->key = pf_xstrdup(t);
			x->value = pf_xstrdup(eq ? eq + 1 : "");
			x->effect = pf_taint_effect(colon + 1);
		}
		free(dup);
	}
}

static void mkpod(struct pf_sched_pod *p, int64_t cpu, int64_t mem_mi)
{
	memset(p, 0, sizeof(*p));
	p->name = pf_xstrdup("p");
	p->cpu = cpu;
	p->mem = mem_mi << 20;
	p->nz_cpu = cpu ? cpu : PF_SCHED_DEFAULT_MILLICPU;
	p->nz_mem = mem_mi ? mem_mi << 20 : PF_SCHED_DEFAULT_MEMORY;
	p->tols = pf_xcalloc(8, sizeof(*p->tols));
}

static void tol(struct pf_sched_pod *p, const char *key, const char *op, const char *value,
		const char *effect)
{
	struct pf_sched_tol *t = &p->tols[p->n_tols++];

	t->key = pf_xstrdup(key);
	t->value = pf_xstrdup(value ? value : "");
	t->exists = strcmp(op, "Exists") == 0;
	t->effect = pf_taint_effect(effect);
}

static void free_nodes(struct pf_sched_node *n, size_t k)
{
	for (size_t i = 0; i < k; i++)
		pf_sched_node_clear(&n[i]);
}

/* pick and return the message (or the node name). */
static char *pick(struct pf_sched_pod *p, struct pf_sched_node *n, size_t k)
{
	struct pf_sched_ctx c = {0};
	struct pf_buf why = PF_BUF_INIT;
	ssize_t i = pf_sched_pick(&c, p, n, k, &why);
	char *r = i >= 0 ? pf_xstrdup(n[i].name) : pf_buf_detach(&why, NULL);

	pf_buf_release(&why);
	pf_sched_ctx_free(&c);
	return r;
}

#define PICK_IS(p, n, k, want, ...)                                                                \
	do {                                                                                       \
		char *got_ = pick(p, n, k);                                                        \
		is_str(got_, want, __VA_ARGS__);                                                   \
		free(got_);                                                                        \
	} while (0)

static void test_messages(void)
{
	struct pf_sched_node n[4];
	struct pf_sched_pod p;

	mkpod(&p, 0, 0);
	PICK_IS(&p, n, 0, "no nodes available to schedule pods", "zero nodes");
	pf_sched_pod_clear(&p);

	/* The brief's example: a master taint and two small nodes. */
	mknode(&n[0], "m", 4000, 8192, NULL, "node-role=master:NoSchedule");
	mknode(&n[1], "a", 4000, 512, NULL, NULL);
	mknode(&n[2], "b", 4000, 512, NULL, NULL);
	mkpod(&p, 100, 1024);
	PICK_IS(&p, n, 3,
		"0/3 nodes are available: 1 node(s) had untolerated taint {node-role: master}, 2 "
		"Insufficient memory.",
		"taint + insufficient memory");
	tol(&p, "node-role", "Equal", "master", "NoSchedule");
	PICK_IS(&p, n, 3, "m", "Equal toleration of the taint");
	pf_sched_pod_clear(&p);

	mkpod(&p, 8000, 1024);
	PICK_IS(&p, n, 3,
		"0/3 nodes are available: 1 node(s) had untolerated taint {node-role: master}, 2 "
		"Insufficient cpu, 2 Insufficient memory.",
		"a node can give several resource reasons");
	tol(&p, "", "Exists", NULL, NULL);
	PICK_IS(&p, n, 3, "0/3 nodes are available: 2 Insufficient memory, 3 Insufficient cpu.",
		"empty key with Exists tolerates every taint");
	pf_sched_pod_clear(&p);
	free_nodes(n, 3);

	/* Selector, unschedulable, node name, too many pods; the sort is
	 * bytewise on "COUNT REASON" as Go's sort.Strings. */
	mknode(&n[0], "a", 1000, 1024, "zone=a", NULL);
	mknode(&n[1], "b", 1000, 1024, "zone=b", NULL);
	n[1].unschedulable = true;
	mknode(&n[2], "c", 1000, 1024, "zone=a", NULL);
	n[2].alloc_pods = 1;
	n[2].npods = 1;
	mknode(&n[3], "d", 1000, 1024, "zone=b", "x=y:PreferNoSchedule");
	mkpod(&p, 0, 0);
	pf_strmap_set(&p.selector, "zone", "a");
	PICK_IS(&p, n, 4, "a", "selector: the matching node with room");
	n[0].alloc_pods = 0;
	PICK_IS(&p, n, 4,
		"0/4 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 "
		"node(s) were unschedulable, 2 Too many pods.",
		"selector, unschedulable, pod count");
	p.node_name = pf_xstrdup("d");
	pf_strmap_free(&p.selector);
	PICK_IS(&p, n, 4, "d", "nodeName: only that node (PreferNoSchedule does not filter)");
	free(p.node_name);
	p.node_name = pf_xstrdup("zz");
	PICK_IS(&p, n, 4,
		"0/4 nodes are available: 1 node(s) were unschedulable, 3 node(s) didn't match the "
		"requested node name.",
		"nodeName of no node");
	tol(&p, "node.kubernetes.io/unschedulable", "Exists", NULL, "NoSchedule");
	free(p.node_name);
	p.node_name = pf_xstrdup("b");
	PICK_IS(&p, n, 4, "b", "tolerating the unschedulable taint");
	pf_sched_pod_clear(&p);
	free_nodes(n, 4);

	/* Effects: NoExecute filters, an effect-specific toleration covers only
	 * its effect, Exists ignores the value. */
	mknode(&n[0], "a", 1000, 1024, NULL, "k=v:NoExecute");
	mkpod(&p, 0, 0);
	PICK_IS(&p, n, 1, "0/1 nodes are available: 1 node(s) had untolerated taint {k: v}.",
		"NoExecute filters");
	tol(&p, "k", "Exists", NULL, "NoSchedule");
	PICK_IS(&p, n, 1, "0/1 nodes are available: 1 node(s) had untolerated taint {k: v}.",
		"a NoSchedule toleration does not cover NoExecute");
	tol(&p, "k", "Exists", NULL, "NoExecute");
	PICK_IS(&p, n, 1, "a", "Exists with the effect tolerates any value");
	pf_sched_pod_clear(&p);
	mkpod(&p, 0, 0);
	tol(&p, "k", "Equal", "w", NULL);
	PICK_IS(&p, n, 1, "0/1 nodes are available: 1 node(s) had untolerated taint {k: v}.",
		"Equal needs the same value");
	pf_sched_pod_clear(&p);
	free_nodes(n, 1);

	/* Ready conditions become taints, as in a real cluster. */
	{
		struct pf_node node = {0};
		struct pf_condition c = {.type = (char *)"Ready", .status = (char *)"False"};

		node.meta.name = (char *)"nr";
		node.conditions = &c;
		node.n_conditions = 1;
		pf_sched_node_init(&n[0], &node);
		c.status = (char *)"Unknown";
		node.meta.name = (char *)"ur";
		pf_sched_node_init(&n[1], &node);
		mkpod(&p, 0, 0);
		PICK_IS(&p, n, 2,
			"0/2 nodes are available: 1 node(s) had untolerated taint "
			"{node.kubernetes.io/not-ready: }, 1 node(s) had untolerated taint "
			"{node.kubernetes.io/unreachable: }.",
			"NotReady and Unknown nodes");
		pf_sched_pod_clear(&p);
		free_nodes(n, 2);
	}
}

static void test_fit_and_score(void)
{
	struct pf_sched_node n[3];
	struct pf_sched_pod p;
	struct pf_sched_ctx c = {0};
	struct pf_buf why = PF_BUF_INIT;
	int count[3] = {0, 0, 0};

	/* Exactly full is a fit; one more is not. */
	mknode(&n[0], "a", 1000, 1024, NULL, NULL);
	n[0].used_cpu = 500;
	mkpod(&p, 500, 0);
	PICK_IS(&p, n, 1, "a", "request equal to what is left fits");
	p.cpu = 501;
	PICK_IS(&p, n, 1, "0/1 nodes are available: 1 Insufficient cpu.",
		"one millicore more does not");
	pf_sched_pod_clear(&p);
	free_nodes(n, 1);

	/* Least allocated: the emptier node wins. */
	mknode(&n[0], "a", 4000, 4096, NULL, NULL);
	mknode(&n[1], "b", 4000, 4096, NULL, NULL);
	pf_sched_node_account(&n[0], 2000, 1 << 30, 2000, 1 << 30, 1);
	mkpod(&p, 100, 100);
	PICK_IS(&p, n, 2, "b", "least allocated");
	pf_sched_pod_clear(&p);
	free_nodes(n, 2);

	/* PreferNoSchedule only scores. */
	mknode(&n[0], "a", 4000, 4096, NULL, "x=y:PreferNoSchedule");
	mknode(&n[1], "b", 4000, 4096, NULL, NULL);
	pf_sched_node_account(&n[1], 1000, 1 << 30, 1000, 1 << 30, 1);
	mkpod(&p, 100, 100);
	PICK_IS(&p, n, 2, "b", "PreferNoSchedule: the untainted node wins despite more load");
	PICK_IS(&p, n, 1, "a", "PreferNoSchedule: but the tainted node still fits");
	pf_sched_pod_clear(&p);
	free_nodes(n, 2);

	/* Ties spread: 30 best-effort pods on 3 equal nodes, 10 each. */
	for (int i = 0; i < 3; i++) {
		char name[8];
		snprintf(name, sizeof(name), "n%d", i % 10);
		mknode(&n[i], name, 4000, 8192, NULL, NULL);
	}
	mkpod(&p, 0, 0);
	for (int k = 0; k < 30; k++) {
		ssize_t i = pf_sched_pick(&c, &p, n, 3, &why);
		if (i < 0)
			break;
		count[i]++;
		pf_sched_node_account(&n[i], p.cpu, p.mem, p.nz_cpu, p.nz_mem, 1);
	}
	ok(count[0] == 10 && count[1] == 10 && count[2] == 10, "ties spread evenly (%d %d %d)",
	   count[0], count[1], count[2]);
	pf_sched_pod_clear(&p);
	free_nodes(n, 3);
	pf_sched_ctx_free(&c);
	pf_buf_release(&why);

	is_int(pf_sched_nodes_to_find(50), 50, "fewer than 100 nodes: all are examined");
	is_int(pf_sched_nodes_to_find(1000), 420, "1000 nodes: 42%% as kube's adaptive default");
	is_int(pf_sched_nodes_to_find(5000), 500, "5000 nodes: 10%%");
	is_int(pf_sched_nodes_to_find(200), 100, "at least 100");
}

static struct pf_pod *decode(const char *yaml)
{
	struct pf_pod_list l = {0};
	struct pf_err err = PF_ERR_INIT;
	struct pf_pod *p;

	if (pf_manifest_decode(yaml, strlen(yaml), "t.yaml", &l, &err) < 0) {
		printf("# %s\n", err.msg);
		return NULL;
	}
	p = l.items[0];
	l.items[0] = NULL;
	pf_pod_list_free(&l);
	return p;
}

static void test_requests(void)
{
	struct pf_pod *p;
	int64_t cpu, mem;

	p = decode("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n"
		   "  initContainers:\n"
		   "  - name: i1\n    image: x\n    resources:\n      requests:\n        cpu: "
		   "\"2\"\n        memory: 10Mi\n"
		   "  containers:\n"
		   "  - name: c1\n    image: x\n    resources:\n      requests:\n        cpu: "
		   "500m\n        memory: 100Mi\n"
		   "  - name: c2\n    image: x\n    resources:\n      requests:\n        cpu: "
		   "500m\n        memory: 100Mi\n");
	pf_sched_pod_requests(p, &cpu, &mem);
	is_int(cpu, 2000, "init container larger than the sum: cpu is its request");
	is_int(mem, 200LL << 20, "app containers larger: memory is their sum");
	pf_pod_free(p);

	p = decode(
	    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n"
	    "  initContainers:\n"
	    "  - name: side\n    image: x\n    restartPolicy: Always\n    resources:\n      "
	    "requests:\n        cpu: 300m\n"
	    "  - name: i2\n    image: x\n    resources:\n      requests:\n        cpu: \"1\"\n"
	    "  containers:\n"
	    "  - name: c1\n    image: x\n    resources:\n      requests:\n        cpu: 500m\n");
	pf_sched_pod_requests(p, &cpu, &mem);
	is_int(cpu, 1300,
	       "a sidecar adds to the init container after it and to the app containers");
	is_int(mem, 0, "no memory request");
	pf_sched_pod_nonzero(p, &cpu, &mem);
	is_int(mem, 2 * PF_SCHED_DEFAULT_MEMORY,
	       "scoring counts 200Mi for each container without a request (sidecar + one)");
	pf_pod_free(p);

	p = decode(
	    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n"
	    "  - name: c1\n    image: x\n    resources:\n      limits:\n        memory: 1Gi\n");
	pf_sched_pod_requests(p, &cpu, &mem);
	is_int(mem, 0, "a limit alone requests nothing before the API server's defaulting");
	pf_pod_free(p);
}

/* ---- the loop, through the mem: store ---- */

static const char *NODE_FMT =
    "apiVersion: v1\nkind: Node\nmetadata:\n  name: %s\nstatus:\n  allocatable:\n"
    "    cpu: \"%d\"\n    memory: %dGi\n    pods: \"110\"\n  conditions:\n"
    "  - lastHeartbeatTime: \"%s\"\n    status: \"True\"\n    type: Ready\n";

static void put_node(struct pf_store *s, const char *name, int cpu, int mem_gi)
{
	struct pf_err err = PF_ERR_INIT;
	char now[21], *v, *key;

	pf_format_time(pf_wall_ms(), now);
	v = pf_xasprintf(NODE_FMT, name, cpu, mem_gi, now);
	key = pf_xasprintf(PF_NODE_PREFIX "%s", name);
	pf_store_put(s, key, v, strlen(v), NULL, &err);
	free(v);
	free(key);
}

static int create_pods(struct pf_store *s, const char *prefix, int n)
{
	struct pf_buf y = PF_BUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	struct pf_api_created c = {0};
	struct pf_policy pol = {0};
	int r;

	pf_buf_adds(&y, "apiVersion: v1\nkind: List\nitems:\n");
	for (int i = 0; i < n; i++)
		pf_buf_addf(&y,
			    "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: %s-%d\n"
			    "  spec:\n    containers:\n    - name: app\n      image: busybox\n",
			    prefix, i);
	r = pf_api_create_pods(s, y.buf, y.len, "t.yaml", &pol, &c, &err);
	if (r < 0)
		printf("# create: %s\n", err.msg);
	pf_api_created_free(&c);
	pf_buf_release(&y);
	return r;
}

/* Wait until every pod with prefix is bound; returns how many are. */
static int wait_bound(struct pf_store *s, int want, int timeout_ms)
{
	int64_t end = pf_now_ns() + (int64_t)timeout_ms * 1000000;
	int bound = 0;

	do {
		struct pf_kv_list l = {0};
		struct pf_err err = PF_ERR_INIT;

		bound = 0;
		pf_store_list(s, PF_POD_PREFIX, &l, NULL, &err);
		for (size_t i = 0; i < l.n; i++)
			if (strstr(l.items[i].value, "\n  nodeName: "))
				bound++;
		pf_kv_list_free(&l);
		if (bound >= want)
			break;
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
	} while (pf_now_ns() < end);
	return bound;
}

/* Count the lines "scheduled" in the timelines and Scheduled events: a pod
 * bound twice would show two. */
static void count_binds(struct pf_store *s, int *timeline_lines, int *events)
{
	struct pf_kv_list l = {0};
	struct pf_err err = PF_ERR_INIT;

	*timeline_lines = *events = 0;
	pf_store_list(s, PF_POD_PREFIX, &l, NULL, &err);
	for (size_t i = 0; i < l.n; i++)
		for (const char *p = l.items[i].value; (p = strstr(p, " scheduled ")); p++)
			(*timeline_lines)++;
	pf_kv_list_free(&l);
	pf_store_list(s, PF_EVENT_PREFIX, &l, NULL, &err);
	for (size_t i = 0; i < l.n; i++)
		if (strstr(l.items[i].value, "reason: Scheduled\n"))
			(*events)++;
	pf_kv_list_free(&l);
}

static void test_loop(void)
{
	struct pf_store *s = NULL, *s2 = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct pf_sched *a = NULL, *b = NULL;
	struct pf_sched_opts o = {.renew_ms = 20, .lease_duration_ms = 300, .batch = 64};
	struct pf_sched_stats st;
	int tl, ev, r;

	r = pf_store_open("mem:schedtest", &s, &err);
	pf_store_open("mem:schedtest", &s2, &err);
	is_int(r, 0, "open mem: store");
	for (int i = 0; i < 10; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		put_node(s, name, 4, 8);
	}
	create_pods(s, "early", 300); /* pending before any scheduler runs */

	o.identity = "a";
	r = pf_sched_start(s, &o, &a, &err);
	is_int(r, 0, "scheduler a starts");
	o.identity = "b";
	r = pf_sched_start(s2, &o, &b, &err);
	is_int(r, 0, "scheduler b starts on the same store");
	is_int(wait_bound(s, 300, 5000), 300, "300 pending pods all bound");
	create_pods(s, "late", 200);
	is_int(wait_bound(s, 500, 5000), 500, "200 more bound as they come");
	count_binds(s, &tl, &ev);
	is_int(tl, 500, "each pod's timeline has one scheduled line");
	is_int(ev, 500, "one Scheduled event per pod");
	{
		struct pf_sched_stats sa, sb;
		pf_sched_get_stats(a, &sa);
		pf_sched_get_stats(b, &sb);
		ok(sa.leader != sb.leader, "exactly one leader (a %d, b %d)", sa.leader, sb.leader);
		is_int(sa.bound + sb.bound, 500, "binds counted once over both");
		ok(sa.txns + sb.txns < 100, "batched: %llu transactions for 500 pods",
		   (unsigned long long)(sa.txns + sb.txns));
	}

	/* The leader stops: the other takes over and binds new pods. */
	pf_sched_get_stats(a, &st);
	if (st.leader) {
		pf_sched_stop(a);
		a = NULL;
	} else {
		pf_sched_stop(b);
		b = NULL;
	}
	create_pods(s, "after", 20);
	is_int(wait_bound(s, 520, 5000), 520, "after the leader stops, the other binds");
	pf_sched_stop(a);
	pf_sched_stop(b);
	count_binds(s, &tl, &ev);
	is_int(tl, 520, "still exactly one bind per pod");

	/* A lease that a crashed holder left (renewTime long past) is taken
	 * over at once. */
	{
		struct pf_lease l;
		char holder[64];
		int64_t renew;
		int dur, tr;
		struct pf_kv kv = {0};

		pf_lease_init(&l, s, "kube-system", "kube-scheduler", "c", 15000);
		is_int(pf_lease_tick(&l, &err), 1, "a released lease is taken at once");
		pf_store_get(s, "/registry/leases/kube-system/kube-scheduler", &kv, &err);
		pf_lease_parse(kv.value, holder, sizeof(holder), &renew, &dur, &tr);
		is_str(holder, "c", "holderIdentity");
		is_int(dur, 15, "leaseDurationSeconds");
		pf_kv_free(&kv);
		pf_lease_release(&l);
		pf_lease_clear(&l);
	}
	pf_store_close(s2);
	pf_store_close(s);
}

/* A pod changed under the scheduler's feet between its pick and its write:
 * the CAS fails for that pod alone, the rest of the batch is bound, and the
 * pod is bound once after a re-read. */
static void test_conflict(void)
{
	struct pf_store *s = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct pf_sched *a = NULL;
	struct pf_sched_opts o = {.renew_ms = 20, .identity = "solo", .batch = 1000};
	int tl, ev;

	pf_store_open("mem:", &s, &err);
	for (int i = 0; i < 20; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		put_node(s, name, 64, 64); /* 110 pods each */
	}
	create_pods(s, "c", 2000);
	pf_sched_start(s, &o, &a, &err);
	/* Touch pods while the scheduler works: every update moves mod_rev. */
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < 2000; i += 7) {
			char key[64];
			struct pf_kv kv = {0};
			snprintf(key, sizeof(key), PF_POD_PREFIX "c-%d", i);
			if (pf_store_get(s, key, &kv, &err) == 0) {
				pf_store_update(s, key, kv.value, kv.len, kv.mod_rev, NULL, &err);
				pf_kv_free(&kv);
			}
			pf_err_clear(&err);
		}
	is_int(wait_bound(s, 2000, 10000), 2000, "all pods bound despite concurrent writers");
	{
		struct pf_sched_stats st;
		pf_sched_get_stats(a, &st);
		printf("# %llu binds lost a compare-and-swap and were redone\n",
		       (unsigned long long)st.conflicts);
	}
	pf_sched_stop(a);
	count_binds(s, &tl, &ev);
	is_int(tl, 2000, "no pod bound twice");
	is_int(ev, 2000, "one Scheduled event each");
	pf_store_close(s);
}

/* Wait until the stored pod contains needle; returns its text or NULL. */
static char *wait_pod_text(struct pf_store *s, const char *name, const char *needle, int ms)
{
	int64_t end = pf_now_ns() + (int64_t)ms * 1000000;
	char *key = pf_pod_key(name);

	do {
		struct pf_kv kv = {0};
		struct pf_err err = PF_ERR_INIT;

		if (pf_store_get(s, key, &kv, &err) == 0 && strstr(kv.value, needle)) {
			free(key);
			free(kv.key);
			return kv.value;
		}
		pf_kv_free(&kv);
		struct timespec ts = {0, 5 * 1000000};
		nanosleep(&ts, NULL);
	} while (pf_now_ns() < end);
	free(key);
	return NULL;
}

static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* The scheduler writes from the pod it decoded when the pod arrived, through
 * a copy: what it writes must be the stored pod with exactly its changes,
 * across an unschedulable write, a changed message and the bind. */
static void test_bind_object(void)
{
	struct pf_store *s = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct pf_sched *a = NULL;
	struct pf_sched_opts o = {.renew_ms = 20, .identity = "solo"};
	struct pf_api_created c = {0};
	struct pf_policy pol = {0};
	const char *y = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\n  annotations:\n"
			"    team: storage\nspec:\n  containers:\n  - name: app\n"
			"    image: busybox\n    resources:\n      requests:\n        cpu: \"2\"\n";
	_cleanup_pod_ struct pf_pod *pod = NULL;
	const struct pf_condition *cond;
	char *v;

	pf_store_open("mem:", &s, &err);
	put_node(s, "small-1", 1, 1);
	is_int(pf_api_create_pods(s, y, strlen(y), "big.yaml", &pol, &c, &err), 1, "pod created");
	pf_api_created_free(&c);
	pf_sched_start(s, &o, &a, &err);

	v = wait_pod_text(s, "big", "0/1 nodes are available: 1 Insufficient cpu.", 5000);
	ok(v != NULL, "unschedulable: PodScheduled False with the reason");
	is_int(count_str(v, "type: PodScheduled"), 1, "one PodScheduled condition");
	ok(v && strstr(v, "reason: Unschedulable") && strstr(v, "team: storage"),
	   "reason Unschedulable, the annotation kept");
	ok(v && !strstr(v, "nodeName"), "no nodeName");
	free(v);

	/* A second small node changes the message: the pod is written again
	 * from its kept object, which followed the first write. */
	put_node(s, "small-2", 1, 1);
	v = wait_pod_text(s, "big", "0/2 nodes are available: 2 Insufficient cpu.", 5000);
	ok(v != NULL, "a new message is written");
	is_int(count_str(v, "type: PodScheduled"), 1, "still one PodScheduled condition");
	free(v);

	put_node(s, "large", 8, 8);
	v = wait_pod_text(s, "big", "nodeName: large", 5000);
	ok(v != NULL, "bound once a node fits");
	if (v && pf_pod_decode(v, strlen(v), &pod, &err) == 0) {
		const char *tl = pf_strmap_get(&pod->meta.annotations, PF_TIMELINE_ANNOTATION);

		cond = pf_condition_find(pod->status.conditions, pod->status.n_conditions,
					 "PodScheduled");
		is_int(count_str(v, "type: PodScheduled"), 1, "one PodScheduled condition");
		is_str(cond ? cond->status : "", "True", "PodScheduled True");
		ok(cond && !cond->reason && !cond->message, "with no reason or message left");
		is_str(pf_strmap_get(&pod->meta.annotations, "team"), "storage",
		       "other annotations kept");
		ok(tl && strstr(tl, " stored\n") && strstr(tl, " scheduled large") &&
		       count_str(tl, "scheduled") == 1,
		   "the timeline: stored, then one scheduled line");
		is_str(pod->spec.containers[0].image, "busybox", "the spec is as stored");
	} else {
		ok(false, "the bound pod decodes");
	}
	free(v);
	pf_sched_stop(a);
	pf_store_close(s);
}

/* Taint eviction's decision (pf_sched_noexecute) and the packed copy of
 * the tolerations that matter to it. */
static void test_noexecute(void)
{
	struct pf_sched_node n;
	struct pf_sched_pod p;
	struct pf_sched_tol *packed;
	size_t np;

	mknode(&n, "n", 1000, 1024, NULL, "k=v:NoExecute,other=x:NoSchedule");
	mkpod(&p, 0, 0);
	is_int(pf_sched_noexecute(p.tols, p.n_tols, &n), 0, "untolerated NoExecute: evict now");
	tol(&p, "k", "Equal", "v", "NoExecute");
	p.tols[0].has_seconds = true;
	p.tols[0].seconds = 2;
	is_int(pf_sched_noexecute(p.tols, p.n_tols, &n), 2000, "tolerationSeconds 2: in 2 s");
	p.tols[0].has_seconds = false;
	is_int(pf_sched_noexecute(p.tols, p.n_tols, &n), PF_EVICT_NEVER,
	       "tolerated without tolerationSeconds: never");
	p.tols[0].has_seconds = true;
	p.tols[0].seconds = 0;
	is_int(pf_sched_noexecute(p.tols, p.n_tols, &n), 0, "tolerationSeconds 0: now");
	pf_sched_pod_clear(&p);

	/* The first matching toleration decides for a taint; the smallest
	 * time over all taints wins. */
	pf_sched_node_clear(&n);
	mknode(&n, "n", 1000, 1024, NULL, "a=1:NoExecute,b=2:NoExecute");
	mkpod(&p, 0, 0);
	tol(&p, "a", "Exists", NULL, "NoExecute");
	tol(&p, "", "Exists", NULL, NULL);
	tol(&p, "b", "Exists", NULL, "NoSchedule");
	p.tols[0].has_seconds = true;
	p.tols[0].seconds = 30;
	p.tols[1].has_seconds = true;
	p.tols[1].seconds = 7;
	is_int(pf_sched_noexecute(p.tols, p.n_tols, &n), 7000,
	       "two taints: the smallest tolerationSeconds of the tolerations used");
	packed = pf_sched_tols_noexecute(p.tols, p.n_tols, &np);
	is_int(np, 2, "the NoSchedule toleration is not kept");
	is_str(packed[0].key, "a", "packed: keys copied");
	is_str(packed[1].key, "", "packed: empty key");
	is_int(pf_sched_noexecute(packed, np, &n), 7000, "the packed copy decides the same");
	free(packed);
	pf_sched_pod_clear(&p);

	pf_sched_node_clear(&n);
	mknode(&n, "n", 1000, 1024, NULL, "a=1:NoSchedule");
	mkpod(&p, 0, 0);
	is_int(pf_sched_noexecute(p.tols, p.n_tols, &n), PF_EVICT_NEVER,
	       "no NoExecute taint: never");
	ok(!pf_sched_node_noexecute(&n), "pf_sched_node_noexecute: no");
	pf_sched_pod_clear(&p);
	pf_sched_node_clear(&n);
}

/* A compaction past the scheduler's watch makes it relist (-ERANGE) and
 * replace its watch on its own thread; it still binds what comes after.
 * A stop right after a compaction races with that relist: pf_sched_stop
 * used to read the watch pointer while the thread closed and replaced it
 * (a data race under make check-tsan, a use after free at worst). */
static void test_compacted(void)
{
	struct pf_store *s = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct pf_sched *a = NULL;
	struct pf_sched_opts o = {.renew_ms = 20, .identity = "solo"};
	int stopped = 0, compacted = 0;
	char name[32];

	pf_store_open("mem:", &s, &err);
	put_node(s, "n0", 64, 64);
	pf_sched_start(s, &o, &a, &err);
	for (int i = 0; i < 20; i++) {
		int64_t rev = 0;

		snprintf(name, sizeof(name), "cmp%d", i);
		create_pods(s, name, 1);
		if (pf_store_rev(s, &rev, &err) == 0 && pf_store_compact(s, rev, &err) == 0)
			compacted++;
	}
	is_int(compacted, 20, "the store is compacted 20 times under the scheduler's watch");
	is_int(wait_bound(s, 20, 5000), 20, "the scheduler relists and binds every pod");
	pf_sched_stop(a);
	for (int i = 0; i < 20; i++) {
		int64_t rev = 0;

		a = NULL;
		if (pf_sched_start(s, &o, &a, &err) < 0)
			break;
		snprintf(name, sizeof(name), "stop%d", i);
		create_pods(s, name, 1);
		pf_store_rev(s, &rev, &err);
		pf_store_compact(s, rev, &err);
		pf_sched_stop(a);
		stopped++;
	}
	is_int(stopped, 20, "a stop right after a compaction, 20 times: each stops");
	pf_store_close(s);
}

int main(void)
{
	test_noexecute();
	test_messages();
	test_fit_and_score();
	test_requests();
	test_loop();
	test_conflict();
	test_bind_object();
	test_compacted();
	return tap_done();
}
