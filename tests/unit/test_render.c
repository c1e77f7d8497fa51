/*
 * test_render.c - the renderers: gcc-style text (carets under ASCII,
 * UTF-8, tabs, wide characters, empty and multi-line spans, long lines
 * trimmed, colour, fix-its, notes, summary), JSON (escaping, numbers,
 * the document around files), SARIF (structure, rules) and the dump.
 * Results are built by hand, so only the renderers are under test.
 */
#include <stdlib.h>

#include "internal.h"
#include "t.h"
#include "t_result.h"

#define SUM0 "; risk 0 (subject 0, tone 0, bundling 0, deliverability 0)\n"

/* --- building results ------------------------------------------------ */

static sl_result *mk(const char *name, const char *src, size_t len)
{
	sl_result *r = t_result(src, len);
	r->name = name;
	scores_default(r);
	return r;
}

static sl_diag *add(sl_result *r, sl_severity sev, size_t off, size_t end,
                    const char *msg)
{
	return diag_add(r, "subject/test", "subject", sev, (sl_span){ off, end, 1 },
	                "%s", msg);
}

/* Render results with a fresh renderer; returns a malloc'd string. */
static char *render_all(sl_format fmt, const sl_render_opts *opts,
                        sl_result **rs, size_t n)
{
	sl_renderer *rd;
	sl_strbuf out = { 0 };
	if (sl_renderer_new(&rd, fmt, opts))
		abort();
	for (size_t i = 0; i < n; i++)
		if (sl_renderer_add(&out, rd, rs[i]))
			abort();
	if (sl_renderer_finish(&out, rd))
		abort();
	sl_renderer_free(rd);
	if (!out.buf) {
		out.buf = malloc(1);
		if (!out.buf)
			abort();
		out.buf[0] = 0;
	}
	return out.buf;
}

static char *render1(sl_format fmt, const sl_render_opts *opts, sl_result *r)
{
	return render_all(fmt, opts, &r, 1);
}

static char *cat(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 1);
	if (!s)
		abort();
	memcpy(s, a, na);
	memcpy(s + na, b, nb + 1);
	return s;
}

/* --- text: one diagnostic per case ---------------------------------- */

static const struct tcase {
	const char *what;
	const char *src;
	size_t len;            /* 0: strlen(src) */
	size_t off, end;
	const char *msg;
	const char *fix;       /* NULL: none */
	const char *note;      /* NULL: none */
	int color, width;
	const char *want;      /* before the summary line */
} tcases[] = {
	{ "ascii", "From: a@b\nSubject: Hello there\n", 0, 19, 24, "bad", NULL, NULL, 0, 0,
	  "x.eml:2:10: warning: bad [subject/test]\n"
	  "    2 | Subject: Hello there\n"
	  "      |          ^~~~~\n" },
	{ "utf-8 before the span", "Subject: Caf\xC3\xA9 prix\n", 0, 15, 19, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:15: warning: bad [subject/test]\n"
	  "    1 | Subject: Caf\xC3\xA9 prix\n"
	  "      |               ^~~~\n" },
	{ "span on a 2-byte character", "Subject: Caf\xC3\xA9 prix\n", 0, 12, 14, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:13: warning: bad [subject/test]\n"
	  "    1 | Subject: Caf\xC3\xA9 prix\n"
	  "      |             ^\n" },
	{ "tab before the span", "a\tb\n", 0, 2, 3, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:3: warning: bad [subject/test]\n"
	  "    1 | a       b\n"
	  "      |         ^\n" },
	{ "tab inside the span", "a\tb\n", 0, 1, 3, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:2: warning: bad [subject/test]\n"
	  "    1 | a       b\n"
	  "      |  ^~~~~~~~\n" },
	{ "cjk before the span", "\xE4\xBE\xA1\xE6\xA0\xBC up\n", 0, 7, 9, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:4: warning: bad [subject/test]\n"
	  "    1 | \xE4\xBE\xA1\xE6\xA0\xBC up\n"
	  "      |      ^~\n" },
	{ "cjk span", "\xE4\xBE\xA1\xE6\xA0\xBC up\n", 0, 0, 6, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:1: warning: bad [subject/test]\n"
	  "    1 | \xE4\xBE\xA1\xE6\xA0\xBC up\n"
	  "      | ^~~~\n" },
	{ "emoji before the span", "Hi \xF0\x9F\x98\x80 there\n", 0, 8, 13, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:6: warning: bad [subject/test]\n"
	  "    1 | Hi \xF0\x9F\x98\x80 there\n"
	  "      |       ^~~~~\n" },
	{ "empty span", "Hello\n", 0, 3, 3, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:4: warning: bad [subject/test]\n"
	  "    1 | Hello\n"
	  "      |    ^\n" },
	{ "empty span at the end of the line", "Hello\nx", 0, 5, 5, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:6: warning: bad [subject/test]\n"
	  "    1 | Hello\n"
	  "      |      ^\n" },
	{ "multi-line span, CR LF removed", "abc\r\ndef\r\n", 0, 1, 7, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:2: warning: bad [subject/test]\n"
	  "    1 | abc\n"
	  "      |  ^~\n" },
	{ "span starting at the line break", "abc\r\ndef\r\n", 0, 3, 7, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:4: warning: bad [subject/test]\n"
	  "    1 | abc\n"
	  "      |    ^\n" },
	{ "empty file", "", 0, 0, 0, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:1: warning: bad [subject/test]\n"
	  "    1 |\n"
	  "      | ^\n" },
	{ "last line without a line break", "a\nbcd", 0, 3, 5, "bad", NULL, NULL, 0, 0,
	  "x.eml:2:2: warning: bad [subject/test]\n"
	  "    2 | bcd\n"
	  "      |  ^~\n" },
	{ "invalid utf-8 as U+FFFD", "ab\xFF" "cd\x80\n", 0, 3, 5, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:4: warning: bad [subject/test]\n"
	  "    1 | ab\xEF\xBF\xBD" "cd\xEF\xBF\xBD\n"
	  "      |    ^~\n" },
	{ "control character as U+FFFD", "a\x1b[1mb\n", 0, 5, 6, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:6: warning: bad [subject/test]\n"
	  "    1 | a\xEF\xBF\xBD[1mb\n"
	  "      |      ^\n" },
	{ "bidi override as U+FFFD", "a\xE2\x80\xAE" "bc\n", 0, 4, 6, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:3: warning: bad [subject/test]\n"
	  "    1 | a\xEF\xBF\xBD" "bc\n"
	  "      |   ^~\n" },
	{ "combining mark takes no column", "e\xCC\x81x\n", 0, 3, 4, "bad", NULL, NULL, 0, 0,
	  "x.eml:1:3: warning: bad [subject/test]\n"
	  "    1 | e\xCC\x81x\n"
	  "      |  ^\n" },
	{ "message escapes", "abc\n", 0, 0, 1, "bad \x1b[31m'x' \xFF", NULL, NULL, 0, 0,
	  "x.eml:1:1: warning: bad \\x1b[31m'x' \xEF\xBF\xBD [subject/test]\n"
	  "    1 | abc\n"
	  "      | ^\n" },
	{ "fix-it", "Subject: FREE money\n", 0, 9, 13, "bad", "Free", NULL, 0, 0,
	  "x.eml:1:10: warning: bad [subject/test]\n"
	  "    1 | Subject: FREE money\n"
	  "      |          ^~~~\n"
	  "      |          Free\n" },
	{ "fix-it deleting", "Subject: FREE money\n", 0, 13, 19, "bad", "", NULL, 0, 0,
	  "x.eml:1:14: warning: bad [subject/test]\n"
	  "    1 | Subject: FREE money\n"
	  "      |              ^~~~~~\n"
	  "      |              ------\n" },
	{ "fix-it cut to the width", "Subject: Hi\n", 0, 9, 11, "bad",
	  "A much longer replacement text", NULL, 0, 30,
	  "x.eml:1:10: warning: bad [subject/test]\n"
	  "    1 | Subject: Hi\n"
	  "      |          ^~\n"
	  "      |          A much lon...\n" },
	{ "fix-it with a tab and a control", "Subject: Hi\n", 0, 9, 11, "bad",
	  "a\tb\x01", NULL, 0, 0,
	  "x.eml:1:10: warning: bad [subject/test]\n"
	  "    1 | Subject: Hi\n"
	  "      |          ^~\n"
	  "      |          a      b\xEF\xBF\xBD\n" },
	{ "note", "Subject: FREE money\n", 0, 9, 13, "bad", NULL, "decoded text: 'Your price'", 0, 0,
	  "x.eml:1:10: warning: bad [subject/test]\n"
	  "    1 | Subject: FREE money\n"
	  "      |          ^~~~\n"
	  "x.eml:1:10: note: decoded text: 'Your price'\n" },
	{ "colour", "Subject: FREE money\n", 0, 9, 13, "bad", "Free", "n", 1, 0,
	  "\033[1mx.eml:1:10:\033[0m \033[1;35mwarning:\033[0m bad [\033[1;35msubject/test\033[0m]\n"
	  "    1 | Subject: FREE money\n"
	  "      |          \033[1;32m^~~~\033[0m\n"
	  "      |          \033[32mFree\033[0m\n"
	  "\033[1mx.eml:1:10:\033[0m \033[1;36mnote:\033[0m n\n" },
	{ "narrow width, cut on the left", "Subject: aaaa bbbb cccc dddd eeee ffff gggg\n", 0, 29, 33,
	  "bad", NULL, NULL, 0, 30,
	  "x.eml:1:30: warning: bad [subject/test]\n"
	  "    1 | ...dddd eeee ffff gggg\n"
	  "      |         ^~~~\n" },
	{ "narrow width, cut on the right", "Subject: aaaa bbbb cccc dddd eeee ffff gggg\n", 0, 9, 13,
	  "bad", NULL, NULL, 0, 30,
	  "x.eml:1:10: warning: bad [subject/test]\n"
	  "    1 | Subject: aaaa bbbb ...\n"
	  "      |          ^~~~\n" },
	{ "narrow width, wide character cut at the edge",
	  "012345678901234567\xE4\xBE\xA1" "abcdefghij\n", 0, 0, 1,
	  "bad", NULL, NULL, 0, 30,
	  "x.eml:1:1: warning: bad [subject/test]\n"
	  "    1 | 012345678901234567 ...\n"
	  "      | ^\n" },
};

static void test_text_cases(void)
{
	for (size_t i = 0; i < sizeof tcases / sizeof *tcases; i++) {
		const struct tcase *c = &tcases[i];
		size_t len = c->len ? c->len : strlen(c->src);
		sl_result *r = mk("x.eml", c->src, len);
		sl_diag *d = add(r, SL_WARNING, c->off, c->end, c->msg);
		if (c->fix)
			diag_fixit(r, d, (sl_span){ c->off, c->end, 1 }, c->fix);
		if (c->note)
			diag_note(r, d, "%s", c->note);
		sl_render_opts opts = { c->color, c->width };
		char *got = render1(SL_FMT_TEXT, &opts, r);
		char *want = cat(c->want, "x.eml: 1 warning" SUM0);
		T_STREQ(got, want, c->what);
		free(got);
		free(want);
		sl_result_free(r);
	}
}

/* --- text: a 20,000-column line -------------------------------------- */

#define LONG 20000

/* n digits of the line's pattern (digit i % 10 at column i) from col. */
static void pattern(char *out, size_t col, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (char)('0' + (col + i) % 10);
	out[n] = 0;
}

static void test_long_line(void)
{
	static char src[LONG + 2];
	pattern(src, 0, LONG);
	src[LONG] = '\n';
	/* width 100, gutter "    1 | " = 8, so 92 columns of text */
	static const struct {
		const char *what;
		size_t off, end;
		size_t ws, n;      /* the window shown: pattern from ws, n digits */
		int left, right;
		size_t pad;        /* blanks before the caret after the bar */
		size_t cw;         /* caret width: '^' then '~' */
	} cases[] = {
		{ "caret in the middle", 10000, 10005, 9960, 86, 1, 1, 43, 5 },
		{ "caret near the start", 3, 4, 0, 89, 0, 1, 3, 1 },
		{ "caret near the end", 19998, 20000, 19911, 89, 1, 0, 90, 2 },
		{ "caret past the end", 20000, 20000, 19912, 88, 1, 0, 91, 1 },
		{ "long span from the middle", 10000, 19000, 10000, 86, 1, 1, 3, 86 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		sl_result *r = mk("x.eml", src, LONG + 1);
		add(r, SL_WARNING, cases[i].off, cases[i].end, "bad");
		char *got = render1(SL_FMT_TEXT, NULL, r);
		char digits[100], caret[100], want[4096];
		pattern(digits, cases[i].ws, cases[i].n);
		memset(caret, '~', cases[i].cw);
		caret[0] = '^';
		caret[cases[i].cw] = 0;
		snprintf(want, sizeof want,
		         "x.eml:1:%zu: warning: bad [subject/test]\n"
		         "    1 | %s%s%s\n"
		         "      | %*s%s\n"
		         "x.eml: 1 warning" SUM0,
		         cases[i].off + 1, cases[i].left ? "..." : "", digits,
		         cases[i].right ? "..." : "", (int)cases[i].pad, "",
		         caret);
		T_STREQ(got, want, cases[i].what);
		free(got);
		sl_result_free(r);
	}

	/* several diagnostics on the line: the scan resumes, same output */
	sl_result *r = mk("x.eml", src, LONG + 1);
	add(r, SL_WARNING, 10000, 10005, "bad");
	add(r, SL_WARNING, 15000, 15005, "bad");
	add(r, SL_WARNING, 15001, 15002, "bad");
	char *got = render1(SL_FMT_TEXT, NULL, r);
	char d1[100], d2[100], d3[100], want[4096];
	pattern(d1, 9960, 86);
	pattern(d2, 14960, 86);
	pattern(d3, 14959, 86);
	snprintf(want, sizeof want,
	         "x.eml:1:10001: warning: bad [subject/test]\n"
	         "    1 | ...%s...\n"
	         "      | %43s^~~~~\n"
	         "x.eml:1:15001: warning: bad [subject/test]\n"
	         "    1 | ...%s...\n"
	         "      | %43s^~~~~\n"
	         "x.eml:1:15002: warning: bad [subject/test]\n"
	         "    1 | ...%s...\n"
	         "      | %45s^\n"
	         "x.eml: 3 warnings" SUM0,
	         d1, "", d2, "", d3, "");
	T_STREQ(got, want, "three carets on one long line");
	free(got);
	sl_result_free(r);
}

/* --- text: fix-its off the line, severities in colour, the cap ------ */

static void test_text_more(void)
{
	/* a fix-it on another line than the caret becomes a note */
	sl_result *r = mk("x.eml", "Subject: Hi\nFrom: x\n", 20);
	sl_diag *d = add(r, SL_WARNING, 9, 11, "bad");
	diag_fixit(r, d, (sl_span){ 12, 16, 1 }, "To");
	diag_fixit(r, d, (sl_span){ 12, 18, 1 }, "");
	char *got = render1(SL_FMT_TEXT, NULL, r);
	T_STREQ(got,
	        "x.eml:1:10: warning: bad [subject/test]\n"
	        "    1 | Subject: Hi\n"
	        "      |          ^~\n"
	        "x.eml:2:1: note: fix-it: replace with 'To'\n"
	        "x.eml:2:1: note: fix-it: delete\n"
	        "x.eml: 1 warning" SUM0,
	        "fix-its on another line");
	free(got);
	sl_result_free(r);

	static const struct {
		sl_severity sev;
		const char *want;
	} sevs[] = {
		{ SL_ERROR, "\033[1mx.eml:1:1:\033[0m \033[1;31merror:\033[0m m "
		            "[\033[1;31msubject/test\033[0m]\n" },
		{ SL_WARNING, "\033[1mx.eml:1:1:\033[0m \033[1;35mwarning:\033[0m m "
		              "[\033[1;35msubject/test\033[0m]\n" },
		{ SL_NOTE, "\033[1mx.eml:1:1:\033[0m \033[1;36mnote:\033[0m m "
		           "[\033[1;36msubject/test\033[0m]\n" },
	};
	for (size_t i = 0; i < sizeof sevs / sizeof *sevs; i++) {
		r = mk("x.eml", "abc", 3);
		add(r, sevs[i].sev, 0, 1, "m");
		sl_render_opts opts = { 1, 0 };
		got = render1(SL_FMT_TEXT, &opts, r);
		size_t n = strlen(sevs[i].want);
		T_CHECK(strncmp(got, sevs[i].want, n) == 0, "colour %d: %s", (int)i, got);
		free(got);
		sl_result_free(r);
	}

	/* the diagnostics cap (diag.c) and the line about the rest */
	r = mk("x.eml", "abc\n", 4);
	r->lim.diagnostics = 3;
	for (int i = 0; i < 5; i++)
		add(r, SL_WARNING, 1, 2, "w");
	diag_sort(r);
	got = render1(SL_FMT_TEXT, NULL, r);
	T_STREQ(got,
	        "x.eml:1:1: warning: more than 2 diagnostics in this file; the rest "
	        "are not shown [input/limit-diagnostics]\n"
	        "    1 | abc\n"
	        "      | ^\n"
	        "x.eml:1:2: warning: w [subject/test]\n"
	        "    1 | abc\n"
	        "      |  ^\n"
	        "x.eml:1:2: warning: w [subject/test]\n"
	        "    1 | abc\n"
	        "      |  ^\n"
	        "x.eml: 3 warnings" SUM0
	        "x.eml: 3 more diagnostics not shown\n",
	        "cap");
	free(got);
	sl_result_free(r);
}

/* --- text: summary lines --------------------------------------------- */

static void test_summary(void)
{
	static const struct {
		const char *what;
		size_t nerr, nwarn, nnote, dropped;
		int scores;
		const char *want;     /* the lines after the diagnostics */
	} cases[] = {
		{ "none", 0, 0, 0, 0, 0, "x.eml: no problems" SUM0 },
		{ "singulars", 1, 1, 1, 0, 0, "x.eml: 1 error, 1 warning, 1 note" SUM0 },
		{ "plurals", 2, 3, 4, 0, 0, "x.eml: 2 errors, 3 warnings, 4 notes" SUM0 },
		{ "notes only", 0, 0, 2, 0, 0, "x.eml: 2 notes" SUM0 },
		{ "scores", 0, 2, 0, 0, 1,
		  "x.eml: 2 warnings; risk 12 (subject 30, tone 0, bundling 0, deliverability 5)\n" },
		{ "one dropped", 1, 0, 0, 1, 0,
		  "x.eml: 1 error" SUM0 "x.eml: 1 more diagnostic not shown\n" },
		{ "dropped", 1, 0, 0, 7, 0,
		  "x.eml: 1 error" SUM0 "x.eml: 7 more diagnostics not shown\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		sl_result *r = mk("x.eml", "abc\n", 4);
		for (size_t k = 0; k < cases[i].nerr; k++)
			add(r, SL_ERROR, 0, 1, "e");
		for (size_t k = 0; k < cases[i].nwarn; k++)
			add(r, SL_WARNING, 0, 1, "w");
		for (size_t k = 0; k < cases[i].nnote; k++)
			add(r, SL_NOTE, 0, 1, "n");
		r->dropped = cases[i].dropped;
		if (cases[i].scores) {
			size_t n;
			sl_score *s = (sl_score *)sl_result_scores(r, &n);
			s[0].value = 12;
			s[1].value = 30;
			s[4].value = 5;
		}
		char *got = render1(SL_FMT_TEXT, NULL, r);
		/* the summary follows the last caret line */
		const char *tail = got;
		const char *p;
		while ((p = strstr(tail, "| ^\n")))
			tail = p + 4;
		T_STREQ(tail, cases[i].want, cases[i].what);
		free(got);
		sl_result_free(r);
	}
}

/* --- JSON ------------------------------------------------------------ */

static void test_json(void)
{
	sl_result *r = mk("a\"b.eml", "Subject: Hi\n", 12);
	sl_diag *d = add(r, SL_WARNING, 9, 11, "bad \"q\" \x01 \xFF \xC3\xA9\t\xE2\x80\xA8");
	d->weight = 1.5;
	diag_fixit(r, d, (sl_span){ 9, 11, 1 }, "Hey");
	diag_note(r, d, "n\\1");
	sl_diag *e = diag_input(r, "input/x", SL_ERROR, (sl_span){ 12, 12, 0 }, "at end");
	(void)e;
	char *got = render1(SL_FMT_JSON, NULL, r);
	T_STREQ(got,
	        "{\"tool\":\"sendlint\",\"version\":\"" SL_VERSION "\",\"files\":[\n"
	        "{\"path\":\"a\\\"b.eml\",\"scores\":{\"risk\":0,\"subject\":0,\"tone\":0,"
	        "\"bundling\":0,\"deliverability\":0},\"diagnostics\":["
	        "{\"rule\":\"subject/test\",\"group\":\"subject\",\"severity\":\"warning\","
	        "\"message\":\"bad \\\"q\\\" \\u0001 \\uFFFD \xC3\xA9\\t\\u2028\","
	        "\"line\":1,\"column\":10,\"end_line\":1,\"end_column\":12,"
	        "\"offset\":9,\"end_offset\":11,\"exact\":true,\"weight\":1.5,"
	        "\"fixits\":[{\"offset\":9,\"end_offset\":11,\"text\":\"Hey\"}],"
	        "\"notes\":[\"n\\\\1\"]},"
	        "{\"rule\":\"input/x\",\"group\":\"input\",\"severity\":\"error\","
	        "\"message\":\"at end\",\"line\":2,\"column\":1,\"end_line\":2,"
	        "\"end_column\":1,\"offset\":12,\"end_offset\":12,\"exact\":false,"
	        "\"weight\":0,\"fixits\":[],\"notes\":[]}]}\n"
	        "]}\n",
	        "json one file");
	free(got);

	/* two files, then none */
	sl_result *r2 = mk("c.txt", "", 0);
	sl_result *rs[2] = { r2, r2 };
	got = render_all(SL_FMT_JSON, NULL, rs, 2);
	T_STREQ(got,
	        "{\"tool\":\"sendlint\",\"version\":\"" SL_VERSION "\",\"files\":[\n"
	        "{\"path\":\"c.txt\",\"scores\":{\"risk\":0,\"subject\":0,\"tone\":0,"
	        "\"bundling\":0,\"deliverability\":0},\"diagnostics\":[]},\n"
	        "{\"path\":\"c.txt\",\"scores\":{\"risk\":0,\"subject\":0,\"tone\":0,"
	        "\"bundling\":0,\"deliverability\":0},\"diagnostics\":[]}\n"
	        "]}\n",
	        "json two files");
	free(got);
	got = render_all(SL_FMT_JSON, NULL, NULL, 0);
	T_STREQ(got, "{\"tool\":\"sendlint\",\"version\":\"" SL_VERSION "\",\"files\":[]}\n",
	        "json no file");
	free(got);
	sl_result_free(r2);
	sl_result_free(r);

	/* weights: %.4g */
	static const struct {
		double w;
		const char *want;
	} weights[] = {
		{ 0, "0" }, { 1.5, "1.5" }, { 2, "2" }, { 0.123456, "0.1235" },
		{ 1234567, "1.235e+06" }, { -0.25, "-0.25" }, { 0.0001, "0.0001" },
		{ 1.0 / 0.0, "0" },
	};
	for (size_t i = 0; i < sizeof weights / sizeof *weights; i++) {
		r = mk("w", "x", 1);
		add(r, SL_NOTE, 0, 1, "m")->weight = weights[i].w;
		got = render1(SL_FMT_JSON, NULL, r);
		char want[64];
		snprintf(want, sizeof want, "\"weight\":%s,", weights[i].want);
		T_CHECK(strstr(got, want) != NULL, "weight %g: want %s in %s",
		        weights[i].w, want, got);
		free(got);
		sl_result_free(r);
	}
}

/* --- SARIF ----------------------------------------------------------- */

static void test_sarif(void)
{
	sl_result *a = mk("dir/a b.eml", "Subject: Hi\n", 12);
	sl_diag *d = diag_add(a, "subject/z", "subject", SL_ERROR,
	                      (sl_span){ 9, 11, 1 }, "first \"one\"");
	diag_fixit(a, d, (sl_span){ 9, 11, 1 }, "Hey");
	diag_note(a, d, "a note");
	diag_add(a, "input/a", "input", SL_NOTE, (sl_span){ 0, 7, 1 }, "second");
	sl_result *b = mk("b.html", "x", 1);
	diag_add(b, "subject/z", "subject", SL_WARNING, (sl_span){ 0, 1, 1 }, "third");
	sl_result *rs[2] = { a, b };
	char *got = render_all(SL_FMT_SARIF, NULL, rs, 2);
	static const char *const want[] = {
		"{\"$schema\":\"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/"
		"schemas/sarif-schema-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[\n",
		"{\"tool\":{\"driver\":{\"name\":\"sendlint\",\"version\":\"" SL_VERSION
		"\",\"rules\":[\n"
		"{\"id\":\"input/a\",\"shortDescription\":{\"text\":\"input/a\"}},\n"
		"{\"id\":\"subject/z\",\"shortDescription\":{\"text\":\"subject/z\"}}]}},"
		"\"columnKind\":\"unicodeCodePoints\",\"results\":[\n",
		"{\"ruleId\":\"subject/z\",\"level\":\"error\",\"message\":{\"text\":"
		"\"first \\\"one\\\"\"},\"locations\":[{\"physicalLocation\":"
		"{\"artifactLocation\":{\"uri\":\"dir/a%20b.eml\"},\"region\":"
		"{\"startLine\":1,\"startColumn\":10,\"endLine\":1,\"endColumn\":12,"
		"\"byteOffset\":9,\"byteLength\":2}}}]",
		",\"relatedLocations\":[{\"id\":1,\"physicalLocation\":",
		"\"message\":{\"text\":\"a note\"}}]",
		",\"fixes\":[{\"artifactChanges\":[{\"artifactLocation\":{\"uri\":"
		"\"dir/a%20b.eml\"},\"replacements\":[{\"deletedRegion\":{\"byteOffset\":9,"
		"\"byteLength\":2},\"insertedContent\":{\"text\":\"Hey\"}}]}]}]",
		",\"properties\":{\"group\":\"subject\",\"weight\":0,\"exact\":true}}",
		"{\"ruleId\":\"input/a\",\"level\":\"note\"",
		"{\"ruleId\":\"subject/z\",\"level\":\"warning\",\"message\":{\"text\":\"third\"}"
		",\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":"
		"\"b.html\"},\"region\":{\"startLine\":1,\"startColumn\":1,\"endLine\":1,"
		"\"endColumn\":2,\"byteOffset\":0,\"byteLength\":1}}}]",
		"}]}\n]}\n",
	};
	/* every piece, in this order */
	const char *at = got;
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		const char *p = strstr(at, want[i]);
		T_CHECK(p != NULL, "sarif piece %zu not found in order: %s\nin %s", i,
		        want[i], got);
		if (p)
			at = p + strlen(want[i]);
	}
	T_EQ(strlen(at), 0, "sarif ends with its closing");
	free(got);

	got = render_all(SL_FMT_SARIF, NULL, NULL, 0);
	T_STREQ(got,
	        "{\"$schema\":\"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/"
	        "schemas/sarif-schema-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[\n"
	        "{\"tool\":{\"driver\":{\"name\":\"sendlint\",\"version\":\"" SL_VERSION
	        "\",\"rules\":[]}},\"columnKind\":\"unicodeCodePoints\",\"results\":[]}\n"
	        "]}\n",
	        "sarif empty");
	free(got);
	sl_result_free(a);
	sl_result_free(b);
}

/* --- dump ------------------------------------------------------------ */

static void test_dump(void)
{
	static const char src[] =
		"Subject: Hi there. Bye\n"                         /* 0..22 */
		"\n"                                               /* 23 */
		"<a href=\"https://e.com/\">Go</a><img src=\"l.png\" alt=\"Logo\">\n"
		"<script>x</script><!-- sendlint-disable it's -->\n";
	sl_result *r = mk("t.eml", src, sizeof src - 1);
	sl_doc *d = &r->doc;
	d->kind = SL_KIND_EML;

	sl_part *root = arena_zalloc(&r->arena, sizeof *root);
	root->type = "text";
	root->subtype = "html";
	root->charset = "utf-8";
	root->encoding = "7bit";
	root->off = 0;
	root->end = sizeof src - 1;
	root->hdr = arena_zalloc(&r->arena, sizeof *root->hdr);
	root->nhdr = 1;
	root->hdr[0].name = (sl_str){ src, 7 };
	root->hdr[0].off = 0;
	root->hdr[0].end = 22;
	root->hdr[0].value_off = 8;
	text_identity(&root->hdr[0].value, &r->arena, src, 9, 13);
	sl_part *child = arena_zalloc(&r->arena, sizeof *child);
	child->index = 1;
	child->depth = 1;
	child->parent = root;
	child->type = "image";
	child->subtype = "png";
	child->encoding = "base64";
	child->disposition = "attachment";
	child->filename = "l o'go.png";
	child->attachment = 1;
	child->off = 24;
	d->root = root;
	d->parts = arena_array(&r->arena, 2, sizeof *d->parts);
	d->parts[0] = root;
	d->parts[1] = child;
	d->nparts = 2;
	d->html_part = 0;

	sl_block *b = doc_add_block(r);
	b->kind = SL_BLK_SUBJECT;
	b->part = -1;
	text_identity(&b->text, &r->arena, src, 9, 13);
	b->sent = arena_array(&r->arena, 2, sizeof *b->sent);
	b->sent[0] = (sl_sentence){ 0, 9, 0, 0 };
	b->sent[1] = (sl_sentence){ 10, 13, 0, 0 };
	b->nsent = 2;
	sl_block *h = doc_add_block(r);
	h->kind = SL_BLK_HEADING;
	h->level = 2;
	h->hidden = 1;
	h->alternative = 1;
	h->part = 0;
	h->link = 0;
	sl_tb tb;
	tb_init(&tb, &r->arena, 1000);
	tb_emit(&tb, "Go\n\xFF", 4, (sl_span){ 48, 50, 0 });
	tb_finish(&tb, &h->text);

	sl_link *l = doc_add_link(r);
	l->href = "https://e.com/";
	l->href_span = (sl_span){ 33, 47, 1 };
	l->span = (sl_span){ 24, 49, 1 };
	text_identity(&l->text, &r->arena, src, 49, 2);
	sl_image *im = doc_add_image(r);
	im->src = "l.png";
	im->has_alt = 1;
	text_identity(&im->alt, &r->arena, src, 77, 4);
	im->width = 600;
	im->height = -1;
	im->span = (sl_span){ 55, 83, 1 };
	im->hidden = 1;
	sl_elem *el = doc_add_elem(r);
	el->name = "script";
	el->attrs = "";
	el->span = (sl_span){ 84, 92, 1 };
	sl_comment *cm = doc_add_comment(r);
	cm->text = (sl_str){ "sendlint-disable it's", 21 };
	cm->span = (sl_span){ 102, 132, 1 };

	char *got = render1(SL_FMT_DUMP, NULL, r);
	T_STREQ(got,
	        "dump: 't.eml'\n"
	        "kind: eml\n"
	        "body: html part 0, text none\n"
	        "parts:\n"
	        "  0 text/html charset=utf-8 encoding=7bit at 1:1\n"
	        "    1 image/png encoding=base64 disposition=attachment"
	        " filename='l o\\'go.png' attachment at 3:1\n"
	        "headers:\n"
	        "  1:1-1:23 'Subject': 'Hi there. Bye'\n"
	        "title: ''\n"
	        "preheader: none\n"
	        "blocks:\n"
	        "  0 subject 1:10-1:23 part -1: 'Hi there. Bye'\n"
	        "    sentence 0 1:10-1:19: 'Hi there.'\n"
	        "    sentence 1 1:20-1:23: 'Bye'\n"
	        "  1 heading 2 [hidden] [alt] 3:25-3:27~ part 0 link 0: 'Go\\n\\xff'\n"
	        "links:\n"
	        "  0 3:1-3:26 href='https://e.com/' at 3:10-3:24 text='Go' part 0\n"
	        "images:\n"
	        "  0 3:32-3:60 src='l.png' alt='Logo' 600x? part 0 [hidden]\n"
	        "elements:\n"
	        "  0 4:1-4:9 script attrs='' part 0\n"
	        "comments:\n"
	        "  0 4:19-4:49 'sendlint-disable it\\'s' part 0\n",
	        "dump");
	free(got);
	sl_result_free(r);

	/* an input with nothing in it */
	r = mk("e.txt", "", 0);
	r->doc.kind = SL_KIND_TEXT;
	got = render1(SL_FMT_DUMP, NULL, r);
	T_STREQ(got,
	        "dump: 'e.txt'\nkind: text\nbody: html none, text none\n"
	        "parts: none\nheaders: none\ntitle: ''\npreheader: none\n"
	        "blocks: none\nlinks: none\nimages: none\nelements: none\n"
	        "comments: none\n",
	        "dump empty");
	free(got);
	sl_result_free(r);
}

/* --- the renderer object ---------------------------------------------- */

static void test_api(void)
{
	sl_renderer *rd = (sl_renderer *)&rd;
	T_EQ(sl_renderer_new(&rd, (sl_format)99, NULL), SL_EUSAGE, "unknown format");
	T_CHECK(rd == NULL, "no renderer for an unknown format");
	sl_renderer_free(NULL);

	/* streaming: the caller empties the buffer between files */
	sl_result *r = mk("s.txt", "abc\n", 4);
	sl_strbuf out = { 0 };
	T_EQ(sl_renderer_new(&rd, SL_FMT_TEXT, NULL), 0, "new");
	T_EQ(sl_renderer_add(&out, rd, r), 0, "add 1");
	T_STREQ(out.buf, "s.txt: no problems" SUM0, "first file");
	out.len = 0;
	T_EQ(sl_renderer_add(&out, rd, r), 0, "add 2");
	T_STREQ(out.buf, "s.txt: no problems" SUM0, "second file");
	T_EQ(sl_renderer_finish(&out, rd), 0, "finish");
	T_EQ(out.len, strlen(out.buf), "NUL-terminated");
	sl_renderer_free(rd);
	sl_strbuf_release(&out);
	T_CHECK(out.buf == NULL && out.len == 0, "released");
	sl_result_free(r);

	/* the UTF-8 decoder */
	static const struct {
		const char *s;
		size_t n, len;
		uint32_t cp;
	} u[] = {
		{ "a", 1, 1, 'a' },
		{ "\xC3\xA9", 2, 2, 0xE9 },
		{ "\xE2\x82\xAC", 3, 3, 0x20AC },
		{ "\xF0\x9F\x98\x80", 4, 4, 0x1F600 },
		{ "\xC0\xAF", 2, 1, SL_CP_BAD },          /* overlong */
		{ "\xED\xA0\x80", 3, 1, SL_CP_BAD },      /* surrogate */
		{ "\xF4\x90\x80\x80", 4, 1, SL_CP_BAD },  /* past U+10FFFF */
		{ "\xE2\x82", 2, 1, SL_CP_BAD },          /* truncated */
		{ "\x80", 1, 1, SL_CP_BAD },
	};
	for (size_t i = 0; i < sizeof u / sizeof *u; i++) {
		uint32_t cp;
		const unsigned char *p = (const unsigned char *)u[i].s;
		size_t len = render_utf8(p, p + u[i].n, &cp);
		T_EQ(len, u[i].len, "utf-8 length");
		T_EQ(cp, u[i].cp, "utf-8 code point");
	}
}

int main(void)
{
	test_text_cases();
	test_long_line();
	test_text_more();
	test_summary();
	test_json();
	test_sarif();
	test_dump();
	test_api();
	return t_done();
}
