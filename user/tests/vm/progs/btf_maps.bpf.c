// SPDX-License-Identifier: GPL-2.0
/*
 * BTF-defined maps (.maps, libbpf's __uint/__type) for the object
 * loader's tests: a HASH keyed by a struct, a PERCPU_HASH sized with
 * key_size/value_size, an ARRAY of structs and a RINGBUF, used by one
 * raw tracepoint program that test_prog_diff runs on both backends.
 */
#include <abpf/bpf_prog.h>

struct key {
	__u32 a;
	__u16 b, c;
};

struct val {
	__u64 sum;
	__u32 hits;
	__u32 last;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, struct key);
	__type(value, struct val);
} by_key SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
	__uint(map_flags, BPF_F_NO_PREALLOC);
} per_cpu SEC(".maps");

typedef struct val val_t;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, val_t[2]);
} pairs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 14);
} out SEC(".maps");

SEC("raw_tp/btf")
int btf_maps(__u64 *ctx)
{
	struct key k = { .a = ctx[0] % 5, .b = ctx[1] & 3, .c = 7 };
	__u32 pk = ctx[1] & 7, i = ctx[0] & 3;
	struct val nv = { .sum = ctx[1], .hits = 1, .last = (__u32)ctx[0] };
	struct val *v, (*pv)[2];
	__u64 one = 1, *c;

	v = bpf_map_lookup_elem(&by_key, &k);
	if (v) {
		v->sum += ctx[1];
		v->hits++;
		v->last = (__u32)ctx[0];
	} else {
		bpf_map_update_elem(&by_key, &k, &nv, BPF_NOEXIST);
	}
	c = bpf_map_lookup_elem(&per_cpu, &pk);
	if (c)
		*c += 1;
	else
		bpf_map_update_elem(&per_cpu, &pk, &one, BPF_ANY);
	pv = bpf_map_lookup_elem(&pairs, &i);
	if (pv) {
		(*pv)[ctx[1] & 1].sum ^= ctx[0];
		(*pv)[ctx[1] & 1].hits++;
	}
	if (ctx[0] & 1)
		bpf_ringbuf_output(&out, &k, sizeof(k), 0);
	return v ? (int)v->hits : 0;
}

LICENSE("GPL");
