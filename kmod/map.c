// SPDX-License-Identifier: GPL-2.0
/*
 * Map objects: creation from BPF_MAP_CREATE attributes, their file
 * descriptors, ids, info and freezing, and their lifetime.  The map types
 * sit behind struct kbpf_map_ops, one file per family, listed in
 * kbpf_map_types[]; element and batch commands are in map_elem.c and
 * map_batch.c.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/nodemask.h>
#include <linux/nospec.h>
#include <linux/nsproxy.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include "kbpf.h"
#include "prog.h"

static const struct kbpf_map_ops *const kbpf_map_types[] = {
	[BPF_MAP_TYPE_ARRAY] = &kbpf_array_map_ops,
	[BPF_MAP_TYPE_PERCPU_ARRAY] = &kbpf_percpu_array_map_ops,
	[BPF_MAP_TYPE_QUEUE] = &kbpf_queue_map_ops,
	[BPF_MAP_TYPE_STACK] = &kbpf_stack_map_ops,
	[BPF_MAP_TYPE_RINGBUF] = &kbpf_ringbuf_map_ops,
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = &kbpf_perf_event_array_map_ops,
	[BPF_MAP_TYPE_HASH] = &kbpf_hash_map_ops,
	[BPF_MAP_TYPE_PERCPU_HASH] = &kbpf_percpu_hash_map_ops,
	[BPF_MAP_TYPE_LRU_HASH] = &kbpf_lru_hash_map_ops,
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = &kbpf_lru_percpu_hash_map_ops,
};

/* Final frees run here: the last reference may be dropped in atomic context. */
static struct workqueue_struct *kbpf_wq;

/* Map ids; the lock is taken with interrupts off, as a final put may come from anywhere. */
static DEFINE_IDR(kbpf_map_idr);
static DEFINE_SPINLOCK(kbpf_map_idr_lock);

int kbpf_map_module_init(void)
{
	kbpf_wq = alloc_workqueue("kbpf", WQ_UNBOUND, 0);
	return kbpf_wq ? 0 : -ENOMEM;
}

/*
 * Runs after the last file is gone: waits for pending frees, then for RCU
 * callbacks they queued, which run kbpf's code.
 */
void kbpf_map_module_exit(void)
{
	destroy_workqueue(kbpf_wq);
	rcu_barrier();
	idr_destroy(&kbpf_map_idr);
}

/* A program may be denied reads or writes, not both. */
bool kbpf_map_flags_access_ok(u32 map_flags)
{
	return (map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) !=
	       (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_flags_access_ok);

/**
 * kbpf_map_value_size() - bytes of a value as bpf(2) moves it
 * @map: the map
 *
 * Per-cpu maps move one 8-byte aligned slot per possible CPU; fd arrays
 * move a u32 file descriptor; the rest value_size bytes.
 */
u32 kbpf_map_value_size(const struct kbpf_map *map)
{
	if (kbpf_map_is_percpu(map))
		return round_up(map->value_size, 8) * num_possible_cpus();
	if (map->map_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return sizeof(u32);
	return map->value_size;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_value_size);

/* open(2) mode of a map's fd, from BPF_F_RDONLY/BPF_F_WRONLY. */
static int kbpf_file_flags(u32 flags)
{
	if ((flags & BPF_F_RDONLY) && (flags & BPF_F_WRONLY))
		return -EINVAL;
	if (flags & BPF_F_RDONLY)
		return O_RDONLY;
	if (flags & BPF_F_WRONLY)
		return O_WRONLY;
	return O_RDWR;
}

static int kbpf_map_alloc_id(struct kbpf_map *map)
{
	unsigned long irqflags;
	int id;

	idr_preload(GFP_KERNEL);
	spin_lock_irqsave(&kbpf_map_idr_lock, irqflags);
	id = idr_alloc_cyclic(&kbpf_map_idr, map, 1, INT_MAX, GFP_ATOMIC);
	if (id > 0)
		map->id = id;
	spin_unlock_irqrestore(&kbpf_map_idr_lock, irqflags);
	idr_preload_end();
	return id > 0 ? 0 : id;
}

static void kbpf_map_free_id(struct kbpf_map *map)
{
	unsigned long irqflags;

	if (!map->id)
		return;
	spin_lock_irqsave(&kbpf_map_idr_lock, irqflags);
	idr_remove(&kbpf_map_idr, map->id);
	map->id = 0;
	spin_unlock_irqrestore(&kbpf_map_idr_lock, irqflags);
}

static void kbpf_map_free_now(struct kbpf_map *map)
{
	struct mem_cgroup *memcg = map->memcg;
	u64 charged = map->charged;

	free_percpu(map->stats);
	map->ops->free(map);
	kbpf_mem_uncharge(charged);
	mem_cgroup_put(memcg);
	kbpf_obj_uncharge();
}

/*
 * kbpf offloads nothing to devices; bpf(2) tries for ARRAY and HASH maps
 * on devices with ndo_bpf, and its errno says which step failed.
 */
static int kbpf_map_offload_errno(const union bpf_attr *attr)
{
	struct net_device *dev;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (attr->map_type != BPF_MAP_TYPE_ARRAY &&
	    attr->map_type != BPF_MAP_TYPE_HASH)
		return -EINVAL;
	dev = dev_get_by_index(current->nsproxy->net_ns, attr->map_ifindex);
	if (!dev)
		return -EINVAL;
	err = dev->netdev_ops->ndo_bpf ? -EINVAL : -EOPNOTSUPP;
	dev_put(dev);
	return err;
}

/**
 * kbpf_map_new() - create a map from BPF_MAP_CREATE attributes
 * @attr: the attributes; fields past map_extra were checked to be zero
 *
 * Return: the map with one reference (and no user reference yet), or an
 * ERR_PTR: -EINVAL for invalid or unsupported attributes, -E2BIG for
 * oversized ones, -ENOMEM, including past kbpf's max_memory.
 */
struct kbpf_map *kbpf_map_new(const union bpf_attr *attr)
{
	int numa_node = kbpf_map_attr_numa_node(attr);
	const struct kbpf_map_ops *ops;
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
	err = kbpf_file_flags(attr->map_flags);
	if (err < 0)
		return ERR_PTR(err);
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
	/* 6.12: unprivileged BPF disabled (as kbpf assumes) means CAP_BPF */
	if (KBPF_MAP_CREATE_CAP_AFTER_TYPE_CHECKS && !bpf_capable())
		return ERR_PTR(-EPERM);
	if (attr->map_ifindex)
		return ERR_PTR(kbpf_map_offload_errno(attr));

	err = kbpf_obj_charge();
	if (err)
		return ERR_PTR(err);
	map = ops->alloc(attr);
	if (IS_ERR(map)) {
		kbpf_obj_uncharge();
		return map;
	}
	map->ops = ops;
	map->map_type = type;
	map->key_size = attr->key_size;
	map->value_size = attr->value_size;
	if (!map->max_entries)	/* the type may have rounded it */
		map->max_entries = attr->max_entries;
	/* BPF_F_RDONLY and BPF_F_WRONLY describe the fd, not the map. */
	map->map_flags = attr->map_flags & ~(BPF_F_RDONLY | BPF_F_WRONLY);
	map->numa_node = numa_node;
	/* bpf(2) looks at the name only once the type's allocation worked. */
	err = kbpf_obj_name_cpy(map->name, attr->map_name, sizeof(attr->map_name));
	if (err >= 0) {
		map->stats = alloc_percpu_gfp(struct kbpf_map_stats,
					      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!map->stats)
			err = -ENOMEM;
	}
	if (err < 0) {
		ops->free(map);
		kbpf_obj_uncharge();
		return ERR_PTR(err);
	}
	map->id = 0;
	refcount_set(&map->refcnt, 1);
	atomic64_set(&map->usercnt, 0);
	atomic64_set(&map->writecnt, 0);
	map->frozen = false;
	mutex_init(&map->freeze_mutex);
	map->memcg = get_mem_cgroup_from_mm(current->mm);
	map->charged = ops->mem_usage(map);

	err = kbpf_mem_charge(map->charged);
	if (err) {
		map->charged = 0;
		kbpf_map_free_now(map);
		return ERR_PTR(err);
	}
	err = kbpf_map_alloc_id(map);
	if (err) {
		kbpf_map_free_now(map);
		return ERR_PTR(err);
	}
	return map;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_new);

void kbpf_map_inc(struct kbpf_map *map)
{
	refcount_inc(&map->refcnt);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_inc);

static void kbpf_map_free_work(struct work_struct *work)
{
	kbpf_map_free_now(container_of(work, struct kbpf_map, free_work));
}

/**
 * kbpf_map_put() - drop a reference; the last one frees the map
 * @map: the map
 *
 * Safe in any context: the id goes at once, the free itself runs later
 * on kbpf's workqueue.
 */
void kbpf_map_put(struct kbpf_map *map)
{
	if (refcount_dec_and_test(&map->refcnt)) {
		kbpf_map_free_id(map);
		INIT_WORK(&map->free_work, kbpf_map_free_work);
		queue_work(kbpf_wq, &map->free_work);
	}
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_put);

static void kbpf_map_put_uref(struct kbpf_map *map)
{
	if (atomic64_dec_and_test(&map->usercnt) && map->ops->release_uref)
		map->ops->release_uref(map);
}

static int kbpf_map_release(struct inode *inode, struct file *file)
{
	struct kbpf_map *map = file->private_data;

	if (map->ops->release)
		map->ops->release(map, file);
	kbpf_map_put_uref(map);
	kbpf_map_put(map);
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
		   "map_id:\t%u\n"
		   "frozen:\t%u\n"
		   "map_name:\t%s\n",
		   map->map_type, map->key_size, map->value_size,
		   map->max_entries, map->map_flags, 0,
		   map->ops->mem_usage(map), map->id, READ_ONCE(map->frozen),
		   map->name);
}

/*
 * Writable mappings count as writers: they keep the map from freezing.
 * VM_MAYWRITE marks them (kbpf_map_mmap() clears it from read-only ones),
 * not VM_WRITE, which mprotect() may take away and give back.
 */
static void kbpf_map_vma_open(struct vm_area_struct *vma)
{
	struct kbpf_map *map = vma->vm_file->private_data;

	if (vma->vm_flags & VM_MAYWRITE)
		atomic64_inc(&map->writecnt);
}

static void kbpf_map_vma_close(struct vm_area_struct *vma)
{
	struct kbpf_map *map = vma->vm_file->private_data;

	if (vma->vm_flags & VM_MAYWRITE)
		atomic64_dec(&map->writecnt);
}

static const struct vm_operations_struct kbpf_map_vmops = {
	.open	= kbpf_map_vma_open,
	.close	= kbpf_map_vma_close,
};

static int kbpf_map_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kbpf_map *map = file->private_data;
	bool writable = vma->vm_flags & VM_WRITE;
	int err = 0;

	if (!map->ops->mmap)
		return -ENOTSUPP;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	mutex_lock(&map->freeze_mutex);
	if (writable) {
		if (map->frozen)
			err = -EPERM;
		else if (map->map_flags & BPF_F_RDONLY_PROG)
			err = -EACCES;	/* programs rely on the contents */
		else
			atomic64_inc(&map->writecnt);
	}
	mutex_unlock(&map->freeze_mutex);
	if (err)
		return err;

	vma->vm_ops = &kbpf_map_vmops;
	vm_flags_clear(vma, VM_MAYEXEC);
	/* A read-only mapping may not become writable with mprotect(). */
	if (!writable)
		vm_flags_clear(vma, VM_MAYWRITE);
	err = map->ops->mmap(map, vma);
	if (err && writable)
		atomic64_dec(&map->writecnt);
	return err;
}

static __poll_t kbpf_map_poll(struct file *file, struct poll_table_struct *pt)
{
	struct kbpf_map *map = file->private_data;

	return map->ops->poll ? map->ops->poll(map, file, pt) : EPOLLERR;
}

static const struct file_operations kbpf_map_fops = {
	.owner		= THIS_MODULE,
	.release	= kbpf_map_release,
	.show_fdinfo	= kbpf_map_show_fdinfo,
	.mmap		= kbpf_map_mmap,
	.poll		= kbpf_map_poll,
	.llseek		= noop_llseek,
};

/* A new fd on @map, taking a reference and a user reference on success. */
static int kbpf_map_new_fd(struct kbpf_map *map, int flags)
{
	int fd;

	kbpf_map_inc(map);
	atomic64_inc(&map->usercnt);
	fd = anon_inode_getfd("kbpf-map", &kbpf_map_fops, map, flags | O_CLOEXEC);
	if (fd < 0) {
		kbpf_map_put_uref(map);
		kbpf_map_put(map);
	}
	return fd;
}

/**
 * kbpf_map_from_file() - the map behind an fd
 * @file: the fd's file, or NULL for a closed fd
 *
 * Return: the map, or -EBADF for a closed fd and -EINVAL for a file that
 * is not a kbpf map, as bpf(2) answers.
 */
struct kbpf_map *kbpf_map_from_file(struct file *file)
{
	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &kbpf_map_fops)
		return ERR_PTR(-EINVAL);
	return file->private_data;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_from_file);

/**
 * kbpf_map_check_mode() - may this fd read and/or write the map?
 * @map:  the map behind @file
 * @file: the fd's file
 * @mode: FMODE_READ and/or FMODE_WRITE
 *
 * A frozen map refuses writes through every fd.  Writers call this inside
 * kbpf_map_write_begin()/end(), so that a freeze either waits for them
 * (EBUSY) or is seen by them.  Return: 0 or -EPERM.
 */
int kbpf_map_check_mode(struct kbpf_map *map, struct file *file, fmode_t mode)
{
	fmode_t allowed = file->f_mode;

	if (READ_ONCE(map->frozen))
		allowed &= ~FMODE_WRITE;
	return (allowed & mode) == mode ? 0 : -EPERM;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_map_check_mode);

void kbpf_map_write_begin(struct kbpf_map *map)
{
	atomic64_inc(&map->writecnt);
	smp_mb__after_atomic();	/* pairs with the freezer's check */
}

void kbpf_map_write_end(struct kbpf_map *map)
{
	atomic64_dec(&map->writecnt);
}

/**
 * kbpf_map_fd_cmd() - run a map command on the map behind @ufd
 * @ufd:   the caller's map fd
 * @mode:  FMODE_READ and/or FMODE_WRITE the command needs
 * @fn:    the command
 * @attr:  its attributes
 * @uattr: the caller's attr
 *
 * Writers count as such for the duration, so a concurrent freeze either
 * fails with EBUSY or is seen.
 */
int kbpf_map_fd_cmd(u32 ufd, fmode_t mode, kbpf_map_cmd_fn fn,
		    const union bpf_attr *attr, bpfptr_t uattr)
{
	struct fd f = fdget(ufd);
	struct kbpf_map *map = kbpf_map_from_file(fd_file(f));
	bool write = mode & FMODE_WRITE;
	int err = PTR_ERR_OR_ZERO(map);

	if (err)
		goto out;
	if (write)
		kbpf_map_write_begin(map);
	err = kbpf_map_check_mode(map, fd_file(f), mode);
	if (!err)
		err = fn(map, fd_file(f), attr, uattr);
	if (write)
		kbpf_map_write_end(map);
out:
	fdput(f);
	return err;
}

/* @stat of @map, over every CPU */
static u64 kbpf_map_stat_sum(const struct kbpf_map *map, enum kbpf_map_stat stat)
{
	u64 sum = 0;
	int cpu;

	if (map->stats)
		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(map->stats, cpu)->ops[stat];
	return sum;
}

/**
 * kbpf_map_show_all() - one line per live map, for debugfs
 * @m: the seq_file
 *
 * Runs under the id lock with interrupts off: prints, nothing else.
 */
void kbpf_map_show_all(struct seq_file *m)
{
	unsigned long irqflags;
	struct kbpf_map *map;
	int id;

	seq_puts(m, "id\ttype\tkey\tvalue\tmax_entries\tflags\tmemory\tfrozen\tfds\t"
		 "lookups\tupdates\tdeletes\tother_ops\tname\n");
	spin_lock_irqsave(&kbpf_map_idr_lock, irqflags);
	idr_for_each_entry(&kbpf_map_idr, map, id)
		seq_printf(m, "%u\t%u\t%u\t%u\t%u\t%#x\t%llu\t%u\t%lld\t%llu\t%llu\t%llu\t%llu\t%s\n",
			   map->id, map->map_type, map->key_size, map->value_size,
			   map->max_entries, map->map_flags, map->ops->mem_usage(map),
			   READ_ONCE(map->frozen), atomic64_read(&map->usercnt),
			   kbpf_map_stat_sum(map, KBPF_MAP_STAT_LOOKUP),
			   kbpf_map_stat_sum(map, KBPF_MAP_STAT_UPDATE),
			   kbpf_map_stat_sum(map, KBPF_MAP_STAT_DELETE),
			   kbpf_map_stat_sum(map, KBPF_MAP_STAT_OTHER), map->name);
	spin_unlock_irqrestore(&kbpf_map_idr_lock, irqflags);
}

int kbpf_cmd_map_create(union bpf_attr *attr, bpfptr_t uattr)
{
	struct kbpf_map *map;
	int fd;

	map = kbpf_map_new(attr);
	if (IS_ERR(map))
		return PTR_ERR(map);
	fd = kbpf_map_new_fd(map, kbpf_file_flags(attr->map_flags));
	kbpf_map_put(map);	/* the fd holds the map now, or nothing does */
	return fd;
}

int kbpf_cmd_map_freeze(union bpf_attr *attr, bpfptr_t uattr)
{
	struct fd f = fdget(attr->map_fd);
	struct kbpf_map *map = kbpf_map_from_file(fd_file(f));
	int err;

	err = PTR_ERR_OR_ZERO(map);
	if (!err && KBPF_FREEZE_NEEDS_WRITABLE_FD)
		err = kbpf_map_check_mode(map, fd_file(f), FMODE_WRITE);
	if (err)
		goto out;
	mutex_lock(&map->freeze_mutex);
	if (atomic64_read(&map->writecnt) || map->frozen) {
		err = -EBUSY;
	} else if (!KBPF_FREEZE_NEEDS_WRITABLE_FD && !bpf_capable()) {
		err = -EPERM;
	} else {
		WRITE_ONCE(map->frozen, true);
		smp_mb();	/* pairs with kbpf_map_write_begin() */
		if (atomic64_read(&map->writecnt)) {
			WRITE_ONCE(map->frozen, false);
			err = -EBUSY;
		}
	}
	mutex_unlock(&map->freeze_mutex);
out:
	fdput(f);
	return err;
}

int kbpf_cmd_map_get_next_id(union bpf_attr *attr, bpfptr_t uattr)
{
	u32 next_id = attr->start_id;
	unsigned long irqflags;
	void *found;

	if (next_id >= INT_MAX)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	next_id++;
	spin_lock_irqsave(&kbpf_map_idr_lock, irqflags);
	found = idr_get_next(&kbpf_map_idr, &next_id);
	spin_unlock_irqrestore(&kbpf_map_idr_lock, irqflags);
	if (!found)
		return -ENOENT;
	return kbpf_attr_put_u32(uattr, next_id, next_id);
}

int kbpf_cmd_map_get_fd_by_id(union bpf_attr *attr, bpfptr_t uattr)
{
	unsigned long irqflags;
	struct kbpf_map *map;
	int f_flags, fd;

	if (attr->open_flags & ~(BPF_F_RDONLY | BPF_F_WRONLY))
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	f_flags = kbpf_file_flags(attr->open_flags);
	if (f_flags < 0)
		return f_flags;

	spin_lock_irqsave(&kbpf_map_idr_lock, irqflags);
	map = idr_find(&kbpf_map_idr, attr->map_id);
	if (map && !refcount_inc_not_zero(&map->refcnt))
		map = NULL;
	spin_unlock_irqrestore(&kbpf_map_idr_lock, irqflags);
	if (!map)
		return -ENOENT;

	fd = kbpf_map_new_fd(map, f_flags);
	kbpf_map_put(map);
	return fd;
}

static int kbpf_map_get_info(struct kbpf_map *map, const union bpf_attr *attr,
			     bpfptr_t uattr)
{
	bpfptr_t uinfo = make_bpfptr(attr->info.info, bpfptr_is_kernel(uattr));
	u32 info_len = attr->info.info_len;
	struct bpf_map_info info;
	int err;

	err = kbpf_check_uarg_tail_zero(uinfo, sizeof(info), info_len);
	if (err)
		return err;
	info_len = min_t(u32, sizeof(info), info_len);

	memset(&info, 0, sizeof(info));
	info.type = map->map_type;
	info.id = map->id;
	info.key_size = map->key_size;
	info.value_size = map->value_size;
	info.max_entries = map->max_entries;
	info.map_flags = map->map_flags;
	memcpy(info.name, map->name, sizeof(map->name));

	if (kbpf_copy_to_bpfptr(uinfo, &info, info_len))
		return -EFAULT;
	return kbpf_attr_put_u32(uattr, info.info_len, info_len);
}

int kbpf_cmd_obj_get_info_by_fd(union bpf_attr *attr, bpfptr_t uattr)
{
	struct fd f = fdget(attr->info.bpf_fd);
	struct kbpf_prog *prog;
	struct kbpf_map *map;
	int err;

	/* a closed fd is EBADFD here, unlike in every other command */
	if (!fd_file(f))
		return -EBADFD;
	map = kbpf_map_from_file(fd_file(f));
	prog = kbpf_prog_from_file(fd_file(f));
	if (!IS_ERR(map))
		err = kbpf_map_get_info(map, attr, uattr);
	else if (!IS_ERR(prog))
		err = kbpf_prog_get_info(prog, attr, uattr);
	else
		err = PTR_ERR(map);
	fdput(f);
	return err;
}
