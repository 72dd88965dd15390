/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernel trees kbpf builds against (Debian 6.1
 * and 6.12), detected by kmod/Kbuild from the headers rather than from
 * version numbers.
 */
#ifndef _KBPF_COMPAT_H
#define _KBPF_COMPAT_H

#include <linux/file.h>
#include <linux/mm.h>

/* 6.12 hides struct fd's file behind fd_file(); 6.1 has the member. */
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

/* 6.3 made vm_flags writable through helpers only. */
#ifdef KBPF_COMPAT_VM_FLAGS
static inline void vm_flags_clear(struct vm_area_struct *vma,
				  unsigned long flags)
{
	vma->vm_flags &= ~flags;
}

static inline void vm_flags_set(struct vm_area_struct *vma,
				unsigned long flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * Where bpf(2) itself answers differently on the kernel lines kbpf targets,
 * kbpf answers as the kernel it is built for; KBPF_KV_MAJOR and
 * KBPF_KV_MINOR come from Kbuild.  Only 6.1 and 6.12 are known: a line in
 * between gets the behaviour of the older one.
 */
#define KBPF_KERNEL_VERSION	(KBPF_KV_MAJOR * 1000 + KBPF_KV_MINOR)	/* 6.12: 6012 */

/*
 * BPF_MAP_FREEZE: 6.12 wants a writable fd (EPERM otherwise, so also for a
 * map frozen already); 6.1 looks at no fd mode, answers EBUSY for a frozen
 * map, and wants CAP_BPF.
 */
#define KBPF_FREEZE_NEEDS_WRITABLE_FD	(KBPF_KERNEL_VERSION >= 6012)

/*
 * Privileged map types (QUEUE, STACK, ...) and CAP_BPF: 6.12 checks it in
 * map_create() after the type's attribute checks, so bad attributes are
 * EINVAL/E2BIG first; 6.1 checks it first thing in the type's
 * alloc_check, so EPERM wins.
 */
#define KBPF_MAP_CREATE_CAP_AFTER_TYPE_CHECKS	(KBPF_KERNEL_VERSION >= 6012)

/*
 * QUEUE and STACK: 6.12 refuses max_entries >= U32_MAX / value_size with
 * E2BIG; 6.1 has no such check and tries the allocation (ENOMEM when too
 * large).
 */
#define KBPF_QUEUE_STACK_LIMITS_SIZE	(KBPF_KERNEL_VERSION >= 6012)

/*
 * Hash maps: 6.12 hashes keys whose size is a multiple of 4 with jhash2(),
 * 6.1 every key with jhash(); with BPF_F_ZERO_SEED that decides the
 * order get_next_key and the batch commands walk a map in.
 */
#define KBPF_HTAB_JHASH2	(KBPF_KERNEL_VERSION >= 6012)

/*
 * BPF_PROG_LOAD: the last attr field, and the prog_flags 6.12 knows
 * beyond 6.1's (BPF_F_TOKEN_FD is refused: kbpf has no tokens).
 */
/* The verifier's log_level bits: level 1, 2, stats, and 6.4's fixed mode. */
#if KBPF_KERNEL_VERSION >= 6012
#define KBPF_LOG_MASK			15
#define KBPF_LOG_LEVEL_ALONE		1	/* log_level without a buffer */
#else
#define KBPF_LOG_MASK			7
#define KBPF_LOG_LEVEL_ALONE		0
#endif

#if KBPF_KERNEL_VERSION >= 6012
#define KBPF_PROG_LOAD_LAST_FIELD	prog_token_fd
#define KBPF_RAW_TP_LAST_FIELD		raw_tracepoint.cookie
#define KBPF_PROG_FLAGS_612		(BPF_F_XDP_DEV_BOUND_ONLY | BPF_F_TEST_REG_INVARIANTS)
#else
#define KBPF_PROG_LOAD_LAST_FIELD	core_relo_rec_size
#define KBPF_RAW_TP_LAST_FIELD		raw_tracepoint.prog_fd
#define KBPF_PROG_FLAGS_612		0
#endif

#endif /* _KBPF_COMPAT_H */
