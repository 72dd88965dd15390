// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * abpf-demo: one ARRAY map created, filled and read through libabpf's
 * libbpf-compatible calls, first on the kernel's bpf(2), then on kbpf's
 * /dev/kbpf, with the answers to a few invalid requests side by side.
 *
 *   abpf-demo [kernel|kbpf]	(default: both)
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <abpf/bpf.h>

#define ENTRIES 8

/* "0" or "-EEXIST" for a libbpf-style return value. */
static const char *result(int ret)
{
	static char buf[32];

	if (ret >= 0)
		snprintf(buf, sizeof(buf), "%d", ret);
	else
		snprintf(buf, sizeof(buf), "-%s", strerrorname_np(-ret));
	return buf;
}

/* One line of the map's fdinfo, e.g. "memlock". */
static void print_fdinfo(int fd)
{
	char path[64], buf[1024];
	const char *keys[] = { "map_type", "key_size", "value_size",
			       "max_entries", "memlock" };
	ssize_t n;
	size_t i;
	int info;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	info = open(path, O_RDONLY);
	n = info < 0 ? -1 : read(info, buf, sizeof(buf) - 1);
	if (info >= 0)
		close(info);
	if (n <= 0)
		return;
	buf[n] = '\0';
	printf("  fdinfo:");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *line = strstr(buf, keys[i]);
		unsigned long long v;

		if (line && sscanf(line + strlen(keys[i]) + 1, "%llu", &v) == 1)
			printf(" %s=%llu", keys[i], v);
	}
	printf("\n");
}

/* Run the demo on the default backend; returns the number of failures. */
static int demo(const char *label, char errors[4][32])
{
	__u32 key, next, past = ENTRIES;
	__u64 value;
	int fd, ret, failures = 0;

	printf("== %s ==\n", label);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "squares", sizeof(key),
			    sizeof(value), ENTRIES, NULL);
	printf("  bpf_map_create(ARRAY \"squares\", key 4 B, value 8 B, %d entries) = %s\n",
	       ENTRIES, result(fd));
	if (fd < 0)
		return 1;

	for (key = 0; key < ENTRIES; key++) {
		value = (__u64)key * key;
		ret = bpf_map_update_elem(fd, &key, &value, BPF_ANY);
		failures += ret != 0;
	}
	printf("  bpf_map_update_elem(i, i*i, BPF_ANY) for i = 0..%d: %s\n",
	       ENTRIES - 1, failures ? "FAILED" : "ok");

	printf("  walk: bpf_map_get_next_key + bpf_map_lookup_elem\n");
	printf("      key     value\n");
	for (ret = bpf_map_get_next_key(fd, NULL, &next); ret == 0;
	     ret = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &value)) {
			failures++;
			break;
		}
		printf("    %5u %9llu\n", key, (unsigned long long)value);
	}
	printf("  end of walk: %s\n", result(ret));

	key = 3;
	value = 0;
	snprintf(errors[0], 32, "%s", result(bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST)));
	snprintf(errors[1], 32, "%s", result(bpf_map_update_elem(fd, &past, &value, BPF_ANY)));
	snprintf(errors[2], 32, "%s", result(bpf_map_lookup_elem(fd, &past, &value)));
	snprintf(errors[3], 32, "%s", result(bpf_map_delete_elem(fd, &key)));
	print_fdinfo(fd);
	close(fd);
	return failures;
}

int main(int argc, char **argv)
{
	static const char *const what[4] = {
		"update key 3 with BPF_NOEXIST (every array key exists)",
		"update key 8 (past max_entries)",
		"lookup key 8",
		"delete key 3 (array elements cannot be deleted)",
	};
	char errors[2][4][32];
	int failures = 0, ran[2] = { 0, 0 }, i;
	const char *only = argc > 1 ? argv[1] : "";

	memset(errors, 0, sizeof(errors));
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("kbpf demo: an ARRAY map through libabpf, on both backends\n\n");
	if (!*only || !strcmp(only, "kernel")) {
		abpf_set_default_backend(ABPF_BACKEND_KERNEL);
		failures += demo("kernel: bpf(2)", errors[0]);
		ran[0] = 1;
	}
	if (!*only || !strcmp(only, "kbpf")) {
		abpf_set_default_backend(ABPF_BACKEND_KBPF);
		failures += demo("kbpf: ioctl on /dev/kbpf", errors[1]);
		ran[1] = 1;
	}

	printf("\n  %-56s %-10s %-10s\n", "invalid request", "kernel", "kbpf");
	for (i = 0; i < 4; i++)
		printf("  %-56s %-10s %-10s\n", what[i], ran[0] ? errors[0][i] : "-",
		       ran[1] ? errors[1][i] : "-");
	if (ran[0] && ran[1]) {
		int same = !memcmp(errors[0], errors[1], sizeof(errors[0]));

		printf("\n  same answers from both backends: %s\n", same ? "yes" : "NO");
		failures += !same;
	}
	return failures ? 1 : 0;
}
