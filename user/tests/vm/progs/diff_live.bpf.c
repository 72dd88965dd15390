// SPDX-License-Identifier: GPL-2.0
/*
 * Programs test_prog_diff attaches to raw_syscalls:sys_enter on both
 * backends: an exact per-syscall counter of one process (target_tgid, set
 * before the load), and, for kbpf only, one that faults on every event
 * (it reads through the pt_regs pointer, which the kernel's verifier
 * would refuse and kbpf stops at run time).
 */
#include <abpf/bpf_prog.h>

DEFINE_MAP(by_nr, BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u64), 512, 0);

const volatile __u32 target_tgid;
__u64 events, mine;

SEC("raw_tp/sys_enter")
int live_count(__u64 *ctx)
{
	__u32 nr = (__u32)ctx[1];
	__u64 one = 1, *v;

	__sync_fetch_and_add(&events, 1);
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	__sync_fetch_and_add(&mine, 1);
	v = bpf_map_lookup_elem(&by_nr, &nr);
	if (v)
		__sync_fetch_and_add(v, 1);
	else if (bpf_map_update_elem(&by_nr, &nr, &one, BPF_NOEXIST))
		/* Another CPU made it first. */
		if ((v = bpf_map_lookup_elem(&by_nr, &nr)))
			__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("raw_tp/sys_enter")
int live_fault(__u64 *ctx)
{
	return (int)*(volatile __u64 *)ctx[0];
}

LICENSE("GPL");
