/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The record ringstream and perfstream send: one per syscall entry. */
#ifndef EXAMPLE_STREAM_H
#define EXAMPLE_STREAM_H

struct stream_event {
	__u64 seq;	/* per program, from 0 */
	__u64 ktime_ns;
	__u32 pid, tid;
	__s64 syscall;	/* the syscall number, the tracepoint's 2nd arg */
	__u32 cpu, pad;
};

#endif
