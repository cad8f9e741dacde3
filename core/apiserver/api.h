/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.h - the API server's verbs on top of the store: create pods from a
 * submission (admission, names, uid, timestamps, one transaction), delete a
 * pod (at once when no node holds it, gracefully otherwise), record events.
 *
 * The FUSE layer, `podfs validate` and the tests call these; none of them
 * writes pod keys by hand.  No FUSE, no exec, no containers here.
 */
#ifndef PODFS_API_H
#define PODFS_API_H

#include "errors.h"
#include "types.h"
#include "store.h"
#include "manifest.h"
#include "validate.h"

#define PF_POD_PREFIX	"/registry/pods/default/"
#define PF_NODE_PREFIX	"/registry/minions/"
#define PF_EVENT_PREFIX "/registry/events/default/"
/* "<epoch ms> <step> [detail]" lines, one per step of the workflow: the API
 * layer writes "stored", the scheduler "scheduled NODE", the node agent the
 * rest; pods/<p>/timeline shows them as offsets from the first. */
#define PF_TIMELINE_ANNOTATION "podfs.io/timeline"
/* The uid of the user whose write into pods/ created the pod. */
#define PF_CREATOR_ANNOTATION "podfs.io/creator-uid"

struct pf_api_created {
	struct pf_pod_list pods; /* the stored pods, in submission order */
	int64_t rev;		 /* the store revision of the creation */
};
void pf_api_created_free(struct pf_api_created *c);

/* Key of pod name (a new string). */
char *pf_pod_key(const char *name);
/* Name part of a pod or node key, pointing into key; NULL if key is not one. */
const char *pf_key_name(const char *key, const char *prefix);

/*
 * Admit and store every pod of a submission, all or none.  source names it
 * in messages (the file name).  Returns the number of pods, or -EINVAL,
 * -EEXIST ("pods \"x\" already exists"), -EFBIG, -EPERM with kubectl's
 * message, or a store error.
 */
int pf_api_create_pods(struct pf_store *s, const char *data, size_t len, const char *source,
		       const struct pf_policy *policy, struct pf_api_created *out,
		       struct pf_err *err);
/* The same, for a submission of a known user: creator_uid (-1 unknown) is
 * recorded on every pod as the PF_CREATOR_ANNOTATION annotation. */
int pf_api_create_pods_as(struct pf_store *s, const char *data, size_t len, const char *source,
			  const struct pf_policy *policy, int64_t creator_uid,
			  struct pf_api_created *out, struct pf_err *err);

/* Read one pod (resource_version set from the store).  -ENOENT:
 * "pods \"x\" not found". */
int pf_api_get_pod(struct pf_store *s, const char *name, struct pf_pod **out, struct pf_err *err);

/*
 * Delete a pod as `kubectl delete pod` does: a pod that no node holds goes at
 * once; a pod bound to a node gets deletionTimestamp and the grace period,
 * and the node agent removes it when its containers are gone.  Deleting a
 * pod already terminating removes it at once, as `kubectl delete
 * --grace-period=0 --force` does; the node agent then kills what is left
 * without a grace period.  -ENOENT when absent.
 */
int pf_api_delete_pod(struct pf_store *s, const char *name, int64_t *rev, struct pf_err *err);
/* The same for a controller that deletes a pod for a reason (the taint
 * eviction controller): the condition cond_type (status True, reason,
 * message) is set in the deleting write, as Kubernetes marks such pods
 * (DisruptionTarget); only the pod of that uid is deleted (-ENOENT else). */
int pf_api_delete_pod_why(struct pf_store *s, const char *name, const char *uid,
			  const char *cond_type, const char *reason, const char *message,
			  int64_t *rev, struct pf_err *err);

/* Store an event (core/v1 Event) about an object; kind "" for events with no
 * object (rejected writes).  Failures are logged, never returned: an event
 * that cannot be stored must not fail the action it describes. */
void pf_api_event(struct pf_store *s, const char *kind, const char *name, const char *uid,
		  const char *type, const char *reason, const char *component, const char *fmt, ...)
    PF_PRINTF(8, 9);

/* Events live an hour, as with the API server's default --event-ttl; every
 * PF_EVENT_GC_EVERY events a process writes, it removes the expired ones. */
#define PF_EVENT_TTL_S	  3600
#define PF_EVENT_GC_EVERY 512
/* Delete events recorded before before_ns (wall clock); the count deleted. */
int pf_api_expire_events(struct pf_store *s, int64_t before_ns);
/* The same event as pf_api_event, built for a caller that writes it in its
 * own transaction (the node agent stores a pod's status and the events
 * about it at once).  host is the reporting node (source.host; NULL for
 * none).  Returns the event's key (a new string); the value is appended to
 * val. */
char *pf_api_event_build(const char *kind, const char *name, const char *uid, const char *type,
			 const char *reason, const char *component, const char *host,
			 const char *message, struct pf_buf *val);

/* A random RFC 4122 version 4 UUID (37 bytes with the NUL). */
void pf_uuid4(char out[37]);

#endif
