/*
 * spell.c - hunspell for the context (spell checks and stems) and the
 * spell rule kind.
 *
 * In: a dictionary path (Debian's en_US by default), words as UTF-8.
 * Out: speller_check / speller_stem answers, cached; spell rule hits (one
 * per unknown word; keys `min_length:`, `ignore:`, `names: skip|check`,
 * `alt: skip|include`; what is never checked is listed above
 * spell_rule_run).  Hunspell handles are not thread-safe, so every call
 * goes through one mutex per context; answers are cached in a hash table
 * of at most SPELL_CACHE_ENTRIES entries (when full, answers are computed
 * and not kept: slower, never wrong), and in front of it each thread
 * keeps a small direct-mapped cache of recent answers (L1_SLOTS) that
 * needs no lock.  Words longer than SPELL_WORD_MAX bytes are not asked
 * about (checked as known, stemmed as themselves).  The kind's passes
 * are linear in the scope's words; its per-file sets hold at most
 * SPELL_FILE_WORDS words.
 */
#include <iconv.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* The per-thread cache: a power of 2; words up to L1_WORD bytes (most
 * words of mail), answers up to L1_STEM bytes. */
#define L1_SLOTS ((size_t)16384)
#define L1_WORD 30
#define L1_STEM 30
/* Words one file's spell rule remembers (names, verdicts). */
#define SPELL_FILE_WORDS ((size_t)1 << 16)

typedef struct centry {
	uint64_t h;
	char *key;              /* kind byte + word, malloc'd with the answer */
	size_t klen;
	int ok;                 /* check: the answer */
	const char *stem;       /* stem: the answer (inside key's block) */
} centry;

struct sl_speller {
	unsigned id;            /* tells this speller's answers in the L1 cache */
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

/* Ids for spellers, so that a thread's L1 cache never answers for a
 * dictionary it did not ask (a freed context's address may be reused). */
static atomic_uint speller_ids;

/* One thread's recent answers: kind ('c' check, 's' stem) and word in
 * key, for speller id. */
typedef struct l1entry {
	uint64_t h;
	unsigned id;
	unsigned char klen, slen;
	signed char ok;
	char key[L1_WORD + 1];
	char stem[L1_STEM + 1];
} l1entry;

/* Each thread's cache, made on its first use and freed when the thread
 * ends (pthread key destructor) or, for the thread that closes a
 * speller, then. */
static pthread_key_t l1_key;
static pthread_once_t l1_once = PTHREAD_ONCE_INIT;
static int l1_ok;

static void l1_init(void)
{
	l1_ok = pthread_key_create(&l1_key, free) == 0;
}

static l1entry *l1_slot(unsigned id, const char *key, size_t klen, uint64_t h, int *hit)
{
	*hit = 0;
	if (klen > L1_WORD)
		return NULL;
	pthread_once(&l1_once, l1_init);
	if (!l1_ok)
		return NULL;
	l1entry *l1 = pthread_getspecific(l1_key);
	if (!l1) {
		l1 = calloc(L1_SLOTS, sizeof *l1);
		if (!l1 || pthread_setspecific(l1_key, l1)) {
			free(l1);
			return NULL;
		}
	}
	l1entry *e = &l1[h & (L1_SLOTS - 1)];
	*hit = e->id == id && e->h == h && e->klen == klen && !memcmp(e->key, key, klen);
	return e;
}

static void l1_put(l1entry *e, unsigned id, const char *key, size_t klen, uint64_t h, int ok,
                   const char *stem)
{
	size_t sl = stem ? strlen(stem) : 0;
	if (!e || sl > L1_STEM)
		return;
	e->id = id;
	e->h = h;
	e->klen = (unsigned char)klen;
	memcpy(e->key, key, klen);
	e->ok = (signed char)ok;
	e->slen = (unsigned char)sl;
	if (stem)
		memcpy(e->stem, stem, sl + 1);
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
	s->id = atomic_fetch_add(&speller_ids, 1) + 1;
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
	if (l1_ok) {
		/* this thread's cache: its answers are this speller's, or stale */
		free(pthread_getspecific(l1_key));
		pthread_setspecific(l1_key, NULL);
	}
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
	int hit;
	l1entry *le = l1_slot(s->id, key, klen, h, &hit);
	if (hit)
		return le->ok;
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
	l1_put(le, s->id, key, klen, h, ok, NULL);
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
	int hit;
	l1entry *le = l1_slot(s->id, key, klen, h, &hit);
	if (hit) {
		if ((size_t)le->slen + 1 > outsz)
			return 0;
		memcpy(out, le->stem, (size_t)le->slen + 1);
		return le->slen;
	}
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
	l1_put(le, s->id, key, klen, h, 1, st);
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
	int alt;                /* also check image alt texts */
	double min_length;
	sl_wordset *ignore;
	const sl_wordset *vocab;
} srule;

static int spell_scope_ok(sl_scope sc)
{
	return sc != SL_SC_RAW;
}

/* A key whose value is one of two words: *out 0 for no, 1 for yes. */
static int read_choice(sl_loader *L, sl_ynode *map, const char *key, const char *no,
                       const char *yes, int *out)
{
	sl_ynode *n = ynode_get(map, key);
	const char *v;
	if (!n)
		return 0;
	if (ynode_str(L, n, &v) < 0)
		return -1;
	if (!strcmp(v, yes) || !strcmp(v, no)) {
		*out = !strcmp(v, yes);
		return 0;
	}
	load_error(L, n, "%s must be %s or %s, not '%s'", key, no, yes, v);
	return -1;
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
	if (read_choice(L, map, "names", "skip", "check", &s->names) < 0 ||
	    read_choice(L, map, "alt", "skip", "include", &s->alt) < 0)
		rc = -1;
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

/* The shape of a word as written, for what is never checked. */
enum {
	SH_OK,          /* an ordinary word: check it */
	SH_OTHER,       /* digits, non-ASCII letters, dots, underscores */
	SH_INNER_CAP,   /* a capital after a lower-case letter: iPhone, PayPal */
};

static int shape(const char *p, size_t n)
{
	int lower = 0, inner = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x80) {
			/* the apostrophe U+2019 is part of English words */
			if (c == 0xE2 && i + 2 < n && (unsigned char)p[i + 1] == 0x80 &&
			    (unsigned char)p[i + 2] == 0x99) {
				i += 2;
				continue;
			}
			return SH_OTHER;
		}
		if ((c >= '0' && c <= '9') || c == '.' || c == '_')
			return SH_OTHER;
		if (c >= 'A' && c <= 'Z')
			inner |= lower;
		lower = c >= 'a' && c <= 'z';
	}
	return inner ? SH_INNER_CAP : SH_OK;
}

/* British spellings en_US lacks, by the regular correspondences:
 * colour/color, organise/organize, organisation/organization,
 * analyse/analyze, centre/center, catalogue/catalog, licence/license,
 * programme/program, travelled/traveled.  1 if one of them is known. */
static int british(const sl_context *ctx, const char *w, size_t n)
{
	static const struct {
		const char *gb, *us;
	} sub[] = {
		{ "our", "or" }, { "ise", "ize" }, { "isa", "iza" }, { "ising", "izing" },
		{ "yse", "yze" }, { "tre", "ter" }, { "ogue", "og" }, { "ence", "ense" },
		{ "mme", "m" }, { "lled", "led" }, { "lling", "ling" }, { "ller", "ler" },
	};
	char buf[SPELL_WORD_MAX + 8];
	if (n > SPELL_WORD_MAX)
		return 0;
	for (size_t k = 0; k < sizeof sub / sizeof *sub; k++) {
		size_t gl = strlen(sub[k].gb), ul = strlen(sub[k].us);
		for (size_t i = 0; i + gl <= n; i++) {
			if (memcmp(w + i, sub[k].gb, gl))
				continue;
			memcpy(buf, w, i);
			memcpy(buf + i, sub[k].us, ul);
			memcpy(buf + i + ul, w + i + gl, n - i - gl);
			if (speller_check(ctx, buf, n - gl + ul))
				return 1;
		}
	}
	return 0;
}

/* A prefix written with a hyphen before a word ("pre-order",
 * "co-founder", "non-profit"), which the dictionary does not list alone. */
static int prefix(const char *p, size_t n)
{
	static const char *const pre[] = {
		"anti", "bi", "co", "counter", "cross", "e", "ex", "inter", "macro", "micro", "mid",
		"mini", "multi", "non", "over", "post", "pre", "pro", "re", "self", "semi", "sub",
		"super", "tri", "ultra", "un", "under",
	};
	for (size_t i = 0; i < sizeof pre / sizeof *pre; i++) {
		size_t k = strlen(pre[i]);
		if (n != k)
			continue;
		size_t j = 0;
		while (j < k && (p[j] | 0x20) == pre[i][j])
			j++;
		if (j == k)
			return 1;
	}
	return 0;
}

/* Does the dictionary know the word, read generously: as written; each
 * part of a hyphenated compound ("full-day"; a first part may be a
 * prefix: "pre-order"); without a possessive 's;
 * capitalised ("i'll", "monday": capitals, not spelling); or as the
 * British spelling of a known word. */
static int known(const sl_context *ctx, const char *p, size_t n)
{
	if (speller_check(ctx, p, n))
		return 1;
	if (memchr(p, '-', n)) {
		size_t a = 0;
		int all = 1, parts = 0;
		while (a <= n && all) {
			const char *h = memchr(p + a, '-', n - a);
			size_t b = h ? (size_t)(h - p) : n;
			if (b > a) {
				all = (!parts && b < n && prefix(p, b)) || known(ctx, p + a, b - a);
				parts++;
			}
			a = b + 1;
		}
		return all && parts > 0;
	}
	size_t base = n;
	if (n > 2 && p[n - 2] == '\'' && (p[n - 1] == 's' || p[n - 1] == 'S'))
		base = n - 2;
	else if (n > 4 && !memcmp(p + n - 4, "\xE2\x80\x99", 3) && (p[n - 1] == 's' || p[n - 1] == 'S'))
		base = n - 4;
	else if (n > 1 && p[n - 1] == '\'')
		base = n - 1; /* the plural possessive: "customers'" */
	if (base < n && base > 0 && speller_check(ctx, p, base))
		return 1;
	if (p[0] >= 'a' && p[0] <= 'z' && n <= SPELL_WORD_MAX) {
		char up[SPELL_WORD_MAX];
		memcpy(up, p, n);
		up[0] = (char)(up[0] - 32);
		if (speller_check(ctx, up, n))
			return 1;
	}
	char low[SPELL_WORD_MAX];
	if (n > SPELL_WORD_MAX)
		return 1;
	for (size_t i = 0; i < n; i++)
		low[i] = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] + 32) : p[i];
	return british(ctx, low, n);
}

/* Is the word at p[0..n) of t written as code or markup rather than
 * prose: touching a character that prose does not put against a word
 * (a path "/usr/bin", an attribute "href=", a tag "<td", a list tag
 * "[zzzzteana]", a file or host name "config.txt", an entity "&nbsp")? */
static int code_context(const sl_text *t, const char *p, size_t n)
{
	size_t off = (size_t)(p - t->p);
	char before = off > 0 ? t->p[off - 1] : ' ';
	char after = off + n < t->len ? t->p[off + n] : ' ';
	char after2 = off + n + 1 < t->len ? t->p[off + n + 1] : ' ';
	char before2 = off > 1 ? t->p[off - 2] : ' ';
	if (before && strchr("</\\&$%@#_=[~`|^*{", before))
		return 1;
	/* a dot with a letter straight before it: "config.txt" */
	if (before == '.' && ((before2 >= 'a' && before2 <= 'z') || (before2 >= 'A' && before2 <= 'Z')))
		return 1;
	if (after && strchr("=(/\\>_][@`|{^*", after))
		return 1;
	/* a dot with a letter straight after it: a file or host name */
	return after == '.' && ((after2 >= 'a' && after2 <= 'z') || (after2 >= 'A' && after2 <= 'Z'));
}

/* A word's verdict in one file. */
enum { V_SKIP, V_KNOWN, V_UNKNOWN };

/* Words a file uses, for the kind's passes. */
typedef struct fset {
	const char **slot;
	size_t cap, n;
} fset;

static void fset_init(sl_arena *a, fset *f, size_t words)
{
	f->cap = 64;
	while (f->cap < 2 * words && f->cap < 2 * SPELL_FILE_WORDS)
		f->cap *= 2;
	f->slot = arena_zalloc(a, f->cap * sizeof *f->slot);
	f->n = 0;
}

/* The slot of w[0..n) (exact bytes): its entry, or the empty one where
 * it would go (NULL when the set is full). */
static const char **fset_slot(const fset *f, const char *w, size_t n)
{
	size_t mask = f->cap - 1;
	for (size_t i = hash_bytes(w, n) & mask, k = 0; k < f->cap; i = (i + 1) & mask, k++) {
		const char *e = f->slot[i];
		if (!e || (!strncmp(e, w, n) && !e[n]))
			return &f->slot[i];
	}
	return NULL;
}

static int fset_has(const fset *f, const char *w, size_t n)
{
	const char **e = fset_slot(f, w, n);
	return e && *e;
}

/* Add w[0..n) unless present or the set is half full. */
static void fset_add(sl_arena *a, fset *f, const char *w, size_t n)
{
	const char **e = fset_slot(f, w, n);
	if (e && !*e && f->n + 1 < f->cap / 2) {
		*e = arena_strndup(a, w, n);
		f->n++;
	}
}

/* Block kinds whose words are not the sender's prose: quoted replies and
 * preformatted text (code, logs, tables of figures). */
static int prose_unit(const sl_result *r, const sl_unit *u)
{
	if (u->blk < 0 || (size_t)u->blk >= r->doc.nblk)
		return 1;
	sl_block_kind k = r->doc.blk[u->blk].kind;
	return k != SL_BLK_QUOTE && k != SL_BLK_PRE;
}

/* A unit whose words are mostly unknown (UNIT_UNKNOWN_MIN or more, over
 * half of those checked) is not English prose: another language, lorem
 * ipsum, code, markup shown as text; a file with over FILE_UNKNOWN_SHARE
 * of its FILE_WORDS_MIN or more checked words unknown is not English. */
#define UNIT_UNKNOWN_MIN 2
#define FILE_WORDS_MIN 20
#define FILE_UNKNOWN_SHARE 0.25

/* Is token k (capitalised, opening its sentence) alone in its sentence
 * or followed by a capitalised word the dictionary does not know (a
 * surname; "Recieve Gifts" is a title, not a name)? */
static int name_pair(const sl_context *ctx, const sl_unit *u, size_t k)
{
	size_t j = k + 1;
	while (j < u->nword && u->word[j].sent == u->word[k].sent &&
	       (u->word[j].flags & SL_W_PUNCT) && u->word[j].len == 1 &&
	       u->text->p[u->word[j].off] == '\'')
		j++;
	if (j >= u->nword || u->word[j].sent != u->word[k].sent)
		return 1;
	const sl_word *w = &u->word[j];
	if (!w->norm || (w->flags & SL_W_PUNCT) || (size_t)w->off + w->len > u->text->len)
		return 0;
	uint32_t c0;
	uc_utf8_next(u->text->p + w->off, w->len, &c0);
	return c0 != UC_INVALID && uc_is_upper(c0) && !speller_check(ctx, u->text->p + w->off, w->len);
}

/* The verdict on token k of unit u; was_first: it opens its sentence
 * (where a capital is no sign of a name). */
static int verdict(sl_result *r, const srule *s, const sl_unit *u, size_t k, int was_first,
                   const fset *names)
{
	const sl_word *w = &u->word[k];
	if (!w->norm || (w->flags & (SL_W_PLACEHOLDER | SL_W_URL | SL_W_EMAIL | SL_W_NUMBER |
	    SL_W_ALLCAPS | SL_W_PUNCT)))
		return V_SKIP;
	if ((size_t)w->off + w->len > u->text->len)
		return V_SKIP;
	const char *p = u->text->p + w->off;
	int sh = shape(p, w->len);
	if (sh != SH_OK || (double)cps(p, w->len) < s->min_length || code_context(u->text, p, w->len))
		return V_SKIP;
	uint32_t c0;
	uc_utf8_next(p, w->len, &c0);
	int cap = c0 != UC_INVALID && uc_is_upper(c0);
	if (cap && !was_first && !s->names)
		return V_SKIP; /* a capital inside a sentence: a name */
	if (in_set(s->vocab, p, w->len) || in_set(s->ignore, p, w->len))
		return V_SKIP;
	if (known(r->ctx, p, w->len))
		return V_KNOWN;
	/* a capitalised word that opens its sentence and is used as a name
	 * elsewhere in the file ("Niall wrote ..." after "thanks, Niall"),
	 * or stands alone there (a signature), or comes before another
	 * capitalised word (a first name and a surname: "Rohit Khare") */
	if (cap && !s->names && (fset_has(names, p, w->len) || name_pair(r->ctx, u, k)))
		return V_SKIP;
	return V_UNKNOWN;
}

/* Unknown words of the scope's units.  Never checked: placeholders,
 * URLs, e-mail addresses, numbers, ALL-CAPS words, words with digits,
 * dots or underscores, words with letters beyond ASCII (other languages,
 * mis-decoded text), words with a capital after a lower-case letter
 * (iPhone, PayPal: brands and code), the vocabulary and the rule's
 * ignore: list; capitalised words inside a sentence (names) unless
 * names: check, and capitalised words at a sentence's start that the
 * file also uses inside a sentence; quoted replies and preformatted
 * blocks; units mostly of unknown words and files with too many (see
 * UNIT_UNKNOWN_MIN, FILE_UNKNOWN_SHARE).  Known: see known(). */
static void spell_rule_run(sl_run *run, const sl_rule *rule)
{
	sl_result *r = run->r;
	const srule *s = rule->data;
	sl_unit *u, *ua = NULL;
	size_t nu = scope_units(r, rule, 1, &u), na = 0;
	if (s->alt && rule->scope != SL_SC_ALT) {
		sl_rule alt = *rule;
		alt.scope = SL_SC_ALT;
		na = scope_units(r, &alt, 1, &ua);
	}
	size_t total = nu + na, words = 0;
	for (size_t i = 0; i < total; i++)
		words += i < nu ? u[i].nword : ua[i - nu].nword;
	/* pass 1: capitalised words used as names inside sentences */
	fset names;
	fset_init(&r->arena, &names, words < SPELL_FILE_WORDS ? words : SPELL_FILE_WORDS);
	for (size_t i = 0; i < total; i++) {
		const sl_unit *x = i < nu ? &u[i] : &ua[i - nu];
		uint32_t sent = UINT32_MAX;
		int first = 1;
		for (size_t k = 0; k < x->nword; k++) {
			const sl_word *w = &x->word[k];
			if (w->sent != sent) {
				sent = w->sent;
				first = 1;
			}
			if (w->flags & SL_W_PUNCT)
				continue;
			if (!first && w->norm && (size_t)w->off + w->len <= x->text->len) {
				const char *p = x->text->p + w->off;
				uint32_t c0;
				uc_utf8_next(p, w->len, &c0);
				if (c0 != UC_INVALID && uc_is_upper(c0) && shape(p, w->len) == SH_OK)
					fset_add(&r->arena, &names, p, w->len);
			}
			first = 0;
		}
	}
	/* pass 2: verdicts; pass 3: hits, unless the file or the unit is not
	 * English */
	unsigned char *v = arena_zalloc(&r->arena, words + 1);
	size_t checked = 0, unknown = 0, at = 0;
	for (size_t i = 0; i < total; i++) {
		const sl_unit *x = i < nu ? &u[i] : &ua[i - nu];
		uint32_t sent = UINT32_MAX;
		int first = 1;
		int prose = prose_unit(r, x);
		for (size_t k = 0; k < x->nword; k++, at++) {
			const sl_word *w = &x->word[k];
			if (w->sent != sent) {
				sent = w->sent;
				first = 1;
			}
			if (w->flags & SL_W_PUNCT)
				continue;
			v[at] = prose ? (unsigned char)verdict(r, s, x, k, first, &names) : V_SKIP;
			first = 0;
			checked += v[at] != V_SKIP;
			unknown += v[at] == V_UNKNOWN;
		}
	}
	if (checked >= FILE_WORDS_MIN && (double)unknown > FILE_UNKNOWN_SHARE * (double)checked)
		return;
	at = 0;
	for (size_t i = 0; i < total && !run_full(run, rule); i++) {
		const sl_unit *x = i < nu ? &u[i] : &ua[i - nu];
		size_t uc = 0, uu = 0;
		for (size_t k = 0; k < x->nword; k++) {
			uc += v[at + k] != V_SKIP;
			uu += v[at + k] == V_UNKNOWN;
		}
		if (uu >= UNIT_UNKNOWN_MIN && 2 * uu > uc) {
			at += x->nword;
			continue;
		}
		for (size_t k = 0; k < x->nword && !run_full(run, rule); k++) {
			if (v[at + k] != V_UNKNOWN)
				continue;
			const sl_word *w = &x->word[k];
			sl_hit *h = run_hit(run, rule, x->text, w->off, w->off + w->len,
			                    x->blk, x->blk >= 0 ? (int)w->sent : -1);
			h->match = arena_strndup(&r->arena, x->text->p + w->off, w->len);
		}
		at += x->nword;
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
