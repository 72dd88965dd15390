/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * For BPF programs built with clang -target bpf and loaded by libabpf's
 * object loader (<abpf/object.h>): section and map-definition macros and
 * the helpers kbpf provides, declared by their Linux helper ids (the
 * kernel's own <linux/bpf.h> numbering), so no libbpf header is needed.
 */
#ifndef ABPF_BPF_PROG_H
#define ABPF_BPF_PROG_H

#include <linux/types.h>
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define __noinline __attribute__((noinline))

/* A legacy map definition, as the object loader reads it from "maps". */
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

/* DEFINE_MAP(name, type, key size, value size, entries, flags) */
#define DEFINE_MAP(n, t, k, v, e, f)					\
	struct bpf_map_def SEC("maps") n = {				\
		.type = (t), .key_size = (k), .value_size = (v),	\
		.max_entries = (e), .map_flags = (f),			\
	}

/* BTF-defined maps in ".maps", as libbpf's <bpf/bpf_helpers.h> has them. */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name

#define LICENSE(s) char _license[] SEC("license") = s

#define ABPF_HELPER(ret, name, ...) \
	static ret (*bpf_##name)(__VA_ARGS__) = (void *)BPF_FUNC_##name

ABPF_HELPER(void *, map_lookup_elem, void *map, const void *key);
ABPF_HELPER(long, map_update_elem, void *map, const void *key,
	    const void *value, __u64 flags);
ABPF_HELPER(long, map_delete_elem, void *map, const void *key);
ABPF_HELPER(long, map_push_elem, void *map, const void *value, __u64 flags);
ABPF_HELPER(long, map_pop_elem, void *map, void *value);
ABPF_HELPER(long, map_peek_elem, void *map, void *value);
ABPF_HELPER(void *, map_lookup_percpu_elem, void *map, const void *key,
	    __u32 cpu);
ABPF_HELPER(long, for_each_map_elem, void *map, void *callback_fn,
	    void *callback_ctx, __u64 flags);
ABPF_HELPER(long, probe_read_kernel, void *dst, __u32 size,
	    const void *unsafe_ptr);
ABPF_HELPER(long, probe_read_user_str, void *dst, __u32 size,
	    const void *unsafe_ptr);
ABPF_HELPER(__u64, ktime_get_ns, void);
ABPF_HELPER(long, trace_printk, const char *fmt, __u32 fmt_size, ...);
ABPF_HELPER(__u32, get_smp_processor_id, void);
ABPF_HELPER(__u64, get_current_pid_tgid, void);
ABPF_HELPER(long, perf_event_output, void *ctx, void *map, __u64 flags,
	    void *data, __u64 size);
ABPF_HELPER(long, ringbuf_output, void *ringbuf, void *data, __u64 size,
	    __u64 flags);
ABPF_HELPER(void *, ringbuf_reserve, void *ringbuf, __u64 size, __u64 flags);
ABPF_HELPER(void, ringbuf_submit, void *data, __u64 flags);
ABPF_HELPER(void, ringbuf_discard, void *data, __u64 flags);
ABPF_HELPER(__u64, ringbuf_query, void *ringbuf, __u64 flags);

#endif /* ABPF_BPF_PROG_H */
