#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Logs files show the text of the monitor's CRI log files as kubectl logs
# does, live: open before the container starts, growing under tail -f, and
# moving to the new instance on a restart (logs.previous keeps the last).
# A writer plays the container monitor; another process plays the node.
. "$(dirname "$0")/lib.sh"
STORECTL=$(dirname "$FSOP")/storectl
URI=sqlite:$STATE/podfs.db
start_podfs

submit lg busybox app >/dev/null
uid=$(sed -n 's/^  uid: //p' "$PODS/lg/pod.yaml")
D=$STATE/logs/$uid/app
is "$(cat "$PODS/lg/logs")" "" "logs can be read before the container started"
is "$(cat "$PODS/lg/containers/app/logs.previous")" "" "logs.previous is empty before a restart"

mkdir -p "$D"
printf '2026-11-27T13:38:26.000000001Z stdout F hello\n2026-11-27T13:38:26.000000002Z stderr P part-\n2026-11-27T13:38:26.000000003Z stderr F one\n' >"$D/0.log"
is "$(cat "$PODS/lg/logs")" "$(printf 'hello\npart-one')" "the CRI prefixes are stripped and partial lines joined"
is "$(cat "$PODS/lg/containers/app/logs")" "$(printf 'hello\npart-one')" "containers/<c>/logs is the same log"
is "$(stat -c %s "$PODS/lg/logs")" "15" "its size is the text's size"

# tail -f follows the file as it grows.
tail -n +1 -f "$PODS/lg/logs" >"$T/tail.out" 2>/dev/null &
tp=$!
_cleanups+=("kill $tp 2>/dev/null")
check "tail -f shows what is there" -- wait_until 5 grep -qx hello "$T/tail.out"
printf '2026-11-27T13:38:27.000000000Z stdout F world\n' >>"$D/0.log"
check "tail -f shows a line written later" -- wait_until 5 grep -qx world "$T/tail.out"

# A restart: the node reports restartCount 1, the monitor writes 1.log.
printf '2026-11-27T13:40:00.000000000Z stdout F second life\n' >"$D/1.log"
key=/registry/pods/default/lg
"$STORECTL" "$URI" get "$key" | awk '
	/^status:/ { print; print "  containerStatuses:"; print "  - image: busybox"; print "    imageID: \"\""; print "    lastState: {}"; print "    name: app"; print "    ready: false"; print "    restartCount: 1"; print "    state: {}"; next } { print }' |
	"$STORECTL" "$URI" put "$key"
check "the restart shows" -- wait_until 5 grep -qx 1 "$PODS/lg/restarts"
is "$(cat "$PODS/lg/logs")" "second life" "logs shows the new instance"
is "$(cat "$PODS/lg/containers/app/logs.previous")" "$(printf 'hello\npart-one\nworld')" "logs.previous shows the last one"
check "tail -f moves on to the new instance" -- wait_until 5 grep -qx "second life" "$T/tail.out"
kill $tp 2>/dev/null; wait $tp 2>/dev/null
stop_podfs
