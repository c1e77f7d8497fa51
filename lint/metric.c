/*
 * metric.c - the metric kind: numeric measurements of a scope against
 * thresholds, and the registry of measurements.
 *
 * In: `metric:` (a name below), `min:` / `max:` / `equals:` (at least one),
 * `min_words:` (measure only instances with at least that many words),
 * `ignore_shorter:` (allcaps-words, shouting-words), `span:` (metrics that
 * locate what they count: unit | items | each), `words:` (leet-words,
 * broken-words: extra words taken as real, such as drug names hunspell
 * lacks).  Out: one hit per scope instance whose value is < min, > max or
 * == equals, with {value} and {threshold}; the hit spans the instance's
 * text (for body and message scopes: the message body, root
 * body_off..body_end).  With `span: each` a locating metric makes one hit
 * per thing it counted (each with the instance's value), with `span:
 * items` one hit from the first to the last of them; when it located
 * nothing the hit spans the instance.
 *
 * Scope instances: a subject, preheader, title, heading, paragraph or
 * sentence is one instance each; body is every preferred-body block
 * together, message every block (subject, preheader, title, body); links,
 * alt texts and header fields one each.  Document-wide metrics (links,
 * images, image-alt-missing, text-to-image, html-size, hidden-text-chars,
 * preheader-missing) take body or message scope only.  Values are
 * deterministic: counts over the tokens and code points of the document
 * model, no locale.  A metric with nothing to measure (no letters for
 * caps-ratio, no image for text-to-image, ...) has no value and never
 * hits.
 *
 * The Subject is measured as filters read it: leading reply and forward
 * prefixes ("Re:", "Fwd:", "AW:", "RE::", "Re[2]:", ...) are not part of
 * the instance, so "RE: LUNCH" is one word, not all capitals.
 *
 * Measurements that locate (span items/each): shouting-words, gappy-words,
 * leet-words, broken-words, lookalike-words, invisible-chars,
 * emoji-words, recipient-words, edge-spaces, space-runs, plain-encoded-words,
 * unique-id, preheader-missing, image-alt-missing (see each one's
 * comment); metric_links.c's and metric_compliance.c's.  Limits: at most
 * METRIC_ITEMS located per instance (the value still counts them all;
 * past it, input/limit-metric-items); the code-point scans are linear in
 * the instance's length.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "metric.h"

/* --- helpers ---------------------------------------------------------------- */

typedef int (*cpfn)(uint32_t cp, uint32_t prev);

/* Sum of f over the code points of every unit's range. */
static double count_cps(const mset *m, cpfn f)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		if (u->end > u->text->len || u->off > u->end)
			continue;
		const unsigned char *p = (const unsigned char *)u->text->p + u->off;
		const unsigned char *end = (const unsigned char *)u->text->p + u->end;
		uint32_t prev = 0;
		while (p < end) {
			uint32_t cp;
			p += render_utf8(p, end, &cp);
			n += f(cp, prev);
			prev = cp;
		}
	}
	return n;
}

/* A word as metrics count it: a token with a normal form that is not
 * punctuation (placeholders, URLs and e-mail addresses have none). */
static int is_word(const sl_word *w)
{
	return w->norm && !(w->flags & (SL_W_PUNCT | SL_W_PLACEHOLDER | SL_W_URL | SL_W_EMAIL));
}

static const char *word_text(const sl_unit *u, const sl_word *w)
{
	return (size_t)w->off + w->len <= u->text->len ? u->text->p + w->off : NULL;
}

/* Letters of a word: total and upper-case. */
static void word_letters(const char *p, size_t n, size_t *letters, size_t *upper)
{
	const unsigned char *s = (const unsigned char *)p, *end = s + n;
	*letters = *upper = 0;
	while (s < end) {
		uint32_t cp;
		s += render_utf8(s, end, &cp);
		int c = cp == SL_CP_BAD ? 0 : cp_case(cp);
		if (c) {
			(*letters)++;
			*upper += c > 0;
		}
	}
}

static double n_words(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++)
		for (size_t k = 0; k < m->u[i].nword; k++)
			n += is_word(&m->u[i].word[k]);
	return n;
}

/* Sentences: a sentence unit is one; a block counts its sentences; other
 * texts count one when they hold a word. */
static double n_sentences(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		if (u->sent >= 0)
			n += 1;
		else if (u->blk >= 0)
			n += (double)m->r->doc.blk[u->blk].nsent;
		else
			n += u->nword > 0;
	}
	return n;
}

static int is_space_cp(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' ||
	       cp == 0xA0 || cp == 0x200B || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x3000;
}

/* Per MIME part: is it a non-preferred alternative?  Known from its
 * blocks (lint.c marks them); an arena array of nparts flags. */
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

static int hidden_ok(int hidden, int is_hidden)
{
	return hidden == 1 || (hidden == 0 ? !is_hidden : is_hidden);
}

/* --- the measurements ---------------------------------------------------- */

/* length: code points of the scope's text. */
static int cp_any(uint32_t cp, uint32_t prev)
{
	(void)cp;
	(void)prev;
	return 1;
}
static double m_length(const mset *m)
{
	return count_cps(m, cp_any);
}

/* words: word tokens (see is_word), numbers included. */
static double m_words(const mset *m)
{
	return n_words(m);
}

/* caps-ratio: upper-case letters / letters, over the words (see is_word);
 * letters are those with case (cp_case).  No letters: no value. */
static double m_caps_ratio(const mset *m)
{
	size_t letters = 0, upper = 0;
	for (size_t i = 0; i < m->nu; i++) {
		for (size_t k = 0; k < m->u[i].nword; k++) {
			const sl_word *w = &m->u[i].word[k];
			const char *p = word_text(&m->u[i], w);
			if (!is_word(w) || !p)
				continue;
			size_t l, up;
			word_letters(p, w->len, &l, &up);
			letters += l;
			upper += up;
		}
	}
	return letters ? (double)upper / (double)letters : NAN;
}

/* allcaps-words: words with at least two letters, every letter upper-case,
 * more letters than ignore_shorter (default 3), not in the vocabulary. */
static double m_allcaps_words(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		for (size_t k = 0; k < m->u[i].nword; k++) {
			const sl_word *w = &m->u[i].word[k];
			const char *p = word_text(&m->u[i], w);
			if (!is_word(w) || !p)
				continue;
			size_t l, up;
			word_letters(p, w->len, &l, &up);
			if (l >= 2 && up == l && (double)l > m->mr->ignore_shorter &&
			    !wordset_has(m->mr->vocab, p, w->len))
				n++;
		}
	}
	return n;
}

/* exclamations: '!' and U+FF01 and U+2757/U+2755 count one, U+203C two,
 * U+2049 one. */
static int cp_excl(uint32_t cp, uint32_t prev)
{
	(void)prev;
	if (cp == 0x203C)
		return 2;
	return cp == '!' || cp == 0xFF01 || cp == 0x2757 || cp == 0x2755 || cp == 0x2049;
}
static double m_exclamations(const mset *m)
{
	return count_cps(m, cp_excl);
}

/* questions: '?', U+FF1F, U+2753/U+2754 one each, U+2047 two, U+2048 and
 * U+2049 one. */
static int cp_quest(uint32_t cp, uint32_t prev)
{
	(void)prev;
	if (cp == 0x2047)
		return 2;
	return cp == '?' || cp == 0xFF1F || cp == 0x2753 || cp == 0x2754 || cp == 0x2048 ||
	       cp == 0x2049;
}
static double m_questions(const mset *m)
{
	return count_cps(m, cp_quest);
}

/* emoji: pictographic code points (U+1F000-1FAFF but the skin-tone
 * modifiers U+1F3FB-1F3FF, U+2600-27BF, U+2B00-2BFF, U+231A-231B,
 * U+23E9-23FA) not joined to the previous one by U+200D, so a ZWJ sequence
 * counts once; a pair of regional indicators (a flag) counts once. */
static int pictographic(uint32_t cp)
{
	return (cp >= 0x1F000 && cp <= 0x1FAFF && !(cp >= 0x1F3FB && cp <= 0x1F3FF) &&
	        !(cp >= 0x1F1E6 && cp <= 0x1F1FF)) ||
	       (cp >= 0x2600 && cp <= 0x27BF) || (cp >= 0x2B00 && cp <= 0x2BFF) ||
	       cp == 0x231A || cp == 0x231B || (cp >= 0x23E9 && cp <= 0x23FA);
}
static double m_emoji(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		if (u->end > u->text->len || u->off > u->end)
			continue;
		const unsigned char *p = (const unsigned char *)u->text->p + u->off;
		const unsigned char *end = (const unsigned char *)u->text->p + u->end;
		uint32_t prev = 0;
		int ri = 0; /* regional indicators in a row */
		while (p < end) {
			uint32_t cp;
			p += render_utf8(p, end, &cp);
			if (cp >= 0x1F1E6 && cp <= 0x1F1FF) {
				if (ri++ % 2 == 0)
					n++;
			} else {
				ri = 0;
				if (pictographic(cp) && prev != 0x200D)
					n++;
			}
			if (cp != 0xFE0F && cp != 0xFE0E)
				prev = cp;
		}
	}
	return n;
}

/* placeholders: template placeholder tokens ({{ x }}, *|X|*, %%x%%...). */
static double m_placeholders(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++)
		for (size_t k = 0; k < m->u[i].nword; k++)
			n += (m->u[i].word[k].flags & SL_W_PLACEHOLDER) != 0;
	return n;
}

/* links: HTML links (<a href>) of the preferred body, visible per the
 * rule's hidden setting, plus URL tokens in the scope's plain-text blocks. */
static double m_links(const mset *m)
{
	const sl_result *r = m->r;
	const unsigned char *alt = alt_flags(m->r);
	double n = 0;
	for (size_t i = 0; i < r->doc.nlink; i++) {
		const sl_link *k = &r->doc.link[i];
		if (k->href && hidden_ok(m->rule->hidden, k->hidden) && !part_alt(r, alt, k->part))
			n++;
	}
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		if (u->blk < 0 || r->doc.blk[u->blk].html)
			continue;
		for (size_t k = 0; k < u->nword; k++)
			n += (u->word[k].flags & SL_W_URL) != 0;
	}
	return n;
}

static int image_counts(const sl_result *r, const unsigned char *alt,
                        const sl_image *im, int hidden)
{
	return hidden_ok(hidden, im->hidden) && !part_alt(r, alt, im->part);
}

/* images: <img> elements of the preferred body, per the hidden setting. */
static double m_images(const mset *m)
{
	const unsigned char *alt = alt_flags(m->r);
	double n = 0;
	for (size_t i = 0; i < m->r->doc.nimg; i++)
		n += image_counts(m->r, alt, &m->r->doc.img[i], m->rule->hidden);
	return n;
}

/* image-alt-missing: images (as counted by images) with no alt attribute,
 * except tracking pixels and spacers (a width or height known and <= 2:
 * layout, not content).  Locates each one's tag. */
static double m_image_alt_missing(const mset *m)
{
	const unsigned char *alt = alt_flags(m->r);
	double n = 0;
	for (size_t i = 0; i < m->r->doc.nimg; i++) {
		const sl_image *im = &m->r->doc.img[i];
		if (!image_counts(m->r, alt, im, m->rule->hidden) || im->has_alt)
			continue;
		if ((im->width >= 0 && im->width <= 2) || (im->height >= 0 && im->height <= 2))
			continue;
		n++;
		metric_item_add(m, &m->r->srctext, im->span.off, im->span.end);
	}
	return n;
}

/* text-to-image: non-space code points of the scope's blocks per image
 * (as counted by images, tracking pixels excluded).  No image: no value. */
static int cp_visible(uint32_t cp, uint32_t prev)
{
	(void)prev;
	return !is_space_cp(cp);
}
static double m_text_to_image(const mset *m)
{
	const unsigned char *alt = alt_flags(m->r);
	double imgs = 0;
	for (size_t i = 0; i < m->r->doc.nimg; i++) {
		const sl_image *im = &m->r->doc.img[i];
		if (!image_counts(m->r, alt, im, m->rule->hidden))
			continue;
		if (im->width >= 0 && im->width <= 2 && im->height >= 0 && im->height <= 2)
			continue;
		imgs++;
	}
	if (!imgs)
		return NAN;
	return floor(count_cps(m, cp_visible) / imgs);
}

/* html-size: bytes of the largest decoded text/html part (Gmail clips a
 * message whose HTML passes ~102 KB).  No HTML: no value. */
static double m_html_size(const mset *m)
{
	double best = NAN;
	for (size_t i = 0; i < m->r->doc.nparts; i++) {
		const sl_part *p = m->r->doc.parts[i];
		if (!p->has_text || p->attachment || strcmp(p->type, "text") ||
		    strcmp(p->subtype, "html"))
			continue;
		if (isnan(best) || (double)p->text.len > best)
			best = (double)p->text.len;
	}
	return best;
}

/* sentences: see n_sentences. */
static double m_sentences(const mset *m)
{
	return n_sentences(m);
}

/* words-per-sentence: words / sentences.  No sentence: no value. */
static double m_words_per_sentence(const mset *m)
{
	double s = n_sentences(m);
	return s > 0 ? n_words(m) / s : NAN;
}

/* Syllables of an (ASCII-folded) word: groups of vowels (a e i o u y),
 * minus a final silent "e" (not "le"), at least one. */
static int syllables(const char *p, size_t n)
{
	int count = 0, in = 0;
	size_t letters = 0;
	char last = 0, before = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (!(c >= 'a' && c <= 'z'))
			continue;
		letters++;
		int v = strchr("aeiouy", c) != NULL;
		if (v && !in)
			count++;
		in = v;
		before = last;
		last = c;
	}
	if (last == 'e' && before != 'l' && count > 1 && letters > 2)
		count--;
	return count < 1 ? 1 : count;
}

/* readability: Flesch reading ease, 206.835 - 1.015 * words/sentences -
 * 84.6 * syllables/words, over words holding a letter; syllables
 * estimated (see syllables).  No word or sentence: no value. */
static double m_readability(const mset *m)
{
	double words = 0, syl = 0;
	for (size_t i = 0; i < m->nu; i++) {
		for (size_t k = 0; k < m->u[i].nword; k++) {
			const sl_word *w = &m->u[i].word[k];
			const char *p = word_text(&m->u[i], w);
			size_t l, up;
			if (!is_word(w) || !p)
				continue;
			word_letters(p, w->len, &l, &up);
			if (!l)
				continue;
			words++;
			syl += syllables(p, w->len);
		}
	}
	double s = n_sentences(m);
	if (!words || !s)
		return NAN;
	double v = 206.835 - 1.015 * (words / s) - 84.6 * (syl / words);
	return floor(v * 100 + 0.5) / 100;
}

/* hidden-text-chars: non-space code points of hidden blocks of the
 * preferred body, the preheader excepted (hiding it is its purpose). */
static double m_hidden_text_chars(const mset *m)
{
	const sl_result *r = m->r;
	double n = 0;
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		if (!b->hidden || b->alternative || b->kind == SL_BLK_PREHEADER ||
		    (int)i == r->doc.preheader_blk)
			continue;
		sl_unit u = { &b->text, 0, (uint32_t)b->text.len, NULL, 0, (int)i, -1, -1, -1, NULL };
		mset one = *m;
		one.u = &u;
		one.nu = 1;
		n += count_cps(&one, cp_visible);
	}
	return n;
}

/* --- located items -------------------------------------------------------- */

mitem *metric_item_add(const mset *m, const sl_text *t, size_t off, size_t end)
{
	mout *o = m->out;
	if (!o || end > t->len || off > end)
		return NULL;
	if (o->n >= METRIC_ITEMS) {
		if (!o->full) {
			o->full = 1;
			limit_reached(m->r, "metric-items", METRIC_ITEMS, text_span(t, off, end));
		}
		return NULL;
	}
	if (o->n == o->alloc) {
		size_t n = o->alloc ? o->alloc * 2 : 8;
		o->item = arena_grow(&m->r->arena, o->item, o->n, n, sizeof *o->item);
		o->alloc = n;
	}
	mitem *it = &o->item[o->n++];
	memset(it, 0, sizeof *it);
	it->t = t;
	it->blk = -2;
	it->off = (uint32_t)off;
	it->end = (uint32_t)end;
	return it;
}

/* --- shared helpers for the subject measurements -------------------------- */

/* The code points of a unit with their byte offsets in its text: at[i] is
 * where cp[i] starts, at[n] the unit's end. */
typedef struct cpv {
	uint32_t *cp;
	uint32_t *at;
	size_t n;
} cpv;

static void unit_cps(sl_result *r, const sl_unit *u, cpv *v)
{
	v->n = 0;
	v->cp = NULL;
	v->at = NULL;
	if (u->end > u->text->len || u->off > u->end)
		return;
	size_t len = u->end - u->off;
	v->cp = arena_array(&r->arena, len + 1, sizeof *v->cp);
	v->at = arena_array(&r->arena, len + 1, sizeof *v->at);
	const unsigned char *base = (const unsigned char *)u->text->p;
	const unsigned char *p = base + u->off, *end = base + u->end;
	while (p < end) {
		uint32_t cp;
		size_t k = render_utf8(p, end, &cp);
		v->cp[v->n] = cp;
		v->at[v->n] = (uint32_t)(p - base);
		v->n++;
		p += k;
	}
	v->at[v->n] = u->end;
}

static unsigned cls(uint32_t cp)
{
	return cp == SL_CP_BAD ? UC_PUNCT : uc_class(cp);
}

static int is_alnum_cp(uint32_t cp)
{
	return (cls(cp) & (UC_LETTER | UC_DIGIT | UC_MARK)) != 0;
}

static int is_ascii_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_ascii_digit(int c)
{
	return c >= '0' && c <= '9';
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Does the dictionary (or the rule's words:) know w (case-folded UTF-8)?
 * Without a dictionary only the rule's words count. */
static int known_word(const mset *m, const char *w, size_t n)
{
	if (n == 0)
		return 0;
	if (m->mr->words && wordset_has(m->mr->words, w, n))
		return 1;
	return m->r->ctx->speller && speller_check(m->r->ctx, w, n);
}

/* w folded into out (NUL-terminated); 0 when it does not fit. */
static size_t fold_into(const char *w, size_t n, char *out, size_t outsz)
{
	size_t k = word_fold(w, n, out, outsz);
	return k == (size_t)-1 ? 0 : k;
}

/* p[0..n) cut to at most max code points, "..." when cut, for notes. */
static const char *shorten(sl_arena *a, const char *p, size_t n, size_t max)
{
	size_t i = 0, cps = 0;
	while (i < n && cps < max) {
		i++;
		while (i < n && ((unsigned char)p[i] & 0xC0) == 0x80)
			i++;
		cps++;
	}
	return arena_printf(a, "%.*s%s", (int)i, p, i < n ? "..." : "");
}

static int in_list(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w, list[i]))
			return 1;
	return 0;
}

#define NELEM(a) (sizeof(a) / sizeof *(a))

/* Is block blk of kind k? */
static int blk_is(const sl_result *r, int blk, sl_block_kind k)
{
	return blk >= 0 && (size_t)blk < r->doc.nblk && r->doc.blk[blk].kind == k;
}

/* The header field a unit is the value of: a header scope's field, or
 * the Subject field for the subject block; NULL otherwise. */
static const sl_header *unit_header(const sl_result *r, const sl_unit *u)
{
	if (u->hdr)
		return u->hdr;
	if (blk_is(r, u->blk, SL_BLK_SUBJECT) && u->text == &r->doc.blk[u->blk].text)
		return r->doc.subject;
	return NULL;
}

/* --- reply and forward prefixes ----------------------------------------- */

/* Reply and forward markers of English and the usual other languages
 * (German AW/WG, Scandinavian SV, Finnish VS, Dutch Antw, French TR,
 * Italian RIF, Portuguese RES/ENC), compared case-insensitively. */
static const char *const reply_words[] = {
	"re", "fw", "fwd", "aw", "wg", "sv", "vs", "antw", "antwort", "tr", "rif",
	"res", "enc",
};

/* The offset past the reply/forward prefixes ("Re: Fwd: ", "RE::",
 * "Re[2]: ") at the start of p[off, end), and the spaces after them;
 * off itself when there are none. */
static size_t reply_prefix_end(const char *p, size_t off, size_t end)
{
	size_t at = off, done = off;
	for (int rounds = 0; rounds < 16; rounds++) {
		size_t i = at;
		while (i < end && (p[i] == ' ' || p[i] == '\t'))
			i++;
		size_t w = i;
		while (i < end && i - w < 8 && is_ascii_alpha((unsigned char)p[i]))
			i++;
		if (i == w || i - w >= 8 || (i < end && is_ascii_alpha((unsigned char)p[i])))
			break;
		char word[8];
		for (size_t k = w; k < i; k++)
			word[k - w] = ascii_lower(p[k]);
		word[i - w] = 0;
		if (!in_list(word, reply_words, NELEM(reply_words)))
			break;
		while (i < end && p[i] == ' ')
			i++;
		if (i < end && (p[i] == '[' || p[i] == '(')) {
			char close = p[i] == '[' ? ']' : ')';
			size_t k = i + 1;
			while (k < end && k - i < 6 && is_ascii_digit((unsigned char)p[k]))
				k++;
			if (k > i + 1 && k < end && p[k] == close)
				i = k + 1;
		}
		while (i < end && p[i] == ' ')
			i++;
		size_t colons = 0;
		for (;;) {
			if (i < end && p[i] == ':') {
				i++;
			} else if (end - i >= 3 && !memcmp(p + i, "\xEF\xBC\x9A", 3)) {
				i += 3; /* U+FF1A fullwidth colon */
			} else {
				break;
			}
			colons++;
			while (i < end && p[i] == ' ')
				i++;
		}
		if (!colons)
			break;
		at = done = i;
	}
	return done;
}

/* The unit as filters read a Subject: without its reply prefixes. */
static sl_unit strip_reply(const sl_result *r, const sl_unit *u)
{
	sl_unit v = *u;
	if (!blk_is(r, u->blk, SL_BLK_SUBJECT) || u->sent >= 0 || u->end > u->text->len)
		return v;
	size_t off = reply_prefix_end(u->text->p, u->off, u->end);
	if (off == u->off)
		return v;
	size_t k = 0;
	while (k < v.nword && v.word[k].off < off)
		k++;
	v.word += k;
	v.nword -= k;
	v.off = (uint32_t)off;
	return v;
}

/* --- shouting-words -------------------------------------------------------- */

static int has_digit(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p, *end = s + n;
	while (s < end) {
		uint32_t cp;
		s += render_utf8(s, end, &cp);
		if (cls(cp) & UC_DIGIT)
			return 1;
	}
	return 0;
}

/* shouting-words: words written in capitals inside an instance that also
 * has lower-case letters (a wholly capitalised one is caps-ratio's
 * business): two or more letters, all upper-case, more than
 * ignore_shorter (default 3) letters, no digits (model numbers), not in
 * the vocabulary, and a dictionary word once lower-cased (FREE, SAVE:
 * shouting; HTML, SUSE: acronyms; without a dictionary every such word
 * counts).  Locates each word. */
static double m_shouting_words(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		int lower = 0;
		for (size_t k = 0; k < u->nword && !lower; k++) {
			const sl_word *w = &u->word[k];
			const char *p = word_text(u, w);
			size_t l, up;
			if (!is_word(w) || !p)
				continue;
			word_letters(p, w->len, &l, &up);
			lower = l > up;
		}
		if (!lower)
			continue;
		for (size_t k = 0; k < u->nword; k++) {
			const sl_word *w = &u->word[k];
			const char *p = word_text(u, w);
			size_t l, up;
			if (!is_word(w) || !p || has_digit(p, w->len) || memchr(p, '_', w->len) ||
			    memchr(p, '.', w->len))
				continue; /* model numbers, identifiers, domains */
			word_letters(p, w->len, &l, &up);
			if (l < 2 || up != l || (double)l <= m->mr->ignore_shorter ||
			    wordset_has(m->mr->vocab, p, w->len))
				continue;
			/* HTML, SUSE, GPRS: acronyms, not words in capitals */
			if (m->r->ctx->speller && w->norm && !speller_check(m->r->ctx, w->norm, w->normlen))
				continue;
			n++;
			metric_item_add(m, u->text, w->off, (size_t)w->off + w->len);
		}
	}
	return n;
}

/* --- gappy-words ------------------------------------------------------------- */

/* A letter standing alone: no letter, digit or mark touches it. */
static int lone_letter(const cpv *v, size_t i)
{
	if (!(cls(v->cp[i]) & UC_LETTER))
		return 0;
	if (i > 0 && is_alnum_cp(v->cp[i - 1]))
		return 0;
	return i + 1 >= v->n || !is_alnum_cp(v->cp[i + 1]);
}

/* gappy-words: words spelt with a gap after each letter, "F R E E",
 * "g.a.p.p.y", "V-I-A-G-R-A": four or more lone letters in a row, each
 * separated from the next by the same one to three spaces or punctuation
 * marks.  Locates each run. */
static double m_gappy_words(const mset *m)
{
	double n = 0;
	for (size_t u = 0; u < m->nu; u++) {
		cpv v;
		unit_cps(m->r, &m->u[u], &v);
		size_t i = 0;
		while (i < v.n) {
			if (!lone_letter(&v, i)) {
				i++;
				continue;
			}
			size_t start = i, last = i, letters = 1, gap = 0;
			for (;;) {
				size_t g = last + 1;
				while (g < v.n && g - last <= 4 && !is_alnum_cp(v.cp[g]) &&
				       !(cls(v.cp[g]) & UC_EMOJI))
					g++;
				if (g == last + 1 || g - last > 4 || g >= v.n || !lone_letter(&v, g))
					break;
				/* every gap of a run the same: "F R E E", not "y V" */
				size_t len = g - last - 1;
				if (!gap)
					gap = len;
				else if (len != gap || memcmp(v.cp + start + 1, v.cp + last + 1,
				                              len * sizeof *v.cp))
					break;
				letters++;
				last = g;
			}
			if (letters >= 4) {
				n++;
				metric_item_add(m, m->u[u].text, v.at[start], v.at[last + 1]);
			}
			i = last + 1;
		}
	}
	return n;
}

/* --- leet-words -------------------------------------------------------------- */

/* The letter a digit stands for in l33t spelling (alt: the second
 * reading of 1), or 0. */
static char leet_letter(char d, int alt)
{
	switch (d) {
	case '0': return 'o';
	case '1': return alt ? 'l' : 'i';
	case '3': return 'e';
	case '4': return 'a';
	case '5': return 's';
	case '7': return 't';
	case '8': return 'b';
	case '9': return 'g';
	default: return 0;
	}
}

/* leet-words: words where digits stand for letters ("fr33", "v1agra",
 * "m0ney"): ASCII letters and digits only, at least two letters and one
 * digit, four characters or more; unknown to the dictionary as written,
 * known (or in the rule's words:) once each digit is read as the letter
 * it looks like (0 o, 1 i or l, 3 e, 4 a, 5 s, 7 t, 8 b, 9 g); a single
 * final digit is a version (POP3, MP3) and does not count.  Needs the
 * dictionary or words:.  Locates each word. */
static double m_leet_words(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		for (size_t k = 0; k < u->nword; k++) {
			const sl_word *w = &u->word[k];
			const char *p = word_text(u, w);
			if (!is_word(w) || !p || (w->flags & SL_W_NUMBER) || w->len < 4 || w->len > 40)
				continue;
			size_t letters = 0, digits = 0, other = 0;
			char low[48];
			for (size_t j = 0; j < w->len; j++) {
				unsigned char c = (unsigned char)p[j];
				letters += is_ascii_alpha(c);
				digits += is_ascii_digit(c);
				other += !is_ascii_alpha(c) && !is_ascii_digit(c);
				low[j] = ascii_lower((char)c);
			}
			low[w->len] = 0;
			if (other || letters < 2 || !digits || known_word(m, low, w->len) ||
			    wordset_has(m->mr->vocab, p, w->len))
				continue;
			if (digits == 1 && is_ascii_digit((unsigned char)low[w->len - 1]))
				continue; /* a version or model suffix: POP3, MP3, Win7 */
			for (int alt = 0; alt < 2; alt++) {
				char cand[48];
				size_t j;
				for (j = 0; j < w->len; j++) {
					cand[j] = is_ascii_digit((unsigned char)low[j]) ?
						leet_letter(low[j], alt) : low[j];
					if (!cand[j])
						break;
				}
				if (j < w->len)
					break;
				cand[j] = 0;
				if (known_word(m, cand, j)) {
					n++;
					mitem *it = metric_item_add(m, u->text, w->off, (size_t)w->off + w->len);
					if (it)
						it->note = arena_printf(&m->r->arena, "reads as '%s'", cand);
					break;
				}
			}
		}
	}
	return n;
}

/* --- broken-words ------------------------------------------------------------ */

/* Marks that break a word apart without a space.  '-' joins words
 * legitimately, so it counts only towards the rule's words:; apostrophes
 * never (contractions). */
static int breaker(uint32_t cp)
{
	return cp < 0x80 && cp && strchr(".-_*!@#$%^&+=|~:;,/\\", (int)cp) != NULL;
}

/* What a breaker may stand for when a word is spelt with it ("v*agra",
 * "fr@ud", "$ale"); NULL when it stands for nothing. */
static const char *breaker_letters(uint32_t cp)
{
	switch (cp) {
	case '*': case '#': case '%': return "aeiou";
	case '@': return "a";
	case '$': return "s";
	case '!': case '|': return "il";
	default: return NULL;
	}
}

/* Tokens a broken word may not touch: placeholders, URLs, addresses. */
static int opaque_token(const sl_word *w)
{
	return (w->flags & (SL_W_PLACEHOLDER | SL_W_URL | SL_W_EMAIL)) != 0;
}

/* Check the compound s[0..n) (letters and breakers, starting and ending
 * with a letter): 1 with *why set when it is a word broken apart. */
static int broken_compound(const mset *m, const char *s, size_t n, const char **why)
{
	char joined[128], word[160];
	size_t jl = 0, breaks = 0, hyphens = 0, pieces = 1, piece_len = 0, singles = 0;
	uint32_t brk = 0;
	size_t brk_at = 0;
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		uint32_t cp;
		size_t k = render_utf8(p, end, &cp);
		if (breaker(cp)) {
			singles += piece_len == 1;
			piece_len = 0;
			pieces++;
			if (cp == '-')
				hyphens++;
			else
				breaks++;
			brk = cp;
			brk_at = jl;
		} else {
			if (jl + k >= sizeof joined)
				return 0;
			memcpy(joined + jl, p, k);
			jl += k;
			piece_len++;
		}
		p += k;
	}
	singles += piece_len == 1;
	if (!breaks && !hyphens)
		return 0;
	if (singles == pieces && pieces >= 3)
		return 0; /* gappy-words' case */
	size_t fl = fold_into(joined, jl, word, sizeof word);
	size_t cps = 0;
	for (size_t i = 0; i < fl; i++)
		cps += ((unsigned char)word[i] & 0xC0) != 0x80;
	if (cps < 3)
		return 0; /* the shortest word a mark may stand in: c@sh */
	char orig[160];
	size_t ol = fold_into(s, n, orig, sizeof orig);
	if (!ol || known_word(m, orig, ol) || wordset_has(m->mr->vocab, s, n))
		return 0;
	if (m->mr->words && wordset_has(m->mr->words, word, fl)) {
		*why = arena_printf(&m->r->arena, "reads as '%s'", word);
		return 1;
	}
	if (breaks && cps >= 4 && known_word(m, word, fl)) {
		*why = arena_printf(&m->r->arena, "reads as '%s'", word);
		return 1;
	}
	/* one symbol standing for a letter */
	const char *sub = breaks == 1 && !hyphens ? breaker_letters(brk) : NULL;
	for (; sub && *sub; sub++) {
		char cand[162];
		if (fl + 1 >= sizeof cand || brk_at > fl)
			return 0;
		memcpy(cand, word, brk_at);
		cand[brk_at] = *sub;
		memcpy(cand + brk_at + 1, word + brk_at, fl - brk_at);
		cand[fl + 1] = 0;
		if (known_word(m, cand, fl + 1)) {
			*why = arena_printf(&m->r->arena, "reads as '%s'", cand);
			return 1;
		}
	}
	return 0;
}

/* broken-words: a word split by punctuation so filters miss it ("fr.ee",
 * "v*agra", "c@sh"): letters and marks from . _ * ! @ # $ % ^ & + = | ~ :
 * ; , / \ with no space between, unknown to the dictionary as written,
 * a word of four letters or more once the marks are dropped (or one mark
 * is read as the letter it stands for: * any vowel, @ a, $ s, ! i).
 * Hyphenated spellings and words split by spaces ("Via gra") count only
 * when they join into one of the rule's words:.  Placeholders, URLs and
 * addresses are left alone.  Locates each. */
static double m_broken_words(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		const char *base = u->text->p;
		size_t k = 0;
		while (k < u->nword) {
			/* a run of tokens with no space between them */
			size_t j = k + 1;
			int opaque = opaque_token(&u->word[k]);
			while (j < u->nword && !(u->word[j].flags & SL_W_SPACE_BEFORE)) {
				opaque |= opaque_token(&u->word[j]);
				j++;
			}
			size_t a = u->word[k].off;
			size_t b = (size_t)u->word[j - 1].off + u->word[j - 1].len;
			k = j;
			if (opaque || b > u->text->len)
				continue;
			/* trim to letters at both ends; only letters and breakers inside */
			cpv v;
			sl_unit part = *u;
			part.off = (uint32_t)a;
			part.end = (uint32_t)b;
			unit_cps(m->r, &part, &v);
			size_t s = 0, e = v.n;
			while (s < e && !(cls(v.cp[s]) & UC_LETTER))
				s++;
			while (e > s && !(cls(v.cp[e - 1]) & (UC_LETTER | UC_MARK)))
				e--;
			int ok = e > s;
			for (size_t q = s; q < e && ok; q++)
				ok = (cls(v.cp[q]) & (UC_LETTER | UC_MARK)) || breaker(v.cp[q]);
			const char *why = NULL;
			if (ok && broken_compound(m, base + v.at[s], v.at[e] - v.at[s], &why)) {
				n++;
				mitem *it = metric_item_add(m, u->text, v.at[s], v.at[e]);
				if (it)
					it->note = why;
			}
		}
		/* words split by spaces into one of words: ("Via gra") */
		if (!m->mr->words)
			continue;
		for (size_t k0 = 0; k0 + 1 < u->nword; k0++) {
			char joined[128];
			size_t jl = 0;
			for (size_t k1 = k0; k1 < u->nword && k1 < k0 + 3; k1++) {
				const sl_word *w = &u->word[k1];
				if (!is_word(w) || !w->norm || (k1 > k0 && !(w->flags & SL_W_SPACE_BEFORE)) ||
				    jl + w->normlen >= sizeof joined)
					break;
				memcpy(joined + jl, w->norm, w->normlen);
				jl += w->normlen;
				joined[jl] = 0;
				if (k1 > k0 && wordset_has(m->mr->words, joined, jl)) {
					n++;
					mitem *it = metric_item_add(m, u->text, u->word[k0].off,
					                     (size_t)w->off + w->len);
					if (it)
						it->note = arena_printf(&m->r->arena, "reads as '%s'", joined);
					k0 = k1;
					break;
				}
			}
		}
	}
	return n;
}

/* --- lookalike-words ---------------------------------------------------------- */

/* Letters dressed up as other letters: mathematical alphanumerics
 * (𝐅𝐑𝐄𝐄), circled and squared letters, small capitals, and fullwidth
 * Latin (counted only when cjk is 0: Japanese and Chinese text uses it
 * normally). */
static int styled_cp(uint32_t cp, int cjk)
{
	if ((cp >= 0x1D400 && cp <= 0x1D7FF) || (cp >= 0x24B6 && cp <= 0x24E9) ||
	    (cp >= 0x1F130 && cp <= 0x1F189) || (cp >= 0x1D00 && cp <= 0x1D22) ||
	    cp == 0x0280 || cp == 0x0299 || cp == 0x029C || cp == 0x029F || cp == 0x0262 ||
	    cp == 0x026A || cp == 0x0274 || cp == 0x0276 || cp == 0x028F || cp == 0xA730 ||
	    cp == 0xA731)
		return 1;
	return !cjk && ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A));
}

static int cjk_cp(uint32_t cp)
{
	return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x9FFF) ||
	       (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF);
}

/* lookalike-words: words that only look like plain Latin words: Latin
 * letters mixed with Cyrillic or Greek ones in one word ("РayPal" with a
 * Cyrillic Р), or styled letters (𝐅𝐑𝐄𝐄, ⓕⓡⓔⓔ, ꜰʀᴇᴇ, ＦＲＥＥ outside
 * CJK text).  Filters and readers' eyes match them differently.  Locates
 * each token, with a note saying which. */
static double m_lookalike_words(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		cpv v;
		unit_cps(m->r, u, &v);
		int cjk = 0;
		for (size_t q = 0; q < v.n && !cjk; q++)
			cjk = cjk_cp(v.cp[q]);
		for (size_t k = 0; k < u->nword; k++) {
			const sl_word *w = &u->word[k];
			const char *p = word_text(u, w);
			if (!p || (w->flags & (SL_W_PLACEHOLDER | SL_W_URL | SL_W_EMAIL)))
				continue;
			const char *why = NULL;
			if (w->flags & SL_W_MIXED_SCRIPT) {
				why = "mixes Latin letters with Cyrillic or Greek ones that look the same";
			} else {
				const unsigned char *s = (const unsigned char *)p, *end = s + w->len;
				while (s < end && !why) {
					uint32_t cp;
					s += render_utf8(s, end, &cp);
					if (styled_cp(cp, cjk))
						why = "styled Unicode letters, not plain ones: filters read them as symbols";
				}
			}
			if (!why)
				continue;
			n++;
			mitem *it = metric_item_add(m, u->text, w->off, (size_t)w->off + w->len);
			if (it)
				it->note = why;
		}
	}
	return n;
}

/* --- invisible-chars ---------------------------------------------------------- */

static int rtl_cp(uint32_t cp)
{
	return (cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
	       (cp >= 0xFE70 && cp <= 0xFEFC) || (cp >= 0x10800 && cp <= 0x10FFF) ||
	       (cp >= 0x1E800 && cp <= 0x1EFFF);
}

static int bidi_cp(uint32_t cp)
{
	return cp == 0x200E || cp == 0x200F || cp == 0x061C || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Part of an emoji sequence: a pictograph, a skin tone, a variation
 * selector, a keycap. */
static int emoji_part(uint32_t cp)
{
	return cp != SL_CP_BAD && ((cls(cp) & UC_EMOJI) || pictographic(cp) ||
	       (cp >= 0x1F3FB && cp <= 0x1F3FF) || cp == 0xFE0F || cp == 0x20E3);
}

/* A letter of a script that joins its letters with ZWJ/ZWNJ (Arabic,
 * Persian, Indic, ...): anything but Latin, Greek and Cyrillic. */
static int joining_letter(uint32_t cp)
{
	unsigned c = cls(cp);
	return (c & (UC_LETTER | UC_MARK)) && !(c & (UC_LATIN | UC_GREEK | UC_CYRILLIC));
}

/* Characters nobody sees: zero-width space, joiners, word joiner,
 * zero-width no-break space (BOM), soft hyphen, bidirectional controls,
 * invisible operators, tag characters, Hangul fillers, the blank Braille
 * pattern, the combining grapheme joiner. */
static int invisible_cp(uint32_t cp)
{
	if (cp == SL_CP_BAD)
		return 0;
	if (cls(cp) & UC_IGNORE)
		return 1;
	return cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 ||
	       cp == 0x2800;
}

/* Is the invisible character at i doing a job (an emoji sequence's ZWJ,
 * a joiner in a joining script, a bidi mark in right-to-left text)? */
static int invisible_needed(const cpv *v, size_t i, int rtl)
{
	uint32_t cp = v->cp[i];
	uint32_t prev = i > 0 ? v->cp[i - 1] : 0, next = i + 1 < v->n ? v->cp[i + 1] : 0;
	if (cp == 0x200D && (emoji_part(prev) || emoji_part(next)))
		return 1;
	if ((cp == 0x200C || cp == 0x200D) && (joining_letter(prev) || joining_letter(next)))
		return 1;
	if (cp >= 0xE0020 && cp <= 0xE007F && (prev == 0x1F3F4 || (prev >= 0xE0020 && prev <= 0xE007F)))
		return 1;
	return rtl && bidi_cp(cp);
}

static const char *invisible_name(uint32_t cp)
{
	switch (cp) {
	case 0x200B: return "zero width space";
	case 0x200C: return "zero width non-joiner";
	case 0x200D: return "zero width joiner";
	case 0x2060: return "word joiner";
	case 0xFEFF: return "zero width no-break space";
	case 0x00AD: return "soft hyphen";
	case 0x200E: return "left-to-right mark";
	case 0x200F: return "right-to-left mark";
	case 0x034F: return "combining grapheme joiner";
	default: break;
	}
	if (bidi_cp(cp))
		return "bidirectional control";
	if (cp >= 0xE0000 && cp <= 0xE007F)
		return "tag character";
	return "invisible character";
}

/* invisible-chars: characters a reader cannot see inside the text (see
 * invisible_cp), except where they do a job (invisible_needed).  Spam
 * hides them inside words to break filters' word matching.  Locates each
 * run, with a note naming the first character. */
static double m_invisible_chars(const mset *m)
{
	double n = 0;
	for (size_t u = 0; u < m->nu; u++) {
		cpv v;
		unit_cps(m->r, &m->u[u], &v);
		int rtl = 0;
		for (size_t i = 0; i < v.n && !rtl; i++)
			rtl = rtl_cp(v.cp[i]);
		size_t i = 0;
		while (i < v.n) {
			if (!invisible_cp(v.cp[i]) || invisible_needed(&v, i, rtl)) {
				i++;
				continue;
			}
			size_t s = i;
			while (i < v.n && invisible_cp(v.cp[i]) && !invisible_needed(&v, i, rtl))
				i++;
			n += (double)(i - s);
			mitem *it = metric_item_add(m, m->u[u].text, v.at[s], v.at[i]);
			if (!it)
				continue;
			if (i - s == 1)
				it->note = arena_printf(&m->r->arena, "U+%04X %s", (unsigned)v.cp[s],
				                        invisible_name(v.cp[s]));
			else
				it->note = arena_printf(&m->r->arena, "%zu invisible characters, the first U+%04X %s",
				                        i - s, (unsigned)v.cp[s], invisible_name(v.cp[s]));
		}
	}
	return n;
}

/* --- emoji-words ---------------------------------------------------------------- */

/* emoji-words: emoji standing where a word would be: between two words
 * ("I ❤️ NY", "Get 🔥 deals"), or every emoji of an instance that has no
 * word at all.  Emoji before or after the words decorate; these replace.
 * Locates each emoji token. */
static double m_emoji_words(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		size_t words = 0;
		for (size_t k = 0; k < u->nword; k++)
			words += is_word(&u->word[k]);
		for (size_t k = 0; k < u->nword; k++) {
			const sl_word *w = &u->word[k];
			if (!(w->flags & SL_W_EMOJI))
				continue;
			int stands = words == 0 ||
				(k > 0 && k + 1 < u->nword && is_word(&u->word[k - 1]) &&
				 is_word(&u->word[k + 1]));
			if (!stands)
				continue;
			n++;
			metric_item_add(m, u->text, w->off, (size_t)w->off + w->len);
		}
	}
	return n;
}

/* --- recipient-words ------------------------------------------------------------ */

/* Mailbox names that are roles, not people: seeing them in a subject
 * says nothing about the recipient. */
static const char *const role_names[] = {
	"accounts", "admin", "administrator", "billing", "careers", "contact", "customer",
	"customers", "email", "enquiries", "feedback", "hello", "help", "info", "inquiries",
	"jobs", "mail", "marketing", "media", "member", "members", "news", "newsletter",
	"no-reply", "noreply", "office", "order", "orders", "postmaster", "press", "sales",
	"service", "shop", "store", "subscriber", "support", "team", "test", "user",
	"webmaster",
};

/* The first address of the message's To field, lower-cased: *addr the
 * whole address, *local its local part without a +tag.  0 if none. */
static int to_address(sl_result *r, const char **addr, const char **local)
{
	if (r->doc.kind != SL_KIND_EML || !r->doc.root)
		return 0;
	const sl_header *h = part_header(r->doc.root, "To");
	if (!h || !h->value.p)
		return 0;
	const char *p = h->value.p, *end = p + h->value.len;
	const char *s = memchr(p, '<', h->value.len), *e;
	if (s) {
		s++;
		e = memchr(s, '>', (size_t)(end - s));
		if (!e)
			return 0;
	} else {
		const char *at = memchr(p, '@', h->value.len);
		if (!at)
			return 0;
		s = e = at;
		while (s > p && !strchr(" \t,;<>\"()", s[-1]))
			s--;
		while (e < end && !strchr(" \t,;<>\"()", *e))
			e++;
	}
	const char *at = NULL;
	for (const char *q = s; q < e; q++)
		if (*q == '@')
			at = q;
	if (!at || at == s || at + 1 >= e || e - s > 254)
		return 0;
	char *a = arena_strndup(&r->arena, s, (size_t)(e - s));
	for (char *q = a; *q; q++)
		*q = ascii_lower(*q);
	size_t ll = (size_t)(at - s);
	const char *plus = memchr(a, '+', ll);
	*addr = a;
	*local = arena_strndup(&r->arena, a, plus ? (size_t)(plus - a) : ll);
	return 1;
}

/* Does the local part look like a mailbox name rather than a person's
 * name: digits, dots, underscores, hyphens? */
static int handle_like(const char *local)
{
	for (const char *q = local; *q; q++)
		if (!is_ascii_alpha((unsigned char)*q) && (unsigned char)*q < 0x80)
			return 1;
	return 0;
}

/* Is w the name inside a mailing list's subject tag, "[listname]"? */
static int list_tag(const sl_unit *u, const sl_word *w)
{
	size_t a = w->off, b = (size_t)w->off + w->len;
	return a > 0 && b < u->text->len && u->text->p[a - 1] == '[' && u->text->p[b] == ']';
}

static int first_upper(const char *p, size_t n)
{
	uint32_t cp;
	render_utf8((const unsigned char *)p, (const unsigned char *)p + n, &cp);
	return cp != SL_CP_BAD && uc_is_upper(cp);
}

static int ascii_ieq(const char *a, size_t n, const char *b)
{
	size_t i;
	for (i = 0; i < n && b[i]; i++)
		if (ascii_lower(a[i]) != b[i])
			return 0;
	return i == n && !b[i];
}

/* recipient-words: the recipient's address (the first of To), or its
 * local part, in the text: "katfish48, a grant for you", "Offer for
 * jane.doe@example.com".  The local part counts when it has three
 * characters or more, is not a role (info, sales, ...) or a dictionary
 * word (you@, news@), and either is handle-like (digits, dots,
 * underscores) or is written in lower case as in the address: "John, your order" to john@ reads as a name, "john,
 * your order" as a scraped address; a mailing list's "[listname]" tag
 * does not count.  Messages only (templates have no To).  Locates each. */
static double m_recipient_words(const mset *m)
{
	const char *addr, *local;
	if (!to_address(m->r, &addr, &local))
		return NAN;
	size_t ll = strlen(local);
	int handle = handle_like(local);
	/* a plain word (you@, news@) says nothing when the subject uses it */
	int use_local = ll >= 3 && !in_list(local, role_names, NELEM(role_names)) &&
		(handle || !m->r->ctx->speller || !speller_check(m->r->ctx, local, ll));
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		for (size_t k = 0; k < u->nword; k++) {
			const sl_word *w = &u->word[k];
			const char *p = word_text(u, w);
			if (!p)
				continue;
			const char *why = NULL;
			if ((w->flags & SL_W_EMAIL) && ascii_ieq(p, w->len, addr))
				why = "the recipient's address";
			else if (use_local && w->norm && !strcmp(w->norm, local) &&
			         (handle || !first_upper(p, w->len)) && !list_tag(u, w))
				why = arena_printf(&m->r->arena, "the recipient's mailbox name (To: %s)", addr);
			if (!why)
				continue;
			n++;
			mitem *it = metric_item_add(m, u->text, w->off, (size_t)w->off + w->len);
			if (it)
				it->note = why;
		}
	}
	return n;
}

/* --- edge-spaces -------------------------------------------------------------- */

/* edge-spaces: white space a header field's value starts or ends with,
 * beyond the one space after the colon: "Subject:   Hello  ".  Measured on
 * the field as written (the decoded value is trimmed), for the subject
 * and header:NAME scopes; other instances have no value.  Locates the
 * leading extra and the trailing run. */
static double m_edge_spaces(const mset *m)
{
	double n = 0;
	int any = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_header *h = unit_header(m->r, &m->u[i]);
		if (!h)
			continue;
		any = 1;
		const sl_text *raw = &h->raw;
		size_t len = raw->len, lead = 0, tail = len;
		while (lead < len && (raw->p[lead] == ' ' || raw->p[lead] == '\t'))
			lead++;
		if (lead == len)
			continue; /* blank: the empty field's business */
		while (tail > lead && (raw->p[tail - 1] == ' ' || raw->p[tail - 1] == '\t' ||
		                       raw->p[tail - 1] == '\r'))
			tail--;
		if (lead >= 2) {
			n++;
			metric_item_add(m, raw, 1, lead);
		}
		size_t t = tail;
		while (t < len && raw->p[t] == '\r')
			t++; /* a stray CR is not a space */
		if (t < len && t == tail) {
			n++;
			metric_item_add(m, raw, tail, len);
		}
	}
	return any ? n : NAN;
}

/* --- space-runs ------------------------------------------------------------- */

static int blank_cp(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == 0xA0;
}

/* space-runs: two or more spaces (or a tab) in a row inside the text,
 * "Your order  has shipped".  Runs that come from folding a long header
 * field over two lines are how the field is written, not what the reader
 * sees, and do not count: a run that starts a line of the file or
 * crosses a line break.  Locates each run. */
static double m_space_runs(const mset *m)
{
	const sl_result *r = m->r;
	double n = 0;
	for (size_t u = 0; u < m->nu; u++) {
		cpv v;
		unit_cps(m->r, &m->u[u], &v);
		size_t i = 0;
		while (i < v.n) {
			if (!blank_cp(v.cp[i])) {
				i++;
				continue;
			}
			size_t s = i;
			int tab = 0;
			while (i < v.n && blank_cp(v.cp[i]))
				tab |= v.cp[i++] == '\t';
			if (i - s < 2 && !tab)
				continue;
			sl_span sp = text_span(m->u[u].text, v.at[s], v.at[i]);
			int folded = sp.off > 0 && sp.off <= r->len && r->src[sp.off - 1] == '\n';
			for (size_t k = sp.off; k < sp.end && k < r->len && !folded; k++)
				folded = r->src[k] == '\n' || r->src[k] == '\r';
			if (folded)
				continue;
			n++;
			metric_item_add(m, m->u[u].text, v.at[s], v.at[i]);
		}
	}
	return n;
}

/* --- plain-encoded-words ------------------------------------------------------- */

/* An RFC 2047 encoded word at p[i..): its end (past "?="), its encoding
 * letter in *enc; 0 if none starts here. */
static size_t encoded_word_at(const char *p, size_t len, size_t i, char *enc)
{
	if (i + 2 > len || p[i] != '=' || p[i + 1] != '?')
		return 0;
	size_t k = i + 2, cs = k;
	while (k < len && k - cs < 76 && p[k] != '?' && p[k] != ' ' && p[k] != '\t')
		k++;
	if (k == cs || k + 3 > len || p[k] != '?')
		return 0;
	char e = ascii_lower(p[k + 1]);
	if ((e != 'q' && e != 'b') || p[k + 2] != '?')
		return 0;
	k += 3;
	while (k < len && k - i < 1000 && p[k] != '?' && p[k] != ' ' && p[k] != '\t')
		k++;
	if (k + 2 > len || p[k] != '?' || p[k + 1] != '=')
		return 0;
	*enc = e;
	return k + 2;
}

/* plain-encoded-words: RFC 2047 encoded words in a field whose decoded
 * value is plain printable ASCII, so nothing needed encoding (rspamd's
 * SUBJ_EXCESS_QP and SUBJ_EXCESS_BASE64).  Measured on the field as
 * written, for the subject and header:NAME scopes.  The value is the
 * number of encoded words; one item spans the first to the last, with
 * the fix-it that writes the decoded text instead (mapped bytes of the
 * decoded value, so spaces between adjacent encoded words, which
 * decoding drops, are dropped too). */
static double m_plain_encoded_words(const mset *m)
{
	double n = 0;
	int any = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_header *h = unit_header(m->r, &m->u[i]);
		if (!h)
			continue;
		any = 1;
		const sl_text *raw = &h->raw, *val = &h->value;
		size_t first = 0, last = 0, count = 0;
		int q = 0, b = 0;
		for (size_t k = 0; k < raw->len;) {
			char enc;
			size_t e = encoded_word_at(raw->p, raw->len, k, &enc);
			if (!e) {
				k++;
				continue;
			}
			if (!count)
				first = k;
			last = e;
			count++;
			q |= enc == 'q';
			b |= enc == 'b';
			k = e;
		}
		if (!count)
			continue;
		int plain = val->len > 0;
		for (size_t k = 0; k < val->len && plain; k++) {
			unsigned char c = (unsigned char)val->p[k];
			plain = (c >= 0x20 && c < 0x7F) || c == '\t';
			if (c == '=' && k + 1 < val->len && val->p[k + 1] == '?')
				plain = 0;
		}
		if (!plain)
			continue;
		n += (double)count;
		mitem *it = metric_item_add(m, raw, first, last);
		if (!it)
			continue;
		/* the decoded bytes that came from [first, last) of the field */
		sl_span src = text_span(raw, first, last);
		sl_buf fb;
		buf_init(&fb, &m->r->arena, (size_t)1 << 16);
		for (size_t s = 0; s < val->nseg; s++) {
			const sl_seg *g = &val->seg[s];
			if (g->src >= src.off && g->src + g->src_len <= src.end && g->out + g->out_len <= val->len)
				buf_add(&fb, val->p + g->out, g->out_len);
		}
		const char *fix = buf_cstr(&fb);
		if (fix && !fb.over && fb.len)
			it->fix = fix;
		it->note = arena_printf(&m->r->arena, "%s-encoded, yet it decodes to plain ASCII: '%s'",
		                        q && b ? "quoted-printable and base64" : q ? "quoted-printable" : "base64",
		                        shorten(&m->r->arena, val->p, val->len, 60));
	}
	return any ? n : NAN;
}

/* --- unique-id -------------------------------------------------------------------- */

/* Words after which a trailing number is a reference, not a tag. */
static const char *const number_words[] = {
	"account", "acct", "batch", "booking", "box", "bug", "build", "case", "chapter", "claim",
	"code", "confirmation", "contract", "deal", "digest", "episode", "estimate", "flight", "id",
	"invoice", "issue", "item", "job", "lot", "model", "no", "nr", "num", "number", "order",
	"page", "part", "patch", "pin", "po", "policy", "pr", "project", "quote", "receipt", "ref",
	"reference", "release", "request", "reservation", "rev", "revision", "room", "route",
	"serial", "sku", "step", "store", "suite", "task", "ticket", "trade", "tracking", "unit",
	"version", "vol", "volume",
	"january", "february", "march", "april", "may", "june", "july", "august", "september",
	"october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
	"sep", "sept", "oct", "nov", "dec",
};

static int vowel(char c)
{
	return c && strchr("aeiou", c) != NULL;
}

/* The unique-id item at the end of s[0..e) (a unit's text up to its last
 * non-space): its start, or (size_t)-1. */
static size_t unique_tail(const mset *m, const char *s, size_t e)
{
	/* digits glued to the text, or a non-round number after a word */
	size_t d = e;
	while (d > 0 && e - d < 40 && is_ascii_digit((unsigned char)s[d - 1]))
		d--;
	size_t nd = e - d;
	if (nd >= 4 && nd < 40) {
		int year = nd == 4 && ((s[d] == '1' && s[d + 1] == '9') || (s[d] == '2' && s[d + 1] == '0'));
		char before = d > 0 ? s[d - 1] : 0;
		if (year)
			return (size_t)-1;
		if (is_ascii_alpha((unsigned char)before) || before == '!' || before == '?' ||
		    before == ')' || (before == '.' && d >= 2 && s[d - 2] == '.'))
			return d;
		if (before != ' ' || (s[e - 1] == '0' && s[e - 2] == '0'))
			return (size_t)-1;
		size_t we = d - 1, ws;
		while (we > 0 && s[we - 1] == ' ')
			we--;
		ws = we;
		while (ws > 0 && we - ws < 16 && is_ascii_alpha((unsigned char)s[ws - 1]))
			ws--;
		if (ws == we) {
			/* after a sentence: "Asian ...! 22337"; after a number, a
			 * sign or other punctuation: a quantity or a date */
			char p = we > 0 ? s[we - 1] : 0;
			return p == '!' || p == '?' || (p == '.' && we >= 2 && s[we - 2] == '.') ?
				d : (size_t)-1;
		}
		char w[17];
		for (size_t k = ws; k < we; k++)
			w[k - ws] = ascii_lower(s[k]);
		w[we - ws] = 0;
		if (in_list(w, number_words, NELEM(number_words)))
			return (size_t)-1;
		return d;
	}
	/* a bracketed random tag: [wxv4m] (suhdn) */
	if (e >= 6 && (s[e - 1] == ']' || s[e - 1] == ')')) {
		char open = s[e - 1] == ']' ? '[' : '(';
		size_t o = e - 1;
		while (o > 0 && e - o < 12 && s[o - 1] != open)
			o--;
		if (o > 0 && s[o - 1] == open) {
			size_t len = e - 1 - o, digits = 0, ok = len >= 4 && len <= 10;
			char w[12];
			for (size_t k = 0; k < len && ok; k++) {
				unsigned char c = (unsigned char)s[o + k];
				ok = (c >= 'a' && c <= 'z') || is_ascii_digit(c);
				digits += is_ascii_digit(c);
				w[k] = (char)c;
			}
			if (ok) {
				w[len] = 0;
				if ((digits && digits < len) || (!digits && open == '[' && !known_word(m, w, len)))
					return o - 1;
			}
		}
		return (size_t)-1;
	}
	/* capitals glued to a lower-case word or a '!': moneyZDVIJO */
	size_t c = e;
	while (c > 0 && e - c < 16 && s[c - 1] >= 'A' && s[c - 1] <= 'Z')
		c--;
	if (e - c >= 4 && e - c < 16 && c > 0 && ((s[c - 1] >= 'a' && s[c - 1] <= 'z') || s[c - 1] == '!')) {
		char w[17];
		for (size_t k = c; k < e; k++)
			w[k - c] = ascii_lower(s[k]);
		w[e - c] = 0;
		if (!known_word(m, w, e - c) && !wordset_has(m->mr->vocab, s + c, e - c))
			return c;
		return (size_t)-1;
	}
	/* a last token mixing lower case, capitals and digits: wmE239PgyETfr9 */
	size_t t = e;
	while (t > 0 && e - t < 64 && (is_ascii_alpha((unsigned char)s[t - 1]) ||
	                               is_ascii_digit((unsigned char)s[t - 1]) || s[t - 1] == '-'))
		t--;
	if (e - t >= 8 && e - t < 64 && t > 0 && s[t - 1] == ' ') {
		int lo = 0, up = 0, dg = 0;
		for (size_t k = t; k < e; k++) {
			lo |= s[k] >= 'a' && s[k] <= 'z';
			up |= s[k] >= 'A' && s[k] <= 'Z';
			dg |= is_ascii_digit((unsigned char)s[k]);
		}
		if (lo && up && dg)
			return t;
	}
	/* a last word no dictionary knows that no language would write:
	 * no vowel at all (pzcby), or five consonants in a row (AEGJNGKJGW) */
	size_t a = e;
	while (a > 0 && e - a < 16 && is_ascii_alpha((unsigned char)s[a - 1]))
		a--;
	if (e - a >= 4 && e - a <= 15 && a > 1 && s[a - 1] == ' ') {
		int vow = 0, lower = 0, upper = 0;
		size_t run = 0, longest = 0;
		char w[16];
		for (size_t k = a; k < e; k++) {
			char ch = ascii_lower(s[k]);
			w[k - a] = ch;
			lower += s[k] >= 'a' && s[k] <= 'z';
			upper += s[k] >= 'A' && s[k] <= 'Z';
			if (vowel(ch) || ch == 'y') {
				run = 0;
			} else if (++run > longest) {
				longest = run;
			}
			vow |= vowel(ch);
		}
		w[e - a] = 0;
		/* lower case without vowels (pzcby; five letters, so "msgs"
		 * passes), or six letters with five consonants in a row
		 * (AEGJNGKJGW; acronyms such as HTML are shorter), or */
		/* after a sentence's end, any unknown word of one case: "less....
		 * QDHP", "call me? LOWVW" */
		char p = a >= 2 ? s[a - 2] : 0, q = a >= 3 ? s[a - 3] : 0;
		int initial = a < 4 || s[a - 4] == ' '; /* "J. Smith" */
		int after_end = (p == '!' || p == '?' || (p == '.' && (q == '.' ||
		                 (is_ascii_alpha((unsigned char)q) && !initial)))) && e - a <= 10;
		int odd = after_end || (!vow && !upper && e - a >= 5) || (longest >= 5 && e - a >= 6);
		if ((lower && upper) || !odd)
			return (size_t)-1;
		if (!known_word(m, w, e - a) && !wordset_has(m->mr->vocab, s + a, e - a))
			return a;
	}
	return (size_t)-1;
}

/* unique-id: a tag at the end of the text that only a bulk mailer adds
 * to make each copy unique (SpamAssassin's SUBJ_HAS_UNIQ_ID idea): a
 * number glued to the text ("Boost!13474", "hGH17283"), a number of four
 * digits or more after a word that does not introduce one (order,
 * invoice, ticket, a month, ...; years and round numbers excepted), a
 * bracketed random tag ("[wxv4m]"), capitals glued to a word
 * ("moneyZDVIJO"), or a last word without a vowel unknown to the
 * dictionary ("pzcby").  Locates the tag. */
static double m_unique_id(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		if (u->end > u->text->len || u->off >= u->end || u->nword < 2)
			continue;
		const char *s = u->text->p + u->off;
		size_t e = u->end - u->off;
		while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		if (e < 2)
			continue;
		size_t at = unique_tail(m, s, e);
		if (at == (size_t)-1)
			continue;
		n++;
		metric_item_add(m, u->text, u->off + at, u->off + e);
	}
	return n;
}

/* --- context-overlap ------------------------------------------------------------- */

/* Words too common to show two texts are about the same thing. */
static const char *const stopwords[] = {
	"about", "after", "all", "also", "and", "any", "are", "back", "been", "but", "can",
	"for", "from", "get", "had", "has", "have", "her", "here", "his", "how", "its", "just",
	"more", "new", "not", "now", "our", "out", "see", "she", "than", "that", "the",
	"their", "them", "then", "there", "these", "they", "this", "was", "were", "what",
	"when", "which", "who", "why", "will", "with", "you", "your", "yours",
};

/* Content-word stems of tokens w[0..n) into out[] (at most max);
 * returns how many. */
static size_t content_stems(const mset *m, const sl_word *w, size_t n, const char **out,
                            size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < max; i++) {
		if (!is_word(&w[i]) || (w[i].flags & SL_W_NUMBER) || !w[i].norm || w[i].normlen < 3 ||
		    in_list(w[i].norm, stopwords, NELEM(stopwords)))
			continue;
		char st[256];
		size_t sl = speller_stem(m->r->ctx, w[i].norm, w[i].normlen, st, sizeof st);
		out[k++] = sl ? arena_strndup(&m->r->arena, st, sl) : w[i].norm;
	}
	return k;
}

#define CONTEXT_WORDS 200

/* context-overlap: for the subject, how many of its content words (three
 * letters or more, not a stop word, compared by stem) appear in the HTML
 * <title> or the preheader.  No value without a preheader that has a
 * content word (a title alone is often generic: "Newsletter"), or unless
 * the subject has two content words and the title and preheader together
 * have two; other instances have none.  A subject that shares nothing with them usually means a
 * template reused for another mailing.  The note quotes them. */
static double m_context_overlap(const mset *m)
{
	sl_result *r = m->r;
	double best = NAN;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		if (!blk_is(r, u->blk, SL_BLK_SUBJECT))
			continue;
		const char *ref[CONTEXT_WORDS], *subj[CONTEXT_WORDS];
		size_t nref = 0;
		const sl_block *pre = NULL;
		if (r->doc.title.len) {
			sl_word *tw = NULL;
			size_t nt = text_words(r, &r->doc.title, &tw);
			nref += content_stems(m, tw, nt, ref, CONTEXT_WORDS);
		}
		if (!blk_is(r, r->doc.preheader_blk, SL_BLK_PREHEADER))
			continue; /* a title alone is often generic ("Newsletter") */
		pre = &r->doc.blk[r->doc.preheader_blk];
		size_t npre = content_stems(m, pre->word, pre->nword, ref + nref, CONTEXT_WORDS - nref);
		nref += npre;
		size_t ns = content_stems(m, u->word, u->nword, subj, CONTEXT_WORDS);
		if (ns < 2 || nref < 2 || !npre)
			continue;
		double shared = 0;
		for (size_t a = 0; a < ns; a++)
			for (size_t b = 0; b < nref; b++)
				if (!strcmp(subj[a], ref[b])) {
					shared++;
					break;
				}
		best = isnan(best) || shared < best ? shared : best;
		if (m->out) {
			const sl_text *t = &r->doc.title;
			m->out->note = arena_printf(&r->arena, "title: '%s'; preheader: '%s'",
				shorten(&r->arena, t->p ? t->p : "", t->len, 60),
				pre ? shorten(&r->arena, pre->text.p, pre->text.len, 60) : "");
		}
	}
	return best;
}

/* --- preheader-missing ------------------------------------------------------------ */

/* preheader-missing: 1 when the message has an HTML body (or is an HTML
 * template) and no preheader, so inboxes preview whatever text comes
 * first; 0 with a preheader; no value without HTML.  Locates the first
 * visible block of the body: what the preview shows instead. */
static double m_preheader_missing(const mset *m)
{
	sl_result *r = m->r;
	if (r->doc.kind == SL_KIND_TEXT || (r->doc.kind == SL_KIND_EML && r->doc.html_part < 0))
		return NAN;
	if (blk_is(r, r->doc.preheader_blk, SL_BLK_PREHEADER))
		return 0;
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		if (b->kind == SL_BLK_SUBJECT || b->kind == SL_BLK_TITLE || b->kind == SL_BLK_PREHEADER ||
		    b->hidden || b->alternative || !b->html)
			continue;
		mitem *it = metric_item_add(m, &b->text, 0, b->text.len);
		if (it)
			it->blk = (int)i;
		break;
	}
	return 1;
}

static const metric metrics[] = {
	{ "length", m_length, 0, 0 },
	{ "words", m_words, 0, 0 },
	{ "caps-ratio", m_caps_ratio, 0, 0 },
	{ "allcaps-words", m_allcaps_words, 0, 0 },
	{ "exclamations", m_exclamations, 0, 0 },
	{ "questions", m_questions, 0, 0 },
	{ "emoji", m_emoji, 0, 0 },
	{ "placeholders", m_placeholders, 0, 0 },
	{ "links", m_links, 1, 0 },
	{ "images", m_images, 1, 0 },
	{ "image-alt-missing", m_image_alt_missing, 1, 1 },
	{ "text-to-image", m_text_to_image, 1, 0 },
	{ "html-size", m_html_size, 1, 0 },
	{ "sentences", m_sentences, 0, 0 },
	{ "words-per-sentence", m_words_per_sentence, 0, 0 },
	{ "readability", m_readability, 0, 0 },
	{ "hidden-text-chars", m_hidden_text_chars, 1, 0 },
	{ "shouting-words", m_shouting_words, 0, 1 },
	{ "gappy-words", m_gappy_words, 0, 1 },
	{ "leet-words", m_leet_words, 0, 1 },
	{ "broken-words", m_broken_words, 0, 1 },
	{ "lookalike-words", m_lookalike_words, 0, 1 },
	{ "invisible-chars", m_invisible_chars, 0, 1 },
	{ "emoji-words", m_emoji_words, 0, 1 },
	{ "recipient-words", m_recipient_words, 0, 1 },
	{ "edge-spaces", m_edge_spaces, 0, 1 },
	{ "space-runs", m_space_runs, 0, 1 },
	{ "plain-encoded-words", m_plain_encoded_words, 0, 1 },
	{ "unique-id", m_unique_id, 0, 1 },
	{ "context-overlap", m_context_overlap, 0, 0 },
	{ "preheader-missing", m_preheader_missing, 1, 1 },
};
#define NMETRICS (sizeof metrics / sizeof *metrics)

/* The measurement named name in any module's registry, or NULL. */
static const metric *metric_find(const char *name)
{
	for (size_t i = 0; i < NMETRICS; i++)
		if (!strcmp(metrics[i].name, name))
			return &metrics[i];
	const metric *const more[] = { metrics_links, metrics_compliance };
	for (size_t k = 0; k < sizeof more / sizeof *more; k++)
		for (const metric *m = more[k]; m->name; m++)
			if (!strcmp(m->name, name))
				return m;
	return NULL;
}

/* --- compiling ---------------------------------------------------------------- */

static int read_num(sl_loader *L, sl_ynode *map, const char *key, double *v, int *has)
{
	sl_ynode *n = ynode_get(map, key);
	if (has)
		*has = 0;
	if (!n)
		return 0;
	if (ynode_num(L, n, v) < 0)
		return -1;
	if (has)
		*has = 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The list a metric requires (metric_list_key names its key): lower-cased
 * and sorted, for the metric's binary searches. */
static int read_list(sl_loader *L, sl_ynode *map, mrule *mr, const char *name)
{
	const char *const *ok;
	const char *key = metric_list_key(name, &ok);
	sl_ynode *ln = key ? ynode_get(map, key) : NULL;
	const char **v;
	size_t n;
	int rc = 0;
	if (!key)
		return 0;
	if (!ln) {
		load_error(L, ynode_get(map, "metric"), "metric '%s' needs '%s'", name, key);
		return -1;
	}
	if (ynode_strs(L, ln, &v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		v[i] = str_lower_dup(&L->ctx->arena, (sl_str){ v[i], strlen(v[i]) });
		size_t k = 0;
		while (ok && ok[k] && strcmp(ok[k], v[i]))
			k++;
		if (ok && !ok[k]) {
			load_error(L, ln->type == SL_Y_SEQ ? ln->item[i] : ln,
			           "'%s' is not one of the %s metric '%s' knows", v[i], key, name);
			rc = -1;
		}
	}
	if (rc < 0)
		return -1;
	qsort(v, n, sizeof *v, cmp_str);
	mr->list = v;
	mr->nlist = n;
	return 0;
}

static int metric_compile(sl_loader *L, sl_rule *rule, sl_ynode *map)
{
	mrule *mr = arena_zalloc(&L->ctx->arena, sizeof *mr);
	int rc = 0;
	rule->data = mr;
	mr->ignore_shorter = 3;
	sl_ynode *n = ynode_get(map, "metric");
	const char *name;
	if (!n) {
		load_error(L, NULL, "a metric rule needs 'metric'");
		return -1;
	}
	if (ynode_str(L, n, &name) < 0)
		return -1;
	mr->m = metric_find(name);
	if (!mr->m) {
		load_error(L, n, "unknown metric '%s'", name);
		return -1;
	}
	if (rule->scope == SL_SC_RAW ||
	    (mr->m->doc && rule->scope != SL_SC_BODY && rule->scope != SL_SC_MESSAGE)) {
		load_error(L, ynode_get(map, "scope"), "scope '%s' is not allowed for metric '%s'",
		           scope_name(rule->scope), name);
		rc = -1;
	}
	if (read_num(L, map, "min", &mr->min, &mr->has_min) < 0 ||
	    read_num(L, map, "max", &mr->max, &mr->has_max) < 0 ||
	    read_num(L, map, "equals", &mr->equals, &mr->has_equals) < 0 ||
	    read_num(L, map, "min_words", &mr->min_words, NULL) < 0)
		rc = -1;
	sl_ynode *is = ynode_get(map, "ignore_shorter");
	if (is) {
		if (strcmp(name, "allcaps-words") && strcmp(name, "shouting-words")) {
			load_error(L, is, "'ignore_shorter' applies to metrics allcaps-words and shouting-words only");
			rc = -1;
		} else if (ynode_num(L, is, &mr->ignore_shorter) < 0) {
			rc = -1;
		}
	}
	sl_ynode *sp = ynode_get(map, "span");
	if (sp) {
		const char *s;
		if (ynode_str(L, sp, &s) < 0) {
			rc = -1;
		} else if (!strcmp(s, "unit")) {
			mr->span = SPAN_UNIT;
		} else if (!strcmp(s, "items") || !strcmp(s, "each")) {
			mr->span = s[0] == 'i' ? SPAN_ITEMS : SPAN_EACH;
			if (!mr->m->locates) {
				load_error(L, sp, "metric '%s' does not locate what it counts: span must be unit", name);
				rc = -1;
			}
		} else {
			load_error(L, sp, "span must be unit, items or each, not '%s'", s);
			rc = -1;
		}
	}
	sl_ynode *wn = ynode_get(map, "words");
	if (wn) {
		const char **w;
		size_t nw;
		if (strcmp(name, "leet-words") && strcmp(name, "broken-words")) {
			load_error(L, wn, "'words' applies to metrics leet-words and broken-words only");
			rc = -1;
		} else if (ynode_strs(L, wn, &w, &nw) < 0) {
			rc = -1;
		} else {
			mr->words = wordset_new(&L->ctx->arena, w, nw);
		}
	}
	if (read_list(L, map, mr, name) < 0)
		rc = -1;
	if (!mr->has_min && !mr->has_max && !mr->has_equals) {
		load_error(L, n, "a metric rule needs 'min', 'max' or 'equals'");
		rc = -1;
	}
	if (rule_check_templates(L, rule, map, NULL, 0) < 0)
		rc = -1;
	return rc;
}

static int metric_link(sl_loader *L, sl_context *ctx)
{
	const sl_wordset *vocab = NULL;
	(void)L;
	for (size_t i = 0; i < ctx->nrule; i++) {
		sl_rule *rule = ctx->rule[i];
		if (rule->kind != SL_RK_METRIC || !rule->data)
			continue;
		if (!vocab)
			vocab = wordset_new(&ctx->arena, ctx->opts.vocabulary, ctx->opts.nvocabulary);
		((mrule *)rule->data)->vocab = vocab;
	}
	return 0;
}

/* --- running -------------------------------------------------------------------- */

/* A hit of rule m->rule with the measured value v and the crossed
 * threshold th. */
static sl_hit *hit_at(sl_run *run, const mset *m, const sl_text *t, size_t off, size_t end,
                      int blk, int sent, double v, const char *th)
{
	sl_hit *h = run_hit(run, m->rule, t, off, end, blk, sent);
	h->value = v;
	const char **var = arena_array(&run->r->arena, 2, sizeof *var);
	var[0] = "threshold";
	var[1] = th;
	h->var = var;
	h->nvar = 1;
	return h;
}

/* Measure one instance (m->out collects the items) and make its hits. */
static void measure(sl_run *run, const mset *m, const sl_text *t, size_t off, size_t end,
                    int blk, int sent)
{
	const mrule *mr = m->mr;
	const mout *o = m->out;
	if (mr->min_words > 0 && n_words(m) < mr->min_words)
		return;
	double v = mr->m->fn(m);
	if (isnan(v))
		return;
	double th;
	if (mr->has_min && v < mr->min)
		th = mr->min;
	else if (mr->has_max && v > mr->max)
		th = mr->max;
	else if (mr->has_equals && v == mr->equals)
		th = mr->equals;
	else
		return;
	sl_result *r = run->r;
	const char *ths = th == floor(th) && fabs(th) < 1e15 ? arena_printf(&r->arena, "%.0f", th) :
		arena_printf(&r->arena, "%g", th);
	size_t n = o->n;
	if (mr->span == SPAN_EACH && n) {
		for (size_t i = 0; i < n && !run_full(run, m->rule); i++) {
			const mitem *it = &o->item[i];
			sl_hit *h = hit_at(run, m, it->t, it->off, it->end,
			                   it->blk == -2 ? blk : it->blk, it->blk == -2 ? sent : -1, v, ths);
			h->fix = it->fix;
			h->note = it->note ? it->note : o->note;
		}
		return;
	}
	if (mr->span == SPAN_ITEMS && n) {
		size_t lo = o->item[0].off, hi = o->item[0].end;
		int same = 1;
		for (size_t i = 1; i < n; i++) {
			same &= o->item[i].t == o->item[0].t;
			lo = o->item[i].off < lo ? o->item[i].off : lo;
			hi = o->item[i].end > hi ? o->item[i].end : hi;
		}
		if (same) {
			const mitem *it = &o->item[0];
			sl_hit *h = hit_at(run, m, it->t, lo, hi, it->blk == -2 ? blk : it->blk,
			                   it->blk == -2 ? sent : -1, v, ths);
			h->note = n == 1 && it->note ? it->note : o->note;
			h->fix = n == 1 ? it->fix : NULL;
			return;
		}
	}
	sl_hit *h = hit_at(run, m, t, off, end, blk, sent, v, ths);
	h->note = o->note;
}

static void check(sl_run *run, mset *m, const sl_text *t, size_t off, size_t end,
                  int blk, int sent)
{
	mout out;
	memset(&out, 0, sizeof out);
	m->out = &out;
	measure(run, m, t, off, end, blk, sent);
	m->out = NULL;
}

static void metric_rule_run(sl_run *run, const sl_rule *rule)
{
	sl_result *r = run->r;
	const mrule *mr = rule->data;
	sl_unit *u;
	size_t nu = scope_units(r, rule, 1, &u);
	mset m = { r, rule, mr, u, nu, NULL };
	if (rule->scope == SL_SC_BODY || rule->scope == SL_SC_MESSAGE) {
		/* one instance: the span is the message body */
		const sl_part *root = r->doc.root;
		size_t off = root && root->body_off <= r->len ? root->body_off : 0;
		size_t end = root && root->body_end <= r->len && root->body_end >= off ?
			root->body_end : r->len;
		if (!root)
			off = 0;
		sl_text *t = arena_zalloc(&r->arena, sizeof *t);
		text_identity(t, &r->arena, (const char *)r->src, off, end - off);
		check(run, &m, t, 0, t->len, -1, -1);
		return;
	}
	for (size_t i = 0; i < nu; i++) {
		/* a Subject is measured without its reply prefixes */
		sl_unit one_u = strip_reply(r, &u[i]);
		mset one = { r, rule, mr, &one_u, 1, NULL };
		check(run, &one, one_u.text, one_u.off, one_u.end, one_u.blk, one_u.sent);
	}
}

static void metric_run(sl_run *run)
{
	const sl_context *ctx = run->ctx;
	for (size_t i = 0; i < ctx->nrule; i++) {
		const sl_rule *rule = ctx->rule[i];
		if (rule->kind == SL_RK_METRIC && rule_on(ctx, rule) && rule->data &&
		    ((const mrule *)rule->data)->m)
			metric_rule_run(run, rule);
	}
}

const sl_kind_ops metric_ops = { "metric", metric_compile, metric_link, metric_run };
