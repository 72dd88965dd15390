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
#endif

#endif /* _KBPF_COMPAT_H */
