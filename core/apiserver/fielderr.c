/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fielderr.c - apimachinery's field.Error wording and ToAggregate, so that a
 * refused object reads exactly as kubectl shows it.
 *
 * String building only: it must not know which field is wrong or why
 * (validate.c decides that), and it does no I/O.
 */
#include "fielderr.h"
#include "names.h"

#include <errno.h>

void pf_field_errs_free(struct pf_field_errs *c)
{
	pf_strlist_free(&c->causes);
}

static void causes_add(struct pf_field_errs *c, struct pf_buf *b)
{
	const struct pf_strlist *l = &c->causes;
	bool seen = false;

	/* ToAggregate drops repeated messages; keep the first occurrence. */
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i], b->buf) == 0)
			seen = true;
	if (!seen)
		pf_strlist_add(&c->causes, b->buf);
	pf_buf_release(b);
}

/* Go's %q for the strings users put in manifests: the bad value must read
 * exactly as the API server prints it. */
static void go_quote(struct pf_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	pf_buf_addc(b, '"');
	while (*p) {
		unsigned char ch = *p;

		if (ch == '"' || ch == '\\') {
			pf_buf_addc(b, '\\');
			pf_buf_addc(b, (char)ch);
		} else if (ch >= 0x20 && ch < 0x7f) {
			pf_buf_addc(b, (char)ch);
		} else if (ch == '\n') {
			pf_buf_adds(b, "\\n");
		} else if (ch == '\t') {
			pf_buf_adds(b, "\\t");
		} else if (ch == '\r') {
			pf_buf_adds(b, "\\r");
		} else if (ch == '\a' || ch == '\b' || ch == '\f' || ch == '\v') {
			pf_buf_addc(b, '\\');
			pf_buf_addc(b, "abtnvfr"[ch - '\a']);
		} else if (ch >= 0x80) {
			/* Pass a well-formed UTF-8 sequence through, as %q does
			 * for printable runes; escape stray bytes. */
			size_t len = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc0 ? 2 : 0;
			size_t k;

			for (k = 1; len && k < len; k++)
				if ((p[k] & 0xc0) != 0x80)
					break;
			if (len && k == len) {
				pf_buf_add(b, p, len);
				p += len;
				continue;
			}
			pf_buf_addf(b, "\\x%02x", ch);
		} else {
			pf_buf_addf(b, "\\x%02x", ch);
		}
		p++;
	}
	pf_buf_addc(b, '"');
}

void pf_field_required(struct pf_field_errs *c, const char *path, const char *detail)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Required value", path);
	if (detail && *detail)
		pf_buf_addf(&b, ": %s", detail);
	causes_add(c, &b);
}

void pf_field_forbidden(struct pf_field_errs *c, const char *path, const char *detail)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Forbidden: %s", path, detail);
	causes_add(c, &b);
}

void pf_field_too_long(struct pf_field_errs *c, const char *path, int max)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Too long: may not be more than %d bytes", path, max);
	causes_add(c, &b);
}

void pf_field_invalid(struct pf_field_errs *c, const char *path, const char *value,
		      const char *detail)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Invalid value: ", path);
	go_quote(&b, value ? value : "");
	if (detail && *detail)
		pf_buf_addf(&b, ": %s", detail);
	causes_add(c, &b);
}

/* Numbers (and values with a String() method) print unquoted. */
void pf_field_invalid_raw(struct pf_field_errs *c, const char *path, const char *value,
			  const char *detail)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Invalid value: %s", path, value);
	if (detail && *detail)
		pf_buf_addf(&b, ": %s", detail);
	causes_add(c, &b);
}

void pf_field_invalid_int(struct pf_field_errs *c, const char *path, int64_t v, const char *detail)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	pf_field_invalid_raw(c, path, num, detail);
}

static void field_keyed(struct pf_field_errs *c, const char *path, const char *type,
			const char *value)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: %s: ", path, type);
	go_quote(&b, value ? value : "");
	causes_add(c, &b);
}

void pf_field_duplicate(struct pf_field_errs *c, const char *path, const char *value)
{
	field_keyed(c, path, "Duplicate value", value);
}

void pf_field_not_found(struct pf_field_errs *c, const char *path, const char *value)
{
	field_keyed(c, path, "Not found", value);
}

void pf_field_unsupported(struct pf_field_errs *c, const char *path, const char *value,
			  const char *const *supported)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_addf(&b, "%s: Unsupported value: ", path);
	go_quote(&b, value ? value : "");
	pf_buf_adds(&b, ": supported values: ");
	for (size_t i = 0; supported[i]; i++) {
		if (i)
			pf_buf_adds(&b, ", ");
		go_quote(&b, supported[i]);
	}
	causes_add(c, &b);
}

void pf_field_invalid_each(struct pf_field_errs *c, const char *path, const char *value,
			   const char *const *msgs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pf_field_invalid(c, path, value, msgs[i]);
}

int pf_field_errs_report(const struct pf_field_errs *c, const char *kind, const char *name,
			 struct pf_err *err)
{
	const struct pf_strlist *l = &c->causes;
	struct pf_buf b = PF_BUF_INIT;
	int ret;

	if (!l->n)
		return 0;
	pf_buf_addf(&b, "The %s \"%s\" is invalid: ", kind, name);
	if (l->n > 1)
		pf_buf_addc(&b, '[');
	for (size_t i = 0; i < l->n; i++)
		pf_buf_addf(&b, "%s%s", i ? ", " : "", l->items[i]);
	if (l->n > 1)
		pf_buf_addc(&b, ']');
	ret = pf_err_set(err, EINVAL, "%s", b.buf);
	pf_buf_release(&b);
	return ret;
}

const char pf_nonneg_msg[] = "must be greater than or equal to 0";

bool pf_str_in(const char *s, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

/* Each reason IsQualifiedName gives for name, as an Invalid value that
 * shows shown (annotation keys are checked lowercased but shown as given);
 * returns how many. */
size_t pf_invalid_qualified_name(struct pf_field_errs *c, const char *path, const char *shown,
				 const char *name)
{
	struct pf_name_owned o = {.n = 0};
	size_t n;

	pf_qualified_name_msgs(name, &o);
	for (size_t k = 0; k < o.n; k++)
		pf_field_invalid(c, path, shown, o.m[k]);
	n = o.n;
	pf_name_owned_free(&o);
	return n;
}
