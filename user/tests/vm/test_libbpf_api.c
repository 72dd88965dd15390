// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Every libbpf-compatible call of <abpf/bpf.h>, on the kernel's bpf(2) and
 * on /dev/kbpf with one set of expectations (the kernel is the reference),
 * through the default backend as a libbpf program would use them.
 *
 * The file is written against libbpf's low-level API: the build also
 * compiles it against libbpf's own <bpf/bpf.h> (-DTEST_WITH_LIBBPF,
 * syntax only), which shows such a program builds against libabpf by
 * changing its include line.  Only the choice of backend is libabpf's.
 *
 * kbpf's programs are still arriving: the program tests on kbpf report
 * "# SKIP" while /dev/kbpf answers BPF_PROG_LOAD with EINVAL.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifdef TEST_WITH_LIBBPF
#include <bpf/bpf.h>
/* The typed info calls came in libbpf 1.2; Debian 12 has 1.1. */
#if LIBBPF_MAJOR_VERSION == 1 && LIBBPF_MINOR_VERSION < 2
#define bpf_map_get_info_by_fd(fd, info, len) bpf_obj_get_info_by_fd(fd, info, len)
#define bpf_prog_get_info_by_fd(fd, info, len) bpf_obj_get_info_by_fd(fd, info, len)
#endif
#else
#include <abpf/bpf.h>
#endif

#include "shim_vm.h"

static bool on_kbpf;
static const char *bpffs;	/* a mounted bpffs, or NULL */

static bool kernel_is_61(void)
{
	struct utsname u;

	return !uname(&u) && !strncmp(u.release, "6.1.", 4);
}

/* Program tests on kbpf wait for its program runtime. */
static bool progs_here(void)
{
	if (on_kbpf && !kbpf_has_programs()) {
		tap_skip_reason = SKIP_NO_KBPF_PROGRAMS;
		return false;
	}
	return true;
}

static void array_elements(void)
{
	__u32 key = 3, next = 0, bad = 16;
	__u64 value = 42, out = 0;
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "arr", 4, 8, 16, NULL);

	EXPECT(fd >= 0);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_ANY), 0);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST), EEXIST);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &bad, &value, BPF_ANY), E2BIG);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &out), 0);
	EXPECT_EQ(out, 42);
	out = 0;
	EXPECT_ERRNO(bpf_map_lookup_elem_flags(fd, &key, &out, 0), 0);
	EXPECT_EQ(out, 42);
	EXPECT_ERRNO(bpf_map_lookup_elem_flags(fd, &key, &out, BPF_F_LOCK), EINVAL);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &bad, &out), ENOENT);
	EXPECT_ERRNO(bpf_map_delete_elem(fd, &key), EINVAL);
	EXPECT_ERRNO(bpf_map_get_next_key(fd, NULL, &next), 0);
	EXPECT_EQ(next, 0);
	EXPECT_ERRNO(bpf_map_get_next_key(fd, &key, &next), 0);
	EXPECT_EQ(next, 4);
	key = 15;
	EXPECT_ERRNO(bpf_map_get_next_key(fd, &key, &next), ENOENT);
	close(fd);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &out), EBADF);
}

static void hash_elements(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	__u32 key, next, seen = 0, n = 0;
	__u64 value, out;
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "hash", 4, 8, 8, &opts);

	EXPECT(fd >= 0);
	for (key = 1; key <= 8; key++) {
		value = key * 10;
		EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST), 0);
	}
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_ANY), E2BIG);
	key = 99;
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_EXIST), ENOENT);
	EXPECT_ERRNO(bpf_map_get_next_key(fd, NULL, &next), 0);
	do {
		seen |= 1u << next;
		n++;
		key = next;
	} while (!bpf_map_get_next_key(fd, &key, &next));
	EXPECT_EQ(errno, ENOENT);
	EXPECT_EQ(n, 8);
	EXPECT_EQ(seen, 0x1fe);
	key = 5;
	EXPECT_ERRNO(bpf_map_lookup_and_delete_elem(fd, &key, &out), 0);
	EXPECT_EQ(out, 50);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &out), ENOENT);
	key = 6;
	EXPECT_ERRNO(bpf_map_delete_elem(fd, &key), 0);
	EXPECT_ERRNO(bpf_map_delete_elem(fd, &key), ENOENT);
	close(fd);
}

static void queue_pops_with_lookup_and_delete(void)
{
	__u64 v, out = 0;
	int fd = bpf_map_create(BPF_MAP_TYPE_QUEUE, "q", 0, 8, 4, NULL);

	EXPECT(fd >= 0);
	for (v = 1; v <= 3; v++)
		EXPECT_ERRNO(bpf_map_update_elem(fd, NULL, &v, BPF_ANY), 0);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, NULL, &out), 0);	/* peek */
	EXPECT_EQ(out, 1);
	EXPECT_ERRNO(bpf_map_lookup_and_delete_elem(fd, NULL, &out), 0);
	EXPECT_EQ(out, 1);
	EXPECT_ERRNO(bpf_map_lookup_and_delete_elem_flags(fd, NULL, &out, 0), 0);
	EXPECT_EQ(out, 2);
	EXPECT_ERRNO(bpf_map_lookup_and_delete_elem(fd, NULL, &out), 0);
	EXPECT_ERRNO(bpf_map_lookup_and_delete_elem(fd, NULL, &out), ENOENT);
	close(fd);
}

static void freeze_stops_userspace_writes(void)
{
	__u32 key = 0;
	__u64 value = 1;
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 2, NULL);

	EXPECT_ERRNO(bpf_map_freeze(fd), 0);
	/*
	 * Freezing again: 6.1 says the map is frozen (EBUSY); later kernels
	 * check first that the fd may write, which a frozen map's no longer
	 * can (EPERM).  kbpf answers as the kernel it runs on.
	 */
	EXPECT_ERRNO(bpf_map_freeze(fd), kernel_is_61() ? EBUSY : EPERM);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_ANY), EPERM);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &value), 0);
	close(fd);
}

static void batches_walk_update_and_delete(void)
{
	__u32 keys[16], out_keys[16], count, total = 0, batch = 0, i;
	__u32 in_batch = 0, room = 3;
	__u64 values[16], out_values[16];
	bool first = true;
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "batch", 4, 8, 16, NULL);
	int ret;

	EXPECT(fd >= 0);
	for (i = 0; i < 10; i++) {
		keys[i] = i + 100;
		values[i] = i * 3;
	}
	count = 10;
	EXPECT_ERRNO(bpf_map_update_batch(fd, keys, values, &count, NULL), 0);
	EXPECT_EQ(count, 10);
	/*
	 * Three at a time from the start; ENOENT ends the walk.  A hash
	 * batch never splits a bucket: one holding more than the room asked
	 * for answers ENOSPC with nothing copied, and the caller asks again
	 * from the same place with more room.  Which keys share a bucket
	 * depends on the map's random seed, so either may happen here.
	 */
	for (;;) {
		count = room;
		ret = bpf_map_lookup_batch(fd, first ? NULL : &in_batch, &batch,
					   out_keys, out_values, &count, NULL);
		if (ret == -ENOSPC && room < 16) {
			EXPECT_EQ(count, 0);
			room *= 2;
			continue;
		}
		first = false;
		in_batch = batch;
		for (i = 0; i < count; i++)
			EXPECT_EQ(out_values[i], (out_keys[i] - 100) * 3);
		total += count;
		if (ret)
			break;
	}
	EXPECT_EQ(ret, -ENOENT);
	EXPECT_EQ(total, 10);
	count = 4;
	EXPECT_ERRNO(bpf_map_delete_batch(fd, keys, &count, NULL), 0);
	EXPECT_EQ(count, 4);
	count = 16;
	ret = bpf_map_lookup_and_delete_batch(fd, NULL, &batch, out_keys,
					      out_values, &count, NULL);
	EXPECT_EQ(ret, -ENOENT);
	EXPECT_EQ(count, 6);
	count = 16;
	EXPECT_ERRNO(bpf_map_lookup_batch(fd, NULL, &batch, out_keys, out_values,
					  &count, NULL), ENOENT);
	EXPECT_EQ(count, 0);
	close(fd);
}

/*
 * @n elements of @size bytes ending where the readable page ends: the
 * element after them lies in a page that cannot be read or written.
 */
static void *before_a_hole(void *pages, size_t page, size_t n, size_t size)
{
	return (char *)pages + page - n * size;
}

/*
 * Batches whose arrays run into an unmapped page, as bpf(2) answers them:
 * a write batch processes and counts the elements before the first one it
 * cannot read, then fails with EFAULT; a lookup batch that cannot write
 * its output fails with EFAULT and count 0.  kbpf reads and writes the
 * arrays a chunk at a time, so the chunk holding the fault is where it
 * must find the element again.
 */
static void batches_stop_at_an_unreadable_element(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "holes", 4, 8, 64, NULL);
	int afd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "holes_a", 4, 8, 64, NULL);
	__u32 keys[32], out_keys[32], count, batch, *k, i;
	__u64 values[32], v, *vals;

	EXPECT(pages != MAP_FAILED && fd >= 0 && afd >= 0);
	if (pages == MAP_FAILED || fd < 0 || afd < 0)
		goto out;
	EXPECT_ERRNO(mprotect(pages + page, page, PROT_NONE), 0);
	for (i = 0; i < 32; i++) {
		keys[i] = i + 1;
		values[i] = i * 7;
	}

	/* update: 5 keys readable of 20, then the values: 4 of 20 */
	k = before_a_hole(pages, page, 5, sizeof(*k));
	memcpy(k, keys, 5 * sizeof(*k));
	count = 20;
	EXPECT_ERRNO(bpf_map_update_batch(fd, k, values, &count, NULL), EFAULT);
	EXPECT_EQ(count, 5);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &keys[4], &v), 0);
	EXPECT_EQ(v, 4 * 7);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &keys[5], &v), ENOENT);
	vals = before_a_hole(pages, page, 4, sizeof(*vals));
	memcpy(vals, &values[10], 4 * sizeof(*vals));
	count = 20;
	EXPECT_ERRNO(bpf_map_update_batch(fd, &keys[10], vals, &count, NULL), EFAULT);
	EXPECT_EQ(count, 4);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &keys[13], &v), 0);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &keys[14], &v), ENOENT);

	/* delete: 3 of the 9 keys in the map readable */
	k = before_a_hole(pages, page, 3, sizeof(*k));
	memcpy(k, keys, 3 * sizeof(*k));
	count = 9;
	EXPECT_ERRNO(bpf_map_delete_batch(fd, k, &count, NULL), EFAULT);
	EXPECT_EQ(count, 3);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &keys[2], &v), ENOENT);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &keys[3], &v), 0);

	/* lookup, hash and array: room for 2 values of the 6 in the map */
	vals = before_a_hole(pages, page, 2, sizeof(*vals));
	count = 32;
	EXPECT_ERRNO(bpf_map_lookup_batch(fd, NULL, &batch, out_keys, vals,
					  &count, NULL), EFAULT);
	EXPECT_EQ(count, 0);
	count = 32;
	EXPECT_ERRNO(bpf_map_lookup_batch(afd, NULL, &batch, out_keys, vals,
					  &count, NULL), EFAULT);
	EXPECT_EQ(count, 0);
	/* and a key array that is not there at all */
	count = 4;
	EXPECT_ERRNO(bpf_map_update_batch(fd, pages + page, values, &count, NULL),
		     EFAULT);
	EXPECT_EQ(count, 0);
	count = 4;
	EXPECT_ERRNO(bpf_map_delete_batch(fd, NULL, &count, NULL), EFAULT);
	EXPECT_EQ(count, 0);
out:
	if (pages != MAP_FAILED)
		munmap(pages, 2 * page);
	if (fd >= 0)
		close(fd);
	if (afd >= 0)
		close(afd);
}

static __u32 map_id_of(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_map_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static void info_by_fd_and_ids(void)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), id, next = 0;
	bool found = false;
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "info_map", 8, 16, 32, NULL);
	int fd2;

	memset(&info, 0, sizeof(info));
	EXPECT_ERRNO(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	EXPECT(len > offsetof(struct bpf_map_info, max_entries) && len <= sizeof(info));
	EXPECT_EQ(info.type, BPF_MAP_TYPE_HASH);
	EXPECT_EQ(info.key_size, 8);
	EXPECT_EQ(info.value_size, 16);
	EXPECT_EQ(info.max_entries, 32);
	EXPECT(!strcmp(info.name, "info_map"));
	EXPECT(info.id != 0);
	id = info.id;
	len = 8;	/* a shorter buffer is filled that far */
	memset(&info, 0, sizeof(info));
	EXPECT_ERRNO(bpf_map_get_info_by_fd(fd, &info, &len), 0);
	EXPECT_EQ(len, 8);
	EXPECT_EQ(info.id, id);
	EXPECT_EQ(info.key_size, 0);

	while (!bpf_map_get_next_id(next, &next))
		found |= next == id;
	EXPECT(found);
	EXPECT_EQ(errno, ENOENT);
	fd2 = bpf_map_get_fd_by_id(id);
	EXPECT(fd2 >= 0 && fd2 != fd);
	EXPECT_EQ(map_id_of(fd2), id);
	close(fd2);
	{
		LIBBPF_OPTS(bpf_get_fd_by_id_opts, ro, .open_flags = BPF_F_RDONLY);
		__u64 k = 1, v[2] = { 0 };

		fd2 = bpf_map_get_fd_by_id_opts(id, &ro);
		EXPECT(fd2 >= 0);
		EXPECT_ERRNO(bpf_map_update_elem(fd2, &k, v, BPF_ANY), EPERM);
		close(fd2);
	}
	close(fd);
	/* The id goes with the map; a few tries, as freeing is deferred. */
	for (len = 0; len < 100 && (fd2 = bpf_map_get_fd_by_id(id)) >= 0; len++) {
		close(fd2);
		usleep(10000);
	}
	EXPECT_ERRNO(bpf_map_get_fd_by_id(id), ENOENT);
}

static void pin_and_obj_get(void)
{
	char path[128];
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pinned", 4, 4, 1, NULL), fd2;
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);

	if (on_kbpf) {
		/* kbpf has no bpffs: pinning is not one of its commands. */
		EXPECT_ERRNO(bpf_obj_pin(fd, "/tmp/x"), EINVAL);
		EXPECT_ERRNO(bpf_obj_get("/tmp/x"), EINVAL);
		close(fd);
		return;
	}
	if (!bpffs) {
		tap_skip_reason = "no bpffs could be mounted";
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "%s/m", bpffs);
	EXPECT_ERRNO(bpf_obj_pin(fd, path), 0);
	EXPECT_ERRNO(bpf_obj_pin(fd, path), EEXIST);
	fd2 = bpf_obj_get(path);
	EXPECT(fd2 >= 0);
	EXPECT_EQ(map_id_of(fd2), map_id_of(fd));
	close(fd2);
	fd2 = bpf_obj_get_opts(path, &ro);
	EXPECT(fd2 >= 0);
	close(fd2);
	unlink(path);
	EXPECT_ERRNO(bpf_obj_get(path), ENOENT);
	close(fd);
}

static void opts_are_checked_before_any_call(void)
{
	struct bpf_map_create_opts bad = { .sz = 1 };
	struct bpf_map_batch_opts bbad = { .sz = 3 };
	__u32 count = 1, k = 0;

	EXPECT_ERRNO(bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, &bad), EINVAL);
	EXPECT_ERRNO(bpf_map_update_batch(-1, &k, &k, &count, &bbad), EINVAL);
	/* and the kernel's own: */
	EXPECT_ERRNO(bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 0, 1, NULL), EINVAL);
	EXPECT_ERRNO(bpf_map_lookup_elem(-1, &k, &k), EBADF);
}

/* ---- programs ---- */

static int load_ret(int ret)
{
	struct bpf_insn insns[] = { MOV64_IMM(BPF_REG_0, ret), EXIT() };

	return bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "ret", "GPL", insns,
			     NR(insns), NULL);
}

static void prog_load_and_test_run(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	int fd;

	if (!progs_here())
		return;
	fd = load_ret(42);
	EXPECT(fd >= 0);
	EXPECT_ERRNO(bpf_prog_test_run_opts(fd, &topts), 0);
	EXPECT_EQ(topts.retval, 42);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		LIBBPF_OPTS(bpf_test_run_opts, oncpu, .flags = BPF_F_TEST_RUN_ON_CPU,
			    .cpu = 1);

		EXPECT_ERRNO(bpf_prog_test_run_opts(fd, &oncpu), 0);
		EXPECT_EQ(oncpu.retval, 42);
	}
	{
		/* A raw tracepoint program takes no packet. */
		char data[16] = "";
		LIBBPF_OPTS(bpf_test_run_opts, bad, .data_in = data,
			    .data_size_in = sizeof(data));

		EXPECT_ERRNO(bpf_prog_test_run_opts(fd, &bad), EINVAL);
	}
	close(fd);
}

static void prog_load_fills_the_verifier_log(void)
{
	/* A jump past the end: every verifier refuses it. */
	struct bpf_insn broken[] = {
		INSN(BPF_JMP | BPF_JA, 0, 0, 5, 0), MOV64_IMM(BPF_REG_0, 0), EXIT(),
	};
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log,
		    .log_size = sizeof(log));
	LIBBPF_OPTS(bpf_prog_load_opts, bad, .log_size = 16);

	if (!progs_here())
		return;
	/* log_level 0 with a buffer: libbpf loads again at level 1. */
	EXPECT_ERRNO(bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "broken", "GPL",
				   broken, NR(broken), &opts), EINVAL);
	EXPECT(strlen(log) > 0);
	if (!on_kbpf)
		EXPECT(strstr(log, "jump out of range") != NULL);
	EXPECT_ERRNO(bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "bad", "GPL",
				   broken, NR(broken), &bad), EINVAL);
}

static void prog_info_ids_and_map_ids(void)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), ids[4] = { 0 }, id, next = 0;
	int map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pmap", 4, 8, 1, NULL);
	bool found = false;
	int fd, fd2;

	if (!progs_here()) {
		close(map);
		return;
	}
	{
		struct bpf_insn insns[] = {
			LD_MAP(BPF_REG_1, map), MOV64_IMM(BPF_REG_0, 0), EXIT(),
		};

		fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "with_map", "GPL",
				   insns, NR(insns), NULL);
	}
	EXPECT(fd >= 0);
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 4;
	info.map_ids = (uintptr_t)ids;
	EXPECT_ERRNO(bpf_prog_get_info_by_fd(fd, &info, &len), 0);
	EXPECT_EQ(info.type, BPF_PROG_TYPE_RAW_TRACEPOINT);
	EXPECT(!strcmp(info.name, "with_map"));
	EXPECT_EQ(info.nr_map_ids, 1);
	EXPECT_EQ(ids[0], map_id_of(map));
	EXPECT(info.id != 0);
	id = info.id;
	while (!bpf_prog_get_next_id(next, &next))
		found |= next == id;
	EXPECT(found);
	fd2 = bpf_prog_get_fd_by_id(id);
	EXPECT(fd2 >= 0);
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	EXPECT_ERRNO(bpf_obj_get_info_by_fd(fd2, &info, &len), 0);
	EXPECT_EQ(info.id, id);
	close(fd2);
	close(fd);
	close(map);
	EXPECT_ERRNO(bpf_prog_get_fd_by_id(0x7ffffff0), ENOENT);
}

static void raw_tracepoint_counts_syscalls(void)
{
	__u32 key = 0;
	__u64 count = 0;
	int map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "count", 4, 8, 1, NULL);
	int fd, link, i;

	if (!progs_here()) {
		close(map);
		return;
	}
	{
		struct bpf_insn insns[] = {
			LD_MAP(BPF_REG_1, map),
			ST(BPF_W, BPF_REG_10, -4, 0),
			MOV64_REG(BPF_REG_2, BPF_REG_10),
			ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
			CALL(BPF_FUNC_map_lookup_elem),
			JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),
			MOV64_IMM(BPF_REG_1, 1),
			ATOMIC_ADD64(BPF_REG_0, BPF_REG_1, 0),
			MOV64_IMM(BPF_REG_0, 0),
			EXIT(),
		};

		fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "count", "GPL",
				   insns, NR(insns), NULL);
	}
	EXPECT(fd >= 0);
	EXPECT_ERRNO(bpf_raw_tracepoint_open("no_such_tracepoint", fd), ENOENT);
	link = bpf_raw_tracepoint_open("sys_enter", fd);
	EXPECT(link >= 0);
	for (i = 0; i < 10; i++)
		syscall(SYS_getppid);
	close(link);
	EXPECT_ERRNO(bpf_map_lookup_elem(map, &key, &count), 0);
	EXPECT(count >= 10);
	close(fd);
	close(map);
}

static const struct tap_test tests[] = {
	TAP_TEST(array_elements),
	TAP_TEST(hash_elements),
	TAP_TEST(queue_pops_with_lookup_and_delete),
	TAP_TEST(freeze_stops_userspace_writes),
	TAP_TEST(batches_walk_update_and_delete),
	TAP_TEST(batches_stop_at_an_unreadable_element),
	TAP_TEST(info_by_fd_and_ids),
	TAP_TEST(pin_and_obj_get),
	TAP_TEST(opts_are_checked_before_any_call),
	TAP_TEST(prog_load_and_test_run),
	TAP_TEST(prog_load_fills_the_verifier_log),
	TAP_TEST(prog_info_ids_and_map_ids),
	TAP_TEST(raw_tracepoint_counts_syscalls),
};

int main(void)
{
	static char dir[] = "/tmp/abpf-bpffs";

	setvbuf(stdout, NULL, _IOLBF, 0);
	unsetenv("ABPF_BACKEND");
	mkdir(dir, 0700);
	if (!mount("bpf", dir, "bpf", 0, NULL))
		bpffs = dir;

#ifndef TEST_WITH_LIBBPF
	abpf_set_default_backend(ABPF_BACKEND_KERNEL);
	on_kbpf = false;
	shim_run(tests, TAP_COUNT(tests), "libbpf api: [kernel] ");
	abpf_set_default_backend(ABPF_BACKEND_KBPF);
	on_kbpf = true;
	shim_run(tests, TAP_COUNT(tests), "libbpf api: [kbpf] ");
#else
	shim_run(tests, TAP_COUNT(tests), "libbpf api: ");
#endif
	if (bpffs)
		umount(bpffs);
	return tap_done();
}
