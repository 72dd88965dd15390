// SPDX-License-Identifier: GPL-2.0
/*
 * Map objects: creation from BPF_MAP_CREATE attributes, their file
 * descriptors, their lifetime, and the element commands bpf(2) runs on
 * them.  The map types themselves sit behind struct kbpf_map_ops, one file
 * each, listed in kbpf_map_types[].
 */
#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/nospec.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "kbpf.h"

static const struct kbpf_map_ops *const kbpf_map_types[] = {
	[BPF_MAP_TYPE_ARRAY] = &kbpf_array_map_ops,
};

/* Final frees run here: the last reference may be dropped in atomic context. */
static struct workqueue_struct *kbpf_wq;

int kbpf_map_module_init(void)
{
	kbpf_wq = alloc_workqueue("kbpf", WQ_UNBOUND, 0);
	return kbpf_wq ? 0 : -ENOMEM;
}

/* Runs after the last file is gone: waits for pending frees. */
void kbpf_map_module_exit(void)
{
	destroy_workqueue(kbpf_wq);
}

/**
 * kbpf_area_alloc() - zeroed memory for a map's elements
 * @size:      bytes
 * @numa_node: node, or NUMA_NO_NODE
 *
 * Charged to the caller's memory cgroup.  Large requests fall back to
 * vmalloc and fail rather than wake the OOM killer.
 *
 * Return: the memory, or NULL.
 */
void *kbpf_area_alloc(u64 size, int numa_node)
{
	if (size > INT_MAX)	/* kvmalloc's own limit */
		return NULL;
	return kvzalloc_node(size, GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL |
			     __GFP_NOWARN, numa_node);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_area_alloc);

void kbpf_area_free(void *area)
{
	kvfree(area);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_area_free);

/* A program may be denied reads or writes, not both. */
bool kbpf_map_flags_access_ok(u32 map_flags)
{
	return (map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) !=
	       (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_flags_access_ok);

/* open(2) mode of a map's fd; BPF_F_RDONLY|BPF_F_WRONLY was refused before. */
static int kbpf_map_file_flags(u32 map_flags)
{
	if (map_flags & BPF_F_RDONLY)
		return O_RDONLY;
	if (map_flags & BPF_F_WRONLY)
		return O_WRONLY;
	return O_RDWR;
}

/**
 * kbpf_map_new() - create a map from BPF_MAP_CREATE attributes
 * @attr: the attributes; fields past map_extra were checked to be zero
 *
 * Return: the map with one reference, or an ERR_PTR: -EINVAL for invalid
 * or unsupported attributes, -E2BIG for oversized ones, -ENOMEM.
 */
struct kbpf_map *kbpf_map_new(const union bpf_attr *attr)
{
	int numa_node = kbpf_map_attr_numa_node(attr);
	const struct kbpf_map_ops *ops;
	char name[BPF_OBJ_NAME_LEN];
	struct kbpf_map *map;
	u32 type = attr->map_type;
	int err;

	/* kbpf maps carry no BTF; libbpf retries without it on EINVAL. */
	if (attr->btf_key_type_id || attr->btf_value_type_id ||
	    attr->btf_vmlinux_value_type_id)
		return ERR_PTR(-EINVAL);
	/* Only bloom filters and arenas, which kbpf lacks, use map_extra. */
	if (attr->map_extra)
		return ERR_PTR(-EINVAL);
	if ((attr->map_flags & BPF_F_RDONLY) && (attr->map_flags & BPF_F_WRONLY))
		return ERR_PTR(-EINVAL);
	if (numa_node != NUMA_NO_NODE &&
	    ((unsigned int)numa_node >= nr_node_ids || !node_online(numa_node)))
		return ERR_PTR(-EINVAL);

	if (type >= ARRAY_SIZE(kbpf_map_types))
		return ERR_PTR(-EINVAL);
	ops = kbpf_map_types[array_index_nospec(type, ARRAY_SIZE(kbpf_map_types))];
	if (!ops)
		return ERR_PTR(-EINVAL);
	err = ops->alloc_check(attr);
	if (err)
		return ERR_PTR(err);
	/* No device offload. */
	if (attr->map_ifindex)
		return ERR_PTR(-EINVAL);
	err = kbpf_obj_name_cpy(name, attr->map_name, sizeof(attr->map_name));
	if (err < 0)
		return ERR_PTR(err);

	map = ops->alloc(attr);
	if (IS_ERR(map))
		return map;
	map->ops = ops;
	map->map_type = type;
	map->key_size = attr->key_size;
	map->value_size = attr->value_size;
	map->max_entries = attr->max_entries;
	map->map_flags = attr->map_flags;
	map->numa_node = numa_node;
	refcount_set(&map->refcnt, 1);
	memcpy(map->name, name, sizeof(name));
	return map;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_new);

static void kbpf_map_free_work(struct work_struct *work)
{
	struct kbpf_map *map = container_of(work, struct kbpf_map, free_work);

	map->ops->free(map);
}

/**
 * kbpf_map_put() - drop a reference; the last one frees the map
 * @map: the map
 *
 * Safe in any context: the free itself runs later on kbpf's workqueue.
 */
void kbpf_map_put(struct kbpf_map *map)
{
	if (refcount_dec_and_test(&map->refcnt)) {
		INIT_WORK(&map->free_work, kbpf_map_free_work);
		queue_work(kbpf_wq, &map->free_work);
	}
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_put);

static int kbpf_map_release(struct inode *inode, struct file *file)
{
	kbpf_map_put(file->private_data);
	return 0;
}

static void kbpf_map_show_fdinfo(struct seq_file *m, struct file *file)
{
	const struct kbpf_map *map = file->private_data;

	seq_printf(m,
		   "map_type:\t%u\n"
		   "key_size:\t%u\n"
		   "value_size:\t%u\n"
		   "max_entries:\t%u\n"
		   "map_flags:\t%#x\n"
		   "map_extra:\t%#x\n"
		   "memlock:\t%llu\n"
		   "map_name:\t%s\n",
		   map->map_type, map->key_size, map->value_size,
		   map->max_entries, map->map_flags, 0,
		   map->ops->mem_usage(map),
		   map->name);
}

static const struct file_operations kbpf_map_fops = {
	.owner		= THIS_MODULE,
	.release	= kbpf_map_release,
	.show_fdinfo	= kbpf_map_show_fdinfo,
	.llseek		= noop_llseek,
};

/*
 * The map behind an fd, if the fd's mode allows @mode: -EBADF for a closed
 * fd, -EINVAL for a file that is not a kbpf map, -EPERM for a read-only or
 * write-only fd used the other way, as bpf(2) answers.
 */
static struct kbpf_map *kbpf_map_from_file(struct file *file, fmode_t mode)
{
	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &kbpf_map_fops)
		return ERR_PTR(-EINVAL);
	if ((file->f_mode & mode) != mode)
		return ERR_PTR(-EPERM);
	return file->private_data;
}

static void *kbpf_map_copy_key(const struct kbpf_map *map, bpfptr_t ukey)
{
	if (map->key_size)
		return kvmemdup_bpfptr(ukey, map->key_size);
	if (!bpfptr_is_null(ukey))
		return ERR_PTR(-EINVAL);
	return NULL;
}

/**
 * kbpf_map_lookup_elem() - BPF_MAP_LOOKUP_ELEM on a map
 * @map:    the map
 * @attr:   key, value and flags of the command
 * @kernel: whether attr's pointers are kernel pointers
 *
 * Return: 0, -ENOENT, -EINVAL (BPF_F_LOCK: no kbpf map has a spin lock in
 * its values), -EFAULT, -ENOMEM.
 */
int kbpf_map_lookup_elem(struct kbpf_map *map, const union bpf_attr *attr,
			 bool kernel)
{
	void *key, *value, *ptr;
	int err;

	if (attr->flags)
		return -EINVAL;
	key = kbpf_map_copy_key(map, make_bpfptr(attr->key, kernel));
	if (IS_ERR(key))
		return PTR_ERR(key);
	value = kvmalloc(map->value_size, GFP_USER | __GFP_NOWARN);
	if (!value) {
		err = -ENOMEM;
		goto free_key;
	}

	rcu_read_lock();
	ptr = map->ops->lookup(map, key);
	if (ptr)
		memcpy(value, ptr, map->value_size);
	rcu_read_unlock();

	err = ptr ? kbpf_copy_to_bpfptr(make_bpfptr(attr->value, kernel),
				       value, map->value_size) : -ENOENT;
	kvfree(value);
free_key:
	kvfree(key);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_lookup_elem);

/**
 * kbpf_map_update_elem() - BPF_MAP_UPDATE_ELEM on a map
 * @map:    the map
 * @attr:   key, value and flags of the command
 * @kernel: whether attr's pointers are kernel pointers
 *
 * Return: 0 or what the map type's update returns; -EINVAL for BPF_F_LOCK,
 * -EFAULT, -ENOMEM.
 */
int kbpf_map_update_elem(struct kbpf_map *map, const union bpf_attr *attr,
			 bool kernel)
{
	void *key, *value;
	int err;

	if (attr->flags & BPF_F_LOCK)
		return -EINVAL;
	key = kbpf_map_copy_key(map, make_bpfptr(attr->key, kernel));
	if (IS_ERR(key))
		return PTR_ERR(key);
	value = kvmemdup_bpfptr(make_bpfptr(attr->value, kernel), map->value_size);
	if (IS_ERR(value)) {
		err = PTR_ERR(value);
		goto free_key;
	}

	rcu_read_lock();
	err = map->ops->update(map, key, value, attr->flags);
	rcu_read_unlock();

	kvfree(value);
free_key:
	kvfree(key);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_update_elem);

/**
 * kbpf_map_delete_elem() - BPF_MAP_DELETE_ELEM on a map
 * @map:    the map
 * @attr:   key of the command
 * @kernel: whether attr's pointers are kernel pointers
 *
 * Return: 0 or what the map type's delete returns; -EFAULT, -ENOMEM.
 */
int kbpf_map_delete_elem(struct kbpf_map *map, const union bpf_attr *attr,
			 bool kernel)
{
	void *key;
	int err;

	key = kbpf_map_copy_key(map, make_bpfptr(attr->key, kernel));
	if (IS_ERR(key))
		return PTR_ERR(key);

	rcu_read_lock();
	err = map->ops->delete(map, key);
	rcu_read_unlock();

	kvfree(key);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_delete_elem);

/**
 * kbpf_map_get_next_key() - BPF_MAP_GET_NEXT_KEY on a map
 * @map:    the map
 * @attr:   key (may be 0: the first key) and next_key of the command
 * @kernel: whether attr's pointers are kernel pointers
 *
 * Return: 0, -ENOENT after the last key, -EFAULT, -ENOMEM.
 */
int kbpf_map_get_next_key(struct kbpf_map *map, const union bpf_attr *attr,
			  bool kernel)
{
	bpfptr_t ukey = make_bpfptr(attr->key, kernel);
	void *key = NULL, *next_key;
	int err;

	if (!bpfptr_is_null(ukey)) {
		key = kbpf_map_copy_key(map, ukey);
		if (IS_ERR(key))
			return PTR_ERR(key);
	}
	next_key = kvmalloc(map->key_size, GFP_USER | __GFP_NOWARN);
	if (!next_key) {
		err = -ENOMEM;
		goto free_key;
	}

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

typedef int (*kbpf_map_cmd_fn)(struct kbpf_map *map,
			       const union bpf_attr *attr, bool kernel);

/* Run @fn on the map behind attr->map_fd if the fd allows @mode. */
static int kbpf_map_fd_cmd(const union bpf_attr *attr, bpfptr_t uattr,
			   fmode_t mode, kbpf_map_cmd_fn fn)
{
	struct fd f = fdget(attr->map_fd);
	struct kbpf_map *map;
	int err;

	map = kbpf_map_from_file(fd_file(f), mode);
	err = IS_ERR(map) ? PTR_ERR(map) : fn(map, attr, bpfptr_is_kernel(uattr));
	fdput(f);
	return err;
}

int kbpf_cmd_map_create(union bpf_attr *attr, bpfptr_t uattr)
{
	struct kbpf_map *map;
	int fd;

	map = kbpf_map_new(attr);
	if (IS_ERR(map))
		return PTR_ERR(map);
	fd = anon_inode_getfd("kbpf-map", &kbpf_map_fops, map,
			      kbpf_map_file_flags(map->map_flags) | O_CLOEXEC);
	if (fd < 0)
		kbpf_map_put(map);
	return fd;
}

int kbpf_cmd_map_lookup_elem(union bpf_attr *attr, bpfptr_t uattr)
{
	/* Unknown flags are refused before the fd is looked at, as bpf(2) does. */
	if (attr->flags & ~BPF_F_LOCK)
		return -EINVAL;
	return kbpf_map_fd_cmd(attr, uattr, FMODE_READ, kbpf_map_lookup_elem);
}

int kbpf_cmd_map_update_elem(union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_map_fd_cmd(attr, uattr, FMODE_WRITE, kbpf_map_update_elem);
}

int kbpf_cmd_map_delete_elem(union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_map_fd_cmd(attr, uattr, FMODE_WRITE, kbpf_map_delete_elem);
}

int kbpf_cmd_map_get_next_key(union bpf_attr *attr, bpfptr_t uattr)
{
	return kbpf_map_fd_cmd(attr, uattr, FMODE_READ, kbpf_map_get_next_key);
}
