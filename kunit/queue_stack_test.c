// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK - creation checks, the
 * ring (wrap-around, full and empty edges, which value BPF_EXIST drops),
 * push/pop/peek as BPF programs call them (the ops table, also from hard
 * interrupt context and with the lock busy as in NMI), and the element
 * commands bpf(2) runs on them, here with kernel pointers.
 */
#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/hardirq.h>
#include <linux/irq_work.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kbpf.h"

static void map_put_action(void *map)
{
	kbpf_map_put(map);
}

static union bpf_attr qs_attr(u32 type, u32 value_size, u32 max_entries)
{
	union bpf_attr attr = {
		.map_type = type,
		.value_size = value_size,
		.max_entries = max_entries,
	};

	return attr;
}

/* A new map of @type, released when the test ends. */
static struct kbpf_map *new_qs(struct kunit *test, u32 type, u32 value_size,
			       u32 max_entries)
{
	union bpf_attr attr = qs_attr(type, value_size, max_entries);
	struct kbpf_map *map = kbpf_map_new(&attr);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);
	return map;
}

/* Program-side calls on 8-byte values. */
static long push(struct kbpf_map *map, u64 value, u64 flags)
{
	return map->ops->push(map, &value, flags);
}

static u64 pop(struct kunit *test, struct kbpf_map *map)
{
	u64 value = 0;

	KUNIT_EXPECT_EQ(test, map->ops->pop(map, &value), 0);
	return value;
}

static u64 peek(struct kunit *test, struct kbpf_map *map)
{
	u64 value = 0;

	KUNIT_EXPECT_EQ(test, map->ops->peek(map, &value), 0);
	return value;
}

/* bpf(2)-side element commands with kernel buffers. */
static int sys_lookup(struct kbpf_map *map, const void *key, void *value,
		      u64 flags)
{
	union bpf_attr attr = {
		.key = (u64)key, .value = (u64)value, .flags = flags,
	};

	return kbpf_map_lookup_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int sys_update(struct kbpf_map *map, const void *key,
		      const void *value, u64 flags)
{
	union bpf_attr attr = {
		.key = (u64)key, .value = (u64)value, .flags = flags,
	};

	return kbpf_map_update_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int sys_lookup_and_delete(struct kbpf_map *map, const void *key,
				 void *value, u64 flags)
{
	union bpf_attr attr = {
		.key = (u64)key, .value = (u64)value, .flags = flags,
	};

	return kbpf_map_lookup_and_delete_elem(map, NULL, &attr,
					       KERNEL_BPFPTR(&attr));
}

struct create_case {
	const char *desc;
	union bpf_attr attr;
	int err;
};

#define QUEUE_ATTR(vs, n, ...) { .map_type = BPF_MAP_TYPE_QUEUE,		\
				 .value_size = (vs), .max_entries = (n),	\
				 __VA_ARGS__ }
#define STACK_ATTR(vs, n, ...) { .map_type = BPF_MAP_TYPE_STACK,		\
				 .value_size = (vs), .max_entries = (n),	\
				 __VA_ARGS__ }

static const struct create_case create_cases[] = {
	{ "queue key_size 4", QUEUE_ATTR(4, 1, .key_size = 4), -EINVAL },
	{ "stack key_size 1", STACK_ATTR(4, 1, .key_size = 1), -EINVAL },
	{ "queue value_size 0", QUEUE_ATTR(0, 1), -EINVAL },
	{ "stack max_entries 0", STACK_ATTR(4, 0), -EINVAL },
	{ "queue BPF_F_NO_PREALLOC", QUEUE_ATTR(4, 1, .map_flags = BPF_F_NO_PREALLOC),
	  -EINVAL },
	{ "stack BPF_F_MMAPABLE", STACK_ATTR(4, 1, .map_flags = BPF_F_MMAPABLE),
	  -EINVAL },
	{ "queue BPF_F_ZERO_SEED", QUEUE_ATTR(4, 1, .map_flags = BPF_F_ZERO_SEED),
	  -EINVAL },
	{ "stack flag 1<<31", STACK_ATTR(4, 1, .map_flags = 1U << 31), -EINVAL },
	{ "queue RDONLY_PROG|WRONLY_PROG",
	  QUEUE_ATTR(4, 1, .map_flags = BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG),
	  -EINVAL },
	{ "queue value past KMALLOC_MAX_SIZE", QUEUE_ATTR(KMALLOC_MAX_SIZE + 1, 1),
	  -E2BIG },
	{ "stack value_size U32_MAX", STACK_ATTR(U32_MAX, 1), -E2BIG },
	/* The bad attribute wins over the oversized value. */
	{ "queue key_size 4 and value_size U32_MAX",
	  QUEUE_ATTR(U32_MAX, 1, .key_size = 4), -EINVAL },
	/* 6.12 refuses 4 GiB of values; 6.1 tries to allocate them. */
	{ "queue 4 GiB of 1-byte values", QUEUE_ATTR(1, U32_MAX),
	  KBPF_QUEUE_STACK_LIMITS_SIZE ? -E2BIG : -ENOMEM },
	{ "stack max_entries at U32_MAX / value_size",
	  STACK_ATTR(KMALLOC_MAX_SIZE, U32_MAX / KMALLOC_MAX_SIZE),
	  KBPF_QUEUE_STACK_LIMITS_SIZE ? -E2BIG : -ENOMEM },
	{ "stack just under 4 GiB of values",
	  STACK_ATTR(KMALLOC_MAX_SIZE, U32_MAX / KMALLOC_MAX_SIZE - 1), -ENOMEM },
	{ "queue with a bad name, too large to allocate",
	  QUEUE_ATTR(KMALLOC_MAX_SIZE, U32_MAX / KMALLOC_MAX_SIZE - 1,
		     .map_name = "bad-name"), -ENOMEM },
	{ "queue with a bad name", QUEUE_ATTR(4, 1, .map_name = "bad-name"),
	  -EINVAL },
};

static void create_case_desc(const struct create_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(create, create_cases, create_case_desc);

static void queue_stack_create_refuses_bad_attributes(struct kunit *test)
{
	const struct create_case *c = test->param_value;
	struct kbpf_map *map = kbpf_map_new(&c->attr);

	if (!IS_ERR(map))
		kbpf_map_put(map);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map), c->err);
}

static void queue_stack_create_records_attributes(struct kunit *test)
{
	union bpf_attr attr = qs_attr(BPF_MAP_TYPE_STACK, 12, 5);
	struct kbpf_map *map;

	attr.map_flags = BPF_F_RDONLY_PROG | BPF_F_NUMA_NODE | BPF_F_WRONLY;
	attr.numa_node = first_online_node;
	strscpy(attr.map_name, "events", sizeof(attr.map_name));
	map = kbpf_map_new(&attr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);

	KUNIT_EXPECT_PTR_EQ(test, map->ops, &kbpf_stack_map_ops);
	KUNIT_EXPECT_EQ(test, map->map_type, BPF_MAP_TYPE_STACK);
	KUNIT_EXPECT_EQ(test, map->key_size, 0);
	KUNIT_EXPECT_EQ(test, map->value_size, 12);
	KUNIT_EXPECT_EQ(test, map->max_entries, 5);
	KUNIT_EXPECT_EQ(test, map->map_flags, BPF_F_RDONLY_PROG | BPF_F_NUMA_NODE);
	KUNIT_EXPECT_EQ(test, map->numa_node, first_online_node);
	KUNIT_EXPECT_STREQ(test, map->name, "events");
	/* bpf(2) moves value_size bytes, whatever the type. */
	KUNIT_EXPECT_EQ(test, kbpf_map_value_size(map), 12);
}

/*
 * Queues and stacks are privileged: without CAP_BPF and CAP_SYS_ADMIN,
 * creation is EPERM.  6.12 checks the attributes first, 6.1 the capability.
 */
static void queue_stack_create_needs_cap_bpf(struct kunit *test)
{
	union bpf_attr good = qs_attr(BPF_MAP_TYPE_QUEUE, 8, 4);
	union bpf_attr bad = qs_attr(BPF_MAP_TYPE_STACK, 8, 4);
	struct kbpf_map *map[3];
	const struct cred *old;
	struct cred *cred;
	int i;

	bad.key_size = 4;
	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_BPF);
	cap_lower(cred->cap_effective, CAP_SYS_ADMIN);
	old = override_creds(cred);
	map[0] = kbpf_map_new(&good);
	map[1] = kbpf_map_new(&bad);
	revert_creds(old);
	put_cred(cred);
	/* And with the capabilities back, the same attributes work. */
	map[2] = kbpf_map_new(&good);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map[0]), -EPERM);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map[1]),
			KBPF_MAP_CREATE_CAP_AFTER_TYPE_CHECKS ? -EINVAL : -EPERM);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map[2]), 0);
	for (i = 0; i < 3; i++)
		if (!IS_ERR(map[i]))
			kbpf_map_put(map[i]);
}

/* Many more values than slots go through: first in, first out throughout. */
static void queue_is_fifo_across_ring_wrap_around(struct kunit *test)
{
	struct kbpf_map *map = new_qs(test, BPF_MAP_TYPE_QUEUE, 8, 3);
	u64 i, next = 0;

	for (i = 0; i < 20; i++) {
		KUNIT_ASSERT_EQ(test, push(map, 100 + i, BPF_ANY), 0);
		/* Hold two or three values, so the oldest is never slot 0 for long. */
		if (i >= 2) {
			KUNIT_EXPECT_EQ(test, peek(test, map), 100 + next);
			KUNIT_EXPECT_EQ(test, pop(test, map), 100 + next);
			next++;
		}
	}
	KUNIT_EXPECT_EQ(test, pop(test, map), 100 + next++);
	KUNIT_EXPECT_EQ(test, pop(test, map), 100 + next++);
	KUNIT_EXPECT_EQ(test, next, 20);
}

/*
 * A stack's oldest value only moves when BPF_EXIST drops it; after that
 * the stack still pops newest first, across the end of the ring.
 */
static void stack_is_lifo_across_ring_wrap_around(struct kunit *test)
{
	struct kbpf_map *map = new_qs(test, BPF_MAP_TYPE_STACK, 8, 4);
	u64 i;

	for (i = 0; i < 11; i++)
		KUNIT_ASSERT_EQ(test, push(map, i, BPF_EXIST), 0);
	/* 0..6 were dropped; 7..10 are left, the newest on top. */
	for (i = 10; i >= 9; i--)
		KUNIT_EXPECT_EQ(test, pop(test, map), i);
	/* Pushes reuse the slots just freed, past the end of the ring. */
	KUNIT_EXPECT_EQ(test, push(map, 20, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, push(map, 21, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, push(map, 22, BPF_ANY), -E2BIG);
	KUNIT_EXPECT_EQ(test, pop(test, map), 21);
	KUNIT_EXPECT_EQ(test, pop(test, map), 20);
	KUNIT_EXPECT_EQ(test, pop(test, map), 8);
	KUNIT_EXPECT_EQ(test, pop(test, map), 7);
}

/* BPF_EXIST on a full map drops the oldest value: a queue's next, a stack's last. */
static void full_push_with_exist_drops_the_oldest(struct kunit *test)
{
	struct kbpf_map *queue = new_qs(test, BPF_MAP_TYPE_QUEUE, 8, 3);
	struct kbpf_map *stack = new_qs(test, BPF_MAP_TYPE_STACK, 8, 3);
	u64 i;

	for (i = 1; i <= 3; i++) {
		KUNIT_ASSERT_EQ(test, push(queue, i, BPF_ANY), 0);
		KUNIT_ASSERT_EQ(test, push(stack, i, BPF_ANY), 0);
	}
	KUNIT_EXPECT_EQ(test, push(queue, 4, BPF_EXIST), 0);
	KUNIT_EXPECT_EQ(test, push(stack, 4, BPF_EXIST), 0);

	KUNIT_EXPECT_EQ(test, pop(test, queue), 2);
	KUNIT_EXPECT_EQ(test, pop(test, queue), 3);
	KUNIT_EXPECT_EQ(test, pop(test, queue), 4);
	KUNIT_EXPECT_EQ(test, pop(test, stack), 4);
	KUNIT_EXPECT_EQ(test, pop(test, stack), 3);
	KUNIT_EXPECT_EQ(test, pop(test, stack), 2);
	/* 1 is gone from both. */
	KUNIT_EXPECT_EQ(test, push(queue, 0, BPF_ANY), 0);
	KUNIT_EXPECT_EQ(test, pop(test, queue), 0);
}

static void full_push_without_exist_is_e2big_and_changes_nothing(struct kunit *test)
{
	u32 types[] = { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK };
	int t;

	for (t = 0; t < ARRAY_SIZE(types); t++) {
		struct kbpf_map *map = new_qs(test, types[t], 8, 2);
		bool queue = types[t] == BPF_MAP_TYPE_QUEUE;
		u64 v;

		KUNIT_ASSERT_EQ(test, push(map, 1, BPF_ANY), 0);
		KUNIT_ASSERT_EQ(test, push(map, 2, BPF_EXIST), 0);	/* not full yet */
		KUNIT_EXPECT_EQ(test, push(map, 3, BPF_ANY), -E2BIG);
		KUNIT_EXPECT_EQ(test, pop(test, map), queue ? 1 : 2);
		KUNIT_EXPECT_EQ(test, pop(test, map), queue ? 2 : 1);
		KUNIT_EXPECT_EQ(test, map->ops->pop(map, &v), -ENOENT);
	}
}

/* Nothing to take: ENOENT, and the program's buffer reads as zero. */
static void empty_pop_and_peek_are_enoent_and_zero_the_value(struct kunit *test)
{
	u32 types[] = { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK };
	u8 buf[16];
	int t;

	for (t = 0; t < ARRAY_SIZE(types); t++) {
		struct kbpf_map *map = new_qs(test, types[t], 10, 1);

		memset(buf, 0xee, sizeof(buf));
		KUNIT_EXPECT_EQ(test, map->ops->peek(map, buf), -ENOENT);
		KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0, 10));
		KUNIT_EXPECT_NULL(test, memchr_inv(buf + 10, 0xee, 6));
		memset(buf, 0xee, sizeof(buf));
		KUNIT_EXPECT_EQ(test, map->ops->pop(map, buf), -ENOENT);
		KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0, 10));
		KUNIT_EXPECT_NULL(test, memchr_inv(buf + 10, 0xee, 6));

		/* Emptied again after one value, the same. */
		memset(buf, 7, 10);
		KUNIT_EXPECT_EQ(test, map->ops->push(map, buf, BPF_ANY), 0);
		KUNIT_EXPECT_EQ(test, map->ops->pop(map, buf), 0);
		KUNIT_EXPECT_EQ(test, map->ops->pop(map, buf), -ENOENT);
		KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0, 10));
	}
}

static void peek_does_not_remove(struct kunit *test)
{
	struct kbpf_map *queue = new_qs(test, BPF_MAP_TYPE_QUEUE, 8, 4);
	struct kbpf_map *stack = new_qs(test, BPF_MAP_TYPE_STACK, 8, 4);
	u64 v;

	KUNIT_ASSERT_EQ(test, push(queue, 1, BPF_ANY), 0);
	KUNIT_ASSERT_EQ(test, push(queue, 2, BPF_ANY), 0);
	KUNIT_ASSERT_EQ(test, push(stack, 1, BPF_ANY), 0);
	KUNIT_ASSERT_EQ(test, push(stack, 2, BPF_ANY), 0);

	KUNIT_EXPECT_EQ(test, peek(test, queue), 1);
	KUNIT_EXPECT_EQ(test, peek(test, queue), 1);
	KUNIT_EXPECT_EQ(test, peek(test, stack), 2);
	KUNIT_EXPECT_EQ(test, peek(test, stack), 2);
	KUNIT_EXPECT_EQ(test, pop(test, queue), 1);
	KUNIT_EXPECT_EQ(test, pop(test, queue), 2);
	KUNIT_EXPECT_EQ(test, pop(test, stack), 2);
	KUNIT_EXPECT_EQ(test, pop(test, stack), 1);
	KUNIT_EXPECT_EQ(test, queue->ops->peek(queue, &v), -ENOENT);
	KUNIT_EXPECT_EQ(test, stack->ops->peek(stack, &v), -ENOENT);
}

static void push_refuses_unknown_flags_and_changes_nothing(struct kunit *test)
{
	static const u64 bad[] = {
		BPF_NOEXIST, BPF_NOEXIST | BPF_EXIST, BPF_F_LOCK, BPF_F_LOCK | BPF_EXIST,
		1ULL << 32, U64_MAX,
	};
	struct kbpf_map *map = new_qs(test, BPF_MAP_TYPE_QUEUE, 8, 2);
	int i;

	KUNIT_ASSERT_EQ(test, push(map, 1, BPF_ANY), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, push(map, 2, bad[i]), -EINVAL,
				    "flags %#llx", bad[i]);
	KUNIT_EXPECT_EQ(test, pop(test, map), 1);
	KUNIT_EXPECT_EQ(test, map->ops->peek(map, &(u64){ 0 }), -ENOENT);
}

/*
 * 5-byte values sit back to back: every push and pop moves value_size
 * bytes exactly, neither clipping nor spilling into a neighbour or past
 * the caller's buffer.
 */
static void values_are_copied_exactly_value_size(struct kunit *test)
{
	u32 types[] = { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK };
	u8 in[5], out[16];
	int t, i, j;

	for (t = 0; t < ARRAY_SIZE(types); t++) {
		struct kbpf_map *map = new_qs(test, types[t], 5, 4);
		bool queue = types[t] == BPF_MAP_TYPE_QUEUE;

		/* Start past slot 0, so values straddle the end of the ring. */
		KUNIT_ASSERT_EQ(test, map->ops->push(map, "zzzzz", BPF_ANY), 0);
		KUNIT_ASSERT_EQ(test, map->ops->pop(map, out), 0);
		for (i = 0; i < 4; i++) {
			for (j = 0; j < 5; j++)
				in[j] = i * 16 + j + 1;
			KUNIT_ASSERT_EQ(test, map->ops->push(map, in, BPF_ANY), 0);
		}
		for (i = 0; i < 4; i++) {
			int want = queue ? i : 3 - i;

			memset(out, 0xee, sizeof(out));
			KUNIT_EXPECT_EQ(test, map->ops->peek(map, out), 0);
			KUNIT_EXPECT_NULL(test, memchr_inv(out + 5, 0xee, 11));
			memset(out, 0xee, sizeof(out));
			KUNIT_EXPECT_EQ(test, map->ops->pop(map, out), 0);
			for (j = 0; j < 5; j++)
				KUNIT_EXPECT_EQ(test, out[j], want * 16 + j + 1);
			KUNIT_EXPECT_NULL(test, memchr_inv(out + 5, 0xee, 11));
		}
	}
}

/*
 * bpf(2): lookup peeks, update pushes, lookup_and_delete pops; no keys,
 * no delete, no get_next_key; only update takes flags.
 */
static void syscall_commands_map_to_push_pop_peek(struct kunit *test)
{
	struct kbpf_map *map = new_qs(test, BPF_MAP_TYPE_QUEUE, 8, 2);
	union bpf_attr attr = {};
	u64 v = 10, out = 0;
	u32 key = 0;

	KUNIT_EXPECT_EQ(test, sys_lookup(map, NULL, &out, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, sys_lookup_and_delete(map, NULL, &out, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, sys_update(map, NULL, &v, BPF_ANY), 0);
	v = 11;
	KUNIT_EXPECT_EQ(test, sys_update(map, NULL, &v, BPF_EXIST), 0);
	v = 12;
	KUNIT_EXPECT_EQ(test, sys_update(map, NULL, &v, BPF_ANY), -E2BIG);
	KUNIT_EXPECT_EQ(test, sys_update(map, NULL, &v, BPF_NOEXIST), -EINVAL);
	KUNIT_EXPECT_EQ(test, sys_update(map, NULL, &v, BPF_F_LOCK), -EINVAL);
	/* A key for a key-less map. */
	KUNIT_EXPECT_EQ(test, sys_update(map, &key, &v, BPF_EXIST), -EINVAL);
	KUNIT_EXPECT_EQ(test, sys_lookup(map, &key, &out, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, sys_lookup_and_delete(map, &key, &out, 0), -EINVAL);
	/* Flags: lookup takes none here, lookup_and_delete none on a queue. */
	KUNIT_EXPECT_EQ(test, sys_lookup(map, NULL, &out, BPF_F_LOCK), -EINVAL);
	KUNIT_EXPECT_EQ(test, sys_lookup_and_delete(map, NULL, &out, BPF_F_LOCK), -EINVAL);
	attr.key = 0;
	KUNIT_EXPECT_EQ(test, kbpf_map_delete_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr)),
			-EINVAL);
	attr.next_key = (u64)&key;
	KUNIT_EXPECT_EQ(test, kbpf_map_get_next_key(map, NULL, &attr, KERNEL_BPFPTR(&attr)),
			-EINVAL);
	/* Programs cannot use keys either. */
	KUNIT_EXPECT_NULL(test, map->ops->lookup(map, NULL));
	KUNIT_EXPECT_EQ(test, map->ops->update(map, NULL, &v, BPF_ANY), -EINVAL);
	KUNIT_EXPECT_EQ(test, map->ops->delete(map, NULL), -EINVAL);

	/* None of that changed the queue: 10 then 11. */
	KUNIT_EXPECT_EQ(test, sys_lookup(map, NULL, &out, 0), 0);
	KUNIT_EXPECT_EQ(test, out, 10);
	KUNIT_EXPECT_EQ(test, sys_lookup_and_delete(map, NULL, &out, 0), 0);
	KUNIT_EXPECT_EQ(test, out, 10);
	KUNIT_EXPECT_EQ(test, sys_lookup_and_delete(map, NULL, &out, 0), 0);
	KUNIT_EXPECT_EQ(test, out, 11);
	KUNIT_EXPECT_EQ(test, sys_lookup(map, NULL, &out, 0), -ENOENT);
}

/* A bad user pointer: update pushes nothing; a pop's value is lost, as in bpf(2). */
static void syscall_fault_after_a_pop_loses_the_value_as_bpf_does(struct kunit *test)
{
	struct kbpf_map *map = new_qs(test, BPF_MAP_TYPE_STACK, 8, 2);
	union bpf_attr attr = {};
	u64 out;

	KUNIT_ASSERT_EQ(test, push(map, 1, BPF_ANY), 0);
	KUNIT_ASSERT_EQ(test, push(map, 2, BPF_ANY), 0);
	attr.value = 0;
	KUNIT_EXPECT_EQ(test, kbpf_map_update_elem(map, NULL, &attr, USER_BPFPTR(NULL)),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, kbpf_map_lookup_elem(map, NULL, &attr, USER_BPFPTR(NULL)),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, peek(test, map), 2);
	KUNIT_EXPECT_EQ(test, kbpf_map_lookup_and_delete_elem(map, NULL, &attr,
							      USER_BPFPTR(NULL)),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, pop(test, map), 1);
	KUNIT_EXPECT_EQ(test, map->ops->pop(map, &out), -ENOENT);
}

/*
 * In NMI context the ops only try the lock: held (by the code the NMI
 * interrupted), they answer EBUSY, zero a pop's or peek's buffer and
 * change nothing.
 */
static void busy_lock_in_nmi_is_ebusy_and_changes_nothing(struct kunit *test)
{
	struct kbpf_map *map = new_qs(test, BPF_MAP_TYPE_QUEUE, 8, 2);
	raw_spinlock_t *lock = kbpf_queue_stack_lock(map);
	long err_push, err_pop, err_peek, err_free;
	u64 v = 5, popped = ~0ULL, peeked = ~0ULL, out = 0;
	unsigned long flags;

	KUNIT_ASSERT_EQ(test, push(map, 1, BPF_ANY), 0);
	raw_spin_lock_irqsave(lock, flags);
	err_push = kbpf_queue_stack_push(map, &v, BPF_ANY, true);
	err_pop = kbpf_queue_stack_get(map, &popped, true, true);
	err_peek = kbpf_queue_stack_get(map, &peeked, false, true);
	raw_spin_unlock_irqrestore(lock, flags);
	err_free = kbpf_queue_stack_get(map, &out, false, true);

	KUNIT_EXPECT_EQ(test, err_push, -EBUSY);
	KUNIT_EXPECT_EQ(test, err_pop, -EBUSY);
	KUNIT_EXPECT_EQ(test, err_peek, -EBUSY);
	KUNIT_EXPECT_EQ(test, popped, 0);
	KUNIT_EXPECT_EQ(test, peeked, 0);
	/* Free again, the trylock works; the queue still holds 1 alone. */
	KUNIT_EXPECT_EQ(test, err_free, 0);
	KUNIT_EXPECT_EQ(test, out, 1);
	KUNIT_EXPECT_EQ(test, pop(test, map), 1);
	KUNIT_EXPECT_EQ(test, map->ops->pop(map, &out), -ENOENT);
}

struct irq_ctx {
	struct irq_work work;
	struct kbpf_map *map;
	bool hardirq;
	long err[4];
	u64 popped;
};

static void qs_irq_work(struct irq_work *work)
{
	struct irq_ctx *c = container_of(work, struct irq_ctx, work);
	u64 v;

	c->hardirq = in_hardirq();
	v = 7;
	c->err[0] = c->map->ops->push(c->map, &v, BPF_ANY);
	v = 8;
	c->err[1] = c->map->ops->push(c->map, &v, BPF_ANY);
	v = 9;
	c->err[2] = c->map->ops->push(c->map, &v, BPF_EXIST);
	c->err[3] = c->map->ops->pop(c->map, &c->popped);
}

/* Programs run in hard interrupts too: the ops work there (and lockdep watches). */
static void ops_work_in_hardirq_context(struct kunit *test)
{
	struct irq_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->map = new_qs(test, BPF_MAP_TYPE_STACK, 8, 2);
	KUNIT_ASSERT_EQ(test, push(c->map, 6, BPF_ANY), 0);
	init_irq_work(&c->work, qs_irq_work);
	irq_work_queue(&c->work);
	irq_work_sync(&c->work);

	KUNIT_EXPECT_TRUE(test, c->hardirq);
	KUNIT_EXPECT_EQ(test, c->err[0], 0);
	KUNIT_EXPECT_EQ(test, c->err[1], -E2BIG);
	KUNIT_EXPECT_EQ(test, c->err[2], 0);	/* dropped 6 */
	KUNIT_EXPECT_EQ(test, c->err[3], 0);
	KUNIT_EXPECT_EQ(test, c->popped, 9);
	KUNIT_EXPECT_EQ(test, pop(test, c->map), 7);
}

/* Every slot is preallocated and counted at creation. */
static void mem_usage_counts_every_slot(struct kunit *test)
{
	struct kbpf_map *a = new_qs(test, BPF_MAP_TYPE_QUEUE, 12, 10);
	struct kbpf_map *b = new_qs(test, BPF_MAP_TYPE_STACK, 12, 30);

	KUNIT_EXPECT_GE(test, a->ops->mem_usage(a), 10 * 12);
	KUNIT_EXPECT_EQ(test, b->ops->mem_usage(b) - a->ops->mem_usage(a), 20 * 12);
	KUNIT_EXPECT_EQ(test, a->charged, a->ops->mem_usage(a));
	KUNIT_EXPECT_EQ(test, b->charged, b->ops->mem_usage(b));
}

/* No batch commands, no mmap, no callback walk: bpf(2) then answers ENOTSUPP. */
static void queue_stack_lack_batch_mmap_and_walk(struct kunit *test)
{
	const struct kbpf_map_ops *ops[] = { &kbpf_queue_map_ops, &kbpf_stack_map_ops };
	int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		KUNIT_EXPECT_NULL(test, ops[i]->lookup_batch);
		KUNIT_EXPECT_NULL(test, ops[i]->lookup_and_delete_batch);
		KUNIT_EXPECT_NULL(test, ops[i]->update_batch);
		KUNIT_EXPECT_NULL(test, ops[i]->delete_batch);
		KUNIT_EXPECT_NULL(test, ops[i]->mmap);
		KUNIT_EXPECT_NULL(test, ops[i]->for_each);
		KUNIT_EXPECT_NULL(test, ops[i]->lookup_percpu);
	}
}

static struct kunit_case kbpf_queue_stack_cases[] = {
	KUNIT_CASE_PARAM(queue_stack_create_refuses_bad_attributes, create_gen_params),
	KUNIT_CASE(queue_stack_create_records_attributes),
	KUNIT_CASE(queue_stack_create_needs_cap_bpf),
	KUNIT_CASE(queue_is_fifo_across_ring_wrap_around),
	KUNIT_CASE(stack_is_lifo_across_ring_wrap_around),
	KUNIT_CASE(full_push_with_exist_drops_the_oldest),
	KUNIT_CASE(full_push_without_exist_is_e2big_and_changes_nothing),
	KUNIT_CASE(empty_pop_and_peek_are_enoent_and_zero_the_value),
	KUNIT_CASE(peek_does_not_remove),
	KUNIT_CASE(push_refuses_unknown_flags_and_changes_nothing),
	KUNIT_CASE(values_are_copied_exactly_value_size),
	KUNIT_CASE(syscall_commands_map_to_push_pop_peek),
	KUNIT_CASE(syscall_fault_after_a_pop_loses_the_value_as_bpf_does),
	KUNIT_CASE(busy_lock_in_nmi_is_ebusy_and_changes_nothing),
	KUNIT_CASE(ops_work_in_hardirq_context),
	KUNIT_CASE(mem_usage_counts_every_slot),
	KUNIT_CASE(queue_stack_lack_batch_mmap_and_walk),
	{}
};

static struct kunit_suite kbpf_queue_stack_suite = {
	.name = "kbpf_queue_stack",
	.test_cases = kbpf_queue_stack_cases,
};

kunit_test_suite(kbpf_queue_stack_suite);
