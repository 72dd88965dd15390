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

/**
 * kbpf_generic_lookup_batch() - BPF_MAP_LOOKUP_BATCH by get_next_key
 * @map:      the map
 * @map_file: unused
 * @attr:     the batch attributes; in_batch and out_batch hold a key
 * @uattr:    the caller's attr, whose batch.count is written back
 */
int kbpf_generic_lookup_batch(struct kbpf_map *map, struct file *map_file,
			      const union bpf_attr *attr, bpfptr_t uattr)
{
	bool kernel = bpfptr_is_kernel(uattr);
	bpfptr_t in_batch = make_bpfptr(attr->batch.in_batch, kernel);
	u32 value_size = kbpf_map_value_size(map);
	u32 max_count = attr->batch.count, cp;
	void *buf, *prev_buf, *prev_key = NULL, *key, *value;
	int err, retry = KBPF_BATCH_RETRIES;

	if (attr->batch.elem_flags)	/* BPF_F_LOCK: no spin lock in values */
		return -EINVAL;
	if (!max_count)
		return 0;
	if (kbpf_attr_put_u32(uattr, batch.count, 0))
		return -EFAULT;

	prev_buf = kvmalloc(map->key_size, GFP_USER | __GFP_NOWARN);
	buf = kvmalloc(map->key_size + value_size, GFP_USER | __GFP_NOWARN);
	if (!prev_buf || !buf) {
		err = -ENOMEM;
		goto free;
	}
	if (!bpfptr_is_null(in_batch)) {
		err = -EFAULT;
		if (copy_from_bpfptr(prev_buf, in_batch, map->key_size))
			goto free;
		prev_key = prev_buf;
	}
	key = buf;
	value = buf + map->key_size;

	for (cp = 0; cp < max_count;) {
		rcu_read_lock();
		err = map->ops->get_next_key(map, prev_key, key);
		rcu_read_unlock();
		if (err)
			break;
		err = kbpf_map_copy_value(map, key, value, 0);
		if (err == -ENOENT) {	/* deleted under us: look again */
			if (retry--)
				continue;
			err = -EINTR;
			break;
		}
		if (err)
			goto free;
		if (kbpf_copy_to_bpfptr(kbpf_bpfptr_at(attr->batch.keys, kernel,
						       (size_t)cp * map->key_size),
					key, map->key_size) ||
		    kbpf_copy_to_bpfptr(kbpf_bpfptr_at(attr->batch.values, kernel,
						       (size_t)cp * value_size),
					value, value_size)) {
			err = -EFAULT;
			goto free;
		}
		if (!prev_key)
			prev_key = prev_buf;
		swap(prev_key, key);
		retry = KBPF_BATCH_RETRIES;
		cp++;
		cond_resched();
	}
	if (err == -EFAULT)
		goto free;
	if (kbpf_attr_put_u32(uattr, batch.count, cp) ||
	    (cp && kbpf_copy_to_bpfptr(make_bpfptr(attr->batch.out_batch, kernel),
				       prev_key, map->key_size)))
		err = -EFAULT;
free:
	kvfree(prev_buf);
	kvfree(buf);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_generic_lookup_batch);

/**
 * kbpf_generic_update_batch() - BPF_MAP_UPDATE_BATCH, element by element
 * @map:      the map
 * @map_file: the fd's file, for maps whose values are fds
 * @attr:     the batch attributes; elem_flags must be 0 (BPF_ANY)
 * @uattr:    the caller's attr, whose batch.count is written back
 *
 * Stops at the first element that fails; count says how many went in.
 */
int kbpf_generic_update_batch(struct kbpf_map *map, struct file *map_file,
			      const union bpf_attr *attr, bpfptr_t uattr)
{
	bool kernel = bpfptr_is_kernel(uattr);
	u32 value_size = kbpf_map_value_size(map);
	u32 max_count = attr->batch.count, cp;
	void *key, *value;
	int err = 0;

	/* BPF_ANY only: BPF_F_LOCK needs a spin lock kbpf values lack. */
	if (attr->batch.elem_flags)
		return -EINVAL;
	if (!max_count)
		return 0;
	if (kbpf_attr_put_u32(uattr, batch.count, 0))
		return -EFAULT;

	key = kvmalloc(map->key_size ?: 1, GFP_USER | __GFP_NOWARN);
	value = kvmalloc(value_size, GFP_USER | __GFP_NOWARN);
	if (!key || !value) {
		kvfree(key);
		kvfree(value);
		return -ENOMEM;
	}
	for (cp = 0; cp < max_count; cp++) {
		err = -EFAULT;
		if (copy_from_bpfptr(key, kbpf_bpfptr_at(attr->batch.keys, kernel,
							 (size_t)cp * map->key_size),
				     map->key_size) ||
		    copy_from_bpfptr(value, kbpf_bpfptr_at(attr->batch.values, kernel,
							   (size_t)cp * value_size),
				     value_size))
			break;
		err = kbpf_map_update_value(map, map_file, key, value, BPF_ANY);
		if (err)
			break;
		cond_resched();
	}
	if (kbpf_attr_put_u32(uattr, batch.count, cp))
		err = -EFAULT;
	kvfree(value);
	kvfree(key);
	return err;
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
	bool kernel = bpfptr_is_kernel(uattr);
	u32 max_count = attr->batch.count, cp;
	void *key;
	int err = 0;

	if (attr->batch.elem_flags)
		return -EINVAL;
	if (!max_count)
		return 0;
	if (kbpf_attr_put_u32(uattr, batch.count, 0))
		return -EFAULT;

	key = kvmalloc(map->key_size ?: 1, GFP_USER | __GFP_NOWARN);
	if (!key)
		return -ENOMEM;
	for (cp = 0; cp < max_count; cp++) {
		err = -EFAULT;
		if (copy_from_bpfptr(key, kbpf_bpfptr_at(attr->batch.keys, kernel,
							 (size_t)cp * map->key_size),
				     map->key_size))
			break;
		err = kbpf_map_delete_value(map, key);
		if (err)
			break;
		cond_resched();
	}
	if (kbpf_attr_put_u32(uattr, batch.count, cp))
		err = -EFAULT;
	kvfree(key);
	return err;
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
