/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oci_status.c - what the OCI backend reports: a container's state and
 * why it ended (exit code, OOM, termination message or log tail), the
 * list of sandboxes and containers a restarted podfs adopts, an image's
 * ID, a volume's disk usage, and the change counter.
 *
 * Read-only: nothing here changes a record, a process or a mount.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>

#include "fileio.h"
#include "oci-internal.h"

#define MESSAGE_MAX 4096 /* kubelet's limit on a termination message */

/* kubelet's bounds on a message taken from the log (FallbackToLogsOnError):
 * its last 80 lines, of which the last 2048 bytes. */
#define LOG_MESSAGE_LINES 80
#define LOG_MESSAGE_BYTES 2048

/* The log's tail as the container wrote it (FallbackToLogsOnError): the
 * lines' text without the CRI prefix, partial lines (P) joined. */
static char *log_tail(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct pf_buf b = PF_BUF_INIT;
	size_t starts[LOG_MESSAGE_LINES] = {0}, n = 0, from;
	char line[8192];
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	/* 80 lines within 2048 bytes: the last 16 KiB of the file hold them
	 * unless the lines are long, and then the bytes bound is the one. */
	fseek(f, size > 16384 ? size - 16384 : 0, SEEK_SET);
	if (size > 16384 && !fgets(line, sizeof(line), f)) /* a partial first line */
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		/* <time> <stream> <P|F> <text> */
		char *p = line, *tag = NULL;
		for (int k = 0; k < 3 && p; k++) {
			p = strchr(p, ' ');
			if (p && k == 1)
				tag = p + 1;
			if (p)
				p++;
		}
		if (!p)
			continue;
		if (b.len == 0 || b.buf[b.len - 1] == '\n')
			starts[n++ % LOG_MESSAGE_LINES] = b.len; /* a line begins */
		if (tag && *tag == 'P') {
			size_t l = strlen(p);
			if (l && p[l - 1] == '\n')
				p[l - 1] = 0;
		}
		pf_buf_adds(&b, p);
	}
	if (!b.len)
		return NULL;
	from = n > LOG_MESSAGE_LINES ? starts[n % LOG_MESSAGE_LINES] : 0;
	if (b.len - from > LOG_MESSAGE_BYTES)
		from = b.len - LOG_MESSAGE_BYTES;
	{
		char *s = pf_xstrdup(b.buf + from);
		pf_buf_release(&b);
		return s;
	}
}

/* Did the container's cgroup see the OOM killer? */
static bool oom_killed(struct oci *o, const char *id, json_t *rec)
{
	_cleanup_free_ char *persist = pf_xasprintf("%s/containers/%s/persist/oom", o->root, id);
	const char *cg = jstr(rec, "cgroups_path");
	struct pf_mounts mnts;
	bool oom = path_exists(persist);

	if (oom || !cg)
		return oom;
	pf_oci_cgroup_mounts(&mnts);
	for (size_t i = 0; i < mnts.n && !oom; i++) {
		for (const char *const *f =
			 (const char *const[]){"memory.oom_control", "memory.events", NULL};
		     *f && !oom; f++) {
			_cleanup_free_ char *p =
			    pf_xasprintf("%s%s/%s", mnts.items[i].target, cg, *f);
			_cleanup_free_ char *text = NULL;
			size_t len = 0;
			const char *k;
			if (pf_read_file(p, 65536, &text, &len) < 0)
				continue;
			k = strstr(text, "oom_kill ");
			if (k && strtoll(k + 9, NULL, 10) > 0)
				oom = true;
		}
	}
	pf_mounts_free(&mnts);
	return oom;
}

int pf_oci_container_status(struct pf_runtime *rt, const char *id, struct pf_rt_status *st,
			    struct pf_err *err)
{
	struct oci *o = oci_of(rt);
	json_t *rec = pf_oci_container_record(o, id);
	int64_t finished = 0;
	int code;

	memset(st, 0, sizeof(*st));
	if (!rec)
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	st->started_ms = jint(rec, "started_ms");
	code = pf_oci_exit_code(o, id, &finished);
	if (code < 0 && st->started_ms && !pf_oci_alive((pid_t)jint(rec, "conmon_pid"))) {
		/* The monitor is gone without a word (killed): if the
		 * container went with it, nobody will ever know its code. */
		code = pf_oci_exit_code(o, id, &finished);
		if (code < 0 && !pf_oci_alive((pid_t)jint(rec, "pid"))) {
			st->state = PF_RT_EXITED;
			st->exit_code = 137;
			st->finished_ms = pf_wall_ms();
			st->reason = pf_xstrdup("ContainerStatusUnknown");
			st->message = pf_xstrdup("The container's monitor (conmon) died; its exit "
						 "code is unknown");
			json_decref(rec);
			return 0;
		}
	}
	if (code >= 0) {
		_cleanup_free_ char *tpath =
		    pf_xasprintf("%s/containers/%s/termination-log", o->root, id);
		_cleanup_free_ char *msg = NULL;
		size_t len = 0;
		const char *policy = jstr(rec, "termination_message_policy");

		st->state = PF_RT_EXITED;
		st->exit_code = code;
		st->finished_ms = finished;
		if (!st->started_ms)
			st->started_ms = finished;
		if (code != 0 && oom_killed(o, id, rec))
			st->reason = pf_xstrdup("OOMKilled");
		else
			st->reason = pf_xstrdup(code == 0 ? "Completed" : "Error");
		if (pf_read_file(tpath, 1 << 20, &msg, &len) == 0 && len) {
			/* kubelet reads at most the file's last 4096 bytes. */
			st->message = pf_xstrdup(len > MESSAGE_MAX ? msg + len - MESSAGE_MAX : msg);
		} else if (code != 0 && policy && strcmp(policy, "FallbackToLogsOnError") == 0) {
			st->message = log_tail(jstr(rec, "log_path"));
		}
	} else if (st->started_ms) {
		st->state = PF_RT_RUNNING;
	} else {
		st->state = PF_RT_CREATED;
	}
	json_decref(rec);
	return 0;
}

int pf_oci_list(struct pf_runtime *rt, struct pf_rt_list *out, struct pf_err *err)
{
	struct oci *o = oci_of(rt);
	_cleanup_free_ char *cd = pf_xasprintf("%s/containers", o->root);
	_cleanup_free_ char *sd = pf_xasprintf("%s/sandboxes", o->root);
	DIR *d;
	struct dirent *e;

	memset(out, 0, sizeof(*out));
	d = opendir(sd);
	while (d && (e = readdir(d))) {
		_cleanup_free_ char *dir = NULL, *recpath = NULL;
		json_t *rec;
		if (!pf_oci_valid_id(e->d_name) || !(dir = pf_oci_sandbox_dir(o, e->d_name)))
			continue;
		recpath = pf_xasprintf("%s/sandbox.json", dir);
		rec = pf_oci_read_json(recpath);
		out->items = pf_xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
		out->items[out->n++] = (struct pf_rt_item){
		    .id = pf_xstrdup(e->d_name),
		    .pod_uid = pf_xstrdup(rec && jstr(rec, "pod_uid") ? jstr(rec, "pod_uid") : ""),
		    .state = PF_RT_RUNNING,
		};
		json_decref(rec);
	}
	if (d)
		closedir(d);
	d = opendir(cd);
	while (d && (e = readdir(d))) {
		json_t *rec;
		struct pf_rt_status st;
		struct pf_err e2 = PF_ERR_INIT;
		if (!pf_oci_valid_id(e->d_name) || !(rec = pf_oci_container_record(o, e->d_name)))
			continue;
		if (pf_oci_container_status(rt, e->d_name, &st, &e2) < 0)
			st.state = PF_RT_EXITED;
		out->items = pf_xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
		out->items[out->n++] = (struct pf_rt_item){
		    .id = pf_xstrdup(e->d_name),
		    .sandbox_id =
			pf_xstrdup(jstr(rec, "sandbox_id") ? jstr(rec, "sandbox_id") : ""),
		    .pod_uid = pf_xstrdup(jstr(rec, "pod_uid") ? jstr(rec, "pod_uid") : ""),
		    .container_name =
			pf_xstrdup(jstr(rec, "container_name") ? jstr(rec, "container_name") : ""),
		    .state = st.state,
		};
		pf_rt_status_free(&st);
		json_decref(rec);
	}
	if (d)
		closedir(d);
	return 0;
}

int pf_oci_image_status(struct pf_runtime *rt, const char *ref, char **image_id, struct pf_err *err)
{
	struct pf_image img = {0};
	int r = pf_image_resolve(oci_of(rt)->images, ref, &img, err);

	if (r == 0)
		*image_id = pf_xstrdup(img.id);
	pf_image_free(&img);
	return r;
}

static _Thread_local int64_t du_bytes;

static int du_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F || flag == FTW_D || flag == FTW_DP || flag == FTW_SL)
		du_bytes += (int64_t)st->st_blocks * 512;
	return 0;
}

int pf_oci_volume_usage(struct pf_runtime *rt, const char *pod_uid, const char *volume,
			int64_t *bytes, struct pf_err *err)
{
	_cleanup_free_ char *p = NULL;

	if (!pod_uid || strchr(pod_uid, '/') || strchr(volume, '/') || volume[0] == '.')
		return pf_err_set(err, EINVAL, "bad volume \"%s\"", volume);
	p = pf_xasprintf("%s/pods/%s/volumes/%s", oci_of(rt)->state, pod_uid, volume);
	if (!path_exists(p))
		return pf_err_set(err, ENOENT, "no volume \"%s\"", volume);
	du_bytes = 0;
	if (nftw(p, du_entry, 16, FTW_PHYS | FTW_MOUNT) < 0)
		return pf_err_sys(err, errno, "measure %s", p);
	*bytes = du_bytes;
	return 0;
}

uint64_t pf_oci_changes(struct pf_runtime *rt)
{
	_cleanup_free_ char *p = pf_xasprintf("%s/exits", oci_of(rt)->root);
	struct stat st;

	if (stat(p, &st) < 0)
		return 0;
	return (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec;
}
