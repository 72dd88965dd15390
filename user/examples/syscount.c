// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * syscount: counts syscalls per process on the raw tracepoint
 * raw_syscalls:sys_enter into a HASH map (key tgid, value u64), from the
 * clang-built bpf/syscount.bpf.c loaded by libabpf's object loader, and
 * prints the processes that made the most.  While it waits it makes
 * --count getppid() calls itself, so its own line has at least that many.
 *
 *   syscount [--backend kbpf|kernel] [--duration SECONDS] [--count N]
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>

#include "example.h"

ABPF_EMBED(syscount_obj, ABPF_BPF_DIR "/syscount.bpf.o");

#define TOP 10

struct row {
	__u32 pid;
	__u64 count;
};

static int by_count(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->count == y->count ? 0 : x->count < y->count ? 1 : -1;
}

static void comm_of(__u32 pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, len - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		n = snprintf(buf, len, "?");
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

int main(int argc, char **argv)
{
	struct ex_opts o = { .count = 1000 };
	struct abpf_object *obj;
	struct abpf_link *link;
	struct abpf_map *counts;
	struct row *rows = NULL;
	size_t n = 0, cap = 0, i;
	__u64 total = 0, self = 0;
	__u32 key, next, *prev = NULL;
	double end;
	long made = 0;
	abpf_errno err;

	if (ex_parse(argc, argv, &o, "syscalls per process on raw_syscalls:sys_enter; --count: getppid() calls of its own"))
		return 2;
	obj = ex_load(o.backend, syscount_obj, ABPF_EMBED_SIZE(syscount_obj),
		      "syscount");
	if (!obj)
		return 1;
	err = abpf_object_attach_raw_tp(abpf_object_find_prog(obj, "syscount"),
					NULL, &link);
	if (!abpf_ok(err)) {
		fprintf(stderr, "syscount: attach: %s\n", abpf_strerror(err));
		abpf_object_close(obj);
		return 1;
	}
	printf("syscount on %s: counting for %.1f s\n",
	       ex_backend_name(o.backend), o.duration);
	end = ex_now() + o.duration;
	while (ex_now() < end) {
		for (i = 0; i < 100 && made < o.count; i++, made++)
			syscall(SYS_getppid);
		usleep(10000);
	}
	abpf_object_detach(abpf_object_find_prog(obj, "syscount"), link);

	counts = abpf_object_find_map(obj, "counts");
	while (abpf_ok(abpf_map_get_next_key(counts, prev, &next, sizeof(next)))) {
		struct row r = { .pid = next };

		key = next;
		prev = &key;
		if (!abpf_ok(abpf_map_get(counts, key, &r.count)))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			rows = realloc(rows, cap * sizeof(*rows));
			if (!rows)
				return 1;
		}
		rows[n++] = r;
		total += r.count;
		if (r.pid == (__u32)getpid())
			self = r.count;
	}
	qsort(rows, n, sizeof(*rows), by_count);
	printf("%8s %-16s %10s\n", "PID", "COMM", "SYSCALLS");
	for (i = 0; i < n && i < TOP; i++) {
		char comm[32];

		comm_of(rows[i].pid, comm, sizeof(comm));
		printf("%8u %-16s %10llu\n", rows[i].pid, comm,
		       (unsigned long long)rows[i].count);
	}
	printf("%zu processes, %llu syscalls; this one made %ld getppid() calls and was counted %llu times\n",
	       n, (unsigned long long)total, made, (unsigned long long)self);
	free(rows);
	abpf_object_close(obj);
	return self >= (__u64)made ? 0 : 1;
}
