/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtimes.c - the table of container runtimes by name (--runtime), and
 * opening one.  It sits above the backends it lists, which only use
 * runtime.c's shared calls, so nothing calls back into this file.
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
