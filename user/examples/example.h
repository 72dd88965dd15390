/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the object-loader examples share: the command line (--backend
 * kbpf|kernel, --duration, --count), loading an embedded object through a
 * handle on the chosen backend, and reading and setting its globals.
 */
#ifndef EXAMPLE_H
#define EXAMPLE_H

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <abpf.h>
#include <abpf/embed.h>
#include <abpf/object.h>

struct ex_opts {
	enum abpf_backend backend;
	double duration;	/* seconds */
	long count;
};

static void ex_usage(const char *prog, const char *what, long count)
{
	fprintf(stderr,
		"usage: %s [--backend kbpf|kernel] [--duration SECONDS] [--count N]\n"
		"  %s\n  defaults: kbpf, 2 s, %ld\n", prog, what, count);
}

/* 0, or 2 after printing the usage. */
static int ex_parse(int argc, char **argv, struct ex_opts *o, const char *what)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long dflt = o->count;
	char *end;
	int c;

	o->backend = ABPF_BACKEND_KBPF;
	if (o->duration <= 0)
		o->duration = 2;
	while ((c = getopt_long(argc, argv, "b:d:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!strcmp(optarg, "kbpf"))
				o->backend = ABPF_BACKEND_KBPF;
			else if (!strcmp(optarg, "kernel"))
				o->backend = ABPF_BACKEND_KERNEL;
			else
				goto usage;
			break;
		case 'd':
			o->duration = strtod(optarg, &end);
			if (*end || o->duration <= 0)
				goto usage;
			break;
		case 'c':
			o->count = strtol(optarg, &end, 0);
			if (*end || o->count <= 0)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (optind == argc)
		return 0;
usage:
	ex_usage(argv[0], what, dflt);
	return 2;
}

static const char *ex_backend_name(enum abpf_backend b)
{
	return b == ABPF_BACKEND_KBPF ? "kbpf (/dev/kbpf)" : "kernel (bpf(2))";
}

static double ex_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Set the 4-byte global @name before the load. */
static __attribute__((unused)) int ex_set_u32(struct abpf_object *obj, const char *name, __u32 v)
{
	const char *map;
	size_t off, size, len;
	unsigned char *data;

	if (!abpf_ok(abpf_object_find_var(obj, name, &map, &off, &size)) ||
	    size != sizeof(v))
		return -1;
	data = abpf_object_data(obj, map, &len);
	if (!data)
		return -1;
	memcpy(data + off, &v, sizeof(v));
	return 0;
}

/* Read the 8-byte global @name of the loaded object. */
static __attribute__((unused)) int ex_get_u64(struct abpf_object *obj, const char *name, __u64 *v)
{
	const char *mname;
	size_t off, size;
	struct abpf_map *map;
	unsigned char *buf;
	__u32 zero = 0;
	abpf_errno err;

	if (!abpf_ok(abpf_object_find_var(obj, name, &mname, &off, &size)) ||
	    size != sizeof(*v))
		return -1;
	map = abpf_object_find_map(obj, mname);
	if (!map)
		return -1;
	buf = malloc(abpf_map_value_buf_size(map));
	if (!buf)
		return -1;
	err = abpf_map_lookup(map, &zero, sizeof(zero), buf,
			      abpf_map_value_buf_size(map), 0);
	if (abpf_ok(err))
		memcpy(v, buf + off, sizeof(*v));
	free(buf);
	return abpf_ok(err) ? 0 : -1;
}

/*
 * Open the @size bytes at @image on a new handle for @backend, set
 * target_tgid to our pid if the object has it, and load it.  NULL after
 * printing why not.
 */
static struct abpf_object *ex_load(enum abpf_backend backend,
				   const unsigned char *image, size_t size,
				   const char *name)
{
	static char msg[512];
	LIBBPF_OPTS(abpf_object_opts, o, .name = name, .msg_buf = msg,
		    .msg_size = sizeof(msg));
	struct abpf_object *obj = NULL;
	struct abpf *h = NULL;
	abpf_errno err;

	err = abpf_open(backend == ABPF_BACKEND_KBPF ? abpf_sys_kbpf() :
			abpf_sys_libc(), NULL, &h);
	if (abpf_ok(err))
		err = abpf_object_open_mem(h, image, size, &o, &obj);
	abpf_unref(h);	/* the object holds its own reference */
	if (abpf_ok(err)) {
		ex_set_u32(obj, "target_tgid", (__u32)getpid());
		err = abpf_object_load(obj);
	}
	if (!abpf_ok(err)) {
		fprintf(stderr, "%s: %s: %s\n", name, abpf_strerror(err), msg);
		abpf_object_close(obj);
		return NULL;
	}
	return obj;
}

#endif /* EXAMPLE_H */
