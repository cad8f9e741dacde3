/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsop - one file system call as a test sees it: prints "OK" or the errno's
 * symbol (EINVAL, EEXIST ...) so shell tests assert errno by name, not by
 * the shell's wording of it.  Exit status 0 for OK, 1 otherwise.
 *
 *   fsop write PATH      stdin -> PATH (open O_CREAT|O_TRUNC, write, close);
 *                        the errno of whichever step failed first
 *   fsop rename OLD NEW  fsop unlink PATH  fsop rmdir PATH  fsop mkdir PATH
 *   fsop read PATH       prints the content after "OK\n" (or the errno)
 *   fsop write-rename PATH NEW   stdin -> PATH, rename to NEW while still
 *                        open, then close: the errno of the rename, then of
 *                        the close, one a line
 *   fsop chmod MODE PATH  chmod(2), MODE in octal
 *   fsop chown UID PATH   chown(2) to UID:UID
 *   fsop utime PATH       utimensat(2) to 2001-09-09 01:46:40 UTC (touch -d)
 *   fsop readfor MS PATH read with a deadline: "OK\n<data>", an errno, or
 *                        "TIMEOUT" when MS passes (the read is interrupted
 *                        by SIGALRM, which exercises FUSE interrupts)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int report(int e)
{
	if (!e) {
		printf("OK\n");
		return 0;
	}
	printf("%s\n", strerrorname_np(e) ? strerrorname_np(e) : "EUNKNOWN");
	return 1;
}

static int do_write(const char *path)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0)
		return report(errno);
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0) {
				int e = errno;
				close(fd);
				return report(e);
			}
			off += w;
		}
	}
	if (close(fd) < 0)
		return report(errno);
	return report(0);
}

static int do_write_rename(const char *path, const char *to)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0)
		return report(errno);
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			break;
	report(rename(path, to) ? errno : 0);
	return report(close(fd) ? errno : 0);
}

static volatile sig_atomic_t alarmed;
static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

static int do_read(const char *path, long ms)
{
	static char buf[1 << 20];
	size_t len = 0;
	ssize_t n;
	int fd;

	if (ms > 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm; /* no SA_RESTART: read returns EINTR */
		sigaction(SIGALRM, &sa, NULL);
		ualarm((useconds_t)(ms * 1000), 0);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (alarmed) {
			printf("TIMEOUT\n");
			return 1;
		}
		return report(errno);
	}
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	if (n < 0) {
		int e = errno;
		close(fd);
		if (e == EINTR && alarmed) {
			printf("TIMEOUT\n");
			return 1;
		}
		return report(e);
	}
	close(fd);
	report(0);
	fwrite(buf, 1, len, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "write"))
		return do_write(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "write-rename"))
		return do_write_rename(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "read"))
		return do_read(argv[2], 0);
	if (argc == 4 && !strcmp(argv[1], "readfor"))
		return do_read(argv[3], atol(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "rename"))
		return report(rename(argv[2], argv[3]) ? errno : 0);
	if (argc == 3 && !strcmp(argv[1], "unlink"))
		return report(unlink(argv[2]) ? errno : 0);
	if (argc == 3 && !strcmp(argv[1], "rmdir"))
		return report(rmdir(argv[2]) ? errno : 0);
	if (argc == 4 && !strcmp(argv[1], "chmod"))
		return report(chmod(argv[3], (mode_t)strtol(argv[2], NULL, 8)) ? errno : 0);
	if (argc == 4 && !strcmp(argv[1], "chown"))
		return report(chown(argv[3], (uid_t)atol(argv[2]), (gid_t)atol(argv[2])) ? errno
											 : 0);
	if (argc == 3 && !strcmp(argv[1], "utime")) {
		const struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
		return report(utimensat(AT_FDCWD, argv[2], ts, 0) ? errno : 0);
	}
	if (argc == 3 && !strcmp(argv[1], "mkdir"))
		return report(mkdir(argv[2], 0755) ? errno : 0);
	fprintf(stderr, "usage: fsop write|read|rename|unlink|rmdir|mkdir|utime PATH [PATH]\n"
			"       fsop chmod MODE PATH | chown UID PATH | readfor MS PATH\n");
	return 2;
}
