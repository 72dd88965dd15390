// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpftool: bpftool's map, prog and net commands on libabpf, over the
 * kernel's bpf(2) or kbpf's /dev/kbpf.
 *
 *   kbpftool [--backend kbpf|kernel] [--json] OBJECT COMMAND ...
 *   kbpftool [OPTIONS] batch file FILE	   (FILE "-": standard input)
 *
 * kbpf has no bpffs: a map or program made by one command lives as long
 * as the process, so on kbpf make and use them in one batch, naming them
 * with "name NAME".  See usage() for the commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>

#include <abpf.h>

#include "kbpftool.h"
#include "kbpftool_usage.h"

struct pipe {
	struct abpf_map *map;
	struct abpf_perfbuf *pb;
};

struct kbpftool {
	FILE *out, *err;
	bool json, batch;
	const struct abpf_sys *sys;	/* the backend's table */
	struct abpf *h;
	/* What commands made, kept until the tool goes. */
	struct abpf_map **maps;
	size_t nmaps;
	struct abpf_prog **progs;
	size_t nprogs;
	struct abpf_link **links;
	size_t nlinks;
	struct pipe *pipes;
	size_t npipes;
	/* the json output of one event_pipe/dump: the record counter */
	size_t nrec;
	bool first;
};

static const char *const map_types[] = {
	[BPF_MAP_TYPE_UNSPEC] = "unspec",
	[BPF_MAP_TYPE_HASH] = "hash",
	[BPF_MAP_TYPE_ARRAY] = "array",
	[BPF_MAP_TYPE_PROG_ARRAY] = "prog_array",
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
	[BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash",
	[BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
	[BPF_MAP_TYPE_STACK_TRACE] = "stack_trace",
	[BPF_MAP_TYPE_CGROUP_ARRAY] = "cgroup_array",
	[BPF_MAP_TYPE_LRU_HASH] = "lru_hash",
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
	[BPF_MAP_TYPE_LPM_TRIE] = "lpm_trie",
	[BPF_MAP_TYPE_ARRAY_OF_MAPS] = "array_of_maps",
	[BPF_MAP_TYPE_HASH_OF_MAPS] = "hash_of_maps",
	[BPF_MAP_TYPE_DEVMAP] = "devmap",
	[BPF_MAP_TYPE_SOCKMAP] = "sockmap",
	[BPF_MAP_TYPE_CPUMAP] = "cpumap",
	[BPF_MAP_TYPE_XSKMAP] = "xskmap",
	[BPF_MAP_TYPE_SOCKHASH] = "sockhash",
	[BPF_MAP_TYPE_CGROUP_STORAGE] = "cgroup_storage",
	[BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = "reuseport_sockarray",
	[BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE] = "percpu_cgroup_storage",
	[BPF_MAP_TYPE_QUEUE] = "queue",
	[BPF_MAP_TYPE_STACK] = "stack",
	[BPF_MAP_TYPE_SK_STORAGE] = "sk_storage",
	[BPF_MAP_TYPE_DEVMAP_HASH] = "devmap_hash",
	[BPF_MAP_TYPE_STRUCT_OPS] = "struct_ops",
	[BPF_MAP_TYPE_RINGBUF] = "ringbuf",
	[BPF_MAP_TYPE_INODE_STORAGE] = "inode_storage",
	[BPF_MAP_TYPE_TASK_STORAGE] = "task_storage",
	[BPF_MAP_TYPE_BLOOM_FILTER] = "bloom_filter",
	[BPF_MAP_TYPE_USER_RINGBUF] = "user_ringbuf",
};

static const char *const prog_types[] = {
	[BPF_PROG_TYPE_UNSPEC] = "unspec",
	[BPF_PROG_TYPE_SOCKET_FILTER] = "socket_filter",
	[BPF_PROG_TYPE_KPROBE] = "kprobe",
	[BPF_PROG_TYPE_SCHED_CLS] = "sched_cls",
	[BPF_PROG_TYPE_SCHED_ACT] = "sched_act",
	[BPF_PROG_TYPE_TRACEPOINT] = "tracepoint",
	[BPF_PROG_TYPE_XDP] = "xdp",
	[BPF_PROG_TYPE_PERF_EVENT] = "perf_event",
	[BPF_PROG_TYPE_CGROUP_SKB] = "cgroup_skb",
	[BPF_PROG_TYPE_CGROUP_SOCK] = "cgroup_sock",
	[BPF_PROG_TYPE_LWT_IN] = "lwt_in",
	[BPF_PROG_TYPE_LWT_OUT] = "lwt_out",
	[BPF_PROG_TYPE_LWT_XMIT] = "lwt_xmit",
	[BPF_PROG_TYPE_SOCK_OPS] = "sock_ops",
	[BPF_PROG_TYPE_SK_SKB] = "sk_skb",
	[BPF_PROG_TYPE_CGROUP_DEVICE] = "cgroup_device",
	[BPF_PROG_TYPE_SK_MSG] = "sk_msg",
	[BPF_PROG_TYPE_RAW_TRACEPOINT] = "raw_tracepoint",
	[BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = "cgroup_sock_addr",
	[BPF_PROG_TYPE_LWT_SEG6LOCAL] = "lwt_seg6local",
	[BPF_PROG_TYPE_LIRC_MODE2] = "lirc_mode2",
	[BPF_PROG_TYPE_SK_REUSEPORT] = "sk_reuseport",
	[BPF_PROG_TYPE_FLOW_DISSECTOR] = "flow_dissector",
	[BPF_PROG_TYPE_CGROUP_SYSCTL] = "cgroup_sysctl",
	[BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE] = "raw_tracepoint_writable",
	[BPF_PROG_TYPE_CGROUP_SOCKOPT] = "cgroup_sockopt",
	[BPF_PROG_TYPE_TRACING] = "tracing",
	[BPF_PROG_TYPE_STRUCT_OPS] = "struct_ops",
	[BPF_PROG_TYPE_EXT] = "ext",
	[BPF_PROG_TYPE_LSM] = "lsm",
	[BPF_PROG_TYPE_SK_LOOKUP] = "sk_lookup",
	[BPF_PROG_TYPE_SYSCALL] = "syscall",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *type_name(const char *const *names, size_t n, __u32 type)
{
	return type < n && names[type] ? names[type] : "unknown";
}

static int type_by_name(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

/* ---- output ---- */

/* An error: "Error: ..." on the error stream, or {"error": ...} in json. */
__attribute__((format(printf, 2, 3)))
static int fail(struct kbpftool *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t->json) {
		const char *p;

		fputs("{\"error\":\"", t->out);
		for (p = msg; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', t->out);
			fputc(*p, t->out);
		}
		fputs("\"}\n", t->out);
	} else {
		fprintf(t->err, "Error: %s\n", msg);
	}
	return 1;
}

/* What a person can do about the errors most often met. */
static const char *hint(const struct kbpftool *t, int no)
{
	bool kbpf = t->sys == abpf_sys_kbpf();

	switch (no) {
	case ENODEV:
		return kbpf ? " (no /dev/kbpf: is kbpf.ko loaded? insmod kmod/kbpf.ko)" : "";
	case ENOENT:
		return kbpf && access("/dev/kbpf", F_OK) ? " (no /dev/kbpf: is kbpf.ko loaded?)" : "";
	case EACCES:
		return kbpf ? " (/dev/kbpf is 0600 root unless dev_mode= or the udev rule says otherwise)"
			    : "";
	case EPERM:
		return " (maps and programs need CAP_BPF or CAP_SYS_ADMIN, ids and tracing "
		       "CAP_SYS_ADMIN or CAP_PERFMON: run as root)";
	case E2BIG:
		return kbpf ? " (a full map, or past kbpf's max_objects)" : "";
	case ENOMEM:
		return kbpf ? " (past kbpf's max_memory? see kbpftool kbpf show memory)" : "";
	default:
		return "";
	}
}

static int fail_err(struct kbpftool *t, const char *what, abpf_errno err)
{
	return fail(t, "%s: %s%s", what, abpf_strerror(err), hint(t, err.no));
}

static void json_string(struct kbpftool *t, const char *s)
{
	fputc('"', t->out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', t->out);
		if ((unsigned char)*s < 0x20)
			fprintf(t->out, "\\u%04x", *s);
		else
			fputc(*s, t->out);
	}
	fputc('"', t->out);
}

/* Bytes as bpftool prints them: "01 02" in text, ["0x01","0x02"] in json. */
static void print_bytes(struct kbpftool *t, const unsigned char *p, size_t n)
{
	size_t i;

	if (t->json) {
		fputc('[', t->out);
		for (i = 0; i < n; i++)
			fprintf(t->out, "%s\"0x%02x\"", i ? "," : "", p[i]);
		fputc(']', t->out);
		return;
	}
	for (i = 0; i < n; i++)
		fprintf(t->out, "%s%02x", i ? " " : "", p[i]);
}

/* ---- arguments ---- */

struct args {
	int argc;
	char **argv;
};

static const char *peek(struct args *a)
{
	return a->argc > 0 ? a->argv[0] : NULL;
}

static const char *next(struct args *a)
{
	if (a->argc <= 0)
		return NULL;
	a->argc--;
	return *a->argv++;
}

static bool is(struct args *a, const char *word)
{
	if (!peek(a) || strcmp(peek(a), word))
		return false;
	next(a);
	return true;
}

static bool parse_u64(const char *s, unsigned long long *v)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

static bool parse_u32(const char *s, __u32 *v)
{
	unsigned long long x;

	if (!parse_u64(s, &x) || x > UINT32_MAX)
		return false;
	*v = (__u32)x;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * @n bytes, as bpftool reads them: one number (0x.., decimal) per byte,
 * or after "hex" hex digits, one or more bytes a word.
 */
static int parse_bytes(struct kbpftool *t, struct args *a, const char *what,
		       unsigned char *buf, size_t n)
{
	bool hex = is(a, "hex");
	size_t got = 0;

	while (got < n) {
		const char *s = next(a);
		unsigned long long v;

		if (!s)
			return fail(t, "%s: %zu bytes needed, %zu given", what, n, got);
		if (hex) {
			size_t len = strlen(s), i;

			if (len % 2)
				return fail(t, "%s: odd hex digits in '%s'", what, s);
			for (i = 0; i < len; i += 2) {
				int hi = hexval(s[i]), lo = hexval(s[i + 1]);

				if (hi < 0 || lo < 0 || got >= n)
					return fail(t, "%s: bad or too many bytes at '%s'",
						    what, s);
				buf[got++] = (unsigned char)(hi << 4 | lo);
			}
			continue;
		}
		if (!parse_u64(s, &v) || v > 255)
			return fail(t, "%s: '%s' is not a byte", what, s);
		buf[got++] = (unsigned char)v;
	}
	return 0;
}

/*
 * [hex] BYTES up to the next word that is not a byte (or the end), at
 * most @cap: prog run's ctx, whose size the program decides.
 */
static int parse_bytes_until_word(struct kbpftool *t, struct args *a,
				  const char *what, unsigned char *buf,
				  size_t cap, size_t *n)
{
	bool hex = is(a, "hex");
	size_t i;

	*n = 0;
	while (peek(a)) {
		const char *s = peek(a);
		unsigned long long v;
		size_t len = strlen(s);

		if (hex) {
			for (i = 0; i < len && hexval(s[i]) >= 0; i++)
				;
			if (i != len || len % 2)
				break;
			if (*n + len / 2 > cap)
				return fail(t, "%s: more than %zu bytes", what, cap);
			for (i = 0; i < len; i += 2)
				buf[(*n)++] = (unsigned char)(hexval(s[i]) << 4 |
							      hexval(s[i + 1]));
		} else {
			if (!parse_u64(s, &v) || v > 255)
				break;
			if (*n == cap)
				return fail(t, "%s: more than %zu bytes", what, cap);
			buf[(*n)++] = (unsigned char)v;
		}
		next(a);
	}
	return *n ? 0 : fail(t, "%s: bytes are needed", what);
}

/* ---- the backend and the objects the tool keeps ---- */

static int set_backend(struct kbpftool *t, const char *name)
{
	const struct abpf_sys *sys;
	struct abpf *h;

	if (!strcmp(name, "kbpf"))
		sys = abpf_sys_kbpf();
	else if (!strcmp(name, "kernel"))
		sys = abpf_sys_libc();
	else
		return fail(t, "unknown backend '%s' (kbpf or kernel)", name);
	if (sys == t->sys)
		return 0;
	if (!abpf_ok(abpf_open(sys, NULL, &h)))
		return fail(t, "cannot open the %s backend", name);
	abpf_unref(t->h);
	t->h = h;
	t->sys = sys;
	return 0;
}

#define KEEP(arr, n, obj)						\
	({								\
		__typeof__(arr) _p = realloc((arr), ((n) + 1) * sizeof(*(arr))); \
		bool _ok = _p != NULL;					\
		if (_ok) {						\
			(arr) = _p;					\
			(arr)[(n)++] = (obj);				\
		}							\
		_ok;							\
	})

static __u32 map_id(const struct abpf_map *map)
{
	struct bpf_map_info info;

	return abpf_ok(abpf_map_info(map, &info)) ? info.id : 0;
}

static __u32 prog_id(const struct abpf_prog *prog)
{
	struct bpf_prog_info info;

	return abpf_ok(abpf_prog_info(prog, &info, NULL)) ? info.id : 0;
}

/* A kept map of the current backend with this id, or NULL. */
static struct abpf_map *kept_map(struct kbpftool *t, __u32 id)
{
	size_t i;

	for (i = 0; i < t->nmaps; i++)
		if (abpf_sys(abpf_map_handle(t->maps[i])) == t->sys &&
		    map_id(t->maps[i]) == id)
			return t->maps[i];
	return NULL;
}

/*
 * MAP := id ID | pinned PATH | name NAME.  *@map is one the caller must
 * close with put_map() (kept maps are not closed).
 */
static int get_map(struct kbpftool *t, struct args *a, struct abpf_map **map)
{
	const char *how = next(a), *what = next(a);
	struct bpf_map_info info;
	abpf_errno err;
	__u32 id = 0, found = 0;
	size_t i;

	if (!how || !what)
		return fail(t, "a map is needed: id ID, pinned PATH or name NAME");
	if (!strcmp(how, "id")) {
		if (!parse_u32(what, &id))
			return fail(t, "map id '%s' is not a number", what);
		if ((*map = kept_map(t, id)))
			return 0;
		err = abpf_map_get_fd_by_id(t->h, id, map);
		return abpf_ok(err) ? 0 : fail_err(t, "map id", err);
	}
	if (!strcmp(how, "pinned")) {
		err = abpf_map_obj_get(t->h, what, map);
		return abpf_ok(err) ? 0 : fail_err(t, what, err);
	}
	if (strcmp(how, "name"))
		return fail(t, "a map is id ID, pinned PATH or name NAME, not '%s'", how);
	/* The tool's own maps first, then every map of the backend. */
	for (i = t->nmaps; i-- > 0;)
		if (abpf_sys(abpf_map_handle(t->maps[i])) == t->sys &&
		    abpf_ok(abpf_map_info(t->maps[i], &info)) &&
		    !strcmp(info.name, what)) {
			*map = t->maps[i];
			return 0;
		}
	while (abpf_ok(abpf_map_get_next_id(t->h, id, &id))) {
		struct abpf_map *m;

		if (!abpf_ok(abpf_map_get_fd_by_id(t->h, id, &m)))
			continue;
		if (abpf_ok(abpf_map_info(m, &info)) && !strcmp(info.name, what)) {
			if (found) {
				abpf_map_close(m);
				abpf_map_close(*map);
				return fail(t, "several maps are named '%s': use id", what);
			}
			found = id;
			*map = m;
		} else {
			abpf_map_close(m);
		}
	}
	return found ? 0 : fail(t, "no map named '%s'", what);
}

static void put_map(struct kbpftool *t, struct abpf_map *map)
{
	size_t i;

	for (i = 0; i < t->nmaps; i++)
		if (t->maps[i] == map)
			return;
	abpf_map_close(map);
}

static struct abpf_prog *kept_prog(struct kbpftool *t, __u32 id, const char *name)
{
	struct bpf_prog_info info;
	size_t i;

	for (i = t->nprogs; i-- > 0;) {
		if (abpf_sys(abpf_prog_handle(t->progs[i])) != t->sys)
			continue;
		if (!abpf_ok(abpf_prog_info(t->progs[i], &info, NULL)))
			continue;
		if ((name && !strcmp(info.name, name)) || (!name && info.id == id))
			return t->progs[i];
	}
	return NULL;
}

/* PROG := id ID | pinned PATH | name NAME, as get_map(). */
static int get_prog(struct kbpftool *t, struct args *a, struct abpf_prog **prog)
{
	const char *how = next(a), *what = next(a);
	struct bpf_prog_info info;
	abpf_errno err;
	__u32 id = 0, found = 0;

	if (!how || !what)
		return fail(t, "a program is needed: id ID, pinned PATH or name NAME");
	if (!strcmp(how, "id")) {
		if (!parse_u32(what, &id))
			return fail(t, "program id '%s' is not a number", what);
		if ((*prog = kept_prog(t, id, NULL)))
			return 0;
		err = abpf_prog_get_fd_by_id(t->h, id, prog);
		return abpf_ok(err) ? 0 : fail_err(t, "program id", err);
	}
	if (!strcmp(how, "pinned")) {
		err = abpf_prog_obj_get(t->h, what, prog);
		return abpf_ok(err) ? 0 : fail_err(t, what, err);
	}
	if (strcmp(how, "name"))
		return fail(t, "a program is id ID, pinned PATH or name NAME, not '%s'",
			    how);
	if ((*prog = kept_prog(t, 0, what)))
		return 0;
	while (abpf_ok(abpf_prog_get_next_id(t->h, id, &id))) {
		struct abpf_prog *p;

		if (!abpf_ok(abpf_prog_get_fd_by_id(t->h, id, &p)))
			continue;
		if (abpf_ok(abpf_prog_info(p, &info, NULL)) && !strcmp(info.name, what)) {
			if (found) {
				abpf_prog_close(p);
				abpf_prog_close(*prog);
				return fail(t, "several programs are named '%s': use id",
					    what);
			}
			found = id;
			*prog = p;
		} else {
			abpf_prog_close(p);
		}
	}
	return found ? 0 : fail(t, "no program named '%s'", what);
}

static void put_prog(struct kbpftool *t, struct abpf_prog *prog)
{
	size_t i;

	for (i = 0; i < t->nprogs; i++)
		if (t->progs[i] == prog)
			return;
	abpf_prog_close(prog);
}

/* ---- map commands ---- */

static void show_map_info(struct kbpftool *t, const struct bpf_map_info *info)
{
	const char *type = type_name(map_types, ARRAY_LEN(map_types), info->type);

	if (t->json) {
		fprintf(t->out, "{\"id\":%u,\"type\":\"%s\",\"name\":", info->id, type);
		json_string(t, info->name);
		fprintf(t->out, ",\"flags\":%u,\"bytes_key\":%u,\"bytes_value\":%u,"
			"\"max_entries\":%u}", info->map_flags, info->key_size,
			info->value_size, info->max_entries);
		return;
	}
	fprintf(t->out, "%u: %s  name %s  flags 0x%x\n\tkey %uB  value %uB  "
		"max_entries %u\n", info->id, type, info->name, info->map_flags,
		info->key_size, info->value_size, info->max_entries);
}

static int map_list(struct kbpftool *t)
{
	struct bpf_map_info info;
	abpf_errno err;
	__u32 id = 0;
	bool first = true;

	/* The first id, before any output: a backend that fails says only that. */
	err = abpf_map_get_next_id(t->h, 0, &id);
	if (!abpf_ok(err) && err.no != ENOENT)
		return fail_err(t, "map list", err);
	if (t->json)
		fputc('[', t->out);
	for (; abpf_ok(err); err = abpf_map_get_next_id(t->h, id, &id)) {
		struct abpf_map *m;

		if (!abpf_ok(abpf_map_get_fd_by_id(t->h, id, &m)))
			continue;	/* gone meanwhile */
		if (abpf_ok(abpf_map_info(m, &info))) {
			if (t->json && !first)
				fputc(',', t->out);
			show_map_info(t, &info);
			first = false;
		}
		abpf_map_close(m);
	}
	if (t->json)
		fputs("]\n", t->out);
	if (err.no != ENOENT)
		return fail_err(t, "map list", err);
	return 0;
}

static int map_show(struct kbpftool *t, struct args *a)
{
	struct bpf_map_info info;
	struct abpf_map *map;
	abpf_errno err;

	if (!peek(a))
		return map_list(t);
	if (get_map(t, a, &map))
		return 1;
	err = abpf_map_info(map, &info);
	put_map(t, map);
	if (!abpf_ok(err))
		return fail_err(t, "map show", err);
	show_map_info(t, &info);
	if (t->json)
		fputc('\n', t->out);
	return 0;
}

static int map_create(struct kbpftool *t, struct args *a)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	const char *path = NULL, *name = NULL, *w;
	__u32 key = 0, value = 0, entries = 0, flags = 0;
	int type = -1;
	struct abpf_map *map;
	abpf_errno err;

	if (peek(a) && strcmp(peek(a), "type"))
		path = next(a);
	while ((w = next(a))) {
		const char *v = next(a);

		if (!v)
			return fail(t, "map create: '%s' needs a value", w);
		if (!strcmp(w, "type")) {
			type = type_by_name(map_types, ARRAY_LEN(map_types), v);
			if (type < 0)
				return fail(t, "unknown map type '%s' (array, percpu_array, "
					    "perf_event_array, hash, percpu_hash, lru_hash, "
					    "lru_percpu_hash, queue, stack, ringbuf, ...)", v);
		} else if (!strcmp(w, "key")) {
			if (!parse_u32(v, &key))
				return fail(t, "map create: key '%s' is not a size in bytes", v);
		} else if (!strcmp(w, "value")) {
			if (!parse_u32(v, &value))
				return fail(t, "map create: value '%s' is not a size in bytes", v);
		} else if (!strcmp(w, "entries")) {
			if (!parse_u32(v, &entries))
				return fail(t, "map create: entries '%s' is not a number", v);
		} else if (!strcmp(w, "flags")) {
			if (!parse_u32(v, &flags))
				return fail(t, "map create: flags '%s' is not a number (the "
					    "map_flags word, e.g. 0x1 for BPF_F_NO_PREALLOC)", v);
		} else if (!strcmp(w, "name")) {
			name = v;
		} else {
			return fail(t, "map create: unknown '%s'", w);
		}
	}
	if (type < 0)
		return fail(t, "map create: type TYPE is needed");
	opts.map_flags = flags;
	err = abpf_map_create(t->h, type, name, key, value, entries, &opts, &map);
	if (!abpf_ok(err))
		return fail_err(t, "map create", err);
	if (path) {
		err = abpf_map_pin(map, path);
		if (!abpf_ok(err)) {
			abpf_map_close(map);
			return fail_err(t, path, err);
		}
	}
	if (!KEEP(t->maps, t->nmaps, map)) {
		abpf_map_close(map);
		return fail(t, "out of memory");
	}
	if (t->json)
		fprintf(t->out, "{\"id\":%u}\n", map_id(map));
	else
		fprintf(t->out, "id %u\n", map_id(map));
	if (!path && !t->batch && t->sys == abpf_sys_kbpf())
		fprintf(t->err, "Note: kbpf has no bpffs: the map goes when kbpftool "
			"exits; use 'kbpftool batch file FILE'\n");
	return 0;
}

static unsigned int ncpus(struct kbpftool *t)
{
	unsigned int n = 1;

	abpf_num_possible_cpus(t->h, &n);
	return n;
}

static bool is_percpu(const struct abpf_map *map)
{
	return abpf_map_value_buf_size(map) != abpf_map_value_size(map) ||
	       abpf_map_type(map) == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       abpf_map_type(map) == BPF_MAP_TYPE_PERCPU_HASH ||
	       abpf_map_type(map) == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool is_keyless(const struct abpf_map *map)
{
	return abpf_map_type(map) == BPF_MAP_TYPE_QUEUE ||
	       abpf_map_type(map) == BPF_MAP_TYPE_STACK;
}

/* One element, as dump and lookup print it. */
static void print_elem(struct kbpftool *t, const struct abpf_map *map,
		       const unsigned char *key, const unsigned char *value)
{
	size_t ks = abpf_map_key_size(map), vs = abpf_map_value_size(map);
	size_t slot = (vs + 7) & ~(size_t)7;
	unsigned int c, n = ncpus(t);

	if (t->json) {
		fputc('{', t->out);
		if (!is_keyless(map)) {
			fputs("\"key\":", t->out);
			print_bytes(t, key, ks);
			fputc(',', t->out);
		}
		if (is_percpu(map)) {
			fputs("\"values\":[", t->out);
			for (c = 0; c < n; c++) {
				fprintf(t->out, "%s{\"cpu\":%u,\"value\":", c ? "," : "", c);
				print_bytes(t, value + c * slot, vs);
				fputc('}', t->out);
			}
			fputs("]}", t->out);
		} else {
			fputs("\"value\":", t->out);
			print_bytes(t, value, vs);
			fputc('}', t->out);
		}
		return;
	}
	if (!is_keyless(map)) {
		fputs("key: ", t->out);
		print_bytes(t, key, ks);
		fputs(is_percpu(map) ? "\n" : "  ", t->out);
	}
	if (is_percpu(map)) {
		for (c = 0; c < n; c++) {
			fprintf(t->out, "value (CPU %02u): ", c);
			print_bytes(t, value + c * slot, vs);
			fputc('\n', t->out);
		}
		return;
	}
	fputs("value: ", t->out);
	print_bytes(t, value, vs);
	fputc('\n', t->out);
}

static void begin_list(struct kbpftool *t)
{
	t->nrec = 0;
	if (t->json)
		fputc('[', t->out);
}

static void list_sep(struct kbpftool *t)
{
	if (t->json && t->nrec)
		fputc(',', t->out);
	t->nrec++;
}

static void end_list(struct kbpftool *t)
{
	if (t->json)
		fputs("]\n", t->out);
	else
		fprintf(t->out, "Found %zu element%s\n", t->nrec, t->nrec == 1 ? "" : "s");
}

/* Keyed maps: walk the keys, look each one up. */
static int dump_keyed(struct kbpftool *t, struct abpf_map *map)
{
	size_t ks = abpf_map_key_size(map), vb = abpf_map_value_buf_size(map);
	unsigned char *key = calloc(1, ks + 1), *nkey = calloc(1, ks + 1);
	unsigned char *value = calloc(1, vb + 1);
	abpf_errno err;
	bool first = true;
	int ret = 0;

	if (!key || !nkey || !value) {
		ret = fail(t, "out of memory");
		goto out;
	}
	begin_list(t);
	while (abpf_ok(err = abpf_map_get_next_key(map, first ? NULL : key, nkey, ks))) {
		first = false;
		memcpy(key, nkey, ks);
		err = abpf_map_lookup(map, key, ks, value, vb, 0);
		if (err.no == ENOENT)
			continue;	/* deleted meanwhile */
		if (!abpf_ok(err)) {
			if (t->json)
				fputs("]\n", t->out);
			ret = fail_err(t, "map dump: lookup", err);
			goto out;
		}
		list_sep(t);
		print_elem(t, map, key, value);
		if (!t->json)
			continue;
	}
	if (err.no != ENOENT) {
		if (t->json)
			fputs("]\n", t->out);
		ret = fail_err(t, "map dump", err);
		goto out;
	}
	end_list(t);
out:
	free(key);
	free(nkey);
	free(value);
	return ret;
}

/*
 * Queues and stacks show their elements only by popping them: pop every
 * one, print them head first, and push them back in their order.
 */
static int dump_keyless(struct kbpftool *t, struct abpf_map *map)
{
	size_t vs = abpf_map_value_size(map), n = 0, i;
	unsigned char *vals = malloc(vs * (abpf_map_max_entries(map) + 1));
	bool stack = abpf_map_type(map) == BPF_MAP_TYPE_STACK;
	abpf_errno err;

	if (!vals)
		return fail(t, "out of memory");
	while (n < abpf_map_max_entries(map) &&
	       abpf_ok(err = abpf_map_lookup_and_delete(map, NULL, 0, vals + n * vs, vs)))
		n++;
	if (n < abpf_map_max_entries(map) && err.no != ENOENT)
		fprintf(t->err, "Warning: map dump: pop: %s\n", abpf_strerror(err));
	/* A queue gets them back oldest first, a stack deepest first. */
	for (i = 0; i < n; i++) {
		size_t j = stack ? n - 1 - i : i;

		err = abpf_map_update(map, NULL, 0, vals + j * vs, vs, BPF_ANY);
		if (!abpf_ok(err))
			fprintf(t->err, "Warning: map dump: push back: %s\n",
				abpf_strerror(err));
	}
	begin_list(t);
	for (i = 0; i < n; i++) {
		list_sep(t);
		print_elem(t, map, NULL, vals + i * vs);
	}
	end_list(t);
	free(vals);
	return 0;
}

static int print_record(void *ctx, void *data, size_t size)
{
	struct kbpftool *t = ctx;

	list_sep(t);
	if (t->json) {
		fputs("{\"record\":", t->out);
		print_bytes(t, data, size);
		fputc('}', t->out);
	} else {
		fputs("record: ", t->out);
		print_bytes(t, data, (__u32)size);
		fputc('\n', t->out);
	}
	return 0;
}

/* A ring buffer: read (and so consume) the records it holds. */
static int dump_ringbuf(struct kbpftool *t, struct abpf_map *map)
{
	struct abpf_ringbuf *rb;
	abpf_errno err;

	err = abpf_ringbuf_new(map, print_record, t, NULL, &rb);
	if (!abpf_ok(err))
		return fail_err(t, "map dump: ring buffer", err);
	begin_list(t);
	err = abpf_ringbuf_consume(rb, NULL);
	abpf_ringbuf_free(rb);
	if (!abpf_ok(err)) {
		if (t->json)
			fputs("]\n", t->out);
		return fail_err(t, "map dump: ring buffer", err);
	}
	end_list(t);
	return 0;
}

static void print_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct kbpftool *t = ctx;

	list_sep(t);
	if (t->json) {
		fprintf(t->out, "{\"cpu\":%d,\"data\":", cpu);
		print_bytes(t, data, size);
		fputc('}', t->out);
	} else {
		fprintf(t->out, "CPU: %d  data: ", cpu);
		print_bytes(t, data, size);
		fputc('\n', t->out);
	}
}

static void print_lost(void *ctx, int cpu, __u64 lost)
{
	struct kbpftool *t = ctx;

	list_sep(t);
	if (t->json)
		fprintf(t->out, "{\"cpu\":%d,\"lost\":%llu}", cpu,
			(unsigned long long)lost);
	else
		fprintf(t->out, "CPU: %d  lost %llu samples\n", cpu,
			(unsigned long long)lost);
}

static struct pipe *find_pipe(struct kbpftool *t, struct abpf_map *map)
{
	__u32 id = map_id(map);
	size_t i;

	for (i = 0; i < t->npipes; i++)
		if (abpf_sys(abpf_map_handle(t->pipes[i].map)) == t->sys &&
		    map_id(t->pipes[i].map) == id)
			return &t->pipes[i];
	return NULL;
}

/* A PERF_EVENT_ARRAY: the samples its event_pipe holds. */
static int dump_pipe(struct kbpftool *t, struct abpf_map *map)
{
	struct pipe *p = find_pipe(t, map);
	abpf_errno err;

	if (!p)
		return fail(t, "map dump: no event_pipe reads this perf event array "
			    "(see 'map event_pipe')");
	begin_list(t);
	err = abpf_perfbuf_consume(p->pb, NULL);
	if (!abpf_ok(err)) {
		if (t->json)
			fputs("]\n", t->out);
		return fail_err(t, "map dump", err);
	}
	end_list(t);
	return 0;
}

static int map_dump(struct kbpftool *t, struct args *a)
{
	struct abpf_map *map;
	int ret;

	if (get_map(t, a, &map))
		return 1;
	switch (abpf_map_type(map)) {
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		ret = dump_keyless(t, map);
		break;
	case BPF_MAP_TYPE_RINGBUF:
		ret = dump_ringbuf(t, map);
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		ret = dump_pipe(t, map);
		break;
	default:
		ret = dump_keyed(t, map);
	}
	put_map(t, map);
	return ret;
}

static int map_lookup(struct kbpftool *t, struct args *a)
{
	struct abpf_map *map;
	unsigned char *key = NULL, *value = NULL;
	size_t ks, vb;
	abpf_errno err;
	int ret = 1;

	if (get_map(t, a, &map))
		return 1;
	ks = abpf_map_key_size(map);
	vb = abpf_map_value_buf_size(map);
	key = calloc(1, ks + 1);
	value = calloc(1, vb + 1);
	if (!key || !value) {
		fail(t, "out of memory");
		goto out;
	}
	if (!is_keyless(map)) {
		if (!is(a, "key")) {
			fail(t, "map lookup: key BYTES is needed");
			goto out;
		}
		if (parse_bytes(t, a, "key", key, ks))
			goto out;
	}
	err = abpf_map_lookup(map, is_keyless(map) ? NULL : key, ks, value, vb, 0);
	if (!abpf_ok(err)) {
		fail_err(t, "map lookup", err);
		goto out;
	}
	print_elem(t, map, key, value);
	if (t->json)
		fputc('\n', t->out);
	ret = 0;
out:
	free(key);
	free(value);
	put_map(t, map);
	return ret;
}

static int map_update(struct kbpftool *t, struct args *a)
{
	struct abpf_map *map;
	unsigned char *key = NULL, *value = NULL;
	size_t ks, vs, vb, c;
	__u64 flags = BPF_ANY;
	abpf_errno err;
	int ret = 1;

	if (get_map(t, a, &map))
		return 1;
	ks = abpf_map_key_size(map);
	vs = abpf_map_value_size(map);
	vb = abpf_map_value_buf_size(map);
	key = calloc(1, ks + 1);
	value = calloc(1, vb + 1);
	if (!key || !value) {
		fail(t, "out of memory");
		goto out;
	}
	if (!is_keyless(map)) {
		if (!is(a, "key")) {
			fail(t, "map update: key BYTES is needed");
			goto out;
		}
		if (parse_bytes(t, a, "key", key, ks))
			goto out;
	}
	if (!is(a, "value")) {
		fail(t, "map update: value BYTES is needed");
		goto out;
	}
	if (parse_bytes(t, a, "value", value, vs))
		goto out;
	/* A per-CPU map gets the value on every CPU, as bpftool does. */
	if (is_percpu(map))
		for (c = 1; c < ncpus(t); c++)
			memcpy(value + c * ((vs + 7) & ~(size_t)7), value, vs);
	if (is(a, "noexist"))
		flags = BPF_NOEXIST;
	else if (is(a, "exist"))
		flags = BPF_EXIST;
	else
		is(a, "any");
	if (peek(a)) {
		fail(t, "map update: unknown '%s'", peek(a));
		goto out;
	}
	err = abpf_map_update(map, is_keyless(map) ? NULL : key, ks, value, vb, flags);
	if (!abpf_ok(err)) {
		fail_err(t, "map update", err);
		goto out;
	}
	ret = 0;
out:
	free(key);
	free(value);
	put_map(t, map);
	return ret;
}

static int map_delete(struct kbpftool *t, struct args *a)
{
	struct abpf_map *map;
	unsigned char *key;
	abpf_errno err;
	size_t ks;
	int ret = 1;

	if (get_map(t, a, &map))
		return 1;
	ks = abpf_map_key_size(map);
	key = calloc(1, ks + 1);
	if (!key)
		goto out;
	if (!is(a, "key")) {
		fail(t, "map delete: key BYTES is needed");
		goto out;
	}
	if (parse_bytes(t, a, "key", key, ks))
		goto out;
	err = abpf_map_delete(map, key, ks);
	if (!abpf_ok(err)) {
		fail_err(t, "map delete", err);
		goto out;
	}
	ret = 0;
out:
	free(key);
	put_map(t, map);
	return ret;
}

/* push MAP value BYTES, pop MAP, peek MAP: queues and stacks. */
static int map_queue_op(struct kbpftool *t, struct args *a, const char *op)
{
	struct abpf_map *map;
	unsigned char *value;
	abpf_errno err;
	size_t vs;
	int ret = 1;

	if (get_map(t, a, &map))
		return 1;
	vs = abpf_map_value_size(map);
	value = calloc(1, vs + 1);
	if (!value)
		goto out;
	if (!strcmp(op, "push")) {
		if (!is(a, "value") || parse_bytes(t, a, "value", value, vs)) {
			if (!t->json)
				fprintf(t->err, "usage: map push MAP value BYTES\n");
			goto out;
		}
		err = abpf_map_update(map, NULL, 0, value, vs, BPF_ANY);
	} else if (!strcmp(op, "pop")) {
		err = abpf_map_lookup_and_delete(map, NULL, 0, value, vs);
	} else {
		err = abpf_map_lookup(map, NULL, 0, value, vs, 0);
	}
	if (!abpf_ok(err)) {
		fail_err(t, op, err);
		goto out;
	}
	if (strcmp(op, "push")) {
		print_elem(t, map, NULL, value);
		if (t->json)
			fputc('\n', t->out);
	}
	ret = 0;
out:
	free(value);
	put_map(t, map);
	return ret;
}

static int map_pin(struct kbpftool *t, struct args *a)
{
	struct abpf_map *map;
	const char *path;
	abpf_errno err;

	if (get_map(t, a, &map))
		return 1;
	path = next(a);
	if (!path) {
		put_map(t, map);
		return fail(t, "map pin: PATH is needed");
	}
	err = abpf_map_pin(map, path);
	put_map(t, map);
	return abpf_ok(err) ? 0 : fail_err(t, path, err);
}

static int map_close(struct kbpftool *t, struct args *a)
{
	struct abpf_map *map;
	size_t i;

	if (get_map(t, a, &map))
		return 1;
	for (i = 0; i < t->npipes; i++)
		if (t->pipes[i].map == map) {
			abpf_perfbuf_free(t->pipes[i].pb);
			t->pipes[i] = t->pipes[--t->npipes];
			break;
		}
	for (i = 0; i < t->nmaps; i++)
		if (t->maps[i] == map) {
			t->maps[i] = t->maps[--t->nmaps];
			abpf_map_close(map);
			return 0;
		}
	abpf_map_close(map);
	return fail(t, "map close: not a map this kbpftool made");
}

/*
 * event_pipe MAP [pages N] [count N] [timeout MS]: fill the perf event
 * array with one buffer per CPU (kept for the process), then print up to
 * count samples, waiting up to timeout for each (count 0: none yet).
 */
static int map_event_pipe(struct kbpftool *t, struct args *a)
{
	LIBBPF_OPTS(abpf_perfbuf_opts, opts);
	struct abpf_map *map;
	struct pipe *p;
	__u32 pages = 8, count = 0, timeout = 1000;
	const char *w;
	abpf_errno err;

	if (get_map(t, a, &map))
		return 1;
	while ((w = next(a))) {
		__u32 *v = !strcmp(w, "pages") ? &pages : !strcmp(w, "count") ? &count :
			   !strcmp(w, "timeout") ? &timeout : NULL;

		if (!v || !parse_u32(next(a), v)) {
			put_map(t, map);
			return fail(t, v ? "event_pipe: %s needs a number" :
				    "event_pipe: unknown '%s' (pages N, count N, timeout MS)", w);
		}
	}
	p = find_pipe(t, map);
	if (!p) {
		struct abpf_perfbuf *pb;
		struct pipe np;

		/* The buffers' entries live as long as the map fd that put them. */
		if (map != kept_map(t, map_id(map)) && !KEEP(t->maps, t->nmaps, map)) {
			put_map(t, map);
			return fail(t, "out of memory");
		}
		err = abpf_perfbuf_new(map, pages, print_sample, print_lost, t, &opts, &pb);
		if (!abpf_ok(err))
			return fail_err(t, "event_pipe", err);
		np.map = map;
		np.pb = pb;
		if (!KEEP(t->pipes, t->npipes, np)) {
			abpf_perfbuf_free(pb);
			return fail(t, "out of memory");
		}
		p = &t->pipes[t->npipes - 1];
	}
	begin_list(t);
	while (t->nrec < count) {
		size_t n = 0;

		err = abpf_perfbuf_poll(p->pb, (int)timeout, &n);
		if (!abpf_ok(err) && err.no != EINTR) {
			if (t->json)
				fputs("]\n", t->out);
			return fail_err(t, "event_pipe", err);
		}
		if (!n)
			break;
	}
	if (t->json)
		fputs("]\n", t->out);
	return 0;
}

static int do_map(struct kbpftool *t, struct args *a)
{
	const char *cmd = next(a);

	if (!cmd || !strcmp(cmd, "help"))
		return fail(t, "map { create | list | show | dump | lookup | update | "
			    "delete | push | pop | peek | pin | event_pipe | close }");
	if (!strcmp(cmd, "create"))
		return map_create(t, a);
	if (!strcmp(cmd, "list"))
		return map_list(t);
	if (!strcmp(cmd, "show"))
		return map_show(t, a);
	if (!strcmp(cmd, "dump"))
		return map_dump(t, a);
	if (!strcmp(cmd, "lookup"))
		return map_lookup(t, a);
	if (!strcmp(cmd, "update"))
		return map_update(t, a);
	if (!strcmp(cmd, "delete"))
		return map_delete(t, a);
	if (!strcmp(cmd, "push") || !strcmp(cmd, "pop") || !strcmp(cmd, "peek"))
		return map_queue_op(t, a, cmd);
	if (!strcmp(cmd, "pin"))
		return map_pin(t, a);
	if (!strcmp(cmd, "event_pipe"))
		return map_event_pipe(t, a);
	if (!strcmp(cmd, "close"))
		return map_close(t, a);
	return fail(t, "unknown map command '%s'", cmd);
}

/* ---- program commands ---- */

static void show_prog_info(struct kbpftool *t, const struct bpf_prog_info *info,
			   const __u32 *ids, __u32 nids)
{
	const char *type = type_name(prog_types, ARRAY_LEN(prog_types), info->type);
	__u32 i;

	if (t->json) {
		fprintf(t->out, "{\"id\":%u,\"type\":\"%s\",\"name\":", info->id, type);
		json_string(t, info->name);
		fputs(",\"tag\":\"", t->out);
		for (i = 0; i < sizeof(info->tag); i++)
			fprintf(t->out, "%02x", info->tag[i]);
		fputs("\",\"map_ids\":[", t->out);
		for (i = 0; i < nids; i++)
			fprintf(t->out, "%s%u", i ? "," : "", ids[i]);
		fputs("]}", t->out);
		return;
	}
	fprintf(t->out, "%u: %s  name %s  tag ", info->id, type, info->name);
	for (i = 0; i < sizeof(info->tag); i++)
		fprintf(t->out, "%02x", info->tag[i]);
	if (nids) {
		fputs("\n\tmap_ids ", t->out);
		for (i = 0; i < nids; i++)
			fprintf(t->out, "%s%u", i ? "," : "", ids[i]);
	}
	fputc('\n', t->out);
}

static int show_prog(struct kbpftool *t, struct abpf_prog *prog, bool *first)
{
	__u32 ids[64];
	LIBBPF_OPTS(abpf_prog_out, out, .nr_map_ids = 64, .map_ids = ids);
	struct bpf_prog_info info;
	abpf_errno err = abpf_prog_info(prog, &info, &out);

	if (!abpf_ok(err))
		return fail_err(t, "prog show", err);
	if (t->json && first && !*first)
		fputc(',', t->out);
	if (first)
		*first = false;
	show_prog_info(t, &info, ids, info.nr_map_ids < 64 ? info.nr_map_ids : 64);
	return 0;
}

static int prog_list(struct kbpftool *t)
{
	abpf_errno err;
	__u32 id = 0;
	bool first = true;

	/* The first id, before any output: a backend that fails says only that. */
	err = abpf_prog_get_next_id(t->h, 0, &id);
	if (!abpf_ok(err) && err.no != ENOENT)
		return fail_err(t, "prog list", err);
	if (t->json)
		fputc('[', t->out);
	for (; abpf_ok(err); err = abpf_prog_get_next_id(t->h, id, &id)) {
		struct abpf_prog *p;

		if (!abpf_ok(abpf_prog_get_fd_by_id(t->h, id, &p)))
			continue;
		show_prog(t, p, &first);
		abpf_prog_close(p);
	}
	if (t->json)
		fputs("]\n", t->out);
	if (err.no != ENOENT)
		return fail_err(t, "prog list", err);
	return 0;
}

static int prog_show(struct kbpftool *t, struct args *a)
{
	struct abpf_prog *prog;
	int ret;

	if (!peek(a))
		return prog_list(t);
	if (get_prog(t, a, &prog))
		return 1;
	ret = show_prog(t, prog, NULL);
	if (!ret && t->json)
		fputc('\n', t->out);
	put_prog(t, prog);
	return ret;
}

/* A whole file into memory; NULL with errno set. */
static void *read_all(const char *path, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	size_t cap = 4096, n = 0;
	unsigned char *buf = NULL, *p;
	ssize_t r;

	if (fd < 0)
		return NULL;
	for (;;) {
		p = realloc(buf, cap);
		if (!p)
			break;
		buf = p;
		r = read(fd, buf + n, cap - n);
		if (r < 0)
			break;
		if (!r) {
			if (fd)
				close(fd);
			*len = n;
			return buf;
		}
		n += (size_t)r;
		if (n == cap)
			cap *= 2;
	}
	if (fd)
		close(fd);
	free(buf);
	return NULL;
}

/*
 * load FILE type TYPE [name NAME] [license LICENSE] [map idx IDX MAP]...
 * [pinned PATH]: FILE holds raw struct bpf_insn; ld_imm64 instructions
 * of a map fd (src_reg BPF_PSEUDO_MAP_FD) whose imm is IDX get MAP's fd.
 * No ELF: object files are another tool's.
 */
static int prog_load(struct kbpftool *t, struct args *a)
{
	const char *file = next(a), *name = NULL, *license = "GPL", *pin = NULL, *w;
	struct { __u32 idx; struct abpf_map *map; } maps[16];
	size_t nmaps = 0, len = 0, i, j;
	static char log[65536];
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof(log));
	struct bpf_insn *insns = NULL;
	struct abpf_prog *prog;
	abpf_errno err;
	int type = -1, ret = 1;

	if (!file)
		return fail(t, "prog load: FILE is needed");
	while ((w = next(a))) {
		if (!strcmp(w, "map")) {
			if (nmaps == 16 || !is(a, "idx") ||
			    !parse_u32(next(a), &maps[nmaps].idx)) {
				fail(t, "prog load: map idx IDX MAP");
				goto out;
			}
			if (get_map(t, a, &maps[nmaps].map))
				goto out;
			nmaps++;
			continue;
		}
		if (!peek(a)) {
			fail(t, "prog load: '%s' needs a value", w);
			goto out;
		}
		if (!strcmp(w, "type")) {
			type = type_by_name(prog_types, ARRAY_LEN(prog_types), next(a));
		} else if (!strcmp(w, "name")) {
			name = next(a);
		} else if (!strcmp(w, "license")) {
			license = next(a);
		} else if (!strcmp(w, "pinned")) {
			pin = next(a);
		} else {
			fail(t, "prog load: unknown '%s'", w);
			goto out;
		}
	}
	if (type < 0) {
		fail(t, "prog load: type TYPE is needed (a known program type)");
		goto out;
	}
	insns = read_all(file, &len);
	if (!insns) {
		fail(t, "%s: %s", file, strerror(errno));
		goto out;
	}
	if (!len || len % sizeof(*insns)) {
		fail(t, "%s: not whole instructions (%zu bytes)", file, len);
		goto out;
	}
	for (i = 0; i < len / sizeof(*insns); i++) {
		if (insns[i].code != (BPF_LD | BPF_DW | BPF_IMM) ||
		    insns[i].src_reg != BPF_PSEUDO_MAP_FD)
			continue;
		for (j = 0; j < nmaps; j++)
			if ((__u32)insns[i].imm == maps[j].idx)
				break;
		if (j == nmaps) {
			fail(t, "prog load: instruction %zu uses map idx %d, not given",
			     i, insns[i].imm);
			goto out;
		}
		insns[i].imm = abpf_map_fd(maps[j].map);
	}
	log[0] = '\0';
	err = abpf_prog_load(t->h, type, name, license, insns, len / sizeof(*insns),
			     &opts, &prog);
	if (!abpf_ok(err)) {
		if (log[0] && !t->json)
			fprintf(t->err, "%s", log);
		fail_err(t, "prog load", err);
		goto out;
	}
	if (pin && !abpf_ok(err = abpf_prog_pin(prog, pin))) {
		abpf_prog_close(prog);
		fail_err(t, pin, err);
		goto out;
	}
	if (!KEEP(t->progs, t->nprogs, prog)) {
		abpf_prog_close(prog);
		fail(t, "out of memory");
		goto out;
	}
	if (t->json)
		fprintf(t->out, "{\"id\":%u}\n", prog_id(prog));
	else
		fprintf(t->out, "id %u\n", prog_id(prog));
	ret = 0;
out:
	for (i = 0; i < nmaps; i++)
		put_map(t, maps[i].map);
	free(insns);
	return ret;
}

/* run PROG [data_in FILE] [ctx_in FILE] [ctx BYTES...] [repeat N] [cpu N] */
static int prog_run(struct kbpftool *t, struct args *a)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct abpf_prog *prog;
	void *data = NULL, *ctx = NULL;
	static unsigned char data_out[65536], ctx_bytes[256];
	size_t len;
	const char *w;
	abpf_errno err;
	int ret = 1;

	if (get_prog(t, a, &prog))
		return 1;
	while ((w = next(a))) {
		__u32 v;

		if (!strcmp(w, "data_in") || !strcmp(w, "ctx_in")) {
			const char *f = next(a);
			void *buf = f ? read_all(f, &len) : NULL;

			if (!buf) {
				fail(t, "%s: %s", f ? f : w, f ? strerror(errno) : "FILE needed");
				goto out;
			}
			if (!strcmp(w, "data_in")) {
				free(data);
				data = buf;
				opts.data_in = data;
				opts.data_size_in = (__u32)len;
				opts.data_out = data_out;
				opts.data_size_out = sizeof(data_out);
			} else {
				free(ctx);
				ctx = buf;
				opts.ctx_in = ctx;
				opts.ctx_size_in = (__u32)len;
			}
		} else if (!strcmp(w, "ctx")) {
			size_t n;

			if (parse_bytes_until_word(t, a, "ctx", ctx_bytes,
						   sizeof(ctx_bytes), &n))
				goto out;
			opts.ctx_in = ctx_bytes;
			opts.ctx_size_in = (__u32)n;
		} else if (!strcmp(w, "repeat") && parse_u32(next(a), &v)) {
			opts.repeat = (int)v;
		} else if (!strcmp(w, "cpu") && parse_u32(next(a), &v)) {
			opts.flags |= BPF_F_TEST_RUN_ON_CPU;
			opts.cpu = v;
		} else {
			fail(t, strcmp(w, "repeat") && strcmp(w, "cpu") ?
				"prog run: unknown '%s' (data_in FILE, ctx_in FILE, ctx BYTES, "
				"repeat N, cpu N)" : "prog run: %s needs a number", w);
			goto out;
		}
	}
	err = abpf_prog_test_run(prog, &opts);
	if (!abpf_ok(err)) {
		fail_err(t, "prog run", err);
		goto out;
	}
	if (t->json)
		fprintf(t->out, "{\"retval\":%u,\"duration\":%u}\n", opts.retval,
			opts.duration);
	else
		fprintf(t->out, "Return value: %u, duration%s: %uns\n", opts.retval,
			opts.repeat > 1 ? " (average)" : "", opts.duration);
	ret = 0;
out:
	free(data);
	free(ctx);
	put_prog(t, prog);
	return ret;
}

/* xdp | xdpgeneric | xdpdrv | xdpoffload, as bpftool's net attach. */
static int xdp_mode(const char *s, __u32 *flags)
{
	if (!strcmp(s, "xdp"))
		*flags = 0;
	else if (!strcmp(s, "xdpgeneric"))
		*flags = XDP_FLAGS_SKB_MODE;
	else if (!strcmp(s, "xdpdrv"))
		*flags = XDP_FLAGS_DRV_MODE;
	else if (!strcmp(s, "xdpoffload"))
		*flags = XDP_FLAGS_HW_MODE;
	else
		return -1;
	return 0;
}

static int dev_index(struct kbpftool *t, struct args *a, int *ifindex)
{
	const char *dev;

	if (!is(a, "dev") || !(dev = next(a)))
		return fail(t, "dev NAME is needed");
	*ifindex = (int)if_nametoindex(dev);
	return *ifindex > 0 ? 0 : fail(t, "no interface '%s'", dev);
}

static int netlink_fail(struct kbpftool *t, const char *what, abpf_errno err)
{
	char ack[256];

	if (abpf_netlink_ext_ack(t->h, ack, sizeof(ack)))
		return fail(t, "%s: %s (%s)", what, abpf_strerror(err), ack);
	return fail_err(t, what, err);
}

/*
 * attach PROG xdp|xdpgeneric|xdpdrv|xdpoffload dev NAME [overwrite]
 * attach PROG raw_tp NAME   (until the process ends)
 */
static int prog_attach(struct kbpftool *t, struct args *a)
{
	struct abpf_prog *prog;
	const char *how;
	__u32 flags;
	abpf_errno err;
	int ifindex, ret = 1;

	if (get_prog(t, a, &prog))
		return 1;
	how = next(a);
	if (how && !strcmp(how, "raw_tp")) {
		struct abpf_link *link;
		const char *tp = next(a);

		if (!tp) {
			fail(t, "prog attach: raw_tp NAME");
			goto out;
		}
		err = abpf_raw_tracepoint_open(prog, tp, &link);
		if (!abpf_ok(err)) {
			fail_err(t, tp, err);
			goto out;
		}
		if (!KEEP(t->links, t->nlinks, link)) {
			abpf_link_close(link);
			fail(t, "out of memory");
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (!how || xdp_mode(how, &flags)) {
		fail(t, "prog attach: xdp|xdpgeneric|xdpdrv|xdpoffload dev NAME, or raw_tp NAME");
		goto out;
	}
	if (dev_index(t, a, &ifindex))
		goto out;
	if (!is(a, "overwrite"))
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	err = abpf_xdp_replace(t->h, ifindex, abpf_prog_fd(prog), -1, flags);
	if (!abpf_ok(err)) {
		netlink_fail(t, "prog attach", err);
		goto out;
	}
	ret = 0;
out:
	put_prog(t, prog);
	return ret;
}

/* detach xdp|xdpgeneric|xdpdrv|xdpoffload dev NAME */
static int prog_detach(struct kbpftool *t, struct args *a)
{
	const char *how = next(a);
	__u32 flags;
	abpf_errno err;
	int ifindex;

	if (!how || xdp_mode(how, &flags))
		return fail(t, "prog detach: xdp|xdpgeneric|xdpdrv|xdpoffload dev NAME");
	if (dev_index(t, a, &ifindex))
		return 1;
	err = abpf_xdp_replace(t->h, ifindex, -1, -1, flags);
	return abpf_ok(err) ? 0 : netlink_fail(t, "prog detach", err);
}

static int prog_pin(struct kbpftool *t, struct args *a)
{
	struct abpf_prog *prog;
	const char *path;
	abpf_errno err;

	if (get_prog(t, a, &prog))
		return 1;
	path = next(a);
	err = path ? abpf_prog_pin(prog, path) : (abpf_errno){ EINVAL };
	put_prog(t, prog);
	return abpf_ok(err) ? 0 : fail_err(t, path ? path : "prog pin PROG PATH", err);
}

static int do_prog(struct kbpftool *t, struct args *a)
{
	const char *cmd = next(a);

	if (!cmd || !strcmp(cmd, "help"))
		return fail(t, "prog { load | list | show | run | attach | detach | pin }");
	if (!strcmp(cmd, "load"))
		return prog_load(t, a);
	if (!strcmp(cmd, "list"))
		return prog_list(t);
	if (!strcmp(cmd, "show"))
		return prog_show(t, a);
	if (!strcmp(cmd, "run"))
		return prog_run(t, a);
	if (!strcmp(cmd, "attach"))
		return prog_attach(t, a);
	if (!strcmp(cmd, "detach"))
		return prog_detach(t, a);
	if (!strcmp(cmd, "pin"))
		return prog_pin(t, a);
	return fail(t, "unknown prog command '%s'", cmd);
}

/* ---- kbpf: the module's own view ---- */

static const char *map_type_name(unsigned long type)
{
	return type_name(map_types, ARRAY_LEN(map_types), type);
}

static const char *prog_type_name(unsigned long type)
{
	return type_name(prog_types, ARRAY_LEN(prog_types), type);
}

/* kbpf show [memory|maps|progs]: whatever the backend, the module's tables. */
static int kbpf_show(struct kbpftool *t, struct args *a)
{
	const struct kbpftool_kbpf_view v = {
		.out = t->out, .json = t->json,
		.map_type = map_type_name, .prog_type = prog_type_name,
	};
	const char *what;
	char err[512];

	if (!is(a, "show"))
		return fail(t, "kbpf show [memory|maps|progs]");
	what = next(a);
	if (peek(a))
		return fail(t, "kbpf show: unexpected '%s' after '%s'", peek(a), what);
	if (kbpftool_kbpf_show(&v, what, err, sizeof(err)))
		return fail(t, "%s", err);
	return 0;
}

/* ---- net ---- */

static const char *const xdp_modes[] = { "none", "driver", "generic", "offload",
					 "multi" };

/* net show dev NAME: XDP and the tc bpf filters of one interface. */
static int net_show(struct kbpftool *t, struct args *a)
{
	static const struct { const char *name; __u32 parent; } hooks[] = {
		{ "ingress", ABPF_TC_INGRESS }, { "egress", ABPF_TC_EGRESS },
	};
	struct abpf_tc_filter f[32];
	struct abpf_xdp_query q;
	abpf_errno err;
	size_t h, n, i;
	int ifindex;

	if (!is(a, "show") || dev_index(t, a, &ifindex))
		return fail(t, "net show dev NAME");
	err = abpf_xdp_query(t->h, ifindex, &q);
	if (!abpf_ok(err))
		return netlink_fail(t, "net show", err);
	if (t->json)
		fprintf(t->out, "{\"ifindex\":%d,\"xdp\":{\"mode\":\"%s\",\"prog_id\":%u,"
			"\"drv_prog_id\":%u,\"skb_prog_id\":%u,\"hw_prog_id\":%u},\"tc\":[",
			ifindex, q.attach_mode < 5 ? xdp_modes[q.attach_mode] : "?",
			q.prog_id, q.drv_prog_id, q.skb_prog_id, q.hw_prog_id);
	else
		fprintf(t->out, "xdp: %s  prog_id %u  drv %u  generic %u  offload %u\n",
			q.attach_mode < 5 ? xdp_modes[q.attach_mode] : "?", q.prog_id,
			q.drv_prog_id, q.skb_prog_id, q.hw_prog_id);
	t->nrec = 0;
	for (h = 0; h < ARRAY_LEN(hooks); h++) {
		err = abpf_tc_list_bpf(t->h, ifindex, hooks[h].parent, f, 32, &n);
		if (!abpf_ok(err)) {
			if (t->json)
				fputs("]}\n", t->out);
			return netlink_fail(t, "net show: tc", err);
		}
		for (i = 0; i < n && i < 32; i++) {
			list_sep(t);
			if (t->json) {
				fprintf(t->out, "{\"hook\":\"%s\",\"handle\":%u,\"prio\":%u,"
					"\"prog_id\":%u,\"name\":", hooks[h].name, f[i].handle,
					f[i].priority, f[i].prog_id);
				json_string(t, f[i].name);
				fputc('}', t->out);
			} else {
				fprintf(t->out, "tc %s: handle 0x%x prio %u  %s  id %u\n",
					hooks[h].name, f[i].handle, f[i].priority, f[i].name,
					f[i].prog_id);
			}
		}
	}
	if (t->json)
		fputs("]}\n", t->out);
	return 0;
}

/* ---- commands, batches ---- */

/* The synopsis of docs/man/kbpftool.8.md, the one source of both. */
static void usage(struct kbpftool *t)
{
	fputs(KBPFTOOL_USAGE, t->err);
}

static int run(struct kbpftool *t, struct args *a);

/* batch file FILE: one command a line, # comments; stops at the first error. */
static int batch(struct kbpftool *t, struct args *a)
{
	const char *path;
	char line[4096];
	FILE *f;
	int lineno = 0, ret = 0;
	bool was = t->batch;

	if (!is(a, "file") || !(path = next(a)))
		return fail(t, "batch file FILE");
	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f)
		return fail(t, "%s: %s", path, strerror(errno));
	t->batch = true;
	while (!ret && fgets(line, sizeof(line), f)) {
		char *argv[128], *s = line, *tok;
		struct args la = { 0, argv };

		lineno++;
		if ((tok = strchr(s, '#')))
			*tok = '\0';
		while ((tok = strtok(s, " \t\r\n")) && la.argc < 128) {
			argv[la.argc++] = tok;
			s = NULL;
		}
		if (!la.argc)
			continue;
		ret = run(t, &la);
		if (ret)
			fprintf(t->err, "Error: batch %s line %d failed\n", path, lineno);
	}
	if (f != stdin)
		fclose(f);
	t->batch = was;
	return ret;
}

static int run_cmd(struct kbpftool *t, struct args *a)
{
	const char *obj;
	int ret;

	while (peek(a) && peek(a)[0] == '-') {
		const char *o = next(a);

		if (!strcmp(o, "--json") || !strcmp(o, "-j")) {
			t->json = true;
			continue;
		} else if (!strcmp(o, "--backend") || !strcmp(o, "-B")) {
			if (!peek(a))
				return fail(t, "--backend needs kbpf or kernel");
			if (set_backend(t, next(a)))
				return 1;
		} else if (!strncmp(o, "--backend=", 10)) {
			if (set_backend(t, o + 10))
				return 1;
		} else if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			usage(t);
			return 0;
		} else {
			return fail(t, "unknown option '%s'", o);
		}
	}
	if (!t->h) {
		abpf_errno err = abpf_open(NULL, NULL, &t->h);

		if (!abpf_ok(err))
			return fail_err(t, "backend (ABPF_BACKEND?)", err);
		t->sys = abpf_sys(t->h);
	}
	obj = next(a);
	if (!obj) {
		usage(t);
		return 1;
	}
	if (!strcmp(obj, "map"))
		ret = do_map(t, a);
	else if (!strcmp(obj, "prog"))
		ret = do_prog(t, a);
	else if (!strcmp(obj, "net"))
		ret = net_show(t, a);
	else if (!strcmp(obj, "kbpf"))
		ret = kbpf_show(t, a);
	else if (!strcmp(obj, "batch"))
		ret = batch(t, a);
	else if (!strcmp(obj, "help"))
		return usage(t), 0;
	else
		ret = fail(t, "unknown object '%s' (map, prog, net, kbpf, batch)", obj);
	return ret;
}

/* --json is the command line's (a batch line's); the backend stays. */
static int run(struct kbpftool *t, struct args *a)
{
	bool json = t->json;
	int ret = run_cmd(t, a);

	fflush(t->out);
	t->json = json;
	return ret;
}

struct kbpftool *kbpftool_new(FILE *out, FILE *err)
{
	struct kbpftool *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->out = out;
	t->err = err;
	return t;
}

int kbpftool_cmd(struct kbpftool *t, int argc, char **argv)
{
	struct args a = { argc, argv };

	return run(t, &a);
}

void kbpftool_free(struct kbpftool *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->npipes; i++)
		abpf_perfbuf_free(t->pipes[i].pb);
	for (i = 0; i < t->nlinks; i++)
		abpf_link_close(t->links[i]);
	for (i = 0; i < t->nprogs; i++)
		abpf_prog_close(t->progs[i]);
	for (i = 0; i < t->nmaps; i++)
		abpf_map_close(t->maps[i]);
	free(t->pipes);
	free(t->links);
	free(t->progs);
	free(t->maps);
	abpf_unref(t->h);
	free(t);
}

int kbpftool_main(int argc, char **argv)
{
	struct kbpftool *t = kbpftool_new(stdout, stderr);
	int ret;

	if (!t)
		return 1;
	ret = kbpftool_cmd(t, argc, argv);
	kbpftool_free(t);
	return ret;
}
