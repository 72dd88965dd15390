// SPDX-License-Identifier: GPL-2.0
/*
 * The helpers programs call, by their Linux helper ids: kbpf-basic's set
 * (maps, for_each, probe reads, time, trace_printk, perf and ring buffer
 * output, ring buffer records and dynptrs) and the two tracing programs
 * need (CPU id, pid/tgid).
 *
 * A helper gets the caller's R1..R5.  Pointers among them are virtual
 * addresses of the run (prog.h), translated and checked here before any
 * byte moves: a pointer to memory the run was not given, a map handle the
 * program does not hold, or a call the map type cannot take (the kernel's
 * verifier would have refused the program) stops the run with a fault.
 * Errors the kernel's helpers return at run time (a full map, a missing
 * key, no room in a ring) are returned the same way.
 *
 * Everything here runs in whatever context the program runs in, the
 * tracepoint's included: nothing sleeps, and maps' atomic operations are
 * the only way into them.
 */
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/trace.h>
#include <linux/uaccess.h>

#include "prog.h"

/* kbpf's tracing instance: /sys/kernel/tracing/instances/kbpf/trace. */
static struct trace_array *kbpf_trace;

int kbpf_helpers_module_init(void)
{
#if KBPF_KERNEL_VERSION >= 6012
	kbpf_trace = trace_array_get_by_name("kbpf", NULL);
#else
	kbpf_trace = trace_array_get_by_name("kbpf");
#endif
	if (kbpf_trace && trace_array_init_printk(kbpf_trace)) {
		trace_array_put(kbpf_trace);
		trace_array_destroy(kbpf_trace);
		kbpf_trace = NULL;
	}
	return 0;	/* without tracing, bpf_trace_printk() fails with -ENOTSUPP */
}

void kbpf_helpers_module_exit(void)
{
	if (!kbpf_trace)
		return;
	trace_array_put(kbpf_trace);
	/* An instance someone still reads stays; it no longer needs kbpf. */
	trace_array_destroy(kbpf_trace);
	kbpf_trace = NULL;
}

/**
 * kbpf_run_map() - the map behind a map handle of the running program
 * @run:    the run
 * @handle: what an ld_imm64 of BPF_PSEUDO_MAP_FD left in a register
 *
 * Return: the map, or NULL after faulting the run.
 */
struct kbpf_map *kbpf_run_map(struct kbpf_run *run, u64 handle)
{
	u64 idx = handle - KBPF_MAP_HANDLE_BASE;

	if (handle < KBPF_MAP_HANDLE_BASE || idx >= run->prog->nr_maps) {
		kbpf_run_fault(run, -EFAULT, handle);
		return NULL;
	}
	return run->prog->maps[idx];
}

/* The kernel pointer for @size bytes at @vaddr, or NULL after faulting. */
static void *run_mem(struct kbpf_run *run, u64 vaddr, u64 size, bool write)
{
	void *p;

	if (!size)	/* zero-sized: any value, nothing is touched */
		return ZERO_SIZE_PTR;
	p = kbpf_run_ptr(run, vaddr, size, write);
	if (!p)
		kbpf_run_fault(run, -EFAULT, vaddr);
	return p;
}

/* A call the map type does not take: the verifier would have refused it. */
static u64 run_bad_call(struct kbpf_run *run, u64 handle)
{
	kbpf_run_fault(run, -EINVAL, handle);
	return 0;
}

/* Programs may not write BPF_F_RDONLY_PROG maps nor read BPF_F_WRONLY_PROG ones. */
static bool map_prog_may(struct kbpf_run *run, struct kbpf_map *map, u64 handle,
			 bool write)
{
	if (map->map_flags & (write ? BPF_F_RDONLY_PROG : BPF_F_WRONLY_PROG)) {
		kbpf_run_fault(run, -EACCES, handle);
		return false;
	}
	return true;
}

/* Hand a map value to the program: a region of the run. */
static u64 grant_value(struct kbpf_run *run, struct kbpf_map *map, void *value)
{
	if (IS_ERR_OR_NULL(value))
		return 0;
	return kbpf_run_grant(run, value, map->value_size, KBPF_REGION_MAP_VALUE,
			      !(map->map_flags & BPF_F_RDONLY_PROG));
}

static u64 helper_map_lookup(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_map *map = kbpf_run_map(run, a[0]);
	void *key;

	if (!map || !map_prog_may(run, map, a[0], false))
		return 0;
	if (!map->ops->lookup || !map->key_size)
		return run_bad_call(run, a[0]);
	key = run_mem(run, a[1], map->key_size, false);
	if (!key)
		return 0;
	return grant_value(run, map, map->ops->lookup(map, key));
}

static u64 helper_map_update(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_map *map = kbpf_run_map(run, a[0]);
	void *key, *value;

	if (!map || !map_prog_may(run, map, a[0], true))
		return 0;
	if (!map->ops->update || !map->key_size)
		return run_bad_call(run, a[0]);
	key = run_mem(run, a[1], map->key_size, false);
	value = key ? run_mem(run, a[2], map->value_size, false) : NULL;
	if (!value)
		return 0;
	return map->ops->update(map, key, value, a[3]);
}

static u64 helper_map_delete(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_map *map = kbpf_run_map(run, a[0]);
	void *key;

	if (!map || !map_prog_may(run, map, a[0], true))
		return 0;
	if (!map->ops->delete || !map->key_size)
		return run_bad_call(run, a[0]);
	key = run_mem(run, a[1], map->key_size, false);
	if (!key)
		return 0;
	return map->ops->delete(map, key);
}

/* push (value read), pop and peek (value written) on queues and stacks */
static u64 helper_map_qs(struct kbpf_run *run, const u64 *a, s32 id)
{
	struct kbpf_map *map = kbpf_run_map(run, a[0]);
	bool push = id == BPF_FUNC_map_push_elem;
	long (*op)(struct kbpf_map *map, void *value);
	void *value;

	if (!map || !map_prog_may(run, map, a[0], id != BPF_FUNC_map_peek_elem))
		return 0;
	op = id == BPF_FUNC_map_pop_elem ? map->ops->pop : map->ops->peek;
	if (push ? !map->ops->push : !op)
		return run_bad_call(run, a[0]);
	value = run_mem(run, a[1], map->value_size, !push);
	if (!value)
		return 0;
	return push ? map->ops->push(map, value, a[2]) : op(map, value);
}

static u64 helper_map_lookup_percpu(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_map *map = kbpf_run_map(run, a[0]);
	void *key;

	if (!map || !map_prog_may(run, map, a[0], false))
		return 0;
	if (!map->ops->lookup_percpu)
		return run_bad_call(run, a[0]);
	key = run_mem(run, a[1], map->key_size, false);
	if (!key)
		return 0;
	return grant_value(run, map, map->ops->lookup_percpu(map, key, a[2]));
}

/*
 * bpf_for_each_map_elem(): the callback, a bpf-to-bpf function, gets
 * (map, key, value, ctx); the key and value are regions of this call only,
 * so that a map of any size fits the region table.
 */
struct for_each_ctx {
	struct kbpf_run *run;
	u64 func;
	u64 map_handle;
	u64 cb_ctx;
};

static long elem_callback(struct kbpf_map *map, void *key, void *value, void *data)
{
	struct for_each_ctx *fe = data;
	struct kbpf_run *run = fe->run;
	u32 nr = run->nr_regions;
	u64 args[5] = { fe->map_handle }, ret = 1;

	args[1] = kbpf_run_grant(run, key, map->key_size, KBPF_REGION_MAP_VALUE, false);
	args[2] = grant_value(run, map, value);
	args[3] = fe->cb_ctx;
	if (!run->err && kbpf_interp_call_func(run, fe->func, args, &ret))
		ret = 1;
	/*
	 * The call's regions go, so that any map fits the table; unless it
	 * left a reserved record, which must stay for the end of the run.
	 */
	while (run->nr_regions > nr &&
	       run->regions[run->nr_regions - 1].kind != KBPF_REGION_RINGBUF_RECORD)
		run->nr_regions--;
	return run->err ? 1 : ret;
}

static u64 helper_for_each(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_map *map = kbpf_run_map(run, a[0]);
	struct for_each_ctx fe = { run, a[1], a[0], a[2] };
	long n;

	if (!map || !map_prog_may(run, map, a[0], false))
		return 0;
	if (!map->ops->for_each)
		return run_bad_call(run, a[0]);
	if (a[1] < KBPF_FUNC_HANDLE_BASE ||
	    a[1] - KBPF_FUNC_HANDLE_BASE >= run->prog->len)
		return run_bad_call(run, a[1]);
	n = map->ops->for_each(map, elem_callback, &fe, a[3]);
	return run->err ? 0 : n;
}

/*
 * strncpy_from_{user,kernel}_nofault() as the kernel has them, which it
 * does not export: a page's worth at a time (reading past the NUL within
 * a page cannot fault), the length with the NUL, at most @size with the
 * last byte made NUL, or -EFAULT.
 */
static long strncpy_nofault(char *dst, unsigned long src, u32 size, bool user)
{
	u32 done = 0, chunk;
	char *nul;
	long err;

	while (done < size) {
		chunk = min_t(u32, size - done, PAGE_SIZE - ((src + done) & ~PAGE_MASK));
		if (user)
			err = copy_from_user_nofault(dst + done,
						     (const void __user *)(src + done), chunk);
		else
			err = copy_from_kernel_nofault(dst + done, (void *)(src + done), chunk);
		if (err)
			return -EFAULT;
		nul = memchr(dst + done, 0, chunk);
		if (nul)
			return nul - dst + 1;
		done += chunk;
	}
	dst[size - 1] = 0;
	return size;
}

/* probe_read*(dst, size, unsafe_ptr): the kernel's semantics, zeroed on fault. */
static u64 helper_probe_read(struct kbpf_run *run, const u64 *a, s32 id)
{
	void *dst = run_mem(run, a[0], (u32)a[1], true);
	void *src = (void *)(unsigned long)a[2];
	u32 size = a[1];

	if (a[1] > U32_MAX)
		return -EINVAL;
	long n;

	if (!dst)
		return 0;
	if (!size)
		return 0;
	switch (id) {
	case BPF_FUNC_probe_read_user:
		n = copy_from_user_nofault(dst, (const void __user *)src, size);
		break;
	case BPF_FUNC_probe_read_user_str:
	case BPF_FUNC_probe_read_kernel_str:
		n = strncpy_nofault(dst, a[2], size, id == BPF_FUNC_probe_read_user_str);
		if (n >= 0)
			return n;
		break;
	default:	/* probe_read, probe_read_kernel */
		n = copy_from_kernel_nofault(dst, src, size);
		break;
	}
	if (n < 0)
		memset(dst, 0, size);
	return n;
}

#define KBPF_PRINTK_MAX	512

/* Append to @out at *@pos, as snprintf would, keeping it NUL-terminated. */
__printf(3, 4) static void out_printf(char *out, u32 *pos, const char *fmt, ...)
{
	va_list ap;

	if (*pos >= KBPF_PRINTK_MAX - 1)
		return;
	va_start(ap, fmt);
	*pos += vscnprintf(out + *pos, KBPF_PRINTK_MAX - *pos, fmt, ap);
	va_end(ap);
}

/*
 * One conversion of bpf_trace_printk()'s format: flags, width, precision
 * and length as printf takes them; d i u x X c s p and %%.  Return: the
 * bytes of the spec, or 0 if it is not one the kernel accepts.
 */
static u32 printk_spec(const char *s, char *conv, bool *is_long)
{
	u32 i = 1, l = 0;

	while (strchr("-+ 0#", s[i]) && s[i])
		i++;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	while (s[i] == 'l' && l < 2) {
		i++;
		l++;
	}
	if (!s[i] || !strchr("diuxXcsp%", s[i]) || (s[i] == '%' && i != 1))
		return 0;
	*conv = s[i];
	*is_long = l;
	return i + 1;
}

/* bpf_trace_printk(fmt, fmt_size, a1, a2, a3) into kbpf's tracing instance */
static u64 helper_trace_printk(struct kbpf_run *run, const u64 *a)
{
	u32 fmt_size = a[1], pos = 0, i, n, nargs = 0;
	char out[KBPF_PRINTK_MAX], spec[32], conv, *dot, *d;
	const char *fmt = run_mem(run, a[0], fmt_size, false);
	u32 prec;
	bool is_long;

	if (!fmt)
		return 0;
	if (!fmt_size || fmt[fmt_size - 1])
		return -EINVAL;
	out[0] = 0;
	for (i = 0; fmt[i]; i += n) {
		if (fmt[i] != '%') {
			n = strchrnul(fmt + i, '%') - (fmt + i);
			out_printf(out, &pos, "%.*s", n, fmt + i);
			continue;
		}
		n = printk_spec(fmt + i, &conv, &is_long);
		if (!n || n >= sizeof(spec) - 4)
			return -EINVAL;
		if (conv == '%') {
			out_printf(out, &pos, "%%");
			continue;
		}
		if (nargs == 3)
			return -EINVAL;
		memcpy(spec, fmt + i, n - 1);
		spec[n - 1] = 0;
		if (conv == 's') {
			/* a string of the run, up to its region's end */
			struct kbpf_region *r = kbpf_run_region(run, a[2 + nargs]);
			u32 off = KBPF_VADDR_OFF(a[2 + nargs]);
			const char *str = "(fault)";
			u32 len = 7;

			if (r && off < r->size) {
				str = (const char *)r->base + off;
				len = strnlen(str, r->size - off);
			}
			/* the format's own precision, if any, within the region */
			dot = strchr(spec, '.');
			if (dot) {
				for (prec = 0, d = dot + 1; *d >= '0' && *d <= '9'; d++)
					prec = min(prec * 10 + (*d - '0'), KBPF_PRINTK_MAX);
				len = min(len, prec);
				*dot = 0;
			}
			strlcat(spec, ".*s", sizeof(spec));
			out_printf(out, &pos, spec, (int)len, str);
		} else if (conv == 'c') {
			strlcat(spec, "c", sizeof(spec));
			out_printf(out, &pos, spec, (char)a[2 + nargs]);
		} else if (conv == 'p') {
			/* %p hashes, as the kernel prints pointers */
			out_printf(out, &pos, "%p", (void *)(unsigned long)a[2 + nargs]);
		} else {
			char c[2] = { conv, 0 };
			u64 v = a[2 + nargs];

			/* without l, the argument is an int, as printf reads it */
			if (!is_long)
				v = (conv == 'd' || conv == 'i') ? (u64)(s64)(s32)v : (u32)v;
			strlcat(spec, "ll", sizeof(spec));
			strlcat(spec, c, sizeof(spec));
			out_printf(out, &pos, spec, v);
		}
		nargs++;
	}
	if (!kbpf_trace)
		return -ENOTSUPP;
	trace_array_printk(kbpf_trace, _THIS_IP_, "%s", out);
	return pos;
}

static u64 helper_perf_event_output(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_map *map = kbpf_run_map(run, a[1]);
	void *data;

	if (!map)
		return 0;
	if (map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return run_bad_call(run, a[1]);
	data = run_mem(run, a[3], a[4], false);
	if (!data)
		return 0;
	return kbpf_perf_event_output(map, a[2], data, a[4]);
}

static struct kbpf_map *run_ringbuf(struct kbpf_run *run, u64 handle)
{
	struct kbpf_map *map = kbpf_run_map(run, handle);

	if (map && map->map_type != BPF_MAP_TYPE_RINGBUF) {
		run_bad_call(run, handle);
		return NULL;
	}
	return map;
}

/* A record the program reserved: a live ring buffer region at its start. */
static struct kbpf_region *run_record(struct kbpf_run *run, u64 vaddr)
{
	struct kbpf_region *r = kbpf_run_region(run, vaddr);

	if (!r || r->kind != KBPF_REGION_RINGBUF_RECORD || KBPF_VADDR_OFF(vaddr)) {
		kbpf_run_fault(run, -EFAULT, vaddr);
		return NULL;
	}
	return r;
}

static u64 helper_ringbuf_reserve(struct kbpf_run *run, u64 handle, u64 size,
				  u64 flags)
{
	struct kbpf_map *map = run_ringbuf(run, handle);
	void *rec;

	if (!map)
		return 0;
	if (size > U32_MAX)
		return 0;
	rec = kbpf_ringbuf_reserve(map, size, flags);
	if (!rec)
		return 0;
	return kbpf_run_grant(run, rec, size, KBPF_REGION_RINGBUF_RECORD, true);
}

/* Submit or discard the record at @vaddr. */
static void ringbuf_release(struct kbpf_run *run, u64 vaddr, u64 flags,
			    bool submit)
{
	struct kbpf_region *r = run_record(run, vaddr);

	if (!r)
		return;
	if (submit)
		kbpf_ringbuf_submit(r->base, flags);
	else
		kbpf_ringbuf_discard(r->base, flags);
	r->kind = KBPF_REGION_FREE;
}

/*
 * Ring buffer dynptrs live on the program's stack: 16 bytes, the record's
 * virtual address and its size (0 when the reservation failed), so nothing
 * there is a kernel address.
 */
struct kbpf_dynptr {
	u64 data;
	u32 size;
	u32 offset;
};

static u64 helper_ringbuf_reserve_dynptr(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_dynptr *d = run_mem(run, a[3], sizeof(*d), true);
	u64 rec;

	if (!d)
		return 0;
	memset(d, 0, sizeof(*d));
	if (a[2])
		return -EINVAL;
	rec = helper_ringbuf_reserve(run, a[0], a[1], 0);
	if (!rec)
		return run->err ? 0 : -EINVAL;
	d->data = rec;
	d->size = a[1];
	return 0;
}

static u64 helper_ringbuf_release_dynptr(struct kbpf_run *run, const u64 *a,
					 bool submit)
{
	struct kbpf_dynptr *d = run_mem(run, a[0], sizeof(*d), true);

	if (!d)
		return 0;
	if (d->data)
		ringbuf_release(run, d->data, a[1], submit);
	memset(d, 0, sizeof(*d));
	return 0;
}

static u64 helper_ringbuf_output(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_map *map = run_ringbuf(run, a[0]);
	void *data;

	if (!map)
		return 0;
	data = run_mem(run, a[1], a[2], false);
	if (!data)
		return 0;
	return kbpf_ringbuf_output(map, data, a[2], a[3]);
}

static u64 helper_ringbuf_query(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_map *map = run_ringbuf(run, a[0]);

	return map ? kbpf_ringbuf_query(map, a[1]) : 0;
}

bool kbpf_helper_known(s32 id)
{
	switch (id) {
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem:
	case BPF_FUNC_map_push_elem:
	case BPF_FUNC_map_pop_elem:
	case BPF_FUNC_map_peek_elem:
	case BPF_FUNC_map_lookup_percpu_elem:
	case BPF_FUNC_for_each_map_elem:
	case BPF_FUNC_probe_read:
	case BPF_FUNC_probe_read_user:
	case BPF_FUNC_probe_read_kernel:
	case BPF_FUNC_probe_read_user_str:
	case BPF_FUNC_probe_read_kernel_str:
	case BPF_FUNC_ktime_get_ns:
	case BPF_FUNC_trace_printk:
	case BPF_FUNC_get_smp_processor_id:
	case BPF_FUNC_get_current_pid_tgid:
	case BPF_FUNC_perf_event_output:
	case BPF_FUNC_ringbuf_output:
	case BPF_FUNC_ringbuf_reserve:
	case BPF_FUNC_ringbuf_submit:
	case BPF_FUNC_ringbuf_discard:
	case BPF_FUNC_ringbuf_query:
	case BPF_FUNC_ringbuf_reserve_dynptr:
	case BPF_FUNC_ringbuf_submit_dynptr:
	case BPF_FUNC_ringbuf_discard_dynptr:
		return true;
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_helper_known);

/**
 * kbpf_helper_call() - one helper call of a running program
 * @run:  the run
 * @id:   the helper's id (checked at load time)
 * @args: R1..R5
 *
 * Return: R0.  A violation faults the run (its @err) and returns 0.
 */
u64 kbpf_helper_call(struct kbpf_run *run, s32 id, const u64 args[5])
{
	switch (id) {
	case BPF_FUNC_map_lookup_elem:
		return helper_map_lookup(run, args);
	case BPF_FUNC_map_update_elem:
		return helper_map_update(run, args);
	case BPF_FUNC_map_delete_elem:
		return helper_map_delete(run, args);
	case BPF_FUNC_map_push_elem:
	case BPF_FUNC_map_pop_elem:
	case BPF_FUNC_map_peek_elem:
		return helper_map_qs(run, args, id);
	case BPF_FUNC_map_lookup_percpu_elem:
		return helper_map_lookup_percpu(run, args);
	case BPF_FUNC_for_each_map_elem:
		return helper_for_each(run, args);
	case BPF_FUNC_probe_read:
	case BPF_FUNC_probe_read_user:
	case BPF_FUNC_probe_read_kernel:
	case BPF_FUNC_probe_read_user_str:
	case BPF_FUNC_probe_read_kernel_str:
		return helper_probe_read(run, args, id);
	case BPF_FUNC_ktime_get_ns:
		return ktime_get_mono_fast_ns();
	case BPF_FUNC_trace_printk:
		return helper_trace_printk(run, args);
	case BPF_FUNC_get_smp_processor_id:
		return smp_processor_id();
	case BPF_FUNC_get_current_pid_tgid:
		return (u64)current->tgid << 32 | current->pid;
	case BPF_FUNC_perf_event_output:
		return helper_perf_event_output(run, args);
	case BPF_FUNC_ringbuf_output:
		return helper_ringbuf_output(run, args);
	case BPF_FUNC_ringbuf_reserve:
		return helper_ringbuf_reserve(run, args[0], args[1], args[2]);
	case BPF_FUNC_ringbuf_submit:
	case BPF_FUNC_ringbuf_discard:
		ringbuf_release(run, args[0], args[1], id == BPF_FUNC_ringbuf_submit);
		return 0;
	case BPF_FUNC_ringbuf_query:
		return helper_ringbuf_query(run, args);
	case BPF_FUNC_ringbuf_reserve_dynptr:
		return helper_ringbuf_reserve_dynptr(run, args);
	case BPF_FUNC_ringbuf_submit_dynptr:
	case BPF_FUNC_ringbuf_discard_dynptr:
		return helper_ringbuf_release_dynptr(run, args,
						     id == BPF_FUNC_ringbuf_submit_dynptr);
	default:
		kbpf_run_fault(run, -EINVAL, id);
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_helper_call);
