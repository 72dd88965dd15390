// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The benchmarks (user/bench/, run by make bench) at tiny size, so that
 * make check keeps them building and working: every group runs its code
 * paths on kbpf and on bpf(2), and each row must come out measured, with
 * positive, finite figures that fit what was run.  No time is asserted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "bench.h"

static int first_row;

/* Run @group; every row it added must hold figures. */
static int run_group(const char *group)
{
	int i, n;

	first_row = bench_nrows;
	bench_cfg.only = group;
	n = bench_run_all();
	for (i = first_row; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];
		bool signed_figures = !strcmp(r->unit, "ns/event");
		int k;

		if (r->failed) {
			tap_fail("%s %s vs %s: %s", r->group, r->name, r->b_name, r->note);
			continue;
		}
		if (r->n != (strcmp(r->group, "memory") ? bench_cfg.reps : 1))
			tap_fail("%s: %d repetitions measured", r->name, r->n);
		for (k = 0; k < r->n; k++) {
			if (!isfinite(r->a[k]) || !isfinite(r->b[k]) ||
			    (!signed_figures && (r->a[k] <= 0 || r->b[k] <= 0)))
				tap_fail("%s vs %s, repetition %d: %g and %g", r->name,
					 r->b_name, k, r->a[k], r->b[k]);
		}
		if (!signed_figures && !(bench_row_ratio(r) > 0))
			tap_fail("%s: ratio %g", r->name, bench_row_ratio(r));
	}
	return n;
}

static void null_baselines(void)
{
	EXPECT_EQ(run_group("null"), 2);
}

/* 5 hash-like types x 3 shapes x 4 operations, arrays without delete. */
static void single_element_ops_every_type_and_shape(void)
{
	EXPECT_EQ(run_group("maps"), 2 * 3 * 3 + 3 * 3 * 4 + 2 * 3);
}

static void batch_against_kernel_and_single(void)
{
	EXPECT_EQ(run_group("batch"), 3 * (3 + 2));
}

static void full_walk_visits_every_key(void)
{
	EXPECT_EQ(run_group("iter"), 1);
}

/* A map holds at least its values: bytes per entry >= value bytes. */
static void memory_per_entry_holds_the_values(void)
{
	int i, ncpus = bench_ncpus();

	EXPECT_EQ(run_group("memory"), 9);
	for (i = first_row; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];
		double floor = strstr(r->name, "PERCPU") ? 8.0 * ncpus : 8.0;

		if (r->n && (r->a[0] < floor || r->b[0] < floor))
			tap_fail("%s: kbpf %g, kernel %g bytes/entry, below %g", r->name,
				 r->a[0], r->b[0], floor);
	}
}

static void scaling_one_two_four_threads(void)
{
	EXPECT_EQ(run_group("scaling"), 2 * 3);
}

static void programs_kbpf_interpreter_and_jit(void)
{
	EXPECT_EQ(run_group("prog"), 3 * 2);
}

static void events_counted_on_sys_enter(void)
{
	EXPECT_EQ(run_group("events"), 4);
}

static void streams_lose_nothing_unaccounted(void)
{
	EXPECT_EQ(run_group("stream"), 2);
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ "bench smoke: null-ioctl and null-syscall baselines", null_baselines },
		{ "bench smoke: single-element ops on every map type and shape, both backends",
		  single_element_ops_every_type_and_shape },
		{ "bench smoke: batch calls against the kernel's and against single calls",
		  batch_against_kernel_and_single },
		{ "bench smoke: a full get_next_key+lookup walk of a HASH visits every key",
		  full_walk_visits_every_key },
		{ "bench smoke: memory per entry of every map type, at least its values",
		  memory_per_entry_holds_the_values },
		{ "bench smoke: 1, 2 and 4 threads updating HASH and PERCPU_HASH",
		  scaling_one_two_four_threads },
		{ "bench smoke: programs on kbpf, the kernel interpreter and its JIT return the same",
		  programs_kbpf_interpreter_and_jit },
		{ "bench smoke: sys_enter events counted by kbpf and kernel programs",
		  events_counted_on_sys_enter },
		{ "bench smoke: RINGBUF and perf records consumed or counted lost",
		  streams_lose_nothing_unaccounted },
	};

	bench_cfg.size = BENCH_TINY;
	bench_cfg.reps = 2;
	bench_cfg.quiet = true;
	unsetenv("ABPF_BACKEND");	/* the benchmarks pick each side's */
	tap_run(tests, TAP_COUNT(tests), "");
	return tap_done();
}
