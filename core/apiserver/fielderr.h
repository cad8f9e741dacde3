/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fielderr.h - the API server's list of field errors (apimachinery's
 * field.ErrorList) and its rendering with the words kubectl shows:
 * "spec.containers[0].image: Required value",
 * "metadata.name: Invalid value: \"X\": <detail>", ...
 *
 * Only the wording and the aggregate live here; which field is wrong is the
 * validator's business.  Pure string building: no I/O, no model knowledge.
 */
#ifndef PODFS_FIELDERR_H
#define PODFS_FIELDERR_H

#include "errors.h"
#include "types.h"

/* The causes in the order they were found; exact repeats are dropped, as
 * ToAggregate drops them. */
struct pf_field_errs {
	struct pf_strlist causes;
};
#define PF_FIELD_ERRS_INIT                                                                         \
	{                                                                                          \
		{                                                                                  \
			NULL, 0                                                                    \
		}                                                                                  \
	}

void pf_field_errs_free(struct pf_field_errs *c);

/* "path: Required value[: detail]" (detail NULL or "" leaves it out). */
void pf_field_required(struct pf_field_errs *c, const char *path, const char *detail);
/* "path: Forbidden: detail" */
void pf_field_forbidden(struct pf_field_errs *c, const char *path, const char *detail);
/* "path: Too long: may not be more than max bytes" */
void pf_field_too_long(struct pf_field_errs *c, const char *path, int max);
/* "path: Invalid value: \"value\"[: detail]", value quoted as Go's %q
 * (NULL reads as ""). */
void pf_field_invalid(struct pf_field_errs *c, const char *path, const char *value,
		      const char *detail);
/* One Invalid value per message, as the Is* checks' lists are reported. */
void pf_field_invalid_each(struct pf_field_errs *c, const char *path, const char *value,
			   const char *const *msgs, size_t n);
/* The same with value printed as it is: numbers and values with a String()
 * method are not quoted. */
void pf_field_invalid_raw(struct pf_field_errs *c, const char *path, const char *value,
			  const char *detail);
void pf_field_invalid_int(struct pf_field_errs *c, const char *path, int64_t v, const char *detail);
/* "path: Duplicate value: \"value\"" and "path: Not found: \"value\"" */
void pf_field_duplicate(struct pf_field_errs *c, const char *path, const char *value);
void pf_field_not_found(struct pf_field_errs *c, const char *path, const char *value);
/* "path: Unsupported value: \"value\": supported values: \"a\", \"b\""
 * (supported is NULL-terminated). */
void pf_field_unsupported(struct pf_field_errs *c, const char *path, const char *value,
			  const char *const *supported);

/* When c holds causes, set err to the API server's answer and return
 * -EINVAL: "The <kind> \"name\" is invalid: cause" for one cause,
 * "... is invalid: [cause1, cause2]" for several.  0 when c is empty. */
int pf_field_errs_report(const struct pf_field_errs *c, const char *kind, const char *name,
			 struct pf_err *err);

/* Helpers the rules share (validate.c, resources.c, podsecurity.c). */
/* Whether s is one of the NULL-terminated set. */
bool pf_str_in(const char *s, const char *const *set);

/* Each reason IsQualifiedName gives for name as an Invalid value at path
 * showing shown; how many. */
size_t pf_invalid_qualified_name(struct pf_field_errs *c, const char *path, const char *shown,
				 const char *name);

/* apimachinery's "must be greater than or equal to 0". */
extern const char pf_nonneg_msg[];

#endif
