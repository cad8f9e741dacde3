/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lease.c - leader election with a Lease object on the store (see lease.h).
 *
 * The value is the Lease as `kubectl get lease -o yaml` shows it, written
 * and read through the YAML codec like every other object (so any holder
 * identity, quotes and line breaks included, reads back as itself).  No
 * thread, no clock of its own beyond pf_now_ns/pf_wall_ms.
 */
#include "lease.h"
#include "log.h"
#include "manifest.h"

#include <errno.h>

static int64_t mono_ms(void)
{
	return pf_now_ns() / 1000000;
}

void pf_lease_init(struct pf_lease *l, struct pf_store *s, const char *ns, const char *name,
		   const char *identity, int duration_ms)
{
	memset(l, 0, sizeof(*l));
	l->store = s;
	l->key = pf_xasprintf("/registry/leases/%s/%s", ns, name);
	l->name = pf_xstrdup(name);
	l->identity = pf_xstrdup(identity);
	l->duration_ms = duration_ms > 0 ? duration_ms : 15000;
	l->seen_mono_ms = mono_ms();
}

void pf_lease_clear(struct pf_lease *l)
{
	free(l->key);
	free(l->name);
	free(l->identity);
	memset(l, 0, sizeof(*l));
}

static void encode(const struct pf_lease *l, const char *holder, int duration_s, int64_t acquire_ms,
		   int64_t renew_ms, int transitions, struct pf_buf *out)
{
	/* Borrowed strings: the object is only read by the encoder. */
	struct pf_lease_object o = {
	    .meta = {.name = l->name, .namespace_ = (char *)"kube-system"},
	    .holder_identity = (char *)holder,
	    .lease_duration_seconds = duration_s,
	    .lease_transitions = transitions,
	    .acquire_ms = acquire_ms,
	    .renew_ms = renew_ms,
	};

	pf_lease_encode(&o, out);
}

int pf_lease_parse(const char *value, char *holder, size_t holder_size, int64_t *renew_ms,
		   int *duration_s, int *transitions)
{
	struct pf_lease_object *o = NULL;
	struct pf_err err = PF_ERR_INIT;

	if (pf_lease_decode(value, strlen(value), &o, &err) < 0)
		return -EINVAL;
	snprintf(holder, holder_size, "%s", o->holder_identity ? o->holder_identity : "");
	*renew_ms = o->renew_ms;
	*duration_s = o->lease_duration_seconds;
	*transitions = o->lease_transitions;
	pf_lease_object_free(o);
	return 0;
}

static int lost(struct pf_lease *l, int r)
{
	/* A store that fails keeps the lease until the renew deadline; after
	 * that another process may hold it, so stop acting as the leader. */
	if (l->held && mono_ms() - l->renewed_mono_ms > l->duration_ms * 2 / 3) {
		pf_log(PF_LOG_WARN, "lease %s: could not renew in time; no longer the leader",
		       l->name);
		l->held = false;
	}
	return r;
}

int pf_lease_tick(struct pf_lease *l, struct pf_err *err)
{
	_cleanup_buf_ struct pf_buf val = PF_BUF_INIT;
	struct pf_kv kv = {0};
	struct pf_lease_object *cur = NULL;
	struct pf_err derr = PF_ERR_INIT;
	const char *holder = "";
	int64_t now = pf_wall_ms(), renew_ms = 0, acq_ms = now, rev = 0;
	int dur_s = 0, trans = 0, r;
	bool mine, expired;

	r = pf_store_get(l->store, l->key, &kv, err);
	if (r == -ENOENT) {
		pf_err_clear(err);
		encode(l, l->identity, (l->duration_ms + 999) / 1000, now, now, 0, &val);
		r = pf_store_create(l->store, l->key, val.buf, val.len, &rev, err);
		if (r == -EEXIST) {
			pf_err_clear(err);
			return 0;
		}
		if (r < 0)
			return lost(l, r);
		goto acquired;
	}
	if (r < 0)
		return lost(l, r);
	/* What does not decode as a Lease is taken over (holder ""). */
	if (pf_lease_decode(kv.value, kv.len, &cur, &derr) == 0) {
		holder = cur->holder_identity ? cur->holder_identity : "";
		renew_ms = cur->renew_ms;
		dur_s = cur->lease_duration_seconds;
		trans = cur->lease_transitions;
		if (cur->acquire_ms)
			acq_ms = cur->acquire_ms;
	}
	if (kv.mod_rev != l->seen_rev) {
		l->seen_rev = kv.mod_rev;
		l->seen_mono_ms = mono_ms();
	}
	mine = strcmp(holder, l->identity) == 0;
	expired = !*holder || mono_ms() - l->seen_mono_ms > (int64_t)dur_s * 1000 ||
		  (renew_ms && renew_ms + (int64_t)dur_s * 1000 < now);
	if (!mine && !expired) {
		if (l->held)
			pf_log(PF_LOG_WARN, "lease %s: now held by %s", l->name, holder);
		pf_lease_object_free(cur);
		pf_kv_free(&kv);
		l->held = false;
		return 0;
	}
	pf_lease_object_free(cur);
	encode(l, l->identity, (l->duration_ms + 999) / 1000, mine ? acq_ms : now, now,
	       mine ? trans : trans + 1, &val);
	r = pf_store_update(l->store, l->key, val.buf, val.len, kv.mod_rev, &rev, err);
	pf_kv_free(&kv);
	if (r == -ESTALE || r == -ENOENT) {
		/* Someone else wrote it first: they hold it (or released it);
		 * the next tick looks again. */
		pf_err_clear(err);
		l->held = false;
		return 0;
	}
	if (r < 0)
		return lost(l, r);
acquired:
	if (!l->held)
		pf_log(PF_LOG_INFO, "lease %s: acquired by %s", l->name, l->identity);
	l->held = true;
	l->renewed_mono_ms = mono_ms();
	l->seen_rev = rev;
	l->seen_mono_ms = l->renewed_mono_ms;
	return 1;
}

void pf_lease_release(struct pf_lease *l)
{
	_cleanup_buf_ struct pf_buf val = PF_BUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	int64_t now = pf_wall_ms();

	if (!l->held)
		return;
	l->held = false;
	/* Only the revision we wrote last may be replaced: if someone took the
	 * lease meanwhile, it is theirs. */
	encode(l, "", 1, now, now, 0, &val);
	if (pf_store_update(l->store, l->key, val.buf, val.len, l->seen_rev, NULL, &err) < 0)
		pf_log(PF_LOG_DEBUG, "lease %s: not released: %s", l->name, err.msg);
	else
		pf_log(PF_LOG_INFO, "lease %s: released by %s", l->name, l->identity);
}
