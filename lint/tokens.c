/*
 * tokens.c - the tokens kind: a token model over a text (the way Bayesian
 * filters weigh a subject's words), and the token features themselves.
 *
 * In (compile): `weights:` a TSV file of "token<TAB>weight" lines, its path
 * relative to the rule file (read into the context arena; every bad line
 * is a load error at its file:line:col); `score:` value, excess or count;
 * `report_min:` (default 0); `score_min:` (score: excess only; default
 * report_min); `max_listed:` (default 5); `labels:` the
 * note's names for the two kinds of token (default [spam-like,
 * ham-like]).  In (run): every
 * unit of the rule's scope with its words.  Out: per unit, the summed
 * weight of its distinct tokens; above report_min a hit (value = the sum)
 * at the word of its heaviest spam-like token, with {tokens} (the
 * spam-like tokens, heaviest first) and a note naming the ham-like ones;
 * at or below it no hit, and with `score: value` the sum is kept in
 * run->unreported for score.c.  With `score: excess` a unit counts by its
 * sum less score_min, never below 0 (a hinge: ordinary text neither
 * raises the score nor cancels other findings): a hit's value is that
 * excess, and a unit at or below report_min but above score_min adds it
 * to run->unreported (it counts without a diagnostic; of all such units
 * only the largest excess counts).  A unit with no
 * weighted token gives nothing.
 *
 * Tokens of a unit (subject_tokens gives the same for a block): for a
 * subject, leading "Re:" / "Fwd:" / "Fw:" prefixes are skipped; then each
 * word's norm; numbers as "<num>" (and "$" / "%" when they hold a currency
 * sign or a percent sign); URLs "<url>"; e-mail addresses "<email>";
 * placeholders nothing; punctuation the characters of ! ? $ % * & # it
 * holds (any currency sign as $), a run of one of them at most twice
 * ("!!!" -> "!!"); "<emoji>"
 * for emoji; "<allcaps>" for an all-capitals word of 3 letters or more;
 * and "a b" for each word or number and the next one (punctuation between
 * them ignored, a URL, address or placeholder between them separating
 * them).  Distinct tokens only.
 *
 * Limits: TOKENS_FILE_MAX bytes and TOKENS_LINES_MAX entries per weights
 * file, weights within +-TOKENS_WEIGHT_MAX (load errors past them).  The
 * work per unit is linear in its words plus a sort.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "internal.h"

/* A weights file of 50,000 tokens is about 1 MiB; 16 MiB is far beyond
 * any model worth shipping. */
#define TOKENS_FILE_MAX ((size_t)16 << 20)
#define TOKENS_LINES_MAX ((size_t)1000000)
/* A log-odds weight of 20 already means odds of 500 million to one. */
#define TOKENS_WEIGHT_MAX 100.0
/* max_listed at most this (a message is one line). */
#define TOKENS_LISTED_MAX 50
/* Ham-like words are named in a note when they take at least this much
 * off the sum (less does not change what the user sees). */
#define TOKENS_HAM_NOTE_MIN 0.1
/* {tokens} names what fits in this many code points: the engine shows a
 * placeholder's value up to 60 and cuts the rest. */
#define TOKENS_SHOWN 60
/* The note names at most this many tokens of each kind, then sums the
 * rest. */
#define TOKENS_NOTE_MAX 20

typedef struct wentry {
	const char *tok;        /* NULL: free slot */
	size_t len;
	double w;
	size_t line;            /* in the weights file (duplicates) */
} wentry;

typedef struct trule {
	wentry *tab;            /* open addressing, size a power of two */
	size_t size, n;
	double report_min;
	double score_min;       /* score: excess: the hinge's threshold */
	int max_listed;
	int excess;             /* score: excess */
	const char *label[2];   /* labels: [positive, negative] */
} trule;

/* A token of one unit: its text and where (in the unit's text) it first
 * occurs. */
typedef struct stok {
	const char *s;
	size_t len;
	uint32_t off, end;
	int sent;               /* sentence of its first word in the block, or -1 */
	double w;               /* its weight, once looked up */
} stok;

typedef struct tlist {
	sl_arena *a;
	stok *t;
	size_t n, alloc;
} tlist;

/* --- the weights table ------------------------------------------------- */

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static wentry *tab_slot(const trule *tr, const char *s, size_t n)
{
	size_t m = tr->size - 1;
	for (size_t k = (size_t)hash_bytes(s, n) & m;; k = (k + 1) & m) {
		wentry *e = &tr->tab[k];
		if (!e->tok || (e->len == n && !memcmp(e->tok, s, n)))
			return e;
	}
}

static const wentry *tab_find(const trule *tr, const char *s, size_t n)
{
	if (!tr->size)
		return NULL;
	const wentry *e = tab_slot(tr, s, n);
	return e->tok ? e : NULL;
}

/* --- reading the weights file ----------------------------------------- */

/* A node for load_error at bytes [off, end) of the weights file. */
static sl_ynode at_bytes(const sl_yfile *f, size_t line, size_t line_off,
                         size_t off, size_t end)
{
	sl_ynode n;
	memset(&n, 0, sizeof n);
	n.type = SL_Y_SCALAR;
	n.file = f;
	n.line = line;
	n.col = 1;
	for (size_t i = line_off; i < off; i++)
		n.col += ((unsigned char)f->src[i] & 0xC0) != 0x80;
	n.off = off;
	n.end = end > off ? end : off + 1;
	return n;
}

/* The file's bytes into the context arena; NULL after an error at node
 * at (the `weights` value). */
static sl_yfile *read_weights(sl_loader *L, const sl_ynode *at, const char *path)
{
	sl_arena *a = &L->ctx->arena;
	struct stat st;
	if (stat(path, &st) != 0) {
		load_error(L, at, "cannot read the weights file '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		load_error(L, at, "the weights file '%s' is not a regular file", path);
		return NULL;
	}
	if ((uintmax_t)st.st_size > TOKENS_FILE_MAX) {
		load_error(L, at, "the weights file '%s' is larger than %zu MiB", path,
		           TOKENS_FILE_MAX >> 20);
		return NULL;
	}
	size_t want = (size_t)st.st_size;
	char *buf = arena_alloc(a, want + 2);  /* before fopen: no leak on OOM */
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		load_error(L, at, "cannot read the weights file '%s': %s", path, strerror(errno));
		return NULL;
	}
	size_t len = fread(buf, 1, want + 1, fp);
	int err = ferror(fp);
	fclose(fp);
	if (err || len > want) {
		load_error(L, at, "cannot read the weights file '%s'%s", path,
		           err ? "" : ": it changed while being read");
		return NULL;
	}
	buf[len] = 0;
	sl_yfile *f = arena_zalloc(a, sizeof *f);
	f->path = path;
	f->src = buf;
	f->len = len;
	return f;
}

static int all_space(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

/* One "token<TAB>weight" line [s, e) (line break excluded): 0, or -1
 * after reporting it. */
static int weights_line(sl_loader *L, trule *tr, const sl_yfile *f, size_t line,
                        size_t s, size_t e)
{
	const char *p = f->src;
	const char *tab = memchr(p + s, '\t', e - s);
	if (!tab) {
		sl_ynode at = at_bytes(f, line, s, s, e);
		load_error(L, &at, "expected a token, a tab and a weight");
		return -1;
	}
	size_t t = (size_t)(tab - p);
	if (t == s || p[s] == ' ' || p[t - 1] == ' ') {
		sl_ynode at = at_bytes(f, line, s, s, t);
		load_error(L, &at, t == s ? "empty token" :
		           "a token does not start or end with a space");
		return -1;
	}
	size_t ws = t + 1;
	if (memchr(p + ws, '\t', e - ws)) {
		sl_ynode at = at_bytes(f, line, s, ws, e);
		load_error(L, &at, "expected a token, a tab and a weight (found more than one tab)");
		return -1;
	}
	char num[64];
	size_t nl = e - ws;
	double w = NAN;
	if (nl > 0 && nl < sizeof num) {
		memcpy(num, p + ws, nl);
		num[nl] = 0;
		char *end;
		errno = 0;
		w = strtod(num, &end);
		if (end != num + nl || errno || !isfinite(w))
			w = NAN;
	}
	if (isnan(w) || fabs(w) > TOKENS_WEIGHT_MAX) {
		sl_ynode at = at_bytes(f, line, s, ws, e);
		load_error(L, &at, isnan(w) ? "invalid weight '%.*s'" :
		           "weight '%.*s' out of range (at most 100 either way)",
		           (int)(nl < 40 ? nl : 40), p + ws);
		return -1;
	}
	/* a token the tokeniser can never make is a mistake */
	char fold[256];
	size_t fl = word_fold(p + s, t - s, fold, sizeof fold);
	if (fl != t - s || memcmp(fold, p + s, fl)) {
		sl_ynode at = at_bytes(f, line, s, s, t);
		if (fl == (size_t)-1)
			load_error(L, &at, "token longer than %zu bytes", sizeof fold - 1);
		else
			load_error(L, &at, "token '%.*s' never matches: tokens are case-folded ('%s')",
			           (int)(t - s), p + s, fold);
		return -1;
	}
	wentry *slot = tab_slot(tr, p + s, t - s);
	if (slot->tok) {
		sl_ynode at = at_bytes(f, line, s, s, t);
		load_error(L, &at, "duplicate token '%.*s' (first on line %zu)", (int)(t - s),
		           p + s, slot->line);
		return -1;
	}
	slot->tok = arena_strndup(&L->ctx->arena, p + s, t - s);
	slot->len = t - s;
	slot->w = w;
	slot->line = line;
	tr->n++;
	return 0;
}

/* Parse f into tr.  Lines: "token<TAB>weight"; blank lines and lines that
 * start with '#' and hold no tab are skipped (so "#\t0.3" is the token
 * "#"); CR LF accepted; a UTF-8 byte order mark skipped. */
static int weights_parse(sl_loader *L, trule *tr, const sl_yfile *f)
{
	const char *p = f->src;
	size_t len = f->len, lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += p[i] == '\n';
	if (lines + 1 > TOKENS_LINES_MAX) {
		sl_ynode at = at_bytes(f, 1, 0, 0, 0);
		load_error(L, &at, "more than %zu lines in a weights file", TOKENS_LINES_MAX);
		return -1;
	}
	tr->size = 16;
	while (tr->size < 2 * (lines + 1))
		tr->size *= 2;
	tr->tab = arena_array(&L->ctx->arena, tr->size, sizeof *tr->tab);
	memset(tr->tab, 0, tr->size * sizeof *tr->tab);
	int rc = 0;
	size_t i = len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3) ? 3 : 0;
	for (size_t line = 1; i < len && L->nerr <= SL_LOAD_ERRORS_MAX; line++) {
		size_t s = i;
		const char *nl = memchr(p + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - p) : len;
		i = nl ? e + 1 : len;
		if (e > s && p[e - 1] == '\r')
			e--;
		if (all_space(p + s, e - s) || (p[s] == '#' && !memchr(p + s, '\t', e - s)))
			continue;
		if (weights_line(L, tr, f, line, s, e) < 0)
			rc = -1;
	}
	return rc;
}

/* --- compiling --------------------------------------------------------- */

/* path of the weights: name relative to the rule file's folder (or
 * absolute). */
static const char *weights_path(sl_loader *L, const sl_rule *rule, const char *name)
{
	if (name[0] == '/')
		return name;
	const char *slash = strrchr(rule->path, '/');
	if (!slash)
		return name;
	return arena_printf(&L->ctx->arena, "%.*s/%s", (int)(slash - rule->path),
	                    rule->path, name);
}

static int tokens_compile(sl_loader *L, sl_rule *rule, sl_ynode *map)
{
	static const char *const extra[] = { "tokens" };
	trule *tr = arena_zalloc(&L->ctx->arena, sizeof *tr);
	int rc = 0;
	rule->data = tr;
	tr->max_listed = 5;
	tr->label[0] = "spam-like";
	tr->label[1] = "ham-like";
	if (rule->scope == SL_SC_RAW) {
		load_error(L, ynode_get(map, "scope"), "scope 'raw' is not allowed for a tokens rule");
		rc = -1;
	}
	sl_ynode *n;
	if ((n = ynode_get(map, "score"))) {
		const char *s;
		if (ynode_str(L, n, &s) < 0) {
			rc = -1;
		} else if (!strcmp(s, "value") || !strcmp(s, "excess")) {
			rule->score_value = 1;
			tr->excess = s[0] == 'e';
		} else if (strcmp(s, "count")) {
			load_error(L, n, "invalid value '%s' for 'score' (expected value, excess or count)", s);
			rc = -1;
		}
	}
	if ((n = ynode_get(map, "report_min")) && ynode_num(L, n, &tr->report_min) < 0)
		rc = -1;
	tr->score_min = tr->report_min;
	if ((n = ynode_get(map, "score_min"))) {
		if (!tr->excess) {
			load_error(L, n, "'score_min' needs 'score: excess'");
			rc = -1;
		} else if (ynode_num(L, n, &tr->score_min) < 0) {
			rc = -1;
		}
	}
	if ((n = ynode_get(map, "max_listed"))) {
		double v;
		if (ynode_num(L, n, &v) < 0) {
			rc = -1;
		} else if (v < 1 || v > TOKENS_LISTED_MAX || v != floor(v)) {
			load_error(L, n, "max_listed must be a whole number from 1 to %d",
			           TOKENS_LISTED_MAX);
			rc = -1;
		} else {
			tr->max_listed = (int)v;
		}
	}
	if ((n = ynode_get(map, "labels"))) {
		const char **v;
		size_t nv;
		if (ynode_strs(L, n, &v, &nv) < 0) {
			rc = -1;
		} else if (nv != 2 || !*v[0] || !*v[1]) {
			load_error(L, n, "labels must be two words: [positive, negative]");
			rc = -1;
		} else {
			tr->label[0] = v[0];
			tr->label[1] = v[1];
		}
	}
	if (rule_check_templates(L, rule, map, extra, 1) < 0)
		rc = -1;
	n = ynode_get(map, "weights");
	const char *name;
	if (!n) {
		load_error(L, NULL, "a tokens rule needs 'weights' (a file of token<TAB>weight lines)");
		return -1;
	}
	if (ynode_str(L, n, &name) < 0)
		return -1;
	if (!*name) {
		load_error(L, n, "'weights' must name a file");
		return -1;
	}
	const sl_yfile *f = read_weights(L, n, weights_path(L, rule, name));
	if (!f || weights_parse(L, tr, f) < 0)
		return -1;
	return rc;
}

/* --- token features ------------------------------------------------------ */

static void tl_add(tlist *l, const char *s, size_t len, const sl_word *w, int sent)
{
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 32;
		l->t = arena_grow(l->a, l->t, l->n, na, sizeof *l->t);
		l->alloc = na;
	}
	stok *t = &l->t[l->n++];
	t->s = s;
	t->len = len;
	t->off = w->off;
	t->end = w->off + w->len;
	t->sent = sent;
	t->w = 0;
}

static void tl_add_lit(tlist *l, const char *lit, const sl_word *w, int sent)
{
	tl_add(l, lit, strlen(lit), w, sent);
}

static int is_prefix_word(const sl_word *w)
{
	return w->norm && !(w->flags & (SL_W_PUNCT | SL_W_NUMBER | SL_W_URL | SL_W_EMAIL |
	                                 SL_W_PLACEHOLDER)) &&
	       (!strcmp(w->norm, "re") || !strcmp(w->norm, "fwd") || !strcmp(w->norm, "fw"));
}

/* The first word after leading "Re:" / "Fwd:" / "Fw:" prefixes ("RE::"
 * and "Re : Fw :" too). */
static size_t skip_prefixes(const sl_text *t, const sl_word *w, size_t n)
{
	size_t i = 0;
	while (i + 1 < n && is_prefix_word(&w[i]) && (w[i + 1].flags & SL_W_PUNCT) &&
	       w[i + 1].off < t->len && t->p[w[i + 1].off] == ':')
		i += 2;
	return i;
}

/* Letters of a word, and whether every one is upper-case. */
static size_t caps_letters(const char *p, size_t n, int *all_upper)
{
	const unsigned char *s = (const unsigned char *)p, *end = s + n;
	size_t letters = 0;
	*all_upper = 1;
	while (s < end) {
		uint32_t cp;
		s += render_utf8(s, end, &cp);
		int c = cp == SL_CP_BAD ? 0 : cp_case(cp);
		if (c) {
			letters++;
			if (c < 0)
				*all_upper = 0;
		}
	}
	return letters;
}

/* Punctuation: the characters of "!?$%*&#" it holds (any currency sign
 * as '$'), each run of one of them cut to two; into out (at most its
 * length in bytes). */
static size_t punct_form(const char *p, size_t n, char *out)
{
	const unsigned char *s = (const unsigned char *)p, *end = s + n;
	size_t o = 0;
	char prev = 0;
	int run = 0;
	while (s < end) {
		uint32_t cp;
		s += render_utf8(s, end, &cp);
		char c;
		if (cp < 0x80 && cp && strchr("!?$%*&#", (int)cp))
			c = (char)cp;
		else if (cp != SL_CP_BAD && (uc_class(cp) & UC_CURRENCY))
			c = '$';
		else
			continue;
		run = c == prev ? run + 1 : 1;
		prev = c;
		if (run <= 2)
			out[o++] = c;
	}
	return o;
}

/* Does a number's text hold a currency sign (ASCII or not) / a '%'? */
static void number_signs(const char *p, size_t n, int *money, int *pct)
{
	const unsigned char *s = (const unsigned char *)p, *end = s + n;
	*money = *pct = 0;
	while (s < end) {
		uint32_t cp;
		s += render_utf8(s, end, &cp);
		if (cp == '%')
			*pct = 1;
		else if (cp != SL_CP_BAD && (uc_class(cp) & UC_CURRENCY))
			*money = 1;
	}
}

static int stok_cmp(const void *a, const void *b)
{
	const stok *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* The distinct tokens of words w[0..n) of text t, sorted, each at its
 * first occurrence.  subject: skip reply/forward prefixes.  sent: the
 * unit's sentence (-1: each word's own, from a block). */
static size_t unit_tokens(sl_arena *a, const sl_text *t, const sl_word *w, size_t n,
                          int subject, int sent, stok **out)
{
	tlist l = { a, NULL, 0, 0 };
	const char *prev = NULL;  /* the last word or number form, for bigrams */
	const sl_word *prevw = NULL;
	for (size_t i = subject ? skip_prefixes(t, w, n) : 0; i < n; i++) {
		const sl_word *x = &w[i];
		int s = sent >= 0 ? sent : (int)x->sent;
		if ((size_t)x->off + x->len > t->len)
			continue;
		const char *p = t->p + x->off;
		const char *form = NULL;
		if (x->flags & SL_W_PLACEHOLDER) {
			prev = NULL;
		} else if (x->flags & SL_W_URL) {
			tl_add_lit(&l, "<url>", x, s);
			prev = NULL;
		} else if (x->flags & SL_W_EMAIL) {
			tl_add_lit(&l, "<email>", x, s);
			prev = NULL;
		} else if (x->flags & SL_W_EMOJI) {
			tl_add_lit(&l, "<emoji>", x, s);
		} else if (x->flags & SL_W_PUNCT) {
			char *buf = arena_alloc(a, 2 * (size_t)x->len + 1);
			size_t k = punct_form(p, x->len, buf);
			if (k)
				tl_add(&l, buf, k, x, s);
		} else if (x->flags & SL_W_NUMBER) {
			int money, pct;
			number_signs(p, x->len, &money, &pct);
			if (money)
				tl_add_lit(&l, "$", x, s);
			if (pct)
				tl_add_lit(&l, "%", x, s);
			form = "<num>";
		} else if (x->norm && x->normlen) {
			int up;
			if ((x->flags & SL_W_ALLCAPS) && caps_letters(p, x->len, &up) >= 3 && up)
				tl_add_lit(&l, "<allcaps>", x, s);
			form = x->norm;
		}
		if (!form)
			continue;
		tl_add(&l, form, strlen(form), x, s);
		if (prev) {
			size_t n1 = strlen(prev), n2 = strlen(form);
			char *bi = arena_alloc(a, n1 + n2 + 2);
			memcpy(bi, prev, n1);
			bi[n1] = ' ';
			memcpy(bi + n1 + 1, form, n2 + 1);
			sl_word span = *prevw;
			span.len = x->off + x->len - prevw->off;
			tl_add(&l, bi, n1 + 1 + n2, &span, s);
		}
		prev = form;
		prevw = x;
	}
	if (l.n > 1)
		qsort(l.t, l.n, sizeof *l.t, stok_cmp);
	/* the sort put equal tokens together, first occurrence first: keep
	 * only that one */
	size_t d = 0;
	for (size_t i = 0; i < l.n; i++)
		if (!d || l.t[d - 1].len != l.t[i].len || memcmp(l.t[d - 1].s, l.t[i].s, l.t[i].len))
			l.t[d++] = l.t[i];
	*out = l.t;
	return d;
}

size_t subject_tokens(sl_result *r, const sl_block *b, const char ***out)
{
	stok *t;
	size_t n = unit_tokens(&r->arena, &b->text, b->word, b->nword,
	                       b->kind == SL_BLK_SUBJECT, -1, &t);
	const char **v = arena_array(&r->arena, n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = arena_strndup(&r->arena, t[i].s, t[i].len);
	*out = v;
	return n;
}

/* --- running ------------------------------------------------------------- */

/* Heaviest first (spam-like: largest weight; ham-like: most negative),
 * then by token. */
static int by_weight_desc(const void *a, const void *b)
{
	const stok *x = *(const stok *const *)a, *y = *(const stok *const *)b;
	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return stok_cmp(x, y);
}

static int by_weight_asc(const void *a, const void *b)
{
	const stok *x = *(const stok *const *)a, *y = *(const stok *const *)b;
	if (x->w != y->w)
		return x->w < y->w ? -1 : 1;
	return stok_cmp(x, y);
}

/* Code points of s[0..n). */
static size_t cps(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* Append "'free' (+1.30), 'money' (+0.92)" for v[0..n) to b, at most max
 * items and (budget > 0) at most budget code points in all; returns how
 * many were named.  A last "and N more (+x.xx)" sums the others when
 * more is set. */
static size_t list_add(sl_buf *b, stok **v, size_t n, size_t max, size_t budget, int more)
{
	size_t used = 0, i;
	for (i = 0; i < n && i < max; i++) {
		char item[64];
		int k = snprintf(item, sizeof item, " (%+.2f)", v[i]->w);
		size_t w = cps(v[i]->s, v[i]->len) + 2 + (size_t)k + (i ? 2 : 0);
		if (budget && used + w > budget && i)
			break;
		buf_addf(b, "%s'%.*s'%s", i ? ", " : "", (int)v[i]->len, v[i]->s, item);
		used += w;
	}
	if (more && i < n) {
		double rest = 0;
		for (size_t k = i; k < n; k++)
			rest += v[k]->w;
		buf_addf(b, " and %zu more (%+.2f)", n - i, rest);
	}
	return i;
}

/* The message's {tokens}: the heaviest spam-like tokens, as many as
 * max_listed and TOKENS_SHOWN code points allow ("none" if there are
 * none); *named gets how many. */
static const char *spam_list(sl_result *r, stok **v, size_t n, int max, size_t *named)
{
	sl_buf b;
	buf_init(&b, &r->arena, (size_t)1 << 16);
	*named = list_add(&b, v, n, (size_t)max, TOKENS_SHOWN, 0);
	if (!n)
		buf_addf(&b, "none");
	const char *s = buf_cstr(&b);
	return s ? s : "";
}

/* The note that accounts for the rest of the sum: the spam-like tokens
 * the message could not name and, when notable, the ham-like ones.  NULL
 * when the message already says it all. */
static const char *rest_note(sl_result *r, const trule *tr, double sum, stok **spam,
                             size_t ns, size_t named, stok **ham, size_t nh, double hamsum)
{
	int show_ham = nh && hamsum <= -TOKENS_HAM_NOTE_MIN;
	if (named == ns && !show_ham)
		return NULL;
	sl_buf b;
	buf_init(&b, &r->arena, (size_t)1 << 16);
	buf_addf(&b, "summed weight %+.2f", sum);
	if (named < ns) {
		buf_addf(&b, " with %zu more %s word%s: ", ns - named, tr->label[0],
		         ns - named == 1 ? "" : "s");
		list_add(&b, spam + named, ns - named, TOKENS_NOTE_MAX, 0, 1);
	}
	if (show_ham) {
		buf_addf(&b, "%s %s word%s: ", named < ns ? "; and" : " with", tr->label[1],
		         nh == 1 ? "" : "s");
		list_add(&b, ham, nh, TOKENS_NOTE_MAX, 0, 1);
	}
	const char *s = buf_cstr(&b);
	return s ? s : NULL;
}

/* Keep v for score.c: added to the rule's unreported sum, or with
 * `score: excess` only the largest (one unit's worth: text no diagnostic
 * points at moves the score a little, however long the email is). */
static void unreported_add(sl_run *run, const sl_rule *rule, double v, int largest,
                           const sl_unit *unit)
{
	if (!run->unreported) {
		size_t n = run->ctx->nrule ? run->ctx->nrule : 1;
		run->unreported = arena_array(&run->r->arena, n, sizeof *run->unreported);
		run->unreported_at = arena_array(&run->r->arena, 2 * n, sizeof *run->unreported_at);
		for (size_t i = 0; i < n; i++) {
			run->unreported[i] = 0;
			run->unreported_at[2 * i] = run->unreported_at[2 * i + 1] = -1;
		}
	}
	double *u = &run->unreported[rule->index];
	if (!largest) {
		*u += v;
	} else if (v > *u) {
		*u = v;
		run->unreported_at[2 * rule->index] = unit->blk;
		run->unreported_at[2 * rule->index + 1] = unit->sent;
	}
}

/* One unit; its tokens live in sa (emptied after each unit: what a hit
 * keeps is copied into the result's arena). */
static void unit_run(sl_run *run, const sl_rule *rule, const trule *tr, const sl_unit *u,
                     sl_arena *sa)
{
	sl_result *r = run->r;
	const sl_block *b = u->blk >= 0 ? &r->doc.blk[u->blk] : NULL;
	int subject = b && b->kind == SL_BLK_SUBJECT && u->sent < 0;
	stok *t;
	size_t n = unit_tokens(sa, u->text, u->word, u->nword, subject,
	                       u->blk >= 0 ? u->sent : -1, &t);
	stok **spam = arena_array(sa, n ? n : 1, sizeof *spam);
	stok **ham = arena_array(sa, n ? n : 1, sizeof *ham);
	size_t ns = 0, nh = 0, known = 0;
	double sum = 0, hamsum = 0;
	for (size_t i = 0; i < n; i++) {
		const wentry *e = tab_find(tr, t[i].s, t[i].len);
		if (!e)
			continue;
		known++;
		t[i].w = e->w;
		sum += e->w;
		if (e->w > 0)
			spam[ns++] = &t[i];
		else if (e->w < 0) {
			ham[nh++] = &t[i];
			hamsum += e->w;
		}
	}
	if (!known)
		return;
	double excess = sum > tr->score_min ? sum - tr->score_min : 0;
	if (!(sum > tr->report_min)) {
		if (rule->score_value && !tr->excess)
			unreported_add(run, rule, sum, 0, u);
		else if (tr->excess && excess > 0)
			unreported_add(run, rule, excess, 1, u);
		return;
	}
	if (ns > 1)
		qsort(spam, ns, sizeof *spam, by_weight_desc);
	if (nh > 1)
		qsort(ham, nh, sizeof *ham, by_weight_asc);
	uint32_t off = u->off, end = u->end;
	int sent = u->sent;
	if (ns) {
		off = spam[0]->off;
		end = spam[0]->end;
		sent = u->blk >= 0 ? spam[0]->sent : -1;
	}
	sl_hit *h = run_hit(run, rule, u->text, off, end, u->blk, sent);
	if (h == &run->spare)
		return;
	h->value = tr->excess ? excess : sum;
	size_t named;
	const char **var = arena_array(&r->arena, 2, sizeof *var);
	var[0] = "tokens";
	var[1] = spam_list(r, spam, ns, tr->max_listed, &named);
	h->var = var;
	h->nvar = 1;
	h->note = rest_note(r, tr, sum, spam, ns, named, ham, nh, hamsum);
}

static void tokens_run(sl_run *run)
{
	const sl_context *ctx = run->ctx;
	sl_arena scratch;
	arena_init(&scratch, run->r->arena.oom);
	scratch.pool = run->r->arena.pool;  /* warm chunks, not fresh pages */
	for (size_t i = 0; i < ctx->nrule; i++) {
		const sl_rule *rule = ctx->rule[i];
		if (rule->kind != SL_RK_TOKENS || !rule_on(ctx, rule) || !rule->data)
			continue;
		sl_unit *u;
		size_t nu = scope_units(run->r, rule, 1, &u);
		for (size_t k = 0; k < nu && !run_full(run, rule); k++) {
			unit_run(run, rule, rule->data, &u[k], &scratch);
			arena_reset(&scratch);
		}
	}
	arena_release(&scratch);
}

const sl_kind_ops tokens_ops = { "tokens", tokens_compile, NULL, tokens_run };
