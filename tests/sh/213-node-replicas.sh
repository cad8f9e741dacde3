#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# One `podfs node --replicas 50` process runs 50 hollow nodes, each
# registered and heartbeating, sharing one store handle and one watch.
. "$(dirname "$0")/lib.sh"
start_podfs
start_node hollow --runtime fake --replicas 50 --heartbeat-interval 1s --node-labels kubemark=true
check "50 nodes register" -- wait_until 30 sh -c "test \$(ls '$MNT/nodes' | wc -l) -eq 50"
is "$(ls "$MNT/nodes" | head -1)" "hollow-0001" "named NAME-0001 ..."
is "$(ls "$MNT/nodes" | tail -1)" "hollow-0050" "... to NAME-0050"
is "$(cat "$MNT"/nodes/*/status | sort | uniq -c | tr -s ' ')" " 50 Ready" "all Ready"
is "$(grep -l kubemark=true "$MNT"/nodes/*/labels | wc -l)" "50" "all labelled"
stop_node hollow
stop_podfs
