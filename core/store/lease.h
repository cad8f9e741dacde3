/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lease.h - leader election on the store with a Lease object, as client-go's
 * leaderelection does with coordination.k8s.io/v1 Leases: the holder renews
 * the lease with compare-and-swap every few seconds; a candidate takes it
 * over when it is free (holderIdentity empty, as a clean stop leaves it) or
 * expired.  Expired means: the record has not changed for leaseDuration as
 * this process saw it (client-go's rule, safe against clock skew), or its
 * renewTime is more than leaseDuration in the past (the record says so
 * itself; this lets a restarted process take over at once from a crashed
 * holder on the same machine).
 *
 * Pure store I/O, no thread: the owner calls pf_lease_tick() from its loop.
 */
#ifndef PODFS_LEASE_H
#define PODFS_LEASE_H

#include <stdbool.h>

#include "errors.h"
#include "store.h"

struct pf_lease {
	struct pf_store *store;
	char *key;	/* /registry/leases/kube-system/kube-scheduler */
	char *name;	/* kube-scheduler */
	char *identity; /* holderIdentity */
	int duration_ms;
	bool held;
	int64_t renewed_mono_ms; /* when this process last renewed it */
	int64_t seen_rev;	 /* the record's mod_rev as last seen */
	int64_t seen_mono_ms;	 /* when the record last changed, as seen here */
};

void pf_lease_init(struct pf_lease *l, struct pf_store *s, const char *ns, const char *name,
		   const char *identity, int duration_ms);
/* Acquire or renew.  1: held, 0: another process holds it, -errno on a store
 * failure (the lease is then dropped once two thirds of its duration passed
 * without a renewal, client-go's renewDeadline). */
int pf_lease_tick(struct pf_lease *l, struct pf_err *err);
/* Give the lease up if held (holderIdentity "", so another takes it at once). */
void pf_lease_release(struct pf_lease *l);
void pf_lease_clear(struct pf_lease *l);

/* Read holderIdentity and the other spec fields of a stored Lease (for tests;
 * -EINVAL when value is not one).  holder is "" for a released lease. */
int pf_lease_parse(const char *value, char *holder, size_t holder_size, int64_t *renew_ms,
		   int *duration_s, int *transitions);

#endif
