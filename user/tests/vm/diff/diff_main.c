// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * test_diff [--seed N] [--ops N] [PROFILE...]
 *
 * Runs each map family's profile (all by default) for at least --ops
 * operations (default 100000, or $KBPF_DIFF_OPS) from --seed (default
 * fixed, or $KBPF_DIFF_SEED) and prints one TAP line per profile with the
 * operation, map and mismatch counts.  A mismatch prints the seed, the
 * operation's number and what differed; the same seed replays it.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"

const struct abpf_sys *diff_sys[2];
const char *const diff_backend_name[2] = { "kernel", "kbpf" };

static const struct diff_profile *const profiles[] = {
	&diff_array_profile,
	&diff_percpu_array_profile,
	&diff_queue_profile,
	&diff_stack_profile,
	&diff_ringbuf_profile,
	&diff_perf_event_array_profile,
	&diff_hash_profile,
	&diff_percpu_hash_profile,
	&diff_lru_hash_profile,
	&diff_lru_percpu_hash_profile,
};

/* Mismatches printed per profile; the count goes on. */
#define MAX_REPORTED 20

uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)((rng_next(r) >> 32) % n) : 0;
}

bool rng_chance(struct rng *r, unsigned int percent)
{
	return rng_below(r, 100) < percent;
}

void rng_bytes(struct rng *r, void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			v = rng_next(r);
		p[i] = v;
		v >>= 8;
	}
}

uint32_t rng_pick(struct rng *r, const uint32_t *vals, size_t n)
{
	return vals[rng_below(r, n)];
}

int diff_nr_cpus(void)
{
	static int n;
	unsigned int lo, hi;
	FILE *f;

	if (n)
		return n;
	/* Possible CPUs, as per-cpu maps count them: "0-1" or "0". */
	f = fopen("/sys/devices/system/cpu/possible", "r");
	if (f && fscanf(f, "%u-%u", &lo, &hi) == 2)
		n = hi + 1;
	else
		n = 1;
	if (f)
		fclose(f);
	return n;
}

struct diff_res diff_call(int b, int cmd, union bpf_attr *attr)
{
	struct diff_res r;

	errno = 0;
	r.ret = diff_sys[b]->bpf(cmd, attr, sizeof(*attr));
	r.err = r.ret < 0 ? errno : 0;
	return r;
}

void diff_begin(struct diff_ctx *ctx, const char *fmt, ...)
{
	static long trace_from = -2;
	va_list ap;

	/* KBPF_DIFF_TRACE=N prints every operation from the Nth on. */
	if (trace_from == -2)
		trace_from = getenv("KBPF_DIFF_TRACE") ? atol(getenv("KBPF_DIFF_TRACE")) : -1;
	ctx->ops++;
	va_start(ap, fmt);
	vsnprintf(ctx->op, sizeof(ctx->op), fmt, ap);
	va_end(ap);
	if (trace_from >= 0 && ctx->ops >= (unsigned long)trace_from)
		printf("# %s: op %lu: %s\n", ctx->prof->name, ctx->ops, ctx->op);
}

void diff_mismatch(struct diff_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->mismatches++ >= MAX_REPORTED)
		return;
	printf("# %s: mismatch at op %lu (seed %llu): %s: ", ctx->prof->name,
	       ctx->ops, (unsigned long long)ctx->seed, ctx->op);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static const char *res_str(struct diff_res r, char *buf, size_t len)
{
	if (r.ret >= 0)
		snprintf(buf, len, "%ld", r.ret);
	else
		snprintf(buf, len, "-1/%s", strerrorname_np(r.err) ?: "?");
	return buf;
}

bool diff_same_res(struct diff_ctx *ctx, const char *what, struct diff_res r[2],
		   bool fds)
{
	bool same = (r[0].ret < 0) == (r[1].ret < 0) && r[0].err == r[1].err &&
		    (fds || r[0].ret == r[1].ret);
	char a[32], b[32];

	if (same && r[0].ret >= 0)
		ctx->succeeded++;
	if (!same)
		diff_mismatch(ctx, "%s: kernel %s, kbpf %s", what,
			      res_str(r[0], a, sizeof(a)), res_str(r[1], b, sizeof(b)));
	return same;
}

bool diff_same_bytes(struct diff_ctx *ctx, const char *what, const void *k,
		     const void *b, size_t len)
{
	const unsigned char *x = k, *y = b;
	size_t i;

	for (i = 0; i < len; i++) {
		if (x[i] != y[i]) {
			diff_mismatch(ctx, "%s: byte %zu of %zu: kernel %#x, kbpf %#x",
				      what, i, len, x[i], y[i]);
			return false;
		}
	}
	return true;
}

static void run_profile(struct diff_ctx *ctx, unsigned long target)
{
	const struct diff_profile *prof = ctx->prof;

	while (ctx->ops < target) {
		struct diff_map m = { .fd = { -1, -1 } };
		struct diff_res r[2];
		unsigned int i;
		int b;

		memset(&m.attr, 0, sizeof(m.attr));
		m.attr.map_type = prof->map_type;
		prof->gen_create(ctx, &m.attr);
		diff_begin(ctx, "create type %u key %u value %u max %u flags %#x",
			   m.attr.map_type, m.attr.key_size, m.attr.value_size,
			   m.attr.max_entries, m.attr.map_flags);
		for (b = 0; b < 2; b++) {
			union bpf_attr a = m.attr;

			r[b] = diff_call(b, BPF_MAP_CREATE, &a);
			m.fd[b] = r[b].ret;
		}
		if (!diff_same_res(ctx, "create", r, true) || r[0].ret < 0) {
			for (b = 0; b < 2; b++)
				if (m.fd[b] >= 0)
					close(m.fd[b]);
			continue;
		}

		ctx->maps++;
		m.key_size = m.attr.key_size;
		m.value_size = m.attr.value_size;
		m.max_entries = m.attr.max_entries;
		m.map_flags = m.attr.map_flags;
		m.vsize = m.value_size;
		diff_op_info(ctx, &m, false);	/* learns max_entries as created */
		if (prof->map_init)
			prof->map_init(ctx, &m);
		for (i = 0; i < prof->steps_per_map && ctx->ops < target; i++)
			prof->step(ctx, &m);
		if (prof->map_fini)
			prof->map_fini(ctx, &m);
		close(m.fd[0]);
		close(m.fd[1]);
	}
}

/* splitmix64's finalizer: every seed gets a stream of its own. */
static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

int main(int argc, char **argv)
{
	unsigned long target = 100000;
	uint64_t seed = 0x6b627066;	/* "kbpf" */
	int failed = 0, n = 0, i, arg;
	cpu_set_t cpu0;

	if (getenv("KBPF_DIFF_OPS"))
		target = strtoul(getenv("KBPF_DIFF_OPS"), NULL, 0);
	if (getenv("KBPF_DIFF_SEED"))
		seed = strtoull(getenv("KBPF_DIFF_SEED"), NULL, 0);
	for (arg = 1; arg < argc && !strncmp(argv[arg], "--", 2); arg++) {
		if (!strcmp(argv[arg], "--seed") && arg + 1 < argc)
			seed = strtoull(argv[++arg], NULL, 0);
		else if (!strcmp(argv[arg], "--ops") && arg + 1 < argc)
			target = strtoul(argv[++arg], NULL, 0);
		else
			return fprintf(stderr, "usage: test_diff [--seed N] [--ops N] [PROFILE...]\n"), 2;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	diff_sys[KERN] = abpf_sys_libc();
	diff_sys[KBPF] = abpf_sys_kbpf();
	/*
	 * One CPU: per-cpu state (LRU lists, this_cpu values) then evolves
	 * the same way in every run of a seed.
	 */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	sched_setaffinity(0, sizeof(cpu0), &cpu0);

	for (i = 0; i < (int)(sizeof(profiles) / sizeof(profiles[0])); i++) {
		struct diff_ctx ctx = { .prof = profiles[i] };
		int want = arg == argc, j;

		for (j = arg; j < argc; j++)
			want |= !strcmp(argv[j], profiles[i]->name);
		if (!want)
			continue;
		ctx.seed = seed;
		ctx.rng.s = mix(seed ^ name_hash(profiles[i]->name)) ?: 1;
		run_profile(&ctx, target);
		failed += ctx.mismatches != 0;
		printf("%sok %d - diff: %s: %lu operations (%lu succeeded on both) on %lu map pairs, %lu mismatches, %lu tolerated (seed %llu)\n",
		       ctx.mismatches ? "not " : "", ++n, ctx.prof->name, ctx.ops,
		       ctx.succeeded, ctx.maps, ctx.mismatches, ctx.tolerated,
		       (unsigned long long)seed);
	}
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
