/*
 * html_style.c - the little CSS the HTML stage needs: an element's inline
 * style declarations, colour values and their contrast, and the class
 * rules of <style> blocks that hide or show.
 *
 * In: the (entity-decoded) text of a style attribute, one colour value,
 * or the text of a <style> element.  Out: an sl_css (hidden or not and
 * why, font size too small to read, colour, background colour, padding,
 * width and height in px), a colour as 0xRRGGBB, a WCAG 2 contrast ratio,
 * or an sl_sheet: one entry per class named by a simple selector (.name,
 * tag.name) whose unconditional rules hide (SL_HIDE_* bits, a tiny font)
 * or whose rules inside @media show (so the element is content for some
 * screens, SL_HIDE_RESPONSIVE, not hidden text).  Only the sheet is
 * allocated (in the result's arena), at most SL_CSS_SHEET_MAX classes per
 * part (then input/limit-style-classes).  Every loop is bounded by the
 * length given; a <style> text is read in linear time (one level of
 * @media; other at-rules and nested blocks are skipped whole); numbers
 * are clamped.
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

static int lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_sp(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lc(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static sl_str trim(const char *s, size_t n)
{
	return str_trim((sl_str){ s, n });
}

/* --- numbers and lengths --------------------------------------------- */

/* A CSS number with its unit, e.g. "-9999px", ".5em", "0", "100%". */
typedef struct css_num {
	int ok;
	double v;
	char unit[8];          /* lower-case; "" for none, "%" for percent */
} css_num;

static css_num parse_num(sl_str s)
{
	css_num n = { 0, 0, "" };
	size_t i = 0;
	int neg = 0, digits = 0;
	double v = 0, scale = 0.1;
	if (i < s.len && (s.p[i] == '-' || s.p[i] == '+'))
		neg = s.p[i++] == '-';
	while (i < s.len && is_digit(s.p[i])) {
		if (v < 1e9)
			v = v * 10 + (s.p[i] - '0');
		i++;
		digits++;
	}
	if (i < s.len && s.p[i] == '.') {
		i++;
		while (i < s.len && is_digit(s.p[i])) {
			v += (s.p[i] - '0') * scale;
			scale /= 10;
			i++;
			digits++;
		}
	}
	if (!digits)
		return n;
	size_t u = 0;
	while (i < s.len && u + 1 < sizeof n.unit &&
	       ((lc(s.p[i]) >= 'a' && lc(s.p[i]) <= 'z') || s.p[i] == '%'))
		n.unit[u++] = (char)lc(s.p[i++]);
	n.unit[u] = 0;
	while (i < s.len && is_sp(s.p[i]))
		i++;
	if (i != s.len)
		return n; /* "0 auto", "calc(...)": not one number */
	n.ok = 1;
	n.v = neg ? -v : v;
	return n;
}

static int is_zero(sl_str s)
{
	css_num n = parse_num(s);
	return n.ok && n.v == 0;
}

/* A length far off-screen: text-indent:-9999px, left:-5000px, ... */
static int off_screen(sl_str s)
{
	css_num n = parse_num(s);
	if (!n.ok || n.v >= 0)
		return 0;
	if (!n.unit[0] || !strcmp(n.unit, "px") || !strcmp(n.unit, "pt"))
		return n.v <= -999;
	if (!strcmp(n.unit, "em") || !strcmp(n.unit, "rem") || !strcmp(n.unit, "ex") ||
	    !strcmp(n.unit, "ch"))
		return n.v <= -60;
	if (!strcmp(n.unit, "%") || !strcmp(n.unit, "vw") || !strcmp(n.unit, "vh"))
		return n.v <= -100;
	return 0;
}

/* A length in px (or unitless), rounded; -1 otherwise. */
static long px(sl_str s)
{
	css_num n = parse_num(s);
	if (!n.ok || n.v < 0 || (n.unit[0] && strcmp(n.unit, "px")))
		return -1;
	return (long)(n.v + 0.5);
}

/* --- colours --------------------------------------------------------- */

static const struct named {
	const char *name;
	long rgb;
} named_colors[] = {
	{ "aliceblue", 0xf0f8ff }, { "antiquewhite", 0xfaebd7 }, { "aqua", 0x00ffff },
	{ "aquamarine", 0x7fffd4 }, { "azure", 0xf0ffff }, { "beige", 0xf5f5dc },
	{ "bisque", 0xffe4c4 }, { "black", 0x000000 }, { "blanchedalmond", 0xffebcd },
	{ "blue", 0x0000ff }, { "blueviolet", 0x8a2be2 }, { "brown", 0xa52a2a },
	{ "burlywood", 0xdeb887 }, { "cadetblue", 0x5f9ea0 }, { "chartreuse", 0x7fff00 },
	{ "chocolate", 0xd2691e }, { "coral", 0xff7f50 }, { "cornflowerblue", 0x6495ed },
	{ "cornsilk", 0xfff8dc }, { "crimson", 0xdc143c }, { "cyan", 0x00ffff },
	{ "darkblue", 0x00008b }, { "darkcyan", 0x008b8b }, { "darkgoldenrod", 0xb8860b },
	{ "darkgray", 0xa9a9a9 }, { "darkgreen", 0x006400 }, { "darkgrey", 0xa9a9a9 },
	{ "darkkhaki", 0xbdb76b }, { "darkmagenta", 0x8b008b }, { "darkolivegreen", 0x556b2f },
	{ "darkorange", 0xff8c00 }, { "darkorchid", 0x9932cc }, { "darkred", 0x8b0000 },
	{ "darksalmon", 0xe9967a }, { "darkseagreen", 0x8fbc8f }, { "darkslateblue", 0x483d8b },
	{ "darkslategray", 0x2f4f4f }, { "darkslategrey", 0x2f4f4f }, { "darkturquoise", 0x00ced1 },
	{ "darkviolet", 0x9400d3 }, { "deeppink", 0xff1493 }, { "deepskyblue", 0x00bfff },
	{ "dimgray", 0x696969 }, { "dimgrey", 0x696969 }, { "dodgerblue", 0x1e90ff },
	{ "firebrick", 0xb22222 }, { "floralwhite", 0xfffaf0 }, { "forestgreen", 0x228b22 },
	{ "fuchsia", 0xff00ff }, { "gainsboro", 0xdcdcdc }, { "ghostwhite", 0xf8f8ff },
	{ "gold", 0xffd700 }, { "goldenrod", 0xdaa520 }, { "gray", 0x808080 },
	{ "green", 0x008000 }, { "greenyellow", 0xadff2f }, { "grey", 0x808080 },
	{ "honeydew", 0xf0fff0 }, { "hotpink", 0xff69b4 }, { "indianred", 0xcd5c5c },
	{ "indigo", 0x4b0082 }, { "ivory", 0xfffff0 }, { "khaki", 0xf0e68c },
	{ "lavender", 0xe6e6fa }, { "lavenderblush", 0xfff0f5 }, { "lawngreen", 0x7cfc00 },
	{ "lemonchiffon", 0xfffacd }, { "lightblue", 0xadd8e6 }, { "lightcoral", 0xf08080 },
	{ "lightcyan", 0xe0ffff }, { "lightgoldenrodyellow", 0xfafad2 }, { "lightgray", 0xd3d3d3 },
	{ "lightgreen", 0x90ee90 }, { "lightgrey", 0xd3d3d3 }, { "lightpink", 0xffb6c1 },
	{ "lightsalmon", 0xffa07a }, { "lightseagreen", 0x20b2aa }, { "lightskyblue", 0x87cefa },
	{ "lightslategray", 0x778899 }, { "lightslategrey", 0x778899 }, { "lightsteelblue", 0xb0c4de },
	{ "lightyellow", 0xffffe0 }, { "lime", 0x00ff00 }, { "limegreen", 0x32cd32 },
	{ "linen", 0xfaf0e6 }, { "magenta", 0xff00ff }, { "maroon", 0x800000 },
	{ "mediumaquamarine", 0x66cdaa }, { "mediumblue", 0x0000cd }, { "mediumorchid", 0xba55d3 },
	{ "mediumpurple", 0x9370db }, { "mediumseagreen", 0x3cb371 }, { "mediumslateblue", 0x7b68ee },
	{ "mediumspringgreen", 0x00fa9a }, { "mediumturquoise", 0x48d1cc },
	{ "mediumvioletred", 0xc71585 }, { "midnightblue", 0x191970 }, { "mintcream", 0xf5fffa },
	{ "mistyrose", 0xffe4e1 }, { "moccasin", 0xffe4b5 }, { "navajowhite", 0xffdead },
	{ "navy", 0x000080 }, { "oldlace", 0xfdf5e6 }, { "olive", 0x808000 },
	{ "olivedrab", 0x6b8e23 }, { "orange", 0xffa500 }, { "orangered", 0xff4500 },
	{ "orchid", 0xda70d6 }, { "palegoldenrod", 0xeee8aa }, { "palegreen", 0x98fb98 },
	{ "paleturquoise", 0xafeeee }, { "palevioletred", 0xdb7093 }, { "papayawhip", 0xffefd5 },
	{ "peachpuff", 0xffdab9 }, { "peru", 0xcd853f }, { "pink", 0xffc0cb },
	{ "plum", 0xdda0dd }, { "powderblue", 0xb0e0e6 }, { "purple", 0x800080 },
	{ "rebeccapurple", 0x663399 }, { "red", 0xff0000 }, { "rosybrown", 0xbc8f8f },
	{ "royalblue", 0x4169e1 }, { "saddlebrown", 0x8b4513 }, { "salmon", 0xfa8072 },
	{ "sandybrown", 0xf4a460 }, { "seagreen", 0x2e8b57 }, { "seashell", 0xfff5ee },
	{ "sienna", 0xa0522d }, { "silver", 0xc0c0c0 }, { "skyblue", 0x87ceeb },
	{ "slateblue", 0x6a5acd }, { "slategray", 0x708090 }, { "slategrey", 0x708090 },
	{ "snow", 0xfffafa }, { "springgreen", 0x00ff7f }, { "steelblue", 0x4682b4 },
	{ "tan", 0xd2b48c }, { "teal", 0x008080 }, { "thistle", 0xd8bfd8 },
	{ "tomato", 0xff6347 }, { "turquoise", 0x40e0d0 }, { "violet", 0xee82ee },
	{ "wheat", 0xf5deb3 }, { "white", 0xffffff }, { "whitesmoke", 0xf5f5f5 },
	{ "yellow", 0xffff00 }, { "yellowgreen", 0x9acd32 },
};

static int named_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct named *)elem)->name);
}

static long color_named(sl_str s)
{
	char buf[24];
	if (s.len == 0 || s.len >= sizeof buf)
		return -1;
	for (size_t i = 0; i < s.len; i++)
		buf[i] = (char)lc((unsigned char)s.p[i]);
	buf[s.len] = 0;
	if (!strcmp(buf, "transparent"))
		return SL_CSS_TRANSPARENT;
	const struct named *n = bsearch(buf, named_colors,
	                                sizeof named_colors / sizeof *named_colors,
	                                sizeof *named_colors, named_cmp);
	return n ? n->rgb : -1;
}

/* n hex digits (3, 4, 6 or 8) as 0xRRGGBB, or -1; alpha 0 is transparent. */
static long color_hex(const char *p, size_t n)
{
	int d[8];
	if (n != 3 && n != 4 && n != 6 && n != 8)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((d[i] = hexval((unsigned char)p[i])) < 0)
			return -1;
	if (n <= 4) {
		if (n == 4 && d[3] == 0)
			return SL_CSS_TRANSPARENT;
		return (long)(d[0] * 17) << 16 | (long)(d[1] * 17) << 8 | (long)(d[2] * 17);
	}
	if (n == 8 && d[6] == 0 && d[7] == 0)
		return SL_CSS_TRANSPARENT;
	return (long)(d[0] << 4 | d[1]) << 16 | (long)(d[2] << 4 | d[3]) << 8 |
	       (long)(d[4] << 4 | d[5]);
}

/* One channel of rgb(): "255", "100%", "12.5". */
static int channel(sl_str s, long *out)
{
	css_num n = parse_num(s);
	if (!n.ok)
		return 0;
	double v = n.v;
	if (!strcmp(n.unit, "%"))
		v = v * 255 / 100;
	else if (n.unit[0])
		return 0;
	if (v < 0)
		v = 0;
	if (v > 255)
		v = 255;
	*out = (long)(v + 0.5);
	return 1;
}

/* rgb(r, g, b), rgba(r, g, b, a), rgb(r g b / a) */
static long color_rgb(sl_str s)
{
	size_t i = 0;
	while (i < s.len && s.p[i] != '(')
		i++;
	if (i == s.len || s.p[s.len - 1] != ')')
		return -1;
	sl_str in = { s.p + i + 1, s.len - i - 2 };
	sl_str part[4];
	size_t np = 0, start = 0;
	for (size_t k = 0; k <= in.len && np < 4; k++) {
		int sep = k == in.len || in.p[k] == ',' || in.p[k] == '/' || is_sp(in.p[k]);
		if (!sep)
			continue;
		if (k > start)
			part[np++] = (sl_str){ in.p + start, k - start };
		start = k + 1;
	}
	if (np < 3)
		return -1;
	long c[3];
	for (int k = 0; k < 3; k++)
		if (!channel(part[k], &c[k]))
			return -1;
	if (np == 4 && is_zero(part[3]))
		return SL_CSS_TRANSPARENT;
	return c[0] << 16 | c[1] << 8 | c[2];
}

long css_color(const char *s, size_t n)
{
	sl_str v = trim(s, n);
	if (v.len == 0)
		return -1;
	if (v.p[0] == '#')
		return color_hex(v.p + 1, v.len - 1);
	if (str_iprefix(v, "rgb"))
		return color_rgb(v);
	long c = color_named(v);
	if (c == -1 && v.len == 6)
		c = color_hex(v.p, 6); /* legacy bgcolor="ffffff" */
	return c;
}

/* The first colour among the words of a background shorthand. */
static long background_color(sl_str v)
{
	size_t i = 0;
	while (i < v.len) {
		while (i < v.len && is_sp(v.p[i]))
			i++;
		size_t start = i;
		int depth = 0;
		while (i < v.len && (depth || !is_sp(v.p[i]))) {
			if (v.p[i] == '(')
				depth++;
			else if (v.p[i] == ')' && depth)
				depth--;
			i++;
		}
		if (i > start) {
			long c = css_color(v.p + start, i - start);
			if (c != -1)
				return c;
		}
	}
	return -1;
}

/* --- declarations ---------------------------------------------------- */

typedef struct css_flags {
	int none, invisible, font0, opacity0, mso, box0, overflow, indent, positioned, offset;
	int tiny;              /* font-size 0 or 1px */
	int font;              /* font-size set */
	int shows;             /* see sl_css.shows */
} css_flags;

/* A font size too small to read: 0, or at most 1px or 1pt. */
static int tiny_font(sl_str s)
{
	css_num n = parse_num(s);
	if (!n.ok || n.v < 0)
		return 0;
	if (n.v == 0)
		return 1;
	return (!strcmp(n.unit, "px") || !strcmp(n.unit, "pt")) && n.v <= 1;
}

static void declaration(sl_str prop, sl_str val, sl_css *out, css_flags *f)
{
	/* the property, lower-cased; longer ones are none of ours */
	char pn[24];
	if (prop.len == 0 || prop.len >= sizeof pn)
		return;
	for (size_t i = 0; i < prop.len; i++)
		pn[i] = (char)lc((unsigned char)prop.p[i]);
	pn[prop.len] = 0;
	/* drop "!important" */
	for (size_t i = val.len; i-- > 0;) {
		if (val.p[i] == '!') {
			val = trim(val.p, i);
			break;
		}
	}
#define P(name) (!strcmp(pn, name))
#define V(name) str_ieq(val, name)
	switch (pn[0]) {
	case 'b':
		if (P("background-color"))
			out->bg = css_color(val.p, val.len);
		else if (P("background"))
			out->bg = background_color(val);
		break;
	case 'c':
		if (P("color"))
			out->color = css_color(val.p, val.len);
		break;
	case 'd':
		if (P("display")) {
			f->none = V("none");
			f->shows |= !f->none;
		}
		break;
	case 'f':
		if (P("font-size")) {
			f->font0 = is_zero(val);
			f->tiny = tiny_font(val);
			f->font = 1;
			f->shows |= !f->tiny;
		}
		break;
	case 'h':
	case 'm':
	case 'w':
		if (P("max-height") || P("height") || P("max-width") || P("width")) {
			if (is_zero(val))
				f->box0 = 1;
			else if (P("max-height") || P("height"))
				f->shows = 1;
			if (P("width"))
				out->width = px(val);
			else if (P("height"))
				out->height = px(val);
		} else if (P("mso-hide")) {
			f->mso = V("all");
		}
		break;
	case 'l':
		if (P("left") && off_screen(val))
			f->offset = 1;
		break;
	case 'o':
		if (P("opacity")) {
			f->opacity0 = is_zero(val);
			f->shows |= !f->opacity0;
		}
		else if ((P("overflow") || P("overflow-x") || P("overflow-y")) &&
		         (V("hidden") || V("clip")))
			f->overflow = 1;
		break;
	case 'p':
		if (P("position"))
			f->positioned = V("absolute") || V("fixed");
		else if (!strncmp(pn, "padding", 7) && !is_zero(val))
			out->padding = 1;
		break;
	case 't':
		if (P("text-indent"))
			f->indent = off_screen(val);
		else if (P("top") && off_screen(val))
			f->offset = 1;
		break;
	case 'v':
		if (P("visibility")) {
			f->invisible = V("hidden") || V("collapse");
			f->shows |= V("visible");
		}
		break;
	}
#undef P
#undef V
}

void css_inline(const char *s, size_t n, sl_css *out)
{
	css_flags f;
	memset(&f, 0, sizeof f);
	out->hidden = 0;
	out->color = out->bg = -1;
	out->padding = 0;
	out->width = out->height = -1;
	out->hide = 0;
	out->font0 = 0;
	out->shows = 0;
	size_t i = 0;
	while (i < n) {
		/* one declaration: up to ';' outside parentheses and quotes */
		size_t start = i, colon = (size_t)-1;
		int depth = 0;
		char quote = 0;
		for (; i < n; i++) {
			char c = s[i];
			if (quote) {
				if (c == quote)
					quote = 0;
			} else if (c == '"' || c == '\'') {
				quote = c;
			} else if (c == '(') {
				depth++;
			} else if (c == ')' && depth) {
				depth--;
			} else if (c == ':' && colon == (size_t)-1) {
				colon = i;
			} else if (c == ';' && !depth) {
				break;
			}
		}
		if (colon != (size_t)-1)
			declaration(trim(s + start, colon - start),
			            trim(s + colon + 1, i - colon - 1), out, &f);
		i++; /* past ';' */
	}
	int transparent = out->color == SL_CSS_TRANSPARENT;
	if (transparent)
		out->color = -1;
	if (out->bg == SL_CSS_TRANSPARENT)
		out->bg = -1;
	out->hidden = f.none || f.invisible || transparent || f.font0 || f.opacity0 || f.mso ||
	              (f.box0 && f.overflow) || f.indent || (f.positioned && f.offset);
	if (f.none || f.invisible || f.opacity0 || (f.box0 && f.overflow))
		out->hide |= SL_HIDE_DISPLAY;
	else if (f.mso)
		out->hide |= SL_HIDE_RESPONSIVE; /* hidden from Outlook only */
	if (f.indent || (f.positioned && f.offset))
		out->hide |= SL_HIDE_OFFSCREEN;
	if (transparent)
		out->hide |= SL_HIDE_CONTRAST;
	out->font0 = f.font ? (f.tiny ? 1 : 2) : 0;
	out->shows = f.shows;
}

/* --- contrast ---------------------------------------------------------- */

/* One sRGB channel (0-255) as linear light (WCAG 2 relative luminance). */
static double linear(long c)
{
	double v = (double)c / 255.0;
	return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double luminance(long rgb)
{
	return 0.2126 * linear((rgb >> 16) & 0xff) + 0.7152 * linear((rgb >> 8) & 0xff) +
	       0.0722 * linear(rgb & 0xff);
}

double css_contrast(long fg, long bg)
{
	double a = luminance(fg), b = luminance(bg);
	return a > b ? (a + 0.05) / (b + 0.05) : (b + 0.05) / (a + 0.05);
}

/* --- class rules of <style> blocks ------------------------------------- */

typedef struct sheet_rule {
	const char *name;      /* lower-case (class names are matched ASCII
	                          case-insensitively, as quirks mode does) */
	size_t len;
	unsigned hide;         /* SL_HIDE_* of unconditional rules */
	int font0;             /* an unconditional rule sets a tiny font-size */
	int shows;             /* an @media rule undoes hiding */
} sheet_rule;

struct sl_sheet {
	sheet_rule *rule;      /* sorted by name */
	size_t n, alloc;
	int full;
};

/* Class names longer than this are none of ours. */
#define CLASS_MAX 64

typedef struct creader {
	sl_result *r;
	sl_sheet **sh;
	const char *s;
	sl_span at;
} creader;

static int is_ident(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' ||
	       c == '_' || c >= 0x80;
}

/* Compare a stored (lower-case) name with p[0..n), ASCII case-insensitively. */
static int name_cmp(const sheet_rule *r, const char *p, size_t n)
{
	size_t k = r->len < n ? r->len : n;
	for (size_t i = 0; i < k; i++) {
		int a = (unsigned char)r->name[i], b = lc((unsigned char)p[i]);
		if (a != b)
			return a - b;
	}
	return r->len < n ? -1 : r->len > n;
}

/* The index of the rule for class p[0..n), or where it would go (*found 0). */
static size_t sheet_find(const sl_sheet *sh, const char *p, size_t n, int *found)
{
	size_t lo = 0, hi = sh->n;
	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(&sh->rule[mid], p, n);
		if (!c) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void sheet_add(creader *c, const char *p, size_t n, unsigned hide, int font0, int shows)
{
	if (!*c->sh)
		*c->sh = arena_zalloc(&c->r->arena, sizeof **c->sh);
	sl_sheet *sh = *c->sh;
	int found;
	size_t at = sheet_find(sh, p, n, &found);
	if (found) {
		sh->rule[at].hide |= hide;
		sh->rule[at].font0 |= font0;
		sh->rule[at].shows |= shows;
		return;
	}
	if (sh->n >= SL_CSS_SHEET_MAX) {
		if (!sh->full) {
			sh->full = 1;
			limit_reached(c->r, "style-classes", SL_CSS_SHEET_MAX, c->at);
		}
		return;
	}
	if (sh->n == sh->alloc) {
		size_t na = sh->alloc ? sh->alloc * 2 : 8;
		sh->rule = arena_grow(&c->r->arena, sh->rule, sh->n, na, sizeof *sh->rule);
		sh->alloc = na;
	}
	memmove(sh->rule + at + 1, sh->rule + at, (sh->n - at) * sizeof *sh->rule);
	sh->n++;
	char *name = arena_strndup(&c->r->arena, p, n);
	for (size_t i = 0; i < n; i++)
		name[i] = (char)lc((unsigned char)name[i]);
	sh->rule[at] = (sheet_rule){ name, n, hide, font0, shows };
}

/* Past white space, comments and the <!-- --> tokens CSS ignores. */
static size_t skip_space(const char *s, size_t i, size_t n)
{
	while (i < n) {
		if (is_sp((unsigned char)s[i])) {
			i++;
		} else if (n - i >= 2 && s[i] == '/' && s[i + 1] == '*') {
			i += 2;
			while (i < n && !(s[i] == '*' && i + 1 < n && s[i + 1] == '/'))
				i++;
			i = i < n ? i + 2 : n;
		} else if (n - i >= 4 && !memcmp(s + i, "<!--", 4)) {
			i += 4;
		} else if (n - i >= 3 && !memcmp(s + i, "-->", 3)) {
			i += 3;
		} else {
			break;
		}
	}
	return i;
}

/* Just past the '}' that closes the block whose '{' is at i (nested
 * blocks, strings and comments skipped), or n. */
static size_t block_end(const char *s, size_t i, size_t n)
{
	size_t depth = 0;
	char q = 0;
	for (; i < n; i++) {
		char ch = s[i];
		if (q) {
			if (ch == '\\')
				i++;
			else if (ch == q)
				q = 0;
		} else if (ch == '"' || ch == '\'') {
			q = ch;
		} else if (ch == '/' && i + 1 < n && s[i + 1] == '*') {
			i += 2;
			while (i < n && !(s[i] == '*' && i + 1 < n && s[i + 1] == '/'))
				i++;
		} else if (ch == '{') {
			depth++;
		} else if (ch == '}' && depth && --depth == 0) {
			return i + 1;
		}
	}
	return n;
}

/* A selector that names one class: ".name" or "tag.name"; its name. */
static int simple_class(sl_str sel, sl_str *name)
{
	sel = str_trim(sel);
	size_t i = 0;
	while (i < sel.len && ((lc((unsigned char)sel.p[i]) >= 'a' && lc((unsigned char)sel.p[i]) <= 'z') ||
	                       is_digit((unsigned char)sel.p[i])))
		i++;
	if (i >= sel.len || sel.p[i] != '.')
		return 0;
	size_t b = ++i;
	while (i < sel.len && is_ident((unsigned char)sel.p[i]))
		i++;
	if (i != sel.len || i == b || i - b > CLASS_MAX)
		return 0;
	*name = (sl_str){ sel.p + b, i - b };
	return 1;
}

/* One rule: selectors sel, declarations d; in an @media block or not. */
static void sheet_rule_read(creader *c, sl_str sel, sl_str d, int media)
{
	sl_css css;
	css_inline(d.p, d.len, &css);
	unsigned hide = media ? 0 : css.hide;
	int font0 = !media && css.font0 == 1;
	int shows = media && css.shows;
	if (!hide && !font0 && !shows)
		return;
	size_t i = 0;
	while (i <= sel.len) {
		size_t j = i;
		while (j < sel.len && sel.p[j] != ',')
			j++;
		sl_str one = str_trim((sl_str){ sel.p + i, j - i }), name;
		if (media) {
			/* what an @media rule shows is its last compound's: the
			 * class of ".wrapper .mobile-only" is shown */
			size_t k = one.len;
			while (k > 0 && !is_sp((unsigned char)one.p[k - 1]) && one.p[k - 1] != '>' &&
			       one.p[k - 1] != '+' && one.p[k - 1] != '~')
				k--;
			one = (sl_str){ one.p + k, one.len - k };
		}
		if (simple_class(one, &name))
			sheet_add(c, name.p, name.len, hide, font0, shows);
		i = j + 1;
	}
}

/* The rules of s[i, n); one level of @media inside (nest 0). */
static void sheet_rules(creader *c, size_t i, size_t n, int media, int nest)
{
	const char *s = c->s;
	while (i < n) {
		i = skip_space(s, i, n);
		if (i >= n)
			break;
		if (s[i] == '}' || s[i] == ';') {
			i++;
			continue;
		}
		size_t j = i + (s[i] == '@');
		while (j < n && s[j] != '{' && s[j] != '}' && !(s[i] == '@' && s[j] == ';'))
			j++;
		if (j >= n)
			break;
		if (s[j] != '{') {
			i = j + 1;
			continue;
		}
		size_t e = block_end(s, j, n);
		size_t inner = e > j + 1 && s[e - 1] == '}' ? e - 1 : e;
		if (s[i] == '@') {
			if (!nest && str_iprefix((sl_str){ s + i, j - i }, "@media"))
				sheet_rules(c, j + 1, inner, 1, 1);
		} else {
			sheet_rule_read(c, (sl_str){ s + i, j - i }, (sl_str){ s + j + 1, inner - j - 1 }, media);
		}
		i = e;
	}
}

void css_sheet_read(sl_result *r, sl_sheet **sh, const char *s, size_t n, sl_span at)
{
	creader c = { r, sh, s, at };
	sheet_rules(&c, 0, n, 0, 0);
}

void css_sheet_apply(const sl_sheet *sh, const char *cls, size_t n, sl_css *css)
{
	if (!sh || !sh->n || !cls)
		return;
	unsigned hide = 0;
	int font0 = 0, shows = 0;
	size_t i = 0;
	while (i < n) {
		while (i < n && is_sp((unsigned char)cls[i]))
			i++;
		size_t b = i;
		while (i < n && !is_sp((unsigned char)cls[i]))
			i++;
		if (b == i || i - b > CLASS_MAX)
			continue;
		int found;
		size_t at = sheet_find(sh, cls + b, i - b, &found);
		if (found) {
			hide |= sh->rule[at].hide;
			font0 |= sh->rule[at].font0;
			shows |= sh->rule[at].shows;
		}
	}
	css->hide |= hide;
	if (hide)
		css->hidden = 1;
	if (!css->font0 && font0)
		css->font0 = 1;
	if (shows && (css->hide || css->font0 == 1)) {
		/* shown on some screens: not hidden from every reader */
		css->hide = SL_HIDE_RESPONSIVE;
		if (css->font0 == 1)
			css->font0 = 2;
	}
}
