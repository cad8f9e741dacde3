/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tree.c - the names of the files in each directory of the mount.  The
 * layout is the user contract (podfs(5)); change it only with the man page.
 */
#include "tree.h"

#include <string.h>

const struct pf_entry pf_pod_entries[] = {
    {"status", PF_POD_STATUS, false}, {"phase", PF_POD_PHASE, false},
    {"node", PF_POD_NODE, false},     {"ip", PF_POD_IP, false},
    {"ready", PF_POD_READY, false},   {"restarts", PF_POD_RESTARTS, false},
    {"why", PF_POD_WHY, false},	      {"pod.yaml", PF_POD_YAML, false},
    {"events", PF_POD_EVENTS, false}, {"timeline", PF_POD_TIMELINE, false},
    {"logs", PF_POD_LOGS, false},     {"containers", PF_POD_CONTAINERS, true},
    {"wait", PF_POD_WAIT, true},      {NULL, 0, false},
};

const struct pf_entry pf_ctr_entries[] = {
    {"state", PF_CTR_STATE, false},
    {"exit_code", PF_CTR_EXIT_CODE, false},
    {"reason", PF_CTR_REASON, false},
    {"restarts", PF_CTR_RESTARTS, false},
    {"image", PF_CTR_IMAGE, false},
    {"id", PF_CTR_ID, false},
    {"logs", PF_CTR_LOGS, false},
    {"logs.previous", PF_CTR_LOGS_PREVIOUS, false},
    {NULL, 0, false},
};

const struct pf_entry pf_node_entries[] = {
    {"status", PF_NODE_STATUS, false},		 {"capacity", PF_NODE_CAPACITY, false},
    {"allocatable", PF_NODE_ALLOCATABLE, false}, {"labels", PF_NODE_LABELS, false},
    {"taints", PF_NODE_TAINTS, false},		 {"pods", PF_NODE_PODS, false},
    {"node.yaml", PF_NODE_YAML, false},		 {NULL, 0, false},
};

/* Status words of kubectl's STATUS column, phases and condition types.  The
 * first ones are listed by readdir; all of them can be waited for. */
const char *const pf_wait_words[] = {
    "Scheduled",
    "Running",
    "Ready",
    "Succeeded",
    "Failed",
    "Deleted",
    "Initialized",
    "ContainersReady",
    "PodScheduled",
    "PodReadyToStartContainers",
    "Pending",
    "ContainerCreating",
    "Completed",
    "Error",
    "CrashLoopBackOff",
    "ErrImagePull",
    "ImagePullBackOff",
    "OOMKilled",
    "Terminating",
    "Unknown",
    "NotReady",
};
const size_t pf_n_wait_words = sizeof(pf_wait_words) / sizeof(pf_wait_words[0]);

const struct pf_entry *pf_entry_find(const struct pf_entry *table, const char *name)
{
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

int pf_wait_word_index(const char *word)
{
	for (size_t i = 0; i < pf_n_wait_words; i++)
		if (strcmp(pf_wait_words[i], word) == 0)
			return (int)i;
	return -1;
}
