/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * kbpf's benchmarks: the same work on kbpf (/dev/kbpf) and on the
 * kernel's bpf(2), through libabpf, measured in turns (A B A B ...) in
 * one process, so that both sides see the same machine at the same time.
 *
 * A workload fills one or more rows.  A row has a metric (ops/s, ns or
 * bytes per entry), one value per repetition for side A (kbpf) and side B
 * (the reference: the kernel, the kernel's JIT, or kbpf's own single
 * calls), and a goal on the ratio A/B: "higher is better" rows want
 * ratio >= goal, the others ratio <= goal.
 */
#ifndef KBPF_BENCH_H
#define KBPF_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include <abpf/abpf.h>
#include <abpf/bpf.h>

#define BENCH_MAX_REPS	32
#define BENCH_MAX_ROWS	512

enum bench_size {
	BENCH_TINY,	/* make check: every path once, in seconds */
	BENCH_SMALL,	/* a quick look: full shapes, fewer operations */
	BENCH_FULL,	/* the sizes: 1,000,000 entries */
};

struct bench_cfg {
	enum bench_size size;
	int reps;		/* repetitions per side */
	const char *only;	/* run only the groups whose name has this */
	bool quiet;		/* no progress lines on stderr */
};

extern struct bench_cfg bench_cfg;

struct bench_row {
	char group[16];		/* maps, batch, iter, prog, events, ... */
	char name[64];		/* what ran, e.g. "HASH/16x8x8/lookup" */
	char unit[16];		/* ops/s, runs/s, ns/event, bytes/entry */
	char a_name[16], b_name[24];
	bool higher_better;
	double goal;		/* on the ratio A/B; 0: none */
	int n;			/* repetitions measured */
	double a[BENCH_MAX_REPS], b[BENCH_MAX_REPS];
	char note[192];		/* counts behind the figures (lost records...) */
	bool failed;		/* a call failed: figures are not to be used */
};

extern struct bench_row bench_rows[BENCH_MAX_ROWS];
extern int bench_nrows;

/* A new row in the table (NULL when the table is full). */
struct bench_row *bench_row(const char *group, const char *name,
			    const char *unit, const char *a_name,
			    const char *b_name, bool higher_better, double goal);
void bench_fail(struct bench_row *row, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Medians and spreads of a row; ratio of the medians. */
double bench_median(const double *v, int n);
double bench_row_ratio(const struct bench_row *row);
void bench_row_ratio_spread(const struct bench_row *row, double *lo, double *hi);

/* Print the table (to stdout) and the CSV lines, each prefixed "CSV,". */
void bench_print(void);

/* Monotonic time in ns. */
uint64_t bench_now(void);

/*
 * Wait (up to 2 s) until the guest is idle for 0.1 s: closed maps are
 * freed after RCU grace periods and in workqueues, on any vCPU, and under
 * TCG every vCPU shares one host thread with the measuring one.
 */
void bench_settle(void);

/* The two backends' tables. */
const struct abpf_sys *bench_sys(int side);
#define SIDE_KBPF	0
#define SIDE_KERNEL	1
extern const char *const bench_side_name[2];

/* bpf(2) through a side's table, with a zeroed attr of full size. */
long bench_bpf(int side, int cmd, union bpf_attr *attr);
int bench_map_create(int side, uint32_t type, uint32_t key_size,
		     uint32_t value_size, uint32_t max_entries, uint32_t flags);
int bench_prog_load(int side, uint32_t type, const struct bpf_insn *insns,
		    uint32_t n);
int bench_test_run(int side, int prog_fd, void *ctx, uint32_t ctx_size,
		   uint32_t *retval);
int bench_ncpus(void);		/* possible CPUs, as per-CPU values count */

/* Scale a count for the size mode: full at BENCH_FULL. */
long bench_scale(long full, long small, long tiny);

/* The groups, each adding its rows. */
void bench_group_null(void);
void bench_group_maps(void);
void bench_group_batch(void);
void bench_group_iter(void);
void bench_group_memory(void);
void bench_group_scaling(void);
void bench_group_prog(void);
void bench_group_events(void);
void bench_group_stream(void);

struct bench_group {
	const char *name;
	void (*fn)(void);
};
extern const struct bench_group bench_groups[];
extern const int bench_ngroups;

/* Run the groups bench_cfg selects; returns the number of rows added. */
int bench_run_all(void);

#endif /* KBPF_BENCH_H */
