/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * test_diff: differential testing of kbpf's maps against the kernel's.
 *
 * The same seeded random sequence of bpf(2) commands runs on a kernel map
 * (through bpf(2)) and on a kbpf map (through /dev/kbpf): every return
 * value, errno, output buffer and iteration set must match.  Each map
 * family contributes a profile (diff_<family>.c): how to draw creation
 * attributes, and one random step on a created pair of maps.
 */
#ifndef KBPF_DIFF_H
#define KBPF_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include <abpf/abpf.h>

enum { KERN = 0, KBPF = 1 };
extern const struct abpf_sys *diff_sys[2];
extern const char *const diff_backend_name[2];

/* xorshift64*: one stream per profile run, from the run's seed. */
struct rng {
	uint64_t s;
};

uint64_t rng_next(struct rng *r);
uint32_t rng_below(struct rng *r, uint32_t n);		/* [0, n) */
bool rng_chance(struct rng *r, unsigned int percent);
void rng_bytes(struct rng *r, void *buf, size_t len);
/* One of @n values, uniformly. */
uint32_t rng_pick(struct rng *r, const uint32_t *vals, size_t n);
#define RNG_PICK(r, arr) rng_pick(r, arr, sizeof(arr) / sizeof((arr)[0]))

/* The result of one bpf(2) call: its return value and errno. */
struct diff_res {
	long ret;
	int err;
};

struct diff_ctx {
	struct rng rng;
	uint64_t seed;
	const struct diff_profile *prof;
	unsigned long ops;		/* operations run on both backends */
	unsigned long succeeded;	/* ... that succeeded on both */
	unsigned long mismatches;
	unsigned long tolerated;	/* differences the kernel documents as free */
	unsigned long maps;		/* map pairs created */
	char op[192];			/* what the current operation is */
};

/*
 * A kernel map and a kbpf map created from the same attributes.  @vsize is
 * the value size bpf(2) moves (per-cpu maps: one 8-byte slot per CPU).
 */
struct diff_map {
	int fd[2];
	union bpf_attr attr;
	uint32_t key_size, value_size, vsize, max_entries, map_flags;
	bool frozen;
	void *priv;		/* the profile's own state, e.g. a model */
};

struct diff_profile {
	const char *name;
	uint32_t map_type;
	/* Draw BPF_MAP_CREATE attributes: mostly valid, some not. */
	void (*gen_create)(struct diff_ctx *ctx, union bpf_attr *attr);
	/* Optional: set up and tear down @map->priv. */
	void (*map_init)(struct diff_ctx *ctx, struct diff_map *map);
	void (*map_fini)(struct diff_ctx *ctx, struct diff_map *map);
	/* One random operation on both maps, compared. */
	void (*step)(struct diff_ctx *ctx, struct diff_map *map);
	/* Steps per map pair before it is closed and another created. */
	unsigned int steps_per_map;
};

extern const struct diff_profile diff_array_profile;
extern const struct diff_profile diff_percpu_array_profile;
extern const struct diff_profile diff_queue_profile;
extern const struct diff_profile diff_stack_profile;
extern const struct diff_profile diff_ringbuf_profile;
extern const struct diff_profile diff_perf_event_array_profile;
extern const struct diff_profile diff_hash_profile;
extern const struct diff_profile diff_percpu_hash_profile;
extern const struct diff_profile diff_lru_hash_profile;
extern const struct diff_profile diff_lru_percpu_hash_profile;

/* The engine (diff_main.c). */
int diff_nr_cpus(void);
struct diff_res diff_call(int b, int cmd, union bpf_attr *attr);
void diff_begin(struct diff_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diff_mismatch(struct diff_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same return (any fd counts as equal to any fd when @fds) and errno. */
bool diff_same_res(struct diff_ctx *ctx, const char *what, struct diff_res r[2],
		   bool fds);
bool diff_same_bytes(struct diff_ctx *ctx, const char *what, const void *k,
		     const void *b, size_t len);

/* Shared operations (diff_ops.c), each one counted operation. */
void diff_op_lookup(struct diff_ctx *ctx, struct diff_map *m, const void *key);
void diff_op_update(struct diff_ctx *ctx, struct diff_map *m, const void *key,
		    const void *value, uint64_t flags);
void diff_op_delete(struct diff_ctx *ctx, struct diff_map *m, const void *key);
void diff_op_lookup_and_delete(struct diff_ctx *ctx, struct diff_map *m,
			       const void *key, uint64_t flags);
/* get_next_key, comparing the key returned (ordered maps only). */
void diff_op_next_key_exact(struct diff_ctx *ctx, struct diff_map *m,
			    const void *key);
void diff_op_freeze(struct diff_ctx *ctx, struct diff_map *m);
void diff_op_info(struct diff_ctx *ctx, struct diff_map *m, bool random_len);
/* Element commands with NULL or unmapped pointers and bad flags. */
void diff_op_bad_input(struct diff_ctx *ctx, struct diff_map *m);
/* The same, with @key (key_size bytes) where a valid key goes. */
void diff_op_bad_input_key(struct diff_ctx *ctx, struct diff_map *m,
			   const void *key);
/* A batch command on random keys or a random cursor (ordered maps). */
void diff_op_batch_exact(struct diff_ctx *ctx, struct diff_map *m, int cmd,
			 const void *keys, uint32_t nkeys);
/* mmap() with random length, offset and protection, contents compared. */
void diff_op_mmap(struct diff_ctx *ctx, struct diff_map *m);

/* Random draws shared by the profiles. */
void diff_gen_name(struct diff_ctx *ctx, union bpf_attr *attr);
uint64_t diff_gen_update_flags(struct diff_ctx *ctx);

#endif /* KBPF_DIFF_H */
