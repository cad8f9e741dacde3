/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_record.c - the OCI backend's records and what they point at: the
 * JSON files a restart reads back (sandbox.json, a container's
 * record.json), the paths of sandboxes and containers, their exit codes
 * and whether a recorded process still lives.
 *
 * Plain helpers: nothing here creates or removes a sandbox or container,
 * nor decides what a record means.
 */
#include <errno.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fileio.h"
#include "oci-internal.h"

bool pf_oci_valid_id(const char *id)
{
	size_t n = 0;

	for (; id[n]; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
			return false;
	return n == 64;
}

int pf_oci_write_json(const char *path, json_t *j, struct pf_err *err)
{
	_cleanup_free_ char *s = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);

	return pf_write_file(path, s, strlen(s), 0644, PF_WRITE_DURABLE, err);
}

/*
 * A record made durable by its first write, updated with what only a
 * running host can use (pids, a start time, the sandbox's "ready" and IP):
 * no fsync.  A podfs that crashes finds the update in the page cache; a
 * host that loses power loses those processes and mounts as well, and its
 * ext4 (auto_da_alloc) keeps the old or the new file across the rename.
 */
int pf_oci_update_json(const char *path, json_t *j, struct pf_err *err)
{
	_cleanup_free_ char *s = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);

	return pf_write_file(path, s, strlen(s), 0644, 0, err);
}

json_t *pf_oci_read_json(const char *path)
{
	return json_load_file(path, 0, NULL);
}

/* Unmount path if something is mounted there; tolerant of nothing being
 * there, so removal can run over a half-made sandbox. */
void pf_oci_unmount(const char *path)
{
	if (umount2(path, UMOUNT_NOFOLLOW) == 0)
		return;
	if (errno == EBUSY)
		umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
}

/* A file the sandbox or bundle makes from the pod (/etc/hosts, an empty
 * termination log): rewritten whenever it is made, so no fsync. */
void pf_oci_write_text(const char *path, const char *text)
{
	struct pf_err err = PF_ERR_INIT;

	pf_write_file(path, text, strlen(text), 0644, 0, &err);
}

char *pf_oci_sandbox_dir(struct oci *o, const char *id)
{
	_cleanup_free_ char *link = pf_xasprintf("%s/sandboxes/%s", o->root, id);

	if (!pf_oci_valid_id(id))
		return NULL;
	return realpath(link, NULL);
}

char *pf_oci_container_dir(struct oci *o, const char *id)
{
	return pf_xasprintf("%s/containers/%s", o->root, id);
}

json_t *pf_oci_container_record(struct oci *o, const char *id)
{
	_cleanup_free_ char *p = NULL;

	if (!pf_oci_valid_id(id))
		return NULL;
	p = pf_xasprintf("%s/containers/%s/record.json", o->root, id);
	return pf_oci_read_json(p);
}

/* The exit code conmon wrote, or -1 while the container runs. */
int pf_oci_exit_code(struct oci *o, const char *id, int64_t *when_ms)
{
	_cleanup_free_ char *p = pf_xasprintf("%s/exits/%s", o->root, id);
	_cleanup_free_ char *s = NULL;
	size_t len = 0;
	struct stat st;

	if (pf_read_file(p, 64, &s, &len) < 0 || !len)
		return -1;
	if (when_ms && stat(p, &st) == 0)
		*when_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	return (int)strtol(s, NULL, 10);
}

/* A process that exited but that nobody reaped yet (conmon's parent is
 * init, which may reap late) counts as gone. */
bool pf_oci_alive(pid_t pid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;
	const char *p;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}
