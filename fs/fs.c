/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs.c - the FUSE API layer's life: its own state (init/free), the
 * session and the mount, the threads that serve it (invalidations, the
 * cache, the workers) and their stop.  The entry point calls these in
 * order; nothing here knows that a scheduler or a node agent may share the
 * process.
 */
#include "ops-internal.h"

#include <errno.h>

#include "inval.h"
#include "log.h"
#include "workers.h"

void pf_fs_init(struct pf_fs *fs, const struct pf_fs_config *cfg)
{
	memset(fs, 0, sizeof(*fs));
	fs->policy = cfg->policy;
	fs->has_group = cfg->has_group;
	fs->group = cfg->group;
	fs->mount_time = time(NULL);
	fs->next_pending_serial = 1;
	fs->n_workers = cfg->workers;
	pthread_mutex_init(&fs->plock, NULL);
	pthread_mutex_init(&fs->fhlock, NULL);
	pthread_mutex_init(&fs->wlock, NULL);
	fs->images_index = pf_xasprintf("%s/images/index.json", cfg->state_dir);
	fs->state_dir = cfg->state_dir;
}

/* Does one of the -o options (each may hold several, comma-separated)
 * let other users in? */
static bool allows_others(const struct pf_strlist *opts)
{
	for (size_t i = 0; opts && i < opts->n; i++) {
		const char *o = opts->items[i];
		size_t n = strlen("allow_other");

		for (const char *p = o; (p = strstr(p, "allow_other")); p += n)
			if ((p == o || p[-1] == ',') && (p[n] == ',' || !p[n]))
				return true;
	}
	return false;
}

int pf_fs_mount(struct pf_fs *fs, const char *mountpoint, const struct pf_strlist *fuse_opts,
		bool debug, struct pf_err *err)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);

	fuse_opt_add_arg(&args, "podfs");
	fuse_opt_add_arg(&args, "-o");
	fuse_opt_add_arg(&args, "fsname=podfs,subtype=podfs");
	for (size_t i = 0; fuse_opts && i < fuse_opts->n; i++) {
		fuse_opt_add_arg(&args, "-o");
		fuse_opt_add_arg(&args, fuse_opts->items[i]);
	}
	/* Other users reach the mount: the kernel checks their access
	 * against the modes shown (root's files, pods/ writable by root and
	 * the --group), rather than podfs letting anyone write and delete. */
	if (allows_others(fuse_opts)) {
		fuse_opt_add_arg(&args, "-o");
		fuse_opt_add_arg(&args, "default_permissions");
		pf_log(PF_LOG_INFO, "allow_other: access is checked against the modes shown "
				    "(default_permissions)");
	}
	if (debug)
		fuse_opt_add_arg(&args, "-d");

	fs->se = fuse_session_new(&args, &pf_fuse_ops, sizeof(pf_fuse_ops), fs);
	fuse_opt_free_args(&args);
	if (!fs->se)
		return pf_err_set(err, EINVAL, "cannot create the FUSE session (bad -o option?)");
	if (fuse_set_signal_handlers(fs->se) != 0) {
		fuse_session_destroy(fs->se);
		fs->se = NULL;
		return pf_err_set(err, EIO, "cannot install signal handlers");
	}
	if (fuse_session_mount(fs->se, mountpoint) != 0) {
		fuse_remove_signal_handlers(fs->se);
		fuse_session_destroy(fs->se);
		fs->se = NULL;
		return pf_err_set(err, EIO,
				  "cannot mount on %s (is /dev/fuse there, the directory "
				  "empty and not mounted already?)",
				  mountpoint);
	}
	return 0;
}

int pf_fs_start(struct pf_fs *fs, struct pf_store *store, struct pf_err *err)
{
	int r;

	fs->store = store;
	fs->inval = pf_inval_start(fs->se);
	r = pf_cache_start(store, pf_fs_notify, fs, &fs->cache, err);
	if (r < 0)
		return r;
	return pf_workers_start((unsigned)fs->n_workers, &fs->workers, err);
}

int pf_fs_serve(struct pf_fs *fs)
{
	/* Positive: the signal that ended the loop (SIGTERM, SIGINT): a clean stop. */
	return fuse_session_loop(fs->se) < 0 ? -1 : 0;
}

void pf_fs_stop(struct pf_fs *fs)
{
	pf_workers_stop(fs->workers);
	pf_fs_release_waiters(fs);
	pf_cache_stop(fs->cache);
	fs->cache = NULL;
	pf_inval_stop(fs->inval);
	fs->inval = NULL;
	pf_workers_free(fs->workers); /* after the threads that queue jobs */
	fs->workers = NULL;
	fs->store = NULL;
}

void pf_fs_unmount(struct pf_fs *fs)
{
	if (!fs->se)
		return;
	fuse_session_unmount(fs->se);
	fuse_remove_signal_handlers(fs->se);
	fuse_session_destroy(fs->se);
	fs->se = NULL;
}

void pf_fs_free(struct pf_fs *fs)
{
	pf_fs_free_pending(fs);
	pf_fs_free_handles(fs);
	pthread_mutex_destroy(&fs->plock);
	pthread_mutex_destroy(&fs->fhlock);
	pthread_mutex_destroy(&fs->wlock);
	free(fs->images_index);
	fs->images_index = NULL;
}
