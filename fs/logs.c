/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logs.c - container logs as people read them.
 *
 * The node agent's monitor writes each container's output to
 * STATE/logs/<pod-uid>/<container>/<restartCount>.log in the CRI "k8s-file"
 * format, one record a line: "<RFC 3339 time> stdout|stderr F|P <text>",
 * P marking a partial line continued by the next record.  The mount shows
 * the text alone, as `kubectl logs` does.  Reading only: never writes or
 * rotates (the monitor caps the files).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "logs.h"

char *pf_log_path(const char *state_dir, const char *pod_uid, const char *container, int restart)
{
	return pf_xasprintf("%s/logs/%s/%s/%d.log", state_dir, pod_uid, container, restart);
}

/* Append the text of one CRI record (without its newline) to out; a record
 * that does not parse is shown as it is rather than lost. */
static void add_record(struct pf_buf *out, const char *line, size_t n)
{
	const char *end = line + n, *p = memchr(line, ' ', n), *q;

	if (p && (q = memchr(p + 1, ' ', (size_t)(end - p - 1))) && q + 2 <= end &&
	    (q[1] == 'F' || q[1] == 'P') && (q + 2 == end || q[2] == ' ')) {
		const char *text = q + 2 < end ? q + 3 : end;
		pf_buf_add(out, text, (size_t)(end - text));
		if (q[1] == 'F')
			pf_buf_addc(out, '\n');
		return;
	}
	pf_buf_add(out, line, n);
	pf_buf_addc(out, '\n');
}

/* The last PF_LOG_MAX_BYTES of the file at most, from a record boundary. */
static int read_tail(const char *path, struct stat *st, char **raw, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t from;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0)
		return -errno;
	from = st->st_size > (off_t)PF_LOG_MAX_BYTES ? st->st_size - (off_t)PF_LOG_MAX_BYTES : 0;
	*raw = pf_xmalloc((size_t)(st->st_size - from) + 1);
	n = pread(fd, *raw, (size_t)(st->st_size - from), from);
	if (n < 0) {
		int e = errno;
		free(*raw);
		*raw = NULL;
		return -e;
	}
	*len = (size_t)n;
	if (from > 0) {
		/* Start at the first whole record. */
		char *nl = memchr(*raw, '\n', *len);
		size_t skip = nl ? (size_t)(nl - *raw) + 1 : *len;
		memmove(*raw, *raw + skip, *len - skip);
		*len -= skip;
	}
	return 0;
}

int pf_log_text(const char *path, struct pf_buf *out, struct pf_log_stamp *stamp)
{
	_cleanup_free_ char *raw = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	if (stamp)
		memset(stamp, 0, sizeof(*stamp));
	r = read_tail(path, &st, &raw, &len);
	if (r == -ENOENT)
		return 0; /* not started yet: empty */
	if (r < 0)
		return r;
	if (stamp) {
		stamp->ino = st.st_ino;
		stamp->size = st.st_size;
		stamp->mtime = st.st_mtim;
	}
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(raw + i, '\n', len - i);
		/* A last record without its newline is still being written:
		 * show it once it is whole, so what tail -f saw stays a prefix. */
		if (!nl)
			break;
		size_t n = (size_t)(nl - (raw + i));
		add_record(out, raw + i, n);
		i += n + 1;
	}
	return 0;
}

bool pf_log_changed(const char *path, const struct pf_log_stamp *stamp)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return stamp->ino != 0;
	return st.st_ino != stamp->ino || st.st_size != stamp->size ||
	       st.st_mtim.tv_sec != stamp->mtime.tv_sec ||
	       st.st_mtim.tv_nsec != stamp->mtime.tv_nsec;
}
