/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hashmap.h - the one hash map of podfs: byte-string keys to pointers, open
 * addressing with linear probing and backward-shift deletion, and the one
 * string hash (64-bit FNV-1a).  The scheduler's view (pods, nodes, toleration
 * sets), the node agent's pod records and the YAML reader's duplicate-key
 * check all use it.
 *
 * The map borrows its keys: a key must stay valid and unchanged while it is
 * in the map (callers point it into the value it maps to, and re-put when
 * the value is replaced).  Values are never NULL (NULL means "absent").  No
 * lock: the owner serializes; the map must not be changed while iterating.
 */
#ifndef PODFS_HASHMAP_H
#define PODFS_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

struct pf_hashmap_entry {
	const char *key; /* NULL: a free slot */
	size_t len;
	uint64_t hash;
	void *val;
};

struct pf_hashmap {
	struct pf_hashmap_entry *e;
	size_t cap; /* 0 or a power of two, at least twice n */
	size_t n;
};
#define PF_HASHMAP_INIT                                                                            \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* FNV-1a over len bytes. */
uint64_t pf_hash(const void *data, size_t len);

/* The value of key (a NUL-terminated string, or len bytes that may hold
 * NULs), NULL when absent. */
void *pf_hashmap_get(const struct pf_hashmap *m, const char *key);
void *pf_hashmap_getn(const struct pf_hashmap *m, const char *key, size_t len);
/* Map key to val (not NULL), replacing both the key pointer and the value
 * if key is present; returns the value it replaced, or NULL. */
void *pf_hashmap_put(struct pf_hashmap *m, const char *key, void *val);
void *pf_hashmap_putn(struct pf_hashmap *m, const char *key, size_t len, void *val);
/* Remove key; returns its value, or NULL when absent. */
void *pf_hashmap_del(struct pf_hashmap *m, const char *key);
/* Every value, in no particular order:
 *	for (size_t it = 0; (v = pf_hashmap_next(m, &it));)
 * it starts at 0; NULL after the last. */
void *pf_hashmap_next(const struct pf_hashmap *m, size_t *it);
/* Release the table (not the keys or values); m is empty and reusable. */
void pf_hashmap_free(struct pf_hashmap *m);

#endif
