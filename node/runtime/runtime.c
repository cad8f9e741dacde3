/*
 * runtime.c - the table of container runtimes and the calls every backend
 * shares.  Nothing here runs a container.
 */
#include "runtime.h"

#include <errno.h>

extern const struct pf_runtime_ops pf_runtime_fake_ops;
extern const struct pf_runtime_ops pf_runtime_oci_ops;

/* ops NULL: a runtime podfs knows by name but does not build yet, so that
 * `--runtime oci` gets a plain answer rather than "unknown runtime". */
static const struct {
	const char *name;
	const struct pf_runtime_ops *ops;
	const char *missing;
} runtimes[] = {
    {"fake", &pf_runtime_fake_ops, NULL},
    {"oci", &pf_runtime_oci_ops, NULL},
};

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

bool pf_runtime_known(const char *name)
{
	for (size_t i = 0; i < PF_ARRAY_SIZE(runtimes); i++)
		if (strcmp(runtimes[i].name, name) == 0)
			return true;
	return false;
}

int pf_runtime_open(const char *name, const struct pf_runtime_config *cfg, struct pf_runtime **out,
		    struct pf_err *err)
{
	for (size_t i = 0; i < PF_ARRAY_SIZE(runtimes); i++) {
		if (strcmp(runtimes[i].name, name) != 0)
			continue;
		if (!runtimes[i].ops)
			return pf_err_set(err, ENOSYS, "%s", runtimes[i].missing);
		return runtimes[i].ops->open(cfg, out, err);
	}
	return pf_err_set(err, EINVAL, "unknown runtime \"%s\" (known: fake, oci)", name);
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
