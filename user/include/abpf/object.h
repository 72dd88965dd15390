/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libabpf's object loader (oxidebpf's ProgramBlueprint and ProgramGroup):
 * open a clang-built BPF object (`clang -O2 -target bpf -c`, ELF64
 * little-endian, ET_REL, EM_BPF), create its maps, relocate and load its
 * programs through a handle (struct abpf, <abpf.h>), so on either backend.
 *
 * What an object may hold:
 *   - programs: every global function in an executable section other
 *     than .text, typed by its section's name: raw_tracepoint/<tp>,
 *     raw_tp/<tp> (BPF_PROG_TYPE_RAW_TRACEPOINT, attached to <tp>),
 *     syscall (BPF_PROG_TYPE_SYSCALL, loaded sleepable), tracepoint/<c>/<n>
 *     and tp/<c>/<n> (TRACEPOINT), kprobe/, kretprobe/ (KPROBE), xdp,
 *     socket, tc and classifier (SCHED_CLS).  A section with no function
 *     symbol is one program named after the section;
 *   - subprograms: functions in .text, appended to each program that
 *     calls them (directly, or through a function pointer such as a
 *     for_each_map_elem callback), as libbpf does;
 *   - maps: `struct bpf_map_def` entries (type, key_size, value_size,
 *     max_entries, map_flags: 20 bytes or more each) in sections named
 *     `maps` or `maps/...`, one per symbol, named by the symbol; and
 *     BTF-defined maps in `.maps` (libbpf's __uint(type | max_entries |
 *     map_flags | key_size | value_size, n) and __type(key | value, T)
 *     members, read from .BTF; pinning and inner maps are not supported);
 *   - global data: each .data*, .rodata* and .bss* section becomes a
 *     one-element ARRAY map named after the section (key 0, value the
 *     section's bytes); .rodata* maps are BPF_F_RDONLY_PROG and frozen
 *     after they are filled;
 *   - `license` (a NUL-terminated string; default "") and `version` (a
 *     u32 kern_version).
 * Beyond .maps, BTF, .BTF.ext and DWARF are ignored: nothing of them is
 * loaded into the kernel.  A relocation against an extern symbol fails
 * with EOPNOTSUPP.
 *
 * Errors are abpf_errno values.  A file that is not a BPF ELF object (bad
 * magic, class, byte order, type or machine) gives ENOEXEC; one whose
 * headers, sections, symbols, strings or relocations point outside the
 * file or the section they belong to, or are inconsistent, gives EINVAL:
 * every offset and size is checked before it is used.  Where an
 * abpf_object_opts has a message buffer, each failure also writes one
 * line there saying what failed.
 */
#ifndef ABPF_OBJECT_H
#define ABPF_OBJECT_H

#include <abpf.h>

#ifdef __cplusplus
extern "C" {
#endif

struct abpf_object;
struct abpf_object_prog;

/*
 * struct abpf_object_opts - options of abpf_object_open{,_mem}()
 * @sz:        sizeof(struct abpf_object_opts)
 * @name:      the object's name in messages (default: the path's last
 *             component, or "mem")
 * @msg_buf:   where a failed open or load writes one NUL-terminated line
 *             (what failed, where, and why), or NULL
 * @msg_size:  its size
 * @log_buf:   the verifier log buffer each program load gets, or NULL
 * @log_size:  its size
 * @log_level: the verifier log level (0: a log only when a load fails,
 *             as libbpf retries it)
 * The buffers must last as long as the object.
 */
struct abpf_object_opts {
	size_t sz;
	const char *name;
	char *msg_buf;
	size_t msg_size;
	char *log_buf;
	size_t log_size;
	__u32 log_level;
};
#define abpf_object_opts__last_field log_level

/*
 * Parse the object file at @path (read through @h's table: open, read,
 * close) or the @size bytes at @buf (copied).  Nothing is created in the
 * kernel or kbpf yet.  The object holds a reference to @h.  Errors:
 * ENOEXEC, EINVAL (above), EOPNOTSUPP, ENOMEM, EFBIG (over 256 MiB), the
 * table's open and read errors.
 */
ABPF_API abpf_errno abpf_object_open(struct abpf *h, const char *path,
				     const struct abpf_object_opts *opts,
				     struct abpf_object **out);
ABPF_API abpf_errno abpf_object_open_mem(struct abpf *h, const void *buf,
					 size_t size,
					 const struct abpf_object_opts *opts,
					 struct abpf_object **out);

/*
 * Create every map, fill the data maps, then relocate and load each
 * program whose autoload is on (all, unless turned off).  On failure
 * everything made so far is closed again and the object can be loaded
 * again (after, say, turning a program's autoload off).  Errors: bpf(2)'s
 * (the verifier's EACCES and EINVAL), LIBBPF_ERRNO__RELOC for a
 * relocation that does not resolve (a call into the middle of nothing, a
 * map symbol that is no map), EOPNOTSUPP for a program of an unknown
 * section, EALREADY if loaded already.
 */
ABPF_API abpf_errno abpf_object_load(struct abpf_object *obj);

/* Close every link made with abpf_object_attach_raw_tp(), every program
 * and map, drop the handle reference and free.  NULL is ignored. */
ABPF_API void abpf_object_close(struct abpf_object *obj);

/*
 * The map named @name (a symbol of `maps`, or ".data", ".rodata",
 * ".bss", ".rodata.str1.1" ...), once loaded; NULL before the load or if
 * there is none.  The map is the object's.
 */
ABPF_API struct abpf_map *abpf_object_find_map(const struct abpf_object *obj,
					       const char *name);

/*
 * The initial bytes of the data section @name (".data", ".rodata", ...),
 * which the caller may change before abpf_object_load() to set globals
 * (as a libbpf skeleton does); *@size gets its size.  NULL if there is no
 * such section, or after the load.
 */
ABPF_API void *abpf_object_data(struct abpf_object *obj, const char *name,
				size_t *size);

/*
 * Where the global variable @name is: the data map it is in (*@map_name,
 * ".bss" say, a string of the object's), its offset there and its size;
 * any of them may be NULL.  With abpf_object_data() before the load and
 * abpf_map_lookup() of that map's element 0 after it, a variable can be
 * set and read.  Errors: ENOENT if no data section defines @name.
 */
ABPF_API abpf_errno abpf_object_find_var(const struct abpf_object *obj,
					 const char *name,
					 const char **map_name, size_t *off,
					 size_t *size);

/* The number of programs, and the @i-th of them (NULL past the end). */
ABPF_API size_t abpf_object_prog_cnt(const struct abpf_object *obj);
ABPF_API struct abpf_object_prog *
abpf_object_prog_at(const struct abpf_object *obj, size_t i);

/*
 * The program whose function name is @name, or else the first program
 * of section @name; NULL if none.
 */
ABPF_API struct abpf_object_prog *
abpf_object_find_prog(const struct abpf_object *obj, const char *name);

ABPF_API const char *abpf_object_prog_name(const struct abpf_object_prog *prog);
ABPF_API const char *
abpf_object_prog_section(const struct abpf_object_prog *prog);
/* BPF_PROG_TYPE_UNSPEC for a section the loader does not know. */
ABPF_API enum bpf_prog_type
abpf_object_prog_type(const struct abpf_object_prog *prog);
/* The raw tracepoint of a raw_tp/<tp> section, else NULL. */
ABPF_API const char *
abpf_object_prog_attach_name(const struct abpf_object_prog *prog);
/* Instructions: the function's before the load, with subprograms after. */
ABPF_API size_t abpf_object_prog_insn_cnt(const struct abpf_object_prog *prog);
/* Whether abpf_object_load() loads @prog (default true). */
ABPF_API void abpf_object_prog_set_autoload(struct abpf_object_prog *prog,
					    bool autoload);
/* The loaded program (the object's), or NULL. */
ABPF_API struct abpf_prog *
abpf_object_prog_prog(const struct abpf_object_prog *prog);

/*
 * Attach the loaded raw tracepoint program @prog to @tp (NULL: its
 * section's).  The link is the object's until abpf_object_close(), or
 * the caller's own to close earlier with abpf_object_detach().  Errors:
 * EINVAL if @prog is not loaded, not a raw tracepoint program, or has no
 * tracepoint; abpf_raw_tracepoint_open()'s.
 */
ABPF_API abpf_errno abpf_object_attach_raw_tp(struct abpf_object_prog *prog,
					      const char *tp,
					      struct abpf_link **out);
/* Close a link abpf_object_attach_raw_tp() made (NULL is ignored). */
ABPF_API void abpf_object_detach(struct abpf_object_prog *prog,
				 struct abpf_link *link);

/* ------------------------------------------------------------------ */
/* Program groups (oxidebpf's ProgramGroup of ProgramVersions)          */
/* ------------------------------------------------------------------ */

/*
 * struct abpf_prog_version - one alternative of a group
 * @label: its name in reports
 * @path:  an object file, or NULL to use @buf
 * @buf:   an object image in memory, and @size its length
 * @progs: NULL-terminated function or section names to load, the rest
 *         of the object's programs not loaded; NULL: all of them
 */
struct abpf_prog_version {
	const char *label;
	const char *path;
	const void *buf;
	size_t size;
	const char *const *progs;
};

/*
 * Called for each version that fails, with its index, the error and the
 * loader's message (never NULL).
 */
typedef void (*abpf_version_fail_fn)(void *ctx, size_t idx,
				     const struct abpf_prog_version *version,
				     abpf_errno err, const char *msg);

/*
 * struct abpf_group_opts - options of abpf_object_load_group()
 * @sz:      sizeof(struct abpf_group_opts)
 * @fail_fn: reports each failed version, or NULL
 * @ctx:     its first argument
 * @obj:     options for each version's open (their name defaults to the
 *           version's label), or NULL.  Its message buffer gets the last
 *           version's line when none loads, and is the loaded object's.
 */
struct abpf_group_opts {
	size_t sz;
	abpf_version_fail_fn fail_fn;
	void *ctx;
	const struct abpf_object_opts *obj;
};
#define abpf_group_opts__last_field obj

/*
 * Open and load each of the @cnt versions in turn until one loads: that
 * object is *@out and its index *@chosen (may be NULL).  A version that
 * names a program the object lacks fails with ENOENT.  Errors: EINVAL for
 * no versions or bad opts; the last version's error if none loads.
 */
ABPF_API abpf_errno
abpf_object_load_group(struct abpf *h, const struct abpf_prog_version *versions,
		       size_t cnt, const struct abpf_group_opts *opts,
		       struct abpf_object **out, size_t *chosen);

#ifdef __cplusplus
}
#endif

#endif /* ABPF_OBJECT_H */
