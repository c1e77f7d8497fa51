/*
 * summary.c - the bundling score explained in words.
 *
 * In: a finished run (every hit, meta rules' included, sorted), the
 * zones of the blocks, the final diagnostics and the scores.  Out:
 * r->summary, one sl_summary per line (group "bundling"), only when the
 * email carries bad news of its own (hits of bundling/topic/bad-news) and
 * the bundling score is above 0.  The lines, in reading order, each at
 * the original offset it is about:
 *
 *   - each kind of bad news, at its first hit: "company split 'split into
 *     two' below the fold; not in the subject or the preheader" (where it
 *     sits, whether the subject or the preheader names it); the news the
 *     email announces first, then the news an apology is about ("named
 *     in the apology"), each in document order;
 *   - each frame it sits in (an apology, a thank-you, a promotion, ...)
 *     when the frame is in the subject, the preheader or the top:
 *     "inside an apology 'We are sorry' at the top";
 *   - what a price or terms change leaves out: "increased complexity: no
 *     new price, no date, no options for the customer";
 *   - the tone findings, when there are any: "semi-condescending
 *     communication: tone 35 from 2 findings";
 *   - the formula of issue 5 with what was found in each term:
 *     "(price increase + increased complexity) x reduced value +
 *     semi-condescending communication = (price increase + company split)
 *     x none + none", at the first bad news the email announces.
 *
 * The topics are the bundled rules' (the table below names their ids and
 * what each means in the formula); a topic that is not loaded or is
 * disabled has no hits and is simply absent.  Limits: at most
 * SUMMARY_ITEMS kinds of bad news and SUMMARY_FRAMES frames are listed;
 * quoted text is cut at SUMMARY_QUOTE code points; every loop is bounded
 * by the number of hits times the size of the table.
 */
#include <stdlib.h>

#include "internal.h"

#define SUMMARY_ITEMS  6
#define SUMMARY_FRAMES 4
#define SUMMARY_QUOTE  40

/* The formula's terms: (P + C) x V + T. */
enum { TERM_P, TERM_C, TERM_V };

/* Kinds of bad news, in the order the formula lists them. */
static const struct {
	const char *id;
	const char *label;
	int term;
} bad_topics[] = {
	{ "bundling/topic/price-increase", "price increase", TERM_P },
	{ "bundling/topic/company-split", "company split", TERM_C },
	{ "bundling/topic/company-change", "company change", TERM_C },
	{ "bundling/topic/discontinuation", "discontinuation", TERM_V },
	{ "bundling/topic/terms-change", "terms that take something away", TERM_V },
	{ "bundling/topic/ads-limits", "ads or limits on a paid plan", TERM_V },
	{ "bundling/topic/layoffs", "layoffs", TERM_V },
	{ "bundling/topic/closure", "closure", TERM_V },
	{ "bundling/topic/security-incident", "security incident", TERM_V },
	{ "bundling/topic/delay", "delay", TERM_V },
};
#define NBAD (sizeof bad_topics / sizeof *bad_topics)

/* Frames bad news sits in. */
static const struct {
	const char *id;
	const char *label;
} frame_topics[] = {
	{ "bundling/topic/apology", "an apology" },
	{ "bundling/topic/thanks", "a thank-you" },
	{ "bundling/topic/promotion", "a promotion" },
	{ "bundling/topic/discount", "a promotion" },
	{ "bundling/topic/celebration", "a celebration" },
	{ "bundling/topic/welcome", "a welcome" },
	{ "bundling/topic/holiday", "a holiday greeting" },
	{ "bundling/topic/survey", "a survey" },
	{ "bundling/topic/newsletter", "a newsletter" },
	{ "bundling/topic/launch", "a launch" },
};
#define NFRAME (sizeof frame_topics / sizeof *frame_topics)
#define FRAME_APOLOGY 0

/* Other rules the summary reads. */
enum {
	X_BAD_NEWS, X_NEWS_PRICE, X_NEWS_TERMS, X_AMOUNT, X_DATE, X_RECOURSE,
	X_NEWS_COMPANY, X_NEWS_REMOVAL, X_NEWS_WORKFORCE, X_NEWS_SECURITY,
	X_NEWS_DELAY, NX
};
static const char *const extra_ids[NX] = {
	"bundling/topic/bad-news", "bundling/topic/news-price",
	"bundling/topic/news-terms", "bundling/topic/amount", "bundling/topic/date",
	"bundling/topic/recourse", "bundling/topic/news-company",
	"bundling/topic/news-removal", "bundling/topic/news-workforce",
	"bundling/topic/news-security", "bundling/topic/news-delay",
};

/* A hit reduced to what the summary needs. */
typedef struct shit {
	const sl_hit *h;
	int blk, sent;          /* sentence -1 when the block has none */
	size_t off;             /* original offset */
} shit;

/* Per rule of the tables: its hits in document order. */
typedef struct slist {
	shit *v;
	size_t n, alloc;
} slist;

typedef struct sstate {
	sl_result *r;
	slist bad[NBAD], frame[NFRAME], x[NX];
	sl_buf out;             /* scratch for one line */
} sstate;

/* The sentence of block b holding block offset off, or -1. */
static int sentence_at(const sl_block *b, uint32_t off)
{
	int s = -1;
	for (size_t i = 0; i < b->nsent && b->sent[i].off <= off; i++)
		s = (int)i;
	return s;
}

static void list_add(sl_result *r, slist *l, const sl_hit *h)
{
	const sl_doc *d = &r->doc;
	if (h->blk < 0 || (size_t)h->blk >= d->nblk)
		return;
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 8;
		l->v = arena_grow(&r->arena, l->v, l->n, na, sizeof *l->v);
		l->alloc = na;
	}
	const sl_block *b = &d->blk[h->blk];
	shit *x = &l->v[l->n++];
	x->h = h;
	x->blk = h->blk;
	x->sent = h->sent >= 0 && (size_t)h->sent < b->nsent ? h->sent
	                                                     : sentence_at(b, h->off);
	x->off = text_span(h->text, h->off, h->end).off;
}

static int shit_cmp(const void *a, const void *b)
{
	const shit *x = a, *y = b;
	if (x->blk != y->blk)
		return x->blk < y->blk ? -1 : 1;
	if (x->h->off != y->h->off)
		return x->h->off < y->h->off ? -1 : 1;
	return (x->off > y->off) - (x->off < y->off);
}

/* Sort the hits of the table's rules into their lists. */
static void collect(sstate *S, const sl_run *run)
{
	const sl_context *ctx = run->ctx;
	const sl_rule *bad[NBAD], *frame[NFRAME], *x[NX];
	for (size_t i = 0; i < NBAD; i++)
		bad[i] = rules_find(ctx, bad_topics[i].id);
	for (size_t i = 0; i < NFRAME; i++)
		frame[i] = rules_find(ctx, frame_topics[i].id);
	for (size_t i = 0; i < NX; i++)
		x[i] = rules_find(ctx, extra_ids[i]);
	for (size_t k = 0; k < run->nhit; k++) {
		const sl_hit *h = &run->hit[k];
		for (size_t i = 0; i < NBAD; i++)
			if (h->rule == bad[i])
				list_add(S->r, &S->bad[i], h);
		for (size_t i = 0; i < NFRAME; i++)
			if (h->rule == frame[i])
				list_add(S->r, &S->frame[i], h);
		for (size_t i = 0; i < NX; i++)
			if (h->rule == x[i])
				list_add(S->r, &S->x[i], h);
	}
	slist *all[] = { S->bad, S->frame, S->x };
	size_t nall[] = { NBAD, NFRAME, NX };
	for (size_t g = 0; g < 3; g++)
		for (size_t i = 0; i < nall[g]; i++)
			if (all[g][i].n > 1)
				qsort(all[g][i].v, all[g][i].n, sizeof *all[g][i].v, shit_cmp);
}

/* Does list l have a hit in the sentence of x? */
static int in_sentence(const slist *l, const shit *x)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].blk == x->blk && l->v[i].sent == x->sent)
			return 1;
	return 0;
}

static unsigned zone_of(const sl_result *r, int blk)
{
	return r->doc.zone && blk >= 0 && (size_t)blk < r->doc.nblk ? r->doc.zone[blk] : 0;
}

/* Does list l have a hit in a block of zone z? */
static int list_in_zone(const sl_result *r, const slist *l, unsigned z)
{
	for (size_t i = 0; i < l->n; i++)
		if (zone_of(r, l->v[i].blk) & z)
			return 1;
	return 0;
}

static const char *where(unsigned z)
{
	if (z & SL_Z_SUBJECT)
		return "in the subject";
	if (z & SL_Z_PREHEADER)
		return "in the preheader";
	if (z & SL_Z_FOOTER)
		return "in the footer";
	if (z & SL_Z_PS)
		return "in a P.S.";
	if (z & SL_Z_BELOW_FOLD)
		return "below the fold";
	if (z & SL_Z_TOP)
		return "at the top";
	return "in the body";
}

/* 'text' of a hit: one line, at most SUMMARY_QUOTE code points. */
static void add_quote(sl_buf *b, const shit *x)
{
	const sl_text *t = x->h->text;
	uint32_t off = x->h->off, end = x->h->end;
	if (end > t->len)
		end = (uint32_t)t->len;
	if (off > end)
		off = end;
	size_t cps = 0;
	int space = 0;
	buf_addc(b, '\'');
	for (uint32_t i = off; i < end; i++) {
		unsigned char c = (unsigned char)t->p[i];
		if (c <= 0x20 || c == 0x7f) {
			space = 1;
			continue;
		}
		if ((c & 0xC0) != 0x80) {
			if (cps + space >= SUMMARY_QUOTE) {
				buf_add(b, "...", 3);
				break;
			}
			if (space && cps) {
				buf_addc(b, ' ');
				cps++;
			}
			space = 0;
			cps++;
		}
		buf_addc(b, (char)c);
	}
	buf_addc(b, '\'');
}

static void emit(sstate *S, size_t off)
{
	sl_result *r = S->r;
	sl_summary *s = &r->summary[r->nsummary++];
	s->group = "bundling";
	s->text = arena_strndup(&r->arena, S->out.p ? S->out.p : "", S->out.len);
	s->offset = off;
	S->out.len = 0;
}

/* The hit a kind of bad news is shown at: its first announced hit (in a
 * sentence of bundling/topic/bad-news) in the body, else in the subject
 * or the preheader, else its first hit named in an apology; NULL when it
 * has neither (someone else's news).  *apology: it is what an apology is
 * about. */
static const shit *item_hit(const sstate *S, size_t i, int *apology)
{
	const slist *l = &S->bad[i];
	const shit *body = NULL, *head = NULL, *apo = NULL;
	for (size_t k = 0; k < l->n; k++) {
		const shit *x = &l->v[k];
		if (in_sentence(&S->x[X_BAD_NEWS], x)) {
			unsigned z = zone_of(S->r, x->blk);
			if (z & (SL_Z_SUBJECT | SL_Z_PREHEADER)) {
				if (!head)
					head = x;
			} else if (!body) {
				body = x;
			}
		} else if (!apo && in_sentence(&S->frame[FRAME_APOLOGY], x)) {
			apo = x;
		}
	}
	*apology = !body && !head && apo;
	return body ? body : head ? head : apo;
}

static void item_line(sstate *S, size_t i, const shit *x, int apology)
{
	sl_buf *b = &S->out;
	const slist *l = &S->bad[i];
	unsigned z = zone_of(S->r, x->blk);
	buf_addf(b, "%s ", bad_topics[i].label);
	add_quote(b, x);
	buf_addf(b, " %s", where(z));
	if (apology)
		buf_addf(b, ", named in the apology");
	int subj = list_in_zone(S->r, l, SL_Z_SUBJECT);
	int pre = list_in_zone(S->r, l, SL_Z_PREHEADER);
	if (z & SL_Z_SUBJECT)
		buf_addf(b, "%s", pre ? "; also in the preheader" : "");
	else if (z & SL_Z_PREHEADER)
		buf_addf(b, "%s", subj ? "; also in the subject" : "; not in the subject");
	else if (subj || pre)
		buf_addf(b, "; also in the %s", subj ? "subject" : "preheader");
	else
		buf_addf(b, "; not in the subject or the preheader");
	emit(S, x->off);
}

/* The first hit of frame i in the subject, the preheader or the top. */
static const shit *frame_hit(const sstate *S, size_t i)
{
	const slist *l = &S->frame[i];
	for (size_t k = 0; k < l->n; k++)
		if (zone_of(S->r, l->v[k].blk) & (SL_Z_SUBJECT | SL_Z_PREHEADER | SL_Z_TOP))
			return &l->v[k];
	return NULL;
}

/* A list of words joined by ", " into b, or "none". */
static void add_list(sl_buf *b, const char *const *w, size_t n)
{
	if (!n)
		buf_addf(b, "none");
	for (size_t i = 0; i < n; i++)
		buf_addf(b, "%s%s", i ? ", " : "", w[i]);
}

static int group_score(const sl_result *r, const char *g)
{
	for (size_t i = 0; i < r->nscore; i++)
		if (!strcmp(r->score[i].group, g))
			return r->score[i].value;
	return 0;
}

void summary_compute(sl_run *run)
{
	sl_result *r = run->r;
	if (!run->nhit || group_score(r, "bundling") <= 0)
		return;
	sstate S;
	memset(&S, 0, sizeof S);
	S.r = r;
	collect(&S, run);
	if (!S.x[X_BAD_NEWS].n)
		return;
	zones_compute(r);
	buf_init(&S.out, &r->arena, (size_t)1 << 16);
	r->summary = arena_array(&r->arena, SUMMARY_ITEMS + SUMMARY_FRAMES + 3,
	                         sizeof *r->summary);
	r->nsummary = 0;

	/* the kinds of bad news, in document order */
	const shit *first[NBAD];
	int apo[NBAD];
	size_t order[NBAD], n = 0;
	for (size_t i = 0; i < NBAD; i++) {
		first[i] = item_hit(&S, i, &apo[i]);
		if (!first[i])
			continue;
		/* announced news first, then what an apology is about; each
		 * in document order */
		size_t k = n++;
		while (k > 0 && (apo[order[k - 1]] > apo[i] ||
		                 (apo[order[k - 1]] == apo[i] &&
		                  shit_cmp(first[order[k - 1]], first[i]) > 0))) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	const char *terms[3][NBAD + 3];
	size_t nterm[3] = { 0, 0, 0 };
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		if (k < SUMMARY_ITEMS)
			item_line(&S, i, first[i], apo[i]);
		int t = bad_topics[i].term;
		terms[t][nterm[t]++] = bad_topics[i].label;
	}

	/* the frames, once each, in document order */
	const shit *fr[NFRAME];
	for (size_t i = 0; i < NFRAME; i++) {
		fr[i] = frame_hit(&S, i);
		/* one line per label (a promotion: sale words or an amount
		 * off), at the earlier of the two */
		for (size_t j = 0; j < i && fr[i]; j++) {
			if (!fr[j] || strcmp(frame_topics[j].label, frame_topics[i].label))
				continue;
			if (shit_cmp(fr[j], fr[i]) <= 0)
				fr[i] = NULL;
			else
				fr[j] = NULL;
		}
	}
	for (size_t shown = 0; shown < SUMMARY_FRAMES;) {
		size_t best = NFRAME;
		for (size_t i = 0; i < NFRAME; i++)
			if (fr[i] && (best == NFRAME || shit_cmp(fr[i], fr[best]) < 0))
				best = i;
		if (best == NFRAME)
			break;
		buf_addf(&S.out, "inside %s ", frame_topics[best].label);
		add_quote(&S.out, fr[best]);
		buf_addf(&S.out, " %s", where(zone_of(r, fr[best]->blk)));
		emit(&S, fr[best]->off);
		fr[best] = NULL;
		shown++;
	}

	/* what a price or terms change leaves out */
	const slist *chg = S.x[X_NEWS_PRICE].n ? &S.x[X_NEWS_PRICE] : &S.x[X_NEWS_TERMS];
	if (chg->n) {
		const char *miss[3];
		size_t nm = 0;
		if (S.x[X_NEWS_PRICE].n && !S.x[X_AMOUNT].n)
			miss[nm++] = "no new price";
		if (!S.x[X_DATE].n)
			miss[nm++] = "no date";
		if (!S.x[X_RECOURSE].n)
			miss[nm++] = "no options for the customer";
		if (nm) {
			buf_addf(&S.out, "increased complexity: ");
			add_list(&S.out, miss, nm);
			emit(&S, chg->v[0].off);
			for (size_t i = 0; i < nm; i++)
				terms[TERM_C][nterm[TERM_C]++] = miss[i];
		}
	}
	/* several kinds at once, counted as bundling/stacked-bad-news does
	 * (a removal and terms that take something away are one kind) */
	size_t kinds = (S.x[X_NEWS_PRICE].n > 0) + (S.x[X_NEWS_COMPANY].n > 0) +
	               (S.x[X_NEWS_REMOVAL].n + S.x[X_NEWS_TERMS].n > 0) +
	               (S.x[X_NEWS_WORKFORCE].n > 0) + (S.x[X_NEWS_SECURITY].n > 0) +
	               (S.x[X_NEWS_DELAY].n > 0);
	if (kinds >= 2)
		terms[TERM_C][nterm[TERM_C]++] = arena_printf(&r->arena,
		                                              "%zu kinds of bad news", kinds);

	/* the tone */
	size_t ntone = 0, tone_off = 0;
	for (size_t i = 0; i < r->ndiag; i++)
		if (r->diag[i].group && !strcmp(r->diag[i].group, "tone") && !ntone++)
			tone_off = r->diag[i].offset;
	const char *tone = "none";
	if (ntone) {
		tone = arena_printf(&r->arena, "tone %d from %zu finding%s",
		                    group_score(r, "tone"), ntone, ntone == 1 ? "" : "s");
		buf_addf(&S.out, "semi-condescending communication: %s", tone);
		emit(&S, tone_off);
	}

	/* the formula */
	buf_addf(&S.out, "(price increase + increased complexity) x reduced value + "
	         "semi-condescending communication = (");
	add_list(&S.out, terms[TERM_P], nterm[TERM_P]);
	buf_addf(&S.out, " + ");
	add_list(&S.out, terms[TERM_C], nterm[TERM_C]);
	buf_addf(&S.out, ") x ");
	add_list(&S.out, terms[TERM_V], nterm[TERM_V]);
	buf_addf(&S.out, " + %s", tone);
	emit(&S, n && !apo[order[0]] ? first[order[0]]->off : S.x[X_BAD_NEWS].v[0].off);
}
