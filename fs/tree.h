/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tree.h - path -> object: the layout of the mount (podfs(5)) and the FUSE
 * inode numbers that name each file.
 *
 * An inode number encodes what it names, so no inode table is kept:
 *   bits 60-63 kind (fixed, pod, node, pending submission, image)
 *   bits 16-59 the object's cache serial (never reused)
 *   bits  8-15 container index + 1 (pods) or 0
 *   bits  0-7  file id within the object
 * A stale inode (object gone) simply no longer resolves: ENOENT.
 */
#ifndef PODFS_FS_TREE_H
#define PODFS_FS_TREE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

enum pf_ino_kind {
	PF_INO_FIXED = 0,
	PF_INO_POD = 1,
	PF_INO_NODE = 2,
	PF_INO_PENDING = 3,
	PF_INO_IMAGE = 4,
};

enum pf_fixed_ino {
	PF_INO_ROOT = 1, /* FUSE_ROOT_ID */
	PF_INO_PODS,
	PF_INO_NODES,
	PF_INO_IMAGES,
	PF_INO_EVENTS,
};

/* File ids inside a pod directory. */
enum pf_pod_fid {
	PF_POD_DIR = 0,
	PF_POD_STATUS,
	PF_POD_PHASE,
	PF_POD_NODE,
	PF_POD_IP,
	PF_POD_READY,
	PF_POD_RESTARTS,
	PF_POD_WHY,
	PF_POD_YAML,
	PF_POD_EVENTS,
	PF_POD_TIMELINE,
	PF_POD_LOGS,
	PF_POD_CONTAINERS,
	PF_POD_WAIT,
	PF_POD_WAIT_FIRST = 32, /* wait/<word>: PF_POD_WAIT_FIRST + index in pf_wait_words */
};

/* File ids inside pods/<p>/containers/<c>/. */
enum pf_ctr_fid {
	PF_CTR_DIR = 0,
	PF_CTR_STATE,
	PF_CTR_EXIT_CODE,
	PF_CTR_REASON,
	PF_CTR_RESTARTS,
	PF_CTR_IMAGE,
	PF_CTR_ID,
	PF_CTR_LOGS,
	PF_CTR_LOGS_PREVIOUS,
};

/* File ids inside nodes/<n>/. */
enum pf_node_fid {
	PF_NODE_DIR = 0,
	PF_NODE_STATUS,
	PF_NODE_CAPACITY,
	PF_NODE_ALLOCATABLE,
	PF_NODE_LABELS,
	PF_NODE_TAINTS,
	PF_NODE_PODS,
	PF_NODE_YAML,
};

struct pf_entry {
	const char *name;
	unsigned fid;
	bool dir;
};

/* The entries of a pod directory, a container directory, a node directory,
 * terminated by a NULL name. */
extern const struct pf_entry pf_pod_entries[];
extern const struct pf_entry pf_ctr_entries[];
extern const struct pf_entry pf_node_entries[];
/* The words wait/ understands (status words, phases, conditions, Deleted). */
extern const char *const pf_wait_words[];
extern const size_t pf_n_wait_words;

const struct pf_entry *pf_entry_find(const struct pf_entry *table, const char *name);
/* Index of word in pf_wait_words, or -1. */
int pf_wait_word_index(const char *word);

static inline uint64_t pf_ino(enum pf_ino_kind kind, uint64_t serial, unsigned cidx, unsigned fid)
{
	return ((uint64_t)kind << 60) | (serial << 16) | ((uint64_t)cidx << 8) | fid;
}
static inline enum pf_ino_kind pf_ino_kind(uint64_t ino)
{
	return (enum pf_ino_kind)(ino >> 60);
}
static inline uint64_t pf_ino_serial(uint64_t ino)
{
	return (ino >> 16) & ((1ull << 44) - 1);
}
static inline unsigned pf_ino_cidx(uint64_t ino)
{
	return (ino >> 8) & 0xff;
}
static inline unsigned pf_ino_fid(uint64_t ino)
{
	return ino & 0xff;
}

#endif
