#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Build the libFuzzer host targets (make fuzz-host) and run each for
# FUZZ_HOST_RUNS inputs (default 20000, seed 1) from its seeds:
# fuzz/host/corpus/<target>/, and for fuzz_object the clang-built objects
# in build/bpf/ too.  New inputs go to OUTDIR, never to the seeds.
# Prints one TAP line per target; exits 1 if any crashed.
#
#   user/fuzz/host/run.sh [OUTDIR]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
user=$(cd "$here/../.." && pwd)
runs=${FUZZ_HOST_RUNS:-20000}
out=${1:-$(mktemp -d)}
mkdir -p "$out"
fail=0

if ! make -C "$user" fuzz-host >"$out/build.log" 2>&1; then
	echo "not ok - the libFuzzer host targets build (make -C user fuzz-host)"
	sed 's/^/# /' "$out/build.log" | tail -n 20
	exit 1
fi
echo "ok - the libFuzzer host targets build (make -C user fuzz-host)"

for t in check netlink object; do
	work=$out/$t
	rm -rf "$work" && mkdir -p "$work/new"
	seeds=("$here/corpus/$t")
	[ -d "$seeds" ] || seeds=()
	[ $t = object ] && [ -d "$user/build/bpf" ] && seeds+=("$user/build/bpf")
	(cd "$work" && "$user/build/fuzz-host/fuzz_$t" -runs="$runs" -seed=1 \
		-max_len=65536 -rss_limit_mb=2048 new "${seeds[@]}") >"$work/log" 2>&1
	st=$?
	cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1)
	if [ $st = 0 ] && grep -q "^Done $runs runs" "$work/log"; then
		echo "ok - libFuzzer fuzz_$t: $runs inputs, no crash ($cov, $(ls "$work/new" | wc -l) new inputs)"
	else
		echo "not ok - libFuzzer fuzz_$t: $runs inputs (exit $st)"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$work/log" | head -n 10 | sed 's/^/# /'
		fail=1
	fi
done
exit $fail
