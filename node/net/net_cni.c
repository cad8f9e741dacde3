/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_cni.c - pod networking through the reference CNI plugins.
 *
 * One network, "podfs": a Linux bridge (--bridge, default podfs0) that is
 * the pods' gateway, host-local IPAM over --pod-cidr (default
 * 10.88.0.0/16, podman's), no masquerade and no default route unless
 * --pod-egress: a pod reaches the other pods and the node, nothing else.
 * Its conflist is written to STATE/cni/podfs.conflist at open; loopback is
 * a plugin call of its own, as the CRI runtimes make it.
 *
 * Plugins are exec'd as the CNI spec (1.0.0) says: CNI_COMMAND,
 * CNI_CONTAINERID (the sandbox ID), CNI_NETNS, CNI_IFNAME=eth0, CNI_PATH in
 * the environment, the plugin's config (name, cniVersion and, after the
 * first, prevResult added) on stdin, the result or an error
 * {code,msg,details} on stdout.  DEL runs the list in reverse.
 *
 * (No "routes" entry for the pod CIDR: see cni_open.)
 *
 * IPAM state: host-local keeps one file per reserved IP holding the
 * container ID, in STATE/cni/ipam (not /run: reservations must survive a
 * reboot of podfs as the sandboxes do; the sandboxes' bind mounts are gone
 * after a host reboot, and then reconcile frees their IPs).  A crash
 * between ADD and the sandbox's record leaves a reservation of an ID no
 * sandbox has: reconcile, at runtime open, removes those files.
 */
#include "net.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "spawner.h"
#include "util.h"

extern const struct pf_net_ops pf_net_cni_ops;

#define PLUGIN_TIMEOUT_MS 30000
#define NET_NAME	  "podfs"

struct cni {
	struct pf_net net;
	char *dir;	/* STATE/cni */
	char *ipam;	/* STATE/cni/ipam */
	char *cni_path; /* where the plugins are */
	json_t *conflist;
};

static struct cni *cni_of(struct pf_net *n)
{
	return (struct cni *)n;
}

static void cni_close(struct pf_net *n)
{
	struct cni *c = cni_of(n);

	if (!c)
		return;
	free(c->dir);
	free(c->ipam);
	free(c->cni_path);
	json_decref(c->conflist);
	free(c);
}

static int cni_open(const struct pf_net_config *cfg, struct pf_net **out, struct pf_err *err)
{
	struct cni *c = pf_xcalloc(1, sizeof(*c));
	const char *cidr = cfg->pod_cidr && *cfg->pod_cidr ? cfg->pod_cidr : PF_NET_DEFAULT_CIDR;
	const char *br = cfg->bridge && *cfg->bridge ? cfg->bridge : PF_NET_DEFAULT_BRIDGE;
	json_t *bridge, *ipam, *routes;
	_cleanup_free_ char *path = NULL, *text = NULL;
	int r;

	c->net.ops = &pf_net_cni_ops;
	c->dir = pf_xasprintf("%s/cni", cfg->state_dir ? cfg->state_dir : "/var/lib/podfs");
	c->ipam = pf_xasprintf("%s/ipam", c->dir);
	c->cni_path =
	    pf_xstrdup(cfg->cni_path && *cfg->cni_path ? cfg->cni_path : PF_NET_DEFAULT_CNI_PATH);
	if (strlen(br) > 15 || strchr(br, '/') || strchr(br, ' ')) {
		r = pf_err_set(err, EINVAL, "--bridge %s: not a usable interface name", br);
		goto fail;
	}
	if (!strchr(cidr, '/')) {
		r = pf_err_set(err, EINVAL, "--pod-cidr %s: not a CIDR (10.88.0.0/16)", cidr);
		goto fail;
	}
	for (const char *const *p = (const char *const[]){"bridge", "host-local", "loopback", NULL};
	     *p; p++) {
		_cleanup_free_ char *bin = pf_xasprintf("%s/%s", c->cni_path, *p);
		if (access(bin, X_OK) < 0) {
			r = pf_err_set(err, ENOSYS,
				       "the CNI plugin %s is not installed (%s; make deps installs "
				       "containernetworking-plugins), or use --network none",
				       *p, bin);
			goto fail;
		}
	}
	r = pf_mkdir_p(c->ipam, 0700);
	if (r < 0) {
		r = pf_err_sys(err, -r, "create %s", c->ipam);
		goto fail;
	}
	/* No route for the pod CIDR itself: eth0's connected route reaches the
	 * other pods on the bridge directly (a "via gateway" route for it
	 * would send pod-to-pod traffic through the host's forwarding and its
	 * FORWARD policy).  A default route only with --pod-egress. */
	routes = json_array();
	if (cfg->egress)
		json_array_append_new(routes, json_pack("{s:s}", "dst", "0.0.0.0/0"));
	ipam = json_pack("{s:s, s:[[{s:s}]], s:s, s:o}", "type", "host-local", "ranges", "subnet",
			 cidr, "dataDir", c->ipam, "routes", routes);
	bridge =
	    json_pack("{s:s, s:s, s:b, s:b, s:b, s:o}", "type", "bridge", "bridge", br, "isGateway",
		      1, "ipMasq", cfg->egress ? 1 : 0, "hairpinMode", 1, "ipam", ipam);
	c->conflist = json_pack("{s:s, s:s, s:[o]}", "cniVersion", "1.0.0", "name", NET_NAME,
				"plugins", bridge);
	/* The conflist on disk is for people (and tools like cnitool). */
	path = pf_xasprintf("%s/%s.conflist", c->dir, NET_NAME);
	text = json_dumps(c->conflist, JSON_INDENT(2));
	r = pf_write_file(path, text, strlen(text), 0644, PF_WRITE_DURABLE, err);
	if (r < 0)
		goto fail;
	pf_log(PF_LOG_INFO, "network: cni, bridge %s, pod CIDR %s%s", br, cidr,
	       cfg->egress ? ", egress (masquerade)" : ", no egress");
	*out = &c->net;
	return 0;
fail:
	cni_close(&c->net);
	return r;
}

/* One sentence from a plugin's failure: its error JSON, else its stderr. */
static int plugin_error(const char *type, const char *cmd, const struct pf_spawn_out *o,
			struct pf_err *err)
{
	json_t *j = o->out ? json_loads(o->out, 0, NULL) : NULL;
	const char *msg = j ? json_string_value(json_object_get(j, "msg")) : NULL;
	const char *details = j ? json_string_value(json_object_get(j, "details")) : NULL;
	json_int_t code = j ? json_integer_value(json_object_get(j, "code")) : 0;
	_cleanup_free_ char *text = NULL;
	int r;

	if (msg && *msg)
		text = pf_xasprintf("%s%s%s", msg, details && *details ? ": " : "",
				    details && *details ? details : "");
	else {
		text = pf_xstrdup(o->err && *o->err ? o->err : o->out && *o->out ? o->out : "");
		size_t n = strlen(text);
		while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
			text[--n] = 0;
		for (char *p = text; *p; p++)
			if (*p == '\n')
				*p = ' ';
		if (!*text) {
			free(text);
			text = pf_xasprintf("exit status %d", o->status);
		}
	}
	r = pf_err_set(err, EIO, "CNI %s of the %s plugin failed (code %lld): %s", cmd, type,
		       (long long)code, text);
	json_decref(j);
	return r;
}

/* Run one plugin; *result = its parsed stdout (ADD). */
static int run_plugin(struct cni *c, const char *cmd, const char *id, const char *netns,
		      json_t *conf, json_t **result, struct pf_err *err)
{
	const char *type = json_string_value(json_object_get(conf, "type"));
	_cleanup_free_ char *bin = pf_xasprintf("%s/%s", c->cni_path, type);
	_cleanup_free_ char *e_cmd = pf_xasprintf("CNI_COMMAND=%s", cmd);
	_cleanup_free_ char *e_id = pf_xasprintf("CNI_CONTAINERID=%s", id);
	_cleanup_free_ char *e_ns = pf_xasprintf("CNI_NETNS=%s", netns ? netns : "");
	_cleanup_free_ char *e_path = pf_xasprintf("CNI_PATH=%s", c->cni_path);
	_cleanup_free_ char *in = json_dumps(conf, JSON_COMPACT);
	const char *argv[] = {bin, NULL};
	const char *env[] = {e_cmd, e_id, e_ns, "CNI_IFNAME=eth0", e_path, NULL};
	struct pf_spawn s = {.argv = argv,
			     .env = env,
			     .timeout_ms = PLUGIN_TIMEOUT_MS,
			     .keep_stdout = true,
			     .in = in,
			     .in_len = strlen(in)};
	struct pf_spawn_out o;
	int r;

	r = pf_spawn_run(&s, &o, err);
	if (r == -ETIMEDOUT)
		r = pf_err_set(err, ETIMEDOUT, "CNI %s of the %s plugin did not finish in %d s",
			       cmd, type, PLUGIN_TIMEOUT_MS / 1000);
	else if (r == 0 && o.status != 0)
		r = plugin_error(type, cmd, &o, err);
	else if (r == 0 && result) {
		*result = o.out ? json_loads(o.out, 0, NULL) : NULL;
		if (!*result)
			r = pf_err_set(err, EIO, "CNI %s of the %s plugin: its result is not JSON",
				       cmd, type);
	}
	pf_spawn_out_free(&o);
	return r;
}

/* The plugin's own config: name, cniVersion and prevResult added. */
static json_t *plugin_conf(json_t *plugin, json_t *prev)
{
	json_t *conf = json_deep_copy(plugin);

	json_object_set_new(conf, "name", json_string(NET_NAME));
	json_object_set_new(conf, "cniVersion", json_string("1.0.0"));
	if (prev)
		json_object_set(conf, "prevResult", prev);
	return conf;
}

static json_t *loopback_conf(void)
{
	return json_pack("{s:s, s:s, s:s}", "cniVersion", "1.0.0", "name", "podfs-lo", "type",
			 "loopback");
}

static int cni_del(struct pf_net *n, const char *id, const char *netns, struct pf_err *err)
{
	struct cni *c = cni_of(n);
	json_t *plugins = json_object_get(c->conflist, "plugins");
	struct stat st;
	int r = 0;

	/* A netns that is gone: the plugins still free the IP (the spec
	 * lets CNI_NETNS be empty on DEL). */
	if (netns && stat(netns, &st) < 0)
		netns = "";
	for (size_t i = json_array_size(plugins); i-- > 0;) {
		json_t *conf = plugin_conf(json_array_get(plugins, i), NULL);
		int q = run_plugin(c, "DEL", id, netns, conf, NULL, err);
		json_decref(conf);
		if (q < 0 && r == 0)
			r = q;
	}
	if (netns && *netns) {
		json_t *lo = loopback_conf();
		run_plugin(c, "DEL", id, netns, lo, NULL, NULL);
		json_decref(lo);
	}
	return r;
}

/* The loopback plugin's ADD on a thread of its own: it touches only lo in
 * the pod's namespace, the chain only eth0, so the two run side by side
 * (each exec of a plugin is a Go program starting, a few milliseconds). */
struct lo_job {
	struct cni *c;
	const char *id, *netns;
	int r;
	struct pf_err err;
};

static void *lo_thread(void *arg)
{
	struct lo_job *j = arg;
	json_t *lo = loopback_conf();

	j->r = run_plugin(j->c, "ADD", j->id, j->netns, lo, NULL, &j->err);
	json_decref(lo);
	return NULL;
}

static int cni_add(struct pf_net *n, const char *id, const char *netns, const struct pf_pod *pod,
		   char **ip, struct pf_err *err)
{
	struct cni *c = cni_of(n);
	json_t *plugins = json_object_get(c->conflist, "plugins");
	json_t *prev = NULL, *res = NULL;
	struct lo_job lo = {.c = c, .id = id, .netns = netns};
	pthread_t t;
	bool threaded;
	const char *addr;
	int r = 0;

	(void)pod;
	*ip = NULL;
	/* No DEL first: the id is new (net.h), and a DEL of nothing costs two
	 * plugin execs, a third of the pod's start-up. */
	threaded = pthread_create(&t, NULL, lo_thread, &lo) == 0;
	if (!threaded)
		lo_thread(&lo);
	for (size_t i = 0; i < json_array_size(plugins) && r == 0; i++) {
		json_t *conf = plugin_conf(json_array_get(plugins, i), prev);
		res = NULL;
		r = run_plugin(c, "ADD", id, netns, conf, &res, err);
		json_decref(conf);
		if (r == 0) {
			json_decref(prev);
			prev = res;
		}
	}
	if (r == 0) {
		addr = json_string_value(
		    json_object_get(json_array_get(json_object_get(prev, "ips"), 0), "address"));
		if (!addr)
			r = pf_err_set(err, EIO, "CNI ADD gave the pod no IP address");
		else {
			*ip = pf_xstrdup(addr);
			char *slash = strchr(*ip, '/');
			if (slash)
				*slash = 0;
		}
	}
	json_decref(prev);
	if (threaded)
		pthread_join(t, NULL);
	if (r == 0 && lo.r < 0)
		r = pf_err_set(err, -lo.r, "%s", lo.err.msg);
	if (r < 0) {
		free(*ip);
		*ip = NULL;
		cni_del(n, id, netns, NULL);
	}
	return r;
}

static void cni_reconcile(struct pf_net *n, const struct pf_strlist *live)
{
	struct cni *c = cni_of(n);
	_cleanup_free_ char *dir = pf_xasprintf("%s/%s", c->ipam, NET_NAME);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		_cleanup_free_ char *p = NULL, *text = NULL;
		size_t len = 0;
		bool found = false;

		if (e->d_name[0] == '.' || strncmp(e->d_name, "last_reserved_ip", 16) == 0 ||
		    strcmp(e->d_name, "lock") == 0)
			continue;
		p = pf_xasprintf("%s/%s", dir, e->d_name);
		if (pf_read_file(p, 4096, &text, &len) < 0)
			continue;
		text[strcspn(text, "\r\n")] = 0;
		for (size_t i = 0; i < live->n && !found; i++)
			found = strcmp(live->items[i], text) == 0;
		if (!found) {
			pf_log(PF_LOG_INFO, "network: freeing IP %s of gone sandbox %.12s",
			       e->d_name, text);
			unlink(p);
		}
	}
	closedir(d);
}

const struct pf_net_ops pf_net_cni_ops = {
    .name = "cni",
    .open = cni_open,
    .close = cni_close,
    .add = cni_add,
    .del = cni_del,
    .reconcile = cni_reconcile,
};
