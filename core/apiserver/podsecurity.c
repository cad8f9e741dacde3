/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podsecurity.c - the Pod Security admission of the "baseline:latest"
 * level, as the PodSecurity plugin evaluates it, with kubectl's words:
 * pods "x" is forbidden: violates PodSecurity "baseline:latest":
 * privileged (container "app" must not set securityContext.privileged=true)
 *
 * One table holds the checks in the evaluator's order: each names what it
 * forbids, finds the offending pod fields or containers, and says how
 * kubectl words the finding.  The node's policy (struct pf_policy) lifts
 * whole checks.  It judges only pods that validate.c already found valid;
 * it must not change the pod nor report field errors.
 */
#include "validate-internal.h"

#include <errno.h>

/* What one check found: the offending containers (or volumes), the
 * offending values, and whether the pod itself offends. */
struct bad {
	bool pod;
	struct pf_strlist subjects;
	struct pf_strlist values;
};

static void bad_free(struct bad *b)
{
	pf_strlist_free(&b->subjects);
	pf_strlist_free(&b->values);
	b->pod = false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A sorted set of strings, as sets.NewString().List() gives. */
static void set_add(struct pf_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return;
	pf_strlist_add(l, s);
	qsort(l->items, l->n, sizeof(*l->items), cmp_str);
}

static const char *cname(const struct pf_container *c)
{
	return c->name ? c->name : "";
}

/* ---- the predicates ---------------------------------------------------- */

static void pod_host_namespaces(const struct pf_pod_spec *s, struct bad *b)
{
	if (s->host_network == PF_TRUE)
		pf_strlist_add(&b->values, "hostNetwork=true");
	if (s->host_pid == PF_TRUE)
		pf_strlist_add(&b->values, "hostPID=true");
	if (s->host_ipc == PF_TRUE)
		pf_strlist_add(&b->values, "hostIPC=true");
}

static void ctr_host_ports(const struct pf_container *c, struct bad *b)
{
	bool bad = false;

	for (size_t i = 0; i < c->n_ports; i++) {
		if (c->ports[i].host_port) {
			char num[16];

			snprintf(num, sizeof(num), "%d", c->ports[i].host_port);
			set_add(&b->values, num);
			bad = true;
		}
	}
	if (bad)
		pf_strlist_add(&b->subjects, cname(c));
}

static void host_of(const struct pf_handler *h, struct bad *b, bool *bad)
{
	if ((h->kind == PF_HANDLER_HTTP || h->kind == PF_HANDLER_TCP) && !pf_str_empty(h->host)) {
		set_add(&b->values, h->host);
		*bad = true;
	}
}

static void ctr_probe_hosts(const struct pf_container *c, struct bad *b)
{
	bool bad = false;

	if (c->liveness_probe.set)
		host_of(&c->liveness_probe.handler, b, &bad);
	if (c->readiness_probe.set)
		host_of(&c->readiness_probe.handler, b, &bad);
	if (c->startup_probe.set)
		host_of(&c->startup_probe.handler, b, &bad);
	host_of(&c->lifecycle.post_start, b, &bad);
	host_of(&c->lifecycle.pre_stop, b, &bad);
	if (bad)
		set_add(&b->subjects, cname(c)); /* sets.List: sorted */
}

static void ctr_privileged(const struct pf_container *c, struct bad *b)
{
	if (c->security_context.privileged == PF_TRUE)
		pf_strlist_add(&b->subjects, cname(c));
}

static void ctr_proc_mount(const struct pf_container *c, struct bad *b)
{
	if (c->security_context.proc_mount && strcmp(c->security_context.proc_mount, "Default")) {
		pf_strlist_add(&b->subjects, cname(c));
		set_add(&b->values, c->security_context.proc_mount);
	}
}

static const char *const safe_sysctls[] = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    NULL,
};

static void pod_sysctls(const struct pf_pod_spec *s, struct bad *b)
{
	for (size_t i = 0; i < s->security_context.n_sysctls; i++) {
		const char *n = s->security_context.sysctls[i].name;

		if (n && !pf_str_in(n, safe_sysctls))
			pf_strlist_add(&b->values, n);
	}
}

static const char *const baseline_caps[] = {
    "AUDIT_WRITE",	"CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",	      "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID",	   "SETPCAP", "SETUID", "SYS_CHROOT", NULL,
};

static void ctr_caps(const struct pf_container *c, struct bad *b)
{
	const struct pf_strlist *add = &c->security_context.capabilities.add;
	bool bad = false;

	for (size_t i = 0; i < add->n; i++) {
		if (!pf_str_in(add->items[i], baseline_caps)) {
			set_add(&b->values, add->items[i]);
			bad = true;
		}
	}
	if (bad)
		pf_strlist_add(&b->subjects, cname(c));
}

static void pod_host_paths(const struct pf_pod_spec *s, struct bad *b)
{
	for (size_t i = 0; i < s->n_volumes; i++)
		if (s->volumes[i].kind == PF_VOLUME_HOSTPATH)
			pf_strlist_add(&b->subjects, s->volumes[i].name ? s->volumes[i].name : "");
}

static bool seccomp_forbidden(const char *t)
{
	return t && strcmp(t, "RuntimeDefault") != 0 && strcmp(t, "Localhost") != 0;
}

static void pod_seccomp(const struct pf_pod_spec *s, struct bad *b)
{
	if (seccomp_forbidden(s->security_context.seccomp.type)) {
		b->pod = true;
		set_add(&b->values, s->security_context.seccomp.type);
	}
}

static void ctr_seccomp(const struct pf_container *c, struct bad *b)
{
	if (seccomp_forbidden(c->security_context.seccomp.type)) {
		pf_strlist_add(&b->subjects, cname(c));
		set_add(&b->values, c->security_context.seccomp.type);
	}
}

/* ---- the table ---------------------------------------------------------- */

/* Which switch of the node's policy lifts a check. */
enum pss_gate { GATE_PRIVILEGED, GATE_HOST_PATHS };

/*
 * One check.  The detail kubectl shows in parentheses is built as
 *   ["pod"] [" and "] [subject "a", "b"] verb object values tail
 * where subject and verb agree in number with the subjects, object with
 * the values, each pair as {one, many} ({same} when the number changes
 * nothing): e.g. container "a" uses hostPort 80.
 */
struct pss_check {
	const char *name; /* the violation as kubectl names it */
	enum pss_gate gate;
	void (*pod)(const struct pf_pod_spec *s, struct bad *b);
	void (*container)(const struct pf_container *c, struct bad *b);
	const char *subject[2];
	const char *verb[2];
	const char *object[2];
	bool quote; /* values as "a", "b" (joinQuote) or as a, b */
	const char *tail;
};

#define CONTAINERS                                                                                 \
	{                                                                                          \
		"container", "containers"                                                          \
	}

/* "baseline:latest" in the evaluator's order: the plain baseline checks by
 * file name, then those that overlap restricted ones. */
static const struct pss_check checks[] = {
    {.name = "host namespaces", .gate = GATE_PRIVILEGED, .pod = pod_host_namespaces},
    {.name = "hostPort",
     .gate = GATE_PRIVILEGED,
     .container = ctr_host_ports,
     .subject = CONTAINERS,
     .verb = {" uses", " use"},
     .object = {" hostPort", " hostPorts"}},
    {.name = "probe or lifecycle host",
     .gate = GATE_PRIVILEGED,
     .container = ctr_probe_hosts,
     .subject = CONTAINERS,
     .verb = {" uses", " use"},
     .object = {" probe or lifecycle host", " probe or lifecycle hosts"},
     .quote = true},
    {.name = "privileged",
     .gate = GATE_PRIVILEGED,
     .container = ctr_privileged,
     .subject = CONTAINERS,
     .verb = {" must not set securityContext.privileged=true"}},
    {.name = "procMount",
     .gate = GATE_PRIVILEGED,
     .container = ctr_proc_mount,
     .subject = CONTAINERS,
     .verb = {" must not set securityContext.procMount to"},
     .quote = true},
    {.name = "forbidden sysctls", .gate = GATE_PRIVILEGED, .pod = pod_sysctls},
    {.name = "non-default capabilities",
     .gate = GATE_PRIVILEGED,
     .container = ctr_caps,
     .subject = CONTAINERS,
     .verb = {" must not include"},
     .quote = true,
     .tail = " in securityContext.capabilities.add"},
    {.name = "hostPath volumes",
     .gate = GATE_HOST_PATHS,
     .pod = pod_host_paths,
     .subject = {"volume", "volumes"}},
    {.name = "seccompProfile",
     .gate = GATE_PRIVILEGED,
     .pod = pod_seccomp,
     .container = ctr_seccomp,
     .subject = CONTAINERS,
     .verb = {" must not set securityContext.seccompProfile.type to"},
     .quote = true},
};

/* forms[1] NULL: the words do not change with the number. */
static const char *plural(size_t n, const char *const forms[2])
{
	return n == 1 || !forms[1] ? forms[0] : forms[1];
}

static void join(struct pf_buf *b, char *const *items, size_t n, bool quote)
{
	for (size_t i = 0; i < n; i++)
		pf_buf_addf(b, quote ? "%s\"%s\"" : "%s%s", i ? ", " : "", items[i]);
}

static void detail(const struct pss_check *c, const struct bad *b, struct pf_buf *d)
{
	if (b->pod)
		pf_buf_adds(d, "pod");
	if (b->subjects.n) {
		pf_buf_addf(d, "%s%s ", b->pod ? " and " : "", plural(b->subjects.n, c->subject));
		join(d, b->subjects.items, b->subjects.n, true);
	}
	if (c->verb[0])
		pf_buf_adds(d, plural(b->subjects.n, c->verb));
	if (c->object[0])
		pf_buf_adds(d, plural(b->values.n, c->object));
	if (b->values.n) {
		if (d->len)
			pf_buf_addc(d, ' ');
		join(d, b->values.items, b->values.n, c->quote);
	}
	if (c->tail)
		pf_buf_adds(d, c->tail);
}

static bool lifted(const struct pss_check *c, const struct pf_policy *policy)
{
	if (!policy)
		return false;
	return c->gate == GATE_PRIVILEGED ? policy->allow_privileged : policy->allow_host_paths;
}

/* visitContainers: init containers first. */
static void visit(const struct pf_pod_spec *s, const struct pss_check *c, struct bad *b)
{
	for (size_t i = 0; i < s->n_init_containers; i++)
		c->container(&s->init_containers[i], b);
	for (size_t i = 0; i < s->n_containers; i++)
		c->container(&s->containers[i], b);
}

int pf_pod_security_admit(const struct pf_pod *pod, const struct pf_policy *policy,
			  struct pf_err *err)
{
	struct pf_buf vs = PF_BUF_INIT, d = PF_BUF_INIT;
	struct bad b = {false, {NULL, 0}, {NULL, 0}};
	int ret = 0;

	for (size_t i = 0; i < PF_ARRAY_SIZE(checks); i++) {
		const struct pss_check *c = &checks[i];

		if (lifted(c, policy))
			continue;
		if (c->pod)
			c->pod(&pod->spec, &b);
		if (c->container)
			visit(&pod->spec, c, &b);
		if (b.pod || b.subjects.n || b.values.n) {
			detail(c, &b, &d);
			pf_buf_addf(&vs, "%s%s (%s)", vs.len ? ", " : "", c->name, d.buf);
		}
		bad_free(&b);
		pf_buf_reset(&d);
	}
	if (vs.len)
		ret = pf_err_set(
		    err, EPERM,
		    "pods \"%s\" is forbidden: violates PodSecurity \"baseline:latest\": %s",
		    pod->meta.name ? pod->meta.name : "", vs.buf);
	pf_buf_release(&vs);
	pf_buf_release(&d);
	return ret;
}
