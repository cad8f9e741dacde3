/*
 * manifest.c - YAML in and YAML out for the Pod, Node and Event of model.h.
 *
 * Decoding is in two stages.  libyaml's events are turned into a small node
 * tree per document (arena-allocated, line numbers kept), refusing anchors,
 * aliases, non-core tags, deep nesting and too many documents while the
 * events arrive, so hostile input never reaches the model.  Then one walker
 * maps the tree onto the structs through per-struct field tables (JSON name,
 * kind, offset, sub-table, Go type for messages): unknown fields, duplicate
 * keys, type errors and nulls are handled once, in the walker, with the API
 * server's wording (sigs.k8s.io/yaml + strict json semantics).  The same
 * tables drive the encoder, so a field added to a table is read and written.
 *
 * Tables are kept in byte order of their JSON names: the encoder writes
 * fields in table order, and kubectl's output has every key sorted.
 *
 * This file must not validate semantics or apply defaults (validate.c does).
 */
#include "manifest.h"
#include "quantity.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <time.h>
#include <yaml.h>

/* ------------------------------------------------------------------------ */
/* Arena: one document's nodes and strings, released at once.               */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *head;
};

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

/* ------------------------------------------------------------------------ */
/* The node tree.                                                             */

enum yn_type { YN_SCALAR, YN_MAP, YN_SEQ };
/* What a scalar is once YAML 1.1 resolution (go-yaml v2) has run. */
enum yn_scalar { SK_NULL, SK_BOOL, SK_NUM, SK_STR };

struct ynode {
	uint8_t type;
	uint8_t sk;
	bool bval;
	bool dup; /* a map key already present earlier in its map */
	int line;
	const char *s; /* scalar text, NUL-terminated */
	size_t len;
	struct ynode *child, *tail, *next; /* map children: key, value, key... */
	size_t n;
};

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
static bool parse_go_int(const char *s, int64_t *out)
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
static bool parse_go_float(const char *s, double *out)
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
static enum yn_scalar resolve_plain(const char *s, bool *bval)
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
		if (parse_go_int(s, &i) || parse_go_float(s, &d))
			return SK_NUM;
	}
	return SK_STR;
}

struct yreader {
	yaml_parser_t parser;
	struct arena arena;
	const char *src; /* NULL: storage mode (no "error parsing" prefix) */
	int ndocs;
	bool done;
};

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
		if (resolve_plain(n->s, &b) != SK_BOOL)
			return yr_fail(r, err,
				       "yaml: line %d: cannot decode !!str `%s` as a !!bool",
				       n->line, n->s);
		n->sk = SK_BOOL;
		n->bval = b;
	} else if (strcmp(t, "int") == 0 || strcmp(t, "float") == 0) {
		bool b;
		if (resolve_plain(n->s, &b) != SK_NUM)
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

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Flag keys seen before in the same map.  Quadratic for small maps, hashed
 * for large ones, so a 3 MiB map of labels cannot stall the decoder. */
static void mark_dups(struct ynode *map)
{
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
	size_t cap = 32;
	while (cap < pairs * 2)
		cap *= 2;
	struct ynode **slots = pf_xcalloc(cap, sizeof(*slots));
	for (struct ynode *k = map->child; k; k = k->next->next) {
		size_t i = hash_str(k->s) & (cap - 1);
		for (; slots[i]; i = (i + 1) & (cap - 1)) {
			if (slots[i]->len == k->len && memcmp(slots[i]->s, k->s, k->len) == 0) {
				k->dup = true;
				break;
			}
		}
		if (!k->dup)
			slots[i] = k;
	}
	free(slots);
}

/*
 * Read the next document into a tree (in r->arena).  Returns 1 with *root
 * (NULL for an empty document), 0 at the end of the stream, -EINVAL.
 */
static int yr_next(struct yreader *r, struct ynode **root, struct pf_err *err)
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
				n->sk = (uint8_t)resolve_plain(n->s, &n->bval);
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

static void yr_init(struct yreader *r, const char *data, size_t len, const char *src)
{
	memset(r, 0, sizeof(*r));
	yaml_parser_initialize(&r->parser);
	yaml_parser_set_input_string(&r->parser, (const unsigned char *)data, len);
	r->src = src;
}

static void yr_done(struct yreader *r)
{
	yaml_parser_delete(&r->parser);
	arena_free(&r->arena);
}

/* ------------------------------------------------------------------------ */
/* Field tables.                                                              */

enum fkind {
	F_STR,	   /* char * */
	F_INT32,   /* int32_t */
	F_INT64,   /* int64_t */
	F_BOOL,	   /* bool */
	F_TRI,	   /* enum pf_tri */
	F_TIME,	   /* int64_t wall ms, RFC 3339 string */
	F_RV,	   /* int64_t written as a quoted decimal string */
	F_STRLIST, /* struct pf_strlist */
	F_STRMAP,  /* struct pf_strmap */
	F_I64LIST, /* int64_t *, count at aux */
	F_QTY,	   /* struct pf_quantity */
	F_RESLIST, /* struct pf_reslist */
	F_INTSTR,  /* struct pf_intstr */
	F_OBJ,	   /* nested object: sub-table at base + off */
	F_LIST,	   /* list of structs: pointer at off, size_t count at aux */
	F_CONST,   /* apiVersion/kind: checked by the caller, written from extra */
	F_IGNORE,  /* accepted and dropped; written as the literal extra if set */
	F_UNSUP,   /* a Kubernetes field podfs does not run: refused when non-empty */
	F_IPLIST,  /* [{ip: X}] derived from the char * at off */
	F_STRFROM, /* [X] derived from the char * at off */
};

#define FL_ALWAYS  0x01 /* written even when empty: "", 0, false, {} */
#define FL_HAS	   0x02 /* aux: bool has_ flag of an optional scalar */
#define FL_TAGI	   0x04 /* aux: enum set to .tag when the key is present */
#define FL_TAGB	   0x08 /* aux: bool set when the key is present */
#define FL_NULL	   0x10 /* F_TIME: written as null when unset */
#define FL_KEEP	   0x20 /* F_STR: written as "" when set but empty */
#define FL_NUMONLY 0x40 /* F_INTSTR: an int32 only */

struct table;

struct field {
	const char *name;
	enum fkind kind;
	unsigned flags;
	size_t off;
	size_t aux;
	int tag;
	const struct table *sub;
	size_t esize;
	const char *gotype; /* for "of type ..." in messages */
	const char *extra;
};

struct table {
	const char *go; /* the Go struct, for "Go struct field X.path" */
	const struct field *f;
	size_t n;
};

#define TABLE(var, goname, fields)                                                                 \
	static const struct table var = {goname, fields, PF_ARRAY_SIZE(fields)}

#define FSTR(T, n, m)                                                                              \
	{                                                                                          \
		.name = n, .kind = F_STR, .off = offsetof(T, m), .gotype = "string"                \
	}
#define FSTRF(T, n, m, fl)                                                                         \
	{                                                                                          \
		.name = n, .kind = F_STR, .flags = fl, .off = offsetof(T, m), .gotype = "string"   \
	}
#define FI32(T, n, m, fl)                                                                          \
	{                                                                                          \
		.name = n, .kind = F_INT32, .flags = fl, .off = offsetof(T, m), .gotype = "int32"  \
	}
#define FI32H(T, n, m, h)                                                                          \
	{                                                                                          \
		.name = n, .kind = F_INT32, .flags = FL_HAS, .off = offsetof(T, m),                \
		.aux = offsetof(T, h), .gotype = "int32"                                           \
	}
#define FI64(T, n, m, fl)                                                                          \
	{                                                                                          \
		.name = n, .kind = F_INT64, .flags = fl, .off = offsetof(T, m), .gotype = "int64"  \
	}
#define FI64H(T, n, m, h)                                                                          \
	{                                                                                          \
		.name = n, .kind = F_INT64, .flags = FL_HAS, .off = offsetof(T, m),                \
		.aux = offsetof(T, h), .gotype = "int64"                                           \
	}
#define FBOOL(T, n, m, fl)                                                                         \
	{                                                                                          \
		.name = n, .kind = F_BOOL, .flags = fl, .off = offsetof(T, m), .gotype = "bool"    \
	}
#define FTRI(T, n, m)                                                                              \
	{                                                                                          \
		.name = n, .kind = F_TRI, .off = offsetof(T, m), .gotype = "bool"                  \
	}
#define FTIME(T, n, m, fl)                                                                         \
	{                                                                                          \
		.name = n, .kind = F_TIME, .flags = fl, .off = offsetof(T, m), .gotype = "v1.Time" \
	}
#define FSTRLIST(T, n, m)                                                                          \
	{                                                                                          \
		.name = n, .kind = F_STRLIST, .off = offsetof(T, m), .gotype = "[]string"          \
	}
#define FSTRMAP(T, n, m)                                                                           \
	{                                                                                          \
		.name = n, .kind = F_STRMAP, .off = offsetof(T, m), .gotype = "map[string]string"  \
	}
#define FQTY(T, n, m)                                                                              \
	{                                                                                          \
		.name = n, .kind = F_QTY, .off = offsetof(T, m), .gotype = "resource.Quantity"     \
	}
#define FRES(T, n, m)                                                                              \
	{                                                                                          \
		.name = n, .kind = F_RESLIST, .off = offsetof(T, m), .gotype = "v1.ResourceList"   \
	}
#define FOBJ(T, n, m, sub_, gt, fl)                                                                \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = fl, .off = offsetof(T, m), .sub = &sub_,        \
		.gotype = gt                                                                       \
	}
/* A nested JSON object whose fields live in the same C struct. */
#define FOBJ0(n, sub_, gt, fl)                                                                     \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = fl, .sub = &sub_, .gotype = gt                  \
	}
#define FOBJTAG(T, n, m, sub_, gt, tagm, tv, what)                                                 \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = FL_TAGI, .off = offsetof(T, m),                 \
		.aux = offsetof(T, tagm), .tag = tv, .sub = &sub_, .gotype = gt, .extra = what     \
	}
#define FOBJSET(T, n, m, sub_, gt, setm)                                                           \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = FL_TAGB, .off = offsetof(T, m),                 \
		.aux = offsetof(T, setm), .sub = &sub_, .gotype = gt                               \
	}
#define FLIST(T, n, m, nm, sub_, gt)                                                               \
	{                                                                                          \
		.name = n, .kind = F_LIST, .off = offsetof(T, m), .aux = offsetof(T, nm),          \
		.esize = sizeof(*((T *)0)->m), .sub = &sub_, .gotype = gt                          \
	}
#define FCONST(n, v)                                                                               \
	{                                                                                          \
		.name = n, .kind = F_CONST, .gotype = "string", .extra = v                         \
	}
#define FIGN(n)                                                                                    \
	{                                                                                          \
		.name = n, .kind = F_IGNORE                                                        \
	}
#define FLIT(n, lit)                                                                               \
	{                                                                                          \
		.name = n, .kind = F_IGNORE, .extra = lit                                          \
	}
#define FUNSUP(n, fmt)                                                                             \
	{                                                                                          \
		.name = n, .kind = F_UNSUP, .extra = fmt                                           \
	}

#define UNSUP_FIELD  "Unsupported value: %s: not supported by podfs"
#define UNSUP_VOLUME "Unsupported value: volume source %s: podfs supports emptyDir and hostPath"
#define UNSUP_ENV    "Unsupported value: %s: podfs supports fieldRef and resourceFieldRef"

/* --- metadata --- */
static const struct field f_meta[] = {
    FSTRMAP(struct pf_object_meta, "annotations", annotations),
    FTIME(struct pf_object_meta, "creationTimestamp", creation_ms, FL_NULL),
    FI64H(struct pf_object_meta, "deletionGracePeriodSeconds", deletion_grace_period_seconds,
	  has_deletion_grace_period_seconds),
    FTIME(struct pf_object_meta, "deletionTimestamp", deletion_ms, 0),
    FSTRLIST(struct pf_object_meta, "finalizers", finalizers),
    FSTR(struct pf_object_meta, "generateName", generate_name),
    FI64(struct pf_object_meta, "generation", generation, 0),
    FSTRMAP(struct pf_object_meta, "labels", labels),
    FIGN("managedFields"),
    FSTR(struct pf_object_meta, "name", name),
    FSTR(struct pf_object_meta, "namespace", namespace_),
    FIGN("ownerReferences"),
    {.name = "resourceVersion",
     .kind = F_RV,
     .off = offsetof(struct pf_object_meta, resource_version),
     .gotype = "string"},
    FIGN("selfLink"),
    FSTR(struct pf_object_meta, "uid", uid),
};
TABLE(t_meta, "ObjectMeta", f_meta);

/* --- handlers (probes and lifecycle hooks) --- */
static const struct field f_exec[] = {
    FSTRLIST(struct pf_handler, "command", exec_command),
};
TABLE(t_exec, "ExecAction", f_exec);

static const struct field f_http_header[] = {
    FSTRF(struct pf_http_header, "name", name, FL_ALWAYS),
    FSTRF(struct pf_http_header, "value", value, FL_ALWAYS),
};
TABLE(t_http_header, "HTTPHeader", f_http_header);

static const struct field f_http_get[] = {
    FSTR(struct pf_handler, "host", host),
    FLIST(struct pf_handler, "httpHeaders", http_headers, n_http_headers, t_http_header,
	  "[]v1.HTTPHeader"),
    FSTR(struct pf_handler, "path", http_path),
    {.name = "port",
     .kind = F_INTSTR,
     .flags = FL_ALWAYS,
     .off = offsetof(struct pf_handler, port),
     .gotype = "intstr.IntOrString"},
    FSTR(struct pf_handler, "scheme", http_scheme),
};
TABLE(t_http_get, "HTTPGetAction", f_http_get);

static const struct field f_tcp[] = {
    FSTR(struct pf_handler, "host", host),
    {.name = "port",
     .kind = F_INTSTR,
     .flags = FL_ALWAYS,
     .off = offsetof(struct pf_handler, port),
     .gotype = "intstr.IntOrString"},
};
TABLE(t_tcp, "TCPSocketAction", f_tcp);

static const struct field f_grpc[] = {
    {.name = "port",
     .kind = F_INTSTR,
     .flags = FL_NUMONLY | FL_ALWAYS,
     .off = offsetof(struct pf_handler, port),
     .gotype = "int32"},
    FSTR(struct pf_handler, "service", grpc_service),
};
TABLE(t_grpc, "GRPCAction", f_grpc);

static const struct field f_sleep[] = {
    FI64(struct pf_handler, "seconds", sleep_seconds, FL_ALWAYS),
};
TABLE(t_sleep, "SleepAction", f_sleep);

/* The handler of a probe lives at hoff inside it; a lifecycle hook is one. */
#define FHANDLER(n, hoff, sub_, gt, tv)                                                            \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = FL_TAGI, .off = (hoff),                         \
		.aux = (hoff) + offsetof(struct pf_handler, kind), .tag = tv, .sub = &sub_,        \
		.gotype = gt, .extra = "handler"                                                   \
	}
#define HANDLER_EXEC_GRPC_HTTP(hoff)                                                               \
	FHANDLER("exec", hoff, t_exec, "v1.ExecAction", PF_HANDLER_EXEC),                          \
	    FHANDLER("grpc", hoff, t_grpc, "v1.GRPCAction", PF_HANDLER_GRPC),                      \
	    FHANDLER("httpGet", hoff, t_http_get, "v1.HTTPGetAction", PF_HANDLER_HTTP)
#define HANDLER_SLEEP_TCP(hoff)                                                                    \
	FHANDLER("sleep", hoff, t_sleep, "v1.SleepAction", PF_HANDLER_SLEEP),                      \
	    FHANDLER("tcpSocket", hoff, t_tcp, "v1.TCPSocketAction", PF_HANDLER_TCP)

static const struct field f_handler[] = {
    HANDLER_EXEC_GRPC_HTTP(0),
    HANDLER_SLEEP_TCP(0),
};
TABLE(t_handler, "LifecycleHandler", f_handler);

static const struct field f_probe[] = {
    FHANDLER("exec", offsetof(struct pf_probe, handler), t_exec, "v1.ExecAction", PF_HANDLER_EXEC),
    FI32(struct pf_probe, "failureThreshold", failure_threshold, 0),
    FHANDLER("grpc", offsetof(struct pf_probe, handler), t_grpc, "v1.GRPCAction", PF_HANDLER_GRPC),
    FHANDLER("httpGet", offsetof(struct pf_probe, handler), t_http_get, "v1.HTTPGetAction",
	     PF_HANDLER_HTTP),
    FI32(struct pf_probe, "initialDelaySeconds", initial_delay_seconds, 0),
    FI32(struct pf_probe, "periodSeconds", period_seconds, 0),
    FI32(struct pf_probe, "successThreshold", success_threshold, 0),
    FHANDLER("tcpSocket", offsetof(struct pf_probe, handler), t_tcp, "v1.TCPSocketAction",
	     PF_HANDLER_TCP),
    FI64H(struct pf_probe, "terminationGracePeriodSeconds", termination_grace_period_seconds,
	  has_termination_grace_period_seconds),
    FI32(struct pf_probe, "timeoutSeconds", timeout_seconds, 0),
};
TABLE(t_probe, "Probe", f_probe);

static const struct field f_lifecycle[] = {
    FOBJ(struct pf_lifecycle, "postStart", post_start, t_handler, "v1.LifecycleHandler", 0),
    FOBJ(struct pf_lifecycle, "preStop", pre_stop, t_handler, "v1.LifecycleHandler", 0),
    FUNSUP("stopSignal", UNSUP_FIELD),
};
TABLE(t_lifecycle, "Lifecycle", f_lifecycle);

/* --- containers --- */
static const struct field f_field_ref[] = {
    FSTR(struct pf_env_var, "apiVersion", field_ref_api),
    FSTR(struct pf_env_var, "fieldPath", field_ref_path),
};
TABLE(t_field_ref, "ObjectFieldSelector", f_field_ref);

static const struct field f_resource_ref[] = {
    FSTR(struct pf_env_var, "containerName", resource_ref_container),
    FQTY(struct pf_env_var, "divisor", resource_ref_divisor),
    FSTR(struct pf_env_var, "resource", resource_ref),
};
TABLE(t_resource_ref, "ResourceFieldSelector", f_resource_ref);

static const struct field f_env_source[] = {
    FUNSUP("configMapKeyRef", UNSUP_ENV),
    FOBJ0("fieldRef", t_field_ref, "v1.ObjectFieldSelector", 0),
    FOBJ0("resourceFieldRef", t_resource_ref, "v1.ResourceFieldSelector", 0),
    FUNSUP("secretKeyRef", UNSUP_ENV),
};
TABLE(t_env_source, "EnvVarSource", f_env_source);

static const struct field f_env[] = {
    FSTRF(struct pf_env_var, "name", name, FL_ALWAYS),
    FSTR(struct pf_env_var, "value", value),
    FOBJ0("valueFrom", t_env_source, "v1.EnvVarSource", 0),
};
TABLE(t_env, "EnvVar", f_env);

static const struct field f_port[] = {
    FI32(struct pf_container_port, "containerPort", container_port, FL_ALWAYS),
    FSTR(struct pf_container_port, "hostIP", host_ip),
    FI32(struct pf_container_port, "hostPort", host_port, 0),
    FSTR(struct pf_container_port, "name", name),
    FSTR(struct pf_container_port, "protocol", protocol),
};
TABLE(t_port, "ContainerPort", f_port);

static const struct field f_resources[] = {
    FUNSUP("claims", UNSUP_FIELD),
    FRES(struct pf_resources, "limits", limits),
    FRES(struct pf_resources, "requests", requests),
};
TABLE(t_resources, "ResourceRequirements", f_resources);

static const struct field f_volume_mount[] = {
    FSTRF(struct pf_volume_mount, "mountPath", mount_path, FL_ALWAYS),
    FSTR(struct pf_volume_mount, "mountPropagation", mount_propagation),
    FSTRF(struct pf_volume_mount, "name", name, FL_ALWAYS),
    FTRI(struct pf_volume_mount, "readOnly", read_only),
    FUNSUP("recursiveReadOnly", UNSUP_FIELD),
    FSTR(struct pf_volume_mount, "subPath", sub_path),
    FUNSUP("subPathExpr", UNSUP_FIELD),
};
TABLE(t_volume_mount, "VolumeMount", f_volume_mount);

static const struct field f_capabilities[] = {
    FSTRLIST(struct pf_capabilities, "add", add),
    FSTRLIST(struct pf_capabilities, "drop", drop),
};
TABLE(t_capabilities, "Capabilities", f_capabilities);

static const struct field f_seccomp[] = {
    FSTR(struct pf_seccomp_profile, "localhostProfile", localhost_profile),
    FSTR(struct pf_seccomp_profile, "type", type),
};
TABLE(t_seccomp, "SeccompProfile", f_seccomp);

static const struct field f_security_context[] = {
    FTRI(struct pf_security_context, "allowPrivilegeEscalation", allow_privilege_escalation),
    FUNSUP("appArmorProfile", UNSUP_FIELD),
    FOBJSET(struct pf_security_context, "capabilities", capabilities, t_capabilities,
	    "v1.Capabilities", capabilities.set),
    FTRI(struct pf_security_context, "privileged", privileged),
    FSTR(struct pf_security_context, "procMount", proc_mount),
    FTRI(struct pf_security_context, "readOnlyRootFilesystem", read_only_root_filesystem),
    FI64H(struct pf_security_context, "runAsGroup", run_as_group, has_run_as_group),
    FTRI(struct pf_security_context, "runAsNonRoot", run_as_non_root),
    FI64H(struct pf_security_context, "runAsUser", run_as_user, has_run_as_user),
    FUNSUP("seLinuxOptions", UNSUP_FIELD),
    FOBJ(struct pf_security_context, "seccompProfile", seccomp, t_seccomp, "v1.SeccompProfile", 0),
    FUNSUP("windowsOptions", UNSUP_FIELD),
};
TABLE(t_security_context, "SecurityContext", f_security_context);

static const struct field f_container[] = {
    FSTRLIST(struct pf_container, "args", args),
    FSTRLIST(struct pf_container, "command", command),
    FLIST(struct pf_container, "env", env, n_env, t_env, "[]v1.EnvVar"),
    FUNSUP("envFrom", UNSUP_FIELD),
    FSTR(struct pf_container, "image", image),
    FSTR(struct pf_container, "imagePullPolicy", image_pull_policy),
    FOBJ(struct pf_container, "lifecycle", lifecycle, t_lifecycle, "v1.Lifecycle", 0),
    FOBJSET(struct pf_container, "livenessProbe", liveness_probe, t_probe, "v1.Probe",
	    liveness_probe.set),
    FSTRF(struct pf_container, "name", name, FL_ALWAYS),
    FLIST(struct pf_container, "ports", ports, n_ports, t_port, "[]v1.ContainerPort"),
    FOBJSET(struct pf_container, "readinessProbe", readiness_probe, t_probe, "v1.Probe",
	    readiness_probe.set),
    FUNSUP("resizePolicy", UNSUP_FIELD),
    FOBJ(struct pf_container, "resources", resources, t_resources, "v1.ResourceRequirements",
	 FL_ALWAYS),
    FSTR(struct pf_container, "restartPolicy", restart_policy),
    FOBJSET(struct pf_container, "securityContext", security_context, t_security_context,
	    "v1.SecurityContext", security_context.set),
    FOBJSET(struct pf_container, "startupProbe", startup_probe, t_probe, "v1.Probe",
	    startup_probe.set),
    FTRI(struct pf_container, "stdin", stdin_),
    FTRI(struct pf_container, "stdinOnce", stdin_once),
    FSTR(struct pf_container, "terminationMessagePath", termination_message_path),
    FSTR(struct pf_container, "terminationMessagePolicy", termination_message_policy),
    FTRI(struct pf_container, "tty", tty),
    FUNSUP("volumeDevices", UNSUP_FIELD),
    FLIST(struct pf_container, "volumeMounts", volume_mounts, n_volume_mounts, t_volume_mount,
	  "[]v1.VolumeMount"),
    FSTR(struct pf_container, "workingDir", working_dir),
};
TABLE(t_container, "Container", f_container);

/* --- volumes --- */
static const struct field f_empty_dir[] = {
    FSTR(struct pf_volume, "medium", empty_dir_medium),
    FQTY(struct pf_volume, "sizeLimit", empty_dir_size_limit),
};
TABLE(t_empty_dir, "EmptyDirVolumeSource", f_empty_dir);

static const struct field f_host_path[] = {
    FSTRF(struct pf_volume, "path", host_path, FL_ALWAYS),
    FSTRF(struct pf_volume, "type", host_path_type, FL_KEEP),
};
TABLE(t_host_path, "HostPathVolumeSource", f_host_path);

#define FVOLUME(n, sub_, gt, tv)                                                                   \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = FL_TAGI,                                        \
		.aux = offsetof(struct pf_volume, kind), .tag = tv, .sub = &sub_, .gotype = gt,    \
		.extra = "volume"                                                                  \
	}

static const struct field f_volume[] = {
    FUNSUP("awsElasticBlockStore", UNSUP_VOLUME),
    FUNSUP("azureDisk", UNSUP_VOLUME),
    FUNSUP("azureFile", UNSUP_VOLUME),
    FUNSUP("cephfs", UNSUP_VOLUME),
    FUNSUP("cinder", UNSUP_VOLUME),
    FUNSUP("configMap", UNSUP_VOLUME),
    FUNSUP("csi", UNSUP_VOLUME),
    FUNSUP("downwardAPI", UNSUP_VOLUME),
    FVOLUME("emptyDir", t_empty_dir, "v1.EmptyDirVolumeSource", PF_VOLUME_EMPTYDIR),
    FUNSUP("ephemeral", UNSUP_VOLUME),
    FUNSUP("fc", UNSUP_VOLUME),
    FUNSUP("flexVolume", UNSUP_VOLUME),
    FUNSUP("flocker", UNSUP_VOLUME),
    FUNSUP("gcePersistentDisk", UNSUP_VOLUME),
    FUNSUP("gitRepo", UNSUP_VOLUME),
    FUNSUP("glusterfs", UNSUP_VOLUME),
    FVOLUME("hostPath", t_host_path, "v1.HostPathVolumeSource", PF_VOLUME_HOSTPATH),
    FUNSUP("image", UNSUP_VOLUME),
    FUNSUP("iscsi", UNSUP_VOLUME),
    FSTRF(struct pf_volume, "name", name, FL_ALWAYS),
    FUNSUP("nfs", UNSUP_VOLUME),
    FUNSUP("persistentVolumeClaim", UNSUP_VOLUME),
    FUNSUP("photonPersistentDisk", UNSUP_VOLUME),
    FUNSUP("portworxVolume", UNSUP_VOLUME),
    FUNSUP("projected", UNSUP_VOLUME),
    FUNSUP("quobyte", UNSUP_VOLUME),
    FUNSUP("rbd", UNSUP_VOLUME),
    FUNSUP("scaleIO", UNSUP_VOLUME),
    FUNSUP("secret", UNSUP_VOLUME),
    FUNSUP("storageos", UNSUP_VOLUME),
    FUNSUP("vsphereVolume", UNSUP_VOLUME),
};
TABLE(t_volume, "Volume", f_volume);

/* --- pod spec --- */
static const struct field f_toleration[] = {
    FSTR(struct pf_toleration, "effect", effect),
    FSTR(struct pf_toleration, "key", key),
    FSTR(struct pf_toleration, "operator", operator_),
    FI64H(struct pf_toleration, "tolerationSeconds", toleration_seconds, has_toleration_seconds),
    FSTR(struct pf_toleration, "value", value),
};
TABLE(t_toleration, "Toleration", f_toleration);

static const struct field f_sysctl[] = {
    FSTRF(struct pf_sysctl, "name", name, FL_ALWAYS),
    FSTRF(struct pf_sysctl, "value", value, FL_ALWAYS),
};
TABLE(t_sysctl, "Sysctl", f_sysctl);

static const struct field f_pod_security_context[] = {
    FUNSUP("appArmorProfile", UNSUP_FIELD),
    FI64H(struct pf_pod_security_context, "fsGroup", fs_group, has_fs_group),
    FUNSUP("fsGroupChangePolicy", UNSUP_FIELD),
    FI64H(struct pf_pod_security_context, "runAsGroup", run_as_group, has_run_as_group),
    FTRI(struct pf_pod_security_context, "runAsNonRoot", run_as_non_root),
    FI64H(struct pf_pod_security_context, "runAsUser", run_as_user, has_run_as_user),
    FUNSUP("seLinuxChangePolicy", UNSUP_FIELD),
    FUNSUP("seLinuxOptions", UNSUP_FIELD),
    FOBJ(struct pf_pod_security_context, "seccompProfile", seccomp, t_seccomp, "v1.SeccompProfile",
	 0),
    {.name = "supplementalGroups",
     .kind = F_I64LIST,
     .off = offsetof(struct pf_pod_security_context, supplemental_groups),
     .aux = offsetof(struct pf_pod_security_context, n_supplemental_groups),
     .gotype = "[]int64"},
    FUNSUP("supplementalGroupsPolicy", UNSUP_FIELD),
    FLIST(struct pf_pod_security_context, "sysctls", sysctls, n_sysctls, t_sysctl, "[]v1.Sysctl"),
    FUNSUP("windowsOptions", UNSUP_FIELD),
};
TABLE(t_pod_security_context, "PodSecurityContext", f_pod_security_context);

static const struct field f_pod_spec[] = {
    FI64H(struct pf_pod_spec, "activeDeadlineSeconds", active_deadline_seconds,
	  has_active_deadline_seconds),
    FUNSUP("affinity", UNSUP_FIELD),
    FTRI(struct pf_pod_spec, "automountServiceAccountToken", automount_service_account_token),
    FLIST(struct pf_pod_spec, "containers", containers, n_containers, t_container,
	  "[]v1.Container"),
    FUNSUP("dnsConfig", UNSUP_FIELD),
    FSTR(struct pf_pod_spec, "dnsPolicy", dns_policy),
    FTRI(struct pf_pod_spec, "enableServiceLinks", enable_service_links),
    FUNSUP("ephemeralContainers", UNSUP_FIELD),
    FUNSUP("hostAliases", UNSUP_FIELD),
    FTRI(struct pf_pod_spec, "hostIPC", host_ipc),
    FTRI(struct pf_pod_spec, "hostNetwork", host_network),
    FTRI(struct pf_pod_spec, "hostPID", host_pid),
    FUNSUP("hostUsers", UNSUP_FIELD),
    FSTR(struct pf_pod_spec, "hostname", hostname),
    FUNSUP("imagePullSecrets", UNSUP_FIELD),
    FLIST(struct pf_pod_spec, "initContainers", init_containers, n_init_containers, t_container,
	  "[]v1.Container"),
    FSTR(struct pf_pod_spec, "nodeName", node_name),
    FSTRMAP(struct pf_pod_spec, "nodeSelector", node_selector),
    FUNSUP("os", UNSUP_FIELD),
    FUNSUP("overhead", UNSUP_FIELD),
    FSTR(struct pf_pod_spec, "preemptionPolicy", preemption_policy),
    FI32H(struct pf_pod_spec, "priority", priority, has_priority),
    FSTR(struct pf_pod_spec, "priorityClassName", priority_class_name),
    FUNSUP("readinessGates", UNSUP_FIELD),
    FUNSUP("resourceClaims", UNSUP_FIELD),
    FSTR(struct pf_pod_spec, "restartPolicy", restart_policy),
    FUNSUP("runtimeClassName", UNSUP_FIELD),
    FSTR(struct pf_pod_spec, "schedulerName", scheduler_name),
    FUNSUP("schedulingGates", UNSUP_FIELD),
    FOBJ(struct pf_pod_spec, "securityContext", security_context, t_pod_security_context,
	 "v1.PodSecurityContext", FL_ALWAYS),
    /* The deprecated alias; the API server shows both with the same value. */
    FSTR(struct pf_pod_spec, "serviceAccount", service_account_name),
    FSTR(struct pf_pod_spec, "serviceAccountName", service_account_name),
    FUNSUP("setHostnameAsFQDN", UNSUP_FIELD),
    FTRI(struct pf_pod_spec, "shareProcessNamespace", share_process_namespace),
    FSTR(struct pf_pod_spec, "subdomain", subdomain),
    FI64H(struct pf_pod_spec, "terminationGracePeriodSeconds", termination_grace_period_seconds,
	  has_termination_grace_period_seconds),
    FLIST(struct pf_pod_spec, "tolerations", tolerations, n_tolerations, t_toleration,
	  "[]v1.Toleration"),
    FUNSUP("topologySpreadConstraints", UNSUP_FIELD),
    FLIST(struct pf_pod_spec, "volumes", volumes, n_volumes, t_volume, "[]v1.Volume"),
};
TABLE(t_pod_spec, "PodSpec", f_pod_spec);

/* --- pod status --- */
static const struct field f_pod_condition[] = {
    FTIME(struct pf_condition, "lastProbeTime", last_probe_ms, FL_NULL),
    FTIME(struct pf_condition, "lastTransitionTime", last_transition_ms, FL_NULL),
    FSTR(struct pf_condition, "message", message),
    FIGN("observedGeneration"),
    FSTR(struct pf_condition, "reason", reason),
    FSTRF(struct pf_condition, "status", status, FL_ALWAYS),
    FSTRF(struct pf_condition, "type", type, FL_ALWAYS),
};
TABLE(t_pod_condition, "PodCondition", f_pod_condition);

static const struct field f_state_waiting[] = {
    FSTR(struct pf_container_state, "message", message),
    FSTR(struct pf_container_state, "reason", reason),
};
TABLE(t_state_waiting, "ContainerStateWaiting", f_state_waiting);

static const struct field f_state_running[] = {
    FTIME(struct pf_container_state, "startedAt", started_ms, FL_NULL),
};
TABLE(t_state_running, "ContainerStateRunning", f_state_running);

static const struct field f_state_terminated[] = {
    FSTR(struct pf_container_state, "containerID", container_id),
    FI32(struct pf_container_state, "exitCode", exit_code, FL_ALWAYS),
    FTIME(struct pf_container_state, "finishedAt", finished_ms, FL_NULL),
    FSTR(struct pf_container_state, "message", message),
    FSTR(struct pf_container_state, "reason", reason),
    FI32(struct pf_container_state, "signal", signal, 0),
    FTIME(struct pf_container_state, "startedAt", started_ms, FL_NULL),
};
TABLE(t_state_terminated, "ContainerStateTerminated", f_state_terminated);

#define FSTATE(n, sub_, gt, tv)                                                                    \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = FL_TAGI,                                        \
		.aux = offsetof(struct pf_container_state, kind), .tag = tv, .sub = &sub_,         \
		.gotype = gt, .extra = "state"                                                     \
	}

static const struct field f_container_state[] = {
    FSTATE("running", t_state_running, "v1.ContainerStateRunning", PF_CSTATE_RUNNING),
    FSTATE("terminated", t_state_terminated, "v1.ContainerStateTerminated", PF_CSTATE_TERMINATED),
    FSTATE("waiting", t_state_waiting, "v1.ContainerStateWaiting", PF_CSTATE_WAITING),
};
TABLE(t_container_state, "ContainerState", f_container_state);

static const struct field f_container_status[] = {
    FIGN("allocatedResources"),
    FIGN("allocatedResourcesStatus"),
    FSTR(struct pf_container_status, "containerID", container_id),
    FSTRF(struct pf_container_status, "image", image, FL_ALWAYS),
    FSTRF(struct pf_container_status, "imageID", image_id, FL_ALWAYS),
    FOBJ(struct pf_container_status, "lastState", last_state, t_container_state,
	 "v1.ContainerState", FL_ALWAYS),
    FSTRF(struct pf_container_status, "name", name, FL_ALWAYS),
    FBOOL(struct pf_container_status, "ready", ready, FL_ALWAYS),
    FIGN("resources"),
    FI32(struct pf_container_status, "restartCount", restart_count, FL_ALWAYS),
    FTRI(struct pf_container_status, "started", started),
    FOBJ(struct pf_container_status, "state", state, t_container_state, "v1.ContainerState",
	 FL_ALWAYS),
    FIGN("stopSignal"),
    FIGN("user"),
    FIGN("volumeMounts"),
};
TABLE(t_container_status, "ContainerStatus", f_container_status);

static const struct field f_pod_status[] = {
    FLIST(struct pf_pod_status, "conditions", conditions, n_conditions, t_pod_condition,
	  "[]v1.PodCondition"),
    FLIST(struct pf_pod_status, "containerStatuses", container_statuses, n_container_statuses,
	  t_container_status, "[]v1.ContainerStatus"),
    FIGN("ephemeralContainerStatuses"),
    FSTR(struct pf_pod_status, "hostIP", host_ip),
    {.name = "hostIPs", .kind = F_IPLIST, .off = offsetof(struct pf_pod_status, host_ip)},
    FLIST(struct pf_pod_status, "initContainerStatuses", init_container_statuses,
	  n_init_container_statuses, t_container_status, "[]v1.ContainerStatus"),
    FSTR(struct pf_pod_status, "message", message),
    FSTR(struct pf_pod_status, "nominatedNodeName", nominated_node_name),
    FIGN("observedGeneration"),
    FSTR(struct pf_pod_status, "phase", phase),
    FSTR(struct pf_pod_status, "podIP", pod_ip),
    {.name = "podIPs", .kind = F_IPLIST, .off = offsetof(struct pf_pod_status, pod_ip)},
    FSTR(struct pf_pod_status, "qosClass", qos_class),
    FSTR(struct pf_pod_status, "reason", reason),
    FIGN("resize"),
    FIGN("resourceClaimStatuses"),
    FTIME(struct pf_pod_status, "startTime", start_time_ms, 0),
};
TABLE(t_pod_status, "PodStatus", f_pod_status);

static const struct field f_pod[] = {
    FCONST("apiVersion", "v1"),
    FCONST("kind", "Pod"),
    FOBJ(struct pf_pod, "metadata", meta, t_meta, "v1.ObjectMeta", FL_ALWAYS),
    FOBJ(struct pf_pod, "spec", spec, t_pod_spec, "v1.PodSpec", FL_ALWAYS),
    FOBJ(struct pf_pod, "status", status, t_pod_status, "v1.PodStatus", FL_ALWAYS),
};
TABLE(t_pod, "Pod", f_pod);

/* --- node --- */
static const struct field f_taint[] = {
    FSTRF(struct pf_taint, "effect", effect, FL_ALWAYS),
    FSTRF(struct pf_taint, "key", key, FL_ALWAYS),
    FTIME(struct pf_taint, "timeAdded", time_added_ms, 0),
    FSTR(struct pf_taint, "value", value),
};
TABLE(t_taint, "Taint", f_taint);

static const struct field f_node_spec[] = {
    FIGN("configSource"),
    FIGN("externalID"),
    FSTR(struct pf_node, "podCIDR", pod_cidr),
    {.name = "podCIDRs", .kind = F_STRFROM, .off = offsetof(struct pf_node, pod_cidr)},
    FIGN("providerID"),
    FLIST(struct pf_node, "taints", taints, n_taints, t_taint, "[]v1.Taint"),
    FBOOL(struct pf_node, "unschedulable", unschedulable, 0),
};
TABLE(t_node_spec, "NodeSpec", f_node_spec);

static const struct field f_node_address[] = {
    FSTRF(struct pf_node_address, "address", address, FL_ALWAYS),
    FSTRF(struct pf_node_address, "type", type, FL_ALWAYS),
};
TABLE(t_node_address, "NodeAddress", f_node_address);

static const struct field f_node_condition[] = {
    FTIME(struct pf_condition, "lastHeartbeatTime", last_probe_ms, FL_NULL),
    FTIME(struct pf_condition, "lastTransitionTime", last_transition_ms, FL_NULL),
    FSTR(struct pf_condition, "message", message),
    FSTR(struct pf_condition, "reason", reason),
    FSTRF(struct pf_condition, "status", status, FL_ALWAYS),
    FSTRF(struct pf_condition, "type", type, FL_ALWAYS),
};
TABLE(t_node_condition, "NodeCondition", f_node_condition);

static const struct field f_node_info[] = {
    FSTRF(struct pf_node, "architecture", arch, FL_ALWAYS),
    FIGN("bootID"),
    FSTRF(struct pf_node, "containerRuntimeVersion", container_runtime_version, FL_ALWAYS),
    FSTRF(struct pf_node, "kernelVersion", kernel_version, FL_ALWAYS),
    FIGN("kubeProxyVersion"),
    FSTRF(struct pf_node, "kubeletVersion", kubelet_version, FL_ALWAYS),
    FSTRF(struct pf_node, "machineID", machine_id, FL_ALWAYS),
    FSTRF(struct pf_node, "operatingSystem", os, FL_ALWAYS),
    FSTRF(struct pf_node, "osImage", os_image, FL_ALWAYS),
    FIGN("swap"),
    FIGN("systemUUID"),
};
TABLE(t_node_info, "NodeSystemInfo", f_node_info);

static const struct field f_node_status[] = {
    FLIST(struct pf_node, "addresses", addresses, n_addresses, t_node_address, "[]v1.NodeAddress"),
    FRES(struct pf_node, "allocatable", allocatable),
    FRES(struct pf_node, "capacity", capacity),
    FLIST(struct pf_node, "conditions", conditions, n_conditions, t_node_condition,
	  "[]v1.NodeCondition"),
    FIGN("config"),
    FIGN("daemonEndpoints"),
    FIGN("features"),
    FIGN("images"),
    FOBJ0("nodeInfo", t_node_info, "v1.NodeSystemInfo", FL_ALWAYS),
    FIGN("phase"),
    FIGN("runtimeHandlers"),
    FIGN("volumesAttached"),
    FIGN("volumesInUse"),
};
TABLE(t_node_status, "NodeStatus", f_node_status);

static const struct field f_node[] = {
    FCONST("apiVersion", "v1"),
    FCONST("kind", "Node"),
    FOBJ(struct pf_node, "metadata", meta, t_meta, "v1.ObjectMeta", FL_ALWAYS),
    FOBJ0("spec", t_node_spec, "v1.NodeSpec", FL_ALWAYS),
    FOBJ0("status", t_node_status, "v1.NodeStatus", FL_ALWAYS),
};
TABLE(t_node, "Node", f_node);

/* --- event --- */
static const struct field f_involved[] = {
    FIGN("apiVersion"),
    FSTR(struct pf_event, "fieldPath", involved_field_path),
    FSTR(struct pf_event, "kind", involved_kind),
    FSTR(struct pf_event, "name", involved_name),
    FSTR(struct pf_event, "namespace", involved_namespace),
    FIGN("resourceVersion"),
    FSTR(struct pf_event, "uid", involved_uid),
};
TABLE(t_involved, "ObjectReference", f_involved);

static const struct field f_event_source[] = {
    FSTR(struct pf_event, "component", source_component),
    FSTR(struct pf_event, "host", source_host),
};
TABLE(t_event_source, "EventSource", f_event_source);

static const struct field f_event[] = {
    FIGN("action"),
    FCONST("apiVersion", "v1"),
    FI32(struct pf_event, "count", count, 0),
    FLIT("eventTime", "null"),
    FTIME(struct pf_event, "firstTimestamp", first_ms, FL_NULL),
    FOBJ0("involvedObject", t_involved, "v1.ObjectReference", FL_ALWAYS),
    FCONST("kind", "Event"),
    FTIME(struct pf_event, "lastTimestamp", last_ms, FL_NULL),
    FSTR(struct pf_event, "message", message),
    FOBJ(struct pf_event, "metadata", meta, t_meta, "v1.ObjectMeta", FL_ALWAYS),
    FSTR(struct pf_event, "reason", reason),
    FIGN("related"),
    FLIT("reportingComponent", "\"\""),
    FLIT("reportingInstance", "\"\""),
    FIGN("series"),
    FOBJ0("source", t_event_source, "v1.EventSource", FL_ALWAYS),
    FSTR(struct pf_event, "type", type),
};
TABLE(t_event, "Event", f_event);

/* A List of Pods: each item is decoded as a Pod document of its own. */
static const struct field f_list[] = {
    FCONST("apiVersion", "v1"),
    FIGN("items"),
    FCONST("kind", "List"),
    FIGN("metadata"),
};
TABLE(t_list, "List", f_list);

/* ------------------------------------------------------------------------ */
/* The walker: tree -> struct.                                                */

struct dctx {
	char path[1024]; /* spec.containers[0].image */
	size_t plen;
	struct pf_buf strict; /* collected strict decoding errors, ", "-joined */
	char invalid[1024];   /* first refusal of a field podfs cannot run */
	struct pf_err *err;
};

static size_t path_push(struct dctx *c, const char *fmt, ...) PF_PRINTF(2, 3);
static size_t path_push(struct dctx *c, const char *fmt, ...)
{
	size_t old = c->plen, room = sizeof(c->path) - c->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + c->plen, room, fmt, ap);
	va_end(ap);
	c->plen = (n < 0 || (size_t)n >= room) ? sizeof(c->path) - 1 : c->plen + (size_t)n;
	return old;
}

static size_t path_key(struct dctx *c, const char *key)
{
	return path_push(c, "%s%s", c->plen ? "." : "", key);
}

static void path_pop(struct dctx *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

/* encoding/json names the field by its path without list indices. */
static void go_path(const struct dctx *c, char *out, size_t size)
{
	size_t j = 0;
	bool skip = false;

	for (size_t i = 0; i < c->plen && j + 1 < size; i++) {
		if (c->path[i] == '[')
			skip = true;
		else if (c->path[i] == ']')
			skip = false;
		else if (!skip)
			out[j++] = c->path[i];
	}
	out[j] = '\0';
}

static const char *json_kind(const struct ynode *v)
{
	if (v->type == YN_MAP)
		return "object";
	if (v->type == YN_SEQ)
		return "array";
	switch (v->sk) {
	case SK_BOOL:
		return "bool";
	case SK_NUM:
		return "number";
	case SK_NULL:
		return "null";
	default:
		return "string";
	}
}

static int type_err(struct dctx *c, const struct ynode *v, const char *gostruct, const char *gotype,
		    bool with_number)
{
	char gp[1024];

	go_path(c, gp, sizeof(gp));
	if (with_number)
		return pf_err_set(
		    c->err, EINVAL,
		    "json: cannot unmarshal number %s into Go struct field %s.%s of type %s", v->s,
		    gostruct, gp, gotype);
	return pf_err_set(c->err, EINVAL,
			  "json: cannot unmarshal %s into Go struct field %s.%s of type %s",
			  json_kind(v), gostruct, gp, gotype);
}

static void strict_add(struct dctx *c, const char *fmt, ...) PF_PRINTF(2, 3);
static void strict_add(struct dctx *c, const char *fmt, ...)
{
	va_list ap;

	/* Enough to name the problems; the error object holds 4 KiB anyway. */
	if (c->strict.len > 2048)
		return;
	if (c->strict.len)
		pf_buf_adds(&c->strict, ", ");
	va_start(ap, fmt);
	pf_buf_vaddf(&c->strict, fmt, ap);
	va_end(ap);
}

static void invalid(struct dctx *c, const char *fmt, ...) PF_PRINTF(2, 3);
static void invalid(struct dctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->invalid[0])
		return;
	va_start(ap, fmt);
	vsnprintf(c->invalid, sizeof(c->invalid), fmt, ap);
	va_end(ap);
}

static bool is_null(const struct ynode *v)
{
	return v->type == YN_SCALAR && v->sk == SK_NULL;
}

static bool is_scalar(const struct ynode *v, enum yn_scalar sk)
{
	return v->type == YN_SCALAR && v->sk == sk;
}

/* An integer as encoding/json reads the JSON number sigs.k8s.io/yaml wrote:
 * integral floats ("1e3", "2.0") are integers there too. */
static bool yaml_int(const char *s, int64_t *out)
{
	double d;

	if (parse_go_int(s, out))
		return true;
	if (!parse_go_float(s, &d) || !isfinite(d) || d != floor(d) || fabs(d) >= 9.2e18)
		return false;
	*out = (int64_t)d;
	return true;
}

/* RFC 3339 as metav1.Time reads it: Z or a numeric offset, optional fraction. */
static int parse_time(const char *s, int64_t *ms)
{
	struct tm tm = {0};
	const char *p;
	int64_t frac = 0, off = 0;

	if (pf_parse_time(s, ms) == 0)
		return 0;
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				frac = frac * 10 + (*p - '0');
		if (!digits)
			return -EINVAL;
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if ((*p == '+' || *p == '-') && p[1] >= '0' && p[1] <= '2' && p[3] == ':' && !p[6]) {
		int h = (p[1] - '0') * 10 + (p[2] - '0'), m = (p[4] - '0') * 10 + (p[5] - '0');
		off = (int64_t)(h * 3600 + m * 60) * (*p == '-' ? -1 : 1);
	} else if (!(*p == 'Z' && !p[1])) {
		return -EINVAL;
	}
	*ms = ((int64_t)timegm(&tm) - off) * 1000 + frac;
	return 0;
}

static int dec_struct(struct dctx *c, const struct table *t, const struct ynode *map, char *base);

static int dec_quantity(struct dctx *c, const struct ynode *v, struct pf_quantity *q)
{
	struct pf_err qerr = PF_ERR_INIT;
	char num[32];
	const char *s = v->s;
	int64_t i;

	if (v->type != YN_SCALAR)
		s = "";
	else if (v->sk == SK_NUM && parse_go_int(v->s, &i))
		s = (snprintf(num, sizeof(num), "%lld", (long long)i), num);
	/* An overflow is an invalid manifest too: EINVAL, whatever quantity.c says. */
	if (pf_quantity_set(q, s, &qerr) < 0)
		return pf_err_set(c->err, EINVAL, "%s", qerr.msg);
	return 0;
}

static int dec_reslist(struct dctx *c, const struct table *t, const struct field *f,
		       const struct ynode *v, struct pf_reslist *l)
{
	if (v->type != YN_MAP)
		return type_err(c, v, t->go, f->gotype, false);
	pf_reslist_free(l);
	l->items = pf_xcalloc(v->n / 2 + 1, sizeof(*l->items));
	for (const struct ynode *k = v->child; k; k = k->next->next) {
		struct pf_resource *r;
		size_t old;
		int rc;

		if (k->dup) {
			strict_add(c, "json: duplicate field \"%s\"", k->s);
			continue;
		}
		r = &l->items[l->n++];
		r->name = pf_xstrdup(k->s);
		old = path_key(c, k->s);
		rc = is_null(k->next) ? pf_quantity_set(&r->q, "0", c->err)
				      : dec_quantity(c, k->next, &r->q);
		path_pop(c, old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int dec_field(struct dctx *c, const struct table *t, const struct field *f,
		     const struct ynode *v, char *base)
{
	char *p = base + f->off;
	int64_t i;

	if (is_null(v))
		return 0; /* null is "unset", as encoding/json leaves the field alone */
	switch (f->kind) {
	case F_STR:
		if (!is_scalar(v, SK_STR))
			return type_err(c, v, t->go, f->gotype, false);
		free(*(char **)p);
		*(char **)p = pf_xstrndup(v->s, v->len);
		return 0;
	case F_INT32:
	case F_INT64:
		if (!is_scalar(v, SK_NUM))
			return type_err(c, v, t->go, f->gotype, false);
		if (!yaml_int(v->s, &i) || (f->kind == F_INT32 && (i < INT32_MIN || i > INT32_MAX)))
			return type_err(c, v, t->go, f->gotype, true);
		if (f->kind == F_INT32)
			*(int32_t *)p = (int32_t)i;
		else
			*(int64_t *)p = i;
		if (f->flags & FL_HAS)
			*(bool *)(base + f->aux) = true;
		return 0;
	case F_BOOL:
	case F_TRI:
		if (!is_scalar(v, SK_BOOL))
			return type_err(c, v, t->go, f->gotype, false);
		if (f->kind == F_BOOL)
			*(bool *)p = v->bval;
		else
			*(enum pf_tri *)p = v->bval ? PF_TRUE : PF_FALSE;
		return 0;
	case F_TIME:
		if (!is_scalar(v, SK_STR))
			return pf_err_set(c->err, EINVAL,
					  "json: cannot unmarshal %s into Go value of type string",
					  json_kind(v));
		if (parse_time(v->s, (int64_t *)p) < 0)
			return pf_err_set(c->err, EINVAL,
					  "parsing time \"%s\" as \"2006-01-02T15:04:05Z07:00\": "
					  "cannot parse \"%s\" as \"2006\"",
					  v->s, v->s);
		return 0;
	case F_RV:
		if (!is_scalar(v, SK_STR))
			return type_err(c, v, t->go, f->gotype, false);
		*(int64_t *)p = strtoll(v->s, NULL, 10);
		return 0;
	case F_STRLIST: {
		struct pf_strlist *l = (struct pf_strlist *)p;

		if (v->type != YN_SEQ)
			return type_err(c, v, t->go, f->gotype, false);
		pf_strlist_free(l);
		l->items = pf_xcalloc(v->n + 1, sizeof(*l->items));
		for (const struct ynode *e = v->child; e; e = e->next) {
			if (!is_null(e) && !is_scalar(e, SK_STR))
				return type_err(c, e, t->go, "string", false);
			l->items[l->n++] = pf_xstrdup(is_null(e) ? "" : e->s);
		}
		return 0;
	}
	case F_STRMAP: {
		struct pf_strmap *m = (struct pf_strmap *)p;

		if (v->type != YN_MAP)
			return type_err(c, v, t->go, f->gotype, false);
		pf_strmap_free(m);
		m->items = pf_xcalloc(v->n / 2 + 1, sizeof(*m->items));
		for (const struct ynode *k = v->child; k; k = k->next->next) {
			const struct ynode *val = k->next;

			if (k->dup) {
				strict_add(c, "json: duplicate field \"%s\"", k->s);
				continue;
			}
			if (!is_null(val) && !is_scalar(val, SK_STR))
				return type_err(c, val, t->go, "string", false);
			m->items[m->n].key = pf_xstrdup(k->s);
			m->items[m->n].value = pf_xstrdup(is_null(val) ? "" : val->s);
			m->n++;
		}
		return 0;
	}
	case F_I64LIST: {
		int64_t **arr = (int64_t **)p;
		size_t *n = (size_t *)(base + f->aux);

		if (v->type != YN_SEQ)
			return type_err(c, v, t->go, f->gotype, false);
		free(*arr);
		*arr = pf_xcalloc(v->n + 1, sizeof(**arr));
		*n = 0;
		for (const struct ynode *e = v->child; e; e = e->next) {
			if (!is_scalar(e, SK_NUM))
				return type_err(c, e, t->go, "int64", false);
			if (!yaml_int(e->s, &i))
				return type_err(c, e, t->go, "int64", true);
			(*arr)[(*n)++] = i;
		}
		return 0;
	}
	case F_QTY:
		return dec_quantity(c, v, (struct pf_quantity *)p);
	case F_RESLIST:
		return dec_reslist(c, t, f, v, (struct pf_reslist *)p);
	case F_INTSTR: {
		struct pf_intstr *is = (struct pf_intstr *)p;

		if (is_scalar(v, SK_NUM)) {
			if (!yaml_int(v->s, &i) || i < INT32_MIN || i > INT32_MAX)
				return type_err(c, v, t->go, "int32", true);
			free(is->str);
			is->str = NULL;
			is->is_str = false;
			is->num = (int32_t)i;
			return 0;
		}
		if (!is_scalar(v, SK_STR) || (f->flags & FL_NUMONLY))
			return type_err(c, v, t->go, f->gotype, false);
		free(is->str);
		is->str = pf_xstrdup(v->s);
		is->is_str = true;
		is->num = 0;
		return 0;
	}
	case F_OBJ:
		if (v->type != YN_MAP)
			return type_err(c, v, t->go, f->gotype, false);
		if (f->flags & FL_TAGI) {
			int *tag = (int *)(base + f->aux);

			if (*tag && *tag != f->tag)
				invalid(c, "%s: Forbidden: may not specify more than 1 %s type",
					c->path, f->extra);
			*tag = f->tag;
		} else if (f->flags & FL_TAGB) {
			*(bool *)(base + f->aux) = true;
		}
		return dec_struct(c, f->sub, v, p);
	case F_LIST: {
		void **arr = (void **)p;
		size_t *n = (size_t *)(base + f->aux);

		if (v->type != YN_SEQ)
			return type_err(c, v, t->go, f->gotype, false);
		if (*arr)
			return 0; /* only a duplicate key gets here, and it is reported */
		/* Owned by the object from here on, so a failure below frees it. */
		*arr = pf_xcalloc(v->n + 1, f->esize);
		*n = v->n;
		size_t idx = 0;
		for (const struct ynode *e = v->child; e; e = e->next, idx++) {
			size_t old;
			int rc = 0;

			if (is_null(e))
				continue;
			old = path_push(c, "[%zu]", idx);
			if (e->type != YN_MAP)
				rc = type_err(c, e, t->go, f->gotype + 2, false);
			else
				rc = dec_struct(c, f->sub, e, (char *)*arr + idx * f->esize);
			path_pop(c, old);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	case F_CONST:
		if (!is_scalar(v, SK_STR))
			return type_err(c, v, t->go, f->gotype, false);
		return 0;
	case F_IGNORE:
	case F_UNSUP:
	case F_IPLIST:
	case F_STRFROM:
		return 0;
	}
	return 0;
}

static bool is_empty(const struct ynode *v)
{
	if (v->type == YN_SCALAR)
		return v->sk == SK_NULL || (v->sk == SK_STR && v->len == 0);
	return v->n == 0;
}

static const struct field *find_field(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->f[i].name, name) == 0)
			return &t->f[i];
	return NULL;
}

static int dec_struct(struct dctx *c, const struct table *t, const struct ynode *map, char *base)
{
	for (const struct ynode *k = map->child; k; k = k->next->next) {
		const struct ynode *v = k->next;
		const struct field *f;
		size_t old;
		int rc;

		if (k->dup) {
			strict_add(c, "json: duplicate field \"%s\"", k->s);
			continue;
		}
		f = find_field(t, k->s);
		if (!f) {
			strict_add(c, "unknown field \"%s%s%s\"", c->path, c->plen ? "." : "",
				   k->s);
			continue;
		}
		if (f->kind == F_UNSUP) {
			if (!is_empty(v)) {
				char msg[512];

				snprintf(msg, sizeof(msg), f->extra, k->s);
				invalid(c, "%s: %s", c->plen ? c->path : k->s, msg);
			}
			continue;
		}
		old = path_key(c, k->s);
		rc = dec_field(c, t, f, v, base);
		path_pop(c, old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Decode one object document.  kind names it in messages: decoding errors
 * read "Pod in version "v1" cannot be handled as a Pod: ...", refusals of
 * fields podfs does not run "The Pod "x" is invalid: ...".
 */
static int decode_object(struct dctx *c, const struct table *t, const struct ynode *root, void *obj,
			 const char *kind)
{
	const struct pf_object_meta *meta = obj; /* meta is every object's first member */
	int rc;

	c->plen = 0;
	c->path[0] = '\0';
	c->invalid[0] = '\0';
	pf_buf_reset(&c->strict);
	rc = dec_struct(c, t, root, obj);
	if (rc < 0) {
		pf_err_prefix(c->err, "%s in version \"v1\" cannot be handled as a %s: ", kind,
			      kind);
		return rc;
	}
	if (c->strict.len)
		return pf_err_set(
		    c->err, EINVAL,
		    "%s in version \"v1\" cannot be handled as a %s: strict decoding error: %s",
		    kind, kind, c->strict.buf);
	if (c->invalid[0])
		return pf_err_set(c->err, EINVAL, "The %s \"%s\" is invalid: %s", kind,
				  meta->name ? meta->name : "", c->invalid);
	return 0;
}

static const struct ynode *map_get(const struct ynode *map, const char *key)
{
	for (const struct ynode *k = map->child; k; k = k->next->next)
		if (!k->dup && strcmp(k->s, key) == 0)
			return k->next;
	return NULL;
}

static const char *map_get_str(const struct ynode *map, const char *key)
{
	const struct ynode *v = map_get(map, key);

	return v && is_scalar(v, SK_STR) ? v->s : NULL;
}

/* apiVersion and kind, with kubectl's complaints when they are missing. */
static int type_meta(const struct ynode *root, const char **api, const char **kind, const char *src,
		     struct pf_err *err)
{
	if (root->type != YN_MAP)
		return pf_err_set(
		    err, EINVAL,
		    "error when creating \"%s\": couldn't get version/kind; json parse "
		    "error: json: cannot unmarshal %s into Go value of type struct { "
		    "APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string "
		    "\"json:\\\"kind,omitempty\\\"\" }",
		    src, json_kind(root));
	*api = map_get_str(root, "apiVersion");
	*kind = map_get_str(root, "kind");
	if (!*api || !**api || !*kind || !**kind)
		return pf_err_set(
		    err, EINVAL, "error validating \"%s\": error validating data: %s", src,
		    (!*api || !**api) && (!*kind || !**kind) ? "[apiVersion not set, kind not set]"
		    : (!*api || !**api)			     ? "apiVersion not set"
							     : "kind not set");
	return 0;
}

/* What the API server resets on create: identity, timestamps, status. */
static void drop_server_fields(struct pf_pod *pod)
{
	struct pf_pod *tmp = pf_xcalloc(1, sizeof(*tmp));

	free(pod->meta.uid);
	pod->meta.uid = NULL;
	pod->meta.resource_version = 0;
	pod->meta.generation = 0;
	pod->meta.creation_ms = 0;
	pod->meta.deletion_ms = 0;
	pod->meta.has_deletion_grace_period_seconds = false;
	pod->meta.deletion_grace_period_seconds = 0;
	tmp->status = pod->status;
	memset(&pod->status, 0, sizeof(pod->status));
	pf_pod_free(tmp);
}

static void list_add(struct pf_pod_list *l, struct pf_pod *pod)
{
	l->items = pf_xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	l->items[l->n++] = pod;
}

static int manifest_pod(struct dctx *c, const struct ynode *root, const char *src,
			struct pf_pod_list *l)
{
	const char *api, *kind;
	struct pf_pod *pod;
	int rc = type_meta(root, &api, &kind, src, c->err);

	if (rc < 0)
		return rc;
	if (strcmp(api, "v1") != 0 || strcmp(kind, "Pod") != 0)
		return pf_err_set(
		    c->err, EINVAL,
		    "error when creating \"%s\": no matches for kind \"%s\" in version \"%s\"", src,
		    kind, api);
	pod = pf_xcalloc(1, sizeof(*pod));
	rc = decode_object(c, &t_pod, root, pod, "Pod");
	if (rc < 0) {
		pf_pod_free(pod);
		pf_err_prefix(c->err, "error when creating \"%s\": ", src);
		return rc;
	}
	drop_server_fields(pod);
	list_add(l, pod);
	return 0;
}

static int manifest_doc(struct dctx *c, const struct ynode *root, const char *src,
			struct pf_pod_list *l)
{
	const char *api, *kind;
	const struct ynode *items;
	struct pf_object_meta dummy = {0};
	int rc = type_meta(root, &api, &kind, src, c->err);

	if (rc < 0)
		return rc;
	if (strcmp(kind, "List") != 0 || strcmp(api, "v1") != 0)
		return manifest_pod(c, root, src, l);
	rc = decode_object(c, &t_list, root, &dummy, "List");
	if (rc < 0) {
		pf_err_prefix(c->err, "error when creating \"%s\": ", src);
		return rc;
	}
	items = map_get(root, "items");
	if (!items || is_null(items))
		return 0;
	if (items->type != YN_SEQ)
		return pf_err_set(c->err, EINVAL,
				  "error when creating \"%s\": json: cannot unmarshal %s into Go "
				  "struct field List.items of type []runtime.RawExtension",
				  src, json_kind(items));
	for (const struct ynode *it = items->child; it; it = it->next)
		if ((rc = manifest_pod(c, it, src, l)) < 0)
			return rc;
	return 0;
}

void pf_pod_list_free(struct pf_pod_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		pf_pod_free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

int pf_manifest_decode(const char *data, size_t len, const char *source, struct pf_pod_list *out,
		       struct pf_err *err)
{
	struct pf_pod_list l = {0};
	struct dctx c = {.err = err};
	struct yreader r;
	struct ynode *root;
	int rc;

	out->items = NULL;
	out->n = 0;
	if (!source)
		source = "-";
	if (len > PF_MANIFEST_MAX_BYTES)
		return pf_err_set(
		    err, EFBIG, "error when creating \"%s\": Request entity too large: limit is %u",
		    source, PF_MANIFEST_MAX_BYTES);
	yr_init(&r, data, len, source);
	while ((rc = yr_next(&r, &root, err)) > 0) {
		if (!root || is_null(root))
			continue; /* empty documents are skipped, as kubectl does */
		if ((rc = manifest_doc(&c, root, source, &l)) < 0)
			break;
	}
	yr_done(&r);
	pf_buf_release(&c.strict);
	if (rc < 0) {
		pf_pod_list_free(&l);
		return rc;
	}
	if (l.n == 0)
		return pf_err_set(
		    err, EINVAL, "error when creating \"%s\": no objects passed to create", source);
	if (l.n > INT_MAX)
		l.n = INT_MAX;
	*out = l;
	return (int)l.n;
}

/* Storage mode: one document, status and server fields kept. */
static int storage_decode(const char *data, size_t len, const struct table *t, const char *kind,
			  void *obj, struct pf_err *err)
{
	struct dctx c = {.err = err};
	struct yreader r;
	struct ynode *root = NULL;
	const char *api, *k;
	int rc;

	if (len > PF_MANIFEST_MAX_BYTES)
		return pf_err_set(err, EFBIG, "%s object of %zu bytes is over the limit of %u",
				  kind, len, PF_MANIFEST_MAX_BYTES);
	yr_init(&r, data, len, NULL);
	while ((rc = yr_next(&r, &root, err)) > 0 && (!root || is_null(root)))
		;
	if (rc == 0)
		rc = pf_err_set(err, EINVAL, "%s: empty document", kind);
	if (rc > 0 && root->type != YN_MAP)
		rc = pf_err_set(err, EINVAL,
				"%s: json: cannot unmarshal %s into Go value of type v1.%s", kind,
				json_kind(root), kind);
	if (rc > 0) {
		api = map_get_str(root, "apiVersion");
		k = map_get_str(root, "kind");
		if (!api || !k || strcmp(api, "v1") != 0 || strcmp(k, kind) != 0)
			rc = pf_err_set(err, EINVAL, "no matches for kind \"%s\" in version \"%s\"",
					k ? k : "", api ? api : "");
	}
	if (rc > 0)
		rc = decode_object(&c, t, root, obj, kind);
	yr_done(&r);
	pf_buf_release(&c.strict);
	return rc < 0 ? rc : 0;
}

int pf_pod_decode(const char *data, size_t len, struct pf_pod **out, struct pf_err *err)
{
	struct pf_pod *pod = pf_xcalloc(1, sizeof(*pod));
	int rc = storage_decode(data, len, &t_pod, "Pod", pod, err);

	if (rc < 0) {
		pf_pod_free(pod);
		return rc;
	}
	*out = pod;
	return 0;
}

int pf_node_decode(const char *data, size_t len, struct pf_node **out, struct pf_err *err)
{
	struct pf_node *node = pf_xcalloc(1, sizeof(*node));
	int rc = storage_decode(data, len, &t_node, "Node", node, err);

	if (rc < 0) {
		pf_node_free(node);
		return rc;
	}
	*out = node;
	return 0;
}

int pf_event_decode(const char *data, size_t len, struct pf_event **out, struct pf_err *err)
{
	struct pf_event *ev = pf_xcalloc(1, sizeof(*ev));
	int rc = storage_decode(data, len, &t_event, "Event", ev, err);

	if (rc < 0) {
		pf_event_free(ev);
		return rc;
	}
	*out = ev;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The encoder: struct -> YAML as kubectl prints it (go-yaml v2 style).       */

enum qstyle { Q_PLAIN, Q_SINGLE, Q_DOUBLE };

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* go-yaml quotes what its resolver would read back as a timestamp... */
static bool looks_like_timestamp(const char *s)
{
	int i = 0, n;

	for (; i < 4; i++)
		if (!is_digit(s[i]))
			return false;
	if (s[i++] != '-')
		return false;
	for (n = 0; is_digit(s[i]); i++)
		n++;
	if (n < 1 || n > 2 || s[i++] != '-')
		return false;
	for (n = 0; is_digit(s[i]); i++)
		n++;
	if (n < 1 || n > 2)
		return false;
	return !s[i] || s[i] == 'T' || s[i] == 't' || s[i] == ' ';
}

/* ...and YAML 1.1 sexagesimal numbers ("1:30"). */
static bool looks_like_base60(const char *s)
{
	const char *p = s;
	bool colon = false;

	if (*p == '+' || *p == '-')
		p++;
	if (!is_digit(*p))
		return false;
	while (is_digit(*p) || *p == '_')
		p++;
	while (*p == ':') {
		colon = true;
		p++;
		if (!is_digit(*p))
			return false;
		p++;
		if (is_digit(*p))
			p++;
	}
	if (*p == '.')
		for (p++; is_digit(*p) || *p == '_'; p++)
			;
	return colon && !*p;
}

/* Switches rather than strchr(): these run for every byte encoded. */
static bool is_flow_indicator(unsigned char ch)
{
	switch (ch) {
	case ',':
	case '?':
	case '[':
	case ']':
	case '{':
	case '}':
		return true;
	}
	return false;
}

static bool is_first_indicator(unsigned char ch)
{
	switch (ch) {
	case '#':
	case ',':
	case '[':
	case ']':
	case '{':
	case '}':
	case '&':
	case '*':
	case '!':
	case '|':
	case '>':
	case '\'':
	case '"':
	case '%':
	case '@':
	case '`':
		return true;
	}
	return false;
}

/*
 * The style go-yaml v2 (libyaml's emitter analysis) picks for a string in
 * block context: double quotes when a plain scalar would read back as
 * something else, single quotes when indicators forbid plain, double when
 * single quotes cannot carry it (control characters, line breaks).
 */
/* Only letters, digits and "._/" anywhere, and "-" past the first
 * character: nothing the loop of scalar_style looks for (no indicator, no
 * space, no break, no control character), so plain once the value does not
 * read back as another type.  Names, images, keys and paths are all like
 * this; encoding spent half its time in that loop. */
static bool plain_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '/' ||
		    (ch == '-' && i > 0))
			continue;
		return false;
	}
	return true;
}

static enum qstyle scalar_style(const char *s)
{
	size_t n = strlen(s);
	bool flow_ind = false, block_ind = false, special = false, breaks = false;
	bool lead_space = false, trail_space = false, lead_break = false, trail_break = false;
	bool break_space = false, space_break = false, prev_space = false, prev_break = false;
	bool preceded_ws = true, b;

	if (!n || resolve_plain(s, &b) != SK_STR || looks_like_timestamp(s) || looks_like_base60(s))
		return Q_DOUBLE;
	if (n >= 3 && (strncmp(s, "---", 3) == 0 || strncmp(s, "...", 3) == 0))
		flow_ind = block_ind = true;
	else if (plain_safe(s, n))
		return Q_PLAIN; /* the common case, without the loop below */
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i], nx = (unsigned char)s[i + 1];
		bool followed_ws = !nx || nx == ' ' || nx == '\t' || nx == '\n' || nx == '\r';

		if (i == 0) {
			if (is_first_indicator(ch)) {
				flow_ind = block_ind = true;
			} else if (ch == '?' || ch == ':') {
				flow_ind = true;
				if (followed_ws)
					block_ind = true;
			} else if (ch == '-' && followed_ws) {
				flow_ind = block_ind = true;
			}
		} else {
			if (is_flow_indicator(ch)) {
				flow_ind = true;
			} else if (ch == ':') {
				flow_ind = true;
				if (followed_ws)
					block_ind = true;
			} else if (ch == '#' && preceded_ws) {
				flow_ind = block_ind = true;
			}
		}
		if (ch != '\n' && (ch < 0x20 || ch == 0x7f))
			special = true;
		if (ch == ' ') {
			lead_space |= i == 0;
			trail_space |= i == n - 1;
			break_space |= prev_break;
			prev_space = true;
			prev_break = false;
		} else if (ch == '\n' || ch == '\r') {
			breaks = true;
			lead_break |= i == 0;
			trail_break |= i == n - 1;
			space_break |= prev_space;
			prev_break = true;
			prev_space = false;
		} else {
			prev_space = prev_break = false;
		}
		preceded_ws = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
	}
	/* Multi-line strings: double-quoted escapes rather than literal blocks. */
	if (special || breaks || space_break || break_space)
		return Q_DOUBLE;
	if (lead_space || trail_space || lead_break || trail_break || block_ind)
		return Q_SINGLE;
	(void)flow_ind;
	return Q_PLAIN;
}

static void put_scalar(struct pf_buf *o, const char *s)
{
	switch (scalar_style(s)) {
	case Q_PLAIN:
		pf_buf_adds(o, s);
		return;
	case Q_SINGLE:
		pf_buf_addc(o, '\'');
		for (; *s; s++) {
			if (*s == '\'')
				pf_buf_addc(o, '\'');
			pf_buf_addc(o, *s);
		}
		pf_buf_addc(o, '\'');
		return;
	case Q_DOUBLE:
		pf_buf_addc(o, '"');
		for (; *s; s++) {
			unsigned char ch = (unsigned char)*s;

			switch (ch) {
			case '"':
				pf_buf_adds(o, "\\\"");
				break;
			case '\\':
				pf_buf_adds(o, "\\\\");
				break;
			case '\n':
				pf_buf_adds(o, "\\n");
				break;
			case '\t':
				pf_buf_adds(o, "\\t");
				break;
			case '\r':
				pf_buf_adds(o, "\\r");
				break;
			default:
				if (ch < 0x20 || ch == 0x7f)
					pf_buf_addf(o, "\\x%02X", ch);
				else
					pf_buf_addc(o, (char)ch);
			}
		}
		pf_buf_addc(o, '"');
		return;
	}
}

/* go-yaml v2's keyList.Less: letters by code point, non-letters before
 * letters, runs of digits compared as numbers. */
static bool yaml_key_less(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	for (size_t i = 0; i < la && i < lb; i++) {
		unsigned char ca = (unsigned char)a[i], cb = (unsigned char)b[i];
		bool al, bl;
		size_t ai, bi;
		uint64_t an = 0, bn = 0;

		if (ca == cb)
			continue;
		al = (ca | 0x20) >= 'a' && (ca | 0x20) <= 'z';
		bl = (cb | 0x20) >= 'a' && (cb | 0x20) <= 'z';
		al |= ca >= 0x80;
		bl |= cb >= 0x80;
		if (al && bl)
			return ca < cb;
		if (al || bl)
			return bl;
		if (ca == '0' || cb == '0') {
			for (size_t j = i; j-- > 0 && is_digit(a[j]);) {
				if (a[j] != '0') {
					an = bn = 1;
					break;
				}
			}
		}
		for (ai = i; ai < la && is_digit(a[ai]); ai++)
			an = an * 10 + (uint64_t)(a[ai] - '0');
		for (bi = i; bi < lb && is_digit(b[bi]); bi++)
			bn = bn * 10 + (uint64_t)(b[bi] - '0');
		if (an != bn)
			return an < bn;
		if (ai != bi)
			return ai < bi;
		return ca < cb;
	}
	return la < lb;
}

/* Sorted indices of n keys (insertion sort: maps here are small, and the
 * order must be stable for equal keys). */
static size_t *sorted_keys(size_t n, const char *(*key)(const void *, size_t), const void *arr)
{
	size_t *idx = pf_xcalloc(n + 1, sizeof(*idx));

	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		while (j > 0 && yaml_key_less(key(arr, i), key(arr, idx[j - 1]))) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	return idx;
}

static const char *strmap_key(const void *arr, size_t i)
{
	return ((const struct pf_pair *)arr)[i].key;
}

static const char *reslist_key(const void *arr, size_t i)
{
	return ((const struct pf_resource *)arr)[i].name;
}

static void put_indent(struct pf_buf *o, int ind)
{
	for (int i = 0; i < ind; i++)
		pf_buf_addc(o, ' ');
}

static void put_key(struct pf_buf *o, int ind, const char *key)
{
	put_indent(o, ind);
	put_scalar(o, key);
	pf_buf_addc(o, ':');
}

static void put_time(struct pf_buf *o, int64_t ms)
{
	char t[21];

	pf_format_time(ms, t);
	pf_buf_addf(o, "\"%s\"", t);
}

static void enc_struct(struct pf_buf *o, const struct table *t, const char *base, int ind);

/* A list item: the struct at ind + 2 with "- " over the first line's indent. */
static void enc_item(struct pf_buf *o, const struct table *t, const char *base, int ind)
{
	size_t pos = o->len;

	enc_struct(o, t, base, ind + 2);
	if (o->len == pos) {
		put_indent(o, ind);
		pf_buf_adds(o, "- {}\n");
		return;
	}
	o->buf[pos + (size_t)ind] = '-';
}

static void enc_field(struct pf_buf *o, const struct field *f, const char *base, int ind)
{
	const char *p = base + f->off;

	switch (f->kind) {
	case F_STR: {
		const char *s = *(char *const *)p;

		if (s && *s) {
			put_key(o, ind, f->name);
			pf_buf_addc(o, ' ');
			put_scalar(o, s);
			pf_buf_addc(o, '\n');
		} else if ((f->flags & FL_ALWAYS) || (s && (f->flags & FL_KEEP))) {
			put_key(o, ind, f->name);
			pf_buf_adds(o, " \"\"\n");
		}
		return;
	}
	case F_INT32:
	case F_INT64: {
		int64_t v = f->kind == F_INT32 ? *(const int32_t *)p : *(const int64_t *)p;

		if ((f->flags & FL_HAS) ? !*(const bool *)(base + f->aux)
					: (!v && !(f->flags & FL_ALWAYS)))
			return;
		put_key(o, ind, f->name);
		pf_buf_addf(o, " %lld\n", (long long)v);
		return;
	}
	case F_BOOL:
		if (!*(const bool *)p && !(f->flags & FL_ALWAYS))
			return;
		put_key(o, ind, f->name);
		pf_buf_adds(o, *(const bool *)p ? " true\n" : " false\n");
		return;
	case F_TRI: {
		enum pf_tri v = *(const enum pf_tri *)p;

		if (v == PF_UNSET)
			return;
		put_key(o, ind, f->name);
		pf_buf_adds(o, v == PF_TRUE ? " true\n" : " false\n");
		return;
	}
	case F_TIME: {
		int64_t ms = *(const int64_t *)p;

		if (!ms && !(f->flags & FL_NULL))
			return;
		put_key(o, ind, f->name);
		pf_buf_addc(o, ' ');
		if (ms)
			put_time(o, ms);
		else
			pf_buf_adds(o, "null");
		pf_buf_addc(o, '\n');
		return;
	}
	case F_RV:
		if (!*(const int64_t *)p)
			return;
		put_key(o, ind, f->name);
		pf_buf_addf(o, " \"%lld\"\n", (long long)*(const int64_t *)p);
		return;
	case F_STRLIST: {
		const struct pf_strlist *l = (const struct pf_strlist *)p;

		if (!l->n)
			return;
		put_key(o, ind, f->name);
		pf_buf_addc(o, '\n');
		for (size_t i = 0; i < l->n; i++) {
			put_indent(o, ind);
			pf_buf_adds(o, "- ");
			put_scalar(o, l->items[i]);
			pf_buf_addc(o, '\n');
		}
		return;
	}
	case F_STRMAP: {
		const struct pf_strmap *m = (const struct pf_strmap *)p;
		size_t *idx;

		if (!m->n)
			return;
		put_key(o, ind, f->name);
		pf_buf_addc(o, '\n');
		idx = sorted_keys(m->n, strmap_key, m->items);
		for (size_t i = 0; i < m->n; i++) {
			const struct pf_pair *pr = &m->items[idx[i]];

			put_key(o, ind + 2, pr->key);
			pf_buf_addc(o, ' ');
			put_scalar(o, pr->value ? pr->value : "");
			pf_buf_addc(o, '\n');
		}
		free(idx);
		return;
	}
	case F_I64LIST: {
		const int64_t *a = *(int64_t *const *)p;
		size_t n = *(const size_t *)(base + f->aux);

		if (!n)
			return;
		put_key(o, ind, f->name);
		pf_buf_addc(o, '\n');
		for (size_t i = 0; i < n; i++) {
			put_indent(o, ind);
			pf_buf_addf(o, "- %lld\n", (long long)a[i]);
		}
		return;
	}
	case F_QTY: {
		const struct pf_quantity *q = (const struct pf_quantity *)p;

		if (!q->str)
			return;
		put_key(o, ind, f->name);
		pf_buf_addc(o, ' ');
		put_scalar(o, q->str);
		pf_buf_addc(o, '\n');
		return;
	}
	case F_RESLIST: {
		const struct pf_reslist *l = (const struct pf_reslist *)p;
		size_t *idx;

		if (!l->n)
			return;
		put_key(o, ind, f->name);
		pf_buf_addc(o, '\n');
		idx = sorted_keys(l->n, reslist_key, l->items);
		for (size_t i = 0; i < l->n; i++) {
			const struct pf_resource *r = &l->items[idx[i]];
			char *s = r->q.str ? NULL : pf_quantity_canonical(NULL, r->q.milli);

			put_key(o, ind + 2, r->name);
			pf_buf_addc(o, ' ');
			put_scalar(o, r->q.str ? r->q.str : s);
			pf_buf_addc(o, '\n');
			free(s);
		}
		free(idx);
		return;
	}
	case F_INTSTR: {
		const struct pf_intstr *is = (const struct pf_intstr *)p;

		if (is->is_str && is->str) {
			put_key(o, ind, f->name);
			pf_buf_addc(o, ' ');
			put_scalar(o, is->str);
			pf_buf_addc(o, '\n');
		} else if (!is->is_str && (is->num || (f->flags & FL_ALWAYS))) {
			put_key(o, ind, f->name);
			pf_buf_addf(o, " %d\n", is->num);
		}
		return;
	}
	case F_OBJ: {
		size_t pos = o->len, body;
		bool tagged = false;

		if (f->flags & FL_TAGI) {
			if (*(const int *)(base + f->aux) != f->tag)
				return;
			tagged = true;
		} else if (f->flags & FL_TAGB) {
			if (!*(const bool *)(base + f->aux))
				return;
			tagged = true;
		}
		put_key(o, ind, f->name);
		pf_buf_addc(o, '\n');
		body = o->len;
		enc_struct(o, f->sub, p, ind + 2);
		if (o->len == body) {
			o->len = pos;
			o->buf[pos] = '\0';
			if (tagged || (f->flags & FL_ALWAYS)) {
				put_key(o, ind, f->name);
				pf_buf_adds(o, " {}\n");
			}
		}
		return;
	}
	case F_LIST: {
		const char *arr = *(char *const *)p;
		size_t n = *(const size_t *)(base + f->aux);

		if (!n)
			return;
		put_key(o, ind, f->name);
		pf_buf_addc(o, '\n');
		for (size_t i = 0; i < n; i++)
			enc_item(o, f->sub, arr + i * f->esize, ind);
		return;
	}
	case F_CONST:
		put_key(o, ind, f->name);
		pf_buf_addf(o, " %s\n", f->extra);
		return;
	case F_IGNORE:
		if (f->extra) {
			put_key(o, ind, f->name);
			pf_buf_addf(o, " %s\n", f->extra);
		}
		return;
	case F_UNSUP:
		return;
	case F_IPLIST:
	case F_STRFROM: {
		const char *s = *(char *const *)p;

		if (!s || !*s)
			return;
		put_key(o, ind, f->name);
		pf_buf_addc(o, '\n');
		put_indent(o, ind);
		pf_buf_adds(o, f->kind == F_IPLIST ? "- ip: " : "- ");
		put_scalar(o, s);
		pf_buf_addc(o, '\n');
		return;
	}
	}
}

static void enc_struct(struct pf_buf *o, const struct table *t, const char *base, int ind)
{
	for (size_t i = 0; i < t->n; i++)
		enc_field(o, &t->f[i], base, ind);
}

void pf_pod_encode(const struct pf_pod *pod, struct pf_buf *out)
{
	enc_struct(out, &t_pod, (const char *)pod, 0);
}

void pf_node_encode(const struct pf_node *node, struct pf_buf *out)
{
	enc_struct(out, &t_node, (const char *)node, 0);
}

void pf_event_encode(const struct pf_event *ev, struct pf_buf *out)
{
	enc_struct(out, &t_event, (const char *)ev, 0);
}
