/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime.c - the calls every runtime backend shares, and the ones callers
 * make through a runtime's ops.  Nothing here runs a container; the table
 * of backends is runtimes.c, above them.
 */
#include "runtime.h"

#include <errno.h>

void pf_rt_status_free(struct pf_rt_status *st)
{
	free(st->reason);
	free(st->message);
	st->reason = NULL;
	st->message = NULL;
}

void pf_rt_list_free(struct pf_rt_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].id);
		free(l->items[i].sandbox_id);
		free(l->items[i].pod_uid);
		free(l->items[i].container_name);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void pf_runtime_close(struct pf_runtime *rt)
{
	if (rt)
		rt->ops->close(rt);
}

const char *pf_runtime_name(const struct pf_runtime *rt)
{
	return rt->name ? rt->name : rt->ops->name;
}

const char *pf_runtime_version(const struct pf_runtime *rt)
{
	return rt->version ? rt->version : rt->ops->version;
}
