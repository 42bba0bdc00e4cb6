/* SPDX-License-Identifier: GPL-2.0 */
/* check.h - a minimal test harness: CHECK macros count passes/failures. */
#ifndef GTOP_CHECK_H
#define GTOP_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

extern int check_passed, check_failed;

#define CHECK_REPORT(ok, fmt, ...)                                         \
	do {                                                               \
		if (ok) {                                                  \
			check_passed++;                                    \
		} else {                                                   \
			check_failed++;                                    \
			fprintf(stderr, "%s:%d: " fmt "\n", __FILE__,      \
				__LINE__, __VA_ARGS__);                    \
		}                                                          \
	} while (0)

#define CHECK(c) CHECK_REPORT((c), "CHECK(%s) failed", #c)

#define CHECK_INT(a, b)                                                    \
	do {                                                               \
		long long a_ = (long long)(a), b_ = (long long)(b);        \
		CHECK_REPORT(a_ == b_, "%s == %lld, expected %s == %lld",  \
			     #a, a_, #b, b_);                              \
	} while (0)

#define CHECK_NEAR(a, b, eps)                                              \
	do {                                                               \
		double a_ = (a), b_ = (b);                                 \
		CHECK_REPORT(fabs(a_ - b_) <= (eps), "%s == %g, expected %g", \
			     #a, a_, b_);                                  \
	} while (0)

#define CHECK_STR(a, b)                                                    \
	do {                                                               \
		const char *a_ = (a), *b_ = (b);                           \
		CHECK_REPORT(a_ && b_ && !strcmp(a_, b_),                  \
			     "%s == \"%s\", expected \"%s\"", #a,          \
			     a_ ? a_ : "(null)", b_ ? b_ : "(null)");      \
	} while (0)

/* a figure of a row: valid and near v */
#define CHECK_VAL(row_, f_, want_) \
	CHECK_NEAR((row_)->val[f_].ok ? (row_)->val[f_].v : NAN, (want_), 0.01)
#define CHECK_NOVAL(row, f) CHECK_REPORT(!(row)->val[f].ok, "%s.%s should be unknown", #row, #f)

void test_parse(void);
void test_util(void);
void test_model(void);
void test_live(void);
void test_live_last(void);	/* lowers RLIMIT_NOFILE */
void test_scan(void);
void test_layout(void);
void test_output(void);
void test_opts(void);
void test_http(void);
void test_wall(void);
void test_record(void);
void test_quant(void);
void test_hist(void);

#endif
