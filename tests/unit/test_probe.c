/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_probe - the prober's decisions (thresholds, defaults, startup
 * gating) and its worker pool on loopback sockets, with the hollow runtime
 * (no network namespace: the probes connect from here).
 */
#include "probe.h"
#include "tap.h"
#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int listener(int *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

static void msleep(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* Wait up to ms for probe kind of cid to reach want. */
static enum pf_probe_result wait_result(struct pf_prober *pr, const char *cid,
					enum pf_probe_kind kind, const struct pf_pod *pod,
					const struct pf_container *c, const struct pf_probe *p,
					enum pf_probe_result want, int ms, char **ev)
{
	enum pf_probe_result r = PF_PROBE_UNKNOWN;

	for (int t = 0; t <= ms; t += 20) {
		char *e = NULL;
		r = pf_prober_get(pr, cid, kind, pod, c, p, pf_wall_ms(), &e);
		if (e) {
			free(*ev);
			*ev = e;
		}
		if (r == want)
			break;
		msleep(20);
	}
	return r;
}

int main(void)
{
	struct pf_probe p = {.set = true};
	struct pf_probe_state s = {0};

	/* Defaults. */
	is_int(pf_probe_period_s(&p), 10, "periodSeconds defaults to 10");
	is_int(pf_probe_timeout_s(&p), 1, "timeoutSeconds defaults to 1");
	is_int(pf_probe_success_th(&p), 1, "successThreshold defaults to 1");
	is_int(pf_probe_failure_th(&p), 3, "failureThreshold defaults to 3");

	/* Thresholds: consecutive outcomes only. */
	ok(!pf_probe_record(&s, &p, false), "one failure of 3: no change");
	ok(!pf_probe_record(&s, &p, false), "two failures: no change");
	is_int(s.result, PF_PROBE_UNKNOWN, "still unknown");
	ok(pf_probe_record(&s, &p, false), "the third failure flips it");
	is_int(s.result, PF_PROBE_FAILURE, "failure");
	ok(pf_probe_record(&s, &p, true), "one success (threshold 1) flips it back");
	is_int(s.result, PF_PROBE_SUCCESS, "success");
	pf_probe_record(&s, &p, false);
	pf_probe_record(&s, &p, false);
	pf_probe_record(&s, &p, true);
	pf_probe_record(&s, &p, false);
	pf_probe_record(&s, &p, false);
	is_int(s.result, PF_PROBE_SUCCESS, "a success between failures resets the count");
	p.success_threshold = 2;
	memset(&s, 0, sizeof(s));
	pf_probe_record(&s, &p, true);
	is_int(s.result, PF_PROBE_UNKNOWN, "successThreshold 2: one success is not enough");
	pf_probe_record(&s, &p, true);
	is_int(s.result, PF_PROBE_SUCCESS, "two are");

	/* Startup gating and readiness. */
	ok(pf_probe_started(false, PF_PROBE_UNKNOWN), "no startupProbe: started");
	ok(!pf_probe_started(true, PF_PROBE_UNKNOWN),
	   "startupProbe not yet succeeded: not started");
	ok(!pf_probe_started(true, PF_PROBE_FAILURE), "startupProbe failing: not started");
	ok(pf_probe_started(true, PF_PROBE_SUCCESS), "startupProbe succeeded: started");
	ok(!pf_probe_ready(false, false, PF_PROBE_SUCCESS), "not started: never ready");
	ok(pf_probe_ready(true, false, PF_PROBE_UNKNOWN), "no readinessProbe: ready once started");
	ok(!pf_probe_ready(true, true, PF_PROBE_UNKNOWN), "readiness not yet succeeded: unready");
	ok(pf_probe_ready(true, true, PF_PROBE_SUCCESS), "readiness succeeded: ready");
	ok(!pf_probe_ready(true, true, PF_PROBE_FAILURE), "readiness failing: unready");

	/* The worker pool, on loopback. */
	struct pf_runtime *rt = NULL;
	struct pf_err err = PF_ERR_INIT;
	struct pf_runtime_config rc = {.state_dir = "/tmp"};
	if (pf_runtime_open("fake", &rc, &rt, &err) < 0) {
		ok(0, "open the fake runtime: %s", err.msg);
		return tap_done();
	}
	struct pf_prober *pr = pf_prober_new(rt, 2);
	struct pf_pod pod = {0};
	struct pf_container_port port = {.name = (char *)"web"};
	struct pf_container c = {.name = (char *)"app", .ports = &port, .n_ports = 1};
	int open_port = 0, slow_port = 0;
	int lfd = listener(&open_port), sfd = listener(&slow_port);
	uint64_t ch = pf_prober_changes(pr);
	char *ev = NULL;

	ok(lfd >= 0 && sfd >= 0, "loopback listeners");
	port.container_port = open_port;
	struct pf_probe tcp = {.set = true, .period_seconds = 1, .failure_threshold = 1};
	tcp.handler.kind = PF_HANDLER_TCP;
	tcp.handler.port.is_str = true;
	tcp.handler.port.str = (char *)"web";
	/* A slow httpGet (accepted, never answered) must not hold up the rest. */
	struct pf_probe slow = {
	    .set = true, .period_seconds = 1, .timeout_seconds = 3, .failure_threshold = 1};
	slow.handler.kind = PF_HANDLER_HTTP;
	slow.handler.port.num = slow_port;
	int64_t t0 = pf_wall_ms();
	pf_prober_get(pr, "slow", PF_PROBE_READINESS, &pod, &c, &slow, pf_wall_ms(), &ev);
	msleep(50);
	is_int(
	    wait_result(pr, "c1", PF_PROBE_READINESS, &pod, &c, &tcp, PF_PROBE_SUCCESS, 2000, &ev),
	    PF_PROBE_SUCCESS, "tcpSocket by port name on an open port succeeds");
	ok(pf_wall_ms() - t0 < 2500, "while a slow httpGet is in flight");
	ok(pf_prober_changes(pr) != ch, "the flip moved the change counter");

	struct pf_probe closed = tcp;
	closed.handler.port.is_str = false;
	closed.handler.port.num = 9;
	is_int(wait_result(pr, "c2", PF_PROBE_LIVENESS, &pod, &c, &closed, PF_PROBE_FAILURE, 3000,
			   &ev),
	       PF_PROBE_FAILURE, "tcpSocket on a closed port fails");
	ok(ev && strstr(ev, "Liveness probe failed: dial tcp 127.0.0.1:9"), "its event: %s",
	   ev ? ev : "(none)");
	free(ev);
	ev = NULL;
	is_int(wait_result(pr, "slow", PF_PROBE_READINESS, &pod, &c, &slow, PF_PROBE_FAILURE, 6000,
			   &ev),
	       PF_PROBE_FAILURE, "the slow httpGet fails on its timeout");
	ok(ev && strstr(ev, "Readiness probe failed: Get \"http://127.0.0.1:"), "its event: %s",
	   ev ? ev : "(none)");
	free(ev);
	ev = NULL;

	pf_prober_set_kill(pr, "c2", 1234);
	is_int(pf_prober_kill_ms(pr, "c2"), 1234, "the kill time is kept");
	pf_prober_forget(pr, "c2");
	is_int(pf_prober_kill_ms(pr, "c2"), 0, "and forgotten with the container");
	pf_prober_forget(pr, "c1");
	pf_prober_forget(pr, "slow");
	pf_prober_free(pr);
	pf_runtime_close(rt);
	close(lfd);
	close(sfd);
	return tap_done();
}
