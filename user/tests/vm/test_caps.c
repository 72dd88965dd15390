// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The permission model, against the kernel's on the same machine: a child
 * process drops capabilities (staying root, so /dev/kbpf's mode still lets
 * it in) and both backends must answer alike.
 *
 *   no CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN: no map, no program, no ids
 *     (unprivileged BPF disabled, Debian's default, which kbpf assumes);
 *     fds made before still work, within their modes;
 *   CAP_BPF alone: maps and syscall programs (which may read kernel
 *     memory, as the kernel lets them), but no raw_tp program without
 *     CAP_PERFMON; fd modes still hold.
 */
#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <abpf/abpf.h>
#include <linux/bpf.h>

#include "../tap.h"
#include "insn.h"

static const struct abpf_sys *B;

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return B->bpf(cmd, attr, sizeof(*attr));
}

/* Keep exactly the capabilities in @keep (bit numbers), effective and permitted. */
static int keep_caps(uint64_t keep)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	return (int)syscall(SYS_capset, &h, d);
}

static int map_create(uint32_t flags)
{
	union bpf_attr a = {
		.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8,
		.max_entries = 4, .map_flags = flags,
	};

	return (int)sys_bpf(BPF_MAP_CREATE, &a);
}

static int load(uint32_t type, const struct bpf_insn *insns, uint32_t n)
{
	union bpf_attr a = {
		.prog_type = type, .insns = (uintptr_t)insns, .insn_cnt = n,
		.license = (uintptr_t)"GPL",
		.prog_flags = type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0,
	};

	return (int)sys_bpf(BPF_PROG_LOAD, &a);
}

static long lookup(int fd)
{
	uint32_t key = 0;
	uint64_t value;
	union bpf_attr a = { .map_fd = fd, .key = (uintptr_t)&key,
			     .value = (uintptr_t)&value };

	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &a);
}

static long update(int fd)
{
	uint32_t key = 0;
	uint64_t value = 1;
	union bpf_attr a = { .map_fd = fd, .key = (uintptr_t)&key,
			     .value = (uintptr_t)&value };

	return sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
}

static const struct bpf_insn ok[] = { MOV64_IMM(0, 0), EXIT() };
static const struct bpf_insn reads_kernel[] = {
	MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8), MOV64_IMM(2, 8),
	MOV64_IMM(3, 0), CALL(BPF_FUNC_probe_read_kernel), MOV64_IMM(0, 0), EXIT(),
};

/* In a child without any BPF capability. */
static void no_capabilities(void)
{
	int before = map_create(0), ro = map_create(BPF_F_RDONLY);
	union bpf_attr a = {};

	EXPECT(before >= 0 && ro >= 0);
	EXPECT_SYSERR(keep_caps(0), 0);
	EXPECT_SYSERR(map_create(0), EPERM);
	EXPECT_SYSERR(load(BPF_PROG_TYPE_SYSCALL, ok, NR(ok)), EPERM);
	EXPECT_SYSERR(sys_bpf(BPF_MAP_GET_NEXT_ID, &a), EPERM);
	EXPECT_SYSERR(sys_bpf(BPF_PROG_GET_NEXT_ID, &a), EPERM);
	EXPECT_SYSERR(lookup(before), 0);
	EXPECT_SYSERR(update(ro), EPERM);
}

/* In a child with CAP_BPF only. */
static void cap_bpf_only(void)
{
	int map, ro, fd, fd2;

	EXPECT_SYSERR(keep_caps(1ULL << CAP_BPF), 0);
	map = map_create(0);
	ro = map_create(BPF_F_RDONLY);
	EXPECT(map >= 0 && ro >= 0);
	EXPECT_SYSERR(update(map), 0);
	EXPECT_SYSERR(update(ro), EPERM);
	EXPECT_SYSERR(lookup(ro), 0);
	fd = load(BPF_PROG_TYPE_SYSCALL, ok, NR(ok));
	EXPECT(fd >= 0);
	EXPECT_SYSERR(load(BPF_PROG_TYPE_RAW_TRACEPOINT, ok, NR(ok)), EPERM);
	fd2 = load(BPF_PROG_TYPE_SYSCALL, reads_kernel, NR(reads_kernel));
	EXPECT(fd2 >= 0);
}

/* Run @fn in a child (capabilities go with it), report its failures here. */
static void in_child(void (*fn)(void))
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		tap_cur_failures = 0;
		fn();
		fflush(stdout);
		_exit(tap_cur_failures ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		tap_fail("the child found the failures above (status %#x)", status);
}

static void no_capabilities_child(void)
{
	in_child(no_capabilities);
}

static void cap_bpf_only_child(void)
{
	in_child(cap_bpf_only);
}

static const struct tap_test tests[] = {
	TAP_TEST(no_capabilities_child),
	TAP_TEST(cap_bpf_only_child),
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	B = abpf_sys_libc();
	tap_run(tests, TAP_COUNT(tests), "caps (kernel): ");
	B = abpf_sys_kbpf();
	B->bpf(-1, NULL, 0);	/* opens /dev/kbpf while the process may */
	tap_run(tests, TAP_COUNT(tests), "caps (kbpf): ");
	return tap_done();
}
