// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpf-fuzz: mmap() of map, ring buffer and perf buffer fds (and of fds
 * that cannot be mapped) with random lengths, offsets, protections and
 * flags; reads and writes through the mappings (consumer and producer
 * positions, data_tail, aux fields, values), munmap, partial munmap,
 * mprotect, mremap, madvise; kernel pointers into mappings; poll and epoll
 * on fds of every kind; fork with mappings and fds.
 *
 * A mapping lives in a slot with a rwlock: accesses hold it shared,
 * munmap and friends exclusive, so no thread touches an address after it
 * was unmapped (it might be reused by the fuzzer's own memory).
 */
#include <stdlib.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "fuzz.h"

#define FZ_NR_MAPS	32

struct fz_mapping {
	pthread_rwlock_t lock;
	uint8_t *addr;		/* NULL: empty */
	size_t len;
	int prot;		/* what all of it allows, at least */
	bool may_write;		/* some of it may be writable */
	enum fz_kind kind;
	uint32_t type;		/* map type, for FZ_MAP */
	uint64_t pgoff;
};

pthread_rwlock_t fz_fork_lock = PTHREAD_RWLOCK_INITIALIZER;

static struct fz_mapping fz_maps[FZ_NR_MAPS] = {
	[0 ... FZ_NR_MAPS - 1] = { .lock = PTHREAD_RWLOCK_INITIALIZER },
};

/* What a map of this kind can map, in bytes (0: nothing, so anything goes). */
static size_t fz_map_area(const struct fz_obj *o)
{
	if (o->kind == FZ_MAP && o->type == BPF_MAP_TYPE_RINGBUF)
		return 2 * FZ_PAGE + 2 * (size_t)o->max_entries;
	if (o->kind == FZ_MAP && o->type == BPF_MAP_TYPE_ARRAY &&
	    (o->map_flags & BPF_F_MMAPABLE))
		return ((size_t)o->max_entries * ((o->value_size + 7) & ~7U) + FZ_PAGE - 1) &
		       ~(FZ_PAGE - 1);
	return 0;
}

static void fz_do_map(struct fz_thread *t, struct fz_mapping *m)
{
	static const int prots[] = { PROT_READ, PROT_READ, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_WRITE, PROT_NONE, PROT_READ | PROT_EXEC };
	struct fz_obj o;
	size_t len, area, pages;
	uint64_t off = 0;
	int prot = FZ_PICK(t, prots), flags = MAP_SHARED, fd;
	void *p;

	memset(&o, 0, sizeof(o));
	switch (fz_below(t, 10)) {
	case 0: case 1: case 2:
		if (!fz_obj_pick_map(t, BPF_MAP_TYPE_RINGBUF, &o))
			fz_obj_pick(t, FZ_MAP, &o);
		break;
	case 3: case 4:
		if (!fz_obj_pick_map(t, BPF_MAP_TYPE_ARRAY, &o))
			fz_obj_pick(t, FZ_MAP, &o);
		break;
	case 5: case 6: case 7:
		fz_obj_pick(t, FZ_PERFBUF, &o);
		break;
	case 8:
		fz_obj_pick(t, FZ_MAP, &o);
		break;
	default:
		o.fd = fz_any_fd(t);
		break;
	}
	if (o.kind == FZ_NONE && !o.fd)
		o.fd = fz_any_fd(t);
	fd = o.fd;
	area = fz_map_area(&o);

	if (o.kind == FZ_PERFBUF) {
		pages = fz_chance(t, 85) ? 1 + (fz_chance(t, 15) ? 0 : 1U << fz_below(t, 4)) :
			1 + fz_below(t, 9);
		len = pages * FZ_PAGE;
		if (fz_chance(t, 8))
			off = (uint64_t)(pages + fz_below(t, 4)) * FZ_PAGE;	/* aux */
	} else if (o.kind == FZ_MAP && o.type == BPF_MAP_TYPE_RINGBUF) {
		switch (fz_below(t, 4)) {
		case 0:		/* the consumer page, writable */
			len = FZ_PAGE;
			prot = PROT_READ | PROT_WRITE;
			break;
		case 1:		/* everything, read-only */
			len = area;
			prot = PROT_READ;
			break;
		case 2:		/* from the producer page on */
			off = FZ_PAGE;
			len = area - FZ_PAGE;
			break;
		default:
			off = fz_below(t, area / FZ_PAGE + 2) * FZ_PAGE;
			len = (1 + fz_below(t, area / FZ_PAGE + 1)) * FZ_PAGE;
			break;
		}
	} else if (area) {
		off = fz_chance(t, 80) ? 0 : fz_below(t, area / FZ_PAGE + 1) * FZ_PAGE;
		len = fz_chance(t, 70) ? area : (1 + fz_below(t, area / FZ_PAGE + 1)) * FZ_PAGE;
	} else {
		len = (1 + fz_below(t, 4)) * FZ_PAGE;
		off = fz_below(t, 3) * FZ_PAGE;
	}
	if (fz_chance(t, 5))
		len = fz_chance(t, 50) ? fz_below(t, 2 * FZ_PAGE) : (size_t)fz_interesting(t);
	if (fz_chance(t, 3))
		off = fz_chance(t, 50) ? fz_below(t, FZ_PAGE) : fz_interesting(t) & ~(FZ_PAGE - 1);
	if (fz_chance(t, 5))
		flags = MAP_PRIVATE;
	if (len > (64UL << 20))
		len = 64UL << 20;	/* a failed huge mmap says nothing more */
	fz_desc(t, "mmap(len %zu, prot %d, flags %d, fd %d, off %#llx)", len, prot, flags,
		fd, (unsigned long long)off);
	errno = 0;
	p = mmap(NULL, len, prot, flags, fd, (off_t)off);
	fz_count(t, FZ_CAT_MMAP, p == MAP_FAILED ? -1 : 0, errno);
	if (p == MAP_FAILED)
		return;
	m->addr = p;
	m->len = len;
	m->prot = prot;
	m->may_write = prot & PROT_WRITE;
	m->kind = o.kind;
	m->type = o.type;
	m->pgoff = off / FZ_PAGE;
}

/* Positions, tails and values written from userspace: garbage included. */
static void fz_do_access(struct fz_thread *t, struct fz_mapping *m)
{
	size_t off = fz_below(t, m->len), n = 1 + fz_below(t, 256);
	uint64_t v = fz_chance(t, 50) ? fz_interesting(t) : fz_below(t, 1 << 20);

	if (off + n > m->len)
		n = m->len - off;
	fz_desc(t, "access of mapping %p+%zu (%zu bytes, kind %d type %u)", m->addr, off, n,
		m->kind, m->type);
	if (fz_chance(t, 60) || !(m->prot & PROT_WRITE)) {
		fz_probe_read(t, m->addr + off, n);
		if (!(m->prot & PROT_WRITE) && fz_chance(t, 10))
			fz_probe_write(t, m->addr + off, 1, 0x5a);	/* must fault */
		return;
	}
	if (m->kind == FZ_PERFBUF && m->pgoff == 0 && fz_chance(t, 60)) {
		struct perf_event_mmap_page *up = (void *)m->addr;
		volatile uint64_t *f;

		switch (fz_below(t, 3)) {
		case 0:	/* data_tail: mostly up to data_head, sometimes anything */
			f = (volatile uint64_t *)&up->data_tail;
			if (fz_chance(t, 70) && fz_probe_read(t, (void *)&up->data_head, 8))
				v = __atomic_load_n(&up->data_head, __ATOMIC_ACQUIRE);
			break;
		case 1:
			f = (volatile uint64_t *)&up->aux_offset;
			break;
		default:
			f = (volatile uint64_t *)&up->aux_size;
			break;
		}
		fz_probe_store64(t, f, v);
		return;
	}
	if (m->kind == FZ_MAP && m->type == BPF_MAP_TYPE_RINGBUF && m->pgoff == 0) {
		/* consumer_pos: where it should be, or anywhere */
		volatile unsigned long *cons = (void *)m->addr;

		if (fz_chance(t, 50) && m->len >= 2 * FZ_PAGE &&
		    fz_probe_read(t, m->addr + FZ_PAGE, 8))
			v = __atomic_load_n((unsigned long *)(m->addr + FZ_PAGE), __ATOMIC_ACQUIRE);
		fz_probe_store64(t, (volatile uint64_t *)cons, v);
		return;
	}
	fz_probe_write(t, m->addr + off, n, (uint8_t)v);
}

/*
 * kbpf reading its input from a mapping (values, keys, instructions), and
 * writing output into one that cannot be written.  Never output into a
 * writable mapping: the fd may name another map by now, with larger
 * values, and what runs past the mapping's end is the fuzzer's memory.
 */
static void fz_do_ptr(struct fz_thread *t, struct fz_mapping *m)
{
	union bpf_attr *a = (void *)t->attr_area;
	struct fz_obj o;
	uint8_t *in = m->addr + fz_below(t, m->len);
	uint32_t key = 0, cmd;

	memset(a, 0, fz_cfg.union_size);
	if (fz_chance(t, 25)) {
		uint32_t n = 1 + fz_below(t, 64);

		a->prog_type = fz_chance(t, 50) ? BPF_PROG_TYPE_RAW_TRACEPOINT :
			       BPF_PROG_TYPE_SYSCALL;
		a->prog_flags = a->prog_type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0;
		a->insns = (uintptr_t)in;
		a->insn_cnt = n;
		a->license = (uintptr_t)"GPL";
		fz_desc_attr(t, BPF_PROG_LOAD, a, fz_cfg.union_size);
		if ((cmd = fz_bpf(t, BPF_PROG_LOAD, a, fz_cfg.union_size)) != (uint32_t)-1)
			close((int)cmd);
		return;
	}
	if (!fz_obj_pick(t, FZ_MAP, &o))
		return;
	cmd = m->may_write || fz_chance(t, 50) ? BPF_MAP_UPDATE_ELEM : BPF_MAP_LOOKUP_ELEM;
	a->map_fd = o.fd;
	a->key = o.key_size <= 4 ? (uintptr_t)&key : (uintptr_t)in;
	a->value = (uintptr_t)in;
	fz_desc_attr(t, cmd, a, fz_cfg.union_size);
	fz_bpf(t, cmd, a, fz_cfg.union_size);
}

/* munmap, partly or whole; mprotect, mremap, madvise.  Exclusive. */
static void fz_do_change(struct fz_thread *t, struct fz_mapping *m)
{
	static const int advice[] = { MADV_DONTNEED, MADV_DONTFORK, MADV_DOFORK,
		MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_RANDOM, MADV_WILLNEED,
		MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE };
	size_t pages = m->len / FZ_PAGE;
	long r;
	void *p;

	switch (fz_below(t, 6)) {
	case 0:
	case 1:
		fz_desc(t, "munmap(%p, %zu)", m->addr, m->len);
		r = munmap(m->addr, m->len);
		fz_count(t, FZ_CAT_MUNMAP, r, errno);
		if (!r)
			m->addr = NULL;
		return;
	case 2:		/* the first or last page: splits the mapping */
		if (pages < 2)
			return;
		if (fz_chance(t, 50)) {
			fz_desc(t, "munmap of the first page of %p", m->addr);
			r = munmap(m->addr, FZ_PAGE);
			if (!r) {
				m->addr += FZ_PAGE;
				m->pgoff++;
				m->len -= FZ_PAGE;
			}
		} else {
			fz_desc(t, "munmap of the last page of %p", m->addr);
			r = munmap(m->addr + m->len - FZ_PAGE, FZ_PAGE);
			if (!r)
				m->len -= FZ_PAGE;
		}
		fz_count(t, FZ_CAT_MUNMAP, r, errno);
		return;
	case 3: {
		int prot = fz_below(t, 8);
		size_t n = (1 + fz_below(t, pages)) * FZ_PAGE;

		fz_desc(t, "mprotect(%p, %zu, %d)", m->addr, n, prot);
		r = mprotect(m->addr, n, prot);
		fz_count(t, FZ_CAT_MPROTECT, r, errno);
		/* a part changed means the rest did not: both ways pessimistic */
		if (!r) {
			m->may_write = (n == m->len ? false : m->may_write) || (prot & PROT_WRITE);
			m->prot = n == m->len ? prot : (m->prot & prot);
		}
		return;
	}
	case 4: {
		size_t nlen = fz_chance(t, 50) ? m->len : m->len + FZ_PAGE * (1 + fz_below(t, 4));

		fz_desc(t, "mremap(%p, %zu, %zu, MAYMOVE)", m->addr, m->len, nlen);
		p = mremap(m->addr, m->len, nlen, MREMAP_MAYMOVE);
		fz_count(t, FZ_CAT_MREMAP, p == MAP_FAILED ? -1 : 0, errno);
		if (p != MAP_FAILED) {
			m->addr = p;
			m->len = nlen;
		}
		return;
	}
	default: {
		int adv = FZ_PICK(t, advice);

		fz_desc(t, "madvise(%p, %zu, %d)", m->addr, m->len, adv);
		r = madvise(m->addr, m->len, adv);
		fz_count(t, FZ_CAT_MADVISE, r, errno);
		return;
	}
	}
}

void fz_op_mmap(struct fz_thread *t)
{
	struct fz_mapping *m = &fz_maps[fz_below(t, FZ_NR_MAPS)];
	uint32_t r = fz_below(t, 100);

	if (r < 50) {	/* shared: access the mapping if there is one */
		pthread_rwlock_rdlock(&m->lock);
		if (m->addr) {
			if (r < 42)
				fz_do_access(t, m);
			else
				fz_do_ptr(t, m);
		}
		pthread_rwlock_unlock(&m->lock);
		return;
	}
	pthread_rwlock_wrlock(&m->lock);
	if (!m->addr)
		fz_do_map(t, m);
	else if (r < 75)
		fz_do_change(t, m);
	else if (fz_chance(t, 50)) {
		fz_desc(t, "munmap(%p, %zu)", m->addr, m->len);
		fz_count(t, FZ_CAT_MUNMAP, munmap(m->addr, m->len), errno);
		m->addr = NULL;
	}
	pthread_rwlock_unlock(&m->lock);
}

/* At the end, every mapping goes: the last thread out. */
void fz_mem_thread_fini(struct fz_thread *t)
{
	int i;

	for (i = 0; i < FZ_NR_MAPS; i++) {
		pthread_rwlock_wrlock(&fz_maps[i].lock);
		if (fz_maps[i].addr) {
			fz_count(t, FZ_CAT_MUNMAP, munmap(fz_maps[i].addr, fz_maps[i].len), errno);
			fz_maps[i].addr = NULL;
		}
		pthread_rwlock_unlock(&fz_maps[i].lock);
	}
}

void fz_op_poll(struct fz_thread *t)
{
	struct pollfd pfd[8];
	struct epoll_event ev[8];
	unsigned int n = 1 + fz_below(t, 8), i;
	long r;
	int fd;

	if (fz_chance(t, 50)) {
		for (i = 0; i < n; i++) {
			pfd[i].fd = fz_any_fd(t);
			pfd[i].events = fz_chance(t, 80) ? POLLIN : (short)fz_rand(t);
			pfd[i].revents = 0;
		}
		fz_desc(t, "poll of %u fds", n);
		r = poll(pfd, n, fz_chance(t, 90) ? 0 : 1 + fz_below(t, 3));
		fz_count(t, FZ_CAT_POLL, r, errno);
		return;
	}
	fd = fz_any_fd(t);
	memset(ev, 0, sizeof(ev));
	ev[0].events = fz_chance(t, 70) ? EPOLLIN : (uint32_t)fz_rand(t) &
		       ~(EPOLLEXCLUSIVE | EPOLLWAKEUP);
	ev[0].data.fd = fd;
	switch (fz_below(t, 4)) {
	case 0:
	case 1:
		fz_desc(t, "epoll_ctl(ADD, %d)", fd);
		r = epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, ev);
		break;
	case 2:
		fz_desc(t, "epoll_ctl(%s, %d)", fz_chance(t, 50) ? "DEL" : "MOD", fd);
		r = epoll_ctl(t->epfd, fz_chance(t, 50) ? EPOLL_CTL_DEL : EPOLL_CTL_MOD, fd, ev);
		break;
	default:
		fz_desc(t, "epoll_wait");
		r = epoll_wait(t->epfd, ev, 8, fz_chance(t, 90) ? 0 : 1);
		break;
	}
	fz_count(t, FZ_CAT_EPOLL, r, errno);
}

/* A child with the parent's fds and mappings: touches some, exits. */
void fz_op_fork(struct fz_thread *t)
{
	struct fz_mapping *m = &fz_maps[fz_below(t, FZ_NR_MAPS)];
	uint32_t start = fz_below(t, 1000);
	pid_t pid;
	int status;

	fz_desc(t, "fork");
	pthread_rwlock_wrlock(&fz_fork_lock);
	pthread_rwlock_rdlock(&m->lock);
	pid = fork();
	if (pid == 0) {
		union bpf_attr a;
		struct kbpf_bpf_call call = { .cmd = BPF_MAP_GET_NEXT_ID,
					      .size = sizeof(a), .attr = (uintptr_t)&a };
		int i;

		/* no locks here: the other threads did not come along */
		if (m->addr)
			fz_probe_read(t, m->addr, m->len < 8192 ? m->len : 8192);
		for (i = 0; i < 8; i++) {
			memset(&a, 0, sizeof(a));
			a.start_id = start + i;
			ioctl(fz_dev, KBPF_IOC_BPF, &call);
		}
		for (i = 3; i < 64; i += 7)
			close(i);
		_exit(0);
	}
	pthread_rwlock_unlock(&m->lock);
	fz_count(t, FZ_CAT_FORK, pid, errno);
	if (pid > 0) {
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGSEGV &&
		    WTERMSIG(status) != SIGBUS)
			fz_fail(t, "a forked child died of signal %d", WTERMSIG(status));
	}
	pthread_rwlock_unlock(&fz_fork_lock);
}
