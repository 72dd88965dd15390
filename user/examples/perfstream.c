// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * perfstream: an event stream through a BPF_MAP_TYPE_PERF_EVENT_ARRAY and
 * per-CPU perf pages.  The clang-built bpf/perfstream.bpf.c, on
 * raw_syscalls:sys_enter, outputs one sample per syscall of this process
 * into its CPU's buffer; this side reads them with abpf_perfbuf and prints
 * the first --count.  At the end every sample is accounted for: received,
 * lost (the buffer was full) or counted as a failed output.
 *
 *   perfstream [--backend kbpf|kernel] [--duration SECONDS] [--count N]
 */
#include <sys/syscall.h>

#include "example.h"
#include "bpf/stream.h"

ABPF_EMBED(perfstream_obj, ABPF_BPF_DIR "/perfstream.bpf.o");

#define PAGES 8

struct state {
	long shown, limit;
	__u64 received, lost;
};

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct state *s = ctx;
	struct stream_event e;

	if (size < sizeof(e))
		return;
	memcpy(&e, data, sizeof(e));
	s->received++;
	if (s->shown++ < s->limit)
		printf("  seq %4llu  buffer %d  tid %u  syscall %lld\n",
		       (unsigned long long)e.seq, cpu, e.tid,
		       (long long)e.syscall);
}

static void on_lost(void *ctx, int cpu, __u64 lost)
{
	struct state *s = ctx;

	(void)cpu;
	s->lost += lost;
}

int main(int argc, char **argv)
{
	struct ex_opts o = { .count = 16 };
	struct state s = { 0 };
	struct abpf_object *obj;
	struct abpf_link *link;
	struct abpf_perfbuf *pb;
	__u64 made = 0, dropped = 0;
	abpf_errno err;
	double end;

	if (ex_parse(argc, argv, &o, "samples of this process's syscalls through perf buffers; --count: samples shown"))
		return 2;
	s.limit = o.count;
	obj = ex_load(o.backend, perfstream_obj, ABPF_EMBED_SIZE(perfstream_obj),
		      "perfstream");
	if (!obj)
		return 1;
	err = abpf_perfbuf_new(abpf_object_find_map(obj, "events"), PAGES,
			       on_sample, on_lost, &s, NULL, &pb);
	if (abpf_ok(err))
		err = abpf_object_attach_raw_tp(abpf_object_find_prog(obj,
								       "perfstream"),
						NULL, &link);
	if (!abpf_ok(err)) {
		fprintf(stderr, "perfstream: %s\n", abpf_strerror(err));
		abpf_object_close(obj);
		return 1;
	}
	printf("perfstream on %s: %zu per-CPU buffers of %d pages, samples for %.1f s\n",
	       ex_backend_name(o.backend), abpf_perfbuf_buffer_cnt(pb), PAGES,
	       o.duration);
	end = ex_now() + o.duration;
	while (ex_now() < end) {
		syscall(SYS_getppid);
		err = abpf_perfbuf_poll(pb, 50, NULL);
		if (!abpf_ok(err) && err.no != EINTR)
			break;
	}
	abpf_object_detach(abpf_object_find_prog(obj, "perfstream"), link);
	abpf_perfbuf_consume(pb, NULL);
	ex_get_u64(obj, "seq", &made);
	ex_get_u64(obj, "dropped", &dropped);
	printf("%llu samples made, %llu received, %llu lost, %llu failed outputs\n",
	       (unsigned long long)made, (unsigned long long)s.received,
	       (unsigned long long)s.lost, (unsigned long long)dropped);
	abpf_perfbuf_free(pb);
	abpf_object_close(obj);
	return made && s.received + s.lost + dropped == made ? 0 : 1;
}
