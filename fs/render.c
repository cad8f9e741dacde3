/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render.c - object -> text: the content of each file of the mount.
 *
 * One value per file, ending in a newline, so $(cat f) and grep work.  The
 * text is rendered once per open (ops.c keeps it in the file handle), so a
 * reader never sees a torn value.
 */
#include "api.h"
#include "fs.h"
#include "logs.h"
#include "images.h"
#include "manifest.h"
#include "quantity.h"
#include "tree.h"

#include <errno.h>

static void line(struct pf_buf *out, const char *s)
{
	pf_buf_adds(out, s);
	pf_buf_addc(out, '\n');
}

static void render_reslist(struct pf_buf *out, const struct pf_reslist *l)
{
	/* "cpu=2\nmemory=8Gi\npods=110\n": one resource a line, key=value. */
	for (size_t i = 0; i < l->n; i++)
		pf_buf_addf(out, "%s=%s\n", l->items[i].name,
			    l->items[i].q.str ? l->items[i].q.str : "0");
}

static int render_timeline(struct pf_fs *fs, const char *name, struct pf_buf *out)
{
	_cleanup_pod_ struct pf_pod *pod = NULL;
	struct pf_err err = PF_ERR_INIT;
	const char *tl;
	int64_t t0 = -1;

	int r = pf_api_get_pod(fs->store, name, &pod, &err);
	if (r < 0)
		return r == -ENOENT ? -ENOENT : 0; /* damaged: no timeline to show */
	/* Components append "<epoch ms> <step> [detail]" lines to the
	 * podfs.io/timeline annotation; show them as offsets from the first. */
	tl = pf_strmap_get(&pod->meta.annotations, PF_TIMELINE_ANNOTATION);
	if (!tl) {
		pf_buf_adds(out, "0 stored\n");
		return 0;
	}
	for (const char *p = tl; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *end;
		long long t = strtoll(p, &end, 10);

		if (end != p && (size_t)(end - p) < n) {
			if (t0 < 0)
				t0 = t;
			pf_buf_addf(out, "%lld", t - t0);
			pf_buf_add(out, end, n - (size_t)(end - p));
			pf_buf_addc(out, '\n');
		}
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

int pf_log_source(struct pf_fs *fs, uint64_t ino, char **path)
{
	const struct pf_container_summary *c = NULL;
	unsigned cidx = pf_ino_cidx(ino);
	int restart;

	*path = NULL;
	pf_cache_rdlock(fs->cache);
	const struct pf_cpod *p = pf_cache_pod_serial(fs->cache, pf_ino_serial(ino));
	if (!p) {
		pf_cache_unlock(fs->cache);
		return -ENOENT;
	}
	if (cidx) {
		if (cidx <= p->s.n_containers)
			c = &p->s.containers[cidx - 1];
	} else {
		/* pods/<p>/logs: the first app container, as kubectl logs. */
		for (size_t i = 0; i < p->s.n_containers && !c; i++)
			if (!p->s.containers[i].init)
				c = &p->s.containers[i];
	}
	if (!c) {
		pf_cache_unlock(fs->cache);
		/* pods/<p>/logs of a pod with no container to show (one whose
		 * stored object is damaged): empty, not gone. */
		return cidx ? -ENOENT : 0;
	}
	restart = c->restarts;
	if (cidx && pf_ino_fid(ino) == PF_CTR_LOGS_PREVIOUS)
		restart--;
	if (restart >= 0)
		*path = pf_log_path(fs->state_dir, p->s.uid, c->name, restart);
	pf_cache_unlock(fs->cache);
	return 0;
}

static int render_log(struct pf_fs *fs, uint64_t ino, struct pf_buf *out)
{
	_cleanup_free_ char *path = NULL;
	int r = pf_log_source(fs, ino, &path);

	if (r < 0 || !path) /* no previous instance: empty */
		return r;
	return pf_log_text(path, out, NULL);
}

static int render_pod(struct pf_fs *fs, uint64_t ino, struct pf_buf *out)
{
	const struct pf_cpod *p;
	unsigned cidx = pf_ino_cidx(ino), fid = pf_ino_fid(ino);
	_cleanup_free_ char *name = NULL;
	int r = 0;

	pf_cache_rdlock(fs->cache);
	p = pf_cache_pod_serial(fs->cache, pf_ino_serial(ino));
	if (!p) {
		pf_cache_unlock(fs->cache);
		return -ENOENT;
	}
	if (cidx) {
		const struct pf_container_summary *c;

		if (cidx > p->s.n_containers) {
			pf_cache_unlock(fs->cache);
			return -ENOENT;
		}
		c = &p->s.containers[cidx - 1];
		switch (fid) {
		case PF_CTR_STATE:
			line(out, c->state);
			break;
		case PF_CTR_EXIT_CODE:
			if (c->has_exit)
				pf_buf_addf(out, "%d", c->exit_code);
			pf_buf_addc(out, '\n');
			break;
		case PF_CTR_REASON:
			line(out, c->reason);
			break;
		case PF_CTR_RESTARTS:
			pf_buf_addf(out, "%d\n", c->restarts);
			break;
		case PF_CTR_IMAGE:
			line(out, c->image);
			break;
		case PF_CTR_ID:
			line(out, c->id);
			break;
		case PF_CTR_LOGS:
		case PF_CTR_LOGS_PREVIOUS:
			pf_cache_unlock(fs->cache);
			return render_log(fs, ino, out);
		default:
			r = -EISDIR;
		}
		pf_cache_unlock(fs->cache);
		return r;
	}
	switch (fid) {
	case PF_POD_STATUS:
		line(out, p->s.status);
		break;
	case PF_POD_PHASE:
		line(out, p->s.phase);
		break;
	case PF_POD_NODE:
		line(out, p->s.node);
		break;
	case PF_POD_IP:
		line(out, p->s.ip);
		break;
	case PF_POD_READY:
		line(out, p->s.ready ? "true" : "false");
		break;
	case PF_POD_RESTARTS:
		pf_buf_addf(out, "%d\n", p->s.restarts);
		break;
	case PF_POD_WHY:
		/* Nothing holds the pod back: an empty file, not an empty line
		 * (test -s why asks the question). */
		if (p->s.why && *p->s.why)
			line(out, p->s.why);
		break;
	case PF_POD_EVENTS:
		pf_cache_events_render(fs->cache, "Pod", p->s.name, p->s.uid, out);
		break;
	case PF_POD_LOGS:
		pf_cache_unlock(fs->cache);
		return render_log(fs, ino, out);
	case PF_POD_YAML:
	case PF_POD_TIMELINE:
		name = pf_xstrdup(p->s.name);
		break;
	default:
		r = fid >= PF_POD_WAIT_FIRST ? 0 : -EISDIR;
	}
	pf_cache_unlock(fs->cache);
	if (r < 0 || !name)
		return r;

	if (fid == PF_POD_TIMELINE)
		return render_timeline(fs, name, out);

	/* pod.yaml comes from the store, not the cache: the cache keeps
	 * summaries only. */
	_cleanup_pod_ struct pf_pod *pod = NULL;
	struct pf_err err = PF_ERR_INIT;
	int r2 = pf_api_get_pod(fs->store, name, &pod, &err);
	if (r2 == -ENOENT)
		return -ENOENT;
	if (r2 < 0) {
		/* Damaged: show what the store holds, as it is. */
		_cleanup_free_ char *key = pf_pod_key(name);
		struct pf_kv kv = {0};

		pf_err_clear(&err);
		if (pf_store_get(fs->store, key, &kv, &err) < 0)
			return -ENOENT;
		pf_buf_add(out, kv.value, kv.len);
		pf_kv_free(&kv);
		return 0;
	}
	pf_pod_encode(pod, out);
	return 0;
}

static int render_node(struct pf_fs *fs, uint64_t ino, struct pf_buf *out)
{
	const struct pf_cnode *cn;
	const struct pf_node *n;
	int r = 0;

	pf_cache_rdlock(fs->cache);
	cn = pf_cache_node_serial(fs->cache, pf_ino_serial(ino));
	if (!cn) {
		pf_cache_unlock(fs->cache);
		return -ENOENT;
	}
	n = cn->node;
	switch (pf_ino_fid(ino)) {
	case PF_NODE_STATUS:
		line(out, cn->ready ? "Ready" : "NotReady");
		break;
	case PF_NODE_CAPACITY:
		render_reslist(out, &n->capacity);
		break;
	case PF_NODE_ALLOCATABLE:
		render_reslist(out, &n->allocatable);
		break;
	case PF_NODE_LABELS:
		for (size_t i = 0; i < n->meta.labels.n; i++)
			pf_buf_addf(out, "%s=%s\n", n->meta.labels.items[i].key,
				    n->meta.labels.items[i].value);
		break;
	case PF_NODE_TAINTS:
		/* kubectl's --node-taints form: key=value:Effect */
		for (size_t i = 0; i < n->n_taints; i++) {
			const struct pf_taint *t = &n->taints[i];
			pf_buf_adds(out, t->key ? t->key : "");
			if (t->value && *t->value)
				pf_buf_addf(out, "=%s", t->value);
			pf_buf_addf(out, ":%s\n", t->effect ? t->effect : "");
		}
		break;
	case PF_NODE_PODS: {
		size_t np;
		const struct pf_cpod *const *pods = pf_cache_pods(fs->cache, &np);
		for (size_t i = 0; i < np; i++)
			if (strcmp(pods[i]->s.node, n->meta.name) == 0)
				line(out, pods[i]->s.name);
		break;
	}
	case PF_NODE_YAML:
		pf_node_encode(n, out);
		break;
	default:
		r = -EISDIR;
	}
	pf_cache_unlock(fs->cache);
	return r;
}

int pf_render(struct pf_fs *fs, uint64_t ino, struct pf_buf *out)
{
	switch (pf_ino_kind(ino)) {
	case PF_INO_FIXED:
		if (ino != PF_INO_EVENTS)
			return -EISDIR;
		pf_cache_rdlock(fs->cache);
		pf_cache_events_render(fs->cache, NULL, NULL, NULL, out);
		pf_cache_unlock(fs->cache);
		return 0;
	case PF_INO_POD:
		return render_pod(fs, ino, out);
	case PF_INO_NODE:
		return render_node(fs, ino, out);
	case PF_INO_IMAGE:
		return pf_images_render(fs->images_index, ino, out, NULL);
	default:
		return -ENOENT;
	}
}
