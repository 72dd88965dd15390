// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpf-fuzz: the fd table every thread shares.  Slots hold kbpf maps of
 * every type, programs, links, perf buffers, and fds kbpf must refuse:
 * kernel BPF maps, /dev/null, pipes, sockets, epoll fds, more /dev/kbpf
 * fds.  Any thread may close any slot's fd while others are in the middle
 * of using the number they copied; the number may then be reused by
 * something else entirely, which is the point.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz.h"

static struct fz_obj fz_objs[FZ_NR_OBJS];
static pthread_mutex_t fz_objs_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Ids of the maps and programs a thread keeps to itself (inv.c): a
 * GET_FD_BY_ID that finds one closes the fd rather than share it.
 * Programs' ids are kept as id | 1 << 31.
 */
#define FZ_NR_PRIVATE	(FZ_MAX_THREADS * 8)
static uint32_t *fz_private_ids;	/* shared with the checker process */

void fz_private_id(uint32_t id, bool add)
{
	uint32_t want, i;

	if (!id || !fz_private_ids)
		return;
	for (i = 0; i < FZ_NR_PRIVATE; i++) {
		want = add ? 0 : id;
		if (__atomic_compare_exchange_n(&fz_private_ids[i], &want, add ? id : 0, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return;
	}
}

bool fz_private_has(uint32_t id)
{
	uint32_t i;

	for (i = 0; fz_private_ids && i < FZ_NR_PRIVATE; i++)
		if (__atomic_load_n(&fz_private_ids[i], __ATOMIC_SEQ_CST) == id)
			return true;
	return false;
}

void fz_objs_init(void)
{
	int i;

	/* the checker process (main.c) registers its ids here too */
	fz_private_ids = mmap(NULL, FZ_NR_PRIVATE * sizeof(uint32_t), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fz_private_ids == MAP_FAILED)
		fz_private_ids = NULL;

	for (i = 0; i < FZ_NR_OBJS; i++)
		fz_objs[i].fd = -1;
}

void fz_objs_fini(void)
{
	int i;

	pthread_mutex_lock(&fz_objs_lock);
	for (i = 0; i < FZ_NR_OBJS; i++) {
		if (fz_objs[i].kind != FZ_NONE)
			close(fz_objs[i].fd);
		fz_objs[i].kind = FZ_NONE;
		fz_objs[i].fd = -1;
	}
	pthread_mutex_unlock(&fz_objs_lock);
}

bool fz_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

uint32_t fz_map_vsize(uint32_t type, uint32_t value_size)
{
	if (fz_is_percpu(type))
		return ((value_size + 7) & ~7U) * fz_cfg.ncpus;
	if (type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return 4;
	return value_size;
}

static bool fz_pick_where(struct fz_thread *t, struct fz_obj *out,
			  bool (*match)(const struct fz_obj *o, int arg), int arg)
{
	uint32_t start = fz_below(t, FZ_NR_OBJS), i;
	bool found = false;

	pthread_mutex_lock(&fz_objs_lock);
	for (i = 0; i < FZ_NR_OBJS; i++) {
		const struct fz_obj *o = &fz_objs[(start + i) % FZ_NR_OBJS];

		if (o->kind != FZ_NONE && match(o, arg)) {
			*out = *o;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&fz_objs_lock);
	return found;
}

static bool match_kind(const struct fz_obj *o, int kind)
{
	return kind == FZ_NONE || (int)o->kind == kind;
}

static bool match_map(const struct fz_obj *o, int type)
{
	return o->kind == FZ_MAP && (type < 0 || (int)o->type == type);
}

bool fz_obj_pick(struct fz_thread *t, enum fz_kind kind, struct fz_obj *out)
{
	return fz_pick_where(t, out, match_kind, kind);
}

bool fz_obj_pick_map(struct fz_thread *t, int map_type, struct fz_obj *out)
{
	return fz_pick_where(t, out, match_map, map_type);
}

/* Publish @o; a full table closes a random slot's fd to make room. */
int fz_obj_put(struct fz_thread *t, const struct fz_obj *o)
{
	uint32_t start = fz_below(t, FZ_NR_OBJS), i, slot;
	int victim = -1;

	pthread_mutex_lock(&fz_objs_lock);
	for (i = 0; i < FZ_NR_OBJS; i++) {
		slot = (start + i) % FZ_NR_OBJS;
		if (fz_objs[slot].kind == FZ_NONE)
			break;
	}
	if (i == FZ_NR_OBJS) {
		slot = start;
		victim = fz_objs[slot].fd;
	}
	fz_objs[slot] = *o;
	fz_objs[slot].owner = t->id;
	pthread_mutex_unlock(&fz_objs_lock);
	if (victim >= 0) {
		fz_desc(t, "close(%d) to make room", victim);
		fz_count(t, FZ_CAT_CLOSE, close(victim), errno);
	}
	return slot;
}

/* Close some slot's fd, whoever made it and whoever is using it. */
void fz_obj_close_random(struct fz_thread *t)
{
	uint32_t slot = fz_below(t, FZ_NR_OBJS);
	int fd = -1;

	pthread_mutex_lock(&fz_objs_lock);
	if (fz_objs[slot].kind != FZ_NONE) {
		fd = fz_objs[slot].fd;
		fz_objs[slot].kind = FZ_NONE;
		fz_objs[slot].fd = -1;
	}
	pthread_mutex_unlock(&fz_objs_lock);
	if (fd >= 0) {
		fz_desc(t, "close(%d)", fd);
		fz_count(t, FZ_CAT_CLOSE, close(fd), errno);
	}
}

/* Links live for a few of their owner's operations: short windows. */
void fz_obj_expire(struct fz_thread *t)
{
	int fds[FZ_NR_OBJS], n = 0, i;

	pthread_mutex_lock(&fz_objs_lock);
	for (i = 0; i < FZ_NR_OBJS; i++) {
		struct fz_obj *o = &fz_objs[i];

		if (o->kind == FZ_LINK && o->owner == t->id && o->expires <= t->ops) {
			fds[n++] = o->fd;
			o->kind = FZ_NONE;
			o->fd = -1;
		}
	}
	pthread_mutex_unlock(&fz_objs_lock);
	for (i = 0; i < n; i++) {
		fz_desc(t, "close(%d), an expired link", fds[i]);
		fz_count(t, FZ_CAT_CLOSE, close(fds[i]), errno);
	}
}

/*
 * A closed fd: mostly one far above any the process has; sometimes one
 * just closed, whose number the next open (any thread's) takes again.
 */
static int fz_closed_fd(struct fz_thread *t)
{
	int fd;

	if (fz_chance(t, 90))
		return FZ_CLOSED_FDS + (int)fz_below(t, 100);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	fz_count(t, FZ_CAT_OTHER, fd, errno);
	return fd >= 0 ? fd : FZ_CLOSED_FDS;
}

/*
 * Move a fresh fd to this thread's private range, where no other thread
 * draws fd numbers from: objects whose invariants are checked must not be
 * touched by anyone else.  Returns the new fd (the old one is closed).
 */
int fz_private_fd(struct fz_thread *t, int fd)
{
	int nfd;

	if (fd < 0)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, FZ_PRIVATE_FDS + 20 * t->id);
	fz_count(t, FZ_CAT_OTHER, nfd, errno);
	if (nfd < 0)
		return fd;
	close(fd);
	return nfd;
}

int fz_any_fd(struct fz_thread *t)
{
	struct fz_obj o;

	if (fz_chance(t, 75) && fz_obj_pick(t, FZ_NONE, &o))
		return o.fd;
	switch (fz_below(t, 8)) {
	case 0:
		return -1;
	case 1:
		return (int)fz_interesting(t);
	case 2:
		return fz_closed_fd(t);
	case 3:
		return fz_dev;
	case 4:
		return fz_below(t, 3);	/* stdin, stdout, stderr */
	case 5:
		return fz_chance(t, 50) ? 1023 + (int)fz_below(t, 3) : fz_closed_fd(t);
	default:
		return fz_obj_pick(t, fz_chance(t, 50) ? FZ_KMAP : FZ_PERFBUF, &o) ?
		       o.fd : -9;
	}
}

int fz_map_fd(struct fz_thread *t, struct fz_obj *o)
{
	if (fz_chance(t, 88) && fz_obj_pick(t, FZ_MAP, o))
		return o->fd;
	memset(o, 0, sizeof(*o));
	o->fd = fz_any_fd(t);
	return o->fd;
}

static const uint32_t fz_map_types[] = {
	BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_HASH,
	BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH,
	BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK,
	BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_PERF_EVENT_ARRAY,
};

static uint32_t fz_small(struct fz_thread *t, uint32_t lo, uint32_t typical,
			 uint32_t big)
{
	if (fz_chance(t, 80))
		return lo + fz_below(t, typical - lo + 1);
	if (fz_chance(t, 80))
		return lo + fz_below(t, big - lo + 1);
	return big;
}

/*
 * A valid BPF_MAP_CREATE for @type (any type when it is not one kbpf
 * has), sized to keep the guest's memory: element areas of a few MiB at
 * most.  Returns the fd (also in @o) or -1.
 */
int fz_make_map(struct fz_thread *t, uint32_t type, struct fz_obj *o, bool valid)
{
	union bpf_attr *a = (void *)t->attr_area;
	uint32_t key = 4, value = 8, entries = 4, flags = 0;
	long fd;

	if (type >= 64 || !valid)
		type = FZ_PICK(t, fz_map_types);
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		value = fz_small(t, 1, 64, type == BPF_MAP_TYPE_ARRAY ? 8192 : 512);
		entries = fz_small(t, 1, 32, 4096);
		if (type == BPF_MAP_TYPE_ARRAY && fz_chance(t, 40))
			flags |= BPF_F_MMAPABLE;
		if (type == BPF_MAP_TYPE_ARRAY && fz_chance(t, 3))
			flags |= BPF_F_INNER_MAP;
		break;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		key = fz_small(t, 1, 16, 256);
		value = fz_small(t, 1, 64, fz_is_percpu(type) ? 256 : 2048);
		entries = fz_small(t, 1, 64, 2048);
		if ((type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH) &&
		    fz_chance(t, 40))
			flags |= BPF_F_NO_PREALLOC;
		if ((type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH) &&
		    fz_chance(t, 30))
			flags |= BPF_F_NO_COMMON_LRU;
		if (fz_chance(t, 20))
			flags |= BPF_F_ZERO_SEED;
		break;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		key = 0;
		value = fz_small(t, 1, 32, 1024);
		entries = fz_small(t, 1, 16, 1024);
		break;
	case BPF_MAP_TYPE_RINGBUF:
		key = value = 0;
		entries = FZ_PAGE << fz_below(t, fz_chance(t, 90) ? 3 : 8);
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		key = value = 4;
		entries = fz_small(t, 1, 4, 64);
		if (fz_chance(t, 25))
			flags |= BPF_F_PRESERVE_ELEMS;
		break;
	}
	if (type != BPF_MAP_TYPE_RINGBUF && type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		if (fz_chance(t, 10))
			flags |= BPF_F_RDONLY_PROG;
		else if (fz_chance(t, 5))
			flags |= BPF_F_WRONLY_PROG;
	}
	if (fz_chance(t, 4))
		flags |= BPF_F_RDONLY;
	else if (fz_chance(t, 4))
		flags |= BPF_F_WRONLY;
	if (fz_chance(t, 4) && !fz_is_percpu(type) && !(flags & BPF_F_NO_COMMON_LRU))
		flags |= BPF_F_NUMA_NODE;

	memset(a, 0, fz_cfg.union_size);
	a->map_type = type;
	a->key_size = key;
	a->value_size = value;
	a->max_entries = entries;
	a->map_flags = flags;
	if (fz_chance(t, 50))
		snprintf(a->map_name, sizeof(a->map_name), "fz%d_%llu", t->id,
			 (unsigned long long)t->ops % 100000);
	fz_desc_attr(t, BPF_MAP_CREATE, a, fz_cfg.union_size);
	fd = fz_bpf(t, BPF_MAP_CREATE, a, fz_cfg.union_size);
	if (fd < 0)
		return -1;
	t->maps_made++;
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->kind = FZ_MAP;
	o->type = type;
	o->key_size = key;
	o->value_size = value;
	o->max_entries = entries;
	o->map_flags = flags;
	return fd;
}

/* KBPF_IOC_PERF_BUFFER with valid attributes; @mapped is done in mem.c. */
int fz_make_perfbuf(struct fz_thread *t, struct fz_obj *o, bool mapped)
{
	struct kbpf_perf_buffer_attr *a = (void *)t->attr_area;
	long fd;

	(void)mapped;
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->cpu = fz_below(t, fz_cfg.ncpus);
	if (fz_chance(t, 30)) {
		a->flags = KBPF_PERF_BUFFER_WATERMARK;
		a->wakeup_watermark = fz_below(t, 3) ? fz_below(t, 8192) : 0;
	} else {
		a->wakeup_events = fz_below(t, 4);
	}
	fz_desc(t, "KBPF_IOC_PERF_BUFFER cpu %u flags %u wakeup %u", a->cpu,
		a->flags, a->wakeup_events);
	fd = fz_ioctl(t, fz_dev, KBPF_IOC_PERF_BUFFER, a, FZ_CAT_PERF_BUFFER);
	if (fd < 0) {
		if (errno != ENOMEM)
			fz_fail(t, "a valid KBPF_IOC_PERF_BUFFER failed: %s",
				fz_errname(errno));
		return -1;
	}
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->kind = FZ_PERFBUF;
	o->cpu = a->cpu;
	return fd;
}

/* A map of the kernel's own bpf(2): kbpf must refuse it (EINVAL). */
int fz_make_kernel_map(struct fz_thread *t)
{
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.map_type = fz_chance(t, 50) ? BPF_MAP_TYPE_ARRAY : BPF_MAP_TYPE_HASH;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 4;
	fz_desc(t, "bpf(2) BPF_MAP_CREATE");
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	fz_count(t, FZ_CAT_KERNEL_BPF, fd, errno);
	return fd;
}

/* Add an object of some kind to the table. */
void fz_op_objs(struct fz_thread *t)
{
	struct fz_obj o;
	int fds[2];
	uint32_t r = fz_below(t, 100);

	memset(&o, 0, sizeof(o));
	if (r < 60) {
		if (fz_make_map(t, FZ_PICK(t, fz_map_types), &o, true) >= 0)
			fz_obj_put(t, &o);
		return;
	}
	if (r < 72) {
		if (fz_make_perfbuf(t, &o, false) >= 0)
			fz_obj_put(t, &o);
		return;
	}
	if (r < 76) {
		o.fd = fz_make_kernel_map(t);
		o.kind = FZ_KMAP;
	} else if (r < 80) {
		o.fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		o.kind = FZ_DEVNULL;
	} else if (r < 84) {
		if (pipe2(fds, O_CLOEXEC | O_NONBLOCK))
			return;
		fz_count(t, FZ_CAT_OTHER, 0, 0);
		o.fd = fds[0];
		o.kind = FZ_PIPE;
		fz_obj_put(t, &o);
		o.fd = fds[1];
	} else if (r < 88) {
		o.fd = socket(fz_chance(t, 50) ? AF_UNIX : AF_INET,
			      SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		o.kind = FZ_SOCKET;
	} else if (r < 92) {
		o.fd = epoll_create1(EPOLL_CLOEXEC);
		o.kind = FZ_EPOLL;
	} else if (r < 95) {
		o.fd = open(KBPF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		o.kind = FZ_DEV;
	} else {
		/* a program, through the simplest valid load */
		o.fd = fz_prog_load_simple(t, fz_chance(t, 50) ?
					   BPF_PROG_TYPE_RAW_TRACEPOINT :
					   BPF_PROG_TYPE_SYSCALL, (int)fz_rand(t));
		o.kind = FZ_PROG;
	}
	if (o.kind != FZ_PROG && o.kind != FZ_KMAP)
		fz_count(t, FZ_CAT_OTHER, o.fd, errno);
	if (o.fd >= 0)
		fz_obj_put(t, &o);
}
