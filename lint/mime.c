/*
 * mime.c - the MIME stage: header fields and the part tree.
 *
 * In: the original file (r->src) and its kind.  Out: r->doc.root, parts
 * (depth-first, parts[i]->index == i) and subject.  Each part gets its
 * header fields (spans, unfolded raw value, RFC 2047-decoded value), its
 * type, charset (with the declaration's span), boundary, transfer
 * encoding, disposition and filename (RFC 2231 / 2047); every text part
 * is then decoded by decode_part().  A template becomes one pseudo part.
 *
 * Limits: header_count (fields kept per header block), header_line (bytes
 * of one unfolded field), mime_depth, mime_parts; each reached gives
 * input/limit-NAME once and the rest is skipped.  The tree is walked with
 * an explicit stack, never by recursion, so nesting costs no C stack.
 * Malformed input is a diagnostic input/... and parsing goes on; the
 * stage never fails.  Every position is carried from the line scan: no
 * text is ever searched for again.
 */
#define _GNU_SOURCE /* memmem: glibc and musl hide it without this */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* How a header block is read. */
enum {
	HB_ROOT,     /* the message: may open with an mbox "From " line */
	HB_MESSAGE,  /* an enclosed message/rfc822 */
	HB_BODYPART, /* a multipart body part: may have no header at all */
};

/* The walk: parts waiting to be read, and parts read so far. */
typedef struct mime {
	sl_result *r;
	sl_part **stack;
	size_t nstack, stackalloc;
	sl_part **parts;
	size_t nparts, partsalloc;
	size_t created;          /* parts made, for the mime_parts limit */
} mime;

/* One physical line: content [off, end) without its line break, and the
 * start of the next line. */
typedef struct line {
	size_t off, end, next;
} line;

/* A Content-Type / Content-Disposition parameter. */
typedef struct mparam {
	const char *name;        /* lower-case, RFC 2231 suffixes removed */
	long section;            /* RFC 2231 "*N", -1 if none */
	int ext;                 /* RFC 2231 trailing '*': charset'lang'%XX */
	sl_text val;             /* quotes and quoted-pairs removed, mapped */
	sl_span span;            /* original bytes of the value */
} mparam;

typedef struct mparams {
	mparam *v;
	size_t n, alloc;
} mparams;

/* A cursor over a header field's unfolded raw value. */
typedef struct lex {
	const sl_text *t;
	size_t i;
} lex;

/* RFC 2231 sections are numbered; more digits than this is not a number. */
#define MIME_SECTION_DIGITS 6
/* RFC 2046 5.1.1: a boundary is 1 to 70 characters. */
#define MIME_BOUNDARY_MAX 70
/* Bytes of a header value quoted in a message. */
#define MIME_SHOW_MAX 60

/* --- small helpers ----------------------------------------------------- */

static sl_span src_span(size_t off, size_t end)
{
	return (sl_span){ off, end, 1 };
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_tspecial(int c)
{
	return c && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* RFC 2045 token character. */
static int is_token(int c)
{
	return c > 32 && c < 127 && !is_tspecial(c);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static line line_at(const unsigned char *s, size_t off, size_t lim)
{
	line l = { off, lim, lim };
	const unsigned char *nl = off < lim ? memchr(s + off, '\n', lim - off) : NULL;
	if (nl) {
		l.end = (size_t)(nl - s);
		l.next = l.end + 1;
		if (l.end > off && s[l.end - 1] == '\r')
			l.end--;
	}
	return l;
}

/* p[0..n) for a message: at most MIME_SHOW_MAX bytes, cut on a UTF-8
 * boundary with "..." added, control bytes shown as '?'. */
static const char *shown(sl_result *r, const char *p, size_t n)
{
	size_t k = n;
	if (k > MIME_SHOW_MAX) {
		k = MIME_SHOW_MAX;
		while (k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80)
			k--;
	}
	char *s = arena_alloc(&r->arena, k + 4);
	for (size_t i = 0; i < k; i++) {
		unsigned char c = (unsigned char)p[i];
		s[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	size_t e = k;
	if (k < n) {
		memcpy(s + k, "...", 3);
		e += 3;
	}
	s[e] = 0;
	return s;
}

/* A character for a message: itself if printable ASCII, else \xNN. */
static const char *shown_char(sl_result *r, int c)
{
	if (c > 32 && c < 127)
		return arena_printf(&r->arena, "%c", c);
	return arena_printf(&r->arena, "\\x%02x", (unsigned)c & 0xff);
}

/* The trimmed value of a field as a span of the original file. */
static sl_span value_span(const sl_header *h)
{
	size_t a = 0, b = h->raw.len;
	while (a < b && is_space((unsigned char)h->raw.p[a]))
		a++;
	while (b > a && is_space((unsigned char)h->raw.p[b - 1]))
		b--;
	return text_span(&h->raw, a, b);
}

static sl_span field_span(const sl_header *h)
{
	return src_span(h->off, h->end);
}

/* --- the walk's arrays ------------------------------------------------- */

static void push(mime *m, sl_part *p)
{
	if (m->nstack == m->stackalloc) {
		size_t n = m->stackalloc ? m->stackalloc * 2 : 16;
		m->stack = arena_grow(&m->r->arena, m->stack, m->nstack, n,
		                      sizeof *m->stack);
		m->stackalloc = n;
	}
	m->stack[m->nstack++] = p;
}

static void add_part(mime *m, sl_part *p)
{
	if (m->nparts == m->partsalloc) {
		size_t n = m->partsalloc ? m->partsalloc * 2 : 16;
		m->parts = arena_grow(&m->r->arena, m->parts, m->nparts, n,
		                      sizeof *m->parts);
		m->partsalloc = n;
	}
	p->index = (int)m->nparts;
	m->parts[m->nparts++] = p;
}

/* A new part [off, end) under parent, or NULL (and the limit reported at
 * at) once mime_parts parts exist. */
static sl_part *new_child(mime *m, sl_part *parent, size_t off, size_t end,
                          sl_span at)
{
	if (m->created >= m->r->lim.mime_parts) {
		limit_reached(m->r, "mime-parts", m->r->lim.mime_parts, at);
		return NULL;
	}
	m->created++;
	sl_part *p = arena_zalloc(&m->r->arena, sizeof *p);
	p->off = off;
	p->end = end;
	p->depth = parent->depth + 1;
	p->parent = parent;
	return p;
}

/* --- header fields ----------------------------------------------------- */

/* Is the line [a, b) a header field?  *ne gets the end of its name, *colon
 * the colon's offset. */
static int field_name(const unsigned char *s, size_t a, size_t b,
                      size_t *ne, size_t *colon)
{
	const unsigned char *c = memchr(s + a, ':', b - a);
	if (!c)
		return 0;
	size_t e = (size_t)(c - s);
	*colon = e;
	while (e > a && is_blank(s[e - 1]))
		e--;
	if (e == a)
		return 0;
	for (size_t i = a; i < e; i++)
		if (s[i] < 33 || s[i] > 126)
			return 0;
	*ne = e;
	return 1;
}

/* Append the file bytes [a, b) to a field's raw value, up to header_line
 * bytes in all. */
static void field_add(sl_result *r, sl_tb *tb, size_t a, size_t b, int *over)
{
	if (*over || b <= a)
		return;
	size_t n = b - a, room = tb->out.max - tb->out.len;
	if (n > room) {
		*over = 1;
		limit_reached(r, "header-line", r->lim.header_line,
		              src_span(a + room, b));
		n = room;
	}
	tb_copy(tb, &r->srctext, a, n);
}

/* Trim ASCII blanks and line breaks off both ends of t. */
static void trim_text(sl_result *r, const sl_text *t, sl_text *out)
{
	size_t a = 0, b = t->len;
	while (a < b && is_space((unsigned char)t->p[a]))
		a++;
	while (b > a && is_space((unsigned char)t->p[b - 1]))
		b--;
	if (a == 0 && b == t->len)
		*out = *t;
	else
		text_slice(out, &r->arena, t, a, b);
}

static void field_finish(sl_result *r, sl_header *h, sl_tb *tb)
{
	tb_finish(tb, &h->raw);
	if (h->raw.nseg == 0)
		text_identity(&h->raw, &r->arena, (const char *)r->src,
		              h->value_off, 0);
	sl_text t, v;
	trim_text(r, &h->raw, &t);
	decode_header_value(r, &t, &v);
	trim_text(r, &v, &h->value);
}

/* Warn about a physical header line over RFC 5322's 998 octets, at the
 * bytes past the limit. */
static void check_line_length(sl_result *r, line l)
{
	if (l.end - l.off > SL_RFC5322_LINE_MAX)
		diag_input(r, "input/long-header-line", SL_WARNING,
		           src_span(l.off + SL_RFC5322_LINE_MAX, l.end),
		           "header line of %zu bytes is longer than the %d "
		           "RFC 5322 allows", l.end - l.off, SL_RFC5322_LINE_MAX);
}

/* The header block ends early at line l, where the body begins: a body
 * part's first line that is no field, or a stray line in a header. */
static void header_cut(sl_result *r, line l, int bodypart_start)
{
	if (bodypart_start)
		diag_input(r, "input/missing-blank-line", SL_WARNING,
		           src_span(l.off, l.end),
		           "body part has neither header fields nor a blank line "
		           "before its body");
	else
		diag_input(r, "input/bad-header-line", SL_WARNING,
		           src_span(l.off, l.end),
		           "line in the header is not a header field; the body "
		           "begins here");
}

/* Read the header block at the start of p's range into p->hdr and set
 * p->body_off / body_end. */
static void parse_headers(mime *m, sl_part *p, int mode)
{
	sl_result *r = m->r;
	const unsigned char *s = r->src;
	size_t pos = p->off, lim = p->end;
	sl_header *hdr = NULL;
	size_t n = 0, alloc = 0;
	sl_tb tb;
	int open = 0, over = 0, skipping = 0, first = 1;

	p->body_off = lim;
	p->body_end = lim;
	if (mode == HB_ROOT && lim - pos >= 3 && (unsigned char)s[pos] == 0xEF &&
	    (unsigned char)s[pos + 1] == 0xBB && (unsigned char)s[pos + 2] == 0xBF)
		pos += 3; /* a UTF-8 byte order mark some exporters write */
	if (mode == HB_ROOT && lim - pos >= 5 && !memcmp(s + pos, "From ", 5))
		pos = line_at(s, pos, lim).next; /* mbox envelope line */
	while (pos < lim) {
		line l = line_at(s, pos, lim);
		int cont = is_blank(s[l.off]) && l.end > l.off;
		if (open && !cont) {
			field_finish(r, &hdr[n - 1], &tb);
			open = 0;
		}
		if (l.end == l.off) {
			p->body_off = l.next; /* the blank line ends the header */
			break;
		}
		check_line_length(r, l);
		if (cont && first && mode == HB_BODYPART) {
			/* indented text, not a folded field */
			header_cut(r, l, 1);
			p->body_off = l.off;
			break;
		}
		if (cont) {
			if (open) {
				field_add(r, &tb, l.off, l.end, &over);
				hdr[n - 1].end = l.end;
			} else if (!skipping) {
				diag_input(r, "input/bad-header-line", SL_WARNING,
				           src_span(l.off, l.end),
				           "folded header line with no field before it");
			}
			first = 0;
			pos = l.next;
			continue;
		}
		size_t ne, colon;
		if (!field_name(s, l.off, l.end, &ne, &colon)) {
			header_cut(r, l, first && mode == HB_BODYPART);
			p->body_off = l.off;
			break;
		}
		first = 0;
		pos = l.next;
		if (n >= r->lim.header_count) {
			if (!skipping)
				limit_reached(r, "header-count", r->lim.header_count,
				              src_span(l.off, l.end));
			skipping = 1;
			continue;
		}
		if (ne < colon)
			diag_input(r, "input/obsolete-header-syntax", SL_NOTE,
			           src_span(ne, colon),
			           "blank before the colon of '%.*s' is obsolete "
			           "syntax (RFC 5322 4.5)", (int)(ne - l.off),
			           (const char *)s + l.off);
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			hdr = arena_grow(&r->arena, hdr, n, alloc, sizeof *hdr);
		}
		sl_header *h = &hdr[n++];
		memset(h, 0, sizeof *h);
		h->name = (sl_str){ (const char *)s + l.off, ne - l.off };
		h->off = l.off;
		h->end = l.end;
		h->value_off = colon + 1;
		tb_init(&tb, &r->arena, r->lim.header_line);
		over = 0;
		field_add(r, &tb, colon + 1, l.end, &over);
		open = 1;
	}
	if (open)
		field_finish(r, &hdr[n - 1], &tb);
	p->hdr = hdr;
	p->nhdr = n;
}

/* Report every field named name after the first one of p. */
static void check_duplicates(sl_result *r, const sl_part *p, const char *name)
{
	int seen = 0;
	for (size_t i = 0; i < p->nhdr; i++) {
		if (!str_ieq(p->hdr[i].name, name))
			continue;
		if (seen++)
			diag_input(r, "input/duplicate-header", SL_WARNING,
			           field_span(&p->hdr[i]),
			           "duplicate '%s' field; the first one is used", name);
	}
}

/* --- structured values (RFC 2045 5.1, RFC 2231) ------------------------ */

static int lx_peek(const lex *x)
{
	return x->i < x->t->len ? (unsigned char)x->t->p[x->i] : -1;
}

/* Skip blanks and (nested) comments. */
static void lx_cfws(lex *x)
{
	while (x->i < x->t->len) {
		int c = (unsigned char)x->t->p[x->i];
		if (is_space(c)) {
			x->i++;
			continue;
		}
		if (c != '(')
			return;
		size_t depth = 0;
		while (x->i < x->t->len) {
			c = (unsigned char)x->t->p[x->i++];
			if (c == '\\' && x->i < x->t->len)
				x->i++;
			else if (c == '(')
				depth++;
			else if (c == ')' && --depth == 0)
				break;
		}
	}
}

static int lx_token(lex *x, size_t *a, size_t *b)
{
	*a = x->i;
	while (x->i < x->t->len && is_token((unsigned char)x->t->p[x->i]))
		x->i++;
	*b = x->i;
	return *b > *a;
}

static void lx_skip_to_semicolon(lex *x)
{
	while (x->i < x->t->len && x->t->p[x->i] != ';')
		x->i++;
}

/* A parameter value: a quoted string (quoted-pairs unescaped, each an
 * atomic replacement) or, leniently, anything up to ';' or a blank. */
static void lx_value(sl_result *r, lex *x, sl_text *out, sl_span *sp)
{
	const sl_text *t = x->t;
	if (lx_peek(x) != '"') {
		size_t a = x->i;
		while (x->i < t->len) {
			int c = (unsigned char)t->p[x->i];
			if (c == ';' || c == '"' || c == '(' || is_space(c))
				break;
			x->i++;
		}
		text_slice(out, &r->arena, t, a, x->i);
		*sp = text_span(t, a, x->i);
		return;
	}
	size_t q = x->i++, a = x->i, start = x->i;
	sl_tb tb;
	tb_init(&tb, &r->arena, r->lim.header_line);
	int closed = 0;
	while (x->i < t->len) {
		int c = (unsigned char)t->p[x->i];
		if (c == '"') {
			closed = 1;
			break;
		}
		if (c == '\\' && x->i + 1 < t->len) {
			tb_copy(&tb, t, start, x->i - start);
			tb_replace(&tb, t->p + x->i + 1, 1, t, x->i, 2);
			x->i += 2;
			start = x->i;
			continue;
		}
		x->i++;
	}
	tb_copy(&tb, t, start, x->i - start);
	tb_finish(&tb, out);
	if (out->nseg == 0)
		text_slice(out, &r->arena, t, a, a);
	*sp = text_span(t, a, x->i);
	if (closed)
		x->i++;
	else
		diag_input(r, "input/bad-parameter", SL_WARNING, text_span(t, q, x->i),
		           "quoted string has no closing quote");
}

/* Split an attribute name into base name, RFC 2231 section and ext. */
static void param_name(sl_result *r, mparam *pm, const char *p, size_t n)
{
	pm->section = -1;
	pm->ext = 0;
	if (n > 1 && p[n - 1] == '*') {
		pm->ext = 1;
		n--;
	}
	size_t d = n;
	while (d > 0 && p[d - 1] >= '0' && p[d - 1] <= '9')
		d--;
	if (d < n && d > 1 && p[d - 1] == '*' && n - d <= MIME_SECTION_DIGITS &&
	    (n - d == 1 || p[d] != '0')) {
		long v = 0;
		for (size_t i = d; i < n; i++)
			v = v * 10 + (p[i] - '0');
		pm->section = v;
		n = d - 1;
	}
	pm->name = str_lower_dup(&r->arena, (sl_str){ p, n });
}

/* The parameters after a type: *(";" attribute "=" value), read leniently
 * with a diagnostic for each departure from RFC 2045. */
static void parse_params(sl_result *r, lex *x, mparams *ps)
{
	const sl_text *t = x->t;
	while (x->i < t->len) {
		int semi = 0;
		lx_cfws(x);
		while (lx_peek(x) == ';') {
			x->i++;
			semi = 1;
			lx_cfws(x);
		}
		if (x->i >= t->len)
			break;
		size_t a, b;
		if (!lx_token(x, &a, &b)) {
			diag_input(r, "input/bad-parameter", SL_WARNING,
			           text_span(t, x->i, x->i + 1),
			           "unexpected '%s' in the parameters",
			           shown_char(r, lx_peek(x)));
			x->i++;
			lx_skip_to_semicolon(x);
			continue;
		}
		const char *nm = shown(r, t->p + a, b - a);
		if (!semi)
			diag_input(r, "input/bad-parameter", SL_WARNING,
			           text_span(t, a, b),
			           "missing ';' before parameter '%s'", nm);
		lx_cfws(x);
		if (lx_peek(x) != '=') {
			diag_input(r, "input/bad-parameter", SL_WARNING,
			           text_span(t, a, b), "parameter '%s' has no value", nm);
			lx_skip_to_semicolon(x);
			continue;
		}
		x->i++;
		lx_cfws(x);
		if (ps->n == ps->alloc) {
			size_t na = ps->alloc ? ps->alloc * 2 : 8;
			ps->v = arena_grow(&r->arena, ps->v, ps->n, na, sizeof *ps->v);
			ps->alloc = na;
		}
		mparam *pm = &ps->v[ps->n++];
		param_name(r, pm, t->p + a, b - a);
		lx_value(r, x, &pm->val, &pm->span);
	}
}

/* Percent-decode val[from..) into tb (RFC 2231 extended value). */
static void pct_decode(sl_result *r, sl_tb *tb, const mparam *pm, size_t from)
{
	const sl_text *v = &pm->val;
	size_t start = from, i = from;
	int bad = 0;
	while (i < v->len) {
		if (v->p[i] != '%') {
			i++;
			continue;
		}
		int hi = i + 2 < v->len ? hexval((unsigned char)v->p[i + 1]) : -1;
		int lo = i + 2 < v->len ? hexval((unsigned char)v->p[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			if (!bad++)
				diag_input(r, "input/bad-parameter", SL_WARNING,
				           text_span(v, i, i + 3 < v->len ? i + 3 : v->len),
				           "invalid percent-encoding in parameter '%s'",
				           pm->name);
			i++;
			continue;
		}
		char c = (char)(hi * 16 + lo);
		tb_copy(tb, v, start, i - start);
		tb_replace(tb, &c, 1, v, i, 3);
		i += 3;
		start = i;
	}
	tb_copy(tb, v, start, v->len - start);
}

static int section_cmp(const void *a, const void *b)
{
	const mparam *x = *(const mparam *const *)a, *y = *(const mparam *const *)b;
	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Join RFC 2231 sections v[0..n) (sorted; one unsectioned extended value
 * counts as section 0) and convert from their declared charset. */
static void rfc2231(sl_result *r, mparam **v, size_t n, sl_text *out,
                    sl_span *sp, int *utf8)
{
	sl_tb tb;
	tb_init(&tb, &r->arena, r->lim.header_line);
	const char *cs = NULL;
	sl_span cs_span = v[0]->span;
	size_t last = 0;
	for (size_t k = 0, want = 0; k < n; k++) {
		const mparam *pm = v[k];
		long sec = pm->section < 0 ? 0 : pm->section;
		if (k > 0 && sec == v[k - 1]->section) {
			diag_input(r, "input/duplicate-parameter", SL_WARNING, pm->span,
			           "duplicate section %ld of parameter '%s'; the first "
			           "one is used", sec, pm->name);
			continue;
		}
		if (sec != (long)want) {
			diag_input(r, "input/bad-parameter", SL_WARNING, pm->span,
			           "parameter '%s' has no section %zu before section %ld",
			           pm->name, want, sec);
			break;
		}
		want++;
		last = k;
		size_t from = 0;
		if (k == 0 && pm->ext) {
			const char *q1 = memchr(pm->val.p, '\'', pm->val.len);
			const char *q2 = q1 ? memchr(q1 + 1, '\'',
			                             pm->val.len - (size_t)(q1 + 1 - pm->val.p))
			                    : NULL;
			if (q2) {
				size_t cl = (size_t)(q1 - pm->val.p);
				cs = str_lower_dup(&r->arena, (sl_str){ pm->val.p, cl });
				cs_span = text_span(&pm->val, 0, cl);
				from = (size_t)(q2 + 1 - pm->val.p);
			} else {
				diag_input(r, "input/bad-parameter", SL_WARNING, pm->span,
				           "extended parameter '%s' has no charset'language' "
				           "prefix", pm->name);
			}
		}
		if (pm->ext)
			pct_decode(r, &tb, pm, from);
		else
			tb_copy(&tb, &pm->val, 0, pm->val.len);
	}
	sl_text bytes;
	tb_finish(&tb, &bytes);
	if (bytes.nseg == 0)
		text_slice(&bytes, &r->arena, &v[0]->val, 0, 0);
	*sp = (sl_span){ v[0]->span.off, v[last]->span.end, 0 };
	if (cs && *cs) {
		charset_to_utf8(r, cs, &bytes, out, cs_span);
		*utf8 = 1;
	} else {
		*out = bytes;
	}
}

/* The value of parameter name: RFC 2231 forms first (sections joined and
 * charset-converted, then *utf8 is set), then the plain one.  0 if
 * absent. */
static int param_get(sl_result *r, const mparams *ps, const char *name,
                     sl_text *out, sl_span *sp, int *utf8)
{
	*utf8 = 0;
	mparam **sec = NULL, *plain = NULL, *ext = NULL;
	size_t nsec = 0;
	for (size_t i = 0; i < ps->n; i++) {
		mparam *pm = &ps->v[i];
		if (strcmp(pm->name, name))
			continue;
		if (pm->section >= 0) {
			if (!sec)
				sec = arena_array(&r->arena, ps->n, sizeof *sec);
			sec[nsec++] = pm;
			continue;
		}
		mparam **slot = pm->ext ? &ext : &plain;
		if (*slot)
			diag_input(r, "input/duplicate-parameter", SL_WARNING, pm->span,
			           "duplicate parameter '%s%s'; the first one is used",
			           name, pm->ext ? "*" : "");
		else
			*slot = pm;
	}
	if (nsec) {
		qsort(sec, nsec, sizeof *sec, section_cmp);
		if (sec[0]->section == 0) {
			rfc2231(r, sec, nsec, out, sp, utf8);
			return 1;
		}
		diag_input(r, "input/bad-parameter", SL_WARNING, sec[0]->span,
		           "parameter '%s' has section %ld but no section 0; it is "
		           "ignored", name, sec[0]->section);
	}
	if (ext) {
		rfc2231(r, &ext, 1, out, sp, utf8);
		return 1;
	}
	if (plain) {
		*out = plain->val;
		*sp = plain->span;
		return 1;
	}
	return 0;
}

/* Parse "type/subtype; params" or, with slash 0, "token; params" from a
 * field.  Returns 0 (nothing set) if the leading token(s) are missing. */
static int parse_structured(sl_result *r, const sl_header *h, int slash,
                            sl_str *type, sl_str *subtype, mparams *ps)
{
	lex x = { &h->raw, 0 };
	size_t a, b, c, d;
	lx_cfws(&x);
	if (!lx_token(&x, &a, &b))
		return 0;
	if (slash) {
		lx_cfws(&x);
		if (lx_peek(&x) != '/')
			return 0;
		x.i++;
		lx_cfws(&x);
		if (!lx_token(&x, &c, &d))
			return 0;
		*subtype = (sl_str){ h->raw.p + c, d - c };
	}
	*type = (sl_str){ h->raw.p + a, b - a };
	parse_params(r, &x, ps);
	return 1;
}

/* --- the parts' fields --------------------------------------------------- */

/* RFC 2046 5.1.1: 1-70 bchars, not ending in a space. */
static void check_boundary(sl_result *r, const char *b, sl_span sp)
{
	size_t n = strlen(b);
	if (!n)
		return;
	const char *ok = "'()+_,-./:=? ";
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || strchr(ok, c)))
			bad = 1;
	}
	if (n > MIME_BOUNDARY_MAX)
		diag_input(r, "input/bad-boundary", SL_WARNING, sp,
		           "boundary of %zu characters is longer than the %d "
		           "RFC 2046 allows", n, MIME_BOUNDARY_MAX);
	else if (bad || b[n - 1] == ' ')
		diag_input(r, "input/bad-boundary", SL_WARNING, sp,
		           "boundary '%s' has characters RFC 2046 does not allow",
		           shown(r, b, n));
}

/* Content-Type: type, subtype, charset, boundary; *ps keeps the
 * parameters for the filename fallback ("name"). */
static const sl_header *content_type(mime *m, sl_part *p, mparams *ps)
{
	sl_result *r = m->r;
	int digest = p->parent && streq(p->parent->type, "multipart") &&
	             streq(p->parent->subtype, "digest");
	/* RFC 2045 5.2 and RFC 2046 5.1.5 */
	p->type = digest ? "message" : "text";
	p->subtype = digest ? "rfc822" : "plain";
	check_duplicates(r, p, "Content-Type");
	const sl_header *h = part_header(p, "Content-Type");
	if (!h)
		return NULL;
	sl_str type = { 0 }, sub = { 0 };
	if (!parse_structured(r, h, 1, &type, &sub, ps)) {
		diag_input(r, "input/bad-content-type", SL_WARNING, value_span(h),
		           "invalid content type '%s'; read as 'text/plain'",
		           shown(r, h->value.p, h->value.len));
		p->type = "text";
		p->subtype = "plain";
		return h;
	}
	p->type = str_lower_dup(&r->arena, type);
	p->subtype = str_lower_dup(&r->arena, sub);
	sl_text v;
	sl_span sp;
	int utf8;
	if (param_get(r, ps, "charset", &v, &sp, &utf8)) {
		p->charset = str_lower_dup(&r->arena, (sl_str){ v.p, v.len });
		p->charset_decl = sp;
	}
	if (param_get(r, ps, "boundary", &v, &sp, &utf8) && v.len &&
	    !memchr(v.p, 0, v.len)) {
		p->boundary = arena_strndup(&r->arena, v.p, v.len);
		if (streq(p->type, "multipart"))
			check_boundary(r, p->boundary, sp);
	}
	return h;
}

static int identity_encoding(const char *e)
{
	return streq(e, "7bit") || streq(e, "8bit") || streq(e, "binary");
}

static void transfer_encoding(mime *m, sl_part *p)
{
	sl_result *r = m->r;
	p->encoding = "7bit";
	check_duplicates(r, p, "Content-Transfer-Encoding");
	const sl_header *h = part_header(p, "Content-Transfer-Encoding");
	if (!h)
		return;
	lex x = { &h->raw, 0 };
	size_t a, b;
	lx_cfws(&x);
	if (!lx_token(&x, &a, &b)) {
		diag_input(r, "input/unknown-encoding", SL_WARNING, value_span(h),
		           "empty or invalid transfer encoding; read as '7bit'");
		return;
	}
	p->encoding = str_lower_dup(&r->arena, (sl_str){ h->raw.p + a, b - a });
	/* decode_part reports those of text parts, structure() those of
	 * multipart and message parts */
	if (streq(p->type, "text") || streq(p->type, "multipart") ||
	    streq(p->type, "message"))
		return;
	if (!identity_encoding(p->encoding) && !streq(p->encoding, "base64") &&
	    !streq(p->encoding, "quoted-printable") &&
	    !streq(p->encoding, "x-uuencode") && !streq(p->encoding, "x-uue") &&
	    !streq(p->encoding, "uuencode"))
		diag_input(r, "input/unknown-encoding", SL_WARNING,
		           text_span(&h->raw, a, b), "unknown transfer encoding '%s'",
		           shown(r, p->encoding, b - a));
}

/* The filename: Content-Disposition's filename, else Content-Type's name;
 * RFC 2231 values are decoded by param_get, RFC 2047 words (common though
 * not allowed there) and raw 8-bit bytes here. */
static void filename(mime *m, sl_part *p, const mparams *disp, const mparams *ct)
{
	sl_result *r = m->r;
	sl_text v, u;
	sl_span sp;
	int utf8;
	if (!param_get(r, disp, "filename", &v, &sp, &utf8) &&
	    !param_get(r, ct, "name", &v, &sp, &utf8))
		return;
	int high = 0, word = 0;
	for (size_t i = 0; i < v.len; i++) {
		if ((unsigned char)v.p[i] >= 0x80)
			high = 1;
		if (v.p[i] == '=' && i + 1 < v.len && v.p[i + 1] == '?')
			word = 1;
	}
	if (word && !utf8) {
		decode_header_value(r, &v, &u);
		v = u;
	} else if (high && !utf8) {
		charset_to_utf8(r, NULL, &v, &u, sp);
		v = u;
	}
	p->filename = arena_strndup(&r->arena, v.p, v.len);
}

static void disposition(mime *m, sl_part *p, const mparams *ct)
{
	sl_result *r = m->r;
	mparams ps = { 0 };
	check_duplicates(r, p, "Content-Disposition");
	const sl_header *h = part_header(p, "Content-Disposition");
	if (h) {
		sl_str type = { 0 };
		if (parse_structured(r, h, 0, &type, NULL, &ps))
			p->disposition = str_lower_dup(&r->arena, type);
		else
			diag_input(r, "input/bad-content-disposition", SL_WARNING,
			           value_span(h), "invalid content disposition '%s'",
			           shown(r, h->value.p, h->value.len));
	}
	filename(m, p, &ps, ct);
	p->attachment = streq(p->disposition, "attachment") ||
	                (p->filename && !streq(p->type, "text"));
}

/* --- structure ----------------------------------------------------------- */

/* 0: not a delimiter line; 1: "--boundary"; 2: "--boundary--".  Only
 * blanks may follow (RFC 2046 5.1.1 transport padding). */
static int delimiter(const unsigned char *s, line l, const char *b, size_t blen)
{
	size_t n = l.end - l.off, i = l.off + 2 + blen;
	if (n < 2 + blen || s[l.off] != '-' || s[l.off + 1] != '-' ||
	    memcmp(s + l.off + 2, b, blen))
		return 0;
	int close = 0;
	if (l.end - i >= 2 && s[i] == '-' && s[i + 1] == '-') {
		close = 1;
		i += 2;
	}
	for (; i < l.end; i++)
		if (!is_blank(s[i]) && s[i] != '\r')
			return 0;
	return close ? 2 : 1;
}

/* Where the line break before the delimiter line at off begins (it
 * belongs to the delimiter), but not before floor. */
static size_t break_before(const unsigned char *s, size_t off, size_t floor)
{
	if (off > floor && s[off - 1] == '\n') {
		off--;
		if (off > floor && s[off - 1] == '\r')
			off--;
	}
	return off;
}

/* Cut a multipart body at its delimiter lines into child parts and queue
 * them.  Candidate lines are found with memmem on "\n--boundary" (linear
 * time in glibc), so a level costs one pass over its body whatever its
 * lines look like. */
static void split_multipart(mime *m, sl_part *p, const sl_header *ct)
{
	sl_result *r = m->r;
	const unsigned char *s = r->src;
	size_t blen = strlen(p->boundary), pos = p->body_off, end = p->body_end;
	const char *needle = arena_printf(&r->arena, "\n--%s", p->boundary);
	sl_part **kids = NULL, *cur = NULL;
	size_t nk = 0, ka = 0;
	int closed = 0, stopped = 0, first = 1;
	while (pos < end) {
		size_t lo = pos;
		if (!first) {
			const unsigned char *hit = memmem(s + pos, end - pos, needle, blen + 3);
			if (!hit)
				break;
			lo = (size_t)(hit - s) + 1;
		}
		first = 0;
		line l = line_at(s, lo, end);
		/* go on from this line's LF: it may precede a delimiter */
		pos = l.next > lo && s[l.next - 1] == '\n' ? l.next - 1 : l.next;
		int k = delimiter(s, l, p->boundary, blen);
		if (!k)
			continue;
		if (cur) {
			cur->end = break_before(s, l.off, cur->off);
			cur = NULL;
		}
		if (k == 2) {
			closed = 1;
			break;
		}
		cur = new_child(m, p, l.next, end, src_span(l.off, l.end));
		if (!cur) {
			stopped = 1;
			break;
		}
		if (nk == ka) {
			ka = ka ? ka * 2 : 4;
			kids = arena_grow(&r->arena, kids, nk, ka, sizeof *kids);
		}
		kids[nk++] = cur;
	}
	if (!nk && !stopped)
		diag_input(r, "input/empty-multipart", SL_ERROR, value_span(ct),
		           "no line '--%s' delimits a part in this multipart body",
		           shown(r, p->boundary, blen));
	else if (!closed && !stopped)
		diag_input(r, "input/unterminated-multipart", SL_WARNING,
		           src_span(p->body_end, p->body_end),
		           "multipart body ends without its closing line '--%s--'",
		           shown(r, p->boundary, blen));
	p->child = kids;
	p->nchild = nk;
	for (size_t i = nk; i-- > 0;)
		push(m, kids[i]);
}

/* Queue the message enclosed in a message/rfc822 part. */
static void enclosed_message(mime *m, sl_part *p)
{
	sl_result *r = m->r;
	const sl_header *cte = part_header(p, "Content-Transfer-Encoding");
	if (!identity_encoding(p->encoding) && cte) {
		diag_input(r, "input/bad-encoding", SL_WARNING, value_span(cte),
		           "'%s' encoding is not allowed on a message/%s part; the "
		           "enclosed message is not checked", p->encoding, p->subtype);
		return;
	}
	sl_part *c = new_child(m, p, p->body_off, p->body_end,
	                       src_span(p->body_off, p->body_off));
	if (!c)
		return;
	p->child = arena_alloc(&r->arena, sizeof *p->child);
	p->child[0] = c;
	p->nchild = 1;
	push(m, c);
}

static void structure(mime *m, sl_part *p, const sl_header *ct)
{
	sl_result *r = m->r;
	int multi = streq(p->type, "multipart");
	int msg = streq(p->type, "message") &&
	          (streq(p->subtype, "rfc822") || streq(p->subtype, "global"));
	if (!multi && !msg)
		return;
	/* a digest's default message/rfc822 has no field to point at */
	sl_span at = ct ? value_span(ct) : src_span(p->off, p->off);
	if ((size_t)p->depth >= r->lim.mime_depth) {
		limit_reached(r, "mime-depth", r->lim.mime_depth, at);
		return;
	}
	if (msg) {
		enclosed_message(m, p);
		return;
	}
	const sl_header *cte = part_header(p, "Content-Transfer-Encoding");
	if (!identity_encoding(p->encoding) && cte) {
		diag_input(r, "input/bad-encoding", SL_WARNING, value_span(cte),
		           "'%s' encoding is not allowed on a multipart part; it "
		           "is ignored", p->encoding);
	}
	if (!p->boundary) {
		diag_input(r, "input/missing-boundary", SL_ERROR, at,
		           "multipart content type has no 'boundary' parameter; "
		           "its parts cannot be found");
		return;
	}
	split_multipart(m, p, ct);
}

/* Root-only checks: MIME-Version, and an HTML body with no Content-Type
 * (read as HTML, since that is what the author meant). */
static void root_checks(mime *m, sl_part *p, const sl_header *ct)
{
	sl_result *r = m->r;
	check_duplicates(r, p, "MIME-Version");
	const sl_header *mv = part_header(p, "MIME-Version");
	if (mv) {
		lex x = { &mv->raw, 0 };
		size_t a, b;
		lx_cfws(&x);
		int ok = lx_token(&x, &a, &b) && b - a == 3 &&
		         !memcmp(mv->raw.p + a, "1.0", 3);
		lx_cfws(&x);
		if (!ok || x.i < mv->raw.len)
			diag_input(r, "input/bad-mime-version", SL_WARNING,
			           value_span(mv), "MIME-Version is '%s', not '1.0'",
			           shown(r, mv->value.p, mv->value.len));
	}
	/* a missing MIME-Version is a deliverability finding, not an input
	 * one: rules.d/deliverability/mime-version-missing */
	if (ct || p->body_off >= p->body_end)
		return;
	size_t n = p->body_end - p->body_off;
	if (!kind_opens_with_markup(r->src + p->body_off, n))
		return;
	p->subtype = "html";
	sl_text body;
	sl_span decl = { 0, 0, 0 };
	text_identity(&body, &r->arena, (const char *)r->src, p->body_off, n);
	p->charset = charset_sniff_html(r, &body, &decl);
	if (p->charset)
		p->charset_decl = decl;
	if (mv || part_header(p, "From")) {
		line l = line_at(r->src, p->body_off, p->body_end);
		diag_input(r, "input/html-without-content-type", SL_WARNING,
		           src_span(l.off, l.end),
		           "body looks like HTML but the message has no "
		           "'Content-Type: text/html'; mail clients will show the "
		           "tags as text");
	}
}

static void read_part(mime *m, sl_part *p)
{
	int mode = !p->parent ? HB_ROOT :
	           streq(p->parent->type, "message") ? HB_MESSAGE : HB_BODYPART;
	mparams ctp = { 0 };
	parse_headers(m, p, mode);
	const sl_header *ct = content_type(m, p, &ctp);
	transfer_encoding(m, p);
	disposition(m, p, &ctp);
	if (!p->parent)
		root_checks(m, p, ct);
	structure(m, p, ct);
}

/* --- entry point ---------------------------------------------------------- */

static void template_part(sl_result *r)
{
	sl_part *p = arena_zalloc(&r->arena, sizeof *p);
	p->type = "text";
	p->subtype = r->doc.kind == SL_KIND_HTML ? "html" : "plain";
	p->encoding = "8bit";
	p->off = p->body_off = 0;
	p->end = p->body_end = r->len;
	if (r->doc.kind == SL_KIND_HTML) {
		sl_span decl = { 0, 0, 0 };
		const char *cs = charset_sniff_html(r, &r->srctext, &decl);
		if (cs) {
			p->charset = cs;
			p->charset_decl = decl;
		}
	}
	r->doc.root = p;
	r->doc.parts = arena_alloc(&r->arena, sizeof *r->doc.parts);
	r->doc.parts[0] = p;
	r->doc.nparts = 1;
	decode_part(r, p);
}

void mime_parse(sl_result *r)
{
	if (r->doc.kind != SL_KIND_EML) {
		template_part(r);
		return;
	}
	mime m = { .r = r, .created = 1 };
	sl_part *root = arena_zalloc(&r->arena, sizeof *root);
	root->off = 0;
	root->end = r->len;
	push(&m, root);
	while (m.nstack) {
		sl_part *p = m.stack[--m.nstack];
		add_part(&m, p);
		read_part(&m, p);
	}
	r->doc.root = root;
	r->doc.parts = m.parts;
	r->doc.nparts = m.nparts;
	r->doc.subject = part_header(root, "Subject");
	for (size_t i = 0; i < m.nparts; i++) {
		sl_part *p = m.parts[i];
		if (streq(p->type, "text") && !p->nchild)
			decode_part(r, p);
		else if (!p->nchild && !streq(p->type, "multipart") &&
		         !streq(p->type, "message"))
			decode_check(r, p);
	}
}
