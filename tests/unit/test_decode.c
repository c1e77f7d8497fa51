/*
 * test_decode.c - decode_part (quoted-printable, base64, 7bit/8bit,
 * x-uuencode, unknown encodings, then the charset) and
 * decode_header_value (RFC 2047): the exact decoded text, the original
 * span and exactness of selected output ranges, and the diagnostics.
 * Results are built by hand (the MIME stage is not needed): a tiny header
 * reader below turns "Name: value" lines into a part's fields.
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

/* A part from "Name: value\n...\n\nbody" (no folding), or from a bare body
 * when the text has no blank line; encoding and charset as given. */
static sl_part *mkpart(sl_result *r, const char *enc, const char *cs)
{
	sl_part *p = arena_zalloc(&r->arena, sizeof *p);
	const char *s = (const char *)r->src;
	size_t n = r->len, pos = 0, body = 0;
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '\n' && s[i + 1] == '\n') {
			body = i + 2;
			break;
		}
	p->hdr = arena_array(&r->arena, 8, sizeof *p->hdr);
	while (body && pos < body - 1 && p->nhdr < 8) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t end = (size_t)(nl - s);
		const char *colon = memchr(s + pos, ':', end - pos);
		sl_header *h = &p->hdr[p->nhdr++];
		h->name = (sl_str){ s + pos, (size_t)(colon - s) - pos };
		h->off = pos;
		h->end = end;
		h->value_off = (size_t)(colon - s) + 1;
		text_slice(&h->raw, &r->arena, &r->srctext, h->value_off, end);
		pos = end + 1;
	}
	p->type = "text";
	p->subtype = "plain";
	p->encoding = enc;
	p->charset = cs;
	p->body_off = body;
	p->body_end = n;
	p->off = 0;
	p->end = n;
	return p;
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

/* An output range of a case and the original span it must map to. */
typedef struct want_span {
	size_t off, end, soff, send;
	int exact;
} want_span;

#define NSPAN 3

static void check_spans(const char *what, size_t i, const sl_text *t, const want_span *ws)
{
	for (int k = 0; k < NSPAN; k++) {
		const want_span *w = &ws[k];
		if (!w->off && !w->end && !w->soff && !w->send)
			continue;
		sl_span sp = text_span(t, w->off, w->end);
		T_CHECK(sp.off == w->soff && sp.end == w->send && sp.exact == w->exact,
		        "%s %zu: output [%zu,%zu) maps to [%zu,%zu) exact %d, want [%zu,%zu) exact %d",
		        what, i, w->off, w->end, sp.off, sp.end, sp.exact, w->soff, w->send,
		        w->exact);
	}
}

/* --- bodies -------------------------------------------------------------- */

static const struct {
	const char *enc, *cs;
	const char *in;
	size_t len;
	const char *want;
	const char *diags;     /* rule ids, space-separated */
	want_span sp[NSPAN];
} parts[] = {
	/* quoted-printable */
	{ "quoted-printable", NULL, B("a=3Db"), "a=b", "",
	  { { 0, 1, 0, 1, 1 }, { 1, 2, 1, 4, 0 }, { 2, 3, 4, 5, 1 } } },
	{ "quoted-printable", NULL, B("soft=\r\nbreak"), "softbreak", "",
	  { { 0, 4, 0, 4, 1 }, { 4, 9, 7, 12, 1 }, { 3, 5, 3, 8, 0 } } },
	{ "quoted-printable", NULL, B("soft=\nbreak"), "softbreak", "",
	  { { 4, 9, 6, 11, 1 } } },
	{ "quoted-printable", "iso-8859-1", B("caf=e9!"), "caf\xc3\xa9!", "",
	  { { 3, 5, 3, 6, 0 }, { 5, 6, 6, 7, 1 } } },
	{ "quoted-printable", NULL, B("bad=zz and =4"), "bad=zz and =4",
	  "input/bad-quoted-printable", { { 0, 13, 0, 13, 1 } } },
	{ "quoted-printable", NULL, B("trail   \r\nx"), "trail\r\nx", "",
	  { { 5, 8, 8, 11, 1 } } },
	{ "quoted-printable", NULL, B("trail \t"), "trail", "", { { 0, 5, 0, 5, 1 } } },
	{ "quoted-printable", NULL, B("soft= \t\r\nx"), "softx", "", { { 4, 5, 9, 10, 1 } } },
	{ "quoted-printable", "utf-8", B("=E2=80=94"), "\xe2\x80\x94", "",
	  { { 0, 3, 0, 9, 0 }, { 1, 2, 0, 9, 0 } } },
	{ "quoted-printable", "utf-8", B("caf=C3=\r\n=A9."), "caf\xc3\xa9.", "",
	  { { 3, 5, 3, 12, 0 }, { 5, 6, 12, 13, 1 } } },
	{ "quoted-printable", NULL, B("=41=42"), "AB", "",
	  { { 0, 1, 0, 3, 0 }, { 1, 2, 3, 6, 0 } } },
	{ "quoted-printable", NULL, B("==41"), "=A", "input/bad-quoted-printable",
	  { { 0, 1, 0, 1, 1 }, { 1, 2, 1, 4, 0 } } },
	{ "quoted-printable", NULL, B("a=\r\n"), "a", "", { { 0, 1, 0, 1, 1 } } },
	{ "quoted-printable", NULL, B("l1\r\nl2\n"), "l1\r\nl2\n", "",
	  { { 0, 7, 0, 7, 1 } } },
	{ "quoted-printable", "utf-8", B("x=C3=A9=C3=A9"), "x\xc3\xa9\xc3\xa9", "",
	  { { 1, 3, 1, 7, 0 }, { 3, 5, 7, 13, 0 } } },
	/* base64 */
	{ "base64", NULL, B("aGVsbG8="), "hello", "", { { 0, 5, 0, 8, 0 } } },
	{ "base64", NULL, B("aGVs\r\nbG8="), "hello", "",
	  { { 0, 3, 0, 4, 0 }, { 3, 5, 6, 10, 0 }, { 0, 5, 0, 10, 0 } } },
	{ "base64", NULL, B("aGV\nsbG8="), "hello", "", { { 0, 5, 0, 9, 0 } } },
	{ "base64", NULL, B("aGV sbG8="), "hello", "", { { 0, 5, 0, 9, 0 } } },
	{ "base64", NULL, B("aGVs*bG8="), "hello", "input/bad-base64", { { 0 } } },
	{ "base64", NULL, B("aGVsbG8"), "hello", "input/bad-base64", { { 3, 5, 0, 7, 0 } } },
	{ "base64", NULL, B("aGVsbA=="), "hell", "", { { 0, 4, 0, 8, 0 } } },
	{ "base64", NULL, B("aGVsbA="), "hell", "input/bad-base64", { { 0 } } },
	{ "base64", NULL, B("aGVsbA==garbage"), "hell", "input/bad-base64", { { 0 } } },
	{ "base64", NULL, B("aGVsbG8=\r\n"), "hello", "", { { 0 } } },
	{ "base64", NULL, B("a"), "", "input/bad-base64", { { 0 } } },
	{ "base64", NULL, B(""), "", "", { { 0 } } },
	{ "base64", "utf-8", B("Y2Fmw6k="), "caf\xc3\xa9", "", { { 3, 5, 0, 8, 0 } } },
	{ "base64", NULL, B("=aGVsbG8="), "hello", "input/bad-base64", { { 0 } } },
	/* identity encodings */
	{ "7bit", NULL, B("plain text\r\n"), "plain text\r\n", "", { { 0, 12, 0, 12, 1 } } },
	{ "8bit", "iso-8859-1", B("caf\xe9"), "caf\xc3\xa9", "",
	  { { 0, 3, 0, 3, 1 }, { 3, 5, 3, 4, 0 } } },
	{ "binary", "utf-8", B("caf\xc3\xa9"), "caf\xc3\xa9", "", { { 0, 5, 0, 5, 1 } } },
	{ "x-foo", NULL, B("as is"), "as is", "input/unknown-encoding", { { 0, 5, 0, 5, 1 } } },
	/* x-uuencode */
	{ "x-uuencode", NULL, B("begin 644 f\n#86)C\n`\nend\n"), "abc", "",
	  { { 0, 3, 12, 17, 0 } } },
	{ "x-uuencode", NULL, B("no begin"), "no begin", "input/bad-uuencode", { { 0 } } },
};

static void test_parts(void)
{
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		sl_result *r = mk(parts[i].in, parts[i].len);
		sl_part *p = mkpart(r, parts[i].enc, parts[i].cs);
		decode_part(r, p);
		size_t wl = strlen(parts[i].want);
		T_CHECK(p->has_text, "part %zu: has_text", i);
		T_CHECK(p->text.len == wl && !memcmp(p->text.p, parts[i].want, wl),
		        "part %zu (%s): got '%s', want '%s'", i, parts[i].enc,
		        esc(p->text.p, p->text.len), esc(parts[i].want, wl));
		T_CHECK(map_ok(r, &p->text), "part %zu: bad map", i);
		T_STREQ(rules(r), parts[i].diags, "part diagnostics");
		check_spans("part", i, &p->text, parts[i].sp);
		T_EQ(r->decoded, wl, "decoded bytes counted");
		rfree(r);
	}
}

/* Diagnostic positions and messages of the body decoders. */
static void test_part_diags(void)
{
	sl_result *r = mk(B("bad=zz, =4 and =\t."));
	sl_part *p = mkpart(r, "quoted-printable", NULL);
	decode_part(r, p);
	T_EQ(r->ndiag, 1, "qp: once per part");
	T_EQ(r->diag[0].offset, 3, "qp: the first bad '='");
	T_EQ(r->diag[0].end_offset, 4, "qp: one byte");
	T_STREQ(r->diag[0].message,
	        "'=' not followed by two hex digits or a line break, kept as is (3 in this part)",
	        "qp message");
	rfree(r);

	r = mk(B("aGVs\n*bG8\x01="));
	p = mkpart(r, "base64", NULL);
	decode_part(r, p);
	T_EQ(r->ndiag, 1, "base64: once per part");
	T_EQ(r->diag[0].offset, 5, "base64: at the bad byte");
	T_STREQ(r->diag[0].message, "invalid character '*' in base64 data, skipped (2 in this part)",
	        "base64 message");
	rfree(r);

	/* the charset declaration is located in the Content-Type field */
	r = mk(B("Content-Type: text/plain; charset=\"x-foo\"\n\ncaf\xe9"));
	p = mkpart(r, "8bit", "x-foo");
	decode_part(r, p);
	T_STREQ(p->text.p, "caf\xc3\xa9", "unknown charset text");
	T_EQ(r->ndiag, 1, "unknown charset: one diagnostic");
	T_EQ(r->diag[0].offset, 35, "unknown charset: at the parameter value");
	T_EQ(r->diag[0].end_offset, 40, "unknown charset: the value's end");
	rfree(r);

	r = mk(B("Content-Transfer-Encoding:  x-gzip \n\nbody"));
	p = mkpart(r, "x-gzip", NULL);
	decode_part(r, p);
	T_EQ(r->ndiag, 1, "unknown encoding: one diagnostic");
	T_EQ(r->diag[0].offset, 28, "unknown encoding: at the value");
	T_EQ(r->diag[0].end_offset, 34, "unknown encoding: the value's end");
	T_STREQ(r->diag[0].message, "unknown content-transfer-encoding 'x-gzip'; treated as 8bit",
	        "unknown encoding message");
	rfree(r);

	/* decoded-size limit: cut with the diagnostic */
	r = mk(B("aGVsbG8gd29y\nbGQ="));
	r->lim.decoded_size = 6;
	p = mkpart(r, "base64", NULL);
	decode_part(r, p);
	T_CHECK(p->text.len <= 6, "limit: text cut (%zu)", p->text.len);
	T_STREQ(rules(r), "input/limit-decoded-size", "limit diagnostic");
	rfree(r);

	r = mk(B("0123456789"));
	r->lim.decoded_size = 4;
	p = mkpart(r, "7bit", NULL);
	decode_part(r, p);
	T_STREQ(p->text.p, "0123", "limit: 7bit cut");
	T_STREQ(rules(r), "input/limit-decoded-size", "limit 7bit diagnostic");
	rfree(r);

	/* templates: undeclared UTF-8 is simply UTF-8; a <meta> charset is
	 * reported where it is declared */
	r = mk(B("<p>caf\xc3\xa9</p>"));
	r->doc.kind = SL_KIND_HTML;
	p = mkpart(r, "8bit", NULL);
	p->nhdr = 0;
	decode_part(r, p);
	T_STREQ(p->text.p, "<p>caf\xc3\xa9</p>", "template utf-8");
	T_EQ(r->ndiag, 0, "template utf-8: no diagnostic");
	T_EQ(p->text.nseg, 1, "template utf-8: exact");
	rfree(r);

	r = mk(B("<p>caf\xe9</p>"));
	r->doc.kind = SL_KIND_TEXT;
	p = mkpart(r, "8bit", NULL);
	p->nhdr = 0;
	decode_part(r, p);
	T_STREQ(p->text.p, "<p>caf\xc3\xa9</p>", "template windows-1252");
	T_STREQ(rules(r), "input/undeclared-8bit", "template windows-1252 diagnostic");
	rfree(r);

	r = mk(B("<meta charset=\"x-nope\"><p>caf\xe9</p>"));
	r->doc.kind = SL_KIND_HTML;
	p = mkpart(r, "8bit", "x-nope");
	p->nhdr = 0;
	p->subtype = "html";
	decode_part(r, p);
	T_STREQ(rules(r), "input/unknown-charset", "template unknown charset");
	T_EQ(r->ndiag ? r->diag[0].offset : 0, 15, "template unknown charset: at the meta");
	rfree(r);

	/* a message body without a charset is not a template */
	r = mk(B("caf\xc3\xa9"));
	p = mkpart(r, "8bit", NULL);
	decode_part(r, p);
	T_STREQ(rules(r), "input/undeclared-8bit", "message undeclared utf-8");
	rfree(r);

	/* an empty body still has a position */
	r = mk(B("Subject: x\n\n"));
	p = mkpart(r, "7bit", NULL);
	decode_part(r, p);
	sl_span sp = text_span(&p->text, 0, 0);
	T_EQ(p->text.len, 0, "empty body");
	T_EQ(sp.off, 12, "empty body position");
	rfree(r);
}

/* --- header values (RFC 2047) -------------------------------------------- */

static const struct {
	const char *in;
	size_t len;
	const char *want;
	const char *diags;
	want_span sp[NSPAN];
} hdrs[] = {
	{ B("=?utf-8?B?Y2Fmw6k=?="), "caf\xc3\xa9", "", { { 0, 5, 0, 20, 0 } } },
	{ B("=?iso-8859-1?Q?caf=E9_au_lait?="), "caf\xc3\xa9 au lait", "",
	  { { 0, 13, 0, 31, 0 } } },
	{ B("=?utf-8?q?a?= =?utf-8?q?b?="), "ab", "", { { 0, 2, 0, 27, 0 } } },
	{ B("=?utf-8?q?a?=\t  =?UTF-8?Q?b?="), "ab", "", { { 1, 2, 0, 29, 0 } } },
	/* a character split over two words, Q and B */
	{ B("=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?="), "caf\xc3\xa9", "", { { 3, 5, 0, 34, 0 } } },
	{ B("=?utf-8?B?ww==?= =?utf-8?B?qQ==?="), "\xc3\xa9", "", { { 0, 2, 0, 33, 0 } } },
	/* different charsets: joined, converted apart */
	{ B("=?iso-8859-1?q?=E9?= =?utf-8?q?=C3=A9?="), "\xc3\xa9\xc3\xa9", "",
	  { { 0, 2, 0, 20, 0 }, { 2, 4, 21, 39, 0 } } },
	/* malformed words stay literal */
	{ B("=?utf-8?x?abc?="), "=?utf-8?x?abc?=", "", { { 0, 15, 0, 15, 1 } } },
	{ B("=?utf-8?q?abc"), "=?utf-8?q?abc", "", { { 0, 13, 0, 13, 1 } } },
	{ B("=??q?abc?="), "=??q?abc?=", "", { { 0 } } },
	{ B("=?utf-8?q?a b?="), "=?utf-8?q?a b?=", "", { { 0 } } },
	{ B("=?utf-8?q?a?b?="), "=?utf-8?q?a?b?=", "", { { 0 } } },
	/* plain and encoded mixed */
	{ B("Hello =?utf-8?q?W=C3=B6rld?= again"), "Hello W\xc3\xb6rld again", "",
	  { { 0, 6, 0, 6, 1 }, { 6, 12, 6, 28, 0 }, { 12, 18, 28, 34, 1 } } },
	{ B("=?utf-8?q?a?= b"), "a b", "", { { 1, 3, 13, 15, 1 } } },
	{ B("a =?utf-8?q?b?="), "a b", "", { { 0, 2, 0, 2, 1 } } },
	{ B("a=?utf-8?q?b?=c"), "abc", "", { { 1, 2, 1, 14, 0 } } },
	/* RFC 2231 language */
	{ B("=?utf-8*en?q?hi?="), "hi", "", { { 0, 2, 0, 17, 0 } } },
	{ B("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore", "", { { 0 } } },
	/* whitespace trimmed, positions kept */
	{ B("  hi  "), "hi", "", { { 0, 2, 2, 4, 1 } } },
	{ B("=?utf-8?q?_hi_?="), "hi", "", { { 0, 2, 0, 16, 0 } } },
	{ B(""), "", "", { { 0 } } },
	{ B("   "), "", "", { { 0 } } },
	{ B("=?utf-8?q?\?="), "", "", { { 0 } } },
	/* raw 8-bit */
	{ B("caf\xc3\xa9"), "caf\xc3\xa9", "input/undeclared-8bit", { { 0, 5, 0, 5, 1 } } },
	{ B("caf\xe9 x"), "caf\xc3\xa9 x", "input/undeclared-8bit",
	  { { 0, 3, 0, 3, 1 }, { 3, 5, 3, 4, 0 }, { 5, 7, 4, 6, 1 } } },
	/* unknown charset in a word: reported at its name */
	{ B("=?x-foo?q?a=E9?="), "a\xc3\xa9", "input/unknown-charset", { { 0 } } },
	/* bad bytes in a word */
	{ B("=?utf-8?q?a=FF?="), "a\xef\xbf\xbd", "input/bad-charset-data", { { 0 } } },
	/* other charsets */
	{ B("=?iso-2022-jp?B?GyRCJEYkOSRIGyhC?="), "\xe3\x81\xa6\xe3\x81\x99\xe3\x81\xa8", "",
	  { { 0, 9, 0, 34, 0 } } },
	{ B("=?koi8-r?b?8NLJ18XU?="), "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "",
	  { { 0 } } },
	{ B("=?gb2312?B?xOO6ww==?="), "\xe4\xbd\xa0\xe5\xa5\xbd", "", { { 0 } } },
	{ B("\"=?utf-8?q?J=C3=B6rg?=\" <j@example.com>"), "\"J\xc3\xb6rg\" <j@example.com>", "",
	  { { 0, 1, 0, 1, 1 }, { 1, 6, 1, 22, 0 }, { 6, 23, 22, 39, 1 } } },
};

static void test_headers(void)
{
	for (size_t i = 0; i < sizeof hdrs / sizeof *hdrs; i++) {
		sl_result *r = mk(hdrs[i].in, hdrs[i].len);
		sl_text out;
		decode_header_value(r, &r->srctext, &out);
		size_t wl = strlen(hdrs[i].want);
		T_CHECK(out.len == wl && !memcmp(out.p, hdrs[i].want, wl),
		        "header %zu: got '%s', want '%s'", i, esc(out.p, out.len),
		        esc(hdrs[i].want, wl));
		T_CHECK(map_ok(r, &out), "header %zu: bad map", i);
		T_CHECK(out.nseg > 0, "header %zu: no position", i);
		T_STREQ(rules(r), hdrs[i].diags, "header diagnostics");
		check_spans("header", i, &out, hdrs[i].sp);
		rfree(r);
	}
}

static void test_header_diags(void)
{
	sl_result *r = mk(B("x =?x-foo?q?a?="));
	sl_text out;
	decode_header_value(r, &r->srctext, &out);
	T_EQ(r->ndiag, 1, "unknown word charset: one diagnostic");
	T_EQ(r->diag[0].offset, 4, "unknown word charset: at the name");
	T_EQ(r->diag[0].end_offset, 9, "unknown word charset: the name's end");
	rfree(r);

	/* a header value inside a file: the raw text is a slice of it */
	r = mk(B("Subject: =?utf-8?q?=E2=9C=93?= ok\n"));
	sl_text raw;
	text_slice(&raw, &r->arena, &r->srctext, 8, 33);
	decode_header_value(r, &raw, &out);
	T_STREQ(out.p, "\xe2\x9c\x93 ok", "slice decoded");
	sl_span sp = text_span(&out, 0, 3);
	T_CHECK(sp.off == 9 && sp.end == 30 && !sp.exact, "slice word span [%zu,%zu)",
	        sp.off, sp.end);
	sp = text_span(&out, 4, 6);
	T_CHECK(sp.off == 31 && sp.end == 33 && sp.exact, "slice plain span [%zu,%zu)",
	        sp.off, sp.end);
	rfree(r);
}

int main(void)
{
	test_parts();
	test_part_diags();
	test_headers();
	test_header_diags();
	return t_done();
}
