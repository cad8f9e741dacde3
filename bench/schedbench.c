/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schedbench - the scheduler's figures, in-process on a real sqlite store
 * (the mount is not involved: these are the scheduler's own numbers).
 *
 *   schedbench DB NODES PODS [BATCH]
 *                                store NODES hollow nodes and PODS pending
 *                                pods, start the scheduler (BATCH pods a
 *                                bind transaction at most; default 250),
 *                                time until all are bound; then 200 single
 *                                pods on the idle cluster, create->bound
 *                                latency
 * Prints key=value figures; not a test.
 */
#include <errno.h>
#include <time.h>

#include "api.h"
#include "scheduler.h"

/* CPU time of the whole process (all its threads), so a figure can be
 * read on a machine that other work shares: wall-clock rates move with
 * the load, CPU per bind much less. */
static int64_t cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* VmRSS or VmHWM (the peak since reset_peak()) in kB. */
static long status_kb(const char *field)
{
	char line[256];
	long kb = 0;
	size_t n = strlen(field);
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			kb = atol(line + n + 1);
			break;
		}
	if (f)
		fclose(f);
	return kb;
}

/* Linux resets VmHWM to the current RSS on "5" > clear_refs (4.0+). */
static void reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

static int create(struct pf_store *s, const char *prefix, int from, int n)
{
	struct pf_buf y = PF_BUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	struct pf_api_created c = {0};
	struct pf_policy pol = {0};
	int r;

	pf_buf_adds(&y, "apiVersion: v1\nkind: List\nitems:\n");
	for (int i = from; i < from + n; i++)
		pf_buf_addf(&y,
			    "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: %s-%d\n"
			    "  spec:\n    containers:\n    - name: app\n      image: busybox\n"
			    "      resources:\n        requests:\n          cpu: 10m\n"
			    "          memory: 16Mi\n",
			    prefix, i);
	r = pf_api_create_pods(s, y.buf, y.len, "bench.yaml", &pol, &c, &err);
	if (r < 0)
		fprintf(stderr, "schedbench: create: %s\n", err.msg);
	pf_api_created_free(&c);
	pf_buf_release(&y);
	return r;
}

int main(int argc, char **argv)
{
	struct pf_store *s = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct pf_sched *sc = NULL;
	struct pf_sched_opts o = {.renew_ms = 2000};
	struct pf_sched_stats st;
	int nodes, pods;
	int64_t t0, t1, cpu0, lat[200];
	long rss0, rss1, peak;
	char now[21];

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: schedbench DB NODES PODS [BATCH]\n");
		return 2;
	}
	if (argc == 5)
		o.batch = (size_t)atoi(argv[4]);
	nodes = atoi(argv[2]);
	pods = atoi(argv[3]);
	{
		_cleanup_free_ char *uri = pf_xasprintf("sqlite:%s", argv[1]);
		if (pf_store_open(uri, &s, &err) < 0) {
			fprintf(stderr, "schedbench: %s\n", err.msg);
			return 1;
		}
	}
	pf_format_time(pf_wall_ms(), now);
	{
		struct pf_op *ops = pf_xcalloc((size_t)nodes, sizeof(*ops));
		char **keys = pf_xcalloc((size_t)nodes, sizeof(*keys));
		char **vals = pf_xcalloc((size_t)nodes, sizeof(*vals));

		for (int i = 0; i < nodes; i++) {
			keys[i] = pf_xasprintf(PF_NODE_PREFIX "hollow-%04d", i);
			vals[i] = pf_xasprintf(
			    "apiVersion: v1\nkind: Node\nmetadata:\n  name: hollow-%04d\n"
			    "status:\n  allocatable:\n    cpu: \"32\"\n    memory: 128Gi\n"
			    "    pods: \"110\"\n  conditions:\n  - lastHeartbeatTime: \"%s\"\n"
			    "    status: \"True\"\n    type: Ready\n",
			    i, now);
			ops[i] = (struct pf_op){.kind = PF_OP_PUT,
						.key = keys[i],
						.value = vals[i],
						.len = strlen(vals[i])};
		}
		pf_store_txn(s, ops, (size_t)nodes, NULL, NULL, &err);
		for (int i = 0; i < nodes; i++) {
			free(keys[i]);
			free(vals[i]);
		}
		free(keys);
		free(vals);
		free(ops);
	}
	for (int i = 0; i < pods; i += 1000)
		create(s, "pending", i, pods - i < 1000 ? pods - i : 1000);

	rss0 = status_kb("VmRSS");
	reset_peak();
	t0 = pf_now_ns();
	if (pf_sched_start(s, &o, &sc, &err) < 0) {
		fprintf(stderr, "schedbench: %s\n", err.msg);
		return 1;
	}
	t1 = pf_now_ns();
	cpu0 = cpu_ns();
	do {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
		pf_sched_get_stats(sc, &st);
	} while (st.bound < (uint64_t)pods && pf_now_ns() - t0 < 120LL * 1000000000);
	{
		int64_t t2 = pf_now_ns(), cpu2 = cpu_ns();
		rss1 = status_kb("VmRSS");
		peak = status_kb("VmHWM");
		printf("nodes=%d pods=%d bound=%llu txns=%llu load_ms=%.0f bind_ms=%.0f "
		       "binds_per_s=%.0f total_per_s=%.0f cpu_us_per_pod=%.1f sched_rss_kb=%ld "
		       "sched_peak_kb=%ld\n",
		       nodes, pods, (unsigned long long)st.bound, (unsigned long long)st.txns,
		       (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6,
		       (double)st.bound * 1e9 / (double)(t2 - t1),
		       (double)st.bound * 1e9 / (double)(t2 - t0),
		       st.bound ? (double)(cpu2 - cpu0) / 1e3 / (double)st.bound : 0, rss1 - rss0,
		       peak - rss0);
	}

	/* Idle cluster: one pod at a time, create -> bound, seen through a watch
	 * as any other component would see it. */
	for (int i = 0; i < 200; i++) {
		struct pf_watch *w = NULL;
		char key[64];
		int64_t c0;
		bool bound = false;

		snprintf(key, sizeof(key), PF_POD_PREFIX "single-%d", i);
		pf_watch_open(s, key, 0, &w, &err);
		c0 = pf_now_ns();
		create(s, "single", i, 1);
		while (!bound && pf_now_ns() - c0 < 5LL * 1000000000) {
			struct pf_watch_batch b = {0};
			if (pf_watch_next(w, &b, 100, &err) < 0)
				break;
			for (size_t k = 0; k < b.n; k++)
				if (b.events[k].kv.value &&
				    strstr(b.events[k].kv.value, "\n  nodeName: "))
					bound = true;
			pf_watch_batch_free(&b);
		}
		lat[i] = pf_now_ns() - c0;
		pf_watch_close(w);
	}
	qsort(lat, 200, sizeof(*lat), cmp_i64);
	printf("single_create_to_bound_us p50=%.0f p99=%.0f max=%.0f\n", (double)lat[100] / 1e3,
	       (double)lat[197] / 1e3, (double)lat[199] / 1e3);
	pf_sched_stop(sc);
	pf_store_close(s);
	return 0;
}
