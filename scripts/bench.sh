#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: kbpf against the kernel's own BPF, in one guest.
#
#   scripts/bench.sh        (environment: KERNEL=6.12|6.1, OUT=out/bench,
#                            SIZE=full|small|tiny, REPS=5, ONLY=groups,
#                            CPUS=4, MEM=3072M, BENCH_TIMEOUT=7200)
#
# Builds kbpf.ko for the kernel and user/bench/, boots the Debian stock
# kernel under qemu with CPUS vCPUs (the scaling workload wants 4), loads
# kbpf and runs kbpf-bench there: each workload on kbpf and on bpf(2) in
# turns (A B A B ...), REPS times.  Prints the table (median ops/s of
# each side, ratio of the medians, lowest and highest per-repetition
# ratio, goal) and writes OUT/bench.csv, OUT/ratios.png (a bar chart of
# the ratios), OUT/table.txt and the guest's logs in OUT/vm/.
#
# qemu runs TCG with one host thread for all vCPUs (see vm.sh): absolute
# figures are low and the threads of the scaling workload take turns;
# the ratios of one run are what to read.
set -euo pipefail
. "$(dirname "$0")/common.sh"

kernel=${KERNEL:-6.12}
out=${OUT:-$KBPF_ROOT/out/bench}
size=${SIZE:-full}
reps=${REPS:-5}
only=${ONLY:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)

case $kernel in
6.1 | 6.12) ;;
*) die "bench.sh: KERNEL must be 6.1 or 6.12" ;;
esac
kernel_paths "$kernel"
log "bench: building kbpf.ko for $kernel and the benchmarks"
build_kbpf "$KDIR" "$out/kb" >"$out/build.log" 2>&1 ||
	die "kbpf.ko does not build (see $out/build.log)"
make -C "$KBPF_ROOT/user" -j"$KBPF_JOBS" bench >>"$out/build.log" 2>&1 ||
	die "the benchmarks do not build (see $out/build.log)"

args="--size $size --reps $reps${only:+ --only $only}"
log "bench: booting $kernel with ${CPUS:-4} CPUs: kbpf-bench $args (progress in $out/vm/console.log)"
rm -rf "$out/vm"
"$KBPF_ROOT/scripts/vm.sh" -k "$KIMAGE" -o "$out/vm" -t "${BENCH_TIMEOUT:-7200}" \
	-s "${CPUS:-4}" -m "${MEM:-3072M}" \
	-f "$out/kb/src/kmod/kbpf.ko" -f "$KBPF_ROOT/user/build/vm/kbpf-bench" \
	-r 'insmod kbpf.ko' \
	-r "echo \"# kernel \$(uname -r), \$(nproc) CPUs\" >\$KBPF_RESULTS" \
	-r "./kbpf-bench $args >\$KBPF_RESULTS 2>/dev/console" ||
	die "the guest did not finish (logs in $out/vm)"

grep -v '^CSV,' "$out/vm/results.log" | tr -d '\r' >"$out/table.txt"
cat "$out/table.txt"
"$KBPF_ROOT/user/build/bench/bench-report" "$out/vm/results.log" "$out/bench.csv" \
	"$out/ratios.png" "kbpf / kernel $(sed -n 's/^# kernel \([^,]*\),.*/\1/p' \
	"$out/table.txt" | head -n 1), $size, $reps reps" >&2
grep -q ',FAILED,' "$out/bench.csv" && log "bench: some rows FAILED (see the notes in $out/bench.csv)"
log "bench: $out/bench.csv $out/ratios.png"
