// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: perf buffers and BPF_MAP_TYPE_PERF_EVENT_ARRAY - the ring's
 * records as perf's ring writes them (layout, padding, wrap-around, lost
 * records, data_tail, wakeups), the ring's mapping rules, the array's
 * slots, and kbpf_perf_event_output()'s errnos.
 *
 * The ring is read here through the kernel's view of its pages, as a
 * consumer reads its mapping: records from data_tail to data_head.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/kbpf.h>
#include <linux/perf_event.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "kbpf.h"

#define RECORD(n)	(sizeof(struct perf_event_header) + round_up((n) + 4, 8))
#define LOST_RECORD	(sizeof(struct perf_event_header) + 2 * sizeof(u64))

static void buffer_put_action(void *buf)
{
	kbpf_perf_buffer_put(buf);
}

static void buffer_unmap_action(void *buf)
{
	kbpf_perf_buffer_unmap(buf);
}

static void map_put_action(void *map)
{
	kbpf_map_put(map);
}

/* A buffer for @cpu, released when the test ends. */
static struct kbpf_perf_buffer *new_buffer_on(struct kunit *test, u32 cpu,
					      u32 flags, u32 wakeup)
{
	struct kbpf_perf_buffer_attr attr = {
		.size = sizeof(attr), .flags = flags, .cpu = cpu,
		.wakeup_events = wakeup,
	};
	struct kbpf_perf_buffer *buf = kbpf_perf_buffer_new(&attr);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, buffer_put_action, buf), 0);
	return buf;
}

static struct kbpf_perf_buffer *new_buffer(struct kunit *test, u32 flags,
					   u32 wakeup)
{
	return new_buffer_on(test, cpumask_first(cpu_online_mask), flags, wakeup);
}

/* Map its ring (@nr_pages data pages) until the test ends; its header page. */
static struct perf_event_mmap_page *map_ring(struct kunit *test,
					     struct kbpf_perf_buffer *buf,
					     unsigned long nr_pages, bool writable)
{
	struct perf_event_mmap_page *up;

	KUNIT_ASSERT_EQ(test, kbpf_perf_buffer_map(buf, nr_pages, writable), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, buffer_unmap_action, buf), 0);
	up = kbpf_perf_buffer_user_page(buf);
	KUNIT_ASSERT_NOT_NULL(test, up);
	return up;
}

/* A writable ring of @nr_pages data pages on a new buffer. */
static struct kbpf_perf_buffer *new_ring(struct kunit *test, unsigned long nr_pages,
					 struct perf_event_mmap_page **up)
{
	struct kbpf_perf_buffer *buf = new_buffer(test, 0, 1);

	*up = map_ring(test, buf, nr_pages, true);
	return buf;
}

static int output(struct kbpf_perf_buffer *buf, const void *data, u32 size)
{
	return kbpf_perf_buffer_output(buf, PERF_RECORD_MISC_KERNEL, data, size);
}

/* The record at @pos: its header, and up to @max bytes after it. */
static struct perf_event_header read_record(struct kunit *test,
					    struct kbpf_perf_buffer *buf,
					    u64 pos, void *body, u32 max)
{
	struct perf_event_header h;

	KUNIT_ASSERT_EQ(test, kbpf_perf_buffer_read(buf, pos, &h, sizeof(h)), 0);
	max = min_t(u32, max, h.size - sizeof(h));
	if (body && max)
		KUNIT_ASSERT_EQ(test, kbpf_perf_buffer_read(buf, pos + sizeof(h), body, max), 0);
	return h;
}

/* Check the PERF_RECORD_SAMPLE at @pos carries @n bytes of @data; its size. */
static u32 expect_sample(struct kunit *test, struct kbpf_perf_buffer *buf,
			 u64 pos, const u8 *data, u32 n)
{
	u8 *body = kunit_kzalloc(test, RECORD(n), GFP_KERNEL);
	struct perf_event_header h;
	u32 raw_size;

	KUNIT_ASSERT_NOT_NULL(test, body);
	h = read_record(test, buf, pos, body, RECORD(n));
	KUNIT_EXPECT_EQ(test, h.type, PERF_RECORD_SAMPLE);
	KUNIT_EXPECT_EQ(test, h.misc, PERF_RECORD_MISC_KERNEL);
	KUNIT_EXPECT_EQ(test, h.size, RECORD(n));
	memcpy(&raw_size, body, sizeof(raw_size));
	/* The raw size counts the padding, as perf_prepare_sample() has it. */
	KUNIT_EXPECT_EQ(test, raw_size, round_up(n + 4, 8) - 4);
	KUNIT_EXPECT_EQ(test, memcmp(body + 4, data, n), 0);
	return h.size;
}

static void perf_buffer_new_refuses_bad_attributes(struct kunit *test)
{
	struct kbpf_perf_buffer_attr attr = { .size = sizeof(attr) };

	attr.flags = 2;
	KUNIT_EXPECT_EQ(test, PTR_ERR(kbpf_perf_buffer_new(&attr)), -EINVAL);
	attr.flags = 0;
	attr.wakeup_events = (u32)INT_MAX + 1;
	KUNIT_EXPECT_EQ(test, PTR_ERR(kbpf_perf_buffer_new(&attr)), -EINVAL);
	attr.flags = KBPF_PERF_BUFFER_WATERMARK;
	KUNIT_EXPECT_EQ(test, PTR_ERR(kbpf_perf_buffer_new(&attr)), -EINVAL);
	attr.flags = 0;
	attr.wakeup_events = 1;
	attr.cpu = nr_cpu_ids;
	KUNIT_EXPECT_EQ(test, PTR_ERR(kbpf_perf_buffer_new(&attr)), -EINVAL);
	attr.cpu = U32_MAX;
	KUNIT_EXPECT_EQ(test, PTR_ERR(kbpf_perf_buffer_new(&attr)), -EINVAL);
}

static void perf_buffer_ids_are_unique(struct kunit *test)
{
	struct kbpf_perf_buffer *a = new_buffer(test, 0, 1), *b = new_buffer(test, 0, 1);

	KUNIT_EXPECT_NE(test, kbpf_perf_buffer_id(a), 0);
	KUNIT_EXPECT_NE(test, kbpf_perf_buffer_id(a), kbpf_perf_buffer_id(b));
}

static void ring_header_page_is_filled_as_perf_fills_it(struct kunit *test)
{
	struct perf_event_mmap_page *up;

	new_ring(test, 4, &up);
	KUNIT_EXPECT_EQ(test, up->version, 0);
	KUNIT_EXPECT_EQ(test, up->compat_version, 0);
	/* cap_bit0 clear, cap_bit0_is_deprecated set, no other capability */
	KUNIT_EXPECT_EQ(test, up->capabilities, 2);
	KUNIT_EXPECT_EQ(test, up->size, offsetof(struct perf_event_mmap_page, __reserved));
	KUNIT_EXPECT_EQ(test, up->data_offset, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, up->data_size, 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, up->data_head, 0);
	KUNIT_EXPECT_EQ(test, up->data_tail, 0);
	KUNIT_EXPECT_EQ(test, up->aux_offset, 0);
	KUNIT_EXPECT_EQ(test, up->aux_size, 0);
}

/* header, u32 size, data, padding to 8; data_head moves by the record. */
static void ring_record_layout_and_padding(struct kunit *test)
{
	static const u32 sizes[] = { 0, 1, 3, 4, 5, 8, 12, 13, 100 };
	struct perf_event_mmap_page *up;
	struct kbpf_perf_buffer *buf = new_ring(test, 1, &up);
	u8 data[100];
	u64 pos = 0;
	u32 i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = i + 1;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_ASSERT_EQ(test, output(buf, data, sizes[i]), 0);
		KUNIT_EXPECT_EQ(test, up->data_head, pos + RECORD(sizes[i]));
		pos += expect_sample(test, buf, pos, data, sizes[i]);
	}
	/* 0: header and a raw size of 4, then 4 bytes of padding: 16. */
	KUNIT_EXPECT_EQ(test, RECORD(0), 16);
	KUNIT_EXPECT_EQ(test, RECORD(5), 24);
}

/* The padding is skipped, not written: it keeps what the ring held, as perf's. */
static void ring_padding_keeps_older_bytes(struct kunit *test)
{
	struct perf_event_mmap_page *up;
	struct kbpf_perf_buffer *buf = new_ring(test, 1, &up);
	u8 *ones = kunit_kmalloc(test, PAGE_SIZE / 2, GFP_KERNEL), body[16];
	u64 pos;

	KUNIT_ASSERT_NOT_NULL(test, ones);
	memset(ones, 0xff, PAGE_SIZE / 2);
	/* Two records of 2048 fill the page, and are consumed. */
	KUNIT_ASSERT_EQ(test, output(buf, ones, PAGE_SIZE / 2 - 12), 0);
	up->data_tail = up->data_head;
	KUNIT_ASSERT_EQ(test, output(buf, ones, PAGE_SIZE / 2 - 12), 0);
	up->data_tail = up->data_head;
	KUNIT_ASSERT_EQ(test, up->data_head, PAGE_SIZE);
	/* One byte of data: 3 bytes of padding over the 0xff's. */
	pos = up->data_head;
	KUNIT_ASSERT_EQ(test, output(buf, "x", 1), 0);
	read_record(test, buf, pos, body, sizeof(body));
	KUNIT_EXPECT_EQ(test, body[4], 'x');
	KUNIT_EXPECT_EQ(test, body[5], 0xff);
	KUNIT_EXPECT_EQ(test, body[7], 0xff);
}

/* A record crossing the end of the data area continues at its start. */
static void ring_records_wrap_around_the_data_area(struct kunit *test)
{
	struct perf_event_mmap_page *up;
	struct kbpf_perf_buffer *buf = new_ring(test, 2, &up);
	const u64 data_size = 2 * PAGE_SIZE;
	u8 data[300];
	u64 pos = 0;
	u32 i, n, wrapped = 0;

	for (i = 0; i < 100; i++) {
		n = sizeof(data) - i;
		memset(data, i, sizeof(data));
		KUNIT_ASSERT_EQ(test, output(buf, data, n), 0);
		if (pos / data_size != (pos + RECORD(n) - 1) / data_size)
			wrapped++;
		pos += expect_sample(test, buf, pos, data, n);
		KUNIT_EXPECT_EQ(test, up->data_head, pos);
		up->data_tail = pos;	/* consumed */
	}
	/* 100 records of ~300 bytes went three times around 8 KiB. */
	KUNIT_EXPECT_GT(test, pos, 3 * 2 * PAGE_SIZE);
	KUNIT_EXPECT_GT(test, wrapped, 0);
}

/*
 * Space is perf's CIRC_SPACE(head, data_tail): one byte short of the ring,
 * so records of 16 bytes fill a 4 KiB ring but for one; advancing
 * data_tail frees exactly what it passes.
 */
static void ring_honours_data_tail(struct kunit *test)
{
	struct perf_event_mmap_page *up;
	struct kbpf_perf_buffer *buf = new_ring(test, 1, &up);
	u32 i, v = 0;

	for (i = 0; i < PAGE_SIZE / 16 - 1; i++)
		KUNIT_ASSERT_EQ(test, output(buf, &v, 4), 0);
	KUNIT_EXPECT_EQ(test, up->data_head, PAGE_SIZE - 16);
	KUNIT_EXPECT_EQ(test, output(buf, &v, 4), -ENOSPC);
	up->data_tail = 8;		/* half a record: not enough */
	KUNIT_EXPECT_EQ(test, output(buf, &v, 4), -ENOSPC);
	up->data_tail = 16 + 16;	/* two records' worth */
	/* The first record after a loss is preceded by the LOST record (24). */
	KUNIT_EXPECT_EQ(test, output(buf, &v, 4), 0);
	KUNIT_EXPECT_EQ(test, up->data_head, PAGE_SIZE - 16 + LOST_RECORD + 16);
	KUNIT_EXPECT_EQ(test, output(buf, &v, 4), -ENOSPC);
}

/*
 * Records that do not fit are counted, and the first one that fits again
 * is preceded by one PERF_RECORD_LOST with the count and the buffer's id.
 */
static void ring_counts_lost_records(struct kunit *test)
{
	struct perf_event_mmap_page *up;
	struct kbpf_perf_buffer *buf = new_ring(test, 1, &up);
	u8 data[100] = { 7 };
	struct {
		u64 id;
		u64 lost;
	} body;
	struct perf_event_header h;
	u32 written = 0, refused = 0;
	u64 pos;

	while (output(buf, data, sizeof(data)) == 0)
		written++;
	refused++;
	for (; refused < 5; refused++)
		KUNIT_EXPECT_EQ(test, output(buf, data, sizeof(data)), -ENOSPC);
	KUNIT_EXPECT_EQ(test, written, (PAGE_SIZE - 1) / RECORD(100));
	pos = up->data_head;
	KUNIT_EXPECT_EQ(test, pos, written * RECORD(100));

	up->data_tail = pos;	/* consume everything */
	KUNIT_ASSERT_EQ(test, output(buf, data, sizeof(data)), 0);
	h = read_record(test, buf, pos, &body, sizeof(body));
	KUNIT_EXPECT_EQ(test, h.type, PERF_RECORD_LOST);
	KUNIT_EXPECT_EQ(test, h.misc, 0);
	KUNIT_EXPECT_EQ(test, h.size, LOST_RECORD);
	KUNIT_EXPECT_EQ(test, body.id, kbpf_perf_buffer_id(buf));
	KUNIT_EXPECT_EQ(test, body.lost, refused);
	expect_sample(test, buf, pos + LOST_RECORD, data, sizeof(data));
	KUNIT_EXPECT_EQ(test, up->data_head, pos + LOST_RECORD + RECORD(100));

	/* The count restarts: the next record has no LOST in front. */
	pos = up->data_head;
	KUNIT_ASSERT_EQ(test, output(buf, data, sizeof(data)), 0);
	expect_sample(test, buf, pos, data, sizeof(data));
}

/* A ring first mapped read-only overwrites: data_tail is not looked at. */
static void ring_mapped_read_only_overwrites(struct kunit *test)
{
	struct kbpf_perf_buffer *buf = new_buffer(test, 0, 1);
	struct perf_event_mmap_page *up = map_ring(test, buf, 1, false);
	u8 data[100] = {};
	u32 i;

	for (i = 0; i < 200; i++)
		KUNIT_ASSERT_EQ(test, output(buf, data, sizeof(data)), 0);
	KUNIT_EXPECT_EQ(test, up->data_head, 200 * RECORD(100));
	KUNIT_EXPECT_EQ(test, up->data_tail, 0);
}

static void ring_without_data_pages_takes_nothing(struct kunit *test)
{
	struct kbpf_perf_buffer *buf = new_buffer(test, 0, 1);
	struct perf_event_mmap_page *up = map_ring(test, buf, 0, true);
	u32 v = 0;

	KUNIT_EXPECT_EQ(test, up->data_size, 0);
	KUNIT_EXPECT_EQ(test, output(buf, &v, 4), -ENOSPC);
	KUNIT_EXPECT_EQ(test, up->data_head, 0);
}

static void buffer_without_ring_refuses_output(struct kunit *test)
{
	struct kbpf_perf_buffer *buf = new_buffer(test, 0, 1);
	u32 v = 0;

	KUNIT_EXPECT_NULL(test, kbpf_perf_buffer_user_page(buf));
	KUNIT_EXPECT_EQ(test, output(buf, &v, 4), -ENOSPC);
}

/* header.size is 16 bits: 65516 raw bytes make the largest record. */
static void ring_refuses_records_past_16_bits(struct kunit *test)
{
	struct perf_event_mmap_page *up;
	struct kbpf_perf_buffer *buf = new_ring(test, 16, &up);
	u8 *data = kunit_kzalloc(test, KBPF_PERF_MAX_RAW_SIZE + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, data);
	KUNIT_EXPECT_EQ(test, output(buf, data, KBPF_PERF_MAX_RAW_SIZE + 1), -E2BIG);
	KUNIT_EXPECT_EQ(test, up->data_head, 0);
	KUNIT_EXPECT_EQ(test, output(buf, data, KBPF_PERF_MAX_RAW_SIZE), 0);
	KUNIT_EXPECT_EQ(test, up->data_head, 65528);
	KUNIT_EXPECT_EQ(test, RECORD(KBPF_PERF_MAX_RAW_SIZE), 65528);
}

/*
 * The first mapping sizes the ring; others must match; the last unmap
 * detaches it, and the next mapping makes a new one of any size.
 */
static void ring_is_sized_by_the_first_mapping(struct kunit *test)
{
	struct kbpf_perf_buffer *buf = new_buffer(test, 0, 1);
	struct perf_event_mmap_page *up;
	u32 v = 0;

	KUNIT_ASSERT_EQ(test, kbpf_perf_buffer_map(buf, 4, true), 0);
	KUNIT_EXPECT_EQ(test, kbpf_perf_buffer_map(buf, 8, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, kbpf_perf_buffer_map(buf, 0, true), -EINVAL);
	KUNIT_ASSERT_EQ(test, kbpf_perf_buffer_map(buf, 4, false), 0);
	KUNIT_EXPECT_EQ(test, output(buf, &v, 4), 0);
	kbpf_perf_buffer_unmap(buf);
	KUNIT_EXPECT_NOT_NULL(test, kbpf_perf_buffer_user_page(buf));
	kbpf_perf_buffer_unmap(buf);
	KUNIT_EXPECT_NULL(test, kbpf_perf_buffer_user_page(buf));
	KUNIT_EXPECT_EQ(test, output(buf, &v, 4), -ENOSPC);

	up = map_ring(test, buf, 8, true);
	KUNIT_EXPECT_EQ(test, up->data_size, 8 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, up->data_head, 0);
	/* While mapped, another size is EINVAL, even one too large to allocate. */
	KUNIT_EXPECT_EQ(test, kbpf_perf_buffer_map(buf, 1UL << 19, true), -EINVAL);
}

static void ring_refuses_sizes_past_perfs_limit(struct kunit *test)
{
	struct kbpf_perf_buffer *buf = new_buffer(test, 0, 1);
	unsigned long max = (PAGE_SIZE << 10) / sizeof(void *) / 2;

	KUNIT_EXPECT_EQ(test, kbpf_perf_buffer_map(buf, max * 2, true), -ENOMEM);
	KUNIT_EXPECT_EQ(test, kbpf_perf_buffer_map(buf, 1UL << 40, true), -ENOMEM);
	KUNIT_EXPECT_NULL(test, kbpf_perf_buffer_user_page(buf));
}

/* The poll bits, as an integer KUnit can compare. */
static unsigned int poll_buf(struct kbpf_perf_buffer *buf)
{
	return (__force unsigned int)kbpf_perf_buffer_poll(buf, NULL, NULL);
}

#define READABLE ((__force unsigned int)(EPOLLIN | EPOLLRDNORM))
#define HANGUP ((__force unsigned int)EPOLLHUP)

/* EPOLLHUP without a ring; a wakeup's EPOLLIN is reported once. */
static void poll_reports_each_wakeup_once(struct kunit *test)
{
	struct kbpf_perf_buffer *buf = new_buffer(test, 0, 1);
	u32 v = 0;

	KUNIT_EXPECT_EQ(test, poll_buf(buf), HANGUP);
	map_ring(test, buf, 1, true);
	KUNIT_EXPECT_EQ(test, poll_buf(buf), 0);
	KUNIT_ASSERT_EQ(test, output(buf, &v, 4), 0);
	KUNIT_EXPECT_EQ(test, poll_buf(buf), READABLE);
	KUNIT_EXPECT_EQ(test, poll_buf(buf), 0);
}

static void wakeup_events_counts_records(struct kunit *test)
{
	struct kbpf_perf_buffer *buf = new_buffer(test, 0, 3);
	u32 v = 0, i;

	map_ring(test, buf, 1, true);
	for (i = 0; i < 2; i++)
		KUNIT_ASSERT_EQ(test, output(buf, &v, 4), 0);
	KUNIT_EXPECT_EQ(test, poll_buf(buf), 0);
	KUNIT_ASSERT_EQ(test, output(buf, &v, 4), 0);
	KUNIT_EXPECT_EQ(test, poll_buf(buf), READABLE);
	for (i = 0; i < 2; i++)
		KUNIT_ASSERT_EQ(test, output(buf, &v, 4), 0);
	KUNIT_EXPECT_EQ(test, poll_buf(buf), 0);
	KUNIT_ASSERT_EQ(test, output(buf, &v, 4), 0);
	KUNIT_EXPECT_EQ(test, poll_buf(buf), READABLE);
}

/* With a watermark, a wakeup once more than that many bytes were written. */
static void wakeup_watermark_counts_bytes(struct kunit *test)
{
	struct kbpf_perf_buffer *buf = new_buffer(test, KBPF_PERF_BUFFER_WATERMARK, 64);
	u32 v = 0, i;

	map_ring(test, buf, 1, true);
	for (i = 0; i < 4; i++)		/* 4 x 16 = 64: not more than 64 */
		KUNIT_ASSERT_EQ(test, output(buf, &v, 4), 0);
	KUNIT_EXPECT_EQ(test, poll_buf(buf), 0);
	KUNIT_ASSERT_EQ(test, output(buf, &v, 4), 0);
	KUNIT_EXPECT_EQ(test, poll_buf(buf), READABLE);
}

/* Without wakeup_events, wakeups come at half the ring. */
static void wakeup_defaults_to_half_the_ring(struct kunit *test)
{
	struct kbpf_perf_buffer *buf = new_buffer(test, 0, 0);
	u32 v = 0, i;

	map_ring(test, buf, 1, true);
	for (i = 0; i < PAGE_SIZE / 2 / 16; i++)
		KUNIT_ASSERT_EQ(test, output(buf, &v, 4), 0);
	KUNIT_EXPECT_EQ(test, poll_buf(buf), 0);
	KUNIT_ASSERT_EQ(test, output(buf, &v, 4), 0);
	KUNIT_EXPECT_EQ(test, poll_buf(buf), READABLE);
}

/* --- BPF_MAP_TYPE_PERF_EVENT_ARRAY */

static union bpf_attr perf_array_attr(u32 max_entries, u32 flags)
{
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
		.key_size = sizeof(u32),
		.value_size = sizeof(u32),
		.max_entries = max_entries,
		.map_flags = flags,
	};

	return attr;
}

static struct kbpf_map *new_perf_array(struct kunit *test, u32 max_entries,
				       u32 flags)
{
	union bpf_attr attr = perf_array_attr(max_entries, flags);
	struct kbpf_map *map = kbpf_map_new(&attr);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, map), 0);
	return map;
}

struct create_case {
	const char *desc;
	u32 key_size, value_size, max_entries, flags;
	int err;
};

static const struct create_case create_cases[] = {
	{ "value_size 8", 4, 8, 4, 0, -EINVAL },
	{ "value_size 0", 4, 0, 4, 0, -EINVAL },
	{ "key_size 8", 8, 4, 4, 0, -EINVAL },
	{ "max_entries 0", 4, 4, 0, 0, -EINVAL },
	{ "RDONLY_PROG", 4, 4, 4, BPF_F_RDONLY_PROG, -EINVAL },
	{ "WRONLY_PROG", 4, 4, 4, BPF_F_WRONLY_PROG, -EINVAL },
	{ "MMAPABLE", 4, 4, 4, BPF_F_MMAPABLE, -EINVAL },
	{ "INNER_MAP", 4, 4, 4, BPF_F_INNER_MAP, -EINVAL },
	{ "NO_PREALLOC", 4, 4, 4, BPF_F_NO_PREALLOC, -EINVAL },
	{ "PRESERVE_ELEMS", 4, 4, 4, BPF_F_PRESERVE_ELEMS, 0 },
	{ "RDONLY", 4, 4, 4, BPF_F_RDONLY, 0 },
	{ "plain", 4, 4, 64, 0, 0 },
};

static void create_case_desc(const struct create_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(create, create_cases, create_case_desc);

static void perf_array_create_checks_attributes(struct kunit *test)
{
	const struct create_case *c = test->param_value;
	union bpf_attr attr = perf_array_attr(c->max_entries, c->flags);
	struct kbpf_map *map;

	attr.key_size = c->key_size;
	attr.value_size = c->value_size;
	map = kbpf_map_new(&attr);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map), c->err);
	if (IS_ERR(map))
		return;
	KUNIT_EXPECT_PTR_EQ(test, map->ops, &kbpf_perf_event_array_map_ops);
	KUNIT_EXPECT_EQ(test, kbpf_map_value_size(map), sizeof(u32));
	kbpf_map_put(map);
}

static int update(struct kbpf_map *map, u32 key, u32 fd, u64 flags)
{
	union bpf_attr attr = { .key = (u64)&key, .value = (u64)&fd, .flags = flags };

	return kbpf_map_update_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int delete(struct kbpf_map *map, u32 key)
{
	union bpf_attr attr = { .key = (u64)&key };

	return kbpf_map_delete_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int lookup(struct kbpf_map *map, u32 key, u32 *value)
{
	union bpf_attr attr = { .key = (u64)&key, .value = (u64)value };

	return kbpf_map_lookup_elem(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

static int next_key(struct kbpf_map *map, const u32 *key, u32 *next)
{
	union bpf_attr attr = { .key = (u64)key, .next_key = (u64)next };

	return kbpf_map_get_next_key(map, NULL, &attr, KERNEL_BPFPTR(&attr));
}

/* bpf(2): update checks flags, then the index, then the fd; lookup is ENOTSUPP. */
static void perf_array_element_commands(struct kbpf_map *map, struct kunit *test)
{
	u32 value = 0, key = 3, next;

	KUNIT_EXPECT_EQ(test, update(map, 4, U32_MAX, BPF_EXIST), -EINVAL);
	KUNIT_EXPECT_EQ(test, update(map, 0, U32_MAX, BPF_NOEXIST), -EINVAL);
	KUNIT_EXPECT_EQ(test, update(map, 4, U32_MAX, BPF_ANY), -E2BIG);
	KUNIT_EXPECT_EQ(test, update(map, 0, U32_MAX, BPF_ANY), -EBADF);
	KUNIT_EXPECT_EQ(test, lookup(map, 0, &value), -ENOTSUPP);
	KUNIT_EXPECT_EQ(test, lookup(map, 9, &value), -ENOTSUPP);
	KUNIT_EXPECT_EQ(test, delete(map, 4), -E2BIG);
	KUNIT_EXPECT_EQ(test, next_key(map, NULL, &next), 0);
	KUNIT_EXPECT_EQ(test, next, 0);
	KUNIT_EXPECT_EQ(test, next_key(map, &key, &next), -ENOENT);
	key = 7;
	KUNIT_EXPECT_EQ(test, next_key(map, &key, &next), 0);
	KUNIT_EXPECT_EQ(test, next, 0);
	key = 1;
	KUNIT_EXPECT_EQ(test, next_key(map, &key, &next), 0);
	KUNIT_EXPECT_EQ(test, next, 2);
	/* A program cannot look a slot up either. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(map->ops->lookup(map, &key)), -EOPNOTSUPP);
}

static void perf_array_slots_take_buffers_and_delete_empties(struct kunit *test)
{
	struct kbpf_map *map = new_perf_array(test, 4, 0);
	struct kbpf_perf_buffer *buf = new_buffer(test, 0, 1);

	perf_array_element_commands(map, test);
	KUNIT_EXPECT_EQ(test, kbpf_perf_event_array_set(map, NULL, 4, buf), -E2BIG);
	KUNIT_EXPECT_EQ(test, delete(map, 0), -ENOENT);
	KUNIT_ASSERT_EQ(test, kbpf_perf_event_array_set(map, NULL, 0, buf), 0);
	/* Storing again replaces the entry (and drops the old reference). */
	KUNIT_ASSERT_EQ(test, kbpf_perf_event_array_set(map, NULL, 0, buf), 0);
	KUNIT_ASSERT_EQ(test, kbpf_perf_event_array_set(map, NULL, 3, buf), 0);
	KUNIT_EXPECT_EQ(test, delete(map, 0), 0);
	KUNIT_EXPECT_EQ(test, delete(map, 0), -ENOENT);
	/* Slot 3 stays filled: the map's end releases it. */
	KUNIT_EXPECT_EQ(test, delete(map, 1), -ENOENT);
}

/*
 * Closing one of the map's files empties the slots stored through it
 * (bpf(2)'s map_release), unless the map preserves its elements.  The
 * files are only compared, so any distinct pointers stand for them.
 */
static void perf_array_release_empties_the_files_slots(struct kunit *test)
{
	static struct { int a, b; } files;
	struct file *a = (struct file *)&files.a, *b = (struct file *)&files.b;
	struct kbpf_map *map = new_perf_array(test, 4, 0);
	struct kbpf_map *kept = new_perf_array(test, 4, BPF_F_PRESERVE_ELEMS);
	struct kbpf_perf_buffer *buf = new_buffer(test, 0, 1);

	KUNIT_ASSERT_EQ(test, kbpf_perf_event_array_set(map, a, 0, buf), 0);
	KUNIT_ASSERT_EQ(test, kbpf_perf_event_array_set(map, b, 1, buf), 0);
	KUNIT_ASSERT_EQ(test, kbpf_perf_event_array_set(map, a, 2, buf), 0);
	map->ops->release(map, a);
	KUNIT_EXPECT_EQ(test, delete(map, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, delete(map, 2), -ENOENT);
	KUNIT_EXPECT_EQ(test, delete(map, 1), 0);

	KUNIT_ASSERT_EQ(test, kbpf_perf_event_array_set(kept, a, 0, buf), 0);
	kept->ops->release(kept, a);
	KUNIT_EXPECT_EQ(test, delete(kept, 0), 0);
}

/* Errnos of one kbpf_perf_event_output() sequence, run without migrating. */
struct output_errs {
	int cpu;
	long current_cpu, bad_flags, past_end, empty, other_cpu, disabled,
	     too_big, not_perf_array;
};

static void perf_event_output_errnos(struct kunit *test)
{
	u32 n = nr_cpu_ids, cpu, v = 42;
	struct kbpf_map *map = new_perf_array(test, n + 1, 0);
	struct kbpf_map *array;
	union bpf_attr attr = { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
				.value_size = 4, .max_entries = 1 };
	struct kbpf_perf_buffer **bufs = kunit_kcalloc(test, n, sizeof(*bufs), GFP_KERNEL);
	struct perf_event_mmap_page **ups = kunit_kcalloc(test, n, sizeof(*ups), GFP_KERNEL);
	struct output_errs e = {};
	u8 *big = kunit_kzalloc(test, KBPF_PERF_MAX_RAW_SIZE + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bufs);
	KUNIT_ASSERT_NOT_NULL(test, ups);
	KUNIT_ASSERT_NOT_NULL(test, big);
	array = kbpf_map_new(&attr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, array);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, map_put_action, array), 0);
	/* Slot i: a buffer for CPU i, for every online CPU; slot n stays empty. */
	for_each_online_cpu(cpu) {
		bufs[cpu] = new_buffer_on(test, cpu, 0, 1);
		ups[cpu] = map_ring(test, bufs[cpu], 1, true);
		KUNIT_ASSERT_EQ(test, kbpf_perf_event_array_set(map, NULL, cpu, bufs[cpu]), 0);
	}

	e.cpu = get_cpu();
	e.current_cpu = kbpf_perf_event_output(map, BPF_F_CURRENT_CPU, &v, sizeof(v));
	e.bad_flags = kbpf_perf_event_output(map, BIT_ULL(32) | e.cpu, &v, sizeof(v));
	e.past_end = kbpf_perf_event_output(map, n + 1, &v, sizeof(v));
	e.empty = kbpf_perf_event_output(map, n, &v, sizeof(v));
	e.other_cpu = -EOPNOTSUPP;
	for_each_online_cpu(cpu)
		if (cpu != e.cpu)
			e.other_cpu = kbpf_perf_event_output(map, cpu, &v, sizeof(v));
	e.too_big = kbpf_perf_event_output(map, e.cpu, big, KBPF_PERF_MAX_RAW_SIZE + 1);
	kbpf_perf_buffer_enable(bufs[e.cpu], false);
	e.disabled = kbpf_perf_event_output(map, e.cpu, &v, sizeof(v));
	kbpf_perf_buffer_enable(bufs[e.cpu], true);
	e.not_perf_array = kbpf_perf_event_output(array, 0, &v, sizeof(v));
	put_cpu();

	KUNIT_EXPECT_EQ(test, e.current_cpu, 0);
	KUNIT_EXPECT_EQ(test, e.bad_flags, -EINVAL);
	KUNIT_EXPECT_EQ(test, e.past_end, -E2BIG);
	KUNIT_EXPECT_EQ(test, e.empty, -ENOENT);
	KUNIT_EXPECT_EQ(test, e.other_cpu, -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, e.too_big, -E2BIG);
	KUNIT_EXPECT_EQ(test, e.disabled, -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, e.not_perf_array, -EINVAL);
	/* Only the current CPU's buffer got the one record. */
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_EQ(test, ups[cpu]->data_head, cpu == e.cpu ? RECORD(4) : 0);
	expect_sample(test, bufs[e.cpu], 0, (u8 *)&v, sizeof(v));
}

struct irq_output {
	struct kbpf_map *map;
	u32 value;
	long err;
	bool irqs_off;
};

static void output_with_irqs_off(void *arg)
{
	struct irq_output *o = arg;

	o->irqs_off = irqs_disabled();
	o->err = kbpf_perf_event_output(o->map, BPF_F_CURRENT_CPU, &o->value,
					sizeof(o->value));
}

/*
 * From a cross-CPU call (interrupts off, in the IPI handler on the other
 * CPUs), BPF_F_CURRENT_CPU picks each CPU's own buffer; the wakeup's
 * irq_work then leaves EPOLLIN for the poller.
 */
static void perf_event_output_from_interrupts_on_every_cpu(struct kunit *test)
{
	u32 n = nr_cpu_ids, cpu;
	struct kbpf_map *map = new_perf_array(test, n, 0);
	struct kbpf_perf_buffer **bufs = kunit_kcalloc(test, n, sizeof(*bufs), GFP_KERNEL);
	struct irq_output o = { .map = map };

	KUNIT_ASSERT_NOT_NULL(test, bufs);
	for_each_online_cpu(cpu) {
		bufs[cpu] = new_buffer_on(test, cpu, 0, 1);
		map_ring(test, bufs[cpu], 1, true);
		KUNIT_ASSERT_EQ(test, kbpf_perf_event_array_set(map, NULL, cpu, bufs[cpu]), 0);
	}
	for_each_online_cpu(cpu) {
		o.value = 1000 + cpu;
		o.err = -1;
		KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, output_with_irqs_off,
							       &o, 1), 0);
		KUNIT_EXPECT_EQ(test, o.err, 0);
		KUNIT_EXPECT_TRUE(test, o.irqs_off);
	}
	for_each_online_cpu(cpu) {
		u32 v = 1000 + cpu;

		expect_sample(test, bufs[cpu], 0, (u8 *)&v, sizeof(v));
		KUNIT_EXPECT_EQ(test, kbpf_perf_buffer_user_page(bufs[cpu])->data_head,
				RECORD(4));
		KUNIT_EXPECT_EQ(test, poll_buf(bufs[cpu]), READABLE);
	}
}

static struct kunit_case kbpf_perf_cases[] = {
	KUNIT_CASE(perf_buffer_new_refuses_bad_attributes),
	KUNIT_CASE(perf_buffer_ids_are_unique),
	KUNIT_CASE(ring_header_page_is_filled_as_perf_fills_it),
	KUNIT_CASE(ring_record_layout_and_padding),
	KUNIT_CASE(ring_padding_keeps_older_bytes),
	KUNIT_CASE(ring_records_wrap_around_the_data_area),
	KUNIT_CASE(ring_honours_data_tail),
	KUNIT_CASE(ring_counts_lost_records),
	KUNIT_CASE(ring_mapped_read_only_overwrites),
	KUNIT_CASE(ring_without_data_pages_takes_nothing),
	KUNIT_CASE(buffer_without_ring_refuses_output),
	KUNIT_CASE(ring_refuses_records_past_16_bits),
	KUNIT_CASE(ring_is_sized_by_the_first_mapping),
	KUNIT_CASE(ring_refuses_sizes_past_perfs_limit),
	KUNIT_CASE(poll_reports_each_wakeup_once),
	KUNIT_CASE(wakeup_events_counts_records),
	KUNIT_CASE(wakeup_watermark_counts_bytes),
	KUNIT_CASE(wakeup_defaults_to_half_the_ring),
	KUNIT_CASE_PARAM(perf_array_create_checks_attributes, create_gen_params),
	KUNIT_CASE(perf_array_slots_take_buffers_and_delete_empties),
	KUNIT_CASE(perf_array_release_empties_the_files_slots),
	KUNIT_CASE(perf_event_output_errnos),
	KUNIT_CASE(perf_event_output_from_interrupts_on_every_cpu),
	{}
};

static struct kunit_suite kbpf_perf_suite = {
	.name = "kbpf_perf",
	.test_cases = kbpf_perf_cases,
};

kunit_test_suite(kbpf_perf_suite);
