// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * ringstream: an event stream through a BPF_MAP_TYPE_RINGBUF.  The
 * clang-built bpf/ringstream.bpf.c, on raw_syscalls:sys_enter, sends one
 * record per syscall of this process; this side consumes them with
 * abpf_ringbuf and prints the first --count.  At the end every record the
 * program made is accounted for: received, or counted as dropped.
 *
 *   ringstream [--backend kbpf|kernel] [--duration SECONDS] [--count N]
 */
#include <sys/syscall.h>

#include "example.h"
#include "bpf/stream.h"

ABPF_EMBED(ringstream_obj, ABPF_BPF_DIR "/ringstream.bpf.o");

struct state {
	long shown, limit;
	__u64 received, next_seq, out_of_order;
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct state *s = ctx;
	struct stream_event e;

	if (size < sizeof(e))
		return -EINVAL;
	memcpy(&e, data, sizeof(e));
	if (e.seq != s->next_seq)
		s->out_of_order++;
	s->next_seq = e.seq + 1;
	s->received++;
	if (s->shown++ < s->limit)
		printf("  seq %4llu  cpu %u  tid %u  syscall %lld\n",
		       (unsigned long long)e.seq, e.cpu, e.tid,
		       (long long)e.syscall);
	return 0;
}

int main(int argc, char **argv)
{
	struct ex_opts o = { .count = 16 };
	struct state s = { 0 };
	struct abpf_object *obj;
	struct abpf_link *link;
	struct abpf_ringbuf *rb;
	__u64 made = 0, dropped = 0;
	abpf_errno err;
	double end;

	if (ex_parse(argc, argv, &o, "records of this process's syscalls through a ring buffer; --count: records shown"))
		return 2;
	s.limit = o.count;
	obj = ex_load(o.backend, ringstream_obj, ABPF_EMBED_SIZE(ringstream_obj),
		      "ringstream");
	if (!obj)
		return 1;
	err = abpf_ringbuf_new(abpf_object_find_map(obj, "events"), on_record,
			       &s, NULL, &rb);
	if (abpf_ok(err))
		err = abpf_object_attach_raw_tp(abpf_object_find_prog(obj,
								       "ringstream"),
						NULL, &link);
	if (!abpf_ok(err)) {
		fprintf(stderr, "ringstream: %s\n", abpf_strerror(err));
		abpf_object_close(obj);
		return 1;
	}
	printf("ringstream on %s: records for %.1f s\n",
	       ex_backend_name(o.backend), o.duration);
	end = ex_now() + o.duration;
	while (ex_now() < end) {
		syscall(SYS_getppid);
		err = abpf_ringbuf_poll(rb, 50, NULL);
		if (!abpf_ok(err) && err.no != EINTR)
			break;
	}
	abpf_object_detach(abpf_object_find_prog(obj, "ringstream"), link);
	abpf_ringbuf_consume(rb, NULL);
	ex_get_u64(obj, "seq", &made);
	ex_get_u64(obj, "dropped", &dropped);
	printf("%llu records made, %llu received, %llu dropped (ring full), %llu out of order\n",
	       (unsigned long long)made, (unsigned long long)s.received,
	       (unsigned long long)dropped,
	       (unsigned long long)s.out_of_order);
	abpf_ringbuf_free(rb);
	abpf_object_close(obj);
	return made && s.received == made && !s.out_of_order ? 0 : 1;
}
