// SPDX-License-Identifier: GPL-2.0
/*
 * The batch commands of bpf(2): BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,
 * DELETE}_BATCH, and generic implementations built on a type's
 * get_next_key, lookup, update and delete, as kernel/bpf/syscall.c's
 * generic_map_*_batch() are.
 *
 * The contract: batch.count says how many elements the caller's keys and
 * values arrays hold; on return it says how many were processed, also on
 * error.  A lookup continues after the key in_batch points to (from the
 * start when in_batch is NULL) and leaves in out_batch where the next call
 * continues; it fails with ENOENT once the map has no more elements.
 */
#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "kbpf.h"

/* How often a lookup retries a key that vanished under it before EINTR. */
#define KBPF_BATCH_RETRIES 3

static bpfptr_t kbpf_bpfptr_at(u64 addr, bool kernel, size_t offset)
{
	bpfptr_t p = make_bpfptr(addr, kernel);

	bpfptr_add(&p, offset);
	return p;
}

/*
 * How many elements of @elem_size bytes (each array's share: a key, or a
 * key and a value) one chunk of a batch moves with one copy per array:
 * as many as the command's stack buffer holds besides @reserved bytes,
 * one at least (then maybe allocated), never more than asked for.
 */
static u32 kbpf_batch_chunk(u32 elem_size, u32 reserved, u32 max_count)
{
	/* each array's part is rounded up to 8 bytes: 16 for two */
	u32 used = round_up(reserved, 8) + 16;
	u32 n = used < KBPF_ELEM_STACK_BYTES ?
		(KBPF_ELEM_STACK_BYTES - used) / (elem_size ?: 1) : 0;

	return clamp_t(u32, n, 1, max_count);
}

/*
 * Write the @n elements staged in @keys and @values out as the caller's
 * elements [@cp, @cp + @n).  Return: 0 or -EFAULT.
 */
static int kbpf_batch_write(const union bpf_attr *attr, bool kernel, u32 cp, u32 n,
			    u32 key_size, const void *keys, u32 value_size,
			    const void *values)
{
	if (kbpf_copy_to_bpfptr(kbpf_bpfptr_at(attr->batch.keys, kernel,
					       (size_t)cp * key_size),
				keys, (size_t)n * key_size) ||
	    kbpf_copy_to_bpfptr(kbpf_bpfptr_at(attr->batch.values, kernel,
					       (size_t)cp * value_size),
				values, (size_t)n * value_size))
		return -EFAULT;
	return 0;
}

/**
 * kbpf_generic_lookup_batch() - BPF_MAP_LOOKUP_BATCH by get_next_key
 * @map:      the map
 * @map_file: unused
 * @attr:     the batch attributes; in_batch and out_batch hold a key
 * @uattr:    the caller's attr, whose batch.count is written back
 *
 * bpf(2)'s walk, with the elements staged a chunk at a time and copied
 * out with one copy per array and chunk.  A fault copying out fails the
 * call with EFAULT and count 0, as in bpf(2); the caller's arrays then
 * hold what was copied before it, a chunk's worth of keys at most past
 * the faulting element's.
 */
int kbpf_generic_lookup_batch(struct kbpf_map *map, struct file *map_file,
			      const union bpf_attr *attr, bpfptr_t uattr)
{
	bool kernel = bpfptr_is_kernel(uattr);
	bpfptr_t in_batch = make_bpfptr(attr->batch.in_batch, kernel);
	u32 key_size = map->key_size, value_size = kbpf_map_value_size(map);
	u32 max_count = attr->batch.count, cp = 0, n = 0, chunk;
	void *prev_buf, *prev_key = NULL, *keys, *values, *key;
	int err, retry = KBPF_BATCH_RETRIES;
	struct kbpf_elem_bufs b;

	if (attr->batch.elem_flags)	/* BPF_F_LOCK: no spin lock in values */
		return -EINVAL;
	if (!max_count)
		return 0;
	if (kbpf_attr_put_u32(uattr, batch.count, 0))
		return -EFAULT;

	kbpf_elem_bufs_init(&b);
	chunk = kbpf_batch_chunk(key_size + value_size, key_size, max_count);
	prev_buf = kbpf_elem_alloc(&b, key_size);
	keys = prev_buf ? kbpf_elem_alloc(&b, chunk * key_size) : NULL;
	values = keys ? kbpf_elem_alloc(&b, chunk * value_size) : NULL;
	err = -ENOMEM;
	if (!values)
		goto free;
	if (!bpfptr_is_null(in_batch)) {
		err = -EFAULT;
		if (copy_from_bpfptr(prev_buf, in_batch, key_size))
			goto free;
		prev_key = prev_buf;
	}

	while (cp < max_count) {
		key = keys + (size_t)n * key_size;
		rcu_read_lock();
		err = map->ops->get_next_key(map, prev_key, key);
		rcu_read_unlock();
		if (err)
			break;
		err = kbpf_map_copy_value(map, key, values + (size_t)n * value_size, 0);
		if (err == -ENOENT) {	/* deleted under us: look again */
			if (retry--)
				continue;
			err = -EINTR;
			break;
		}
		if (err)
			goto free;
		prev_key = key;
		retry = KBPF_BATCH_RETRIES;
		n++;
		cp++;
		if (n == chunk) {
			if (kbpf_batch_write(attr, kernel, cp - n, n, key_size, keys,
					     value_size, values)) {
				err = -EFAULT;
				goto free;
			}
			/* the slots are reused: keep the last key apart */
			memcpy(prev_buf, prev_key, key_size);
			prev_key = prev_buf;
			n = 0;
		}
		cond_resched();
	}
	if (n && kbpf_batch_write(attr, kernel, cp - n, n, key_size, keys,
				  value_size, values))
		err = -EFAULT;
	if (err == -EFAULT)
		goto free;
	if (kbpf_attr_put_u32(uattr, batch.count, cp) ||
	    (cp && kbpf_copy_to_bpfptr(make_bpfptr(attr->batch.out_batch, kernel),
				       prev_key, key_size)))
		err = -EFAULT;
free:
	kbpf_elem_free(&b);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_generic_lookup_batch);

/*
 * Read elements [@cp, @cp + @n) of the caller's @n-element chunk: their
 * keys into @keys and, with @values, their values.  Return: 0 or -EFAULT.
 */
static int kbpf_batch_read(const union bpf_attr *attr, bool kernel, u32 cp, u32 n,
			   u32 key_size, void *keys, u32 value_size, void *values)
{
	if (copy_from_bpfptr(keys, kbpf_bpfptr_at(attr->batch.keys, kernel,
						  (size_t)cp * key_size),
			     (size_t)n * key_size))
		return -EFAULT;
	if (values &&
	    copy_from_bpfptr(values, kbpf_bpfptr_at(attr->batch.values, kernel,
						    (size_t)cp * value_size),
			     (size_t)n * value_size))
		return -EFAULT;
	return 0;
}

/*
 * kbpf_generic_update_batch() and kbpf_generic_delete_batch(): element
 * by element as bpf(2), but the keys and values are read a chunk at a
 * time (one copy per array, not one per element).  A chunk that cannot
 * be read is read again one element at a time, so that the elements
 * before the faulting one are processed and counted, as bpf(2) does.
 * Element buffers need no alignment beyond the sizes': ops take keys and
 * values by memcpy, jhash, or as the u32 a 4-byte key or value is.
 */
static int kbpf_generic_write_batch(struct kbpf_map *map, struct file *map_file,
				    const union bpf_attr *attr, bpfptr_t uattr,
				    bool update)
{
	bool kernel = bpfptr_is_kernel(uattr);
	u32 key_size = map->key_size, value_size = update ? kbpf_map_value_size(map) : 0;
	u32 max_count = attr->batch.count, cp = 0, chunk, n, i;
	struct kbpf_elem_bufs b;
	void *keys, *values = NULL;
	int err = 0;

	if (attr->batch.elem_flags)
		return -EINVAL;
	if (!max_count)
		return 0;
	if (kbpf_attr_put_u32(uattr, batch.count, 0))
		return -EFAULT;

	kbpf_elem_bufs_init(&b);
	chunk = kbpf_batch_chunk(key_size + value_size, 0, max_count);
	keys = kbpf_elem_alloc(&b, chunk * key_size);
	if (update)
		values = kbpf_elem_alloc(&b, chunk * value_size);
	if (!keys || (update && !values)) {
		err = -ENOMEM;
		goto free;
	}
	while (cp < max_count) {
		n = min(chunk, max_count - cp);
		err = kbpf_batch_read(attr, kernel, cp, n, key_size, keys,
				      value_size, values);
		if (err) {
			if (n == 1)
				break;
			chunk = 1;	/* find the element that faults */
			continue;
		}
		for (i = 0; i < n; i++) {
			void *key = keys + (size_t)i * key_size;

			err = update ? kbpf_map_update_value(map, map_file, key,
							     values + (size_t)i * value_size,
							     BPF_ANY)
				     : kbpf_map_delete_value(map, key);
			if (err)
				break;
			cond_resched();
		}
		cp += i;
		if (err)
			break;
	}
	if (kbpf_attr_put_u32(uattr, batch.count, cp))
		err = -EFAULT;
free:
	kbpf_elem_free(&b);
	return err;
}

/**
 * kbpf_generic_update_batch() - BPF_MAP_UPDATE_BATCH, element by element
 * @map:      the map
 * @map_file: the fd's file, for maps whose values are fds
 * @attr:     the batch attributes; elem_flags must be 0 (BPF_ANY): BPF_F_LOCK
 *            needs a spin lock kbpf values lack
 * @uattr:    the caller's attr, whose batch.count is written back
 *
 * Stops at the first element that fails; count says how many went in.
 */
int kbpf_generic_update_batch(struct kbpf_map *map, struct file *map_file,
			      const union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_generic_write_batch(map, map_file, attr, uattr, true);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_generic_update_batch);

/**
 * kbpf_generic_delete_batch() - BPF_MAP_DELETE_BATCH, key by key
 * @map:      the map
 * @map_file: unused
 * @attr:     the batch attributes
 * @uattr:    the caller's attr, whose batch.count is written back
 *
 * Stops at the first key that fails; count says how many went.
 */
int kbpf_generic_delete_batch(struct kbpf_map *map, struct file *map_file,
			      const union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_generic_write_batch(map, map_file, attr, uattr, false);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_generic_delete_batch);

/* The type's batch operations, -ENOTSUPP where it has none, as bpf(2). */
static int kbpf_lookup_batch(struct kbpf_map *map, struct file *map_file,
			     const union bpf_attr *attr, bpfptr_t uattr)
{
	if (!map->ops->lookup_batch)
		return -ENOTSUPP;
	kbpf_map_count(map, KBPF_MAP_STAT_OTHER);
	return map->ops->lookup_batch(map, map_file, attr, uattr);
}

static int kbpf_lookup_and_delete_batch(struct kbpf_map *map,
					struct file *map_file,
					const union bpf_attr *attr,
					bpfptr_t uattr)
{
	if (!map->ops->lookup_and_delete_batch)
		return -ENOTSUPP;
	kbpf_map_count(map, KBPF_MAP_STAT_OTHER);
	return map->ops->lookup_and_delete_batch(map, map_file, attr, uattr);
}

static int kbpf_update_batch(struct kbpf_map *map, struct file *map_file,
			     const union bpf_attr *attr, bpfptr_t uattr)
{
	if (!map->ops->update_batch)
		return -ENOTSUPP;
	kbpf_map_count(map, KBPF_MAP_STAT_OTHER);
	return map->ops->update_batch(map, map_file, attr, uattr);
}

static int kbpf_delete_batch(struct kbpf_map *map, struct file *map_file,
			     const union bpf_attr *attr, bpfptr_t uattr)
{
	if (!map->ops->delete_batch)
		return -ENOTSUPP;
	kbpf_map_count(map, KBPF_MAP_STAT_OTHER);
	return map->ops->delete_batch(map, map_file, attr, uattr);
}

int kbpf_cmd_map_lookup_batch(union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_map_fd_cmd(attr->batch.map_fd, FMODE_READ,
			       kbpf_lookup_batch, attr, uattr);
}

int kbpf_cmd_map_lookup_and_delete_batch(union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_map_fd_cmd(attr->batch.map_fd, FMODE_READ | FMODE_WRITE,
			       kbpf_lookup_and_delete_batch, attr, uattr);
}

int kbpf_cmd_map_update_batch(union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_map_fd_cmd(attr->batch.map_fd, FMODE_WRITE,
			       kbpf_update_batch, attr, uattr);
}

int kbpf_cmd_map_delete_batch(union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_map_fd_cmd(attr->batch.map_fd, FMODE_WRITE,
			       kbpf_delete_batch, attr, uattr);
}
