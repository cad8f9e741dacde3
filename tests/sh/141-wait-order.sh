#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Review: wait/Deleted must not be answered before the kernel dropped the
# pod's name, also when a later batch without deletions arrives while the
# invalidation thread is still busy (blocked on pods/'s lock, or a long
# queue).  A preloaded shim delays each entry invalidation by 600 ms to
# stand for that busy thread.
. "$(dirname "$0")/lib.sh"
cat >"$T/shim.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <unistd.h>
struct fuse_session;
int fuse_lowlevel_notify_inval_entry(struct fuse_session *se, unsigned long parent,
				     const char *name, size_t len)
{
	static int (*real)(struct fuse_session *, unsigned long, const char *, size_t);
	if (!real)
		real = dlsym(RTLD_NEXT, "fuse_lowlevel_notify_inval_entry");
	usleep(600000);
	return real(se, parent, name, len);
}
C
cc -shared -fPIC -o "$T/shim.so" "$T/shim.c" -ldl || { fail "build the shim"; exit 1; }
# (an ASan build wants its runtime first; the shim only wraps one call)
ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 LD_PRELOAD=$T/shim.so start_podfs
STORECTL=$(dirname "$FSOP")/storectl
URI=sqlite:$STATE/podfs.db

gone=0
for i in 1 2 3 4 5; do
	submit "x$i" >/dev/null
	"$FSOP" readfor 10000 "$PODS/x$i/wait/Deleted" >"$T/o.out" &
	ow=$!
	wait_until 5 grep -q request_wait_answer "/proc/$ow/stack"
	stat "$PODS/x$i/status" >/dev/null # the kernel caches the name (1 s)
	"$STORECTL" "$URI" delete "/registry/pods/default/x$i"
	# the cache has applied the deletion (readdir comes from it) ...
	wait_until 5 sh -c "! ls '$PODS' | grep -qx x$i"
	# ... then a second batch, no deletion in it (any write under /registry/).
	echo v | "$STORECTL" "$URI" put "/registry/configmaps/default/c$i" >/dev/null
	wait $ow
	grep -qx Deleted "$T/o.out" && ! [ -e "$PODS/x$i" ] && gone=$((gone + 1))
done
is "$gone" 5 "wait/Deleted answered only once pods/x is gone, with a later batch in between"
stop_podfs
