// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: max_entries slots, indexed by a u32 key,
 * each empty or holding a perf buffer (perf_buffer.c).  bpf(2) stores a
 * buffer by its fd (the value is a u32), removes one with a delete, and
 * cannot read slots back (lookup is ENOTSUPP), as for the kernel's map.
 * BPF programs write records into the buffers with
 * kbpf_perf_event_output(), bpf_perf_event_output()'s counterpart.
 *
 * A slot holds an entry naming the buffer and the map file it was stored
 * through: closing that file empties the slot again, unless the map was
 * created with BPF_F_PRESERVE_ELEMS (then only a delete or the map's end
 * does).  Slots change by atomic exchange; the output function reads them
 * under RCU, and replaced entries are freed after a grace period.
 */
#include <linux/err.h>
#include <linux/file.h>
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "kbpf.h"

/* What arrays take, less what fd arrays refuse (program access flags). */
#define KBPF_PERF_ARRAY_CREATE_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY |	\
				      BPF_F_WRONLY | BPF_F_PRESERVE_ELEMS)

/* bpf_perf_event_output() nests in task, IRQ and NMI context at most. */
#define KBPF_PERF_OUTPUT_MAX_NEST	3

/**
 * struct kbpf_perf_entry - what a slot holds
 * @buf:      the perf buffer, referenced
 * @map_file: the map file it was stored through (NULL from KUnit)
 * @rcu:      the free, after readers of the slot
 */
struct kbpf_perf_entry {
	struct kbpf_perf_buffer *buf;
	struct file *map_file;
	struct rcu_head rcu;
};

struct kbpf_perf_array {
	struct kbpf_map map;
	struct kbpf_perf_entry *slots[];
};

static DEFINE_PER_CPU(int, kbpf_perf_output_nest);

static struct kbpf_perf_array *to_perf_array(const struct kbpf_map *map)
{
	return container_of(map, struct kbpf_perf_array, map);
}

/* fd_array_map_alloc_check(), then array_map_alloc_check(), in that order. */
static int perf_array_alloc_check(const union bpf_attr *attr)
{
	if (attr->value_size != sizeof(u32))
		return -EINVAL;
	if (attr->map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG))
		return -EINVAL;
	if (!attr->max_entries || attr->key_size != sizeof(u32) ||
	    attr->map_flags & ~KBPF_PERF_ARRAY_CREATE_FLAGS)
		return -EINVAL;
	return 0;
}

static struct kbpf_map *perf_array_alloc(const union bpf_attr *attr)
{
	u64 size = sizeof(struct kbpf_perf_array) +
		   (u64)attr->max_entries * sizeof(struct kbpf_perf_entry *);
	struct kbpf_perf_array *array;

	array = kbpf_area_alloc(size, kbpf_map_attr_numa_node(attr));
	if (!array)
		return ERR_PTR(-ENOMEM);
	return &array->map;
}

static void perf_entry_free(struct kbpf_perf_entry *e)
{
	kbpf_perf_buffer_put(e->buf);
	kfree_rcu(e, rcu);
	kbpf_mem_uncharge(sizeof(*e));
}

static void perf_array_free(struct kbpf_map *map)
{
	struct kbpf_perf_array *array = to_perf_array(map);
	struct kbpf_perf_entry *e;
	u32 i;

	for (i = 0; i < map->max_entries; i++) {
		e = xchg(&array->slots[i], NULL);
		if (e)
			perf_entry_free(e);
		cond_resched();
	}
	kbpf_area_free(array);
}

/* perf_event_fd_array_release(): empty the slots stored through @map_file. */
static void perf_array_release(struct kbpf_map *map, struct file *map_file)
{
	struct kbpf_perf_array *array = to_perf_array(map);
	struct kbpf_perf_entry *e;
	u32 i;

	if (map->map_flags & BPF_F_PRESERVE_ELEMS)
		return;
	for (i = 0; i < map->max_entries; i++) {
		rcu_read_lock();	/* keeps @e while it is compared */
		e = READ_ONCE(array->slots[i]);
		if (e && e->map_file == map_file &&
		    cmpxchg(&array->slots[i], e, NULL) == e)
			perf_entry_free(e);
		rcu_read_unlock();
		cond_resched();
	}
}

/* Programs cannot read slots; the kernel's lookup answers the same. */
static void *perf_array_lookup(struct kbpf_map *map, const void *key)
{
	return ERR_PTR(-EOPNOTSUPP);
}

/* bpf(2) has no way to read a slot back (no map_fd_sys_lookup_elem). */
static int perf_array_sys_lookup(struct kbpf_map *map, const void *key,
				 void *value, u64 flags)
{
	return -ENOTSUPP;
}

static long perf_array_delete(struct kbpf_map *map, const void *key)
{
	struct kbpf_perf_array *array = to_perf_array(map);
	u32 index = *(const u32 *)key;
	struct kbpf_perf_entry *e;

	if (index >= map->max_entries)
		return -E2BIG;
	e = xchg(&array->slots[array_index_nospec(index, map->max_entries)], NULL);
	if (!e)
		return -ENOENT;
	perf_entry_free(e);
	return 0;
}

/**
 * kbpf_perf_event_array_set() - store a perf buffer in a slot
 * @map:      a PERF_EVENT_ARRAY
 * @map_file: the map file it is stored through (a later close of that
 *            file empties the slot again), or NULL
 * @index:    the slot
 * @buf:      the buffer; the slot takes its own reference
 *
 * Process context.  A buffer the slot held before is released.
 * Return: 0, -E2BIG past the end, -ENOMEM.
 */
int kbpf_perf_event_array_set(struct kbpf_map *map, struct file *map_file,
			      u32 index, struct kbpf_perf_buffer *buf)
{
	struct kbpf_perf_array *array = to_perf_array(map);
	struct kbpf_perf_entry *e, *old;

	if (index >= map->max_entries)
		return -E2BIG;
	if (kbpf_mem_charge(sizeof(*e)))
		return -ENOMEM;
	e = kbpf_map_kmalloc(map, sizeof(*e), GFP_KERNEL);
	if (!e) {
		kbpf_mem_uncharge(sizeof(*e));
		return -ENOMEM;
	}
	kbpf_perf_buffer_get(buf);
	e->buf = buf;
	e->map_file = map_file;
	old = xchg(&array->slots[array_index_nospec(index, map->max_entries)], e);
	if (old)
		perf_entry_free(old);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_event_array_set);

/*
 * bpf_fd_array_map_update_elem() with perf_event_fd_array_get_ptr(): the
 * value is a perf buffer's fd; any other fd is EBADF, as perf_event_get()
 * answers for a file that is not a perf event.
 */
static int perf_array_sys_update(struct kbpf_map *map, struct file *map_file,
				 const void *key, const void *value, u64 flags)
{
	u32 index = *(const u32 *)key, ufd = *(const u32 *)value;
	struct kbpf_perf_buffer *buf;
	struct file *file;
	int err;

	if (flags != BPF_ANY)
		return -EINVAL;
	if (index >= map->max_entries)
		return -E2BIG;
	file = fget(ufd);
	if (!file)
		return -EBADF;
	buf = kbpf_perf_buffer_from_file(file);
	err = buf ? kbpf_perf_event_array_set(map, map_file, index, buf) : -EBADF;
	fput(file);
	return err;
}

static int perf_array_get_next_key(struct kbpf_map *map, const void *key,
				   void *next_key)
{
	u32 index = key ? *(const u32 *)key : U32_MAX;
	u32 *next = next_key;

	if (index >= map->max_entries) {
		*next = 0;
		return 0;
	}
	if (index == map->max_entries - 1)
		return -ENOENT;
	*next = index + 1;
	return 0;
}

static u64 perf_array_mem_usage(const struct kbpf_map *map)
{
	return sizeof(struct kbpf_perf_array) +
	       (u64)map->max_entries * sizeof(struct kbpf_perf_entry *);
}

/**
 * kbpf_perf_event_output() - bpf_perf_event_output() on a PERF_EVENT_ARRAY
 * @map:   the map
 * @flags: the slot's index in BPF_F_INDEX_MASK, or BPF_F_CURRENT_CPU
 *         for the slot of the CPU this runs on
 * @data:  the raw bytes of the sample
 * @size:  how many
 *
 * Any context, NMI included.  The buffer in the slot must serve this CPU,
 * as a perf event must be on it.
 *
 * Return: 0; -EINVAL for flags beyond BPF_F_INDEX_MASK (or a map of
 * another type); -E2BIG for an index past the end, or more than
 * KBPF_PERF_MAX_RAW_SIZE bytes; -ENOENT for an empty slot; -EOPNOTSUPP
 * when the buffer serves another CPU or is disabled; -ENOSPC when the
 * buffer has no ring mapped, or no room (the record counts as lost);
 * -EBUSY when nested deeper than task, IRQ and NMI context.
 */
long kbpf_perf_event_output(struct kbpf_map *map, u64 flags, const void *data,
			    u64 size)
{
	struct kbpf_perf_array *array = to_perf_array(map);
	u64 index = flags & BPF_F_INDEX_MASK;
	struct kbpf_perf_entry *e;
	unsigned int cpu;
	long err;

	if (unlikely(map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY))
		return -EINVAL;

	preempt_disable();
	cpu = smp_processor_id();
	if (unlikely(this_cpu_inc_return(kbpf_perf_output_nest) >
		     KBPF_PERF_OUTPUT_MAX_NEST)) {
		err = -EBUSY;
		goto out;
	}
	if (unlikely(flags & ~BPF_F_INDEX_MASK)) {
		err = -EINVAL;
		goto out;
	}
	if (index == BPF_F_CURRENT_CPU)
		index = cpu;
	if (unlikely(index >= map->max_entries)) {
		err = -E2BIG;
		goto out;
	}

	rcu_read_lock();
	e = READ_ONCE(array->slots[array_index_nospec(index, map->max_entries)]);
	if (!e)
		err = -ENOENT;
	else if (unlikely(kbpf_perf_buffer_oncpu(e->buf) != (int)cpu))
		err = -EOPNOTSUPP;
	else
		err = kbpf_perf_buffer_output(e->buf, PERF_RECORD_MISC_KERNEL,
					      data, size);
	rcu_read_unlock();
out:
	this_cpu_dec(kbpf_perf_output_nest);
	preempt_enable();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_event_output);

const struct kbpf_map_ops kbpf_perf_event_array_map_ops = {
	.alloc_check	= perf_array_alloc_check,
	.alloc		= perf_array_alloc,
	.free		= perf_array_free,
	.release	= perf_array_release,
	.lookup		= perf_array_lookup,
	.delete		= perf_array_delete,
	.get_next_key	= perf_array_get_next_key,
	.sys_lookup	= perf_array_sys_lookup,
	.sys_update	= perf_array_sys_update,
	.mem_usage	= perf_array_mem_usage,
};
EXPORT_SYMBOL_IF_KUNIT(kbpf_perf_event_array_map_ops);
