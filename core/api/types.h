/* SPDX-License-Identifier: Apache-2.0 */
/*
 * types.h - the API types: the Pod, Node, Event and Lease objects of podfs,
 * one source of truth for field names.  The codec of manifest.h (core/api:
 * yamlread.c, schema.c, decode.c, encode.c) decodes YAML into these structs
 * and encodes them back (as `kubectl get -o yaml` shows them);
 * core/apiserver/validate.c checks and defaults them; every other module
 * reads them.
 *
 * Conventions: a char * that is NULL means "not set" (omitted on output);
 * lists are {items, n}; optional scalars carry a has_ flag; tri-state bools
 * use enum pf_tri.  Every struct is owned by whoever holds the outermost
 * pointer and is released with its pf_*_free(); free functions accept NULL.
 * Timestamps are wall-clock milliseconds since the epoch, 0 = unset.
 */
#ifndef PODFS_TYPES_H
#define PODFS_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

enum pf_tri { PF_UNSET = 0, PF_FALSE = 1, PF_TRUE = 2 };

struct pf_strlist {
	char **items;
	size_t n;
};

/* An ordered string map (labels, annotations, nodeSelector).  Order is the
 * order of the manifest; output sorts keys as the API server's JSON does. */
struct pf_pair {
	char *key;
	char *value;
};
struct pf_strmap {
	struct pf_pair *items;
	size_t n;
};

/* A Kubernetes resource quantity ("100m", "64Mi", "1G", "0.5").  milli is
 * the value times 1000 (cpu: millicores; memory: milli-bytes, so bytes =
 * milli / 1000); str is the canonical form the API server would print. */
struct pf_quantity {
	int64_t milli;
	char *str;
};
struct pf_resource {
	char *name; /* cpu, memory, ephemeral-storage, pods, hugepages-2Mi ... */
	struct pf_quantity q;
};
struct pf_reslist {
	struct pf_resource *items;
	size_t n;
};
struct pf_resources {
	struct pf_reslist requests;
	struct pf_reslist limits;
};

/* intstr.IntOrString, as in probe ports. */
struct pf_intstr {
	bool is_str;
	int32_t num;
	char *str;
};

struct pf_env_var {
	char *name;
	char *value;	      /* NULL when unset or when value_from is used */
	char *field_ref_path; /* valueFrom.fieldRef.fieldPath */
	char *field_ref_api;  /* valueFrom.fieldRef.apiVersion (default v1) */
	char *resource_ref;   /* valueFrom.resourceFieldRef.resource */
	char *resource_ref_container;
	struct pf_quantity resource_ref_divisor; /* str NULL = unset */
};

struct pf_container_port {
	char *name;
	int32_t container_port;
	int32_t host_port; /* 0 = unset */
	char *host_ip;
	char *protocol; /* defaulted to TCP */
};

struct pf_http_header {
	char *name;
	char *value;
};

/* The action of a probe or lifecycle hook. */
enum pf_handler_kind {
	PF_HANDLER_NONE = 0,
	PF_HANDLER_EXEC,
	PF_HANDLER_HTTP,
	PF_HANDLER_TCP,
	PF_HANDLER_GRPC,
	PF_HANDLER_SLEEP,
};
struct pf_handler {
	enum pf_handler_kind kind;
	struct pf_strlist exec_command; /* exec.command */
	char *http_path;		/* httpGet.path */
	struct pf_intstr port;		/* httpGet/tcpSocket/grpc port */
	char *host;			/* httpGet.host, tcpSocket.host */
	char *http_scheme;		/* HTTP | HTTPS, defaulted to HTTP */
	struct pf_http_header *http_headers;
	size_t n_http_headers;
	char *grpc_service;
	int64_t sleep_seconds; /* sleep.seconds */
};

struct pf_probe {
	bool set; /* false: the container has no such probe */
	struct pf_handler handler;
	int32_t initial_delay_seconds; /* default 0 */
	int32_t timeout_seconds;       /* default 1 */
	int32_t period_seconds;	       /* default 10 */
	int32_t success_threshold;     /* default 1 */
	int32_t failure_threshold;     /* default 3 */
	bool has_termination_grace_period_seconds;
	int64_t termination_grace_period_seconds;
};

struct pf_lifecycle {
	struct pf_handler post_start; /* kind NONE = unset */
	struct pf_handler pre_stop;
};

struct pf_capabilities {
	struct pf_strlist add;
	struct pf_strlist drop;
	bool set;
};

struct pf_seccomp_profile {
	char *type; /* RuntimeDefault | Unconfined | Localhost, NULL = unset */
	char *localhost_profile;
};

struct pf_security_context {
	bool set;
	enum pf_tri privileged;
	enum pf_tri run_as_non_root;
	enum pf_tri read_only_root_filesystem;
	enum pf_tri allow_privilege_escalation;
	bool has_run_as_user;
	int64_t run_as_user;
	bool has_run_as_group;
	int64_t run_as_group;
	struct pf_capabilities capabilities;
	char *proc_mount; /* Default | Unmasked */
	struct pf_seccomp_profile seccomp;
};

struct pf_sysctl {
	char *name;
	char *value;
};

struct pf_pod_security_context {
	bool has_run_as_user;
	int64_t run_as_user;
	bool has_run_as_group;
	int64_t run_as_group;
	enum pf_tri run_as_non_root;
	bool has_fs_group;
	int64_t fs_group;
	int64_t *supplemental_groups;
	size_t n_supplemental_groups;
	struct pf_sysctl *sysctls;
	size_t n_sysctls;
	struct pf_seccomp_profile seccomp;
};

struct pf_volume_mount {
	char *name;
	char *mount_path;
	enum pf_tri read_only;
	char *sub_path;
	char *mount_propagation;
};

struct pf_container {
	char *name;
	char *image;
	char *image_pull_policy; /* Always | IfNotPresent | Never, defaulted */
	struct pf_strlist command;
	struct pf_strlist args;
	char *working_dir;
	struct pf_env_var *env;
	size_t n_env;
	struct pf_container_port *ports;
	size_t n_ports;
	struct pf_resources resources;
	struct pf_volume_mount *volume_mounts;
	size_t n_volume_mounts;
	struct pf_probe liveness_probe;
	struct pf_probe readiness_probe;
	struct pf_probe startup_probe;
	struct pf_lifecycle lifecycle;
	struct pf_security_context security_context;
	char *termination_message_path;	  /* default /dev/termination-log */
	char *termination_message_policy; /* File | FallbackToLogsOnError */
	enum pf_tri stdin_;
	enum pf_tri stdin_once;
	enum pf_tri tty;
	char *restart_policy; /* initContainers only: Always = sidecar */
};

enum pf_volume_kind {
	PF_VOLUME_EMPTYDIR = 1,
	PF_VOLUME_HOSTPATH,
};
struct pf_volume {
	char *name;
	enum pf_volume_kind kind;
	char *empty_dir_medium; /* "" or Memory */
	struct pf_quantity empty_dir_size_limit;
	char *host_path;
	char *host_path_type; /* "", DirectoryOrCreate, Directory, File, ... */
};

struct pf_toleration {
	char *key;
	char *operator_; /* Equal | Exists; NULL = Equal */
	char *value;
	char *effect; /* NoSchedule | PreferNoSchedule | NoExecute | NULL = all */
	bool has_toleration_seconds;
	int64_t toleration_seconds;
};

struct pf_pod_spec {
	struct pf_container *init_containers;
	size_t n_init_containers;
	struct pf_container *containers;
	size_t n_containers;
	struct pf_volume *volumes;
	size_t n_volumes;
	char *restart_policy; /* Always | OnFailure | Never, defaulted */
	bool has_termination_grace_period_seconds;
	int64_t termination_grace_period_seconds; /* default 30 */
	bool has_active_deadline_seconds;
	int64_t active_deadline_seconds;
	char *dns_policy; /* default ClusterFirst */
	struct pf_strmap node_selector;
	char *service_account_name;
	char *node_name;
	enum pf_tri host_network;
	enum pf_tri host_pid;
	enum pf_tri host_ipc;
	enum pf_tri share_process_namespace;
	struct pf_pod_security_context security_context;
	char *hostname;
	char *subdomain;
	char *scheduler_name; /* default default-scheduler */
	struct pf_toleration *tolerations;
	size_t n_tolerations;
	bool has_priority;
	int32_t priority;
	char *priority_class_name;
	char *preemption_policy;
	enum pf_tri enable_service_links;
	enum pf_tri automount_service_account_token;
};

struct pf_condition {
	char *type;   /* PodScheduled, Initialized, ContainersReady, Ready ... */
	char *status; /* True | False | Unknown */
	int64_t last_probe_ms;
	int64_t last_transition_ms;
	char *reason;
	char *message;
};

enum pf_cstate_kind {
	PF_CSTATE_NONE = 0,
	PF_CSTATE_WAITING,
	PF_CSTATE_RUNNING,
	PF_CSTATE_TERMINATED,
};
struct pf_container_state {
	enum pf_cstate_kind kind;
	char *reason;	     /* waiting/terminated */
	char *message;	     /* waiting/terminated */
	int64_t started_ms;  /* running/terminated */
	int64_t finished_ms; /* terminated */
	int32_t exit_code;
	int32_t signal;
	char *container_id; /* terminated */
};

struct pf_container_status {
	char *name;
	struct pf_container_state state;
	struct pf_container_state last_state;
	bool ready;
	enum pf_tri started;
	int32_t restart_count;
	char *image;
	char *image_id;
	char *container_id; /* "crun://<id>" style, as kubelet reports it */
};

struct pf_pod_status {
	char *phase; /* Pending | Running | Succeeded | Failed | Unknown */
	struct pf_condition *conditions;
	size_t n_conditions;
	char *message;
	char *reason;
	char *nominated_node_name;
	char *host_ip;
	char *pod_ip;
	int64_t start_time_ms;
	struct pf_container_status *init_container_statuses;
	size_t n_init_container_statuses;
	struct pf_container_status *container_statuses;
	size_t n_container_statuses;
	char *qos_class; /* Guaranteed | Burstable | BestEffort */
};

struct pf_object_meta {
	char *name;
	char *generate_name;
	char *namespace_;
	char *uid;
	int64_t resource_version; /* the store's mod revision; never stored in the value */
	int64_t generation;
	int64_t creation_ms;
	int64_t deletion_ms;
	bool has_deletion_grace_period_seconds;
	int64_t deletion_grace_period_seconds;
	struct pf_strmap labels;
	struct pf_strmap annotations;
	struct pf_strlist finalizers;
};

struct pf_pod {
	struct pf_object_meta meta;
	struct pf_pod_spec spec;
	struct pf_pod_status status;
};

struct pf_taint {
	char *key;
	char *value;
	char *effect; /* NoSchedule | PreferNoSchedule | NoExecute */
	int64_t time_added_ms;
};

struct pf_node_address {
	char *type; /* InternalIP | Hostname */
	char *address;
};

struct pf_node {
	struct pf_object_meta meta;
	/* spec */
	char *pod_cidr;
	bool unschedulable;
	struct pf_taint *taints;
	size_t n_taints;
	/* status */
	struct pf_reslist capacity;
	struct pf_reslist allocatable;
	struct pf_condition *conditions; /* Ready with lastHeartbeatTime in last_probe_ms */
	size_t n_conditions;
	struct pf_node_address *addresses;
	size_t n_addresses;
	char *os;
	char *arch;
	char *kernel_version;
	char *os_image;
	char *container_runtime_version;
	char *kubelet_version;
	char *machine_id;
};

/* core/v1 Event, as `kubectl get events -o yaml` shows it. */
struct pf_event {
	struct pf_object_meta meta;
	char *involved_kind; /* Pod | Node | "" for rejected writes */
	char *involved_name;
	char *involved_namespace;
	char *involved_uid;
	char *involved_field_path; /* spec.containers{app} */
	char *reason;
	char *message;
	char *type;		/* Normal | Warning */
	char *source_component; /* podfs-api, default-scheduler, kubelet */
	char *source_host;
	int64_t first_ms;
	int64_t last_ms;
	int32_t count;
};

/* coordination.k8s.io/v1 Lease, as lease.c keeps its leader election. */
struct pf_lease_object {
	struct pf_object_meta meta;
	char *holder_identity; /* "" when released */
	int32_t lease_duration_seconds;
	int32_t lease_transitions;
	int64_t acquire_ms; /* MicroTime on the wire, kept to the millisecond */
	int64_t renew_ms;
};

void pf_strlist_free(struct pf_strlist *l);
void pf_strlist_add(struct pf_strlist *l, const char *s);
void pf_strmap_free(struct pf_strmap *m);
const char *pf_strmap_get(const struct pf_strmap *m, const char *key);
void pf_strmap_set(struct pf_strmap *m, const char *key, const char *value);
const struct pf_quantity *pf_reslist_get(const struct pf_reslist *l, const char *name);
void pf_reslist_set(struct pf_reslist *l, const char *name, int64_t milli, const char *str);
void pf_reslist_free(struct pf_reslist *l);
void pf_container_state_free(struct pf_container_state *s);
void pf_condition_free(struct pf_condition *c);
/* Find a condition by type (NULL when absent). */
struct pf_condition *pf_condition_find(struct pf_condition *c, size_t n, const char *type);
/* Set condition type (appending it when absent) to status, reason and
 * message (NULL: none); lastTransitionTime becomes now only when the status
 * changes, as the API's conditions mean it. Returns the condition. */
struct pf_condition *pf_condition_set(struct pf_condition **v, size_t *n, const char *type,
				      const char *status, const char *reason, const char *message,
				      int64_t now_ms);

void pf_pod_free(struct pf_pod *pod);
void pf_node_free(struct pf_node *node);
void pf_event_free(struct pf_event *ev);
void pf_lease_object_free(struct pf_lease_object *l);

static inline void pf_pod_freep(struct pf_pod **p)
{
	pf_pod_free(*p);
}
static inline void pf_node_freep(struct pf_node **p)
{
	pf_node_free(*p);
}
static inline void pf_event_freep(struct pf_event **p)
{
	pf_event_free(*p);
}
#define _cleanup_pod_	__attribute__((cleanup(pf_pod_freep)))
#define _cleanup_node_	__attribute__((cleanup(pf_node_freep)))
#define _cleanup_event_ __attribute__((cleanup(pf_event_freep)))

#endif
