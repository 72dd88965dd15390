#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# make fuzz: boot a test kernel under qemu with kbpf.ko, run kbpf_fuzz in
# it for a while, then check that it finished, that rmmod works, and that
# the console shows no oops, WARNING, KASAN, UBSAN, lockdep or kmemleak
# report.  Prints the fuzzer's summary and a verdict; exits 1 on a problem.
#
#   user/fuzz/run.sh [-s SECONDS] [-k debug|6.12|6.1] [-o OUTDIR]
#                    [-- kbpf_fuzz options: --seed N --threads N --calls N ...]
#
# SECONDS defaults to $SECONDS_ARG or 60, the kernel to debug (KASAN,
# lockdep, kmemleak, UBSAN).  Logs: OUTDIR (default out/fuzz/<kernel>):
# console.log, results.log (the fuzzer's output), build.log.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/common.sh"

secs=${FUZZ_SECONDS:-60} kernel=${FUZZ_KERNEL:-debug} outdir=
while getopts "s:k:o:h" opt; do
	case $opt in
	s) secs=$OPTARG ;;
	k) kernel=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) sed -n '3,13s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $secs in '' | *[!0-9]*) die "run.sh: seconds must be a number, not '$secs'" ;; esac
outdir=${outdir:-$KBPF_ROOT/out/fuzz/$kernel}
mkdir -p "$outdir"

log "fuzz: kernel $kernel, $secs s, logs in $outdir"
kernel_paths "$kernel" || die "no $kernel kernel"
build_kbpf "$KDIR" "$outdir" >"$outdir/build.log" 2>&1 ||
	die "kbpf.ko does not build against $KDIR (see $outdir/build.log)"
make -C "$KBPF_ROOT/user" build/vm/kbpf_fuzz >>"$outdir/build.log" 2>&1 ||
	die "kbpf_fuzz does not build (see $outdir/build.log)"

# An oops ends the guest at once, as in make check.
export KBPF_VM_APPEND="oops=panic ${KBPF_VM_APPEND:-}"
k=/sys/kernel/debug/kmemleak
R='$KBPF_RESULTS'
"$KBPF_ROOT/scripts/vm.sh" -k "$KIMAGE" -o "$outdir/vm" -t $((secs + 900)) \
	-f "$outdir/src/kmod/kbpf.ko" -f "$KBPF_ROOT/user/build/vm/kbpf_fuzz" \
	-r "[ -e $k ] && echo clear > $k" \
	-r "insmod kbpf.ko; echo \"fuzz-insmod \$?\" >> $R" \
	-r "./kbpf_fuzz --seconds $secs $* >> $R 2>&1; echo \"fuzz-exit \$?\" >> $R" \
	-r "rmmod kbpf; echo \"fuzz-rmmod \$?\" >> $R" \
	-r "[ -e $k ] && { sleep 6; echo scan > $k; echo scan > $k; cat $k > /dev/console; }" \
	-r "echo \"fuzz-tainted \$(cat /proc/sys/kernel/tainted)\" >> $R" \
	>"$outdir/vm.log" 2>&1
vm=$?
results=$outdir/vm/results.log console=$outdir/vm/console.log
touch "$results" "$console"

problems=0
report() { echo "fuzz: $*"; problems=$((problems + 1)); }

[ $vm = 0 ] || report "the guest did not finish (vm.sh status $vm; $outdir/vm.log)"
grep -q '^fuzz-insmod 0' "$results" || report "insmod kbpf.ko failed"
grep -q '^FUZZ-DONE' "$results" || report "the fuzzer did not finish its run"
grep -q '^fuzz-exit 0' "$results" || report "the fuzzer reported failures (exit $(sed -n 's/^fuzz-exit //p' "$results"))"
grep -q '^fuzz-rmmod 0' "$results" || report "rmmod kbpf failed after the run"
# the same patterns make check scans for (scripts/check.sh console_problems)
grep -nE 'WARNING:|BUG:|Oops|general protection fault|Kernel panic|UBSAN:|possible circular locking|possible recursive locking|inconsistent lock state|Call Trace:|refcount_t:|list_(add|del) corruption|stack-protector|unreferenced object|kmemleak: [0-9]+ new suspected|segfault at' \
	"$console" >"$outdir/console.problems"
[ -s "$outdir/console.problems" ] &&
	report "the console shows problems:" && head -n 40 "$outdir/console.problems" | sed 's/^/    /'

echo "---- kbpf_fuzz ($kernel, $secs s)"
grep -E '^kbpf-fuzz: (seed|done|calls per|errnos|programs|INVARIANT|  the call|FATAL)|^FUZZ-DONE' \
	"$results" | head -n 60
if [ $problems = 0 ]; then
	echo "fuzz: clean: $(grep '^FUZZ-DONE' "$results")"
	exit 0
fi
echo "fuzz: $problems problem(s); logs in $outdir"
exit 1
