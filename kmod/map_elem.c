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

/**
 * kbpf_elem_alloc() - @size bytes for one command, from the stack if they fit
 * @b:    the command's buffers, kbpf_elem_bufs_init()ed
 * @size: bytes
 *
 * Return: the buffer, or NULL when the stack buffer is used up and the
 * allocation failed (or a command asked for a third heap buffer).
 */
void *kbpf_elem_alloc(struct kbpf_elem_bufs *b, u32 size)
{
	u32 room = round_up(size ?: 1, 8);
	void *p;

	if (room <= sizeof(b->stack) - b->used) {
		p = b->stack + b->used;
		b->used += room;
		return p;
	}
	if (WARN_ON_ONCE(b->nr_heap >= ARRAY_SIZE(b->heap)))
		return NULL;
	p = kvmalloc(size, GFP_USER | __GFP_NOWARN);
	if (p)
		b->heap[b->nr_heap++] = p;
	return p;
}

/* Frees what kbpf_elem_alloc() allocated; the stack part goes with the frame. */
void kbpf_elem_free(struct kbpf_elem_bufs *b)
{
	while (b->nr_heap)
		kvfree(b->heap[--b->nr_heap]);
}

/* @size bytes from @src into a new buffer; ERR_PTR(-ENOMEM or -EFAULT). */
static void *kbpf_elem_dup(struct kbpf_elem_bufs *b, bpfptr_t src, u32 size)
{
	void *p = kbpf_elem_alloc(b, size);

	if (!p)
		return ERR_PTR(-ENOMEM);
	if (copy_from_bpfptr(p, src, size))
		return ERR_PTR(-EFAULT);
	return p;
}

static void *kbpf_map_copy_key(struct kbpf_elem_bufs *b, const struct kbpf_map *map,
			       bpfptr_t ukey)
{
	if (map->key_size)
		return kbpf_elem_dup(b, ukey, map->key_size);
	if (!bpfptr_is_null(ukey))
		return ERR_PTR(-EINVAL);
	return NULL;
}

/* The command's key, copied in, and room for the value it copies out. */
static int kbpf_elem_key_and_room(struct kbpf_elem_bufs *b, const struct kbpf_map *map,
				  bpfptr_t ukey, u32 value_size, void **key,
				  void **value)
{
	*key = kbpf_map_copy_key(b, map, ukey);
	if (IS_ERR(*key))
		return PTR_ERR(*key);
	*value = kbpf_elem_alloc(b, value_size);
	return *value ? 0 : -ENOMEM;
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
	struct kbpf_elem_bufs b;
	void *key, *value;
	int err;

	if (attr->flags)
		return -EINVAL;
	kbpf_elem_bufs_init(&b);
	err = kbpf_elem_key_and_room(&b, map, make_bpfptr(attr->key, kernel),
				     value_size, &key, &value);
	if (err)
		goto out;

	err = kbpf_map_copy_value(map, key, value, attr->flags);
	if (!err)
		err = kbpf_copy_to_bpfptr(make_bpfptr(attr->value, kernel),
					  value, value_size);
out:
	kbpf_elem_free(&b);
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
	struct kbpf_elem_bufs b;
	void *key, *value;
	int err;

	if (attr->flags & BPF_F_LOCK)
		return -EINVAL;
	kbpf_elem_bufs_init(&b);
	key = kbpf_map_copy_key(&b, map, make_bpfptr(attr->key, kernel));
	value = IS_ERR(key) ? key :
		kbpf_elem_dup(&b, make_bpfptr(attr->value, kernel),
			      kbpf_map_value_size(map));
	err = PTR_ERR_OR_ZERO(value);
	if (!err)
		err = kbpf_map_update_value(map, map_file, key, value, attr->flags);
	kbpf_elem_free(&b);
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
	struct kbpf_elem_bufs b;
	void *key;
	int err;

	kbpf_elem_bufs_init(&b);
	key = kbpf_map_copy_key(&b, map, make_bpfptr(attr->key, bpfptr_is_kernel(uattr)));
	err = PTR_ERR_OR_ZERO(key);
	if (!err)
		err = kbpf_map_delete_value(map, key);
	kbpf_elem_free(&b);
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
	struct kbpf_elem_bufs b;
	void *key = NULL, *next_key;
	int err;

	kbpf_elem_bufs_init(&b);
	if (!bpfptr_is_null(ukey)) {
		key = kbpf_map_copy_key(&b, map, ukey);
		if (IS_ERR(key)) {
			err = PTR_ERR(key);
			goto out;
		}
	}
	next_key = kbpf_elem_alloc(&b, map->key_size);
	if (!next_key) {
		err = -ENOMEM;
		goto out;
	}

	kbpf_map_count(map, KBPF_MAP_STAT_OTHER);
	rcu_read_lock();
	err = map->ops->get_next_key(map, key, next_key);
	rcu_read_unlock();

	if (!err)
		err = kbpf_copy_to_bpfptr(make_bpfptr(attr->next_key, kernel),
					  next_key, map->key_size);
out:
	kbpf_elem_free(&b);
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
	struct kbpf_elem_bufs b;
	void *key, *value;
	int err;

	/* Queues and stacks take no flags; BPF_F_LOCK needs a spin lock. */
	if (attr->flags)
		return -EINVAL;
	kbpf_elem_bufs_init(&b);
	err = kbpf_elem_key_and_room(&b, map, make_bpfptr(attr->key, kernel),
				     value_size, &key, &value);
	if (err)
		goto out;

	err = -ENOTSUPP;
	kbpf_map_count(map, KBPF_MAP_STAT_LOOKUP);
	if (map->ops->sys_lookup_and_delete)
		err = map->ops->sys_lookup_and_delete(map, key, value, attr->flags);
	if (!err)
		err = kbpf_copy_to_bpfptr(make_bpfptr(attr->value, kernel),
					  value, value_size);
out:
	kbpf_elem_free(&b);
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
