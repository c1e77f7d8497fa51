/*
 * metric.c - the metric kind: numeric measurements of a scope against
 * thresholds, and the registry of measurements.
 *
 * In: `metric:` (a name below), `min:` / `max:` / `equals:` (at least one),
 * `min_words:` (measure only instances with at least that many words),
 * `ignore_shorter:` (allcaps-words).  Out: one hit per scope instance whose
 * value is < min, > max or == equals, with {value} and {threshold}; the hit
 * spans the instance's text (for body and message scopes: the message
 * body, root body_off..body_end).
 *
 * Scope instances: a subject, preheader, title, heading, paragraph or
 * sentence is one instance each; body is every preferred-body block
 * together, message every block (subject, preheader, title, body); links,
 * alt texts and header fields one each.  Document-wide metrics (links,
 * images, image-alt-missing, text-to-image, html-size, hidden-text-chars)
 * take body or message scope only.  Values are deterministic: counts over
 * the tokens and code points of the document model, no locale.  A metric
 * with nothing to measure (no letters for caps-ratio, no image for
 * text-to-image, ...) has no value and never hits.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

typedef struct mrule mrule;

/* One scope instance. */
typedef struct mset {
	sl_result *r;
	const sl_rule *rule;
	const mrule *mr;
	const sl_unit *u;
	size_t nu;
} mset;

typedef double (*mfn)(const mset *m);

typedef struct metric {
	const char *name;
	mfn fn;
	int doc;                /* document-wide: body or message scope only */
} metric;

struct mrule {
	const metric *m;
	double min, max, equals;
	int has_min, has_max, has_equals;
	double min_words;
	double ignore_shorter;
	const sl_wordset *vocab;
};

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
 * except tracking pixels (width and height known and both <= 2). */
static double m_image_alt_missing(const mset *m)
{
	const unsigned char *alt = alt_flags(m->r);
	double n = 0;
	for (size_t i = 0; i < m->r->doc.nimg; i++) {
		const sl_image *im = &m->r->doc.img[i];
		if (!image_counts(m->r, alt, im, m->rule->hidden) || im->has_alt)
			continue;
		if (im->width >= 0 && im->width <= 2 && im->height >= 0 && im->height <= 2)
			continue;
		n++;
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

static const metric metrics[] = {
	{ "length", m_length, 0 },
	{ "words", m_words, 0 },
	{ "caps-ratio", m_caps_ratio, 0 },
	{ "allcaps-words", m_allcaps_words, 0 },
	{ "exclamations", m_exclamations, 0 },
	{ "questions", m_questions, 0 },
	{ "emoji", m_emoji, 0 },
	{ "placeholders", m_placeholders, 0 },
	{ "links", m_links, 1 },
	{ "images", m_images, 1 },
	{ "image-alt-missing", m_image_alt_missing, 1 },
	{ "text-to-image", m_text_to_image, 1 },
	{ "html-size", m_html_size, 1 },
	{ "sentences", m_sentences, 0 },
	{ "words-per-sentence", m_words_per_sentence, 0 },
	{ "readability", m_readability, 0 },
	{ "hidden-text-chars", m_hidden_text_chars, 1 },
};
#define NMETRICS (sizeof metrics / sizeof *metrics)

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
	for (size_t i = 0; i < NMETRICS; i++)
		if (!strcmp(metrics[i].name, name))
			mr->m = &metrics[i];
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
		if (strcmp(name, "allcaps-words")) {
			load_error(L, is, "'ignore_shorter' applies to metric allcaps-words only");
			rc = -1;
		} else if (ynode_num(L, is, &mr->ignore_shorter) < 0) {
			rc = -1;
		}
	}
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

static void check(sl_run *run, const mset *m, const sl_text *t, size_t off, size_t end,
                  int blk, int sent)
{
	const mrule *mr = m->mr;
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
	sl_hit *h = run_hit(run, m->rule, t, off, end, blk, sent);
	h->value = v;
	const char **var = arena_array(&r->arena, 2, sizeof *var);
	var[0] = "threshold";
	if (th == floor(th) && fabs(th) < 1e15)
		var[1] = arena_printf(&r->arena, "%.0f", th);
	else
		var[1] = arena_printf(&r->arena, "%g", th);
	h->var = var;
	h->nvar = 1;
}

static void metric_rule_run(sl_run *run, const sl_rule *rule)
{
	sl_result *r = run->r;
	const mrule *mr = rule->data;
	sl_unit *u;
	size_t nu = scope_units(r, rule, 1, &u);
	mset m = { r, rule, mr, u, nu };
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
		mset one = { r, rule, mr, &u[i], 1 };
		check(run, &one, u[i].text, u[i].off, u[i].end, u[i].blk, u[i].sent);
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
