/*
 * regex.c - PCRE2 for the rules, and the regex kind.
 *
 * In: `pattern:` (PCRE2 syntax, compiled once at load with UTF, UCP and
 * MATCH_INVALID_UTF so raw bytes never fail a match; JIT where the library
 * has it), `flags:` (i m s x), `target:` (link scope: text or href).  Out:
 * one hit per match (all matches, non-overlapping) in every unit of the
 * rule's scope; {match} is the matched text, named groups are {name}.
 *
 * Limits: the context's regex_match (PCRE2 match limit) and REGEX_DEPTH
 * (backtracking depth) per match attempt, REGEX_HEAP_KIB of backtracking
 * memory; reaching one is input/limit-regex naming the rule (once per rule
 * per file) and the rest of that text is not checked.  Compiled code is
 * shared read-only by threads; match data is made per rule and file in
 * the file's arena.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* Backtracking depth: enough for patterns over paragraph-sized texts;
 * deeper means nested quantifiers gone wrong. */
#define REGEX_DEPTH ((uint32_t)100000)
/* Backtracking memory per match (PCRE2's default is 20 GB). */
#define REGEX_HEAP_KIB ((uint32_t)65536)

struct sl_regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
	uint32_t nnames;
	const char **name;      /* named groups, for templates */
	uint32_t *group;        /* their group numbers */
};

static void *arena_cb_alloc(size_t n, void *data)
{
	return arena_alloc(data, n ? n : 1);
}

static void arena_cb_free(void *p, void *data)
{
	(void)p;
	(void)data; /* the arena frees everything at once */
}

sl_regex *regex_compile(sl_loader *L, const sl_ynode *pat, const char *flags)
{
	sl_context *ctx = L->ctx;
	uint32_t opts = PCRE2_UTF | PCRE2_UCP;
#ifdef PCRE2_MATCH_INVALID_UTF
	opts |= PCRE2_MATCH_INVALID_UTF;
#endif
	for (const char *f = flags ? flags : ""; *f; f++) {
		switch (*f) {
		case 'i': opts |= PCRE2_CASELESS; break;
		case 'm': opts |= PCRE2_MULTILINE; break;
		case 's': opts |= PCRE2_DOTALL; break;
		case 'x': opts |= PCRE2_EXTENDED; break;
		default:
			load_error(L, pat, "unknown regex flag '%c' (use i, m, s, x)", *f);
			return NULL;
		}
	}
	if (!pat->str || pat->type != SL_Y_SCALAR) {
		load_error(L, pat, "pattern must be a string");
		return NULL;
	}
	pcre2_general_context *g = pcre2_general_context_create(arena_cb_alloc, arena_cb_free,
	                                                        &ctx->arena);
	pcre2_compile_context *cc = pcre2_compile_context_create(g);
	int err;
	PCRE2_SIZE erroff;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat->str, pat->len, opts, &err, &erroff, cc);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof msg);
		sl_ynode at = rule_node_at(L, pat, erroff);
		load_error(L, &at, "invalid regular expression: %s", (const char *)msg);
		return NULL;
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* plain matching if no JIT */
	sl_regex *re = arena_zalloc(&ctx->arena, sizeof *re);
	re->code = code;
	re->mctx = pcre2_match_context_create(g);
	size_t lim = ctx->lim.regex_match ? ctx->lim.regex_match : SL_DEFAULT_REGEX_MATCH;
	pcre2_set_match_limit(re->mctx, lim > UINT32_MAX ? UINT32_MAX : (uint32_t)lim);
	pcre2_set_depth_limit(re->mctx, REGEX_DEPTH);
	pcre2_set_heap_limit(re->mctx, REGEX_HEAP_KIB);

	uint32_t count = 0, size = 0;
	PCRE2_SPTR table = NULL;
	pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
	if (count) {
		pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &size);
		pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
		re->name = arena_array(&ctx->arena, count, sizeof *re->name);
		re->group = arena_array(&ctx->arena, count, sizeof *re->group);
		for (uint32_t i = 0; i < count; i++) {
			PCRE2_SPTR e = table + (size_t)i * size;
			re->group[i] = ((uint32_t)e[0] << 8) | e[1];
			re->name[i] = (const char *)e + 2;
		}
		re->nnames = count;
	}
	return re;
}

void regex_free(sl_regex *re)
{
	if (re && re->code) {
		pcre2_code_free(re->code); /* frees JIT memory; the rest is arena */
		re->code = NULL;
	}
}

void *regex_md_new(const sl_regex *re, sl_arena *a)
{
	/* the arena holds it (and the interpreter's backtracking frames,
	 * bounded by REGEX_HEAP_KIB), so nothing leaks on any path */
	pcre2_general_context *g = pcre2_general_context_create(arena_cb_alloc,
	                                                        arena_cb_free, a);
	return pcre2_match_data_create_from_pattern(re->code, g);
}

int regex_next(const sl_regex *re, void *md, const char *s, size_t len,
               size_t *start, size_t *m0, size_t *m1)
{
	if (*start > len)
		return 0;
	if (!s)
		s = "";
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, *start, 0, md, re->mctx);
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT ||
	    rc == PCRE2_ERROR_NOMEMORY)
		return -1;
	if (rc < 0)
		return 0;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	size_t a = ov[0], b = ov[1];
	if (b > len)
		b = len;
	if (a > b)
		a = b; /* \K in a lookahead can put the start past the end */
	*m0 = a;
	*m1 = b;
	if (b > *start) {
		*start = b;
	} else {
		/* empty match: step over one whole character */
		size_t n = b + 1;
		while (n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
			n++;
		*start = n;
	}
	return 1;
}

/* --- the regex kind -------------------------------------------------------- */

typedef struct rrule {
	sl_regex *re;
	int href;               /* link scope: match the URL, not the text */
} rrule;

void regex_rule_release(sl_rule *rule)
{
	rrule *rr = rule->data;
	if (rr)
		regex_free(rr->re);
}

static int regex_compile_rule(sl_loader *L, sl_rule *rule, sl_ynode *map)
{
	rrule *rr = arena_zalloc(&L->ctx->arena, sizeof *rr);
	int rc = 0;
	const char *flags = NULL;
	sl_ynode *n = ynode_get(map, "flags");
	if (n && ynode_str(L, n, &flags) < 0)
		rc = -1;
	n = ynode_get(map, "target");
	if (n) {
		const char *t;
		if (ynode_str(L, n, &t) < 0) {
			rc = -1;
		} else if (rule->scope != SL_SC_LINK) {
			load_error(L, n, "'target' applies to scope link only");
			rc = -1;
		} else if (!strcmp(t, "href")) {
			rr->href = 1;
		} else if (strcmp(t, "text")) {
			load_error(L, n, "target must be text or href, not '%s'", t);
			rc = -1;
		}
	}
	sl_ynode *pat = ynode_get(map, "pattern");
	if (!pat) {
		load_error(L, NULL, "a regex rule needs 'pattern'");
		rc = -1;
	} else if (rc == 0) {
		rr->re = regex_compile(L, pat, flags);
		if (!rr->re)
			rc = -1;
	}
	if (rr->re) {
		if (rule_check_templates(L, rule, map, rr->re->name, rr->re->nnames) < 0)
			rc = -1;
	} else if (rule_check_templates(L, rule, map, NULL, 0) < 0) {
		rc = -1;
	}
	rule->data = rr;
	return rc;
}

static int regex_link(sl_loader *L, sl_context *ctx)
{
	(void)L;
	(void)ctx;
	return 0;
}

static size_t count_cps(const char *p, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* The href of link k as a text mapped to its attribute's bytes. */
static const sl_text *href_text(sl_result *r, const sl_link *k)
{
	sl_text *t = arena_zalloc(&r->arena, sizeof *t);
	sl_tb tb;
	tb_init(&tb, &r->arena, (size_t)-1 / 4);
	if (k->href)
		tb_emit(&tb, k->href, strlen(k->href), k->href_span);
	tb_finish(&tb, t);
	if (!t->nseg) {
		sl_seg *s = arena_alloc(&r->arena, sizeof *s);
		*s = (sl_seg){ 0, 0, k->href_span.off, 0, 0 };
		t->seg = s;
		t->nseg = 1;
	}
	return t;
}

/* Named groups of the last match as template values. */
static void hit_groups(sl_result *r, sl_hit *h, const sl_regex *re, void *md,
                       const char *s, size_t len)
{
	if (!re->nnames)
		return;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	uint32_t nov = pcre2_get_ovector_count(md);
	const char **v = arena_array(&r->arena, 2 * (size_t)re->nnames, sizeof *v);
	for (uint32_t i = 0; i < re->nnames; i++) {
		uint32_t g = re->group[i];
		v[2 * i] = re->name[i];
		v[2 * i + 1] = "";
		if (g < nov && ov[2 * g] != PCRE2_UNSET && ov[2 * g] <= ov[2 * g + 1] &&
		    ov[2 * g + 1] <= len)
			v[2 * i + 1] = arena_strndup(&r->arena, s + ov[2 * g],
			                             ov[2 * g + 1] - ov[2 * g]);
	}
	h->var = v;
	h->nvar = re->nnames;
}

static void regex_rule_run(sl_run *run, const sl_rule *rule)
{
	sl_result *r = run->r;
	const rrule *rr = rule->data;
	sl_unit *u;
	size_t nu = scope_units(r, rule, 0, &u);
	if (!nu)
		return;
	void *md = regex_md_new(rr->re, &r->arena);
	int limited = 0;
	for (size_t i = 0; i < nu && !run_full(run, rule); i++) {
		const sl_text *t = u[i].text;
		size_t base = u[i].off, end = u[i].end;
		if (rr->href && u[i].link >= 0) {
			t = href_text(r, &r->doc.link[u[i].link]);
			base = 0;
			end = t->len;
		}
		if (end > t->len || base > end)
			continue;
		const char *s = t->p + base;
		size_t len = end - base, start = 0, m0, m1;
		int rc;
		while ((rc = regex_next(rr->re, md, s, len, &start, &m0, &m1)) == 1) {
			sl_hit *h = run_hit(run, rule, t, base + m0, base + m1, u[i].blk, u[i].sent);
			h->value = (double)count_cps(s + m0, m1 - m0);
			hit_groups(r, h, rr->re, md, s, len);
			if (run_full(run, rule))
				break;
		}
		if (rc < 0 && !limited) {
			limited = 1;
			diag_input(r, "input/limit-regex", SL_WARNING, text_span(t, base, end),
			           "pattern of rule '%s' reached the regex limit (match limit %zu, depth %u); the rest of this text is not checked",
			           rule->id, r->lim.regex_match, (unsigned)REGEX_DEPTH);
		}
	}
}

static void regex_run(sl_run *run)
{
	const sl_context *ctx = run->ctx;
	for (size_t i = 0; i < ctx->nrule; i++) {
		const sl_rule *rule = ctx->rule[i];
		if (rule->kind == SL_RK_REGEX && rule_on(ctx, rule) && rule->data &&
		    ((const rrule *)rule->data)->re)
			regex_rule_run(run, rule);
	}
}

const sl_kind_ops regex_ops = { "regex", regex_compile_rule, regex_link, regex_run };
