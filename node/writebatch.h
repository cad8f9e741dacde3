/* SPDX-License-Identifier: Apache-2.0 */
/*
 * writebatch.h - the node agent's gathered writes: store ops in groups, one
 * group per pod (its status or deletion and its events).  The batch owns
 * every key and value string in it.  Not thread-safe: one owner at a time.
 */
#ifndef PODFS_NODE_WRITEBATCH_H
#define PODFS_NODE_WRITEBATCH_H

#include "store.h"

struct pf_podrec;

/* Writes gathered during a round, one group of ops per pod (its status or
 * deletion and its events), so that a group that loses a race is dropped
 * whole. */
struct pf_wbatch {
	struct pf_op *ops;
	char **keys;
	char **vals;
	size_t *group; /* op -> group index */
	size_t n, cap;
	char **names;		 /* group -> pod name */
	struct pf_podrec **recs; /* group -> its record (a worker's pass), NULL = look it up */
	size_t n_groups, cap_groups;
};

/* Append an op to the last group (taking key and val). */
void pf_wbatch_op(struct pf_wbatch *b, enum pf_op_kind kind, char *key, char *val, size_t len,
		  int64_t expect_rev);
/* Append the creation of a kubelet event about an object. */
void pf_wbatch_event(struct pf_wbatch *b, const char *kind, const char *name, const char *uid,
		     const char *type, const char *reason, const char *host, const char *message);
/* Start the group of pod name; rec: the worker's record, NULL = look it up. */
void pf_wbatch_group(struct pf_wbatch *b, const char *name, struct pf_podrec *rec);
/* Empty it (keeping its arrays); free it. */
void pf_wbatch_reset(struct pf_wbatch *b);
void pf_wbatch_free(struct pf_wbatch *b);
/* Append src's ops and groups to dst (their strings change hands) and
 * empty src. */
void pf_wbatch_move(struct pf_wbatch *dst, struct pf_wbatch *src);
/* Drop every op of group g (its write lost a race). */
void pf_wbatch_drop_group(struct pf_wbatch *b, size_t g);

#endif
