/*
 * sendlint.h - the public API of the sendlint library.
 *
 * sendlint is an email campaign risk linter: it reads a raw MIME message or
 * an HTML/text email template and returns diagnostics (rule hits located at
 * byte ranges of the original file) and scores.
 *
 * Model:
 *   sl_context   rules + options, loaded once; immutable afterwards, so one
 *                context may be shared by any number of threads that call
 *                sl_lint() at the same time.
 *   sl_result    everything found in one file; owns one arena that holds all
 *                of it; freed at once with sl_result_free().
 *
 * Conventions:
 *   - every function that can fail returns 0 on success or a negative
 *     SL_E* code; the message is kept in the handle (sl_context_errmsg);
 *   - out parameters come first;
 *   - the library never prints and never exits;
 *   - positions are 0-based byte offsets into the original file, end
 *     exclusive; line/column are computed only by the renderers.
 */
#ifndef SENDLINT_H
#define SENDLINT_H

#include <stddef.h>
#include <stdint.h>

#define SL_VERSION "0.1.0"

/* Error codes (negative returns). */
enum {
	SL_OK = 0,
	SL_ENOMEM = -1,   /* allocation failed */
	SL_EIO = -2,      /* a file could not be read */
	SL_ERULES = -3,   /* invalid rule files or configuration */
	SL_EUSAGE = -4,   /* invalid argument */
};

typedef enum { SL_NOTE = 0, SL_WARNING = 1, SL_ERROR = 2 } sl_severity;

/* Output formats understood by sl_render(). */
typedef enum { SL_FMT_TEXT, SL_FMT_JSON, SL_FMT_SARIF, SL_FMT_DUMP } sl_format;

/* Limits on untrusted input.  Each one reached yields a diagnostic
 * (input/limit-...), never a crash, hang or silent truncation.  Zero means
 * "the default" (see SL_DEFAULT_* in internal.h for values and reasons). */
typedef struct sl_limits {
	size_t input_size;      /* bytes of one input file */
	size_t header_count;    /* header fields per header block */
	size_t header_line;     /* bytes of one (unfolded) header field */
	size_t mime_depth;      /* nesting of multipart and message/rfc822 */
	size_t mime_parts;      /* parts per message */
	size_t decoded_size;    /* bytes of decoded text per file */
	size_t html_depth;      /* element nesting in HTML */
	size_t diagnostics;     /* diagnostics kept per file */
	size_t regex_match;     /* PCRE2 match limit per rule and scope */
} sl_limits;

typedef struct sl_options {
	sl_limits limits;
	const char *dict;         /* hunspell dictionary path prefix, NULL = default */
} sl_options;

typedef struct sl_context sl_context;
typedef struct sl_result sl_result;

/* A fix-it: replace original bytes [offset, end_offset) with text. */
typedef struct sl_fixit {
	size_t offset, end_offset;
	const char *text;
} sl_fixit;

/* One diagnostic.  Strings are owned by the result. */
typedef struct sl_diag {
	const char *rule;         /* "input/bad-base64" */
	const char *group;        /* "input" */
	sl_severity severity;
	const char *message;      /* lowercase, no full stop */
	size_t offset, end_offset;/* original file bytes */
	int exact;                /* the span's bytes are exactly the matched text */
	double weight;
	const sl_fixit *fixits;
	size_t nfixits;
	const char *const *notes; /* extra lines printed as "note:" */
	size_t nnotes;
} sl_diag;

/* Scores 0-100 by group name; "risk" is the overall combination. */
typedef struct sl_score {
	const char *group;
	int value;
} sl_score;

/* --- context --------------------------------------------------------- */

/* Create a context with the given options (NULL for defaults).  On failure
 * *out is still set when it could be allocated, so that the message can be
 * read with sl_context_errmsg(); free it with sl_context_free(). */
int sl_context_new(sl_context **out, const sl_options *opts);
void sl_context_free(sl_context *ctx);
/* The message of the last failure on this context ("" if none).  Owned by
 * the context, valid until the next call on it. */
const char *sl_context_errmsg(const sl_context *ctx);

/* --- linting --------------------------------------------------------- */

/* Lint one file.  name is what diagnostics carry; bytes[0..len) is the
 * file, which need not be NUL-terminated, valid UTF-8 or NUL-free.  The
 * result keeps a reference to bytes: they must stay valid and unchanged
 * until sl_result_free().  Returns 0, or SL_ENOMEM (then *out is NULL).
 * Thread-safe for a shared ctx. */
int sl_lint(sl_result **out, const sl_context *ctx, const char *name,
            const unsigned char *bytes, size_t len);
void sl_result_free(sl_result *res);

const char *sl_result_name(const sl_result *res);
size_t sl_result_count(const sl_result *res);
/* The i-th diagnostic, sorted by (offset, rule id). */
const sl_diag *sl_result_diag(const sl_result *res, size_t i);
/* Scores: *n receives the count; the array is owned by the result. */
const sl_score *sl_result_scores(const sl_result *res, size_t *n);
int sl_result_score(const sl_result *res, const char *group);
/* Highest severity among the diagnostics, -1 if none. */
int sl_result_max_severity(const sl_result *res);

/* --- rendering ------------------------------------------------------- */

typedef struct sl_render_opts {
	int color;        /* ANSI colour escapes */
	int width;        /* terminal columns for trimming long lines; 0 = 100 */
} sl_render_opts;

/* A growable output string, owned by the caller: sl_str_release() it. */
typedef struct sl_strbuf {
	char *buf;
	size_t len, alloc;
} sl_strbuf;
void sl_strbuf_release(sl_strbuf *sb);

/* Append the rendering of one file's result to out.  For SL_FMT_JSON and
 * SL_FMT_SARIF, call sl_render_begin/sl_render_end around the files. */
int sl_render_begin(sl_strbuf *out, sl_format fmt);
int sl_render(sl_strbuf *out, const sl_result *res, sl_format fmt,
              const sl_render_opts *opts);
int sl_render_end(sl_strbuf *out, sl_format fmt);

#endif
