// SPDX-License-Identifier: GPL-2.0
/*
 * Program objects: BPF_PROG_LOAD (copy, check, relocate), their fds, ids
 * and info, BPF_PROG_TEST_RUN, and kbpf_prog_run(), the one way any
 * program runs.
 *
 * Relocation is kbpf-basic's EBPFPreProcessor done natively: an ld_imm64
 * of BPF_PSEUDO_MAP_FD/IDX becomes a map handle, BPF_PSEUDO_MAP_VALUE/
 * IDX_VALUE a virtual address into the map's values (regions 2, 3, ...
 * of every run), BPF_PSEUDO_FUNC a function handle; the program takes a
 * reference on every map it names and drops them when it is freed.  No
 * kernel address is ever written into an instruction (prog.h).
 *
 * Runs use per-CPU run contexts (registers' address space and stacks),
 * KBPF_RUN_NEST deep, so that a program on a tracepoint that fires inside
 * another program's helper still has its own; a program already running
 * on this CPU is not started again (a recursion miss, counted).
 */
#include <crypto/sha1.h>
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/jump_label.h>
#include <linux/license.h>
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>
#include <linux/vmalloc.h>

#include "prog.h"

#undef pr_fmt
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* Programs running at once on one CPU, nested through tracepoints. */
#define KBPF_RUN_NEST	4

struct kbpf_run_slot {
	struct kbpf_run run;
	u8 stack[KBPF_MAX_FRAMES * KBPF_STACK_SIZE] __aligned(8);
};

struct kbpf_run_pool {
	int depth;
	struct kbpf_run_slot slot[KBPF_RUN_NEST];
};

static struct kbpf_run_pool **kbpf_run_pools;	/* one per possible CPU */

static DEFINE_IDR(kbpf_prog_idr);
static DEFINE_SPINLOCK(kbpf_prog_idr_lock);
static struct workqueue_struct *kbpf_prog_wq;

int kbpf_prog_module_init(void)
{
	int cpu;

	kbpf_prog_wq = alloc_workqueue("kbpf_prog", WQ_UNBOUND, 0);
	if (!kbpf_prog_wq)
		return -ENOMEM;
	kbpf_run_pools = kcalloc(nr_cpu_ids, sizeof(*kbpf_run_pools), GFP_KERNEL);
	if (!kbpf_run_pools)
		goto fail;
	for_each_possible_cpu(cpu) {
		kbpf_run_pools[cpu] = kvzalloc_node(sizeof(*kbpf_run_pools[cpu]),
						    GFP_KERNEL, cpu_to_node(cpu));
		if (!kbpf_run_pools[cpu])
			goto fail;
	}
	return 0;
fail:
	kbpf_prog_module_exit();
	return -ENOMEM;
}

/* After the last fd is gone: no program runs any more. */
void kbpf_prog_module_exit(void)
{
	int cpu;

	if (kbpf_prog_wq)
		destroy_workqueue(kbpf_prog_wq);
	kbpf_prog_wq = NULL;
	if (kbpf_run_pools) {
		for_each_possible_cpu(cpu)
			kvfree(kbpf_run_pools[cpu]);
		kfree(kbpf_run_pools);
		kbpf_run_pools = NULL;
	}
	idr_destroy(&kbpf_prog_idr);
}

static void kbpf_prog_free_now(struct kbpf_prog *prog)
{
	u32 i;

	for (i = 0; i < prog->nr_maps; i++)
		kbpf_map_put(prog->maps[i]);
	kbpf_mem_uncharge(prog->charged);
	free_percpu(prog->stats);
	free_percpu(prog->active);
	kvfree(prog->insns);
	kvfree(prog->orig_insns);
	kfree(prog);
	kbpf_obj_uncharge();
}

static void kbpf_prog_free_work(struct work_struct *work)
{
	kbpf_prog_free_now(container_of(work, struct kbpf_prog, free_work));
}

/* Bytes a program holds, charged to the module-wide limit while it lives. */
u64 kbpf_prog_mem(const struct kbpf_prog *prog)
{
	return sizeof(*prog) + (2ULL * prog->len + 1) * sizeof(struct bpf_insn) +
	       (sizeof(struct kbpf_prog_stats) + sizeof(int)) * num_possible_cpus();
}

void kbpf_prog_inc(struct kbpf_prog *prog)
{
	refcount_inc(&prog->refcnt);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_prog_inc);

/* Drop a reference; the last one frees the program later (any context). */
void kbpf_prog_put(struct kbpf_prog *prog)
{
	unsigned long flags;

	if (!refcount_dec_and_test(&prog->refcnt))
		return;
	if (prog->id) {
		spin_lock_irqsave(&kbpf_prog_idr_lock, flags);
		idr_remove(&kbpf_prog_idr, prog->id);
		spin_unlock_irqrestore(&kbpf_prog_idr_lock, flags);
		prog->id = 0;
	}
	INIT_WORK(&prog->free_work, kbpf_prog_free_work);
	queue_work(kbpf_prog_wq, &prog->free_work);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_prog_put);

/* The counters, summed over the CPUs. */
static void kbpf_prog_stats_sum(const struct kbpf_prog *prog,
				struct kbpf_prog_stats *sum)
{
	const struct kbpf_prog_stats *s;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(prog->stats, cpu);
		sum->run_cnt += READ_ONCE(s->run_cnt);
		sum->run_time_ns += READ_ONCE(s->run_time_ns);
		sum->faults += READ_ONCE(s->faults);
		sum->recursion_misses += READ_ONCE(s->recursion_misses);
	}
}

static int kbpf_prog_release(struct inode *inode, struct file *file)
{
	kbpf_prog_put(file->private_data);
	return 0;
}

static void kbpf_prog_show_fdinfo(struct seq_file *m, struct file *file)
{
	const struct kbpf_prog *prog = file->private_data;
	struct kbpf_prog_stats s;

	kbpf_prog_stats_sum(prog, &s);
	seq_printf(m,
		   "prog_type:\t%u\n"
		   "prog_jited:\t0\n"
		   "prog_tag:\t%*phN\n"
		   "memlock:\t%llu\n"
		   "prog_id:\t%u\n"
		   "run_time_ns:\t%llu\n"
		   "run_cnt:\t%llu\n"
		   "recursion_misses:\t%llu\n"
		   "verified_insns:\t%u\n"
		   "faults:\t%llu\n",
		   prog->type, BPF_TAG_SIZE, prog->tag, kbpf_prog_mem(prog),
		   prog->id, s.run_time_ns, s.run_cnt, s.recursion_misses,
		   prog->len, s.faults);
}

static const struct file_operations kbpf_prog_fops = {
	.owner		= THIS_MODULE,
	.release	= kbpf_prog_release,
	.show_fdinfo	= kbpf_prog_show_fdinfo,
	.llseek		= noop_llseek,
};

/**
 * kbpf_prog_from_file() - the program behind an fd
 * @file: the fd's file, or NULL for a closed fd
 *
 * Return: the program (no reference taken), -EBADF for a closed fd,
 * -EINVAL for a file that is not a kbpf program.
 */
struct kbpf_prog *kbpf_prog_from_file(struct file *file)
{
	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &kbpf_prog_fops)
		return ERR_PTR(-EINVAL);
	return file->private_data;
}

/* The program behind @ufd with a reference, or an ERR_PTR. */
struct kbpf_prog *kbpf_prog_get(u32 ufd)
{
	struct fd f = fdget(ufd);
	struct kbpf_prog *prog = kbpf_prog_from_file(fd_file(f));

	if (!IS_ERR(prog))
		kbpf_prog_inc(prog);
	fdput(f);
	return prog;
}

static int kbpf_prog_new_fd(struct kbpf_prog *prog)
{
	int fd;

	kbpf_prog_inc(prog);
	fd = anon_inode_getfd("kbpf-prog", &kbpf_prog_fops, prog, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		kbpf_prog_put(prog);
	return fd;
}

/*
 * The kernel's tag: SHA-1 over the instructions with the immediates of map
 * references zeroed, padded as SHA-1 pads, its first 8 bytes.
 */
static int kbpf_prog_calc_tag(struct kbpf_prog *prog)
{
	u32 psize = prog->len * sizeof(struct bpf_insn), bsize, blocks, i;
	u32 digest[SHA1_DIGEST_WORDS], ws[SHA1_WORKSPACE_WORDS];
	struct bpf_insn *dst;
	bool was_ld_map = false;
	__be32 result[SHA1_DIGEST_WORDS];
	__be64 *bits;
	u8 *raw, *todo;

	bsize = round_up(psize + 1, SHA1_BLOCK_SIZE);
	if (bsize - (psize + 1) < sizeof(__be64))
		bsize += SHA1_BLOCK_SIZE;
	raw = __vmalloc(bsize, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
	if (!raw)
		return -ENOMEM;
	dst = (struct bpf_insn *)raw;
	for (i = 0; i < prog->len; i++) {
		dst[i] = prog->orig_insns[i];
		if (!was_ld_map && dst[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (dst[i].src_reg == BPF_PSEUDO_MAP_FD ||
		     dst[i].src_reg == BPF_PSEUDO_MAP_VALUE)) {
			was_ld_map = true;
			dst[i].imm = 0;
		} else if (was_ld_map && !dst[i].code && !dst[i].dst_reg &&
			   !dst[i].src_reg && !dst[i].off) {
			was_ld_map = false;
			dst[i].imm = 0;
		} else {
			was_ld_map = false;
		}
	}
	raw[psize] = 0x80;
	bits = (__be64 *)(raw + bsize - sizeof(__be64));
	*bits = cpu_to_be64((u64)psize << 3);

	sha1_init(digest);
	memset(ws, 0, sizeof(ws));
	for (blocks = bsize / SHA1_BLOCK_SIZE, todo = raw; blocks--; todo += SHA1_BLOCK_SIZE)
		sha1_transform(digest, todo, ws);
	for (i = 0; i < SHA1_DIGEST_WORDS; i++)
		result[i] = cpu_to_be32(digest[i]);
	memcpy(prog->tag, result, sizeof(prog->tag));
	vfree(raw);
	return 0;
}

/* The index of @map among the program's maps, adding it (with a reference). */
static int kbpf_prog_use_map(struct kbpf_prog *prog, struct kbpf_map *map)
{
	u32 i;

	for (i = 0; i < prog->nr_maps; i++)
		if (prog->maps[i] == map)
			return i;
	if (prog->nr_maps == KBPF_MAX_USED_MAPS)
		return -E2BIG;
	kbpf_map_inc(map);
	prog->maps[prog->nr_maps] = map;
	return prog->nr_maps++;
}

/* The region of a map value relocation, one per map. */
static int kbpf_prog_use_value(struct kbpf_prog *prog, struct kbpf_map *map)
{
	void *base;
	u32 i;
	int err;

	for (i = 0; i < prog->nr_value_regions; i++)
		if (prog->value_regions[i].kind == KBPF_REGION_MAP_VALUE &&
		    prog->value_regions[i].base == (void *)map)
			goto found;
	if (!map->ops->direct_value)
		return -EINVAL;
	err = map->ops->direct_value(map, &base);
	if (err)
		return -EINVAL;
	if (prog->nr_value_regions == ARRAY_SIZE(prog->value_regions))
		return -E2BIG;
	i = prog->nr_value_regions++;
	prog->value_map[i] = kbpf_prog_use_map(prog, map);
	/* base is the map until relocation is done; see kbpf_prog_relocate() */
	prog->value_regions[i] = (struct kbpf_region) {
		.base = (void *)map, .size = map->value_size,
		.kind = KBPF_REGION_MAP_VALUE,
		.write = !(map->map_flags & BPF_F_RDONLY_PROG),
	};
found:
	return 2 + i;
}

/* The map an ld_imm64 names: by fd, or by index into fd_array. */
static struct kbpf_map *kbpf_prog_ld_map(const union bpf_attr *attr, bool kernel,
					 const struct bpf_insn *insn, struct file **filp)
{
	struct kbpf_map *map;
	struct file *file;
	u32 fd = insn->imm;

	if (insn->src_reg == BPF_PSEUDO_MAP_IDX ||
	    insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
		bpfptr_t fds = make_bpfptr(attr->fd_array, kernel);

		if (bpfptr_is_null(fds))
			return ERR_PTR(-EPROTO);
		bpfptr_add(&fds, (size_t)insn->imm * sizeof(fd));
		if (copy_from_bpfptr(&fd, fds, sizeof(fd)))
			return ERR_PTR(-EFAULT);
	}
	file = fget(fd);
	map = kbpf_map_from_file(file);
	if (IS_ERR(map)) {
		if (file)
			fput(file);
		return ERR_PTR(-EBADF);
	}
	*filp = file;
	return map;
}

/*
 * Replace the pseudo sources of every ld_imm64 by handles and virtual
 * addresses (prog->insns came checked, so pairs are whole).
 */
static int kbpf_prog_relocate(struct kbpf_prog *prog, const union bpf_attr *attr,
			      bool kernel, struct kbpf_log *log)
{
	struct bpf_insn *insn = prog->insns;
	struct kbpf_map *map;
	struct file *file;
	u64 value;
	u32 i;
	int idx;

	for (i = 0; i < prog->len; i++) {
		if (insn[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		switch (insn[i].src_reg) {
		case 0:
			i++;
			continue;
		case BPF_PSEUDO_FUNC:
			value = KBPF_FUNC_HANDLE_BASE + i + insn[i].imm + 1;
			break;
		case BPF_PSEUDO_MAP_FD:
		case BPF_PSEUDO_MAP_IDX:
		case BPF_PSEUDO_MAP_VALUE:
		case BPF_PSEUDO_MAP_IDX_VALUE:
			map = kbpf_prog_ld_map(attr, kernel, &insn[i], &file);
			if (IS_ERR(map)) {
				kbpf_log(log, "%u: fd %d is not pointing to valid kbpf map\n",
					 i, insn[i].imm);
				return PTR_ERR(map);
			}
			idx = kbpf_prog_use_map(prog, map);
			if (idx >= 0 && (insn[i].src_reg == BPF_PSEUDO_MAP_FD ||
					 insn[i].src_reg == BPF_PSEUDO_MAP_IDX)) {
				value = KBPF_MAP_HANDLE_BASE + idx;
			} else if (idx >= 0) {
				u32 off = insn[i + 1].imm;

				idx = kbpf_prog_use_value(prog, map);
				if (idx >= 0 && off >= map->value_size) {
					kbpf_log(log, "%u: value offset %u past value_size %u\n",
						 i, off, map->value_size);
					idx = -EINVAL;
				} else if (idx == -EINVAL) {
					kbpf_log(log, "%u: no direct value access on map type %u\n",
						 i, map->map_type);
				}
				value = KBPF_VADDR(idx, off);
			}
			fput(file);
			if (idx < 0) {
				if (idx == -E2BIG)
					kbpf_log(log, "%u: too many maps\n", i);
				return idx;
			}
			break;
		default:
			return -EINVAL;	/* the checker let nothing else through */
		}
		insn[i].src_reg = 0;
		insn[i].imm = (u32)value;
		insn[i + 1].imm = value >> 32;
		i++;
	}
	/* Now that the maps are held, point the value regions at their values. */
	for (i = 0; i < prog->nr_value_regions; i++) {
		map = (struct kbpf_map *)prog->value_regions[i].base;
		map->ops->direct_value(map, &prog->value_regions[i].base);
	}
	return 0;
}

/* The log's copy-out contract: ENOSPC when it did not fit. */
static int kbpf_log_finish(struct kbpf_log *log, const union bpf_attr *attr,
			   bpfptr_t uattr)
{
	bool kernel = bpfptr_is_kernel(uattr);
	int err = 0;

	if (!log->level)
		return 0;
	if (kbpf_copy_to_bpfptr(make_bpfptr(attr->log_buf, kernel), log->buf,
				min(log->len + 1, log->size)))
		err = -EFAULT;
	else if (log->true_len >= log->size)
		err = -ENOSPC;
#if KBPF_KERNEL_VERSION >= 6012
	if (kbpf_attr_put_u32(uattr, log_true_size, log->true_len + 1))
		err = -EFAULT;
#endif
	return err;
}

#define KBPF_PROG_FLAGS (BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT |	\
			 BPF_F_TEST_STATE_FREQ | BPF_F_SLEEPABLE |		\
			 BPF_F_TEST_RND_HI32 | BPF_F_XDP_HAS_FRAGS |		\
			 KBPF_PROG_FLAGS_612)

static bool kbpf_prog_type_ok(u32 type)
{
	return type == BPF_PROG_TYPE_RAW_TRACEPOINT || type == BPF_PROG_TYPE_SYSCALL;
}

/* The log's attributes, as bpf_vlog_init() checks them. */
static int kbpf_log_init(struct kbpf_log *log, const union bpf_attr *attr)
{
	memset(log, 0, sizeof(*log));
	/* 6.1 wants level, buffer and at least 128 bytes together, or none. */
	if (!KBPF_LOG_LEVEL_ALONE && (attr->log_level || attr->log_buf || attr->log_size) &&
	    (attr->log_size < 128 || !attr->log_level || !attr->log_buf))
		return -EINVAL;
	if (!!attr->log_buf != !!attr->log_size)
		return -EINVAL;
	if (attr->log_buf && !attr->log_level)
		return -EINVAL;
	if (attr->log_level & ~KBPF_LOG_MASK)
		return -EINVAL;
	if (attr->log_size > UINT_MAX >> 2)
		return -EINVAL;
	if (!attr->log_level)
		return 0;
	log->buf = kvzalloc(attr->log_size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!log->buf)
		return -ENOMEM;
	log->level = attr->log_level;
	log->size = attr->log_size;
	return 0;
}

static struct kbpf_prog *kbpf_prog_alloc(const union bpf_attr *attr, bpfptr_t uattr)
{
	bool kernel = bpfptr_is_kernel(uattr);
	size_t bytes = (size_t)attr->insn_cnt * sizeof(struct bpf_insn);
	struct kbpf_prog *prog;
	int err;

	err = kbpf_obj_charge();
	if (err)
		return ERR_PTR(err);
	prog = kzalloc(sizeof(*prog), GFP_KERNEL_ACCOUNT);
	if (!prog) {
		kbpf_obj_uncharge();
		return ERR_PTR(-ENOMEM);
	}
	refcount_set(&prog->refcnt, 1);
	prog->len = attr->insn_cnt;
	/* and the interpreter's zeroed guard after the last instruction */
	prog->insns = kvzalloc(bytes + sizeof(*prog->insns),
			       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	prog->orig_insns = kvmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	prog->stats = alloc_percpu_gfp(struct kbpf_prog_stats,
				       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	prog->active = alloc_percpu_gfp(int, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!prog->insns || !prog->orig_insns || !prog->stats || !prog->active)
		goto nomem;
	if (copy_from_bpfptr(prog->orig_insns, make_bpfptr(attr->insns, kernel), bytes)) {
		kbpf_prog_free_now(prog);
		return ERR_PTR(-EFAULT);
	}
	memcpy(prog->insns, prog->orig_insns, bytes);
	return prog;
nomem:
	kbpf_prog_free_now(prog);
	return ERR_PTR(-ENOMEM);
}

static int kbpf_prog_alloc_id(struct kbpf_prog *prog)
{
	unsigned long flags;
	int id;

	idr_preload(GFP_KERNEL);
	spin_lock_irqsave(&kbpf_prog_idr_lock, flags);
	id = idr_alloc_cyclic(&kbpf_prog_idr, prog, 1, INT_MAX, GFP_ATOMIC);
	if (id > 0)
		prog->id = id;
	spin_unlock_irqrestore(&kbpf_prog_idr_lock, flags);
	idr_preload_end();
	return id > 0 ? 0 : id;
}

int kbpf_cmd_prog_load(union bpf_attr *attr, bpfptr_t uattr)
{
	bool kernel = bpfptr_is_kernel(uattr);
	struct kbpf_prog *prog;
	struct kbpf_log log;
	char license[128];
	bool sleepable, is_syscall;
	int err, fd;

	if (attr->prog_flags & ~KBPF_PROG_FLAGS)
		return -EINVAL;
	/* CAP_BPF to load, CAP_PERFMON too for tracing, in the kernel's order */
	if (!bpf_capable())
		return -EPERM;
	if (!attr->insn_cnt || attr->insn_cnt > KBPF_MAX_INSNS)
		return -E2BIG;
	if (attr->prog_type == BPF_PROG_TYPE_RAW_TRACEPOINT && !perfmon_capable())
		return -EPERM;
	if (!kbpf_prog_type_ok(attr->prog_type))
		return -EINVAL;
	/* No BTF, no attaching to other programs, no devices. */
	if (attr->prog_btf_fd || attr->attach_btf_id || attr->attach_prog_fd ||
	    attr->prog_ifindex || attr->func_info_cnt || attr->line_info_cnt)
		return -EINVAL;
	/*
	 * As the kernel's verifier wants it: syscall programs are sleepable
	 * (kbpf's helpers never sleep, so nothing changes), raw_tp ones not.
	 */
	sleepable = attr->prog_flags & BPF_F_SLEEPABLE;
	is_syscall = attr->prog_type == BPF_PROG_TYPE_SYSCALL;
	if (sleepable != is_syscall)
		return -EINVAL;

	if (kbpf_strncpy_from_bpfptr(license, make_bpfptr(attr->license, kernel),
				     sizeof(license) - 1) < 0)
		return -EFAULT;
	license[sizeof(license) - 1] = 0;

	prog = kbpf_prog_alloc(attr, uattr);
	if (IS_ERR(prog))
		return PTR_ERR(prog);
	prog->type = attr->prog_type;
	prog->expected_attach_type = attr->expected_attach_type;
	prog->prog_flags = attr->prog_flags;
	prog->kern_version = attr->kern_version;
	prog->gpl = license_is_gpl_compatible(license);
	prog->load_time = ktime_get_boottime_ns();
	prog->uid = from_kuid_munged(current_user_ns(), current_uid());
	err = kbpf_obj_name_cpy(prog->name, attr->prog_name, sizeof(attr->prog_name));
	if (err < 0)
		goto free_prog;

	err = kbpf_log_init(&log, attr);
	if (err)
		goto free_prog;
	err = kbpf_check_prog(&log, prog->orig_insns, prog->len);
	if (!err)
		err = kbpf_prog_calc_tag(prog);
	if (!err)
		err = kbpf_prog_relocate(prog, attr, kernel, &log);
	if (!err)
		kbpf_interp_prepare(prog);
	if (!err)
		kbpf_log(&log, "processed %u insns (limit %u)\n", prog->len, KBPF_MAX_INSNS);
	fd = kbpf_log_finish(&log, attr, uattr);
	kvfree(log.buf);
	err = err ?: fd;
	if (err)
		goto free_prog;

	err = kbpf_mem_charge(kbpf_prog_mem(prog));
	if (err)
		goto free_prog;
	prog->charged = kbpf_prog_mem(prog);
	err = kbpf_prog_alloc_id(prog);
	if (err)
		goto free_prog;
	fd = kbpf_prog_new_fd(prog);
	kbpf_prog_put(prog);
	return fd;

free_prog:
	kbpf_prog_free_now(prog);
	return err;
}

/*
 * At the end of a run: ring buffer records the program reserved and never
 * submitted would stall the ring; they are discarded and the run counts
 * as faulty.
 */
static void kbpf_run_release(struct kbpf_run *run)
{
	u32 i;

	for (i = 0; i < run->nr_regions; i++) {
		if (run->regions[i].kind != KBPF_REGION_RINGBUF_RECORD)
			continue;
		kbpf_ringbuf_discard(run->regions[i].base, 0);
		run->regions[i].kind = KBPF_REGION_FREE;
		if (!run->err)
			run->err = -EFAULT;
	}
}

/**
 * kbpf_prog_run() - run a program once, in any context
 * @prog:      the program
 * @ctx:       its context (region 1), or NULL
 * @ctx_size:  bytes of @ctx
 * @ctx_write: the program may write @ctx
 * @ret:       its return value (R0); 0 if the run failed
 *
 * Return: 0, -EBUSY if the program is running on this CPU already or all
 * run contexts of this CPU are busy (a recursion miss), or why the run
 * stopped (see struct kbpf_run's @err).
 */
int kbpf_prog_run(struct kbpf_prog *prog, void *ctx, u32 ctx_size,
		  bool ctx_write, u64 *ret)
{
	struct kbpf_run_pool *pool;
	struct kbpf_run *run;
	u64 start;
	int err;

	*ret = 0;
	preempt_disable();
	pool = kbpf_run_pools[smp_processor_id()];
	if (unlikely(this_cpu_inc_return(*prog->active) != 1 ||
		     pool->depth >= KBPF_RUN_NEST)) {
		this_cpu_inc(prog->stats->recursion_misses);
		err = -EBUSY;
		goto out;
	}
	run = &pool->slot[pool->depth++].run;
	rcu_read_lock();
	/* the slots' stacks start zeroed and each run scrubs its own */
	kbpf_run_init_clean(run, prog, container_of(run, struct kbpf_run_slot, run)->stack,
			    ctx, ctx_size, ctx_write);
	/*
	 * Run time, as bpf_prog_run() keeps it, only while the kernel's
	 * kernel.bpf_stats_enabled is on: two clock reads are most of what a
	 * short program costs on a tracepoint.
	 */
	if (static_branch_unlikely(&bpf_stats_enabled_key)) {
		start = sched_clock();
		*ret = kbpf_interp(run, KBPF_VADDR(1, 0));
		this_cpu_add(prog->stats->run_time_ns, sched_clock() - start);
	} else {
		*ret = kbpf_interp(run, KBPF_VADDR(1, 0));
	}
	this_cpu_inc(prog->stats->run_cnt);
	kbpf_run_release(run);
	kbpf_run_scrub(run);
	rcu_read_unlock();
	err = run->err;
	if (unlikely(err)) {
		*ret = 0;
		this_cpu_inc(prog->stats->faults);
		pr_warn_ratelimited("program %u (%s) stopped at insn %u: %pe, address %#llx\n",
				    prog->id, prog->name, run->err_insn, ERR_PTR(err),
				    run->err_addr);
	}
	pool->depth--;
out:
	this_cpu_dec(*prog->active);
	preempt_enable();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_prog_run);

struct kbpf_test_run {
	struct kbpf_prog *prog;
	void *ctx;
	u32 ctx_size;
	bool ctx_write;
	u64 ret;
	int err;
};

static void kbpf_test_run_one(void *data)
{
	struct kbpf_test_run *t = data;

	t->err = kbpf_prog_run(t->prog, t->ctx, t->ctx_size, t->ctx_write, &t->ret);
}

/* raw_tp: ctx is up to 12 u64 arguments; BPF_F_TEST_RUN_ON_CPU picks the CPU. */
static int kbpf_test_run_raw_tp(struct kbpf_test_run *t, const union bpf_attr *attr)
{
	u32 cpu = attr->test.cpu;

	if (attr->test.data_in || attr->test.data_out || attr->test.ctx_out ||
	    attr->test.duration || attr->test.repeat || attr->test.batch_size)
		return -EINVAL;
	if (t->ctx_size > 12 * sizeof(u64))
		return -EINVAL;
	if (!(attr->test.flags & BPF_F_TEST_RUN_ON_CPU) && cpu != 0)
		return -EINVAL;
	if (attr->test.flags & ~BPF_F_TEST_RUN_ON_CPU)
		return -EINVAL;
	t->ctx_write = false;
	if (!(attr->test.flags & BPF_F_TEST_RUN_ON_CPU) || cpu == raw_smp_processor_id()) {
		kbpf_test_run_one(t);
		return 0;
	}
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -ENXIO;
	return smp_call_function_single(cpu, kbpf_test_run_one, t, 1);
}

/* syscall programs: ctx is the caller's buffer, written back. */
static int kbpf_test_run_syscall(struct kbpf_test_run *t, const union bpf_attr *attr)
{
	if (attr->test.data_in || attr->test.data_out || attr->test.ctx_out ||
	    attr->test.duration || attr->test.repeat || attr->test.flags ||
	    attr->test.batch_size)
		return -EINVAL;
	t->ctx_write = true;
	kbpf_test_run_one(t);
	return 0;
}

static int kbpf_prog_test_run(struct kbpf_prog *prog, const union bpf_attr *attr,
			      bpfptr_t uattr)
{
	bpfptr_t uctx = make_bpfptr(attr->test.ctx_in, bpfptr_is_kernel(uattr));
	struct kbpf_test_run t = { .prog = prog, .ctx_size = attr->test.ctx_size_in };
	int err;

	if (t.ctx_size > U16_MAX)
		return -EINVAL;
	if (t.ctx_size) {
		t.ctx = kvmemdup_bpfptr(uctx, t.ctx_size);
		if (IS_ERR(t.ctx))
			return PTR_ERR(t.ctx);
	}
	if (prog->type == BPF_PROG_TYPE_RAW_TRACEPOINT)
		err = kbpf_test_run_raw_tp(&t, attr);
	else
		err = kbpf_test_run_syscall(&t, attr);
	if (!err)
		err = t.err;
	if (!err && t.ctx_write && t.ctx_size &&
	    kbpf_copy_to_bpfptr(uctx, t.ctx, t.ctx_size))
		err = -EFAULT;
	if (!err && kbpf_attr_put_u32(uattr, test.retval, (u32)t.ret))
		err = -EFAULT;
	kvfree(t.ctx);
	return err;
}

int kbpf_cmd_prog_test_run(union bpf_attr *attr, bpfptr_t uattr)
{
	struct kbpf_prog *prog;
	int err;

	/* A buffer and its size come together, before the fd is looked at. */
	if (!attr->test.ctx_in != !attr->test.ctx_size_in ||
	    !attr->test.ctx_out != !attr->test.ctx_size_out)
		return -EINVAL;
	prog = kbpf_prog_get(attr->test.prog_fd);
	if (IS_ERR(prog))
		return PTR_ERR(prog);
	err = kbpf_prog_test_run(prog, attr, uattr);
	kbpf_prog_put(prog);
	return err;
}

/* One line per live program, for debugfs; under the id lock. */
void kbpf_prog_show_all(struct seq_file *m)
{
	struct kbpf_prog_stats s;
	struct kbpf_prog *prog;
	unsigned long flags;
	int id;

	seq_puts(m, "id\ttype\tinsns\tmaps\trun_cnt\trun_time_ns\tfaults\trecursion_misses\ttag\tname\n");
	spin_lock_irqsave(&kbpf_prog_idr_lock, flags);
	idr_for_each_entry(&kbpf_prog_idr, prog, id) {
		kbpf_prog_stats_sum(prog, &s);
		seq_printf(m, "%u\t%u\t%u\t%u\t%llu\t%llu\t%llu\t%llu\t%*phN\t%s\n",
			   prog->id, prog->type, prog->len, prog->nr_maps, s.run_cnt,
			   s.run_time_ns, s.faults, s.recursion_misses, BPF_TAG_SIZE,
			   prog->tag, prog->name);
	}
	spin_unlock_irqrestore(&kbpf_prog_idr_lock, flags);
}

int kbpf_cmd_prog_get_next_id(union bpf_attr *attr, bpfptr_t uattr)
{
	u32 next_id = attr->start_id;
	unsigned long flags;
	void *found;

	if (next_id >= INT_MAX)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	next_id++;
	spin_lock_irqsave(&kbpf_prog_idr_lock, flags);
	found = idr_get_next(&kbpf_prog_idr, &next_id);
	spin_unlock_irqrestore(&kbpf_prog_idr_lock, flags);
	if (!found)
		return -ENOENT;
	return kbpf_attr_put_u32(uattr, next_id, next_id);
}

int kbpf_cmd_prog_get_fd_by_id(union bpf_attr *attr, bpfptr_t uattr)
{
	struct kbpf_prog *prog;
	unsigned long flags;
	int fd;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	spin_lock_irqsave(&kbpf_prog_idr_lock, flags);
	prog = idr_find(&kbpf_prog_idr, attr->prog_id);
	if (prog && !refcount_inc_not_zero(&prog->refcnt))
		prog = NULL;
	spin_unlock_irqrestore(&kbpf_prog_idr_lock, flags);
	if (!prog)
		return -ENOENT;
	fd = kbpf_prog_new_fd(prog);
	kbpf_prog_put(prog);
	return fd;
}

/*
 * The instructions as bpf_prog_info shows them: as loaded, map references
 * by map id, as the kernel's dump shows them.
 */
static struct bpf_insn *kbpf_prog_dump_insns(const struct kbpf_prog *prog)
{
	struct bpf_insn *insns = kvmalloc_array(prog->len, sizeof(*insns),
					       GFP_USER | __GFP_NOWARN);
	u32 i;

	if (!insns)
		return NULL;
	memcpy(insns, prog->orig_insns, prog->len * sizeof(*insns));
	for (i = 0; i + 1 < prog->len; i++) {
		u64 v = (u32)prog->insns[i].imm | (u64)prog->insns[i + 1].imm << 32;

		if (insns[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (insns[i].src_reg != 0 && insns[i].src_reg != BPF_PSEUDO_FUNC) {
			u32 idx = v - KBPF_MAP_HANDLE_BASE, r = KBPF_VADDR_REGION(v) - 2;

			/* a map handle, or a value: its region says which map */
			if (v < KBPF_MAP_HANDLE_BASE || idx >= prog->nr_maps)
				idx = r < prog->nr_value_regions ? prog->value_map[r] : U32_MAX;
			insns[i].imm = idx < prog->nr_maps ? prog->maps[idx]->id : 0;
			if (insns[i].src_reg == BPF_PSEUDO_MAP_IDX)
				insns[i].src_reg = BPF_PSEUDO_MAP_FD;
			if (insns[i].src_reg == BPF_PSEUDO_MAP_IDX_VALUE)
				insns[i].src_reg = BPF_PSEUDO_MAP_VALUE;
		}
		i++;
	}
	return insns;
}

/* BPF_OBJ_GET_INFO_BY_FD on a program: struct bpf_prog_info. */
int kbpf_prog_get_info(struct kbpf_prog *prog, const union bpf_attr *attr,
		       bpfptr_t uattr)
{
	bool kernel = bpfptr_is_kernel(uattr);
	bpfptr_t uinfo = make_bpfptr(attr->info.info, kernel);
	u32 info_len = attr->info.info_len, ulen, i;
	struct kbpf_prog_stats s;
	struct bpf_prog_info info;
	struct bpf_insn *insns;
	int err;

	err = kbpf_check_uarg_tail_zero(uinfo, sizeof(info), info_len);
	if (err)
		return err;
	info_len = min_t(u32, sizeof(info), info_len);
	memset(&info, 0, sizeof(info));
	if (copy_from_bpfptr(&info, uinfo, info_len))
		return -EFAULT;

	kbpf_prog_stats_sum(prog, &s);
	info.type = prog->type;
	info.id = prog->id;
	info.load_time = prog->load_time;
	info.created_by_uid = prog->uid;
	info.gpl_compatible = prog->gpl;
	memcpy(info.tag, prog->tag, sizeof(info.tag));
	memcpy(info.name, prog->name, sizeof(info.name));
	info.run_time_ns = s.run_time_ns;
	info.run_cnt = s.run_cnt;
	info.recursion_misses = s.recursion_misses;
	info.verified_insns = prog->len;
	info.jited_prog_len = 0;
	info.nr_jited_ksyms = 0;
	info.nr_jited_func_lens = 0;
	info.nr_func_info = 0;
	info.nr_line_info = 0;
	info.nr_jited_line_info = 0;
	info.nr_prog_tags = 0;

	ulen = info.nr_map_ids;
	info.nr_map_ids = prog->nr_maps;
	ulen = min(ulen, info.nr_map_ids);
	for (i = 0; i < ulen; i++) {
		bpfptr_t p = make_bpfptr(info.map_ids, kernel);
		u32 id = prog->maps[i]->id;

		bpfptr_add(&p, i * sizeof(id));
		if (kbpf_copy_to_bpfptr(p, &id, sizeof(id)))
			return -EFAULT;
	}

	ulen = info.xlated_prog_len;
	info.xlated_prog_len = prog->len * sizeof(struct bpf_insn);
	if (ulen && info.xlated_prog_insns) {
		insns = kbpf_prog_dump_insns(prog);
		if (!insns)
			return -ENOMEM;
		err = kbpf_copy_to_bpfptr(make_bpfptr(info.xlated_prog_insns, kernel),
					  insns, min(ulen, info.xlated_prog_len));
		kvfree(insns);
		if (err)
			return err;
	}

	if (kbpf_copy_to_bpfptr(uinfo, &info, info_len))
		return -EFAULT;
	return kbpf_attr_put_u32(uattr, info.info_len, info_len);
}
