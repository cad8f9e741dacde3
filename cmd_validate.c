/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_validate.c - `podfs validate FILE...` (- for standard input): the
 * API server's checks (decode, defaults, validation, admission) run offline
 * on manifests, with kubectl's messages; nothing is stored.
 */
#include <errno.h>
#include <getopt.h>

#include "admission.h"
#include "manifest.h"
#include "podfs.h"

int pf_cmd_validate(int argc, char **argv)
{
	struct pf_cmd_options o = {0};
	int status = 0, r;

	r = pf_cmd_parse(argc, argv, &o);
	if (r)
		return r == 2 ? 0 : 2;
	if (optind >= argc) {
		fprintf(stderr, "podfs validate: no FILE given\n");
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		struct pf_pod_list pods = {0};
		struct pf_err err = PF_ERR_INIT;
		_cleanup_free_ char *data = NULL;
		/* "-" is standard input, named STDIN in messages as kubectl does. */
		bool in = strcmp(argv[i], "-") == 0;
		const char *path = in ? "/dev/stdin" : argv[i];
		const char *base = in			   ? "STDIN"
				   : strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1
							   : argv[i];
		size_t len = 0;

		r = pf_read_file(path, PF_MANIFEST_MAX_BYTES + 1, &data, &len);
		if (r == -EFBIG) {
			/* Let the decoder word the limit, as the API server would. */
			data = pf_xcalloc(1, PF_MANIFEST_MAX_BYTES + 2);
			len = PF_MANIFEST_MAX_BYTES + 1;
		} else if (r < 0) {
			fprintf(stderr, "error: the path \"%s\" cannot be read: %s\n", argv[i],
				strerror(-r));
			status = 1;
			continue;
		}
		r = pf_admit(data, len, base, &o.policy, &pods, &err);
		if (r < 0) {
			fprintf(stderr, "%s\n", err.msg);
			status = 1;
			continue;
		}
		for (size_t k = 0; k < pods.n; k++)
			printf("pod/%s valid (%s)\n",
			       pods.items[k]->meta.name && *pods.items[k]->meta.name
				   ? pods.items[k]->meta.name
				   : pods.items[k]->meta.generate_name,
			       in ? "STDIN" : argv[i]);
		pf_pod_list_free(&pods);
	}
	return status;
}
