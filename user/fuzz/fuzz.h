/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * kbpf-fuzz: a structure-aware, coverage-free fuzzer of /dev/kbpf, run
 * inside the test VM.
 *
 * Several threads share one fd table (struct fz_objs: maps of every type,
 * programs, raw tracepoint links, perf buffers, and foreign fds: closed
 * ones, /dev/null, a pipe, a socket, kernel BPF maps).  Each thread draws
 * operations from its own seeded stream: bpf(2) commands over
 * KBPF_IOC_BPF with attrs built per command and then mutated field by
 * field, attr sizes and attr pointers of every kind, random programs
 * (templates plus mutations) loaded, test-run and attached, mmap()s of
 * map and perf buffer fds with accesses through them, poll/epoll, the
 * perf buffer ioctl and bogus ioctls, and closes of fds other threads are
 * using.  What the fuzzer can check by itself is checked (struct
 * fz_thread's fails): the attr contract's errnos, plausible return values,
 * output buffers written exactly as far as they should be, map info and
 * element round trips on maps no other thread knows.  The real oracle is
 * the guest's console (run.sh): no oops, WARNING, KASAN, UBSAN, lockdep or
 * kmemleak report.
 */
#ifndef KBPF_FUZZ_H
#define KBPF_FUZZ_H

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/kbpf.h>

#define FZ_PAGE		4096UL
#define FZ_MAX_THREADS	16
#define FZ_NR_OBJS	96		/* slots in the shared fd table */
#define FZ_ARENA_SIZE	(256 * 1024)	/* per-thread buffers the kernel may write */
#define FZ_ATTR_BUF	(2 * FZ_PAGE)	/* per-thread attr area, then a guard page */
#define FZ_MAX_ERRNO	1024
#define ENOTSUPP_	524		/* the kernel's internal ENOTSUPP */
#define FZ_PRIVATE_FDS	600		/* 20 per thread: objects no other thread uses */
#define FZ_CLOSED_FDS	950		/* never open */

/* bpf(2) commands by number; 6.1's header lacks the newest ones. */
#define FZ_BPF_TOKEN_CREATE	36
#define FZ_MAX_BPF_CMD		37

/* Categories of calls, for the counts at the end. */
enum fz_cat {
	/* 0 .. FZ_MAX_BPF_CMD - 1: KBPF_IOC_BPF with that cmd */
	FZ_CAT_BPF_UNKNOWN = FZ_MAX_BPF_CMD,	/* cmds bpf(2) does not have */
	FZ_CAT_BAD_CALL,	/* KBPF_IOC_BPF with a bad kbpf_bpf_call pointer */
	FZ_CAT_PERF_BUFFER,	/* KBPF_IOC_PERF_BUFFER */
	FZ_CAT_BOGUS_IOCTL,	/* other ioctl numbers on kbpf fds */
	FZ_CAT_PERF_IOCTL,	/* PERF_EVENT_IOC_* on perf buffers */
	FZ_CAT_MMAP,
	FZ_CAT_MUNMAP,
	FZ_CAT_MPROTECT,
	FZ_CAT_MREMAP,
	FZ_CAT_MADVISE,
	FZ_CAT_POLL,
	FZ_CAT_EPOLL,
	FZ_CAT_CLOSE,
	FZ_CAT_FORK,
	FZ_CAT_KERNEL_BPF,	/* bpf(2) itself, to make foreign fds */
	FZ_CAT_OTHER,		/* dup, fcntl, read of fdinfo, ... */
	FZ_NR_CATS
};

/* What a slot of the shared fd table holds. */
enum fz_kind {
	FZ_NONE = 0,
	FZ_MAP,
	FZ_PROG,
	FZ_LINK,
	FZ_PERFBUF,
	FZ_KMAP,	/* a map of the kernel's bpf(2) */
	FZ_DEVNULL,
	FZ_PIPE,
	FZ_SOCKET,
	FZ_EPOLL,
	FZ_DEV,		/* another fd on /dev/kbpf */
	FZ_NR_KINDS
};

struct fz_obj {
	int fd;
	enum fz_kind kind;
	uint32_t type;		/* map or program type */
	uint32_t key_size, value_size, max_entries, map_flags;
	uint32_t expires;	/* links: the owner's op count to close at */
	int owner;		/* thread that made it */
	uint32_t cpu;		/* perf buffers */
};

/* xorshift64*, one stream per thread. */
struct fz_rng {
	uint64_t s;
};

struct fz_thread {
	int id;
	struct fz_rng rng;
	uint64_t calls;		/* system calls made */
	uint64_t ops;		/* operations drawn */
	uint64_t cat[FZ_NR_CATS];
	uint64_t errnos[FZ_MAX_ERRNO];
	uint64_t fails;		/* the fuzzer's own invariants */
	uint64_t faults;	/* SIGSEGV/SIGBUS through mappings, expected */
	uint64_t prog_loaded, prog_runs, prog_attached, maps_made;
	uint8_t *arena;		/* FZ_ARENA_SIZE bytes, then a PROT_NONE page */
	uint8_t *attr_area;	/* FZ_ATTR_BUF bytes, then a PROT_NONE page */
	int epfd;
	char desc[1024];	/* the call at hand, for failure reports */
	uint64_t max_calls;	/* 0: no limit */
	bool trace;
};

/* What the run was asked for. */
struct fz_config {
	uint64_t seed;
	unsigned int seconds;
	unsigned int threads;
	uint64_t calls;		/* per thread; 0: until seconds pass */
	bool verbose;
	uint64_t trace_from;	/* print each op from this one on (0: never) */
	bool known;		/* also draw inputs of known, reported problems */
	bool no_attach;		/* do not attach programs to tracepoints */
	bool slice;		/* make check's short deterministic run */
	int kv;			/* kernel: 6001 or 6012 */
	uint32_t union_size;	/* sizeof(union bpf_attr) of the running kernel */
	int ncpus;		/* possible CPUs */
};

extern struct fz_config fz_cfg;
extern volatile int fz_stop;
extern bool fz_in_checker;	/* this is the invariant checker process */
extern int fz_dev;	/* /dev/kbpf */
extern const char *const fz_cat_names[FZ_NR_CATS];

/* util.c: randomness */
uint64_t fz_rand(struct fz_thread *t);
uint32_t fz_below(struct fz_thread *t, uint32_t n);
bool fz_chance(struct fz_thread *t, unsigned int percent);
void fz_bytes(struct fz_thread *t, void *buf, size_t len);
uint64_t fz_interesting(struct fz_thread *t);	/* boundary values */
uint32_t fz_size_near(struct fz_thread *t, uint32_t limit);
uint64_t fz_splitmix(uint64_t *x);
#define FZ_PICK(t, arr) ((arr)[fz_below(t, sizeof(arr) / sizeof((arr)[0]))])

/* util.c: memory the kernel may be pointed at */
void *fz_buf(struct fz_thread *t, size_t len, size_t align);	/* in the arena */
void fz_buf_reset(struct fz_thread *t);
uint64_t fz_bad_ptr(struct fz_thread *t, size_t len);	/* NULL, unmapped, kernel, ... */
uint64_t fz_unreadable_ptr(struct fz_thread *t);
uint64_t fz_ptr_or_bad(struct fz_thread *t, void *good, size_t len, unsigned int bad_pct);
void *fz_straddle(struct fz_thread *t, size_t len);	/* ends in the guard page */
void fz_canary_set(void *p, size_t len);
bool fz_canary_ok(const void *p, size_t len);
extern uint8_t *fz_none_area;	/* PROT_NONE, never mapped otherwise */

/* util.c: calls and their accounting */
long fz_ioctl(struct fz_thread *t, int fd, unsigned long req, void *arg, int cat);
long fz_bpf(struct fz_thread *t, uint32_t cmd, void *attr, uint32_t size);
void fz_count(struct fz_thread *t, int cat, long ret, int err);
void fz_fail(struct fz_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fz_desc(struct fz_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fz_desc_attr(struct fz_thread *t, uint32_t cmd, const void *attr, uint32_t size);
const char *fz_errname(int err);
const char *fz_cmd_name(uint32_t cmd);
bool fz_errno_plausible(int err);
void fz_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* util.c: touching memory that may fault */
bool fz_probe_read(struct fz_thread *t, const volatile uint8_t *p, size_t len);
bool fz_probe_write(struct fz_thread *t, volatile uint8_t *p, size_t len, uint8_t v);
bool fz_probe_store64(struct fz_thread *t, volatile uint64_t *p, uint64_t v);
void fz_signals_init(void);
void fz_thread_bind(struct fz_thread *t);

/* objs.c: the shared fd table */
void fz_objs_init(void);
void fz_objs_fini(void);
bool fz_obj_pick(struct fz_thread *t, enum fz_kind kind, struct fz_obj *out);
bool fz_obj_pick_map(struct fz_thread *t, int map_type, struct fz_obj *out);
int fz_obj_put(struct fz_thread *t, const struct fz_obj *o);	/* slot or -1 (closed) */
void fz_obj_close_random(struct fz_thread *t);
void fz_obj_expire(struct fz_thread *t);
int fz_any_fd(struct fz_thread *t);	/* an fd of any kind, or a bad one */
int fz_map_fd(struct fz_thread *t, struct fz_obj *o);	/* mostly a live map */
uint32_t fz_map_vsize(uint32_t type, uint32_t value_size);	/* what bpf(2) moves */
bool fz_is_percpu(uint32_t type);
int fz_make_map(struct fz_thread *t, uint32_t type, struct fz_obj *o, bool valid);
int fz_make_perfbuf(struct fz_thread *t, struct fz_obj *o, bool mapped);
int fz_make_kernel_map(struct fz_thread *t);
int fz_private_fd(struct fz_thread *t, int fd);
void fz_private_id(uint32_t id, bool add);
bool fz_private_has(uint32_t id);
#define FZ_PROG_ID(id) ((id) | 1U << 31)
void fz_op_objs(struct fz_thread *t);

/* attr.c: bpf(2) commands */
void fz_op_bpf(struct fz_thread *t);
void fz_op_contract(struct fz_thread *t);
void fz_op_perf_buffer(struct fz_thread *t);
void fz_op_bogus_ioctl(struct fz_thread *t);
uint32_t fz_cmd_attr_end(uint32_t cmd);

/* prog.c: programs */
void fz_op_prog(struct fz_thread *t);
int fz_prog_load_simple(struct fz_thread *t, uint32_t type, int ret);

/* mem.c: mmap, poll, epoll, fork */
void fz_op_mmap(struct fz_thread *t);
void fz_op_poll(struct fz_thread *t);
void fz_op_fork(struct fz_thread *t);
void fz_mem_thread_fini(struct fz_thread *t);
extern pthread_rwlock_t fz_fork_lock;

/* inv.c: invariants on objects only one thread knows */
void fz_op_invariants(struct fz_thread *t);

/* A bpf_insn built in place. */
#define FZ_INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), \
	.src_reg = (s), .off = (o), .imm = (i) })

#endif /* KBPF_FUZZ_H */
