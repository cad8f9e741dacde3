/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_bundle.c - the OCI configuration of a container (node/bundle.c):
 * the command/args vs Entrypoint/Cmd table, $(VAR) expansion and $$
 * escapes, fieldRef, capabilities add/drop, the user, mounts, resources,
 * namespaces and the default seccomp profile.
 */
#include "bundle.h"
#include "fileio.h"
#include "manifest.h"
#include "pod_of.h"
#include "tap.h"

#include <errno.h>

static char *joined(const struct pf_strlist *l)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_buf_adds(&b, "");
	for (size_t i = 0; i < l->n; i++)
		pf_buf_addf(&b, "%s%s", i ? "|" : "", l->items[i]);
	return pf_buf_detach(&b, NULL);
}

static void set_list(struct pf_strlist *l, const char *a, const char *b)
{
	if (a)
		pf_strlist_add(l, a);
	if (b)
		pf_strlist_add(l, b);
}

/* Kubernetes' table (tasks/inject-data-application/define-command-argument-container). */
static void test_args(void)
{
	static const struct {
		const char *cmd, *args, *want;
	} t[] = {
	    {NULL, NULL, "/ep-1|/ep-2|cmd-1"},
	    {"/c", NULL, "/c"},
	    {NULL, "a1", "/ep-1|/ep-2|a1"},
	    {"/c", "a1", "/c|a1"},
	};
	struct pf_image img = {0};
	struct pf_strlist env = {0};

	set_list(&img.entrypoint, "/ep-1", "/ep-2");
	set_list(&img.cmd, "cmd-1", NULL);
	for (size_t i = 0; i < PF_ARRAY_SIZE(t); i++) {
		struct pf_container c = {0};
		struct pf_strlist out = {0};
		struct pf_err err = PF_ERR_INIT;
		char *j;

		set_list(&c.command, t[i].cmd, NULL);
		set_list(&c.args, t[i].args, NULL);
		is_int(pf_bundle_args(&c, &img, &env, &out, &err), 0, "args row %zu", i);
		j = joined(&out);
		is_str(j, t[i].want, "command=%s args=%s", t[i].cmd ? t[i].cmd : "-",
		       t[i].args ? t[i].args : "-");
		free(j);
		pf_strlist_free(&out);
		pf_strlist_free(&c.command);
		pf_strlist_free(&c.args);
	}
	{
		struct pf_container c = {0};
		struct pf_strlist out = {0};
		struct pf_err err = PF_ERR_INIT;
		is_int(pf_bundle_args(&c, NULL, &env, &out, &err), -EINVAL,
		       "nothing to run: -EINVAL");
		is_str(err.msg, "no command specified", "in kubelet's words");
	}
	pf_strlist_free(&img.entrypoint);
	pf_strlist_free(&img.cmd);
}

static void test_expand(void)
{
	struct pf_strlist env = {0};
	static const struct {
		const char *in, *want;
	} t[] = {
	    {"$(A)", "1"},
	    {"x$(A)y$(B)z", "x1y2z"},
	    {"$$(A)", "$(A)"},
	    {"$$$(A)", "$1"},
	    {"$(UNKNOWN)", "$(UNKNOWN)"},
	    {"$(A", "$(A"},
	    {"$A", "$A"},
	    {"$()", "$()"},
	    {"a$", "a$"},
	    {"$(A)$(A)", "11"},
	};

	set_list(&env, "A=1", "B=2");
	for (size_t i = 0; i < PF_ARRAY_SIZE(t); i++) {
		char *x = pf_bundle_expand(t[i].in, &env);
		is_str(x, t[i].want, "expand %s", t[i].in);
		free(x);
	}
	pf_strlist_free(&env);
}

static const char *env_get(const struct pf_strlist *env, const char *k)
{
	size_t n = strlen(k);

	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->items[i], k, n) == 0 && env->items[i][n] == '=')
			return env->items[i] + n + 1;
	return NULL;
}

static void test_env(void)
{
	struct pf_pod *pod = pod_of(
	    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
	    "  namespace: default\n  uid: u-1\n  labels: {app: x, tier: fe}\n"
	    "  annotations: {note: hi}\nspec:\n  nodeName: n1\n"
	    "  serviceAccountName: sa\n  containers:\n  - name: c\n"
	    "    image: busybox\n    env:\n    - {name: A, value: one}\n"
	    "    - {name: B, value: \"$(A)-$(C)-$$(A)\"}\n"
	    "    - {name: C, value: three}\n"
	    "    - {name: PATH, value: /opt}\n"
	    "    - name: PODNAME\n      valueFrom: {fieldRef: {fieldPath: metadata.name}}\n"
	    "    - name: NS\n      valueFrom: {fieldRef: {fieldPath: metadata.namespace}}\n"
	    "    - name: UID\n      valueFrom: {fieldRef: {fieldPath: metadata.uid}}\n"
	    "    - name: L\n      valueFrom: {fieldRef: {fieldPath: \"metadata.labels['tier']\"}}\n"
	    "    - name: AN\n      valueFrom: {fieldRef: {fieldPath: "
	    "\"metadata.annotations['note']\"}}\n"
	    "    - name: LS\n      valueFrom: {fieldRef: {fieldPath: metadata.labels}}\n"
	    "    - name: NODE\n      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}\n"
	    "    - name: SA\n      valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}\n"
	    "    - name: IP\n      valueFrom: {fieldRef: {fieldPath: status.podIP}}\n"
	    "    - name: HIP\n      valueFrom: {fieldRef: {fieldPath: status.hostIP}}\n"
	    "    resources:\n      limits: {memory: 64Mi}\n");
	struct pf_image img = {0};
	struct pf_bundle_in in = {.pod = pod,
				  .c = &pod->spec.containers[0],
				  .img = &img,
				  .pod_ip = "10.1.0.5",
				  .host_ip = "192.0.2.2"};
	struct pf_strlist env = {0};
	struct pf_err err = PF_ERR_INIT;

	set_list(&img.env, "PATH=/usr/bin", "IMG=yes");
	is_int(pf_bundle_env(&in, &env, &err), 0, "env builds: %s", err.msg);
	is_str(env_get(&env, "IMG"), "yes", "the image's env comes first");
	is_str(env_get(&env, "PATH"), "/opt", "the pod's env overrides the image's");
	is_str(env_get(&env, "B"), "one-$(C)-$(A)",
	       "$(VAR) of an earlier var expands, of a later one stays, $$ escapes");
	is_str(env_get(&env, "PODNAME"), "web", "fieldRef metadata.name");
	is_str(env_get(&env, "NS"), "default", "fieldRef metadata.namespace");
	is_str(env_get(&env, "UID"), "u-1", "fieldRef metadata.uid");
	is_str(env_get(&env, "L"), "fe", "fieldRef metadata.labels['tier']");
	is_str(env_get(&env, "AN"), "hi", "fieldRef metadata.annotations['note']");
	is_str(env_get(&env, "LS"), "app=\"x\"\ntier=\"fe\"", "fieldRef metadata.labels");
	is_str(env_get(&env, "NODE"), "n1", "fieldRef spec.nodeName");
	is_str(env_get(&env, "SA"), "sa", "fieldRef spec.serviceAccountName");
	is_str(env_get(&env, "IP"), "10.1.0.5", "fieldRef status.podIP");
	is_str(env_get(&env, "HIP"), "192.0.2.2", "fieldRef status.hostIP");
	is_str(env_get(&env, "HOSTNAME"), "web", "HOSTNAME");
	pf_strlist_free(&env);
	pf_strlist_free(&img.env);
	pf_pod_free(pod);
}

static void test_caps(void)
{
	struct pf_container c = {0};
	struct pf_strlist out = {0};
	char *j;

	pf_bundle_caps(&c, &out);
	is_int(out.n, 14, "the default set has 14 capabilities");
	j = joined(&out);
	is_str(j,
	       "CAP_AUDIT_WRITE|CAP_CHOWN|CAP_DAC_OVERRIDE|CAP_FOWNER|CAP_FSETID|CAP_KILL|"
	       "CAP_MKNOD|CAP_NET_BIND_SERVICE|CAP_NET_RAW|CAP_SETFCAP|CAP_SETGID|CAP_SETPCAP|"
	       "CAP_SETUID|CAP_SYS_CHROOT",
	       "the container-engine default");
	free(j);
	pf_strlist_free(&out);

	c.security_context.set = true;
	pf_strlist_add(&c.security_context.capabilities.drop, "ALL");
	pf_strlist_add(&c.security_context.capabilities.add, "NET_ADMIN");
	pf_strlist_add(&c.security_context.capabilities.add, "CAP_CHOWN");
	pf_bundle_caps(&c, &out);
	j = joined(&out);
	is_str(j, "CAP_CHOWN|CAP_NET_ADMIN", "drop ALL, add NET_ADMIN and CAP_CHOWN");
	free(j);
	pf_strlist_free(&out);
	pf_strlist_free(&c.security_context.capabilities.drop);
	pf_strlist_free(&c.security_context.capabilities.add);

	pf_strlist_add(&c.security_context.capabilities.drop, "net_raw");
	pf_bundle_caps(&c, &out);
	is_int(out.n, 13, "drop NET_RAW (any case) leaves 13");
	pf_strlist_free(&out);
	pf_strlist_free(&c.security_context.capabilities.drop);

	c.security_context.privileged = PF_TRUE;
	pf_bundle_caps(&c, &out);
	ok(out.n > 38, "privileged: every capability (%zu)", out.n);
	pf_strlist_free(&out);
}

static void test_user(void)
{
	struct pf_pod *pod =
	    pod_of("apiVersion: v1\nkind: Pod\nmetadata: {name: u, uid: x}\nspec:\n"
		   "  securityContext: {runAsUser: 2000, runAsGroup: 3000}\n"
		   "  containers:\n  - {name: c, image: busybox}\n");
	struct pf_image img = {0};
	struct pf_bundle_in in = {.pod = pod, .c = &pod->spec.containers[0], .img = &img};
	struct pf_err err = PF_ERR_INIT;
	int64_t uid, gid;
	char dir[] = "/tmp/podfs-bundle.XXXXXX";

	is_int(pf_bundle_user(&in, &uid, &gid, &err), 0, "pod runAsUser");
	is_int(uid, 2000, "uid from the pod");
	is_int(gid, 3000, "gid from the pod");
	pod->spec.containers[0].security_context.set = true;
	pod->spec.containers[0].security_context.has_run_as_user = true;
	pod->spec.containers[0].security_context.run_as_user = 7;
	pf_bundle_user(&in, &uid, &gid, &err);
	is_int(uid, 7, "the container's runAsUser wins");

	pod->spec.containers[0].security_context.has_run_as_user = false;
	pod->spec.security_context.has_run_as_user = false;
	pod->spec.security_context.has_run_as_group = false;
	img.user = "1001:1002";
	pf_bundle_user(&in, &uid, &gid, &err);
	is_int(uid * 10000 + gid, 1001 * 10000 + 1002, "image user uid:gid");

	/* A named user, looked up in the rootfs. */
	ok(mkdtemp(dir) != NULL, "a rootfs");
	{
		char p[256];
		FILE *f;
		snprintf(p, sizeof(p), "%s/etc", dir);
		pf_mkdir_p(p, 0755);
		snprintf(p, sizeof(p), "%s/etc/passwd", dir);
		f = fopen(p, "w");
		fputs("root:x:0:0:root:/root:/bin/sh\nnginx:x:101:102:nginx:/:/bin/false\n", f);
		fclose(f);
		snprintf(p, sizeof(p), "%s/etc/group", dir);
		f = fopen(p, "w");
		fputs("root:x:0:\nwww:x:33:\n", f);
		fclose(f);
	}
	in.rootfs = dir;
	img.user = "nginx";
	is_int(pf_bundle_user(&in, &uid, &gid, &err), 0, "named user");
	is_int(uid * 1000 + gid, 101 * 1000 + 102, "nginx is 101:102 from /etc/passwd");
	img.user = "nginx:www";
	pf_bundle_user(&in, &uid, &gid, &err);
	is_int(gid, 33, "a named group from /etc/group");
	img.user = "nobody";
	is_int(pf_bundle_user(&in, &uid, &gid, &err), -EINVAL, "an unknown user: -EINVAL");
	is_str(err.msg, "unable to find user nobody: no matching entries in passwd file",
	       "in the runtime's words");
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		ok(system(cmd) == 0, "cleanup");
	}
	pf_pod_free(pod);
}

static json_t *find_mount(json_t *cfg, const char *dest)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(cfg, "mounts"), i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "destination")), dest) == 0)
			return m;
	}
	return NULL;
}

static void test_config(void)
{
	struct pf_pod *pod = pod_of(
	    "apiVersion: v1\nkind: Pod\nmetadata: {name: p, uid: u-9}\nspec:\n"
	    "  volumes:\n  - name: data\n    emptyDir: {}\n  - name: host\n"
	    "    hostPath: {path: /srv}\n"
	    "  containers:\n  - name: c\n    image: busybox\n    command: [sh]\n"
	    "    volumeMounts:\n    - {name: data, mountPath: /data}\n"
	    "    - {name: data, mountPath: /ro, readOnly: true, subPath: sub}\n"
	    "    resources:\n      requests: {cpu: 250m}\n      limits: {cpu: 500m, memory: 64Mi}\n"
	    "  - name: d\n    image: busybox\n    command: [sh]\n"
	    "    securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: true}\n"
	    "    volumeMounts:\n    - {name: host, mountPath: /h}\n");
	struct pf_bundle_in in = {
	    .pod = pod,
	    .c = &pod->spec.containers[0],
	    .rootfs = "/r",
	    .netns = "/ns/net",
	    .ipcns = "/ns/ipc",
	    .utsns = "/ns/uts",
	    .hosts = "/e/hosts",
	    .resolv = "/e/resolv",
	    .hostname = "/e/hostname",
	    .shm = "/shm",
	    .termination_log = "/t",
	    .volumes_dir = "/v",
	    .cgroups_path = "/podfs/u-9/cid",
	};
	struct pf_err err = PF_ERR_INIT;
	json_t *cfg = NULL, *m, *res, *ns;
	size_t i;
	bool net = false, pid_own = false;

	is_int(pf_bundle_config(&in, &cfg, &err), 0, "config: %s", err.msg);
	is_str(json_string_value(json_object_get(json_object_get(cfg, "root"), "path")), "/r",
	       "root.path");
	ok(json_is_false(json_object_get(json_object_get(cfg, "root"), "readonly")),
	   "root is writable by default");
	ok(json_is_true(json_object_get(json_object_get(cfg, "process"), "noNewPrivileges")),
	   "noNewPrivileges by default");
	m = find_mount(cfg, "/data");
	is_str(m ? json_string_value(json_object_get(m, "source")) : NULL, "/v/data",
	       "an emptyDir is volumes_dir/<name>");
	m = find_mount(cfg, "/ro");
	is_str(m ? json_string_value(json_object_get(m, "source")) : NULL, "/v/data/sub",
	       "subPath");
	is_str(m ? json_string_value(json_array_get(json_object_get(m, "options"), 1)) : NULL, "ro",
	       "readOnly");
	for (const char *const *d =
		 (const char *const[]){"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
				       "/sys", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname",
				       "/dev/termination-log", NULL};
	     *d; d++)
		ok(find_mount(cfg, *d) != NULL, "mount %s", *d);
	is_str(json_string_value(json_object_get(find_mount(cfg, "/dev/shm"), "source")), "/shm",
	       "/dev/shm is the pod's");
	json_array_foreach(json_object_get(json_object_get(cfg, "linux"), "namespaces"), i, ns)
	{
		const char *type = json_string_value(json_object_get(ns, "type"));
		const char *path = json_string_value(json_object_get(ns, "path"));
		if (strcmp(type, "network") == 0)
			net = path && strcmp(path, "/ns/net") == 0;
		if (strcmp(type, "pid") == 0)
			pid_own = !path;
	}
	ok(net, "joins the pod's network namespace");
	ok(pid_own, "its own pid namespace");
	is_str(json_string_value(json_object_get(json_object_get(cfg, "linux"), "cgroupsPath")),
	       "/podfs/u-9/cid", "cgroupsPath");
	res = json_object_get(json_object_get(cfg, "linux"), "resources");
	is_int(json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")),
	       64 << 20, "memory limit");
	is_int(json_integer_value(json_object_get(json_object_get(res, "cpu"), "quota")), 50000,
	       "cpu quota");
	is_int(json_integer_value(json_object_get(json_object_get(res, "cpu"), "shares")), 256,
	       "cpu shares");
	ok(json_array_size(json_object_get(json_object_get(cfg, "linux"), "maskedPaths")) >= 10,
	   "masked paths");
	{
		json_t *sc = json_object_get(json_object_get(cfg, "linux"), "seccomp");
		json_t *names =
		    json_object_get(json_array_get(json_object_get(sc, "syscalls"), 0), "names");
		bool mount = false, ptrace = false;
		json_array_foreach(names, i, m)
		{
			mount |= strcmp(json_string_value(m), "mount") == 0;
			ptrace |= strcmp(json_string_value(m), "ptrace") == 0;
		}
		ok(mount && ptrace, "RuntimeDefault refuses mount and ptrace");
	}
	json_decref(cfg);

	in.c = &pod->spec.containers[1];
	is_int(pf_bundle_config(&in, &cfg, &err), -EPERM, "hostPath refused unless allowed");
	ok(strstr(err.msg, "--allow-host-paths") != NULL, "and says how to allow it");
	pf_err_clear(&err);
	in.allow_host_paths = true;
	is_int(pf_bundle_config(&in, &cfg, &err), 0, "allowed: %s", err.msg);
	ok(json_is_true(json_object_get(json_object_get(cfg, "root"), "readonly")),
	   "readOnlyRootFilesystem");
	ok(json_is_false(json_object_get(json_object_get(cfg, "process"), "noNewPrivileges")),
	   "allowPrivilegeEscalation: true lifts no_new_privs");
	is_str(json_string_value(json_object_get(find_mount(cfg, "/h"), "source")), "/srv",
	       "hostPath source");
	json_decref(cfg);
	pf_pod_free(pod);
}

/* shareProcessNamespace: the runtime names the pod's PID namespace and
 * the container joins it; otherwise the container gets its own. */
static void test_pidns(void)
{
	struct pf_pod *pod = pod_of("apiVersion: v1\nkind: Pod\nmetadata: {name: p, uid: u-1}\n"
				    "spec:\n  shareProcessNamespace: true\n  containers:\n"
				    "  - {name: c, image: busybox, command: [sh]}\n");
	struct pf_bundle_in in = {
	    .pod = pod, .c = &pod->spec.containers[0], .rootfs = "/r", .pidns = "/ns/pid"};
	struct pf_err err = PF_ERR_INIT;
	json_t *cfg = NULL, *ns;
	const char *path = "unset";
	size_t i;

	is_int(pf_bundle_config(&in, &cfg, &err), 0, "config: %s", err.msg);
	json_array_foreach(json_object_get(json_object_get(cfg, "linux"), "namespaces"), i, ns)
	{
		if (strcmp(json_string_value(json_object_get(ns, "type")), "pid") == 0)
			path = json_string_value(json_object_get(ns, "path"));
	}
	is_str(path, "/ns/pid", "joins the pod's shared PID namespace");
	json_decref(cfg);
	pf_pod_free(pod);
}

int main(void)
{
	test_args();
	test_expand();
	test_env();
	test_caps();
	test_user();
	test_config();
	test_pidns();
	return tap_done();
}
