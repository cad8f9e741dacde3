/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storectl - raw access to a podfs store for tests: lets a scenario play
 * another component (a scheduler binding a pod, a node reporting status)
 * through the same store interface, from another process.
 *
 *   storectl URI get KEY           value on stdout (exit 1 if absent)
 *   storectl URI put KEY           stdin becomes the value
 *   storectl URI update KEY REV    compare-and-swap on mod_rev REV
 *   storectl URI rev KEY           the key's mod_rev
 *   storectl URI list PREFIX       one key a line
 *   storectl URI delete KEY
 */
#include <errno.h>

#include "store.h"

static int die(const char *what, const struct pf_err *err)
{
	fprintf(stderr, "storectl: %s: %s\n", what, err->msg);
	return 1;
}

static char *slurp(size_t *len)
{
	struct pf_buf b = PF_BUF_INIT;
	char chunk[65536];
	ssize_t n;

	while ((n = read(0, chunk, sizeof(chunk))) > 0)
		pf_buf_add(&b, chunk, (size_t)n);
	return pf_buf_detach(&b, len);
}

int main(int argc, char **argv)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_store *s = NULL;
	struct pf_kv kv = {0};
	int rc = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: storectl URI get|put|update|rev|list|delete KEY [REV]\n");
		return 2;
	}
	if (pf_store_open(argv[1], &s, &err) < 0)
		return die("open", &err);
	const char *cmd = argv[2], *key = argv[3];
	if (!strcmp(cmd, "get") || !strcmp(cmd, "rev")) {
		if (pf_store_get(s, key, &kv, &err) < 0) {
			rc = die("get", &err);
		} else {
			if (!strcmp(cmd, "get"))
				fwrite(kv.value, 1, kv.len, stdout);
			else
				printf("%lld\n", (long long)kv.mod_rev);
			pf_kv_free(&kv);
		}
	} else if (!strcmp(cmd, "put") || !strcmp(cmd, "update")) {
		size_t len;
		char *v = slurp(&len);
		int r = !strcmp(cmd, "put")
			    ? pf_store_put(s, key, v, len, NULL, &err)
			    : pf_store_update(s, key, v, len, argc > 4 ? atoll(argv[4]) : 0, NULL,
					      &err);
		if (r < 0)
			rc = die(cmd, &err);
		free(v);
	} else if (!strcmp(cmd, "list")) {
		struct pf_kv_list l = {0};
		if (pf_store_list(s, key, &l, NULL, &err) < 0) {
			rc = die("list", &err);
		} else {
			for (size_t i = 0; i < l.n; i++)
				printf("%s\n", l.items[i].key);
			pf_kv_list_free(&l);
		}
	} else if (!strcmp(cmd, "delete")) {
		if (pf_store_delete(s, key, 0, NULL, &err) < 0)
			rc = die("delete", &err);
	} else {
		fprintf(stderr, "storectl: unknown command %s\n", cmd);
		rc = 2;
	}
	pf_store_close(s);
	return rc;
}
