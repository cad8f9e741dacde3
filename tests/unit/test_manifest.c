/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_manifest.c - the YAML codec: what users submit (manifest mode), what
 * podfs stores (storage mode), every refusal with its exact wording and
 * errno, and the encoder's kubectl-shaped output.  Run under ASan/LSan too:
 * every error path must free what it decoded.
 */
#include "manifest.h"
#include "tap.h"

#include <errno.h>

#define SRC "pod.yaml"

static const char dry_run[] = "apiVersion: v1\n"
			      "kind: Pod\n"
			      "metadata:\n"
			      "  creationTimestamp: null\n"
			      "  labels:\n"
			      "    run: my-pod\n"
			      "  name: my-pod\n"
			      "spec:\n"
			      "  containers:\n"
			      "  - image: nginx\n"
			      "    name: my-pod\n"
			      "    resources: {}\n"
			      "  dnsPolicy: ClusterFirst\n"
			      "  restartPolicy: Always\n"
			      "status: {}\n";

/* Every field of the model, in manifest form, with server fields too. */
static const char rich[] =
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata:\n"
    "  name: web\n"
    "  generateName: web-\n"
    "  namespace: prod\n"
    "  labels: {app: web, tier: \"1\", on: \"yes\"}\n"
    "  annotations:\n"
    "    note: 'hello: world'\n"
    "    empty: \"\"\n"
    "  uid: 5f1c0d2e-0000-4000-8000-000000000001\n"
    "  resourceVersion: \"42\"\n"
    "  generation: 3\n"
    "  creationTimestamp: \"2026-11-27T13:38:26Z\"\n"
    "  deletionTimestamp: 2026-11-27T14:00:00+01:00\n"
    "  deletionGracePeriodSeconds: 30\n"
    "  finalizers: [example.com/keep]\n"
    "spec:\n"
    "  initContainers:\n"
    "  - name: init\n"
    "    image: busybox\n"
    "    command: [sh, -c, 'echo init']\n"
    "    restartPolicy: Always\n"
    "  containers:\n"
    "  - name: app\n"
    "    image: nginx:1.25\n"
    "    imagePullPolicy: IfNotPresent\n"
    "    command: [\"/bin/sh\", \"-c\"]\n"
    "    args:\n"
    "    - |\n"
    "      echo hi\n"
    "      sleep 1\n"
    "    - \"123\"\n"
    "    workingDir: /srv\n"
    "    env:\n"
    "    - name: A\n"
    "      value: \"1\"\n"
    "    - name: POD_IP\n"
    "      valueFrom:\n"
    "        fieldRef: {apiVersion: v1, fieldPath: status.podIP}\n"
    "    - name: MEM\n"
    "      valueFrom:\n"
    "        resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}\n"
    "    ports:\n"
    "    - {containerPort: 80, name: http, protocol: TCP, hostPort: 8080, hostIP: 127.0.0.1}\n"
    "    resources:\n"
    "      requests: {cpu: 100m, memory: 64Mi}\n"
    "      limits: {cpu: 1, memory: 0.5Gi, ephemeral-storage: 1G}\n"
    "    volumeMounts:\n"
    "    - {name: data, mountPath: /data, readOnly: true, subPath: x, mountPropagation: None}\n"
    "    livenessProbe:\n"
    "      httpGet:\n"
    "        path: /healthz\n"
    "        port: http\n"
    "        host: 127.0.0.1\n"
    "        scheme: HTTP\n"
    "        httpHeaders: [{name: X-A, value: b}]\n"
    "      initialDelaySeconds: 5\n"
    "      timeoutSeconds: 2\n"
    "      periodSeconds: 7\n"
    "      successThreshold: 1\n"
    "      failureThreshold: 4\n"
    "      terminationGracePeriodSeconds: 9\n"
    "    readinessProbe:\n"
    "      tcpSocket: {port: 80}\n"
    "    startupProbe:\n"
    "      exec: {command: [cat, /tmp/ok]}\n"
    "    lifecycle:\n"
    "      postStart: {exec: {command: [touch, /tmp/started]}}\n"
    "      preStop: {httpGet: {path: /stop, port: 8080}}\n"
    "    securityContext:\n"
    "      privileged: false\n"
    "      runAsNonRoot: true\n"
    "      readOnlyRootFilesystem: true\n"
    "      allowPrivilegeEscalation: false\n"
    "      runAsUser: 1000\n"
    "      runAsGroup: 1000\n"
    "      capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}\n"
    "      procMount: Default\n"
    "      seccompProfile: {type: RuntimeDefault}\n"
    "    terminationMessagePath: /dev/termination-log\n"
    "    terminationMessagePolicy: FallbackToLogsOnError\n"
    "    stdin: true\n"
    "    stdinOnce: false\n"
    "    tty: yes\n"
    "  - name: grpc\n"
    "    image: grpc\n"
    "    livenessProbe:\n"
    "      grpc: {port: 9000, service: health}\n"
    "    lifecycle:\n"
    "      preStop: {sleep: {seconds: 3}}\n"
    "  volumes:\n"
    "  - name: data\n"
    "    emptyDir: {medium: Memory, sizeLimit: 128Mi}\n"
    "  - name: host\n"
    "    hostPath: {path: /var/log, type: Directory}\n"
    "  restartPolicy: OnFailure\n"
    "  terminationGracePeriodSeconds: 45\n"
    "  activeDeadlineSeconds: 600\n"
    "  dnsPolicy: Default\n"
    "  nodeSelector: {disk: ssd}\n"
    "  serviceAccountName: builder\n"
    "  nodeName: node-1\n"
    "  hostNetwork: false\n"
    "  hostPID: false\n"
    "  hostIPC: false\n"
    "  shareProcessNamespace: true\n"
    "  securityContext:\n"
    "    runAsUser: 1001\n"
    "    runAsGroup: 1002\n"
    "    runAsNonRoot: true\n"
    "    fsGroup: 2000\n"
    "    supplementalGroups: [3000, 3001]\n"
    "    sysctls: [{name: net.ipv4.ip_local_port_range, value: 1024 65535}]\n"
    "    seccompProfile: {type: Localhost, localhostProfile: p.json}\n"
    "  hostname: web-0\n"
    "  subdomain: svc\n"
    "  schedulerName: default-scheduler\n"
    "  tolerations:\n"
    "  - {key: k, operator: Equal, value: v, effect: NoExecute, tolerationSeconds: 300}\n"
    "  - {operator: Exists}\n"
    "  priority: 1000\n"
    "  priorityClassName: high\n"
    "  preemptionPolicy: Never\n"
    "  enableServiceLinks: false\n"
    "  automountServiceAccountToken: false\n"
    "status:\n"
    "  phase: Running\n"
    "  conditions:\n"
    "  - type: Ready\n"
    "    status: \"True\"\n"
    "    lastProbeTime: null\n"
    "    lastTransitionTime: \"2026-11-27T13:38:30Z\"\n"
    "  message: all good\n"
    "  reason: Fine\n"
    "  nominatedNodeName: node-2\n"
    "  hostIP: 10.0.0.1\n"
    "  hostIPs: [{ip: 10.0.0.1}]\n"
    "  podIP: 10.88.0.5\n"
    "  podIPs: [{ip: 10.88.0.5}]\n"
    "  startTime: \"2026-11-27T13:38:27Z\"\n"
    "  initContainerStatuses:\n"
    "  - name: init\n"
    "    ready: true\n"
    "    restartCount: 0\n"
    "    image: busybox\n"
    "    imageID: sha256:abc\n"
    "    state:\n"
    "      terminated: {exitCode: 0, reason: Completed, startedAt: \"2026-11-27T13:38:27Z\",\n"
    "                   finishedAt: \"2026-11-27T13:38:28Z\", containerID: \"crun://i\"}\n"
    "  containerStatuses:\n"
    "  - name: app\n"
    "    ready: true\n"
    "    started: true\n"
    "    restartCount: 2\n"
    "    image: nginx:1.25\n"
    "    imageID: sha256:def\n"
    "    containerID: crun://c1\n"
    "    state: {running: {startedAt: \"2026-11-27T13:38:29Z\"}}\n"
    "    lastState:\n"
    "      terminated: {exitCode: 137, signal: 9, reason: OOMKilled, message: out of memory}\n"
    "  - name: grpc\n"
    "    ready: false\n"
    "    restartCount: 0\n"
    "    image: grpc\n"
    "    imageID: \"\"\n"
    "    state: {waiting: {reason: ErrImagePull, message: 'image \"grpc\" not found'}}\n"
    "    lastState: {}\n"
    "  qosClass: Burstable\n";

static int decode1(const char *yaml, struct pf_pod_list *l, struct pf_err *err)
{
	pf_err_clear(err);
	return pf_manifest_decode(yaml, strlen(yaml), SRC, l, err);
}

static void test_dry_run(void)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_pod_list l;
	struct pf_pod *p;

	is_int(decode1(dry_run, &l, &err), 1, "kubectl run --dry-run output accepted");
	is_str(err.msg, "", "no error");
	if (l.n != 1)
		return;
	p = l.items[0];
	is_str(p->meta.name, "my-pod", "name");
	is_str(pf_strmap_get(&p->meta.labels, "run"), "my-pod", "label run");
	is_int(p->meta.creation_ms, 0, "creationTimestamp null");
	is_int(p->spec.n_containers, 1, "one container");
	is_str(p->spec.containers[0].image, "nginx", "image");
	is_str(p->spec.containers[0].name, "my-pod", "container name");
	is_int(p->spec.containers[0].resources.requests.n, 0, "resources {}");
	is_str(p->spec.dns_policy, "ClusterFirst", "dnsPolicy");
	is_str(p->spec.restart_policy, "Always", "restartPolicy");
	pf_pod_list_free(&l);
}

static void test_rich_manifest(void)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_pod_list l;
	struct pf_pod *p;
	struct pf_container *c, *g;
	int rc = decode1(rich, &l, &err);

	is_int(rc, 1, "rich pod accepted");
	is_str(err.msg, "", "rich pod: no error");
	if (rc != 1)
		return;
	p = l.items[0];
	/* metadata: user fields kept, server fields dropped */
	is_str(p->meta.name, "web", "meta.name");
	is_str(p->meta.generate_name, "web-", "meta.generateName");
	is_str(p->meta.namespace_, "prod", "meta.namespace");
	is_str(pf_strmap_get(&p->meta.labels, "tier"), "1", "quoted number label");
	is_str(pf_strmap_get(&p->meta.labels, "on"), "yes", "quoted yes label, key 'on' kept");
	is_str(pf_strmap_get(&p->meta.annotations, "note"), "hello: world", "annotation");
	is_str(pf_strmap_get(&p->meta.annotations, "empty"), "", "empty annotation");
	is_int(p->meta.finalizers.n, 1, "finalizers");
	ok(p->meta.uid == NULL, "uid dropped in manifest mode");
	is_int(p->meta.resource_version, 0, "resourceVersion dropped");
	is_int(p->meta.generation, 0, "generation dropped");
	is_int(p->meta.creation_ms, 0, "creationTimestamp dropped");
	is_int(p->meta.deletion_ms, 0, "deletionTimestamp dropped");
	ok(!p->meta.has_deletion_grace_period_seconds, "deletionGracePeriodSeconds dropped");
	ok(p->status.phase == NULL && p->status.n_container_statuses == 0 &&
	       p->status.pod_ip == NULL,
	   "status dropped in manifest mode");

	/* init container */
	is_int(p->spec.n_init_containers, 1, "initContainers");
	is_str(p->spec.init_containers[0].restart_policy, "Always", "sidecar restartPolicy");
	is_str(p->spec.init_containers[0].command.items[2], "echo init", "init command");

	/* container */
	is_int(p->spec.n_containers, 2, "two containers");
	c = &p->spec.containers[0];
	g = &p->spec.containers[1];
	is_str(c->image_pull_policy, "IfNotPresent", "imagePullPolicy");
	is_str(c->args.items[0], "echo hi\nsleep 1\n", "literal block arg");
	is_str(c->args.items[1], "123", "quoted number arg");
	is_str(c->working_dir, "/srv", "workingDir");
	is_int(c->n_env, 3, "env");
	is_str(c->env[0].value, "1", "env value");
	is_str(c->env[1].field_ref_path, "status.podIP", "env fieldRef.fieldPath");
	is_str(c->env[1].field_ref_api, "v1", "env fieldRef.apiVersion");
	is_str(c->env[2].resource_ref, "limits.memory", "env resourceFieldRef.resource");
	is_str(c->env[2].resource_ref_container, "app", "env resourceFieldRef.containerName");
	is_str(c->env[2].resource_ref_divisor.str, "1Mi", "env resourceFieldRef.divisor");
	is_int(c->n_ports, 1, "ports");
	is_int(c->ports[0].container_port, 80, "containerPort");
	is_int(c->ports[0].host_port, 8080, "hostPort");
	is_str(c->ports[0].host_ip, "127.0.0.1", "hostIP");
	is_str(c->ports[0].protocol, "TCP", "protocol");
	is_str(c->ports[0].name, "http", "port name");
	const struct pf_quantity *q = pf_reslist_get(&c->resources.requests, "cpu");
	ok(q && q->milli == 100 && strcmp(q->str, "100m") == 0, "requests.cpu 100m");
	q = pf_reslist_get(&c->resources.limits, "cpu");
	ok(q && q->milli == 1000 && strcmp(q->str, "1") == 0, "limits.cpu number 1");
	q = pf_reslist_get(&c->resources.limits, "memory");
	ok(q && q->milli == 512LL * 1024 * 1024 * 1000 && strcmp(q->str, "512Mi") == 0,
	   "limits.memory 0.5Gi -> 512Mi");
	ok(pf_reslist_get(&c->resources.limits, "ephemeral-storage") != NULL,
	   "limits.ephemeral-storage");
	is_int(c->n_volume_mounts, 1, "volumeMounts");
	is_int(c->volume_mounts[0].read_only, PF_TRUE, "readOnly");
	is_str(c->volume_mounts[0].sub_path, "x", "subPath");
	is_str(c->volume_mounts[0].mount_propagation, "None", "mountPropagation");
	ok(c->liveness_probe.set, "livenessProbe set");
	is_int(c->liveness_probe.handler.kind, PF_HANDLER_HTTP, "httpGet");
	is_str(c->liveness_probe.handler.http_path, "/healthz", "httpGet.path");
	ok(c->liveness_probe.handler.port.is_str, "httpGet.port named");
	is_str(c->liveness_probe.handler.port.str, "http", "httpGet.port http");
	is_str(c->liveness_probe.handler.host, "127.0.0.1", "httpGet.host");
	is_str(c->liveness_probe.handler.http_scheme, "HTTP", "httpGet.scheme");
	is_int(c->liveness_probe.handler.n_http_headers, 1, "httpHeaders");
	is_str(c->liveness_probe.handler.http_headers[0].value, "b", "httpHeaders value");
	is_int(c->liveness_probe.initial_delay_seconds, 5, "initialDelaySeconds");
	is_int(c->liveness_probe.timeout_seconds, 2, "timeoutSeconds");
	is_int(c->liveness_probe.period_seconds, 7, "periodSeconds");
	is_int(c->liveness_probe.success_threshold, 1, "successThreshold");
	is_int(c->liveness_probe.failure_threshold, 4, "failureThreshold");
	ok(c->liveness_probe.has_termination_grace_period_seconds &&
	       c->liveness_probe.termination_grace_period_seconds == 9,
	   "probe terminationGracePeriodSeconds");
	is_int(c->readiness_probe.handler.kind, PF_HANDLER_TCP, "tcpSocket");
	is_int(c->readiness_probe.handler.port.num, 80, "tcpSocket.port number");
	is_int(c->startup_probe.handler.kind, PF_HANDLER_EXEC, "exec");
	is_str(c->startup_probe.handler.exec_command.items[1], "/tmp/ok", "exec.command");
	is_int(c->lifecycle.post_start.kind, PF_HANDLER_EXEC, "postStart exec");
	is_int(c->lifecycle.pre_stop.kind, PF_HANDLER_HTTP, "preStop httpGet");
	is_int(c->lifecycle.pre_stop.port.num, 8080, "preStop port");
	ok(c->security_context.set, "securityContext set");
	is_int(c->security_context.privileged, PF_FALSE, "privileged false");
	is_int(c->security_context.run_as_non_root, PF_TRUE, "runAsNonRoot");
	is_int(c->security_context.read_only_root_filesystem, PF_TRUE, "readOnlyRootFilesystem");
	is_int(c->security_context.allow_privilege_escalation, PF_FALSE,
	       "allowPrivilegeEscalation");
	ok(c->security_context.has_run_as_user && c->security_context.run_as_user == 1000,
	   "runAsUser");
	ok(c->security_context.has_run_as_group && c->security_context.run_as_group == 1000,
	   "runAsGroup");
	ok(c->security_context.capabilities.set, "capabilities set");
	is_str(c->security_context.capabilities.add.items[0], "NET_BIND_SERVICE", "caps add");
	is_str(c->security_context.capabilities.drop.items[0], "ALL", "caps drop");
	is_str(c->security_context.proc_mount, "Default", "procMount");
	is_str(c->security_context.seccomp.type, "RuntimeDefault", "seccompProfile");
	is_str(c->termination_message_path, "/dev/termination-log", "terminationMessagePath");
	is_str(c->termination_message_policy, "FallbackToLogsOnError", "terminationMessagePolicy");
	is_int(c->stdin_, PF_TRUE, "stdin");
	is_int(c->stdin_once, PF_FALSE, "stdinOnce");
	is_int(c->tty, PF_TRUE, "tty: yes is a YAML 1.1 bool");
	is_int(g->liveness_probe.handler.kind, PF_HANDLER_GRPC, "grpc");
	is_int(g->liveness_probe.handler.port.num, 9000, "grpc.port");
	is_str(g->liveness_probe.handler.grpc_service, "health", "grpc.service");
	is_int(g->lifecycle.pre_stop.kind, PF_HANDLER_SLEEP, "preStop sleep");
	is_int(g->lifecycle.pre_stop.sleep_seconds, 3, "sleep.seconds");

	/* volumes and pod-level fields */
	is_int(p->spec.n_volumes, 2, "volumes");
	is_int(p->spec.volumes[0].kind, PF_VOLUME_EMPTYDIR, "emptyDir");
	is_str(p->spec.volumes[0].empty_dir_medium, "Memory", "emptyDir.medium");
	is_str(p->spec.volumes[0].empty_dir_size_limit.str, "128Mi", "emptyDir.sizeLimit");
	is_int(p->spec.volumes[1].kind, PF_VOLUME_HOSTPATH, "hostPath");
	is_str(p->spec.volumes[1].host_path, "/var/log", "hostPath.path");
	is_str(p->spec.volumes[1].host_path_type, "Directory", "hostPath.type");
	is_str(p->spec.restart_policy, "OnFailure", "restartPolicy");
	ok(p->spec.has_termination_grace_period_seconds &&
	       p->spec.termination_grace_period_seconds == 45,
	   "terminationGracePeriodSeconds");
	ok(p->spec.has_active_deadline_seconds && p->spec.active_deadline_seconds == 600,
	   "activeDeadlineSeconds");
	is_str(p->spec.dns_policy, "Default", "dnsPolicy");
	is_str(pf_strmap_get(&p->spec.node_selector, "disk"), "ssd", "nodeSelector");
	is_str(p->spec.service_account_name, "builder", "serviceAccountName");
	is_str(p->spec.node_name, "node-1", "nodeName");
	is_int(p->spec.host_network, PF_FALSE, "hostNetwork");
	is_int(p->spec.host_pid, PF_FALSE, "hostPID");
	is_int(p->spec.host_ipc, PF_FALSE, "hostIPC");
	is_int(p->spec.share_process_namespace, PF_TRUE, "shareProcessNamespace");
	ok(p->spec.security_context.has_run_as_user && p->spec.security_context.run_as_user == 1001,
	   "pod runAsUser");
	ok(p->spec.security_context.has_fs_group && p->spec.security_context.fs_group == 2000,
	   "fsGroup");
	is_int(p->spec.security_context.n_supplemental_groups, 2, "supplementalGroups");
	is_int(p->spec.security_context.supplemental_groups[1], 3001, "supplementalGroups[1]");
	is_int(p->spec.security_context.n_sysctls, 1, "sysctls");
	is_str(p->spec.security_context.sysctls[0].value, "1024 65535", "sysctl value");
	is_str(p->spec.security_context.seccomp.localhost_profile, "p.json", "localhostProfile");
	is_str(p->spec.hostname, "web-0", "hostname");
	is_str(p->spec.subdomain, "svc", "subdomain");
	is_str(p->spec.scheduler_name, "default-scheduler", "schedulerName");
	is_int(p->spec.n_tolerations, 2, "tolerations");
	ok(p->spec.tolerations[0].has_toleration_seconds &&
	       p->spec.tolerations[0].toleration_seconds == 300,
	   "tolerationSeconds");
	is_str(p->spec.tolerations[1].operator_, "Exists", "toleration operator");
	ok(p->spec.has_priority && p->spec.priority == 1000, "priority");
	is_str(p->spec.priority_class_name, "high", "priorityClassName");
	is_str(p->spec.preemption_policy, "Never", "preemptionPolicy");
	is_int(p->spec.enable_service_links, PF_FALSE, "enableServiceLinks");
	is_int(p->spec.automount_service_account_token, PF_FALSE, "automountServiceAccountToken");
	pf_pod_list_free(&l);
}

/* Storage mode keeps everything; the encoder's output reads back the same. */
static void test_rich_storage_round_trip(void)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_pod *p = NULL, *p2 = NULL;
	struct pf_buf a = PF_BUF_INIT, b = PF_BUF_INIT;
	int rc = pf_pod_decode(rich, strlen(rich), &p, &err);

	is_int(rc, 0, "rich pod in storage mode");
	is_str(err.msg, "", "storage: no error");
	if (rc)
		return;
	is_str(p->meta.uid, "5f1c0d2e-0000-4000-8000-000000000001", "uid kept");
	is_int(p->meta.resource_version, 42, "resourceVersion string -> 42");
	is_int(p->meta.generation, 3, "generation kept");
	is_int(p->meta.creation_ms, 1795786706000LL, "creationTimestamp parsed");
	is_int(p->meta.deletion_ms, 1795788000000LL - 3600000, "deletionTimestamp with offset");
	is_str(p->status.phase, "Running", "phase");
	is_int(p->status.n_conditions, 1, "conditions");
	is_str(p->status.conditions[0].status, "True", "condition status");
	is_int(p->status.conditions[0].last_probe_ms, 0, "lastProbeTime null");
	is_str(p->status.host_ip, "10.0.0.1", "hostIP");
	is_str(p->status.pod_ip, "10.88.0.5", "podIP");
	is_str(p->status.nominated_node_name, "node-2", "nominatedNodeName");
	is_str(p->status.message, "all good", "status.message");
	is_str(p->status.reason, "Fine", "status.reason");
	ok(p->status.start_time_ms > 0, "startTime");
	is_str(p->status.qos_class, "Burstable", "qosClass");
	is_int(p->status.n_init_container_statuses, 1, "initContainerStatuses");
	is_int(p->status.init_container_statuses[0].state.kind, PF_CSTATE_TERMINATED,
	       "init terminated");
	is_str(p->status.init_container_statuses[0].state.container_id, "crun://i",
	       "terminated.containerID");
	ok(p->status.init_container_statuses[0].state.finished_ms >
	       p->status.init_container_statuses[0].state.started_ms,
	   "terminated startedAt/finishedAt");
	is_int(p->status.n_container_statuses, 2, "containerStatuses");
	struct pf_container_status *cs = &p->status.container_statuses[0];
	is_int(cs->state.kind, PF_CSTATE_RUNNING, "running");
	ok(cs->state.started_ms > 0, "running.startedAt");
	is_int(cs->last_state.kind, PF_CSTATE_TERMINATED, "lastState terminated");
	is_int(cs->last_state.exit_code, 137, "exitCode");
	is_int(cs->last_state.signal, 9, "signal");
	is_str(cs->last_state.reason, "OOMKilled", "terminated.reason");
	is_str(cs->last_state.message, "out of memory", "terminated.message");
	ok(cs->ready, "ready");
	is_int(cs->started, PF_TRUE, "started");
	is_int(cs->restart_count, 2, "restartCount");
	is_str(cs->image_id, "sha256:def", "imageID");
	is_str(cs->container_id, "crun://c1", "containerID");
	cs = &p->status.container_statuses[1];
	is_int(cs->state.kind, PF_CSTATE_WAITING, "waiting");
	is_str(cs->state.message, "image \"grpc\" not found", "waiting.message");
	is_int(cs->last_state.kind, PF_CSTATE_NONE, "lastState {}");

	pf_pod_encode(p, &a);
	rc = pf_pod_decode(a.buf, a.len, &p2, &err);
	is_int(rc, 0, "encoder output decodes in storage mode");
	if (rc == 0) {
		pf_pod_encode(p2, &b);
		is_str(b.buf, a.buf, "encode(decode(encode(pod))) == encode(pod)");
		is_int(p2->meta.resource_version, 42, "round trip: resourceVersion");
		is_int(p2->spec.containers[0].lifecycle.pre_stop.port.num, 8080,
		       "round trip: preStop port");
		is_int(p2->status.container_statuses[0].last_state.signal, 9,
		       "round trip: lastState.signal");
		is_str(p2->spec.containers[0].args.items[0], "echo hi\nsleep 1\n",
		       "round trip: multi-line string");
		is_str(pf_strmap_get(&p2->meta.labels, "tier"), "1", "round trip: numeric string");
	} else {
		printf("# %s\n", err.msg);
	}
	ok(strstr(a.buf, "  resourceVersion: \"42\"\n") != NULL, "resourceVersion quoted");
	ok(strstr(a.buf, "  creationTimestamp: \"2026-11-27T13:38:26Z\"\n") != NULL,
	   "creationTimestamp quoted RFC 3339");
	ok(strstr(a.buf, "    tier: \"1\"\n") != NULL, "numeric label quoted");
	ok(strstr(a.buf, "    note: 'hello: world'\n") != NULL, "': ' single-quoted");
	ok(strstr(a.buf, "  podIPs:\n  - ip: 10.88.0.5\n") != NULL, "podIPs derived from podIP");
	ok(strstr(a.buf, "  hostIPs:\n  - ip: 10.0.0.1\n") != NULL, "hostIPs derived from hostIP");
	ok(strstr(a.buf, "    - \"echo hi\\nsleep 1\\n\"\n") != NULL, "multi-line double-quoted");
	ok(strstr(a.buf, "    lastState: {}\n") != NULL, "lastState: {}");
	ok(strstr(a.buf, "  - lastProbeTime: null\n") != NULL, "lastProbeTime: null");
	ok(strstr(a.buf, "        cpu: \"1\"\n") != NULL, "quantity \"1\" quoted");
	ok(strstr(a.buf, "  serviceAccount: builder\n  serviceAccountName: builder\n") != NULL,
	   "serviceAccount alias written");
	pf_buf_release(&a);
	pf_buf_release(&b);
	pf_pod_free(p);
	pf_pod_free(p2);
}

/* Keys sorted at every level: each line's key must sort after the previous
 * key at the same indentation within the same parent. */
static void test_sorted_keys(void)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_pod *p = NULL;
	struct pf_buf a = PF_BUF_INIT;
	char last[64][128];
	int bad = 0;

	if (pf_pod_decode(rich, strlen(rich), &p, &err) < 0) {
		ok(0, "decode for sort check: %s", err.msg);
		return;
	}
	pf_pod_encode(p, &a);
	memset(last, 0, sizeof(last));
	for (char *line = a.buf; line && *line;) {
		char *nl = strchr(line, '\n');
		int ind = 0;
		char key[128];
		size_t k = 0;

		while (line[ind] == ' ')
			ind++;
		char *s = line + ind;
		if (s[0] == '-' && s[1] == ' ') { /* a new list item: new parent */
			ind += 2;
			s += 2;
			for (int i = ind; i < 64; i++)
				last[i][0] = '\0';
		}
		while (s[k] && s[k] != ':' && s[k] != '\n' && k < sizeof(key) - 1) {
			key[k] = s[k];
			k++;
		}
		key[k] = '\0';
		if (s[k] == ':' && ind < 64 && s[0] != '"' && s[0] != '\'' && s[0] != '-') {
			if (last[ind][0] && strcmp(last[ind], key) >= 0) {
				printf("#   not sorted: \"%s\" after \"%s\"\n", key, last[ind]);
				bad++;
			}
			snprintf(last[ind], sizeof(last[ind]), "%s", key);
			for (int i = ind + 1; i < 64; i++)
				last[i][0] = '\0';
		}
		line = nl ? nl + 1 : NULL;
	}
	is_int(bad, 0, "every map's keys are written in sorted order");
	pf_buf_release(&a);
	pf_pod_free(p);
}

static void test_golden(void)
{
	static const char want[] = "apiVersion: v1\n"
				   "kind: Pod\n"
				   "metadata:\n"
				   "  creationTimestamp: \"2026-11-27T13:38:26Z\"\n"
				   "  labels:\n"
				   "    app: web\n"
				   "    app.kubernetes.io/name: web\n"
				   "    version: \"1.0\"\n"
				   "  name: web\n"
				   "  namespace: default\n"
				   "  resourceVersion: \"7\"\n"
				   "  uid: 0b1d\n"
				   "spec:\n"
				   "  containers:\n"
				   "  - command:\n"
				   "    - sh\n"
				   "    - -c\n"
				   "    - 'echo a: b'\n"
				   "    image: nginx\n"
				   "    name: app\n"
				   "    ports:\n"
				   "    - containerPort: 80\n"
				   "      protocol: TCP\n"
				   "    resources:\n"
				   "      limits:\n"
				   "        memory: 128Mi\n"
				   "      requests:\n"
				   "        cpu: 100m\n"
				   "    stdin: true\n"
				   "  nodeSelector:\n"
				   "    disk: \"yes\"\n"
				   "  restartPolicy: Always\n"
				   "  securityContext: {}\n"
				   "  volumes:\n"
				   "  - emptyDir: {}\n"
				   "    name: scratch\n"
				   "  - hostPath:\n"
				   "      path: /tmp\n"
				   "      type: \"\"\n"
				   "    name: tmp\n"
				   "status:\n"
				   "  phase: Pending\n"
				   "  qosClass: Burstable\n";
	struct pf_pod *p = pf_xcalloc(1, sizeof(*p));
	struct pf_container *c;
	struct pf_buf out = PF_BUF_INIT;

	p->meta.name = pf_xstrdup("web");
	p->meta.namespace_ = pf_xstrdup("default");
	p->meta.uid = pf_xstrdup("0b1d");
	p->meta.resource_version = 7;
	p->meta.creation_ms = 1795786706000LL;
	pf_strmap_set(&p->meta.labels, "version", "1.0");
	pf_strmap_set(&p->meta.labels, "app.kubernetes.io/name", "web");
	pf_strmap_set(&p->meta.labels, "app", "web");
	p->spec.n_containers = 1;
	p->spec.containers = c = pf_xcalloc(1, sizeof(*c));
	c->name = pf_xstrdup("app");
	c->image = pf_xstrdup("nginx");
	pf_strlist_add(&c->command, "sh");
	pf_strlist_add(&c->command, "-c");
	pf_strlist_add(&c->command, "echo a: b");
	c->n_ports = 1;
	c->ports = pf_xcalloc(1, sizeof(*c->ports));
	c->ports[0].container_port = 80;
	c->ports[0].protocol = pf_xstrdup("TCP");
	pf_reslist_set(&c->resources.requests, "cpu", 100, "100m");
	pf_reslist_set(&c->resources.limits, "memory", 128LL << 20, "128Mi");
	c->stdin_ = PF_TRUE;
	pf_strmap_set(&p->spec.node_selector, "disk", "yes");
	p->spec.restart_policy = pf_xstrdup("Always");
	p->spec.n_volumes = 2;
	p->spec.volumes = pf_xcalloc(2, sizeof(*p->spec.volumes));
	p->spec.volumes[0].name = pf_xstrdup("scratch");
	p->spec.volumes[0].kind = PF_VOLUME_EMPTYDIR;
	p->spec.volumes[1].name = pf_xstrdup("tmp");
	p->spec.volumes[1].kind = PF_VOLUME_HOSTPATH;
	p->spec.volumes[1].host_path = pf_xstrdup("/tmp");
	p->spec.volumes[1].host_path_type = pf_xstrdup("");
	p->status.phase = pf_xstrdup("Pending");
	p->status.qos_class = pf_xstrdup("Burstable");
	pf_pod_encode(p, &out);
	is_str(out.buf, want, "golden: small pod encodes as kubectl shows it");
	pf_buf_release(&out);
	pf_pod_free(p);
}

static void test_multi_doc_and_list(void)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_pod_list l;
	const char *multi = "---\n"
			    "# comment only\n"
			    "---\n"
			    "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
			    "spec: {containers: [{name: c, image: i}]}\n"
			    "---\n"
			    "\n"
			    "---\n"
			    "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\n"
			    "spec: {containers: [{name: c, image: i}]}\n"
			    "...\n";
	const char *list = "apiVersion: v1\nkind: List\nmetadata: {resourceVersion: \"\"}\n"
			   "items:\n"
			   "- apiVersion: v1\n  kind: Pod\n  metadata: {name: x}\n"
			   "  spec: {containers: [{name: c, image: i}]}\n"
			   "- apiVersion: v1\n  kind: Pod\n  metadata: {name: w}\n"
			   "  spec: {containers: [{name: c, image: i}]}\n"
			   "---\n"
			   "apiVersion: v1\nkind: Pod\nmetadata: {name: z}\n";

	is_int(decode1(multi, &l, &err), 2, "multi-document: two pods, empty docs skipped");
	if (l.n == 2) {
		is_str(l.items[0]->meta.name, "a", "first document");
		is_str(l.items[1]->meta.name, "b", "second document");
	}
	pf_pod_list_free(&l);
	is_int(decode1(list, &l, &err), 3, "List of two and a pod");
	if (l.n == 3) {
		is_str(l.items[0]->meta.name, "x", "List item 0");
		is_str(l.items[1]->meta.name, "w", "List item 1");
		is_str(l.items[2]->meta.name, "z", "document after the List");
	}
	pf_pod_list_free(&l);
}

struct ecase {
	const char *name;
	const char *yaml;
	int rc;
	const char *msg;
};

#define CANNOT                                                                                     \
	"error when creating \"pod.yaml\": Pod in version \"v1\" cannot be handled as a Pod: "
#define HDR "apiVersion: v1\nkind: Pod\n"

static const struct ecase ecases[] = {
    {"unknown field with path",
     HDR "metadata: {name: a}\nspec:\n  containers:\n  - name: c\n    imagee: nginx\n", -EINVAL,
     CANNOT "strict decoding error: unknown field \"spec.containers[0].imagee\""},
    {"several unknown fields",
     HDR "metadata: {name: a, foo: 1}\nspec:\n  containers:\n  - name: c\n    imagee: nginx\n"
	 "  - name: d\n    ports: [{containerPort: 1, bogus: x}]\nbar: {}\n",
     -EINVAL,
     CANNOT "strict decoding error: unknown field \"metadata.foo\", unknown field "
	    "\"spec.containers[0].imagee\", unknown field \"spec.containers[1].ports[0].bogus\", "
	    "unknown field \"bar\""},
    {"duplicate key",
     HDR "metadata: {name: a}\nspec:\n  containers:\n  - name: c\n    image: a\n    image: b\n",
     -EINVAL, CANNOT "strict decoding error: json: duplicate field \"image\""},
    {"duplicate label key", HDR "metadata:\n  name: a\n  labels: {x: a, x: b}\n", -EINVAL,
     CANNOT "strict decoding error: json: duplicate field \"x\""},
    {"string for a list",
     HDR "metadata: {name: a}\nspec:\n  containers:\n  - name: c\n    ports: \"80\"\n", -EINVAL,
     CANNOT "json: cannot unmarshal string into Go struct field "
	    "Container.spec.containers.ports of type []v1.ContainerPort"},
    {"number for a label", HDR "metadata:\n  name: a\n  labels: {version: 1.0}\n", -EINVAL,
     CANNOT "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels "
	    "of type string"},
    {"string for an int, deep",
     HDR "metadata: {name: a}\nspec:\n  containers:\n  - name: c\n    livenessProbe:\n"
	 "      periodSeconds: \"10\"\n",
     -EINVAL,
     CANNOT "json: cannot unmarshal string into Go struct field "
	    "Probe.spec.containers.livenessProbe.periodSeconds of type int32"},
    {"float for an int",
     HDR "metadata: {name: a}\nspec:\n  containers:\n  - name: c\n"
	 "    ports: [{containerPort: 80.5}]\n",
     -EINVAL,
     CANNOT "json: cannot unmarshal number 80.5 into Go struct field "
	    "ContainerPort.spec.containers.ports.containerPort of type int32"},
    {"int32 out of range",
     HDR "metadata: {name: a}\nspec:\n  containers:\n  - name: c\n"
	 "    ports: [{containerPort: 99999999999}]\n",
     -EINVAL,
     CANNOT "json: cannot unmarshal number 99999999999 into Go struct field "
	    "ContainerPort.spec.containers.ports.containerPort of type int32"},
    {"number for resourceVersion", HDR "metadata: {name: a, resourceVersion: 5}\n", -EINVAL,
     CANNOT "json: cannot unmarshal number into Go struct field "
	    "ObjectMeta.metadata.resourceVersion of type string"},
    {"string for a bool", HDR "metadata: {name: a}\nspec:\n  hostNetwork: \"true\"\n", -EINVAL,
     CANNOT "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork "
	    "of type bool"},
    {"YAML 1.1 bool for a string", HDR "metadata: {name: y}\n", -EINVAL,
     CANNOT "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.name of "
	    "type string"},
    {"list for a struct", HDR "metadata: [a]\n", -EINVAL,
     CANNOT "json: cannot unmarshal array into Go struct field Pod.metadata of type "
	    "v1.ObjectMeta"},
    {"string for a list element", HDR "metadata: {name: a}\nspec:\n  containers: [nginx]\n",
     -EINVAL,
     CANNOT "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of "
	    "type v1.Container"},
    {"bad quantity",
     HDR "metadata: {name: a}\nspec:\n  containers:\n  - name: c\n"
	 "    resources: {limits: {memory: 1Mb}}\n",
     -EINVAL,
     CANNOT "quantities must match the regular expression "
	    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"},
    {"quantity beyond int64 milli-units",
     HDR "metadata: {name: a}\nspec:\n  containers:\n  - name: c\n"
	 "    resources: {limits: {memory: 10E}}\n",
     -EINVAL, CANNOT "quantity \"10E\" is out of range"},
    {"bad timestamp", HDR "metadata: {name: a, creationTimestamp: yesterday}\n", -EINVAL,
     CANNOT "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
	    "\"yesterday\" as \"2006\""},
    {"timestamp offset not digits",
     HDR "metadata: {name: a, creationTimestamp: \"2026-01-01T00:00:00+0a:bc\"}\n", -EINVAL,
     CANNOT "parsing time \"2026-01-01T00:00:00+0a:bc\" as \"2006-01-02T15:04:05Z07:00\": "
	    "cannot parse \"2026-01-01T00:00:00+0a:bc\" as \"2006\""},
    {"timestamp offset cut short",
     HDR "metadata: {name: a, creationTimestamp: \"2026-01-01T00:00:00+0\"}\n", -EINVAL,
     CANNOT "parsing time \"2026-01-01T00:00:00+0\" as \"2006-01-02T15:04:05Z07:00\": "
	    "cannot parse \"2026-01-01T00:00:00+0\" as \"2006\""},
    {"unsupported volume source",
     HDR "metadata: {name: a}\nspec:\n  volumes:\n  - name: v\n    configMap: {name: x}\n", -EINVAL,
     "error when creating \"pod.yaml\": The Pod \"a\" is invalid: spec.volumes[0]: "
     "Unsupported value: volume source configMap: podfs supports emptyDir and hostPath"},
    {"two handlers",
     HDR "metadata: {name: a}\nspec:\n  containers:\n  - name: c\n    livenessProbe:\n"
	 "      exec: {command: [x]}\n      tcpSocket: {port: 1}\n",
     -EINVAL,
     "error when creating \"pod.yaml\": The Pod \"a\" is invalid: "
     "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 "
     "handler type"},
    {"unsupported pod field", HDR "metadata: {name: a}\nspec:\n  affinity: {nodeAffinity: {}}\n",
     -EINVAL,
     "error when creating \"pod.yaml\": The Pod \"a\" is invalid: spec: Unsupported value: "
     "affinity: not supported by podfs"},
    {"anchor", HDR "metadata: &m {name: a}\n", -EINVAL,
     "error parsing pod.yaml: yaml: anchors and aliases are not allowed"},
    {"alias", HDR "metadata: {name: a}\nspec: *x\n", -EINVAL,
     "error parsing pod.yaml: yaml: anchors and aliases are not allowed"},
    {"billion laughs",
     "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
     "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
     "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
     "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
     "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
     "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
     "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
     "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n",
     -EINVAL, "error parsing pod.yaml: yaml: anchors and aliases are not allowed"},
    {"custom tag", HDR "metadata: !foo {name: a}\n", -EINVAL,
     "error parsing pod.yaml: yaml: line 3: tag \"!foo\" is not allowed (only the core "
     "schema)"},
    {"invalid YAML", HDR "metadata:\n  name: a\n  labels: a: b\n", -EINVAL,
     "error parsing pod.yaml: error converting YAML to JSON: yaml: line 5: mapping values "
     "are not allowed in this context"},
    {"unterminated quote", HDR "metadata:\n  name: \"a\n", -EINVAL,
     "error parsing pod.yaml: error converting YAML to JSON: yaml: line 5: found unexpected "
     "end of stream"},
    {"wrong kind", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n", -EINVAL,
     "error when creating \"pod.yaml\": no matches for kind \"Service\" in version \"v1\""},
    {"wrong apiVersion", "apiVersion: apps/v1\nkind: Pod\nmetadata: {name: a}\n", -EINVAL,
     "error when creating \"pod.yaml\": no matches for kind \"Pod\" in version \"apps/v1\""},
    {"List item of another kind",
     "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret}\n", -EINVAL,
     "error when creating \"pod.yaml\": no matches for kind \"Secret\" in version \"v1\""},
    {"List item without kind", "apiVersion: v1\nkind: List\nitems:\n- {metadata: {}}\n", -EINVAL,
     "error validating \"pod.yaml\": error validating data: [apiVersion not set, kind not "
     "set]"},
    {"missing kind", "apiVersion: v1\nmetadata: {name: a}\n", -EINVAL,
     "error validating \"pod.yaml\": error validating data: kind not set"},
    {"scalar document", "hello\n", -EINVAL,
     "error when creating \"pod.yaml\": couldn't get version/kind; json parse error: json: "
     "cannot unmarshal string into Go value of type struct { APIVersion string "
     "\"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }"},
    {"empty input", "", -EINVAL, "error when creating \"pod.yaml\": no objects passed to create"},
    {"only comments and separators", "# nothing\n---\n---\n", -EINVAL,
     "error when creating \"pod.yaml\": no objects passed to create"},
    {"empty List", "apiVersion: v1\nkind: List\nitems: []\n", -EINVAL,
     "error when creating \"pod.yaml\": no objects passed to create"},
    {"second document fails: nothing returned",
     HDR "metadata: {name: a}\n---\n" HDR "metadata: {name: b, x: 1}\n", -EINVAL,
     CANNOT "strict decoding error: unknown field \"metadata.x\""},
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(ecases) / sizeof(ecases[0]); i++) {
		const struct ecase *e = &ecases[i];
		struct pf_err err = PF_ERR_INIT;
		struct pf_pod_list l = {(struct pf_pod **)1, 99};
		int rc = pf_manifest_decode(e->yaml, strlen(e->yaml), SRC, &l, &err);

		is_int(rc, e->rc, "%s: errno", e->name);
		is_int(err.code, -e->rc, "%s: err.code", e->name);
		is_str(err.msg, e->msg, "%s: message", e->name);
		ok(l.n == 0 && l.items == NULL, "%s: nothing returned", e->name);
		pf_pod_list_free(&l);
	}
}

static char *nested(int depth)
{
	struct pf_buf b = PF_BUF_INIT;

	/* The document's map is level 1; each flow sequence adds one. */
	pf_buf_adds(&b, HDR "metadata: {name: a}\nx: ");
	for (int i = 1; i < depth; i++)
		pf_buf_addc(&b, '[');
	for (int i = 1; i < depth; i++)
		pf_buf_addc(&b, ']');
	pf_buf_addc(&b, '\n');
	return pf_buf_detach(&b, NULL);
}

static void test_limits(void)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_pod_list l;
	char *s;
	size_t n;
	int rc;

	s = nested(65);
	rc = decode1(s, &l, &err);
	is_int(rc, -EINVAL, "depth 65 refused");
	is_str(err.msg, "error parsing pod.yaml: yaml: exceeded max depth of 64", "depth message");
	free(s);
	s = nested(64);
	rc = decode1(s, &l, &err);
	is_int(rc, -EINVAL, "depth 64 parses (then fails as an unknown field)");
	is_str(err.msg, CANNOT "strict decoding error: unknown field \"x\"", "depth 64 message");
	free(s);

	n = PF_MANIFEST_MAX_BYTES + 1;
	s = pf_xmalloc(n);
	memset(s, ' ', n);
	memcpy(s, dry_run, sizeof(dry_run) - 1);
	pf_err_clear(&err);
	rc = pf_manifest_decode(s, n, SRC, &l, &err);
	is_int(rc, -EFBIG, "3 MiB + 1 byte -> EFBIG");
	is_int(err.code, EFBIG, "err.code EFBIG");
	is_str(err.msg,
	       "error when creating \"pod.yaml\": Request entity too large: limit is 3145728",
	       "EFBIG message");
	/* exactly the limit is fine (trailing spaces: still one pod) */
	s[n - 2] = '\n';
	pf_err_clear(&err);
	rc = pf_manifest_decode(s, n - 1, SRC, &l, &err);
	is_int(rc, 1, "exactly 3 MiB accepted");
	pf_pod_list_free(&l);
	free(s);

	struct pf_buf b = PF_BUF_INIT;
	for (int i = 0; i <= PF_MANIFEST_MAX_DOCS; i++)
		pf_buf_adds(&b, "---\n");
	rc = decode1(b.buf, &l, &err);
	is_int(rc, -EINVAL, "more than 1000 documents refused");
	is_str(err.msg, "error parsing pod.yaml: yaml: more than 1000 documents", "docs message");
	pf_buf_release(&b);

	/* A large flat map is checked for duplicates without quadratic time. */
	pf_buf_adds(&b, HDR "metadata:\n  name: a\n  labels:\n");
	for (int i = 0; i < 50000; i++)
		pf_buf_addf(&b, "    k%d: v\n", i);
	pf_buf_adds(&b, "    k17: dup\n");
	int64_t t0 = pf_now_ns();
	rc = decode1(b.buf, &l, &err);
	int64_t dt = pf_now_ns() - t0;
	is_int(rc, -EINVAL, "duplicate in a 50000-key map found");
	is_str(err.msg, CANNOT "strict decoding error: json: duplicate field \"k17\"",
	       "large map duplicate message");
	printf("# 50000-label map decoded in %.1f ms\n", dt / 1e6);
	pf_buf_release(&b);
}

/* YAML 1.1 scalars as sigs.k8s.io/yaml reads them, and Go's number rules. */
static void test_scalars(void)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_pod_list l;
	const char *y =
	    HDR "metadata:\n  name: a\n  generation: 0x10\n"
		"spec:\n  containers:\n  - name: c\n    image: ~\n    tty: on\n    stdin: No\n"
		"    ports: [{containerPort: 1e3}, {containerPort: 0o17}]\n"
		"    command: [!!str 123, '', null]\n"
		"    workingDir: !!str true\n"
		"  terminationGracePeriodSeconds: 1_000\n";
	int rc = decode1(y, &l, &err);

	is_int(rc, 1, "YAML 1.1 scalars accepted");
	is_str(err.msg, "", "no error");
	if (rc != 1)
		return;
	struct pf_container *c = &l.items[0]->spec.containers[0];
	ok(c->image == NULL, "~ is null = unset");
	is_int(c->tty, PF_TRUE, "on is true");
	is_int(c->stdin_, PF_FALSE, "No is false");
	is_int(c->ports[0].container_port, 1000, "1e3 is the integer 1000");
	is_int(c->ports[1].container_port, 15, "0o17 is octal");
	is_str(c->command.items[0], "123", "!!str 123 is a string");
	is_str(c->command.items[1], "", "'' is an empty string");
	is_str(c->command.items[2], "", "null list element is \"\"");
	is_str(c->working_dir, "true", "!!str true is a string");
	is_int(l.items[0]->spec.termination_grace_period_seconds, 1000, "1_000 is 1000");
	pf_pod_list_free(&l);
}

static void test_node_round_trip(void)
{
	struct pf_node *n = pf_xcalloc(1, sizeof(*n)), *n2 = NULL;
	struct pf_buf a = PF_BUF_INIT, b = PF_BUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	int rc;

	n->meta.name = pf_xstrdup("node-1");
	n->meta.uid = pf_xstrdup("u-1");
	n->meta.resource_version = 99;
	n->meta.creation_ms = 1795786706000LL;
	pf_strmap_set(&n->meta.labels, "kubernetes.io/hostname", "node-1");
	pf_strmap_set(&n->meta.labels, "kubernetes.io/os", "linux");
	n->pod_cidr = pf_xstrdup("10.88.1.0/24");
	n->unschedulable = true;
	n->n_taints = 1;
	n->taints = pf_xcalloc(1, sizeof(*n->taints));
	n->taints[0].key = pf_xstrdup("dedicated");
	n->taints[0].value = pf_xstrdup("gpu");
	n->taints[0].effect = pf_xstrdup("NoSchedule");
	n->taints[0].time_added_ms = 1795786707000LL;
	pf_reslist_set(&n->capacity, "cpu", 4000, "4");
	pf_reslist_set(&n->capacity, "memory", (8LL << 30) * 1000, "8Gi");
	pf_reslist_set(&n->capacity, "pods", 110000, "110");
	pf_reslist_set(&n->allocatable, "cpu", 3500, "3500m");
	n->n_conditions = 1;
	n->conditions = pf_xcalloc(1, sizeof(*n->conditions));
	n->conditions[0].type = pf_xstrdup("Ready");
	n->conditions[0].status = pf_xstrdup("True");
	n->conditions[0].reason = pf_xstrdup("KubeletReady");
	n->conditions[0].message = pf_xstrdup("kubelet is posting ready status");
	n->conditions[0].last_probe_ms = 1795786708000LL;
	n->conditions[0].last_transition_ms = 1795786706000LL;
	n->n_addresses = 2;
	n->addresses = pf_xcalloc(2, sizeof(*n->addresses));
	n->addresses[0].type = pf_xstrdup("InternalIP");
	n->addresses[0].address = pf_xstrdup("192.168.1.10");
	n->addresses[1].type = pf_xstrdup("Hostname");
	n->addresses[1].address = pf_xstrdup("node-1");
	n->os = pf_xstrdup("linux");
	n->arch = pf_xstrdup("amd64");
	n->kernel_version = pf_xstrdup("6.1.0-18-amd64");
	n->os_image = pf_xstrdup("Debian GNU/Linux 12 (bookworm)");
	n->container_runtime_version = pf_xstrdup("crun://1.8.1");
	n->kubelet_version = pf_xstrdup("podfs-0.1");
	n->machine_id = pf_xstrdup("abc123");

	pf_node_encode(n, &a);
	rc = pf_node_decode(a.buf, a.len, &n2, &err);
	is_int(rc, 0, "node: encoder output decodes");
	if (rc == 0) {
		pf_node_encode(n2, &b);
		is_str(b.buf, a.buf, "node: encode(decode(encode)) == encode");
		is_str(n2->pod_cidr, "10.88.1.0/24", "node: podCIDR");
		ok(n2->unschedulable, "node: unschedulable");
		is_int(n2->taints[0].time_added_ms, 1795786707000LL, "node: taint timeAdded");
		is_int(n2->conditions[0].last_probe_ms, 1795786708000LL, "node: lastHeartbeatTime");
		is_int(pf_reslist_get(&n2->capacity, "memory")->milli, (8LL << 30) * 1000,
		       "node: capacity memory");
		is_str(n2->addresses[0].address, "192.168.1.10", "node: address");
		is_str(n2->machine_id, "abc123", "node: machineID");
		is_int(n2->meta.resource_version, 99, "node: resourceVersion");
	} else {
		printf("# %s\n", err.msg);
	}
	ok(strstr(a.buf, "  podCIDRs:\n  - 10.88.1.0/24\n") != NULL, "node: podCIDRs derived");
	ok(strstr(a.buf, "  - lastHeartbeatTime: \"2026-11-27T13:38:28Z\"\n") != NULL,
	   "node: lastHeartbeatTime written");
	ok(strstr(a.buf, "    operatingSystem: linux\n") != NULL, "node: nodeInfo");
	ok(strstr(a.buf, "    pods: \"110\"\n") != NULL, "node: pods capacity quoted");
	ok(strncmp(a.buf, "apiVersion: v1\nkind: Node\nmetadata:\n", 36) == 0, "node: header");
	pf_buf_release(&a);
	pf_buf_release(&b);
	pf_node_free(n);
	pf_node_free(n2);

	/* storage mode refuses the wrong kind and unknown fields */
	const char *bad =
	    "apiVersion: v1\nkind: Node\nmetadata: {name: node}\nspec: {podCidr: x}\n";
	struct pf_node *n3 = NULL;
	pf_err_clear(&err);
	is_int(pf_node_decode(bad, strlen(bad), &n3, &err), -EINVAL, "node: unknown field");
	is_str(err.msg,
	       "Node in version \"v1\" cannot be handled as a Node: strict decoding error: unknown "
	       "field \"spec.podCidr\"",
	       "node: unknown field message");
	pf_err_clear(&err);
	is_int(pf_node_decode(dry_run, strlen(dry_run), &n3, &err), -EINVAL, "node: a Pod refused");
	is_str(err.msg, "no matches for kind \"Pod\" in version \"v1\"", "node: kind message");
	ok(n3 == NULL, "node: nothing returned on error");
}

static void test_event_round_trip(void)
{
	struct pf_event *e = pf_xcalloc(1, sizeof(*e)), *e2 = NULL;
	struct pf_buf a = PF_BUF_INIT, b = PF_BUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	int rc;

	e->meta.name = pf_xstrdup("web.17a2b3c4d5e6f700");
	e->meta.namespace_ = pf_xstrdup("default");
	e->meta.creation_ms = 1795786706000LL;
	e->meta.resource_version = 5;
	e->involved_kind = pf_xstrdup("Pod");
	e->involved_name = pf_xstrdup("web");
	e->involved_namespace = pf_xstrdup("default");
	e->involved_uid = pf_xstrdup("u-2");
	e->involved_field_path = pf_xstrdup("spec.containers{app}");
	e->reason = pf_xstrdup("Pulled");
	e->message = pf_xstrdup("Container image \"nginx\" already present on machine");
	e->type = pf_xstrdup("Normal");
	e->source_component = pf_xstrdup("kubelet");
	e->source_host = pf_xstrdup("node-1");
	e->first_ms = 1795786706000LL;
	e->last_ms = 1795786716000LL;
	e->count = 3;

	pf_event_encode(e, &a);
	rc = pf_event_decode(a.buf, a.len, &e2, &err);
	is_int(rc, 0, "event: encoder output decodes");
	if (rc == 0) {
		pf_event_encode(e2, &b);
		is_str(b.buf, a.buf, "event: encode(decode(encode)) == encode");
		is_str(e2->involved_field_path, "spec.containers{app}", "event: fieldPath");
		is_str(e2->message, e->message, "event: message");
		is_int(e2->count, 3, "event: count");
		is_int(e2->last_ms, 1795786716000LL, "event: lastTimestamp");
		is_str(e2->source_host, "node-1", "event: source.host");
	} else {
		printf("# %s\n", err.msg);
	}
	ok(strstr(a.buf, "eventTime: null\n") != NULL, "event: eventTime null as kubectl shows");
	ok(strstr(a.buf, "\nkind: Event\n") != NULL, "event: kind");
	ok(strstr(a.buf, "  fieldPath: spec.containers{app}\n") != NULL,
	   "event: '{' inside a plain scalar stays plain");
	pf_buf_release(&a);
	pf_buf_release(&b);
	pf_event_free(e);
	pf_event_free(e2);
}

static void test_quoting(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"plain", "v: plain\n"},
	    {"", "v: \"\"\n"},
	    {"true", "v: \"true\"\n"},
	    {"y", "v: \"y\"\n"},
	    {"Off", "v: \"Off\"\n"},
	    {"null", "v: \"null\"\n"},
	    {"~", "v: \"~\"\n"},
	    {"123", "v: \"123\"\n"},
	    {"1.5", "v: \"1.5\"\n"},
	    {"0x1F", "v: \"0x1F\"\n"},
	    {"1e3", "v: \"1e3\"\n"},
	    {".inf", "v: \".inf\"\n"},
	    {"1:30", "v: \"1:30\"\n"},
	    {"2026-11-27", "v: \"2026-11-27\"\n"},
	    {"100m", "v: 100m\n"},
	    {"64Mi", "v: 64Mi\n"},
	    {" lead", "v: ' lead'\n"},
	    {"trail ", "v: 'trail '\n"},
	    {"a: b", "v: 'a: b'\n"},
	    {"a:b", "v: a:b\n"},
	    {"a #b", "v: 'a #b'\n"},
	    {"a#b", "v: a#b\n"},
	    {"*star", "v: '*star'\n"},
	    {"- x", "v: '- x'\n"},
	    {"-x", "v: -x\n"},
	    {"it's", "v: it's\n"},
	    {"'q'", "v: '''q'''\n"},
	    {"[a]", "v: '[a]'\n"},
	    {"x,y", "v: x,y\n"},
	    {"a\nb", "v: \"a\\nb\"\n"},
	    {"tab\there", "v: \"tab\\there\"\n"},
	    {"say \"hi\"", "v: say \"hi\"\n"},
	    {"---", "v: '---'\n"},
	    {"héllo", "v: héllo\n"},
	    /* YAML line breaks and characters a reader refuses: escaped, or
	     * the stored object would not read back (issue #14, item 1). */
	    {"x\xe2\x80\xa9y", "v: \"x\\Py\"\n"},
	    {"x\xe2\x80\xa8y", "v: \"x\\Ly\"\n"},
	    {"x\xc2\x85y", "v: \"x\\Ny\"\n"},
	    {"\xc2\x85", "v: \"\\N\"\n"},
	    {"x\xc2\x80y\xc2\x9f", "v: \"x\\x80y\\x9F\"\n"},
	    {"bom\xef\xbb\xbf", "v: \"bom\\uFEFF\"\n"},
	    {"nc\xef\xbf\xbe\xef\xbf\xbf", "v: \"nc\\uFFFE\\uFFFF\"\n"},
	    {"\xe2\x80\xa9 lead", "v: \"\\P lead\"\n"},
	    {"ok\xc2\xa0nbsp\xe2\x80\xa6", "v: ok\xc2\xa0nbsp\xe2\x80\xa6\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pf_pod *p = pf_xcalloc(1, sizeof(*p)), *p2 = NULL;
		struct pf_buf o = PF_BUF_INIT;
		struct pf_err err = PF_ERR_INIT;
		const char *line;

		pf_strmap_set(&p->meta.labels, "v", cases[i].in);
		pf_pod_encode(p, &o);
		line = strstr(o.buf, "    v: ");
		if (line) {
			const char *nl = strchr(line, '\n');
			char *got = pf_xstrndup(line + 4, (size_t)(nl - line - 3));

			is_str(got, cases[i].want, "quoting case %zu", i);
			free(got);
		} else {
			ok(0, "quoting of \"%s\": label line missing", cases[i].in);
		}
		if (pf_pod_decode(o.buf, o.len, &p2, &err) == 0)
			is_str(pf_strmap_get(&p2->meta.labels, "v"), cases[i].in,
			       "quoting case %zu reads back", i);
		else
			ok(0, "quoting case %zu reads back: %s", i, err.msg);
		pf_buf_release(&o);
		pf_pod_free(p);
		pf_pod_free(p2);
	}
}

static void test_speed(void)
{
	const char *typical = "apiVersion: v1\n"
			      "kind: Pod\n"
			      "metadata:\n"
			      "  name: web\n"
			      "  labels:\n"
			      "    app: web\n"
			      "    tier: frontend\n"
			      "  annotations:\n"
			      "    owner: team-a\n"
			      "spec:\n"
			      "  containers:\n"
			      "  - name: web\n"
			      "    image: nginx:1.25\n"
			      "    imagePullPolicy: IfNotPresent\n"
			      "    ports:\n"
			      "    - containerPort: 80\n"
			      "      name: http\n"
			      "    env:\n"
			      "    - name: MODE\n"
			      "      value: production\n"
			      "    resources:\n"
			      "      requests:\n"
			      "        cpu: 100m\n"
			      "        memory: 64Mi\n"
			      "      limits:\n"
			      "        cpu: 500m\n"
			      "        memory: 128Mi\n"
			      "    readinessProbe:\n"
			      "      httpGet:\n"
			      "        path: /healthz\n"
			      "        port: http\n"
			      "      periodSeconds: 5\n"
			      "    livenessProbe:\n"
			      "      tcpSocket:\n"
			      "        port: 80\n"
			      "    volumeMounts:\n"
			      "    - name: cache\n"
			      "      mountPath: /var/cache/nginx\n"
			      "  - name: sidecar\n"
			      "    image: busybox\n"
			      "    command: [sh, -c, 'while true; do date; sleep 5; done']\n"
			      "  volumes:\n"
			      "  - name: cache\n"
			      "    emptyDir: {}\n"
			      "  restartPolicy: Always\n"
			      "  terminationGracePeriodSeconds: 10\n"
			      "  nodeSelector:\n"
			      "    kubernetes.io/os: linux\n"
			      "  tolerations:\n"
			      "  - key: dedicated\n"
			      "    operator: Equal\n"
			      "    value: web\n"
			      "    effect: NoSchedule\n";
	const int iters = 2000;
	struct pf_err err = PF_ERR_INIT;
	int good = 0;
	int64_t t0 = pf_now_ns();

	for (int i = 0; i < iters; i++) {
		struct pf_pod_list l;

		if (pf_manifest_decode(typical, strlen(typical), SRC, &l, &err) == 1)
			good++;
		pf_pod_list_free(&l);
	}
	int64_t dt = pf_now_ns() - t0;
	is_int(good, iters, "typical pod decodes every time");
	printf("# decode of a typical %zu-byte pod: %.1f us (target < 50 us)\n", strlen(typical),
	       dt / 1e3 / iters);
}

/* The Lease of lease.c: the layout it always wrote (holderIdentity quoted,
 * MicroTime; the metadata as the codec writes every object's), and any holder, quotes, colons and
 * line breaks included, reads back as itself. */
static void test_lease_round_trip(void)
{
	static const char *const holders[] = {
	    "host_0d9c6f1e-1f7e-4b2a-9a64-1b5d1f0e2c3a",
	    "a \"quoted\" holder",
	    "colon: and # hash",
	    "two\nlines\r\nand a tab\t",
	    "back\\slash and 'single'",
	    "- looks like a list",
	    "",
	};
	struct pf_lease_object l = {
	    .meta = {.name = (char *)"kube-scheduler", .namespace_ = (char *)"kube-system"},
	    .lease_duration_seconds = 15,
	    .lease_transitions = 3,
	    .acquire_ms = 1795786706123LL,
	    .renew_ms = 1795786716007LL,
	};
	struct pf_buf b = PF_BUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	struct pf_lease_object *back = NULL;

	l.holder_identity = (char *)"host_1";
	pf_lease_encode(&l, &b);
	is_str(
	    b.buf,
	    "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n"
	    "  creationTimestamp: null\n  name: kube-scheduler\n  namespace: kube-system\nspec:\n"
	    "  acquireTime: \"2026-11-27T13:38:26.123000Z\"\n  holderIdentity: \"host_1\"\n"
	    "  leaseDurationSeconds: 15\n  leaseTransitions: 3\n"
	    "  renewTime: \"2026-11-27T13:38:36.007000Z\"\n",
	    "a Lease is written as kubectl shows it");
	for (size_t i = 0; i < PF_ARRAY_SIZE(holders); i++) {
		pf_buf_reset(&b);
		l.holder_identity = (char *)holders[i];
		pf_lease_encode(&l, &b);
		back = NULL;
		if (!ok(pf_lease_decode(b.buf, b.len, &back, &err) == 0, "lease %zu decodes", i)) {
			printf("#   %s\n", err.msg);
			continue;
		}
		is_str(back->holder_identity ? back->holder_identity : "", holders[i],
		       "lease %zu: holderIdentity reads back", i);
		is_int(back->renew_ms, l.renew_ms, "lease %zu: renewTime", i);
		is_int(back->acquire_ms, l.acquire_ms, "lease %zu: acquireTime", i);
		is_int(back->lease_duration_seconds, 15, "lease %zu: leaseDurationSeconds", i);
		is_int(back->lease_transitions, 3, "lease %zu: leaseTransitions", i);
		is_str(back->meta.name, "kube-scheduler", "lease %zu: name", i);
		pf_lease_object_free(back);
	}
	ok(pf_lease_decode("apiVersion: v1\nkind: Lease\n", 27, &back, &err) == -EINVAL,
	   "a Lease must be coordination.k8s.io/v1");
	ok(pf_lease_decode("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n", 45, &back, &err) ==
	       -EINVAL,
	   "a Pod is not a Lease");
	pf_buf_release(&b);
}

int main(void)
{
	test_dry_run();
	test_rich_manifest();
	test_rich_storage_round_trip();
	test_sorted_keys();
	test_golden();
	test_multi_doc_and_list();
	test_errors();
	test_limits();
	test_scalars();
	test_node_round_trip();
	test_event_round_trip();
	test_lease_round_trip();
	test_quoting();
	test_speed();
	return tap_done();
}
