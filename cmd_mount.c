/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_mount.c - `podfs MOUNTPOINT`, the all-in-one (as `k3s server`): the
 * FUSE API layer, the embedded store, the scheduler and a node agent for
 * this machine, each on threads of its own over one store.  This file
 * only orders them: what to start first, what to stop first.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <unistd.h>

#include "fs.h"
#include "fileio.h"
#include "log.h"
#include "podfs.h"

/* Threads for submissions and deletions: commits are serial in the store,
 * the rest of a submission (decode, admission) runs side by side.  One
 * dispatcher thread answers every request that memory can answer; on this
 * 2-core VM a cat of a status file took 106 us p50 through libfuse's
 * multi-threaded loop and 16 us through one thread. */
#define FS_WORKERS 4

/* The parent of a background start removes the mount its child left. */
static void unmount_dead(void *fs)
{
	pf_fs_unmount(fs);
}

/* The mount is there: go to the background if asked, open the store and
 * start the layers.  Fills the threads it started; 0 or -1 (reported). */
static int start(struct pf_cmd_options *o, struct pf_fs *fs, struct pf_store **store,
		 struct pf_sched **sched, struct pf_agent **agent)
{
	struct pf_err err = PF_ERR_INIT;

	if (!o->foreground) {
		_cleanup_free_ char *logpath = pf_xasprintf("%s/podfs.log", o->state_dir);
		int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		int r = pf_cmd_background(logfd, logpath, true, unmount_dead, fs);

		if (logfd >= 0)
			close(logfd);
		if (r < 0) {
			fprintf(stderr, "podfs: cannot go to the background: %s\n", strerror(-r));
			return -1;
		}
	}
	if (pf_cmd_open_store(o, store) < 0)
		return -1;
	if (pf_fs_start(fs, *store, &err) < 0) {
		pf_log(PF_LOG_ERROR, "cannot start: %s", err.msg);
		pf_cmd_startup_error("cannot start: %s", err.msg);
		return -1;
	}
	pf_log(PF_LOG_INFO, "mounted on %s, state in %s", o->mountpoint, o->state_dir);
	if (!o->no_scheduler && pf_sched_start(*store, &o->sched, sched, &err) < 0) {
		pf_log(PF_LOG_ERROR, "cannot start the scheduler: %s", err.msg);
		pf_cmd_startup_error("cannot start the scheduler: %s", err.msg);
		return -1;
	}
	if (!o->no_node && pf_agent_start(*store, &o->agent, agent, &err) < 0) {
		pf_log(PF_LOG_ERROR, "cannot start the node agent: %s", err.msg);
		pf_cmd_startup_error("cannot start the node agent: %s", err.msg);
		return -1;
	}
	return 0;
}

int pf_cmd_mount(int argc, char **argv)
{
	struct pf_cmd_options o = {.state_dir = PF_DEFAULT_STATE_DIR};
	struct pf_err err = PF_ERR_INIT;
	struct pf_store *store = NULL;
	struct pf_agent *agent = NULL;
	struct pf_sched *sched = NULL;
	struct pf_fs fs;
	int r, status = 1;

	r = pf_cmd_parse(argc, argv, &o);
	if (r)
		return r == 2 ? 0 : 2;
	if (optind != argc - 1) {
		pf_cmd_usage(stderr);
		return 2;
	}
	o.mountpoint = argv[optind];
	pf_log_set_level(o.debug ? PF_LOG_DEBUG : PF_LOG_INFO);
	pf_cmd_agent_opts(&o);
	if (!o.no_node && pf_agent_check_opts(&o.agent, &err) < 0) {
		fprintf(stderr, "podfs: %s\n", err.msg);
		pf_strlist_free(&o.fuse_opts);
		return 2;
	}
	r = pf_mkdir_p(o.state_dir, 0700);
	if (r < 0) {
		fprintf(stderr, "podfs: cannot create the state directory %s: %s\n", o.state_dir,
			strerror(-r));
		pf_strlist_free(&o.fuse_opts);
		return 1;
	}
	/* Open the store once before forking so that a bad --store is
	 * reported on the terminal, not in a log nobody reads. */
	if (pf_cmd_open_store(&o, &store) < 0) {
		pf_strlist_free(&o.fuse_opts);
		return 1;
	}
	pf_store_close(store);
	store = NULL;

	pf_fs_init(&fs, &(struct pf_fs_config){.state_dir = o.state_dir,
					       .policy = o.policy,
					       .workers = FS_WORKERS,
					       .has_group = o.has_group,
					       .group = o.group});
	if (pf_fs_mount(&fs, o.mountpoint, &o.fuse_opts, o.debug, &err) < 0) {
		fprintf(stderr, "podfs: %s\n", err.msg);
	} else if (start(&o, &fs, &store, &sched, &agent) == 0) {
		pf_cmd_startup_done();
		status = pf_fs_serve(&fs) < 0 ? 1 : 0;
		pf_log(PF_LOG_INFO, "unmounting %s", o.mountpoint);
	}
	/* Stop in the reverse order: no request is answered any more, then
	 * the node and the scheduler, which releases its lease through the
	 * store, before the store closes; the mount goes last. */
	pf_fs_stop(&fs);
	pf_agent_stop(agent);
	pf_sched_stop(sched);
	pf_store_close(store);
	pf_fs_unmount(&fs);
	pf_fs_free(&fs);
	pf_strlist_free(&o.fuse_opts);
	return status;
}
