// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: BPF_MAP_TYPE_RINGBUF - creation checks, bpf(2)'s element
 * commands, and the producer side (reserve, submit, discard, output,
 * query) read back the way libbpf's consumer reads a ring: through the
 * memory userspace maps (consumer page, producer page, data pages twice),
 * advancing consumer_pos itself.
 */
#include <kunit/test.h>
#include <linux/align.h>
#include <linux/irq_work.h>
#include <linux/irqflags.h>
#include <linux/numa.h>
#include <linux/poll.h>
#include <linux/wait.h>

#include "kbpf.h"

/* Records of 1000 bytes take 1008 with their header: four fill a page. */
#define REC	1000

#define BUSY	BPF_RINGBUF_BUSY_BIT
#define DISCARD	BPF_RINGBUF_DISCARD_BIT

static void map_put_action(void *map)
{
	kbpf_map_put(map);
}

static union bpf_attr ringbuf_attr(u32 size)
{
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_RINGBUF,
		.max_entries = size,
	};

	return attr;
}

/* A new RINGBUF map of @size data bytes, released when the test ends. */
static struct kbpf_map *new_ringbuf(struct kunit *test, u32 size)
{
	union bpf_attr attr = ringbuf_attr(size);
	struct kbpf_map *map = kbpf_map_new(&attr);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);
	return map;
}

/* What a consumer maps: the positions, and the data pages twice. */
struct view {
	unsigned long *consumer_pos;
	unsigned long *producer_pos;
	unsigned long *pending_pos;
	u8 *data;
	u32 size;
};

static struct view view_of(struct kbpf_map *map)
{
	u8 *area = kbpf_ringbuf_user_area(map);
	struct view v = {
		.consumer_pos = (unsigned long *)area,
		.producer_pos = (unsigned long *)(area + PAGE_SIZE),
		.pending_pos = (unsigned long *)(area + PAGE_SIZE) + 1,
		.data = area + 2 * PAGE_SIZE,
		.size = map->max_entries,
	};

	return v;
}

/* The header of the record at position @pos. */
static u32 *hdr_at(const struct view *v, unsigned long pos)
{
	return (u32 *)(v->data + (pos & (v->size - 1)));
}

static void set_consumer(const struct view *v, unsigned long pos)
{
	/* As a consumer publishes it: after reading what it passed. */
	smp_store_release(v->consumer_pos, pos);
}

/*
 * Consume as libbpf's ringbuf_process_ring() does: from consumer_pos,
 * stop at the first busy record, skip discarded ones, advance
 * consumer_pos past each.  Returns the records delivered (at most @max),
 * their lengths in @lens.
 */
static int consume(const struct view *v, u32 *lens, int max)
{
	unsigned long cons, prod;
	int n = 0;

	/* libbpf's barriers: acquire the positions and each header. */
	cons = smp_load_acquire(v->consumer_pos);
	/* Pairs with the producers' release of producer_pos. */
	prod = smp_load_acquire(v->producer_pos);
	while (cons != prod && n < max) {
		/* Pairs with the submit's xchg() of the length. */
		u32 len = smp_load_acquire(hdr_at(v, cons));

		if (len & BUSY)
			break;
		cons += round_up((len & ~DISCARD) + BPF_RINGBUF_HDR_SZ, 8);
		if (!(len & DISCARD)) {
			if (lens)
				lens[n] = len;
			n++;
		}
		set_consumer(v, cons);
	}
	return n;
}

struct create_case {
	const char *desc;
	union bpf_attr attr;
	int err;
};

#define RB_CASE(d, k, v, max, flags, e)					\
	{ d, { .map_type = BPF_MAP_TYPE_RINGBUF, .key_size = k,		\
	       .value_size = v, .max_entries = max, .map_flags = flags }, e }

static const struct create_case create_cases[] = {
	RB_CASE("key_size 4", 4, 0, 4096, 0, -EINVAL),
	RB_CASE("value_size 8", 0, 8, 4096, 0, -EINVAL),
	RB_CASE("max_entries 0", 0, 0, 0, 0, -EINVAL),
	RB_CASE("max_entries 4095", 0, 0, 4095, 0, -EINVAL),
	RB_CASE("max_entries 2048: power of 2, part of a page", 0, 0, 2048, 0, -EINVAL),
	RB_CASE("max_entries 1", 0, 0, 1, 0, -EINVAL),
	RB_CASE("max_entries 12288: pages, not a power of 2", 0, 0, 3 * 4096, 0, -EINVAL),
	RB_CASE("max_entries 0x80001000", 0, 0, 0x80001000, 0, -EINVAL),
	RB_CASE("max_entries 0xfffff000", 0, 0, 0xfffff000, 0, -EINVAL),
	RB_CASE("max_entries 0xffffffff", 0, 0, 0xffffffff, 0, -EINVAL),
	RB_CASE("BPF_F_RDONLY", 0, 0, 4096, BPF_F_RDONLY, -EINVAL),
	RB_CASE("BPF_F_WRONLY", 0, 0, 4096, BPF_F_WRONLY, -EINVAL),
	RB_CASE("BPF_F_RDONLY_PROG", 0, 0, 4096, BPF_F_RDONLY_PROG, -EINVAL),
	RB_CASE("BPF_F_WRONLY_PROG", 0, 0, 4096, BPF_F_WRONLY_PROG, -EINVAL),
	RB_CASE("BPF_F_MMAPABLE", 0, 0, 4096, BPF_F_MMAPABLE, -EINVAL),
	RB_CASE("BPF_F_NO_PREALLOC", 0, 0, 4096, BPF_F_NO_PREALLOC, -EINVAL),
	RB_CASE("BPF_F_INNER_MAP", 0, 0, 4096, BPF_F_INNER_MAP, -EINVAL),
	RB_CASE("unknown flag", 0, 0, 4096, 1U << 31, -EINVAL),
	{ "offline NUMA node", { .map_type = BPF_MAP_TYPE_RINGBUF, .max_entries = 4096,
				 .map_flags = BPF_F_NUMA_NODE,
				 .numa_node = 1U << 20 }, -EINVAL },
	{ "device offload", { .map_type = BPF_MAP_TYPE_RINGBUF, .max_entries = 4096,
			      .map_ifindex = 1 }, -EINVAL },
};

static void create_case_desc(const struct create_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(create, create_cases, create_case_desc);

static void ringbuf_create_refuses_bad_attributes(struct kunit *test)
{
	const struct create_case *c = test->param_value;
	struct kbpf_map *map = kbpf_map_new(&c->attr);

	if (!IS_ERR(map))
		kbpf_map_put(map);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map), c->err);
}

static void ringbuf_create_records_attributes_and_starts_empty(struct kunit *test)
{
	union bpf_attr attr = ringbuf_attr(4 * PAGE_SIZE);
	struct kbpf_map *map;
	struct view v;

	attr.map_flags = BPF_F_NUMA_NODE;
	attr.numa_node = first_online_node;
	strscpy(attr.map_name, "events", sizeof(attr.map_name));
	map = kbpf_map_new(&attr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);

	KUNIT_EXPECT_PTR_EQ(test, map->ops, &kbpf_ringbuf_map_ops);
	KUNIT_EXPECT_EQ(test, map->map_type, BPF_MAP_TYPE_RINGBUF);
	KUNIT_EXPECT_EQ(test, map->key_size, 0);
	KUNIT_EXPECT_EQ(test, map->value_size, 0);
	KUNIT_EXPECT_EQ(test, map->max_entries, 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, map->map_flags, BPF_F_NUMA_NODE);
	KUNIT_EXPECT_EQ(test, map->numa_node, first_online_node);
	KUNIT_EXPECT_STREQ(test, map->name, "events");

	/* Positions at 0, data zero, both copies of it. */
	v = view_of(map);
	KUNIT_EXPECT_EQ(test, *v.consumer_pos, 0);
	KUNIT_EXPECT_EQ(test, *v.producer_pos, 0);
	KUNIT_EXPECT_EQ(test, *v.pending_pos, 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(v.data, 0, 2 * v.size));
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_AVAIL_DATA), 0);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_RING_SIZE), 4 * PAGE_SIZE);
}

/* bpf(2)-side element commands with kernel buffers. */
static int cmd_elem(struct kbpf_map *map, int cmd, void *key, void *value,
		    u64 flags)
{
	union bpf_attr attr = {
		.key = (u64)key, .value = (u64)value, .flags = flags,
	};
	bpfptr_t uattr = KERNEL_BPFPTR(&attr);

	switch (cmd) {
	case BPF_MAP_LOOKUP_ELEM:
		return kbpf_map_lookup_elem(map, NULL, &attr, uattr);
	case BPF_MAP_UPDATE_ELEM:
		return kbpf_map_update_elem(map, NULL, &attr, uattr);
	case BPF_MAP_DELETE_ELEM:
		return kbpf_map_delete_elem(map, NULL, &attr, uattr);
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
		return kbpf_map_lookup_and_delete_elem(map, NULL, &attr, uattr);
	default:
		attr.next_key = attr.value;
		return kbpf_map_get_next_key(map, NULL, &attr, uattr);
	}
}

static void ringbuf_element_commands_are_the_kernels_errnos(struct kunit *test)
{
	static const int cmds[] = {
		BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
		BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_ELEM,
	};
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	u64 buf = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		/* No key: the command reaches the map, which has no elements. */
		KUNIT_EXPECT_EQ_MSG(test, cmd_elem(map, cmds[i], NULL, &buf, 0),
				    -ENOTSUPP, "cmd %d", cmds[i]);
		/* A key for a map without keys. */
		KUNIT_EXPECT_EQ_MSG(test, cmd_elem(map, cmds[i], &buf, &buf, 0),
				    -EINVAL, "cmd %d", cmds[i]);
	}
	/* Update takes any flags but BPF_F_LOCK to the map. */
	KUNIT_EXPECT_EQ(test, cmd_elem(map, BPF_MAP_UPDATE_ELEM, NULL, &buf, ~0ULL & ~BPF_F_LOCK),
			-ENOTSUPP);
	KUNIT_EXPECT_EQ(test, cmd_elem(map, BPF_MAP_UPDATE_ELEM, NULL, &buf, BPF_F_LOCK),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, cmd_elem(map, BPF_MAP_LOOKUP_AND_DELETE_ELEM, NULL, &buf,
				       BPF_F_LOCK), -EINVAL);
	/* The program view answers the same; no batch operations at all. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(map->ops->lookup(map, NULL)), -ENOTSUPP);
	KUNIT_EXPECT_EQ(test, map->ops->update(map, NULL, &buf, 0), -ENOTSUPP);
	KUNIT_EXPECT_EQ(test, map->ops->delete(map, NULL), -ENOTSUPP);
	KUNIT_EXPECT_NULL(test, map->ops->lookup_batch);
	KUNIT_EXPECT_NULL(test, map->ops->lookup_and_delete_batch);
	KUNIT_EXPECT_NULL(test, map->ops->update_batch);
	KUNIT_EXPECT_NULL(test, map->ops->delete_batch);
	KUNIT_EXPECT_NULL(test, map->ops->for_each);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_PROD_POS), 0);
}

static void ringbuf_reserve_writes_the_kernels_record_header(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, 2 * PAGE_SIZE);
	struct view v = view_of(map);
	u8 *a, *b, *c;

	a = kbpf_ringbuf_reserve(map, 10, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_PTR_EQ(test, a, v.data + BPF_RINGBUF_HDR_SZ);
	/* Length with the busy bit; the page offset from the ring's start. */
	KUNIT_EXPECT_EQ(test, hdr_at(&v, 0)[0], 10 | BUSY);
	/* The kernel's: one control page, the consumer and producer pages. */
	KUNIT_EXPECT_EQ(test, hdr_at(&v, 0)[1], 3);
	/* 8 + 10 bytes, rounded up to 8. */
	KUNIT_EXPECT_EQ(test, *v.producer_pos, 24);
	KUNIT_EXPECT_EQ(test, *v.consumer_pos, 0);

	memset(a, 0xab, 10);
	kbpf_ringbuf_submit(a, 0);
	KUNIT_EXPECT_EQ(test, hdr_at(&v, 0)[0], 10);
	KUNIT_EXPECT_NULL(test, memchr_inv(v.data + 8, 0xab, 10));

	/* A record of no data is a header alone, as the kernel allows. */
	b = kbpf_ringbuf_reserve(map, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_EQ(test, b, v.data + 24 + BPF_RINGBUF_HDR_SZ);
	KUNIT_EXPECT_EQ(test, hdr_at(&v, 24)[0], BUSY);
	KUNIT_EXPECT_EQ(test, *v.producer_pos, 32);
	kbpf_ringbuf_discard(b, 0);
	KUNIT_EXPECT_EQ(test, hdr_at(&v, 24)[0], DISCARD);

	/* Fill the first data page exactly: the next header is on the second. */
	c = kbpf_ringbuf_reserve(map, PAGE_SIZE - 32 - BPF_RINGBUF_HDR_SZ, 0);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)c, 8));
	kbpf_ringbuf_submit(c, 0);
	KUNIT_EXPECT_EQ(test, *v.producer_pos, PAGE_SIZE);
	c = kbpf_ringbuf_reserve(map, 1, 0);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, hdr_at(&v, PAGE_SIZE)[1], 4);
	kbpf_ringbuf_submit(c, 0);
	KUNIT_EXPECT_EQ(test, *v.producer_pos, PAGE_SIZE + 16);
}

static void ringbuf_record_is_busy_until_submitted(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct view v = view_of(map);
	void *a, *b, *c;
	u32 lens[4];

	a = kbpf_ringbuf_reserve(map, 16, 0);
	b = kbpf_ringbuf_reserve(map, 40, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	/* Submitted out of order: the consumer waits for the older record. */
	kbpf_ringbuf_submit(b, 0);
	KUNIT_EXPECT_EQ(test, hdr_at(&v, 24)[0], 40);
	KUNIT_EXPECT_EQ(test, consume(&v, lens, 4), 0);
	KUNIT_EXPECT_EQ(test, *v.consumer_pos, 0);

	kbpf_ringbuf_submit(a, 0);
	KUNIT_EXPECT_EQ(test, consume(&v, lens, 4), 2);
	KUNIT_EXPECT_EQ(test, lens[0], 16);
	KUNIT_EXPECT_EQ(test, lens[1], 40);
	KUNIT_EXPECT_EQ(test, *v.consumer_pos, 24 + 48);

	/* A discarded record is skipped, and its space passed over. */
	c = kbpf_ringbuf_reserve(map, 5, 0);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, consume(&v, lens, 4), 0);
	kbpf_ringbuf_discard(c, BPF_RB_NO_WAKEUP);
	KUNIT_EXPECT_EQ(test, hdr_at(&v, 72)[0], 5 | DISCARD);
	KUNIT_EXPECT_EQ(test, consume(&v, lens, 4), 0);
	KUNIT_EXPECT_EQ(test, *v.consumer_pos, 72 + 16);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_AVAIL_DATA), 0);
}

static void ringbuf_record_wrapping_the_end_reads_contiguously(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct view v = view_of(map);
	u8 *rec, filler[64] = {};
	u32 start, i, lens[1];

	/* Move both positions to 3008, near the end of the 4096-byte ring. */
	for (i = 0; i < 47; i++)
		KUNIT_ASSERT_EQ(test, kbpf_ringbuf_output(map, filler, 56, 0), 0);
	KUNIT_ASSERT_EQ(test, consume(&v, NULL, 100), 47);
	KUNIT_ASSERT_EQ(test, *v.consumer_pos, 3008);

	/* 2000 bytes from 3016: the last 920 land at the ring's start. */
	rec = kbpf_ringbuf_reserve(map, 2000, 0);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	start = 3008 + BPF_RINGBUF_HDR_SZ;
	KUNIT_EXPECT_PTR_EQ(test, rec, v.data + start);
	for (i = 0; i < 2000; i++)
		rec[i] = i * 7 + 1;
	kbpf_ringbuf_submit(rec, 0);

	/* Through the second copy, the record reads in one piece ... */
	for (i = 0; i < 2000; i++)
		KUNIT_ASSERT_EQ_MSG(test, v.data[start + i], (u8)(i * 7 + 1), "byte %u", i);
	/* ... and its tail is the ring's first bytes. */
	for (i = PAGE_SIZE - start; i < 2000; i++)
		KUNIT_ASSERT_EQ_MSG(test, v.data[start + i - PAGE_SIZE], (u8)(i * 7 + 1),
				    "byte %u", i);
	KUNIT_EXPECT_EQ(test, consume(&v, lens, 1), 1);
	KUNIT_EXPECT_EQ(test, lens[0], 2000);
	KUNIT_EXPECT_EQ(test, *v.consumer_pos, 3008 + 2008);

	/* The next record starts after the wrapped one, in the first copy. */
	rec = kbpf_ringbuf_reserve(map, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_PTR_EQ(test, rec, v.data + (3008 + 2008 - PAGE_SIZE) + 8);
	kbpf_ringbuf_submit(rec, 0);
}

static void ringbuf_full_ring_refuses_reservations(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct view v = view_of(map);
	u8 *data = kunit_kzalloc(test, REC, GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, data);
	/* 1008-byte records: four fit in 4096 bytes, a fifth does not. */
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, REC, 0), 0);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, REC, 0), -EAGAIN);
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, REC, 0));
	KUNIT_EXPECT_EQ(test, *v.producer_pos, 4032);

	/*
	 * The producer stays at least one byte short of a whole ring ahead
	 * of the consumer: a 56-byte record (64 with its header) would take
	 * it to 4096, a 48-byte one takes it to 4088.
	 */
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, 56, 0));
	KUNIT_EXPECT_NOT_NULL(test, kbpf_ringbuf_reserve(map, 48, 0));
	KUNIT_EXPECT_EQ(test, *v.producer_pos, 4088);
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, 0, 0));
	KUNIT_EXPECT_EQ(test, *v.producer_pos, 4088);
}

static void ringbuf_space_frees_only_when_the_consumer_advances(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct view v = view_of(map);
	u8 *data = kunit_kzalloc(test, REC, GFP_KERNEL);
	u32 lens[4];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, data);
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, kbpf_ringbuf_output(map, data, REC, 0), 0);
	/* Everything is submitted, nothing consumed: still full. */
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, REC, 0), -EAGAIN);

	/* One record consumed makes room for one record, not two. */
	KUNIT_EXPECT_EQ(test, consume(&v, lens, 1), 1);
	KUNIT_EXPECT_EQ(test, *v.consumer_pos, 1008);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, REC, 0), 0);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, REC, 0), -EAGAIN);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_AVAIL_DATA), 4032);

	/* All consumed: the ring takes four more. */
	KUNIT_EXPECT_EQ(test, consume(&v, lens, 4), 4);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, REC, 0), 0);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, REC, 0), -EAGAIN);
}

/*
 * A consumer that skips a busy record (it may write any consumer_pos)
 * does not free that record's space: producers also stay within a ring's
 * length of the oldest busy record.
 */
static void ringbuf_busy_record_keeps_its_space_from_a_skipping_consumer(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct view v = view_of(map);
	u8 *data = kunit_kzalloc(test, REC, GFP_KERNEL);
	void *busy;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, data);
	busy = kbpf_ringbuf_reserve(map, REC, 0);
	KUNIT_ASSERT_NOT_NULL(test, busy);
	set_consumer(&v, 1008);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, REC, 0), 0);
	/* 5040 - 1008 would fit behind the consumer, not behind the busy record. */
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, REC, 0), -EAGAIN);
	KUNIT_EXPECT_EQ(test, *v.pending_pos, 0);

	kbpf_ringbuf_submit(busy, BPF_RB_NO_WAKEUP);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, REC, 0), 0);
	/* The reservation passed every submitted record. */
	KUNIT_EXPECT_EQ(test, *v.pending_pos, 4032);
	KUNIT_EXPECT_EQ(test, *v.producer_pos, 5040);
}

static void ringbuf_refuses_bad_sizes_and_flags(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct kbpf_map *array;
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8,
		.max_entries = 1,
	};
	struct view v = view_of(map);
	u8 data[8] = {};

	/* Reservations take no flags. */
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, 8, 1));
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, 8, BPF_RB_FORCE_WAKEUP));
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, 8, 1ULL << 63));
	/* Past the header's 30 bits of length, or past the ring's size. */
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, UINT_MAX / 4 + 1, 0));
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, U64_MAX, 0));
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, 1ULL << 32, 0));
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, PAGE_SIZE, 0));
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, PAGE_SIZE - 8, 0));
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(map, PAGE_SIZE - 15, 0));
	/* Output: only the wake-up flags; a size that cannot fit is EAGAIN. */
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, 8, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, 8, ~0ULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, UINT_MAX / 4 + 1, 0), -EAGAIN);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, PAGE_SIZE, 0), -EAGAIN);
	/* None of that moved anything. */
	KUNIT_EXPECT_EQ(test, *v.producer_pos, 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(v.data, 0, v.size));

	/* The largest record that fits an empty ring: size - 8 in all. */
	KUNIT_EXPECT_NOT_NULL(test, kbpf_ringbuf_reserve(map, PAGE_SIZE - 16, 0));
	KUNIT_EXPECT_EQ(test, *v.producer_pos, PAGE_SIZE - 8);

	/* Another map type is not a ring. */
	array = kbpf_map_new(&attr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, array);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, array), 0);
	KUNIT_EXPECT_NULL(test, kbpf_ringbuf_reserve(array, 8, 0));
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(array, data, 8, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(array, BPF_RB_RING_SIZE), 0);
}

static void ringbuf_query_reports_positions_and_size(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, 2 * PAGE_SIZE);
	struct view v = view_of(map);
	u8 data[100] = {};
	void *rec;

	KUNIT_ASSERT_EQ(test, kbpf_ringbuf_output(map, data, 100, 0), 0);
	KUNIT_ASSERT_EQ(test, kbpf_ringbuf_output(map, data, 20, 0), 0);
	KUNIT_ASSERT_EQ(test, consume(&v, NULL, 1), 1);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_AVAIL_DATA), 32);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_RING_SIZE), 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_CONS_POS), 112);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_PROD_POS), 144);
	/* Unknown flags: 0. */
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, 4), 0);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, ~0ULL), 0);
	/* Positions keep growing past the ring's size. */
	set_consumer(&v, 144);
	rec = kbpf_ringbuf_reserve(map, 2 * PAGE_SIZE - 144 - 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	kbpf_ringbuf_submit(rec, 0);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_PROD_POS), 2 * PAGE_SIZE);
	set_consumer(&v, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, kbpf_ringbuf_output(map, data, 1, 0), 0);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_PROD_POS), 2 * PAGE_SIZE + 16);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_query(map, BPF_RB_AVAIL_DATA), 16);
}

/* The map's poll() mask, as a plain integer. */
static u32 poll_mask(struct kbpf_map *map, poll_table *pt)
{
	return (__force u32)map->ops->poll(map, NULL, pt);
}

#define READABLE ((__force u32)(EPOLLIN | EPOLLRDNORM))

/* A wait queue entry hooked in through the map's poll, counting wake-ups. */
struct wake_hook {
	poll_table pt;
	struct wait_queue_entry entry;
	wait_queue_head_t *head;
	atomic_t wakeups;
};

static int wake_hook_count(struct wait_queue_entry *entry, unsigned int mode,
			   int sync, void *key)
{
	struct wake_hook *h = container_of(entry, struct wake_hook, entry);

	atomic_inc(&h->wakeups);
	return 0;
}

static void wake_hook_queue(struct file *file, wait_queue_head_t *head,
			    poll_table *pt)
{
	struct wake_hook *h = container_of(pt, struct wake_hook, pt);

	h->head = head;
	init_waitqueue_func_entry(&h->entry, wake_hook_count);
	add_wait_queue(head, &h->entry);
}

static void wake_hook_remove(void *data)
{
	struct wake_hook *h = data;

	if (h->head)
		remove_wait_queue(h->head, &h->entry);
}

static struct wake_hook *hook_wakeups(struct kunit *test, struct kbpf_map *map)
{
	struct wake_hook *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	init_poll_funcptr(&h->pt, wake_hook_queue);
	KUNIT_EXPECT_EQ(test, poll_mask(map, &h->pt), 0);
	KUNIT_ASSERT_NOT_NULL(test, h->head);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, wake_hook_remove, h), 0);
	return h;
}

/* Wake-ups since the last call, once the queued ones have run. */
static int wakeups(struct kbpf_map *map, struct wake_hook *h)
{
	kbpf_ringbuf_wakeup_sync(map);
	return atomic_xchg(&h->wakeups, 0);
}

static void ringbuf_wakeups_follow_the_flags(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct wake_hook *h = hook_wakeups(test, map);
	struct view v = view_of(map);
	u8 data[8] = {};
	void *rec;

	/* The consumer waits at this record: woken. */
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, 8, 0), 0);
	KUNIT_EXPECT_EQ(test, wakeups(map, h), 1);
	/* It has a record before this one to read first: not woken. */
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, 8, 0), 0);
	KUNIT_EXPECT_EQ(test, wakeups(map, h), 0);
	/* BPF_RB_FORCE_WAKEUP: woken all the same. */
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, 8, BPF_RB_FORCE_WAKEUP), 0);
	KUNIT_EXPECT_EQ(test, wakeups(map, h), 1);

	/* BPF_RB_NO_WAKEUP: not even when the consumer waits here. */
	set_consumer(&v, *v.producer_pos);
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, 8, BPF_RB_NO_WAKEUP), 0);
	KUNIT_EXPECT_EQ(test, wakeups(map, h), 0);
	/* Both flags: the forced wake-up wins, as in the kernel. */
	KUNIT_EXPECT_EQ(test, kbpf_ringbuf_output(map, data, 8,
						  BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP), 0);
	KUNIT_EXPECT_EQ(test, wakeups(map, h), 1);

	/* Reserving wakes no one; the submit or discard does. */
	set_consumer(&v, *v.producer_pos);
	rec = kbpf_ringbuf_reserve(map, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, wakeups(map, h), 0);
	kbpf_ringbuf_discard(rec, 0);
	KUNIT_EXPECT_EQ(test, wakeups(map, h), 1);
	/* A submit ignores flag bits it does not know. */
	set_consumer(&v, *v.producer_pos);
	rec = kbpf_ringbuf_reserve(map, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	kbpf_ringbuf_submit(rec, 1ULL << 40);
	KUNIT_EXPECT_EQ(test, wakeups(map, h), 1);
}

static void ringbuf_poll_reports_unconsumed_data(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct view v = view_of(map);
	void *rec;

	KUNIT_EXPECT_EQ(test, poll_mask(map, NULL), 0);
	/* A busy record counts: the producer position moved. */
	rec = kbpf_ringbuf_reserve(map, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, poll_mask(map, NULL), READABLE);
	kbpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
	KUNIT_EXPECT_EQ(test, poll_mask(map, NULL), READABLE);
	KUNIT_EXPECT_EQ(test, consume(&v, NULL, 1), 1);
	KUNIT_EXPECT_EQ(test, poll_mask(map, NULL), 0);
	/* Any difference between the positions, whatever the consumer wrote. */
	set_consumer(&v, 8);
	KUNIT_EXPECT_EQ(test, poll_mask(map, NULL), READABLE);
}

struct irq_producer {
	struct irq_work work;
	struct kbpf_map *map;
	long output_err;
	bool reserved, in_irq;
};

static void irq_produce(struct irq_work *work)
{
	struct irq_producer *p = container_of(work, struct irq_producer, work);
	u8 data[24] = { 1, 2, 3 };
	void *rec;

	p->in_irq = in_hardirq() && irqs_disabled();
	p->output_err = kbpf_ringbuf_output(p->map, data, sizeof(data), BPF_RB_FORCE_WAKEUP);
	rec = kbpf_ringbuf_reserve(p->map, 8, 0);
	p->reserved = rec;
	if (rec)
		kbpf_ringbuf_submit(rec, 0);
}

/* Producers run where programs run: interrupts off, or in a hard IRQ. */
static void ringbuf_produces_with_interrupts_off_and_in_hardirq(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, PAGE_SIZE);
	struct irq_producer p = { .map = map, .output_err = 1 };
	struct view v = view_of(map);
	unsigned long irqflags;
	u8 data[16] = {};
	u32 lens[4];
	void *rec;

	local_irq_save(irqflags);
	rec = kbpf_ringbuf_reserve(map, 16, 0);
	if (rec)
		kbpf_ringbuf_submit(rec, 0);
	p.output_err = kbpf_ringbuf_output(map, data, REC, 0);
	local_irq_restore(irqflags);
	KUNIT_EXPECT_NOT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, p.output_err, 0);

	init_irq_work(&p.work, irq_produce);
	KUNIT_ASSERT_TRUE(test, irq_work_queue(&p.work));
	irq_work_sync(&p.work);
	KUNIT_EXPECT_TRUE(test, p.in_irq);
	KUNIT_EXPECT_EQ(test, p.output_err, 0);
	KUNIT_EXPECT_TRUE(test, p.reserved);
	kbpf_ringbuf_wakeup_sync(map);

	KUNIT_EXPECT_EQ(test, consume(&v, lens, 4), 4);
	KUNIT_EXPECT_EQ(test, lens[2], 24);
	KUNIT_EXPECT_EQ(test, lens[3], 8);
}

static void ringbuf_memory_is_charged_at_creation(struct kunit *test)
{
	struct kbpf_map *map = new_ringbuf(test, 16 * PAGE_SIZE);

	/* 16 data pages, the consumer and producer pages, and kbpf's own. */
	KUNIT_EXPECT_GE(test, map->ops->mem_usage(map), 19 * PAGE_SIZE);
	KUNIT_EXPECT_LT(test, map->ops->mem_usage(map), 21 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, map->charged, map->ops->mem_usage(map));
	KUNIT_EXPECT_GE(test, kbpf_mem_used(), map->charged);
}

static struct kunit_case kbpf_ringbuf_cases[] = {
	KUNIT_CASE_PARAM(ringbuf_create_refuses_bad_attributes, create_gen_params),
	KUNIT_CASE(ringbuf_create_records_attributes_and_starts_empty),
	KUNIT_CASE(ringbuf_element_commands_are_the_kernels_errnos),
	KUNIT_CASE(ringbuf_reserve_writes_the_kernels_record_header),
	KUNIT_CASE(ringbuf_record_is_busy_until_submitted),
	KUNIT_CASE(ringbuf_record_wrapping_the_end_reads_contiguously),
	KUNIT_CASE(ringbuf_full_ring_refuses_reservations),
	KUNIT_CASE(ringbuf_space_frees_only_when_the_consumer_advances),
	KUNIT_CASE(ringbuf_busy_record_keeps_its_space_from_a_skipping_consumer),
	KUNIT_CASE(ringbuf_refuses_bad_sizes_and_flags),
	KUNIT_CASE(ringbuf_query_reports_positions_and_size),
	KUNIT_CASE(ringbuf_wakeups_follow_the_flags),
	KUNIT_CASE(ringbuf_poll_reports_unconsumed_data),
	KUNIT_CASE(ringbuf_produces_with_interrupts_off_and_in_hardirq),
	KUNIT_CASE(ringbuf_memory_is_charged_at_creation),
	{}
};

static struct kunit_suite kbpf_ringbuf_suite = {
	.name = "kbpf_ringbuf",
	.test_cases = kbpf_ringbuf_cases,
};

kunit_test_suite(kbpf_ringbuf_suite);
