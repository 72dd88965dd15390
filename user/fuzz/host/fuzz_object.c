// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libFuzzer target: libabpf's ELF object loader (lib/object.c and its ELF
 * reader) on arbitrary bytes: abpf_object_open_mem(), then, for what
 * opens, a walk over its programs and abpf_object_load() through a table
 * whose bpf(2) says yes to everything (new fds for maps and programs),
 * then abpf_object_close().  Besides the sanitizers: every fd the fake
 * handed out is closed again, and a failed open leaves nothing behind.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#include <abpf.h>
#include <abpf/object.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int errno_val, next_fd, open_fds;

static int *fk_errno(void)
{
	return &errno_val;
}

static long fk_bpf(long cmd, void *attr, unsigned int size)
{
	(void)attr;
	(void)size;
	switch (cmd) {
	case BPF_MAP_CREATE:
	case BPF_PROG_LOAD:
	case BPF_RAW_TRACEPOINT_OPEN:
		open_fds++;
		return next_fd++;
	default:
		return 0;
	}
}

static int fk_close(int fd)
{
	if (fd >= 1000)
		open_fds--;
	return 0;
}

static long fk_sysconf(int name)
{
	(void)name;
	return 4096;
}

static int fk_open(const char *path, int flags, mode_t mode)
{
	(void)path;
	(void)flags;
	(void)mode;
	errno_val = ENOENT;
	return -1;
}

static const struct abpf_sys sys = {
	.errno_location = fk_errno,
	.bpf = fk_bpf,
	.close = fk_close,
	.sysconf = fk_sysconf,
	.open = fk_open,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct abpf_object *obj = NULL;
	struct abpf *h = NULL;
	char msg[256] = "";
	struct abpf_object_opts opts;
	size_t i, n;

	/* as LIBBPF_OPTS(): the padding past the last field is checked too */
	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.msg_buf = msg;
	opts.msg_size = sizeof(msg);

	next_fd = 1000;
	open_fds = 0;
	if (abpf_open(&sys, NULL, &h).no)
		abort();
	if (!abpf_object_open_mem(h, data, size, &opts, &obj).no) {
		n = abpf_object_prog_cnt(obj);
		for (i = 0; i < n; i++) {
			struct abpf_object_prog *p = abpf_object_prog_at(obj, i);

			if (!p || !abpf_object_prog_name(p))
				abort();
			(void)abpf_object_prog_insn_cnt(p);
		}
		abpf_object_load(obj);
		abpf_object_close(obj);
	} else if (obj) {
		abort();		/* a failed open hands out nothing */
	}
	abpf_unref(h);
	if (open_fds)
		abort();
	if (!memchr(msg, 0, sizeof(msg)))
		abort();
	return 0;
}
