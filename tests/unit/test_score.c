/*
 * test_score.c - scores from diagnostics (exact values for given weights
 * and caps, 0 with nothing found, monotone, custom groups, risk), and
 * scores.yml loading (the bundled file equals the built-in defaults; bad
 * keys and values are errors with a caret); per-unit scores (each
 * sentence and paragraph of the tone group's findings: caps per unit,
 * value rules, report: false and suppressed findings left out, other
 * groups ignored, the units' exact spans and order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"

static sl_context *ctx;

static sl_rule *mk_rule(const char *id, const char *group, double weight, int cap,
                        int enabled)
{
	sl_rule *r = arena_zalloc(&ctx->arena, sizeof *r);
	r->id = id;
	r->group = group;
	r->weight = weight;
	r->cap = cap;
	r->enabled = enabled;
	r->report = 1;
	return r;
}

static void ctx_new(void)
{
	ctx = calloc(1, sizeof *ctx);
	arena_init(&ctx->arena, NULL);
	/* sorted by id */
	static sl_rule *rules[9];
	size_t n = 0;
	rules[n++] = mk_rule("alpha/y", "alpha", 2, 1, 1);
	rules[n++] = mk_rule("bundling/m", "bundling", 3, 1, 1);
	rules[n++] = mk_rule("deliverability/d", "deliverability", 1, 1, 1);
	rules[n++] = mk_rule("subject/a", "subject", 1, 1, 1);
	rules[n++] = mk_rule("subject/b", "subject", 2, 3, 1);
	rules[n++] = mk_rule("tone/a", "tone", 1.5, 1, 1);
	rules[n++] = mk_rule("tone/off", "tone", 5, 1, 0);
	rules[n++] = mk_rule("zeta/x", "zeta", 1, 1, 1);
	rules[n++] = mk_rule("zoff/x", "zoff", 1, 1, 0);
	ctx->rule = rules;
	ctx->nrule = n;
	for (size_t i = 0; i < n; i++)
		rules[i]->index = (int)i;
}

static void ctx_free(void)
{
	free(ctx->errmsg);
	arena_release(&ctx->arena);
	free(ctx);
	ctx = NULL;
}

/* Scores for the diagnostics "id id ...", as "group=value ...". */
static const char *scores(const char *diags)
{
	static char out[512];
	sl_result *r = calloc(1, sizeof *r);
	arena_init(&r->arena, NULL);
	r->ctx = ctx;
	r->lim.diagnostics = 1000;
	const char *p = diags;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (!n)
			break;
		diag_add(r, arena_strndup(&r->arena, p, n), "", SL_WARNING,
		         (sl_span){ 0, 1, 1 }, "d");
		p += n;
	}
	sl_run run;
	memset(&run, 0, sizeof run);
	run.r = r;
	run.ctx = ctx;
	score_compute(&run);
	size_t n = 0;
	out[0] = 0;
	for (size_t i = 0; i < r->nscore; i++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s=%d", i ? " " : "",
		                      r->score[i].group, r->score[i].value);
	arena_release(&r->arena);
	free(r);
	return out;
}

static const struct {
	const char *diags;
	const char *want;
} score_cases[] = {
	{ "", "risk=0 subject=0 tone=0 bundling=0 deliverability=0 alpha=0 zeta=0" },
	/* S = 0.8 x 1 -> 100 (sig(-2.2) - sig(-3)) / (1 - sig(-3)) = 5.2 */
	{ "subject/a", "risk=6 subject=6 tone=0 bundling=0 deliverability=0 alpha=0 zeta=0" },
	/* cap 1: three diagnostics count once */
	{ "subject/a subject/a subject/a",
	  "risk=6 subject=6 tone=0 bundling=0 deliverability=0 alpha=0 zeta=0" },
	/* weight 2, cap 3: S = 6 */
	{ "subject/b subject/b subject/b subject/b subject/b",
	  "risk=94 subject=94 tone=0 bundling=0 deliverability=0 alpha=0 zeta=0" },
	{ "subject/a subject/b subject/b subject/b",
	  "risk=98 subject=98 tone=0 bundling=0 deliverability=0 alpha=0 zeta=0" },
	/* tone: S = 1.5 -> 100 (sig(-0.2385) - sig(-1.7385)) / (1 - sig(-1.7385))
	 * = 34; risk = 1 - (0.94 x 0.66 x 0.27 x 0.95) */
	{ "subject/a tone/a bundling/m deliverability/d",
	  "risk=84 subject=6 tone=35 bundling=73 deliverability=5 alpha=0 zeta=0" },
	/* custom groups: default parameters, and in risk (no risk.groups):
	 * 100 (1 - (1 - .23)(1 - .08)) = 29 */
	{ "alpha/y zeta/x", "risk=29 subject=0 tone=0 bundling=0 deliverability=0 alpha=23 zeta=8" },
	/* not rules, or disabled: nothing */
	{ "input/bad-base64 sendlint/unused-suppression tone/off zoff/x nope/x",
	  "risk=0 subject=0 tone=0 bundling=0 deliverability=0 alpha=0 zeta=0" },
};

static void test_scores(void)
{
	for (size_t i = 0; i < sizeof score_cases / sizeof *score_cases; i++)
		T_STREQ(scores(score_cases[i].diags), score_cases[i].want,
		        score_cases[i].diags[0] ? score_cases[i].diags : "(none)");
}

/* Adding a diagnostic never lowers a score; the subject score rises with
 * each until it saturates. */
static void test_monotone(void)
{
	sl_rule *b = ctx->rule[4];
	int save = b->cap;
	b->cap = 1000;
	char diags[4096] = "";
	size_t n = 0;
	int last = 0;
	for (int i = 1; i <= 40; i++) {
		n += (size_t)snprintf(diags + n, sizeof diags - n, "subject/b ");
		const char *s = scores(diags);
		int v = atoi(strstr(s, "subject=") + 8);
		T_CHECK(v >= last, "%d diagnostics: %d after %d", i, v, last);
		T_CHECK(v > last || v == 100, "%d diagnostics: flat at %d", i, v);
		T_CHECK(v <= 100, "%d diagnostics: %d", i, v);
		last = v;
	}
	T_EQ(last, 100, "saturates");
	b->cap = save;
}

/* ---------------------------------------------------------------------
 * scores.yml
 * ------------------------------------------------------------------- */

static int load(const char *yaml)
{
	FILE *f = fopen("scores.yml", "w");
	fputs(yaml, f);
	fclose(f);
	sl_loader L = { ctx, "scores.yml", NULL, 0, 0 };
	int rc = score_load(&L, ctx, "scores.yml");
	return rc ? rc : L.nerr ? -1 : 0;
}

static const struct {
	const char *yaml;
	const char *want;
} bad_files[] = {
	{ "groups:\n  subject: {bias: -3, scal: 1}\n",
	  "scores.yml:2:23: error: unknown key 'scal' (did you mean 'scale'?)\n"
	  "    2 |   subject: {bias: -3, scal: 1}\n"
	  "      |                       ^~~~\n" },
	{ "group:\n  tone: {}\n",
	  "scores.yml:1:1: error: unknown key 'group' (did you mean 'groups'?)\n"
	  "    1 | group:\n"
	  "      | ^~~~~\n" },
	{ "weights: {}\n",
	  "scores.yml:1:1: error: unknown key 'weights'\n"
	  "    1 | weights: {}\n"
	  "      | ^~~~~~~\n" },
	{ "risk:\n  combine: average\n",
	  "scores.yml:2:12: error: unknown combine 'average' (noisy-or or max)\n"
	  "    2 |   combine: average\n"
	  "      |            ^~~~~~~\n" },
	{ "groups:\n  tone: {scale: 0}\n",
	  "scores.yml:2:17: error: scale must be above 0 and at most 100\n"
	  "    2 |   tone: {scale: 0}\n"
	  "      |                 ^\n" },
	{ "default: {bias: 30}\n",
	  "scores.yml:1:17: error: bias must be between -20 and 20\n"
	  "    1 | default: {bias: 30}\n"
	  "      |                 ^~\n" },
	{ "groups: [tone]\n",
	  "scores.yml:1:9: error: 'groups' must be a mapping\n"
	  "    1 | groups: [tone]\n"
	  "      |         ^~~~~~\n" },
	{ "groups:\n  tone: 3\n",
	  "scores.yml:2:9: error: a group's parameters must be a mapping\n"
	  "    2 |   tone: 3\n"
	  "      |         ^\n" },
	{ "- a\n",
	  "scores.yml:1:1: error: scores.yml must be a mapping\n"
	  "    1 | - a\n"
	  "      | ^~~\n" },
};

static void test_bad_files(void)
{
	for (size_t i = 0; i < sizeof bad_files / sizeof *bad_files; i++) {
		ctx_new();
		T_CHECK(load(bad_files[i].yaml) != 0, "loaded: %s", bad_files[i].yaml);
		T_STREQ(ctx->errmsg, bad_files[i].want, bad_files[i].yaml);
		ctx_free();
	}
}

/* The bundled scores.yml says what the built-in defaults say. */
static void test_bundled(const char *path)
{
	static const char *const sets[] = {
		"", "subject/a", "subject/b subject/b", "tone/a", "bundling/m",
		"deliverability/d", "alpha/y zeta/x", "subject/a tone/a bundling/m deliverability/d",
	};
	ctx_new();
	char want[8][512];
	for (size_t i = 0; i < 8; i++)
		snprintf(want[i], sizeof want[i], "%s", scores(sets[i]));
	sl_loader L = { ctx, path, NULL, 0, 0 };
	T_EQ(score_load(&L, ctx, path), 0, "bundled scores.yml loads");
	T_STREQ(ctx->errmsg ? ctx->errmsg : "", "", "bundled scores.yml: no error");
	for (size_t i = 0; i < 8; i++)
		T_STREQ(scores(sets[i]), want[i], sets[i]);
	ctx_free();
}

/* Overrides: parameters, default, combine: max, risk groups. */
static void test_overrides(void)
{
	ctx_new();
	T_EQ(load("risk: {combine: max}\n"), 0, "combine max");
	T_STREQ(scores("subject/a tone/a bundling/m deliverability/d"),
	        "risk=73 subject=6 tone=35 bundling=73 deliverability=5 alpha=0 zeta=0", "max");
	ctx_free();

	ctx_new();
	T_EQ(load("default: {bias: -1, scale: 2}\n"
	          "groups: {zeta: {bias: -3}}\n"
	          "risk: {groups: [subject, alpha]}\n"), 0, "custom");
	/* alpha: default (-1, 2), S = 2 -> 100 (sig(3) - sig(-1)) / (1 - sig(-1));
	 * zeta: bias -3 and the default's scale 2, S = 1 */
	T_STREQ(scores("alpha/y zeta/x tone/a"),
	        "risk=94 subject=0 tone=35 bundling=0 deliverability=0 alpha=94 zeta=23",
	        "custom");
	ctx_free();

	/* later files override earlier ones group by group */
	ctx_new();
	T_EQ(load("groups: {tone: {bias: -1, scale: 2}}\n"), 0, "first");
	T_EQ(load("groups: {tone: {scale: 1}}\n"), 0, "second");
	T_STREQ(scores("tone/a"),
	        "risk=48 subject=0 tone=48 bundling=0 deliverability=0 alpha=0 zeta=0",
	        "merged");
	ctx_free();
}

/* --- per-unit scores ------------------------------------------------ */

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

#define UNIT_RULE(phr, extra) \
	"kind: phrase\nscope: sentence\nphrases: [" phr "]\n" extra \
	"message: \"'{match}'\"\ndescription: test\n" \
	"examples: {match: [" phr "], nomatch: [zzz]}\n"

/* The unit scores of src linted as NAME with the rules of dir, as
 * "scope@off-end=value ..." (the unit's original bytes). */
static const char *units_of(sl_context *c, const char *name, const char *src)
{
	static char out[1024];
	sl_result *r;
	out[0] = 0;
	if (sl_lint(&r, c, name, (const unsigned char *)src, strlen(src)))
		return "(lint failed)";
	size_t n, k = 0;
	const sl_unit_score *u = sl_result_unit_scores(r, &n);
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(out + k, k < sizeof out ? sizeof out - k : 0,
		                      "%s%s:%s@%zu-%zu=%d", i ? " " : "", u[i].group, u[i].scope,
		                      u[i].offset, u[i].end_offset, u[i].value);
	sl_result_free(r);
	return out;
}

static void test_units(void)
{
	char dir[] = "/tmp/sendlint-units-XXXXXX";
	char sub[600];
	if (!mkdtemp(dir))
		exit(2);
	snprintf(sub, sizeof sub, "%s/tone", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof sub, "%s/subject", dir);
	mkdir(sub, 0700);
	put_file(dir, "tone/a.yml", UNIT_RULE("alpha", "weight: 1\n"));
	put_file(dir, "tone/b.yml", UNIT_RULE("beta", "weight: 2\n"));
	put_file(dir, "tone/c.yml", UNIT_RULE("gamma", "weight: 1\ncap: 3\n"));
	put_file(dir, "tone/off.yml", UNIT_RULE("delta", "weight: 5\nreport: false\n"));
	put_file(dir, "subject/s.yml", UNIT_RULE("epsilon", "weight: 5\n"));
	put_file(dir, "tone/w.tsv", "zed\t2.0\n");
	put_file(dir, "tone/w.yml",
	         "kind: tokens\nscope: sentence\nweights: w.tsv\nscore: excess\n"
	         "report_min: 0.5\nmessage: \"{tokens}\"\ndescription: test\n"
	         "examples: {match: [zed], nomatch: [zzz]}\n");
	sl_options o;
	memset(&o, 0, sizeof o);
	o.default_rules = dir;
	sl_context *c;
	int rc = sl_context_new(&c, &o);
	T_EQ(rc, 0, "unit rules load");
	if (rc) {
		printf("%s", c ? sl_context_errmsg(c) : "");
		sl_context_free(c);
		return;
	}
	static const struct {
		const char *src, *want;
	} cases[] = {
		/* S: paragraph 1 + 2 = 3 -> 74; sentences 1 -> 20, 2 -> 49 */
		{ "Alpha one. Beta two.\n",
		  "tone:paragraph@0-20=75 tone:sentence@0-10=21 tone:sentence@11-20=50" },
		/* cap 1 per unit: beta twice counts once; cap 3: gamma thrice */
		{ "Beta beta.\n\nGamma gamma gamma gamma.\n",
		  "tone:paragraph@0-10=50 tone:sentence@0-10=50 "
		  "tone:paragraph@12-36=75 tone:sentence@12-36=75" },
		/* a paragraph's cap spans its sentences: 2, not 4 */
		{ "Beta. Beta.\n", "tone:paragraph@0-11=50 tone:sentence@0-5=50 tone:sentence@6-11=50" },
		/* report: false, other groups, nothing found: no unit */
		{ "Delta epsilon. Nothing here.\n", "" },
		/* a value rule adds weight x (sum - report_min): 1.5 -> 34 */
		{ "No. Zed.\n", "tone:paragraph@0-8=35 tone:sentence@4-8=35" },
		/* a suppressed finding does not count */
		{ "<p>Alpha. Beta.<!-- sendlint-disable-line tone/b -- test --></p>\n",
		  "tone:paragraph@3-15=21 tone:sentence@3-9=21" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		T_STREQ(units_of(c, cases[i].src[0] == '<' ? "t.html" : "t.txt", cases[i].src),
		        cases[i].want, cases[i].src);
	sl_context_free(c);
	static const char *const files[] = {
		"tone/a.yml", "tone/b.yml", "tone/c.yml", "tone/off.yml", "subject/s.yml",
		"tone/w.tsv", "tone/w.yml",
	};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(sub, sizeof sub, "%s/%s", dir, files[i]);
		unlink(sub);
	}
	snprintf(sub, sizeof sub, "%s/tone", dir);
	rmdir(sub);
	snprintf(sub, sizeof sub, "%s/subject", dir);
	rmdir(sub);
	rmdir(dir);
}

/* Through the loader: a rules dir's bad scores.yml. */
static void test_bad_dir(void)
{
	static const char *const dir = "tests/rules/bad-scores";
	sl_options o;
	memset(&o, 0, sizeof o);
	o.rule_dirs = &dir;
	o.nrule_dirs = 1;
	sl_context *c;
	T_EQ(sl_context_new(&c, &o), SL_ERULES, dir);
	T_STREQ(sl_context_errmsg(c),
	        "tests/rules/bad-scores/scores.yml:2:20: error: unknown key 'scal' (did you mean 'scale'?)\n"
	        "    2 |   tone: {bias: -3, scal: 2}\n"
	        "      |                    ^~~~\n"
	        "tests/rules/bad-scores/scores.yml:4:12: error: unknown combine 'sum' (noisy-or or max)\n"
	        "    4 |   combine: sum\n"
	        "      |            ^~~\n", dir);
	sl_context_free(c);
}

int main(int argc, char **argv)
{
	/* the bundled file, by absolute path, before leaving the tree */
	char bundled[4096];
	const char *root = argc > 1 ? argv[1] : ".";
	if (root[0] == '/')
		snprintf(bundled, sizeof bundled, "%s/rules.d/scores.yml", root);
	else {
		char cwd[2048];
		if (!getcwd(cwd, sizeof cwd))
			return 2;
		snprintf(bundled, sizeof bundled, "%s/%s/rules.d/scores.yml", cwd, root);
	}
	ctx_new();
	test_scores();
	test_monotone();
	ctx_free();
	test_bundled(bundled);
	test_bad_dir();
	test_units();

	char dir[] = "/tmp/sendlint-score-XXXXXX";
	if (!mkdtemp(dir) || chdir(dir))
		return 2;
	test_bad_files();
	test_overrides();
	unlink("scores.yml");
	if (chdir("/") == 0)
		rmdir(dir);
	return t_done();
}
