/* SPDX-License-Identifier: Apache-2.0 */
/*
 * types.c - lifetime helpers for the API types of types.h: free, small list and
 * map operations.  No parsing, no validation, no I/O.
 */
#include "types.h"
#include "util.h"

void pf_strlist_free(struct pf_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void pf_strlist_add(struct pf_strlist *l, const char *s)
{
	l->items = pf_xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	l->items[l->n++] = pf_xstrdup(s);
}

void pf_strmap_free(struct pf_strmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->items[i].key);
		free(m->items[i].value);
	}
	free(m->items);
	m->items = NULL;
	m->n = 0;
}

const char *pf_strmap_get(const struct pf_strmap *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->items[i].key, key) == 0)
			return m->items[i].value;
	return NULL;
}

void pf_strmap_set(struct pf_strmap *m, const char *key, const char *value)
{
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->items[i].key, key) == 0) {
			free(m->items[i].value);
			m->items[i].value = pf_xstrdup(value);
			return;
		}
	}
	m->items = pf_xrealloc(m->items, (m->n + 1) * sizeof(*m->items));
	m->items[m->n].key = pf_xstrdup(key);
	m->items[m->n].value = pf_xstrdup(value);
	m->n++;
}

const struct pf_quantity *pf_reslist_get(const struct pf_reslist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return &l->items[i].q;
	return NULL;
}

void pf_reslist_set(struct pf_reslist *l, const char *name, int64_t milli, const char *str)
{
	struct pf_resource *r = NULL;

	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].name, name) == 0)
			r = &l->items[i];
	if (!r) {
		l->items = pf_xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
		r = &l->items[l->n++];
		r->name = pf_xstrdup(name);
	} else {
		free(r->q.str);
	}
	r->q.milli = milli;
	r->q.str = pf_xstrdup(str);
}

void pf_reslist_free(struct pf_reslist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].q.str);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static void handler_free(struct pf_handler *h)
{
	pf_strlist_free(&h->exec_command);
	free(h->http_path);
	free(h->port.str);
	free(h->host);
	free(h->http_scheme);
	for (size_t i = 0; i < h->n_http_headers; i++) {
		free(h->http_headers[i].name);
		free(h->http_headers[i].value);
	}
	free(h->http_headers);
	free(h->grpc_service);
}

static void seccomp_free(struct pf_seccomp_profile *s)
{
	free(s->type);
	free(s->localhost_profile);
}

static void container_free(struct pf_container *c)
{
	free(c->name);
	free(c->image);
	free(c->image_pull_policy);
	pf_strlist_free(&c->command);
	pf_strlist_free(&c->args);
	free(c->working_dir);
	for (size_t i = 0; i < c->n_env; i++) {
		struct pf_env_var *e = &c->env[i];
		free(e->name);
		free(e->value);
		free(e->field_ref_path);
		free(e->field_ref_api);
		free(e->resource_ref);
		free(e->resource_ref_container);
		free(e->resource_ref_divisor.str);
	}
	free(c->env);
	for (size_t i = 0; i < c->n_ports; i++) {
		free(c->ports[i].name);
		free(c->ports[i].host_ip);
		free(c->ports[i].protocol);
	}
	free(c->ports);
	pf_reslist_free(&c->resources.requests);
	pf_reslist_free(&c->resources.limits);
	for (size_t i = 0; i < c->n_volume_mounts; i++) {
		free(c->volume_mounts[i].name);
		free(c->volume_mounts[i].mount_path);
		free(c->volume_mounts[i].sub_path);
		free(c->volume_mounts[i].mount_propagation);
	}
	free(c->volume_mounts);
	handler_free(&c->liveness_probe.handler);
	handler_free(&c->readiness_probe.handler);
	handler_free(&c->startup_probe.handler);
	handler_free(&c->lifecycle.post_start);
	handler_free(&c->lifecycle.pre_stop);
	pf_strlist_free(&c->security_context.capabilities.add);
	pf_strlist_free(&c->security_context.capabilities.drop);
	free(c->security_context.proc_mount);
	seccomp_free(&c->security_context.seccomp);
	free(c->termination_message_path);
	free(c->termination_message_policy);
	free(c->restart_policy);
}

void pf_condition_free(struct pf_condition *c)
{
	free(c->type);
	free(c->status);
	free(c->reason);
	free(c->message);
}

struct pf_condition *pf_condition_find(struct pf_condition *c, size_t n, const char *type)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].type && strcmp(c[i].type, type) == 0)
			return &c[i];
	return NULL;
}

void pf_container_state_free(struct pf_container_state *s)
{
	free(s->reason);
	free(s->message);
	free(s->container_id);
	memset(s, 0, sizeof(*s));
}

static void container_status_free(struct pf_container_status *s)
{
	free(s->name);
	pf_container_state_free(&s->state);
	pf_container_state_free(&s->last_state);
	free(s->image);
	free(s->image_id);
	free(s->container_id);
}

static void meta_free(struct pf_object_meta *m)
{
	free(m->name);
	free(m->generate_name);
	free(m->namespace_);
	free(m->uid);
	pf_strmap_free(&m->labels);
	pf_strmap_free(&m->annotations);
	pf_strlist_free(&m->finalizers);
}

void pf_pod_free(struct pf_pod *pod)
{
	struct pf_pod_spec *s;
	struct pf_pod_status *st;

	if (!pod)
		return;
	meta_free(&pod->meta);
	s = &pod->spec;
	for (size_t i = 0; i < s->n_init_containers; i++)
		container_free(&s->init_containers[i]);
	free(s->init_containers);
	for (size_t i = 0; i < s->n_containers; i++)
		container_free(&s->containers[i]);
	free(s->containers);
	for (size_t i = 0; i < s->n_volumes; i++) {
		free(s->volumes[i].name);
		free(s->volumes[i].empty_dir_medium);
		free(s->volumes[i].empty_dir_size_limit.str);
		free(s->volumes[i].host_path);
		free(s->volumes[i].host_path_type);
	}
	free(s->volumes);
	free(s->restart_policy);
	free(s->dns_policy);
	pf_strmap_free(&s->node_selector);
	free(s->service_account_name);
	free(s->node_name);
	free(s->security_context.supplemental_groups);
	for (size_t i = 0; i < s->security_context.n_sysctls; i++) {
		free(s->security_context.sysctls[i].name);
		free(s->security_context.sysctls[i].value);
	}
	free(s->security_context.sysctls);
	seccomp_free(&s->security_context.seccomp);
	free(s->hostname);
	free(s->subdomain);
	free(s->scheduler_name);
	for (size_t i = 0; i < s->n_tolerations; i++) {
		free(s->tolerations[i].key);
		free(s->tolerations[i].operator_);
		free(s->tolerations[i].value);
		free(s->tolerations[i].effect);
	}
	free(s->tolerations);
	free(s->priority_class_name);
	free(s->preemption_policy);

	st = &pod->status;
	free(st->phase);
	for (size_t i = 0; i < st->n_conditions; i++)
		pf_condition_free(&st->conditions[i]);
	free(st->conditions);
	free(st->message);
	free(st->reason);
	free(st->nominated_node_name);
	free(st->host_ip);
	free(st->pod_ip);
	for (size_t i = 0; i < st->n_init_container_statuses; i++)
		container_status_free(&st->init_container_statuses[i]);
	free(st->init_container_statuses);
	for (size_t i = 0; i < st->n_container_statuses; i++)
		container_status_free(&st->container_statuses[i]);
	free(st->container_statuses);
	free(st->qos_class);
	free(pod);
}

void pf_node_free(struct pf_node *node)
{
	if (!node)
		return;
	meta_free(&node->meta);
	free(node->pod_cidr);
	for (size_t i = 0; i < node->n_taints; i++) {
		free(node->taints[i].key);
		free(node->taints[i].value);
		free(node->taints[i].effect);
	}
	free(node->taints);
	pf_reslist_free(&node->capacity);
	pf_reslist_free(&node->allocatable);
	for (size_t i = 0; i < node->n_conditions; i++)
		pf_condition_free(&node->conditions[i]);
	free(node->conditions);
	for (size_t i = 0; i < node->n_addresses; i++) {
		free(node->addresses[i].type);
		free(node->addresses[i].address);
	}
	free(node->addresses);
	free(node->os);
	free(node->arch);
	free(node->kernel_version);
	free(node->os_image);
	free(node->container_runtime_version);
	free(node->kubelet_version);
	free(node->machine_id);
	free(node);
}

void pf_event_free(struct pf_event *ev)
{
	if (!ev)
		return;
	meta_free(&ev->meta);
	free(ev->involved_kind);
	free(ev->involved_name);
	free(ev->involved_namespace);
	free(ev->involved_uid);
	free(ev->involved_field_path);
	free(ev->reason);
	free(ev->message);
	free(ev->type);
	free(ev->source_component);
	free(ev->source_host);
	free(ev);
}

struct pf_condition *pf_condition_set(struct pf_condition **v, size_t *n, const char *type,
				      const char *status, const char *reason, const char *message,
				      int64_t now_ms)
{
	struct pf_condition *c = pf_condition_find(*v, *n, type);

	if (!c) {
		*v = pf_xrealloc(*v, (*n + 1) * sizeof(**v));
		c = &(*v)[(*n)++];
		memset(c, 0, sizeof(*c));
		c->type = pf_xstrdup(type);
	}
	if (!c->status || strcmp(c->status, status) != 0) {
		free(c->status);
		c->status = pf_xstrdup(status);
		c->last_transition_ms = now_ms;
	}
	free(c->reason);
	c->reason = reason ? pf_xstrdup(reason) : NULL;
	free(c->message);
	c->message = message ? pf_xstrdup(message) : NULL;
	return c;
}

void pf_lease_object_free(struct pf_lease_object *l)
{
	if (!l)
		return;
	meta_free(&l->meta);
	free(l->holder_identity);
	free(l);
}
