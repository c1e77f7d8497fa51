/*
 * test_summary.c - the bundling summary (summary.c) through the bundled
 * rules: exact lines and offsets for bundled bad news (an apology, a
 * thank-you, missing details, stacked news, tone findings), and no
 * summary when there is no bad news, when the news is announced
 * honestly, when someone else's news is reported, or when the bundling
 * rules are off.  Run from the source root (it loads rules.d).
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "t.h"

static sl_context *ctx_with(const char *const *disable, size_t nd,
                            const char *const *enable, size_t ne)
{
	sl_options o;
	memset(&o, 0, sizeof o);
	o.default_rules = "rules.d";
	o.disable = disable;
	o.ndisable = nd;
	o.enable = enable;
	o.nenable = ne;
	sl_context *c = NULL;
	int rc = sl_context_new(&c, &o);
	T_EQ(rc, 0, "context");
	if (rc)
		printf("%s\n", sl_context_errmsg(c));
	return c;
}

/* The summary of src as "OFFSET text" lines joined by "\n". */
static const char *summary_of(const sl_context *c, const char *name, const char *src)
{
	static char out[4096];
	sl_result *r = NULL;
	out[0] = 0;
	if (sl_lint(&r, c, name, (const unsigned char *)src, strlen(src)) || !r)
		return "(lint failed)";
	size_t n, len = 0;
	const sl_summary *s = sl_result_summaries(r, &n);
	for (size_t i = 0; i < n; i++) {
		T_STREQ(s[i].group, "bundling", "group");
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%zu %s",
		                        i ? "\n" : "", s[i].offset, s[i].text);
		if (len >= sizeof out)
			break;
	}
	sl_result_free(r);
	return out;
}

/* Offset of the first occurrence of w in src (for expected lines). */
static size_t at(const char *src, const char *w)
{
	const char *p = strstr(src, w);
	T_CHECK(p != NULL, "'%s' not in the input", w);
	return p ? (size_t)(p - src) : 0;
}

static const char apology_src[] =
	"Subject: An apology from Meridian\n"
	"\n"
	"Dear listener,\n"
	"\n"
	"We are sorry for how we handled last month's price increase. We should\n"
	"have given you more notice, and we apologize.\n"
	"\n"
	"We also want to share some news: starting in May, Meridian will split into\n"
	"two companies, Meridian Radio and Meridian Studio, and your plan will move\n"
	"to Meridian Radio.\n"
	"\n"
	"Thank you for listening with us.\n";

static const char thanks_src[] =
	"Subject: Thank you from Fieldnote\n"
	"\n"
	"Thank you for being a Fieldnote member. This year you wrote 120 notes.\n"
	"\n"
	"We are raising our prices for the Explorer plan.\n"
	"\n"
	"See you on the trail, and thanks again for a wonderful year of walks,\n"
	"notes, photos and the trails you helped us map for everyone else.\n";

static const char stacked_src[] =
	"Subject: Changes to Brightline\n"
	"\n"
	"Hi Lena,\n"
	"\n"
	"From 1 June, the Team plan price will increase from $10 to $12 a month.\n"
	"You can cancel at any time.\n"
	"\n"
	"We will also discontinue the Basic plan on 30 June.\n";

static const char honest_src[] =
	"Subject: Fieldnote Explorer price increase from 1 July\n"
	"\n"
	"From 1 July, the Explorer plan price will increase from $6 to $8 a month.\n"
	"You can keep your current price until renewal, or cancel at any time.\n";

static const char news_src[] =
	"Subject: The week in tech\n"
	"\n"
	"In this issue: the chip maker laid off 1,200 people, and two banks\n"
	"announced a merger with each other.\n";

static const char tone_src[] =
	"Subject: Thank you from Fieldnote\n"
	"\n"
	"Thank you for being a Fieldnote member. This year you wrote 120 notes.\n"
	"\n"
	"We are raising our prices for the Explorer plan. Per our policy, refunds\n"
	"are not possible.\n"
	"\n"
	"See you on the trail, and thanks again for a wonderful year of walks,\n"
	"notes, photos and the trails you helped us map for everyone else.\n";

static const char formula[] =
	"(price increase + increased complexity) x reduced value + "
	"semi-condescending communication = ";

static void test_lines(void)
{
	static const char *const off[] = { "tone", "subject", "deliverability" };
	sl_context *c = ctx_with(off, 3, NULL, 0);
	if (!c)
		return;
	char want[4096];

	snprintf(want, sizeof want,
	         "%zu company split 'split into two' below the fold; not in the subject "
	         "or the preheader\n"
	         "%zu price increase 'price increase' at the top, named in the apology; "
	         "not in the subject or the preheader\n"
	         "%zu inside an apology 'An apology' in the subject\n"
	         "%zu %s(price increase + company split) x none + none",
	         at(apology_src, "split into"), at(apology_src, "price increase"),
	         at(apology_src, "An apology"), at(apology_src, "split into"), formula);
	T_STREQ(summary_of(c, "apology.eml", apology_src), want, "apology");

	snprintf(want, sizeof want,
	         "%zu price increase 'raising our prices' at the top; not in the subject "
	         "or the preheader\n"
	         "%zu inside a thank-you 'Thank you for being' at the top\n"
	         "%zu increased complexity: no new price, no date, no options for the "
	         "customer\n"
	         "%zu %s(price increase + no new price, no date, no options for the "
	         "customer) x none + none",
	         at(thanks_src, "raising our prices"), at(thanks_src, "Thank you for being"),
	         at(thanks_src, "raising our prices"), at(thanks_src, "raising our prices"),
	         formula);
	T_STREQ(summary_of(c, "thanks.eml", thanks_src), want, "thank-you");

	snprintf(want, sizeof want,
	         "%zu price increase 'price will increase' at the top; not in the subject "
	         "or the preheader\n"
	         "%zu discontinuation 'will also discontinue' below the fold; not in the "
	         "subject or the preheader\n"
	         "%zu %s(price increase + 2 kinds of bad news) x discontinuation + none",
	         at(stacked_src, "price will"), at(stacked_src, "will also"),
	         at(stacked_src, "price will"), formula);
	T_STREQ(summary_of(c, "stacked.eml", stacked_src), want, "stacked");

	/* no bundling finding, someone else's news, no bad news at all */
	T_STREQ(summary_of(c, "honest.eml", honest_src), "", "honest announcement");
	T_STREQ(summary_of(c, "news.eml", news_src), "", "news digest");
	T_STREQ(summary_of(c, "plain.txt", "Your May invoice is attached.\n"), "", "no news");
	sl_context_free(c);
}

/* With a tone finding, its line, with the score the result holds. */
static void test_tone(void)
{
	static const char *const off[] = { "tone", "subject", "deliverability" };
	static const char *const on[] = { "tone/per-our-policy" };
	sl_context *c = ctx_with(off, 3, on, 1);
	if (!c)
		return;
	sl_result *r = NULL;
	int rc = sl_lint(&r, c, "tone.eml", (const unsigned char *)tone_src, strlen(tone_src));
	T_EQ(rc, 0, "lint");
	int tone = r ? sl_result_score(r, "tone") : -1;
	sl_result_free(r);
	char want[4096];
	snprintf(want, sizeof want,
	         "%zu price increase 'raising our prices' at the top; not in the subject "
	         "or the preheader\n"
	         "%zu inside a thank-you 'Thank you for being' at the top\n"
	         "%zu increased complexity: no new price, no date, no options for the "
	         "customer\n"
	         "%zu semi-condescending communication: tone %d from 1 finding\n"
	         "%zu %s(price increase + no new price, no date, no options for the "
	         "customer) x none + tone %d from 1 finding",
	         at(tone_src, "raising our prices"), at(tone_src, "Thank you for being"),
	         at(tone_src, "raising our prices"), at(tone_src, "Per our policy"), tone,
	         at(tone_src, "raising our prices"), formula, tone);
	T_CHECK(tone > 0, "tone score %d", tone);
	T_STREQ(summary_of(c, "tone.eml", tone_src), want, "tone");
	sl_context_free(c);
}

/* The bundling rules off: no summary. */
static void test_off(void)
{
	static const char *const off[] = { "bundling" };
	sl_context *c = ctx_with(off, 1, NULL, 0);
	if (!c)
		return;
	T_STREQ(summary_of(c, "apology.eml", apology_src), "", "bundling off");
	sl_context_free(c);
}

int main(void)
{
	test_lines();
	test_tone();
	test_off();
	return t_done();
}
