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

/* Output formats understood by sl_renderer_new(). */
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

/* A per-rule severity override ("tone/per-our-policy" -> SL_ERROR). */
typedef struct sl_severity_override {
	const char *id;
	sl_severity severity;
} sl_severity_override;

/* Everything a context is made from.  All pointers are borrowed during
 * sl_context_new() only (the context copies what it keeps). */
typedef struct sl_options {
	sl_limits limits;
	const char *dict;             /* hunspell dictionary path without .dic/.aff,
	                                 NULL = Debian's en_US */
	const char *default_rules;    /* directory of the bundled rules, NULL = none */
	const char *const *rule_dirs; /* extra rule directories, loaded after */
	size_t nrule_dirs;
	/* Rule selection, applied in order: disable then enable; each entry is
	 * a rule id, a group name ("tone") or an id prefix ("subject/"). */
	const char *const *disable;
	size_t ndisable;
	const char *const *enable;
	size_t nenable;
	const sl_severity_override *severity;
	size_t nseverity;
	const char *const *vocabulary; /* words always spelled right (brands) */
	size_t nvocabulary;
	int templates_have_headers;   /* blame templates for missing headers too */
	/* The same selection from a configuration file (sl_config_apply sets
	 * these), beneath the command line's: the steps run cfg_disable,
	 * cfg_enable, disable, enable, each overriding earlier ones for the
	 * rules it names.  An entry that names nothing is an SL_ERULES error. */
	const char *const *cfg_disable;
	size_t ncfg_disable;
	const char *const *cfg_enable;
	size_t ncfg_enable;
	/* Where the file wrote each entry, for errors at a line and column:
	 * opaque, parallel to cfg_disable, cfg_enable and the first
	 * ncfg_severity entries of severity (the file's).  Set by
	 * sl_config_apply, read only while sl_context_new runs; NULL (and 0)
	 * when unknown. */
	const void *const *cfg_disable_at;
	const void *const *cfg_enable_at;
	const void *const *cfg_severity_at;
	size_t ncfg_severity;
} sl_options;

/* A growable output string, owned by the caller: sl_strbuf_release() it. */
typedef struct sl_strbuf {
	char *buf;
	size_t len, alloc;
} sl_strbuf;
void sl_strbuf_release(sl_strbuf *sb);

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

/* Create a context with the given options (NULL for defaults): loads and
 * checks every rule file, the score parameters and the dictionary.  On
 * failure (SL_ERULES: invalid rules, SL_EIO: unreadable file or
 * dictionary, SL_ENOMEM) *out is still set when it could be allocated, so
 * that the message can be read with sl_context_errmsg() -- for SL_ERULES
 * it holds every error as "file:line:col: error: ..." lines with the YAML
 * line and a caret -- then free it with sl_context_free(). */
int sl_context_new(sl_context **out, const sl_options *opts);
void sl_context_free(sl_context *ctx);
/* The message of the last failure on this context ("" if none).  Owned by
 * the context, valid until the next call on it. */
const char *sl_context_errmsg(const sl_context *ctx);

/* --- rule authoring ------------------------------------------------- */

/* Run every enabled rule's examples (match: must hit, nomatch: must not;
 * each linted with only its rule on -- a meta rule with every rule on --
 * as rules.d/README.md describes) and append a report to out: a
 * "file:line:col: error: example '...' should match ID but did not" line
 * with the YAML line and a caret per failure, a line per rule lacking
 * examples (an error for the bundled rules, opts.default_rules, a warning
 * for others), then "N passed, N failed".  *failed gets the failure
 * count.  Returns 0 or SL_ENOMEM.  The context is not changed. */
int sl_check_rules(const sl_context *ctx, sl_strbuf *out, size_t *failed);
/* The same for the rules loaded from directory dir only (as it was given
 * in sl_options: --check-rules DIR); dir NULL means every rule. */
int sl_check_rules_dir(const sl_context *ctx, const char *dir, sl_strbuf *out,
                       size_t *failed);
/* One line per loaded rule, sorted by id, in aligned columns: id, group,
 * severity ("off" when disabled), kind, the description's first line. */
int sl_list_rules(const sl_context *ctx, sl_strbuf *out);
/* The rule's description, examples, fix, file; SL_EUSAGE if no such id
 * (message in the context, with a did-you-mean: so not while other
 * threads read the context's message). */
int sl_explain_rule(const sl_context *ctx, const char *id, sl_strbuf *out);

/* --- configuration files -------------------------------------------- */

/* A .sendlint.yml file.  Keys (each optional; unknown keys are errors):
 *   rules: [DIR...]         extra rule dirs, relative to the file's dir
 *   disable: [SEL...]       rule ids, groups or id prefixes
 *   enable: [SEL...]
 *   severity: {SEL: note|warning|error}
 *   fail-level: note|warning|error|none
 *   max-risk: 0-100
 *   vocabulary: [WORD...]   words always spelled right
 *   ignore: [GLOB...]       files not to lint (see sl_config_ignored)
 *   templates-have-headers: true|false
 *   dict: PATH              hunspell dictionary, relative to the file's dir
 * Precedence: built-in defaults < the configuration file < the command
 * line.  To get it, fill sl_options from the command line first, then
 * call sl_config_apply, which slips the file's settings beneath. */
typedef struct sl_config sl_config;

/* The nearest .sendlint.yml for path (a file or a directory): looks in
 * path's directory (path itself if it is one), then each parent up to the
 * filesystem root, with stat() only; the first found wins.  Returns a
 * malloc'd path (relative when path was and the file lies at or below
 * the working directory), or NULL if there is none (or out of memory). */
char *sl_config_find(const char *path);
/* Read and check a configuration file.  On failure returns SL_EIO,
 * SL_ERULES or SL_ENOMEM, *out is NULL and *errmsg (malloc'd, caller
 * frees) holds "file:line:col: error: ..." lines with the YAML line and a
 * caret; on success *errmsg is NULL. */
int sl_config_load(sl_config **out, const char *path, char **errmsg);
void sl_config_free(sl_config *cfg);
/* Merge the file's settings beneath those already in opts: rule dirs,
 * vocabulary and severity overrides are the file's followed by opts'
 * (later severities win); disable/enable go to cfg_disable/cfg_enable;
 * dict and templates_have_headers are taken from the file only when opts
 * leaves them unset (NULL / 0).  The merged arrays are owned by cfg: keep
 * it until sl_context_new returns.  Returns 0 or SL_ENOMEM. */
int sl_config_apply(sl_config *cfg, sl_options *opts);
/* fail-level: SL_NOTE..SL_ERROR, SL_CONFIG_NONE for "none" (never fail on
 * findings), SL_CONFIG_UNSET when the file does not say. */
#define SL_CONFIG_NONE  (-1)
#define SL_CONFIG_UNSET (-2)
int sl_config_fail_level(const sl_config *cfg);
/* max-risk 0-100, or SL_CONFIG_UNSET. */
int sl_config_max_risk(const sl_config *cfg);
/* 1 if path matches an ignore glob.  path (relative to the working
 * directory, or absolute) is taken relative to the file's directory;
 * paths outside it never match.  A glob without '/' matches any one path
 * component ("*.draft.html", "drafts"); a glob with '/' matches the path
 * from the file's directory or one of its leading directories
 * ("drafts/2023"); '*' does not cross '/', except in a glob holding "**". */
int sl_config_ignored(const sl_config *cfg, const char *path);
/* The file's path, as given to sl_config_load. */
const char *sl_config_path(const sl_config *cfg);

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
/* Scores of single sentences and paragraphs (the tone group scores each
 * one on its own, as it scores the message), in document order; only
 * units that score above 0 are listed.  Owned by the result. */
typedef struct sl_unit_score {
	const char *group;        /* "tone" */
	const char *scope;        /* "sentence" or "paragraph" */
	size_t offset, end_offset;/* original file bytes of the unit */
	int value;                /* 1-100 */
} sl_unit_score;
const sl_unit_score *sl_result_unit_scores(const sl_result *res, size_t *n);
/* A group's score explained in words (the bundling summary: which bad
 * news, inside which frame, where, how visible), one line each, in the
 * order they should be read.  Owned by the result. */
typedef struct sl_summary {
	const char *group;        /* "bundling" */
	const char *text;         /* lowercase, no full stop */
	size_t offset;            /* original file byte it is about */
} sl_summary;
const sl_summary *sl_result_summaries(const sl_result *res, size_t *n);
/* Highest severity among the diagnostics, -1 if none. */
int sl_result_max_severity(const sl_result *res);

/* --- rendering ------------------------------------------------------- */

typedef struct sl_render_opts {
	int color;        /* ANSI colour escapes */
	int width;        /* terminal columns for trimming long lines; 0 = 100 */
} sl_render_opts;


/* A renderer writes the results of any number of files as one output in
 * one format.  Every call appends to the caller's out (malloc'd, kept
 * NUL-terminated); to stream, the caller may print out.buf and set
 * out.len = 0 after any call.  Usage:
 *
 *	sl_renderer *rd;
 *	if (sl_renderer_new(&rd, SL_FMT_TEXT, &opts)) -> SL_ENOMEM
 *	for each file:
 *		sl_lint(&res, ...);
 *		sl_renderer_add(&out, rd, res);   (res may be freed after)
 *		sl_result_free(res);
 *	sl_renderer_finish(&out, rd);
 *	sl_renderer_free(rd);
 *
 * What each call appends:
 *   SL_FMT_TEXT   add: every diagnostic gcc-style, then the file's summary
 *                 line ("NAME: 1 error, 2 warnings; risk 12 (...)");
 *                 finish: nothing (a total over files is the caller's).
 *   SL_FMT_JSON   add: the file's object, preceded by the opening
 *                 {"tool":"sendlint","version":...,"files":[ for the
 *                 first file; finish: the closing "]}\n" (with the
 *                 opening if no file was added).
 *   SL_FMT_SARIF  add: nothing (the results are kept, since the rules
 *                 list comes before them); finish: the whole SARIF 2.1.0
 *                 log, one run.
 *   SL_FMT_DUMP   add: the document model as the linter sees it;
 *                 finish: nothing.
 * Each returns 0, or SL_ENOMEM (SL_EUSAGE for an unknown format); after a
 * failure the output is incomplete and every later call on rd fails too.
 * opts may be NULL (no colour, width 100); it is copied.  A renderer is
 * used by one thread at a time. */
typedef struct sl_renderer sl_renderer;
int sl_renderer_new(sl_renderer **out, sl_format fmt, const sl_render_opts *opts);
int sl_renderer_add(sl_strbuf *out, sl_renderer *rd, const sl_result *res);
int sl_renderer_finish(sl_strbuf *out, sl_renderer *rd);
void sl_renderer_free(sl_renderer *rd);

#endif
