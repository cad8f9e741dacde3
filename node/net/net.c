/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net.c - the table of network backends.
 */
#include "net.h"

#include <errno.h>
#include <string.h>

extern const struct pf_net_ops pf_net_cni_ops;
extern const struct pf_net_ops pf_net_none_ops;

static const struct pf_net_ops *const backends[] = {&pf_net_cni_ops, &pf_net_none_ops};

bool pf_net_known(const char *name)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i]->name, name) == 0)
			return true;
	return false;
}

int pf_net_open(const char *name, const struct pf_net_config *cfg, struct pf_net **out,
		struct pf_err *err)
{
	if (!name || !*name)
		name = "cni";
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i]->open(cfg, out, err);
	return pf_err_set(err, EINVAL, "--network %s: unknown (cni or none)", name);
}

void pf_net_close(struct pf_net *n)
{
	if (n)
		n->ops->close(n);
}
