#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make vm KERNEL=6.1|6.12|debug: a shell in a test VM with kbpf.ko loaded
# and the test programs and examples in /kbpf.  Leave with `reboot -f`.
set -euo pipefail
. "$(dirname "$0")/common.sh"

kernel=${1:-6.12}
out=$KBPF_ROOT/out/vm-$kernel
"$KBPF_ROOT/scripts/deps.sh" || die "cannot install dependencies"
make -s -C "$KBPF_ROOT/user" vm-progs || die "user build failed"
kernel_paths "$kernel"
build_kbpf "$KDIR" "$out" >"$out.build.log" 2>&1 || die "module build failed: $out.build.log"
files=(-f "$out/src/kmod/kbpf.ko")
[ -e "$out/src/kunit/kbpf_kunit.ko" ] && files+=(-f "$out/src/kunit/kbpf_kunit.ko")
for f in "$KBPF_ROOT"/user/build/vm/*; do
	files+=(-f "$f")
done
exec "$KBPF_ROOT/scripts/vm.sh" -i -k "$KIMAGE" -o "$out/vm" "${files[@]}" \
	-r 'insmod kbpf.ko && echo "kbpf.ko loaded. In /kbpf: abpf-demo, test_*. Leave with: reboot -f"'
