#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: every test kbpf has, on a fresh Debian 12 machine.
#
#   host        libabpf's host tests; checkpatch --strict on the kernel code
#   install     DKMS builds against both header trees; make install and
#               uninstall into a DESTDIR
#   6.1, 6.12   the stock Debian kernels: kbpf.ko built with W=1 and under
#               sparse, then booted under qemu with the VM tests
#   debug       the same on a 6.12 debug kernel (KASAN, lockdep, kmemleak,
#               UBSAN, KUnit) plus kbpf's KUnit suites, a kmemleak scan, and
#               a canary run proving each detector is seen when it fires
#
# Prints "<group>: N passed, N failed" per group (the kernel release for
# kernels) and ends with "N passed, N failed"; exits non-zero on any
# failure.  A step that cannot run counts as failed.  Logs: out/check/.
set -uo pipefail
. "$(dirname "$0")/common.sh"

out=${KBPF_OUT:-$KBPF_ROOT/out/check}
rm -rf "$out" && mkdir -p "$out"
# An oops ends the guest at once: what follows one is a hang, not a result.
export KBPF_VM_APPEND="oops=panic ${KBPF_VM_APPEND:-}"
# A guest run takes 1 to 10 minutes under TCG (the debug kernel is slowest).
vm_timeout=${KBPF_VM_TIMEOUT:-1800}
total_pass=0 total_fail=0 group= gpass=0 gfail=0 t0=$SECONDS

begin_group() {
	group=$1 gpass=0 gfail=0 gstart=$SECONDS
}

end_group() {
	printf '%s: %d passed, %d failed\n' "$group" "$gpass" "$gfail"
	log "$group took $((SECONDS - gstart)) s"
	total_pass=$((total_pass + gpass))
	total_fail=$((total_fail + gfail))
}

# record STATUS NAME [DETAIL-FILE]: one test's result; a failure shows its
# name and the first lines of DETAIL-FILE.
record() {
	if [ "$1" = 0 ]; then
		gpass=$((gpass + 1))
		[ -n "${KBPF_VERBOSE:-}" ] && echo "  ok - $2"
	else
		gfail=$((gfail + 1))
		echo "  not ok - $2"
		[ -n "${3:-}" ] && [ -s "$3" ] && head -n 30 "$3" | sed 's/^/    /'
	fi
	return 0
}

# count_results FILE: add the "ok"/"not ok" lines the guest or a test
# program wrote; show each failure with the diagnostics printed before it.
count_results() {
	local ok bad
	ok=$(grep -c '^ok ' "$1")
	bad=$(grep -c '^not ok ' "$1")
	gpass=$((gpass + ok))
	gfail=$((gfail + bad))
	[ -n "${KBPF_VERBOSE:-}" ] && grep '^ok ' "$1" | sed 's/^/  /'
	awk '/^#/ { diag = diag "    " $0 "\n"; next }
	     /^not ok / { printf "  %s\n%s", $0, diag }
	     { diag = "" }' "$1"
}

# What in a console log means the kernel is unwell.
console_problems() {
	grep -nE 'WARNING:|BUG:|Oops|general protection fault|Kernel panic|UBSAN:|possible circular locking|possible recursive locking|inconsistent lock state|Call Trace:|refcount_t:|list_(add|del) corruption|stack-protector|unreferenced object|kmemleak: [0-9]+ new suspected|segfault at' "$1"
}

# build_module KDIR DIR LABEL: kbpf (and, with KUnit, its suites) built in
# a copy of the sources, with W=1 and then under sparse, both silent.
build_module() {
	local kdir=$1 dir=$2 label=$3 st
	build_kbpf "$kdir" "$dir" W=1 >"$dir/build.log" 2>&1
	st=$?
	grep -E '(warning|error):' "$dir/build.log" >"$dir/build.problems"
	[ $st = 0 ] && [ ! -s "$dir/build.problems" ] && [ -e "$dir/src/kmod/kbpf.ko" ]
	record $? "kbpf.ko builds against $label with W=1 and no warnings" "$dir/build.problems"

	make -C "$kdir" M="$dir/src" W=1 C=2 -j"$KBPF_JOBS" modules >"$dir/sparse.log" 2>&1
	st=$?
	grep -E '(warning|error):' "$dir/sparse.log" >"$dir/sparse.problems"
	[ $st = 0 ] && [ ! -s "$dir/sparse.problems" ]
	record $? "sparse (C=2) finds nothing in kbpf against $label" "$dir/sparse.problems"
}

# run_guest IMAGE DIR ENV FILES...: boot IMAGE with FILES and the VM
# tests, run scripts/guest/run-tests.sh there with the variable
# assignments ENV, count what it reports.
run_guest() {
	local image=$1 dir=$2 env=$3 args=() f st
	shift 3
	for f in "$@" "$KBPF_ROOT"/user/build/vm/test_* "$KBPF_ROOT/scripts/guest/run-tests.sh"; do
		args+=(-f "$f")
	done
	"$KBPF_ROOT/scripts/vm.sh" -k "$image" -o "$dir/vm" -t "$vm_timeout" "${args[@]}" \
		-r "$env sh run-tests.sh" \
		>"$dir/vm.log" 2>&1
	st=$?
	touch "$dir/vm/results.log" "$dir/vm/console.log"
	[ $st = 0 ] && grep -q '^KBPF-CHECK-DONE' "$dir/vm/results.log"
	record $? "the guest boots, runs every test and shuts down" "$dir/vm.log"
	count_results "$dir/vm/results.log"
	console_problems "$dir/vm/console.log" >"$dir/console.problems"
	[ ! -s "$dir/console.problems" ]
	record $? "the console shows no warning, BUG, oops, KASAN, UBSAN, lockdep or kmemleak report" \
		"$dir/console.problems"
}

# kunit_results CONSOLE DIR: the KUnit cases kbpf_kunit.ko ran, counted by
# kunit.py from the part of the console log after the suites began.
kunit_results() {
	local src summary ran passed
	src=$(source_tree) || { record 1 "KUnit output can be parsed (no kernel source)"; return; }
	sed -n '/kbpf-check: KUnit suites follow/,$p' "$1" >"$2/ktap.log"
	python3 "$src/tools/testing/kunit/kunit.py" parse "$2/ktap.log" >"$2/kunit.txt" 2>&1
	summary=$(grep -o 'Ran [0-9]* tests: .*' "$2/kunit.txt" | tail -n 1)
	ran=$(echo "$summary" | sed -n 's/^Ran \([0-9]*\) tests.*/\1/p')
	passed=$(echo "$summary" | sed -n 's/.*passed: \([0-9]*\).*/\1/p')
	if [ -z "$ran" ] || [ -z "$passed" ] || [ "$ran" = 0 ]; then
		record 1 "KUnit suites ran and their output parses" "$2/kunit.txt"
		return
	fi
	gpass=$((gpass + passed))
	gfail=$((gfail + ran - passed))
	grep -E '\[(FAILED|CRASHED|SKIPPED)\]' "$2/kunit.txt" | sed 's/^/  not ok - KUnit: /'
	[ -n "${KBPF_VERBOSE:-}" ] && grep '\[PASSED\]' "$2/kunit.txt" | sed 's/^/  ok - KUnit: /'
	return 0
}

# canary KDIR IMAGE DIR: load a module with deliberate bugs and check each
# detector fires and the console scan flags it.  Lockdep goes first: a
# KASAN report marks lock debugging unreliable and turns it off.
canary() {
	local kdir=$1 image=$2 dir=$3 bug pattern
	mkdir -p "$dir/src" && cp "$KBPF_ROOT"/scripts/canary/{Kbuild,kbpf_canary.c} "$dir/src/"
	if ! make -C "$kdir" M="$dir/src" -j"$KBPF_JOBS" modules >"$dir/build.log" 2>&1; then
		record 1 "canary module builds" "$dir/build.log"
		return
	fi
	"$KBPF_ROOT/scripts/vm.sh" -k "$image" -o "$dir/vm" -t "$vm_timeout" \
		-f "$dir/src/kbpf_canary.ko" \
		-r 'k=/sys/kernel/debug/kmemleak; echo clear > $k' \
		-r 'for b in lockorder sleep leak uaf; do insmod kbpf_canary.ko bug=$b && rmmod kbpf_canary; done' \
		-r 'sleep 6; echo scan > $k; echo scan > $k; cat $k' >"$dir/vm.log" 2>&1
	for bug in "kmemleak:unreferenced object" \
		   "KASAN:BUG: KASAN: slab-use-after-free" \
		   "DEBUG_ATOMIC_SLEEP:BUG: sleeping function called from invalid context" \
		   "lockdep:WARNING: possible circular locking dependency detected"; do
		pattern=${bug#*:}
		grep -qF "$pattern" "$dir/vm/console.log" 2>/dev/null
		record $? "canary: ${bug%%:*} reports a deliberate bug (\"$pattern\")" "$dir/vm.log"
	done
	console_problems "$dir/vm/console.log" >"$dir/console.problems" 2>/dev/null
	[ "$(grep -c . "$dir/console.problems")" -ge 4 ]
	record $? "canary: the console scan flags the canary run"
}

# --- dependencies
log "checking build and test dependencies"
if ! "$KBPF_ROOT/scripts/deps.sh" >"$out/deps.log" 2>&1; then
	begin_group deps
	record 1 "install dependencies (scripts/deps.sh)" "$out/deps.log"
	end_group
	printf '%d passed, %d failed\n' "$total_pass" "$total_fail"
	exit 1
fi

# --- host
begin_group host
log "host: libabpf, host tests, checkpatch"
make -C "$KBPF_ROOT/user" -j"$KBPF_JOBS" all >"$out/user-build.log" 2>&1
record $? "libabpf, its tests and examples build with -Werror" "$out/user-build.log"
for t in "$KBPF_ROOT"/user/build/host/*; do
	[ -x "$t" ] || continue
	"$t" >"$out/host-$(basename "$t").log" 2>&1
	st=$?
	count_results "$out/host-$(basename "$t").log"
	[ $st -le 1 ]
	record $? "$(basename "$t") ran to completion (exit status $st)"
done
# libFuzzer targets of the netlink parser, the ELF loader and the checker
"$KBPF_ROOT/user/fuzz/host/run.sh" "$out/fuzz-host" >"$out/fuzz-host.log" 2>&1
st=$?
count_results "$out/fuzz-host.log"
record $st "user/fuzz/host/run.sh ran its libFuzzer targets" "$out/fuzz-host.log"
if src=$(source_tree 2>"$out/checkpatch.log"); then
	# Tracked and new (not ignored) files: generated *.mod.c are ignored.
	(cd "$KBPF_ROOT" && git ls-files --cached --others --exclude-standard \
		'kmod/*.[ch]' 'kunit/*.[ch]' 'uapi/*.h' 'scripts/canary/*.c') \
		>"$out/checkpatch.files"
	[ -s "$out/checkpatch.files" ] ||
		(cd "$KBPF_ROOT" && find kmod kunit uapi scripts/canary -name '*.[ch]' \
			! -name '*.mod.c') >"$out/checkpatch.files"
	(cd "$KBPF_ROOT" && xargs perl "$src/scripts/checkpatch.pl" --no-tree --strict \
		--terse -f <"$out/checkpatch.files") 2>&1 |
		grep -E 'ERROR|WARNING|CHECK' >"$out/checkpatch.log"
fi
[ -e "$out/checkpatch.files" ] && [ ! -s "$out/checkpatch.log" ]
record $? "checkpatch --strict is clean on kmod/ kunit/ uapi/ scripts/canary/" "$out/checkpatch.log"
# The man pages: made from docs/man/, groff finds nothing to warn about,
# and kbpftool(8) names every command kbpftool dispatches.
make -C "$KBPF_ROOT" -s man >"$out/man.log" 2>&1 &&
	for p in "$KBPF_ROOT"/user/build/man/*; do
		groff -man -ww -z "$p" 2>&1 | sed "s|^|$(basename "$p"): |"
	done >>"$out/man.log" 2>&1
[ -e "$KBPF_ROOT/user/build/man/kbpftool.8" ] && [ ! -s "$out/man.log" ]
record $? "man pages kbpftool(8) and abpf(3) build from docs/man/ and render without groff warnings" "$out/man.log"
"$KBPF_ROOT/scripts/man-check.sh" >"$out/man-check.log" 2>&1
record $? "kbpftool(8) documents every object and command kbpftool dispatches" "$out/man-check.log"
end_group

# --- install: DKMS against both header trees, make install/uninstall
begin_group install
log "install: DKMS builds, make install DESTDIR"
"$KBPF_ROOT/scripts/install-check.sh" >"$out/install.log" 2>&1
record $? "install-check.sh ran to completion" "$out/install.log"
count_results "$out/install.log"
end_group

# --- the stock kernels
for line in 6.1 6.12; do
	rel=$("$KBPF_ROOT/scripts/stock-kernel.sh" "$line" release 2>/dev/null) || rel=
	begin_group "${rel:-Debian $line}"
	log "$group: build, boot, test"
	dir=$out/$line
	mkdir -p "$dir"
	image=$("$KBPF_ROOT/scripts/stock-kernel.sh" "$line" image 2>"$dir/image.log")
	record $? "the $line image matching the headers is at hand" "$dir/image.log"
	if [ -n "$rel" ]; then
		build_module "/usr/src/linux-headers-$rel" "$dir" "$rel"
		if [ -n "$image" ] && [ -e "$dir/src/kmod/kbpf.ko" ]; then
			run_guest "$image" "$dir" "" "$dir/src/kmod/kbpf.ko"
		else
			record 1 "the guest boots, runs every test and shuts down (nothing to boot)"
		fi
	fi
	end_group
done

# --- the debug kernel
dir=$out/debug
mkdir -p "$dir"
log "debug kernel: build or reuse"
kdir=$("$KBPF_ROOT/scripts/debug-kernel.sh" 2>"$dir/kernel.log")
st=$?
rel=$(cat "$kdir/include/config/kernel.release" 2>/dev/null)
begin_group "${rel:-debug kernel}"
log "$group (debug): build, boot, KUnit, test, canary"
[ $st = 0 ] && [ -n "$rel" ]
record $? "the debug kernel builds (or comes from the cache)" "$dir/kernel.log"
if [ $st = 0 ]; then
	image=$kdir/arch/x86/boot/bzImage
	build_module "$kdir" "$dir" "$rel (debug)"
	if [ -e "$dir/src/kmod/kbpf.ko" ] && [ -e "$dir/src/kunit/kbpf_kunit.ko" ]; then
		# The sanitizers make every call some ten times slower: the
		# differential test's full 100,000 operations per map type run
		# on the stock kernels, a shorter stretch of the same here.
		run_guest "$image" "$dir" "KBPF_DIFF_OPS=${KBPF_DEBUG_DIFF_OPS:-25000} KBPF_CONC_OPS=1000 KBPF_SOAK_SECONDS=30" \
			"$dir/src/kmod/kbpf.ko" "$dir/src/kunit/kbpf_kunit.ko"
		kunit_results "$dir/vm/console.log" "$dir"
	else
		record 1 "kbpf.ko and kbpf_kunit.ko exist to boot with"
	fi
	canary "$kdir" "$image" "$dir/canary"
fi
end_group

printf '%d passed, %d failed\n' "$total_pass" "$total_fail"
log "make check took $((SECONDS - t0)) s"
[ "$total_fail" = 0 ]
