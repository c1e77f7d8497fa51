/*
 * test_suppress.c - inline suppressions: next-line, line and range forms
 * in HTML and text templates, IDs as rule ids, groups and prefixes, and
 * the sendlint/... reports (unused, without reason, unknown rule, bad
 * directive), on hand-made comments and diagnostics.
 */
#include <stdlib.h>

#include "internal.h"
#include "t.h"

static sl_context *ctx;

static sl_rule *mk_rule(const char *id, const char *group, int enabled)
{
	sl_rule *r = arena_zalloc(&ctx->arena, sizeof *r);
	r->id = id;
	r->group = group;
	r->enabled = enabled;
	r->report = 1;
	r->cap = 1;
	r->weight = 1;
	return r;
}

/* Comments as html.c and text.c make them: <!-- --> and {# #}. */
static void find_comments(sl_result *r)
{
	static const struct {
		const char *open, *close;
	} kinds[] = { { "<!--", "-->" }, { "{#", "#}" } };
	const char *s = (const char *)r->src;
	for (size_t k = 0; k < 2; k++) {
		const char *p = s;
		while ((p = strstr(p, kinds[k].open))) {
			const char *in = p + strlen(kinds[k].open);
			const char *e = strstr(in, kinds[k].close);
			if (!e)
				break;
			sl_str t = str_trim((sl_str){ in, (size_t)(e - in) });
			sl_comment *c = doc_add_comment(r);
			c->text.p = arena_strndup(&r->arena, t.p, t.len);
			c->text.len = t.len;
			c->span.off = (size_t)(p - s);
			c->span.end = (size_t)(e + strlen(kinds[k].close) - s);
			c->span.exact = 1;
			p = e;
		}
	}
}

static size_t offset_of(const sl_result *r, size_t line, size_t col)
{
	return r->line[line - 1] + col - 1;
}

typedef struct {
	const char *what;
	const char *src;
	const char *diags;   /* "rule@line:col rule@line:col ..." */
	const char *want;    /* "line:col rule: message" lines */
} scase;

static const scase cases[] = {
	{ "next-line, html, used",
	  "<p>Hi</p>\n"
	  "<!-- sendlint-disable-next-line tone/per-our-policy -- legal wording -->\n"
	  "<p>Per our policy, no.</p>\n",
	  "tone/per-our-policy@3:4 tone/per-our-policy@1:4 subject/all-caps@3:8",
	  "1:4 tone/per-our-policy: d\n"
	  "3:8 subject/all-caps: d\n" },
	{ "next-line, unused",
	  "<!-- sendlint-disable-next-line tone/per-our-policy -- legal -->\n"
	  "<p>Fine.</p>\n"
	  "<p>Per our policy, no.</p>\n",
	  "tone/per-our-policy@3:4",
	  "1:1 sendlint/unused-suppression: suppression of 'tone/per-our-policy' "
	  "matches no diagnostic\n"
	  "3:4 tone/per-our-policy: d\n" },
	{ "without a reason",
	  "<!-- sendlint-disable-next-line tone/per-our-policy -->\n"
	  "<p>Per our policy, no.</p>\n",
	  "tone/per-our-policy@2:4",
	  "1:1 sendlint/suppression-without-reason: suppression without a reason "
	  "after ' -- '\n" },
	{ "an empty reason",
	  "<!-- sendlint-disable-next-line tone/per-our-policy --   -->\n"
	  "<p>Per our policy, no.</p>\n",
	  "tone/per-our-policy@2:4",
	  "1:1 sendlint/suppression-without-reason: suppression without a reason "
	  "after ' -- '\n" },
	{ "unknown rule",
	  "<!-- sendlint-disable-next-line tone/per-our-polcy -- typo -->\n"
	  "<p>Per our policy, no.</p>\n",
	  "tone/per-our-policy@2:4",
	  "1:1 sendlint/unknown-rule: unknown rule 'tone/per-our-polcy' in suppression\n"
	  "2:4 tone/per-our-policy: d\n" },
	{ "group and prefix",
	  "<!-- sendlint-disable-next-line tone -- quoting the customer -->\n"
	  "<p>Per our policy, as we explained, BIG.</p>\n"
	  "<!-- sendlint-disable-next-line subject/ -- brand -->\n"
	  "<p>BIG.</p>\n",
	  "tone/per-our-policy@2:4 tone/as-we-explained@2:20 subject/all-caps@2:37 "
	  "subject/all-caps@4:4",
	  "2:37 subject/all-caps: d\n" },
	{ "two ids, one unused",
	  "<!-- sendlint-disable-next-line tone/per-our-policy, subject/all-caps -- r -->\n"
	  "<p>Per our policy, no.</p>\n",
	  "tone/per-our-policy@2:4",
	  "1:1 sendlint/unused-suppression: suppression of 'subject/all-caps' "
	  "matches no diagnostic\n" },
	{ "ids separated by spaces",
	  "<!-- sendlint-disable-next-line tone/per-our-policy subject/all-caps -- r -->\n"
	  "<p>Per our policy, BIG.</p>\n",
	  "tone/per-our-policy@2:4 subject/all-caps@2:20",
	  "" },
	{ "disable-line",
	  "<p>Per our policy <!-- sendlint-disable-line tone/per-our-policy -- quoting --></p>\n"
	  "<p>Per our policy</p>\n",
	  "tone/per-our-policy@1:4 tone/per-our-policy@2:4",
	  "2:4 tone/per-our-policy: d\n" },
	{ "a range",
	  "<p>Per our policy</p>\n"
	  "<!-- sendlint-disable tone -- legal block -->\n"
	  "<p>Per our policy</p>\n"
	  "<p>As we explained</p>\n"
	  "<!-- sendlint-enable -->\n"
	  "<p>Per our policy</p>\n",
	  "tone/per-our-policy@1:4 tone/per-our-policy@3:4 tone/as-we-explained@4:4 "
	  "tone/per-our-policy@6:4",
	  "1:4 tone/per-our-policy: d\n"
	  "6:4 tone/per-our-policy: d\n" },
	{ "a range to the end of the file",
	  "<p>BIG</p>\n"
	  "<!-- sendlint-disable -- generated footer -->\n"
	  "<p>BIG</p>\n"
	  "<p>Per our policy</p>\n",
	  "subject/all-caps@1:4 subject/all-caps@3:4 tone/per-our-policy@4:4 "
	  "input/bad-base64@4:1",
	  "1:4 subject/all-caps: d\n" },
	{ "enable with ids ends only those",
	  "<!-- sendlint-disable tone/per-our-policy, subject/all-caps -- r -->\n"
	  "<p>Per our policy BIG</p>\n"
	  "<!-- sendlint-enable subject/all-caps -->\n"
	  "<p>Per our policy BIG</p>\n",
	  "tone/per-our-policy@2:4 subject/all-caps@2:19 tone/per-our-policy@4:4 "
	  "subject/all-caps@4:19",
	  "4:19 subject/all-caps: d\n" },
	{ "enable with a prefix",
	  "<!-- sendlint-disable tone/per-our-policy -- r -->\n"
	  "<p>Per our policy</p>\n"
	  "<!-- sendlint-enable tone/ -->\n"
	  "<p>Per our policy</p>\n",
	  "tone/per-our-policy@2:4 tone/per-our-policy@4:4",
	  "4:4 tone/per-our-policy: d\n" },
	{ "an unused range",
	  "<!-- sendlint-disable tone -- r -->\n"
	  "<p>BIG</p>\n"
	  "<!-- sendlint-enable -->\n"
	  "<p>Per our policy</p>\n",
	  "subject/all-caps@2:4 tone/per-our-policy@4:4",
	  "1:1 sendlint/unused-suppression: suppression of 'tone' matches no diagnostic\n"
	  "2:4 subject/all-caps: d\n"
	  "4:4 tone/per-our-policy: d\n" },
	{ "no id: every rule but sendlint/...",
	  "<!-- sendlint-disable-next-line -- imported text -->\n"
	  "<p>Per our policy BIG</p>\n",
	  "tone/per-our-policy@2:4 subject/all-caps@2:19 input/bad-base64@2:1 "
	  "sendlint/unknown-rule@2:1",
	  "2:1 sendlint/unknown-rule: d\n" },
	{ "no id, unused",
	  "<!-- sendlint-disable-next-line -- imported text -->\n"
	  "<p>Fine</p>\n",
	  "",
	  "1:1 sendlint/unused-suppression: suppression matches no diagnostic\n" },
	{ "text template",
	  "{# sendlint-disable-next-line subject/all-caps -- brand name #}\n"
	  "BIG SALE at ACME\n"
	  "ACME again\n",
	  "subject/all-caps@2:1 subject/all-caps@3:1",
	  "3:1 subject/all-caps: d\n" },
	{ "a comment over several lines",
	  "<!--\n"
	  "  sendlint-disable-next-line tone -- quoting\n"
	  "-->\n"
	  "<p>Per our policy</p>\n",
	  "tone/per-our-policy@4:4",
	  "" },
	{ "not a directive",
	  "<!-- sendlint-disabel tone -- r -->\n"
	  "<!-- a plain comment about sendlint -->\n"
	  "<p>Per our policy</p>\n",
	  "tone/per-our-policy@3:4",
	  "1:1 sendlint/bad-suppression: unknown directive 'sendlint-disabel'\n"
	  "3:4 tone/per-our-policy: d\n" },
	{ "a disabled rule is not unused",
	  "<!-- sendlint-disable-next-line bundling/off -- r -->\n"
	  "<p>x</p>\n",
	  "",
	  "" },
	{ "sendlint ids cannot be suppressed",
	  "<!-- sendlint-disable-next-line sendlint/unused-suppression -- r -->\n"
	  "<p>x</p>\n",
	  "sendlint/unused-suppression@2:1",
	  "1:1 sendlint/unknown-rule: 'sendlint/unused-suppression' cannot be suppressed\n"
	  "2:1 sendlint/unused-suppression: d\n" },
	{ "input ids",
	  "<!-- sendlint-disable-next-line input/bad-base64 -- known bad -->\n"
	  "<p>x</p>\n",
	  "input/bad-base64@2:1",
	  "" },
	{ "no comments",
	  "<p>Per our policy</p>\n",
	  "tone/per-our-policy@1:4",
	  "1:4 tone/per-our-policy: d\n" },
};

static const char *group_of(const char *rule)
{
	const char *slash = strchr(rule, '/');
	static char g[64];
	size_t n = slash ? (size_t)(slash - rule) : strlen(rule);
	snprintf(g, sizeof g, "%.*s", (int)n, rule);
	return g;
}

static const char *run_case(const scase *c, size_t limit)
{
	static char out[2048];
	sl_result *r = calloc(1, sizeof *r);
	arena_init(&r->arena, NULL);
	r->ctx = ctx;
	r->lim.diagnostics = limit;
	r->src = (const unsigned char *)c->src;
	r->len = strlen(c->src);
	r->name = "t.html";
	source_lines(r);
	find_comments(r);
	/* the diagnostics */
	const char *p = c->diags;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *at = strchr(p, '@');
		char rule[64];
		snprintf(rule, sizeof rule, "%.*s", (int)(at - p), p);
		size_t line = strtoul(at + 1, (char **)&p, 10), col = strtoul(p + 1, (char **)&p, 10);
		size_t off = offset_of(r, line, col);
		char *id = arena_strndup(&r->arena, rule, strlen(rule));
		diag_add(r, id, arena_strndup(&r->arena, group_of(rule), strlen(group_of(rule))),
		         SL_WARNING, (sl_span){ off, off + 1, 1 }, "d");
	}
	suppress_apply(r);
	diag_sort(r);
	size_t n = 0;
	out[0] = 0;
	for (size_t i = 0; i < r->ndiag; i++) {
		size_t line, col;
		source_linecol(r, r->diag[i].offset, &line, &col);
		n += (size_t)snprintf(out + n, sizeof out - n, "%zu:%zu %s: %s\n", line, col,
		                      r->diag[i].rule, r->diag[i].message);
	}
	arena_release(&r->arena);
	free(r);
	return out;
}

/* More IDs than the diagnostics limit: the rest are ignored, once. */
static void test_limit(void)
{
	static const scase c = {
		"limit",
		"<!-- sendlint-disable-next-line tone -- a -->\n"
		"<p>Per our policy</p>\n"
		"<!-- sendlint-disable-next-line tone, subject, tone/, subject/ -- b -->\n"
		"<p>Per our policy</p>\n",
		"tone/per-our-policy@2:4 tone/per-our-policy@4:4",
		NULL,
	};
	T_STREQ(run_case(&c, 4),
	        "3:1 input/limit-suppressions: suppressions limit of 4 reached; the rest "
	        "is not checked\n"
	        "4:4 tone/per-our-policy: d\n", "limit");
}

int main(void)
{
	ctx = calloc(1, sizeof *ctx);
	arena_init(&ctx->arena, NULL);
	sl_rule *rules[] = {
		mk_rule("bundling/off", "bundling", 0),
		mk_rule("subject/all-caps", "subject", 1),
		mk_rule("tone/as-we-explained", "tone", 1),
		mk_rule("tone/per-our-policy", "tone", 1),
	};
	ctx->rule = rules;
	ctx->nrule = sizeof rules / sizeof *rules;
	for (size_t i = 0; i < ctx->nrule; i++)
		rules[i]->index = (int)i;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		T_STREQ(run_case(&cases[i], 1000), cases[i].want, cases[i].what);
	test_limit();
	arena_release(&ctx->arena);
	free(ctx);
	return t_done();
}
