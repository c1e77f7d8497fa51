/*
 * t.h - the unit tests' tiny harness: table-driven checks that print one
 * line per failure and a closing "N passed, N failed" for tests/run.sh.
 */
#ifndef SL_T_H
#define SL_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define T_CHECK(cond, ...)                                                  \
	do {                                                                \
		if (cond) {                                                 \
			t_pass++;                                           \
		} else {                                                    \
			t_fail++;                                           \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);         \
			printf(__VA_ARGS__);                                \
			printf("\n");                                       \
		}                                                           \
	} while (0)

#define T_STREQ(got, want, what)                                            \
	do {                                                                \
		const char *g_ = (got), *w_ = (want);                       \
		T_CHECK(g_ && w_ && !strcmp(g_, w_),                        \
		        "%s: got '%s', want '%s'", (what), g_ ? g_ : "(null)", \
		        w_ ? w_ : "(null)");                                \
	} while (0)

#define T_EQ(got, want, what)                                               \
	do {                                                                \
		long long g_ = (long long)(got), w_ = (long long)(want);    \
		T_CHECK(g_ == w_, "%s: got %lld, want %lld", (what), g_, w_); \
	} while (0)

static inline int t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
