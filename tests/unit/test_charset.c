/*
 * test_charset.c - charset_to_utf8 and charset_sniff_html: every charset
 * the decoder must know with a sample and its exact UTF-8, invalid data,
 * unknown charsets, NUL bytes, byte order marks, the 8-bit guesses, the
 * decoded-size limit, exactness of the map, and <meta charset> sniffing.
 */
#include <stdlib.h>

#include "internal.h"
#include "t.h"
#include "t_result.h"

#define B(s) s, sizeof(s) - 1

static sl_result *mk(const char *s, size_t n)
{
	return t_result(s, n);
}

static void rfree(sl_result *r)
{
	t_result_free(r);
}

/* The source-map invariants of t over the file r->src. */
static int map_ok(const sl_result *r, const sl_text *t)
{
	size_t at = 0;
	for (size_t i = 0; i < t->nseg; i++) {
		const sl_seg *s = &t->seg[i];
		if (s->out != at || s->src + s->src_len > r->len)
			return 0;
		if (s->exact && (s->out_len != s->src_len ||
		                 memcmp(r->src + s->src, t->p + s->out, s->out_len)))
			return 0;
		at += s->out_len;
	}
	return at == t->len && t->p[t->len] == 0;
}

static const char *esc(const char *p, size_t n)
{
	static char buf[4][512];
	static int k;
	char *o = buf[k++ & 3];
	size_t j = 0;
	for (size_t i = 0; i < n && j + 5 < sizeof buf[0]; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7F) {
			o[j++] = (char)c;
		} else {
			snprintf(o + j, 5, "\\x%02x", c);
			j += 4;
		}
	}
	o[j] = 0;
	return o;
}

/* The diagnostics' rule ids, space-separated, in order. */
static const char *rules(const sl_result *r)
{
	static char buf[512];
	size_t j = 0;
	buf[0] = 0;
	for (size_t i = 0; i < r->ndiag && j < sizeof buf - 64; i++)
		j += (size_t)snprintf(buf + j, sizeof buf - j, "%s%s", i ? " " : "",
		                      r->diag[i].rule);
	return buf;
}

static const struct {
	const char *cs;        /* NULL: undeclared */
	const char *in;
	size_t len;
	const char *want;
	const char *diag;      /* rule ids expected, space-separated; NULL: none */
} cases[] = {
	/* ASCII-compatible, the fast path */
	{ "utf-8", B("hello"), "hello", NULL },
	{ "us-ascii", B("hello"), "hello", NULL },
	{ "ascii", B("a b"), "a b", NULL },
	{ "ansi_x3.4-1968", B("x"), "x", NULL },
	{ NULL, B("plain"), "plain", NULL },
	{ "utf-8", B("caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80"),
	  "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80", NULL },
	{ "UTF8", B("\xc3\xa9"), "\xc3\xa9", NULL },
	/* windows-1252 and ISO-8859-1, read as windows-1252 */
	{ "iso-8859-1", B("caf\xe9"), "caf\xc3\xa9", NULL },
	{ "latin1", B("\xe9t\xe9"), "\xc3\xa9t\xc3\xa9", NULL },
	{ "iso8859-1", B("\xfc"), "\xc3\xbc", NULL },
	{ "ISO_8859-1:1987", B("\xfc"), "\xc3\xbc", NULL },
	{ "iso-8859-1", B("\x93q\x94"), "\xe2\x80\x9cq\xe2\x80\x9d", NULL },
	{ "windows-1252", B("\x80 \x81 \x9f"), "\xe2\x82\xac \xc2\x81 \xc5\xb8", NULL },
	{ "cp1252", B("\x85"), "\xe2\x80\xa6", NULL },
	/* ISO-8859-2..16 */
	{ "iso-8859-2", B("\xb1\xe6"), "\xc4\x85\xc4\x87", NULL },
	{ "iso-8859-3", B("\xa5"), "\xef\xbf\xbd", "input/bad-charset-data" },
	{ "iso-8859-4", B("\xe0"), "\xc4\x81", NULL },
	{ "iso-8859-5", B("\xbf\xe0\xd8\xd2\xd5\xe2"),
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", NULL },
	{ "iso-8859-6", B("\xc7"), "\xd8\xa7", NULL },
	{ "iso-8859-7", B("\xe1\xe2"), "\xce\xb1\xce\xb2", NULL },
	{ "iso-8859-8", B("\xe0"), "\xd7\x90", NULL },
	{ "iso-8859-9", B("\xfd"), "\xc4\xb1", NULL },
	{ "iso-8859-10", B("\xa1"), "\xc4\x84", NULL },
	{ "iso-8859-11", B("\xa1"), "\xe0\xb8\x81", NULL },
	{ "iso-8859-13", B("\xe0"), "\xc4\x85", NULL },
	{ "iso-8859-14", B("\xa1"), "\xe1\xb8\x82", NULL },
	{ "iso-8859-15", B("\xa4"), "\xe2\x82\xac", NULL },
	{ "iso_8859-15", B("\xa4"), "\xe2\x82\xac", NULL },
	{ "iso-8859-16", B("\xa4"), "\xe2\x82\xac", NULL },
	/* windows-125x */
	{ "windows-1250", B("\x9a"), "\xc5\xa1", NULL },
	{ "windows-1251", B("\xcf\xf0\xe8\xe2\xe5\xf2"),
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", NULL },
	{ "cp1251", B("\xcf"), "\xd0\x9f", NULL },
	{ "windows-1253", B("\xe1"), "\xce\xb1", NULL },
	{ "windows-1254", B("\xfe"), "\xc5\x9f", NULL },
	{ "windows-1255", B("\xf9"), "\xd7\xa9", NULL },
	{ "windows-1256", B("\xc7"), "\xd8\xa7", NULL },
	{ "windows-1257", B("\xe0"), "\xc4\x85", NULL },
	{ "windows-1258", B("\xe0"), "\xc3\xa0", NULL },
	/* KOI8 */
	{ "koi8-r", B("\xf0\xd2\xc9\xd7\xc5\xd4"),
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", NULL },
	{ "koi8-u", B("\xa4"), "\xd1\x94", NULL },
	/* Chinese: GB2312 and GBK decode as GB18030 */
	{ "gb2312", B("\xc4\xe3\xba\xc3"), "\xe4\xbd\xa0\xe5\xa5\xbd", NULL },
	{ "gbk", B("\xc4\xe3 a"), "\xe4\xbd\xa0 a", NULL },
	{ "gb18030", B("\x81\x30\x81\x30"), "\xc2\x80", NULL },
	{ "big5", B("\xa7\x41\xa6\x6e"), "\xe4\xbd\xa0\xe5\xa5\xbd", NULL },
	{ "big5-hkscs", B("\x88\x62!"), "\xc3\x8a\xcc\x84!", NULL },
	/* Japanese */
	{ "shift_jis", B("\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd"),
	  "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf", NULL },
	{ "x-sjis", B("\\~\x83\x5c"), "\\~\xe3\x82\xbd", NULL },
	{ "shift-jis", B("\x82\xa0"), "\xe3\x81\x82", NULL },
	{ "euc-jp", B("\xa4\xb3\xa4\xf3"), "\xe3\x81\x93\xe3\x82\x93", NULL },
	{ "iso-2022-jp", B("\x1b$B$3$s$K$A$O\x1b(B"),
	  "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf", NULL },
	{ "iso-2022-jp", B("a \x1b$B$3\x1b(B b\nc"), "a \xe3\x81\x93 b\nc", NULL },
	/* Korean */
	{ "euc-kr", B("\xbe\xc8\xb3\xe7"), "\xec\x95\x88\xeb\x85\x95", NULL },
	{ "ks_c_5601-1987", B("\xbe\xc8"), "\xec\x95\x88", NULL },
	/* wide and stateful */
	{ "utf-16le", B("h\0i\0"), "hi", NULL },
	{ "utf-16be", B("\0h\0i"), "hi", NULL },
	{ "utf-16", B("\xff\xfeh\0i\0"), "hi", NULL },
	{ "utf-32le", B("h\0\0\0"), "h", NULL },
	{ "utf-7", B("Hi +AKM-1"), "Hi \xc2\xa3" "1", NULL },
	/* invalid data */
	{ "utf-8", B("a\xff" "b\xfe"), "a\xef\xbf\xbd" "b\xef\xbf\xbd", "input/bad-charset-data" },
	{ "utf-8", B("a\xe2\x80"), "a\xef\xbf\xbd", "input/bad-charset-data" },
	{ "utf-8", B("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "input/bad-charset-data" },
	{ "utf-8", B("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd", "input/bad-charset-data" },
	{ "shift_jis", B("a\x82"), "a\xef\xbf\xbd", "input/bad-charset-data" },
	{ "euc-kr", B("\xff" "a"), "\xef\xbf\xbd" "a", "input/bad-charset-data" },
	{ "iso-2022-jp", B("\x1b$B\xff\x1b(B"), "\xef\xbf\xbd", "input/bad-charset-data" },
	/* unknown charsets fall back to windows-1252 */
	{ "x-no-such-charset", B("caf\xe9"), "caf\xc3\xa9", "input/unknown-charset" },
	{ "x-no-such-charset", B("plain"), "plain", "input/unknown-charset" },
	{ "bad/name", B("a"), "a", "input/unknown-charset" },
	{ "unknown-8bit", B("\x80"), "\xe2\x82\xac", "input/unknown-charset" },
	/* NUL bytes */
	{ "utf-8", B("a\0b"), "a\xef\xbf\xbd" "b", "input/nul-byte" },
	{ NULL, B("\0"), "\xef\xbf\xbd", "input/nul-byte" },
	{ "iso-8859-1", B("\xe9\0"), "\xc3\xa9\xef\xbf\xbd", "input/nul-byte" },
	{ "koi8-r", B("\0\xf0"), "\xef\xbf\xbd\xd0\x9f", "input/nul-byte" },
	{ "shift_jis", B("\0\x82\xa0"), "\xef\xbf\xbd\xe3\x81\x82", "input/nul-byte" },
	{ "utf-16le", B("a\0\0\0"), "a\xef\xbf\xbd", "input/nul-byte" },
	/* byte order marks */
	{ "utf-8", B("\xef\xbb\xbfhi"), "hi", NULL },
	{ NULL, B("\xef\xbb\xbfhi \xc3\xa9"), "hi \xc3\xa9", NULL },
	{ "us-ascii", B("\xef\xbb\xbfhi"), "hi", "input/8bit-in-ascii" },
	/* 8-bit guesses */
	{ NULL, B("caf\xc3\xa9"), "caf\xc3\xa9", "input/undeclared-8bit" },
	{ NULL, B("caf\xe9"), "caf\xc3\xa9", "input/undeclared-8bit" },
	{ "us-ascii", B("caf\xc3\xa9"), "caf\xc3\xa9", "input/8bit-in-ascii" },
	{ "us-ascii", B("caf\xe9"), "caf\xc3\xa9", "input/8bit-in-ascii" },
	/* mislabelled UTF-8 */
	{ "iso-8859-1", B("caf\xc3\xa9"), "caf\xc3\x83\xc2\xa9", "input/charset-mismatch" },
	{ "gb2312", B("\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0"),
	  "\xe6\xb5\xa3\xe7\x8a\xb2\xe3\x82\xbd\xe6\xb5\xa3\xef\xbf\xbd",
	  "input/charset-mismatch input/bad-charset-data" },
	{ "gb2312", B("\xe4\xbd\xa0"), "\xe6\xb5\xa3\xef\xbf\xbd", "input/bad-charset-data" },
	/* names with quotes and spaces around them */
	{ " \"utf-8\" ", B("\xc3\xa9"), "\xc3\xa9", NULL },
	/* empty */
	{ "utf-8", B(""), "", NULL },
	{ "iso-2022-jp", B(""), "", NULL },
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		sl_result *r = mk(cases[i].in, cases[i].len);
		sl_text out;
		charset_to_utf8(r, cases[i].cs, &r->srctext, &out, (sl_span){ 0, 0, 0 });
		size_t wl = strlen(cases[i].want);
		T_CHECK(out.len == wl && !memcmp(out.p, cases[i].want, wl),
		        "case %zu (%s): got '%s', want '%s'", i,
		        cases[i].cs ? cases[i].cs : "NULL", esc(out.p, out.len),
		        esc(cases[i].want, wl));
		T_CHECK(map_ok(r, &out), "case %zu (%s): bad map", i,
		        cases[i].cs ? cases[i].cs : "NULL");
		const char *got = rules(r), *want = cases[i].diag ? cases[i].diag : "";
		T_CHECK(!strcmp(got, want), "case %zu (%s): diagnostics '%s', want '%s'", i,
		        cases[i].cs ? cases[i].cs : "NULL", got, want);
		rfree(r);
	}
}

/* Output ranges and the original spans they must map to. */
static const struct {
	const char *cs;
	const char *in;
	size_t len;
	size_t off, end;       /* output bytes */
	size_t soff, send;     /* their original span */
	int exact;
} spans[] = {
	{ "iso-8859-1", B("caf\xe9!"), 0, 3, 0, 3, 1 },
	{ "iso-8859-1", B("caf\xe9!"), 3, 5, 3, 4, 0 },
	{ "iso-8859-1", B("caf\xe9!"), 5, 6, 4, 5, 1 },
	{ "iso-8859-1", B("caf\xe9!"), 0, 6, 0, 5, 0 },
	{ "utf-8", B("caf\xc3\xa9!"), 0, 6, 0, 6, 1 },
	{ "utf-8", B("\xef\xbb\xbfhi"), 0, 2, 3, 5, 1 },
	{ "utf-8", B("a\xff" "b"), 1, 4, 1, 2, 0 },
	{ "utf-8", B("a\xff" "b"), 4, 5, 2, 3, 1 },
	{ "shift_jis", B("a\x82\xa0" "b"), 0, 1, 0, 1, 1 },
	{ "shift_jis", B("a\x82\xa0" "b"), 1, 4, 1, 3, 0 },
	{ "shift_jis", B("a\x82\xa0" "b"), 4, 5, 3, 4, 1 },
	{ "koi8-r", B("x \xf0\xd2"), 2, 4, 2, 3, 0 },
	{ "koi8-r", B("x \xf0\xd2"), 4, 6, 3, 4, 0 },
	{ "big5-hkscs", B("\x88\x62!"), 0, 4, 0, 2, 0 },
	{ "big5-hkscs", B("\x88\x62!"), 4, 5, 2, 3, 1 },
	{ "iso-2022-jp", B("a\n\x1b$B$3\x1b(B\n"), 0, 2, 0, 2, 0 },
	{ "iso-2022-jp", B("a\n\x1b$B$3\x1b(B\n"), 2, 6, 2, 11, 0 },
	{ "utf-16le", B("h\0i\0"), 1, 2, 0, 4, 0 },
	{ "utf-8", B("a\0b"), 1, 4, 1, 2, 0 },
};

static void test_spans(void)
{
	for (size_t i = 0; i < sizeof spans / sizeof *spans; i++) {
		sl_result *r = mk(spans[i].in, spans[i].len);
		sl_text out;
		charset_to_utf8(r, spans[i].cs, &r->srctext, &out, (sl_span){ 0, 0, 0 });
		sl_span sp = text_span(&out, spans[i].off, spans[i].end);
		T_CHECK(sp.off == spans[i].soff && sp.end == spans[i].send &&
		        sp.exact == spans[i].exact,
		        "span %zu (%s [%zu,%zu)): got [%zu,%zu) exact %d, want [%zu,%zu) exact %d",
		        i, spans[i].cs, spans[i].off, spans[i].end, sp.off, sp.end, sp.exact,
		        spans[i].soff, spans[i].send, spans[i].exact);
		rfree(r);
	}
}

/* Diagnostics: spans, counts in messages, the declaration's span. */
static void test_diags(void)
{
	sl_result *r = mk(B("a\xff" "b\xfe"));
	sl_text out;
	charset_to_utf8(r, "utf-8", &r->srctext, &out, (sl_span){ 0, 0, 0 });
	T_EQ(r->ndiag, 1, "bad utf-8: one diagnostic");
	T_EQ(r->diag[0].offset, 1, "bad utf-8: at the first bad byte");
	T_EQ(r->diag[0].end_offset, 2, "bad utf-8: one byte");
	T_STREQ(r->diag[0].message,
	        "2 invalid byte sequences for charset 'utf-8', shown as U+FFFD",
	        "bad utf-8 message");
	rfree(r);

	r = mk(B("x\0y\0"));
	charset_to_utf8(r, NULL, &r->srctext, &out, (sl_span){ 0, 0, 0 });
	T_EQ(r->ndiag, 1, "nul: one diagnostic");
	T_EQ(r->diag[0].offset, 1, "nul: at the first");
	T_STREQ(r->diag[0].message, "2 NUL bytes in the text, shown as U+FFFD", "nul message");
	rfree(r);

	r = mk(B("caf\xe9"));
	charset_to_utf8(r, "X-Weird", &r->srctext, &out, (sl_span){ 10, 17, 1 });
	T_EQ(r->ndiag, 1, "unknown: one diagnostic");
	T_EQ(r->diag[0].offset, 10, "unknown: at the declaration");
	T_EQ(r->diag[0].end_offset, 17, "unknown: the declaration's end");
	T_STREQ(r->diag[0].message, "unknown charset 'X-Weird'; decoded as windows-1252",
	        "unknown message");
	rfree(r);

	r = mk(B("abc \xe9"));
	charset_to_utf8(r, "us-ascii", &r->srctext, &out, (sl_span){ 0, 0, 0 });
	T_EQ(r->ndiag, 1, "8bit in ascii: one diagnostic");
	T_EQ(r->diag[0].offset, 4, "8bit in ascii: at the first 8-bit byte");
	T_STREQ(r->diag[0].message,
	        "8-bit data in text declared 'us-ascii'; decoded as windows-1252",
	        "8bit in ascii message");
	rfree(r);

	r = mk(B("abc \xe9"));
	charset_to_utf8(r, NULL, &r->srctext, &out, (sl_span){ 0, 0, 0 });
	T_EQ(r->ndiag, 1, "undeclared: one diagnostic");
	T_EQ(r->diag[0].severity, SL_NOTE, "undeclared: a note");
	T_EQ(r->diag[0].offset, 4, "undeclared: at the first 8-bit byte");
	rfree(r);
}

/* The decoded-size limit cuts the text with a diagnostic. */
static void test_limit(void)
{
	sl_result *r = mk(B("hello world"));
	r->lim.decoded_size = 5;
	sl_text out;
	charset_to_utf8(r, "utf-8", &r->srctext, &out, (sl_span){ 0, 0, 0 });
	T_STREQ(out.p, "hello", "limit: cut");
	T_CHECK(r->ndiag == 1 && !strcmp(r->diag[0].rule, "input/limit-decoded-size"),
	        "limit: diagnostic");
	T_EQ(r->ndiag ? r->diag[0].offset : 0, 5, "limit: where it was cut");
	rfree(r);

	/* never inside a UTF-8 sequence */
	r = mk(B("ab\xc3\xa9"));
	r->lim.decoded_size = 3;
	charset_to_utf8(r, "utf-8", &r->srctext, &out, (sl_span){ 0, 0, 0 });
	T_STREQ(out.p, "ab", "limit: whole characters");
	rfree(r);

	r = mk(B("\xe9\xe9\xe9"));
	r->lim.decoded_size = 4;
	charset_to_utf8(r, "iso-8859-1", &r->srctext, &out, (sl_span){ 0, 0, 0 });
	T_STREQ(out.p, "\xc3\xa9\xc3\xa9", "limit: replacements");
	T_EQ(r->ndiag, 1, "limit: replacements diagnostic");
	rfree(r);

	r = mk(B("abc"));
	r->decoded = r->lim.decoded_size;
	charset_to_utf8(r, NULL, &r->srctext, &out, (sl_span){ 0, 0, 0 });
	T_EQ(out.len, 0, "limit: nothing left");
	T_EQ(r->ndiag, 1, "limit: nothing left diagnostic");
	rfree(r);
}

/* A long text: the fast path is one exact segment. */
static void test_fast(void)
{
	size_t n = 1 << 20;
	char *s = malloc(n);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	sl_result *r = mk(s, n);
	sl_text out;
	charset_to_utf8(r, "utf-8", &r->srctext, &out, (sl_span){ 0, 0, 0 });
	T_EQ(out.nseg, 1, "fast path: one segment");
	T_CHECK(out.len == n && !memcmp(out.p, s, n), "fast path: same bytes");
	rfree(r);
	/* valid UTF-8 with a long mix: still one segment */
	for (size_t i = 0; i + 2 < n; i += 100) {
		s[i] = (char)0xC3;
		s[i + 1] = (char)0xA9;
	}
	r = mk(s, n);
	charset_to_utf8(r, NULL, &r->srctext, &out, (sl_span){ 0, 0, 0 });
	T_EQ(out.nseg, 1, "utf-8: one segment");
	T_CHECK(out.len == n && !memcmp(out.p, s, n), "utf-8: same bytes");
	rfree(r);
	free(s);
}

/* A huge legacy-charset text: past a million segments the rest converts
 * in pieces; the text and the map stay right. */
static void test_huge(void)
{
	static const struct {
		const char *cs, *unit, *want;
	} huge[] = {
		{ "iso-8859-1", "a\xe9", "a\xc3\xa9" },
		{ "koi8-r", "\xf0 ", "\xd0\x9f " },
		{ "shift_jis", "\x82\xa0" "a", "\xe3\x81\x82" "a" },
		{ "euc-kr", "\xbe\xc8\n", "\xec\x95\x88\n" },
	};
	size_t reps = 700000;
	for (size_t k = 0; k < sizeof huge / sizeof *huge; k++) {
		size_t ul = strlen(huge[k].unit), wl = strlen(huge[k].want);
		char *s = malloc(ul * reps), *w = malloc(wl * reps);
		for (size_t i = 0; i < reps; i++) {
			memcpy(s + i * ul, huge[k].unit, ul);
			memcpy(w + i * wl, huge[k].want, wl);
		}
		sl_result *r = mk(s, ul * reps);
		sl_text out;
		charset_to_utf8(r, huge[k].cs, &r->srctext, &out, (sl_span){ 0, 0, 0 });
		T_CHECK(out.len == wl * reps && !memcmp(out.p, w, wl * reps),
		        "huge %s: text differs", huge[k].cs);
		T_CHECK(map_ok(r, &out), "huge %s: bad map", huge[k].cs);
		T_CHECK(out.nseg < (size_t)1 << 21, "huge %s: %zu segments", huge[k].cs, out.nseg);
		sl_span sp = text_span(&out, 0, wl);
		T_CHECK(sp.off == 0 && sp.end <= ul, "huge %s: first unit precise", huge[k].cs);
		T_EQ(r->ndiag, 0, "huge: no diagnostic");
		rfree(r);
		free(s);
		free(w);
	}
}

static const struct {
	const char *html;
	const char *want;      /* NULL: none */
	size_t off, end;
} sniffs[] = {
	{ "<meta charset=\"utf-8\">", "utf-8", 15, 20 },
	{ "<html><head><META CHARSET=ISO-8859-1></head>", "iso-8859-1", 26, 36 },
	{ "<meta charset='windows-1252' />", "windows-1252", 15, 27 },
	{ "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">",
	  "shift_jis", 60, 69 },
	{ "<meta content=\"text/html;charset=koi8-r\" http-equiv=content-type>",
	  "koi8-r", 33, 39 },
	{ "<meta content=\"text/html; charset=koi8-r\">", NULL, 0, 0 },
	{ "<!-- <meta charset=\"latin1\"> --><meta charset=\"utf-8\">", "utf-8", 47, 52 },
	{ "<metadata charset=\"x\">", NULL, 0, 0 },
	{ "<p>no meta</p>", NULL, 0, 0 },
	{ "\xef\xbb\xbf<meta charset=\"latin1\">", "utf-8", 0, 3 },
	{ "", NULL, 0, 0 },
	{ "<meta charset=", NULL, 0, 0 },
	{ "<meta name=\"viewport\" content=\"width=device-width\"><meta charset=utf-8>",
	  "utf-8", 65, 70 },
};

static void test_sniff(void)
{
	for (size_t i = 0; i < sizeof sniffs / sizeof *sniffs; i++) {
		sl_result *r = mk(sniffs[i].html, strlen(sniffs[i].html));
		sl_span sp;
		const char *cs = charset_sniff_html(r, &r->srctext, &sp);
		if (!sniffs[i].want) {
			T_CHECK(cs == NULL, "sniff %zu: got '%s', want none", i, cs ? cs : "");
		} else {
			T_STREQ(cs, sniffs[i].want, "sniff charset");
			T_CHECK(sp.off == sniffs[i].off && sp.end == sniffs[i].end,
			        "sniff %zu: span [%zu,%zu), want [%zu,%zu)", i, sp.off, sp.end,
			        sniffs[i].off, sniffs[i].end);
		}
		rfree(r);
	}
	/* only the first 1024 bytes count */
	char big[2100];
	memset(big, ' ', sizeof big);
	memcpy(big + 1100, "<meta charset=utf-8>", 20);
	sl_result *r = mk(big, sizeof big);
	sl_span sp;
	T_CHECK(charset_sniff_html(r, &r->srctext, &sp) == NULL, "sniff: past 1024 bytes");
	rfree(r);
}

int main(void)
{
	test_cases();
	test_spans();
	test_diags();
	test_limit();
	test_fast();
	test_huge();
	test_sniff();
	return t_done();
}
