/* SPDX-License-Identifier: Apache-2.0 */
/*
 * names.c - apimachinery's string formats for names and keys: RFC 1123
 * labels and subdomains, object names, qualified names (label, annotation
 * and taint keys), label values, port names, HTTP header names, environment
 * variable names and sysctl names, with apimachinery's messages.
 *
 * Part of the API types: it answers "is this string well formed, and if
 * not, why" and nothing more.  It must not know which field a string sits
 * in nor build field errors; the API server (validate.c) does that.
 */
#include "names.h"

#include <errno.h>

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
static const char sysctl_err[] = "must have at most 253 characters and match regex "
				 "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*"
				 "[a-z0-9])?$";

static void msgs_add(struct pf_name_msgs *m, const char *s)
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

void pf_dns1123_subdomain_msgs(const char *s, struct pf_name_msgs *m)
{
	if (strlen(s) > 253)
		msgs_add(m, "must be no more than 253 characters");
	if (!match_subdomain(s))
		msgs_add(m, dns1123_subdomain_err);
}

void pf_dns1123_label_msgs(const char *s, struct pf_name_msgs *m)
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
	struct pf_name_msgs m = {.n = 0};

	pf_dns1123_subdomain_msgs(s ? s : "", &m);
	if (detail)
		*detail = m.n ? m.m[0] : NULL;
	return m.n == 0;
}

bool pf_is_dns1123_label(const char *s, const char **detail)
{
	struct pf_name_msgs m = {.n = 0};

	pf_dns1123_label_msgs(s ? s : "", &m);
	if (detail)
		*detail = m.n ? m.m[0] : NULL;
	return m.n == 0;
}

static void owned_add(struct pf_name_owned *o, char *s)
{
	if (o->n < PF_ARRAY_SIZE(o->m))
		o->m[o->n++] = s;
	else
		free(s);
}

void pf_name_owned_free(struct pf_name_owned *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->m[i]);
	o->n = 0;
}

void pf_qualified_name_msgs(const char *value, struct pf_name_owned *o)
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
		struct pf_name_msgs m = {.n = 0};

		name = slash + 1;
		if (!*prefix) {
			owned_add(o, pf_xstrdup("prefix part must be non-empty"));
		} else {
			pf_dns1123_subdomain_msgs(prefix, &m);
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

void pf_label_value_msgs(const char *v, struct pf_name_msgs *m)
{
	size_t n = strlen(v);

	if (n > 63)
		msgs_add(m, "must be no more than 63 characters");
	if (n && !match_label_key(v, n))
		msgs_add(m, label_value_err);
}

int pf_label_check(const char *key, const char *value, struct pf_err *err)
{
	struct pf_name_owned o = {.n = 0};
	struct pf_name_msgs m = {.n = 0};
	int r = 0;

	pf_qualified_name_msgs(key, &o);
	if (o.n)
		r = pf_err_set(err, EINVAL, "invalid label key \"%s\": %s", key, o.m[0]);
	pf_name_owned_free(&o);
	if (r < 0 || !value)
		return r;
	pf_label_value_msgs(value, &m);
	if (m.n)
		r = pf_err_set(err, EINVAL, "invalid label value \"%s\" for key \"%s\": %s", value,
			       key, m.m[0]);
	return r;
}

void pf_port_name_msgs(const char *p, struct pf_name_msgs *m)
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
void pf_object_name_msgs(const char *name, bool prefix, struct pf_name_msgs *m)
{
	size_t n = strlen(name);

	if (prefix && n > 1 && name[n - 1] == '-') {
		_cleanup_free_ char *masked = pf_xstrdup(name);

		masked[n - 1] = 'a';
		pf_dns1123_subdomain_msgs(masked, m);
		return;
	}
	pf_dns1123_subdomain_msgs(name, m);
}

const char *pf_http_header_name_reason(const char *n)
{
	bool ok = n && *n;

	for (const char *q = n; ok && *q; q++)
		if (!is_alnum(*q) && *q != '-')
			ok = false;
	return ok ? NULL : http_header_err;
}

/* RelaxedEnvironmentVariableValidation is GA: any printable ASCII but '='. */
const char *pf_env_var_name_reason(const char *n)
{
	for (const unsigned char *p = (const unsigned char *)n; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '=')
			return relaxed_env_err;
	return NULL;
}

/* ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$ */
const char *pf_sysctl_name_reason(const char *n)
{
	size_t len = strlen(n), start = 0;

	if (len == 0 || len > 253)
		return sysctl_err;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && n[i] != '.' && n[i] != '/') {
			if (!is_lower_alnum(n[i]) && n[i] != '-' && n[i] != '_')
				return sysctl_err;
			continue;
		}
		if (i == start || !is_lower_alnum(n[start]) || !is_lower_alnum(n[i - 1]))
			return sysctl_err;
		start = i + 1;
	}
	return NULL;
}
