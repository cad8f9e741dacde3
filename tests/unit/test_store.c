/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store.c - the store contract: one body of assertions run against
 * every backend (mem:, and sqlite: in a fresh directory under /tmp), then
 * what only the sqlite backend promises: several handles and several
 * processes on one file, persistence across close, its settings, and how
 * fast it is (printed as "# " lines, never asserted: machines differ).
 *
 * The same binary is its own child process for the multi-process tests
 * (argv[1] names the child's job), so that no test depends on fork() of a
 * process that holds sqlite connections.  It removes everything it creates.
 */
#include "lease.h"
#include "store-internal.h"
#include "tap.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>

static char tmpdir[] = "/tmp/podfs-test-store-XXXXXX";
static int store_seq;

static double ms_since(int64_t t0)
{
	return (double)(pf_now_ns() - t0) / 1e6;
}

static char *fresh_uri(const char *backend)
{
	if (!strcmp(backend, "mem"))
		return pf_xstrdup("mem:");
	return pf_xasprintf("sqlite:%s/s%d.db", tmpdir, ++store_seq);
}

static struct pf_store *must_open(const char *uri)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_store *s = NULL;
	int r = pf_store_open(uri, &s, &err);

	if (r < 0) {
		printf("Bail out! cannot open %s: %s\n", uri, err.msg);
		exit(1);
	}
	return s;
}

static int64_t cur_rev(struct pf_store *s)
{
	int64_t rev = -1;

	if (pf_store_rev(s, &rev, NULL) < 0)
		return -1;
	return rev;
}

/* The value of key, or NULL when absent; caller frees. */
static char *value_of(struct pf_store *s, const char *key)
{
	struct pf_kv kv;

	if (pf_store_get(s, key, &kv, NULL) < 0)
		return NULL;
	free(kv.key);
	return kv.value;
}

static int put_str(struct pf_store *s, const char *key, const char *v, int64_t *rev)
{
	return pf_store_put(s, key, v, strlen(v), rev, NULL);
}

/* ---- the contract ---- */

static void t_basic(const char *be)
{
	_cleanup_free_ char *uri = fresh_uri(be);
	struct pf_store *s = must_open(uri);
	struct pf_err err = PF_ERR_INIT;
	struct pf_kv kv;
	int64_t rev = -1;
	char *v;
	int r;

	is_int(cur_rev(s), 0, "%s: an empty store is at revision 0", be);

	r = pf_store_create(s, "/a", "one", 3, &rev, &err);
	is_int(r, 0, "%s: create", be);
	is_int(rev, 1, "%s: the first change is revision 1", be);
	r = pf_store_get(s, "/a", &kv, &err);
	is_int(r, 0, "%s: get", be);
	is_str(kv.key, "/a", "%s: get: key", be);
	is_str(kv.value, "one", "%s: get: value", be);
	is_int(kv.len, 3, "%s: get: len", be);
	is_int(kv.create_rev, 1, "%s: get: create_rev", be);
	is_int(kv.mod_rev, 1, "%s: get: mod_rev", be);
	pf_kv_free(&kv);

	pf_err_clear(&err);
	r = pf_store_create(s, "/a", "two", 3, &rev, &err);
	is_int(r, -EEXIST, "%s: create of an existing key: -EEXIST", be);
	ok(strstr(err.msg, "'/a'") != NULL, "%s: -EEXIST names the key (%s)", be, err.msg);
	is_int(cur_rev(s), 1, "%s: a failed create leaves the revision", be);
	v = value_of(s, "/a");
	is_str(v, "one", "%s: a failed create leaves the value", be);
	free(v);

	pf_err_clear(&err);
	r = pf_store_get(s, "/missing", &kv, &err);
	is_int(r, -ENOENT, "%s: get of a missing key: -ENOENT", be);
	ok(strstr(err.msg, "/missing") != NULL, "%s: -ENOENT names the key", be);

	r = pf_store_update(s, "/a", "uno", 3, 1, &rev, NULL);
	is_int(r, 0, "%s: update with the right revision", be);
	is_int(rev, 2, "%s: update gives revision 2", be);
	pf_store_get(s, "/a", &kv, NULL);
	is_str(kv.value, "uno", "%s: update: value", be);
	is_int(kv.create_rev, 1, "%s: update keeps create_rev", be);
	is_int(kv.mod_rev, 2, "%s: update sets mod_rev", be);
	pf_kv_free(&kv);

	pf_err_clear(&err);
	r = pf_store_update(s, "/a", "stale", 5, 1, &rev, &err);
	is_int(r, -ESTALE, "%s: update with an old revision: -ESTALE", be);
	ok(strstr(err.msg, "'/a'") != NULL, "%s: -ESTALE names the key (%s)", be, err.msg);
	r = pf_store_update(s, "/nope", "x", 1, 0, &rev, NULL);
	is_int(r, -ENOENT, "%s: update of a missing key: -ENOENT", be);
	is_int(cur_rev(s), 2, "%s: failed updates leave the revision", be);

	r = pf_store_update(s, "/a", "any", 3, 0, &rev, NULL);
	is_int(r, 0, "%s: update with expect_rev 0 ignores the revision", be);
	is_int(rev, 3, "%s: ... at revision 3", be);

	r = put_str(s, "/b", "new", &rev);
	is_int(r, 0, "%s: put creates", be);
	pf_store_get(s, "/b", &kv, NULL);
	ok(kv.create_rev == 4 && kv.mod_rev == 4, "%s: put-created key has create=mod=4", be);
	pf_kv_free(&kv);
	r = put_str(s, "/b", "newer", &rev);
	is_int(r, 0, "%s: put overwrites", be);
	pf_store_get(s, "/b", &kv, NULL);
	ok(kv.create_rev == 4 && kv.mod_rev == 5 && !strcmp(kv.value, "newer"),
	   "%s: put-overwritten key keeps create_rev 4, mod_rev 5", be);
	pf_kv_free(&kv);

	r = pf_store_delete(s, "/a", 2, &rev, NULL);
	is_int(r, -ESTALE, "%s: delete with an old revision: -ESTALE", be);
	v = value_of(s, "/a");
	ok(v != NULL, "%s: a failed delete leaves the key", be);
	free(v);
	r = pf_store_delete(s, "/a", 3, &rev, NULL);
	is_int(r, 0, "%s: delete with the right revision", be);
	is_int(rev, 6, "%s: delete is revision 6", be);
	r = pf_store_get(s, "/a", &kv, NULL);
	is_int(r, -ENOENT, "%s: a deleted key is gone", be);
	r = pf_store_delete(s, "/a", 0, &rev, NULL);
	is_int(r, -ENOENT, "%s: delete of a missing key: -ENOENT", be);

	r = pf_store_create(s, "/a", "again", 5, &rev, NULL);
	is_int(r, 0, "%s: re-create after delete", be);
	pf_store_get(s, "/a", &kv, NULL);
	ok(kv.create_rev == 7 && kv.mod_rev == 7,
	   "%s: a re-created key has a new create_rev (%lld)", be, (long long)kv.create_rev);
	pf_kv_free(&kv);

	/* Values are bytes: empty, and with NULs inside. */
	r = pf_store_put(s, "/empty", "", 0, NULL, NULL);
	is_int(r, 0, "%s: put of an empty value", be);
	pf_store_get(s, "/empty", &kv, NULL);
	ok(kv.value && kv.len == 0 && kv.value[0] == '\0', "%s: an empty value reads back empty",
	   be);
	pf_kv_free(&kv);
	r = pf_store_put(s, "/bin", "a\0b\xff", 4, NULL, NULL);
	pf_store_get(s, "/bin", &kv, NULL);
	ok(r == 0 && kv.len == 4 && !memcmp(kv.value, "a\0b\xff", 4) && kv.value[4] == '\0',
	   "%s: a value with NUL bytes round-trips, NUL-terminated", be);
	pf_kv_free(&kv);

	pf_err_clear(&err);
	r = pf_store_create(s, "", "x", 1, NULL, &err);
	is_int(r, -EINVAL, "%s: an empty key is -EINVAL", be);
	r = pf_store_put(s, "/x", NULL, 3, NULL, NULL);
	is_int(r, -EINVAL, "%s: a NULL value with a length is -EINVAL", be);
	is_int(cur_rev(s), 9, "%s: rejected calls leave the revision", be);
	pf_store_close(s);
}

static void t_list(const char *be)
{
	_cleanup_free_ char *uri = fresh_uri(be);
	struct pf_store *s = must_open(uri);
	const char *keys[] = {"/p/c", "/p/a", "/q/a", "/p/b", "/p", "/p0", "/p/\xff", "/o"};
	struct pf_kv_list l;
	int64_t rev = -1;
	int r;

	r = pf_store_list(s, "/p/", &l, &rev, NULL);
	ok(r == 0 && l.n == 0 && rev == 0, "%s: list of an empty store", be);
	pf_kv_list_free(&l);
	for (size_t i = 0; i < PF_ARRAY_SIZE(keys); i++)
		put_str(s, keys[i], keys[i], NULL);

	r = pf_store_list(s, "/p/", &l, &rev, NULL);
	is_int(r, 4, "%s: list /p/ returns its 4 keys", be);
	ok(l.n == 4 && !strcmp(l.items[0].key, "/p/a") && !strcmp(l.items[1].key, "/p/b") &&
	       !strcmp(l.items[2].key, "/p/c") && !strcmp(l.items[3].key, "/p/\xff"),
	   "%s: in key order, bytes unsigned, without /p, /p0", be);
	is_int(rev, 8, "%s: list gives the store's revision", be);
	ok(l.n == 4 && !strcmp(l.items[1].value, "/p/b") && l.items[1].create_rev == 4 &&
	       l.items[1].mod_rev == 4,
	   "%s: listed values and revisions", be);
	pf_kv_list_free(&l);

	r = pf_store_list(s, "", &l, NULL, NULL);
	is_int(r, 8, "%s: list \"\" returns everything", be);
	ok(l.n == 8 && !strcmp(l.items[0].key, "/o") && !strcmp(l.items[7].key, "/q/a"),
	   "%s: everything in key order", be);
	pf_kv_list_free(&l);

	r = pf_store_list(s, "/p/\xff", &l, NULL, NULL);
	ok(r == 1 && !strcmp(l.items[0].key, "/p/\xff"), "%s: a prefix ending in 0xff", be);
	pf_kv_list_free(&l);
	r = pf_store_list(s, "/zz", &l, NULL, NULL);
	ok(r == 0 && l.n == 0 && l.items == NULL, "%s: list with no match", be);
	pf_kv_list_free(&l);
	pf_store_close(s);
}

static void t_txn(const char *be)
{
	_cleanup_free_ char *uri = fresh_uri(be);
	struct pf_store *s = must_open(uri);
	struct pf_err err = PF_ERR_INIT;
	struct pf_kv kv;
	size_t failed = 99;
	int64_t rev = -1, r0;
	char *v;
	int r;

	put_str(s, "/t/a", "a0", NULL);
	put_str(s, "/t/b", "b0", NULL);
	r0 = cur_rev(s);

	struct pf_op good[] = {
	    {.kind = PF_OP_CREATE, .key = "/t/c", .value = "c1", .len = 2},
	    {.kind = PF_OP_UPDATE, .key = "/t/a", .value = "a1", .len = 2, .expect_rev = 1},
	    {.kind = PF_OP_DELETE, .key = "/t/b", .expect_rev = 2},
	    {.kind = PF_OP_PUT, .key = "/t/d", .value = "d1", .len = 2},
	};
	r = pf_store_txn(s, good, PF_ARRAY_SIZE(good), &rev, &failed, NULL);
	is_int(r, 0, "%s: a txn of four ops", be);
	is_int(rev, r0 + 1, "%s: a txn is one revision", be);
	pf_store_get(s, "/t/a", &kv, NULL);
	ok(kv.mod_rev == rev && !strcmp(kv.value, "a1"), "%s: txn: updated key", be);
	pf_kv_free(&kv);
	pf_store_get(s, "/t/c", &kv, NULL);
	ok(kv.create_rev == rev && kv.mod_rev == rev, "%s: txn: created key shares it", be);
	pf_kv_free(&kv);
	pf_store_get(s, "/t/d", &kv, NULL);
	ok(kv.create_rev == rev, "%s: txn: put key shares it", be);
	pf_kv_free(&kv);
	is_int(pf_store_get(s, "/t/b", &kv, NULL), -ENOENT, "%s: txn: deleted key", be);
	r0 = rev;

	struct pf_op bad_exists[] = {
	    {.kind = PF_OP_CREATE, .key = "/t/new", .value = "n", .len = 1},
	    {.kind = PF_OP_UPDATE, .key = "/t/a", .value = "zz", .len = 2},
	    {.kind = PF_OP_CREATE, .key = "/t/c", .value = "c2", .len = 2},
	};
	r = pf_store_txn(s, bad_exists, 3, &rev, &failed, &err);
	is_int(r, -EEXIST, "%s: txn with a create of an existing key: -EEXIST", be);
	is_int(failed, 2, "%s: ... failed names op 2", be);
	ok(strstr(err.msg, "/t/c") != NULL, "%s: ... err names its key (%s)", be, err.msg);
	is_int(pf_store_get(s, "/t/new", &kv, NULL), -ENOENT,
	       "%s: ... the earlier create did not happen", be);
	v = value_of(s, "/t/a");
	is_str(v, "a1", "%s: ... the earlier update did not happen", be);
	free(v);
	is_int(cur_rev(s), r0, "%s: ... the revision did not move", be);

	struct pf_op bad_stale[] = {
	    {.kind = PF_OP_PUT, .key = "/t/z", .value = "z", .len = 1},
	    {.kind = PF_OP_DELETE, .key = "/t/a", .expect_rev = 1},
	};
	failed = 99;
	r = pf_store_txn(s, bad_stale, 2, &rev, &failed, NULL);
	ok(r == -ESTALE && failed == 1, "%s: txn with a stale delete: -ESTALE at op 1", be);
	is_int(pf_store_get(s, "/t/z", &kv, NULL), -ENOENT, "%s: ... the put did not happen", be);

	struct pf_op bad_absent[] = {
	    {.kind = PF_OP_UPDATE, .key = "/t/none", .value = "x", .len = 1},
	};
	failed = 99;
	r = pf_store_txn(s, bad_absent, 1, &rev, &failed, NULL);
	ok(r == -ENOENT && failed == 0, "%s: txn updating a missing key: -ENOENT at op 0", be);
	is_int(cur_rev(s), r0, "%s: failed txns leave the revision", be);

	rev = -1;
	r = pf_store_txn(s, NULL, 0, &rev, &failed, NULL);
	ok(r == 0 && rev == r0 && cur_rev(s) == r0, "%s: a txn of no ops changes nothing", be);

	/* Ops apply in order; a failure undoes the earlier ops on the same key. */
	struct pf_op seq[] = {
	    {.kind = PF_OP_CREATE, .key = "/t/s", .value = "1", .len = 1},
	    {.kind = PF_OP_UPDATE, .key = "/t/s", .value = "2", .len = 1},
	    {.kind = PF_OP_CREATE, .key = "/t/gone", .value = "g", .len = 1},
	    {.kind = PF_OP_DELETE, .key = "/t/gone"},
	};
	r = pf_store_txn(s, seq, 4, &rev, NULL, NULL);
	v = value_of(s, "/t/s");
	ok(r == 0 && v && !strcmp(v, "2"), "%s: a later op sees an earlier one", be);
	free(v);
	is_int(pf_store_get(s, "/t/gone", &kv, NULL), -ENOENT, "%s: create then delete", be);
	r0 = rev;

	struct pf_op undo[] = {
	    {.kind = PF_OP_UPDATE, .key = "/t/s", .value = "3", .len = 1},
	    {.kind = PF_OP_DELETE, .key = "/t/s"},
	    {.kind = PF_OP_CREATE, .key = "/t/s", .value = "4", .len = 1},
	    {.kind = PF_OP_CREATE, .key = "/t/u", .value = "u", .len = 1},
	    {.kind = PF_OP_UPDATE, .key = "/t/u", .value = "v", .len = 1},
	    {.kind = PF_OP_DELETE, .key = "/t/u"},
	    {.kind = PF_OP_DELETE, .key = "/t/u"},
	};
	failed = 99;
	r = pf_store_txn(s, undo, 7, &rev, &failed, NULL);
	ok(r == -ENOENT && failed == 6, "%s: a txn failing at its last op", be);
	pf_store_get(s, "/t/s", &kv, NULL);
	ok(kv.value && !strcmp(kv.value, "2") && kv.create_rev == r0 && kv.mod_rev == r0,
	   "%s: ... restores a key updated, deleted and re-created", be);
	pf_kv_free(&kv);
	is_int(pf_store_get(s, "/t/u", &kv, NULL), -ENOENT, "%s: ... and removes what it made", be);
	struct pf_kv_list l;
	pf_store_list(s, "/t/", &l, &rev, NULL);
	ok(l.n == 4 && rev == r0, "%s: ... and the listing is as before (%zu keys)", be, l.n);
	pf_kv_list_free(&l);
	pf_store_close(s);
}

/* Read events until n have come or timeout_ms pass with none. */
static size_t collect(struct pf_watch *w, struct pf_watch_event *ev, size_t n, int timeout_ms,
		      int *last_r)
{
	size_t got = 0;

	while (got < n) {
		struct pf_watch_batch b;
		int r = pf_watch_next(w, &b, timeout_ms, NULL);
		*last_r = r;
		if (r <= 0)
			break;
		for (size_t i = 0; i < b.n; i++) {
			if (got < n) {
				ev[got++] = b.events[i];
				memset(&b.events[i].kv, 0, sizeof(b.events[i].kv));
			}
		}
		pf_watch_batch_free(&b);
	}
	return got;
}

static void events_free(struct pf_watch_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pf_kv_free(&ev[i].kv);
}

static void t_watch_history(const char *be)
{
	_cleanup_free_ char *uri = fresh_uri(be);
	struct pf_store *s = must_open(uri);
	struct pf_watch *w = NULL;
	struct pf_watch_event ev[16];
	struct pf_watch_batch b;
	int64_t rev;
	size_t n;
	int r, lr = 0;

	put_str(s, "/w/a", "a1", NULL);		   /* 1 */
	put_str(s, "/x/other", "o", NULL);	   /* 2 */
	put_str(s, "/w/a", "a2", NULL);		   /* 3 */
	pf_store_delete(s, "/w/a", 0, NULL, NULL); /* 4 */
	struct pf_op two[] = {
	    {.kind = PF_OP_CREATE, .key = "/w/c", .value = "c", .len = 1},
	    {.kind = PF_OP_CREATE, .key = "/w/b", .value = "b", .len = 1},
	};
	pf_store_txn(s, two, 2, &rev, NULL, NULL); /* 5 */

	r = pf_watch_open(s, "/w/", 1, &w, NULL);
	is_int(r, 0, "%s: watch from revision 1", be);
	n = collect(w, ev, 16, 0, &lr);
	is_int(n, 5, "%s: history replay: five events under /w/", be);
	if (n == 5) {
		ok(ev[0].type == PF_WATCH_PUT && ev[0].kv.mod_rev == 1 &&
		       !strcmp(ev[0].kv.value, "a1"),
		   "%s: event 1: put a1 at 1", be);
		ok(ev[1].type == PF_WATCH_PUT && ev[1].kv.mod_rev == 3 &&
		       ev[1].kv.create_rev == 1 && !strcmp(ev[1].kv.value, "a2"),
		   "%s: event 2: put a2 at 3, created at 1", be);
		ok(ev[2].type == PF_WATCH_DELETE && ev[2].kv.mod_rev == 4 &&
		       ev[2].kv.value == NULL && ev[2].kv.len == 0 && ev[2].kv.create_rev == 1 &&
		       !strcmp(ev[2].kv.key, "/w/a"),
		   "%s: event 3: delete at 4, value NULL, create_rev kept", be);
		ok(ev[3].kv.mod_rev == 5 && ev[4].kv.mod_rev == 5 &&
		       !strcmp(ev[3].kv.key, "/w/c") && !strcmp(ev[4].kv.key, "/w/b"),
		   "%s: events 4, 5: one txn, one revision, in op order", be);
	}
	events_free(ev, n);
	r = pf_watch_next(w, &b, 0, NULL);
	ok(r == 0 && b.n == 0, "%s: nothing is delivered twice", be);
	pf_watch_batch_free(&b);

	int64_t t0 = pf_now_ns();
	r = pf_watch_next(w, &b, 100, NULL);
	double el = ms_since(t0);
	ok(r == 0 && el >= 90 && el < 1000, "%s: watch_next times out (%.0f ms for 100)", be, el);
	pf_watch_close(w);

	r = pf_watch_open(s, "/w/", 4, &w, NULL);
	n = collect(w, ev, 16, 0, &lr);
	ok(r == 0 && n == 3 && ev[0].type == PF_WATCH_DELETE, "%s: watch from revision 4", be);
	events_free(ev, n);
	pf_watch_close(w);

	r = pf_watch_open(s, "", 0, &w, NULL);
	n = collect(w, ev, 16, 0, &lr);
	ok(r == 0 && n == 0, "%s: watch from 0 starts now: no history", be);
	put_str(s, "/x/after", "1", NULL);
	n = collect(w, ev, 16, 0, &lr);
	ok(n == 1 && ev[0].kv.mod_rev == 6, "%s: ... and sees the next change", be);
	events_free(ev, n);
	pf_watch_close(w);

	/* A big txn comes whole, even past the batch size. */
	size_t big = PF_WATCH_BATCH + 10;
	struct pf_op *ops = pf_xcalloc(big, sizeof(*ops));
	char(*keys)[32] = pf_xcalloc(big, 32);
	r = pf_watch_open(s, "/big/", 0, &w, NULL);
	put_str(s, "/big/first", "f", NULL);
	for (size_t i = 0; i < big; i++) {
		snprintf(keys[i], 32, "/big/%05zu", i);
		ops[i] = (struct pf_op){.kind = PF_OP_PUT, .key = keys[i], .value = "v", .len = 1};
	}
	pf_store_txn(s, ops, big, &rev, NULL, NULL);
	r = pf_watch_next(w, &b, 1000, NULL);
	bool order = b.n == big + 1;
	for (size_t i = 1; order && i < b.n; i++)
		order = b.events[i].kv.mod_rev == rev && !strcmp(b.events[i].kv.key, keys[i - 1]);
	ok(r == (int)big + 1 && order, "%s: a %zu-op txn arrives whole and in order (%d)", be, big,
	   r);
	pf_watch_batch_free(&b);
	pf_watch_close(w);
	free(ops);
	free(keys);
	pf_store_close(s);
}

struct writer_arg {
	struct pf_store *s;
	const char *key;
	int delay_ms;
	int64_t t_write;
};

static void *writer_main(void *p)
{
	struct writer_arg *a = p;

	usleep((useconds_t)a->delay_ms * 1000);
	a->t_write = pf_now_ns();
	put_str(a->s, a->key, "live", NULL);
	return NULL;
}

static void t_watch_live(const char *be)
{
	_cleanup_free_ char *uri = fresh_uri(be);
	struct pf_store *s = must_open(uri);
	struct pf_watch *w = NULL;
	struct pf_watch_batch b;
	pthread_t th;
	int r;

	put_str(s, "/l/old", "o", NULL);
	r = pf_watch_open(s, "/l/", 0, &w, NULL);
	struct writer_arg a = {.s = s, .key = "/l/k", .delay_ms = 50};
	pthread_create(&th, NULL, writer_main, &a);
	r = pf_watch_next(w, &b, 5000, NULL);
	int64_t t_wake = pf_now_ns();
	pthread_join(th, NULL);
	double lat = (double)(t_wake - a.t_write) / 1e6;
	ok(r == 1 && b.n == 1 && !strcmp(b.events[0].kv.key, "/l/k"),
	   "%s: a blocked watch gets a live change", be);
	ok(lat < 50, "%s: ... %.2f ms after the write began", be, lat);
	pf_watch_batch_free(&b);

	/* Deletes wake watchers too. */
	a = (struct writer_arg){.s = s, .key = "/other", .delay_ms = 0};
	pf_store_delete(s, "/l/old", 0, NULL, NULL);
	r = pf_watch_next(w, &b, 1000, NULL);
	ok(r == 1 && b.events[0].type == PF_WATCH_DELETE && !strcmp(b.events[0].kv.key, "/l/old"),
	   "%s: watch after a delete: a DELETE event", be);
	pf_watch_batch_free(&b);
	pf_watch_close(w);
	pf_store_close(s);
}

struct waiter_arg {
	struct pf_watch *w;
	int r;
	int64_t t_done;
};

static void *waiter_main(void *p)
{
	struct waiter_arg *a = p;
	struct pf_err err = PF_ERR_INIT;
	struct pf_watch_batch b;

	a->r = pf_watch_next(a->w, &b, -1, &err);
	a->t_done = pf_now_ns();
	pf_watch_batch_free(&b);
	return NULL;
}

static void t_watch_cancel(const char *be)
{
	_cleanup_free_ char *uri = fresh_uri(be);
	struct pf_store *s = must_open(uri);
	struct pf_watch *w = NULL, *w2 = NULL;
	struct pf_watch_batch b;
	pthread_t th;
	int r;

	pf_watch_open(s, "/c/", 0, &w, NULL);
	pf_watch_open(s, "/c/", 0, &w2, NULL);
	struct waiter_arg a = {.w = w};
	pthread_create(&th, NULL, waiter_main, &a);
	usleep(50000);
	int64_t t0 = pf_now_ns();
	pf_watch_cancel(w);
	pthread_join(th, NULL);
	double lat = (double)(a.t_done - t0) / 1e6;
	is_int(a.r, -ECANCELED, "%s: cancel from another thread: -ECANCELED", be);
	ok(lat < 50, "%s: ... %.2f ms after the cancel", be, lat);
	pf_watch_cancel(w);
	r = pf_watch_next(w, &b, -1, NULL);
	ok(r == -ECANCELED && b.n == 0, "%s: cancel is idempotent and sticks", be);
	put_str(s, "/c/x", "x", NULL);
	r = pf_watch_next(w2, &b, 1000, NULL);
	ok(r == 1, "%s: another watch is not cancelled", be);
	pf_watch_batch_free(&b);
	pf_watch_close(w);
	pf_watch_close(w2);
	pf_store_close(s);
}

static void t_compact(const char *be)
{
	_cleanup_free_ char *uri = fresh_uri(be);
	struct pf_store *s = must_open(uri);
	struct pf_err err = PF_ERR_INIT;
	struct pf_watch *lag = NULL, *w = NULL;
	struct pf_watch_batch b;
	struct pf_watch_event ev[8];
	size_t n;
	int r, lr = 0;

	for (int i = 0; i < 6; i++)
		put_str(s, "/k/a", i % 2 ? "odd" : "even", NULL);
	pf_watch_open(s, "/k/", 2, &lag, NULL);
	r = pf_store_compact(s, 4, NULL);
	is_int(r, 0, "%s: compact to revision 4", be);
	r = pf_store_compact(s, 3, NULL);
	is_int(r, 0, "%s: compacting to an older revision is a no-op", be);
	r = pf_store_compact(s, 99, NULL);
	is_int(r, -EINVAL, "%s: compacting past the store is -EINVAL", be);

	r = pf_watch_open(s, "/k/", 4, &w, &err);
	ok(r == -ERANGE && w == NULL, "%s: watch from a compacted revision: -ERANGE (%s)", be,
	   err.msg);
	r = pf_watch_open(s, "/k/", 1, &w, NULL);
	is_int(r, -ERANGE, "%s: watch from revision 1 after compaction: -ERANGE", be);
	r = pf_watch_next(lag, &b, 0, NULL);
	is_int(r, -ERANGE, "%s: a watch lagging behind the compaction: -ERANGE from next", be);
	pf_watch_batch_free(&b);
	pf_watch_close(lag);

	r = pf_watch_open(s, "/k/", 5, &w, NULL);
	n = collect(w, ev, 8, 0, &lr);
	ok(r == 0 && n == 2 && ev[0].kv.mod_rev == 5 && ev[1].kv.mod_rev == 6,
	   "%s: watch from just after the compaction replays the rest", be);
	events_free(ev, n);
	pf_watch_close(w);
	char *v = value_of(s, "/k/a");
	is_str(v, "odd", "%s: compaction keeps the current state", be);
	free(v);
	pf_store_close(s);
}

/* The automatic trimming, with a history of 100 revisions. */
static void t_trim(const char *be)
{
	_cleanup_free_ char *uri = fresh_uri(be);
	struct pf_store *s = must_open(uri);
	struct pf_watch *w = NULL;
	struct pf_watch_event ev[64];
	int64_t rev = 0;
	int writes = 1100, fails = 0, r, lr = 0;
	size_t n;

	if (!strcmp(be, "mem"))
		pf_store_mem_set_history(s, 100);
	else
		pf_store_sqlite_set_history(s, 100);
	for (int i = 0; i < writes; i++)
		fails += put_str(s, "/trim/k", i % 2 ? "a" : "b", &rev) < 0;
	is_int(fails, 0, "%s: %d writes with a history of 100", be, writes);
	r = pf_watch_open(s, "/trim/", 1, &w, NULL);
	is_int(r, -ERANGE, "%s: ... the oldest history was trimmed", be);
	r = pf_watch_open(s, "/trim/", rev - 49, &w, NULL);
	n = collect(w, ev, 64, 0, &lr);
	ok(r == 0 && n == 50 && ev[49].kv.mod_rev == rev, "%s: ... the newest was kept (%zu)", be,
	   n);
	events_free(ev, n);
	pf_watch_close(w);
	pf_store_close(s);
}

#define RACE_THREADS 8
#define RACE_OWN     25
#define RACE_SHARED  25

struct racer {
	struct pf_store *s;
	int id;
	int own_ok;
	int wins[RACE_SHARED];
	int unexpected;
	int64_t revs[RACE_OWN + RACE_SHARED];
	int nrevs;
};

static pthread_barrier_t race_start;

static void *racer_main(void *p)
{
	struct racer *t = p;
	char key[64];

	pthread_barrier_wait(&race_start);
	for (int i = 0; i < RACE_SHARED + RACE_OWN; i++) {
		int64_t rev;
		int r;
		/* Interleave shared and own keys so that they contend. */
		if (i % 2 == 0 && i / 2 < RACE_SHARED)
			snprintf(key, sizeof(key), "/race/shared/%d", i / 2);
		else
			snprintf(key, sizeof(key), "/race/t%d/%d", t->id, i);
		r = pf_store_create(t->s, key, key, strlen(key), &rev, NULL);
		if (r == 0) {
			t->revs[t->nrevs++] = rev;
			if (!strncmp(key, "/race/shared/", 13))
				t->wins[atoi(key + 13)]++;
			else
				t->own_ok++;
		} else if (r != -EEXIST || strncmp(key, "/race/shared/", 13)) {
			t->unexpected++;
		}
	}
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static void t_concurrency(const char *be)
{
	_cleanup_free_ char *uri = fresh_uri(be);
	struct pf_store *s = must_open(uri);
	struct racer *t = pf_xcalloc(RACE_THREADS, sizeof(*t));
	pthread_t th[RACE_THREADS];
	struct pf_watch *w = NULL;
	int64_t all[RACE_THREADS * (RACE_OWN + RACE_SHARED)];
	int nall = 0, unexpected = 0, own = 0, lr = 0;
	bool one_winner = true, distinct = true;

	put_str(s, "/before", "b", NULL);
	pf_watch_open(s, "/race/", 0, &w, NULL);
	pthread_barrier_init(&race_start, NULL, RACE_THREADS);
	for (int i = 0; i < RACE_THREADS; i++) {
		t[i] = (struct racer){.s = s, .id = i};
		pthread_create(&th[i], NULL, racer_main, &t[i]);
	}
	for (int i = 0; i < RACE_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&race_start);
	for (int k = 0; k < RACE_SHARED; k++) {
		int wins = 0;
		for (int i = 0; i < RACE_THREADS; i++)
			wins += t[i].wins[k];
		one_winner = one_winner && wins == 1;
	}
	for (int i = 0; i < RACE_THREADS; i++) {
		unexpected += t[i].unexpected;
		own += t[i].own_ok;
		for (int j = 0; j < t[i].nrevs; j++)
			all[nall++] = t[i].revs[j];
	}
	ok(one_winner, "%s: %d threads racing to create %d keys: one winner each", be, RACE_THREADS,
	   RACE_SHARED);
	is_int(unexpected, 0, "%s: ... no error but -EEXIST on shared keys", be);
	is_int(own, RACE_THREADS * RACE_OWN, "%s: ... every distinct key created", be);
	qsort(all, (size_t)nall, sizeof(all[0]), cmp_i64);
	for (int i = 0; i < nall; i++)
		distinct = distinct && all[i] == 2 + i;
	ok(distinct && nall == RACE_SHARED + RACE_THREADS * RACE_OWN,
	   "%s: ... %d successful txns got revisions 2..%d, each once", be, nall, nall + 1);
	is_int(cur_rev(s), 1 + nall, "%s: ... the store is at the last of them", be);

	struct pf_watch_event *ev = pf_xcalloc((size_t)nall + 1, sizeof(*ev));
	size_t n = collect(w, ev, (size_t)nall + 1, 200, &lr);
	bool in_order = true;
	for (size_t i = 0; i < n; i++)
		in_order = in_order && ev[i].kv.mod_rev == (int64_t)(2 + i);
	ok(n == (size_t)nall && in_order, "%s: ... a watcher saw each once, in order (%zu)", be, n);
	events_free(ev, n);
	free(ev);
	free(t);
	pf_watch_close(w);
	pf_store_close(s);
}

/* Figures, not assertions: the target machine decides what is fast. */
static void t_perf(const char *be)
{
	_cleanup_free_ char *uri = fresh_uri(be);
	struct pf_store *s = must_open(uri);
	int serial = 2000, nkeys = 10000, r = 0, fails = 0;
	char key[64], val[256];
	struct pf_op *ops = pf_xcalloc(1000, sizeof(*ops));
	char(*keys)[64] = pf_xcalloc((size_t)nkeys, 64);
	struct pf_kv_list l;
	int64_t t0;
	double el;

	memset(val, 'v', sizeof(val));
	t0 = pf_now_ns();
	for (int i = 0; i < serial; i++) {
		snprintf(key, sizeof(key), "/serial/%d", i);
		if (pf_store_create(s, key, val, sizeof(val), NULL, NULL) < 0)
			fails++;
	}
	el = ms_since(t0);
	is_int(fails, 0, "%s: perf: %d serial creates", be, serial);
	printf("# %s: %d serial single-key creates, one txn each%s: %.0f/s, %.1f us each\n", be,
	       serial, strcmp(be, "sqlite") ? "" : " (durable: fsync per txn)",
	       serial / (el / 1000), el * 1000 / serial);

	for (int i = 0; i < nkeys; i++)
		snprintf(keys[i], 64, "/registry/pods/default/pod-%05d", i);
	for (int i = 0; i < nkeys; i += 1000) {
		for (int j = 0; j < 1000; j++)
			ops[j] = (struct pf_op){.kind = PF_OP_CREATE,
						.key = keys[i + j],
						.value = val,
						.len = sizeof(val)};
		r |= pf_store_txn(s, ops, 1000, NULL, NULL, NULL);
	}
	is_int(r, 0, "%s: perf: %d keys created in txns of 1000", be, nkeys);

	int gets = 20000;
	fails = 0;
	t0 = pf_now_ns();
	for (int i = 0; i < gets; i++) {
		struct pf_kv kv;
		if (pf_store_get(s, keys[(i * 7919) % nkeys], &kv, NULL) < 0)
			fails++;
		pf_kv_free(&kv);
	}
	el = ms_since(t0);
	is_int(fails, 0, "%s: perf: %d gets", be, gets);
	printf("# %s: get of one key among %d: %.2f us\n", be, nkeys + serial, el * 1000 / gets);

	t0 = pf_now_ns();
	r = pf_store_list(s, "/registry/pods/", &l, NULL, NULL);
	el = ms_since(t0);
	is_int(r, nkeys, "%s: perf: list of %d keys", be, nkeys);
	printf("# %s: list of %d keys under a prefix: %.2f ms\n", be, nkeys, el);
	pf_kv_list_free(&l);

	for (int j = 0; j < 1000; j++)
		ops[j] = (struct pf_op){.kind = PF_OP_UPDATE,
					.key = keys[j * 10],
					.value = "u",
					.len = 1,
					.expect_rev = 0};
	t0 = pf_now_ns();
	r = pf_store_txn(s, ops, 1000, NULL, NULL, NULL);
	el = ms_since(t0);
	is_int(r, 0, "%s: perf: one txn of 1000 UPDATEs", be);
	printf("# %s: one txn of 1000 UPDATEs: %.2f ms\n", be, el);
	free(ops);
	free(keys);
	pf_store_close(s);
}

static void contract(const char *be)
{
	t_basic(be);
	t_list(be);
	t_txn(be);
	t_watch_history(be);
	t_watch_live(be);
	t_watch_cancel(be);
	t_compact(be);
	t_trim(be);
	t_concurrency(be);
	t_perf(be);
}

/* ---- what only some URIs promise ---- */

static void t_uris(void)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_store *s = NULL, *s2 = NULL;
	int r;

	r = pf_store_open("foo:bar", &s, &err);
	ok(r == -EINVAL && s == NULL && strstr(err.msg, "unknown store URI scheme 'foo'"),
	   "unknown scheme: -EINVAL (%s)", err.msg);
	pf_err_clear(&err);
	r = pf_store_open("/just/a/path", &s, &err);
	is_int(r, -EINVAL, "a URI without a scheme: -EINVAL");
	pf_err_clear(&err);
	r = pf_store_open("etcd://127.0.0.1:2379", &s, &err);
	ok(r == -ENOTSUP && strstr(err.msg, "etcd store not built yet"), "etcd: -ENOTSUP (%s)",
	   err.msg);
	pf_err_clear(&err);
	r = pf_store_open("sqlite:", &s, &err);
	is_int(r, -EINVAL, "sqlite: without a path: -EINVAL");

	/* mem: is always new; mem:NAME is shared until the last close. */
	s = must_open("mem:");
	s2 = must_open("mem:");
	put_str(s, "/m", "1", NULL);
	is_int(pf_store_get(s2, "/m", &(struct pf_kv){0}, NULL), -ENOENT,
	       "each mem: open is a fresh store");
	pf_store_close(s);
	pf_store_close(s2);

	s = must_open("mem:shared");
	s2 = must_open("mem:shared");
	struct pf_watch *w = NULL;
	struct pf_watch_batch b;
	pf_watch_open(s2, "/", 0, &w, NULL);
	put_str(s, "/m", "1", NULL);
	char *v = value_of(s2, "/m");
	is_str(v, "1", "mem:NAME handles share the store");
	free(v);
	r = pf_watch_next(w, &b, 1000, NULL);
	is_int(r, 1, "a watch on one mem:NAME handle sees the other's write");
	pf_watch_batch_free(&b);
	pf_watch_close(w);
	pf_store_close(s);
	pf_store_close(s2);
	s = must_open("mem:shared");
	is_int(cur_rev(s), 0, "mem:NAME is gone after its last close");
	pf_store_close(s);
}

static void t_sqlite_files(void)
{
	_cleanup_free_ char *dir = pf_xasprintf("%s/new/dir", tmpdir);
	_cleanup_free_ char *uri = pf_xasprintf("sqlite://%s/podfs.db", dir);
	_cleanup_free_ char *path = pf_xasprintf("%s/podfs.db", dir);
	_cleanup_free_ char *junk = pf_xasprintf("%s/junk.db", tmpdir);
	_cleanup_free_ char *juri = pf_xasprintf("sqlite:%s", junk);
	struct pf_err err = PF_ERR_INIT;
	struct pf_store *s = NULL;
	struct stat st;
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int r;

	s = must_open(uri);
	put_str(s, "/f", "1", NULL);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the store file is made 0600 (%o)",
	   st.st_mode & 0777);
	ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700,
	   "a missing store directory is made 0700");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		is_str((const char *)sqlite3_column_text(q, 0), "wal",
		       "the store file is in WAL mode");
	else
		ok(0, "the store file is in WAL mode");
	sqlite3_finalize(q);
	sqlite3_close(db);
	pf_store_close(s);

	int fd = open(junk, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	for (int i = 0; i < 64; i++)
		r = (int)write(fd, "this is not a database at all, just text ", 41);
	close(fd);
	s = NULL;
	r = pf_store_open(juri, &s, &err);
	ok(r == -EIO && s == NULL && strstr(err.msg, junk), "a file that is no database: -EIO (%s)",
	   err.msg);

	db = NULL;
	_cleanup_free_ char *other = pf_xasprintf("%s/other.db", tmpdir);
	_cleanup_free_ char *ouri = pf_xasprintf("sqlite:%s", other);
	sqlite3_open(other, &db);
	sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
	sqlite3_close(db);
	pf_err_clear(&err);
	r = pf_store_open(ouri, &s, &err);
	ok(r == -EIO && strstr(err.msg, "not a podfs store"),
	   "another program's database: -EIO (%s)", err.msg);
}

/*
 * Writers and watchers on one sqlite handle, as podfs runs them (FUSE
 * workers, the scheduler and the agent write; the cache, the scheduler and
 * the agent watch).  Each commit wakes the watchers, which preempt the
 * committing thread right after it lets go of the writer: a statement of
 * the writer touched there is touched by two threads at once.  That was the
 * SIGSEGV in sqlite3_step of the scheduler's bind txn; with serialized
 * connections it showed as a rare "NOT NULL constraint failed: meta.rev".
 * Under make check-tsan, store_sqlite.c announces every use of a connection
 * and statement to TSan, which reports such sharing on the first try.
 */
#define WW_WRITERS  6
#define WW_WATCHERS 3
#define WW_TXNS	    400

struct ww_writer {
	struct pf_store *s;
	int id, failed;
	char first_err[PF_ERR_MSG_MAX];
};

struct ww_watcher {
	struct pf_store *s;
	int64_t until;
	int seen, bad;
};

static void *ww_write(void *p)
{
	struct ww_writer *t = p;
	char key[64], val[256];

	memset(val, 'v', sizeof(val));
	for (int i = 0; i < WW_TXNS; i++) {
		struct pf_err err = PF_ERR_INIT;
		snprintf(key, sizeof(key), "/ww/%d/%d", t->id, i % 20);
		if (pf_store_put(t->s, key, val, sizeof(val), NULL, &err) < 0 && !t->failed++)
			snprintf(t->first_err, sizeof(t->first_err), "%s", err.msg);
	}
	return NULL;
}

static void *ww_watch(void *p)
{
	struct ww_watcher *t = p;
	struct pf_watch *w = NULL;
	int64_t deadline = pf_now_ns() + 60 * (int64_t)1000000000;

	if (pf_watch_open(t->s, "/ww/", 1, &w, NULL) < 0) {
		t->bad++;
		return NULL;
	}
	while (t->seen < t->until && pf_now_ns() < deadline) {
		struct pf_watch_batch b = {0};
		int r = pf_watch_next(w, &b, 1000, NULL);
		if (r < 0) {
			t->bad++;
			break;
		}
		t->seen += r;
		pf_watch_batch_free(&b);
	}
	pf_watch_close(w);
	return NULL;
}

static void t_sqlite_writers_watchers(void)
{
	_cleanup_free_ char *uri = fresh_uri("sqlite");
	struct pf_store *s = must_open(uri);
	struct ww_writer wr[WW_WRITERS] = {0};
	struct ww_watcher wa[WW_WATCHERS] = {0};
	pthread_t tw[WW_WRITERS], tr[WW_WATCHERS];
	int failed = 0, seen_all = 1, bad = 0;
	const char *first = "";

	for (int i = 0; i < WW_WATCHERS; i++) {
		wa[i] = (struct ww_watcher){.s = s, .until = WW_WRITERS * WW_TXNS};
		pthread_create(&tr[i], NULL, ww_watch, &wa[i]);
	}
	for (int i = 0; i < WW_WRITERS; i++) {
		wr[i] = (struct ww_writer){.s = s, .id = i};
		pthread_create(&tw[i], NULL, ww_write, &wr[i]);
	}
	for (int i = 0; i < WW_WRITERS; i++) {
		pthread_join(tw[i], NULL);
		failed += wr[i].failed;
		if (wr[i].failed && !*first)
			first = wr[i].first_err;
	}
	for (int i = 0; i < WW_WATCHERS; i++) {
		pthread_join(tr[i], NULL);
		seen_all = seen_all && wa[i].seen == WW_WRITERS * WW_TXNS;
		bad += wa[i].bad;
	}
	is_int(failed, 0,
	       "%d writer threads, %d txns each, %d watchers on one handle: no txn fails%s%s",
	       WW_WRITERS, WW_TXNS, WW_WATCHERS, *first ? ": " : "", first);
	ok(seen_all && !bad, "... every watcher saw all %d changes", WW_WRITERS * WW_TXNS);
	is_int(cur_rev(s), WW_WRITERS * WW_TXNS, "... the store is at revision %d",
	       WW_WRITERS * WW_TXNS);
	pf_store_close(s);
}

static void t_sqlite_handles(void)
{
	_cleanup_free_ char *uri = fresh_uri("sqlite");
	struct pf_store *a = must_open(uri), *b = must_open(uri);
	struct pf_watch *w = NULL;
	struct pf_watch_batch batch;
	int64_t rev;

	put_str(a, "/h/1", "from a", &rev);
	char *v = value_of(b, "/h/1");
	is_str(v, "from a", "two handles on one file: b reads a's write");
	free(v);
	is_int(cur_rev(b), rev, "... and its revision");

	pf_watch_open(b, "/h/", 0, &w, NULL);
	struct writer_arg wa = {.s = a, .key = "/h/2", .delay_ms = 30};
	pthread_t th;
	pthread_create(&th, NULL, writer_main, &wa);
	int r = pf_watch_next(w, &batch, 5000, NULL);
	int64_t t_wake = pf_now_ns();
	pthread_join(th, NULL);
	double lat = (double)(t_wake - wa.t_write) / 1e6;
	ok(r == 1 && !strcmp(batch.events[0].kv.key, "/h/2"),
	   "a watch on handle b sees a write through handle a");
	ok(lat < 50, "... %.2f ms after the write began", lat);
	pf_watch_batch_free(&batch);
	pf_watch_close(w);
	pf_store_close(a);
	pf_store_close(b);

	b = must_open(uri);
	v = value_of(b, "/h/2");
	ok(v && !strcmp(v, "live") && cur_rev(b) == 2, "the store persists across close and open");
	free(v);
	pf_watch_open(b, "/h/", 1, &w, NULL);
	r = pf_watch_next(w, &batch, 0, NULL);
	is_int(r, 2, "... and so does its watch history");
	pf_watch_batch_free(&batch);
	pf_watch_close(w);
	pf_store_close(b);
}

/* ---- the child process ---- */

struct child {
	pid_t pid;
	FILE *to;   /* its stdin */
	FILE *from; /* its stdout */
};

static void child_start(struct child *c, const char *job, const char *uri, const char *arg)
{
	int in[2], out[2];

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		printf("Bail out! pipe: %s\n", strerror(errno));
		exit(1);
	}
	fflush(stdout);
	c->pid = fork();
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl("/proc/self/exe", "test_store", job, uri, arg, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->to = fdopen(in[1], "w");
	c->from = fdopen(out[0], "r");
}

static int child_finish(struct child *c)
{
	int status = -1;

	fclose(c->to);
	fclose(c->from);
	waitpid(c->pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static bool child_line(struct child *c, char *buf, size_t n)
{
	return fgets(buf, (int)n, c->from) != NULL;
}

/* Child: check the parent's key, wait for "go", write, report the times. */
static int child_write(const char *uri)
{
	struct pf_store *s = must_open(uri);
	char line[64];
	char *v = value_of(s, "/parent/hello");
	int ok_parent = v && !strcmp(v, "hi");
	int64_t t0, t1;

	free(v);
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 3;
	t0 = pf_now_ns();
	int r = put_str(s, "/child/k", "from the child", NULL);
	t1 = pf_now_ns();
	printf("%lld %lld\n", (long long)t0, (long long)t1);
	fflush(stdout);
	pf_store_close(s);
	return r < 0 ? 2 : ok_parent ? 0 : 1;
}

/* Child: race the parent to create n keys; report wins and other errors. */
static int child_race(const char *uri, int n)
{
	struct pf_store *s = must_open(uri);
	char line[64], key[64];
	int wins = 0, bad = 0;

	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 3;
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "/xp/%d", i);
		int r = pf_store_create(s, key, "c", 1, NULL, NULL);
		if (r == 0)
			wins++;
		else if (r != -EEXIST)
			bad++;
	}
	printf("%d %d\n", wins, bad);
	fflush(stdout);
	pf_store_close(s);
	return 0;
}

/* Child: write keys one by one, reporting each as its txn returns, until
 * killed. */
static int child_flood(const char *uri)
{
	struct pf_store *s = must_open(uri);
	char key[64];

	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < 1000000; i++) {
		snprintf(key, sizeof(key), "/flood/%07d", i);
		if (put_str(s, key, key, NULL) < 0)
			return 2;
		printf("%d\n", i);
		fflush(stdout);
	}
	pf_store_close(s);
	return 0;
}

static void t_sqlite_kill9(void)
{
	_cleanup_free_ char *uri = fresh_uri("sqlite");
	struct child c;
	char line[64];
	int acked = -1, status;

	child_start(&c, "child-flood", uri, NULL);
	child_line(&c, line, sizeof(line));
	while (acked < 300 && child_line(&c, line, sizeof(line)))
		acked = atoi(line);
	kill(c.pid, SIGKILL);
	/* Whatever it reported before it died was acknowledged too. */
	while (child_line(&c, line, sizeof(line)))
		acked = atoi(line);
	status = child_finish(&c);
	ok(status == 128 + SIGKILL && acked >= 300, "a writing child is killed with SIGKILL (%d)",
	   status);

	struct pf_store *s = must_open(uri);
	struct pf_kv_list l;
	bool dense = true;
	int64_t rev = 0;
	pf_store_list(s, "/flood/", &l, &rev, NULL);
	for (size_t i = 0; i < l.n; i++) {
		char want[64];
		snprintf(want, sizeof(want), "/flood/%07zu", i);
		dense =
		    dense && !strcmp(l.items[i].key, want) && l.items[i].mod_rev == (int64_t)i + 1;
	}
	ok(l.n >= (size_t)acked + 1,
	   "every acknowledged txn survived kill -9 (%d acked, %zu found)", acked + 1, l.n);
	ok(dense && rev == (int64_t)l.n, "... and the store is consistent: keys 0..%zu, rev %lld",
	   l.n ? l.n - 1 : 0, (long long)rev);
	pf_kv_list_free(&l);
	is_int(put_str(s, "/after", "x", NULL), 0, "... and writable again");
	pf_store_close(s);
}

static void t_sqlite_processes(void)
{
	_cleanup_free_ char *uri = fresh_uri("sqlite");
	struct pf_store *s = must_open(uri);
	struct pf_watch *w = NULL;
	struct pf_watch_batch b;
	struct child c;
	char line[128];
	long long t0 = 0, t1 = 0;
	int r;

	put_str(s, "/parent/hello", "hi", NULL);
	pf_watch_open(s, "/child/", 0, &w, NULL);
	child_start(&c, "child-write", uri, NULL);
	ok(child_line(&c, line, sizeof(line)) && !strcmp(line, "ready\n"), "child process started");
	/* Let the child settle so that its write is all that wakes us. */
	usleep(100000);
	fputs("go\n", c.to);
	fflush(c.to);
	r = pf_watch_next(w, &b, 5000, NULL);
	int64_t t_wake = pf_now_ns();
	if (child_line(&c, line, sizeof(line)))
		sscanf(line, "%lld %lld", &t0, &t1);
	ok(r == 1 && !strcmp(b.events[0].kv.key, "/child/k") &&
	       !strcmp(b.events[0].kv.value, "from the child"),
	   "a watch sees another process's write");
	double lat = (double)(t_wake - t0) / 1e6;
	ok(t0 > 0 && lat < 100, "... woken %.2f ms after its txn began (%.2f after it returned)",
	   lat, (double)(t_wake - t1) / 1e6);
	printf("# sqlite: cross-process watch wakeup %.2f ms after the writer's txn began\n", lat);
	pf_watch_batch_free(&b);
	is_int(child_finish(&c), 0, "the child read the parent's write");
	char *v = value_of(s, "/child/k");
	is_str(v, "from the child", "the parent reads the child's write");
	free(v);
	pf_watch_close(w);

	/* Two processes and this one race for the same keys. */
	enum { KEYS = 300, KIDS = 2 };
	struct child kids[KIDS];
	int wins = 0, bad = 0, status = 0;
	for (int i = 0; i < KIDS; i++) {
		child_start(&kids[i], "child-race", uri, "300");
		child_line(&kids[i], line, sizeof(line));
	}
	for (int i = 0; i < KIDS; i++) {
		fputs("go\n", kids[i].to);
		fflush(kids[i].to);
	}
	for (int i = 0; i < KEYS; i++) {
		char key[64];
		snprintf(key, sizeof(key), "/xp/%d", i);
		r = pf_store_create(s, key, "p", 1, NULL, NULL);
		if (r == 0)
			wins++;
		else if (r != -EEXIST)
			bad++;
	}
	printf("# sqlite: parent won %d of %d contested keys\n", wins, KEYS);
	for (int i = 0; i < KIDS; i++) {
		int kw = 0, kb = 0;
		if (child_line(&kids[i], line, sizeof(line)) &&
		    sscanf(line, "%d %d", &kw, &kb) == 2) {
			wins += kw;
			bad += kb;
			printf("# sqlite: child %d won %d\n", i, kw);
		} else {
			bad++;
		}
		status |= child_finish(&kids[i]);
	}
	is_int(status, 0, "racing children exited cleanly");
	is_int(wins, KEYS, "three processes racing for %d keys: exactly one winner each", KEYS);
	is_int(bad, 0, "... and no error but -EEXIST (busy never surfaces)");
	struct pf_kv_list l;
	pf_store_list(s, "/xp/", &l, NULL, NULL);
	is_int(l.n, KEYS, "... all keys exist");
	pf_kv_list_free(&l);
	pf_store_close(s);
}

static void t_fsync_cost(void)
{
	_cleanup_free_ char *path = pf_xasprintf("%s/fsync", tmpdir);
	int fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	char block[4096] = {0};
	int n = 200;
	int64_t t0 = pf_now_ns();

	for (int i = 0; i < n; i++) {
		if (pwrite(fd, block, sizeof(block), (off_t)(i % 8) * 4096) < 0 ||
		    fdatasync(fd) < 0)
			break;
	}
	printf("# this disk: 4 KiB write + fdatasync: %.1f us\n", ms_since(t0) * 1000 / n);
	close(fd);
	unlink(path);
}

static int count_fds(void)
{
	char path[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* A store written by schema version 1 (rowid kv, log with a rev index) is
 * upgraded at open with every key, revision and the watch history kept. */
static void t_sqlite_migrate(void)
{
	_cleanup_free_ char *path = pf_xasprintf("%s/v1.db", tmpdir);
	_cleanup_free_ char *uri = pf_xasprintf("sqlite:%s", path);
	struct pf_err err = PF_ERR_INIT;
	struct pf_watch *w = NULL;
	struct pf_watch_batch b = {0};
	struct pf_kv kv = {0};
	struct pf_store *s;
	sqlite3 *db = NULL;

	ok(sqlite3_open(path, &db) == SQLITE_OK, "make a version-1 store");
	ok(sqlite3_exec(db,
			"PRAGMA journal_mode = WAL;"
			"CREATE TABLE kv (key TEXT PRIMARY KEY, create_rev INTEGER NOT NULL,"
			" mod_rev INTEGER NOT NULL, value BLOB NOT NULL);"
			"CREATE TABLE log (id INTEGER PRIMARY KEY, rev INTEGER NOT NULL,"
			" type INTEGER NOT NULL, key TEXT NOT NULL, create_rev INTEGER NOT NULL,"
			" value BLOB);"
			"CREATE INDEX log_rev ON log (rev);"
			"CREATE TABLE meta (id INTEGER PRIMARY KEY CHECK (id = 1),"
			" rev INTEGER NOT NULL, compact_rev INTEGER NOT NULL);"
			"INSERT INTO meta VALUES (1, 3, 0);"
			"INSERT INTO kv VALUES ('/a', 1, 3, 'a2'), ('/b', 2, 2, 'b1');"
			"INSERT INTO log (rev, type, key, create_rev, value) VALUES"
			" (1, 1, '/a', 1, 'a1'), (2, 1, '/b', 2, 'b1'), (3, 1, '/a', 1, 'a2');"
			"PRAGMA user_version = 1;",
			NULL, NULL, NULL) == SQLITE_OK,
	   "with two keys and three revisions");
	sqlite3_close(db);

	s = must_open(uri);
	ok(pf_store_get(s, "/a", &kv, &err) == 0 && !strcmp(kv.value, "a2") && kv.mod_rev == 3 &&
	       kv.create_rev == 1,
	   "upgraded: /a keeps its value and revisions");
	pf_kv_free(&kv);
	is_int(pf_watch_open(s, "/", 1, &w, &err), 0, "the history can be watched from revision 1");
	is_int(pf_watch_next(w, &b, 1000, &err), 3, "all three changes are there");
	ok(b.n == 3 && b.events[0].kv.mod_rev == 1 && b.events[2].kv.mod_rev == 3 &&
	       !strcmp(b.events[2].kv.value, "a2"),
	   "in revision order");
	pf_watch_batch_free(&b);
	pf_watch_close(w);
	int64_t rev = 0;
	ok(pf_store_put(s, "/c", "c", 1, &rev, &err) == 0 && rev == 4,
	   "a write after it gets revision 4");
	pf_store_close(s);
}

/* The Lease goes through the YAML codec: a holder identity with quotes,
 * colons and line breaks reads back as itself, and a second candidate sees
 * it held (before, it was written with printf and read back with strstr). */
static void t_lease(void)
{
	static const char ident[] = "host \"one\": a\nsecond line # not a comment";
	struct pf_store *s = must_open("mem:");
	struct pf_err err = PF_ERR_INIT;
	struct pf_lease a, b;
	struct pf_kv kv = {0};
	char holder[256];
	int64_t renew = 0;
	int dur = 0, tr = -1;

	pf_lease_init(&a, s, "kube-system", "kube-scheduler", ident, 15000);
	pf_lease_init(&b, s, "kube-system", "kube-scheduler", "other", 15000);
	is_int(pf_lease_tick(&a, &err), 1, "lease: a tricky identity acquires it");
	is_int(pf_store_get(s, "/registry/leases/kube-system/kube-scheduler", &kv, &err), 0,
	       "lease: stored");
	is_int(pf_lease_parse(kv.value, holder, sizeof(holder), &renew, &dur, &tr), 0,
	       "lease: decodes");
	is_str(holder, ident, "lease: holderIdentity reads back as itself");
	is_int(dur, 15, "lease: leaseDurationSeconds");
	is_int(tr, 0, "lease: leaseTransitions");
	ok(renew > 0, "lease: renewTime");
	pf_kv_free(&kv);
	is_int(pf_lease_tick(&b, &err), 0, "lease: another candidate sees it held");
	is_int(pf_lease_tick(&a, &err), 1, "lease: the holder renews it");
	pf_lease_release(&a);
	is_int(pf_lease_tick(&b, &err), 1, "lease: released, the other takes it at once");
	is_int(pf_store_get(s, "/registry/leases/kube-system/kube-scheduler", &kv, &err), 0,
	       "lease: stored again");
	pf_lease_parse(kv.value, holder, sizeof(holder), &renew, &dur, &tr);
	is_str(holder, "other", "lease: the new holder");
	is_int(tr, 1, "lease: one transition");
	pf_kv_free(&kv);
	pf_lease_release(&b);
	pf_lease_clear(&a);
	pf_lease_clear(&b);
	pf_store_close(s);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "child-write"))
		return child_write(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "child-race"))
		return child_race(argv[2], atoi(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "child-flood"))
		return child_flood(argv[2]);

	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	int fds = count_fds();
	contract("mem");
	contract("sqlite");
	t_uris();
	t_lease();
	t_sqlite_files();
	t_sqlite_handles();
	t_sqlite_writers_watchers();
	t_sqlite_processes();
	t_sqlite_kill9();
	t_sqlite_migrate();
	t_fsync_cost();
	is_int(count_fds(), fds, "no file descriptor is left open");
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
