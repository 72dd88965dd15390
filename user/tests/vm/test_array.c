// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * BPF_MAP_TYPE_ARRAY through libabpf's libbpf-compatible calls, run in the
 * test VM.  Every test runs on both backends with one set of expectations,
 * so the kernel's own array map is the reference kbpf is held to.
 */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include <abpf/bpf.h>

#include "../tap.h"

static int array(__u32 value_size, __u32 max_entries, __u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);

	return bpf_map_create(BPF_MAP_TYPE_ARRAY, "test_array", 4, value_size,
			      max_entries, &opts);
}

struct create_case {
	const char *what;
	__u32 key_size, value_size, max_entries;
	struct bpf_map_create_opts opts;
	const char *name;
	int err;
};

static void create_refuses_bad_attributes(void)
{
	static const struct create_case cases[] = {
		{ "key_size 8", 8, 8, 1, {}, NULL, EINVAL },
		{ "key_size 0", 0, 8, 1, {}, NULL, EINVAL },
		{ "value_size 0", 4, 0, 1, {}, NULL, EINVAL },
		{ "max_entries 0", 4, 8, 0, {}, NULL, EINVAL },
		{ "value_size 2^31", 4, 1U << 31, 1, {}, NULL, E2BIG },
		{ "unknown flag", 4, 8, 1, { .map_flags = 1U << 31 }, NULL, EINVAL },
		{ "hash-only flag", 4, 8, 1, { .map_flags = BPF_F_NO_PREALLOC }, NULL, EINVAL },
		{ "RDONLY|WRONLY", 4, 8, 1,
		  { .map_flags = BPF_F_RDONLY | BPF_F_WRONLY }, NULL, EINVAL },
		{ "RDONLY_PROG|WRONLY_PROG", 4, 8, 1,
		  { .map_flags = BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG }, NULL, EINVAL },
		{ "offline NUMA node", 4, 8, 1,
		  { .map_flags = BPF_F_NUMA_NODE, .numa_node = 1000 }, NULL, EINVAL },
		{ "map_extra", 4, 8, 1, { .map_extra = 1 }, NULL, EINVAL },
		{ "BTF key type without value type", 4, 8, 1,
		  { .btf_key_type_id = 1 }, NULL, EINVAL },
		{ "name with '-'", 4, 8, 1, {}, "bad-name", EINVAL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpf_map_create_opts opts = cases[i].opts;
		int fd;

		opts.sz = sizeof(opts);
		errno = 0;
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, cases[i].name, cases[i].key_size,
				    cases[i].value_size, cases[i].max_entries, &opts);
		if (fd != -cases[i].err || errno != cases[i].err)
			tap_fail("%s: want -%s, got %d (errno %s)", cases[i].what,
				 strerrorname_np(cases[i].err), fd,
				 errno ? strerrorname_np(errno) : "0");
		if (fd >= 0)
			close(fd);
	}
	/* An unknown map type. */
	EXPECT_ERRNO(bpf_map_create(1000, NULL, 4, 8, 1, NULL), EINVAL);
}

static void new_array_reads_as_zero(void)
{
	int fd = array(16, 32, 0);
	__u8 value[16], zero[16] = {};
	__u32 key;

	EXPECT(fd >= 0);
	for (key = 0; key < 32; key++) {
		memset(value, 0xee, sizeof(value));
		EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, value), 0);
		EXPECT(!memcmp(value, zero, sizeof(value)));
	}
	close(fd);
}

static void update_flags_follow_the_kernel(void)
{
	int fd = array(8, 4, 0);
	__u64 value = 0xfeedfacecafebeef, out = 0;
	__u32 key = 3, past = 4;

	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_ANY), 0);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &out), 0);
	EXPECT_EQ(out, value);

	value = 7;
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_EXIST), 0);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &out), 0);
	EXPECT_EQ(out, 7);

	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST), EEXIST);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &past, &value, BPF_ANY), E2BIG);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &past, &value, BPF_EXIST), E2BIG);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_EXIST + 1), EINVAL);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_F_LOCK), EINVAL);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, 1ULL << 40), EINVAL);
	/* None of the refused updates changed anything. */
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &out), 0);
	EXPECT_EQ(out, 7);
	close(fd);
}

static void lookup_past_the_end_is_enoent(void)
{
	int fd = array(8, 4, 0);
	__u32 key = 4, huge = UINT32_MAX;
	__u64 out = 99;

	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &out), ENOENT);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &huge, &out), ENOENT);
	EXPECT_EQ(out, 99);
	close(fd);
}

static void lookup_flags_refuse_what_arrays_lack(void)
{
	const struct abpf_sys *sys = abpf_default_sys();
	int fd = array(8, 4, 0);
	__u32 key = 0;
	__u64 out;
	union bpf_attr attr = {
		.map_fd = fd, .key = (uintptr_t)&key, .value = (uintptr_t)&out,
	};

	attr.flags = BPF_F_LOCK;	/* no spin lock in the value */
	EXPECT_SYSERR(sys->bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)), EINVAL);
	attr.flags = 1ULL << 33;
	EXPECT_SYSERR(sys->bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)), EINVAL);
	close(fd);
}

static void delete_is_einval(void)
{
	int fd = array(8, 4, 0);
	__u32 key = 1, past = 9;
	__u64 value = 5, out;

	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_ANY), 0);
	EXPECT_ERRNO(bpf_map_delete_elem(fd, &key), EINVAL);
	EXPECT_ERRNO(bpf_map_delete_elem(fd, &past), EINVAL);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &out), 0);
	EXPECT_EQ(out, 5);
	close(fd);
}

static void get_next_key_walks_in_order_then_enoent(void)
{
	int fd = array(4, 5, 0);
	__u32 key, next = 77, past = 5, huge = UINT32_MAX, seen = 0;
	int err;

	EXPECT_ERRNO(bpf_map_get_next_key(fd, NULL, &next), 0);
	EXPECT_EQ(next, 0);
	for (key = 0; (err = bpf_map_get_next_key(fd, &key, &next)) == 0; key = next) {
		EXPECT_EQ(next, key + 1);
		seen++;
	}
	EXPECT_EQ(err, -ENOENT);
	EXPECT_EQ(errno, ENOENT);
	EXPECT_EQ(seen, 4);
	/* A key past the end restarts the walk. */
	EXPECT_ERRNO(bpf_map_get_next_key(fd, &past, &next), 0);
	EXPECT_EQ(next, 0);
	EXPECT_ERRNO(bpf_map_get_next_key(fd, &huge, &next), 0);
	EXPECT_EQ(next, 0);
	close(fd);
}

static void odd_value_size_copies_exactly_value_size(void)
{
	int fd = array(5, 3, 0);
	__u8 in[5] = { 1, 2, 3, 4, 5 }, out[16];
	__u32 key = 1, other = 2;

	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, in, BPF_ANY), 0);
	memset(out, 0xaa, sizeof(out));
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, out), 0);
	EXPECT(!memcmp(out, in, 5));
	EXPECT(out[5] == 0xaa && out[15] == 0xaa);
	/* The neighbour is untouched. */
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &other, out), 0);
	EXPECT(out[0] == 0 && out[4] == 0);
	close(fd);
}

static void large_array_reaches_its_last_index(void)
{
	__u32 max = 1U << 20, key = max - 1;
	int fd = array(8, max, 0);
	__u64 value = 0x5a5a5a5a, out = 0;

	EXPECT(fd >= 0);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_EXIST), 0);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &out), 0);
	EXPECT_EQ(out, value);
	key = max;
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &out), ENOENT);
	close(fd);
}

static void bad_user_pointers_are_efault(void)
{
	int fd = array(8, 4, 0);
	__u32 key = 0;
	__u64 value = 0;

	EXPECT_ERRNO(bpf_map_lookup_elem(fd, NULL, &value), EFAULT);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, NULL), EFAULT);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, (void *)-4096L), EFAULT);
	EXPECT_ERRNO(bpf_map_update_elem(fd, NULL, &value, BPF_ANY), EFAULT);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, NULL, BPF_ANY), EFAULT);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, (void *)1, BPF_ANY), EFAULT);
	EXPECT_ERRNO(bpf_map_delete_elem(fd, NULL), EFAULT);
	EXPECT_ERRNO(bpf_map_get_next_key(fd, &key, NULL), EFAULT);
	EXPECT_ERRNO(bpf_map_get_next_key(fd, (void *)1, &key), EFAULT);
	close(fd);
}

static void readonly_and_writeonly_fds(void)
{
	int ro = array(8, 2, BPF_F_RDONLY), wo = array(8, 2, BPF_F_WRONLY);
	__u32 key = 0, next;
	__u64 value = 1;

	EXPECT(ro >= 0 && wo >= 0);
	EXPECT_EQ(fcntl(ro, F_GETFL) & O_ACCMODE, O_RDONLY);
	EXPECT_EQ(fcntl(wo, F_GETFL) & O_ACCMODE, O_WRONLY);

	EXPECT_ERRNO(bpf_map_lookup_elem(ro, &key, &value), 0);
	EXPECT_ERRNO(bpf_map_get_next_key(ro, &key, &next), 0);
	EXPECT_ERRNO(bpf_map_update_elem(ro, &key, &value, BPF_ANY), EPERM);
	EXPECT_ERRNO(bpf_map_delete_elem(ro, &key), EPERM);

	EXPECT_ERRNO(bpf_map_update_elem(wo, &key, &value, BPF_ANY), 0);
	EXPECT_ERRNO(bpf_map_delete_elem(wo, &key), EINVAL);
	EXPECT_ERRNO(bpf_map_lookup_elem(wo, &key, &value), EPERM);
	EXPECT_ERRNO(bpf_map_get_next_key(wo, &key, &next), EPERM);
	close(ro);
	close(wo);
}

static void closed_map_fd_is_ebadf(void)
{
	int fd = array(8, 2, 0);
	__u32 key = 0;
	__u64 value;

	close(fd);
	EXPECT_ERRNO(bpf_map_lookup_elem(fd, &key, &value), EBADF);
	EXPECT_ERRNO(bpf_map_update_elem(fd, &key, &value, BPF_ANY), EBADF);
}

static const struct tap_test tests[] = {
	TAP_TEST(create_refuses_bad_attributes),
	TAP_TEST(new_array_reads_as_zero),
	TAP_TEST(update_flags_follow_the_kernel),
	TAP_TEST(lookup_past_the_end_is_enoent),
	TAP_TEST(lookup_flags_refuse_what_arrays_lack),
	TAP_TEST(delete_is_einval),
	TAP_TEST(get_next_key_walks_in_order_then_enoent),
	TAP_TEST(odd_value_size_copies_exactly_value_size),
	TAP_TEST(large_array_reaches_its_last_index),
	TAP_TEST(bad_user_pointers_are_efault),
	TAP_TEST(readonly_and_writeonly_fds),
	TAP_TEST(closed_map_fd_is_ebadf),
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	unsetenv("ABPF_BACKEND");
	abpf_set_default_backend(ABPF_BACKEND_KERNEL);
	tap_run(tests, TAP_COUNT(tests), "array: [kernel] ");
	abpf_set_default_backend(ABPF_BACKEND_KBPF);
	tap_run(tests, TAP_COUNT(tests), "array: [kbpf] ");
	return tap_done();
}
