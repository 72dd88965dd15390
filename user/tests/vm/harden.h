/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the hardening tests (fault injection, stress, lifetimes, pointer
 * scan, limits) share: raw /dev/kbpf calls, object constructors that
 * return -errno, and kbpf's debugfs counters.
 */
#ifndef KBPF_TEST_HARDEN_H
#define KBPF_TEST_HARDEN_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/kbpf.h>

#include "insn.h"

#define KBPF_DEBUGFS "/sys/kernel/debug/kbpf"

static int h_dev = -1;

/* /dev/kbpf, opened once; -1 if it cannot be. */
static inline int h_kbpf(void)
{
	if (h_dev < 0)
		h_dev = open(KBPF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	return h_dev;
}

/* One bpf(2) command on kbpf: the result, or -errno. */
static inline long h_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	struct kbpf_bpf_call call = {
		.cmd = (uint32_t)cmd, .size = size, .attr = (uintptr_t)attr,
	};
	long ret = ioctl(h_kbpf(), KBPF_IOC_BPF, &call);

	return ret < 0 ? -errno : ret;
}

static inline long h_sys(int cmd, union bpf_attr *attr)
{
	return h_bpf(cmd, attr, sizeof(*attr));
}

static inline int h_map_create(uint32_t type, uint32_t key_size,
			       uint32_t value_size, uint32_t max_entries,
			       uint32_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key_size;
	a.value_size = value_size;
	a.max_entries = max_entries;
	a.map_flags = flags;
	return (int)h_sys(BPF_MAP_CREATE, &a);
}

static inline int h_elem(int cmd, int fd, const void *key, void *value,
			 uint64_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	a.flags = flags;
	return (int)h_sys(cmd, &a);
}

static inline int h_prog_load_log(uint32_t type, const struct bpf_insn *insns,
				  uint32_t n, char *log, uint32_t log_size,
				  uint32_t log_level)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = log_size;
	a.log_level = log_level;
	return (int)h_sys(BPF_PROG_LOAD, &a);
}

static inline int h_prog_load(const struct bpf_insn *insns, uint32_t n)
{
	return h_prog_load_log(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, n, NULL, 0, 0);
}

static inline int h_attach(int prog, const char *tp)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.raw_tracepoint.name = (uintptr_t)tp;
	a.raw_tracepoint.prog_fd = (uint32_t)prog;
	return (int)h_sys(BPF_RAW_TRACEPOINT_OPEN, &a);
}

/* A raw_tp program adding one to @map[0] for each getppid() of this process. */
static inline int h_counter_prog(int map)
{
	struct bpf_insn insns[] = {
		LDX(BPF_DW, 6, 1, 8),
		JMP_IMM(BPF_JNE, 6, SYS_getppid, 14),
		CALL(BPF_FUNC_get_current_pid_tgid),
		ALU64_IMM(BPF_RSH, 0, 32),
		LD_IMM64(1, getpid()),
		JMP_REG(BPF_JNE, 0, 1, 9),
		ST(BPF_W, 10, -4, 0),
		LD_MAP(1, map),
		MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
		CALL(BPF_FUNC_map_lookup_elem),
		JMP_IMM(BPF_JEQ, 0, 0, 2),
		MOV64_IMM(1, 1),
		ATOMIC_ADD64(0, 1, 0),
		MOV64_IMM(0, 0), EXIT(),
	};

	return h_prog_load(insns, NR(insns));
}

/* The u64 at @map[0]; 0 if the lookup fails. */
static inline uint64_t h_read0(int map)
{
	uint32_t zero = 0;
	uint64_t v = 0;

	h_elem(BPF_MAP_LOOKUP_ELEM, map, &zero, &v, 0);
	return v;
}

/* A perf buffer for @cpu: fd or -errno. */
static inline int h_perf_buffer(uint32_t cpu)
{
	struct kbpf_perf_buffer_attr a = { .size = sizeof(a), .cpu = cpu };
	int fd = ioctl(h_kbpf(), KBPF_IOC_PERF_BUFFER, &a);

	return fd < 0 ? -errno : fd;
}

/*
 * A program under construction, with forward jumps to labels:
 * P_EMIT(p, insns...) appends, P_JMP(p, insn, label) appends a jump whose
 * offset p_done() sets to reach p_label(p, label).
 */
struct h_prog {
	struct bpf_insn insns[256];
	int n, labels[16], fix_at[32], fix_label[32], nfix;
};

#define P_EMIT(p, ...)							\
	do {								\
		const struct bpf_insn _in[] = { __VA_ARGS__ };		\
		size_t _k;						\
									\
		for (_k = 0; _k < NR(_in); _k++)			\
			(p)->insns[(p)->n++] = _in[_k];			\
	} while (0)

static inline void P_JMP(struct h_prog *p, struct bpf_insn jmp, int label)
{
	p->fix_at[p->nfix] = p->n;
	p->fix_label[p->nfix++] = label;
	p->insns[p->n++] = jmp;
}

static inline void p_label(struct h_prog *p, int label)
{
	p->labels[label] = p->n;
}

static inline void p_done(struct h_prog *p)
{
	int i;

	for (i = 0; i < p->nfix; i++)
		p->insns[p->fix_at[i]].off =
			(int16_t)(p->labels[p->fix_label[i]] - p->fix_at[i] - 1);
}

/* A field ("used", "objects", ...) of debugfs kbpf/memory, or -1. */
static inline long long h_memory_field(const char *field)
{
	char name[64];
	long long v, found = -1;
	FILE *f = fopen(KBPF_DEBUGFS "/memory", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, field))
			found = v;
	fclose(f);
	return found;
}

static inline void h_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Wait (up to about 5 s: frees run on workqueues and after RCU grace
 * periods) for debugfs field @field to come back to @want; the last value.
 */
static inline long long h_settle(const char *field, long long want)
{
	long long v = h_memory_field(field);
	int i;

	for (i = 0; i < 500 && v != want; i++) {
		h_sleep_ms(10);
		v = h_memory_field(field);
	}
	return v;
}

/* Write @val to kbpf's module parameter @name: 0 or -errno. */
static inline int h_set_param(const char *name, unsigned long long val)
{
	char path[128];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/sys/module/kbpf/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fprintf(f, "%llu\n", val) < 0)
		err = -EIO;
	if (fclose(f))
		err = -errno;
	return err;
}

#endif /* KBPF_TEST_HARDEN_H */
