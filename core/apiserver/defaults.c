/* SPDX-License-Identifier: Apache-2.0 */
/*
 * defaults.c - what the API server fills in before it validates a Pod:
 * SetObjectDefaults_Pod, and the defaults of the admission plugins every
 * cluster runs (ServiceAccount, Priority, DefaultTolerationSeconds), plus
 * the QoS class the API server records at create.
 *
 * Fills in only what is unset and refuses nothing: whether the result is
 * valid is validate.c's question, whether it is allowed podsecurity.c's.
 * Pure functions of the pod and the policy: no store, no clock, no I/O.
 */
#include "validate-internal.h"
#include "wellknown.h"

/* Split a reference the way the kubelet's parsers.ParseImageName does, as
 * far as the pull policy needs: the tag is the ':' part of the last path
 * component, the digest what follows '@'. */
static void image_tag_digest(const char *image, bool *has_tag, bool *tag_latest, bool *has_digest)
{
	const char *at = strchr(image, '@');
	size_t n = at ? (size_t)(at - image) : strlen(image);
	const char *last = image;

	for (size_t i = 0; i < n; i++)
		if (image[i] == '/')
			last = image + i + 1;
	const char *colon = memchr(last, ':', n - (size_t)(last - image));

	*has_digest = at != NULL;
	*has_tag = colon != NULL;
	*tag_latest =
	    colon && (size_t)(image + n - (colon + 1)) == 6 && strncmp(colon + 1, "latest", 6) == 0;
}

bool pf_image_is_latest(const char *image)
{
	bool tag, latest, digest;

	if (pf_str_empty(image))
		return false;
	image_tag_digest(image, &tag, &latest, &digest);
	return latest || (!tag && !digest);
}

/* "" is the unset value in Go, so it is defaulted too. */
static void set_str(char **field, const char *value)
{
	if (pf_str_empty(*field)) {
		free(*field);
		*field = pf_xstrdup(value);
	}
}

static void default_handler(struct pf_handler *h)
{
	/* SetDefaults_HTTPGetAction, for probes and lifecycle hooks alike. */
	if (h->kind == PF_HANDLER_HTTP) {
		if (pf_str_empty(h->http_path)) {
			free(h->http_path);
			h->http_path = pf_xstrdup("/");
		}
		if (pf_str_empty(h->http_scheme)) {
			free(h->http_scheme);
			h->http_scheme = pf_xstrdup("HTTP");
		}
	}
}

static void default_probe(struct pf_probe *p)
{
	if (!p->set)
		return;
	if (p->timeout_seconds == 0)
		p->timeout_seconds = 1;
	if (p->period_seconds == 0)
		p->period_seconds = 10;
	if (p->success_threshold == 0)
		p->success_threshold = 1;
	if (p->failure_threshold == 0)
		p->failure_threshold = 3;
	default_handler(&p->handler);
}

static void default_container(struct pf_container *c, bool host_network)
{
	set_str(&c->image_pull_policy, pf_image_is_latest(c->image) ? "Always" : "IfNotPresent");
	set_str(&c->termination_message_path, "/dev/termination-log");
	set_str(&c->termination_message_policy, "File");
	for (size_t i = 0; i < c->n_ports; i++) {
		set_str(&c->ports[i].protocol, "TCP");
		/* defaultHostNetworkPorts: on the host network the container
		 * port is the host port. */
		if (host_network && c->ports[i].host_port == 0)
			c->ports[i].host_port = c->ports[i].container_port;
	}
	for (size_t i = 0; i < c->n_env; i++) {
		struct pf_env_var *e = &c->env[i];

		if (e->field_ref_path)
			set_str(&e->field_ref_api, "v1");
	}
	default_probe(&c->liveness_probe);
	default_probe(&c->readiness_probe);
	default_probe(&c->startup_probe);
	default_handler(&c->lifecycle.post_start);
	default_handler(&c->lifecycle.pre_stop);
	/* SetDefaults_Pod: a limit without a request requests the limit. */
	for (size_t i = 0; i < c->resources.limits.n; i++) {
		const struct pf_resource *r = &c->resources.limits.items[i];

		if (!pf_reslist_get(&c->resources.requests, r->name))
			pf_reslist_set(&c->resources.requests, r->name, r->q.milli,
				       r->q.str ? r->q.str : "0");
	}
}

static bool toleration_covers(const struct pf_toleration *t, const char *key)
{
	return (pf_str_empty(t->key) || strcmp(t->key, key) == 0) &&
	       (pf_str_empty(t->effect) || strcmp(t->effect, "NoExecute") == 0);
}

/* DefaultTolerationSeconds admission: evict from a NotReady or unreachable
 * node after five minutes (or as the flags say) unless the pod already says
 * otherwise. */
static void default_toleration(struct pf_pod_spec *s, const char *key, int64_t seconds)
{
	struct pf_toleration *t;

	for (size_t i = 0; i < s->n_tolerations; i++)
		if (toleration_covers(&s->tolerations[i], key))
			return;
	s->tolerations = pf_xrealloc(s->tolerations, (s->n_tolerations + 1) * sizeof(*t));
	t = &s->tolerations[s->n_tolerations++];
	memset(t, 0, sizeof(*t));
	t->key = pf_xstrdup(key);
	t->operator_ = pf_xstrdup("Exists");
	t->effect = pf_xstrdup("NoExecute");
	t->has_toleration_seconds = true;
	t->toleration_seconds = seconds;
}

/* The Priority admission plugin's built-in classes. */
bool pf_builtin_priority(const char *cls, int32_t *prio)
{
	if (pf_str_empty(cls)) {
		*prio = 0;
		return true;
	}
	if (strcmp(cls, "system-node-critical") == 0) {
		*prio = 2000001000;
		return true;
	}
	if (strcmp(cls, "system-cluster-critical") == 0) {
		*prio = 2000000000;
		return true;
	}
	return false;
}

struct qos_sum {
	int64_t req_cpu, req_mem, lim_cpu, lim_mem;
	bool has_req_cpu, has_req_mem, has_lim_cpu, has_lim_mem;
	bool guaranteed;
};

static void qos_add(struct qos_sum *q, const struct pf_container *c)
{
	const struct pf_quantity *v;
	bool lim_cpu = false, lim_mem = false;

	/* Only positive cpu and memory quantities count, as in GetPodQOS. */
	if ((v = pf_reslist_get(&c->resources.requests, "cpu")) && v->milli > 0) {
		q->req_cpu += v->milli;
		q->has_req_cpu = true;
	}
	if ((v = pf_reslist_get(&c->resources.requests, "memory")) && v->milli > 0) {
		q->req_mem += v->milli;
		q->has_req_mem = true;
	}
	if ((v = pf_reslist_get(&c->resources.limits, "cpu")) && v->milli > 0) {
		q->lim_cpu += v->milli;
		q->has_lim_cpu = lim_cpu = true;
	}
	if ((v = pf_reslist_get(&c->resources.limits, "memory")) && v->milli > 0) {
		q->lim_mem += v->milli;
		q->has_lim_mem = lim_mem = true;
	}
	if (!lim_cpu || !lim_mem)
		q->guaranteed = false;
}

static const char *pod_qos(const struct pf_pod_spec *s)
{
	struct qos_sum q = {.guaranteed = true};

	for (size_t i = 0; i < s->n_init_containers; i++)
		qos_add(&q, &s->init_containers[i]);
	for (size_t i = 0; i < s->n_containers; i++)
		qos_add(&q, &s->containers[i]);
	if (!q.has_req_cpu && !q.has_req_mem && !q.has_lim_cpu && !q.has_lim_mem)
		return "BestEffort";
	if (q.guaranteed && q.has_req_cpu && q.has_req_mem && q.req_cpu == q.lim_cpu &&
	    q.req_mem == q.lim_mem)
		return "Guaranteed";
	return "Burstable";
}

void pf_pod_set_defaults(struct pf_pod *pod)
{
	pf_pod_set_defaults_for(pod, NULL);
}

void pf_pod_set_defaults_for(struct pf_pod *pod, const struct pf_policy *policy)
{
	bool own = policy && policy->toleration_seconds_set;
	struct pf_pod_spec *s = &pod->spec;
	bool host_net = s->host_network == PF_TRUE;
	int32_t prio;

	if (pf_str_empty(pod->meta.namespace_)) {
		free(pod->meta.namespace_);
		pod->meta.namespace_ = pf_xstrdup("default");
	}
	set_str(&s->restart_policy, "Always");
	set_str(&s->dns_policy, "ClusterFirst");
	set_str(&s->scheduler_name, "default-scheduler");
	if (!s->has_termination_grace_period_seconds) {
		s->has_termination_grace_period_seconds = true;
		s->termination_grace_period_seconds = 30;
	}
	if (s->enable_service_links == PF_UNSET)
		s->enable_service_links = PF_TRUE;
	/* ServiceAccount and Priority admission. */
	if (pf_str_empty(s->service_account_name)) {
		free(s->service_account_name);
		s->service_account_name = pf_xstrdup("default");
	}
	if (!s->has_priority && pf_builtin_priority(s->priority_class_name, &prio)) {
		s->has_priority = true;
		s->priority = prio;
	}
	set_str(&s->preemption_policy, "PreemptLowerPriority");

	for (size_t i = 0; i < s->n_init_containers; i++)
		default_container(&s->init_containers[i], host_net);
	for (size_t i = 0; i < s->n_containers; i++)
		default_container(&s->containers[i], host_net);
	for (size_t i = 0; i < s->n_volumes; i++) {
		struct pf_volume *v = &s->volumes[i];

		/* SetDefaults_Volume: a volume without a source is an emptyDir. */
		if (v->kind == 0)
			v->kind = PF_VOLUME_EMPTYDIR;
		if (v->kind == PF_VOLUME_HOSTPATH)
			set_str(&v->host_path_type, "");
	}
	default_toleration(s, PF_TAINT_NOT_READY, own ? policy->not_ready_toleration_s : 300);
	default_toleration(s, PF_TAINT_UNREACHABLE, own ? policy->unreachable_toleration_s : 300);

	free(pod->status.qos_class);
	pod->status.qos_class = pf_xstrdup(pod_qos(s));
}
