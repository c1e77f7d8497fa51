/*
 * test_phrase.c - the phrase kind: stems, word boundaries, line breaks and
 * markup inside a block, quotations, unless_before/unless_after,
 * negation, `*`, `=word`, case, placeholders, sentences, overlaps; and
 * the matcher's cost staying flat as phrases are added.
 *
 * Rules are written to a temporary directory and loaded like any user
 * rule dir; each case lints one input and lists the original bytes of the
 * named rule's diagnostics, joined by '|'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"

static char dir[] = "/tmp/sl_test_phrase_XXXXXX";

static void write_rule(const char *id, const char *body)
{
	char path[512], sub[512];
	snprintf(path, sizeof path, "%s/%s.yml", dir, id);
	snprintf(sub, sizeof sub, "%s/%.*s", dir, (int)(strchr(id, '/') - id), id);
	mkdir(sub, 0700);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fprintf(f, "kind: phrase\nmessage: \"'{match}' ({count} words)\"\ndescription: test\n%s", body);
	fclose(f);
}

static const struct {
	const char *id, *yaml;
} rules[] = {
	{ "p/apologize", "scope: paragraph\nphrases: [apologize]\n" },
	{ "p/cat", "scope: paragraph\nphrases: [cat]\n" },
	{ "p/policy", "scope: sentence\nphrases: [per our policy]\n" },
	{ "p/policy-quoted", "scope: sentence\nquoted: include\nphrases: [per our policy]\n" },
	{ "p/just", "scope: paragraph\nphrases: [just]\nunless_after: [reply, click]\n" },
	{ "p/refund", "scope: paragraph\nphrases: [refund]\nunless_before: [full]\n" },
	{ "p/help", "scope: paragraph\nnegated: skip\nphrases: [help you]\n" },
	{ "p/thank", "scope: paragraph\nphrases: [\"thank * for\"]\n" },
	{ "p/exact", "scope: paragraph\nphrases: [\"=apologize\"]\n" },
	{ "p/us", "scope: paragraph\ncase: sensitive\nphrases: [US]\n" },
	{ "p/dear", "scope: paragraph\nphrases: [dear customer]\n" },
	{ "p/policy-we", "scope: paragraph\nphrases: [policy we]\n" },
	{ "p/sorry", "scope: paragraph\nphrases: [sorry, we are sorry]\n" },
	{ "p/subscribe", "scope: paragraph\nphrases: [subscribe]\n" },
	{ "p/cafe", "scope: paragraph\nphrases: [café]\n" },
	{ "p/were-sorry", "scope: paragraph\nphrases: [\"we're sorry\"]\n" },
	{ "p/feel", "scope: paragraph\nphrases: [\"sorry if you feel\"]\n" },
	{ "p/subject", "scope: subject\nphrases: [last chance]\n" },
	{ "p/hidden", "scope: paragraph\nhidden: only\nphrases: [secret]\n" },
	{ "q/refund2", "scope: paragraph\nphrases: [refund]\n" },
	{ "p/noreply", "scope: header:From\nphrases: [no reply]\n" },
	/* every kind of edge from one node: two stem keys, exact, case, `*` */
	{ "k/1", "scope: paragraph\nphrases: [feelings]\n" },
	{ "k/2", "scope: paragraph\nphrases: [feel]\n" },
	{ "k/3", "scope: paragraph\nphrases: [\"=feeling\"]\n" },
	{ "k/4", "scope: paragraph\ncase: sensitive\nphrases: [feeling]\n" },
	{ "k/5", "scope: paragraph\nphrases: [\"* zzqq\"]\n" },
	{ "p/click", "scope: link\nphrases: [click here]\n" },
	/* `**` gaps, the `^` clause start, `<num>` */
	{ "p/gap", "scope: sentence\nphrases: [\"as we ** explained\", \"you were ** told\"]\n" },
	{ "p/start", "scope: sentence\nphrases: [\"^ clearly\"]\n" },
	{ "p/num", "scope: sentence\nphrases: [\"just <num> more\"]\n" },
	{ "p/money", "scope: sentence\nphrases: [\"only <money> ** more\"]\n" },
};

static const struct {
	const char *rule, *name, *input, *want;
} cases[] = {
	/* stems through hunspell; the surface form matches too */
	{ "p/apologize", "t.txt", "We apologized, and we are apologizing again.\n",
	  "apologized|apologizing" },
	{ "p/apologize", "t.txt", "We apologize. APOLOGIZES!\n", "apologize|APOLOGIZES" },
	{ "p/apologize", "t.txt", "Our apologies.\n", "" },
	/* whole words only */
	{ "p/cat", "t.txt", "A category of cats, and a cat.\n", "cats|cat" },
	{ "p/cat", "t.txt", "concatenate bobcat\n", "" },
	/* across a line break inside a paragraph; not across paragraphs */
	{ "p/policy", "t.txt", "Hello, per our\npolicy we cannot.\n", "per our\npolicy" },
	{ "p/policy", "t.txt", "Hello, per our\n\npolicy we cannot.\n", "" },
	/* quotations are mentions, not uses (straight and curly) */
	{ "p/policy", "t.txt", "Never say \"per our policy\" to them.\n", "" },
	{ "p/policy", "t.txt", "Never say \xE2\x80\x9Cper our policy\xE2\x80\x9D to them.\n", "" },
	{ "p/policy", "t.txt", "Never say \xE2\x80\x98per our policy\xE2\x80\x99 to them.\n", "" },
	{ "p/policy", "t.txt", "We\xE2\x80\x99re sorry, but per our policy it\xE2\x80\x99s final.\n",
	  "per our policy" },
	{ "p/policy", "t.txt", "An open \"quote, per our policy.\n", "per our policy" },
	/* a quotation of another kind opened earlier still encloses it */
	{ "p/policy", "t.txt",
	  "Say \xE2\x80\x9Cyes, \"no\" per our policy\xE2\x80\x9D. Say \"x\" per our policy.\n",
	  "per our policy" },
	{ "p/policy-quoted", "t.txt", "Never say \"per our policy\" to them.\n", "per our policy" },
	/* unless_after / unless_before cancel a hit */
	{ "p/just", "t.txt", "Just reply to this email. It just works. Just click.\n", "just" },
	{ "p/refund", "t.txt", "You get a full refund. No refund today.\n", "refund" },
	/* negation in the three words before */
	{ "p/help", "t.txt", "We will help you. We will not help you. We never help you.\n",
	  "help you" },
	{ "p/help", "t.txt", "Not that we help you. We don't help you.\n", "" },
	{ "p/help", "t.txt", "Not today, but soon we will help you.\n", "help you" },
	/* `*` is exactly one word */
	{ "p/thank", "t.txt", "Thank you for waiting. Thank you so much for nothing.\n",
	  "Thank you for" },
	{ "p/thank", "t.txt", "Thanks you for that. Thank for.\n", "Thanks you for" },
	/* `=word` takes no stems */
	{ "p/exact", "t.txt", "We apologize. We apologized.\n", "apologize" },
	/* case: sensitive */
	{ "p/us", "t.txt", "Contact us in the US.\n", "US" },
	/* placeholders, URLs and e-mail addresses break a phrase */
	{ "p/dear", "t.txt", "Dear {{ name }} customer. Dear customer,\n", "Dear customer" },
	{ "p/dear", "t.txt", "Dear https://x.example/ customer\n", "" },
	/* a phrase stays inside one sentence */
	{ "p/policy-we", "t.txt", "It is our policy. We cannot.\n", "" },
	{ "p/policy-we", "t.txt", "It is the policy we chose.\n", "policy we" },
	/* per rule: leftmost-longest, no overlaps */
	{ "p/sorry", "t.txt", "We are sorry. Sorry!\n", "We are sorry|Sorry" },
	/* a stem that strips a prefix is refused: subscribe is not unsubscribe */
	{ "p/subscribe", "t.txt", "Unsubscribe here, or subscribe there.\n", "subscribe" },
	/* Unicode case folding; apostrophe forms */
	{ "p/cafe", "t.txt", "CAF\xC3\x89 open, Caf\xC3\xA9 closed\n", "CAF\xC3\x89|Caf\xC3\xA9" },
	{ "p/were-sorry", "t.txt", "We\xE2\x80\x99re sorry. WE'RE SORRY.\n",
	  "We\xE2\x80\x99re sorry|WE'RE SORRY" },
	/* punctuation between words is skipped */
	{ "p/feel", "t.txt", "We're sorry, if you feel that way.\n", "sorry, if you feel" },
	/* scopes: the subject only; body text never matches a subject rule */
	{ "p/subject", "t.eml", "Subject: Last chance: 50% off\n\nLast chance.\n", "Last chance" },
	/* the same phrase in two rules: each gets its hit */
	{ "q/refund2", "t.txt", "You get a full refund.\n", "refund" },
	{ "p/refund", "t.txt", "Refund, refund.\n", "Refund|refund" },
	/* header fields (quotes there are syntax, not quotations) and links */
	{ "p/noreply", "t.eml", "From: \"No Reply\" <no-reply@x.example>\nSubject: no reply\n\nNo reply.\n",
	  "No Reply" },
	{ "p/click", "t.html",
	  "<html><body><p>Please <a href=\"https://x.example/\">click here</a>; click here.</p></body></html>\n",
	  "click here" },
	{ "k/1", "t.txt", "feeling zzqq\n", "feeling" },
	{ "k/2", "t.txt", "feeling zzqq\n", "feeling" },
	{ "k/3", "t.txt", "feeling zzqq\n", "feeling" },
	{ "k/4", "t.txt", "feeling zzqq\n", "feeling" },
	{ "k/5", "t.txt", "feeling zzqq\n", "feeling zzqq" },
	/* markup inside a block: the block text has the tags removed */
	{ "p/policy", "t.html", "<html><body><p>Hello, <b>per our</b> policy.</p></body></html>\n",
	  "per our</b> policy" },
	{ "p/hidden", "t.html",
	  "<html><body><p>secret</p><p style=\"display:none\">a secret</p></body></html>\n",
	  "secret" },
	/* a gap takes 0 to 3 words of one clause */
	{ "p/gap", "t.txt", "As we explained. As we have already explained. As we had all "
	  "very clearly explained.\n", "As we explained|As we have already explained" },
	{ "p/gap", "t.txt", "As we, of course, explained. You were, sadly, told.\n", "" },
	{ "p/gap", "t.txt", "You were told twice. You were never told.\n",
	  "You were told|You were never told" },
	/* `^`: at a sentence's or a clause's start only */
	{ "p/start", "t.txt", "Clearly, you did not. It is clearly labelled. Well, clearly not.\n",
	  "Clearly|clearly" },
	{ "p/num", "t.txt", "It is just $2 more a month. Just two more. Just 5 more.\n",
	  "just $2 more|Just 5 more" },
	{ "p/money", "t.txt", "Only $2 a month more. Only 3 more days. Only 4,99\xE2\x82\xAC more.\n",
	  "Only $2 a month more|Only 4,99\xE2\x82\xAC more" },
};

/* The original bytes of each diagnostic of rule, joined by '|'. */
static void spans(sl_context *ctx, const char *name, const char *in, const char *rule,
                  char *out, size_t size)
{
	sl_result *r;
	out[0] = 0;
	if (sl_lint(&r, ctx, name, (const unsigned char *)in, strlen(in))) {
		snprintf(out, size, "(lint failed)");
		return;
	}
	size_t n = 0;
	for (size_t i = 0; i < sl_result_count(r); i++) {
		const sl_diag *d = sl_result_diag(r, i);
		if (strcmp(d->rule, rule))
			continue;
		n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s%.*s", n ? "|" : "",
		                      (int)(d->end_offset - d->offset), in + d->offset);
	}
	sl_result_free(r);
}

/* Messages carry {match} and {count}. */
static void test_message(sl_context *ctx)
{
	const char *in = "We are sorry.\n";
	sl_result *r;
	T_CHECK(sl_lint(&r, ctx, "t.txt", (const unsigned char *)in, strlen(in)) == 0, "lint");
	const char *msg = NULL;
	for (size_t i = 0; i < sl_result_count(r); i++)
		if (!strcmp(sl_result_diag(r, i)->rule, "p/sorry"))
			msg = sl_result_diag(r, i)->message;
	T_STREQ(msg, "'We are sorry' (3 words)", "message template");
	sl_result_free(r);
}

static int html_stage_ready(void)
{
	FILE *f = fopen("lint/html.c", "r");
	char line[64] = "";
	if (f) {
		if (!fgets(line, sizeof line, f))
			line[0] = 0;
		fclose(f);
	}
	return !strstr(line, "STUB");
}

/* --- cost: 50 vs 5,000 phrases over the same text ------------------- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Rules with n phrases made of dictionary-like words; none occurs in the
 * text but many share its words' first letters (the stem prefilter's
 * worst case). */
static void write_big_rule(const char *sub, size_t n)
{
	static const char *const w1[] = {
		"order", "account", "payment", "customer", "service", "delivery",
		"refund", "policy", "price", "support", "team", "message", "offer",
		"product", "update", "change", "review", "request", "issue", "notice",
	};
	static const char *const w2[] = {
		"has", "will", "can", "must", "should", "would", "may", "might",
		"does", "did", "is", "was", "shall", "could", "need", "wants",
		"gets", "makes", "takes", "gives",
	};
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, sub);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/%s/b", dir, sub);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/%s/b/big.yml", dir, sub);
	FILE *f = fopen(path, "w");
	if (!f)
		exit(2);
	fprintf(f, "kind: phrase\nscope: paragraph\nmessage: x\ndescription: x\nphrases:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  - %s %s zq%zu\n", w1[i % 20], w2[(i / 20) % 20], i);
	fclose(f);
}

static double lint_time(sl_context *ctx, const char *text, size_t len, int reps)
{
	double best = 1e9;
	for (int k = 0; k < reps; k++) {
		sl_result *r;
		double t0 = now();
		if (sl_lint(&r, ctx, "big.txt", (const unsigned char *)text, len))
			return -1;
		double t = now() - t0;
		sl_result_free(r);
		if (t < best)
			best = t;
	}
	return best;
}

static void test_cost(void)
{
	write_big_rule("big50", 50);
	write_big_rule("big5000", 5000);
	char d50[600], d5000[600];
	snprintf(d50, sizeof d50, "%s/big50", dir);
	snprintf(d5000, sizeof d5000, "%s/big5000", dir);
	/* ~200 KB of prose using the phrases' words */
	static const char para[] =
		"Your order has shipped and the payment was received. Our customer "
		"service team will review the request and update the account. The "
		"delivery can change if the price does. Thank you for your support; "
		"this message gives notice of the new policy and our offer.\n\n";
	size_t n = 800, len = n * (sizeof para - 1);
	char *text = malloc(len + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * (sizeof para - 1), para, sizeof para - 1);
	text[len] = 0;
	double t[2];
	const char *dirs[2] = { d50, d5000 };
	for (int k = 0; k < 2; k++) {
		const char *rd[1] = { dirs[k] };
		sl_options o;
		memset(&o, 0, sizeof o);
		o.rule_dirs = rd;
		o.nrule_dirs = 1;
		sl_context *ctx;
		int rc = sl_context_new(&ctx, &o);
		T_EQ(rc, 0, "big context");
		if (rc) {
			printf("%s", sl_context_errmsg(ctx));
			sl_context_free(ctx);
			free(text);
			return;
		}
		t[k] = lint_time(ctx, text, len, 3);
		sl_context_free(ctx);
	}
	free(text);
	printf("phrase cost over %zu KB: 50 phrases %.1f ms, 5000 phrases %.1f ms\n",
	       len >> 10, t[0] * 1e3, t[1] * 1e3);
	/* not a timing assertion: a matcher that loops over phrases would be
	 * ~100x slower, this allows for noise on a loaded machine */
	T_CHECK(t[1] < t[0] * 5 + 0.05, "5000 phrases cost %.3fs vs %.3fs for 50", t[1], t[0]);
}

/* Tens of thousands of quoted phrases in one sentence are read in one
 * pass: each candidate asks the quotations in log time, not one by one
 * (80,000 quotations took seconds that way).  Only the last, unquoted
 * phrase is reported. */
static void test_many_quotes(sl_context *ctx)
{
	static const char q[] = "\"apologize\" ", tail[] = "We apologize.\n";
	size_t n = 80000, k = 0;
	char *in = malloc(n * (sizeof q - 1) + sizeof tail);
	for (size_t i = 0; i < n; i++, k += sizeof q - 1)
		memcpy(in + k, q, sizeof q - 1);
	memcpy(in + k, tail, sizeof tail);
	char got[256];
	spans(ctx, "t.txt", in, "p/apologize", got, sizeof got);
	T_STREQ(got, "apologize", "many quotations: only the unquoted phrase");
	free(in);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
		write_rule(rules[i].id, rules[i].yaml);
	const char *rd[1] = { dir };
	sl_options o;
	memset(&o, 0, sizeof o);
	o.rule_dirs = rd;
	o.nrule_dirs = 1;
	sl_context *ctx;
	int rc = sl_context_new(&ctx, &o);
	T_EQ(rc, 0, "context");
	if (rc) {
		printf("%s", sl_context_errmsg(ctx));
		sl_context_free(ctx);
		return t_done();
	}
	int html = html_stage_ready();
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		if (!html && strstr(cases[i].name, ".html"))
			continue; /* the HTML stage is still a stub */
		char got[1024];
		spans(ctx, cases[i].name, cases[i].input, cases[i].rule, got, sizeof got);
		T_CHECK(!strcmp(got, cases[i].want), "case %zu (%s) on '%s': got '%s', want '%s'",
		        i, cases[i].rule, cases[i].input, got, cases[i].want);
	}
	test_message(ctx);
	test_many_quotes(ctx);
	sl_context_free(ctx);
	test_cost();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("note: could not remove %s\n", dir);
	return t_done();
}
