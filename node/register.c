/* SPDX-License-Identifier: Apache-2.0 */
/*
 * register.c - the node object: flags, host facts, building, merging into
 * the stored object, heartbeat.  The words and defaults are kubelet's
 * (pkg/kubelet/nodestatus, kubelet_node_status.go) so that node.yaml reads
 * like `kubectl get node -o yaml` of a kubeadm node.
 *
 * No store and no threads here: the agent decides when to write.
 */
#include "register.h"
#include "api.h"
#include "quantity.h"
#include "validate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sched.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>

/* ---- flags -------------------------------------------------------------- */

/* Split a comma-separated flag value; calls fn on each non-empty entry. */
static int each_entry(const char *flag, const char *s, void *arg,
		      int (*fn)(void *arg, const char *entry, struct pf_err *err),
		      struct pf_err *err)
{
	_cleanup_free_ char *copy = pf_xstrdup(s ? s : "");
	char *save = NULL;

	for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		while (*e == ' ')
			e++;
		if (!*e)
			continue;
		int r = fn(arg, e, err);
		if (r < 0) {
			pf_err_prefix(err, "%s: ", flag);
			return r;
		}
	}
	return 0;
}

static int capacity_entry(void *arg, const char *e, struct pf_err *err)
{
	struct pf_reslist *out = arg;
	const char *eq = strchr(e, '=');
	_cleanup_free_ char *name = NULL, *canon = NULL;
	int64_t milli;
	int r;

	if (!eq || eq == e || !eq[1])
		return pf_err_set(err, EINVAL, "\"%s\": expected name=quantity (cpu=4)", e);
	name = pf_xstrndup(e, (size_t)(eq - e));
	if (strchr(name, '/')) {
		r = pf_label_check(name, NULL, err);
		if (r < 0)
			return pf_err_set(err, EINVAL, "invalid resource name \"%s\"", name);
	} else if (strcmp(name, "cpu") && strcmp(name, "memory") && strcmp(name, "pods") &&
		   strcmp(name, "ephemeral-storage") && strncmp(name, "hugepages-", 10)) {
		return pf_err_set(err, EINVAL,
				  "unknown resource \"%s\" (cpu, memory, pods, ephemeral-storage, "
				  "hugepages-<size>, or a domain-qualified extended resource such "
				  "as example.com/gpu)",
				  name);
	}
	r = pf_quantity_parse(eq + 1, &milli, err);
	if (r < 0) {
		pf_err_prefix(err, "%s: ", name);
		return r;
	}
	if (milli < 0)
		return pf_err_set(err, EINVAL, "%s: must be greater than or equal to 0", name);
	if (strcmp(name, "cpu") != 0 && milli % 1000 != 0)
		return pf_err_set(err, EINVAL, "%s: \"%s\" is not a whole number", name, eq + 1);
	canon = pf_quantity_canonical(eq + 1, milli);
	pf_reslist_set(out, name, milli, canon);
	return 0;
}

int pf_parse_capacity(const char *s, struct pf_reslist *out, struct pf_err *err)
{
	return each_entry("--capacity", s, out, capacity_entry, err);
}

static const char *const own_labels[] = {
    PF_LABEL_HOSTNAME, PF_LABEL_OS, PF_LABEL_ARCH, PF_LABEL_OS_BETA, PF_LABEL_ARCH_BETA,
};

static int label_entry(void *arg, const char *e, struct pf_err *err)
{
	struct pf_strmap *out = arg;
	const char *eq = strchr(e, '=');
	_cleanup_free_ char *key = NULL;
	int r;

	if (!eq)
		return pf_err_set(err, EINVAL, "\"%s\": expected key=value", e);
	key = pf_xstrndup(e, (size_t)(eq - e));
	r = pf_label_check(key, eq + 1, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < PF_ARRAY_SIZE(own_labels); i++)
		if (strcmp(key, own_labels[i]) == 0)
			return pf_err_set(err, EINVAL,
					  "label \"%s\" is set by the node agent itself", key);
	pf_strmap_set(out, key, eq + 1);
	return 0;
}

int pf_parse_node_labels(const char *s, struct pf_strmap *out, struct pf_err *err)
{
	return each_entry("--node-labels", s, out, label_entry, err);
}

struct taint_acc {
	struct pf_taint **taints;
	size_t *n;
};

static int taint_entry(void *arg, const char *e, struct pf_err *err)
{
	static const char *const effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute"};
	struct taint_acc *acc = arg;
	const char *colon = strrchr(e, ':');
	_cleanup_free_ char *kv = NULL;
	char *value;
	bool effect_ok = false;
	int r;

	if (!colon)
		return pf_err_set(
		    err, EINVAL,
		    "invalid taint spec \"%s\": expected key=value:Effect or key:Effect", e);
	for (size_t i = 0; i < PF_ARRAY_SIZE(effects); i++)
		effect_ok |= strcmp(colon + 1, effects[i]) == 0;
	if (!effect_ok)
		return pf_err_set(err, EINVAL,
				  "invalid taint effect \"%s\" in \"%s\": supported values: "
				  "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
				  colon + 1, e);
	kv = pf_xstrndup(e, (size_t)(colon - e));
	value = strchr(kv, '=');
	if (value)
		*value++ = 0;
	if (!*kv)
		return pf_err_set(err, EINVAL, "invalid taint spec \"%s\": the key is empty", e);
	r = pf_label_check(kv, value ? value : "", err);
	if (r < 0) {
		pf_err_prefix(err, "taint \"%s\": ", e);
		return r;
	}
	for (size_t i = 0; i < *acc->n; i++) {
		const struct pf_taint *t = &(*acc->taints)[i];
		if (strcmp(t->key, kv) == 0 && strcmp(t->effect, colon + 1) == 0)
			return pf_err_set(err, EINVAL, "duplicate taint \"%s\" with effect %s", kv,
					  colon + 1);
	}
	*acc->taints = pf_xrealloc(*acc->taints, (*acc->n + 1) * sizeof(**acc->taints));
	(*acc->taints)[*acc->n] = (struct pf_taint){
	    .key = pf_xstrdup(kv),
	    .value = value && *value ? pf_xstrdup(value) : NULL,
	    .effect = pf_xstrdup(colon + 1),
	};
	(*acc->n)++;
	return 0;
}

int pf_parse_node_taints(const char *s, struct pf_taint **taints, size_t *n, struct pf_err *err)
{
	struct taint_acc acc = {taints, n};

	return each_entry("--node-taints", s, &acc, taint_entry, err);
}

void pf_taints_free(struct pf_taint *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].key);
		free(t[i].value);
		free(t[i].effect);
	}
	free(t);
}

/* ---- the host ----------------------------------------------------------- */

static const char *goarch(const char *machine)
{
	static const char *const map[][2] = {
	    {"x86_64", "amd64"}, {"aarch64", "arm64"}, {"armv7l", "arm"},
	    {"armv6l", "arm"},	 {"i686", "386"},      {"i386", "386"},
	};

	for (size_t i = 0; i < PF_ARRAY_SIZE(map); i++)
		if (strcmp(machine, map[i][0]) == 0)
			return map[i][1];
	return machine; /* ppc64le, s390x, riscv64 are spelled alike */
}

static int64_t meminfo_total(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	long long kb;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %lld kB", &kb) == 1)
			return kb * 1024;
	return 0;
}

static char *os_pretty_name(void)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/os-release", "re");
	char line[512];

	while (f && fgets(line, sizeof(line), f)) {
		char *v, *end;

		if (strncmp(line, "PRETTY_NAME=", 12) != 0)
			continue;
		v = line + 12;
		v[strcspn(v, "\n")] = 0;
		if (*v == '"' || *v == '\'') {
			end = strrchr(v + 1, *v);
			if (end)
				*end = 0;
			v++;
		}
		return pf_xstrdup(v);
	}
	return pf_xstrdup("Linux");
}

static char *first_ip(void)
{
	struct ifaddrs *ifs = NULL;
	char buf[INET_ADDRSTRLEN] = "127.0.0.1";

	if (getifaddrs(&ifs) == 0) {
		for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
			if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
				continue;
			if (!(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
				continue;
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, buf,
				  sizeof(buf));
			break;
		}
		freeifaddrs(ifs);
	}
	return pf_xstrdup(buf);
}

void pf_host_detect(const char *state_dir, struct pf_host_facts *h)
{
	struct utsname u;
	cpu_set_t set;
	struct statvfs vfs;
	char *mid = NULL;
	size_t len;
	long n;

	memset(h, 0, sizeof(*h));
	n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
							 : sysconf(_SC_NPROCESSORS_ONLN);
	h->cpu_milli = (n > 0 ? n : 1) * 1000;
	h->memory_bytes = meminfo_total();
	if (statvfs(state_dir && *state_dir ? state_dir : "/", &vfs) == 0 ||
	    statvfs("/", &vfs) == 0)
		h->disk_bytes = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
	h->internal_ip = first_ip();
	if (uname(&u) == 0) {
		h->kernel_version = pf_xstrdup(u.release);
		h->arch = pf_xstrdup(goarch(u.machine));
	} else {
		h->kernel_version = pf_xstrdup("");
		h->arch = pf_xstrdup("amd64");
	}
	h->os_image = os_pretty_name();
	if (pf_read_file("/etc/machine-id", 4096, &mid, &len) == 0) {
		mid[strcspn(mid, "\n")] = 0;
		h->machine_id = mid;
	} else {
		h->machine_id = pf_xstrdup("");
	}
}

void pf_host_facts_free(struct pf_host_facts *h)
{
	free(h->internal_ip);
	free(h->kernel_version);
	free(h->arch);
	free(h->os_image);
	free(h->machine_id);
	memset(h, 0, sizeof(*h));
}

/* ---- building ----------------------------------------------------------- */

static void set_bytes(struct pf_reslist *l, const char *name, int64_t bytes)
{
	_cleanup_free_ char *s = pf_quantity_format_bytes(bytes);

	pf_reslist_set(l, name, bytes * 1000, s);
}

static void add_condition(struct pf_node *n, const char *type, const char *status,
			  const char *reason, const char *message, int64_t now)
{
	struct pf_condition *c;

	n->conditions = pf_xrealloc(n->conditions, (n->n_conditions + 1) * sizeof(*c));
	c = &n->conditions[n->n_conditions++];
	*c = (struct pf_condition){
	    .type = pf_xstrdup(type),
	    .status = pf_xstrdup(status),
	    .last_probe_ms = now,
	    .last_transition_ms = now,
	    .reason = pf_xstrdup(reason),
	    .message = pf_xstrdup(message),
	};
}

static void add_address(struct pf_node *n, const char *type, const char *addr)
{
	n->addresses = pf_xrealloc(n->addresses, (n->n_addresses + 1) * sizeof(*n->addresses));
	n->addresses[n->n_addresses].type = pf_xstrdup(type);
	n->addresses[n->n_addresses].address = pf_xstrdup(addr);
	n->n_addresses++;
}

static void copy_taint(struct pf_taint *dst, const struct pf_taint *src)
{
	dst->key = pf_xstrdup(src->key);
	dst->value = src->value ? pf_xstrdup(src->value) : NULL;
	dst->effect = pf_xstrdup(src->effect);
	dst->time_added_ms = src->time_added_ms;
}

struct pf_node *pf_node_build(const struct pf_node_desc *d, int64_t now)
{
	struct pf_node *n = pf_xcalloc(1, sizeof(*n));
	const struct pf_host_facts *h = d->host;
	const struct pf_quantity *q;
	char uid[37];

	pf_uuid4(uid);
	n->meta.name = pf_xstrdup(d->name);
	n->meta.uid = pf_xstrdup(uid);
	n->meta.creation_ms = now;
	pf_strmap_set(&n->meta.labels, PF_LABEL_ARCH_BETA, h->arch);
	pf_strmap_set(&n->meta.labels, PF_LABEL_OS_BETA, "linux");
	pf_strmap_set(&n->meta.labels, PF_LABEL_ARCH, h->arch);
	pf_strmap_set(&n->meta.labels, PF_LABEL_HOSTNAME, d->name);
	pf_strmap_set(&n->meta.labels, PF_LABEL_OS, "linux");
	for (size_t i = 0; d->labels && i < d->labels->n; i++)
		pf_strmap_set(&n->meta.labels, d->labels->items[i].key, d->labels->items[i].value);

	n->pod_cidr = d->pod_cidr ? pf_xstrdup(d->pod_cidr) : NULL;
	if (d->n_taints)
		n->taints = pf_xcalloc(d->n_taints, sizeof(*n->taints));
	for (size_t i = 0; i < d->n_taints; i++) {
		copy_taint(&n->taints[i], &d->taints[i]);
		/* The API server stamps NoExecute taints with the time they came. */
		if (strcmp(n->taints[i].effect, "NoExecute") == 0 && !n->taints[i].time_added_ms)
			n->taints[i].time_added_ms = now;
	}
	n->n_taints = d->n_taints;

	/* Capacity: detected, then the flag's overrides. */
	{
		_cleanup_free_ char *cpu = pf_quantity_format_milli(h->cpu_milli);
		pf_reslist_set(&n->capacity, "cpu", h->cpu_milli, cpu);
	}
	set_bytes(&n->capacity, "ephemeral-storage", h->disk_bytes);
	pf_reslist_set(&n->capacity, "hugepages-1Gi", 0, "0");
	pf_reslist_set(&n->capacity, "hugepages-2Mi", 0, "0");
	set_bytes(&n->capacity, "memory", h->memory_bytes);
	{
		_cleanup_free_ char *pods = pf_xasprintf("%d", PF_DEFAULT_MAX_PODS);
		pf_reslist_set(&n->capacity, "pods", PF_DEFAULT_MAX_PODS * 1000LL, pods);
	}
	for (size_t i = 0; d->capacity && i < d->capacity->n; i++)
		pf_reslist_set(&n->capacity, d->capacity->items[i].name,
			       d->capacity->items[i].q.milli, d->capacity->items[i].q.str);

	/* Allocatable: capacity minus kubelet's default hard eviction
	 * thresholds (no kube/system reservations by default). */
	for (size_t i = 0; i < n->capacity.n; i++) {
		const struct pf_resource *r = &n->capacity.items[i];
		pf_reslist_set(&n->allocatable, r->name, r->q.milli, r->q.str);
	}
	if ((q = pf_reslist_get(&n->capacity, "memory"))) {
		int64_t b = q->milli / 1000 - PF_EVICTION_MEMORY_BYTES;
		set_bytes(&n->allocatable, "memory", b > 0 ? b : 0);
	}
	if ((q = pf_reslist_get(&n->capacity, "ephemeral-storage"))) {
		int64_t b = q->milli / 1000;
		_cleanup_free_ char *s = pf_xasprintf("%lld", (long long)(b - b / 10));
		pf_reslist_set(&n->allocatable, "ephemeral-storage", (b - b / 10) * 1000, s);
	}

	add_condition(n, "MemoryPressure", "False", "KubeletHasSufficientMemory",
		      "kubelet has sufficient memory available", now);
	add_condition(n, "DiskPressure", "False", "KubeletHasNoDiskPressure",
		      "kubelet has no disk pressure", now);
	add_condition(n, "PIDPressure", "False", "KubeletHasSufficientPID",
		      "kubelet has sufficient PID available", now);
	if (d->not_ready) {
		_cleanup_free_ char *msg =
		    pf_xasprintf("container runtime is down: %s", d->not_ready);
		add_condition(n, "Ready", "False", "KubeletNotReady", msg, now);
	} else {
		_cleanup_free_ char *msg =
		    d->ready_note
			? pf_xasprintf("kubelet is posting ready status; %s", d->ready_note)
			: pf_xstrdup("kubelet is posting ready status");
		add_condition(n, "Ready", "True", "KubeletReady", msg, now);
	}
	add_address(n, "InternalIP", h->internal_ip);
	add_address(n, "Hostname", d->name);

	n->os = pf_xstrdup("linux");
	n->arch = pf_xstrdup(h->arch);
	n->kernel_version = pf_xstrdup(h->kernel_version);
	n->os_image = pf_xstrdup(h->os_image);
	n->container_runtime_version = pf_xstrdup(d->runtime_version);
	n->kubelet_version = pf_xstrdup(d->kubelet_version);
	n->machine_id = pf_xstrdup(h->machine_id);
	return n;
}

/* ---- merging ------------------------------------------------------------ */

static bool cond_true(const struct pf_node *n, const char *type)
{
	const struct pf_condition *c = pf_condition_find(n->conditions, n->n_conditions, type);

	return c && c->status && strcmp(c->status, "True") == 0;
}

static void replace_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? pf_xstrdup(src) : NULL;
}

static void copy_reslist(struct pf_reslist *dst, const struct pf_reslist *src)
{
	pf_reslist_free(dst);
	for (size_t i = 0; i < src->n; i++)
		pf_reslist_set(dst, src->items[i].name, src->items[i].q.milli, src->items[i].q.str);
}

bool pf_node_merge(struct pf_node *cur, const struct pf_node *fresh, int64_t now)
{
	bool fresh_ready = cond_true(fresh, "Ready");
	bool became_ready = fresh_ready && !cond_true(cur, "Ready");
	struct pf_condition *conds;
	size_t k = 0;

	for (size_t i = 0; i < fresh->meta.labels.n; i++)
		pf_strmap_set(&cur->meta.labels, fresh->meta.labels.items[i].key,
			      fresh->meta.labels.items[i].value);

	/* Taints: the controller's go once the node is Ready again; ours are
	 * added when missing; anybody else's stay. */
	for (size_t i = 0; i < cur->n_taints; i++) {
		struct pf_taint *t = &cur->taints[i];
		if (fresh_ready && (strcmp(t->key, PF_TAINT_UNREACHABLE) == 0 ||
				    strcmp(t->key, PF_TAINT_NOT_READY) == 0)) {
			free(t->key);
			free(t->value);
			free(t->effect);
			continue;
		}
		cur->taints[k++] = *t;
	}
	cur->n_taints = k;
	for (size_t i = 0; i < fresh->n_taints; i++) {
		const struct pf_taint *f = &fresh->taints[i];
		bool have = false;

		for (size_t j = 0; j < cur->n_taints; j++)
			have |= strcmp(cur->taints[j].key, f->key) == 0 &&
				strcmp(cur->taints[j].effect, f->effect) == 0;
		if (have)
			continue;
		cur->taints = pf_xrealloc(cur->taints, (cur->n_taints + 1) * sizeof(*cur->taints));
		copy_taint(&cur->taints[cur->n_taints++], f);
	}
	if (!cur->n_taints) {
		free(cur->taints);
		cur->taints = NULL;
	}
	if (!cur->pod_cidr && fresh->pod_cidr)
		cur->pod_cidr = pf_xstrdup(fresh->pod_cidr);

	copy_reslist(&cur->capacity, &fresh->capacity);
	copy_reslist(&cur->allocatable, &fresh->allocatable);

	conds = pf_xcalloc(fresh->n_conditions, sizeof(*conds));
	for (size_t i = 0; i < fresh->n_conditions; i++) {
		const struct pf_condition *f = &fresh->conditions[i];
		const struct pf_condition *old =
		    pf_condition_find(cur->conditions, cur->n_conditions, f->type);

		conds[i] = (struct pf_condition){
		    .type = pf_xstrdup(f->type),
		    .status = pf_xstrdup(f->status),
		    .last_probe_ms = now,
		    .last_transition_ms = old && old->status && strcmp(old->status, f->status) == 0
					      ? old->last_transition_ms
					      : now,
		    .reason = f->reason ? pf_xstrdup(f->reason) : NULL,
		    .message = f->message ? pf_xstrdup(f->message) : NULL,
		};
	}
	for (size_t i = 0; i < cur->n_conditions; i++)
		pf_condition_free(&cur->conditions[i]);
	free(cur->conditions);
	cur->conditions = conds;
	cur->n_conditions = fresh->n_conditions;

	for (size_t i = 0; i < cur->n_addresses; i++) {
		free(cur->addresses[i].type);
		free(cur->addresses[i].address);
	}
	free(cur->addresses);
	cur->addresses =
	    pf_xcalloc(fresh->n_addresses ? fresh->n_addresses : 1, sizeof(*cur->addresses));
	for (size_t i = 0; i < fresh->n_addresses; i++) {
		cur->addresses[i].type = pf_xstrdup(fresh->addresses[i].type);
		cur->addresses[i].address = pf_xstrdup(fresh->addresses[i].address);
	}
	cur->n_addresses = fresh->n_addresses;

	replace_str(&cur->os, fresh->os);
	replace_str(&cur->arch, fresh->arch);
	replace_str(&cur->kernel_version, fresh->kernel_version);
	replace_str(&cur->os_image, fresh->os_image);
	replace_str(&cur->container_runtime_version, fresh->container_runtime_version);
	replace_str(&cur->kubelet_version, fresh->kubelet_version);
	replace_str(&cur->machine_id, fresh->machine_id);
	return became_ready;
}

const char *pf_node_internal_ip(const struct pf_node *n)
{
	for (size_t i = 0; i < n->n_addresses; i++)
		if (n->addresses[i].type && strcmp(n->addresses[i].type, "InternalIP") == 0)
			return n->addresses[i].address;
	return NULL;
}
