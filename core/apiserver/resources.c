/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resources.c - the API server's checks of a container's resources:
 * validateContainerResourceName (standard, hugepages-, native or extended
 * names) and ValidateResourceRequirements (non-negative quantities,
 * integers where the resource counts things, requests within limits,
 * limits for what cannot be overcommitted), with kubectl's wording.
 *
 * Pure functions of the container's resource lists; it must not parse
 * quantities (quantity.c did) nor look at anything but resources.
 */
#include "validate-internal.h"
#include "fielderr.h"

/* The standard resource names (IsStandardResourceName): these, and the
 * object counts below, which are also the integer resources. */
static const char *const std_resources[] = {
    "cpu",	    "memory",		"ephemeral-storage",
    "requests.cpu", "requests.memory",	"requests.ephemeral-storage",
    "limits.cpu",   "limits.memory",	"limits.ephemeral-storage",
    "storage",	    "requests.storage", NULL,
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

static bool is_standard(const char *n)
{
	return pf_str_in(n, std_resources) || pf_str_in(n, integer_resources);
}

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
	struct pf_name_owned o = {.n = 0};
	_cleanup_free_ char *quota = NULL;
	bool ok;

	if (is_native(n) || strncmp(n, "requests.", 9) == 0)
		return false;
	quota = pf_xasprintf("requests.%s", n);
	pf_qualified_name_msgs(quota, &o);
	ok = o.n == 0;
	pf_name_owned_free(&o);
	return ok;
}

static bool overcommit_allowed(const char *n)
{
	return is_native(n) && !is_hugepages(n);
}

/* validateContainerResourceName; false when the name is already wrong. */
static void validate_resource_name(struct pf_field_errs *c, const char *n, const char *path)
{
	if (pf_invalid_qualified_name(c, path, n, n))
		return;
	if (!strchr(n, '/')) {
		if (!is_standard(n) && !is_hugepages(n)) {
			pf_field_invalid(c, path, n,
					 "must be a standard resource type or fully qualified");
			return;
		}
		if (strcmp(n, "cpu") != 0 && strcmp(n, "memory") != 0 &&
		    strcmp(n, "ephemeral-storage") != 0 && !is_hugepages(n))
			pf_field_invalid(c, path, n, "must be a standard resource for containers");
	} else if (!is_native(n) && !is_extended(n)) {
		pf_field_invalid(c, path, n, "doesn't follow extended resource name standard");
	}
}

static void validate_quantity(struct pf_field_errs *c, const char *name,
			      const struct pf_quantity *q, const char *path)
{
	const char *str = q->str ? q->str : "0";

	if (q->milli < 0)
		pf_field_invalid(c, path, str, pf_nonneg_msg);
	/* Quantity has a String() method, so "must be an integer" quotes
	 * nothing. */
	if ((pf_str_in(name, integer_resources) || is_extended(name)) && q->milli % 1000 != 0)
		pf_field_invalid_raw(c, path, str, "must be an integer");
}

void pf_validate_resources(struct pf_field_errs *c, const struct pf_resources *r, const char *path)
{
	_cleanup_free_ char *lim = pf_xasprintf("%s.resources.limits", path);
	_cleanup_free_ char *req = pf_xasprintf("%s.resources.requests", path);
	bool cpu_mem = false, huge = false;

	for (size_t i = 0; i < r->limits.n; i++) {
		const struct pf_resource *res = &r->limits.items[i];
		_cleanup_free_ char *p = pf_xasprintf("%s[%s]", lim, res->name);

		validate_resource_name(c, res->name, p);
		validate_quantity(c, res->name, &res->q, p);
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

		validate_resource_name(c, res->name, p);
		validate_quantity(c, res->name, &res->q, p);
		if (l) {
			const char *ls = l->str ? l->str : "0";

			if (res->q.milli != l->milli && !overcommit_allowed(res->name)) {
				_cleanup_free_ char *d =
				    pf_xasprintf("must be equal to %s limit of %s", res->name, ls);

				pf_field_invalid(c, req, qs, d);
			} else if (res->q.milli > l->milli) {
				_cleanup_free_ char *d = pf_xasprintf(
				    "must be less than or equal to %s limit of %s", res->name, ls);

				pf_field_invalid(c, req, qs, d);
			}
		} else if (!overcommit_allowed(res->name)) {
			pf_field_required(c, lim,
					  "Limit must be set for non overcommitable resources");
		}
		if (is_hugepages(res->name))
			huge = true;
		if (strcmp(res->name, "cpu") == 0 || strcmp(res->name, "memory") == 0)
			cpu_mem = true;
	}
	if (huge && !cpu_mem) {
		_cleanup_free_ char *p = pf_xasprintf("%s.resources", path);

		pf_field_forbidden(c, p, "HugePages require cpu or memory");
	}
}
