/*
 * test_subject_metrics.c - the metrics made for subject lines (metric.c):
 * reply-prefix stripping, shouting-words, gappy-words, leet-words,
 * broken-words, lookalike-words, invisible-chars, emoji-words,
 * recipient-words, edge-spaces, plain-encoded-words, unique-id,
 * context-overlap, preheader-missing, and the keys span and words, with
 * their exact diagnostics (span, message, fix-its, notes) and load errors.
 *
 * Rules are written to a temporary directory and loaded like a user rule
 * dir.  Each case lints one input and renders the diagnostics of the
 * rules named in the case, one per line:
 *   rule@off-end[~] message [=> 'fix'] [(note)...]
 * where ~ marks an inexact span.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"
#include "t_lint.h"

static char top[] = "/tmp/sl_test_subject_XXXXXX";

static void write_file(const char *dir, const char *id, const char *body)
{
	char path[512], sub[512];
	snprintf(sub, sizeof sub, "%s", dir);
	mkdir(sub, 0700);
	const char *slash = strchr(id, '/');
	snprintf(sub, sizeof sub, "%s/%.*s", dir, (int)(slash - id), id);
	mkdir(sub, 0700);
	snprintf(path, sizeof path, "%s/%s.yml", dir, id);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(body, f);
	fclose(f);
}

#define COMMON "description: test\n"
#define SUBJ(m, extra) "kind: metric\nscope: subject\nmetric: " m "\n" extra COMMON

static const struct {
	const char *id, *yaml;
} rules[] = {
	{ "s/caps", SUBJ("caps-ratio", "equals: 1\nmin_words: 2\nmessage: caps\n"
	  "fix: { action: sentence-case }\n") },
	{ "s/words", SUBJ("words", "max: -1\nmessage: \"{value}\"\n") },
	{ "s/shout", SUBJ("shouting-words", "max: 0\nspan: each\nmessage: \"'{match}' {value}\"\n") },
	{ "s/shout5", SUBJ("shouting-words", "max: 0\nspan: items\nignore_shorter: 4\n"
	  "message: \"'{match}'\"\n") },
	{ "s/gappy", SUBJ("gappy-words", "max: 0\nspan: each\nmessage: \"'{match}'\"\n") },
	{ "s/leet", SUBJ("leet-words", "max: 0\nspan: each\nwords: [viagra]\nmessage: \"'{match}'\"\n") },
	{ "s/broken", SUBJ("broken-words", "max: 0\nspan: each\nwords: [viagra]\nmessage: \"'{match}'\"\n") },
	{ "s/look", SUBJ("lookalike-words", "max: 0\nspan: each\nmessage: \"'{match}'\"\n") },
	{ "s/invis", SUBJ("invisible-chars", "max: 0\nspan: each\nmessage: \"{value}\"\n"
	  "fix: { action: delete }\n") },
	{ "s/emoji", SUBJ("emoji-words", "max: 0\nspan: each\nmessage: \"'{match}'\"\n") },
	{ "s/rcpt", SUBJ("recipient-words", "max: 0\nspan: each\nmessage: \"'{match}'\"\n") },
	{ "s/edge", SUBJ("edge-spaces", "max: 0\nspan: each\nmessage: \"{value}\"\n"
	  "fix: { action: delete }\n") },
	{ "s/plain", SUBJ("plain-encoded-words", "max: 0\nspan: items\nmessage: \"{value}\"\n") },
	{ "s/uid", SUBJ("unique-id", "max: 0\nspan: each\nmessage: \"'{match}'\"\n") },
	{ "s/ctx", SUBJ("context-overlap", "max: -1\nmessage: \"{value}\"\n") },
	{ "s/pre", "kind: metric\nscope: message\nmetric: preheader-missing\nequals: 1\nspan: items\n"
	  "message: \"'{match}'\"\n" COMMON },
	{ "s/preunit", "kind: metric\nscope: message\nmetric: preheader-missing\nmax: -1\n"
	  "message: \"{value}\"\n" COMMON },
	{ "s/runs", SUBJ("space-runs", "max: 0\nspan: each\nmessage: \"{value}\"\nfix: { replace: \" \" }\n") },
	{ "h/edge", "kind: metric\nscope: header:X-Campaign\nmetric: edge-spaces\nmax: 0\n"
	  "span: each\nmessage: \"{value}\"\n" COMMON },
};

#define EML(subject) "Subject: " subject "\nFrom: a@example.org\nTo: b@example.org\n\nHi.\n"

static const struct {
	const char *rules, *name, *input, *want;
} cases[] = {
	/* reply prefixes are not part of the subject's measure */
	{ "s/caps", "t.eml", EML("RE: LUNCH"), "" },
	{ "s/caps", "t.eml", EML("RE: FREE CASH NOW"), "s/caps@13-26 caps => 'Free cash now'" },
	{ "s/caps", "t.eml", EML("Fwd: AW: Re[2]: BIG SALE"), "s/caps@25-33 caps => 'Big sale'" },
	{ "s/words", "t.eml", EML("RE:: Fw : hello there"), "s/words@19-30 2" },
	{ "s/words", "t.eml", EML("Regarding: hello"), "s/words@9-25 2" },
	/* shouting: dictionary words in capitals, not acronyms, digits, all-caps lines */
	{ "s/shout", "t.eml", EML("Save BIG on FREE HTML and RTX4090 gifts"), "s/shout@21-25 'FREE' 1" },
	{ "s/shout", "t.eml", EML("SAVE BIG ON FREE GIFTS"), "" },
	{ "s/shout5", "t.eml", EML("Our HUGE summer SALE starts today"), "" },
	{ "s/shout5", "t.eml", EML("Our GREAT summer sale STARTS today"), "s/shout5@13-37 'GREAT summer sale STARTS'" },
	/* gappy */
	{ "s/gappy", "t.eml", EML("F R E E gift and g.a.p.p.y V - I - A - G - R - A"),
	  "s/gappy@9-16 'F R E E'\ns/gappy@26-35 'g.a.p.p.y'\ns/gappy@36-57 'V - I - A - G - R - A'" },
	{ "s/gappy", "t.eml", EML("Made in the U.S.A. - Q & A"), "" },
	/* leet */
	{ "s/leet", "t.eml", EML("Get fr33 m0ney and v1agra via POP3 MP3 B2B 1st"),
	  "s/leet@13-17 'fr33' (reads as 'free')\ns/leet@18-23 'm0ney' (reads as 'money')\n"
	  "s/leet@28-34 'v1agra' (reads as 'viagra')" },
	/* broken by punctuation, spaces only inside words: */
	{ "s/broken", "t.eml", EML("Your fr.ee c@sh, v*agra or Via gra"),
	  "s/broken@14-19 'fr.ee' (reads as 'free')\ns/broken@20-24 'c@sh' (reads as 'cash')\n"
	  "s/broken@26-32 'v*agra' (reads as 'viagra')\ns/broken@36-43 'Via gra' (reads as 'viagra')" },
	{ "s/broken", "t.eml", EML("Your e-mail, co-op and Q&A on v2.0 at shop.example.com"), "" },
	/* look-alikes */
	{ "s/look", "t.eml", EML("Your \xd0\xa0" "aypal and \xf0\x9d\x90\x85\xf0\x9d\x90\x91\xf0\x9d\x90\x84\xf0\x9d\x90\x84 gift"),
	  "s/look@14-21 '\xd0\xa0" "aypal' (mixes Latin letters with Cyrillic or Greek ones that look the same)\n"
	  "s/look@26-42 '𝐅𝐑𝐄𝐄' (styled Unicode letters, not plain ones: filters read them as symbols)" },
	{ "s/look", "t.eml", EML("\xd0\x9d\xd0\xbe\xd0\xb2\xd0\xbe\xd1\x81\xd1\x82\xd0\xb8 \xe3\x82\xbb\xe3\x83\xbc\xe3\x83\xab \xef\xbc\xb3\xef\xbc\xa1\xef\xbc\xac\xef\xbc\xa5"), "" },
	/* invisible characters: exact ones get the deletion, joiners in emoji pass */
	{ "s/invis", "t.eml", EML("Fr\xe2\x80\x8b" "ee gift \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9 acc\xc2\xad\xc2\xad" "ount"),
	  "s/invis@11-14 3 => '' (U+200B zero width space)\n"
	  "s/invis@37-41 3 => '' (2 invisible characters, the first U+00AD soft hyphen)" },
	{ "s/invis", "t.eml", EML("=?utf-8?q?Fr=E2=80=8Bee?= gift"),
	  "s/invis@9-34~ 1 (decoded text: '\xe2\x80\x8b') (U+200B zero width space)" },
	/* emoji in place of words */
	{ "s/emoji", "t.eml", EML("We \xe2\x9d\xa4\xef\xb8\x8f you \xf0\x9f\x8e\x89"), "s/emoji@12-18 '❤️'" },
	{ "s/emoji", "t.eml", EML("\xf0\x9f\x8e\x81 \xf0\x9f\x8e\x89"), "s/emoji@9-13 '🎁'\ns/emoji@14-18 '🎉'" },
	/* the recipient's address and mailbox name */
	{ "s/rcpt", "t.eml",
	  "To: Kat <katfish48+news@example.com>\nSubject: Hello katfish48, mail for KATFISH48+news@example.com\n\nHi.\n",
	  "s/rcpt@52-61 'katfish48' (the recipient's mailbox name (To: katfish48+news@example.com))\n"
	  "s/rcpt@72-98 'KATFISH48+news@example.com' (the recipient's address)" },
	{ "s/rcpt", "t.eml", "To: john@example.com\nSubject: John, your order\n\nHi.\n", "" },
	{ "s/rcpt", "t.eml", "To: jsmith@example.com\nSubject: jsmith, your order\n\nHi.\n",
	  "s/rcpt@32-38 'jsmith' (the recipient's mailbox name (To: jsmith@example.com))" },
	{ "s/rcpt", "t.eml", "To: you@example.com\nSubject: Three things you asked for\n\nHi.\n", "" },
	/* a mailing list's tag is the list's address, not a scraped one */
	{ "s/rcpt", "t.eml", "To: gardeners-l@example.com\nSubject: [gardeners-l] Roses\n\nHi.\n", "" },
	/* white space at the edges, in the field as written */
	{ "s/edge", "t.eml", "Subject:   Hello there  \n\nHi.\n",
	  "s/edge@9-11 2 => ''\ns/edge@22-24 2 => ''" },
	{ "s/edge", "t.eml", "Subject: Hello there\n\nHi.\n", "" },
	{ "h/edge", "t.eml", "X-Campaign: spring \n\nHi.\n", "h/edge@18-19 1" },
	/* runs of spaces, but not the white space that folds the field */
	{ "s/runs", "t.eml", "Subject: Your order  has\tshipped, with the details\n    of every item\n\nHi.\n",
	  "s/runs@19-21 2 => ' '\ns/runs@24-25 2 => ' '" },
	{ "s/runs", "t.eml", "Subject: Your order has shipped, with the \n details\n\nHi.\n", "" },
	/* encoded words that decode to plain ASCII, with the plain text as fix */
	{ "s/plain", "t.eml", EML("=?utf-8?q?Your_March?= =?utf-8?b?IHN0YXRlbWVudA==?= is ready"),
	  "s/plain@9-60 2 => 'Your March statement' (quoted-printable and base64-encoded, yet it "
	  "decodes to plain ASCII: 'Your March statement is ready')" },
	{ "s/plain", "t.eml", EML("=?utf-8?q?Caf=C3=A9?= opening"), "" },
	/* unique tags at the end */
	{ "s/uid", "t.eml", EML("Lose weight now 24344"), "s/uid@25-30 '24344'" },
	{ "s/uid", "t.eml", EML("Get your Boost!13474"), "s/uid@24-29 '13474'" },
	{ "s/uid", "t.eml", EML("Rates drop [wxv4m]"), "s/uid@20-27 '[wxv4m]'" },
	{ "s/uid", "t.eml", EML("Credit repair moneyZDVIJO"), "s/uid@28-34 'ZDVIJO'" },
	{ "s/uid", "t.eml", EML("Best rates here pzcby"), "s/uid@25-30 'pzcby'" },
	{ "s/uid", "t.eml", EML("Toners for less.... QDHP"), "s/uid@29-33 'QDHP'" },
	{ "s/uid", "t.eml", EML("Septic tank tips 1111BUho3-485kz"), "s/uid@26-41 '1111BUho3-485kz'" },
	{ "s/uid", "t.eml", EML("Thanks for your order #4417"), "" },
	{ "s/uid", "t.eml", EML("Your invoice 100234 and order 5511"), "" },
	{ "s/uid", "t.eml", EML("Join the 5000 club"), "" },
	{ "s/uid", "t.eml", EML("News for July 2024"), "" },
	{ "s/uid", "t.eml", EML("Hand-written HTML"), "" },
	{ "s/uid", "t.eml", EML("Reminder: your appointment tomorrow at 10:00"), "" },
	/* the subject against the title and the preheader */
	{ "s/ctx", "t.eml",
	  "Subject: Spring garden furniture sale\nContent-Type: text/html\n\n"
	  "<html><head><title>Winter coats clearance</title></head><body>"
	  "<div style=\"display:none\">Warm jackets reduced</div><p>Hi.</p></body></html>\n",
	  "s/ctx@9-37 0 (title: 'Winter coats clearance'; preheader: 'Warm jackets reduced')" },
	{ "s/ctx", "t.eml",
	  "Subject: Spring gardens sale\nContent-Type: text/html\n\n"
	  "<html><head><title>Our garden furniture</title></head><body>"
	  "<div style=\"display:none\">Chairs for spring</div><p>Hi.</p></body></html>\n",
	  "s/ctx@9-28 2 (title: 'Our garden furniture'; preheader: 'Chairs for spring')" },
	/* no preheader: a title alone says too little */
	{ "s/ctx", "t.eml",
	  "Subject: Spring gardens sale\nContent-Type: text/html\n\n"
	  "<html><head><title>Software newsletter</title></head><body><p>Hi.</p></body></html>\n", "" },
	{ "s/ctx", "t.eml", EML("Spring garden sale"), "" },
	/* preheader: located at what the preview shows instead */
	{ "s/pre", "t.html", "<html><body><p>View in browser</p><p>Sale.</p></body></html>\n",
	  "s/pre@15-30 'View in browser'" },
	{ "s/pre", "t.html",
	  "<html><body><div class=\"preheader\">Chairs reduced</div><p>Sale.</p></body></html>\n", "" },
	{ "s/preunit", "t.txt", "Sale.\n", "" },
	{ "s/preunit", "t.eml", EML("Hello there"), "" },
};

static void render(sl_context *ctx, const char *name, const char *in, const char *list,
                   char *out, size_t size)
{
	t_render(ctx, name, in, list, 1, out, size);
}

/* Loading: span needs a locating metric, words and ignore_shorter belong
 * to some metrics only. */
static void test_load_errors(void)
{
	static const struct {
		const char *yaml, *want;
	} bad[] = {
		{ SUBJ("length", "max: 1\nspan: each\nmessage: x\n"),
		  "t/x.yml:5:7: error: metric 'length' does not locate what it counts: span must be unit" },
		{ SUBJ("gappy-words", "max: 0\nspan: some\nmessage: x\n"),
		  "t/x.yml:5:7: error: span must be unit, items or each, not 'some'" },
		{ SUBJ("gappy-words", "max: 0\nwords: [a]\nmessage: x\n"),
		  "t/x.yml:5:8: error: 'words' applies to metrics leet-words and broken-words only" },
		{ SUBJ("length", "max: 0\nignore_shorter: 2\nmessage: x\n"),
		  "t/x.yml:5:17: error: 'ignore_shorter' applies to metrics allcaps-words and shouting-words only" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char dir[600];
		snprintf(dir, sizeof dir, "%s/bad%zu", top, i);
		write_file(dir, "t/x", bad[i].yaml);
		const char *rd[1] = { dir };
		sl_options o;
		memset(&o, 0, sizeof o);
		o.rule_dirs = rd;
		o.nrule_dirs = 1;
		sl_context *ctx;
		int rc = sl_context_new(&ctx, &o);
		T_EQ(rc, SL_ERULES, "bad rule rc");
		const char *msg = sl_context_errmsg(ctx);
		const char *at = strstr(msg, "t/x.yml:");
		size_t n = at ? strcspn(at, "\n") : 0;
		char line[300];
		snprintf(line, sizeof line, "%.*s", (int)n, at ? at : "");
		T_STREQ(line, bad[i].want, "load error");
		sl_context_free(ctx);
	}
}

/* Many invisible characters: at most METRIC_ITEMS located, the rest
 * counted, and the limit reported once. */
static void test_item_limit(sl_context *ctx)
{
	size_t n = 1500;
	char *in = malloc(n * 5 + 64);
	size_t k = (size_t)snprintf(in, 64, "Subject: ");
	for (size_t i = 0; i < n; i++) {
		memcpy(in + k, "a\xe2\x80\x8b", 4);
		k += 4;
	}
	memcpy(in + k, "\n\nHi.\n", 7);
	sl_result *r;
	T_CHECK(sl_lint(&r, ctx, "t.eml", (const unsigned char *)in, strlen(in)) == 0, "lint");
	size_t limits = 0, seen = 0;
	for (size_t i = 0; i < sl_result_count(r); i++) {
		const sl_diag *d = sl_result_diag(r, i);
		limits += !strcmp(d->rule, "input/limit-metric-items");
		if (!strcmp(d->rule, "s/invis") && !seen++)
			T_STREQ(d->message, "1500", "value counts every character");
	}
	const sl_rule *rule = rules_find(ctx, "s/invis");
	T_EQ(rule && r->rule_hits ? r->rule_hits[rule->index] : 0, 1000, "located items");
	T_EQ(limits, 1, "limit reported once");
	sl_result_free(r);
	free(in);
}

int main(void)
{
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 2;
	}
	char dir[600];
	snprintf(dir, sizeof dir, "%s/rules", top);
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
		write_file(dir, rules[i].id, rules[i].yaml);
	const char *rd[1] = { dir };
	sl_options o;
	memset(&o, 0, sizeof o);
	o.rule_dirs = rd;
	o.nrule_dirs = 1;
	sl_context *ctx;
	if (sl_context_new(&ctx, &o)) {
		printf("context: %s", sl_context_errmsg(ctx));
		T_CHECK(0, "context");
	} else {
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			char got[4096];
			render(ctx, cases[i].name, cases[i].input, cases[i].rules, got, sizeof got);
			T_CHECK(!strcmp(got, cases[i].want), "case %zu (%s): got\n%s\nwant\n%s", i,
			        cases[i].rules, got, cases[i].want);
		}
		test_item_limit(ctx);
	}
	sl_context_free(ctx);
	test_load_errors();
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("note: could not remove %s\n", top);
	return t_done();
}
