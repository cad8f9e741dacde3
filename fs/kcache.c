/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kcache.c - what the kernel may keep of the mount (attributes, names)
 * and what to drop when objects change.  Decides and queues; the sending
 * is inval.c's, on its own thread.
 */
#include "ops-internal.h"

#include "inval.h"

/* May the kernel keep this file's attributes (its size) until told
 * otherwise?  Only text that changes exactly when its object changes, and
 * only when invalidations can be sent.  Reads never use the page cache. */
bool pf_kernel_cacheable(struct pf_fs *fs, uint64_t ino)
{
	if (!fs->inval)
		return false;
	switch (pf_ino_kind(ino)) {
	case PF_INO_FIXED:
		return ino == PF_INO_EVENTS;
	case PF_INO_POD:
		if (pf_ino_cidx(ino))
			return pf_ino_fid(ino) != PF_CTR_LOGS &&
			       pf_ino_fid(ino) != PF_CTR_LOGS_PREVIOUS;
		return pf_ino_fid(ino) != PF_POD_LOGS && pf_ino_fid(ino) < PF_POD_WAIT_FIRST;
	case PF_INO_NODE:
		/* nodes/<n>/pods changes with pods, not with the node. */
		return pf_ino_fid(ino) != PF_NODE_PODS;
	default:
		return false;
	}
}

void pf_fs_invalidate(struct pf_fs *fs, const struct pf_cache_changes *ch)
{
	if (!fs->inval)
		return;
	for (size_t i = 0; i < ch->n_deleted; i++)
		pf_inval_push(fs->inval, PF_INO_PODS, ch->deleted_pods[i]);
	if (ch->events)
		pf_inval_push_inode(fs->inval, PF_INO_EVENTS);
	for (size_t i = 0; i < ch->n_pods; i++) {
		size_t nc = 0;

		pf_cache_rdlock(fs->cache);
		const struct pf_cpod *p = pf_cache_pod_serial(fs->cache, ch->pods[i]);
		if (p)
			nc = p->s.n_containers < 255 ? p->s.n_containers : 255;
		pf_cache_unlock(fs->cache);
		for (const struct pf_entry *e = pf_pod_entries; e->name; e++) {
			uint64_t ino = pf_ino(PF_INO_POD, ch->pods[i], 0, e->fid);
			if (!e->dir && pf_kernel_cacheable(fs, ino))
				pf_inval_push_inode(fs->inval, ino);
		}
		for (unsigned c = 1; c <= nc; c++)
			for (const struct pf_entry *e = pf_ctr_entries; e->name; e++) {
				uint64_t ino = pf_ino(PF_INO_POD, ch->pods[i], c, e->fid);
				if (!e->dir && pf_kernel_cacheable(fs, ino))
					pf_inval_push_inode(fs->inval, ino);
			}
	}
	for (size_t i = 0; i < ch->n_nodes; i++)
		for (const struct pf_entry *e = pf_node_entries; e->name; e++) {
			uint64_t ino = pf_ino(PF_INO_NODE, ch->nodes[i], 0, e->fid);
			if (!e->dir && pf_kernel_cacheable(fs, ino))
				pf_inval_push_inode(fs->inval, ino);
		}
}
