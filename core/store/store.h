/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.h - the key/value store with revisions, compare-and-swap and watch
 * that every podfs component talks to.  It maps one to one onto etcd v3
 * (a global revision counter; each key has create_rev and mod_rev; a txn is
 * a list of operations applied atomically; watch streams every change after
 * a revision) and onto one sqlite file (core/store/store_sqlite.c), as kine does
 * for k3s.  Keys follow Kubernetes: /registry/pods/default/NAME,
 * /registry/minions/NAME, /registry/events/default/NAME.
 *
 * Backends are chosen by URI scheme from a static table (store.c):
 *   sqlite:PATH   embedded, WAL, shareable by processes on one machine
 *                 (sqlite://PATH is accepted too; the file is created 0600
 *                 and its directory 0700 when missing)
 *   mem:          in-process only, for unit tests: each open is a new,
 *                 empty store
 *   mem:NAME      in-process, shared by every handle opened with that NAME
 *                 until the last one closes
 *   etcd://HOST:PORT[,HOST:PORT...]   (later)
 *
 * Every function is thread-safe: one handle is shared by the FUSE workers,
 * the scheduler and the node agent of a process.  All functions return 0 or
 * a positive count on success and -errno on failure with a sentence in err.
 * Errors a backend can return (and nothing else):
 *   -ENOENT  key absent (get, update, delete)
 *   -EEXIST  create of a key that exists
 *   -ESTALE  compare-and-swap failed: the key's mod_rev is not the expected one
 *   -ERANGE  watch from a revision that was compacted away: relist, then watch again
 *   -ECANCELED watch cancelled by pf_watch_cancel()
 *   -EIO     the backend itself failed (disk, corrupt file, server error); err says how
 *   -ENOSPC  the disk is full; -EFBIG a value too big for the backend (sqlite: 1 GB)
 *   -EINVAL  a bad URI, an empty key, a bad op (checked before any backend sees it)
 * A busy sqlite file or a lost etcd leader is retried inside the backend and
 * never reaches the caller as an error (only a file held locked for 30 s, by
 * a stopped process, ends as -EIO rather than hanging every caller).
 */
#ifndef PODFS_STORE_H
#define PODFS_STORE_H

#include "errors.h"

#include <stdbool.h>

struct pf_store;
struct pf_watch;

struct pf_kv {
	char *key;
	char *value; /* NUL-terminated copy of the value (len excludes the NUL) */
	size_t len;
	int64_t create_rev;
	int64_t mod_rev;
};
struct pf_kv_list {
	struct pf_kv *items;
	size_t n;
};
void pf_kv_free(struct pf_kv *kv); /* frees the members, not kv itself */
void pf_kv_list_free(struct pf_kv_list *l);

enum pf_op_kind {
	PF_OP_CREATE = 1, /* fails -EEXIST when the key exists */
	PF_OP_UPDATE,	  /* fails -ENOENT when absent, -ESTALE when expect_rev != 0 and differs */
	PF_OP_PUT,	  /* create or overwrite; expect_rev ignored */
	PF_OP_DELETE,	  /* fails -ENOENT when absent, -ESTALE like UPDATE */
};
struct pf_op {
	enum pf_op_kind kind;
	const char *key;
	const char *value; /* CREATE/UPDATE/PUT */
	size_t len;
	int64_t expect_rev; /* UPDATE/DELETE: the mod_rev the caller read; 0 = any */
};

/* Open the store named by uri.  -EINVAL for an unknown scheme or a bad URI,
 * -EIO (or the errno of the failing syscall) when the backend cannot start. */
int pf_store_open(const char *uri, struct pf_store **out, struct pf_err *err);
void pf_store_close(struct pf_store *s);

/* The newest revision of the whole store (0 for an empty store). */
int pf_store_rev(struct pf_store *s, int64_t *rev, struct pf_err *err);

/* Read one key.  -ENOENT when absent. */
int pf_store_get(struct pf_store *s, const char *key, struct pf_kv *out, struct pf_err *err);

/* Every key starting with prefix, in key order, as of one revision (*rev,
 * may be NULL), so a watch from *rev + 1 misses nothing. Returns the count. */
int pf_store_list(struct pf_store *s, const char *prefix, struct pf_kv_list *out, int64_t *rev,
		  struct pf_err *err);

/* Apply ops atomically: all or none.  On success *rev (may be NULL) is the
 * revision of the change (every op of one txn shares it, as in etcd); on
 * failure nothing changed, *failed (may be NULL) is the index of the first
 * op that failed and err names its key (n when no op was at fault, as for
 * -EIO). A txn of zero ops is a no-op that sets *rev to the current
 * revision.  Ops apply in order: a later op sees what an earlier one of the
 * same txn did (CREATE k then UPDATE k succeeds).  -EINVAL for a NULL or
 * empty key, an unknown kind or a NULL value with len > 0. */
int pf_store_txn(struct pf_store *s, const struct pf_op *ops, size_t n, int64_t *rev,
		 size_t *failed, struct pf_err *err);

/* One-op conveniences over pf_store_txn. */
int pf_store_create(struct pf_store *s, const char *key, const char *value, size_t len,
		    int64_t *rev, struct pf_err *err);
int pf_store_update(struct pf_store *s, const char *key, const char *value, size_t len,
		    int64_t expect_rev, int64_t *rev, struct pf_err *err);
int pf_store_put(struct pf_store *s, const char *key, const char *value, size_t len, int64_t *rev,
		 struct pf_err *err);
int pf_store_delete(struct pf_store *s, const char *key, int64_t expect_rev, int64_t *rev,
		    struct pf_err *err);

/* Watch. */
enum pf_watch_type { PF_WATCH_PUT = 1, PF_WATCH_DELETE };
struct pf_watch_event {
	enum pf_watch_type type;
	struct pf_kv kv; /* DELETE: value NULL, len 0, mod_rev = the deletion's revision */
};
struct pf_watch_batch {
	struct pf_watch_event *events;
	size_t n;
};
void pf_watch_batch_free(struct pf_watch_batch *b);

/* Start watching keys under prefix; events with revision >= from_rev are
 * delivered, in revision order, each exactly once; the events of one txn
 * come in op order.  from_rev <= 0 means "from now" (the newest revision
 * + 1), as etcd's start_revision 0.  from_rev older than the compacted
 * history gives -ERANGE (now or from pf_watch_next).  Close every watch
 * before its store. */
int pf_watch_open(struct pf_store *s, const char *prefix, int64_t from_rev, struct pf_watch **out,
		  struct pf_err *err);
/* Wait up to timeout_ms (-1: forever) for events.  Returns the number of
 * events in out (0 on timeout), -ERANGE, -ECANCELED or -EIO. The caller
 * frees out with pf_watch_batch_free. Changes made by this process are seen
 * at once; changes by other processes sharing an sqlite file within
 * milliseconds (inotify on the WAL, with a slow poll as a safety net). */
int pf_watch_next(struct pf_watch *w, struct pf_watch_batch *out, int timeout_ms,
		  struct pf_err *err);
/* Wake a pf_watch_next in another thread with -ECANCELED; safe from any
 * thread, idempotent. */
void pf_watch_cancel(struct pf_watch *w);
void pf_watch_close(struct pf_watch *w);

/* The backend vtable (store-internal.h users only). */
struct pf_store_ops {
	const char *scheme; /* "sqlite", "mem", "etcd" */
	int (*open)(const char *rest, struct pf_store **out, struct pf_err *err);
	void (*close)(struct pf_store *s);
	int (*rev)(struct pf_store *s, int64_t *rev, struct pf_err *err);
	int (*get)(struct pf_store *s, const char *key, struct pf_kv *out, struct pf_err *err);
	int (*list)(struct pf_store *s, const char *prefix, struct pf_kv_list *out, int64_t *rev,
		    struct pf_err *err);
	int (*txn)(struct pf_store *s, const struct pf_op *ops, size_t n, int64_t *rev,
		   size_t *failed, struct pf_err *err);
	/* Set up a watch with pf_watch_init() and its backend's position;
	 * -ERANGE for a compacted from_rev (from_rev <= 0 is resolved here). */
	int (*watch_open)(struct pf_store *s, const char *prefix, int64_t from_rev,
			  struct pf_watch **out, struct pf_err *err);
	/* Collect the events not yet delivered, without waiting: their count
	 * (0 when there are none yet), -ERANGE or -EIO.  watch.c does the
	 * waiting on w->hub, the timeout and the cancel. */
	int (*watch_fetch)(struct pf_watch *w, struct pf_watch_batch *out, struct pf_err *err);
	/* Free what watch_open made; the watch is idle. */
	void (*watch_close)(struct pf_watch *w);
	/* Drop history up to rev (store-internal.h: pf_store_compact). */
	int (*compact)(struct pf_store *s, int64_t rev, struct pf_err *err);
};
/* Every backend's handle starts with this header. */
struct pf_store {
	const struct pf_store_ops *ops;
};
/* Every backend's watch starts with this header (watch.c owns it). */
struct pf_watch_hub;
struct pf_watch {
	const struct pf_store_ops *ops;
	struct pf_watch_hub *hub; /* where its backend announces changes */
	bool cancelled;		  /* under hub->mu */
};

#endif
