// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Map-object behaviour the differential test cannot compare element by
 * element: ids (BPF_MAP_GET_NEXT_ID, BPF_MAP_GET_FD_BY_ID and the modes of
 * the fds it makes), freezing against writable mappings, fdinfo, and
 * kbpf's module-wide memory limit.  Where kbpf claims the kernel's
 * behaviour, a test runs on both backends with the same expectations.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <abpf/bpf.h>

#include "../tap.h"

static const struct abpf_sys *B;	/* the backend under test */

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return B->bpf(cmd, attr, sizeof(*attr));
}

static int array(uint32_t value_size, uint32_t max_entries, uint32_t flags)
{
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
		.value_size = value_size, .max_entries = max_entries,
		.map_flags = flags,
	};

	return (int)sys_bpf(BPF_MAP_CREATE, &attr);
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info = {};
	union bpf_attr attr = {};

	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uintptr_t)&info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) ? 0 : info.id;
}

static int fd_by_id(uint32_t id, uint32_t open_flags)
{
	union bpf_attr attr = { .map_id = id, .open_flags = open_flags };

	return (int)sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr);
}

/* Walk every id from 0; true if @want is among them. */
static bool ids_include(uint32_t want)
{
	union bpf_attr attr = {};
	bool found = false;

	while (!sys_bpf(BPF_MAP_GET_NEXT_ID, &attr)) {
		if (attr.next_id == want)
			found = true;
		attr.start_id = attr.next_id;
	}
	return found && errno == ENOENT;
}

static void ids_are_walked_and_released(void)
{
	int fd = array(8, 4, 0);
	uint32_t id = map_id(fd);

	EXPECT(fd >= 0);
	EXPECT(id != 0);
	EXPECT(ids_include(id));
	close(fd);
	/* The free is deferred, but the id goes with the last reference. */
	EXPECT(!ids_include(id));
	EXPECT_SYSERR(fd_by_id(id, 0), ENOENT);
}

static void get_next_id_refuses_bad_starts(void)
{
	union bpf_attr attr = { .start_id = INT_MAX };

	EXPECT_SYSERR(sys_bpf(BPF_MAP_GET_NEXT_ID, &attr), EINVAL);
	attr.start_id = UINT32_MAX;
	EXPECT_SYSERR(sys_bpf(BPF_MAP_GET_NEXT_ID, &attr), EINVAL);
	attr.start_id = INT_MAX - 1;	/* no id is that high */
	EXPECT_SYSERR(sys_bpf(BPF_MAP_GET_NEXT_ID, &attr), ENOENT);
}

static void fd_by_id_honours_open_flags(void)
{
	int fd = array(8, 4, 0), ro, wo;
	uint32_t id = map_id(fd), key = 1;
	uint64_t value = 5;

	EXPECT_SYSERR(fd_by_id(id, BPF_F_RDONLY | BPF_F_WRONLY), EINVAL);
	EXPECT_SYSERR(fd_by_id(id, BPF_F_MMAPABLE), EINVAL);
	ro = fd_by_id(id, BPF_F_RDONLY);
	wo = fd_by_id(id, BPF_F_WRONLY);
	EXPECT(ro >= 0 && wo >= 0);
	EXPECT(fcntl(ro, F_GETFD) & FD_CLOEXEC);

	abpf_set_default_sys(B);
	EXPECT_ERRNO(bpf_map_update_elem(wo, &key, &value, BPF_ANY), 0);
	EXPECT_ERRNO(bpf_map_update_elem(ro, &key, &value, BPF_ANY), EPERM);
	EXPECT_ERRNO(bpf_map_lookup_elem(wo, &key, &value), EPERM);
	value = 0;
	EXPECT_ERRNO(bpf_map_lookup_elem(ro, &key, &value), 0);
	EXPECT_EQ(value, 5);
	/* The new fds outlive the first: the map is one object. */
	close(fd);
	EXPECT_ERRNO(bpf_map_lookup_elem(ro, &key, &value), 0);
	EXPECT_EQ(map_id(ro), id);
	close(ro);
	close(wo);
}

static void freeze_waits_for_writable_mappings(void)
{
	int fd = array(8, 512, BPF_F_MMAPABLE);
	union bpf_attr attr = { .map_fd = fd };
	void *w, *r;

	EXPECT(fd >= 0);
	w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(w != MAP_FAILED);
	EXPECT_SYSERR(sys_bpf(BPF_MAP_FREEZE, &attr), EBUSY);
	munmap(w, 4096);
	EXPECT_SYSERR(sys_bpf(BPF_MAP_FREEZE, &attr), 0);
	/* Frozen: no writable mapping, read-only ones are fine ... */
	errno = 0;
	w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(w == MAP_FAILED && errno == EPERM);
	r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT(r != MAP_FAILED);
	/* ... and a read-only mapping cannot be made writable. */
	EXPECT(mprotect(r, 4096, PROT_READ | PROT_WRITE) == -1 && errno == EACCES);
	munmap(r, 4096);
	close(fd);
}

static void mapping_keeps_the_map_alive(void)
{
	int fd = array(8, 512, BPF_F_MMAPABLE);
	uint32_t key = 3;
	uint64_t value = 0x1234, *p;

	abpf_set_default_sys(B);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_ANY), 0);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	close(fd);
	EXPECT_EQ(p[3], 0x1234);
	p[4] = 99;	/* still the map's memory, still writable */
	EXPECT_EQ(p[4], 99);
	munmap(p, 4096);
}

static void mapping_cannot_grow(void)
{
	int fd = array(8, 512, BPF_F_MMAPABLE);
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0), *q;

	EXPECT(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	errno = 0;
	q = mremap(p, 4096, 8192, MREMAP_MAYMOVE);
	EXPECT(q == MAP_FAILED && errno == EFAULT);
	munmap(q == MAP_FAILED ? p : q, q == MAP_FAILED ? 4096 : 8192);
	close(fd);
}

static void rdonly_prog_maps_refuse_writable_mappings(void)
{
	int fd = array(8, 512, BPF_F_MMAPABLE | BPF_F_RDONLY_PROG);
	void *p;

	errno = 0;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(p == MAP_FAILED && errno == EACCES);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT(p != MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, 4096);
	close(fd);
}

static void fdinfo_shows_id_and_frozen(void)
{
	int fd = array(8, 4, 0), info;
	union bpf_attr attr = { .map_fd = fd };
	char path[64], buf[1024] = "", want[64];
	ssize_t n;

	EXPECT_SYSERR(sys_bpf(BPF_MAP_FREEZE, &attr), 0);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	info = open(path, O_RDONLY);
	n = read(info, buf, sizeof(buf) - 1);
	close(info);
	EXPECT(n > 0);
	snprintf(want, sizeof(want), "map_id:\t%u\n", map_id(fd));
	EXPECT(strstr(buf, want) != NULL);
	EXPECT(strstr(buf, "frozen:\t1\n") != NULL);
	close(fd);
}

static const struct tap_test both_tests[] = {
	TAP_TEST(ids_are_walked_and_released),
	TAP_TEST(get_next_id_refuses_bad_starts),
	TAP_TEST(fd_by_id_honours_open_flags),
	TAP_TEST(freeze_waits_for_writable_mappings),
	TAP_TEST(mapping_keeps_the_map_alive),
	TAP_TEST(mapping_cannot_grow),
	TAP_TEST(rdonly_prog_maps_refuse_writable_mappings),
	TAP_TEST(fdinfo_shows_id_and_frozen),
};

/* kbpf's own: the module-wide memory limit. */

static int set_max_memory(unsigned long long bytes)
{
	FILE *f = fopen("/sys/module/kbpf/parameters/max_memory", "w");
	int err;

	if (!f)
		return -errno;
	err = fprintf(f, "%llu\n", bytes) < 0;
	return fclose(f) || err ? -EIO : 0;
}

static void memory_limit_refuses_creation_with_enomem(void)
{
	int small, big;

	B = abpf_sys_kbpf();
	EXPECT_EQ(set_max_memory(1 << 20), 0);
	small = array(8, 1000, 0);		/* about 8 KiB: fits */
	EXPECT(small >= 0);
	big = array(4096, 1024, 0);		/* 4 MiB: does not */
	EXPECT(big == -1 && errno == ENOMEM);
	close(small);
	if (big >= 0)
		close(big);
	EXPECT_EQ(set_max_memory(0), 0);	/* 0: no limit */
	big = array(4096, 1024, 0);
	EXPECT(big >= 0);
	close(big);
}

static const struct tap_test kbpf_tests[] = {
	TAP_TEST(memory_limit_refuses_creation_with_enomem),
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	unsetenv("ABPF_BACKEND");
	B = abpf_sys_libc();
	tap_run(both_tests, TAP_COUNT(both_tests), "maps: [kernel] ");
	B = abpf_sys_kbpf();
	tap_run(both_tests, TAP_COUNT(both_tests), "maps: [kbpf] ");
	tap_run(kbpf_tests, TAP_COUNT(kbpf_tests), "maps: kbpf: ");
	return tap_done();
}
