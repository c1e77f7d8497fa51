/*
 * text.c - the text stage: the blocks of a text/plain body and of the
 * Subject, then every block's words (words.c) and sentences.
 *
 * In: decoded UTF-8 texts with their source maps (a text/plain body, the
 * Subject's decoded value) and the blocks html.c made.  Out: r->doc blocks
 * whose text maps to the original file (text_slice / sl_tb, never a search
 * for the text again), the template comments of text templates, and each
 * block's sl_word and sl_sentence arrays, all in the arena.
 *
 * Plain text: blocks are separated by blank lines; a run of lines starting
 * with '>' is one SL_BLK_QUOTE block (markers removed); the "-- " signature
 * line separates blocks and is not one (the signature is still
 * paragraphs); line breaks inside a block are kept; blocks are trimmed.
 * In templates (not in messages, where such text was sent as is), {# #},
 * {{!-- --}} and {{! }} comments are recorded with doc_add_comment and
 * removed from the text, as rendering would.
 *
 * Sentences end at . ! ? and their runs ("?!", "...", U+2026), with any
 * closing quotes or brackets, when a space and then an upper-case letter,
 * a caseless letter, a digit or a placeholder follow, or the line ends;
 * CJK full stops end one outright.  Not after the abbreviations in
 * abbrev_list ("No." only before a number), nor after an initial
 * ("J. Smith"); an ellipsis before a lower-case word does not end one.
 * Decimals, URLs, e-mail addresses and placeholders are single tokens, so
 * their dots never count.  Emoji right after the end belong to the
 * sentence they follow.  A blank line always ends one; a list marker at
 * the start of a line ("- ", "* ", "1. ", "a) ", an emoji) starts one.
 *
 * Limits: none of its own; the texts are bounded by the decoded size and
 * a block's word count only by its text.
 */
#include <stdlib.h>

#include "internal.h"

/* --- template comments --------------------------------------------- */

/* The first occurrence of s at or after from (n if none), remembered like
 * the tokeniser's closers so that unclosed openers cost no rescans. */
typedef struct memo {
	size_t from, pos;
	int valid;
} memo;

static size_t find_memo(const sl_text *t, memo *m, const char *s, size_t from)
{
	size_t k = strlen(s), n = t->len, i = from, pos = n;
	if (m->valid && m->from <= from && m->pos >= from)
		return m->pos;
	while (i < n && n - i >= k) {
		const char *q = memchr(t->p + i, s[0], n - i - k + 1);
		if (!q)
			break;
		i = (size_t)(q - t->p);
		if (!memcmp(q, s, k)) {
			pos = i;
			break;
		}
		i++;
	}
	m->valid = 1;
	m->from = from;
	m->pos = pos;
	return pos;
}

enum { M_HASH, M_DASH, M_DASH_TILDE, M_BRACE, M_N };

/* The comment opening at i: sets its end and the inside [*in0, *in1).
 * Returns 0 if there is none. */
static int comment_at(const sl_text *t, memo *m, size_t i, size_t *end,
                      size_t *in0, size_t *in1)
{
	const char *p = t->p;
	size_t n = t->len, q;
	if (n - i < 4 || p[i] != '{')
		return 0;
	if (p[i + 1] == '#') {
		q = find_memo(t, &m[M_HASH], "#}", i + 2);
		if (q >= n)
			return 0;
		*in0 = i + 2;
		*in1 = q;
		*end = q + 2;
		return 1;
	}
	if (p[i + 1] != '{')
		return 0;
	size_t j = i + 2;
	if (p[j] == '~')
		j++;
	if (j >= n || p[j] != '!')
		return 0;
	j++;
	if (n - j >= 2 && p[j] == '-' && p[j + 1] == '-') {
		size_t a = find_memo(t, &m[M_DASH], "--}}", j + 2);
		size_t b = find_memo(t, &m[M_DASH_TILDE], "--~}}", j + 2);
		if (a >= n && b >= n)
			return 0;
		*in0 = j + 2;
		*in1 = a < b ? a : b;
		*end = a < b ? a + 4 : b + 5;
		return 1;
	}
	q = find_memo(t, &m[M_BRACE], "}}", j);
	if (q >= n)
		return 0;
	*in0 = j;
	*in1 = q;
	*end = q + 2;
	return 1;
}

/* The inside of a comment: whitespace and whitespace-control marks
 * ({#- -#}, {{~! ~}}) trimmed. */
static sl_str comment_inside(const char *p, size_t a, size_t b)
{
	sl_str s = { p + a, b - a };
	s = str_trim(s);
	if (s.len && (s.p[0] == '-' || s.p[0] == '+' || s.p[0] == '~')) {
		s.p++;
		s.len--;
	}
	if (s.len && (s.p[s.len - 1] == '-' || s.p[s.len - 1] == '+' ||
	              s.p[s.len - 1] == '~'))
		s.len--;
	return str_trim(s);
}

/* Record t's template comments and return t without them (t itself when
 * it has none). */
static sl_text strip_comments(sl_result *r, const sl_text *t, int part)
{
	memo m[M_N];
	memset(m, 0, sizeof m);
	sl_tb tb;
	int any = 0;
	size_t i = 0, copied = 0;
	while (i < t->len) {
		const char *q = memchr(t->p + i, '{', t->len - i);
		if (!q)
			break;
		i = (size_t)(q - t->p);
		size_t end, in0, in1;
		if (!comment_at(t, m, i, &end, &in0, &in1)) {
			i++;
			continue;
		}
		sl_str in = comment_inside(t->p, in0, in1);
		sl_comment *c = doc_add_comment(r);
		c->text.p = arena_strndup(&r->arena, in.p, in.len);
		c->text.len = in.len;
		c->span = text_span(t, i, end);
		c->part = part;
		if (!any) {
			tb_init(&tb, &r->arena, t->len + 1);
			any = 1;
		}
		tb_copy(&tb, t, copied, i - copied);
		copied = i = end;
	}
	if (!any)
		return *t;
	tb_copy(&tb, t, copied, t->len - copied);
	sl_text out;
	tb_finish(&tb, &out);
	return out;
}

/* --- plain text blocks --------------------------------------------- */

static int is_hspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int is_space(char c)
{
	return is_hspace(c) || c == '\n';
}

typedef enum { LN_BLANK, LN_TEXT, LN_QUOTE, LN_SIG } line_kind;

static line_kind line_classify(const char *p, size_t a, size_t b)
{
	size_t i = a;
	while (i < b && is_hspace(p[i]))
		i++;
	if (i == b)
		return LN_BLANK;
	if (p[i] == '>')
		return LN_QUOTE;
	/* "-- " (RFC 3676 4.3), also without its space */
	size_t e = b;
	while (e > a && p[e - 1] == '\r')
		e--;
	if (i == a && e - a >= 2 && p[a] == '-' && p[a + 1] == '-' &&
	    (e - a == 2 || (e - a == 3 && p[a + 2] == ' ')))
		return LN_SIG;
	return LN_TEXT;
}

static void add_block(sl_result *r, sl_block_kind kind, const sl_text *t,
                      size_t a, size_t b, int part)
{
	while (a < b && is_space(t->p[a]))
		a++;
	while (b > a && is_space(t->p[b - 1]))
		b--;
	if (a == b)
		return;
	sl_block *blk = doc_add_block(r);
	blk->kind = kind;
	blk->part = part;
	text_slice(&blk->text, &r->arena, t, a, b);
}

/* Lines [a, b) of t are quoted: a block of their text without the '>'
 * markers (nested ones too) and the one space after each. */
static void add_quote(sl_result *r, const sl_text *t, size_t a, size_t b, int part)
{
	sl_tb tb;
	tb_init(&tb, &r->arena, b - a + 1);
	size_t i = a;
	while (i < b) {
		const char *nl = memchr(t->p + i, '\n', b - i);
		size_t le = nl ? (size_t)(nl - t->p) + 1 : b;
		size_t j = i;
		for (;;) {
			while (j < le && is_hspace(t->p[j]))
				j++;
			if (j < le && t->p[j] == '>') {
				j++;
				if (j < le && t->p[j] == ' ')
					j++;
				continue;
			}
			break;
		}
		tb_copy(&tb, t, j, le - j);
		i = le;
	}
	sl_text q;
	tb_finish(&tb, &q);
	add_block(r, SL_BLK_QUOTE, &q, 0, q.len, part);
}

void text_plain_blocks(sl_result *r, const sl_text *in, int part)
{
	sl_text t = r->doc.kind == SL_KIND_EML ? *in : strip_comments(r, in, part);
	line_kind run = LN_BLANK;
	size_t run0 = 0, i = 0;
	while (i <= t.len) {
		size_t le, next;
		line_kind k;
		if (i == t.len) {
			le = next = i;
			k = LN_BLANK; /* flushes the last run */
		} else {
			const char *nl = memchr(t.p + i, '\n', t.len - i);
			le = nl ? (size_t)(nl - t.p) : t.len;
			next = nl ? le + 1 : t.len;
			k = line_classify(t.p, i, le);
		}
		if (k != run && run != LN_BLANK) {
			if (run == LN_TEXT)
				add_block(r, SL_BLK_PARAGRAPH, &t, run0, i, part);
			else if (run == LN_QUOTE)
				add_quote(r, &t, run0, i, part);
		}
		if (k != run)
			run0 = i;
		run = k == LN_SIG ? LN_BLANK : k;
		if (i == t.len)
			break;
		i = next;
	}
}

void text_subject_block(sl_result *r)
{
	const sl_header *h = r->doc.subject;
	if (!h)
		return;
	sl_block *b = doc_add_block(r);
	b->kind = SL_BLK_SUBJECT;
	b->part = -1;
	b->text = h->value;
}

/* --- sentences ----------------------------------------------------- */

/* Lower-case, without the dot; kept sorted for bsearch. */
static const char *const abbrev_list[] = {
	"al", "approx", "apr", "aug", "ave", "blvd", "capt", "cf", "co", "col",
	"corp", "dec", "dept", "dr", "est", "etc", "ext", "feb", "fig", "gen",
	"gov", "hon", "inc", "jan", "jr", "jul", "jun", "llc", "ltd", "mar",
	"messrs", "mr", "mrs", "ms", "mt", "mx", "no", "nos", "nov", "oct",
	"prof", "rev", "sen", "sep", "sept", "sgt", "sr", "st", "tel", "vol",
	"vs",
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_abbrev(const char *norm, size_t len)
{
	/* the list holds two to six letters */
	if (len < 2 || len > 6)
		return 0;
	return bsearch(&norm, abbrev_list, sizeof abbrev_list / sizeof *abbrev_list,
	               sizeof *abbrev_list, str_cmp) != NULL;
}

enum { T_NONE, T_PERIOD, T_ELLIPSIS, T_OTHER, T_CJK };

/* How the punctuation token w ends a sentence, if it can: a run of
 * terminal characters followed only by closing quotes or brackets. */
static int term_kind(const sl_text *t, const sl_word *w)
{
	if (!(w->flags & SL_W_PUNCT))
		return T_NONE;
	const char *p = t->p + w->off;
	size_t e = w->len;
	uint32_t cp;
	/* most punctuation neither ends a sentence nor closes a quote */
	unsigned char last = (unsigned char)p[e - 1];
	if (last < 0x80 && !(uc_ascii_class[last] & (UC_TERM | UC_CLOSE)))
		return T_NONE;
	/* walk back over closers, variation selectors, then terminals */
	int nterm = 0, periods = 0, ellipsis = 0, cjk = 0;
	while (e > 0) {
		size_t s = e - 1;
		unsigned cls;
		if ((unsigned char)p[s] < 0x80) {
			cp = (unsigned char)p[s];
			cls = uc_ascii_class[cp];
		} else {
			while (s > 0 && ((unsigned char)p[s] & 0xC0) == 0x80)
				s--;
			uc_utf8_next(p + s, e - s, &cp);
			cls = cp == UC_INVALID ? UC_PUNCT : uc_class(cp);
		}
		if (cls & UC_TERM) {
			nterm++;
			periods += cp == '.';
			ellipsis += cp == 0x2026;
			cjk |= (cls & UC_TERM_CJK) != 0;
		} else if (nterm) {
			break;
		} else if (!((cls & UC_CLOSE) || cp == 0xFE0F || cp == 0xFE0E)) {
			return T_NONE;
		}
		e = s;
	}
	if (!nterm)
		return T_NONE;
	if (cjk)
		return T_CJK;
	if (periods == 1 && nterm == 1)
		return T_PERIOD;
	if (periods + ellipsis == nterm)
		return T_ELLIPSIS;
	return T_OTHER;
}

/* The first letter or digit of a word token: its class and whether it is
 * upper-case. */
static unsigned first_alnum(const sl_text *t, const sl_word *w, int *upper)
{
	size_t i = w->off, e = (size_t)w->off + w->len;
	*upper = 0;
	while (i < e) {
		uint32_t cp;
		size_t l = uc_utf8_next(t->p + i, e - i, &cp);
		unsigned cls = cp == UC_INVALID ? UC_PUNCT : uc_class(cp);
		if (cls & (UC_LETTER | UC_DIGIT)) {
			*upper = (cls & UC_LETTER) && uc_is_upper(cp);
			return cls;
		}
		i += l;
	}
	return 0;
}

/* Does word m begin with something that starts a sentence? */
static int starts_sentence(const sl_block *b, size_t m, int depth)
{
	const sl_word *x = &b->word[m];
	if (x->flags & (SL_W_PLACEHOLDER | SL_W_NUMBER))
		return 1;
	if (x->flags & (SL_W_URL | SL_W_EMAIL))
		return 0;
	if (x->flags & SL_W_PUNCT) {
		/* an opening quote or bracket: look at what it opens */
		if (depth || m + 1 >= b->nword || (b->word[m + 1].flags & SL_W_SPACE_BEFORE))
			return 0;
		const char *p = b->text.p + x->off;
		for (size_t i = 0; i < x->len;) {
			uint32_t cp;
			size_t l = uc_utf8_next(p + i, x->len - i, &cp);
			if (cp == UC_INVALID || !(uc_class(cp) & UC_OPEN))
				return 0;
			i += l;
		}
		return starts_sentence(b, m + 1, 1);
	}
	int upper;
	unsigned cls = first_alnum(&b->text, x, &upper);
	return upper || (cls & UC_DIGIT) || ((cls & UC_LETTER) && !(cls & UC_CASED));
}

static int starts_lower(const sl_block *b, size_t m)
{
	int upper;
	const sl_word *x = &b->word[m];
	if (x->flags & (SL_W_PUNCT | SL_W_PLACEHOLDER | SL_W_URL | SL_W_EMAIL | SL_W_NUMBER))
		return 0;
	unsigned cls = first_alnum(&b->text, x, &upper);
	return (cls & UC_CASED) && !upper;
}

static int tok_is(const sl_text *t, const sl_word *w, const char *s)
{
	size_t n = strlen(s);
	return w->len == n && !memcmp(t->p + w->off, s, n);
}

/* A list marker at the start of a line: "-", "*", "+", bullets, an emoji,
 * "1." / "1)" / "a)", each followed by a space. */
static int is_bullet(const sl_block *b, size_t m)
{
	static const char *const marks[] = {
		"-", "*", "+", "\xe2\x80\xa2" /* • */, "\xe2\x80\x93" /* – */,
		"\xe2\x80\x94" /* — */, "\xc2\xb7" /* · */, "\xe2\x97\xa6" /* ◦ */,
		"\xe2\x96\xaa" /* ▪ */, "\xe2\x80\xa3" /* ‣ */, "\xe2\x97\x8f" /* ● */,
		"\xe2\x96\xa0" /* ■ */, "\xe2\x96\xba" /* ► */, "\xe2\x86\x92" /* → */,
	};
	const sl_word *x = &b->word[m];
	const sl_text *t = &b->text;
	if (m + 1 >= b->nword)
		return 0;
	const sl_word *y = &b->word[m + 1];
	if (x->flags & SL_W_PUNCT) {
		if (!(y->flags & SL_W_SPACE_BEFORE))
			return 0;
		if (x->flags & SL_W_EMOJI)
			return 1;
		for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
			if (tok_is(t, x, marks[i]))
				return 1;
		return 0;
	}
	/* "1." "12)" "a)" */
	int num = (x->flags & SL_W_NUMBER) && x->len <= 3 &&
	          t->p[x->off] >= '0' && t->p[x->off] <= '9';
	int letter = x->norm && x->normlen == 1 && x->len == 1;
	if (!num && !letter)
		return 0;
	if (y->flags & SL_W_SPACE_BEFORE || m + 2 >= b->nword ||
	    !(b->word[m + 2].flags & SL_W_SPACE_BEFORE))
		return 0;
	return tok_is(t, y, ")") || (num && tok_is(t, y, "."));
}

/* Does a sentence end after word k (k + 1 < nword)?  s0 is the first word
 * of the current sentence.  (Out of line: text_sentences answers most
 * words itself and keeps its loop in registers.) */
/* lastx: the last word at or before k that is not an emoji without a
 * sentence end (kept by the caller, so that a run of emoji is not walked
 * back over once per word). */
static __attribute__((noinline)) int ends_after(const sl_block *b, size_t k, size_t s0,
                                                size_t lastx)
{
	const sl_text *t = &b->text;
	const sl_word *w = b->word;
	size_t gap0 = (size_t)w[k].off + w[k].len, gap1 = w[k + 1].off;
	const char *nl = NULL;
	for (size_t g = gap0; g < gap1; g++) {
		if (t->p[g] == '\n') {
			nl = t->p + g;
			break;
		}
	}
	if (!nl && !(w[k].flags & SL_W_PUNCT))
		return 0; /* only punctuation ends a sentence within a line */
	if (nl) {
		const char *nl2 = memchr(nl + 1, '\n', (size_t)(t->p + gap1 - nl - 1));
		if (nl2)
			return 1; /* a blank line (only spaces between the breaks) */
		if (is_bullet(b, k + 1))
			return 1;
	}
	/* emoji right after the end of a sentence belong to it: e is the
	 * last word from s0 to k that is not an emoji without an end, else s0 */
	size_t e = lastx > s0 ? lastx : s0;
	if (e < k && !term_kind(t, &w[e]))
		return 0;
	int tk = term_kind(t, &w[e]);
	if (tk == T_NONE)
		return 0;
	if (tk == T_CJK)
		return 1;
	if (!nl && (w[k + 1].flags & SL_W_EMOJI))
		return 0; /* decided after the emoji */
	if (!(w[k + 1].flags & SL_W_SPACE_BEFORE))
		return 0; /* "end.Next", "me.\u200b(Next": no space, no end */
	const sl_word *prev = e > 0 ? &w[e - 1] : NULL;
	if (tk == T_PERIOD && prev && t->p[w[e].off] == '.' &&
	    !(w[e].flags & SL_W_SPACE_BEFORE) && prev->norm &&
	    !(prev->flags & SL_W_NUMBER)) {
		int upper;
		/* an initial, "J. Smith" (but not "I.") */
		if (prev->normlen == 1 && (first_alnum(t, prev, &upper) & UC_LETTER) &&
		    upper && strcmp(prev->norm, "i"))
			return 0;
		if (is_abbrev(prev->norm, prev->normlen)) {
			if (strcmp(prev->norm, "no") && strcmp(prev->norm, "nos"))
				return 0;
			const sl_word *x = &w[k + 1];
			if ((x->flags & SL_W_NUMBER) || tok_is(t, x, "#"))
				return 0;
		}
	}
	if (nl)
		return !(tk == T_ELLIPSIS && starts_lower(b, k + 1));
	return starts_sentence(b, k + 1, 0);
}

void text_sentences(sl_result *r, sl_block *b)
{
	size_t n = b->nword, ns = 0, s0 = 0;
	sl_word *w = b->word;
	const char *p = b->text.p;
	/* where the sentences end: the first word of each holds, for now,
	 * the index of its last (the last word always ends one) */
	size_t lastx = 0;
	for (size_t k = 0; k + 1 < n; k++) {
		if (!(w[k].flags & SL_W_EMOJI) || term_kind(&b->text, &w[k]))
			lastx = k;
		/* most tokens, with at most a space (not a line break) before
		 * the next, end nothing: words, and punctuation (not emoji)
		 * whose last byte neither ends a sentence nor closes a quote
		 * (see ends_after, term_kind) */
		const sl_word *x = &w[k];
		uint32_t g0 = x->off + x->len, gap = x[1].off - g0;
		if (gap == 0 || (gap == 1 && p[g0] != '\n')) {
			if (!(x->flags & SL_W_PUNCT))
				continue;
			unsigned char last = (unsigned char)p[g0 - 1];
			if (!(x->flags & SL_W_EMOJI) && last < 0x80 &&
			    !(uc_ascii_class[last] & (UC_TERM | UC_CLOSE)))
				continue;
		}
		if (!ends_after(b, k, s0, lastx))
			continue;
		w[s0].sent = (uint32_t)k;
		ns++;
		s0 = k + 1;
	}
	if (n) {
		w[s0].sent = (uint32_t)(n - 1);
		ns++;
	}
	/* then the sentences, in an array of exactly their number, and
	 * each word's sentence index */
	sl_sentence *s = ns ? arena_array(&r->arena, ns, sizeof *s) : NULL;
	for (size_t k = 0, j = 0; k < n; j++) {
		size_t e = w[k].sent;
		s[j].off = w[k].off;
		s[j].end = w[e].off + w[e].len;
		s[j].word0 = (uint32_t)k;
		s[j].nword = (uint32_t)(e - k + 1);
		for (; k <= e; k++)
			w[k].sent = (uint32_t)j;
	}
	b->sent = s;
	b->nsent = ns;
}

void text_analyse(sl_result *r)
{
	doc_trim(r);
	text_words_blocks(r);
	for (size_t i = 0; i < r->doc.nblk; i++)
		text_sentences(r, &r->doc.blk[i]);
}
