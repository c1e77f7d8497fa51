/*
 * context.c - sl_context: options, the dictionary and the rules, loaded
 * once and shared read-only by every sl_lint() call.
 *
 * In: sl_options (borrowed).  Out: a context owning a copy of every option
 * string in its arena, the hunspell speller, the loaded rules; or an error
 * code with the message in ctx->errmsg (malloc'd).  Limits: the input
 * limits are filled in with their defaults here (SL_DEFAULT_*).
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* Debian's hunspell-en-us package installs these. */
#define DEFAULT_DICT "/usr/share/hunspell/en_US"

static void limits_fill(sl_limits *l)
{
#define DEF(f, v) if (!l->f) l->f = (v)
	DEF(input_size, SL_DEFAULT_INPUT_SIZE);
	DEF(header_count, SL_DEFAULT_HEADER_COUNT);
	DEF(header_line, SL_DEFAULT_HEADER_LINE);
	DEF(mime_depth, SL_DEFAULT_MIME_DEPTH);
	DEF(mime_parts, SL_DEFAULT_MIME_PARTS);
	DEF(decoded_size, SL_DEFAULT_DECODED_SIZE);
	DEF(html_depth, SL_DEFAULT_HTML_DEPTH);
	DEF(diagnostics, SL_DEFAULT_DIAGNOSTICS);
	DEF(regex_match, SL_DEFAULT_REGEX_MATCH);
#undef DEF
	if (l->diagnostics < 2)
		l->diagnostics = 2; /* one slot marks the cap */
}

static const char *dup_str(sl_arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

static const char *const *dup_strs(sl_arena *a, const char *const *v, size_t n)
{
	if (!n)
		return NULL;
	const char **c = arena_array(a, n, sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = dup_str(a, v[i] ? v[i] : "");
	return c;
}

/* The context keeps nothing its caller owns. */
static void copy_options(sl_context *ctx, const sl_options *in)
{
	sl_arena *a = &ctx->arena;
	sl_options *o = &ctx->opts;
	*o = *in;
	o->dict = dup_str(a, in->dict);
	o->default_rules = dup_str(a, in->default_rules);
	o->rule_dirs = dup_strs(a, in->rule_dirs, in->nrule_dirs);
	o->disable = dup_strs(a, in->disable, in->ndisable);
	o->enable = dup_strs(a, in->enable, in->nenable);
	o->cfg_disable = dup_strs(a, in->cfg_disable, in->ncfg_disable);
	o->cfg_enable = dup_strs(a, in->cfg_enable, in->ncfg_enable);
	o->vocabulary = dup_strs(a, in->vocabulary, in->nvocabulary);
	if (in->nseverity) {
		sl_severity_override *s = arena_array(a, in->nseverity, sizeof *s);
		for (size_t i = 0; i < in->nseverity; i++) {
			s[i].id = dup_str(a, in->severity[i].id ? in->severity[i].id : "");
			s[i].severity = in->severity[i].severity;
		}
		o->severity = s;
	}
}

static void set_errmsg(sl_context *ctx, const char *msg)
{
	free(ctx->errmsg);
	ctx->errmsg = strdup(msg);
}

static int open_speller(sl_context *ctx)
{
	const char *dict = ctx->opts.dict ? ctx->opts.dict : DEFAULT_DICT;
	int rc = speller_open(ctx, dict);
	if (rc == 0)
		return SL_OK;
	if (rc == SL_ENOMEM) {
		set_errmsg(ctx, "error: out of memory\n");
		return SL_ENOMEM;
	}
	char *msg = arena_printf(&ctx->arena,
		"error: cannot read the hunspell dictionary '%s.aff' and '%s.dic'%s\n",
		dict, dict, ctx->opts.dict ? "" :
		" (on Debian and Ubuntu: apt-get install hunspell-en-us; or name "
		"another with --dict)");
	set_errmsg(ctx, msg);
	return SL_EIO;
}

/* Everything after the allocation; an out-of-memory jump lands in
 * sl_context_new. */
static int context_load(sl_context *ctx, const sl_options *opts)
{
	static const sl_options none;
	copy_options(ctx, opts ? opts : &none);
	ctx->lim = ctx->opts.limits;
	limits_fill(&ctx->lim);
	int rc = open_speller(ctx);
	if (rc)
		return rc;
	rc = rules_load(ctx);
	/* the configuration's nodes are its caller's: forget them */
	ctx->opts.cfg_disable_at = ctx->opts.cfg_enable_at = ctx->opts.cfg_severity_at = NULL;
	ctx->opts.ncfg_severity = 0;
	return rc;
}

int sl_context_new(sl_context **out, const sl_options *opts)
{
	*out = NULL;
	sl_context *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return SL_ENOMEM;
	*out = ctx;
	ctx->pool = pool_new(SL_POOL_MAX);
	arena_init(&ctx->arena, &ctx->oom);
	if (setjmp(ctx->oom)) {
		set_errmsg(ctx, "error: out of memory\n");
		return SL_ENOMEM;
	}
	return context_load(ctx, opts);
}

void sl_context_free(sl_context *ctx)
{
	if (!ctx)
		return;
	engine_release(ctx);  /* PCRE2 code, hunspell: outside the arena */
	arena_release(&ctx->arena);
	pool_free(ctx->pool);
	free(ctx->errmsg);
	free(ctx);
}

const char *sl_context_errmsg(const sl_context *ctx)
{
	return !ctx ? "out of memory" : ctx->errmsg ? ctx->errmsg : "";
}
