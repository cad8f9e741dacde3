/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decode.c - the walker of the codec: the node tree of yamlread.c onto the
 * structs of types.h through the field tables of schema.c.  Unknown fields,
 * duplicate keys, type errors and nulls are handled once, here, with the API
 * server's wording (sigs.k8s.io/yaml + strict json semantics); fields podfs
 * does not run are refused with "The Pod ... is invalid".
 *
 * It must not validate semantics or apply defaults (validate.c does).
 */
#include "manifest-internal.h"
#include "quantity.h"

#include <errno.h>
#include <limits.h>
#include <math.h>

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

	if (pf_go_parse_int(s, out))
		return true;
	if (!pf_go_parse_float(s, &d) || !isfinite(d) || d != floor(d) || fabs(d) >= 9.2e18)
		return false;
	*out = (int64_t)d;
	return true;
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
	else if (v->sk == SK_NUM && pf_go_parse_int(v->s, &i))
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

static int dec_int(struct dctx *c, const struct table *t, const struct field *f,
		   const struct ynode *v, char *base)
{
	char *p = base + f->off;
	int64_t i;

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
}

/* metav1.Time through the one RFC 3339 parser of clock.h; every refusal gets
 * the message Go gives when the year does not parse, as it always had. */
static int dec_time(struct dctx *c, const struct ynode *v, int64_t *ms)
{
	if (!is_scalar(v, SK_STR))
		return pf_err_set(c->err, EINVAL,
				  "json: cannot unmarshal %s into Go value of type string",
				  json_kind(v));
	if (pf_parse_time(v->s, ms) < 0)
		return pf_err_set(c->err, EINVAL,
				  "parsing time \"%s\" as \"2006-01-02T15:04:05Z07:00\": "
				  "cannot parse \"%s\" as \"2006\"",
				  v->s, v->s);
	return 0;
}

static int dec_strlist(struct dctx *c, const struct table *t, const struct field *f,
		       const struct ynode *v, struct pf_strlist *l)
{
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

static int dec_strmap(struct dctx *c, const struct table *t, const struct field *f,
		      const struct ynode *v, struct pf_strmap *m)
{
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

static int dec_i64list(struct dctx *c, const struct table *t, const struct field *f,
		       const struct ynode *v, char *base)
{
	int64_t **arr = (int64_t **)(base + f->off);
	size_t *n = (size_t *)(base + f->aux);
	int64_t i;

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

static int dec_intstr(struct dctx *c, const struct table *t, const struct field *f,
		      const struct ynode *v, struct pf_intstr *is)
{
	int64_t i;

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

/* A nested object; a tagged one (a probe's handler, a container state)
 * also records which member of its union was given. */
static int dec_obj(struct dctx *c, const struct table *t, const struct field *f,
		   const struct ynode *v, char *base)
{
	if (v->type != YN_MAP)
		return type_err(c, v, t->go, f->gotype, false);
	if (f->flags & FL_TAGI) {
		int *tag = (int *)(base + f->aux);

		if (*tag && *tag != f->tag)
			invalid(c, "%s: Forbidden: may not specify more than 1 %s type", c->path,
				f->extra);
		*tag = f->tag;
	} else if (f->flags & FL_TAGB) {
		*(bool *)(base + f->aux) = true;
	}
	return dec_struct(c, f->sub, v, base + f->off);
}

static int dec_list(struct dctx *c, const struct table *t, const struct field *f,
		    const struct ynode *v, char *base)
{
	void **arr = (void **)(base + f->off);
	size_t *n = (size_t *)(base + f->aux);
	size_t idx = 0;

	if (v->type != YN_SEQ)
		return type_err(c, v, t->go, f->gotype, false);
	if (*arr)
		return 0; /* only a duplicate key gets here, and it is reported */
	/* Owned by the object from here on, so a failure below frees it. */
	*arr = pf_xcalloc(v->n + 1, f->esize);
	*n = v->n;
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

static int dec_field(struct dctx *c, const struct table *t, const struct field *f,
		     const struct ynode *v, char *base)
{
	char *p = base + f->off;

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
		return dec_int(c, t, f, v, base);
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
		return dec_time(c, v, (int64_t *)p);
	case F_RV:
		if (!is_scalar(v, SK_STR))
			return type_err(c, v, t->go, f->gotype, false);
		*(int64_t *)p = strtoll(v->s, NULL, 10);
		return 0;
	case F_STRLIST:
		return dec_strlist(c, t, f, v, (struct pf_strlist *)p);
	case F_STRMAP:
		return dec_strmap(c, t, f, v, (struct pf_strmap *)p);
	case F_I64LIST:
		return dec_i64list(c, t, f, v, base);
	case F_QTY:
		return dec_quantity(c, v, (struct pf_quantity *)p);
	case F_RESLIST:
		return dec_reslist(c, t, f, v, (struct pf_reslist *)p);
	case F_INTSTR:
		return dec_intstr(c, t, f, v, (struct pf_intstr *)p);
	case F_OBJ:
		return dec_obj(c, t, f, v, base);
	case F_LIST:
		return dec_list(c, t, f, v, base);
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
	rc = decode_object(c, &pf_schema_pod, root, pod, "Pod");
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
	rc = decode_object(c, &pf_schema_list, root, &dummy, "List");
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
	pf_yr_init(&r, data, len, source);
	while ((rc = pf_yr_next(&r, &root, err)) > 0) {
		if (!root || is_null(root))
			continue; /* empty documents are skipped, as kubectl does */
		if ((rc = manifest_doc(&c, root, source, &l)) < 0)
			break;
	}
	pf_yr_done(&r);
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
static int storage_decode(const char *data, size_t len, const struct table *t,
			  const char *api_version, const char *kind, void *obj, struct pf_err *err)
{
	struct dctx c = {.err = err};
	struct yreader r;
	struct ynode *root = NULL;
	const char *api, *k;
	int rc;

	if (len > PF_MANIFEST_MAX_BYTES)
		return pf_err_set(err, EFBIG, "%s object of %zu bytes is over the limit of %u",
				  kind, len, PF_MANIFEST_MAX_BYTES);
	pf_yr_init(&r, data, len, NULL);
	while ((rc = pf_yr_next(&r, &root, err)) > 0 && (!root || is_null(root)))
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
		if (!api || !k || strcmp(api, api_version) != 0 || strcmp(k, kind) != 0)
			rc = pf_err_set(err, EINVAL, "no matches for kind \"%s\" in version \"%s\"",
					k ? k : "", api ? api : "");
	}
	if (rc > 0)
		rc = decode_object(&c, t, root, obj, kind);
	pf_yr_done(&r);
	pf_buf_release(&c.strict);
	return rc < 0 ? rc : 0;
}

int pf_pod_decode(const char *data, size_t len, struct pf_pod **out, struct pf_err *err)
{
	struct pf_pod *pod = pf_xcalloc(1, sizeof(*pod));
	int rc = storage_decode(data, len, &pf_schema_pod, "v1", "Pod", pod, err);

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
	int rc = storage_decode(data, len, &pf_schema_node, "v1", "Node", node, err);

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
	int rc = storage_decode(data, len, &pf_schema_event, "v1", "Event", ev, err);

	if (rc < 0) {
		pf_event_free(ev);
		return rc;
	}
	*out = ev;
	return 0;
}

int pf_lease_decode(const char *data, size_t len, struct pf_lease_object **out, struct pf_err *err)
{
	struct pf_lease_object *l = pf_xcalloc(1, sizeof(*l));
	int rc =
	    storage_decode(data, len, &pf_schema_lease, "coordination.k8s.io/v1", "Lease", l, err);

	if (rc < 0) {
		pf_lease_object_free(l);
		return rc;
	}
	*out = l;
	return 0;
}
