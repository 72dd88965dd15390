#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbpftool(8) keeps up with kbpftool: every object kbpftool dispatches,
# and every map and prog command, is described in docs/man/kbpftool.8.md
# (as "`OBJECT COMMAND" in the OBJECTS section).  Prints what is missing.
set -euo pipefail
. "$(dirname "$0")/common.sh"

src=$KBPF_ROOT/user/tools/kbpftool.c
page=$KBPF_ROOT/docs/man/kbpftool.8.md
# The words each dispatcher compares with: do_map's and do_prog's cmd,
# run_cmd's obj.
words=$(awk '
/^static int do_map\(/ { what = "map" }
/^static int do_prog\(/ { what = "prog" }
/^static int run_cmd\(/ { what = "obj" }
/^}/ { what = "" }
what != "" {
	line = $0
	while (match(line, /!strcmp\((cmd|obj), "[a-z_]+"\)/)) {
		w = substr(line, RSTART, RLENGTH)
		sub(/^[^"]*"/, "", w)
		sub(/".*/, "", w)
		if (w != "help")
			print what, w
		line = substr(line, RSTART + RLENGTH)
	}
}' "$src")
[ -n "$words" ] || die "found no commands in $src"
objects=$(sed -n '/^## OBJECTS/,/^## EXAMPLES/p' "$page")
missing=0 n=0
while read -r what w; do
	n=$((n + 1))
	if [ "$what" = obj ]; then
		pattern="### $w"
	else
		pattern="\`$what $w"
	fi
	grep -qF -- "$pattern" <<<"$objects" || { echo "missing: $pattern"; missing=1; }
done <<<"$words"
echo "$n commands checked"
exit $missing
