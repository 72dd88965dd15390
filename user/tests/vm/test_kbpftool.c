// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpftool on both backends: every map type created, filled, dumped and
 * emptied (and closed), text and --json; programs loaded from raw
 * instructions with a map, run, shown and attached; a batch file; pins.
 * The commands run in-process (only test_* programs reach the guest),
 * in one tool per backend, as one kbpftool process or batch would: on
 * kbpf, without a bpffs, that is how objects outlive a command.
 */
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <abpf.h>

#include "kbpftool.h"
#include "shim_vm.h"

static struct kbpftool *tool;
static FILE *out, *err;
static char *out_buf, *err_buf;
static size_t out_len, err_len, out_at, err_at;
static const char *backend;
static bool on_kbpf;
static const char *bpffs;
static char last_out[65536], last_err[4096];

/* Run one kbpftool command line (split at spaces); its exit status. */
__attribute__((format(printf, 1, 2)))
static int kt(const char *fmt, ...)
{
	char line[1024], *argv[64], *s, *tok;
	int argc = 0, rc;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	argv[argc++] = (char *)"--backend";
	argv[argc++] = (char *)backend;
	for (s = line; (tok = strtok(s, " ")) && argc < 64; s = NULL)
		argv[argc++] = tok;
	rc = kbpftool_cmd(tool, argc, argv);
	fflush(out);
	fflush(err);
	snprintf(last_out, sizeof(last_out), "%.*s", (int)(out_len - out_at),
		 out_buf + out_at);
	snprintf(last_err, sizeof(last_err), "%.*s", (int)(err_len - err_at),
		 err_buf + err_at);
	out_at = out_len;
	err_at = err_len;
	return rc;
}

/* @s contains @want (NULL: anything). */
static bool contains(const char *s, const char *want)
{
	return !want || strstr(s, want);
}

/*
 * The command succeeds (or fails) and its output contains @want; a failure's
 * error is on the error stream, or in --json mode on the output.
 */
#define EXPECT_KT(rc, want, ...)					\
	do {								\
		int _rc = kt(__VA_ARGS__);				\
		if (_rc != (rc))					\
			tap_fail("kbpftool exit %d, want %d: out \"%s\" err \"%s\"", \
				 _rc, (rc), last_out, last_err);	\
		if (!contains(_rc ? last_err : last_out, (want)) &&	\
		    !(_rc && contains(last_out, (want))))		\
			tap_fail("kbpftool output lacks \"%s\": out \"%s\" err \"%s\"", \
				 (const char *)(want), last_out, last_err); \
	} while (0)

static bool progs_here(void)
{
	if (on_kbpf && !kbpf_has_programs()) {
		tap_skip_reason = SKIP_NO_KBPF_PROGRAMS;
		return false;
	}
	return true;
}

/* Raw instructions into a file for prog load. */
static const char *insn_file(const char *name, const struct bpf_insn *insns,
			     size_t n)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/%s.insns", name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	EXPECT(fd >= 0);
	EXPECT_EQ(write(fd, insns, n * sizeof(*insns)), (long)(n * sizeof(*insns)));
	close(fd);
	return path;
}

static void array_maps(void)
{
	EXPECT_KT(0, "id ", "map create type array key 4 value 8 entries 4 name k_array");
	EXPECT_KT(0, NULL, "map update name k_array key 1 0 0 0 value hex 2a00000000000000");
	EXPECT_KT(0, NULL, "map update name k_array key hex 03000000 value 1 2 3 4 5 6 7 8 exist");
	EXPECT_KT(0, "key: 01 00 00 00  value: 2a 00 00 00 00 00 00 00",
		  "map lookup name k_array key 1 0 0 0");
	EXPECT_KT(0, "Found 4 elements", "map dump name k_array");
	EXPECT(strstr(last_out, "key: 03 00 00 00  value: 01 02 03 04 05 06 07 08"));
	EXPECT_KT(1, "Argument list too long", "map update name k_array key 9 0 0 0 value 0 0 0 0 0 0 0 0");
	EXPECT_KT(1, "Argument list too long",
		  "map update name k_array key 4 0 0 0 value 0 0 0 0 0 0 0 0");
	EXPECT_KT(1, "Invalid argument", "map delete name k_array key 1 0 0 0");
	EXPECT_KT(1, "8 bytes needed", "map update name k_array key 1 0 0 0 value 1 2");
	EXPECT_KT(0, "\"bytes_value\":8", "--json map show name k_array");
	EXPECT_KT(0, "[\"0x2a\",\"0x00\"", "--json map dump name k_array");
	EXPECT_KT(0, NULL, "map close name k_array");
	EXPECT_KT(1, "no map named 'k_array'", "map show name k_array");
}

static void percpu_array_maps(void)
{
	EXPECT_KT(0, NULL, "map create type percpu_array key 4 value 4 entries 2 name k_pcpu");
	EXPECT_KT(0, NULL, "map update name k_pcpu key 1 0 0 0 value 7 0 0 0");
	EXPECT_KT(0, "value (CPU 00): 07 00 00 00", "map lookup name k_pcpu key 1 0 0 0");
	EXPECT(strstr(last_out, "value (CPU 01): 07 00 00 00"));
	EXPECT_KT(0, "Found 2 elements", "map dump name k_pcpu");
	EXPECT_KT(0, "\"values\":[{\"cpu\":0", "--json map dump name k_pcpu");
	EXPECT_KT(0, NULL, "map close name k_pcpu");
}

/* The hash family: fill, dump, delete, dump again. */
static void hash_family(const char *type)
{
	EXPECT_KT(0, NULL, "map create type %s key 4 value 4 entries 8 name k_h", type);
	EXPECT_KT(0, NULL, "map update name k_h key 1 0 0 0 value 10 0 0 0 noexist");
	EXPECT_KT(0, NULL, "map update name k_h key 2 0 0 0 value 20 0 0 0");
	EXPECT_KT(0, NULL, "map update name k_h key 3 0 0 0 value 30 0 0 0 any");
	EXPECT_KT(1, "File exists", "map update name k_h key 1 0 0 0 value 1 0 0 0 noexist");
	EXPECT_KT(0, "Found 3 elements", "map dump name k_h");
	EXPECT_KT(0, NULL, "map delete name k_h key 2 0 0 0");
	EXPECT_KT(1, "No such file", "map delete name k_h key 2 0 0 0");
	EXPECT_KT(1, "No such file", "map lookup name k_h key 2 0 0 0");
	EXPECT_KT(0, "Found 2 elements", "map dump name k_h");
	EXPECT_KT(0, NULL, "map delete name k_h key 1 0 0 0");
	EXPECT_KT(0, NULL, "map delete name k_h key 3 0 0 0");
	EXPECT_KT(0, "Found 0 elements", "map dump name k_h");
	EXPECT_KT(0, "[]", "--json map dump name k_h");
	EXPECT_KT(0, NULL, "map close name k_h");
}

static void hash_maps(void)
{
	hash_family("hash");
}

static void percpu_hash_maps(void)
{
	hash_family("percpu_hash");
}

static void lru_hash_maps(void)
{
	hash_family("lru_hash");
}

static void lru_percpu_hash_maps(void)
{
	hash_family("lru_percpu_hash");
}

/* Dumping a queue or stack pops and pushes back: it must come back alike. */
static void keyless(const char *type, const char *head)
{
	EXPECT_KT(0, NULL, "map create type %s value 4 entries 4 name k_q", type);
	EXPECT_KT(0, NULL, "map push name k_q value 1 0 0 0");
	EXPECT_KT(0, NULL, "map update name k_q value 2 0 0 0");
	EXPECT_KT(0, NULL, "map push name k_q value 3 0 0 0");
	EXPECT_KT(0, "Found 3 elements", "map dump name k_q");
	EXPECT(!strncmp(last_out, head, strlen(head)));
	EXPECT_KT(0, "Found 3 elements", "map dump name k_q");
	EXPECT(!strncmp(last_out, head, strlen(head)));
	EXPECT_KT(0, head, "map peek name k_q");
	EXPECT_KT(0, head, "map pop name k_q");
	EXPECT_KT(0, "Found 2 elements", "map dump name k_q");
	EXPECT_KT(0, NULL, "map pop name k_q");
	EXPECT_KT(0, NULL, "map pop name k_q");
	EXPECT_KT(1, "No such file", "map pop name k_q");
	EXPECT_KT(0, "Found 0 elements", "map dump name k_q");
	EXPECT_KT(0, NULL, "map close name k_q");
}

static void queue_maps(void)
{
	keyless("queue", "value: 01 00 00 00");
}

static void stack_maps(void)
{
	keyless("stack", "value: 03 00 00 00");
}

static void ringbuf_maps(void)
{
	struct bpf_insn insns[] = {
		LDX(BPF_DW, BPF_REG_6, BPF_REG_1, 0),
		STX(BPF_DW, BPF_REG_10, BPF_REG_6, -8),
		LD_MAP(BPF_REG_1, 0),		/* map idx 0 */
		MOV64_REG(BPF_REG_2, BPF_REG_10),
		ALU64_IMM(BPF_ADD, BPF_REG_2, -8),
		MOV64_IMM(BPF_REG_3, 8),
		MOV64_IMM(BPF_REG_4, 0),
		CALL(BPF_FUNC_ringbuf_output),
		MOV64_IMM(BPF_REG_0, 0),
		EXIT(),
	};

	EXPECT_KT(0, NULL, "map create type ringbuf entries 4096 name k_rb");
	EXPECT_KT(0, "Found 0 elements", "map dump name k_rb");
	EXPECT_KT(1, NULL, "map update name k_rb value");
	if (!progs_here()) {
		kt("map close name k_rb");
		return;
	}
	EXPECT_KT(0, "id ", "prog load %s type raw_tracepoint name k_rbw map idx 0 name k_rb",
		  insn_file("rb", insns, NR(insns)));
	EXPECT_KT(0, "Return value: 0", "prog run name k_rbw ctx hex 2a00000000000000");
	EXPECT_KT(0, NULL, "prog run name k_rbw ctx 43 0 0 0 0 0 0 0");
	EXPECT_KT(0, "Found 2 elements", "map dump name k_rb");
	EXPECT(strstr(last_out, "record: 2a 00 00 00 00 00 00 00"));
	EXPECT(strstr(last_out, "record: 2b 00 00 00 00 00 00 00"));
	EXPECT_KT(0, "Found 0 elements", "map dump name k_rb");	/* consumed */
	EXPECT_KT(0, "map_ids", "prog show name k_rbw");
	EXPECT_KT(0, NULL, "map close name k_rb");
}

static void perf_event_array_maps(void)
{
	struct bpf_insn insns[] = {
		MOV64_REG(BPF_REG_7, BPF_REG_1),
		LDX(BPF_DW, BPF_REG_6, BPF_REG_1, 0),
		STX(BPF_DW, BPF_REG_10, BPF_REG_6, -8),
		MOV64_REG(BPF_REG_1, BPF_REG_7),
		LD_MAP(BPF_REG_2, 0),
		MOV32_IMM(BPF_REG_3, -1),
		MOV64_REG(BPF_REG_4, BPF_REG_10),
		ALU64_IMM(BPF_ADD, BPF_REG_4, -8),
		MOV64_IMM(BPF_REG_5, 8),
		CALL(BPF_FUNC_perf_event_output),
		MOV64_IMM(BPF_REG_0, 0),
		EXIT(),
	};

	EXPECT_KT(0, NULL, "map create type perf_event_array key 4 value 4 entries %ld name k_pea",
		  sysconf(_SC_NPROCESSORS_ONLN));
	EXPECT_KT(1, "event_pipe", "map dump name k_pea");
	/* Fill every CPU's slot with a buffer; wait for nothing yet. */
	EXPECT_KT(0, NULL, "map event_pipe name k_pea pages 2 count 0");
	EXPECT_KT(0, "Found 0 elements", "map dump name k_pea");
	if (progs_here()) {
		EXPECT_KT(0, NULL, "prog load %s type raw_tracepoint name k_peaw map idx 0 name k_pea",
			  insn_file("pea", insns, NR(insns)));
		EXPECT_KT(0, NULL, "prog run name k_peaw ctx hex 0700000000000000 cpu 0");
		EXPECT_KT(0, "CPU: 0  data: 07 00 00 00 00 00 00 00", "map dump name k_pea");
		EXPECT(strstr(last_out, "Found 1 element"));
	}
	EXPECT_KT(0, NULL, "map delete name k_pea key 0 0 0 0");
	EXPECT_KT(1, "No such file", "map delete name k_pea key 0 0 0 0");
	EXPECT_KT(0, NULL, "map close name k_pea");
}

static void lists_and_json(void)
{
	EXPECT_KT(0, NULL, "map create type hash key 8 value 16 entries 4 name k_list");
	EXPECT_KT(0, "hash  name k_list  flags 0x0", "map list");
	EXPECT(strstr(last_out, "key 8B  value 16B  max_entries 4"));
	EXPECT_KT(0, "\"name\":\"k_list\"", "--json map list");
	EXPECT(last_out[0] == '[');
	EXPECT_KT(0, "k_list", "map show name k_list");
	EXPECT_KT(1, "\"error\":", "--json map show name no_such_map");
	EXPECT_KT(1, "unknown map command", "map frobnicate");
	EXPECT_KT(1, "unknown map type", "map create type bogus key 4 value 4 entries 1");
	/* errors name the argument at fault and what it should be */
	EXPECT_KT(1, "key 'x' is not a size in bytes", "map create type hash key x value 8 entries 1");
	EXPECT_KT(1, "flags 'no' is not a number", "map create type hash key 4 value 8 entries 1 flags no");
	EXPECT_KT(1, "map id 'q' is not a number", "map show id q");
	EXPECT_KT(1, "event_pipe: unknown 'frames'", "map event_pipe name k_list frames 3");
	EXPECT_KT(0, NULL, "map close name k_list");
}

/* kbpf show: the module's debugfs tables, aligned and typed, or in json. */
static void kbpf_show_lists_what_the_module_holds(void)
{
	static const char fake[] = "/tmp/kbpftool-fake-debugfs";
	FILE *f;

	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	EXPECT_KT(1, "not one of memory, maps, progs", "kbpf show bogus");
	EXPECT_KT(1, "kbpf show [memory|maps|progs]", "kbpf list");
	if (on_kbpf) {
		EXPECT_KT(0, NULL, "map create type lru_hash key 4 value 8 entries 8 name k_show");
		EXPECT_KT(0, NULL, "map update name k_show key 1 0 0 0 value 1 0 0 0 0 0 0 0");
		EXPECT_KT(0, NULL, "map lookup name k_show key 1 0 0 0");
		EXPECT_KT(0, "\"lookups\":1,\"updates\":1,\"deletes\":0,\"other_ops\":0",
			  "--json kbpf show maps");
		EXPECT_KT(0, "lru_hash", "kbpf show maps");
		EXPECT(strstr(last_out, "k_show\n"));
		EXPECT(strstr(last_out, "max_entries"));
		EXPECT_KT(0, "\"type\":\"lru_hash\"", "--json kbpf show");
		EXPECT(strstr(last_out, "\"name\":\"k_show\""));
		EXPECT(strstr(last_out, "\"key\":4,\"value\":8,\"max_entries\":8"));
		EXPECT(strstr(last_out, "\"memory\":{\"used\":"));
		EXPECT(strstr(last_out, "\"progs\":["));
		EXPECT_KT(0, "used", "kbpf show memory");
		EXPECT_KT(0, NULL, "map close name k_show");
	}
	/* A table that is not kbpf's: refused, with nothing printed. */
	mkdir(fake, 0700);
	f = fopen("/tmp/kbpftool-fake-debugfs/maps", "w");
	EXPECT(f);
	if (f) {
		fputs("id\ttype\tname\n1\t2\n", f);
		fclose(f);
	}
	setenv("KBPF_DEBUGFS", fake, 1);
	EXPECT_KT(1, "does not parse", "kbpf show maps");
	EXPECT(!last_out[0]);
	EXPECT_KT(1, "cannot read /tmp/kbpftool-fake-debugfs/progs", "kbpf show progs");
	unsetenv("KBPF_DEBUGFS");
}

static void programs_load_run_show_attach(void)
{
	struct bpf_insn ret7[] = { MOV64_IMM(BPF_REG_0, 7), EXIT() };
	struct bpf_insn xdp[] = { MOV64_IMM(BPF_REG_0, XDP_PASS), EXIT() };
	struct bpf_insn bad[] = { INSN(BPF_JMP | BPF_JA, 0, 0, 5, 0), EXIT() };

	if (!progs_here())
		return;
	EXPECT_KT(0, "id ", "prog load %s type raw_tracepoint name k_ret7",
		  insn_file("ret7", ret7, NR(ret7)));
	EXPECT_KT(0, "Return value: 7", "prog run name k_ret7");
	EXPECT_KT(0, "\"retval\":7", "--json prog run name k_ret7");
	EXPECT_KT(1, "Invalid argument", "prog run name k_ret7 repeat 3");	/* raw_tp: no repeat */
	EXPECT_KT(0, "raw_tracepoint  name k_ret7  tag ", "prog show name k_ret7");
	EXPECT_KT(0, "k_ret7", "prog list");
	EXPECT_KT(0, "\"type\":\"raw_tracepoint\"", "--json prog list");
	EXPECT_KT(0, NULL, "prog attach name k_ret7 raw_tp sys_enter");
	EXPECT_KT(1, "No such file", "prog attach name k_ret7 raw_tp no_such_tp");
	EXPECT_KT(1, "Invalid argument", "prog load %s type raw_tracepoint name k_bad",
		  insn_file("bad", bad, NR(bad)));
	EXPECT_KT(1, "map idx 0", "prog load %s type raw_tracepoint",
		  insn_file("nomap", (struct bpf_insn[]){ LD_MAP(BPF_REG_1, 0),
			    MOV64_IMM(BPF_REG_0, 0), EXIT() }, 4));
	if (on_kbpf) {
		/* kbpf's programs are not the kernel's: XDP refuses them. */
		if (!kt("prog load %s type xdp name k_xdp", insn_file("xdp", xdp, NR(xdp))))
			EXPECT_KT(1, "Invalid argument",
				  "prog attach name k_xdp xdpgeneric dev lo");
		return;
	}
	EXPECT_KT(0, NULL, "prog load %s type xdp name k_xdp", insn_file("xdp", xdp, NR(xdp)));
	EXPECT_KT(0, NULL, "prog attach name k_xdp xdpgeneric dev lo");
	EXPECT_KT(0, "xdp: generic", "net show dev lo");
	EXPECT_KT(1, "already attached", "prog attach name k_xdp xdpgeneric dev lo");
	EXPECT_KT(0, NULL, "prog attach name k_xdp xdpgeneric dev lo overwrite");
	EXPECT_KT(1, "native mode", "prog attach name k_xdp xdpdrv dev lo");
	EXPECT_KT(0, "\"mode\":\"generic\"", "--json net show dev lo");
	EXPECT_KT(0, NULL, "prog detach xdpgeneric dev lo");
	EXPECT_KT(0, "xdp: none", "net show dev lo");
	EXPECT_KT(1, "no interface", "net show dev no_such_dev");
}

static void pins(void)
{
	char cmd[256];

	EXPECT_KT(0, NULL, "map create type array key 4 value 4 entries 1 name k_pin");
	if (on_kbpf) {
		EXPECT_KT(1, "Invalid argument", "map pin name k_pin /tmp/k_pin");
		EXPECT_KT(1, "Invalid argument", "map show pinned /tmp/k_pin");
		kt("map close name k_pin");
		return;
	}
	if (!bpffs) {
		tap_skip_reason = "no bpffs could be mounted";
		kt("map close name k_pin");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s/k_pin", bpffs);
	EXPECT_KT(0, NULL, "map pin name k_pin %s", cmd);
	EXPECT_KT(0, NULL, "map close name k_pin");
	/* Pinned, it outlived the tool's fd. */
	EXPECT_KT(0, "k_pin", "map show pinned %s", cmd);
	EXPECT_KT(0, NULL, "map update pinned %s key 0 0 0 0 value 5 0 0 0", cmd);
	EXPECT_KT(0, "value: 05 00 00 00", "map dump pinned %s", cmd);
	EXPECT_KT(0, "id ", "map create %s/k_made type hash key 4 value 4 entries 2", bpffs);
	snprintf(cmd, sizeof(cmd), "%s/k_made", bpffs);
	EXPECT_KT(0, "hash", "map show pinned %s", cmd);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/k_pin", bpffs);
	unlink(cmd);
}

static void batch_files(void)
{
	const char *path = "/tmp/kbpftool.batch";
	FILE *f = fopen(path, "w");

	EXPECT(f != NULL);
	if (!f)
		return;
	fprintf(f, "# a batch: one process, so the map outlives each line\n"
		   "map create type hash key 4 value 4 entries 4 name k_batch\n"
		   "map update name k_batch key 1 0 0 0 value 2 0 0 0\n"
		   "\n"
		   "map update name k_batch key 2 0 0 0 value 4 0 0 0   # trailing\n"
		   "--json map dump name k_batch\n"
		   "map dump name k_batch\n"
		   "map close name k_batch\n");
	fclose(f);
	EXPECT_KT(0, "Found 2 elements", "batch file %s", path);
	EXPECT(strstr(last_out, "\"value\":[\"0x04\""));
	f = fopen(path, "w");
	fprintf(f, "map create type hash key 4 value 4 entries 4 name k_batch2\n"
		   "map lookup name k_batch2 key 9 0 0 0\n"
		   "map dump name k_batch2\n");
	fclose(f);
	EXPECT_KT(1, "line 2 failed", "batch file %s", path);
	EXPECT(!strstr(last_out, "Found"));	/* stopped at the error */
	kt("map close name k_batch2");
	unlink(path);
}

static const struct tap_test tests[] = {
	TAP_TEST(array_maps),
	TAP_TEST(percpu_array_maps),
	TAP_TEST(hash_maps),
	TAP_TEST(percpu_hash_maps),
	TAP_TEST(lru_hash_maps),
	TAP_TEST(lru_percpu_hash_maps),
	TAP_TEST(queue_maps),
	TAP_TEST(stack_maps),
	TAP_TEST(ringbuf_maps),
	TAP_TEST(perf_event_array_maps),
	TAP_TEST(lists_and_json),
	TAP_TEST(programs_load_run_show_attach),
	TAP_TEST(pins),
	TAP_TEST(batch_files),
	TAP_TEST(kbpf_show_lists_what_the_module_holds),
};

static void run_on(const char *name, bool kbpf)
{
	char prefix[64];

	backend = name;
	on_kbpf = kbpf;
	out = open_memstream(&out_buf, &out_len);
	err = open_memstream(&err_buf, &err_len);
	out_at = err_at = 0;
	tool = kbpftool_new(out, err);
	snprintf(prefix, sizeof(prefix), "kbpftool: [%s] ", name);
	shim_run(tests, TAP_COUNT(tests), prefix);
	kbpftool_free(tool);
	fclose(out);
	fclose(err);
	free(out_buf);
	free(err_buf);
}

int main(void)
{
	static char dir[] = "/tmp/kbpftool-bpffs";

	setvbuf(stdout, NULL, _IOLBF, 0);
	unsetenv("ABPF_BACKEND");
	mkdir(dir, 0700);
	if (!mount("bpf", dir, "bpf", 0, NULL))
		bpffs = dir;
	run_on("kernel", false);
	run_on("kbpf", true);
	if (bpffs)
		umount(bpffs);
	return tap_done();
}
