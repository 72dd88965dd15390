// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpf-fuzz: randomness, the memory the kernel is pointed at, the call
 * wrappers that count every call and its errno, failure reports, and
 * accesses through mappings that may fault.
 */
#include <execinfo.h>
#include <stdlib.h>
#include <ucontext.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static pthread_mutex_t fz_print_lock = PTHREAD_MUTEX_INITIALIZER;
uint8_t *fz_none_area;

/* --- randomness */

uint64_t fz_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t fz_rand(struct fz_thread *t)
{
	uint64_t x = t->rng.s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng.s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint32_t fz_below(struct fz_thread *t, uint32_t n)
{
	return n ? (uint32_t)((fz_rand(t) >> 32) % n) : 0;
}

bool fz_chance(struct fz_thread *t, unsigned int percent)
{
	return fz_below(t, 100) < percent;
}

void fz_bytes(struct fz_thread *t, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t r = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			r = fz_rand(t);
		p[i] = r;
		r >>= 8;
	}
}

/* Values at the edges of what fields hold. */
uint64_t fz_interesting(struct fz_thread *t)
{
	static const uint64_t vals[] = {
		0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65,
		127, 128, 255, 256, 511, 512, 513, 1023, 1024, 4095, 4096,
		4097, 8192, 32767, 32768, 65535, 65536, 65537, 1U << 20,
		(1U << 24) - 1, 1U << 24, 0x7ffffffe, 0x7fffffff, 0x80000000,
		0x80000001, 0xfffffffe, 0xffffffff, 0x100000000ULL,
		0x100000001ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
		0xfffffffffffffffeULL, 0xffffffffffffffffULL,
	};
	uint64_t v = FZ_PICK(t, vals);

	switch (fz_below(t, 8)) {
	case 0:
		return v + fz_below(t, 3) - 1;
	case 1:
		return -v;
	default:
		return v;
	}
}

/* A size near @limit: the limit itself, one either side, or far past. */
uint32_t fz_size_near(struct fz_thread *t, uint32_t limit)
{
	switch (fz_below(t, 7)) {
	case 0:
		return limit;
	case 1:
		return limit + 1;
	case 2:
		return limit ? limit - 1 : 0;
	case 3:
		return 0;
	case 4:
		return fz_below(t, limit + 1);
	case 5:
		return limit * 2 + fz_below(t, 16);
	default:
		return (uint32_t)fz_interesting(t);
	}
}

/* --- memory */

/* Per-thread bump allocation in the arena, reset each operation. */
static __thread size_t fz_arena_used;

void fz_buf_reset(struct fz_thread *t)
{
	(void)t;
	fz_arena_used = 0;
}

void *fz_buf(struct fz_thread *t, size_t len, size_t align)
{
	size_t off;

	if (!align)
		align = 8;
	off = (fz_arena_used + align - 1) & ~(align - 1);
	/* what does not fit starts over: old buffers may be overwritten */
	if (len > FZ_ARENA_SIZE)
		len = FZ_ARENA_SIZE;
	if (off + len > FZ_ARENA_SIZE)
		off = 0;
	fz_arena_used = off + len;
	return t->arena + off;
}

/* @len bytes that end @k bytes into the guard page after the arena. */
void *fz_straddle(struct fz_thread *t, size_t len)
{
	size_t k = len > 1 ? 1 + fz_below(t, len < 64 ? (uint32_t)len - 1 : 63) : 0;

	if (len > FZ_ARENA_SIZE)
		len = FZ_ARENA_SIZE;
	return t->arena + FZ_ARENA_SIZE + k - len;
}

/* A pointer the kernel must refuse (or, for 0 bytes, may ignore). */
uint64_t fz_bad_ptr(struct fz_thread *t, size_t len)
{
	static const uint64_t kernel[] = {
		0xffff888000000000ULL,		/* the direct map */
		0xffff888000100000ULL,
		0xffffffff81000000ULL,		/* kernel text */
		0xffffc90000000000ULL,		/* vmalloc */
		0xffffffffff600000ULL,		/* vsyscall */
		0xfffffffffffff000ULL,
		0xffffffffffffffffULL,
		0x8000000000000000ULL,		/* not canonical */
		0x0000800000000000ULL,		/* just past user space */
		0x00007ffffffff000ULL,
	};

	switch (fz_below(t, 8)) {
	case 0:
		return 0;
	case 1:
		return 1 + fz_below(t, 4095);
	case 2:
		return (uintptr_t)fz_none_area + fz_below(t, FZ_PAGE * 4);
	case 3:
		return FZ_PICK(t, kernel) + (fz_chance(t, 30) ? fz_below(t, 4096) : 0);
	case 4:
		return (uintptr_t)fz_straddle(t, len ? len : 8);
	case 5:
		return 0xdead0000ULL + fz_below(t, 0x10000);
	case 6:
		return fz_rand(t);
	default:
		return (uintptr_t)fz_none_area;
	}
}

/* A pointer that certainly cannot be read or written. */
uint64_t fz_unreadable_ptr(struct fz_thread *t)
{
	uint64_t p = fz_bad_ptr(t, 8);

	if (p < 0x800000000000ULL && p >= 0x10000 &&
	    (p < (uintptr_t)fz_none_area || p >= (uintptr_t)fz_none_area + 4 * FZ_PAGE))
		p = (uintptr_t)fz_none_area + fz_below(t, 4 * FZ_PAGE);
	return p;
}

uint64_t fz_ptr_or_bad(struct fz_thread *t, void *good, size_t len,
		       unsigned int bad_pct)
{
	if (fz_chance(t, bad_pct))
		return fz_bad_ptr(t, len);
	if (fz_chance(t, 3))	/* misaligned is fine for the kernel */
		return (uintptr_t)good | 1;
	return (uintptr_t)good;
}

/* The canary byte for an address: the same whichever buffer start it is set from. */
static uint8_t fz_canary_byte(uintptr_t a)
{
	return 0xa5 ^ (uint8_t)(a ^ (a >> 8) ^ (a >> 16));
}

void fz_canary_set(void *p, size_t len)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = fz_canary_byte((uintptr_t)&b[i]);
}

bool fz_canary_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != fz_canary_byte((uintptr_t)&b[i]))
			return false;
	return true;
}

/* --- names */

const char *fz_errname(int err)
{
	const char *n;

	if (err == ENOTSUPP_)
		return "ENOTSUPP";
	if (!err)
		return "0";
	n = strerrorname_np(err);
	return n ? n : "E?";
}

static const char *const fz_bpf_cmd_names[FZ_MAX_BPF_CMD] = {
	"MAP_CREATE", "MAP_LOOKUP_ELEM", "MAP_UPDATE_ELEM", "MAP_DELETE_ELEM",
	"MAP_GET_NEXT_KEY", "PROG_LOAD", "OBJ_PIN", "OBJ_GET", "PROG_ATTACH",
	"PROG_DETACH", "PROG_TEST_RUN", "PROG_GET_NEXT_ID", "MAP_GET_NEXT_ID",
	"PROG_GET_FD_BY_ID", "MAP_GET_FD_BY_ID", "OBJ_GET_INFO_BY_FD",
	"PROG_QUERY", "RAW_TRACEPOINT_OPEN", "BTF_LOAD", "BTF_GET_FD_BY_ID",
	"TASK_FD_QUERY", "MAP_LOOKUP_AND_DELETE_ELEM", "MAP_FREEZE",
	"BTF_GET_NEXT_ID", "MAP_LOOKUP_BATCH", "MAP_LOOKUP_AND_DELETE_BATCH",
	"MAP_UPDATE_BATCH", "MAP_DELETE_BATCH", "LINK_CREATE", "LINK_UPDATE",
	"LINK_GET_FD_BY_ID", "LINK_GET_NEXT_ID", "ENABLE_STATS", "ITER_CREATE",
	"LINK_DETACH", "PROG_BIND_MAP", "TOKEN_CREATE",
};

const char *const fz_cat_names[FZ_NR_CATS] = {
	[FZ_CAT_BPF_UNKNOWN] = "BPF_CMD_UNKNOWN",
	[FZ_CAT_BAD_CALL] = "BPF_BAD_CALL_PTR",
	[FZ_CAT_PERF_BUFFER] = "PERF_BUFFER_IOCTL",
	[FZ_CAT_BOGUS_IOCTL] = "BOGUS_IOCTL",
	[FZ_CAT_PERF_IOCTL] = "PERF_EVENT_IOC",
	[FZ_CAT_MMAP] = "mmap",
	[FZ_CAT_MUNMAP] = "munmap",
	[FZ_CAT_MPROTECT] = "mprotect",
	[FZ_CAT_MREMAP] = "mremap",
	[FZ_CAT_MADVISE] = "madvise",
	[FZ_CAT_POLL] = "poll",
	[FZ_CAT_EPOLL] = "epoll",
	[FZ_CAT_CLOSE] = "close",
	[FZ_CAT_FORK] = "fork",
	[FZ_CAT_KERNEL_BPF] = "bpf(2)",
	[FZ_CAT_OTHER] = "other",
};

const char *fz_cmd_name(uint32_t cmd)
{
	return cmd < FZ_MAX_BPF_CMD ? fz_bpf_cmd_names[cmd] : "UNKNOWN";
}

/*
 * The errnos a KBPF_IOC_BPF call may fail with: bpf(2)'s, as kbpf
 * implements them.  Anything else is a finding.
 */
bool fz_errno_plausible(int err)
{
	switch (err) {
	case EINVAL: case EFAULT: case E2BIG: case EBADF: case EPERM:
	case ENOENT: case ENOMEM: case EEXIST: case ENOSPC: case EACCES:
	case EBUSY: case ENOTSUPP_: case EOPNOTSUPP: case EINTR: case ENXIO:
	case ENODEV: case EPROTO: case EMFILE: case ENFILE: case EAGAIN:
	case EBADFD:	/* OBJ_GET_INFO_BY_FD of a closed fd, as 6.12 answers */
		return true;
	default:
		return false;
	}
}

/* --- calls */

void fz_count(struct fz_thread *t, int cat, long ret, int err)
{
	t->calls++;
	if (cat >= 0 && cat < FZ_NR_CATS)
		t->cat[cat]++;
	if (ret < 0 && err > 0 && err < FZ_MAX_ERRNO)
		t->errnos[err]++;
	else if (ret >= 0)
		t->errnos[0]++;
}

long fz_ioctl(struct fz_thread *t, int fd, unsigned long req, void *arg, int cat)
{
	long ret;
	int err;

	errno = 0;
	ret = ioctl(fd, req, arg);
	err = ret < 0 ? errno : 0;
	fz_count(t, cat, ret, err);
	if (t->trace)
		fz_note("t%d op %llu: ioctl(%d, %#lx) = %ld %s [%s]", t->id,
			(unsigned long long)t->ops, fd, req, ret, fz_errname(err), t->desc);
	errno = err;
	return ret;
}

/*
 * One bpf(2) command over KBPF_IOC_BPF.  Every failure must carry an
 * errno bpf(2) has; a success returns 0 or, for the commands that make
 * objects, a new fd.
 */
long fz_bpf(struct fz_thread *t, uint32_t cmd, void *attr, uint32_t size)
{
	struct kbpf_bpf_call call = { .cmd = cmd, .size = size,
				      .attr = (uintptr_t)attr };
	int cat = cmd < FZ_MAX_BPF_CMD ? (int)cmd : FZ_CAT_BPF_UNKNOWN;
	long ret;
	int err;

	ret = fz_ioctl(t, fz_dev, KBPF_IOC_BPF, &call, cat);
	err = errno;
	if (ret < 0 && !fz_errno_plausible(err))
		fz_fail(t, "%s failed with errno %d (%s), which bpf(2) never answers",
			fz_cmd_name(cmd), err, fz_errname(err));
	if (ret > 0) {
		switch (cmd) {
		case BPF_MAP_CREATE: case BPF_PROG_LOAD: case BPF_MAP_GET_FD_BY_ID:
		case BPF_PROG_GET_FD_BY_ID: case BPF_RAW_TRACEPOINT_OPEN:
			break;
		default:
			fz_fail(t, "%s returned %ld, not 0", fz_cmd_name(cmd), ret);
		}
	}
	if (ret == 0) {
		switch (cmd) {
		case BPF_MAP_CREATE: case BPF_PROG_LOAD: case BPF_MAP_GET_FD_BY_ID:
		case BPF_PROG_GET_FD_BY_ID: case BPF_RAW_TRACEPOINT_OPEN:
			/* fd 0 is stdin, which the fuzzer keeps open */
			fz_fail(t, "%s returned fd 0, which is open", fz_cmd_name(cmd));
			break;
		default:
			break;
		}
	}
	errno = err;
	return ret;
}

void fz_note(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&fz_print_lock);
	va_start(ap, fmt);
	fputs("kbpf-fuzz: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&fz_print_lock);
}

void fz_desc(struct fz_thread *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->desc, sizeof(t->desc), fmt, ap);
	va_end(ap);
}

/* Name the command, its size, and the attr's bytes if they are ours. */
void fz_desc_attr(struct fz_thread *t, uint32_t cmd, const void *attr, uint32_t size)
{
	const uint8_t *a = attr;
	size_t n, i, len;
	int used;

	used = snprintf(t->desc, sizeof(t->desc), "cmd %u (%s) size %u attr %p",
			cmd, fz_cmd_name(cmd), size, attr);
	if (a < t->attr_area || a >= t->attr_area + FZ_ATTR_BUF)
		return;
	n = size < fz_cfg.union_size ? size : fz_cfg.union_size;
	if (n > (size_t)(t->attr_area + FZ_ATTR_BUF - a))
		n = t->attr_area + FZ_ATTR_BUF - a;
	/* trailing zeros say nothing */
	while (n && !a[n - 1])
		n--;
	len = used;
	if (len < sizeof(t->desc) - 8)
		len += snprintf(t->desc + len, sizeof(t->desc) - len, " bytes");
	for (i = 0; i < n && len < sizeof(t->desc) - 4; i++)
		len += snprintf(t->desc + len, sizeof(t->desc) - len, "%s%02x",
				i % 8 ? "" : " ", a[i]);
}

void fz_fail(struct fz_thread *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	t->fails++;
	if (t->fails > 20)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fz_note("INVARIANT FAILED: seed %llu thread %d op %llu call %llu: %s\n"
		"kbpf-fuzz:   the call: %s",
		(unsigned long long)fz_cfg.seed, t->id, (unsigned long long)t->ops,
		(unsigned long long)t->calls, msg, t->desc);
}

/* --- faults through mappings */

static __thread sigjmp_buf fz_jmp;
static __thread volatile int fz_probing;
static __thread struct fz_thread *fz_self;

static void fz_sig(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;

	if (fz_probing) {
		fz_probing = 0;
		siglongjmp(fz_jmp, 1);
	}
	/* A fault in the fuzzer itself: say where, then die of it. */
	if (fz_self) {
		char buf[1400];
		int n = snprintf(buf, sizeof(buf),
				 "kbpf-fuzz: FATAL signal %d at %p (ip %#llx) in thread %d, seed %llu op %llu: %s\n",
				 sig, si ? si->si_addr : NULL,
				 u ? (unsigned long long)u->uc_mcontext.gregs[REG_RIP] : 0ULL, fz_self->id,
				 (unsigned long long)fz_cfg.seed,
				 (unsigned long long)fz_self->ops, fz_self->desc);

		if (n > 0)
			(void)!write(1, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf));
		{
			void *frames[32];
			int nf = backtrace(frames, 32), i;

			for (i = 0; i < nf; i++) {
				n = snprintf(buf, sizeof(buf), "kbpf-fuzz:   frame %d: %p\n", i, frames[i]);
				(void)!write(1, buf, n);
			}
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void fz_signals_init(void)
{
	struct sigaction sa;
	void *frame;

	backtrace(&frame, 1);	/* the unwinder's setup, before any signal */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fz_sig;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool fz_probe_read(struct fz_thread *t, const volatile uint8_t *p, size_t len)
{
	volatile size_t i;
	volatile uint8_t sink = 0;

	fz_self = t;
	if (sigsetjmp(fz_jmp, 1)) {
		t->faults++;
		return false;
	}
	fz_probing = 1;
	for (i = 0; i < len; i++)
		sink ^= p[i];
	fz_probing = 0;
	(void)sink;
	return true;
}

bool fz_probe_write(struct fz_thread *t, volatile uint8_t *p, size_t len, uint8_t v)
{
	volatile size_t i;

	fz_self = t;
	if (sigsetjmp(fz_jmp, 1)) {
		t->faults++;
		return false;
	}
	fz_probing = 1;
	for (i = 0; i < len; i++)
		p[i] = v;
	fz_probing = 0;
	return true;
}

/* The thread a fatal signal names. */
void fz_thread_bind(struct fz_thread *t)
{
	fz_self = t;
}

bool fz_probe_store64(struct fz_thread *t, volatile uint64_t *p, uint64_t v)
{
	fz_self = t;
	if (sigsetjmp(fz_jmp, 1)) {
		t->faults++;
		return false;
	}
	fz_probing = 1;
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
	fz_probing = 0;
	return true;
}
