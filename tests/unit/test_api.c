/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_api - the API verbs on the in-memory store: create all-or-none,
 * names, uid, timeline; delete at once or gracefully; events and their
 * expiry.
 */
#include <errno.h>

#include "api.h"
#include "tap.h"

static const char *pod_doc(const char *name)
{
	static char buf[512];
	snprintf(buf, sizeof(buf),
		 "apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n"
		 "  - name: app\n    image: busybox\n",
		 name);
	return buf;
}

static int count(struct pf_store *s, const char *prefix)
{
	struct pf_kv_list l = {0};
	struct pf_err err = PF_ERR_INIT;
	int n = pf_store_list(s, prefix, &l, NULL, &err);
	pf_kv_list_free(&l);
	return n;
}

int main(void)
{
	struct pf_policy pol = {0};
	struct pf_err err = PF_ERR_INIT;
	struct pf_store *s = NULL;
	struct pf_api_created c = {0};
	struct pf_pod *pod = NULL;
	int r;

	ok(pf_store_open("mem:", &s, &err) == 0, "open mem store");

	r = pf_api_create_pods(s, pod_doc("a"), strlen(pod_doc("a")), "a.yaml", &pol, &c, &err);
	is_int(r, 1, "one pod created");
	ok(c.rev > 0, "creation revision reported");
	is_str(c.pods.items[0]->meta.name, "a", "created pod returned");
	pf_api_created_free(&c);

	ok(pf_api_get_pod(s, "a", &pod, &err) == 0, "get pod a");
	is_int((long long)strlen(pod->meta.uid), 36, "uid is a UUID");
	is_str(pod->status.phase, "Pending", "stored Pending");
	ok(pod->meta.creation_ms > 0, "creationTimestamp set");
	ok(pod->meta.resource_version > 0, "resourceVersion from the store");
	const char *tl = pf_strmap_get(&pod->meta.annotations, PF_TIMELINE_ANNOTATION);
	ok(tl && strstr(tl, " stored"), "timeline starts with stored");
	pf_pod_free(pod);
	pod = NULL;

	pf_err_clear(&err);
	r = pf_api_create_pods(s, pod_doc("a"), strlen(pod_doc("a")), "b.yaml", &pol, &c, &err);
	is_int(r, -EEXIST, "same name again: EEXIST");
	is_str(err.msg, "pods \"a\" already exists", "kubectl's AlreadyExists wording");

	/* All or none. */
	char two[1024];
	snprintf(two, sizeof(two), "%s---\n", pod_doc("fresh"));
	strncat(two, pod_doc("a"), sizeof(two) - strlen(two) - 1);
	pf_err_clear(&err);
	r = pf_api_create_pods(s, two, strlen(two), "two.yaml", &pol, &c, &err);
	is_int(r, -EEXIST, "a file with one taken name fails");
	ok(pf_api_get_pod(s, "fresh", &pod, &err) == -ENOENT, "and stores none of its pods");
	is_str(err.msg, "pods \"fresh\" not found", "kubectl's NotFound wording");

	/* Invalid input is refused with the validator's message and nothing stored. */
	pf_err_clear(&err);
	const char *bad =
	    "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: c}]}\n";
	r = pf_api_create_pods(s, bad, strlen(bad), "bad.yaml", &pol, &c, &err);
	is_int(r, -EINVAL, "invalid pod: EINVAL");
	ok(strstr(err.msg, "spec.containers[0].image: Required value") != NULL, "with the cause");
	is_int(count(s, PF_POD_PREFIX), 1, "still one pod stored");

	/* Delete: unbound goes at once. */
	pf_err_clear(&err);
	ok(pf_api_delete_pod(s, "a", NULL, &err) == 0, "delete unbound pod");
	is_int(count(s, PF_POD_PREFIX), 0, "it is gone");
	is_int(pf_api_delete_pod(s, "a", NULL, &err), -ENOENT, "delete again: ENOENT");

	/* Delete: bound gets deletionTimestamp and the grace period. */
	pf_err_clear(&err);
	pf_api_create_pods(s, pod_doc("b"), strlen(pod_doc("b")), "b.yaml", &pol, &c, &err);
	pf_api_created_free(&c);
	ok(pf_api_get_pod(s, "b", &pod, &err) == 0, "get b");
	pod->spec.node_name = pf_xstrdup("n1");
	struct pf_buf v = PF_BUF_INIT;
	pf_pod_encode(pod, &v);
	ok(pf_store_update(s, PF_POD_PREFIX "b", v.buf, v.len, pod->meta.resource_version, NULL,
			   &err) == 0,
	   "bind b to n1");
	pf_buf_release(&v);
	pf_pod_free(pod);
	pod = NULL;
	ok(pf_api_delete_pod(s, "b", NULL, &err) == 0, "delete bound pod");
	ok(pf_api_get_pod(s, "b", &pod, &err) == 0, "it is still there");
	ok(pod->meta.deletion_ms > 0, "with a deletionTimestamp");
	is_int(pod->meta.deletion_grace_period_seconds, 30, "and the grace period");
	int64_t rv = pod->meta.resource_version;
	pf_pod_free(pod);
	pod = NULL;
	ok(pf_api_delete_pod_why(s, "b", NULL, "DisruptionTarget", "Evicted", "m", NULL, &err) == 0,
	   "a controller deleting a terminating pod");
	ok(pf_api_get_pod(s, "b", &pod, &err) == 0 && pod->meta.resource_version == rv,
	   "changes nothing");
	pf_pod_free(pod);
	pod = NULL;
	ok(pf_api_delete_pod(s, "b", NULL, &err) == 0, "deleting a terminating pod again");
	is_int(pf_api_get_pod(s, "b", &pod, &err), -ENOENT,
	       "removes it at once (kubectl delete --grace-period=0 --force)");
	pf_err_clear(&err);

	/* Events: stored under the object's name, expired after the TTL. */
	pf_api_event(s, "Pod", "b", "u", "Normal", "Scheduled", "default-scheduler", "hello %d", 1);
	pf_api_event(s, "", "", NULL, "Warning", "FailedCreate", "podfs-api", "nope");
	is_int(count(s, PF_EVENT_PREFIX "b."), 1, "event keyed by the object's name");
	is_int(count(s, PF_EVENT_PREFIX), 2, "two events");
	is_int(pf_api_expire_events(s, pf_wall_ns() - 3600ll * 1000000000), 0,
	       "nothing older than an hour");
	is_int(pf_api_expire_events(s, pf_wall_ns() + 1), 2, "both expire once old enough");
	is_int(count(s, PF_EVENT_PREFIX), 0, "and are gone");

	pf_store_close(s);
	return tap_done();
}
