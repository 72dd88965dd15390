// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpf programs on a busy tracepoint for a while: raw_syscalls:sys_enter
 * fires for every system call of every process; three programs sit on it
 * at once (a per-CPU counter of everything, an exact counter of this
 * process's getppid() calls in a HASH, a ring buffer writer of those
 * calls), a fourth faults on every event, and a fifth is attached and
 * detached over and over, while two threads make system calls and a third
 * consumes the ring buffer.  Afterwards: every getppid() counted exactly
 * once, every ring record read or counted as dropped, the faulting program
 * counted its runs and nothing else happened.  KBPF_SOAK_SECONDS (default
 * 3) sets the duration; the debug kernel's run takes 30.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <abpf/abpf.h>
#include <linux/bpf.h>

#include "../tap.h"
#include "insn.h"

static const struct abpf_sys *B;
static atomic_bool stop;
static atomic_ulong calls;

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return B->bpf(cmd, attr, sizeof(*attr));
}

static int map_create(uint32_t type, uint32_t key_size, uint32_t value_size,
		      uint32_t max_entries)
{
	union bpf_attr a = {
		.map_type = type, .key_size = key_size, .value_size = value_size,
		.max_entries = max_entries,
	};

	return (int)sys_bpf(BPF_MAP_CREATE, &a);
}

static int load(const struct bpf_insn *insns, uint32_t n)
{
	union bpf_attr a = {
		.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
		.insns = (uintptr_t)insns, .insn_cnt = n,
		.license = (uintptr_t)"GPL",
	};

	return (int)sys_bpf(BPF_PROG_LOAD, &a);
}

static int attach(int prog)
{
	union bpf_attr a = {};

	a.raw_tracepoint.name = (uintptr_t)"sys_enter";
	a.raw_tracepoint.prog_fd = prog;
	return (int)sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
}

static void *caller(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		syscall(SYS_getppid);
		atomic_fetch_add(&calls, 1);
	}
	return NULL;
}

/* The ring buffer's consumer: counts the records, checks each one. */
struct ring {
	int fd;
	size_t size;
	volatile unsigned long *cons, *prod;
	unsigned char *data;
	unsigned long records, bad;
};

static void ring_drain(struct ring *r)
{
	unsigned long c = *r->cons, p = __atomic_load_n(r->prod, __ATOMIC_ACQUIRE);

	while (c < p) {
		uint32_t hdr = __atomic_load_n((uint32_t *)(r->data + (c & (r->size - 1))),
					       __ATOMIC_ACQUIRE);
		uint32_t len = hdr & ~(3U << 30);

		if (hdr & (1U << 31))	/* busy: not committed yet */
			break;
		if (!(hdr & (1U << 30))) {	/* not discarded */
			uint64_t v;

			memcpy(&v, r->data + ((c + 8) & (r->size - 1)), sizeof(v));
			if (v != SYS_getppid)
				r->bad++;
			r->records++;
		}
		c += (len + 8 + 7) & ~7UL;
		__atomic_store_n(r->cons, c, __ATOMIC_RELEASE);
	}
}

static void *consumer(void *arg)
{
	struct ring *r = arg;

	while (!atomic_load(&stop))
		ring_drain(r);
	return NULL;
}

static uint64_t prog_runs(int fd)
{
	struct bpf_prog_info info = {};
	union bpf_attr a = {};

	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uintptr_t)&info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) ? 0 : info.run_cnt;
}

static void programs_on_a_busy_tracepoint(void)
{
	const char *env = getenv("KBPF_SOAK_SECONDS");
	int seconds = env ? atoi(env) : 3;
	long page = sysconf(_SC_PAGESIZE);
	int all = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1);
	int mine = map_create(BPF_MAP_TYPE_HASH, 4, 8, 4);
	int rb = map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 1 << 16);
	int drops = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	struct bpf_insn count_all_p[] = {
		ST(BPF_W, 10, -4, 0),
		LD_MAP(1, all),
		MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
		CALL(BPF_FUNC_map_lookup_elem),
		JMP_IMM(BPF_JEQ, 0, 0, 3),
		LDX(BPF_DW, 1, 0, 0), ALU64_IMM(BPF_ADD, 1, 1),
		STX(BPF_DW, 0, 1, 0),	/* per-CPU: no atomic needed */
		MOV64_IMM(0, 0), EXIT(),
	};
	/* this process's getppid(): count in HASH[tgid], and a ring record */
	struct bpf_insn mine_p[] = {
		LDX(BPF_DW, 6, 1, 8),
		JMP_IMM(BPF_JNE, 6, SYS_getppid, 32),
		CALL(BPF_FUNC_get_current_pid_tgid),
		ALU64_IMM(BPF_RSH, 0, 32),
		LD_IMM64(1, 0),				/* 4: our tgid */
		JMP_REG(BPF_JNE, 0, 1, 27),
		STX(BPF_W, 10, 0, -4),			/* key = tgid */
		LD_MAP(1, mine),
		MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
		CALL(BPF_FUNC_map_lookup_elem),
		JMP_IMM(BPF_JEQ, 0, 0, 20),
		MOV64_IMM(1, 1),
		ATOMIC_ADD64(0, 1, 0),
		LD_MAP(1, rb),
		MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -16),
		STX(BPF_DW, 10, 6, -16),		/* the syscall number */
		MOV64_IMM(3, 8),
		MOV64_IMM(4, 0),
		CALL(BPF_FUNC_ringbuf_output),
		JMP_IMM(BPF_JEQ, 0, 0, 9),		/* output failed: count a drop */
		ST(BPF_W, 10, -20, 0),
		LD_MAP(1, drops),
		MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -20),
		CALL(BPF_FUNC_map_lookup_elem),
		JMP_IMM(BPF_JEQ, 0, 0, 2),
		MOV64_IMM(1, 1),
		ATOMIC_ADD64(0, 1, 0),
		MOV64_IMM(0, 0), EXIT(),
	};
	const struct bpf_insn faulty[] = { LDX(BPF_DW, 0, 1, 4096), EXIT() };
	const struct bpf_insn nothing[] = { MOV64_IMM(0, 0), EXIT() };
	int p_all, p_mine, p_faulty, p_flip, l_all, l_mine, l_faulty, i, flips = 0;
	struct ring r = { .fd = rb, .size = 1 << 16 };
	pthread_t t[3];
	uint32_t key = (uint32_t)getpid(), zero = 0;
	uint64_t counted = 0, dropped = 0, per_cpu[64] = { 0 }, total = 0;
	union bpf_attr a = {};
	struct timespec end;

	mine_p[4].imm = getpid();
	EXPECT(all >= 0 && mine >= 0 && rb >= 0 && drops >= 0);
	a.map_fd = mine;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&counted;
	EXPECT_SYSERR(sys_bpf(BPF_MAP_UPDATE_ELEM, &a), 0);

	r.cons = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, rb, 0);
	r.prod = mmap(NULL, page + 2 * r.size, PROT_READ, MAP_SHARED, rb, page);
	EXPECT(r.cons != MAP_FAILED && r.prod != MAP_FAILED);
	if (r.cons == MAP_FAILED || r.prod == MAP_FAILED)
		return;
	r.data = (unsigned char *)r.prod + page;

	p_all = load(count_all_p, NR(count_all_p));
	p_mine = load(mine_p, NR(mine_p));
	p_faulty = load(faulty, NR(faulty));
	p_flip = load(nothing, NR(nothing));
	EXPECT(p_all >= 0 && p_mine >= 0 && p_faulty >= 0 && p_flip >= 0);
	l_all = attach(p_all);
	l_mine = attach(p_mine);
	l_faulty = attach(p_faulty);
	EXPECT(l_all >= 0 && l_mine >= 0 && l_faulty >= 0);

	pthread_create(&t[0], NULL, caller, NULL);
	pthread_create(&t[1], NULL, caller, NULL);
	pthread_create(&t[2], NULL, consumer, &r);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds;
	for (;;) {
		struct timespec now;
		int l = attach(p_flip);

		if (l < 0)
			break;
		flips++;
		close(l);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
	}
	atomic_store(&stop, true);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	/* detach first: no more events after the count is read */
	close(l_all);
	close(l_mine);
	close(l_faulty);
	ring_drain(&r);

	EXPECT_SYSERR(sys_bpf(BPF_MAP_LOOKUP_ELEM, &a), 0);
	a.map_fd = drops;
	a.key = (uintptr_t)&zero;
	a.value = (uintptr_t)&dropped;
	EXPECT_SYSERR(sys_bpf(BPF_MAP_LOOKUP_ELEM, &a), 0);
	a.map_fd = all;
	a.value = (uintptr_t)per_cpu;
	EXPECT_SYSERR(sys_bpf(BPF_MAP_LOOKUP_ELEM, &a), 0);
	for (i = 0; i < 64; i++)
		total += per_cpu[i];

	printf("# %d s: %lu getppid() calls, %llu counted, %lu ring records read, %llu dropped, %llu sys_enter events, %d attach/detach cycles, faulting program ran %llu times\n",
	       seconds, atomic_load(&calls), (unsigned long long)counted, r.records,
	       (unsigned long long)dropped, (unsigned long long)total, flips,
	       (unsigned long long)prog_runs(p_faulty));
	EXPECT(atomic_load(&calls) > 0);
	EXPECT_EQ(counted, atomic_load(&calls));
	EXPECT_EQ(r.records + dropped, counted);
	EXPECT_EQ(r.bad, 0);
	EXPECT(total >= counted);
	EXPECT(prog_runs(p_faulty) >= total / 2);
	EXPECT(flips > 0);
	close(p_all);
	close(p_mine);
	close(p_faulty);
	close(p_flip);
	close(all);
	close(mine);
	close(rb);
	close(drops);
}

static const struct tap_test tests[] = {
	TAP_TEST(programs_on_a_busy_tracepoint),
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	B = abpf_sys_kbpf();
	tap_run(tests, TAP_COUNT(tests), "prog soak (kbpf): ");
	return tap_done();
}
