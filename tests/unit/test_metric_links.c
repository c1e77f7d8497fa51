/*
 * test_metric_links.c - the measurements of metric_links.c (links,
 * images, elements, hidden text, invisible characters inside words) and
 * what html_style.c and html.c give them (why a block is hidden, class
 * rules of <style> blocks, contrast), with their exact diagnostics (span,
 * message, fix-its, notes) and the load errors of the list keys.
 *
 * Rules are written to a temporary directory and loaded like a user rule
 * dir.  Each case lints one input and renders the diagnostics of the
 * rules named in the case, one per line:
 *   rule@off-end[~] message [=> 'fix'] [(note)...]
 * where ~ marks an inexact span.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"
#include "t_lint.h"
#include "t_result.h"

static char top[] = "/tmp/sl_test_links_XXXXXX";

static void write_file(const char *dir, const char *id, const char *body)
{
	char path[512], sub[512];
	snprintf(sub, sizeof sub, "%s", dir);
	mkdir(sub, 0700);
	const char *slash = strchr(id, '/');
	snprintf(sub, sizeof sub, "%s/%.*s", dir, (int)(slash - id), id);
	mkdir(sub, 0700);
	snprintf(path, sizeof path, "%s/%s.yml", dir, id);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(body, f);
	fclose(f);
}

#define COMMON "description: test\n"
#define BODY(m, extra) "kind: metric\nscope: body\nmetric: " m "\n" extra COMMON
#define EACH "max: 0\nspan: each\nmessage: \"'{match}' {value}\"\n"

static const struct {
	const char *id, *yaml;
} rules[] = {
	{ "l/mismatch", BODY("link-text-mismatch", EACH "hosts: [list-manage.com]\n") },
	{ "l/hosts", BODY("link-hosts", EACH "hosts: [bit.ly, example.com, test]\n") },
	{ "l/ip", BODY("ip-links", EACH) },
	{ "l/dead", BODY("dead-links", EACH) },
	{ "l/domains", BODY("link-domains", "max: 0\nspan: each\nmessage: \"'{match}' {value}\"\n"
	  "hosts: [list-manage.com]\n") },
	{ "l/el", BODY("elements", EACH "elements: [script, meta, link, form]\n") },
	{ "l/only", BODY("image-only", "min: 150\nspan: items\nmessage: \"{value}\"\n") },
	{ "l/ratio", BODY("text-image-ratio", "min: 1000000\nmessage: \"{value}\"\n") },
	{ "l/ratioi", BODY("text-image-ratio", "min: 1000000\nspan: items\nmessage: \"{value}\"\n") },
	{ "l/hid", BODY("hidden-text", EACH "reasons: [contrast, font-size, off-screen]\n") },
	{ "l/hdisp", BODY("hidden-text", EACH "reasons: display\n") },
	{ "l/alt", BODY("image-alt-missing", EACH) },
	{ "l/zw", "kind: metric\nscope: paragraph\nmetric: zero-width-words\nmax: 0\nspan: each\n"
	  "message: \"{value}\"\nfix: { action: delete }\n" COMMON },
};

#define EML(from, html) "From: " from "\nTo: dana@example.org\nSubject: May\n" \
	"Content-Type: text/html; charset=utf-8\n\n" html "\n"

static const struct {
	const char *rules, *name, *input, *want;
} cases[] = {
	/* the text shows one site, the link opens another */
	{ "l/mismatch", "t.html",
	  "<p><a href=\"https://login.example.net/x\">https://fieldnote.co/account</a></p>",
	  "l/mismatch@41-69 'https://fieldnote.co/account' 1 (the text shows 'fieldnote.co'; "
	  "the link goes to 'login.example.net')" },
	{ "l/mismatch", "t.html", "<a href=\"http://fieldnote.co/g\">https://fieldnote.co/g</a>",
	  "l/mismatch@32-54 'https://fieldnote.co/g' 1 (the text shows https://fieldnote.co; "
	  "the link is plain http://)" },
	{ "l/mismatch", "t.html", "<a href=\"https://promo.example.org/\">www.fieldnote.co</a>",
	  "l/mismatch@37-53 'www.fieldnote.co' 1 (the text shows 'www.fieldnote.co'; "
	  "the link goes to 'promo.example.org')" },
	{ "l/mismatch", "t.html", "<a href=\"https://promo.example.org/\">shop.fieldnote.co.uk</a>",
	  "l/mismatch@37-57 'shop.fieldnote.co.uk' 1 (the text shows 'shop.fieldnote.co.uk'; "
	  "the link goes to 'promo.example.org')" },
	/* same registrable domain; words; file names and "www.x" are no sites */
	{ "l/mismatch", "t.html",
	  "<a href=\"https://www.fieldnote.co/a\">fieldnote.co/a</a>"
	  "<a href=\"https://x.example/\">Node.js</a><a href=\"https://x.example/\">setup.py</a>"
	  "<a href=\"https://x.example/\">www.all-life</a><a href=\"https://x.example/\">Read more</a>", "" },
	/* click tracking: a tracker host, a redirect carrying the site, the sender's own domain */
	{ "l/mismatch", "t.html",
	  "<a href=\"https://fieldnote.us1.list-manage.com/track/click?u=1\">www.fieldnote.co</a>"
	  "<a href=\"https://a.awstrack.me/L0/https:%2F%2Ffieldnote.co%2Fg/1\">fieldnote.co/g</a>", "" },
	{ "l/mismatch", "t.eml",
	  EML("Fieldnote <news@fieldnote.co>", "<a href=\"https://click.e.fieldnote.co/?qs=1\">www.parks.example.org</a>"),
	  "" },
	{ "l/mismatch", "t.eml",
	  EML("Fieldnote <news@fieldnote.co>", "<a href=\"https://click.parks.example/?qs=1\">www.fieldnote.co</a>"),
	  "l/mismatch@154-170 'www.fieldnote.co' 1 (the text shows 'www.fieldnote.co'; "
	  "the link goes to 'click.parks.example')" },
	/* hosts: the entry or below it, in HTML and in plain text; the host's own bytes */
	{ "l/hosts", "t.html",
	  "<a href=\"https://www.bit.ly/x\">a</a><a href=\"http://localhost.test:3000/\">b</a>"
	  "<a href=\"https://rabbit.lyric.example/\">c</a><a href=\"https://example.com.evil.example/\">d</a>",
	  "l/hosts@17-27 'www.bit.ly' 2 ('www.bit.ly' is in 'bit.ly')\n"
	  "l/hosts@52-66 'localhost.test' 2 ('localhost.test' is in 'test')" },
	{ "l/hosts", "t.html", "<a href=\"https://bit&#46;ly/x\">a</a>",
	  "l/hosts@9-29 'https://bit&#46;ly/x' 1" },
	{ "l/hosts", "t.txt", "Guides: https://example.com/may and www.bit.ly/x or bit.ly.\n",
	  "l/hosts@16-27 'example.com' 3\nl/hosts@36-46 'www.bit.ly' 3 ('www.bit.ly' is in 'bit.ly')\n"
	  "l/hosts@52-58 'bit.ly' 3" },
	/* IP addresses in the forms browsers take */
	{ "l/ip", "t.html",
	  "<a href=\"http://203.0.113.9/o\">a</a><a href=\"http://3405803785/o\">b</a>"
	  "<a href=\"http://0xCB.0.0161.9/\">c</a><a href=\"http://[2001:db8::1]/\">d</a>"
	  "<a href=\"http://192.168.0.10/\">e</a><a href=\"https://v2.1.example/\">f</a>",
	  "l/ip@16-27 '203.0.113.9' 5\n"
	  "l/ip@52-62 '3405803785' 5 ('3405803785' is the address 203.0.113.9)\n"
	  "l/ip@87-100 '0xCB.0.0161.9' 5 ('0xcb.0.0161.9' is the address 203.0.113.9)\n"
	  "l/ip@124-137 '[2001:db8::1]' 5\n"
	  "l/ip@161-173 '192.168.0.10' 5 (a private address, unreachable from outside its network)" },
	{ "l/ip", "t.txt", "Preview at http://127.0.0.1:8080/may today.\n",
	  "l/ip@18-27 '127.0.0.1' 1 (the loopback address: this computer)" },
	/* links that go nowhere */
	{ "l/dead", "t.html",
	  "<a href=\"#\">Shop</a><a href=\"javascript:void(0)\">More</a><a href=\"\">Unsubscribe</a>"
	  "<a href=\"mailto:\">Write</a><a href=\"twitter.com/fn\"><img src=\"https://x.example/t.png\"></a>",
	  "l/dead@9-10 '#' 5 ('#' is a placeholder: the link goes nowhere)\n"
	  "l/dead@29-47 'javascript:void(0)' 5 (mail programs do not run javascript: links)\n"
	  "l/dead@57-68 '<a href=\"\">' 5 (an empty href: the link goes nowhere)\n"
	  "l/dead@92-99 'mailto:' 5 (the link names no address)\n"
	  "l/dead@119-133 'twitter.com/fn' 5 (a relative URL: a mail program has no page to "
	  "resolve it against (write https://))" },
	{ "l/dead", "t.html",
	  "<a href=\"{{ unsubscribe_url }}\">Unsubscribe</a><a href=\"*|UNSUB|*\">Leave</a>"
	  "<a href=\"[unsubscribe]\">Leave</a><a href=\"%unsubscribe_url%\">Leave</a>"
	  "<a href=\"#top\">Top</a><a href=\"#\"></a><a name=\"top\">Anchor</a>"
	  "<a href=\"//fieldnote.co/x\">Guides</a>", "" },
	/* an icon link in a cell with font-size:0 is still a link */
	{ "l/dead", "t.html", "<table><tr><td style=\"font-size:0\"><a href=\"twitter.com/fn\">"
	  "<img src=\"https://x.example/t.png\" width=\"24\" height=\"24\" alt=\"Twitter\"></a></td></tr></table>",
	  "l/dead@44-58 'twitter.com/fn' 1 (a relative URL: a mail program has no page to "
	  "resolve it against (write https://))" },
	{ "l/dead", "t.html", "<html><head><base href=\"https://fieldnote.co/\"></head>"
	  "<body><a href=\"guides/may\">Guides</a></body></html>", "" },
	/* no link to the sender's domain */
	{ "l/domains", "t.eml",
	  EML("Fieldnote <news@fieldnote.co>", "<a href=\"https://deals.example.net/a\">a</a>"
	      "<a href=\"https://x.deals.example.net/b\">b</a><a href=\"https://other.example.org/\">c</a>"),
	  "l/domains@127-144 'deals.example.net' 2 (the links go to 'example.net', 'example.org'; "
	  "the sender is 'fieldnote.co')" },
	{ "l/domains", "t.eml",
	  EML("news@fieldnote.co", "<a href=\"https://deals.example.net/a\">a</a>"
	      "<a href=\"https://www.fieldnote.co/\">b</a>"), "" },
	{ "l/domains", "t.eml",
	  EML("news@fieldnote.co", "<a href=\"https://fn.us1.list-manage.com/track/click\">a</a>"), "" },
	{ "l/domains", "t.html", "<a href=\"https://deals.example.net/a\">a</a>", "" },
	/* elements, with their attributes */
	{ "l/el", "t.html",
	  "<html><head><meta http-equiv=\"Refresh\" content=\"0; url=https://x.example/\">"
	  "<link rel=\"stylesheet\" href=\"https://x.example/m.css\"><link rel=\"icon\" href=\"f.ico\">"
	  "<script>var a;</script></head><body><form action=\"https://x.example/\"></form>"
	  "<iframe src=\"https://x.example/\"></iframe></body></html>",
	  "l/el@12-75 '<meta http-equiv=\"Refresh\" content=\"0; url=https://x.example...' 4 "
	  "(<meta http-equiv=\"Refresh\" content=\"0; url=https://x.example/\">)\n"
	  "l/el@75-129 '<link rel=\"stylesheet\" href=\"https://x.example/m.css\">' 4 "
	  "(<link rel=\"stylesheet\" href=\"https://x.example/m.css\">)\n"
	  "l/el@159-167 '<script>' 4\n"
	  "l/el@195-229 '<form action=\"https://x.example/\">' 4 (<form action=\"https://x.example/\">)" },
	/* image-only: a large image and next to no text; a logo does not count */
	{ "l/only", "t.html",
	  "<p>Sale</p><a href=\"https://x.example/\"><img src=\"s.jpg\" width=\"600\" height=\"800\"></a>",
	  "l/only@40-82 4 (1 large image, 4 characters of text)" },
	{ "l/only", "t.html", "<p>Sale</p><img src=\"logo.png\" width=\"120\" height=\"40\">", "" },
	{ "l/only", "t.html", "<p>Sale</p><a href=\"https://x.example/\"><img src=\"hero.jpg\"></a>"
	  "<img src=\"p.gif\" width=\"1\" height=\"1\">",
	  "l/only@40-60 4 (1 large image, 4 characters of text)" },
	/* of unknown size and not a link: a logo sized by CSS */
	{ "l/only", "t.html", "<p>Sale</p><img src=\"logo.png\" class=\"logo\">", "" },
	/* text per 1,000 px²: 31 characters, 600x300 and a 100-wide square */
	{ "l/ratio", "t.html",
	  "<p>Thirty characters of text here!!!!!</p><img src=\"a.jpg\" width=\"600\" height=\"300\">"
	  "<img src=\"b.jpg\" width=\"100\"><img src=\"c.jpg\">",
	  "l/ratio@0-130 0.16" },
	{ "l/ratioi", "t.html",
	  "<p>Text</p><img src=\"a.jpg\" width=\"10\" height=\"10\"><img src=\"b.jpg\" width=\"200\" height=\"100\">",
	  "l/ratioi@51-93 0.19 (2 images of 20100 px² in all against 4 characters of text)" },
	/* hidden: colour, size, position; not the preheader, a child that resets the size, a link */
	{ "l/hid", "t.html",
	  "<body style=\"background:#ffffff\"><div style=\"display:none\">Preview text here</div>"
	  "<p>Visible words</p><p style=\"color:#fefefe\">white words</p>"
	  "<p style=\"color:#dddddd\">pale words</p><p style=\"color:#cccccc\">grey words</p>"
	  "<td style=\"font-size:0\">tiny words<div style=\"font-size:14px\">normal words</div></td>"
	  "<div style=\"text-indent:-9999px\">away words</div>"
	  "<p style=\"color:#ffffff\"><a href=\"https://x.example/\">link words</a></p></body>",
	  "l/hid@127-138 'white words' 41 (its colour is (nearly) that of its background)\n"
	  "l/hid@167-177 'pale words' 41 (its colour is (nearly) that of its background)\n"
	  "l/hid@244-254 'tiny words' 41 (its font size is 0 or 1px)\n"
	  "l/hid@338-348 'away words' 41 (it is placed off-screen)" },
	/* hidden by display, inline or by a class; shown by @media; Outlook only */
	{ "l/hdisp", "t.html",
	  "<html><head><style>.hide { display: none } .mob { display:none } "
	  "@media (max-width:480px) { .wrap .mob { display:block !important } }</style></head><body>"
	  "<div style=\"display:none\">Preview text</div><p>Visible words</p>"
	  "<p class=\"x hide\">class words</p><p class=\"mob\">mobile words</p>"
	  "<p style=\"mso-hide:all\">outlook words</p><p hidden>attribute words</p>"
	  "<div style=\"display:none\"><p>inline words</p></div></body></html>",
	  "l/hdisp@236-247 'class words' 38 (its style hides it (display:none, visibility:hidden, "
	  "opacity:0 or a box of no size))\n"
	  "l/hdisp@333-348 'attribute words' 38 (its style hides it (display:none, visibility:hidden, "
	  "opacity:0 or a box of no size))\n"
	  "l/hdisp@381-393 'inline words' 38 (its style hides it (display:none, visibility:hidden, "
	  "opacity:0 or a box of no size))" },
	/* a preheader of two blocks is one preview */
	{ "l/hdisp", "t.html", "<div class=\"preheader\" style=\"display:none\">Spring guides<br><br>"
	  "and maps</div><p>Visible words</p><p style=\"display:none\">late words</p>",
	  "l/hdisp@123-133 'late words' 10 (its style hides it (display:none, visibility:hidden, "
	  "opacity:0 or a box of no size))" },
	/* alt text: spacers and pixels pass, alt="" passes */
	{ "l/alt", "t.html",
	  "<p>Hi</p><img src=\"a.jpg\" width=\"600\"><img src=\"s.gif\" width=\"600\" height=\"1\">"
	  "<img src=\"d.png\" alt=\"\">",
	  "l/alt@9-38 '<img src=\"a.jpg\" width=\"600\">' 1" },
	/* zero-width characters inside words, not beside punctuation or in joining scripts */
	{ "l/zw", "t.html",
	  "<p>Get fr\xe2\x80\x8b" "ee gu&#8203;ides at fieldnote&#8203;.co \xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae</p>",
	  "l/zw@9-12 2 => '' (U+200B zero width space)\n"
	  "l/zw@17-24~ 2 (decoded text: '\xe2\x80\x8b') (U+200B zero width space)" },
	{ "l/zw", "t.txt", "Fr\xe2\x80\x8c\xe2\x80\x8d" "ee and fine.\n",
	  "l/zw@2-8 2 => '' (2 invisible characters, the first U+200C zero width non-joiner)" },
};

static void render(sl_context *ctx, const char *name, const char *in, const char *list,
                   char *out, size_t size)
{
	t_render(ctx, name, in, list, 1, out, size);
}

/* Loading: the list keys are required, belong to their metric, and hold
 * only known names where the metric knows them. */
static void test_load_errors(void)
{
	static const struct {
		const char *yaml, *want;
	} bad[] = {
		{ BODY("link-hosts", "max: 0\nmessage: x\n"),
		  "t/x.yml:3:9: error: metric 'link-hosts' needs 'hosts'" },
		{ BODY("elements", "max: 0\nelements: [script, blink]\nmessage: x\n"),
		  "t/x.yml:5:20: error: 'blink' is not one of the elements metric 'elements' knows" },
		{ BODY("hidden-text", "max: 0\nreasons: colour\nmessage: x\n"),
		  "t/x.yml:5:10: error: 'colour' is not one of the reasons metric 'hidden-text' knows" },
		{ BODY("ip-links", "max: 0\nhosts: [a.example]\nmessage: x\n"),
		  "t/x.yml:5:1: error: unknown key 'hosts'" },
		{ "kind: metric\nscope: paragraph\nmetric: dead-links\nmax: 0\nmessage: x\n" COMMON,
		  "t/x.yml:2:8: error: scope 'paragraph' is not allowed for metric 'dead-links'" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char dir[600];
		snprintf(dir, sizeof dir, "%s/bad%zu", top, i);
		write_file(dir, "t/x", bad[i].yaml);
		const char *rd[1] = { dir };
		sl_options o;
		memset(&o, 0, sizeof o);
		o.rule_dirs = rd;
		o.nrule_dirs = 1;
		sl_context *ctx;
		int rc = sl_context_new(&ctx, &o);
		T_EQ(rc, SL_ERULES, "bad rule rc");
		const char *msg = sl_context_errmsg(ctx);
		const char *at = strstr(msg, "t/x.yml:");
		size_t n = at ? strcspn(at, "\n") : 0;
		char line[300];
		snprintf(line, sizeof line, "%.*s", (int)n, at ? at : "");
		T_CHECK(!strncmp(line, bad[i].want, strlen(bad[i].want)), "load error %zu: got '%s', want '%s'",
		        i, line, bad[i].want);
		sl_context_free(ctx);
	}
}

/* html_style.c: why an inline style hides, the font size, what shows,
 * contrast ratios (WCAG 2). */
static void test_style(void)
{
	static const struct {
		const char *in;
		unsigned hide;
		int font0, shows;
	} styles[] = {
		{ "display:none", SL_HIDE_DISPLAY, 0, 0 },
		{ "display:block", 0, 0, 1 },
		{ "visibility:hidden", SL_HIDE_DISPLAY, 0, 0 },
		{ "max-height:0;overflow:hidden", SL_HIDE_DISPLAY, 0, 0 },
		{ "max-height:none", 0, 0, 1 },
		{ "opacity:0", SL_HIDE_DISPLAY, 0, 0 },
		{ "mso-hide:all", SL_HIDE_RESPONSIVE, 0, 0 },
		{ "mso-hide:all;display:none", SL_HIDE_DISPLAY, 0, 0 },
		{ "font-size:0", 0, 1, 0 },
		{ "font-size:1px", 0, 1, 0 },
		{ "font-size:0.5pt", 0, 1, 0 },
		{ "font-size:2px", 0, 2, 1 },
		{ "font-size:12px", 0, 2, 1 },
		{ "text-indent:-9999px", SL_HIDE_OFFSCREEN, 0, 0 },
		{ "position:absolute;left:-5000px", SL_HIDE_OFFSCREEN, 0, 0 },
		{ "color:transparent", SL_HIDE_CONTRAST, 0, 0 },
		{ "color:#fff", 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof styles / sizeof *styles; i++) {
		sl_css c;
		css_inline(styles[i].in, strlen(styles[i].in), &c);
		T_EQ(c.hide, styles[i].hide, styles[i].in);
		T_EQ(c.font0, styles[i].font0, styles[i].in);
		T_EQ(c.shows, styles[i].shows, styles[i].in);
	}
	static const struct {
		long fg, bg;
		double want;
	} pairs[] = {
		{ 0xffffff, 0x000000, 21.0 }, { 0x000000, 0xffffff, 21.0 }, { 0xffffff, 0xffffff, 1.0 },
		{ 0xffffff, 0xdddddd, 1.36 }, { 0xcccccc, 0xffffff, 1.61 }, { 0x777777, 0xffffff, 4.48 },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		double c = css_contrast(pairs[i].fg, pairs[i].bg);
		T_CHECK(c > pairs[i].want - 0.01 && c < pairs[i].want + 0.01, "contrast %06lx/%06lx: %.3f",
		        pairs[i].fg, pairs[i].bg, c);
	}
}

/* The class rules of a <style> text: simple selectors only, @media shows,
 * other at-rules and comments skipped; past SL_CSS_SHEET_MAX classes the
 * limit is reported once. */
static void test_sheet(void)
{
	const char *css =
		"/* .no { display:none } */ <!-- .a, td.b { display: none !important }\n"
		".c .d { display:none } .e:hover { display:none } .f.g { display:none }\n"
		"@font-face { font-family: x; src: url(a{b}.woff) } .tiny { font-size: 1px }\n"
		"@media screen and (max-width: 480px) { .a { display:block } .h { display:none } }\n"
		".i { color: red } @import url(x.css); .J { visibility: hidden } -->";
	sl_result *r = t_result(css, strlen(css));
	sl_sheet *sh = NULL;
	css_sheet_read(r, &sh, css, strlen(css), (sl_span){ 0, 0, 0 });
	static const struct {
		const char *cls;
		unsigned hide;
		int font0;
	} want[] = {
		{ "a", SL_HIDE_RESPONSIVE, 0 }, { "b", SL_HIDE_DISPLAY, 0 }, { "x  b  y", SL_HIDE_DISPLAY, 0 },
		{ "no", 0, 0 }, { "d", 0, 0 }, { "e", 0, 0 }, { "g", 0, 0 }, { "h", 0, 0 }, { "i", 0, 0 },
		{ "tiny", 0, 1 }, { "j", SL_HIDE_DISPLAY, 0 }, { "", 0, 0 },
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		sl_css c = { 0, -1, -1, 0, -1, -1, 0, 0, 0 };
		css_sheet_apply(sh, want[i].cls, strlen(want[i].cls), &c);
		T_EQ(c.hide, want[i].hide, want[i].cls);
		T_EQ(c.font0, want[i].font0, want[i].cls);
	}
	/* an inline display:none shown by a class of an @media rule */
	sl_css c;
	css_inline("display:none", 12, &c);
	css_sheet_apply(sh, "a", 1, &c);
	T_EQ(c.hide, SL_HIDE_RESPONSIVE, "inline hidden, shown by @media");
	T_EQ(r->ndiag, 0, "no diagnostics");
	t_result_free(r);

	/* too many classes: the first SL_CSS_SHEET_MAX kept, one diagnostic */
	sl_buf b;
	r = t_result("x", 1);
	buf_init(&b, &r->arena, 1 << 20);
	for (size_t i = 0; i < SL_CSS_SHEET_MAX + 10; i++)
		buf_addf(&b, ".c%zu{display:none}", i);
	sh = NULL;
	css_sheet_read(r, &sh, b.p, b.len, (sl_span){ 0, 1, 1 });
	T_EQ(r->ndiag, 1, "limit reported once");
	T_STREQ(r->ndiag ? r->diag[0].rule : "", "input/limit-style-classes", "limit id");
	sl_css k = { 0, -1, -1, 0, -1, -1, 0, 0, 0 };
	css_sheet_apply(sh, "c0", 2, &k);
	T_EQ(k.hide, SL_HIDE_DISPLAY, "first class kept");
	t_result_free(r);
}

/* html.c: the link an image is in; images are not hidden by text styles. */
static void test_images(void)
{
	const char *h = "<div style=\"font-size:0;color:#fff;background:#fff\"><a href=\"https://x.example/\">"
	                "<img src=\"a.png\"></a><img src=\"b.png\"></div>";
	sl_result *r = t_result(h, strlen(h));
	html_extract(r, &r->srctext, 0);
	T_EQ(r->doc.nimg, 2, "images");
	if (r->doc.nimg == 2) {
		T_EQ(r->doc.img[0].link, 0, "in link 0");
		T_EQ(r->doc.img[1].link, -1, "in no link");
		T_EQ(r->doc.img[0].hidden, 0, "text styles do not hide images");
	}
	t_result_free(r);
}

int main(void)
{
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 2;
	}
	char dir[600];
	snprintf(dir, sizeof dir, "%s/rules", top);
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
		write_file(dir, rules[i].id, rules[i].yaml);
	const char *rd[1] = { dir };
	sl_options o;
	memset(&o, 0, sizeof o);
	o.rule_dirs = rd;
	o.nrule_dirs = 1;
	sl_context *ctx;
	if (sl_context_new(&ctx, &o)) {
		printf("context: %s", sl_context_errmsg(ctx));
		T_CHECK(0, "context");
	} else {
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			char got[8192];
			render(ctx, cases[i].name, cases[i].input, cases[i].rules, got, sizeof got);
			T_CHECK(!strcmp(got, cases[i].want), "case %zu (%s): got\n%s\nwant\n%s", i,
			        cases[i].rules, got, cases[i].want);
		}
	}
	sl_context_free(ctx);
	test_load_errors();
	test_style();
	test_sheet();
	test_images();
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("note: could not remove %s\n", top);
	return t_done();
}
