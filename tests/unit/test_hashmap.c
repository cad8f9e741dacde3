/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_hashmap.c - the one hash map (hashmap.h): put, get, replace, delete
 * with backward shift (checked against a plain array after every step of a
 * long random run), byte-string keys with NULs, iteration, and the hash.
 */
#include "hashmap.h"
#include "tap.h"
#include "util.h"

#include <stdbool.h>

static void test_basics(void)
{
	struct pf_hashmap m = PF_HASHMAP_INIT;
	int a = 1, b = 2, c = 3;
	char key2[] = "alpha";

	ok(pf_hashmap_get(&m, "x") == NULL, "get on an empty map");
	ok(pf_hashmap_del(&m, "x") == NULL, "del on an empty map");
	ok(pf_hashmap_put(&m, "alpha", &a) == NULL, "put a new key");
	ok(pf_hashmap_put(&m, "beta", &b) == NULL, "put another");
	ok(pf_hashmap_get(&m, "alpha") == &a, "get it back");
	ok(pf_hashmap_get(&m, "alph") == NULL, "a prefix is another key");
	ok(pf_hashmap_get(&m, "") == NULL, "the empty key is absent");
	ok(pf_hashmap_put(&m, key2, &c) == &a, "put on a present key returns the old value");
	is_int(m.n, 2, "still two keys");
	key2[0] = 'A'; /* the map now points at key2: re-put replaced the key too */
	ok(pf_hashmap_get(&m, "alpha") == NULL,
	   "the replaced key pointer is the one the map reads");
	key2[0] = 'a';
	ok(pf_hashmap_get(&m, "alpha") == &c, "and the value");
	ok(pf_hashmap_del(&m, "alpha") == &c, "del returns the value");
	ok(pf_hashmap_get(&m, "alpha") == NULL, "gone");
	ok(pf_hashmap_del(&m, "alpha") == NULL, "del twice");
	is_int(m.n, 1, "one key left");
	ok(pf_hashmap_put(&m, "", &a) == NULL && pf_hashmap_get(&m, "") == &a,
	   "the empty string is a key like any other");
	pf_hashmap_free(&m);
	is_int(m.n, 0, "free empties");
	ok(pf_hashmap_get(&m, "beta") == NULL, "and the map is usable again");
	pf_hashmap_free(&m);
}

/* Keys are len bytes: embedded NULs count (YAML keys may hold them). */
static void test_bytes(void)
{
	struct pf_hashmap m = PF_HASHMAP_INIT;
	static const char k1[] = "a\0b", k2[] = "a\0c";
	int x = 1, y = 2;

	ok(pf_hashmap_putn(&m, k1, 3, &x) == NULL, "put a key with a NUL");
	ok(pf_hashmap_getn(&m, k2, 3) == NULL, "a key differing after the NUL is another");
	ok(pf_hashmap_putn(&m, k2, 3, &y) == NULL, "put it");
	ok(pf_hashmap_getn(&m, k1, 3) == &x && pf_hashmap_getn(&m, k2, 3) == &y, "both read back");
	ok(pf_hashmap_get(&m, "a") == NULL, "the NUL-terminated prefix is another key");
	pf_hashmap_free(&m);
}

#define NKEYS 600

/* A long random run of puts and deletes against a plain array: every key
 * present in the array reads back, every absent one does not, and
 * iteration visits each present key once. */
static void test_random(void)
{
	struct pf_hashmap m = PF_HASHMAP_INIT;
	static char keys[NKEYS][16];
	static int vals[NKEYS];
	bool in[NKEYS] = {false};
	size_t n = 0, bad = 0, bad_iter = 0;
	uint64_t rnd = 88172645463325252ULL;

	for (int i = 0; i < NKEYS; i++) {
		snprintf(keys[i], sizeof(keys[i]), "pod-%d", i);
		vals[i] = i;
	}
	for (int step = 0; step < 20000; step++) {
		int k;

		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		k = (int)(rnd % NKEYS);
		if ((rnd >> 32) % 3) {
			n += !in[k];
			in[k] = true;
			pf_hashmap_put(&m, keys[k], &vals[k]);
		} else {
			if ((pf_hashmap_del(&m, keys[k]) != NULL) != in[k])
				bad++;
			n -= in[k];
			in[k] = false;
		}
		if (m.n != n)
			bad++;
		if (step % 97 == 0) {
			for (int i = 0; i < NKEYS; i++)
				if (pf_hashmap_get(&m, keys[i]) != (in[i] ? &vals[i] : NULL))
					bad++;
		}
	}
	is_int(bad, 0, "20000 random puts and deletes agree with a plain array");
	{
		int seen[NKEYS] = {0};
		size_t it = 0, count = 0;
		int *v;

		while ((v = pf_hashmap_next(&m, &it))) {
			seen[*v]++;
			count++;
		}
		for (int i = 0; i < NKEYS; i++)
			if (seen[i] != (in[i] ? 1 : 0))
				bad_iter++;
		is_int(count, n, "iteration visits every value");
		is_int(bad_iter, 0, "each present key once, no absent one");
	}
	ok(m.cap >= 2 * m.n && (m.cap & (m.cap - 1)) == 0, "load at most a half, power of two");
	pf_hashmap_free(&m);
}

static void test_hash(void)
{
	/* FNV-1a 64 reference values. */
	ok(pf_hash("", 0) == 0xcbf29ce484222325ULL, "FNV-1a of the empty string");
	ok(pf_hash("a", 1) == 0xaf63dc4c8601ec8cULL, "FNV-1a of \"a\"");
	ok(pf_hash("foobar", 6) == 0x85944171f73967e8ULL, "FNV-1a of \"foobar\"");
}

int main(void)
{
	test_basics();
	test_bytes();
	test_random();
	test_hash();
	return tap_done();
}
