/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_names.c - apimachinery's string formats (core/api/names.c) on their
 * own: which strings pass, and the exact reasons for those that do not, in
 * apimachinery's order.  test_validate reaches the same checks through
 * whole pods; this pins the edges one function at a time.
 */
#include "names.h"
#include "tap.h"

#include <errno.h>

#define LABEL_ERR_HEAD	   "a lowercase RFC 1123 label must consist of"
#define SUBDOMAIN_ERR_HEAD "a lowercase RFC 1123 subdomain must consist of"

static bool starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Exactly one reason, equal to want (prefix: starting with want); the
 * list is emptied for the next check. */
static bool one_reason(struct pf_name_msgs *m, const char *want, bool prefix)
{
	bool r = m->n == 1 && (prefix ? starts(m->m[0], want) : strcmp(m->m[0], want) == 0);

	m->n = 0;
	return r;
}

/* n copies of 'a' in buf (which holds n + 1 bytes). */
static const char *a_times(char *buf, size_t n)
{
	memset(buf, 'a', n);
	buf[n] = 0;
	return buf;
}

static void test_dns1123(void)
{
	struct pf_name_msgs m = {.n = 0};
	char long_label[70], long_sub[260];

	pf_dns1123_label_msgs("web-1", &m);
	is_int(m.n, 0, "web-1 is a label");
	pf_dns1123_label_msgs("a.b", &m);
	ok(one_reason(&m, "must not contain dots", false),
	   "a.b: a subdomain but no label says 'must not contain dots'");
	pf_dns1123_label_msgs("Web", &m);
	ok(one_reason(&m, LABEL_ERR_HEAD, true), "Web: the label regex message");
	pf_dns1123_label_msgs(a_times(long_label, 64), &m);
	ok(one_reason(&m, "must be no more than 63 characters", false),
	   "64 characters: too long only");
	pf_dns1123_label_msgs("", &m);
	ok(one_reason(&m, LABEL_ERR_HEAD, true), "empty label fails the regex");

	/* The regex puts no bound on one label: only the length fails. */
	pf_dns1123_subdomain_msgs(a_times(long_sub, 254), &m);
	ok(one_reason(&m, "must be no more than 253 characters", false), "254 characters");
	pf_dns1123_subdomain_msgs("a..b", &m);
	ok(one_reason(&m, SUBDOMAIN_ERR_HEAD, true), "a..b: the subdomain message");
	pf_dns1123_subdomain_msgs("a.b-c.example", &m);
	is_int(m.n, 0, "a.b-c.example is a subdomain");

	/* The checks append: two in a row report both. */
	pf_dns1123_label_msgs("A", &m);
	pf_dns1123_label_msgs("B", &m);
	is_int(m.n, 2, "the checks append to the list");

	{
		const char *d = "unset";

		ok(pf_is_dns1123_subdomain("a.b", &d) && d == NULL, "pf_is_dns1123_subdomain");
		ok(!pf_is_dns1123_subdomain(NULL, &d) && starts(d, SUBDOMAIN_ERR_HEAD),
		   "NULL reads as \"\" and fails");
		ok(!pf_is_dns1123_label("a.b", &d) && strcmp(d, "must not contain dots") == 0,
		   "pf_is_dns1123_label detail");
	}
}

static void test_object_names(void)
{
	struct pf_name_msgs m = {.n = 0};

	pf_object_name_msgs("web-", true, &m);
	is_int(m.n, 0, "a generateName may end in '-'");
	pf_object_name_msgs("web-", false, &m);
	ok(one_reason(&m, SUBDOMAIN_ERR_HEAD, true), "a name may not");
	pf_object_name_msgs("-", true, &m);
	is_int(m.n, 1, "a generateName of '-' alone is still bad");
}

static void test_qualified_names(void)
{
	struct pf_name_owned o = {.n = 0};

	pf_qualified_name_msgs("example.com/My_Name.1", &o);
	is_int(o.n, 0, "prefix/name passes");
	pf_qualified_name_msgs("a/b/c", &o);
	ok(o.n == 1 && starts(o.m[0], "a valid label key must consist of") &&
	       strstr(o.m[0], "with an optional DNS subdomain prefix and '/'"),
	   "two slashes: one message about the whole key");
	pf_name_owned_free(&o);
	is_int(o.n, 0, "pf_name_owned_free empties the list");

	pf_qualified_name_msgs("/x", &o);
	ok(o.n == 1 && strcmp(o.m[0], "prefix part must be non-empty") == 0, "/x: empty prefix");
	pf_name_owned_free(&o);

	pf_qualified_name_msgs("Bad_Prefix/", &o);
	ok(o.n == 3 && starts(o.m[0], "prefix part " SUBDOMAIN_ERR_HEAD) &&
	       strcmp(o.m[1], "name part must be non-empty") == 0 &&
	       starts(o.m[2], "name part must consist of alphanumeric characters"),
	   "bad prefix and empty name: three messages in order");
	pf_name_owned_free(&o);

	{
		char key[80];

		memset(key, 'k', 64);
		key[64] = 0;
		pf_qualified_name_msgs(key, &o);
		ok(o.n == 1 && strcmp(o.m[0], "name part must be no more than 63 characters") == 0,
		   "64-character name part");
		pf_name_owned_free(&o);
	}
}

static void test_label_values(void)
{
	struct pf_name_msgs m = {.n = 0};

	pf_label_value_msgs("", &m);
	is_int(m.n, 0, "an empty label value is valid");
	pf_label_value_msgs("My_value-1.2", &m);
	is_int(m.n, 0, "My_value-1.2 is valid");
	pf_label_value_msgs("bad value", &m);
	ok(one_reason(&m, "a valid label must be an empty string", true), "a space is not");

	struct pf_err err = PF_ERR_INIT;

	is_int(pf_label_check("app", "web", &err), 0, "pf_label_check app=web");
	is_int(pf_label_check("app", NULL, &err), 0, "pf_label_check without value");
	is_int(pf_label_check("bad key", "v", &err), -EINVAL, "pf_label_check bad key");
	ok(starts(err.msg, "invalid label key \"bad key\": name part must consist of"),
	   "key message: %s", err.msg);
	pf_err_clear(&err);
	is_int(pf_label_check("k", "-v", &err), -EINVAL, "pf_label_check bad value");
	ok(starts(err.msg, "invalid label value \"-v\" for key \"k\": a valid label must be"),
	   "value message: %s", err.msg);
}

static void test_port_names(void)
{
	struct pf_name_msgs m = {.n = 0};

	pf_port_name_msgs("http-alt", &m);
	is_int(m.n, 0, "http-alt is a port name");
	pf_port_name_msgs("a--b", &m);
	ok(one_reason(&m, "must not contain consecutive hyphens", false), "a--b");
	pf_port_name_msgs("123", &m);
	ok(one_reason(&m, "must contain at least one letter (a-z)", false), "123");
	/* Four reasons apply; the list keeps the first three, as before. */
	pf_port_name_msgs("-----------------", &m);
	ok(m.n == 3 && strcmp(m.m[0], "must be no more than 15 characters") == 0 &&
	       strcmp(m.m[1], "must contain at least one letter (a-z)") == 0 &&
	       strcmp(m.m[2], "must not contain consecutive hyphens") == 0,
	   "17 hyphens: three reasons kept");
}

static void test_single_reasons(void)
{
	ok(pf_http_header_name_reason("X-Header-1") == NULL, "X-Header-1 is a header name");
	ok(starts(pf_http_header_name_reason("bad header"), "a valid HTTP header must consist"),
	   "a space is not");
	ok(pf_http_header_name_reason("") != NULL && pf_http_header_name_reason(NULL) != NULL,
	   "empty and NULL header names are not");

	ok(pf_env_var_name_reason("MY_VAR.1-x") == NULL, "relaxed env names pass");
	ok(starts(pf_env_var_name_reason("A=B"), "a valid environment variable name"), "A=B");
	ok(pf_env_var_name_reason("tab\there") != NULL, "control characters do not pass");

	ok(pf_sysctl_name_reason("net.ipv4.tcp_syncookies") == NULL, "dotted sysctl");
	ok(pf_sysctl_name_reason("net/ipv4/ip_forward") == NULL, "slashed sysctl");
	ok(starts(pf_sysctl_name_reason("bad..name"), "must have at most 253 characters"),
	   "empty component");
	ok(pf_sysctl_name_reason("Net.x") != NULL, "uppercase");
	ok(pf_sysctl_name_reason("net._x") != NULL, "a component must start alphanumeric");
	ok(pf_sysctl_name_reason("") != NULL, "empty");
}

int main(void)
{
	test_dns1123();
	test_object_names();
	test_qualified_names();
	test_label_values();
	test_port_names();
	test_single_reasons();
	return tap_done();
}
