/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - podfs-pause, the PID 1 of a pod that shares its PID namespace
 * (node/pause.h), as a program of its own: linked with libc alone, so each
 * such pod pays a few hundred kilobytes for it rather than the podfs
 * binary's libraries.  The node agent runs it; `podfs pause` is the same
 * code, used when this program is not installed beside podfs.
 */
#include "pause.h"

int main(int argc, char **argv)
{
	return pf_pause_main(argc, argv);
}
