// SPDX-License-Identifier: GPL-2.0
/*
 * Programs the differential program test (test_prog_diff) loads through
 * the object loader on bpf(2) and on kbpf and runs with the same inputs:
 * each is a raw tracepoint program whose ctx is u64 arguments, so
 * BPF_PROG_TEST_RUN gives it any input, and whose return value and maps
 * must come out the same on both.
 */
#include <abpf/bpf_prog.h>

DEFINE_MAP(counts, BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u64), 64, 0);
DEFINE_MAP(slots, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 16, 0);
DEFINE_MAP(pcpu, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), sizeof(__u64), 4, 0);
DEFINE_MAP(fifo, BPF_MAP_TYPE_QUEUE, 0, sizeof(__u64), 32, 0);
DEFINE_MAP(events, BPF_MAP_TYPE_RINGBUF, 0, 0, 1 << 16, 0);
DEFINE_MAP(atom, BPF_MAP_TYPE_ARRAY, sizeof(__u32), 8 * sizeof(__u64), 1, 0);

/* Global data: one of each section kind. */
__u64 runs = 7;				/* .data */
__u64 hist[8];				/* .bss */
const volatile __u64 mult = 0x9e3779b97f4a7c15ULL; /* .rodata */
static const __u32 table[16] = {	/* .rodata */
	3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3,
};

/* hash counting: counts[arg0 % 61] += arg1 % 100, a new key starts at 1 */
SEC("raw_tp/count")
int count(__u64 *ctx)
{
	__u32 key = ctx[0] % 61;
	__u64 add = ctx[1] % 100, one = 1, *v;

	v = bpf_map_lookup_elem(&counts, &key);
	if (v) {
		__sync_fetch_and_add(v, add);
		return (int)(*v & 0x7fffffff);
	}
	if (ctx[1] & 1) {
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
		return 1;
	}
	/* Even arg1: delete a neighbour instead. */
	key = (key + 1) % 61;
	return (int)bpf_map_delete_elem(&counts, &key);
}

/* array updates and the per-CPU array of the running CPU */
SEC("raw_tp/slots")
int slots_update(__u64 *ctx)
{
	__u32 i = ctx[0] & 15, p = ctx[0] & 3;
	__u64 val = ctx[1] * 3 + 1, *v;

	if (bpf_map_update_elem(&slots, &i, &val, BPF_ANY))
		return -1;
	v = bpf_map_lookup_elem(&pcpu, &p);
	if (!v)
		return -2;
	*v += ctx[1];
	i = (i + 1) & 15;
	v = bpf_map_lookup_elem(&slots, &i);
	return v ? (int)(*v & 0xffff) : -3;
}

/* queue: push arg1 when arg0 is odd, else pop and return the value */
SEC("raw_tp/queue")
int queue(__u64 *ctx)
{
	__u64 v = ctx[1];

	if (ctx[0] & 1)
		return (int)bpf_map_push_elem(&fifo, &v, 0);
	if (bpf_map_pop_elem(&fifo, &v))
		return -1000;
	return (int)(v & 0xffffff);
}

struct event {
	__u64 seq;
	__u64 a, b;
	__u32 kind, pad;
};

/* ringbuf: one record by output, one by reserve/submit, maybe discarded */
SEC("raw_tp/ring")
int ring(__u64 *ctx)
{
	struct event e = { .seq = runs, .a = ctx[0], .b = ctx[1], .kind = 1 };
	struct event *r;

	runs++;
	if (bpf_ringbuf_output(&events, &e, sizeof(e), 0))
		return -1;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r)
		return -2;
	r->seq = e.seq;
	r->a = ctx[0] ^ ctx[1];
	r->b = table[ctx[0] & 15];
	r->kind = 2;
	r->pad = 0;
	if (ctx[1] & 4) {
		bpf_ringbuf_discard(r, 0);
		return 1;
	}
	bpf_ringbuf_submit(r, 0);
	return 2;
}

/* bpf-to-bpf calls: three levels, each with its own stack */
static __noinline __u64 mix(__u64 x, __u64 y)
{
	volatile __u64 buf[4] = { x, y, x ^ y, x + y };

	return (buf[0] * mult) ^ (buf[1] >> 3) ^ buf[2] ^ (buf[3] << 1);
}

static __noinline __u64 fold(__u64 x)
{
	volatile __u32 parts[2] = { (__u32)x, (__u32)(x >> 32) };

	return mix(parts[0], parts[1]) + table[x & 15];
}

__noinline __u64 global_fold(__u64 x, __u64 y)
{
	return fold(x) ^ mix(y, x);
}

SEC("raw_tp/calls")
int calls(__u64 *ctx)
{
	__u64 r = global_fold(ctx[0], ctx[1]);
	__u32 k = 0;

	bpf_map_update_elem(&slots, &k, &r, BPF_ANY);
	return (int)(r >> 33);
}

/* global data: .data counter, .bss histogram, .rodata table */
SEC("raw_tp/globals")
int globals(__u64 *ctx)
{
	__u32 i = ctx[0] & 7;

	runs += table[ctx[1] & 15];
	hist[i] += ctx[1] & 0xff;
	return (int)((runs + hist[i]) & 0x7fffffff);
}

/* loops: bounded, with data-dependent exits */
SEC("raw_tp/loops")
int loops(__u64 *ctx)
{
	__u64 x = ctx[0] | 1, steps = 0, bits = 0, v = ctx[1];
	int i;

	for (i = 0; i < 200 && x != 1; i++) {
		x = (x & 1) ? 3 * x + 1 : x >> 1;
		steps++;
	}
	for (i = 0; i < 64; i++) {
		bits += v & 1;
		v >>= 1;
		if (!v)
			break;
	}
	return (int)(steps << 8 | bits);
}

/* atomics on a map value and on .bss */
SEC("raw_tp/atomics")
int atomics(__u64 *ctx)
{
	__u32 k = 0;
	__u64 *a = bpf_map_lookup_elem(&atom, &k), old, r = 0;

	if (!a)
		return -1;
	old = __sync_fetch_and_add(&a[0], ctx[0]);
	r ^= old;
	__sync_fetch_and_or(&a[1], ctx[1]);
	__sync_fetch_and_and(&a[2], ~ctx[0]);
	__sync_fetch_and_xor(&a[3], ctx[1]);
	r ^= __sync_lock_test_and_set(&a[4], ctx[0] + ctx[1]);
	r ^= __sync_val_compare_and_swap(&a[5], ctx[0] & 3, ctx[1]);
	__sync_fetch_and_add(&a[6], 1);
	r ^= __sync_fetch_and_sub(&a[7], ctx[1] & 0xff);
	__sync_fetch_and_add(&hist[ctx[0] & 7], 1);
	return (int)(r & 0x7fffffff);
}

LICENSE("GPL");
