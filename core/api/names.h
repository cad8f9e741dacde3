/* SPDX-License-Identifier: Apache-2.0 */
/*
 * names.h - apimachinery's string formats (k8s.io/apimachinery/pkg/util/
 * validation and the API's name rules): which strings may name an object,
 * key a label or annotation, name a port, a header, a variable or a sysctl,
 * and the exact reasons apimachinery gives when one may not.
 *
 * Pure functions of the string.  The reasons are returned as text for the
 * API server to turn into field errors ("metadata.name: Invalid value:
 * \"X\": <reason>"); nothing here knows about fields.
 */
#ifndef PODFS_NAMES_H
#define PODFS_NAMES_H

#include <stdbool.h>

#include "errors.h"

/* The reasons one check gives, in apimachinery's order; the checks append,
 * so set n = 0 to reuse one.  Static strings (nothing to free); at most
 * three are kept, as many as the API server ever shows for one value. */
struct pf_name_msgs {
	const char *m[3];
	size_t n;
};

/* Reasons that are built (qualified names quote their parts): owned
 * strings, released with pf_name_owned_free(); at most four kept. */
struct pf_name_owned {
	char *m[4];
	size_t n;
};
void pf_name_owned_free(struct pf_name_owned *o);

/* IsDNS1123Subdomain, IsDNS1123Label. */
void pf_dns1123_subdomain_msgs(const char *s, struct pf_name_msgs *m);
void pf_dns1123_label_msgs(const char *s, struct pf_name_msgs *m);
/* NameIsDNSSubdomain, the rule for object names; prefix: s is a
 * generateName, which may end in '-' because random characters follow. */
void pf_object_name_msgs(const char *name, bool prefix, struct pf_name_msgs *m);
/* IsQualifiedName: label keys, annotation keys (lowercased by the caller),
 * taint and toleration keys, finalizers, resource names. */
void pf_qualified_name_msgs(const char *value, struct pf_name_owned *o);
/* IsValidLabelValue ("" is valid). */
void pf_label_value_msgs(const char *v, struct pf_name_msgs *m);
/* IsValidPortName (IANA service names). */
void pf_port_name_msgs(const char *p, struct pf_name_msgs *m);

/* Single-reason checks: NULL when s is well formed, else the reason. */
const char *pf_http_header_name_reason(const char *s); /* IsHTTPHeaderName; NULL s is "" */
const char *pf_env_var_name_reason(const char *s);     /* relaxed env var names */
const char *pf_sysctl_name_reason(const char *s);      /* IsValidSysctlName */

/* RFC 1123 checks as apimachinery's IsDNS1123Subdomain/IsDNS1123Label. On
 * failure returns false and, if detail is non-NULL, points it at the
 * apimachinery message ("a lowercase RFC 1123 subdomain must consist of ..."). */
bool pf_is_dns1123_subdomain(const char *s, const char **detail);
bool pf_is_dns1123_label(const char *s, const char **detail);

/* A label as apimachinery checks it (IsQualifiedName for the key,
 * IsValidLabelValue for the value; value NULL skips it).  -EINVAL with
 * err = "invalid label key \"x\": name part must be ..." or
 * "invalid label value \"v\" for key \"k\": a valid label must be ...".
 * Taint keys and values follow the same rules. */
int pf_label_check(const char *key, const char *value, struct pf_err *err);

#endif
