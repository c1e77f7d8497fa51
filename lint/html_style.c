/*
 * html_style.c - the little CSS the HTML stage needs: an element's inline
 * style declarations and colour values.
 *
 * In: the (entity-decoded) text of a style attribute, or one colour value.
 * Out: an sl_css (hidden or not, colour, background colour, padding,
 * width and height in px) or a colour as 0xRRGGBB.  Nothing is allocated;
 * every loop is bounded by the length given; numbers are clamped.
 */
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
} css_flags;

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
		if (P("display"))
			f->none = V("none");
		break;
	case 'f':
		if (P("font-size"))
			f->font0 = is_zero(val);
		break;
	case 'h':
	case 'm':
	case 'w':
		if (P("max-height") || P("height") || P("max-width") || P("width")) {
			if (is_zero(val))
				f->box0 = 1;
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
		if (P("opacity"))
			f->opacity0 = is_zero(val);
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
		if (P("visibility"))
			f->invisible = V("hidden") || V("collapse");
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
	if (out->color == SL_CSS_TRANSPARENT) {
		out->color = -1;
		f.invisible = 1;
	}
	if (out->bg == SL_CSS_TRANSPARENT)
		out->bg = -1;
	out->hidden = f.none || f.invisible || f.font0 || f.opacity0 || f.mso ||
	              (f.box0 && f.overflow) || f.indent || (f.positioned && f.offset);
}
