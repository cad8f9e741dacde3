/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hollowbench - hollow-node scale figures through the store: submit pods
 * already bound round-robin to NODE-0001..NODE-N (as the scheduler would
 * bind them), wait until every one is Running, delete them all and wait
 * until the node agents removed them.  Run against a store that `podfs node
 * --runtime fake --replicas N` serves.
 *
 *   hollowbench URI NODE_STEM N_NODES N_PODS
 * prints "create_ms=.. running_ms=.. delete_ms=.." on one line.
 */
#include <errno.h>
#include <time.h>

#include "api.h"

static int count(struct pf_store *s, const char *needle)
{
	struct pf_kv_list l = {0};
	struct pf_err err = PF_ERR_INIT;
	int n = 0;

	if (pf_store_list(s, PF_POD_PREFIX, &l, NULL, &err) < 0)
		return -1;
	for (size_t i = 0; i < l.n; i++)
		n += !needle || strstr(l.items[i].value, needle) != NULL;
	pf_kv_list_free(&l);
	return n;
}

static void nap(void)
{
	struct timespec ts = {0, 100000000};
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	struct pf_store *s = NULL;
	struct pf_err err = PF_ERR_INIT;
	int nodes, pods;
	int64_t t0, t1, t2, t3;

	if (argc != 5) {
		fprintf(stderr, "usage: hollowbench URI NODE_STEM N_NODES N_PODS\n");
		return 2;
	}
	nodes = atoi(argv[3]);
	pods = atoi(argv[4]);
	if (pf_store_open(argv[1], &s, &err) < 0) {
		fprintf(stderr, "hollowbench: %s\n", err.msg);
		return 1;
	}
	t0 = pf_now_ns();
	for (int i = 0; i < pods; i += 500) {
		struct pf_buf b = PF_BUF_INIT;
		struct pf_api_created c = {0};

		for (int k = i; k < pods && k < i + 500; k++)
			pf_buf_addf(&b,
				    "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: hb-%06d\n"
				    "spec:\n  nodeName: %s-%04d\n  containers:\n  - name: app\n"
				    "    image: nginx\n",
				    k, argv[2], k % nodes + 1);
		if (pf_api_create_pods(s, b.buf, b.len, "bench", NULL, &c, &err) < 0) {
			fprintf(stderr, "hollowbench: create: %s\n", err.msg);
			return 1;
		}
		pf_api_created_free(&c);
		pf_buf_release(&b);
	}
	t1 = pf_now_ns();
	while (count(s, "phase: Running") < pods)
		nap();
	t2 = pf_now_ns();
	for (int k = 0; k < pods; k++) {
		char name[32];
		snprintf(name, sizeof(name), "hb-%06d", k);
		if (pf_api_delete_pod(s, name, NULL, &err) < 0) {
			fprintf(stderr, "hollowbench: delete: %s\n", err.msg);
			return 1;
		}
	}
	while (count(s, NULL) > 0)
		nap();
	t3 = pf_now_ns();
	printf("create_ms=%lld running_ms=%lld delete_ms=%lld\n", (long long)(t1 - t0) / 1000000,
	       (long long)(t2 - t1) / 1000000, (long long)(t3 - t2) / 1000000);
	pf_store_close(s);
	return 0;
}
