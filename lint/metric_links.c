/*
 * metric_links.c - measurements of where a message's HTML points and what
 * it embeds: links, images, notable elements, hidden text and invisible
 * characters inside words (see metric.h).
 *
 * In: the document model (r->doc: links with their decoded href and the
 * span of its bytes, images with their size and enclosing link, elements,
 * blocks with the SL_HIDE_* bits of why they are hidden) and, for the
 * metrics that take one, the rule's list (metric_list_key: hosts,
 * elements, reasons).  Out: each measurement's value, and the things it
 * counted located (metric_item_add) in a link's text, in the original
 * file (r->srctext: a tag's or an href's bytes) or in a block's text,
 * with a note saying what was found.
 *
 * Measurements (body or message scope, but zero-width-words, which takes
 * any block scope):
 *   link-text-mismatch   links whose text shows another site than the
 *                        href's, or https:// while the href is http://
 *   link-hosts           links to a host in `hosts:` (or below one)
 *   ip-links             links to an IP address instead of a name
 *   dead-links           links that go nowhere: '#', javascript:, an
 *                        empty href, a relative URL
 *   link-domains         registrable domains of the links that are not
 *                        the From domain's (messages only)
 *   elements             elements in `elements:` (script, form, ...)
 *   image-only           visible characters, when a large image shows
 *   text-image-ratio     visible characters per 1,000 px² of image
 *   hidden-text          hidden blocks, the preheader excepted, hidden
 *                        for a reason in `reasons:`
 *   zero-width-words     invisible characters inside words
 * Each is defined exactly in the comment above its code.
 *
 * Limits: URLs are read through their first URL_MAX bytes (a host past
 * that is not looked at); at most METRIC_ITEMS things located per
 * instance (metric_item_add); every scan is linear in what it reads.
 */
#include <stdlib.h>

#include "metric.h"

/* A host longer than DNS allows (RFC 1035: 253) is not one. */
#define HOST_MAX 256
/* Bytes of an href read to find its scheme and host. */
#define URL_MAX 2048

/* --- shared helpers ------------------------------------------------------- */

static int lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_alpha(int c)
{
	c = lc(c);
	return c >= 'a' && c <= 'z';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int hidden_ok(int hidden, int is_hidden)
{
	return hidden == 1 || (hidden == 0 ? !is_hidden : is_hidden);
}

/* Per MIME part: is it a non-preferred alternative (known from its
 * blocks, which lint.c marks)?  An arena array of nparts + 1 flags. */
static unsigned char *alt_flags(sl_result *r)
{
	unsigned char *f = arena_zalloc(&r->arena, r->doc.nparts + 1);
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		if (b->alternative && b->part >= 0 && (size_t)b->part < r->doc.nparts)
			f[b->part] = 1;
	}
	return f;
}

static int part_alt(const sl_result *r, const unsigned char *alt, int part)
{
	return part >= 0 && (size_t)part < r->doc.nparts && alt[part];
}

/* What the link metrics need of the document, made once per measure:
 * the non-preferred parts, and per link whether it shows an image. */
typedef struct lctx {
	const unsigned char *alt;   /* alt_flags */
	unsigned char *img;         /* per link: holds an image that is not hidden */
} lctx;

static lctx link_ctx(sl_result *r)
{
	lctx c = { alt_flags(r), arena_zalloc(&r->arena, r->doc.nlink + 1) };
	for (size_t i = 0; i < r->doc.nimg; i++) {
		const sl_image *im = &r->doc.img[i];
		if (im->link >= 0 && (size_t)im->link < r->doc.nlink && !im->hidden)
			c.img[im->link] = 1;
	}
	return c;
}

/* Is link l hidden?  Text styles (a tiny font, a colour on its like) do
 * not hide a link that shows an image: the social icons of a row whose
 * cell has font-size:0 stay links. */
static int link_hidden(const sl_result *r, const lctx *c, const sl_link *l)
{
	if (!l->hidden || (l->hidden & ~(SL_HIDE_FONT | SL_HIDE_CONTRAST)))
		return l->hidden != 0;
	return !c->img[l - r->doc.link];
}

/* A link the metrics look at: with an href, of the preferred body, seen
 * per the rule's hidden setting. */
static int link_counts(const mset *m, const lctx *c, const sl_link *l)
{
	return l->href && hidden_ok(m->rule->hidden, link_hidden(m->r, c, l)) &&
	       !part_alt(m->r, c->alt, l->part);
}

static const char *shorten(sl_arena *a, const char *p, size_t n, size_t max)
{
	if (n <= max)
		return arena_strndup(a, p, n);
	size_t k = max;
	while (k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80)
		k--; /* not inside a UTF-8 sequence */
	return arena_printf(a, "%.*s...", (int)k, p);
}

static int in_sorted(const mrule *mr, const char *s)
{
	size_t lo = 0, hi = mr->nlist;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(mr->list[mid], s);
		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* --- URLs ------------------------------------------------------------------- */

/* What links need of a URL: offsets into the string it was read from. */
typedef struct url {
	size_t s0, s1;          /* scheme, without ':' (s0 == s1: none) */
	size_t h0, h1;          /* host as written: brackets of an IPv6 kept,
	                           userinfo and port not; h0 == h1: none */
	int slashes;            /* "//" follows the scheme (or starts the URL) */
	size_t start;           /* first byte after leading white space */
} url;

/* Read s[0..n) as a URL the way a browser starts to: leading white space
 * and control characters skipped, an optional scheme, then after "//"
 * an authority whose host ends at '/', '?', '#', '\\' or ':'. */
static void url_read(const char *s, size_t n, url *u)
{
	memset(u, 0, sizeof *u);
	if (n > URL_MAX)
		n = URL_MAX;
	size_t i = 0;
	while (i < n && (unsigned char)s[i] <= ' ')
		i++;
	u->start = i;
	size_t k = i;
	if (k < n && is_alpha((unsigned char)s[k])) {
		while (k < n && (is_alpha((unsigned char)s[k]) || is_digit((unsigned char)s[k]) ||
		                 s[k] == '+' || s[k] == '-' || s[k] == '.'))
			k++;
		if (k < n && s[k] == ':') {
			u->s0 = i;
			u->s1 = k;
			i = k + 1;
		}
	}
	if (n - i >= 2 && (s[i] == '/' || s[i] == '\\') && (s[i + 1] == '/' || s[i + 1] == '\\')) {
		u->slashes = 1;
		i += 2;
	} else {
		return;
	}
	size_t a = i, e = i;
	while (e < n && s[e] != '/' && s[e] != '?' && s[e] != '#' && s[e] != '\\')
		e++;
	for (size_t j = e; j > a; j--)
		if (s[j - 1] == '@') {
			a = j; /* past the userinfo */
			break;
		}
	size_t h = a;
	if (h < e && s[h] == '[') {
		while (h < e && s[h] != ']')
			h++;
		h += h < e;
	} else {
		while (h < e && s[h] != ':')
			h++;
	}
	u->h0 = a;
	u->h1 = h;
}

static int scheme_is(const char *s, const url *u, const char *lit)
{
	return str_ieq((sl_str){ s + u->s0, u->s1 - u->s0 }, lit);
}

static int web_url(const char *s, const url *u)
{
	return (scheme_is(s, u, "http") || scheme_is(s, u, "https")) && u->h1 > u->h0;
}

/* The host s[h0, h1) lower-cased into out (a trailing root dot dropped);
 * 0 when it is empty or longer than a host can be. */
static int host_lower(const char *s, size_t h0, size_t h1, char out[HOST_MAX])
{
	size_t n = h1 - h0;
	while (n && s[h0 + n - 1] == '.')
		n--;
	if (!n || n >= HOST_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)lc((unsigned char)s[h0 + i]);
	out[n] = 0;
	return 1;
}

/* --- registrable domains ------------------------------------------------------ */

/* Second-level labels under which names are registered one level lower
 * (the common ones of the Public Suffix List). */
static const char *const slds[] = {
	"ac.jp", "ac.uk", "co.id", "co.il", "co.in", "co.jp", "co.kr", "co.nz", "co.th",
	"co.uk", "co.za", "com.ar", "com.au", "com.br", "com.cn", "com.hk", "com.mx",
	"com.my", "com.ph", "com.pl", "com.sg", "com.tr", "com.tw", "com.ua", "com.vn",
	"edu.au", "gov.au", "gov.uk", "ltd.uk", "me.uk", "ne.jp", "net.au", "net.br",
	"net.cn", "net.in", "net.nz", "or.jp", "org.au", "org.br", "org.cn", "org.in",
	"org.nz", "org.uk", "org.za", "plc.uk",
};

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

static int cmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The registrable part of a lower-case host: its last two labels, or
 * three under a second level of slds; an IP address is its own. */
static const char *registrable(const char *h)
{
	size_t n = strlen(h);
	const char *dots[3] = { NULL, NULL, NULL };
	int k = 0;
	if (h[0] == '[' || (n && is_digit((unsigned char)h[n - 1])))
		return h;
	for (size_t i = n; i-- > 0 && k < 3;)
		if (h[i] == '.')
			dots[k++] = h + i;
	if (k < 2)
		return h;
	if (bsearch(dots[1] + 1, slds, sizeof slds / sizeof *slds, sizeof *slds, cmp_cstr))
		return k >= 3 ? dots[2] + 1 : h;
	return dots[1] + 1;
}

/* --- IP literals -------------------------------------------------------------- */

/* One part of a numeric IPv4 host, as browsers read it: 0x hex, a leading
 * 0 octal, else decimal.  -1 if it is not a number. */
static long long ip_part(const char *p, size_t n)
{
	int base = 10;
	size_t i = 0;
	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (n >= 2 && p[0] == '0') {
		base = 8;
		i = 1;
	}
	long long v = 0;
	for (; i < n; i++) {
		int c = lc((unsigned char)p[i]), d;
		if (is_digit(c))
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		v = v * base + d;
		if (v > 0xFFFFFFFFLL)
			return -1;
	}
	return v;
}

/* A lower-case host that is an IP address: 4 (the address in *v4), 6
 * (in brackets), else 0.  A host whose last label is a number is an IPv4
 * address to a browser, in any of the forms it accepts ("3232235777",
 * "0xC0.0250.1.1"); *dotted says it was written as four decimals. */
static int ip_host(const char *h, uint32_t *v4, int *dotted)
{
	size_t n = strlen(h);
	*dotted = 0;
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
		return 6;
	size_t last = n;
	while (last > 0 && h[last - 1] != '.')
		last--;
	if (last == n || ip_part(h + last, n - last) < 0)
		return 0;
	long long part[4];
	size_t np = 0, i = 0;
	int plain = 1;
	while (i <= n) {
		size_t j = i;
		while (j < n && h[j] != '.')
			j++;
		if (np == 4 || j == i)
			return 0;
		part[np] = ip_part(h + i, j - i);
		if (part[np] < 0)
			return 0;
		plain &= (j - i == 1 || h[i] != '0');
		np++;
		i = j + 1;
	}
	uint64_t v = 0;
	for (size_t k = 0; k + 1 < np; k++) {
		if (part[k] > 255)
			return 0;
		v = v << 8 | (uint64_t)part[k];
	}
	unsigned rest = (unsigned)(5 - np) * 8; /* bits the last part fills */
	if (rest < 32 && (uint64_t)part[np - 1] >> rest)
		return 0;
	v = rest < 32 ? v << rest | (uint64_t)part[np - 1] : (uint64_t)part[np - 1];
	*v4 = (uint32_t)v;
	*dotted = np == 4 && plain;
	return 4;
}

static const char *ip_kind(int fam, uint32_t v, const char *h)
{
	if (fam == 6) {
		if (!strcmp(h, "[::1]") || !strcmp(h, "[::]"))
			return "the loopback address: this computer";
		if (!strncmp(h, "[fe8", 4) || !strncmp(h, "[fe9", 4) || !strncmp(h, "[fea", 4) ||
		    !strncmp(h, "[feb", 4) || !strncmp(h, "[fc", 3) || !strncmp(h, "[fd", 3))
			return "a private address, unreachable from outside its network";
		return NULL;
	}
	unsigned a = v >> 24, b = (v >> 16) & 0xff;
	if (a == 127 || v == 0)
		return "the loopback address: this computer";
	if (a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168) ||
	    (a == 169 && b == 254))
		return "a private address, unreachable from outside its network";
	return NULL;
}

/* --- link-text-mismatch ------------------------------------------------------ */

/* Top-level domains a bare name in a link's text may end in ("shop.com"):
 * the common generic ones and the country codes that are not also common
 * file extensions (a text "README.md" or "setup.py" is not a site). */
static const char *const bare_tlds[] = {
	"app", "at", "au", "be", "biz", "br", "ca", "ch", "cn", "co", "com", "de", "dev",
	"dk", "edu", "es", "eu", "fi", "fr", "gov", "ie", "in", "info", "io", "it", "jp",
	"me", "mx", "net", "nl", "no", "nz", "online", "org", "ru", "se", "shop", "site",
	"store", "uk", "us", "xyz",
};

static int url_char(int c)
{
	return c > ' ' && c != '<' && c != '>' && c != '"' && c != '\'' && c != '(' &&
	       c != ')' && c != '[' && c != ']' && c != '{' && c != '}' && c != '|';
}

/* A dotted name of letters, digits and '-' with two labels or more;
 * *tld gets where its last label starts. */
static int dotted_name(const char *p, size_t n, size_t *tld)
{
	size_t labels = 1, start = 0;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)p[i];
		if (c == '.') {
			if (i == start)
				return 0;
			labels++;
			start = i + 1;
		} else if (!(is_alpha(c) || is_digit(c) || c == '-')) {
			return 0;
		}
	}
	*tld = start;
	return labels >= 2 && start < n;
}

/* The site the text t[0..n) shows, if its first URL-like word names one:
 * "https://a.example/x", "www.a.example", or a text that is only a bare
 * name with a common top-level domain ("a.com", "a.com/offer").  The
 * host's bytes in t in [*h0, *h1); *https when it says https://. */
static int text_site(const char *t, size_t n, size_t *h0, size_t *h1, int *https)
{
	size_t i = 0, words = 0;
	*https = 0;
	while (i < n) {
		while (i < n && !url_char((unsigned char)t[i]))
			i++;
		size_t b = i;
		while (i < n && url_char((unsigned char)t[i]))
			i++;
		if (b == i)
			break;
		words++;
		size_t e = i;
		while (e > b && (t[e - 1] == '.' || t[e - 1] == ',' || t[e - 1] == ';' ||
		                 t[e - 1] == ':' || t[e - 1] == '!' || t[e - 1] == '?'))
			e--;
		url u;
		url_read(t + b, e - b, &u);
		if (u.slashes && web_url(t + b, &u)) {
			*h0 = b + u.h0;
			*h1 = b + u.h1;
			*https = scheme_is(t + b, &u, "https");
			return 1;
		}
		size_t hl = 0;
		while (b + hl < e && t[b + hl] != '/' && t[b + hl] != '?' && t[b + hl] != '#')
			hl++;
		size_t tld;
		if (!dotted_name(t + b, hl, &tld))
			continue;
		if (hl > 4 && str_iprefix((sl_str){ t + b, hl }, "www.") &&
		    memchr(t + b + 4, '.', hl - 4)) {
			*h0 = b;
			*h1 = b + hl;
			return 1;
		}
		/* a bare name only when it is the whole text */
		size_t rest = i;
		while (rest < n && !url_char((unsigned char)t[rest]))
			rest++;
		char tl[8];
		size_t k = hl - tld;
		if (words != 1 || rest < n || k >= sizeof tl)
			continue;
		for (size_t j = 0; j < k; j++)
			tl[j] = (char)lc((unsigned char)t[b + tld + j]);
		tl[k] = 0;
		if (bsearch(tl, bare_tlds, sizeof bare_tlds / sizeof *bare_tlds, sizeof *bare_tlds,
		            cmp_cstr)) {
			*h0 = b;
			*h1 = b + hl;
			return 1;
		}
	}
	return 0;
}

/* --- where links go -------------------------------------------------------- */

/* A URL of the scope: an HTML link's href, or a URL written in the text
 * of a plain-text block. */
typedef struct uref {
	const char *s;          /* the URL */
	size_t n;
	url u;
	const sl_link *l;       /* its HTML link, or NULL */
	const sl_text *t;       /* a plain-text URL: its block's text, */
	size_t off;             /* where it starts there, */
	int blk;                /* and the block */
} uref;

/* Read a URL word of plain text: with a scheme and "//" as any URL, else
 * ("www.a.example/x", "a.example") a host up to '/', '?', '#' or ':'. */
static void word_url(const char *s, size_t n, url *u)
{
	url_read(s, n, u);
	if (u->slashes || u->s1 > u->s0)
		return;
	size_t e = 0;
	while (e < n && s[e] != '/' && s[e] != '?' && s[e] != '#' && s[e] != ':')
		e++;
	u->h0 = 0;
	u->h1 = e;
	u->slashes = 1;
}

/* The URLs of the scope: the links counted (link_counts), and with text
 * the URL words of its plain-text blocks, in document order (HTML first).
 * An arena array; returns the count. */
static size_t scope_urls(const mset *m, int text, uref **out)
{
	sl_result *r = m->r;
	lctx c = link_ctx(r);
	size_t n = 0, cap = r->doc.nlink + 8;
	uref *v = arena_array(&r->arena, cap, sizeof *v);
	for (size_t i = 0; i < r->doc.nlink; i++) {
		const sl_link *l = &r->doc.link[i];
		if (!link_counts(m, &c, l))
			continue;
		uref *x = &v[n++];
		memset(x, 0, sizeof *x);
		x->s = l->href;
		x->n = strlen(l->href);
		x->l = l;
		x->blk = -1;
		url_read(x->s, x->n, &x->u);
	}
	for (size_t i = 0; text && i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		if (u->blk < 0 || r->doc.blk[u->blk].html)
			continue;
		for (size_t k = 0; k < u->nword; k++) {
			const sl_word *w = &u->word[k];
			if (!(w->flags & SL_W_URL) || (size_t)w->off + w->len > u->text->len)
				continue;
			if (n == cap) {
				v = arena_grow(&r->arena, v, n, cap * 2, sizeof *v);
				cap *= 2;
			}
			uref *x = &v[n++];
			memset(x, 0, sizeof *x);
			x->s = u->text->p + w->off;
			x->n = w->len;
			x->t = u->text;
			x->off = w->off;
			x->blk = u->blk;
			word_url(x->s, x->n, &x->u);
		}
	}
	*out = v;
	return n;
}

/* Locate the host of URL x: its bytes in the file when an href was
 * copied exactly (else the whole href), its bytes in a plain-text block. */
static mitem *host_item(const mset *m, const uref *x)
{
	if (!x->l) {
		mitem *it = metric_item_add(m, x->t, x->off + x->u.h0, x->off + x->u.h1);
		if (it)
			it->blk = x->blk;
		return it;
	}
	const sl_span *sp = &x->l->href_span;
	if (sp->exact && sp->end - sp->off == x->n && sp->end <= m->r->srctext.len)
		return metric_item_add(m, &m->r->srctext, sp->off + x->u.h0, sp->off + x->u.h1);
	return metric_item_add(m, &m->r->srctext, sp->off, sp->end);
}

/* Is lower-case host h, or a domain it is below, in the rule's list?  The
 * entry, or NULL. */
static const char *listed_host(const mrule *mr, const char *h)
{
	for (const char *p = h; p; p = strchr(p, '.')) {
		if (*p == '.')
			p++;
		if (in_sorted(mr, p))
			return p;
	}
	return NULL;
}

/* The lower-case domain of the first address of the root's From field,
 * in out; 0 if there is none (templates). */
static int from_domain(const sl_result *r, char out[HOST_MAX])
{
	const sl_header *f = r->doc.kind == SL_KIND_EML && r->doc.root ?
		part_header(r->doc.root, "From") : NULL;
	if (!f)
		return 0;
	const char *p = f->value.p;
	size_t n = f->value.len, lt = n, at = n, e;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '<' && lt == n)
			lt = i;
		else if (p[i] == '@' && (lt == n || i > lt))
			at = i;
		else if (p[i] == '>' && lt < n)
			break;
	}
	if (at == n)
		return 0;
	e = at + 1;
	while (e < n && p[e] != '>' && p[e] != ',' && !is_space((unsigned char)p[e]) && p[e] != ')')
		e++;
	return host_lower(p, at + 1, e, out);
}

/* Does s[0..n) hold lit, ASCII case-insensitively? */
static int has_ci(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	for (size_t i = 0; k && i + k <= n; i++)
		if (lc((unsigned char)s[i]) == lit[0] && str_iprefix((sl_str){ s + i, n - i }, lit))
			return 1;
	return 0;
}

/* link-text-mismatch: links whose visible text shows a site (text_site)
 * whose registrable domain is not the href's (the phishing shape: text
 * "https://bank.example", href elsewhere; rspamd PHISHING), or whose text
 * says https:// while the href is plain http:// (rspamd HTTP_TO_HTTPS).
 * Only http(s) hrefs.  Not a mismatch, for the domain test, because a
 * mailing platform rewrote the link to count clicks: an href whose host
 * is in the rule's `hosts:` (click-tracking hosts), an href that carries
 * the shown domain further on (a redirect to it), an href to the
 * sender's own domain (From: a tracking host of one's own, such as
 * click.e.shop.example).  Locates each link's text, noting both sites. */
static double m_link_text_mismatch(const mset *m)
{
	sl_result *r = m->r;
	char hh[HOST_MAX], th[HOST_MAX], from[HOST_MAX];
	const char *freg = from_domain(r, from) ? registrable(from) : NULL;
	uref *v;
	size_t nv = scope_urls(m, 0, &v);
	double n = 0;
	for (size_t i = 0; i < nv; i++) {
		const uref *x = &v[i];
		const sl_link *l = x->l;
		size_t t0, t1;
		int https;
		if (!web_url(x->s, &x->u) || !host_lower(x->s, x->u.h0, x->u.h1, hh) ||
		    !text_site(l->text.p, l->text.len, &t0, &t1, &https) ||
		    !host_lower(l->text.p, t0, t1, th))
			continue;
		const char *hreg = registrable(hh), *treg = registrable(th);
		const char *note;
		if (strcmp(hreg, treg)) {
			size_t rest = x->n - x->u.h1 < URL_MAX ? x->n - x->u.h1 : URL_MAX;
			if (listed_host(m->mr, hh) || (freg && !strcmp(hreg, freg)) ||
			    has_ci(x->s + x->u.h1, rest, treg))
				continue;
			note = arena_printf(&r->arena, "the text shows '%s'; the link goes to '%s'", th, hh);
		} else if (https && scheme_is(x->s, &x->u, "http")) {
			note = arena_printf(&r->arena, "the text shows https://%s; the link is plain http://", th);
		} else {
			continue;
		}
		n++;
		mitem *it = metric_item_add(m, &l->text, 0, l->text.len);
		if (it)
			it->note = note;
	}
	return n;
}

/* link-hosts: links, and URLs written in plain text, whose host is in the
 * rule's `hosts:` list or below an entry ("bit.ly" takes "www.bit.ly";
 * "test" every name in the .test domain); any scheme with "//".  Locates
 * each host, noting the entry when it is a parent domain. */
static double m_link_hosts(const mset *m)
{
	char hh[HOST_MAX];
	uref *v;
	size_t nv = scope_urls(m, 1, &v);
	double n = 0;
	for (size_t i = 0; i < nv; i++) {
		const uref *x = &v[i];
		if (!x->u.slashes || !host_lower(x->s, x->u.h0, x->u.h1, hh))
			continue;
		const char *hit = listed_host(m->mr, hh);
		if (!hit)
			continue;
		n++;
		mitem *it = host_item(m, x);
		if (it && strcmp(hit, hh))
			it->note = arena_printf(&m->r->arena, "'%s' is in '%s'", hh, hit);
	}
	return n;
}

/* ip-links: web links, and URLs written in plain text, whose host is an
 * IP address (IPv4 in any form a browser takes, "http://3232235777/"
 * too, or an IPv6 literal) instead of a name (SpamAssassin
 * NORMAL_HTTP_TO_IP and NUMERIC_HTTP_ADDR, rspamd HTTP_TO_IP).  Locates
 * each host; the note says when the address is the loopback or a private
 * one, or what a numeric form stands for. */
static double m_ip_links(const mset *m)
{
	char hh[HOST_MAX];
	uref *v;
	size_t nv = scope_urls(m, 1, &v);
	double n = 0;
	for (size_t i = 0; i < nv; i++) {
		const uref *x = &v[i];
		uint32_t a = 0;
		int dotted;
		if (!(web_url(x->s, &x->u) || (!x->l && x->u.s1 == x->u.s0)) ||
		    !host_lower(x->s, x->u.h0, x->u.h1, hh))
			continue;
		int fam = ip_host(hh, &a, &dotted);
		if (!fam)
			continue;
		n++;
		mitem *it = host_item(m, x);
		if (!it)
			continue;
		const char *kind = ip_kind(fam, a, hh);
		if (fam == 4 && !dotted)
			it->note = arena_printf(&m->r->arena, "'%s' is the address %u.%u.%u.%u%s%s", hh,
			                        a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff,
			                        kind ? ", " : "", kind ? kind : "");
		else if (kind)
			it->note = kind;
	}
	return n;
}

/* --- dead-links --------------------------------------------------------------- */

/* An href a template language or a mailing platform fills in at send
 * time: {{ url }}, {% url %}, *|UNSUB|*, <%= url %>, ${url}, %%url%%,
 * [[url]], [unsubscribe], %unsubscribe_url%. */
static int placeholder_href(const char *s, size_t n)
{
	static const char *const opens[] = { "{{", "{%", "*|", "<%", "${", "%%", "[[" };
	for (size_t i = 0; i + 1 < n; i++)
		for (size_t k = 0; k < sizeof opens / sizeof *opens; k++)
			if (s[i] == opens[k][0] && s[i + 1] == opens[k][1])
				return 1;
	return n >= 3 && ((s[0] == '[' && s[n - 1] == ']') || (s[0] == '%' && s[n - 1] == '%'));
}

/* Does link li show anything: a character that is not white space, or an
 * image? */
static int link_visible(const sl_result *r, const lctx *c, size_t li)
{
	const sl_link *l = &r->doc.link[li];
	for (size_t i = 0; i < l->text.len; i++)
		if (!is_space((unsigned char)l->text.p[i]))
			return 1;
	return c->img[li];
}

/* Does HTML part `part` declare a <base href> that relative URLs resolve
 * against? */
static int has_base(const sl_result *r, int part)
{
	for (size_t i = 0; i < r->doc.nelem; i++) {
		const sl_elem *e = &r->doc.elem[i];
		if (e->part == part && !strcmp(e->name, "base") &&
		    has_ci(e->attrs, strlen(e->attrs), "href"))
			return 1;
	}
	return 0;
}

/* Why href s[0..n) goes nowhere, or NULL; base: the part has a <base>. */
static const char *dead_why(const char *s, size_t n, int base)
{
	url u;
	url_read(s, n, &u);
	sl_str v = str_trim((sl_str){ s, n });
	if (!v.len)
		return "an empty href: the link goes nowhere";
	if (placeholder_href(v.p, v.len))
		return NULL;
	if (v.len == 1 && v.p[0] == '#')
		return "'#' is a placeholder: the link goes nowhere";
	if (u.s1 > u.s0) {
		if (scheme_is(s, &u, "javascript"))
			return "mail programs do not run javascript: links";
		if ((scheme_is(s, &u, "mailto") || scheme_is(s, &u, "tel") || scheme_is(s, &u, "sms")) &&
		    (u.s1 + 1 >= n || s[u.s1 + 1] == '?'))
			return "the link names no address";
		if ((scheme_is(s, &u, "http") || scheme_is(s, &u, "https")) && u.h1 == u.h0)
			return "the link names no host";
		return NULL;
	}
	if (u.slashes || v.p[0] == '#' || base)
		return NULL; /* "//host/x" takes the reader's scheme; "#x" is in the page */
	return "a relative URL: a mail program has no page to resolve it against "
	       "(write https://)";
}

/* dead-links: links that show something (text or an image) but go
 * nowhere: an empty href, "#", a javascript: URL, mailto:/tel: with no
 * address, http:// with no host, or a relative URL ("twitter.com",
 * "/pricing") that no mail program can resolve (unless the part has a
 * <base href>).  Hrefs that a template or mailing platform fills in
 * ({{ url }}, *|UNSUB|*, ...) pass; so do links to a fragment of the
 * page ("#top").  <a> without href is a named anchor, not a link.
 * Locates each href (the start tag when it is empty), noting why. */
static double m_dead_links(const mset *m)
{
	sl_result *r = m->r;
	lctx c = link_ctx(r);
	int base = -1, base_part = -2; /* has_base of the last part asked */
	double n = 0;
	for (size_t i = 0; i < r->doc.nlink; i++) {
		const sl_link *l = &r->doc.link[i];
		if (!link_counts(m, &c, l))
			continue;
		if (l->part != base_part) {
			base_part = l->part;
			base = has_base(r, l->part);
		}
		const char *why = dead_why(l->href, strlen(l->href), base);
		if (!why || !link_visible(r, &c, i))
			continue;
		n++;
		const sl_span *sp = l->href_span.end > l->href_span.off ? &l->href_span : &l->span;
		mitem *it = metric_item_add(m, &r->srctext, sp->off, sp->end);
		if (it)
			it->note = why;
	}
	return n;
}

/* --- link-domains ------------------------------------------------------------------ */

/* link-domains: when no web link of the message's HTML goes to the
 * registrable domain of the From address, the number of other
 * registrable domains they go to; 0 when one does.  A message from one
 * site whose links all lead elsewhere reads as a lure (PHISHING at the
 * level of the message) and earns the sender's domain no reputation.
 * Hosts in the rule's `hosts:` (mailing platforms' click trackers, which
 * hide where a link goes) are left out; no value when no other web link
 * is left, and in templates (no From).  Locates the first link, noting
 * the domains (the first three). */
static double m_link_domains(const mset *m)
{
	sl_result *r = m->r;
	char from[HOST_MAX], hh[HOST_MAX];
	if (!from_domain(r, from))
		return NAN;
	const char *freg = arena_strndup(&r->arena, registrable(from), strlen(registrable(from)));
	uref *v;
	size_t nv = scope_urls(m, 0, &v), web = 0;
	const char **reg = arena_array(&r->arena, nv + 1, sizeof *reg);
	const char *shown[3] = { NULL, NULL, NULL };
	size_t nshown = 0;
	const uref *first = NULL;
	for (size_t i = 0; i < nv; i++) {
		const uref *x = &v[i];
		if (!web_url(x->s, &x->u) || !host_lower(x->s, x->u.h0, x->u.h1, hh) ||
		    listed_host(m->mr, hh))
			continue;
		const char *d = registrable(hh);
		if (!strcmp(d, freg))
			return 0;
		if (!web)
			first = x;
		reg[web++] = arena_strndup(&r->arena, d, strlen(d));
		size_t k = 0;
		while (k < nshown && strcmp(shown[k], d))
			k++;
		if (k == nshown && nshown < 3)
			shown[nshown++] = reg[web - 1];
	}
	if (!web)
		return NAN;
	/* distinct domains: sorted, then counted */
	qsort(reg, web, sizeof *reg, cmp_ptr);
	size_t n = 1;
	for (size_t i = 1; i < web; i++)
		n += strcmp(reg[i - 1], reg[i]) != 0;
	sl_buf b;
	buf_init(&b, &r->arena, 4 * HOST_MAX);
	for (size_t k = 0; k < nshown; k++)
		buf_addf(&b, "%s'%s'", k ? ", " : "", shown[k]);
	mitem *it = host_item(m, first);
	if (it)
		it->note = arena_printf(&r->arena, "the links go to %s%s; the sender is '%s'",
		                        buf_cstr(&b), n > nshown ? " and others" : "", freg);
	return (double)n;
}

/* --- elements ------------------------------------------------------------------------ */

/* The element names html.c records (sl_elem.name); "style" is a <style>
 * block that @imports, "link" a <link rel=stylesheet>, "meta" a <meta
 * http-equiv=refresh>. */
static const char *const elem_names[] = {
	"applet", "area", "audio", "base", "embed", "form", "frame", "frameset", "iframe",
	"input", "link", "map", "meta", "object", "script", "style", "svg", "video", NULL,
};

/* elements: elements of the preferred body whose name is in the rule's
 * `elements:` list.  Locates each start tag, noting its attributes. */
static double m_elements(const mset *m)
{
	sl_result *r = m->r;
	const unsigned char *alt = alt_flags(r);
	double n = 0;
	for (size_t i = 0; i < r->doc.nelem; i++) {
		const sl_elem *e = &r->doc.elem[i];
		if (part_alt(r, alt, e->part) || !in_sorted(m->mr, e->name))
			continue;
		n++;
		mitem *it = metric_item_add(m, &r->srctext, e->span.off, e->span.end);
		if (it && e->attrs[0])
			it->note = arena_printf(&r->arena, "<%s %s>", e->name,
			                        shorten(&r->arena, e->attrs, strlen(e->attrs), 80));
	}
	return n;
}

/* --- image-only ------------------------------------------------------------------ */

/* An image that fills a good part of a screen: width + height at least
 * 400 px (rspamd R_EMPTY_IMAGE's test), or one size known and at least
 * 200; of no known size, one that is a link (the picture is the call to
 * action: rspamd HTML_SHORT_LINK_IMG), while an unlinked one (a logo
 * sized by CSS) may be small. */
static int big_image(const sl_image *im)
{
	long w = im->width, h = im->height;
	if (w >= 0 && h >= 0)
		return w + h >= 400;
	if (w >= 0 || h >= 0)
		return (w >= 0 ? w : h) >= 200;
	return im->link >= 0;
}

/* Visible non-space characters of the scope's units. */
static double visible_chars(const mset *m)
{
	double chars = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		if (u->end > u->text->len || u->off > u->end)
			continue;
		const unsigned char *p = (const unsigned char *)u->text->p + u->off;
		const unsigned char *end = (const unsigned char *)u->text->p + u->end;
		while (p < end) {
			uint32_t cp;
			p += render_utf8(p, end, &cp);
			chars += !(is_space((int)cp) || cp == 0xA0 || cp == 0x200B || cp == 0x200C ||
			           cp == 0xFEFF || cp == 0x034F || cp == 0xAD);
		}
	}
	return chars;
}

/* image-only: the visible non-space characters of the scope's blocks,
 * when the preferred body shows an image that is not small (big_image):
 * a message that is mostly a picture, whose words a filter cannot read
 * (SpamAssassin HTML_IMAGE_ONLY_* for 0 to 3,200 bytes of text, rspamd
 * R_EMPTY_IMAGE below 50).  No such image: no value.  Locates the first
 * such image, noting the count. */
static double m_image_only(const mset *m)
{
	sl_result *r = m->r;
	const unsigned char *alt = alt_flags(r);
	const sl_image *first = NULL;
	size_t nbig = 0;
	for (size_t i = 0; i < r->doc.nimg; i++) {
		const sl_image *im = &r->doc.img[i];
		if (!hidden_ok(m->rule->hidden, im->hidden) || part_alt(r, alt, im->part) ||
		    !big_image(im))
			continue;
		if (!nbig++)
			first = im;
	}
	if (!first)
		return NAN;
	double chars = visible_chars(m);
	mitem *it = metric_item_add(m, &r->srctext, first->span.off, first->span.end);
	if (it)
		it->note = arena_printf(&r->arena, "%zu large image%s, %.0f characters of text", nbig,
		                        nbig == 1 ? "" : "s", chars);
	return chars;
}

/* --- text-image-ratio -------------------------------------------------------------- */

/* An image's area in px² for the ratio: both sizes known, or one known
 * and the other taken as equal to it; 0 for tracking pixels (both
 * <= 2) and images of unknown size. */
static double image_area(const sl_image *im)
{
	long w = im->width, h = im->height;
	if (w >= 0 && w <= 2 && h >= 0 && h <= 2)
		return 0;
	if (w < 0)
		w = h;
	if (h < 0)
		h = w;
	return w > 0 && h > 0 ? (double)w * (double)h : 0;
}

/* text-image-ratio: visible non-space characters of the scope's blocks
 * per 1,000 px² of image area (the images of the preferred body seen per
 * the hidden setting, with at least one size known; an image with one
 * size known is taken as square), rounded down to two decimals: the
 * inverse of SpamAssassin's HTML_IMAGE_RATIO_* ("low ratio of text to
 * image area", which hit below 0.008 characters per px², that is 8 here).
 * A 600x300 image with 300 characters of text measures 1.66.  No image
 * area: no value.  Locates the largest image, noting the totals. */
static double m_text_image_ratio(const mset *m)
{
	sl_result *r = m->r;
	const unsigned char *alt = alt_flags(r);
	double area = 0, best = 0;
	size_t nimg = 0;
	const sl_image *big = NULL;
	for (size_t i = 0; i < r->doc.nimg; i++) {
		const sl_image *im = &r->doc.img[i];
		if (!hidden_ok(m->rule->hidden, im->hidden) || part_alt(r, alt, im->part))
			continue;
		double a = image_area(im);
		if (a <= 0)
			continue;
		area += a;
		nimg++;
		if (a > best) {
			best = a;
			big = im;
		}
	}
	if (area <= 0 || !big)
		return NAN;
	double chars = visible_chars(m);
	double v = floor(chars / (area / 1000.0) * 100) / 100;
	mitem *it = metric_item_add(m, &r->srctext, big->span.off, big->span.end);
	if (it)
		it->note = arena_printf(&r->arena, "%zu image%s of %.0f px² in all against %.0f "
		                        "characters of text", nimg, nimg == 1 ? "" : "s", area, chars);
	return v;
}

/* --- hidden-text ----------------------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned bit;
	const char *why;
} reasons[] = {
	{ "contrast", SL_HIDE_CONTRAST, "its colour is (nearly) that of its background" },
	{ "display", SL_HIDE_DISPLAY, "its style hides it (display:none, visibility:hidden, "
	                              "opacity:0 or a box of no size)" },
	{ "font-size", SL_HIDE_FONT, "its font size is 0 or 1px" },
	{ "off-screen", SL_HIDE_OFFSCREEN, "it is placed off-screen" },
};
#define NREASONS (sizeof reasons / sizeof *reasons)
static const char *const reason_names[] = { "contrast", "display", "font-size", "off-screen", NULL };

/* A letter or digit outside placeholders ("{{ x }}" is filled in). */
static int has_substance(const sl_block *b)
{
	for (size_t k = 0; k < b->nword; k++)
		if (b->word[k].norm && !(b->word[k].flags & (SL_W_PUNCT | SL_W_PLACEHOLDER)))
			return 1;
	return 0;
}

/* hidden-text: blocks of the preferred HTML body a reader does not see,
 * the preheader excepted (hidden by design, with any hidden blocks that
 * follow it before the first visible one: the inbox preview reads them
 * as one), hidden for a reason in the
 * rule's `reasons:` list: display (display:none and kin), font-size (0 or
 * 1px), contrast (text colour too close to its background, WCAG contrast
 * below 1.5:1, or transparent), off-screen.  Content that an @media rule
 * shows on some screens, or that only Outlook hides (mso-hide), is not
 * hidden text.  Only blocks with a word (letters or digits outside
 * placeholders).  Value: the characters of those blocks.  Locates each
 * block, noting why it is hidden. */
static double m_hidden_text(const mset *m)
{
	sl_result *r = m->r;
	unsigned want = 0;
	for (size_t k = 0; k < NREASONS; k++)
		if (in_sorted(m->mr, reasons[k].name))
			want |= reasons[k].bit;
	double n = 0;
	int preview = 0; /* in the hidden run the preheader starts */
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		unsigned bits = (unsigned)b->hidden & want;
		if (b->kind == SL_BLK_PREHEADER || (int)i == r->doc.preheader_blk)
			preview = 1;
		else if (b->html && !b->alternative && b->kind != SL_BLK_TITLE && !b->hidden)
			preview = 0;
		if (!bits || !b->html || b->alternative || b->kind == SL_BLK_PREHEADER ||
		    b->kind == SL_BLK_TITLE || preview || !has_substance(b))
			continue;
		n += (double)b->text.len;
		mitem *it = metric_item_add(m, &b->text, 0, b->text.len);
		if (!it)
			continue;
		it->blk = (int)i;
		for (size_t k = 0; k < NREASONS; k++)
			if (bits & reasons[k].bit) {
				it->note = reasons[k].why;
				break;
			}
	}
	return n;
}

/* --- zero-width-words --------------------------------------------------------------------- */

/* Characters of no width that split a word for a filter while the reader
 * sees it whole: zero-width space, non-joiner, joiner, word joiner,
 * zero-width no-break space, the invisible operators, the Mongolian vowel
 * separator, and the directional marks and controls.  The soft hyphen is
 * not one: it is a hyphenation hint, shown where the line breaks. */
static int zero_width(uint32_t cp)
{
	return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0xFEFF || cp == 0x180E || cp == 0x061C;
}

/* A letter or digit of a script that needs no joiners (Latin, Greek,
 * Cyrillic) or any digit. */
static int plain_alnum(uint32_t cp)
{
	if (cp < 0x80)
		return is_alpha((int)cp) || is_digit((int)cp);
	unsigned c = uc_class(cp);
	return (c & UC_DIGIT) || ((c & UC_LETTER) && (c & (UC_LATIN | UC_GREEK | UC_CYRILLIC)));
}

static const char *zw_name(uint32_t cp)
{
	switch (cp) {
	case 0x200B: return "zero width space";
	case 0x200C: return "zero width non-joiner";
	case 0x200D: return "zero width joiner";
	case 0x2060: return "word joiner";
	case 0xFEFF: return "zero width no-break space";
	case 0x200E: return "left-to-right mark";
	case 0x200F: return "right-to-left mark";
	default: return "invisible character";
	}
}

/* zero-width-words: runs of zero-width characters (zero_width) between
 * two letters or digits of Latin, Greek or Cyrillic script: "fr​ee" with
 * a zero-width space.  In scripts that join letters (Arabic, Indic) the
 * joiners do a job and pass; between words, or beside punctuation (a
 * template's "example&#8203;.com" that stops auto-linking), they pass
 * too.  Value: the characters; locates each run, noting the first. */
static double m_zero_width_words(const mset *m)
{
	double n = 0;
	for (size_t ui = 0; ui < m->nu; ui++) {
		const sl_unit *u = &m->u[ui];
		if (u->end > u->text->len || u->off > u->end)
			continue;
		const char *s = u->text->p;
		size_t i = u->off;
		uint32_t prev = 0;
		while (i < u->end) {
			uint32_t cp;
			size_t k = render_utf8((const unsigned char *)s + i, (const unsigned char *)s + u->end, &cp);
			if (!zero_width(cp)) {
				prev = cp;
				i += k;
				continue;
			}
			size_t a = i, cnt = 0;
			uint32_t first = cp, next = 0;
			while (i < u->end) {
				k = render_utf8((const unsigned char *)s + i, (const unsigned char *)s + u->end, &next);
				if (!zero_width(next))
					break;
				cnt++;
				i += k;
			}
			if (i >= u->end)
				next = 0;
			if (!plain_alnum(prev) || !plain_alnum(next))
				continue;
			n += (double)cnt;
			mitem *it = metric_item_add(m, u->text, a, i);
			if (!it)
				continue;
			it->blk = u->blk;
			it->fix = "";
			it->note = cnt == 1 ? arena_printf(&m->r->arena, "U+%04X %s", (unsigned)first, zw_name(first)) :
				arena_printf(&m->r->arena, "%zu invisible characters, the first U+%04X %s", cnt,
				             (unsigned)first, zw_name(first));
		}
	}
	return n;
}

/* --- registry -------------------------------------------------------------------------- */

const metric metrics_links[] = {
	{ "link-text-mismatch", m_link_text_mismatch, 1, 1 },
	{ "link-hosts", m_link_hosts, 1, 1 },
	{ "ip-links", m_ip_links, 1, 1 },
	{ "dead-links", m_dead_links, 1, 1 },
	{ "link-domains", m_link_domains, 1, 1 },
	{ "elements", m_elements, 1, 1 },
	{ "image-only", m_image_only, 1, 1 },
	{ "text-image-ratio", m_text_image_ratio, 1, 1 },
	{ "hidden-text", m_hidden_text, 1, 1 },
	{ "zero-width-words", m_zero_width_words, 0, 1 },
	{ NULL, NULL, 0, 0 },
};

const char *metric_list_key(const char *name, const char *const **values)
{
	*values = NULL;
	if (!strcmp(name, "link-hosts") || !strcmp(name, "link-text-mismatch") ||
	    !strcmp(name, "link-domains"))
		return "hosts";
	if (!strcmp(name, "elements")) {
		*values = elem_names;
		return "elements";
	}
	if (!strcmp(name, "hidden-text")) {
		*values = reason_names;
		return "reasons";
	}
	return NULL;
}
