// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpf-fuzz: options, threads, the operation mix, and the summary.
 *
 *   kbpf_fuzz [--seed N] [--seconds N] [--threads N] [--calls N]
 *             [--trace-from OP] [--known] [--no-attach] [--verbose]
 *   test_fuzz_slice        (or kbpf_fuzz --slice): make check's slice
 *
 * The seed is printed first; every failure of the fuzzer's own checks
 * prints the seed, the thread, its operation number and the call.  One
 * thread with the same seed replays the same operations.  At the end:
 * the calls made, per command, and the errnos seen.  "FUZZ-DONE" on the
 * last line means the run finished; the exit status is 1 if any check
 * failed.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

struct fz_config fz_cfg = { .seed = 0, .seconds = 60, .threads = 4 };
volatile int fz_stop;
int fz_dev = -1;
bool fz_in_checker;

static struct fz_thread *fz_threads[FZ_MAX_THREADS];
static struct timespec fz_t0;

static double fz_elapsed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec - fz_t0.tv_sec) + (ts.tv_nsec - fz_t0.tv_nsec) / 1e9;
}

static void *fz_map_guarded(size_t len)
{
	uint8_t *p = mmap(NULL, len + FZ_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mprotect(p + len, FZ_PAGE, PROT_NONE);
	return p;
}

/* One thread's operations, until the time or its calls run out. */
static void *fz_thread_main(void *arg)
{
	struct fz_thread *t = arg;
	int i;

	fz_thread_bind(t);
	/* every thread starts with one object of each kind it uses most */
	for (i = 0; i < 16 && !fz_stop; i++) {
		t->ops++;
		fz_buf_reset(t);
		fz_op_objs(t);
	}
	while (!fz_stop && (!t->max_calls || t->calls < t->max_calls)) {
		uint32_t r;

		t->ops++;
		fz_buf_reset(t);
		if (fz_cfg.trace_from && t->ops >= fz_cfg.trace_from)
			t->trace = true;
		fz_obj_expire(t);
		r = fz_below(t, 1000);
		if (t->trace)
			fz_note("t%d op %llu: draw %u", t->id, (unsigned long long)t->ops, r);
		if (r < 300)
			fz_op_bpf(t);
		else if (r < 380)
			fz_op_contract(t);
		else if (r < 560)
			fz_op_prog(t);
		else if (r < 590)
			fz_op_bpf(t);
		else if (r < 680)
			fz_op_mmap(t);
		else if (r < 720)
			fz_op_poll(t);
		else if (r < 775)
			fz_op_objs(t);
		else if (r < 805)
			fz_obj_close_random(t);
		else if (r < 825)
			fz_op_perf_buffer(t);
		else if (r < 845)
			fz_op_bogus_ioctl(t);
		else if (r < 847 && !fz_cfg.slice)
			fz_op_fork(t);
		else
			fz_op_objs(t);
		if (!(t->ops & 31) && fz_cfg.seconds && fz_elapsed() >= fz_cfg.seconds)
			fz_stop = 1;
	}
	return NULL;
}

static int fz_possible_cpus(void)
{
	char buf[128];
	int fd = open("/sys/devices/system/cpu/possible", O_RDONLY), n = 0, a, b;
	ssize_t len;
	char *p;

	if (fd < 0)
		return (int)sysconf(_SC_NPROCESSORS_CONF);
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return (int)sysconf(_SC_NPROCESSORS_CONF);
	buf[len] = 0;
	for (p = buf; *p;) {
		if (sscanf(p, "%d-%d", &a, &b) == 2)
			n += b - a + 1;
		else if (sscanf(p, "%d", &a) == 1)
			n++;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return n > 0 ? n : 1;
}

static const char fz_max_mem_path[] = "/sys/module/kbpf/parameters/max_memory";
static char fz_max_mem_old[64];

/* Bound what all maps hold together, if nobody did: the guest is small. */
static void fz_limit_memory(void)
{
	int fd = open(fz_max_mem_path, O_RDWR);
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, fz_max_mem_old, sizeof(fz_max_mem_old) - 1);
	if (n > 0 && !strncmp(fz_max_mem_old, "0\n", 2)) {
		lseek(fd, 0, SEEK_SET);
		if (write(fd, "201326592\n", 10) != 10)
			fz_max_mem_old[0] = 0;
	} else {
		fz_max_mem_old[0] = 0;
	}
	close(fd);
}

static void fz_restore_memory(void)
{
	int fd;

	if (!fz_max_mem_old[0])
		return;
	fd = open(fz_max_mem_path, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "0\n", 2) != 2)
			fz_note("could not restore max_memory");
		close(fd);
	}
}

static int fz_setup(void)
{
	struct utsname u;
	int maj = 6, min = 12, fd;

	/* fds 0-2 stay taken: kbpf's fds must never come out as 0 */
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd < 3)
		;
	if (fd >= 3)
		close(fd);
	if (!uname(&u))
		sscanf(u.release, "%d.%d", &maj, &min);
	fz_cfg.kv = maj * 1000 + min;
	if (fz_cfg.kv < 6012)
		fz_cfg.kv = 6001;	/* compat.h: between the two, the older one */
	fz_cfg.union_size = fz_cfg.kv >= 6012 ? 152 : 144;
	fz_cfg.ncpus = fz_possible_cpus();
	fz_dev = open(KBPF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fz_dev < 0) {
		fz_note("cannot open %s: %s", KBPF_DEVICE_PATH, strerror(errno));
		return -1;
	}
	/* 4 pages pointers go into, and 4 more so a page read from any of them faults */
	fz_none_area = mmap(NULL, 8 * FZ_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz_none_area == MAP_FAILED)
		return -1;
	fz_signals_init();
	fz_objs_init();
	return 0;
}

/*
 * The invariant checker: a process of its own, so that its objects are
 * out of reach of the threads' fd numbers (stale, closed, random, or
 * baked into programs at load time).  It shares the kbpf module, its ids
 * and its memory limit with them, and stops when they do.
 */
struct fz_shared {
	volatile int stop;
	struct fz_thread checker;
};

static pid_t fz_checker_start(struct fz_shared *sh, uint64_t calls)
{
	struct fz_thread *t = &sh->checker;
	uint64_t s = fz_cfg.seed + 1000003;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	t->id = fz_cfg.threads;
	t->rng.s = fz_splitmix(&s) | 1;
	t->max_calls = calls;
	pid = fork();
	if (pid)
		return pid;
	fz_in_checker = true;
	fz_thread_bind(t);
	t->arena = fz_map_guarded(FZ_ARENA_SIZE);
	t->attr_area = fz_map_guarded(FZ_ATTR_BUF);
	if (!t->arena || !t->attr_area)
		_exit(1);
	while (!sh->stop && (!t->max_calls || t->calls < t->max_calls)) {
		t->ops++;
		fz_buf_reset(t);
		if (fz_cfg.trace_from && t->ops >= fz_cfg.trace_from)
			t->trace = true;
		fz_op_invariants(t);
		if (!(t->ops & 15) && fz_cfg.seconds && fz_elapsed() >= fz_cfg.seconds)
			break;
	}
	_exit(0);
}

/* Run the configured threads; returns the total failures. */
static uint64_t fz_run(uint64_t *calls_out, unsigned int *errnos_out, bool quiet)
{
	pthread_t th[FZ_MAX_THREADS];
	uint64_t cat[FZ_NR_CATS] = { 0 }, errs[FZ_MAX_ERRNO] = { 0 };
	uint64_t calls = 0, ops = 0, fails = 0, faults = 0, loaded = 0, runs = 0;
	uint64_t attached = 0, maps = 0;
	unsigned int i, j, distinct = 0;
	uint64_t checker_calls = 0;
	struct fz_shared *sh;
	char line[4096];
	pid_t checker;
	int status = 0;
	size_t len;
	double secs;

	fz_stop = 0;
	clock_gettime(CLOCK_MONOTONIC, &fz_t0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	checker = fz_checker_start(sh, fz_cfg.calls ? fz_cfg.calls / 4 + 1 : 0);
	for (i = 0; i < fz_cfg.threads; i++) {
		struct fz_thread *t = calloc(1, sizeof(*t));
		uint64_t s = fz_cfg.seed + i;

		if (!t)
			return 1;
		t->id = i;
		t->rng.s = fz_splitmix(&s) | 1;
		t->max_calls = fz_cfg.calls;
		t->arena = fz_map_guarded(FZ_ARENA_SIZE);
		t->attr_area = fz_map_guarded(FZ_ATTR_BUF);
		t->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (!t->arena || !t->attr_area)
			return 1;
		fz_threads[i] = t;
		pthread_create(&th[i], NULL, fz_thread_main, t);
	}
	for (i = 0; i < fz_cfg.threads; i++)
		pthread_join(th[i], NULL);
	sh->stop = 1;
	if (checker > 0 && waitpid(checker, &status, 0) == checker &&
	    (!WIFEXITED(status) || WEXITSTATUS(status))) {
		fz_note("the checker process %s %d", WIFSIGNALED(status) ? "died of signal" :
			"exited with", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		sh->checker.fails++;
	}
	secs = fz_elapsed();

	/* everything goes: mappings, links, maps, programs, buffers */
	fz_mem_thread_fini(fz_threads[0]);
	fz_objs_fini();
	for (i = 0; i < fz_cfg.threads; i++) {
		struct fz_thread *t = fz_threads[i];

		calls += t->calls;
		ops += t->ops;
		fails += t->fails;
		faults += t->faults;
		loaded += t->prog_loaded;
		runs += t->prog_runs;
		attached += t->prog_attached;
		maps += t->maps_made;
		for (j = 0; j < FZ_NR_CATS; j++)
			cat[j] += t->cat[j];
		for (j = 0; j < FZ_MAX_ERRNO; j++)
			errs[j] += t->errnos[j];
		close(t->epfd);
		munmap(t->arena, FZ_ARENA_SIZE + FZ_PAGE);
		munmap(t->attr_area, FZ_ATTR_BUF + FZ_PAGE);
		free(t);
		fz_threads[i] = NULL;
	}
	{
		struct fz_thread *t = &sh->checker;

		calls += t->calls;
		ops += t->ops;
		fails += t->fails;
		faults += t->faults;
		loaded += t->prog_loaded;
		runs += t->prog_runs;
		maps += t->maps_made;
		for (j = 0; j < FZ_NR_CATS; j++)
			cat[j] += t->cat[j];
		for (j = 0; j < FZ_MAX_ERRNO; j++)
			errs[j] += t->errnos[j];
		checker_calls = t->calls;
		munmap(sh, sizeof(*sh));
	}
	for (j = 1; j < FZ_MAX_ERRNO; j++)
		distinct += !!errs[j];
	*calls_out = calls;
	*errnos_out = distinct;
	if (quiet)
		return fails;

	fz_note("done: seed %llu, %.0f s, %u threads and the checker, %llu ops, %llu calls "
		"(%llu by the checker; %.0f calls/s), %llu failures",
		(unsigned long long)fz_cfg.seed, secs, fz_cfg.threads,
		(unsigned long long)ops, (unsigned long long)calls,
		(unsigned long long)checker_calls, secs > 0 ? calls / secs : 0,
		(unsigned long long)fails);
	len = 0;
	for (j = 0; j < FZ_NR_CATS && len < sizeof(line) - 64; j++) {
		const char *name = j < FZ_MAX_BPF_CMD ? fz_cmd_name(j) : fz_cat_names[j];

		if (cat[j])
			len += snprintf(line + len, sizeof(line) - len, " %s=%llu", name,
					(unsigned long long)cat[j]);
	}
	fz_note("calls per command:%s", line);
	len = snprintf(line, sizeof(line), " success=%llu", (unsigned long long)errs[0]);
	for (j = 1; j < FZ_MAX_ERRNO && len < sizeof(line) - 64; j++)
		if (errs[j])
			len += snprintf(line + len, sizeof(line) - len, " %s=%llu", fz_errname(j),
					(unsigned long long)errs[j]);
	fz_note("errnos seen (%u distinct):%s", distinct, line);
	fz_note("programs loaded %llu, test runs %llu, attached %llu; maps made %llu; "
		"faults through mappings %llu", (unsigned long long)loaded,
		(unsigned long long)runs, (unsigned long long)attached,
		(unsigned long long)maps, (unsigned long long)faults);
	printf("FUZZ-DONE calls=%llu errnos=%u failures=%llu seconds=%.0f threads=%u seed=%llu\n",
	       (unsigned long long)calls, distinct, (unsigned long long)fails, secs,
	       fz_cfg.threads, (unsigned long long)fz_cfg.seed);
	fflush(stdout);
	return fails;
}

/* make check's slice: fixed seeds, fixed calls, TAP lines. */
static int fz_slice(void)
{
	static const struct { uint64_t seed; unsigned int threads; uint64_t calls; } parts[] = {
		{ 1, 1, 3000 }, { 2, 2, 1500 },
	};
	unsigned int i, errnos, bad = 0;
	uint64_t calls, fails;

	fz_cfg.slice = true;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		fz_cfg.seed = parts[i].seed;
		fz_cfg.threads = parts[i].threads;
		fz_cfg.calls = parts[i].calls;
		fz_cfg.seconds = 300;	/* a hang, not a slow guest, stops it */
		fz_note("slice %u: seed %llu, %u threads, %llu calls each", i + 1,
			(unsigned long long)fz_cfg.seed, fz_cfg.threads,
			(unsigned long long)fz_cfg.calls);
		fails = fz_run(&calls, &errnos, false);
		if (fails || calls < parts[i].calls * parts[i].threads)
			bad++;
		printf("%sok %u - fuzz slice: seed %llu, %u thread%s and the checker, %llu calls, "
		       "%u errnos%s\n",
		       fails || calls < parts[i].calls * parts[i].threads ? "not " : "", i + 1,
		       (unsigned long long)fz_cfg.seed, fz_cfg.threads,
		       fz_cfg.threads > 1 ? "s" : "", (unsigned long long)calls, errnos,
		       fails ? ", invariant failures (above)" : "");
		fflush(stdout);
	}
	printf("1..%zu\n", sizeof(parts) / sizeof(parts[0]));
	return bad ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: kbpf_fuzz [--seed N] [--seconds N] [--threads N] "
		"[--calls N] [--trace-from OP] [--known] [--no-attach] [--slice]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	uint64_t calls, fails;
	unsigned int errnos;
	bool seeded = false;
	int i, ret;

	base = base ? base + 1 : argv[0];
	if (!strcmp(base, "test_fuzz_slice"))
		fz_cfg.slice = true;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--seed") && v) {
			fz_cfg.seed = strtoull(v, NULL, 0);
			seeded = true;
			i++;
		} else if (!strcmp(o, "--seconds") && v) {
			fz_cfg.seconds = strtoul(v, NULL, 0);
			i++;
		} else if (!strcmp(o, "--threads") && v) {
			fz_cfg.threads = strtoul(v, NULL, 0);
			i++;
		} else if (!strcmp(o, "--calls") && v) {
			fz_cfg.calls = strtoull(v, NULL, 0);
			i++;
		} else if (!strcmp(o, "--trace-from") && v) {
			fz_cfg.trace_from = strtoull(v, NULL, 0);
			i++;
		} else if (!strcmp(o, "--known")) {
			fz_cfg.known = true;
		} else if (!strcmp(o, "--no-attach")) {
			fz_cfg.no_attach = true;
		} else if (!strcmp(o, "--slice")) {
			fz_cfg.slice = true;
		} else if (!strcmp(o, "--verbose")) {
			fz_cfg.verbose = true;
		} else {
			usage();
		}
	}
	if (fz_cfg.threads < 1 || fz_cfg.threads > FZ_MAX_THREADS)
		usage();
	if (!seeded && !fz_cfg.slice) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		fz_cfg.seed = (uint64_t)ts.tv_sec * 1000003 ^ ts.tv_nsec ^ getpid();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (fz_setup()) {
		if (fz_cfg.slice) {
			printf("not ok 1 - fuzz slice: %s cannot be opened\n1..1\n",
			       KBPF_DEVICE_PATH);
			return 1;
		}
		return 1;
	}
	fz_limit_memory();
	if (fz_cfg.slice) {
		ret = fz_slice();
	} else {
		fz_note("seed %llu, %u s, %u threads, %llu calls per thread, kernel %d.%d, "
			"%d CPUs, attr size %u", (unsigned long long)fz_cfg.seed, fz_cfg.seconds,
			fz_cfg.threads, (unsigned long long)fz_cfg.calls, fz_cfg.kv / 1000,
			fz_cfg.kv % 1000, fz_cfg.ncpus, fz_cfg.union_size);
		fails = fz_run(&calls, &errnos, false);
		ret = fails ? 1 : 0;
	}
	fz_restore_memory();
	close(fz_dev);
	return ret;
}
