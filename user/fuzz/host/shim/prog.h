/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host build of kmod/check.c (the load-time checker) for its libFuzzer
 * target: what check.c takes from the kernel and from kmod/prog.h, in
 * userspace terms.  kbpf_helper_known() is the fuzz target's.
 */
#ifndef KBPF_FUZZ_HOST_PROG_H
#define KBPF_FUZZ_HOST_PROG_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;	/* as the kernel, for %llu */
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

#define BIT(n)			(1UL << (n))
#define U32_MAX			UINT32_MAX
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define EXPORT_SYMBOL_IF_KUNIT(sym)
#define GFP_KERNEL		0
#define __GFP_NOWARN		0

static inline void *kvzalloc(size_t size, int gfp)
{
	(void)gfp;
	return calloc(1, size ? size : 1);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}

/* as kmod/prog.h has them */
#ifndef BPF_MEMSX
#define BPF_MEMSX	0x80
#endif
#ifndef BPF_JCOND
#define BPF_JCOND	0xe0
#endif
#define KBPF_MAX_INSNS	1000000

struct kbpf_log {
	u32 level;
	char *buf;
	u32 size;
	u32 len;
	u32 true_len;
};

bool kbpf_helper_known(s32 id);
__printf(2, 3) void kbpf_log(struct kbpf_log *log, const char *fmt, ...);
int kbpf_check_prog(struct kbpf_log *log, const struct bpf_insn *insns, u32 len);

#endif /* KBPF_FUZZ_HOST_PROG_H */
