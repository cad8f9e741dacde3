/*
 * inval.c - the thread that sends FUSE entry invalidations (see inval.h).
 */
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

#include "inval.h"
#include "log.h"
#include "util.h"

struct item {
	uint64_t parent; /* the directory, or the inode itself when name is NULL */
	char *name;
	void (*fn)(void *arg); /* set: not an invalidation, a call (pf_inval_after) */
	void *arg;
};

struct pf_inval {
	struct fuse_session *se;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct item *q;
	size_t n, cap;
	bool stop;
};

static void *inval_main(void *arg)
{
	struct pf_inval *iv = arg;

	pthread_mutex_lock(&iv->lock);
	for (;;) {
		while (!iv->n && !iv->stop)
			pthread_cond_wait(&iv->cond, &iv->lock);
		if (!iv->n && iv->stop)
			break;
		struct item *batch = iv->q;
		size_t n = iv->n;
		iv->q = NULL;
		iv->n = iv->cap = 0;
		pthread_mutex_unlock(&iv->lock);
		for (size_t i = 0; i < n; i++) {
			if (batch[i].fn) {
				batch[i].fn(batch[i].arg);
				continue;
			}
			int r =
			    batch[i].name
				? fuse_lowlevel_notify_inval_entry(
				      iv->se, batch[i].parent, batch[i].name, strlen(batch[i].name))
				: fuse_lowlevel_notify_inval_inode(iv->se, batch[i].parent, 0, 0);
			/* ENOENT: the kernel had no such entry or inode cached. */
			if (r < 0 && r != -ENOENT && r != -ENOTCONN)
				pf_log(PF_LOG_DEBUG, "invalidate %s: %s",
				       batch[i].name ? batch[i].name : "an inode", strerror(-r));
			free(batch[i].name);
		}
		free(batch);
		pthread_mutex_lock(&iv->lock);
	}
	pthread_mutex_unlock(&iv->lock);
	return NULL;
}

struct pf_inval *pf_inval_start(struct fuse_session *se)
{
	struct pf_inval *iv = pf_xcalloc(1, sizeof(*iv));

	iv->se = se;
	pthread_mutex_init(&iv->lock, NULL);
	pthread_cond_init(&iv->cond, NULL);
	if (pthread_create(&iv->thread, NULL, inval_main, iv) != 0) {
		/* Without the thread, entries simply expire on their timeout. */
		pf_log(PF_LOG_WARN, "cannot start the invalidation thread; deleted pods may "
				    "linger in the kernel's cache for a second");
		pthread_mutex_destroy(&iv->lock);
		pthread_cond_destroy(&iv->cond);
		free(iv);
		return NULL;
	}
	return iv;
}

void pf_inval_push(struct pf_inval *iv, uint64_t parent, const char *name)
{
	if (!iv)
		return;
	pthread_mutex_lock(&iv->lock);
	PF_GROW(iv->q, iv->cap, iv->n + 1);
	iv->q[iv->n++] = (struct item){.parent = parent, .name = pf_xstrdup(name)};
	pthread_cond_signal(&iv->cond);
	pthread_mutex_unlock(&iv->lock);
}

void pf_inval_push_inode(struct pf_inval *iv, uint64_t ino)
{
	if (!iv)
		return;
	pthread_mutex_lock(&iv->lock);
	PF_GROW(iv->q, iv->cap, iv->n + 1);
	iv->q[iv->n++] = (struct item){.parent = ino};
	pthread_cond_signal(&iv->cond);
	pthread_mutex_unlock(&iv->lock);
}

void pf_inval_after(struct pf_inval *iv, void (*fn)(void *arg), void *arg)
{
	if (!iv) {
		fn(arg);
		return;
	}
	pthread_mutex_lock(&iv->lock);
	PF_GROW(iv->q, iv->cap, iv->n + 1);
	iv->q[iv->n++] = (struct item){.fn = fn, .arg = arg};
	pthread_cond_signal(&iv->cond);
	pthread_mutex_unlock(&iv->lock);
}

void pf_inval_stop(struct pf_inval *iv)
{
	if (!iv)
		return;
	pthread_mutex_lock(&iv->lock);
	iv->stop = true;
	pthread_cond_signal(&iv->cond);
	pthread_mutex_unlock(&iv->lock);
	pthread_join(iv->thread, NULL);
	pthread_mutex_destroy(&iv->lock);
	pthread_cond_destroy(&iv->cond);
	free(iv);
}
