// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the bpf(2) attribute contract - sizes, zero-extension, unused
 * fields, object names - through kernel and user pointers.
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kbpf.h"

#define ATTR_SZ sizeof(union bpf_attr)

/* A zeroed kernel buffer of @size bytes, freed with the test. */
static u8 *attr_buf(struct kunit *test, size_t size)
{
	u8 *buf = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	return buf;
}

static void attr_copy_zero_extends_a_short_attr(struct kunit *test)
{
	u8 *buf = attr_buf(test, ATTR_SZ);
	union bpf_attr attr;

	memset(buf, 0xa5, ATTR_SZ);
	memset(&attr, 0xff, sizeof(attr));
	KUNIT_EXPECT_EQ(test, kbpf_attr_copy(&attr, KERNEL_BPFPTR(buf), 8), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&attr, buf, 8), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv((u8 *)&attr + 8, 0, ATTR_SZ - 8));
}

/* bpf(cmd, NULL, 0) is an all-zero attr (user pointers; kernel NULL faults). */
static void attr_copy_of_size_zero_is_all_zero(struct kunit *test)
{
	union bpf_attr attr;

	memset(&attr, 0xff, sizeof(attr));
	KUNIT_EXPECT_EQ(test, kbpf_attr_copy(&attr, USER_BPFPTR(NULL), 0), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(&attr, 0, sizeof(attr)));
}

static void attr_copy_accepts_a_larger_attr_with_zero_tail(struct kunit *test)
{
	u8 *buf = attr_buf(test, PAGE_SIZE);
	union bpf_attr attr;

	buf[0] = 7;
	KUNIT_EXPECT_EQ(test, kbpf_attr_copy(&attr, KERNEL_BPFPTR(buf), ATTR_SZ + 1), 0);
	KUNIT_EXPECT_EQ(test, kbpf_attr_copy(&attr, KERNEL_BPFPTR(buf), PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, attr.map_type, 7);
}

static void attr_copy_refuses_a_set_byte_past_the_union(struct kunit *test)
{
	u8 *buf = attr_buf(test, PAGE_SIZE);
	union bpf_attr attr;

	buf[ATTR_SZ] = 1;
	KUNIT_EXPECT_EQ(test, kbpf_attr_copy(&attr, KERNEL_BPFPTR(buf), ATTR_SZ + 1), -E2BIG);
	buf[ATTR_SZ] = 0;
	buf[PAGE_SIZE - 1] = 1;
	KUNIT_EXPECT_EQ(test, kbpf_attr_copy(&attr, KERNEL_BPFPTR(buf), PAGE_SIZE), -E2BIG);
	/* A size that stops short of the set byte does not see it. */
	KUNIT_EXPECT_EQ(test, kbpf_attr_copy(&attr, KERNEL_BPFPTR(buf), PAGE_SIZE - 1), 0);
}

static void attr_copy_refuses_more_than_a_page(struct kunit *test)
{
	u8 *buf = attr_buf(test, PAGE_SIZE + 1);
	union bpf_attr attr;

	KUNIT_EXPECT_EQ(test, kbpf_attr_copy(&attr, KERNEL_BPFPTR(buf), PAGE_SIZE + 1), -E2BIG);
	KUNIT_EXPECT_EQ(test, kbpf_attr_copy(&attr, KERNEL_BPFPTR(buf), U32_MAX), -E2BIG);
}

/* The user-pointer path, through a user mapping of the test's own. */
static void attr_copy_from_user_memory(struct kunit *test)
{
	unsigned long uaddr;
	union bpf_attr attr;
	u32 type = BPF_MAP_TYPE_ARRAY;
	u8 *user;

	uaddr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, uaddr, 0, "cannot map user memory");
	user = (u8 *)uaddr;

	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)user, &type, sizeof(type)), 0);
	KUNIT_EXPECT_EQ(test, kbpf_attr_copy(&attr, USER_BPFPTR((void __user *)user),
					     PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, attr.map_type, BPF_MAP_TYPE_ARRAY);

	/* The tail runs off the end of the mapping. */
	KUNIT_EXPECT_EQ(test,
			kbpf_attr_copy(&attr, USER_BPFPTR((void __user *)(user + 8)),
				       PAGE_SIZE),
			-EFAULT);
	/* The attr itself runs off the end of the mapping. */
	KUNIT_EXPECT_EQ(test,
			kbpf_attr_copy(&attr,
				       USER_BPFPTR((void __user *)(user + PAGE_SIZE - 8)),
				       ATTR_SZ),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, kbpf_attr_copy(&attr, USER_BPFPTR(NULL), 8), -EFAULT);
}

static void attr_tail_is_zero_looks_only_past_end(struct kunit *test)
{
	union bpf_attr attr;
	size_t end = offsetofend(union bpf_attr, flags);

	memset(&attr, 0, sizeof(attr));
	memset(&attr, 0xff, end);
	KUNIT_EXPECT_TRUE(test, kbpf_attr_tail_is_zero(&attr, end, ATTR_SZ));
	((u8 *)&attr)[end] = 1;
	KUNIT_EXPECT_FALSE(test, kbpf_attr_tail_is_zero(&attr, end, ATTR_SZ));
	KUNIT_EXPECT_FALSE(test, kbpf_attr_tail_is_zero(&attr, end, end + 1));
	/* what was not loaded, kbpf_attr_copy() zeroed: not looked at */
	KUNIT_EXPECT_TRUE(test, kbpf_attr_tail_is_zero(&attr, end, end));
	((u8 *)&attr)[end] = 0;
	((u8 *)&attr)[ATTR_SZ - 1] = 1;
	KUNIT_EXPECT_FALSE(test, kbpf_attr_tail_is_zero(&attr, end, ATTR_SZ));
	KUNIT_EXPECT_FALSE(test, kbpf_attr_tail_is_zero(&attr, end, PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, kbpf_attr_tail_is_zero(&attr, ATTR_SZ, ATTR_SZ));
}

static void obj_name_accepts_alnum_underscore_dot(struct kunit *test)
{
	char src[BPF_OBJ_NAME_LEN] = "my_map.v2", dst[BPF_OBJ_NAME_LEN];

	memset(dst, 'x', sizeof(dst));
	KUNIT_EXPECT_EQ(test, kbpf_obj_name_cpy(dst, src, sizeof(src)), 9);
	KUNIT_EXPECT_STREQ(test, dst, "my_map.v2");
	KUNIT_EXPECT_NULL(test, memchr_inv(dst + 9, 0, sizeof(dst) - 9));

	memset(src, 0, sizeof(src));
	KUNIT_EXPECT_EQ(test, kbpf_obj_name_cpy(dst, src, sizeof(src)), 0);
}

static void obj_name_refuses_other_chars_and_no_terminator(struct kunit *test)
{
	char src[BPF_OBJ_NAME_LEN] = "bad-name", dst[BPF_OBJ_NAME_LEN];

	KUNIT_EXPECT_EQ(test, kbpf_obj_name_cpy(dst, src, sizeof(src)), -EINVAL);
	strscpy(src, "space name", sizeof(src));
	KUNIT_EXPECT_EQ(test, kbpf_obj_name_cpy(dst, src, sizeof(src)), -EINVAL);
	memset(src, 'a', sizeof(src));
	KUNIT_EXPECT_EQ(test, kbpf_obj_name_cpy(dst, src, sizeof(src)), -EINVAL);
}

/* Through the command dispatcher: the checks that come before any command. */
static int sys_bpf(u32 cmd, union bpf_attr *attr, u32 size)
{
	return kbpf_sys_bpf(cmd, KERNEL_BPFPTR(attr), size);
}

static void sys_bpf_refuses_unknown_commands(struct kunit *test)
{
	union bpf_attr attr = {};

	/* BTF is a command kbpf does not have */
	KUNIT_EXPECT_EQ(test, sys_bpf(BPF_BTF_LOAD, &attr, sizeof(attr)), -EINVAL);
	KUNIT_EXPECT_EQ(test, sys_bpf(999, &attr, sizeof(attr)), -EINVAL);
	KUNIT_EXPECT_EQ(test, sys_bpf(U32_MAX, &attr, sizeof(attr)), -EINVAL);
}

static void sys_bpf_checks_size_before_command(struct kunit *test)
{
	u8 *buf = attr_buf(test, PAGE_SIZE + 1);

	buf[PAGE_SIZE - 1] = 1;
	KUNIT_EXPECT_EQ(test, kbpf_sys_bpf(999, KERNEL_BPFPTR(buf), PAGE_SIZE), -E2BIG);
	KUNIT_EXPECT_EQ(test, kbpf_sys_bpf(999, KERNEL_BPFPTR(buf), PAGE_SIZE + 1), -E2BIG);
}

/* Each command refuses a set field past the last one it reads. */
static void sys_bpf_refuses_fields_a_command_does_not_read(struct kunit *test)
{
	static const struct {
		u32 cmd;
		size_t end;
	} cases[] = {
		{ BPF_MAP_CREATE,	offsetofend(union bpf_attr, map_extra) },
		{ BPF_MAP_LOOKUP_ELEM,	offsetofend(union bpf_attr, flags) },
		{ BPF_MAP_UPDATE_ELEM,	offsetofend(union bpf_attr, flags) },
		{ BPF_MAP_DELETE_ELEM,	offsetofend(union bpf_attr, key) },
		{ BPF_MAP_GET_NEXT_KEY,	offsetofend(union bpf_attr, next_key) },
		{ BPF_MAP_LOOKUP_AND_DELETE_ELEM, offsetofend(union bpf_attr, flags) },
		{ BPF_MAP_FREEZE,	offsetofend(union bpf_attr, map_fd) },
		{ BPF_MAP_GET_NEXT_ID,	offsetofend(union bpf_attr, next_id) },
		{ BPF_MAP_GET_FD_BY_ID,	offsetofend(union bpf_attr, open_flags) },
		{ BPF_OBJ_GET_INFO_BY_FD, offsetofend(union bpf_attr, info.info) },
		{ BPF_MAP_LOOKUP_BATCH,	offsetofend(union bpf_attr, batch.flags) },
		{ BPF_MAP_LOOKUP_AND_DELETE_BATCH, offsetofend(union bpf_attr, batch.flags) },
		{ BPF_MAP_UPDATE_BATCH,	offsetofend(union bpf_attr, batch.flags) },
		{ BPF_MAP_DELETE_BATCH,	offsetofend(union bpf_attr, batch.flags) },
	};
	union bpf_attr attr;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = U32_MAX;	/* never looked up: the check comes first */
		((u8 *)&attr)[cases[i].end] = 1;
		KUNIT_EXPECT_EQ_MSG(test, sys_bpf(cases[i].cmd, &attr, sizeof(attr)),
				    -EINVAL, "cmd %u", cases[i].cmd);
		memset(&attr, 0, sizeof(attr));
		((u8 *)&attr)[ATTR_SZ - 1] = 1;
		KUNIT_EXPECT_EQ_MSG(test, sys_bpf(cases[i].cmd, &attr, sizeof(attr)),
				    -EINVAL, "cmd %u", cases[i].cmd);
	}
}

static void sys_bpf_map_commands_refuse_a_bad_fd(struct kunit *test)
{
	union bpf_attr attr = { .map_fd = U32_MAX };

	KUNIT_EXPECT_EQ(test, sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)), -EBADF);
	KUNIT_EXPECT_EQ(test, sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)), -EBADF);
	KUNIT_EXPECT_EQ(test, sys_bpf(BPF_MAP_DELETE_ELEM, &attr, sizeof(attr)), -EBADF);
	KUNIT_EXPECT_EQ(test, sys_bpf(BPF_MAP_GET_NEXT_KEY, &attr, sizeof(attr)), -EBADF);
	/* Unknown lookup flags are refused before the fd is looked at. */
	attr.flags = 1ULL << 40;
	KUNIT_EXPECT_EQ(test, sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)), -EINVAL);
}

static struct kunit_case kbpf_attr_cases[] = {
	KUNIT_CASE(attr_copy_zero_extends_a_short_attr),
	KUNIT_CASE(attr_copy_of_size_zero_is_all_zero),
	KUNIT_CASE(attr_copy_accepts_a_larger_attr_with_zero_tail),
	KUNIT_CASE(attr_copy_refuses_a_set_byte_past_the_union),
	KUNIT_CASE(attr_copy_refuses_more_than_a_page),
	KUNIT_CASE(attr_copy_from_user_memory),
	KUNIT_CASE(attr_tail_is_zero_looks_only_past_end),
	KUNIT_CASE(obj_name_accepts_alnum_underscore_dot),
	KUNIT_CASE(obj_name_refuses_other_chars_and_no_terminator),
	KUNIT_CASE(sys_bpf_refuses_unknown_commands),
	KUNIT_CASE(sys_bpf_checks_size_before_command),
	KUNIT_CASE(sys_bpf_refuses_fields_a_command_does_not_read),
	KUNIT_CASE(sys_bpf_map_commands_refuse_a_bad_fd),
	{}
};

static struct kunit_suite kbpf_attr_suite = {
	.name = "kbpf_attr",
	.test_cases = kbpf_attr_cases,
};

kunit_test_suite(kbpf_attr_suite);
