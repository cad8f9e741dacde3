/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause.c - the PID 1 of a pod whose containers share one PID namespace
 * (pause.h).
 *
 * Two processes: the one the agent starts enters the pod's namespaces and
 * unshares the PID namespace (which moves only its children), forks PID 1
 * and exits at once, so PID 1 is nobody's child in podfs (init reaps it)
 * and outlives podfs like the containers' monitors do.  PID 1 keeps no
 * descriptor of podfs's, holds no memory worth naming, and does only what
 * an init must: reap the orphans the containers leave.  It must not do
 * more: every container of the pod dies with it.
 */
#include "pause.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void join_cgroup(const char *dir)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* "0" is the writer itself; a hierarchy that refuses (a v1 cpuset
	 * without cpus) leaves it in its parent's, which is harmless. */
	if (write(fd, "0", 1) < 0)
		(void)0;
	close(fd);
}

static void __attribute__((noreturn)) hold(int n, char **cgroups)
{
	sigset_t set;
	int devnull;

	setsid();
	for (int i = 0; i < n; i++)
		join_cgroup(cgroups[i]);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3 && devnull >= 0; fd++)
		dup2(devnull, fd);
	syscall(SYS_close_range, 3, ~0U, 0);
	if (chdir("/") < 0)
		(void)0;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Blocked signals reach an init that has no handler for them. */
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		int sig = sigwaitinfo(&set, NULL);
		if (sig == SIGCHLD)
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		else if (sig == SIGTERM || sig == SIGINT)
			_exit(0);
	}
}

int pf_pause_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int type;
	} nss[] = {{"net", CLONE_NEWNET}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}};
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: podfs pause NSDIR [CGROUP-DIR...]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(nss) / sizeof(nss[0]); i++) {
		char path[4096];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", argv[1], nss[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, nss[i].type) < 0) {
			fprintf(stderr, "enter the pod's %s namespace %s: %s\n", nss[i].name, path,
				strerror(errno));
			if (fd >= 0)
				close(fd);
			return 1;
		}
		close(fd);
	}
	if (unshare(CLONE_NEWPID) < 0) {
		fprintf(stderr, "create the pod's PID namespace: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "start the pod's PID 1: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		hold(argc - 2, argv + 2);
	printf("%d\n", (int)pid);
	fflush(stdout);
	/* Not a return through exit(): a leak checker's tracer, cloned at exit,
	 * would land in the new PID namespace and hang there. */
	_exit(ferror(stdout) ? 1 : 0);
}
