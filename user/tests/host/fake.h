/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A fake system table for host tests: every call is recorded, none
 * reaches the kernel.  bpf is answered by fake.bpf_fn (default: the
 * scripted fake.bpf_ret / fake.bpf_err), files by fake.files, and fds are
 * numbers the fake hands out and expects back through close.
 */
#ifndef KBPF_HOST_FAKE_H
#define KBPF_HOST_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/bpf.h>

#include <abpf.h>

#define FAKE_MAX_CALLS 64
#define FAKE_FD_BASE 100

struct fake_bpf_call {
	long cmd;
	unsigned int size;
	union bpf_attr attr;	/* as passed */
	void *uattr;		/* the caller's attr, to write back */
};

static struct {
	int errno_val;
	/* bpf */
	struct fake_bpf_call bpf[FAKE_MAX_CALLS];
	int bpf_calls;
	long (*bpf_fn)(long cmd, union bpf_attr *attr, unsigned int size);
	long bpf_ret;
	int bpf_err;
	/* fds: handed out from FAKE_FD_BASE, closed ones recorded */
	int next_fd;
	int closed[FAKE_MAX_CALLS];
	int close_calls;
	/* open + read: one file's contents by path */
	const char *file_path, *file_data;
	int file_fd;
	size_t file_off;
	int open_calls;
	/* release callbacks of handles */
	int releases;
} fake;

static int *fake_errno_location(void)
{
	return &fake.errno_val;
}

static int fake_new_fd(void)
{
	return fake.next_fd++;
}

static long fake_bpf(long cmd, void *attr, unsigned int size)
{
	struct fake_bpf_call *c = &fake.bpf[fake.bpf_calls % FAKE_MAX_CALLS];
	long ret;

	c->cmd = cmd;
	c->size = size;
	c->uattr = attr;
	memset(&c->attr, 0, sizeof(c->attr));
	memcpy(&c->attr, attr, size < sizeof(c->attr) ? size : sizeof(c->attr));
	fake.bpf_calls++;
	if (fake.bpf_fn)
		return fake.bpf_fn(cmd, attr, size);
	ret = fake.bpf_ret;
	if (ret < 0)
		fake.errno_val = fake.bpf_err;
	return ret;
}

static int fake_close(int fd)
{
	fake.closed[fake.close_calls % FAKE_MAX_CALLS] = fd;
	fake.close_calls++;
	return 0;
}

static bool fake_was_closed(int fd)
{
	int i;

	for (i = 0; i < fake.close_calls && i < FAKE_MAX_CALLS; i++)
		if (fake.closed[i] == fd)
			return true;
	return false;
}

static int fake_open(const char *path, int flags, mode_t mode)
{
	(void)flags;
	(void)mode;
	fake.open_calls++;
	if (!fake.file_path || strcmp(path, fake.file_path)) {
		fake.errno_val = ENOENT;
		return -1;
	}
	fake.file_fd = fake_new_fd();
	fake.file_off = 0;
	return fake.file_fd;
}

static ssize_t fake_read(int fd, void *buf, size_t count)
{
	size_t left;

	if (fd != fake.file_fd) {
		fake.errno_val = EBADF;
		return -1;
	}
	left = strlen(fake.file_data) - fake.file_off;
	if (count > left)
		count = left;
	memcpy(buf, fake.file_data + fake.file_off, count);
	fake.file_off += count;
	return (ssize_t)count;
}

static long fake_sysconf(int name)
{
	(void)name;
	return 4096;
}

static const struct abpf_sys fake_sys = {
	.errno_location = fake_errno_location,
	.bpf = fake_bpf,
	.close = fake_close,
	.open = fake_open,
	.read = fake_read,
	.sysconf = fake_sysconf,
};

static void fake_release(void *ctx)
{
	(void)ctx;
	fake.releases++;
}

/* Forget every call; bpf answers @ret (with errno @err if negative). */
static void fake_reset(long ret, int err)
{
	memset(&fake, 0, sizeof(fake));
	fake.next_fd = FAKE_FD_BASE;
	fake.bpf_ret = ret;
	fake.bpf_err = err;
	fake.file_fd = -1;
	abpf_set_default_sys(&fake_sys);
}

/* A handle on @sys whose release the fake counts. */
static struct abpf *fake_handle(const struct abpf_sys *sys)
{
	struct abpf_opts opts = {
		.sz = sizeof(opts), .release = fake_release,
	};
	struct abpf *h = NULL;

	if (!abpf_ok(abpf_open(sys, &opts, &h)))
		return NULL;
	return h;
}

#endif /* KBPF_HOST_FAKE_H */
