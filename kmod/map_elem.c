// SPDX-License-Identifier: GPL-2.0
/*
 * The element commands of bpf(2) on kbpf maps: lookup, update, delete,
 * get_next_key and lookup_and_delete.  The order of the checks, and so
 * which errno wins when several apply, is kernel/bpf/syscall.c's.
 */
#include <linux/err.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "kbpf.h"

static void *kbpf_map_copy_key(const struct kbpf_map *map, bpfptr_t ukey)
{
	if (map->key_size)
		return kvmemdup_bpfptr(ukey, map->key_size);
	if (!bpfptr_is_null(ukey))
		return ERR_PTR(-EINVAL);
	return NULL;
}

/**
 * kbpf_map_copy_value() - bpf(2)'s view of the value under @key
 * @map:   the map
 * @key:   the key
 * @value: kbpf_map_value_size() bytes
 * @flags: the command's flags (BPF_F_LOCK was refused before)
 *
 * Return: 0, -ENOENT, or what the type's lookup answers.
 */
int kbpf_map_copy_value(struct kbpf_map *map, const void *key, void *value,
			u64 flags)
{
	void *ptr;
	int err;

	kbpf_map_count(map, KBPF_MAP_STAT_LOOKUP);
	if (map->ops->sys_lookup)
		return map->ops->sys_lookup(map, key, value, flags);

	rcu_read_lock();
	ptr = map->ops->lookup(map, key);
	if (IS_ERR(ptr)) {
		err = PTR_ERR(ptr);
	} else if (!ptr) {
		err = -ENOENT;
	} else {
		memcpy(value, ptr, map->value_size);
		err = 0;
	}
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_copy_value);

/* bpf(2)'s update of @key to @value, as the update and batch commands do it. */
int kbpf_map_update_value(struct kbpf_map *map, struct file *map_file,
			  const void *key, const void *value, u64 flags)
{
	int err;

	kbpf_map_count(map, KBPF_MAP_STAT_UPDATE);
	if (map->ops->sys_update)
		return map->ops->sys_update(map, map_file, key, value, flags);

	rcu_read_lock();
	err = map->ops->update(map, key, value, flags);
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_update_value);

/* bpf(2)'s delete of @key, as the delete and batch commands do it. */
int kbpf_map_delete_value(struct kbpf_map *map, const void *key)
{
	int err;

	kbpf_map_count(map, KBPF_MAP_STAT_DELETE);
	rcu_read_lock();
	err = map->ops->delete(map, key);
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_delete_value);

/**
 * kbpf_map_lookup_elem() - BPF_MAP_LOOKUP_ELEM on a map
 * @map:      the map
 * @map_file: the fd's file (unused)
 * @attr:     key, value and flags of the command
 * @uattr:    the caller's attr; says whether its pointers are the kernel's
 *
 * Return: 0, -ENOENT, -EINVAL (BPF_F_LOCK: no kbpf map has a spin lock in
 * its values), -EFAULT, -ENOMEM, or what the type's lookup answers.
 */
int kbpf_map_lookup_elem(struct kbpf_map *map, struct file *map_file,
			 const union bpf_attr *attr, bpfptr_t uattr)
{
	bool kernel = bpfptr_is_kernel(uattr);
	u32 value_size = kbpf_map_value_size(map);
	void *key, *value;
	int err;

	if (attr->flags)
		return -EINVAL;
	key = kbpf_map_copy_key(map, make_bpfptr(attr->key, kernel));
	if (IS_ERR(key))
		return PTR_ERR(key);
	value = kvmalloc(value_size, GFP_USER | __GFP_NOWARN);
	if (!value) {
		err = -ENOMEM;
		goto free_key;
	}

	err = kbpf_map_copy_value(map, key, value, attr->flags);
	if (!err)
		err = kbpf_copy_to_bpfptr(make_bpfptr(attr->value, kernel),
					  value, value_size);
	kvfree(value);
free_key:
	kvfree(key);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_lookup_elem);

/**
 * kbpf_map_update_elem() - BPF_MAP_UPDATE_ELEM on a map
 * @map:      the map
 * @map_file: the fd's file, for maps whose values are fds
 * @attr:     key, value and flags of the command
 * @uattr:    the caller's attr
 *
 * Return: 0 or what the type's update answers; -EINVAL for BPF_F_LOCK,
 * -EFAULT, -ENOMEM.
 */
int kbpf_map_update_elem(struct kbpf_map *map, struct file *map_file,
			 const union bpf_attr *attr, bpfptr_t uattr)
{
	bool kernel = bpfptr_is_kernel(uattr);
	void *key, *value;
	int err;

	if (attr->flags & BPF_F_LOCK)
		return -EINVAL;
	key = kbpf_map_copy_key(map, make_bpfptr(attr->key, kernel));
	if (IS_ERR(key))
		return PTR_ERR(key);
	value = kvmemdup_bpfptr(make_bpfptr(attr->value, kernel),
				kbpf_map_value_size(map));
	if (IS_ERR(value)) {
		err = PTR_ERR(value);
		goto free_key;
	}

	err = kbpf_map_update_value(map, map_file, key, value, attr->flags);
	kvfree(value);
free_key:
	kvfree(key);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_update_elem);

/**
 * kbpf_map_delete_elem() - BPF_MAP_DELETE_ELEM on a map
 * @map:      the map
 * @map_file: the fd's file (unused)
 * @attr:     key of the command
 * @uattr:    the caller's attr
 *
 * Return: 0 or what the type's delete answers; -EFAULT, -ENOMEM.
 */
int kbpf_map_delete_elem(struct kbpf_map *map, struct file *map_file,
			 const union bpf_attr *attr, bpfptr_t uattr)
{
	void *key;
	int err;

	key = kbpf_map_copy_key(map, make_bpfptr(attr->key, bpfptr_is_kernel(uattr)));
	if (IS_ERR(key))
		return PTR_ERR(key);
	err = kbpf_map_delete_value(map, key);
	kvfree(key);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_delete_elem);

/**
 * kbpf_map_get_next_key() - BPF_MAP_GET_NEXT_KEY on a map
 * @map:      the map
 * @map_file: the fd's file (unused)
 * @attr:     key (0: the first key) and next_key of the command
 * @uattr:    the caller's attr
 *
 * Return: 0, -ENOENT after the last key, -EFAULT, -ENOMEM, or what the
 * type answers.
 */
int kbpf_map_get_next_key(struct kbpf_map *map, struct file *map_file,
			  const union bpf_attr *attr, bpfptr_t uattr)
{
	bool kernel = bpfptr_is_kernel(uattr);
	bpfptr_t ukey = make_bpfptr(attr->key, kernel);
	void *key = NULL, *next_key;
	int err;

	if (!bpfptr_is_null(ukey)) {
		key = kbpf_map_copy_key(map, ukey);
		if (IS_ERR(key))
			return PTR_ERR(key);
	}
	next_key = kvmalloc(map->key_size ?: 1, GFP_USER | __GFP_NOWARN);
	if (!next_key) {
		err = -ENOMEM;
		goto free_key;
	}

	kbpf_map_count(map, KBPF_MAP_STAT_OTHER);
	rcu_read_lock();
	err = map->ops->get_next_key(map, key, next_key);
	rcu_read_unlock();

	if (!err)
		err = kbpf_copy_to_bpfptr(make_bpfptr(attr->next_key, kernel),
					  next_key, map->key_size);
	kvfree(next_key);
free_key:
	kvfree(key);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_get_next_key);

/**
 * kbpf_map_lookup_and_delete_elem() - BPF_MAP_LOOKUP_AND_DELETE_ELEM
 * @map:      the map
 * @map_file: the fd's file (unused)
 * @attr:     key, value and flags of the command
 * @uattr:    the caller's attr
 *
 * Hash maps remove the element, queues and stacks pop; other types answer
 * -ENOTSUPP, after the key is copied, as bpf(2) orders it.
 */
int kbpf_map_lookup_and_delete_elem(struct kbpf_map *map, struct file *map_file,
				    const union bpf_attr *attr, bpfptr_t uattr)
{
	bool kernel = bpfptr_is_kernel(uattr);
	u32 value_size = kbpf_map_value_size(map);
	void *key, *value;
	int err;

	/* Queues and stacks take no flags; BPF_F_LOCK needs a spin lock. */
	if (attr->flags)
		return -EINVAL;
	key = kbpf_map_copy_key(map, make_bpfptr(attr->key, kernel));
	if (IS_ERR(key))
		return PTR_ERR(key);
	value = kvmalloc(value_size, GFP_USER | __GFP_NOWARN);
	if (!value) {
		err = -ENOMEM;
		goto free_key;
	}

	err = -ENOTSUPP;
	kbpf_map_count(map, KBPF_MAP_STAT_LOOKUP);
	if (map->ops->sys_lookup_and_delete)
		err = map->ops->sys_lookup_and_delete(map, key, value, attr->flags);
	if (!err)
		err = kbpf_copy_to_bpfptr(make_bpfptr(attr->value, kernel),
					  value, value_size);
	kvfree(value);
free_key:
	kvfree(key);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_lookup_and_delete_elem);

int kbpf_cmd_map_lookup_elem(union bpf_attr *attr, bpfptr_t uattr)
{
	/* Unknown flags are refused before the fd is looked at, as bpf(2) does. */
	if (attr->flags & ~BPF_F_LOCK)
		return -EINVAL;
	return kbpf_map_fd_cmd(attr->map_fd, FMODE_READ, kbpf_map_lookup_elem,
			       attr, uattr);
}

int kbpf_cmd_map_update_elem(union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_map_fd_cmd(attr->map_fd, FMODE_WRITE, kbpf_map_update_elem,
			       attr, uattr);
}

int kbpf_cmd_map_delete_elem(union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_map_fd_cmd(attr->map_fd, FMODE_WRITE, kbpf_map_delete_elem,
			       attr, uattr);
}

int kbpf_cmd_map_get_next_key(union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_map_fd_cmd(attr->map_fd, FMODE_READ, kbpf_map_get_next_key,
			       attr, uattr);
}

int kbpf_cmd_map_lookup_and_delete_elem(union bpf_attr *attr, bpfptr_t uattr)
{
	if (attr->flags & ~BPF_F_LOCK)
		return -EINVAL;
	return kbpf_map_fd_cmd(attr->map_fd, FMODE_READ | FMODE_WRITE,
			       kbpf_map_lookup_and_delete_elem, attr, uattr);
}
