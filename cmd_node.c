/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_node.c - `podfs node`: a node agent alone in its process, as `k3s
 * agent`, over a store another process serves.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "podfs.h"

/*
 * podfs node: a node agent alone in its process, as `k3s agent`.  Signals
 * are blocked in every thread and taken by sigwait here, so SIGTERM and
 * SIGINT are a clean stop (exit 0) whatever the agent thread is doing.
 */
int pf_cmd_node(int argc, char **argv)
{
	struct pf_cmd_options o = {.state_dir = PF_DEFAULT_STATE_DIR};
	struct pf_err err = PF_ERR_INIT;
	struct pf_store *store = NULL;
	struct pf_agent *agent = NULL;
	sigset_t set;
	int r, sig = 0;

	r = pf_cmd_parse(argc, argv, &o);
	if (r)
		return r == 2 ? 0 : 2;
	if (optind != argc) {
		fprintf(stderr, "podfs node: unexpected argument \"%s\"\n", argv[optind]);
		pf_cmd_usage(stderr);
		return 2;
	}
	pf_strlist_free(&o.fuse_opts);
	if (!o.agent.runtime)
		o.agent.runtime = "oci";
	pf_cmd_agent_opts(&o);
	pf_log_set_level(o.debug ? PF_LOG_DEBUG : PF_LOG_INFO);
	if (pf_agent_check_opts(&o.agent, &err) < 0) {
		fprintf(stderr, "podfs node: %s\n", err.msg);
		return 2;
	}
	r = pf_mkdir_p(o.state_dir, 0700);
	if (r < 0) {
		fprintf(stderr, "podfs node: cannot create the state directory %s: %s\n",
			o.state_dir, strerror(-r));
		return 1;
	}
	if (pf_cmd_open_store(&o, &store) < 0)
		return 1;
	if (!o.foreground) {
		_cleanup_free_ char *logpath =
		    pf_xasprintf("%s/node-%s.log", o.state_dir, o.node_name);
		int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		/* Fork before any thread exists: close the store, go, reopen. */
		pf_store_close(store);
		store = NULL;
		/* The waiting parent may be gone (Ctrl-C): a write to the
		 * start-up pipe must fail, not kill the node agent. */
		signal(SIGPIPE, SIG_IGN);
		r = pf_cmd_background(logfd, logpath, false, NULL, NULL);
		if (logfd >= 0)
			close(logfd);
		if (r < 0) {
			fprintf(stderr, "podfs node: cannot go to the background: %s\n",
				strerror(-r));
			return 1;
		}
		if (pf_cmd_open_store(&o, &store) < 0)
			return 1;
	}

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	r = pf_agent_start(store, &o.agent, &agent, &err);
	if (r < 0) {
		pf_log(PF_LOG_ERROR, "cannot start the node agent: %s", err.msg);
		pf_cmd_startup_error("cannot start the node agent: %s", err.msg);
		pf_store_close(store);
		return 1;
	}
	pf_cmd_startup_done();
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		; /* no configuration to reload */
	pf_log(PF_LOG_INFO, "node agent: stopping on signal %d", sig);
	pf_agent_stop(agent);
	pf_store_close(store);
	return 0;
}
