/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encode.c - the writer of the codec: the structs of types.h as
 * `kubectl get -o yaml` shows them (go-yaml v2 layout and quoting, every
 * map's keys sorted), driven by the field tables of schema.c.
 *
 * Output only: it must not change the objects it writes, and its bytes are
 * what the store holds, so a change here is a change of the stored format.
 */
#include "manifest-internal.h"
#include "quantity.h"

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

/*
 * The code point of the UTF-8 sequence at s (its length in *n) when a YAML
 * reader would take it for a line break or refuse it as a control
 * character: the C1 controls U+0080-U+009F (NEL, U+0085, among them), the
 * line and paragraph separators U+2028 and U+2029, the byte order mark and
 * the non-characters U+FFFE and U+FFFF.  0 for anything else.  Written
 * raw, such a string is stored as text podfs's own decoder refuses, which
 * made the object unreadable for good; they must be escaped, in double
 * quotes.  s is NUL-terminated: a byte is read only after the one before
 * it matched a non-NUL value.
 */
static uint32_t yaml_unsafe_cp(const unsigned char *s, size_t *n)
{
	*n = 1;
	if (s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F) {
		*n = 2;
		return s[1];
	}
	if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9)) {
		*n = 3;
		return 0x2000u + (s[2] - 0x80u);
	}
	if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		*n = 3;
		return 0xFEFF;
	}
	if (s[0] == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF)) {
		*n = 3;
		return 0xFFC0u | (s[2] & 0x3Fu);
	}
	return 0;
}

static enum qstyle scalar_style(const char *s)
{
	size_t n = strlen(s);
	bool flow_ind = false, block_ind = false, special = false, breaks = false;
	bool lead_space = false, trail_space = false, lead_break = false, trail_break = false;
	bool break_space = false, space_break = false, prev_space = false, prev_break = false;
	bool preceded_ws = true, b;

	if (!n || pf_yaml_resolve(s, &b) != SK_STR || looks_like_timestamp(s) ||
	    looks_like_base60(s))
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
		size_t cl;
		if (ch != '\n' && (ch < 0x20 || ch == 0x7f))
			special = true;
		else if (ch >= 0x80 && yaml_unsafe_cp((const unsigned char *)s + i, &cl))
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

/* A double-quoted scalar, with go-yaml's escapes. */
static void put_dquoted(struct pf_buf *o, const char *s)
{
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
		default: {
			size_t n;
			uint32_t cp = ch >= 0x80 ? yaml_unsafe_cp((const unsigned char *)s, &n) : 0;

			if (ch < 0x20 || ch == 0x7f) {
				pf_buf_addf(o, "\\x%02X", ch);
			} else if (!cp) {
				pf_buf_addc(o, (char)ch);
			} else {
				/* YAML's escapes: \N \L \P for the breaks. */
				if (cp == 0x85)
					pf_buf_adds(o, "\\N");
				else if (cp == 0x2028)
					pf_buf_adds(o, "\\L");
				else if (cp == 0x2029)
					pf_buf_adds(o, "\\P");
				else if (cp <= 0xFF)
					pf_buf_addf(o, "\\x%02X", (unsigned)cp);
				else
					pf_buf_addf(o, "\\u%04X", (unsigned)cp);
				s += n - 1;
			}
		}
		}
	}
	pf_buf_addc(o, '"');
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
		put_dquoted(o, s);
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

/* metav1.MicroTime (a Lease's times): 2026-11-27T13:38:26.123000Z. */
static void put_micro_time(struct pf_buf *o, int64_t ms)
{
	char t[21];

	pf_format_time(ms, t);
	t[19] = '\0'; /* drop the Z */
	pf_buf_addf(o, "\"%s.%03d000Z\"", t, (int)(ms % 1000));
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

/* "key: value" with the value as go-yaml quotes it. */
static void put_pair(struct pf_buf *o, int ind, const char *key, const char *value)
{
	put_key(o, ind, key);
	pf_buf_addc(o, ' ');
	put_scalar(o, value);
	pf_buf_addc(o, '\n');
}

static void enc_str(struct pf_buf *o, const struct field *f, const char *s, int ind)
{
	if (s && *s && (f->flags & FL_QUOTE)) {
		put_key(o, ind, f->name);
		pf_buf_addc(o, ' ');
		put_dquoted(o, s);
		pf_buf_addc(o, '\n');
	} else if (s && *s) {
		put_pair(o, ind, f->name, s);
	} else if ((f->flags & FL_ALWAYS) || (s && (f->flags & FL_KEEP))) {
		put_key(o, ind, f->name);
		pf_buf_adds(o, " \"\"\n");
	}
}

static void enc_int(struct pf_buf *o, const struct field *f, const char *base, int ind)
{
	const char *p = base + f->off;
	int64_t v = f->kind == F_INT32 ? *(const int32_t *)p : *(const int64_t *)p;

	if ((f->flags & FL_HAS) ? !*(const bool *)(base + f->aux) : (!v && !(f->flags & FL_ALWAYS)))
		return;
	put_key(o, ind, f->name);
	pf_buf_addf(o, " %lld\n", (long long)v);
}

static void enc_time(struct pf_buf *o, const struct field *f, int64_t ms, int ind)
{
	if (!ms && !(f->flags & FL_NULL))
		return;
	put_key(o, ind, f->name);
	pf_buf_addc(o, ' ');
	if (ms && (f->flags & FL_MICRO))
		put_micro_time(o, ms);
	else if (ms)
		put_time(o, ms);
	else
		pf_buf_adds(o, "null");
	pf_buf_addc(o, '\n');
}

static void enc_strlist(struct pf_buf *o, const struct field *f, const struct pf_strlist *l,
			int ind)
{
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
}

static void enc_strmap(struct pf_buf *o, const struct field *f, const struct pf_strmap *m, int ind)
{
	size_t *idx;

	if (!m->n)
		return;
	put_key(o, ind, f->name);
	pf_buf_addc(o, '\n');
	idx = sorted_keys(m->n, strmap_key, m->items);
	for (size_t i = 0; i < m->n; i++) {
		const struct pf_pair *pr = &m->items[idx[i]];

		put_pair(o, ind + 2, pr->key, pr->value ? pr->value : "");
	}
	free(idx);
}

static void enc_i64list(struct pf_buf *o, const struct field *f, const char *base, int ind)
{
	const int64_t *a = *(int64_t *const *)(base + f->off);
	size_t n = *(const size_t *)(base + f->aux);

	if (!n)
		return;
	put_key(o, ind, f->name);
	pf_buf_addc(o, '\n');
	for (size_t i = 0; i < n; i++) {
		put_indent(o, ind);
		pf_buf_addf(o, "- %lld\n", (long long)a[i]);
	}
}

static void enc_reslist(struct pf_buf *o, const struct field *f, const struct pf_reslist *l,
			int ind)
{
	size_t *idx;

	if (!l->n)
		return;
	put_key(o, ind, f->name);
	pf_buf_addc(o, '\n');
	idx = sorted_keys(l->n, reslist_key, l->items);
	for (size_t i = 0; i < l->n; i++) {
		const struct pf_resource *r = &l->items[idx[i]];
		char *s = r->q.str ? NULL : pf_quantity_canonical(NULL, r->q.milli);

		put_pair(o, ind + 2, r->name, r->q.str ? r->q.str : s);
		free(s);
	}
	free(idx);
}

static void enc_intstr(struct pf_buf *o, const struct field *f, const struct pf_intstr *is, int ind)
{
	if (is->is_str && is->str) {
		put_pair(o, ind, f->name, is->str);
	} else if (!is->is_str && (is->num || (f->flags & FL_ALWAYS))) {
		put_key(o, ind, f->name);
		pf_buf_addf(o, " %d\n", is->num);
	}
}

/* A nested object, omitted when empty unless it must show as "{}" (a
 * member of a union that was given, or FL_ALWAYS). */
static void enc_obj(struct pf_buf *o, const struct field *f, const char *base, int ind)
{
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
	enc_struct(o, f->sub, base + f->off, ind + 2);
	if (o->len == body) {
		o->len = pos;
		o->buf[pos] = '\0';
		if (tagged || (f->flags & FL_ALWAYS)) {
			put_key(o, ind, f->name);
			pf_buf_adds(o, " {}\n");
		}
	}
}

static void enc_list(struct pf_buf *o, const struct field *f, const char *base, int ind)
{
	const char *arr = *(char *const *)(base + f->off);
	size_t n = *(const size_t *)(base + f->aux);

	if (!n)
		return;
	put_key(o, ind, f->name);
	pf_buf_addc(o, '\n');
	for (size_t i = 0; i < n; i++)
		enc_item(o, f->sub, arr + i * f->esize, ind);
}

/* status.podIPs/hostIPs and spec.podCIDRs: one item made from the scalar. */
static void enc_derived(struct pf_buf *o, const struct field *f, const char *s, int ind)
{
	if (!s || !*s)
		return;
	put_key(o, ind, f->name);
	pf_buf_addc(o, '\n');
	put_indent(o, ind);
	pf_buf_adds(o, f->kind == F_IPLIST ? "- ip: " : "- ");
	put_scalar(o, s);
	pf_buf_addc(o, '\n');
}

static void enc_field(struct pf_buf *o, const struct field *f, const char *base, int ind)
{
	const char *p = base + f->off;

	switch (f->kind) {
	case F_STR:
		enc_str(o, f, *(char *const *)p, ind);
		return;
	case F_INT32:
	case F_INT64:
		enc_int(o, f, base, ind);
		return;
	case F_BOOL:
		if (!*(const bool *)p && !(f->flags & FL_ALWAYS))
			return;
		put_key(o, ind, f->name);
		pf_buf_adds(o, *(const bool *)p ? " true\n" : " false\n");
		return;
	case F_TRI:
		if (*(const enum pf_tri *)p == PF_UNSET)
			return;
		put_key(o, ind, f->name);
		pf_buf_adds(o, *(const enum pf_tri *)p == PF_TRUE ? " true\n" : " false\n");
		return;
	case F_TIME:
		enc_time(o, f, *(const int64_t *)p, ind);
		return;
	case F_RV:
		if (!*(const int64_t *)p)
			return;
		put_key(o, ind, f->name);
		pf_buf_addf(o, " \"%lld\"\n", (long long)*(const int64_t *)p);
		return;
	case F_STRLIST:
		enc_strlist(o, f, (const struct pf_strlist *)p, ind);
		return;
	case F_STRMAP:
		enc_strmap(o, f, (const struct pf_strmap *)p, ind);
		return;
	case F_I64LIST:
		enc_i64list(o, f, base, ind);
		return;
	case F_QTY:
		if (((const struct pf_quantity *)p)->str)
			put_pair(o, ind, f->name, ((const struct pf_quantity *)p)->str);
		return;
	case F_RESLIST:
		enc_reslist(o, f, (const struct pf_reslist *)p, ind);
		return;
	case F_INTSTR:
		enc_intstr(o, f, (const struct pf_intstr *)p, ind);
		return;
	case F_OBJ:
		enc_obj(o, f, base, ind);
		return;
	case F_LIST:
		enc_list(o, f, base, ind);
		return;
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
	case F_STRFROM:
		enc_derived(o, f, *(char *const *)p, ind);
		return;
	}
}

static void enc_struct(struct pf_buf *o, const struct table *t, const char *base, int ind)
{
	for (size_t i = 0; i < t->n; i++)
		enc_field(o, &t->f[i], base, ind);
}

void pf_pod_encode(const struct pf_pod *pod, struct pf_buf *out)
{
	enc_struct(out, &pf_schema_pod, (const char *)pod, 0);
}

void pf_node_encode(const struct pf_node *node, struct pf_buf *out)
{
	enc_struct(out, &pf_schema_node, (const char *)node, 0);
}

void pf_event_encode(const struct pf_event *ev, struct pf_buf *out)
{
	enc_struct(out, &pf_schema_event, (const char *)ev, 0);
}

void pf_lease_encode(const struct pf_lease_object *l, struct pf_buf *out)
{
	enc_struct(out, &pf_schema_lease, (const char *)l, 0);
}
