/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bundle.c - config.json for one container (bundle.h).
 *
 * The defaults are a container engine's (containerd's and CRI-O's), so a
 * pod behaves here as it would on a cluster: the 14 default capabilities,
 * no_new_privs unless allowPrivilegeEscalation is true, the masked and
 * read-only /proc paths, and a RuntimeDefault seccomp profile that refuses
 * the syscalls Docker's default profile refuses.  Tables, not code, hold
 * those lists.  Nothing here touches the system.
 */
#include "bundle.h"
#include "quantity.h"

#include <errno.h>
#include <unistd.h>

/* containerd's and Docker's default capability set. */
static const char *const default_caps[] = {
    "CAP_AUDIT_WRITE", "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",	"CAP_FSETID",
    "CAP_KILL",	       "CAP_MKNOD",   "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",	"CAP_SETFCAP",
    "CAP_SETGID",      "CAP_SETPCAP", "CAP_SETUID",	      "CAP_SYS_CHROOT",
};

static const char *const all_caps[] = {
    "CAP_AUDIT_CONTROL",   "CAP_AUDIT_READ",   "CAP_AUDIT_WRITE",
    "CAP_BLOCK_SUSPEND",   "CAP_BPF",	       "CAP_CHECKPOINT_RESTORE",
    "CAP_CHOWN",	   "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",	   "CAP_FSETID",       "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",	   "CAP_KILL",	       "CAP_LEASE",
    "CAP_LINUX_IMMUTABLE", "CAP_MAC_ADMIN",    "CAP_MAC_OVERRIDE",
    "CAP_MKNOD",	   "CAP_NET_ADMIN",    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",   "CAP_NET_RAW",      "CAP_PERFMON",
    "CAP_SETFCAP",	   "CAP_SETGID",       "CAP_SETPCAP",
    "CAP_SETUID",	   "CAP_SYSLOG",       "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",	   "CAP_SYS_CHROOT",   "CAP_SYS_MODULE",
    "CAP_SYS_NICE",	   "CAP_SYS_PACCT",    "CAP_SYS_PTRACE",
    "CAP_SYS_RAWIO",	   "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",  "CAP_WAKE_ALARM",
};

/* containerd's defaults (oci/spec.go). */
static const char *const masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/*
 * RuntimeDefault: allow by default, refuse with EPERM what Docker's default
 * profile does not allow (kernel modules, clocks, keyrings, mounts and
 * namespaces, tracing other processes, reboot, swap, BPF, perf ...).  A
 * syscall whose capability the container was given is allowed, as Docker's
 * profile does for CAP_SYS_ADMIN, CAP_SYS_TIME and the others.
 */
static const struct {
	const char *name;
	const char *unless_cap;
} seccomp_denied[] = {
    {"acct", "CAP_SYS_PACCT"},
    {"add_key", NULL},
    {"bpf", "CAP_SYS_ADMIN"},
    {"clock_adjtime", "CAP_SYS_TIME"},
    {"clock_settime", "CAP_SYS_TIME"},
    {"create_module", NULL},
    {"delete_module", "CAP_SYS_MODULE"},
    {"finit_module", "CAP_SYS_MODULE"},
    {"fsconfig", "CAP_SYS_ADMIN"},
    {"fsmount", "CAP_SYS_ADMIN"},
    {"fsopen", "CAP_SYS_ADMIN"},
    {"fspick", "CAP_SYS_ADMIN"},
    {"get_kernel_syms", NULL},
    {"get_mempolicy", "CAP_SYS_NICE"},
    {"init_module", "CAP_SYS_MODULE"},
    {"ioperm", "CAP_SYS_RAWIO"},
    {"iopl", "CAP_SYS_RAWIO"},
    {"kcmp", "CAP_SYS_PTRACE"},
    {"kexec_file_load", "CAP_SYS_BOOT"},
    {"kexec_load", "CAP_SYS_BOOT"},
    {"keyctl", NULL},
    {"lookup_dcookie", "CAP_SYS_ADMIN"},
    {"mbind", "CAP_SYS_NICE"},
    {"mount", "CAP_SYS_ADMIN"},
    {"mount_setattr", "CAP_SYS_ADMIN"},
    {"move_mount", "CAP_SYS_ADMIN"},
    {"move_pages", "CAP_SYS_NICE"},
    {"name_to_handle_at", "CAP_DAC_READ_SEARCH"},
    {"nfsservctl", NULL},
    {"open_by_handle_at", "CAP_DAC_READ_SEARCH"},
    {"open_tree", "CAP_SYS_ADMIN"},
    {"perf_event_open", "CAP_PERFMON"},
    {"pivot_root", "CAP_SYS_ADMIN"},
    {"process_vm_readv", "CAP_SYS_PTRACE"},
    {"process_vm_writev", "CAP_SYS_PTRACE"},
    {"ptrace", "CAP_SYS_PTRACE"},
    {"query_module", NULL},
    {"quotactl", "CAP_SYS_ADMIN"},
    {"reboot", "CAP_SYS_BOOT"},
    {"request_key", NULL},
    {"set_mempolicy", "CAP_SYS_NICE"},
    {"setdomainname", "CAP_SYS_ADMIN"},
    {"sethostname", "CAP_SYS_ADMIN"},
    {"setns", "CAP_SYS_ADMIN"},
    {"settimeofday", "CAP_SYS_TIME"},
    {"swapoff", "CAP_SYS_ADMIN"},
    {"swapon", "CAP_SYS_ADMIN"},
    {"syslog", "CAP_SYSLOG"},
    {"umount2", "CAP_SYS_ADMIN"},
    {"unshare", "CAP_SYS_ADMIN"},
    {"uselib", NULL},
    {"userfaultfd", NULL},
    {"ustat", NULL},
    {"vhangup", "CAP_SYS_TTY_CONFIG"},
};

size_t pf_bundle_seccomp_denied(const char *const **names)
{
	static const char *v[PF_ARRAY_SIZE(seccomp_denied)];

	for (size_t i = 0; i < PF_ARRAY_SIZE(seccomp_denied); i++)
		v[i] = seccomp_denied[i].name;
	*names = v;
	return PF_ARRAY_SIZE(v);
}

static bool is_true(enum pf_tri t)
{
	return t == PF_TRUE;
}

static bool privileged(const struct pf_container *c)
{
	return c->security_context.set && is_true(c->security_context.privileged);
}

/* ---- args and env ---------------------------------------------------- */

static const char *env_lookup(const struct pf_strlist *env, const char *name, size_t n)
{
	if (!env)
		return NULL;
	/* The last definition wins, as in the container. */
	for (size_t i = env->n; i-- > 0;) {
		const char *kv = env->items[i];
		if (strncmp(kv, name, n) == 0 && kv[n] == '=')
			return kv + n + 1;
	}
	return NULL;
}

static bool var_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

char *pf_bundle_expand(const char *s, const struct pf_strlist *env)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_adds(&b, "");
	for (const char *p = s; *p;) {
		if (p[0] != '$') {
			pf_buf_addc(&b, *p++);
			continue;
		}
		if (p[1] == '$') { /* $$ is a literal $, so $$(X) stays $(X) */
			pf_buf_addc(&b, '$');
			p += 2;
			continue;
		}
		if (p[1] == '(') {
			const char *q = p + 2;
			while (*q && var_char(*q))
				q++;
			if (*q == ')' && q > p + 2) {
				const char *v = env_lookup(env, p + 2, (size_t)(q - p - 2));
				if (v)
					pf_buf_adds(&b, v);
				else
					pf_buf_add(&b, p, (size_t)(q - p + 1));
				p = q + 1;
				continue;
			}
		}
		pf_buf_addc(&b, *p++);
	}
	return pf_buf_detach(&b, NULL);
}

int pf_bundle_args(const struct pf_container *c, const struct pf_image *img,
		   const struct pf_strlist *env, struct pf_strlist *out, struct pf_err *err)
{
	const struct pf_strlist *first, *second;
	static const struct pf_strlist none = {0};

	memset(out, 0, sizeof(*out));
	if (c->command.n) {
		first = &c->command;
		second = &c->args;
	} else {
		first = img ? &img->entrypoint : &none;
		second = c->args.n ? &c->args : img ? &img->cmd : &none;
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct pf_strlist *l = pass ? second : first;
		/* Only the pod's own strings are expanded: the image's are
		 * taken as they are, as kubelet never sees them. */
		bool expand = l == &c->command || l == &c->args;
		for (size_t i = 0; i < l->n; i++) {
			if (expand) {
				char *x = pf_bundle_expand(l->items[i], env);
				pf_strlist_add(out, x);
				free(x);
			} else {
				pf_strlist_add(out, l->items[i]);
			}
		}
	}
	if (!out->n)
		return pf_err_set(err, EINVAL, "no command specified");
	return 0;
}

static const char *label_key(const char *path, const char *prefix, char *key, size_t size)
{
	size_t n = strlen(prefix);
	size_t len;

	if (strncmp(path, prefix, n) != 0)
		return NULL;
	path += n;
	len = strlen(path);
	/* metadata.labels['k'] */
	if (len < 4 || path[0] != '[' || path[len - 1] != ']' || len - 4 >= size)
		return NULL;
	if (!((path[1] == '\'' && path[len - 2] == '\'') ||
	      (path[1] == '"' && path[len - 2] == '"')))
		return NULL;
	memcpy(key, path + 2, len - 4);
	key[len - 4] = 0;
	return key;
}

static void map_text(struct pf_buf *b, const struct pf_strmap *m)
{
	/* The downward API's form: k="v" lines, sorted. */
	const char **keys = pf_xcalloc(m->n ? m->n : 1, sizeof(*keys));

	for (size_t i = 0; i < m->n; i++)
		keys[i] = m->items[i].key;
	for (size_t i = 1; i < m->n; i++)
		for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *t = keys[j];
			keys[j] = keys[j - 1];
			keys[j - 1] = t;
		}
	for (size_t i = 0; i < m->n; i++)
		pf_buf_addf(b, "%s%s=\"%s\"", i ? "\n" : "", keys[i], pf_strmap_get(m, keys[i]));
	free(keys);
}

static int field_ref(const struct pf_bundle_in *in, const char *path, char **out,
		     struct pf_err *err)
{
	const struct pf_pod *pod = in->pod;
	char key[256];
	const char *v = NULL;
	struct pf_buf b = PF_BUF_INIT;

	if (strcmp(path, "metadata.name") == 0)
		v = pod->meta.name;
	else if (strcmp(path, "metadata.namespace") == 0)
		v = pod->meta.namespace_ ? pod->meta.namespace_ : "default";
	else if (strcmp(path, "metadata.uid") == 0)
		v = pod->meta.uid;
	else if (strcmp(path, "spec.nodeName") == 0)
		v = pod->spec.node_name;
	else if (strcmp(path, "spec.serviceAccountName") == 0)
		v = pod->spec.service_account_name ? pod->spec.service_account_name : "default";
	else if (strcmp(path, "status.podIP") == 0 || strcmp(path, "status.podIPs") == 0)
		v = in->pod_ip;
	else if (strcmp(path, "status.hostIP") == 0 || strcmp(path, "status.hostIPs") == 0)
		v = in->host_ip;
	else if (label_key(path, "metadata.labels", key, sizeof(key)))
		v = pf_strmap_get(&pod->meta.labels, key);
	else if (label_key(path, "metadata.annotations", key, sizeof(key)))
		v = pf_strmap_get(&pod->meta.annotations, key);
	else if (strcmp(path, "metadata.labels") == 0)
		map_text(&b, &pod->meta.labels);
	else if (strcmp(path, "metadata.annotations") == 0)
		map_text(&b, &pod->meta.annotations);
	else
		return pf_err_set(err, EINVAL, "unsupported fieldRef fieldPath \"%s\"", path);
	if (b.buf) {
		*out = pf_buf_detach(&b, NULL);
		return 0;
	}
	*out = pf_xstrdup(v ? v : "");
	return 0;
}

/* resourceFieldRef: limits.cpu/memory and requests.cpu/memory with the
 * divisor, rounded up as the downward API does.  An unset limit is the
 * node's capacity (here: the machine's). */
static char *resource_ref(const struct pf_bundle_in *in, const struct pf_env_var *e)
{
	const struct pf_container *c = in->c;
	const char *r = e->resource_ref;
	bool limits = strncmp(r, "limits.", 7) == 0;
	const char *name = strchr(r, '.') ? strchr(r, '.') + 1 : r;
	const struct pf_quantity *q =
	    pf_reslist_get(limits ? &c->resources.limits : &c->resources.requests, name);
	int64_t milli = q ? q->milli : 0;
	int64_t div = e->resource_ref_divisor.str ? e->resource_ref_divisor.milli : 1000;

	if (!q && limits) {
		if (strcmp(name, "cpu") == 0)
			milli = sysconf(_SC_NPROCESSORS_ONLN) * 1000;
		else if (strcmp(name, "memory") == 0)
			milli = (int64_t)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) * 1000;
	}
	if (div <= 0)
		div = 1000;
	return pf_xasprintf("%lld", (long long)((milli + div - 1) / div));
}

static void env_set(struct pf_strlist *env, const char *name, const char *value)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->items[i], name, n) == 0 && env->items[i][n] == '=') {
			free(env->items[i]);
			env->items[i] = pf_xasprintf("%s=%s", name, value);
			return;
		}
	char *kv = pf_xasprintf("%s=%s", name, value);
	pf_strlist_add(env, kv);
	free(kv);
}

int pf_bundle_env(const struct pf_bundle_in *in, struct pf_strlist *out, struct pf_err *err)
{
	const struct pf_container *c = in->c;
	struct pf_strlist pod_env = {0};
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (in->img)
		for (size_t i = 0; i < in->img->env.n; i++) {
			const char *eq = strchr(in->img->env.items[i], '=');
			_cleanup_free_ char *k = NULL;
			if (!eq)
				continue;
			k = pf_xstrndup(in->img->env.items[i],
					(size_t)(eq - in->img->env.items[i]));
			env_set(out, k, eq + 1);
		}
	for (size_t i = 0; i < c->n_env && r == 0; i++) {
		const struct pf_env_var *e = &c->env[i];
		_cleanup_free_ char *v = NULL;

		if (e->field_ref_path)
			r = field_ref(in, e->field_ref_path, &v, err);
		else if (e->resource_ref)
			v = resource_ref(in, e);
		else
			v = pf_bundle_expand(e->value ? e->value : "", &pod_env);
		if (r < 0)
			break;
		env_set(&pod_env, e->name, v);
		env_set(out, e->name, v);
	}
	pf_strlist_free(&pod_env);
	if (r < 0) {
		pf_strlist_free(out);
		return r;
	}
	if (!env_lookup(out, "PATH", 4))
		env_set(out, "PATH",
			"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (!env_lookup(out, "HOSTNAME", 8) && in->pod && in->pod->meta.name)
		env_set(out, "HOSTNAME",
			in->pod->spec.hostname ? in->pod->spec.hostname : in->pod->meta.name);
	return 0;
}

/* ---- capabilities and user --------------------------------------------- */

static bool cap_eq(const char *a, const char *b)
{
	if (strncasecmp(a, "CAP_", 4) == 0)
		a += 4;
	if (strncasecmp(b, "CAP_", 4) == 0)
		b += 4;
	return strcasecmp(a, b) == 0;
}

static bool list_has_cap(const struct pf_strlist *l, const char *cap)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->items[i], "ALL") == 0 || cap_eq(l->items[i], cap))
			return true;
	return false;
}

void pf_bundle_caps(const struct pf_container *c, struct pf_strlist *out)
{
	const struct pf_capabilities *cp = &c->security_context.capabilities;
	bool priv = privileged(c);

	memset(out, 0, sizeof(*out));
	/* all_caps is sorted, so the result is too. */
	for (size_t i = 0; i < PF_ARRAY_SIZE(all_caps); i++) {
		const char *cap = all_caps[i];
		bool in = priv;

		for (size_t k = 0; !in && k < PF_ARRAY_SIZE(default_caps); k++)
			in = strcmp(default_caps[k], cap) == 0;
		if (!priv && c->security_context.set) {
			if (list_has_cap(&cp->drop, cap))
				in = false;
			if (list_has_cap(&cp->add, cap))
				in = true;
		}
		if (in)
			pf_strlist_add(out, cap);
	}
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Look name (or a number) up in rootfs/etc/passwd (field 2: uid, 3: gid)
 * or /etc/group (field 2: gid). */
static int lookup(const char *rootfs, const char *file, const char *name, int64_t *id, int64_t *gid)
{
	_cleanup_free_ char *path = pf_xasprintf("%s/etc/%s", rootfs ? rootfs : "", file);
	_cleanup_fclose_ FILE *f = rootfs ? fopen(path, "re") : NULL;
	char line[1024];

	while (f && fgets(line, sizeof(line), f)) {
		char *fields[4] = {0}, *p = line;
		int n = 0;

		for (char *t; n < 4 && (t = strsep(&p, ":\n")); n++)
			fields[n] = t;
		if (n < 3 || strcmp(fields[0], name) != 0)
			continue;
		*id = strtoll(fields[2], NULL, 10);
		if (gid && n >= 4)
			*gid = strtoll(fields[3], NULL, 10);
		return 0;
	}
	return -ENOENT;
}

int pf_bundle_user(const struct pf_bundle_in *in, int64_t *uid, int64_t *gid, struct pf_err *err)
{
	const struct pf_security_context *sc = &in->c->security_context;
	const struct pf_pod_security_context *psc = &in->pod->spec.security_context;
	const char *user = in->img && in->img->user && *in->img->user ? in->img->user : NULL;
	bool have_uid = false, have_gid = false;

	*uid = 0;
	*gid = 0;
	if (sc->set && sc->has_run_as_user) {
		*uid = sc->run_as_user;
		have_uid = true;
	} else if (psc->has_run_as_user) {
		*uid = psc->run_as_user;
		have_uid = true;
	}
	if (sc->set && sc->has_run_as_group) {
		*gid = sc->run_as_group;
		have_gid = true;
	} else if (psc->has_run_as_group) {
		*gid = psc->run_as_group;
		have_gid = true;
	}
	if (!have_uid && user) {
		_cleanup_free_ char *u = pf_xstrdup(user);
		char *g = strchr(u, ':');
		int64_t pw_gid = 0;

		if (g)
			*g++ = 0;
		if (all_digits(u)) {
			*uid = strtoll(u, NULL, 10);
		} else if (lookup(in->rootfs, "passwd", u, uid, &pw_gid) < 0) {
			return pf_err_set(err, EINVAL,
					  "unable to find user %s: no matching entries in passwd "
					  "file",
					  u);
		} else if (!have_gid && !g) {
			*gid = pw_gid;
		}
		if (g && !have_gid) {
			if (all_digits(g))
				*gid = strtoll(g, NULL, 10);
			else if (lookup(in->rootfs, "group", g, gid, NULL) < 0)
				return pf_err_set(err, EINVAL,
						  "unable to find group %s: no matching entries in "
						  "group file",
						  g);
		}
	}
	if (*uid < 0 || *gid < 0 || *uid > 0xfffffffeLL || *gid > 0xfffffffeLL)
		return pf_err_set(err, EINVAL, "user %lld:%lld out of range", (long long)*uid,
				  (long long)*gid);
	return 0;
}

/* ---- the document ------------------------------------------------------ */

static json_t *strarr(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *list_json(const struct pf_strlist *l)
{
	return strarr((const char *const *)l->items, l->n);
}

static void add_mount(json_t *mounts, const char *dest, const char *type, const char *src,
		      const char *const *opts, size_t n)
{
	json_t *m = json_object();

	json_object_set_new(m, "destination", json_string(dest));
	json_object_set_new(m, "type", json_string(type));
	json_object_set_new(m, "source", json_string(src));
	json_object_set_new(m, "options", strarr(opts, n));
	json_array_append_new(mounts, m);
}

#define MOUNT(ms, d, t, s, ...)                                                                    \
	do {                                                                                       \
		static const char *const o_[] = {__VA_ARGS__};                                     \
		add_mount(ms, d, t, s, o_, PF_ARRAY_SIZE(o_));                                     \
	} while (0)

static const struct pf_volume *find_volume(const struct pf_pod *pod, const char *name)
{
	for (size_t i = 0; i < pod->spec.n_volumes; i++)
		if (strcmp(pod->spec.volumes[i].name, name) == 0)
			return &pod->spec.volumes[i];
	return NULL;
}

static bool mounted_at(const struct pf_container *c, const char *path)
{
	for (size_t i = 0; i < c->n_volume_mounts; i++)
		if (strcmp(c->volume_mounts[i].mount_path, path) == 0)
			return true;
	return false;
}

static int volume_mounts(const struct pf_bundle_in *in, json_t *mounts, struct pf_err *err)
{
	const struct pf_container *c = in->c;

	for (size_t i = 0; i < c->n_volume_mounts; i++) {
		const struct pf_volume_mount *vm = &c->volume_mounts[i];
		const struct pf_volume *v = find_volume(in->pod, vm->name);
		_cleanup_free_ char *src = NULL;
		bool ro = is_true(vm->read_only);
		const char *opts[3] = {"rbind", ro ? "ro" : "rw", "rprivate"};

		if (!v)
			return pf_err_set(err, EINVAL, "volumeMounts[%zu]: no volume named \"%s\"",
					  i, vm->name);
		if (v->kind == PF_VOLUME_HOSTPATH) {
			if (!in->allow_host_paths)
				return pf_err_set(err, EPERM,
						  "hostPath volume \"%s\" is not allowed on this "
						  "node (podfs --allow-host-paths)",
						  v->name);
			src = pf_xstrdup(v->host_path);
		} else {
			src = pf_xasprintf("%s/%s", in->volumes_dir, v->name);
		}
		if (vm->sub_path && *vm->sub_path) {
			if (strstr(vm->sub_path, "..") || vm->sub_path[0] == '/')
				return pf_err_set(err, EINVAL,
						  "subPath \"%s\" must be a relative path without "
						  "'..'",
						  vm->sub_path);
			char *s = pf_xasprintf("%s/%s", src, vm->sub_path);
			free(src);
			src = s;
		}
		add_mount(mounts, vm->mount_path, "bind", src, opts, 3);
	}
	return 0;
}

static json_t *resources(const struct pf_container *c)
{
	json_t *r = json_object(), *cpu = json_object(), *mem = json_object();
	const struct pf_quantity *lm = pf_reslist_get(&c->resources.limits, "memory");
	const struct pf_quantity *lc = pf_reslist_get(&c->resources.limits, "cpu");
	const struct pf_quantity *rc = pf_reslist_get(&c->resources.requests, "cpu");
	json_t *devices = json_array(), *deny = json_object();

	/* Deny every device; the runtime adds the default ones (null, zero,
	 * full, tty, random, urandom, ptmx, pts). */
	json_object_set_new(deny, "allow", json_false());
	json_object_set_new(deny, "access", json_string("rwm"));
	json_array_append_new(devices, deny);
	json_object_set_new(r, "devices", devices);
	if (lm && lm->milli > 0)
		json_object_set_new(mem, "limit", json_integer(lm->milli / 1000));
	/* kubelet's conversions (cm/helpers_linux.go). */
	if (lc && lc->milli > 0) {
		int64_t quota = lc->milli * 100000 / 1000;
		json_object_set_new(cpu, "quota", json_integer(quota < 1000 ? 1000 : quota));
		json_object_set_new(cpu, "period", json_integer(100000));
	}
	{
		int64_t req = rc ? rc->milli : lc ? lc->milli : 0;
		int64_t shares = req * 1024 / 1000;
		json_object_set_new(cpu, "shares", json_integer(shares < 2 ? 2 : shares));
	}
	json_object_set_new(r, "cpu", cpu);
	if (json_object_size(mem))
		json_object_set_new(r, "memory", mem);
	else
		json_decref(mem);
	return r;
}

static bool wants_seccomp(const struct pf_bundle_in *in)
{
	const struct pf_seccomp_profile *sp = &in->c->security_context.seccomp;
	const char *type = in->c->security_context.set && sp->type ? sp->type : NULL;

	if (!type)
		type = in->pod->spec.security_context.seccomp.type;
	if (privileged(in->c))
		return false;
	/* Unset means RuntimeDefault here, as with kubelet's --seccomp-default. */
	return !type || strcmp(type, "Unconfined") != 0;
}

static json_t *seccomp(const struct pf_strlist *caps)
{
	static const char *const arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
	json_t *s = json_object(), *names = json_array(), *rule = json_object(),
	       *rules = json_array();

	for (size_t i = 0; i < PF_ARRAY_SIZE(seccomp_denied); i++) {
		const char *cap = seccomp_denied[i].unless_cap;
		bool has = false;
		for (size_t k = 0; cap && k < caps->n && !has; k++)
			has = strcmp(caps->items[k], cap) == 0;
		if (!has)
			json_array_append_new(names, json_string(seccomp_denied[i].name));
	}
	json_object_set_new(s, "defaultAction", json_string("SCMP_ACT_ALLOW"));
	json_object_set_new(s, "architectures", strarr(arches, PF_ARRAY_SIZE(arches)));
	json_object_set_new(rule, "names", names);
	json_object_set_new(rule, "action", json_string("SCMP_ACT_ERRNO"));
	json_object_set_new(rule, "errnoRet", json_integer(EPERM));
	json_array_append_new(rules, rule);
	json_object_set_new(s, "syscalls", rules);
	return s;
}

static void add_ns(json_t *nss, const char *type, const char *path)
{
	json_t *n = json_object();

	json_object_set_new(n, "type", json_string(type));
	if (path)
		json_object_set_new(n, "path", json_string(path));
	json_array_append_new(nss, n);
}

int pf_bundle_config(const struct pf_bundle_in *in, json_t **out, struct pf_err *err)
{
	const struct pf_container *c = in->c;
	const struct pf_security_context *sc = &c->security_context;
	struct pf_strlist env = {0}, args = {0}, caps = {0};
	int64_t uid = 0, gid = 0;
	json_t *cfg = NULL, *proc, *user, *capj, *root, *mounts, *linux_, *nss;
	bool priv = privileged(c);
	int r;

	*out = NULL;
	if (priv && !in->allow_privileged)
		return pf_err_set(err, EPERM,
				  "privileged container \"%s\" is not allowed on this node (podfs "
				  "--allow-privileged)",
				  c->name);
	r = pf_bundle_env(in, &env, err);
	if (r >= 0)
		r = pf_bundle_args(c, in->img, &env, &args, err);
	if (r >= 0)
		r = pf_bundle_user(in, &uid, &gid, err);
	if (r < 0)
		goto out;
	pf_bundle_caps(c, &caps);

	cfg = json_object();
	json_object_set_new(cfg, "ociVersion", json_string("1.0.2"));

	proc = json_object();
	json_object_set_new(proc, "terminal", json_false());
	user = json_object();
	json_object_set_new(user, "uid", json_integer(uid));
	json_object_set_new(user, "gid", json_integer(gid));
	{
		const struct pf_pod_security_context *psc = &in->pod->spec.security_context;
		json_t *groups = json_array();
		if (psc->has_fs_group)
			json_array_append_new(groups, json_integer(psc->fs_group));
		for (size_t i = 0; i < psc->n_supplemental_groups; i++)
			json_array_append_new(groups, json_integer(psc->supplemental_groups[i]));
		json_object_set_new(user, "additionalGids", groups);
	}
	json_object_set_new(proc, "user", user);
	json_object_set_new(proc, "args", list_json(&args));
	json_object_set_new(proc, "env", list_json(&env));
	json_object_set_new(proc, "cwd",
			    json_string(c->working_dir && *c->working_dir ? c->working_dir
					: in->img && in->img->working_dir && *in->img->working_dir
					    ? in->img->working_dir
					    : "/"));
	capj = json_object();
	json_object_set_new(capj, "bounding", list_json(&caps));
	/* A process that is not root keeps no effective capabilities, as
	 * with containerd: only the bounding set stays. */
	json_object_set_new(capj, "effective", uid == 0 ? list_json(&caps) : json_array());
	json_object_set_new(capj, "permitted", uid == 0 ? list_json(&caps) : json_array());
	json_object_set_new(proc, "capabilities", capj);
	json_object_set_new(
	    proc, "noNewPrivileges",
	    json_boolean(!priv && !(sc->set && is_true(sc->allow_privilege_escalation))));
	/* No rlimits: the container inherits the node's, as a process the
	 * host could not raise its own limit for must not fail to start. */
	json_object_set_new(cfg, "process", proc);

	root = json_object();
	json_object_set_new(root, "path", json_string(in->rootfs));
	json_object_set_new(root, "readonly",
			    json_boolean(sc->set && is_true(sc->read_only_root_filesystem)));
	json_object_set_new(cfg, "root", root);

	mounts = json_array();
	MOUNT(mounts, "/proc", "proc", "proc", "nosuid", "noexec", "nodev");
	MOUNT(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
	MOUNT(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance",
	      "ptmxmode=0666", "mode=0620", "gid=5");
	MOUNT(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
	if (priv)
		MOUNT(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "rw");
	else
		MOUNT(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
	MOUNT(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime",
	      "ro");
	if (in->shm)
		MOUNT(mounts, "/dev/shm", "bind", in->shm, "rbind", "nosuid", "nodev", "noexec");
	else
		MOUNT(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777",
		      "size=65536k");
	if (in->hosts && !mounted_at(c, "/etc/hosts"))
		MOUNT(mounts, "/etc/hosts", "bind", in->hosts, "rbind", "rprivate", "rw");
	if (in->resolv && !mounted_at(c, "/etc/resolv.conf"))
		MOUNT(mounts, "/etc/resolv.conf", "bind", in->resolv, "rbind", "rprivate", "rw");
	if (in->hostname && !mounted_at(c, "/etc/hostname"))
		MOUNT(mounts, "/etc/hostname", "bind", in->hostname, "rbind", "rprivate", "rw");
	if (in->termination_log) {
		const char *p = c->termination_message_path && *c->termination_message_path
				    ? c->termination_message_path
				    : "/dev/termination-log";
		MOUNT(mounts, p, "bind", in->termination_log, "rbind", "rprivate", "rw");
	}
	r = volume_mounts(in, mounts, err);
	json_object_set_new(cfg, "mounts", mounts);
	if (r < 0)
		goto out;

	linux_ = json_object();
	nss = json_array();
	add_ns(nss, "pid", in->pidns);
	add_ns(nss, "network", in->netns);
	add_ns(nss, "ipc", in->ipcns);
	add_ns(nss, "uts", in->utsns);
	add_ns(nss, "mount", NULL);
	json_object_set_new(linux_, "namespaces", nss);
	if (in->cgroups_path)
		json_object_set_new(linux_, "cgroupsPath", json_string(in->cgroups_path));
	json_object_set_new(linux_, "resources", resources(c));
	if (!priv && !(sc->set && sc->proc_mount && strcmp(sc->proc_mount, "Unmasked") == 0)) {
		json_object_set_new(linux_, "maskedPaths",
				    strarr(masked_paths, PF_ARRAY_SIZE(masked_paths)));
		json_object_set_new(linux_, "readonlyPaths",
				    strarr(readonly_paths, PF_ARRAY_SIZE(readonly_paths)));
	}
	if (wants_seccomp(in))
		json_object_set_new(linux_, "seccomp", seccomp(&caps));
	json_object_set_new(cfg, "linux", linux_);
	*out = PF_TAKE(cfg);
out:
	json_decref(cfg);
	pf_strlist_free(&env);
	pf_strlist_free(&args);
	pf_strlist_free(&caps);
	return r;
}
