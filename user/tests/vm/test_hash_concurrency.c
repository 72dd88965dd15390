// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Several threads updating, deleting, looking up and iterating one map of
 * the hash family at once, on the kernel's bpf(2) (the reference: every
 * check must hold there, which shows it is fair) and on /dev/kbpf.
 *
 * Writers own disjoint key ranges and keep a model of their keys (present
 * or not, and the version of the last value written).  A value encodes
 * its key, its owner, a version that is new for every write, and (per-cpu
 * maps) the CPU slot, and the rest of its bytes follow from those, so a
 * torn or stray value shows; each writer logs which key each of its
 * versions is for before the write is issued, so a reader can tell a
 * value the owner could have written from any other.
 *
 * What may be asserted, and what may not.  Elements are recycled at once
 * in both implementations (preallocated free lists, LRU eviction, the
 * kernel's bpf_mem_alloc), and bpf(2) lookups and get_next_key read
 * without locks, so a lock-free read that races a delete or an eviction
 * may see another key's bytes, and a per-cpu value updated in place may be
 * read half old, half new.  So:
 *   - values read concurrently are checked from lookup_batch (both copy a
 *     bucket under its lock), from a writer's own lookups of its own keys
 *     (nobody else can remove or recycle them; for LRU an eviction can,
 *     so there a wrong value counts only if the key is still there when
 *     looked up again), from lookup_and_delete (under the bucket lock),
 *     and from lookups of sentinels nobody ever writes;
 *   - concurrent get_next_key walks are checked only for returning keys of
 *     the universe (a walk may restart or skip under recycling);
 *   - after the threads join, the map must equal the union of the models
 *     (walk, lookups, lookup_batch, then lookup_and_delete_batch).
 *
 * Workloads, per map type:
 *   exact     4 writers x 96 keys and 32 sentinels, 2 readers walking,
 *             batch-reading and looking up; everything checked exactly.
 *   hot keys  the same with 2 keys per writer: short batch passes that
 *             often overlap an in-place per-cpu update.
 *   drain     writers insert each key once and act on it again a few keys
 *             later while 2 drainers empty the map with
 *             lookup_and_delete_batch: each key must be taken once (with
 *             the value it had then) or left.
 *   eviction  (LRU) 4 x max_entries keys: at the end any subset of at most
 *             max_entries keys, each with the last value its owner wrote;
 *             a key its owner deleted, or saw gone, never comes back.
 *   full      (not LRU) max_entries 64: concurrent fill takes exactly
 *             max_entries new keys (nothing is freed meanwhile, so a free
 *             list that ran dry stays dry); on the full map replacing is
 *             never refused and new keys get E2BIG; under churn a lower
 *             bound on the element count (inserts counted once done,
 *             deletes before they start) never exceeds max_entries.
 *             BPF_F_NO_PREALLOC: the kernel checks its count, then raises
 *             it, so each writer but one may pass max_entries once.
 * LRU without eviction (exact, hot keys, drain): the distinct keys, plus
 * two in flight per writer, stay within max_entries - 128 * (possible
 * CPUs + 1) and within max_entries / possible CPUs.  The kernel's common
 * LRU evicts only when a CPU finds its local free list empty and fewer
 * than its target (at most LOCAL_FREE_TARGET, 128) free on the global
 * list, and a CPU's local free and pending lists together hold at most
 * that target; with BPF_F_NO_COMMON_LRU a CPU's list evicts only when it
 * has no free element.  So neither implementation evicts there.
 *
 * Fixed seeds; KBPF_CONC_OPS sets the operations per writer (default
 * 2000).  One ok/not ok line per property, map type and backend.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <abpf/abpf.h>

#include "../tap.h"

#define NW		4	/* writers, each owning its keys */
#define NR		2	/* readers (drainers in the drain workload) */
#define NSENT		32	/* sentinels: inserted first, never touched */
#define KEY_SIZE	8
#define VALUE_SIZE	252	/* not a multiple of 8, and long to copy */
#define SLOT		256	/* round_up(VALUE_SIZE, 8): one CPU's value */
#define GUARD		16
#define GUARD_BYTE	0xa5
#define PAD_BYTE	0x5a
#define SENT_OWNER	0xffu
#define SENT_VER	0u
#define MAX_BATCH	8	/* keys in one update_batch or delete_batch */
#define MAX_CAP		1024	/* the largest lookup_batch count asked for */
#define LRU_TARGET	128	/* the kernel's LOCAL_FREE_TARGET */
#define EXACT_KPW	96	/* keys per writer, exact and drain workloads */
#define HOT_KPW		2	/* keys per writer, hot-keys workload... */
#define HOT_SENT	8	/* ...and its sentinels */
#define EVICT_MAX	128	/* max_entries of the eviction workload */
#define EVICT_KPW	128	/* keys per writer there: 4 x max_entries */
#define FULL_MAX	64	/* max_entries of the full-map workload */
#define FULL_KPW	48	/* keys per writer there: 3 x max_entries */
#define DRAIN_LAG	6	/* keys between an insert and its follow-up */
#define DRAIN_ROUNDS	3

struct hkey {
	uint32_t id, tag;
};

/* A value's head; the rest of its VALUE_SIZE bytes follow from the head. */
struct hval {
	uint32_t id, ver, owner, slot, sum;
};

#define FILL_WORDS ((VALUE_SIZE - sizeof(struct hval)) / 4)

_Static_assert(sizeof(struct hkey) == KEY_SIZE, "key layout");
_Static_assert(VALUE_SIZE % 4 == 0 && VALUE_SIZE % 8 && SLOT % 8 == 0 &&
	       SLOT - VALUE_SIZE < 8, "value layout");

static const struct abpf_sys *B;
static const char *bname;
static int ncpus;
static uint32_t ops_per_writer = 2000;

/* Results, collected from any thread and reported from the main one. */

enum {
	P_OWN, P_WALK, P_BATCH, P_SENT, P_FINAL, P_DRAINED,
	P_CONSERVE, P_FILL, P_REPLACE, P_CHURN, P_COUNT
};

#define PROP_MSGS 6

struct prop {
	atomic_long fails;
	int nmsg;
	char msg[PROP_MSGS][256];
};

static pthread_mutex_t prop_mutex = PTHREAD_MUTEX_INITIALIZER;

static void __attribute__((format(printf, 2, 3)))
prop_fail(struct prop *p, const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&p->fails, 1);
	pthread_mutex_lock(&prop_mutex);
	if (p->nmsg < PROP_MSGS) {
		va_start(ap, fmt);
		vsnprintf(p->msg[p->nmsg++], sizeof(p->msg[0]), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&prop_mutex);
}

static void prop_report(struct prop *p, const char *what, const char *name)
{
	long n = atomic_load(&p->fails);
	char line[320];
	int i;

	for (i = 0; i < p->nmsg; i++)
		printf("#   %s\n", p->msg[i]);
	if (n > p->nmsg)
		printf("#   (%ld failures in all)\n", n);
	if (n)
		tap_cur_failures++;
	snprintf(line, sizeof(line), "hash_conc: [%s] %s: %s", bname, what, name);
	tap_report(line);
}

static const char *errname(int err)
{
	const char *s;

	if (!err)
		return "0";
	s = strerrorname_np(err < 0 ? -err : err);
	return s ? s : "?";
}

/* Fixed-seed xorshift64*. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint32_t below(uint64_t *s, uint32_t n)
{
	return (uint32_t)((rnd(s) >> 32) % n);
}

static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The system calls, returning 0 (or an fd) or -errno. */

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int xbpf(int cmd, union bpf_attr *a)
{
	long ret = B->bpf(cmd, a, sizeof(*a));

	return ret < 0 ? -*B->errno_location() : (int)ret;
}

static int m_update(int fd, const void *k, const void *v, uint64_t flags)
{
	union bpf_attr a = {};

	a.map_fd = fd;
	a.key = ptr(k);
	a.value = ptr(v);
	a.flags = flags;
	return xbpf(BPF_MAP_UPDATE_ELEM, &a);
}

static int m_key_cmd(int cmd, int fd, const void *k, void *v)
{
	union bpf_attr a = {};

	a.map_fd = fd;
	a.key = ptr(k);
	a.value = ptr(v);
	return xbpf(cmd, &a);
}

static int m_lookup(int fd, const void *k, void *v)
{
	return m_key_cmd(BPF_MAP_LOOKUP_ELEM, fd, k, v);
}

static int m_lookup_and_delete(int fd, const void *k, void *v)
{
	return m_key_cmd(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, k, v);
}

static int m_delete(int fd, const void *k)
{
	return m_key_cmd(BPF_MAP_DELETE_ELEM, fd, k, NULL);
}

static int m_next(int fd, const void *k, void *next)
{
	union bpf_attr a = {};

	a.map_fd = fd;
	a.key = ptr(k);
	a.next_key = ptr(next);
	return xbpf(BPF_MAP_GET_NEXT_KEY, &a);
}

static int m_batch(int cmd, int fd, const void *in, void *out, void *keys,
		   void *vals, uint32_t *count)
{
	union bpf_attr a = {};
	int err;

	a.batch.map_fd = fd;
	a.batch.in_batch = ptr(in);
	a.batch.out_batch = ptr(out);
	a.batch.keys = ptr(keys);
	a.batch.values = ptr(vals);
	a.batch.count = *count;
	err = xbpf(cmd, &a);
	*count = a.batch.count;
	return err;
}

/* Keys, values and what the writers may have written. */

struct variant {
	const char *name;
	uint32_t type, flags;
};

static const struct variant variants[] = {
	{ "HASH", BPF_MAP_TYPE_HASH, 0 },
	{ "HASH no_prealloc", BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC },
	{ "PERCPU_HASH", BPF_MAP_TYPE_PERCPU_HASH, 0 },
	{ "PERCPU_HASH no_prealloc", BPF_MAP_TYPE_PERCPU_HASH, BPF_F_NO_PREALLOC },
	{ "LRU_HASH", BPF_MAP_TYPE_LRU_HASH, 0 },
	{ "LRU_HASH no_common_lru", BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU },
	{ "LRU_PERCPU_HASH", BPF_MAP_TYPE_LRU_PERCPU_HASH, 0 },
	{ "LRU_PERCPU_HASH no_common_lru", BPF_MAP_TYPE_LRU_PERCPU_HASH,
	  BPF_F_NO_COMMON_LRU },
};

enum mode { MODE_EXACT, MODE_EVICT, MODE_DRAIN, MODE_FULL };

struct wstats {
	unsigned long update, upd_batch, upd_batch_elems, del, del_batch,
		      del_batch_elems, lookup, lad, refused, e2big, gone, raced;
};

struct rstats {
	unsigned long walks, walks_done, walk_keys, passes, passes_live,
		      batch_elems, sent_lookups, lookups;
};

struct run;

struct writer {
	struct run *r;
	int idx;
	pthread_t th;
	uint64_t rng;
	uint32_t first, n;	/* owns ids first .. first + n - 1 */
	uint8_t *present;	/* the model (EVICT: may still be there) */
	uint32_t *ver;		/* the version of the value it holds */
	uint32_t *log;		/* log[v]: the id version v went to */
	uint32_t log_cap, next_ver;
	atomic_uint issued;	/* log[] is written below this */
	bool saw_e2big;
	/* the drain workload: per key */
	uint8_t *fop;
	int *fres;
	uint32_t *v1, *v2;
	uint8_t *buf;		/* values: MAX_BATCH of them and a guard */
	struct hkey keys[MAX_BATCH];
	struct wstats st;
};

struct drained {
	uint32_t id, ver;
};

struct reader {
	struct run *r;
	int idx;
	pthread_t th;
	uint64_t rng;
	uint8_t *seen;		/* ids seen in this pass */
	struct hkey *keys;	/* MAX_CAP keys and a guard */
	uint8_t *vals;		/* MAX_CAP values and a guard */
	uint8_t *val;		/* one value and a guard */
	struct drained *drained;
	uint32_t ndrained, drained_cap;
	struct rstats st;
};

struct run {
	const struct variant *v;
	int vi;
	enum mode mode;
	bool percpu, lru;
	int fd;
	uint32_t max_entries, kpw, nids, nsent, vsz, ops;
	struct writer w[NW];
	struct reader rd[NR];
	atomic_int writers_left;
	atomic_long level;	/* full map: a lower bound on its elements */
	uint32_t slack;		/* full map: how far past max_entries it may go */
	pthread_barrier_t start;
	struct prop props[P_COUNT];
};

static struct hkey mkkey(uint32_t id)
{
	return (struct hkey){ id, mix32(id ^ 0x6b627066U) };
}

static bool key_ok(const struct run *r, const struct hkey *k)
{
	return k->id < r->nids && k->tag == mkkey(k->id).tag;
}

static uint32_t owner_of(const struct run *r, uint32_t id)
{
	return id < NW * r->kpw ? id / r->kpw : SENT_OWNER;
}

static uint32_t val_sum(const struct hval *hv)
{
	return mix32(hv->id ^ mix32(hv->ver ^ mix32(hv->owner ^
		     mix32(hv->slot ^ 0xb1e55edU))));
}

static uint32_t nslots(const struct run *r)
{
	return r->percpu ? (uint32_t)ncpus : 1;
}

static void make_value(const struct run *r, void *buf, uint32_t id,
		       uint32_t ver, uint32_t owner)
{
	uint8_t *p = buf;
	uint32_t s;

	for (s = 0; s < nslots(r); s++, p += SLOT) {
		struct hval hv = { id, ver, owner, r->percpu ? s : 0xffffU, 0 };
		uint32_t i, fill;

		hv.sum = val_sum(&hv);
		memcpy(p, &hv, sizeof(hv));
		for (i = 0; i < FILL_WORDS; i++) {
			fill = mix32(hv.sum + i);
			memcpy(p + sizeof(hv) + 4 * i, &fill, 4);
		}
		if (r->percpu)
			memset(p + VALUE_SIZE, PAD_BYTE, SLOT - VALUE_SIZE);
	}
}

/* True if every CPU's slot holds one well-formed value, left in *out. */
static bool read_value(const struct run *r, const void *buf, struct hval *out)
{
	const uint8_t *p = buf;
	uint32_t s, i, fill;
	struct hval hv;

	for (s = 0; s < nslots(r); s++) {
		memcpy(&hv, p + (size_t)s * SLOT, sizeof(hv));
		if (hv.sum != val_sum(&hv) || hv.slot != (r->percpu ? s : 0xffffU))
			return false;
		for (i = 0; i < FILL_WORDS; i++) {
			memcpy(&fill, p + (size_t)s * SLOT + sizeof(hv) + 4 * i, 4);
			if (fill != mix32(hv.sum + i))
				return false;
		}
		/* bpf(2) moves whole 8-byte slots, the padding too. */
		for (i = VALUE_SIZE; r->percpu && i < SLOT; i++)
			if (p[(size_t)s * SLOT + i] != PAD_BYTE)
				return false;
		if (!s)
			*out = hv;
		else if (hv.id != out->id || hv.ver != out->ver || hv.owner != out->owner)
			return false;
	}
	return true;
}

static bool value_is(const struct run *r, const void *buf, uint32_t id,
		     uint32_t ver, uint32_t owner)
{
	struct hval hv;

	return read_value(r, buf, &hv) && hv.id == id && hv.ver == ver &&
	       hv.owner == owner;
}

/* What a value decodes to, for messages. */
static const char *describe(const struct run *r, const void *buf, char *s, size_t n)
{
	struct hval hv;

	if (read_value(r, buf, &hv)) {
		snprintf(s, n, "id %u version %u owner %u", hv.id, hv.ver, hv.owner);
	} else {
		memcpy(&hv, buf, sizeof(hv));
		snprintf(s, n, "a malformed value (slot 0: id %u version %u owner %u "
			 "slot %#x)", hv.id, hv.ver, hv.owner, hv.slot);
	}
	return s;
}

/* Could @id's owner have written @hv (or is it the sentinel's value)? */
static bool could_have_written(struct run *r, uint32_t id, const struct hval *hv)
{
	struct writer *w;
	uint32_t issued;

	if (hv->id != id || hv->owner != owner_of(r, id))
		return false;
	if (hv->owner == SENT_OWNER)
		return hv->ver == SENT_VER;
	w = &r->w[hv->owner];
	issued = atomic_load_explicit(&w->issued, memory_order_acquire);
	return hv->ver >= 1 && hv->ver < issued && w->log[hv->ver] == id;
}

/* A new version for @id, logged before anything is written with it. */
static uint32_t new_version(struct writer *w, uint32_t id)
{
	uint32_t v = w->next_ver++;

	if (v >= w->log_cap) {
		fprintf(stderr, "test_hash_concurrency: version log overflow\n");
		abort();
	}
	w->log[v] = id;
	atomic_store_explicit(&w->issued, v + 1, memory_order_release);
	return v;
}

static void guard_set(void *buf, size_t len)
{
	memset((uint8_t *)buf + len, GUARD_BYTE, GUARD);
}

static bool guard_ok(const void *buf, size_t len)
{
	const uint8_t *p = (const uint8_t *)buf + len;
	int i;

	for (i = 0; i < GUARD; i++)
		if (p[i] != GUARD_BYTE)
			return false;
	return true;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "test_hash_concurrency: out of memory\n");
		abort();
	}
	return p;
}

static bool is_sentinel(const struct run *r, uint32_t id)
{
	return id >= NW * r->kpw && id < r->nids;
}

static int create_map(const struct variant *v, uint32_t max_entries)
{
	union bpf_attr a = {};

	a.map_type = v->type;
	a.key_size = KEY_SIZE;
	a.value_size = VALUE_SIZE;
	a.max_entries = max_entries;
	a.map_flags = v->flags;
	strncpy(a.map_name, "hash_conc", sizeof(a.map_name) - 1);
	return xbpf(BPF_MAP_CREATE, &a);
}

/* Set up a run: the map, the writers' models and logs, the readers. */
static int run_init(struct run *r, int vi, enum mode mode, uint32_t max_entries,
		    uint32_t kpw, uint32_t nsent, uint32_t ops)
{
	const struct variant *v = &variants[vi];
	int i;

	memset(r, 0, sizeof(*r));
	r->v = v;
	r->vi = vi;
	r->mode = mode;
	r->percpu = v->type == BPF_MAP_TYPE_PERCPU_HASH ||
		    v->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	r->lru = v->type == BPF_MAP_TYPE_LRU_HASH ||
		 v->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	r->max_entries = max_entries;
	r->kpw = kpw;
	r->nsent = nsent;
	r->nids = NW * kpw + nsent;
	r->vsz = r->percpu ? SLOT * (uint32_t)ncpus : VALUE_SIZE;
	r->ops = ops;
	for (i = 0; i < NW; i++) {
		struct writer *w = &r->w[i];

		w->r = r;
		w->idx = i;
		w->rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)vi << 40) ^
			 ((uint64_t)mode << 32) ^ ((uint64_t)kpw << 48) ^
			 (uint64_t)(i + 1) * 0x100000001b3ULL;
		w->first = i * kpw;
		w->n = kpw;
		w->present = xcalloc(kpw, 1);
		w->ver = xcalloc(kpw, sizeof(*w->ver));
		w->fop = xcalloc(kpw, 1);
		w->fres = xcalloc(kpw, sizeof(*w->fres));
		w->v1 = xcalloc(kpw, sizeof(*w->v1));
		w->v2 = xcalloc(kpw, sizeof(*w->v2));
		w->log_cap = ops * (MAX_BATCH + 1) + kpw * 2 * DRAIN_ROUNDS + 16;
		w->log = xcalloc(w->log_cap, sizeof(*w->log));
		w->next_ver = 1;
		atomic_store(&w->issued, 1);
		w->buf = xcalloc(1, (size_t)MAX_BATCH * r->vsz + GUARD);
	}
	for (i = 0; i < NR; i++) {
		struct reader *rd = &r->rd[i];

		rd->r = r;
		rd->idx = i;
		rd->rng = 0xc2b2ae3d27d4eb4fULL ^ ((uint64_t)vi << 40) ^
			  ((uint64_t)mode << 32) ^ ((uint64_t)kpw << 48) ^
			  (uint64_t)(i + 1) * 0x9e3779b1ULL;
		rd->seen = xcalloc(r->nids, 1);
		rd->keys = xcalloc(1, (size_t)MAX_CAP * KEY_SIZE + GUARD);
		rd->vals = xcalloc(1, (size_t)MAX_CAP * r->vsz + GUARD);
		rd->val = xcalloc(1, r->vsz + GUARD);
		rd->drained_cap = r->nids * 4;
		rd->drained = xcalloc(rd->drained_cap, sizeof(*rd->drained));
	}
	r->fd = create_map(v, max_entries);
	return r->fd;
}

static void run_free(struct run *r)
{
	int i;

	if (r->fd >= 0)
		close(r->fd);
	for (i = 0; i < NW; i++) {
		struct writer *w = &r->w[i];

		free(w->present);
		free(w->ver);
		free(w->fop);
		free(w->fres);
		free(w->v1);
		free(w->v2);
		free(w->log);
		free(w->buf);
	}
	for (i = 0; i < NR; i++) {
		free(r->rd[i].seen);
		free(r->rd[i].keys);
		free(r->rd[i].vals);
		free(r->rd[i].val);
		free(r->rd[i].drained);
	}
}

/* Start @nw writers running @wfn and @nr readers running @rfn; wait for all. */
static void run_threads(struct run *r, int nw, void *(*wfn)(void *), int nr,
			void *(*rfn)(void *))
{
	int i;

	atomic_store(&r->writers_left, nw);
	pthread_barrier_init(&r->start, NULL, nw + nr);
	for (i = 0; i < nw; i++)
		if (pthread_create(&r->w[i].th, NULL, wfn, &r->w[i]))
			abort();
	for (i = 0; i < nr; i++)
		if (pthread_create(&r->rd[i].th, NULL, rfn, &r->rd[i]))
			abort();
	for (i = 0; i < nw; i++)
		pthread_join(r->w[i].th, NULL);
	for (i = 0; i < nr; i++)
		pthread_join(r->rd[i].th, NULL);
	pthread_barrier_destroy(&r->start);
}

/* Batch passes: one BPF_MAP_LOOKUP_BATCH (or ..._AND_DELETE_) pass. */

typedef void (*batch_fn)(void *ctx, const struct hkey *k, const void *val);

/*
 * Walk the whole map by batch, @cap elements a call at first (doubled on
 * ENOSPC), calling @fn for each element.  Returns 0 when the pass ended
 * with ENOENT; anything else is reported to @p.
 */
static int batch_pass(struct run *r, int cmd, uint32_t cap, struct hkey *keys,
		      uint8_t *vals, struct prop *p, const char *who,
		      batch_fn fn, void *ctx)
{
	uint32_t in = 0, out = 0, count, calls = 0, i;
	bool first = true;
	int err;

	for (;;) {
		if (++calls > 4 * r->max_entries + 64) {
			prop_fail(p, "%s: batch pass did not end after %u calls", who, calls);
			return -EIO;
		}
		count = cap;
		guard_set(keys, (size_t)cap * KEY_SIZE);
		guard_set(vals, (size_t)cap * r->vsz);
		err = m_batch(cmd, r->fd, first ? NULL : &in, &out, keys, vals, &count);
		if (!guard_ok(keys, (size_t)cap * KEY_SIZE) ||
		    !guard_ok(vals, (size_t)cap * r->vsz))
			prop_fail(p, "%s: batch of count %u wrote past its buffers", who, cap);
		if (err == -ENOSPC && !count && cap < MAX_CAP) {
			cap *= 2;
			continue;
		}
		if (err && err != -ENOENT) {
			prop_fail(p, "%s: batch (count %u) failed with %s", who, cap, errname(err));
			return err;
		}
		if (count > cap || (!err && !count)) {
			prop_fail(p, "%s: batch of count %u returned %d with count %u",
				  who, cap, err, count);
			return -EIO;
		}
		for (i = 0; i < count; i++)
			fn(ctx, &keys[i], vals + (size_t)i * r->vsz);
		if (err == -ENOENT)
			return 0;
		in = out;
		first = false;
	}
}

/* The exact and eviction workloads: writers. */

#define OWN_FAIL(w, fmt, ...) \
	prop_fail(&(w)->r->props[P_OWN], "writer %d: " fmt, (w)->idx, ##__VA_ARGS__)

static void w_update(struct writer *w, uint32_t j, uint64_t flags)
{
	struct run *r = w->r;
	uint32_t id = w->first + j, v = new_version(w, id);
	struct hkey k = mkkey(id);
	bool was = w->present[j];
	int err, want;

	make_value(r, w->buf, id, v, w->idx);
	err = m_update(r->fd, &k, w->buf, flags);
	w->st.update++;
	if (r->mode == MODE_EXACT) {
		want = flags == BPF_NOEXIST && was ? -EEXIST :
		       flags == BPF_EXIST && !was ? -ENOENT : 0;
		if (err != want)
			OWN_FAIL(w, "update %u (flags %llu, %s): %s, the model says %s",
				 id, (unsigned long long)flags, was ? "present" : "absent",
				 errname(err), errname(want));
		if (err)
			w->st.refused++;
		else
			w->present[j] = 1, w->ver[j] = v;
		return;
	}
	/* Eviction may have taken the key since the model last saw it. */
	if (!err) {
		if (flags == BPF_NOEXIST && was)
			w->st.gone++;
		w->present[j] = 1;
		w->ver[j] = v;
	} else if (err == -EEXIST && flags == BPF_NOEXIST && was) {
		w->st.refused++;
	} else if (err == -ENOENT && flags == BPF_EXIST) {
		w->st.refused++;
		w->st.gone += was;
		w->present[j] = 0;
	} else {
		OWN_FAIL(w, "update %u (flags %llu, %s): %s", id,
			 (unsigned long long)flags, was ? "maybe present" : "absent",
			 errname(err));
	}
}

static void w_lookup(struct writer *w, uint32_t j)
{
	struct run *r = w->r;
	uint32_t id = w->first + j;
	struct hkey k = mkkey(id);
	char d[96];
	int err;

	guard_set(w->buf, r->vsz);
	err = m_lookup(r->fd, &k, w->buf);
	w->st.lookup++;
	if (!guard_ok(w->buf, r->vsz))
		OWN_FAIL(w, "lookup %u wrote past the value", id);
	if (!w->present[j]) {
		if (err != -ENOENT)
			OWN_FAIL(w, "lookup %u: %s, but it is absent", id, errname(err));
		return;
	}
	if (!err && value_is(r, w->buf, id, w->ver[j], w->idx))
		return;
	if (r->mode == MODE_EXACT || (err && err != -ENOENT)) {
		OWN_FAIL(w, "lookup %u: %s, %s; the model says version %u", id,
			 errname(err), err ? "-" : describe(r, w->buf, d, sizeof(d)),
			 w->ver[j]);
		return;
	}
	if (err == -ENOENT) {		/* evicted */
		w->present[j] = 0;
		w->st.gone++;
		return;
	}
	/* Not the last value: only an eviction racing the copy explains it. */
	describe(r, w->buf, d, sizeof(d));
	err = m_lookup(r->fd, &k, w->buf);
	if (err == -ENOENT) {
		w->present[j] = 0;
		w->st.gone++;
		w->st.raced++;
		return;
	}
	OWN_FAIL(w, "lookup %u read %s, the model says version %u, and the key "
		 "is still there (%s)", id, d, w->ver[j], errname(err));
}

static void w_delete(struct writer *w, uint32_t j, bool and_lookup)
{
	struct run *r = w->r;
	uint32_t id = w->first + j;
	struct hkey k = mkkey(id);
	bool was = w->present[j];
	char d[96];
	int err;

	guard_set(w->buf, r->vsz);
	if (and_lookup) {
		err = m_lookup_and_delete(r->fd, &k, w->buf);
		w->st.lad++;
		if (!guard_ok(w->buf, r->vsz))
			OWN_FAIL(w, "lookup_and_delete %u wrote past the value", id);
	} else {
		err = m_delete(r->fd, &k);
		w->st.del++;
	}
	w->present[j] = 0;
	if (!err && !was)
		OWN_FAIL(w, "%s %u succeeded, but it is absent",
			 and_lookup ? "lookup_and_delete" : "delete", id);
	else if (!err && and_lookup && !value_is(r, w->buf, id, w->ver[j], w->idx))
		OWN_FAIL(w, "lookup_and_delete %u returned %s; the model says version %u",
			 id, describe(r, w->buf, d, sizeof(d)), w->ver[j]);
	else if (err == -ENOENT && was && r->mode == MODE_EVICT)
		w->st.gone++;
	else if (err && (err != -ENOENT || was))
		OWN_FAIL(w, "%s %u: %s, the model says %s",
			 and_lookup ? "lookup_and_delete" : "delete", id, errname(err),
			 was ? "present" : "absent");
}

static void w_update_batch(struct writer *w)
{
	struct run *r = w->r;
	uint32_t n = 1 + below(&w->rng, MAX_BATCH), js[MAX_BATCH], vs[MAX_BATCH];
	uint32_t i, count = n;
	int err;

	for (i = 0; i < n; i++) {
		js[i] = below(&w->rng, w->n);
		w->keys[i] = mkkey(w->first + js[i]);
		vs[i] = new_version(w, w->first + js[i]);
		make_value(r, w->buf + (size_t)i * r->vsz, w->first + js[i], vs[i], w->idx);
	}
	err = m_batch(BPF_MAP_UPDATE_BATCH, r->fd, NULL, NULL, w->keys, w->buf, &count);
	w->st.upd_batch++;
	w->st.upd_batch_elems += n;
	if (err || count != n) {
		OWN_FAIL(w, "update_batch of %u keys: %s, count %u", n, errname(err), count);
		if (count > n)
			count = 0;
	}
	for (i = 0; i < count; i++) {
		w->present[js[i]] = 1;
		w->ver[js[i]] = vs[i];
	}
}

/* Is js[pos] present after deleting js[0..pos) in order? */
static bool present_after(const struct writer *w, const uint32_t *js, uint32_t pos)
{
	uint32_t i;

	for (i = 0; i < pos; i++)
		if (js[i] == js[pos])
			return false;
	return w->present[js[pos]];
}

static void w_delete_batch(struct writer *w)
{
	struct run *r = w->r;
	uint32_t n = 1 + below(&w->rng, MAX_BATCH), js[MAX_BATCH];
	uint32_t i, count = n, want = n;
	int err;

	for (i = 0; i < n; i++) {
		js[i] = below(&w->rng, w->n);
		w->keys[i] = mkkey(w->first + js[i]);
	}
	for (i = 0; i < n && want == n; i++)
		if (!present_after(w, js, i))
			want = i;
	err = m_batch(BPF_MAP_DELETE_BATCH, r->fd, NULL, NULL, w->keys, NULL, &count);
	w->st.del_batch++;
	w->st.del_batch_elems += count;
	if (count > n) {
		OWN_FAIL(w, "delete_batch of %u keys: count %u", n, count);
		return;
	}
	if (r->mode == MODE_EXACT) {
		if (count != want || err != (want == n ? 0 : -ENOENT))
			OWN_FAIL(w, "delete_batch of %u keys: %s, count %u; the model "
				 "says %s, count %u", n, errname(err), count,
				 want == n ? "0" : "ENOENT", want);
	} else {
		/* What it deleted must have been there; where it stopped, gone. */
		if (count > want)
			OWN_FAIL(w, "delete_batch deleted %u keys, key %u of them absent",
				 count, w->first + js[want]);
		if (count < n && err != -ENOENT)
			OWN_FAIL(w, "delete_batch stopped at %u of %u with %s",
				 count, n, errname(err));
		if (count == n && err)
			OWN_FAIL(w, "delete_batch deleted all %u keys, but says %s",
				 n, errname(err));
		if (count < n && present_after(w, js, count))
			w->st.gone++;
	}
	for (i = 0; i < count; i++)
		w->present[js[i]] = 0;
	if (count < n && r->mode == MODE_EVICT)
		w->present[js[count]] = 0;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct run *r = w->r;
	uint32_t i, j, op;

	pthread_barrier_wait(&r->start);
	for (i = 0; i < r->ops; i++) {
		j = below(&w->rng, w->n);
		op = below(&w->rng, 100);
		if (op < 30)
			w_update(w, j, BPF_ANY);
		else if (op < 40)
			w_update(w, j, BPF_NOEXIST);
		else if (op < 50)
			w_update(w, j, BPF_EXIST);
		else if (op < 65)
			w_lookup(w, j);
		else if (op < 75)
			w_delete(w, j, false);
		else if (op < 83)
			w_delete(w, j, true);
		else if (op < 92)
			w_update_batch(w);
		else
			w_delete_batch(w);
	}
	atomic_fetch_sub(&r->writers_left, 1);
	return NULL;
}

/* The exact and eviction workloads: readers. */

static void walk_pass(struct reader *rd)
{
	struct run *r = rd->r;
	struct {
		struct hkey k;
		uint8_t guard[GUARD];
	} next;
	struct hkey cur = {};
	uint32_t steps;
	int err = 0;

	rd->st.walks++;
	for (steps = 0; steps < 4 * r->nids + 16; steps++) {
		guard_set(&next, KEY_SIZE);
		err = m_next(r->fd, steps ? &cur : NULL, &next.k);
		if (!guard_ok(&next, KEY_SIZE))
			prop_fail(&r->props[P_WALK], "reader %d: get_next_key wrote past the key",
				  rd->idx);
		if (err)
			break;
		if (!key_ok(r, &next.k)) {
			prop_fail(&r->props[P_WALK], "reader %d: get_next_key returned id %u "
				  "tag %#x, not a key of the universe", rd->idx, next.k.id,
				  next.k.tag);
			return;
		}
		rd->st.walk_keys++;
		cur = next.k;
	}
	if (err == -ENOENT)
		rd->st.walks_done++;
	else if (err)
		prop_fail(&r->props[P_WALK], "reader %d: get_next_key failed with %s",
			  rd->idx, errname(err));
}

struct rpass {
	struct reader *rd;
	struct prop *p;
	unsigned long n;
};

static void reader_batch_cb(void *ctx, const struct hkey *k, const void *val)
{
	struct rpass *c = ctx;
	struct reader *rd = c->rd;
	struct run *r = rd->r;
	struct hval hv;
	char d[96];

	c->n++;
	if (!key_ok(r, k)) {
		prop_fail(c->p, "reader %d: lookup_batch returned id %u tag %#x, not a "
			  "key of the universe", rd->idx, k->id, k->tag);
		return;
	}
	if (rd->seen[k->id]++)
		prop_fail(c->p, "reader %d: lookup_batch returned key %u twice in a pass",
			  rd->idx, k->id);
	if (!read_value(r, val, &hv) || !could_have_written(r, k->id, &hv))
		prop_fail(c->p, "reader %d: lookup_batch returned key %u with %s, not a "
			  "value its owner wrote for it", rd->idx, k->id,
			  describe(r, val, d, sizeof(d)));
}

static void reader_batch(struct reader *rd, bool live)
{
	static const uint32_t caps[] = { 1, 3, 8, 32, 256 };
	struct run *r = rd->r;
	struct rpass c = { rd, &r->props[P_BATCH], 0 };
	uint32_t id;

	memset(rd->seen, 0, r->nids);
	if (batch_pass(r, BPF_MAP_LOOKUP_BATCH, caps[below(&rd->rng, 5)], rd->keys,
		       rd->vals, c.p, "reader", reader_batch_cb, &c))
		return;
	rd->st.passes++;
	rd->st.passes_live += live;
	rd->st.batch_elems += c.n;
	for (id = NW * r->kpw; id < r->nids; id++)
		if (!rd->seen[id])
			prop_fail(c.p, "reader %d: a whole lookup_batch pass missed "
				  "sentinel %u", rd->idx, id);
}

static void reader_lookups(struct reader *rd)
{
	struct run *r = rd->r;
	struct hkey k;
	uint32_t i, id;
	char d[96];
	int err;

	for (i = 0; i < r->nsent; i += 4) {	/* a quarter of the sentinels */
		id = NW * r->kpw + (i + below(&rd->rng, 4)) % r->nsent;
		k = mkkey(id);
		guard_set(rd->val, r->vsz);
		err = m_lookup(r->fd, &k, rd->val);
		rd->st.sent_lookups++;
		if (err || !guard_ok(rd->val, r->vsz) ||
		    !value_is(r, rd->val, id, SENT_VER, SENT_OWNER))
			prop_fail(&r->props[P_SENT], "reader %d: lookup of sentinel %u: "
				  "%s, %s", rd->idx, id, errname(err),
				  err ? "-" : describe(r, rd->val, d, sizeof(d)));
	}
	/* Others' keys: a lock-free read can race recycling; only errors count. */
	for (i = 0; i < 8; i++) {
		id = below(&rd->rng, NW * r->kpw);
		k = mkkey(id);
		guard_set(rd->val, r->vsz);
		err = m_lookup(r->fd, &k, rd->val);
		rd->st.lookups++;
		if ((err && err != -ENOENT) || !guard_ok(rd->val, r->vsz))
			prop_fail(&r->props[P_SENT], "reader %d: lookup of %u: %s%s",
				  rd->idx, id, errname(err),
				  guard_ok(rd->val, r->vsz) ? "" : ", wrote past the value");
	}
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct run *r = rd->r;
	bool live;

	pthread_barrier_wait(&r->start);
	do {
		live = atomic_load(&r->writers_left) > 0;
		if (rd->idx == 0 || below(&rd->rng, 2))
			walk_pass(rd);
		reader_batch(rd, live);
		reader_lookups(rd);
	} while (atomic_load(&r->writers_left) > 0);
	return NULL;
}

/* Quiescent checks, after the threads joined. */

struct snap {
	uint8_t *n;		/* times each id was seen */
	uint8_t *val;		/* its value, as bpf(2) returned it */
	uint32_t total, bad;
	struct run *r;
	struct prop *p;
	const char *how;
};

static void snap_init(struct snap *s, struct run *r, struct prop *p, const char *how)
{
	s->r = r;
	s->p = p;
	s->how = how;
	s->n = xcalloc(r->nids, 1);
	s->val = xcalloc(r->nids, r->vsz);
	s->total = s->bad = 0;
}

static void snap_free(struct snap *s)
{
	free(s->n);
	free(s->val);
}

static void snap_add(void *ctx, const struct hkey *k, const void *val)
{
	struct snap *s = ctx;

	s->total++;
	if (!key_ok(s->r, k)) {
		if (!s->bad++)
			prop_fail(s->p, "%s returned id %u tag %#x, not a key of the universe",
				  s->how, k->id, k->tag);
		return;
	}
	if (s->n[k->id]++)
		prop_fail(s->p, "%s returned key %u twice", s->how, k->id);
	if (val)
		memcpy(s->val + (size_t)k->id * s->r->vsz, val, s->r->vsz);
}

/* Every key by get_next_key, each looked up; returns false on failure. */
static bool snap_walk(struct snap *s)
{
	struct run *r = s->r;
	struct hkey cur = {}, next;
	uint32_t steps, id;
	int err = 0;

	for (steps = 0; steps <= r->nids + 1; steps++) {
		err = m_next(r->fd, steps ? &cur : NULL, &next);
		if (err)
			break;
		snap_add(s, &next, NULL);
		cur = next;
	}
	if (err != -ENOENT) {
		prop_fail(s->p, "walk: get_next_key ended with %s after %u keys",
			  errname(err), steps);
		return false;
	}
	for (id = 0; id < r->nids; id++) {
		struct hkey k = mkkey(id);
		uint8_t *v = s->val + (size_t)id * r->vsz;

		err = m_lookup(r->fd, &k, v);
		if (err != (s->n[id] ? 0 : -ENOENT))
			prop_fail(s->p, "lookup %u: %s, but the walk %s it", id, errname(err),
				  s->n[id] ? "returned" : "did not return");
	}
	return true;
}

static bool snap_batch(struct snap *s, int cmd, uint32_t cap)
{
	struct reader *rd = &s->r->rd[0];

	return !batch_pass(s->r, cmd, cap, rd->keys, rd->vals, s->p, s->how, snap_add, s);
}

/* @s against the models: equal (exact) or a subset of what may be there. */
static void snap_vs_models(struct snap *s, bool exact)
{
	struct run *r = s->r;
	uint32_t id, ver, owner;
	bool want;
	char d[96];

	if (s->total > r->max_entries + r->slack)
		prop_fail(s->p, "%s: %u keys, max_entries is %u", s->how, s->total,
			  r->max_entries);
	for (id = 0; id < r->nids; id++) {
		const uint8_t *v = s->val + (size_t)id * r->vsz;

		if (is_sentinel(r, id)) {
			want = true;
			ver = SENT_VER;
			owner = SENT_OWNER;
		} else {
			owner = owner_of(r, id);
			want = r->w[owner].present[id - r->w[owner].first];
			ver = r->w[owner].ver[id - r->w[owner].first];
		}
		if (s->n[id] && !want)
			prop_fail(s->p, "%s: key %u is there, its owner's model says it "
				  "is %s", s->how, id, exact ? "absent" : "deleted");
		else if (!s->n[id] && want && exact)
			prop_fail(s->p, "%s: key %u is missing, the model says version %u",
				  s->how, id, ver);
		else if (s->n[id] && !value_is(r, v, id, ver, owner))
			prop_fail(s->p, "%s: key %u holds %s, the model says version %u",
				  s->how, id, describe(r, v, d, sizeof(d)), ver);
	}
}

/* The same keys and bytes in two snapshots. */
static void snap_same(struct snap *a, const struct snap *b)
{
	uint32_t id;

	for (id = 0; id < a->r->nids; id++) {
		if (a->n[id] != b->n[id])
			prop_fail(a->p, "%s has key %u %u times, %s %u times", a->how, id,
				  a->n[id], b->how, b->n[id]);
		else if (a->n[id] && memcmp(a->val + (size_t)id * a->r->vsz,
					    b->val + (size_t)id * a->r->vsz, a->r->vsz))
			prop_fail(a->p, "%s and %s differ in key %u's value", a->how,
				  b->how, id);
	}
}

static void check_empty(struct run *r, struct prop *p)
{
	struct hkey next;
	uint32_t id;
	int err;

	err = m_next(r->fd, NULL, &next);
	if (err != -ENOENT)
		prop_fail(p, "after the drain, get_next_key(NULL): %s (id %u)",
			  errname(err), err ? 0 : next.id);
	for (id = 0; id < r->nids; id++) {
		struct hkey k = mkkey(id);

		err = m_lookup(r->fd, &k, r->rd[0].val);
		if (err != -ENOENT) {
			prop_fail(p, "after the drain, lookup %u: %s", id, errname(err));
			break;
		}
	}
}

static void final_checks(struct run *r)
{
	bool exact = r->mode == MODE_EXACT;
	struct snap walk, batch, drain;

	snap_init(&walk, r, &r->props[P_FINAL], "walk");
	snap_init(&batch, r, &r->props[P_FINAL], "lookup_batch");
	snap_init(&drain, r, &r->props[P_DRAINED], "lookup_and_delete_batch");
	if (snap_walk(&walk))
		snap_vs_models(&walk, exact);
	if (snap_batch(&batch, BPF_MAP_LOOKUP_BATCH, 7)) {
		snap_vs_models(&batch, exact);
		snap_same(&batch, &walk);
	}
	if (snap_batch(&drain, BPF_MAP_LOOKUP_AND_DELETE_BATCH, 5)) {
		snap_vs_models(&drain, exact);
		snap_same(&drain, &walk);
	}
	check_empty(r, &r->props[P_DRAINED]);
	snap_free(&walk);
	snap_free(&batch);
	snap_free(&drain);
}

static void print_stats(struct run *r, const char *what, double secs)
{
	struct wstats w = {};
	struct rstats s = {};
	int i;

	for (i = 0; i < NW; i++) {
		w.update += r->w[i].st.update;
		w.upd_batch += r->w[i].st.upd_batch;
		w.upd_batch_elems += r->w[i].st.upd_batch_elems;
		w.del += r->w[i].st.del;
		w.del_batch += r->w[i].st.del_batch;
		w.del_batch_elems += r->w[i].st.del_batch_elems;
		w.lookup += r->w[i].st.lookup;
		w.lad += r->w[i].st.lad;
		w.refused += r->w[i].st.refused;
		w.e2big += r->w[i].st.e2big;
		w.gone += r->w[i].st.gone;
		w.raced += r->w[i].st.raced;
	}
	for (i = 0; i < NR; i++) {
		s.walks += r->rd[i].st.walks;
		s.walks_done += r->rd[i].st.walks_done;
		s.walk_keys += r->rd[i].st.walk_keys;
		s.passes += r->rd[i].st.passes;
		s.passes_live += r->rd[i].st.passes_live;
		s.batch_elems += r->rd[i].st.batch_elems;
		s.sent_lookups += r->rd[i].st.sent_lookups;
		s.lookups += r->rd[i].st.lookups;
	}
	printf("# [%s] %s %s: %.2f s; %d writers: %lu updates, %lu "
	       "update_batch (%lu keys), %lu deletes, %lu delete_batch (%lu keys), "
	       "%lu lookup_and_delete, %lu lookups, %lu refused by flags, %lu E2BIG, "
	       "%lu seen evicted (%lu mid-lookup); readers: %lu walks (%lu to the "
	       "end, %lu keys), %lu batch passes (%lu while writing, %lu elements), "
	       "%lu sentinel lookups, %lu other lookups\n",
	       bname, r->v->name, what, secs, NW, w.update, w.upd_batch,
	       w.upd_batch_elems, w.del, w.del_batch, w.del_batch_elems, w.lad,
	       w.lookup, w.refused, w.e2big, w.gone, w.raced, s.walks, s.walks_done,
	       s.walk_keys, s.passes, s.passes_live, s.batch_elems, s.sent_lookups,
	       s.lookups);
}

static void report(struct run *r, const char *what, const int *which, int n,
		   const char *const *names)
{
	int i;

	for (i = 0; i < n; i++) {
		char label[128];

		snprintf(label, sizeof(label), "%s %s", r->v->name, what);
		prop_report(&r->props[which[i]], label, names[i]);
	}
}

/* A map that could not be made fails every property of its workload. */
static bool created(struct run *r, const char *what, const int *which, int n,
		    const char *const *names)
{
	if (r->fd >= 0)
		return true;
	prop_fail(&r->props[which[0]], "BPF_MAP_CREATE (%s, max_entries %u): %s",
		  r->v->name, r->max_entries, errname(r->fd));
	for (int i = 1; i < n; i++)
		prop_fail(&r->props[which[i]], "no map");
	report(r, what, which, n, names);
	return false;
}

/* max_entries for which neither LRU can evict D keys plus those in flight. */
static uint32_t no_evict_max_entries(uint32_t d)
{
	uint32_t m = 1024, need = d + 2 * NW;

	while (need + LRU_TARGET * ((uint32_t)ncpus + 1) > m || need > m / (uint32_t)ncpus)
		m *= 2;
	return m;
}

static void run_exact(int vi, const char *what, uint32_t kpw, uint32_t nsent)
{
	static const int which[] = { P_OWN, P_WALK, P_BATCH, P_SENT, P_FINAL, P_DRAINED };
	static const char *const names[] = {
		"writers' results match their models (flags, own lookups, "
		"lookup_and_delete, update_batch, delete_batch)",
		"concurrent get_next_key walks return only keys of the universe",
		"concurrent lookup_batch passes: each key once, values their owners "
		"wrote, every sentinel",
		"concurrent lookups: sentinels read exactly, others' keys 0 or ENOENT, "
		"nothing past the value",
		"after the threads, walk, lookups and lookup_batch equal the union "
		"of the models",
		"lookup_and_delete_batch then takes exactly that, leaving the map empty",
	};
	uint32_t d = NW * kpw + nsent, id;
	struct run *r = xcalloc(1, sizeof(*r));
	struct hkey k;
	double t;
	int err;

	run_init(r, vi, MODE_EXACT, no_evict_max_entries(d), kpw, nsent, ops_per_writer);
	if (!created(r, what, which, 6, names))
		goto out;
	for (id = NW * r->kpw; id < r->nids; id++) {
		k = mkkey(id);
		make_value(r, r->rd[0].val, id, SENT_VER, SENT_OWNER);
		err = m_update(r->fd, &k, r->rd[0].val, BPF_NOEXIST);
		if (err)
			prop_fail(&r->props[P_SENT], "inserting sentinel %u: %s", id,
				  errname(err));
	}
	t = now();
	run_threads(r, NW, writer_main, NR, reader_main);
	t = now() - t;
	final_checks(r);
	print_stats(r, what, t);
	report(r, what, which, 6, names);
out:
	run_free(r);
	free(r);
}

static void run_evict(int vi)
{
	static const int which[] = { P_OWN, P_WALK, P_BATCH, P_SENT, P_FINAL, P_DRAINED };
	static const char *const names[] = {
		"writers' results agree with their models, where a key may only "
		"disappear",
		"concurrent get_next_key walks return only keys of the universe",
		"concurrent lookup_batch passes: each key once, values their owners wrote",
		"concurrent lookups of others' keys: 0 or ENOENT, nothing past the value",
		"after the threads, at most max_entries keys, each with the last value "
		"its owner wrote, none it deleted",
		"lookup_and_delete_batch then takes exactly what the walk saw, leaving "
		"the map empty",
	};
	struct run *r = xcalloc(1, sizeof(*r));
	double t;

	run_init(r, vi, MODE_EVICT, EVICT_MAX, EVICT_KPW, 0, ops_per_writer);
	if (!created(r, "eviction", which, 6, names))
		goto out;
	t = now();
	run_threads(r, NW, writer_main, NR, reader_main);
	t = now() - t;
	final_checks(r);
	print_stats(r, "eviction", t);
	report(r, "eviction", which, 6, names);
out:
	run_free(r);
	free(r);
}

/*
 * The drain workload: writers insert each of their keys once, then act on
 * it again a few keys later (replace it, lookup_and_delete or delete it,
 * or leave it), while drainers empty the map with lookup_and_delete_batch.
 * Every key must end up exactly once somewhere, with the value it had.
 */

enum { F_NONE, F_EXIST, F_ANY, F_LAD, F_DEL, F_BAD };

#define CONS_FAIL(r, fmt, ...) prop_fail(&(r)->props[P_CONSERVE], fmt, ##__VA_ARGS__)

static void *drain_writer_main(void *arg)
{
	struct writer *w = arg;
	struct run *r = w->r;
	uint32_t *order = xcalloc(w->n, sizeof(*order)), i, j, t, id, op;
	struct hkey k;
	int err;

	for (i = 0; i < w->n; i++)
		order[i] = i;
	for (i = w->n - 1; i > 0; i--) {
		j = below(&w->rng, i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	pthread_barrier_wait(&r->start);
	for (i = 0; i < w->n + DRAIN_LAG; i++) {
		if (i < w->n) {
			j = order[i];
			id = w->first + j;
			k = mkkey(id);
			w->v1[j] = new_version(w, id);
			make_value(r, w->buf, id, w->v1[j], w->idx);
			err = m_update(r->fd, &k, w->buf, BPF_NOEXIST);
			w->st.update++;
			w->fop[j] = F_NONE;
			if (err) {
				CONS_FAIL(r, "writer %d: insert %u: %s", w->idx, id, errname(err));
				w->fop[j] = F_BAD;
			}
		}
		if (i < DRAIN_LAG)
			continue;
		j = order[i - DRAIN_LAG];
		if (w->fop[j] == F_BAD)
			continue;
		id = w->first + j;
		k = mkkey(id);
		op = below(&w->rng, 100);
		w->fop[j] = op < 30 ? F_NONE : op < 50 ? F_EXIST : op < 60 ? F_ANY :
			    op < 80 ? F_LAD : F_DEL;
		switch (w->fop[j]) {
		case F_EXIST:
		case F_ANY:
			w->v2[j] = new_version(w, id);
			make_value(r, w->buf, id, w->v2[j], w->idx);
			err = m_update(r->fd, &k, w->buf,
				       w->fop[j] == F_EXIST ? BPF_EXIST : BPF_ANY);
			w->st.update++;
			break;
		case F_LAD:
			err = m_lookup_and_delete(r->fd, &k, w->buf);
			w->st.lad++;
			if (!err && !value_is(r, w->buf, id, w->v1[j], w->idx)) {
				char d[96];

				CONS_FAIL(r, "writer %d: lookup_and_delete %u returned %s, "
					  "inserted with version %u", w->idx, id,
					  describe(r, w->buf, d, sizeof(d)), w->v1[j]);
			}
			break;
		case F_DEL:
			err = m_delete(r->fd, &k);
			w->st.del++;
			break;
		default:
			err = 0;
		}
		w->fres[j] = err;
		if (err && (err != -ENOENT || w->fop[j] == F_ANY)) {
			CONS_FAIL(r, "writer %d: follow-up %d on %u: %s", w->idx, w->fop[j],
				  id, errname(err));
			w->fop[j] = F_BAD;
		}
	}
	free(order);
	atomic_fetch_sub(&r->writers_left, 1);
	return NULL;
}

static void drain_cb(void *ctx, const struct hkey *k, const void *val)
{
	struct reader *rd = ctx;
	struct run *r = rd->r;
	struct hval hv;
	char d[96];

	rd->st.batch_elems++;
	if (!key_ok(r, k)) {
		CONS_FAIL(r, "drainer %d: id %u tag %#x is not a key of the universe",
			  rd->idx, k->id, k->tag);
		return;
	}
	if (!read_value(r, val, &hv) || !could_have_written(r, k->id, &hv)) {
		CONS_FAIL(r, "drainer %d: key %u came with %s, not a value its owner "
			  "wrote for it", rd->idx, k->id, describe(r, val, d, sizeof(d)));
		return;
	}
	if (rd->ndrained == rd->drained_cap) {
		CONS_FAIL(r, "drainer %d: more keys drained than were inserted", rd->idx);
		return;
	}
	rd->drained[rd->ndrained++] = (struct drained){ k->id, hv.ver };
}

static void *drainer_main(void *arg)
{
	static const uint32_t caps[] = { 1, 2, 4, 16, 64 };
	struct reader *rd = arg;
	struct run *r = rd->r;
	bool live;

	pthread_barrier_wait(&r->start);
	do {
		live = atomic_load(&r->writers_left) > 0;
		if (!batch_pass(r, BPF_MAP_LOOKUP_AND_DELETE_BATCH, caps[below(&rd->rng, 5)],
				rd->keys, rd->vals, &r->props[P_CONSERVE], "drainer",
				drain_cb, rd)) {
			rd->st.passes++;
			rd->st.passes_live += live;
		}
	} while (atomic_load(&r->writers_left) > 0);
	return NULL;
}

/* Where each key ended up: drained (by version) or left in the map. */
static void drain_verify(struct run *r, struct snap *left)
{
	uint32_t *dn = xcalloc(r->nids, sizeof(*dn)), (*dv)[2] = xcalloc(r->nids, sizeof(*dv));
	uint32_t i, j, id, ver;
	int q, w;

	for (q = 0; q < NR; q++) {
		for (i = 0; i < r->rd[q].ndrained; i++) {
			id = r->rd[q].drained[i].id;
			if (dn[id] < 2)
				dv[id][dn[id]] = r->rd[q].drained[i].ver;
			dn[id]++;
		}
		r->rd[q].ndrained = 0;
	}
	for (w = 0; w < NW; w++) {
		struct writer *wr = &r->w[w];

		for (j = 0; j < wr->n; j++) {
			uint32_t v1 = wr->v1[j], v2 = wr->v2[j], n_v1 = 0, n_v2 = 0, n_other = 0;
			bool in_map;
			int op = wr->fop[j], res = wr->fres[j];
			const char *why = NULL;

			id = wr->first + j;
			if (op == F_BAD)
				continue;
			in_map = left->n[id];
			for (i = 0; i < dn[id] && i < 2; i++) {
				ver = dv[id][i];
				if (ver == v1)
					n_v1++;
				else if ((op == F_EXIST || op == F_ANY) && ver == v2)
					n_v2++;
				else
					n_other++;
			}
			if (dn[id] > 2 || n_other)
				why = "drained more often, or with other versions, than written";
			else if (in_map && !value_is(r, left->val + (size_t)id * r->vsz, id,
						     (op == F_EXIST || op == F_ANY) && !res
						     ? v2 : v1, wr->idx))
				why = "left in the map with another value than its last";
			else if (op == F_NONE && n_v1 + in_map != 1)
				why = "left alone, but not exactly once drained or left";
			else if (op == F_EXIST && !res && (n_v1 || n_v2 + in_map != 1))
				why = "replaced, but not exactly once drained or left as replaced";
			else if (op == F_EXIST && res && (n_v1 != 1 || in_map))
				why = "EXIST found it gone, but it was not drained";
			else if (op == F_ANY && (n_v2 + in_map != 1 || n_v1 > 1))
				why = "rewritten with BPF_ANY, but not once drained or left";
			else if ((op == F_LAD || op == F_DEL) && !res && (n_v1 || in_map))
				why = "deleted by its owner, but drained or left too";
			else if ((op == F_LAD || op == F_DEL) && res && (n_v1 != 1 || in_map))
				why = "its owner found it gone, but it was not drained";
			if (why)
				CONS_FAIL(r, "key %u (follow-up %d, %s): %s; drained %u times, "
					  "%s in the map", id, op, errname(res), why, dn[id],
					  in_map ? "still" : "not");
		}
	}
	free(dn);
	free(dv);
}

static void run_drain(int vi)
{
	static const int which[] = { P_CONSERVE };
	static const char *const names[] = {
		"inserts and follow-ups racing lookup_and_delete_batch: every key "
		"taken once or left, with its value",
	};
	struct run *r = xcalloc(1, sizeof(*r));
	double t = 0, t0;
	int round;

	run_init(r, vi, MODE_DRAIN, no_evict_max_entries(NW * EXACT_KPW), EXACT_KPW, 0,
		 DRAIN_ROUNDS);
	if (!created(r, "drain", which, 1, names))
		goto out;
	for (round = 0; round < DRAIN_ROUNDS; round++) {
		struct snap left, rest;

		t0 = now();
		run_threads(r, NW, drain_writer_main, NR, drainer_main);
		t += now() - t0;
		snap_init(&left, r, &r->props[P_CONSERVE], "walk after the drain");
		snap_init(&rest, r, &r->props[P_CONSERVE], "final lookup_and_delete_batch");
		if (snap_walk(&left))
			drain_verify(r, &left);
		if (snap_batch(&rest, BPF_MAP_LOOKUP_AND_DELETE_BATCH, 64))
			snap_same(&rest, &left);
		check_empty(r, &r->props[P_CONSERVE]);
		snap_free(&left);
		snap_free(&rest);
	}
	print_stats(r, "drain", t);
	report(r, "drain", which, 1, names);
out:
	run_free(r);
	free(r);
}

/*
 * A full preallocated map (HASH, PERCPU_HASH): fill, replace, churn.
 */

static void *fill_main(void *arg)
{
	struct writer *w = arg;
	struct run *r = w->r;
	uint32_t j, id, v;
	struct hkey k;
	int err;

	pthread_barrier_wait(&r->start);
	for (j = 0; j < w->n; j++) {
		id = w->first + j;
		k = mkkey(id);
		v = new_version(w, id);
		make_value(r, w->buf, id, v, w->idx);
		err = m_update(r->fd, &k, w->buf, j % 2 ? BPF_ANY : BPF_NOEXIST);
		w->st.update++;
		if (!err) {
			if (w->saw_e2big)
				prop_fail(&r->props[P_FILL], "writer %d: insert %u succeeded "
					  "after E2BIG, with nothing freed", w->idx, id);
			w->present[j] = 1;
			w->ver[j] = v;
		} else if (err == -E2BIG) {
			w->saw_e2big = true;
			w->st.e2big++;
		} else {
			prop_fail(&r->props[P_FILL], "writer %d: insert %u: %s", w->idx, id,
				  errname(err));
		}
	}
	atomic_fetch_sub(&r->writers_left, 1);
	return NULL;
}

static void full_lookup(struct writer *w, uint32_t j, struct prop *p)
{
	struct run *r = w->r;
	uint32_t id = w->first + j;
	struct hkey k = mkkey(id);
	char d[96];
	int err;

	err = m_lookup(r->fd, &k, w->buf);
	w->st.lookup++;
	if (err != (w->present[j] ? 0 : -ENOENT) ||
	    (!err && !value_is(r, w->buf, id, w->ver[j], w->idx)))
		prop_fail(p, "writer %d: lookup %u: %s, %s; the model says %s %u", w->idx,
			  id, errname(err), err ? "-" : describe(r, w->buf, d, sizeof(d)),
			  w->present[j] ? "version" : "absent", w->ver[j]);
}

static void *replace_main(void *arg)
{
	struct writer *w = arg;
	struct run *r = w->r;
	struct prop *p = &r->props[P_REPLACE];
	uint32_t i, j, id, v, op;
	uint64_t flags;
	struct hkey k;
	int err, want;

	pthread_barrier_wait(&r->start);
	for (i = 0; i < r->ops; i++) {
		j = below(&w->rng, w->n);
		op = below(&w->rng, 4);
		if (op == 3) {
			full_lookup(w, j, p);
			continue;
		}
		flags = op == 0 ? BPF_ANY : op == 1 ? BPF_EXIST : BPF_NOEXIST;
		id = w->first + j;
		k = mkkey(id);
		v = new_version(w, id);
		make_value(r, w->buf, id, v, w->idx);
		err = m_update(r->fd, &k, w->buf, flags);
		w->st.update++;
		if (w->present[j])
			want = flags == BPF_NOEXIST ? -EEXIST : 0;
		else
			want = flags == BPF_EXIST ? -ENOENT : -E2BIG;
		if (err != want)
			prop_fail(p, "writer %d: update %u (flags %llu, %s) on the full map: "
				  "%s, want %s", w->idx, id, (unsigned long long)flags,
				  w->present[j] ? "present" : "absent", errname(err),
				  errname(want));
		if (err == -E2BIG)
			w->st.e2big++;
		else if (err)
			w->st.refused++;
		if (!err && w->present[j])
			w->ver[j] = v;
	}
	atomic_fetch_sub(&r->writers_left, 1);
	return NULL;
}

/* While the full map is only rewritten, every batch pass sees it whole. */
static void *full_reader_main(void *arg)
{
	struct reader *rd = arg;
	struct run *r = rd->r;
	struct rpass c = { rd, &r->props[P_REPLACE], 0 };
	bool live;

	pthread_barrier_wait(&r->start);
	do {
		live = atomic_load(&r->writers_left) > 0;
		memset(rd->seen, 0, r->nids);
		c.n = 0;
		if (batch_pass(r, BPF_MAP_LOOKUP_BATCH, 1 + below(&rd->rng, 16), rd->keys,
			       rd->vals, c.p, "reader", reader_batch_cb, &c))
			break;
		rd->st.passes++;
		rd->st.passes_live += live;
		rd->st.batch_elems += c.n;
		if (c.n != (unsigned long)atomic_load(&r->level))
			prop_fail(c.p, "reader %d: a lookup_batch pass of the full map saw "
				  "%lu keys, not %ld", rd->idx, c.n, atomic_load(&r->level));
	} while (atomic_load(&r->writers_left) > 0);
	return NULL;
}

static void *churn_main(void *arg)
{
	struct writer *w = arg;
	struct run *r = w->r;
	struct prop *p = &r->props[P_CHURN];
	uint32_t i, j, id, v, op;
	long level;
	struct hkey k;
	char d[96];
	int err;

	pthread_barrier_wait(&r->start);
	for (i = 0; i < r->ops; i++) {
		j = below(&w->rng, w->n);
		op = below(&w->rng, 100);
		id = w->first + j;
		k = mkkey(id);
		if (op < 15) {
			full_lookup(w, j, p);
		} else if (w->present[j] && op < 50) {
			/* Counted out before it goes: the bound stays below the truth. */
			atomic_fetch_sub(&r->level, 1);
			if (op < 35) {
				err = m_delete(r->fd, &k);
				w->st.del++;
			} else {
				err = m_lookup_and_delete(r->fd, &k, w->buf);
				w->st.lad++;
				if (!err && !value_is(r, w->buf, id, w->ver[j], w->idx))
					prop_fail(p, "writer %d: lookup_and_delete %u returned "
						  "%s, the model says version %u", w->idx, id,
						  describe(r, w->buf, d, sizeof(d)), w->ver[j]);
			}
			if (err) {
				atomic_fetch_add(&r->level, 1);
				prop_fail(p, "writer %d: delete %u, present: %s", w->idx, id,
					  errname(err));
			} else {
				w->present[j] = 0;
			}
		} else {
			uint64_t flags = op % 2 ? BPF_ANY : w->present[j] ? BPF_EXIST : BPF_NOEXIST;

			v = new_version(w, id);
			make_value(r, w->buf, id, v, w->idx);
			err = m_update(r->fd, &k, w->buf, flags);
			w->st.update++;
			if (w->present[j]) {
				if (err)
					prop_fail(p, "writer %d: replacing %u (flags %llu): %s",
						  w->idx, id, (unsigned long long)flags,
						  errname(err));
				else
					w->ver[j] = v;
			} else if (!err) {
				level = atomic_fetch_add(&r->level, 1) + 1;
				if (level > (long)(r->max_entries + r->slack))
					prop_fail(p, "writer %d: insert %u made at least %ld "
						  "elements, max_entries is %u", w->idx, id,
						  level, r->max_entries);
				w->present[j] = 1;
				w->ver[j] = v;
			} else if (err == -E2BIG) {
				w->st.e2big++;
			} else {
				prop_fail(p, "writer %d: insert %u: %s", w->idx, id, errname(err));
			}
		}
	}
	atomic_fetch_sub(&r->writers_left, 1);
	return NULL;
}

static void full_contents(struct run *r, struct prop *p, const char *how)
{
	struct snap s;

	snap_init(&s, r, p, how);
	if (snap_walk(&s))
		snap_vs_models(&s, true);
	snap_free(&s);
}

static void run_full(int vi)
{
	static const int which[] = { P_FILL, P_REPLACE, P_CHURN };
	static const char *const names[] = {
		"concurrent inserts into an empty map: max_entries go in (no_prealloc: "
		"up to writers - 1 more), the rest get E2BIG, none after one did",
		"full map: replacing a present key never fails, new keys get E2BIG, "
		"every lookup_batch pass sees max_entries keys",
		"delete and insert churn: never more than max_entries (+ that slack), "
		"E2BIG only for new keys, final contents equal the models",
	};
	struct run *r = xcalloc(1, sizeof(*r));
	uint32_t total = 0;
	double t0, t[3];
	int i;

	run_init(r, vi, MODE_FULL, FULL_MAX, FULL_KPW, 0, ops_per_writer / 2);
	/* The kernel checks its count, then raises it: each writer may pass. */
	if (r->v->flags & BPF_F_NO_PREALLOC)
		r->slack = NW - 1;
	if (!created(r, "full", which, 3, names))
		goto out;
	t0 = now();
	run_threads(r, NW, fill_main, 0, NULL);
	t[0] = now() - t0;
	for (i = 0; i < NW; i++)
		for (uint32_t j = 0; j < r->w[i].n; j++)
			total += r->w[i].present[j];
	if (total < r->max_entries || total > r->max_entries + r->slack)
		prop_fail(&r->props[P_FILL], "%u inserts succeeded, max_entries is %u",
			  total, r->max_entries);
	full_contents(r, &r->props[P_FILL], "walk after the fill");

	atomic_store(&r->level, total);
	t0 = now();
	run_threads(r, NW, replace_main, 1, full_reader_main);
	t[1] = now() - t0;
	full_contents(r, &r->props[P_REPLACE], "walk after the replacements");

	t0 = now();
	run_threads(r, NW, churn_main, 0, NULL);
	t[2] = now() - t0;
	full_contents(r, &r->props[P_CHURN], "walk after the churn");

	print_stats(r, "full", t[0] + t[1] + t[2]);
	printf("# [%s] %s full: fill %.2f s, replace %.2f s, churn %.2f s\n", bname,
	       r->v->name, t[0], t[1], t[2]);
	report(r, "full", which, 3, names);
out:
	run_free(r);
	free(r);
}

/* Possible CPUs, as bpf(2) counts them for per-cpu values. */
static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int n = 0, a, b;
	char c;

	if (!f)
		return -1;
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &c) == 1 && c == '-') {
			if (fscanf(f, "%d", &b) != 1)
				break;
			if (fscanf(f, "%c", &c) != 1)
				c = '\n';
		}
		n += b - a + 1;
		if (c != ',')
			break;
	}
	fclose(f);
	return n > 0 ? n : -1;
}

int main(void)
{
	const char *env = getenv("KBPF_CONC_OPS");
	int pass, vi;
	double t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	unsetenv("ABPF_BACKEND");
	if (env && atoi(env) > 0)
		ops_per_writer = (uint32_t)atoi(env);
	ncpus = possible_cpus();
	if (ncpus < 1) {
		printf("# cannot read /sys/devices/system/cpu/possible\n");
		tap_cur_failures = 1;
		tap_report("hash_conc: possible CPUs");
		return tap_done();
	}
	printf("# %d possible CPUs, %d writers and %d readers, %u ops per writer\n",
	       ncpus, NW, NR, ops_per_writer);
	for (pass = 0; pass < 2; pass++) {
		B = pass ? abpf_sys_kbpf() : abpf_sys_libc();
		bname = pass ? "kbpf" : "kernel";
		t = now();
		for (vi = 0; vi < (int)TAP_COUNT(variants); vi++) {
			const struct variant *v = &variants[vi];
			bool lru = v->type == BPF_MAP_TYPE_LRU_HASH ||
				   v->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;

			run_exact(vi, "exact", EXACT_KPW, NSENT);
			run_exact(vi, "hot keys", HOT_KPW, HOT_SENT);
			run_drain(vi);
			if (lru)
				run_evict(vi);
			else
				run_full(vi);
		}
		printf("# [%s] all workloads: %.1f s\n", bname, now() - t);
	}
	return tap_done();
}
