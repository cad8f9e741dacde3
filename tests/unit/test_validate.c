/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_validate.c - table tests of core/apiserver/validate.c: every default the API
 * server applies, each validation rule with its exact kubectl wording, the
 * Pod Security baseline checks, qosClass and generateName validation.
 *
 * Pods are built in C here so that this test does not depend on the YAML
 * decoder; tests/unit/test_corpus.c runs real manifests end to end.
 */
#include <errno.h>

#include "tap.h"
#include "validate.h"

#define S(x) pf_xstrdup(x)

static struct pf_container *add_ctr(struct pf_container **arr, size_t *n, const char *name,
				    const char *image)
{
	struct pf_container *c;

	*arr = pf_xrealloc(*arr, (*n + 1) * sizeof(**arr));
	c = &(*arr)[(*n)++];
	memset(c, 0, sizeof(*c));
	c->name = name ? S(name) : NULL;
	c->image = image ? S(image) : NULL;
	return c;
}

/* `kubectl run x --image=nginx --dry-run=client -o yaml`, decoded. */
static struct pf_pod *mkpod(void)
{
	struct pf_pod *pod = pf_xcalloc(1, sizeof(*pod));

	pod->meta.name = S("x");
	pf_strmap_set(&pod->meta.labels, "run", "x");
	add_ctr(&pod->spec.containers, &pod->spec.n_containers, "app", "nginx");
	return pod;
}

static struct pf_container *app(struct pf_pod *pod)
{
	return &pod->spec.containers[0];
}

static struct pf_container_port *add_port(struct pf_container *c, int32_t port)
{
	struct pf_container_port *p;

	c->ports = pf_xrealloc(c->ports, (c->n_ports + 1) * sizeof(*c->ports));
	p = &c->ports[c->n_ports++];
	memset(p, 0, sizeof(*p));
	p->container_port = port;
	return p;
}

static struct pf_env_var *add_env(struct pf_container *c, const char *name, const char *value)
{
	struct pf_env_var *e;

	c->env = pf_xrealloc(c->env, (c->n_env + 1) * sizeof(*c->env));
	e = &c->env[c->n_env++];
	memset(e, 0, sizeof(*e));
	e->name = name ? S(name) : NULL;
	e->value = value ? S(value) : NULL;
	return e;
}

static struct pf_volume *add_vol(struct pf_pod *pod, const char *name, enum pf_volume_kind kind)
{
	struct pf_pod_spec *s = &pod->spec;
	struct pf_volume *v;

	s->volumes = pf_xrealloc(s->volumes, (s->n_volumes + 1) * sizeof(*v));
	v = &s->volumes[s->n_volumes++];
	memset(v, 0, sizeof(*v));
	v->name = name ? S(name) : NULL;
	v->kind = kind;
	if (kind == PF_VOLUME_HOSTPATH)
		v->host_path = S("/var/data");
	return v;
}

static struct pf_volume_mount *add_mount(struct pf_container *c, const char *name, const char *path)
{
	struct pf_volume_mount *m;

	c->volume_mounts = pf_xrealloc(c->volume_mounts, (c->n_volume_mounts + 1) * sizeof(*m));
	m = &c->volume_mounts[c->n_volume_mounts++];
	memset(m, 0, sizeof(*m));
	m->name = name ? S(name) : NULL;
	m->mount_path = path ? S(path) : NULL;
	return m;
}

static struct pf_toleration *add_tol(struct pf_pod *pod, const char *key, const char *op,
				     const char *value, const char *effect)
{
	struct pf_pod_spec *s = &pod->spec;
	struct pf_toleration *t;

	s->tolerations = pf_xrealloc(s->tolerations, (s->n_tolerations + 1) * sizeof(*t));
	t = &s->tolerations[s->n_tolerations++];
	memset(t, 0, sizeof(*t));
	t->key = key ? S(key) : NULL;
	t->operator_ = op ? S(op) : NULL;
	t->value = value ? S(value) : NULL;
	t->effect = effect ? S(effect) : NULL;
	return t;
}

static void add_sysctl(struct pf_pod *pod, const char *name)
{
	struct pf_pod_security_context *sc = &pod->spec.security_context;

	sc->sysctls = pf_xrealloc(sc->sysctls, (sc->n_sysctls + 1) * sizeof(*sc->sysctls));
	sc->sysctls[sc->n_sysctls].name = S(name);
	sc->sysctls[sc->n_sysctls].value = S("1");
	sc->n_sysctls++;
}

static void set_probe(struct pf_probe *p, enum pf_handler_kind kind)
{
	p->set = true;
	p->handler.kind = kind;
	if (kind == PF_HANDLER_EXEC)
		pf_strlist_add(&p->handler.exec_command, "true");
	else
		p->handler.port.num = 8080;
}

static const struct pf_policy deny_all = {.allow_privileged = false};

/* Default, validate, compare; frees the pod. */
static void check(const char *what, struct pf_pod *pod, int want_rc, const char *want)
{
	struct pf_err err = PF_ERR_INIT;
	int rc;

	pf_pod_set_defaults(pod);
	rc = pf_pod_validate(pod, &deny_all, &err);
	is_int(rc, want_rc, "%s: rc", what);
	is_str(rc ? err.msg : NULL, want, "%s: message", what);
	pf_pod_free(pod);
}

static const char *invalid(const char *cause)
{
	static char buf[PF_ERR_MSG_MAX];

	snprintf(buf, sizeof(buf), "The Pod \"x\" is invalid: %s", cause);
	return buf;
}

static void test_defaults(void)
{
	struct pf_pod *pod = mkpod();
	struct pf_container *c = app(pod);
	const struct pf_pod_spec *s = &pod->spec;

	pf_pod_set_defaults(pod);
	is_str(pod->meta.namespace_, "default", "default namespace");
	is_str(s->restart_policy, "Always", "restartPolicy");
	is_str(s->dns_policy, "ClusterFirst", "dnsPolicy");
	is_str(s->scheduler_name, "default-scheduler", "schedulerName");
	ok(s->has_termination_grace_period_seconds && s->termination_grace_period_seconds == 30,
	   "terminationGracePeriodSeconds 30");
	is_int(s->enable_service_links, PF_TRUE, "enableServiceLinks");
	ok(s->has_priority && s->priority == 0, "priority 0");
	is_str(s->preemption_policy, "PreemptLowerPriority", "preemptionPolicy");
	is_str(s->service_account_name, "default", "serviceAccountName");
	is_str(c->image_pull_policy, "Always", "imagePullPolicy for an untagged image");
	is_str(c->termination_message_path, "/dev/termination-log", "terminationMessagePath");
	is_str(c->termination_message_policy, "File", "terminationMessagePolicy");
	is_int(s->n_tolerations, 2, "two default tolerations");
	is_str(s->tolerations[0].key, "node.kubernetes.io/not-ready", "not-ready toleration");
	is_str(s->tolerations[0].operator_, "Exists", "  operator Exists");
	is_str(s->tolerations[0].effect, "NoExecute", "  effect NoExecute");
	ok(s->tolerations[0].has_toleration_seconds && s->tolerations[0].toleration_seconds == 300,
	   "  for 300s");
	is_str(s->tolerations[1].key, "node.kubernetes.io/unreachable", "unreachable toleration");
	is_str(pod->status.qos_class, "BestEffort", "qosClass BestEffort");

	/* Idempotent: a second pass changes nothing. */
	pf_pod_set_defaults(pod);
	is_int(s->n_tolerations, 2, "defaults are idempotent (tolerations)");
	is_str(pod->status.qos_class, "BestEffort", "defaults are idempotent (qos)");
	check("dry-run pod is valid", pod, 0, NULL);
}

static void test_pull_policy(void)
{
	static const struct {
		const char *image, *want;
	} t[] = {
	    {"nginx", "Always"},
	    {"nginx:latest", "Always"},
	    {"nginx:1.25", "IfNotPresent"},
	    {"docker.io/library/nginx:latest", "Always"},
	    {"localhost:5000/nginx", "Always"},
	    {"localhost:5000/nginx:1.0", "IfNotPresent"},
	    {"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	     "IfNotPresent"},
	    {"nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	     "Always"},
	};

	for (size_t i = 0; i < PF_ARRAY_SIZE(t); i++) {
		struct pf_pod *pod = mkpod();

		free(app(pod)->image);
		app(pod)->image = S(t[i].image);
		pf_pod_set_defaults(pod);
		is_str(app(pod)->image_pull_policy, t[i].want, "imagePullPolicy of %s", t[i].image);
		pf_pod_free(pod);
	}
	ok(pf_image_is_latest("busybox"), "pf_image_is_latest(busybox)");
	ok(!pf_image_is_latest("busybox:1.36"), "!pf_image_is_latest(busybox:1.36)");

	/* A policy the user set is kept. */
	struct pf_pod *pod = mkpod();

	app(pod)->image_pull_policy = S("Never");
	pf_pod_set_defaults(pod);
	is_str(app(pod)->image_pull_policy, "Never", "explicit imagePullPolicy kept");
	pf_pod_free(pod);
}

static void test_container_defaults(void)
{
	struct pf_pod *pod = mkpod();
	struct pf_container *c = app(pod);
	struct pf_container *init;

	add_port(c, 80);
	set_probe(&c->liveness_probe, PF_HANDLER_HTTP);
	set_probe(&c->readiness_probe, PF_HANDLER_TCP);
	c->readiness_probe.period_seconds = 5;
	c->lifecycle.pre_stop.kind = PF_HANDLER_HTTP;
	c->lifecycle.pre_stop.port.num = 80;
	init = add_ctr(&pod->spec.init_containers, &pod->spec.n_init_containers, "init",
		       "busybox:1.36");
	add_env(c, "NODE", NULL)->field_ref_path = S("spec.nodeName");
	add_vol(pod, "data", 0);
	add_vol(pod, "host", PF_VOLUME_HOSTPATH);

	pf_pod_set_defaults(pod);
	is_str(c->ports[0].protocol, "TCP", "port protocol TCP");
	is_int(c->liveness_probe.timeout_seconds, 1, "probe timeoutSeconds 1");
	is_int(c->liveness_probe.period_seconds, 10, "probe periodSeconds 10");
	is_int(c->liveness_probe.success_threshold, 1, "probe successThreshold 1");
	is_int(c->liveness_probe.failure_threshold, 3, "probe failureThreshold 3");
	is_str(c->liveness_probe.handler.http_scheme, "HTTP", "httpGet scheme HTTP");
	is_str(c->liveness_probe.handler.http_path, "/", "httpGet path /");
	is_int(c->readiness_probe.period_seconds, 5, "explicit periodSeconds kept");
	ok(!c->startup_probe.set && c->startup_probe.period_seconds == 0, "unset probe untouched");
	is_str(c->lifecycle.pre_stop.http_scheme, "HTTP", "lifecycle httpGet scheme HTTP");
	is_str(init->image_pull_policy, "IfNotPresent", "init container imagePullPolicy");
	is_str(init->termination_message_policy, "File", "init container terminationMessagePolicy");
	is_str(c->env[0].field_ref_api, "v1", "fieldRef apiVersion v1");
	is_int(pod->spec.volumes[0].kind, PF_VOLUME_EMPTYDIR, "volume without source is emptyDir");
	is_str(pod->spec.volumes[1].host_path_type, "", "hostPath type \"\"");
	pf_pod_free(pod);

	/* hostNetwork: the host port is the container port. */
	pod = mkpod();
	pod->spec.host_network = PF_TRUE;
	add_port(app(pod), 8080);
	pf_pod_set_defaults(pod);
	is_int(app(pod)->ports[0].host_port, 8080, "hostNetwork defaults hostPort");
	pf_pod_free(pod);
}

static void test_tolerations_defaults(void)
{
	struct pf_pod *pod = mkpod();

	add_tol(pod, NULL, "Exists", NULL, NULL);
	pf_pod_set_defaults(pod);
	is_int(pod->spec.n_tolerations, 1, "tolerate-everything suppresses the defaults");
	pf_pod_free(pod);

	pod = mkpod();
	add_tol(pod, "node.kubernetes.io/not-ready", "Exists", NULL, "NoExecute")
	    ->has_toleration_seconds = true;
	pf_pod_set_defaults(pod);
	is_int(pod->spec.n_tolerations, 2, "own not-ready toleration kept, unreachable added");
	is_str(pod->spec.tolerations[1].key, "node.kubernetes.io/unreachable", "  unreachable");
	pf_pod_free(pod);

	pod = mkpod();
	add_tol(pod, "node.kubernetes.io/not-ready", "Exists", NULL, "NoSchedule");
	pf_pod_set_defaults(pod);
	is_int(pod->spec.n_tolerations, 3, "NoSchedule toleration does not cover NoExecute");
	pf_pod_free(pod);
}

static void test_qos(void)
{
	struct pf_pod *pod = mkpod();
	struct pf_container *c = app(pod);

	pf_reslist_set(&c->resources.limits, "cpu", 500, "500m");
	pf_reslist_set(&c->resources.limits, "memory", 134217728000LL, "128Mi");
	pf_pod_set_defaults(pod);
	ok(pf_reslist_get(&c->resources.requests, "cpu") &&
	       pf_reslist_get(&c->resources.requests, "cpu")->milli == 500,
	   "requests.cpu defaults to the limit");
	is_str(pf_reslist_get(&c->resources.requests, "memory")->str, "128Mi",
	       "requests.memory defaults to the limit");
	is_str(pod->status.qos_class, "Guaranteed", "limits only: Guaranteed");
	check("guaranteed pod is valid", pod, 0, NULL);

	pod = mkpod();
	c = app(pod);
	pf_reslist_set(&c->resources.requests, "cpu", 100, "100m");
	pf_pod_set_defaults(pod);
	is_str(pod->status.qos_class, "Burstable", "requests only: Burstable");
	pf_pod_free(pod);

	pod = mkpod();
	c = app(pod);
	pf_reslist_set(&c->resources.limits, "cpu", 1000, "1");
	pf_reslist_set(&c->resources.limits, "memory", 1000, "1");
	pf_reslist_set(&c->resources.requests, "cpu", 500, "500m");
	pf_pod_set_defaults(pod);
	is_str(pod->status.qos_class, "Burstable", "requests below limits: Burstable");
	pf_pod_free(pod);

	pod = mkpod();
	c = app(pod);
	pf_reslist_set(&c->resources.limits, "cpu", 1000, "1");
	pf_reslist_set(&c->resources.limits, "memory", 1000, "1");
	add_ctr(&pod->spec.containers, &pod->spec.n_containers, "side", "busybox");
	pf_pod_set_defaults(pod);
	is_str(pod->status.qos_class, "Burstable", "one container without limits: Burstable");
	pf_pod_free(pod);

	pod = mkpod();
	c = app(pod);
	pf_reslist_set(&c->resources.requests, "ephemeral-storage", 1000, "1");
	pf_pod_set_defaults(pod);
	is_str(pod->status.qos_class, "BestEffort", "only non-compute resources: BestEffort");
	pf_pod_free(pod);
}

#define LABEL_ERR                                                                                  \
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "        \
	"'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "         \
	"'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define SUBDOMAIN_ERR                                                                              \
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "      \
	"'-' or '.', and must start and end with an alphanumeric character (e.g. "                 \
	"'example.com', regex used for validation is "                                             \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

static void test_names(void)
{
	struct pf_pod *pod;
	char long_name[300];
	struct pf_buf want = PF_BUF_INIT;

	pod = mkpod();
	free(pod->meta.name);
	pod->meta.name = S("My_Pod");
	pf_pod_set_defaults(pod);
	{
		struct pf_err err = PF_ERR_INIT;

		is_int(pf_pod_validate(pod, NULL, &err), -EINVAL, "uppercase name: EINVAL");
		is_str(err.msg,
		       "The Pod \"My_Pod\" is invalid: metadata.name: Invalid value: "
		       "\"My_Pod\": " SUBDOMAIN_ERR,
		       "uppercase name: message");
	}
	pf_pod_free(pod);

	pod = mkpod();
	free(pod->meta.name);
	pod->meta.name = NULL;
	{
		struct pf_err err = PF_ERR_INIT;

		pf_pod_set_defaults(pod);
		pf_pod_validate(pod, NULL, &err);
		is_str(err.msg,
		       "The Pod \"\" is invalid: metadata.name: Required value: name or "
		       "generateName is required",
		       "missing name");
	}
	pf_pod_free(pod);

	memset(long_name, 'a', 254);
	long_name[254] = '\0';
	pod = mkpod();
	free(pod->meta.name);
	pod->meta.name = S(long_name);
	{
		struct pf_err err = PF_ERR_INIT;

		pf_pod_set_defaults(pod);
		pf_pod_validate(pod, NULL, &err);
		pf_buf_addf(
		    &want,
		    "The Pod \"%s\" is invalid: metadata.name: Invalid value: \"%s\": must be "
		    "no more than 253 characters",
		    long_name, long_name);
		is_str(err.msg, want.buf, "name over 253 bytes");
	}
	pf_pod_free(pod);
	pf_buf_release(&want);

	/* generateName may end in '-'; a generated name is validated too. */
	pod = mkpod();
	pod->meta.generate_name = S("web-");
	check("generateName with trailing dash", pod, 0, NULL);

	pod = mkpod();
	pod->meta.generate_name = S("Web-");
	check("bad generateName", pod, -EINVAL,
	      invalid("metadata.generateName: Invalid value: \"Web-\": " SUBDOMAIN_ERR));

	pod = mkpod();
	free(app(pod)->name);
	app(pod)->name = S("App");
	check("uppercase container name", pod, -EINVAL,
	      invalid("spec.containers[0].name: Invalid value: \"App\": " LABEL_ERR));

	pod = mkpod();
	free(app(pod)->name);
	app(pod)->name = S("a.b");
	check("dotted container name", pod, -EINVAL,
	      invalid("spec.containers[0].name: Invalid value: \"a.b\": must not contain dots"));

	memset(long_name, 'c', 64);
	long_name[64] = '\0';
	pod = mkpod();
	free(app(pod)->name);
	app(pod)->name = S(long_name);
	pf_buf_addf(
	    &want,
	    "spec.containers[0].name: Invalid value: \"%s\": must be no more than 63 characters",
	    long_name);
	check("container name over 63", pod, -EINVAL, invalid(want.buf));
	pf_buf_release(&want);

	pod = mkpod();
	free(app(pod)->name);
	app(pod)->name = NULL;
	check("container name missing", pod, -EINVAL,
	      invalid("spec.containers[0].name: Required value"));

	pod = mkpod();
	add_ctr(&pod->spec.containers, &pod->spec.n_containers, "app", "busybox");
	check("duplicate container", pod, -EINVAL,
	      invalid("spec.containers[1].name: Duplicate value: \"app\""));

	pod = mkpod();
	add_ctr(&pod->spec.init_containers, &pod->spec.n_init_containers, "app", "busybox");
	check("init container named like an app container", pod, -EINVAL,
	      invalid("spec.initContainers[0].name: Duplicate value: \"app\""));

	ok(pf_is_dns1123_subdomain("a.b-c", NULL), "a.b-c is a subdomain");
	ok(!pf_is_dns1123_label("a.b", NULL), "a.b is no label");
	{
		const char *d = NULL;

		ok(!pf_is_dns1123_label("-a", &d) && d &&
		       strncmp(d, "a lowercase RFC 1123 label", 26) == 0,
		   "label detail");
	}
}

static void test_meta(void)
{
	struct pf_pod *pod;
	struct pf_buf big = PF_BUF_INIT;

	pod = mkpod();
	pf_strmap_set(&pod->meta.labels, "app", "bad value");
	check("bad label value", pod, -EINVAL,
	      invalid(
		  "metadata.labels: Invalid value: \"bad value\": a valid label must be an "
		  "empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
		  "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
		  "or '12345', regex used for validation is "
		  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));

	pod = mkpod();
	pf_strmap_set(&pod->meta.labels, "-bad", "ok");
	check("bad label key", pod, -EINVAL,
	      invalid("metadata.labels: Invalid value: \"-bad\": name part must consist of "
		      "alphanumeric characters, '-', '_' or '.', and must start and end with an "
		      "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
		      "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));

	pod = mkpod();
	pf_strmap_set(&pod->meta.labels, "Example.com/x", "ok");
	check("label key prefix", pod, -EINVAL,
	      invalid(
		  "metadata.labels: Invalid value: \"Example.com/x\": prefix part " SUBDOMAIN_ERR));

	pod = mkpod();
	pf_strmap_set(&pod->meta.annotations, "Example.COM/Note", "fine");
	check("annotation keys ignore case", pod, 0, NULL);

	pod = mkpod();
	for (int i = 0; i < 263 * 1024 / 64; i++)
		pf_buf_adds(&big,
			    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	pf_strmap_set(&pod->meta.annotations, "big", big.buf);
	pf_buf_release(&big);
	check("annotations over 256 KiB", pod, -EINVAL,
	      invalid("metadata.annotations: Too long: may not be more than 262144 bytes"));

	pod = mkpod();
	pod->meta.namespace_ = S("kube-system");
	check("other namespace", pod, -EINVAL,
	      "namespaces \"kube-system\" not found: podfs has one namespace, \"default\"");

	pod = mkpod();
	pod->spec.service_account_name = S("builder");
	check("unknown service account", pod, -EINVAL,
	      "pods \"x\" is forbidden: error looking up service account default/builder: "
	      "serviceaccount \"builder\" not found");

	pod = mkpod();
	pod->spec.priority_class_name = S("high");
	check("unknown priority class", pod, -EINVAL,
	      "pods \"x\" is forbidden: no PriorityClass with name high was found");

	pod = mkpod();
	pod->spec.priority_class_name = S("system-node-critical");
	pf_pod_set_defaults(pod);
	is_int(pod->spec.priority, 2000001000, "system-node-critical priority");
	check("builtin priority class", pod, 0, NULL);

	pod = mkpod();
	pod->spec.has_priority = true;
	pod->spec.priority = 7;
	check("spec.priority by hand", pod, -EINVAL,
	      "pods \"x\" is forbidden: the integer value of priority (7) must not be provided "
	      "in pod spec; priority admission controller computed 0 from the given "
	      "PriorityClass name");

	pod = mkpod();
	pod->spec.priority_class_name = S("system-cluster-critical");
	pod->spec.has_priority = true;
	pod->spec.priority = 2000000000;
	check("spec.priority equal to the class's", pod, 0, NULL);
}

static void test_container_fields(void)
{
	struct pf_pod *pod;
	struct pf_container *c;

	pod = mkpod();
	free(app(pod)->image);
	app(pod)->image = NULL;
	check("missing image", pod, -EINVAL, invalid("spec.containers[0].image: Required value"));

	pod = mkpod();
	free(app(pod)->image);
	app(pod)->image = S(" nginx");
	check("image with whitespace", pod, -EINVAL,
	      invalid("spec.containers[0].image: Invalid value: \" nginx\": must not have leading "
		      "or trailing whitespace"));

	pod = mkpod();
	pod->spec.n_containers = 0;
	pod->spec.containers[0].name[0] = 0;
	{
		/* Keep the container for freeing, hide it from validation. */
		struct pf_container *keep = pod->spec.containers;

		pod->spec.containers = NULL;
		check("no containers", pod, -EINVAL, invalid("spec.containers: Required value"));
		free(keep->name);
		free(keep->image);
		free(keep);
	}

	pod = mkpod();
	app(pod)->image_pull_policy = S("Sometimes");
	check("imagePullPolicy enum", pod, -EINVAL,
	      invalid("spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": "
		      "supported values: \"Always\", \"IfNotPresent\", \"Never\""));

	pod = mkpod();
	pod->spec.restart_policy = S("Sometimes");
	check("restartPolicy enum", pod, -EINVAL,
	      invalid("spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
		      "\"Always\", \"OnFailure\", \"Never\""));

	pod = mkpod();
	pod->spec.dns_policy = S("Google");
	check("dnsPolicy enum", pod, -EINVAL,
	      invalid("spec.dnsPolicy: Unsupported value: \"Google\": supported values: "
		      "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""));

	pod = mkpod();
	app(pod)->termination_message_policy = S("Stdout");
	check("terminationMessagePolicy enum", pod, -EINVAL,
	      invalid("spec.containers[0].terminationMessagePolicy: Unsupported value: \"Stdout\": "
		      "supported values: \"File\", \"FallbackToLogsOnError\""));

	pod = mkpod();
	add_port(app(pod), 0);
	check("containerPort required", pod, -EINVAL,
	      invalid("spec.containers[0].ports[0].containerPort: Required value"));

	pod = mkpod();
	add_port(app(pod), 70000);
	check("containerPort range", pod, -EINVAL,
	      invalid("spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be "
		      "between 1 and 65535, inclusive"));

	pod = mkpod();
	add_port(app(pod), 80)->protocol = S("HTTP");
	check("protocol enum", pod, -EINVAL,
	      invalid("spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": "
		      "supported values: \"SCTP\", \"TCP\", \"UDP\""));

	pod = mkpod();
	add_port(app(pod), 80)->name = S("web");
	add_port(app(pod), 81)->name = S("web");
	check("duplicate port name", pod, -EINVAL,
	      invalid("spec.containers[0].ports[1].name: Duplicate value: \"web\""));

	pod = mkpod();
	add_port(app(pod), 80)->name = S("http_port");
	check(
	    "port name charset", pod, -EINVAL,
	    invalid("spec.containers[0].ports[0].name: Invalid value: \"http_port\": must contain "
		    "only alpha-numeric characters (a-z, 0-9), and hyphens (-)"));

	pod = mkpod();
	add_port(app(pod), 80)->name = S("a-very-long-port-name");
	check("port name length", pod, -EINVAL,
	      invalid("spec.containers[0].ports[0].name: Invalid value: \"a-very-long-port-name\": "
		      "must be no more than 15 characters"));

	pod = mkpod();
	add_port(app(pod), 80)->host_port = -1;
	check("hostPort range", pod, -EINVAL,
	      invalid("spec.containers[0].ports[0].hostPort: Invalid value: -1: must be between 1 "
		      "and 65535, inclusive"));

	pod = mkpod();
	pod->spec.host_network = PF_TRUE;
	add_port(app(pod), 80)->host_port = 8080;
	check("hostNetwork needs hostPort == containerPort", pod, -EINVAL,
	      invalid("spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match "
		      "`containerPort` when `hostNetwork` is true"));

	pod = mkpod();
	add_port(app(pod), 80)->host_port = 8080;
	c = add_ctr(&pod->spec.containers, &pod->spec.n_containers, "side", "busybox");
	add_port(c, 81)->host_port = 8080;
	check("host port conflict", pod, -EINVAL,
	      invalid("spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\""));
}

static void test_env(void)
{
	struct pf_pod *pod;
	struct pf_env_var *e;

	pod = mkpod();
	add_env(app(pod), "A=B", "x");
	check("env name with '='", pod, -EINVAL,
	      invalid(
		  "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment "
		  "variable name must consist only of printable ASCII characters other than '='"));

	pod = mkpod();
	add_env(app(pod), NULL, "x");
	check("env name required", pod, -EINVAL,
	      invalid("spec.containers[0].env[0].name: Required value"));

	pod = mkpod();
	add_env(app(pod), "MY.VAR-1", "x");
	check("relaxed env names", pod, 0, NULL);

	pod = mkpod();
	e = add_env(app(pod), "NODE", "x");
	e->field_ref_path = S("spec.nodeName");
	check("value and valueFrom", pod, -EINVAL,
	      invalid("spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be "
		      "specified when `value` is not empty"));

	pod = mkpod();
	add_env(app(pod), "PHASE", NULL)->field_ref_path = S("status.phase");
	check("fieldRef path not for env", pod, -EINVAL,
	      invalid(
		  "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "
		  "\"status.phase\": supported values: \"metadata.name\", \"metadata.namespace\", "
		  "\"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", "
		  "\"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\""));

	pod = mkpod();
	add_env(app(pod), "X", NULL)->field_ref_path = S("spec.bogus");
	check("fieldRef path unknown", pod, -EINVAL,
	      invalid("spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "
		      "\"spec.bogus\": error converting fieldPath: field label not supported: "
		      "spec.bogus"));

	pod = mkpod();
	add_env(app(pod), "APP", NULL)->field_ref_path = S("metadata.labels['app']");
	add_env(app(pod), "IP", NULL)->field_ref_path = S("status.podIPs");
	check("fieldRef labels subscript and podIPs", pod, 0, NULL);

	pod = mkpod();
	add_env(app(pod), "N", NULL)->field_ref_path = S("metadata.name['x']");
	check("fieldRef subscript on name", pod, -EINVAL,
	      invalid("spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "
		      "\"metadata.name['x']\": error converting fieldPath: field label does not "
		      "support subscript: metadata.name['x']"));

	pod = mkpod();
	add_env(app(pod), "CPU", NULL)->resource_ref = S("limits.gpu");
	check("resourceFieldRef resource", pod, -EINVAL,
	      invalid("spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Unsupported "
		      "value: \"limits.gpu\": supported values: \"limits.cpu\", "
		      "\"limits.ephemeral-storage\", \"limits.memory\", \"requests.cpu\", "
		      "\"requests.ephemeral-storage\", \"requests.memory\""));

	pod = mkpod();
	e = add_env(app(pod), "BOTH", NULL);
	e->field_ref_path = S("metadata.name");
	e->resource_ref = S("limits.cpu");
	check("two valueFrom sources", pod, -EINVAL,
	      invalid("spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not have more "
		      "than one field specified at a time"));
}

static void test_resources(void)
{
	struct pf_pod *pod;
	struct pf_container *c;

	pod = mkpod();
	c = app(pod);
	pf_reslist_set(&c->resources.limits, "cpu", 1000, "1");
	pf_reslist_set(&c->resources.requests, "cpu", 2000, "2");
	check("requests over limits", pod, -EINVAL,
	      invalid("spec.containers[0].resources.requests: Invalid value: \"2\": must be less "
		      "than or equal to cpu limit of 1"));

	pod = mkpod();
	c = app(pod);
	pf_reslist_set(&c->resources.requests, "memory", -1000, "-1");
	check(
	    "negative memory", pod, -EINVAL,
	    invalid("spec.containers[0].resources.requests[memory]: Invalid value: \"-1\": must be "
		    "greater than or equal to 0"));

	pod = mkpod();
	c = app(pod);
	pf_reslist_set(&c->resources.limits, "gpu", 1000, "1");
	/* The defaulted request repeats the complaint, as on a real server. */
	check(
	    "unknown resource name", pod, -EINVAL,
	    invalid("[spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a "
		    "standard resource type or fully qualified, "
		    "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a "
		    "standard resource type or fully qualified]"));

	pod = mkpod();
	c = app(pod);
	pf_reslist_set(&c->resources.requests, "pods", 1000, "1");
	check(
	    "non-container resource", pod, -EINVAL,
	    invalid("spec.containers[0].resources.requests[pods]: Invalid value: \"pods\": must be "
		    "a standard resource for containers"));

	pod = mkpod();
	c = app(pod);
	pf_reslist_set(&c->resources.limits, "example.com/gpu", 1000, "1");
	check("extended resource", pod, 0, NULL);

	pod = mkpod();
	c = app(pod);
	pf_reslist_set(&c->resources.limits, "example.com/gpu", 1000, "1");
	pf_reslist_set(&c->resources.requests, "example.com/gpu", 500, "500m");
	check(
	    "fractional extended resource", pod, -EINVAL,
	    invalid("[spec.containers[0].resources.requests[example.com/gpu]: Invalid value: 500m: "
		    "must be an integer, spec.containers[0].resources.requests: Invalid value: "
		    "\"500m\": must be equal to example.com/gpu limit of 1]"));
}

static void test_volumes(void)
{
	struct pf_pod *pod;
	const struct pf_policy hp = {.allow_host_paths = true};
	struct pf_err err = PF_ERR_INIT;

	pod = mkpod();
	add_vol(pod, "data", PF_VOLUME_EMPTYDIR);
	add_mount(app(pod), "data", "/data");
	add_mount(app(pod), "data", "/data");
	check(
	    "mountPath unique", pod, -EINVAL,
	    invalid("spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/data\": must "
		    "be unique"));

	pod = mkpod();
	add_mount(app(pod), "nope", "/data");
	check("mount of a missing volume", pod, -EINVAL,
	      invalid("spec.containers[0].volumeMounts[0].name: Not found: \"nope\""));

	pod = mkpod();
	add_vol(pod, "data", PF_VOLUME_EMPTYDIR);
	add_mount(app(pod), "data", "data");
	check("relative mountPath", pod, -EINVAL,
	      invalid("spec.containers[0].volumeMounts[0].mountPath: Invalid value: \"data\": must "
		      "be an absolute path"));

	pod = mkpod();
	add_vol(pod, "data", PF_VOLUME_EMPTYDIR);
	add_mount(app(pod), "data", NULL);
	check("mountPath required", pod, -EINVAL,
	      invalid("spec.containers[0].volumeMounts[0].mountPath: Required value"));

	pod = mkpod();
	add_vol(pod, "data", PF_VOLUME_EMPTYDIR);
	add_vol(pod, "data", PF_VOLUME_EMPTYDIR);
	check("duplicate volume", pod, -EINVAL,
	      invalid("spec.volumes[1].name: Duplicate value: \"data\""));

	pod = mkpod();
	add_vol(pod, "Data", PF_VOLUME_EMPTYDIR);
	check("volume name", pod, -EINVAL,
	      invalid("spec.volumes[0].name: Invalid value: \"Data\": " LABEL_ERR));

	pod = mkpod();
	add_vol(pod, "h", PF_VOLUME_HOSTPATH)->host_path_type = S("Dir");
	pf_pod_set_defaults(pod);
	is_int(pf_pod_validate(pod, &hp, &err), -EINVAL, "hostPath type: EINVAL");
	is_str(
	    err.msg,
	    invalid("spec.volumes[0].hostPath.type: Unsupported value: \"Dir\": supported values: "
		    "\"\", \"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", "
		    "\"File\", \"FileOrCreate\", \"Socket\""),
	    "hostPath type: message");
	pf_pod_free(pod);

	pod = mkpod();
	pf_err_clear(&err);
	free(add_vol(pod, "h", PF_VOLUME_HOSTPATH)->host_path);
	pod->spec.volumes[0].host_path = S("/a/../etc");
	pf_pod_set_defaults(pod);
	pf_pod_validate(pod, &hp, &err);
	is_str(err.msg,
	       invalid("spec.volumes[0].hostPath.path: Invalid value: \"/a/../etc\": must not "
		       "contain '..'"),
	       "hostPath with ..");
	pf_pod_free(pod);
}

static void test_probes(void)
{
	struct pf_pod *pod;
	struct pf_container *c;

	pod = mkpod();
	set_probe(&app(pod)->liveness_probe, PF_HANDLER_EXEC);
	app(pod)->liveness_probe.success_threshold = 2;
	check(
	    "liveness successThreshold", pod, -EINVAL,
	    invalid(
		"spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"));

	pod = mkpod();
	set_probe(&app(pod)->readiness_probe, PF_HANDLER_EXEC);
	app(pod)->readiness_probe.success_threshold = 2;
	check("readiness successThreshold may be 2", pod, 0, NULL);

	pod = mkpod();
	set_probe(&app(pod)->readiness_probe, PF_HANDLER_HTTP);
	app(pod)->readiness_probe.period_seconds = -1;
	check("negative periodSeconds", pod, -EINVAL,
	      invalid("spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be "
		      "greater than or equal to 0"));

	pod = mkpod();
	set_probe(&app(pod)->startup_probe, PF_HANDLER_NONE);
	check("probe without handler", pod, -EINVAL,
	      invalid(
		  "spec.containers[0].startupProbe: Required value: must specify a handler type"));

	pod = mkpod();
	set_probe(&app(pod)->liveness_probe, PF_HANDLER_TCP);
	app(pod)->liveness_probe.handler.port.num = 0;
	check("probe port 0", pod, -EINVAL,
	      invalid("spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: 0: must be "
		      "between 1 and 65535, inclusive"));

	pod = mkpod();
	set_probe(&app(pod)->liveness_probe, PF_HANDLER_HTTP);
	app(pod)->liveness_probe.handler.http_scheme = S("FTP");
	check(
	    "probe scheme", pod, -EINVAL,
	    invalid("spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: \"FTP\": "
		    "supported values: \"HTTP\", \"HTTPS\""));

	pod = mkpod();
	set_probe(&app(pod)->liveness_probe, PF_HANDLER_EXEC);
	pf_strlist_free(&app(pod)->liveness_probe.handler.exec_command);
	check("exec without command", pod, -EINVAL,
	      invalid("spec.containers[0].livenessProbe.exec.command: Required value"));

	pod = mkpod();
	c = add_ctr(&pod->spec.init_containers, &pod->spec.n_init_containers, "init", "busybox");
	set_probe(&c->readiness_probe, PF_HANDLER_EXEC);
	check("readiness probe on an init container", pod, -EINVAL,
	      invalid("spec.initContainers[0].readinessProbe: Forbidden: may not be set for init "
		      "containers without restartPolicy=Always"));

	pod = mkpod();
	c = add_ctr(&pod->spec.init_containers, &pod->spec.n_init_containers, "side", "busybox");
	c->restart_policy = S("Always");
	set_probe(&c->readiness_probe, PF_HANDLER_EXEC);
	check("sidecar may have a readiness probe", pod, 0, NULL);

	pod = mkpod();
	app(pod)->lifecycle.pre_stop.kind = PF_HANDLER_SLEEP;
	app(pod)->lifecycle.pre_stop.sleep_seconds = 60;
	check("preStop sleep beyond the grace period", pod, -EINVAL,
	      invalid("spec.containers[0].lifecycle.preStop.sleep: Invalid value: 60: must be "
		      "non-negative and less than terminationGracePeriodSeconds (30)"));

	pod = mkpod();
	app(pod)->restart_policy = S("Always");
	check("restartPolicy on an app container", pod, -EINVAL,
	      invalid("spec.containers[0].restartPolicy: Forbidden: may not be set for non-init "
		      "containers"));
}

static void test_spec_fields(void)
{
	struct pf_pod *pod;

	pod = mkpod();
	pod->spec.has_termination_grace_period_seconds = true;
	pod->spec.termination_grace_period_seconds = -1;
	check("negative grace period", pod, -EINVAL,
	      invalid("spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than "
		      "or equal to 0"));

	pod = mkpod();
	pod->spec.has_active_deadline_seconds = true;
	pod->spec.active_deadline_seconds = 0;
	check("activeDeadlineSeconds 0", pod, -EINVAL,
	      invalid("spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and "
		      "2147483647, inclusive"));

	pod = mkpod();
	add_tol(pod, "k", "Exists", "v", "NoSchedule");
	check(
	    "Exists with a value", pod, -EINVAL,
	    invalid("spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when "
		    "`operator` is 'Exists'"));

	pod = mkpod();
	add_tol(pod, "k", "Equal", "v", "NoSchedule")->has_toleration_seconds = true;
	check("tolerationSeconds without NoExecute", pod, -EINVAL,
	      invalid("spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be "
		      "'NoExecute' when `tolerationSeconds` is set"));

	pod = mkpod();
	add_tol(pod, "k", "Equal", "v", "NoRun");
	check("toleration effect enum", pod, -EINVAL,
	      invalid("spec.tolerations[0].effect: Unsupported value: \"NoRun\": supported values: "
		      "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""));

	pod = mkpod();
	add_tol(pod, NULL, "Equal", "v", NULL);
	check("empty key needs Exists", pod, -EINVAL,
	      invalid("spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be "
		      "Exists when `key` is empty, which means \"match all values and all keys\""));

	pod = mkpod();
	pf_strmap_set(&pod->spec.node_selector, "disk", "fast ssd");
	check("nodeSelector value", pod, -EINVAL,
	      invalid(
		  "spec.nodeSelector: Invalid value: \"fast ssd\": a valid label must be an "
		  "empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
		  "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
		  "or '12345', regex used for validation is "
		  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));

	pod = mkpod();
	pod->spec.security_context.has_run_as_user = true;
	pod->spec.security_context.run_as_user = -1;
	check("pod runAsUser", pod, -EINVAL,
	      invalid("spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and "
		      "4294967295, inclusive"));

	pod = mkpod();
	app(pod)->security_context.set = true;
	app(pod)->security_context.has_run_as_user = true;
	app(pod)->security_context.run_as_user = -5;
	check("container runAsUser", pod, -EINVAL,
	      invalid("spec.containers[0].securityContext.runAsUser: Invalid value: -5: must be "
		      "between 0 and 4294967295, inclusive"));

	pod = mkpod();
	app(pod)->security_context.proc_mount = S("Unmasked");
	check("Unmasked procMount needs user namespaces", pod, -EINVAL,
	      invalid("spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": "
		      "`hostUsers` must be false to use `Unmasked`"));

	pod = mkpod();
	pod->spec.security_context.seccomp.type = S("Custom");
	check("seccomp type enum", pod, -EINVAL,
	      invalid("spec.securityContext.seccompProfile.type: Unsupported value: \"Custom\": "
		      "supported values: \"Localhost\", \"RuntimeDefault\", \"Unconfined\""));

	pod = mkpod();
	pod->spec.host_network = PF_TRUE;
	add_sysctl(pod, "net.ipv4.tcp_syncookies");
	{
		const struct pf_policy all = {.allow_privileged = true, .allow_host_paths = true};
		struct pf_err err = PF_ERR_INIT;

		pf_pod_set_defaults(pod);
		is_int(pf_pod_validate(pod, &all, &err), -EINVAL, "net sysctl with hostNetwork");
		is_str(err.msg,
		       invalid("spec.securityContext.sysctls[0].name: Invalid value: "
			       "\"net.ipv4.tcp_syncookies\": may not be specified when "
			       "'hostNetwork' is true"),
		       "net sysctl with hostNetwork: message");
	}
	pf_pod_free(pod);
}

static void test_aggregate(void)
{
	struct pf_pod *pod = mkpod();

	free(app(pod)->image);
	app(pod)->image = NULL;
	add_port(app(pod), 0);
	pod->spec.restart_policy = S("Sometimes");
	check("several causes in field order", pod, -EINVAL,
	      invalid("[spec.containers[0].image: Required value, "
		      "spec.containers[0].ports[0].containerPort: Required value, "
		      "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
		      "\"Always\", \"OnFailure\", \"Never\"]"));

	/* Identical causes are reported once, as ToAggregate does. */
	pod = mkpod();
	pf_strmap_set(&pod->meta.labels, "a", "x y");
	pf_strmap_set(&pod->meta.labels, "b", "x y");
	check(
	    "duplicate causes collapse", pod, -EINVAL,
	    invalid("metadata.labels: Invalid value: \"x y\": a valid label must be an empty "
		    "string or consist of alphanumeric characters, '-', '_' or '.', and must start "
		    "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
		    "'12345', regex used for validation is "
		    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));

	/* Validation errors win over policy. */
	pod = mkpod();
	app(pod)->security_context.privileged = PF_TRUE;
	free(app(pod)->image);
	app(pod)->image = NULL;
	check("EINVAL before EPERM", pod, -EINVAL,
	      invalid("spec.containers[0].image: Required value"));
}

#define FORBIDDEN "pods \"x\" is forbidden: violates PodSecurity \"baseline:latest\": "

static void test_pod_security(void)
{
	struct pf_pod *pod;
	struct pf_container *c;
	const struct pf_policy priv = {.allow_privileged = true},
			       paths = {.allow_host_paths = true};
	struct pf_err err = PF_ERR_INIT;

	pod = mkpod();
	app(pod)->security_context.privileged = PF_TRUE;
	check("privileged", pod, -EPERM,
	      FORBIDDEN
	      "privileged (container \"app\" must not set securityContext.privileged=true)");

	pod = mkpod();
	app(pod)->security_context.privileged = PF_TRUE;
	pod->spec.host_network = PF_TRUE;
	pod->spec.host_pid = PF_TRUE;
	check("host namespaces and privileged", pod, -EPERM,
	      FORBIDDEN "host namespaces (hostNetwork=true, hostPID=true), privileged (container "
			"\"app\" must not set securityContext.privileged=true)");

	pod = mkpod();
	pod->spec.host_ipc = PF_TRUE;
	check("hostIPC", pod, -EPERM, FORBIDDEN "host namespaces (hostIPC=true)");

	pod = mkpod();
	add_vol(pod, "root", PF_VOLUME_HOSTPATH);
	check("hostPath", pod, -EPERM, FORBIDDEN "hostPath volumes (volume \"root\")");

	pod = mkpod();
	pf_strlist_add(&app(pod)->security_context.capabilities.add, "SYS_ADMIN");
	pf_strlist_add(&app(pod)->security_context.capabilities.add, "NET_ADMIN");
	pf_strlist_add(&app(pod)->security_context.capabilities.add, "NET_BIND_SERVICE");
	check("capabilities", pod, -EPERM,
	      FORBIDDEN
	      "non-default capabilities (container \"app\" must not include \"NET_ADMIN\", "
	      "\"SYS_ADMIN\" in securityContext.capabilities.add)");

	pod = mkpod();
	pf_strlist_add(&app(pod)->security_context.capabilities.add, "NET_BIND_SERVICE");
	check("baseline capability allowed", pod, 0, NULL);

	pod = mkpod();
	add_port(app(pod), 80)->host_port = 8080;
	c = add_ctr(&pod->spec.containers, &pod->spec.n_containers, "side", "busybox");
	add_port(c, 81)->host_port = 9090;
	check("hostPorts", pod, -EPERM,
	      FORBIDDEN "hostPort (containers \"app\", \"side\" use hostPorts 8080, 9090)");

	pod = mkpod();
	pod->spec.security_context.seccomp.type = S("Unconfined");
	app(pod)->security_context.seccomp.type = S("Unconfined");
	check("seccomp Unconfined", pod, -EPERM,
	      FORBIDDEN "seccompProfile (pod and container \"app\" must not set "
			"securityContext.seccompProfile.type to \"Unconfined\")");

	pod = mkpod();
	add_sysctl(pod, "kernel.msgmax");
	add_sysctl(pod, "net.ipv4.ip_local_port_range");
	check("unsafe sysctl", pod, -EPERM, FORBIDDEN "forbidden sysctls (kernel.msgmax)");

	pod = mkpod();
	set_probe(&app(pod)->liveness_probe, PF_HANDLER_HTTP);
	app(pod)->liveness_probe.handler.host = S("10.0.0.1");
	check("probe host", pod, -EPERM,
	      FORBIDDEN "probe or lifecycle host (container \"app\" uses probe or lifecycle host "
			"\"10.0.0.1\")");

	pod = mkpod();
	c = add_ctr(&pod->spec.init_containers, &pod->spec.n_init_containers, "init", "busybox");
	c->security_context.privileged = PF_TRUE;
	app(pod)->security_context.privileged = PF_TRUE;
	check("init containers first", pod, -EPERM,
	      FORBIDDEN "privileged (containers \"init\", \"app\" must not set "
			"securityContext.privileged=true)");

	/* The policy lifts what it allows and keeps the rest. */
	pod = mkpod();
	app(pod)->security_context.privileged = PF_TRUE;
	add_vol(pod, "root", PF_VOLUME_HOSTPATH);
	pf_pod_set_defaults(pod);
	is_int(pf_pod_validate(pod, &priv, &err), -EPERM, "allow_privileged keeps hostPath check");
	is_str(err.msg, FORBIDDEN "hostPath volumes (volume \"root\")", "  message");
	pf_err_clear(&err);
	is_int(pf_pod_validate(pod, &paths, &err), -EPERM,
	       "allow_host_paths keeps privileged check");
	is_str(err.msg,
	       FORBIDDEN
	       "privileged (container \"app\" must not set securityContext.privileged=true)",
	       "  message");
	{
		const struct pf_policy all = {.allow_privileged = true, .allow_host_paths = true};

		pf_err_clear(&err);
		is_int(pf_pod_validate(pod, &all, &err), 0, "both allowed");
	}
	pf_pod_free(pod);
}

int main(void)
{
	test_defaults();
	test_pull_policy();
	test_container_defaults();
	test_tolerations_defaults();
	test_qos();
	test_names();
	test_meta();
	test_container_fields();
	test_env();
	test_resources();
	test_volumes();
	test_probes();
	test_spec_fields();
	test_aggregate();
	test_pod_security();
	return tap_done();
}
