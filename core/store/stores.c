/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stores.c - the table of store backends by URI scheme (--store), and
 * opening one.  It sits above the backends it lists, which only use the
 * shared calls of store.c and watch.c, so nothing calls back into it.
 */
#include "store-internal.h"

#include <errno.h>

static int etcd_unbuilt_open(const char *rest, struct pf_store **out, struct pf_err *err)
{
	return pf_err_set(err, ENOTSUP, "etcd store not built yet");
}

static const struct pf_store_ops etcd_unbuilt_ops = {
    .scheme = "etcd",
    .open = etcd_unbuilt_open,
};

static const struct pf_store_ops *const backends[] = {
    &pf_store_sqlite_ops,
    &pf_store_mem_ops,
    &etcd_unbuilt_ops,
};

int pf_store_open(const char *uri, struct pf_store **out, struct pf_err *err)
{
	const char *colon;
	size_t n;
	int r;

	*out = NULL;
	if (!uri || !(colon = strchr(uri, ':')))
		return pf_err_set(err, EINVAL,
				  "store URI '%s' has no scheme (want sqlite:PATH or "
				  "etcd://HOST:PORT)",
				  uri ? uri : "(null)");
	n = (size_t)(colon - uri);
	for (size_t i = 0; i < PF_ARRAY_SIZE(backends); i++) {
		if (strlen(backends[i]->scheme) != n || memcmp(backends[i]->scheme, uri, n))
			continue;
		r = backends[i]->open(colon + 1, out, err);
		if (r < 0)
			*out = NULL;
		return r;
	}
	return pf_err_set(err, EINVAL,
			  "unknown store URI scheme '%.*s' (want sqlite:PATH or etcd://HOST:PORT)",
			  (int)n, uri);
}
