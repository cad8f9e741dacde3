/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imageref.c - parsing and normalising image references, after the grammar
 * container engines share (the "reference" package of the distribution
 * project): [domain/]path[:tag][@digest].
 *
 * Only sha256 digests are accepted: the store addresses content by sha256
 * and nothing else; a reference it could never match is better refused.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>

#include "imageref.h"

#define NAME_MAX_TOTAL 255

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*.  Returns false and
 * sets *upper when the only fault is an upper-case letter, which deserves
 * its own message. */
static bool path_component_ok(const char *s, size_t n, bool *upper)
{
	size_t i = 0;

	for (size_t k = 0; k < n; k++)
		if (isupper((unsigned char)s[k]))
			*upper = true;
	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		/* a separator: ".", "_", "__" or a run of "-" */
		size_t j = i;
		if (s[i] == '.') {
			j++;
		} else if (s[i] == '_') {
			j++;
			if (j < n && s[j] == '_')
				j++;
		} else if (s[i] == '-') {
			while (j < n && s[j] == '-')
				j++;
		} else {
			return false;
		}
		if (j >= n || !is_lower_alnum(s[j]))
			return false;
		i = j;
	}
	return true;
}

/* host components [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])? joined by ".",
 * then an optional ":port". */
static bool domain_ok(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] != ':') {
		size_t start = i;
		while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-'))
			i++;
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return false;
		if (i < n && s[i] == '.') {
			i++;
			if (i >= n || s[i] == ':')
				return false;
		}
	}
	if (i < n) { /* ":port" */
		i++;
		if (i >= n)
			return false;
		for (; i < n; i++)
			if (!isdigit((unsigned char)s[i]))
				return false;
	}
	return n > 0;
}

/* [\w][\w.-]{0,127} */
static bool tag_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128 || !(isalnum((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

bool pf_digest_valid(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

void pf_imageref_free(struct pf_imageref *ref)
{
	free(ref->domain);
	free(ref->path);
	free(ref->tag);
	free(ref->digest);
	memset(ref, 0, sizeof(*ref));
}

static int bad(struct pf_err *err, const char *s, const char *why)
{
	return pf_err_set(err, EINVAL, "couldn't parse image reference \"%s\": %s", s, why);
}

int pf_imageref_parse(const char *s, struct pf_imageref *ref, struct pf_err *err)
{
	_cleanup_free_ char *name = NULL;
	const char *at, *slash, *colon, *first_end;
	char *tag = NULL;
	bool upper = false;

	memset(ref, 0, sizeof(*ref));
	if (!s || !*s)
		return bad(err, s ? s : "", "invalid reference format");
	at = strchr(s, '@');
	name = at ? pf_xstrndup(s, (size_t)(at - s)) : pf_xstrdup(s);
	if (at) {
		const char *d = at + 1;
		if (strchr(d, ':') == NULL || strncmp(d, "sha256:", 7) != 0)
			return bad(err, s,
				   "invalid reference format: unsupported digest algorithm");
		if (!pf_digest_valid(d))
			return bad(err, s, "invalid checksum digest format");
	}
	/* The tag is the part after the last ':' that follows the last '/'. */
	slash = strrchr(name, '/');
	colon = strrchr(slash ? slash : name, ':');
	if (colon) {
		tag = name + (colon - name);
		*tag++ = '\0';
		if (!tag_ok(tag))
			return bad(err, s, "invalid reference format");
	}
	if (!*name)
		return bad(err, s, "invalid reference format");
	if (strlen(name) > NAME_MAX_TOTAL)
		return bad(err, s,
			   "invalid reference format: repository name must not be more than 255 "
			   "characters");

	/* A first component is a domain when it looks like a host name:
	 * it has a '.' or a ':', is "localhost", or has an upper-case letter. */
	const char *path = name;
	first_end = strchr(name, '/');
	if (first_end) {
		size_t n = (size_t)(first_end - name);
		bool host = memchr(name, '.', n) || memchr(name, ':', n) ||
			    (n == 9 && strncmp(name, "localhost", 9) == 0);
		for (size_t i = 0; i < n && !host; i++)
			if (isupper((unsigned char)name[i]))
				host = true;
		if (host) {
			if (!domain_ok(name, n))
				return bad(err, s, "invalid reference format");
			ref->domain = pf_xstrndup(name, n);
			path = first_end + 1;
		}
	}
	for (const char *p = path;;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!path_component_ok(p, n, &upper)) {
			pf_imageref_free(ref);
			return bad(err, s,
				   upper ? "invalid reference format: repository name must be "
					   "lowercase"
					 : "invalid reference format");
		}
		if (!e)
			break;
		p = e + 1;
	}

	if (!ref->domain || strcmp(ref->domain, "index.docker.io") == 0) {
		free(ref->domain);
		ref->domain = pf_xstrdup(PF_DEFAULT_DOMAIN);
	}
	if (strcmp(ref->domain, PF_DEFAULT_DOMAIN) == 0 && !strchr(path, '/'))
		ref->path = pf_xasprintf("library/%s", path);
	else
		ref->path = pf_xstrdup(path);
	if (at)
		ref->digest = pf_xstrdup(at + 1);
	else
		ref->tag = pf_xstrdup(tag ? tag : PF_DEFAULT_TAG);
	return 0;
}

char *pf_imageref_repo(const struct pf_imageref *ref)
{
	return pf_xasprintf("%s/%s", ref->domain, ref->path);
}

char *pf_imageref_string(const struct pf_imageref *ref)
{
	if (ref->digest)
		return pf_xasprintf("%s/%s@%s", ref->domain, ref->path, ref->digest);
	return pf_xasprintf("%s/%s:%s", ref->domain, ref->path, ref->tag);
}

int pf_imageref_normalize(const char *s, char **out, struct pf_err *err)
{
	struct pf_imageref ref;
	int r = pf_imageref_parse(s, &ref, err);

	if (r < 0)
		return r;
	*out = pf_imageref_string(&ref);
	pf_imageref_free(&ref);
	return 0;
}

char *pf_imageref_familiar(const char *normalized)
{
	static const char lib[] = PF_DEFAULT_DOMAIN "/library/";
	static const char dom[] = PF_DEFAULT_DOMAIN "/";

	if (strncmp(normalized, lib, sizeof(lib) - 1) == 0)
		return pf_xstrdup(normalized + sizeof(lib) - 1);
	if (strncmp(normalized, dom, sizeof(dom) - 1) == 0)
		return pf_xstrdup(normalized + sizeof(dom) - 1);
	return pf_xstrdup(normalized);
}
