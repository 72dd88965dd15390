// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Host tests of libabpf's object API (<abpf.h>) and the libbpf calls it
 * shares its commands with, against a fake system table: the handle's
 * reference count and release, fds closed through the table, map sizes
 * learnt once and checked before any call, errno mapping, the typed
 * convenience calls, and the attrs every libbpf-compatible call passes.
 */
#include <limits.h>
#include <linux/perf_event.h>

#include <abpf.h>

#include "../tap.h"
#include "fake.h"

#define attr_end(field) (offsetof(union bpf_attr, field) + \
			 sizeof(((union bpf_attr *)0)->field))

#define LAST (fake.bpf[(fake.bpf_calls - 1) % FAKE_MAX_CALLS])

/* What BPF_OBJ_GET_INFO_BY_FD answers for any fd. */
static struct bpf_map_info info_answer;

static long info_bpf(long cmd, union bpf_attr *attr, unsigned int size)
{
	struct bpf_map_info *out;

	(void)size;
	switch (cmd) {
	case BPF_OBJ_GET_INFO_BY_FD:
		out = (void *)(uintptr_t)attr->info.info;
		memcpy(out, &info_answer, attr->info.info_len < sizeof(info_answer) ?
		       attr->info.info_len : sizeof(info_answer));
		attr->info.info_len = sizeof(info_answer);
		return 0;
	case BPF_MAP_GET_FD_BY_ID:
	case BPF_MAP_CREATE:
	case BPF_PROG_LOAD:
		return fake_new_fd();
	default:
		return 0;
	}
}

static void answer_info(__u32 type, __u32 key_size, __u32 value_size)
{
	memset(&info_answer, 0, sizeof(info_answer));
	info_answer.type = type;
	info_answer.id = 77;
	info_answer.key_size = key_size;
	info_answer.value_size = value_size;
	info_answer.max_entries = 8;
	fake.bpf_fn = info_bpf;
}

static struct abpf_map *wrap(struct abpf *h, int fd)
{
	struct abpf_map *map = NULL;

	EXPECT_EQ(abpf_map_from_fd(h, fd, &map).no, 0);
	return map;
}

static void handle_lives_while_objects_hold_it(void)
{
	struct abpf *h;
	struct abpf_map *map;
	struct abpf_prog *prog = NULL;

	fake_reset(0, 0);
	answer_info(BPF_MAP_TYPE_HASH, 4, 8);
	h = fake_handle(&fake_sys);
	EXPECT(h != NULL);
	if (!h)
		return;
	map = wrap(h, 5);
	EXPECT_EQ(abpf_prog_from_fd(h, 6, &prog).no, 0);
	abpf_unref(h);			/* the caller's reference */
	EXPECT_EQ(fake.releases, 0);
	abpf_map_close(map);
	EXPECT_EQ(fake.releases, 0);
	EXPECT(fake_was_closed(5));
	abpf_prog_close(prog);
	EXPECT(fake_was_closed(6));
	EXPECT_EQ(fake.releases, 1);	/* the last reference went with prog */
	EXPECT_EQ(fake.close_calls, 2);
}

static void ref_and_unref_balance(void)
{
	struct abpf *h;

	fake_reset(0, 0);
	h = fake_handle(&fake_sys);
	EXPECT(abpf_ref(h) == h);
	abpf_unref(h);
	EXPECT_EQ(fake.releases, 0);
	EXPECT(abpf_sys(h) == &fake_sys);
	abpf_unref(h);
	EXPECT_EQ(fake.releases, 1);
	abpf_unref(NULL);
	EXPECT_EQ(fake.bpf_calls, 0);	/* a handle alone calls nothing */
}

static void open_checks_its_opts(void)
{
	struct { struct abpf_opts o; long newer; } big = {
		.o.sz = sizeof(big), .newer = 1,
	};
	struct abpf_opts zero = { .sz = 0 };
	struct abpf *h = (struct abpf *)1;

	fake_reset(0, 0);
	EXPECT_EQ(abpf_open(&fake_sys, &zero, &h).no, EINVAL);
	EXPECT_EQ(abpf_open(&fake_sys, &big.o, &h).no, EINVAL);
	EXPECT(h == (struct abpf *)1);	/* untouched on failure */
	big.newer = 0;
	EXPECT_EQ(abpf_open(&fake_sys, &big.o, &h).no, 0);
	abpf_unref(h);
	/* NULL: the default backend, here the fake. */
	EXPECT_EQ(abpf_open(NULL, NULL, &h).no, 0);
	EXPECT(abpf_sys(h) == &fake_sys);
	abpf_unref(h);
}

static void map_learns_its_sizes_once(void)
{
	struct abpf *h;
	struct abpf_map *map;
	__u32 key = 1;
	__u64 value = 0;

	fake_reset(0, 0);
	answer_info(BPF_MAP_TYPE_HASH, 4, 8);
	h = fake_handle(&fake_sys);
	map = wrap(h, 5);
	EXPECT_EQ(fake.bpf_calls, 1);
	EXPECT_EQ(fake.bpf[0].cmd, BPF_OBJ_GET_INFO_BY_FD);
	EXPECT_EQ(fake.bpf[0].size, attr_end(info));
	EXPECT_EQ(fake.bpf[0].attr.info.bpf_fd, 5);
	EXPECT_EQ(fake.bpf[0].attr.info.info_len, sizeof(struct bpf_map_info));
	EXPECT_EQ(abpf_map_type(map), BPF_MAP_TYPE_HASH);
	EXPECT_EQ(abpf_map_key_size(map), 4);
	EXPECT_EQ(abpf_map_value_size(map), 8);
	EXPECT_EQ(abpf_map_max_entries(map), 8);
	EXPECT_EQ(abpf_map_value_buf_size(map), 8);
	EXPECT_EQ(abpf_map_fd(map), 5);
	EXPECT(abpf_map_handle(map) == h);
	EXPECT_EQ(abpf_map_lookup(map, &key, 4, &value, 8, 0).no, 0);
	EXPECT_EQ(abpf_map_update(map, &key, 4, &value, 8, BPF_ANY).no, 0);
	EXPECT_EQ(abpf_map_delete(map, &key, 4).no, 0);
	EXPECT_EQ(abpf_map_get_next_key(map, NULL, &key, 4).no, 0);
	EXPECT_EQ(abpf_map_lookup_and_delete(map, &key, 4, &value, 8).no, 0);
	EXPECT_EQ(fake.bpf_calls, 6);	/* no second info call */
	abpf_map_close(map);
	abpf_unref(h);
}

static void element_calls_refuse_wrong_sizes_before_calling(void)
{
	struct abpf *h;
	struct abpf_map *map;
	char key[8] = "", value[16] = "";

	fake_reset(0, 0);
	answer_info(BPF_MAP_TYPE_HASH, 4, 8);
	h = fake_handle(&fake_sys);
	map = wrap(h, 5);
	fake.bpf_calls = 0;
	EXPECT_EQ(abpf_map_lookup(map, key, 8, value, 8, 0).no, EINVAL);
	EXPECT_EQ(abpf_map_lookup(map, key, 4, value, 16, 0).no, EINVAL);
	EXPECT_EQ(abpf_map_lookup(map, key, 4, value, 4, 0).no, EINVAL);
	EXPECT_EQ(abpf_map_update(map, key, 3, value, 8, 0).no, EINVAL);
	EXPECT_EQ(abpf_map_update(map, key, 4, value, 9, 0).no, EINVAL);
	EXPECT_EQ(abpf_map_delete(map, key, 0).no, EINVAL);
	EXPECT_EQ(abpf_map_get_next_key(map, key, key, 2).no, EINVAL);
	EXPECT_EQ(abpf_map_lookup_and_delete(map, key, 4, value, 7).no, EINVAL);
	EXPECT_EQ(fake.bpf_calls, 0);
	EXPECT_EQ(abpf_map_lookup(map, key, 4, value, 8, BPF_F_LOCK).no, 0);
	EXPECT_EQ(fake.bpf_calls, 1);
	EXPECT_EQ(LAST.cmd, BPF_MAP_LOOKUP_ELEM);
	EXPECT_EQ(LAST.size, attr_end(flags));
	EXPECT_EQ(LAST.attr.map_fd, 5);
	EXPECT_EQ(LAST.attr.key, (uintptr_t)key);
	EXPECT_EQ(LAST.attr.value, (uintptr_t)value);
	EXPECT_EQ(LAST.attr.flags, BPF_F_LOCK);
	abpf_map_close(map);
	abpf_unref(h);
}

static void per_cpu_values_are_rounded_for_each_possible_cpu(void)
{
	struct abpf *h;
	struct abpf_map *map;
	unsigned int ncpus = 0;
	__u32 key = 0;
	char value[64];

	fake_reset(0, 0);
	fake.file_path = "/sys/devices/system/cpu/possible";
	fake.file_data = "0-2,5\n";
	answer_info(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12);
	h = fake_handle(&fake_sys);
	map = wrap(h, 5);
	EXPECT_EQ(abpf_map_value_buf_size(map), 16 * 6);
	EXPECT_EQ(abpf_map_lookup(map, &key, 4, value, 12, 0).no, EINVAL);
	EXPECT_EQ(abpf_map_lookup(map, &key, 4, value, 64, 0).no, EINVAL);
	EXPECT_EQ(abpf_num_possible_cpus(h, &ncpus).no, 0);
	EXPECT_EQ(ncpus, 6);
	EXPECT_EQ(fake.open_calls, 1);		/* read once */
	EXPECT(fake_was_closed(fake.file_fd));	/* through the table */
	abpf_map_close(map);
	abpf_unref(h);

	fake_reset(0, 0);
	fake.file_path = "/sys/devices/system/cpu/possible";
	fake.file_data = "zero\n";
	answer_info(BPF_MAP_TYPE_PERCPU_HASH, 4, 4);
	h = fake_handle(&fake_sys);
	EXPECT_EQ(abpf_map_from_fd(h, 5, &map).no, LIBBPF_ERRNO__FORMAT);
	EXPECT(!fake_was_closed(5));	/* still the caller's */
	abpf_unref(h);
}

static void queues_take_no_key(void)
{
	struct abpf *h;
	struct abpf_map *map;
	__u64 v = 3;

	fake_reset(0, 0);
	answer_info(BPF_MAP_TYPE_QUEUE, 0, 8);
	h = fake_handle(&fake_sys);
	map = wrap(h, 5);
	EXPECT_EQ(abpf_map_update(map, NULL, 0, &v, 8, BPF_ANY).no, 0);
	EXPECT_EQ(LAST.attr.key, 0);
	EXPECT_EQ(abpf_map_lookup_and_delete(map, NULL, 0, &v, 8).no, 0);
	EXPECT_EQ(LAST.cmd, BPF_MAP_LOOKUP_AND_DELETE_ELEM);
	EXPECT_EQ(abpf_map_update(map, &v, 4, &v, 8, BPF_ANY).no, EINVAL);
	abpf_map_close(map);
	abpf_unref(h);
}

static void errors_are_the_tables_errno(void)
{
	struct abpf *h;
	struct abpf_map *map = NULL;
	static const struct abpf_sys no_bpf = {
		.errno_location = fake_errno_location, .close = fake_close,
	};
	static const struct abpf_sys no_errno = { .bpf = fake_bpf };

	fake_reset(-1, ENOENT);
	h = fake_handle(&fake_sys);
	EXPECT_EQ(abpf_map_get_fd_by_id(h, 9, &map).no, ENOENT);
	EXPECT(map == NULL);
	EXPECT_EQ(abpf_map_from_fd(h, 3, &map).no, ENOENT);
	abpf_unref(h);

	/* A table that fails but leaves errno at 0 is broken: INTERNAL. */
	fake_reset(-1, 0);
	h = fake_handle(&fake_sys);
	EXPECT_EQ(abpf_map_from_fd(h, 3, &map).no, LIBBPF_ERRNO__INTERNAL);
	abpf_unref(h);
	h = fake_handle(&no_errno);
	EXPECT_EQ(abpf_map_from_fd(h, 3, &map).no, LIBBPF_ERRNO__INTERNAL);
	abpf_unref(h);

	/* A missing entry is ENOSYS, not a crash. */
	h = fake_handle(&no_bpf);
	EXPECT_EQ(abpf_map_from_fd(h, 3, &map).no, ENOSYS);
	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL,
				  &map).no, ENOSYS);
	abpf_unref(h);
}

static void an_fd_past_int_is_internal_and_closed(void)
{
	struct abpf *h;
	struct abpf_map *map = NULL;

	fake_reset(1L << 33, 0);
	h = fake_handle(&fake_sys);
	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL,
				  &map).no, LIBBPF_ERRNO__INTERNAL);
	EXPECT_EQ(fake.close_calls, 1);
	EXPECT_ERRNO(bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL),
		     LIBBPF_ERRNO__INTERNAL);
	abpf_unref(h);
}

/* get-by-id made an fd, but it is not a map we can use: it is closed. */
static long info_fails_bpf(long cmd, union bpf_attr *attr, unsigned int size)
{
	(void)attr;
	(void)size;
	if (cmd == BPF_OBJ_GET_INFO_BY_FD) {
		fake.errno_val = EINVAL;
		return -1;
	}
	return fake_new_fd();
}

static void made_fds_are_closed_when_wrapping_fails(void)
{
	struct abpf *h;
	struct abpf_map *map = NULL;

	fake_reset(0, 0);
	fake.bpf_fn = info_fails_bpf;
	h = fake_handle(&fake_sys);
	EXPECT_EQ(abpf_map_get_fd_by_id(h, 4, &map).no, EINVAL);
	EXPECT_EQ(fake.bpf[0].cmd, BPF_MAP_GET_FD_BY_ID);
	EXPECT_EQ(fake.bpf[0].attr.map_id, 4);
	EXPECT_EQ(fake.bpf[0].size, attr_end(open_flags));
	EXPECT(fake_was_closed(FAKE_FD_BASE));
	EXPECT_EQ(abpf_map_obj_get(h, "/sys/fs/bpf/x", &map).no, EINVAL);
	EXPECT_EQ(fake.bpf[2].cmd, BPF_OBJ_GET);
	EXPECT(!strcmp((char *)(uintptr_t)fake.bpf[2].attr.pathname, "/sys/fs/bpf/x"));
	EXPECT(fake_was_closed(FAKE_FD_BASE + 1));
	EXPECT(map == NULL);
	abpf_unref(h);
	EXPECT_EQ(fake.releases, 1);
}

static void map_create_knows_its_sizes_without_info(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	struct abpf *h;
	struct abpf_map *map = NULL;

	fake_reset(0, 0);
	fake.bpf_fn = info_bpf;
	h = fake_handle(&fake_sys);
	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_HASH, "m", 8, 16, 32, &opts,
				  &map).no, 0);
	EXPECT_EQ(fake.bpf_calls, 1);
	EXPECT_EQ(fake.bpf[0].cmd, BPF_MAP_CREATE);
	EXPECT_EQ(fake.bpf[0].attr.map_flags, BPF_F_NO_PREALLOC);
	EXPECT_EQ(abpf_map_key_size(map), 8);
	EXPECT_EQ(abpf_map_value_size(map), 16);
	EXPECT_EQ(abpf_map_flags(map), BPF_F_NO_PREALLOC);
	EXPECT_EQ(abpf_map_freeze(map).no, 0);
	EXPECT_EQ(LAST.cmd, BPF_MAP_FREEZE);
	EXPECT_EQ(LAST.size, attr_end(map_fd));
	EXPECT_EQ(abpf_map_pin(map, "/p").no, 0);
	EXPECT_EQ(LAST.cmd, BPF_OBJ_PIN);
	EXPECT_EQ(LAST.attr.bpf_fd, FAKE_FD_BASE);
	abpf_map_close(map);
	abpf_unref(h);
}

static void prog_info_passes_only_the_callers_arrays(void)
{
	struct abpf *h;
	struct abpf_prog *prog = NULL;
	struct bpf_prog_info info;
	__u32 ids[4];
	LIBBPF_OPTS(abpf_prog_out, out, .map_ids = ids, .nr_map_ids = 4);

	fake_reset(0, 0);
	h = fake_handle(&fake_sys);
	abpf_prog_from_fd(h, 8, &prog);
	EXPECT_EQ(fake.bpf_calls, 0);
	memset(&info, 0xff, sizeof(info));	/* garbage the shim must clear */
	EXPECT_EQ(abpf_prog_info(prog, &info, &out).no, 0);
	EXPECT_EQ(LAST.cmd, BPF_OBJ_GET_INFO_BY_FD);
	EXPECT_EQ(LAST.attr.info.bpf_fd, 8);
	EXPECT_EQ(LAST.attr.info.info_len, sizeof(info));
	EXPECT_EQ(info.map_ids, (uintptr_t)ids);
	EXPECT_EQ(info.nr_map_ids, 4);
	EXPECT_EQ(info.jited_prog_insns, 0);
	EXPECT_EQ(info.xlated_prog_insns, 0);
	EXPECT_EQ(info.jited_prog_len, 0);
	EXPECT_EQ(info.line_info, 0);
	EXPECT_EQ(info.nr_line_info, 0);
	EXPECT_EQ(info.prog_tags, 0);
	EXPECT_EQ(abpf_prog_info(prog, &info, NULL).no, 0);
	EXPECT_EQ(info.map_ids, 0);
	EXPECT_EQ(info.nr_map_ids, 0);
	out.sz = 1;
	EXPECT_EQ(abpf_prog_info(prog, &info, &out).no, EINVAL);
	abpf_prog_close(prog);
	abpf_unref(h);
}

static void prog_calls_pass_libbpf_attrs(void)
{
	static const struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 2 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_test_run_opts, topts, .repeat = 3, .data_size_in = 14);
	struct abpf *h;
	struct abpf_prog *prog = NULL, *byid = NULL;
	struct abpf_link *link = NULL;
	__u32 next = 0;

	fake_reset(0, 0);
	fake.bpf_fn = info_bpf;
	h = fake_handle(&fake_sys);
	EXPECT_EQ(abpf_prog_load(h, BPF_PROG_TYPE_XDP, "xdp_pass", "GPL", insns, 2,
				 NULL, &prog).no, 0);
	EXPECT_EQ(LAST.cmd, BPF_PROG_LOAD);
	EXPECT_EQ(LAST.size, attr_end(fd_array));
	EXPECT_EQ(LAST.attr.prog_type, BPF_PROG_TYPE_XDP);
	EXPECT_EQ(LAST.attr.insn_cnt, 2);
	EXPECT_EQ(LAST.attr.insns, (uintptr_t)insns);
	EXPECT(!strcmp((char *)(uintptr_t)LAST.attr.license, "GPL"));
	EXPECT(!strcmp(LAST.attr.prog_name, "xdp_pass"));
	EXPECT_EQ(abpf_prog_test_run(prog, &topts).no, 0);
	EXPECT_EQ(LAST.cmd, BPF_PROG_TEST_RUN);
	EXPECT_EQ(LAST.size, attr_end(test));
	EXPECT_EQ(LAST.attr.test.prog_fd, abpf_prog_fd(prog));
	EXPECT_EQ(LAST.attr.test.repeat, 3);
	EXPECT_EQ(LAST.attr.test.data_size_in, 14);
	EXPECT_EQ(abpf_raw_tracepoint_open(prog, "sys_enter", &link).no, 0);
	EXPECT_EQ(LAST.cmd, BPF_RAW_TRACEPOINT_OPEN);
	EXPECT_EQ(LAST.size, attr_end(raw_tracepoint));
	EXPECT(!strcmp((char *)(uintptr_t)LAST.attr.raw_tracepoint.name, "sys_enter"));
	EXPECT_EQ(LAST.attr.raw_tracepoint.prog_fd, abpf_prog_fd(prog));
	EXPECT_EQ(abpf_prog_get_fd_by_id(h, 12, &byid).no, 0);
	EXPECT_EQ(LAST.cmd, BPF_PROG_GET_FD_BY_ID);
	EXPECT_EQ(LAST.attr.prog_id, 12);
	EXPECT_EQ(abpf_prog_get_next_id(h, 12, &next).no, 0);
	EXPECT_EQ(LAST.cmd, BPF_PROG_GET_NEXT_ID);
	EXPECT_EQ(LAST.attr.start_id, 12);
	abpf_link_close(link);
	abpf_prog_close(byid);
	abpf_prog_close(prog);
	EXPECT_EQ(fake.close_calls, 3);
	abpf_unref(h);
	EXPECT_EQ(fake.releases, 1);
}

/* ebpf-rs: HashMap::new(512), set(1, 101, CreateEntry), get(1). */
static long typed_bpf(long cmd, union bpf_attr *attr, unsigned int size)
{
	static __u32 stored_key, stored_value;

	(void)size;
	switch (cmd) {
	case BPF_MAP_CREATE:
		return fake_new_fd();
	case BPF_MAP_UPDATE_ELEM:
		memcpy(&stored_key, (void *)(uintptr_t)attr->key, 4);
		memcpy(&stored_value, (void *)(uintptr_t)attr->value, 4);
		return 0;
	case BPF_MAP_LOOKUP_ELEM:
		memcpy((void *)(uintptr_t)attr->value, &stored_value, 4);
		return 0;
	default:
		return 0;
	}
}

static void typed_calls_make_one_system_call_each(void)
{
	struct abpf_map *hm;
	__u32 v = 0;
	long wide = 1;

	fake_reset(0, 0);
	fake.bpf_fn = typed_bpf;
	hm = abpf_hash_new(512, sizeof(__u32), sizeof(__u32));
	EXPECT(hm != NULL);
	if (!hm)
		return;
	EXPECT_EQ(fake.bpf_calls, 1);
	EXPECT_EQ(fake.bpf[0].cmd, BPF_MAP_CREATE);
	EXPECT_EQ(fake.bpf[0].attr.map_type, BPF_MAP_TYPE_HASH);
	EXPECT_EQ(fake.bpf[0].attr.key_size, 4);
	EXPECT_EQ(fake.bpf[0].attr.value_size, 4);
	EXPECT_EQ(fake.bpf[0].attr.max_entries, 512);
	EXPECT_EQ(abpf_map_set(hm, 1, 101, ABPF_CREATE_ENTRY).no, 0);
	EXPECT_EQ(fake.bpf_calls, 2);
	EXPECT_EQ(LAST.cmd, BPF_MAP_UPDATE_ELEM);
	EXPECT_EQ(LAST.attr.flags, BPF_NOEXIST);
	EXPECT_EQ(abpf_map_get(hm, 1, &v).no, 0);
	EXPECT_EQ(fake.bpf_calls, 3);
	EXPECT_EQ(v, 101);
	/* A long key in a map of 4-byte keys: refused, no call made. */
	EXPECT_EQ(abpf_map_set(hm, wide, 101, ABPF_UPDATE_ENTRY).no, EINVAL);
	EXPECT_EQ(abpf_map_get(hm, 1, &wide).no, EINVAL);
	EXPECT_EQ(fake.bpf_calls, 3);
	EXPECT_EQ(abpf_map_set(hm, 1, 7, ABPF_ANY).no, 0);
	EXPECT_EQ(LAST.attr.flags, BPF_ANY);
	EXPECT_EQ(abpf_map_unset(hm, 1).no, 0);
	EXPECT_EQ(LAST.cmd, BPF_MAP_DELETE_ELEM);
	abpf_map_close(hm);
	EXPECT(fake_was_closed(FAKE_FD_BASE));

	hm = abpf_array_new(4, 8);
	EXPECT(hm != NULL);
	EXPECT_EQ(LAST.attr.map_type, BPF_MAP_TYPE_ARRAY);
	EXPECT_EQ(LAST.attr.key_size, 4);
	abpf_map_close(hm);

	fake.bpf_fn = NULL;
	fake.bpf_ret = -1;
	fake.bpf_err = EPERM;
	errno = 0;
	EXPECT(abpf_hash_new(1, 4, 4) == NULL);
	EXPECT_EQ(errno, EPERM);
}

static void strerror_knows_libbpf_codes(void)
{
	EXPECT(!strcmp(abpf_strerror((abpf_errno){ 0 }), "Success"));
	EXPECT(!strcmp(abpf_strerror((abpf_errno){ ENOENT }),
		       "No such file or directory"));
	EXPECT(!strcmp(abpf_strerror((abpf_errno){ LIBBPF_ERRNO__INVSEQ }),
		       "Invalid netlink sequence"));
	EXPECT(!strcmp(abpf_strerror((abpf_errno){ LIBBPF_ERRNO__NLPARSE }),
		       "Incorrect netlink message parsing"));
	EXPECT(!strcmp(abpf_strerror((abpf_errno){ 99999 }), "Unknown error"));
	EXPECT(!strcmp(abpf_strerror((abpf_errno){ -3 }), "Unknown error"));
	EXPECT(abpf_ok((abpf_errno){ 0 }) && !abpf_ok((abpf_errno){ 1 }));
	EXPECT_EQ(LIBBPF_ERRNO__LIBELF, 4000);
	EXPECT_EQ(LIBBPF_ERRNO__NLPARSE, 4013);
}

/* ---- the libbpf-compatible calls ---- */

static void elem_flag_calls_pass_libbpf_attr(void)
{
	int key = 1, value = 2;

	fake_reset(0, 0);
	EXPECT_ERRNO(bpf_map_lookup_elem_flags(3, &key, &value, BPF_F_LOCK), 0);
	EXPECT_EQ(LAST.cmd, BPF_MAP_LOOKUP_ELEM);
	EXPECT_EQ(LAST.size, attr_end(flags));
	EXPECT_EQ(LAST.attr.flags, BPF_F_LOCK);
	EXPECT_ERRNO(bpf_map_lookup_and_delete_elem(4, &key, &value), 0);
	EXPECT_EQ(LAST.cmd, BPF_MAP_LOOKUP_AND_DELETE_ELEM);
	EXPECT_EQ(LAST.attr.map_fd, 4);
	EXPECT_EQ(LAST.attr.value, (uintptr_t)&value);
	EXPECT_EQ(LAST.attr.flags, 0);
	EXPECT_ERRNO(bpf_map_lookup_and_delete_elem_flags(4, &key, &value, 8), 0);
	EXPECT_EQ(LAST.attr.flags, 8);
	EXPECT_ERRNO(bpf_map_delete_elem_flags(4, &key, 2), 0);
	EXPECT_EQ(LAST.cmd, BPF_MAP_DELETE_ELEM);
	EXPECT_EQ(LAST.attr.flags, 2);
	EXPECT_ERRNO(bpf_map_freeze(9), 0);
	EXPECT_EQ(LAST.cmd, BPF_MAP_FREEZE);
	EXPECT_EQ(LAST.size, attr_end(map_fd));
	EXPECT_EQ(LAST.attr.map_fd, 9);
	fake_reset(-1, EBUSY);
	EXPECT_ERRNO(bpf_map_freeze(9), EBUSY);
}

/* The kernel writes the count back, also when it fails. */
static long batch_bpf(long cmd, union bpf_attr *attr, unsigned int size)
{
	(void)cmd;
	(void)size;
	attr->batch.count = 2;
	fake.errno_val = ENOENT;
	return -1;
}

static void batch_calls_pass_libbpf_attr_and_count(void)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_F_LOCK, .flags = 0);
	char in[8], out[8], keys[40], values[40];
	struct bpf_map_batch_opts bad = { .sz = 2 };
	__u32 count = 5;

	fake_reset(0, 0);
	fake.bpf_fn = batch_bpf;
	EXPECT_ERRNO(bpf_map_lookup_batch(3, in, out, keys, values, &count, &opts),
		     ENOENT);
	EXPECT_EQ(count, 2);
	EXPECT_EQ(LAST.cmd, BPF_MAP_LOOKUP_BATCH);
	EXPECT_EQ(LAST.size, attr_end(batch));
	EXPECT_EQ(LAST.attr.batch.map_fd, 3);
	EXPECT_EQ(LAST.attr.batch.in_batch, (uintptr_t)in);
	EXPECT_EQ(LAST.attr.batch.out_batch, (uintptr_t)out);
	EXPECT_EQ(LAST.attr.batch.keys, (uintptr_t)keys);
	EXPECT_EQ(LAST.attr.batch.values, (uintptr_t)values);
	EXPECT_EQ(LAST.attr.batch.count, 5);
	EXPECT_EQ(LAST.attr.batch.elem_flags, BPF_F_LOCK);
	count = 5;
	EXPECT_ERRNO(bpf_map_lookup_and_delete_batch(3, NULL, out, keys, values,
						     &count, NULL), ENOENT);
	EXPECT_EQ(LAST.cmd, BPF_MAP_LOOKUP_AND_DELETE_BATCH);
	EXPECT_EQ(LAST.attr.batch.in_batch, 0);
	count = 5;
	EXPECT_ERRNO(bpf_map_update_batch(3, keys, values, &count, &opts), ENOENT);
	EXPECT_EQ(LAST.cmd, BPF_MAP_UPDATE_BATCH);
	EXPECT_EQ(LAST.attr.batch.in_batch, 0);
	EXPECT_EQ(LAST.attr.batch.values, (uintptr_t)values);
	count = 5;
	EXPECT_ERRNO(bpf_map_delete_batch(3, keys, &count, NULL), ENOENT);
	EXPECT_EQ(LAST.cmd, BPF_MAP_DELETE_BATCH);
	EXPECT_EQ(LAST.attr.batch.values, 0);
	EXPECT_EQ(count, 2);
	fake.bpf_calls = 0;
	EXPECT_ERRNO(bpf_map_delete_batch(3, keys, &count, &bad), EINVAL);
	EXPECT_EQ(fake.bpf_calls, 0);
}

static long ids_bpf(long cmd, union bpf_attr *attr, unsigned int size)
{
	(void)size;
	switch (cmd) {
	case BPF_MAP_GET_NEXT_ID:
	case BPF_PROG_GET_NEXT_ID:
		attr->next_id = attr->start_id + 10;
		return 0;
	case BPF_OBJ_GET_INFO_BY_FD:
		attr->info.info_len = 16;
		return 0;
	default:
		return 42;
	}
}

static void id_and_info_calls_pass_libbpf_attr(void)
{
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, opts, .open_flags = BPF_F_RDONLY);
	LIBBPF_OPTS(bpf_obj_get_opts, gopts, .file_flags = BPF_F_WRONLY);
	struct bpf_map_info minfo;
	struct bpf_prog_info pinfo;
	__u32 next = 0, len;

	fake_reset(0, 0);
	fake.bpf_fn = ids_bpf;
	EXPECT_ERRNO(bpf_map_get_next_id(5, &next), 0);
	EXPECT_EQ(next, 15);
	EXPECT_EQ(LAST.cmd, BPF_MAP_GET_NEXT_ID);
	EXPECT_EQ(LAST.size, attr_end(open_flags));
	EXPECT_ERRNO(bpf_prog_get_next_id(1, &next), 0);
	EXPECT_EQ(next, 11);
	EXPECT_EQ(LAST.cmd, BPF_PROG_GET_NEXT_ID);
	EXPECT_EQ(bpf_map_get_fd_by_id(7), 42);
	EXPECT_EQ(LAST.cmd, BPF_MAP_GET_FD_BY_ID);
	EXPECT_EQ(LAST.attr.map_id, 7);
	EXPECT_EQ(LAST.attr.open_flags, 0);
	EXPECT_EQ(bpf_map_get_fd_by_id_opts(7, &opts), 42);
	EXPECT_EQ(LAST.attr.open_flags, BPF_F_RDONLY);
	EXPECT_EQ(bpf_prog_get_fd_by_id(8), 42);
	EXPECT_EQ(LAST.cmd, BPF_PROG_GET_FD_BY_ID);
	EXPECT_EQ(LAST.attr.prog_id, 8);
	EXPECT_EQ(bpf_prog_get_fd_by_id_opts(8, &opts), 42);
	EXPECT_EQ(LAST.attr.open_flags, BPF_F_RDONLY);
	EXPECT_EQ(bpf_obj_get("/sys/fs/bpf/m"), 42);
	EXPECT_EQ(LAST.cmd, BPF_OBJ_GET);
	EXPECT_EQ(LAST.size, attr_end(file_flags));
	EXPECT(!strcmp((char *)(uintptr_t)LAST.attr.pathname, "/sys/fs/bpf/m"));
	EXPECT_EQ(bpf_obj_get_opts("/x", &gopts), 42);
	EXPECT_EQ(LAST.attr.file_flags, BPF_F_WRONLY);
	EXPECT_EQ(bpf_obj_pin(3, "/y"), 42);
	EXPECT_EQ(LAST.cmd, BPF_OBJ_PIN);
	EXPECT_EQ(LAST.attr.bpf_fd, 3);
	len = sizeof(minfo);
	EXPECT_ERRNO(bpf_map_get_info_by_fd(3, &minfo, &len), 0);
	EXPECT_EQ(LAST.cmd, BPF_OBJ_GET_INFO_BY_FD);
	EXPECT_EQ(LAST.size, attr_end(info));
	EXPECT_EQ(LAST.attr.info.bpf_fd, 3);
	EXPECT_EQ(LAST.attr.info.info_len, sizeof(minfo));
	EXPECT_EQ(LAST.attr.info.info, (uintptr_t)&minfo);
	EXPECT_EQ(len, 16);
	len = sizeof(pinfo);
	EXPECT_ERRNO(bpf_prog_get_info_by_fd(4, &pinfo, &len), 0);
	EXPECT_EQ(LAST.attr.info.info_len, sizeof(pinfo));
	len = 99;
	EXPECT_ERRNO(bpf_obj_get_info_by_fd(4, &pinfo, &len), 0);
	EXPECT_EQ(LAST.attr.info.info_len, 99);
}

/* Fails with EAGAIN until the @n-th try; logs at level > 0 only. */
static int prog_load_tries, prog_load_ok_at;

static long prog_load_bpf(long cmd, union bpf_attr *attr, unsigned int size)
{
	(void)cmd;
	(void)size;
	prog_load_tries++;
	if (prog_load_tries < prog_load_ok_at || !prog_load_ok_at) {
		fake.errno_val = prog_load_ok_at ? EAGAIN : EACCES;
		if (attr->log_level)
			strcpy((char *)(uintptr_t)attr->log_buf, "R0 !read_ok");
		return -1;
	}
	return 33;
}

static void prog_load_checks_retries_and_logs_as_libbpf(void)
{
	static const struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[64] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_XDP,
		    .prog_flags = BPF_F_TEST_RND_HI32, .kern_version = 7);
	LIBBPF_OPTS(bpf_prog_load_opts, logopts, .log_buf = log,
		    .log_size = sizeof(log));
	LIBBPF_OPTS(bpf_prog_load_opts, bad);

	fake_reset(0, 0);
	fake.bpf_fn = prog_load_bpf;
	prog_load_tries = 0;
	prog_load_ok_at = 3;
	EXPECT_EQ(bpf_prog_load(BPF_PROG_TYPE_XDP, "a_long_program_name", "GPL",
				insns, 2, &opts), 33);
	EXPECT_EQ(prog_load_tries, 3);		/* EAGAIN retried */
	EXPECT_EQ(LAST.size, attr_end(fd_array));
	EXPECT_EQ(LAST.attr.expected_attach_type, BPF_XDP);
	EXPECT_EQ(LAST.attr.prog_flags, BPF_F_TEST_RND_HI32);
	EXPECT_EQ(LAST.attr.kern_version, 7);
	EXPECT(!strcmp(LAST.attr.prog_name, "a_long_program_"));
	EXPECT_EQ(LAST.attr.log_level, 0);

	prog_load_tries = 0;
	prog_load_ok_at = 9;			/* more than 5 attempts */
	EXPECT_ERRNO(bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", insns, 2, NULL),
		     EAGAIN);
	EXPECT_EQ(prog_load_tries, 5);

	/* A log buffer at level 0: one more load, at level 1, fills it. */
	prog_load_tries = 0;
	prog_load_ok_at = 0;
	EXPECT_ERRNO(bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", insns, 2,
				   &logopts), EACCES);
	EXPECT_EQ(prog_load_tries, 2);
	EXPECT_EQ(LAST.attr.log_level, 1);
	EXPECT_EQ(LAST.attr.log_size, sizeof(log));
	EXPECT(!strcmp(log, "R0 !read_ok"));

	fake.bpf_calls = 0;
	bad.log_buf = log;			/* without a size */
	EXPECT_ERRNO(bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", insns, 2, &bad),
		     EINVAL);
	bad.log_size = 8;
	bad.log_level = 8;
	EXPECT_ERRNO(bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", insns, 2, &bad),
		     EINVAL);
	bad.log_level = 0;
	bad.attempts = -1;
	EXPECT_ERRNO(bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", insns, 2, &bad),
		     EINVAL);
	bad.attempts = 0;
	bad.attach_prog_fd = 3;
	bad.attach_btf_obj_fd = 4;
	EXPECT_ERRNO(bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", insns, 2, &bad),
		     EINVAL);
	EXPECT_ERRNO(bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", insns,
				   (size_t)UINT_MAX + 1, NULL), E2BIG);
	EXPECT_EQ(fake.bpf_calls, 0);
}

static long test_run_bpf(long cmd, union bpf_attr *attr, unsigned int size)
{
	(void)cmd;
	(void)size;
	attr->test.retval = 2;
	attr->test.duration = 123;
	attr->test.data_size_out = 60;
	attr->test.ctx_size_out = 4;
	return 0;
}

static void test_run_writes_outputs_back(void)
{
	char data[64], ctx[8];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_out = data,
		    .data_size_in = 64, .data_size_out = 64, .ctx_in = ctx,
		    .ctx_size_in = 8, .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = 1,
		    .batch_size = 4);

	fake_reset(0, 0);
	fake.bpf_fn = test_run_bpf;
	EXPECT_ERRNO(bpf_prog_test_run_opts(5, &opts), 0);
	EXPECT_EQ(LAST.attr.test.prog_fd, 5);
	EXPECT_EQ(LAST.attr.test.data_in, (uintptr_t)data);
	EXPECT_EQ(LAST.attr.test.ctx_in, (uintptr_t)ctx);
	EXPECT_EQ(LAST.attr.test.flags, BPF_F_TEST_RUN_ON_CPU);
	EXPECT_EQ(LAST.attr.test.cpu, 1);
	EXPECT_EQ(LAST.attr.test.batch_size, 4);
	EXPECT_EQ(opts.retval, 2);
	EXPECT_EQ(opts.duration, 123);
	EXPECT_EQ(opts.data_size_out, 60);
	EXPECT_EQ(opts.ctx_size_out, 4);
	EXPECT_EQ(bpf_raw_tracepoint_open("sys_enter", 5), 0);
	EXPECT_EQ(LAST.cmd, BPF_RAW_TRACEPOINT_OPEN);
}

/* kbpf's table makes only BPF output events, and checks before the device. */
static void kbpf_perf_event_open_takes_bpf_output_only(void)
{
	const struct abpf_sys *kb = abpf_sys_kbpf();
	struct perf_event_attr attr = {
		.size = sizeof(attr), .type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES,
	};

	EXPECT_SYSERR(kb->perf_event_open(&attr, -1, 0, -1, 0), EOPNOTSUPP);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	EXPECT_SYSERR(kb->perf_event_open(&attr, 0, 0, -1, 0), EOPNOTSUPP);
	EXPECT_SYSERR(kb->perf_event_open(&attr, -1, -1, -1, 0), EOPNOTSUPP);
	EXPECT_SYSERR(kb->perf_event_open(&attr, -1, 0, 3, 0), EOPNOTSUPP);
	EXPECT_SYSERR(kb->perf_event_open(&attr, -1, 0, -1, PERF_FLAG_FD_NO_GROUP),
		      EINVAL);
	/* A valid one needs the device, which the host has not. */
	EXPECT_SYSERR(kb->perf_event_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC),
		      ENODEV);
}

static void consumers_refuse_other_maps(void)
{
	struct abpf *h;
	struct abpf_map *hash, *pea;
	struct abpf_ringbuf *rb = NULL;
	struct abpf_perfbuf *pb = NULL;

	fake_reset(0, 0);
	h = fake_handle(&fake_sys);
	answer_info(BPF_MAP_TYPE_HASH, 4, 4);
	hash = wrap(h, 5);
	answer_info(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4);
	pea = wrap(h, 6);
	fake.bpf_calls = 0;
	EXPECT_EQ(abpf_ringbuf_new(hash, (abpf_ringbuf_fn)1, NULL, NULL, &rb).no,
		  EINVAL);
	EXPECT_EQ(abpf_perfbuf_new(hash, 8, (abpf_perfbuf_sample_fn)1, NULL, NULL,
				   NULL, &pb).no, EINVAL);
	EXPECT_EQ(abpf_perfbuf_new(pea, 3, (abpf_perfbuf_sample_fn)1, NULL, NULL,
				   NULL, &pb).no, EINVAL);
	EXPECT_EQ(abpf_perfbuf_new(pea, 0, (abpf_perfbuf_sample_fn)1, NULL, NULL,
				   NULL, &pb).no, EINVAL);
	EXPECT(rb == NULL && pb == NULL);
	EXPECT_EQ(fake.bpf_calls, 0);
	abpf_map_close(hash);
	abpf_map_close(pea);
	abpf_unref(h);
	EXPECT_EQ(fake.releases, 1);
}

static const struct tap_test tests[] = {
	TAP_TEST(handle_lives_while_objects_hold_it),
	TAP_TEST(ref_and_unref_balance),
	TAP_TEST(open_checks_its_opts),
	TAP_TEST(map_learns_its_sizes_once),
	TAP_TEST(element_calls_refuse_wrong_sizes_before_calling),
	TAP_TEST(per_cpu_values_are_rounded_for_each_possible_cpu),
	TAP_TEST(queues_take_no_key),
	TAP_TEST(errors_are_the_tables_errno),
	TAP_TEST(an_fd_past_int_is_internal_and_closed),
	TAP_TEST(made_fds_are_closed_when_wrapping_fails),
	TAP_TEST(map_create_knows_its_sizes_without_info),
	TAP_TEST(prog_info_passes_only_the_callers_arrays),
	TAP_TEST(prog_calls_pass_libbpf_attrs),
	TAP_TEST(typed_calls_make_one_system_call_each),
	TAP_TEST(strerror_knows_libbpf_codes),
	TAP_TEST(elem_flag_calls_pass_libbpf_attr),
	TAP_TEST(batch_calls_pass_libbpf_attr_and_count),
	TAP_TEST(id_and_info_calls_pass_libbpf_attr),
	TAP_TEST(prog_load_checks_retries_and_logs_as_libbpf),
	TAP_TEST(test_run_writes_outputs_back),
	TAP_TEST(kbpf_perf_event_open_takes_bpf_output_only),
	TAP_TEST(consumers_refuse_other_maps),
};

int main(void)
{
	unsetenv("ABPF_BACKEND");
	tap_run(tests, TAP_COUNT(tests), "objects: ");
	abpf_set_default_sys(NULL);
	return tap_done();
}
