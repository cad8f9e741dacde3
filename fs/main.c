/*
 * main.c - the podfs command: `podfs MOUNTPOINT` (all-in-one: the FUSE API
 * layer, the embedded store, and later the scheduler and a node agent, each
 * a thread), `podfs validate FILE...`.
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
#include <sys/stat.h>

#include "admission.h"
#include "api.h"
#include "fs.h"
#include "image_cli.h"
#include "inval.h"
#include "log.h"
#include "manifest.h"

#define DEFAULT_STATE_DIR "/var/lib/podfs"

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
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: podfs MOUNTPOINT [options]      mount podfs (API layer, store, scheduler, node)\n"
		"       podfs validate [--allow-privileged] [--allow-host-paths] FILE...\n"
		"       podfs image import|list|rm|inspect ...  the local image store\n"
		"\n"
		"options:\n"
		"  -f, --foreground        stay in the foreground, log to stderr\n"
		"  --state-dir DIR         store, images, bundles, logs under DIR (" DEFAULT_STATE_DIR ")\n"
		"  --store URL             sqlite:PATH (default sqlite:STATE/podfs.db)\n"
		"  --node-name NAME        this machine's node name (default: the host name)\n"
		"  --no-scheduler          do not run the scheduler in this process\n"
		"  --no-node               do not run a node agent in this process\n"
		"  --allow-privileged      admit privileged pods and host namespaces\n"
		"  --allow-host-paths      admit hostPath volumes\n"
		"  -o OPT[,OPT...]         FUSE mount options (allow_other, ...)\n"
		"  -d, --debug             log debug messages (implies -f)\n"
		"  -h, --help              this text\n"
		"\n"
		"See podfs(1) for the command line and podfs(5) for the mount's layout.\n");
}

enum { OPT_STATE_DIR = 256, OPT_STORE, OPT_NODE_NAME, OPT_NO_SCHED, OPT_NO_NODE, OPT_PRIV,
       OPT_HOSTPATH };

static const struct option long_opts[] = {
	{ "foreground", no_argument, NULL, 'f' },
	{ "debug", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "node-name", required_argument, NULL, OPT_NODE_NAME },
	{ "no-scheduler", no_argument, NULL, OPT_NO_SCHED },
	{ "no-node", no_argument, NULL, OPT_NO_NODE },
	{ "allow-privileged", no_argument, NULL, OPT_PRIV },
	{ "allow-host-paths", no_argument, NULL, OPT_HOSTPATH },
	{ NULL, 0, NULL, 0 },
};

/* 0 ok, 1 bad usage reported, 2 --help printed. */
static int parse(int argc, char **argv, struct options *o)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fdho:", long_opts, NULL)) != -1) {
		switch (c) {
		case 'f': o->foreground = true; break;
		case 'd': o->debug = o->foreground = true; break;
		case 'h': usage(stdout); return 2;
		case 'o': pf_strlist_add(&o->fuse_opts, optarg); break;
		case OPT_STATE_DIR: o->state_dir = optarg; break;
		case OPT_STORE: o->store = optarg; break;
		case OPT_NODE_NAME: o->node_name = optarg; break;
		case OPT_NO_SCHED: o->no_scheduler = true; break;
		case OPT_NO_NODE: o->no_node = true; break;
		case OPT_PRIV: o->policy.allow_privileged = true; break;
		case OPT_HOSTPATH: o->policy.allow_host_paths = true; break;
		default: usage(stderr); return 1;
		}
	}
	return 0;
}

static int cmd_validate(int argc, char **argv)
{
	struct options o = { 0 };
	int status = 0, r;

	r = parse(argc, argv, &o);
	if (r)
		return r == 2 ? 0 : 2;
	if (optind >= argc) {
		fprintf(stderr, "podfs validate: no FILE given\n");
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		struct pf_pod_list pods = { 0 };
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

static int open_store(const struct options *o, struct pf_store **s)
{
	struct pf_err err = PF_ERR_INIT;
	_cleanup_free_ char *uri = o->store ? pf_xstrdup(o->store)
					    : pf_xasprintf("sqlite:%s/podfs.db", o->state_dir);
	int r = pf_store_open(uri, s, &err);

	if (r < 0)
		fprintf(stderr, "podfs: cannot open the store %s: %s\n", uri, err.msg);
	return r;
}

static int cmd_mount(int argc, char **argv)
{
	struct options o = { .state_dir = DEFAULT_STATE_DIR };
	struct pf_fs fs;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *loop = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct pf_store *probe = NULL;
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
		fprintf(stderr, "podfs: cannot mount on %s (is /dev/fuse there, the directory "
				"empty and not mounted already?)\n",
			o.mountpoint);
		goto out_signals;
	}
	if (!o.foreground) {
		_cleanup_free_ char *logpath = pf_xasprintf("%s/podfs.log", o.state_dir);
		int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		if (fuse_daemonize(0) != 0) {
			fprintf(stderr, "podfs: cannot go to the background\n");
			if (logfd >= 0)
				close(logfd);
			goto out_unmount;
		}
		if (logfd >= 0) {
			dup2(logfd, STDERR_FILENO);
			close(logfd);
		}
	}

	if (open_store(&o, &fs.store) < 0)
		goto out_unmount;
	fs.inval = pf_inval_start(fs.se);
	r = pf_cache_start(fs.store, pf_fs_notify, &fs, &fs.cache, &err);
	if (r < 0) {
		pf_log(PF_LOG_ERROR, "cannot start: %s", err.msg);
		fprintf(stderr, "podfs: cannot start: %s\n", err.msg);
		goto out_store;
	}
	pf_log(PF_LOG_INFO, "mounted on %s, state in %s", o.mountpoint, o.state_dir);

	loop = fuse_loop_cfg_create();
	fuse_loop_cfg_set_clone_fd(loop, 0);
	fuse_loop_cfg_set_max_threads(loop, 16);
	r = fuse_session_loop_mt(fs.se, loop);
	fuse_loop_cfg_destroy(loop);
	/* Positive: the signal that ended the loop (SIGTERM, SIGINT): a clean stop. */
	status = r < 0 ? 1 : 0;
	pf_log(PF_LOG_INFO, "unmounting %s", o.mountpoint);

	pf_fs_release_waiters(&fs);
	pf_cache_stop(fs.cache);
out_store:
	pf_inval_stop(fs.inval);
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
	pthread_mutex_destroy(&fs.plock);
	pthread_mutex_destroy(&fs.wlock);
	pf_strlist_free(&o.fuse_opts);
	return status;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "validate") == 0)
		return cmd_validate(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "image") == 0)
		return pf_image_main(argc - 1, argv + 1);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	return cmd_mount(argc, argv);
}
