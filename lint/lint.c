/*
 * lint.c - the library entry points: contexts, sl_lint (the pipeline for
 * one file) and the result accessors.
 *
 * In: a context, a name and the file bytes.  Out: a result holding the
 * document, the diagnostics and the scores, all in one arena.  Limits:
 * input size (checked first: an oversized input gets one diagnostic and
 * nothing else is read).
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* Is p a part a reader sees as the message body (not an attachment, and
 * not inside one)? */
static int body_candidate(const sl_part *p)
{
	if (!p->has_text || strcmp(p->type, "text") ||
	    (strcmp(p->subtype, "html") && strcmp(p->subtype, "plain")))
		return 0;
	for (const sl_part *q = p; q; q = q->parent)
		if (q->attachment)
			return 0;
	return 1;
}

/* Is p inside a forwarded message (message/rfc822 below the root)?  Its
 * text is shown but is not the sender's own copy. */
static int in_forwarded(const sl_part *p)
{
	for (const sl_part *q = p->parent; q; q = q->parent)
		if (!strcmp(q->type, "message"))
			return 1;
	return 0;
}

/* Within a multipart/alternative, the preferred alternative is the last
 * one the reader's client can show (RFC 2046 5.1.4): HTML over plain. */
static int preferred_in_alternative(const sl_part *alt, const sl_part *p)
{
	const sl_part *best = NULL;
	for (size_t i = 0; i < alt->nchild; i++) {
		const sl_part *c = alt->child[i];
		/* a nested multipart/related counts as its first text/html */
		if (body_candidate(c) || !strcmp(c->type, "multipart")) {
			if (!best || !strcmp(c->subtype, "html") ||
			    !strcmp(c->type, "multipart") ||
			    strcmp(best->subtype, "html"))
				best = c;
		}
	}
	for (const sl_part *q = p; q; q = q->parent)
		if (q == best)
			return 1;
	return best == NULL;
}

static int is_alternative_loser(const sl_part *p)
{
	for (const sl_part *c = p; c->parent; c = c->parent) {
		const sl_part *par = c->parent;
		if (!strcmp(par->type, "multipart") && !strcmp(par->subtype, "alternative") &&
		    !preferred_in_alternative(par, c))
			return 1;
	}
	return 0;
}

static void body_blocks(sl_result *r)
{
	sl_doc *d = &r->doc;
	d->html_part = d->text_part = -1;
	for (size_t i = 0; i < d->nparts; i++) {
		sl_part *p = d->parts[i];
		if (!body_candidate(p))
			continue;
		int html = !strcmp(p->subtype, "html");
		int loser = is_alternative_loser(p) || in_forwarded(p);
		size_t first = d->nblk;
		if (html) {
			if (d->html_part < 0)
				d->html_part = p->index;
			html_extract(r, &p->text, p->index);
		} else {
			if (d->text_part < 0)
				d->text_part = p->index;
			text_plain_blocks(r, &p->text, p->index);
		}
		for (size_t b = first; b < d->nblk; b++) {
			d->blk[b].html = html;
			d->blk[b].alternative = loser;
		}
	}
}

static const char *const score_groups[] = {
	"risk", "subject", "tone", "bundling", "deliverability",
};

int sl_lint(sl_result **out, const sl_context *ctx, const char *name,
            const unsigned char *bytes, size_t len)
{
	*out = NULL;
	sl_result *r = calloc(1, sizeof *r);
	if (!r)
		return SL_ENOMEM;
	arena_init(&r->arena, &r->oom);
	r->arena.pool = ctx->pool;
	if (setjmp(r->oom)) {
		arena_release(&r->arena);
		free(r);
		return SL_ENOMEM;
	}
	r->ctx = ctx;
	r->lim = ctx->lim;
	r->name = arena_strndup(&r->arena, name, strlen(name));
	r->src = bytes;
	r->len = len;
	source_lines(r);
	text_identity(&r->srctext, &r->arena, (const char *)bytes, 0, len);
	r->doc.html_part = r->doc.text_part = -1;
	r->doc.preheader_blk = -1;

	if (len > r->lim.input_size) {
		limit_reached(r, "input-size", r->lim.input_size, (sl_span){ 0, 0, 0 });
	} else if (len == 0) {
		/* nothing to lint: a rule would only report what is missing */
		diag_input(r, "input/empty", SL_WARNING, (sl_span){ 0, 0, 1 },
		           "the file is empty");
	} else {
		r->doc.kind = kind_detect(name, bytes, len);
		mime_parse(r);
		text_subject_block(r);
		body_blocks(r);
		text_analyse(r);
		engine_run(r);
	}
	if (!r->score)
		scores_default(r);
	diag_sort(r);
	*out = r;
	return SL_OK;
}

void sl_result_free(sl_result *r)
{
	if (!r)
		return;
	arena_release(&r->arena);
	free(r);
}

const char *sl_result_name(const sl_result *r)
{
	return r->name;
}

size_t sl_result_count(const sl_result *r)
{
	return r->ndiag;
}

const sl_diag *sl_result_diag(const sl_result *r, size_t i)
{
	return i < r->ndiag ? &r->diag[i] : NULL;
}

/* No rules ran (or none feed a group): every group scores 0. */
void scores_default(sl_result *r)
{
	size_t k = sizeof score_groups / sizeof *score_groups;
	r->score = arena_array(&r->arena, k, sizeof *r->score);
	for (size_t i = 0; i < k; i++)
		r->score[i] = (sl_score){ score_groups[i], 0 };
	r->nscore = k;
}

const sl_score *sl_result_scores(const sl_result *r, size_t *n)
{
	*n = r->nscore;
	return r->score;
}

const sl_unit_score *sl_result_unit_scores(const sl_result *r, size_t *n)
{
	*n = r ? r->nuscore : 0;
	return r ? r->uscore : NULL;
}

const sl_summary *sl_result_summaries(const sl_result *r, size_t *n)
{
	*n = r ? r->nsummary : 0;
	return r ? r->summary : NULL;
}

int sl_result_score(const sl_result *r, const char *group)
{
	size_t n;
	const sl_score *s = sl_result_scores(r, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s[i].group, group))
			return s[i].value;
	return 0;
}

int sl_result_max_severity(const sl_result *r)
{
	int m = -1;
	for (size_t i = 0; i < r->ndiag; i++)
		if ((int)r->diag[i].severity > m)
			m = (int)r->diag[i].severity;
	return m;
}

void sl_strbuf_release(sl_strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}
