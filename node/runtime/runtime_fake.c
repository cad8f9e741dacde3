/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime_fake.c - hollow containers for scale simulation (kubemark's
 * hollow kubelet): nothing is created, nothing runs, every call succeeds at
 * once.  It must never pretend to the user that something ran; the agent
 * words its events so ("hollow node").
 *
 * It keeps no state at all, which is what lets 1,000 hollow nodes share a
 * process and an agent restart adopt its hollow pods without a state file:
 * the ID says everything the backend could be asked.  An ID is 64 hex
 * digits; those of containers that run to completion (init containers that
 * are not sidecars) start with 'e' and report "exited 0, Completed", every
 * other ID reports "running" until it is removed.  A hollow container cannot
 * be seen as "created but not started": the agent starts what it creates.
 */
#include "runtime.h"

#include <errno.h>

extern const struct pf_runtime_ops pf_runtime_fake_ops;

struct fake {
	struct pf_runtime rt;
};

static char *fake_id(bool exits)
{
	char *id = pf_random_id64();

	if (exits)
		id[0] = 'e';
	else if (id[0] == 'e')
		id[0] = 'f';
	return id;
}

static bool well_formed(const char *id)
{
	size_t n = 0;

	for (; id[n]; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
			return false;
	return n == 64;
}

static int fake_open(const struct pf_runtime_config *cfg, struct pf_runtime **out,
		     struct pf_err *err)
{
	struct fake *f = pf_xcalloc(1, sizeof(*f));

	f->rt.ops = &pf_runtime_fake_ops;
	*out = &f->rt;
	return 0;
}

static void fake_close(struct pf_runtime *rt)
{
	free(rt);
}

static int fake_status(struct pf_runtime *rt, struct pf_err *err)
{
	return 0;
}

static int fake_list(struct pf_runtime *rt, struct pf_rt_list *out, struct pf_err *err)
{
	out->items = NULL;
	out->n = 0;
	return 0;
}

static int fake_sandbox_create(struct pf_runtime *rt, const struct pf_pod *pod, char **id,
			       struct pf_err *err)
{
	*id = fake_id(false);
	return 0;
}

static int fake_remove(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	if (!well_formed(id))
		return pf_err_set(err, ENOENT, "no such container or sandbox \"%s\"", id);
	return 0;
}

static int fake_container_create(struct pf_runtime *rt, const char *sandbox_id,
				 const struct pf_pod *pod, const struct pf_container *c, bool init,
				 int attempt, char **id, struct pf_err *err)
{
	bool sidecar = init && c->restart_policy && strcmp(c->restart_policy, "Always") == 0;

	*id = fake_id(init && !sidecar);
	return 0;
}

static int fake_start(struct pf_runtime *rt, const char *id, struct pf_err *err)
{
	return fake_remove(rt, id, err);
}

static int fake_stop(struct pf_runtime *rt, const char *id, int64_t grace_s, struct pf_err *err)
{
	return fake_remove(rt, id, err);
}

static int fake_kill(struct pf_runtime *rt, const char *id, int sig, struct pf_err *err)
{
	return fake_remove(rt, id, err);
}

static int fake_container_status(struct pf_runtime *rt, const char *id, struct pf_rt_status *out,
				 struct pf_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!well_formed(id))
		return pf_err_set(err, ENOENT, "no such container \"%s\"", id);
	if (id[0] == 'e') {
		out->state = PF_RT_EXITED;
		out->reason = pf_xstrdup("Completed");
	} else {
		out->state = PF_RT_RUNNING;
	}
	return 0;
}

const struct pf_runtime_ops pf_runtime_fake_ops = {
    .name = "fake",
    .version = "fake://0.1",
    .open = fake_open,
    .close = fake_close,
    .status = fake_status,
    .list = fake_list,
    .sandbox_create = fake_sandbox_create,
    .sandbox_remove = fake_remove,
    .container_create = fake_container_create,
    .container_start = fake_start,
    .container_stop = fake_stop,
    .container_remove = fake_remove,
    .container_status = fake_container_status,
    .container_kill = fake_kill,
};
