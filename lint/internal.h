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
/* A file with more findings than this is better fixed than read. */
#define SL_DEFAULT_DIAGNOSTICS  ((size_t)1000)
/* PCRE2 match limit per rule and scope: plenty for linear patterns, stops
 * catastrophic backtracking within milliseconds. */
#define SL_DEFAULT_REGEX_MATCH  ((size_t)1000000)

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
typedef struct sl_arena {
	struct sl_chunk *head;
	char *cur, *end;
	size_t total;          /* bytes obtained from malloc */
	jmp_buf *oom;
} sl_arena;

void arena_init(sl_arena *a, jmp_buf *oom);
void arena_release(sl_arena *a);             /* frees every chunk */
void *arena_alloc(sl_arena *a, size_t n);     /* aligned to 16; never NULL */
void *arena_zalloc(sl_arena *a, size_t n);
void *arena_array(sl_arena *a, size_t n, size_t size); /* overflow-checked */
/* Grow an array allocated from the arena: returns a new block of
 * newn*size bytes holding the old contents (the old block is wasted). */
void *arena_grow(sl_arena *a, void *old, size_t oldn, size_t newn, size_t size);
char *arena_strndup(sl_arena *a, const char *s, size_t n); /* NUL-terminated */
char *arena_printf(sl_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(sl_arena *a, const char *fmt, va_list ap);

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
};

typedef struct sl_word {
	uint32_t off, len;     /* in the block's text */
	uint32_t flags;
	uint32_t sent;         /* index of its sentence in the block */
	const char *norm;      /* case-folded (Unicode simple folding) UTF-8,
	                          NUL-terminated; NULL for placeholders, URLs,
	                          e-mail addresses and punctuation */
	uint32_t normlen;
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
	int alternative;       /* from a non-preferred multipart/alternative
	                          body (the text/plain beside an HTML part):
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
} sl_doc;

/* Append helpers (doc.c); they return a pointer to the new zeroed entry. */
sl_block *doc_add_block(struct sl_result *r);
sl_link *doc_add_link(struct sl_result *r);
sl_image *doc_add_image(struct sl_result *r);
sl_elem *doc_add_elem(struct sl_result *r);
sl_comment *doc_add_comment(struct sl_result *r);

/* ---------------------------------------------------------------------
 * Per-file state = the result (lint.c).
 * ------------------------------------------------------------------- */
struct sl_context {
	sl_options opts;
	sl_limits lim;          /* opts.limits with defaults filled in */
	char errmsg[512];
};

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
	size_t decoded;         /* bytes of decoded text made so far (limit) */
	sl_diag *diag;
	size_t ndiag, diagalloc;
	size_t dropped;         /* diagnostics over the limit */
	sl_doc doc;
	sl_score *score;
	size_t nscore;
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

/* mime.c: parse the message into r->doc.root / parts (EML), or make the
 * pseudo part for a template; decodes every text part (decode_part) and
 * header value (RFC 2047).  Never fails: problems are diagnostics. */
void mime_parse(struct sl_result *r);

/* decode.c: transfer decoding of a part's body into UTF-8 text
 * (quoted-printable, base64, 7bit, 8bit, binary, then charset). */
void decode_part(struct sl_result *r, sl_part *p);
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
/* The charset a template's HTML declares in its first 1024 bytes
 * (<meta charset> or http-equiv), lower-cased, or NULL; *decl gets its span. */
const char *charset_sniff_html(struct sl_result *r, const sl_text *t, sl_span *decl);

/* html.c: parse UTF-8 HTML with libxml2 (never the network) and append
 * blocks, links, images, elements, the title and the preheader. */
void html_extract(struct sl_result *r, const sl_text *html, int part);

/* text.c: blocks for a text/plain body (paragraphs split at blank lines)
 * and for the Subject; then text_analyse splits every block into
 * sentences and words. */
void text_plain_blocks(struct sl_result *r, const sl_text *t, int part);
/* The SL_BLK_SUBJECT block from r->doc.subject (nothing if none). */
void text_subject_block(struct sl_result *r);
void text_analyse(struct sl_result *r);

/* Tokeniser used by text_analyse and by tests. */
size_t text_words(struct sl_result *r, const sl_text *t, sl_word **out);

#endif
