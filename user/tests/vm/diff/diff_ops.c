// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Operations the map profiles share.  Each runs one bpf(2) command on the
 * kernel map and on the kbpf map with the same inputs and separate output
 * buffers, and compares the results, the outputs, and that nothing past
 * an output was written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diff.h"

#define GUARD 16
#define FILL 0xa5

/* An output buffer of @len bytes, filled, with guard bytes behind it. */
static void *out_buf(size_t len)
{
	unsigned char *p = malloc(len + GUARD);

	if (!p)
		abort();
	memset(p, FILL, len + GUARD);
	return p;
}

static bool guard_intact(struct diff_ctx *ctx, int b, const void *buf, size_t len)
{
	const unsigned char *g = (const unsigned char *)buf + len;
	int i;

	for (i = 0; i < GUARD; i++) {
		if (g[i] != FILL) {
			diff_mismatch(ctx, "%s wrote past its %zu-byte output",
				      diff_backend_name[b], len);
			return false;
		}
	}
	return true;
}

static uint64_t u64p(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

void diff_op_lookup(struct diff_ctx *ctx, struct diff_map *m, const void *key)
{
	struct diff_res r[2];
	void *v[2];
	int b;

	diff_begin(ctx, "lookup");
	for (b = 0; b < 2; b++) {
		union bpf_attr a = { .map_fd = m->fd[b] };

		v[b] = out_buf(m->vsize);
		a.key = u64p(key);
		a.value = u64p(v[b]);
		r[b] = diff_call(b, BPF_MAP_LOOKUP_ELEM, &a);
	}
	if (diff_same_res(ctx, "lookup", r, false) && r[0].ret == 0)
		diff_same_bytes(ctx, "looked-up value", v[0], v[1], m->vsize);
	for (b = 0; b < 2; b++) {
		guard_intact(ctx, b, v[b], m->vsize);
		free(v[b]);
	}
}

void diff_op_update(struct diff_ctx *ctx, struct diff_map *m, const void *key,
		    const void *value, uint64_t flags)
{
	struct diff_res r[2];
	int b;

	diff_begin(ctx, "update flags %#llx", (unsigned long long)flags);
	for (b = 0; b < 2; b++) {
		union bpf_attr a = { .map_fd = m->fd[b] };

		a.key = u64p(key);
		a.value = u64p(value);
		a.flags = flags;
		r[b] = diff_call(b, BPF_MAP_UPDATE_ELEM, &a);
	}
	diff_same_res(ctx, "update", r, false);
}

void diff_op_delete(struct diff_ctx *ctx, struct diff_map *m, const void *key)
{
	struct diff_res r[2];
	int b;

	diff_begin(ctx, "delete");
	for (b = 0; b < 2; b++) {
		union bpf_attr a = { .map_fd = m->fd[b] };

		a.key = u64p(key);
		r[b] = diff_call(b, BPF_MAP_DELETE_ELEM, &a);
	}
	diff_same_res(ctx, "delete", r, false);
}

void diff_op_lookup_and_delete(struct diff_ctx *ctx, struct diff_map *m,
			       const void *key, uint64_t flags)
{
	struct diff_res r[2];
	void *v[2];
	int b;

	diff_begin(ctx, "lookup_and_delete flags %#llx", (unsigned long long)flags);
	for (b = 0; b < 2; b++) {
		union bpf_attr a = { .map_fd = m->fd[b] };

		v[b] = out_buf(m->vsize);
		a.key = u64p(key);
		a.value = u64p(v[b]);
		a.flags = flags;
		r[b] = diff_call(b, BPF_MAP_LOOKUP_AND_DELETE_ELEM, &a);
	}
	if (diff_same_res(ctx, "lookup_and_delete", r, false) && r[0].ret == 0)
		diff_same_bytes(ctx, "deleted value", v[0], v[1], m->vsize);
	for (b = 0; b < 2; b++) {
		guard_intact(ctx, b, v[b], m->vsize);
		free(v[b]);
	}
}

void diff_op_next_key_exact(struct diff_ctx *ctx, struct diff_map *m,
			    const void *key)
{
	struct diff_res r[2];
	void *nk[2];
	int b;

	diff_begin(ctx, "get_next_key%s", key ? "" : " (first)");
	for (b = 0; b < 2; b++) {
		union bpf_attr a = { .map_fd = m->fd[b] };

		nk[b] = out_buf(m->key_size);
		a.key = u64p(key);
		a.next_key = u64p(nk[b]);
		r[b] = diff_call(b, BPF_MAP_GET_NEXT_KEY, &a);
	}
	if (diff_same_res(ctx, "get_next_key", r, false) && r[0].ret == 0)
		diff_same_bytes(ctx, "next key", nk[0], nk[1], m->key_size);
	for (b = 0; b < 2; b++) {
		guard_intact(ctx, b, nk[b], m->key_size);
		free(nk[b]);
	}
}

void diff_op_freeze(struct diff_ctx *ctx, struct diff_map *m)
{
	struct diff_res r[2];
	int b;

	diff_begin(ctx, "freeze");
	for (b = 0; b < 2; b++) {
		union bpf_attr a = { .map_fd = m->fd[b] };

		r[b] = diff_call(b, BPF_MAP_FREEZE, &a);
	}
	if (diff_same_res(ctx, "freeze", r, false) && r[0].ret == 0)
		m->frozen = true;
}

/*
 * BPF_OBJ_GET_INFO_BY_FD with a random info_len (short, exact, longer with
 * a zero or non-zero tail, or a NULL buffer) unless told the exact one;
 * every field but the id must match, and info_len written back too.  The
 * exact length also learns max_entries as created (some types round it).
 */
void diff_op_info(struct diff_ctx *ctx, struct diff_map *m, bool random_len)
{
	static const uint32_t extra[] = { 0, 0, 0, 8, 64 };
	struct bpf_map_info info[2];
	size_t want = sizeof(struct bpf_map_info);
	uint32_t len = want, out_len[2];
	unsigned char *buf[2];
	bool set_tail = false, null_buf = false;
	struct diff_res r[2];
	int b;

	if (random_len) {
		len = rng_chance(&ctx->rng, 50) ? rng_below(&ctx->rng, want + 1)
						 : want + RNG_PICK(&ctx->rng, extra);
		set_tail = len > want && rng_chance(&ctx->rng, 50);
		null_buf = len && rng_chance(&ctx->rng, 5);
	}
	diff_begin(ctx, "info len %u%s%s", len, set_tail ? " tail set" : "",
		   null_buf ? " NULL" : "");
	for (b = 0; b < 2; b++) {
		union bpf_attr a = {};

		buf[b] = out_buf(len + 64);
		memset(buf[b], 0, len + 64);
		if (set_tail)
			buf[b][len - 1] = 1;
		a.info.bpf_fd = m->fd[b];
		a.info.info_len = len;
		a.info.info = null_buf ? 0 : u64p(buf[b]);
		r[b] = diff_call(b, BPF_OBJ_GET_INFO_BY_FD, &a);
		out_len[b] = a.info.info_len;
		memset(&info[b], 0, sizeof(info[b]));
		memcpy(&info[b], buf[b], len < want ? len : want);
	}
	if (diff_same_res(ctx, "info", r, false) && r[0].ret == 0) {
		if (out_len[0] != out_len[1])
			diff_mismatch(ctx, "info_len: kernel %u, kbpf %u", out_len[0],
				      out_len[1]);
		info[0].id = info[1].id = 0;
		diff_same_bytes(ctx, "map info (id aside)", &info[0], &info[1],
				sizeof(info[0]));
		if (len >= want)
			m->max_entries = info[0].max_entries;
	}
	free(buf[0]);
	free(buf[1]);
}

/* A page that faults: for pointers that must be refused with EFAULT. */
static void *unmapped_page(void)
{
	static void *page;

	if (!page)
		page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return page;
}

void diff_op_bad_input(struct diff_ctx *ctx, struct diff_map *m)
{
	diff_op_bad_input_key(ctx, m, NULL);
}

void diff_op_bad_input_key(struct diff_ctx *ctx, struct diff_map *m,
			   const void *use_key)
{
	static const uint32_t cmds[] = {
		BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
		BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_ELEM,
	};
	uint32_t cmd = RNG_PICK(&ctx->rng, cmds), what = rng_below(&ctx->rng, 6);
	uint64_t flags = rng_next(&ctx->rng) >> rng_below(&ctx->rng, 64);
	uint32_t tail = 48 + rng_below(&ctx->rng, 16);
	unsigned char key[512] = {};
	void *bad = rng_chance(&ctx->rng, 50) ? NULL : unmapped_page();
	struct diff_res r[2];
	int b;

	/* Every random draw comes before the backends run: they get the same. */
	rng_bytes(&ctx->rng, key, sizeof(key) < m->key_size ? sizeof(key) : m->key_size);
	if (use_key && m->key_size <= sizeof(key))
		memcpy(key, use_key, m->key_size);
	diff_begin(ctx, "bad input to cmd %u (case %u)", cmd, what);
	for (b = 0; b < 2; b++) {
		union bpf_attr a = { .map_fd = m->fd[b] };
		void *out = out_buf(m->vsize + m->key_size);

		a.key = u64p(m->key_size ? key : NULL);
		a.value = u64p(out);
		switch (what) {
		case 0:		/* the key */
			a.key = u64p(bad);
			break;
		case 1:		/* the value or next key */
			a.value = u64p(bad);
			break;
		case 2:		/* flags */
			a.flags = flags;
			break;
		case 3:		/* a field past the command's last */
			((unsigned char *)&a)[tail] = 1;
			break;
		case 4:		/* a key for a map without keys, or none */
			a.key = u64p(m->key_size ? NULL : key);
			break;
		default:	/* an input value that cannot be read */
			a.value = u64p(cmd == BPF_MAP_UPDATE_ELEM ? bad : out);
			break;
		}
		r[b] = diff_call(b, cmd, &a);
		free(out);
	}
	diff_same_res(ctx, "bad input", r, false);
}

void diff_op_batch_exact(struct diff_ctx *ctx, struct diff_map *m, int cmd,
			 const void *keys, uint32_t nkeys)
{
	bool lookup = cmd == BPF_MAP_LOOKUP_BATCH ||
		      cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH;
	uint32_t count = lookup ? rng_below(&ctx->rng, m->max_entries + 3) : nkeys;
	size_t kbytes = (size_t)(count ? count : 1) * m->key_size;
	size_t vbytes = (size_t)(count ? count : 1) * m->vsize;
	void *in_batch = NULL, *out_batch[2], *k[2], *v[2];
	unsigned char cursor[512];
	uint32_t out_count[2];
	struct diff_res r[2];
	uint64_t elem_flags = rng_chance(&ctx->rng, 5) ? BPF_F_LOCK : 0;
	int b;

	if (lookup && rng_chance(&ctx->rng, 70) && m->key_size <= sizeof(cursor)) {
		rng_bytes(&ctx->rng, cursor, m->key_size);
		if (m->key_size == 4 && rng_chance(&ctx->rng, 80))
			*(uint32_t *)cursor %= m->max_entries + 2;
		in_batch = cursor;
	}
	diff_begin(ctx, "batch cmd %d count %u%s", cmd, count,
		   in_batch ? " from a cursor" : "");
	for (b = 0; b < 2; b++) {
		union bpf_attr a = {};

		out_batch[b] = out_buf(m->key_size ?: 1);
		k[b] = lookup ? out_buf(kbytes) : (void *)keys;
		v[b] = out_buf(vbytes);
		if (!lookup)	/* the values to write: the same on both */
			memset(v[b], 0x5a, vbytes);
		a.batch.map_fd = m->fd[b];
		a.batch.in_batch = u64p(in_batch);
		a.batch.out_batch = u64p(out_batch[b]);
		a.batch.keys = u64p(k[b]);
		a.batch.values = u64p(v[b]);
		a.batch.count = count;
		a.batch.elem_flags = elem_flags;
		r[b] = diff_call(b, cmd, &a);
		out_count[b] = a.batch.count;
	}
	if (diff_same_res(ctx, "batch", r, false)) {
		if (out_count[0] != out_count[1])
			diff_mismatch(ctx, "batch count: kernel %u, kbpf %u",
				      out_count[0], out_count[1]);
		else if (lookup && out_count[0] <= count &&
			 (r[0].ret == 0 || r[0].err == ENOENT)) {
			diff_same_bytes(ctx, "batch keys", k[0], k[1],
					(size_t)out_count[0] * m->key_size);
			diff_same_bytes(ctx, "batch values", v[0], v[1],
					(size_t)out_count[0] * m->vsize);
			if (out_count[0])
				diff_same_bytes(ctx, "out_batch", out_batch[0],
						out_batch[1], m->key_size);
		}
	}
	for (b = 0; b < 2; b++) {
		free(out_batch[b]);
		if (lookup)
			free(k[b]);
		free(v[b]);
	}
}

void diff_op_mmap(struct diff_ctx *ctx, struct diff_map *m)
{
	static const uint32_t prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
					  PROT_WRITE };
	long page = sysconf(_SC_PAGESIZE);
	size_t pages = ((size_t)m->max_entries * ((m->value_size + 7) & ~7u) +
			page - 1) / page;
	size_t len = (rng_below(&ctx->rng, pages + 1) + 1) * page;
	off_t off = rng_chance(&ctx->rng, 80) ? 0 : rng_below(&ctx->rng, 3) * page;
	int prot = RNG_PICK(&ctx->rng, prots);
	int flags = rng_chance(&ctx->rng, 90) ? MAP_SHARED : MAP_PRIVATE;
	struct diff_res r[2];
	void *p[2];
	int b;

	diff_begin(ctx, "mmap %zu bytes at %lld prot %d %s", len, (long long)off,
		   prot, flags == MAP_SHARED ? "shared" : "private");
	for (b = 0; b < 2; b++) {
		errno = 0;
		p[b] = mmap(NULL, len, prot, flags, m->fd[b], off);
		r[b].ret = p[b] == MAP_FAILED ? -1 : 0;
		r[b].err = p[b] == MAP_FAILED ? errno : 0;
	}
	if (diff_same_res(ctx, "mmap", r, false) && r[0].ret == 0) {
		diff_same_bytes(ctx, "mapped memory", p[0], p[1], len);
		if (prot & PROT_WRITE) {
			/* Write the same bytes through both: lookups must agree. */
			size_t at = rng_below(&ctx->rng, len), n = rng_below(&ctx->rng, 64);
			unsigned char bytes[64];

			rng_bytes(&ctx->rng, bytes, sizeof(bytes));
			if (at + n > len)
				n = len - at;
			memcpy((char *)p[0] + at, bytes, n);
			memcpy((char *)p[1] + at, bytes, n);
		}
	}
	for (b = 0; b < 2; b++)
		if (p[b] != MAP_FAILED)
			munmap(p[b], len);
}

void diff_gen_name(struct diff_ctx *ctx, union bpf_attr *attr)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEZ0123456789_.";
	uint32_t n = rng_below(&ctx->rng, sizeof(attr->map_name)), i;

	memset(attr->map_name, 0, sizeof(attr->map_name));
	for (i = 0; i < n; i++)
		attr->map_name[i] = ok[rng_below(&ctx->rng, sizeof(ok) - 1)];
	if (rng_chance(&ctx->rng, 3) && n)	/* a character names may not have */
		attr->map_name[rng_below(&ctx->rng, n)] = "-/ \x7f"[rng_below(&ctx->rng, 4)];
	if (rng_chance(&ctx->rng, 2))		/* no terminator */
		memset(attr->map_name, 'x', sizeof(attr->map_name));
}

uint64_t diff_gen_update_flags(struct diff_ctx *ctx)
{
	uint32_t d = rng_below(&ctx->rng, 100);

	if (d < 45)
		return BPF_ANY;
	if (d < 65)
		return BPF_NOEXIST;
	if (d < 88)
		return BPF_EXIST;
	if (d < 92)
		return BPF_F_LOCK | (d & 1 ? BPF_EXIST : 0);
	if (d < 96)
		return 3;
	return rng_next(&ctx->rng) >> rng_below(&ctx->rng, 64);
}
