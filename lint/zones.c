/*
 * zones.c - where each block of the document sits, for meta rules'
 * position predicates (in(), absent_from()) and the summary.
 *
 * In: r->doc.blk (in document order, with kind, link, hidden, alternative
 * and text).  Out: r->doc.zone, one SL_Z_* bit set per block, computed once
 * per file (a second call does nothing).  Limits: none of its own; it reads
 * each body block's text once to count its code points and each block of
 * the trailing footer walk once more, with every footer phrase matched in
 * that one pass (an automaton built once per process), so the cost is
 * linear in the text whatever the number of phrases.
 *
 * Definitions (the body is the run of body blocks -- every block that is
 * not the subject, the preheader or the title -- of one body: the preferred
 * body and the non-preferred alternative (alternative == 1) get their zones
 * computed separately, each as its own sequence; "visible text" is the
 * code points of the non-hidden blocks of that body):
 *
 *   subject     the Subject block; in a file without one (an HTML
 *               template) the <title>, which templates use for the subject
 *               line (many email builders put the subject there).
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
#include <pthread.h>

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

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t load8(const char *s)
{
	uint64_t x;
	memcpy(&x, s, 8);
	return x;
}

/* Code points of t: its bytes that are not UTF-8 continuation bytes
 * (10xxxxxx), eight at a time. */
static size_t cp_count(const sl_text *t)
{
	const char *p = t->p;
	size_t n = t->len, i = 0, cont = 0;
	for (; n - i >= 8; i += 8) {
		uint64_t x = load8(p + i);
		uint64_t c = (x & ~(x << 1) & HIGHS) >> 7; /* one per lane */
		cont += (size_t)((c * ONES) >> 56);
	}
	for (; i < n; i++)
		cont += ((unsigned char)p[i] & 0xC0) == 0x80;
	return n - cont;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
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

/* A word byte of the address scan: ASCII letter or digit, or any byte
 * from 0x80. */
static int addr_byte(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c >= 0x80;
}

/* The first ASCII digit in p[i..n), or n; eight bytes at a time. */
static size_t next_digit(const char *p, size_t i, size_t n)
{
	for (; n - i >= 8; i += 8) {
		uint64_t x = load8(p + i), y = x & ~HIGHS;
		uint64_t d = (y + ONES * (0x80 - '0')) & ~(y + ONES * (0x7F - '9')) & ~x & HIGHS;
		if (d) {
			/* the lowest lane in memory order */
			for (; !is_digit((unsigned char)p[i]); i++)
				;
			return i;
		}
	}
	for (; i < n && !is_digit((unsigned char)p[i]); i++)
		;
	return i;
}

/* A postal address by its street: a number followed within four words by
 * a street-type word ("12 Main Street", "350 5th Ave").  (PO boxes are
 * among the footer phrases.)  Words are runs of ASCII letters, digits and
 * non-ASCII bytes; only a word of digits starts a match, so while none is
 * pending the scan skips to the word of the next digit. */
static int has_street(const char *p, size_t n)
{
	size_t since_number = (size_t)-1; /* words since a number */
	size_t i = 0;
	while (i < n) {
		if (since_number == (size_t)-1) {
			size_t d = next_digit(p, i, n);
			if (d == n)
				return 0;
			while (d > i && addr_byte((unsigned char)p[d - 1]))
				d--;
			i = d;
		}
		if (!addr_byte((unsigned char)p[i])) {
			i++;
			continue;
		}
		size_t s = i;
		int digits = 1;
		while (i < n && addr_byte((unsigned char)p[i])) {
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

/* Footer phrases, lower-case; matched anywhere in a block's text with
 * ASCII letters compared case-insensitively. */
static const char *const footer_phrases[] = {
	"unsubscribe", "opt out", "opt-out", "manage preferences",
	"manage your preferences", "email preferences", "update your preferences",
	"subscription preferences", "copyright", "\xc2\xa9", "(c) 1", "(c) 2",
	"all rights reserved", "you are receiving this", "you're receiving this",
	"you received this", "you are receiving these", "this email was sent to",
	"this message was sent to", "privacy policy", "no longer wish to receive",
	"no longer want to receive",
	/* postal addresses */
	"p.o. box", "po box",
};

/* All the phrases as one automaton (Aho-Corasick made a DFA), so a text
 * is read once whatever the number of phrases: a state per trie node,
 * bytes mapped to classes (one per distinct phrase byte, A-Z with a-z,
 * 0 for every other byte, which no phrase holds, so it goes back to the
 * root).  A match goes to AC_MATCH, which stays.  Built once, under
 * pthread_once. */
#define AC_STATES 448
#define AC_CLASSES 40
#define AC_MATCH (AC_STATES - 1)

static struct {
	unsigned char cls[256];
	uint16_t next[AC_STATES][AC_CLASSES];
} ac;
static pthread_once_t ac_once = PTHREAD_ONCE_INIT;

static void ac_build(void)
{
	static uint16_t fail[AC_STATES], queue[AC_STATES];
	static unsigned char out[AC_STATES];
	size_t nstate = 1, ncls = 1;
	/* classes */
	for (size_t k = 0; k < sizeof footer_phrases / sizeof *footer_phrases; k++)
		for (const unsigned char *c = (const unsigned char *)footer_phrases[k]; *c; c++)
			if (!ac.cls[*c]) {
				if (ncls == AC_CLASSES)
					BUG("footer phrases: too many distinct bytes");
				ac.cls[*c] = (unsigned char)ncls++;
			}
	for (int c = 'A'; c <= 'Z'; c++)
		ac.cls[c] = ac.cls[c + 32];
	/* the trie; 0 in next means no edge yet (the root is never a target) */
	for (size_t k = 0; k < sizeof footer_phrases / sizeof *footer_phrases; k++) {
		size_t s = 0;
		for (const unsigned char *c = (const unsigned char *)footer_phrases[k]; *c; c++) {
			unsigned x = ac.cls[*c];
			if (!ac.next[s][x]) {
				if (nstate == AC_MATCH)
					BUG("footer phrases: too many states");
				ac.next[s][x] = (uint16_t)nstate++;
			}
			s = ac.next[s][x];
		}
		out[s] = 1;
	}
	/* breadth first: failure links, then every missing edge */
	size_t head = 0, tail = 0;
	for (unsigned x = 0; x < AC_CLASSES; x++)
		if (ac.next[0][x]) {
			fail[ac.next[0][x]] = 0;
			queue[tail++] = ac.next[0][x];
		}
	while (head < tail) {
		unsigned s = queue[head++];
		out[s] |= out[fail[s]];
		for (unsigned x = 0; x < AC_CLASSES; x++) {
			unsigned t = ac.next[s][x];
			if (t) {
				fail[t] = ac.next[fail[s]][x];
				queue[tail++] = (uint16_t)t;
			} else {
				ac.next[s][x] = ac.next[fail[s]][x];
			}
		}
	}
	/* matches stay matched */
	for (size_t s = 0; s < nstate; s++)
		for (unsigned x = 0; x < AC_CLASSES; x++)
			if (out[ac.next[s][x]])
				ac.next[s][x] = AC_MATCH;
	for (unsigned x = 0; x < AC_CLASSES; x++)
		ac.next[AC_MATCH][x] = AC_MATCH;
}

/* Does some footer phrase occur in p[0..n)? */
static int has_phrase(const char *p, size_t n)
{
	const unsigned char *q = (const unsigned char *)p, *e = q + n;
	unsigned s = 0;
	while (e - q >= 16) {
		for (int k = 0; k < 16; k++)
			s = ac.next[s][ac.cls[q[k]]];
		if (s == AC_MATCH)
			return 1;
		q += 16;
	}
	while (q < e)
		s = ac.next[s][ac.cls[*q++]];
	return s == AC_MATCH;
}

static int footer_text(const sl_block *b)
{
	return has_phrase(b->text.p, b->text.len) || has_street(b->text.p, b->text.len);
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

/* Zones of one body: the body blocks idx[0..n) in document order; cps
 * holds each block's code point count (by block index). */
static void body_zones(sl_result *r, const size_t *idx, size_t n, const size_t *cps)
{
	sl_doc *d = &r->doc;
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		if (!d->blk[idx[i]].hidden)
			total += cps[idx[i]];

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
			before += cps[idx[i]];
		}
	}

	/* footer: the earliest footer-text block of the trailing run */
	size_t foot = n;
	for (size_t i = n; i-- > 0;) {
		const sl_block *b = &d->blk[idx[i]];
		if (footer_text(b))
			foot = i;
		else if (!(b->hidden || b->link >= 0 || cps[idx[i]] <= FOOTER_GLUE))
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
				before += cps[idx[i]];
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
	pthread_once(&ac_once, ac_build);
	d->zone = arena_array(&r->arena, d->nblk ? d->nblk : 1, sizeof *d->zone);
	size_t *idx = arena_array(&r->arena, d->nblk ? d->nblk : 1, sizeof *idx);
	size_t *cps = arena_array(&r->arena, d->nblk ? d->nblk : 1, sizeof *cps);
	int has_subject = 0;
	for (size_t i = 0; i < d->nblk; i++)
		has_subject |= d->blk[i].kind == SL_BLK_SUBJECT;
	for (size_t i = 0; i < d->nblk; i++) {
		const sl_block *b = &d->blk[i];
		cps[i] = is_body(b) ? cp_count(&b->text) : 0;
		d->zone[i] = 0;
		if (b->kind == SL_BLK_SUBJECT ||
		    (b->kind == SL_BLK_TITLE && !has_subject && !b->alternative))
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
			body_zones(r, idx, n, cps);
	}
}
