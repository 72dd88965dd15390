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

/*
 * KBPF_IOC_PERF_BUFFER creates a perf buffer and returns a new file
 * descriptor for it (O_CLOEXEC, O_RDWR).  A perf buffer is kbpf's stand-in
 * for a perf_event_open(2) event of type PERF_TYPE_SOFTWARE, config
 * PERF_COUNT_SW_BPF_OUTPUT, sample_type PERF_SAMPLE_RAW on one CPU, which
 * is what bpf_perf_event_output() writes into: its fd is the value a kbpf
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY stores, and behaves as a perf event's does:
 *
 * - mmap(MAP_SHARED) at offset 0 of 1 + 2^n pages (n >= 0), or of the
 *   header page alone, creates the ring: a struct perf_event_mmap_page
 *   header page (<linux/perf_event.h>) followed by the data pages.  Other
 *   lengths, MAP_PRIVATE, and a further mmap() of another length while
 *   the ring is mapped fail with EINVAL; other offsets are perf's AUX
 *   area, which a perf buffer does not have (EINVAL, or EOPNOTSUPP once
 *   aux_offset and aux_size in the header describe the mapping).  The
 *   data pages cannot be written (SIGBUS); the header page can, for
 *   data_tail.  The ring goes when its last mapping does; the next mmap()
 *   creates a new one.
 * - Records are PERF_RECORD_SAMPLE: struct perf_event_header, a __u32
 *   size, the raw bytes, padding to 8 bytes (size counts the padding),
 *   with header.misc PERF_RECORD_MISC_KERNEL; and PERF_RECORD_LOST
 *   { header, __u64 id, __u64 lost } before the next record that fits
 *   once records did not.  data_head is published as perf publishes it.
 *   A ring mapped writable waits for userspace to advance data_tail; a
 *   ring whose first mapping is read-only overwrites old records, as a
 *   perf ring does.
 * - poll()/epoll: EPOLLHUP while there is no ring; EPOLLIN | EPOLLRDNORM
 *   once a wakeup happened since the last poll, else 0.  A wakeup comes
 *   every @wakeup_events records (if not 0), and whenever more than the
 *   watermark was written since the last one: @wakeup_watermark bytes
 *   with KBPF_PERF_BUFFER_WATERMARK, else half the ring.
 * - ioctl(): PERF_EVENT_IOC_ENABLE and PERF_EVENT_IOC_DISABLE (a disabled
 *   buffer refuses output with EOPNOTSUPP; buffers are created enabled)
 *   and PERF_EVENT_IOC_ID (the id in its PERF_RECORD_LOST records);
 *   others fail with ENOTTY.
 * - close() releases the buffer once no mapping and no map entry holds it.
 *
 * The ioctl fails with EFAULT for an unreadable attr, EINVAL for @size
 * below KBPF_PERF_BUFFER_ATTR_SIZE_VER0, unknown @flags, a CPU number
 * past the possible ones or a wakeup setting above INT_MAX, E2BIG for a
 * @size above the page size or bytes past what kbpf knows that are not
 * zero, ENODEV for a CPU that is not online, ENOMEM.
 */

/* KBPF_IOC_PERF_BUFFER: wake up at @wakeup_watermark bytes, not records. */
#define KBPF_PERF_BUFFER_WATERMARK	0x00000001U

/**
 * struct kbpf_perf_buffer_attr - KBPF_IOC_PERF_BUFFER's argument
 * @size:             sizeof(struct kbpf_perf_buffer_attr) as the caller
 *                    knows it; later versions append fields
 * @flags:            KBPF_PERF_BUFFER_*
 * @cpu:              the CPU whose BPF programs write into the buffer
 * @wakeup_events:    wake pollers every this many records (0: only at
 *                    the watermark), as perf_event_attr's
 * @wakeup_watermark: with KBPF_PERF_BUFFER_WATERMARK: wake pollers when
 *                    more than this many bytes were written since the
 *                    last wakeup (0: half the ring)
 */
struct kbpf_perf_buffer_attr {
	__u32 size;
	__u32 flags;
	__u32 cpu;
	union {
		__u32 wakeup_events;
		__u32 wakeup_watermark;
	};
};

#define KBPF_PERF_BUFFER_ATTR_SIZE_VER0	16

#define KBPF_IOC_PERF_BUFFER	_IOW(KBPF_IOC_MAGIC, 0x01, struct kbpf_perf_buffer_attr)

#endif /* _UAPI_LINUX_KBPF_H */
