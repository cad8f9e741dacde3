/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_agent.c - the node agent's pure parts and its loop against the mem:
 * store: flag parsing and its errors, the node object, re-registration and
 * the heartbeat's restore logic, a hollow pod going Running and away.
 */
#include "agent.h"
#include "api.h"
#include "manifest.h"
#include "podstatus.h"
#include "register.h"
#include "tap.h"

#include <errno.h>
#include <time.h>

static void test_capacity(void)
{
	struct pf_reslist l = {0};
	struct pf_err err = PF_ERR_INIT;

	is_int(pf_parse_capacity("cpu=4,memory=8Gi,pods=110", &l, &err), 0, "capacity parses");
	is_int(l.n, 3, "three resources");
	is_str(pf_reslist_get(&l, "memory")->str, "8Gi", "memory canonical");
	is_int(pf_reslist_get(&l, "cpu")->milli, 4000, "cpu in millicores");
	is_int(pf_parse_capacity("cpu=1500m,example.com/gpu=2", &l, &err), 0,
	       "milli cpu and extended resources");
	is_str(pf_reslist_get(&l, "cpu")->str, "1500m", "cpu=1500m kept");
	pf_reslist_free(&l);

	static const struct {
		const char *in, *msg;
	} bad[] = {
	    {"cpu", "--capacity: \"cpu\": expected name=quantity (cpu=4)"},
	    {"gpu=1", "--capacity: unknown resource \"gpu\""},
	    {"memory=lots", "--capacity: memory: quantities must match"},
	    {"pods=1.5", "--capacity: pods: \"1.5\" is not a whole number"},
	    {"cpu=-1", "--capacity: cpu: must be greater than or equal to 0"},
	};
	for (size_t i = 0; i < PF_ARRAY_SIZE(bad); i++) {
		pf_err_clear(&err);
		is_int(pf_parse_capacity(bad[i].in, &l, &err), -EINVAL, "--capacity %s refused",
		       bad[i].in);
		ok(strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "message: %s", err.msg);
		pf_reslist_free(&l);
	}
}

static void test_labels_taints(void)
{
	struct pf_strmap m = {0};
	struct pf_taint *t = NULL;
	size_t n = 0;
	struct pf_err err = PF_ERR_INIT;

	is_int(pf_parse_node_labels("zone=a,example.com/disk=ssd,empty=", &m, &err), 0,
	       "labels parse");
	is_str(pf_strmap_get(&m, "example.com/disk"), "ssd", "prefixed key");
	is_str(pf_strmap_get(&m, "empty"), "", "empty value allowed");
	is_int(pf_parse_node_labels("bad key=x", &m, &err), -EINVAL, "space in key refused");
	ok(strstr(err.msg, "--node-labels: invalid label key \"bad key\"") == err.msg,
	   "label key message: %s", err.msg);
	pf_err_clear(&err);
	is_int(pf_parse_node_labels("zone=-a", &m, &err), -EINVAL, "bad value refused");
	ok(strstr(err.msg, "invalid label value \"-a\" for key \"zone\"") != NULL,
	   "value message: %s", err.msg);
	pf_err_clear(&err);
	is_int(pf_parse_node_labels("kubernetes.io/hostname=x", &m, &err), -EINVAL,
	       "the agent's own labels refused");
	pf_err_clear(&err);
	is_int(pf_parse_node_labels("novalue", &m, &err), -EINVAL, "k without = refused");
	pf_strmap_free(&m);

	pf_err_clear(&err);
	is_int(pf_parse_node_taints("dedicated=gpu:NoSchedule,spot:PreferNoSchedule,x=y:NoExecute",
				    &t, &n, &err),
	       0, "taints parse");
	is_int(n, 3, "three taints");
	is_str(t[0].key, "dedicated", "key");
	is_str(t[0].value, "gpu", "value");
	is_str(t[0].effect, "NoSchedule", "effect");
	ok(t[1].value == NULL, "key:Effect has no value");
	static const struct {
		const char *in, *msg;
	} bad[] = {
	    {"dedicated=gpu", "--node-taints: invalid taint spec \"dedicated=gpu\": expected "
			      "key=value:Effect or key:Effect"},
	    {"a=b:NoWay", "--node-taints: invalid taint effect \"NoWay\" in \"a=b:NoWay\""},
	    {"=b:NoSchedule",
	     "--node-taints: invalid taint spec \"=b:NoSchedule\": the key is empty"},
	    {"a=b c:NoSchedule", "--node-taints: taint \"a=b c:NoSchedule\": invalid label value"},
	    {"dedicated=x:NoSchedule",
	     "--node-taints: duplicate taint \"dedicated\" with effect NoSchedule"},
	};
	for (size_t i = 0; i < PF_ARRAY_SIZE(bad); i++) {
		pf_err_clear(&err);
		is_int(pf_parse_node_taints(bad[i].in, &t, &n, &err), -EINVAL,
		       "--node-taints %s refused", bad[i].in);
		ok(strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "message: %s", err.msg);
	}
	pf_taints_free(t, n);
}

static struct pf_host_facts fake_host(void)
{
	struct pf_host_facts h = {
	    .cpu_milli = 2000,
	    .memory_bytes = 4LL << 30,
	    .disk_bytes = 100LL << 30,
	    .internal_ip = pf_xstrdup("10.0.0.7"),
	    .kernel_version = pf_xstrdup("6.1.0-test"),
	    .arch = pf_xstrdup("amd64"),
	    .os_image = pf_xstrdup("Debian GNU/Linux 12 (bookworm)"),
	    .machine_id = pf_xstrdup("abc"),
	};
	return h;
}

static struct pf_condition *cond(struct pf_node *n, const char *type)
{
	return pf_condition_find(n->conditions, n->n_conditions, type);
}

static void test_build_merge(void)
{
	struct pf_host_facts h = fake_host();
	struct pf_taint taint = {
	    .key = (char *)"dedicated", .value = (char *)"gpu", .effect = (char *)"NoSchedule"};
	struct pf_strmap labels = {0};
	struct pf_node_desc d = {.name = "n1",
				 .host = &h,
				 .labels = &labels,
				 .taints = &taint,
				 .n_taints = 1,
				 .runtime_version = "fake://0.1",
				 .kubelet_version = "podfs-test"};
	struct pf_host_facts detected;

	pf_strmap_set(&labels, "zone", "a");
	_cleanup_node_ struct pf_node *n = pf_node_build(&d, 1000000);
	is_str(pf_strmap_get(&n->meta.labels, "kubernetes.io/hostname"), "n1", "hostname label");
	is_str(pf_strmap_get(&n->meta.labels, "kubernetes.io/arch"), "amd64", "arch label");
	is_str(pf_strmap_get(&n->meta.labels, "beta.kubernetes.io/os"), "linux", "beta os label");
	is_str(pf_strmap_get(&n->meta.labels, "zone"), "a", "--node-labels label");
	is_str(pf_reslist_get(&n->capacity, "memory")->str, "4Gi", "capacity memory");
	is_str(pf_reslist_get(&n->allocatable, "memory")->str, "3996Mi",
	       "allocatable memory is capacity minus 100Mi (evictionHard)");
	is_str(pf_reslist_get(&n->capacity, "pods")->str, "110", "pods 110");
	is_str(pf_reslist_get(&n->capacity, "cpu")->str, "2", "cpu");
	is_str(cond(n, "Ready")->status, "True", "Ready True");
	is_str(cond(n, "Ready")->reason, "KubeletReady", "reason KubeletReady");
	is_str(cond(n, "MemoryPressure")->status, "False", "MemoryPressure False");
	is_str(pf_node_internal_ip(n), "10.0.0.7", "InternalIP");
	is_str(n->container_runtime_version, "fake://0.1", "runtime version");
	is_int(n->n_taints, 1, "taint");

	/* Round trip through the encoder: what is stored decodes to the same. */
	_cleanup_buf_ struct pf_buf b = PF_BUF_INIT;
	_cleanup_node_ struct pf_node *back = NULL;
	struct pf_err err = PF_ERR_INIT;
	pf_node_encode(n, &b);
	is_int(pf_node_decode(b.buf, b.len, &back, &err), 0, "node.yaml decodes: %s", err.msg);

	/* The lifecycle controller marks it Unknown and taints it; someone adds
	 * a label and a taint of their own. */
	struct pf_condition *r = cond(back, "Ready");
	free(r->status);
	r->status = pf_xstrdup("Unknown");
	r->last_transition_ms = 2000000;
	pf_strmap_set(&back->meta.labels, "team", "x");
	back->taints = pf_xrealloc(back->taints, 4 * sizeof(*back->taints));
	back->taints[1] = (struct pf_taint){.key = pf_xstrdup(PF_TAINT_UNREACHABLE),
					    .effect = pf_xstrdup("NoSchedule")};
	back->taints[2] = (struct pf_taint){.key = pf_xstrdup(PF_TAINT_UNREACHABLE),
					    .effect = pf_xstrdup("NoExecute")};
	back->taints[3] =
	    (struct pf_taint){.key = pf_xstrdup("maintenance"), .effect = pf_xstrdup("NoSchedule")};
	back->n_taints = 4;
	char *uid = pf_xstrdup(back->meta.uid);

	_cleanup_node_ struct pf_node *fresh = pf_node_build(&d, 3000000);
	ok(strcmp(fresh->meta.uid, uid) != 0, "a fresh build has a new uid");
	ok(pf_node_merge(back, fresh, 3000000), "merge reports Ready restored");
	is_str(back->meta.uid, uid, "uid kept");
	is_int(back->meta.creation_ms, 1000000, "creationTimestamp kept");
	is_str(cond(back, "Ready")->status, "True", "Ready True again");
	is_int(cond(back, "Ready")->last_transition_ms, 3000000, "transition time updated");
	is_int(cond(back, "Ready")->last_probe_ms, 3000000, "heartbeat time updated");
	is_int(cond(back, "MemoryPressure")->last_transition_ms, 1000000,
	       "an unchanged condition keeps its transition time");
	is_str(pf_strmap_get(&back->meta.labels, "team"), "x", "others' labels kept");
	is_int(back->n_taints, 2, "the controller's taints are gone, the others stay");
	is_str(back->taints[0].key, "dedicated", "our taint");
	is_str(back->taints[1].key, "maintenance", "someone else's taint");

	ok(!pf_node_merge(back, fresh, 4000000), "a plain heartbeat restores nothing");
	is_int(cond(back, "Ready")->last_probe_ms, 4000000, "heartbeat bumps lastHeartbeatTime");
	is_int(cond(back, "Ready")->last_transition_ms, 3000000, "and not the transition");

	/* A runtime that is down: NotReady with the reason; taints stay. */
	d.not_ready = "the OCI runtime is not built";
	_cleanup_node_ struct pf_node *down = pf_node_build(&d, 5000000);
	is_str(cond(down, "Ready")->status, "False", "runtime down: Ready False");
	is_str(cond(down, "Ready")->message,
	       "container runtime is down: the OCI runtime is not built", "with why");
	free(uid);
	pf_strmap_free(&labels);
	pf_host_facts_free(&h);

	pf_host_detect("/", &detected);
	ok(detected.cpu_milli >= 1000, "detected cpus");
	ok(detected.memory_bytes > 0, "detected memory");
	ok(detected.internal_ip && *detected.internal_ip, "detected an address");
	pf_host_facts_free(&detected);
}

static int wait_pod(struct pf_store *s, const char *name, const char *word, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		_cleanup_pod_ struct pf_pod *p = NULL;
		struct pf_err err = PF_ERR_INIT;
		int r = pf_api_get_pod(s, name, &p, &err);

		if (!word && r == -ENOENT)
			return 0;
		if (word && r == 0) {
			_cleanup_free_ char *w = pf_pod_status_word(p);
			if (strcmp(w, word) == 0)
				return 0;
		}
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void bind(struct pf_store *s, const char *name, const char *node)
{
	_cleanup_pod_ struct pf_pod *p = NULL;
	_cleanup_buf_ struct pf_buf b = PF_BUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	_cleanup_free_ char *key = pf_pod_key(name);

	pf_api_get_pod(s, name, &p, &err);
	p->spec.node_name = pf_xstrdup(node);
	int64_t rev = p->meta.resource_version;
	p->meta.resource_version = 0;
	pf_pod_encode(p, &b);
	pf_store_update(s, key, b.buf, b.len, rev, NULL, &err);
}

static void test_agent_loop(void)
{
	struct pf_store *s = NULL;
	struct pf_agent *a = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct pf_api_created c = {0};
	struct pf_kv kv = {0};
	struct pf_agent_opts o = {
	    .name = "hollow", .replicas = 3, .runtime = "fake", .heartbeat_ms = 50};
	const char *yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n"
			   "  containers:\n  - name: app\n    image: nginx\n";

	is_int(pf_store_open("mem:", &s, &err), 0, "mem store");
	is_int(pf_agent_start(s, &o, &a, &err), 0, "agent starts: %s", err.msg);
	is_int(pf_agent_nodes(a), 3, "three hollow nodes");
	is_int(pf_store_get(s, PF_NODE_PREFIX "hollow-0002", &kv, &err), 0,
	       "hollow-0002 registered");
	pf_kv_free(&kv);

	is_int(pf_api_create_pods(s, yaml, strlen(yaml), "web.yaml", NULL, &c, &err), 1,
	       "pod created");
	pf_api_created_free(&c);
	bind(s, "web", "hollow-0002");
	is_int(wait_pod(s, "web", "Running", 5000), 0, "bound pod goes Running on a hollow node");
	is_int(pf_api_delete_pod(s, "web", NULL, &err), 0, "delete");
	is_int(wait_pod(s, "web", NULL, 5000), 0, "the agent removes the pod object");
	pf_agent_stop(a);

	/* Restart: same uid. */
	_cleanup_node_ struct pf_node *n1 = NULL, *n2 = NULL;
	pf_store_get(s, PF_NODE_PREFIX "hollow-0001", &kv, &err);
	pf_node_decode(kv.value, kv.len, &n1, &err);
	pf_kv_free(&kv);
	is_int(pf_agent_start(s, &o, &a, &err), 0, "agent starts again");
	pf_store_get(s, PF_NODE_PREFIX "hollow-0001", &kv, &err);
	pf_node_decode(kv.value, kv.len, &n2, &err);
	pf_kv_free(&kv);
	is_str(n2->meta.uid, n1->meta.uid, "re-registration keeps the uid");
	pf_agent_stop(a);

	o.taints = "bad";
	pf_err_clear(&err);
	is_int(pf_agent_start(s, &o, &a, &err), -EINVAL, "bad flags refuse to start");
	pf_store_close(s);
}

int main(void)
{
	test_capacity();
	test_labels_taints();
	test_build_merge();
	test_agent_loop();
	return tap_done();
}
