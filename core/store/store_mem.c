/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_mem.c - the in-memory store backend (mem: and mem:NAME), for unit
 * tests and for trying the other layers without a disk.  It keeps the
 * current state as a sorted array and the watch history as an array of
 * events, both under one mutex, with the exact semantics of store.h.
 *
 * It must stay simple enough to be obviously right: it is the reference the
 * contract tests hold the sqlite and etcd backends to.  Nothing survives the
 * last close.
 */
#include "store-internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

struct mem_entry {
	char *key;
	char *value;
	size_t len;
	int64_t create_rev;
	int64_t mod_rev;
};

struct mem_event {
	int64_t rev;
	enum pf_watch_type type;
	char *key;
	char *value; /* NULL for DELETE */
	size_t len;
	int64_t create_rev;
};

/* One store's data, shared by every handle of one mem:NAME. */
struct mem_db {
	pthread_mutex_t mu;
	struct pf_watch_hub hub; /* bumped on every commit and compaction */
	char *name;		 /* NULL for an anonymous mem: store */
	unsigned refs;		 /* guarded by registry_mu */
	struct mem_db *next;	 /* in registry when named */

	/* Pointers, so that insertion moves 8 bytes per entry, and so that a
	 * failed txn can put the very entries it displaced back. */
	struct mem_entry **kv;
	size_t n, cap;
	struct mem_event *log;
	size_t log_n, log_cap;
	int64_t rev;
	int64_t compact_rev;
	int64_t history; /* revisions kept for watches */
};

struct mem_store {
	struct pf_store base;
	struct mem_db *db;
};

struct mem_watch {
	struct pf_watch base;
	struct mem_db *db;
	char *prefix;
	size_t plen;
	int64_t next_rev; /* under db->mu */
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mem_db *registry;

static void entry_free(struct mem_entry *e)
{
	if (!e)
		return;
	free(e->key);
	free(e->value);
	free(e);
}

static void event_clear(struct mem_event *ev)
{
	free(ev->key);
	free(ev->value);
}

static struct mem_db *db_new(const char *name)
{
	struct mem_db *db = pf_xcalloc(1, sizeof(*db));

	pthread_mutex_init(&db->mu, NULL);
	pf_watch_hub_init(&db->hub);
	db->name = name ? pf_xstrdup(name) : NULL;
	db->refs = 1;
	db->history = PF_STORE_HISTORY;
	return db;
}

static void db_free(struct mem_db *db)
{
	for (size_t i = 0; i < db->n; i++)
		entry_free(db->kv[i]);
	free(db->kv);
	for (size_t i = 0; i < db->log_n; i++)
		event_clear(&db->log[i]);
	free(db->log);
	free(db->name);
	pf_watch_hub_destroy(&db->hub);
	pthread_mutex_destroy(&db->mu);
	free(db);
}

static int mem_open(const char *rest, struct pf_store **out, struct pf_err *err)
{
	struct mem_store *s = pf_xcalloc(1, sizeof(*s));
	struct mem_db *db = NULL;

	s->base.ops = &pf_store_mem_ops;
	if (!*rest) {
		s->db = db_new(NULL);
		*out = &s->base;
		return 0;
	}
	pthread_mutex_lock(&registry_mu);
	for (db = registry; db; db = db->next)
		if (!strcmp(db->name, rest))
			break;
	if (db) {
		db->refs++;
	} else {
		db = db_new(rest);
		db->next = registry;
		registry = db;
	}
	pthread_mutex_unlock(&registry_mu);
	s->db = db;
	*out = &s->base;
	return 0;
}

static void mem_close(struct pf_store *base)
{
	struct mem_store *s = (struct mem_store *)base;
	struct mem_db *db = s->db;
	bool last;

	pthread_mutex_lock(&registry_mu);
	last = --db->refs == 0;
	if (last && db->name) {
		for (struct mem_db **p = &registry; *p; p = &(*p)->next) {
			if (*p == db) {
				*p = db->next;
				break;
			}
		}
	}
	pthread_mutex_unlock(&registry_mu);
	if (last)
		db_free(db);
	free(s);
}

static struct mem_db *db_of(struct pf_store *base)
{
	return ((struct mem_store *)base)->db;
}

/* Index of key, or of where it would go; *found says which. */
static size_t find(struct mem_db *db, const char *key, bool *found)
{
	size_t lo = 0, hi = db->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(db->kv[mid]->key, key);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static void kv_insert(struct mem_db *db, size_t at, struct mem_entry *e)
{
	PF_GROW(db->kv, db->cap, db->n + 1);
	memmove(&db->kv[at + 1], &db->kv[at], (db->n - at) * sizeof(db->kv[0]));
	db->kv[at] = e;
	db->n++;
}

static void kv_remove(struct mem_db *db, size_t at)
{
	memmove(&db->kv[at], &db->kv[at + 1], (db->n - at - 1) * sizeof(db->kv[0]));
	db->n--;
}

static int mem_rev(struct pf_store *base, int64_t *rev, struct pf_err *err)
{
	struct mem_db *db = db_of(base);

	pthread_mutex_lock(&db->mu);
	*rev = db->rev;
	pthread_mutex_unlock(&db->mu);
	return 0;
}

static int mem_get(struct pf_store *base, const char *key, struct pf_kv *out, struct pf_err *err)
{
	struct mem_db *db = db_of(base);
	bool found;
	size_t i;

	pthread_mutex_lock(&db->mu);
	i = find(db, key, &found);
	if (found) {
		struct mem_entry *e = db->kv[i];
		pf_kv_set(out, e->key, e->value, e->len, e->create_rev, e->mod_rev);
	}
	pthread_mutex_unlock(&db->mu);
	return found ? 0 : pf_store_err_absent(err, key);
}

static int mem_list(struct pf_store *base, const char *prefix, struct pf_kv_list *out, int64_t *rev,
		    struct pf_err *err)
{
	struct mem_db *db = db_of(base);
	size_t plen = strlen(prefix), i, j;
	bool found;

	pthread_mutex_lock(&db->mu);
	i = find(db, prefix, &found);
	for (j = i; j < db->n && !strncmp(db->kv[j]->key, prefix, plen); j++)
		;
	out->items = j > i ? pf_xcalloc(j - i, sizeof(out->items[0])) : NULL;
	out->n = j - i;
	for (size_t k = i; k < j; k++) {
		struct mem_entry *e = db->kv[k];
		pf_kv_set(&out->items[k - i], e->key, e->value, e->len, e->create_rev, e->mod_rev);
	}
	if (rev)
		*rev = db->rev;
	pthread_mutex_unlock(&db->mu);
	return (int)out->n;
}

static struct mem_entry *entry_new(const char *key, const char *value, size_t len,
				   int64_t create_rev, int64_t mod_rev)
{
	struct mem_entry *e = pf_xmalloc(sizeof(*e));

	e->key = pf_xstrdup(key);
	e->value = pf_xstrndup(value ? value : "", len);
	e->len = len;
	e->create_rev = create_rev;
	e->mod_rev = mod_rev;
	return e;
}

static void log_append(struct mem_db *db, int64_t rev, enum pf_watch_type type,
		       const struct mem_entry *e)
{
	struct mem_event *ev;

	PF_GROW(db->log, db->log_cap, db->log_n + 1);
	ev = &db->log[db->log_n++];
	ev->rev = rev;
	ev->type = type;
	ev->key = pf_xstrdup(e->key);
	ev->value = type == PF_WATCH_PUT ? pf_xstrndup(e->value, e->len) : NULL;
	ev->len = type == PF_WATCH_PUT ? e->len : 0;
	ev->create_rev = e->create_rev;
}

/* Drop events with rev <= upto.  Caller holds db->mu. */
static void log_trim(struct mem_db *db, int64_t upto)
{
	size_t k = 0;

	if (upto <= db->compact_rev)
		return;
	while (k < db->log_n && db->log[k].rev <= upto)
		event_clear(&db->log[k++]);
	memmove(db->log, db->log + k, (db->log_n - k) * sizeof(db->log[0]));
	db->log_n -= k;
	db->compact_rev = upto;
}

/* What one op displaced, so that a failed txn can restore it exactly. */
struct undo {
	struct mem_entry *old; /* the entry the op replaced or removed, or NULL */
	struct mem_entry *new; /* the entry the op inserted, or NULL */
};

static int apply(struct mem_db *db, const struct pf_op *op, int64_t rev, struct undo *u,
		 struct pf_err *err)
{
	bool found;
	size_t i = find(db, op->key, &found);
	struct mem_entry *e = found ? db->kv[i] : NULL;

	u->old = u->new = NULL;
	if (op->kind == PF_OP_CREATE && e)
		return pf_store_err_exists(err, op->key);
	if ((op->kind == PF_OP_UPDATE || op->kind == PF_OP_DELETE) && !e)
		return pf_store_err_absent(err, op->key);
	if ((op->kind == PF_OP_UPDATE || op->kind == PF_OP_DELETE) && op->expect_rev &&
	    op->expect_rev != e->mod_rev)
		return pf_store_err_stale(err, op->key, e->mod_rev, op->expect_rev);

	if (op->kind == PF_OP_DELETE) {
		kv_remove(db, i);
		u->old = e;
		/* A DELETE event carries the revision of the deletion. */
		log_append(db, rev, PF_WATCH_DELETE, e);
		return 0;
	}
	u->new = entry_new(op->key, op->value, op->len, e ? e->create_rev : rev, rev);
	if (e) {
		db->kv[i] = u->new;
		u->old = e;
	} else {
		kv_insert(db, i, u->new);
	}
	log_append(db, rev, PF_WATCH_PUT, u->new);
	return 0;
}

static void undo_one(struct mem_db *db, struct undo *u)
{
	const char *key = u->new ? u->new->key : u->old->key;
	bool found;
	size_t i = find(db, key, &found);

	/* The entry an op inserted is still the current one: later ops of
	 * this txn were undone first.  The slot it leaves is where the old
	 * one goes back. */
	if (u->new)
		kv_remove(db, i);
	if (u->old)
		kv_insert(db, i, u->old);
	entry_free(u->new);
}

static int mem_txn(struct pf_store *base, const struct pf_op *ops, size_t n, int64_t *rev,
		   size_t *failed, struct pf_err *err)
{
	struct mem_db *db = db_of(base);
	_cleanup_free_ struct undo *undo = pf_xcalloc(n, sizeof(*undo));
	size_t log_mark;
	int64_t next;
	int r = 0;
	size_t i;

	pthread_mutex_lock(&db->mu);
	next = db->rev + 1;
	log_mark = db->log_n;
	for (i = 0; i < n; i++) {
		if ((r = apply(db, &ops[i], next, &undo[i], err)) < 0)
			break;
	}
	if (r < 0) {
		if (failed)
			*failed = i;
		/* Newest first, so each undo finds the state its op left. */
		while (i-- > 0)
			undo_one(db, &undo[i]);
		while (db->log_n > log_mark)
			event_clear(&db->log[--db->log_n]);
		pthread_mutex_unlock(&db->mu);
		return r;
	}
	for (i = 0; i < n; i++)
		entry_free(undo[i].old);
	db->rev = next;
	if (db->rev - db->compact_rev > db->history + db->history / 10)
		log_trim(db, db->rev - db->history);
	pthread_mutex_unlock(&db->mu);
	pf_watch_hub_bump(&db->hub);
	if (rev)
		*rev = next;
	return 0;
}

static int mem_compact(struct pf_store *base, int64_t rev, struct pf_err *err)
{
	struct mem_db *db = db_of(base);
	int r = 0;

	pthread_mutex_lock(&db->mu);
	if (rev > db->rev) {
		r = pf_err_set(err, EINVAL, "cannot compact to revision %lld: the store is at %lld",
			       (long long)rev, (long long)db->rev);
	} else {
		log_trim(db, rev);
	}
	pthread_mutex_unlock(&db->mu);
	/* Lagging watchers must learn that their history is gone. */
	if (r == 0)
		pf_watch_hub_bump(&db->hub);
	return r;
}

static int mem_watch_open(struct pf_store *base, const char *prefix, int64_t from_rev,
			  struct pf_watch **out, struct pf_err *err)
{
	struct mem_db *db = db_of(base);
	struct mem_watch *w;
	int64_t start;

	pthread_mutex_lock(&db->mu);
	start = from_rev > 0 ? from_rev : db->rev + 1;
	if (start <= db->compact_rev) {
		int64_t c = db->compact_rev;
		pthread_mutex_unlock(&db->mu);
		return pf_store_err_compacted(err, start, c);
	}
	pthread_mutex_unlock(&db->mu);

	w = pf_xcalloc(1, sizeof(*w));
	pf_watch_init(&w->base, &pf_store_mem_ops, &db->hub);
	w->db = db;
	w->prefix = pf_xstrdup(prefix);
	w->plen = strlen(prefix);
	w->next_rev = start;
	*out = &w->base;
	return 0;
}

/* Collect the events for w.  Caller holds db->mu. */
static int fetch_locked(struct mem_watch *w, struct pf_watch_batch *out, struct pf_err *err)
{
	struct mem_db *db = w->db;
	size_t lo = 0, hi = db->log_n, cap = 0;
	int64_t last = 0;

	if (w->next_rev <= db->compact_rev)
		return pf_store_err_compacted(err, w->next_rev, db->compact_rev);
	if (w->next_rev > db->rev)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (db->log[mid].rev < w->next_rev)
			lo = mid + 1;
		else
			hi = mid;
	}
	w->next_rev = db->rev + 1;
	for (size_t i = lo; i < db->log_n; i++) {
		struct mem_event *ev = &db->log[i];
		struct pf_watch_event *e;

		/* Stop only between revisions, so a txn is never split. */
		if (out->n >= PF_WATCH_BATCH && ev->rev != last) {
			w->next_rev = ev->rev;
			break;
		}
		if (strncmp(ev->key, w->prefix, w->plen))
			continue;
		e = pf_watch_batch_add(out, &cap);
		e->type = ev->type;
		pf_kv_set(&e->kv, ev->key, ev->value, ev->len, ev->create_rev, ev->rev);
		last = ev->rev;
	}
	return (int)out->n;
}

static int mem_watch_fetch(struct pf_watch *base, struct pf_watch_batch *out, struct pf_err *err)
{
	struct mem_watch *w = (struct mem_watch *)base;
	int r;

	pthread_mutex_lock(&w->db->mu);
	r = fetch_locked(w, out, err);
	pthread_mutex_unlock(&w->db->mu);
	return r;
}

static void mem_watch_close(struct pf_watch *base)
{
	struct mem_watch *w = (struct mem_watch *)base;

	free(w->prefix);
	free(w);
}

void pf_store_mem_set_history(struct pf_store *base, int64_t keep)
{
	struct mem_db *db = db_of(base);

	pthread_mutex_lock(&db->mu);
	db->history = keep;
	pthread_mutex_unlock(&db->mu);
}

const struct pf_store_ops pf_store_mem_ops = {
    .scheme = "mem",
    .open = mem_open,
    .close = mem_close,
    .rev = mem_rev,
    .get = mem_get,
    .list = mem_list,
    .txn = mem_txn,
    .watch_open = mem_watch_open,
    .watch_fetch = mem_watch_fetch,
    .watch_close = mem_watch_close,
    .compact = mem_compact,
};
