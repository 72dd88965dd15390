// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Differential program test: the clang-built programs of progs/ (*.bpf.c),
 * loaded through libabpf's object loader on the kernel (bpf(2)) and on
 * kbpf, must give the same results.
 *
 *  - progs/diff_progs.bpf.c (hash counting, array and per-CPU array
 *    updates, queue push/pop, ring buffer output, bpf-to-bpf calls into
 *    .text, .data/.bss/.rodata, loops, atomics): seeded random steps, each
 *    one program run by BPF_PROG_TEST_RUN on CPU 0 of both backends with
 *    the same ctx; return values, errors, ring buffer records and the
 *    contents of every map must match.  KBPF_PROG_DIFF_OPS steps (default
 *    3000).
 *  - progs/diff_live.bpf.c on raw_syscalls:sys_enter: this process's
 *    getppid() calls counted exactly on both; attach/detach over and over
 *    while two threads make system calls, then exact counting again; on
 *    kbpf a program that faults on every event runs alongside, its faults
 *    are counted and nothing else changes.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <abpf.h>
#include <abpf/embed.h>
#include <abpf/object.h>

#include "../tap.h"

ABPF_EMBED(diff_obj, ABPF_BPF_DIR "/diff_progs.bpf.o");
ABPF_EMBED(live_obj, ABPF_BPF_DIR "/diff_live.bpf.o");
ABPF_EMBED(btf_obj, ABPF_BPF_DIR "/btf_maps.bpf.o");
ABPF_EMBED(sys_obj, ABPF_BPF_DIR "/diff_syscall.bpf.o");

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define NSIDES 2
#define MAX_PROGS 16
#define MAX_RECS 1024
#define REC_MAX 64

static const char *const side_names[NSIDES] = { "kernel", "kbpf" };

struct rec {
	size_t len;
	unsigned char data[REC_MAX];
};

struct side {
	struct abpf *h;
	struct abpf_object *obj;
	struct abpf_ringbuf *rb;
	struct rec recs[MAX_RECS];
	size_t nrecs, overflow;
};

static struct side sides[NSIDES];
static bool both_loaded[MAX_PROGS];
static size_t nprogs;

static __u64 rng_state = 0x2545f4914f6cdd1dULL;

static __u64 rng64(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct side *s = ctx;
	struct rec *r;

	if (s->nrecs == MAX_RECS || size > REC_MAX) {
		s->overflow++;
		return 0;
	}
	r = &s->recs[s->nrecs++];
	r->len = size;
	memcpy(r->data, data, size);
	return 0;
}

static struct abpf *handle(int side)
{
	struct abpf *h = NULL;

	if (!abpf_ok(abpf_open(side ? abpf_sys_kbpf() : abpf_sys_libc(), NULL,
			       &h)))
		return NULL;
	return h;
}

/*
 * Open @image on @h with only the programs @want lists as true loaded
 * (all if NULL); the object or NULL, with the loader's message in @msg.
 */
static struct abpf_object *open_load(struct abpf *h, const unsigned char *image,
				     size_t size, const bool *want,
				     __u32 target_tgid, char *msg, size_t len)
{
	LIBBPF_OPTS(abpf_object_opts, o, .msg_buf = msg, .msg_size = len);
	struct abpf_object *obj = NULL;
	const char *map;
	size_t i, off, vsz, dsz;
	unsigned char *data;

	if (!abpf_ok(abpf_object_open_mem(h, image, size, &o, &obj)))
		return NULL;
	for (i = 0; want && i < abpf_object_prog_cnt(obj); i++)
		abpf_object_prog_set_autoload(abpf_object_prog_at(obj, i), want[i]);
	if (target_tgid &&
	    abpf_ok(abpf_object_find_var(obj, "target_tgid", &map, &off, &vsz)) &&
	    (data = abpf_object_data(obj, map, &dsz)))
		memcpy(data + off, &target_tgid, sizeof(target_tgid));
	if (!abpf_ok(abpf_object_load(obj))) {
		abpf_object_close(obj);
		return NULL;
	}
	return obj;
}

static void programs_load_on_both_backends(void)
{
	bool want[NSIDES][MAX_PROGS];
	struct abpf_object *probe;
	char msg[512];
	size_t i, n = 0;
	int s;

	for (s = 0; s < NSIDES; s++) {
		sides[s].h = handle(s);
		EXPECT(sides[s].h);
		if (!sides[s].h)
			return;
		if (!nprogs) {
			LIBBPF_OPTS(abpf_object_opts, o);

			if (abpf_ok(abpf_object_open_mem(sides[s].h, diff_obj,
							 ABPF_EMBED_SIZE(diff_obj),
							 &o, &probe))) {
				nprogs = abpf_object_prog_cnt(probe);
				abpf_object_close(probe);
			}
			if (!nprogs || nprogs > MAX_PROGS) {
				tap_fail("%zu programs", nprogs);
				return;
			}
		}
		/* Which programs each backend takes, one at a time. */
		probe = open_load(sides[s].h, diff_obj, ABPF_EMBED_SIZE(diff_obj),
				  NULL, 0, msg, sizeof(msg));
		if (probe) {
			for (i = 0; i < nprogs; i++)
				want[s][i] = true;
			abpf_object_close(probe);
		} else {
			printf("# %s: the whole object: %s\n", side_names[s], msg);
			for (i = 0; i < nprogs; i++) {
				bool one[MAX_PROGS] = { false };

				one[i] = true;
				probe = open_load(sides[s].h, diff_obj,
						  ABPF_EMBED_SIZE(diff_obj), one,
						  0, msg, sizeof(msg));
				want[s][i] = probe != NULL;
				if (!probe && strstr(msg, "program"))
					printf("# %s refuses %s\n", side_names[s], msg);
				abpf_object_close(probe);
			}
		}
	}
	EXPECT(nprogs > 0 && nprogs <= MAX_PROGS);
	for (i = 0; i < nprogs; i++) {
		both_loaded[i] = want[0][i] && want[1][i];
		n += both_loaded[i];
		/* kbpf takes everything the kernel's verifier takes. */
		if (want[0][i] && !want[1][i])
			tap_fail("kbpf refuses program %zu, which the kernel takes", i);
	}
	for (s = 0; s < NSIDES; s++) {
		sides[s].obj = open_load(sides[s].h, diff_obj,
					 ABPF_EMBED_SIZE(diff_obj), both_loaded,
					 0, msg, sizeof(msg));
		if (!sides[s].obj) {
			tap_fail("%s: %s", side_names[s], msg);
			continue;
		}
		EXPECT_EQ(abpf_ringbuf_new(abpf_object_find_map(sides[s].obj, "events"),
					   on_record, &sides[s], NULL,
					   &sides[s].rb).no, 0);
	}
	printf("# %zu programs, %zu loaded on both backends\n", nprogs, n);
	EXPECT_EQ(n, nprogs);
}

/* Both maps named @name hold the same; returns the elements compared. */
static size_t compare_map(const char *name)
{
	struct abpf_map *a = abpf_object_find_map(sides[0].obj, name);
	struct abpf_map *b = abpf_object_find_map(sides[1].obj, name);
	unsigned char *va, *vb, *key, *next;
	size_t vsz, ksz, n = 0, cnt_b = 0;
	bool first = true;
	abpf_errno ea, eb;
	__u32 i;

	if (!a || !b) {
		tap_fail("map %s missing", name);
		return 0;
	}
	vsz = abpf_map_value_buf_size(a);
	ksz = abpf_map_key_size(a);
	EXPECT_EQ(vsz, abpf_map_value_buf_size(b));
	va = calloc(1, vsz);
	vb = calloc(1, vsz);
	key = calloc(1, ksz + 1);
	next = calloc(1, ksz + 1);
	switch (abpf_map_type(a)) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
		while (abpf_ok(abpf_map_get_next_key(b, first ? NULL : key, next,
						     ksz))) {
			memcpy(key, next, ksz);
			first = false;
			cnt_b++;
		}
		first = true;
		while (abpf_ok(abpf_map_get_next_key(a, first ? NULL : key, next,
						     ksz))) {
			memcpy(key, next, ksz);
			first = false;
			ea = abpf_map_lookup(a, key, ksz, va, vsz, 0);
			eb = abpf_map_lookup(b, key, ksz, vb, vsz, 0);
			if (ea.no != eb.no || memcmp(va, vb, vsz))
				tap_fail("%s: element %zu: kernel %d/%llu, kbpf %d/%llu",
					 name, n, ea.no, *(unsigned long long *)va,
					 eb.no, *(unsigned long long *)vb);
			n++;
		}
		EXPECT_EQ(n, cnt_b);
		break;
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		for (i = 0; i < abpf_map_max_entries(a); i++, n++) {
			ea = abpf_map_lookup(a, &i, sizeof(i), va, vsz, 0);
			eb = abpf_map_lookup(b, &i, sizeof(i), vb, vsz, 0);
			if (ea.no != eb.no || memcmp(va, vb, vsz))
				tap_fail("%s[%u] differs (%d, %d)", name, i, ea.no,
					 eb.no);
		}
		break;
	case BPF_MAP_TYPE_QUEUE:
		/* Emptied: the queue's whole order must match. */
		for (;;) {
			ea = abpf_map_lookup_and_delete(a, NULL, 0, va, vsz);
			eb = abpf_map_lookup_and_delete(b, NULL, 0, vb, vsz);
			if (ea.no != eb.no || (abpf_ok(ea) && memcmp(va, vb, vsz)))
				tap_fail("%s: pop %zu: %d, %d", name, n, ea.no,
					 eb.no);
			if (!abpf_ok(ea) || !abpf_ok(eb))
				break;
			n++;
		}
		break;
	default:
		tap_fail("map %s: type %u not compared", name, abpf_map_type(a));
	}
	free(va);
	free(vb);
	free(key);
	free(next);
	return n;
}

static size_t compare_rings(void)
{
	size_t i, n;
	int s;

	for (s = 0; s < NSIDES; s++)
		abpf_ringbuf_consume(sides[s].rb, NULL);
	EXPECT_EQ(sides[0].nrecs, sides[1].nrecs);
	EXPECT_EQ(sides[0].overflow + sides[1].overflow, 0);
	n = sides[0].nrecs < sides[1].nrecs ? sides[0].nrecs : sides[1].nrecs;
	for (i = 0; i < n; i++)
		if (sides[0].recs[i].len != sides[1].recs[i].len ||
		    memcmp(sides[0].recs[i].data, sides[1].recs[i].data,
			   sides[0].recs[i].len)) {
			tap_fail("ring record %zu differs", i);
			break;
		}
	sides[0].nrecs = sides[1].nrecs = 0;
	return n;
}

static const char *const compared_maps[] = {
	"counts", "slots", "pcpu", "atom", ".data", ".bss", ".rodata", "fifo",
};

/* An argument: small, a boundary, or any 64-bit value. */
static __u64 arg(void)
{
	static const __u64 edges[] = { 0, 1, 2, 3, 60, 61, 62, 99, 100, 255,
		0x7fffffff, 0x80000000, 0xffffffff, 1ULL << 32, ~0ULL, 1ULL << 63 };

	switch (rng64() % 4) {
	case 0:
		return edges[rng64() % ARRAY_LEN(edges)];
	case 1:
		return rng64() % 128;
	default:
		return rng64();
	}
}

/*
 * @ops seeded steps over the loaded objects of both sides: each runs one
 * program (of those @loaded marks) with the same ctx on CPU 0 of each;
 * results must match, and every 128 steps and at the end so must the
 * ring records and the maps @maps names (a queue only at the end).
 */
static void run_steps(long ops, const bool *loaded, const char *const *maps,
		      size_t nmaps, const char *what)
{
	size_t runs[MAX_PROGS] = { 0 }, elems = 0, recs = 0, i, n;
	long step, diffs = 0;

	n = abpf_object_prog_cnt(sides[0].obj);
	for (step = 0; step < ops; step++) {
		__u64 ctx[2] = { arg(), arg() };
		size_t p = (size_t)(rng64() % n);
		int ret[NSIDES], err[NSIDES], s;

		if (!loaded[p])
			continue;
		for (s = 0; s < NSIDES; s++) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = ctx,
				    .ctx_size_in = sizeof(ctx),
				    .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = 0);
			struct abpf_object_prog *op =
				abpf_object_prog_at(sides[s].obj, p);

			err[s] = abpf_prog_test_run(abpf_object_prog_prog(op), &o).no;
			ret[s] = (int)o.retval;
		}
		runs[p]++;
		if (err[0] != err[1] || ret[0] != ret[1]) {
			if (diffs++ < 8)
				tap_fail("step %ld: %s(0x%llx, 0x%llx): kernel %d/%d, kbpf %d/%d",
					 step,
					 abpf_object_prog_name(abpf_object_prog_at(sides[0].obj, p)),
					 (unsigned long long)ctx[0],
					 (unsigned long long)ctx[1], err[0],
					 ret[0], err[1], ret[1]);
		}
		if (step % 128 == 127) {
			recs += compare_rings();
			for (i = 0; i < nmaps; i++)
				if (strcmp(maps[i], "fifo"))
					elems += compare_map(maps[i]);
		}
	}
	recs += compare_rings();
	for (i = 0; i < nmaps; i++)
		elems += compare_map(maps[i]);
	printf("# %s: %ld steps, %ld differing results; runs per program:",
	       what, ops, diffs);
	for (i = 0; i < n; i++)
		printf(" %s %zu", abpf_object_prog_name(abpf_object_prog_at(sides[0].obj, i)),
		       runs[i]);
	printf("; %zu ring records and %zu map elements compared\n", recs, elems);
	EXPECT_EQ(diffs, 0);
	EXPECT(recs > 0 && elems > 0);
}

static long diff_ops(void)
{
	const char *env = getenv("KBPF_PROG_DIFF_OPS");

	return env ? atol(env) : 3000;
}

static void close_sides(void)
{
	int s;

	for (s = 0; s < NSIDES; s++) {
		abpf_ringbuf_free(sides[s].rb);
		sides[s].rb = NULL;
		abpf_object_close(sides[s].obj);
		sides[s].obj = NULL;
		sides[s].nrecs = 0;
	}
}

static void same_results_and_maps_on_both(void)
{
	if (!sides[0].obj || !sides[1].obj) {
		tap_fail("not loaded");
		return;
	}
	run_steps(diff_ops(), both_loaded, compared_maps,
		  ARRAY_LEN(compared_maps), "diff_progs");
	close_sides();
}

/* The BTF-defined maps of progs/btf_maps.bpf.c, on both. */
static void btf_maps_same_on_both(void)
{
	static const char *const maps[] = { "by_key", "per_cpu", "pairs" };
	static const bool all[MAX_PROGS] = { true };
	char msg[512];
	int s;

	for (s = 0; s < NSIDES; s++) {
		if (!sides[s].h) {
			tap_fail("no handle");
			return;
		}
		sides[s].obj = open_load(sides[s].h, btf_obj,
					 ABPF_EMBED_SIZE(btf_obj), NULL, 0, msg,
					 sizeof(msg));
		if (!sides[s].obj) {
			tap_fail("%s: %s", side_names[s], msg);
			close_sides();
			return;
		}
		EXPECT_EQ(abpf_ringbuf_new(abpf_object_find_map(sides[s].obj, "out"),
					   on_record, &sides[s], NULL,
					   &sides[s].rb).no, 0);
	}
	EXPECT_EQ(abpf_map_key_size(abpf_object_find_map(sides[1].obj, "by_key")), 8);
	EXPECT_EQ(abpf_map_value_size(abpf_object_find_map(sides[1].obj, "pairs")), 32);
	run_steps(diff_ops() / 3, all, maps, ARRAY_LEN(maps), "btf_maps");
	close_sides();
}

/* The ctx of progs/diff_syscall.bpf.c. */
struct sys_args {
	__u64 a, b;
	__u64 out;
	__u32 n, seen;
};

/*
 * A syscall program (ctx: a buffer of ours, which it writes back) with
 * the same inputs on both: return values, the ctx written back, maps.
 */
static void syscall_programs_same_on_both(void)
{
	static const char *const maps[] = { "acc", "arr" };
	long ops = diff_ops() / 3, step, diffs = 0;
	struct abpf_object_prog *p[NSIDES];
	char msg[512];
	size_t elems = 0, i;
	int s;

	for (s = 0; s < NSIDES; s++) {
		if (!sides[s].h) {
			tap_fail("no handle");
			return;
		}
		sides[s].obj = open_load(sides[s].h, sys_obj,
					 ABPF_EMBED_SIZE(sys_obj), NULL, 0, msg,
					 sizeof(msg));
		if (!sides[s].obj) {
			tap_fail("%s: %s", side_names[s], msg);
			close_sides();
			return;
		}
		p[s] = abpf_object_find_prog(sides[s].obj, "syscall");
		EXPECT(p[s] && abpf_object_prog_type(p[s]) == BPF_PROG_TYPE_SYSCALL);
	}
	for (step = 0; step < ops; step++) {
		struct sys_args in = { .a = arg(), .b = arg(), .n = (__u32)arg() };
		struct sys_args out[NSIDES];
		int ret[NSIDES], err[NSIDES];

		for (s = 0; s < NSIDES; s++) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &out[s],
				    .ctx_size_in = sizeof(out[s]));

			out[s] = in;
			err[s] = abpf_prog_test_run(abpf_object_prog_prog(p[s]), &o).no;
			ret[s] = (int)o.retval;
		}
		if (err[0] != err[1] || ret[0] != ret[1] ||
		    memcmp(&out[0], &out[1], sizeof(out[0]))) {
			if (diffs++ < 8)
				tap_fail("step %ld: kernel %d/%d out %llx seen %u, kbpf %d/%d out %llx seen %u",
					 step, err[0], ret[0],
					 (unsigned long long)out[0].out, out[0].seen,
					 err[1], ret[1],
					 (unsigned long long)out[1].out, out[1].seen);
		}
		if (step == 0)
			EXPECT(out[1].out != in.out || out[1].seen != in.seen);
	}
	for (i = 0; i < ARRAY_LEN(maps); i++)
		elems += compare_map(maps[i]);
	printf("# syscall: %ld test runs, %ld differing results or ctx, %zu map elements compared\n",
	       ops, diffs, elems);
	EXPECT_EQ(diffs, 0);
	EXPECT(elems > 0);
	close_sides();
}

/* ------------------------------------------------------------------ */
/* On raw_syscalls:sys_enter                                            */
/* ------------------------------------------------------------------ */

static atomic_bool stop;
static atomic_ulong thread_calls;

static void *syscaller(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		syscall(SYS_getppid);
		atomic_fetch_add(&thread_calls, 1);
	}
	return NULL;
}

static __u64 getppid_count(struct abpf_object *obj)
{
	__u32 nr = SYS_getppid;
	__u64 v = 0;

	abpf_map_get(abpf_object_find_map(obj, "by_nr"), nr, &v);
	return v;
}

static __u64 fdinfo_u64(int fd, const char *key)
{
	char path[64], buf[2048], *p;
	unsigned long long v = 0;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY);
	n = f < 0 ? -1 : read(f, buf, sizeof(buf) - 1);
	if (f >= 0)
		close(f);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strstr(buf, key);
	if (p)
		sscanf(p + strlen(key), ":%llu", &v);
	return v;
}

static void make_calls(long n)
{
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
}

struct live_result {
	__u64 exact, after_churn, faults, cycles, thread_calls, counted_churn;
	bool ok;
};

static void live_side(int s, long n, int cycles, struct live_result *r)
{
	bool want[2] = { true, s == 1 };	/* live_fault on kbpf only */
	struct abpf_object_prog *count, *fault;
	struct abpf_link *link, *flink = NULL;
	struct abpf_object *obj;
	pthread_t t[2];
	char msg[512];
	__u64 before;
	int i;

	memset(r, 0, sizeof(*r));
	obj = open_load(sides[s].h, live_obj, ABPF_EMBED_SIZE(live_obj), want,
			(__u32)getpid(), msg, sizeof(msg));
	if (!obj) {
		tap_fail("%s: %s", side_names[s], msg);
		return;
	}
	count = abpf_object_find_prog(obj, "live_count");
	fault = abpf_object_find_prog(obj, "live_fault");

	/* Exactly n getppid() calls while attached. */
	EXPECT_EQ(abpf_object_attach_raw_tp(count, NULL, &link).no, 0);
	make_calls(n);
	abpf_object_detach(count, link);
	r->exact = getppid_count(obj);

	/* Attach and detach while two threads make calls. */
	atomic_store(&stop, false);
	atomic_store(&thread_calls, 0);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, syscaller, NULL);
	for (i = 0; i < cycles; i++) {
		if (!abpf_ok(abpf_object_attach_raw_tp(count, NULL, &link))) {
			tap_fail("%s: attach %d failed", side_names[s], i);
			break;
		}
		usleep(1000);
		abpf_object_detach(count, link);
		r->cycles++;
	}
	atomic_store(&stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	r->thread_calls = atomic_load(&thread_calls);
	r->counted_churn = getppid_count(obj) - r->exact;

	/* The faulting program alongside, then exact counting again. */
	if (fault && abpf_object_prog_prog(fault))
		EXPECT_EQ(abpf_object_attach_raw_tp(fault, NULL, &flink).no, 0);
	before = getppid_count(obj);
	EXPECT_EQ(abpf_object_attach_raw_tp(count, NULL, &link).no, 0);
	make_calls(n);
	abpf_object_detach(count, link);
	abpf_object_detach(fault, flink);
	r->after_churn = getppid_count(obj) - before;
	if (fault && abpf_object_prog_prog(fault))
		r->faults = fdinfo_u64(abpf_prog_fd(abpf_object_prog_prog(fault)),
				       "faults");
	abpf_object_close(obj);
	r->ok = true;
}

static void live_counts_match_under_attach_churn(void)
{
	long n = diff_ops();
	struct live_result r[NSIDES];
	int s;

	for (s = 0; s < NSIDES; s++) {
		if (!sides[s].h) {
			tap_fail("no handle");
			return;
		}
		live_side(s, n, 40, &r[s]);
		printf("# %s: %llu of %ld getppid() counted; %llu attach/detach cycles with %llu calls from 2 threads, %llu counted; then %llu of %ld; faulting program: %llu faults\n",
		       side_names[s], (unsigned long long)r[s].exact, n,
		       (unsigned long long)r[s].cycles,
		       (unsigned long long)r[s].thread_calls,
		       (unsigned long long)r[s].counted_churn,
		       (unsigned long long)r[s].after_churn, n,
		       (unsigned long long)r[s].faults);
		EXPECT(r[s].ok);
		EXPECT_EQ(r[s].exact, n);
		EXPECT_EQ(r[s].after_churn, n);
		EXPECT_EQ(r[s].cycles, 40);
		EXPECT(r[s].counted_churn <= r[s].thread_calls);
	}
	EXPECT_EQ(r[0].exact, r[1].exact);
	EXPECT_EQ(r[0].after_churn, r[1].after_churn);
	/* kbpf's faulting program ran (and faulted) on every event it saw. */
	EXPECT(r[1].faults >= (__u64)n);
	EXPECT_EQ(r[0].faults, 0);
}

struct group_report {
	int fails;
	int err;
	char msg[512];
};

static void on_version_fail(void *ctx, size_t idx,
			    const struct abpf_prog_version *v, abpf_errno err,
			    const char *msg)
{
	struct group_report *g = ctx;

	printf("#   version %zu (%s) failed: %s\n", idx, v->label, msg);
	g->fails++;
	g->err = err.no;
	snprintf(g->msg, sizeof(g->msg), "%s", msg);
}

/*
 * A program group (oxidebpf's ProgramGroup): the version with the
 * faulting program first, the counter alone second.  The kernel's
 * verifier refuses the first, so the kernel gets the second; kbpf, which
 * checks accesses at run time, takes the first.
 */
static void group_falls_back_to_what_each_backend_takes(void)
{
	static const char *const count_only[] = { "live_count", NULL };
	static char log[1 << 16];
	struct abpf_prog_version v[2] = {
		{ .label = "count+fault", .buf = live_obj },
		{ .label = "count", .buf = live_obj, .progs = count_only },
	};
	size_t want[NSIDES] = { 1, 0 }, chosen;
	int s;

	v[0].size = v[1].size = ABPF_EMBED_SIZE(live_obj);
	for (s = 0; s < NSIDES; s++) {
		struct group_report g = { 0 };
		LIBBPF_OPTS(abpf_object_opts, oo, .log_buf = log,
			    .log_size = sizeof(log));
		LIBBPF_OPTS(abpf_group_opts, go, .fail_fn = on_version_fail,
			    .ctx = &g, .obj = &oo);
		struct abpf_object *obj = NULL;
		const char *e;

		chosen = 99;
		if (!sides[s].h) {
			tap_fail("no handle");
			return;
		}
		EXPECT_EQ(abpf_object_load_group(sides[s].h, v, 2, &go, &obj,
						 &chosen).no, 0);
		printf("# %s: version %zu (%s) loaded after %d failures\n",
		       side_names[s], chosen, chosen < 2 ? v[chosen].label : "-",
		       g.fails);
		EXPECT_EQ(chosen, want[s]);
		EXPECT_EQ(g.fails, (int)want[s]);
		if (s == 0) {
			EXPECT(g.err == EACCES || g.err == EINVAL);
			EXPECT(strstr(g.msg, "live_fault"));
			/* The message ends with what the verifier said. */
			e = strstr(g.msg, strerror(g.err));
			EXPECT(e && !strncmp(e + strlen(strerror(g.err)), ": ", 2) &&
			       e[strlen(strerror(g.err)) + 2]);
		}
		EXPECT(obj && abpf_object_prog_prog(abpf_object_find_prog(obj,
								       "live_count")));
		abpf_object_close(obj);
	}
}

static const struct tap_test tests[] = {
	TAP_TEST(programs_load_on_both_backends),
	TAP_TEST(same_results_and_maps_on_both),
	TAP_TEST(btf_maps_same_on_both),
	TAP_TEST(syscall_programs_same_on_both),
	TAP_TEST(live_counts_match_under_attach_churn),
	TAP_TEST(group_falls_back_to_what_each_backend_takes),
};

int main(void)
{
	int s;

	tap_run(tests, TAP_COUNT(tests), "prog diff: ");
	for (s = 0; s < NSIDES; s++)
		abpf_unref(sides[s].h);
	return tap_done();
}
