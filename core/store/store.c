/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c - the store dispatcher: checks arguments once for every backend
 * and calls it, and provides the one-op conveniences and the free
 * functions of store.h (the watch calls are in watch.c; the table of
 * backends by URI scheme is stores.c, above the backends).
 *
 * It must hold no state of its own and know nothing of how a backend keeps
 * its data; everything backend-specific lives behind struct pf_store_ops.
 */
#include "store-internal.h"

#include <errno.h>

void pf_store_close(struct pf_store *s)
{
	if (s)
		s->ops->close(s);
}

int pf_store_rev(struct pf_store *s, int64_t *rev, struct pf_err *err)
{
	return s->ops->rev(s, rev, err);
}

static int check_key(const char *key, struct pf_err *err)
{
	if (!key || !*key)
		return pf_err_set(err, EINVAL, "store key must not be empty");
	return 0;
}

int pf_store_get(struct pf_store *s, const char *key, struct pf_kv *out, struct pf_err *err)
{
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = check_key(key, err)) < 0)
		return r;
	return s->ops->get(s, key, out, err);
}

int pf_store_list(struct pf_store *s, const char *prefix, struct pf_kv_list *out, int64_t *rev,
		  struct pf_err *err)
{
	out->items = NULL;
	out->n = 0;
	return s->ops->list(s, prefix ? prefix : "", out, rev, err);
}

/* Checked here once so that a backend may trust every op it is handed. */
static int check_op(const struct pf_op *op, struct pf_err *err)
{
	int r;

	if ((r = check_key(op->key, err)) < 0)
		return r;
	switch (op->kind) {
	case PF_OP_CREATE:
	case PF_OP_UPDATE:
	case PF_OP_PUT:
		if (!op->value && op->len)
			return pf_err_set(err, EINVAL, "store key '%s': NULL value of %zu bytes",
					  op->key, op->len);
		return 0;
	case PF_OP_DELETE:
		return 0;
	}
	return pf_err_set(err, EINVAL, "store key '%s': unknown operation %d", op->key,
			  (int)op->kind);
}

int pf_store_txn(struct pf_store *s, const struct pf_op *ops, size_t n, int64_t *rev,
		 size_t *failed, struct pf_err *err)
{
	int r;

	if (n == 0)
		return rev ? s->ops->rev(s, rev, err) : 0;
	for (size_t i = 0; i < n; i++) {
		if ((r = check_op(&ops[i], err)) < 0) {
			if (failed)
				*failed = i;
			return r;
		}
	}
	return s->ops->txn(s, ops, n, rev, failed, err);
}

int pf_store_create(struct pf_store *s, const char *key, const char *value, size_t len,
		    int64_t *rev, struct pf_err *err)
{
	struct pf_op op = {.kind = PF_OP_CREATE, .key = key, .value = value, .len = len};

	return pf_store_txn(s, &op, 1, rev, NULL, err);
}

int pf_store_update(struct pf_store *s, const char *key, const char *value, size_t len,
		    int64_t expect_rev, int64_t *rev, struct pf_err *err)
{
	struct pf_op op = {
	    .kind = PF_OP_UPDATE,
	    .key = key,
	    .value = value,
	    .len = len,
	    .expect_rev = expect_rev,
	};

	return pf_store_txn(s, &op, 1, rev, NULL, err);
}

int pf_store_put(struct pf_store *s, const char *key, const char *value, size_t len, int64_t *rev,
		 struct pf_err *err)
{
	struct pf_op op = {.kind = PF_OP_PUT, .key = key, .value = value, .len = len};

	return pf_store_txn(s, &op, 1, rev, NULL, err);
}

int pf_store_delete(struct pf_store *s, const char *key, int64_t expect_rev, int64_t *rev,
		    struct pf_err *err)
{
	struct pf_op op = {.kind = PF_OP_DELETE, .key = key, .expect_rev = expect_rev};

	return pf_store_txn(s, &op, 1, rev, NULL, err);
}

int pf_store_compact(struct pf_store *s, int64_t rev, struct pf_err *err)
{
	if (!s->ops->compact)
		return pf_err_set(err, ENOTSUP, "%s store cannot compact", s->ops->scheme);
	return s->ops->compact(s, rev, err);
}

void pf_kv_free(struct pf_kv *kv)
{
	if (!kv)
		return;
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

void pf_kv_list_free(struct pf_kv_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		pf_kv_free(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void pf_kv_set(struct pf_kv *kv, const char *key, const void *value, size_t len, int64_t create_rev,
	       int64_t mod_rev)
{
	kv->key = pf_xstrdup(key);
	kv->value = value ? pf_xstrndup(value, len) : NULL;
	kv->len = value ? len : 0;
	kv->create_rev = create_rev;
	kv->mod_rev = mod_rev;
}

int pf_store_err_exists(struct pf_err *err, const char *key)
{
	return pf_err_set(err, EEXIST, "key '%s' already exists", key);
}

int pf_store_err_absent(struct pf_err *err, const char *key)
{
	return pf_err_set(err, ENOENT, "key '%s' not found", key);
}

int pf_store_err_stale(struct pf_err *err, const char *key, int64_t mod_rev, int64_t expect_rev)
{
	return pf_err_set(err, ESTALE,
			  "key '%s' was modified: its revision is %lld, the caller read %lld", key,
			  (long long)mod_rev, (long long)expect_rev);
}

int pf_store_err_compacted(struct pf_err *err, int64_t from_rev, int64_t compact_rev)
{
	return pf_err_set(
	    err, ERANGE,
	    "watch from revision %lld: the history up to revision %lld was compacted; "
	    "list again and watch from the list's revision + 1",
	    (long long)from_rev, (long long)compact_rev);
}

char *pf_store_prefix_end(const char *prefix)
{
	size_t n = strlen(prefix);

	/* The first string after every string that starts with prefix: drop
	 * trailing 0xff bytes (they cannot be incremented), bump the last. */
	while (n > 0 && (unsigned char)prefix[n - 1] == 0xff)
		n--;
	if (n == 0)
		return NULL;
	char *end = pf_xstrndup(prefix, n);
	end[n - 1] = (char)((unsigned char)end[n - 1] + 1);
	return end;
}
