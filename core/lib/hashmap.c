/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hashmap.c - the hash map of hashmap.h.
 *
 * The load stays at most one half, so probe runs are short; deletion shifts
 * the rest of a run back instead of leaving tombstones, so a map that sees
 * many puts and deletes (the scheduler's pods) never needs a rebuild.  It
 * allocates only its table, and owns nothing else.
 */
#include "hashmap.h"
#include "util.h"

#include <stdbool.h>

uint64_t pf_hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 14695981039346656037ULL; /* the FNV offset basis */

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* The slot holding key, or the free slot where it would go. */
static size_t slot(const struct pf_hashmap *m, const char *key, size_t len, uint64_t h)
{
	size_t mask = m->cap - 1, i = h & mask;

	for (; m->e[i].key; i = (i + 1) & mask) {
		const struct pf_hashmap_entry *e = &m->e[i];

		if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
			break;
	}
	return i;
}

void *pf_hashmap_getn(const struct pf_hashmap *m, const char *key, size_t len)
{
	if (!m->n)
		return NULL;
	return m->e[slot(m, key, len, pf_hash(key, len))].val;
}

void *pf_hashmap_get(const struct pf_hashmap *m, const char *key)
{
	return pf_hashmap_getn(m, key, strlen(key));
}

static void grow(struct pf_hashmap *m)
{
	struct pf_hashmap_entry *old = m->e;
	size_t old_cap = m->cap;

	m->cap = old_cap ? old_cap * 2 : 16;
	m->e = pf_xcalloc(m->cap, sizeof(*m->e));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].key)
			m->e[slot(m, old[i].key, old[i].len, old[i].hash)] = old[i];
	free(old);
}

void *pf_hashmap_putn(struct pf_hashmap *m, const char *key, size_t len, void *val)
{
	uint64_t h = pf_hash(key, len);
	struct pf_hashmap_entry *e;
	void *prev;

	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	e = &m->e[slot(m, key, len, h)];
	prev = e->val;
	if (!e->key)
		m->n++;
	*e = (struct pf_hashmap_entry){.key = key, .len = len, .hash = h, .val = val};
	return prev;
}

void *pf_hashmap_put(struct pf_hashmap *m, const char *key, void *val)
{
	return pf_hashmap_putn(m, key, strlen(key), val);
}

void *pf_hashmap_del(struct pf_hashmap *m, const char *key)
{
	size_t len = strlen(key), mask = m->cap - 1, i, j;
	void *val;

	if (!m->n)
		return NULL;
	i = slot(m, key, len, pf_hash(key, len));
	if (!m->e[i].key)
		return NULL;
	val = m->e[i].val;
	m->e[i] = (struct pf_hashmap_entry){0};
	m->n--;
	/* Shift back the entries of the run after i that could no longer be
	 * reached from their home slot across the hole. */
	for (j = (i + 1) & mask; m->e[j].key; j = (j + 1) & mask) {
		size_t home = m->e[j].hash & mask;
		bool reachable = i <= j ? (home > i && home <= j) : (home > i || home <= j);

		if (reachable)
			continue;
		m->e[i] = m->e[j];
		m->e[j] = (struct pf_hashmap_entry){0};
		i = j;
	}
	return val;
}

void *pf_hashmap_next(const struct pf_hashmap *m, size_t *it)
{
	while (*it < m->cap) {
		const struct pf_hashmap_entry *e = &m->e[(*it)++];

		if (e->key)
			return e->val;
	}
	return NULL;
}

void pf_hashmap_free(struct pf_hashmap *m)
{
	free(m->e);
	*m = (struct pf_hashmap){0};
}
