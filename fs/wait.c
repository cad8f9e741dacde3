/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wait.c - reads of pods/<p>/wait/<X>.  A read that cannot be answered yet
 * is parked, not blocked: it holds no FUSE worker thread, and the cache's
 * notify callback answers it when X happens, or fails it with EIO once X
 * can no longer happen.  FUSE interrupts (Ctrl-C, timeout(1)) answer EINTR.
 */
#include <errno.h>

#include "ops-internal.h"

#include "api.h"
#include "inval.h"
#include "log.h"
#include "workers.h"

struct pf_waiter {
	struct pf_waiter *next;
	fuse_req_t req;
	struct fh *fh; /* holds the pod's name and uid */
	const char *word;
	size_t size; /* what the read asked for: a reply may not be longer */
};

/* Decide a wait: 1 answered (done), -1 never (EIO), 0 keep waiting.
 * The pod is found by name and uid, not by inode: its inode numbers may
 * change (a reload of the cache, a pod entering Terminating) while it is
 * the same object.  Called with wlock held; takes the cache's read lock. */
static int wait_decide(struct pf_fs *fs, const struct fh *h, const char *word, const char **why)
{
	int r;

	pf_cache_rdlock(fs->cache);
	const struct pf_cpod *p = pf_cache_pod(fs->cache, h->pod);
	if (p && strcmp(p->s.uid, h->uid) != 0)
		p = NULL; /* another pod of the same name: this one is gone */
	/* Gone, but the kernel may still hold the name: wait until the batch
	 * that deleted it is through the invalidations (answer_deferred). */
	if (!p && pf_cache_settling(fs->cache))
		r = 0;
	else
		r = pf_pod_wait_check(p ? &p->s : NULL, word, why);
	pf_cache_unlock(fs->cache);
	return r;
}

/* A wait that can never succeed: EIO to the reader, the reason to the log
 * and (once the wait lock is released, see report_failed_waits) to events. */
struct failed_wait {
	char *pod, *uid, *word, *why;
};

/* Called with wlock held: h->buf and h->wait_done change only under it. */
static void wait_answer(fuse_req_t req, struct fh *h, const char *word, size_t size, int decision,
			const char *why, struct failed_wait *fw)
{
	h->wait_done = true;
	if (decision > 0) {
		pf_buf_reset(&h->buf);
		pf_buf_addf(&h->buf, "%s\n", word);
		pf_reply_slice(req, &h->buf, size, 0);
		return;
	}
	fw->pod = pf_xstrdup(h->pod);
	fw->uid = pf_xstrdup(h->uid);
	fw->word = pf_xstrdup(word);
	fw->why = pf_xstrdup(why ? why : "it can no longer happen");
	fuse_reply_err(req, EIO);
}

struct failed_waits {
	struct pf_fs *fs;
	struct failed_wait *v;
	size_t n;
};

/* One event and one log line per pod and word, however many readers
 * waited.  On a worker: the event is a commit, and neither the FUSE
 * dispatcher nor the cache's thread waits on the disk. */
static void report_failed_waits_run(void *arg)
{
	struct failed_waits *j = arg;
	struct pf_fs *fs = j->fs;
	struct failed_wait *v = j->v;
	size_t n = j->n;

	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++)
			dup = !strcmp(v[k].pod, v[i].pod) && !strcmp(v[k].word, v[i].word);
		if (!dup) {
			pf_log(PF_LOG_INFO, "pod %s: wait/%s cannot succeed: %s", v[i].pod,
			       v[i].word, v[i].why);
			pf_api_event(fs->store, "Pod", v[i].pod, v[i].uid, "Warning", "WaitFailed",
				     "podfs-api", "wait/%s cannot succeed: %s", v[i].word,
				     v[i].why);
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(v[i].pod);
		free(v[i].uid);
		free(v[i].word);
		free(v[i].why);
	}
	free(v);
	free(j);
}

/* Takes v (heap, n entries); nothing to do when n is 0. */
static void report_failed_waits(struct pf_fs *fs, struct failed_wait *v, size_t n)
{
	struct failed_waits *j;

	if (!n) {
		free(v);
		return;
	}
	j = pf_xmalloc(sizeof(*j));
	*j = (struct failed_waits){.fs = fs, .v = v, .n = n};
	pf_workers_run(fs->workers, report_failed_waits_run, j);
}

static void on_interrupt(fuse_req_t req, void *arg)
{
	struct pf_fs *fs = arg;
	struct pf_waiter **pp, *w = NULL;

	/* Compare pointers only: req may have been answered already. */
	pthread_mutex_lock(&fs->wlock);
	for (pp = &fs->waiters; *pp; pp = &(*pp)->next) {
		if ((*pp)->req == req) {
			w = *pp;
			*pp = w->next;
			break;
		}
	}
	pthread_mutex_unlock(&fs->wlock);
	if (w) {
		fuse_reply_err(req, EINTR);
		pf_fh_put(fs, w->fh);
		free(w);
	}
}

void pf_wait_read(fuse_req_t req, struct pf_fs *fs, struct fh *h, fuse_ino_t ino, size_t size,
		  off_t off)
{
	const char *word = pf_wait_words[pf_ino_fid(ino) - PF_POD_WAIT_FIRST];
	const char *why = NULL;
	int d;

	pthread_mutex_lock(&fs->wlock);
	if (h->wait_done || off > 0) {
		/* A reader taking the answer a byte at a time (read -r in a
		 * shell) gets the rest from the handle. */
		pf_reply_slice(req, &h->buf, size, off);
		pthread_mutex_unlock(&fs->wlock);
		return;
	}
	pthread_mutex_unlock(&fs->wlock);
	/* See on_interrupt: registering first means an interrupt that
	 * arrives at any point below is seen, either through
	 * fuse_req_interrupted() or by finding the parked waiter. */
	fuse_req_interrupt_func(req, on_interrupt, fs);
	pthread_mutex_lock(&fs->wlock);
	if (fuse_req_interrupted(req)) {
		pthread_mutex_unlock(&fs->wlock);
		fuse_reply_err(req, EINTR);
		return;
	}
	d = wait_decide(fs, h, word, &why);
	if (d == 0 && !fs->shutting_down) {
		struct pf_waiter *w = pf_xcalloc(1, sizeof(*w));
		w->req = req;
		w->fh = h;
		pf_fh_ref(fs, h); /* the parked read keeps the handle alive */
		w->word = word;
		w->size = size;
		w->next = fs->waiters;
		fs->waiters = w;
		pthread_mutex_unlock(&fs->wlock);
		return;
	}
	struct failed_wait *fw = pf_xcalloc(1, sizeof(*fw));
	if (d == 0)
		fuse_reply_err(req, ENOTCONN);
	else
		wait_answer(req, h, word, size, d, why, fw);
	pthread_mutex_unlock(&fs->wlock);
	report_failed_waits(fs, fw, fw->pod ? 1 : 0);
}

/* Answer every parked read whose word happened or can no longer happen
 * (a read about a gone pod waits while the cache is settling: see
 * wait_decide).  Called with wlock held; releases it. */
static void answer_waiters_locked(struct pf_fs *fs)
{
	struct pf_waiter **pp;
	struct failed_wait *failed = NULL;
	size_t n_failed = 0, cap_failed = 0;

	for (pp = &fs->waiters; *pp;) {
		struct pf_waiter *w = *pp;
		const char *why = NULL;
		int d = wait_decide(fs, w->fh, w->word, &why);

		if (d == 0) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		PF_GROW(failed, cap_failed, n_failed + 1);
		memset(&failed[n_failed], 0, sizeof(*failed));
		wait_answer(w->req, w->fh, w->word, w->size, d, why, &failed[n_failed]);
		if (failed[n_failed].pod)
			n_failed++;
		pf_fh_put(fs, w->fh);
		free(w);
	}
	pthread_mutex_unlock(&fs->wlock);
	report_failed_waits(fs, failed, n_failed);
}

/* On the invalidation thread, once a deleting batch's names are dropped:
 * the cache stops settling for it, and reads about its pods are answered.
 * Under wlock, so that the cache cannot be stopped meanwhile (shutdown
 * sets shutting_down under wlock before it stops the cache). */
static void answer_deferred(void *arg)
{
	struct pf_fs *fs = arg;

	pthread_mutex_lock(&fs->wlock);
	if (!fs->shutting_down)
		pf_cache_settled(fs->cache);
	answer_waiters_locked(fs);
}

void pf_fs_notify(void *arg, const struct pf_cache_changes *ch)
{
	struct pf_fs *fs = arg;

	pf_fs_invalidate(fs, ch);
	/* `cat wait/Deleted && ! test -d pods/x` must hold: reads about pods
	 * this batch deleted are answered once the kernel dropped their names
	 * (the cache settles for the batch until then). */
	if (ch->n_deleted) {
		pf_inval_after(fs->inval, answer_deferred, fs);
		return;
	}
	pthread_mutex_lock(&fs->wlock);
	answer_waiters_locked(fs);
}

void pf_fs_release_waiters(struct pf_fs *fs)
{
	pthread_mutex_lock(&fs->wlock);
	fs->shutting_down = true;
	while (fs->waiters) {
		struct pf_waiter *w = fs->waiters;
		fs->waiters = w->next;
		fuse_reply_err(w->req, ENOTCONN);
		pf_fh_put(fs, w->fh);
		free(w);
	}
	pthread_mutex_unlock(&fs->wlock);
}
