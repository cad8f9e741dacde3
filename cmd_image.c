/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_image.c - `podfs image ...`: argument parsing and
 * podman-like output over the store API; no store logic of its own.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <time.h>

#include <jansson.h>

#include "image.h"
#include "imageref.h"
#include "podfs.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: podfs image import NAME[:TAG] PATH [--state-dir DIR]\n"
		   "       podfs image list [--state-dir DIR]\n"
		   "       podfs image rm NAME|ID... [--state-dir DIR]\n"
		   "       podfs image inspect NAME|ID [--state-dir DIR]\n"
		   "\n"
		   "PATH is an OCI image layout directory, an OCI or docker archive (tar,\n"
		   "compressed or not) or a root filesystem directory.  See podfs(1).\n");
}

/* As podman prints sizes: three significant digits, decimal units. */
static void human_size(int64_t n, char *out, size_t len)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	double v = (double)n;
	size_t u = 0;

	while (v >= 1000.0 && u + 1 < PF_ARRAY_SIZE(units)) {
		v /= 1000.0;
		u++;
	}
	snprintf(out, len, "%.3g %s", v, units[u]);
}

/* As podman prints ages ("2 hours ago"). */
static void human_age(int64_t created_ms, char *out, size_t len)
{
	int64_t secs = (pf_wall_ms() - created_ms) / 1000;
	int64_t mins = secs / 60, hours = (secs + 1800) / 3600;

	if (created_ms <= 0)
		snprintf(out, len, "unknown");
	else if (secs < 1)
		snprintf(out, len, "Less than a second ago");
	else if (secs == 1)
		snprintf(out, len, "1 second ago");
	else if (secs < 60)
		snprintf(out, len, "%" PRId64 " seconds ago", secs);
	else if (mins == 1)
		snprintf(out, len, "About a minute ago");
	else if (mins < 60)
		snprintf(out, len, "%" PRId64 " minutes ago", mins);
	else if (hours == 1)
		snprintf(out, len, "About an hour ago");
	else if (hours < 48)
		snprintf(out, len, "%" PRId64 " hours ago", hours);
	else if (hours < 24 * 7 * 2)
		snprintf(out, len, "%" PRId64 " days ago", hours / 24);
	else if (hours < 24 * 30 * 2)
		snprintf(out, len, "%" PRId64 " weeks ago", hours / 24 / 7);
	else if (hours < 24 * 365 * 2)
		snprintf(out, len, "%" PRId64 " months ago", hours / 24 / 30);
	else
		snprintf(out, len, "%" PRId64 " years ago", hours / 24 / 365);
}

static int open_store(const char *state_dir, struct pf_image_store **s)
{
	struct pf_err err = PF_ERR_INIT;

	if (pf_image_store_open(state_dir, s, &err) < 0) {
		fprintf(stderr, "podfs image: %s\n", err.msg);
		return 1;
	}
	return 0;
}

static int cmd_import(struct pf_image_store *s, int argc, char **argv)
{
	struct pf_err err = PF_ERR_INIT;
	_cleanup_free_ char *id = NULL;

	if (argc != 2) {
		fprintf(stderr, "podfs image import: NAME and PATH expected\n");
		return 2;
	}
	if (pf_image_import(s, argv[0], argv[1], &id, &err) < 0) {
		fprintf(stderr, "podfs image: %s\n", err.msg);
		return 1;
	}
	printf("%s\n", id + 7);
	return 0;
}

static int cmp_entries(const void *a, const void *b)
{
	const struct pf_image_entry *x = a, *y = b;

	if (x->created_ms != y->created_ms)
		return x->created_ms > y->created_ms ? -1 : 1;
	return strcmp(x->ref, y->ref);
}

static int cmd_list(struct pf_image_store *s, int argc, char **argv)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_image_index idx;
	int w = 10;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "podfs image list: no argument expected\n");
		return 2;
	}
	if (pf_image_list(s, &idx, &err) < 0) {
		fprintf(stderr, "podfs image: %s\n", err.msg);
		return 1;
	}
	if (idx.n)
		qsort(idx.items, idx.n, sizeof(*idx.items), cmp_entries);
	for (size_t i = 0; i < idx.n; i++) {
		const char *colon = strrchr(idx.items[i].ref, ':');
		int n = colon ? (int)(colon - idx.items[i].ref) : (int)strlen(idx.items[i].ref);
		if (n > w)
			w = n;
	}
	printf("%-*s  %-10s  %-12s  %-16s  %s\n", w, "REPOSITORY", "TAG", "IMAGE ID", "CREATED",
	       "SIZE");
	for (size_t i = 0; i < idx.n; i++) {
		const struct pf_image_entry *e = &idx.items[i];
		const char *colon = strrchr(e->ref, ':');
		char size[32], age[48];

		human_size(e->size, size, sizeof(size));
		human_age(e->created_ms, age, sizeof(age));
		printf("%-*.*s  %-10s  %.12s  %-16s  %s\n", w, (int)(colon - e->ref), e->ref,
		       colon + 1, e->id + 7, age, size);
	}
	pf_image_index_free(&idx);
	return 0;
}

static int cmd_rm(struct pf_image_store *s, int argc, char **argv)
{
	int status = 0;

	if (argc < 1) {
		fprintf(stderr, "podfs image rm: NAME expected\n");
		return 2;
	}
	for (int i = 0; i < argc; i++) {
		struct pf_err err = PF_ERR_INIT;
		struct pf_strlist untagged = {0};
		_cleanup_free_ char *deleted = NULL;

		if (pf_image_remove(s, argv[i], &untagged, &deleted, &err) < 0) {
			fprintf(stderr, "podfs image: %s\n", err.msg);
			status = 1;
		}
		for (size_t k = 0; k < untagged.n; k++)
			printf("Untagged: %s\n", untagged.items[k]);
		if (deleted)
			printf("Deleted: %s\n", deleted + 7);
		pf_strlist_free(&untagged);
	}
	return status;
}

static json_t *strlist_json(const struct pf_strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->items[i]));
	return a;
}

static int cmd_inspect(struct pf_image_store *s, int argc, char **argv)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_image img;
	json_t *o, *c;
	char created[21] = "";
	char *text;

	if (argc != 1) {
		fprintf(stderr, "podfs image inspect: NAME expected\n");
		return 2;
	}
	if (pf_image_resolve(s, argv[0], &img, &err) < 0) {
		fprintf(stderr, "podfs image: %s\n", err.msg);
		return 1;
	}
	if (img.created_ms)
		pf_format_time(img.created_ms, created);
	c = json_pack("{s:o,s:o,s:o,s:s?,s:s?,s:s?,s:o}", "Entrypoint",
		      strlist_json(&img.entrypoint), "Cmd", strlist_json(&img.cmd), "Env",
		      strlist_json(&img.env), "WorkingDir", img.working_dir, "User", img.user,
		      "StopSignal", img.stop_signal, "ExposedPorts",
		      strlist_json(&img.exposed_ports));
	o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:o,s:o}", "Id", img.id, "Reference", img.ref,
		      "Manifest", img.manifest, "Created", created, "Size", (json_int_t)img.size,
		      "Config", c, "Layers", strlist_json(&img.layers));
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("%s\n", text);
	free(text);
	json_decref(o);
	pf_image_free(&img);
	return 0;
}

static const struct option long_opts[] = {
    {"state-dir", required_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int pf_cmd_image(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct pf_image_store *, int, char **);
	} cmds[] = {{"import", cmd_import}, {"list", cmd_list}, {"ls", cmd_list},
		    {"rm", cmd_rm},	    {"remove", cmd_rm}, {"inspect", cmd_inspect}};
	const char *state_dir = PF_DEFAULT_STATE_DIR;
	struct pf_image_store *s = NULL;
	int c, status;

	optind = 1;
	/* getopt permutes: options may follow the operands, as podman allows. */
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case 's':
			state_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < PF_ARRAY_SIZE(cmds); i++) {
		if (strcmp(argv[optind], cmds[i].name) != 0)
			continue;
		if (open_store(state_dir, &s))
			return 1;
		status = cmds[i].fn(s, argc - optind - 1, argv + optind + 1);
		pf_image_store_close(s);
		return status;
	}
	fprintf(stderr, "podfs image: unknown command \"%s\"\n", argv[optind]);
	usage(stderr);
	return 2;
}
