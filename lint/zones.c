/*
 * zones.c - where each block of the document sits, for meta rules'
 * position predicates (in(), absent_from()) and the summary.
 *
 * In: r->doc.blk (in document order, with kind, link, hidden, alternative
 * and text).  Out: r->doc.zone, one SL_Z_* bit set per block, computed once
 * per file (a second call does nothing).  Limits: none of its own; it looks
 * at each block's text once, bounded by the text's length.
 *
 * Definitions (the body is the run of body blocks -- every block that is
 * not the subject, the preheader or the title -- of one body: the preferred
 * body and the non-preferred alternative (alternative == 1) get their zones
 * computed separately, each as its own sequence; "visible text" is the
 * code points of the non-hidden blocks of that body):
 *
 *   subject     the Subject block.
 *   preheader   the preheader block.
 *   top         the body blocks before the fold.  The fold comes right after
 *               the first call to action (a BUTTON block, or a block that is
 *               the text of a link) that follows some other visible content
 *               -- a logo link or a "view in browser" link opening the email
 *               is navigation, not the call to action -- or at the block
 *               that crosses 30% of the visible text, whichever comes
 *               first.  So a block is top when it is at or before that first
 *               call to action and less than 30% of the visible text comes
 *               before it (the first body block is always top).
 *   below-fold  the body blocks that are not top.
 *   ps          from the first block that opens with "P.S." (or "P.S:",
 *               "PS:", "PS.", "P.P.S.", "PPS:", any case) up to the footer.
 *   footer      walking back from the last block, the trailing blocks that
 *               hold footer text (unsubscribe, opt out, manage preferences,
 *               copyright, (c), all rights reserved, "you are receiving
 *               this", "this email was sent to", privacy policy, a postal
 *               address such as "12 Main Street" or "PO Box 7") together with
 *               the short blocks (at most FOOTER_GLUE code points, links,
 *               hidden blocks) after and between them; the walk stops at the
 *               first other block.  Footer = the earliest such footer-text
 *               block and everything after it.  When no block holds footer
 *               text, footer = the blocks that start after 85% of the
 *               visible text (the last 15% of the body).
 *   fine-print  footer text plus small print; html.c does not expose font
 *               sizes, so today fine-print is exactly the footer.
 */
#include "internal.h"

/* A block this short (code points) between or after footer blocks is part
 * of the footer ("Terms | Privacy", "Acme Inc."); a longer block that holds
 * no footer text ends the walk back. */
#define FOOTER_GLUE 60

static int is_body(const sl_block *b)
{
	return b->kind != SL_BLK_SUBJECT && b->kind != SL_BLK_PREHEADER &&
	       b->kind != SL_BLK_TITLE;
}

static size_t cp_count(const sl_text *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->len; i++)
		if (((unsigned char)t->p[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Does the lower-case ASCII lit occur in p[0..n), ignoring ASCII case? */
static int has_ci(const char *p, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	if (m == 0 || m > n)
		return m == 0;
	for (size_t i = 0; i + m <= n; i++) {
		size_t k = 0;
		while (k < m && lower((unsigned char)p[i + k]) == (unsigned char)lit[k])
			k++;
		if (k == m)
			return 1;
	}
	return 0;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Street-type words that follow a house number in a postal address. */
static const char *const street_words[] = {
	"street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd",
	"lane", "ln", "drive", "dr", "way", "place", "pl", "square", "suite",
	"strasse", "straße", "court", "ct", "parkway", "pkwy", "highway", "hwy",
};

static int is_street_word(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof street_words / sizeof *street_words; i++) {
		const char *w = street_words[i];
		size_t m = strlen(w);
		if (m != n)
			continue;
		size_t k = 0;
		while (k < m && lower((unsigned char)p[k]) == (unsigned char)w[k])
			k++;
		if (k == m)
			return 1;
	}
	return 0;
}

/* A postal address: a number followed within four words by a street-type
 * word ("12 Main Street", "350 5th Ave"), or a PO box. */
static int has_address(const char *p, size_t n)
{
	if (has_ci(p, n, "p.o. box") || has_ci(p, n, "po box"))
		return 1;
	size_t since_number = (size_t)-1; /* words since a number */
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		if (!is_alpha(c) && !is_digit(c) && c < 0x80) {
			i++;
			continue;
		}
		size_t s = i;
		int digits = 1;
		while (i < n && (is_alpha((unsigned char)p[i]) || is_digit((unsigned char)p[i]) ||
		                 (unsigned char)p[i] >= 0x80)) {
			if (!is_digit((unsigned char)p[i]))
				digits = 0;
			i++;
		}
		if (digits) {
			since_number = 0;
		} else if (since_number != (size_t)-1) {
			since_number++;
			if (since_number <= 4 && is_street_word(p + s, i - s))
				return 1;
			if (since_number > 4)
				since_number = (size_t)-1;
		}
	}
	return 0;
}

static const char *const footer_phrases[] = {
	"unsubscribe", "opt out", "opt-out", "manage preferences",
	"manage your preferences", "email preferences", "update your preferences",
	"subscription preferences", "copyright", "\xc2\xa9", "(c) 1", "(c) 2",
	"all rights reserved", "you are receiving this", "you're receiving this",
	"you received this", "you are receiving these", "this email was sent to",
	"this message was sent to", "privacy policy", "no longer wish to receive",
	"no longer want to receive",
};

static int footer_text(const sl_block *b)
{
	const char *p = b->text.p;
	size_t n = b->text.len;
	for (size_t i = 0; i < sizeof footer_phrases / sizeof *footer_phrases; i++)
		if (has_ci(p, n, footer_phrases[i]))
			return 1;
	return has_address(p, n);
}

/* Does the block open with a postscript marker? */
static int opens_ps(const sl_block *b)
{
	const char *p = b->text.p, *end = p + b->text.len;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	/* P[.]P[.]S[.:] or P[.]S[.:] */
	int ps = 0;
	for (int k = 0; k < 2 && p < end && lower((unsigned char)*p) == 'p'; k++) {
		p++;
		if (p < end && *p == '.')
			p++;
		if (p < end && lower((unsigned char)*p) == 's') {
			ps = 1;
			p++;
			break;
		}
	}
	return ps && p < end && (*p == '.' || *p == ':');
}

/* Zones of one body: the body blocks idx[0..n) in document order. */
static void body_zones(sl_result *r, const size_t *idx, size_t n)
{
	sl_doc *d = &r->doc;
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		if (!d->blk[idx[i]].hidden)
			total += cp_count(&d->blk[idx[i]].text);

	/* top and below-fold */
	size_t before = 0;
	int folded = 0, content = 0;
	for (size_t i = 0; i < n; i++) {
		const sl_block *b = &d->blk[idx[i]];
		/* 30% of the visible text or more comes before this block */
		if (!folded && i > 0 && before * 10 >= total * 3)
			folded = 1;
		d->zone[idx[i]] |= folded ? SL_Z_BELOW_FOLD : SL_Z_TOP;
		int cta = b->kind == SL_BLK_BUTTON || b->link >= 0;
		if (!b->hidden) {
			if (cta && content)
				folded = 1;
			if (!cta && b->text.len)
				content = 1;
			before += cp_count(&b->text);
		}
	}

	/* footer: the earliest footer-text block of the trailing run */
	size_t foot = n;
	for (size_t i = n; i-- > 0;) {
		const sl_block *b = &d->blk[idx[i]];
		if (footer_text(b))
			foot = i;
		else if (!(b->hidden || b->link >= 0 || cp_count(&b->text) <= FOOTER_GLUE))
			break;
	}
	if (foot == n) {
		/* no footer text: the blocks starting in the last 15% */
		before = 0;
		for (size_t i = 0; i < n; i++) {
			if (total && before * 100 >= total * 85) {
				foot = i;
				break;
			}
			if (!d->blk[idx[i]].hidden)
				before += cp_count(&d->blk[idx[i]].text);
		}
	}
	for (size_t i = foot; i < n; i++)
		d->zone[idx[i]] |= SL_Z_FOOTER | SL_Z_FINE_PRINT;

	/* ps: from the first postscript up to the footer */
	for (size_t i = 0; i < foot; i++) {
		if (!opens_ps(&d->blk[idx[i]]))
			continue;
		for (size_t k = i; k < foot; k++)
			d->zone[idx[k]] |= SL_Z_PS;
		break;
	}
}

void zones_compute(sl_result *r)
{
	sl_doc *d = &r->doc;
	if (d->zone)
		return;
	d->zone = arena_array(&r->arena, d->nblk ? d->nblk : 1, sizeof *d->zone);
	size_t *idx = arena_array(&r->arena, d->nblk ? d->nblk : 1, sizeof *idx);
	for (size_t i = 0; i < d->nblk; i++) {
		const sl_block *b = &d->blk[i];
		d->zone[i] = 0;
		if (b->kind == SL_BLK_SUBJECT)
			d->zone[i] |= SL_Z_SUBJECT;
		if (b->kind == SL_BLK_PREHEADER || (int)i == d->preheader_blk)
			d->zone[i] |= SL_Z_PREHEADER;
	}
	for (int alt = 0; alt <= 1; alt++) {
		size_t n = 0;
		for (size_t i = 0; i < d->nblk; i++)
			if (is_body(&d->blk[i]) && (int)i != d->preheader_blk &&
			    (d->blk[i].alternative != 0) == alt)
				idx[n++] = i;
		if (n)
			body_zones(r, idx, n);
	}
}
