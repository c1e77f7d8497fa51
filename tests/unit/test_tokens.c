/*
 * test_tokens.c - the tokens kind: the token features of many subjects
 * (exact sorted lists), its diagnostics (span, message, the note that
 * accounts for the rest of the sum, inexact spans in encoded words), the
 * scores of `score: value` rules (reported, below report_min, report:
 * false, negative sums) and of `score: excess` rules (with and without
 * score_min: what counts without a diagnostic), and the load errors of
 * bad weights files and keys (exact file:line:col).
 *
 * Rules and weights are written to a temporary directory and loaded like
 * a user rule dir.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"

static char top[] = "/tmp/sl_test_tokens_XXXXXX";

static void write_at(const char *dir, const char *rel, const char *body)
{
	char path[700];
	mkdir(dir, 0700);
	const char *slash = strchr(rel, '/');
	if (slash) {
		snprintf(path, sizeof path, "%s/%.*s", dir, (int)(slash - rel), rel);
		mkdir(path, 0700);
	}
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(body, f);
	fclose(f);
}

static sl_context *load(const char *dir)
{
	sl_options o;
	memset(&o, 0, sizeof o);
	const char *rd[1] = { dir };
	o.rule_dirs = dir ? rd : NULL;
	o.nrule_dirs = dir ? 1 : 0;
	sl_context *ctx;
	if (sl_context_new(&ctx, &o)) {
		printf("context: %s", sl_context_errmsg(ctx));
		sl_context_free(ctx);
		return NULL;
	}
	return ctx;
}

/* --- token features ---------------------------------------------------- */

static const struct {
	const char *subject, *want;  /* tokens joined by '|' */
} tok_cases[] = {
	{ "Free money", "free|free money|money" },
	/* case folding; ALL-CAPS words of 3 letters or more; duplicates once */
	{ "FREE free FREE", "<allcaps>|free|free free" },
	{ "OK NASA", "<allcaps>|nasa|ok|ok nasa" },
	{ "A OK", "a|a ok|ok" },
	/* reply and forward prefixes are skipped, only at the start */
	{ "Re: Fwd: FW: hello", "hello" },
	{ "RE:: hello", "hello" },
	{ "re : meeting tomorrow", "meeting|meeting tomorrow|tomorrow" },
	{ "Hello re: you", "hello|hello re|re|re you|you" },
	{ "Re", "re" },
	/* punctuation: only ! ? $ % * & #, runs of one cut to two */
	{ "Wow!!!", "!!|wow" },
	{ "Why?! Now!", "!|?!|now|why|why now" },
	{ "a... b, c; (d)", "a|a b|b|b c|c|c d|d" },
	{ "*** &&& ## $$$", "##|$$|&&|**" },
	/* numbers: <num>, and $ / % for money and percentages */
	{ "Save 50% on $5 items", "$|%|<num>|<num> items|<num> on|items|on|on <num>|save|save <num>" },
	{ "Order #4417 ready", "<num>|<num> ready|order|order <num>|ready" },
	{ "Only \xE2\x82\xAC" "3", "$|<num>|only|only <num>" },
	/* URLs, addresses, placeholders: they break word pairs */
	{ "See www.example.com now", "<url>|now|see" },
	{ "Mail a@example.org today", "<email>|mail|today" },
	{ "{{ first_name }}, your offer", "offer|your|your offer" },
	{ "Hi {{ name }} there", "hi|there" },
	/* emoji */
	{ "Party \xF0\x9F\x8E\x89\xF0\x9F\x8E\x89 time", "<emoji>|party|party time|time" },
	/* non-ASCII letters fold; apostrophes stay inside words */
	{ "\xC3\x89T\xC3\x89 don\xE2\x80\x99t", "<allcaps>|don't|\xC3\xA9t\xC3\xA9|\xC3\xA9t\xC3\xA9 don't" },
	/* the legitimate subjects of the issue */
	{ "Your March statement is ready",
	  "is|is ready|march|march statement|ready|statement|statement is|your|your march" },
	{ "Reminder: your appointment tomorrow at 10:00",
	  "<num>|appointment|appointment tomorrow|at|at <num>|reminder|reminder your|tomorrow|"
	  "tomorrow at|your|your appointment" },
	{ "", "" },
};

static void test_token_lists(sl_context *ctx)
{
	for (size_t i = 0; i < sizeof tok_cases / sizeof *tok_cases; i++) {
		char msg[512];
		snprintf(msg, sizeof msg, "Subject: %s\n\nHi.\n", tok_cases[i].subject);
		sl_result *r;
		if (sl_lint(&r, ctx, "t.eml", (const unsigned char *)msg, strlen(msg))) {
			T_CHECK(0, "lint failed");
			continue;
		}
		char got[1024];
		size_t n = 0;
		got[0] = 0;
		for (size_t b = 0; b < r->doc.nblk; b++) {
			if (r->doc.blk[b].kind != SL_BLK_SUBJECT)
				continue;
			const char **t;
			size_t k = subject_tokens(r, &r->doc.blk[b], &t);
			for (size_t j = 0; j < k; j++)
				n += (size_t)snprintf(got + n, n < sizeof got ? sizeof got - n : 0,
				                      "%s%s", j ? "|" : "", t[j]);
		}
		T_CHECK(!strcmp(got, tok_cases[i].want), "tokens of '%s': got '%s', want '%s'",
		        tok_cases[i].subject, got, tok_cases[i].want);
		sl_result_free(r);
	}
}

/* --- diagnostics and scores ---------------------------------------------- */

static const char weights[] =
	"# test weights\n"
	"#\t0.1\n"
	"free\t1.5\n"
	"money\t1\n"
	"free money\t0.5\r\n"
	"\n"
	"!!\t0.75\n"
	"<allcaps>\t0.5\n"
	"$\t0.25\n"
	"meeting\t-2\n"
	"thanks\t-0.5\n";

#define COMMON "description: test\n"

static const struct {
	const char *rel, *body;
} files[] = {
	{ "t/w.tsv", weights },
	{ "t/spam.yml", "kind: tokens\nscope: subject\nseverity: note\nweights: w.tsv\n"
	  "score: value\nreport_min: 1\nmax_listed: 2\nmessage: \"spam-like: {tokens}\"\n" COMMON },
	{ "t/bang.yml", "kind: regex\nscope: subject\npattern: '!!'\nmessage: bangs\n" COMMON },
	{ "u/count.yml", "kind: tokens\nscope: subject\nweights: ../t/w.tsv\nweight: 2\n"
	  "message: \"{tokens} = {value} at '{match}'\"\n" COMMON },
	{ "v/quiet.yml", "kind: tokens\nscope: subject\nweights: ../t/w.tsv\nreport: false\n"
	  "score: value\n" COMMON },
};

static const struct {
	const char *input, *want;     /* diagnostics of t/ and u/, one a line */
	int t, u, v;                  /* the scores of groups t, u, v */
} cases[] = {
	/* the two heaviest named (max_listed 2), the rest in the note */
	{ "Subject: FREE money!!\n\nHi.\n",
	  "t/spam@9-13 spam-like: 'free' (+1.50), 'money' (+1.00) "
	  "(summed weight +4.25 with 3 more spam-like words: '!!' (+0.75), "
	  "'<allcaps>' (+0.50), 'free money' (+0.50))\n"
	  "u/count@9-13 'free' (+1.50), 'money' (+1.00), '!!' (+0.75) = 4.25 at 'FREE' "
	  "(summed weight +4.25 with 2 more spam-like words: '<allcaps>' (+0.50), "
	  "'free money' (+0.50))\n"
	  "t/bang@19-21 bangs",
	  /* t: 4.25 + 1 (bang) = 5.25; u: weight 2 x 1 hit; v: 4.25 unreported */
	  90, 23, 77 },
	/* located at the heaviest spam-like token; {tokens} names what fits
	 * in 60 code points (u/count's max_listed is 5), the note the rest */
	{ "Subject: Money for free\n\nHi.\n",
	  "t/spam@19-23 spam-like: 'free' (+1.50), 'money' (+1.00)\n"
	  "u/count@19-23 'free' (+1.50), 'money' (+1.00) = 2.5 at 'free'",
	  35, 23, 35 },
	/* ham-like words: in the note, and they lower the sum */
	{ "Subject: Free money, thanks\n\nHi.\n",
	  "t/spam@9-13 spam-like: 'free' (+1.50), 'money' (+1.00) "
	  "(summed weight +2.50 with 1 more spam-like word: 'free money' (+0.50); "
	  "and ham-like word: 'thanks' (-0.50))\n"
	  "u/count@9-13 'free' (+1.50), 'money' (+1.00), 'free money' (+0.50) = 2.5 at 'Free' "
	  "(summed weight +2.50 with ham-like word: 'thanks' (-0.50))",
	  35, 23, 35 },
	/* a sum of 0.5 is not over report_min 1: no diagnostic, but it counts */
	{ "Subject: Thanks for the meeting, free money\n\nHi.\n",
	  "u/count@33-37 'free' (+1.50), 'money' (+1.00), 'free money' (+0.50) = 0.5 at 'free' "
	  "(summed weight +0.50 with ham-like words: 'meeting' (-2.00), 'thanks' (-0.50))",
	  3, 23, 3 },
	/* a negative sum lowers the group's other findings (1 - 1.75 < 0) */
	{ "Subject: Thanks for the meeting!!\n\nHi.\n", "t/bang@31-33 bangs", 0, 0, 0 },
	{ "Subject: Thanks for the meeting\n\nHi.\n", "", 0, 0, 0 },
	/* no weighted token: nothing */
	{ "Subject: Your March statement is ready\n\nHi.\n", "", 0, 0, 0 },
	/* the sum exactly at report_min is not over it */
	{ "Subject: money\n\nHi.\n",
	  "u/count@9-14 'money' (+1.00) = 1 at 'money'", 8, 23, 8 },
	/* inside an encoded word: inexact, with the decoded text */
	{ "Subject: =?utf-8?q?free_money?=\n\nHi.\n",
	  "t/spam@9-31~ spam-like: 'free' (+1.50), 'money' (+1.00) (decoded text: 'free') "
	  "(summed weight +3.00 with 1 more spam-like word: 'free money' (+0.50))\n"
	  "u/count@9-31~ 'free' (+1.50), 'money' (+1.00), 'free money' (+0.50) = 3 at 'free' "
	  "(decoded text: 'free')",
	  48, 23, 48 },
	/* a reply prefix is not a token */
	{ "Subject: Re: free\n\nHi.\n",
	  "t/spam@13-17 spam-like: 'free' (+1.50)\nu/count@13-17 'free' (+1.50) = 1.5 at 'free'",
	  14, 23, 14 },
};

static int has_prefix(const char *rule)
{
	return !strncmp(rule, "t/", 2) || !strncmp(rule, "u/", 2) || !strncmp(rule, "v/", 2);
}

static void test_diagnostics(sl_context *ctx)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		sl_result *r;
		const char *in = cases[i].input;
		if (sl_lint(&r, ctx, "t.eml", (const unsigned char *)in, strlen(in))) {
			T_CHECK(0, "lint failed");
			continue;
		}
		char got[4096];
		size_t n = 0;
		got[0] = 0;
#define ADD(...) n += (size_t)snprintf(got + n, n < sizeof got ? sizeof got - n : 0, __VA_ARGS__)
		for (size_t k = 0; k < sl_result_count(r); k++) {
			const sl_diag *d = sl_result_diag(r, k);
			if (!has_prefix(d->rule))
				continue;
			ADD("%s%s@%zu-%zu%s %s", n ? "\n" : "", d->rule, d->offset, d->end_offset,
			    d->exact ? "" : "~", d->message);
			for (size_t j = 0; j < d->nnotes; j++)
				ADD(" (%s)", d->notes[j]);
		}
#undef ADD
		T_CHECK(!strcmp(got, cases[i].want), "case %zu: got\n%s\nwant\n%s", i, got,
		        cases[i].want);
		char what[64];
		snprintf(what, sizeof what, "case %zu score t", i);
		T_EQ(sl_result_score(r, "t"), cases[i].t, what);
		snprintf(what, sizeof what, "case %zu score u", i);
		T_EQ(sl_result_score(r, "u"), cases[i].u, what);
		snprintf(what, sizeof what, "case %zu score v", i);
		T_EQ(sl_result_score(r, "v"), cases[i].v, what);
		sl_result_free(r);
	}
}

/* A shown value rule's diagnostic weighs what it added. */
static void test_diag_weight(sl_context *ctx)
{
	static const char in[] = "Subject: FREE money!!\n\nHi.\n";
	sl_result *r;
	if (sl_lint(&r, ctx, "t.eml", (const unsigned char *)in, strlen(in))) {
		T_CHECK(0, "lint failed");
		return;
	}
	for (size_t k = 0; k < sl_result_count(r); k++) {
		const sl_diag *d = sl_result_diag(r, k);
		if (!strcmp(d->rule, "t/spam"))
			T_CHECK(d->weight == 4.25, "t/spam weight %g", d->weight);
		if (!strcmp(d->rule, "u/count"))
			T_CHECK(d->weight == 2, "u/count weight %g", d->weight);
	}
	sl_result_free(r);
}

/* --- score: excess ---------------------------------------------------------- */

/* x: the hinge at report_min; y: at score_min 0.5 below it, so a unit
 * between the two counts without a diagnostic; z: the same per sentence
 * (the units' excesses add up). */
static const struct {
	const char *rel, *body;
} xfiles[] = {
	{ "x/w.tsv", weights },
	{ "x/hinge.yml", "kind: tokens\nscope: subject\nweights: w.tsv\nscore: excess\n"
	  "report_min: 1\nmessage: \"{tokens}\"\n" COMMON },
	{ "y/low.yml", "kind: tokens\nscope: subject\nweights: ../x/w.tsv\nscore: excess\n"
	  "report_min: 1\nscore_min: 0.5\nmessage: \"{tokens}\"\n" COMMON },
	{ "z/sent.yml", "kind: tokens\nscope: sentence\nweights: ../x/w.tsv\nscore: excess\n"
	  "report_min: 1\nscore_min: 0.5\nmessage: \"{tokens}\"\n" COMMON },
};

static const struct {
	const char *input;
	int nx, ny;                   /* diagnostics of x/hinge, y/low */
	double wx, wy;                /* their weights (what they added), or 0 */
	int x, y, z;                  /* the scores of groups x, y, z (S 0.5 -> 3, 1 -> 8) */
} xcases[] = {
	/* sum 1: not over report_min; y counts 1 - 0.5 without a diagnostic */
	{ "Subject: money\n\nHi.\n", 0, 0, 0, 0, 0, 3, 0 },
	/* sum 1.5: reported by both, x adds 0.5, y 1 */
	{ "Subject: free\n\nHi.\n", 1, 1, 0.5, 1, 3, 8, 0 },
	/* sum 0.5: at score_min, nothing */
	{ "Subject: money, thanks\n\nHi.\n", 0, 0, 0, 0, 0, 0, 0 },
	/* a negative sum: nothing, never below 0 */
	{ "Subject: thanks for the meeting\n\nHi.\n", 0, 0, 0, 0, 0, 0, 0 },
	/* two sentences of sum 1: no diagnostic; of the units not reported
	 * only the largest excess counts (0.5, not 0.5 + 0.5) */
	{ "Subject: Hello\n\nMoney here. Money there.\n", 0, 0, 0, 0, 0, 0, 3 },
};

static void test_excess(void)
{
	char dir[600];
	snprintf(dir, sizeof dir, "%s/excess", top);
	for (size_t i = 0; i < sizeof xfiles / sizeof *xfiles; i++)
		write_at(dir, xfiles[i].rel, xfiles[i].body);
	sl_context *ctx = load(dir);
	T_CHECK(ctx != NULL, "excess context");
	if (!ctx)
		return;
	for (size_t i = 0; i < sizeof xcases / sizeof *xcases; i++) {
		sl_result *r;
		const char *in = xcases[i].input;
		if (sl_lint(&r, ctx, "t.eml", (const unsigned char *)in, strlen(in))) {
			T_CHECK(0, "lint failed");
			continue;
		}
		int nx = 0, ny = 0, nz = 0;
		double wx = 0, wy = 0;
		for (size_t k = 0; k < sl_result_count(r); k++) {
			const sl_diag *d = sl_result_diag(r, k);
			if (!strcmp(d->rule, "x/hinge")) {
				nx++;
				wx += d->weight;
			} else if (!strcmp(d->rule, "y/low")) {
				ny++;
				wy += d->weight;
			} else if (!strcmp(d->rule, "z/sent")) {
				nz++;
			}
		}
		char what[64];
		snprintf(what, sizeof what, "excess case %zu x diagnostics", i);
		T_EQ(nx, xcases[i].nx, what);
		snprintf(what, sizeof what, "excess case %zu y diagnostics", i);
		T_EQ(ny, xcases[i].ny, what);
		snprintf(what, sizeof what, "excess case %zu z diagnostics", i);
		T_EQ(nz, 0, what);
		T_CHECK(wx == xcases[i].wx && wy == xcases[i].wy,
		        "excess case %zu: weights %g, %g, want %g, %g", i, wx, wy, xcases[i].wx,
		        xcases[i].wy);
		snprintf(what, sizeof what, "excess case %zu score x", i);
		T_EQ(sl_result_score(r, "x"), xcases[i].x, what);
		snprintf(what, sizeof what, "excess case %zu score y", i);
		T_EQ(sl_result_score(r, "y"), xcases[i].y, what);
		snprintf(what, sizeof what, "excess case %zu score z", i);
		T_EQ(sl_result_score(r, "z"), xcases[i].z, what);
		sl_result_free(r);
	}
	sl_context_free(ctx);
}

/* --- load errors ------------------------------------------------------------ */

static const char bad_tsv[] =
	"# comments first\n"
	"ok\t1\n"
	"no tab here\n"
	"\t2\n"
	"Free\t1\n"
	"dup\t1\n"
	"dup\t2\n"
	"x\tabc\n"
	"y\t1e9\n"
	"z\t1\t2\n"
	" pad\t1\n"
	"\xC3\x89t\xC3\xA9 \xC3\xA0\tx\n";

static const struct {
	const char *yaml, *want;  /* want: every error line, in order */
} bad[] = {
	{ "kind: tokens\nscope: subject\nweights: bad.tsv\nmessage: x\n" COMMON,
	  "b/bad.tsv:3:1: error: expected a token, a tab and a weight\n"
	  "b/bad.tsv:4:1: error: empty token\n"
	  "b/bad.tsv:5:1: error: token 'Free' never matches: tokens are case-folded ('free')\n"
	  "b/bad.tsv:7:1: error: duplicate token 'dup' (first on line 6)\n"
	  "b/bad.tsv:8:3: error: invalid weight 'abc'\n"
	  "b/bad.tsv:9:3: error: weight '1e9' out of range (at most 100 either way)\n"
	  "b/bad.tsv:10:3: error: expected a token, a tab and a weight (found more than one tab)\n"
	  "b/bad.tsv:11:1: error: a token does not start or end with a space\n"
	  "b/bad.tsv:12:7: error: invalid weight 'x'\n" },
	{ "kind: tokens\nscope: subject\nmessage: x\n" COMMON,
	  "b/x.yml: error: a tokens rule needs 'weights' (a file of token<TAB>weight lines)\n" },
	{ "kind: tokens\nscope: subject\nweights: nope.tsv\nmessage: x\n" COMMON,
	  "b/x.yml:3:10: error: cannot read the weights file 'b/nope.tsv': No such file or directory\n" },
	{ "kind: tokens\nscope: raw\nweights: ok.tsv\nscore: values\nmax_listed: 0\n"
	  "report_min: high\nmessage: \"{tokens} {ham}\"\n" COMMON,
	  "b/x.yml:2:8: error: scope 'raw' is not allowed for a tokens rule\n"
	  "b/x.yml:4:8: error: invalid value 'values' for 'score' (expected value, excess or count)\n"
	  "b/x.yml:5:13: error: max_listed must be a whole number from 1 to 50\n"
	  "b/x.yml:6:13: error: expected a number, found 'high'\n"
	  "b/x.yml:7:20: error: unknown placeholder '{ham}' in message\n" },
	{ "kind: tokens\nscope: subject\nweights: ok.tsv\nscore: value\nscore_min: 0\n"
	  "message: x\n" COMMON,
	  "b/x.yml:5:12: error: 'score_min' needs 'score: excess'\n" },
	{ "kind: tokens\nscope: subject\nweights: ok.tsv\nscore: excess\nscore_min: low\n"
	  "message: x\n" COMMON,
	  "b/x.yml:5:12: error: expected a number, found 'low'\n" },
	{ "kind: regex\nscope: subject\npattern: a\nscore: value\nmessage: x\n" COMMON,
	  "b/x.yml:4:1: error: unknown key 'score' (did you mean 'scope'?)\n" },
};

/* The error lines of msg (not the source and caret lines), with every
 * dir + "/" cut. */
static void error_lines(const char *msg, const char *dir, char *out, size_t size)
{
	size_t n = 0, dl = strlen(dir);
	out[0] = 0;
	while (*msg && n + 1 < size) {
		size_t k = strcspn(msg, "\n");
		if (msg[0] != ' ' && k) {
			for (size_t i = 0; i < k && n + 1 < size; i++) {
				if (i + dl < k && !strncmp(msg + i, dir, dl) && msg[i + dl] == '/') {
					i += dl;
					continue;
				}
				out[n++] = msg[i];
			}
			out[n++] = '\n';
			out[n] = 0;
		}
		msg += k + (msg[k] == '\n');
	}
}

static void test_load_errors(void)
{
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char dir[600];
		snprintf(dir, sizeof dir, "%s/bad%zu", top, i);
		write_at(dir, "b/bad.tsv", bad_tsv);
		write_at(dir, "b/ok.tsv", "ok\t1\n");
		write_at(dir, "b/x.yml", bad[i].yaml);
		const char *rd[1] = { dir };
		sl_options o;
		memset(&o, 0, sizeof o);
		o.rule_dirs = rd;
		o.nrule_dirs = 1;
		sl_context *ctx;
		int rc = sl_context_new(&ctx, &o);
		T_EQ(rc, SL_ERULES, "bad rule rc");
		char got[4096];
		error_lines(sl_context_errmsg(ctx), dir, got, sizeof got);
		T_CHECK(!strcmp(got, bad[i].want), "load errors %zu: got\n%s\nwant\n%s", i, got,
		        bad[i].want);
		sl_context_free(ctx);
	}
	/* the caret is under the weight in the TSV line */
	char dir[600];
	snprintf(dir, sizeof dir, "%s/bad0", top);
	const char *rd[1] = { dir };
	sl_options o;
	memset(&o, 0, sizeof o);
	o.rule_dirs = rd;
	o.nrule_dirs = 1;
	sl_context *ctx;
	sl_context_new(&ctx, &o);
	const char *m = strstr(sl_context_errmsg(ctx), "invalid weight 'abc'\n");
	T_CHECK(m && !strncmp(m + 21, "    8 | x\tabc\n      |  \t^~~\n", 28),
	        "caret under the weight: %s", m ? m : "(none)");
	sl_context_free(ctx);
}

int main(void)
{
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 2;
	}
	sl_context *plain = load(NULL);
	T_CHECK(plain != NULL, "context without rules");
	if (plain) {
		test_token_lists(plain);
		sl_context_free(plain);
	}
	char dir[600];
	snprintf(dir, sizeof dir, "%s/rules", top);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++)
		write_at(dir, files[i].rel, files[i].body);
	sl_context *ctx = load(dir);
	T_CHECK(ctx != NULL, "context");
	if (ctx) {
		test_diagnostics(ctx);
		test_diag_weight(ctx);
		sl_context_free(ctx);
	}
	test_excess();
	test_load_errors();
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("note: could not remove %s\n", top);
	return t_done();
}
