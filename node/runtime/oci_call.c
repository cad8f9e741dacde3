/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_call.c - calling the OCI runtime binary (runc or crun) and the one
 * translation of what it says when it fails.  Which binary, and why, is
 * oci.c's choice; this file only runs it.
 */
#include <jansson.h>

#include "oci-internal.h"

#define CALL_TIMEOUT_MS 10000

/* ---- errors from the runtime, translated once --------------------------- */

/*
 * runc and crun report failures on stderr (or through conmon's sync pipe) as
 * JSON log lines, {"level":"error","msg":"..."}, or as runc's logfmt
 * (time="..." level=error msg="..."), or as plain text.  Keep the last
 * error message, without the noise that tells a user nothing.
 */
char *pf_oci_runtime_msg(const char *text)
{
	_cleanup_free_ char *copy = pf_xstrdup(text ? text : "");
	char *best = NULL, *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_t *j = l[0] == '{' ? json_loads(l, 0, NULL) : NULL;
		const char *m = NULL;
		char *msg = NULL;

		if (j) {
			m = jstr(j, "msg");
			if (!m)
				m = jstr(j, "message");
			if (m)
				msg = pf_xstrdup(m);
			json_decref(j);
		} else if ((m = strstr(l, "msg=\""))) {
			m += 5;
			msg = pf_xstrdup(m);
			size_t n = strlen(msg);
			if (n && msg[n - 1] == '"')
				msg[n - 1] = 0;
		} else if (*l) {
			msg = pf_xstrdup(l);
		}
		if (msg) {
			free(best);
			best = msg;
		}
	}
	return best ? best : pf_xstrdup("the OCI runtime failed without saying why");
}

/* Run `RUNTIME --root R args...`. */
int pf_oci_runtime_call(struct oci *o, const char *const *args, size_t n, struct pf_spawn_out *out,
			struct pf_err *err)
{
	const char *argv[16];
	_cleanup_free_ char *rootarg = pf_xasprintf("--root=%s/runtime-root", o->root);
	size_t k = 0;
	struct pf_spawn s = {.argv = argv, .timeout_ms = CALL_TIMEOUT_MS, .keep_stdout = true};

	argv[k++] = o->runtime_path;
	argv[k++] = rootarg;
	for (size_t i = 0; i < n && k < PF_ARRAY_SIZE(argv) - 1; i++)
		argv[k++] = args[i];
	argv[k] = NULL;
	return pf_spawn_run(&s, out, err);
}
