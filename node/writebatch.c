/* SPDX-License-Identifier: Apache-2.0 */
/*
 * writebatch.c - the writes a round of the node agent gathers before one
 * transaction stores them (agent.c), grouped per pod so that a group whose
 * compare-and-swap loses a race is dropped whole.
 *
 * It only builds and edits the list of ops; it must not touch the store.
 */
#include "writebatch.h"
#include "api.h"

void pf_wbatch_op(struct pf_wbatch *b, enum pf_op_kind kind, char *key, char *val, size_t len,
		  int64_t expect_rev)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->ops = pf_xrealloc(b->ops, b->cap * sizeof(*b->ops));
		b->keys = pf_xrealloc(b->keys, b->cap * sizeof(*b->keys));
		b->vals = pf_xrealloc(b->vals, b->cap * sizeof(*b->vals));
		b->group = pf_xrealloc(b->group, b->cap * sizeof(*b->group));
	}
	b->ops[b->n] = (struct pf_op){
	    .kind = kind, .key = key, .value = val, .len = len, .expect_rev = expect_rev};
	b->keys[b->n] = key;
	b->vals[b->n] = val;
	b->group[b->n] = b->n_groups ? b->n_groups - 1 : 0;
	b->n++;
}

void pf_wbatch_event(struct pf_wbatch *b, const char *kind, const char *name, const char *uid,
		     const char *type, const char *reason, const char *host, const char *message)
{
	struct pf_buf val = PF_BUF_INIT;
	char *key =
	    pf_api_event_build(kind, name, uid, type, reason, "kubelet", host, message, &val);
	size_t len;
	char *v = pf_buf_detach(&val, &len);

	pf_wbatch_op(b, PF_OP_CREATE, key, v, len, 0);
}

void pf_wbatch_group(struct pf_wbatch *b, const char *name, struct pf_podrec *rec)
{
	if (b->n_groups == b->cap_groups) {
		b->cap_groups = b->cap_groups ? b->cap_groups * 2 : 16;
		b->names = pf_xrealloc(b->names, b->cap_groups * sizeof(*b->names));
		b->recs = pf_xrealloc(b->recs, b->cap_groups * sizeof(*b->recs));
	}
	b->recs[b->n_groups] = rec;
	b->names[b->n_groups++] = pf_xstrdup(name);
}

void pf_wbatch_reset(struct pf_wbatch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->keys[i]);
		free(b->vals[i]);
	}
	for (size_t i = 0; i < b->n_groups; i++)
		free(b->names[i]);
	b->n = b->n_groups = 0;
}

void pf_wbatch_free(struct pf_wbatch *b)
{
	pf_wbatch_reset(b);
	free(b->ops);
	free(b->keys);
	free(b->vals);
	free(b->group);
	free(b->names);
	free(b->recs);
}

/* Append src's ops and groups to dst (their strings change hands) and
 * empty src. */
void pf_wbatch_move(struct pf_wbatch *dst, struct pf_wbatch *src)
{
	size_t g0 = dst->n_groups;

	for (size_t g = 0; g < src->n_groups; g++)
		pf_wbatch_group(dst, src->names[g], src->recs[g]);
	for (size_t i = 0; i < src->n; i++) {
		const struct pf_op *op = &src->ops[i];
		pf_wbatch_op(dst, op->kind, src->keys[i], src->vals[i], op->len, op->expect_rev);
		dst->group[dst->n - 1] = g0 + src->group[i];
	}
	src->n = 0;
	pf_wbatch_reset(src);
}

/* Drop every op of group g (its write lost a race). */
void pf_wbatch_drop_group(struct pf_wbatch *b, size_t g)
{
	size_t k = 0;

	for (size_t i = 0; i < b->n; i++) {
		if (b->group[i] == g) {
			free(b->keys[i]);
			free(b->vals[i]);
			continue;
		}
		b->ops[k] = b->ops[i];
		b->keys[k] = b->keys[i];
		b->vals[k] = b->vals[i];
		b->group[k] = b->group[i];
		k++;
	}
	b->n = k;
}
