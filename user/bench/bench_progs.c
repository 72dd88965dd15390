// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Program workloads: hand-built programs run by BPF_PROG_TEST_RUN on kbpf,
 * on the kernel's interpreter (loaded with net.core.bpf_jit_enable=0) and
 * on its JIT; a counting program on raw_syscalls:sys_enter; and records
 * streamed through RINGBUF and perf buffers to a consumer thread.
 *
 * Both kbpf and the kernel refuse `repeat` for the program types kbpf runs
 * (raw_tp and syscall), so the repetition is inside the programs: each
 * runs a bounded loop of thousands of instructions per call, which makes
 * the cost of the call itself a small part of what is measured.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <abpf.h>

#include "bench.h"
#include "../tests/vm/insn.h"

#define MOV32_IMM(d, i)	INSN(BPF_ALU | BPF_MOV | BPF_K, d, 0, 0, i)

static const char jit_sysctl[] = "/proc/sys/net/core/bpf_jit_enable";

/* The JIT switch: its value, or -1 when there is none. */
static int jit_get(void)
{
	FILE *f = fopen(jit_sysctl, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int jit_set(int v)
{
	FILE *f = fopen(jit_sysctl, "w");
	int err;

	if (!f)
		return -errno;
	err = fprintf(f, "%d\n", v) < 0;
	err |= fclose(f) != 0;
	return err ? -EIO : 0;
}

/* A kernel program loaded with the JIT on or off; -1 if that cannot be. */
static int kernel_load(const struct bpf_insn *insns, uint32_t n, bool jit,
		       bool *jited)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int old = jit_get(), fd;

	*jited = false;
	if (old < 0 || jit_set(jit ? 1 : 0))
		return -1;
	fd = bench_prog_load(SIDE_KERNEL, BPF_PROG_TYPE_RAW_TRACEPOINT, insns, n);
	jit_set(old);
	memset(&info, 0, sizeof(info));
	if (fd >= 0 && !bpf_prog_get_info_by_fd(fd, &info, &len))
		*jited = info.jited_prog_len > 0;
	return fd;
}

/* ---- program execution ---- */

static long calls_per_rep(void)
{
	return bench_scale(100, 30, 2);
}

static double run_rate(int side, int fd, long calls, struct bench_row *row)
{
	uint64_t arg = 1, t = bench_now();
	long i;

	for (i = 0; i < calls; i++) {
		if (bench_test_run(side, fd, &arg, sizeof(arg), NULL)) {
			bench_fail(row, "%s test run: %s", bench_side_name[side],
				   strerror(errno));
			return 0;
		}
	}
	return calls / ((bench_now() - t) / 1e9);
}

/*
 * @name: @kinsns on kbpf, @insns on the kernel (the same program but for
 * the map fds in its ld_imm64s), each @n long, each returning @want_ret.
 */
static void prog_bench(const char *name, const struct bpf_insn *kinsns,
		       const struct bpf_insn *insns, uint32_t n, uint32_t want_ret)
{
	struct bench_row *interp, *jit;
	int kfd, ifd, jfd, r;
	bool is_jit, i_jit;
	uint64_t arg = 1;
	uint32_t ret[3] = { 0 };
	char rname[64];

	bench_progress("prog: %s", name);
	snprintf(rname, sizeof(rname), "%s", name);
	interp = bench_row("prog", rname, "runs/s", "kbpf", "kernel-interp", true, 0.8);
	jit = bench_row("prog", rname, "runs/s", "kbpf", "kernel-jit", true, 0);
	if (!interp || !jit)
		return;
	kfd = bench_prog_load(SIDE_KBPF, BPF_PROG_TYPE_RAW_TRACEPOINT, kinsns, n);
	ifd = kernel_load(insns, n, false, &i_jit);
	jfd = kernel_load(insns, n, true, &is_jit);
	if (kfd < 0)
		bench_fail(interp, "kbpf load: %s", strerror(errno));
	if (ifd < 0 || i_jit)
		bench_fail(interp, "no interpreted kernel program (jit sysctl %d)", jit_get());
	if (jfd < 0 || !is_jit)
		bench_fail(jit, "no JIT-compiled kernel program (jit sysctl %d)", jit_get());
	if (kfd >= 0)
		bench_test_run(SIDE_KBPF, kfd, &arg, sizeof(arg), &ret[0]);
	if (ifd >= 0)
		bench_test_run(SIDE_KERNEL, ifd, &arg, sizeof(arg), &ret[1]);
	if (jfd >= 0)
		bench_test_run(SIDE_KERNEL, jfd, &arg, sizeof(arg), &ret[2]);
	if (kfd >= 0 && ret[0] != want_ret)
		bench_fail(interp, "kbpf returned %u, not %u", ret[0], want_ret);
	if (ifd >= 0 && ret[1] != want_ret)
		bench_fail(interp, "kernel returned %u, not %u", ret[1], want_ret);
	for (r = 0; r < bench_cfg.reps && kfd >= 0; r++) {
		interp->a[r] = jit->a[r] = run_rate(SIDE_KBPF, kfd, calls_per_rep(), interp);
		if (ifd >= 0)
			interp->b[r] = run_rate(SIDE_KERNEL, ifd, calls_per_rep(), interp);
		if (jfd >= 0)
			jit->b[r] = run_rate(SIDE_KERNEL, jfd, calls_per_rep(), jit);
	}
	interp->n = jit->n = r;
	snprintf(interp->note, sizeof(interp->note), "%u insns, returns %u", n, want_ret);
	if (kfd >= 0)
		close(kfd);
	if (ifd >= 0)
		close(ifd);
	if (jfd >= 0)
		close(jfd);
}

/* What alu_loop computes, for checking both sides ran it all. */
static uint32_t alu_expect(int k)
{
	uint64_t r0 = 0, r2 = 0x12345, r3;
	int r1;

	for (r1 = 0; r1 < k; r1++) {
		r0 += r1;
		r0 ^= r2;
		r3 = r0 >> 3;
		r0 += r3;
		r0 *= 3;
		r2 += 7;
	}
	return (uint32_t)r0;
}

void bench_group_prog(void)
{
	const int k = 4000, km = 256;
	struct bpf_insn alu[] = {
		MOV64_IMM(0, 0), MOV64_IMM(1, 0), MOV64_IMM(2, 0x12345),
		/* 3: loop */
		ALU64_REG(BPF_ADD, 0, 1),
		ALU64_REG(BPF_XOR, 0, 2),
		MOV64_REG(3, 0),
		ALU64_IMM(BPF_RSH, 3, 3),
		ALU64_REG(BPF_ADD, 0, 3),
		ALU64_IMM(BPF_MUL, 0, 3),
		ALU64_IMM(BPF_ADD, 2, 7),
		ALU64_IMM(BPF_ADD, 1, 1),
		JMP_IMM(BPF_JLT, 1, k, -9),
		EXIT(),
	};
	struct bpf_insn stack[] = {
		MOV64_IMM(1, 0), MOV64_IMM(0, 0),
		/* 2: loop */
		STX(BPF_DW, 10, 1, -8),
		LDX(BPF_DW, 2, 10, -8),
		STX(BPF_W, 10, 2, -16),
		LDX(BPF_W, 3, 10, -16),
		STX(BPF_B, 10, 3, -24),
		LDX(BPF_B, 4, 10, -24),
		ALU64_REG(BPF_ADD, 0, 4),
		ALU64_IMM(BPF_ADD, 1, 1),
		JMP_IMM(BPF_JLT, 1, k, -9),
		EXIT(),
	};
	int side, mfd[2] = { -1, -1 };
	uint32_t stack_ret = 0;
	int i;

	for (i = 0; i < k; i++)
		stack_ret += (uint8_t)i;
	prog_bench("alu-loop", alu, alu, NR(alu), alu_expect(k));
	prog_bench("stack-loop", stack, stack, NR(stack), stack_ret);

	for (side = 0; side < 2; side++)
		mfd[side] = bench_map_create(side, BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
	if (mfd[0] >= 0 && mfd[1] >= 0) {
		/* the same instructions, each side's map in its ld_imm64 */
		struct bpf_insn map[2][16];

		for (side = 0; side < 2; side++) {
			struct bpf_insn p[] = {
				MOV64_IMM(6, 0),
				ST(BPF_W, 10, -4, 0),
				/* 2: loop */
				LD_MAP(1, mfd[side]),
				MOV64_REG(2, 10),
				ALU64_IMM(BPF_ADD, 2, -4),
				CALL(BPF_FUNC_map_lookup_elem),
				JMP_IMM(BPF_JEQ, 0, 0, 2),
				MOV64_IMM(1, 1),
				ATOMIC_ADD64(0, 1, 0),
				ALU64_IMM(BPF_ADD, 6, 1),
				JMP_IMM(BPF_JLT, 6, km, -11),
				MOV64_REG(0, 6),
				EXIT(),
			};

			memcpy(map[side], p, sizeof(p));
		}
		prog_bench("map-lookup-loop", map[0], map[1], 14, km);
	}
	for (side = 0; side < 2; side++)
		if (mfd[side] >= 0)
			close(mfd[side]);
}

/* ---- events: a counting program on raw_syscalls:sys_enter ---- */

static uint64_t percpu_sum(int side, int fd)
{
	uint64_t v[256] = { 0 }, sum = 0;
	union bpf_attr a;
	uint32_t key = 0;
	int i, n = bench_ncpus();

	if (n > 256)
		return 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)v;
	if (bench_bpf(side, BPF_MAP_LOOKUP_ELEM, &a))
		return 0;
	for (i = 0; i < n; i++)
		sum += v[i];
	return sum;
}

/* ns per getppid() with @prog (of @side) on sys_enter, none if @prog < 0. */
static double syscall_ns(int side, int prog, long n, struct bench_row *row)
{
	union bpf_attr a;
	uint64_t t;
	int link = -1;
	long i;

	if (prog >= 0) {
		memset(&a, 0, sizeof(a));
		a.raw_tracepoint.name = (uintptr_t)"sys_enter";
		a.raw_tracepoint.prog_fd = prog;
		link = (int)bench_bpf(side, BPF_RAW_TRACEPOINT_OPEN, &a);
		if (link < 0) {
			bench_fail(row, "%s attach: %s", bench_side_name[side], strerror(errno));
			return 0;
		}
	}
	t = bench_now();
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	t = bench_now() - t;
	if (link >= 0)
		close(link);
	return (double)t / n;
}

/*
 * @empty: a program that only returns, for the cost of running one at
 * all; else one counting the event in a PERCPU_ARRAY.
 */
static void events_bench(bool empty)
{
	const char *name = empty ? "sys_enter/empty" : "sys_enter/count";
	long n = bench_scale(100000, 20000, 500);
	struct bench_row *jit, *interp;
	int mfd[2], pfd[3] = { -1, -1, -1 }, side, r;
	uint64_t before[3], counted[3] = { 0 };
	bool jited[2];

	jit = bench_row("events", name, "ns/event", "kbpf", "kernel-jit", false,
			empty ? 0 : 1.5);
	interp = bench_row("events", name, "ns/event", "kbpf", "kernel-interp", false, 0);
	if (!jit || !interp)
		return;
	bench_progress("events: %s", name);
	for (side = 0; side < 2; side++)
		mfd[side] = bench_map_create(side, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
	if (mfd[0] < 0 || mfd[1] < 0) {
		bench_fail(jit, "map create: %s", strerror(errno));
		goto out;
	}
	for (side = 0; side < 2; side++) {
		struct bpf_insn p[] = {
			ST(BPF_W, 10, -4, 0),
			LD_MAP(1, mfd[side]),
			MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
			CALL(BPF_FUNC_map_lookup_elem),
			JMP_IMM(BPF_JEQ, 0, 0, 3),
			LDX(BPF_DW, 1, 0, 0), ALU64_IMM(BPF_ADD, 1, 1),
			STX(BPF_DW, 0, 1, 0),
			MOV64_IMM(0, 0), EXIT(),
		};
		const struct bpf_insn *insns = empty ? p + NR(p) - 2 : p;
		uint32_t len = empty ? 2 : NR(p);

		if (side == SIDE_KBPF) {
			pfd[0] = bench_prog_load(SIDE_KBPF, BPF_PROG_TYPE_RAW_TRACEPOINT,
						 insns, len);
		} else {
			pfd[1] = kernel_load(insns, len, true, &jited[1]);
			pfd[2] = kernel_load(insns, len, false, &jited[0]);
		}
	}
	if (pfd[0] < 0 || pfd[1] < 0 || !jited[1])
		bench_fail(jit, "load: kbpf %d, kernel jit %d (%s)", pfd[0], pfd[1],
			   strerror(errno));
	if (pfd[2] < 0 || jited[0])
		bench_fail(interp, "no interpreted kernel program");
	for (r = 0; r < bench_cfg.reps && !jit->failed; r++) {
		double bare, k, j, i = 0;

		before[0] = percpu_sum(SIDE_KBPF, mfd[0]);
		before[1] = before[2] = percpu_sum(SIDE_KERNEL, mfd[1]);
		bare = syscall_ns(SIDE_KERNEL, -1, n, jit);
		k = syscall_ns(SIDE_KBPF, pfd[0], n, jit);
		counted[0] += percpu_sum(SIDE_KBPF, mfd[0]) - before[0];
		j = syscall_ns(SIDE_KERNEL, pfd[1], n, jit);
		counted[1] += percpu_sum(SIDE_KERNEL, mfd[1]) - before[1];
		if (pfd[2] >= 0 && !jited[0]) {
			before[2] = percpu_sum(SIDE_KERNEL, mfd[1]);
			i = syscall_ns(SIDE_KERNEL, pfd[2], n, interp);
			counted[2] += percpu_sum(SIDE_KERNEL, mfd[1]) - before[2];
		}
		jit->a[r] = interp->a[r] = k - bare;
		jit->b[r] = j - bare;
		interp->b[r] = i - bare;
	}
	jit->n = interp->n = r;
	if (empty)
		snprintf(jit->note, sizeof(jit->note), "added ns over bare getppid");
	else if (counted[0] < (uint64_t)n * r || counted[1] < (uint64_t)n * r)
		bench_fail(jit, "events counted: kbpf %llu, kernel %llu, of %ld calls",
			   (unsigned long long)counted[0], (unsigned long long)counted[1],
			   n * r);
	else
		snprintf(jit->note, sizeof(jit->note),
			 "added ns over bare getppid; counted kbpf %llu kernel %llu of %ld calls",
			 (unsigned long long)counted[0], (unsigned long long)counted[1], n * r);
out:
	for (side = 0; side < 3; side++)
		if (pfd[side] >= 0)
			close(pfd[side]);
	for (side = 0; side < 2; side++)
		if (mfd[side] >= 0)
			close(mfd[side]);
}

void bench_group_events(void)
{
	events_bench(true);
	events_bench(false);
}

/* ---- streaming: RINGBUF and perf buffers to a consumer thread ---- */

#define STREAM_RECORD	64
#define STREAM_BURST	64	/* records per program run */

struct stream {
	int side;
	bool perf;
	struct abpf_ringbuf *rb;
	struct abpf_perfbuf *pb;
	atomic_bool done;
	atomic_ulong consumed, lost_reported;
	unsigned long bad;
	unsigned long irq_works;	/* irq_work interrupts during its runs */
};

static int on_ring(void *ctx, void *data, size_t size)
{
	struct stream *s = ctx;

	if (size != STREAM_RECORD || *(uint64_t *)data != 0x5eed)
		s->bad++;
	atomic_fetch_add_explicit(&s->consumed, 1, memory_order_relaxed);
	return 0;
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct stream *s = ctx;

	(void)cpu;
	/* perf pads raw samples to 8 bytes after a 4-byte size */
	if (size < STREAM_RECORD || *(uint64_t *)data != 0x5eed)
		s->bad++;
	atomic_fetch_add_explicit(&s->consumed, 1, memory_order_relaxed);
}

static void on_lost(void *ctx, int cpu, __u64 lost)
{
	struct stream *s = ctx;

	(void)cpu;
	atomic_fetch_add(&s->lost_reported, lost);
}

/*
 * irq_work interrupts so far, all CPUs (the IWI line of /proc/interrupts):
 * a ring buffer's or perf buffer's wakeups raise them.  0 if unknown.
 */
static unsigned long irq_work_interrupts(void)
{
	unsigned long sum = 0, n;
	char line[4096], *p, *end;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (strncmp(p, "IWI:", 4))
			continue;
		for (p += 4;; p = end) {
			n = strtoul(p, &end, 10);
			if (end == p)
				break;
			sum += n;
		}
		break;
	}
	fclose(f);
	return sum;
}

static size_t stream_consume(struct stream *s)
{
	size_t n = 0;

	if (s->perf)
		abpf_perfbuf_consume(s->pb, &n);
	else
		abpf_ringbuf_consume(s->rb, &n);
	return n;
}

static void *consumer(void *p)
{
	struct stream *s = p;

	while (!atomic_load(&s->done))
		stream_consume(s);
	while (stream_consume(s))
		;
	return NULL;
}

/* One repetition: @runs program runs; records/s and what was lost. */
static double stream_rep(struct stream *s, int prog, long runs, unsigned long *failed,
			 long *unaccounted, struct bench_row *row)
{
	uint64_t arg = 1, t;
	unsigned long fails = 0, before = atomic_load(&s->consumed);
	unsigned long rep_lost = atomic_load(&s->lost_reported);
	unsigned long iwi = irq_work_interrupts();
	uint32_t ret;
	pthread_t tid;
	long i;

	atomic_store(&s->done, false);
	if (pthread_create(&tid, NULL, consumer, s)) {
		bench_fail(row, "consumer thread");
		return 0;
	}
	t = bench_now();
	for (i = 0; i < runs; i++) {
		if (bench_test_run(s->side, prog, &arg, sizeof(arg), &ret)) {
			bench_fail(row, "%s run: %s", bench_side_name[s->side], strerror(errno));
			break;
		}
		fails += ret;
	}
	atomic_store(&s->done, true);
	pthread_join(tid, NULL);
	t = bench_now() - t;
	s->irq_works += irq_work_interrupts() - iwi;
	*failed += fails;
	*unaccounted += (long)(i * STREAM_BURST) - (long)fails -
			(long)(atomic_load(&s->consumed) - before);
	(void)rep_lost;
	return (atomic_load(&s->consumed) - before) / (t / 1e9);
}

static double per_thousand(unsigned long n, unsigned long of)
{
	return of ? 1000.0 * n / of : 0;
}

static void stream_bench(bool perf)
{
	long runs = bench_scale(3000, 600, 16);
	struct stream s[2] = { { .side = SIDE_KBPF, .perf = perf },
			       { .side = SIDE_KERNEL, .perf = perf } };
	struct abpf_map *map[2] = { NULL, NULL };
	struct abpf *h[2] = { NULL, NULL };
	unsigned long failed[2] = { 0 };
	long unacc[2] = { 0 };
	int prog[2] = { -1, -1 }, side, r;
	uint32_t ncpu = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN);
	struct bench_row *row;
	char name[64];

	snprintf(name, sizeof(name), "%s/%dB-records", perf ? "PERF" : "RINGBUF",
		 STREAM_RECORD);
	row = bench_row("stream", name, "records/s", "kbpf", "kernel", true, 0.9);
	if (!row)
		return;
	bench_progress("stream: %s", name);
	for (side = 0; side < 2; side++) {
		abpf_errno e = abpf_open(bench_sys(side), NULL, &h[side]);

		if (abpf_ok(e))
			e = perf ? abpf_map_create(h[side], BPF_MAP_TYPE_PERF_EVENT_ARRAY, NULL,
						   4, 4, ncpu, NULL, &map[side])
				 : abpf_map_create(h[side], BPF_MAP_TYPE_RINGBUF, NULL, 0, 0,
						   1 << 18, NULL, &map[side]);
		if (abpf_ok(e))
			e = perf ? abpf_perfbuf_new(map[side], 64, on_sample, on_lost, &s[side],
						    NULL, &s[side].pb)
				 : abpf_ringbuf_new(map[side], on_ring, &s[side], NULL,
						    &s[side].rb);
		if (!abpf_ok(e)) {
			bench_fail(row, "%s setup: %s", bench_side_name[side], abpf_strerror(e));
			goto out;
		}
	}
	for (side = 0; side < 2; side++) {
		int fd = abpf_map_fd(map[side]);
		struct bpf_insn ring[] = {
			MOV64_IMM(6, 0), MOV64_IMM(7, 0),
			LD_IMM64(1, 0x5eed),
			STX(BPF_DW, 10, 1, -64), ST(BPF_DW, 10, -56, 0), ST(BPF_DW, 10, -48, 0),
			ST(BPF_DW, 10, -40, 0), ST(BPF_DW, 10, -32, 0), ST(BPF_DW, 10, -24, 0),
			ST(BPF_DW, 10, -16, 0), ST(BPF_DW, 10, -8, 0),
			/* 12: loop */
			LD_MAP(1, fd),
			MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -64),
			MOV64_IMM(3, STREAM_RECORD), MOV64_IMM(4, 0),
			CALL(BPF_FUNC_ringbuf_output),
			JMP_IMM(BPF_JEQ, 0, 0, 1),
			ALU64_IMM(BPF_ADD, 7, 1),
			ALU64_IMM(BPF_ADD, 6, 1),
			JMP_IMM(BPF_JLT, 6, STREAM_BURST, -11),
			MOV64_REG(0, 7), EXIT(),
		};
		struct bpf_insn pea[] = {
			MOV64_REG(8, 1), MOV64_IMM(6, 0), MOV64_IMM(7, 0),
			LD_IMM64(1, 0x5eed),
			STX(BPF_DW, 10, 1, -64), ST(BPF_DW, 10, -56, 0), ST(BPF_DW, 10, -48, 0),
			ST(BPF_DW, 10, -40, 0), ST(BPF_DW, 10, -32, 0), ST(BPF_DW, 10, -24, 0),
			ST(BPF_DW, 10, -16, 0), ST(BPF_DW, 10, -8, 0),
			/* 13: loop */
			MOV64_REG(1, 8),
			LD_MAP(2, fd),
			MOV32_IMM(3, -1),	/* BPF_F_CURRENT_CPU */
			MOV64_REG(4, 10), ALU64_IMM(BPF_ADD, 4, -64),
			MOV64_IMM(5, STREAM_RECORD),
			CALL(BPF_FUNC_perf_event_output),
			JMP_IMM(BPF_JEQ, 0, 0, 1),
			ALU64_IMM(BPF_ADD, 7, 1),
			ALU64_IMM(BPF_ADD, 6, 1),
			JMP_IMM(BPF_JLT, 6, STREAM_BURST, -12),
			MOV64_REG(0, 7), EXIT(),
		};

		prog[side] = bench_prog_load(side, BPF_PROG_TYPE_RAW_TRACEPOINT,
					     perf ? pea : ring, perf ? NR(pea) : NR(ring));
		if (prog[side] < 0) {
			bench_fail(row, "%s load: %s", bench_side_name[side], strerror(errno));
			goto out;
		}
	}
	for (r = 0; r < bench_cfg.reps && !row->failed; r++) {
		row->a[r] = stream_rep(&s[0], prog[0], runs, &failed[0], &unacc[0], row);
		row->b[r] = stream_rep(&s[1], prog[1], runs, &failed[1], &unacc[1], row);
	}
	row->n = r;
	snprintf(row->note, sizeof(row->note),
		 "lost kbpf %lu kernel %lu (reported %lu/%lu); unaccounted %ld/%ld; bad %lu/%lu; "
		 "irq_work per 1000 records %.1f/%.1f",
		 failed[0], failed[1], atomic_load(&s[0].lost_reported),
		 atomic_load(&s[1].lost_reported), unacc[0], unacc[1], s[0].bad, s[1].bad,
		 per_thousand(s[0].irq_works, atomic_load(&s[0].consumed)),
		 per_thousand(s[1].irq_works, atomic_load(&s[1].consumed)));
	if (unacc[0] || unacc[1] || s[0].bad || s[1].bad)
		row->failed = true;
out:
	for (side = 0; side < 2; side++) {
		if (prog[side] >= 0)
			close(prog[side]);
		if (s[side].rb)
			abpf_ringbuf_free(s[side].rb);
		if (s[side].pb)
			abpf_perfbuf_free(s[side].pb);
		if (map[side])
			abpf_map_close(map[side]);
		if (h[side])
			abpf_unref(h[side]);
	}
}

void bench_group_stream(void)
{
	stream_bench(false);
	stream_bench(true);
}
