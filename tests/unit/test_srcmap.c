/*
 * test_srcmap.c - the source map: text_span, text_slice and the builder
 * (tb_copy, tb_replace, tb_emit) composing across two stages; then the
 * property every text of a linted file must have: for every text (part
 * bodies, header raw and decoded values, blocks, links, image alt texts,
 * the title) the segments are sorted, do not overlap, cover the text, and
 * every exact segment's bytes equal the original file's.  The property
 * runs over messages exercising every encoding and over corpus/ (skipped
 * when empty or absent; SL_CORPUS names another folder).
 */
#include <dirent.h>
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

static int span_is(sl_span sp, size_t off, size_t end, int exact)
{
	return sp.off == off && sp.end == end && sp.exact == exact;
}

#define T_SPAN(sp, o, e, x, what)                                             \
	do {                                                                  \
		sl_span s_ = (sp);                                            \
		T_CHECK(span_is(s_, (o), (e), (x)),                           \
		        "%s: got [%zu,%zu) exact %d, want [%zu,%zu) exact %d",  \
		        (what), s_.off, s_.end, s_.exact, (size_t)(o), (size_t)(e), (x)); \
	} while (0)

static void test_identity_and_span(void)
{
	static const char file[] = "0123456789";
	sl_arena a;
	arena_init(&a, NULL);
	sl_text t;
	text_identity(&t, &a, file, 2, 6);
	T_EQ(t.len, 6, "identity length");
	T_EQ(t.nseg, 1, "identity one segment");
	T_SPAN(text_span(&t, 1, 4), 3, 6, 1, "identity span");
	T_SPAN(text_span(&t, 0, 6), 2, 8, 1, "identity whole");
	T_SPAN(text_whole(&t), 2, 8, 1, "text_whole");
	T_SPAN(text_span(&t, 3, 3), 5, 5, 1, "empty range is a point");
	T_SPAN(text_span(&t, 6, 6), 8, 8, 1, "point at the end");
	T_SPAN(text_span(&t, 4, 100), 6, 8, 1, "end clamped");
	T_SPAN(text_span(&t, 9, 3), 5, 5, 1, "off past end clamped to end");
	sl_text e;
	text_identity(&e, &a, file, 4, 0);
	T_EQ(e.nseg, 1, "empty identity keeps a position");
	T_SPAN(text_span(&e, 0, 0), 4, 4, 1, "empty identity point");
	sl_text none = { "", 0, NULL, 0 };
	T_SPAN(text_span(&none, 0, 0), 0, 0, 0, "no segments");
	arena_release(&a);
}

/* Stage 1 decodes "xx=41=42yy" as a QP decoder would; stage 2 replaces
 * and copies pieces of stage 1: every span must reach the file. */
static void test_compose(void)
{
	static const char file[] = "xx=41=42yy";
	sl_result *r = mk(B(file));
	sl_tb tb;
	tb_init(&tb, &r->arena, 1000);
	T_EQ(tb_copy(&tb, &r->srctext, 0, 2), 0, "copy");
	T_EQ(tb_replace(&tb, "A", 1, &r->srctext, 2, 3), 0, "replace A");
	T_EQ(tb_replace(&tb, "B", 1, &r->srctext, 5, 3), 0, "replace B");
	T_EQ(tb_copy(&tb, &r->srctext, 8, 2), 0, "copy yy");
	sl_text s1;
	tb_finish(&tb, &s1);
	T_STREQ(s1.p, "xxAByy", "stage 1");
	T_EQ(s1.nseg, 4, "stage 1 segments");
	T_SPAN(text_span(&s1, 0, 2), 0, 2, 1, "stage 1 xx");
	T_SPAN(text_span(&s1, 2, 3), 2, 5, 0, "stage 1 A");
	T_SPAN(text_span(&s1, 3, 4), 5, 8, 0, "stage 1 B");
	T_SPAN(text_span(&s1, 2, 4), 2, 8, 0, "stage 1 AB");
	T_SPAN(text_span(&s1, 1, 5), 1, 9, 0, "stage 1 across");
	T_SPAN(text_span(&s1, 4, 6), 8, 10, 1, "stage 1 yy");

	tb_init(&tb, &r->arena, 1000);
	tb_copy(&tb, &s1, 0, 3);
	tb_replace(&tb, "-", 1, &s1, 3, 2);
	tb_copy(&tb, &s1, 5, 1);
	sl_text s2;
	tb_finish(&tb, &s2);
	T_STREQ(s2.p, "xxA-y", "stage 2");
	T_SPAN(text_span(&s2, 0, 2), 0, 2, 1, "stage 2 xx");
	T_SPAN(text_span(&s2, 2, 3), 2, 5, 0, "stage 2 A");
	T_SPAN(text_span(&s2, 3, 4), 5, 9, 0, "stage 2 replaced By");
	T_SPAN(text_span(&s2, 4, 5), 9, 10, 1, "stage 2 y");
	T_SPAN(text_span(&s2, 0, 5), 0, 10, 0, "stage 2 whole");

	/* tb_emit: exact only when the span is exact and as long */
	tb_init(&tb, &r->arena, 1000);
	tb_emit(&tb, "=41", 3, (sl_span){ 2, 5, 1 });
	tb_emit(&tb, "Q", 1, (sl_span){ 5, 8, 1 });
	tb_emit(&tb, "yy", 2, (sl_span){ 8, 10, 1 });
	sl_text s3;
	tb_finish(&tb, &s3);
	T_SPAN(text_span(&s3, 0, 3), 2, 5, 1, "emit exact");
	T_SPAN(text_span(&s3, 3, 4), 5, 8, 0, "emit shorter is inexact");
	T_SPAN(text_span(&s3, 4, 6), 8, 10, 1, "emit exact again");

	/* adjacent copies merge into one segment */
	tb_init(&tb, &r->arena, 1000);
	tb_copy(&tb, &r->srctext, 0, 3);
	tb_copy(&tb, &r->srctext, 3, 4);
	sl_text s4;
	tb_finish(&tb, &s4);
	T_EQ(s4.nseg, 1, "contiguous copies merge");
	/* replacements of one source range merge too */
	tb_init(&tb, &r->arena, 1000);
	tb_replace(&tb, "a", 1, &r->srctext, 2, 3);
	tb_replace(&tb, "b", 1, &r->srctext, 2, 3);
	tb_finish(&tb, &s4);
	T_EQ(s4.nseg, 1, "same-source replacements merge");

	/* the builder's maximum refuses a whole append */
	tb_init(&tb, &r->arena, 4);
	T_EQ(tb_copy(&tb, &r->srctext, 0, 3), 0, "under max");
	T_EQ(tb_copy(&tb, &r->srctext, 3, 2), -1, "over max refused");
	T_EQ(tb.over, 1, "over set");
	tb_finish(&tb, &s4);
	T_STREQ(s4.p, "xx=", "nothing of the refused append");
	rfree(r);
}

static void test_slice(void)
{
	static const char file[] = "xx=41=42yy";
	sl_result *r = mk(B(file));
	sl_tb tb;
	tb_init(&tb, &r->arena, 1000);
	tb_copy(&tb, &r->srctext, 0, 2);
	tb_replace(&tb, "AB", 2, &r->srctext, 2, 6);
	tb_copy(&tb, &r->srctext, 8, 2);
	sl_text t, s;
	tb_finish(&tb, &t);
	text_slice(&s, &r->arena, &t, 1, 5);
	T_STREQ(s.p, "xABy", "slice bytes");
	T_EQ(s.nseg, 3, "slice segments");
	T_SPAN(text_span(&s, 0, 1), 1, 2, 1, "slice exact start");
	T_SPAN(text_span(&s, 1, 2), 2, 8, 0, "slice inside a replacement");
	T_SPAN(text_span(&s, 3, 4), 8, 9, 1, "slice exact end");
	text_slice(&s, &r->arena, &t, 3, 3);
	T_EQ(s.len, 0, "empty slice");
	T_EQ(s.nseg, 1, "empty slice keeps a position");
	T_SPAN(text_span(&s, 0, 0), 2, 2, 0, "empty slice in a replacement");
	text_slice(&s, &r->arena, &t, 5, 99);
	T_STREQ(s.p, "y", "slice clamped");
	/* a slice of a slice */
	sl_text s2;
	text_slice(&s, &r->arena, &t, 1, 6);
	text_slice(&s2, &r->arena, &s, 3, 5);
	T_STREQ(s2.p, "yy", "slice of slice");
	T_SPAN(text_whole(&s2), 8, 10, 1, "slice of slice span");
	rfree(r);
}

/* --- the property -------------------------------------------------------- */

static size_t ntexts;

static void check_text(const sl_result *r, const sl_text *t, const char *file,
                       const char *what, size_t idx)
{
	ntexts++;
	size_t at = 0;
	int ok = 1;
	const char *why = "";
	if (t->len && !t->nseg) {
		ok = 0;
		why = "no segments";
	}
	for (size_t i = 0; ok && i < t->nseg; i++) {
		const sl_seg *s = &t->seg[i];
		if (s->out != at) {
			ok = 0;
			why = s->out < at ? "overlapping or unsorted segments" : "a gap";
		} else if (s->src > r->len || s->src_len > r->len - s->src) {
			ok = 0;
			why = "source range past the file";
		} else if (s->exact && (s->out_len != s->src_len ||
		                        memcmp(r->src + s->src, t->p + s->out, s->out_len))) {
			ok = 0;
			why = "exact segment whose bytes differ from the file";
		}
		at += s->out_len;
	}
	if (ok && at != t->len) {
		ok = 0;
		why = "segments do not cover the text";
	}
	T_CHECK(ok, "%s: %s %zu: %s", file, what, idx, why);
}

static void check_result(const sl_result *r, const char *file)
{
	const sl_doc *d = &r->doc;
	check_text(r, &r->srctext, file, "source", 0);
	for (size_t i = 0; i < d->nparts; i++) {
		const sl_part *p = d->parts[i];
		T_CHECK(p->index == (int)i, "%s: part %zu index %d", file, i, p->index);
		for (size_t h = 0; h < p->nhdr; h++) {
			check_text(r, &p->hdr[h].raw, file, "header raw", h);
			check_text(r, &p->hdr[h].value, file, "header value", h);
		}
		if (p->has_text)
			check_text(r, &p->text, file, "part text", i);
	}
	for (size_t i = 0; i < d->nblk; i++)
		check_text(r, &d->blk[i].text, file, "block", i);
	for (size_t i = 0; i < d->nlink; i++)
		check_text(r, &d->link[i].text, file, "link text", i);
	for (size_t i = 0; i < d->nimg; i++)
		if (d->img[i].has_alt)
			check_text(r, &d->img[i].alt, file, "image alt", i);
	if (d->title.len || d->title.nseg)
		check_text(r, &d->title, file, "title", 0);
}

static void lint_and_check(const sl_context *ctx, const char *name,
                           const unsigned char *p, size_t n)
{
	sl_result *r;
	int rc = sl_lint(&r, ctx, name, p, n);
	T_EQ(rc, SL_OK, name);
	if (rc != SL_OK)
		return;
	check_result(r, name);
	sl_result_free(r);
}

/* Messages exercising every encoding (generated once with Python's email
 * encoders; see the names). */
static const struct {
	const char *name;
	const char *msg;
	size_t len;
} msgs[] = {
	{ "qp.eml",
	"From: =\?utf-8\?q\?J=C3=B6rg\?= <j@example.com>\n"
	"To: a@example.com\n"
	"Subject: =\?utf-8\?B\?8J+OiSBTYWxlIQ==\?= =\?utf-8\?q\?_50=25_off\?=\n"
	"MIME-Version: 1.0\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"Caf=C3=A9 soft=\n"
	" break =E2=80=94 done=20\n"
	"Line two=3D ok  \n"
	"=E2=80=\n"
	"=94 end\n"
	"",
	  300 },
	{ "alt.eml",
	"From: shop@example.com\r\n"
	"To: a@example.com\r\n"
	"Subject: =\?iso-8859-1\?q\?Caf=E9\?=\r\n"
	" =\?iso-8859-1\?q\?_deals\?= today\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
	"\r\n"
	"preamble\r\n"
	"--b1\r\n"
	"Content-Type: text/plain; charset=iso-8859-1\r\n"
	"Content-Transfer-Encoding: 8bit\r\n"
	"\r\n"
	"Caf\xe9"" deals \xe0"" la carte\r\n"
	"See https://example.com/\r\n"
	"--b1\r\n"
	"Content-Type: text/html; charset=utf-8\r\n"
	"Content-Transfer-Encoding: base64\r\n"
	"\r\n"
	"PCFET0NUWVBFIGh0bWw+PGh0bWw+PGhlYWQ+PHRpdGxlPkNhZiZlYWN1dGU7IG5ld3M8L3RpdGxl\r\n"
	"PjwvaGVhZD4KPGJvZHk+PHA+SGVsbG8gJmFtcDsgd2VsY29tZSB0byB0aGUgY2Fmw6kg4oCUIDxh\r\n"
	"IGhyZWY9Imh0dHBzOi8vZXhhbXBsZS5jb20vP2E9MSZhbXA7Yj0yIj5yZWFkICZsdDttb3JlJmd0\r\n"
	"OzwvYT48L3A+CjxpbWcgc3JjPSJ4LnBuZyIgYWx0PSJMb2dvICZxdW90O0NhZsOpJnF1b3Q7IiB3\r\n"
	"aWR0aD0iMTAiIGhlaWdodD0iMTAiPgo8ZGl2IHN0eWxlPSJkaXNwbGF5Om5vbmUiPmhpZGRlbiBw\r\n"
	"cmVoZWFkZXI8L2Rpdj48aDE+QmlnICYjODM2NDsgc2FsZTwvaDE+PC9ib2R5PjwvaHRtbD4K\r\n"
	"--b1--\r\n"
	"epilogue\r\n"
	"",
	  893 },
	{ "cjk.eml",
	"From: a@example.com\n"
	"Subject: =\?iso-2022-jp\?B\?GyRCJEYkOSRIGyhC\?=\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=zz\n"
	"\n"
	"--zz\n"
	"Content-Type: text/plain; charset=shift_jis\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"=82=B1=82=F1=82=C9=82=BF=82=CD =90=A2=8AE\n"
	"\n"
	"--zz\n"
	"Content-Type: text/plain; charset=iso-2022-jp\n"
	"Content-Transfer-Encoding: 7bit\n"
	"\n"
	"\x1b""$BF|K\\8l$N%F%-%9%H\x1b""(B ok\n"
	"\n"
	"--zz\n"
	"Content-Type: text/plain; charset=koi8-r\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"8NLJ18XULCDNydIK\n"
	"--zz\n"
	"Content-Type: text/html; charset=gb2312\n"
	"Content-Transfer-Encoding: 8bit\n"
	"\n"
	"<p>\xc4""\xe3""\xba""\xc3"" &amp; \xd4""\xd9""\xbc""\xfb""</p>\n"
	"--zz--\n"
	"",
	  580 },
	{ "template.html",
	"<html><head><meta charset=\"windows-1252\"><title>Hi &amp; bye</title></head><body><p>Caf\xe9"" \x93""quoted\x94"" &mdash; <a href=\"/u\">Unsubscribe</a></p><img src=\"a.png\" alt=\"caf\xe9""\"></body></html>\n"
	"",
	  181 },
	{ "template.txt",
	"Hello {{ name }},\n"
	"\n"
	"Your caf\xc3""\xa9"" order \xe2""\x80""\x94"" #123 \xe2""\x80""\x94"" shipped.\n"
	"\n"
	"Thanks\n"
	"",
	  66 },
	{ "broken.eml",
	"From: x@example.com\n"
	"Subject: caf\xe9"" =\?x-unknown\?q\?a=E9\?= =\?utf-8\?q\?bad=FF\?=\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=q\n"
	"\n"
	"--q\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"aGVs*bG8gd29y\n"
	"bGQ\n"
	"--q\n"
	"Content-Type: text/plain; charset=x-nope\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"bad=zz caf=E9 nul\x00""byte\n"
	"--q\n"
	"Content-Type: text/html; charset=us-ascii\n"
	"\n"
	"<p>8bit \xc3""\xa9"" in ascii &bogus; &#0; &#x110000;</p>\n"
	"--q\n"
	"Content-Type: text/plain\n"
	"Content-Transfer-Encoding: x-foo\n"
	"\n"
	"plain\n"
	"",
	  509 },
	{ "rfc822.eml",
	"From: a@example.com\n"
	"Subject: Fwd\n"
	"MIME-Version: 1.0\n"
	"Content-Type: message/rfc822\n"
	"\n"
	"From: =\?utf-8\?b\?w6k=\?= <b@example.com>\n"
	"Subject: =\?utf-8\?q\?inner_=C3=A9\?=\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"inner=20body=C3=A9\n"
	"",
	  258 },
};

static void test_property(const sl_context *ctx)
{
	for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++)
		lint_and_check(ctx, msgs[i].name, (const unsigned char *)msgs[i].msg,
		               msgs[i].len);
	/* the same bytes cut at every length: no map may break */
	for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++)
		for (size_t n = 0; n < msgs[i].len; n += 7)
			lint_and_check(ctx, msgs[i].name, (const unsigned char *)msgs[i].msg, n);
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	unsigned char *p = malloc(cap);
	for (;;) {
		if (len == cap) {
			unsigned char *q = realloc(p, cap * 2);
			if (!q)
				break;
			p = q;
			cap *= 2;
		}
		size_t got = fread(p + len, 1, cap - len, f);
		if (!got)
			break;
		len += got;
	}
	fclose(f);
	*n = len;
	return p;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_corpus(const sl_context *ctx)
{
	const char *dir = getenv("SL_CORPUS");
	if (!dir)
		dir = "corpus";
	DIR *d = opendir(dir);
	if (!d) {
		printf("skipped: no corpus folder '%s'\n", dir);
		return;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char **m = realloc(names, (n + 1) * sizeof *names);
		if (!m)
			break;
		names = m;
		size_t l = strlen(dir) + strlen(e->d_name) + 2;
		names[n] = malloc(l);
		snprintf(names[n], l, "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	size_t done = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		unsigned char *p = slurp(names[i], &len);
		if (p) {
			lint_and_check(ctx, names[i], p, len);
			done++;
		}
		free(p);
		free(names[i]);
	}
	free(names);
	if (!done)
		printf("skipped: corpus folder '%s' is empty\n", dir);
}

int main(void)
{
	test_identity_and_span();
	test_compose();
	test_slice();
	sl_context *ctx;
	if (sl_context_new(&ctx, NULL) != SL_OK) {
		T_CHECK(0, "sl_context_new: %s", sl_context_errmsg(ctx));
		sl_context_free(ctx);
		return t_done();
	}
	test_property(ctx);
	test_corpus(ctx);
	T_CHECK(ntexts > 0, "the property saw no text");
	printf("property: %zu texts checked\n", ntexts);
	sl_context_free(ctx);
	return t_done();
}
