// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * fuzz_repro: the smallest reproducers of what kbpf-fuzz found, one per
 * subcommand, each a few /dev/kbpf calls.  Run in the test VM with kbpf.ko
 * loaded (scripts/vm.sh ... -f user/build/vm/fuzz_repro -r './fuzz_repro NAME'),
 * then read the console.  Each prints what it did and what came back.
 *
 *   printk-l     bpf_trace_printk("%ld") makes vsnprintf WARN (format "%llld")
 *   sched-fault  a faulting raw_tp program on sched_switch: its fault is
 *                printk'ed under the runqueue lock (lockdep: rq->__lock ->
 *                console_owner)
 *   foreach-key  a for_each_map_elem callback's key region outlives the call
 *                once the region table is full: the program reads the
 *                array's for_each stack frame after it returned
 *   log-size     BPF_PROG_LOAD with log_size 1 GiB - 1 allocates it up front
 *   queue2       a 2-entry queue takes two pushes, then E2BIG (a check of the checker)
 *   tp-flap [kernel]  attach and detach a trivial raw_tp program on
 *                sys_enter in a loop while other threads make syscalls; with
 *                "kernel", the kernel's own bpf(2) does the same
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/kbpf.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), \
	.src_reg = (s), .off = (o), .imm = (i) })
#define MOV_IMM(d, i)	INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s)	INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_IMM(d, i)	INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ST_W(d, o, i)	INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define ST_DW(d, o, i)	INSN(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define STX_DW(d, s, o)	INSN(BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define LDX_DW(d, s, o)	INSN(BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0)
#define LDX_W(d, s, o)	INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define CALL(f)		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_MAP(d, fd)	INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), \
			INSN(0, 0, 0, 0, 0)
#define LD_FUNC(d, off)	INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_FUNC, 0, off), \
			INSN(0, 0, 0, 0, 0)
#define NR(a) (sizeof(a) / sizeof((a)[0]))

static int dev;

static long sys(int cmd, union bpf_attr *a)
{
	struct kbpf_bpf_call c = { .cmd = cmd, .size = sizeof(*a), .attr = (uintptr_t)a };

	return ioctl(dev, KBPF_IOC_BPF, &c);
}

static int map(uint32_t type, uint32_t key, uint32_t value, uint32_t max)
{
	union bpf_attr a = { .map_type = type, .key_size = key, .value_size = value,
			     .max_entries = max };

	return sys(BPF_MAP_CREATE, &a);
}

static char log_buf[4096];

static int load(uint32_t type, const struct bpf_insn *in, uint32_t n)
{
	union bpf_attr a = { .prog_type = type, .insns = (uintptr_t)in, .insn_cnt = n,
			     .license = (uintptr_t)"GPL",
			     .prog_flags = type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0,
			     .log_level = 1, .log_buf = (uintptr_t)log_buf,
			     .log_size = sizeof(log_buf) };
	int fd = sys(BPF_PROG_LOAD, &a);

	if (fd < 0)
		printf("load: %s\n%s\n", strerror(errno), log_buf);
	return fd;
}

static long run(int fd, void *ctx, uint32_t size, uint32_t *ret)
{
	union bpf_attr a = { .test = { .prog_fd = fd, .ctx_in = (uintptr_t)ctx,
				       .ctx_size_in = size } };
	long r = sys(BPF_PROG_TEST_RUN, &a);

	*ret = a.test.retval;
	return r;
}

/* trace_printk("%ld", 4, 42): kbpf turns "%l" + "ll" + "d" into "%llld". */
static int printk_l(void)
{
	const struct bpf_insn in[] = {
		ST_W(BPF_REG_10, -8, 0x00646c25),	/* "%ld\0" */
		MOV_REG(BPF_REG_1, BPF_REG_10),
		ADD_IMM(BPF_REG_1, -8),
		MOV_IMM(BPF_REG_2, 4),
		MOV_IMM(BPF_REG_3, 42),
		CALL(BPF_FUNC_trace_printk),
		EXIT(),
	};
	uint32_t ret = 0;
	int fd = load(BPF_PROG_TYPE_SYSCALL, in, NR(in));
	long r;

	if (fd < 0)
		return 1;
	r = run(fd, NULL, 0, &ret);
	printf("printk-l: test run %ld, retval %u; the console shows the WARNING\n", r, ret);
	return 0;
}

/* A program that faults (reads past its 96-byte context) on sched_switch. */
static int sched_fault(void)
{
	const struct bpf_insn in[] = {
		LDX_DW(BPF_REG_0, BPF_REG_1, 4096),
		EXIT(),
	};
	union bpf_attr a;
	int fd = load(BPF_PROG_TYPE_RAW_TRACEPOINT, in, NR(in)), link, i;

	if (fd < 0)
		return 1;
	memset(&a, 0, sizeof(a));
	a.raw_tracepoint.name = (uintptr_t)"sched_switch";
	a.raw_tracepoint.prog_fd = fd;
	link = sys(BPF_RAW_TRACEPOINT_OPEN, &a);
	printf("sched-fault: attached: %d (%s)\n", link, link < 0 ? strerror(errno) : "ok");
	/* context switches, and console output for the tty wake-ups */
	for (i = 0; i < 200; i++) {
		fprintf(stderr, "sched-fault: %d\n", i);
		usleep(1000);
	}
	close(link);
	close(fd);
	return 0;
}

/*
 * The region table holds 128; 126 distinct array values fill it.  Then
 * for_each's callback gets its key region by recycling a slot below the
 * callback's mark, so the slot is not dropped when the callback returns.
 * The callback stores its key pointer in ctx[0]; the main program reads
 * through it after for_each returned.  Expected: a fault (EFAULT); seen:
 * the read succeeds, returning whatever is in array_map_for_each()'s dead
 * stack frame.
 */
static int foreach_key(void)
{
	int m = map(BPF_MAP_TYPE_ARRAY, 4, 8, 200);
	struct bpf_insn in[] = {
		/* r6 = ctx; r7 = 0 */
		MOV_REG(BPF_REG_6, BPF_REG_1),
		MOV_IMM(BPF_REG_7, 0),
		/* loop: lookup(map, &r7) for r7 = 0..149 */
		STX_DW(BPF_REG_10, BPF_REG_7, -8),
		LD_MAP(BPF_REG_1, m),
		MOV_REG(BPF_REG_2, BPF_REG_10),
		ADD_IMM(BPF_REG_2, -8),
		CALL(BPF_FUNC_map_lookup_elem),
		ADD_IMM(BPF_REG_7, 1),
		JNE_IMM(BPF_REG_7, 150, -8),
		/* for_each(map, cb, ctx, 0) */
		LD_MAP(BPF_REG_1, m),
		LD_FUNC(BPF_REG_2, 7),
		MOV_REG(BPF_REG_3, BPF_REG_6),
		MOV_IMM(BPF_REG_4, 0),
		CALL(BPF_FUNC_for_each_map_elem),
		/* r0 = *(u32 *)ctx[0] */
		LDX_DW(BPF_REG_1, BPF_REG_6, 0),
		LDX_W(BPF_REG_0, BPF_REG_1, 0),
		EXIT(),
		/* cb(map, key, value, ctx): ctx[0] = key; return 1 */
		STX_DW(BPF_REG_4, BPF_REG_2, 0),
		MOV_IMM(BPF_REG_0, 1),
		EXIT(),
	};
	uint64_t ctx[2] = { 0, 0 };
	uint32_t ret = 0;
	int fd;
	long r;

	if (m < 0) {
		perror("map");
		return 1;
	}
	fd = load(BPF_PROG_TYPE_SYSCALL, in, NR(in));
	if (fd < 0)
		return 1;
	r = run(fd, ctx, sizeof(ctx), &ret);
	printf("foreach-key: test run %ld (%s), retval %#x, key vaddr %#llx\n", r,
	       r ? strerror(errno) : "no fault", ret, (unsigned long long)ctx[0]);
	printf("foreach-key: %s\n", r ? "faulted, as it should" :
	       "BUG: read the for_each key after the callback returned");
	return r ? 0 : 1;
}

/* log_level 1 with log_size UINT_MAX >> 2: kbpf kvzalloc()s 1 GiB first. */
static int log_size(void)
{
	const struct bpf_insn in[] = { MOV_IMM(BPF_REG_0, 0), EXIT() };
	union bpf_attr a = { .prog_type = BPF_PROG_TYPE_SYSCALL, .insns = (uintptr_t)in,
			     .insn_cnt = 2, .license = (uintptr_t)"GPL",
			     .prog_flags = BPF_F_SLEEPABLE, .log_level = 1,
			     .log_buf = (uintptr_t)log_buf, .log_size = 0x3fffffff };
	struct timespec t0, t1;
	long fd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = sys(BPF_PROG_LOAD, &a);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("log-size: load %ld (%s) in %.2f s; log: %.60s\n", fd,
	       fd < 0 ? strerror(errno) : "ok",
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, log_buf);
	return 0;
}

static int queue2(void)
{
	uint8_t v[32] = { 1 }, r[32];
	uint32_t type;
	int i;

	for (type = BPF_MAP_TYPE_QUEUE; type <= BPF_MAP_TYPE_STACK; type++) {
		int m = map(type, 0, 13, 2);
		union bpf_attr a;
		long ret;

		memset(&a, 0, sizeof(a));
		a.map_fd = m;
		a.value = (uintptr_t)r;
		ret = sys(BPF_MAP_LOOKUP_ELEM, &a);
		printf("queue2: type %u: peek of empty: %ld (%s)\n", type, ret,
		       ret ? strerror(errno) : "ok");
		for (i = 0; i < 3; i++) {
			memset(&a, 0, sizeof(a));
			a.map_fd = m;
			a.value = (uintptr_t)v;
			ret = sys(BPF_MAP_UPDATE_ELEM, &a);
			printf("queue2: type %u: push %d: %ld (%s)\n", type, i + 1, ret,
			       ret ? strerror(errno) : "ok");
		}
		close(m);
	}
	return 0;
}

static volatile int flap_stop;

static void *flap_syscalls(void *arg)
{
	(void)arg;
	while (!flap_stop)
		getppid();
	return NULL;
}

static long kernel_bpf(int cmd, union bpf_attr *a)
{
	return syscall(SYS_bpf, cmd, a, sizeof(*a));
}

static int tp_flap(bool kernel)
{
	const struct bpf_insn in[] = { MOV_IMM(BPF_REG_0, 0), EXIT() };
	long (*call)(int cmd, union bpf_attr *a) = kernel ? kernel_bpf : sys;
	union bpf_attr a = { .prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT, .insns = (uintptr_t)in,
			     .insn_cnt = 2, .license = (uintptr_t)"GPL" };
	pthread_t th[3];
	int fd = call(BPF_PROG_LOAD, &a), i, link;

	if (fd < 0) {
		perror("load");
		return 1;
	}
	for (i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, flap_syscalls, NULL);
	for (i = 0; i < 3000; i++) {
		memset(&a, 0, sizeof(a));
		a.raw_tracepoint.name = (uintptr_t)"sys_enter";
		a.raw_tracepoint.prog_fd = fd;
		link = call(BPF_RAW_TRACEPOINT_OPEN, &a);
		if (link < 0) {
			perror("attach");
			break;
		}
		close(link);
		if (!(i % 500))
			printf("tp-flap (%s): %d\n", kernel ? "bpf(2)" : "kbpf", i);
	}
	flap_stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	printf("tp-flap (%s): %d attach/detach cycles, no crash\n", kernel ? "bpf(2)" : "kbpf", i);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(void); } cmds[] = {
		{ "printk-l", printk_l }, { "sched-fault", sched_fault },
		{ "foreach-key", foreach_key }, { "log-size", log_size },
		{ "queue2", queue2 },
	};
	size_t i;

	if (argc >= 2 && !strcmp(argv[1], "tp-flap"))
		return (dev = open(KBPF_DEVICE_PATH, O_RDWR)), tp_flap(argc > 2);
	dev = open(KBPF_DEVICE_PATH, O_RDWR);
	if (dev < 0 || argc != 2) {
		fprintf(stderr, "usage: fuzz_repro printk-l|sched-fault|foreach-key|log-size|queue2\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < NR(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn();
	return 2;
}
