/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_net.c - the network backends: the cni backend against fake plugins
 * (shell scripts that record their environment and stdin), its conflist,
 * result parsing, error translation (the bridge's and loopback's, which run
 * side by side), DEL after a failed ADD, reconcile;
 * the none backend and the backend table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "net.h"
#include "tap.h"
#include "util.h"

static char dir[] = "/tmp/podfs-test-net.XXXXXX";

static void put(const char *name, const char *text, mode_t mode)
{
	char *p = pf_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	free(p);
}

static char *slurp(const char *name)
{
	char *p = pf_xasprintf("%s/%s", dir, name), *text = NULL;
	size_t len = 0;

	if (pf_read_file(p, 1 << 20, &text, &len) < 0)
		text = NULL;
	free(p);
	return text;
}

static bool has(const char *name)
{
	char *p = pf_xasprintf("%s/%s", dir, name);
	bool r = access(p, F_OK) == 0;

	free(p);
	return r;
}

/* bridge: records, fails as told by the files "fail" (error JSON) or
 * "crash" (stderr only); else a result with one IP. */
static const char *bridge_sh =
    "#!/bin/sh\n"
    "D=$(dirname \"$0\")\n"
    "cat >\"$D/bridge.$CNI_COMMAND.in\"\n"
    "env | grep ^CNI_ | sort >\"$D/bridge.$CNI_COMMAND.env\"\n"
    "[ \"$CNI_COMMAND\" = ADD ] || exit 0\n"
    "if [ -e \"$D/fail\" ]; then echo '{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"no IP "
    "addresses available\",\"details\":\"range 10.1.2.0/30\"}'; exit 1; fi\n"
    "if [ -e \"$D/crash\" ]; then echo 'panic: boom' >&2; exit 2; fi\n"
    "echo '{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{"
    "\"address\":\"10.1.2.7/24\",\"gateway\":\"10.1.2.1\"}]}'\n";

/* loopback: records; fails its ADD when the file "lofail" exists. */
static const char *loopback_sh =
    "#!/bin/sh\n"
    "D=$(dirname \"$0\")\n"
    "cat >\"$D/lo.$CNI_COMMAND.in\"\n"
    "[ \"$CNI_COMMAND\" = ADD ] || exit 0\n"
    "if [ -e \"$D/lofail\" ]; then echo '{\"cniVersion\":\"1.0.0\",\"code\":999,\"msg\":\"lo is "
    "broken\"}'; exit 1; fi\n"
    "echo '{\"cniVersion\":\"1.0.0\"}'\n";

int main(void)
{
	struct pf_err err = PF_ERR_INIT;
	struct pf_net *n = NULL;
	char *ip = NULL, *text, *netns;
	struct pf_net_config cfg = {0};
	int r;

	if (!mkdtemp(dir))
		return 1;
	netns = pf_xasprintf("%s/netns", dir);
	put("netns", "", 0600);
	cfg.state_dir = dir;
	cfg.cni_path = dir;
	cfg.pod_cidr = "10.1.2.0/24";
	cfg.bridge = "pfbrtest";

	r = pf_net_open("cni", &cfg, &n, &err);
	is_int(r, -ENOSYS, "no plugins: -ENOSYS");
	ok(strstr(err.msg, "containernetworking-plugins") != NULL, "and says what to install: %s",
	   err.msg);
	pf_err_clear(&err);

	put("bridge", bridge_sh, 0755);
	put("loopback", loopback_sh, 0755);
	put("host-local", "#!/bin/sh\nexit 0\n", 0755);
	r = pf_net_open("bogus", &cfg, &n, &err);
	is_int(r, -EINVAL, "an unknown backend: -EINVAL");
	pf_err_clear(&err);
	ok(pf_net_known("cni") && pf_net_known("none") && !pf_net_known("x"), "pf_net_known");

	r = pf_net_open(NULL, &cfg, &n, &err);
	is_int(r, 0, "cni opens with the plugins present");
	text = slurp("cni/podfs.conflist");
	ok(text && strstr(text, "\"bridge\": \"pfbrtest\""), "conflist: the bridge");
	ok(text && strstr(text, "\"subnet\": \"10.1.2.0/24\""), "conflist: the subnet");
	ok(text && strstr(text, "\"ipMasq\": false"), "conflist: no masquerade");
	ok(text && !strstr(text, "0.0.0.0/0"), "conflist: no default route");
	free(text);

	r = n->ops->add(n, "sandbox1", netns, NULL, &ip, &err);
	is_int(r, 0, "ADD");
	is_str(ip, "10.1.2.7", "the IP without its prefix length");
	free(ip);
	text = slurp("bridge.ADD.in");
	ok(text && strstr(text, "\"name\":\"podfs\"") && strstr(text, "\"cniVersion\":\"1.0.0\"") &&
	       strstr(text, "\"type\":\"bridge\""),
	   "the plugin's config on stdin has name, cniVersion, type");
	free(text);
	text = slurp("bridge.ADD.env");
	ok(text && strstr(text, "CNI_COMMAND=ADD\n") &&
	       strstr(text, "CNI_CONTAINERID=sandbox1\n") && strstr(text, "CNI_IFNAME=eth0\n") &&
	       strstr(text, "CNI_NETNS=/tmp/"),
	   "CNI_* in the environment");
	free(text);
	ok(has("lo.ADD.in"), "loopback ADD ran");
	/* The id is new (net.h): nothing to DEL first; a failed ADD's DEL is
	 * checked below, and the node agent DELs a crashed attempt's id from
	 * its record before it tries again under a new one. */
	ok(!has("bridge.DEL.in"), "a new sandbox's ADD runs no DEL first");

	/* DEL with the namespace gone: CNI_NETNS empty. */
	r = n->ops->del(n, "sandbox1", "/nonexistent/netns", &err);
	is_int(r, 0, "DEL with the netns gone");
	text = slurp("bridge.DEL.env");
	ok(text && strstr(text, "CNI_NETNS=\n"), "with CNI_NETNS empty");
	free(text);

	/* A failure with the plugin's error JSON. */
	put("fail", "", 0644);
	{
		char *p = pf_xasprintf("%s/bridge.DEL.in", dir);
		unlink(p);
		free(p);
	}
	r = n->ops->add(n, "sandbox2", netns, NULL, &ip, &err);
	is_int(r, -EIO, "a failed ADD: -EIO");
	is_str(err.msg,
	       "CNI ADD of the bridge plugin failed (code 11): no IP addresses available: range "
	       "10.1.2.0/30",
	       "the error JSON in one sentence");
	ok(ip == NULL, "no IP");
	ok(has("bridge.DEL.in"), "DEL cleans up after the failed ADD");
	pf_err_clear(&err);
	{
		char *p = pf_xasprintf("%s/fail", dir);
		unlink(p);
		free(p);
	}

	/* A failure with stderr only. */
	put("crash", "", 0644);
	r = n->ops->add(n, "sandbox3", netns, NULL, &ip, &err);
	is_int(r, -EIO, "a crashed plugin: -EIO");
	ok(strstr(err.msg, "panic: boom") != NULL, "its stderr: %s", err.msg);
	pf_err_clear(&err);

	/* loopback runs beside the bridge: its failure fails the ADD all the
	 * same, with its message, and the DEL follows. */
	{
		char *p = pf_xasprintf("%s/crash", dir);
		unlink(p);
		free(p);
		p = pf_xasprintf("%s/bridge.DEL.in", dir);
		unlink(p);
		free(p);
	}
	put("lofail", "", 0644);
	r = n->ops->add(n, "sandbox4", netns, NULL, &ip, &err);
	is_int(r, -EIO, "a failed loopback ADD: -EIO");
	is_str(err.msg, "CNI ADD of the loopback plugin failed (code 999): lo is broken",
	       "its error JSON in one sentence");
	ok(ip == NULL, "no IP");
	ok(has("bridge.DEL.in"), "DEL cleans up after it");
	pf_err_clear(&err);
	{
		char *p = pf_xasprintf("%s/lofail", dir);
		unlink(p);
		free(p);
	}

	/* Reconcile: reservations of gone sandboxes go. */
	{
		struct pf_strlist live = {0};
		char *d = pf_xasprintf("%s/cni/ipam/podfs", dir);
		pf_mkdir_p(d, 0700);
		free(d);
		put("cni/ipam/podfs/10.1.2.9", "gone\r\neth0", 0644);
		put("cni/ipam/podfs/10.1.2.10", "live1\r\neth0", 0644);
		put("cni/ipam/podfs/last_reserved_ip.0", "10.1.2.10", 0644);
		pf_strlist_add(&live, "live1");
		n->ops->reconcile(n, &live);
		ok(!has("cni/ipam/podfs/10.1.2.9"), "reconcile frees a gone sandbox's IP");
		ok(has("cni/ipam/podfs/10.1.2.10"), "and keeps a live one's");
		ok(has("cni/ipam/podfs/last_reserved_ip.0"), "and host-local's own files");
		pf_strlist_free(&live);
	}
	pf_net_close(n);

	cfg.egress = true;
	r = pf_net_open("cni", &cfg, &n, &err);
	text = slurp("cni/podfs.conflist");
	ok(r == 0 && text && strstr(text, "0.0.0.0/0") && strstr(text, "\"ipMasq\": true"),
	   "--pod-egress: a default route and masquerade");
	free(text);
	pf_net_close(n);
	cfg.bridge = "much-too-long-bridge";
	r = pf_net_open("cni", &cfg, &n, &err);
	is_int(r, -EINVAL, "a bridge name over 15 bytes: -EINVAL");
	pf_err_clear(&err);

	r = pf_net_open("none", &cfg, &n, &err);
	ip = (char *)"x";
	is_int(r == 0 ? n->ops->add(n, "s", netns, NULL, &ip, &err) : r, 0, "none: ADD");
	ok(ip == NULL, "none: no IP");
	pf_net_close(n);

	{
		char *cmd = pf_xasprintf("rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
		free(cmd);
	}
	free(netns);
	return tap_done();
}
