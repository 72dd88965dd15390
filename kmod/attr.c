// SPDX-License-Identifier: GPL-2.0
/*
 * The bpf(2) attribute contract, as kernel/bpf/syscall.c implements it:
 * the size a caller passes, zero-extension, unused trailing fields and
 * object names.
 */
#include <linux/ctype.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kbpf.h"

/**
 * kbpf_check_uarg_tail_zero() - a caller's struct may be larger than ours
 * @uaddr:    the caller's struct
 * @expected: sizeof our struct
 * @actual:   the size the caller says
 *
 * Return: 0 if the bytes past @expected are zero (or there are none);
 * -E2BIG if one is set or @actual exceeds a page; -EFAULT.
 */
int kbpf_check_uarg_tail_zero(bpfptr_t uaddr, size_t expected, size_t actual)
{
	int zero;

	if (actual > PAGE_SIZE)
		return -E2BIG;
	if (actual <= expected)
		return 0;
	if (bpfptr_is_kernel(uaddr))
		zero = !memchr_inv(uaddr.kernel + expected, 0, actual - expected);
	else
		zero = check_zeroed_user(uaddr.user + expected, actual - expected);
	if (zero < 0)
		return zero;
	return zero ? 0 : -E2BIG;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_check_uarg_tail_zero);

/**
 * kbpf_attr_copy() - load a caller's union bpf_attr
 * @attr:  filled with the caller's bytes, zero-extended
 * @uattr: the caller's buffer
 * @size:  its size in bytes
 *
 * A caller built against an older <linux/bpf.h> passes fewer bytes: the
 * rest reads as zero.  One built against a newer header passes more: that
 * is fine as long as the bytes kbpf does not know are all zero.
 *
 * Return: 0; -E2BIG if @size exceeds a page or a byte beyond
 * sizeof(union bpf_attr) is set; -EFAULT if @uattr cannot be read.
 */
int kbpf_attr_copy(union bpf_attr *attr, bpfptr_t uattr, u32 size)
{
	int err = kbpf_check_uarg_tail_zero(uattr, sizeof(*attr), size);

	if (err)
		return err;
	size = min_t(u32, size, sizeof(*attr));
	if (copy_from_bpfptr(attr, uattr, size))
		return -EFAULT;
	memset((u8 *)attr + size, 0, sizeof(*attr) - size);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_attr_copy);

/**
 * kbpf_attr_tail_is_zero() - are all fields a command does not use zero?
 * @attr:   the loaded attr
 * @end:    offset just past the last field the command reads
 * @loaded: bytes kbpf_attr_copy() loaded; it zeroed the rest, so only
 *          these need a look
 *
 * bpf(2) refuses a command with EINVAL when a field it does not read is
 * set, so that fields can be given a meaning later.
 */
bool kbpf_attr_tail_is_zero(const union bpf_attr *attr, size_t end, size_t loaded)
{
	loaded = min(loaded, sizeof(*attr));
	return loaded <= end || !memchr_inv((const u8 *)attr + end, 0, loaded - end);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_attr_tail_is_zero);

/**
 * kbpf_obj_name_cpy() - copy and validate an object name
 * @dst:  BPF_OBJ_NAME_LEN bytes, zero-filled then written
 * @src:  the name field of an attr
 * @size: its size
 *
 * Names are made of alphanumerics, '_' and '.' and must be terminated
 * within @size bytes; an empty name is fine.
 *
 * Return: the name's length, or -EINVAL.
 */
int kbpf_obj_name_cpy(char *dst, const char *src, size_t size)
{
	size_t i;

	memset(dst, 0, size);
	for (i = 0; i < size && src[i]; i++) {
		if (!isalnum(src[i]) && src[i] != '_' && src[i] != '.')
			return -EINVAL;
		dst[i] = src[i];
	}
	if (i == size)
		return -EINVAL;
	return i;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_obj_name_cpy);
