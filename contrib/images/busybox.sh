#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# contrib/images/busybox.sh OUT - the default busybox image, offline, from
# Debian's busybox-static: /bin/busybox and its applets, root and nobody in
# /etc/passwd, Cmd ["sh"], written as an OCI image layout at OUT.
. "$(dirname "$0")/lib.sh"

out=${1:?usage: busybox.sh OUT}
root=$out.rootfs.$$
trap 'rm -rf "$root"' EXIT
rm -rf "$root"
mkdir -p "$root"

skeleton "$root"
add_busybox "$root"
passwd_group "$root"

SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(pkg_epoch /bin/busybox)}
make_layout "$root" "$out" \
	'"Cmd":["sh"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]' \
	busybox
