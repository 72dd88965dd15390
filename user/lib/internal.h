/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* libabpf internals. */
#ifndef ABPF_INTERNAL_H
#define ABPF_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include <abpf/abpf.h>

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

static inline __u64 ptr_to_u64(const void *ptr)
{
	return (__u64)(uintptr_t)ptr;
}

/*
 * Run one bpf(2) command through @sys: the command's result, or a
 * negative errno, which is also left in errno.
 */
static inline long abpf_sys_bpf(const struct abpf_sys *sys, int cmd,
				union bpf_attr *attr, unsigned int size)
{
	long ret = sys->bpf(cmd, attr, size);

	if (ret < 0) {
		errno = *sys->errno_location();
		return -errno;
	}
	return ret;
}

#endif /* ABPF_INTERNAL_H */
