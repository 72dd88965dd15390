// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF_PROG_TYPE_SYSCALL program for test_prog_diff: its ctx is the
 * caller's buffer, which it reads and writes (BPF_PROG_TEST_RUN copies it
 * back), and it keeps sums in a HASH and an ARRAY, on both backends.
 */
#include <abpf/bpf_prog.h>

struct args {
	__u64 a, b;
	__u64 out;
	__u32 n, seen;
};

DEFINE_MAP(acc, BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u64), 32, 0);
DEFINE_MAP(arr, BPF_MAP_TYPE_ARRAY, sizeof(__u32), 2 * sizeof(__u64), 8, 0);

SEC("syscall")
int sys_prog(struct args *ctx)
{
	__u32 k = ctx->a % 31, i = ctx->b & 7, j;
	__u64 v = ctx->b, h = 0, *p;

	p = bpf_map_lookup_elem(&acc, &k);
	if (p) {
		*p += v;
		ctx->seen = 1;
	} else {
		bpf_map_update_elem(&acc, &k, &v, BPF_ANY);
		ctx->seen = 0;
	}
	for (j = 0; j < 16 && j < (ctx->n & 31); j++)
		h = h * 31 + (ctx->a >> j);
	p = bpf_map_lookup_elem(&arr, &i);
	if (p) {
		p[0] += h;
		p[1] ^= ctx->a;
	}
	ctx->out = h ^ v;
	return (int)(h & 0xffff);
}

LICENSE("GPL");
