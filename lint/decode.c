/*
 * decode.c - transfer decoding of MIME bodies and RFC 2047 decoding of
 * header values, into UTF-8 texts that map to the original file.
 *
 * In: a part's body bytes (r->srctext[body_off, body_end)), its
 * Content-Transfer-Encoding and charset; or a header's unfolded raw value.
 * Out: p->text (has_text set) or the decoded, trimmed header value.
 * Quoted-printable escapes become one replacement per character (a UTF-8
 * sequence split over =XX escapes stays together), base64 one replacement
 * per encoded line, encoded words one replacement per word (or per run of
 * same-charset words); everything copied is exact.  charset.c then turns
 * the bytes into UTF-8.  Limits: every decoded text counts against
 * lim.decoded_size (r->decoded); past it the text is cut and
 * input/limit-decoded-size is reported once.
 */
#include "internal.h"

/* Base64 output is mapped per encoded line; a line longer than this many
 * decoded bytes (a body with no line breaks) is cut into pieces so that a
 * position inside it still means something. */
#define B64_CHUNK 3072

/* Longest charset name accepted in an encoded word. */
#define EW_CHARSET_MAX 64

static size_t budget(const sl_result *r)
{
	size_t lim = r->lim.decoded_size ? r->lim.decoded_size : SL_DEFAULT_DECODED_SIZE;
	return r->decoded < lim ? lim - r->decoded : 0;
}

static int is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The value of each base64 character; B64_BAD for any other byte.
 * (Every arm is masked so that no constant overflows the table's type.) */
#define B64_BAD 0x80
#define B64V(c) \
	((c) >= 'A' && (c) <= 'Z' ? ((c) - 'A') & 63 : \
	 (c) >= 'a' && (c) <= 'z' ? ((c) - 'a' + 26) & 63 : \
	 (c) >= '0' && (c) <= '9' ? ((c) - '0' + 52) & 63 : \
	 (c) == '+' ? 62 : (c) == '/' ? 63 : B64_BAD)
#define T4(c) B64V(c), B64V((c) + 1), B64V((c) + 2), B64V((c) + 3)
#define T16(c) T4(c), T4((c) + 4), T4((c) + 8), T4((c) + 12)
#define T64(c) T16(c), T16((c) + 16), T16((c) + 32), T16((c) + 48)
static const unsigned char b64tab[256] = { T64(0), T64(64), T64(128), T64(192) };
#undef B64V
#undef T4
#undef T16
#undef T64

static int b64val(int c)
{
	unsigned v = b64tab[c & 0xFF];
	return v == B64_BAD ? -1 : (int)v;
}

/* A byte for a message: itself if printable, else \xNN. */
static const char *show_byte(sl_arena *a, unsigned char c)
{
	if (c > 0x20 && c < 0x7F && c != '\'')
		return arena_printf(a, "%c", c);
	return arena_printf(a, "\\x%02x", c);
}

/* --- the output ---------------------------------------------------------- */

typedef struct dec {
	sl_result *r;
	const sl_text *in;
	const unsigned char *p;
	size_t n;
	sl_tb tb;
	int stop;              /* decoded-size limit reached */
} dec;

static void dec_init(dec *d, sl_result *r, const sl_text *in)
{
	d->r = r;
	d->in = in;
	d->p = (const unsigned char *)in->p;
	d->n = in->len;
	d->stop = 0;
	tb_init(&d->tb, &r->arena, budget(r));
}

static void dec_limit(dec *d, size_t off)
{
	d->stop = 1;
	limit_reached(d->r, "decoded-size", d->r->lim.decoded_size,
	              text_span(d->in, off, off));
}

/* Copy in's bytes [off, off+len); past the limit copy what fits (not
 * cutting a UTF-8 sequence) and stop. */
static void dec_copy(dec *d, size_t off, size_t len)
{
	if (d->stop || !len)
		return;
	if (tb_copy(&d->tb, d->in, off, len) == 0)
		return;
	size_t room = d->tb.out.max - d->tb.out.len;
	if (room < len) {
		size_t k = room;
		while (k && (d->p[off + k] & 0xC0) == 0x80 && room - k < 3)
			k--;
		if ((d->p[off + k] & 0xC0) == 0x80)
			k = room;
		tb_copy(&d->tb, d->in, off, k);
		room = k;
	}
	dec_limit(d, off + room);
}

/* Emit s[0,n) as the replacement of in's bytes [off, off+len). */
static void dec_repl(dec *d, const char *s, size_t n, size_t off, size_t len)
{
	if (d->stop || !n)
		return;
	if (tb_replace(&d->tb, s, n, d->in, off, len) < 0)
		dec_limit(d, off);
}

/* --- quoted-printable (RFC 2045 6.7) ------------------------------------ */

typedef struct qp {
	dec d;
	char grp[4];           /* decoded bytes of the pending escapes */
	size_t glen, goff, gend;
	size_t nbad, bad_off;
} qp;

static void qp_flush(qp *q)
{
	if (q->glen)
		dec_repl(&q->d, q->grp, q->glen, q->goff, q->gend - q->goff);
	q->glen = 0;
}

/* An =XX escape at [off, off+3) decoding to b: it joins the pending group
 * when it continues a UTF-8 sequence, so one character is one replacement
 * even across a soft line break. */
static void qp_escape(qp *q, unsigned char b, size_t off)
{
	if (q->glen && q->glen < sizeof q->grp && (b & 0xC0) == 0x80) {
		q->grp[q->glen++] = (char)b;
		q->gend = off + 3;
		return;
	}
	qp_flush(q);
	q->grp[0] = (char)b;
	q->glen = 1;
	q->goff = off;
	q->gend = off + 3;
}

/* The content of one line, [a, b), without its soft break. */
static void qp_content(qp *q, size_t a, size_t b)
{
	const unsigned char *p = q->d.p;
	size_t i = a;
	while (i < b && !q->d.stop) {
		const unsigned char *e = memchr(p + i, '=', b - i);
		size_t eq = e ? (size_t)(e - p) : b;
		if (eq > i) {
			qp_flush(q);
			dec_copy(&q->d, i, eq - i);
			i = eq;
		}
		if (i >= b)
			break;
		int hi = i + 2 < b ? hexval(p[i + 1]) : -1;
		int lo = i + 2 < b ? hexval(p[i + 2]) : -1;
		if (hi >= 0 && lo >= 0) {
			qp_escape(q, (unsigned char)(hi << 4 | lo), i);
			i += 3;
		} else {
			/* kept literally (RFC 2045 6.7 note 2) */
			if (!q->nbad++)
				q->bad_off = i;
			qp_flush(q);
			dec_copy(&q->d, i, 1);
			i++;
		}
	}
}

static void qp_decode(sl_result *r, const sl_text *in, sl_text *out)
{
	qp q;
	memset(&q, 0, sizeof q);
	dec_init(&q.d, r, in);
	const unsigned char *p = q.d.p;
	size_t n = q.d.n, pos = 0, eq = 0;
	/* a segment per escape or soft break, about (a plain count: '=' is
	 * too frequent for a memchr per one) */
	for (size_t i = 0; i < n; i++)
		eq += p[i] == '=';
	eq++;
	tb_reserve(&q.d.tb, n, eq + 16);
	while (pos < n && !q.d.stop) {
		const unsigned char *nl = memchr(p + pos, '\n', n - pos);
		size_t brk = nl ? (size_t)(nl - p) : n, next = nl ? brk + 1 : n;
		if (nl && brk > pos && p[brk - 1] == '\r')
			brk--;
		/* whitespace before a line break was added in transport */
		size_t t = brk;
		while (t > pos && (p[t - 1] == ' ' || p[t - 1] == '\t'))
			t--;
		int soft = t > pos && p[t - 1] == '=';
		qp_content(&q, pos, soft ? t - 1 : t);
		if (!soft && nl) {
			qp_flush(&q);
			dec_copy(&q.d, brk, next - brk);
		}
		pos = next;
	}
	qp_flush(&q);
	if (q.nbad)
		diag_input(r, "input/bad-quoted-printable", SL_WARNING,
		           text_span(in, q.bad_off, q.bad_off + 1),
		           "'=' not followed by two hex digits or a line break, kept "
		           "as is (%zu in this part)", q.nbad);
	tb_finish(&q.d.tb, out);
}

/* --- base64 (RFC 2045 6.8) ---------------------------------------------- */

typedef struct b64 {
	dec d;
	char buf[B64_CHUNK + 3]; /* decoded bytes of the current line */
	size_t blen, boff, bend;
	int dry;                 /* check only: keep no decoded bytes */
} b64;

static void b64_flush(b64 *s)
{
	if (s->blen)
		dec_repl(&s->d, s->buf, s->blen, s->boff, s->bend - s->boff);
	s->blen = 0;
}

/* Append decoded bytes whose characters span [from, to). */
static void b64_out(b64 *s, const char *b, size_t n, size_t from, size_t to)
{
	if (s->dry) {
		s->bend = to;
		return;
	}
	if (!s->blen)
		s->boff = from;
	memcpy(s->buf + s->blen, b, n);
	s->blen += n;
	s->bend = to;
	if (s->blen >= B64_CHUNK)
		b64_flush(s);
}

/* Decode base64 into out; dry: only report what is wrong (out empty). */
static void b64_run(sl_result *r, const sl_text *in, sl_text *out, int dry)
{
	b64 s;
	s.blen = s.boff = s.bend = 0;
	s.dry = dry;
	dec_init(&s.d, r, in);
	const unsigned char *p = s.d.p;
	size_t n = s.d.n;
	if (!dry)
		tb_reserve(&s.d.tb, n / 4 * 3 + 3, n / 64 + 16);
	uint32_t acc = 0;
	int nq = 0, done = 0, pad_need = 0;
	size_t quad_off = 0, nbad = 0, bad_off = 0, pad_off = 0, junk_off = 0, junk_end = 0;
	const char *pad_msg = NULL;
	for (size_t pos = 0; pos < n && !s.d.stop; pos++) {
		/* whole quads of base64 characters, the bulk of any body, four
		 * table lookups a step; anything else goes the long way */
		if (nq == 0 && !done) {
			while (n - pos >= 4 && !s.d.stop) {
				unsigned a = b64tab[p[pos]], b = b64tab[p[pos + 1]];
				unsigned c = b64tab[p[pos + 2]], d = b64tab[p[pos + 3]];
				if ((a | b | c | d) & B64_BAD)
					break;
				if (dry) {
					s.bend = pos + 4;
				} else {
					uint32_t v = a << 18 | b << 12 | c << 6 | d;
					char o[3] = { (char)(v >> 16), (char)(v >> 8), (char)v };
					b64_out(&s, o, 3, pos, pos + 4);
				}
				pos += 4;
			}
			if (pos >= n || s.d.stop)
				break;
		}
		unsigned c = p[pos];
		if (c == '\n') {
			b64_flush(&s);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
			continue;
		if (done) {
			if (pad_need && c == '=') {
				pad_need = 0;
				if (s.blen || s.dry)
					s.bend = pos + 1;
				continue;
			}
			if (pad_need && !pad_msg) {
				pad_msg = "incomplete base64 padding: one '=' where two are needed";
				pad_off = pos;
			}
			pad_need = 0;
			if (!junk_end)
				junk_off = pos;
			junk_end = pos + 1;
			continue;
		}
		int v = b64val((int)c);
		if (v >= 0) {
			if (nq == 0)
				quad_off = pos;
			acc = acc << 6 | (uint32_t)v;
			if (++nq == 4) {
				char b[3] = { (char)(acc >> 16), (char)(acc >> 8), (char)acc };
				b64_out(&s, b, 3, quad_off, pos + 1);
				nq = 0;
				acc = 0;
			}
		} else if (c == '=') {
			if (nq >= 2) {
				char b[2] = { (char)(acc >> (nq == 2 ? 4 : 10)), (char)(acc >> 2) };
				b64_out(&s, b, (size_t)nq - 1, quad_off, pos + 1);
				pad_need = nq == 2;
				done = 1;
				nq = 0;
			} else if (!pad_msg) {
				pad_msg = "misplaced '=' padding in base64 data";
				pad_off = pos;
			}
		} else {
			if (!nbad++)
				bad_off = pos;
		}
	}
	if (nq == 1 && !pad_msg) {
		pad_msg = "base64 data ends with a lone character, ignored";
		pad_off = quad_off;
	} else if (nq >= 2) {
		char b[2] = { (char)(acc >> (nq == 2 ? 4 : 10)), (char)(acc >> 2) };
		b64_out(&s, b, (size_t)nq - 1, quad_off, n);
		if (!pad_msg) {
			pad_msg = "base64 data ends without its '=' padding";
			pad_off = quad_off;
		}
	} else if (pad_need && !pad_msg) {
		pad_msg = "incomplete base64 padding: one '=' where two are needed";
		pad_off = s.bend ? s.bend - 1 : 0;
	}
	b64_flush(&s);
	if (nbad)
		diag_input(r, "input/bad-base64", SL_WARNING,
		           text_span(in, bad_off, bad_off + 1),
		           "invalid character '%s' in base64 data, skipped (%zu in this part)",
		           show_byte(&r->arena, p[bad_off]), nbad);
	if (pad_msg)
		diag_input(r, "input/bad-base64", SL_WARNING,
		           text_span(in, pad_off, pad_off + 1), "%s", pad_msg);
	if (junk_end)
		diag_input(r, "input/bad-base64", SL_WARNING,
		           text_span(in, junk_off, junk_end),
		           "data after the end of the base64 padding, ignored");
	tb_finish(&s.d.tb, out);
}

static void b64_decode(sl_result *r, const sl_text *in, sl_text *out)
{
	b64_run(r, in, out, 0);
}

/* --- x-uuencode ------------------------------------------------------------ */

static int line_is(const unsigned char *p, size_t a, size_t b, const char *lit)
{
	size_t n = strlen(lit);
	return b - a >= n && !memcmp(p + a, lit, n);
}

/* uuencoded data: "begin MODE NAME", lines led by a length character,
 * "end".  Each line's bytes are one replacement.  Returns -1 (nothing
 * emitted) without a begin line. */
static int uu_decode(sl_result *r, const sl_text *in, sl_text *out)
{
	dec d;
	dec_init(&d, r, in);
	const unsigned char *p = d.p;
	size_t n = d.n, pos = 0;
	int begun = 0;
	while (pos < n && !d.stop) {
		const unsigned char *nl = memchr(p + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - p) : n, next = nl ? end + 1 : n;
		if (end > pos && p[end - 1] == '\r')
			end--;
		if (!begun) {
			begun = line_is(p, pos, end, "begin ");
		} else if (line_is(p, pos, end, "end")) {
			break;
		} else if (end > pos) {
			size_t want = (p[pos] - 32u) & 63u, got = 0;
			char buf[64];
			for (size_t i = pos + 1; i < end && got < want; i += 4) {
				unsigned v[4];
				for (int k = 0; k < 4; k++)
					v[k] = i + (size_t)k < end ? (p[i + (size_t)k] - 32u) & 63u : 0;
				unsigned char b[3] = { (unsigned char)(v[0] << 2 | v[1] >> 4),
				                       (unsigned char)(v[1] << 4 | v[2] >> 2),
				                       (unsigned char)(v[2] << 6 | v[3]) };
				for (int k = 0; k < 3 && got < want; k++)
					buf[got++] = (char)b[k];
			}
			if (want == 0)
				break;
			dec_repl(&d, buf, got, pos, end - pos);
		}
		pos = next;
	}
	if (!begun)
		return -1;
	tb_finish(&d.tb, out);
	return 0;
}

/* --- parts ------------------------------------------------------------------ */

/* The span of a header's value without surrounding whitespace. */
static sl_span value_span(const sl_header *h)
{
	const sl_text *t = &h->raw;
	size_t a = 0, b = t->len;
	while (a < b && is_wsp((unsigned char)t->p[a]))
		a++;
	while (b > a && is_wsp((unsigned char)t->p[b - 1]))
		b--;
	return text_span(t, a, b);
}

/* Where a part declares its charset: the value of the charset parameter
 * of its Content-Type field, else the field, else (a template) its
 * <meta>, else the start of the body. */
static sl_span charset_decl(sl_result *r, const sl_part *p)
{
	const sl_header *h = part_header(p, "Content-Type");
	if (!h) {
		sl_span sp = { p->body_off, p->body_off, 0 };
		if (!p->parent && p->nhdr == 0 && p->charset && p->subtype &&
		    !strcmp(p->subtype, "html"))
			charset_sniff_html(r, &r->srctext, &sp);
		return sp;
	}
	const char *s = h->raw.p;
	size_t n = h->raw.len, i = 0;
	int quoted = 0;
	/* skip the type/subtype, then look at each parameter */
	while (i < n) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == '\\' && quoted)
			i++;
		else if (s[i] == ';' && !quoted) {
			size_t a = i + 1;
			while (a < n && is_wsp((unsigned char)s[a]))
				a++;
			size_t e = a;
			while (e < n && s[e] != '=' && s[e] != ';')
				e++;
			sl_str name = str_trim((sl_str){ s + a, e - a });
			if (e < n && s[e] == '=' &&
			    (str_ieq(name, "charset") || str_ieq(name, "charset*"))) {
				size_t v = e + 1;
				while (v < n && is_wsp((unsigned char)s[v]))
					v++;
				size_t ve = v;
				if (v < n && s[v] == '"') {
					v++;
					ve = v;
					while (ve < n && s[ve] != '"')
						ve++;
				} else {
					while (ve < n && s[ve] != ';' && !is_wsp((unsigned char)s[ve]))
						ve++;
				}
				if (ve > v)
					return text_span(&h->raw, v, ve);
			}
		}
		i++;
	}
	return (sl_span){ h->off, h->end, 0 };
}

/* An empty text still has a position: the point off of the file. */
static void empty_at(sl_result *r, sl_text *t, size_t off)
{
	text_slice(t, &r->arena, &r->srctext, off, off);
}

void decode_part(sl_result *r, sl_part *p)
{
	size_t off = p->body_off < r->len ? p->body_off : r->len;
	size_t end = p->body_end < r->len ? p->body_end : r->len;
	if (end < off)
		end = off;
	/* the body in place: one exact segment, no copy */
	sl_seg *seg = arena_alloc(&r->arena, sizeof *seg);
	*seg = (sl_seg){ 0, end - off, off, end - off, 1 };
	sl_text body = { r->srctext.p + off, end - off, seg, 1 };
	sl_text raw;
	const char *enc = p->encoding ? p->encoding : "7bit";
	const sl_header *cte = part_header(p, "Content-Transfer-Encoding");
	if (!strcmp(enc, "quoted-printable")) {
		qp_decode(r, &body, &raw);
	} else if (!strcmp(enc, "base64")) {
		b64_decode(r, &body, &raw);
	} else if (!strcmp(enc, "7bit") || !strcmp(enc, "8bit") || !strcmp(enc, "binary")) {
		raw = body;
	} else if (!strcmp(enc, "x-uuencode") || !strcmp(enc, "x-uue") ||
	           !strcmp(enc, "uuencode")) {
		if (uu_decode(r, &body, &raw) < 0) {
			diag_input(r, "input/bad-uuencode", SL_WARNING,
			           cte ? value_span(cte) : (sl_span){ off, off, 0 },
			           "no 'begin' line in uuencoded data; shown as is");
			raw = body;
		}
	} else {
		sl_str e = { enc, strlen(enc) };
		if (e.len > 64)
			e.len = 64;
		char *shown = arena_strndup(&r->arena, e.p, e.len);
		for (char *c = shown; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7F || *c == '\'')
				*c = '?';
		diag_input(r, "input/unknown-encoding", SL_WARNING,
		           cte ? value_span(cte) : (sl_span){ off, off, 0 },
		           "unknown content-transfer-encoding '%s'; treated as 8bit", shown);
		raw = body;
	}
	/* a decoder's output is ours to share; a template is not a message */
	unsigned flags = raw.p != body.p ? CS_SHARE : 0;
	if (!p->parent && p->nhdr == 0 && r->doc.kind != SL_KIND_EML)
		flags |= CS_TEMPLATE;
	charset_to_utf8_ex(r, p->charset, &raw, &p->text, charset_decl(r, p), flags);
	if (p->text.len == 0)
		empty_at(r, &p->text, off);
	p->has_text = 1;
	r->decoded += p->text.len;
}

void decode_check(sl_result *r, sl_part *p)
{
	const char *enc = p->encoding ? p->encoding : "7bit";
	int is_qp = !strcmp(enc, "quoted-printable"), is_b64 = !strcmp(enc, "base64");
	if (!is_qp && !is_b64)
		return;
	size_t off = p->body_off < r->len ? p->body_off : r->len;
	size_t end = p->body_end < r->len ? p->body_end : r->len;
	if (end < off)
		end = off;
	sl_seg *seg = arena_alloc(&r->arena, sizeof *seg);
	*seg = (sl_seg){ 0, end - off, off, end - off, 1 };
	sl_text body = { r->srctext.p + off, end - off, seg, 1 };
	sl_text raw;
	if (is_qp)
		qp_decode(r, &body, &raw);
	else
		b64_run(r, &body, &raw, 1);
	/* the bytes are not kept: only the diagnostics matter */
}

/* --- RFC 2047 encoded words ---------------------------------------------- */

typedef struct ew {
	size_t off, end;       /* "=?" to past "?=", in the raw value */
	size_t cs, cs_end;     /* the charset name, without "*lang" (RFC 2231) */
	int q;                 /* Q encoding, else B */
	size_t tx, tx_end;     /* the encoded text */
} ew;

/* RFC 2047 2: especials may not appear in the charset token. */
static int token_char(int c)
{
	return c > 0x20 && c < 0x7F && !strchr("()<>@,;:\"/[]?=", c);
}

/* Parse an encoded word starting at s[i] == '=' (s[i+1] == '?'). */
static int ew_parse(const char *s, size_t i, size_t n, ew *w)
{
	size_t k = i + 2;
	w->off = i;
	w->cs = k;
	while (k < n && token_char((unsigned char)s[k]) && k - w->cs <= EW_CHARSET_MAX)
		k++;
	w->cs_end = k;
	for (size_t j = w->cs; j < k; j++)
		if (s[j] == '*') {
			w->cs_end = j;
			break;
		}
	if (w->cs_end == w->cs || k + 3 > n || s[k] != '?' || s[k + 2] != '?')
		return 0;
	int e = s[k + 1];
	if (e != 'B' && e != 'b' && e != 'Q' && e != 'q')
		return 0;
	w->q = e == 'Q' || e == 'q';
	w->tx = k + 3;
	for (k = w->tx; k < n; k++) {
		unsigned char c = (unsigned char)s[k];
		if (c == '?')
			break;
		if (c <= 0x20 || c >= 0x7F)
			return 0;
	}
	if (k + 1 >= n || s[k + 1] != '=')
		return 0;
	w->tx_end = k;
	w->end = k + 2;
	return 1;
}

/* Append the bytes of an encoded word's text to b. */
static void ew_bytes(const char *s, const ew *w, sl_buf *b)
{
	if (w->q) {
		for (size_t i = w->tx; i < w->tx_end; i++) {
			int hi, lo;
			if (s[i] == '_') {
				buf_addc(b, ' ');
			} else if (s[i] == '=' && i + 2 < w->tx_end &&
			           (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
			           (lo = hexval((unsigned char)s[i + 2])) >= 0) {
				buf_addc(b, (char)(hi << 4 | lo));
				i += 2;
			} else {
				buf_addc(b, s[i]);
			}
		}
		return;
	}
	uint32_t acc = 0;
	int nq = 0;
	for (size_t i = w->tx; i < w->tx_end; i++) {
		int v = b64val((unsigned char)s[i]);
		if (s[i] == '=')
			break;
		if (v < 0)
			continue;
		acc = acc << 6 | (uint32_t)v;
		if (++nq == 4) {
			char o[3] = { (char)(acc >> 16), (char)(acc >> 8), (char)acc };
			buf_add(b, o, 3);
			nq = 0;
			acc = 0;
		}
	}
	if (nq >= 2) {
		char o[2] = { (char)(acc >> (nq == 2 ? 4 : 10)), (char)(acc >> 2) };
		buf_add(b, o, (size_t)nq - 1);
	}
}

/* Encoded words of one charset waiting to be converted together. */
typedef struct ew_group {
	int open;
	size_t off, end;       /* original words, in raw */
	size_t cs, cs_end;     /* the first word's charset */
	sl_buf bytes;
} ew_group;

static void group_flush(dec *d, ew_group *g)
{
	if (!g->open)
		return;
	g->open = 0;
	if (g->bytes.over)
		dec_limit(d, g->off);
	if (d->stop || !g->bytes.len)
		return;
	const sl_text *raw = d->in;
	sl_span sp = text_span(raw, g->off, g->end);
	sl_seg seg = { 0, g->bytes.len, sp.off, sp.end - sp.off, 0 };
	sl_text tmp = { buf_cstr(&g->bytes), g->bytes.len, &seg, 1 };
	char *cs = str_lower_dup(&d->r->arena,
	                         (sl_str){ raw->p + g->cs, g->cs_end - g->cs });
	sl_text conv;
	charset_to_utf8(d->r, cs, &tmp, &conv, text_span(raw, g->cs, g->cs_end));
	if (conv.len && tb_copy(&d->tb, &conv, 0, conv.len) < 0)
		dec_limit(d, g->off);
}

/* Unencoded text [a, b): copied, or through the charset guess when it
 * holds 8-bit bytes or NULs. */
static void plain(dec *d, size_t a, size_t b)
{
	if (a >= b || d->stop)
		return;
	size_t i = a;
	while (i < b && d->p[i] && d->p[i] < 0x80)
		i++;
	if (i == b) {
		dec_copy(d, a, b - a);
		return;
	}
	sl_text sub, conv;
	text_slice(&sub, &d->r->arena, d->in, a, b);
	charset_to_utf8(d->r, NULL, &sub, &conv, text_span(d->in, a, b));
	if (conv.len && tb_copy(&d->tb, &conv, 0, conv.len) < 0)
		dec_limit(d, a);
}

static int same_charset(const char *s, const ew_group *g, const ew *w)
{
	size_t n = g->cs_end - g->cs;
	if (n != w->cs_end - w->cs)
		return 0;
	for (size_t k = 0; k < n; k++) {
		int x = (unsigned char)s[g->cs + k], y = (unsigned char)s[w->cs + k];
		if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y))
			return 0;
	}
	return 1;
}

/* Is s[a, b) plain ASCII (no NUL, no 8-bit byte) without an '=' that
 * could open an encoded word? */
static int plain_value(const char *s, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!c || c >= 0x80 || c == '=')
			return 0;
	}
	return 1;
}

void decode_header_value(sl_result *r, const sl_text *raw, sl_text *out)
{
	const char *s = raw->p;
	size_t a = 0, b = raw->len;
	while (a < b && is_wsp((unsigned char)s[a]))
		a++;
	while (b > a && is_wsp((unsigned char)s[b - 1]))
		b--;
	/* most values: the trimmed raw value as it is (what the general path
	 * below makes of them, without its builder) */
	if (b - a <= budget(r) && plain_value(s, a, b)) {
		text_slice(out, &r->arena, raw, a, b);
		r->decoded += out->len;
		return;
	}
	dec d;
	dec_init(&d, r, raw);
	ew_group g;
	memset(&g, 0, sizeof g);
	buf_init(&g.bytes, &r->arena, budget(r));
	size_t i = a;
	int after_word = 0;
	while (i < b && !d.stop) {
		const char *e = memchr(s + i, '=', b - i);
		size_t j = e ? (size_t)(e - s) : b;
		ew w;
		while (j < b && !(j + 1 < b && s[j + 1] == '?' && ew_parse(s, j, b, &w))) {
			e = j + 1 < b ? memchr(s + j + 1, '=', b - j - 1) : NULL;
			j = e ? (size_t)(e - s) : b;
		}
		if (j >= b)
			break;
		/* linear whitespace between two encoded words is dropped */
		int join = after_word;
		for (size_t k = i; k < j && join; k++)
			if (!is_wsp((unsigned char)s[k]))
				join = 0;
		if (!join || !(g.open && same_charset(s, &g, &w)))
			group_flush(&d, &g);
		if (!join)
			plain(&d, i, j);
		if (!g.open) {
			g.open = 1;
			g.off = w.off;
			g.cs = w.cs;
			g.cs_end = w.cs_end;
			g.bytes.len = 0;
		}
		g.end = w.end;
		ew_bytes(s, &w, &g.bytes);
		after_word = 1;
		i = w.end;
	}
	group_flush(&d, &g);
	plain(&d, i, b);
	tb_finish(&d.tb, out);
	/* decoded words may bring their own leading or trailing spaces */
	size_t lo = 0, hi = out->len;
	while (lo < hi && is_wsp((unsigned char)out->p[lo]))
		lo++;
	while (hi > lo && is_wsp((unsigned char)out->p[hi - 1]))
		hi--;
	if (lo > 0 || hi < out->len) {
		sl_text full = *out;
		text_slice(out, &r->arena, &full, lo, hi);
	}
	if (out->len == 0 || out->nseg == 0)
		text_slice(out, &r->arena, raw, a, a);
	r->decoded += out->len;
}
