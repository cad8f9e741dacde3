/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.c - create, read and delete pods and record events, as the API server
 * does, on top of the store interface.
 */
#include "api.h"
#include "admission.h"
#include "log.h"
#include "manifest.h"

#include <errno.h>

void pf_api_created_free(struct pf_api_created *c)
{
	pf_pod_list_free(&c->pods);
}

char *pf_pod_key(const char *name)
{
	return pf_xasprintf(PF_POD_PREFIX "%s", name);
}

const char *pf_key_name(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(key, prefix, n) != 0 || !key[n] || strchr(key + n, '/'))
		return NULL;
	return key + n;
}

void pf_uuid4(char out[37])
{
	uint8_t b[16];

	pf_random_bytes(b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

int pf_api_create_pods(struct pf_store *s, const char *data, size_t len, const char *source,
		       const struct pf_policy *policy, struct pf_api_created *out,
		       struct pf_err *err)
{
	return pf_api_create_pods_as(s, data, len, source, policy, -1, out, err);
}

int pf_api_create_pods_as(struct pf_store *s, const char *data, size_t len, const char *source,
			  const struct pf_policy *policy, int64_t creator_uid,
			  struct pf_api_created *out, struct pf_err *err)
{
	struct pf_pod_list pods = {0};
	struct pf_op *ops = NULL;
	struct pf_buf *vals = NULL;
	char **keys = NULL;
	size_t failed = 0, n;
	int64_t now = pf_wall_ms();
	int r;

	memset(out, 0, sizeof(*out));
	r = pf_admit(data, len, source, policy, &pods, err);
	if (r < 0)
		return r;

	n = pods.n;
	ops = pf_xcalloc(pods.n, sizeof(*ops));
	vals = pf_xcalloc(pods.n, sizeof(*vals));
	keys = pf_xcalloc(pods.n, sizeof(*keys));
	for (size_t i = 0; i < pods.n; i++) {
		struct pf_pod *p = pods.items[i];
		char uid[37];

		if (!p->meta.name || !*p->meta.name) {
			char name[64];
			pf_generate_name(p->meta.generate_name, name, sizeof(name));
			free(p->meta.name);
			p->meta.name = pf_xstrdup(name);
		}
		pf_uuid4(uid);
		free(p->meta.uid);
		p->meta.uid = pf_xstrdup(uid);
		p->meta.creation_ms = now;
		/* creationTimestamp has whole seconds; the timeline keeps ms. */
		char line[64];
		snprintf(line, sizeof(line), "%lld stored", (long long)now);
		pf_strmap_set(&p->meta.annotations, PF_TIMELINE_ANNOTATION, line);
		if (creator_uid >= 0) {
			snprintf(line, sizeof(line), "%lld", (long long)creator_uid);
			pf_strmap_set(&p->meta.annotations, PF_CREATOR_ANNOTATION, line);
		}
		p->meta.resource_version = 0;
		free(p->status.phase);
		p->status.phase = pf_xstrdup("Pending");
		pf_pod_encode(p, &vals[i]);
		/* The limit holds for the object as stored, which the readers
		 * check: defaults and quoting make it larger than the file. */
		if (vals[i].len > PF_MANIFEST_MAX_BYTES) {
			r = pf_err_set(
			    err, EFBIG,
			    "error when creating \"%s\": Request entity too large: limit "
			    "is %u (pod \"%s\" is %zu bytes as stored)",
			    source, PF_MANIFEST_MAX_BYTES, p->meta.name, vals[i].len);
			goto out;
		}
		keys[i] = pf_pod_key(p->meta.name);
		ops[i] = (struct pf_op){
		    .kind = PF_OP_CREATE, .key = keys[i], .value = vals[i].buf, .len = vals[i].len};
	}

	r = pf_store_txn(s, ops, pods.n, &out->rev, &failed, err);
	if (r == -EEXIST) {
		pf_err_clear(err);
		r = pf_err_set(err, EEXIST, "pods \"%s\" already exists",
			       pods.items[failed]->meta.name);
	}
	if (r >= 0) {
		for (size_t i = 0; i < pods.n; i++)
			pods.items[i]->meta.resource_version = out->rev;
		out->pods = pods;
		pods = (struct pf_pod_list){0};
		r = (int)out->pods.n;
	}
out:
	for (size_t i = 0; i < n; i++) {
		pf_buf_release(&vals[i]);
		free(keys[i]);
	}
	free(vals);
	free(keys);
	free(ops);
	pf_pod_list_free(&pods);
	return r;
}

int pf_api_get_pod(struct pf_store *s, const char *name, struct pf_pod **out, struct pf_err *err)
{
	_cleanup_free_ char *key = pf_pod_key(name);
	struct pf_kv kv = {0};
	int r;

	r = pf_store_get(s, key, &kv, err);
	if (r == -ENOENT) {
		pf_err_clear(err);
		return pf_err_set(err, ENOENT, "pods \"%s\" not found", name);
	}
	if (r < 0)
		return r;
	r = pf_pod_decode(kv.value, kv.len, out, err);
	if (r >= 0)
		(*out)->meta.resource_version = kv.mod_rev;
	else
		pf_err_prefix(err, "stored pod \"%s\": ", name);
	pf_kv_free(&kv);
	return r;
}

/* The delete of pf_api_delete_pod; with why, the condition it names is set
 * in the same write, and a pod of another uid is left alone (-ENOENT). */
struct delete_why {
	const char *uid, *type, *reason, *message;
};

/* The stored object cannot be decoded (see pf_api_get_pod): a user's
 * delete removes the key as it is, so the name is not lost for good. */
static int delete_damaged(struct pf_store *s, const char *key, const char *name, int64_t *rev,
			  struct pf_err *err)
{
	struct pf_kv kv = {0};
	int r;

	pf_log(PF_LOG_WARN, "pod %s: %s; deleting the stored object as it is", name, err->msg);
	pf_err_clear(err);
	r = pf_store_get(s, key, &kv, err);
	if (r < 0)
		return r;
	r = pf_store_delete(s, key, kv.mod_rev, rev, err);
	pf_kv_free(&kv);
	return r;
}

static int delete_pod(struct pf_store *s, const char *name, const struct delete_why *why,
		      int64_t *rev, struct pf_err *err)
{
	_cleanup_free_ char *key = pf_pod_key(name);

	/* Compare-and-swap loop: a node agent may update the pod meanwhile.
	 * Bounded: each lap needs a concurrent writer to lose. */
	for (int lap = 0; lap < 100; lap++) {
		_cleanup_pod_ struct pf_pod *pod = NULL;
		_cleanup_buf_ struct pf_buf val = PF_BUF_INIT;
		int r;

		r = pf_api_get_pod(s, name, &pod, err);
		if (r < 0 && r != -ENOENT && !why)
			return delete_damaged(s, key, name, rev, err);
		if (r < 0)
			return r;
		if (why && why->uid && (!pod->meta.uid || strcmp(pod->meta.uid, why->uid) != 0))
			return pf_err_set(err, ENOENT, "pods \"%s\" not found", name);
		if (!pod->spec.node_name || !*pod->spec.node_name) {
			r = pf_store_delete(s, key, pod->meta.resource_version, rev, err);
		} else {
			/* Asked again while it terminates: delete it now, as
			 * kubectl delete --grace-period=0 --force; the node
			 * kills what is left (no grace) once it sees it gone.
			 * A controller's delete never forces. */
			if (pod->meta.deletion_ms && why)
				return 0;
			if (pod->meta.deletion_ms) {
				r = pf_store_delete(s, key, pod->meta.resource_version, rev, err);
				if (r != -ESTALE)
					return r;
				pf_err_clear(err);
				continue;
			}
			pod->meta.deletion_ms = pf_wall_ms();
			pod->meta.has_deletion_grace_period_seconds = true;
			pod->meta.deletion_grace_period_seconds =
			    pod->spec.has_termination_grace_period_seconds
				? pod->spec.termination_grace_period_seconds
				: 30;
			if (why)
				pf_condition_set(&pod->status.conditions, &pod->status.n_conditions,
						 why->type, "True", why->reason, why->message,
						 pod->meta.deletion_ms);
			pf_pod_encode(pod, &val);
			r = pf_store_update(s, key, val.buf, val.len, pod->meta.resource_version,
					    rev, err);
		}
		if (r != -ESTALE)
			return r;
		pf_err_clear(err);
	}
	return pf_err_set(err, EBUSY, "delete pod \"%s\": the pod kept changing; try again", name);
}

int pf_api_delete_pod(struct pf_store *s, const char *name, int64_t *rev, struct pf_err *err)
{
	return delete_pod(s, name, NULL, rev, err);
}

int pf_api_delete_pod_why(struct pf_store *s, const char *name, const char *uid,
			  const char *cond_type, const char *reason, const char *message,
			  int64_t *rev, struct pf_err *err)
{
	struct delete_why why = {uid, cond_type, reason, message};

	return delete_pod(s, name, &why, rev, err);
}

void pf_api_event(struct pf_store *s, const char *kind, const char *name, const char *uid,
		  const char *type, const char *reason, const char *component, const char *fmt, ...)
{
	struct pf_buf msg = PF_BUF_INIT, val = PF_BUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	_cleanup_free_ char *key = NULL;
	va_list ap;

	va_start(ap, fmt);
	pf_buf_vaddf(&msg, fmt, ap);
	va_end(ap);

	key = pf_api_event_build(kind, name, uid, type, reason, component, NULL, msg.buf, &val);
	if (pf_store_put(s, key, val.buf, val.len, NULL, &err) < 0)
		pf_log(PF_LOG_WARN, "could not store event %s %s: %s", reason, msg.buf, err.msg);
	pf_buf_release(&msg);
	pf_buf_release(&val);

	static unsigned written;
	if (__atomic_add_fetch(&written, 1, __ATOMIC_RELAXED) % PF_EVENT_GC_EVERY == 0)
		pf_api_expire_events(s, pf_wall_ns() - (int64_t)PF_EVENT_TTL_S * 1000000000);
}

/* Nanoseconds since the epoch, strictly increasing within this process, so
 * that two events built in one transaction never share a key. */
static int64_t event_stamp(void)
{
	static int64_t last;
	int64_t now = pf_wall_ns(), prev = __atomic_load_n(&last, __ATOMIC_RELAXED);

	for (;;) {
		int64_t next = now > prev ? now : prev + 1;
		if (__atomic_compare_exchange_n(&last, &prev, next, false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return next;
	}
}

char *pf_api_event_build(const char *kind, const char *name, const char *uid, const char *type,
			 const char *reason, const char *component, const char *host,
			 const char *message, struct pf_buf *val)
{
	struct pf_event ev = {0};
	char ename[300];
	int64_t stamp = event_stamp(), now = stamp / 1000000;

	/* Event names are the object's name and the time in hex nanoseconds,
	 * as client-go's recorder makes them ("web.17a2b3c4d5e6f708"); the
	 * time in the key lets expiry work without decoding values. */
	snprintf(ename, sizeof(ename), "%s.%llx", name && *name ? name : "podfs",
		 (unsigned long long)stamp);
	ev.meta.name = ename;
	ev.meta.namespace_ = (char *)"default";
	ev.meta.creation_ms = now;
	ev.involved_kind = (char *)kind;
	ev.involved_name = (char *)name;
	ev.involved_namespace = (char *)(kind && *kind && strcmp(kind, "Node") ? "default" : NULL);
	ev.involved_uid = (char *)uid;
	ev.type = (char *)type;
	ev.reason = (char *)reason;
	ev.source_component = (char *)component;
	ev.source_host = (char *)host;
	ev.message = (char *)message;
	ev.first_ms = ev.last_ms = now;
	ev.count = 1;
	pf_event_encode(&ev, val);
	return pf_xasprintf(PF_EVENT_PREFIX "%s", ename);
}

int pf_api_expire_events(struct pf_store *s, int64_t before_ns)
{
	struct pf_kv_list all = {0};
	struct pf_err err = PF_ERR_INIT;
	struct pf_op *ops = NULL;
	size_t n = 0, cap = 0;
	int r;

	r = pf_store_list(s, PF_EVENT_PREFIX, &all, NULL, &err);
	if (r < 0) {
		pf_log(PF_LOG_WARN, "event expiry: %s", err.msg);
		return r;
	}
	for (size_t i = 0; i < all.n; i++) {
		const char *dot = strrchr(all.items[i].key, '.');
		char *end;
		unsigned long long t = dot ? strtoull(dot + 1, &end, 16) : 0;

		if (!dot || *end || (int64_t)t >= before_ns)
			continue;
		PF_GROW(ops, cap, n + 1);
		ops[n++] = (struct pf_op){.kind = PF_OP_DELETE,
					  .key = all.items[i].key,
					  .expect_rev = all.items[i].mod_rev};
	}
	/* One transaction; a concurrent expiry in another process makes it
	 * fail harmlessly (-ENOENT/-ESTALE) and the next round retries. */
	r = n ? pf_store_txn(s, ops, n, NULL, NULL, &err) : 0;
	if (r < 0 && r != -ENOENT && r != -ESTALE)
		pf_log(PF_LOG_WARN, "event expiry: %s", err.msg);
	free(ops);
	pf_kv_list_free(&all);
	return r < 0 ? r : (int)n;
}
