/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe.c - the prober (probe.h): a list of probe entries, one per
 * container and kind, and worker threads that take the entry due first.
 */
#include "probe.h"
#include "log.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

int32_t pf_probe_period_s(const struct pf_probe *p)
{
	return p->period_seconds > 0 ? p->period_seconds : 10;
}
int32_t pf_probe_timeout_s(const struct pf_probe *p)
{
	return p->timeout_seconds > 0 ? p->timeout_seconds : 1;
}
int32_t pf_probe_success_th(const struct pf_probe *p)
{
	return p->success_threshold > 0 ? p->success_threshold : 1;
}
int32_t pf_probe_failure_th(const struct pf_probe *p)
{
	return p->failure_threshold > 0 ? p->failure_threshold : 3;
}

bool pf_probe_record(struct pf_probe_state *s, const struct pf_probe *p, bool ok)
{
	enum pf_probe_result was = s->result;

	if (ok) {
		s->failures = 0;
		if (s->successes < INT32_MAX)
			s->successes++;
		if (s->successes >= pf_probe_success_th(p))
			s->result = PF_PROBE_SUCCESS;
	} else {
		s->successes = 0;
		if (s->failures < INT32_MAX)
			s->failures++;
		if (s->failures >= pf_probe_failure_th(p))
			s->result = PF_PROBE_FAILURE;
	}
	return s->result != was;
}

bool pf_probe_started(bool has_startup, enum pf_probe_result startup)
{
	return !has_startup || startup == PF_PROBE_SUCCESS;
}

bool pf_probe_ready(bool started, bool has_readiness, enum pf_probe_result readiness)
{
	return started && (!has_readiness || readiness == PF_PROBE_SUCCESS);
}

/* ---- the entries -------------------------------------------------------- */

struct entry {
	struct entry *next;
	char *cid;
	enum pf_probe_kind kind;
	struct pf_probe p; /* thresholds and times only (handler copied below) */
	enum pf_handler_kind hkind;
	char **argv; /* exec */
	size_t argc;
	char *url;	/* httpGet */
	char **headers; /* "Name: value" */
	size_t n_headers;
	char *addr; /* tcpSocket: IPv4 address */
	int port;
	char *netns; /* NULL: connect from here */
	struct pf_probe_state st;
	int64_t due_ms;
	int64_t kill_ms;
	char *event; /* a failure to report */
	bool in_flight, dead;
};

struct pf_prober {
	struct pf_runtime *rt;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct entry *head;
	pthread_t *threads;
	int n_threads;
	bool stopping;
	uint64_t changes;
};

static void entry_free(struct entry *e)
{
	for (size_t i = 0; i < e->argc; i++)
		free(e->argv[i]);
	free(e->argv);
	for (size_t i = 0; i < e->n_headers; i++)
		free(e->headers[i]);
	free(e->headers);
	free(e->url);
	free(e->addr);
	free(e->netns);
	free(e->event);
	free(e->cid);
	free(e);
}

static void unlink_entry(struct pf_prober *pr, struct entry *e)
{
	for (struct entry **pp = &pr->head; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			return;
		}
}

/* ---- running one probe (no lock held) ----------------------------------- */

/* A socket made in netns (then back to ours); -errno. */
static int ns_socket(const char *netns, int type)
{
	int self = -1, ns = -1, fd, e = 0;

	if (netns) {
		self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		ns = open(netns, O_RDONLY | O_CLOEXEC);
		if (self < 0 || ns < 0 || setns(ns, CLONE_NEWNET) < 0) {
			e = errno;
			if (self >= 0)
				close(self);
			if (ns >= 0)
				close(ns);
			return -e;
		}
	}
	fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		e = errno;
	if (netns) {
		if (setns(self, CLONE_NEWNET) < 0)
			pf_log(PF_LOG_ERROR, "prober: cannot return to the host network namespace");
		close(self);
		close(ns);
	}
	return fd < 0 ? -e : fd;
}

static bool run_tcp(const struct entry *e, int timeout_s, char **msg)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)e->port)};
	int fd = ns_socket(e->netns, SOCK_STREAM | SOCK_NONBLOCK), r, err = 0;
	socklen_t len = sizeof(err);

	if (fd < 0) {
		*msg = pf_xasprintf("dial tcp %s:%d: %s", e->addr, e->port, strerror(-fd));
		return false;
	}
	inet_pton(AF_INET, e->addr, &sa.sin_addr);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0 && errno == EINPROGRESS) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		r = poll(&pfd, 1, timeout_s * 1000);
		if (r == 0) {
			close(fd);
			*msg = pf_xasprintf("dial tcp %s:%d: i/o timeout", e->addr, e->port);
			return false;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
	} else if (r < 0) {
		err = errno;
	}
	close(fd);
	if (err) {
		*msg = pf_xasprintf("dial tcp %s:%d: connect: %s", e->addr, e->port, strerror(err));
		return false;
	}
	return true;
}

static curl_socket_t open_sock(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	const struct entry *e = arg;
	int fd;

	if (a->family != AF_INET)
		return CURL_SOCKET_BAD;
	fd = ns_socket(e->netns, a->socktype);
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

/* Read at most 10 KiB of the body (kubelet's limit), then stop. */
static size_t body(char *p, size_t sz, size_t n, void *arg)
{
	size_t *got = arg;

	*got += sz * n;
	return *got > 10240 ? 0 : sz * n;
}

static bool run_http(const struct entry *e, int timeout_s, char **msg)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = NULL;
	char ebuf[CURL_ERROR_SIZE] = "";
	size_t got = 0;
	long code = 0;
	bool has_ua = false, ok;
	CURLcode r;

	if (!h) {
		*msg = pf_xstrdup("cannot start an HTTP client");
		return false;
	}
	for (size_t i = 0; i < e->n_headers; i++) {
		hl = curl_slist_append(hl, e->headers[i]);
		has_ua |= strncasecmp(e->headers[i], "User-Agent:", 11) == 0;
	}
	curl_easy_setopt(h, CURLOPT_URL, e->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_s * 1000);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L); /* kubelet skips verification too */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_sock);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, (void *)e);
	if (!has_ua)
		curl_easy_setopt(h, CURLOPT_USERAGENT, "kube-probe/podfs");
	if (hl)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	r = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (r != CURLE_OK && !(r == CURLE_WRITE_ERROR && code)) {
		*msg = pf_xasprintf("Get \"%s\": %s", e->url, *ebuf ? ebuf : curl_easy_strerror(r));
		ok = false;
	} else if (code >= 200 && code < 400) {
		ok = true;
	} else {
		*msg = pf_xasprintf("HTTP probe failed with statuscode: %ld", code);
		ok = false;
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return ok;
}

static bool run_exec(struct pf_prober *pr, const struct entry *e, int timeout_s, char **msg)
{
	struct pf_strlist argv = {.items = e->argv, .n = e->argc};
	struct pf_err err = PF_ERR_INIT;
	bool ok;

	if (!pr->rt->ops->container_exec)
		return true; /* hollow: nothing to run */
	ok = pr->rt->ops->container_exec(pr->rt, e->cid, &argv, timeout_s, &err) == 0;
	if (!ok)
		*msg = pf_xstrdup(err.msg);
	pf_err_clear(&err);
	return ok;
}

static const char *kind_name(enum pf_probe_kind k)
{
	return k == PF_PROBE_STARTUP	? "Startup"
	       : k == PF_PROBE_LIVENESS ? "Liveness"
					: "Readiness";
}

static void *worker(void *arg)
{
	struct pf_prober *pr = arg;

	pthread_mutex_lock(&pr->mu);
	while (!pr->stopping) {
		struct entry *e = NULL;
		int64_t now = pf_wall_ms();
		char *msg = NULL;
		bool ok;

		for (struct entry *x = pr->head; x; x = x->next)
			if (!x->in_flight && !x->dead && x->due_ms != INT64_MAX &&
			    (!e || x->due_ms < e->due_ms))
				e = x;
		if (!e) {
			pthread_cond_wait(&pr->cond, &pr->mu);
			continue;
		}
		if (e->due_ms > now) {
			struct timespec ts = {.tv_sec = e->due_ms / 1000,
					      .tv_nsec = (long)(e->due_ms % 1000) * 1000000};
			pthread_cond_timedwait(&pr->cond, &pr->mu, &ts);
			continue;
		}
		e->in_flight = true;
		pthread_mutex_unlock(&pr->mu);
		int timeout_s = pf_probe_timeout_s(&e->p);
		switch (e->hkind) {
		case PF_HANDLER_EXEC:
			ok = run_exec(pr, e, timeout_s, &msg);
			break;
		case PF_HANDLER_HTTP:
			ok = run_http(e, timeout_s, &msg);
			break;
		case PF_HANDLER_TCP:
			ok = run_tcp(e, timeout_s, &msg);
			break;
		default:
			ok = true; /* grpc, sleep: not run, counted as success */
		}
		pthread_mutex_lock(&pr->mu);
		e->in_flight = false;
		if (e->dead) {
			unlink_entry(pr, e);
			entry_free(e);
			free(msg);
			continue;
		}
		if (pf_probe_record(&e->st, &e->p, ok)) {
			pr->changes++;
			if (e->st.result == PF_PROBE_FAILURE) {
				free(e->event);
				e->event = pf_xasprintf("%s probe failed: %s", kind_name(e->kind),
							msg ? msg : "");
			}
		}
		free(msg);
		e->due_ms = pf_wall_ms() + pf_probe_period_s(&e->p) * 1000;
		/* A startup probe that succeeded, a liveness probe that failed:
		 * nothing more to learn until the container is new. */
		if ((e->kind == PF_PROBE_STARTUP && e->st.result == PF_PROBE_SUCCESS) ||
		    (e->kind == PF_PROBE_LIVENESS && e->st.result == PF_PROBE_FAILURE))
			e->due_ms = INT64_MAX;
	}
	pthread_mutex_unlock(&pr->mu);
	return NULL;
}

/* ---- the interface ------------------------------------------------------ */

struct pf_prober *pf_prober_new(struct pf_runtime *rt, int workers)
{
	struct pf_prober *pr = pf_xcalloc(1, sizeof(*pr));

	curl_global_init(CURL_GLOBAL_DEFAULT);
	pr->rt = rt;
	pthread_mutex_init(&pr->mu, NULL);
	pthread_cond_init(&pr->cond, NULL);
	pr->n_threads = workers > 0 ? workers : 4;
	pr->threads = pf_xcalloc((size_t)pr->n_threads, sizeof(*pr->threads));
	for (int i = 0; i < pr->n_threads; i++)
		if (pthread_create(&pr->threads[i], NULL, worker, pr) != 0) {
			pr->n_threads = i;
			break;
		}
	return pr;
}

void pf_prober_free(struct pf_prober *pr)
{
	if (!pr)
		return;
	pthread_mutex_lock(&pr->mu);
	pr->stopping = true;
	pthread_cond_broadcast(&pr->cond);
	pthread_mutex_unlock(&pr->mu);
	for (int i = 0; i < pr->n_threads; i++)
		pthread_join(pr->threads[i], NULL);
	while (pr->head) {
		struct entry *e = pr->head;
		pr->head = e->next;
		entry_free(e);
	}
	free(pr->threads);
	pthread_mutex_destroy(&pr->mu);
	pthread_cond_destroy(&pr->cond);
	free(pr);
	curl_global_cleanup();
}

uint64_t pf_prober_changes(struct pf_prober *pr)
{
	uint64_t c;

	pthread_mutex_lock(&pr->mu);
	c = pr->changes;
	pthread_mutex_unlock(&pr->mu);
	return c;
}

static struct entry *find(struct pf_prober *pr, const char *cid, enum pf_probe_kind kind)
{
	for (struct entry *e = pr->head; e; e = e->next)
		if (!e->dead && e->kind == kind && strcmp(e->cid, cid) == 0)
			return e;
	return NULL;
}

static int resolve_port(const struct pf_container *c, const struct pf_intstr *port)
{
	if (!port->is_str)
		return port->num;
	for (size_t i = 0; i < c->n_ports; i++)
		if (c->ports[i].name && port->str && strcmp(c->ports[i].name, port->str) == 0)
			return c->ports[i].container_port;
	return port->str ? atoi(port->str) : 0;
}

static struct entry *entry_new(struct pf_prober *pr, const char *cid, enum pf_probe_kind kind,
			       const struct pf_pod *pod, const struct pf_container *c,
			       const struct pf_probe *p)
{
	struct entry *e = pf_xcalloc(1, sizeof(*e));
	const struct pf_handler *h = &p->handler;
	const char *ip =
	    pod->status.pod_ip && *pod->status.pod_ip ? pod->status.pod_ip : "127.0.0.1";

	e->cid = pf_xstrdup(cid);
	e->kind = kind;
	e->p = *p;
	memset(&e->p.handler, 0, sizeof(e->p.handler));
	e->hkind = h->kind;
	if (h->host && *h->host)
		ip = h->host;
	e->addr = pf_xstrdup(ip);
	e->port = resolve_port(c, &h->port);
	if (h->kind == PF_HANDLER_EXEC) {
		e->argc = h->exec_command.n;
		e->argv = pf_xcalloc(e->argc + 1, sizeof(*e->argv));
		for (size_t i = 0; i < e->argc; i++)
			e->argv[i] = pf_xstrdup(h->exec_command.items[i]);
	} else if (h->kind == PF_HANDLER_HTTP) {
		const char *path = h->http_path && *h->http_path ? h->http_path : "/";
		bool tls = h->http_scheme && strcasecmp(h->http_scheme, "HTTPS") == 0;
		e->url = pf_xasprintf("%s://%s:%d%s%s", tls ? "https" : "http", ip, e->port,
				      *path == '/' ? "" : "/", path);
		e->n_headers = h->n_http_headers;
		e->headers = pf_xcalloc(e->n_headers + 1, sizeof(*e->headers));
		for (size_t i = 0; i < e->n_headers; i++)
			e->headers[i] =
			    pf_xasprintf("%s: %s", h->http_headers[i].name,
					 h->http_headers[i].value ? h->http_headers[i].value : "");
	}
	if (pr->rt->ops->container_netns && h->kind != PF_HANDLER_EXEC)
		e->netns = pr->rt->ops->container_netns(pr->rt, cid);
	return e;
}

enum pf_probe_result pf_prober_get(struct pf_prober *pr, const char *cid, enum pf_probe_kind kind,
				   const struct pf_pod *pod, const struct pf_container *c,
				   const struct pf_probe *p, int64_t started_ms, char **event)
{
	struct entry *e;
	enum pf_probe_result r;

	*event = NULL;
	pthread_mutex_lock(&pr->mu);
	e = find(pr, cid, kind);
	if (!e) {
		e = entry_new(pr, cid, kind, pod, c, p);
		e->due_ms =
		    (started_ms ? started_ms : pf_wall_ms()) +
		    (int64_t)(p->initial_delay_seconds > 0 ? p->initial_delay_seconds : 0) * 1000;
		e->next = pr->head;
		pr->head = e;
		pthread_cond_broadcast(&pr->cond);
	}
	r = e->st.result;
	*event = PF_TAKE(e->event);
	pthread_mutex_unlock(&pr->mu);
	return r;
}

int64_t pf_prober_kill_ms(struct pf_prober *pr, const char *cid)
{
	struct entry *e;
	int64_t ms = 0;

	pthread_mutex_lock(&pr->mu);
	e = find(pr, cid, PF_PROBE_LIVENESS);
	if (e)
		ms = e->kill_ms;
	pthread_mutex_unlock(&pr->mu);
	return ms;
}

void pf_prober_set_kill(struct pf_prober *pr, const char *cid, int64_t ms)
{
	struct entry *e;

	pthread_mutex_lock(&pr->mu);
	e = find(pr, cid, PF_PROBE_LIVENESS);
	if (e)
		e->kill_ms = ms;
	pthread_mutex_unlock(&pr->mu);
}

void pf_prober_forget(struct pf_prober *pr, const char *cid)
{
	if (!pr || !cid)
		return;
	pthread_mutex_lock(&pr->mu);
	for (struct entry **pp = &pr->head; *pp;) {
		struct entry *e = *pp;
		if (strcmp(e->cid, cid) != 0) {
			pp = &e->next;
			continue;
		}
		if (e->in_flight) {
			e->dead = true;
			pp = &e->next;
		} else {
			*pp = e->next;
			entry_free(e);
		}
	}
	pthread_mutex_unlock(&pr->mu);
}
