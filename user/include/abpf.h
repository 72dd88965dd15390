/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libabpf's object API: abpfiff's API in C.
 *
 * A handle (struct abpf, abpfiff's ArcTable) holds a system table (struct
 * abpf_sys, <abpf/abpf.h>) and a reference count.  Every object made from
 * it (maps, programs, links, consumers) holds a reference to the handle,
 * makes every system call through its table, and closes its fds with the
 * table's close.  The handle also keeps one netlink socket, opened on its
 * first netlink call and closed with the handle.
 *
 * Errors are values of type abpf_errno (abpfiff's Errno): 0 for success,
 * else a positive errno value from the table's errno_location, or one of
 * libbpf's LIBBPF_ERRNO__* codes (4000 and up) where abpfiff uses them:
 * netlink replies that do not parse, come from another port or carry
 * another sequence number, and results a call cannot represent.  Calls
 * that make an object return it through their last argument, which is
 * untouched on failure.
 *
 * Backends: a handle on abpf_sys_libc() works on the kernel's objects, one
 * on abpf_sys_kbpf() on kbpf's.  The fds of one do not work in the other.
 * Netlink is the kernel's whatever the handle's table: XDP and tc attach
 * the kernel's programs only, and kbpf's program fds are refused there
 * (EINVAL, or EBADF).
 *
 * Threads: objects keep no mutable state besides what the kernel holds,
 * so different threads may use one object at once, except a consumer,
 * which one thread polls at a time.  A handle's netlink calls are
 * serialised by a lock in the handle.
 *
 * This header includes <abpf/abpf.h> (the system table) and <abpf/bpf.h>
 * (the libbpf-compatible calls, whose opts structs the calls here take).
 */
#ifndef ABPF_H
#define ABPF_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/types.h>

#include <abpf/abpf.h>
#include <abpf/bpf.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

#ifndef __LIBBPF_LIBBPF_H
/* libbpf's own error codes (<bpf/libbpf.h>), same names and values. */
enum libbpf_errno {
	__LIBBPF_ERRNO__START = 4000,
	LIBBPF_ERRNO__LIBELF = __LIBBPF_ERRNO__START,
	LIBBPF_ERRNO__FORMAT,	/* BPF object format invalid */
	LIBBPF_ERRNO__KVERSION,	/* Incorrect or no 'version' section */
	LIBBPF_ERRNO__ENDIAN,	/* Endian mismatch */
	LIBBPF_ERRNO__INTERNAL,	/* Internal error in libbpf */
	LIBBPF_ERRNO__RELOC,	/* Relocation failed */
	LIBBPF_ERRNO__LOAD,	/* Load program failure for unknown reason */
	LIBBPF_ERRNO__VERIFY,	/* Kernel verifier blocks program loading */
	LIBBPF_ERRNO__PROG2BIG,	/* Program too big */
	LIBBPF_ERRNO__KVER,	/* Incorrect kernel version */
	LIBBPF_ERRNO__PROGTYPE,	/* Kernel doesn't support this program type */
	LIBBPF_ERRNO__WRNGPID,	/* Wrong pid in netlink message */
	LIBBPF_ERRNO__INVSEQ,	/* Invalid netlink sequence */
	LIBBPF_ERRNO__NLPARSE,	/* netlink parsing error */
	__LIBBPF_ERRNO__END,
};
#endif

/*
 * abpf_errno - the result of an object-API call (abpfiff's Errno)
 * @no: 0 on success, else a positive errno value or LIBBPF_ERRNO__* code
 */
typedef struct abpf_errno {
	int no;
} abpf_errno;

/* True if @err is a success. */
static inline bool abpf_ok(abpf_errno err)
{
	return err.no == 0;
}

/*
 * A description of @err: strerror's for errno values, libbpf's wording
 * for LIBBPF_ERRNO__* codes, "Success" for 0.  The string is static and
 * thread-safe; unknown values give "Unknown error".
 */
ABPF_API const char *abpf_strerror(abpf_errno err);

/* ------------------------------------------------------------------ */
/* The handle (abpfiff's ArcTable)                                      */
/* ------------------------------------------------------------------ */

struct abpf;

/*
 * struct abpf_opts - options of abpf_open()
 * @sz:          sizeof(struct abpf_opts), as libbpf's opts structs have
 * @release:     called with @release_ctx once the last reference to the
 *               handle is gone and its fds are closed: where a table of
 *               the caller's own may be freed
 * @release_ctx: its argument
 */
struct abpf_opts {
	size_t sz;
	void (*release)(void *ctx);
	void *release_ctx;
};
#define abpf_opts__last_field release_ctx

/*
 * Make a handle on the table @sys (NULL: abpf_default_sys(), the backend
 * of the libbpf-compatible calls).  The handle starts with one reference,
 * the caller's.  Makes no system call.  Errors: EINVAL for opts with a bad
 * size or unknown non-zero fields, or when no default backend can be
 * chosen (a misspelt ABPF_BACKEND); ENOMEM.
 */
ABPF_API abpf_errno abpf_open(const struct abpf_sys *sys,
			      const struct abpf_opts *opts, struct abpf **out);

/* Take one more reference to @h; returns @h. */
ABPF_API struct abpf *abpf_ref(struct abpf *h);

/*
 * Drop one reference to @h.  The last one closes the netlink socket (with
 * the table's close), frees the handle and calls the release callback.
 * NULL is ignored.
 */
ABPF_API void abpf_unref(struct abpf *h);

/* The table @h makes its system calls with. */
ABPF_API const struct abpf_sys *abpf_sys(const struct abpf *h);

/*
 * The number of possible CPUs, from /sys/devices/system/cpu/possible read
 * through the table (once; later calls return the cached count): the
 * number of slots a per-CPU map's value has.  Errors: those of open and
 * read, LIBBPF_ERRNO__FORMAT if the file does not parse.
 */
ABPF_API abpf_errno abpf_num_possible_cpus(struct abpf *h, unsigned int *ncpus);

/* ------------------------------------------------------------------ */
/* Maps (abpfiff's MapFd)                                               */
/* ------------------------------------------------------------------ */

struct abpf_map;

/*
 * Create a map, as bpf_map_create() with the same arguments and opts,
 * through @h.  The map knows its sizes from the arguments: no further
 * call is made.  Errors: bpf(2)'s, EINVAL for bad opts.
 */
ABPF_API abpf_errno abpf_map_create(struct abpf *h, enum bpf_map_type type,
				    const char *name, __u32 key_size,
				    __u32 value_size, __u32 max_entries,
				    const struct bpf_map_create_opts *opts,
				    struct abpf_map **out);

/*
 * Wrap the map fd @fd, which the new object owns from then on: one
 * BPF_OBJ_GET_INFO_BY_FD call learns the map's type, key and value sizes
 * and flags, which every later element call checks the caller's buffer
 * sizes against.  On failure @fd stays the caller's.  Errors: those of
 * BPF_OBJ_GET_INFO_BY_FD (EBADF, EINVAL for an fd that is not a map of
 * the table's backend), and of abpf_num_possible_cpus() for per-CPU maps.
 */
ABPF_API abpf_errno abpf_map_from_fd(struct abpf *h, int fd,
				     struct abpf_map **out);

/*
 * The map with id @id: BPF_MAP_GET_FD_BY_ID, then as abpf_map_from_fd().
 * Errors: ENOENT for no such map, EPERM without privilege.
 */
ABPF_API abpf_errno abpf_map_get_fd_by_id(struct abpf *h, __u32 id,
					  struct abpf_map **out);

/*
 * The map pinned at @path: BPF_OBJ_GET, then as abpf_map_from_fd().
 * Errors: ENOENT, EINVAL when @path holds a program; kbpf has no bpffs,
 * so on kbpf this is EINVAL.
 */
ABPF_API abpf_errno abpf_map_obj_get(struct abpf *h, const char *path,
				     struct abpf_map **out);

/* Pin @map at @path in a bpffs (BPF_OBJ_PIN; EINVAL on kbpf). */
ABPF_API abpf_errno abpf_map_pin(struct abpf_map *map, const char *path);

/*
 * The next map id after @start_id (0: the first), of @h's backend.
 * Errors: ENOENT past the last one.
 */
ABPF_API abpf_errno abpf_map_get_next_id(struct abpf *h, __u32 start_id,
					 __u32 *next_id);

/* Close @map's fd through its table and drop its handle reference. */
ABPF_API void abpf_map_close(struct abpf_map *map);

/* @map's fd, which stays @map's. */
ABPF_API int abpf_map_fd(const struct abpf_map *map);
/* The handle @map was made from (no new reference). */
ABPF_API struct abpf *abpf_map_handle(const struct abpf_map *map);
/* What @map was created with. */
ABPF_API enum bpf_map_type abpf_map_type(const struct abpf_map *map);
ABPF_API __u32 abpf_map_key_size(const struct abpf_map *map);
ABPF_API __u32 abpf_map_value_size(const struct abpf_map *map);
ABPF_API __u32 abpf_map_max_entries(const struct abpf_map *map);
ABPF_API __u32 abpf_map_flags(const struct abpf_map *map);

/*
 * The size of the value buffer every element call takes: the value size,
 * or for per-CPU maps round_up(value_size, 8) times the number of
 * possible CPUs, which is what bpf(2) copies.
 */
ABPF_API size_t abpf_map_value_buf_size(const struct abpf_map *map);

/* @map's struct bpf_map_info (BPF_OBJ_GET_INFO_BY_FD), zeroed first. */
ABPF_API abpf_errno abpf_map_info(const struct abpf_map *map,
				  struct bpf_map_info *info);

/*
 * The element calls.  @key_size must be the map's key size and
 * @value_size abpf_map_value_buf_size(), else the call fails with EINVAL
 * before any system call.  Maps without keys (QUEUE, STACK) take key_size
 * 0 and a NULL key.  Otherwise errors are bpf(2)'s: ENOENT for a missing
 * key, EEXIST/ENOENT for BPF_NOEXIST/BPF_EXIST, E2BIG when full, EPERM on
 * an fd of the wrong mode.
 *
 * abpf_map_lookup:      BPF_MAP_LOOKUP_ELEM with @flags (0, BPF_F_LOCK)
 * abpf_map_update:      BPF_MAP_UPDATE_ELEM with @flags (BPF_ANY, ...)
 * abpf_map_delete:      BPF_MAP_DELETE_ELEM
 * abpf_map_get_next_key: BPF_MAP_GET_NEXT_KEY: the key after @key (NULL:
 *                       the first) into @next_key, both @key_size bytes;
 *                       ENOENT after the last
 * abpf_map_lookup_and_delete: BPF_MAP_LOOKUP_AND_DELETE_ELEM (a pop for
 *                       QUEUE and STACK)
 */
ABPF_API abpf_errno abpf_map_lookup(const struct abpf_map *map,
				    const void *key, size_t key_size,
				    void *value, size_t value_size,
				    __u64 flags);
ABPF_API abpf_errno abpf_map_update(const struct abpf_map *map,
				    const void *key, size_t key_size,
				    const void *value, size_t value_size,
				    __u64 flags);
ABPF_API abpf_errno abpf_map_delete(const struct abpf_map *map,
				    const void *key, size_t key_size);
ABPF_API abpf_errno abpf_map_get_next_key(const struct abpf_map *map,
					  const void *key, void *next_key,
					  size_t key_size);
ABPF_API abpf_errno abpf_map_lookup_and_delete(const struct abpf_map *map,
					       const void *key, size_t key_size,
					       void *value, size_t value_size);

/* BPF_MAP_FREEZE: no more writes from userspace. */
ABPF_API abpf_errno abpf_map_freeze(const struct abpf_map *map);

/* ------------------------------------------------------------------ */
/* Typed convenience (ebpf-rs's HashMap, Array and WriteOption)         */
/* ------------------------------------------------------------------ */

/* How abpf_map_set() writes: ebpf-rs's WriteOption. */
enum abpf_write_option {
	ABPF_ANY = BPF_ANY,			/* create or update */
	ABPF_CREATE_ENTRY = BPF_NOEXIST,	/* create only: EEXIST if there */
	ABPF_UPDATE_ENTRY = BPF_EXIST,		/* update only: ENOENT if not */
};

/*
 * A HASH map of @max_entries entries on the default backend (the one
 * the libbpf-compatible calls use), in a handle of its own that goes
 * with the map: one BPF_MAP_CREATE call.  Returns NULL with errno set on
 * failure.  abpf_array_new() is the same for an ARRAY with __u32 keys.
 */
ABPF_API struct abpf_map *abpf_hash_new(__u32 max_entries, __u32 key_size,
					__u32 value_size);
ABPF_API struct abpf_map *abpf_array_new(__u32 max_entries, __u32 value_size);

/*
 * abpf_map_set(map, key, value, option): write one element, where @key and
 * @value are values (an int, a struct), not pointers: their types give the
 * sizes, checked against the map's (EINVAL on a mismatch), and @option is
 * an enum abpf_write_option.  One BPF_MAP_UPDATE_ELEM call.
 *	abpf_map_set(counts, 1, 101, ABPF_CREATE_ENTRY);
 * abpf_map_get(map, key, &value): read one element into *(&value).
 * abpf_map_unset(map, key): delete one element.
 * Each evaluates to an abpf_errno.
 */
#define abpf_map_set(map, key, value, option) ({			\
	__typeof__(key) __abpf_k = (key);				\
	__typeof__(value) __abpf_v = (value);				\
	abpf_map_update((map), &__abpf_k, sizeof(__abpf_k), &__abpf_v,	\
			sizeof(__abpf_v), (option));			\
})
#define abpf_map_get(map, key, value_ptr) ({				\
	__typeof__(key) __abpf_k = (key);				\
	abpf_map_lookup((map), &__abpf_k, sizeof(__abpf_k), (value_ptr),	\
			sizeof(*(value_ptr)), 0);			\
})
#define abpf_map_unset(map, key) ({					\
	__typeof__(key) __abpf_k = (key);				\
	abpf_map_delete((map), &__abpf_k, sizeof(__abpf_k));		\
})

/* ------------------------------------------------------------------ */
/* Programs (abpfiff's ProgramFd) and links                             */
/* ------------------------------------------------------------------ */

struct abpf_prog;
struct abpf_link;

/*
 * Load a program, as bpf_prog_load() with the same arguments and opts
 * (retries on EAGAIN, the verifier log), through @h.  Errors: bpf(2)'s;
 * EACCES or EINVAL from the verifier.  kbpf's programs are its own: they
 * run in kbpf, not in the kernel's hooks.
 */
ABPF_API abpf_errno abpf_prog_load(struct abpf *h, enum bpf_prog_type type,
				   const char *name, const char *license,
				   const struct bpf_insn *insns, size_t insn_cnt,
				   const struct bpf_prog_load_opts *opts,
				   struct abpf_prog **out);

/* Wrap the program fd @fd, which the object owns (no system call). */
ABPF_API abpf_errno abpf_prog_from_fd(struct abpf *h, int fd,
				      struct abpf_prog **out);

/* The program with id @id (BPF_PROG_GET_FD_BY_ID).  ENOENT if none. */
ABPF_API abpf_errno abpf_prog_get_fd_by_id(struct abpf *h, __u32 id,
					   struct abpf_prog **out);

/* The program pinned at @path (BPF_OBJ_GET; EINVAL on kbpf). */
ABPF_API abpf_errno abpf_prog_obj_get(struct abpf *h, const char *path,
				      struct abpf_prog **out);

/* Pin @prog at @path in a bpffs (BPF_OBJ_PIN). */
ABPF_API abpf_errno abpf_prog_pin(struct abpf_prog *prog, const char *path);

/* The next program id after @start_id (0: the first); ENOENT past it. */
ABPF_API abpf_errno abpf_prog_get_next_id(struct abpf *h, __u32 start_id,
					  __u32 *next_id);

/* Close @prog's fd through its table and drop its handle reference. */
ABPF_API void abpf_prog_close(struct abpf_prog *prog);

/* @prog's fd, which stays @prog's. */
ABPF_API int abpf_prog_fd(const struct abpf_prog *prog);
/* The handle @prog was made from (no new reference). */
ABPF_API struct abpf *abpf_prog_handle(const struct abpf_prog *prog);

/*
 * struct abpf_prog_out - where abpf_prog_info() may write arrays
 * (abpfiff's BpfProgOut)
 * @sz:         sizeof(struct abpf_prog_out)
 * @nr_map_ids: the length of @map_ids, in ids
 * @map_ids:    room for @nr_map_ids map ids, or NULL
 */
struct abpf_prog_out {
	size_t sz;
	__u32 nr_map_ids;
	__u32 *map_ids;
};
#define abpf_prog_out__last_field map_ids

/*
 * @prog's struct bpf_prog_info.  Every pointer in *info is cleared before
 * the call, so the kernel writes only into the arrays @out gives (NULL:
 * none): then info->nr_map_ids is the program's number of maps, of which
 * min(nr_map_ids, @out->nr_map_ids) are in @out->map_ids, and
 * info->map_ids points there.  Errors: bpf(2)'s, EINVAL for bad @out.
 */
ABPF_API abpf_errno abpf_prog_info(const struct abpf_prog *prog,
				   struct bpf_prog_info *info,
				   const struct abpf_prog_out *out);

/*
 * Run @prog once or opts->repeat times (BPF_PROG_TEST_RUN), with the
 * in/out fields of bpf_prog_test_run_opts(): retval, duration and the
 * output sizes come back in @opts.
 */
ABPF_API abpf_errno abpf_prog_test_run(const struct abpf_prog *prog,
				       struct bpf_test_run_opts *opts);

/*
 * Attach @prog to the raw tracepoint @name (BPF_RAW_TRACEPOINT_OPEN); the
 * attachment lasts until abpf_link_close().  @name NULL attaches a
 * BTF-typed program to its target.
 */
ABPF_API abpf_errno abpf_raw_tracepoint_open(const struct abpf_prog *prog,
					     const char *name,
					     struct abpf_link **out);

/* The link's fd, which stays the link's. */
ABPF_API int abpf_link_fd(const struct abpf_link *link);
/* Close the link's fd through its table (detaching it) and free it. */
ABPF_API void abpf_link_close(struct abpf_link *link);

/* ------------------------------------------------------------------ */
/* Netlink (abpfiff's Netlink): XDP and tc                              */
/* ------------------------------------------------------------------ */

/*
 * The handle's netlink socket: NETLINK_ROUTE, made by the table's socket
 * on the first call below, with NETLINK_EXT_ACK on, bound, and its port
 * read back with getsockname; it stays open until the handle goes.
 * Messages are built and parsed with libnl-3 (and libnl-route-3), whose
 * struct nl_sock for the handle gives each request its sequence number;
 * every reply must carry that number and the socket's port.  A reply for
 * an earlier request (a smaller sequence number) is skipped; a later one
 * fails with LIBBPF_ERRNO__INVSEQ, one for another port with
 * LIBBPF_ERRNO__WRNGPID, a truncated or malformed one with
 * LIBBPF_ERRNO__NLPARSE.  An NLMSG_ERROR reply fails the call with its
 * errno, and its extended ack message is kept for abpf_netlink_ext_ack().
 * Socket errors are those of socket, bind, send and recvmsg.
 */

/*
 * The extended ack message of @h's last netlink call that failed with
 * one (the kernel's "Underlying driver does not support XDP in native
 * mode"), copied into @buf of @len bytes, NUL-terminated; "" if the last
 * call had none.  Returns the message's length.
 */
ABPF_API size_t abpf_netlink_ext_ack(struct abpf *h, char *buf, size_t len);

/*
 * What is attached at XDP to an interface, as the kernel reports it in
 * IFLA_XDP: @attach_mode is XDP_ATTACHED_NONE, _DRV, _SKB, _HW or _MULTI;
 * @prog_id is the one program's id unless several modes are attached
 * (MULTI: 0); the others are each mode's program (0: none).
 */
struct abpf_xdp_query {
	__u32 prog_id;
	__u32 drv_prog_id;
	__u32 hw_prog_id;
	__u32 skb_prog_id;
	__u8 attach_mode;
};

/*
 * Query @ifindex's XDP programs: one RTM_GETLINK request for the
 * interface.  Errors: ENODEV for no such interface, EINVAL for an
 * ifindex <= 0.
 */
ABPF_API abpf_errno abpf_xdp_query(struct abpf *h, int ifindex,
				   struct abpf_xdp_query *out);

/*
 * Attach the program @fd (-1: detach) at @ifindex's XDP hook, one
 * RTM_SETLINK with IFLA_XDP, with the kernel's XDP_FLAGS_*:
 *   XDP_FLAGS_UPDATE_IF_NOEXIST  fail with EBUSY if a program is attached
 *   XDP_FLAGS_SKB_MODE           generic XDP (any interface, lo too)
 *   XDP_FLAGS_DRV_MODE           the driver's (EOPNOTSUPP if it has none)
 *   XDP_FLAGS_HW_MODE            offloaded (EOPNOTSUPP without hardware)
 *   XDP_FLAGS_REPLACE            replace @expected_fd's program only: EEXIST
 *                                if another program is attached
 * @expected_fd >= 0 adds XDP_FLAGS_REPLACE; with XDP_FLAGS_REPLACE and
 * @expected_fd -1 the call succeeds only if no program is attached, as
 * libbpf's bpf_xdp_attach() does.  The fd must be the kernel's
 * BPF_PROG_TYPE_XDP program: a kbpf program fd fails with EINVAL.
 */
ABPF_API abpf_errno abpf_xdp_replace(struct abpf *h, int ifindex, int fd,
				     int expected_fd, __u32 flags);

struct nl_msg;
struct nlmsghdr;
struct tcmsg;

/*
 * Called for each reply message of a request that is not NLMSG_ERROR,
 * NLMSG_DONE or NLMSG_NOOP; a negative errno stops the calls and fails
 * the request with it (the rest of the reply is still read), 0 goes on.
 */
typedef int (*abpf_netlink_fn)(const struct nlmsghdr *msg, void *ctx);

/*
 * Send @msg, a request built with libnl (nlmsg_alloc_simple(),
 * nlmsg_append(), nla_put()...) on @h's socket and read its reply to the
 * end, calling @fn (may be NULL) for each message.  The handle sets the
 * port, the sequence number, NLM_F_REQUEST and NLM_F_ACK.  @msg stays the
 * caller's.  The raw path every call above uses.
 */
ABPF_API abpf_errno abpf_netlink_request(struct abpf *h, struct nl_msg *msg,
					 abpf_netlink_fn fn, void *ctx);

/*
 * A tc request of @type (RTM_GETTFILTER, RTM_GETQDISC, ...) with
 * nlmsg_flags @flags (NLM_F_DUMP) and the header @tcm, no attributes:
 * abpfiff's sendmsg_tc.
 */
ABPF_API abpf_errno abpf_netlink_send_tc(struct abpf *h, int type, int flags,
					 const struct tcmsg *tcm,
					 abpf_netlink_fn fn, void *ctx);

/* The clsact hook points, as tc_msg parents (TC_H_CLSACT:TC_H_MIN_*). */
#define ABPF_TC_INGRESS 0xFFFFFFF2U
#define ABPF_TC_EGRESS 0xFFFFFFF3U

/*
 * One cls_bpf filter: its handle, parent, priority and protocol (network
 * order, as tc's ETH_P_*), the program's id, tag and name, and its
 * TCA_BPF_FLAGS and TCA_BPF_FLAGS_GEN.
 */
struct abpf_tc_filter {
	__u32 handle;
	__u32 parent;
	__u16 priority;
	__u16 protocol;
	__u32 prog_id;
	__u32 flags;
	__u32 gen_flags;
	__u8 tag[8];
	char name[64];
};

/*
 * List the bpf filters on @ifindex under @parent (ABPF_TC_INGRESS, or any
 * tc parent), one RTM_GETTFILTER dump: up to @cap of them into @filters,
 * and their number into *@count, which may be larger than @cap.  Filters
 * of other kinds are left out.  An interface without that qdisc, or no
 * such interface, has no filters (count 0): the kernel's dump is empty.
 * Errors: EINVAL for an ifindex <= 0.
 */
ABPF_API abpf_errno abpf_tc_list_bpf(struct abpf *h, int ifindex, __u32 parent,
				     struct abpf_tc_filter *filters, size_t cap,
				     size_t *count);

/* ------------------------------------------------------------------ */
/* Ring buffer consumer (libbpf's ring_buffer)                          */
/* ------------------------------------------------------------------ */

struct abpf_ringbuf;

/*
 * Called for each record with its bytes; a negative errno stops the
 * consumer, which returns it (the record counts as consumed), 0 goes on.
 */
typedef int (*abpf_ringbuf_fn)(void *ctx, void *data, size_t size);

struct abpf_ringbuf_opts {
	size_t sz;	/* sizeof(struct abpf_ringbuf_opts) */
};
#define abpf_ringbuf_opts__last_field sz

/*
 * A consumer for the BPF_MAP_TYPE_RINGBUF @map, kernel or kbpf: it maps
 * the consumer page writable and the producer page and data read-only
 * (through @map's table) and adds the map fd to an epoll set of its own.
 * @map must outlive the consumer.  Errors: EINVAL if @map is not a ring
 * buffer or for bad opts; mmap's and epoll's.
 */
ABPF_API abpf_errno abpf_ringbuf_new(struct abpf_map *map, abpf_ringbuf_fn fn,
				     void *ctx,
				     const struct abpf_ringbuf_opts *opts,
				     struct abpf_ringbuf **out);

/* Add another ring buffer map, with its own callback, to @rb. */
ABPF_API abpf_errno abpf_ringbuf_add(struct abpf_ringbuf *rb,
				     struct abpf_map *map, abpf_ringbuf_fn fn,
				     void *ctx);

/*
 * Wait up to @timeout_ms (-1: forever, 0: not at all) for a ring to have
 * records, then consume what the woken rings hold.  *@records (may be
 * NULL) is the number of records passed to callbacks.  Errors: epoll's
 * (EINTR), a callback's.
 */
ABPF_API abpf_errno abpf_ringbuf_poll(struct abpf_ringbuf *rb, int timeout_ms,
				      size_t *records);

/* Consume every ring's records without waiting. */
ABPF_API abpf_errno abpf_ringbuf_consume(struct abpf_ringbuf *rb,
					 size_t *records);

/* The epoll fd, for an event loop of the caller's. */
ABPF_API int abpf_ringbuf_epoll_fd(const struct abpf_ringbuf *rb);

/* Unmap every ring, close the epoll fd (through the table) and free. */
ABPF_API void abpf_ringbuf_free(struct abpf_ringbuf *rb);

/* ------------------------------------------------------------------ */
/* Perf buffer consumer (libbpf's perf_buffer)                          */
/* ------------------------------------------------------------------ */

struct abpf_perfbuf;

/* A PERF_RECORD_SAMPLE's raw bytes, from the buffer of @cpu. */
typedef void (*abpf_perfbuf_sample_fn)(void *ctx, int cpu, void *data,
				       __u32 size);
/* A PERF_RECORD_LOST: @lost records did not fit in @cpu's buffer. */
typedef void (*abpf_perfbuf_lost_fn)(void *ctx, int cpu, __u64 lost);

/*
 * struct abpf_perfbuf_opts - declare it with LIBBPF_OPTS(), which zeroes
 * its padding, as libbpf's opts: bytes past the known fields must be 0
 * @sz:            sizeof(struct abpf_perfbuf_opts)
 * @wakeup_events: wake the poller every this many records (0: 1)
 */
struct abpf_perfbuf_opts {
	size_t sz;
	__u32 wakeup_events;
};
#define abpf_perfbuf_opts__last_field wakeup_events

/*
 * A consumer for the BPF_MAP_TYPE_PERF_EVENT_ARRAY @map: for each online
 * CPU below the map's max_entries, the table's perf_event_open makes a
 * BPF output event (on kbpf's table: a kbpf perf buffer from
 * KBPF_IOC_PERF_BUFFER), maps it with 1 + @page_cnt pages (@page_cnt a
 * power of 2), enables it, stores its fd in @map at the CPU's index and
 * adds it to an epoll set.  @map must outlive the consumer, since an
 * entry goes when the map fd that stored it is closed.  Errors: EINVAL
 * if @map is not a PERF_EVENT_ARRAY with 4-byte keys and values, for a
 * bad @page_cnt or opts; perf_event_open's, mmap's, bpf(2)'s, epoll's.
 */
ABPF_API abpf_errno abpf_perfbuf_new(struct abpf_map *map, size_t page_cnt,
				     abpf_perfbuf_sample_fn sample_fn,
				     abpf_perfbuf_lost_fn lost_fn, void *ctx,
				     const struct abpf_perfbuf_opts *opts,
				     struct abpf_perfbuf **out);

/*
 * Wait up to @timeout_ms for a buffer to wake, then read every woken
 * buffer's records.  *@records (may be NULL) counts samples and lost
 * records passed to the callbacks.
 */
ABPF_API abpf_errno abpf_perfbuf_poll(struct abpf_perfbuf *pb, int timeout_ms,
				      size_t *records);

/* Read every buffer's records without waiting. */
ABPF_API abpf_errno abpf_perfbuf_consume(struct abpf_perfbuf *pb,
					 size_t *records);

/* The epoll fd, and the number of per-CPU buffers. */
ABPF_API int abpf_perfbuf_epoll_fd(const struct abpf_perfbuf *pb);
ABPF_API size_t abpf_perfbuf_buffer_cnt(const struct abpf_perfbuf *pb);

/*
 * Remove the consumer's entries from the map, unmap and close every
 * buffer and the epoll fd (through the table), and free.
 */
ABPF_API void abpf_perfbuf_free(struct abpf_perfbuf *pb);

#ifdef __cplusplus
}
#endif

#endif /* ABPF_H */
