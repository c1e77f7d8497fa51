/*
 * check.c - the rule-authoring commands: run the rules' examples
 * (--check-rules), list the rules (--list-rules), explain one (--explain).
 *
 * In: a loaded context.  Out: text appended to a caller-owned sl_strbuf.
 * Each example is turned into a small input (see example_input) and
 * linted with only its rule switched on -- a shallow copy of the context
 * whose `only` mask says so, sharing the rules and the speller -- and the
 * rule's hits are counted.  Limits: examples are shown shortened to
 * EX_SHOW code points.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define EX_SHOW 60

/* --- examples as inputs ---------------------------------------------- */

/* Does s open with a header field and hold a blank line (a message)? */
static int looks_like_message(const char *s)
{
	size_t i = 0;
	while (s[i] && s[i] != ':' && s[i] > ' ' && s[i] <= '~')
		i++;
	if (i == 0 || s[i] != ':')
		return 0;
	return strstr(s, "\n\n") || strstr(s, "\r\n\r\n");
}

static int looks_like_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8) ||
	       !strncmp(s, "mailto:", 7) || strstr(s, "://") != NULL;
}

/* s with & < > " as entities. */
static void add_escaped(sl_out *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': out_adds(o, "&amp;"); break;
		case '<': out_adds(o, "&lt;"); break;
		case '>': out_adds(o, "&gt;"); break;
		case '"': out_adds(o, "&quot;"); break;
		default: out_addc(o, *s);
		}
	}
}

static int ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a;
		int y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* The input an example stands for, and the file name it is linted as:
 *   "<..."               an HTML template, as written
 *   "Field: ...\n\n..."  a message, as written
 *   otherwise by the rule's scope:
 *     subject            Subject: EX / blank line / a body
 *     header:NAME        NAME: EX in a minimal message
 *     preheader          an HTML template whose first element is a
 *                        hidden div holding EX
 *     title, heading     <title>EX</title>, <h1>EX</h1>
 *     link               EX if it holds "<a", else a link whose href is EX
 *                        (when EX is a URL) or whose text is EX
 *     alt                <img alt="EX">
 *     everything else    a plain text template "EX\n" */
static const char *example_input(sl_out *o, const sl_rule *rule, const char *ex)
{
	static const char html_head[] = "<!DOCTYPE html>\n<html><head>";
	static const char body[] = "Hello.\n";
	const char *s = ex;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '<') {
		out_adds(o, ex);
		return "example.html";
	}
	if (looks_like_message(ex)) {
		out_adds(o, ex);
		return "example.eml";
	}
	switch (rule->scope) {
	case SL_SC_SUBJECT:
		out_addf(o, "MIME-Version: 1.0\nSubject: %s\n\n%s", ex, body);
		return "example.eml";
	case SL_SC_HEADER:
		if (!ieq(rule->header, "mime-version"))
			out_adds(o, "MIME-Version: 1.0\n");
		out_addf(o, "%s: %s\n\n%s", rule->header, ex, body);
		return "example.eml";
	case SL_SC_PREHEADER:
		out_addf(o, "%s<title>Example</title></head><body>\n"
		         "<div class=\"preheader\" style=\"display:none;max-height:0;overflow:hidden\">",
		         html_head);
		add_escaped(o, ex);
		out_adds(o, "</div>\n<p>Hello.</p>\n</body></html>\n");
		return "example.html";
	case SL_SC_TITLE:
		out_addf(o, "%s<title>", html_head);
		add_escaped(o, ex);
		out_adds(o, "</title></head><body>\n<p>Hello.</p>\n</body></html>\n");
		return "example.html";
	case SL_SC_HEADING:
		out_addf(o, "%s</head><body>\n<h1>", html_head);
		add_escaped(o, ex);
		out_adds(o, "</h1>\n<p>Hello.</p>\n</body></html>\n");
		return "example.html";
	case SL_SC_LINK:
		out_addf(o, "%s</head><body>\n<p>", html_head);
		if (strstr(ex, "<a")) {
			out_adds(o, ex);
		} else if (looks_like_url(ex)) {
			out_adds(o, "<a href=\"");
			add_escaped(o, ex);
			out_adds(o, "\">Read more</a>");
		} else {
			out_adds(o, "<a href=\"https://example.com/\">");
			add_escaped(o, ex);
			out_adds(o, "</a>");
		}
		out_adds(o, "</p>\n</body></html>\n");
		return "example.html";
	case SL_SC_ALT:
		out_addf(o, "%s</head><body>\n<p><img src=\"https://example.com/a.png\" "
		         "width=\"600\" height=\"200\" alt=\"", html_head);
		add_escaped(o, ex);
		out_adds(o, "\"></p>\n</body></html>\n");
		return "example.html";
	default:
		out_addf(o, "%s\n", ex);
		return "example.txt";
	}
}

/* --- running --------------------------------------------------------- */

/* The node of the i-th example of a list (match or nomatch). */
static const sl_ynode *example_node(const sl_rule *rule, const char *key, size_t i)
{
	const sl_ynode *m = rule->ex_node;
	if (!m || m->type != SL_Y_MAP)
		return NULL;
	for (size_t k = 0; k + 1 < m->n; k += 2) {
		const sl_ynode *key_node = m->item[k], *v = m->item[k + 1];
		if (strcmp(key_node->str, key))
			continue;
		if (v->type == SL_Y_SCALAR)
			return v;
		if (v->type == SL_Y_SEQ && i < v->n)
			return v->item[i];
	}
	return m;
}

/* The example as one line: escapes for line breaks and tabs, shortened. */
static void add_example(sl_out *o, const char *ex)
{
	size_t cps = 0;
	for (const char *p = ex; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c & 0xC0) != 0x80 && cps++ == EX_SHOW) {
			out_adds(o, "...");
			return;
		}
		if (c == '\n')
			out_adds(o, "\\n");
		else if (c == '\r')
			out_adds(o, "\\r");
		else if (c == '\t')
			out_adds(o, "\\t");
		else if (c < 0x20 || c == 0x7F)
			out_addf(o, "\\x%02x", c);
		else
			out_addc(o, (char)c);
	}
}

static void report_at(sl_out *o, const sl_rule *rule, const sl_ynode *at,
                      const char *level)
{
	if (at && at->file)
		out_addf(o, "%s:%zu:%zu: %s: ", rule->path, at->line, at->col, level);
	else
		out_addf(o, "%s: %s: ", rule->path, level);
}

typedef struct checker {
	const sl_context *ctx;
	sl_context copy;       /* ctx with `only` set */
	unsigned char *only;
	sl_out *o;
	size_t passed, failed;
	int err;
} checker;

/* Hits of rule in one linted example; -1 when out of memory. */
static long example_hits(checker *c, const sl_rule *rule, const char *ex)
{
	sl_strbuf in = { 0 };
	sl_out io = { &in, 0 };
	const char *name = example_input(&io, rule, ex);
	if (io.err) {
		sl_strbuf_release(&in);
		return -1;
	}
	sl_result *r;
	int rc = sl_lint(&r, &c->copy, name, (const unsigned char *)(in.buf ? in.buf : ""),
	                 in.len);
	if (rc) {
		sl_strbuf_release(&in);
		return -1;
	}
	long hits = 0;
	if (r->rule_hits) {
		hits = (long)r->rule_hits[rule->index];
	} else {
		/* an engine that does not count: the reported diagnostics */
		for (size_t i = 0; i < r->ndiag; i++)
			hits += !strcmp(r->diag[i].rule, rule->id);
	}
	sl_result_free(r);
	sl_strbuf_release(&in);
	return hits;
}

static void check_list(checker *c, const sl_rule *rule, const char *const *ex,
                       size_t n, int want)
{
	for (size_t i = 0; i < n && !c->err; i++) {
		long hits = example_hits(c, rule, ex[i]);
		if (hits < 0) {
			c->err = SL_ENOMEM;
			return;
		}
		if ((hits > 0) == want) {
			c->passed++;
			continue;
		}
		c->failed++;
		const sl_ynode *at = example_node(rule, want ? "match" : "nomatch", i);
		report_at(c->o, rule, at, "error");
		out_adds(c->o, "example '");
		add_example(c->o, ex[i]);
		out_addf(c->o, "' should %s %s but did%s\n", want ? "match" : "not match",
		         rule->id, want ? " not" : "");
		if (at)
			yaml_caret(c->o, at);
	}
}

static int in_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) && path[n] == '/';
}

static void check_rule(checker *c, const sl_rule *rule)
{
	const sl_context *ctx = c->ctx;
	/* a meta rule needs the rules it refers to: switch every rule on */
	memset(c->only, rule->kind == SL_RK_META, ctx->nrule);
	c->only[rule->index] = 1;
	int shipped = ctx->opts.default_rules && in_dir(rule->path, ctx->opts.default_rules);
	if (!rule->nex_match || !rule->nex_nomatch) {
		const char *what = !rule->nex_match && !rule->nex_nomatch ? "examples" :
		                   !rule->nex_match ? "'match' examples" : "'nomatch' examples";
		report_at(c->o, rule, NULL, shipped ? "error" : "warning");
		out_addf(c->o, "rule %s has no %s\n", rule->id, what);
		if (shipped)
			c->failed++;
	}
	check_list(c, rule, rule->ex_match, rule->nex_match, 1);
	check_list(c, rule, rule->ex_nomatch, rule->nex_nomatch, 0);
}

int sl_check_rules_dir(const sl_context *ctx, const char *dir, sl_strbuf *out,
                       size_t *failed)
{
	sl_out o = { out, 0 };
	checker c;
	memset(&c, 0, sizeof c);
	c.ctx = ctx;
	c.copy = *ctx;
	c.o = &o;
	c.only = calloc(ctx->nrule ? ctx->nrule : 1, 1);
	if (!c.only)
		return SL_ENOMEM;
	c.copy.only = c.only;
	for (size_t i = 0; i < ctx->nrule && !c.err; i++) {
		const sl_rule *rule = ctx->rule[i];
		if (!rule->enabled || (dir && !in_dir(rule->path, dir)))
			continue;
		check_rule(&c, rule);
	}
	free(c.only);
	out_addf(&o, "%zu passed, %zu failed\n", c.passed, c.failed);
	*failed = c.failed;
	return c.err ? c.err : o.err;
}

int sl_check_rules(const sl_context *ctx, sl_strbuf *out, size_t *failed)
{
	return sl_check_rules_dir(ctx, NULL, out, failed);
}

/* --- listing and explaining ------------------------------------------ */

static const char *const sev_names[] = { "note", "warning", "error" };

/* The first line of s, without trailing blanks. */
static size_t first_line(const char *s)
{
	size_t n = strcspn(s, "\n");
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

int sl_list_rules(const sl_context *ctx, sl_strbuf *out)
{
	sl_out o = { out, 0 };
	int wid = 0, wgr = 0, wsev = 0, wkind = 0;
	for (size_t i = 0; i < ctx->nrule; i++) {
		const sl_rule *r = ctx->rule[i];
		int n = (int)strlen(r->id);
		wid = n > wid ? n : wid;
		n = (int)strlen(r->group);
		wgr = n > wgr ? n : wgr;
		n = (int)strlen(r->enabled ? sev_names[r->severity] : "off");
		wsev = n > wsev ? n : wsev;
		n = (int)strlen(rule_kind_name(r->kind));
		wkind = n > wkind ? n : wkind;
	}
	for (size_t i = 0; i < ctx->nrule; i++) {
		const sl_rule *r = ctx->rule[i];
		const char *d = r->description ? r->description : "";
		out_addf(&o, "%-*s  %-*s  %-*s  %-*s  %.*s\n", wid, r->id, wgr, r->group,
		         wsev, r->enabled ? sev_names[r->severity] : "off",
		         wkind, rule_kind_name(r->kind), (int)first_line(d), d);
	}
	return o.err;
}

static void explain_examples(sl_out *o, const char *title, const char *const *ex,
                             size_t n)
{
	if (!n)
		return;
	out_addf(o, "\n%s\n", title);
	for (size_t i = 0; i < n; i++) {
		out_adds(o, "  ");
		add_example(o, ex[i]);
		out_addc(o, '\n');
	}
}

int sl_explain_rule(const sl_context *ctx, const char *id, sl_strbuf *out)
{
	const sl_rule *r = rules_find(ctx, id);
	if (!r) {
		const char *best = NULL;
		size_t bd = 3;
		for (size_t i = 0; i < ctx->nrule; i++) {
			size_t d = edit_distance(id, ctx->rule[i]->id, 2);
			if (d < bd) {
				bd = d;
				best = ctx->rule[i]->id;
			}
		}
		char buf[512];
		if (best)
			snprintf(buf, sizeof buf, "no rule '%s' (did you mean '%s'?)", id, best);
		else
			snprintf(buf, sizeof buf, "no rule '%s' (see --list-rules)", id);
		sl_context *m = (sl_context *)ctx;  /* the message slot only */
		char *msg = strdup(buf);
		if (!msg)
			return SL_ENOMEM;
		free(m->errmsg);
		m->errmsg = msg;
		return SL_EUSAGE;
	}
	sl_out o = { out, 0 };
	out_addf(&o, "%s\n", r->id);
	out_addf(&o, "  kind %s, scope %s%s%s, %s, group %s, weight %g%s\n",
	         rule_kind_name(r->kind), scope_name(r->scope),
	         r->scope == SL_SC_HEADER ? ":" : "",
	         r->scope == SL_SC_HEADER ? r->header : "",
	         r->enabled ? sev_names[r->severity] : "disabled",
	         r->group, r->weight, r->report ? "" : ", not reported (feeds meta rules)");
	out_addf(&o, "  file %s\n\n", r->path);
	const char *d = r->description ? r->description : "";
	out_adds(&o, d);
	if (*d && d[strlen(d) - 1] != '\n')
		out_addc(&o, '\n');
	if (r->message)
		out_addf(&o, "\nmessage: %s\n", r->message);
	if (r->suggest)
		out_addf(&o, "suggest: %s\n", r->suggest);
	if (r->fix_replace)
		out_addf(&o, "fix: replace with '%s'\n", r->fix_replace);
	else if (r->fix_action)
		out_addf(&o, "fix: %s\n", r->fix_action);
	explain_examples(&o, "matches:", r->ex_match, r->nex_match);
	explain_examples(&o, "does not match:", r->ex_nomatch, r->nex_nomatch);
	if (r->link)
		out_addf(&o, "\nsee %s\n", r->link);
	return o.err;
}
