// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libabpf's object API (<abpf.h>) on both backends with one set of
 * expectations: maps wrapped from fds and ids learn their sizes, per-CPU
 * values are sized as bpf(2) copies them, the typed convenience calls
 * behave as ebpf-rs's, programs give their info and map ids, run and
 * attach, every fd goes through the table's close, and each backend
 * refuses the other's fds.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <abpf.h>

#include "shim_vm.h"

static struct abpf *h;
static const struct abpf_sys *base;	/* the backend under test */
static bool on_kbpf;
static const char *bpffs;

/* The backend's table, with close counted. */
static struct abpf_sys counting;
static int closes;

static int counting_close(int fd)
{
	closes++;
	return base->close(fd);
}

static bool progs_here(void)
{
	if (on_kbpf && !kbpf_has_programs()) {
		tap_skip_reason = SKIP_NO_KBPF_PROGRAMS;
		return false;
	}
	return true;
}

static const struct {
	enum bpf_map_type type;
	__u32 key_size, value_size, max_entries;
} types[] = {
	{ BPF_MAP_TYPE_ARRAY, 4, 12, 4 },
	{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 4 },
	{ BPF_MAP_TYPE_HASH, 6, 10, 4 },
	{ BPF_MAP_TYPE_PERCPU_HASH, 6, 10, 4 },
	{ BPF_MAP_TYPE_LRU_HASH, 8, 8, 16 },
	{ BPF_MAP_TYPE_LRU_PERCPU_HASH, 8, 8, 16 },
	{ BPF_MAP_TYPE_QUEUE, 0, 8, 4 },
	{ BPF_MAP_TYPE_STACK, 0, 8, 4 },
	{ BPF_MAP_TYPE_RINGBUF, 0, 0, 4096 },
	{ BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2 },
};

static bool percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static unsigned int possible_cpus(void)
{
	unsigned int n = 0;

	EXPECT_EQ(abpf_num_possible_cpus(h, &n).no, 0);
	return n;
}

static void every_type_learns_its_sizes_from_its_fd(void)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct abpf_map *made = NULL, *byid = NULL;
		struct bpf_map_info info;
		size_t want = types[i].value_size;

		if (percpu(types[i].type))
			want = ((want + 7) & ~7UL) * possible_cpus();
		EXPECT_EQ(abpf_map_create(h, types[i].type, "t", types[i].key_size,
					  types[i].value_size, types[i].max_entries,
					  NULL, &made).no, 0);
		if (!made)
			continue;
		EXPECT_EQ(abpf_map_info(made, &info).no, 0);
		EXPECT_EQ(abpf_map_get_fd_by_id(h, info.id, &byid).no, 0);
		if (!byid) {
			abpf_map_close(made);
			continue;
		}
		EXPECT_EQ(abpf_map_type(byid), types[i].type);
		EXPECT_EQ(abpf_map_key_size(byid), types[i].key_size);
		EXPECT_EQ(abpf_map_value_size(byid), types[i].value_size);
		EXPECT_EQ(abpf_map_max_entries(byid), types[i].max_entries);
		EXPECT_EQ(abpf_map_value_buf_size(byid), want);
		EXPECT_EQ(abpf_map_value_buf_size(made), want);
		EXPECT(abpf_map_fd(byid) != abpf_map_fd(made));
		abpf_map_close(byid);
		abpf_map_close(made);
	}
}

static void per_cpu_buffers_are_what_bpf_copies(void)
{
	struct abpf_map *map = NULL;
	unsigned int n = possible_cpus(), c;
	size_t sz;
	__u32 key = 1;
	unsigned char *in, *out;

	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_PERCPU_ARRAY, NULL, 4, 12, 4,
				  NULL, &map).no, 0);
	if (!map)
		return;
	sz = abpf_map_value_buf_size(map);
	EXPECT_EQ(sz, 16 * n);
	in = calloc(1, sz + 16);
	out = calloc(1, sz + 16);
	for (c = 0; c < n; c++)
		memset(in + 16 * c, (int)c + 1, 12);
	EXPECT_EQ(abpf_map_update(map, &key, 4, in, sz, BPF_ANY).no, 0);
	memset(out + sz, 0x5a, 16);
	EXPECT_EQ(abpf_map_lookup(map, &key, 4, out, sz, 0).no, 0);
	for (c = 0; c < n; c++)
		EXPECT(!memcmp(in + 16 * c, out + 16 * c, 12));
	EXPECT_EQ(out[sz], 0x5a);		/* nothing past the buffer */
	EXPECT_EQ(abpf_map_lookup(map, &key, 4, out, 12, 0).no, EINVAL);
	EXPECT_EQ(abpf_map_lookup(map, &key, 4, out, sz + 8, 0).no, EINVAL);
	free(in);
	free(out);
	abpf_map_close(map);
}

static void element_calls_check_sizes_and_pass_errors(void)
{
	struct abpf_map *map = NULL;
	__u64 key = 7, value = 1, next;
	__u32 small = 0;

	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_HASH, NULL, 8, 8, 2, NULL,
				  &map).no, 0);
	if (!map)
		return;
	EXPECT_EQ(abpf_map_update(map, &small, 4, &value, 8, 0).no, EINVAL);
	EXPECT_EQ(abpf_map_lookup(map, &key, 8, &value, 8, 0).no, ENOENT);
	EXPECT_EQ(abpf_map_update(map, &key, 8, &value, 8, BPF_EXIST).no, ENOENT);
	EXPECT_EQ(abpf_map_update(map, &key, 8, &value, 8, BPF_NOEXIST).no, 0);
	EXPECT_EQ(abpf_map_update(map, &key, 8, &value, 8, BPF_NOEXIST).no, EEXIST);
	EXPECT_EQ(abpf_map_get_next_key(map, NULL, &next, 8).no, 0);
	EXPECT_EQ(next, 7);
	EXPECT_EQ(abpf_map_get_next_key(map, &key, &next, 8).no, ENOENT);
	value = 0;
	EXPECT_EQ(abpf_map_lookup_and_delete(map, &key, 8, &value, 8).no, 0);
	EXPECT_EQ(value, 1);
	EXPECT_EQ(abpf_map_delete(map, &key, 8).no, ENOENT);
	EXPECT_EQ(abpf_map_freeze(map).no, 0);
	EXPECT_EQ(abpf_map_update(map, &key, 8, &value, 8, 0).no, EPERM);
	abpf_map_close(map);
}

static void queue_and_stack_take_no_key(void)
{
	struct abpf_map *q = NULL, *s = NULL;
	__u64 v, out;

	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_QUEUE, NULL, 0, 8, 4, NULL, &q).no, 0);
	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_STACK, NULL, 0, 8, 4, NULL, &s).no, 0);
	if (!q || !s)
		goto out;
	for (v = 1; v <= 3; v++) {
		EXPECT_EQ(abpf_map_update(q, NULL, 0, &v, 8, BPF_ANY).no, 0);
		EXPECT_EQ(abpf_map_update(s, NULL, 0, &v, 8, BPF_ANY).no, 0);
	}
	EXPECT_EQ(abpf_map_lookup_and_delete(q, NULL, 0, &out, 8).no, 0);
	EXPECT_EQ(out, 1);
	EXPECT_EQ(abpf_map_lookup_and_delete(s, NULL, 0, &out, 8).no, 0);
	EXPECT_EQ(out, 3);
	EXPECT_EQ(abpf_map_lookup(q, NULL, 0, &out, 8, 0).no, 0);	/* peek */
	EXPECT_EQ(out, 2);
	EXPECT_EQ(abpf_map_update(q, &v, 8, &v, 8, BPF_ANY).no, EINVAL);
out:
	abpf_map_close(q);
	abpf_map_close(s);
}

/* ebpf-rs's example, on the default backend. */
static void typed_hash_map_as_ebpf_rs(void)
{
	struct abpf_map *hm;
	int v = 0;
	long wide = 1;

	abpf_set_default_sys(base);
	hm = abpf_hash_new(512, sizeof(int), sizeof(int));
	EXPECT(hm != NULL);
	if (!hm)
		return;
	EXPECT_EQ(abpf_map_set(hm, 1, 101, ABPF_CREATE_ENTRY).no, 0);
	EXPECT_EQ(abpf_map_get(hm, 1, &v).no, 0);
	EXPECT_EQ(v, 101);
	EXPECT_EQ(abpf_map_set(hm, 1, 102, ABPF_CREATE_ENTRY).no, EEXIST);
	EXPECT_EQ(abpf_map_set(hm, 2, 102, ABPF_UPDATE_ENTRY).no, ENOENT);
	EXPECT_EQ(abpf_map_set(hm, 1, 103, ABPF_UPDATE_ENTRY).no, 0);
	EXPECT_EQ(abpf_map_set(hm, 2, 104, ABPF_ANY).no, 0);
	EXPECT_EQ(abpf_map_get(hm, 1, &v).no, 0);
	EXPECT_EQ(v, 103);
	EXPECT_EQ(abpf_map_set(hm, wide, 1, ABPF_ANY).no, EINVAL);
	EXPECT_EQ(abpf_map_unset(hm, 1).no, 0);
	EXPECT_EQ(abpf_map_get(hm, 1, &v).no, ENOENT);
	abpf_map_close(hm);

	hm = abpf_array_new(4, sizeof(long));
	EXPECT(hm != NULL);
	EXPECT_EQ(abpf_map_set(hm, 3u, 5L, ABPF_ANY).no, 0);
	EXPECT_EQ(abpf_map_set(hm, 4u, 5L, ABPF_ANY).no, E2BIG);
	EXPECT_EQ(abpf_map_get(hm, 3u, &wide).no, 0);
	EXPECT_EQ(wide, 5);
	abpf_map_close(hm);
	abpf_set_default_sys(NULL);
}

static void fds_close_through_the_table(void)
{
	struct abpf *ch = NULL;
	struct abpf_map *a = NULL, *b = NULL;
	struct bpf_map_info info;
	int before = closes;

	EXPECT_EQ(abpf_open(&counting, NULL, &ch).no, 0);
	EXPECT_EQ(abpf_map_create(ch, BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL,
				  &a).no, 0);
	EXPECT_EQ(abpf_map_info(a, &info).no, 0);
	EXPECT_EQ(abpf_map_get_fd_by_id(ch, info.id, &b).no, 0);
	abpf_unref(ch);			/* the maps keep the handle */
	EXPECT_EQ(closes, before);
	abpf_map_close(a);
	abpf_map_close(b);
	EXPECT_EQ(closes, before + 2);
	/* The possible-CPU file is read through the table, and closed too. */
	EXPECT_EQ(abpf_open(&counting, NULL, &ch).no, 0);
	EXPECT(possible_cpus() > 0);
	{
		unsigned int n;

		EXPECT_EQ(abpf_num_possible_cpus(ch, &n).no, 0);
	}
	EXPECT_EQ(closes, before + 3);
	abpf_unref(ch);
}

static void backends_refuse_each_others_fds(void)
{
	const struct abpf_sys *other = on_kbpf ? abpf_sys_libc() : abpf_sys_kbpf();
	struct abpf *oh = NULL;
	struct abpf_map *mine = NULL, *wrapped = NULL;
	int fd;

	EXPECT_EQ(abpf_open(other, NULL, &oh).no, 0);
	EXPECT_EQ(abpf_map_create(oh, BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL,
				  &mine).no, 0);
	if (!mine)
		goto out;
	EXPECT_EQ(abpf_map_from_fd(h, abpf_map_fd(mine), &wrapped).no, EINVAL);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	EXPECT_EQ(abpf_map_from_fd(h, fd, &wrapped).no, EINVAL);
	close(fd);
	/* BPF_OBJ_GET_INFO_BY_FD answers a closed fd with EBADFD, not EBADF */
	EXPECT_EQ(abpf_map_from_fd(h, fd, &wrapped).no, EBADFD);
	EXPECT(wrapped == NULL);
	abpf_map_close(mine);
out:
	abpf_unref(oh);
}

static void pins_and_obj_get(void)
{
	struct abpf_map *map = NULL, *got = NULL;
	struct bpf_map_info a, b;
	char path[128];

	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_HASH, NULL, 4, 4, 1, NULL,
				  &map).no, 0);
	if (!map)
		return;
	if (on_kbpf) {
		EXPECT_EQ(abpf_map_pin(map, "/tmp/kbpf-pin").no, EINVAL);
		EXPECT_EQ(abpf_map_obj_get(h, "/tmp/kbpf-pin", &got).no, EINVAL);
		abpf_map_close(map);
		return;
	}
	if (!bpffs) {
		tap_skip_reason = "no bpffs could be mounted";
		abpf_map_close(map);
		return;
	}
	snprintf(path, sizeof(path), "%s/obj", bpffs);
	EXPECT_EQ(abpf_map_pin(map, path).no, 0);
	EXPECT_EQ(abpf_map_obj_get(h, path, &got).no, 0);
	if (got) {
		abpf_map_info(map, &a);
		abpf_map_info(got, &b);
		EXPECT_EQ(a.id, b.id);
		EXPECT_EQ(abpf_map_key_size(got), 4);
		abpf_map_close(got);
	}
	unlink(path);
	EXPECT_EQ(abpf_map_obj_get(h, path, &got).no, ENOENT);
	abpf_map_close(map);
}

static void map_ids_walk_to_enoent(void)
{
	struct abpf_map *map = NULL;
	struct bpf_map_info info;
	__u32 id = 0;
	bool found = false;
	abpf_errno err;

	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL,
				  &map).no, 0);
	if (!map)
		return;
	abpf_map_info(map, &info);
	while (abpf_ok(err = abpf_map_get_next_id(h, id, &id)))
		found |= id == info.id;
	EXPECT_EQ(err.no, ENOENT);
	EXPECT(found);
	abpf_map_close(map);
}

static void programs_info_run_and_attach(void)
{
	struct abpf_map *map = NULL;
	struct abpf_prog *prog = NULL, *byid = NULL;
	struct abpf_link *link = NULL;
	struct bpf_prog_info info;
	struct bpf_map_info minfo;
	__u32 ids[2] = { 0 }, next = 0, key = 0;
	__u64 count = 0;
	LIBBPF_OPTS(abpf_prog_out, out, .nr_map_ids = 2, .map_ids = ids);
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	bool found = false;
	int i;

	if (!progs_here())
		return;
	EXPECT_EQ(abpf_map_create(h, BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 1, NULL,
				  &map).no, 0);
	if (!map)
		return;
	{
		struct bpf_insn insns[] = {
			LD_MAP(BPF_REG_1, abpf_map_fd(map)),
			ST(BPF_W, BPF_REG_10, -4, 0),
			MOV64_REG(BPF_REG_2, BPF_REG_10),
			ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
			CALL(BPF_FUNC_map_lookup_elem),
			JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),
			MOV64_IMM(BPF_REG_1, 1),
			ATOMIC_ADD64(BPF_REG_0, BPF_REG_1, 0),
			MOV64_IMM(BPF_REG_0, 5),
			EXIT(),
		};

		EXPECT_EQ(abpf_prog_load(h, BPF_PROG_TYPE_RAW_TRACEPOINT, "objs",
					 "GPL", insns, NR(insns), NULL, &prog).no, 0);
	}
	if (!prog)
		goto out;
	EXPECT_EQ(abpf_prog_info(prog, &info, &out).no, 0);
	abpf_map_info(map, &minfo);
	EXPECT_EQ(info.nr_map_ids, 1);
	EXPECT_EQ(ids[0], minfo.id);
	EXPECT_EQ(info.type, BPF_PROG_TYPE_RAW_TRACEPOINT);
	EXPECT_EQ(abpf_prog_info(prog, &info, NULL).no, 0);
	EXPECT_EQ(info.nr_map_ids, 1);		/* counted, not copied */
	EXPECT_EQ(abpf_prog_test_run(prog, &topts).no, 0);
	EXPECT_EQ(topts.retval, 5);
	EXPECT_EQ(abpf_prog_get_fd_by_id(h, info.id, &byid).no, 0);
	EXPECT(byid && abpf_prog_fd(byid) != abpf_prog_fd(prog));
	while (abpf_ok(abpf_prog_get_next_id(h, next, &next)))
		found |= next == info.id;
	EXPECT(found);
	EXPECT_EQ(abpf_raw_tracepoint_open(prog, "sys_enter", &link).no, 0);
	for (i = 0; i < 5; i++)
		syscall(SYS_getppid);
	abpf_link_close(link);
	EXPECT_EQ(abpf_map_lookup(map, &key, 4, &count, 8, 0).no, 0);
	EXPECT(count >= 6);			/* the test run, then syscalls */
	EXPECT_EQ(abpf_raw_tracepoint_open(prog, "no_such_tp", &link).no, ENOENT);
	abpf_prog_close(byid);
	abpf_prog_close(prog);
out:
	abpf_map_close(map);
}

static const struct tap_test tests[] = {
	TAP_TEST(every_type_learns_its_sizes_from_its_fd),
	TAP_TEST(per_cpu_buffers_are_what_bpf_copies),
	TAP_TEST(element_calls_check_sizes_and_pass_errors),
	TAP_TEST(queue_and_stack_take_no_key),
	TAP_TEST(typed_hash_map_as_ebpf_rs),
	TAP_TEST(fds_close_through_the_table),
	TAP_TEST(backends_refuse_each_others_fds),
	TAP_TEST(pins_and_obj_get),
	TAP_TEST(map_ids_walk_to_enoent),
	TAP_TEST(programs_info_run_and_attach),
};

static void run_on(const struct abpf_sys *sys, bool kbpf, const char *prefix)
{
	base = sys;
	counting = *sys;
	counting.close = counting_close;
	on_kbpf = kbpf;
	if (!abpf_ok(abpf_open(sys, NULL, &h))) {
		printf("Bail out! no handle\n");
		exit(1);
	}
	shim_run(tests, TAP_COUNT(tests), prefix);
	abpf_unref(h);
}

int main(void)
{
	static char dir[] = "/tmp/abpf-objs-bpffs";

	setvbuf(stdout, NULL, _IOLBF, 0);
	unsetenv("ABPF_BACKEND");
	mkdir(dir, 0700);
	if (!mount("bpf", dir, "bpf", 0, NULL))
		bpffs = dir;
	run_on(abpf_sys_libc(), false, "objects: [kernel] ");
	run_on(abpf_sys_kbpf(), true, "objects: [kbpf] ");
	if (bpffs)
		umount(bpffs);
	return tap_done();
}
