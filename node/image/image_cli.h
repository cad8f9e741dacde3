/*
 * image_cli.h - `podfs image import|list|rm|inspect`, the command line of
 * the image store (image.h).  fs/main.c dispatches here and nothing else.
 */
#ifndef PODFS_IMAGE_CLI_H
#define PODFS_IMAGE_CLI_H

#define PF_DEFAULT_STATE_DIR "/var/lib/podfs"

/* argv[0] is "image". Exit status: 0 done, 1 failed (message on stderr),
 * 2 bad usage. */
int pf_image_main(int argc, char **argv);

#endif
