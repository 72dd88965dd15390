#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the Debian 6.12 kernel under qemu, load kbpf.ko, and run
# abpf-demo, which creates, fills and reads an ARRAY map through libabpf
# on the kernel's bpf(2) and on /dev/kbpf; then the object-loader examples
# (clang-built programs on raw_syscalls:sys_enter) on each backend:
# syscount (a HASH map per pid), ringstream (RINGBUF) and perfstream
# (PERF_EVENT_ARRAY).
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$KBPF_ROOT/out/demo
mkdir -p "$out"
log "checking dependencies"
"$KBPF_ROOT/scripts/deps.sh" || die "cannot install dependencies"
log "building libabpf and the demo"
make -s -C "$KBPF_ROOT/user" vm-progs >"$out/user-build.log" 2>&1 ||
	die "user build failed: $out/user-build.log"
kernel_paths 6.12
log "building kbpf.ko against $KDIR"
build_kbpf "$KDIR" "$out/6.12" >"$out/build.log" 2>&1 ||
	die "module build failed: $out/build.log"
log "booting $(basename "$KIMAGE") under qemu"
rm -f "$out/vm/results.log"
"$KBPF_ROOT/scripts/vm.sh" -k "$KIMAGE" -o "$out/vm" -t 300 \
	-f "$out/6.12/src/kmod/kbpf.ko" -f "$KBPF_ROOT/user/build/vm/abpf-demo" \
	-f "$KBPF_ROOT/user/build/vm/syscount" \
	-f "$KBPF_ROOT/user/build/vm/ringstream" \
	-f "$KBPF_ROOT/user/build/vm/perfstream" \
	-r 'insmod kbpf.ko && dmesg | grep "kbpf: version" >$KBPF_RESULTS && echo >$KBPF_RESULTS' \
	-r 'abpf-demo >$KBPF_RESULTS 2>&1; echo "KBPF-DEMO-EXIT $?" >$KBPF_RESULTS' \
	-r 'for b in kbpf kernel; do for x in syscount ringstream perfstream; do
		echo >$KBPF_RESULTS; echo "\$ $x --backend $b --duration 1 --count 8" >$KBPF_RESULTS
		./$x --backend $b --duration 1 --count 8 >$KBPF_RESULTS 2>&1
		echo "KBPF-DEMO-EXIT $?" >$KBPF_RESULTS; done; done' \
	-r 'rmmod kbpf' || die "the VM did not finish: $out/vm/console.log"
grep -v '^KBPF-DEMO-EXIT' "$out/vm/results.log"
! grep '^KBPF-DEMO-EXIT' "$out/vm/results.log" | grep -qv '^KBPF-DEMO-EXIT 0$' &&
	[ "$(grep -c '^KBPF-DEMO-EXIT 0$' "$out/vm/results.log")" = 7 ]
