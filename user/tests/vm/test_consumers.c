// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libabpf's ring buffer and perf buffer consumers on both backends with
 * one set of expectations: the kernel's maps and perf events, and kbpf's
 * maps and perf buffers (KBPF_IOC_PERF_BUFFER, through abpf_sys_kbpf()'s
 * perf_event_open).  Records come from raw tracepoint programs run with
 * BPF_PROG_TEST_RUN (bpf_ringbuf_output, bpf_perf_event_output on the
 * CPU the run is pinned to).  Setting up, polling an empty consumer and
 * tearing down need no program and run on kbpf now; the data path on kbpf
 * waits for its program runtime ("# SKIP" until then).
 */
#include <sys/epoll.h>
#include <unistd.h>

#include <abpf.h>

#include "shim_vm.h"

static struct abpf *h;		/* the backend under test */
static bool on_kbpf;

static bool progs_here(void)
{
	if (on_kbpf && !kbpf_has_programs()) {
		tap_skip_reason = SKIP_NO_KBPF_PROGRAMS;
		return false;
	}
	return true;
}

static struct abpf_map *new_map(enum bpf_map_type type, __u32 key_size,
				__u32 value_size, __u32 max_entries)
{
	struct abpf_map *map = NULL;

	EXPECT_EQ(abpf_map_create(h, type, NULL, key_size, value_size,
				  max_entries, NULL, &map).no, 0);
	return map;
}

/* A raw tracepoint program writing its first argument to @map. */
static struct abpf_prog *writer(struct abpf_map *map, bool perf)
{
	struct bpf_insn ring[] = {
		LDX(BPF_DW, BPF_REG_6, BPF_REG_1, 0),
		STX(BPF_DW, BPF_REG_10, BPF_REG_6, -8),
		LD_MAP(BPF_REG_1, abpf_map_fd(map)),
		MOV64_REG(BPF_REG_2, BPF_REG_10),
		ALU64_IMM(BPF_ADD, BPF_REG_2, -8),
		MOV64_IMM(BPF_REG_3, 8),
		MOV64_IMM(BPF_REG_4, 0),
		CALL(BPF_FUNC_ringbuf_output),
		MOV64_IMM(BPF_REG_0, 0),
		EXIT(),
	};
	struct bpf_insn pea[] = {
		MOV64_REG(BPF_REG_7, BPF_REG_1),
		LDX(BPF_DW, BPF_REG_6, BPF_REG_1, 0),
		STX(BPF_DW, BPF_REG_10, BPF_REG_6, -8),
		MOV64_REG(BPF_REG_1, BPF_REG_7),
		LD_MAP(BPF_REG_2, abpf_map_fd(map)),
		MOV32_IMM(BPF_REG_3, -1),	/* BPF_F_CURRENT_CPU */
		MOV64_REG(BPF_REG_4, BPF_REG_10),
		ALU64_IMM(BPF_ADD, BPF_REG_4, -8),
		MOV64_IMM(BPF_REG_5, 8),
		CALL(BPF_FUNC_perf_event_output),
		MOV64_IMM(BPF_REG_0, 0),
		EXIT(),
	};
	struct abpf_prog *prog = NULL;

	EXPECT_EQ(abpf_prog_load(h, BPF_PROG_TYPE_RAW_TRACEPOINT, "writer", "GPL",
				 perf ? pea : ring, perf ? NR(pea) : NR(ring),
				 NULL, &prog).no, 0);
	return prog;
}

/* Run @prog with @arg as its first argument, on @cpu if >= 0. */
static void run(struct abpf_prog *prog, __u64 arg, int cpu)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &arg,
		    .ctx_size_in = sizeof(arg));

	if (cpu >= 0) {
		opts.flags = BPF_F_TEST_RUN_ON_CPU;
		opts.cpu = (__u32)cpu;
	}
	EXPECT_EQ(abpf_prog_test_run(prog, &opts).no, 0);
}

/* ---- ring buffer ---- */

struct seen {
	__u64 values[1024];
	int cpus[1024];
	size_t n;
	__u64 lost;
	int stop_after;		/* a callback error after this many (0: none) */
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;

	EXPECT_EQ(size, 8);
	if (s->n < 1024)
		memcpy(&s->values[s->n], data, 8);
	s->n++;
	return s->stop_after && (int)s->n == s->stop_after ? -ECANCELED : 0;
}

static void ringbuf_empty_poll_finds_nothing(void)
{
	struct abpf_map *map = new_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
	struct abpf_ringbuf *rb = NULL;
	struct seen s = { 0 };
	size_t n = 99;

	EXPECT_EQ(abpf_ringbuf_new(map, on_record, &s, NULL, &rb).no, 0);
	if (!rb)
		goto out;
	EXPECT(abpf_ringbuf_epoll_fd(rb) >= 0);
	EXPECT_EQ(abpf_ringbuf_poll(rb, 0, &n).no, 0);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(abpf_ringbuf_poll(rb, 20, &n).no, 0);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(abpf_ringbuf_consume(rb, &n).no, 0);
	EXPECT_EQ(n, 0);
	abpf_ringbuf_free(rb);
out:
	abpf_map_close(map);
}

static void ringbuf_refuses_other_maps(void)
{
	struct abpf_map *map = new_map(BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	struct abpf_ringbuf *rb = NULL;

	EXPECT_EQ(abpf_ringbuf_new(map, on_record, NULL, NULL, &rb).no, EINVAL);
	EXPECT(rb == NULL);
	abpf_map_close(map);
}

static void ringbuf_reads_every_record_in_order(void)
{
	struct abpf_map *map = new_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
	struct abpf_ringbuf *rb = NULL;
	struct abpf_prog *prog;
	static struct seen s;
	size_t n, total = 0, i;
	__u64 v = 0;

	if (!progs_here()) {
		abpf_map_close(map);
		return;
	}
	memset(&s, 0, sizeof(s));
	prog = writer(map, false);
	EXPECT_EQ(abpf_ringbuf_new(map, on_record, &s, NULL, &rb).no, 0);
	if (!prog || !rb)
		goto out;
	/* 16 bytes a record: 1000 of them wrap a 4 KiB ring several times. */
	for (i = 0; i < 10; i++) {
		int j;

		for (j = 0; j < 100; j++)
			run(prog, v++, -1);
		EXPECT_EQ(abpf_ringbuf_poll(rb, 1000, &n).no, 0);
		total += n;
	}
	EXPECT_EQ(total, 1000);
	EXPECT_EQ(s.n, 1000);
	for (i = 0; i < s.n && i < 1000; i++)
		if (s.values[i] != i) {
			tap_fail("record %zu is %llu", i, (unsigned long long)s.values[i]);
			break;
		}
	/* Nothing left, and epoll says so. */
	EXPECT_EQ(abpf_ringbuf_poll(rb, 0, &n).no, 0);
	EXPECT_EQ(n, 0);
out:
	abpf_ringbuf_free(rb);
	abpf_prog_close(prog);
	abpf_map_close(map);
}

static void ringbuf_callback_errors_stop_the_poll(void)
{
	struct abpf_map *map = new_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
	struct abpf_ringbuf *rb = NULL;
	struct abpf_prog *prog;
	static struct seen s;
	size_t n;
	int i;

	if (!progs_here()) {
		abpf_map_close(map);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.stop_after = 3;
	prog = writer(map, false);
	EXPECT_EQ(abpf_ringbuf_new(map, on_record, &s, NULL, &rb).no, 0);
	if (!prog || !rb)
		goto out;
	for (i = 0; i < 5; i++)
		run(prog, (__u64)i, -1);
	EXPECT_EQ(abpf_ringbuf_consume(rb, &n).no, ECANCELED);
	EXPECT_EQ(n, 3);
	s.stop_after = 0;
	EXPECT_EQ(abpf_ringbuf_consume(rb, &n).no, 0);	/* the rest */
	EXPECT_EQ(n, 2);
	EXPECT_EQ(s.values[4], 4);
out:
	abpf_ringbuf_free(rb);
	abpf_prog_close(prog);
	abpf_map_close(map);
}

static void ringbuf_serves_two_rings(void)
{
	struct abpf_map *a = new_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
	struct abpf_map *b = new_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 8192);
	struct abpf_prog *pa = NULL, *pb = NULL;
	struct abpf_ringbuf *rb = NULL;
	static struct seen sa, sb;
	size_t n;

	if (!progs_here())
		goto out;
	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	pa = writer(a, false);
	pb = writer(b, false);
	EXPECT_EQ(abpf_ringbuf_new(a, on_record, &sa, NULL, &rb).no, 0);
	if (!rb || !pa || !pb)
		goto out;
	EXPECT_EQ(abpf_ringbuf_add(rb, b, on_record, &sb).no, 0);
	run(pb, 7, -1);
	EXPECT_EQ(abpf_ringbuf_poll(rb, 1000, &n).no, 0);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(sb.n, 1);
	EXPECT_EQ(sa.n, 0);
	run(pa, 8, -1);
	run(pb, 9, -1);
	EXPECT_EQ(abpf_ringbuf_consume(rb, &n).no, 0);
	EXPECT_EQ(n, 2);
	EXPECT_EQ(sa.values[0], 8);
	EXPECT_EQ(sb.values[1], 9);
out:
	abpf_ringbuf_free(rb);
	abpf_prog_close(pa);
	abpf_prog_close(pb);
	abpf_map_close(a);
	abpf_map_close(b);
}

/* ---- perf buffer ---- */

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct seen *s = ctx;

	/* The raw bytes, padded so size and data end on 8 bytes. */
	EXPECT(size >= 8);
	if (s->n < 1024) {
		memcpy(&s->values[s->n], data, 8);
		s->cpus[s->n] = cpu;
	}
	s->n++;
}

static void on_lost(void *ctx, int cpu, __u64 lost)
{
	struct seen *s = ctx;

	(void)cpu;
	s->lost += lost;
}

static long online_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

static void perfbuf_opens_one_buffer_per_cpu(void)
{
	struct abpf_map *map = new_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4,
				       (__u32)online_cpus());
	struct abpf_perfbuf *pb = NULL;
	struct seen s = { 0 };
	__u32 cpu;
	size_t n = 9;

	EXPECT_EQ(abpf_perfbuf_new(map, 2, on_sample, on_lost, &s, NULL, &pb).no, 0);
	if (!pb)
		goto out;
	EXPECT_EQ(abpf_perfbuf_buffer_cnt(pb), online_cpus());
	EXPECT(abpf_perfbuf_epoll_fd(pb) >= 0);
	EXPECT_EQ(abpf_perfbuf_poll(pb, 20, &n).no, 0);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(abpf_perfbuf_consume(pb, &n).no, 0);
	EXPECT_EQ(n, 0);
	/* Each CPU's slot holds a buffer: deleting one works once... */
	cpu = 0;
	EXPECT_EQ(abpf_map_delete(map, &cpu, 4).no, 0);
	abpf_perfbuf_free(pb);
	/* ...and the consumer removed the rest when it went. */
	for (cpu = 0; cpu < online_cpus(); cpu++)
		EXPECT_EQ(abpf_map_delete(map, &cpu, 4).no, ENOENT);
out:
	abpf_map_close(map);
}

static void perfbuf_refuses_bad_maps_and_sizes(void)
{
	struct abpf_map *ring = new_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
	struct abpf_map *pea = new_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2);
	struct abpf_perfbuf *pb = NULL;

	EXPECT_EQ(abpf_perfbuf_new(ring, 2, on_sample, NULL, NULL, NULL, &pb).no,
		  EINVAL);
	EXPECT_EQ(abpf_perfbuf_new(pea, 3, on_sample, NULL, NULL, NULL, &pb).no,
		  EINVAL);
	EXPECT_EQ(abpf_perfbuf_new(pea, 2, NULL, NULL, NULL, NULL, &pb).no, EINVAL);
	EXPECT(pb == NULL);
	abpf_map_close(ring);
	abpf_map_close(pea);
}

static void perfbuf_samples_arrive_from_their_cpu(void)
{
	struct abpf_map *map = new_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4,
				       (__u32)online_cpus());
	struct abpf_perfbuf *pb = NULL;
	struct abpf_prog *prog;
	static struct seen s;
	size_t n, total = 0, i;
	long cpu;

	if (!progs_here()) {
		abpf_map_close(map);
		return;
	}
	memset(&s, 0, sizeof(s));
	prog = writer(map, true);
	EXPECT_EQ(abpf_perfbuf_new(map, 4, on_sample, on_lost, &s, NULL, &pb).no, 0);
	if (!prog || !pb)
		goto out;
	for (cpu = 0; cpu < online_cpus(); cpu++) {
		run(prog, 1000 + (__u64)cpu, (int)cpu);
		run(prog, 2000 + (__u64)cpu, (int)cpu);
	}
	while (total < 2 * (size_t)online_cpus()) {
		EXPECT_EQ(abpf_perfbuf_poll(pb, 1000, &n).no, 0);
		if (!n)
			break;
		total += n;
	}
	EXPECT_EQ(total, 2 * online_cpus());
	for (i = 0; i < s.n && i < 1024; i++)
		EXPECT_EQ(s.values[i] % 1000, s.cpus[i]);
	EXPECT_EQ(s.lost, 0);
out:
	abpf_perfbuf_free(pb);
	abpf_prog_close(prog);
	abpf_map_close(map);
}

static void perfbuf_reports_lost_records(void)
{
	struct abpf_map *map = new_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4,
				       (__u32)online_cpus());
	struct abpf_perfbuf *pb = NULL;
	struct abpf_prog *prog;
	static struct seen s;
	size_t n;
	int i;

	if (!progs_here()) {
		abpf_map_close(map);
		return;
	}
	memset(&s, 0, sizeof(s));
	prog = writer(map, true);
	/* One data page: 24 bytes a sample, 170 fit. */
	EXPECT_EQ(abpf_perfbuf_new(map, 1, on_sample, on_lost, &s, NULL, &pb).no, 0);
	if (!prog || !pb)
		goto out;
	for (i = 0; i < 300; i++)
		run(prog, (__u64)i, 0);
	EXPECT_EQ(abpf_perfbuf_consume(pb, &n).no, 0);
	EXPECT_EQ(n, 170);
	EXPECT_EQ(s.lost, 0);
	/* The loss is told before the next record that fits. */
	run(prog, 300, 0);
	EXPECT_EQ(abpf_perfbuf_consume(pb, &n).no, 0);
	EXPECT_EQ(n, 2);
	EXPECT_EQ(s.lost, 130);
	EXPECT_EQ(s.values[170], 300);
	for (i = 0; i < 170; i++)
		if (s.values[i] != (__u64)i) {
			tap_fail("sample %d is %llu", i, (unsigned long long)s.values[i]);
			break;
		}
out:
	abpf_perfbuf_free(pb);
	abpf_prog_close(prog);
	abpf_map_close(map);
}

static const struct tap_test tests[] = {
	TAP_TEST(ringbuf_empty_poll_finds_nothing),
	TAP_TEST(ringbuf_refuses_other_maps),
	TAP_TEST(ringbuf_reads_every_record_in_order),
	TAP_TEST(ringbuf_callback_errors_stop_the_poll),
	TAP_TEST(ringbuf_serves_two_rings),
	TAP_TEST(perfbuf_opens_one_buffer_per_cpu),
	TAP_TEST(perfbuf_refuses_bad_maps_and_sizes),
	TAP_TEST(perfbuf_samples_arrive_from_their_cpu),
	TAP_TEST(perfbuf_reports_lost_records),
};

static void run_on(const struct abpf_sys *sys, bool kbpf, const char *prefix)
{
	if (!abpf_ok(abpf_open(sys, NULL, &h))) {
		printf("Bail out! no handle\n");
		exit(1);
	}
	on_kbpf = kbpf;
	shim_run(tests, TAP_COUNT(tests), prefix);
	abpf_unref(h);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run_on(abpf_sys_libc(), false, "consumers: [kernel] ");
	run_on(abpf_sys_kbpf(), true, "consumers: [kbpf] ");
	return tap_done();
}
