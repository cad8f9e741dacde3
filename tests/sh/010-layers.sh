#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The architecture holds (docs/layout.md): each folder's sources can include
# only the headers of their own layer and the layers below it, and no object
# of podfs reaches, by the symbols it uses, into a layer above its own or
# into an import circle.  Reads the Makefile's layers (make print-layers) and
# the objects of the build under test; starts nothing.
. "$(dirname "$0")/lib.sh"

cd "$_top" || exit 1
BUILD=$_top/${PODFS_BUILD:-build}
CC=${CC:-cc}
PKG=$(pkg-config --cflags fuse3 sqlite3 yaml-0.1 libarchive jansson libcrypto libcurl)

declare -A inc
folders=()
while read -r dir flags; do
	folders+=("$dir")
	inc[$dir]=$flags
done < <(make -s --no-print-directory print-layers)
check "the Makefile names the layers" -- test "${#folders[@]}" -ge 10

# Is folder a on the include path of folder b?
sees() { case " ${inc[$2]} " in *" -I$1 "*) return 0 ;; esac; return 1; }

# Does `#include "h"` resolve, with everything it includes, under these flags?
compiles() {
	local h=$1
	shift
	printf '#include "%s"\n' "$h" |
		$CC -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 "$@" $PKG -E -o /dev/null -x c - 2>/dev/null
}

# One header of each folder, included from a file of every other folder
# with that folder's flags: it compiles exactly when the layers allow it.
# The header is one that no system directory has a namesake of (node/lib's
# spawn.h has one: <spawn.h>).
for g in "${folders[@]}"; do
	h=""
	for c in $(cd "$g" && ls -- *.h 2>/dev/null); do
		compiles "$c" && continue
		h=$c
		break
	done
	check "$g has a header of its own name to include" -- test -n "$h"
	[ -n "$h" ] || continue
	for f in "${folders[@]}"; do
		if compiles "$h" ${inc[$f]}; then got=builds; else got=refused; fi
		if sees "$g" "$f"; then want=builds; else want=refused; fi
		is "$got" "$want" "$f including $g/$h: $want"
	done
done

# A -I directory is searched before the system's, for <...> too: no header
# of podfs may share its name with a system one (glibc has <err.h> and
# <spawn.h>), or a file including the system's would get podfs's.
same=""
for h in $(git ls-files '*.h' | xargs -n1 basename | sort -u); do
	compiles "$h" && same="$same $h"
done
is "$same" "" "no header is named as a system header"

# The objects: which folder defines each symbol, and who uses it.
# Only the objects of today's sources: a build dir keeps those of files
# that were renamed or split since.
mapfile -t objs < <(cd "$BUILD" && { find core node fs -name '*.o'; ls -- *.o 2>/dev/null; } |
	sort | while read -r o; do [ -f "$_top/${o%.o}.c" ] && echo "$o"; done)
check "the build under test has objects (${#objs[@]})" -- test "${#objs[@]}" -ge 40
edges=$(cd "$BUILD" && nm -A -P "${objs[@]}" | awk '
	{ o = $1; sub(/:$/, "", o) }
	$3 ~ /^[TDBRGSVW]$/ { print "D", $2, o }
	$3 == "U" { print "U", $2, o }' | awk '
	$1 == "D" { def[$2] = $3; next }
	{ use[NR] = $2; user[NR] = $3 }
	END { for (i in use) if ((use[i] in def) && def[use[i]] != user[i]) print user[i], def[use[i]], use[i] }' | sort -u)
check "objects use each other's symbols" -- test -n "$edges"

folder_of() {
	local d
	d=$(dirname "$1")
	[ "$d" = . ] && d=entry
	echo "$d"
}
bad=""
while read -r from to sym; do
	ff=$(folder_of "$from") tf=$(folder_of "$to")
	[ "$ff" = "$tf" ] || [ "$ff" = entry ] && continue
	sees "$tf" "$ff" || bad="$bad $from->$to($sym)"
done <<<"$edges"
is "$bad" "" "no object uses a symbol of a layer above its own or beside it"

# tsort names every loop it meets in the graph of objects.
loops=$(awk '{print $1, $2}' <<<"$edges" | sort -u | tsort 2>&1 >/dev/null | grep -v 'input contains a loop' | sort -u | tr '\n' ' ')
is "$loops" "" "no import circle between objects"
