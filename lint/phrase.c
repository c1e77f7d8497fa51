/*
 * phrase.c - the phrase kind: every phrase rule's phrases compiled into one
 * matcher, run in one pass over the words of each block.
 *
 * In: phrase rules (`phrases:`, `unless_before:`, `unless_after:`,
 * `quoted:`, `negated:`, `case:`) and the document's tokens.  Out: hits,
 * each spanning the first matched word's start to the last one's end.
 *
 * The matcher is a trie over phrase words whose edges all live in one hash
 * table keyed by (parent node, token kind, key): a word is looked up by its
 * case-folded form, by its hunspell stem (so "apologize" catches
 * "apologizing") or, for `case: sensitive`, by its surface bytes; `*`
 * matches any one word, `=word` the folded word only, `<num>` any number
 * and `<money>` a number holding a currency sign ("$2", "4,99 €").  Two
 * tokens match no word themselves: `**`, a gap of 0 to PHRASE_GAP_MAX
 * words inside one clause (no , ; : ( ) or dash between the words on
 * either side of it), and a leading `^`, the start of a sentence or of a
 * clause, where the match must begin.  Every word of a
 * block is a possible start and costs a few hash probes, whatever the
 * number of phrases.  Stems are asked for only when the word's first
 * bytes begin some phrase stem (speller_stem keeps a stem only when it
 * shares the word's first three bytes), and are memoised per file.
 *
 * A match lies within one sentence; punctuation tokens are skipped;
 * placeholders, URLs and e-mail addresses break a phrase.  Per rule, the
 * leftmost-longest match wins and matches never overlap.  Limits: phrase
 * words up to PHRASE_WORD_MAX bytes (longer text words cannot match), at
 * most PHRASE_FRONTIER trie nodes followed at once (more needs that many
 * distinct phrases sharing a prefix with wildcards; the rest are dropped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "internal.h"

#define PHRASE_WORD_MAX 128
#define PHRASE_FRONTIER 64
/* Words a `**` gap may take: enough for "you were (already) told" or "as
 * we (have) (already) explained", few enough that a gap stays inside the
 * clause it starts in. */
#define PHRASE_GAP_MAX 3
/* Context words looked at for a negation before a match. */
#define NEGATION_WINDOW 3

/* Keyed edge kinds first (bits of pnode.kinds); WILD, GAP and START are
 * children a node holds itself. */
enum { PT_STEM, PT_EXACT, PT_CASE, PT_NUM, PT_MONEY, PT_WILD, PT_GAP, PT_START };

typedef struct ptok {
	uint8_t kind;
	const char *s;          /* STEM: stem of the folded word; EXACT: folded;
	                           CASE: as written */
	uint32_t len;
} ptok;

typedef struct pseq {
	ptok *tok;
	uint32_t n;
} pseq;

typedef struct prule {
	pseq *phrase, *before, *after;
	size_t nphrase, nbefore, nafter;
	int quoted;             /* 1: matches inside quotation marks count */
	int negated;            /* 1: skip matches after a negation */
} prule;

typedef struct pedge {
	uint64_t h;
	const char *key;
	uint32_t keylen;
	uint32_t parent, child;
	uint8_t kind;
	uint8_t used;
} pedge;

typedef struct pnode {
	int32_t wild;           /* child through `*`, or -1 */
	int32_t gap;            /* child through `**` (a gap node), or -1 */
	int32_t start;          /* the root only: child through `^`, or -1 */
	uint32_t acc;           /* first accept + 1, 0 if none */
	uint8_t kinds;          /* 1 << PT_* of its keyed edges */
	uint8_t isgap;          /* reached through `**`: takes gap words */
} pnode;

typedef struct pacc {
	const sl_rule *rule;
	uint32_t next;          /* next accept + 1 */
} pacc;

struct sl_phrase_set {
	pedge *edge;
	size_t cap, nedge;
	pnode *node;
	size_t nnode, nodealloc;
	pacc *acc;
	size_t nacc, accalloc;
	uint8_t *prefix;        /* bit per hash of a stem's first 1-3 bytes */
};

#define PREFIX_BITS 16

/* --- hashing ------------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t edge_hash(uint32_t parent, int kind, const char *key, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	unsigned char b[5] = { (unsigned char)parent, (unsigned char)(parent >> 8),
	                       (unsigned char)(parent >> 16), (unsigned char)(parent >> 24),
	                       (unsigned char)kind };
	h = fnv(h, b, 5);
	return fnv(h, key, n);
}

static int32_t edge_find(const struct sl_phrase_set *ps, uint32_t parent, int kind,
                         const char *key, size_t n)
{
	if (!ps->cap)
		return -1;
	uint64_t h = edge_hash(parent, kind, key, n);
	size_t mask = ps->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const pedge *e = &ps->edge[i];
		if (!e->used)
			return -1;
		if (e->h == h && e->parent == parent && e->kind == kind &&
		    e->keylen == n && !memcmp(e->key, key, n))
			return (int32_t)e->child;
	}
}

static void edge_put(sl_arena *a, struct sl_phrase_set *ps, pedge e)
{
	if (2 * (ps->nedge + 1) > ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 256;
		pedge *t = arena_zalloc(a, cap * sizeof *t);
		for (size_t i = 0; i < ps->cap; i++) {
			if (!ps->edge[i].used)
				continue;
			size_t j = ps->edge[i].h & (cap - 1);
			while (t[j].used)
				j = (j + 1) & (cap - 1);
			t[j] = ps->edge[i];
		}
		ps->edge = t;
		ps->cap = cap;
	}
	size_t j = e.h & (ps->cap - 1);
	while (ps->edge[j].used)
		j = (j + 1) & (ps->cap - 1);
	ps->edge[j] = e;
	ps->nedge++;
}

static uint32_t node_new(sl_arena *a, struct sl_phrase_set *ps)
{
	if (ps->nnode == ps->nodealloc) {
		size_t n = ps->nodealloc ? ps->nodealloc * 2 : 64;
		ps->node = arena_grow(a, ps->node, ps->nnode, n, sizeof *ps->node);
		ps->nodealloc = n;
	}
	ps->node[ps->nnode] = (pnode){ -1, -1, -1, 0, 0, 0 };
	return (uint32_t)ps->nnode++;
}

static uint32_t prefix_bit(const char *s, size_t n)
{
	return (uint32_t)(fnv(1469598103934665603ull, s, n) & ((1u << PREFIX_BITS) - 1));
}

static void prefix_add(struct sl_phrase_set *ps, const char *s, size_t n)
{
	uint32_t b = prefix_bit(s, n < 3 ? n : 3);
	ps->prefix[b >> 3] |= (uint8_t)(1u << (b & 7));
}

/* Could a word starting with s[0..n) have a stem some STEM token holds? */
static int prefix_may(const struct sl_phrase_set *ps, const char *s, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++) {
		uint32_t b = prefix_bit(s, k);
		if (ps->prefix[b >> 3] & (1u << (b & 7)))
			return 1;
	}
	return 0;
}

/* --- compiling --------------------------------------------------------------- */

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Is the token at the end of t[0..n) a `**` or the phrase's `^`?  (The
 * placement rules of both, checked as each token is parsed.) */
static int zero_width(const ptok *t, size_t n)
{
	return n && (t[n - 1].kind == PT_GAP || t[n - 1].kind == PT_START);
}

/* Parse one phrase into tokens (keys are folded; STEM keys get their stem
 * in link).  anchors: `**` and `^` are allowed (in `phrases:`, not in
 * unless_before/unless_after).  0, or -1 with an error reported at node. */
static int parse_phrase(sl_loader *L, const sl_ynode *node, const char *s, int cased,
                        int anchors, pseq *out)
{
	sl_arena *a = &L->ctx->arena;
	size_t n = 0, cap = 4, words = 0;
	ptok *t = arena_array(a, cap, sizeof *t);
	const char *p = s;
	while (*p) {
		while (is_space((unsigned char)*p))
			p++;
		if (!*p)
			break;
		const char *q = p;
		while (*q && !is_space((unsigned char)*q))
			q++;
		size_t len = (size_t)(q - p);
		ptok k = { PT_STEM, NULL, 0 };
		if (len == 1 && *p == '*') {
			k.kind = PT_WILD;
		} else if ((len == 2 && !memcmp(p, "**", 2)) || (len == 1 && *p == '^')) {
			int gap = *p == '*';
			const char *why = NULL;
			if (!anchors)
				why = "only 'phrases' may use it";
			else if (!gap && n)
				why = "it must come first";
			else if (gap && (!n || zero_width(t, n)))
				why = "it must follow a word";
			if (why) {
				load_error(L, node, "'%s' in phrase '%s': %s", gap ? "**" : "^", s, why);
				return -1;
			}
			k.kind = gap ? PT_GAP : PT_START;
		} else if ((len == 5 && !memcmp(p, "<num>", 5)) ||
		           (len == 7 && !memcmp(p, "<money>", 7))) {
			k.kind = len == 5 ? PT_NUM : PT_MONEY;
			k.s = "";
			words++;
		} else {
			int exact = *p == '=' && len > 1;
			const char *w = p + exact;
			size_t wl = len - (size_t)exact;
			for (size_t i = 0; i < wl; i++) {
				if (strchr(",;:!?\"()[]{}<>/\\|*", w[i])) {
					load_error(L, node, "phrase word '%.*s' holds punctuation; phrases are words only",
					           (int)wl, w);
					return -1;
				}
			}
			if (wl >= PHRASE_WORD_MAX) {
				load_error(L, node, "phrase word '%.20s...' is longer than %d bytes",
				           w, PHRASE_WORD_MAX - 1);
				return -1;
			}
			if (cased) {
				k.kind = PT_CASE;
				k.s = arena_strndup(a, w, wl);
				k.len = (uint32_t)wl;
			} else {
				char f[PHRASE_WORD_MAX * 2];
				size_t fl = word_fold(w, wl, f, sizeof f);
				if (fl == (size_t)-1) {
					load_error(L, node, "phrase word '%.*s' is too long", (int)wl, w);
					return -1;
				}
				k.kind = exact ? PT_EXACT : PT_STEM;
				k.s = arena_strndup(a, f, fl);
				k.len = (uint32_t)fl;
			}
			words++;
		}
		if (n == cap) {
			t = arena_grow(a, t, n, cap * 2, sizeof *t);
			cap *= 2;
		}
		t[n++] = k;
		p = q;
	}
	if (n == 0 || !words) {
		load_error(L, node, "phrase '%s' has no word", s);
		return -1;
	}
	if (zero_width(t, n)) {
		load_error(L, node, "phrase '%s' ends with '%s': a word must follow it", s,
		           t[n - 1].kind == PT_GAP ? "**" : "^");
		return -1;
	}
	out->tok = t;
	out->n = (uint32_t)n;
	return 0;
}

/* A list of phrases under key into *out. */
static int read_seqs(sl_loader *L, sl_ynode *map, const char *key, int cased,
                     int anchors, pseq **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	sl_ynode *n = ynode_get(map, key);
	if (!n)
		return 0;
	const char **s;
	size_t ns;
	if (ynode_strs(L, n, &s, &ns) < 0)
		return -1;
	pseq *q = arena_array(&L->ctx->arena, ns ? ns : 1, sizeof *q);
	int rc = 0;
	for (size_t i = 0; i < ns; i++) {
		const sl_ynode *at = n->type == SL_Y_SEQ && i < n->n ? n->item[i] : n;
		if (parse_phrase(L, at, s[i], cased, anchors, &q[i]) < 0)
			rc = -1;
	}
	*out = q;
	*nout = ns;
	return rc;
}

/* key: one of the words in opts; *out its index, default when absent. */
static int read_choice(sl_loader *L, sl_ynode *map, const char *key,
                       const char *const *opts, int nopts, int def, int *out)
{
	*out = def;
	sl_ynode *n = ynode_get(map, key);
	if (!n)
		return 0;
	const char *s;
	if (ynode_str(L, n, &s) < 0)
		return -1;
	for (int i = 0; i < nopts; i++) {
		if (!strcmp(s, opts[i])) {
			*out = i;
			return 0;
		}
	}
	load_error(L, n, "%s must be %s or %s, not '%s'", key, opts[0], opts[1], s);
	return -1;
}

static int phrase_scope_ok(sl_scope sc)
{
	return sc != SL_SC_RAW;
}

static int phrase_compile(sl_loader *L, sl_rule *rule, sl_ynode *map)
{
	prule *pr = arena_zalloc(&L->ctx->arena, sizeof *pr);
	int rc = 0, cased = 0, skip;
	static const char *const quoted[] = { "skip", "include" };
	static const char *const negated[] = { "include", "skip" };
	static const char *const cases[] = { "insensitive", "sensitive" };
	if (!phrase_scope_ok(rule->scope)) {
		load_error(L, ynode_get(map, "scope"), "scope '%s' is not allowed for a phrase rule",
		           scope_name(rule->scope));
		rc = -1;
	}
	if (read_choice(L, map, "case", cases, 2, 0, &cased) < 0)
		rc = -1;
	if (read_choice(L, map, "quoted", quoted, 2, 0, &pr->quoted) < 0)
		rc = -1;
	if (read_choice(L, map, "negated", negated, 2, 0, &skip) < 0)
		rc = -1;
	pr->negated = skip;
	if (!ynode_get(map, "phrases")) {
		load_error(L, NULL, "a phrase rule needs 'phrases'");
		rc = -1;
	} else if (read_seqs(L, map, "phrases", cased, 1, &pr->phrase, &pr->nphrase) < 0) {
		rc = -1;
	} else if (pr->nphrase == 0) {
		load_error(L, ynode_get(map, "phrases"), "'phrases' is empty");
		rc = -1;
	}
	if (read_seqs(L, map, "unless_before", cased, 0, &pr->before, &pr->nbefore) < 0)
		rc = -1;
	if (read_seqs(L, map, "unless_after", cased, 0, &pr->after, &pr->nafter) < 0)
		rc = -1;
	if (rule_check_templates(L, rule, map, NULL, 0) < 0)
		rc = -1;
	rule->data = pr;
	return rc;
}

/* STEM tokens: replace the folded word by its stem. */
static void stem_seq(sl_context *ctx, struct sl_phrase_set *ps, pseq *q)
{
	for (uint32_t i = 0; i < q->n; i++) {
		ptok *t = &q->tok[i];
		if (t->kind != PT_STEM)
			continue;
		char st[PHRASE_WORD_MAX * 2];
		size_t n = speller_stem(ctx, t->s, t->len, st, sizeof st);
		if (n && (n != t->len || memcmp(st, t->s, n))) {
			t->s = arena_strndup(&ctx->arena, st, n);
			t->len = (uint32_t)n;
		}
		prefix_add(ps, t->s, t->len);
	}
}

/* The child of node cur through `*`, `**` or `^` (made when missing). */
static uint32_t own_child(sl_arena *a, struct sl_phrase_set *ps, uint32_t cur, int kind)
{
	pnode *nd = &ps->node[cur];
	int32_t c = kind == PT_WILD ? nd->wild : kind == PT_GAP ? nd->gap : nd->start;
	if (c >= 0)
		return (uint32_t)c;
	uint32_t nc = node_new(a, ps); /* may move ps->node */
	nd = &ps->node[cur];
	if (kind == PT_WILD)
		nd->wild = (int32_t)nc;
	else if (kind == PT_GAP)
		nd->gap = (int32_t)nc;
	else
		nd->start = (int32_t)nc;
	ps->node[nc].isgap = kind == PT_GAP;
	return nc;
}

static void insert(sl_context *ctx, struct sl_phrase_set *ps, const sl_rule *rule,
                   const pseq *q)
{
	sl_arena *a = &ctx->arena;
	uint32_t cur = 0;
	for (uint32_t i = 0; i < q->n; i++) {
		const ptok *t = &q->tok[i];
		if (t->kind == PT_WILD || t->kind == PT_GAP || t->kind == PT_START) {
			cur = own_child(a, ps, cur, t->kind);
			continue;
		}
		int32_t c = edge_find(ps, cur, t->kind, t->s, t->len);
		if (c < 0) {
			uint32_t nc = node_new(a, ps);
			pedge e = { edge_hash(cur, t->kind, t->s, t->len), t->s, t->len,
			            cur, nc, t->kind, 1 };
			edge_put(a, ps, e);
			ps->node[cur].kinds |= (uint8_t)(1u << t->kind);
			c = (int32_t)nc;
		}
		cur = (uint32_t)c;
	}
	for (uint32_t k = ps->node[cur].acc; k; k = ps->acc[k - 1].next)
		if (ps->acc[k - 1].rule == rule)
			return;
	if (ps->nacc == ps->accalloc) {
		size_t n = ps->accalloc ? ps->accalloc * 2 : 64;
		ps->acc = arena_grow(a, ps->acc, ps->nacc, n, sizeof *ps->acc);
		ps->accalloc = n;
	}
	ps->acc[ps->nacc] = (pacc){ rule, ps->node[cur].acc };
	ps->node[cur].acc = (uint32_t)++ps->nacc;
}

static int phrase_link(sl_loader *L, sl_context *ctx)
{
	int any = 0;
	for (size_t i = 0; i < ctx->nrule && !any; i++)
		any = ctx->rule[i]->kind == SL_RK_PHRASE && ctx->rule[i]->data;
	if (!any)
		return 0;
	if (!ctx->speller)
		speller_open(ctx, ctx->opts.dict); /* without it, words match as written */
	struct sl_phrase_set *ps = arena_zalloc(&ctx->arena, sizeof *ps);
	ps->prefix = arena_zalloc(&ctx->arena, (1u << PREFIX_BITS) / 8);
	node_new(&ctx->arena, ps); /* the root */
	for (size_t i = 0; i < ctx->nrule; i++) {
		const sl_rule *rule = ctx->rule[i];
		prule *pr = rule->data;
		if (rule->kind != SL_RK_PHRASE || !pr)
			continue;
		for (size_t k = 0; k < pr->nphrase; k++) {
			stem_seq(ctx, ps, &pr->phrase[k]);
			insert(ctx, ps, rule, &pr->phrase[k]);
		}
		for (size_t k = 0; k < pr->nbefore; k++)
			stem_seq(ctx, ps, &pr->before[k]);
		for (size_t k = 0; k < pr->nafter; k++)
			stem_seq(ctx, ps, &pr->after[k]);
	}
	ctx->phrases = ps;
	(void)L;
	return 0;
}

/* --- matching ----------------------------------------------------------------- */

/* A text word as the matcher sees it. */
typedef struct pword {
	const char *fold, *raw, *stem; /* stem: NULL until asked for */
	uint32_t flen, rlen, slen;
	uint32_t sent;
	uint32_t off, end;
	int brk;                /* placeholder, URL, e-mail: breaks a phrase */
	uint8_t num;            /* a number (`<num>`); 2: with a currency
	                           sign (`<money>` too) */
	uint8_t clause;         /* starts its sentence or follows a clause
	                           break (`^`; a `**` gap may not span it) */
} pword;

/* Per-file state of the phrase pass. */
typedef struct pstate {
	sl_run *run;
	const struct sl_phrase_set *ps;
	/* stems memoised per file: folded word -> stem */
	const char **mkey, **mval;
	uint32_t *mlen, *mvlen;
	size_t mcap, mn;
	/* per rule: the unit and word index of its last hit (no overlaps) */
	size_t *last_unit;
	uint32_t *last_end;
	size_t *stamp;          /* per rule: the start that produced a hit */
	size_t unit, start_id;
	/* scratch reused from unit to unit (touching fresh memory per block
	 * costs more than the matching) */
	struct pword *pw;
	size_t pwcap;
	struct cand *cv;
	size_t cvcap;
} pstate;

static const char *memo_stem(pstate *st, const char *w, uint32_t n, uint32_t *outlen)
{
	sl_arena *a = &st->run->r->arena;
	uint64_t h = fnv(1469598103934665603ull, w, n);
	if (2 * (st->mn + 1) > st->mcap) {
		size_t cap = st->mcap ? st->mcap * 2 : 256;
		const char **k = arena_zalloc(a, cap * sizeof *k);
		const char **v = arena_array(a, cap, sizeof *v);
		uint32_t *kl = arena_array(a, cap, sizeof *kl), *vl = arena_array(a, cap, sizeof *vl);
		for (size_t i = 0; i < st->mcap; i++) {
			if (!st->mkey[i])
				continue;
			size_t j = fnv(1469598103934665603ull, st->mkey[i], st->mlen[i]) & (cap - 1);
			while (k[j])
				j = (j + 1) & (cap - 1);
			k[j] = st->mkey[i], v[j] = st->mval[i];
			kl[j] = st->mlen[i], vl[j] = st->mvlen[i];
		}
		st->mkey = k, st->mval = v, st->mlen = kl, st->mvlen = vl;
		st->mcap = cap;
	}
	size_t j = h & (st->mcap - 1);
	while (st->mkey[j]) {
		if (st->mlen[j] == n && !memcmp(st->mkey[j], w, n)) {
			*outlen = st->mvlen[j];
			return st->mval[j];
		}
		j = (j + 1) & (st->mcap - 1);
	}
	char buf[PHRASE_WORD_MAX * 2];
	size_t sl = speller_stem(st->run->ctx, w, n, buf, sizeof buf);
	const char *val = w;
	if (sl && (sl != n || memcmp(buf, w, n)))
		val = arena_strndup(a, buf, sl);
	else
		sl = n;
	st->mkey[j] = w, st->mlen[j] = n;
	st->mval[j] = val, st->mvlen[j] = (uint32_t)sl;
	st->mn++;
	*outlen = (uint32_t)sl;
	return val;
}

/* The word's stem (asked for only if some STEM key could be it). */
static void word_stem(pstate *st, pword *w)
{
	if (w->stem)
		return;
	w->stem = w->fold;
	w->slen = w->flen;
	if (w->flen && prefix_may(st->ps, w->fold, w->flen))
		w->stem = memo_stem(st, w->fold, w->flen, &w->slen);
}

static int tok_match(pstate *st, const ptok *t, pword *w)
{
	if (w->brk)
		return 0;
	switch (t->kind) {
	case PT_WILD:
		return 1;
	case PT_EXACT:
		return t->len == w->flen && !memcmp(t->s, w->fold, w->flen);
	case PT_CASE:
		return t->len == w->rlen && !memcmp(t->s, w->raw, w->rlen);
	case PT_NUM:
		return w->num != 0;
	case PT_MONEY:
		return w->num == 2;
	default:
		if (t->len == w->flen && !memcmp(t->s, w->fold, w->flen))
			return 1;
		word_stem(st, w);
		return t->len == w->slen && !memcmp(t->s, w->stem, w->slen);
	}
}

/* Does q match the words ending just before word i (dir < 0) or starting
 * at word i (dir > 0), all in sentence sent? */
static int seq_at(pstate *st, const pseq *q, pword *pw, size_t npw, size_t i,
                  int dir, uint32_t sent)
{
	if (dir < 0) {
		if (i < q->n)
			return 0;
		i -= q->n;
	}
	if (i + q->n > npw)
		return 0;
	for (uint32_t k = 0; k < q->n; k++) {
		pword *w = &pw[i + k];
		if (w->sent != sent || !tok_match(st, &q->tok[k], w))
			return 0;
	}
	return 1;
}

static const char *const negations[] = {
	"not", "no", "never", "nor", "neither", "cannot", "without", "nothing",
	"nobody", "none", "nowhere",
};

static int is_negation(const pword *w)
{
	if (w->brk)
		return 0;
	if (w->flen > 3 && !memcmp(w->fold + w->flen - 3, "n't", 3))
		return 1;
	for (size_t i = 0; i < sizeof negations / sizeof *negations; i++)
		if (strlen(negations[i]) == w->flen && !memcmp(negations[i], w->fold, w->flen))
			return 1;
	return 0;
}

/* Quoted ranges of a text: "...", “...”, „...“, «...», ‘...’ (a ’ between
 * two letters is an apostrophe).  Only closed quotations count. */
typedef struct qrange {
	uint32_t open, close;
} qrange;

static int is_letter_at(const unsigned char *p, const unsigned char *end)
{
	if (p >= end)
		return 0;
	uint32_t cp;
	render_utf8(p, end, &cp);
	return cp != SL_CP_BAD && (cp_case(cp) != 0 || (cp >= '0' && cp <= '9') || cp >= 0x370);
}

static int is_letter_before(const unsigned char *start, const unsigned char *p)
{
	if (p <= start)
		return 0;
	const unsigned char *q = p - 1;
	while (q > start && (*q & 0xC0) == 0x80)
		q--;
	return is_letter_at(q, p);
}

static size_t quote_ranges(sl_arena *a, const sl_text *t, uint32_t off, uint32_t end,
                           qrange **out)
{
	size_t n = 0, cap = 0;
	qrange *q = NULL;
	/* open positions per kind: straight ", “ or „, «, ‘ */
	int64_t open[4] = { -1, -1, -1, -1 };
	const unsigned char *s = (const unsigned char *)t->p, *p = s + off, *e = s + end;
	while (p < e) {
		uint32_t cp;
		size_t k = render_utf8(p, e, &cp);
		int kind = -1, closing = 0;
		if (cp == '"') {
			kind = 0;
			closing = open[0] >= 0;
		} else if (cp == 0x201C || cp == 0x201E) {
			kind = 1;
			closing = cp == 0x201C && open[1] >= 0;
		} else if (cp == 0x201D) {
			kind = 1;
			closing = 1;
		} else if (cp == 0xAB) {
			kind = 2;
		} else if (cp == 0xBB) {
			kind = 2;
			closing = 1;
		} else if (cp == 0x2018) {
			kind = 3;
		} else if (cp == 0x2019) {
			if (!(is_letter_before(s, p) && is_letter_at(p + k, e))) {
				kind = 3;
				closing = 1;
			}
		}
		if (kind >= 0) {
			uint32_t pos = (uint32_t)(p - s);
			if (!closing) {
				open[kind] = pos;
			} else if (open[kind] >= 0) {
				if (n == cap) {
					size_t nc = cap ? cap * 2 : 8;
					q = arena_grow(a, q, n, nc, sizeof *q);
					cap = nc;
				}
				q[n++] = (qrange){ (uint32_t)open[kind], pos };
				open[kind] = -1;
			}
		}
		p += k;
	}
	*out = q;
	return n;
}

static int qr_cmp(const void *x, const void *y)
{
	const qrange *a = x, *b = y;
	return a->open < b->open ? -1 : a->open > b->open;
}

/* Make the ranges answer "is [off, end) inside a quotation" in log time:
 * sorted by their opening, each close becomes the furthest close of it and
 * every range opened before it (a quotation of each kind closes in its
 * own order, so the list comes sorted by close, not by open). */
static void quote_index(qrange *q, size_t n)
{
	if (n < 2)
		return;
	qsort(q, n, sizeof *q, qr_cmp);
	for (size_t k = 1; k < n; k++)
		if (q[k].close < q[k - 1].close)
			q[k].close = q[k - 1].close;
}

/* Does a quotation opened before off close at or after end?  (q indexed
 * by quote_index.) */
static int quoted(const qrange *q, size_t n, uint32_t off, uint32_t end)
{
	size_t lo = 0, hi = n; /* the ranges opened before off: [0, lo) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (q[mid].open < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && end <= q[lo - 1].close;
}

typedef struct cand {
	const sl_rule *rule;
	size_t end;             /* index into pw of the last word */
} cand;

/* Which rules a unit serves: block units (blk >= 0) serve rules whose block
 * scope takes the block; other units serve rules of exactly that scope,
 * hidden setting and header. */
typedef struct pfilter {
	int blk;
	sl_scope sc;
	int hidden;
	const char *header;
} pfilter;

static int serves(const sl_result *r, const pfilter *f, const sl_rule *rule)
{
	if (!rule_on(r->ctx, rule) || rule->kind != SL_RK_PHRASE)
		return 0;
	if (f->blk >= 0) {
		switch (rule->scope) {
		case SL_SC_LINK: case SL_SC_ALT: case SL_SC_HEADER: case SL_SC_RAW:
			return 0;
		default:
			return scope_has_block(r, rule->scope, rule->hidden, (size_t)f->blk);
		}
	}
	if (rule->scope != f->sc || rule->hidden != f->hidden)
		return 0;
	return f->sc != SL_SC_HEADER ||
	       (rule->header && f->header && !strcasecmp(rule->header, f->header));
}

/* Does a number's text hold a currency sign? */
static int has_currency(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p, *end = s + n;
	while (s < end) {
		uint32_t cp;
		s += render_utf8(s, end, &cp);
		if (cp != SL_CP_BAD && (uc_class(cp) & UC_CURRENCY))
			return 1;
	}
	return 0;
}

/* Does a punctuation token end a clause: , ; : brackets, a dash (or a
 * hyphen standing alone between spaces)? */
static int clause_break(const char *p, size_t n, uint32_t flags)
{
	const unsigned char *s = (const unsigned char *)p, *end = s + n;
	if ((flags & SL_W_SPACE_BEFORE) && (n == 1 || n == 2) && s[0] == '-' && s[n - 1] == '-')
		return 1;
	while (s < end) {
		uint32_t cp;
		s += render_utf8(s, end, &cp);
		if (cp == ',' || cp == ';' || cp == ':' || cp == '(' || cp == ')' ||
		    cp == '[' || cp == ']' || cp == 0x2013 || cp == 0x2014)
			return 1;
	}
	return 0;
}

/* Add node c to the next frontier with gap count g (a node already there
 * keeps the smaller count: it has more gap left); then, when c opens a
 * `**` and nothing is taken yet, its gap node too. */
static void front_add(const struct sl_phrase_set *ps, uint32_t *next, uint8_t *ng,
                      size_t *nn, uint32_t c, uint8_t g)
{
	for (int step = 0; step < 2; step++) {
		size_t d = 0;
		while (d < *nn && next[d] != c)
			d++;
		if (d < *nn) {
			if (g < ng[d])
				ng[d] = g;
		} else if (*nn < PHRASE_FRONTIER) {
			next[*nn] = c;
			ng[(*nn)++] = g;
		}
		if (ps->node[c].gap < 0)
			return;
		c = (uint32_t)ps->node[c].gap;
		g = 0;
	}
}

/* Run the matcher over one unit's words. */
static void match_unit(pstate *st, const pfilter *f, const sl_text *text,
                       const sl_word *word, size_t nword)
{
	sl_result *r = st->run->r;
	const struct sl_phrase_set *ps = st->ps;
	sl_arena *a = &r->arena;
	if (!nword)
		return;
	st->unit++;
	/* the words the matcher sees: punctuation dropped */
	if (st->pwcap < nword) {
		size_t n = st->pwcap ? st->pwcap : 256;
		while (n < nword)
			n *= 2;
		st->pw = arena_array(a, n, sizeof *st->pw);
		st->pwcap = n;
	}
	pword *pw = st->pw;
	size_t npw = 0;
	int pending = 1;        /* a clause break since the last word */
	for (size_t i = 0; i < nword; i++) {
		const sl_word *w = &word[i];
		if ((size_t)w->off + w->len > text->len)
			continue;
		if (w->flags & SL_W_PUNCT) {
			pending |= clause_break(text->p + w->off, w->len, w->flags);
			continue;
		}
		pword *p = &pw[npw++];
		memset(p, 0, sizeof *p);
		p->raw = text->p + w->off;
		p->rlen = w->len;
		p->sent = w->sent;
		p->off = w->off;
		p->end = w->off + w->len;
		if (w->flags & SL_W_NUMBER)
			p->num = has_currency(p->raw, p->rlen) ? 2 : 1;
		p->clause = pending || npw == 1 || pw[npw - 2].sent != w->sent;
		pending = 0;
		if (!w->norm || (w->flags & (SL_W_PLACEHOLDER | SL_W_URL | SL_W_EMAIL))) {
			p->brk = 1;
			continue;
		}
		/* norm is folded as phrase words are (word_fold) */
		if (w->normlen < PHRASE_WORD_MAX) {
			p->fold = w->norm;
			p->flen = w->normlen;
		} else {
			p->fold = "";       /* too long to be any phrase word */
			p->flen = 0;
		}
	}
	qrange *qr = NULL;
	size_t nqr = 0;
	int qdone = 0;
	uint32_t front[PHRASE_FRONTIER], next[PHRASE_FRONTIER];
	uint8_t fg[PHRASE_FRONTIER], ng[PHRASE_FRONTIER]; /* gap words taken */
	size_t ncand = 0;

	for (size_t i = 0; i < npw; i++) {
		if (pw[i].brk || !pw[i].flen)
			continue;
		size_t nf = 1;
		front[0] = 0;
		fg[0] = 0;
		if (pw[i].clause && ps->node[0].start >= 0) {
			nf = 0;
			front_add(ps, front, fg, &nf, 0, 0);
			front_add(ps, front, fg, &nf, (uint32_t)ps->node[0].start, 0);
		}
		ncand = 0;
		for (size_t j = i; j < npw && nf; j++) {
			pword *w = &pw[j];
			if (w->brk || w->sent != pw[i].sent)
				break;
			size_t nn = 0;
			for (size_t k = 0; k < nf; k++) {
				const pnode *nd = &ps->node[front[k]];
				/* a gap ends at a clause break: neither its words
				 * nor the word after it may follow one */
				if (nd->isgap && w->clause)
					continue;
				if (nd->isgap && fg[k] < PHRASE_GAP_MAX)
					front_add(ps, next, ng, &nn, front[k], (uint8_t)(fg[k] + 1));
				int32_t c[7]; /* two stem keys, exact, case, number, money, `*` */
				int nc = 0;
				if (nd->kinds & (1u << PT_STEM)) {
					c[nc] = edge_find(ps, front[k], PT_STEM, w->fold, w->flen);
					nc += c[nc] >= 0;
					word_stem(st, w);
					if (w->slen != w->flen || memcmp(w->stem, w->fold, w->flen)) {
						c[nc] = edge_find(ps, front[k], PT_STEM, w->stem, w->slen);
						nc += c[nc] >= 0;
					}
				}
				if (nd->kinds & (1u << PT_EXACT)) {
					c[nc] = edge_find(ps, front[k], PT_EXACT, w->fold, w->flen);
					nc += c[nc] >= 0;
				}
				if (nd->kinds & (1u << PT_CASE)) {
					c[nc] = edge_find(ps, front[k], PT_CASE, w->raw, w->rlen);
					nc += c[nc] >= 0;
				}
				if ((nd->kinds & (1u << PT_NUM)) && w->num) {
					c[nc] = edge_find(ps, front[k], PT_NUM, "", 0);
					nc += c[nc] >= 0;
				}
				if ((nd->kinds & (1u << PT_MONEY)) && w->num == 2) {
					c[nc] = edge_find(ps, front[k], PT_MONEY, "", 0);
					nc += c[nc] >= 0;
				}
				if (nd->wild >= 0)
					c[nc++] = nd->wild;
				for (int m = 0; m < nc; m++)
					front_add(ps, next, ng, &nn, (uint32_t)c[m], 0);
			}
			memcpy(front, next, nn * sizeof *front);
			memcpy(fg, ng, nn * sizeof *fg);
			nf = nn;
			for (size_t k = 0; k < nf; k++) {
				for (uint32_t ai = ps->node[front[k]].acc; ai; ai = ps->acc[ai - 1].next) {
					if (ncand == st->cvcap) {
						size_t n = st->cvcap ? st->cvcap * 2 : 16;
						st->cv = arena_grow(a, st->cv, ncand, n, sizeof *st->cv);
						st->cvcap = n;
					}
					st->cv[ncand++] = (cand){ ps->acc[ai - 1].rule, j };
				}
			}
		}
		if (!ncand)
			continue;
		st->start_id++;
		/* longest first: candidates were found in order of their end */
		for (size_t c = ncand; c-- > 0;) {
			const sl_rule *rule = st->cv[c].rule;
			size_t ri = (size_t)rule->index, j = st->cv[c].end;
			if (st->stamp[ri] == st->start_id)
				continue;
			if (st->last_unit[ri] == st->unit && i <= st->last_end[ri])
				continue;
			if (!serves(r, f, rule) || run_full(st->run, rule))
				continue;
			const prule *pr = rule->data;
			int cancel = 0;
			for (size_t k = 0; k < pr->nbefore && !cancel; k++)
				cancel = seq_at(st, &pr->before[k], pw, npw, i, -1, pw[i].sent);
			for (size_t k = 0; k < pr->nafter && !cancel; k++)
				cancel = seq_at(st, &pr->after[k], pw, npw, j + 1, 1, pw[i].sent);
			if (!cancel && pr->negated) {
				for (size_t k = 1; k <= NEGATION_WINDOW && k <= i && !cancel; k++) {
					const pword *b = &pw[i - k];
					if (b->sent != pw[i].sent || b->brk)
						break;
					cancel = is_negation(b);
				}
			}
			/* in a header field quotes are syntax ("Name" <addr>) */
			if (!cancel && !pr->quoted && !(f->blk < 0 && f->sc == SL_SC_HEADER)) {
				if (!qdone) {
					nqr = quote_ranges(a, text, 0, (uint32_t)text->len, &qr);
					quote_index(qr, nqr);
					qdone = 1;
				}
				cancel = quoted(qr, nqr, pw[i].off, pw[j].end);
			}
			if (cancel)
				continue;
			sl_hit *h = run_hit(st->run, rule, text, pw[i].off, pw[j].end, f->blk,
			                    f->blk >= 0 ? (int)pw[i].sent : -1);
			h->value = (double)(j - i + 1);
			st->stamp[ri] = st->start_id;
			st->last_unit[ri] = st->unit;
			st->last_end[ri] = (uint32_t)j;
		}
	}
}

static int block_scope(sl_scope sc)
{
	return sc != SL_SC_LINK && sc != SL_SC_ALT && sc != SL_SC_HEADER && sc != SL_SC_RAW;
}

static void phrase_run(sl_run *run)
{
	const sl_context *ctx = run->ctx;
	sl_result *r = run->r;
	if (!ctx->phrases)
		return;
	pstate st;
	memset(&st, 0, sizeof st);
	st.run = run;
	st.ps = ctx->phrases;
	size_t nr = ctx->nrule ? ctx->nrule : 1;
	st.last_unit = arena_zalloc(&r->arena, nr * sizeof *st.last_unit);
	st.last_end = arena_zalloc(&r->arena, nr * sizeof *st.last_end);
	st.stamp = arena_zalloc(&r->arena, nr * sizeof *st.stamp);

	/* the distinct (scope, hidden) pairs of enabled block-scope rules */
	int want[SL_SC_NSCOPES][3];
	memset(want, 0, sizeof want);
	for (size_t i = 0; i < ctx->nrule; i++) {
		const sl_rule *rule = ctx->rule[i];
		if (rule->kind == SL_RK_PHRASE && rule_on(ctx, rule) && rule->data &&
		    block_scope(rule->scope) && rule->hidden >= 0 && rule->hidden <= 2)
			want[rule->scope][rule->hidden] = 1;
	}
	for (size_t b = 0; b < r->doc.nblk; b++) {
		int any = 0;
		for (int sc = 0; sc < SL_SC_NSCOPES && !any; sc++)
			for (int h = 0; h < 3 && !any; h++)
				any = want[sc][h] && scope_has_block(r, (sl_scope)sc, h, b);
		if (!any)
			continue;
		const sl_block *blk = &r->doc.blk[b];
		pfilter f = { (int)b, SL_SC_PARAGRAPH, 0, NULL };
		match_unit(&st, &f, &blk->text, blk->word, blk->nword);
	}

	/* links, alt texts and header fields: once per distinct scope */
	for (size_t i = 0; i < ctx->nrule; i++) {
		const sl_rule *rule = ctx->rule[i];
		if (rule->kind != SL_RK_PHRASE || !rule_on(ctx, rule) || !rule->data ||
		    block_scope(rule->scope))
			continue;
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++) {
			const sl_rule *o = ctx->rule[k];
			seen = o->kind == SL_RK_PHRASE && rule_on(ctx, o) && o->data &&
			       o->scope == rule->scope && o->hidden == rule->hidden &&
			       (rule->scope != SL_SC_HEADER ||
			        (o->header && rule->header && !strcasecmp(o->header, rule->header)));
		}
		if (seen)
			continue;
		sl_unit *u;
		size_t nu = scope_units(r, rule, 1, &u);
		pfilter f = { -1, rule->scope, rule->hidden, rule->header };
		for (size_t k = 0; k < nu; k++)
			match_unit(&st, &f, u[k].text, u[k].word, u[k].nword);
	}
}

const sl_kind_ops phrase_ops = { "phrase", phrase_compile, phrase_link, phrase_run };
