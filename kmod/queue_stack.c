// SPDX-License-Identifier: GPL-2.0
/*
 * The queue/stack family: BPF_MAP_TYPE_QUEUE (first in, first out) and
 * BPF_MAP_TYPE_STACK (last in, first out).  Key-less maps of up to
 * max_entries values, kept in a ring preallocated at creation: @first is
 * the slot of the oldest value, @count how many there are.  A queue takes
 * from the oldest end, a stack from the newest; a push with BPF_EXIST into
 * a full map drops the oldest value in both.
 *
 * bpf(2) sees lookup as peek, update as push and lookup_and_delete as pop;
 * delete and get_next_key are EINVAL and there are no batch commands
 * (ENOTSUPP), as in kernel/bpf/queue_stack_maps.c.
 *
 * Programs may push, pop and peek in any context: the ring is guarded by a
 * raw spinlock taken with interrupts off, and in NMI context, which could
 * have interrupted its holder on this CPU, only tried (EBUSY), as the
 * kernel does.
 */
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/hardirq.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "kbpf.h"

#define KBPF_QUEUE_STACK_CREATE_FLAGS (BPF_F_NUMA_NODE |			\
				       BPF_F_RDONLY | BPF_F_WRONLY |		\
				       BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)

/**
 * struct kbpf_queue_stack - a QUEUE or STACK map
 * @map:    the generic part
 * @lock:   guards @first, @count and the values
 * @first:  slot of the oldest value
 * @count:  values held, at most max_entries
 * @values: max_entries slots of value_size bytes
 */
struct kbpf_queue_stack {
	struct kbpf_map map;
	raw_spinlock_t lock;
	u32 first;
	u32 count;
	u8 values[] __aligned(8);
};

static struct kbpf_queue_stack *to_qs(const struct kbpf_map *map)
{
	return container_of(map, struct kbpf_queue_stack, map);
}

static int queue_stack_map_alloc_check(const union bpf_attr *attr)
{
	/* 6.1 asks for the capability before it looks at the attributes. */
	if (!KBPF_MAP_CREATE_CAP_AFTER_TYPE_CHECKS && !bpf_capable())
		return -EPERM;
	if (!attr->max_entries || attr->key_size || !attr->value_size ||
	    attr->map_flags & ~KBPF_QUEUE_STACK_CREATE_FLAGS ||
	    !kbpf_map_flags_access_ok(attr->map_flags))
		return -EINVAL;
	/* bpf(2) could not copy a larger value in or out. */
	if (attr->value_size > KMALLOC_MAX_SIZE)
		return -E2BIG;
	if (KBPF_QUEUE_STACK_LIMITS_SIZE &&
	    attr->max_entries >= U32_MAX / attr->value_size)
		return -E2BIG;
	/* 6.12 asks in map_create(), once the type's checks passed. */
	if (KBPF_MAP_CREATE_CAP_AFTER_TYPE_CHECKS && !bpf_capable())
		return -EPERM;
	return 0;
}

static struct kbpf_map *queue_stack_map_alloc(const union bpf_attr *attr)
{
	struct kbpf_queue_stack *qs;

	qs = kbpf_area_alloc(sizeof(*qs) +
			     (u64)attr->max_entries * attr->value_size,
			     kbpf_map_attr_numa_node(attr));
	if (!qs)
		return ERR_PTR(-ENOMEM);
	raw_spin_lock_init(&qs->lock);
	return &qs->map;
}

static void queue_stack_map_free(struct kbpf_map *map)
{
	kbpf_area_free(to_qs(map));
}

/* The slot @n places after slot @slot, around the ring. */
static u32 qs_slot_after(const struct kbpf_queue_stack *qs, u32 slot, u32 n)
{
	u64 i = (u64)slot + n;

	return i >= qs->map.max_entries ? i - qs->map.max_entries : i;
}

static void *qs_value(struct kbpf_queue_stack *qs, u32 slot)
{
	return qs->values + (size_t)slot * qs->map.value_size;
}

/**
 * kbpf_queue_stack_push() - push a value (the push op's body)
 * @map:     a QUEUE or STACK map
 * @value:   value_size bytes
 * @flags:   BPF_ANY, or BPF_EXIST to drop the oldest value when full
 * @trylock: only try the lock (NMI context)
 *
 * Return: 0, -EINVAL for other flags, -E2BIG when full without
 * BPF_EXIST, -EBUSY when @trylock finds the lock taken.
 */
long kbpf_queue_stack_push(struct kbpf_map *map, const void *value, u64 flags,
			   bool trylock)
{
	struct kbpf_queue_stack *qs = to_qs(map);
	unsigned long irqflags;
	long err = 0;

	if (flags & BPF_NOEXIST || flags > BPF_EXIST)
		return -EINVAL;

	if (trylock) {
		if (!raw_spin_trylock_irqsave(&qs->lock, irqflags))
			return -EBUSY;
	} else {
		raw_spin_lock_irqsave(&qs->lock, irqflags);
	}

	if (qs->count == map->max_entries) {
		if (!(flags & BPF_EXIST)) {
			err = -E2BIG;
			goto unlock;
		}
		/* The oldest value makes room, in a stack as in a queue. */
		qs->first = qs_slot_after(qs, qs->first, 1);
		qs->count--;
	}
	memcpy(qs_value(qs, qs_slot_after(qs, qs->first, qs->count)), value,
	       map->value_size);
	qs->count++;
unlock:
	raw_spin_unlock_irqrestore(&qs->lock, irqflags);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_queue_stack_push);

/**
 * kbpf_queue_stack_get() - peek or pop a value (the pop and peek ops' body)
 * @map:     a QUEUE (the oldest value) or STACK (the newest) map
 * @value:   receives value_size bytes; zeroed on error, as programs see it
 * @pop:     remove the value too
 * @trylock: only try the lock (NMI context)
 *
 * Return: 0, -ENOENT when empty, -EBUSY when @trylock finds the lock taken.
 */
long kbpf_queue_stack_get(struct kbpf_map *map, void *value, bool pop,
			  bool trylock)
{
	struct kbpf_queue_stack *qs = to_qs(map);
	unsigned long irqflags;
	long err = 0;
	u32 slot;

	if (trylock) {
		if (!raw_spin_trylock_irqsave(&qs->lock, irqflags)) {
			memset(value, 0, map->value_size);
			return -EBUSY;
		}
	} else {
		raw_spin_lock_irqsave(&qs->lock, irqflags);
	}

	if (!qs->count) {
		memset(value, 0, map->value_size);
		err = -ENOENT;
		goto unlock;
	}
	if (map->map_type == BPF_MAP_TYPE_QUEUE) {
		slot = qs->first;
		if (pop)
			qs->first = qs_slot_after(qs, slot, 1);
	} else {
		slot = qs_slot_after(qs, qs->first, qs->count - 1);
	}
	memcpy(value, qs_value(qs, slot), map->value_size);
	if (pop)
		qs->count--;
unlock:
	raw_spin_unlock_irqrestore(&qs->lock, irqflags);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_queue_stack_get);

/* The lock programs take, for KUnit to hold. */
raw_spinlock_t *kbpf_queue_stack_lock(struct kbpf_map *map)
{
	return &to_qs(map)->lock;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_queue_stack_lock);

static long queue_stack_map_push(struct kbpf_map *map, const void *value,
				 u64 flags)
{
	return kbpf_queue_stack_push(map, value, flags, in_nmi());
}

static long queue_stack_map_pop(struct kbpf_map *map, void *value)
{
	return kbpf_queue_stack_get(map, value, true, in_nmi());
}

static long queue_stack_map_peek(struct kbpf_map *map, void *value)
{
	return kbpf_queue_stack_get(map, value, false, in_nmi());
}

/* Programs cannot look values up by key, nor update or delete one. */
static void *queue_stack_map_lookup(struct kbpf_map *map, const void *key)
{
	return NULL;
}

static long queue_stack_map_update(struct kbpf_map *map, const void *key,
				   const void *value, u64 flags)
{
	return -EINVAL;
}

static long queue_stack_map_delete(struct kbpf_map *map, const void *key)
{
	return -EINVAL;
}

static int queue_stack_map_get_next_key(struct kbpf_map *map, const void *key,
					void *next_key)
{
	return -EINVAL;
}

/* bpf(2): lookup peeks, update pushes, lookup_and_delete pops. */
static int queue_stack_sys_lookup(struct kbpf_map *map, const void *key,
				  void *value, u64 flags)
{
	return map->ops->peek(map, value);
}

static int queue_stack_sys_update(struct kbpf_map *map, struct file *map_file,
				  const void *key, const void *value, u64 flags)
{
	return map->ops->push(map, value, flags);
}

static int queue_stack_sys_lookup_and_delete(struct kbpf_map *map,
					     const void *key, void *value,
					     u64 flags)
{
	return map->ops->pop(map, value);
}

static u64 queue_stack_map_mem_usage(const struct kbpf_map *map)
{
	return sizeof(struct kbpf_queue_stack) +
	       (u64)map->max_entries * map->value_size;
}

const struct kbpf_map_ops kbpf_queue_map_ops = {
	.alloc_check		= queue_stack_map_alloc_check,
	.alloc			= queue_stack_map_alloc,
	.free			= queue_stack_map_free,
	.lookup			= queue_stack_map_lookup,
	.update			= queue_stack_map_update,
	.delete			= queue_stack_map_delete,
	.push			= queue_stack_map_push,
	.pop			= queue_stack_map_pop,
	.peek			= queue_stack_map_peek,
	.get_next_key		= queue_stack_map_get_next_key,
	.sys_lookup		= queue_stack_sys_lookup,
	.sys_update		= queue_stack_sys_update,
	.sys_lookup_and_delete	= queue_stack_sys_lookup_and_delete,
	.mem_usage		= queue_stack_map_mem_usage,
};
EXPORT_SYMBOL_IF_KUNIT(kbpf_queue_map_ops);

/* The same operations: kbpf_queue_stack_get() tells the types apart. */
const struct kbpf_map_ops kbpf_stack_map_ops = {
	.alloc_check		= queue_stack_map_alloc_check,
	.alloc			= queue_stack_map_alloc,
	.free			= queue_stack_map_free,
	.lookup			= queue_stack_map_lookup,
	.update			= queue_stack_map_update,
	.delete			= queue_stack_map_delete,
	.push			= queue_stack_map_push,
	.pop			= queue_stack_map_pop,
	.peek			= queue_stack_map_peek,
	.get_next_key		= queue_stack_map_get_next_key,
	.sys_lookup		= queue_stack_sys_lookup,
	.sys_update		= queue_stack_sys_update,
	.sys_lookup_and_delete	= queue_stack_sys_lookup_and_delete,
	.mem_usage		= queue_stack_map_mem_usage,
};
EXPORT_SYMBOL_IF_KUNIT(kbpf_stack_map_ops);
