/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_none.c - no pod network: the sandbox keeps its loopback only.
 */
#include "net.h"

#include <stdlib.h>

#include "util.h"

extern const struct pf_net_ops pf_net_none_ops;

static int none_open(const struct pf_net_config *cfg, struct pf_net **out, struct pf_err *err)
{
	(void)cfg;
	(void)err;
	*out = pf_xcalloc(1, sizeof(**out));
	(*out)->ops = &pf_net_none_ops;
	return 0;
}

static void none_close(struct pf_net *n)
{
	free(n);
}

static int none_add(struct pf_net *n, const char *id, const char *netns, const struct pf_pod *pod,
		    char **ip, struct pf_err *err)
{
	(void)n, (void)id, (void)netns, (void)pod, (void)err;
	*ip = NULL;
	return 0;
}

static int none_del(struct pf_net *n, const char *id, const char *netns, struct pf_err *err)
{
	(void)n, (void)id, (void)netns, (void)err;
	return 0;
}

const struct pf_net_ops pf_net_none_ops = {
    .name = "none",
    .open = none_open,
    .close = none_close,
    .add = none_add,
    .del = none_del,
};
