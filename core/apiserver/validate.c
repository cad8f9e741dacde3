/*
 * validate.c - what the API server does to a Pod between decoding and
 * storing it: the defaults (SetObjectDefaults_Pod and the admission plugins
 * every cluster runs), ValidatePodCreate, and the Pod Security "baseline"
 * policy, each with the wording kubectl shows.
 *
 * Pure functions of the pod and the policy: no store, no clock, no I/O, no
 * randomness (generateName lives in admission.c).  It must not parse YAML or
 * quantities (manifest.c, quantity.c own that); it only reads the model.
 *
 * Causes are collected in the order ValidatePodCreate walks the object and
 * joined as apimachinery's aggregate does: one cause alone, several as
 * "[a, b]", exact duplicates dropped.
 */
#include "validate.h"

#include <errno.h>
#include <limits.h>

/* ---- field.Error rendering --------------------------------------------- */

struct causes {
	char **items;
	size_t n;
};

static void causes_free(struct causes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->items[i]);
	free(c->items);
	c->items = NULL;
	c->n = 0;
}

static void causes_add(struct causes *c, struct pf_buf *b)
{
	char *s = pf_buf_detach(b, NULL);

	/* ToAggregate drops repeated messages; keep the first occurrence. */
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->items[i], s) == 0) {
			free(s);
			return;
		}
	}
	c->items = pf_xrealloc(c->items, (c->n + 1) * sizeof(*c->items));
	c->items[c->n++] = s;
}

/* Go's %q for the strings users put in manifests: the bad value must read
 * exactly as the API server prints it. */
static void go_quote(struct pf_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	pf_buf_addc(b, '"');
	while (*p) {
		unsigned char ch = *p;

		if (ch == '"' || ch == '\\') {
			pf_buf_addc(b, '\\');
			pf_buf_addc(b, (char)ch);
		} else if (ch >= 0x20 && ch < 0x7f) {
			pf_buf_addc(b, (char)ch);
		} else if (ch == '\n') {
			pf_buf_adds(b, "\\n");
		} else if (ch == '\t') {
			pf_buf_adds(b, "\\t");
		} else if (ch == '\r') {
			pf_buf_adds(b, "\\r");
		} else if (ch == '\a' || ch == '\b' || ch == '\f' || ch == '\v') {
			pf_buf_addc(b, '\\');
			pf_buf_addc(b, "abtnvfr"[ch - '\a']);
		} else if (ch >= 0x80) {
			/* Pass a well-formed UTF-8 sequence through, as %q does
			 * for printable runes; escape stray bytes. */
			size_t len = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc0 ? 2 : 0;
			size_t k;

			for (k = 1; len && k < len; k++)
				if ((p[k] & 0xc0) != 0x80)
					break;
			if (len && k == len) {
				pf_buf_add(b, p, len);
				p += len;
				continue;
			}
			pf_buf_addf(b, "\\x%02x", ch);
		} else {
			pf_buf_addf(b, "\\x%02x", ch);
		}
		p++;
	}
	pf_buf_addc(b, '"');
}

static void err_required(struct causes *c, const char *path, const char *detail)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Required value", path);
	if (detail && *detail)
		pf_buf_addf(&b, ": %s", detail);
	causes_add(c, &b);
}

static void err_forbidden(struct causes *c, const char *path, const char *detail)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Forbidden: %s", path, detail);
	causes_add(c, &b);
}

static void err_too_long(struct causes *c, const char *path, int max)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Too long: may not be more than %d bytes", path, max);
	causes_add(c, &b);
}

static void err_invalid(struct causes *c, const char *path, const char *value, const char *detail)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Invalid value: ", path);
	go_quote(&b, value ? value : "");
	if (detail && *detail)
		pf_buf_addf(&b, ": %s", detail);
	causes_add(c, &b);
}

/* Numbers (and values with a String() method) print unquoted. */
static void err_invalid_raw(struct causes *c, const char *path, const char *value,
			    const char *detail)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Invalid value: %s", path, value);
	if (detail && *detail)
		pf_buf_addf(&b, ": %s", detail);
	causes_add(c, &b);
}

static void err_invalid_int(struct causes *c, const char *path, int64_t v, const char *detail)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	err_invalid_raw(c, path, num, detail);
}

static void err_keyed(struct causes *c, const char *path, const char *type, const char *value)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: %s: ", path, type);
	go_quote(&b, value ? value : "");
	causes_add(c, &b);
}

static void err_duplicate(struct causes *c, const char *path, const char *value)
{
	err_keyed(c, path, "Duplicate value", value);
}

static void err_not_found(struct causes *c, const char *path, const char *value)
{
	err_keyed(c, path, "Not found", value);
}

static void err_unsupported(struct causes *c, const char *path, const char *value,
			    const char *const *supported)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Unsupported value: ", path);
	go_quote(&b, value ? value : "");
	pf_buf_adds(&b, ": supported values: ");
	for (size_t i = 0; supported[i]; i++) {
		if (i)
			pf_buf_adds(&b, ", ");
		go_quote(&b, supported[i]);
	}
	causes_add(c, &b);
}

static bool in_set(const char *s, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* ---- apimachinery's string formats -------------------------------------- */

#define DNS1123_LABEL_FMT     "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define DNS1123_SUBDOMAIN_FMT DNS1123_LABEL_FMT "(\\." DNS1123_LABEL_FMT ")*"
#define LABEL_KEY_FMT	      "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define LABEL_KEY_MSG                                                                              \
	"must consist of alphanumeric characters, '-', '_' or '.', and must start "                \
	"and end with an alphanumeric character"
#define LABEL_KEY_REGEX_ERR                                                                        \
	LABEL_KEY_MSG " (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "                 \
		      "for validation is '" LABEL_KEY_FMT "')"

static const char dns1123_label_err[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '" DNS1123_LABEL_FMT "')";
static const char dns1123_subdomain_err[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
    "regex used for validation is '" DNS1123_SUBDOMAIN_FMT "')";
static const char label_value_err[] =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is '(" LABEL_KEY_FMT ")?')";
static const char http_header_err[] =
    "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. "
    "'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')";
static const char relaxed_env_err[] =
    "a valid environment variable name must consist only of printable ASCII characters "
    "other than '='";
static const char nonneg_err[] = "must be greater than or equal to 0";
static const char port_range_err[] = "must be between 1 and 65535, inclusive";
static const char id_range_err[] = "must be between 0 and 4294967295, inclusive";

/* The few messages an Is* function of apimachinery returns. */
struct msgs {
	const char *m[3];
	size_t n;
};

static void msgs_add(struct msgs *m, const char *s)
{
	if (m->n < PF_ARRAY_SIZE(m->m))
		m->m[m->n++] = s;
}

static bool is_lower_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool is_alnum(char ch)
{
	return is_lower_alnum(ch) || (ch >= 'A' && ch <= 'Z');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n) */
static bool match_label(const char *s, size_t n)
{
	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool match_subdomain(const char *s)
{
	const char *p = s;

	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (!match_label(p, n))
			return false;
		if (!dot)
			return true;
		p = dot + 1;
	}
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] over s[0..n) */
static bool match_label_key(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static void is_dns1123_subdomain(const char *s, struct msgs *m)
{
	if (strlen(s) > 253)
		msgs_add(m, "must be no more than 253 characters");
	if (!match_subdomain(s))
		msgs_add(m, dns1123_subdomain_err);
}

static void is_dns1123_label(const char *s, struct msgs *m)
{
	size_t n = strlen(s);

	if (n > 63)
		msgs_add(m, "must be no more than 63 characters");
	if (!match_label(s, n)) {
		/* A valid subdomain that is not a label can only have dots. */
		if (n <= 253 && match_subdomain(s))
			msgs_add(m, "must not contain dots");
		else
			msgs_add(m, dns1123_label_err);
	}
}

bool pf_is_dns1123_subdomain(const char *s, const char **detail)
{
	struct msgs m = {.n = 0};

	is_dns1123_subdomain(s ? s : "", &m);
	if (detail)
		*detail = m.n ? m.m[0] : NULL;
	return m.n == 0;
}

bool pf_is_dns1123_label(const char *s, const char **detail)
{
	struct msgs m = {.n = 0};

	is_dns1123_label(s ? s : "", &m);
	if (detail)
		*detail = m.n ? m.m[0] : NULL;
	return m.n == 0;
}

/* IsLabelKey (IsQualifiedName): messages are built, so they go to a list of
 * owned strings. */
struct owned {
	char *m[4];
	size_t n;
};

static void owned_add(struct owned *o, char *s)
{
	if (o->n < PF_ARRAY_SIZE(o->m))
		o->m[o->n++] = s;
	else
		free(s);
}

static void owned_free(struct owned *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->m[i]);
	o->n = 0;
}

static void is_qualified_name(const char *value, struct owned *o)
{
	const char *slash = strchr(value, '/');
	const char *name = value;

	if (slash && strchr(slash + 1, '/')) {
		owned_add(o, pf_xstrdup("a valid label key " LABEL_KEY_REGEX_ERR
					" with an optional DNS subdomain prefix and '/' (e.g. "
					"'example.com/MyName')"));
		return;
	}
	if (slash) {
		_cleanup_free_ char *prefix = pf_xstrndup(value, (size_t)(slash - value));
		struct msgs m = {.n = 0};

		name = slash + 1;
		if (!*prefix) {
			owned_add(o, pf_xstrdup("prefix part must be non-empty"));
		} else {
			is_dns1123_subdomain(prefix, &m);
			for (size_t i = 0; i < m.n; i++)
				owned_add(o, pf_xasprintf("prefix part %s", m.m[i]));
		}
	}
	if (!*name)
		owned_add(o, pf_xstrdup("name part must be non-empty"));
	else if (strlen(name) > 63)
		owned_add(o, pf_xstrdup("name part must be no more than 63 characters"));
	if (!match_label_key(name, strlen(name)))
		owned_add(o, pf_xstrdup("name part " LABEL_KEY_REGEX_ERR));
}

static void is_label_value(const char *v, struct msgs *m)
{
	size_t n = strlen(v);

	if (n > 63)
		msgs_add(m, "must be no more than 63 characters");
	if (n && !match_label_key(v, n))
		msgs_add(m, label_value_err);
}

int pf_label_check(const char *key, const char *value, struct pf_err *err)
{
	struct owned o = {.n = 0};
	struct msgs m = {.n = 0};
	int r = 0;

	is_qualified_name(key, &o);
	if (o.n)
		r = pf_err_set(err, EINVAL, "invalid label key \"%s\": %s", key, o.m[0]);
	owned_free(&o);
	if (r < 0 || !value)
		return r;
	is_label_value(value, &m);
	if (m.n)
		r = pf_err_set(err, EINVAL, "invalid label value \"%s\" for key \"%s\": %s", value,
			       key, m.m[0]);
	return r;
}

static void is_port_name(const char *p, struct msgs *m)
{
	size_t n = strlen(p);
	bool charset = n > 0, letter = false;

	if (n > 15)
		msgs_add(m, "must be no more than 15 characters");
	for (size_t i = 0; i < n; i++) {
		if (!is_lower_alnum(p[i]) && p[i] != '-')
			charset = false;
		if (p[i] >= 'a' && p[i] <= 'z')
			letter = true;
	}
	if (!charset)
		msgs_add(m,
			 "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
	if (!letter)
		msgs_add(m, "must contain at least one letter (a-z)");
	if (strstr(p, "--"))
		msgs_add(m, "must not contain consecutive hyphens");
	if (n && (p[0] == '-' || p[n - 1] == '-'))
		msgs_add(m, "must not begin or end with a hyphen");
}

/* Validate name as apimachinery's NameIsDNSSubdomain: a generateName prefix
 * may end in '-' because random characters follow. */
static void name_is_dns_subdomain(const char *name, bool prefix, struct msgs *m)
{
	size_t n = strlen(name);

	if (prefix && n > 1 && name[n - 1] == '-') {
		_cleanup_free_ char *masked = pf_xstrdup(name);

		masked[n - 1] = 'a';
		is_dns1123_subdomain(masked, m);
		return;
	}
	is_dns1123_subdomain(name, m);
}

/* ---- images -------------------------------------------------------------- */

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

	if (empty(image))
		return false;
	image_tag_digest(image, &tag, &latest, &digest);
	return latest || (!tag && !digest);
}

/* ---- defaults ------------------------------------------------------------ */

/* In Go an empty string is the unset value, so "" is defaulted too. */
static void set_str(char **field, const char *value)
{
	if (empty(*field)) {
		free(*field);
		*field = pf_xstrdup(value);
	}
}

static void default_handler(struct pf_handler *h)
{
	/* SetDefaults_HTTPGetAction, for probes and lifecycle hooks alike. */
	if (h->kind == PF_HANDLER_HTTP) {
		if (empty(h->http_path)) {
			free(h->http_path);
			h->http_path = pf_xstrdup("/");
		}
		if (empty(h->http_scheme)) {
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
	return (empty(t->key) || strcmp(t->key, key) == 0) &&
	       (empty(t->effect) || strcmp(t->effect, "NoExecute") == 0);
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

/* The priority classes every cluster has; podfs has no others. */
static bool builtin_priority(const char *cls, int32_t *prio)
{
	if (empty(cls)) {
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

	if (empty(pod->meta.namespace_)) {
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
	if (empty(s->service_account_name)) {
		free(s->service_account_name);
		s->service_account_name = pf_xstrdup("default");
	}
	if (!s->has_priority && builtin_priority(s->priority_class_name, &prio)) {
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
	default_toleration(s, "node.kubernetes.io/not-ready",
			   own ? policy->not_ready_toleration_s : 300);
	default_toleration(s, "node.kubernetes.io/unreachable",
			   own ? policy->unreachable_toleration_s : 300);

	free(pod->status.qos_class);
	pod->status.qos_class = pf_xstrdup(pod_qos(s));
}

/* ---- validation ---------------------------------------------------------- */

struct vctx {
	const struct pf_pod *pod;
	struct causes c;
};

static void validate_label_map(struct causes *c, const struct pf_strmap *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++) {
		struct owned o = {.n = 0};
		struct msgs vm = {.n = 0};

		is_qualified_name(m->items[i].key, &o);
		for (size_t k = 0; k < o.n; k++)
			err_invalid(c, path, m->items[i].key, o.m[k]);
		owned_free(&o);
		is_label_value(m->items[i].value ? m->items[i].value : "", &vm);
		for (size_t k = 0; k < vm.n; k++)
			err_invalid(c, path, m->items[i].value, vm.m[k]);
	}
}

static void validate_meta(struct vctx *v)
{
	const struct pf_object_meta *m = &v->pod->meta;
	struct msgs nm = {.n = 0};
	size_t total = 0;

	if (!empty(m->generate_name)) {
		name_is_dns_subdomain(m->generate_name, true, &nm);
		for (size_t i = 0; i < nm.n; i++)
			err_invalid(&v->c, "metadata.generateName", m->generate_name, nm.m[i]);
		nm.n = 0;
	}
	if (empty(m->name)) {
		err_required(&v->c, "metadata.name", "name or generateName is required");
	} else {
		name_is_dns_subdomain(m->name, false, &nm);
		for (size_t i = 0; i < nm.n; i++)
			err_invalid(&v->c, "metadata.name", m->name, nm.m[i]);
	}
	if (m->generation < 0)
		err_invalid_int(&v->c, "metadata.generation", m->generation, nonneg_err);
	validate_label_map(&v->c, &m->labels, "metadata.labels");
	for (size_t i = 0; i < m->annotations.n; i++) {
		const struct pf_pair *a = &m->annotations.items[i];
		_cleanup_free_ char *lower = pf_xstrdup(a->key);
		struct owned o = {.n = 0};

		/* Annotation keys are qualified names in any case. */
		for (char *p = lower; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		is_qualified_name(lower, &o);
		for (size_t k = 0; k < o.n; k++)
			err_invalid(&v->c, "metadata.annotations", a->key, o.m[k]);
		owned_free(&o);
		total += strlen(a->key) + (a->value ? strlen(a->value) : 0);
	}
	if (total > 256 * 1024)
		err_too_long(&v->c, "metadata.annotations", 256 * 1024);
	for (size_t i = 0; i < m->finalizers.n; i++) {
		const char *f = m->finalizers.items[i];
		struct owned o = {.n = 0};

		is_qualified_name(f, &o);
		for (size_t k = 0; k < o.n; k++)
			err_invalid(&v->c, "metadata.finalizers", f, o.m[k]);
		owned_free(&o);
		if (!strchr(f, '/') && strcmp(f, "kubernetes") != 0 && strcmp(f, "orphan") != 0 &&
		    strcmp(f, "foregroundDeletion") != 0) {
			_cleanup_free_ char *p = pf_xasprintf("metadata.finalizers[%zu]", i);

			err_invalid(
			    &v->c, p, f,
			    "name is neither a standard finalizer name nor is it fully qualified");
		}
	}
}

static bool has_dotdot(const char *path)
{
	const char *p = path;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		if (!slash)
			return false;
		p = slash + 1;
	}
}

static const char *const host_path_types[] = {
    "",	    "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
    "File", "FileOrCreate", "Socket",	  NULL,
};

static void validate_volumes(struct vctx *v)
{
	const struct pf_pod_spec *s = &v->pod->spec;

	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct pf_volume *vol = &s->volumes[i];
		_cleanup_free_ char *idx = pf_xasprintf("spec.volumes[%zu]", i);
		_cleanup_free_ char *name = pf_xasprintf("%s.name", idx);
		bool dup = false;

		if (vol->kind == PF_VOLUME_HOSTPATH) {
			_cleanup_free_ char *hp = pf_xasprintf("%s.hostPath.path", idx);
			_cleanup_free_ char *ht = pf_xasprintf("%s.hostPath.type", idx);

			if (empty(vol->host_path)) {
				err_required(&v->c, hp, NULL);
			} else {
				if (has_dotdot(vol->host_path))
					err_invalid(&v->c, hp, vol->host_path,
						    "must not contain '..'");
				if (vol->host_path_type &&
				    !in_set(vol->host_path_type, host_path_types))
					err_unsupported(&v->c, ht, vol->host_path_type,
							host_path_types);
			}
		} else if (vol->kind == PF_VOLUME_EMPTYDIR) {
			if (vol->empty_dir_size_limit.str && vol->empty_dir_size_limit.milli < 0) {
				_cleanup_free_ char *sl =
				    pf_xasprintf("%s.emptyDir.sizeLimit", idx);

				err_forbidden(&v->c, sl,
					      "SizeLimit field must be a valid resource quantity");
			}
		} else {
			err_required(&v->c, idx, "must specify a volume type");
		}
		if (empty(vol->name)) {
			err_required(&v->c, name, NULL);
		} else {
			struct msgs m = {.n = 0};

			is_dns1123_label(vol->name, &m);
			for (size_t k = 0; k < m.n; k++)
				err_invalid(&v->c, name, vol->name, m.m[k]);
		}
		for (size_t k = 0; k < i; k++)
			if (s->volumes[k].name && vol->name &&
			    strcmp(s->volumes[k].name, vol->name) == 0)
				dup = true;
		if (dup)
			err_duplicate(&v->c, name, vol->name ? vol->name : "");
	}
}

static bool volume_exists(const struct pf_pod_spec *s, const char *name)
{
	for (size_t i = 0; i < s->n_volumes; i++)
		if (s->volumes[i].name && name && strcmp(s->volumes[i].name, name) == 0)
			return true;
	return false;
}

static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};

static void validate_ports(struct vctx *v, const struct pf_container *ctr, const char *path)
{
	for (size_t i = 0; i < ctr->n_ports; i++) {
		const struct pf_container_port *p = &ctr->ports[i];
		_cleanup_free_ char *idx = pf_xasprintf("%s.ports[%zu]", path, i);
		_cleanup_free_ char *np = pf_xasprintf("%s.name", idx);
		_cleanup_free_ char *cp = pf_xasprintf("%s.containerPort", idx);
		_cleanup_free_ char *hp = pf_xasprintf("%s.hostPort", idx);
		_cleanup_free_ char *pp = pf_xasprintf("%s.protocol", idx);

		if (!empty(p->name)) {
			struct msgs m = {.n = 0};
			bool dup = false;

			is_port_name(p->name, &m);
			for (size_t k = 0; k < m.n; k++)
				err_invalid(&v->c, np, p->name, m.m[k]);
			for (size_t k = 0; !m.n && k < i; k++) {
				struct msgs om = {.n = 0};

				/* Only names that passed are remembered. */
				if (empty(ctr->ports[k].name))
					continue;
				is_port_name(ctr->ports[k].name, &om);
				if (!om.n && strcmp(ctr->ports[k].name, p->name) == 0)
					dup = true;
			}
			if (dup)
				err_duplicate(&v->c, np, p->name);
		}
		if (p->container_port == 0)
			err_required(&v->c, cp, NULL);
		else if (p->container_port < 1 || p->container_port > 65535)
			err_invalid_int(&v->c, cp, p->container_port, port_range_err);
		if (p->host_port != 0 && (p->host_port < 1 || p->host_port > 65535))
			err_invalid_int(&v->c, hp, p->host_port, port_range_err);
		if (empty(p->protocol))
			err_required(&v->c, pp, NULL);
		else if (!in_set(p->protocol, protocols))
			err_unsupported(&v->c, pp, p->protocol, protocols);
	}
}

static const char *const env_field_paths[] = {
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
    NULL,
};
/* What ConvertDownwardAPIFieldLabel knows for v1 pods. */
static const char *const convertible_field_paths[] = {
    "metadata.annotations", "metadata.labels", "metadata.name",	     "metadata.namespace",
    "metadata.uid",	    "spec.nodeName",   "spec.restartPolicy", "spec.serviceAccountName",
    "spec.schedulerName",   "status.phase",    "status.hostIP",	     "status.hostIPs",
    "status.podIP",	    "status.podIPs",   "spec.host",	     NULL,
};
static const char *const env_resources[] = {
    "limits.cpu",   "limits.ephemeral-storage",	  "limits.memory",
    "requests.cpu", "requests.ephemeral-storage", "requests.memory",
    NULL,
};
static const char *const mem_divisors[] = {
    "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei", NULL,
};

/* fieldpath.SplitMaybeSubscriptedPath: "metadata.labels['k']". */
static bool split_subscript(const char *fp, char **path, char **sub)
{
	size_t n = strlen(fp);
	const char *open;

	if (n < 2 || strcmp(fp + n - 2, "']") != 0)
		return false;
	open = strstr(fp, "['");
	if (!open || open == fp || open + 2 > fp + n - 2)
		return false;
	*path = pf_xstrndup(fp, (size_t)(open - fp));
	*sub = pf_xstrndup(open + 2, (size_t)(fp + n - 2 - (open + 2)));
	return true;
}

static void validate_field_ref(struct vctx *v, const struct pf_env_var *e, const char *path)
{
	_cleanup_free_ char *api = pf_xasprintf("%s.apiVersion", path);
	_cleanup_free_ char *fpp = pf_xasprintf("%s.fieldPath", path);
	_cleanup_free_ char *p = NULL, *sub = NULL;
	const char *fp = e->field_ref_path;

	if (empty(e->field_ref_api)) {
		err_required(&v->c, api, NULL);
		return;
	}
	if (empty(fp)) {
		err_required(&v->c, fpp, NULL);
		return;
	}
	if (strcmp(e->field_ref_api, "v1") != 0) {
		_cleanup_free_ char *d = pf_xasprintf(
		    "error converting fieldPath: unsupported pod version: %s", e->field_ref_api);

		err_invalid(&v->c, fpp, fp, d);
		return;
	}
	if (split_subscript(fp, &p, &sub)) {
		struct owned o = {.n = 0};

		if (strcmp(p, "metadata.annotations") != 0 && strcmp(p, "metadata.labels") != 0) {
			_cleanup_free_ char *d =
			    pf_xasprintf("error converting fieldPath: field label does not support "
					 "subscript: %s",
					 fp);

			err_invalid(&v->c, fpp, fp, d);
			return;
		}
		if (strcmp(p, "metadata.annotations") == 0)
			for (char *q = sub; *q; q++)
				if (*q >= 'A' && *q <= 'Z')
					*q = (char)(*q - 'A' + 'a');
		is_qualified_name(sub, &o);
		for (size_t k = 0; k < o.n; k++)
			err_invalid(&v->c, path, sub, o.m[k]);
		owned_free(&o);
		return;
	}
	if (!in_set(fp, convertible_field_paths)) {
		_cleanup_free_ char *d =
		    pf_xasprintf("error converting fieldPath: field label not supported: %s", fp);

		err_invalid(&v->c, fpp, fp, d);
		return;
	}
	if (strcmp(fp, "spec.host") == 0)
		fp = "spec.nodeName";
	if (!in_set(fp, env_field_paths))
		err_unsupported(&v->c, fpp, fp, env_field_paths);
}

static void validate_resource_ref(struct vctx *v, const struct pf_env_var *e, const char *path)
{
	_cleanup_free_ char *rp = pf_xasprintf("%s.resource", path);
	_cleanup_free_ char *dp = pf_xasprintf("%s.divisor", path);
	const char *r = e->resource_ref;
	const char *div = e->resource_ref_divisor.str;

	if (empty(r))
		err_required(&v->c, rp, NULL);
	else if (!in_set(r, env_resources) && strncmp(r, "requests.hugepages-", 19) != 0 &&
		 strncmp(r, "limits.hugepages-", 17) != 0)
		err_unsupported(&v->c, rp, r, env_resources);
	if (!div || e->resource_ref_divisor.milli == 0 || empty(r))
		return;
	if (strcmp(r, "limits.cpu") == 0 || strcmp(r, "requests.cpu") == 0) {
		if (strcmp(div, "1m") != 0 && strcmp(div, "1") != 0)
			err_invalid(
			    &v->c, dp, r,
			    "only divisor's values 1m and 1 are supported with the cpu resource");
	} else if (strcmp(r, "limits.memory") == 0 || strcmp(r, "requests.memory") == 0) {
		if (!in_set(div, mem_divisors))
			err_invalid(
			    &v->c, dp, r,
			    "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, "
			    "1Ti, 1Pi, 1Ei are supported with the memory resource");
	} else if (strcmp(r, "limits.ephemeral-storage") == 0 ||
		   strcmp(r, "requests.ephemeral-storage") == 0) {
		if (!in_set(div, mem_divisors))
			err_invalid(
			    &v->c, dp, r,
			    "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, "
			    "1Ti, 1Pi, 1Ei are supported with the local ephemeral storage "
			    "resource");
	}
}

static void validate_env(struct vctx *v, const struct pf_container *ctr, const char *path)
{
	for (size_t i = 0; i < ctr->n_env; i++) {
		const struct pf_env_var *e = &ctr->env[i];
		_cleanup_free_ char *idx = pf_xasprintf("%s.env[%zu]", path, i);
		_cleanup_free_ char *np = pf_xasprintf("%s.name", idx);
		_cleanup_free_ char *vf = pf_xasprintf("%s.valueFrom", idx);
		bool field_ref = e->field_ref_path || e->field_ref_api;
		bool res_ref =
		    e->resource_ref || e->resource_ref_container || e->resource_ref_divisor.str;
		int sources = field_ref + res_ref;

		if (empty(e->name)) {
			err_required(&v->c, np, NULL);
		} else {
			/* RelaxedEnvironmentVariableValidation is GA: any
			 * printable ASCII but '='. */
			for (const unsigned char *p = (const unsigned char *)e->name; *p; p++) {
				if (*p < 0x20 || *p > 0x7e || *p == '=') {
					err_invalid(&v->c, np, e->name, relaxed_env_err);
					break;
				}
			}
		}
		if (!sources)
			continue;
		if (field_ref) {
			_cleanup_free_ char *fr = pf_xasprintf("%s.fieldRef", vf);

			validate_field_ref(v, e, fr);
		}
		if (res_ref) {
			_cleanup_free_ char *rr = pf_xasprintf("%s.resourceFieldRef", vf);

			validate_resource_ref(v, e, rr);
		}
		if (!empty(e->value))
			err_invalid(&v->c, vf, "",
				    "may not be specified when `value` is not empty");
		else if (sources > 1)
			err_invalid(&v->c, vf, "",
				    "may not have more than one field specified at a time");
	}
}

static const char *const propagations[] = {"Bidirectional", "HostToContainer", "None", NULL};

static void validate_local_descending(struct causes *c, const char *path, const char *p)
{
	if (p[0] == '/')
		err_invalid(c, path, p, "must be a relative path");
	if (has_dotdot(p))
		err_invalid(c, path, p, "must not contain '..'");
}

static void validate_mounts(struct vctx *v, const struct pf_container *ctr, const char *path)
{
	const struct pf_pod_spec *s = &v->pod->spec;
	_cleanup_free_ char *base = pf_xasprintf("%s.volumeMounts", path);

	for (size_t i = 0; i < ctr->n_volume_mounts; i++) {
		const struct pf_volume_mount *m = &ctr->volume_mounts[i];
		_cleanup_free_ char *idx = pf_xasprintf("%s[%zu]", base, i);
		_cleanup_free_ char *np = pf_xasprintf("%s.name", idx);
		_cleanup_free_ char *mp = pf_xasprintf("%s.mountPath", idx);
		bool seen = false;

		if (empty(m->name))
			err_required(&v->c, np, NULL);
		if (!volume_exists(s, m->name))
			err_not_found(&v->c, np, m->name ? m->name : "");
		if (empty(m->mount_path))
			err_required(&v->c, mp, NULL);
		for (size_t k = 0; k < i; k++) {
			const char *o = ctr->volume_mounts[k].mount_path;

			if (strcmp(o ? o : "", m->mount_path ? m->mount_path : "") == 0)
				seen = true;
		}
		if (seen)
			err_invalid(&v->c, mp, m->mount_path, "must be unique");
		/* podfs hands mount paths to the OCI runtime as they are; the
		 * API server would accept a relative one, crun would not. */
		else if (!empty(m->mount_path) && m->mount_path[0] != '/')
			err_invalid(&v->c, mp, m->mount_path, "must be an absolute path");
		if (!empty(m->sub_path)) {
			/* ValidateVolumeMounts names the list, not the item. */
			_cleanup_free_ char *sp = pf_xasprintf("%s.subPath", base);

			validate_local_descending(&v->c, sp, m->sub_path);
		}
		if (m->mount_propagation) {
			_cleanup_free_ char *pp = pf_xasprintf("%s.mountPropagation", base);

			if (!in_set(m->mount_propagation, propagations))
				err_unsupported(&v->c, pp, m->mount_propagation, propagations);
			else if (strcmp(m->mount_propagation, "Bidirectional") == 0 &&
				 ctr->security_context.privileged != PF_TRUE)
				err_forbidden(
				    &v->c, pp,
				    "Bidirectional mount propagation is available only to "
				    "privileged containers");
		}
	}
}

static const char *const pull_policies[] = {"Always", "IfNotPresent", "Never", NULL};

static const char *const std_resources[] = {
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
    NULL,
};
static const char *const integer_resources[] = {
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
    NULL,
};

static bool is_hugepages(const char *n)
{
	return strncmp(n, "hugepages-", 10) == 0;
}

static bool is_native(const char *n)
{
	return !strchr(n, '/') || strstr(n, "kubernetes.io/");
}

static bool is_extended(const char *n)
{
	struct owned o = {.n = 0};
	_cleanup_free_ char *quota = NULL;
	bool ok;

	if (is_native(n) || strncmp(n, "requests.", 9) == 0)
		return false;
	quota = pf_xasprintf("requests.%s", n);
	is_qualified_name(quota, &o);
	ok = o.n == 0;
	owned_free(&o);
	return ok;
}

static bool overcommit_allowed(const char *n)
{
	return is_native(n) && !is_hugepages(n);
}

/* validateContainerResourceName; false when the name is already wrong. */
static void validate_resource_name(struct causes *c, const char *n, const char *path)
{
	struct owned o = {.n = 0};

	is_qualified_name(n, &o);
	for (size_t k = 0; k < o.n; k++)
		err_invalid(c, path, n, o.m[k]);
	if (o.n) {
		owned_free(&o);
		return;
	}
	if (!strchr(n, '/')) {
		if (!in_set(n, std_resources) && !is_hugepages(n)) {
			err_invalid(c, path, n,
				    "must be a standard resource type or fully qualified");
			return;
		}
		if (strcmp(n, "cpu") != 0 && strcmp(n, "memory") != 0 &&
		    strcmp(n, "ephemeral-storage") != 0 && !is_hugepages(n))
			err_invalid(c, path, n, "must be a standard resource for containers");
	} else if (!is_native(n) && !is_extended(n)) {
		err_invalid(c, path, n, "doesn't follow extended resource name standard");
	}
}

static void validate_quantity(struct causes *c, const char *name, const struct pf_quantity *q,
			      const char *path)
{
	const char *str = q->str ? q->str : "0";

	if (q->milli < 0)
		err_invalid(c, path, str, nonneg_err);
	/* Quantity has a String() method, so "must be an integer" quotes
	 * nothing. */
	if ((in_set(name, integer_resources) || is_extended(name)) && q->milli % 1000 != 0)
		err_invalid_raw(c, path, str, "must be an integer");
}

static void validate_resources(struct vctx *v, const struct pf_container *ctr, const char *path)
{
	const struct pf_resources *r = &ctr->resources;
	_cleanup_free_ char *lim = pf_xasprintf("%s.resources.limits", path);
	_cleanup_free_ char *req = pf_xasprintf("%s.resources.requests", path);
	bool cpu_mem = false, huge = false;

	for (size_t i = 0; i < r->limits.n; i++) {
		const struct pf_resource *res = &r->limits.items[i];
		_cleanup_free_ char *p = pf_xasprintf("%s[%s]", lim, res->name);

		validate_resource_name(&v->c, res->name, p);
		validate_quantity(&v->c, res->name, &res->q, p);
		if (is_hugepages(res->name))
			huge = true;
		if (strcmp(res->name, "cpu") == 0 || strcmp(res->name, "memory") == 0)
			cpu_mem = true;
	}
	for (size_t i = 0; i < r->requests.n; i++) {
		const struct pf_resource *res = &r->requests.items[i];
		_cleanup_free_ char *p = pf_xasprintf("%s[%s]", req, res->name);
		const struct pf_quantity *l = pf_reslist_get(&r->limits, res->name);
		const char *qs = res->q.str ? res->q.str : "0";

		validate_resource_name(&v->c, res->name, p);
		validate_quantity(&v->c, res->name, &res->q, p);
		if (l) {
			const char *ls = l->str ? l->str : "0";

			if (res->q.milli != l->milli && !overcommit_allowed(res->name)) {
				_cleanup_free_ char *d =
				    pf_xasprintf("must be equal to %s limit of %s", res->name, ls);

				err_invalid(&v->c, req, qs, d);
			} else if (res->q.milli > l->milli) {
				_cleanup_free_ char *d = pf_xasprintf(
				    "must be less than or equal to %s limit of %s", res->name, ls);

				err_invalid(&v->c, req, qs, d);
			}
		} else if (!overcommit_allowed(res->name)) {
			err_required(&v->c, lim,
				     "Limit must be set for non overcommitable resources");
		}
		if (is_hugepages(res->name))
			huge = true;
		if (strcmp(res->name, "cpu") == 0 || strcmp(res->name, "memory") == 0)
			cpu_mem = true;
	}
	if (huge && !cpu_mem) {
		_cleanup_free_ char *p = pf_xasprintf("%s.resources", path);

		err_forbidden(&v->c, p, "HugePages require cpu or memory");
	}
}

static const char *const proc_mounts[] = {"Default", "Unmasked", NULL};
static const char *const seccomp_types[] = {"Localhost", "RuntimeDefault", "Unconfined", NULL};

static void validate_seccomp(struct causes *c, const struct pf_seccomp_profile *sp,
			     const char *path)
{
	_cleanup_free_ char *tp = pf_xasprintf("%s.seccompProfile.type", path);
	_cleanup_free_ char *lp = pf_xasprintf("%s.seccompProfile.localhostProfile", path);

	if (!sp->type)
		return;
	if (!*sp->type)
		err_required(c, tp, "type is required when seccompProfile is set");
	else if (!in_set(sp->type, seccomp_types))
		err_unsupported(c, tp, sp->type, seccomp_types);
	if (strcmp(sp->type, "Localhost") == 0) {
		if (!sp->localhost_profile)
			err_required(c, lp, "must be set when seccomp type is Localhost");
		else
			validate_local_descending(c, lp, sp->localhost_profile);
	}
}

static void validate_id(struct causes *c, const char *path, bool has, int64_t id)
{
	if (has && (id < 0 || id > 4294967295LL))
		err_invalid_int(c, path, id, id_range_err);
}

static void validate_container_sc(struct vctx *v, const struct pf_container *ctr, const char *path)
{
	const struct pf_security_context *sc = &ctr->security_context;
	_cleanup_free_ char *sp = pf_xasprintf("%s.securityContext", path);
	_cleanup_free_ char *ru = pf_xasprintf("%s.runAsUser", sp);
	_cleanup_free_ char *rg = pf_xasprintf("%s.runAsGroup", sp);
	_cleanup_free_ char *pm = pf_xasprintf("%s.procMount", sp);

	validate_id(&v->c, ru, sc->has_run_as_user, sc->run_as_user);
	validate_id(&v->c, rg, sc->has_run_as_group, sc->run_as_group);
	if (sc->proc_mount) {
		if (!in_set(sc->proc_mount, proc_mounts))
			err_unsupported(&v->c, pm, sc->proc_mount, proc_mounts);
		/* podfs has no hostUsers: false, so Unmasked is never valid. */
		if (strcmp(sc->proc_mount, "Unmasked") == 0)
			err_invalid(&v->c, pm, sc->proc_mount,
				    "`hostUsers` must be false to use `Unmasked`");
	}
	validate_seccomp(&v->c, &sc->seccomp, sp);
}

static const char *const http_schemes[] = {"HTTP", "HTTPS", NULL};

static void validate_port_num_or_name(struct causes *c, const struct pf_intstr *port,
				      const char *path)
{
	if (port->is_str) {
		struct msgs m = {.n = 0};

		is_port_name(port->str ? port->str : "", &m);
		for (size_t k = 0; k < m.n; k++)
			err_invalid(c, path, port->str, m.m[k]);
	} else if (port->num < 1 || port->num > 65535) {
		err_invalid_int(c, path, port->num, port_range_err);
	}
}

static void validate_handler(struct vctx *v, const struct pf_handler *h, bool lifecycle,
			     const char *path)
{
	const struct pf_pod_spec *s = &v->pod->spec;
	_cleanup_free_ char *p = NULL;

	switch (h->kind) {
	case PF_HANDLER_EXEC:
		p = pf_xasprintf("%s.exec.command", path);
		if (h->exec_command.n == 0)
			err_required(&v->c, p, NULL);
		break;
	case PF_HANDLER_HTTP: {
		_cleanup_free_ char *pp = pf_xasprintf("%s.httpGet.path", path);
		_cleanup_free_ char *po = pf_xasprintf("%s.httpGet.port", path);
		_cleanup_free_ char *sc = pf_xasprintf("%s.httpGet.scheme", path);
		_cleanup_free_ char *hh = pf_xasprintf("%s.httpGet.httpHeaders", path);

		if (empty(h->http_path))
			err_required(&v->c, pp, NULL);
		validate_port_num_or_name(&v->c, &h->port, po);
		if (!h->http_scheme || !in_set(h->http_scheme, http_schemes))
			err_unsupported(&v->c, sc, h->http_scheme, http_schemes);
		for (size_t i = 0; i < h->n_http_headers; i++) {
			const char *n = h->http_headers[i].name ? h->http_headers[i].name : "";
			bool ok = *n != 0;

			for (const char *q = n; *q; q++)
				if (!is_alnum(*q) && *q != '-')
					ok = false;
			if (!ok)
				err_invalid(&v->c, hh, n, http_header_err);
		}
		break;
	}
	case PF_HANDLER_TCP:
		p = pf_xasprintf("%s.tcpSocket.port", path);
		validate_port_num_or_name(&v->c, &h->port, p);
		break;
	case PF_HANDLER_GRPC:
		p = pf_xasprintf("%s.grpc.port", path);
		if (lifecycle) {
			err_required(&v->c, path, "must specify a handler type");
			break;
		}
		validate_port_num_or_name(&v->c, &h->port, p);
		break;
	case PF_HANDLER_SLEEP: {
		p = pf_xasprintf("%s.sleep", path);
		if (!lifecycle) {
			err_required(&v->c, path, "must specify a handler type");
			break;
		}
		/* PodLifecycleSleepActionAllowZero is on by default. */
		if (s->has_termination_grace_period_seconds &&
		    (h->sleep_seconds < 0 ||
		     h->sleep_seconds > s->termination_grace_period_seconds)) {
			_cleanup_free_ char *d =
			    pf_xasprintf("must be non-negative and less than "
					 "terminationGracePeriodSeconds (%lld)",
					 (long long)s->termination_grace_period_seconds);

			err_invalid_int(&v->c, p, h->sleep_seconds, d);
		}
		break;
	}
	case PF_HANDLER_NONE:
		err_required(&v->c, path, "must specify a handler type");
		break;
	}
}

enum probe_kind { PROBE_LIVENESS, PROBE_READINESS, PROBE_STARTUP };

static void validate_probe(struct vctx *v, const struct pf_probe *pr, enum probe_kind kind,
			   const char *path)
{
	static const char *const names[] = {"initialDelaySeconds", "timeoutSeconds",
					    "periodSeconds", "successThreshold",
					    "failureThreshold"};
	const int32_t vals[] = {pr->initial_delay_seconds, pr->timeout_seconds, pr->period_seconds,
				pr->success_threshold, pr->failure_threshold};
	_cleanup_free_ char *tg = pf_xasprintf("%s.terminationGracePeriodSeconds", path);
	_cleanup_free_ char *st = pf_xasprintf("%s.successThreshold", path);

	if (!pr->set)
		return;
	validate_handler(v, &pr->handler, false, path);
	for (size_t i = 0; i < PF_ARRAY_SIZE(names); i++) {
		if (vals[i] < 0) {
			_cleanup_free_ char *p = pf_xasprintf("%s.%s", path, names[i]);

			err_invalid_int(&v->c, p, vals[i], nonneg_err);
		}
	}
	if (pr->has_termination_grace_period_seconds && pr->termination_grace_period_seconds <= 0)
		err_invalid_int(&v->c, tg, pr->termination_grace_period_seconds,
				"must be greater than 0");
	if (kind == PROBE_READINESS && pr->has_termination_grace_period_seconds)
		err_invalid_int(&v->c, tg, pr->termination_grace_period_seconds,
				"must not be set for readinessProbes");
	if (kind != PROBE_READINESS && pr->success_threshold != 1)
		err_invalid_int(&v->c, st, pr->success_threshold, "must be 1");
}

static void validate_lifecycle(struct vctx *v, const struct pf_lifecycle *lc, const char *path)
{
	if (lc->post_start.kind != PF_HANDLER_NONE) {
		_cleanup_free_ char *p = pf_xasprintf("%s.lifecycle.postStart", path);

		validate_handler(v, &lc->post_start, true, p);
	}
	if (lc->pre_stop.kind != PF_HANDLER_NONE) {
		_cleanup_free_ char *p = pf_xasprintf("%s.lifecycle.preStop", path);

		validate_handler(v, &lc->pre_stop, true, p);
	}
}

static bool has_lifecycle(const struct pf_container *c)
{
	return c->lifecycle.post_start.kind != PF_HANDLER_NONE ||
	       c->lifecycle.pre_stop.kind != PF_HANDLER_NONE;
}

static void validate_probes(struct vctx *v, const struct pf_container *c, const char *path)
{
	_cleanup_free_ char *lp = pf_xasprintf("%s.livenessProbe", path);
	_cleanup_free_ char *rp = pf_xasprintf("%s.readinessProbe", path);
	_cleanup_free_ char *sp = pf_xasprintf("%s.startupProbe", path);

	if (has_lifecycle(c))
		validate_lifecycle(v, &c->lifecycle, path);
	validate_probe(v, &c->liveness_probe, PROBE_LIVENESS, lp);
	validate_probe(v, &c->readiness_probe, PROBE_READINESS, rp);
	validate_probe(v, &c->startup_probe, PROBE_STARTUP, sp);
}

static const char *const tm_policies[] = {"File", "FallbackToLogsOnError", NULL};

static void validate_container_common(struct vctx *v, const struct pf_container *c,
				      const char *path)
{
	_cleanup_free_ char *np = pf_xasprintf("%s.name", path);
	_cleanup_free_ char *ip = pf_xasprintf("%s.image", path);
	_cleanup_free_ char *tp = pf_xasprintf("%s.terminationMessagePolicy", path);
	_cleanup_free_ char *pp = pf_xasprintf("%s.imagePullPolicy", path);

	if (empty(c->name)) {
		err_required(&v->c, np, NULL);
	} else {
		struct msgs m = {.n = 0};

		is_dns1123_label(c->name, &m);
		for (size_t k = 0; k < m.n; k++)
			err_invalid(&v->c, np, c->name, m.m[k]);
	}
	if (empty(c->image))
		err_required(&v->c, ip, NULL);
	if (empty(c->termination_message_policy))
		err_required(&v->c, tp, NULL);
	else if (!in_set(c->termination_message_policy, tm_policies))
		err_unsupported(&v->c, tp, c->termination_message_policy, tm_policies);
	validate_ports(v, c, path);
	validate_env(v, c, path);
	validate_mounts(v, c, path);
	if (empty(c->image_pull_policy))
		err_required(&v->c, pp, NULL);
	else if (!in_set(c->image_pull_policy, pull_policies))
		err_unsupported(&v->c, pp, c->image_pull_policy, pull_policies);
	validate_resources(v, c, path);
	validate_container_sc(v, c, path);
}

/* checkHostPortConflicts over one list of containers. */
static void host_port_conflicts(struct vctx *v, const struct pf_container *cs, size_t n,
				size_t first, const char *list)
{
	struct pf_strlist seen = {NULL, 0};

	for (size_t ci = 0; ci < n; ci++) {
		const struct pf_container *c = &cs[ci];

		for (size_t pi = 0; pi < c->n_ports; pi++) {
			const struct pf_container_port *p = &c->ports[pi];
			_cleanup_free_ char *key = NULL, *path = NULL;
			bool dup = false;

			if (p->host_port == 0)
				continue;
			key = pf_xasprintf("%s/%s/%d", p->protocol ? p->protocol : "",
					   p->host_ip ? p->host_ip : "", p->host_port);
			for (size_t k = 0; k < seen.n; k++)
				if (strcmp(seen.items[k], key) == 0)
					dup = true;
			if (!dup) {
				pf_strlist_add(&seen, key);
				continue;
			}
			path = pf_xasprintf("%s[%zu].ports[%zu].hostPort", list, first + ci, pi);
			err_duplicate(&v->c, path, key);
		}
	}
	pf_strlist_free(&seen);
}

static bool name_in(const struct pf_container *cs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cs[i].name ? cs[i].name : "", name ? name : "") == 0)
			return true;
	return false;
}

static void validate_containers(struct vctx *v)
{
	const struct pf_pod_spec *s = &v->pod->spec;

	if (s->n_containers == 0) {
		err_required(&v->c, "spec.containers", NULL);
		return;
	}
	for (size_t i = 0; i < s->n_containers; i++) {
		const struct pf_container *c = &s->containers[i];
		_cleanup_free_ char *path = pf_xasprintf("spec.containers[%zu]", i);

		validate_container_common(v, c, path);
		if (name_in(s->containers, i, c->name)) {
			_cleanup_free_ char *np = pf_xasprintf("%s.name", path);

			err_duplicate(&v->c, np, c->name);
		}
		validate_probes(v, c, path);
		if (c->restart_policy) {
			_cleanup_free_ char *rp = pf_xasprintf("%s.restartPolicy", path);

			err_forbidden(&v->c, rp, "may not be set for non-init containers");
		}
	}
	host_port_conflicts(v, s->containers, s->n_containers, 0, "spec.containers");
}

static const char *const init_restart[] = {"Always", NULL};

static void validate_init_containers(struct vctx *v)
{
	const struct pf_pod_spec *s = &v->pod->spec;
	static const char forbid[] =
	    "may not be set for init containers without restartPolicy=Always";

	for (size_t i = 0; i < s->n_init_containers; i++) {
		const struct pf_container *c = &s->init_containers[i];
		_cleanup_free_ char *path = pf_xasprintf("spec.initContainers[%zu]", i);
		bool always = false;
		bool dup = false;

		validate_container_common(v, c, path);
		if (c->restart_policy) {
			_cleanup_free_ char *rp = pf_xasprintf("%s.restartPolicy", path);

			if (!in_set(c->restart_policy, init_restart))
				err_unsupported(&v->c, rp, c->restart_policy, init_restart);
			always = strcmp(c->restart_policy, "Always") == 0;
		}
		/* Names are unique across app and init containers. */
		if (name_in(s->containers, s->n_containers, c->name))
			dup = true;
		for (size_t k = 0; k < i; k++)
			if (!empty(s->init_containers[k].name) &&
			    strcmp(s->init_containers[k].name, c->name ? c->name : "") == 0)
				dup = true;
		if (dup) {
			_cleanup_free_ char *np = pf_xasprintf("%s.name", path);

			err_duplicate(&v->c, np, c->name);
		}
		/* Init containers run one at a time: conflicts only within one. */
		host_port_conflicts(v, c, 1, i, "spec.initContainers");
		if (always) {
			validate_probes(v, c, path);
			continue;
		}
		if (has_lifecycle(c)) {
			_cleanup_free_ char *p = pf_xasprintf("%s.lifecycle", path);

			err_forbidden(&v->c, p, forbid);
		}
		if (c->liveness_probe.set) {
			_cleanup_free_ char *p = pf_xasprintf("%s.livenessProbe", path);

			err_forbidden(&v->c, p, forbid);
		}
		if (c->readiness_probe.set) {
			_cleanup_free_ char *p = pf_xasprintf("%s.readinessProbe", path);

			err_forbidden(&v->c, p, forbid);
		}
		if (c->startup_probe.set) {
			_cleanup_free_ char *p = pf_xasprintf("%s.startupProbe", path);

			err_forbidden(&v->c, p, forbid);
		}
	}
}

static const char *const restart_policies[] = {"Always", "OnFailure", "Never", NULL};
static const char *const dns_policies[] = {"ClusterFirstWithHostNet", "ClusterFirst", "Default",
					   "None", NULL};
static const char *const preemption_policies[] = {"PreemptLowerPriority", "Never", NULL};
static const char *const tol_operators[] = {"Equal", "Exists", NULL};
static const char *const taint_effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};

/* Which namespace a sysctl lives in (utilsysctl.GetNamespace). */
static bool sysctl_is_net(const char *n)
{
	return strncmp(n, "net.", 4) == 0 || strncmp(n, "net/", 4) == 0;
}

static bool sysctl_is_ipc(const char *n)
{
	return strncmp(n, "kernel.shm", 10) == 0 || strncmp(n, "kernel.msg", 10) == 0 ||
	       strcmp(n, "kernel.sem") == 0 || strncmp(n, "fs.mqueue.", 10) == 0 ||
	       strncmp(n, "kernel/shm", 10) == 0 || strncmp(n, "kernel/msg", 10) == 0 ||
	       strcmp(n, "kernel/sem") == 0 || strncmp(n, "fs/mqueue/", 10) == 0;
}

/* ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$ */
static bool valid_sysctl(const char *n)
{
	size_t len = strlen(n), start = 0;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && n[i] != '.' && n[i] != '/') {
			if (!is_lower_alnum(n[i]) && n[i] != '-' && n[i] != '_')
				return false;
			continue;
		}
		if (i == start || !is_lower_alnum(n[start]) || !is_lower_alnum(n[i - 1]))
			return false;
		start = i + 1;
	}
	return true;
}

static void validate_pod_sc(struct vctx *v)
{
	const struct pf_pod_spec *s = &v->pod->spec;
	const struct pf_pod_security_context *sc = &s->security_context;

	if (sc->has_fs_group)
		validate_id(&v->c, "spec.securityContext.fsGroup", true, sc->fs_group);
	validate_id(&v->c, "spec.securityContext.runAsUser", sc->has_run_as_user, sc->run_as_user);
	validate_id(&v->c, "spec.securityContext.runAsGroup", sc->has_run_as_group,
		    sc->run_as_group);
	for (size_t i = 0; i < sc->n_supplemental_groups; i++) {
		_cleanup_free_ char *p =
		    pf_xasprintf("spec.securityContext.supplementalGroups[%zu]", i);

		validate_id(&v->c, p, true, sc->supplemental_groups[i]);
	}
	if (s->share_process_namespace == PF_TRUE && s->host_pid == PF_TRUE)
		err_invalid_raw(&v->c, "spec.securityContext.shareProcessNamespace", "true",
				"ShareProcessNamespace and HostPID cannot both be enabled");
	for (size_t i = 0; i < sc->n_sysctls; i++) {
		const char *n = sc->sysctls[i].name ? sc->sysctls[i].name : "";
		_cleanup_free_ char *p = pf_xasprintf("spec.securityContext.sysctls[%zu].name", i);
		bool dup = false;

		for (size_t k = 0; k < i; k++)
			if (sc->sysctls[k].name && strcmp(sc->sysctls[k].name, n) == 0)
				dup = true;
		if (!*n)
			err_required(&v->c, p, NULL);
		else if (!valid_sysctl(n))
			err_invalid(&v->c, p, n,
				    "must have at most 253 characters and match regex "
				    "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*"
				    "[a-z0-9])?$");
		else if (dup)
			err_duplicate(&v->c, p, n);
		if (s->host_network == PF_TRUE && sysctl_is_net(n))
			err_invalid(&v->c, p, n, "may not be specified when 'hostNetwork' is true");
		else if (s->host_ipc == PF_TRUE && sysctl_is_ipc(n))
			err_invalid(&v->c, p, n, "may not be specified when 'hostIPC' is true");
	}
	validate_seccomp(&v->c, &sc->seccomp, "spec.securityContext");
}

static void validate_tolerations(struct vctx *v)
{
	const struct pf_pod_spec *s = &v->pod->spec;

	for (size_t i = 0; i < s->n_tolerations; i++) {
		const struct pf_toleration *t = &s->tolerations[i];
		_cleanup_free_ char *kp = pf_xasprintf("spec.tolerations[%zu].key", i);
		_cleanup_free_ char *op = pf_xasprintf("spec.tolerations[%zu].operator", i);
		_cleanup_free_ char *ep = pf_xasprintf("spec.tolerations[%zu].effect", i);
		const char *oper = t->operator_ ? t->operator_ : "";
		const char *effect = t->effect ? t->effect : "";

		if (!empty(t->key)) {
			struct owned o = {.n = 0};

			is_qualified_name(t->key, &o);
			for (size_t k = 0; k < o.n; k++)
				err_invalid(&v->c, kp, t->key, o.m[k]);
			owned_free(&o);
		}
		if (empty(t->key) && strcmp(oper, "Exists") != 0)
			err_invalid(
			    &v->c, op, oper,
			    "operator must be Exists when `key` is empty, which means \"match "
			    "all values and all keys\"");
		if (t->has_toleration_seconds && strcmp(effect, "NoExecute") != 0)
			err_invalid(&v->c, ep, effect,
				    "effect must be 'NoExecute' when `tolerationSeconds` is set");
		if (!*oper || strcmp(oper, "Equal") == 0) {
			struct msgs m = {.n = 0};

			is_label_value(t->value ? t->value : "", &m);
			if (m.n) {
				_cleanup_free_ char *joined =
				    m.n > 1 ? pf_xasprintf("%s;%s", m.m[0], m.m[1])
					    : pf_xstrdup(m.m[0]);

				err_invalid(&v->c, op, t->value, joined);
			}
		} else if (strcmp(oper, "Exists") == 0) {
			if (!empty(t->value))
				err_invalid(&v->c, op, t->value,
					    "value must be empty when `operator` is 'Exists'");
		} else {
			err_unsupported(&v->c, op, oper, tol_operators);
		}
		if (*effect && !in_set(effect, taint_effects))
			err_unsupported(&v->c, ep, effect, taint_effects);
	}
}

static void validate_spec(struct vctx *v)
{
	const struct pf_pod_spec *s = &v->pod->spec;
	struct msgs m = {.n = 0};

	if (!s->has_termination_grace_period_seconds)
		err_required(&v->c, "spec.terminationGracePeriodSeconds", NULL);
	else if (s->termination_grace_period_seconds < 0)
		err_invalid_int(&v->c, "spec.terminationGracePeriodSeconds",
				s->termination_grace_period_seconds, nonneg_err);
	validate_volumes(v);
	validate_containers(v);
	validate_init_containers(v);

	/* validatePodHostNetworkDeps */
	if (s->host_network == PF_TRUE) {
		for (size_t i = 0; i < s->n_containers; i++) {
			const struct pf_container *c = &s->containers[i];

			for (size_t k = 0; k < c->n_ports; k++) {
				_cleanup_free_ char *p =
				    pf_xasprintf("spec.containers[%zu].ports[%zu].hostPort", i, k);

				if (c->ports[k].host_port != c->ports[k].container_port)
					err_invalid_int(&v->c, p, c->ports[k].host_port,
							"must match `containerPort` when "
							"`hostNetwork` is true");
			}
		}
	}
	if (empty(s->restart_policy))
		err_required(&v->c, "spec.restartPolicy", NULL);
	else if (!in_set(s->restart_policy, restart_policies))
		err_unsupported(&v->c, "spec.restartPolicy", s->restart_policy, restart_policies);
	if (empty(s->dns_policy))
		err_required(&v->c, "spec.dnsPolicy", NULL);
	else if (!in_set(s->dns_policy, dns_policies))
		err_unsupported(&v->c, "spec.dnsPolicy", s->dns_policy, dns_policies);
	validate_label_map(&v->c, &s->node_selector, "spec.nodeSelector");
	validate_pod_sc(v);
	/* podfs has no dnsConfig, so None can never be satisfied. */
	if (s->dns_policy && strcmp(s->dns_policy, "None") == 0)
		err_required(&v->c, "spec.dnsConfig",
			     "must provide `dnsConfig` when `dnsPolicy` is None");
	if (!empty(s->service_account_name)) {
		name_is_dns_subdomain(s->service_account_name, false, &m);
		for (size_t k = 0; k < m.n; k++)
			err_invalid(&v->c, "spec.serviceAccountName", s->service_account_name,
				    m.m[k]);
		m.n = 0;
	}
	if (!empty(s->node_name)) {
		name_is_dns_subdomain(s->node_name, false, &m);
		for (size_t k = 0; k < m.n; k++)
			err_invalid(&v->c, "spec.nodeName", s->node_name, m.m[k]);
		m.n = 0;
	}
	if (s->has_active_deadline_seconds &&
	    (s->active_deadline_seconds < 1 || s->active_deadline_seconds > INT32_MAX))
		err_invalid_int(&v->c, "spec.activeDeadlineSeconds", s->active_deadline_seconds,
				"must be between 1 and 2147483647, inclusive");
	if (!empty(s->hostname)) {
		is_dns1123_label(s->hostname, &m);
		for (size_t k = 0; k < m.n; k++)
			err_invalid(&v->c, "spec.hostname", s->hostname, m.m[k]);
		m.n = 0;
	}
	if (!empty(s->subdomain)) {
		is_dns1123_label(s->subdomain, &m);
		for (size_t k = 0; k < m.n; k++)
			err_invalid(&v->c, "spec.subdomain", s->subdomain, m.m[k]);
		m.n = 0;
	}
	validate_tolerations(v);
	if (!empty(s->priority_class_name)) {
		name_is_dns_subdomain(s->priority_class_name, false, &m);
		for (size_t k = 0; k < m.n; k++)
			err_invalid(&v->c, "spec.priorityClassName", s->priority_class_name,
				    m.m[k]);
		m.n = 0;
	}
	if (s->preemption_policy) {
		if (!*s->preemption_policy)
			err_required(&v->c, "spec.preemptionPolicy", NULL);
		else if (!in_set(s->preemption_policy, preemption_policies))
			err_unsupported(&v->c, "spec.preemptionPolicy", s->preemption_policy,
					preemption_policies);
	}
}

/* validateContainersOnlyForPod */
static void validate_images_for_pod(struct vctx *v, const struct pf_container *cs, size_t n,
				    const char *list)
{
	for (size_t i = 0; i < n; i++) {
		const char *img = cs[i].image;
		size_t len;

		if (empty(img))
			continue;
		len = strlen(img);
		if (img[0] == ' ' || img[0] == '\t' || img[0] == '\n' || img[0] == '\r' ||
		    img[len - 1] == ' ' || img[len - 1] == '\t' || img[len - 1] == '\n' ||
		    img[len - 1] == '\r') {
			_cleanup_free_ char *p = pf_xasprintf("%s[%zu].image", list, i);

			err_invalid(&v->c, p, img, "must not have leading or trailing whitespace");
		}
	}
}

/* ---- Pod Security "baseline" ------------------------------------------ */

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
	if ((h->kind == PF_HANDLER_HTTP || h->kind == PF_HANDLER_TCP) && !empty(h->host)) {
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
		if (!in_set(add->items[i], baseline_caps)) {
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

			if (n && !in_set(n, safe_sysctls))
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

/* ---- the whole admission of one pod ------------------------------------ */

int pf_pod_validate(const struct pf_pod *pod, const struct pf_policy *policy, struct pf_err *err)
{
	struct vctx v = {.pod = pod, .c = {NULL, 0}};
	const char *name = pod->meta.name ? pod->meta.name : "";
	const char *ns = pod->meta.namespace_;
	const struct pf_pod_spec *s = &pod->spec;
	struct violations vs = {PF_BUF_INIT, 0};
	int32_t prio;
	int ret = 0;

	/* Mutating admission runs before validation and can refuse the pod
	 * outright: NamespaceLifecycle, ServiceAccount, Priority. */
	if (!empty(ns) && strcmp(ns, "default") != 0)
		return pf_err_set(
		    err, EINVAL,
		    "namespaces \"%s\" not found: podfs has one namespace, \"default\"", ns);
	if (!empty(s->service_account_name) && strcmp(s->service_account_name, "default") != 0)
		return pf_err_set(err, EINVAL,
				  "pods \"%s\" is forbidden: error looking up service account "
				  "default/%s: serviceaccount \"%s\" not found",
				  name, s->service_account_name, s->service_account_name);
	if (!builtin_priority(s->priority_class_name, &prio))
		return pf_err_set(
		    err, EINVAL,
		    "pods \"%s\" is forbidden: no PriorityClass with name %s was found", name,
		    s->priority_class_name);
	/* The Priority plugin computes spec.priority; a different one given
	 * by hand is refused (after defaults it holds the computed value). */
	if (s->has_priority && s->priority != prio)
		return pf_err_set(
		    err, EINVAL,
		    "pods \"%s\" is forbidden: the integer value of priority (%d) must "
		    "not be provided in pod spec; priority admission controller "
		    "computed %d from the given PriorityClass name",
		    name, (int)s->priority, (int)prio);

	validate_meta(&v);
	validate_spec(&v);
	validate_images_for_pod(&v, s->containers, s->n_containers, "spec.containers");
	validate_images_for_pod(&v, s->init_containers, s->n_init_containers,
				"spec.initContainers");

	if (v.c.n) {
		struct pf_buf b = PF_BUF_INIT;

		pf_buf_addf(&b, "The Pod \"%s\" is invalid: ", name);
		if (v.c.n > 1)
			pf_buf_addc(&b, '[');
		for (size_t i = 0; i < v.c.n; i++)
			pf_buf_addf(&b, "%s%s", i ? ", " : "", v.c.items[i]);
		if (v.c.n > 1)
			pf_buf_addc(&b, ']');
		ret = pf_err_set(err, EINVAL, "%s", b.buf);
		pf_buf_release(&b);
		causes_free(&v.c);
		return ret;
	}

	pod_security(pod, policy, &vs);
	if (vs.n)
		ret = pf_err_set(
		    err, EPERM,
		    "pods \"%s\" is forbidden: violates PodSecurity \"baseline:latest\": %s", name,
		    vs.b.buf);
	pf_buf_release(&vs.b);
	return ret;
}
