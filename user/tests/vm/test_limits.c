// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpf's limits: max_objects caps maps, programs, raw tracepoint links and
 * perf buffers together (E2BIG past it, each kind in turn, and room again
 * once one goes); sizes whose max_entries * value_size overflow or dwarf
 * the machine are refused for every map type without taking the memory
 * (E2BIG or ENOMEM; /proc/vmstat shows at most 32 MiB of pages allocated
 * during the refused call); under max_memory a map far past the limit is
 * refused with ENOMEM, likewise.  debugfs' object and byte counts come back to where they
 * started after each.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "harden.h"

/* Pages the kernel allocated so far (/proc/vmstat's pgalloc_* zones). */
static long long pgalloc(void)
{
	char name[64];
	long long v, sum = 0;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strncmp(name, "pgalloc_", 8))
			sum += v;
	fclose(f);
	return sum;
}

/* A refused creation may allocate a little, never the size it asked for. */
#define REFUSED_PAGES_MAX ((32 << 20) / 4096)

/* Create, expect one of two errnos, and that little memory was taken. */
static void expect_refused(const char *what, uint32_t type, uint32_t key_size,
			   uint32_t value_size, uint32_t max_entries,
			   uint32_t flags, int err1, int err2)
{
	long long before = pgalloc(), taken;
	int fd = h_map_create(type, key_size, value_size, max_entries, flags);

	taken = pgalloc() - before;
	if (fd != -err1 && fd != -err2) {
		tap_fail("%s: want %s or %s, got %d", what, strerrorname_np(err1),
			 strerrorname_np(err2), fd);
		if (fd >= 0)
			close(fd);
	}
	if (before >= 0 && taken > REFUSED_PAGES_MAX)
		tap_fail("%s: %lld pages allocated before the refusal", what, taken);
}

static const struct bpf_insn ret0[] = { MOV64_IMM(0, 0), EXIT() };

static int new_map(void)
{
	return h_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
}

static int new_prog(void)
{
	return h_prog_load(ret0, NR(ret0));
}

static void close_all(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void max_objects_caps_maps_progs_links_and_perf_buffers(void)
{
	long long base = h_memory_field("objects"), used = h_memory_field("used");
	int fds[8], n = 0, prog, fd;

	if (base < 0) {
		tap_fail("no objects count in " KBPF_DEBUGFS "/memory");
		return;
	}
	EXPECT_EQ(h_set_param("max_objects", base + 4), 0);
	fds[n++] = new_map();
	fds[n++] = prog = new_prog();
	fds[n++] = h_attach(prog, "sys_enter");
	fds[n++] = h_perf_buffer(0);
	EXPECT(fds[0] >= 0 && fds[1] >= 0 && fds[2] >= 0 && fds[3] >= 0);
	EXPECT_EQ(h_memory_field("objects"), base + 4);

	/* full: one more of any kind is refused */
	EXPECT_EQ(new_map(), -E2BIG);
	EXPECT_EQ(h_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0), -E2BIG);
	EXPECT_EQ(new_prog(), -E2BIG);
	EXPECT_EQ(h_attach(prog, "sys_enter"), -E2BIG);
	EXPECT_EQ(h_perf_buffer(0), -E2BIG);
	EXPECT_EQ(h_memory_field("objects"), base + 4);

	/* the map goes: room for exactly one more */
	close(fds[0]);
	EXPECT_EQ(h_settle("objects", base + 3), base + 3);
	fds[0] = fd = new_map();
	EXPECT(fd >= 0);
	EXPECT_EQ(new_map(), -E2BIG);

	/* a lower limit leaves what exists alone and refuses more */
	EXPECT_EQ(h_set_param("max_objects", 1), 0);
	EXPECT_EQ(new_prog(), -E2BIG);
	EXPECT_EQ(h_elem(BPF_MAP_UPDATE_ELEM, fd, &(uint32_t){ 1 }, &(uint64_t){ 7 },
			 BPF_ANY), 0);

	/* the program stays while its link holds it */
	close(fds[1]);
	fds[1] = -1;
	h_sleep_ms(50);
	EXPECT_EQ(h_memory_field("objects"), base + 4);
	EXPECT_EQ(h_set_param("max_objects", 0), 0);
	fds[n++] = new_prog();
	EXPECT(fds[n - 1] >= 0);
	close_all(fds, n);
	EXPECT_EQ(h_settle("objects", base), base);
	EXPECT_EQ(h_settle("used", used), used);
}

struct size_case {
	const char *what;
	uint32_t type, key_size, value_size, max_entries, flags;
};

/*
 * Each one overflows 32 bits or needs far more than the guest's memory;
 * none may be granted, and none may take the memory first.
 */
static const struct size_case huge[] = {
	{ "ARRAY 64 KiB x 65537 (past 2^32)", BPF_MAP_TYPE_ARRAY, 4, 1 << 16, 65537, 0 },
	{ "ARRAY 8 B x 2^32-1", BPF_MAP_TYPE_ARRAY, 4, 8, UINT32_MAX, 0 },
	{ "ARRAY value 2^31", BPF_MAP_TYPE_ARRAY, 4, 1U << 31, 1, 0 },
	{ "mmapable ARRAY 8 B x 2^32-1", BPF_MAP_TYPE_ARRAY, 4, 8, UINT32_MAX,
	  BPF_F_MMAPABLE },
	{ "mmapable ARRAY 64 KiB x 65537", BPF_MAP_TYPE_ARRAY, 4, 1 << 16, 65537,
	  BPF_F_MMAPABLE },
	{ "PERCPU_ARRAY value 64 KiB", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 1 << 16, 1, 0 },
	{ "PERCPU_ARRAY value 2^32-1", BPF_MAP_TYPE_PERCPU_ARRAY, 4, UINT32_MAX, 1, 0 },
	{ "HASH 1 MiB x 65536", BPF_MAP_TYPE_HASH, 4, 1 << 20, 1 << 16, 0 },
	{ "HASH key+value 2^32-2", BPF_MAP_TYPE_HASH, UINT32_MAX / 2, UINT32_MAX / 2, 1, 0 },
	{ "HASH 2^31+1 entries", BPF_MAP_TYPE_HASH, 4, 8, (1U << 31) + 1, 0 },
	{ "HASH 2^32-1 entries", BPF_MAP_TYPE_HASH, 4, 8, UINT32_MAX, 0 },
	{ "PERCPU_HASH value 64 KiB", BPF_MAP_TYPE_PERCPU_HASH, 4, 1 << 16, 1, 0 },
	{ "LRU_HASH 1 MiB x 65536", BPF_MAP_TYPE_LRU_HASH, 4, 1 << 20, 1 << 16, 0 },
	{ "LRU_HASH 2^32-1 entries", BPF_MAP_TYPE_LRU_HASH, 4, 8, UINT32_MAX, 0 },
	{ "LRU_PERCPU_HASH value 64 KiB", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 1 << 16, 1, 0 },
	{ "QUEUE 64 KiB x 2^17", BPF_MAP_TYPE_QUEUE, 0, 1 << 16, 1 << 17, 0 },
	{ "STACK 1 B x 2^32-1", BPF_MAP_TYPE_STACK, 0, 1, UINT32_MAX, 0 },
	{ "STACK value 2^32-1", BPF_MAP_TYPE_STACK, 0, UINT32_MAX, 1, 0 },
	{ "RINGBUF 2 GiB", BPF_MAP_TYPE_RINGBUF, 0, 0, 1U << 31, 0 },
	{ "PERF_EVENT_ARRAY 2^32-1", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, UINT32_MAX, 0 },
};

static void huge_sizes_are_refused_for_every_type(void)
{
	long long used = h_memory_field("used"), objs = h_memory_field("objects");
	size_t i;

	for (i = 0; i < TAP_COUNT(huge); i++) {
		const struct size_case *c = &huge[i];

		expect_refused(c->what, c->type, c->key_size, c->value_size,
			       c->max_entries, c->flags, E2BIG, ENOMEM);
	}
	EXPECT_EQ(h_settle("used", used), used);
	EXPECT_EQ(h_settle("objects", objs), objs);
}

/* Under max_memory, a map far past it is refused before it is built. */
static void max_memory_refuses_big_maps_of_every_kind(void)
{
	static const struct size_case big[] = {
		{ "ARRAY 256 MiB", BPF_MAP_TYPE_ARRAY, 4, 4096, 1 << 16, 0 },
		{ "mmapable ARRAY 256 MiB", BPF_MAP_TYPE_ARRAY, 4, 4096, 1 << 16,
		  BPF_F_MMAPABLE },
		{ "HASH 256 MiB", BPF_MAP_TYPE_HASH, 4, 4096, 1 << 16, 0 },
		{ "LRU_HASH 256 MiB", BPF_MAP_TYPE_LRU_HASH, 4, 4096, 1 << 16, 0 },
		{ "QUEUE 256 MiB", BPF_MAP_TYPE_QUEUE, 0, 4096, 1 << 16, 0 },
		{ "RINGBUF 256 MiB", BPF_MAP_TYPE_RINGBUF, 0, 0, 1 << 28, 0 },
	};
	long long used = h_memory_field("used");
	size_t i;
	int fd;

	EXPECT_EQ(h_set_param("max_memory", used + (16 << 20)), 0);
	for (i = 0; i < TAP_COUNT(big); i++)
		expect_refused(big[i].what, big[i].type, big[i].key_size,
			       big[i].value_size, big[i].max_entries, big[i].flags,
			       ENOMEM, ENOMEM);
	/* what fits still does */
	fd = h_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 1 << 20, 0);
	EXPECT(fd >= 0);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(h_set_param("max_memory", 0), 0);
	EXPECT_EQ(h_settle("used", used), used);
}

static const struct tap_test tests[] = {
	TAP_TEST(max_objects_caps_maps_progs_links_and_perf_buffers),
	TAP_TEST(huge_sizes_are_refused_for_every_type),
	TAP_TEST(max_memory_refuses_big_maps_of_every_kind),
};

int main(void)
{
	if (h_kbpf() < 0 || h_memory_field("used") < 0) {
		printf("ok - test_limits # SKIP no /dev/kbpf or no kbpf debugfs\n");
		return 0;
	}
	tap_run(tests, TAP_COUNT(tests), "limits: ");
	return tap_done();
}
