/*
 * test_meta.c - meta rules: parsing (precedence, errors with their exact
 * column in the YAML), linking (unknown ids, cycles), evaluation on a
 * hand-made document and hit list (scopes, count, before, in, absent_from,
 * with, without, at:, where a diagnostic goes, meta rules over meta
 * rules), and the zones they use.
 */
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"
#include "t.h"

static sl_context *ctx;

static void ctx_reset(void)
{
	free(ctx->errmsg);
	ctx->errmsg = NULL;
}

static const char *errmsg(void)
{
	return ctx->errmsg ? ctx->errmsg : "";
}

/* A rule with the given id; meta rules are compiled from yaml (the file
 * "<id>.yml").  Returns NULL when compile failed. */
static sl_rule *mk_rule(const char *id, sl_rule_kind kind, sl_scope scope,
                        const char *yaml)
{
	sl_rule *r = arena_zalloc(&ctx->arena, sizeof *r);
	r->id = id;
	r->kind = kind;
	r->scope = scope;
	r->severity = SL_WARNING;
	r->group = "bundling";
	r->weight = 1;
	r->report = 1;
	r->cap = 1;
	r->enabled = 1;
	if (kind != SL_RK_META)
		return r;
	sl_yfile *f = arena_zalloc(&ctx->arena, sizeof *f);
	f->path = arena_printf(&ctx->arena, "%s.yml", id);
	f->src = yaml;
	f->len = strlen(yaml);
	sl_loader L = { ctx, f->path, f->src, f->len, 0 };
	sl_ynode *map = yaml_parse(&L, f);
	if (!map || meta_ops.compile(&L, r, map) < 0)
		return NULL;
	return r;
}

static int rule_cmp(const void *a, const void *b)
{
	return strcmp((*(sl_rule *const *)a)->id, (*(sl_rule *const *)b)->id);
}

/* Install rules as the context's (sorted, indexed) and link meta rules. */
static int install(sl_rule **rules, size_t n)
{
	ctx->rule = arena_array(&ctx->arena, n ? n : 1, sizeof *ctx->rule);
	memcpy(ctx->rule, rules, n * sizeof *rules);
	ctx->nrule = n;
	qsort(ctx->rule, n, sizeof *ctx->rule, rule_cmp);
	for (size_t i = 0; i < n; i++)
		ctx->rule[i]->index = (int)i;
	sl_loader L = { ctx, NULL, NULL, 0, 0 };
	return meta_ops.link(&L, ctx);
}

/* ---------------------------------------------------------------------
 * Parsing errors: the whole message, caret included.
 * ------------------------------------------------------------------- */

static const struct {
	const char *yaml;
	sl_scope scope;
	const char *want;
} parse_errors[] = {
	{ "expr: a && && b\n", SL_SC_MESSAGE,
	  "e.yml:1:12: error: expected an operand, found '&&'\n"
	  "    1 | expr: a && && b\n"
	  "      |            ^~\n" },
	{ "expr: (a || b\n", SL_SC_MESSAGE,
	  "e.yml:1:14: error: expected ')', found end of expression\n"
	  "    1 | expr: (a || b\n"
	  "      |              ^\n" },
	{ "kind: meta\nexpr: count(a\n", SL_SC_MESSAGE,
	  "e.yml:2:14: error: expected ')' after the arguments, found end of expression\n"
	  "    2 | expr: count(a\n"
	  "      |              ^\n" },
	{ "expr: in(a, middle) || b\n", SL_SC_MESSAGE,
	  "e.yml:1:13: error: unknown zone 'middle' (subject, preheader, top, "
	  "below-fold, ps, footer or fine-print)\n"
	  "    1 | expr: in(a, middle) || b\n"
	  "      |             ^~~~~~\n" },
	{ "expr: a && sum(b)\n", SL_SC_MESSAGE,
	  "e.yml:1:12: error: unknown function 'sum' (count, before, in, absent_from, "
	  "with or without)\n"
	  "    1 | expr: a && sum(b)\n"
	  "      |            ^~~\n" },
	{ "expr: before(a b)\n", SL_SC_MESSAGE,
	  "e.yml:1:16: error: expected ',' between the arguments, found 'b'\n"
	  "    1 | expr: before(a b)\n"
	  "      |                ^\n" },
	{ "expr: count(3)\n", SL_SC_MESSAGE,
	  "e.yml:1:13: error: expected a rule id, found '3'\n"
	  "    1 | expr: count(3)\n"
	  "      |             ^\n" },
	{ "expr: a b\n", SL_SC_MESSAGE,
	  "e.yml:1:9: error: unexpected 'b' after the expression\n"
	  "    1 | expr: a b\n"
	  "      |         ^\n" },
	{ "expr: a & b\n", SL_SC_MESSAGE,
	  "e.yml:1:9: error: unexpected '&' after the expression\n"
	  "    1 | expr: a & b\n"
	  "      |         ^\n" },
	{ "expr: count(a) > 1.\n", SL_SC_MESSAGE,
	  "e.yml:1:18: error: malformed number\n"
	  "    1 | expr: count(a) > 1.\n"
	  "      |                  ^~\n" },
	{ "expr: count(a) < 12345678901\n", SL_SC_MESSAGE,
	  "e.yml:1:18: error: number larger than 1000000000\n"
	  "    1 | expr: count(a) < 12345678901\n"
	  "      |                  ^~~~~~~~~~~\n" },
	/* single-quoted: columns count the quote */
	{ "expr: 'a &&'\n", SL_SC_MESSAGE,
	  "e.yml:1:12: error: expected an operand, found end of expression\n"
	  "    1 | expr: 'a &&'\n"
	  "      |            ^\n" },
	/* double-quoted with an escape: \t is two columns in the file */
	{ "expr: \"a\\t&& $\"\n", SL_SC_MESSAGE,
	  "e.yml:1:14: error: expected an operand, found '$'\n"
	  "    1 | expr: \"a\\t&& $\"\n"
	  "      |              ^\n" },
	/* non-ASCII before the error: columns are code points */
	{ "expr: \xc3\xa9 && )\n", SL_SC_MESSAGE,
	  "e.yml:1:7: error: expected an operand, found '\xc3\xa9'\n"
	  "    1 | expr: \xc3\xa9 && )\n"
	  "      |       ^\n" },
	/* a scalar over two lines: the error is at the scalar */
	{ "expr: a &&\n  ) b\n", SL_SC_MESSAGE,
	  "e.yml:1:7: error: expected an operand, found ')'\n"
	  "    1 | expr: a &&\n"
	  "      |       ^~~~\n" },
	{ "scope: body\nexpr: a\n", SL_SC_BODY,
	  "e.yml:1:8: error: a meta rule's scope is message, paragraph or sentence, "
	  "not 'body'\n"
	  "    1 | scope: body\n"
	  "      |        ^~~~\n" },
	{ "at: x\n", SL_SC_MESSAGE, "e.yml: error: missing key 'expr'\n" },
	{ "expr: [a, b]\n", SL_SC_MESSAGE,
	  "e.yml:1:7: error: 'expr' must be a string\n"
	  "    1 | expr: [a, b]\n"
	  "      |       ^~~~~~\n" },
	{ "expr: a || b\nat: c\n", SL_SC_MESSAGE,
	  "e.yml:2:5: error: 'at' names 'c', which the expression does not use\n"
	  "    2 | at: c\n"
	  "      |     ^\n" },
};

static void test_parse_errors(void)
{
	for (size_t i = 0; i < sizeof parse_errors / sizeof *parse_errors; i++) {
		ctx_reset();
		sl_rule *r = mk_rule("e", SL_RK_META, parse_errors[i].scope,
		                     parse_errors[i].yaml);
		T_CHECK(r == NULL, "parse error %zu: compiled", i);
		T_STREQ(errmsg(), parse_errors[i].want, parse_errors[i].yaml);
	}
}

static void test_depth(void)
{
	char y[400];
	size_t n = 0;
	n += (size_t)snprintf(y + n, sizeof y - n, "expr: ");
	for (int i = 0; i < 70; i++)
		y[n++] = '(';
	n += (size_t)snprintf(y + n, sizeof y - n, "a");
	for (int i = 0; i < 70; i++)
		y[n++] = ')';
	y[n++] = '\n';
	y[n] = 0;
	ctx_reset();
	T_CHECK(mk_rule("e", SL_RK_META, SL_SC_MESSAGE, y) == NULL, "70 parentheses compiled");
	static const char want[] = "e.yml:1:71: error: expression nested more than 64 deep\n";
	T_CHECK(!strncmp(errmsg(), want, sizeof want - 1), "depth: %s", errmsg());

	/* a long flat chain nests the tree as deep */
	n = (size_t)snprintf(y, sizeof y, "expr: a");
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(y + n, sizeof y - n, "+a");
	snprintf(y + n, sizeof y - n, "\n");
	ctx_reset();
	T_CHECK(mk_rule("e", SL_RK_META, SL_SC_MESSAGE, y) == NULL, "70 additions compiled");
	T_CHECK(strstr(errmsg(), "error: expression nested more than 64 deep\n") != NULL,
	        "chain: %s", errmsg());

	/* 30 levels are fine */
	n = (size_t)snprintf(y, sizeof y, "expr: ");
	for (int i = 0; i < 30; i++)
		y[n++] = '(';
	y[n++] = '1';
	for (int i = 0; i < 30; i++)
		y[n++] = ')';
	y[n++] = '\n';
	y[n] = 0;
	ctx_reset();
	T_CHECK(mk_rule("e", SL_RK_META, SL_SC_MESSAGE, y) != NULL, "30 levels: %s", errmsg());
}

/* ---------------------------------------------------------------------
 * Linking.
 * ------------------------------------------------------------------- */

static void test_link(void)
{
	ctx_reset();
	sl_rule *rs[4];
	rs[0] = mk_rule("t/a", SL_RK_PHRASE, SL_SC_SENTENCE, NULL);
	rs[1] = mk_rule("m/x", SL_RK_META, SL_SC_MESSAGE,
	                "kind: meta\nexpr: t/a && (t/b || t/a)\n");
	T_EQ(install(rs, 2), -1, "unknown id links");
	T_STREQ(errmsg(),
	        "m/x.yml:2:15: error: unknown rule 't/b' in the expression\n"
	        "    2 | expr: t/a && (t/b || t/a)\n"
	        "      |               ^~~\n", "unknown id");

	ctx_reset();
	rs[0] = mk_rule("t/a", SL_RK_PHRASE, SL_SC_SENTENCE, NULL);
	rs[1] = mk_rule("m/a", SL_RK_META, SL_SC_MESSAGE, "expr: t/a && m/b\n");
	rs[2] = mk_rule("m/b", SL_RK_META, SL_SC_MESSAGE, "expr: m/c\n");
	rs[3] = mk_rule("m/c", SL_RK_META, SL_SC_MESSAGE, "expr: count(m/a) > 1\n");
	T_EQ(install(rs, 4), -1, "cycle links");
	T_STREQ(errmsg(),
	        "m/c.yml:1:13: error: meta rules form a cycle: m/a -> m/b -> m/c -> m/a\n"
	        "    1 | expr: count(m/a) > 1\n"
	        "      |             ^~~\n", "cycle");

	ctx_reset();
	rs[0] = mk_rule("m/self", SL_RK_META, SL_SC_MESSAGE, "expr: '!m/self'\n");
	T_EQ(install(rs, 1), -1, "self reference links");
	T_STREQ(errmsg(),
	        "m/self.yml:1:9: error: meta rules form a cycle: m/self -> m/self\n"
	        "    1 | expr: '!m/self'\n"
	        "      |         ^~~~~~\n", "self");

	ctx_reset();
	rs[0] = mk_rule("t/a", SL_RK_PHRASE, SL_SC_SENTENCE, NULL);
	rs[1] = mk_rule("m/a", SL_RK_META, SL_SC_MESSAGE, "expr: t/a && m/b\n");
	rs[2] = mk_rule("m/b", SL_RK_META, SL_SC_MESSAGE, "expr: t/a\n");
	T_EQ(install(rs, 3), 0, "a chain links");
	T_STREQ(errmsg(), "", "chain: no error");
}

/* ---------------------------------------------------------------------
 * Evaluation on a hand-made document.
 * ------------------------------------------------------------------- */

/* The file: one block per line; the subject first. */
static const char doc_src[] =
	"Important update\n"                                        /* 0 subject */
	"We apologize for the outage. We are splitting into two companies.\n"
	"Sorry, prices will increase next month.\n"                 /* 2 */
	"Shop now\n"                                                /* 3 button */
	"P.S. We will discontinue the Basic plan.\n"                /* 4 */
	"Unsubscribe | 12 Main Street\n";                           /* 5 */

static sl_result *doc_new(void)
{
	sl_result *r = calloc(1, sizeof *r);
	arena_init(&r->arena, NULL);
	r->ctx = ctx;
	r->lim = ctx->lim;
	r->name = "doc.txt";
	r->src = (const unsigned char *)doc_src;
	r->len = sizeof doc_src - 1;
	source_lines(r);
	text_identity(&r->srctext, &r->arena, doc_src, 0, r->len);
	r->doc.preheader_blk = -1;
	r->doc.html_part = r->doc.text_part = -1;
	size_t off = 0;
	for (int i = 0; off < r->len; i++) {
		const char *nl = memchr(doc_src + off, '\n', r->len - off);
		size_t len = (size_t)(nl - (doc_src + off));
		sl_block *b = doc_add_block(r);
		b->kind = i == 0 ? SL_BLK_SUBJECT : i == 3 ? SL_BLK_BUTTON : SL_BLK_PARAGRAPH;
		b->part = i == 0 ? -1 : 0;
		text_identity(&b->text, &r->arena, doc_src, off, len);
		/* sentences end at ". " */
		b->sent = arena_array(&r->arena, 8, sizeof *b->sent);
		uint32_t s = 0;
		for (uint32_t k = 0; k + 1 < len; k++)
			if (b->text.p[k] == '.' && b->text.p[k + 1] == ' ' && k > 3) {
				b->sent[b->nsent++] = (sl_sentence){ s, k + 1, 0, 0 };
				s = k + 2;
			}
		b->sent[b->nsent++] = (sl_sentence){ s, (uint32_t)len, 0, 0 };
		off += len + 1;
	}
	return r;
}

static void doc_free(sl_result *r)
{
	arena_release(&r->arena);
	free(r);
}

static sl_run run_new(sl_result *r)
{
	sl_run run;
	memset(&run, 0, sizeof run);
	run.r = r;
	run.ctx = ctx;
	run.first = arena_array(&r->arena, ctx->nrule, sizeof *run.first);
	run.count = arena_array(&r->arena, ctx->nrule, sizeof *run.count);
	for (size_t i = 0; i < ctx->nrule; i++) {
		run.first[i] = SIZE_MAX;
		run.count[i] = 0;
	}
	return run;
}

static const sl_rule *rule_by_id(const char *id)
{
	for (size_t i = 0; i < ctx->nrule; i++)
		if (!strcmp(ctx->rule[i]->id, id))
			return ctx->rule[i];
	return NULL;
}

/* A sub-rule hit on the words w in block b. */
static void add_hit(sl_run *run, const char *id, int b, const char *w)
{
	const sl_block *blk = &run->r->doc.blk[b];
	const char *p = strstr(blk->text.p, w);
	T_CHECK(p != NULL, "'%s' not in block %d", w, b);
	size_t off = (size_t)(p - blk->text.p);
	int s = 0;
	for (size_t i = 0; i < blk->nsent; i++)
		if (blk->sent[i].off <= off)
			s = (int)i;
	run_hit(run, rule_by_id(id), &blk->text, off, off + strlen(w), b, s);
}

/* "blk/sent 'text' value" for each hit of rule id, joined by "; ". */
static const char *hits_of(sl_run *run, const char *id)
{
	static char out[1024];
	size_t n = 0;
	out[0] = 0;
	for (size_t i = 0; i < run->nhit; i++) {
		const sl_hit *h = &run->hit[i];
		if (strcmp(h->rule->id, id))
			continue;
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%d/%d '%.*s' %g",
		                      n ? "; " : "", h->blk, h->sent,
		                      (int)(h->end - h->off), h->text->p + h->off, h->value);
	}
	return out;
}

static const struct {
	const char *expr;
	sl_scope scope;
	const char *at;
	const char *want;
} eval_cases[] = {
	/* located at the first identifier with a hit, or at: */
	{ "t/apology && t/split", SL_SC_MESSAGE, NULL, "1/0 'apologize' 1" },
	{ "t/split && t/apology", SL_SC_MESSAGE, NULL, "1/1 'splitting into two companies' 1" },
	{ "t/apology && t/split", SL_SC_MESSAGE, "t/split", "1/1 'splitting into two companies' 1" },
	{ "t/missing || t/price", SL_SC_MESSAGE, NULL, "2/0 'prices will increase' 1" },
	/* scopes */
	{ "t/apology && t/split", SL_SC_PARAGRAPH, NULL, "1/0 'apologize' 1" },
	{ "t/apology && t/split", SL_SC_SENTENCE, NULL, "" },
	{ "t/apology && t/price", SL_SC_PARAGRAPH, NULL, "2/0 'Sorry' 1" },
	{ "t/split && t/price", SL_SC_PARAGRAPH, NULL, "" },
	{ "t/apology && t/price", SL_SC_MESSAGE, NULL, "1/0 'apologize' 1" },
	{ "t/apology", SL_SC_SENTENCE, NULL, "1/0 'apologize' 1; 2/0 'Sorry' 1" },
	/* counts and arithmetic */
	{ "count(t/apology)", SL_SC_MESSAGE, NULL, "1/0 'apologize' 2" },
	{ "count(t/apology) == 2 && count(t/missing) == 0", SL_SC_MESSAGE, NULL,
	  "1/0 'apologize' 1" },
	{ "count(t/apology) + count(t/split) * 2 == 4", SL_SC_MESSAGE, NULL,
	  "1/0 'apologize' 1" },
	{ "count(t/apology) > 1", SL_SC_PARAGRAPH, NULL, "" },
	/* positions */
	{ "before(t/apology, t/price)", SL_SC_MESSAGE, NULL, "1/0 'apologize' 1" },
	{ "before(t/price, t/apology)", SL_SC_MESSAGE, NULL, "" },
	{ "before(t/split, t/apology)", SL_SC_MESSAGE, NULL, "" },
	{ "before(t/apology, t/missing)", SL_SC_MESSAGE, NULL, "" },
	{ "before(t/apology, t/split)", SL_SC_PARAGRAPH, NULL, "1/0 'apologize' 1" },
	{ "in(t/disc, ps)", SL_SC_MESSAGE, NULL, "4/0 'discontinue' 1" },
	{ "in(t/disc, top)", SL_SC_MESSAGE, NULL, "" },
	{ "in(t/apology, top)", SL_SC_MESSAGE, NULL, "1/0 'apologize' 1" },
	{ "in(t/price, below-fold) && in(t/unsub, footer)", SL_SC_MESSAGE, NULL,
	  "2/0 'prices will increase' 1" },
	{ "in(t/unsub, fine-print)", SL_SC_MESSAGE, NULL, "5/0 'Unsubscribe' 1" },
	{ "absent_from(t/price, top)", SL_SC_MESSAGE, NULL, "2/0 'prices will increase' 1" },
	{ "absent_from(t/apology, top)", SL_SC_MESSAGE, NULL, "" },
	/* nothing hit: the instance itself */
	{ "absent_from(t/missing, footer)", SL_SC_MESSAGE, NULL, "-1/-1 '' 1" },
	{ "!t/apology", SL_SC_PARAGRAPH, NULL,
	  "0/-1 'Important update' 1; "
	  "3/-1 'Shop now' 1; 4/-1 'P.S. We will discontinue the Basic plan.' 1; "
	  "5/-1 'Unsubscribe | 12 Main Street' 1" },
	{ "!t/disc && in(t/price, below-fold)", SL_SC_SENTENCE, NULL,
	  "2/0 'prices will increase' 1" },
	{ "!t/missing && !t/apology", SL_SC_SENTENCE, NULL,
	  "0/0 'Important update' 1; "
	  "1/1 'We are splitting into two companies.' 1; 3/0 'Shop now' 1; "
	  "4/0 'P.S. We will discontinue the Basic plan.' 1; "
	  "5/0 'Unsubscribe | 12 Main Street' 1" },
	/* sentences: with() and without() */
	{ "with(t/price, t/apology)", SL_SC_MESSAGE, NULL, "2/0 'prices will increase' 1" },
	{ "with(t/split, t/apology)", SL_SC_MESSAGE, NULL, "" },
	{ "t/split && !with(t/split, t/apology)", SL_SC_MESSAGE, NULL,
	  "1/1 'splitting into two companies' 1" },
	{ "without(t/apology, t/price)", SL_SC_MESSAGE, NULL, "1/0 'apologize' 1" },
	{ "without(t/apology, t/split)", SL_SC_MESSAGE, NULL, "1/0 'apologize' 1" },
	{ "without(t/price, t/apology)", SL_SC_MESSAGE, NULL, "" },
	{ "without(t/missing, t/apology)", SL_SC_MESSAGE, NULL, "" },
	{ "with(t/apology, t/price)", SL_SC_PARAGRAPH, NULL, "2/0 'Sorry' 1" },
	/* the witness: what made the expression true */
	{ "t/apology && (t/missing || t/disc)", SL_SC_MESSAGE, NULL, "1/0 'apologize' 1" },
	{ "(t/missing || t/disc) && t/apology", SL_SC_MESSAGE, NULL, "4/0 'discontinue' 1" },
	{ "t/disc || t/price", SL_SC_MESSAGE, NULL, "2/0 'prices will increase' 1" },
	{ "t/disc + t/split + t/price >= 2", SL_SC_MESSAGE, NULL,
	  "1/1 'splitting into two companies' 1" },
	{ "!t/missing && in(t/apology, below-fold)", SL_SC_MESSAGE, NULL, "2/0 'Sorry' 1" },
	{ "absent_from(t/price, top) && t/unsub", SL_SC_MESSAGE, NULL, "5/0 'Unsubscribe' 1" },
	{ "before(t/split, t/price) && t/apology", SL_SC_MESSAGE, NULL,
	  "1/1 'splitting into two companies' 1" },
	/* the subject is an instance of paragraph and sentence scopes */
	{ "t/price", SL_SC_PARAGRAPH, NULL, "0/0 'update' 1; 2/0 'prices will increase' 1" },
};

static void setup_eval_rules(const char *expr, sl_scope scope, const char *at)
{
	static const char *const subs[] = {
		"t/apology", "t/split", "t/price", "t/disc", "t/unsub", "t/missing",
	};
	sl_rule *rs[16];
	size_t n = 0;
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		rs[n++] = mk_rule(subs[i], SL_RK_PHRASE, SL_SC_SENTENCE, NULL);
	char *y = at ? arena_printf(&ctx->arena, "expr: '%s'\nat: %s\n", expr, at)
	             : arena_printf(&ctx->arena, "expr: '%s'\n", expr);
	rs[n] = mk_rule("m/x", SL_RK_META, scope, y);
	T_CHECK(rs[n] != NULL, "compile '%s': %s", expr, errmsg());
	if (rs[n])
		n++;
	T_EQ(install(rs, n), 0, expr);
}

static void add_doc_hits(sl_run *run)
{
	add_hit(run, "t/apology", 1, "apologize");
	add_hit(run, "t/split", 1, "splitting into two companies");
	add_hit(run, "t/apology", 2, "Sorry");
	add_hit(run, "t/price", 2, "prices will increase");
	add_hit(run, "t/disc", 4, "discontinue");
	add_hit(run, "t/unsub", 5, "Unsubscribe");
}

/* add_doc_hits, and a price hit in the subject ("update"). */
static void add_doc_hits_subject(sl_run *run)
{
	add_hit(run, "t/price", 0, "update");
	add_doc_hits(run);
}

static void test_eval(void)
{
	for (size_t i = 0; i < sizeof eval_cases / sizeof *eval_cases; i++) {
		ctx_reset();
		setup_eval_rules(eval_cases[i].expr, eval_cases[i].scope, eval_cases[i].at);
		sl_result *r = doc_new();
		sl_run run = run_new(r);
		if (!strcmp(eval_cases[i].expr, "t/price"))
			add_doc_hits_subject(&run);
		else
			add_doc_hits(&run);
		meta_ops.run(&run);
		const char *got = hits_of(&run, "m/x");
		T_STREQ(got, eval_cases[i].want, eval_cases[i].expr);
		doc_free(r);
	}
}

/* The note names what matched; {match} is the located hit's text. */
static void test_note(void)
{
	ctx_reset();
	setup_eval_rules("t/split && t/apology && !t/missing", SL_SC_MESSAGE, NULL);
	sl_result *r = doc_new();
	sl_run run = run_new(r);
	add_doc_hits(&run);
	meta_ops.run(&run);
	const sl_hit *h = NULL;
	for (size_t i = 0; i < run.nhit; i++)
		if (!strcmp(run.hit[i].rule->id, "m/x"))
			h = &run.hit[i];
	T_CHECK(h != NULL, "note: no hit");
	if (h) {
		T_STREQ(h->note, "matched t/split ('splitting into two companies'), "
		        "t/apology ('apologize')", "note");
		T_STREQ(h->match, "splitting into two companies", "match");
	}
	doc_free(r);
}

/* Meta rules over meta rules run in dependency order, whatever their
 * ids; a disabled meta rule gives nothing to the ones using it. */
static void test_meta_of_meta(void)
{
	for (int disabled = 0; disabled <= 1; disabled++) {
		ctx_reset();
		sl_rule *rs[8];
		size_t n = 0;
		rs[n++] = mk_rule("t/apology", SL_RK_PHRASE, SL_SC_SENTENCE, NULL);
		rs[n++] = mk_rule("t/split", SL_RK_PHRASE, SL_SC_SENTENCE, NULL);
		rs[n++] = mk_rule("t/price", SL_RK_PHRASE, SL_SC_SENTENCE, NULL);
		rs[n++] = mk_rule("t/disc", SL_RK_PHRASE, SL_SC_SENTENCE, NULL);
		rs[n++] = mk_rule("t/unsub", SL_RK_PHRASE, SL_SC_SENTENCE, NULL);
		rs[n++] = mk_rule("m/0", SL_RK_META, SL_SC_MESSAGE, "expr: m/5 && t/price\n");
		rs[n++] = mk_rule("m/5", SL_RK_META, SL_SC_PARAGRAPH,
		                  "expr: t/apology && t/split\nat: t/split\n");
		rs[n - 1]->enabled = !disabled;
		T_EQ(install(rs, n), 0, "meta of meta links");
		sl_result *r = doc_new();
		sl_run run = run_new(r);
		add_doc_hits(&run);
		meta_ops.run(&run);
		T_STREQ(hits_of(&run, "m/5"), disabled ? "" : "1/1 'splitting into two companies' 1",
		        "inner");
		T_STREQ(hits_of(&run, "m/0"), disabled ? "" : "1/1 'splitting into two companies' 1",
		        "outer");
		doc_free(r);
	}
}

/* Precedence and arithmetic: numeric expressions at message scope; the
 * hit's value is the expression's (no hit when it is 0). */
static const struct {
	const char *expr;
	double value;
} prec_cases[] = {
	{ "1 + 2 * 3", 7 },
	{ "(1 + 2) * 3", 9 },
	{ "2 - 3 - 4", -5 },
	{ "2 * 3 - 4 * 5", -14 },
	{ "-2 * -3", 6 },
	{ "- (1 + 1)", -2 },
	{ "!0 + 1", 2 },
	{ "!(0 + 1)", 0 },
	{ "!!5", 1 },
	{ "1 || 0 && 0", 1 },
	{ "(1 || 0) && 0", 0 },
	{ "0 && 1 || 1", 1 },
	{ "1 < 2 == 1", 1 },
	{ "3 > 2 > 1", 0 },
	{ "2 >= 2", 1 },
	{ "2 <= 1", 0 },
	{ "1 != 1", 0 },
	{ "1 + 1 == 2 && 2 * 2 == 4", 1 },
	{ "0.5 * 4", 2 },
	{ "10 - 2.25", 7.75 },
	{ "1+2*3==7", 1 },
	{ "  3  ", 3 },
};

static void test_precedence(void)
{
	for (size_t i = 0; i < sizeof prec_cases / sizeof *prec_cases; i++) {
		ctx_reset();
		sl_rule *rs[1];
		char *y = arena_printf(&ctx->arena, "expr: '%s'\n", prec_cases[i].expr);
		rs[0] = mk_rule("m/x", SL_RK_META, SL_SC_MESSAGE, y);
		T_CHECK(rs[0] != NULL, "compile '%s': %s", prec_cases[i].expr, errmsg());
		if (!rs[0])
			continue;
		install(rs, 1);
		sl_result *r = doc_new();
		sl_run run = run_new(r);
		meta_ops.run(&run);
		double got = run.nhit ? run.hit[0].value : 0;
		T_CHECK(got == prec_cases[i].value && run.nhit == (prec_cases[i].value != 0),
		        "%s: got %g (%zu hits), want %g", prec_cases[i].expr, got, run.nhit,
		        prec_cases[i].value);
		doc_free(r);
	}
}

/* ---------------------------------------------------------------------
 * Zones.
 * ------------------------------------------------------------------- */

static const char *zone_str(unsigned z)
{
	static char s[128];
	static const char *const names[] = {
		"subject", "preheader", "top", "below-fold", "ps", "footer", "fine-print",
	};
	size_t n = 0;
	s[0] = 0;
	for (int i = 0; i < 7; i++)
		if (z & (1u << i))
			n += (size_t)snprintf(s + n, sizeof s - n, "%s%s", n ? "," : "", names[i]);
	return s;
}

/* A document of blocks "K:text" (K: s subject, h preheader, p paragraph,
 * b button, l link paragraph, x hidden paragraph), zones as
 * "z0 | z1 | ...". */
static const struct {
	const char *blocks[12];
	const char *want;
} zone_cases[] = {
	{ { "s:Hello", "p:We apologize for the outage last week, it is fixed now.",
	    "p:Prices will increase next month.", "b:Shop now",
	    "p:P.S. We will discontinue the Basic plan.", "p:Unsubscribe | 12 Main Street" },
	  "subject | top | below-fold | below-fold | below-fold,ps | below-fold,footer,fine-print" },
	/* the call to action folds after itself; an opening link does not */
	{ { "l:View in browser", "p:Hi Ann,", "b:Get the offer",
	    "p:More words here that go on and on for quite a while to fill the space "
	    "so that thirty percent is not reached before the button above comes.",
	    "p:(c) 2024 Acme Inc. All rights reserved." },
	  "top | top | top | below-fold | below-fold,footer,fine-print" },
	/* no footer text: the last 15%; glue between footer blocks */
	{ { "p:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "p:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    "p:cccccccccccccccccccccccccccccccccccccccc",
	    "p:dddddddddddddddddddddddddddddddddddddddd",
	    "p:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
	    "p:ffffffffffffffffffffffffffffffffffffffff",
	    "p:ggggggggg" },
	  "top | top | below-fold | below-fold | below-fold | below-fold | "
	  "below-fold,footer,fine-print" },
	{ { "p:A long letter with real content that is longer than the glue limit of sixty.",
	    "p:You are receiving this because you signed up.", "l:Privacy",
	    "p:PO Box 7, Springfield", "p:Acme" },
	  "top | below-fold,footer,fine-print | below-fold,footer,fine-print | "
	  "below-fold,footer,fine-print | below-fold,footer,fine-print" },
	/* ps forms; hidden blocks take their position's zones */
	{ { "h:preview text", "p:Body text that is long enough to matter here.",
	    "x:hidden tracking text", "p:PPS: one more thing", "p:ps. lower case" },
	  "preheader | top | below-fold | below-fold,ps | below-fold,ps" },
	{ { "p:PS4 owners rejoice", "p:Please read." },
	  "top | below-fold" },
	{ { "p:Only one block" }, "top" },
};

static void test_zones(void)
{
	for (size_t i = 0; i < sizeof zone_cases / sizeof *zone_cases; i++) {
		sl_result *r = calloc(1, sizeof *r);
		arena_init(&r->arena, NULL);
		r->ctx = ctx;
		r->doc.preheader_blk = -1;
		for (size_t k = 0; k < 12 && zone_cases[i].blocks[k]; k++) {
			const char *s = zone_cases[i].blocks[k];
			sl_block *b = doc_add_block(r);
			b->kind = SL_BLK_PARAGRAPH;
			switch (s[0]) {
			case 's': b->kind = SL_BLK_SUBJECT; break;
			case 'h': b->kind = SL_BLK_PREHEADER; r->doc.preheader_blk = (int)k; break;
			case 'b': b->kind = SL_BLK_BUTTON; break;
			case 'l': b->link = 0; break;
			case 'x': b->hidden = 1; break;
			}
			text_identity(&b->text, &r->arena, s + 2, 0, strlen(s + 2));
		}
		zones_compute(r);
		char got[512];
		size_t n = 0;
		got[0] = 0;
		for (size_t k = 0; k < r->doc.nblk; k++)
			n += (size_t)snprintf(got + n, sizeof got - n, "%s%s", k ? " | " : "",
			                      zone_str(r->doc.zone[k]));
		T_STREQ(got, zone_cases[i].want, zone_cases[i].blocks[0]);
		arena_release(&r->arena);
		free(r);
	}
}

/* ---------------------------------------------------------------------
 * Through the loader: bad meta rule dirs (run from the source root).
 * ------------------------------------------------------------------- */

static const struct {
	const char *dir;
	const char *err;
} bad_dirs[] = {
	{ "tests/rules/bad-meta-expr",
	  "tests/rules/bad-meta-expr/m/scope.yml:2:8: error: a meta rule's scope is message, "
	  "paragraph or sentence, not 'link'\n"
	  "    2 | scope: link\n"
	  "      |        ^~~~\n"
	  "tests/rules/bad-meta-expr/m/syntax.yml:4:14: error: expected an operand, found '&&'\n"
	  "    4 | expr: t/a && && t/b\n"
	  "      |              ^~\n"
	  "tests/rules/bad-meta-expr/m/zone.yml:5:16: error: unknown zone 'bottom' (subject, "
	  "preheader, top, below-fold, ps, footer or fine-print)\n"
	  "    5 | expr: 'in(t/a, bottom)'\n"
	  "      |                ^~~~~~\n" },
	{ "tests/rules/bad-meta-link",
	  "tests/rules/bad-meta-link/m/unknown.yml:4:15: error: unknown rule 't/b' in the expression\n"
	  "    4 | expr: t/a && (t/b || count(t/c) > 1)\n"
	  "      |               ^~~\n"
	  "tests/rules/bad-meta-link/m/unknown.yml:4:28: error: unknown rule 't/c' in the expression\n"
	  "    4 | expr: t/a && (t/b || count(t/c) > 1)\n"
	  "      |                            ^~~\n" },
	{ "tests/rules/bad-meta-cycle",
	  "tests/rules/bad-meta-cycle/m/b.yml:4:9: error: meta rules form a cycle: m/a -> m/b -> m/a\n"
	  "    4 | expr: \"!m/a\"\n"
	  "      |         ^~~\n" },
};

static void test_bad_dirs(void)
{
	for (size_t i = 0; i < sizeof bad_dirs / sizeof *bad_dirs; i++) {
		sl_options o;
		memset(&o, 0, sizeof o);
		o.rule_dirs = &bad_dirs[i].dir;
		o.nrule_dirs = 1;
		sl_context *c;
		int rc = sl_context_new(&c, &o);
		T_EQ(rc, SL_ERULES, bad_dirs[i].dir);
		T_STREQ(sl_context_errmsg(c), bad_dirs[i].err, bad_dirs[i].dir);
		sl_context_free(c);
	}
}

int main(void)
{
	ctx = calloc(1, sizeof *ctx);
	arena_init(&ctx->arena, NULL);
	ctx->lim.diagnostics = 1000;
	test_parse_errors();
	test_depth();
	test_link();
	test_precedence();
	test_eval();
	test_note();
	test_meta_of_meta();
	test_zones();
	test_bad_dirs();
	ctx_reset();
	arena_release(&ctx->arena);
	free(ctx);
	return t_done();
}
