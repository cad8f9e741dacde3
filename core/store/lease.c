/*
 * lease.c - leader election with a Lease object on the store (see lease.h).
 *
 * The value is the Lease as `kubectl get lease -o yaml` shows it, written
 * and read here only: a fixed layout of a few scalar fields, so a line scan
 * reads it back.  No thread, no clock of its own beyond pf_now_ns/pf_wall_ms.
 */
#include "lease.h"
#include "log.h"

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

/* MicroTime, as Lease.spec.renewTime is written: 2026-11-27T13:38:26.123456Z. */
static void micro_time(int64_t ms, char out[32])
{
	char s[21];

	pf_format_time(ms, s);
	s[19] = 0; /* drop the Z */
	snprintf(out, 32, "%s.%03d000Z", s, (int)(ms % 1000));
}

static void encode(const struct pf_lease *l, const char *holder, int duration_s, int64_t acquire_ms,
		   int64_t renew_ms, int transitions, struct pf_buf *out)
{
	char acq[32], ren[32];

	micro_time(acquire_ms, acq);
	micro_time(renew_ms, ren);
	pf_buf_addf(out,
		    "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n"
		    "  name: %s\n  namespace: kube-system\nspec:\n"
		    "  acquireTime: \"%s\"\n  holderIdentity: \"%s\"\n"
		    "  leaseDurationSeconds: %d\n  leaseTransitions: %d\n"
		    "  renewTime: \"%s\"\n",
		    l->name, acq, holder, duration_s, transitions, ren);
}

/* The value of "  NAME: " in v, unquoted, into out. */
static bool field(const char *v, const char *name, char *out, size_t n)
{
	char pat[64];
	const char *p, *e;
	size_t len;

	snprintf(pat, sizeof(pat), "\n  %s: ", name);
	p = strstr(v, pat);
	if (!p)
		return false;
	p += strlen(pat);
	e = strchr(p, '\n');
	len = e ? (size_t)(e - p) : strlen(p);
	if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
		p++;
		len -= 2;
	}
	if (len >= n)
		len = n - 1;
	memcpy(out, p, len);
	out[len] = 0;
	return true;
}

int pf_lease_parse(const char *value, char *holder, size_t holder_size, int64_t *renew_ms,
		   int *duration_s, int *transitions)
{
	char buf[64];

	if (!strstr(value, "kind: Lease\n"))
		return -EINVAL;
	if (!field(value, "holderIdentity", holder, holder_size))
		holder[0] = 0;
	*renew_ms = 0;
	if (field(value, "renewTime", buf, sizeof(buf)) && pf_parse_time(buf, renew_ms) < 0)
		*renew_ms = 0;
	*duration_s = field(value, "leaseDurationSeconds", buf, sizeof(buf)) ? atoi(buf) : 0;
	*transitions = field(value, "leaseTransitions", buf, sizeof(buf)) ? atoi(buf) : 0;
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
	char holder[256];
	int64_t now = pf_wall_ms(), renew_ms = 0, rev = 0;
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
	if (pf_lease_parse(kv.value, holder, sizeof(holder), &renew_ms, &dur_s, &trans) < 0) {
		holder[0] = 0; /* not a Lease: take it over */
		dur_s = 0;
	}
	if (kv.mod_rev != l->seen_rev) {
		l->seen_rev = kv.mod_rev;
		l->seen_mono_ms = mono_ms();
	}
	mine = strcmp(holder, l->identity) == 0;
	expired = !*holder || mono_ms() - l->seen_mono_ms > (int64_t)dur_s * 1000 ||
		  (renew_ms && renew_ms + (int64_t)dur_s * 1000 < now);
	if (!mine && !expired) {
		pf_kv_free(&kv);
		if (l->held)
			pf_log(PF_LOG_WARN, "lease %s: now held by %s", l->name, holder);
		l->held = false;
		return 0;
	}
	{
		char acq[64];
		int64_t acq_ms = now;

		if (mine && field(kv.value, "acquireTime", acq, sizeof(acq)))
			pf_parse_time(acq, &acq_ms);
		encode(l, l->identity, (l->duration_ms + 999) / 1000, acq_ms, now,
		       mine ? trans : trans + 1, &val);
	}
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
