// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The /dev/kbpf UAPI, run in the test VM with kbpf.ko loaded.
 *
 * The bpf(2) contract (attr sizes, unused fields, pointers, fd kinds) is
 * tested on both backends, the kernel's bpf(2) and kbpf's ioctl, with the
 * same expectations: where kbpf claims the kernel's behaviour, the kernel
 * is the reference.  The ioctl layer itself (request numbers, the call
 * struct, the device node, module pinning) is kbpf's alone.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kbpf.h>

#include <abpf/bpf.h>

#include "../tap.h"

#define attr_end(field) (offsetof(union bpf_attr, field) + \
			 sizeof(((union bpf_attr *)0)->field))

static const struct abpf_sys *B;	/* the backend under test */
static long page_size;

static long sys_bpf(long cmd, void *attr, unsigned int size)
{
	return B->bpf(cmd, attr, size);
}

/* A map-create attr for a small ARRAY at @buf. */
static void array_create_attr(void *buf)
{
	union bpf_attr *attr = buf;

	attr->map_type = BPF_MAP_TYPE_ARRAY;
	attr->key_size = 4;
	attr->value_size = 8;
	attr->max_entries = 4;
}

/* Two pages, the second PROT_NONE: an address whose bytes run off the end. */
static char *guarded_page(void)
{
	char *p = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mprotect(p + page_size, page_size, PROT_NONE);
	memset(p, 0, page_size);
	return p;
}

static int new_map(void)
{
	union bpf_attr attr = {};

	array_create_attr(&attr);
	return (int)sys_bpf(BPF_MAP_CREATE, &attr, attr_end(map_extra));
}

static void attr_null_with_a_size_is_efault(void)
{
	EXPECT_SYSERR(sys_bpf(BPF_MAP_CREATE, NULL, 8), EFAULT);
	EXPECT_SYSERR(sys_bpf(BPF_MAP_LOOKUP_ELEM, NULL, sizeof(union bpf_attr)), EFAULT);
}

static void attr_of_size_zero_reads_as_zero(void)
{
	/* All zero: map type UNSPEC, which nothing creates. */
	EXPECT_SYSERR(sys_bpf(BPF_MAP_CREATE, NULL, 0), EINVAL);
}

static void attr_in_unmapped_memory_is_efault(void)
{
	char *p = guarded_page();

	EXPECT(p != NULL);
	if (!p)
		return;
	EXPECT_SYSERR(sys_bpf(BPF_MAP_CREATE, p + page_size, 8), EFAULT);
	/* The attr's first 8 bytes are mapped, the rest are not. */
	*(__u32 *)(p + page_size - 8) = BPF_MAP_TYPE_ARRAY;
	EXPECT_SYSERR(sys_bpf(BPF_MAP_CREATE, p + page_size - 8,
			      attr_end(map_extra)), EFAULT);
	munmap(p, 2 * page_size);
}

static void attr_larger_than_a_page_is_e2big(void)
{
	char *p = guarded_page();

	EXPECT(p != NULL);
	if (!p)
		return;
	array_create_attr(p);
	EXPECT_SYSERR(sys_bpf(BPF_MAP_CREATE, p, page_size + 1), E2BIG);
	munmap(p, 2 * page_size);
}

static void attr_tail_past_the_union_must_be_zero(void)
{
	char *p = guarded_page();
	int fd;

	EXPECT(p != NULL);
	if (!p)
		return;
	array_create_attr(p);
	p[page_size - 1] = 1;
	EXPECT_SYSERR(sys_bpf(BPF_MAP_CREATE, p, page_size), E2BIG);
	p[page_size - 1] = 0;
	fd = (int)sys_bpf(BPF_MAP_CREATE, p, page_size);
	EXPECT(fd >= 0);
	if (fd >= 0)
		close(fd);
	munmap(p, 2 * page_size);
}

static void attr_tail_that_cannot_be_read_is_efault(void)
{
	char *p = guarded_page(), *attr;

	EXPECT(p != NULL);
	if (!p)
		return;
	/* The union fits in the mapping, the rest of the 512 bytes does not. */
	attr = p + page_size - 256;
	array_create_attr(attr);
	EXPECT_SYSERR(sys_bpf(BPF_MAP_CREATE, attr, 512), EFAULT);
	munmap(p, 2 * page_size);
}

static void short_attr_is_zero_extended(void)
{
	char buf[sizeof(union bpf_attr)];
	int fd;

	/* Garbage past the size passed must not be read. */
	memset(buf, 0xff, sizeof(buf));
	memset(buf, 0, attr_end(max_entries));
	array_create_attr(buf);
	fd = (int)sys_bpf(BPF_MAP_CREATE, buf, attr_end(max_entries));
	EXPECT(fd >= 0);
	if (fd >= 0)
		close(fd);
}

static void unknown_commands_are_einval_after_the_attr_checks(void)
{
	union bpf_attr attr = {};

	EXPECT_SYSERR(sys_bpf(999, &attr, sizeof(attr)), EINVAL);
	EXPECT_SYSERR(sys_bpf(-1, &attr, sizeof(attr)), EINVAL);
	EXPECT_SYSERR(sys_bpf(999, NULL, sizeof(attr)), EFAULT);
}

static void fields_a_command_does_not_read_are_einval(void)
{
	union bpf_attr attr;

	/* Past map_token_fd (6.12's last MAP_CREATE field, 80). */
	memset(&attr, 0, sizeof(attr));
	array_create_attr(&attr);
	((char *)&attr)[80] = 1;
	EXPECT_SYSERR(sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr)), EINVAL);

	/* The element commands check before they look at the fd. */
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = -1;
	((char *)&attr)[attr_end(flags)] = 1;
	EXPECT_SYSERR(sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)), EINVAL);
	EXPECT_SYSERR(sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)), EINVAL);

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = -1;
	attr.flags = 1;
	EXPECT_SYSERR(sys_bpf(BPF_MAP_DELETE_ELEM, &attr, sizeof(attr)), EINVAL);
	EXPECT_SYSERR(sys_bpf(BPF_MAP_GET_NEXT_KEY, &attr, sizeof(attr)), EINVAL);
}

/* Every map command on @fd fails with @err. */
static void expect_map_cmds_fail(int fd, int err)
{
	static const int cmds[] = { BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM,
				    BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY };
	union bpf_attr attr = {};
	__u32 key = 0;
	__u64 value = 0;
	size_t i;

	attr.map_fd = fd;
	attr.key = (uintptr_t)&key;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		/* DELETE reads no further than key: a value would be EINVAL. */
		attr.value = cmds[i] == BPF_MAP_DELETE_ELEM ? 0 : (uintptr_t)&value;
		errno = 0;
		if (sys_bpf(cmds[i], &attr, attr_end(flags)) != -1 || errno != err)
			tap_fail("cmd %d on fd %d: want %s, got %s", cmds[i], fd,
				 strerrorname_np(err), strerrorname_np(errno));
	}
}

static void map_commands_refuse_fds_that_are_not_its_maps(void)
{
	const struct abpf_sys *other = B == abpf_sys_kbpf() ? abpf_sys_libc()
							     : abpf_sys_kbpf();
	union bpf_attr attr = {};
	int pipefd[2], devnull, dev, closed, foreign;

	expect_map_cmds_fail(-1, EBADF);
	closed = open("/dev/null", O_RDONLY);
	close(closed);
	expect_map_cmds_fail(closed, EBADF);

	EXPECT_EQ(pipe(pipefd), 0);
	expect_map_cmds_fail(pipefd[0], EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);

	devnull = open("/dev/null", O_RDWR);
	expect_map_cmds_fail(devnull, EINVAL);
	close(devnull);

	dev = open(KBPF_DEVICE_PATH, O_RDWR);
	EXPECT(dev >= 0);
	expect_map_cmds_fail(dev, EINVAL);
	close(dev);

	/* A map of the other backend. */
	array_create_attr(&attr);
	foreign = (int)other->bpf(BPF_MAP_CREATE, &attr, attr_end(map_extra));
	EXPECT(foreign >= 0);
	expect_map_cmds_fail(foreign, EINVAL);
	close(foreign);
}

static void map_fds_are_cloexec_anon_inodes_with_fdinfo(void)
{
	const char *want = B == abpf_sys_kbpf() ? "anon_inode:kbpf-map"
						: "anon_inode:bpf-map";
	char path[64], link[64] = "", info[1024] = "";
	ssize_t n;
	int fd = new_map(), info_fd;

	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	EXPECT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	EXPECT(n > 0 && !strcmp(link, want));

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	info_fd = open(path, O_RDONLY);
	n = read(info_fd, info, sizeof(info) - 1);
	close(info_fd);
	EXPECT(n > 0);
	EXPECT(strstr(info, "map_type:\t2\n") != NULL);
	EXPECT(strstr(info, "key_size:\t4\n") != NULL);
	EXPECT(strstr(info, "value_size:\t8\n") != NULL);
	EXPECT(strstr(info, "max_entries:\t4\n") != NULL);
	EXPECT(strstr(info, "map_flags:\t0x0\n") != NULL);
	EXPECT(strstr(info, "map_extra:\t0x0\n") != NULL);
	close(fd);
}

static void closing_many_maps_releases_them(void)
{
	int i, fd, failed = 0;

	/* kmemleak and the final rmmod check nothing is left behind. */
	for (i = 0; i < 2000; i++) {
		fd = new_map();
		if (fd < 0)
			failed++;
		else
			close(fd);
	}
	EXPECT_EQ(failed, 0);
}

static const struct tap_test bpf_contract_tests[] = {
	TAP_TEST(attr_null_with_a_size_is_efault),
	TAP_TEST(attr_of_size_zero_reads_as_zero),
	TAP_TEST(attr_in_unmapped_memory_is_efault),
	TAP_TEST(attr_larger_than_a_page_is_e2big),
	TAP_TEST(attr_tail_past_the_union_must_be_zero),
	TAP_TEST(attr_tail_that_cannot_be_read_is_efault),
	TAP_TEST(short_attr_is_zero_extended),
	TAP_TEST(unknown_commands_are_einval_after_the_attr_checks),
	TAP_TEST(fields_a_command_does_not_read_are_einval),
	TAP_TEST(map_commands_refuse_fds_that_are_not_its_maps),
	TAP_TEST(map_fds_are_cloexec_anon_inodes_with_fdinfo),
	TAP_TEST(closing_many_maps_releases_them),
};

/* The ioctl layer: kbpf only. */

static int dev_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open(KBPF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	return fd;
}

static void device_is_a_misc_char_device_of_mode_0600(void)
{
	struct stat st;

	EXPECT_EQ(stat(KBPF_DEVICE_PATH, &st), 0);
	EXPECT(S_ISCHR(st.st_mode));
	EXPECT_EQ(major(st.st_rdev), 10);	/* MISC_MAJOR */
	EXPECT_EQ(st.st_mode & 07777, 0600);
}

static void unknown_ioctl_requests_are_enotty(void)
{
	struct kbpf_bpf_call call = { .cmd = BPF_MAP_CREATE };
	int fd = dev_fd();

	EXPECT(fd >= 0);
	EXPECT_SYSERR(ioctl(fd, _IO(KBPF_IOC_MAGIC, 1)), ENOTTY);
	EXPECT_SYSERR(ioctl(fd, _IOWR(KBPF_IOC_MAGIC, 0, __u64), &call), ENOTTY);
	EXPECT_SYSERR(ioctl(fd, _IOWR(KBPF_IOC_MAGIC, 1, struct kbpf_bpf_call), &call),
		      ENOTTY);
	EXPECT_SYSERR(ioctl(fd, TCGETS, &call), ENOTTY);
}

static void call_struct_out_of_reach_is_efault(void)
{
	char *p = guarded_page();
	int fd = dev_fd();

	EXPECT(p != NULL);
	if (!p)
		return;
	EXPECT_SYSERR(ioctl(fd, KBPF_IOC_BPF, NULL), EFAULT);
	EXPECT_SYSERR(ioctl(fd, KBPF_IOC_BPF, p + page_size), EFAULT);
	EXPECT_SYSERR(ioctl(fd, KBPF_IOC_BPF, p + page_size - 8), EFAULT);
	EXPECT_SYSERR(ioctl(fd, KBPF_IOC_BPF, (void *)-4096L), EFAULT);
	munmap(p, 2 * page_size);
}

static void call_attr_pointer_out_of_reach_is_efault(void)
{
	struct kbpf_bpf_call call = {
		.cmd = BPF_MAP_CREATE,
		.size = sizeof(union bpf_attr),
		.attr = (__u64)-4096L,	/* a kernel address */
	};
	int fd = dev_fd();

	EXPECT_SYSERR(ioctl(fd, KBPF_IOC_BPF, &call), EFAULT);
	call.attr = 1;	/* misaligned, unmapped */
	EXPECT_SYSERR(ioctl(fd, KBPF_IOC_BPF, &call), EFAULT);
}

static int delete_module(const char *name, int flags)
{
	return (int)syscall(__NR_delete_module, name, flags);
}

/*
 * In a child that has only a map fd open (no /dev/kbpf fd), rmmod must be
 * refused.  Runs first, before this process opens the device itself.
 */
static void open_map_fd_pins_the_module(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct kbpf_bpf_call call = { .cmd = BPF_MAP_CREATE };
		union bpf_attr attr = {};
		int dev, map, err;

		array_create_attr(&attr);
		call.size = attr_end(map_extra);
		call.attr = (uintptr_t)&attr;
		dev = open(KBPF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		map = dev < 0 ? -1 : ioctl(dev, KBPF_IOC_BPF, &call);
		close(dev);
		if (map < 0)
			_exit(10);
		errno = 0;
		err = delete_module("kbpf", O_NONBLOCK) == -1 ? errno : 0;
		if (err != EAGAIN)
			_exit(11);
		if (access(KBPF_DEVICE_PATH, F_OK) != 0)
			_exit(12);
		_exit(0);
	}
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid);
	EXPECT(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

static const struct tap_test ioctl_tests[] = {
	TAP_TEST(open_map_fd_pins_the_module),
	TAP_TEST(device_is_a_misc_char_device_of_mode_0600),
	TAP_TEST(unknown_ioctl_requests_are_enotty),
	TAP_TEST(call_struct_out_of_reach_is_efault),
	TAP_TEST(call_attr_pointer_out_of_reach_is_efault),
};

int main(void)
{
	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);

	tap_run(ioctl_tests, TAP_COUNT(ioctl_tests), "uapi: ioctl: ");
	B = abpf_sys_libc();
	tap_run(bpf_contract_tests, TAP_COUNT(bpf_contract_tests), "uapi: [kernel] ");
	B = abpf_sys_kbpf();
	tap_run(bpf_contract_tests, TAP_COUNT(bpf_contract_tests), "uapi: [kbpf] ");
	return tap_done();
}
