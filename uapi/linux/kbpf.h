/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kbpf: the BPF map and program runtime of kbpf.ko, reached through the
 * misc device /dev/kbpf.
 *
 * KBPF_IOC_BPF carries one bpf(2) call: @cmd is an enum bpf_cmd, @attr
 * points to the caller's union bpf_attr from <linux/bpf.h> and @size is
 * the size the caller would pass to bpf(2).  The result is what bpf(2)
 * returns: a new file descriptor or 0 on success, -1 with errno set on
 * failure.  Sizes are checked as bpf(2) checks them: a larger attr whose
 * extra bytes are not zero fails with E2BIG, a smaller one is treated as
 * zero-extended.  Commands kbpf does not implement fail with EINVAL.
 *
 * Object file descriptors (maps, later programs) are kbpf's own: they are
 * valid in KBPF_IOC_BPF calls only, are created O_CLOEXEC, and close()
 * releases them as it does for bpf(2) objects.
 */
#ifndef _UAPI_LINUX_KBPF_H
#define _UAPI_LINUX_KBPF_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KBPF_DEVICE_PATH	"/dev/kbpf"

/* Free in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define KBPF_IOC_MAGIC		0xBF

/**
 * struct kbpf_bpf_call - one bpf(2) call carried over ioctl
 * @cmd:  enum bpf_cmd
 * @size: size of the buffer at @attr, as bpf(2)'s third argument
 * @attr: pointer to a union bpf_attr, as bpf(2)'s second argument
 */
struct kbpf_bpf_call {
	__u32 cmd;
	__u32 size;
	__aligned_u64 attr;
};

#define KBPF_IOC_BPF		_IOWR(KBPF_IOC_MAGIC, 0x00, struct kbpf_bpf_call)

#endif /* _UAPI_LINUX_KBPF_H */
