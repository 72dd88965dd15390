/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A minimal TAP producer for kbpf's test programs: one "ok N - name" or
 * "not ok N - name" line per test, the failed expectations as comments
 * under it, and "1..N" at the end.  The exit status is 1 if any test
 * failed.
 */
#ifndef KBPF_TAP_H
#define KBPF_TAP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tap_test {
	const char *name;
	void (*fn)(void);
};

static int tap_num, tap_failed_tests, tap_cur_failures;

#define tap_fail(fmt, ...)						\
	do {								\
		tap_cur_failures++;					\
		printf("#   %s:%d: " fmt "\n", __FILE__, __LINE__,	\
		       ##__VA_ARGS__);					\
	} while (0)

/* EXPECT(cond): record a failure, carry on with the test. */
#define EXPECT(cond)							\
	do {								\
		if (!(cond))						\
			tap_fail("expected %s", #cond);			\
	} while (0)

/* EXPECT_EQ(a, b) for integers, printing both sides on failure. */
#define EXPECT_EQ(a, b)							\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b)						\
			tap_fail("expected %s == %s, got %lld and %lld", \
				 #a, #b, _a, _b);			\
	} while (0)

/*
 * EXPECT_ERRNO(call, err): call returns -err (libbpf convention) and
 * leaves err in errno; err 0 means the call must return >= 0.
 */
#define EXPECT_ERRNO(call, err)						\
	do {								\
		int _want = (err);					\
		errno = 0;						\
		long _ret = (long)(call);				\
		int _errno = errno;					\
		if (_want == 0 && _ret < 0)				\
			tap_fail("%s failed: %s", #call, strerror(-(int)_ret)); \
		else if (_want && (_ret != -_want || _errno != _want))	\
			tap_fail("%s: want -%s, got %ld (errno %s)", #call, \
				 strerrorname_np(_want), _ret,		\
				 _errno ? strerrorname_np(_errno) : "0"); \
	} while (0)

/*
 * EXPECT_SYSERR(call, err): call returns -1 with errno err (system call
 * convention); err 0 means the call must return >= 0.
 */
#define EXPECT_SYSERR(call, err)					\
	do {								\
		int _want = (err);					\
		errno = 0;						\
		long _ret = (long)(call);				\
		int _errno = errno;					\
		if (_want == 0 && _ret < 0)				\
			tap_fail("%s failed: %s", #call, strerror(_errno)); \
		else if (_want && (_ret != -1 || _errno != _want))	\
			tap_fail("%s: want -1/%s, got %ld/%s", #call,	\
				 strerrorname_np(_want), _ret,		\
				 _errno ? strerrorname_np(_errno) : "0"); \
	} while (0)

/* Report one test's result under @name. */
static inline void tap_report(const char *name)
{
	tap_num++;
	if (tap_cur_failures)
		tap_failed_tests++;
	printf("%sok %d - %s\n", tap_cur_failures ? "not " : "", tap_num, name);
	fflush(stdout);
	tap_cur_failures = 0;
}

/* Run @n tests, naming each "<prefix><name>". */
static inline void tap_run(const struct tap_test *tests, size_t n,
			   const char *prefix)
{
	char name[256];
	size_t i;

	for (i = 0; i < n; i++) {
		tap_cur_failures = 0;
		tests[i].fn();
		snprintf(name, sizeof(name), "%s%s", prefix, tests[i].name);
		tap_report(name);
	}
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_num);
	fflush(stdout);
	return tap_failed_tests ? 1 : 0;
}

#define TAP_TEST(fn) { #fn, fn }
#define TAP_COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))

#endif /* KBPF_TAP_H */
