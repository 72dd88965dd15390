// SPDX-License-Identifier: GPL-2.0
/* syscount: every syscall entry counted per process (tgid) in a HASH map. */
#include <abpf/bpf_prog.h>

DEFINE_MAP(counts, BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u64), 4096, 0);

SEC("raw_tp/sys_enter")
int syscount(__u64 *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *v;

	(void)ctx;
	v = bpf_map_lookup_elem(&counts, &pid);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&counts, &pid, &one, BPF_NOEXIST);
	return 0;
}

LICENSE("GPL");
