/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podfs.c - the podfs command's entry point: it finds the subcommand and
 * hands over to its file (cmd_*.c), as git.c does to its builtins.
 * `podfs MOUNTPOINT` (no subcommand) is the all-in-one mount.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "pause.h"
#include "podfs.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
    {"validate", pf_cmd_validate},
    {"image", pf_cmd_image},
    {"node", pf_cmd_node},
    /* The PID 1 of pods that share their PID namespace, where the
     * podfs-pause program is absent (node/runtime/pause.c). */
    {"pause", pf_pause_main},
};

int main(int argc, char **argv)
{
	/* Started with 0, 1 or 2 closed, the first files opened would take
	 * their place (and the start-up pipe be replaced by /dev/null). */
	int fd;
	while ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0 && fd <= 2)
		fcntl(fd, F_SETFD, 0);
	if (fd > 2)
		close(fd);
	if (argc < 2) {
		pf_cmd_usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < PF_ARRAY_SIZE(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	return pf_cmd_mount(argc, argv);
}
