/*
 * bench_phrases.c - what phrase matching costs as phrases are added.
 *
 * In: nothing (it writes its own rules and text to a temporary
 * directory).  Out: for 0, 50, 500 and 5,000 phrase entries over the same
 * ~1 MB of prose, the context load time, the best-of-N lint time and the
 * phrase pass's share (lint time minus the time with no phrase rules),
 * as MB/s.  Six of the phrases occur in the text (the same hits for every
 * count); the others share their first words with it.
 *
 * Built by `make bench` (which runs it); by hand, from the source root:
 *   cc -std=c11 -D_DEFAULT_SOURCE -O2 -Ilint tests/bench_phrases.c \
 *      build/release/libsendlint.a $(pkg-config --libs libxml-2.0 \
 *      libpcre2-8 yaml-0.1 hunspell) -lm -o build/bench_phrases
 *   ./build/bench_phrases [KB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"

static char dir[] = "/tmp/sl_bench_phrases_XXXXXX";

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const w1[] = {
	"order", "account", "payment", "customer", "service", "delivery",
	"refund", "policy", "price", "support", "team", "message", "offer",
	"product", "update", "change", "review", "request", "issue", "notice",
	"apologize", "feel", "thank", "help", "sorry",
};
static const char *const w2[] = {
	"has", "will", "can", "must", "should", "would", "may", "might",
	"does", "did", "is", "was", "shall", "could", "need", "wants",
	"gets", "makes", "takes", "gives",
};
/* phrases the text holds */
static const char *const real[] = {
	"order has shipped", "customer service", "we apologize", "thank you",
	"the refund", "new policy",
};
#define NREAL (sizeof real / sizeof *real)
#define N1 (sizeof w1 / sizeof *w1)
#define N2 (sizeof w2 / sizeof *w2)

/* A rule dir with n phrase entries spread over rules of 50 that never
 * match but begin like the text's words (the matcher walks into them),
 * plus (n > 0) one rule of 6 phrases that occur: the hits stay the same
 * whatever n. */
static void write_rules(const char *sub, size_t n)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s", dir, sub);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/%s/b", dir, sub);
	mkdir(path, 0700);
	/* a trivial regex rule so that every dir loads something */
	snprintf(path, sizeof path, "%s/%s/b/base.yml", dir, sub);
	FILE *f = fopen(path, "w");
	if (!f)
		exit(2);
	fprintf(f, "kind: regex\nscope: subject\npattern: zzzz\nmessage: x\ndescription: x\n");
	fclose(f);
	f = NULL;
	for (size_t i = 0; i < n; i++) {
		if (i % 50 == 0) {
			if (f)
				fclose(f);
			snprintf(path, sizeof path, "%s/%s/b/r%05zu.yml", dir, sub, i / 50);
			f = fopen(path, "w");
			if (!f)
				exit(2);
			fprintf(f, "kind: phrase\nscope: paragraph\nmessage: \"'{match}'\"\n"
			           "description: x\nphrases:\n");
		}
		fprintf(f, "  - %s %s zq%zu\n", w1[i % N1], w2[(i / N1) % N2], i);
	}
	if (f)
		fclose(f);
	if (!n)
		return;
	/* the same hits whatever n: one rule whose phrases occur */
	snprintf(path, sizeof path, "%s/%s/b/real.yml", dir, sub);
	f = fopen(path, "w");
	if (!f)
		exit(2);
	fprintf(f, "kind: phrase\nscope: paragraph\nmessage: \"'{match}'\"\n"
	           "description: x\nphrases:\n");
	for (size_t i = 0; i < NREAL; i++)
		fprintf(f, "  - %s\n", real[i]);
	fclose(f);
}

static char *make_text(size_t kb, size_t *len)
{
	static const char para[] =
		"Your order has shipped and the payment was received. Our customer "
		"service team will review the request and update the account. The "
		"delivery can change if the price does. Thank you for your support; "
		"this message gives notice of the new policy and our offer. We "
		"apologize for the delay and we feel the refund should help.\n\n";
	size_t n = kb * 1024 / (sizeof para - 1) + 1;
	*len = n * (sizeof para - 1);
	char *t = malloc(*len + 1);
	if (!t)
		exit(2);
	for (size_t i = 0; i < n; i++)
		memcpy(t + i * (sizeof para - 1), para, sizeof para - 1);
	t[*len] = 0;
	return t;
}

int main(int argc, char **argv)
{
	size_t kb = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 1024;
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	static const size_t counts_all[] = { 0, 50, 500, 5000 };
	const size_t *counts = counts_all;
	size_t ncounts = sizeof counts_all / sizeof *counts_all;
	size_t one[1];
	if (argc > 2) { /* one count only (for profiling) */
		one[0] = (size_t)strtoul(argv[2], NULL, 10);
		counts = one;
		ncounts = 1;
	}
	size_t len;
	char *text = make_text(kb, &len);
	printf("text: %zu KB of prose, best of 5 lints\n", len >> 10);
	printf("%8s %10s %10s %10s %12s %8s\n", "phrases", "load ms", "lint ms", "phrase ms",
	       "phrase MB/s", "hits");
	for (size_t k = 0; k < ncounts; k++) {
		char sub[32], rd[600];
		snprintf(sub, sizeof sub, "p%zu", counts[k]);
		write_rules(sub, counts[k]);
		snprintf(rd, sizeof rd, "%s/%s", dir, sub);
		const char *dirs[1] = { rd };
		sl_options o;
		memset(&o, 0, sizeof o);
		o.rule_dirs = dirs;
		o.nrule_dirs = 1;
		o.limits.diagnostics = 1000000;
		sl_context *ctx;
		double t0 = now();
		if (sl_context_new(&ctx, &o)) {
			fprintf(stderr, "%s", sl_context_errmsg(ctx));
			return 1;
		}
		double load = now() - t0, best = 1e9, pbest = 1e9;
		size_t hits = 0;
		for (int rep = 0; rep < 5; rep++) {
			sl_result *r;
			t0 = now();
			if (sl_lint(&r, ctx, "bench.txt", (const unsigned char *)text, len))
				return 1;
			double t = now() - t0;
			if (t < best)
				best = t;
			/* the phrase pass alone, over the document just built */
			sl_run run;
			memset(&run, 0, sizeof run);
			run.r = r;
			run.ctx = ctx;
			size_t nr = ctx->nrule;
			run.first = arena_array(&r->arena, nr, sizeof *run.first);
			run.count = arena_zalloc(&r->arena, nr * sizeof *run.count);
			for (size_t i = 0; i < nr; i++)
				run.first[i] = SIZE_MAX;
			t0 = now();
			phrase_ops.run(&run);
			t = now() - t0;
			if (t < pbest)
				pbest = t;
			hits = run.nhit;
			sl_result_free(r);
		}
		if (!counts[k])
			pbest = 0;
		printf("%8zu %10.1f %10.1f %10.2f %12.0f %8zu\n", counts[k], load * 1e3,
		       best * 1e3, pbest * 1e3, pbest > 0 ? (double)len / pbest / 1e6 : 0.0, hits);
		sl_context_free(ctx);
	}
	free(text);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
