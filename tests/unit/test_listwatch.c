/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_listwatch.c - the list-and-watch helper (core/store/listwatch.c)
 * against every backend: the listing and the watch after it miss nothing
 * and repeat nothing, a compaction relists at once, a broken watch backs
 * off first, and a cancel from another thread ends a wait, a back-off and
 * any watch opened after it.  It removes everything it creates.
 */
#include "listwatch.h"
#include "store-internal.h"
#include "tap.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/podfs-test-listwatch-XXXXXX";
static int store_seq;

static double ms_since(int64_t t0)
{
	return (double)(pf_now_ns() - t0) / 1e6;
}

static struct pf_store *open_backend(const char *be)
{
	_cleanup_free_ char *uri = !strcmp(be, "mem")
				       ? pf_xstrdup("mem:")
				       : pf_xasprintf("sqlite:%s/s%d.db", tmpdir, ++store_seq);
	struct pf_store *s = NULL;
	struct pf_err err = PF_ERR_INIT;

	if (pf_store_open(uri, &s, &err) < 0) {
		printf("Bail out! open %s: %s\n", uri, err.msg);
		exit(1);
	}
	return s;
}

static void put(struct pf_store *s, const char *key, const char *value)
{
	struct pf_err err = PF_ERR_INIT;

	if (pf_store_put(s, key, value, strlen(value), NULL, &err) < 0)
		printf("# put %s: %s\n", key, err.msg);
}

static void t_list_then_watch(const char *be)
{
	struct pf_store *s = open_backend(be);
	struct pf_listwatch *lw = pf_listwatch_new(s, "/a/", "test");
	struct pf_err err = PF_ERR_INIT;
	struct pf_kv_list l;
	struct pf_watch_batch b;
	int64_t rev = -1;
	int r;

	put(s, "/a/1", "one");
	put(s, "/b/1", "other prefix");
	put(s, "/a/2", "two");
	r = pf_listwatch_list(lw, &l, &rev, &err);
	is_int(r, 2, "%s: the listing has the prefix's two keys", be);
	ok(l.n == 2 && !strcmp(l.items[0].key, "/a/1") && !strcmp(l.items[1].key, "/a/2"),
	   "%s: in key order", be);
	is_int(rev, 3, "%s: as of the newest revision", be);
	pf_kv_list_free(&l);

	r = pf_listwatch_next(lw, &b, 0, &err);
	is_int(r, 0, "%s: nothing after the listing yet", be);
	put(s, "/b/2", "not ours");
	put(s, "/a/3", "three");
	r = pf_listwatch_next(lw, &b, 1000, &err);
	ok(r == 1 && b.n == 1 && !strcmp(b.events[0].kv.key, "/a/3") && b.events[0].kv.mod_rev == 5,
	   "%s: the watch starts just after the listing and keeps to the prefix", be);
	pf_watch_batch_free(&b);
	pf_listwatch_free(lw);
	pf_store_close(s);
}

static void t_compacted(const char *be)
{
	struct pf_store *s = open_backend(be);
	struct pf_listwatch *lw = pf_listwatch_new(s, "/a/", "test");
	struct pf_err err = PF_ERR_INIT;
	struct pf_kv_list l;
	struct pf_watch_batch b;
	int64_t rev = 0, t0;
	int r;

	put(s, "/a/1", "one");
	pf_listwatch_list(lw, &l, NULL, &err);
	pf_kv_list_free(&l);
	put(s, "/a/2", "two");
	put(s, "/a/3", "three");
	pf_store_compact(s, 3, &err);
	r = pf_listwatch_next(lw, &b, 1000, &err);
	is_int(r, -ERANGE, "%s: a watch behind the compaction says -ERANGE", be);
	t0 = pf_now_ns();
	r = pf_listwatch_relist(lw, r, &l, &rev, &err);
	ok(r == 0 && l.n == 3 && rev == 3, "%s: the relist has everything as of revision 3", be);
	ok(ms_since(t0) < 500, "%s: a compaction relists at once (%.0f ms)", be, ms_since(t0));
	pf_kv_list_free(&l);
	put(s, "/a/4", "four");
	r = pf_listwatch_next(lw, &b, 1000, &err);
	ok(r == 1 && b.events[0].kv.mod_rev == 4, "%s: the new watch goes on after it", be);
	pf_watch_batch_free(&b);
	pf_listwatch_free(lw);
	pf_store_close(s);
}

struct waiter {
	struct pf_listwatch *lw;
	int r;
	bool relist; /* back off in pf_listwatch_relist instead of waiting */
};

static void *wait_main(void *arg)
{
	struct waiter *w = arg;
	struct pf_err err = PF_ERR_INIT;
	struct pf_watch_batch b;
	struct pf_kv_list l;

	pf_err_set(&err, EIO, "a broken watch, made up by the test");
	if (w->relist)
		w->r = pf_listwatch_relist(w->lw, -EIO, &l, NULL, &err);
	else
		w->r = pf_listwatch_next(w->lw, &b, -1, &err);
	return NULL;
}

static void t_cancel(const char *be)
{
	struct pf_store *s = open_backend(be);
	struct pf_err err = PF_ERR_INIT;
	struct pf_kv_list l;
	struct pf_watch_batch b;

	for (int relist = 0; relist < 2; relist++) {
		struct waiter w = {.lw = pf_listwatch_new(s, "/a/", "test"), .relist = relist};
		pthread_t t;
		int64_t t0;

		pf_listwatch_list(w.lw, &l, NULL, &err);
		pf_kv_list_free(&l);
		pthread_create(&t, NULL, wait_main, &w);
		usleep(100 * 1000);
		t0 = pf_now_ns();
		pf_listwatch_cancel(w.lw);
		pthread_join(t, NULL);
		is_int(w.r, -ECANCELED, "%s: a cancel ends a %s", be, relist ? "back-off" : "wait");
		ok(ms_since(t0) < 500, "%s: at once (%.0f ms)", be, ms_since(t0));
		pf_listwatch_cancel(w.lw); /* idempotent */
		pf_listwatch_free(w.lw);
	}

	/* A cancel before the list: the watch it opens is cancelled too. */
	struct pf_listwatch *lw = pf_listwatch_new(s, "/a/", "test");
	pf_listwatch_cancel(lw);
	is_int(pf_listwatch_list(lw, &l, NULL, &err), 0, "%s: a cancelled one still lists", be);
	is_int(pf_listwatch_next(lw, &b, -1, &err), -ECANCELED, "%s: but its watch is cancelled",
	       be);
	pf_listwatch_free(lw);

	/* No watch yet: -ENOTCONN, and the relist backs off first. */
	lw = pf_listwatch_new(s, "/a/", "test");
	pf_err_clear(&err);
	int r = pf_listwatch_next(lw, &b, -1, &err);
	is_int(r, -ENOTCONN, "%s: no watch before the first list", be);
	int64_t t0 = pf_now_ns();
	r = pf_listwatch_relist(lw, r, &l, NULL, &err);
	ok(r == 0 && ms_since(t0) >= 900, "%s: the relist backs off a second first (%.0f ms)", be,
	   ms_since(t0));
	pf_kv_list_free(&l);
	pf_listwatch_free(lw);
	pf_listwatch_free(NULL);
	pf_store_close(s);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	static const char *const backends[] = {"mem", "sqlite"};

	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < PF_ARRAY_SIZE(backends); i++) {
		t_list_then_watch(backends[i]);
		t_compacted(backends[i]);
		t_cancel(backends[i]);
	}
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
