// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Programs through bpf(2) and through /dev/kbpf with one set of
 * expectations: BPF_PROG_LOAD of valid and broken programs (errnos, the
 * verifier log), BPF_PROG_TEST_RUN of syscall and raw_tp programs (ctx in
 * and back, BPF_F_TEST_RUN_ON_CPU), map helpers and map value relocation
 * with the map contents compared afterwards, the tag, bpf_prog_info,
 * program ids, and a raw tracepoint counting syscalls.  Then what only
 * kbpf has: programs that touch memory they were not given, loop forever
 * or fault on every event stop cleanly and are counted.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <abpf/abpf.h>
#include <linux/bpf.h>

#include "../tap.h"
#include "insn.h"


static const struct abpf_sys *B;	/* the backend under test */
static bool on_kbpf;

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return B->bpf(cmd, attr, sizeof(*attr));
}

static char log_buf[65536];

static bool kernel_is_61(void)
{
	struct utsname u;

	return !uname(&u) && !strncmp(u.release, "6.1.", 4);
}

static int load(uint32_t type, const struct bpf_insn *insns, uint32_t n,
		uint32_t log_size)
{
	union bpf_attr a = {
		.prog_type = type,
		.insns = (uintptr_t)insns,
		.insn_cnt = n,
		.license = (uintptr_t)"GPL",
		.prog_flags = type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0,
	};

	strcpy(a.prog_name, "kbpf_test");
	if (log_size) {
		log_buf[0] = 0;
		a.log_level = 1;
		a.log_buf = (uintptr_t)log_buf;
		a.log_size = log_size;
	}
	return (int)sys_bpf(BPF_PROG_LOAD, &a);
}

/* BPF_PROG_TEST_RUN with @ctx; returns the call's result, *ret the retval. */
static long test_run(int fd, void *ctx, uint32_t ctx_size, uint32_t flags,
		     uint32_t cpu, uint32_t *ret)
{
	union bpf_attr a = {};
	long r;

	a.test.prog_fd = fd;
	a.test.ctx_in = (uintptr_t)ctx;
	a.test.ctx_size_in = ctx_size;
	a.test.flags = flags;
	a.test.cpu = cpu;
	r = sys_bpf(BPF_PROG_TEST_RUN, &a);
	if (ret)
		*ret = a.test.retval;
	return r;
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

static long map_lookup(int fd, const void *key, void *value)
{
	union bpf_attr a = { .map_fd = fd, .key = (uintptr_t)key,
			     .value = (uintptr_t)value };

	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &a);
}

static int prog_info(int fd, struct bpf_prog_info *info, uint32_t *map_ids,
		     uint32_t nr_map_ids)
{
	union bpf_attr a = {};

	memset(info, 0, sizeof(*info));
	info->map_ids = (uintptr_t)map_ids;
	info->nr_map_ids = nr_map_ids;
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(*info);
	a.info.info = (uintptr_t)info;
	return (int)sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
}

static void syscall_prog_reads_and_writes_its_ctx(void)
{
	/* ctx[1] = ctx[0] * 3; return ctx[0] + 1 */
	const struct bpf_insn insns[] = {
		LDX(BPF_W, 2, 1, 0),
		MOV64_REG(3, 2),
		ALU64_IMM(BPF_MUL, 3, 3),
		STX(BPF_W, 1, 3, 4),
		MOV64_REG(0, 2),
		ALU64_IMM(BPF_ADD, 0, 1),
		EXIT(),
	};
	uint32_t ctx[2] = { 14, 0 }, ret = 0;
	int fd = load(BPF_PROG_TYPE_SYSCALL, insns, NR(insns), 0);

	EXPECT(fd >= 0);
	EXPECT_SYSERR(test_run(fd, ctx, sizeof(ctx), 0, 0, &ret), 0);
	EXPECT_EQ(ret, 15);
	EXPECT_EQ(ctx[1], 42);
	/* ctx buffer and size come together; no repeat for syscall programs */
	EXPECT_SYSERR(test_run(fd, NULL, 8, 0, 0, &ret), EINVAL);
	EXPECT_SYSERR(test_run(fd, ctx, 0, 0, 0, &ret), EINVAL);
	EXPECT_SYSERR(test_run(fd, ctx, sizeof(ctx), BPF_F_TEST_RUN_ON_CPU, 0, &ret), EINVAL);
	close(fd);
}

static void raw_tp_prog_reads_its_arguments(void)
{
	/* return args[0] - args[2] */
	const struct bpf_insn insns[] = {
		LDX(BPF_DW, 0, 1, 0),
		LDX(BPF_DW, 2, 1, 16),
		ALU64_REG(BPF_SUB, 0, 2),
		EXIT(),
	};
	uint64_t args[3] = { 100, 7, 58 };
	uint32_t ret = 0;
	int fd = load(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, NR(insns), 0);

	EXPECT(fd >= 0);
	EXPECT_SYSERR(test_run(fd, args, sizeof(args), 0, 0, &ret), 0);
	EXPECT_EQ(ret, 42);
	ret = 0;
	EXPECT_SYSERR(test_run(fd, args, sizeof(args), BPF_F_TEST_RUN_ON_CPU, 0, &ret), 0);
	EXPECT_EQ(ret, 42);
	EXPECT_SYSERR(test_run(fd, args, sizeof(args), 0, 1, &ret), EINVAL);
	EXPECT_SYSERR(test_run(fd, args, sizeof(args), BPF_F_TEST_RUN_ON_CPU, 4096, &ret),
		      ENXIO);
	close(fd);
}

/*
 * A counter per key in a HASH map: lookup, insert 1 if missing, else an
 * atomic add; the key comes from ctx.
 */
static void hash_helpers_count_per_key(void)
{
	int map = map_create(BPF_MAP_TYPE_HASH, 4, 8, 16), fd, i;
	const struct bpf_insn insns[] = {
		LDX(BPF_W, 6, 1, 0),		/* r6 = key */
		STX(BPF_W, 10, 6, -4),		/* stack[-4] = key */
		LD_MAP(1, map),
		MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -4),
		CALL(BPF_FUNC_map_lookup_elem),
		JMP_IMM(BPF_JEQ, 0, 0, 4),
		MOV64_IMM(1, 1),
		ATOMIC_ADD64(0, 1, 0),
		MOV64_IMM(0, 2),		/* 2: counted */
		EXIT(),
		ST(BPF_DW, 10, -16, 1),		/* value = 1 */
		LD_MAP(1, map),
		MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -4),
		MOV64_REG(3, 10),
		ALU64_IMM(BPF_ADD, 3, -16),
		MOV64_IMM(4, BPF_NOEXIST),
		CALL(BPF_FUNC_map_update_elem),
		EXIT(),				/* the update's result */
	};
	uint32_t key, ret;
	uint64_t value;

	EXPECT(map >= 0);
	fd = load(BPF_PROG_TYPE_SYSCALL, insns, NR(insns), 0);
	EXPECT(fd >= 0);
	for (i = 0; i < 20; i++) {
		key = i % 3;
		ret = 99;
		EXPECT_SYSERR(test_run(fd, &key, sizeof(key), 0, 0, &ret), 0);
		EXPECT_EQ(ret, i < 3 ? 0 : 2);
	}
	for (key = 0; key < 3; key++) {
		EXPECT_SYSERR(map_lookup(map, &key, &value), 0);
		EXPECT_EQ(value, key < 2 ? 7 : 6);
	}
	key = 3;
	EXPECT_SYSERR(map_lookup(map, &key, &value), ENOENT);
	close(fd);
	close(map);
}

/* Global data: an ld_imm64 of a one-element ARRAY's value, written directly. */
static void map_value_relocation_is_global_data(void)
{
	int map = map_create(BPF_MAP_TYPE_ARRAY, 4, 16, 1), fd, i;
	const struct bpf_insn insns[] = {
		LD_MAP_VALUE(1, map, 8),
		LDX(BPF_DW, 0, 1, 0),
		ALU64_IMM(BPF_ADD, 0, 5),
		STX(BPF_DW, 1, 0, 0),
		EXIT(),
	};
	uint64_t value[2] = { 0, 0 };
	uint32_t key = 0, ret = 0;

	EXPECT(map >= 0);
	fd = load(BPF_PROG_TYPE_SYSCALL, insns, NR(insns), 0);
	EXPECT(fd >= 0);
	for (i = 0; i < 3; i++)
		EXPECT_SYSERR(test_run(fd, NULL, 0, 0, 0, &ret), 0);
	EXPECT_EQ(ret, 15);
	EXPECT_SYSERR(map_lookup(map, &key, value), 0);
	EXPECT_EQ(value[0], 0);
	EXPECT_EQ(value[1], 15);
	close(fd);
	close(map);
}

static void load_refuses_broken_programs(void)
{
	const struct bpf_insn bad_op[] = { INSN(0xff, 0, 0, 0, 0), EXIT() };
	const struct bpf_insn bad_jump[] = { JA(5), MOV64_IMM(0, 0), EXIT() };
	const struct bpf_insn no_exit[] = { MOV64_IMM(0, 0), MOV64_IMM(1, 0) };
	const struct bpf_insn half_ld[] = { INSN(BPF_LD | BPF_DW | BPF_IMM, 0, 0, 0, 1) };
	const struct bpf_insn r10[] = { MOV64_IMM(10, 0), MOV64_IMM(0, 0), EXIT() };
	const struct bpf_insn bad_helper[] = { CALL(100000), MOV64_IMM(0, 0), EXIT() };
	const struct bpf_insn bad_map[] = { LD_MAP(1, 1000), MOV64_IMM(0, 0), EXIT() };
	const struct bpf_insn ok[] = { MOV64_IMM(0, 0), EXIT() };
	union bpf_attr a = {};

	EXPECT_SYSERR(load(BPF_PROG_TYPE_SYSCALL, bad_op, NR(bad_op), 0), EINVAL);
	EXPECT_SYSERR(load(BPF_PROG_TYPE_SYSCALL, bad_jump, NR(bad_jump), 0), EINVAL);
	EXPECT_SYSERR(load(BPF_PROG_TYPE_SYSCALL, no_exit, NR(no_exit), 0), EINVAL);
	EXPECT_SYSERR(load(BPF_PROG_TYPE_SYSCALL, half_ld, NR(half_ld), 0), EINVAL);
	/* "frame pointer is read only" */
	EXPECT_SYSERR(load(BPF_PROG_TYPE_SYSCALL, r10, NR(r10), 0), EACCES);
	EXPECT_SYSERR(load(BPF_PROG_TYPE_SYSCALL, bad_helper, NR(bad_helper), 0), EINVAL);
	EXPECT_SYSERR(load(BPF_PROG_TYPE_SYSCALL, bad_map, NR(bad_map), 0), EBADF);
	EXPECT_SYSERR(load(BPF_PROG_TYPE_SYSCALL, ok, 0, 0), E2BIG);
	/* syscall programs are sleepable, raw_tp ones are not */
	a.prog_type = BPF_PROG_TYPE_SYSCALL;
	a.insns = (uintptr_t)ok;
	a.insn_cnt = NR(ok);
	a.license = (uintptr_t)"GPL";
	EXPECT_SYSERR(sys_bpf(BPF_PROG_LOAD, &a), EINVAL);
	a.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
	a.prog_flags = BPF_F_SLEEPABLE;
	EXPECT_SYSERR(sys_bpf(BPF_PROG_LOAD, &a), EINVAL);
	a.prog_flags = 1U << 30;
	EXPECT_SYSERR(sys_bpf(BPF_PROG_LOAD, &a), EINVAL);
	a.prog_flags = 0;
	a.insns = 8;	/* unmapped */
	EXPECT_SYSERR(sys_bpf(BPF_PROG_LOAD, &a), EFAULT);
	a.insns = (uintptr_t)ok;
	a.log_buf = (uintptr_t)log_buf;	/* a buffer without a size */
	a.log_level = 1;
	EXPECT_SYSERR(sys_bpf(BPF_PROG_LOAD, &a), EINVAL);
}

static void log_names_the_refused_instruction(void)
{
	const struct bpf_insn bad_jump[] = { MOV64_IMM(0, 0), JA(5), EXIT() };
	const struct bpf_insn ok[] = { MOV64_IMM(0, 0), EXIT() };
	int fd;

	EXPECT_SYSERR(load(BPF_PROG_TYPE_SYSCALL, bad_jump, NR(bad_jump), sizeof(log_buf)),
		      EINVAL);
	EXPECT(log_buf[0] != 0);
	/* kbpf's line names the instruction: "1: jump out of range ..." */
	if (on_kbpf && !strstr(log_buf, "1: "))
		tap_fail("log without the instruction: %s", log_buf);
	fd = load(BPF_PROG_TYPE_SYSCALL, ok, NR(ok), sizeof(log_buf));
	EXPECT(fd >= 0);
	EXPECT(strstr(log_buf, "processed 2 insns") != NULL);
	close(fd);
	/* a log that does not fit: ENOSPC, and no program (6.1: under 128 bytes, EINVAL) */
	EXPECT_SYSERR(load(BPF_PROG_TYPE_SYSCALL, ok, NR(ok), 8), kernel_is_61() ? EINVAL : ENOSPC);
	fd = load(BPF_PROG_TYPE_SYSCALL, ok, NR(ok), 128);
	EXPECT(fd >= 0);
	close(fd);
}

/* The same instructions give the same tag on both; info names the maps. */
static void info_tag_maps_and_ids(void)
{
	int map = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4), fd, fd2;
	const struct bpf_insn insns[] = {
		LD_MAP(1, map),
		MOV64_IMM(0, 0),
		EXIT(),
	};
	struct bpf_prog_info info;
	uint32_t ids[4] = { 0 };
	union bpf_attr a = {};
	struct bpf_insn dump[3];

	fd = load(BPF_PROG_TYPE_SYSCALL, insns, NR(insns), 0);
	EXPECT(fd >= 0);
	EXPECT_SYSERR(prog_info(fd, &info, ids, 4), 0);
	EXPECT_EQ(info.type, BPF_PROG_TYPE_SYSCALL);
	EXPECT(info.id != 0);
	EXPECT_EQ(info.nr_map_ids, 1);
	EXPECT(ids[0] != 0);
	EXPECT(!strcmp(info.name, "kbpf_test"));
	EXPECT(info.xlated_prog_len >= sizeof(insns));
	EXPECT_EQ(info.gpl_compatible, 1);
	printf("# %s tag %02x%02x%02x%02x%02x%02x%02x%02x\n", on_kbpf ? "kbpf" : "kernel",
	       info.tag[0], info.tag[1], info.tag[2], info.tag[3], info.tag[4],
	       info.tag[5], info.tag[6], info.tag[7]);
	/* the dump shows the map by id, never an address */
	if (on_kbpf) {
		memset(&info, 0, sizeof(info));
		info.xlated_prog_len = sizeof(dump);
		info.xlated_prog_insns = (uintptr_t)dump;
		a.info.bpf_fd = fd;
		a.info.info_len = sizeof(info);
		a.info.info = (uintptr_t)&info;
		EXPECT_SYSERR(sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a), 0);
		EXPECT_EQ(dump[0].imm, ids[0]);
		EXPECT_EQ(dump[1].imm, 0);
	}
	/* ids */
	a = (union bpf_attr){ .prog_id = info.id };
	fd2 = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
	EXPECT(fd2 >= 0);
	EXPECT_SYSERR(prog_info(fd2, &info, NULL, 0), 0);
	EXPECT_EQ(info.nr_map_ids, 1);
	close(fd2);
	close(fd);
	close(map);
}

/* The tag is the kernel's: computed here as the kernel does is not needed,
 * loading the same instructions on both backends must give the same one. */
static uint8_t tags[2][8];

static void tag_of(int b, const struct abpf_sys *sys)
{
	const struct bpf_insn insns[] = {
		MOV64_IMM(0, 7), ALU64_IMM(BPF_LSH, 0, 3), LD_IMM64(1, 0x1122334455667788ULL),
		ALU64_REG(BPF_XOR, 0, 1), EXIT(),
	};
	const struct abpf_sys *save = B;
	struct bpf_prog_info info;
	int fd;

	B = sys;
	fd = load(BPF_PROG_TYPE_SYSCALL, insns, NR(insns), 0);
	if (fd >= 0 && !prog_info(fd, &info, NULL, 0))
		memcpy(tags[b], info.tag, 8);
	if (fd >= 0)
		close(fd);
	B = save;
}

static void tag_matches_the_kernels(void)
{
	tag_of(0, abpf_sys_libc());
	tag_of(1, abpf_sys_kbpf());
	EXPECT(memcmp(tags[0], (uint8_t[8]){ 0 }, 8) != 0);
	EXPECT(!memcmp(tags[0], tags[1], 8));
}

/* raw_syscalls:sys_enter counting getpid() calls of this process. */
static void raw_tracepoint_counts_syscalls(void)
{
	int map = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1), fd, link, i;
	const struct bpf_insn insns[] = {
		LDX(BPF_DW, 6, 1, 8),		/* args[1]: the syscall number */
		JMP_IMM(BPF_JNE, 6, SYS_getppid, 10),
		CALL(BPF_FUNC_get_current_pid_tgid),
		ALU64_IMM(BPF_RSH, 0, 32),
		LD_IMM64(1, 0),			/* patched: our tgid */
		ALU64_REG(BPF_SUB, 0, 1),
		JMP_IMM(BPF_JNE, 0, 0, 4),
		LD_MAP_VALUE(1, map, 0),
		MOV64_IMM(2, 1),
		ATOMIC_ADD64(1, 2, 0),
		MOV64_IMM(0, 0),
		EXIT(),
	};
	struct bpf_insn p[NR(insns)];
	union bpf_attr a = {};
	uint64_t count = 0;
	uint32_t key = 0;

	memcpy(p, insns, sizeof(p));
	p[4].imm = getpid();
	EXPECT(map >= 0);
	fd = load(BPF_PROG_TYPE_RAW_TRACEPOINT, p, NR(p), 0);
	EXPECT(fd >= 0);
	a.raw_tracepoint.name = (uintptr_t)"sys_enter";
	a.raw_tracepoint.prog_fd = fd;
	link = (int)sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
	EXPECT(link >= 0);
	for (i = 0; i < 100; i++)
		syscall(SYS_getppid);
	close(link);
	for (i = 0; i < 10; i++)	/* detached: these do not count */
		syscall(SYS_getppid);
	EXPECT_SYSERR(map_lookup(map, &key, &count), 0);
	EXPECT_EQ(count, 100);
	a.raw_tracepoint.name = (uintptr_t)"no_such_tracepoint_anywhere";
	EXPECT_SYSERR(sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a), ENOENT);
	close(fd);
	close(map);
}

/* kbpf only: what the kernel's verifier would have refused stops at run time. */
static void kbpf_stops_bad_accesses_and_loops(void)
{
	const struct bpf_insn wild[] = {	/* a store through a made-up pointer */
		LD_IMM64(1, 0xffff888000000000ULL), ST(BPF_DW, 1, 0, 1),
		MOV64_IMM(0, 0), EXIT(),
	};
	const struct bpf_insn past_stack[] = {	/* below the frame's 512 bytes */
		ST(BPF_DW, 10, -520, 1), MOV64_IMM(0, 0), EXIT(),
	};
	const struct bpf_insn ctx_write[] = {	/* raw_tp ctx is read-only */
		ST(BPF_DW, 1, 0, 1), MOV64_IMM(0, 0), EXIT(),
	};
	const struct bpf_insn forever[] = { JA(-1), EXIT() };
	uint64_t args[2] = { 1, 2 };
	uint32_t ret = 7;
	int fd;

	fd = load(BPF_PROG_TYPE_SYSCALL, wild, NR(wild), 0);
	EXPECT_SYSERR(test_run(fd, NULL, 0, 0, 0, &ret), EFAULT);
	close(fd);
	fd = load(BPF_PROG_TYPE_SYSCALL, past_stack, NR(past_stack), 0);
	EXPECT_SYSERR(test_run(fd, NULL, 0, 0, 0, &ret), EFAULT);
	close(fd);
	fd = load(BPF_PROG_TYPE_RAW_TRACEPOINT, ctx_write, NR(ctx_write), 0);
	EXPECT_SYSERR(test_run(fd, args, sizeof(args), 0, 0, &ret), EFAULT);
	close(fd);
	fd = load(BPF_PROG_TYPE_SYSCALL, forever, NR(forever), 0);
	EXPECT_SYSERR(test_run(fd, NULL, 0, 0, 0, &ret), E2BIG);
	close(fd);
}

/* kbpf only: a program faulting on every event neither stops the events nor the guest. */
static void kbpf_faulting_tracepoint_program_is_counted(void)
{
	const struct bpf_insn insns[] = {
		LDX(BPF_DW, 0, 1, 4096), EXIT(),	/* past the arguments */
	};
	struct bpf_prog_info info;
	union bpf_attr a = {};
	int fd, link, i;

	fd = load(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, NR(insns), 0);
	EXPECT(fd >= 0);
	a.raw_tracepoint.name = (uintptr_t)"sys_enter";
	a.raw_tracepoint.prog_fd = fd;
	link = (int)sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
	EXPECT(link >= 0);
	for (i = 0; i < 1000; i++)
		syscall(SYS_getppid);
	close(link);
	EXPECT_SYSERR(prog_info(fd, &info, NULL, 0), 0);
	EXPECT(info.run_cnt >= 1000);
	close(fd);
}

/* kbpf only: bpf_trace_printk() writes into kbpf's own tracing instance. */
static void kbpf_trace_printk_goes_to_its_instance(void)
{
	/* "kbpf %d %s\n" on the stack, then trace_printk(fmt, 12, -5, "ok") */
	const struct bpf_insn insns[] = {
		LD_IMM64(1, 0x7325206425206662ULL),	/* "bf %d %s" reversed */
		STX(BPF_DW, 10, 1, -16),
		ST(BPF_W, 10, -8, 0x000a6b20),		/* " k\n\0": see below */
		ST(BPF_H, 10, -20, 0x6b6f),		/* "ok" */
		ST(BPF_B, 10, -18, 0),
		MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -16),
		MOV64_IMM(2, 12),
		MOV64_IMM(3, -5),
		MOV64_REG(4, 10), ALU64_IMM(BPF_ADD, 4, -20),
		CALL(BPF_FUNC_trace_printk),
		EXIT(),
	};
	const char *path = "/sys/kernel/tracing/instances/kbpf/trace";
	static char buf[1 << 20];
	uint32_t ret = 0;
	size_t n = 0;
	ssize_t got;
	FILE *f;
	int fd;

	if (access("/sys/kernel/tracing/instances", F_OK))
		system("mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null");
	/* what earlier tests (the fuzzer's programs) printed goes first */
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd >= 0)
		close(fd);
	fd = load(BPF_PROG_TYPE_SYSCALL, insns, NR(insns), 0);
	EXPECT(fd >= 0);
	EXPECT_SYSERR(test_run(fd, NULL, 0, 0, 0, &ret), 0);
	/*
	 * "bf %d %s" + " k\n": the format is "bf %d %s k\n" (the kernel
	 * refuses %s followed by a letter)
	 */
	EXPECT_EQ(ret, strlen("bf -5 ok k\n"));
	f = fopen(path, "r");
	EXPECT(f != NULL);
	if (f) {
		while (n < sizeof(buf) - 1 && (got = fread(buf + n, 1, sizeof(buf) - 1 - n, f)) > 0)
			n += got;
		fclose(f);
	}
	buf[n] = 0;
	EXPECT(strstr(buf, "bf -5 ok k") != NULL);
	if (!strstr(buf, "bf -5 ok k"))
		printf("#   trace: %.300s\n", buf);
	close(fd);
}

/* kbpf only: /sys/kernel/debug/kbpf lists maps and programs. */
static bool file_has(const char *path, const char *what)
{
	char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return strstr(buf, what) != NULL;
}

static void kbpf_debugfs_lists_maps_and_programs(void)
{
	union bpf_attr a = {
		.map_type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 8,
		.max_entries = 16,
	};
	char line[128];
	int map, fd;
	uint32_t key = 0, ret;
	uint64_t value = 7;

	if (access("/sys/kernel/debug/kbpf", F_OK))
		system("mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null");
	strcpy(a.map_name, "dbgfs_map");
	map = (int)sys_bpf(BPF_MAP_CREATE, &a);
	EXPECT(map >= 0);
	{
		/* two lookups and a delete of key 0 (on the stack) */
		const struct bpf_insn ops[] = {
			ST(BPF_W, 10, -4, 0),
			LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
			CALL(BPF_FUNC_map_lookup_elem),
			LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
			CALL(BPF_FUNC_map_lookup_elem),
			LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
			CALL(BPF_FUNC_map_delete_elem),
			MOV64_IMM(0, 0), EXIT(),
		};

		fd = load(BPF_PROG_TYPE_SYSCALL, ops, NR(ops), 0);
	}
	EXPECT(fd >= 0);
	/* from bpf(2): an update, a lookup, a get_next_key; then the program */
	{
		union bpf_attr u = { .map_fd = map, .key = (uintptr_t)&key,
				     .value = (uintptr_t)&value };
		union bpf_attr n = { .map_fd = map, .next_key = (uintptr_t)&key };

		EXPECT(sys_bpf(BPF_MAP_UPDATE_ELEM, &u) == 0);
		EXPECT(map_lookup(map, &key, &value) == 0);
		EXPECT(sys_bpf(BPF_MAP_GET_NEXT_KEY, &n) == 0);
	}
	EXPECT(test_run(fd, NULL, 0, 0, 0, &ret) == 0);
	snprintf(line, sizeof(line), "\t%u\t4\t8\t16\t", BPF_MAP_TYPE_HASH);
	EXPECT(file_has("/sys/kernel/debug/kbpf/maps", line));
	/* lookups, updates, deletes, other operations, then the name */
	EXPECT(file_has("/sys/kernel/debug/kbpf/maps", "\t3\t1\t1\t1\tdbgfs_map\n"));
	EXPECT(file_has("/sys/kernel/debug/kbpf/progs", "\tkbpf_test\n"));
	EXPECT(file_has("/sys/kernel/debug/kbpf/memory", "used\t"));
	close(fd);
	close(map);
}

static const struct tap_test both[] = {
	TAP_TEST(syscall_prog_reads_and_writes_its_ctx),
	TAP_TEST(raw_tp_prog_reads_its_arguments),
	TAP_TEST(hash_helpers_count_per_key),
	TAP_TEST(map_value_relocation_is_global_data),
	TAP_TEST(load_refuses_broken_programs),
	TAP_TEST(log_names_the_refused_instruction),
	TAP_TEST(info_tag_maps_and_ids),
	TAP_TEST(raw_tracepoint_counts_syscalls),
};

static const struct tap_test kbpf_only[] = {
	TAP_TEST(tag_matches_the_kernels),
	TAP_TEST(kbpf_stops_bad_accesses_and_loops),
	TAP_TEST(kbpf_faulting_tracepoint_program_is_counted),
	TAP_TEST(kbpf_trace_printk_goes_to_its_instance),
	TAP_TEST(kbpf_debugfs_lists_maps_and_programs),
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	B = abpf_sys_libc();
	tap_run(both, TAP_COUNT(both), "prog (kernel): ");
	B = abpf_sys_kbpf();
	on_kbpf = true;
	tap_run(both, TAP_COUNT(both), "prog (kbpf): ");
	tap_run(kbpf_only, TAP_COUNT(kbpf_only), "prog (kbpf): ");
	return tap_done();
}
