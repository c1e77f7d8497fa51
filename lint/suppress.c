/*
 * suppress.c - inline suppressions: comments in a template that silence
 * diagnostics.
 *
 * In: r->doc.comment (HTML <!-- --> and template {# #} / {{!-- --}} / {{! }}
 * comments, text trimmed, span = the whole comment) and r->diag.  Out:
 * r->diag without the suppressed diagnostics, plus sendlint/... warnings
 * about the suppressions themselves (those can never be suppressed).
 *
 * Directives (the comment's text must start with one):
 *   sendlint-disable-next-line [ID[, ID...]] -- reason
 *       diagnostics starting on the line after the comment's last line
 *   sendlint-disable-line [ID...] -- reason
 *       diagnostics starting on a line the comment is on
 *   sendlint-disable [ID...] -- reason
 *       diagnostics starting after the comment, up to a matching
 *       sendlint-enable or the end of the file
 *   sendlint-enable [ID...]
 *       ends the open disables: all of them without IDs; with IDs, the
 *       disabled IDs equal to one of them or under one ending in "/"
 *       (an ID-less "disable everything" is only ended by an ID-less enable)
 * IDs are separated by commas or spaces: a rule id, a group ("tone"), or an
 * id prefix ending in "/" ("tone/"); no ID means every rule.  Reported:
 *   sendlint/suppression-without-reason  a disable with no " -- reason"
 *   sendlint/unknown-rule   an ID that names no loaded rule, group or prefix
 *                           (input/... ids and the group "input" are known)
 *   sendlint/unused-suppression  an ID (or an ID-less directive) that
 *                           suppressed nothing, when some enabled rule could
 *                           have been reported there
 *   sendlint/bad-suppression  a comment opening with "sendlint-" that is
 *                           no directive (a typo would silently do nothing)
 * Limits: at most lim.diagnostics IDs in all (an ID-less directive counts
 * one) are honoured per file -- each one that suppresses nothing costs a
 * diagnostic, so more could never all be shown; past it the rest of the
 * comments are ignored and input/limit-suppressions is reported once.  The
 * work is then bounded by IDs x diagnostics.
 */
#include <stdlib.h>

#include "internal.h"

enum { SUP_NEXT_LINE, SUP_LINE, SUP_RANGE, SUP_ENABLE, SUP_BAD };

typedef struct sup_item {
	const char *id;         /* NULL: every rule */
	size_t to;              /* SUP_RANGE: end offset (SIZE_MAX = open) */
	int used;
} sup_item;

typedef struct sup {
	int kind;
	const sl_comment *c;
	size_t line0, line1;    /* lines the comment is on (0-based) */
	sup_item *item;
	size_t nitem;
	int reason;
} sup;

static const struct {
	const char *word;
	int kind;
} directives[] = {
	/* longest first: "sendlint-disable" is a prefix of the others */
	{ "sendlint-disable-next-line", SUP_NEXT_LINE },
	{ "sendlint-disable-line", SUP_LINE },
	{ "sendlint-disable", SUP_RANGE },
	{ "sendlint-enable", SUP_ENABLE },
};

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* 0-based line of a file offset. */
static size_t line_of(const sl_result *r, size_t off)
{
	size_t lo = 0, hi = r->nline;
	if (hi == 0)
		return 0;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->line[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Which directive the text opens with; *rest gets what follows it. */
static int directive_of(sl_str t, sl_str *rest)
{
	if (!str_iprefix(t, "sendlint-"))
		return -1;
	for (size_t i = 0; i < sizeof directives / sizeof *directives; i++) {
		size_t n = strlen(directives[i].word);
		if (t.len >= n && !memcmp(t.p, directives[i].word, n) &&
		    (t.len == n || is_space((unsigned char)t.p[n]) || t.p[n] == ',')) {
			rest->p = t.p + n;
			rest->len = t.len - n;
			return directives[i].kind;
		}
	}
	return SUP_BAD;
}

/* Split "ID, ID ... -- reason" into items and the reason flag. */
static void parse_items(sl_result *r, sup *s, sl_str rest)
{
	const char *p = rest.p, *end = rest.p + rest.len;
	const char *stop = end;
	/* the reason starts at a "--" standing alone (after a space or at
	 * the start of the list) */
	for (const char *q = p; q + 1 < end; q++)
		if (q[0] == '-' && q[1] == '-' && (q == p || is_space((unsigned char)q[-1])) &&
		    (q + 2 == end || is_space((unsigned char)q[2]))) {
			stop = q;
			sl_str why = str_trim((sl_str){ q + 2, (size_t)(end - q - 2) });
			s->reason = why.len > 0;
			break;
		}
	size_t n = 0;
	for (const char *q = p; q < stop;) {
		while (q < stop && (is_space((unsigned char)*q) || *q == ','))
			q++;
		if (q == stop)
			break;
		while (q < stop && !is_space((unsigned char)*q) && *q != ',')
			q++;
		n++;
	}
	s->nitem = n ? n : 1;
	s->item = arena_array(&r->arena, s->nitem, sizeof *s->item);
	s->item[0] = (sup_item){ NULL, SIZE_MAX, 0 };
	n = 0;
	for (const char *q = p; q < stop;) {
		while (q < stop && (is_space((unsigned char)*q) || *q == ','))
			q++;
		if (q == stop)
			break;
		const char *w = q;
		while (q < stop && !is_space((unsigned char)*q) && *q != ',')
			q++;
		s->item[n++] = (sup_item){ arena_strndup(&r->arena, w, (size_t)(q - w)),
		                           SIZE_MAX, 0 };
	}
}

static int ends_with_slash(const char *id)
{
	size_t n = strlen(id);
	return n && id[n - 1] == '/';
}

static int has_prefix(const char *s, const char *pre)
{
	return !strncmp(s, pre, strlen(pre));
}

/* Does item id cover a diagnostic (or rule) with this id and group? */
static int covers(const char *id, const char *rule, const char *group)
{
	if (!id)
		return 1;
	if (!strcmp(id, rule) || (group && !strcmp(id, group)))
		return 1;
	return ends_with_slash(id) && has_prefix(rule, id);
}

static int is_input_id(const char *id)
{
	return !strcmp(id, "input") || has_prefix(id, "input/");
}

static int is_sendlint_id(const char *id)
{
	return !strcmp(id, "sendlint") || has_prefix(id, "sendlint/");
}

/* 1: a loaded rule, group or prefix; 0: unknown.  *enabled: some enabled
 * rule falls under it (or it names input diagnostics). */
static int known_id(const sl_context *ctx, const char *id, int *enabled)
{
	*enabled = 0;
	if (!id) {
		*enabled = 1;
		return 1;
	}
	if (is_input_id(id)) {
		*enabled = 1;
		return 1;
	}
	int known = 0;
	for (size_t i = 0; ctx && i < ctx->nrule; i++) {
		const sl_rule *ru = ctx->rule[i];
		if (covers(id, ru->id, ru->group)) {
			known = 1;
			if (rule_on(ctx, ru))
				*enabled = 1;
		}
	}
	return known;
}

static int sup_cmp(const void *a, const void *b)
{
	const sup *x = a, *y = b;
	if (x->c->span.off != y->c->span.off)
		return x->c->span.off < y->c->span.off ? -1 : 1;
	return 0;
}

/* Parse every directive comment, in file order.  Returns the count. */
static size_t collect(sl_result *r, sup **out)
{
	sl_doc *d = &r->doc;
	sup *s = arena_array(&r->arena, d->ncomment ? d->ncomment : 1, sizeof *s);
	size_t n = 0, items = 0;
	for (size_t i = 0; i < d->ncomment; i++) {
		const sl_comment *c = &d->comment[i];
		sl_str rest;
		int kind = directive_of(str_trim(c->text), &rest);
		if (kind < 0)
			continue;
		sup *x = &s[n];
		memset(x, 0, sizeof *x);
		x->kind = kind;
		x->c = c;
		x->line0 = line_of(r, c->span.off);
		x->line1 = line_of(r, c->span.end > c->span.off ? c->span.end - 1 : c->span.off);
		if (kind != SUP_BAD)
			parse_items(r, x, rest);
		if (items + x->nitem > r->lim.diagnostics) {
			limit_reached(r, "suppressions", r->lim.diagnostics, c->span);
			break;
		}
		items += x->nitem;
		n++;
	}
	if (n > 1)
		qsort(s, n, sizeof *s, sup_cmp);
	*out = s;
	return n;
}

/* Give every disable item its end: the first enable after it that ends
 * it. */
static void close_ranges(sup *s, size_t n)
{
	for (size_t e = 0; e < n; e++) {
		if (s[e].kind != SUP_ENABLE)
			continue;
		int all = s[e].item[0].id == NULL;
		for (size_t k = 0; k < e; k++) {
			if (s[k].kind != SUP_RANGE)
				continue;
			for (size_t i = 0; i < s[k].nitem; i++) {
				sup_item *it = &s[k].item[i];
				if (it->to != SIZE_MAX)
					continue;
				int end = all;
				for (size_t j = 0; !end && it->id && j < s[e].nitem; j++)
					end = covers(s[e].item[j].id, it->id, NULL);
				if (end)
					it->to = s[e].c->span.off;
			}
		}
	}
}

/* Does directive x apply at a diagnostic at offset off on line ln? */
static int applies(const sup *x, size_t off, size_t ln)
{
	switch (x->kind) {
	case SUP_NEXT_LINE:
		return ln == x->line1 + 1;
	case SUP_LINE:
		return ln >= x->line0 && ln <= x->line1;
	case SUP_RANGE:
		return off >= x->c->span.end;
	default:
		return 0;
	}
}

/* Is diagnostic dg suppressed?  Marks every item that covers it. */
static int suppressed(const sl_result *r, sup *s, size_t n, const sl_diag *dg)
{
	if (is_sendlint_id(dg->rule))
		return 0;
	size_t ln = line_of(r, dg->offset);
	int hit = 0;
	for (size_t k = 0; k < n; k++) {
		if (!applies(&s[k], dg->offset, ln))
			continue;
		for (size_t i = 0; i < s[k].nitem; i++) {
			sup_item *it = &s[k].item[i];
			if (s[k].kind == SUP_RANGE && dg->offset >= it->to)
				continue;
			if (it->id && is_sendlint_id(it->id))
				continue;
			if (covers(it->id, dg->rule, dg->group)) {
				it->used = 1;
				hit = 1;
			}
		}
	}
	return hit;
}

static void report(sl_result *r, sup *s, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		sup *x = &s[k];
		sl_span sp = x->c->span;
		if (x->kind == SUP_BAD) {
			sl_str t = str_trim(x->c->text);
			size_t w = 0;
			while (w < t.len && !is_space((unsigned char)t.p[w]) && w < 64)
				w++;
			diag_add(r, "sendlint/bad-suppression", "sendlint", SL_WARNING, sp,
			         "unknown directive '%.*s'", (int)w, t.p);
			continue;
		}
		if (x->kind == SUP_ENABLE)
			continue;
		if (!x->reason)
			diag_add(r, "sendlint/suppression-without-reason", "sendlint",
			         SL_WARNING, sp, "suppression without a reason after ' -- '");
		for (size_t i = 0; i < x->nitem; i++) {
			const sup_item *it = &x->item[i];
			int enabled;
			if (it->id && is_sendlint_id(it->id)) {
				diag_add(r, "sendlint/unknown-rule", "sendlint", SL_WARNING, sp,
				         "'%s' cannot be suppressed", it->id);
				continue;
			}
			if (!known_id(r->ctx, it->id, &enabled)) {
				diag_add(r, "sendlint/unknown-rule", "sendlint", SL_WARNING, sp,
				         "unknown rule '%s' in suppression", it->id);
				continue;
			}
			if (it->used || !enabled)
				continue;
			if (it->id)
				diag_add(r, "sendlint/unused-suppression", "sendlint", SL_WARNING,
				         sp, "suppression of '%s' matches no diagnostic", it->id);
			else
				diag_add(r, "sendlint/unused-suppression", "sendlint", SL_WARNING,
				         sp, "suppression matches no diagnostic");
		}
	}
}

void suppress_apply(sl_result *r)
{
	sup *s;
	size_t n = collect(r, &s);
	if (n == 0)
		return;
	close_ranges(s, n);
	size_t keep = 0;
	for (size_t i = 0; i < r->ndiag; i++) {
		if (suppressed(r, s, n, &r->diag[i]))
			continue;
		if (keep != i)
			r->diag[keep] = r->diag[i];
		keep++;
	}
	r->ndiag = keep;
	report(r, s, n);
}
