/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podfs.h - the podfs command: what its dispatcher (podfs.c) and its
 * subcommands (cmd_*.c) share.
 *
 * The entry point is the one place that sees every layer: it wires the API
 * layer (fs/), the controllers (core/controllers/) and the node agent
 * (node/) over one store, and owns the process (options, going to the
 * background, signals, start-up and shutdown order).  No layer includes
 * this header.
 */
#ifndef PODFS_PODFS_H
#define PODFS_PODFS_H

#include <stdbool.h>
#include <stdio.h>

#include "agent.h"
#include "scheduler.h"
#include "store.h"
#include "validate.h"

#define PF_DEFAULT_STATE_DIR "/var/lib/podfs"

/* The options of `podfs MOUNTPOINT`, `podfs node` and `podfs validate`:
 * one parser, so each takes the same spelling of each option. */
struct pf_cmd_options {
	const char *mountpoint;
	const char *state_dir;
	const char *store;
	const char *node_name;
	bool foreground;
	bool debug;
	bool no_scheduler;
	bool no_node;
	bool has_group; /* --group: pods/ is writable by this group too */
	gid_t group;
	struct pf_policy policy;
	struct pf_strlist fuse_opts;
	struct pf_agent_opts agent;
	struct pf_sched_opts sched;
	char hostname[256];
};

/* The whole command line's help (cmd_options.c). */
void pf_cmd_usage(FILE *f);
/* Parse argv into o (cmd_options.c): 0 ok, 1 bad usage reported, 2 --help
 * printed.  optind is left at the first operand. */
int pf_cmd_parse(int argc, char **argv, struct pf_cmd_options *o);
/* The node's name (the host name, lowercased, unless given) and the
 * agent's options from the command line. */
void pf_cmd_agent_opts(struct pf_cmd_options *o);
/* Open --store (default sqlite:STATE/podfs.db); a failure is reported
 * with pf_cmd_startup_error. */
int pf_cmd_open_store(const struct pf_cmd_options *o, struct pf_store **s);

/* Start-up in the background (cmd_options.c).  pf_cmd_background forks
 * like daemon(3) but keeps the parent until start-up is over: it exits 0
 * on pf_cmd_startup_done(), or prints what pf_cmd_startup_error() sent
 * and exits 1, calling undo(arg) first (e.g. to remove a mount the child
 * left).  Returns in the child only (0), or -errno when it cannot fork. */
int pf_cmd_background(int logfd, const char *logpath, bool chdir_root, void (*undo)(void *arg),
		      void *arg);
void pf_cmd_startup_error(const char *fmt, ...) PF_PRINTF(1, 2);
void pf_cmd_startup_done(void);

/* The subcommands: argv[0] is the subcommand's name (the mount point's
 * for pf_cmd_mount); the exit status is returned. */
int pf_cmd_mount(int argc, char **argv);
int pf_cmd_node(int argc, char **argv);
int pf_cmd_validate(int argc, char **argv);
int pf_cmd_image(int argc, char **argv);

#endif
