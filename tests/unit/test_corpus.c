/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_corpus.c - every manifest under tests/corpus through pf_admit(), as a
 * file dropped into pods/ goes: decoder, defaults, validation, Pod Security.
 *
 *   invalid/NNN-name.yaml  starts with "# errno: E..." and "# message: ..."
 *                          (the exact err text; "@" in a message stands for
 *                          one character of a generated name when the file
 *                          says "# random:"), and "# policy: baseline" when
 *                          the refusal is Pod Security's: with the node
 *                          allowing privileged pods and host paths the file
 *                          must then be accepted.
 *   valid/NN-name.yaml     must be accepted; "# pods: N" gives the count (1).
 * The oversize submissions are generated here rather than committed.
 *
 * The corpus directory is argv[1], else $PODFS_CORPUS, else tests/corpus
 * (the suite runs from the repository root).  Messages name the file by its
 * basename, as the caller of pf_admit passes it.
 */
#include <dirent.h>
#include <errno.h>

#include "admission.h"
#include "tap.h"

static const struct pf_policy deny_all = {.allow_privileged = false};
static const struct pf_policy allow_all = {.allow_privileged = true, .allow_host_paths = true};

static int errno_by_name(const char *s)
{
	static const struct {
		const char *name;
		int code;
	} t[] = {{"EINVAL", EINVAL}, {"EEXIST", EEXIST}, {"EFBIG", EFBIG}, {"EPERM", EPERM}};

	for (size_t i = 0; i < PF_ARRAY_SIZE(t); i++)
		if (strcmp(s, t[i].name) == 0)
			return t[i].code;
	return -1;
}

/* Value of "# key: value" among the leading comment lines, or NULL. */
static char *header(const char *data, const char *key)
{
	const char *p = data;
	size_t klen = strlen(key);

	while (*p == '#') {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (n > klen + 3 && strncmp(p + 2, key, klen) == 0 && p[2 + klen] == ':')
			return pf_xstrndup(p + klen + 4, n - klen - 4);
		if (!eol)
			break;
		p = eol + 1;
	}
	return NULL;
}

static bool match(const char *got, const char *want, bool wild)
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

	for (; *want; got++, want++) {
		if (wild && *want == '@') {
			if (!*got || !strchr(alphabet, *got))
				return false;
			continue;
		}
		if (*got != *want)
			return false;
	}
	return *got == '\0';
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml file names of dir, sorted. */
static size_t list_yaml(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		names = pf_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = pf_xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	return n;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static size_t run_invalid(const char *root)
{
	_cleanup_free_ char *dir = pf_xasprintf("%s/invalid", root);
	char **names = NULL;
	size_t n = list_yaml(dir, &names);

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = pf_xasprintf("%s/%s", dir, names[i]);
		_cleanup_free_ char *data = NULL, *want_errno = NULL, *want_msg = NULL;
		_cleanup_free_ char *policy = NULL, *random = NULL;
		struct pf_pod_list out = {NULL, 0};
		struct pf_err err = PF_ERR_INIT;
		size_t len = 0;
		int rc, code;

		if (pf_read_file(path, 2 * PF_MANIFEST_MAX_BYTES, &data, &len) < 0) {
			ok(0, "%s: readable", names[i]);
			continue;
		}
		want_errno = header(data, "errno");
		want_msg = header(data, "message");
		policy = header(data, "policy");
		random = header(data, "random");
		code = want_errno ? errno_by_name(want_errno) : -1;
		if (!ok(code > 0 && want_msg, "%s: has errno and message headers", names[i]))
			continue;

		rc = pf_admit(data, len, names[i], &deny_all, &out, &err);
		is_int(rc, -code, "%s: %s", names[i], want_errno);
		if (!ok(match(err.msg, want_msg, random != NULL), "%s: message", names[i]))
			printf("#   got  \"%s\"\n#   want \"%s\"\n", err.msg, want_msg);
		ok(out.n == 0 && out.items == NULL, "%s: nothing admitted", names[i]);
		pf_pod_list_free(&out);

		if (policy && strcmp(policy, "baseline") == 0) {
			pf_err_clear(&err);
			rc = pf_admit(data, len, names[i], &allow_all, &out, &err);
			if (!ok(rc > 0, "%s: accepted when the node allows it", names[i]))
				printf("#   rc %d: %s\n", rc, err.msg);
			pf_pod_list_free(&out);
		}
	}
	free_names(names, n);
	return n;
}

/* The dry-run pod comes out with every default the API server sets. */
static void check_dry_run(const struct pf_pod *pod)
{
	const struct pf_container *c = &pod->spec.containers[0];

	is_str(pod->meta.namespace_, "default", "dry-run: namespace");
	is_str(pod->spec.restart_policy, "Always", "dry-run: restartPolicy");
	is_str(pod->spec.scheduler_name, "default-scheduler", "dry-run: schedulerName");
	is_str(pod->spec.service_account_name, "default", "dry-run: serviceAccountName");
	is_int(pod->spec.termination_grace_period_seconds, 30, "dry-run: grace period");
	is_str(c->image_pull_policy, "Always", "dry-run: imagePullPolicy");
	is_str(c->termination_message_path, "/dev/termination-log",
	       "dry-run: terminationMessagePath");
	is_int(pod->spec.n_tolerations, 2, "dry-run: default tolerations");
	is_str(pod->status.qos_class, "BestEffort", "dry-run: qosClass");
}

static size_t run_valid(const char *root)
{
	_cleanup_free_ char *dir = pf_xasprintf("%s/valid", root);
	char **names = NULL;
	size_t n = list_yaml(dir, &names);

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = pf_xasprintf("%s/%s", dir, names[i]);
		_cleanup_free_ char *data = NULL, *pods = NULL;
		struct pf_pod_list out = {NULL, 0};
		struct pf_err err = PF_ERR_INIT;
		size_t len = 0;
		int rc;

		if (pf_read_file(path, 2 * PF_MANIFEST_MAX_BYTES, &data, &len) < 0) {
			ok(0, "%s: readable", names[i]);
			continue;
		}
		pods = header(data, "pods");
		rc = pf_admit(data, len, names[i], &deny_all, &out, &err);
		if (!ok(rc == (pods ? atoi(pods) : 1), "%s: accepted", names[i]))
			printf("#   rc %d: %s\n", rc, err.msg);
		is_int(out.n, rc > 0 ? rc : 0, "%s: pods returned", names[i]);
		if (rc > 0 && strstr(names[i], "kubectl-run"))
			check_dry_run(out.items[0]);
		if (rc > 0 && strstr(names[i], "generate-name"))
			ok(strncmp(out.items[0]->meta.name, "batch-", 6) == 0 &&
			       strlen(out.items[0]->meta.name) == 11,
			   "%s: name generated from the prefix", names[i]);
		pf_pod_list_free(&out);
	}
	free_names(names, n);
	return n;
}

/* A valid pod padded with comment lines to exactly size bytes. */
static char *padded_pod(size_t size)
{
	static const char pod[] = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n"
				  "  containers:\n  - name: app\n    image: nginx\n";
	char *buf = pf_xmalloc(size + 1);
	size_t off = 0, body = sizeof(pod) - 1;

	while (off + body < size) {
		size_t line = size - body - off;

		if (line > 80)
			line = 80;
		memset(buf + off, ' ', line);
		buf[off] = '#';
		buf[off + line - 1] = '\n';
		off += line;
	}
	memcpy(buf + off, pod, body);
	buf[size] = '\0';
	return buf;
}

static void test_size_limit(void)
{
	struct pf_pod_list out = {NULL, 0};
	struct pf_err err = PF_ERR_INIT;
	_cleanup_free_ char *over = padded_pod(PF_MANIFEST_MAX_BYTES + 1);
	_cleanup_free_ char *at = padded_pod(PF_MANIFEST_MAX_BYTES);
	int rc;

	rc = pf_admit(over, PF_MANIFEST_MAX_BYTES + 1, "oversize.yaml", &deny_all, &out, &err);
	is_int(rc, -EFBIG, "3 MiB + 1: EFBIG");
	is_str(err.msg,
	       "error when creating \"oversize.yaml\": Request entity too large: limit is 3145728",
	       "3 MiB + 1: message");
	pf_pod_list_free(&out);

	pf_err_clear(&err);
	rc = pf_admit(at, PF_MANIFEST_MAX_BYTES, "limit.yaml", &deny_all, &out, &err);
	if (!ok(rc == 1, "exactly 3 MiB: accepted"))
		printf("#   rc %d: %s\n", rc, err.msg);
	pf_pod_list_free(&out);
}

static void test_generate_name(void)
{
	char name[64], small[8];
	char prefix[80];
	bool alphabet = true;

	is_int(pf_generate_name("web-", name, sizeof(name)), 0, "generate a name");
	is_int(strlen(name), 9, "prefix plus five characters");
	ok(strncmp(name, "web-", 4) == 0, "name keeps the prefix");
	for (const char *p = name + 4; *p; p++)
		if (!strchr("bcdfghjklmnpqrstvwxz2456789", *p))
			alphabet = false;
	ok(alphabet, "suffix from Kubernetes' alphabet");

	memset(prefix, 'p', 70);
	prefix[70] = '\0';
	is_int(pf_generate_name(prefix, name, sizeof(name)), 0, "long prefix");
	is_int(strlen(name), 63, "long prefix cut to 58 + 5");
	is_int(pf_generate_name("web-", small, sizeof(small)), -ENOSPC, "too small a buffer");
}

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : getenv("PODFS_CORPUS");
	size_t ninvalid, nvalid;

	if (!root || !*root)
		root = "tests/corpus";
	ninvalid = run_invalid(root);
	nvalid = run_valid(root);
	ok(ninvalid >= 70, "corpus has %zu invalid manifests (>= 70)", ninvalid);
	ok(nvalid >= 10, "corpus has %zu valid manifests (>= 10)", nvalid);
	test_size_limit();
	test_generate_name();
	return tap_done();
}
