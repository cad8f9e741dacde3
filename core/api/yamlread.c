/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yamlread.c - the YAML reader of the codec: libyaml's events into a small
 * node tree per document, with go-yaml v2's scalar resolution (YAML 1.1),
 * refusing anchors, aliases, non-core tags, deep nesting and too many
 * documents while the events arrive, and flagging duplicate keys.
 *
 * It knows nothing of the API types: it must not look at field names (the
 * walker in decode.c does).
 */
#include "hashmap.h"
#include "manifest-internal.h"

#include <errno.h>

/* ------------------------------------------------------------------------ */
/* The arena (struct arena in manifest-internal.h).                          */

static void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 16384 ? n : 16384;

		c = pf_xmalloc(sizeof(*c) + cap);
		c->next = a->head;
		c->used = 0;
		c->cap = cap;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

static void arena_reset(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	/* Keep the oldest chunk (the list's tail): most documents fit in it. */
	while (c && c->next) {
		next = c->next;
		free(c);
		c = next;
	}
	a->head = c;
	if (c)
		c->used = 0;
}

static void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	while (c) {
		next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

static bool str_in(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static const char *const yaml_nulls[] = {"~", "null", "Null", "NULL", NULL};
static const char *const yaml_trues[] = {"y",	 "Y",	 "yes", "Yes", "YES", "true",
					 "True", "TRUE", "on",	"On",  "ON",  NULL};
static const char *const yaml_falses[] = {"n",	   "N",	    "no",  "No",  "NO",	 "false",
					  "False", "FALSE", "off", "Off", "OFF", NULL};
static const char *const yaml_floats[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
					  "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
					  ".NaN",  ".NAN",  NULL};

/* Go's strconv.ParseInt(s, 0, 64) after go-yaml removed the underscores. */
bool pf_go_parse_int(const char *s, int64_t *out)
{
	char buf[72], *end;
	size_t n = 0;
	int base = 10;
	bool neg = false;
	const char *p;

	for (p = s; *p && n < sizeof(buf) - 1; p++)
		if (*p != '_')
			buf[n++] = *p;
	if (*p)
		return false;
	buf[n] = '\0';
	p = buf;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p += 1;
	if (!*p || *p == '+' || *p == '-' || *p == ' ')
		return false;
	errno = 0;
	unsigned long long v = strtoull(p, &end, base);
	if (*end || errno)
		return false;
	if (neg ? v > (unsigned long long)INT64_MAX + 1 : v > (unsigned long long)INT64_MAX)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* Go's strconv.ParseFloat, close enough: the whole text must be consumed. */
bool pf_go_parse_float(const char *s, double *out)
{
	char buf[128], *end;
	size_t n = 0;
	const char *p;

	for (p = s; *p && n < sizeof(buf) - 1; p++)
		if (*p != '_')
			buf[n++] = *p;
	if (*p || !n || buf[0] == ' ')
		return false;
	buf[n] = '\0';
	*out = strtod(buf, &end);
	return *end == '\0';
}

/* Every word of the sets above has at most six bytes and starts with one
 * of these, so most scalars (keys, names, images) skip ~40 comparisons:
 * they ran for every key and value decoded or encoded, and were a sixth
 * of the scheduler's time per bind. */
static bool maybe_keyword(const char *s)
{
	return s[0] && strchr("~nNyYtToOfF.+-", s[0]) && strnlen(s, 7) <= 6;
}

/* Resolve a plain scalar as go-yaml v2 (YAML 1.1) does. */
enum yn_scalar pf_yaml_resolve(const char *s, bool *bval)
{
	char c = s[0];
	int64_t i;
	double d;

	if (!c)
		return SK_NULL;
	if (!maybe_keyword(s))
		goto number;
	if (str_in(s, yaml_nulls))
		return SK_NULL;
	if (str_in(s, yaml_trues)) {
		*bval = true;
		return SK_BOOL;
	}
	if (str_in(s, yaml_falses)) {
		*bval = false;
		return SK_BOOL;
	}
	if (str_in(s, yaml_floats))
		return SK_NUM;
number:
	if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
		if (pf_go_parse_int(s, &i) || pf_go_parse_float(s, &d))
			return SK_NUM;
	}
	return SK_STR;
}

static int yr_fail(struct yreader *r, struct pf_err *err, const char *fmt, ...) PF_PRINTF(3, 4);
static int yr_fail(struct yreader *r, struct pf_err *err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->src)
		return pf_err_set(err, EINVAL, "error parsing %s: %s", r->src, msg);
	return pf_err_set(err, EINVAL, "%s", msg);
}

/* Tags of the core schema are allowed (and applied); anything else is not. */
static int apply_tag(struct yreader *r, struct ynode *n, const char *tag, struct pf_err *err)
{
	static const char pfx[] = "tag:yaml.org,2002:";
	const char *t;

	if (!tag || strcmp(tag, "!") == 0) {
		if (tag && n->type == YN_SCALAR)
			n->sk = SK_STR;
		return 0;
	}
	if (strncmp(tag, pfx, sizeof(pfx) - 1) != 0)
		goto bad;
	t = tag + sizeof(pfx) - 1;
	if (n->type == YN_MAP)
		return strcmp(t, "map") == 0
			   ? 0
			   : yr_fail(r, err,
				     "yaml: line %d: tag \"%s\" does not apply to a mapping",
				     n->line, tag);
	if (n->type == YN_SEQ)
		return strcmp(t, "seq") == 0
			   ? 0
			   : yr_fail(r, err,
				     "yaml: line %d: tag \"%s\" does not apply to a sequence",
				     n->line, tag);
	if (strcmp(t, "str") == 0 || strcmp(t, "timestamp") == 0) {
		n->sk = SK_STR;
	} else if (strcmp(t, "null") == 0) {
		n->sk = SK_NULL;
	} else if (strcmp(t, "bool") == 0) {
		bool b;
		if (pf_yaml_resolve(n->s, &b) != SK_BOOL)
			return yr_fail(r, err,
				       "yaml: line %d: cannot decode !!str `%s` as a !!bool",
				       n->line, n->s);
		n->sk = SK_BOOL;
		n->bval = b;
	} else if (strcmp(t, "int") == 0 || strcmp(t, "float") == 0) {
		bool b;
		if (pf_yaml_resolve(n->s, &b) != SK_NUM)
			return yr_fail(r, err, "yaml: line %d: cannot decode !!str `%s` as a !!%s",
				       n->line, n->s, t);
		n->sk = SK_NUM;
	} else {
		goto bad;
	}
	return 0;
bad:
	return yr_fail(r, err, "yaml: line %d: tag \"%s\" is not allowed (only the core schema)",
		       n->line, tag);
}

static void node_append(struct ynode *parent, struct ynode *n)
{
	if (parent->tail)
		parent->tail->next = n;
	else
		parent->child = n;
	parent->tail = n;
	parent->n++;
}

/* Flag keys seen before in the same map.  Quadratic for small maps, hashed
 * for large ones, so a 3 MiB map of labels cannot stall the decoder. */
static void mark_dups(struct ynode *map)
{
	struct pf_hashmap seen = PF_HASHMAP_INIT;
	size_t pairs = map->n / 2;

	if (pairs < 2)
		return;
	if (pairs <= 16) {
		for (struct ynode *k = map->child->next->next; k; k = k->next->next)
			for (struct ynode *j = map->child; j != k; j = j->next->next)
				if (!j->dup && j->len == k->len &&
				    memcmp(j->s, k->s, k->len) == 0) {
					k->dup = true;
					break;
				}
		return;
	}
	for (struct ynode *k = map->child; k; k = k->next->next) {
		if (pf_hashmap_getn(&seen, k->s, k->len))
			k->dup = true;
		else
			pf_hashmap_putn(&seen, k->s, k->len, k);
	}
	pf_hashmap_free(&seen);
}

/*
 * Read the next document into a tree (in r->arena).  Returns 1 with *root
 * (NULL for an empty document), 0 at the end of the stream, -EINVAL.
 */
int pf_yr_next(struct yreader *r, struct ynode **root, struct pf_err *err)
{
	struct ynode *stack[PF_MANIFEST_MAX_DEPTH + 1];
	int depth = 0, ret = 0;
	yaml_event_t ev;

	*root = NULL;
	if (r->done)
		return 0;
	arena_reset(&r->arena);
	for (;;) {
		struct ynode *n = NULL;
		const char *anchor = NULL, *tag = NULL;

		if (!yaml_parser_parse(&r->parser, &ev)) {
			/* go-yaml reports "line N" 1-based for what libyaml found. */
			r->done = true;
			return yr_fail(r, err, "error converting YAML to JSON: yaml: line %zu: %s",
				       r->parser.problem_mark.line + 1,
				       r->parser.problem ? r->parser.problem : "syntax error");
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			r->done = true;
			yaml_event_delete(&ev);
			return 0;
		case YAML_DOCUMENT_START_EVENT:
			if (++r->ndocs > PF_MANIFEST_MAX_DOCS) {
				ret = yr_fail(r, err, "yaml: more than %d documents",
					      PF_MANIFEST_MAX_DOCS);
				goto fail;
			}
			break;
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			return 1;
		case YAML_ALIAS_EVENT:
			ret = yr_fail(r, err, "yaml: anchors and aliases are not allowed");
			goto fail;
		case YAML_SCALAR_EVENT:
			anchor = (const char *)ev.data.scalar.anchor;
			tag = (const char *)ev.data.scalar.tag;
			n = arena_alloc(&r->arena, sizeof(*n));
			n->type = YN_SCALAR;
			n->len = ev.data.scalar.length;
			n->s = memcpy(arena_alloc(&r->arena, n->len + 1), ev.data.scalar.value,
				      n->len);
			if (ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
				n->sk = (uint8_t)pf_yaml_resolve(n->s, &n->bval);
			else
				n->sk = SK_STR;
			break;
		case YAML_SEQUENCE_START_EVENT:
			anchor = (const char *)ev.data.sequence_start.anchor;
			tag = (const char *)ev.data.sequence_start.tag;
			n = arena_alloc(&r->arena, sizeof(*n));
			n->type = YN_SEQ;
			break;
		case YAML_MAPPING_START_EVENT:
			anchor = (const char *)ev.data.mapping_start.anchor;
			tag = (const char *)ev.data.mapping_start.tag;
			n = arena_alloc(&r->arena, sizeof(*n));
			n->type = YN_MAP;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			if (stack[depth]->type == YN_MAP)
				mark_dups(stack[depth]);
			break;
		default:
			break;
		}
		if (n) {
			n->line = (int)ev.start_mark.line + 1;
			if (anchor) {
				ret = yr_fail(r, err, "yaml: anchors and aliases are not allowed");
				goto fail;
			}
			if ((ret = apply_tag(r, n, tag, err)) < 0)
				goto fail;
			if (depth == 0) {
				*root = n;
			} else {
				struct ynode *p = stack[depth - 1];

				if (p->type == YN_MAP && p->n % 2 == 0 && n->type != YN_SCALAR) {
					ret =
					    yr_fail(r, err,
						    "error converting YAML to JSON: yaml: line %d: "
						    "mapping keys must be scalars",
						    n->line);
					goto fail;
				}
				node_append(p, n);
			}
			if (n->type != YN_SCALAR) {
				if (depth >= PF_MANIFEST_MAX_DEPTH) {
					ret = yr_fail(r, err, "yaml: exceeded max depth of %d",
						      PF_MANIFEST_MAX_DEPTH);
					goto fail;
				}
				stack[depth++] = n;
			}
		}
		yaml_event_delete(&ev);
	}
fail:
	yaml_event_delete(&ev);
	r->done = true;
	return ret;
}

void pf_yr_init(struct yreader *r, const char *data, size_t len, const char *src)
{
	memset(r, 0, sizeof(*r));
	yaml_parser_initialize(&r->parser);
	yaml_parser_set_input_string(&r->parser, (const unsigned char *)data, len);
	r->src = src;
}

void pf_yr_done(struct yreader *r)
{
	yaml_parser_delete(&r->parser);
	arena_free(&r->arena);
}
