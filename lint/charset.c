/*
 * charset.c - conversion of decoded bytes in a declared charset to UTF-8,
 * and the charset an HTML template declares.
 *
 * In: an sl_text of raw bytes (its map pointing at the original file), the
 * charset as declared (NULL if none) and the span of the declaration.
 * Out: a UTF-8 sl_text built with an sl_tb, so that its map composes with
 * the input's: ASCII runs (in ASCII-compatible charsets) and valid UTF-8
 * are copied exactly; every other character is an atomic replacement of
 * its source bytes; stateful and wide encodings (ISO-2022-*, UTF-16/32,
 * UTF-7, anything unlisted) are converted in runs of up to a line.
 * Invalid data becomes U+FFFD, NUL bytes too; each with one diagnostic per
 * text.  The common case (ASCII, valid UTF-8) is one scan and one copy,
 * or none when the caller lets the output share its input.  Limits: the
 * output may not pass what is left of the per-file decoded size
 * (lim.decoded_size - decoded); past it the text is cut and
 * input/limit-decoded-size is reported.  Past FINE_MAX segments in one
 * text, the rest is mapped in pieces of a few KB (memory, not
 * correctness).  iconv(3) does the legacy charsets; UTF-8, US-ASCII and
 * windows-1252 (with ISO-8859-1, which mail clients read as
 * windows-1252) are decoded here.
 */
#include <errno.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdio.h>

#include "internal.h"

/* How a charset is decoded. */
enum cs_kind {
	CS_UTF8,     /* native validation */
	CS_ASCII,    /* declared US-ASCII: 8-bit data is a finding */
	CS_1252,     /* native table (WHATWG windows-1252) */
	CS_SB,       /* single-byte via iconv, tabulated once per call */
	CS_MB,       /* multi-byte ASCII-compatible: per character via iconv */
	CS_RUN,      /* stateful or wide: runs via iconv */
};

/* Longest charset name considered (IANA names are under 40 bytes). */
#define CS_NAME_MAX 64

/* --- UTF-8 ------------------------------------------------------------- */

static size_t cs_utf8_put(char *o, uint32_t cp)
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
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

/* Index of the first byte in p[0,n) that is NUL or has the high bit set
 * (n if none).  Eight bytes at a time: this is the common-case scan. */
static size_t scan_ascii(const unsigned char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t i = 0;
	while (n - i >= 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if ((w & highs) || ((w - ones) & ~w & highs))
			break;
		i += 8;
	}
	while (i < n && p[i] && p[i] < 0x80)
		i++;
	return i;
}

/* Length of the valid UTF-8 sequence at p[0,n) whose lead byte is >= 0x80,
 * or 0 if it is invalid; *sub gets the length of the maximal subpart (the
 * bytes one U+FFFD replaces, at least 1). */
static size_t utf8_seq(const unsigned char *p, size_t n, size_t *sub)
{
	unsigned c = p[0];
	size_t need;
	unsigned lo = 0x80, hi = 0xBF;
	*sub = 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	for (size_t k = 1; k <= need; k++) {
		if (k >= n)
			return 0;
		unsigned b = p[k];
		if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
			return 0;
		*sub = k + 1;
	}
	return need + 1;
}

/* Length of the longest prefix of p[0,n) that is valid UTF-8 without NUL. */
static size_t utf8_prefix(const unsigned char *p, size_t n)
{
	size_t i = 0, sub;
	for (;;) {
		i += scan_ascii(p + i, n - i);
		if (i >= n || p[i] == 0)
			return i;
		size_t k = utf8_seq(p + i, n - i, &sub);
		if (!k)
			return i;
		i += k;
	}
}

/* Is all of p[0,n) valid UTF-8 (NUL bytes allowed)? */
static int utf8_valid(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		i += utf8_prefix(p + i, n - i);
		if (i < n) {
			if (p[i])
				return 0;
			i++;
		}
	}
	return 1;
}

/* --- windows-1252 -------------------------------------------------------- */

/* 0x80-0x9F per the WHATWG encoding standard (the five holes map to the C1
 * controls); every other byte is its ISO-8859-1 code point. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* --- charset names ------------------------------------------------------- */

typedef struct cs_info {
	enum cs_kind kind;
	const char *iconv;     /* name for iconv_open (CS_SB, CS_MB, CS_RUN) */
	char buf[CS_NAME_MAX + 16];
} cs_info;

typedef struct cs_alias {
	const char *key;       /* lower-case, letters and digits only */
	enum cs_kind kind;
	const char *iconv;
} cs_alias;

static const cs_alias aliases[] = {
	{ "utf8", CS_UTF8, NULL },
	{ "unicode11utf8", CS_UTF8, NULL },
	{ "xunicode20utf8", CS_UTF8, NULL },
	{ "utf8mb4", CS_UTF8, NULL },
	{ "usascii", CS_ASCII, NULL },
	{ "ascii", CS_ASCII, NULL },
	{ "ansix341968", CS_ASCII, NULL },
	{ "ansix341986", CS_ASCII, NULL },
	{ "iso646us", CS_ASCII, NULL },
	{ "iso646irv1991", CS_ASCII, NULL },
	{ "csascii", CS_ASCII, NULL },
	{ "us", CS_ASCII, NULL },
	{ "cp367", CS_ASCII, NULL },
	{ "ibm367", CS_ASCII, NULL },
	{ "windows1252", CS_1252, NULL },
	{ "cp1252", CS_1252, NULL },
	{ "xcp1252", CS_1252, NULL },
	{ "latin1", CS_1252, NULL },
	{ "l1", CS_1252, NULL },
	{ "isoir100", CS_1252, NULL },
	{ "csisolatin1", CS_1252, NULL },
	{ "cp819", CS_1252, NULL },
	{ "ibm819", CS_1252, NULL },
	{ "latin2", CS_SB, "ISO-8859-2" },
	{ "latin3", CS_SB, "ISO-8859-3" },
	{ "latin4", CS_SB, "ISO-8859-4" },
	{ "cyrillic", CS_SB, "ISO-8859-5" },
	{ "arabic", CS_SB, "ISO-8859-6" },
	{ "greek", CS_SB, "ISO-8859-7" },
	{ "hebrew", CS_SB, "ISO-8859-8" },
	{ "latin5", CS_SB, "ISO-8859-9" },
	{ "latin6", CS_SB, "ISO-8859-10" },
	{ "latin7", CS_SB, "ISO-8859-13" },
	{ "latin8", CS_SB, "ISO-8859-14" },
	{ "latin9", CS_SB, "ISO-8859-15" },
	{ "latin10", CS_SB, "ISO-8859-16" },
	{ "koi8r", CS_SB, "KOI8-R" },
	{ "cskoi8r", CS_SB, "KOI8-R" },
	{ "koi8u", CS_SB, "KOI8-U" },
	{ "koi8ru", CS_SB, "KOI8-RU" },
	{ "tis620", CS_SB, "TIS-620" },
	{ "windows874", CS_SB, "CP874" },
	{ "cp874", CS_SB, "CP874" },
	{ "ibm866", CS_SB, "CP866" },
	{ "cp866", CS_SB, "CP866" },
	{ "cp850", CS_SB, "CP850" },
	{ "ibm850", CS_SB, "CP850" },
	{ "cp437", CS_SB, "CP437" },
	{ "ibm437", CS_SB, "CP437" },
	{ "macintosh", CS_SB, "MACINTOSH" },
	{ "xmacroman", CS_SB, "MACINTOSH" },
	{ "maccyrillic", CS_SB, "MAC-CYRILLIC" },
	{ "xmaccyrillic", CS_SB, "MAC-CYRILLIC" },
	/* GB2312 and GBK are subsets of GB18030: decode as the superset,
	 * as mail clients do */
	{ "gb2312", CS_MB, "GB18030" },
	{ "gb231280", CS_MB, "GB18030" },
	{ "csgb2312", CS_MB, "GB18030" },
	{ "euccn", CS_MB, "GB18030" },
	{ "xeuccn", CS_MB, "GB18030" },
	{ "gbk", CS_MB, "GB18030" },
	{ "xgbk", CS_MB, "GB18030" },
	{ "cp936", CS_MB, "GB18030" },
	{ "ms936", CS_MB, "GB18030" },
	{ "windows936", CS_MB, "GB18030" },
	{ "chinese", CS_MB, "GB18030" },
	{ "gb18030", CS_MB, "GB18030" },
	{ "big5", CS_MB, "BIG5-HKSCS" },
	{ "xbig5", CS_MB, "BIG5-HKSCS" },
	{ "cnbig5", CS_MB, "BIG5-HKSCS" },
	{ "csbig5", CS_MB, "BIG5-HKSCS" },
	{ "big5hkscs", CS_MB, "BIG5-HKSCS" },
	{ "cp950", CS_MB, "BIG5-HKSCS" },
	/* CP932 rather than glibc's SHIFT_JIS, which maps 0x5C and 0x7E to
	 * the yen sign and overline: mail means the Windows code page */
	{ "shiftjis", CS_MB, "CP932" },
	{ "sjis", CS_MB, "CP932" },
	{ "xsjis", CS_MB, "CP932" },
	{ "mskanji", CS_MB, "CP932" },
	{ "csshiftjis", CS_MB, "CP932" },
	{ "windows31j", CS_MB, "CP932" },
	{ "cp932", CS_MB, "CP932" },
	{ "xmscp932", CS_MB, "CP932" },
	{ "eucjp", CS_MB, "EUC-JP-MS" },
	{ "xeucjp", CS_MB, "EUC-JP-MS" },
	{ "cseucpkdfmtjapanese", CS_MB, "EUC-JP-MS" },
	{ "euckr", CS_MB, "CP949" },
	{ "cseuckr", CS_MB, "CP949" },
	{ "ksc56011987", CS_MB, "CP949" },
	{ "ksc5601", CS_MB, "CP949" },
	{ "csksc56011987", CS_MB, "CP949" },
	{ "cp949", CS_MB, "CP949" },
	{ "uhc", CS_MB, "CP949" },
	{ "windows949", CS_MB, "CP949" },
	{ "xwindows949", CS_MB, "CP949" },
	{ "euctw", CS_MB, "EUC-TW" },
	/* ISO-2022-JP-2 decodes ISO-2022-JP and the extensions found in mail */
	{ "iso2022jp", CS_RUN, "ISO-2022-JP-2" },
	{ "csiso2022jp", CS_RUN, "ISO-2022-JP-2" },
	{ "iso2022jp1", CS_RUN, "ISO-2022-JP-1" },
	{ "iso2022jp2", CS_RUN, "ISO-2022-JP-2" },
	{ "iso2022jp3", CS_RUN, "ISO-2022-JP-3" },
	{ "iso2022kr", CS_RUN, "ISO-2022-KR" },
	{ "iso2022cn", CS_RUN, "ISO-2022-CN" },
	{ "iso2022cnext", CS_RUN, "ISO-2022-CN-EXT" },
	{ "utf16", CS_RUN, "UTF-16" },
	{ "unicode", CS_RUN, "UTF-16" },
	{ "utf16le", CS_RUN, "UTF-16LE" },
	{ "utf16be", CS_RUN, "UTF-16BE" },
	{ "ucs2", CS_RUN, "UTF-16" },
	{ "utf32", CS_RUN, "UTF-32" },
	{ "utf32le", CS_RUN, "UTF-32LE" },
	{ "utf32be", CS_RUN, "UTF-32BE" },
	{ "ucs4", CS_RUN, "UTF-32" },
	{ "utf7", CS_RUN, "UTF-7" },
	{ "unicode11utf7", CS_RUN, "UTF-7" },
};

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Parse "iso-8859-N" in its spellings (iso8859-N, iso_8859-N:1987,
 * iso885915); returns N or 0. */
static int iso8859_part(const char *s)
{
	if (strncmp(s, "iso", 3))
		return 0;
	s += 3;
	if (*s == '-' || *s == '_' || *s == ' ')
		s++;
	if (strncmp(s, "8859", 4))
		return 0;
	s += 4;
	if (*s == '-' || *s == '_' || *s == ' ')
		s++;
	if (!(*s >= '0' && *s <= '9'))
		return 0;
	int n = *s++ - '0';
	if (*s >= '0' && *s <= '9')
		n = n * 10 + (*s++ - '0');
	if (*s && *s != ':')
		return 0;
	return n;
}

/* Decide how to decode the charset named cs (already trimmed). */
static void cs_lookup(cs_info *ci, const char *cs)
{
	char low[CS_NAME_MAX + 1], key[CS_NAME_MAX + 1];
	size_t n = 0, k = 0;
	int clean = 1;
	for (const char *s = cs; *s; s++) {
		int c = lower((unsigned char)*s);
		if (n == CS_NAME_MAX) {
			clean = 0;
			break;
		}
		low[n++] = (char)c;
		if (is_alnum(c))
			key[k++] = (char)c;
		else if (c != '-' && c != '_' && c != '.' && c != ':' && c != ' ')
			clean = 0;
	}
	low[n] = 0;
	key[k] = 0;
	ci->iconv = NULL;
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
		if (!strcmp(aliases[i].key, key)) {
			ci->kind = aliases[i].kind;
			ci->iconv = aliases[i].iconv;
			return;
		}
	}
	int iso = iso8859_part(low);
	if (iso == 1) {
		ci->kind = CS_1252;
		return;
	}
	if (iso >= 2 && iso <= 16) {
		snprintf(ci->buf, sizeof ci->buf, "ISO-8859-%d", iso);
		ci->kind = CS_SB;
		ci->iconv = ci->buf;
		return;
	}
	const char *digits = NULL;
	if (!strncmp(key, "windows125", 10))
		digits = key + 10;
	else if (!strncmp(key, "xcp125", 6))
		digits = key + 6;
	else if (!strncmp(key, "cp125", 5))
		digits = key + 5;
	if (digits && digits[0] >= '0' && digits[0] <= '8' && !digits[1]) {
		snprintf(ci->buf, sizeof ci->buf, "CP125%c", digits[0]);
		ci->kind = CS_SB;
		ci->iconv = ci->buf;
		return;
	}
	/* anything else: let iconv try the name as written, converting in
	 * runs (its ASCII compatibility is unknown) */
	ci->kind = CS_RUN;
	if (!clean || n == 0) {
		ci->iconv = NULL;
		return;
	}
	memcpy(ci->buf, low, n + 1);
	ci->iconv = ci->buf;
}

/* The charset name made printable for a message. */
static const char *cs_show(sl_arena *a, const char *cs)
{
	size_t n = strlen(cs);
	if (n > CS_NAME_MAX)
		n = CS_NAME_MAX;
	char *s = arena_alloc(a, n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)cs[i];
		s[i] = c >= 0x20 && c < 0x7F && c != '\'' ? (char)c : '?';
	}
	s[n] = 0;
	return s;
}

/* --- the conversion -------------------------------------------------------- */

/* Output of one replacement piece when a stretch is converted in bulk. */
#define CHUNK_OUT 4096
/* Input bytes iconv sees per character step: more than any character
 * (with its shift sequence) needs; a larger window makes glibc convert
 * ahead and throw the work away. */
#define STEP_IN 16
/* Input bytes per iconv call when converting in bulk (the output buffer
 * takes 256 code points). */
#define CHUNK_IN 256
/* A run of a stateful or wide encoding ends at a line feed byte or at
 * this many input bytes. */
#define RUN_IN 1024
/* Character-by-character maps cost a segment (40 bytes) per character:
 * past this many segments in one text (a huge legacy-charset body), the
 * rest converts in pieces of CHUNK_OUT bytes, each one replacement. */
#define FINE_MAX ((size_t)1 << 20)

typedef struct conv {
	sl_result *r;
	const sl_text *in;
	const unsigned char *p;
	size_t n;
	sl_tb tb;
	const char *name;      /* as shown in messages */
	size_t nbad, bad_off;  /* invalid sequences: count and first */
	size_t nnul, nul_off;
	int stop;              /* the decoded-size limit was reached */
	size_t segi;           /* cursor in in->seg (inexact_end) */
	iconv_t cd;
	int compose;           /* the converter may hold a code point back */
	char (*sb)[8];         /* CS_SB: UTF-8 of bytes 0x80-0xFF ... */
	unsigned char *sblen;  /* ... and their lengths, 0 = invalid */
	enum cs_kind kind;     /* how run() decodes */
	size_t start;          /* where (past a byte order mark) */
	size_t first8;         /* the first 8-bit byte */
	sl_span decl;          /* the declaration */
	int declared;          /* a charset was declared */
} conv;

static const char fffd[] = "\xEF\xBF\xBD";

static void cv_limit(conv *cv, size_t off)
{
	cv->stop = 1;
	limit_reached(cv->r, "decoded-size", cv->r->lim.decoded_size,
	              text_span(cv->in, off, off));
}

/* Copy input bytes [off, off+len), all ASCII or valid UTF-8; past the
 * limit, copy what fits (whole characters) and stop. */
static void cv_copy(conv *cv, size_t off, size_t len)
{
	if (cv->stop || !len)
		return;
	if (tb_copy(&cv->tb, cv->in, off, len) == 0)
		return;
	size_t room = cv->tb.out.max - cv->tb.out.len;
	if (room < len) {
		while (room && (cv->p[off + room] & 0xC0) == 0x80)
			room--;
		cv->tb.over = 0;
		tb_copy(&cv->tb, cv->in, off, room);
	}
	cv_limit(cv, off + room);
}

/* Emit s[0,n) replacing input bytes [off, off+len). */
static void cv_repl(conv *cv, const char *s, size_t n, size_t off, size_t len)
{
	if (cv->stop)
		return;
	if (tb_replace(&cv->tb, s, n, cv->in, off, len) < 0)
		cv_limit(cv, off);
}

static void note_bad(conv *cv, size_t off)
{
	if (!cv->nbad++)
		cv->bad_off = off;
}

static void note_nul(conv *cv, size_t off)
{
	if (!cv->nnul++)
		cv->nul_off = off;
}

static void cv_bad(conv *cv, size_t off, size_t len)
{
	note_bad(cv, off);
	cv_repl(cv, fffd, 3, off, len);
}

static void cv_nul(conv *cv, size_t off)
{
	note_nul(cv, off);
	cv_repl(cv, fffd, 3, off, 1);
}

/* If input byte pos lies in an inexact segment of the input (a base64
 * line, an encoded word), the end of that segment, else 0.  Every byte of
 * such a segment maps to the same original range, so the stretch can be
 * converted in bulk with the same map as character by character. */
static size_t inexact_end(conv *cv, size_t pos)
{
	const sl_text *t = cv->in;
	while (cv->segi < t->nseg && t->seg[cv->segi].out + t->seg[cv->segi].out_len <= pos)
		cv->segi++;
	if (cv->segi >= t->nseg)
		return 0;
	const sl_seg *s = &t->seg[cv->segi];
	if (s->exact || s->out > pos)
		return 0;
	return s->out + s->out_len < cv->n ? s->out + s->out_len : cv->n;
}

/* Decode as UTF-8: valid runs copy, each maximal invalid subpart is one
 * U+FFFD. */
static void dec_utf8(conv *cv, size_t pos)
{
	while (pos < cv->n && !cv->stop) {
		size_t k = utf8_prefix(cv->p + pos, cv->n - pos);
		cv_copy(cv, pos, k);
		pos += k;
		if (pos >= cv->n)
			break;
		if (cv->p[pos] == 0) {
			cv_nul(cv, pos);
			pos++;
			continue;
		}
		size_t sub;
		utf8_seq(cv->p + pos, cv->n - pos, &sub);
		cv_bad(cv, pos, sub);
		pos += sub;
	}
}

/* The UTF-8 of byte c in a single-byte charset (NULL if invalid). */
static const char *single(const conv *cv, int native, unsigned c, char *u, size_t *ulen)
{
	if (c < 0x80) {
		u[0] = (char)c;
		*ulen = 1;
		return u;
	}
	if (native) {
		*ulen = cs_utf8_put(u, c < 0xA0 ? cp1252_high[c - 0x80] : c);
		return u;
	}
	*ulen = cv->sblen[c - 0x80];
	return *ulen ? cv->sb[c - 0x80] : NULL;
}

/* A stretch [pos, end) inside one inexact input segment, converted in
 * pieces of about CHUNK_OUT bytes. */
static void single_bulk(conv *cv, int native, size_t pos, size_t end)
{
	char u[CHUNK_OUT + 16];
	size_t ulen = 0, from = pos;
	for (; pos < end; pos++) {
		unsigned c = cv->p[pos];
		char b[8];
		size_t bl;
		const char *s = c ? single(cv, native, c, b, &bl) : NULL;
		if (!c)
			note_nul(cv, pos);
		else if (!s)
			note_bad(cv, pos);
		if (!s) {
			s = fffd;
			bl = 3;
		}
		memcpy(u + ulen, s, bl);
		ulen += bl;
		if (ulen >= CHUNK_OUT) {
			cv_repl(cv, u, ulen, from, pos + 1 - from);
			ulen = 0;
			from = pos + 1;
		}
	}
	if (ulen)
		cv_repl(cv, u, ulen, from, end - from);
}

/* Decode a single-byte charset: ASCII runs copy, every other byte is a
 * replacement from the native windows-1252 table or the CS_SB table. */
static void dec_single(conv *cv, int native, size_t pos)
{
	while (pos < cv->n && !cv->stop) {
		if (cv->tb.nseg >= FINE_MAX) {
			single_bulk(cv, native, pos, cv->n);
			break;
		}
		size_t e = inexact_end(cv, pos);
		if (e > pos) {
			single_bulk(cv, native, pos, e);
			pos = e;
			continue;
		}
		size_t k = scan_ascii(cv->p + pos, cv->n - pos);
		cv_copy(cv, pos, k);
		pos += k;
		if (pos >= cv->n || cv->stop)
			break;
		unsigned c = cv->p[pos];
		char b[8];
		size_t bl;
		const char *s;
		if (c == 0)
			cv_nul(cv, pos);
		else if ((s = single(cv, native, c, b, &bl)))
			cv_repl(cv, s, bl, pos, 1);
		else
			cv_bad(cv, pos, 1);
		pos++;
	}
}

/* Tabulate a single-byte charset's upper half through iconv.  Returns -1
 * if a byte alone is an incomplete sequence (the charset is multi-byte). */
static int sb_table(conv *cv)
{
	cv->sb = arena_array(&cv->r->arena, 128, sizeof *cv->sb);
	cv->sblen = arena_zalloc(&cv->r->arena, 128);
	for (unsigned b = 0x80; b <= 0xFF; b++) {
		char in = (char)b, *ip = &in;
		unsigned char o[16];
		char *op = (char *)o;
		size_t il = 1, ol = sizeof o;
		iconv(cv->cd, NULL, NULL, NULL, NULL);
		size_t rc = iconv(cv->cd, &ip, &il, &op, &ol);
		if (rc == (size_t)-1 && errno == EINVAL)
			return -1;
		if (rc == (size_t)-1)
			continue;
		/* converters that compose (CP1255, CP1258) hold the character
		 * back until flushed */
		iconv(cv->cd, NULL, NULL, &op, &ol);
		size_t got = sizeof o - ol, len = 0;
		if (got == 0 || got > 8)
			continue;
		for (size_t i = 0; i + 4 <= got; i += 4) {
			uint32_t cp = (uint32_t)o[i] | (uint32_t)o[i + 1] << 8 |
			              (uint32_t)o[i + 2] << 16 | (uint32_t)o[i + 3] << 24;
			char u[4];
			size_t ul = cs_utf8_put(u, cp);
			if (len + ul > sizeof cv->sb[0])
				break;
			memcpy(cv->sb[b - 0x80] + len, u, ul);
			len += ul;
		}
		cv->sblen[b - 0x80] = (unsigned char)len;
	}
	iconv(cv->cd, NULL, NULL, NULL, NULL);
	return 0;
}

/* Append the UTF-8 of n bytes of UTF-32LE output o to u (*ulen); a U+0000
 * becomes U+FFFD and sets *nul. */
static void put_utf32(const unsigned char *o, size_t n, char *u, size_t *ulen, int *nul)
{
	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t cp = (uint32_t)o[i] | (uint32_t)o[i + 1] << 8 |
		              (uint32_t)o[i + 2] << 16 | (uint32_t)o[i + 3] << 24;
		if (cp == 0) {
			cp = 0xFFFD;
			*nul = 1;
		}
		*ulen += cs_utf8_put(u + *ulen, cp);
	}
}

/* One step of iconv from p[pos,n) into UTF-32LE: one character (the
 * output has room for one code point, more only if a converter insists).
 * *used gets the input bytes consumed, u (*ulen) the UTF-8 of the output
 * (at most 16 bytes), *nul whether it held a U+0000.  Returns the errno of
 * a failure that stopped it before any progress, else 0. */
static int ic_step(conv *cv, size_t pos, size_t *used, char *u, size_t *ulen, int *nul)
{
	unsigned char o[16];
	size_t room = 4, left = cv->n - pos, win = left < STEP_IN ? left : STEP_IN;
	*ulen = 0;
	*nul = 0;
	for (;;) {
		char *ip = (char *)(cv->p + pos), *op = (char *)o;
		size_t il = win, ol = room;
		size_t rc = iconv(cv->cd, &ip, &il, &op, &ol);
		int err = rc == (size_t)-1 ? errno : 0;
		size_t got = room - ol;
		*used = (size_t)(ip - (char *)(cv->p + pos));
		if (err == E2BIG && got == 0 && *used == 0 && room < sizeof o) {
			room += 4;
			continue;
		}
		put_utf32(o, got, u, ulen, nul);
		if (got || *used)
			return 0;
		if (err == EINVAL && win < left)
			return EILSEQ; /* no character is that long */
		return err == E2BIG || err == 0 ? EILSEQ : err;
	}
}

/* Output a converter holds back (a composed pair): appended to u (*ulen,
 * room for 16 more bytes). */
static void ic_flush(conv *cv, char *u, size_t *ulen, int *nul)
{
	unsigned char o[16];
	char *op = (char *)o;
	size_t ol = sizeof o;
	iconv(cv->cd, NULL, NULL, &op, &ol);
	put_utf32(o, sizeof o - ol, u, ulen, nul);
}

/* Convert [pos, end) with as few iconv calls as possible, as replacements
 * of the bytes consumed (pieces of about CHUNK_OUT output bytes).  An
 * incomplete sequence at end is left for the caller unless final (then it
 * is invalid).  Returns the position reached. */
static size_t ic_chunk(conv *cv, size_t pos, size_t end, int final)
{
	char u[CHUNK_OUT + 1100];
	size_t ulen = 0, from = pos;
	while (pos < end && !cv->stop) {
		unsigned char o[1024];
		/* glibc converts its whole input ahead through an inner
		 * buffer: feed it about what one output buffer holds */
		size_t win = end - pos < CHUNK_IN ? end - pos : CHUNK_IN;
		char *ip = (char *)(cv->p + pos), *op = (char *)o;
		size_t il = win, ol = sizeof o;
		size_t rc = iconv(cv->cd, &ip, &il, &op, &ol);
		int err = rc == (size_t)-1 ? errno : 0, nul = 0;
		if (err == EINVAL && win < end - pos)
			err = 0; /* a character across the window: next time */
		size_t used = (size_t)(ip - (char *)(cv->p + pos));
		if (!used && ol == sizeof o && (err == 0 || err == E2BIG))
			err = EILSEQ; /* no progress at all: never loop */
		put_utf32(o, sizeof o - ol, u, &ulen, &nul);
		if (nul)
			note_nul(cv, pos);
		pos += used;
		if (err == EILSEQ) {
			note_bad(cv, pos);
			memcpy(u + ulen, fffd, 3);
			ulen += 3;
			pos++;
			iconv(cv->cd, NULL, NULL, NULL, NULL);
		} else if (err == EINVAL) {
			if (!final)
				break;
			note_bad(cv, pos);
			memcpy(u + ulen, fffd, 3);
			ulen += 3;
			pos = end;
		} else if (err && err != E2BIG) {
			break;
		}
		if (ulen >= CHUNK_OUT) {
			cv_repl(cv, u, ulen, from, pos - from);
			ulen = 0;
			from = pos;
		}
	}
	if (ulen)
		cv_repl(cv, u, ulen, from, pos - from);
	return pos;
}

/* Multi-byte ASCII-compatible charsets: ASCII runs at character
 * boundaries copy; each other character is one replacement of its bytes;
 * a stretch inside one inexact input segment converts in bulk.  For
 * converters that compose (BIG5-HKSCS), the converter is flushed after
 * each character so what it held back stays with that character. */
static void dec_multi(conv *cv)
{
	size_t pos = 0;
	while (pos < cv->n && !cv->stop) {
		if (cv->tb.nseg >= FINE_MAX) {
			ic_chunk(cv, pos, cv->n, 1);
			break;
		}
		size_t e = inexact_end(cv, pos);
		if (e > pos) {
			size_t got = ic_chunk(cv, pos, e, e == cv->n);
			if (got > pos) {
				pos = got;
				continue;
			}
			/* a character running past the segment: one step */
		} else {
			unsigned c = cv->p[pos];
			if (c && c < 0x80) {
				size_t k = scan_ascii(cv->p + pos, cv->n - pos);
				cv_copy(cv, pos, k);
				pos += k;
				continue;
			}
		}
		char u[40];
		size_t used, ulen;
		int nul, err = ic_step(cv, pos, &used, u, &ulen, &nul);
		if (!used) {
			/* no progress: an invalid byte, or an incomplete
			 * sequence at the end */
			size_t bad = err == EINVAL ? cv->n - pos : 1;
			iconv(cv->cd, NULL, NULL, NULL, NULL);
			cv_bad(cv, pos, bad);
			pos += bad;
			continue;
		}
		if (cv->compose)
			ic_flush(cv, u, &ulen, &nul);
		if (nul && used == 1)
			cv_nul(cv, pos);
		else
			cv_repl(cv, u, ulen, pos, used);
		pos += used;
	}
}

/* Stateful or wide encodings: runs of input up to a line feed byte (or
 * RUN_IN bytes), each converted by iconv in one go and emitted as one
 * replacement; the converter keeps its shift state from run to run. */
static void dec_runs(conv *cv)
{
	size_t pos = 0;
	while (pos < cv->n && !cv->stop) {
		size_t w = cv->n - pos < RUN_IN ? cv->n : pos + RUN_IN;
		const unsigned char *nl = memchr(cv->p + pos, '\n', w - pos);
		if (nl)
			w = (size_t)(nl - cv->p) + 1;
		size_t got = ic_chunk(cv, pos, w, w == cv->n);
		if (got == pos) {
			/* a character across the run's end: widen a little */
			w = cv->n - pos < RUN_IN ? cv->n : pos + RUN_IN;
			w = w - pos < STEP_IN ? w : pos + STEP_IN;
			got = ic_chunk(cv, pos, w, 1);
		}
		pos = got > pos ? got : pos + 1;
	}
	if (cv->stop || !cv->n)
		return;
	char u[40];
	size_t ulen = 0;
	int nul = 0;
	ic_flush(cv, u, &ulen, &nul);
	if (ulen)
		cv_repl(cv, u, ulen, cv->n - 1, 1);
}

/* Open cd for the charset; -1 if iconv does not know it. */
static int ic_open(conv *cv, const char *name)
{
	if (!name)
		return -1;
	cv->cd = iconv_open("UTF-32LE", name);
	if (cv->cd == (iconv_t)-1)
		return -1;
	cv->compose = !strcmp(name, "BIG5-HKSCS");
	return 0;
}

static void ic_close(conv *cv)
{
	if (cv->cd != (iconv_t)-1)
		iconv_close(cv->cd);
	cv->cd = (iconv_t)-1;
}

static size_t budget(const sl_result *r)
{
	size_t lim = r->lim.decoded_size ? r->lim.decoded_size : SL_DEFAULT_DECODED_SIZE;
	return r->decoded < lim ? lim - r->decoded : 0;
}

/* Does p start with a UTF-8 byte order mark? */
static int has_bom(const unsigned char *p, size_t n)
{
	return n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF;
}

static void report(conv *cv)
{
	sl_result *r = cv->r;
	if (cv->nbad)
		diag_input(r, "input/bad-charset-data", SL_WARNING,
		           text_span(cv->in, cv->bad_off, cv->bad_off + 1),
		           "%zu invalid byte sequence%s for charset '%s', shown as U+FFFD",
		           cv->nbad, cv->nbad == 1 ? "" : "s", cv->name);
	if (cv->nnul)
		diag_input(r, "input/nul-byte", SL_WARNING,
		           text_span(cv->in, cv->nul_off, cv->nul_off + 1),
		           "%zu NUL byte%s in the text, shown as U+FFFD",
		           cv->nnul, cv->nnul == 1 ? "" : "s");
}

/* Text that needs no conversion: shared when the caller allows it and it
 * fits the limit, else one copy. */
static void as_is(conv *cv, sl_text *out, unsigned flags)
{
	if ((flags & CS_SHARE) && cv->n <= cv->tb.out.max && cv->in->p) {
		*out = *cv->in;
		return;
	}
	tb_reserve(&cv->tb, cv->n, 1);
	cv_copy(cv, 0, cv->n);
	tb_finish(&cv->tb, out);
}

/* Room for the output, estimated from the input: one growth instead of
 * many (high = bytes with the high bit set). */
static void presize(conv *cv, enum cs_kind kind, size_t high)
{
	size_t n = cv->n, segs = cv->in->nseg <= 1 ? 2 * high + 1 : cv->in->nseg + 16;
	size_t bytes = kind == CS_RUN ? 2 * n : n + 2 * high;
	if (segs > n / 2 + 16)
		segs = n / 2 + 16;
	if (segs > FINE_MAX + n / 1024 + 16)
		segs = FINE_MAX + n / 1024 + 16;
	tb_reserve(&cv->tb, bytes, segs);
}

/* Decode cv->in by cv->kind, the converter (if any) open. */
static void run(conv *cv)
{
	if (cv->kind == CS_SB && sb_table(cv) < 0)
		cv->kind = CS_MB;
	size_t high = 0;
	for (size_t i = cv->first8; i < cv->n; i++)
		high += cv->p[i] >> 7;
	/* UTF-8 sent under a legacy label shows as mojibake.  Legacy text
	 * is rarely valid UTF-8: in a single-byte charset one sequence
	 * says so; double-byte text passes by chance more often, so it
	 * takes a few */
	int single_byte = cv->kind == CS_SB || cv->kind == CS_1252;
	if (cv->declared && (single_byte ? high > 0 : cv->kind == CS_MB && high >= 8) &&
	    utf8_valid(cv->p, cv->n))
		diag_input(cv->r, "input/charset-mismatch", SL_WARNING, cv->decl,
		           "text declared '%s' is valid utf-8; readers may see "
		           "garbled characters", cv->name);
	presize(cv, cv->kind, high);
	switch (cv->kind) {
	case CS_UTF8:
		dec_utf8(cv, cv->start);
		break;
	case CS_ASCII: /* no 8-bit bytes left here, only NULs */
	case CS_1252:
		dec_single(cv, 1, cv->start);
		break;
	case CS_SB:
		dec_single(cv, 0, 0);
		break;
	case CS_MB:
		dec_multi(cv);
		break;
	case CS_RUN:
		dec_runs(cv);
		break;
	}
}

/* run() with the iconv handle open: the arena's out-of-memory longjmp
 * passes through here to close it (no memory outside the arena is held
 * across an allocation), then goes on to the caller's recovery point. */
static void run_guarded(conv *cv)
{
	sl_arena *a = &cv->r->arena;
	jmp_buf guard;
	jmp_buf *saved = a->oom;
	if (setjmp(guard)) {
		a->oom = saved;
		ic_close(cv);
		if (saved)
			longjmp(*saved, 1);
		BUG("out of memory in an arena without a recovery point");
	}
	a->oom = &guard;
	run(cv);
	a->oom = saved;
	ic_close(cv);
}

void charset_to_utf8(sl_result *r, const char *cs, const sl_text *in,
                     sl_text *out, sl_span decl)
{
	charset_to_utf8_ex(r, cs, in, out, decl, 0);
}

void charset_to_utf8_ex(sl_result *r, const char *cs, const sl_text *in,
                        sl_text *out, sl_span decl, unsigned flags)
{
	conv cv;
	memset(&cv, 0, sizeof cv);
	cv.r = r;
	cv.in = in;
	cv.p = (const unsigned char *)in->p;
	cv.n = in->len;
	cv.cd = (iconv_t)-1;
	tb_init(&cv.tb, &r->arena, budget(r));

	cs_info ci;
	char trimmed[CS_NAME_MAX + 1];
	if (cs) {
		sl_str s = str_trim((sl_str){ cs, strlen(cs) });
		while (s.len && (s.p[0] == '"' || s.p[0] == '\'')) {
			s.p++;
			s.len--;
		}
		while (s.len && (s.p[s.len - 1] == '"' || s.p[s.len - 1] == '\''))
			s.len--;
		if (s.len > CS_NAME_MAX)
			s.len = CS_NAME_MAX;
		memcpy(trimmed, s.p, s.len);
		trimmed[s.len] = 0;
		cs = trimmed;
		cv.name = cs_show(&r->arena, cs);
		cs_lookup(&ci, cs);
	} else {
		cv.name = "utf-8";
		ci.kind = CS_UTF8;
		ci.iconv = NULL;
	}

	size_t first8 = scan_ascii(cv.p, cv.n);
	/* the common case: ASCII in an ASCII-compatible charset */
	if (first8 == cv.n && ci.kind != CS_RUN) {
		as_is(&cv, out, flags);
		return;
	}
	while (first8 < cv.n && cv.p[first8] == 0)
		first8 += 1 + scan_ascii(cv.p + first8 + 1, cv.n - first8 - 1);
	int eight = first8 < cv.n;
	int guessed = 0;        /* decoding chosen by content */

	switch (ci.kind) {
	case CS_UTF8:
		if (!cs && eight) {
			int u8 = utf8_valid(cv.p, cv.n);
			guessed = 1;
			if (!u8)
				ci.kind = CS_1252;
			if (!u8 || !(has_bom(cv.p, cv.n) || (flags & CS_TEMPLATE)))
				diag_input(r, "input/undeclared-8bit", SL_NOTE,
				           text_span(in, first8, first8 + 1),
				           "8-bit text with no declared charset; decoded as %s",
				           u8 ? "utf-8" : "windows-1252");
			cv.name = u8 ? "utf-8" : "windows-1252";
		}
		break;
	case CS_ASCII:
		if (eight) {
			int u8 = utf8_valid(cv.p, cv.n);
			guessed = 1;
			ci.kind = u8 ? CS_UTF8 : CS_1252;
			diag_input(r, "input/8bit-in-ascii", SL_WARNING,
			           text_span(in, first8, first8 + 1),
			           "8-bit data in text declared '%s'; decoded as %s",
			           cv.name, u8 ? "utf-8" : "windows-1252");
		}
		break;
	case CS_SB:
	case CS_MB:
	case CS_RUN:
		if (ic_open(&cv, ci.iconv) < 0) {
			diag_input(r, "input/unknown-charset", SL_WARNING, decl,
			           "unknown charset '%s'; decoded as windows-1252", cv.name);
			ci.kind = CS_1252;
			cv.name = "windows-1252";
		}
		break;
	case CS_1252:
		break;
	}

	/* a UTF-8 byte order mark is dropped wherever UTF-8 was possible */
	int bom = (ci.kind == CS_UTF8 || guessed) && has_bom(cv.p, cv.n);
	if (ci.kind == CS_UTF8 && !bom && utf8_prefix(cv.p, cv.n) == cv.n) {
		as_is(&cv, out, flags);
		return;
	}
	cv.kind = ci.kind;
	cv.start = bom ? 3 : 0;
	cv.first8 = first8;
	cv.decl = decl;
	cv.declared = cs != NULL;
	if (cv.cd != (iconv_t)-1)
		run_guarded(&cv);
	else
		run(&cv);
	report(&cv);
	tb_finish(&cv.tb, out);
}

/* --- <meta charset> -------------------------------------------------------- */

/* The HTML prescan window (WHATWG: 1024 bytes); a tag that starts inside
 * it may run a little past it. */
#define SNIFF_WINDOW 1024
#define SNIFF_TAG_MAX 1024

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

typedef struct attr {
	size_t name, name_end, val, val_end;
} attr;

/* Parse one attribute at *i in p[0,n); returns 0 at the tag's end. */
static int next_attr(const char *p, size_t n, size_t *i, attr *a)
{
	size_t k = *i;
	while (k < n && (is_space((unsigned char)p[k]) || p[k] == '/'))
		k++;
	if (k >= n || p[k] == '>')
		return 0;
	a->name = k;
	while (k < n && !is_space((unsigned char)p[k]) && p[k] != '=' && p[k] != '>' &&
	       p[k] != '/')
		k++;
	a->name_end = k;
	while (k < n && is_space((unsigned char)p[k]))
		k++;
	a->val = a->val_end = k;
	if (k < n && p[k] == '=') {
		k++;
		while (k < n && is_space((unsigned char)p[k]))
			k++;
		if (k < n && (p[k] == '"' || p[k] == '\'')) {
			char q = p[k++];
			a->val = k;
			while (k < n && p[k] != q)
				k++;
			a->val_end = k;
			if (k < n)
				k++;
		} else {
			a->val = k;
			while (k < n && !is_space((unsigned char)p[k]) && p[k] != '>')
				k++;
			a->val_end = k;
		}
	}
	*i = k;
	return 1;
}

static int attr_is(const char *p, const attr *a, const char *name)
{
	return str_ieq((sl_str){ p + a->name, a->name_end - a->name }, name);
}

/* The charset value inside a content attribute ("text/html; charset=x"):
 * sets [*vo, *ve) and returns 1 if found. */
static int content_charset(const char *p, size_t off, size_t end, size_t *vo, size_t *ve)
{
	for (size_t k = off; k + 7 <= end; k++) {
		if (!str_iprefix((sl_str){ p + k, end - k }, "charset"))
			continue;
		size_t j = k + 7;
		while (j < end && is_space((unsigned char)p[j]))
			j++;
		if (j >= end || p[j] != '=')
			continue;
		j++;
		while (j < end && is_space((unsigned char)p[j]))
			j++;
		if (j < end && (p[j] == '"' || p[j] == '\''))
			j++;
		size_t s = j;
		while (j < end && !is_space((unsigned char)p[j]) && p[j] != ';' &&
		       p[j] != '"' && p[j] != '\'')
			j++;
		if (j == s)
			return 0;
		*vo = s;
		*ve = j;
		return 1;
	}
	return 0;
}

/* The charset a <meta> tag whose attributes start at i declares. */
static int meta_charset(const char *p, size_t n, size_t i, size_t *vo, size_t *ve)
{
	attr a;
	int http = 0, have_content = 0;
	size_t co = 0, ce = 0;
	while (next_attr(p, n, &i, &a)) {
		if (attr_is(p, &a, "charset") && a.val_end > a.val) {
			sl_str v = str_trim((sl_str){ p + a.val, a.val_end - a.val });
			if (!v.len)
				continue;
			*vo = (size_t)(v.p - p);
			*ve = *vo + v.len;
			return 1;
		}
		if (attr_is(p, &a, "http-equiv") &&
		    str_ieq(str_trim((sl_str){ p + a.val, a.val_end - a.val }), "content-type"))
			http = 1;
		if (attr_is(p, &a, "content")) {
			have_content = 1;
			co = a.val;
			ce = a.val_end;
		}
	}
	return http && have_content && content_charset(p, co, ce, vo, ve);
}

const char *charset_sniff_html(sl_result *r, const sl_text *t, sl_span *decl)
{
	const char *p = t->p;
	size_t win = t->len < SNIFF_WINDOW ? t->len : SNIFF_WINDOW;
	size_t lim = t->len < SNIFF_WINDOW + SNIFF_TAG_MAX ? t->len : SNIFF_WINDOW + SNIFF_TAG_MAX;
	*decl = (sl_span){ 0, 0, 0 };
	if (has_bom((const unsigned char *)p, t->len)) {
		*decl = text_span(t, 0, 3);
		return "utf-8";
	}
	for (size_t i = 0; i < win; i++) {
		if (p[i] != '<')
			continue;
		sl_str rest = { p + i, lim - i };
		if (str_iprefix(rest, "<!--")) {
			const char *e = NULL;
			for (size_t k = i + 4; k + 3 <= lim; k++)
				if (p[k] == '-' && p[k + 1] == '-' && p[k + 2] == '>') {
					e = p + k;
					break;
				}
			if (!e)
				return NULL;
			i = (size_t)(e - p) + 2;
			continue;
		}
		if (!str_iprefix(rest, "<meta") || i + 5 >= lim ||
		    !(is_space((unsigned char)p[i + 5]) || p[i + 5] == '/'))
			continue;
		size_t vo, ve;
		if (meta_charset(p, lim, i + 5, &vo, &ve)) {
			*decl = text_span(t, vo, ve);
			return str_lower_dup(&r->arena, (sl_str){ p + vo, ve - vo });
		}
	}
	return NULL;
}
