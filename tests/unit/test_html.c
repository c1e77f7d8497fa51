/*
 * test_html.c - the HTML stage (html.c, html_style.c): for small HTML
 * inputs, the exact blocks, links, images, elements, comments, title,
 * preheader and diagnostics, and the original bytes their spans cover;
 * then hostile inputs (100,000-deep nesting, 20 MB on one line, NULs,
 * invalid UTF-8, too many attributes): these finish in well under a second
 * each (a quadratic path would not finish), and no test asserts a time.
 *
 * With file arguments it prints what it extracts from each instead (for
 * eyeballing real templates).
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "t.h"
#include "t_result.h"

static sl_result *extract(const char *html, size_t len)
{
	sl_result *r = t_result(html, len);
	html_extract(r, &r->srctext, 0);
	return r;
}

static void release(sl_result *r)
{
	t_result_free(r);
}

/* --- dumps: one line per item, joined with '\n' ------------------------ */

typedef struct dump {
	char buf[8192];
	size_t len;
} dump;

static void d_add(dump *d, const char *s, size_t n)
{
	if (d->len && d->len + 1 < sizeof d->buf)
		d->buf[d->len++] = '\n';
	for (size_t i = 0; i < n && d->len + 1 < sizeof d->buf; i++)
		d->buf[d->len++] = s[i];
	d->buf[d->len] = 0;
}

static const char *blocks(const sl_result *r)
{
	static dump d;
	d.len = 0;
	d.buf[0] = 0;
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		char line[4096], level[8] = "";
		if (b->level)
			snprintf(level, sizeof level, "%d", b->level);
		snprintf(line, sizeof line, "%s%s%s%s:%.*s", block_kind_name(b->kind), level,
		         b->hidden ? "[h]" : "", b->link >= 0 ? "[l]" : "",
		         (int)b->text.len, b->text.p);
		d_add(&d, line, strlen(line));
	}
	return d.buf;
}

static const char *links(const sl_result *r)
{
	static dump d;
	d.len = 0;
	d.buf[0] = 0;
	for (size_t i = 0; i < r->doc.nlink; i++) {
		const sl_link *l = &r->doc.link[i];
		char tmp[1024];
		snprintf(tmp, sizeof tmp, "%s%s|%.*s", l->href ? l->href : "(null)",
		         l->hidden ? "[h]" : "", (int)l->text.len, l->text.p);
		d_add(&d, tmp, strlen(tmp));
	}
	return d.buf;
}

static const char *images(const sl_result *r)
{
	static dump d;
	d.len = 0;
	d.buf[0] = 0;
	for (size_t i = 0; i < r->doc.nimg; i++) {
		const sl_image *m = &r->doc.img[i];
		char tmp[1024];
		snprintf(tmp, sizeof tmp, "%s|%s%.*s|%ldx%ld%s", m->src ? m->src : "(null)",
		         m->has_alt ? "" : "noalt", (int)m->alt.len, m->alt.p, m->width,
		         m->height, m->hidden ? "[h]" : "");
		d_add(&d, tmp, strlen(tmp));
	}
	return d.buf;
}

static const char *elems(const sl_result *r)
{
	static dump d;
	d.len = 0;
	d.buf[0] = 0;
	for (size_t i = 0; i < r->doc.nelem; i++) {
		char tmp[1024];
		snprintf(tmp, sizeof tmp, "%s %s", r->doc.elem[i].name, r->doc.elem[i].attrs);
		d_add(&d, tmp, strlen(tmp));
	}
	return d.buf;
}

static const char *comments(const sl_result *r)
{
	static dump d;
	d.len = 0;
	d.buf[0] = 0;
	for (size_t i = 0; i < r->doc.ncomment; i++) {
		const sl_comment *c = &r->doc.comment[i];
		char tmp[1024];
		snprintf(tmp, sizeof tmp, "%s @%.*s", c->text.p,
		         (int)(c->span.end - c->span.off), (const char *)r->src + c->span.off);
		d_add(&d, tmp, strlen(tmp));
	}
	return d.buf;
}

static const char *diags(const sl_result *r)
{
	static dump d;
	d.len = 0;
	d.buf[0] = 0;
	for (size_t i = 0; i < r->ndiag; i++)
		d_add(&d, r->diag[i].rule, strlen(r->diag[i].rule));
	return d.buf;
}

/* The original bytes of a span, and whether it is exact: "[...]" or "~...~". */
static const char *orig(const sl_result *r, sl_span sp)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ & 3];
	snprintf(b, 512, sp.exact ? "[%.*s]" : "~%.*s~", (int)(sp.end - sp.off),
	         (const char *)r->src + sp.off);
	return b;
}

/* --- table of small inputs --------------------------------------------- */

typedef struct hcase {
	const char *html;
	const char *blocks;     /* kind[level][h][l]:text, one per line */
	const char *links;      /* href[h]|text; NULL: none */
	const char *images;     /* src|alt|WxH[h]; NULL: none */
	const char *elems;      /* name attrs; NULL: none */
	const char *comments;   /* text @original; NULL: none */
	const char *title;      /* NULL: none */
	const char *preheader;  /* the preheader block's text; NULL: none */
	const char *diags;      /* rule ids; NULL: none */
	size_t len;             /* 0: strlen(html) */
} hcase;

/* an input with a NUL, control characters and invalid UTF-8 */
#define BAD_BYTES "<p>a\0b\x01" "c\x0c" "d\xff" "e\xC3(f\xED\xA0\x80g\xEF\xBF\xBEh</p><p>next</p>"

static const hcase cases[] = {
	/* structure and whitespace */
	{ "<p>Hello   world</p>\n<p>Second\n line</p>",
	  "paragraph:Hello world\nparagraph:Second line", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<h1>Big</h1><h3>Small</h3><ul><li>one<li>two</ul><blockquote><p>said</p></blockquote><pre>a  b</pre>",
	  "heading1:Big\nheading3:Small\nlist-item:one\nlist-item:two\nquote:said\npre:a b",
	  0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<table><tr><td>Name</td><td> Price </td></tr><tr><td><p>para in cell</p></td></tr></table>",
	  "cell:Name\ncell:Price\nparagraph:para in cell", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<div>one<br>two<br><br>three<hr>four</div>",
	  "paragraph:one two\nparagraph:three\nparagraph:four", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<b>per our</b> policy, <i>we</i> can't", "paragraph:per our policy, we can't",
	  0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<td>&nbsp;</td><td> </td><p>&zwnj;</p><p>x</p>", "paragraph:x", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<p>a &amp; b&nbsp;c &#8217;s &eacute;t&eacute; &lt;3 &amp &copy 2019 &foo; 5 < 6</p>",
	  "paragraph:a & b\xC2\xA0" "c \xE2\x80\x99s \xC3\xA9t\xC3\xA9 <3 &amp &copy 2019 &foo; 5 < 6",
	  0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<p>unclosed<div>block <span>inline</p> after</div></b>end",
	  "paragraph:unclosed\nparagraph:block inline after\nparagraph:end",
	  0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<html><head><title> Your  {{ month }} invoice </title><style>p{}</style></head>"
	  "<body><script>var a = '<p>x</p>';</script><noscript>No JS</noscript>"
	  "<template><p>inert</p></template><iframe>frame text</iframe><p>Body</p></body></html>",
	  "title:Your {{ month }} invoice\nparagraph:No JS\nparagraph:Body", 0, 0,
	  "script \niframe ", 0, "Your {{ month }} invoice", 0, 0, 0 },
	/* template languages */
	{ "<p>Hi *|FNAME|*, %%name%% ${x} {{ user.name }} {% if a < b %}yes{% endif %}</p>"
	  "<table>{% for i in items %}<tr><td>{{ i }}</td></tr>{% endfor %}</table>",
	  "paragraph:Hi *|FNAME|*, %%name%% ${x} {{ user.name }} {% if a < b %}yes{% endif %}\n"
	  "paragraph:{% for i in items %}\ncell:{{ i }}\nparagraph:{% endfor %}",
	  0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<p>Hi {# note #} there {{!-- hb --}}{{! hb2 }}</p><!-- sendlint-disable-next-line tone/x -- why -->"
	  "<tr>{# between #}<td>x</td>",
	  "paragraph:Hi there\ncell:x", 0, 0, 0,
	  "note @{# note #}\nhb @{{!-- hb --}}\nhb2 @{{! hb2 }}\n"
	  "sendlint-disable-next-line tone/x -- why @<!-- sendlint-disable-next-line tone/x -- why -->\n"
	  "between @{# between #}", 0, 0, 0, 0 },
	{ "{{!-- <p>old</p> --}}<p>new{# x #}er <a href=\"u{# y #}\">a</a></p><!-- {# kept #} -->",
	  "paragraph:newer a", "u|a", 0, 0,
	  "<p>old</p> @{{!-- <p>old</p> --}}\nx @{# x #}\ny @{# y #}\n{# kept #} @<!-- {# kept #} -->",
	  0, 0, 0, 0 },
	{ "<!--[if mso]><table><tr><td><![endif]--><p>x</p><!--[if !mso]><!--><p>y</p><!--<![endif]-->",
	  "paragraph:x\nparagraph:y", 0, 0, 0,
	  "[if mso]><table><tr><td><![endif] @<!--[if mso]><table><tr><td><![endif]-->\n"
	  "[if !mso]><! @<!--[if !mso]><!-->\n<![endif] @<!--<![endif]-->", 0, 0, 0, 0 },
	/* links and buttons */
	{ "<p>Read <a href=\"http://x.test/?a=1&amp;b=2\">the   <b>terms</b></a> now.</p>",
	  "paragraph:Read the terms now.", "http://x.test/?a=1&b=2|the terms", 0, 0, 0, 0, 0, 0, 0 },
	{ "<table><tr><td><a href=\"{{ url }}\">Go</a></td></tr></table>"
	  "<p><a class=\"btn btn-primary\" href=/buy>Buy now</a> or later</p>"
	  "<div><a role=button href=x>Role</a></div>"
	  "<div><a style=\"background-color:#f00;padding:10px\" href=y>Styled</a></div>"
	  "<table><tr><td bgcolor=\"#336699\" style=\"padding: 12px 20px\"><a href=z>Cell</a></td></tr></table>"
	  "<p><a href=w>Inline</a> text</p><a>no href</a><a href=''></a>",
	  "cell[l]:Go\nbutton[l]:Buy now\nparagraph:or later\nbutton[l]:Role\nbutton[l]:Styled\n"
	  "button[l]:Cell\nparagraph:Inline text\nparagraph:no href",
	  "{{ url }}|Go\n/buy|Buy now\nx|Role\ny|Styled\nz|Cell\nw|Inline\n|", 0, 0, 0, 0, 0, 0, 0 },
	{ "<a href=1>x<a href=2>y</a>z</a><a href=3><p>a</p><p>b</p></a><a href=4><div>whole</div></a>",
	  "paragraph:xyz\nparagraph:a\nparagraph:b\nparagraph[l]:whole",
	  "1|x\n2|y\n3|a b\n4|whole", 0, 0, 0, 0, 0, 0, 0 },
	/* images */
	{ "<img src=\"logo.png\" alt=\"ACME &amp; Co\" width=\"600\" height=\"80px\">"
	  "<img src='a.png' alt=''><img src=b.png style=\"width:120px;height:40px\" width=\"100%\">"
	  "<img src=c.png style=\"display:none\">",
	  "", 0, "logo.png|ACME & Co|600x80\na.png||-1x-1\nb.png|noalt|120x40\nc.png|noalt|-1x-1[h]",
	  0, 0, 0, 0, 0, 0 },
	/* notable elements */
	{ "<html><head><meta http-equiv=\"refresh\" content=\"0;url=x\"><meta charset=utf-8>"
	  "<link rel=stylesheet href=a.css><link rel=icon href=i.ico><base href=\"http://b/\">"
	  "<style>@import url(x.css);</style><style>p{}</style></head><body>"
	  "<form action=/x><input type=text name=q></form><iframe src=f></iframe>"
	  "<embed src=e><object data=o></object><video src=v></video><audio src=a></audio>"
	  "<svg width=1><text>svg text</text></svg><map name=m><area href=h></map></body></html>",
	  "paragraph:svg text", 0, 0,
	  "meta http-equiv=\"refresh\" content=\"0;url=x\"\nlink rel=stylesheet href=a.css\n"
	  "base href=\"http://b/\"\nstyle \nform action=/x\ninput type=text name=q\niframe src=f\n"
	  "embed src=e\nobject data=o\nvideo src=v\naudio src=a\nsvg width=1\nmap name=m\narea href=h",
	  0, 0, 0, 0, 0 },
	/* hidden text */
	{ "<p>seen</p><div style=\"display:none\">a</div><div style=\"visibility:hidden\">b</div>"
	  "<div style=\"font-size:0px\">c</div><div style=\"FONT-SIZE: 0em !important\">c2</div>"
	  "<div style=\"max-height:0;overflow:hidden\">d</div><div style=\"opacity:0\">e</div>"
	  "<div style=\"mso-hide:all\">f</div><div hidden>g</div>"
	  "<div style=\"width:0;height:0;overflow:hidden\">h</div><div style=\"text-indent:-9999px\">i</div>"
	  "<div style=\"position:absolute;left:-5000px\">j</div><div style=\"color:transparent\">k</div>"
	  "<div style=\"max-height:0\">not hidden</div><div style=\"font-size:10px\">shown</div>",
	  "paragraph:seen\nparagraph[h]:a\nparagraph[h]:b\nparagraph[h]:c\nparagraph[h]:c2\n"
	  "paragraph[h]:d\nparagraph[h]:e\nparagraph[h]:f\nparagraph[h]:g\nparagraph[h]:h\n"
	  "paragraph[h]:i\nparagraph[h]:j\nparagraph[h]:k\nparagraph:not hidden\nparagraph:shown",
	  0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<body bgcolor=\"#FFFFFF\"><p>visible <span style=\"color:#fff\">white on white</span> again</p>"
	  "<table bgcolor=white><tr><td style=\"color: rgb(255, 255, 255)\">rgb white</td>"
	  "<td style=\"color:#fff;background:#333 url(x.png)\">on dark</td></tr></table>"
	  "<div style=\"background-color:#000\"><font color=\"black\">font black</font></div>"
	  "<p style=\"color:#ffffff\">legacy</p><div style=\"color:#000\"><table bgcolor=black>"
	  "<tr><td>black on black</td><td style=\"color:#eee\">light on black</td></tr></table></div></body>",
	  "paragraph:visible\nparagraph[h]:white on white\nparagraph:again\ncell[h]:rgb white\n"
	  "cell:on dark\nparagraph[h]:font black\nparagraph[h]:legacy\ncell[h]:black on black\n"
	  "cell:light on black",
	  0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<p>shown</p><div style=\"display:none\"><p>nested <b>deep</b></p><a href=h>hidden link</a></div>",
	  "paragraph:shown\nparagraph[h]:nested deep\nparagraph[h][l]:hidden link", "h[h]|hidden link", 0, 0, 0, 0, 0, 0, 0 },
	/* the preheader */
	{ "<body><div style=\"display:none;max-height:0;overflow:hidden\">Your March invoice is ready"
	  "&zwnj;&nbsp;&zwnj;&nbsp;&#847;&zwnj;&nbsp;</div><p>Hello</p><div style=\"display:none\">later</div></body>",
	  "preheader[h]:Your March invoice is ready\nparagraph:Hello\nparagraph[h]:later",
	  0, 0, 0, 0, 0, "Your March invoice is ready", 0, 0 },
	{ "<body>{% if pre %}<span class=\"preheader\" style=\"display:none\">{{ pre }}</span>{% endif %}"
	  "<p>Body</p></body>",
	  "paragraph:{% if pre %}\npreheader[h]:{{ pre }}\nparagraph:{% endif %}\nparagraph:Body",
	  0, 0, 0, 0, 0, "{{ pre }}", 0, 0 },
	{ "<p>Visible first</p><div style=\"display:none\">not a preheader</div>"
	  "<div id=\"Preview-Text\">Shown <p>preview</p></div>",
	  "paragraph:Visible first\nparagraph[h]:not a preheader\npreheader:Shown\nparagraph:preview",
	  0, 0, 0, 0, 0, "Shown", 0, 0 },
	{ "<div style=\"display:none\"></div><div style=\"display:none\">&zwnj;&nbsp;</div>"
	  "<div style=\"display:none\">Real preview</div><p>x</p>",
	  "preheader[h]:Real preview\nparagraph:x", 0, 0, 0, 0, 0, "Real preview", 0, 0 },
	/* malformed input */
	{ "<p>before <a href=\"{{ url }}>Click</a> here.</p><p>more</p><p>\"x\" end",
	  "paragraph:before", "{{ url }}>Click</a> here.</p><p>more</p><p>|",
	  0, 0, 0, 0, 0, "input/html-unclosed-quote", 0 },
	{ "<p>shown</p><!-- never closed <p>hidden</p>", "paragraph:shown", 0, 0, 0, 0, 0, 0,
	  "input/html-unclosed-comment", 0 },
	{ "<style>p{}</style><spacer size=16></spacer><container><p>in body</p></container>",
	  "paragraph:in body", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "<html><body><p>x</p></body></html>\n<p>after html</p><img src=t.gif>",
	  "paragraph:x\nparagraph:after html", 0, "t.gif|noalt|-1x-1", 0, 0, 0, 0, 0, 0 },
	{ "\xEF\xBB\xBF<p>bom</p><meta charset=\"iso-8859-1\"><p>caf\xC3\xA9</p>",
	  "paragraph:bom\nparagraph:caf\xC3\xA9", 0, 0, 0, 0, 0, 0, 0, 0 },
	{ BAD_BYTES,
	  "paragraph:a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c d\xEF\xBF\xBD" "e\xEF\xBF\xBD(f"
	  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDg\xEF\xBF\xBDh\nparagraph:next",
	  0, 0, 0, 0, 0, 0, 0, sizeof BAD_BYTES - 1 },
};

static void run_cases(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const hcase *c = &cases[i];
		sl_result *r = extract(c->html, c->len ? c->len : strlen(c->html));
		char what[64];
		snprintf(what, sizeof what, "case %zu blocks", i);
		T_STREQ(blocks(r), c->blocks, what);
		snprintf(what, sizeof what, "case %zu links", i);
		T_STREQ(links(r), c->links ? c->links : "", what);
		snprintf(what, sizeof what, "case %zu images", i);
		T_STREQ(images(r), c->images ? c->images : "", what);
		snprintf(what, sizeof what, "case %zu elements", i);
		T_STREQ(elems(r), c->elems ? c->elems : "", what);
		snprintf(what, sizeof what, "case %zu comments", i);
		T_STREQ(comments(r), c->comments ? c->comments : "", what);
		snprintf(what, sizeof what, "case %zu title", i);
		char title[256];
		snprintf(title, sizeof title, "%.*s", (int)r->doc.title.len,
		         r->doc.title.p ? r->doc.title.p : "");
		T_STREQ(title, c->title ? c->title : "", what);
		snprintf(what, sizeof what, "case %zu preheader", i);
		int ph = r->doc.preheader_blk;
		char pre[256] = "";
		if (ph >= 0) {
			const sl_block *b = &r->doc.blk[ph];
			T_EQ(b->kind, SL_BLK_PREHEADER, what);
			snprintf(pre, sizeof pre, "%.*s", (int)b->text.len, b->text.p);
		}
		T_STREQ(pre, c->preheader ? c->preheader : "", what);
		snprintf(what, sizeof what, "case %zu diagnostics", i);
		T_STREQ(diags(r), c->diags ? c->diags : "", what);
		/* every block belongs to part 0 and comes from HTML */
		for (size_t k = 0; k < r->doc.nblk; k++)
			T_CHECK(r->doc.blk[k].part == 0 && r->doc.blk[k].html == 1,
			        "case %zu block %zu part/html", i, k);
		release(r);
	}
}

/* --- spans ------------------------------------------------------------- */

/* The span of the first occurrence of sub in block b's text. */
static sl_span sub_span(const sl_block *b, const char *sub)
{
	const char *p = strstr(b->text.p, sub);
	if (!p)
		return (sl_span){ 0, 0, 0 };
	size_t off = (size_t)(p - b->text.p);
	return text_span(&b->text, off, off + strlen(sub));
}

static void test_spans(void)
{
	static const char html[] =
		"<p><b>per our</b> policy &amp; &nbsp;x&#8217;s caf&eacute;</p>"
		"<p>Read <a href=\"http://x.test/?a=1&amp;b=2\" class=link>the <i>terms</i></a>.</p>"
		"<img src=i.png alt=\"Tom &amp; Jerry\"><p>one\n\n  two</p>";
	sl_result *r = extract(html, sizeof html - 1);
	T_EQ(r->doc.nblk, 3, "span blocks");
	if (r->doc.nblk == 3) {
		const sl_block *b = &r->doc.blk[0];
		T_STREQ(b->text.p, "per our policy & \xC2\xA0x\xE2\x80\x99s caf\xC3\xA9", "entities text");
		T_STREQ(orig(r, sub_span(b, "per our policy")), "~per our</b> policy~", "phrase across a tag");
		T_STREQ(orig(r, sub_span(b, "per our")), "[per our]", "inside one run");
		T_STREQ(orig(r, sub_span(b, "policy")), "[policy]", "after the tag");
		T_STREQ(orig(r, sub_span(b, "&")), "~&amp;~", "&amp;");
		T_STREQ(orig(r, sub_span(b, "\xC2\xA0")), "~&nbsp;~", "&nbsp;");
		T_STREQ(orig(r, sub_span(b, "\xE2\x80\x99")), "~&#8217;~", "&#8217;");
		T_STREQ(orig(r, sub_span(b, "\xC3\xA9")), "~&eacute;~", "&eacute;");
		T_STREQ(orig(r, sub_span(b, "caf")), "[caf]", "before an entity");
		T_STREQ(orig(r, sub_span(b, "s caf")), "[s caf]", "after an entity");
		T_STREQ(orig(r, sub_span(b, "x")), "[x]", "between entities");
		const sl_block *c = &r->doc.blk[2];
		T_STREQ(c->text.p, "one two", "collapsed");
		T_STREQ(orig(r, sub_span(c, " ")), "~\n\n  ~", "collapsed whitespace maps to the run");
	}
	T_EQ(r->doc.nlink, 1, "span links");
	if (r->doc.nlink == 1) {
		const sl_link *l = &r->doc.link[0];
		T_STREQ(l->href, "http://x.test/?a=1&b=2", "href decoded");
		T_STREQ(orig(r, l->href_span), "[http://x.test/?a=1&amp;b=2]", "href span");
		T_STREQ(orig(r, l->span), "[<a href=\"http://x.test/?a=1&amp;b=2\" class=link>]", "link tag span");
		T_STREQ(orig(r, text_whole(&l->text)), "~the <i>terms~", "link text span");
	}
	T_EQ(r->doc.nimg, 1, "span images");
	if (r->doc.nimg == 1) {
		const sl_image *m = &r->doc.img[0];
		T_STREQ(orig(r, text_whole(&m->alt)), "~Tom &amp; Jerry~", "alt span");
		T_STREQ(orig(r, text_span(&m->alt, 0, 3)), "[Tom]", "alt word span");
		T_STREQ(orig(r, text_span(&m->alt, 4, 5)), "~&amp;~", "alt entity span");
		T_STREQ(orig(r, m->span), "[<img src=i.png alt=\"Tom &amp; Jerry\">]", "img span");
	}
	release(r);

	/* after a stray end tag, a reference still maps to itself; a plain
	 * link's text maps exactly */
	static const char stray[] = "<p>x</q>&amp;y <a href=u>Click here</a></p>";
	r = extract(stray, sizeof stray - 1);
	T_STREQ(blocks(r), "paragraph:x&y Click here", "stray: block");
	if (r->doc.nblk == 1) {
		T_STREQ(orig(r, sub_span(&r->doc.blk[0], "&")), "~&amp;~", "stray: reference");
		T_STREQ(orig(r, sub_span(&r->doc.blk[0], "x")), "[x]", "stray: before");
	}
	if (r->doc.nlink == 1) {
		T_STREQ(orig(r, text_whole(&r->doc.link[0].text)), "[Click here]", "link text span");
		T_STREQ(orig(r, r->doc.link[0].href_span), "[u]", "unquoted href span");
	}
	release(r);

	/* a block's map survives sanitising: the NUL maps to itself */
	static const char nul[] = "<p>a\0b</p>";
	r = extract(nul, sizeof nul - 1);
	if (r->doc.nblk == 1) {
		const sl_block *b = &r->doc.blk[0];
		sl_span sp = text_span(&b->text, 1, 4);
		T_CHECK(sp.off == 4 && sp.end == 5 && !sp.exact, "NUL replaced: %zu-%zu %d",
		        sp.off, sp.end, sp.exact);
		T_STREQ(orig(r, text_span(&b->text, 4, 5)), "[b]", "after the NUL");
	}
	release(r);
}

/* --- inline CSS -------------------------------------------------------- */

static void test_css(void)
{
	static const struct {
		const char *in;
		long want;
	} colors[] = {
		{ "#fff", 0xffffff }, { "#FFFFFF", 0xffffff }, { "white", 0xffffff },
		{ " White ", 0xffffff }, { "rgb(255,255,255)", 0xffffff },
		{ "rgb(100%, 100%, 100%)", 0xffffff }, { "rgba(0,0,0,0)", SL_CSS_TRANSPARENT },
		{ "#00000000", SL_CSS_TRANSPARENT }, { "transparent", SL_CSS_TRANSPARENT },
		{ "ffffff", 0xffffff }, { "#12", -1 }, { "bogus", -1 }, { "", -1 },
		{ "rgb(1 2 3 / 50%)", 0x010203 }, { "#abc", 0xaabbcc }, { "RebeccaPurple", 0x663399 },
	};
	for (size_t i = 0; i < sizeof colors / sizeof *colors; i++)
		T_EQ(css_color(colors[i].in, strlen(colors[i].in)), colors[i].want, colors[i].in);

	static const struct {
		const char *in;
		int hidden;
		long color, bg;
		int padding;
		long w, h;
	} styles[] = {
		{ "display:none", 1, -1, -1, 0, -1, -1 },
		{ "display: block", 0, -1, -1, 0, -1, -1 },
		{ "font-size:0", 1, -1, -1, 0, -1, -1 },
		{ "font-size:0.0pt", 1, -1, -1, 0, -1, -1 },
		{ "font-size:1px", 0, -1, -1, 0, -1, -1 },
		{ "height:0;overflow:hidden", 1, -1, -1, 0, -1, 0 },
		{ "height:0", 0, -1, -1, 0, -1, 0 },
		{ "text-indent:-100px", 0, -1, -1, 0, -1, -1 },
		{ "text-indent:-9999em", 1, -1, -1, 0, -1, -1 },
		{ "position:absolute; top:-10000px", 1, -1, -1, 0, -1, -1 },
		{ "top:-10000px", 0, -1, -1, 0, -1, -1 },
		{ "color:#333;background:url('a;b.png') #FFF no-repeat;padding:0 10px",
		  0, 0x333333, 0xffffff, 1, -1, -1 },
		{ "padding:0;width:600px;height:auto", 0, -1, -1, 0, 600, -1 },
		{ "font-family:\"a;b\";color:red", 0, 0xff0000, -1, 0, -1, -1 },
		{ "color:rgba(0,0,0,0)", 1, -1, -1, 0, -1, -1 },
		{ ";;:;color", 0, -1, -1, 0, -1, -1 },
	};
	for (size_t i = 0; i < sizeof styles / sizeof *styles; i++) {
		sl_css c;
		css_inline(styles[i].in, strlen(styles[i].in), &c);
		T_EQ(c.hidden, styles[i].hidden, styles[i].in);
		T_EQ(c.color, styles[i].color, styles[i].in);
		T_EQ(c.bg, styles[i].bg, styles[i].in);
		T_EQ(c.padding, styles[i].padding, styles[i].in);
		T_EQ(c.width, styles[i].w, styles[i].in);
		T_EQ(c.height, styles[i].h, styles[i].in);
	}
}

/* --- hostile input ----------------------------------------------------- */

static char *repeat(const char *head, const char *unit, size_t n, const char *tail, size_t *len)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(hl + ul * n + tl + 1);
	if (!s)
		abort();
	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + ul * n, tail, tl + 1);
	*len = hl + ul * n + tl;
	return s;
}

static void test_deep(void)
{
	size_t len;
	char *s = repeat("<html><body><p>before</p>", "<div>", 100000, "deep text</body></html>", &len);
	sl_result *r = extract(s, len);
	T_STREQ(blocks(r), "paragraph:before", "deep: blocks before the limit");
	T_STREQ(diags(r), "input/limit-html-depth", "deep: diagnostic");
	if (r->ndiag == 1) {
		T_STREQ(r->diag[0].message, "html-depth limit of 256 reached; the rest is not checked",
		        "deep: message");
		/* at the 255th <div>: html and body make 257 */
		T_EQ(r->diag[0].offset, 25 + 254 * 5, "deep: offset");
	}
	release(r);
	free(s);

	/* nesting within the limit keeps everything */
	s = repeat("<body>", "<div><span>", 120, "text</body>", &len);
	r = extract(s, len);
	T_STREQ(blocks(r), "paragraph:text", "240 deep: blocks");
	T_STREQ(diags(r), "", "240 deep: no diagnostic");
	release(r);
	free(s);

	/* stray end tags at depth cost libxml2 a stack scan each: bounded */
	s = repeat("<body><div>x", "</q>", 1000000, "<p>after</p></body>", &len);
	r = extract(s, len);
	T_STREQ(blocks(r), "paragraph:x\nparagraph:after", "stray end tags: blocks");
	T_STREQ(diags(r), "", "stray end tags: no diagnostic");
	release(r);
	free(s);

	/* more than SL_HTML_MAX_STRAY_END just under the depth limit: stopped,
	 * reported (each cost libxml2 a scan of 250 elements) */
	s = repeat("<body>", "<div>", 250, "", &len);
	char *s2 = repeat(s, "</b>", SL_HTML_MAX_STRAY_END + 10, "<p>after</p></body>", &len);
	memcpy(s2 + 6 + 250 * 5 - 5, "<p>x ", 5);
	r = extract(s2, len);
	T_STREQ(blocks(r), "paragraph:x", "deep stray end tags: blocks");
	T_STREQ(diags(r), "input/limit-html-stray-end-tags", "deep stray end tags: diagnostic");
	release(r);
	free(s);
	free(s2);
	s = repeat("<body><div>x", "</b>", SL_HTML_MAX_STRAY_END + 10, "<p>after</p></body>", &len);
	r = extract(s, len);
	T_STREQ(blocks(r), "paragraph:x", "too many stray end tags: blocks");
	T_STREQ(diags(r), "input/limit-html-stray-end-tags", "too many stray end tags: diagnostic");
	release(r);
	free(s);
}

static void test_big(void)
{
	size_t len;
	char *s;
	sl_result *r;

	/* many braces and no comment: linear */
	s = repeat("<p>", "{ x ", 1000000, "{# c #}</p>", &len);
	r = extract(s, len);
	T_EQ(r->doc.ncomment, 1, "braces: comment");
	T_EQ(r->doc.nblk, 1, "braces: block");
	release(r);
	free(s);

	/* 20 MB of text on one line */
	s = repeat("<p>", "word &amp; ", 20 << 20 >> 4, "end</p>", &len);
	r = extract(s, len);
	T_EQ(r->doc.nblk, 1, "20 MB: one block");
	if (r->doc.nblk == 1) {
		const sl_text *t = &r->doc.blk[0].text;
		T_EQ(t->len, (20 << 20 >> 4) * 7 + 3, "20 MB: block length");
		T_CHECK(t->len > 10 && !memcmp(t->p + t->len - 10, "word & end", 10), "20 MB: tail");
		sl_span sp = text_span(t, t->len - 3, t->len);
		T_STREQ(orig(r, sp), "[end]", "20 MB: span at the end");
	}
	release(r);
	free(s);

	/* a 20 MB attribute value and a 20 MB comment */
	s = repeat("<a href=\"", "x", 20 << 20, "\">t</a><!-- ", &len);
	char *s2 = realloc(s, len + (20 << 20) + 16);
	if (!s2)
		abort();
	s = s2;
	memset(s + len, 'c', 20 << 20);
	memcpy(s + len + (20 << 20), " --><p>p</p>", 13);
	len += (20 << 20) + 12;
	r = extract(s, len);
	T_STREQ(blocks(r), "paragraph[l]:t\nparagraph:p", "huge attribute: blocks");
	T_EQ(r->doc.nlink, 1, "huge attribute: link");
	if (r->doc.nlink == 1)
		T_EQ(strlen(r->doc.link[0].href), 20 << 20, "huge attribute: href");
	T_EQ(r->doc.ncomment, 1, "huge comment");
	if (r->doc.ncomment == 1)
		T_EQ(r->doc.comment[0].span.end - r->doc.comment[0].span.off, (20 << 20) + 9,
		     "huge comment: span");
	release(r);
	free(s);

	/* too many attributes in one tag: linear, reported once */
	s = repeat("<p>v</p><p style=\"display:none\"", " a=1 b c='>'", 200000, ">x</p><p>y</p>", &len);
	r = extract(s, len);
	T_STREQ(blocks(r), "paragraph:v\nparagraph[h]:x\nparagraph:y", "many attributes: blocks");
	T_STREQ(diags(r), "input/limit-html-attributes", "many attributes: diagnostic");
	release(r);
	free(s);
}

/* Random printable input never breaks the map: each block's bytes are
 * its spans' bytes where the span is exact. */
static void test_random(void)
{
	static const char *const bits[] = {
		"<p>", "</p>", "<div style=\"display:none\">", "</div>", "<a href=\"x&amp;y\">",
		"</a>", "&amp;", "&nbsp;", "&#x41;", "&bogus;", "&", "<", ">", "<br>", "<!-- c -->",
		"word", " ", "\n", "\xC3\xA9", "<img alt=\"a&lt;b\">", "{# t #}", "<td>", "</table>",
		"<b>", "</i>", "\"", "'", "=", "<script>x<y</script>", "\0", "\xff", "<title>T</title>",
	};
	unsigned seed = 12345;
	for (int round = 0; round < 300; round++) {
		char buf[2048];
		size_t len = 0;
		for (int k = 0; k < 60; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *b = bits[(seed >> 16) % (sizeof bits / sizeof *bits)];
			size_t bl = b[0] ? strlen(b) : 1;
			if (len + bl >= sizeof buf)
				break;
			memcpy(buf + len, b, bl);
			len += bl;
		}
		sl_result *r = extract(buf, len);
		for (size_t i = 0; i < r->doc.nblk; i++) {
			const sl_text *t = &r->doc.blk[i].text;
			for (size_t s = 0; s < t->nseg; s++) {
				const sl_seg *g = &t->seg[s];
				T_CHECK(g->src + g->src_len <= len, "round %d: segment past the input", round);
				if (g->exact)
					T_CHECK(g->out_len == g->src_len &&
					        !memcmp(t->p + g->out, buf + g->src, g->out_len),
					        "round %d block %zu: exact segment differs", round, i);
			}
		}
		release(r);
	}
}

/* --- eyeballing real templates ----------------------------------------- */

static int show(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	size_t alloc = 1 << 16, len = 0, n;
	char *s = malloc(alloc);
	while (s && (n = fread(s + len, 1, alloc - len, f)) > 0) {
		len += n;
		if (len == alloc)
			s = realloc(s, alloc *= 2);
	}
	fclose(f);
	if (!s)
		return 1;
	sl_result *r = extract(s, len);
	printf("== %s\n-- blocks\n%s\n-- links\n%s\n-- images\n%s\n-- elements\n%s\n"
	       "-- comments\n%s\n-- diagnostics\n%s\n-- preheader: %d\n",
	       path, blocks(r), links(r), images(r), elems(r), comments(r), diags(r),
	       r->doc.preheader_blk);
	release(r);
	free(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		int rc = 0;
		for (int i = 1; i < argc; i++)
			rc |= show(argv[i]);
		return rc;
	}
	run_cases();
	test_spans();
	test_css();
	test_deep();
	test_big();
	test_random();
	return t_done();
}
