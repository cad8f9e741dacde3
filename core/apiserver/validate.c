/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.c - the API server's ValidatePodCreate for a defaulted Pod, and
 * the admission plugins that refuse a pod before it is validated, each with
 * the wording kubectl shows.  The defaults are defaults.c's, Pod Security
 * podsecurity.c's, the field-error wording fielderr.c's and the string
 * formats names.c's.
 *
 * Pure functions of the pod and the policy: no store, no clock, no I/O, no
 * randomness (generateName lives in admission.c).  It must not parse YAML or
 * quantities (core/api/decode.c, quantity.c own that); it only reads the types.
 *
 * Causes are collected in the order ValidatePodCreate walks the object and
 * joined as apimachinery's aggregate does: one cause alone, several as
 * "[a, b]", exact duplicates dropped.
 */
#include "validate-internal.h"
#include "fielderr.h"

#include <errno.h>
#include <limits.h>

static const char port_range_err[] = "must be between 1 and 65535, inclusive";
static const char id_range_err[] = "must be between 0 and 4294967295, inclusive";

/* ---- validation ---------------------------------------------------------- */

struct vctx {
	const struct pf_pod *pod;
	struct pf_field_errs c;
};

/* NameIsDNSSubdomain (prefix: of a generateName) at path. */
static void invalid_object_name(struct pf_field_errs *c, const char *path, const char *name,
				bool prefix)
{
	struct pf_name_msgs m = {.n = 0};

	pf_object_name_msgs(name, prefix, &m);
	pf_field_invalid_each(c, path, name, m.m, m.n);
}

/* IsDNS1123Label at path. */
static void invalid_dns_label(struct pf_field_errs *c, const char *path, const char *name)
{
	struct pf_name_msgs m = {.n = 0};

	pf_dns1123_label_msgs(name, &m);
	pf_field_invalid_each(c, path, name, m.m, m.n);
}

static void ascii_lower(char *s)
{
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

static void validate_label_map(struct pf_field_errs *c, const struct pf_strmap *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++) {
		struct pf_name_msgs vm = {.n = 0};

		pf_invalid_qualified_name(c, path, m->items[i].key, m->items[i].key);
		pf_label_value_msgs(m->items[i].value ? m->items[i].value : "", &vm);
		pf_field_invalid_each(c, path, m->items[i].value, vm.m, vm.n);
	}
}

static void validate_meta(struct vctx *v)
{
	const struct pf_object_meta *m = &v->pod->meta;
	size_t total = 0;

	if (!pf_str_empty(m->generate_name))
		invalid_object_name(&v->c, "metadata.generateName", m->generate_name, true);
	if (pf_str_empty(m->name))
		pf_field_required(&v->c, "metadata.name", "name or generateName is required");
	else
		invalid_object_name(&v->c, "metadata.name", m->name, false);
	if (m->generation < 0)
		pf_field_invalid_int(&v->c, "metadata.generation", m->generation, pf_nonneg_msg);
	validate_label_map(&v->c, &m->labels, "metadata.labels");
	for (size_t i = 0; i < m->annotations.n; i++) {
		const struct pf_pair *a = &m->annotations.items[i];
		_cleanup_free_ char *lower = pf_xstrdup(a->key);

		/* Annotation keys are qualified names in any case. */
		ascii_lower(lower);
		pf_invalid_qualified_name(&v->c, "metadata.annotations", a->key, lower);
		total += strlen(a->key) + (a->value ? strlen(a->value) : 0);
	}
	if (total > 256 * 1024)
		pf_field_too_long(&v->c, "metadata.annotations", 256 * 1024);
	for (size_t i = 0; i < m->finalizers.n; i++) {
		const char *f = m->finalizers.items[i];

		pf_invalid_qualified_name(&v->c, "metadata.finalizers", f, f);
		if (!strchr(f, '/') && strcmp(f, "kubernetes") != 0 && strcmp(f, "orphan") != 0 &&
		    strcmp(f, "foregroundDeletion") != 0) {
			_cleanup_free_ char *p = pf_xasprintf("metadata.finalizers[%zu]", i);

			pf_field_invalid(
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

			if (pf_str_empty(vol->host_path)) {
				pf_field_required(&v->c, hp, NULL);
			} else {
				if (has_dotdot(vol->host_path))
					pf_field_invalid(&v->c, hp, vol->host_path,
							 "must not contain '..'");
				if (vol->host_path_type &&
				    !pf_str_in(vol->host_path_type, host_path_types))
					pf_field_unsupported(&v->c, ht, vol->host_path_type,
							     host_path_types);
			}
		} else if (vol->kind == PF_VOLUME_EMPTYDIR) {
			if (vol->empty_dir_size_limit.str && vol->empty_dir_size_limit.milli < 0) {
				_cleanup_free_ char *sl =
				    pf_xasprintf("%s.emptyDir.sizeLimit", idx);

				pf_field_forbidden(
				    &v->c, sl, "SizeLimit field must be a valid resource quantity");
			}
		} else {
			pf_field_required(&v->c, idx, "must specify a volume type");
		}
		if (pf_str_empty(vol->name)) {
			pf_field_required(&v->c, name, NULL);
		} else {
			invalid_dns_label(&v->c, name, vol->name);
		}
		for (size_t k = 0; k < i; k++)
			if (s->volumes[k].name && vol->name &&
			    strcmp(s->volumes[k].name, vol->name) == 0)
				dup = true;
		if (dup)
			pf_field_duplicate(&v->c, name, vol->name ? vol->name : "");
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

		if (!pf_str_empty(p->name)) {
			struct pf_name_msgs m = {.n = 0};
			bool dup = false;

			pf_port_name_msgs(p->name, &m);
			pf_field_invalid_each(&v->c, np, p->name, m.m, m.n);
			for (size_t k = 0; !m.n && k < i; k++) {
				struct pf_name_msgs om = {.n = 0};

				/* Only names that passed are remembered. */
				if (pf_str_empty(ctr->ports[k].name))
					continue;
				pf_port_name_msgs(ctr->ports[k].name, &om);
				if (!om.n && strcmp(ctr->ports[k].name, p->name) == 0)
					dup = true;
			}
			if (dup)
				pf_field_duplicate(&v->c, np, p->name);
		}
		if (p->container_port == 0)
			pf_field_required(&v->c, cp, NULL);
		else if (p->container_port < 1 || p->container_port > 65535)
			pf_field_invalid_int(&v->c, cp, p->container_port, port_range_err);
		if (p->host_port != 0 && (p->host_port < 1 || p->host_port > 65535))
			pf_field_invalid_int(&v->c, hp, p->host_port, port_range_err);
		if (pf_str_empty(p->protocol))
			pf_field_required(&v->c, pp, NULL);
		else if (!pf_str_in(p->protocol, protocols))
			pf_field_unsupported(&v->c, pp, p->protocol, protocols);
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

	if (pf_str_empty(e->field_ref_api)) {
		pf_field_required(&v->c, api, NULL);
		return;
	}
	if (pf_str_empty(fp)) {
		pf_field_required(&v->c, fpp, NULL);
		return;
	}
	if (strcmp(e->field_ref_api, "v1") != 0) {
		_cleanup_free_ char *d = pf_xasprintf(
		    "error converting fieldPath: unsupported pod version: %s", e->field_ref_api);

		pf_field_invalid(&v->c, fpp, fp, d);
		return;
	}
	if (split_subscript(fp, &p, &sub)) {
		if (strcmp(p, "metadata.annotations") != 0 && strcmp(p, "metadata.labels") != 0) {
			_cleanup_free_ char *d =
			    pf_xasprintf("error converting fieldPath: field label does not support "
					 "subscript: %s",
					 fp);

			pf_field_invalid(&v->c, fpp, fp, d);
			return;
		}
		if (strcmp(p, "metadata.annotations") == 0)
			ascii_lower(sub);
		pf_invalid_qualified_name(&v->c, path, sub, sub);
		return;
	}
	if (!pf_str_in(fp, convertible_field_paths)) {
		_cleanup_free_ char *d =
		    pf_xasprintf("error converting fieldPath: field label not supported: %s", fp);

		pf_field_invalid(&v->c, fpp, fp, d);
		return;
	}
	if (strcmp(fp, "spec.host") == 0)
		fp = "spec.nodeName";
	if (!pf_str_in(fp, env_field_paths))
		pf_field_unsupported(&v->c, fpp, fp, env_field_paths);
}

static void validate_resource_ref(struct vctx *v, const struct pf_env_var *e, const char *path)
{
	_cleanup_free_ char *rp = pf_xasprintf("%s.resource", path);
	_cleanup_free_ char *dp = pf_xasprintf("%s.divisor", path);
	const char *r = e->resource_ref;
	const char *div = e->resource_ref_divisor.str;

	if (pf_str_empty(r))
		pf_field_required(&v->c, rp, NULL);
	else if (!pf_str_in(r, env_resources) && strncmp(r, "requests.hugepages-", 19) != 0 &&
		 strncmp(r, "limits.hugepages-", 17) != 0)
		pf_field_unsupported(&v->c, rp, r, env_resources);
	if (!div || e->resource_ref_divisor.milli == 0 || pf_str_empty(r))
		return;
	if (strcmp(r, "limits.cpu") == 0 || strcmp(r, "requests.cpu") == 0) {
		if (strcmp(div, "1m") != 0 && strcmp(div, "1") != 0)
			pf_field_invalid(
			    &v->c, dp, r,
			    "only divisor's values 1m and 1 are supported with the cpu resource");
	} else if (strcmp(r, "limits.memory") == 0 || strcmp(r, "requests.memory") == 0) {
		if (!pf_str_in(div, mem_divisors))
			pf_field_invalid(
			    &v->c, dp, r,
			    "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, "
			    "1Ti, 1Pi, 1Ei are supported with the memory resource");
	} else if (strcmp(r, "limits.ephemeral-storage") == 0 ||
		   strcmp(r, "requests.ephemeral-storage") == 0) {
		if (!pf_str_in(div, mem_divisors))
			pf_field_invalid(
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
		const char *why;

		if (pf_str_empty(e->name))
			pf_field_required(&v->c, np, NULL);
		else if ((why = pf_env_var_name_reason(e->name)))
			pf_field_invalid(&v->c, np, e->name, why);
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
		if (!pf_str_empty(e->value))
			pf_field_invalid(&v->c, vf, "",
					 "may not be specified when `value` is not empty");
		else if (sources > 1)
			pf_field_invalid(&v->c, vf, "",
					 "may not have more than one field specified at a time");
	}
}

static const char *const propagations[] = {"Bidirectional", "HostToContainer", "None", NULL};

static void validate_local_descending(struct pf_field_errs *c, const char *path, const char *p)
{
	if (p[0] == '/')
		pf_field_invalid(c, path, p, "must be a relative path");
	if (has_dotdot(p))
		pf_field_invalid(c, path, p, "must not contain '..'");
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

		if (pf_str_empty(m->name))
			pf_field_required(&v->c, np, NULL);
		if (!volume_exists(s, m->name))
			pf_field_not_found(&v->c, np, m->name ? m->name : "");
		if (pf_str_empty(m->mount_path))
			pf_field_required(&v->c, mp, NULL);
		for (size_t k = 0; k < i; k++) {
			const char *o = ctr->volume_mounts[k].mount_path;

			if (strcmp(o ? o : "", m->mount_path ? m->mount_path : "") == 0)
				seen = true;
		}
		if (seen)
			pf_field_invalid(&v->c, mp, m->mount_path, "must be unique");
		/* podfs hands mount paths to the OCI runtime as they are; the
		 * API server would accept a relative one, crun would not. */
		else if (!pf_str_empty(m->mount_path) && m->mount_path[0] != '/')
			pf_field_invalid(&v->c, mp, m->mount_path, "must be an absolute path");
		if (!pf_str_empty(m->sub_path)) {
			/* ValidateVolumeMounts names the list, not the item. */
			_cleanup_free_ char *sp = pf_xasprintf("%s.subPath", base);

			validate_local_descending(&v->c, sp, m->sub_path);
		}
		if (m->mount_propagation) {
			_cleanup_free_ char *pp = pf_xasprintf("%s.mountPropagation", base);

			if (!pf_str_in(m->mount_propagation, propagations))
				pf_field_unsupported(&v->c, pp, m->mount_propagation, propagations);
			else if (strcmp(m->mount_propagation, "Bidirectional") == 0 &&
				 ctr->security_context.privileged != PF_TRUE)
				pf_field_forbidden(
				    &v->c, pp,
				    "Bidirectional mount propagation is available only to "
				    "privileged containers");
		}
	}
}

static const char *const pull_policies[] = {"Always", "IfNotPresent", "Never", NULL};

static const char *const proc_mounts[] = {"Default", "Unmasked", NULL};
static const char *const seccomp_types[] = {"Localhost", "RuntimeDefault", "Unconfined", NULL};

static void validate_seccomp(struct pf_field_errs *c, const struct pf_seccomp_profile *sp,
			     const char *path)
{
	_cleanup_free_ char *tp = pf_xasprintf("%s.seccompProfile.type", path);
	_cleanup_free_ char *lp = pf_xasprintf("%s.seccompProfile.localhostProfile", path);

	if (!sp->type)
		return;
	if (!*sp->type)
		pf_field_required(c, tp, "type is required when seccompProfile is set");
	else if (!pf_str_in(sp->type, seccomp_types))
		pf_field_unsupported(c, tp, sp->type, seccomp_types);
	if (strcmp(sp->type, "Localhost") == 0) {
		if (!sp->localhost_profile)
			pf_field_required(c, lp, "must be set when seccomp type is Localhost");
		else
			validate_local_descending(c, lp, sp->localhost_profile);
	}
}

static void validate_id(struct pf_field_errs *c, const char *path, bool has, int64_t id)
{
	if (has && (id < 0 || id > 4294967295LL))
		pf_field_invalid_int(c, path, id, id_range_err);
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
		if (!pf_str_in(sc->proc_mount, proc_mounts))
			pf_field_unsupported(&v->c, pm, sc->proc_mount, proc_mounts);
		/* podfs has no hostUsers: false, so Unmasked is never valid. */
		if (strcmp(sc->proc_mount, "Unmasked") == 0)
			pf_field_invalid(&v->c, pm, sc->proc_mount,
					 "`hostUsers` must be false to use `Unmasked`");
	}
	validate_seccomp(&v->c, &sc->seccomp, sp);
}

static const char *const http_schemes[] = {"HTTP", "HTTPS", NULL};

static void validate_port_num_or_name(struct pf_field_errs *c, const struct pf_intstr *port,
				      const char *path)
{
	if (port->is_str) {
		struct pf_name_msgs m = {.n = 0};

		pf_port_name_msgs(port->str ? port->str : "", &m);
		pf_field_invalid_each(c, path, port->str, m.m, m.n);
	} else if (port->num < 1 || port->num > 65535) {
		pf_field_invalid_int(c, path, port->num, port_range_err);
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
			pf_field_required(&v->c, p, NULL);
		break;
	case PF_HANDLER_HTTP: {
		_cleanup_free_ char *pp = pf_xasprintf("%s.httpGet.path", path);
		_cleanup_free_ char *po = pf_xasprintf("%s.httpGet.port", path);
		_cleanup_free_ char *sc = pf_xasprintf("%s.httpGet.scheme", path);
		_cleanup_free_ char *hh = pf_xasprintf("%s.httpGet.httpHeaders", path);

		if (pf_str_empty(h->http_path))
			pf_field_required(&v->c, pp, NULL);
		validate_port_num_or_name(&v->c, &h->port, po);
		if (!h->http_scheme || !pf_str_in(h->http_scheme, http_schemes))
			pf_field_unsupported(&v->c, sc, h->http_scheme, http_schemes);
		for (size_t i = 0; i < h->n_http_headers; i++) {
			const char *n = h->http_headers[i].name ? h->http_headers[i].name : "";
			const char *why = pf_http_header_name_reason(n);

			if (why)
				pf_field_invalid(&v->c, hh, n, why);
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
			pf_field_required(&v->c, path, "must specify a handler type");
			break;
		}
		validate_port_num_or_name(&v->c, &h->port, p);
		break;
	case PF_HANDLER_SLEEP: {
		p = pf_xasprintf("%s.sleep", path);
		if (!lifecycle) {
			pf_field_required(&v->c, path, "must specify a handler type");
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

			pf_field_invalid_int(&v->c, p, h->sleep_seconds, d);
		}
		break;
	}
	case PF_HANDLER_NONE:
		pf_field_required(&v->c, path, "must specify a handler type");
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

			pf_field_invalid_int(&v->c, p, vals[i], pf_nonneg_msg);
		}
	}
	if (pr->has_termination_grace_period_seconds && pr->termination_grace_period_seconds <= 0)
		pf_field_invalid_int(&v->c, tg, pr->termination_grace_period_seconds,
				     "must be greater than 0");
	if (kind == PROBE_READINESS && pr->has_termination_grace_period_seconds)
		pf_field_invalid_int(&v->c, tg, pr->termination_grace_period_seconds,
				     "must not be set for readinessProbes");
	if (kind != PROBE_READINESS && pr->success_threshold != 1)
		pf_field_invalid_int(&v->c, st, pr->success_threshold, "must be 1");
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

	if (pf_str_empty(c->name)) {
		pf_field_required(&v->c, np, NULL);
	} else {
		invalid_dns_label(&v->c, np, c->name);
	}
	if (pf_str_empty(c->image))
		pf_field_required(&v->c, ip, NULL);
	if (pf_str_empty(c->termination_message_policy))
		pf_field_required(&v->c, tp, NULL);
	else if (!pf_str_in(c->termination_message_policy, tm_policies))
		pf_field_unsupported(&v->c, tp, c->termination_message_policy, tm_policies);
	validate_ports(v, c, path);
	validate_env(v, c, path);
	validate_mounts(v, c, path);
	if (pf_str_empty(c->image_pull_policy))
		pf_field_required(&v->c, pp, NULL);
	else if (!pf_str_in(c->image_pull_policy, pull_policies))
		pf_field_unsupported(&v->c, pp, c->image_pull_policy, pull_policies);
	pf_validate_resources(&v->c, &c->resources, path);
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
			pf_field_duplicate(&v->c, path, key);
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
		pf_field_required(&v->c, "spec.containers", NULL);
		return;
	}
	for (size_t i = 0; i < s->n_containers; i++) {
		const struct pf_container *c = &s->containers[i];
		_cleanup_free_ char *path = pf_xasprintf("spec.containers[%zu]", i);

		validate_container_common(v, c, path);
		if (name_in(s->containers, i, c->name)) {
			_cleanup_free_ char *np = pf_xasprintf("%s.name", path);

			pf_field_duplicate(&v->c, np, c->name);
		}
		validate_probes(v, c, path);
		if (c->restart_policy) {
			_cleanup_free_ char *rp = pf_xasprintf("%s.restartPolicy", path);

			pf_field_forbidden(&v->c, rp, "may not be set for non-init containers");
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

			if (!pf_str_in(c->restart_policy, init_restart))
				pf_field_unsupported(&v->c, rp, c->restart_policy, init_restart);
			always = strcmp(c->restart_policy, "Always") == 0;
		}
		/* Names are unique across app and init containers. */
		if (name_in(s->containers, s->n_containers, c->name))
			dup = true;
		for (size_t k = 0; k < i; k++)
			if (!pf_str_empty(s->init_containers[k].name) &&
			    strcmp(s->init_containers[k].name, c->name ? c->name : "") == 0)
				dup = true;
		if (dup) {
			_cleanup_free_ char *np = pf_xasprintf("%s.name", path);

			pf_field_duplicate(&v->c, np, c->name);
		}
		/* Init containers run one at a time: conflicts only within one. */
		host_port_conflicts(v, c, 1, i, "spec.initContainers");
		if (always) {
			validate_probes(v, c, path);
			continue;
		}
		if (has_lifecycle(c)) {
			_cleanup_free_ char *p = pf_xasprintf("%s.lifecycle", path);

			pf_field_forbidden(&v->c, p, forbid);
		}
		if (c->liveness_probe.set) {
			_cleanup_free_ char *p = pf_xasprintf("%s.livenessProbe", path);

			pf_field_forbidden(&v->c, p, forbid);
		}
		if (c->readiness_probe.set) {
			_cleanup_free_ char *p = pf_xasprintf("%s.readinessProbe", path);

			pf_field_forbidden(&v->c, p, forbid);
		}
		if (c->startup_probe.set) {
			_cleanup_free_ char *p = pf_xasprintf("%s.startupProbe", path);

			pf_field_forbidden(&v->c, p, forbid);
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
		pf_field_invalid_raw(&v->c, "spec.securityContext.shareProcessNamespace", "true",
				     "ShareProcessNamespace and HostPID cannot both be enabled");
	for (size_t i = 0; i < sc->n_sysctls; i++) {
		const char *n = sc->sysctls[i].name ? sc->sysctls[i].name : "";
		const char *why;
		_cleanup_free_ char *p = pf_xasprintf("spec.securityContext.sysctls[%zu].name", i);
		bool dup = false;

		for (size_t k = 0; k < i; k++)
			if (sc->sysctls[k].name && strcmp(sc->sysctls[k].name, n) == 0)
				dup = true;
		if (!*n)
			pf_field_required(&v->c, p, NULL);
		else if ((why = pf_sysctl_name_reason(n)))
			pf_field_invalid(&v->c, p, n, why);
		else if (dup)
			pf_field_duplicate(&v->c, p, n);
		if (s->host_network == PF_TRUE && sysctl_is_net(n))
			pf_field_invalid(&v->c, p, n,
					 "may not be specified when 'hostNetwork' is true");
		else if (s->host_ipc == PF_TRUE && sysctl_is_ipc(n))
			pf_field_invalid(&v->c, p, n,
					 "may not be specified when 'hostIPC' is true");
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

		if (!pf_str_empty(t->key))
			pf_invalid_qualified_name(&v->c, kp, t->key, t->key);
		if (pf_str_empty(t->key) && strcmp(oper, "Exists") != 0)
			pf_field_invalid(
			    &v->c, op, oper,
			    "operator must be Exists when `key` is empty, which means \"match "
			    "all values and all keys\"");
		if (t->has_toleration_seconds && strcmp(effect, "NoExecute") != 0)
			pf_field_invalid(
			    &v->c, ep, effect,
			    "effect must be 'NoExecute' when `tolerationSeconds` is set");
		if (!*oper || strcmp(oper, "Equal") == 0) {
			struct pf_name_msgs m = {.n = 0};

			pf_label_value_msgs(t->value ? t->value : "", &m);
			if (m.n) {
				_cleanup_free_ char *joined =
				    m.n > 1 ? pf_xasprintf("%s;%s", m.m[0], m.m[1])
					    : pf_xstrdup(m.m[0]);

				pf_field_invalid(&v->c, op, t->value, joined);
			}
		} else if (strcmp(oper, "Exists") == 0) {
			if (!pf_str_empty(t->value))
				pf_field_invalid(&v->c, op, t->value,
						 "value must be empty when `operator` is 'Exists'");
		} else {
			pf_field_unsupported(&v->c, op, oper, tol_operators);
		}
		if (*effect && !pf_str_in(effect, taint_effects))
			pf_field_unsupported(&v->c, ep, effect, taint_effects);
	}
}

static void validate_spec(struct vctx *v)
{
	const struct pf_pod_spec *s = &v->pod->spec;

	if (!s->has_termination_grace_period_seconds)
		pf_field_required(&v->c, "spec.terminationGracePeriodSeconds", NULL);
	else if (s->termination_grace_period_seconds < 0)
		pf_field_invalid_int(&v->c, "spec.terminationGracePeriodSeconds",
				     s->termination_grace_period_seconds, pf_nonneg_msg);
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
					pf_field_invalid_int(&v->c, p, c->ports[k].host_port,
							     "must match `containerPort` when "
							     "`hostNetwork` is true");
			}
		}
	}
	if (pf_str_empty(s->restart_policy))
		pf_field_required(&v->c, "spec.restartPolicy", NULL);
	else if (!pf_str_in(s->restart_policy, restart_policies))
		pf_field_unsupported(&v->c, "spec.restartPolicy", s->restart_policy,
				     restart_policies);
	if (pf_str_empty(s->dns_policy))
		pf_field_required(&v->c, "spec.dnsPolicy", NULL);
	else if (!pf_str_in(s->dns_policy, dns_policies))
		pf_field_unsupported(&v->c, "spec.dnsPolicy", s->dns_policy, dns_policies);
	validate_label_map(&v->c, &s->node_selector, "spec.nodeSelector");
	validate_pod_sc(v);
	/* podfs has no dnsConfig, so None can never be satisfied. */
	if (s->dns_policy && strcmp(s->dns_policy, "None") == 0)
		pf_field_required(&v->c, "spec.dnsConfig",
				  "must provide `dnsConfig` when `dnsPolicy` is None");
	if (!pf_str_empty(s->service_account_name))
		invalid_object_name(&v->c, "spec.serviceAccountName", s->service_account_name,
				    false);
	if (!pf_str_empty(s->node_name))
		invalid_object_name(&v->c, "spec.nodeName", s->node_name, false);
	if (s->has_active_deadline_seconds &&
	    (s->active_deadline_seconds < 1 || s->active_deadline_seconds > INT32_MAX))
		pf_field_invalid_int(&v->c, "spec.activeDeadlineSeconds",
				     s->active_deadline_seconds,
				     "must be between 1 and 2147483647, inclusive");
	if (!pf_str_empty(s->hostname))
		invalid_dns_label(&v->c, "spec.hostname", s->hostname);
	if (!pf_str_empty(s->subdomain))
		invalid_dns_label(&v->c, "spec.subdomain", s->subdomain);
	validate_tolerations(v);
	if (!pf_str_empty(s->priority_class_name))
		invalid_object_name(&v->c, "spec.priorityClassName", s->priority_class_name, false);
	if (s->preemption_policy) {
		if (!*s->preemption_policy)
			pf_field_required(&v->c, "spec.preemptionPolicy", NULL);
		else if (!pf_str_in(s->preemption_policy, preemption_policies))
			pf_field_unsupported(&v->c, "spec.preemptionPolicy", s->preemption_policy,
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

		if (pf_str_empty(img))
			continue;
		len = strlen(img);
		if (img[0] == ' ' || img[0] == '\t' || img[0] == '\n' || img[0] == '\r' ||
		    img[len - 1] == ' ' || img[len - 1] == '\t' || img[len - 1] == '\n' ||
		    img[len - 1] == '\r') {
			_cleanup_free_ char *p = pf_xasprintf("%s[%zu].image", list, i);

			pf_field_invalid(&v->c, p, img,
					 "must not have leading or trailing whitespace");
		}
	}
}

/* ---- the whole admission of one pod ------------------------------------ */

/* Mutating admission runs before validation and can refuse the pod
 * outright: NamespaceLifecycle, ServiceAccount, Priority. */
static int admission_refusal(const struct pf_pod *pod, struct pf_err *err)
{
	const char *name = pod->meta.name ? pod->meta.name : "";
	const char *ns = pod->meta.namespace_;
	const struct pf_pod_spec *s = &pod->spec;
	int32_t prio;

	if (!pf_str_empty(ns) && strcmp(ns, "default") != 0)
		return pf_err_set(
		    err, EINVAL,
		    "namespaces \"%s\" not found: podfs has one namespace, \"default\"", ns);
	if (!pf_str_empty(s->service_account_name) &&
	    strcmp(s->service_account_name, "default") != 0)
		return pf_err_set(err, EINVAL,
				  "pods \"%s\" is forbidden: error looking up service account "
				  "default/%s: serviceaccount \"%s\" not found",
				  name, s->service_account_name, s->service_account_name);
	if (!pf_builtin_priority(s->priority_class_name, &prio))
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
	return 0;
}

int pf_pod_validate(const struct pf_pod *pod, const struct pf_policy *policy, struct pf_err *err)
{
	struct vctx v = {.pod = pod, .c = PF_FIELD_ERRS_INIT};
	const struct pf_pod_spec *s = &pod->spec;
	int ret;

	ret = admission_refusal(pod, err);
	if (ret < 0)
		return ret;
	validate_meta(&v);
	validate_spec(&v);
	validate_images_for_pod(&v, s->containers, s->n_containers, "spec.containers");
	validate_images_for_pod(&v, s->init_containers, s->n_init_containers,
				"spec.initContainers");
	ret = pf_field_errs_report(&v.c, "Pod", pod->meta.name ? pod->meta.name : "", err);
	pf_field_errs_free(&v.c);
	if (ret < 0)
		return ret;
	return pf_pod_security_admit(pod, policy, err);
}
