/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dropbox.c - pods/ as a drop-box: files being written there are kept in
 * memory and handed to the API layer when the writer closes them (or, for
 * scratch dot-files, when they are renamed to a name without the dot).
 */
#include <errno.h>

#include "ops-internal.h"

#include "api.h"
#include "inval.h"
#include "log.h"
#include "manifest.h"
#include "workers.h"

struct pf_pending *pf_pending_by_name(struct pf_fs *fs, const char *name)
{
	for (size_t i = 0; i < fs->n_pending; i++)
		if (strcmp(fs->pending[i]->name, name) == 0)
			return fs->pending[i];
	return NULL;
}

struct pf_pending *pf_pending_by_serial(struct pf_fs *fs, uint64_t serial)
{
	for (size_t i = 0; i < fs->n_pending; i++)
		if (fs->pending[i]->serial == serial)
			return fs->pending[i];
	return NULL;
}

void pf_pending_unlist(struct pf_fs *fs, struct pf_pending *p)
{
	for (size_t i = 0; i < fs->n_pending; i++) {
		if (fs->pending[i] == p) {
			fs->pending[i] = fs->pending[--fs->n_pending];
			break;
		}
	}
	p->listed = false;
	if (p->opens == 0) {
		fs->pending_bytes -= p->data.len;
		free(p->name);
		pf_buf_release(&p->data);
		free(p);
	}
}

struct pf_pending *pf_pending_new(struct pf_fs *fs, const char *name, mode_t mode, uid_t uid,
				  gid_t gid)
{
	struct pf_pending *p = pf_xcalloc(1, sizeof(*p));

	p->serial = fs->next_pending_serial++;
	p->name = pf_xstrdup(name);
	p->dot = name[0] == '.';
	p->listed = true;
	p->mode = mode & 07777;
	p->uid = uid;
	p->gid = gid;
	clock_gettime(CLOCK_REALTIME, &p->mtime);
	PF_GROW(fs->pending, fs->cap_pending, fs->n_pending + 1);
	fs->pending[fs->n_pending++] = p;
	return p;
}

void pf_fs_free_pending(struct pf_fs *fs)
{
	for (size_t i = 0; i < fs->n_pending; i++) {
		free(fs->pending[i]->name);
		pf_buf_release(&fs->pending[i]->data);
		free(fs->pending[i]);
	}
	free(fs->pending);
	fs->pending = NULL;
	fs->n_pending = 0;
	fs->pending_bytes = 0;
}

int pf_pending_resize(struct pf_fs *fs, struct pf_pending *p, size_t n)
{
	size_t old = p->data.len;

	if (n > old && fs->pending_bytes - old + n > PF_SCRATCH_MAX_BYTES)
		return -ENOSPC;
	/* Allocates the buffer even for an empty file. */
	pf_buf_add(&p->data, NULL, 0);
	if (n > old) {
		PF_GROW(p->data.buf, p->data.cap, n + 1);
		memset(p->data.buf + old, 0, n - old);
	}
	p->data.len = n;
	p->data.buf[n] = '\0';
	fs->pending_bytes = fs->pending_bytes - old + n;
	return 0;
}

struct full_event {
	struct pf_fs *fs;
	char *msg;
};

static void full_event_run(void *arg)
{
	struct full_event *e = arg;

	pf_api_event(e->fs->store, "", "", NULL, "Warning", "FailedCreate", "podfs-api", "%s",
		     e->msg);
	free(e->msg);
	free(e);
}

void pf_pending_full(struct pf_fs *fs, const char *name)
{
	struct timespec now;
	struct full_event *e;
	char *msg;

	/* Once every few seconds: a writer that keeps trying must not flood
	 * the log and the events with the same sentence. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (fs->full_reported && now.tv_sec - fs->full_reported < 5)
		return;
	fs->full_reported = now.tv_sec ? now.tv_sec : 1;
	msg = pf_xasprintf("error when writing \"%s\": no space left: the %zu files being written "
			   "into pods/ hold %zu bytes, the most podfs keeps (%u MiB); remove "
			   "scratch files or finish writing others first",
			   name, fs->n_pending, fs->pending_bytes, PF_SCRATCH_MAX_BYTES >> 20);
	pf_log(PF_LOG_WARN, "pods/%s: %s", name, msg);
	e = pf_xcalloc(1, sizeof(*e));
	e->fs = fs;
	e->msg = msg;
	/* Events are commits: never on the dispatcher thread. */
	pf_workers_run(fs->workers, full_event_run, e);
}

/* A refused submission: the sentence, in kubectl's form ("error when
 * creating \"x.yaml\": ..."), to the log and the events file. */
static int rejected(struct pf_fs *fs, const char *file, int r, const char *msg)
{
	const char *pre = strncmp(msg, "error", 5) == 0 ? "" : "error when creating \"";
	const char *post = *pre ? "\": " : "";

	pf_log(PF_LOG_WARN, "pods/%s rejected (%s): %s%s%s%s", file, strerror(-r), pre,
	       *pre ? file : "", post, msg);
	pf_api_event(fs->store, "", "", NULL, "Warning", "FailedCreate", "podfs-api", "%s%s%s%s",
		     pre, *pre ? file : "", post, msg);
	return r;
}

int pf_submit_too_big(struct pf_fs *fs, const char *file)
{
	char msg[256];

	/* The API server's words for a body over its limit (manifest.h). */
	snprintf(msg, sizeof(msg),
		 "error when creating \"%s\": Request entity too large: limit is %u", file,
		 PF_MANIFEST_MAX_BYTES);
	return rejected(fs, file, -EFBIG, msg);
}

/* Admit and store a submission; the errno is what close(2) or rename(2)
 * returns, the sentence goes to the events file and the log. */
int pf_submit(struct pf_fs *fs, const char *file, const char *data, size_t len, uid_t creator)
{
	struct pf_api_created created = {0};
	struct pf_err err = PF_ERR_INIT;
	int r;

	r = pf_api_create_pods_as(fs->store, data, len, file, &fs->policy, creator, &created, &err);
	if (r < 0)
		return rejected(fs, file, r, err.msg);
	/* The directory must exist when close(2) returns. */
	struct pf_strlist replaced = {0};
	pf_cache_put_pods(fs->cache, created.pods.items, created.pods.n, created.rev, &replaced);
	/* An earlier pod of a name reused here may still be in the kernel's
	 * dentry cache. */
	for (size_t i = 0; i < replaced.n; i++)
		pf_inval_push(fs->inval, PF_INO_PODS, replaced.items[i]);
	pf_strlist_free(&replaced);
	for (size_t i = 0; i < created.pods.n; i++)
		pf_log(PF_LOG_INFO, "pod %s created from pods/%s", created.pods.items[i]->meta.name,
		       file);
	pf_api_created_free(&created);
	return 0;
}
