/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_options.c - what the subcommands that run a podfs process share: one
 * option parser (so the all-in-one and `podfs node` spell every option
 * alike), the store opened from --store, and start-up in the background
 * with its readiness pipe.  No subcommand's own logic lives here.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "podfs.h"

void pf_cmd_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: podfs MOUNTPOINT [options]      mount podfs (API layer, store, scheduler, "
	    "node)\n"
	    "       podfs node --name NAME [--store URL] [options]   a node agent alone\n"
	    "       podfs validate [--allow-privileged] [--allow-host-paths] FILE...\n"
	    "       podfs image import|list|rm|inspect ...  the local image store\n"
	    "\n"
	    "options:\n"
	    "  -f, --foreground        stay in the foreground, log to stderr\n"
	    "  --state-dir DIR         store, images, bundles, logs under DIR "
	    "(" PF_DEFAULT_STATE_DIR ")\n"
	    "  --store URL             sqlite:PATH (default sqlite:STATE/podfs.db)\n"
	    "  --node-name NAME        this machine's node name (default: the host name)\n"
	    "  --no-scheduler          do not run the scheduler in this process\n"
	    "  --no-node               do not run a node agent in this process\n"
	    "  --runtime oci|fake      the node's container runtime (default oci; fake = hollow)\n"
	    "  --oci-runtime R         crun | runc | PATH (default crun, runc where crun cannot "
	    "run)\n"
	    "  --crash-backoff-base D  first crash loop and image pull back-off (10s; tests "
	    "shorten it)\n"
	    "  --capacity LIST         cpu=4,memory=8Gi,pods=110 (default: detected)\n"
	    "  --node-labels LIST      k=v,... labels of the node\n"
	    "  --node-taints LIST      k=v:NoSchedule,... taints of the node\n"
	    "  --pod-cidr CIDR         the node's spec.podCIDR and the pods' CNI subnet\n"
	    "                          (default 10.88.0.0/16)\n"
	    "  --network cni|none      pod networking (default cni: bridge + host-local)\n"
	    "  --bridge NAME           the pods' Linux bridge (default podfs0)\n"
	    "  --pod-egress            pods may reach beyond the node (masquerade; off)\n"
	    "  --heartbeat-interval D  node heartbeat period (10s; 500ms, 2s ...)\n"
	    "  --leader-elect-lease-duration D    scheduler lease duration (15s)\n"
	    "  --leader-elect-retry-period D      lease renewal/retry period (2s)\n"
	    "  --node-monitor-grace-period D      silence before a node is NotReady (40s)\n"
	    "  --allow-privileged      admit privileged pods and host namespaces\n"
	    "  --allow-host-paths      admit hostPath volumes\n"
	    "  --default-not-ready-toleration-seconds N    pods' default toleration of\n"
	    "                          the not-ready:NoExecute taint (300)\n"
	    "  --default-unreachable-toleration-seconds N  the same for unreachable (300)\n"
	    "  -o OPT[,OPT...]         FUSE mount options (allow_other, ...); allow_other\n"
	    "                          implies default_permissions\n"
	    "  --group GROUP           pods/ is writable by GROUP too (name or gid): with\n"
	    "                          -o allow_other, its members may create and delete pods\n"
	    "  --name NAME             podfs node: the node's name (default: the host name)\n"
	    "  --replicas N            podfs node: run N hollow nodes NAME-0001..NAME-N\n"
	    "  -d, --debug             log debug messages (implies -f)\n"
	    "  -h, --help              this text\n"
	    "\n"
	    "See podfs(1) for the command line and podfs(5) for the mount's layout.\n");
}

enum {
	OPT_STATE_DIR = 256,
	OPT_STORE,
	OPT_NODE_NAME,
	OPT_NO_SCHED,
	OPT_NO_NODE,
	OPT_PRIV,
	OPT_HOSTPATH,
	OPT_RUNTIME,
	OPT_OCI_RUNTIME,
	OPT_CAPACITY,
	OPT_LABELS,
	OPT_TAINTS,
	OPT_POD_CIDR,
	OPT_HEARTBEAT,
	OPT_REPLICAS,
	OPT_LEASE,
	OPT_RETRY,
	OPT_GRACE,
	OPT_TOL_NOT_READY,
	OPT_TOL_UNREACHABLE,
	OPT_BACKOFF,
	OPT_NETWORK,
	OPT_BRIDGE,
	OPT_EGRESS,
	OPT_GROUP
};

static const struct option long_opts[] = {
    {"foreground", no_argument, NULL, 'f'},
    {"debug", no_argument, NULL, 'd'},
    {"help", no_argument, NULL, 'h'},
    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
    {"store", required_argument, NULL, OPT_STORE},
    {"node-name", required_argument, NULL, OPT_NODE_NAME},
    {"no-scheduler", no_argument, NULL, OPT_NO_SCHED},
    {"no-node", no_argument, NULL, OPT_NO_NODE},
    {"allow-privileged", no_argument, NULL, OPT_PRIV},
    {"allow-host-paths", no_argument, NULL, OPT_HOSTPATH},
    {"name", required_argument, NULL, OPT_NODE_NAME},
    {"runtime", required_argument, NULL, OPT_RUNTIME},
    {"oci-runtime", required_argument, NULL, OPT_OCI_RUNTIME},
    {"capacity", required_argument, NULL, OPT_CAPACITY},
    {"node-labels", required_argument, NULL, OPT_LABELS},
    {"node-taints", required_argument, NULL, OPT_TAINTS},
    {"pod-cidr", required_argument, NULL, OPT_POD_CIDR},
    {"heartbeat-interval", required_argument, NULL, OPT_HEARTBEAT},
    {"replicas", required_argument, NULL, OPT_REPLICAS},
    {"leader-elect-lease-duration", required_argument, NULL, OPT_LEASE},
    {"leader-elect-retry-period", required_argument, NULL, OPT_RETRY},
    {"node-monitor-grace-period", required_argument, NULL, OPT_GRACE},
    {"default-not-ready-toleration-seconds", required_argument, NULL, OPT_TOL_NOT_READY},
    {"default-unreachable-toleration-seconds", required_argument, NULL, OPT_TOL_UNREACHABLE},
    {"crash-backoff-base", required_argument, NULL, OPT_BACKOFF},
    {"network", required_argument, NULL, OPT_NETWORK},
    {"bridge", required_argument, NULL, OPT_BRIDGE},
    {"pod-egress", no_argument, NULL, OPT_EGRESS},
    {"group", required_argument, NULL, OPT_GROUP},
    {NULL, 0, NULL, 0},
};

/* "10s", "500ms", "2" (seconds), "1.5s", "1m" -> milliseconds; -1 on junk. */
static int parse_duration_ms(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0)
		return -1;
	if (!strcmp(end, "ms"))
		;
	else if (!*end || !strcmp(end, "s"))
		v *= 1000;
	else if (!strcmp(end, "m"))
		v *= 60000;
	else
		return -1;
	return v < 1 || v > 86400000 ? -1 : (int)v;
}

static int set_duration(const char *opt, const char *arg, int *out)
{
	*out = parse_duration_ms(arg);
	if (*out > 0)
		return 0;
	fprintf(stderr, "podfs: --%s %s: expected a duration such as 15s or 500ms\n", opt, arg);
	return 1;
}

/* --default-*-toleration-seconds: whole seconds, 0 or more, as
 * kube-apiserver takes them; both start at 300 once either is given. */
static int set_toleration_seconds(struct pf_policy *p, const char *opt, const char *arg,
				  int64_t *out)
{
	char *end;
	long long v = strtoll(arg, &end, 10);

	if (!p->toleration_seconds_set) {
		p->toleration_seconds_set = true;
		p->not_ready_toleration_s = p->unreachable_toleration_s = 300;
	}
	if (end == arg || *end || v < 0) {
		fprintf(stderr, "podfs: --%s %s: expected whole seconds (0 or more)\n", opt, arg);
		return 1;
	}
	*out = v;
	return 0;
}

/* --group GROUP: a group name or a numeric gid. */
static int set_group(const char *arg, struct pf_cmd_options *o)
{
	struct group gr, *res = NULL;
	char buf[4096], *end;
	long v = strtol(arg, &end, 10);

	if (end != arg && !*end && v >= 0 && v < (long)UINT32_MAX) {
		o->group = (gid_t)v;
	} else if (getgrnam_r(arg, &gr, buf, sizeof(buf), &res) == 0 && res) {
		o->group = res->gr_gid;
	} else {
		fprintf(stderr, "podfs: --group %s: no such group\n", arg);
		return 1;
	}
	o->has_group = true;
	return 0;
}

/* 0 ok, 1 bad usage reported, 2 --help printed. */
int pf_cmd_parse(int argc, char **argv, struct pf_cmd_options *o)
{
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fdho:", long_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->foreground = true;
			break;
		case 'd':
			o->debug = o->foreground = true;
			break;
		case 'h':
			pf_cmd_usage(stdout);
			return 2;
		case 'o':
			pf_strlist_add(&o->fuse_opts, optarg);
			break;
		case OPT_STATE_DIR:
			o->state_dir = optarg;
			break;
		case OPT_STORE:
			o->store = optarg;
			break;
		case OPT_NODE_NAME:
			o->node_name = optarg;
			break;
		case OPT_NO_SCHED:
			o->no_scheduler = true;
			break;
		case OPT_NO_NODE:
			o->no_node = true;
			break;
		case OPT_PRIV:
			o->policy.allow_privileged = true;
			o->agent.allow_privileged = true;
			break;
		case OPT_HOSTPATH:
			o->policy.allow_host_paths = true;
			o->agent.allow_host_paths = true;
			break;
		case OPT_BACKOFF:
			if (set_duration("crash-backoff-base", optarg, &o->agent.crash_backoff_ms))
				return 1;
			break;
		case OPT_RUNTIME:
			o->agent.runtime = optarg;
			break;
		case OPT_OCI_RUNTIME:
			o->agent.oci_runtime = optarg;
			break;
		case OPT_CAPACITY:
			o->agent.capacity = optarg;
			break;
		case OPT_LABELS:
			o->agent.labels = optarg;
			break;
		case OPT_TAINTS:
			o->agent.taints = optarg;
			break;
		case OPT_POD_CIDR:
			o->agent.pod_cidr = optarg;
			break;
		case OPT_NETWORK:
			o->agent.network = optarg;
			break;
		case OPT_BRIDGE:
			o->agent.bridge = optarg;
			break;
		case OPT_GROUP:
			if (set_group(optarg, o))
				return 1;
			break;
		case OPT_EGRESS:
			o->agent.pod_egress = true;
			break;
		case OPT_HEARTBEAT:
			if (set_duration("heartbeat-interval", optarg, &o->agent.heartbeat_ms))
				return 1;
			break;
		case OPT_LEASE:
			if (set_duration("leader-elect-lease-duration", optarg,
					 &o->sched.lease_duration_ms))
				return 1;
			break;
		case OPT_RETRY:
			if (set_duration("leader-elect-retry-period", optarg, &o->sched.renew_ms))
				return 1;
			break;
		case OPT_TOL_NOT_READY:
			if (set_toleration_seconds(&o->policy,
						   "default-not-ready-toleration-seconds", optarg,
						   &o->policy.not_ready_toleration_s))
				return 1;
			break;
		case OPT_TOL_UNREACHABLE:
			if (set_toleration_seconds(&o->policy,
						   "default-unreachable-toleration-seconds", optarg,
						   &o->policy.unreachable_toleration_s))
				return 1;
			break;
		case OPT_GRACE:
			if (set_duration("node-monitor-grace-period", optarg,
					 &o->sched.node_grace_ms))
				return 1;
			break;
		case OPT_REPLICAS:
			o->agent.replicas = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || o->agent.replicas < 1) {
				fprintf(stderr,
					"podfs: --replicas %s: expected a count of 1 or more\n",
					optarg);
				return 1;
			}
			break;
		default:
			pf_cmd_usage(stderr);
			return 1;
		}
	}
	return 0;
}

/* In the background, the parent waits on this pipe until start-up is over
 * (see pf_cmd_background); -1 in the foreground. */
static int startup_fd = -1;

/* A start-up error: to stderr (the terminal, or the log once in the
 * background) and, in the background, to the waiting parent, which shows
 * it on the terminal and exits 1. */
void pf_cmd_startup_error(const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	fprintf(stderr, "podfs: %s\n", msg);
	if (startup_fd >= 0) {
		_cleanup_free_ char *line = pf_xasprintf("podfs: %s\n", msg);
		if (write(startup_fd, line, strlen(line)) < 0) {
			/* The parent is gone; the log has the message. */
		}
	}
}

/* Start-up is over: the parent exits 0 and the terminal is free. */
void pf_cmd_startup_done(void)
{
	if (startup_fd < 0)
		return;
	if (write(startup_fd, "", 1) < 0) {
		/* The parent is gone: nobody waits. */
	}
	close(startup_fd);
	startup_fd = -1;
}

/* Go to the background like daemon(3), but keep the parent until start-up
 * is over, so that an error found after the fork (the store, the runtime,
 * the network) reaches the terminal and the exit status instead of only
 * the log: the parent exits 0 on pf_cmd_startup_done(), or prints what
 * pf_cmd_startup_error() sent and exits 1.  stderr becomes logfd; the working
 * directory becomes / when chdir_root.  Returns in the child only; -errno
 * when it cannot fork.  undo(arg): what the parent undoes when start-up
 * failed (the child may have died without unmounting), or NULL. */
int pf_cmd_background(int logfd, const char *logpath, bool chdir_root, void (*undo)(void *arg),
		      void *arg)
{
	int p[2], null;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (pid > 0) {
		char buf[4096];
		size_t len = 0;
		bool ready = false;
		ssize_t n;

		close(p[1]);
		/* Ctrl-C stops the wait: libfuse's handlers (inherited) would
		 * only mark the session. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		while (len < sizeof(buf)) {
			n = read(p[0], buf + len, sizeof(buf) - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		if (len && buf[len - 1] == '\0') {
			ready = true;
			len--;
		}
		if (len && fwrite(buf, 1, len, stderr) != len)
			ready = false;
		if (!ready && !len)
			fprintf(stderr, "podfs: stopped during start-up; see %s\n", logpath);
		/* A child that died without unmounting leaves a dead mount. */
		if (!ready && undo)
			undo(arg);
		_exit(ready ? 0 : 1);
	}
	close(p[0]);
	startup_fd = p[1];
	if (setsid() < 0)
		pf_log(PF_LOG_WARN, "setsid: %s", strerror(errno));
	if (chdir_root && chdir("/") < 0)
		pf_log(PF_LOG_WARN, "chdir /: %s", strerror(errno));
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	if (logfd >= 0)
		dup2(logfd, STDERR_FILENO);
	return 0;
}

int pf_cmd_open_store(const struct pf_cmd_options *o, struct pf_store **s)
{
	struct pf_err err = PF_ERR_INIT;
	_cleanup_free_ char *uri =
	    o->store ? pf_xstrdup(o->store) : pf_xasprintf("sqlite:%s/podfs.db", o->state_dir);
	int r = pf_store_open(uri, s, &err);

	if (r < 0)
		pf_cmd_startup_error("cannot open the store %s: %s", uri, err.msg);
	return r;
}

/* Fill the agent's options from the command line; the node is named after
 * the host unless told otherwise, lowercased as kubelet does. */
void pf_cmd_agent_opts(struct pf_cmd_options *o)
{
	o->agent.state_dir = o->state_dir;
	if (!o->node_name) {
		if (gethostname(o->hostname, sizeof(o->hostname) - 1) != 0)
			snprintf(o->hostname, sizeof(o->hostname), "localhost");
		for (char *p = o->hostname; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		o->node_name = o->hostname;
	}
	o->agent.name = o->node_name;
}
