/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quantity.h - Kubernetes resource quantities (resource.Quantity):
 * "100m", "0.5", "1", "64Mi", "1G", "1e3", "2Ki".  Parsed into milli-units
 * (value * 1000, rounded up as the API server rounds up sub-milli values),
 * printed back in the API server's canonical form (1000m -> "1",
 * 0.1 -> "100m", 1024Mi -> "1Gi", 1000M -> "1G").
 */
#ifndef PODFS_QUANTITY_H
#define PODFS_QUANTITY_H

#include "errors.h"
#include "types.h"

/* Parse s. -EINVAL (err: "quantities must match the regular expression
 * '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'") or -ERANGE on overflow. */
int pf_quantity_parse(const char *s, int64_t *milli, struct pf_err *err);
/* Canonical string of a parsed quantity given the suffix family of the
 * original (binary Ki/Mi..., decimal k/M..., or decimal exponent). */
char *pf_quantity_canonical(const char *original, int64_t milli);
/* Fill q from s (q->str canonical). */
int pf_quantity_set(struct pf_quantity *q, const char *s, struct pf_err *err);
/* Format bytes the way kubectl describe shows capacity ("8Gi", "512Mi",
 * exact when possible, else Ki). */
char *pf_quantity_format_bytes(int64_t bytes);
/* Format millicores ("1500m", "2"). */
char *pf_quantity_format_milli(int64_t milli);

#endif
