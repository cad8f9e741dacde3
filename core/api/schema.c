/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schema.c - the field tables of the codec: for every struct of types.h,
 * its JSON fields (name, kind, offset, sub-table, Go type for messages).
 * decode.c reads YAML through them and encode.c writes it, so a field added
 * to a table is read and written.
 *
 * Tables are kept in byte order of their JSON names: the encoder writes
 * fields in table order, and kubectl's output has every key sorted.
 *
 * Data only: no code belongs here, and nothing that validates semantics or
 * applies defaults (core/apiserver/validate.c does).
 */
#include "manifest-internal.h"

#include <stddef.h>

#define TABLE(var, goname, fields)                                                                 \
	static const struct table var = {goname, fields, PF_ARRAY_SIZE(fields)}
/* The tables the other parts use, through manifest-internal.h. */
#define EXPORTED_TABLE(var, goname, fields)                                                        \
	const struct table var = {goname, fields, PF_ARRAY_SIZE(fields)}

#define FSTR(T, n, m)                                                                              \
	{                                                                                          \
		.name = n, .kind = F_STR, .off = offsetof(T, m), .gotype = "string"                \
	}
#define FSTRF(T, n, m, fl)                                                                         \
	{                                                                                          \
		.name = n, .kind = F_STR, .flags = fl, .off = offsetof(T, m), .gotype = "string"   \
	}
#define FI32(T, n, m, fl)                                                                          \
	{                                                                                          \
		.name = n, .kind = F_INT32, .flags = fl, .off = offsetof(T, m), .gotype = "int32"  \
	}
#define FI32H(T, n, m, h)                                                                          \
	{                                                                                          \
		.name = n, .kind = F_INT32, .flags = FL_HAS, .off = offsetof(T, m),                \
		.aux = offsetof(T, h), .gotype = "int32"                                           \
	}
#define FI64(T, n, m, fl)                                                                          \
	{                                                                                          \
		.name = n, .kind = F_INT64, .flags = fl, .off = offsetof(T, m), .gotype = "int64"  \
	}
#define FI64H(T, n, m, h)                                                                          \
	{                                                                                          \
		.name = n, .kind = F_INT64, .flags = FL_HAS, .off = offsetof(T, m),                \
		.aux = offsetof(T, h), .gotype = "int64"                                           \
	}
#define FBOOL(T, n, m, fl)                                                                         \
	{                                                                                          \
		.name = n, .kind = F_BOOL, .flags = fl, .off = offsetof(T, m), .gotype = "bool"    \
	}
#define FTRI(T, n, m)                                                                              \
	{                                                                                          \
		.name = n, .kind = F_TRI, .off = offsetof(T, m), .gotype = "bool"                  \
	}
#define FTIME(T, n, m, fl)                                                                         \
	{                                                                                          \
		.name = n, .kind = F_TIME, .flags = fl, .off = offsetof(T, m), .gotype = "v1.Time" \
	}
#define FSTRLIST(T, n, m)                                                                          \
	{                                                                                          \
		.name = n, .kind = F_STRLIST, .off = offsetof(T, m), .gotype = "[]string"          \
	}
#define FSTRMAP(T, n, m)                                                                           \
	{                                                                                          \
		.name = n, .kind = F_STRMAP, .off = offsetof(T, m), .gotype = "map[string]string"  \
	}
#define FQTY(T, n, m)                                                                              \
	{                                                                                          \
		.name = n, .kind = F_QTY, .off = offsetof(T, m), .gotype = "resource.Quantity"     \
	}
#define FRES(T, n, m)                                                                              \
	{                                                                                          \
		.name = n, .kind = F_RESLIST, .off = offsetof(T, m), .gotype = "v1.ResourceList"   \
	}
#define FOBJ(T, n, m, sub_, gt, fl)                                                                \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = fl, .off = offsetof(T, m), .sub = &sub_,        \
		.gotype = gt                                                                       \
	}
/* A nested JSON object whose fields live in the same C struct. */
#define FOBJ0(n, sub_, gt, fl)                                                                     \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = fl, .sub = &sub_, .gotype = gt                  \
	}
#define FOBJTAG(T, n, m, sub_, gt, tagm, tv, what)                                                 \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = FL_TAGI, .off = offsetof(T, m),                 \
		.aux = offsetof(T, tagm), .tag = tv, .sub = &sub_, .gotype = gt, .extra = what     \
	}
#define FOBJSET(T, n, m, sub_, gt, setm)                                                           \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = FL_TAGB, .off = offsetof(T, m),                 \
		.aux = offsetof(T, setm), .sub = &sub_, .gotype = gt                               \
	}
#define FLIST(T, n, m, nm, sub_, gt)                                                               \
	{                                                                                          \
		.name = n, .kind = F_LIST, .off = offsetof(T, m), .aux = offsetof(T, nm),          \
		.esize = sizeof(*((T *)0)->m), .sub = &sub_, .gotype = gt                          \
	}
#define FCONST(n, v)                                                                               \
	{                                                                                          \
		.name = n, .kind = F_CONST, .gotype = "string", .extra = v                         \
	}
#define FIGN(n)                                                                                    \
	{                                                                                          \
		.name = n, .kind = F_IGNORE                                                        \
	}
#define FLIT(n, lit)                                                                               \
	{                                                                                          \
		.name = n, .kind = F_IGNORE, .extra = lit                                          \
	}
#define FUNSUP(n, fmt)                                                                             \
	{                                                                                          \
		.name = n, .kind = F_UNSUP, .extra = fmt                                           \
	}

#define UNSUP_FIELD  "Unsupported value: %s: not supported by podfs"
#define UNSUP_VOLUME "Unsupported value: volume source %s: podfs supports emptyDir and hostPath"
#define UNSUP_ENV    "Unsupported value: %s: podfs supports fieldRef and resourceFieldRef"

/* --- metadata --- */
static const struct field f_meta[] = {
    FSTRMAP(struct pf_object_meta, "annotations", annotations),
    FTIME(struct pf_object_meta, "creationTimestamp", creation_ms, FL_NULL),
    FI64H(struct pf_object_meta, "deletionGracePeriodSeconds", deletion_grace_period_seconds,
	  has_deletion_grace_period_seconds),
    FTIME(struct pf_object_meta, "deletionTimestamp", deletion_ms, 0),
    FSTRLIST(struct pf_object_meta, "finalizers", finalizers),
    FSTR(struct pf_object_meta, "generateName", generate_name),
    FI64(struct pf_object_meta, "generation", generation, 0),
    FSTRMAP(struct pf_object_meta, "labels", labels),
    FIGN("managedFields"),
    FSTR(struct pf_object_meta, "name", name),
    FSTR(struct pf_object_meta, "namespace", namespace_),
    FIGN("ownerReferences"),
    {.name = "resourceVersion",
     .kind = F_RV,
     .off = offsetof(struct pf_object_meta, resource_version),
     .gotype = "string"},
    FIGN("selfLink"),
    FSTR(struct pf_object_meta, "uid", uid),
};
TABLE(t_meta, "ObjectMeta", f_meta);

/* --- handlers (probes and lifecycle hooks) --- */
static const struct field f_exec[] = {
    FSTRLIST(struct pf_handler, "command", exec_command),
};
TABLE(t_exec, "ExecAction", f_exec);

static const struct field f_http_header[] = {
    FSTRF(struct pf_http_header, "name", name, FL_ALWAYS),
    FSTRF(struct pf_http_header, "value", value, FL_ALWAYS),
};
TABLE(t_http_header, "HTTPHeader", f_http_header);

static const struct field f_http_get[] = {
    FSTR(struct pf_handler, "host", host),
    FLIST(struct pf_handler, "httpHeaders", http_headers, n_http_headers, t_http_header,
	  "[]v1.HTTPHeader"),
    FSTR(struct pf_handler, "path", http_path),
    {.name = "port",
     .kind = F_INTSTR,
     .flags = FL_ALWAYS,
     .off = offsetof(struct pf_handler, port),
     .gotype = "intstr.IntOrString"},
    FSTR(struct pf_handler, "scheme", http_scheme),
};
TABLE(t_http_get, "HTTPGetAction", f_http_get);

static const struct field f_tcp[] = {
    FSTR(struct pf_handler, "host", host),
    {.name = "port",
     .kind = F_INTSTR,
     .flags = FL_ALWAYS,
     .off = offsetof(struct pf_handler, port),
     .gotype = "intstr.IntOrString"},
};
TABLE(t_tcp, "TCPSocketAction", f_tcp);

static const struct field f_grpc[] = {
    {.name = "port",
     .kind = F_INTSTR,
     .flags = FL_NUMONLY | FL_ALWAYS,
     .off = offsetof(struct pf_handler, port),
     .gotype = "int32"},
    FSTR(struct pf_handler, "service", grpc_service),
};
TABLE(t_grpc, "GRPCAction", f_grpc);

static const struct field f_sleep[] = {
    FI64(struct pf_handler, "seconds", sleep_seconds, FL_ALWAYS),
};
TABLE(t_sleep, "SleepAction", f_sleep);

/* The handler of a probe lives at hoff inside it; a lifecycle hook is one. */
#define FHANDLER(n, hoff, sub_, gt, tv)                                                            \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = FL_TAGI, .off = (hoff),                         \
		.aux = (hoff) + offsetof(struct pf_handler, kind), .tag = tv, .sub = &sub_,        \
		.gotype = gt, .extra = "handler"                                                   \
	}
#define HANDLER_EXEC_GRPC_HTTP(hoff)                                                               \
	FHANDLER("exec", hoff, t_exec, "v1.ExecAction", PF_HANDLER_EXEC),                          \
	    FHANDLER("grpc", hoff, t_grpc, "v1.GRPCAction", PF_HANDLER_GRPC),                      \
	    FHANDLER("httpGet", hoff, t_http_get, "v1.HTTPGetAction", PF_HANDLER_HTTP)
#define HANDLER_SLEEP_TCP(hoff)                                                                    \
	FHANDLER("sleep", hoff, t_sleep, "v1.SleepAction", PF_HANDLER_SLEEP),                      \
	    FHANDLER("tcpSocket", hoff, t_tcp, "v1.TCPSocketAction", PF_HANDLER_TCP)

static const struct field f_handler[] = {
    HANDLER_EXEC_GRPC_HTTP(0),
    HANDLER_SLEEP_TCP(0),
};
TABLE(t_handler, "LifecycleHandler", f_handler);

static const struct field f_probe[] = {
    FHANDLER("exec", offsetof(struct pf_probe, handler), t_exec, "v1.ExecAction", PF_HANDLER_EXEC),
    FI32(struct pf_probe, "failureThreshold", failure_threshold, 0),
    FHANDLER("grpc", offsetof(struct pf_probe, handler), t_grpc, "v1.GRPCAction", PF_HANDLER_GRPC),
    FHANDLER("httpGet", offsetof(struct pf_probe, handler), t_http_get, "v1.HTTPGetAction",
	     PF_HANDLER_HTTP),
    FI32(struct pf_probe, "initialDelaySeconds", initial_delay_seconds, 0),
    FI32(struct pf_probe, "periodSeconds", period_seconds, 0),
    FI32(struct pf_probe, "successThreshold", success_threshold, 0),
    FHANDLER("tcpSocket", offsetof(struct pf_probe, handler), t_tcp, "v1.TCPSocketAction",
	     PF_HANDLER_TCP),
    FI64H(struct pf_probe, "terminationGracePeriodSeconds", termination_grace_period_seconds,
	  has_termination_grace_period_seconds),
    FI32(struct pf_probe, "timeoutSeconds", timeout_seconds, 0),
};
TABLE(t_probe, "Probe", f_probe);

static const struct field f_lifecycle[] = {
    FOBJ(struct pf_lifecycle, "postStart", post_start, t_handler, "v1.LifecycleHandler", 0),
    FOBJ(struct pf_lifecycle, "preStop", pre_stop, t_handler, "v1.LifecycleHandler", 0),
    FUNSUP("stopSignal", UNSUP_FIELD),
};
TABLE(t_lifecycle, "Lifecycle", f_lifecycle);

/* --- containers --- */
static const struct field f_field_ref[] = {
    FSTR(struct pf_env_var, "apiVersion", field_ref_api),
    FSTR(struct pf_env_var, "fieldPath", field_ref_path),
};
TABLE(t_field_ref, "ObjectFieldSelector", f_field_ref);

static const struct field f_resource_ref[] = {
    FSTR(struct pf_env_var, "containerName", resource_ref_container),
    FQTY(struct pf_env_var, "divisor", resource_ref_divisor),
    FSTR(struct pf_env_var, "resource", resource_ref),
};
TABLE(t_resource_ref, "ResourceFieldSelector", f_resource_ref);

static const struct field f_env_source[] = {
    FUNSUP("configMapKeyRef", UNSUP_ENV),
    FOBJ0("fieldRef", t_field_ref, "v1.ObjectFieldSelector", 0),
    FOBJ0("resourceFieldRef", t_resource_ref, "v1.ResourceFieldSelector", 0),
    FUNSUP("secretKeyRef", UNSUP_ENV),
};
TABLE(t_env_source, "EnvVarSource", f_env_source);

static const struct field f_env[] = {
    FSTRF(struct pf_env_var, "name", name, FL_ALWAYS),
    FSTR(struct pf_env_var, "value", value),
    FOBJ0("valueFrom", t_env_source, "v1.EnvVarSource", 0),
};
TABLE(t_env, "EnvVar", f_env);

static const struct field f_port[] = {
    FI32(struct pf_container_port, "containerPort", container_port, FL_ALWAYS),
    FSTR(struct pf_container_port, "hostIP", host_ip),
    FI32(struct pf_container_port, "hostPort", host_port, 0),
    FSTR(struct pf_container_port, "name", name),
    FSTR(struct pf_container_port, "protocol", protocol),
};
TABLE(t_port, "ContainerPort", f_port);

static const struct field f_resources[] = {
    FUNSUP("claims", UNSUP_FIELD),
    FRES(struct pf_resources, "limits", limits),
    FRES(struct pf_resources, "requests", requests),
};
TABLE(t_resources, "ResourceRequirements", f_resources);

static const struct field f_volume_mount[] = {
    FSTRF(struct pf_volume_mount, "mountPath", mount_path, FL_ALWAYS),
    FSTR(struct pf_volume_mount, "mountPropagation", mount_propagation),
    FSTRF(struct pf_volume_mount, "name", name, FL_ALWAYS),
    FTRI(struct pf_volume_mount, "readOnly", read_only),
    FUNSUP("recursiveReadOnly", UNSUP_FIELD),
    FSTR(struct pf_volume_mount, "subPath", sub_path),
    FUNSUP("subPathExpr", UNSUP_FIELD),
};
TABLE(t_volume_mount, "VolumeMount", f_volume_mount);

static const struct field f_capabilities[] = {
    FSTRLIST(struct pf_capabilities, "add", add),
    FSTRLIST(struct pf_capabilities, "drop", drop),
};
TABLE(t_capabilities, "Capabilities", f_capabilities);

static const struct field f_seccomp[] = {
    FSTR(struct pf_seccomp_profile, "localhostProfile", localhost_profile),
    FSTR(struct pf_seccomp_profile, "type", type),
};
TABLE(t_seccomp, "SeccompProfile", f_seccomp);

static const struct field f_security_context[] = {
    FTRI(struct pf_security_context, "allowPrivilegeEscalation", allow_privilege_escalation),
    FUNSUP("appArmorProfile", UNSUP_FIELD),
    FOBJSET(struct pf_security_context, "capabilities", capabilities, t_capabilities,
	    "v1.Capabilities", capabilities.set),
    FTRI(struct pf_security_context, "privileged", privileged),
    FSTR(struct pf_security_context, "procMount", proc_mount),
    FTRI(struct pf_security_context, "readOnlyRootFilesystem", read_only_root_filesystem),
    FI64H(struct pf_security_context, "runAsGroup", run_as_group, has_run_as_group),
    FTRI(struct pf_security_context, "runAsNonRoot", run_as_non_root),
    FI64H(struct pf_security_context, "runAsUser", run_as_user, has_run_as_user),
    FUNSUP("seLinuxOptions", UNSUP_FIELD),
    FOBJ(struct pf_security_context, "seccompProfile", seccomp, t_seccomp, "v1.SeccompProfile", 0),
    FUNSUP("windowsOptions", UNSUP_FIELD),
};
TABLE(t_security_context, "SecurityContext", f_security_context);

static const struct field f_container[] = {
    FSTRLIST(struct pf_container, "args", args),
    FSTRLIST(struct pf_container, "command", command),
    FLIST(struct pf_container, "env", env, n_env, t_env, "[]v1.EnvVar"),
    FUNSUP("envFrom", UNSUP_FIELD),
    FSTR(struct pf_container, "image", image),
    FSTR(struct pf_container, "imagePullPolicy", image_pull_policy),
    FOBJ(struct pf_container, "lifecycle", lifecycle, t_lifecycle, "v1.Lifecycle", 0),
    FOBJSET(struct pf_container, "livenessProbe", liveness_probe, t_probe, "v1.Probe",
	    liveness_probe.set),
    FSTRF(struct pf_container, "name", name, FL_ALWAYS),
    FLIST(struct pf_container, "ports", ports, n_ports, t_port, "[]v1.ContainerPort"),
    FOBJSET(struct pf_container, "readinessProbe", readiness_probe, t_probe, "v1.Probe",
	    readiness_probe.set),
    FUNSUP("resizePolicy", UNSUP_FIELD),
    FOBJ(struct pf_container, "resources", resources, t_resources, "v1.ResourceRequirements",
	 FL_ALWAYS),
    FSTR(struct pf_container, "restartPolicy", restart_policy),
    FOBJSET(struct pf_container, "securityContext", security_context, t_security_context,
	    "v1.SecurityContext", security_context.set),
    FOBJSET(struct pf_container, "startupProbe", startup_probe, t_probe, "v1.Probe",
	    startup_probe.set),
    FTRI(struct pf_container, "stdin", stdin_),
    FTRI(struct pf_container, "stdinOnce", stdin_once),
    FSTR(struct pf_container, "terminationMessagePath", termination_message_path),
    FSTR(struct pf_container, "terminationMessagePolicy", termination_message_policy),
    FTRI(struct pf_container, "tty", tty),
    FUNSUP("volumeDevices", UNSUP_FIELD),
    FLIST(struct pf_container, "volumeMounts", volume_mounts, n_volume_mounts, t_volume_mount,
	  "[]v1.VolumeMount"),
    FSTR(struct pf_container, "workingDir", working_dir),
};
TABLE(t_container, "Container", f_container);

/* --- volumes --- */
static const struct field f_empty_dir[] = {
    FSTR(struct pf_volume, "medium", empty_dir_medium),
    FQTY(struct pf_volume, "sizeLimit", empty_dir_size_limit),
};
TABLE(t_empty_dir, "EmptyDirVolumeSource", f_empty_dir);

static const struct field f_host_path[] = {
    FSTRF(struct pf_volume, "path", host_path, FL_ALWAYS),
    FSTRF(struct pf_volume, "type", host_path_type, FL_KEEP),
};
TABLE(t_host_path, "HostPathVolumeSource", f_host_path);

#define FVOLUME(n, sub_, gt, tv)                                                                   \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = FL_TAGI,                                        \
		.aux = offsetof(struct pf_volume, kind), .tag = tv, .sub = &sub_, .gotype = gt,    \
		.extra = "volume"                                                                  \
	}

static const struct field f_volume[] = {
    FUNSUP("awsElasticBlockStore", UNSUP_VOLUME),
    FUNSUP("azureDisk", UNSUP_VOLUME),
    FUNSUP("azureFile", UNSUP_VOLUME),
    FUNSUP("cephfs", UNSUP_VOLUME),
    FUNSUP("cinder", UNSUP_VOLUME),
    FUNSUP("configMap", UNSUP_VOLUME),
    FUNSUP("csi", UNSUP_VOLUME),
    FUNSUP("downwardAPI", UNSUP_VOLUME),
    FVOLUME("emptyDir", t_empty_dir, "v1.EmptyDirVolumeSource", PF_VOLUME_EMPTYDIR),
    FUNSUP("ephemeral", UNSUP_VOLUME),
    FUNSUP("fc", UNSUP_VOLUME),
    FUNSUP("flexVolume", UNSUP_VOLUME),
    FUNSUP("flocker", UNSUP_VOLUME),
    FUNSUP("gcePersistentDisk", UNSUP_VOLUME),
    FUNSUP("gitRepo", UNSUP_VOLUME),
    FUNSUP("glusterfs", UNSUP_VOLUME),
    FVOLUME("hostPath", t_host_path, "v1.HostPathVolumeSource", PF_VOLUME_HOSTPATH),
    FUNSUP("image", UNSUP_VOLUME),
    FUNSUP("iscsi", UNSUP_VOLUME),
    FSTRF(struct pf_volume, "name", name, FL_ALWAYS),
    FUNSUP("nfs", UNSUP_VOLUME),
    FUNSUP("persistentVolumeClaim", UNSUP_VOLUME),
    FUNSUP("photonPersistentDisk", UNSUP_VOLUME),
    FUNSUP("portworxVolume", UNSUP_VOLUME),
    FUNSUP("projected", UNSUP_VOLUME),
    FUNSUP("quobyte", UNSUP_VOLUME),
    FUNSUP("rbd", UNSUP_VOLUME),
    FUNSUP("scaleIO", UNSUP_VOLUME),
    FUNSUP("secret", UNSUP_VOLUME),
    FUNSUP("storageos", UNSUP_VOLUME),
    FUNSUP("vsphereVolume", UNSUP_VOLUME),
};
TABLE(t_volume, "Volume", f_volume);

/* --- pod spec --- */
static const struct field f_toleration[] = {
    FSTR(struct pf_toleration, "effect", effect),
    FSTR(struct pf_toleration, "key", key),
    FSTR(struct pf_toleration, "operator", operator_),
    FI64H(struct pf_toleration, "tolerationSeconds", toleration_seconds, has_toleration_seconds),
    FSTR(struct pf_toleration, "value", value),
};
TABLE(t_toleration, "Toleration", f_toleration);

static const struct field f_sysctl[] = {
    FSTRF(struct pf_sysctl, "name", name, FL_ALWAYS),
    FSTRF(struct pf_sysctl, "value", value, FL_ALWAYS),
};
TABLE(t_sysctl, "Sysctl", f_sysctl);

static const struct field f_pod_security_context[] = {
    FUNSUP("appArmorProfile", UNSUP_FIELD),
    FI64H(struct pf_pod_security_context, "fsGroup", fs_group, has_fs_group),
    FUNSUP("fsGroupChangePolicy", UNSUP_FIELD),
    FI64H(struct pf_pod_security_context, "runAsGroup", run_as_group, has_run_as_group),
    FTRI(struct pf_pod_security_context, "runAsNonRoot", run_as_non_root),
    FI64H(struct pf_pod_security_context, "runAsUser", run_as_user, has_run_as_user),
    FUNSUP("seLinuxChangePolicy", UNSUP_FIELD),
    FUNSUP("seLinuxOptions", UNSUP_FIELD),
    FOBJ(struct pf_pod_security_context, "seccompProfile", seccomp, t_seccomp, "v1.SeccompProfile",
	 0),
    {.name = "supplementalGroups",
     .kind = F_I64LIST,
     .off = offsetof(struct pf_pod_security_context, supplemental_groups),
     .aux = offsetof(struct pf_pod_security_context, n_supplemental_groups),
     .gotype = "[]int64"},
    FUNSUP("supplementalGroupsPolicy", UNSUP_FIELD),
    FLIST(struct pf_pod_security_context, "sysctls", sysctls, n_sysctls, t_sysctl, "[]v1.Sysctl"),
    FUNSUP("windowsOptions", UNSUP_FIELD),
};
TABLE(t_pod_security_context, "PodSecurityContext", f_pod_security_context);

static const struct field f_pod_spec[] = {
    FI64H(struct pf_pod_spec, "activeDeadlineSeconds", active_deadline_seconds,
	  has_active_deadline_seconds),
    FUNSUP("affinity", UNSUP_FIELD),
    FTRI(struct pf_pod_spec, "automountServiceAccountToken", automount_service_account_token),
    FLIST(struct pf_pod_spec, "containers", containers, n_containers, t_container,
	  "[]v1.Container"),
    FUNSUP("dnsConfig", UNSUP_FIELD),
    FSTR(struct pf_pod_spec, "dnsPolicy", dns_policy),
    FTRI(struct pf_pod_spec, "enableServiceLinks", enable_service_links),
    FUNSUP("ephemeralContainers", UNSUP_FIELD),
    FUNSUP("hostAliases", UNSUP_FIELD),
    FTRI(struct pf_pod_spec, "hostIPC", host_ipc),
    FTRI(struct pf_pod_spec, "hostNetwork", host_network),
    FTRI(struct pf_pod_spec, "hostPID", host_pid),
    FUNSUP("hostUsers", UNSUP_FIELD),
    FSTR(struct pf_pod_spec, "hostname", hostname),
    FUNSUP("imagePullSecrets", UNSUP_FIELD),
    FLIST(struct pf_pod_spec, "initContainers", init_containers, n_init_containers, t_container,
	  "[]v1.Container"),
    FSTR(struct pf_pod_spec, "nodeName", node_name),
    FSTRMAP(struct pf_pod_spec, "nodeSelector", node_selector),
    FUNSUP("os", UNSUP_FIELD),
    FUNSUP("overhead", UNSUP_FIELD),
    FSTR(struct pf_pod_spec, "preemptionPolicy", preemption_policy),
    FI32H(struct pf_pod_spec, "priority", priority, has_priority),
    FSTR(struct pf_pod_spec, "priorityClassName", priority_class_name),
    FUNSUP("readinessGates", UNSUP_FIELD),
    FUNSUP("resourceClaims", UNSUP_FIELD),
    FSTR(struct pf_pod_spec, "restartPolicy", restart_policy),
    FUNSUP("runtimeClassName", UNSUP_FIELD),
    FSTR(struct pf_pod_spec, "schedulerName", scheduler_name),
    FUNSUP("schedulingGates", UNSUP_FIELD),
    FOBJ(struct pf_pod_spec, "securityContext", security_context, t_pod_security_context,
	 "v1.PodSecurityContext", FL_ALWAYS),
    /* The deprecated alias; the API server shows both with the same value. */
    FSTR(struct pf_pod_spec, "serviceAccount", service_account_name),
    FSTR(struct pf_pod_spec, "serviceAccountName", service_account_name),
    FUNSUP("setHostnameAsFQDN", UNSUP_FIELD),
    FTRI(struct pf_pod_spec, "shareProcessNamespace", share_process_namespace),
    FSTR(struct pf_pod_spec, "subdomain", subdomain),
    FI64H(struct pf_pod_spec, "terminationGracePeriodSeconds", termination_grace_period_seconds,
	  has_termination_grace_period_seconds),
    FLIST(struct pf_pod_spec, "tolerations", tolerations, n_tolerations, t_toleration,
	  "[]v1.Toleration"),
    FUNSUP("topologySpreadConstraints", UNSUP_FIELD),
    FLIST(struct pf_pod_spec, "volumes", volumes, n_volumes, t_volume, "[]v1.Volume"),
};
TABLE(t_pod_spec, "PodSpec", f_pod_spec);

/* --- pod status --- */
static const struct field f_pod_condition[] = {
    FTIME(struct pf_condition, "lastProbeTime", last_probe_ms, FL_NULL),
    FTIME(struct pf_condition, "lastTransitionTime", last_transition_ms, FL_NULL),
    FSTR(struct pf_condition, "message", message),
    FIGN("observedGeneration"),
    FSTR(struct pf_condition, "reason", reason),
    FSTRF(struct pf_condition, "status", status, FL_ALWAYS),
    FSTRF(struct pf_condition, "type", type, FL_ALWAYS),
};
TABLE(t_pod_condition, "PodCondition", f_pod_condition);

static const struct field f_state_waiting[] = {
    FSTR(struct pf_container_state, "message", message),
    FSTR(struct pf_container_state, "reason", reason),
};
TABLE(t_state_waiting, "ContainerStateWaiting", f_state_waiting);

static const struct field f_state_running[] = {
    FTIME(struct pf_container_state, "startedAt", started_ms, FL_NULL),
};
TABLE(t_state_running, "ContainerStateRunning", f_state_running);

static const struct field f_state_terminated[] = {
    FSTR(struct pf_container_state, "containerID", container_id),
    FI32(struct pf_container_state, "exitCode", exit_code, FL_ALWAYS),
    FTIME(struct pf_container_state, "finishedAt", finished_ms, FL_NULL),
    FSTR(struct pf_container_state, "message", message),
    FSTR(struct pf_container_state, "reason", reason),
    FI32(struct pf_container_state, "signal", signal, 0),
    FTIME(struct pf_container_state, "startedAt", started_ms, FL_NULL),
};
TABLE(t_state_terminated, "ContainerStateTerminated", f_state_terminated);

#define FSTATE(n, sub_, gt, tv)                                                                    \
	{                                                                                          \
		.name = n, .kind = F_OBJ, .flags = FL_TAGI,                                        \
		.aux = offsetof(struct pf_container_state, kind), .tag = tv, .sub = &sub_,         \
		.gotype = gt, .extra = "state"                                                     \
	}

static const struct field f_container_state[] = {
    FSTATE("running", t_state_running, "v1.ContainerStateRunning", PF_CSTATE_RUNNING),
    FSTATE("terminated", t_state_terminated, "v1.ContainerStateTerminated", PF_CSTATE_TERMINATED),
    FSTATE("waiting", t_state_waiting, "v1.ContainerStateWaiting", PF_CSTATE_WAITING),
};
TABLE(t_container_state, "ContainerState", f_container_state);

static const struct field f_container_status[] = {
    FIGN("allocatedResources"),
    FIGN("allocatedResourcesStatus"),
    FSTR(struct pf_container_status, "containerID", container_id),
    FSTRF(struct pf_container_status, "image", image, FL_ALWAYS),
    FSTRF(struct pf_container_status, "imageID", image_id, FL_ALWAYS),
    FOBJ(struct pf_container_status, "lastState", last_state, t_container_state,
	 "v1.ContainerState", FL_ALWAYS),
    FSTRF(struct pf_container_status, "name", name, FL_ALWAYS),
    FBOOL(struct pf_container_status, "ready", ready, FL_ALWAYS),
    FIGN("resources"),
    FI32(struct pf_container_status, "restartCount", restart_count, FL_ALWAYS),
    FTRI(struct pf_container_status, "started", started),
    FOBJ(struct pf_container_status, "state", state, t_container_state, "v1.ContainerState",
	 FL_ALWAYS),
    FIGN("stopSignal"),
    FIGN("user"),
    FIGN("volumeMounts"),
};
TABLE(t_container_status, "ContainerStatus", f_container_status);

static const struct field f_pod_status[] = {
    FLIST(struct pf_pod_status, "conditions", conditions, n_conditions, t_pod_condition,
	  "[]v1.PodCondition"),
    FLIST(struct pf_pod_status, "containerStatuses", container_statuses, n_container_statuses,
	  t_container_status, "[]v1.ContainerStatus"),
    FIGN("ephemeralContainerStatuses"),
    FSTR(struct pf_pod_status, "hostIP", host_ip),
    {.name = "hostIPs", .kind = F_IPLIST, .off = offsetof(struct pf_pod_status, host_ip)},
    FLIST(struct pf_pod_status, "initContainerStatuses", init_container_statuses,
	  n_init_container_statuses, t_container_status, "[]v1.ContainerStatus"),
    FSTR(struct pf_pod_status, "message", message),
    FSTR(struct pf_pod_status, "nominatedNodeName", nominated_node_name),
    FIGN("observedGeneration"),
    FSTR(struct pf_pod_status, "phase", phase),
    FSTR(struct pf_pod_status, "podIP", pod_ip),
    {.name = "podIPs", .kind = F_IPLIST, .off = offsetof(struct pf_pod_status, pod_ip)},
    FSTR(struct pf_pod_status, "qosClass", qos_class),
    FSTR(struct pf_pod_status, "reason", reason),
    FIGN("resize"),
    FIGN("resourceClaimStatuses"),
    FTIME(struct pf_pod_status, "startTime", start_time_ms, 0),
};
TABLE(t_pod_status, "PodStatus", f_pod_status);

static const struct field f_pod[] = {
    FCONST("apiVersion", "v1"),
    FCONST("kind", "Pod"),
    FOBJ(struct pf_pod, "metadata", meta, t_meta, "v1.ObjectMeta", FL_ALWAYS),
    FOBJ(struct pf_pod, "spec", spec, t_pod_spec, "v1.PodSpec", FL_ALWAYS),
    FOBJ(struct pf_pod, "status", status, t_pod_status, "v1.PodStatus", FL_ALWAYS),
};
EXPORTED_TABLE(pf_schema_pod, "Pod", f_pod);

/* --- node --- */
static const struct field f_taint[] = {
    FSTRF(struct pf_taint, "effect", effect, FL_ALWAYS),
    FSTRF(struct pf_taint, "key", key, FL_ALWAYS),
    FTIME(struct pf_taint, "timeAdded", time_added_ms, 0),
    FSTR(struct pf_taint, "value", value),
};
TABLE(t_taint, "Taint", f_taint);

static const struct field f_node_spec[] = {
    FIGN("configSource"),
    FIGN("externalID"),
    FSTR(struct pf_node, "podCIDR", pod_cidr),
    {.name = "podCIDRs", .kind = F_STRFROM, .off = offsetof(struct pf_node, pod_cidr)},
    FIGN("providerID"),
    FLIST(struct pf_node, "taints", taints, n_taints, t_taint, "[]v1.Taint"),
    FBOOL(struct pf_node, "unschedulable", unschedulable, 0),
};
TABLE(t_node_spec, "NodeSpec", f_node_spec);

static const struct field f_node_address[] = {
    FSTRF(struct pf_node_address, "address", address, FL_ALWAYS),
    FSTRF(struct pf_node_address, "type", type, FL_ALWAYS),
};
TABLE(t_node_address, "NodeAddress", f_node_address);

static const struct field f_node_condition[] = {
    FTIME(struct pf_condition, "lastHeartbeatTime", last_probe_ms, FL_NULL),
    FTIME(struct pf_condition, "lastTransitionTime", last_transition_ms, FL_NULL),
    FSTR(struct pf_condition, "message", message),
    FSTR(struct pf_condition, "reason", reason),
    FSTRF(struct pf_condition, "status", status, FL_ALWAYS),
    FSTRF(struct pf_condition, "type", type, FL_ALWAYS),
};
TABLE(t_node_condition, "NodeCondition", f_node_condition);

static const struct field f_node_info[] = {
    FSTRF(struct pf_node, "architecture", arch, FL_ALWAYS),
    FIGN("bootID"),
    FSTRF(struct pf_node, "containerRuntimeVersion", container_runtime_version, FL_ALWAYS),
    FSTRF(struct pf_node, "kernelVersion", kernel_version, FL_ALWAYS),
    FIGN("kubeProxyVersion"),
    FSTRF(struct pf_node, "kubeletVersion", kubelet_version, FL_ALWAYS),
    FSTRF(struct pf_node, "machineID", machine_id, FL_ALWAYS),
    FSTRF(struct pf_node, "operatingSystem", os, FL_ALWAYS),
    FSTRF(struct pf_node, "osImage", os_image, FL_ALWAYS),
    FIGN("swap"),
    FIGN("systemUUID"),
};
TABLE(t_node_info, "NodeSystemInfo", f_node_info);

static const struct field f_node_status[] = {
    FLIST(struct pf_node, "addresses", addresses, n_addresses, t_node_address, "[]v1.NodeAddress"),
    FRES(struct pf_node, "allocatable", allocatable),
    FRES(struct pf_node, "capacity", capacity),
    FLIST(struct pf_node, "conditions", conditions, n_conditions, t_node_condition,
	  "[]v1.NodeCondition"),
    FIGN("config"),
    FIGN("daemonEndpoints"),
    FIGN("features"),
    FIGN("images"),
    FOBJ0("nodeInfo", t_node_info, "v1.NodeSystemInfo", FL_ALWAYS),
    FIGN("phase"),
    FIGN("runtimeHandlers"),
    FIGN("volumesAttached"),
    FIGN("volumesInUse"),
};
TABLE(t_node_status, "NodeStatus", f_node_status);

static const struct field f_node[] = {
    FCONST("apiVersion", "v1"),
    FCONST("kind", "Node"),
    FOBJ(struct pf_node, "metadata", meta, t_meta, "v1.ObjectMeta", FL_ALWAYS),
    FOBJ0("spec", t_node_spec, "v1.NodeSpec", FL_ALWAYS),
    FOBJ0("status", t_node_status, "v1.NodeStatus", FL_ALWAYS),
};
EXPORTED_TABLE(pf_schema_node, "Node", f_node);

/* --- event --- */
static const struct field f_involved[] = {
    FIGN("apiVersion"),
    FSTR(struct pf_event, "fieldPath", involved_field_path),
    FSTR(struct pf_event, "kind", involved_kind),
    FSTR(struct pf_event, "name", involved_name),
    FSTR(struct pf_event, "namespace", involved_namespace),
    FIGN("resourceVersion"),
    FSTR(struct pf_event, "uid", involved_uid),
};
TABLE(t_involved, "ObjectReference", f_involved);

static const struct field f_event_source[] = {
    FSTR(struct pf_event, "component", source_component),
    FSTR(struct pf_event, "host", source_host),
};
TABLE(t_event_source, "EventSource", f_event_source);

static const struct field f_event[] = {
    FIGN("action"),
    FCONST("apiVersion", "v1"),
    FI32(struct pf_event, "count", count, 0),
    FLIT("eventTime", "null"),
    FTIME(struct pf_event, "firstTimestamp", first_ms, FL_NULL),
    FOBJ0("involvedObject", t_involved, "v1.ObjectReference", FL_ALWAYS),
    FCONST("kind", "Event"),
    FTIME(struct pf_event, "lastTimestamp", last_ms, FL_NULL),
    FSTR(struct pf_event, "message", message),
    FOBJ(struct pf_event, "metadata", meta, t_meta, "v1.ObjectMeta", FL_ALWAYS),
    FSTR(struct pf_event, "reason", reason),
    FIGN("related"),
    FLIT("reportingComponent", "\"\""),
    FLIT("reportingInstance", "\"\""),
    FIGN("series"),
    FOBJ0("source", t_event_source, "v1.EventSource", FL_ALWAYS),
    FSTR(struct pf_event, "type", type),
};
EXPORTED_TABLE(pf_schema_event, "Event", f_event);

/* --- lease --- */
/* holderIdentity is always double-quoted: that is how lease.c wrote it
 * before it used the codec, and what the shell tests read. */
static const struct field f_lease_spec[] = {
    FTIME(struct pf_lease_object, "acquireTime", acquire_ms, FL_MICRO),
    FSTRF(struct pf_lease_object, "holderIdentity", holder_identity, FL_ALWAYS | FL_QUOTE),
    FI32(struct pf_lease_object, "leaseDurationSeconds", lease_duration_seconds, FL_ALWAYS),
    FI32(struct pf_lease_object, "leaseTransitions", lease_transitions, FL_ALWAYS),
    FIGN("preferredHolder"),
    FTIME(struct pf_lease_object, "renewTime", renew_ms, FL_MICRO),
    FIGN("strategy"),
};
TABLE(t_lease_spec, "LeaseSpec", f_lease_spec);

static const struct field f_lease[] = {
    FCONST("apiVersion", "coordination.k8s.io/v1"),
    FCONST("kind", "Lease"),
    FOBJ(struct pf_lease_object, "metadata", meta, t_meta, "v1.ObjectMeta", FL_ALWAYS),
    FOBJ0("spec", t_lease_spec, "v1.LeaseSpec", FL_ALWAYS),
};
EXPORTED_TABLE(pf_schema_lease, "Lease", f_lease);

/* A List of Pods: each item is decoded as a Pod document of its own. */
static const struct field f_list[] = {
    FCONST("apiVersion", "v1"),
    FIGN("items"),
    FCONST("kind", "List"),
    FIGN("metadata"),
};
EXPORTED_TABLE(pf_schema_list, "List", f_list);
