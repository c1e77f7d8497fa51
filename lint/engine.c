/*
 * engine.c - running the rules over one document.
 *
 * In: a result whose document is built (blocks, words, links, images,
 * headers) and the context's rules.  Out: hits (every kind's ops->run; the
 * phrase kind runs once for all phrase rules), sorted by (original offset,
 * rule id), meta rules evaluated on them, then one diagnostic per hit of a
 * reported rule (message template filled, notes, fix-its), suppressions
 * applied and scores computed.
 *
 * Also the helpers every kind shares: which blocks and texts a scope
 * covers (scope_has_block, scope_units), message templates, and case
 * folding.  Limits: ENGINE_RULE_HITS hits per rule and file (more is
 * reported as input/limit-rule-hits and not recorded).
 *
 * Template placeholders: {match} the matched text (one line, shortened),
 * {count} the hit's value as an integer (regex: code points matched;
 * phrase: words matched; header: fields; metric: the value), {value} the
 * value (metric), {threshold} the bound a metric crossed, {header} the
 * rule's header name, {word} the matched word; kinds add their own names
 * through hit->var (regex named groups).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* A rule matching more often than this in one file tells nothing more:
 * diagnostics stop at 1000 per file and scores cap far lower.  The bound
 * keeps memory linear in it for patterns that match everywhere. */
#define ENGINE_RULE_HITS ((size_t)10000)

/* {match} in a message: at most this many code points. */
#define MATCH_SHOWN 60

/* --- hits -------------------------------------------------------------- */

int run_full(const sl_run *run, const sl_rule *rule)
{
	return run->count[rule->index] >= ENGINE_RULE_HITS;
}

sl_hit *run_hit(sl_run *run, const sl_rule *rule, const sl_text *text,
                size_t off, size_t end, int blk, int sent)
{
	sl_result *r = run->r;
	size_t ri = (size_t)rule->index;
	if (end > text->len)
		end = text->len;
	if (off > end)
		off = end;
	if (run->count[ri] >= ENGINE_RULE_HITS) {
		limit_reached(r, "rule-hits", ENGINE_RULE_HITS, text_span(text, off, end));
		memset(&run->spare, 0, sizeof run->spare);
		run->spare.rule = rule;
		run->spare.text = text;
		return &run->spare;
	}
	if (run->nhit == run->hitalloc) {
		size_t n = run->hitalloc ? run->hitalloc * 2 : 64;
		run->hit = arena_grow(&r->arena, run->hit, run->nhit, n, sizeof *run->hit);
		run->hitalloc = n;
	}
	sl_hit *h = &run->hit[run->nhit];
	memset(h, 0, sizeof *h);
	h->rule = rule;
	h->text = text;
	h->off = (uint32_t)off;
	h->end = (uint32_t)end;
	h->blk = blk;
	h->sent = sent;
	h->value = 1;
	if (run->first[ri] == SIZE_MAX)
		run->first[ri] = run->nhit;
	run->count[ri]++;
	run->nhit++;
	return h;
}

typedef struct hkey {
	size_t off, end, idx;
	const char *id;
} hkey;

static int hkey_cmp(const void *a, const void *b)
{
	const hkey *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	int c = strcmp(x->id, y->id);
	if (c)
		return c;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sort hits by (original offset, rule id, end, order of finding), then
 * refill first/count. */
static void hits_sort(sl_run *run)
{
	sl_result *r = run->r;
	size_t n = run->nhit;
	if (n > 1) {
		hkey *k = arena_array(&r->arena, n, sizeof *k);
		for (size_t i = 0; i < n; i++) {
			const sl_hit *h = &run->hit[i];
			sl_span sp = text_span(h->text, h->off, h->end);
			k[i] = (hkey){ sp.off, sp.end, i, h->rule->id };
		}
		qsort(k, n, sizeof *k, hkey_cmp);
		sl_hit *sorted = arena_array(&r->arena, n, sizeof *sorted);
		for (size_t i = 0; i < n; i++)
			sorted[i] = run->hit[k[i].idx];
		run->hit = sorted;
		run->hitalloc = n;
	}
	for (size_t i = 0; i < run->ctx->nrule; i++) {
		run->first[i] = SIZE_MAX;
		run->count[i] = 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t ri = (size_t)run->hit[i].rule->index;
		if (run->first[ri] == SIZE_MAX)
			run->first[ri] = i;
		run->count[ri]++;
	}
}

/* --- UTF-8 and case ----------------------------------------------------- */

static size_t utf8_put(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The upper-case partner of a lower-case letter (inverse of cp_lower on
 * the same ranges), or cp itself. */
static uint32_t cp_upper(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
	if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
		return cp - 32;
	if (cp == 0xFF)
		return 0x178;
	if (cp >= 0x100 && cp <= 0x17F) {
		if ((cp >= 0x100 && cp <= 0x12F) || (cp >= 0x132 && cp <= 0x137) ||
		    (cp >= 0x14A && cp <= 0x177))
			return cp & 1 ? cp - 1 : cp;
		if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
			return cp & 1 ? cp : cp - 1;
		return cp;
	}
	if (cp == 0x3AC)
		return 0x386;
	if (cp >= 0x3AD && cp <= 0x3AF)
		return cp - 37;
	if (cp == 0x3CC)
		return 0x38C;
	if (cp == 0x3CD || cp == 0x3CE)
		return cp - 63;
	if (cp >= 0x3B1 && cp <= 0x3CB && cp != 0x3C2)
		return cp - 32;
	if (cp >= 0x430 && cp <= 0x44F)
		return cp - 32;
	if (cp >= 0x450 && cp <= 0x45F)
		return cp - 80;
	if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF))
		return cp & 1 ? cp - 1 : cp;
	if (cp >= 0xFF41 && cp <= 0xFF5A)
		return cp - 32;
	return cp;
}

int cp_case(uint32_t cp)
{
	if (cp == SL_CP_BAD || !(uc_class(cp) & UC_LETTER))
		return 0;
	if (uc_is_upper(cp))
		return 1;
	return uc_class(cp) & UC_CASED ? -1 : 0;
}

/* The same folding as the tokeniser's norm (words.c set_norm). */
size_t word_fold(const char *w, size_t n, char *out, size_t outsz)
{
	size_t o = 0, i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = uc_utf8_next(w + i, n - i, &cp);
		char tmp[4];
		size_t m;
		if (cp == UC_INVALID) {
			tmp[0] = w[i];
			m = 1;
		} else if (cp == 0x2019 || cp == 0x02BC) {
			tmp[0] = '\'';
			m = 1;
		} else if (cp == 0x2010 || cp == 0x2011) {
			tmp[0] = '-';
			m = 1;
		} else if (uc_class(cp) & UC_IGNORE) {
			m = 0;
		} else {
			m = uc_utf8_put(tmp, uc_fold(cp));
		}
		if (o + m + 1 > outsz)
			return (size_t)-1;
		memcpy(out + o, tmp, m);
		o += m;
		i += k;
	}
	if (o + 1 > outsz)
		return (size_t)-1;
	out[o] = 0;
	return o;
}

/* --- scopes ------------------------------------------------------------- */

static int hidden_ok(int hidden, int is_hidden)
{
	if (hidden == 0)
		return !is_hidden;
	if (hidden == 2)
		return is_hidden;
	return 1;
}

int scope_has_block(const sl_result *r, sl_scope sc, int hidden, size_t i)
{
	if (i >= r->doc.nblk)
		return 0;
	const sl_block *b = &r->doc.blk[i];
	if (b->alternative)
		return 0;
	switch (b->kind) {
	case SL_BLK_SUBJECT:
		return (sc == SL_SC_SUBJECT || sc == SL_SC_MESSAGE) &&
		       hidden_ok(hidden, 0);
	case SL_BLK_PREHEADER:
		/* hidden by design: a preheader is meant for the inbox list */
		return sc == SL_SC_PREHEADER || (sc == SL_SC_MESSAGE && hidden != 2);
	case SL_BLK_TITLE:
		return (sc == SL_SC_TITLE || sc == SL_SC_MESSAGE) &&
		       hidden_ok(hidden, 0);
	default:
		break;
	}
	if (!hidden_ok(hidden, b->hidden))
		return 0;
	switch (sc) {
	case SL_SC_HEADING:
		return b->kind == SL_BLK_HEADING;
	case SL_SC_PARAGRAPH:
	case SL_SC_SENTENCE:
	case SL_SC_BODY:
	case SL_SC_MESSAGE:
		return 1;
	default:
		return 0;
	}
}

typedef struct ulist {
	sl_unit *u;
	size_t n, alloc;
} ulist;

static sl_unit *ulist_add(sl_result *r, ulist *l)
{
	if (l->n == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 16;
		l->u = arena_grow(&r->arena, l->u, l->n, n, sizeof *l->u);
		l->alloc = n;
	}
	sl_unit *u = &l->u[l->n++];
	memset(u, 0, sizeof *u);
	u->blk = u->sent = u->link = u->img = -1;
	return u;
}

/* Per MIME part index: does it belong to a non-preferred alternative?
 * Known from its blocks (lint.c marks them). */
static unsigned char *alt_parts(sl_result *r)
{
	size_t n = r->doc.nparts ? r->doc.nparts : 1;
	unsigned char *alt = arena_zalloc(&r->arena, n);
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		if (b->alternative && b->part >= 0 && (size_t)b->part < n)
			alt[b->part] = 1;
	}
	return alt;
}

static int part_is_alt(const unsigned char *alt, const sl_result *r, int part)
{
	return part >= 0 && (size_t)part < r->doc.nparts && alt[part];
}

static void unit_words(sl_result *r, sl_unit *u)
{
	sl_word *w = NULL;
	u->nword = text_words(r, u->text, &w);
	u->word = w;
}

_Static_assert(SL_SC_NSCOPES * 3 <= SL_UCACHE_SLOTS, "unit cache too small");

/* Scopes whose units are blocks or sentences: the same for every rule of
 * the scope and hidden setting, so made once per file. */
static int block_scope(sl_scope sc)
{
	return sc == SL_SC_SUBJECT || sc == SL_SC_PREHEADER || sc == SL_SC_TITLE ||
	       sc == SL_SC_HEADING || sc == SL_SC_PARAGRAPH || sc == SL_SC_BODY ||
	       sc == SL_SC_MESSAGE || sc == SL_SC_SENTENCE;
}

static size_t scope_units_make(sl_result *r, const sl_rule *rule, int words, sl_unit **out);

size_t scope_units(sl_result *r, const sl_rule *rule, int words, sl_unit **out)
{
	if (!block_scope(rule->scope) || rule->hidden < 0 || rule->hidden > 2)
		return scope_units_make(r, rule, words, out);
	size_t k = (size_t)rule->scope * 3 + (size_t)rule->hidden;
	if (!r->ucached[k]) {
		r->nucache[k] = scope_units_make(r, rule, words, &r->ucache[k]);
		r->ucached[k] = 1;
	}
	*out = r->ucache[k];
	return r->nucache[k];
}

static size_t scope_units_make(sl_result *r, const sl_rule *rule, int words, sl_unit **out)
{
	ulist l = { 0 };
	sl_doc *d = &r->doc;
	switch (rule->scope) {
	case SL_SC_SUBJECT: case SL_SC_PREHEADER: case SL_SC_TITLE:
	case SL_SC_HEADING: case SL_SC_PARAGRAPH: case SL_SC_BODY:
	case SL_SC_MESSAGE:
		for (size_t i = 0; i < d->nblk; i++) {
			if (!scope_has_block(r, rule->scope, rule->hidden, i))
				continue;
			sl_block *b = &d->blk[i];
			sl_unit *u = ulist_add(r, &l);
			u->text = &b->text;
			u->off = 0;
			u->end = (uint32_t)b->text.len;
			u->word = b->word;
			u->nword = b->nword;
			u->blk = (int)i;
			u->link = b->link;
		}
		break;
	case SL_SC_SENTENCE:
		for (size_t i = 0; i < d->nblk; i++) {
			if (!scope_has_block(r, rule->scope, rule->hidden, i))
				continue;
			sl_block *b = &d->blk[i];
			for (size_t s = 0; s < b->nsent; s++) {
				const sl_sentence *se = &b->sent[s];
				sl_unit *u = ulist_add(r, &l);
				u->text = &b->text;
				u->off = se->off;
				u->end = se->end;
				if (se->word0 <= b->nword && se->nword <= b->nword - se->word0) {
					u->word = b->word + se->word0;
					u->nword = se->nword;
				}
				u->blk = (int)i;
				u->sent = (int)s;
				u->link = b->link;
			}
		}
		break;
	case SL_SC_LINK: {
		unsigned char *alt = alt_parts(r);
		for (size_t i = 0; i < d->nlink; i++) {
			sl_link *k = &d->link[i];
			if (!hidden_ok(rule->hidden, k->hidden) || part_is_alt(alt, r, k->part))
				continue;
			sl_unit *u = ulist_add(r, &l);
			u->text = &k->text;
			u->end = (uint32_t)k->text.len;
			u->link = (int)i;
			if (words)
				unit_words(r, u);
		}
		break;
	}
	case SL_SC_ALT: {
		unsigned char *alt = alt_parts(r);
		for (size_t i = 0; i < d->nimg; i++) {
			sl_image *m = &d->img[i];
			if (!m->has_alt || !hidden_ok(rule->hidden, m->hidden) ||
			    part_is_alt(alt, r, m->part))
				continue;
			sl_unit *u = ulist_add(r, &l);
			u->text = &m->alt;
			u->end = (uint32_t)m->alt.len;
			u->img = (int)i;
			if (words)
				unit_words(r, u);
		}
		break;
	}
	case SL_SC_HEADER: {
		const sl_part *root = d->root;
		if (!root || !rule->header)
			break;
		if (d->kind != SL_KIND_EML && !r->ctx->opts.templates_have_headers)
			break;
		for (size_t i = 0; i < root->nhdr; i++) {
			const sl_header *h = &root->hdr[i];
			if (!str_ieq(h->name, rule->header))
				continue;
			sl_unit *u = ulist_add(r, &l);
			u->text = &h->value;
			u->end = (uint32_t)h->value.len;
			u->hdr = h;
			if (words)
				unit_words(r, u);
		}
		break;
	}
	case SL_SC_RAW: {
		sl_unit *u = ulist_add(r, &l);
		u->text = &r->srctext;
		u->end = (uint32_t)r->srctext.len;
		break;
	}
	default:
		break;
	}
	*out = l.u;
	return l.n;
}

/* --- templates ---------------------------------------------------------- */

static const char *const common_names[] = {
	"match", "count", "value", "threshold", "header", "word",
};
#define NCOMMON (sizeof common_names / sizeof *common_names)

static int name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* If s[i] opens a placeholder "{name}", its name length (> 0), else 0. */
static size_t placeholder_at(const char *s, size_t i)
{
	if (s[i] != '{')
		return 0;
	size_t j = i + 1;
	while (name_char((unsigned char)s[j]))
		j++;
	return s[j] == '}' && j > i + 1 ? j - i - 1 : 0;
}

/* A copy of n positioned at byte i of its scalar, when the scalar's bytes
 * up to i appear verbatim on one line of the YAML source; else n. */
sl_ynode rule_node_at(const sl_loader *L, const sl_ynode *n, size_t i)
{
	sl_ynode at = *n;
	const char *src = n->file ? n->file->src : L->src;
	size_t len = n->file ? n->file->len : L->len;
	size_t start = n->off + (n->quoted ? 1 : 0);
	if (!src || !n->str || i > n->len || start > len || len - start < i)
		return at;
	if (memcmp(src + start, n->str, i) != 0 || memchr(n->str, '\n', i))
		return at;
	size_t cps = 0;
	for (size_t k = 0; k < i; k++)
		if (((unsigned char)n->str[k] & 0xC0) != 0x80)
			cps++;
	at.col = n->col + (n->quoted ? 1 : 0) + cps;
	at.off = start + i;
	at.end = at.off + (i < n->len); /* one character's caret */
	return at;
}

static int check_one(sl_loader *L, const sl_ynode *node, const char *key,
                     const char *s, const char *const *extra, size_t nextra)
{
	int bad = 0;
	if (!s)
		return 0;
	for (size_t i = 0; s[i]; i++) {
		size_t n = placeholder_at(s, i);
		if (!n)
			continue;
		int ok = 0;
		for (size_t k = 0; k < NCOMMON && !ok; k++)
			ok = strlen(common_names[k]) == n && !memcmp(common_names[k], s + i + 1, n);
		for (size_t k = 0; k < nextra && !ok; k++)
			ok = strlen(extra[k]) == n && !memcmp(extra[k], s + i + 1, n);
		if (!ok) {
			if (node) {
				sl_ynode at = rule_node_at(L, node, i);
				if (at.off != node->off || !node->quoted)
					at.end = at.off + n + 2;
				load_error(L, &at, "unknown placeholder '{%.*s}' in %s",
				           (int)n, s + i + 1, key);
			} else {
				load_error(L, NULL, "unknown placeholder '{%.*s}' in %s",
				           (int)n, s + i + 1, key);
			}
			bad = 1;
		}
		i += n + 1;
	}
	return bad ? -1 : 0;
}

int rule_check_templates(sl_loader *L, const sl_rule *rule, sl_ynode *map,
                         const char *const *extra, size_t nextra)
{
	sl_ynode *msg = map ? ynode_get(map, "message") : NULL;
	sl_ynode *sug = map ? ynode_get(map, "suggest") : NULL;
	sl_ynode *fix = map ? ynode_get(map, "fix") : NULL;
	sl_ynode *rep = fix && fix->type == SL_Y_MAP ? ynode_get(fix, "replace") : NULL;
	int rc = 0;
	rc |= check_one(L, msg, "message", rule->message, extra, nextra);
	rc |= check_one(L, sug, "suggest", rule->suggest, extra, nextra);
	rc |= check_one(L, rep, "fix replace", rule->fix_replace, extra, nextra);
	return rc ? -1 : 0;
}

/* Text for {match}: whitespace runs as one space, other control bytes as
 * \xNN, at most max code points ("..." when cut). */
static void add_oneline(sl_buf *b, const char *p, size_t n, size_t max)
{
	size_t cps = 0;
	int space = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			space = 1;
			continue;
		}
		if (space && cps) {
			if (cps == max) {
				buf_add(b, "...", 3);
				return;
			}
			buf_addc(b, ' ');
			cps++;
		}
		space = 0;
		if ((c & 0xC0) != 0x80) {
			if (cps == max) {
				buf_add(b, "...", 3);
				return;
			}
			cps++;
		}
		if (c < 0x20 || c == 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
}

/* A number as a person writes it: integers without decimals, else up to
 * two decimals without trailing zeros. */
static void add_num(sl_buf *b, double v)
{
	char s[64];
	if (!isfinite(v)) {
		buf_add(b, "?", 1);
		return;
	}
	if (fabs(v) < 1e15 && v == floor(v)) {
		snprintf(s, sizeof s, "%.0f", v);
	} else {
		snprintf(s, sizeof s, "%.2f", v);
		size_t n = strlen(s);
		while (n > 1 && s[n - 1] == '0')
			s[--n] = 0;
		if (n > 1 && s[n - 1] == '.')
			s[--n] = 0;
	}
	buf_add(b, s, strlen(s));
}

static const char *hit_var(const sl_hit *h, const char *name, size_t n)
{
	for (size_t i = 0; i < h->nvar; i++)
		if (strlen(h->var[2 * i]) == n && !memcmp(h->var[2 * i], name, n))
			return h->var[2 * i + 1];
	return NULL;
}

/* Fill tpl for hit h.  raw: {match} verbatim (fix-its), else one line. */
static char *expand(sl_result *r, const sl_hit *h, const char *tpl, int raw)
{
	sl_buf b;
	buf_init(&b, &r->arena, (size_t)1 << 20);
	for (size_t i = 0; tpl[i]; i++) {
		size_t n = placeholder_at(tpl, i);
		if (!n) {
			buf_addc(&b, tpl[i]);
			continue;
		}
		const char *name = tpl + i + 1;
		const char *v;
#define IS(lit) (n == sizeof(lit) - 1 && !memcmp(name, lit, n))
		if ((v = hit_var(h, name, n)) != NULL) {
			if (raw)
				buf_add(&b, v, strlen(v));
			else
				add_oneline(&b, v, strlen(v), MATCH_SHOWN);
		} else if (IS("match") || IS("word")) {
			if (raw)
				buf_add(&b, h->match, strlen(h->match));
			else
				add_oneline(&b, h->match, strlen(h->match), MATCH_SHOWN);
		} else if (IS("count")) {
			add_num(&b, isfinite(h->value) ? floor(h->value + 0.5) : h->value);
		} else if (IS("value")) {
			add_num(&b, h->value);
		} else if (IS("header")) {
			const char *hd = h->rule->header ? h->rule->header : "";
			buf_add(&b, hd, strlen(hd));
		} else if (IS("threshold")) {
			/* only metrics set it (as a var); elsewhere empty */
		} else {
			buf_add(&b, tpl + i, n + 2);
		}
#undef IS
		i += n + 1;
	}
	char *s = buf_cstr(&b);
	return s ? s : "";
}

/* --- fix actions ---------------------------------------------------------- */

/* lower: every letter folded.  sentence: the same, then the first letter
 * and every lone "i" upper-cased. */
static char *recase(sl_result *r, const char *p, size_t n, int sentence)
{
	sl_buf b;
	buf_init(&b, &r->arena, (size_t)-1 / 4);
	const unsigned char *s = (const unsigned char *)p, *end = s + n;
	int first = sentence;
	while (s < end) {
		uint32_t cp;
		size_t k = render_utf8(s, end, &cp);
		if (cp == SL_CP_BAD) {
			buf_add(&b, s, 1);
			s += k;
			continue;
		}
		int letter = cp_case(cp) != 0;
		uint32_t out = uc_fold(cp);
		if (letter && first) {
			out = cp_upper(out);
			first = 0;
		} else if (sentence && cp == 'I' && (s == (const unsigned char *)p ||
		           !name_char(s[-1])) && (s + 1 == end || !name_char(s[1]))) {
			out = 'I';
		}
		char tmp[4];
		buf_add(&b, tmp, utf8_put(out, tmp));
		s += k;
	}
	char *o = buf_cstr(&b);
	return o ? o : "";
}

static const char *hit_fix(sl_result *r, const sl_hit *h)
{
	const sl_rule *rule = h->rule;
	if (h->fix)
		return h->fix;
	if (rule->fix_replace)
		return expand(r, h, rule->fix_replace, 1);
	if (!rule->fix_action)
		return NULL;
	const char *m = h->text->p + h->off;
	size_t n = h->end - h->off;
	if (!strcmp(rule->fix_action, "delete"))
		return "";
	if (!strcmp(rule->fix_action, "lower"))
		return recase(r, m, n, 0);
	if (!strcmp(rule->fix_action, "sentence-case"))
		return recase(r, m, n, 1);
	return NULL;
}

/* --- hits to diagnostics ----------------------------------------------- */

static void hit_report(sl_result *r, sl_hit *h)
{
	const sl_rule *rule = h->rule;
	if (!h->match)
		h->match = arena_strndup(&r->arena, h->text->p + h->off, h->end - h->off);
	sl_span sp = text_span(h->text, h->off, h->end);
	const char *msg = expand(r, h, rule->message ? rule->message : "'{match}'", 0);
	sl_diag *d = diag_add(r, rule->id, rule->group ? rule->group : "", rule->severity,
	                      sp, "%s", msg);
	if (!d)
		return;
	d->weight = rule->weight;
	diag_note_decoded(r, d, h->text, h->off, h->end);
	if (h->note)
		diag_note(r, d, "%s", h->note);
	if (rule->suggest)
		diag_note(r, d, "consider: %s", expand(r, h, rule->suggest, 0));
	const char *fix = hit_fix(r, h);
	if (fix)
		diag_fixit(r, d, sp, fix);
}

static int kind_enabled(const sl_context *ctx, sl_rule_kind k)
{
	for (size_t i = 0; i < ctx->nrule; i++)
		if (ctx->rule[i]->kind == k && rule_on(ctx, ctx->rule[i]))
			return 1;
	return 0;
}

void engine_run(sl_result *r)
{
	const sl_context *ctx = r->ctx;
	sl_run run;
	memset(&run, 0, sizeof run);
	run.r = r;
	run.ctx = ctx;
	size_t nr = ctx->nrule ? ctx->nrule : 1;
	run.first = arena_array(&r->arena, nr, sizeof *run.first);
	run.count = arena_array(&r->arena, nr, sizeof *run.count);
	for (size_t i = 0; i < nr; i++) {
		run.first[i] = SIZE_MAX;
		run.count[i] = 0;
	}
	/* zones are computed by meta.c when a meta rule needs them */

	static const struct { sl_rule_kind k; const sl_kind_ops *ops; } kinds[] = {
		{ SL_RK_PHRASE, &phrase_ops }, { SL_RK_REGEX, &regex_ops },
		{ SL_RK_HEADER, &header_ops }, { SL_RK_METRIC, &metric_ops },
		{ SL_RK_SPELL, &spell_ops }, { SL_RK_TOKENS, &tokens_ops },
	};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
		if (kind_enabled(ctx, kinds[k].k))
			kinds[k].ops->run(&run);
	hits_sort(&run);
	if (kind_enabled(ctx, SL_RK_META)) {
		meta_ops.run(&run);
		hits_sort(&run);
	}
	r->rule_hits = run.count; /* reported or not (sl_check_rules) */
	for (size_t i = 0; i < run.nhit; i++) {
		sl_hit *h = &run.hit[i];
		if (h->rule->report && rule_on(ctx, h->rule))
			hit_report(r, h);
	}
	diag_sort(r);
	suppress_apply(r);
	score_compute(&run);
	summary_compute(&run);
}

void engine_release(sl_context *ctx)
{
	for (size_t i = 0; i < ctx->nrule; i++) {
		sl_rule *rule = ctx->rule[i];
		if (rule->kind == SL_RK_REGEX)
			regex_rule_release(rule);
		else if (rule->kind == SL_RK_HEADER)
			header_rule_release(rule);
	}
	speller_close(ctx);
}
