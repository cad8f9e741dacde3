/*
 * main.c - the podfs command: `podfs MOUNTPOINT` (all-in-one: the FUSE API
 * layer, the embedded store, the scheduler and a node agent for this
 * machine, each a thread), `podfs node` (a node agent alone, as `k3s
 * agent`), `podfs validate FILE...`.
 *
 * This file only wires the pieces together and owns the process: options,
 * daemonizing, signals, start-up and shutdown order.  The FUSE layer proper
 * (fs/ops.c and friends) never reaches into node/.
 */
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admission.h"
#include "agent.h"
#include "api.h"
#include "fileio.h"
#include "fs.h"
#include "image_cli.h"
#include "inval.h"
#include "log.h"
#include "manifest.h"
#include "pause.h"
#include "scheduler.h"
#include "workers.h"

#define DEFAULT_STATE_DIR "/var/lib/podfs"
/* Threads for submissions and deletions: commits are serial in the store,
 * the rest of a submission (decode, admission) runs side by side. */
#define FS_WORKERS 4

struct options {
	const char *mountpoint;
	const char *state_dir;
	const char *store;
	const char *node_name;
	bool foreground;
	bool debug;
	bool no_scheduler;
	bool no_node;
	struct pf_policy policy;
	struct pf_strlist fuse_opts;
	struct pf_agent_opts agent;
	struct pf_sched_opts sched;
	char hostname[256];
};

static void usage(FILE *f)
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
	    "  --state-dir DIR         store, images, bundles, logs under DIR (" DEFAULT_STATE_DIR
	    ")\n"
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
	    "  -o OPT[,OPT...]         FUSE mount options (allow_other, ...)\n"
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
	OPT_EGRESS
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

/* 0 ok, 1 bad usage reported, 2 --help printed. */
static int parse(int argc, char **argv, struct options *o)
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
			usage(stdout);
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
			usage(stderr);
			return 1;
		}
	}
	return 0;
}

static int cmd_validate(int argc, char **argv)
{
	struct options o = {0};
	int status = 0, r;

	r = parse(argc, argv, &o);
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
		const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		size_t len = 0;

		r = pf_read_file(argv[i], PF_MANIFEST_MAX_BYTES + 1, &data, &len);
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
			       argv[i]);
		pf_pod_list_free(&pods);
	}
	return status;
}

/* In the background, the parent waits on this pipe until start-up is over
 * (see go_background); -1 in the foreground. */
static int startup_fd = -1;

/* A start-up error: to stderr (the terminal, or the log once in the
 * background) and, in the background, to the waiting parent, which shows
 * it on the terminal and exits 1. */
static void PF_PRINTF(1, 2) startup_error(const char *fmt, ...)
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
static void startup_done(void)
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
 * the log: the parent exits 0 on startup_done(), or prints what
 * startup_error() sent and exits 1.  stderr becomes logfd; the working
 * directory becomes / when chdir_root.  Returns in the child only; -errno
 * when it cannot fork.  se: the mount the parent removes when start-up
 * failed (the child may have died without unmounting), or NULL. */
static int go_background(int logfd, const char *logpath, bool chdir_root, struct fuse_session *se)
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
		if (!ready && se)
			fuse_session_unmount(se);
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

static int open_store(const struct options *o, struct pf_store **s)
{
	struct pf_err err = PF_ERR_INIT;
	_cleanup_free_ char *uri =
	    o->store ? pf_xstrdup(o->store) : pf_xasprintf("sqlite:%s/podfs.db", o->state_dir);
	int r = pf_store_open(uri, s, &err);

	if (r < 0)
		startup_error("cannot open the store %s: %s", uri, err.msg);
	return r;
}

/* Fill the agent's options from the command line; the node is named after
 * the host unless told otherwise, lowercased as kubelet does. */
static void agent_opts(struct options *o)
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

/*
 * podfs node: a node agent alone in its process, as `k3s agent`.  Signals
 * are blocked in every thread and taken by sigwait here, so SIGTERM and
 * SIGINT are a clean stop (exit 0) whatever the agent thread is doing.
 */
static int cmd_node(int argc, char **argv)
{
	struct options o = {.state_dir = DEFAULT_STATE_DIR};
	struct pf_err err = PF_ERR_INIT;
	struct pf_store *store = NULL;
	struct pf_agent *agent = NULL;
	sigset_t set;
	int r, sig = 0;

	r = parse(argc, argv, &o);
	if (r)
		return r == 2 ? 0 : 2;
	if (optind != argc) {
		fprintf(stderr, "podfs node: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	pf_strlist_free(&o.fuse_opts);
	if (!o.agent.runtime)
		o.agent.runtime = "oci";
	agent_opts(&o);
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
	if (open_store(&o, &store) < 0)
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
		r = go_background(logfd, logpath, false, NULL);
		if (logfd >= 0)
			close(logfd);
		if (r < 0) {
			fprintf(stderr, "podfs node: cannot go to the background: %s\n",
				strerror(-r));
			return 1;
		}
		if (open_store(&o, &store) < 0)
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
		startup_error("cannot start the node agent: %s", err.msg);
		pf_store_close(store);
		return 1;
	}
	startup_done();
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		; /* no configuration to reload */
	pf_log(PF_LOG_INFO, "node agent: stopping on signal %d", sig);
	pf_agent_stop(agent);
	pf_store_close(store);
	return 0;
}

static int cmd_mount(int argc, char **argv)
{
	struct options o = {.state_dir = DEFAULT_STATE_DIR};
	struct pf_fs fs;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct pf_err err = PF_ERR_INIT;
	struct pf_store *probe = NULL;
	struct pf_agent *agent = NULL;
	struct pf_sched *sched = NULL;
	int r, status = 1;

	r = parse(argc, argv, &o);
	if (r)
		return r == 2 ? 0 : 2;
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	o.mountpoint = argv[optind];
	pf_log_set_level(o.debug ? PF_LOG_DEBUG : PF_LOG_INFO);
	agent_opts(&o);
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
	if (open_store(&o, &probe) < 0) {
		pf_strlist_free(&o.fuse_opts);
		return 1;
	}
	pf_store_close(probe);

	memset(&fs, 0, sizeof(fs));
	fs.policy = o.policy;
	fs.mount_time = time(NULL);
	fs.next_pending_serial = 1;
	pthread_mutex_init(&fs.plock, NULL);
	pthread_mutex_init(&fs.fhlock, NULL);
	fs.images_index = pf_xasprintf("%s/images/index.json", o.state_dir);
	fs.state_dir = o.state_dir;
	pthread_mutex_init(&fs.wlock, NULL);

	fuse_opt_add_arg(&args, "podfs");
	fuse_opt_add_arg(&args, "-o");
	fuse_opt_add_arg(&args, "fsname=podfs,subtype=podfs");
	for (size_t i = 0; i < o.fuse_opts.n; i++) {
		fuse_opt_add_arg(&args, "-o");
		fuse_opt_add_arg(&args, o.fuse_opts.items[i]);
	}
	if (o.debug)
		fuse_opt_add_arg(&args, "-d");

	fs.se = fuse_session_new(&args, &pf_fuse_ops, sizeof(pf_fuse_ops), &fs);
	if (!fs.se) {
		fprintf(stderr, "podfs: cannot create the FUSE session (bad -o option?)\n");
		goto out_args;
	}
	if (fuse_set_signal_handlers(fs.se) != 0) {
		fprintf(stderr, "podfs: cannot install signal handlers\n");
		goto out_session;
	}
	if (fuse_session_mount(fs.se, o.mountpoint) != 0) {
		fprintf(stderr,
			"podfs: cannot mount on %s (is /dev/fuse there, the directory "
			"empty and not mounted already?)\n",
			o.mountpoint);
		goto out_signals;
	}
	if (!o.foreground) {
		_cleanup_free_ char *logpath = pf_xasprintf("%s/podfs.log", o.state_dir);
		int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		r = go_background(logfd, logpath, true, fs.se);
		if (logfd >= 0)
			close(logfd);
		if (r < 0) {
			fprintf(stderr, "podfs: cannot go to the background: %s\n", strerror(-r));
			goto out_unmount;
		}
	}

	if (open_store(&o, &fs.store) < 0)
		goto out_unmount;
	fs.inval = pf_inval_start(fs.se);
	r = pf_cache_start(fs.store, pf_fs_notify, &fs, &fs.cache, &err);
	if (r < 0) {
		pf_log(PF_LOG_ERROR, "cannot start: %s", err.msg);
		startup_error("cannot start: %s", err.msg);
		goto out_store;
	}
	pf_log(PF_LOG_INFO, "mounted on %s, state in %s", o.mountpoint, o.state_dir);
	if (!o.no_scheduler) {
		r = pf_sched_start(fs.store, &o.sched, &sched, &err);
		if (r < 0) {
			pf_log(PF_LOG_ERROR, "cannot start the scheduler: %s", err.msg);
			startup_error("cannot start the scheduler: %s", err.msg);
			goto out_cache;
		}
	}
	if (!o.no_node) {
		r = pf_agent_start(fs.store, &o.agent, &agent, &err);
		if (r < 0) {
			pf_log(PF_LOG_ERROR, "cannot start the node agent: %s", err.msg);
			startup_error("cannot start the node agent: %s", err.msg);
			goto out_sched;
		}
	}

	/* One dispatcher thread answers every request that memory can answer;
	 * the ones that wait on the store go to the workers (workers.h).  On
	 * this 2-core VM a cat of a status file took 106 us p50 through
	 * libfuse's multi-threaded loop and 16 us through one thread. */
	r = pf_workers_start(FS_WORKERS, &fs.workers, &err);
	if (r < 0) {
		pf_log(PF_LOG_ERROR, "%s", err.msg);
		startup_error("%s", err.msg);
		goto out_agent;
	}
	startup_done();
	r = fuse_session_loop(fs.se);
	/* Positive: the signal that ended the loop (SIGTERM, SIGINT): a clean stop. */
	status = r < 0 ? 1 : 0;
	pf_log(PF_LOG_INFO, "unmounting %s", o.mountpoint);
	pf_workers_stop(fs.workers);
out_agent:

	pf_agent_stop(agent);
out_sched:
	/* The scheduler releases its lease through the store: before it closes. */
	pf_sched_stop(sched);
out_cache:
	pf_fs_release_waiters(&fs);
	pf_cache_stop(fs.cache);
out_store:
	pf_inval_stop(fs.inval);
	pf_workers_free(fs.workers); /* after the threads that queue jobs */
	pf_store_close(fs.store);
out_unmount:
	fuse_session_unmount(fs.se);
out_signals:
	fuse_remove_signal_handlers(fs.se);
out_session:
	fuse_session_destroy(fs.se);
out_args:
	fuse_opt_free_args(&args);
	pf_fs_free_pending(&fs);
	pf_fs_free_handles(&fs);
	pthread_mutex_destroy(&fs.plock);
	pthread_mutex_destroy(&fs.fhlock);
	free(fs.images_index);
	pthread_mutex_destroy(&fs.wlock);
	pf_strlist_free(&o.fuse_opts);
	return status;
}

int main(int argc, char **argv)
{
	/* Started with 0, 1 or 2 closed, the first files opened would take
	 * their place (and the start-up pipe be replaced by /dev/null). */
	int fd;
	while ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0 && fd <= 2)
		fcntl(fd, F_SETFD, 0);
	if (fd > 2)
		close(fd);
	if (argc >= 2 && strcmp(argv[1], "validate") == 0)
		return cmd_validate(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "image") == 0)
		return pf_image_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "node") == 0)
		return cmd_node(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "pause") == 0)
		return pf_pause_main(argc - 1, argv + 1);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	return cmd_mount(argc, argv);
}
