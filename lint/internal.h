/*
 * internal.h - what the library's stages share: every limit with its
 * reason, the arena, length-carrying strings, the source map, the MIME tree,
 * the document model and the per-file state.  Not installed.
 *
 * Pipeline (see DESIGN.md):
 *   source -> mime (mime.c) -> decode (decode.c, charset.c) -> html (html.c)
 *          -> text (text.c) -> engine (later) -> diagnostics (diag.c)
 *          -> render (render_*.c)
 *
 * Memory: everything made while checking one file lives in that file's
 * arena (sl_result.arena) and is freed at once by sl_result_free().  An
 * allocation failure longjmps to sl_lint(), which returns SL_ENOMEM; so no
 * stage checks for NULL from the arena, and no stage may hold memory that
 * is not in the arena across a call that allocates (except inside html.c,
 * whose libxml2 parser leaks only on that out-of-memory path).
 */
#ifndef SL_INTERNAL_H
#define SL_INTERNAL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sendlint.h"

/* ---------------------------------------------------------------------
 * Limits.  Each default with the reason for it; each overridable through
 * sl_options.limits (CLI: --limit NAME=N).  Reaching one is a diagnostic
 * input/limit-NAME, and the stage goes on with what it has.
 * ------------------------------------------------------------------- */

/* Mailbox providers refuse messages over 20-50 MB (Gmail 25 MB, Outlook
 * 20-150 MB incl. encoding); 64 MiB leaves room for any real message. */
#define SL_DEFAULT_INPUT_SIZE   ((size_t)64 << 20)
/* Real messages carry tens of fields, relayed ones a few hundred
 * (Received chains); thousands means a hostile or broken input. */
#define SL_DEFAULT_HEADER_COUNT ((size_t)1000)
/* RFC 5322 2.1.1 limits a line to 998 octets; folded fields can be longer
 * (long References), but no legitimate field reaches 64 KiB. */
#define SL_DEFAULT_HEADER_LINE  ((size_t)64 << 10)
/* Mail clients nest a handful of levels (mixed > alternative > related,
 * plus forwarded message/rfc822); 32 is far beyond real mail. */
#define SL_DEFAULT_MIME_DEPTH   ((size_t)32)
/* Newsletters with many inline images reach tens of parts. */
#define SL_DEFAULT_MIME_PARTS   ((size_t)1000)
/* Decoding never grows text more than ~3x (charset conversion); the sum
 * of every decoded text of one file is capped at twice the input limit. */
#define SL_DEFAULT_DECODED_SIZE ((size_t)128 << 20)
/* Email HTML is table soup but rarely nests past 40; libxml2 itself stops
 * at 256 without XML_PARSE_HUGE. */
#define SL_DEFAULT_HTML_DEPTH   ((size_t)256)
/* Real tags carry fewer than 20 attributes; libxml2 2.9 compares each new
 * attribute with all before it (quadratic), so past this many the rest of
 * the tag is blanked before parsing (not overridable). */
#define SL_HTML_MAX_ATTRS       ((size_t)64)
/* libxml2 2.9 scans its whole element stack for every end tag that
 * closes nothing; real mail has dozens, so past this many the parse stops
 * (not overridable). */
#define SL_HTML_MAX_STRAY_END   ((size_t)1 << 20)
/* A file with more findings than this is better fixed than read. */
#define SL_DEFAULT_DIAGNOSTICS  ((size_t)1000)
/* PCRE2 match limit per rule and scope: plenty for linear patterns, stops
 * catastrophic backtracking within milliseconds. */
#define SL_DEFAULT_REGEX_MATCH  ((size_t)1000000)
/* A word or number token longer than this many bytes gets no norm
 * (sl_word keeps normlen in 16 bits, and folding grows a norm by at most
 * half); no word of any language comes near (not overridable). */
#define SL_WORD_NORM_MAX        ((size_t)32 << 10)

/* RFC 5322 2.1.1: a physical line "MUST be no more than 998 characters". */
#define SL_RFC5322_LINE_MAX 998

/* ---------------------------------------------------------------------
 * Bugs: broken invariants, never input errors.
 * ------------------------------------------------------------------- */
void sl_bug(const char *file, int line, const char *what);
#define BUG(what) sl_bug(__FILE__, __LINE__, (what))

/* ---------------------------------------------------------------------
 * Arena (arena.c).  Bump allocator in chunks; freed as a whole.  On
 * allocation failure it longjmps to *oom (set by sl_lint or the rule
 * loader); if oom is NULL it calls BUG.
 * ------------------------------------------------------------------- */
typedef struct sl_pool sl_pool;
typedef struct sl_arena {
	struct sl_chunk *head;
	char *cur, *end;
	size_t total;          /* bytes of the chunks obtained so far */
	struct sl_chunk *big;  /* blocks of their own (requests of ARENA_BIG
	                          bytes or more), grown in place by realloc */
	jmp_buf *oom;
	sl_pool *pool;         /* where released chunks go, NULL = free() */
} sl_arena;

/* A thread-safe store of released arena chunks, bounded by max bytes
 * (the context keeps one; results' arenas take from and return to it). */
sl_pool *pool_new(size_t max);
void pool_free(sl_pool *p);
/* Default bound: a few times a large real message's working set. */
#define SL_POOL_MAX ((size_t)64 << 20)

void arena_init(sl_arena *a, jmp_buf *oom);
void arena_release(sl_arena *a);             /* frees every chunk */
/* Forget every allocation but keep the newest chunk for the next ones:
 * a scratch arena emptied between units of work.  (Chunks go to free(),
 * not to a pool.) */
void arena_reset(sl_arena *a);
void *arena_alloc(sl_arena *a, size_t n);     /* aligned to 16; never NULL */
void *arena_zalloc(sl_arena *a, size_t n);
void *arena_array(sl_arena *a, size_t n, size_t size); /* overflow-checked */
/* Resize a block of oldsize bytes allocated from the arena to newsize,
 * keeping its first keep bytes: in place when it is the last allocation
 * of its chunk and there is room, or a block of its own (realloc);
 * otherwise a new block (and the old one is wasted). */
void *arena_resize(sl_arena *a, void *old, size_t oldsize, size_t keep, size_t newsize);
/* The same for an array of oldn (as allocated) elements of size bytes,
 * to newn elements. */
void *arena_grow(sl_arena *a, void *old, size_t oldn, size_t newn, size_t size);
char *arena_strndup(sl_arena *a, const char *s, size_t n); /* NUL-terminated */
char *arena_printf(sl_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(sl_arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* ---------------------------------------------------------------------
 * Strings and byte buffers (buf.c).
 * ------------------------------------------------------------------- */
typedef struct sl_str {
	const char *p;
	size_t len;
} sl_str;

#define SL_STR(lit) ((sl_str){ (lit), sizeof(lit) - 1 })

int str_eq(sl_str a, const char *lit);        /* exact */
int str_ieq(sl_str a, const char *lit);       /* ASCII case-insensitive */
int str_iprefix(sl_str a, const char *lit);   /* ASCII case-insensitive */
sl_str str_trim(sl_str s);                    /* ASCII whitespace */
char *str_lower_dup(sl_arena *a, sl_str s);   /* ASCII lower-cased copy */

/* A growable byte buffer in an arena with a hard maximum (curl's dynbuf).
 * buf_add returns -1, and sets over, instead of growing past max. */
typedef struct sl_buf {
	sl_arena *a;
	char *p;
	size_t len, alloc, max;
	int over;
} sl_buf;

void buf_init(sl_buf *b, sl_arena *a, size_t max);
int buf_add(sl_buf *b, const void *p, size_t n);
int buf_addc(sl_buf *b, char c);
int buf_addf(sl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminates (not counted in len) and returns p. */
char *buf_cstr(sl_buf *b);

/* ---------------------------------------------------------------------
 * The source map (text.h part, srcmap.c).
 *
 * An sl_text is UTF-8 (or, before charset conversion, raw) bytes together
 * with a sorted array of segments saying which original-file bytes each
 * piece of it came from.  Segments are sorted by `out`, do not overlap and
 * cover every byte of the text.  An exact segment copied bytes one to one
 * (out_len == src_len and the bytes are equal); any other is an atomic
 * replacement (an =E2=80=94, an &amp;, a base64 line, an encoded word).
 * Every stage builds its output with an sl_tb, which composes with the
 * input's map at once, so every sl_text maps straight to the file.
 * ------------------------------------------------------------------- */
typedef struct sl_seg {
	size_t out, out_len;   /* bytes of this text */
	size_t src, src_len;   /* bytes of the original file */
	int exact;
} sl_seg;

typedef struct sl_text {
	const char *p;         /* NUL-terminated for convenience; may hold NULs */
	size_t len;
	const sl_seg *seg;
	size_t nseg;
} sl_text;

/* A range of the original file. exact: the file bytes [off,end) are
 * exactly the text bytes they were mapped from (a fix-it may replace
 * them). */
typedef struct sl_span {
	size_t off, end;
	int exact;
} sl_span;

/* The original range of text bytes [off, end).  An empty range maps to a
 * point.  Never fails: off and end are clamped to the text. */
sl_span text_span(const sl_text *t, size_t off, size_t end);
/* The whole original range of t ({0,0,0} for an empty text with no
 * segments). */
sl_span text_whole(const sl_text *t);
/* A text that is the identity map of src[off, off+len). */
void text_identity(sl_text *t, sl_arena *a, const char *src, size_t off, size_t len);
/* A sub-text [off, end) of t sharing t's bytes, with its own segments
 * rebased so that out 0 is t's off. */
void text_slice(sl_text *out, sl_arena *a, const sl_text *t, size_t off, size_t end);

/* Text builder.  Appends produce output bytes and their segments; adjacent
 * exact segments that are contiguous on both sides are merged.  Every
 * append returns 0, or -1 (and sets over) if the builder's maximum would be
 * passed; nothing is appended then. */
typedef struct sl_tb {
	sl_arena *a;
	sl_buf out;
	sl_seg *seg;
	size_t nseg, segalloc;
	int over;
} sl_tb;

void tb_init(sl_tb *tb, sl_arena *a, size_t max);
/* Copy in's bytes [off, off+len) one to one; the map follows in's
 * segments (exact where they are). */
int tb_copy(sl_tb *tb, const sl_text *in, size_t off, size_t len);
/* Emit s[0..n) as an atomic replacement of in's bytes [off, off+len). */
int tb_replace(sl_tb *tb, const char *s, size_t n, const sl_text *in,
               size_t off, size_t len);
/* Emit s[0..n) mapped to the original range sp (exact only if sp.exact and
 * n == sp.end - sp.off). */
int tb_emit(sl_tb *tb, const char *s, size_t n, sl_span sp);
/* Finish: *out gets the text (NUL-terminated); the builder is spent. */
void tb_finish(sl_tb *tb, sl_text *out);
/* Make room for bytes more output bytes (up to the maximum) and nseg more
 * segments, so that a stage that knows its output size grows once. */
void tb_reserve(sl_tb *tb, size_t bytes, size_t nseg);

/* ---------------------------------------------------------------------
 * MIME (mime.c) and decoding (decode.c, charset.c).
 * ------------------------------------------------------------------- */
typedef struct sl_header {
	sl_str name;           /* as written, points into the source */
	size_t off, end;       /* the field, folded lines included, line break excluded */
	size_t value_off;      /* first byte after the colon */
	sl_text raw;           /* unfolded value (folding CRLF removed), exact */
	sl_text value;         /* RFC 2047-decoded, UTF-8, trimmed */
} sl_header;

typedef enum { SL_KIND_EML, SL_KIND_HTML, SL_KIND_TEXT } sl_kind;

typedef struct sl_part {
	int index;             /* 0 = root, then depth-first order */
	int depth;
	struct sl_part *parent;
	struct sl_part **child;
	size_t nchild;
	sl_header *hdr;        /* this part's header fields */
	size_t nhdr;
	size_t off, end;       /* the part, headers included */
	size_t body_off, body_end;
	const char *type;      /* lower-case "text"; "text" when absent (RFC 2045 5.2) */
	const char *subtype;   /* lower-case "plain" */
	const char *charset;   /* lower-case as declared, NULL if none */
	sl_span charset_decl;  /* original bytes of that declaration (the
	                          charset parameter's value, or a template's
	                          <meta>); for charset_to_utf8's decl */
	const char *boundary;  /* multipart only, as declared */
	const char *encoding;  /* lower-case Content-Transfer-Encoding, "7bit" if absent */
	const char *disposition; /* lower-case, NULL if none */
	const char *filename;  /* decoded (RFC 2231 / 2047), NULL if none */
	int attachment;        /* disposition attachment, or a filename on a non-text part */
	sl_text text;          /* text parts: the decoded UTF-8 body */
	int has_text;
} sl_part;

/* Header lookups over one part's fields; name compared case-insensitively. */
const sl_header *part_header(const sl_part *p, const char *name);
size_t part_header_count(const sl_part *p, const char *name);

/* ---------------------------------------------------------------------
 * Document model (html.c produces blocks, links, images and elements
 * for HTML; text.c for plain text and headers, then splits every block
 * into sentences and words).
 * ------------------------------------------------------------------- */
typedef enum {
	SL_BLK_SUBJECT,
	SL_BLK_PREHEADER,
	SL_BLK_TITLE,
	SL_BLK_HEADING,
	SL_BLK_PARAGRAPH,
	SL_BLK_LIST_ITEM,
	SL_BLK_CELL,
	SL_BLK_BUTTON,
	SL_BLK_QUOTE,
	SL_BLK_PRE,
	SL_BLK_NKINDS
} sl_block_kind;

const char *block_kind_name(sl_block_kind k);

/* Word flags. */
enum {
	SL_W_PLACEHOLDER = 1 << 0, /* {{ x }}, {% %}, *|X|*, %%x%% : never a word */
	SL_W_URL         = 1 << 1,
	SL_W_EMAIL       = 1 << 2,
	SL_W_NUMBER      = 1 << 3, /* digits, with , . : / - inside; money and % count */
	SL_W_ALLCAPS     = 1 << 4, /* two or more letters, all upper-case */
	SL_W_INITCAP     = 1 << 5, /* first letter upper, some lower */
	SL_W_PUNCT       = 1 << 6, /* a run of punctuation or symbols, incl. emoji */
	SL_W_SPACE_BEFORE= 1 << 7, /* separated from the previous token by space */
	SL_W_ZEROWIDTH   = 1 << 8, /* holds soft hyphens / zero-width / bidi controls (dropped from norm) */
	SL_W_EMOJI       = 1 << 9, /* a PUNCT run of emoji / pictographs */
	SL_W_MIXED_SCRIPT= 1 << 10,/* a word mixing Latin with Cyrillic or Greek letters */
};

/* 24 bytes: a large block has a token per five or six bytes of text. */
typedef struct sl_word {
	const char *norm;      /* case-folded (Unicode simple folding) UTF-8,
	                          NUL-terminated; NULL for placeholders, URLs,
	                          e-mail addresses, punctuation and tokens
	                          longer than SL_WORD_NORM_MAX */
	uint32_t off, len;     /* in the block's text */
	uint32_t sent;         /* index of its sentence in the block */
	uint16_t flags;        /* SL_W_* (room for 16) */
	uint16_t normlen;      /* bytes of norm */
} sl_word;

typedef struct sl_sentence {
	uint32_t off, end;     /* in the block's text, trimmed */
	uint32_t word0, nword; /* its tokens in block->word */
} sl_sentence;

typedef struct sl_block {
	sl_block_kind kind;
	int level;             /* heading level 1-6, 0 otherwise */
	int hidden;            /* not rendered: display:none, font-size:0, ... */
	int part;              /* MIME part index, -1 for header-derived blocks */
	int html;              /* came from an HTML part */
	int link;              /* index of the sl_link it is the text of, or -1 */
	int alternative;       /* not the primary body: a non-preferred
	                          multipart/alternative (the text/plain beside
	                          an HTML part) or a forwarded message/rfc822;
	                          prose rules skip it, comparisons use it */
	sl_text text;          /* visible text, whitespace collapsed */
	sl_sentence *sent;     /* filled by text_analyse */
	size_t nsent;
	sl_word *word;
	size_t nword;
} sl_block;

typedef struct sl_link {
	const char *href;      /* attribute value, entities decoded, NUL-terminated; NULL if absent */
	sl_span href_span;     /* original bytes of the attribute value */
	sl_text text;          /* visible text inside the <a> */
	sl_span span;          /* the start tag */
	int part;
	int hidden;
} sl_link;

typedef struct sl_image {
	const char *src;       /* NULL if absent */
	sl_text alt;           /* alt text mapped to the attribute's bytes */
	int has_alt;           /* alt attribute present (even if empty) */
	long width, height;    /* from attributes or inline style; -1 unknown */
	sl_span span;          /* the tag */
	int part;
	int hidden;
	int link;              /* the link it is inside, -1 none */
} sl_image;

/* Elements a rule may care about (script, form, iframe, embed, object,
 * meta refresh, link rel=stylesheet, base, ...) with their start tag. */
typedef struct sl_elem {
	const char *name;      /* lower-case */
	sl_span span;          /* the start tag */
	const char *attrs;     /* the raw attribute text of the tag, NUL-terminated */
	int part;
} sl_elem;

/* A comment in a template: HTML <!-- -->, or a template language's
 * {# #} / {{!-- --}} / {{! }} found in text (inline suppressions live
 * there).  text is the comment's inside, trimmed. */
typedef struct sl_comment {
	sl_str text;           /* NUL-terminated copy in the arena */
	sl_span span;          /* the whole comment, delimiters included */
	int part;
} sl_comment;

typedef struct sl_doc {
	sl_kind kind;
	sl_part *root;         /* EML: the message; templates: a pseudo part */
	sl_part **parts;       /* depth-first, parts[i]->index == i */
	size_t nparts;
	int html_part, text_part; /* the body alternatives chosen, -1 if none */
	const sl_header *subject; /* root's first Subject field, NULL if none */
	sl_block *blk;         /* in document order */
	size_t nblk, blkalloc;
	sl_link *link;
	size_t nlink, linkalloc;
	sl_image *img;
	size_t nimg, imgalloc;
	sl_elem *elem;
	size_t nelem, elemalloc;
	sl_comment *comment;
	size_t ncomment, commentalloc;
	sl_text title;         /* HTML <title>, empty if none */
	int preheader_blk;     /* index in blk of the preheader, -1 if none */
	unsigned *zone;        /* per block: SL_Z_* bits (zones.c), NULL before */
} sl_doc;

/* Append helpers (doc.c); they return a pointer to the new zeroed entry. */
sl_block *doc_add_block(struct sl_result *r);
sl_link *doc_add_link(struct sl_result *r);
sl_image *doc_add_image(struct sl_result *r);
sl_elem *doc_add_elem(struct sl_result *r);
sl_comment *doc_add_comment(struct sl_result *r);
/* Give back the arrays' unused room (text_analyse, once the blocks are
 * all made; a large table has a million blocks). */
void doc_trim(struct sl_result *r);

/* ---------------------------------------------------------------------
 * Per-file state = the result (lint.c).
 * ------------------------------------------------------------------- */
struct sl_context {
	sl_options opts;        /* copied; strings point into arena */
	sl_limits lim;          /* opts.limits with defaults filled in */
	sl_arena arena;         /* rules, strings, compiled matchers */
	jmp_buf oom;
	struct sl_rule **rule;  /* every loaded rule, sorted by id */
	size_t nrule;
	struct sl_phrase_set *phrases; /* all phrase rules, one matcher (phrase.c) */
	struct sl_groups *groups;      /* score parameters (score.c) */
	struct sl_speller *speller;    /* hunspell + cache (spell.c), NULL if none */
	sl_pool *pool;          /* arena chunks reused across files */
	char *errmsg;           /* malloc'd; "" when none */
	/* Per rule index, non-NULL only in the shallow copy sl_check_rules
	 * lints examples with: run exactly these rules (see rule_on()). */
	const unsigned char *only;
};

/* Slots of sl_result's unit cache: 3 hidden settings per scope (engine.c
 * checks that every scope fits). */
#define SL_UCACHE_SLOTS 48

typedef struct sl_poscache {
	int valid;
	size_t line, off, col;
} sl_poscache;

struct sl_result {
	const sl_context *ctx;
	sl_limits lim;
	sl_arena arena;
	jmp_buf oom;
	const char *name;
	const unsigned char *src;
	size_t len;
	sl_text srctext;        /* identity map of the whole file */
	size_t *line;           /* line start offsets; line[0] == 0 */
	size_t nline;
	sl_poscache poscache;   /* source_linecol's resume point */
	size_t decoded;         /* bytes of decoded text made so far (limit) */
	sl_diag *diag;
	size_t ndiag, diagalloc;
	size_t dropped;         /* diagnostics over the limit */
	sl_doc doc;
	sl_score *score;
	size_t nscore;
	sl_unit_score *uscore;  /* score.c: per sentence / paragraph, > 0 only */
	size_t nuscore;
	sl_summary *summary;    /* summary.c: scores explained in words */
	size_t nsummary;
	/* engine.c: the units of each block scope (subject ... message,
	 * sentence) by hidden setting, made once per file and shared by
	 * every rule of that scope (read-only); index scope * 3 + hidden. */
	struct sl_unit *ucache[SL_UCACHE_SLOTS];
	size_t nucache[SL_UCACHE_SLOTS];
	unsigned char ucached[SL_UCACHE_SLOTS];
	size_t *rule_hits;      /* engine.c: hits per rule index, reported or
	                           not (sl_check_rules reads it); NULL before */
};

/* ---------------------------------------------------------------------
 * Diagnostics (diag.c).  Strings are copied into the arena.  Once
 * lim.diagnostics is reached, one input/limit-diagnostics is added and
 * further diagnostics are counted in dropped; diag_add then returns NULL
 * and diag_note/diag_fixit accept NULL.
 * ------------------------------------------------------------------- */
sl_diag *diag_add(struct sl_result *r, const char *rule, const char *group,
                  sl_severity sev, sl_span sp, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Shorthand for group "input". */
sl_diag *diag_input(struct sl_result *r, const char *rule, sl_severity sev,
                    sl_span sp, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void diag_note(struct sl_result *r, sl_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds a fix-it only when sp.exact (else does nothing). */
void diag_fixit(struct sl_result *r, sl_diag *d, sl_span sp, const char *text);
/* If the span is inexact, add the note "decoded text: '...'" with the text
 * of t[off,end) (escaped, shortened to 80 code points). */
void diag_note_decoded(struct sl_result *r, sl_diag *d, const sl_text *t,
                       size_t off, size_t end);
/* Sort by (offset, rule id, end, message) and make the order final. */
void diag_sort(struct sl_result *r);

/* Limit helper: report input/limit-NAME once per file at sp. */
void limit_reached(struct sl_result *r, const char *name, size_t value, sl_span sp);

/* ---------------------------------------------------------------------
 * Stages.
 * ------------------------------------------------------------------- */

/* source.c: line table; position of an offset as 1-based line and column
 * (in code points; invalid UTF-8 bytes count one each). */
void source_lines(struct sl_result *r);
void source_linecol(const struct sl_result *r, size_t off, size_t *line, size_t *col);

/* kind.c: decide what the input is by its content (and the name's
 * extension as a tie-breaker). */
sl_kind kind_detect(const char *name, const unsigned char *p, size_t len);
/* Does the text open with HTML markup (after blanks and a BOM)? */
int kind_opens_with_markup(const unsigned char *p, size_t len);

/* mime.c: parse the message into r->doc.root / parts (EML), or make the
 * pseudo part for a template; decodes every text part (decode_part) and
 * header value (RFC 2047).  Never fails: problems are diagnostics. */
void mime_parse(struct sl_result *r);

/* decode.c: transfer decoding of a part's body into UTF-8 text
 * (quoted-printable, base64, 7bit, 8bit, binary, then charset). */
void decode_part(struct sl_result *r, sl_part *p);
/* The transfer decoding of a non-text leaf part (an image, a PDF) run for
 * its diagnostics only (bad base64 or quoted-printable); nothing is kept
 * but the arena space. */
void decode_check(struct sl_result *r, sl_part *p);
/* RFC 2047 decoding of an unfolded header value (raw -> value). */
void decode_header_value(struct sl_result *r, const sl_text *raw, sl_text *out);

/* charset.c: convert in (bytes in charset cs, NULL = undeclared) to UTF-8.
 * Exact where the input byte was ASCII (in ASCII-compatible charsets) or
 * already valid UTF-8; each other character is an atomic replacement.
 * Invalid sequences become U+FFFD with input/bad-charset-data; an unknown
 * charset falls back to windows-1252 with input/unknown-charset (reported at
 * decl, the span of the declaration).  Undeclared 8-bit text is tried as
 * UTF-8 first, then windows-1252. */
void charset_to_utf8(struct sl_result *r, const char *cs, const sl_text *in,
                     sl_text *out, sl_span decl);
/* The same with flags: CS_SHARE, in is NUL-terminated and in the arena, so
 * when nothing needs converting *out may share its bytes and map (no
 * copy); CS_TEMPLATE, undeclared text that is valid UTF-8 is taken as
 * UTF-8 without a diagnostic (a template file, not a message). */
enum { CS_SHARE = 1, CS_TEMPLATE = 2 };
void charset_to_utf8_ex(struct sl_result *r, const char *cs, const sl_text *in,
                        sl_text *out, sl_span decl, unsigned flags);
/* The charset a template's HTML declares in its first 1024 bytes
 * (<meta charset> or http-equiv), lower-cased, or NULL; *decl gets its span. */
const char *charset_sniff_html(struct sl_result *r, const sl_text *t, sl_span *decl);

/* html.c: parse UTF-8 HTML with libxml2 (never the network) and append
 * blocks, links, images, elements, the title and the preheader. */
void html_extract(struct sl_result *r, const sl_text *html, int part);

/* Why something is not seen: the bits of sl_css.hide and of the hidden
 * field of sl_block, sl_link and sl_image (0: shown). */
enum {
	SL_HIDE_DISPLAY    = 1 << 0, /* display:none, visibility:hidden, opacity:0,
	                                mso-hide:all, a zero box with overflow
	                                hidden, the hidden attribute */
	SL_HIDE_FONT       = 1 << 1, /* font-size 0 or 1px (inherited, so a
	                                descendant may set another size) */
	SL_HIDE_OFFSCREEN  = 1 << 2, /* text-indent or position far off-screen */
	SL_HIDE_CONTRAST   = 1 << 3, /* a transparent colour, or a colour too close
	                                to the background (css_contrast) */
	SL_HIDE_RESPONSIVE = 1 << 4, /* hidden by default, shown by an @media rule
	                                of a <style> block: content for some
	                                screens only (replaces the bits that hid it) */
};

/* html_style.c: an element's inline style as the HTML stage needs it. */
typedef struct sl_css {
	int hidden;            /* display:none, font-size:0, opacity:0, ... */
	long color, bg;        /* 0xRRGGBB, -1 if not set */
	int padding;           /* some non-zero padding is set */
	long width, height;    /* in px, -1 if not set or not in px */
	unsigned hide;         /* SL_HIDE_* bits but SL_HIDE_FONT (see font0) */
	int font0;             /* font-size: 0 not set, 1 zero or 1px, 2 another */
	int shows;             /* undoes hiding: display other than none,
	                          visibility:visible, a non-zero (max-)height,
	                          font-size or opacity (for @media rules) */
} sl_css;
void css_inline(const char *s, size_t n, sl_css *out);
/* The WCAG 2 contrast ratio (1 to 21) of two 0xRRGGBB colours. */
double css_contrast(long fg, long bg);
/* Text below this contrast with its background is taken as hidden: WCAG
 * 2's least for any text is 3:1 (large text), and at 1.5:1 (#ffffff on
 * #dddddd) text is only found by looking for it. */
#define SL_CSS_HIDDEN_CONTRAST 1.5
/* The class rules of <style> blocks that hide or show (one per class),
 * read with css_sheet_read (at most SL_CSS_SHEET_MAX classes per part,
 * then input/limit-style-classes) and applied to an element's classes
 * with css_sheet_apply.  Only simple selectors (.name, tag.name) are
 * read; rules inside @media blocks only show. */
typedef struct sl_sheet sl_sheet;
#define SL_CSS_SHEET_MAX ((size_t)256)
void css_sheet_read(struct sl_result *r, sl_sheet **sh, const char *s, size_t n, sl_span at);
void css_sheet_apply(const sl_sheet *sh, const char *cls, size_t n, sl_css *css);
/* A colour (CSS, or a legacy attribute's "ffffff"): 0xRRGGBB,
 * SL_CSS_TRANSPARENT, or -1 if s is not a colour. */
#define SL_CSS_TRANSPARENT (-2L)
long css_color(const char *s, size_t n);

/* text.c: blocks for a text/plain body (paragraphs split at blank lines)
 * and for the Subject; then text_analyse splits every block into
 * sentences and words. */
void text_plain_blocks(struct sl_result *r, const sl_text *t, int part);
/* The SL_BLK_SUBJECT block from r->doc.subject (nothing if none). */
void text_subject_block(struct sl_result *r);
void text_analyse(struct sl_result *r);

/* Tokeniser used by text_analyse and by tests (words.c). */
size_t text_words(struct sl_result *r, const sl_text *t, sl_word **out);
/* Tokenise every block of r->doc (words.c): one scratch for all, each
 * block's array exactly sized, so little memory is touched. */
void text_words_blocks(struct sl_result *r);
/* Sentences of one block whose words are set (text.c); fills b->sent and
 * every word's sent. */
void text_sentences(struct sl_result *r, sl_block *b);

/* fold.c: UTF-8 and the Unicode character data the text stage needs. */
#define UC_INVALID 0xFFFFFFFFu  /* an invalid UTF-8 byte */
/* Decode one character of p[0..n), n >= 1: returns its length (1 for an
 * invalid byte, then *cp = UC_INVALID). */
size_t uc_utf8_next(const char *p, size_t n, uint32_t *cp);
/* Encode cp (<= 0x10FFFF) into out[0..4); returns the length. */
size_t uc_utf8_put(char *out, uint32_t cp);
enum {
	UC_LETTER = 1 << 0,  UC_DIGIT = 1 << 1,  UC_MARK = 1 << 2,
	UC_SPACE = 1 << 3,   UC_IGNORE = 1 << 4, /* invisible: ZW, soft hyphen, bidi */
	UC_PUNCT = 1 << 5,   /* punctuation, symbols, controls, unassigned */
	UC_EMOJI = 1 << 6,   UC_LATIN = 1 << 7,  UC_GREEK = 1 << 8,
	UC_CYRILLIC = 1 << 9, UC_CASED = 1 << 10, /* letter of a bicameral script */
	UC_OPEN = 1 << 11,   UC_CLOSE = 1 << 12, /* brackets, quotes (" ' both) */
	UC_TERM = 1 << 13,   /* ends a sentence: . ! ? ... */
	UC_TERM_CJK = 1 << 14, /* ends one without a following space */
	UC_CURRENCY = 1 << 15, UC_HYPHEN = 1 << 16, UC_APOS = 1 << 17,
};
unsigned uc_class(uint32_t cp);       /* UC_* bits; UC_PUNCT for UC_INVALID */
extern const unsigned uc_ascii_class[128]; /* uc_class of ASCII, for hot loops */
uint32_t uc_fold(uint32_t cp);        /* Unicode simple case folding */
int uc_is_upper(uint32_t cp);         /* upper- or title-case letter */

/* ---------------------------------------------------------------------
 * Rendering (render.c: the sl_renderer object, the output writer and a
 * UTF-8 decoder; render_text.c, render_json.c, render_dump.c: formats).
 * ------------------------------------------------------------------- */

/* Appends to a caller-owned sl_strbuf with malloc (never the arena: the
 * output outlives results), up to SL_OUT_MAX bytes.  A failed append sets
 * err to SL_ENOMEM and every later one does nothing; buf stays
 * NUL-terminated. */
typedef struct sl_out {
	sl_strbuf *sb;
	int err;
} sl_out;

/* One output document of 1 GiB is far past any real use (1000 capped
 * diagnostics per file at ~300 bytes each); beyond it is a runaway. */
#define SL_OUT_MAX ((size_t)1 << 30)

void out_add(sl_out *o, const void *p, size_t n);
void out_addc(sl_out *o, char c);
void out_adds(sl_out *o, const char *s);
void out_repeat(sl_out *o, char c, size_t n);
void out_addf(sl_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The code point at p (p < end) into *cp and its length in bytes.  An
 * invalid byte (bad lead, truncated sequence, overlong form, surrogate,
 * past U+10FFFF) gives *cp = SL_CP_BAD and length 1. */
#define SL_CP_BAD 0xFFFFFFFFu
size_t render_utf8(const unsigned char *p, const unsigned char *end, uint32_t *cp);

void render_text(sl_out *o, const struct sl_result *r, const sl_render_opts *opts);
void render_dump(sl_out *o, const struct sl_result *r);
/* JSON: one file's object.  SARIF: one file's results (each preceded by
 * a comma unless *first), its artifact (scores, unit scores, summary;
 * only for a file with unit scores or a summary), and the whole log
 * around the kept results and artifacts. */
void render_json_file(sl_out *o, const struct sl_result *r);
void render_sarif_results(sl_out *o, const struct sl_result *r, int *first);
void render_sarif_artifact(sl_out *o, const struct sl_result *r, int *first);
void render_sarif_log(sl_out *o, const char *const *rules, size_t nrules,
                      const sl_strbuf *results, const sl_strbuf *artifacts);
/* A JSON string literal, quotes included (invalid UTF-8 as \uFFFD). */
void render_json_str(sl_out *o, const char *p, size_t n);


/* ---------------------------------------------------------------------
 * Rules (rules.c loads them, kinds compile their own keys, engine.c runs
 * them, meta.c evaluates meta rules, score.c turns hits into scores).
 * ------------------------------------------------------------------- */

/* A YAML node with its position (rules.c parses with libyaml).  Maps keep
 * keys at item[2i] and values at item[2i+1].  `used` is set by ynode_get so
 * the loader can report keys nobody read ("unknown key"). */
typedef enum { SL_Y_SCALAR, SL_Y_SEQ, SL_Y_MAP } sl_ytype;
/* The YAML file a node came from (yaml.c keeps it in the context arena, so
 * load_error can show its line even from a kind's link step). */
typedef struct sl_yfile {
	const char *path;
	const char *src;
	size_t len;
} sl_yfile;
typedef struct sl_ynode {
	sl_ytype type;
	const char *str;        /* scalar, NUL-terminated */
	size_t len;
	struct sl_ynode **item;
	size_t n;
	size_t line, col;       /* 1-based, of the node's first character */
	size_t off;             /* byte offset in the YAML file */
	size_t end;             /* byte offset just past the node */
	const sl_yfile *file;
	int quoted;             /* scalar was quoted: a string, never a number */
	int used;
} sl_ynode;

/* The loader's state while one context is built; kinds report errors
 * through it, at a node, and they all end up in ctx->errmsg. */
typedef struct sl_loader {
	sl_context *ctx;
	const char *path;       /* YAML file being read */
	const char *src;        /* its bytes (for the caret line) */
	size_t len;
	size_t nerr;
} sl_loader;

/* Errors kept per context; past this, one "too many errors" line and
 * the loader stops (a broken rule tree should not drown the terminal). */
#define SL_LOAD_ERRORS_MAX 50
void load_error(sl_loader *L, const sl_ynode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Map lookup (marks the key and value used); NULL if absent. */
sl_ynode *ynode_get(sl_ynode *map, const char *key);
/* Typed reads: 0 ok, -1 wrong type (error reported at the node). */
int ynode_str(sl_loader *L, const sl_ynode *n, const char **out);
int ynode_num(sl_loader *L, const sl_ynode *n, double *out);
int ynode_bool(sl_loader *L, const sl_ynode *n, int *out);
/* A string or a sequence of strings -> arena array. */
int ynode_strs(sl_loader *L, const sl_ynode *n, const char ***out, size_t *nout);

typedef enum {
	SL_RK_PHRASE, SL_RK_REGEX, SL_RK_HEADER, SL_RK_METRIC, SL_RK_META,
	SL_RK_SPELL, SL_RK_TOKENS, SL_RK_NKINDS
} sl_rule_kind;

/* Where a rule looks.  Body scopes see visible text of the preferred body
 * (blocks with alternative == 0); hidden text only with `hidden: include`. */
typedef enum {
	SL_SC_SUBJECT,     /* the Subject block */
	SL_SC_PREHEADER,   /* the preheader block */
	SL_SC_TITLE,       /* <title> */
	SL_SC_HEADING,     /* heading blocks */
	SL_SC_PARAGRAPH,   /* each body block (headings, cells, buttons too) */
	SL_SC_SENTENCE,    /* each sentence of each body block */
	SL_SC_BODY,        /* all body blocks as one unit (metrics, meta) */
	SL_SC_LINK,        /* each link (text; `target: href` for the URL) */
	SL_SC_ALT,         /* each image's alt text */
	SL_SC_HEADER,      /* header:NAME, each field named NAME of the root */
	SL_SC_RAW,         /* the original bytes (regex only) */
	SL_SC_MESSAGE,     /* the whole message (metric, meta, header) */
	SL_SC_NSCOPES
} sl_scope;

const char *scope_name(sl_scope s);

typedef struct sl_rule {
	const char *id;         /* path under its rule dir without .yml */
	const char *path;       /* the file */
	sl_rule_kind kind;
	sl_scope scope;
	const char *header;     /* NAME for header:NAME, as written */
	sl_severity severity;
	const char *group;
	double weight;
	const char *message;    /* template: {match} {count} {value} {header}
	                           {threshold} and kind-specific names */
	const char *description;
	const char *link;       /* optional URL with more */
	const char *suggest;    /* optional kinder wording, shown as a note */
	const char *fix_replace;/* fix: {replace: "..."} ({match} allowed) */
	const char *fix_action; /* fix: {action: sentence-case|delete|lower} */
	int report;             /* 0: only feeds meta rules */
	int hidden;             /* 0 skip hidden text, 1 include it, 2 only it */
	int cap;                /* hits counted in the score, default 1 */
	int score_value;        /* `score: value` (tokens kind): the score adds
	                           weight x each finding's value, reported or
	                           not, instead of weight x min(hits, cap) */
	const char **ex_match, **ex_nomatch;
	size_t nex_match, nex_nomatch;
	const sl_ynode *ex_node;/* for example failures' positions */
	size_t line;            /* position of `kind:` in the file */
	int index;              /* in ctx->rule */
	int enabled;
	void *data;             /* kind-specific, owned by the kind's module */
} sl_rule;

/* Is the rule on for this lint?  Every kind and the engine ask this,
 * never rule->enabled directly (sl_check_rules runs one rule at a time). */
static inline int rule_on(const sl_context *ctx, const sl_rule *rule)
{
	return ctx->only ? ctx->only[rule->index] : rule->enabled;
}

/* The loader (rules.c, yaml.c, context.c).  yaml_parse reads one file
 * (path, src[0..len), kept by the caller in ctx->arena) into a node tree
 * in ctx->arena; NULL after reporting an error.  rules_load loads every
 * rule dir of ctx->opts, links, applies the selection; 0, SL_ERULES or
 * SL_EIO (messages in ctx->errmsg). */
sl_ynode *yaml_parse(sl_loader *L, const sl_yfile *f);
/* Read path (at most SL_YAML_FILE_MAX bytes) into ctx->arena and parse
 * it; sets L->path/src/len.  NULL after reporting an error (unreadable:
 * *eio set when eio is non-NULL). */
#define SL_YAML_FILE_MAX ((size_t)1 << 20)  /* rule files are a few KiB */
sl_ynode *yaml_load_file(sl_loader *L, const char *path, int *eio);
/* The source line of a node and a caret under it, as the diagnostics
 * show them ("    4 | phrase: [a]" / "      | ^~~~~~"). */
void yaml_caret(sl_out *o, const sl_ynode *at);
int rules_load(sl_context *ctx);
/* A note line ("path:line:col: note: ...", with the caret) after an
 * error; not counted as an error. */
void load_note(sl_loader *L, const sl_ynode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* rules.c: the kind's name ("phrase"); the rule with that id or NULL
 * (binary search of ctx->rule); whether a selection entry (an id, a group
 * or an id prefix, "subject" or "subject/") names the rule. */
const char *rule_kind_name(sl_rule_kind k);
const sl_rule *rules_find(const sl_context *ctx, const char *id);
int rules_select_match(const char *sel, const sl_rule *r);
/* Levenshtein distance of a and b, capped at max+1 (did-you-mean). */
size_t edit_distance(const char *a, const char *b, size_t max);

/* A hit: where a rule matched.  Positions index `text`, which is a block
 * text, a header value, a link or alt text, or r->srctext (raw). */
typedef struct sl_hit {
	const sl_rule *rule;
	const sl_text *text;
	uint32_t off, end;
	int blk;                /* block index or -1 */
	int sent;               /* sentence index in the block or -1 */
	double value;           /* measured value (metric) or 1 */
	const char *match;      /* the matched text, for {match} */
	const char *note;       /* optional extra note from the kind */
	const char *fix;        /* optional replacement computed by the kind */
	const char *const *var; /* kind-specific template values: var[2i] is
	                           a name, var[2i+1] its value (regex named
	                           groups, metric threshold) */
	size_t nvar;            /* pairs in var */
} sl_hit;

typedef struct sl_run {
	sl_result *r;
	const sl_context *ctx;
	sl_hit *hit;
	size_t nhit, hitalloc;
	size_t *first;          /* per rule index: first hit in hit[] after
	                           sorting, or SIZE_MAX (engine.c) */
	size_t *count;          /* per rule index: number of hits */
	sl_hit spare;           /* what run_hit returns past the per-rule cap */
	double *unreported;     /* per rule index: summed value of findings a
	                           score: value rule made without a hit (tokens
	                           under report_min); score.c adds them; NULL
	                           until a kind sets one (tokens.c) */
	int *unreported_at;     /* per rule index, with unreported: for a
	                           `score: excess` rule the block and sentence
	                           (2 ints) of the unit whose excess counts,
	                           -1 when it is not a block's */
} sl_run;

/* Add a hit (engine.c); returns it for the kind to fill note/fix.  The
 * pointer is valid until the next run_hit.  Past ENGINE_RULE_HITS hits of
 * one rule (see engine.c) it reports input/limit-rule-hits and returns
 * run->spare; run_full() tells a kind to stop early. */
sl_hit *run_hit(sl_run *run, const sl_rule *rule, const sl_text *text,
                size_t off, size_t end, int blk, int sent);
int run_full(const sl_run *run, const sl_rule *rule);

/* engine.c: the instances ("units") of a rule's scope, the same for every
 * kind.  A unit is a range of one text with its tokens: a block (or one
 * sentence of it), a header field's decoded value, a link's text, an
 * image's alt text, or the raw file. */
typedef struct sl_unit {
	const sl_text *text;
	uint32_t off, end;      /* the range of text the unit covers */
	const sl_word *word;    /* its tokens (block words, or tokenised with
	                           text_words when asked); NULL for raw */
	size_t nword;
	int blk, sent;          /* block / sentence index, or -1 */
	int link, img;          /* link / image index, or -1 */
	const sl_header *hdr;   /* header scope: the field, else NULL */
} sl_unit;

/* Is block i of r->doc in a block scope (subject, preheader, title,
 * heading, paragraph, sentence, body, message) under the hidden setting
 * (0 exclude, 1 include, 2 only)?  Body scopes take preferred-body blocks
 * only (alternative == 0); the preheader is hidden by design and counts. */
int scope_has_block(const sl_result *r, sl_scope sc, int hidden, size_t i);
/* Every unit of rule's scope in document order (an arena array; returns
 * the count).  Body and message scopes give one unit per block, sentence
 * scope one per sentence; header scope one per root field named
 * rule->header (none in templates unless templates_have_headers).  words:
 * tokenise units that are not blocks (links, alt, headers). */
size_t scope_units(sl_result *r, const sl_rule *rule, int words, sl_unit **out);
/* Check the {placeholders} of rule's message, suggest and fix replace:
 * each must be a common one (match count value threshold header word) or
 * one of extra[0..nextra); else a load error at that key.  0 or -1. */
int rule_check_templates(sl_loader *L, const sl_rule *rule, sl_ynode *map,
                         const char *const *extra, size_t nextra);
/* A copy of scalar node n positioned at byte i of its value (spanning one
 * character), when the value's bytes up to i appear verbatim on one line
 * of the YAML source (for errors at an exact column); else a copy of n. */
sl_ynode rule_node_at(const sl_loader *L, const sl_ynode *n, size_t i);
/* Free what the kinds keep outside ctx->arena (PCRE2 JIT code, hunspell);
 * sl_context_free calls it before releasing the arena. */
void engine_release(sl_context *ctx);

/* regex.c: PCRE2 (UTF, UCP, invalid UTF tolerated, JIT where available,
 * match and depth limits) for the regex and header kinds. */
typedef struct sl_regex sl_regex;
/* Compile pattern node pat with flags ("i", "m", "s", "x"; NULL for none);
 * errors go to the YAML at the pattern's exact column.  NULL on error. */
sl_regex *regex_compile(sl_loader *L, const sl_ynode *pat, const char *flags);
/* The next match in s[0..len) at or after *start: 1 with [*m0, *m1) and
 * *start advanced past it (empty matches advance one character), 0 when
 * there is none, -1 when the match or depth limit was reached. */
int regex_next(const sl_regex *re, void *md, const char *s, size_t len,
               size_t *start, size_t *m0, size_t *m1);
/* Match data for re, allocated from a (a file's arena). */
void *regex_md_new(const sl_regex *re, sl_arena *a);
void regex_free(sl_regex *re);
/* Free a rule's compiled patterns (engine_release calls them). */
void regex_rule_release(sl_rule *rule);
void header_rule_release(sl_rule *rule);

/* UTF-8 w[0..n) folded as the tokeniser makes sl_word.norm (uc_fold,
 * U+2019/U+02BC as ', U+2010/U+2011 as -, invisibles dropped) into out,
 * NUL-terminated.  Returns the length, or (size_t)-1 when it does not fit
 * in outsz. */
size_t word_fold(const char *w, size_t n, char *out, size_t outsz);
/* 1 for an upper-case letter, -1 for a lower-case one, 0 otherwise. */
int cp_case(uint32_t cp);

/* A kind's operations (one table per kind module). */
typedef struct sl_kind_ops {
	const char *name;
	/* Read the kind's own keys from the rule's map into rule->data;
	 * report errors with load_error; return 0 or -1. */
	int (*compile)(sl_loader *L, sl_rule *rule, sl_ynode *map);
	/* After every rule is loaded (references, shared matchers). */
	int (*link)(sl_loader *L, sl_context *ctx);
	/* Produce the hits of every enabled rule of this kind. */
	void (*run)(sl_run *run);
} sl_kind_ops;

extern const sl_kind_ops phrase_ops, regex_ops, header_ops, metric_ops,
	meta_ops, spell_ops, tokens_ops;

/* tokens.c: the token features of a block (the subject: after leading
 * Re:/Fwd:/Fw: prefixes), distinct and sorted (strcmp), as the tokens
 * kind weighs them; *out an arena array of NUL-terminated strings.
 * Returns the count. */
size_t subject_tokens(sl_result *r, const sl_block *b, const char ***out);

/* engine.c: run every rule over r->doc, apply suppressions, turn hits
 * into diagnostics (message templates, notes, fix-its) and scores. */
void engine_run(sl_result *r);
void zones_compute(sl_result *r);

/* zones.c: where each block sits (for position predicates and the
 * summary): bitmask per block, computed once per file. */
enum {
	SL_Z_SUBJECT = 1 << 0, SL_Z_PREHEADER = 1 << 1, SL_Z_TOP = 1 << 2,
	SL_Z_BELOW_FOLD = 1 << 3, SL_Z_PS = 1 << 4, SL_Z_FOOTER = 1 << 5,
	SL_Z_FINE_PRINT = 1 << 6,
};

/* score.c: group parameters from rules.d/scores.yml; scores from hits. */
int score_load(sl_loader *L, sl_context *ctx, const char *path);
void score_compute(sl_run *run);
/* summary.c: r->summary, the bundling score explained in words, from a
 * finished run (after score_compute). */
void summary_compute(sl_run *run);
/* Every default group at 0 (lint.c): a file no rule ran on. */
void scores_default(sl_result *r);

/* spell.c: hunspell, shared by threads behind a mutex, with a cache.
 * speller_open: 0, or SL_EIO when the dictionary's .aff/.dic cannot be
 * read (ctx->speller stays NULL); a second call does nothing. */
int speller_open(sl_context *ctx, const char *dict);
void speller_close(sl_context *ctx);
/* 1 if hunspell knows the word (or there is no speller), else 0. */
int speller_check(const sl_context *ctx, const char *word, size_t len);
/* The stem of a case-folded word into out (NUL-terminated): the shortest
 * of hunspell's stems that shares the word's first three bytes (so
 * "feeling" -> "feel", "thanks" -> "thank", while a prefix derivation such
 * as unsubscribe -> subscribe is refused); else the word itself.  Returns
 * the length, or 0 when it does not fit in outsz. */
size_t speller_stem(const sl_context *ctx, const char *word, size_t len,
                    char *out, size_t outsz);
/* A set of case-folded words (vocabulary, ignore lists); entries holding
 * spaces add each of their words. */
typedef struct sl_wordset sl_wordset;
sl_wordset *wordset_new(sl_arena *a, const char *const *w, size_t n);
int wordset_has(const sl_wordset *s, const char *w, size_t n); /* folds w */

/* suppress.c: inline suppressions from r->doc.comment, applied to the
 * final diagnostics; reports unused ones and ones without a reason. */
void suppress_apply(sl_result *r);

#endif
