/* SPDX-License-Identifier: Apache-2.0 */
/*
 * workers.c - the pool behind workers.h: a FIFO of jobs and n threads.
 * It knows nothing of FUSE; the jobs do.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "errors.h"
#include "util.h"
#include "workers.h"

struct job {
	void (*fn)(void *arg);
	void *arg;
	struct job *next;
};

struct pf_workers {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, **tail;
	bool stop;
	unsigned n;
	pthread_t threads[];
};

static void *worker_main(void *arg)
{
	struct pf_workers *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		struct job *j = w->head;
		if (!j)
			break; /* stopping, and nothing left to run */
		w->head = j->next;
		if (!w->head)
			w->tail = &w->head;
		pthread_mutex_unlock(&w->lock);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int pf_workers_start(unsigned n, struct pf_workers **out, struct pf_err *err)
{
	struct pf_workers *w = pf_xcalloc(1, sizeof(*w) + n * sizeof(pthread_t));
	int r;

	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->tail = &w->head;
	for (w->n = 0; w->n < n; w->n++) {
		r = pthread_create(&w->threads[w->n], NULL, worker_main, w);
		if (r != 0) {
			pf_workers_free(w);
			return pf_err_sys(err, r, "start the FUSE worker threads");
		}
	}
	*out = w;
	return 0;
}

void pf_workers_run(struct pf_workers *w, void (*fn)(void *arg), void *arg)
{
	struct job *j;

	if (w) {
		j = pf_xmalloc(sizeof(*j));
		*j = (struct job){.fn = fn, .arg = arg};
		pthread_mutex_lock(&w->lock);
		if (!w->stop) {
			*w->tail = j;
			w->tail = &j->next;
			pthread_cond_signal(&w->cond);
			pthread_mutex_unlock(&w->lock);
			return;
		}
		pthread_mutex_unlock(&w->lock);
		free(j);
	}
	fn(arg);
}

void pf_workers_stop(struct pf_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	w->n = 0;
}

void pf_workers_free(struct pf_workers *w)
{
	if (!w)
		return;
	pf_workers_stop(w);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
