/*
 * words.c - the tokeniser: one block's text into tokens.
 *
 * In: an sl_text (UTF-8 that may hold NULs and invalid bytes).  Out: an
 * arena array of sl_word (offsets into the text) in one forward pass:
 *
 *   placeholder  {{ }}, {{{ }}}, {% %}, {# #}, <% %>  (inside at most
 *                PH_MAX bytes), *|NAME|*, %%NAME%%, ${NAME}, [[NAME]]
 *                (NAME at most PH_NAME_MAX bytes of [A-Za-z0-9_.:=-] and, but
 *                for %%, spaces); unclosed openers are punctuation
 *   URL          scheme://..., mailto:addr, www.host.tld..., and bare
 *                host.tld[/path] for the common TLDs in tld_list; trailing
 *                . , ; : ! ? ' * and unbalanced ) ] are left out;
 *                placeholders inside a URL belong to it
 *   e-mail       local@host.tld (local part at most 64 bytes)
 *   number       digits with , . : / - between digits; a currency sign or
 *                '#' directly before ("$25", "#4417") and a %, per mille
 *                or currency sign directly after ("50%", "25€") belong to
 *                it; digits running into letters make a word ("3rd", "4GB")
 *   word         letters, digits and combining marks; ' and U+2019 between
 *                letters ("don't"), hyphens between letters or digits
 *                ("e-mail", "COVID-19"); letter-dot abbreviations such as
 *                "U.S.", "e.g.", "Ph.D." keep their dots
 *   punctuation  a run of punctuation and symbols (a new token at an
 *                opening bracket or quote, a placeholder, a number); emoji
 *                runs (with ZWJ, variation selectors, skin tones, keycaps,
 *                tags) are tokens of their own, flagged SL_W_EMOJI
 *
 * Invisible characters (soft hyphen, U+200B-U+200F, U+2060-U+206F, bidi
 * controls, U+FEFF) inside or around a word stay in its span, set
 * SL_W_ZEROWIDTH and are left out of its norm; elsewhere they separate
 * nothing and are skipped.  Each invalid byte is a punctuation token of
 * its own.  norm (words and numbers only) is the simple case folding with
 * U+2019 as ' and U+2010/U+2011 as '-'.
 *
 * Cost: every look-ahead is bounded (the *_MAX below) or memoised (the
 * next closer of each kind, the next '@', where a failed URL, host or
 * address scan ended), so the pass is linear.  ASCII words, numbers and
 * punctuation with nothing special around them (most of mail) take a
 * fast path of byte tables and tight loops with the pass's state in
 * registers; it hands anything else, from the token's start, to the
 * general path, so the tokens are the same either way.  Norms come from
 * a bump pool; tokens go to a scratch array shared by every block
 * (text_words_blocks) and are copied out at their exact size: no
 * allocation per token and little memory touched, which on large texts
 * costs more than the instructions; a block whose tokens fill a scratch
 * of SCRATCH_KEEP bytes or more keeps it instead.  Limits: offsets are
 * uint32; a text of 4 GiB cannot get past the input limit, so one is a
 * BUG.
 */
#include "internal.h"

#define PH_MAX   256   /* bytes inside a bracketed placeholder */
#define PH_NAME_MAX 64 /* bytes of a named placeholder */
#define LOCAL_MAX 64   /* RFC 5321 4.5.3.1.1: local part */
#define HOST_MAX 253   /* RFC 1035: a host name */
#define ABBREV_MAX 8   /* letter groups of an abbreviation */
#define POOL_CHUNK ((size_t)64 << 10)
/* A scratch token array this large is handed to its block instead of
 * being copied (text_words_blocks). */
#define SCRATCH_KEEP ((size_t)1 << 20)

/* The first occurrence of a needle at or after `from` (n if none),
 * remembered so that later queries from further on cost nothing until
 * they pass it: the scans never overlap, so all of them are linear. */
typedef struct memo {
	size_t from, pos;
	int valid;
} memo;

enum { C_3BRACE, C_2BRACE, C_PCTBRACE, C_HASHBRACE, C_PCTANGLE, C_N };

typedef struct tok {
	/* kept from text to text */
	sl_arena *a;
	sl_word *w;            /* the tokens of the current text */
	size_t alloc;
	char *pool, *pool_end; /* norms are bumped from here */
	size_t pool_chunk;
	size_t min_alloc;      /* of w, once it is first needed */
	/* per text */
	const char *p;
	size_t n, nw;
	memo close[C_N];
	memo at;
	/* a failed scan from an earlier start covered up to here: a start
	 * inside would fail the same way, so it is not tried again */
	size_t scheme_fail, host_fail, mail_fail;
	/* the first token longer than SL_WORD_NORM_MAX, left without a norm */
	int longw;
	size_t long_off, long_end;
} tok;

_Static_assert(SL_WORD_NORM_MAX + SL_WORD_NORM_MAX / 2 < 65536,
               "a norm's length fits sl_word.normlen");

static const char *const closers[C_N] = { "}}}", "}}", "%}", "#}", "%>" };

static size_t find_memo(const tok *tk, memo *m, const char *s, size_t k, size_t from)
{
	if (m->valid && m->from <= from && m->pos >= from)
		return m->pos;
	const char *p = tk->p;
	size_t n = tk->n, i = from, pos = n;
	while (i < n && n - i >= k) {
		const char *q = memchr(p + i, s[0], n - i - k + 1);
		if (!q)
			break;
		i = (size_t)(q - p);
		if (!memcmp(q, s, k)) {
			pos = i;
			break;
		}
		i++;
	}
	m->valid = 1;
	m->from = from;
	m->pos = pos;
	return pos;
}

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

static int is_alpha(unsigned char c)
{
	return (c | 32) >= 'a' && (c | 32) <= 'z';
}

/* Class of the character at i (UC_PUNCT for an invalid byte), its code
 * point and length. */
static inline unsigned cls_at(const tok *tk, size_t i, uint32_t *cp, size_t *len)
{
	unsigned char b = (unsigned char)tk->p[i];
	if (b < 0x80) {
		*cp = b;
		*len = 1;
		return uc_ascii_class[b];
	}
	*len = uc_utf8_next(tk->p + i, tk->n - i, cp);
	return *cp == UC_INVALID ? UC_PUNCT : uc_class(*cp);
}

static unsigned cls_at1(const tok *tk, size_t i)
{
	uint32_t cp;
	size_t l;
	return i < tk->n ? cls_at(tk, i, &cp, &l) : 0;
}

static uint32_t cp_at(const tok *tk, size_t i)
{
	uint32_t cp;
	if (i >= tk->n)
		return UC_INVALID;
	uc_utf8_next(tk->p + i, tk->n - i, &cp);
	return cp;
}

/* --- placeholders -------------------------------------------------- */

static size_t ph_braced(tok *tk, size_t i, size_t olen, int kind)
{
	const char *c = closers[kind];
	size_t clen = strlen(c);
	size_t q = find_memo(tk, &tk->close[kind], c, clen, i + olen);
	if (q >= tk->n || q - (i + olen) > PH_MAX)
		return 0;
	return q + clen - i;
}

static size_t ph_named(const tok *tk, size_t i, size_t olen, const char *close,
                       int spaces)
{
	size_t j = i + olen, lim = j + PH_NAME_MAX, clen = strlen(close);
	int any = 0;
	while (j < tk->n && j < lim) {
		unsigned char c = (unsigned char)tk->p[j];
		if (is_alnum(c) || c == '_')
			any = 1;
		else if (!(c == '-' || c == '.' || c == ':' || c == '=' ||
		           (spaces && c == ' ')))
			break;
		j++;
	}
	if (!any || tk->n - j < clen || memcmp(tk->p + j, close, clen))
		return 0;
	return j + clen - i;
}

/* Length of the placeholder starting at i, or 0. */
static size_t try_placeholder(tok *tk, size_t i)
{
	if (tk->n - i < 4)
		return 0;
	const char *p = tk->p + i;
	size_t k;
	switch (p[0]) {
	case '{':
		if (p[1] == '{') {
			if (p[2] == '{' && (k = ph_braced(tk, i, 3, C_3BRACE)))
				return k;
			return ph_braced(tk, i, 2, C_2BRACE);
		}
		if (p[1] == '%')
			return ph_braced(tk, i, 2, C_PCTBRACE);
		if (p[1] == '#')
			return ph_braced(tk, i, 2, C_HASHBRACE);
		return 0;
	case '<':
		return p[1] == '%' ? ph_braced(tk, i, 2, C_PCTANGLE) : 0;
	case '*':
		return p[1] == '|' ? ph_named(tk, i, 2, "|*", 1) : 0;
	case '%':
		return p[1] == '%' ? ph_named(tk, i, 2, "%%", 0) : 0;
	case '$':
		return p[1] == '{' ? ph_named(tk, i, 2, "}", 1) : 0;
	case '[':
		return p[1] == '[' ? ph_named(tk, i, 2, "]]", 1) : 0;
	}
	return 0;
}

static int ph_opener(unsigned char c)
{
	return c == '{' || c == '<' || c == '*' || c == '%' || c == '$' || c == '[';
}

/* Could try_placeholder find one at i (an opener there)?  Its own first
 * test, without the call: four bytes and the opener's second byte. */
static inline int ph_may_open(const unsigned char *p, size_t n, size_t i)
{
	if (n - i < 4)
		return 0;
	switch (p[i]) {
	case '{':
		return p[i + 1] == '{' || p[i + 1] == '%' || p[i + 1] == '#';
	case '<': case '%':
		return p[i + 1] == '%';
	case '*':
		return p[i + 1] == '|';
	case '$':
		return p[i + 1] == '{';
	case '[':
		return p[i + 1] == '[';
	}
	return 0;
}

/* --- emoji --------------------------------------------------------- */

/* A keycap: [0-9#*] U+FE0F? U+20E3.  Returns its length or 0. */
static inline size_t keycap(const tok *tk, size_t i)
{
	unsigned char c = (unsigned char)tk->p[i];
	if (!((c >= '0' && c <= '9') || c == '#' || c == '*'))
		return 0;
	/* both continuations start with one of these lead bytes */
	if (i + 1 >= tk->n || ((unsigned char)tk->p[i + 1] != 0xEF &&
	                       (unsigned char)tk->p[i + 1] != 0xE2))
		return 0;
	size_t j = i + 1;
	if (cp_at(tk, j) == 0xFE0F)
		j += 3;
	return cp_at(tk, j) == 0x20E3 ? j + 3 - i : 0;
}

static inline int followed_by_vs16(const tok *tk, size_t j)
{
	/* U+FE0F is EF B8 8F */
	return j + 2 < tk->n && (unsigned char)tk->p[j] == 0xEF &&
	       (unsigned char)tk->p[j + 1] == 0xB8 && (unsigned char)tk->p[j + 2] == 0x8F;
}

/* --- URLs and e-mail addresses ----------------------------------------- */

static int url_byte(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7F)
		return 0;
	switch (c) {
	case '<': case '>': case '"': case '`': case '{': case '}':
	case '|': case '\\': case '^':
		return 0;
	}
	return 1;
}

/* The end of a URL whose body starts at i; nothing before keep is
 * trimmed.  Returns i if the body is empty. */
static size_t url_body(tok *tk, size_t i, size_t keep)
{
	const char *p = tk->p;
	size_t n = tk->n, j = i;
	long paren = 0, brack = 0;
	while (j < n) {
		unsigned char c = (unsigned char)p[j];
		if (c < 0x80) {
			size_t ph;
			if (ph_opener(c) && (ph = try_placeholder(tk, j))) {
				j += ph;
				keep = j;
				continue;
			}
			if (!url_byte(c))
				break;
			paren += c == '(' ? 1 : c == ')' ? -1 : 0;
			brack += c == '[' ? 1 : c == ']' ? -1 : 0;
			j++;
			continue;
		}
		uint32_t cp;
		size_t l;
		unsigned cls = cls_at(tk, j, &cp, &l);
		if (!(cls & (UC_LETTER | UC_DIGIT | UC_MARK)))
			break;
		j += l;
	}
	while (j > keep && j > i) {
		unsigned char c = (unsigned char)p[j - 1];
		if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' ||
		    c == '?' || c == '\'' || c == '*') {
			j--;
		} else if (c == ')' && paren < 0) {
			paren++;
			j--;
		} else if (c == ']' && brack < 0) {
			brack++;
			j--;
		} else {
			break;
		}
	}
	return j;
}

/* Labels [A-Za-z0-9-]+ joined by dots from i: the end, the label count and
 * where the last label starts.  Stops before a dot not followed by a label
 * character. */
static size_t host_scan(const tok *tk, size_t i, int *nlab, size_t *last)
{
	const char *p = tk->p;
	size_t n = tk->n, j = i;
	*nlab = 0;
	for (;;) {
		size_t s = j;
		while (j < n && j - i < HOST_MAX &&
		       (is_alnum((unsigned char)p[j]) || p[j] == '-'))
			j++;
		if (j == s)
			return s == i ? i : s - 1;
		(*nlab)++;
		*last = s;
		if (j + 1 < n && j - i < HOST_MAX && p[j] == '.' &&
		    is_alnum((unsigned char)p[j + 1])) {
			j++;
			continue;
		}
		return j;
	}
}

/* Is the character at j one that would continue a word (so what came
 * before cannot end a host name)? */
static int word_continues(const tok *tk, size_t j)
{
	if (j >= tk->n)
		return 0;
	unsigned char c = (unsigned char)tk->p[j];
	if (c < 0x80)
		return is_alnum(c) || c == '_' || c == '@';
	return (cls_at1(tk, j) & (UC_LETTER | UC_DIGIT | UC_MARK)) != 0;
}

static size_t try_email(tok *tk, size_t i)
{
	const char *p = tk->p;
	if (i < tk->mail_fail)
		return 0;
	size_t at = find_memo(tk, &tk->at, "@", 1, i);
	if (at >= tk->n || at == i || at - i > LOCAL_MAX)
		return 0;
	for (size_t k = i; k < at; k++) {
		unsigned char c = (unsigned char)p[k];
		if (!(is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
		      c == '-')) {
			tk->mail_fail = k + 1;
			return 0;
		}
	}
	int nlab;
	size_t last = 0, end = host_scan(tk, at + 1, &nlab, &last), k;
	for (k = last; k < end && is_alpha((unsigned char)p[k]); k++)
		;
	if (p[at - 1] == '.' || nlab < 2 || end - last < 2 || k < end ||
	    word_continues(tk, end)) {
		tk->mail_fail = at + 1;
		return 0;
	}
	return end - i;
}

/* Common top-level domains for bare "host.tld" links; two-letter words
 * that read as English ("in", "it", "me", "no", ...) are left out. */
static const char *const tld_list[] = {
	"ai", "app", "au", "biz", "br", "ca", "ch", "club", "cn", "co", "com",
	"de", "dev", "dk", "edu", "email", "es", "eu", "fi", "fr", "gov", "info",
	"io", "jp", "link", "ly", "net", "nl", "nz", "online", "org", "pl",
	"ru", "se", "shop", "site", "store", "tv", "uk", "us", "xyz",
};

static int is_tld(const char *s, size_t n)
{
	char low[8];
	if (n < 2 || n >= sizeof low)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_alpha((unsigned char)s[i]))
			return 0;
		low[i] = (char)(s[i] | 32);
	}
	low[n] = 0;
	size_t lo = 0, hi = sizeof tld_list / sizeof *tld_list;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(low, tld_list[mid]);
		if (!c)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int ieq_ascii(const char *p, const char *lit, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((p[i] | 32) != lit[i])
			return 0;
	return 1;
}

/* At an ASCII letter or digit: the length of a URL starting here, or 0. */
static size_t try_url(tok *tk, size_t i)
{
	const char *p = tk->p;
	size_t n = tk->n, j = i;
	if (is_alpha((unsigned char)p[i]) && i >= tk->scheme_fail) {
		while (j < n && j - i < 32 &&
		       (is_alnum((unsigned char)p[j]) || p[j] == '+' || p[j] == '-' ||
		        p[j] == '.'))
			j++;
		if (n - j >= 3 && p[j] == ':' && p[j + 1] == '/' && p[j + 2] == '/') {
			size_t e = url_body(tk, j + 3, j + 3);
			if (e > j + 3)
				return e - i;
		}
		if (j - i == 6 && j < n && p[j] == ':' && ieq_ascii(p + i, "mailto", 6)) {
			size_t e = try_email(tk, j + 1);
			if (e)
				return j + 1 + e - i;
		}
		tk->scheme_fail = j;
	}
	if (i < tk->host_fail)
		return 0;
	int nlab;
	size_t last = i, h;
	if (n - i > 4 && ieq_ascii(p + i, "www.", 4)) {
		h = host_scan(tk, i + 4, &nlab, &last);
		if (nlab >= 2 && !word_continues(tk, h))
			return url_body(tk, i, h) - i;
	}
	/* bare host.tld */
	h = host_scan(tk, i, &nlab, &last);
	if (nlab < 2 || !is_tld(p + last, h - last) || word_continues(tk, h)) {
		tk->host_fail = h;
		return 0;
	}
	if (h < n && p[h] == '/')
		h = url_body(tk, h, h + 1);
	return h - i;
}

/* --- words and numbers --------------------------------------------- */

typedef struct winfo {
	int nupper, nlower, first_upper, seen_letter, zw, nonascii;
	unsigned scripts;
} winfo;

static void note_letter(winfo *wi, uint32_t cp, unsigned cls)
{
	int up = uc_is_upper(cp);
	if (!wi->seen_letter)
		wi->first_upper = up;
	wi->seen_letter = 1;
	if (up)
		wi->nupper++;
	else if (cls & UC_CASED)
		wi->nlower++;
	wi->scripts |= cls & (UC_LATIN | UC_GREEK | UC_CYRILLIC);
}

/* "U.S.", "e.g.", "Ph.D.": a first group of one or two letters, then
 * single letters, each followed by a dot; at most ABBREV_MAX groups.
 * Length or 0. */
static size_t try_abbrev(const tok *tk, size_t i)
{
	size_t j = i;
	int seg = 0;
	for (;;) {
		size_t k = 0;
		while (j < tk->n && k < 3) {
			uint32_t cp;
			size_t l;
			if (!(cls_at(tk, j, &cp, &l) & UC_LETTER))
				break;
			j += l;
			k++;
		}
		if (k == 0 || k > (seg ? 1u : 2u) || j >= tk->n || tk->p[j] != '.')
			return 0;
		j++;
		if (++seg > ABBREV_MAX)
			return 0;
		if (!(cls_at1(tk, j) & UC_LETTER))
			break;
	}
	if (seg < 2 || (cls_at1(tk, j) & (UC_DIGIT | UC_MARK)))
		return 0;
	return j - i;
}

/* Letters, digits, marks, invisibles, with ' and hyphens inside. */
static size_t scan_word(const tok *tk, size_t i, size_t lim, winfo *wi)
{
	const unsigned char *p = (const unsigned char *)tk->p;
	size_t j = i;
	int prev_alnum = 0;
	while (j < lim) {
		/* ASCII letters and digits, the bulk of mail, without lookups */
		size_t j0 = j;
		while (j < lim && (unsigned)(p[j] - 'a') < 26u)
			j++;
		if (j > j0) {
			wi->nlower += (int)(j - j0);
			wi->seen_letter = 1;
			wi->scripts |= UC_LATIN;
			prev_alnum = 1;
			if (j >= lim)
				break;
		}
		unsigned char b = p[j];
		if (b >= 'A' && b <= 'Z') {
			if (!wi->seen_letter)
				wi->first_upper = 1;
			wi->nupper++;
			wi->seen_letter = 1;
			wi->scripts |= UC_LATIN;
			prev_alnum = 1;
			j++;
			continue;
		}
		if (b >= '0' && b <= '9') {
			prev_alnum = 1;
			j++;
			continue;
		}
		if (b < 0x80 && b != '\'' && b != '-')
			break;
		uint32_t cp;
		size_t l;
		unsigned cls = cls_at(tk, j, &cp, &l);
		if (cp >= 0x80)
			wi->nonascii = 1;
		if (cls & (UC_LETTER | UC_DIGIT)) {
			if (cls & UC_LETTER)
				note_letter(wi, cp, cls);
			prev_alnum = 1;
		} else if (cls & UC_MARK) {
			/* continues what it sits on */
		} else if (cls & UC_IGNORE) {
			wi->zw = 1;
		} else if ((cls & (UC_APOS | UC_HYPHEN)) && prev_alnum && j + l < lim) {
			unsigned nx = cls_at1(tk, j + l);
			if (!(nx & UC_LETTER) && !((cls & UC_HYPHEN) && (nx & UC_DIGIT)))
				break;
			prev_alnum = 0;
		} else {
			break;
		}
		j += l;
	}
	return j;
}

/* A number from i (a digit, or a currency sign or '#' before a digit).
 * Sets *word when it is digits running into letters ("3rd"). */
static size_t scan_number(const tok *tk, size_t i, int *word, int *nonascii)
{
	const char *p = tk->p;
	size_t n = tk->n, j = i;
	uint32_t cp;
	size_t l;
	unsigned cls = cls_at(tk, j, &cp, &l);
	int affix = 0, sep = 0;
	*word = 0;
	if (!(cls & UC_DIGIT)) {
		affix = 1;
		j += l;
	}
	while (j < n) {
		cls = cls_at(tk, j, &cp, &l);
		if (cls & UC_DIGIT) {
			j += l;
			continue;
		}
		unsigned char c = (unsigned char)p[j];
		if ((c == ',' || c == '.' || c == ':' || c == '/' || c == '-') &&
		    (cls_at1(tk, j + 1) & UC_DIGIT)) {
			sep = 1;
			j++;
			continue;
		}
		break;
	}
	if (j < n) {
		cls = cls_at(tk, j, &cp, &l);
		if (cp == '%' || cp == 0x2030 || (cls & UC_CURRENCY)) {
			affix = 1;
			j += l;
		} else if (!affix && !sep &&
		           ((cls & UC_LETTER) ||
		            ((cls & UC_HYPHEN) && (cls_at1(tk, j + l) & (UC_LETTER | UC_DIGIT))))) {
			*word = 1;
		}
	}
	for (size_t k = i; k < j; k++)
		if ((unsigned char)p[k] >= 0x80)
			*nonascii = 1;
	return j;
}

static char *pool_reserve(tok *tk, size_t need)
{
	if ((size_t)(tk->pool_end - tk->pool) < need) {
		size_t sz = tk->pool_chunk < need ? need : tk->pool_chunk;
		tk->pool = arena_alloc(tk->a, sz);
		tk->pool_end = tk->pool + sz;
	}
	return tk->pool;
}

/* The norm of [off, end): folded, invisibles dropped, U+2019 -> ',
 * U+2010/U+2011 -> '-'.  Folding grows UTF-8 by at most half (a 2-byte
 * letter folding to a 3-byte one). */
/* A word or number too long for a norm (SL_WORD_NORM_MAX): none, and the
 * first is reported (words_limit). */
static __attribute__((noinline)) void no_norm(tok *tk, sl_word *w, size_t off, size_t end)
{
	w->norm = NULL;
	w->normlen = 0;
	if (!tk->longw) {
		tk->longw = 1;
		tk->long_off = off;
		tk->long_end = end;
	}
}

static void set_norm(tok *tk, sl_word *w, size_t off, size_t end, int nonascii,
                     int upper)
{
	size_t len = end - off;
	if (len > SL_WORD_NORM_MAX) {
		no_norm(tk, w, off, end);
		return;
	}
	char *o = pool_reserve(tk, len + len / 2 + 1);
	const char *p = tk->p;
	size_t k = 0;
	if (!nonascii && !upper) {
		if (len <= 16) {
			for (; k < len; k++)
				o[k] = p[off + k];
		} else {
			memcpy(o, p + off, len);
			k = len;
		}
	} else if (!nonascii) {
		for (size_t i = off; i < end; i++) {
			unsigned char c = (unsigned char)p[i];
			o[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
	} else {
		size_t i = off;
		while (i < end) {
			uint32_t cp;
			size_t l = uc_utf8_next(p + i, end - i, &cp);
			if (cp == UC_INVALID) {
				o[k++] = p[i];
			} else if (cp == 0x2019) {
				o[k++] = '\'';
			} else if (cp == 0x2010 || cp == 0x2011) {
				o[k++] = '-';
			} else if (!(uc_class(cp) & UC_IGNORE)) {
				k += uc_utf8_put(o + k, uc_fold(cp));
			}
			i += l;
		}
	}
	o[k] = 0;
	tk->pool += k + 1;
	w->norm = o;
	w->normlen = (uint16_t)k;
}

static inline sl_word *push(tok *tk, size_t off, size_t end, unsigned flags)
{
	if (tk->nw == tk->alloc) {
		size_t na = tk->alloc * 2;
		if (!na) {
			/* mail has a token per 5-6 bytes: rarely grown */
			na = tk->n / 4 + 8;
			if (na > 65536)
				na = 65536;
			if (na < tk->min_alloc)
				na = tk->min_alloc;
		}
		tk->w = arena_grow(tk->a, tk->w, tk->nw, na, sizeof *tk->w);
		tk->alloc = na;
	}
	sl_word *w = &tk->w[tk->nw++];
	w->off = (uint32_t)off;
	w->len = (uint32_t)(end - off);
	w->flags = (uint16_t)flags;
	w->sent = 0;
	w->norm = NULL;
	w->normlen = 0;
	return w;
}

/* --- punctuation runs ---------------------------------------------- */

static int opener_only(unsigned cls)
{
	return (cls & (UC_OPEN | UC_CLOSE)) == UC_OPEN;
}

/* Continue an emoji run at j?  Returns the length to take, or 0. */
static size_t emoji_more(const tok *tk, size_t j)
{
	uint32_t cp;
	size_t l;
	unsigned cls = cls_at(tk, j, &cp, &l);
	size_t k;
	if (cp == UC_INVALID)
		return 0;
	if ((cls & UC_EMOJI) || cp == 0xFE0F || cp == 0xFE0E || cp == 0x20E3 ||
	    (cp >= 0xE0020 && cp <= 0xE007F))
		return l;
	if (cp == 0x200D && j + l < tk->n) {
		/* a ZWJ joins the run to an emoji, or to a symbol shown as one */
		uint32_t cp2;
		size_t l2;
		unsigned c2 = cls_at(tk, j + l, &cp2, &l2);
		if ((c2 & UC_EMOJI) || (cp2 != UC_INVALID && followed_by_vs16(tk, j + l + l2)))
			return l;
	}
	if ((k = keycap(tk, j)))
		return k;
	if ((cls & UC_PUNCT) && followed_by_vs16(tk, j + l))
		return l;
	return 0;
}

/* A run of punctuation from i; *emoji says whether it is an emoji run. */
static size_t scan_punct(tok *tk, size_t i, int *emoji)
{
	uint32_t cp;
	size_t l, k;
	unsigned cls = cls_at(tk, i, &cp, &l);
	if (cp == UC_INVALID) {
		*emoji = 0;
		return i + 1;
	}
	size_t j = i + l;
	if ((k = keycap(tk, i)))
		j = i + k;
	*emoji = k || (cls & UC_EMOJI) || followed_by_vs16(tk, i + l);
	if (*emoji) {
		while (j < tk->n && (k = emoji_more(tk, j)))
			j += k;
		return j;
	}
	int all_open = opener_only(cls);
	const unsigned char *p = (const unsigned char *)tk->p;
	size_t n = tk->n;
	while (j < n) {
		unsigned char b = p[j];
		if (b < 0x80 && (j + 1 >= n || p[j + 1] < 0x80)) {
			/* ASCII with ASCII next: no mark, emoji, variation
			 * selector or keycap to look at */
			unsigned c2 = uc_ascii_class[b];
			if (!(c2 & UC_PUNCT))
				break;
			if (ph_opener(b) && ph_may_open(p, n, j) && try_placeholder(tk, j))
				break;
			if ((b == '$' || b == '#') && j + 1 < n && p[j + 1] >= '0' && p[j + 1] <= '9')
				break;
			if (opener_only(c2)) {
				if (!all_open)
					break;
			} else {
				all_open = 0;
			}
			j++;
			continue;
		}
		unsigned c2 = cls_at(tk, j, &cp, &l);
		if (cp == UC_INVALID)
			break;
		if (c2 & UC_MARK) {
			j += l;
			continue;
		}
		if (!(c2 & UC_PUNCT) || (c2 & UC_EMOJI) || followed_by_vs16(tk, j + l))
			break;
		if (cp < 0x80 && ph_opener((unsigned char)cp) && try_placeholder(tk, j))
			break;
		if (keycap(tk, j))
			break;
		if (((c2 & UC_CURRENCY) || cp == '#') && (cls_at1(tk, j + l) & UC_DIGIT))
			break;
		if (opener_only(c2)) {
			if (!all_open)
				break;
		} else {
			all_open = 0;
		}
		j += l;
	}
	return j;
}

/* --- the pass ------------------------------------------------------ */

static void word_flags(sl_word *w, const winfo *wi)
{
	if (wi->nupper >= 2 && wi->nlower == 0)
		w->flags |= SL_W_ALLCAPS;
	if (wi->first_upper && wi->nlower > 0)
		w->flags |= SL_W_INITCAP;
	if (wi->zw)
		w->flags |= SL_W_ZEROWIDTH;
	if ((wi->scripts & UC_LATIN) && (wi->scripts & (UC_GREEK | UC_CYRILLIC)))
		w->flags |= SL_W_MIXED_SCRIPT;
}

/* Where a word or number from i stopped at j, could a URL or an e-mail
 * address from i go on?  (Scheme, host and local part characters.) */
static int link_may_follow(const tok *tk, size_t j)
{
	if (j >= tk->n)
		return 0;
	unsigned char nx = j + 1 < tk->n ? (unsigned char)tk->p[j + 1] : 0;
	switch (tk->p[j]) {
	case '.':
		return is_alnum(nx);
	case ':':
		return nx == '/' || is_alnum(nx);
	case '+': case '@': case '_': case '%':
		return 1;
	}
	return 0;
}

/* Could an abbreviation start at i: a dot within the first few bytes? */
static int abbrev_may_start(const tok *tk, size_t i)
{
	const char *p = tk->p;
	size_t n = tk->n;
	if ((unsigned char)p[i] < 0x80)
		return (i + 1 < n && p[i + 1] == '.') || (i + 2 < n && p[i + 2] == '.');
	size_t w = n - i - 1 < 8 ? n - i - 1 : 8;
	return memchr(p + i + 1, '.', w) != NULL;
}

/* One token starting at i, whose character is cp (l bytes, class cls);
 * start < i when invisibles come before a word.  Returns its end. */
static size_t one_token(tok *tk, size_t start, size_t i, uint32_t cp, size_t l,
                        unsigned cls, unsigned flags)
{
	size_t end, e;
	unsigned char b = (unsigned char)tk->p[i];
	winfo wi = { 0 };
	wi.zw = wi.nonascii = start < i;
	int number = 0, kc = 0;
	/* a letter, the common case, starts none of these */
	if (!(cls & UC_LETTER)) {
		kc = keycap(tk, i) != 0;
		if (start == i && b < 0x80 && ph_opener(b) &&
		    (end = try_placeholder(tk, i))) {
			push(tk, i, i + end, flags | SL_W_PLACEHOLDER);
			return i + end;
		}
		if (!kc && ((cls & UC_DIGIT) ||
		            (start == i && ((cls & UC_CURRENCY) || cp == '#') &&
		             (cls_at1(tk, i + l) & UC_DIGIT)))) {
			int word;
			end = scan_number(tk, i, &word, &wi.nonascii);
			number = !word;
		}
	}
	if (!number) {
		if (kc || !(cls & (UC_LETTER | UC_DIGIT))) {
			int emoji;
			end = scan_punct(tk, i, &emoji);
			push(tk, i, end, flags | SL_W_PUNCT | (emoji ? SL_W_EMOJI : 0));
			return end;
		}
		size_t ab = (cls & UC_LETTER) && abbrev_may_start(tk, i) ? try_abbrev(tk, i) : 0;
		if (ab) {
			end = i + ab;
			for (size_t j = i; j < end; j += l) {
				unsigned c2 = cls_at(tk, j, &cp, &l);
				if (cp >= 0x80)
					wi.nonascii = 1;
				if (c2 & UC_LETTER)
					note_letter(&wi, cp, c2);
			}
		} else {
			end = scan_word(tk, i, tk->n, &wi);
		}
	}
	/* the word or number may be the start of a URL or an address */
	if (b < 0x80 && is_alnum(b) && link_may_follow(tk, end)) {
		if ((e = try_url(tk, i))) {
			push(tk, i, i + e, flags | SL_W_URL);
			return i + e;
		}
		if ((e = try_email(tk, i))) {
			push(tk, i, i + e, flags | SL_W_EMAIL);
			return i + e;
		}
	}
	sl_word *w = push(tk, start, end, flags | (number ? SL_W_NUMBER : 0));
	if (number) {
		if (wi.zw)
			w->flags |= SL_W_ZEROWIDTH;
	} else {
		word_flags(w, &wi);
	}
	set_norm(tk, w, start, end, wi.nonascii, wi.nupper);
	return end;
}

/* --- the ASCII fast path ------------------------------------------- */

/* Most of mail is ASCII words, numbers, spaces and single punctuation.
 * Tokens made only of those, with nothing around them that the general
 * path would look at (an abbreviation, a link, an emoji, an invisible),
 * are taken here with byte tables and tight loops, their norms copied
 * (and lower-cased eight bytes at a time) straight into the pool; any
 * doubt returns 0 and the general path (one_token) takes the token from
 * its start, so both always give the same tokens. */

enum { B_OTHER, B_SPACE, B_LOWER, B_UPPER, B_DIGIT, B_PUNCT };
/* What the byte after an ASCII word or number means: the token ends
 * (S_END), ' or - may join more letters (S_JOIN), a dot or colon may
 * start an abbreviation or a link (S_DOT), a link may go on (S_LINK:
 * + @ _ %), or a non-ASCII character the general path must see. */
enum { S_END, S_JOIN, S_DOT, S_LINK, S_SLOW };

/* B_PUNCT: ASCII punctuation and controls; B_OTHER: bytes from 0x80. */
#define BCLS(c) \
	((c) == ' ' || ((c) >= 9 && (c) <= 13) ? B_SPACE : \
	 (c) >= 'a' && (c) <= 'z' ? B_LOWER : \
	 (c) >= 'A' && (c) <= 'Z' ? B_UPPER : \
	 (c) >= '0' && (c) <= '9' ? B_DIGIT : \
	 (c) >= 0x80 ? B_OTHER : B_PUNCT)
/* What an ASCII punctuation byte may do: open a placeholder, go before
 * a number ($ #), open a bracket (the run of openers rule). */
enum { P_PH = 1, P_NUM = 2, P_OPEN = 4 };
#define PCLS(c) \
	(((c) == '{' || (c) == '[' ? P_PH | P_OPEN : (c) == '(' ? P_OPEN : 0) | \
	 ((c) == '<' || (c) == '*' || (c) == '%' ? P_PH : 0) | \
	 ((c) == '$' ? P_PH | P_NUM : (c) == '#' ? P_NUM : 0))
#define SCLS(c) \
	((c) >= 0x80 ? S_SLOW : (c) == '\'' || (c) == '-' ? S_JOIN : \
	 (c) == '.' || (c) == ':' ? S_DOT : \
	 (c) == '+' || (c) == '@' || (c) == '_' || (c) == '%' ? S_LINK : S_END)
/* Word characters: bit 0 lower-case, 1 upper-case, 2 digit. */
enum { W_LOWER = 1, W_UPPER = 2, W_DIGIT = 4 };
#define WCLS(c) \
	((c) >= 'a' && (c) <= 'z' ? W_LOWER : (c) >= 'A' && (c) <= 'Z' ? W_UPPER : \
	 (c) >= '0' && (c) <= '9' ? W_DIGIT : 0)

#define T4(F, c) F(c), F((c) + 1), F((c) + 2), F((c) + 3)
#define T16(F, c) T4(F, c), T4(F, (c) + 4), T4(F, (c) + 8), T4(F, (c) + 12)
#define T64(F, c) T16(F, c), T16(F, (c) + 16), T16(F, (c) + 32), T16(F, (c) + 48)
#define T256(F) T64(F, 0), T64(F, 64), T64(F, 128), T64(F, 192)

static const unsigned char btab[256] = { T256(BCLS) };
static const unsigned char stab[256] = { T256(SCLS) };
static const unsigned char ptab[256] = { T256(PCLS) };
static const unsigned char wtab[256] = { T256(WCLS) };

#undef BCLS
#undef SCLS
#undef PCLS
#undef WCLS
#undef T4
#undef T16
#undef T64
#undef T256

/* Eight bytes as one word, s[0] in the lowest byte lane; in each lane
 * below, bit 7 stands for the byte. */
#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t load8(const unsigned char *s)
{
	uint64_t x;
	memcpy(&x, s, 8);
	return x;
}

/* Lower-case the ASCII letters of s[0..8): lanes of A-Z get bit 5.  No
 * lane carries into the next, so the byte order does not matter. */
static inline void lower8(unsigned char *s)
{
	uint64_t x = load8(s), y = x & ~HIGHS;
	uint64_t up = (y + ONES * (0x80 - 'A')) & ~(y + ONES * (0x7F - 'Z')) & ~x & HIGHS;
	x |= up >> 2;
	memcpy(s, &x, 8);
}

/* Is the ASCII word or number that stopped at the S_DOT byte p[j]
 * (j + 1 < n) maybe going on as an abbreviation ("U.S.") or a link
 * ("example.com", "http://")?  A superset of link_may_follow. */
static inline int dot_goes_on(const unsigned char *p, size_t j)
{
	return p[j + 1] >= 0x80 || wtab[p[j + 1]] || (p[j] == ':' && p[j + 1] == '/');
}

/* The end of the run of ASCII letters and digits from j, four bytes a
 * step; *acc gets the W_* bits of the bytes taken. */
static inline size_t alnum_end(const unsigned char *p, size_t n, size_t j,
                               unsigned *acc)
{
	unsigned a = 0, m;
	while (n - j >= 4) {
		if (!(m = wtab[p[j]]))
			goto out;
		a |= m;
		if (!(m = wtab[p[j + 1]])) {
			j += 1;
			goto out;
		}
		a |= m;
		if (!(m = wtab[p[j + 2]])) {
			j += 2;
			goto out;
		}
		a |= m;
		if (!(m = wtab[p[j + 3]])) {
			j += 3;
			goto out;
		}
		a |= m;
		j += 4;
	}
	while (j < n && (m = wtab[p[j]]) != 0) {
		a |= m;
		j++;
	}
out:
	*acc |= a;
	return j;
}

/* A word from the ASCII letter at i: its end, or 0 for the general
 * path; *acc gets the W_* bits of its bytes after the first.  Its case
 * flags come after (word_case): most words start with a lower-case
 * letter and then have none. */
static inline size_t fast_word(const unsigned char *p, size_t n, size_t i,
                               unsigned *acc)
{
	const unsigned char *q = p + alnum_end(p, n, i + 1, acc), *end = p + n;
	for (;;) {
		if (q + 1 >= end) {
			/* at the end, or before the last byte */
			if (q < end && stab[*q] >= S_LINK)
				return 0;
			break;
		}
		unsigned s = stab[*q];
		if (s == S_END)
			break;
		if (s == S_JOIN) {
			/* ' and - join letters (and - digits) */
			unsigned char nx = q[1];
			if (nx >= 0x80)
				return 0;
			if (!(wtab[nx] & (W_LOWER | W_UPPER)) && !(*q == '-' && wtab[nx] == W_DIGIT))
				break;
			q = p + alnum_end(p, n, (size_t)(q - p) + 1, acc);
			continue;
		}
		if (s == S_DOT && !dot_goes_on(p, (size_t)(q - p)))
			break;
		return 0;
	}
	return (size_t)(q - p);
}

/* The case flags of the ASCII word [i, j) that starts with a capital. */
static unsigned word_case(const unsigned char *p, size_t i, size_t j)
{
	unsigned nup = 0, low = 0;
	for (size_t k = i; k < j; k++) {
		unsigned m = wtab[p[k]];
		nup += m == W_UPPER;
		low |= m == W_LOWER;
	}
	if (low)
		return SL_W_INITCAP;
	return nup >= 2 ? SL_W_ALLCAPS : 0;
}

/* A number from the ASCII digit at i: its end, or 0 for the general
 * path. */
static inline size_t fast_number(const unsigned char *p, size_t n, size_t i)
{
	size_t j = i;
	int sep = 0;
	for (;;) {
		while (j < n && wtab[p[j]] == W_DIGIT)
			j++;
		if (j + 1 >= n)
			break;
		unsigned char c = p[j];
		if (c != ',' && c != '.' && c != ':' && c != '/' && c != '-')
			break;
		unsigned char nx = p[j + 1];
		if (nx >= 0x80)
			return 0; /* maybe a digit of another script */
		if (wtab[nx] != W_DIGIT)
			break;
		sep = 1;
		j++;
	}
	if (j < n) {
		unsigned char c = p[j];
		if (c >= 0x80)
			return 0;
		if (c == '%' || c == '$')
			j++;
		else if (!sep && (c == '-' || (wtab[c] & (W_LOWER | W_UPPER))))
			return 0; /* "3rd", "4-a": a word, maybe */
	}
	if (j < n) {
		unsigned s = stab[p[j]];
		if (s >= S_LINK || (s == S_DOT && j + 1 < n && dot_goes_on(p, j)))
			return 0;
	}
	return j;
}

/* A run of ASCII punctuation from i: its end, or 0 for the general path
 * (a placeholder may open, a number start, or a non-ASCII character
 * follow: a mark, emoji, variation selector or keycap). */
static inline size_t fast_punct(const unsigned char *p, size_t n, size_t i)
{
	unsigned pt = ptab[p[i]];
	if (i + 1 < n && p[i + 1] >= 0x80)
		return 0;
	if (pt & (P_PH | P_NUM)) {
		if ((pt & P_PH) && ph_may_open(p, n, i))
			return 0;
		if ((pt & P_NUM) && i + 1 < n && wtab[p[i + 1]] == W_DIGIT)
			return 0;
	}
	int all_open = (pt & P_OPEN) != 0;
	size_t j = i + 1;
	while (j < n && btab[p[j]] == B_PUNCT) {
		if (j + 1 < n && p[j + 1] >= 0x80)
			return 0;
		pt = ptab[p[j]];
		if (pt) {
			if ((pt & P_PH) && ph_may_open(p, n, j))
				return 0;
			if ((pt & P_NUM) && j + 1 < n && wtab[p[j + 1]] == W_DIGIT)
				break;
			if (pt & P_OPEN) {
				if (!all_open)
					break;
				j++;
				continue;
			}
		}
		all_open = 0;
		j++;
	}
	return j;
}

/* Room for one more token and a norm of need bytes.  (Out of line, as
 * is general(), so that the pass keeps its state in registers.) */
static __attribute__((noinline)) void room(tok *tk, size_t need)
{
	if (tk->nw == tk->alloc) {
		push(tk, 0, 0, 0);
		tk->nw--;
	}
	pool_reserve(tk, need);
}

/* The general path's token at i; returns where the pass goes on and sets
 * *space as the pass's space state. */
static __attribute__((noinline)) size_t general(tok *tk, size_t i, unsigned flags,
                                                unsigned *space)
{
	size_t n = tk->n;
	uint32_t cp;
	size_t l;
	unsigned cls = cls_at(tk, i, &cp, &l);
	if (cls & UC_SPACE) {
		*space = tk->nw ? SL_W_SPACE_BEFORE : 0;
		return i + l;
	}
	size_t start = i;
	if (cls & UC_IGNORE) {
		size_t j = i + l;
		while (j < n && (cls_at(tk, j, &cp, &l) & UC_IGNORE))
			j += l;
		if (j >= n || !(cls_at(tk, j, &cp, &l) & (UC_LETTER | UC_DIGIT)))
			return j; /* invisibles that separate nothing */
		cls = cls_at(tk, j, &cp, &l);
		i = j;
	}
	*space = 0;
	return one_token(tk, start, i, cp, l, cls, flags);
}

/* Tokenise t into tk->w[0..tk->nw).  The fast paths keep the token
 * array and the norm pool in locals and hand them back to tk around the
 * general path.  Up to text offset `safe` no room needs checking: the
 * tokens ending there are at most that many more, and their norms take
 * at most twice as many bytes plus one 16-byte copy. */
static void tokenise(tok *tk, const sl_text *t)
{
	if (t->len > UINT32_MAX)
		BUG("a text of 4 GiB or more reached the tokeniser");
	tk->p = t->p;
	tk->n = t->len;
	tk->nw = 0;
	memset(tk->close, 0, sizeof tk->close);
	memset(&tk->at, 0, sizeof tk->at);
	tk->scheme_fail = tk->host_fail = tk->mail_fail = 0;
	tk->longw = 0;
	const unsigned char *p = (const unsigned char *)t->p;
	const size_t n = t->len;
	size_t i = 0, nw = 0, safe = 0;
	sl_word *W = tk->w;
	char *pool = tk->pool;
	/* SL_W_SPACE_BEFORE when space came after the last token */
	unsigned space = 0;
	while (i < n) {
		unsigned bc = btab[p[i]], f = 0, acc = 0;
		size_t e;
		if (bc == B_LOWER || bc == B_UPPER) {
			e = fast_word(p, n, i, &acc);
			if (bc == B_UPPER) {
				acc = W_UPPER;
				if (e)
					f = word_case(p, i, e);
			}
		} else if (bc == B_SPACE) {
			space = nw ? SL_W_SPACE_BEFORE : 0;
			i++;
			continue;
		} else if (bc == B_PUNCT) {
			e = fast_punct(p, n, i);
			f = SL_W_PUNCT;
		} else if (bc == B_DIGIT) {
			e = fast_number(p, n, i);
			f = SL_W_NUMBER;
		} else {
			e = 0;
		}
		if (!e) {
			tk->nw = nw;
			tk->pool = pool;
			i = general(tk, i, space, &space);
			nw = tk->nw;
			W = tk->w;
			pool = tk->pool;
			safe = 0;
			continue;
		}
		size_t len = e - i;
		if (e > safe) {
			tk->nw = nw;
			tk->pool = pool;
			room(tk, len + 16);
			W = tk->w;
			pool = tk->pool;
			size_t toks = tk->alloc - nw;
			size_t bytes = ((size_t)(tk->pool_end - pool) - 16) / 2;
			safe = i + (toks < bytes ? toks : bytes);
			if (safe < e)
				safe = e; /* room for this one token */
		}
		sl_word *w = &W[nw++];
		w->off = (uint32_t)i;
		w->len = (uint32_t)len;
		w->flags = (uint16_t)(space | f);
		w->sent = 0;
		if (f & SL_W_PUNCT) {
			w->norm = NULL;
			w->normlen = 0;
		} else if (len > SL_WORD_NORM_MAX) {
			no_norm(tk, w, i, e);
		} else {
			/* the norm: the bytes, lower-cased; a short one copied
			 * as one 16-byte block (the next norm overwrites the
			 * rest) */
			unsigned char *o = (unsigned char *)pool;
			if (len <= 16 && n - i >= 16) {
				memcpy(o, p + i, 16);
				if (acc & W_UPPER) {
					lower8(o);
					if (len > 8)
						lower8(o + 8);
				}
			} else {
				memcpy(o, p + i, len);
				if (acc & W_UPPER)
					for (size_t k = 0; k < len; k++)
						if (o[k] >= 'A' && o[k] <= 'Z')
							o[k] += 32;
			}
			o[len] = 0;
			w->norm = pool;
			w->normlen = (uint16_t)len;
			pool += len + 1;
		}
		/* the one space that usually follows */
		if (e < n && p[e] == ' ') {
			space = SL_W_SPACE_BEFORE;
			i = e + 1;
		} else {
			space = 0;
			i = e;
		}
	}
	tk->nw = nw;
	tk->pool = pool;
}

/* The limit of a text's token without a norm, if there was one. */
static void words_limit(sl_result *r, const tok *tk, const sl_text *t)
{
	if (tk->longw)
		limit_reached(r, "word-length", SL_WORD_NORM_MAX,
		              text_span(t, tk->long_off, tk->long_end));
}

size_t text_words(sl_result *r, const sl_text *t, sl_word **out)
{
	tok tk;
	memset(&tk, 0, sizeof tk);
	tk.a = &r->arena;
	/* a single text: norms fit in 1.5 times its bytes (and the last
	 * one's 16-byte copy) */
	tk.pool_chunk = t->len + t->len / 2 + 32;
	if (tk.pool_chunk > POOL_CHUNK)
		tk.pool_chunk = POOL_CHUNK;
	tokenise(&tk, t);
	words_limit(r, &tk, t);
	*out = tk.w;
	return tk.nw;
}

void text_words_blocks(sl_result *r)
{
	tok tk;
	memset(&tk, 0, sizeof tk);
	tk.a = &r->arena;
	tk.pool_chunk = POOL_CHUNK;
	tk.min_alloc = 1024;
	for (size_t i = 0; i < r->doc.nblk; i++) {
		sl_block *b = &r->doc.blk[i];
		tokenise(&tk, &b->text);
		words_limit(r, &tk, &b->text);
		b->nword = tk.nw;
		b->word = NULL;
		if (!tk.nw)
			continue;
		if (tk.alloc * sizeof *tk.w >= SCRATCH_KEEP) {
			/* a large block keeps the scratch itself, cut to size (no
			 * copy), and the next block starts a new one */
			b->word = arena_resize(&r->arena, tk.w, tk.alloc * sizeof *tk.w,
			                       tk.nw * sizeof *tk.w, tk.nw * sizeof *tk.w);
			tk.w = NULL;
			tk.alloc = 0;
			continue;
		}
		b->word = arena_array(&r->arena, tk.nw, sizeof *b->word);
		memcpy(b->word, tk.w, tk.nw * sizeof *b->word);
	}
}
