/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podbench - the API layer's figures, measured through the real mount.
 *
 *   podbench create PODS_DIR N PREFIX   N creates one after another (open,
 *                                       write, close); prints creates/s and
 *                                       latency percentiles
 *   podbench cat FILE N                 N open+read+close of FILE; prints
 *                                       p50/p99/max in microseconds
 *   podbench ls DIR N                   N full listings (opendir/readdir);
 *                                       prints entries and p50/max in ms
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>

#include "util.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int64_t pct(int64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i];
}

static int bench_create(const char *dir, long n, const char *prefix)
{
	int64_t *lat = pf_xcalloc((size_t)n, sizeof(*lat));
	int64_t t0 = pf_now_ns();

	for (long i = 0; i < n; i++) {
		char path[4096], body[512];
		int len = snprintf(body, sizeof(body),
				   "apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s-%ld\n"
				   "spec:\n  containers:\n  - name: app\n    image: busybox\n",
				   prefix, i);
		snprintf(path, sizeof(path), "%s/%s-%ld.yaml", dir, prefix, i);
		int64_t s = pf_now_ns();
		int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
		if (fd < 0 || write(fd, body, (size_t)len) != len || close(fd) < 0) {
			fprintf(stderr, "podbench: create %s: %s\n", path, strerror(errno));
			free(lat);
			return 1;
		}
		lat[i] = pf_now_ns() - s;
	}
	double secs = (double)(pf_now_ns() - t0) / 1e9;
	qsort(lat, (size_t)n, sizeof(*lat), cmp_i64);
	printf("creates=%ld seconds=%.3f rate=%.0f p50_us=%.0f p99_us=%.0f\n", n, secs,
	       (double)n / secs, (double)pct(lat, (size_t)n, 0.5) / 1e3,
	       (double)pct(lat, (size_t)n, 0.99) / 1e3);
	free(lat);
	return 0;
}

static int bench_cat(const char *file, long n)
{
	int64_t *lat = pf_xcalloc((size_t)n, sizeof(*lat));
	char buf[4096];

	for (long i = 0; i < n; i++) {
		int64_t s = pf_now_ns();
		int fd = open(file, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "podbench: open %s: %s\n", file, strerror(errno));
			free(lat);
			return 1;
		}
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		lat[i] = pf_now_ns() - s;
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_i64);
	printf("reads=%ld p50_us=%.1f p99_us=%.1f max_us=%.1f\n", n,
	       (double)pct(lat, (size_t)n, 0.5) / 1e3, (double)pct(lat, (size_t)n, 0.99) / 1e3,
	       (double)lat[n - 1] / 1e3);
	free(lat);
	return 0;
}

static int bench_ls(const char *dir, long n)
{
	int64_t *lat = pf_xcalloc((size_t)n, sizeof(*lat));
	long entries = 0;

	for (long i = 0; i < n; i++) {
		int64_t s = pf_now_ns();
		DIR *d = opendir(dir);
		struct dirent *e;
		if (!d) {
			fprintf(stderr, "podbench: opendir %s: %s\n", dir, strerror(errno));
			free(lat);
			return 1;
		}
		entries = 0;
		while ((e = readdir(d)))
			entries++;
		closedir(d);
		lat[i] = pf_now_ns() - s;
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_i64);
	printf("listings=%ld entries=%ld p50_ms=%.1f max_ms=%.1f\n", n, entries,
	       (double)pct(lat, (size_t)n, 0.5) / 1e6, (double)lat[n - 1] / 1e6);
	free(lat);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "create"))
		return bench_create(argv[2], atol(argv[3]), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "cat"))
		return bench_cat(argv[2], atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "ls"))
		return bench_ls(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: podbench create DIR N PREFIX | cat FILE N | ls DIR N\n");
	return 2;
}
