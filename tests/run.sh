#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/run.sh - run the C unit tests and the shell scenarios, count TAP
# results, end with "N passed, N failed".
#
#   PODFS_BUILD=build/asan tests/run.sh [PATTERN...]
# PATTERN selects scenarios/unit tests by substring (e.g. 110 store).
# PODFS_ONLY=unit|sh limits to one kind.
set -u
cd "$(dirname "$0")/.."
BUILD=${PODFS_BUILD:-build}
export PODFS_BUILD=$BUILD
export PODFS_BIN=$PWD/$BUILD/podfs
export FSOP=$PWD/$BUILD/tests/tools/fsop
# Leaks and memory errors fail the run: podfs exits 66 and the scenario's
# teardown reports it; unit tests exit non-zero.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=66:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0 failures=()
logdir=$(mktemp -d /tmp/podfs-results.XXXXXX)
# ThreadSanitizer (make check-tsan) writes each process's reports to a file
# of its own under the run's directory: a scenario's podfs log is deleted
# with the scenario, and a node killed with -9 never reaches its exit code.
# A test that leaves a report there fails (count_tsan).
mkdir -p "$logdir/tsan"
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:exitcode=66:second_deadlock_stack=1:history_size=4:suppressions=$PWD/tests/tsan.supp:log_path=$logdir/tsan/report}
# Every scenario's files live under one directory of this run's, so the
# final check can tell this run's objects from another run's on the host.
export PODFS_TEST_ROOT=$logdir
net=${PODFS_TEST_NET:-0}
if [ "$net" = 0 ]; then brre='pfbr[0-9]+|podfs0'; else brre="pf${net}b[0-9]+"; fi

# What the host has before the run, so the final check blames only the run.
host_objects() {
	local p
	awk -v r="$PODFS_TEST_ROOT/" 'index($2, r) == 1 {print "mount " $2}' /proc/mounts
	ip -o link show 2>/dev/null | grep -Eo " ($brre)[:@]" | tr -d ' :@' | sed 's/^/bridge /'
	ip netns list 2>/dev/null | sed 's/^/netns /'
	for p in $(pgrep -x conmon 2>/dev/null); do
		tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -q "$PODFS_TEST_ROOT/" && echo "conmon $p"
	done
}
host_before=$(host_objects | sort)

selected() {
	[ -z "$PATTERNS" ] && return 0
	local f=$1
	for p in $PATTERNS; do case "$f" in *"$p"*) return 0 ;; esac; done
	return 1
}
PATTERNS="$*"

# Count one TAP stream; a crash or a non-zero exit without a "not ok" line
# is a failure of its own, so a dying test can never look green.
count() {
	local name=$1 log=$2 rc=$3 ok notok
	if [ ! -f "$log" ]; then
		failed=$((failed + 1))
		failures+=("$name: its log $log is missing")
		printf '%-40s   ? passed, 1 failed (no log)\n' "$name"
		return
	fi
	ok=$(grep -c '^ok ' "$log")
	notok=$(grep -c '^not ok ' "$log")
	passed=$((passed + ok))
	failed=$((failed + notok))
	if [ "$notok" -gt 0 ]; then
		failures+=("$name: $(grep '^not ok ' "$log" | head -3 | tr '\n' ';')")
	fi
	if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
		failed=$((failed + 1))
		failures+=("$name: exited with status $rc without a failing assertion")
	fi
	if [ "$ok" -eq 0 ] && [ "$notok" -eq 0 ] && [ "$rc" -eq 0 ]; then
		failed=$((failed + 1))
		failures+=("$name: ran no assertion")
	fi
	printf '%-40s %3d passed, %d failed%s\n' "$name" "$ok" "$notok" \
		"$([ "$rc" -ne 0 ] && echo " (exit $rc)")"
}

# Reports of ThreadSanitizer that appeared while the last test ran.
count_tsan() {
	local name=$1 f n=0
	for f in "$logdir"/tsan/report.*; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		mv "$f" "$logdir/tsan/${name//\//_}.$(basename "$f")"
	done
	if [ "$n" -gt 0 ]; then
		failed=$((failed + 1))
		failures+=("$name: $n ThreadSanitizer report file(s) in $logdir/tsan/")
		printf '%-40s %3d passed, 1 failed (ThreadSanitizer)\n' "$name" 0
	fi
}

if [ "${PODFS_ONLY:-}" != sh ]; then
	for t in "$BUILD"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		n=unit/$(basename "$t")
		selected "$n" || continue
		log=$logdir/$(basename "$t").log
		timeout 600 "$t" >"$log" 2>&1
		count "$n" "$log" $?
		count_tsan "$n"
	done
fi

if [ "${PODFS_ONLY:-}" != unit ]; then
	for t in tests/sh/[0-9]*.sh; do
		n=sh/$(basename "$t" .sh)
		selected "$n" || continue
		log=$logdir/$(basename "$t").log
		timeout 900 bash "$t" >"$log" 2>&1
		count "$n" "$log" $?
		count_tsan "$n"
	done
fi

# Every scenario cleans up after itself; anything new on the host now is a
# leak (a mount, a bridge, a network namespace, a monitor).
# Monitors of the last pods may still be exiting: poll, with a deadline.
for _ in $(seq 50); do
	leaks=$(comm -13 <(echo "$host_before") <(host_objects | sort) | grep -v '^$')
	[ -z "$leaks" ] && break
	sleep 0.2
done
if [ -n "$leaks" ]; then
	failed=$((failed + 1))
	failures+=("leak check: left on the host: $(echo "$leaks" | tr '\n' ';')")
	printf '%-40s %3d passed, %d failed\n' "leak-check" 0 1
else
	passed=$((passed + 1))
	printf '%-40s %3d passed, %d failed\n' "leak-check" 1 0
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo
	echo "failures (logs in $logdir):"
	printf '  %s\n' "${failures[@]}"
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
