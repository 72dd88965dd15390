// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The benchmarks' common part: the table of rows, statistics, output, and
 * thin wrappers of bpf(2) over either backend's table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <abpf.h>

#include "bench.h"

struct bench_cfg bench_cfg = { .size = BENCH_FULL, .reps = 5 };
struct bench_row bench_rows[BENCH_MAX_ROWS];
int bench_nrows;
const char *const bench_side_name[2] = { "kbpf", "kernel" };

struct bench_row *bench_row(const char *group, const char *name,
			    const char *unit, const char *a_name,
			    const char *b_name, bool higher_better, double goal)
{
	struct bench_row *r;

	if (bench_nrows >= BENCH_MAX_ROWS)
		return NULL;
	r = &bench_rows[bench_nrows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->group, sizeof(r->group), "%s", group);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	snprintf(r->a_name, sizeof(r->a_name), "%s", a_name);
	snprintf(r->b_name, sizeof(r->b_name), "%s", b_name);
	r->higher_better = higher_better;
	r->goal = goal;
	return r;
}

void bench_fail(struct bench_row *row, const char *fmt, ...)
{
	va_list ap;
	char msg[96];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (row) {
		if (!row->failed)
			snprintf(row->note, sizeof(row->note), "FAILED: %s", msg);
		row->failed = true;
	}
	fprintf(stderr, "bench: %s: %s\n", row ? row->name : "?", msg);
}

void bench_progress(const char *fmt, ...)
{
	va_list ap;

	if (bench_cfg.quiet)
		return;
	va_start(ap, fmt);
	fputs("# ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(const double *v, int n)
{
	double s[BENCH_MAX_REPS];

	if (n <= 0)
		return 0;
	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void min_max(const double *v, int n, double *lo, double *hi)
{
	int i;

	*lo = *hi = n ? v[0] : 0;
	for (i = 1; i < n; i++) {
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
}

double bench_row_ratio(const struct bench_row *row)
{
	double b = bench_median(row->b, row->n);

	return b > 0 ? bench_median(row->a, row->n) / b : 0;
}

/* The ratio of each repetition's pair (A_i / B_i): its lowest and highest. */
void bench_row_ratio_spread(const struct bench_row *row, double *lo, double *hi)
{
	double r[BENCH_MAX_REPS] = { 0 };
	int i;

	for (i = 0; i < row->n; i++)
		r[i] = row->b[i] > 0 ? row->a[i] / row->b[i] : 0;
	min_max(r, row->n, lo, hi);
}

static const char *verdict(const struct bench_row *r, double ratio)
{
	if (r->failed || !r->n)
		return "FAILED";
	if (!(bench_median(r->b, r->n) > 0))
		return "n/a";	/* no reference figure to divide by */
	if (!r->goal)
		return "-";
	if (r->higher_better)
		return ratio >= r->goal ? "met" : "MISSED";
	return ratio <= r->goal ? "met" : "MISSED";
}

void bench_print(void)
{
	int i;

	printf("%-7s %-34s %-11s %12s %12s %-14s %7s %15s %7s %s\n", "group", "workload",
	       "unit", "kbpf", "reference", "(which)", "ratio", "ratio min-max", "goal",
	       "verdict");
	for (i = 0; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];
		double ratio = bench_row_ratio(r), lo, hi;
		char goal[16] = "-";

		bench_row_ratio_spread(r, &lo, &hi);
		if (r->goal)
			snprintf(goal, sizeof(goal), "%s%.2f", r->higher_better ? ">=" : "<=",
				 r->goal);
		printf("%-7s %-34s %-11s %12.5g %12.5g %-14s %7.3f %7.3f-%-7.3f %7s %s%s%s\n",
		       r->group, r->name, r->unit, bench_median(r->a, r->n),
		       bench_median(r->b, r->n), r->b_name, ratio, lo, hi, goal,
		       verdict(r, ratio), r->note[0] ? "  # " : "", r->note);
	}
	printf("CSV,group,workload,unit,a,a_median,a_min,a_max,b,b_median,b_min,b_max,"
	       "ratio,ratio_min,ratio_max,goal,better,verdict,reps,note\n");
	for (i = 0; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];
		double ratio = bench_row_ratio(r), lo, hi, alo, ahi, blo, bhi;

		bench_row_ratio_spread(r, &lo, &hi);
		min_max(r->a, r->n, &alo, &ahi);
		min_max(r->b, r->n, &blo, &bhi);
		printf("CSV,%s,%s,%s,%s,%.6g,%.6g,%.6g,%s,%.6g,%.6g,%.6g,%.4f,%.4f,%.4f,"
		       "%.4g,%s,%s,%d,\"%s\"\n", r->group, r->name, r->unit, r->a_name,
		       bench_median(r->a, r->n), alo, ahi, r->b_name,
		       bench_median(r->b, r->n), blo, bhi, ratio, lo, hi, r->goal,
		       r->higher_better ? "higher" : "lower", verdict(r, ratio), r->n,
		       r->note);
	}
	fflush(stdout);
}

uint64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Busy time of all CPUs so far, in USER_HZ ticks, from /proc/stat. */
static unsigned long long busy_ticks(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return 0;
	/* cpu user nice system idle iowait irq softirq steal */
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 3)
		return 0;
	return v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
}

void bench_settle(void)
{
	unsigned long long prev = busy_ticks(), cur;
	int i;

	for (i = 0; i < 20; i++) {
		usleep(100000);
		cur = busy_ticks();
		if (cur - prev <= 1)
			return;
		prev = cur;
	}
}

const struct abpf_sys *bench_sys(int side)
{
	return side == SIDE_KBPF ? abpf_sys_kbpf() : abpf_sys_libc();
}

long bench_bpf(int side, int cmd, union bpf_attr *attr)
{
	return bench_sys(side)->bpf(cmd, attr, sizeof(*attr));
}

int bench_map_create(int side, uint32_t type, uint32_t key_size,
		     uint32_t value_size, uint32_t max_entries, uint32_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key_size;
	a.value_size = value_size;
	a.max_entries = max_entries;
	a.map_flags = flags;
	return (int)bench_bpf(side, BPF_MAP_CREATE, &a);
}

int bench_prog_load(int side, uint32_t type, const struct bpf_insn *insns,
		    uint32_t n)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uintptr_t)"GPL";
	return (int)bench_bpf(side, BPF_PROG_LOAD, &a);
}

int bench_test_run(int side, int prog_fd, void *ctx, uint32_t ctx_size,
		   uint32_t *retval)
{
	union bpf_attr a;
	int err;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = prog_fd;
	a.test.ctx_in = (uintptr_t)ctx;
	a.test.ctx_size_in = ctx_size;
	err = (int)bench_bpf(side, BPF_PROG_TEST_RUN, &a);
	if (!err && retval)
		*retval = a.test.retval;
	return err;
}

int bench_ncpus(void)
{
	static int n;
	unsigned int cpus;
	struct abpf *h;

	if (n)
		return n;
	n = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (abpf_ok(abpf_open(abpf_sys_libc(), NULL, &h))) {
		if (abpf_ok(abpf_num_possible_cpus(h, &cpus)))
			n = (int)cpus;
		abpf_unref(h);
	}
	return n;
}

long bench_scale(long full, long small, long tiny)
{
	switch (bench_cfg.size) {
	case BENCH_TINY:
		return tiny;
	case BENCH_SMALL:
		return small;
	default:
		return full;
	}
}

const struct bench_group bench_groups[] = {
	{ "null", bench_group_null },
	{ "maps", bench_group_maps },
	{ "batch", bench_group_batch },
	{ "iter", bench_group_iter },
	{ "memory", bench_group_memory },
	{ "scaling", bench_group_scaling },
	{ "prog", bench_group_prog },
	{ "events", bench_group_events },
	{ "stream", bench_group_stream },
};
const int bench_ngroups = sizeof(bench_groups) / sizeof(bench_groups[0]);

int bench_run_all(void)
{
	int before = bench_nrows, i;
	uint64_t t;

	for (i = 0; i < bench_ngroups; i++) {
		if (bench_cfg.only && !strstr(bench_cfg.only, bench_groups[i].name))
			continue;
		bench_settle();
		t = bench_now();
		bench_progress("group %s", bench_groups[i].name);
		bench_groups[i].fn();
		bench_progress("group %s took %.1f s", bench_groups[i].name,
			       (bench_now() - t) / 1e9);
	}
	return bench_nrows - before;
}
