// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Stress: one HASH map worked on at once by userspace threads (two
 * inserting, looking up and deleting keys of their own, one walking the
 * map with get_next_key and looking up the keys that never change, one
 * updating and deleting its keys in batches and reading the whole map in
 * batches) and by a program on raw_syscalls:sys_enter, which for every
 * getppid() of this process takes a per-CPU sequence number, writes a
 * {cpu, seq} record into a RINGBUF (or counts a drop), adds one to a
 * counter in the hash map and stores the sequence under its CPU's key;
 * userspace consumes the ring with libabpf's consumer meanwhile.
 *
 * Afterwards: every sequence number of every CPU was read exactly once or
 * counted as dropped; the program's counter equals both the getppid()
 * calls made and the sum of the sequences; each CPU's key holds its last
 * sequence; each key's presence matches its thread's successful inserts
 * minus deletes; during the run no walk or batch pass missed a key that
 * never changes, none reported a key twice in one batch pass, a key never
 * inserted, or a value that was not the key's.
 *
 * KBPF_STRESS_SECONDS (default 3) sets the duration.
 */
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

#include "../tap.h"
#include "harden.h"

#define MAX_CPUS	64
#define NCHURN		2
#define CHURN_KEYS	64	/* thread t owns [t * 64, t * 64 + 64) */
#define BATCH_BASE	256	/* the batch thread's keys */
#define BATCH_KEYS	32
#define STABLE_BASE	300	/* present throughout, value key * 3 */
#define STABLE_KEYS	64
#define COUNT_KEY	400	/* the program's event counter */
#define PROG_BASE	500	/* PROG_BASE + cpu: that CPU's last sequence */
#define MAGIC		0x5eedf00d12345678ULL

static int hmap, seqs, drops, rb;
static unsigned int ncpus;
static atomic_bool stop, stop_churn;
static atomic_ulong getppid_calls;

/* Problems found by the worker threads, reported by the main thread. */
static atomic_ulong bad_value, missed_stable, dup_in_batch, stranger, op_errors;
static atomic_ulong walks_done, batch_passes;
static unsigned long inserts[NCHURN * CHURN_KEYS], deletes[NCHURN * CHURN_KEYS];

static bool known_key(uint32_t k)
{
	return k < NCHURN * CHURN_KEYS ||
	       (k >= BATCH_BASE && k < BATCH_BASE + BATCH_KEYS) ||
	       (k >= STABLE_BASE && k < STABLE_BASE + STABLE_KEYS) ||
	       k == COUNT_KEY || (k >= PROG_BASE && k < PROG_BASE + ncpus);
}

/* The value a userspace-written key must have, or false if any will do. */
static bool expected_value(uint32_t k, uint64_t *v)
{
	if (k >= STABLE_BASE && k < STABLE_BASE + STABLE_KEYS)
		*v = (uint64_t)k * 3;
	else if (k < NCHURN * CHURN_KEYS ||
		 (k >= BATCH_BASE && k < BATCH_BASE + BATCH_KEYS))
		*v = k ^ MAGIC;
	else
		return false;
	return true;
}

static void check_value(uint32_t k, uint64_t v)
{
	uint64_t want;

	if (!known_key(k))
		atomic_fetch_add(&stranger, 1);
	else if (expected_value(k, &want) && v != want)
		atomic_fetch_add(&bad_value, 1);
}

static void *caller(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		syscall(SYS_getppid);
		atomic_fetch_add(&getppid_calls, 1);
	}
	return NULL;
}

/* Insert (NOEXIST), look up and delete the thread's own keys at random. */
static void *churn(void *arg)
{
	uint32_t base = (uint32_t)(uintptr_t)arg * CHURN_KEYS;
	unsigned int r = base + 1;

	while (!atomic_load(&stop_churn)) {
		uint32_t k = base + (uint32_t)(rand_r(&r) % CHURN_KEYS);
		uint64_t v = k ^ MAGIC, got;
		int err;

		switch (rand_r(&r) % 3) {
		case 0:
			err = h_elem(BPF_MAP_UPDATE_ELEM, hmap, &k, &v, BPF_NOEXIST);
			if (!err)
				inserts[k]++;
			else if (err != -EEXIST)
				atomic_fetch_add(&op_errors, 1);
			break;
		case 1:
			err = h_elem(BPF_MAP_DELETE_ELEM, hmap, &k, NULL, 0);
			if (!err)
				deletes[k]++;
			else if (err != -ENOENT)
				atomic_fetch_add(&op_errors, 1);
			break;
		default:
			err = h_elem(BPF_MAP_LOOKUP_ELEM, hmap, &k, &got, 0);
			if (!err)
				check_value(k, got);
			else if (err != -ENOENT)
				atomic_fetch_add(&op_errors, 1);
			/* present or absent is up to this thread alone */
			if ((err == 0) != (inserts[k] > deletes[k]))
				atomic_fetch_add(&bad_value, 1);
			break;
		}
	}
	return NULL;
}

/* Walk the map: every stable key turns up, nothing unknown does. */
static void *walker(void *arg)
{
	unsigned int r = 7;

	(void)arg;
	while (!atomic_load(&stop)) {
		bool seen[1024] = { false };
		uint32_t key, next, i, steps;
		uint64_t v;
		int err = 0;

		for (steps = 0; steps < 20000; steps++) {
			err = h_elem(BPF_MAP_GET_NEXT_KEY, hmap, steps ? &key : NULL,
				     &next, 0);
			if (err)
				break;
			if (next < 1024)
				seen[next] = true;
			if (!known_key(next))
				atomic_fetch_add(&stranger, 1);
			key = next;
		}
		if (err == -ENOENT) {
			atomic_fetch_add(&walks_done, 1);
			for (i = 0; i < STABLE_KEYS; i++)
				if (!seen[STABLE_BASE + i])
					atomic_fetch_add(&missed_stable, 1);
		} else if (err) {
			atomic_fetch_add(&op_errors, 1);
		}
		key = STABLE_BASE + (uint32_t)(rand_r(&r) % STABLE_KEYS);
		if (h_elem(BPF_MAP_LOOKUP_ELEM, hmap, &key, &v, 0))
			atomic_fetch_add(&missed_stable, 1);
		else
			check_value(key, v);
	}
	return NULL;
}

static int batch(int cmd, void *in, void *out, uint32_t *keys,
		 uint64_t *values, uint32_t *count)
{
	union bpf_attr a;
	int err;

	memset(&a, 0, sizeof(a));
	a.batch.map_fd = (uint32_t)hmap;
	a.batch.in_batch = (uintptr_t)in;
	a.batch.out_batch = (uintptr_t)out;
	a.batch.keys = (uintptr_t)keys;
	a.batch.values = (uintptr_t)values;
	a.batch.count = *count;
	err = (int)h_sys(cmd, &a);
	*count = a.batch.count;
	return err;
}

/* One LOOKUP_BATCH pass over the whole map, checked. */
static void batch_pass(void)
{
	uint32_t keys[64], cursor, count, i, passes = 0;
	uint64_t values[64];
	unsigned char seen[1024] = { 0 };
	int err;

	do {
		count = 64;
		err = batch(BPF_MAP_LOOKUP_BATCH, passes++ ? &cursor : NULL, &cursor,
			    keys, values, &count);
		if (err && err != -ENOENT) {
			atomic_fetch_add(&op_errors, 1);
			return;
		}
		for (i = 0; i < count; i++) {
			check_value(keys[i], values[i]);
			if (keys[i] < 1024 && seen[keys[i]]++)
				atomic_fetch_add(&dup_in_batch, 1);
		}
	} while (!err);
	atomic_fetch_add(&batch_passes, 1);
	for (i = 0; i < STABLE_KEYS; i++)
		if (!seen[STABLE_BASE + i])
			atomic_fetch_add(&missed_stable, 1);
}

/* Update and delete the thread's keys in batches, read everything in batches. */
static void *batcher(void *arg)
{
	uint32_t keys[BATCH_KEYS], i, count;
	uint64_t values[BATCH_KEYS];

	(void)arg;
	for (i = 0; i < BATCH_KEYS; i++) {
		keys[i] = BATCH_BASE + i;
		values[i] = keys[i] ^ MAGIC;
	}
	while (!atomic_load(&stop_churn)) {
		count = BATCH_KEYS;
		if (batch(BPF_MAP_UPDATE_BATCH, NULL, NULL, keys, values, &count) ||
		    count != BATCH_KEYS)
			atomic_fetch_add(&op_errors, 1);
		batch_pass();
		count = BATCH_KEYS;
		/* all present, and only this thread deletes them */
		if (batch(BPF_MAP_DELETE_BATCH, NULL, NULL, keys, NULL, &count) ||
		    count != BATCH_KEYS)
			atomic_fetch_add(&op_errors, 1);
		batch_pass();
	}
	return NULL;
}

/* The ring's records: each CPU's sequence numbers, each seen once. */
struct seqset {
	unsigned char *seen;
	size_t cap;
	unsigned long got, dup;
};

static struct seqset rec[MAX_CPUS];
static unsigned long bad_records;

static int on_record(void *ctx, void *data, size_t size)
{
	struct { uint32_t cpu, pad; uint64_t seq; } r;
	struct seqset *s;

	(void)ctx;
	if (size != sizeof(r)) {
		bad_records++;
		return 0;
	}
	memcpy(&r, data, sizeof(r));
	if (r.cpu >= MAX_CPUS || r.pad || r.seq > (1ULL << 32)) {
		bad_records++;
		return 0;
	}
	s = &rec[r.cpu];
	if (r.seq >= s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		unsigned char *p;

		while (cap <= r.seq)
			cap *= 2;
		p = realloc(s->seen, cap);
		if (!p) {
			bad_records++;
			return 0;
		}
		memset(p + s->cap, 0, cap - s->cap);
		s->seen = p;
		s->cap = cap;
	}
	if (s->seen[r.seq]++)
		s->dup++;
	else
		s->got++;
	return 0;
}

static void *consumer(void *arg)
{
	struct abpf_ringbuf *ring = arg;

	while (!atomic_load(&stop))
		abpf_ringbuf_poll(ring, 10, NULL);
	return NULL;
}

/* The event program; labels: 0 out, 1 after the drop count, 2 after the counter. */
static void build_prog(struct h_prog *p)
{
	P_EMIT(p, LDX(BPF_DW, 6, 1, 8));			/* syscall number */
	P_JMP(p, JMP_IMM(BPF_JNE, 6, SYS_getppid, 0), 0);
	P_EMIT(p, CALL(BPF_FUNC_get_current_pid_tgid), ALU64_IMM(BPF_RSH, 0, 32),
	       LD_IMM64(1, getpid()));
	P_JMP(p, JMP_REG(BPF_JNE, 0, 1, 0), 0);
	/* r7 = seqs[0]++ (per CPU: nothing else runs it there meanwhile) */
	P_EMIT(p, ST(BPF_W, 10, -4, 0), LD_MAP(1, seqs), MOV64_REG(2, 10),
	       ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem));
	P_JMP(p, JMP_IMM(BPF_JEQ, 0, 0, 0), 0);
	P_EMIT(p, LDX(BPF_DW, 7, 0, 0), MOV64_REG(1, 7), ALU64_IMM(BPF_ADD, 1, 1),
	       STX(BPF_DW, 0, 1, 0));
	/* r8 = cpu; record {cpu, 0, seq} at fp-24 */
	P_EMIT(p, CALL(BPF_FUNC_get_smp_processor_id), MOV64_REG(8, 0),
	       STX(BPF_W, 10, 8, -24), ST(BPF_W, 10, -20, 0), STX(BPF_DW, 10, 7, -16),
	       LD_MAP(1, rb), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -24),
	       MOV64_IMM(3, 16), MOV64_IMM(4, 0), CALL(BPF_FUNC_ringbuf_output));
	P_JMP(p, JMP_IMM(BPF_JEQ, 0, 0, 0), 1);
	P_EMIT(p, ST(BPF_W, 10, -4, 0), LD_MAP(1, drops), MOV64_REG(2, 10),
	       ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem));
	P_JMP(p, JMP_IMM(BPF_JEQ, 0, 0, 0), 1);
	P_EMIT(p, LDX(BPF_DW, 1, 0, 0), ALU64_IMM(BPF_ADD, 1, 1), STX(BPF_DW, 0, 1, 0));
	p_label(p, 1);
	/* hash[COUNT_KEY] += 1, atomically: every CPU adds to it */
	P_EMIT(p, ST(BPF_W, 10, -4, COUNT_KEY), LD_MAP(1, hmap), MOV64_REG(2, 10),
	       ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem));
	P_JMP(p, JMP_IMM(BPF_JEQ, 0, 0, 0), 2);
	P_EMIT(p, MOV64_IMM(1, 1), ATOMIC_ADD64(0, 1, 0));
	p_label(p, 2);
	/* hash[PROG_BASE + cpu] = seq */
	P_EMIT(p, ALU64_IMM(BPF_ADD, 8, PROG_BASE), STX(BPF_W, 10, 8, -4),
	       STX(BPF_DW, 10, 7, -32), LD_MAP(1, hmap), MOV64_REG(2, 10),
	       ALU64_IMM(BPF_ADD, 2, -4), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -32),
	       MOV64_IMM(4, BPF_ANY), CALL(BPF_FUNC_map_update_elem));
	p_label(p, 0);
	P_EMIT(p, MOV64_IMM(0, 0), EXIT());
	p_done(p);
}

/* Sum and per-CPU values of a PERCPU_ARRAY's slot 0. */
static uint64_t percpu_read(int fd, uint64_t *per)
{
	uint64_t v[MAX_CPUS] = { 0 }, sum = 0;
	uint32_t zero = 0, i;

	if (h_elem(BPF_MAP_LOOKUP_ELEM, fd, &zero, v, 0))
		tap_fail("per-CPU lookup failed");
	for (i = 0; i < ncpus; i++) {
		per[i] = v[i];
		sum += v[i];
	}
	return sum;
}

static void stress_hash_map_ring_and_program(void)
{
	const char *env = getenv("KBPF_STRESS_SECONDS");
	int seconds = env ? atoi(env) : 3, prog, link, i, rfd;
	uint64_t seq[MAX_CPUS], drop[MAX_CPUS], nseq, ndrop, v, got = 0, dups = 0;
	unsigned long calls;
	struct abpf_ringbuf *ring = NULL;
	struct abpf_map *rmap = NULL;
	struct abpf *h = NULL;
	struct h_prog *p = calloc(1, sizeof(*p));
	pthread_t t[8];
	uint32_t k;
	int nt = 0;

	ncpus = (unsigned int)sysconf(_SC_NPROCESSORS_CONF);
	if (ncpus > MAX_CPUS || !p) {
		tap_fail("%u CPUs: more than the test handles", ncpus);
		free(p);
		return;
	}
	hmap = h_map_create(BPF_MAP_TYPE_HASH, 4, 8, 1024, 0);
	seqs = h_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
	drops = h_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
	rb = h_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);	/* small: drops too */
	EXPECT(hmap >= 0 && seqs >= 0 && drops >= 0 && rb >= 0);
	for (k = STABLE_BASE; k < STABLE_BASE + STABLE_KEYS; k++) {
		v = (uint64_t)k * 3;
		EXPECT_EQ(h_elem(BPF_MAP_UPDATE_ELEM, hmap, &k, &v, BPF_NOEXIST), 0);
	}
	k = COUNT_KEY;
	v = 0;
	EXPECT_EQ(h_elem(BPF_MAP_UPDATE_ELEM, hmap, &k, &v, BPF_NOEXIST), 0);

	build_prog(p);
	prog = h_prog_load(p->insns, (uint32_t)p->n);
	EXPECT(prog >= 0);
	rfd = dup(rb);
	EXPECT_EQ(abpf_open(abpf_sys_kbpf(), NULL, &h).no, 0);
	EXPECT_EQ(abpf_map_from_fd(h, rfd, &rmap).no, 0);
	EXPECT_EQ(abpf_ringbuf_new(rmap, on_record, NULL, NULL, &ring).no, 0);
	link = h_attach(prog, "sys_enter");
	EXPECT(link >= 0);
	if (tap_cur_failures)
		goto out;

	pthread_create(&t[nt++], NULL, consumer, ring);
	for (i = 0; i < NCHURN; i++)
		pthread_create(&t[nt++], NULL, churn, (void *)(uintptr_t)i);
	pthread_create(&t[nt++], NULL, walker, NULL);
	pthread_create(&t[nt++], NULL, batcher, NULL);
	for (i = 0; i < 2; i++)
		pthread_create(&t[nt++], NULL, caller, NULL);
	sleep((unsigned int)seconds);
	/*
	 * A walk starts over whenever its cursor key is deleted: with the
	 * churn stopped (the program only overwrites its keys), one more
	 * walk must finish.
	 */
	atomic_store(&stop_churn, true);
	for (i = 1; i < 1 + NCHURN + 1 + 1; i++)	/* churn, walker, batcher */
		if (i != 1 + NCHURN)
			pthread_join(t[i], NULL);
	{
		unsigned long w = atomic_load(&walks_done);

		for (i = 0; i < 1000 && atomic_load(&walks_done) < w + 2; i++)
			h_sleep_ms(10);
	}
	atomic_store(&stop, true);
	pthread_join(t[0], NULL);
	pthread_join(t[1 + NCHURN], NULL);
	for (i = 1 + NCHURN + 2; i < nt; i++)
		pthread_join(t[i], NULL);
	close(link);		/* no more events: what is counted is final */
	link = -1;
	EXPECT_EQ(abpf_ringbuf_consume(ring, NULL).no, 0);

	calls = atomic_load(&getppid_calls);
	nseq = percpu_read(seqs, seq);
	ndrop = percpu_read(drops, drop);
	for (i = 0; i < (int)ncpus; i++) {
		got += rec[i].got;
		dups += rec[i].dup;
		if (rec[i].got + drop[i] != seq[i])
			tap_fail("cpu %d: %lu records read + %llu dropped != %llu submitted",
				 i, rec[i].got, (unsigned long long)drop[i],
				 (unsigned long long)seq[i]);
		if (rec[i].cap > seq[i] && memchr(rec[i].seen + seq[i], 1,
						  rec[i].cap - seq[i]))
			tap_fail("cpu %d: a sequence number past the last one", i);
		k = PROG_BASE + i;
		if (seq[i] && (h_elem(BPF_MAP_LOOKUP_ELEM, hmap, &k, &v, 0) ||
			       v != seq[i] - 1))
			tap_fail("cpu %d: its key does not hold its last sequence %llu",
				 i, (unsigned long long)seq[i] - 1);
	}
	for (i = ncpus; i < MAX_CPUS; i++)
		EXPECT_EQ(rec[i].got + rec[i].dup, 0);
	EXPECT_EQ(dups, 0);
	EXPECT_EQ(bad_records, 0);
	EXPECT_EQ(nseq, calls);
	k = COUNT_KEY;
	EXPECT_EQ(h_elem(BPF_MAP_LOOKUP_ELEM, hmap, &k, &v, 0), 0);
	EXPECT_EQ(v, calls);
	for (k = 0; k < NCHURN * CHURN_KEYS; k++) {
		bool present = !h_elem(BPF_MAP_LOOKUP_ELEM, hmap, &k, &v, 0);

		if (inserts[k] - deletes[k] != (present ? 1 : 0))
			tap_fail("key %u: %lu inserts, %lu deletes, %s", k, inserts[k],
				 deletes[k], present ? "present" : "absent");
	}
	EXPECT(calls > 0 && got > 0);
	EXPECT(atomic_load(&walks_done) > 0 && atomic_load(&batch_passes) > 0);
	EXPECT_EQ(atomic_load(&bad_value), 0);
	EXPECT_EQ(atomic_load(&missed_stable), 0);
	EXPECT_EQ(atomic_load(&dup_in_batch), 0);
	EXPECT_EQ(atomic_load(&stranger), 0);
	EXPECT_EQ(atomic_load(&op_errors), 0);
	printf("# %d s: %lu getppid events, %llu ring records read, %llu dropped, %lu walks, %lu batch passes\n",
	       seconds, calls, (unsigned long long)got, (unsigned long long)ndrop,
	       atomic_load(&walks_done), atomic_load(&batch_passes));
out:
	if (link >= 0)
		close(link);
	abpf_ringbuf_free(ring);
	abpf_unref(h);
	close(prog);
	close(hmap);
	close(seqs);
	close(drops);
	close(rb);
	for (i = 0; i < MAX_CPUS; i++)
		free(rec[i].seen);
	free(p);
}

static const struct tap_test tests[] = {
	TAP_TEST(stress_hash_map_ring_and_program),
};

int main(void)
{
	if (h_kbpf() < 0) {
		printf("ok - test_stress # SKIP no /dev/kbpf\n");
		return 0;
	}
	tap_run(tests, TAP_COUNT(tests), "stress: ");
	return tap_done();
}
