// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Host tests of libabpf: no kernel involved.  A fake system table records
 * the bpf(2) calls the shim makes and answers them, which shows the attr
 * layout, sizes and error convention are libbpf's.  Backend selection is
 * tested in child processes, since the environment is read once.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kbpf.h>

#include <abpf/bpf.h>

#include "../tap.h"

#define attr_end(field) (offsetof(union bpf_attr, field) + \
			 sizeof(((union bpf_attr *)0)->field))

/* The fake: remembers the last bpf call, answers with fake_ret/fake_err. */
static struct {
	long cmd;
	unsigned int size;
	union bpf_attr attr;
	int calls;
} last;
static long fake_ret;
static int fake_err, fake_errno;

static int *fake_errno_location(void)
{
	return &fake_errno;
}

static long fake_bpf(long cmd, void *attr, unsigned int size)
{
	last.cmd = cmd;
	last.size = size;
	memset(&last.attr, 0, sizeof(last.attr));
	memcpy(&last.attr, attr, size < sizeof(last.attr) ? size : sizeof(last.attr));
	last.calls++;
	if (fake_ret < 0)
		fake_errno = fake_err;
	return fake_ret;
}

static const struct abpf_sys fake_sys = {
	.errno_location = fake_errno_location,
	.bpf = fake_bpf,
};

static void fake_reset(long ret, int err)
{
	memset(&last, 0, sizeof(last));
	fake_ret = ret;
	fake_err = err;
	fake_errno = 0;
	abpf_set_default_sys(&fake_sys);
}

static void map_create_passes_libbpf_attr(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_RDONLY,
		    .numa_node = 3, .map_extra = 9, .inner_map_fd = 11);

	fake_reset(7, 0);
	EXPECT_EQ(bpf_map_create(BPF_MAP_TYPE_ARRAY, "counts", 4, 8, 16, &opts), 7);
	EXPECT_EQ(last.calls, 1);
	EXPECT_EQ(last.cmd, BPF_MAP_CREATE);
	EXPECT_EQ(last.size, attr_end(map_extra));
	EXPECT_EQ(last.attr.map_type, BPF_MAP_TYPE_ARRAY);
	EXPECT_EQ(last.attr.key_size, 4);
	EXPECT_EQ(last.attr.value_size, 8);
	EXPECT_EQ(last.attr.max_entries, 16);
	EXPECT_EQ(last.attr.map_flags, BPF_F_RDONLY);
	EXPECT_EQ(last.attr.numa_node, 3);
	EXPECT_EQ(last.attr.map_extra, 9);
	EXPECT_EQ(last.attr.inner_map_fd, 11);
	EXPECT(!strcmp(last.attr.map_name, "counts"));
}

static void map_create_cuts_long_names_like_libbpf(void)
{
	fake_reset(3, 0);
	EXPECT_EQ(bpf_map_create(BPF_MAP_TYPE_ARRAY, "abcdefghijklmnopqrstuvwxyz",
				 4, 4, 1, NULL), 3);
	EXPECT(!memcmp(last.attr.map_name, "abcdefghijklmno", 16));
}

static void map_create_refuses_opts_without_size(void)
{
	struct bpf_map_create_opts opts = { .sz = 0, .map_flags = 1 };

	fake_reset(3, 0);
	EXPECT_ERRNO(bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, &opts), EINVAL);
	EXPECT_EQ(last.calls, 0);
}

static void map_create_checks_unknown_opts_are_zero(void)
{
	struct {
		struct bpf_map_create_opts known;
		__u64 newer_field;
	} opts = { .known.sz = sizeof(opts), .newer_field = 1 };

	fake_reset(3, 0);
	EXPECT_ERRNO(bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, &opts.known),
		     EINVAL);
	EXPECT_EQ(last.calls, 0);
	opts.newer_field = 0;
	EXPECT_EQ(bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, &opts.known), 3);
	EXPECT_EQ(last.calls, 1);
}

static void map_create_ignores_fields_past_an_old_callers_size(void)
{
	struct bpf_map_create_opts opts = {
		.sz = offsetof(struct bpf_map_create_opts, map_extra),
		.map_flags = BPF_F_NUMA_NODE, .numa_node = 5,
	};

	fake_reset(3, 0);
	EXPECT_EQ(bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, &opts), 3);
	EXPECT_EQ(last.attr.map_flags, BPF_F_NUMA_NODE);
	EXPECT_EQ(last.attr.numa_node, 0);
}

static void errors_are_negative_errno_and_errno(void)
{
	int key = 0, value;

	fake_reset(-1, E2BIG);
	EXPECT_ERRNO(bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL), E2BIG);
	fake_reset(-1, ENOENT);
	EXPECT_ERRNO(bpf_map_lookup_elem(3, &key, &value), ENOENT);
	fake_reset(-1, EEXIST);
	EXPECT_ERRNO(bpf_map_update_elem(3, &key, &value, BPF_NOEXIST), EEXIST);
	fake_reset(-1, EINVAL);
	EXPECT_ERRNO(bpf_map_delete_elem(3, &key), EINVAL);
	fake_reset(-1, EPERM);
	EXPECT_ERRNO(bpf_map_get_next_key(3, &key, &value), EPERM);
}

static void element_calls_pass_libbpf_attr(void)
{
	int key = 1, value = 2, next;

	fake_reset(0, 0);
	EXPECT_EQ(bpf_map_lookup_elem(5, &key, &value), 0);
	EXPECT_EQ(last.cmd, BPF_MAP_LOOKUP_ELEM);
	EXPECT_EQ(last.size, attr_end(flags));
	EXPECT_EQ(last.attr.map_fd, 5);
	EXPECT_EQ(last.attr.key, (uintptr_t)&key);
	EXPECT_EQ(last.attr.value, (uintptr_t)&value);
	EXPECT_EQ(last.attr.flags, 0);

	EXPECT_EQ(bpf_map_update_elem(6, &key, &value, BPF_EXIST), 0);
	EXPECT_EQ(last.cmd, BPF_MAP_UPDATE_ELEM);
	EXPECT_EQ(last.size, attr_end(flags));
	EXPECT_EQ(last.attr.map_fd, 6);
	EXPECT_EQ(last.attr.key, (uintptr_t)&key);
	EXPECT_EQ(last.attr.value, (uintptr_t)&value);
	EXPECT_EQ(last.attr.flags, BPF_EXIST);

	EXPECT_EQ(bpf_map_delete_elem(7, &key), 0);
	EXPECT_EQ(last.cmd, BPF_MAP_DELETE_ELEM);
	EXPECT_EQ(last.size, attr_end(flags));
	EXPECT_EQ(last.attr.map_fd, 7);
	EXPECT_EQ(last.attr.key, (uintptr_t)&key);
	EXPECT_EQ(last.attr.value, 0);

	EXPECT_EQ(bpf_map_get_next_key(8, NULL, &next), 0);
	EXPECT_EQ(last.cmd, BPF_MAP_GET_NEXT_KEY);
	EXPECT_EQ(last.size, attr_end(next_key));
	EXPECT_EQ(last.attr.map_fd, 8);
	EXPECT_EQ(last.attr.key, 0);
	EXPECT_EQ(last.attr.next_key, (uintptr_t)&next);
}

static void shipped_tables_are_complete(void)
{
	const struct abpf_sys *tables[] = { abpf_sys_libc(), abpf_sys_kbpf() };
	size_t i, j;

	for (i = 0; i < 2; i++) {
		const void *const *entry = (const void *const *)tables[i];

		EXPECT(tables[i] != NULL);
		for (j = 0; j < sizeof(struct abpf_sys) / sizeof(void *); j++)
			EXPECT(entry[j] != NULL);
	}
	EXPECT(abpf_sys_libc()->bpf != abpf_sys_kbpf()->bpf);
	EXPECT(abpf_sys_libc()->open == abpf_sys_kbpf()->open);
}

static void uapi_ioctl_number_is_stable(void)
{
	EXPECT_EQ(sizeof(struct kbpf_bpf_call), 16);
	EXPECT_EQ(offsetof(struct kbpf_bpf_call, attr), 8);
	EXPECT_EQ(KBPF_IOC_BPF, 0xc010bf00);
	EXPECT_EQ(_IOC_TYPE(KBPF_IOC_BPF), 0xBF);
	EXPECT_EQ(_IOC_DIR(KBPF_IOC_BPF), _IOC_READ | _IOC_WRITE);
}

static void set_default_backend_refuses_unknown(void)
{
	EXPECT_EQ(abpf_set_default_backend((enum abpf_backend)99), -EINVAL);
	EXPECT_EQ(abpf_set_default_backend(ABPF_BACKEND_KBPF), 0);
	EXPECT(abpf_default_sys() == abpf_sys_kbpf());
	EXPECT_EQ(abpf_set_default_sys(NULL), 0);
	EXPECT(abpf_default_sys() == abpf_sys_libc());
}

static void kbpf_backend_without_device_is_enodev(void)
{
	/* The host never has kbpf loaded; the VM tests cover the device. */
	if (access(KBPF_DEVICE_PATH, F_OK) == 0) {
		tap_fail("%s exists on the host: cannot test its absence",
			 KBPF_DEVICE_PATH);
		return;
	}
	abpf_set_default_backend(ABPF_BACKEND_KBPF);
	EXPECT_ERRNO(bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL), ENODEV);
	abpf_set_default_sys(NULL);
}

/*
 * Backend selection, each case in a fresh process: @env is ABPF_BACKEND
 * (NULL: unset), @chosen what the program asks for (0: nothing), @want
 * the table abpf_default_sys() must return ('l' libc, 'k' kbpf, 'x' none
 * with EINVAL).
 */
static int child_backend_case(const char *chosen, const char *want)
{
	const struct abpf_sys *sys;

	if (!strcmp(chosen, "kbpf"))
		abpf_set_default_backend(ABPF_BACKEND_KBPF);
	else if (!strcmp(chosen, "kernel"))
		abpf_set_default_backend(ABPF_BACKEND_KERNEL);
	errno = 0;
	sys = abpf_default_sys();
	switch (*want) {
	case 'l':
		return sys == abpf_sys_libc() ? 0 : 1;
	case 'k':
		return sys == abpf_sys_kbpf() ? 0 : 1;
	default:
		return !sys && errno == EINVAL &&
		       bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL) == -EINVAL ? 0 : 1;
	}
}

static int run_backend_case(const char *env, const char *chosen, const char *want)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (env)
			setenv("ABPF_BACKEND", env, 1);
		else
			unsetenv("ABPF_BACKEND");
		execl("/proc/self/exe", "test_shim", "--backend-case", chosen, want,
		      (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void backend_env_beats_program_beats_kernel_default(void)
{
	EXPECT_EQ(run_backend_case(NULL, "-", "libc"), 0);
	EXPECT_EQ(run_backend_case(NULL, "kbpf", "kbpf"), 0);
	EXPECT_EQ(run_backend_case("kbpf", "-", "kbpf"), 0);
	EXPECT_EQ(run_backend_case("kernel", "kbpf", "libc"), 0);
	EXPECT_EQ(run_backend_case("kbpf", "kernel", "kbpf"), 0);
	EXPECT_EQ(run_backend_case("", "kbpf", "kbpf"), 0);
}

static void backend_env_typo_fails_instead_of_guessing(void)
{
	EXPECT_EQ(run_backend_case("kpbf", "-", "x"), 0);
	EXPECT_EQ(run_backend_case("KBPF", "kernel", "x"), 0);
}

static const struct tap_test tests[] = {
	TAP_TEST(map_create_passes_libbpf_attr),
	TAP_TEST(map_create_cuts_long_names_like_libbpf),
	TAP_TEST(map_create_refuses_opts_without_size),
	TAP_TEST(map_create_checks_unknown_opts_are_zero),
	TAP_TEST(map_create_ignores_fields_past_an_old_callers_size),
	TAP_TEST(errors_are_negative_errno_and_errno),
	TAP_TEST(element_calls_pass_libbpf_attr),
	TAP_TEST(shipped_tables_are_complete),
	TAP_TEST(uapi_ioctl_number_is_stable),
	TAP_TEST(set_default_backend_refuses_unknown),
	TAP_TEST(kbpf_backend_without_device_is_enodev),
	TAP_TEST(backend_env_beats_program_beats_kernel_default),
	TAP_TEST(backend_env_typo_fails_instead_of_guessing),
};

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--backend-case"))
		return child_backend_case(argv[2], argv[3]);

	unsetenv("ABPF_BACKEND");
	tap_run(tests, TAP_COUNT(tests), "shim: ");
	return tap_done();
}
