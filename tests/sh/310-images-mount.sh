#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# images/ in the mount: one file per image, named as users type it, holding
# the image ID; it follows `podfs image import` and `podfs image rm`.
. "$(dirname "$0")/lib.sh"
IMAGES=$(cd "$(dirname "$0")/../.." && pwd)/build/images
start_podfs

is "$(ls -A "$MNT/images" | wc -l)" "0" "no images in a fresh state dir"
id=$("$PODFS" image import busybox "$IMAGES/busybox" --state-dir "$STATE")
is "$(ls "$MNT/images")" "busybox:latest" "an imported image shows as NAME:TAG"
is "$(cat "$MNT/images/busybox:latest")" "sha256:$id" "its file holds the image ID (sha256:...)"
is "$(stat -c %s "$MNT/images/busybox:latest")" "$(( ${#id} + 8 ))" "with an exact size"
"$PODFS" image import example.com/team/tool:1.0 "$IMAGES/busybox" --state-dir "$STATE" >/dev/null
check "a name with a registry and a path is escaped" -- test -f "$MNT/images/example.com%2Fteam%2Ftool:1.0"
"$PODFS" image rm example.com/team/tool:1.0 --state-dir "$STATE" >/dev/null
check "an image removed with podfs image rm disappears" -- test ! -e "$MNT/images/example.com%2Fteam%2Ftool:1.0"
is "$("$FSOP" unlink "$MNT/images/busybox:latest")" "EPERM" "images/ is read-only"
stop_podfs
