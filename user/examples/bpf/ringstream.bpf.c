// SPDX-License-Identifier: GPL-2.0
/*
 * ringstream: one record per syscall entry of the process target_tgid
 * (set before the load), through a BPF_MAP_TYPE_RINGBUF; records that do
 * not fit are counted in dropped.
 */
#include <abpf/bpf_prog.h>
#include "stream.h"

DEFINE_MAP(events, BPF_MAP_TYPE_RINGBUF, 0, 0, 1 << 18, 0);

const volatile __u32 target_tgid;
__u64 seq, dropped;

SEC("raw_tp/sys_enter")
int ringstream(__u64 *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct stream_event *e;

	if ((__u32)(id >> 32) != target_tgid)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	e->seq = __sync_fetch_and_add(&seq, 1);
	e->ktime_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->syscall = (__s64)ctx[1];
	e->cpu = bpf_get_smp_processor_id();
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

LICENSE("GPL");
