/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fileio.h - the one home of podfs's file mechanisms: replacing a file
 * atomically (and durably where a restart reads it back), mkdir -p, a
 * recursive removal that stays on one filesystem, and the mount table.
 *
 * libc only, like the rest of core/lib: nothing here knows about pods,
 * images or cgroups; callers bring the meaning (which file must survive a
 * power cut, which mounts they want).
 */
#ifndef PODFS_FILEIO_H
#define PODFS_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "errors.h"

/* pf_write_file flags. */
enum {
	/* fsync the file before the rename and its directory after it, so
	 * the new content survives a power cut.  Every file a restart reads
	 * back needs it; a file made again from such a record at each start
	 * (and rewritten on a hot path) may do without. */
	PF_WRITE_DURABLE = 1u << 0,
};

/*
 * Replace path with len bytes of data, atomically: a temporary file in
 * the same directory (".NAME.XXXXXXXX", so directory readers that skip
 * dot files never see it), written whole, closed with its error checked,
 * then renamed over path, so a crash leaves the old file or the new one,
 * never half of one.  mode is the new file's, less the umask (open(2)).
 * 0 or -errno with a sentence naming the path in err; the temporary file
 * is gone on failure (a crash may leave one behind).
 */
int pf_write_file(const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
		  struct pf_err *err);

/* mkdir -p with mode (for every directory it makes); 0 or -errno. */
int pf_mkdir_p(const char *path, mode_t mode);

/* pf_rm_tree flags. */
enum {
	/* Remove directories only (rmdir, deepest first), leave files: what
	 * cgroupfs takes, whose control files cannot be unlinked. */
	PF_RM_DIRS_ONLY = 1u << 0,
};

/*
 * rm -rf path that never crosses into another filesystem and never follows
 * a symbolic link: a mount below path that failed to go away keeps its
 * contents (and the directories above it stay).  Best effort: it goes on
 * past what it cannot remove.  0 when everything went (or path did not
 * exist), else the first -errno.
 */
int pf_rm_tree(const char *path, unsigned flags);

/* rm -rf path, files and directories: pf_rm_tree(path, 0). */
int pf_rm_rf(const char *path);

/* One line of the mount table (getmntent's fields, escapes decoded). */
struct pf_mount {
	char *source; /* mnt_fsname */
	char *target; /* mnt_dir */
	char *type;   /* mnt_type */
	char *options;
};

struct pf_mounts {
	struct pf_mount *items;
	size_t n;
};

/*
 * The mounts in table (NULL: /proc/self/mounts, this process's view), in
 * the table's order, those whose type is in types (a NULL-terminated
 * list; NULL: every mount).  0 or -errno when the table cannot be opened
 * (out is then empty, and may be freed as always).
 */
int pf_mounts_read(const char *table, const char *const *types, struct pf_mounts *out);
void pf_mounts_free(struct pf_mounts *m);

#endif
