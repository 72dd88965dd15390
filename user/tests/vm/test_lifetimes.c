// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Object lifetimes: a program on raw_syscalls:sys_enter keeps counting
 * into a map whose last fd was closed (the map stays, as debugfs and
 * BPF_MAP_GET_FD_BY_ID show); a program whose fd was closed stays
 * attached and running until its link closes, then is gone (debugfs, its
 * id) and nothing runs on the tracepoint any more; delete_module("kbpf")
 * is refused (EWOULDBLOCK or EBUSY) while the device, a map, a program, a
 * link or a perf buffer fd is open, and while only a mapping of a ring
 * buffer, an mmapable array or a perf buffer is left; once everything is
 * closed and unmapped, debugfs counts as many objects and bytes as before.
 * The module itself is not unloaded here: run-tests.sh does that last.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../tap.h"
#include "harden.h"

static long page;

/* Whether debugfs kbpf/@file (maps, progs) has a line for @id. */
static bool listed(const char *file, uint32_t id)
{
	char path[128], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), KBPF_DEBUGFS "/%s", file);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strtoul(line, NULL, 10) == id && line[0] != 'i';
	fclose(f);
	return found;
}

static uint32_t obj_id(int fd, bool prog)
{
	struct bpf_map_info mi;
	struct bpf_prog_info pi;
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	memset(&mi, 0, sizeof(mi));
	memset(&pi, 0, sizeof(pi));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = prog ? sizeof(pi) : sizeof(mi);
	a.info.info = prog ? (uintptr_t)&pi : (uintptr_t)&mi;
	if (h_sys(BPF_OBJ_GET_INFO_BY_FD, &a))
		return 0;
	return prog ? pi.id : mi.id;
}

static int fd_by_id(int cmd, uint32_t id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	if (cmd == BPF_MAP_GET_FD_BY_ID)
		a.map_id = id;
	else
		a.prog_id = id;
	return (int)h_sys(cmd, &a);
}

static void getppids(int n)
{
	int i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static void program_keeps_a_map_whose_fd_closed(void)
{
	long long objs = h_memory_field("objects");
	int map = h_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
	int prog = h_counter_prog(map), link, again;
	uint32_t id = obj_id(map, false);

	link = h_attach(prog, "sys_enter");
	EXPECT(map >= 0 && prog >= 0 && link >= 0 && id);
	close(map);
	getppids(100);
	EXPECT(listed("maps", id));
	again = fd_by_id(BPF_MAP_GET_FD_BY_ID, id);
	EXPECT(again >= 0);
	EXPECT_EQ(h_read0(again), 100);
	close(link);
	close(prog);
	getppids(10);
	EXPECT_EQ(h_read0(again), 100);	/* the program is off the tracepoint */
	close(again);
	EXPECT_EQ(h_settle("objects", objs), objs);
	EXPECT(!listed("maps", id));
	EXPECT_EQ(fd_by_id(BPF_MAP_GET_FD_BY_ID, id), -ENOENT);
}

static void attached_program_outlives_its_fd_until_the_link_closes(void)
{
	long long objs = h_memory_field("objects"), used = h_memory_field("used");
	int map = h_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
	int prog = h_counter_prog(map), link;
	uint32_t id = obj_id(prog, true);

	link = h_attach(prog, "sys_enter");
	EXPECT(map >= 0 && prog >= 0 && link >= 0 && id);
	close(prog);
	h_sleep_ms(50);
	EXPECT(listed("progs", id));
	getppids(50);
	EXPECT_EQ(h_read0(map), 50);
	close(link);
	EXPECT_EQ(h_settle("objects", objs + 1), objs + 1);	/* the map */
	EXPECT(!listed("progs", id));
	EXPECT_EQ(fd_by_id(BPF_PROG_GET_FD_BY_ID, id), -ENOENT);
	getppids(50);
	EXPECT_EQ(h_read0(map), 50);	/* nothing runs on sys_enter any more */
	close(map);
	EXPECT_EQ(h_settle("objects", objs), objs);
	EXPECT_EQ(h_settle("used", used), used);
}

/* delete_module("kbpf") while only @what holds the module. */
static void expect_unload_refused(const char *what)
{
	long ret = syscall(SYS_delete_module, "kbpf", O_NONBLOCK);

	if (ret == 0) {
		/* nothing of kbpf's may be touched now: stop here */
		printf("not ok - lifetimes: kbpf unloaded while %s was open\n", what);
		fflush(stdout);
		_exit(2);
	}
	if (errno != EWOULDBLOCK && errno != EBUSY)
		tap_fail("%s open: delete_module failed with %s, not EWOULDBLOCK/EBUSY",
			 what, strerrorname_np(errno));
}

/* Close the device: what the caller keeps is all that holds the module. */
static void close_device(void)
{
	close(h_dev);
	h_dev = -1;
}

static void *map_ring(int fd, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		tap_fail("mmap: %s", strerror(errno));
		return NULL;
	}
	return p;
}

static void unload_is_refused_while_anything_is_open(void)
{
	long long objs = h_memory_field("objects"), used = h_memory_field("used");
	static const struct bpf_insn ret0[] = { MOV64_IMM(0, 0), EXIT() };
	int fd, prog;
	void *p, *q;

	expect_unload_refused("/dev/kbpf");

	fd = h_map_create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	close_device();
	expect_unload_refused("a map fd");
	close(fd);

	fd = h_prog_load(ret0, NR(ret0));
	close_device();
	expect_unload_refused("a program fd");
	close(fd);

	prog = h_prog_load(ret0, NR(ret0));
	fd = h_attach(prog, "sys_enter");
	close(prog);
	close_device();
	expect_unload_refused("a link fd");
	close(fd);

	fd = h_perf_buffer(0);
	close_device();
	expect_unload_refused("a perf buffer fd");
	p = map_ring(fd, 2 * page, PROT_READ | PROT_WRITE);
	close(fd);
	expect_unload_refused("a perf buffer mapping");
	if (p)
		munmap(p, 2 * page);

	/* a ring buffer: consumer page writable, producer pages read-only */
	fd = h_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, (uint32_t)page, 0);
	p = map_ring(fd, page, PROT_READ | PROT_WRITE);
	q = mmap(NULL, 3 * page, PROT_READ, MAP_SHARED, fd, page);
	EXPECT(q != MAP_FAILED);
	close(fd);
	close_device();
	expect_unload_refused("a ring buffer's mappings");
	if (p)
		munmap(p, page);
	expect_unload_refused("a ring buffer's producer mapping");
	if (q != MAP_FAILED)
		munmap(q, 3 * page);

	fd = h_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 16, BPF_F_MMAPABLE);
	p = map_ring(fd, page, PROT_READ | PROT_WRITE);
	close(fd);
	close_device();
	expect_unload_refused("an mmapable array's mapping");
	if (p)
		munmap(p, page);

	EXPECT_EQ(h_settle("objects", objs), objs);
	EXPECT_EQ(h_settle("used", used), used);
}

static const struct tap_test tests[] = {
	TAP_TEST(program_keeps_a_map_whose_fd_closed),
	TAP_TEST(attached_program_outlives_its_fd_until_the_link_closes),
	TAP_TEST(unload_is_refused_while_anything_is_open),
};

int main(void)
{
	page = sysconf(_SC_PAGESIZE);
	if (h_kbpf() < 0 || h_memory_field("objects") < 0) {
		printf("ok - test_lifetimes # SKIP no /dev/kbpf or no kbpf debugfs\n");
		return 0;
	}
	tap_run(tests, TAP_COUNT(tests), "lifetimes: ");
	return tap_done();
}
