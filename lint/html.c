/*
 * html.c - the HTML stage: what a reader sees in an HTML part, and the
 * facts rules need about its markup.
 *
 * In: one part's decoded UTF-8 HTML, an sl_text mapped to the file.
 * Out, appended to r->doc: blocks of visible text (whitespace collapsed,
 * hidden text marked, never dropped), links, images, notable elements,
 * comments (HTML and template-language ones), the title and the
 * preheader.  Every text is built with an sl_tb from the input's map.
 * Limits: lim.html_depth (past it libxml2 is stopped and the rest of the
 * part is not checked, with input/limit-html-depth); SL_HTML_MAX_ATTRS
 * attributes per tag (the rest of such a tag is blanked before parsing);
 * SL_HTML_MAX_STRAY_END end tags that close nothing (then it is stopped,
 * input/limit-html-stray-end-tags).
 * Builders are bounded by the input's length, which no output exceeds.
 *
 * Before parsing, the input goes through three passes that each make a
 * new mapped text only when needed: invalid UTF-8 and control characters
 * become U+FFFD; template comments ({# #}, {{!-- --}}, {{! }}) are recorded
 * and removed; tags with too many attributes are cut short.  Everything
 * after that works on this "fed" text, whose map leads to the file.
 *
 * libxml2 2.9 serves as a SAX tokenizer, on the memory parser (the push
 * parser drops everything after </html>).  What it does, checked on
 * Debian's 2.9.14:
 *  - offsets: input->cur - input->base + consumed.  A start tag's
 *    callback comes with cur at its '>' (or at "/>"), so the tag is found
 *    by a bounded forward scan from the end of the last event for "<name",
 *    and its attributes by our own scan of the tag's bytes, which mirrors
 *    htmlParseStartTag.  A real end tag's callback comes just past its '>';
 *    implied ones (auto-close, end of input) come anywhere.
 *  - text: literal runs are byte copies of the input; a character
 *    reference arrives alone, after the whole "&...;" was read; an
 *    unknown or unterminated "&name" arrives as "&" and "name".  Each
 *    chunk is mapped by comparing its bytes with the input's.
 *  - invalid UTF-8 makes it re-decode the rest as Latin-1 (offsets stop
 *    matching), and it drops control characters: both are replaced by
 *    U+FFFD (a form feed by a space) before parsing, as replacements.
 *  - it has no depth limit of its own in SAX mode (only its tree builder
 *    stops at 256), but an end tag that closes nothing costs a scan of its
 *    whole stack, so deep input is quadratic: the stage stops it at
 *    lim.html_depth, and after SL_HTML_MAX_STRAY_END such end tags (their
 *    errors come to the structured error handler even with NOERROR).
 *  - duplicate attributes are checked against every earlier one: more
 *    than SL_HTML_MAX_ATTRS in a tag are blanked out before parsing.
 *  - an unclosed comment swallows the rest of the input silently: that is
 *    reported (input/html-unclosed-comment).
 *
 * libxml2 is not given the fed text itself but a copy in which the
 * attributes of plain start tags (see scan_attrs) are blanks: this stage
 * reads attributes from the fed text with its own scan, and libxml2's
 * reading of them (each value copied and decoded a character at a time,
 * each name interned) cost a fifth of the stage.  The copy has the same
 * length, so every offset holds.  Each event checks that libxml2 read the
 * blanks as the attributes of the tag they came from (lib_check); if ever
 * it did not, the parse is abandoned, everything it added is taken back
 * and the part is parsed again from the fed text.  So libxml2's own
 * attribute values (the atts of startElement) are never to be used.
 */
#define _GNU_SOURCE /* memmem: glibc and musl hide it without this */
#include <limits.h>
#include <stdlib.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "internal.h"

/* ---------------------------------------------------------------------
 * Elements this stage knows.
 * ------------------------------------------------------------------- */
enum {
	T_BLOCK = 1 << 0,  /* a block boundary: flush at open and at close */
	T_SKIP  = 1 << 1,  /* content is not rendered */
	T_NOTE  = 1 << 2,  /* always recorded as an sl_elem */
	T_KIND  = 1 << 3,  /* gives its text a block kind */
	T_VOID  = 1 << 4,  /* no content: never a preheader */
};

/* Elements with handling of their own. */
enum { S_NONE, S_A, S_BR, S_CELL, S_FONT, S_IMG, S_LINK, S_META, S_STYLE, S_SVG, S_TITLE };

typedef struct tag_info {
	const char *name;
	unsigned flags;
	sl_block_kind kind;
	int level;
	int special;
} tag_info;

static const tag_info tag_table[] = { /* sorted by name */
	{ "a", 0, 0, 0, S_A },
	{ "address", T_BLOCK, 0, 0, S_NONE },
	{ "applet", T_NOTE, 0, 0, S_NONE },
	{ "area", T_NOTE | T_VOID, 0, 0, S_NONE },
	{ "article", T_BLOCK, 0, 0, S_NONE },
	{ "aside", T_BLOCK, 0, 0, S_NONE },
	{ "audio", T_NOTE, 0, 0, S_NONE },
	{ "base", T_NOTE | T_VOID, 0, 0, S_NONE },
	{ "blockquote", T_BLOCK | T_KIND, SL_BLK_QUOTE, 0, S_NONE },
	{ "body", T_BLOCK, 0, 0, S_NONE },
	{ "br", T_VOID, 0, 0, S_BR },
	{ "button", T_BLOCK | T_KIND, SL_BLK_BUTTON, 0, S_NONE },
	{ "caption", T_BLOCK, 0, 0, S_NONE },
	{ "center", T_BLOCK, 0, 0, S_NONE },
	{ "col", T_VOID, 0, 0, S_NONE },
	{ "dd", T_BLOCK, 0, 0, S_NONE },
	{ "details", T_BLOCK, 0, 0, S_NONE },
	{ "dialog", T_BLOCK, 0, 0, S_NONE },
	{ "dir", T_BLOCK, 0, 0, S_NONE },
	{ "div", T_BLOCK | T_KIND, SL_BLK_PARAGRAPH, 0, S_NONE },
	{ "dl", T_BLOCK, 0, 0, S_NONE },
	{ "dt", T_BLOCK, 0, 0, S_NONE },
	{ "embed", T_NOTE | T_VOID, 0, 0, S_NONE },
	{ "fieldset", T_BLOCK, 0, 0, S_NONE },
	{ "figcaption", T_BLOCK, 0, 0, S_NONE },
	{ "figure", T_BLOCK, 0, 0, S_NONE },
	{ "font", 0, 0, 0, S_FONT },
	{ "footer", T_BLOCK, 0, 0, S_NONE },
	{ "form", T_BLOCK | T_NOTE, 0, 0, S_NONE },
	{ "frame", T_NOTE | T_VOID, 0, 0, S_NONE },
	{ "frameset", T_NOTE, 0, 0, S_NONE },
	{ "h1", T_BLOCK | T_KIND, SL_BLK_HEADING, 1, S_NONE },
	{ "h2", T_BLOCK | T_KIND, SL_BLK_HEADING, 2, S_NONE },
	{ "h3", T_BLOCK | T_KIND, SL_BLK_HEADING, 3, S_NONE },
	{ "h4", T_BLOCK | T_KIND, SL_BLK_HEADING, 4, S_NONE },
	{ "h5", T_BLOCK | T_KIND, SL_BLK_HEADING, 5, S_NONE },
	{ "h6", T_BLOCK | T_KIND, SL_BLK_HEADING, 6, S_NONE },
	/* not skipped: libxml2 keeps an implied <head> open across unknown
	 * tags (<spacer>, <container>) that browsers put in the body */
	{ "head", T_BLOCK, 0, 0, S_NONE },
	{ "header", T_BLOCK, 0, 0, S_NONE },
	{ "hr", T_BLOCK | T_VOID, 0, 0, S_NONE },
	{ "html", T_BLOCK, 0, 0, S_NONE },
	{ "iframe", T_SKIP | T_NOTE, 0, 0, S_NONE },
	{ "img", T_VOID, 0, 0, S_IMG },
	{ "input", T_NOTE | T_VOID, 0, 0, S_NONE },
	{ "legend", T_BLOCK, 0, 0, S_NONE },
	{ "li", T_BLOCK | T_KIND, SL_BLK_LIST_ITEM, 0, S_NONE },
	{ "link", T_VOID, 0, 0, S_LINK },
	{ "main", T_BLOCK, 0, 0, S_NONE },
	{ "map", T_NOTE, 0, 0, S_NONE },
	{ "menu", T_BLOCK, 0, 0, S_NONE },
	{ "meta", T_VOID, 0, 0, S_META },
	{ "nav", T_BLOCK, 0, 0, S_NONE },
	{ "noembed", T_SKIP, 0, 0, S_NONE },
	{ "noframes", T_SKIP, 0, 0, S_NONE },
	{ "object", T_NOTE, 0, 0, S_NONE },
	{ "ol", T_BLOCK, 0, 0, S_NONE },
	{ "p", T_BLOCK | T_KIND, SL_BLK_PARAGRAPH, 0, S_NONE },
	{ "param", T_VOID, 0, 0, S_NONE },
	{ "pre", T_BLOCK | T_KIND, SL_BLK_PRE, 0, S_NONE },
	{ "script", T_SKIP | T_NOTE, 0, 0, S_NONE },
	{ "section", T_BLOCK, 0, 0, S_NONE },
	{ "source", T_VOID, 0, 0, S_NONE },
	{ "style", T_SKIP, 0, 0, S_STYLE },
	{ "summary", T_BLOCK, 0, 0, S_NONE },
	{ "svg", T_NOTE, 0, 0, S_SVG },
	{ "table", T_BLOCK, 0, 0, S_NONE },
	{ "tbody", T_BLOCK, 0, 0, S_NONE },
	{ "td", T_BLOCK | T_KIND, SL_BLK_CELL, 0, S_CELL },
	{ "template", T_SKIP, 0, 0, S_NONE },
	{ "tfoot", T_BLOCK, 0, 0, S_NONE },
	{ "th", T_BLOCK | T_KIND, SL_BLK_CELL, 0, S_CELL },
	{ "thead", T_BLOCK, 0, 0, S_NONE },
	{ "title", 0, 0, 0, S_TITLE },
	{ "tr", T_BLOCK, 0, 0, S_NONE },
	{ "track", T_VOID, 0, 0, S_NONE },
	{ "ul", T_BLOCK, 0, 0, S_NONE },
	{ "video", T_NOTE, 0, 0, S_NONE },
	{ "wbr", T_VOID, 0, 0, S_NONE },
};

static int tag_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const tag_info *)elem)->name);
}

static const tag_info *tag_lookup(const char *name)
{
	return bsearch(name, tag_table, sizeof tag_table / sizeof *tag_table,
	               sizeof *tag_table, tag_cmp);
}

/* Attributes this stage reads. */
enum { A_STYLE, A_CLASS, A_ID, A_ROLE, A_HIDDEN, A_BGCOLOR, A_COLOR, A_HREF,
       A_SRC, A_ALT, A_WIDTH, A_HEIGHT, A_HTTP_EQUIV, A_REL, A_N };
#define ATTR(s) { s, sizeof s - 1 }
static const struct {
	const char *name;
	size_t len;
} attr_tab[A_N] = {
	ATTR("style"), ATTR("class"), ATTR("id"), ATTR("role"), ATTR("hidden"),
	ATTR("bgcolor"), ATTR("color"), ATTR("href"), ATTR("src"), ATTR("alt"),
	ATTR("width"), ATTR("height"), ATTR("http-equiv"), ATTR("rel"),
};
#undef ATTR

/* ---------------------------------------------------------------------
 * State.
 * ------------------------------------------------------------------- */

/* One attribute of a start tag, as offsets in the fed text. */
typedef struct hx_attr {
	size_t name, nlen;
	size_t val, vlen;      /* the raw value, quotes excluded */
	int has_val;
	char quote;            /* '"', '\'' or 0 */
} hx_attr;

/* One open element.  Effective values include the ancestors'. */
typedef struct hx_el {
	const xmlChar *name;   /* libxml2's, valid while it parses */
	const tag_info *ti;    /* NULL for elements this stage ignores */
	size_t tag_off, tag_end; /* the start tag; equal if it was implied */
	long fg, bg;           /* effective colours, -1 unknown */
	int kind, level;       /* effective block kind, -1 none */
	int hidden, skip, svg; /* effective */
	int shidden;           /* effective, from display, visibility, ... (not
	                          colours, which descendants may change) */
	int cellbtn;           /* effective: in a cell with a background and padding */
	int font0;             /* effective: a font size too small to read */
	int link;              /* the link this element opened, -1 */
	unsigned flush : 1, pre : 1, title : 1, style : 1;
} hx_el;

/* A text being built: whitespace runs collapse to one pending space,
 * emitted (mapped to the run) only when more text follows. */
typedef struct tw {
	sl_tb tb;
	int on;
	int pend;
	const sl_text *wsrc;   /* where the pending run is */
	size_t ws_a, ws_b;
	int ws_single;         /* the run is one ' ' copied as is */
	/* decoded references next to each other in the source become one
	 * replacement (a run of 4 million "&amp;" is one segment, not 4
	 * million) */
	sl_buf rb;
	int rpend;
	const sl_text *rsrc;
	size_t r_a, r_b;
} tw;

enum { W_BLK = 1, W_LNK = 2, W_TTL = 4 };

typedef struct hx {
	sl_result *r;
	sl_text fed;           /* the input, made safe */
	const char *lib;       /* what libxml2 parses: fed, or a copy of it with the
	                          attributes of plain start tags blanked */
	unsigned char *lib_at; /* bit per fed byte: a blanked run starts here */
	size_t vpos;           /* lib checked against fed up to here */
	int diverged;          /* libxml2 read the blanks otherwise: parse again */
	const char *p;
	size_t len;            /* fed bytes */
	size_t base;           /* where libxml2 starts (after a BOM) */
	int part;
	size_t max;            /* builders' maximum */
	htmlParserCtxtPtr ctxt;
	size_t pos;            /* fed bytes accounted for by the events so far */
	int stopped, over;
	size_t stray;          /* end tags that closed nothing */
	hx_el root;
	hx_el *st;
	size_t nst, stalloc;
	hx_attr attr[SL_HTML_MAX_ATTRS];
	size_t nattr;
	int ai[A_N];           /* index in attr of each known attribute, -1 */
	char *scratch;
	size_t scratch_alloc;
	struct {               /* tag_lookup by libxml2's interned name */
		const xmlChar *name;
		const tag_info *ti;
		size_t len;
	} tcache[64];          /* (indexed by the top 6 bits of a hash) */
	/* the block being built */
	tw blk;
	sl_block_kind blk_kind;
	int blk_level, blk_hidden;
	int blk_link, blk_link_fresh; /* -2: no text yet */
	int last_br;
	/* the link being built */
	tw lnk;
	int lnk_idx, lnk_hidden;
	int pend_blk, pend_link;
	size_t pend_len;
	int cellbtn_link;
	/* the title */
	tw ttl;
	int in_title;
	/* the preheader */
	long pre_el;           /* stack index of its element, -1 */
	int pre_done, substance;
	size_t first_comment;
	sl_sheet *sheet;       /* class rules of the part's <style> blocks */
} hx;

/* ---------------------------------------------------------------------
 * Characters.
 * ------------------------------------------------------------------- */

static int lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Byte classes, for the scans that look at every byte of markup. */
enum {
	C_WS = 1,          /* HTML whitespace, collapsed in text */
	C_BLANK = 2,       /* libxml2's IS_BLANK_CH, which separates attributes */
	C_ALPHA = 4, C_DIGIT = 8,
	C_NAME0 = 16,      /* htmlParseHTMLName's first characters */
	C_NAME = 32,       /* and the others */
	C_ANGLE = 64,      /* < > (not in a plain quoted value) */
	C_UQBAD = 128,     /* " ' ` < > = (not in a plain unquoted value) */
};
#define CCLS(c) \
	(((c) == ' ' || (c) == '\n' || (c) == '\t' || (c) == '\r' ? C_WS | C_BLANK : \
	  (c) == '\f' ? C_WS : 0) | \
	 (((c) | 32) >= 'a' && ((c) | 32) <= 'z' ? C_ALPHA | C_NAME0 | C_NAME : 0) | \
	 ((c) >= '0' && (c) <= '9' ? C_DIGIT | C_NAME : 0) | \
	 ((c) == '_' || (c) == ':' || (c) == '.' ? C_NAME0 | C_NAME : 0) | \
	 ((c) == '-' ? C_NAME : 0) | \
	 ((c) == '<' || (c) == '>' ? C_ANGLE | C_UQBAD : 0) | \
	 ((c) == '"' || (c) == '\'' || (c) == '`' || (c) == '=' ? C_UQBAD : 0))
#define T4(c) CCLS(c), CCLS((c) + 1), CCLS((c) + 2), CCLS((c) + 3)
#define T16(c) T4(c), T4((c) + 4), T4((c) + 8), T4((c) + 12)
#define T64(c) T16(c), T16((c) + 16), T16((c) + 32), T16((c) + 48)
static const unsigned char ccls[256] = { T64(0), T64(64), T64(128), T64(192) };
#undef CCLS
#undef T4
#undef T16
#undef T64

static inline int cls_is(int c, unsigned bits)
{
	return (unsigned)c < 256 && (ccls[c] & bits);
}

static inline int is_ws(int c)
{
	return cls_is(c, C_WS);
}

static inline int is_blank(int c)
{
	return cls_is(c, C_BLANK);
}

static inline int is_alpha(int c)
{
	return cls_is(c, C_ALPHA);
}

static inline int is_digit(int c)
{
	return cls_is(c, C_DIGIT);
}

static inline int is_alnum(int c)
{
	return cls_is(c, C_ALPHA | C_DIGIT);
}

static inline int is_name_start(int c)
{
	return cls_is(c, C_NAME0);
}

static inline int is_name_char(int c)
{
	return cls_is(c, C_NAME);
}

static int is_xdigit(int c)
{
	return is_digit(c) || (lc(c) >= 'a' && lc(c) <= 'f');
}

/* Length of the well-formed UTF-8 sequence at p[0..n), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2; v = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; v = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* A character libxml2 keeps (XML's Char production). */
static int xml_char(uint32_t c)
{
	return c >= 0x20 ? c != 0xFFFE && c != 0xFFFF : c == '\t' || c == '\n' || c == '\r';
}

/* Length of the character at p[0..n) if it is valid and one libxml2
 * keeps, or 0. */
static size_t utf8_char(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t k = utf8_seq(p, n, cp);
	return k && xml_char(*cp) ? k : 0;
}

static size_t utf8_put1(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decode one character of already valid text (for scans of our own output);
 * an invalid byte counts as itself. */
static size_t utf8_get(const char *s, size_t n, uint32_t *cp)
{
	size_t k = utf8_char((const unsigned char *)s, n, cp);
	if (k)
		return k;
	*cp = (unsigned char)s[0];
	return 1;
}

/* Characters that show nothing: soft hyphen, joiners, bidi marks, the
 * combining grapheme joiner, BOM, Hangul fillers... */
static int cp_invisible(uint32_t c)
{
	return c == 0xAD || c == 0x34F || c == 0x61C || c == 0x115F || c == 0x1160 ||
	       c == 0x17B4 || c == 0x17B5 || c == 0x180E ||
	       (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x3164 || c == 0xFEFF || c == 0xFFA0;
}

/* Non-collapsing spaces: no-break and the typographic ones. */
static int cp_space(uint32_t c)
{
	return c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
	       c == 0x205F || c == 0x3000;
}

/* ---------------------------------------------------------------------
 * The fed text: the input with what libxml2 would mangle made safe.
 * ------------------------------------------------------------------- */

static const char repl_char[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Invalid UTF-8 and characters libxml2 drops: U+FFFD (a form feed
 * becomes a space).  Returns 0 and leaves *out alone if nothing needs it. */
static int feed_sanitize(hx *h, const sl_text *in, sl_text *out)
{
	const unsigned char *p = (const unsigned char *)in->p;
	size_t n = in->len, i = 0, done = 0;
	sl_tb tb;
	int any = 0;
	while (i < n) {
		/* printable ASCII, eight bytes at a time */
		while (n - i >= 8) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if ((w | ((w - 0x2020202020202020ull) & ~w)) & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i == n)
			break;
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_seq(p + i, n - i, &cp);
		if (k && xml_char(cp)) {
			i += k;
			continue;
		}
		if (!k)
			k = 1; /* each byte of an ill-formed sequence */
		if (!any) {
			tb_init(&tb, &h->r->arena, n * 3 + 16);
			any = 1;
		}
		tb_copy(&tb, in, done, i - done);
		if (c == '\f')
			tb_replace(&tb, " ", 1, in, i, 1);
		else
			tb_replace(&tb, repl_char, 3, in, i, k);
		i += k;
		done = i;
	}
	if (!any)
		return 0;
	tb_copy(&tb, in, done, n - done);
	tb_finish(&tb, out);
	return 1;
}

/* Scan a start tag's attributes like htmlParseStartTag: from i (just past
 * the name) to end, where the scan stops at '>' or "/>".  Keeps the first
 * max in a (if a), counts all in *count, and sets *cut to where the
 * (max+1)-th begins.  Returns where it stopped. */
/* Does p[i..end) hold a byte of class bits? */
static int any_cls(const char *p, size_t i, size_t end, unsigned bits)
{
	for (; i < end; i++)
		if (ccls[(unsigned char)p[i]] & bits)
			return 1;
	return 0;
}

static int at_tag_end(const char *p, size_t i, size_t end)
{
	return i >= end || p[i] == '>' || (p[i] == '/' && i + 1 < end && p[i + 1] == '>');
}

/* Scan a start tag's attributes like htmlParseStartTag: from i (just past
 * the name) to end, where the scan stops at '>' or "/>".  Keeps the first
 * max in a (if a), counts all in *count, and sets *cut to where the
 * (max+1)-th begins.  Returns where it stopped.  With plain, *plain is
 * cleared unless the attributes are so plain that libxml2 is sure to read
 * them just so: names of letters, digits and : - _ . (starting with a
 * letter, shorter than libxml2's name buffer), each with no value or with
 * = and a value that is quoted (closed, holding no < or >) or unquoted
 * (not empty, without " ' ` < > =), followed by a blank or the end. */
static size_t scan_attrs(const char *p, size_t i, size_t end, hx_attr *a,
                         size_t max, size_t *count, size_t *cut, int *plain)
{
	size_t n = 0;
	for (;;) {
		while (i < end && is_blank((unsigned char)p[i]))
			i++;
		if (at_tag_end(p, i, end))
			break;
		if (!is_name_start((unsigned char)p[i])) {
			/* a bogus attribute: libxml2 skips to a blank or the end */
			if (plain)
				*plain = 0;
			while (i < end && !is_blank((unsigned char)p[i]) && !at_tag_end(p, i, end))
				i++;
			continue;
		}
		if (plain && !is_alpha((unsigned char)p[i]))
			*plain = 0;
		if (n == max && cut)
			*cut = i;
		hx_attr at = { i, 0, 0, 0, 0, 0 };
		size_t k = 0;
		while (i < end && k < 100 && is_name_char((unsigned char)p[i])) {
			i++;
			k++;
		}
		at.nlen = i - at.name;
		if (plain && k >= 100)
			*plain = 0;
		size_t j = i;
		while (j < end && is_blank((unsigned char)p[j]))
			j++;
		if (j < end && p[j] == '=') {
			j++;
			while (j < end && is_blank((unsigned char)p[j]))
				j++;
			at.has_val = 1;
			if (j < end && (p[j] == '"' || p[j] == '\'')) {
				char q = p[j++];
				const char *qe = memchr(p + j, q, end - j);
				size_t ve = qe ? (size_t)(qe - p) : end;
				at.val = j;
				at.vlen = ve - j;
				at.quote = q;
				if (plain && (!qe || any_cls(p, j, ve, C_ANGLE)))
					*plain = 0;
				j = qe ? ve + 1 : end;
			} else {
				at.val = j;
				while (j < end && !is_blank((unsigned char)p[j]) && p[j] != '>')
					j++;
				at.vlen = j - at.val;
				if (plain && (!at.vlen || any_cls(p, at.val, j, C_UQBAD)))
					*plain = 0;
			}
			i = j;
			if (plain && i < end && !is_blank((unsigned char)p[i]) && !at_tag_end(p, i, end))
				*plain = 0;
		}
		if (a && n < max)
			a[n] = at;
		n++;
	}
	*count = n;
	return i;
}

/* Does p[i..end) start with lit, ASCII case-insensitively? */
static int iprefix(const char *p, size_t i, size_t end, const char *lit)
{
	size_t n = strlen(lit);
	if (end - i < n)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (lc((unsigned char)p[i + k]) != lit[k])
			return 0;
	return 1;
}

/* The first "</name" (case-insensitive) in p[i..end), or end. */
static size_t find_close(const char *p, size_t i, size_t end, const char *name)
{
	while (i < end) {
		const char *q = memchr(p + i, '<', end - i);
		if (!q)
			return end;
		i = (size_t)(q - p);
		if (i + 1 < end && p[i + 1] == '/' && iprefix(p, i + 2, end, name))
			return i;
		i++;
	}
	return end;
}

/* The first occurrence of lit in p[i..end), or end.  (One memmem: a
 * memchr for the first byte would stop at every tag for "<!--".) */
static size_t find_lit(const char *p, size_t i, size_t end, const char *lit)
{
	size_t n = strlen(lit);
	if (i >= end || end - i < n)
		return end;
	const char *q = memmem(p + i, end - i, lit, n);
	return q ? (size_t)(q - p) : end;
}

/* Blank the attributes fed[a, b) in the copy libxml2 parses (made at the
 * first), and mark where they start. */
static void feed_blank(hx *h, const sl_text *in, size_t a, size_t b)
{
	if (!h->lib_at) {
		char *lib = arena_alloc(&h->r->arena, in->len + 1);
		memcpy(lib, in->p, in->len);
		lib[in->len] = 0;
		h->lib = lib;
		h->lib_at = arena_zalloc(&h->r->arena, in->len / 8 + 1);
	}
	memset((char *)h->lib + a, ' ', b - a);
	h->lib_at[a / 8] |= (unsigned char)(1u << (a % 8));
}

/* Tags with more attributes than SL_HTML_MAX_ATTRS: the rest of each such
 * tag becomes one space (in *out; with out NULL nothing is changed).
 * Comments and script/style bodies, which libxml2 does not parse as tags,
 * are skipped.  With blank, the attributes of plain tags are blanked in
 * the copy libxml2 parses (feed_blank); that copy is only good when nothing
 * was changed. */
static int feed_attr_guard(hx *h, const sl_text *in, sl_text *out, int blank)
{
	const char *p = in->p;
	size_t n = in->len, i = 0, done = 0;
	sl_tb tb;
	int any = 0;
	while (i < n) {
		const char *q = memchr(p + i, '<', n - i);
		if (!q)
			break;
		i = (size_t)(q - p);
		if (iprefix(p, i, n, "<!--")) {
			size_t e = find_lit(p, i + 4, n, "-->");
			i = e == n ? n : e + 3;
			continue;
		}
		if (i + 1 >= n || !is_alpha((unsigned char)p[i + 1])) {
			i++;
			continue;
		}
		size_t ns = i + 1, k = 0;
		size_t j = ns;
		while (j < n && k < 100 && is_name_char((unsigned char)p[j])) {
			j++;
			k++;
		}
		size_t count = 0, cut = 0;
		int plain = 1;
		size_t stop = scan_attrs(p, j, n, NULL, SL_HTML_MAX_ATTRS, &count, &cut, &plain);
		if (blank && plain && count && count <= SL_HTML_MAX_ATTRS && k < 100 && stop < n)
			feed_blank(h, in, j, stop);
		if (count > SL_HTML_MAX_ATTRS && out) {
			if (!any) {
				tb_init(&tb, &h->r->arena, n + 16);
				any = 1;
				diag_input(h->r, "input/limit-html-attributes", SL_WARNING,
				           text_span(in, i, stop),
				           "more than %zu attributes in one tag; the rest of "
				           "the tag is not checked", SL_HTML_MAX_ATTRS);
			}
			tb_copy(&tb, in, done, cut - done);
			tb_replace(&tb, " ", 1, in, cut, stop - cut);
			done = stop;
		}
		int script = j - ns == 6 && iprefix(p, ns, n, "script");
		int style = j - ns == 5 && iprefix(p, ns, n, "style");
		i = stop;
		if (script || style)
			i = find_close(p, i, n, script ? "script" : "style");
	}
	if (!any)
		return 0;
	tb_copy(&tb, in, done, n - done);
	tb_finish(&tb, out);
	return 1;
}

/* Template-language comments ({# #}, {{!-- --}}, {{! }}) render as
 * nothing wherever they are: recorded as comments and removed before
 * parsing, so their text never reaches a block even when it holds
 * markup.  HTML comments are left whole. */
static int feed_template_comments(hx *h, const sl_text *in, sl_text *out)
{
	static const struct {
		const char *open, *close;
	} kinds[] = { { "{{!--", "--}}" }, { "{{!", "}}" }, { "{#", "#}" } };
	int none[3] = { 0, 0, 0 }; /* no closer after here: stop looking */
	const char *p = in->p;
	size_t n = in->len, i = 0, done = 0;
	sl_tb tb;
	int any = 0;
	size_t lt = find_lit(p, 0, n, "<!--"); /* the next HTML comment */
	while (i < n) {
		if (lt < i)
			lt = find_lit(p, i, n, "<!--");
		const char *q = memchr(p + i, '{', (lt < n ? lt : n) - i);
		if (!q) {
			if (lt == n)
				break;
			size_t e = find_lit(p, lt + 4, n, "-->");
			i = e == n ? n : e + 3;
			continue;
		}
		i = (size_t)(q - p);
		int found = 0;
		/* every opener is "{{!" or "{#" (CSS has many other braces) */
		if (n - i < 3 || !(p[i + 1] == '#' || (p[i + 1] == '{' && p[i + 2] == '!'))) {
			i++;
			continue;
		}
		for (int k = 0; k < 3 && !found; k++) {
			size_t ol = strlen(kinds[k].open);
			if (none[k] || n - i < ol || memcmp(p + i, kinds[k].open, ol))
				continue;
			size_t e = find_lit(p, i + ol, n, kinds[k].close);
			if (e == n) {
				none[k] = 1;
				continue;
			}
			size_t b = e + strlen(kinds[k].close);
			sl_comment *cm = doc_add_comment(h->r);
			sl_str inside = str_trim((sl_str){ p + i + ol, e - i - ol });
			cm->text.p = arena_strndup(&h->r->arena, inside.p, inside.len);
			cm->text.len = inside.len;
			cm->span = text_span(in, i, b);
			cm->part = h->part;
			if (!any) {
				tb_init(&tb, &h->r->arena, n + 16);
				any = 1;
			}
			tb_copy(&tb, in, done, i - done);
			done = i = b;
			found = 1;
		}
		if (!found)
			i++;
	}
	if (!any)
		return 0;
	tb_copy(&tb, in, done, n - done);
	tb_finish(&tb, out);
	return 1;
}

static void feed_prepare(hx *h, const sl_text *html)
{
	sl_text a, b;
	h->fed = *html;
	if (feed_sanitize(h, &h->fed, &a))
		h->fed = a;
	if (feed_template_comments(h, &h->fed, &b))
		h->fed = b;
	if (feed_attr_guard(h, &h->fed, &a, 1)) {
		/* tags were cut: blank again in the new text */
		h->fed = a;
		h->lib_at = NULL;
		feed_attr_guard(h, &h->fed, NULL, 1);
	}
	if (!h->lib_at)
		h->lib = h->fed.p;
	h->p = h->fed.p;
	h->len = h->fed.len;
	h->max = h->len + 64;
	if (h->len >= 3 && !memcmp(h->p, "\xEF\xBB\xBF", 3))
		h->base = 3;
}

/* ---------------------------------------------------------------------
 * Attribute values.
 * ------------------------------------------------------------------- */

/* A character reference libxml2 decodes in attribute values at p[i]
 * (== '&'): its length, and its UTF-8 in out (*outlen); 0 if the '&' is
 * literal. */
static size_t char_ref(const char *p, size_t i, size_t end, char out[4], size_t *outlen)
{
	size_t j = i + 1;
	uint32_t v = 0;
	if (j < end && p[j] == '#') {
		j++;
		int hex = j < end && (p[j] == 'x' || p[j] == 'X');
		if (hex)
			j++;
		size_t d0 = j;
		while (j < end && (hex ? is_xdigit((unsigned char)p[j]) : is_digit((unsigned char)p[j]))) {
			int d = is_digit((unsigned char)p[j]) ? p[j] - '0' : lc((unsigned char)p[j]) - 'a' + 10;
			v = v > 0x110000 ? 0x110000 : v * (hex ? 16 : 10) + (uint32_t)d;
			j++;
		}
		if (j == d0)
			return 0;
		if (j < end && p[j] == ';')
			j++;
		if ((v < 0x20 && v != '\t' && v != '\n' && v != '\r') || v > 0x10FFFF ||
		    (v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE || v == 0xFFFF)
			v = 0xFFFD;
		*outlen = utf8_put1(out, v);
		return j - i;
	}
	char name[33];
	size_t k = 0;
	if (j >= end || !is_alpha((unsigned char)p[j]))
		return 0;
	while (j < end && is_alnum((unsigned char)p[j])) {
		if (k == sizeof name - 1)
			return 0;
		name[k++] = p[j++];
	}
	name[k] = 0;
	if (j >= end || p[j] != ';')
		return 0;
	const htmlEntityDesc *ent = htmlEntityLookup((const xmlChar *)name);
	if (!ent)
		return 0;
	*outlen = utf8_put1(out, ent->value);
	return j + 1 - i;
}

/* The decoded value as a text mapped to the value's bytes. */
static void attr_text(hx *h, const hx_attr *a, sl_text *out)
{
	if (!a->vlen) {
		text_slice(out, &h->r->arena, &h->fed, a->val, a->val);
		return;
	}
	sl_tb tb;
	tb_init(&tb, &h->r->arena, a->vlen + 16);
	size_t i = a->val, end = a->val + a->vlen, done = i;
	while (i < end) {
		const char *q = memchr(h->p + i, '&', end - i);
		if (!q)
			break;
		i = (size_t)(q - h->p);
		char u[4];
		size_t ul, k = char_ref(h->p, i, end, u, &ul);
		if (!k) {
			i++;
			continue;
		}
		tb_copy(&tb, &h->fed, done, i - done);
		tb_replace(&tb, u, ul, &h->fed, i, k);
		i += k;
		done = i;
	}
	tb_copy(&tb, &h->fed, done, end - done);
	tb_finish(&tb, out);
}

/* The decoded value in the scratch buffer (valid until the next call);
 * NULL if the attribute is absent. */
static const char *attr_scratch(hx *h, int id, size_t *len)
{
	*len = 0;
	if (h->ai[id] < 0)
		return NULL;
	const hx_attr *a = &h->attr[h->ai[id]];
	if (h->scratch_alloc < a->vlen + 1) {
		size_t n = h->scratch_alloc ? h->scratch_alloc : 256;
		while (n < a->vlen + 1)
			n *= 2;
		h->scratch = arena_alloc(&h->r->arena, n);
		h->scratch_alloc = n;
	}
	size_t i = a->val, end = a->val + a->vlen, o = 0;
	while (i < end) {
		if (h->p[i] == '&') {
			char u[4];
			size_t ul, k = char_ref(h->p, i, end, u, &ul);
			if (k) {
				/* a reference is never shorter than its UTF-8 */
				memcpy(h->scratch + o, u, ul);
				o += ul;
				i += k;
				continue;
			}
		}
		h->scratch[o++] = h->p[i++];
	}
	h->scratch[o] = 0;
	*len = o;
	return h->scratch;
}

static char *attr_dup(hx *h, int id)
{
	size_t n;
	const char *s = attr_scratch(h, id, &n);
	return s ? arena_strndup(&h->r->arena, s, n) : NULL;
}

/* Does the attribute's value contain lit (ASCII case-insensitive)? */
static int attr_has(hx *h, int id, const char *lit)
{
	size_t n;
	const char *s = attr_scratch(h, id, &n);
	if (!s)
		return 0;
	size_t m = strlen(lit);
	for (size_t i = 0; i + m <= n; i++)
		if (lc((unsigned char)s[i]) == lit[0] && iprefix(s, i, n, lit))
			return 1;
	return 0;
}

static int attr_is(hx *h, int id, const char *lit)
{
	size_t n;
	const char *s = attr_scratch(h, id, &n);
	return s && str_ieq(str_trim((sl_str){ s, n }), lit);
}

/* A width or height attribute: "600", "600px"; -1 for "100%" or junk. */
static long attr_px(hx *h, int id)
{
	size_t n;
	const char *s = attr_scratch(h, id, &n);
	if (!s)
		return -1;
	sl_str v = str_trim((sl_str){ s, n });
	long x = 0;
	size_t i = 0;
	while (i < v.len && is_digit((unsigned char)v.p[i])) {
		if (x < 1000000000L)
			x = x * 10 + (v.p[i] - '0');
		i++;
	}
	if (!i)
		return -1;
	if (i < v.len && !(v.len - i == 2 && str_iprefix((sl_str){ v.p + i, 2 }, "px")))
		return -1;
	return x;
}

/* ---------------------------------------------------------------------
 * Text writers.
 * ------------------------------------------------------------------- */

static void tw_start(hx *h, tw *w)
{
	tb_init(&w->tb, &h->r->arena, h->max);
	if (!w->rb.a)
		buf_init(&w->rb, &h->r->arena, h->max);
	w->on = 1;
	w->pend = 0;
	w->rpend = 0;
}

static void tw_check(hx *h, int rc)
{
	if (rc < 0)
		h->over = 1;
}

/* Emit the pending replacement. */
static void tw_rflush(hx *h, tw *w)
{
	if (!w->rpend)
		return;
	w->rpend = 0;
	tw_check(h, tb_replace(&w->tb, w->rb.p, w->rb.len, w->rsrc, w->r_a, w->r_b - w->r_a));
}

/* Bytes of text so far. */
static size_t tw_len(const tw *w)
{
	return w->on ? w->tb.out.len + (w->rpend ? w->rb.len : 0) : 0;
}

/* A whitespace run src[a, b): pending, unless nothing precedes it. */
static void tw_ws(hx *h, tw *w, const sl_text *src, size_t a, size_t b, int single)
{
	tw_rflush(h, w);
	if (!w->on || w->tb.out.len == 0)
		return;
	if (w->pend) {
		if (w->wsrc == src && a == w->ws_b) {
			w->ws_b = b;
			w->ws_single = 0;
		}
		return;
	}
	w->pend = 1;
	w->wsrc = src;
	w->ws_a = a;
	w->ws_b = b;
	w->ws_single = single;
}

static void tw_space(hx *h, tw *w)
{
	if (!w->pend)
		return;
	w->pend = 0;
	if (w->ws_single)
		tw_check(h, tb_copy(&w->tb, w->wsrc, w->ws_a, 1));
	else
		tw_check(h, tb_replace(&w->tb, " ", 1, w->wsrc, w->ws_a, w->ws_b - w->ws_a));
}

static void tw_copy(hx *h, tw *w, const sl_text *src, size_t off, size_t n)
{
	if (!w->on)
		tw_start(h, w);
	tw_rflush(h, w);
	tw_space(h, w);
	tw_check(h, tb_copy(&w->tb, src, off, n));
}

static void tw_repl(hx *h, tw *w, const char *s, size_t n, const sl_text *src,
                    size_t a, size_t b)
{
	if (!w->on)
		tw_start(h, w);
	if (w->rpend && !w->pend && w->rsrc == src && a == w->r_b) {
		tw_check(h, buf_add(&w->rb, s, n));
		w->r_b = b;
		return;
	}
	tw_rflush(h, w);
	tw_space(h, w);
	w->rb.len = 0;
	tw_check(h, buf_add(&w->rb, s, n));
	w->rpend = 1;
	w->rsrc = src;
	w->r_a = a;
	w->r_b = b;
}

/* Feed src[off, off+n) to one writer, collapsing whitespace. */
static void tw_feed(hx *h, tw *w, const sl_text *src, size_t off, size_t n)
{
	const char *p = src->p;
	size_t i = off, end = off + n;
	while (i < end) {
		size_t j = i + 1;
		if (is_ws((unsigned char)p[i])) {
			while (j < end && is_ws((unsigned char)p[j]))
				j++;
			tw_ws(h, w, src, i, j, j - i == 1 && p[i] == ' ');
		} else {
			for (;;) {
				while (j < end && !is_ws((unsigned char)p[j]))
					j++;
				if (j + 1 < end && p[j] == ' ' && !is_ws((unsigned char)p[j + 1])) {
					j++;
					continue;
				}
				break;
			}
			tw_copy(h, w, src, i, j - i);
		}
		i = j;
	}
}

/* Finish: *out gets the text, or a point at pos of the fed text if the
 * writer got nothing. */
static void tw_finish(hx *h, tw *w, sl_text *out, size_t pos)
{
	tw_rflush(h, w);
	if (w->on) {
		tb_finish(&w->tb, out);
	} else {
		text_slice(out, &h->r->arena, &h->fed, pos, pos);
	}
	w->on = 0;
	w->pend = 0;
}

/* ---------------------------------------------------------------------
 * Finished texts: template comments, preheader padding, blank texts.
 * ------------------------------------------------------------------- */

typedef struct tcut {
	size_t a, b;
} tcut;

/* Rebuild t without the ranges c[0..n) (sorted, disjoint).  With seam, a
 * cut between two words leaves a space mapped to it. */
static void text_cut(hx *h, sl_text *t, const tcut *c, size_t n, int seam)
{
	tw w;
	memset(&w, 0, sizeof w);
	tb_init(&w.tb, &h->r->arena, t->len + 16);
	w.on = 1;
	size_t at = 0;
	for (size_t k = 0; k < n; k++) {
		tw_feed(h, &w, t, at, c[k].a - at);
		if (seam)
			tw_ws(h, &w, t, c[k].a, c[k].b, 0);
		at = c[k].b;
	}
	tw_feed(h, &w, t, at, t->len - at);
	sl_text out;
	tb_finish(&w.tb, &out);
	if (out.len == 0)
		text_slice(&out, &h->r->arena, t, 0, 0);
	*t = out;
}

/* Preview padding: runs of invisible characters and spaces that pad a
 * preheader (&zwnj;&nbsp;..., &#847;...) are cut, leaving a space. */
static void cut_padding(hx *h, sl_text *t)
{
	tcut *c = NULL;
	size_t n = 0, alloc = 0;
	size_t i = 0;
	while (i < t->len) {
		uint32_t cp;
		size_t k = utf8_get(t->p + i, t->len - i, &cp);
		if (!(cp == ' ' || cp_space(cp) || cp_invisible(cp))) {
			i += k;
			continue;
		}
		size_t a = i;
		int inv = 0, spaces = 0;
		while (i < t->len) {
			k = utf8_get(t->p + i, t->len - i, &cp);
			if (cp_invisible(cp))
				inv++;
			else if (cp_space(cp))
				spaces++;
			else if (cp != ' ')
				break;
			i += k;
		}
		if (inv || spaces > 1) {
			if (n == alloc) {
				size_t na = alloc ? alloc * 2 : 4;
				c = arena_grow(&h->r->arena, c, n, na, sizeof *c);
				alloc = na;
			}
			c[n++] = (tcut){ a, i };
		}
	}
	if (n)
		text_cut(h, t, c, n, 1);
}

/* Nothing but spaces and invisible characters? */
static int text_blank(const sl_text *t)
{
	size_t i = 0;
	while (i < t->len) {
		uint32_t cp;
		i += utf8_get(t->p + i, t->len - i, &cp);
		if (!(is_ws((int)cp) || cp_space(cp) || cp_invisible(cp)))
			return 0;
	}
	return 1;
}

/* Where the placeholder opening at i ends ({{ }}, {% %}, {# #}, *| |*,
 * %% %%, ${ }), or i if none does. */
static size_t skip_placeholder(const char *p, size_t i, size_t n)
{
	static const struct { const char *open, *close; } ph[] = {
		{ "{{", "}}" }, { "{%", "%}" }, { "{#", "#}" }, { "*|", "|*" },
		{ "%%", "%%" }, { "${", "}" },
	};
	for (size_t k = 0; k < sizeof ph / sizeof *ph; k++) {
		size_t ol = strlen(ph[k].open);
		if (n - i < ol || memcmp(p + i, ph[k].open, ol))
			continue;
		/* placeholders are short: a lone opener is text (and the search
		 * stops there, so a text of openers stays linear) */
		size_t lim = n - i > 200 ? i + 200 : n;
		size_t e = find_lit(p, i + ol, lim, ph[k].close);
		if (e < lim)
			return e + strlen(ph[k].close);
	}
	return i;
}

/* Text of substance: a letter or digit outside placeholders. */
static int has_substance(const sl_text *t)
{
	size_t i = 0;
	while (i < t->len) {
		size_t e = skip_placeholder(t->p, i, t->len);
		if (e > i) {
			i = e;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_get(t->p + i, t->len - i, &cp);
		if (cp < 0x80 ? is_alnum((int)cp)
		              : !(cp_space(cp) || cp_invisible(cp) || cp == 0xFFFD ||
		                  (cp >= 0x2010 && cp <= 0x206F)))
			return 1;
		i += k;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Blocks, links, the title.
 * ------------------------------------------------------------------- */

static const hx_el *top(const hx *h)
{
	return h->nst ? &h->st[h->nst - 1] : &h->root;
}

static int doc_has_preheader(const sl_result *r)
{
	int i = r->doc.preheader_blk;
	return i >= 0 && (size_t)i < r->doc.nblk && r->doc.blk[i].kind == SL_BLK_PREHEADER;
}

static void flush_now(hx *h)
{
	sl_result *r = h->r;
	h->last_br = 0;
	if (!h->blk.on)
		return;
	sl_text t;
	tw_finish(h, &h->blk, &t, h->pos);
	sl_block_kind kind = h->blk_kind;
	if (kind == SL_BLK_PREHEADER)
		cut_padding(h, &t);
	if (t.len == 0 || text_blank(&t))
		return;
	size_t idx = r->doc.nblk;
	sl_block *b = doc_add_block(r);
	b->kind = kind;
	b->level = h->blk_level;
	b->hidden = h->blk_hidden;
	b->part = h->part;
	b->html = 1;
	b->text = t;
	b->link = -1;
	if (h->blk_link >= 0 && h->blk_link_fresh) {
		if (h->lnk_idx == h->blk_link) {
			/* the link may get more text: decide when it closes */
			h->pend_blk = (int)idx;
			h->pend_link = h->blk_link;
			h->pend_len = tw_len(&h->lnk);
		} else {
			b->link = h->blk_link;
			if (b->link == h->cellbtn_link)
				b->kind = SL_BLK_BUTTON;
		}
	}
	if (kind == SL_BLK_PREHEADER) {
		r->doc.preheader_blk = (int)idx;
		h->pre_done = 1;
	} else if (!b->hidden && !h->substance && has_substance(&t)) {
		h->substance = 1;
	}
}

/* A block boundary.  A link's text spanning blocks gets a space between
 * them. */
static void flush(hx *h)
{
	if (h->lnk.on)
		tw_ws(h, &h->lnk, &h->fed, h->pos, h->pos, 0);
	flush_now(h);
}

static void block_start(hx *h, const hx_el *t)
{
	tw_start(h, &h->blk);
	h->blk_kind = t->kind >= 0 ? (sl_block_kind)t->kind : SL_BLK_PARAGRAPH;
	h->blk_level = t->level;
	h->blk_hidden = t->hidden;
	if (h->pre_el >= 0 && !h->pre_done) {
		/* the first block in the preheader's element */
		h->blk_kind = SL_BLK_PREHEADER;
		h->blk_level = 0;
	}
	h->blk_link = -2;
	h->blk_link_fresh = 0;
}

/* Which writers take text now; with content, start (or split) the block. */
static int route(hx *h, int content)
{
	if (h->stopped)
		return 0;
	if (h->in_title)
		return W_TTL;
	const hx_el *t = top(h);
	if (t->skip)
		return 0;
	int w = W_BLK;
	if (content) {
		if (h->blk.on && h->blk_hidden != t->hidden)
			flush_now(h);
		if (!h->blk.on)
			block_start(h, t);
	} else if (!h->blk.on || h->blk_hidden != t->hidden) {
		w = 0;
	}
	if (h->lnk_idx >= 0 && t->hidden == h->lnk_hidden)
		w |= W_LNK;
	return w;
}

static void track_link(hx *h, int w)
{
	int cur = (w & W_LNK) ? h->lnk_idx : -1;
	if (h->blk_link == -2) {
		h->blk_link = cur;
		h->blk_link_fresh = cur >= 0 && tw_len(&h->lnk) == 0;
	} else if (h->blk_link != cur) {
		h->blk_link = -1;
	}
}

/* Literal text: fed[off, off+n), no whitespace inside but single spaces. */
static void put_text(hx *h, size_t off, size_t n)
{
	int w = route(h, 1);
	if (w & W_TTL)
		tw_copy(h, &h->ttl, &h->fed, off, n);
	if (w & W_BLK) {
		track_link(h, w);
		tw_copy(h, &h->blk, &h->fed, off, n);
		h->last_br = 0;
	}
	if (w & W_LNK)
		tw_copy(h, &h->lnk, &h->fed, off, n);
}

/* Decoded text s standing for fed[a, b). */
static void put_repl(hx *h, const char *s, size_t n, size_t a, size_t b)
{
	int w = route(h, 1);
	if (w & W_TTL)
		tw_repl(h, &h->ttl, s, n, &h->fed, a, b);
	if (w & W_BLK) {
		track_link(h, w);
		tw_repl(h, &h->blk, s, n, &h->fed, a, b);
		h->last_br = 0;
	}
	if (w & W_LNK)
		tw_repl(h, &h->lnk, s, n, &h->fed, a, b);
}

static void put_ws(hx *h, size_t a, size_t b, int single)
{
	int w = route(h, 0);
	if (w & W_TTL)
		tw_ws(h, &h->ttl, &h->fed, a, b, single);
	if (w & W_BLK)
		tw_ws(h, &h->blk, &h->fed, a, b, single);
	if (w & W_LNK)
		tw_ws(h, &h->lnk, &h->fed, a, b, single);
}

/* Literal input fed[off, off+n): split into text and whitespace runs;
 * single spaces between words stay inside one copy. */
static void emit_copy(hx *h, size_t off, size_t n)
{
	const char *p = h->p;
	size_t i = off, end = off + n;
	while (i < end) {
		size_t j = i + 1;
		if (is_ws((unsigned char)p[i])) {
			while (j < end && is_ws((unsigned char)p[j]))
				j++;
			put_ws(h, i, j, j - i == 1 && p[i] == ' ');
		} else {
			for (;;) {
				while (j < end && !is_ws((unsigned char)p[j]))
					j++;
				if (j + 1 < end && p[j] == ' ' && !is_ws((unsigned char)p[j + 1])) {
					j++;
					continue;
				}
				break;
			}
			put_text(h, i, j - i);
		}
		i = j;
	}
}

/* Decoded text s for fed[a, b): its runs all map to the whole range. */
static void emit_repl(hx *h, const char *s, size_t n, size_t a, size_t b)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i + 1;
		if (is_ws((unsigned char)s[i])) {
			while (j < n && is_ws((unsigned char)s[j]))
				j++;
			put_ws(h, a, b, 0);
		} else {
			while (j < n && !is_ws((unsigned char)s[j]))
				j++;
			put_repl(h, s + i, j - i, a, b);
		}
		i = j;
	}
}

static void link_close(hx *h)
{
	if (h->lnk_idx < 0)
		return;
	sl_result *r = h->r;
	int idx = h->lnk_idx;
	size_t len = tw_len(&h->lnk);
	sl_text t;
	tw_finish(h, &h->lnk, &t, h->pos);
	r->doc.link[idx].text = t;
	if (h->pend_link == idx && h->pend_len == len && h->pend_blk >= 0 &&
	    (size_t)h->pend_blk < r->doc.nblk) {
		sl_block *b = &r->doc.blk[h->pend_blk];
		b->link = idx;
		if (idx == h->cellbtn_link)
			b->kind = SL_BLK_BUTTON;
	}
	h->pend_link = h->pend_blk = -1;
	h->lnk_idx = -1;
}

static void title_close(hx *h)
{
	sl_result *r = h->r;
	h->in_title = 0;
	if (!h->ttl.on)
		return;
	sl_text t;
	tw_finish(h, &h->ttl, &t, h->pos);
	if (t.len == 0 || text_blank(&t))
		return;
	if (r->doc.title.len == 0)
		r->doc.title = t;
	sl_block *b = doc_add_block(r);
	b->kind = SL_BLK_TITLE;
	b->part = h->part;
	b->html = 1;
	b->text = t;
	b->link = -1;
}

/* ---------------------------------------------------------------------
 * The element stack.
 * ------------------------------------------------------------------- */

static void style_close(hx *h, const hx_el *e, size_t end)
{
	css_sheet_read(h->r, &h->sheet, h->p + e->tag_end, end > e->tag_end ? end - e->tag_end : 0,
	               text_span(&h->fed, e->tag_off, e->tag_end));
	/* <style> with @import pulls in remote CSS */
	size_t i = e->tag_end;
	while (i < end) {
		const char *q = memchr(h->p + i, '@', end - i);
		if (!q)
			return;
		i = (size_t)(q - h->p);
		if (iprefix(h->p, i, end, "@import")) {
			sl_elem *el = doc_add_elem(h->r);
			el->name = "style";
			el->span = text_span(&h->fed, e->tag_off, e->tag_end);
			el->attrs = "";
			el->part = h->part;
			return;
		}
		i++;
	}
}

static void pop_el(hx *h, size_t end)
{
	hx_el *e = &h->st[--h->nst];
	if (e->link >= 0 && h->lnk_idx == e->link)
		link_close(h);
	if (e->title)
		title_close(h);
	if (e->style)
		style_close(h, e, end);
	if (e->pre) {
		flush_now(h);
		h->pre_el = -1;
	} else if (e->flush) {
		flush(h);
	}
}

/* Pop the elements libxml2 closed without telling (it drops a start tag
 * that has no '>' without an end event). */
static void sync_depth(hx *h, size_t depth, size_t end)
{
	while (h->nst > depth)
		pop_el(h, end);
}

static size_t cur_off(const hx *h)
{
	xmlParserInputPtr in = h->ctxt->input;
	if (!in || !in->cur || !in->base)
		return h->len;
	size_t o = h->base + (size_t)(in->cur - in->base) + (size_t)in->consumed;
	return o > h->len ? h->len : o;
}

/* Did libxml2 read what it was given as the fed text, up to E?  The bytes
 * since the last check must be the fed bytes, but for the attributes of
 * the start tag reported now (name_end: where they start, or (size_t)-1),
 * if they were blanked.  If not, it is stopped: the parse is made again
 * from the fed text (html_extract).  Returns 0 then. */
static int lib_check(hx *h, size_t E, size_t name_end)
{
	size_t v = h->vpos;
	if (h->lib == h->p || E <= v)
		return 1;
	size_t upto = E;
	if (name_end != (size_t)-1 && name_end >= v && name_end < E &&
	    (h->lib_at[name_end / 8] & (1u << (name_end % 8))))
		upto = name_end;
	if (memcmp(h->lib + v, h->p + v, upto - v)) {
		h->diverged = 1;
		xmlStopParser(h->ctxt);
		h->stopped = 1;
		return 0;
	}
	h->vpos = E;
	return 1;
}

static size_t lib_depth(const hx *h)
{
	return h->ctxt->nameNr > 0 ? (size_t)h->ctxt->nameNr : 0;
}

/* The start tag "<name" between the last event and E, or (size_t)-1 if
 * libxml2 implied the element. */
static size_t find_start_tag(const hx *h, const char *name, size_t nlen, size_t E)
{
	size_t i = h->pos;
	while (i < E) {
		const char *q = memchr(h->p + i, '<', E - i);
		if (!q)
			break;
		i = (size_t)(q - h->p);
		if (E - i > nlen) {
			size_t k = 0;
			while (k < nlen && lc((unsigned char)h->p[i + 1 + k]) == name[k])
				k++;
			if (k == nlen && (nlen >= 100 || i + 1 + nlen >= h->len ||
			                  !is_name_char((unsigned char)h->p[i + 1 + nlen])))
				return i;
		}
		i++;
	}
	return (size_t)-1;
}

/* Is the END event at E for a real "</name ...>" right before E? */
static int real_end_tag(const hx *h, const char *name, size_t E)
{
	if (E <= h->pos || E < 2 || h->p[E - 1] != '>')
		return 0;
	size_t lo = E - h->pos > 1024 ? E - 1024 : h->pos;
	size_t i = E - 1;
	while (i > lo) {
		i--;
		if (h->p[i] == '<')
			break;
		if (h->p[i] == '>')
			return 0;
	}
	if (h->p[i] != '<' || i + 1 >= E || h->p[i + 1] != '/')
		return 0;
	size_t nlen = strlen(name);
	if (E - (i + 2) < nlen)
		return 0;
	for (size_t k = 0; k < nlen; k++)
		if (lc((unsigned char)h->p[i + 2 + k]) != name[k])
			return 0;
	return 1;
}

static void push_el(hx *h, const hx_el *e)
{
	if (h->nst == h->stalloc) {
		size_t n = h->stalloc ? h->stalloc * 2 : 64;
		h->st = arena_grow(&h->r->arena, h->st, h->nst, n, sizeof *h->st);
		h->stalloc = n;
	}
	h->st[h->nst++] = *e;
}

static void index_attrs(hx *h)
{
	for (int k = 0; k < A_N; k++)
		h->ai[k] = -1;
	for (size_t i = 0; i < h->nattr; i++) {
		const hx_attr *a = &h->attr[i];
		const char *n = h->p + a->name;
		for (int k = 0; k < A_N; k++) {
			const char *want = attr_tab[k].name;
			if (h->ai[k] >= 0 || a->nlen != attr_tab[k].len || lc((unsigned char)n[0]) != want[0])
				continue;
			size_t j = 1;
			while (j < a->nlen && lc((unsigned char)n[j]) == want[j])
				j++;
			if (j == a->nlen) {
				h->ai[k] = (int)i;
				break;
			}
		}
	}
}

/* A quoted value that holds markup: a closing quote is likely missing
 * (the browser, like libxml2, hides everything up to the next quote). */
static void check_quotes(hx *h)
{
	for (size_t i = 0; i < h->nattr; i++) {
		const hx_attr *a = &h->attr[i];
		if (!a->quote)
			continue;
		for (size_t k = a->val; k + 1 < a->val + a->vlen; k++) {
			if (h->p[k] == '<' && (h->p[k + 1] == '/' || is_alpha((unsigned char)h->p[k + 1]))) {
				diag_input(h->r, "input/html-unclosed-quote", SL_WARNING,
				           text_span(&h->fed, a->val - 1, a->val),
				           "value of attribute '%.*s' runs into markup; a "
				           "closing quote may be missing",
				           (int)(a->nlen > 40 ? 40 : a->nlen), h->p + a->name);
				break;
			}
		}
	}
}

static void add_elem(hx *h, const char *name, const hx_el *e, size_t name_end, size_t attr_end)
{
	sl_elem *el = doc_add_elem(h->r);
	el->name = name;
	el->span = text_span(&h->fed, e->tag_off, e->tag_end);
	sl_str a = str_trim((sl_str){ h->p + name_end, attr_end > name_end ? attr_end - name_end : 0 });
	el->attrs = arena_strndup(&h->r->arena, a.p, a.len);
	el->part = h->part;
}

static void add_image(hx *h, const hx_el *e, const sl_css *css, size_t name_end)
{
	sl_image *im = doc_add_image(h->r);
	im->src = attr_dup(h, A_SRC);
	if (h->ai[A_ALT] >= 0) {
		im->has_alt = 1;
		attr_text(h, &h->attr[h->ai[A_ALT]], &im->alt);
	} else {
		text_slice(&im->alt, &h->r->arena, &h->fed, name_end, name_end);
	}
	im->width = css->width >= 0 ? css->width : attr_px(h, A_WIDTH);
	im->height = css->height >= 0 ? css->height : attr_px(h, A_HEIGHT);
	im->span = text_span(&h->fed, e->tag_off, e->tag_end);
	im->part = h->part;
	im->hidden = e->hidden & ~(SL_HIDE_FONT | SL_HIDE_CONTRAST); /* text styles */
	im->link = h->lnk_idx;
}

/* <br>: a space; two in a row end the block. */
static void on_br(hx *h, const hx_el *e)
{
	if (h->in_title || top(h)->skip)
		return;
	if (h->last_br) {
		flush(h);
		return;
	}
	h->last_br = 1;
	if (e->tag_end > e->tag_off)
		put_ws(h, e->tag_off, e->tag_end, 0);
}

static int is_button_link(hx *h, const sl_css *css)
{
	return attr_is(h, A_ROLE, "button") || attr_has(h, A_CLASS, "btn") ||
	       attr_has(h, A_CLASS, "button") || (css->bg >= 0 && css->padding);
}

static void open_link(hx *h, hx_el *e, const hx_el *parent, const sl_css *css)
{
	link_close(h); /* links do not nest */
	if (is_button_link(h, css)) {
		e->flush = 1;
		e->kind = SL_BLK_BUTTON;
		e->level = 0;
	}
	if (h->ai[A_HREF] < 0)
		return;
	sl_result *r = h->r;
	int idx = (int)r->doc.nlink;
	sl_link *l = doc_add_link(r);
	const hx_attr *a = &h->attr[h->ai[A_HREF]];
	l->href = attr_dup(h, A_HREF);
	l->href_span = text_span(&h->fed, a->val, a->val + a->vlen);
	l->span = text_span(&h->fed, e->tag_off, e->tag_end);
	l->part = h->part;
	l->hidden = e->hidden;
	text_slice(&l->text, &r->arena, &h->fed, e->tag_end, e->tag_end);
	e->link = idx;
	h->lnk_idx = idx;
	h->lnk_hidden = e->hidden;
	if (!e->flush && parent->cellbtn)
		h->cellbtn_link = idx;
}

/* The preheader: an element whose class or id says so, or the first
 * hidden element before any visible text of substance. */
static void preheader_check(hx *h, hx_el *e, int own_hidden)
{
	if (h->pre_el >= 0 || h->pre_done || doc_has_preheader(h->r) || e->skip ||
	    h->in_title || e->svg || (e->ti && (e->ti->flags & T_VOID)) ||
	    e->tag_off == e->tag_end)
		return;
	int named = attr_has(h, A_CLASS, "preheader") || attr_has(h, A_CLASS, "preview") ||
	            attr_has(h, A_ID, "preheader") || attr_has(h, A_ID, "preview");
	if (!named) {
		if (!own_hidden)
			return;
		flush(h);
		if (h->substance)
			return;
	}
	flush(h);
	e->pre = 1;
	h->pre_el = (long)h->nst; /* the index it is about to get */
}

/* Where the start tag of an element libxml2 just opened is, and its
 * attributes (none if it was implied). */
static void locate_tag(hx *h, hx_el *e, size_t nlen, size_t E, size_t *name_end)
{
	size_t lt = find_start_tag(h, (const char *)e->name, nlen, E);
	h->nattr = 0;
	*name_end = E;
	if (lt == (size_t)-1) {
		e->tag_off = e->tag_end = E;
		return;
	}
	e->tag_off = lt;
	*name_end = lt + 1 + nlen;
	e->tag_end = E;
	if (E < h->len && h->p[E] == '>')
		e->tag_end = E + 1;
	else if (E + 1 < h->len && h->p[E] == '/' && h->p[E + 1] == '>')
		e->tag_end = E + 2;
	if (e->tag_end > h->pos)
		h->pos = e->tag_end;
	size_t count;
	scan_attrs(h->p, *name_end, E, h->attr, SL_HTML_MAX_ATTRS, &count, NULL, NULL);
	h->nattr = count < SL_HTML_MAX_ATTRS ? count : SL_HTML_MAX_ATTRS;
}

/* A colour attribute (bgcolor, <font color>), -1 if absent or none. */
static long attr_color(hx *h, int id)
{
	size_t n;
	const char *s = attr_scratch(h, id, &n);
	long c = s ? css_color(s, n) : -1;
	return c < 0 ? -1 : c;
}

/* The element's effective state from its parent's and its attributes;
 * returns whether it hides what its parent showed. */
static int element_state(hx *h, hx_el *e, const hx_el *parent, int sp, sl_css *css)
{
	size_t sn;
	const char *style = attr_scratch(h, A_STYLE, &sn);
	if (style)
		css_inline(style, sn, css);
	const char *cls = h->sheet ? attr_scratch(h, A_CLASS, &sn) : NULL;
	css_sheet_apply(h->sheet, cls, sn, css);
	e->shidden = parent->shidden | (int)css->hide | (h->ai[A_HIDDEN] >= 0 ? SL_HIDE_DISPLAY : 0);
	e->font0 = css->font0 ? css->font0 == 1 : parent->font0;
	long bg = css->bg >= 0 ? css->bg : attr_color(h, A_BGCOLOR);
	long fg = css->color >= 0 ? css->color : sp == S_FONT ? attr_color(h, A_COLOR) :
	          sp == S_A ? 0x0000EEL : -1; /* a link's own colour, not its parent's */
	e->fg = fg >= 0 ? fg : parent->fg;
	e->bg = bg >= 0 ? bg : parent->bg;
	/* text in (nearly) the colour of its background is hidden, until a
	 * descendant changes either; so is text too small to read */
	int low = e->fg >= 0 && e->bg >= 0 &&
	          (e->fg == parent->fg && e->bg == parent->bg ? (parent->hidden & SL_HIDE_CONTRAST) :
	           css_contrast(e->fg, e->bg) < SL_CSS_HIDDEN_CONTRAST);
	e->hidden = e->shidden | (e->font0 ? SL_HIDE_FONT : 0) | (low ? SL_HIDE_CONTRAST : 0);
	e->svg = parent->svg || sp == S_SVG;
	e->skip = parent->skip || (e->ti && (e->ti->flags & T_SKIP)) ||
	          (e->svg && sp == S_TITLE);
	e->kind = parent->kind;
	e->level = parent->level;
	if (e->ti && (e->ti->flags & T_KIND)) {
		/* a paragraph in a quote, list item, ... keeps that kind */
		int strong = parent->kind >= 0 && parent->kind != SL_BLK_CELL &&
		             parent->kind != SL_BLK_PARAGRAPH;
		if (!(e->ti->kind == SL_BLK_PARAGRAPH && strong)) {
			e->kind = (int)e->ti->kind;
			e->level = e->ti->level;
		}
	}
	e->cellbtn = parent->cellbtn;
	if (sp == S_CELL)
		e->cellbtn = bg >= 0 && css->padding;
	e->flush = e->ti && (e->ti->flags & T_BLOCK);
	return e->hidden && !parent->hidden;
}

/* Images, line breaks, notable elements, the title. */
static void element_facts(hx *h, hx_el *e, int sp, const sl_css *css, size_t name_end,
                          size_t attr_end)
{
	if (e->tag_off != e->tag_end) {
		if (sp == S_IMG)
			add_image(h, e, css, name_end);
		else if (sp == S_BR)
			on_br(h, e);
		if (e->ti && (e->ti->flags & T_NOTE))
			add_elem(h, e->ti->name, e, name_end, attr_end);
		else if (sp == S_META && attr_is(h, A_HTTP_EQUIV, "refresh"))
			add_elem(h, "meta", e, name_end, attr_end);
		else if (sp == S_LINK && attr_has(h, A_REL, "stylesheet"))
			add_elem(h, "link", e, name_end, attr_end);
	}
	if (sp == S_TITLE && !e->svg) {
		if (h->in_title)
			title_close(h);
		flush(h);
		e->title = 1;
		h->in_title = 1;
	}
	e->style = sp == S_STYLE;
}

static void on_start(void *ud, const xmlChar *xname, const xmlChar **atts)
{
	hx *h = ud;
	(void)atts; /* our own scan of the tag gives positions too */
	if (h->stopped)
		return;
	size_t E = cur_off(h), depth = lib_depth(h);
	sync_depth(h, depth ? depth - 1 : 0, E);
	/* libxml2 interns names: cache the lookup by pointer */
	size_t slot = (size_t)(((uint64_t)(uintptr_t)xname * 0x9E3779B97F4A7C15ull) >> 58);
	if (h->tcache[slot].name != xname) {
		h->tcache[slot].name = xname;
		h->tcache[slot].ti = tag_lookup((const char *)xname);
		h->tcache[slot].len = strlen((const char *)xname);
	}
	hx_el e;
	memset(&e, 0, sizeof e);
	e.name = xname;
	e.ti = h->tcache[slot].ti;
	e.link = -1;
	int sp = e.ti ? e.ti->special : S_NONE;
	size_t name_end;
	locate_tag(h, &e, h->tcache[slot].len, E, &name_end);
	if (!lib_check(h, E, e.tag_off != e.tag_end ? name_end : (size_t)-1))
		return;
	index_attrs(h);
	if (depth > h->r->lim.html_depth) {
		limit_reached(h->r, "html-depth", h->r->lim.html_depth,
		              text_span(&h->fed, e.tag_off, e.tag_end));
		xmlStopParser(h->ctxt);
		h->stopped = 1;
		return;
	}
	if (h->nattr)
		check_quotes(h);

	const hx_el *parent = top(h);
	sl_css css = { 0, -1, -1, 0, -1, -1, 0, 0, 0 };
	int own_hidden = element_state(h, &e, parent, sp, &css);
	if (sp == S_A)
		open_link(h, &e, parent, &css);
	preheader_check(h, &e, own_hidden);
	if (e.flush)
		flush(h);
	element_facts(h, &e, sp, &css, name_end, E);
	push_el(h, &e);
}

static void on_end(void *ud, const xmlChar *xname)
{
	hx *h = ud;
	if (h->stopped)
		return;
	size_t E = cur_off(h), depth = lib_depth(h);
	if (!lib_check(h, E, (size_t)-1))
		return;
	sync_depth(h, depth, E);
	if (real_end_tag(h, (const char *)xname, E))
		h->pos = E;
	if (h->nst && h->nst == depth)
		pop_el(h, E);
}

/* Is fed[a, b) exactly one character reference ("&#38;", "&#x26",
 * "&amp;")? */
static int is_ref(const char *p, size_t a, size_t b)
{
	if (b - a < 3 || p[a] != '&')
		return 0;
	size_t i = a + 1;
	if (p[i] == '#') {
		i++;
		int hex = i < b && (p[i] == 'x' || p[i] == 'X');
		if (hex)
			i++;
		size_t d0 = i;
		while (i < b && (hex ? is_xdigit((unsigned char)p[i]) : is_digit((unsigned char)p[i])))
			i++;
		if (i == d0)
			return 0;
		return i == b || (i + 1 == b && p[i] == ';');
	}
	if (!is_alpha((unsigned char)p[i]))
		return 0;
	while (i < b && is_alnum((unsigned char)p[i]))
		i++;
	return i + 1 == b && p[i] == ';';
}

static int one_char(const char *s, size_t n)
{
	uint32_t cp;
	return n && n <= 4 && utf8_char((const unsigned char *)s, n, &cp) == n;
}

static void on_chars(void *ud, const xmlChar *xs, int len)
{
	hx *h = ud;
	if (h->stopped || len <= 0)
		return;
	const char *s = (const char *)xs;
	size_t n = (size_t)len, E = cur_off(h), a = h->pos;
	if (!lib_check(h, E, (size_t)-1))
		return;
	sync_depth(h, lib_depth(h), E);
	const char *p = h->p;
	/* stray end tags libxml2 dropped without an event */
	size_t a2 = a;
	while (a2 + 1 < E && p[a2] == '<' && p[a2 + 1] == '/') {
		const char *gt = memchr(p + a2, '>', E - a2);
		if (!gt)
			break;
		a2 = (size_t)(gt - p) + 1;
	}
	if (a2 < E && p[a2] == '&' && one_char(s, n) && is_ref(p, a2, E)) {
		/* a character reference, decoded */
		emit_repl(h, s, n, a2, E);
		h->pos = E;
	} else if (n == 1 && (s[0] == '&' || s[0] == '<') && a2 < h->len && p[a2] == s[0]) {
		/* a literal '&' or '<' libxml2 reports on its own */
		emit_copy(h, a2, 1);
		h->pos = a2 + 1;
	} else if (E >= a + n && !memcmp(p + E - n, s, n)) {
		emit_copy(h, E - n, n);
		h->pos = E;
	} else if (a2 + n <= h->len && !memcmp(p + a2, s, n)) {
		emit_copy(h, a2, n);
		h->pos = a2 + n;
	} else {
		size_t b = E > a ? E : a;
		emit_repl(h, s, n, a, b);
		h->pos = b;
	}
}

static void on_comment(void *ud, const xmlChar *value)
{
	hx *h = ud;
	if (h->stopped)
		return;
	size_t E = cur_off(h);
	if (!lib_check(h, E, (size_t)-1))
		return;
	sync_depth(h, lib_depth(h), E);
	size_t lt = find_lit(h->p, h->pos, E, "<!--");
	if (lt == E)
		lt = h->pos < E ? h->pos : E;
	const char *v = (const char *)value;
	sl_str in = str_trim((sl_str){ v, v ? strlen(v) : 0 });
	sl_comment *c = doc_add_comment(h->r);
	c->text.p = arena_strndup(&h->r->arena, in.p, in.len);
	c->text.len = in.len;
	c->span = text_span(&h->fed, lt, E);
	c->part = h->part;
	if (E > h->pos)
		h->pos = E;
}

/* script and style bodies */
static void on_cdata(void *ud, const xmlChar *s, int len)
{
	hx *h = ud;
	(void)s;
	(void)len;
	if (h->stopped)
		return;
	size_t E = cur_off(h);
	if (!lib_check(h, E, (size_t)-1))
		return;
	sync_depth(h, lib_depth(h), E);
	if (E > h->pos)
		h->pos = E;
}

/* libxml2's error reports go nowhere (the library never prints); end
 * tags that close nothing are counted, for each costs libxml2 a scan of
 * its stack. */
static void on_error(void *ud, xmlErrorPtr err)
{
	hx *h = ud;
	if (!h || h->stopped || !err || err->code != XML_ERR_TAG_NAME_MISMATCH)
		return;
	size_t E = cur_off(h);
	if (!lib_check(h, E, (size_t)-1))
		return;
	if (++h->stray <= SL_HTML_MAX_STRAY_END)
		return;
	limit_reached(h->r, "html-stray-end-tags", SL_HTML_MAX_STRAY_END,
	              text_span(&h->fed, E, E));
	xmlStopParser(h->ctxt);
	h->stopped = 1;
}

static int comment_cmp(const void *a, const void *b)
{
	const sl_comment *x = a, *y = b;
	return x->span.off < y->span.off ? -1 : x->span.off > y->span.off;
}

/* An unclosed comment swallowed the rest: nothing after it is shown. */
static void check_unclosed_comment(hx *h)
{
	size_t lt = find_lit(h->p, h->pos, h->len, "<!--");
	if (lt == h->len || find_lit(h->p, lt + 4, h->len, "-->") != h->len)
		return;
	diag_input(h->r, "input/html-unclosed-comment", SL_WARNING,
	           text_span(&h->fed, lt, lt + 4),
	           "comment is never closed; everything after it is hidden");
}

/* A fresh state for a part. */
static hx *hx_new(sl_result *r, int part)
{
	hx *h = arena_zalloc(&r->arena, sizeof *h);
	h->r = r;
	h->part = part;
	h->root.fg = h->root.bg = -1;
	h->root.kind = -1;
	h->root.link = -1;
	h->lnk_idx = h->pend_blk = h->pend_link = h->cellbtn_link = -1;
	h->pre_el = -1;
	h->pre_done = doc_has_preheader(r);
	h->first_comment = r->doc.ncomment;
	return h;
}

/* What a parse adds to the result, to take it back. */
typedef struct doc_mark {
	size_t nblk, nlink, nimg, nelem, ncomment, ndiag, dropped;
	sl_text title;
	int preheader_blk;
} doc_mark;

static doc_mark doc_mark_get(const sl_result *r)
{
	const sl_doc *d = &r->doc;
	return (doc_mark){ d->nblk, d->nlink, d->nimg, d->nelem, d->ncomment,
	                   r->ndiag, r->dropped, d->title, d->preheader_blk };
}

static void doc_mark_restore(sl_result *r, const doc_mark *m)
{
	sl_doc *d = &r->doc;
	d->nblk = m->nblk;
	d->nlink = m->nlink;
	d->nimg = m->nimg;
	d->nelem = m->nelem;
	d->ncomment = m->ncomment;
	d->title = m->title;
	d->preheader_blk = m->preheader_blk;
	r->ndiag = m->ndiag;
	r->dropped = m->dropped;
}

/* Run libxml2 over buf (h->lib or h->p) and build the part's facts from
 * its events. */
static void parse(hx *h, const char *buf)
{
	sl_result *r = h->r;
	htmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.startElement = on_start;
	sax.endElement = on_end;
	sax.characters = on_chars;
	sax.ignorableWhitespace = on_chars;
	sax.comment = on_comment;
	sax.cdataBlock = on_cdata;
	sax.initialized = XML_SAX2_MAGIC;
	sax.serror = on_error;

	htmlParserCtxtPtr ctxt = htmlCreateMemoryParserCtxt(buf + h->base,
	                                                    (int)(h->len - h->base));
	if (!ctxt) {
		if (r->arena.oom)
			longjmp(*r->arena.oom, 1);
		return;
	}
	memcpy(ctxt->sax, &sax, sizeof sax);
	ctxt->userData = h;
	htmlCtxtUseOptions(ctxt, HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC |
	                         HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
	                         HTML_PARSE_NOWARNING);
	xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
	h->ctxt = ctxt;
	h->pos = h->vpos = h->base;
	htmlParseDocument(ctxt);
	if (!h->stopped)
		lib_check(h, h->len, (size_t)-1);
	if (!h->diverged) {
		sync_depth(h, 0, h->len);
		link_close(h);
		if (h->in_title)
			title_close(h);
		h->pre_el = -1;
		flush_now(h);
		if (!h->stopped)
			check_unclosed_comment(h);
	}
	h->ctxt = NULL;
	htmlFreeParserCtxt(ctxt);
}

void html_extract(sl_result *r, const sl_text *html, int part)
{
	if (!html || html->len == 0)
		return;
	xmlInitParser();
	hx *h = hx_new(r, part);
	feed_prepare(h, html);
	if (h->len - h->base > (size_t)INT_MAX) {
		limit_reached(r, "decoded-size", r->lim.decoded_size, text_whole(html));
		return;
	}
	doc_mark m = doc_mark_get(r);
	/* nothing left (a template of comments only): libxml2 takes no
	 * empty input */
	if (h->len > h->base)
		parse(h, h->lib);
	if (h->diverged) {
		/* libxml2 did not read the blanked copy as the fed text: take
		 * back what it gave and parse the fed text itself */
		doc_mark_restore(r, &m);
		hx *g = hx_new(r, part);
		g->first_comment = h->first_comment;
		g->fed = h->fed;
		g->lib = g->p = h->p;
		g->len = h->len;
		g->base = h->base;
		g->max = h->max;
		h = g;
		parse(h, h->p);
	}

	if (h->over)
		limit_reached(r, "decoded-size", r->lim.decoded_size, text_whole(html));
	if (r->doc.ncomment - h->first_comment > 1)
		qsort(r->doc.comment + h->first_comment, r->doc.ncomment - h->first_comment,
		      sizeof *r->doc.comment, comment_cmp);
}
