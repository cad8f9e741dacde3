/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod_of.h - a Pod decoded from a YAML literal, for unit tests that build
 * on decoded pods (a bad literal is the test's own bug: it aborts).
 */
#ifndef PODFS_TESTS_POD_OF_H
#define PODFS_TESTS_POD_OF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

static inline struct pf_pod *pod_of(const char *yaml)
{
	struct pf_pod *pod = NULL;
	struct pf_err err = PF_ERR_INIT;

	if (pf_pod_decode(yaml, strlen(yaml), &pod, &err) < 0) {
		fprintf(stderr, "# decode: %s\n", err.msg);
		abort();
	}
	return pod;
}

#endif
