/*
 * test_mime.c - the MIME stage (mime.c) and input kind detection (kind.c).
 *
 * Tables of input and the exact part tree, header fields and diagnostics
 * they give; limits; and a mutation run that checks the tree's invariants
 * on damaged messages.
 */
#include <stdlib.h>

#include "internal.h"
#include "t.h"

/* --- harness ------------------------------------------------------------ */

static void limits_default(sl_limits *l)
{
#define DEF(f, v) if (!l->f) l->f = (v)
	DEF(input_size, SL_DEFAULT_INPUT_SIZE);
	DEF(header_count, SL_DEFAULT_HEADER_COUNT);
	DEF(header_line, SL_DEFAULT_HEADER_LINE);
	DEF(mime_depth, SL_DEFAULT_MIME_DEPTH);
	DEF(mime_parts, SL_DEFAULT_MIME_PARTS);
	DEF(decoded_size, SL_DEFAULT_DECODED_SIZE);
	DEF(html_depth, SL_DEFAULT_HTML_DEPTH);
	DEF(diagnostics, SL_DEFAULT_DIAGNOSTICS);
	DEF(regex_match, SL_DEFAULT_REGEX_MATCH);
#undef DEF
}

/* Run the stage as sl_lint does, without the later stages. */
static sl_result *run(const char *name, const char *src, size_t len,
                      const sl_limits *lim)
{
	sl_result *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	arena_init(&r->arena, NULL);
	if (lim)
		r->lim = *lim;
	limits_default(&r->lim);
	r->name = name;
	r->src = (const unsigned char *)src;
	r->len = len;
	source_lines(r);
	text_identity(&r->srctext, &r->arena, src, 0, len);
	r->doc.html_part = r->doc.text_part = r->doc.preheader_blk = -1;
	r->doc.kind = kind_detect(name, r->src, len);
	mime_parse(r);
	diag_sort(r);
	return r;
}

static void done(sl_result *r)
{
	arena_release(&r->arena);
	free(r);
}

static void esc(sl_buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\n')
			buf_add(b, "\\n", 2);
		else if (c == '\r')
			buf_add(b, "\\r", 2);
		else if (c < 0x20 || c == 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
}

/* One line per part: indented by depth; leaves show their body,
 * containers their number of children. */
static const char *dump_tree(sl_result *r)
{
	sl_buf b;
	buf_init(&b, &r->arena, (size_t)1 << 30);
	for (size_t i = 0; i < r->doc.nparts; i++) {
		const sl_part *p = r->doc.parts[i];
		for (int d = 0; d < p->depth; d++)
			buf_add(&b, "  ", 2);
		buf_addf(&b, "%s/%s", p->type, p->subtype);
		if (p->charset)
			buf_addf(&b, ";charset=%s", p->charset);
		if (p->boundary)
			buf_addf(&b, " b=%s", p->boundary);
		buf_addf(&b, " %s", p->encoding);
		if (p->disposition)
			buf_addf(&b, " disp=%s", p->disposition);
		if (p->filename)
			buf_addf(&b, " file=%s", p->filename);
		if (p->attachment)
			buf_add(&b, " att", 4);
		buf_addf(&b, " h%zu", p->nhdr);
		if (p->nchild) {
			buf_addf(&b, " k%zu", p->nchild);
		} else {
			buf_add(&b, " body=\"", 7);
			esc(&b, (const char *)r->src + p->body_off, p->body_end - p->body_off);
			buf_addc(&b, '"');
		}
		buf_addc(&b, '\n');
	}
	return buf_cstr(&b);
}

/* One line per diagnostic: its id and the original bytes it points at
 * ("@N" for an empty span). */
static const char *dump_diags(sl_result *r)
{
	sl_buf b;
	buf_init(&b, &r->arena, (size_t)1 << 30);
	for (size_t i = 0; i < r->ndiag; i++) {
		const sl_diag *d = &r->diag[i];
		buf_addf(&b, "%s ", d->rule);
		if (d->offset == d->end_offset) {
			buf_addf(&b, "@%zu", d->offset);
		} else {
			buf_addc(&b, '"');
			esc(&b, (const char *)r->src + d->offset, d->end_offset - d->offset);
			buf_addc(&b, '"');
		}
		buf_addc(&b, '\n');
	}
	return buf_cstr(&b);
}

/* --- the part tree -------------------------------------------------------- */

static const struct {
	const char *name, *in, *tree, *diags;
} tree_cases[] = {
	{ "simple.eml",
	  "From: a@example.com\r\nSubject: Hi\r\n\r\nHello\r\n",
	  "text/plain 7bit h2 body=\"Hello\\r\\n\"\n", "" },
	{ "alt.eml",
	  "MIME-Version: 1.0\r\n"
	  "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
	  "\r\n"
	  "This is a multi-part message.\r\n"
	  "--b1\r\n"
	  "Content-Type: text/plain; charset=utf-8\r\n"
	  "\r\n"
	  "plain\r\n"
	  "--b1\r\n"
	  "Content-Type: text/html; charset=\"UTF-8\"\r\n"
	  "Content-Transfer-Encoding: Quoted-Printable\r\n"
	  "\r\n"
	  "<p>html</p>\r\n"
	  "--b1--\r\n"
	  "epilogue\r\n",
	  "multipart/alternative b=b1 7bit h2 k2\n"
	  "  text/plain;charset=utf-8 7bit h1 body=\"plain\"\n"
	  "  text/html;charset=utf-8 quoted-printable h2 body=\"<p>html</p>\"\n",
	  "" },
	/* LF line ends; mixed > alternative + attachment; a boundary that is
	 * a prefix of the inner one; padding after a delimiter */
	{ "nested.eml",
	  "From: x@example.com\n"
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/mixed; boundary=abc\n"
	  "\n"
	  "--abc\n"
	  "Content-Type: multipart/alternative; boundary=abcdef\n"
	  "\n"
	  "--abcdef\n"
	  "Content-Type: text/plain\n"
	  "\n"
	  "one\n"
	  "--abcdef  \n"
	  "Content-Type: text/html\n"
	  "\n"
	  "<b>two</b>\n"
	  "--abcdef--\n"
	  "--abc\n"
	  "Content-Type: application/pdf; name=\"r.pdf\"\n"
	  "Content-Disposition: attachment;\n"
	  " filename*0*=utf-8''%C3%A9t;\n"
	  " filename*1=\"e.pdf\"\n"
	  "Content-Transfer-Encoding: base64\n"
	  "\n"
	  "JVBERi0=\n"
	  "--abc--\n",
	  "multipart/mixed b=abc 7bit h3 k2\n"
	  "  multipart/alternative b=abcdef 7bit h1 k2\n"
	  "    text/plain 7bit h1 body=\"one\"\n"
	  "    text/html 7bit h1 body=\"<b>two</b>\"\n"
	  "  application/pdf base64 disp=attachment file=\xC3\xA9te.pdf att h3 body=\"JVBERi0=\"\n",
	  "" },
	{ "unterminated.eml",
	  "MIME-Version: 1.0\r\n"
	  "Content-Type: multipart/mixed; boundary=zz\r\n"
	  "\r\n"
	  "--zz\r\n"
	  "\r\n"
	  "no header\r\n",
	  "multipart/mixed b=zz 7bit h2 k1\n"
	  "  text/plain 7bit h0 body=\"no header\\r\\n\"\n",
	  "input/unterminated-multipart @84\n" },
	{ "noboundary.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/mixed\n"
	  "\n"
	  "body\n",
	  "multipart/mixed 7bit h2 body=\"body\\n\"\n",
	  "input/missing-boundary \"multipart/mixed\"\n" },
	{ "nodelim.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/mixed; boundary=q\n"
	  "\n"
	  "--qq\n"
	  "body\n",
	  "multipart/mixed b=q 7bit h2 body=\"--qq\\nbody\\n\"\n",
	  "input/empty-multipart \"multipart/mixed; boundary=q\"\n" },
	{ "noblank.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/mixed; boundary=q\n"
	  "\n"
	  "--q\n"
	  "just text\n"
	  "--q\n"
	  "--q--\n",
	  "multipart/mixed b=q 7bit h2 k2\n"
	  "  text/plain 7bit h0 body=\"just text\"\n"
	  "  text/plain 7bit h0 body=\"\"\n",
	  "input/missing-blank-line \"just text\"\n" },
	{ "badline.eml",
	  "From: a@example.com\n"
	  "Subject: hi\n"
	  "this is not a header\n"
	  "more\n",
	  "text/plain 7bit h2 body=\"this is not a header\\nmore\\n\"\n",
	  "input/bad-header-line \"this is not a header\"\n" },
	{ "foldfirst.eml",
	  " folded\n"
	  "Subject: hi\n"
	  "\n"
	  "x",
	  "text/plain 7bit h1 body=\"x\"\n",
	  "input/bad-header-line \" folded\"\n" },
	{ "dup.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: text/html\n"
	  "Content-Type: text/plain\n"
	  "\n"
	  "<p>x</p>",
	  "text/html 7bit h3 body=\"<p>x</p>\"\n",
	  "input/duplicate-header \"Content-Type: text/plain\"\n" },
	{ "rfc822.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/mixed; boundary=o\n"
	  "\n"
	  "--o\n"
	  "Content-Type: message/rfc822\n"
	  "\n"
	  "Subject: inner\n"
	  "Content-Type: text/plain; charset=iso-8859-1\n"
	  "\n"
	  "inner body\n"
	  "--o--\n",
	  "multipart/mixed b=o 7bit h2 k1\n"
	  "  message/rfc822 7bit h1 k1\n"
	  "    text/plain;charset=iso-8859-1 7bit h2 body=\"inner body\"\n",
	  "" },
	{ "rfc822b64.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: message/rfc822\n"
	  "Content-Transfer-Encoding: base64\n"
	  "\n"
	  "U3ViamVjdDogeA==\n",
	  "message/rfc822 base64 h3 body=\"U3ViamVjdDogeA==\\n\"\n",
	  "input/bad-encoding \"base64\"\n" },
	{ "digest.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/digest; boundary=d\n"
	  "\n"
	  "--d\n"
	  "\n"
	  "Subject: one\n"
	  "\n"
	  "first\n"
	  "--d--\n",
	  "multipart/digest b=d 7bit h2 k1\n"
	  "  message/rfc822 7bit h0 k1\n"
	  "    text/plain 7bit h1 body=\"first\"\n",
	  "" },
	{ "badtype.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: text\n"
	  "\n"
	  "x",
	  "text/plain 7bit h2 body=\"x\"\n",
	  "input/bad-content-type \"text\"\n" },
	{ "unknownenc.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: application/zip\n"
	  "Content-Transfer-Encoding: X-Foo (old)\n"
	  "\n"
	  "x",
	  "application/zip x-foo h3 body=\"x\"\n",
	  "input/unknown-encoding \"X-Foo\"\n" },
	{ "uue.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: application/zip\n"
	  "Content-Transfer-Encoding: x-uuencode\n"
	  "\n"
	  "x",
	  "application/zip x-uuencode h3 body=\"x\"\n", "" },
	{ "nomimever.eml",
	  "From: a@example.com\n"
	  "Content-Type: text/plain; charset=us-ascii\n"
	  "\n"
	  "x",
	  "text/plain;charset=us-ascii 7bit h2 body=\"x\"\n",
	  "" }, /* deliverability/mime-version-missing now, not an input finding */
	{ "badmimever.eml",
	  "MIME-Version: 1.0 (produced by X)\n"
	  "MIME-Version: 2.0\n"
	  "\n"
	  "x",
	  "text/plain 7bit h2 body=\"x\"\n",
	  "input/duplicate-header \"MIME-Version: 2.0\"\n" },
	{ "badmimever2.eml",
	  "MIME-Version: 1.1\n"
	  "\n"
	  "x",
	  "text/plain 7bit h1 body=\"x\"\n",
	  "input/bad-mime-version \"1.1\"\n" },
	{ "htmlnoct.eml",
	  "From: a@example.com\n"
	  "Subject: hi\n"
	  "\n"
	  "<html><body>x</body></html>\n",
	  "text/html 7bit h2 body=\"<html><body>x</body></html>\\n\"\n",
	  "input/html-without-content-type \"<html><body>x</body></html>\"\n" },
	{ "subjectonly.html",
	  "Subject: hi\n"
	  "\n"
	  "<p>x</p>",
	  "text/html 7bit h1 body=\"<p>x</p>\"\n", "" },
	{ "mbox.eml",
	  "From someone@example.com Mon Jan  1 00:00:00 2024\n"
	  "Subject: hi\n"
	  "\n"
	  "x",
	  "text/plain 7bit h1 body=\"x\"\n", "" },
	{ "params.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: text/plain charset=utf-8; format; ;x=\"a\\\"b\"\n"
	  "\n"
	  "x",
	  "text/plain;charset=utf-8 7bit h2 body=\"x\"\n",
	  "input/bad-parameter \"charset\"\n"
	  "input/bad-parameter \"format\"\n" },
	{ "quoted.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: text/plain; charset=\"utf-8\n"
	  "\n"
	  "x",
	  "text/plain;charset=utf-8 7bit h2 body=\"x\"\n",
	  "input/bad-parameter \"\"utf-8\"\n" },
	{ "dupparam.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: text/plain; charset=utf-8; charset=latin1\n"
	  "\n"
	  "x",
	  "text/plain;charset=utf-8 7bit h2 body=\"x\"\n",
	  "input/duplicate-parameter \"latin1\"\n" },
	{ "longboundary.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/mixed;\n"
	  " boundary=\"0123456789012345678901234567890123456789012345678901234567890123456789x\"\n"
	  "\n"
	  "--0123456789012345678901234567890123456789012345678901234567890123456789x\n"
	  "\n"
	  "a\n"
	  "--0123456789012345678901234567890123456789012345678901234567890123456789x--\n",
	  "multipart/mixed b=0123456789012345678901234567890123456789012345678901234567890123456789x 7bit h2 k1\n"
	  "  text/plain 7bit h0 body=\"a\"\n",
	  "input/bad-boundary \"0123456789012345678901234567890123456789012345678901234567890123456789x\"\n" },
	{ "b64multi.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/mixed; boundary=q\n"
	  "Content-Transfer-Encoding: base64\n"
	  "\n"
	  "--q\n"
	  "\n"
	  "a\n"
	  "--q--\n",
	  "multipart/mixed b=q base64 h3 k1\n"
	  "  text/plain 7bit h0 body=\"a\"\n",
	  "input/bad-encoding \"base64\"\n" },
	{ "obs.eml",
	  "Subject : hi\n"
	  "From: a@example.com\n"
	  "\n"
	  "x",
	  "text/plain 7bit h2 body=\"x\"\n",
	  "input/obsolete-header-syntax \" \"\n" },
	{ "inline-image.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/related; boundary=r\n"
	  "\n"
	  "--r\n"
	  "Content-Type: text/html\n"
	  "\n"
	  "<img src=cid:a>\n"
	  "--r\n"
	  "Content-Type: image/png\n"
	  "Content-Disposition: inline; filename=\"a.png\" (logo)\n"
	  "\n"
	  "iVBO\n"
	  "--r--",
	  "multipart/related b=r 7bit h2 k2\n"
	  "  text/html 7bit h1 body=\"<img src=cid:a>\"\n"
	  "  image/png 7bit disp=inline file=a.png att h2 body=\"iVBO\"\n",
	  "" },
	{ "2231.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: application/octet-stream\n"
	  "Content-Disposition: attachment; filename*=''a%2zb; filename*1=x\n"
	  "\n"
	  "x",
	  "application/octet-stream 7bit disp=attachment file=a%2zb att h3 body=\"x\"\n",
	  "input/bad-parameter \"%2z\"\n"
	  "input/bad-parameter \"x\"\n" },
	{ "indented.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/mixed; boundary=q\n"
	  "\n"
	  "--q\n"
	  "  indented text\n"
	  "--q--\n",
	  "multipart/mixed b=q 7bit h2 k1\n"
	  "  text/plain 7bit h0 body=\"  indented text\"\n",
	  "input/missing-blank-line \"  indented text\"\n" },
	{ "closeonly.eml",
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/mixed; boundary=q\n"
	  "\n"
	  "--q--\n",
	  "multipart/mixed b=q 7bit h2 body=\"--q--\\n\"\n",
	  "input/empty-multipart \"multipart/mixed; boundary=q\"\n" },
	{ "htmlmeta.eml",
	  "From: a@example.com\n"
	  "\n"
	  "<html><head><meta charset=\"ISO-8859-1\"></head></html>",
	  "text/html;charset=iso-8859-1 7bit h1 body=\"<html><head><meta charset=\"ISO-8859-1\"></head></html>\"\n",
	  "input/html-without-content-type \"<html><head><meta charset=\"ISO-8859-1\"></head></html>\"\n" },
	{ "headersonly.eml",
	  "From: a@example.com\n"
	  "Subject: hi",
	  "text/plain 7bit h2 body=\"\"\n", "" },
	{ "empty.eml", "", "text/plain 7bit h0 body=\"\"\n", "" },
	{ "t.html", "<!doctype html><p>Hi</p>",
	  "text/html 8bit h0 body=\"<!doctype html><p>Hi</p>\"\n", "" },
	{ "t.txt", "Hello {{ name }},\n\nthanks.\n",
	  "text/plain 8bit h0 body=\"Hello {{ name }},\\n\\nthanks.\\n\"\n", "" },
};

static void test_trees(void)
{
	for (size_t i = 0; i < sizeof tree_cases / sizeof *tree_cases; i++) {
		const char *in = tree_cases[i].in;
		sl_result *r = run(tree_cases[i].name, in, strlen(in), NULL);
		T_STREQ(dump_tree(r), tree_cases[i].tree, tree_cases[i].name);
		T_STREQ(dump_diags(r), tree_cases[i].diags, tree_cases[i].name);
		done(r);
	}
}

/* --- header fields ------------------------------------------------------- */

static void test_headers(void)
{
	const char *in =
		"Subject: Hello\r\n"
		"  world\t\r\n"
		"X-Empty:\r\n"
		"To:a@example.com\r\n"
		"\r\n"
		"body";
	sl_result *r = run("h.eml", in, strlen(in), NULL);
	const sl_part *p = r->doc.root;
	T_EQ(p->nhdr, 3, "field count");
	T_CHECK(r->doc.subject == &p->hdr[0], "doc.subject is the first field");
	const sl_header *h = &p->hdr[0];
	T_CHECK(str_eq(h->name, "Subject"), "name");
	T_EQ(h->off, 0, "subject off");
	T_EQ(h->end, 24, "subject end (folded line, no line break)");
	T_EQ(h->value_off, 8, "subject value_off");
	T_STREQ(h->raw.p, " Hello  world\t", "raw: folding CRLF removed");
	T_STREQ(h->value.p, "Hello  world", "value: trimmed");
	sl_span sp = text_span(&h->raw, 1, 6);
	T_CHECK(sp.off == 9 && sp.end == 14 && sp.exact, "raw 'Hello' maps exactly");
	sp = text_span(&h->raw, 1, 13);
	T_CHECK(sp.off == 9 && sp.end == 23 && !sp.exact, "span over a fold is inexact");
	sp = text_span(&h->value, 0, 5);
	T_CHECK(sp.off == 9 && sp.end == 14 && sp.exact, "value 'Hello' maps exactly");
	h = &p->hdr[1];
	T_CHECK(str_eq(h->name, "X-Empty"), "empty field name");
	T_EQ(h->raw.len, 0, "empty raw");
	T_EQ(h->value.len, 0, "empty value");
	sp = text_whole(&h->value);
	T_EQ(sp.off, 34, "empty value has a position");
	h = &p->hdr[2];
	T_STREQ(h->value.p, "a@example.com", "value without a blank");
	T_EQ(p->body_off, strlen(in) - 4, "body_off");
	T_CHECK(part_header(p, "subject") == &p->hdr[0], "case-insensitive lookup");
	T_EQ(r->ndiag, 0, "no diagnostics");
	done(r);
}

static void test_charset_decl(void)
{
	const char *in = "MIME-Version: 1.0\nContent-Type: text/plain; charset=\"Latin1\"\n\nx";
	sl_result *r = run("c.eml", in, strlen(in), NULL);
	const sl_part *p = r->doc.root;
	T_STREQ(p->charset, "latin1", "charset lower-cased");
	T_CHECK(p->charset_decl.off == 53 && p->charset_decl.end == 59 &&
	        p->charset_decl.exact, "charset_decl is the value inside the quotes");
	done(r);
}

/* --- limits ----------------------------------------------------------------- */

static void test_limits(void)
{
	sl_limits lim = { 0 };
	const char *in;
	sl_result *r;

	lim.header_count = 2;
	in = "A: 1\nB: 2\nC: 3\n D\nE: 4\n\nbody";
	r = run("l.eml", in, strlen(in), &lim);
	T_EQ(r->doc.root->nhdr, 2, "header_count keeps 2");
	T_STREQ(dump_diags(r), "input/limit-header-count \"C: 3\"\n", "header_count diag");
	T_EQ(r->doc.root->body_off, strlen(in) - 4, "body found past skipped fields");
	done(r);

	lim = (sl_limits){ 0 };
	lim.header_line = 8;
	in = "Subject: 123456\n 7890\nX: y\n\nb";
	r = run("l.eml", in, strlen(in), &lim);
	T_STREQ(r->doc.root->hdr[0].raw.p, " 123456 ", "header_line cuts the raw value");
	T_STREQ(r->doc.root->hdr[1].raw.p, " y", "next field intact");
	T_STREQ(dump_diags(r), "input/limit-header-line \"7890\"\n", "header_line diag");
	done(r);

	lim = (sl_limits){ 0 };
	lim.mime_parts = 3;
	in = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=q\n\n"
	     "--q\n\na\n--q\n\nb\n--q\n\nc\n--q--\n";
	r = run("l.eml", in, strlen(in), &lim);
	T_EQ(r->doc.nparts, 3, "mime_parts keeps 3");
	T_STREQ(dump_diags(r), "input/limit-mime-parts \"--q\"\n", "mime_parts diag");
	T_STREQ(dump_tree(r), "multipart/mixed b=q 7bit h2 k2\n"
	        "  text/plain 7bit h0 body=\"a\"\n"
	        "  text/plain 7bit h0 body=\"b\"\n", "mime_parts tree");
	done(r);

	lim = (sl_limits){ 0 };
	lim.mime_depth = 1;
	in = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=q\n\n"
	     "--q\nContent-Type: multipart/mixed; boundary=w\n\n--w\n\nx\n--w--\n--q--\n";
	r = run("l.eml", in, strlen(in), &lim);
	T_EQ(r->doc.nparts, 2, "mime_depth stops the inner split");
	T_STREQ(dump_diags(r), "input/limit-mime-depth \"multipart/mixed; boundary=w\"\n",
	        "mime_depth diag");
	done(r);
}

/* Deep nesting with the depth limit raised: the walk must not recurse. */
static void test_deep(void)
{
	enum { N = 3000 };
	sl_buf b;
	sl_arena a;
	arena_init(&a, NULL);
	buf_init(&b, &a, (size_t)1 << 30);
	buf_addf(&b, "MIME-Version: 1.0\n");
	for (int i = 0; i < N; i++)
		buf_addf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
	buf_addf(&b, "\nleaf\n");
	sl_limits lim = { 0 };
	lim.mime_depth = 1000000;
	lim.mime_parts = 1000000;
	lim.diagnostics = 1000000;
	sl_result *r = run("deep.eml", b.p, b.len, &lim);
	T_EQ(r->doc.nparts, N + 1, "deep: every level parsed");
	T_EQ(r->doc.parts[N]->depth, N, "deep: depth");
	T_EQ(r->ndiag, N, "deep: one unterminated-multipart per level");
	done(r);
	arena_release(&a);
}

/* --- invariants under damage ----------------------------------------------- */

static const char *fuzz_seed =
	"From: a@example.com\r\n"
	"Subject: =?utf-8?q?hi?=\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: multipart/mixed; boundary=\"m\"\r\n"
	"\r\n"
	"--m\r\n"
	"Content-Type: multipart/alternative; boundary=a\r\n"
	"\r\n"
	"--a\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"Content-Transfer-Encoding: quoted-printable\r\n"
	"\r\n"
	"caf=C3=A9\r\n"
	"--a\r\n"
	"Content-Type: text/html\r\n"
	"\r\n"
	"<p>x</p>\r\n"
	"--a--\r\n"
	"--m\r\n"
	"Content-Type: message/rfc822\r\n"
	"\r\n"
	"Subject: in\r\n"
	"\r\n"
	"inner\r\n"
	"--m\r\n"
	"Content-Disposition: attachment; filename*0*=utf-8''%41; filename*1=b\r\n"
	"\r\n"
	"data\r\n"
	"--m--\r\n";

static int check_invariants(const sl_result *r)
{
	const sl_doc *d = &r->doc;
	if (!d->root || d->nparts < 1 || d->parts[0] != d->root)
		return 0;
	for (size_t i = 0; i < d->nparts; i++) {
		const sl_part *p = d->parts[i];
		if (p->index != (int)i || !p->type || !p->subtype || !p->encoding)
			return 0;
		if (!(p->off <= p->body_off && p->body_off <= p->body_end &&
		      p->body_end <= p->end && p->end <= r->len))
			return 0;
		for (size_t k = 0; k < p->nchild; k++) {
			const sl_part *c = p->child[k];
			if (c->parent != p || c->depth != p->depth + 1 ||
			    c->off < p->body_off || c->end > p->body_end)
				return 0;
		}
		for (size_t k = 0; k < p->nhdr; k++) {
			const sl_header *h = &p->hdr[k];
			if (!(p->off <= h->off && h->off < h->value_off &&
			      h->value_off <= h->end + 1 && h->end <= p->body_off))
				return 0;
			sl_span sp = text_whole(&h->raw);
			if (sp.end > r->len)
				return 0;
		}
	}
	for (size_t i = 0; i < r->ndiag; i++)
		if (r->diag[i].offset > r->diag[i].end_offset ||
		    r->diag[i].end_offset > r->len)
			return 0;
	return 1;
}

static void test_fuzz(void)
{
	size_t n = strlen(fuzz_seed), bad = 0, runs = 3000;
	char *buf = malloc(n + 64);
	uint32_t s = 12345;
	for (size_t it = 0; it < runs; it++) {
		memcpy(buf, fuzz_seed, n);
		size_t len = n;
		int muts = 1 + (int)(it % 8);
		for (int k = 0; k < muts; k++) {
			s = s * 1103515245u + 12345u;
			size_t pos = (s >> 8) % len;
			s = s * 1103515245u + 12345u;
			switch ((s >> 16) % 5) {
			case 0: buf[pos] = (char)(s >> 3); break;
			case 1: buf[pos] = "\r\n-:;\"= \t("[(s >> 5) % 10]; break;
			case 2: len = pos; break;              /* truncate */
			case 3: memmove(buf + pos, buf + pos + 1, len - pos - 1); len--; break;
			default: buf[pos] = 0; break;
			}
			if (!len)
				break;
		}
		sl_limits lim = { 0 };
		lim.mime_parts = 1 + it % 7;
		lim.header_count = 1 + it % 11;
		sl_result *r = run("f.eml", buf, len, it % 3 ? NULL : &lim);
		if (!check_invariants(r)) {
			if (!bad)
				printf("first bad fuzz run: %zu\n", it);
			bad++;
		}
		done(r);
	}
	free(buf);
	T_EQ(bad, 0, "fuzz runs breaking the tree's invariants");
}

/* --- kind detection ----------------------------------------------------- */

static const struct {
	const char *name, *in;
	sl_kind want;
} kind_cases[] = {
	{ "a.eml", "From: x@y\nSubject: s\n\nbody", SL_KIND_EML },
	{ NULL, "Received: from x\n\tby y\nSubject: s\n\nbody", SL_KIND_EML },
	{ "x.txt", "Subject: Your invoice\n\nHello", SL_KIND_EML },
	{ NULL, "X-Campaign: 7\n\nHello", SL_KIND_EML },
	{ NULL, "From a@b Mon Jan 1\nFoo: bar\n\nx", SL_KIND_EML },
	{ NULL, "Note: we are closing\n\nbody", SL_KIND_TEXT },
	{ "n.eml", "Note: we are closing\n\nbody", SL_KIND_EML },
	{ NULL, "Note: we are closing\nand more\n", SL_KIND_TEXT },
	{ NULL, "From the team,\nhello", SL_KIND_TEXT },
	{ NULL, "\xEF\xBB\xBF  <!DOCTYPE html><html></html>", SL_KIND_HTML },
	{ NULL, "<table><tr><td>x</td></tr></table>", SL_KIND_HTML },
	{ NULL, "{% extends 'base' %}\n<div class=x>hi</div>", SL_KIND_HTML },
	{ NULL, "See <https://example.com> for more", SL_KIND_TEXT },
	{ NULL, "a < b and c > d", SL_KIND_TEXT },
	{ "t.html", "Hello {{ name }}", SL_KIND_HTML },
	{ "t.HTM", "Hello", SL_KIND_HTML },
	{ "dir.html/t", "Hello", SL_KIND_TEXT },
	{ "t.txt", "Hello <br> there", SL_KIND_HTML },
	{ NULL, "", SL_KIND_TEXT },
	{ "e.eml", "", SL_KIND_EML },
};

static void test_kind(void)
{
	for (size_t i = 0; i < sizeof kind_cases / sizeof *kind_cases; i++) {
		const char *in = kind_cases[i].in;
		sl_kind k = kind_detect(kind_cases[i].name, (const unsigned char *)in,
		                        strlen(in));
		T_CHECK(k == kind_cases[i].want, "kind case %zu ('%s'): got %d, want %d",
		        i, in, (int)k, (int)kind_cases[i].want);
	}
}

int main(void)
{
	test_trees();
	test_headers();
	test_charset_decl();
	test_limits();
	test_deep();
	test_fuzz();
	test_kind();
	return t_done();
}
