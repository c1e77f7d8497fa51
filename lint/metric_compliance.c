/*
 * metric_compliance.c - measurements of what bulk-mail law and mailbox
 * providers require of a message's body: unsubscribe, postal address,
 * clipping, body alternatives, template hygiene (see metric.h).
 *
 * In: the document model of one file (blocks and their words, links, MIME
 * parts with their decoded texts) and the rule's thresholds.  Out: a value
 * per measurement, and the things it located (metric_item_add): an
 * unsubscribe link, a postal address, the byte where Gmail clips, a
 * Content-Type field, a template tag.  Definitions are above each
 * measurement; what they share:
 *
 *   visible body   blocks of the preferred body (not the text/plain copy
 *                  beside an HTML part, not a forwarded message), not
 *                  hidden, not the subject, title or preheader;
 *   as sent        bytes of a part's body in the file, transfer encoding
 *                  included (a template: the file);
 *   template tags  {{ }}, {{{ }}}, {% %}, *| |* found in the decoded text
 *                  of every text part (comments {{! }}, {# #}, and
 *                  {% raw %}/{% comment %} regions skipped).
 *
 * Patterns (unsubscribe wording, postal address shapes) are PCRE2, compiled
 * once per process (pthread_once) and shared read-only by threads; match
 * data and contexts come from the file's arena, with the file's
 * regex-match limit (reaching it is input/limit-regex, once, and the rest
 * of that text is not searched).  Limits: TAG_MAX bytes inside one tag,
 * COMMENT_MAX inside a template comment, TAGS_MAX tags and TAG_DEPTH open
 * blocks per part and TAG_WORK guard look-ups per file (past them,
 * input/limit-template-tags once), ALT_WORDS distinct words compared
 * (input/limit-alternative-words); items as METRIC_ITEMS.  Tag scanning
 * remembers the next position of each delimiter, so every scan is linear
 * in its text; link positions are sorted once and searched.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>

#include "metric.h"

/* A tag is a name or a short expression; past this, an opener is taken
 * for text that is never closed ("{{" in prose or code). */
#define TAG_MAX 512
/* A template comment ({{! }}, {{!-- --}}): notes, or commented-out
 * markup. */
#define COMMENT_MAX ((size_t)65536)
/* Tags per part: real templates hold hundreds. */
#define TAGS_MAX ((size_t)20000)
/* Open blocks at once: real templates nest a handful. */
#define TAG_DEPTH 128
/* Blocks looked at, over every merge tag of a file, to tell whether it is
 * guarded: far past real templates (hundreds of tags each). */
#define TAG_WORK ((size_t)1 << 24)
/* Distinct words compared between the HTML and text alternatives (past
 * it, input/limit-alternative-words and the rest are not compared). */
#define ALT_WORDS ((size_t)20000)
/* Blocks after plain-text wording that offers to unsubscribe in which
 * the first link is taken for its link ("To unsubscribe:" / blank line /
 * the URL). */
#define UNSUB_NEAR 3

#define NELEM(a) (sizeof(a) / sizeof *(a))

/* --- patterns --------------------------------------------------------------- */

enum {
	RX_UNSUB_TEXT,   /* wording that offers to leave a list */
	RX_UNSUB_URL,    /* a URL or merge tag that leads there */
	RX_UNSUB_TAG,    /* an ESP's unsubscribe tag written in the text */
	RX_REPLY,        /* "reply", "send us an email": leaving by e-mail */
	RX_ADDRESS,      /* a postal address */
	RX_ADDRESS_TAG,  /* a merge tag or ESP tag for the sender's address */
	RX_N
};

static const char *const rx_src[RX_N] = {
	[RX_UNSUB_TEXT] =
	"(?i)\\b(?:unsubscri\\w*|unsub\\b|opt[-_ ]?out\\w*|stop (?:receiving|getting)"
	"|no longer (?:wish|want|like|care) to (?:receive|get|hear)|to be removed"
	"|remove (?:me|you|yourself|your (?:e-?mail|address|name))\\b"
	"|removed from (?:our|this|the|all|any|future)\\b"
	"|(?:e-?mail|subscription|communication|notification|mailing|newsletter|marketing|contact)"
	" (?:preferences|settings)"
	"|(?:manage|update|change|edit) (?:your )?(?:e-?mail |subscription |notification "
	"|communication |mailing )?(?:preferences|subscriptions?)\\b"
	"|preference cent(?:er|re)|abmelden|abbestellen|d[eé]sabonne\\w*|d[eé]sinscri\\w*"
	"|dar(?:se|te)? de baja|(?:cancelar|anular) (?:la |su |tu )?suscripci\\w*|afmelden"
	"|uitschrijven|disiscriv\\w*|descadastr\\w*|wypisz\\w*|avregistr\\w*)",
	[RX_UNSUB_URL] =
	"(?i)unsub|opt[-_]?out|preference|listinfo|update_?profile|manage[-_]?subscription"
	"|^\\s*mailto:[^?]*\\b(?:remove|leave|signoff|optout)"
	"|^[^@/:\\s]*\\b(?:remove|leave|signoff)\\b[^@/:\\s]*@"
	"|^\\s*mailto:.*[?&](?:subject|body)=[^&]*\\b(?:remove|unsubscribe|leave)",
	[RX_UNSUB_TAG] =
	"(?i)\\[[a-z_:-]*(?:unsub|opt_?out|preferences)[a-z_:-]*\\]|%[a-z_]*unsub[a-z_]*%",
	[RX_REPLY] =
	"(?i)\\b(?:reply|respond|send (?:us )?(?:an? )?(?:e-?mail|message|note)|e-?mail us"
	"|write to us|mailto)\\b",
	[RX_ADDRESS] =
	/* a street: number, direction, one to four name words, street type */
	"\\b\\d{1,6}[A-Za-z]?(?:-\\d{1,5})?\\s+(?:[NSEW]\\.?\\s+|(?:North|South|East|West)\\s+)?"
	"(?:(?:\\d{1,3}(?:st|nd|rd|th)|\\p{Lu}\\p{Ll}[\\p{L}'.-]*|\\p{Lu}\\.?)\\s+){1,4}"
	"(?:Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place"
	"|Pl|Parkway|Pkwy|Highway|Hwy|Square|Sq|Terrace|Ter|Circle|Cir|Trail|Trl|Plaza|Plz"
	"|Alley|Row|Pike|Loop|Crescent|Cres|Close|Center|Centre|Ctr|Freeway|Fwy|Expressway"
	"|Expy|Turnpike|Route|Rte|Walk|Mews|Gardens|Grove|Wharf|Quay)\\b\\.?"
	/* the same in capitals, with the unambiguous types: 210 MILL STREET */
	"|\\b\\d{1,6}\\s+(?:[A-Z][A-Z'.-]+\\s+){1,4}(?:STREET|AVENUE|AVE|ROAD|RD|BOULEVARD|BLVD"
	"|DRIVE|LANE|PARKWAY|PKWY|HIGHWAY|HWY)\\b\\.?"
	/* City, ST 12345(-6789) */
	"|\\b\\p{Lu}[\\p{L}.'-]+(?:\\s\\p{Lu}[\\p{L}.'-]+){0,3},?\\s+(?:A[KLRZ]|C[AOT]|D[CE]|FL"
	"|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|PR|RI|S[CD]|T[NX]|UT|V[AIT]"
	"|W[AIVY]|GU)\\.?,?\\s+\\d{5}(?:-\\d{4})?\\b"
	/* post office boxes */
	"|\\b(?:G?[Pp]\\.?\\s?[Oo]\\.?\\s?(?:[Bb]ox|BOX)|Post\\s+Office\\s+Box|Postfach|Postbus"
	"|Apartado(?:\\s+[Pp]ostal|\\s+de\\s+[Cc]orreos)?|Casilla(?:\\s+[Pp]ostal)?"
	"|Caixa\\s+[Pp]ostal|Bo[iî]te\\s+[Pp]ostale|Locked\\s+Bag)\\s*\\d{1,7}\\b"
	/* UK postcode */
	"|\\b[A-Z]{1,2}\\d[A-Z\\d]?\\s\\d[ABD-HJLNP-UW-Z]{2}\\b"
	/* Canadian postal code */
	"|\\b[ABCEGHJ-NPRSTVXY]\\d[ABCEGHJ-NPRSTV-Z]\\s\\d[ABCEGHJ-NPRSTV-Z]\\d\\b"
	/* a country-prefixed continental postcode: D-12345 Berlin */
	"|\\b(?:D|DE|A|AT|CH|F|FR|B|BE|NL|L|LU|I|IT|E|ES|P|PT|DK|S|SE|N|NO|FI|FIN|PL|CZ|H|HU"
	"|SK|SI|HR|GR|RO|BG|LT|LV|EE)-\\d{4,5}\\s+\\p{Lu}\\p{Ll}+"
	/* a continental street line and its postcode */
	"|(?:\\b\\p{Lu}\\p{L}*(?:straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|laan|straat"
	"|gracht|plein|kade|vej|gade|gatan|vägen|veien|gata|katu|tie)\\s+\\d{1,4}[a-z]?"
	"|\\b(?i:rue|avenue|boulevard|bd|place|allée|chemin|impasse|quai|via|viale|piazza|corso"
	"|largo|calle|avenida|plaza|paseo|carrer|rua|travessa|praça)\\s+[\\p{L}\\d '.-]{2,40}?)"
	"[,\\s]+\\d{4,5}\\s+\\p{Lu}\\p{Ll}+"
	/* Australian state and postcode */
	"|\\b\\p{Lu}[\\p{L}'-]+,?\\s+(?:NSW|VIC|Vic|QLD|Qld|TAS|Tas|ACT|WA|SA|NT)\\s+\\d{4}\\b"
	/* the Japanese postal mark */
	"|\\x{3012}\\s?\\d{3}-?\\d{4}",
	[RX_ADDRESS_TAG] =
	"(?i)address|\\baddr\\b|postal|\\[[a-z_:]*(?:address|postal)[a-z_:]*\\]",
};

static pcre2_code *rx_code[RX_N];
static pthread_once_t rx_once = PTHREAD_ONCE_INIT;

static void rx_init(void)
{
	uint32_t opts = PCRE2_UTF | PCRE2_UCP;
#ifdef PCRE2_MATCH_INVALID_UTF
	opts |= PCRE2_MATCH_INVALID_UTF;
#endif
	for (int i = 0; i < RX_N; i++) {
		int err;
		PCRE2_SIZE at;
		rx_code[i] = pcre2_compile((PCRE2_SPTR)rx_src[i], PCRE2_ZERO_TERMINATED, opts, &err,
		                           &at, NULL);
		if (!rx_code[i]) {
			if (err != PCRE2_ERROR_NOMEMORY)
				BUG("a compliance pattern does not compile");
			continue; /* out of memory: that pattern never matches */
		}
		pcre2_jit_compile(rx_code[i], PCRE2_JIT_COMPLETE);
	}
}

static void *rx_alloc(size_t n, void *data)
{
	return arena_alloc(data, n ? n : 1);
}

static void rx_free(void *p, void *data)
{
	(void)p;
	(void)data; /* the arena frees everything at once */
}

/* One file's matching state: its limit, match data from its arena. */
typedef struct rxm {
	sl_result *r;
	pcre2_match_context *mctx;
	pcre2_match_data *md[RX_N];
} rxm;

static void rxm_init(rxm *x, sl_result *r)
{
	pthread_once(&rx_once, rx_init);
	memset(x, 0, sizeof *x);
	x->r = r;
	pcre2_general_context *g = pcre2_general_context_create(rx_alloc, rx_free, &r->arena);
	x->mctx = pcre2_match_context_create(g);
	if (x->mctx) {
		pcre2_set_match_limit(x->mctx, (uint32_t)(r->lim.regex_match > UINT32_MAX ?
		                      UINT32_MAX : r->lim.regex_match));
		pcre2_set_depth_limit(x->mctx, 100000);
	}
	for (int i = 0; i < RX_N; i++)
		if (rx_code[i])
			x->md[i] = pcre2_match_data_create_from_pattern(rx_code[i], g);
}

/* The next match of pattern k in t[*start, end): 1 with [*m0, *m1) and
 * *start past it; 0 when none (or the limit was reached: reported). */
static int rx_next(rxm *x, int k, const sl_text *t, size_t end, size_t *start,
                   size_t *m0, size_t *m1)
{
	if (!rx_code[k] || !x->md[k] || end > t->len || *start >= end)
		return 0;
	int rc = pcre2_match(rx_code[k], (PCRE2_SPTR)t->p, end, *start, 0, x->md[k], x->mctx);
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT) {
		limit_reached(x->r, "regex", x->r->lim.regex_match, text_span(t, *start, end));
		return 0;
	}
	if (rc < 0)
		return 0;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(x->md[k]);
	*m0 = ov[0];
	*m1 = ov[1];
	*start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
	return 1;
}

/* Does pattern k match anywhere in s[0..n)? */
static int rx_any(rxm *x, int k, const char *s, size_t n)
{
	sl_text t = { s, n, NULL, 0 };
	size_t start = 0, a, b;
	return rx_next(x, k, &t, n, &start, &a, &b);
}

/* --- the document -------------------------------------------------------- */

static const sl_part *part_at(const sl_result *r, int i)
{
	return i >= 0 && (size_t)i < r->doc.nparts ? r->doc.parts[i] : NULL;
}

static int is_html_part(const sl_part *p)
{
	return p && p->has_text && !p->attachment && !strcmp(p->type, "text") &&
	       !strcmp(p->subtype, "html");
}

/* Is block i part of the visible body (see the top of the file)? */
static int visible_body(const sl_result *r, size_t i)
{
	const sl_block *b = &r->doc.blk[i];
	return !b->alternative && !b->hidden && b->kind != SL_BLK_SUBJECT &&
	       b->kind != SL_BLK_TITLE && b->kind != SL_BLK_PREHEADER &&
	       (int)i != r->doc.preheader_blk;
}

/* Is part index pi a non-preferred alternative (known from its blocks)? */
static int part_is_alt(const sl_result *r, int pi)
{
	for (size_t i = 0; i < r->doc.nblk; i++)
		if (r->doc.blk[i].part == pi)
			return r->doc.blk[i].alternative;
	return 0;
}

static const char *word_at(const sl_text *t, const sl_word *w)
{
	return (size_t)w->off + w->len <= t->len ? t->p + w->off : NULL;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static int prefix_ci(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (lower(p[i]) != lit[i])
			return 0;
	return 1;
}

/* Where a thing sits, for the measurements that compare positions. */
typedef struct spot {
	const sl_text *t;
	uint32_t off, end;
	int blk;
	int part;               /* MIME part index, -1 unknown */
	sl_span src;            /* in the file */
	int mailto;             /* an unsubscribe by e-mail only */
} spot;

typedef struct spots {
	spot *s;
	size_t n, alloc;
} spots;

static spot *spot_add(sl_result *r, spots *l, const sl_text *t, size_t off, size_t end,
                      int blk, int part)
{
	if (l->n == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 8;
		l->s = arena_grow(&r->arena, l->s, l->n, n, sizeof *l->s);
		l->alloc = n;
	}
	spot *s = &l->s[l->n++];
	memset(s, 0, sizeof *s);
	s->t = t;
	s->off = (uint32_t)off;
	s->end = (uint32_t)end;
	s->blk = blk;
	s->part = part;
	s->src = text_span(t, off, end);
	return s;
}

static mitem *item_at(const mset *m, const spot *s, const char *note)
{
	mitem *it = metric_item_add(m, s->t, s->off, s->end);
	if (it) {
		it->blk = s->blk >= 0 ? s->blk : -1;
		it->note = note;
	}
	return it;
}

/* The last visible body block: where a footer, and what it lacks, sits. */
static int last_visible(const sl_result *r)
{
	for (size_t i = r->doc.nblk; i-- > 0;)
		if (visible_body(r, i) && r->doc.blk[i].text.len)
			return (int)i;
	return -1;
}

/* --- unsubscribe ---------------------------------------------------------- */

/* The unsubscribe state of the visible body. */
typedef struct unsub {
	spots link;             /* unsubscribe links, in document order */
	spots mention;          /* wording with no link of its own */
} unsub;

/* Does sentence s of block b offer to unsubscribe (or, s < 0, the block)? */
static int says_unsub(rxm *x, const sl_block *b, int s)
{
	size_t off = 0, end = b->text.len;
	if (s >= 0) {
		off = b->sent[s].off;
		end = b->sent[s].end;
	}
	if (end > b->text.len || off >= end)
		return 0;
	return rx_any(x, RX_UNSUB_TEXT, b->text.p + off, end - off);
}

/* Does p[0..n) start (after blanks) with mailto:? */
static int is_mailto(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	return prefix_ci(p + i, n - i, "mailto:");
}

/* A link by where its text (or, with none, its tag) lies in the file. */
typedef struct lref {
	size_t off, end;
	size_t k;               /* index in r->doc.link */
} lref;

static int lref_cmp(const void *a, const void *b)
{
	const lref *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

/* The first of l[0..n) (sorted) at or after off. */
static size_t lref_from(const lref *l, size_t n, size_t off)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void take_link(sl_result *r, unsub *u, const sl_link *k)
{
	spot *s = k->text.len ? spot_add(r, &u->link, &k->text, 0, k->text.len, -1, k->part) :
		spot_add(r, &u->link, &r->srctext, k->span.off, k->span.end, -1, k->part);
	s->mailto = k->href && is_mailto(k->href, strlen(k->href));
}

/* HTML links: by their URL or text; by the sentence around them; or the
 * first link of the UNSUB_NEAR blocks after a block that offers it
 * without one ("to unsubscribe, see below"). */
static void unsub_links(rxm *x, unsub *u)
{
	sl_result *r = x->r;
	const sl_doc *d = &r->doc;
	lref *l = arena_array(&r->arena, d->nlink + 1, sizeof *l);
	unsigned char *taken = arena_zalloc(&r->arena, d->nlink + 1);
	size_t n = 0;
	for (size_t i = 0; i < d->nlink; i++) {
		const sl_link *k = &d->link[i];
		if (k->hidden || part_is_alt(r, k->part))
			continue;
		sl_span ks = k->text.len ? text_whole(&k->text) : k->span;
		l[n++] = (lref){ ks.off, ks.end, i };
		const char *href = k->href ? k->href : "";
		taken[i] = rx_any(x, RX_UNSUB_URL, href, strlen(href)) ||
		           rx_any(x, RX_UNSUB_TEXT, k->text.p, k->text.len);
	}
	qsort(l, n, sizeof *l, lref_cmp);
	int pending = 0;
	for (size_t i = 0; i < d->nblk && n; i++) {
		const sl_block *b = &d->blk[i];
		if (!visible_body(r, i) || !b->html)
			continue;
		sl_span bs = text_whole(&b->text);
		size_t first = lref_from(l, n, bs.off), last = first;
		int said = 0;
		while (last < n && l[last].off < bs.end) {
			said |= taken[l[last].k];
			last++;
		}
		if (!says_unsub(x, b, -1)) {
			if (pending && first < last) {
				taken[l[first].k] = 1;
				pending = 0;
			} else if (pending && ++pending > UNSUB_NEAR) {
				pending = 0;
			}
			continue;
		}
		/* the sentences that offer it take the links inside them */
		size_t q = first;
		for (size_t se = 0; se < b->nsent && q < last; se++) {
			sl_span ss = text_span(&b->text, b->sent[se].off, b->sent[se].end);
			while (q < last && l[q].off < ss.off)
				q++;
			if (!says_unsub(x, b, (int)se))
				continue;
			for (size_t z = q; z < last && l[z].off < ss.end; z++)
				if (l[z].end <= ss.end) {
					taken[l[z].k] = 1;
					said = 1;
				}
		}
		pending = !said;
	}
	for (size_t i = 0; i < d->nlink; i++)
		if (taken[i])
			take_link(r, u, &d->link[i]);
}

/* Plain-text bodies and merge tags: URL, address and placeholder tokens
 * that say it, or sit in a block that does (or in the first block with a
 * link of the UNSUB_NEAR after it). */
static void unsub_tokens(rxm *x, unsub *u)
{
	sl_result *r = x->r;
	const sl_doc *d = &r->doc;
	int pending = 0; /* blocks since one offered it without a link */
	for (size_t i = 0; i < d->nblk; i++) {
		const sl_block *b = &d->blk[i];
		if (!visible_body(r, i))
			continue;
		int links = 0, offers = says_unsub(x, b, -1);
		for (size_t k = 0; k < b->nword; k++) {
			const sl_word *w = &b->word[k];
			const char *p = word_at(&b->text, w);
			int ph = (w->flags & SL_W_PLACEHOLDER) != 0;
			int tok = (w->flags & (SL_W_URL | SL_W_EMAIL)) != 0;
			if (!p || !(ph || tok))
				continue;
			links += tok;
			/* one that says it (clients link a bare URL in HTML too); in
			 * plain text, any link of a block that offers it, or the
			 * first of the next blocks until one holds a link */
			int yes = rx_any(x, RX_UNSUB_URL, p, w->len) ||
			          (tok && !b->html && (offers || (pending && links == 1)));
			if (!yes)
				continue;
			spot *s = spot_add(r, &u->link, &b->text, w->off, (size_t)w->off + w->len,
			                   (int)i, b->part);
			s->mailto = (w->flags & SL_W_EMAIL) || is_mailto(p, w->len);
		}
		/* an ESP's tag written as text: [unsubscribe], %unsubscribe_url% */
		size_t start = 0, a, e;
		while (rx_next(x, RX_UNSUB_TAG, &b->text, b->text.len, &start, &a, &e))
			spot_add(r, &u->link, &b->text, a, e, (int)i, b->part);
		if (b->html || links)
			pending = 0;
		else if (offers)
			pending = 1;
		else if (pending && ++pending > UNSUB_NEAR)
			pending = 0;
	}
}

/* Wording that offers to unsubscribe with no link near it: by reply
 * ("reply with REMOVE") it counts as an unsubscribe by e-mail. */
static void unsub_mentions(rxm *x, unsub *u)
{
	sl_result *r = x->r;
	const sl_doc *d = &r->doc;
	for (size_t i = 0; i < d->nblk; i++) {
		const sl_block *b = &d->blk[i];
		if (!visible_body(r, i))
			continue;
		size_t start = 0, a, e;
		if (!rx_next(x, RX_UNSUB_TEXT, &b->text, b->text.len, &start, &a, &e))
			continue;
		int covered = 0;
		for (size_t k = 0; k < u->link.n && !covered; k++)
			covered = u->link.s[k].blk == (int)i ||
			          (u->link.s[k].src.off >= text_whole(&b->text).off &&
			           u->link.s[k].src.end <= text_whole(&b->text).end);
		if (covered)
			continue;
		spot *sp = spot_add(r, &u->mention, &b->text, a, e, (int)i, b->part);
		sp->mailto = rx_any(x, RX_REPLY, b->text.p, b->text.len);
	}
}

static void unsub_find(rxm *x, unsub *u)
{
	memset(u, 0, sizeof *u);
	unsub_links(x, u);
	unsub_tokens(x, u);
	unsub_mentions(x, u);
	/* a reply instruction is an unsubscribe by e-mail */
	for (size_t i = 0; i < u->mention.n; i++) {
		if (!u->mention.s[i].mailto)
			continue;
		spot *s = spot_add(x->r, &u->link, u->mention.s[i].t, u->mention.s[i].off,
		                   u->mention.s[i].end, u->mention.s[i].blk, u->mention.s[i].part);
		s->mailto = 1;
	}
}

/* unsubscribe-links: ways to unsubscribe in the visible body: a link
 * whose URL, text or sentence offers it (an ESP's tag as its href, such
 * as {{ unsubscribe_url }} or *|UNSUB|*, counts: the platform fills it),
 * an ESP's unsubscribe tag in the text ([unsubscribe], %unsubscribe%); in
 * a plain-text body a URL or address in (or right after) the sentence
 * that offers it; and "reply with remove" wording (an unsubscribe by
 * e-mail).  Locates each; with none, the unlinked wording, else the last
 * visible block of the body (where readers look for it).  No value
 * without a visible body. */
static double m_unsubscribe_links(const mset *m)
{
	rxm x;
	unsub u;
	int last = last_visible(m->r);
	if (last < 0)
		return NAN;
	rxm_init(&x, m->r);
	unsub_find(&x, &u);
	for (size_t i = 0; i < u.link.n; i++)
		item_at(m, &u.link.s[i], NULL);
	if (u.link.n)
		return (double)u.link.n;
	if (u.mention.n) {
		item_at(m, &u.mention.s[0], "this offers to unsubscribe, but nothing here is a link");
	} else {
		const sl_block *b = &m->r->doc.blk[last];
		spot s = { &b->text, 0, (uint32_t)b->text.len, last, b->part, { 0, 0, 0 }, 0 };
		item_at(m, &s, "the end of the body, where readers look for the link");
	}
	return 0;
}

/* unsubscribe-mailto-only: 1 when every unsubscribe way (as
 * unsubscribe-links counts them) is by e-mail (mailto: links, addresses,
 * reply wording), 0 when one is a web link or an ESP's tag; no value
 * without any.  Locates the first. */
static double m_unsubscribe_mailto_only(const mset *m)
{
	rxm x;
	unsub u;
	rxm_init(&x, m->r);
	unsub_find(&x, &u);
	if (!u.link.n)
		return NAN;
	for (size_t i = 0; i < u.link.n; i++)
		if (!u.link.s[i].mailto)
			return 0;
	item_at(m, &u.link.s[0], u.link.n > 1 ? arena_printf(&m->r->arena,
	        "the first of %zu ways to unsubscribe, all by e-mail", u.link.n) : NULL);
	return 1;
}

/* --- postal address ------------------------------------------------------- */

/* Is the merge tag or ESP tag p[0..n) the sender's address (not an
 * e-mail, IP or web address)? */
static int address_tag(rxm *x, const char *p, size_t n)
{
	if (!rx_any(x, RX_ADDRESS_TAG, p, n))
		return 0;
	for (size_t i = 0; i + 3 <= n; i++) {
		char a = lower(p[i]), b = lower(p[i + 1]);
		if ((a == 'm' && b == 'a' && lower(p[i + 2]) == 'i') ||  /* email, mail_address */
		    (a == 'i' && b == 'p' && !((p[i + 2] >= 'a' && p[i + 2] <= 'z'))) ||
		    (a == 'u' && b == 'r' && lower(p[i + 2]) == 'l') ||
		    (a == 'w' && b == 'e' && lower(p[i + 2]) == 'b'))
			return 0;
	}
	return 1;
}

/* Postal addresses of the visible body, in document order. */
static void address_find(rxm *x, spots *out)
{
	sl_result *r = x->r;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		if (!visible_body(r, i))
			continue;
		size_t start = 0, a, e;
		while (rx_next(x, RX_ADDRESS, &b->text, b->text.len, &start, &a, &e))
			spot_add(r, out, &b->text, a, e, (int)i, b->part);
		for (size_t k = 0; k < b->nword; k++) {
			const sl_word *w = &b->word[k];
			const char *p = word_at(&b->text, w);
			if (p && (w->flags & SL_W_PLACEHOLDER) && address_tag(x, p, w->len))
				spot_add(r, out, &b->text, w->off, (size_t)w->off + w->len, (int)i, b->part);
		}
		/* an ESP's tag written as text: [Sender_Address] */
		for (size_t k = 0; k < b->text.len; k++) {
			if (b->text.p[k] != '[')
				continue;
			size_t j = k + 1;
			while (j < b->text.len && j - k < 64 && (b->text.p[j] == '_' || b->text.p[j] == ':' ||
			       (lower(b->text.p[j]) >= 'a' && lower(b->text.p[j]) <= 'z')))
				j++;
			if (j < b->text.len && b->text.p[j] == ']' && address_tag(x, b->text.p + k, j + 1 - k))
				spot_add(r, out, &b->text, k, j + 1, (int)i, b->part);
			k = j;
		}
	}
}

/* postal-addresses: postal addresses in the visible body (CAN-SPAM, 15
 * U.S.C. 7704(a)(5)(A)(iii), requires one in commercial mail): a US
 * street line (a number, one to four capitalised words and a street type:
 * "210 Mill Street", "1234 S. Broadway St."), "City, ST 12345", a post
 * office box (PO Box, Postfach, Apartado...), a UK ("SW1A 1AA"), Canadian
 * ("K1A 0B1"), Australian ("Sydney NSW 2000") or Japanese (〒) postcode,
 * a continental "D-12345 City" or street line and postcode ("Hauptstraße
 * 5, 10115 Berlin", "12 rue X, 75002 Paris"); and a merge tag or ESP tag
 * for the sender's address ({{ company.address }},
 * *|HTML:LIST_ADDRESS_HTML|*, [Sender_Address]).  Locates each; with
 * none, the last visible block of the body.  No value without one. */
static double m_postal_addresses(const mset *m)
{
	rxm x;
	spots a;
	int last = last_visible(m->r);
	if (last < 0)
		return NAN;
	rxm_init(&x, m->r);
	address_find(&x, &a);
	for (size_t i = 0; i < a.n; i++)
		item_at(m, &a.s[i], NULL);
	if (!a.n) {
		const sl_block *b = &m->r->doc.blk[last];
		spot s = { &b->text, 0, (uint32_t)b->text.len, last, b->part, { 0, 0, 0 }, 0 };
		item_at(m, &s, "the end of the body, where the sender's postal address usually goes");
	}
	return (double)a.n;
}

/* --- Gmail clipping --------------------------------------------------------- */

/* The largest HTML part, as sent; NULL if none. */
static const sl_part *largest_html(const sl_result *r)
{
	const sl_part *best = NULL;
	for (size_t i = 0; i < r->doc.nparts; i++) {
		const sl_part *p = r->doc.parts[i];
		if (!is_html_part(p) || part_is_alt(r, p->index) || p->body_end < p->body_off ||
		    p->body_end > r->len)
			continue;
		if (!best || p->body_end - p->body_off > best->body_end - best->body_off)
			best = p;
	}
	return best;
}

/* html-sent-size: bytes of the largest HTML part of the preferred body as
 * sent (its body in the file, transfer encoding included; a template's
 * whole file): what Gmail measures when it clips.  Locates the first byte
 * past the rule's max, where the clip falls.  No HTML: no value. */
static double m_html_sent_size(const mset *m)
{
	const sl_part *p = largest_html(m->r);
	if (!p)
		return NAN;
	double size = (double)(p->body_end - p->body_off);
	if (m->mr->has_max && size > m->mr->max && m->mr->max >= 0) {
		size_t at = p->body_off + (size_t)m->mr->max;
		mitem *it = metric_item_add(m, &m->r->srctext, at, at + 1 <= p->body_end ? at + 1 : at);
		if (it) {
			it->blk = -1;
			size_t rest = p->body_end - at;
			it->note = arena_printf(&m->r->arena, "%zu byte%s of HTML follow%s this point",
			                        rest, rest == 1 ? "" : "s", rest == 1 ? "s" : "");
		}
	}
	return size;
}

/* footer-offset: for the largest HTML part, bytes as sent from the start
 * of its body to the end of its first unsubscribe link or first postal
 * address, whichever ends later (a reader needs both before the clip).
 * Locates the ones that end past the rule's max (without a max, the
 * later one).  No value when the part has neither. */
static double m_footer_offset(const mset *m)
{
	sl_result *r = m->r;
	const sl_part *p = largest_html(r);
	if (!p)
		return NAN;
	rxm x;
	unsub u;
	spots a;
	rxm_init(&x, r);
	unsub_find(&x, &u);
	address_find(&x, &a);
	const spot *first[2] = { NULL, NULL };
	for (size_t i = 0; i < u.link.n && !first[0]; i++)
		if (u.link.s[i].part == p->index)
			first[0] = &u.link.s[i];
	for (size_t i = 0; i < a.n && !first[1]; i++)
		if (a.s[i].part == p->index)
			first[1] = &a.s[i];
	double v = NAN;
	for (int k = 0; k < 2; k++) {
		if (!first[k] || first[k]->src.end < p->body_off)
			continue;
		double e = (double)(first[k]->src.end - p->body_off);
		if (isnan(v) || e > v)
			v = e;
	}
	if (isnan(v))
		return v;
	static const char *const what[2] = { "the unsubscribe link", "the postal address" };
	for (int k = 0; k < 2; k++) {
		if (!first[k])
			continue;
		double e = (double)(first[k]->src.end - p->body_off);
		if (m->mr->has_max ? e > m->mr->max : e == v)
			item_at(m, first[k], arena_printf(&r->arena, "%s ends %.0f bytes into the HTML",
			                                  what[k], e));
	}
	return v;
}

/* --- body alternatives ---------------------------------------------------------- */

/* The Content-Type field of part p (or of the nearest part above it that
 * has one), as a span of the file; its header block's start otherwise. */
static void content_type_at(const sl_result *r, const sl_part *p, size_t *off, size_t *end)
{
	for (const sl_part *q = p; q; q = q->parent) {
		const sl_header *h = part_header(q, "Content-Type");
		if (h && h->end <= r->len && h->off < h->end) {
			*off = h->off;
			*end = h->end;
			return;
		}
	}
	*off = *end = p->off <= r->len ? p->off : 0;
}

static int in_forwarded(const sl_part *p)
{
	for (const sl_part *q = p->parent; q; q = q->parent)
		if (!strcmp(q->type, "message"))
			return 1;
	return 0;
}

/* html-only: 1 when a message's body is HTML and it holds no text/plain
 * part to read instead (SpamAssassin's and rspamd's MIME_HTML_ONLY), 0
 * when it holds one; no value for templates and messages without HTML.
 * Forwarded messages and attachments do not count.  Locates the HTML
 * part's Content-Type field. */
static double m_html_only(const mset *m)
{
	const sl_result *r = m->r;
	if (r->doc.kind != SL_KIND_EML)
		return NAN;
	const sl_part *html = part_at(r, r->doc.html_part);
	if (!is_html_part(html) || in_forwarded(html))
		return NAN;
	for (size_t i = 0; i < r->doc.nparts; i++) {
		const sl_part *p = r->doc.parts[i];
		if (p->has_text && !p->attachment && !strcmp(p->type, "text") &&
		    !strcmp(p->subtype, "plain") && !in_forwarded(p) && p->text.len)
			return 0;
	}
	size_t off, end;
	content_type_at(r, html, &off, &end);
	mitem *it = metric_item_add(m, &r->srctext, off, end);
	if (it)
		it->blk = -1;
	return 1;
}

/* Words too common to tell two texts apart. */
static const char *const stop_words[] = {
	"about", "after", "again", "all", "also", "and", "any", "are", "been", "before", "but",
	"can", "did", "for", "from", "get", "had", "has", "have", "her", "here", "him", "his",
	"how", "into", "its", "just", "may", "more", "most", "not", "now", "off", "once", "one",
	"only", "our", "out", "over", "own", "she", "should", "some", "such", "than", "that",
	"the", "their", "them", "then", "there", "these", "they", "this", "those", "through",
	"too", "under", "until", "very", "was", "were", "what", "when", "where", "which",
	"while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
};

/* A content word as the alternatives are compared on: three letters or
 * more, not a number, placeholder, URL or stop word. */
static int content_word(const sl_word *w)
{
	if (!w->norm || w->normlen < 3 || (w->flags & (SL_W_PUNCT | SL_W_PLACEHOLDER | SL_W_URL |
	    SL_W_EMAIL | SL_W_NUMBER)))
		return 0;
	for (size_t i = 0; i < NELEM(stop_words); i++)
		if (!strcmp(w->norm, stop_words[i]))
			return 0;
	return 1;
}

/* A set of strings (open addressing in the arena). */
typedef struct sset {
	const char **slot;
	size_t cap, n;
	int full;               /* a word was refused: the set is full */
} sset;

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static void sset_init(sl_arena *a, sset *s, size_t max)
{
	s->cap = 16;
	while (s->cap < 2 * max + 2)
		s->cap *= 2;
	s->slot = arena_zalloc(a, s->cap * sizeof *s->slot);
	s->n = 0;
	s->full = 0;
}

/* Add w; 1 if it was new.  Full (n at cap/2): nothing added, full set,
 * 0. */
static int sset_add(sset *s, const char *w)
{
	size_t mask = s->cap - 1;
	for (size_t i = hash_str(w) & mask, k = 0; k < s->cap; i = (i + 1) & mask, k++) {
		if (!s->slot[i]) {
			if (s->n + 1 > s->cap / 2) {
				s->full = 1;
				return 0;
			}
			s->slot[i] = w;
			s->n++;
			return 1;
		}
		if (!strcmp(s->slot[i], w))
			return 0;
	}
	return 0;
}

static int sset_has(const sset *s, const char *w)
{
	size_t mask = s->cap - 1;
	for (size_t i = hash_str(w) & mask, k = 0; k < s->cap; i = (i + 1) & mask, k++) {
		if (!s->slot[i])
			return 0;
		if (!strcmp(s->slot[i], w))
			return 1;
	}
	return 0;
}

/* A word without a plural or possessive ending, so "guides" meets
 * "guide": into buf, or the word itself. */
static const char *base_form(const char *w, size_t n, char *buf, size_t size)
{
	if (n > 3 && n < size && w[n - 1] == 's' && w[n - 2] != 's') {
		size_t k = n - 1 - (w[n - 2] == '\'');
		memcpy(buf, w, k);
		buf[k] = 0;
		return buf;
	}
	return w;
}

/* The text/plain blocks beside the preferred HTML part (same
 * multipart/alternative), or -1 when there is none. */
static int text_alternative(const sl_result *r)
{
	const sl_part *html = part_at(r, r->doc.html_part);
	if (!is_html_part(html))
		return -1;
	const sl_part *alt = html->parent;
	while (alt && !(!strcmp(alt->type, "multipart") && !strcmp(alt->subtype, "alternative")))
		alt = alt->parent;
	if (!alt)
		return -1;
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		const sl_part *p = part_at(r, b->part);
		if (!b->alternative || b->html || !p)
			continue;
		for (const sl_part *q = p->parent; q; q = q->parent)
			if (q == alt)
				return b->part;
	}
	return -1;
}

/* alternative-missing-words: the percentage of the HTML body's distinct
 * content words (three letters or more, not stop words, numbers, URLs or
 * placeholders; plural -s and possessive 's ignored) that the text/plain
 * alternative beside it never uses: a text part that drops what the HTML
 * says (SpamAssassin's MPART_ALT_DIFF, rspamd's R_PARTS_DIFFER compare
 * the same two word sets).  Messages only; no value without both
 * alternatives.  Locates the text part's first block; the note lists the
 * first missing words. */
static double m_alternative_missing_words(const mset *m)
{
	sl_result *r = m->r;
	int tp = text_alternative(r);
	if (tp < 0)
		return NAN;
	sset text, seen;
	sset_init(&r->arena, &text, ALT_WORDS);
	sset_init(&r->arena, &seen, ALT_WORDS);
	int first = -1;
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		if (b->part != tp)
			continue;
		if (first < 0 && b->text.len)
			first = (int)i;
		for (size_t k = 0; k < b->nword; k++) {
			char buf[128];
			if (content_word(&b->word[k]))
				sset_add(&text, base_form(b->word[k].norm, b->word[k].normlen, buf, sizeof buf) == buf ?
				         arena_strndup(&r->arena, buf, strlen(buf)) : b->word[k].norm);
		}
	}
	if (first < 0)
		return NAN;
	double total = 0, missing = 0;
	sl_buf note;
	buf_init(&note, &r->arena, 200);
	size_t listed = 0;
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		if (!visible_body(r, i) || b->part != r->doc.html_part)
			continue;
		for (size_t k = 0; k < b->nword; k++) {
			char buf[128];
			const sl_word *w = &b->word[k];
			if (!content_word(w))
				continue;
			const char *f = base_form(w->norm, w->normlen, buf, sizeof buf);
			if (f == buf)
				f = arena_strndup(&r->arena, buf, strlen(buf));
			if (!sset_add(&seen, f))
				continue;
			total++;
			if (sset_has(&text, f))
				continue;
			missing++;
			if (listed < 6 && note.len < 120) {
				buf_addf(&note, "%s'%s'", listed ? ", " : "", w->norm);
				listed++;
			}
		}
	}
	if (!total)
		return NAN;
	const sl_block *b = &r->doc.blk[first];
	if (text.full || seen.full)
		limit_reached(r, "alternative-words", ALT_WORDS, text_whole(&b->text));
	mitem *it = metric_item_add(m, &b->text, 0, b->text.len);
	if (it) {
		it->blk = first;
		if (listed)
			it->note = arena_printf(&r->arena, "%.0f of the HTML's %.0f words are missing here, "
			                        "such as %s", missing, total, buf_cstr(&note));
	}
	return floor(100 * missing / total + 0.5);
}

/* A fact a reader may need from the body: a number with a currency sign,
 * a percent sign, a decimal point or a separator, or a link's host. */
static int fact_number(const sl_text *t, const sl_word *w)
{
	const char *p = word_at(t, w);
	if (!p || !(w->flags & SL_W_NUMBER))
		return 0;
	int digits = 0, mark = 0;
	for (size_t i = 0; i < w->len; i++) {
		unsigned char c = (unsigned char)p[i];
		digits += c >= '0' && c <= '9';
		mark |= c == '$' || c == '%' || c >= 0x80 || c == '.' || c == ',' || c == ':' ||
		        c == '/' || c == '#';
	}
	return digits >= 2 && mark;
}

/* alternative-missing-facts: amounts, dates, times and codes in the
 * HTML body (numbers with a currency or percent sign, or written with
 * . , : / or #) that the text/plain alternative beside it does not
 * contain: the prices, dates and order numbers a text-only reader misses.
 * Messages only; no value without both alternatives.  Locates the first,
 * in the HTML; its note names more. */
static double m_alternative_missing_facts(const mset *m)
{
	sl_result *r = m->r;
	int tp = text_alternative(r);
	if (tp < 0)
		return NAN;
	sset text, seen;
	sset_init(&r->arena, &text, ALT_WORDS);
	sset_init(&r->arena, &seen, ALT_WORDS);
	int any = 0;
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		if (b->part != tp)
			continue;
		for (size_t k = 0; k < b->nword; k++) {
			any = 1;
			if (b->word[k].norm && (b->word[k].flags & SL_W_NUMBER))
				sset_add(&text, b->word[k].norm);
		}
	}
	if (!any)
		return NAN;
	double n = 0;
	mitem *first = NULL;
	sl_buf more;
	buf_init(&more, &r->arena, 200);
	size_t listed = 0;
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		if (!visible_body(r, i) || b->part != r->doc.html_part)
			continue;
		for (size_t k = 0; k < b->nword; k++) {
			const sl_word *w = &b->word[k];
			if (!fact_number(&b->text, w) || sset_has(&text, w->norm) || !sset_add(&seen, w->norm))
				continue;
			if (n++ == 0) {
				first = metric_item_add(m, &b->text, w->off, (size_t)w->off + w->len);
				if (first)
					first->blk = (int)i;
			} else if (listed < 5 && more.len < 120) {
				buf_addf(&more, "%s'%.*s'", listed++ ? ", " : "", (int)w->len,
				         b->text.p + w->off);
			}
		}
	}
	if (first && n > 1)
		first->note = arena_printf(&r->arena, "%.0f more missing, such as %s", n - 1,
		                           buf_cstr(&more));
	if ((text.full || seen.full) && first)
		limit_reached(r, "alternative-words", ALT_WORDS, text_span(first->t, first->off, first->end));
	return n;
}

/* --- template tags -------------------------------------------------------------- */

enum { FAM_HB, FAM_JINJA, FAM_MC, FAM_N };          /* {{ }}, {% %}, *| |* */
enum { T_VAR, T_OPEN, T_CLOSE, T_MID, T_UNCLOSED };

typedef struct ttag {
	uint32_t off, end;      /* in the part's text */
	uint8_t fam, role;
	uint8_t loop;           /* an open that repeats its body (each, for) */
	char name[24];          /* block keyword, lower-case */
	uint32_t expr, exprend; /* its expression, in the part's text */
	int32_t match;          /* open: its close (index), -1 none */
} ttag;

/* The next occurrence of a needle at or after a position, remembered:
 * the scan only moves forward, so the searches for one needle together
 * read the text once (a hostile text of "{%{%{%..." stays linear). */
enum { M_CC, M_CCC, M_PC, M_HC, M_DCC, M_OB, M_ST, M_LT, M_GT, M_NL, M_N };
static const char *const memo_lit[M_N] = { "}}", "}}}", "%}", "#}", "--}}", "{", "*", "<", ">",
	"\n" };

typedef struct memo {
	size_t from, at;        /* searched from `from`, found at `at` (n: none) */
	int valid;
} memo;

typedef struct tscan {
	const sl_part *p;
	ttag *t;
	size_t n, alloc;
	const char *s;          /* the part's text */
	size_t len;
	memo m[M_N];
} tscan;

static size_t memo_next(tscan *sc, int k, size_t from)
{
	memo *m = &sc->m[k];
	if (m->valid && from >= m->from && m->at >= from)
		return m->at;
	const char *lit = memo_lit[k];
	size_t kl = strlen(lit), at = sc->len;
	for (size_t j = from; j + kl <= sc->len;) {
		const char *q = memchr(sc->s + j, lit[0], sc->len - j);
		if (!q)
			break;
		j = (size_t)(q - sc->s);
		if (j + kl <= sc->len && !memcmp(q, lit, kl)) {
			at = j;
			break;
		}
		j++;
	}
	m->from = from;
	m->at = at;
	m->valid = 1;
	return at;
}

static int ident(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':';
}

/* The first position of needle k at or after i within TAG_MAX bytes, and
 * before any of the needles in stop (a -1 ended list); (size_t)-1 if
 * none. */
static size_t find_close(tscan *sc, size_t i, int k, const int *stop)
{
	size_t at = memo_next(sc, k, i);
	if (at >= sc->len || at - i > TAG_MAX)
		return (size_t)-1;
	for (; stop && *stop >= 0; stop++)
		if (memo_next(sc, *stop, i) < at)
			return (size_t)-1;
	return at;
}

static const int hb_stop[] = { M_OB, M_LT, M_GT, M_NL, -1 };

/* The end of a region that holds no tags ({% raw %} ... {% endraw %}):
 * the start of its closing tag, or the text's end. */
static size_t skip_region(tscan *sc, size_t i, const char *endname)
{
	size_t k = strlen(endname);
	const char *s = sc->s;
	for (size_t j = memo_next(sc, M_OB, i); j + 2 < sc->len; j = memo_next(sc, M_OB, j + 1)) {
		if (s[j + 1] != '%')
			continue;
		size_t q = j + 2;
		while (q < sc->len && q - j < TAG_MAX && (s[q] == ' ' || s[q] == '-' || s[q] == '~'))
			q++;
		if (q + k <= sc->len && !memcmp(s + q, endname, k))
			return j;
	}
	return sc->len;
}

static ttag *tag_add(sl_result *r, tscan *sc, size_t off, size_t end, int fam, int role)
{
	if (sc->n >= TAGS_MAX)
		return NULL; /* tags_scan reports the limit */
	if (sc->n == sc->alloc) {
		size_t n = sc->alloc ? sc->alloc * 2 : 32;
		sc->t = arena_grow(&r->arena, sc->t, sc->n, n, sizeof *sc->t);
		sc->alloc = n;
	}
	ttag *t = &sc->t[sc->n++];
	memset(t, 0, sizeof *t);
	t->off = (uint32_t)off;
	t->end = (uint32_t)end;
	t->fam = (uint8_t)fam;
	t->role = (uint8_t)role;
	t->match = -1;
	return t;
}

/* Copy the keyword at s[i..) (letters, lower-cased) into t->name and set
 * t->expr to what follows it up to e; returns the keyword's length. */
static size_t tag_keyword(ttag *t, const char *s, size_t i, size_t e)
{
	size_t k = 0;
	while (i + k < e && k + 1 < sizeof t->name && ((s[i + k] >= 'a' && s[i + k] <= 'z') ||
	       (s[i + k] >= 'A' && s[i + k] <= 'Z') || s[i + k] == '_'))
		k++;
	for (size_t j = 0; j < k; j++)
		t->name[j] = lower(s[i + j]);
	t->name[k] = 0;
	size_t x = i + k;
	while (x < e && (s[x] == ' ' || s[x] == ':' || s[x] == '\t' || s[x] == '\n'))
		x++;
	t->expr = (uint32_t)x;
	t->exprend = (uint32_t)e;
	return k;
}

/* Inside a tag from a to b: the trimmed range (whitespace control marks
 * - and ~ and blanks dropped). */
static void tag_trim(const char *s, size_t *a, size_t *b)
{
	while (*a < *b && (s[*a] == ' ' || s[*a] == '-' || s[*a] == '~' || s[*a] == '\t' ||
	       s[*a] == '\n' || s[*a] == '\r'))
		(*a)++;
	while (*b > *a && (s[*b - 1] == ' ' || s[*b - 1] == '-' || s[*b - 1] == '~' ||
	       s[*b - 1] == '\t' || s[*b - 1] == '\n' || s[*b - 1] == '\r'))
		(*b)--;
}

static const char *const loop_words[] = { "each", "for", "tablerow", "rssitems", "feeditems",
	"paginate" };
static const char *const mid_words[] = { "else", "elif", "elsif", "elseif", "when", "empty" };
/* {% %} keywords that open a block whether or not the text closes them
 * (others do only when an end tag for them appears). */
static const char *const jinja_blocks[] = { "if", "unless", "for", "case", "capture", "block",
	"macro", "call", "filter", "with", "autoescape", "spaceless", "tablerow", "paginate",
	"trans", "blocktrans", "verbatim", "ifchanged", "form" };
static const char *const mc_blocks[] = { "if", "ifnot", "interested", "rssitems", "feeditems",
	"feedblock" };

static int in_words(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w, list[i]))
			return 1;
	return 0;
}

/* One handlebars/mustache tag {{ }} / {{{ }}} at i; returns where the scan
 * goes on. */
static size_t scan_hb(sl_result *r, tscan *sc, const char *s, size_t n, size_t i)
{
	if (i + 2 < n && s[i + 2] == '!') {
		/* a comment: {{!-- --}} or {{! }}, up to COMMENT_MAX bytes */
		int dashes = i + 4 < n && s[i + 3] == '-' && s[i + 4] == '-';
		size_t c = memo_next(sc, dashes ? M_DCC : M_CC, i + 3);
		if (c < n && c - i < COMMENT_MAX)
			return c + (dashes ? 4 : 2);
	}
	int triple = i + 2 < n && s[i + 2] == '{';
	size_t a = i + (triple ? 3 : 2);
	size_t c = find_close(sc, a, triple ? M_CCC : M_CC, hb_stop);
	if (c == (size_t)-1 && triple) {
		/* {{{x}} : the braces do not balance */
		size_t c2 = find_close(sc, a, M_CC, hb_stop);
		if (c2 != (size_t)-1) {
			tag_add(r, sc, i, c2 + 2, FAM_HB, T_UNCLOSED);
			return c2 + 2;
		}
	}
	if (c == (size_t)-1) {
		tag_add(r, sc, i, a, FAM_HB, T_UNCLOSED);
		return a;
	}
	size_t e = c + (triple ? 3 : 2), b = c;
	tag_trim(s, &a, &b);
	ttag *t;
	if (a < b && (s[a] == '#' || s[a] == '^' || s[a] == '/')) {
		t = tag_add(r, sc, i, e, FAM_HB, s[a] == '/' ? T_CLOSE : T_OPEN);
		if (t) {
			size_t q = a + 1;
			while (q < b && s[q] == ' ')
				q++;
			tag_keyword(t, s, q, b);
			if (!t->name[0]) /* {{#.}} {{/.}}: mustache's current item */
				t->name[0] = '.';
			t->loop = in_words(t->name, loop_words, NELEM(loop_words));
		}
	} else if (a < b && (s[a] == '>' || s[a] == '&' || s[a] == '*')) {
		t = tag_add(r, sc, i, e, FAM_HB, T_VAR);
		if (t) {
			t->expr = (uint32_t)(a + 1);
			t->exprend = (uint32_t)b;
		}
	} else {
		t = tag_add(r, sc, i, e, FAM_HB, T_VAR);
		if (t) {
			t->expr = (uint32_t)a;
			t->exprend = (uint32_t)b;
			if (b - a == 4 && !memcmp(s + a, "else", 4)) {
				t->role = T_MID;
				memcpy(t->name, "else", 5);
			}
		}
	}
	return e;
}

/* One {% %} tag at i. */
static size_t scan_jinja(sl_result *r, tscan *sc, const char *s, size_t n, size_t i)
{
	size_t a = i + 2, c = find_close(sc, a, M_PC, NULL);
	if (c == (size_t)-1) {
		tag_add(r, sc, i, a, FAM_JINJA, T_UNCLOSED);
		return a;
	}
	size_t e = c + 2, b = c;
	tag_trim(s, &a, &b);
	ttag *t = tag_add(r, sc, i, e, FAM_JINJA, T_OPEN);
	if (!t)
		return e;
	tag_keyword(t, s, a, b);
	if (!strncmp(t->name, "end", 3) && t->name[3]) {
		t->role = T_CLOSE;
		memmove(t->name, t->name + 3, strlen(t->name + 3) + 1);
	} else if (in_words(t->name, mid_words, NELEM(mid_words))) {
		t->role = T_MID;
	} else if (!strcmp(t->name, "raw") || !strcmp(t->name, "comment")) {
		char endname[16];
		memcpy(endname, "end", 3);
		memcpy(endname + 3, t->name, strlen(t->name) + 1);
		size_t z = skip_region(sc, e, endname);
		return z > e ? z : e;
	}
	t->loop = in_words(t->name, loop_words, NELEM(loop_words));
	return e;
}

/* One Mailchimp tag *|X|* at i: *|IF:X|* ... *|ELSE:|* ... *|END:IF|*. */
static size_t scan_mc(sl_result *r, tscan *sc, const char *s, size_t n, size_t i)
{
	size_t a = i + 2, j = a;
	while (j < n && j - a < 128 && (ident((unsigned char)s[j]) || s[j] == ' '))
		j++;
	if (j + 1 >= n || s[j] != '|' || s[j + 1] != '*' || j == a)
		return i + 2; /* not a tag: "*|" in text */
	size_t e = j + 2;
	size_t colon = a;
	while (colon < j && s[colon] != ':')
		colon++;
	ttag *t = tag_add(r, sc, i, e, FAM_MC, T_VAR);
	if (!t)
		return e;
	t->expr = (uint32_t)a;
	t->exprend = (uint32_t)j;
	if (colon == j)
		return e;
	char kw[24];
	size_t k = colon - a < sizeof kw - 1 ? colon - a : sizeof kw - 1;
	for (size_t q = 0; q < k; q++)
		kw[q] = lower(s[a + q]);
	kw[k] = 0;
	if (!strcmp(kw, "end")) {
		t->role = T_CLOSE;
		tag_keyword(t, s, colon + 1, j);
	} else if (!strcmp(kw, "else") || !strcmp(kw, "elseif")) {
		t->role = T_MID;
		memcpy(t->name, "else", 5);
		t->expr = (uint32_t)(colon + 1);
	} else if (in_words(kw, mc_blocks, NELEM(mc_blocks))) {
		t->role = T_OPEN;
		memcpy(t->name, kw, k + 1);
		if (!strcmp(kw, "ifnot")) /* closed by *|END:IF|* */
			memcpy(t->name, "if", 3);
		t->expr = (uint32_t)(colon + 1);
		t->loop = in_words(t->name, loop_words, NELEM(loop_words));
	}
	return e;
}

/* Every template tag of part p's text, in order. */
static void tags_scan(sl_result *r, const sl_part *p, tscan *sc)
{
	memset(sc, 0, sizeof *sc);
	sc->p = p;
	sc->s = p->text.p;
	sc->len = p->text.len;
	const char *s = sc->s;
	size_t n = sc->len, i = 0;
	while (i + 1 < n && sc->n < TAGS_MAX) {
		/* the next '{' or '*', whichever comes first */
		size_t br = memo_next(sc, M_OB, i), st = memo_next(sc, M_ST, i);
		i = br < st ? br : st;
		if (i + 1 >= n)
			break;
		char c = s[i + 1];
		if (s[i] == '{' && c == '{') {
			i = scan_hb(r, sc, s, n, i);
		} else if (s[i] == '{' && c == '%') {
			i = scan_jinja(r, sc, s, n, i);
		} else if (s[i] == '{' && c == '#') {
			size_t z = find_close(sc, i + 2, M_HC, NULL);
			i = z == (size_t)-1 ? i + 2 : z + 2;
		} else if (s[i] == '*' && c == '|') {
			i = scan_mc(r, sc, s, n, i);
		} else {
			i++;
		}
	}
	if (sc->n >= TAGS_MAX && i + 1 < n)
		limit_reached(r, "template-tags", TAGS_MAX, text_span(&p->text, i, n));
}

/* A template tag problem, located in the part's text. */
typedef struct tprob {
	uint32_t off, end;
	const char *why;
} tprob;

typedef struct tres {
	tprob *pr;
	size_t n, alloc;
} tres;

static void prob_add(sl_result *r, tres *res, const ttag *t, const char *why)
{
	if (res->n == res->alloc) {
		size_t n = res->alloc ? res->alloc * 2 : 8;
		res->pr = arena_grow(&r->arena, res->pr, res->n, n, sizeof *res->pr);
		res->alloc = n;
	}
	res->pr[res->n].off = t->off;
	res->pr[res->n].end = t->end;
	res->pr[res->n].why = why;
	res->n++;
}

/* The tag as written, shortened, for notes. */
static const char *tag_text(sl_result *r, const tscan *sc, const ttag *t)
{
	size_t n = t->end - t->off;
	return arena_printf(&r->arena, "%.*s%s", (int)(n > 40 ? 40 : n), sc->p->text.p + t->off,
	                    n > 40 ? "..." : "");
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Is tag t a {% %} keyword that opens a block: a known one, or one whose
 * end tag appears (ends: the names of the {% end... %} tags, sorted)? */
static int jinja_opens(const ttag *t, const char *const *ends, size_t nends)
{
	if (in_words(t->name, jinja_blocks, NELEM(jinja_blocks)))
		return 1;
	const char *key = t->name;
	return nends && bsearch(&key, ends, nends, sizeof *ends, cmp_name) != NULL;
}

/* Pair openers and closers, one stack per family; problems into res. */
static void tags_pair(sl_result *r, tscan *sc, tres *res)
{
	size_t stack[FAM_N][TAG_DEPTH], depth[FAM_N] = { 0 }, whole[FAM_N] = { 0 }, nends = 0;
	int over = 0;
	const char **ends = arena_array(&r->arena, sc->n + 1, sizeof *ends);
	for (size_t i = 0; i < sc->n; i++) {
		whole[sc->t[i].fam] += sc->t[i].role != T_UNCLOSED;
		if (sc->t[i].fam == FAM_JINJA && sc->t[i].role == T_CLOSE)
			ends[nends++] = sc->t[i].name;
	}
	qsort(ends, nends, sizeof *ends, cmp_name);
	for (size_t i = 0; i < sc->n; i++) {
		ttag *t = &sc->t[i];
		size_t *d = &depth[t->fam], *st = stack[t->fam];
		if (t->role == T_UNCLOSED) {
			/* a text that uses the language: else "{{" is just text */
			if (whole[t->fam])
				prob_add(r, res, t, arena_printf(&r->arena, "'%s' is never closed",
				                                 tag_text(r, sc, t)));
			continue;
		}
		if (t->role == T_OPEN && t->fam == FAM_JINJA && !jinja_opens(t, ends, nends)) {
			t->role = T_VAR; /* {% set x = 1 %}, {% include %} */
			continue;
		}
		if (t->role == T_OPEN) {
			if (*d >= TAG_DEPTH) {
				if (!over++)
					limit_reached(r, "template-tags", TAG_DEPTH,
					              text_span(&sc->p->text, t->off, t->end));
				continue;
			}
			st[(*d)++] = i;
		} else if (t->role == T_MID) {
			if (!*d)
				prob_add(r, res, t, arena_printf(&r->arena, "'%s' is outside any block",
				                                 tag_text(r, sc, t)));
		} else if (t->role == T_CLOSE) {
			size_t k = *d;
			while (k > 0 && strcmp(sc->t[st[k - 1]].name, t->name))
				k--;
			if (!k) {
				prob_add(r, res, t, arena_printf(&r->arena, "'%s' closes no open block",
				                                 tag_text(r, sc, t)));
				continue;
			}
			for (size_t q = *d; q > k; q--) {
				const ttag *o = &sc->t[st[q - 1]];
				prob_add(r, res, o, arena_printf(&r->arena, "'%s' is never closed: '%s' "
				         "comes first", tag_text(r, sc, o), tag_text(r, sc, t)));
			}
			sc->t[st[k - 1]].match = (int32_t)i;
			*d = k - 1;
		}
	}
	for (int f = 0; f < FAM_N; f++)
		for (size_t q = 0; q < depth[f]; q++) {
			const ttag *o = &sc->t[stack[f][q]];
			prob_add(r, res, o, arena_printf(&r->arena, "'%s' is never closed",
			                                 tag_text(r, sc, o)));
		}
}

/* Parts whose text may hold template tags: every text part that is not
 * an attachment (a template's one pseudo part). */
static int tag_part(const sl_part *p)
{
	return p->has_text && !p->attachment && !strcmp(p->type, "text") && p->text.len;
}

/* template-tags-unbalanced: template tags that do not pair up: a block
 * opener with no closer ({% if %} without {% endif %}, {{#each}} without
 * {{/each}}, *|IF:X|* without *|END:IF|*), a closer with no opener or
 * closing another block's, an {% else %} outside any block, and a {{ or
 * {% never closed (or {{{ closed by }}) in a text that holds whole tags
 * of that language (elsewhere "{{" is just text).  {% %} keywords count as blocks
 * when they are known ones (if, for, unless, case, capture, block, macro,
 * with, ...) or their end tag appears.  Locates each. */
static double m_template_tags_unbalanced(const mset *m)
{
	sl_result *r = m->r;
	double n = 0;
	for (size_t i = 0; i < r->doc.nparts; i++) {
		const sl_part *p = r->doc.parts[i];
		if (!tag_part(p))
			continue;
		tscan sc;
		tres res = { 0 };
		tags_scan(r, p, &sc);
		tags_pair(r, &sc, &res);
		for (size_t k = 0; k < res.n; k++) {
			mitem *it = metric_item_add(m, &p->text, res.pr[k].off, res.pr[k].end);
			if (it) {
				it->blk = -1;
				it->note = res.pr[k].why;
			}
		}
		n += (double)res.n;
	}
	return n;
}

/* --- merge-tag fallbacks ------------------------------------------------------- */

/* Fields that hold something about the recipient, which many records
 * lack (as subject/merge-tag-fallback reads them, but for "title", in a
 * body usually an article's, and "username", an account's login that
 * every account has). */
static int personal_field(const char *p, size_t n)
{
	static const char *const fields[] = {
		"firstname", "lastname", "fullname", "givenname", "familyname", "surname",
		"nickname", "displayname", "contactname", "customername",
		"companyname", "fname", "lname", "name", "first", "company", "city", "country",
		"organization", "organisation",
	};
	char f[40];
	size_t k = 0;
	/* the last component of a path (contact.first_name), without _ - and
	 * spaces, lower-cased */
	size_t s = n;
	while (s > 0 && p[s - 1] != '.')
		s--;
	for (size_t i = s; i < n; i++) {
		if (p[i] == '_' || p[i] == '-' || p[i] == ' ')
			continue;
		if (k + 1 >= sizeof f || !((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9')))
			return 0;
		f[k++] = lower(p[i]);
	}
	f[k] = 0;
	if (k > 6 && !memcmp(f, "mmerge", 6))
		return 1; /* Mailchimp's numbered fields */
	return k && in_words(f, fields, NELEM(fields));
}

/* The variable a placeholder token shows and whether the tag gives a
 * fallback: a filter or helper named default/fallback/coalesce, an or,
 * ||, ??, Freemarker's !, or a string literal.  0 when the token is no
 * bare or defaulted variable (a helper call, a block tag). */
static int tag_variable(const char *p, size_t n, size_t *v0, size_t *v1, int *fallback)
{
	size_t a = 0, b = n;
	*fallback = 0;
	if (n >= 4 && p[0] == '{' && p[1] == '{') {
		a = p[2] == '{' ? 3 : 2;
		b = n >= 2 * a ? n - a : a;
	} else if (n >= 4 && ((p[0] == '*' && p[1] == '|') || (p[0] == '%' && p[1] == '%') ||
	           (p[0] == '[' && p[1] == '['))) {
		a = 2;
		b = n - 2;
	} else if (n >= 3 && p[0] == '$' && p[1] == '{') {
		a = 2;
		b = n - 1;
	} else {
		return 0;
	}
	tag_trim(p, &a, &b);
	if (a >= b || strchr("#/^>!&", p[a]))
		return 0;
	size_t e = a;
	while (e < b && (ident((unsigned char)p[e]) && p[e] != ':'))
		e++;
	if (e == a)
		return 0;
	*v0 = a;
	*v1 = e;
	for (size_t i = e; i < b; i++) {
		char c = p[i];
		if (c == '"' || c == '\'' || c == '!' || (c == '?' && i + 1 < b && p[i + 1] == '?') ||
		    (c == '|' && i + 1 < b && p[i + 1] == '|'))
			*fallback = 1;
		if (prefix_ci(p + i, b - i, "default") || prefix_ci(p + i, b - i, "fallback") ||
		    prefix_ci(p + i, b - i, "coalesce") || prefix_ci(p + i, b - i, " or "))
			*fallback = 1;
	}
	/* "{{ capitalize first_name }}": a helper; its argument is the field */
	size_t s = e;
	while (s < b && p[s] == ' ')
		s++;
	if (s < b && s > e && ident((unsigned char)p[s]) && !*fallback) {
		size_t t = s;
		while (t < b && ident((unsigned char)p[t]))
			t++;
		if (t == b) {
			*v0 = s;
			*v1 = t;
		}
	}
	return 1;
}

/* Does expression x[0..n) mention variable v[0..vn) (its last path
 * component, as a whole identifier)? */
static int mentions(const char *x, size_t n, const char *v, size_t vn)
{
	size_t s = vn;
	while (s > 0 && v[s - 1] != '.')
		s--;
	v += s;
	vn -= s;
	if (!vn)
		return 0;
	for (size_t i = 0; i + vn <= n; i++) {
		if ((i > 0 && ident((unsigned char)x[i - 1]) && x[i - 1] != '.' && x[i - 1] != ':') ||
		    (i + vn < n && ident((unsigned char)x[i + vn]) && x[i + vn] != '.'))
			continue;
		size_t k = 0;
		while (k < vn && lower(x[i + k]) == lower(v[k]))
			k++;
		if (k == vn)
			return 1;
	}
	return 0;
}

/* Where the tag at file offset at sits: 1 inside a loop's body (fields
 * there are an item's), 2 inside a conditional that tests the variable,
 * 0 otherwise. */
static int tag_context(sl_result *r, const tscan *scans, size_t nscan, size_t at,
                       const char *v, size_t vn, size_t *work)
{
	int ctx = 0;
	for (size_t s = 0; s < nscan; s++) {
		const tscan *sc = &scans[s];
		for (size_t i = 0; i < sc->n; i++) {
			const ttag *o = &sc->t[i];
			if (o->role != T_OPEN)
				continue;
			if (++*work > TAG_WORK) {
				limit_reached(r, "template-tags", TAG_WORK, text_span(&sc->p->text, o->off, o->end));
				return 1; /* unknown: no finding */
			}
			size_t from = text_span(&sc->p->text, o->end, o->end).off;
			size_t to = o->match >= 0 ?
				text_span(&sc->p->text, sc->t[o->match].off, sc->t[o->match].off).off : r->len;
			if (at < from || at >= to)
				continue;
			if (o->loop || (o->fam == FAM_HB && strcmp(o->name, "if") && strcmp(o->name, "unless") &&
			    strcmp(o->name, "with") && !mentions(o->name, strlen(o->name), v, vn)))
				return 1; /* a loop, or a mustache section over a list */
			if (o->exprend <= sc->p->text.len && o->expr <= o->exprend &&
			    (mentions(sc->p->text.p + o->expr, o->exprend - o->expr, v, vn) ||
			     mentions(o->name, strlen(o->name), v, vn)))
				ctx = 2;
		}
	}
	return ctx;
}

/* A word of prose: not punctuation, a tag, an address or a number. */
static int prose_word(const sl_word *w)
{
	return w->norm &&
	       !(w->flags & (SL_W_PUNCT | SL_W_PLACEHOLDER | SL_W_URL | SL_W_EMAIL | SL_W_NUMBER));
}

/* The run of consecutive words of one sentence that holds the word asked
 * about, and how many of them are prose.  Words carry their sentence
 * index in order, so the runs are the sentences; asked in increasing
 * order within a unit, each word is counted once (linear, not a scan of
 * the sentence per tag). */
typedef struct prun {
	const sl_unit *u;
	size_t a, b, nprose;
} prun;

/* Is token k of u in a sentence that holds a word (prose, where a gap
 * shows), not a line of data such as an address block? */
static int in_prose(prun *pr, const sl_unit *u, size_t k)
{
	if (pr->u != u || k < pr->a || k >= pr->b) {
		uint32_t s = u->word[k].sent;
		size_t a = k, b = k + 1, lo = pr->u == u && pr->b <= k ? pr->b : 0;
		while (a > lo && u->word[a - 1].sent == s)
			a--;
		while (b < u->nword && u->word[b].sent == s)
			b++;
		pr->u = u;
		pr->a = a;
		pr->b = b;
		pr->nprose = 0;
		for (size_t j = a; j < b; j++)
			pr->nprose += prose_word(&u->word[j]) != 0;
	}
	return pr->nprose > (prose_word(&u->word[k]) != 0);
}

/* merge-tag-fallback: merge tags of a personal field (first_name, name,
 * company, city, *|FNAME|*, ... : see personal_field) shown without a
 * fallback in the scope's text, the subject excepted (that is
 * subject/merge-tag-fallback's): a bare {{ first_name }}, where
 * {{ first_name | default: "there" }}, {{ name or "friend" }} or
 * ${name!"friend"} would fill the hole.  Tags inside a conditional that
 * tests the field ({% if first_name %}, {{#if name}}, *|IF:FNAME|*) or
 * inside a loop (an item's field) pass, and so do tags with no word
 * beside them in their sentence (a line of data: an address block).
 * Mailchimp's *|FNAME|* cannot say a fallback inline: its note says
 * where it goes.  Locates each. */
static double m_merge_tag_fallback(const mset *m)
{
	sl_result *r = m->r;
	tscan *scans = NULL;
	size_t nscan = 0, work = 0;
	double n = 0;
	prun pr = { 0 };
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		if (u->blk >= 0 && r->doc.blk[u->blk].kind == SL_BLK_SUBJECT)
			continue;
		for (size_t k = 0; k < u->nword; k++) {
			const sl_word *w = &u->word[k];
			const char *p = word_at(u->text, w);
			size_t v0, v1;
			int fb;
			if (!p || !(w->flags & SL_W_PLACEHOLDER) || !tag_variable(p, w->len, &v0, &v1, &fb) ||
			    fb || !personal_field(p + v0, v1 - v0) || !in_prose(&pr, u, k))
				continue;
			if (!scans) {
				scans = arena_array(&r->arena, r->doc.nparts + 1, sizeof *scans);
				for (size_t q = 0; q < r->doc.nparts; q++)
					if (tag_part(r->doc.parts[q]))
						tags_scan(r, r->doc.parts[q], &scans[nscan++]);
				for (size_t q = 0; q < nscan; q++) {
					tres res = { 0 };
					tags_pair(r, &scans[q], &res);
				}
			}
			size_t at = text_span(u->text, w->off, (size_t)w->off + w->len).off;
			if (tag_context(r, scans, nscan, at, p + v0, v1 - v0, &work))
				continue;
			n++;
			mitem *it = metric_item_add(m, u->text, w->off, (size_t)w->off + w->len);
			if (it && p[0] == '*')
				it->note = "Mailchimp merge tags take no inline fallback: set a default value "
				           "for the field in the audience settings";
		}
	}
	return n;
}

/* --- placeholder copy ---------------------------------------------------------- */

/* Words of the lorem ipsum filler that no English text uses, nor the
 * Romance languages ("dolor", "sed", "nulla", "magna" are left out);
 * sorted for the binary search. */
static const char *const lorem_words[] = {
	"accumsan", "adipiscing", "adipisicing", "aenean", "aliqua", "aliquam", "aliquet",
	"aliquip", "amet", "auctor", "bibendum", "blandit", "cillum", "commodo", "condimentum",
	"congue", "consectetuer", "consectetur", "consequat", "convallis", "cupidatat",
	"curabitur", "dapibus", "deserunt", "dignissim", "donec", "efficitur", "egestas",
	"eiusmod", "eleifend", "elementum", "elit", "etiam", "euismod", "excepteur", "facilisis",
	"faucibus", "felis", "fermentum", "feugiat", "fringilla", "fugiat", "fusce", "gravida",
	"hendrerit", "iaculis", "imperdiet", "incididunt", "interdum", "ipsum", "irure",
	"laboris", "laborum", "lacinia", "lacus", "laoreet", "lobortis", "lorem", "luctus",
	"maecenas", "malesuada", "mauris", "molestie", "mollit", "morbi", "nibh", "nostrud",
	"nullam", "occaecat", "orci", "ornare", "pariatur", "pellentesque", "pharetra",
	"phasellus", "placerat", "porttitor", "posuere", "praesent", "pretium", "proident",
	"proin", "pulvinar", "purus", "quisque", "reprehenderit", "rhoncus", "sagittis", "sapien",
	"scelerisque", "sodales", "sollicitudin", "suscipit", "suspendisse", "tellus",
	"tincidunt", "tortor", "tristique", "turpis", "ullamco", "ullamcorper", "ultrices",
	"ultricies", "venenatis", "vestibulum", "vivamus", "viverra", "voluptate", "volutpat",
	"vulputate",
};

static int lorem_word(const char *w)
{
	size_t lo = 0, hi = NELEM(lorem_words);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(w, lorem_words[mid]);
		if (!c)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* lorem-words: words of the lorem ipsum filler (lorem, ipsum, amet,
 * consectetur, adipiscing, ... : Latin words that neither English nor a
 * Romance language uses) in the instance.  Locates the first to the last of them, one item per unit. */
static double m_lorem_words(const mset *m)
{
	double n = 0;
	for (size_t i = 0; i < m->nu; i++) {
		const sl_unit *u = &m->u[i];
		size_t first = 0, last = 0, count = 0;
		for (size_t k = 0; k < u->nword; k++) {
			const sl_word *w = &u->word[k];
			if (!w->norm || (w->flags & (SL_W_PUNCT | SL_W_PLACEHOLDER | SL_W_URL | SL_W_EMAIL)) ||
			    !lorem_word(w->norm))
				continue;
			if (!count++)
				first = k;
			last = k;
		}
		if (!count)
			continue;
		n += (double)count;
		metric_item_add(m, u->text, u->word[first].off,
		                (size_t)u->word[last].off + u->word[last].len);
	}
	return n;
}

const metric metrics_compliance[] = {
	{ "unsubscribe-links", m_unsubscribe_links, 1, 1 },
	{ "unsubscribe-mailto-only", m_unsubscribe_mailto_only, 1, 1 },
	{ "postal-addresses", m_postal_addresses, 1, 1 },
	{ "html-sent-size", m_html_sent_size, 1, 1 },
	{ "footer-offset", m_footer_offset, 1, 1 },
	{ "html-only", m_html_only, 1, 1 },
	{ "alternative-missing-words", m_alternative_missing_words, 1, 1 },
	{ "alternative-missing-facts", m_alternative_missing_facts, 1, 1 },
	{ "template-tags-unbalanced", m_template_tags_unbalanced, 1, 1 },
	{ "merge-tag-fallback", m_merge_tag_fallback, 0, 1 },
	{ "lorem-words", m_lorem_words, 0, 1 },
	{ NULL, NULL, 0, 0 },
};
