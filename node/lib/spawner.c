/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spawner.c - fork + exec with a deadline and captured output (spawner.h).
 *
 * The child does only async-signal-safe work between fork and exec (the
 * parent is multi-threaded, and under ASan malloc in the child could
 * deadlock): everything it needs - the environment, the descriptor plan - is
 * built before the fork.  The parent waits on a pidfd and the pipes with
 * poll(2), so the deadline covers a child that hangs with its pipes open.
 */
#include "spawner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define DEFAULT_TIMEOUT_MS 30000
#define CAPTURE_MAX	   (256 * 1024)

extern char **environ;

int (*pf_spawn_hook)(const char *const *argv);

void pf_spawn_out_free(struct pf_spawn_out *o)
{
	free(o->out);
	free(o->err);
	o->out = o->err = NULL;
}

/* environ plus the extras, as one NULL-terminated array (the strings are
 * borrowed). */
static char **build_env(const char *const *extra)
{
	size_t n = 0, k = 0, m = 0;
	char **v;

	while (environ[n])
		n++;
	while (extra && extra[m])
		m++;
	v = pf_xcalloc(n + m + 1, sizeof(*v));
	for (size_t i = 0; i < m; i++)
		v[k++] = (char *)extra[i];
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		bool shadowed = false;

		/* An extra "K=V" replaces the inherited K. */
		for (size_t j = 0; eq && j < m && !shadowed; j++)
			shadowed =
			    strncmp(extra[j], environ[i], (size_t)(eq - environ[i] + 1)) == 0;
		if (!shadowed)
			v[k++] = environ[i];
	}
	v[k] = NULL;
	return v;
}

static _Noreturn void child(const struct pf_spawn *s, char **envp, int in_r, int out_w, int err_w)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int base = 3 + (int)s->n_pass_fds + 3;
	int moved[16];
	sigset_t all;

	/* The agent's threads block signals for sigwait; the child must not
	 * inherit that, nor the agent's dispositions. */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (devnull < 0 || s->n_pass_fds > PF_ARRAY_SIZE(moved))
		_exit(127);
	/* Out of the way first, so that dup2 to 3.. cannot clobber a source. */
	for (size_t i = 0; i < s->n_pass_fds; i++) {
		moved[i] = fcntl(s->pass_fds[i], F_DUPFD, base + 16);
		if (moved[i] < 0)
			_exit(127);
	}
	if (dup2(in_r >= 0 ? in_r : devnull, 0) < 0 || dup2(out_w >= 0 ? out_w : devnull, 1) < 0 ||
	    dup2(err_w, 2) < 0)
		_exit(127);
	for (size_t i = 0; i < s->n_pass_fds; i++)
		if (dup2(moved[i], 3 + (int)i) < 0)
			_exit(127);
	syscall(SYS_close_range, 3 + (unsigned)s->n_pass_fds, ~0U, 0);
	if (s->cwd && chdir(s->cwd) < 0) {
		static const char cwd_msg[] = "podfs-spawn: cannot enter the working directory\n";
		if (write(2, cwd_msg, sizeof(cwd_msg) - 1) < 0) {
		}
		_exit(127);
	}
	execvpe(s->argv[0], (char *const *)s->argv, envp);
	/* The parent reads this from the stderr pipe. */
	static const char msg[] = "podfs-spawn: exec failed\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
	}
	_exit(127);
}

static void take(int fd, struct pf_buf *b, bool *eof)
{
	char tmp[8192];

	for (;;) {
		ssize_t r = read(fd, tmp, sizeof(tmp));
		if (r > 0) {
			if (b->len < CAPTURE_MAX)
				pf_buf_add(b, tmp, (size_t)r);
			continue;
		}
		if (r == 0)
			*eof = true;
		else if (errno == EINTR)
			continue;
		else if (errno != EAGAIN)
			*eof = true;
		return;
	}
}

int pf_spawn_run(const struct pf_spawn *s, struct pf_spawn_out *o, struct pf_err *err)
{
	int outp[2] = {-1, -1}, errp[2] = {-1, -1}, inp[2] = {-1, -1};
	int timeout = s->timeout_ms > 0 ? s->timeout_ms : DEFAULT_TIMEOUT_MS;
	int64_t deadline = pf_now_ns() + (int64_t)timeout * 1000000;
	struct pf_buf ob = PF_BUF_INIT, eb = PF_BUF_INIT;
	bool out_eof = !s->keep_stdout, err_eof = false, exited = false, timed_out = false;
	_cleanup_free_ char **envp = NULL;
	int pidfd = -1, wstatus = 0, r = 0;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (pf_spawn_hook) {
		r = pf_spawn_hook(s->argv);
		if (r < 0)
			return pf_err_sys(err, -r, "run %s (injected fault)", s->argv[0]);
	}
	if ((s->keep_stdout && pipe2(outp, O_CLOEXEC) < 0) || pipe2(errp, O_CLOEXEC) < 0) {
		r = pf_err_sys(err, errno, "run %s: pipe", s->argv[0]);
		goto out;
	}
	if (s->in) {
		if (s->in_len > 65536) {
			r = pf_err_set(err, E2BIG, "run %s: its input is over 64 KiB", s->argv[0]);
			goto out;
		}
		if (pipe2(inp, O_CLOEXEC) < 0) {
			r = pf_err_sys(err, errno, "run %s: pipe", s->argv[0]);
			goto out;
		}
		fcntl(inp[1], F_SETPIPE_SZ, 65536);
		for (size_t off = 0; off < s->in_len;) {
			ssize_t w = write(inp[1], s->in + off, s->in_len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				r = pf_err_sys(err, errno, "run %s: write its input", s->argv[0]);
				goto out;
			}
			off += (size_t)w;
		}
		close(inp[1]);
		inp[1] = -1;
	}
	envp = build_env(s->env);
	pid = fork();
	if (pid < 0) {
		r = pf_err_sys(err, errno, "run %s: fork", s->argv[0]);
		goto out;
	}
	if (pid == 0)
		child(s, envp, inp[0], outp[1], errp[1]);
	if (outp[1] >= 0)
		close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	if (outp[0] >= 0)
		fcntl(outp[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0) {
		/* Cannot happen on the kernels podfs supports; do not leak the child. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		r = pf_err_sys(err, errno, "run %s: pidfd_open", s->argv[0]);
		goto out;
	}

	while (!exited || (!s->no_wait_eof && (!out_eof || !err_eof))) {
		struct pollfd p[3];
		nfds_t n = 0;
		int64_t left = (deadline - pf_now_ns()) / 1000000;

		if (left <= 0 && !timed_out) {
			/* The child first; what it leaves holding our pipes stops
			 * mattering once we stop waiting for EOF. */
			kill(pid, SIGKILL);
			timed_out = true;
		}
		if (timed_out && exited)
			break;
		if (!exited)
			p[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
		if (!out_eof)
			p[n++] = (struct pollfd){.fd = outp[0], .events = POLLIN};
		if (!err_eof)
			p[n++] = (struct pollfd){.fd = errp[0], .events = POLLIN};
		if (poll(p, n, timed_out ? 1000 : (int)(left > 1000 ? 1000 : left + 1)) < 0 &&
		    errno != EINTR)
			break;
		if (!out_eof)
			take(outp[0], &ob, &out_eof);
		if (!err_eof)
			take(errp[0], &eb, &err_eof);
		if (!exited && waitpid(pid, &wstatus, WNOHANG) == pid)
			exited = true;
	}
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &wstatus, 0);
	}
	/* What a daemonised grandchild wrote before we stopped listening. */
	if (!out_eof)
		take(outp[0], &ob, &out_eof);
	if (!err_eof)
		take(errp[0], &eb, &err_eof);
	o->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	if (timed_out)
		r = pf_err_set(err, ETIMEDOUT, "%s did not finish within %d ms and was killed",
			       s->argv[0], timeout);
	else if (o->status == 127 && strstr(eb.buf ? eb.buf : "", "podfs-spawn: exec failed"))
		r = pf_err_set(err, ENOENT, "cannot run %s: not found or not executable",
			       s->argv[0]);
out:
	if (pidfd >= 0)
		close(pidfd);
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (inp[i] >= 0)
			close(inp[i]);
	}
	o->out = s->keep_stdout ? pf_buf_detach(&ob, NULL) : NULL;
	pf_buf_release(&ob);
	o->err = pf_buf_detach(&eb, NULL);
	return r;
}
