/*
 * podsecurity.c - the Pod Security admission of the "baseline:latest"
 * level, as the PodSecurity plugin evaluates it, with kubectl's words:
 * pods "x" is forbidden: violates PodSecurity "baseline:latest":
 * privileged (container "app" must not set securityContext.privileged=true)
 *
 * The node's policy (struct pf_policy) lifts whole checks.  It judges only
 * pods that validate.c already found valid; it must not change the pod nor
 * report field errors.
 */
#include "validate-internal.h"

#include <errno.h>

struct violations {
	struct pf_buf b;
	size_t n;
};

static void violation(struct violations *vs, const char *reason, const char *detail)
{
	if (vs->n++)
		pf_buf_adds(&vs->b, ", ");
	pf_buf_adds(&vs->b, reason);
	if (detail && *detail)
		pf_buf_addf(&vs->b, " (%s)", detail);
}

/* joinQuote of a list (in the given order). */
static void join_quote(struct pf_buf *b, char *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pf_buf_addf(b, "%s\"%s\"", i ? ", " : "", items[i]);
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

typedef void (*container_fn)(const struct pf_container *c, void *arg);

/* visitContainers: init containers first. */
static void visit(const struct pf_pod_spec *s, container_fn fn, void *arg)
{
	for (size_t i = 0; i < s->n_init_containers; i++)
		fn(&s->init_containers[i], arg);
	for (size_t i = 0; i < s->n_containers; i++)
		fn(&s->containers[i], arg);
}

struct bad {
	struct pf_strlist containers;
	struct pf_strlist values; /* sorted set */
};

static void bad_free(struct bad *b)
{
	pf_strlist_free(&b->containers);
	pf_strlist_free(&b->values);
}

static const char *cname(const struct pf_container *c)
{
	return c->name ? c->name : "";
}

static void chk_host_ports(const struct pf_container *c, void *arg)
{
	struct bad *b = arg;
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
		pf_strlist_add(&b->containers, cname(c));
}

static void host_of(const struct pf_handler *h, struct bad *b, bool *bad)
{
	if ((h->kind == PF_HANDLER_HTTP || h->kind == PF_HANDLER_TCP) && !pf_str_empty(h->host)) {
		set_add(&b->values, h->host);
		*bad = true;
	}
}

static void chk_probe_hosts(const struct pf_container *c, void *arg)
{
	struct bad *b = arg;
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
		set_add(&b->containers, cname(c)); /* sets.List: sorted */
}

static void chk_privileged(const struct pf_container *c, void *arg)
{
	if (c->security_context.privileged == PF_TRUE)
		pf_strlist_add(&((struct bad *)arg)->containers, cname(c));
}

static void chk_proc_mount(const struct pf_container *c, void *arg)
{
	struct bad *b = arg;

	if (c->security_context.proc_mount && strcmp(c->security_context.proc_mount, "Default")) {
		pf_strlist_add(&b->containers, cname(c));
		set_add(&b->values, c->security_context.proc_mount);
	}
}

static const char *const baseline_caps[] = {
    "AUDIT_WRITE",	"CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",	      "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID",	   "SETPCAP", "SETUID", "SYS_CHROOT", NULL,
};

static void chk_caps(const struct pf_container *c, void *arg)
{
	struct bad *b = arg;
	const struct pf_strlist *add = &c->security_context.capabilities.add;
	bool bad = false;

	for (size_t i = 0; i < add->n; i++) {
		if (!pf_str_in(add->items[i], baseline_caps)) {
			set_add(&b->values, add->items[i]);
			bad = true;
		}
	}
	if (bad)
		pf_strlist_add(&b->containers, cname(c));
}

static void chk_seccomp(const struct pf_container *c, void *arg)
{
	struct bad *b = arg;
	const char *t = c->security_context.seccomp.type;

	if (t && strcmp(t, "RuntimeDefault") != 0 && strcmp(t, "Localhost") != 0) {
		pf_strlist_add(&b->containers, cname(c));
		set_add(&b->values, t);
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

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The checks of "baseline:latest" in the evaluator's order: the plain
 * baseline checks by file name, then those that overlap restricted ones. */
static void pod_security(const struct pf_pod *pod, const struct pf_policy *policy,
			 struct violations *vs)
{
	const struct pf_pod_spec *s = &pod->spec;
	bool priv = policy && policy->allow_privileged;
	bool host_paths = policy && policy->allow_host_paths;
	struct pf_buf d = PF_BUF_INIT;
	struct bad b = {{NULL, 0}, {NULL, 0}};

	if (!priv) {
		/* host namespaces */
		if (s->host_network == PF_TRUE)
			pf_buf_adds(&d, "hostNetwork=true");
		if (s->host_pid == PF_TRUE)
			pf_buf_addf(&d, "%shostPID=true", d.len ? ", " : "");
		if (s->host_ipc == PF_TRUE)
			pf_buf_addf(&d, "%shostIPC=true", d.len ? ", " : "");
		if (d.len)
			violation(vs, "host namespaces", d.buf);
		pf_buf_reset(&d);

		visit(s, chk_host_ports, &b);
		if (b.containers.n) {
			pf_buf_addf(&d, "%s ", plural(b.containers.n, "container", "containers"));
			join_quote(&d, b.containers.items, b.containers.n);
			pf_buf_addf(&d, " %s %s ", plural(b.containers.n, "uses", "use"),
				    plural(b.values.n, "hostPort", "hostPorts"));
			for (size_t i = 0; i < b.values.n; i++)
				pf_buf_addf(&d, "%s%s", i ? ", " : "", b.values.items[i]);
			violation(vs, "hostPort", d.buf);
		}
		bad_free(&b);
		pf_buf_reset(&d);

		visit(s, chk_probe_hosts, &b);
		if (b.containers.n) {
			pf_buf_addf(&d, "%s ", plural(b.containers.n, "container", "containers"));
			join_quote(&d, b.containers.items, b.containers.n);
			pf_buf_addf(&d, " %s %s ", plural(b.containers.n, "uses", "use"),
				    plural(b.values.n, "probe or lifecycle host",
					   "probe or lifecycle hosts"));
			join_quote(&d, b.values.items, b.values.n);
			violation(vs, "probe or lifecycle host", d.buf);
		}
		bad_free(&b);
		pf_buf_reset(&d);

		visit(s, chk_privileged, &b);
		if (b.containers.n) {
			pf_buf_addf(&d, "%s ", plural(b.containers.n, "container", "containers"));
			join_quote(&d, b.containers.items, b.containers.n);
			pf_buf_adds(&d, " must not set securityContext.privileged=true");
			violation(vs, "privileged", d.buf);
		}
		bad_free(&b);
		pf_buf_reset(&d);

		visit(s, chk_proc_mount, &b);
		if (b.containers.n) {
			pf_buf_addf(&d, "%s ", plural(b.containers.n, "container", "containers"));
			join_quote(&d, b.containers.items, b.containers.n);
			pf_buf_adds(&d, " must not set securityContext.procMount to ");
			join_quote(&d, b.values.items, b.values.n);
			violation(vs, "procMount", d.buf);
		}
		bad_free(&b);
		pf_buf_reset(&d);

		for (size_t i = 0; i < s->security_context.n_sysctls; i++) {
			const char *n = s->security_context.sysctls[i].name;

			if (n && !pf_str_in(n, safe_sysctls))
				pf_buf_addf(&d, "%s%s", d.len ? ", " : "", n);
		}
		if (d.len)
			violation(vs, "forbidden sysctls", d.buf);
		pf_buf_reset(&d);

		visit(s, chk_caps, &b);
		if (b.containers.n) {
			pf_buf_addf(&d, "%s ", plural(b.containers.n, "container", "containers"));
			join_quote(&d, b.containers.items, b.containers.n);
			pf_buf_adds(&d, " must not include ");
			join_quote(&d, b.values.items, b.values.n);
			pf_buf_adds(&d, " in securityContext.capabilities.add");
			violation(vs, "non-default capabilities", d.buf);
		}
		bad_free(&b);
		pf_buf_reset(&d);
	}

	if (!host_paths) {
		struct pf_strlist vols = {NULL, 0};

		for (size_t i = 0; i < s->n_volumes; i++)
			if (s->volumes[i].kind == PF_VOLUME_HOSTPATH)
				pf_strlist_add(&vols, s->volumes[i].name ? s->volumes[i].name : "");
		if (vols.n) {
			pf_buf_addf(&d, "%s ", plural(vols.n, "volume", "volumes"));
			join_quote(&d, vols.items, vols.n);
			violation(vs, "hostPath volumes", d.buf);
		}
		pf_strlist_free(&vols);
		pf_buf_reset(&d);
	}

	if (!priv) {
		const char *pt = s->security_context.seccomp.type;
		bool pod_bad =
		    pt && strcmp(pt, "RuntimeDefault") != 0 && strcmp(pt, "Localhost") != 0;

		if (pod_bad)
			set_add(&b.values, pt);
		visit(s, chk_seccomp, &b);
		if (pod_bad || b.containers.n) {
			if (pod_bad)
				pf_buf_adds(&d, "pod");
			if (b.containers.n) {
				pf_buf_addf(&d, "%s%s ", pod_bad ? " and " : "",
					    plural(b.containers.n, "container", "containers"));
				join_quote(&d, b.containers.items, b.containers.n);
			}
			pf_buf_adds(&d, " must not set securityContext.seccompProfile.type to ");
			join_quote(&d, b.values.items, b.values.n);
			violation(vs, "seccompProfile", d.buf);
		}
		bad_free(&b);
	}
	pf_buf_release(&d);
}

int pf_pod_security_admit(const struct pf_pod *pod, const struct pf_policy *policy,
			  struct pf_err *err)
{
	struct violations vs = {PF_BUF_INIT, 0};
	int ret = 0;

	pod_security(pod, policy, &vs);
	if (vs.n)
		ret = pf_err_set(
		    err, EPERM,
		    "pods \"%s\" is forbidden: violates PodSecurity \"baseline:latest\": %s",
		    pod->meta.name ? pod->meta.name : "", vs.b.buf);
	pf_buf_release(&vs.b);
	return ret;
}
