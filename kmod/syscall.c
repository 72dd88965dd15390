// SPDX-License-Identifier: GPL-2.0
/*
 * One bpf(2) command: load the attr, check the fields the command does not
 * read are zero, run the command.  The order of the checks, and so which
 * errno wins when several apply, is kernel/bpf/syscall.c's.
 */
#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/stddef.h>

#include "kbpf.h"

/**
 * struct kbpf_cmd - a bpf(2) command kbpf implements
 * @run:      the command; returns a new fd, 0 or -errno
 * @attr_end: offset just past the last attr field it reads; every byte
 *            after it must be zero
 */
struct kbpf_cmd {
	int (*run)(union bpf_attr *attr, bpfptr_t uattr);
	size_t attr_end;
};

#define KBPF_CMD(cmd, fn, last_field) \
	[cmd] = { .run = fn, .attr_end = offsetofend(union bpf_attr, last_field) }

static const struct kbpf_cmd kbpf_cmds[] = {
	KBPF_CMD(BPF_MAP_CREATE,	kbpf_cmd_map_create,		map_extra),
	KBPF_CMD(BPF_MAP_LOOKUP_ELEM,	kbpf_cmd_map_lookup_elem,	flags),
	KBPF_CMD(BPF_MAP_UPDATE_ELEM,	kbpf_cmd_map_update_elem,	flags),
	KBPF_CMD(BPF_MAP_DELETE_ELEM,	kbpf_cmd_map_delete_elem,	key),
	KBPF_CMD(BPF_MAP_GET_NEXT_KEY,	kbpf_cmd_map_get_next_key,	next_key),
	KBPF_CMD(BPF_MAP_GET_NEXT_ID,	kbpf_cmd_map_get_next_id,	next_id),
	KBPF_CMD(BPF_MAP_GET_FD_BY_ID,	kbpf_cmd_map_get_fd_by_id,	open_flags),
	KBPF_CMD(BPF_OBJ_GET_INFO_BY_FD, kbpf_cmd_obj_get_info_by_fd,	info.info),
	KBPF_CMD(BPF_MAP_LOOKUP_AND_DELETE_ELEM,
		 kbpf_cmd_map_lookup_and_delete_elem,			flags),
	KBPF_CMD(BPF_MAP_FREEZE,	kbpf_cmd_map_freeze,		map_fd),
	KBPF_CMD(BPF_MAP_LOOKUP_BATCH,	kbpf_cmd_map_lookup_batch,	batch.flags),
	KBPF_CMD(BPF_MAP_LOOKUP_AND_DELETE_BATCH,
		 kbpf_cmd_map_lookup_and_delete_batch,			batch.flags),
	KBPF_CMD(BPF_MAP_UPDATE_BATCH,	kbpf_cmd_map_update_batch,	batch.flags),
	KBPF_CMD(BPF_MAP_DELETE_BATCH,	kbpf_cmd_map_delete_batch,	batch.flags),
	KBPF_CMD(BPF_PROG_LOAD,		kbpf_cmd_prog_load,		KBPF_PROG_LOAD_LAST_FIELD),
	KBPF_CMD(BPF_PROG_TEST_RUN,	kbpf_cmd_prog_test_run,		test.batch_size),
	KBPF_CMD(BPF_PROG_GET_NEXT_ID,	kbpf_cmd_prog_get_next_id,	next_id),
	KBPF_CMD(BPF_PROG_GET_FD_BY_ID,	kbpf_cmd_prog_get_fd_by_id,	prog_id),
	KBPF_CMD(BPF_RAW_TRACEPOINT_OPEN, kbpf_cmd_raw_tracepoint_open,	KBPF_RAW_TP_LAST_FIELD),
};

/**
 * kbpf_sys_bpf() - run one bpf(2) command
 * @cmd:   enum bpf_cmd
 * @uattr: the caller's union bpf_attr (user memory, or kernel memory for
 *         in-kernel callers)
 * @size:  its size
 *
 * Return: what bpf(2) would: a new file descriptor, 0, or -errno.
 */
int kbpf_sys_bpf(u32 cmd, bpfptr_t uattr, u32 size)
{
	const struct kbpf_cmd *c;
	union bpf_attr attr;
	int err;

	/*
	 * 6.1 with unprivileged BPF disabled (Debian's default, which kbpf
	 * assumes) refuses to create maps and programs without CAP_BPF
	 * before anything else; 6.12 asks later, in the commands.
	 */
	if (!KBPF_MAP_CREATE_CAP_AFTER_TYPE_CHECKS && !bpf_capable() &&
	    (cmd == BPF_MAP_CREATE || cmd == BPF_PROG_LOAD))
		return -EPERM;
	err = kbpf_attr_copy(&attr, uattr, size);
	if (err)
		return err;

	if (cmd >= ARRAY_SIZE(kbpf_cmds))
		return -EINVAL;
	c = &kbpf_cmds[array_index_nospec(cmd, ARRAY_SIZE(kbpf_cmds))];
	if (!c->run)
		return -EINVAL;
	if (!kbpf_attr_tail_is_zero(&attr, c->attr_end, size))
		return -EINVAL;

	return c->run(&attr, uattr);
}
EXPORT_SYMBOL_IF_KUNIT(kbpf_sys_bpf);
