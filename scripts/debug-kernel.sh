#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel (KUnit, KASAN, lockdep, kmemleak, UBSAN) from
# linux-source-6.12, or reuse the cached build.  The cache key covers the
# config fragment, the source package version and the compiler, so only a
# change to one of them rebuilds.  Prints the build directory.
set -euo pipefail
. "$(dirname "$0")/common.sh"

frag=$KBPF_ROOT/scripts/config/debug.config
src=$(source_tree)
key=$( { cat "$frag"; pkg_version linux-source-6.12; gcc --version | head -n 1; } |
	sha256sum | cut -c1-16)
out=$KBPF_CACHE/debug/$key

# An O= build records its source tree's path: reuse it only if that holds.
cached() {
	[ -e "$out/.complete" ] && [ "$(readlink -f "$out/source")" = "$(readlink -f "$src")" ]
}
# A finished build needs no lock (.complete comes last); one build at a
# time, and a second caller of the same key waits for it and reuses it.
cached && { echo "$out"; exit 0; }
mkdir -p "$KBPF_CACHE/debug"
exec 9>"$KBPF_CACHE/debug/.lock"
flock 9
cached && { echo "$out"; exit 0; }

log "building the debug kernel into $out (one-time, about 10 minutes)"
rm -rf "$out" && mkdir -p "$out"
blog=$out/build.log
{
	make -C "$src" O="$out" allnoconfig &&
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" &&
	make -C "$src" O="$out" olddefconfig
} >"$blog" 2>&1 || { tail -n 30 "$blog" >&2; die "debug kernel configuration failed"; }

# olddefconfig silently drops options whose dependencies are missing:
# every option the fragment asks for must have survived.
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$frag" | while read -r line; do
	grep -qxF "$line" "$out/.config" || echo "$line"
done)
[ -z "$missing" ] || die "olddefconfig dropped: $(echo $missing)"

make -C "$src" O="$out" -j"$KBPF_JOBS" bzImage modules >>"$blog" 2>&1 ||
	{ tail -n 40 "$blog" >&2; die "debug kernel build failed (log: $blog)"; }
touch "$out/.complete"
echo "$out"
