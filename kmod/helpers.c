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
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/indirect_call_wrapper.h>
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
	p = kbpf_run_xlate(run, vaddr, size, write);
	if (unlikely(!p))
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

/*
 * lookup, update and delete: the kernel's verifier refuses them on a
 * PERF_EVENT_ARRAY (check_map_func_compatibility(): only the perf_event_*
 * helpers take one), though bpf(2) deletes from it through the same ops.
 */
static bool map_elem_call_ok(struct kbpf_map *map)
{
	return map->key_size && map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY;
}

static u64 helper_map_lookup(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_map *map = kbpf_run_map(run, a[0]);
	void *key;

	if (!map || !map_prog_may(run, map, a[0], false))
		return 0;
	if (!map->ops->lookup || !map_elem_call_ok(map))
		return run_bad_call(run, a[0]);
	key = run_mem(run, a[1], map->key_size, false);
	if (!key)
		return 0;
	kbpf_map_count(map, KBPF_MAP_STAT_LOOKUP);
	/* ARRAY, the commonest, without a retpoline (the kernel inlines it) */
	return grant_value(run, map, INDIRECT_CALL_1(map->ops->lookup,
						     kbpf_array_map_lookup, map, key));
}

static u64 helper_map_update(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_map *map = kbpf_run_map(run, a[0]);
	void *key, *value;

	if (!map || !map_prog_may(run, map, a[0], true))
		return 0;
	if (!map->ops->update || !map_elem_call_ok(map))
		return run_bad_call(run, a[0]);
	key = run_mem(run, a[1], map->key_size, false);
	value = key ? run_mem(run, a[2], map->value_size, false) : NULL;
	if (!value)
		return 0;
	kbpf_map_count(map, KBPF_MAP_STAT_UPDATE);
	return map->ops->update(map, key, value, a[3]);
}

static u64 helper_map_delete(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_map *map = kbpf_run_map(run, a[0]);
	void *key;

	if (!map || !map_prog_may(run, map, a[0], true))
		return 0;
	if (!map->ops->delete || !map_elem_call_ok(map))
		return run_bad_call(run, a[0]);
	key = run_mem(run, a[1], map->key_size, false);
	if (!key)
		return 0;
	kbpf_map_count(map, KBPF_MAP_STAT_DELETE);
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
	kbpf_map_count(map, push ? KBPF_MAP_STAT_UPDATE : KBPF_MAP_STAT_LOOKUP);
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
	kbpf_map_count(map, KBPF_MAP_STAT_LOOKUP);
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
	struct kbpf_region *r;

	args[1] = kbpf_run_grant(run, key, map->key_size, KBPF_REGION_MAP_VALUE, false);
	args[2] = grant_value(run, map, value);
	args[3] = fe->cb_ctx;
	if (!run->err && kbpf_interp_call_func(run, fe->func, args, &ret))
		ret = 1;
	/*
	 * The key may be in the walk's own frame (an array's index): its
	 * region goes with the call wherever it landed, in a slot recycled
	 * below @nr or under a record the call left reserved, unless the call
	 * recycled that slot for something else already.
	 */
	r = args[1] ? kbpf_run_region(run, args[1]) : NULL;
	if (r && r->base == key && r->kind == KBPF_REGION_MAP_VALUE && !r->write)
		r->kind = KBPF_REGION_FREE;
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
	kbpf_map_count(map, KBPF_MAP_STAT_OTHER);
	n = map->ops->for_each(map, elem_callback, &fe, a[3]);
	return run->err ? 0 : n;
}

/*
 * strncpy_from_kernel_nofault() as the kernel has it, which it does not
 * export: -ERANGE for an address that is no kernel address (as
 * copy_from_kernel_nofault() answers, NULL and user addresses included),
 * -EFAULT on a fault, else the length with the NUL, at most @size with the
 * last byte made NUL.  Nothing past the NUL is written: the bytes come
 * through a small buffer, a page's part at a time, so that a read past the
 * NUL within a page cannot fault either.
 */
static long strncpy_kernel_nofault(char *dst, unsigned long src, u32 size)
{
	u32 done = 0, chunk;
	char buf[64], *nul;
	long err;

	while (done < size) {
		chunk = min3(size - done, (u32)sizeof(buf),
			     (u32)(PAGE_SIZE - ((src + done) & ~PAGE_MASK)));
		err = copy_from_kernel_nofault(buf, (void *)(src + done), chunk);
		if (err)	/* only the start is checked for -ERANGE */
			return done ? -EFAULT : err;
		nul = memchr(buf, 0, chunk);
		if (nul) {
			memcpy(dst + done, buf, nul - buf + 1);
			return done + (nul - buf) + 1;
		}
		memcpy(dst + done, buf, chunk);
		done += chunk;
	}
	dst[size - 1] = 0;
	return size;
}

/*
 * strncpy_from_user_nofault(), not exported either, on the exported
 * strncpy_from_user() as the kernel builds it: what that writes past the
 * NUL (the rest of the word it found it in, zeroed) and returns (0 for an
 * empty string) included.
 */
static long strncpy_user_nofault(char *dst, unsigned long src, u32 size)
{
	long ret;

	pagefault_disable();
	ret = strncpy_from_user(dst, (const char __user *)src, size);
	pagefault_enable();
	if (ret >= size) {
		dst[size - 1] = 0;
		return size;
	}
	return ret > 0 ? ret + 1 : ret;
}

/*
 * probe_read*(dst, size, unsafe_ptr): the kernel's semantics, zeroed on an
 * error.  bpf_probe_read() is bpf_probe_read_compat(): on x86
 * (ARCH_HAS_NON_OVERLAPPING_ADDRESS_SPACE) an address below TASK_SIZE is
 * read as user memory, any other as kernel memory.
 */
static u64 helper_probe_read(struct kbpf_run *run, const u64 *a, s32 id)
{
	void *dst = run_mem(run, a[0], a[1], true);
	unsigned long src = a[2];
	u32 size = a[1];	/* dst's region holds it: no more than a u32 */
	bool user = id == BPF_FUNC_probe_read_user ||
		    id == BPF_FUNC_probe_read_user_str;
	long n;

	if (!dst || !size)
		return 0;
#ifdef CONFIG_ARCH_HAS_NON_OVERLAPPING_ADDRESS_SPACE
	if (id == BPF_FUNC_probe_read)
		user = src < TASK_SIZE;
#endif
	switch (id) {
	case BPF_FUNC_probe_read_user_str:
		n = strncpy_user_nofault(dst, src, size);
		break;
	case BPF_FUNC_probe_read_kernel_str:
		n = strncpy_kernel_nofault(dst, src, size);
		break;
	default:	/* probe_read, probe_read_kernel, probe_read_user */
		if (user)
			n = copy_from_user_nofault(dst, (const void __user *)src, size);
		else
			n = copy_from_kernel_nofault(dst, (const void *)src, size);
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

/**
 * struct printk_conv - one conversion of a bpf_trace_printk() format
 * @spec: '%', the flags (each once) and the width (clamped to the output's
 *        size, which truncates the same): the start of what vsnprintf gets
 * @conv: d i u x X, c, s or p
 * @nr_l: 'l's before d i u x X (0: the argument is an int)
 */
struct printk_conv {
	char spec[16];
	char conv;
	u8 nr_l;
};

/*
 * Parse the conversion at @s as bpf_bprintf_prepare() does: flags among
 * "0+- ", a width, then %c, %s (followed by nothing, a space or
 * punctuation), %p, or up to two 'l' and one of d i u x X.  No '#', no
 * precision.  Return: the bytes of the conversion, 0 if the kernel
 * refuses it.
 */
static u32 printk_spec(const char *s, struct printk_conv *c)
{
	u32 i = 1, len = 1, width = 0;

	c->spec[0] = '%';
	c->spec[1] = 0;
	c->nr_l = 0;
	for (; s[i] && strchr("0+- ", s[i]); i++) {
		if (!strchr(c->spec, s[i])) {
			c->spec[len++] = s[i];
			c->spec[len] = 0;
		}
	}
	if (s[i] >= '1' && s[i] <= '9') {
		for (; s[i] >= '0' && s[i] <= '9'; i++)
			width = min_t(u32, width * 10 + (s[i] - '0'), KBPF_PRINTK_MAX);
		scnprintf(c->spec + len, sizeof(c->spec) - len, "%u", width);
	}
	if (s[i] == 's') {
		if (s[i + 1] && !isspace(s[i + 1]) && !ispunct(s[i + 1]))
			return 0;
	} else if (s[i] != 'c' && s[i] != 'p') {
		while (s[i] == 'l' && c->nr_l < 2) {
			c->nr_l++;
			i++;
		}
		if (!s[i] || !strchr("diuxX", s[i]))
			return 0;
	}
	c->conv = s[i];
	return i + 1;
}

/*
 * bpf_trace_printk(fmt, fmt_size, a1, a2, a3) into kbpf's tracing
 * instance.  The format ends at its first NUL within fmt_size (none:
 * -EINVAL), and is refused, as bpf_bprintf_prepare() refuses it, for an
 * ASCII control byte other than white space, a conversion it does not
 * take, or more than three.
 */
static u64 helper_trace_printk(struct kbpf_run *run, const u64 *a)
{
	const char *fmt = run_mem(run, a[0], a[1], false), *end, *p;
	u32 pos = 0, i, n, nargs = 0;
	char out[KBPF_PRINTK_MAX];
	struct printk_conv c;

	if (!fmt)
		return 0;
	end = a[1] ? memchr(fmt, 0, a[1]) : NULL;
	if (!end)
		return -EINVAL;
	for (p = fmt; p < end; p++)
		if (isascii(*p) && !isprint(*p) && !isspace(*p))
			return -EINVAL;
	out[0] = 0;
	for (i = 0; fmt[i]; i += n) {
		u64 v;

		if (fmt[i] != '%') {
			n = strchrnul(fmt + i, '%') - (fmt + i);
			out_printf(out, &pos, "%.*s", n, fmt + i);
			continue;
		}
		if (fmt[i + 1] == '%') {
			out_printf(out, &pos, "%%");
			n = 2;
			continue;
		}
		if (nargs == 3)
			return -EINVAL;
		n = printk_spec(fmt + i, &c);
		if (!n)
			return -EINVAL;
		v = a[2 + nargs++];
		if (c.conv == 's') {
			/* a string of the run, up to its region's end */
			struct kbpf_region *r = kbpf_run_region(run, v);
			u32 off = KBPF_VADDR_OFF(v), len = 0;
			const char *str = "";

			/* none: the kernel prints what it could read, nothing */
			if (r && off < r->size) {
				str = (const char *)r->base + off;
				len = strnlen(str, r->size - off);
			}
			strlcat(c.spec, ".*s", sizeof(c.spec));
			out_printf(out, &pos, c.spec, (int)len, str);
		} else if (c.conv == 'c') {
			strlcat(c.spec, "c", sizeof(c.spec));
			out_printf(out, &pos, c.spec, (int)(u8)v);
		} else if (c.conv == 'p') {
			/* %p hashes, as the kernel prints pointers */
			strlcat(c.spec, "p", sizeof(c.spec));
			out_printf(out, &pos, c.spec, (void *)(unsigned long)v);
		} else {
			char conv[4] = { 'l', 'l', c.conv, 0 };

			/* without l, the argument is an int, as printf reads it */
			if (!c.nr_l)
				v = (c.conv == 'd' || c.conv == 'i') ? (u64)(s64)(s32)v : (u32)v;
			strlcat(c.spec, conv, sizeof(c.spec));
			out_printf(out, &pos, c.spec, v);
		}
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
	u64 vaddr;
	void *rec;

	if (!map)
		return 0;
	if (size > U32_MAX)
		return 0;
	rec = kbpf_ringbuf_reserve(map, size, flags);
	if (!rec)
		return 0;
	vaddr = kbpf_run_grant(run, rec, size, KBPF_REGION_RINGBUF_RECORD, true);
	/*
	 * No slot for it (the run faulted): the program never sees the record,
	 * so no one else could release it, and a busy record would stop the
	 * consumer for good.
	 */
	if (!vaddr)
		kbpf_ringbuf_discard(rec, 0);
	return vaddr;
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

/* Sizes a dynptr can hold (the kernel's DYNPTR_MAX_SIZE). */
#define KBPF_DYNPTR_MAX_SIZE	((1U << 24) - 1)

/*
 * bpf_ringbuf_reserve_dynptr(map, size, flags, ptr): size is a u32, as
 * the kernel's; flags first (-EINVAL), then bpf_dynptr_check_size()
 * (-E2BIG), then the reservation (-EINVAL).
 */
static u64 helper_ringbuf_reserve_dynptr(struct kbpf_run *run, const u64 *a)
{
	struct kbpf_dynptr *d = run_mem(run, a[3], sizeof(*d), true);
	u32 size = a[1];
	u64 rec;

	if (!d)
		return 0;
	memset(d, 0, sizeof(*d));
	if (a[2])
		return -EINVAL;
	if (size > KBPF_DYNPTR_MAX_SIZE)
		return -E2BIG;
	rec = helper_ringbuf_reserve(run, a[0], size, 0);
	if (!rec)
		return run->err ? 0 : -EINVAL;
	d->data = rec;
	d->size = size;
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
