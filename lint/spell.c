/*
 * spell.c - hunspell for the context (spell checks and stems) and the
 * spell rule kind.
 *
 * In: a dictionary path (Debian's en_US by default), words as UTF-8.
 * Out: speller_check / speller_stem answers, cached; spell rule hits (one
 * per unknown word; `min_length:`, `ignore:`, `names: skip|check`: by
 * default a capitalised word that does not open its sentence is taken for
 * a name and not checked).  Hunspell handles are not thread-safe, so every call
 * goes through one mutex per context; answers are cached in a hash table
 * of at most SPELL_CACHE_ENTRIES entries (when full, answers are computed
 * and not kept: slower, never wrong).  Words longer than SPELL_WORD_MAX
 * bytes are not asked about (checked as known, stemmed as themselves).
 */
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <hunspell/hunspell.h>

#include "internal.h"

/* Distinct words of a day's worth of mail stay well under this; each
 * entry costs ~60 bytes, so the cache stays under ~10 MB. */
#define SPELL_CACHE_ENTRIES ((size_t)100000)
#define SPELL_CACHE_SLOTS   ((size_t)1 << 18) /* power of 2, > 2x entries */
/* Hunspell itself gives up past 100 bytes (MAXWORDLEN). */
#define SPELL_WORD_MAX 100

#define DEFAULT_DICT "/usr/share/hunspell/en_US"

typedef struct centry {
	uint64_t h;
	char *key;              /* kind byte + word, malloc'd with the answer */
	size_t klen;
	int ok;                 /* check: the answer */
	const char *stem;       /* stem: the answer (inside key's block) */
} centry;

struct sl_speller {
	Hunhandle *h;
	pthread_mutex_t mu;
	int utf8;               /* the dictionary is UTF-8 (no conversion) */
	iconv_t to, from;       /* UTF-8 <-> dictionary encoding otherwise */
	centry *slot;           /* SPELL_CACHE_SLOTS, NULL if none */
	size_t nentry;
};

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int file_readable(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	fclose(f);
	return 1;
}

int speller_open(sl_context *ctx, const char *dict)
{
	if (ctx->speller)
		return 0;
	if (!dict)
		dict = DEFAULT_DICT;
	size_t n = strlen(dict);
	char *aff = malloc(n + 5), *dic = malloc(n + 5);
	struct sl_speller *s = calloc(1, sizeof *s);
	int rc = SL_ENOMEM;
	if (!aff || !dic || !s)
		goto out;
	memcpy(aff, dict, n);
	memcpy(aff + n, ".aff", 5);
	memcpy(dic, dict, n);
	memcpy(dic + n, ".dic", 5);
	rc = SL_EIO;
	if (!file_readable(aff) || !file_readable(dic))
		goto out;
	s->h = Hunspell_create(aff, dic);
	if (!s->h)
		goto out;
	const char *enc = Hunspell_get_dic_encoding(s->h);
	s->utf8 = !enc || !strcmp(enc, "UTF-8") || !strcmp(enc, "utf-8");
	if (!s->utf8) {
		s->to = iconv_open(enc, "UTF-8");
		s->from = iconv_open("UTF-8", enc);
		if (s->to == (iconv_t)-1 || s->from == (iconv_t)-1) {
			if (s->to != (iconv_t)-1)
				iconv_close(s->to);
			if (s->from != (iconv_t)-1)
				iconv_close(s->from);
			Hunspell_destroy(s->h);
			goto out;
		}
	}
	pthread_mutex_init(&s->mu, NULL);
	s->slot = calloc(SPELL_CACHE_SLOTS, sizeof *s->slot); /* NULL: no cache */
	ctx->speller = s;
	s = NULL;
	rc = 0;
out:
	free(aff);
	free(dic);
	free(s);
	return rc;
}

void speller_close(sl_context *ctx)
{
	struct sl_speller *s = ctx->speller;
	if (!s)
		return;
	if (s->slot) {
		for (size_t i = 0; i < SPELL_CACHE_SLOTS; i++)
			free(s->slot[i].key);
		free(s->slot);
	}
	if (!s->utf8) {
		iconv_close(s->to);
		iconv_close(s->from);
	}
	Hunspell_destroy(s->h);
	pthread_mutex_destroy(&s->mu);
	free(s);
	ctx->speller = NULL;
}

/* Convert with cd into out (NUL-terminated); 0 on failure. */
static int conv(iconv_t cd, const char *in, size_t n, char *out, size_t outsz)
{
	char *ip = (char *)in, *op = out;
	size_t il = n, ol = outsz - 1;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 ||
	    iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
		return 0;
	*op = 0;
	return 1;
}

/* The cache slot for key (found, or the empty one to fill); NULL without
 * a cache.  Under the mutex. */
static centry *cache_slot(struct sl_speller *s, const char *key, size_t klen, uint64_t h)
{
	if (!s->slot)
		return NULL;
	size_t mask = SPELL_CACHE_SLOTS - 1;
	for (size_t i = h & mask, probes = 0; probes < SPELL_CACHE_SLOTS;
	     i = (i + 1) & mask, probes++) {
		centry *e = &s->slot[i];
		if (!e->key || (e->h == h && e->klen == klen && !memcmp(e->key, key, klen)))
			return e;
	}
	return NULL;
}

/* Keep an answer; ans (a stem) is stored after the key.  Under the mutex. */
static void cache_put(struct sl_speller *s, centry *e, const char *key, size_t klen,
                      uint64_t h, int ok, const char *ans)
{
	if (!e || e->key || s->nentry >= SPELL_CACHE_ENTRIES)
		return;
	size_t alen = ans ? strlen(ans) : 0;
	char *k = malloc(klen + alen + 2);
	if (!k)
		return;
	memcpy(k, key, klen);
	k[klen] = 0;
	e->h = h;
	e->key = k;
	e->klen = klen;
	e->ok = ok;
	if (ans) {
		memcpy(k + klen + 1, ans, alen + 1);
		e->stem = k + klen + 1;
	}
	s->nentry++;
}

int speller_check(const sl_context *ctx, const char *word, size_t len)
{
	struct sl_speller *s = ctx->speller;
	if (!s || len == 0 || len > SPELL_WORD_MAX)
		return 1;
	char key[SPELL_WORD_MAX + 2];
	key[0] = 'c';
	memcpy(key + 1, word, len);
	size_t klen = len + 1;
	uint64_t h = hash_bytes(key, klen);
	pthread_mutex_lock(&s->mu);
	centry *e = cache_slot(s, key, klen, h);
	int ok;
	if (e && e->key) {
		ok = e->ok;
	} else {
		char w[4 * SPELL_WORD_MAX + 4];
		if (s->utf8) {
			memcpy(w, word, len);
			w[len] = 0;
			ok = memchr(word, 0, len) ? 1 : Hunspell_spell(s->h, w) != 0;
		} else {
			ok = conv(s->to, word, len, w, sizeof w) ? Hunspell_spell(s->h, w) != 0 : 1;
		}
		cache_put(s, e, key, klen, h, ok, NULL);
	}
	pthread_mutex_unlock(&s->mu);
	return ok;
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t i = 0;
	while (a[i] && a[i] == b[i])
		i++;
	return i;
}

/* Hunspell's stem of w (NUL-terminated UTF-8) chosen as speller_stem
 * says (the shortest sharing w's first three bytes), into out; 0 if none
 * qualifies.  Under the mutex. */
static int stem_pick(struct sl_speller *s, const char *w, char *out, size_t outsz)
{
	char in[4 * SPELL_WORD_MAX + 4];
	const char *q = w;
	if (!s->utf8) {
		if (!conv(s->to, w, strlen(w), in, sizeof in))
			return 0;
		q = in;
	}
	char **list = NULL;
	int n = Hunspell_stem(s->h, &list, q);
	int found = 0;
	size_t best = 0;
	for (int i = 0; i < n; i++) {
		char u[4 * SPELL_WORD_MAX + 4];
		const char *st = list[i];
		if (!s->utf8) {
			if (!conv(s->from, st, strlen(st), u, sizeof u))
				continue;
			st = u;
		}
		size_t sl = strlen(st), cp = common_prefix(st, w);
		size_t need = sl < 3 ? sl : 3;
		if (cp < need || (found && sl >= best) || sl + 1 > outsz)
			continue;
		memcpy(out, st, sl + 1);
		best = sl;
		found = 1;
	}
	if (list)
		Hunspell_free_list(s->h, &list, n);
	return found;
}

size_t speller_stem(const sl_context *ctx, const char *word, size_t len,
                    char *out, size_t outsz)
{
	struct sl_speller *s = ctx->speller;
	if (len + 1 > outsz)
		return 0;
	if (!s || len == 0 || len > SPELL_WORD_MAX || memchr(word, 0, len)) {
		memcpy(out, word, len);
		out[len] = 0;
		return len;
	}
	char key[SPELL_WORD_MAX + 2];
	key[0] = 's';
	memcpy(key + 1, word, len);
	size_t klen = len + 1;
	uint64_t h = hash_bytes(key, klen);
	char st[4 * SPELL_WORD_MAX + 4];
	pthread_mutex_lock(&s->mu);
	centry *e = cache_slot(s, key, klen, h);
	if (e && e->key) {
		snprintf(st, sizeof st, "%s", e->stem);
	} else {
		char w[SPELL_WORD_MAX + 1];
		memcpy(w, word, len);
		w[len] = 0;
		if (!stem_pick(s, w, st, sizeof st))
			memcpy(st, w, len + 1);
		cache_put(s, e, key, klen, h, 1, st);
	}
	pthread_mutex_unlock(&s->mu);
	size_t n = strlen(st);
	if (n + 1 > outsz)
		return 0;
	memcpy(out, st, n + 1);
	return n;
}

/* --- word sets ---------------------------------------------------------- */

struct sl_wordset {
	const char **slot;      /* folded words, NULL = empty */
	size_t cap;             /* power of 2 */
};

#define WORD_MAX 256

static void wordset_insert(sl_arena *a, sl_wordset *s, const char *w, size_t n)
{
	char f[WORD_MAX];
	size_t fl = word_fold(w, n, f, sizeof f);
	if (fl == (size_t)-1 || fl == 0)
		return;
	size_t mask = s->cap - 1;
	for (size_t i = hash_bytes(f, fl) & mask;; i = (i + 1) & mask) {
		if (!s->slot[i]) {
			s->slot[i] = arena_strndup(a, f, fl);
			return;
		}
		if (!strcmp(s->slot[i], f))
			return;
	}
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

sl_wordset *wordset_new(sl_arena *a, const char *const *w, size_t n)
{
	sl_wordset *s = arena_zalloc(a, sizeof *s);
	size_t words = 0;
	for (size_t i = 0; i < n; i++)
		words += strlen(w[i]) / 2 + 1;
	s->cap = 16;
	while (s->cap < 2 * words)
		s->cap *= 2;
	s->slot = arena_zalloc(a, s->cap * sizeof *s->slot);
	for (size_t i = 0; i < n; i++) {
		const char *p = w[i];
		while (*p) {
			while (is_space((unsigned char)*p))
				p++;
			const char *q = p;
			while (*q && !is_space((unsigned char)*q))
				q++;
			if (q > p)
				wordset_insert(a, s, p, (size_t)(q - p));
			p = q;
		}
	}
	return s;
}

int wordset_has(const sl_wordset *s, const char *w, size_t n)
{
	if (!s)
		return 0;
	char f[WORD_MAX];
	size_t fl = word_fold(w, n, f, sizeof f);
	if (fl == (size_t)-1 || fl == 0)
		return 0;
	size_t mask = s->cap - 1;
	for (size_t i = hash_bytes(f, fl) & mask;; i = (i + 1) & mask) {
		if (!s->slot[i])
			return 0;
		if (!strcmp(s->slot[i], f))
			return 1;
	}
}

/* --- the spell kind ------------------------------------------------------ */

typedef struct srule {
	int names;              /* check capitalised words inside a sentence */
	double min_length;
	sl_wordset *ignore;
	const sl_wordset *vocab;
} srule;

static int spell_scope_ok(sl_scope sc)
{
	return sc != SL_SC_RAW;
}

static int spell_compile(sl_loader *L, sl_rule *rule, sl_ynode *map)
{
	srule *s = arena_zalloc(&L->ctx->arena, sizeof *s);
	int rc = 0;
	s->min_length = 3;
	if (!spell_scope_ok(rule->scope)) {
		load_error(L, ynode_get(map, "scope"), "scope '%s' is not allowed for a spell rule",
		           scope_name(rule->scope));
		rc = -1;
	}
	sl_ynode *n = ynode_get(map, "min_length");
	if (n && ynode_num(L, n, &s->min_length) < 0)
		rc = -1;
	n = ynode_get(map, "names");
	if (n) {
		const char *v;
		if (ynode_str(L, n, &v) < 0) {
			rc = -1;
		} else if (!strcmp(v, "check")) {
			s->names = 1;
		} else if (strcmp(v, "skip")) {
			load_error(L, n, "names must be skip or check, not '%s'", v);
			rc = -1;
		}
	}
	n = ynode_get(map, "ignore");
	if (n) {
		const char **w;
		size_t nw;
		if (ynode_strs(L, n, &w, &nw) < 0)
			rc = -1;
		else
			s->ignore = wordset_new(&L->ctx->arena, w, nw);
	}
	if (rule_check_templates(L, rule, map, NULL, 0) < 0)
		rc = -1;
	rule->data = s;
	return rc;
}

static int spell_link(sl_loader *L, sl_context *ctx)
{
	const sl_wordset *vocab = NULL;
	for (size_t i = 0; i < ctx->nrule; i++) {
		sl_rule *rule = ctx->rule[i];
		if (rule->kind != SL_RK_SPELL || !rule->data)
			continue;
		if (!ctx->speller && speller_open(ctx, ctx->opts.dict) < 0) {
			load_error(L, NULL, "cannot read the hunspell dictionary '%s' (.aff and .dic) for rule '%s'",
			           ctx->opts.dict ? ctx->opts.dict : DEFAULT_DICT, rule->id);
			return -1;
		}
		if (!vocab)
			vocab = wordset_new(&ctx->arena, ctx->opts.vocabulary, ctx->opts.nvocabulary);
		((srule *)rule->data)->vocab = vocab;
	}
	return 0;
}

static int has_digit(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] >= '0' && p[i] <= '9')
			return 1;
	return 0;
}

static size_t cps(const char *p, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* In a word set, or its possessive base is ("Acme's" with "Acme"). */
static int in_set(const sl_wordset *s, const char *p, size_t n)
{
	if (wordset_has(s, p, n))
		return 1;
	if (n > 2 && p[n - 2] == '\'' && (p[n - 1] == 's' || p[n - 1] == 'S'))
		return wordset_has(s, p, n - 2);
	if (n > 4 && !memcmp(p + n - 4, "\xE2\x80\x99", 3) && (p[n - 1] == 's' || p[n - 1] == 'S'))
		return wordset_has(s, p, n - 4);
	return 0;
}

static void spell_rule_run(sl_run *run, const sl_rule *rule)
{
	sl_result *r = run->r;
	const srule *s = rule->data;
	sl_unit *u;
	size_t nu = scope_units(r, rule, 1, &u);
	for (size_t i = 0; i < nu && !run_full(run, rule); i++) {
		uint32_t sent = UINT32_MAX;
		int first = 1;
		for (size_t k = 0; k < u[i].nword && !run_full(run, rule); k++) {
			const sl_word *w = &u[i].word[k];
			if (w->sent != sent) {
				sent = w->sent;
				first = 1;
			}
			if (w->flags & SL_W_PUNCT)
				continue;
			int was_first = first;
			first = 0;
			if (!w->norm || (w->flags & (SL_W_PLACEHOLDER | SL_W_URL | SL_W_EMAIL |
			    SL_W_NUMBER | SL_W_ALLCAPS)))
				continue;
			if ((size_t)w->off + w->len > u[i].text->len)
				continue;
			const char *p = u[i].text->p + w->off;
			uint32_t c0;
			uc_utf8_next(p, w->len, &c0);
			if (!s->names && !was_first && c0 != UC_INVALID && uc_is_upper(c0))
				continue; /* a capital inside a sentence: a name */
			if (has_digit(p, w->len) || (double)cps(p, w->len) < s->min_length)
				continue;
			if (in_set(s->vocab, p, w->len) || in_set(s->ignore, p, w->len))
				continue;
			if (speller_check(run->ctx, p, w->len))
				continue;
			sl_hit *h = run_hit(run, rule, u[i].text, w->off, w->off + w->len,
			                    u[i].blk, u[i].blk >= 0 ? (int)w->sent : -1);
			h->match = arena_strndup(&r->arena, p, w->len);
		}
	}
}

static void spell_run(sl_run *run)
{
	const sl_context *ctx = run->ctx;
	for (size_t i = 0; i < ctx->nrule; i++) {
		const sl_rule *rule = ctx->rule[i];
		if (rule->kind == SL_RK_SPELL && rule_on(ctx, rule) && rule->data)
			spell_rule_run(run, rule);
	}
}

const sl_kind_ops spell_ops = { "spell", spell_compile, spell_link, spell_run };
