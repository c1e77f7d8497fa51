/*
 * test_engine.c - the engine end to end: regex, header, metric and spell
 * rules over small inputs with their exact diagnostics (span, message,
 * fix-its, notes), message templates, the regex limits, sorting, and the
 * load errors the kinds report (exact file:line:col text).
 *
 * Rules are written to temporary directories and loaded like user rule
 * dirs.  Each case lints one input and renders the diagnostics whose rule
 * starts with one of the case's prefixes, one per line:
 *   rule@off-end[~] message [=> fix] [(note)...]
 * where ~ marks an inexact span.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"

static char top[] = "/tmp/sl_test_engine_XXXXXX";

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

static const struct {
	const char *id, *yaml;
} rules[] = {
	/* regex */
	{ "e/bangs", "kind: regex\nscope: subject\npattern: '!{2,}'\n"
	  "message: \"{count} marks: '{match}'\"\nfix: { replace: \"!\" }\n"
	  "suggest: \"calm down\"\n" COMMON },
	{ "e/named", "kind: regex\nscope: paragraph\npattern: '(?<amount>\\$\\d+) off'\n"
	  "message: \"discount {amount} in '{match}'\"\n" COMMON },
	{ "e/free", "kind: regex\nscope: sentence\nflags: i\npattern: '\\bfree\\b'\n"
	  "message: \"'{match}'\"\nfix: { action: lower }\n" COMMON },
	{ "e/raw", "kind: regex\nscope: raw\npattern: 'X-Mailer: \\w+'\nmessage: \"{match}\"\n" COMMON },
	{ "e/href", "kind: regex\nscope: link\ntarget: href\npattern: '^http:'\n"
	  "message: \"insecure link '{match}'\"\n" COMMON },
	{ "e/alt", "kind: regex\nscope: alt\npattern: '(?i)click'\nmessage: \"{match}\"\n" COMMON },
	{ "e/hdr", "kind: regex\nscope: header:X-Campaign\npattern: '\\d+'\nmessage: \"{match}\"\n" COMMON },
	{ "e/caps", "kind: metric\nscope: subject\nmetric: caps-ratio\nequals: 1\nmin_words: 2\n"
	  "message: capitals\nfix: { action: sentence-case }\n" COMMON },
	{ "e/slow", "kind: regex\nscope: paragraph\npattern: '(a+)+$'\nmessage: x\n" COMMON },
	{ "e/quiet", "kind: regex\nscope: paragraph\npattern: quiet\nmessage: x\nreport: false\n" COMMON },
	/* header */
	{ "h/absent", "kind: header\nscope: header:List-Unsubscribe\ntest: absent\n"
	  "message: \"no {header}\"\n" COMMON },
	{ "h/present", "kind: header\nscope: header:X-Mailer\ntest: present\n"
	  "message: \"{header}: '{match}'\"\n" COMMON },
	{ "h/multiple", "kind: header\nscope: header:Subject\ntest: multiple\n"
	  "message: \"{count} subjects\"\n" COMMON },
	{ "h/empty", "kind: header\nscope: header:To\ntest: empty\nmessage: empty\n" COMMON },
	{ "h/matches", "kind: header\nscope: header:Subject\ntest: matches\npattern: '^(?i)re:'\n"
	  "message: \"fake reply '{match}'\"\n" COMMON },
	{ "h/notmatches", "kind: header\nscope: header:Message-ID\ntest: not-matches\n"
	  "pattern: '^<[^@>]+@[^>]+>$'\nmessage: bad id\n" COMMON },
	{ "h/addr", "kind: header\nscope: header:From\ntest: invalid-address\nmessage: bad from\n" COMMON },
	{ "h/date", "kind: header\nscope: header:Date\ntest: invalid-date\nmessage: bad date\n" COMMON },
	{ "h/dd", "kind: header\nscope: header:Reply-To\ntest: domain-differs\nagainst: From\n"
	  "message: \"{domain} vs {against}\"\n" COMMON },
	{ "h/8bit", "kind: header\nscope: message\nheader: Subject\ntest: 8bit\nmessage: raw\n" COMMON },
	/* metrics: max -1 always hits, to show the value */
	{ "m/length", "kind: metric\nscope: subject\nmetric: length\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/words", "kind: metric\nscope: paragraph\nmetric: words\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/caps", "kind: metric\nscope: subject\nmetric: caps-ratio\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/allcaps", "kind: metric\nscope: body\nmetric: allcaps-words\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/excl", "kind: metric\nscope: paragraph\nmetric: exclamations\nmax: 1\n"
	  "message: \"{value} > {threshold}\"\n" COMMON },
	{ "m/quest", "kind: metric\nscope: body\nmetric: questions\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/emoji", "kind: metric\nscope: body\nmetric: emoji\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/ph", "kind: metric\nscope: body\nmetric: placeholders\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/links", "kind: metric\nscope: message\nmetric: links\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/images", "kind: metric\nscope: message\nmetric: images\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/altmiss", "kind: metric\nscope: message\nmetric: image-alt-missing\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/t2i", "kind: metric\nscope: body\nmetric: text-to-image\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/html", "kind: metric\nscope: message\nmetric: html-size\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/sent", "kind: metric\nscope: body\nmetric: sentences\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/wps", "kind: metric\nscope: sentence\nmetric: words-per-sentence\nmax: -1\nmessage: \"{value}\"\n" COMMON },
	{ "m/read", "kind: metric\nscope: body\nmetric: readability\nmax: -1000\nmessage: \"{value}\"\n" COMMON },
	{ "m/hidden", "kind: metric\nscope: message\nmetric: hidden-text-chars\nmin: 1000\nmessage: \"{value}\"\n" COMMON },
	/* spelling */
	{ "s/spell", "kind: spell\nscope: paragraph\nmessage: \"'{word}'\"\nignore: [blorp]\n" COMMON },
	{ "s/names", "kind: spell\nscope: paragraph\nnames: check\nmessage: \"'{word}'\"\n" COMMON },
};

static const struct {
	const char *prefixes, *name, *input, *want;
} cases[] = {
	/* regex: {count}, {match}, fix-it, suggest note; sorted by offset */
	{ "e/bangs", "t.eml", "Subject: Sale!!! Now!!\n\nHi.\n",
	  "e/bangs@13-16 3 marks: '!!!' => '!' (consider: calm down)\n"
	  "e/bangs@20-22 2 marks: '!!' => '!' (consider: calm down)" },
	/* inside an encoded word the span is inexact: no fix-it, a note */
	{ "e/bangs", "t.eml", "Subject: =?utf-8?q?Sale!!!?=\n\nHi.\n",
	  "e/bangs@9-28~ 3 marks: '!!!' (decoded text: '!!!') (consider: calm down)" },
	/* named groups */
	{ "e/named", "t.txt", "Get $20 off today and $5 off tomorrow.\n",
	  "e/named@4-11 discount $20 in '$20 off'\ne/named@22-28 discount $5 in '$5 off'" },
	/* flags, sentence scope, fix action lower */
	{ "e/free", "t.txt", "It is FREE. Free again.\n",
	  "e/free@6-10 'FREE' => 'free'\ne/free@12-16 'Free' => 'free'" },
	/* raw scope sees the original bytes, headers included */
	{ "e/raw", "t.eml", "X-Mailer: Foo\nSubject: x\n\nX-Mailer: Bar\n",
	  "e/raw@0-13 X-Mailer: Foo\ne/raw@26-39 X-Mailer: Bar" },
	/* link href and alt text */
	{ "e/href,e/alt", "t.html",
	  "<html><body><p><a href=\"http://a.example/\">A</a> <a href=\"https://b.example/\">B</a>"
	  " <img src=\"x.png\" alt=\"Click me\"></p></body></html>\n",
	  "e/href@24-29 insecure link 'http:'\ne/alt@106-111 Click" },
	/* header:NAME scope on a regex rule; not in templates */
	{ "e/hdr", "t.eml", "X-Campaign: spring 2024\nSubject: x\n\nHi.\n", "e/hdr@19-23 2024" },
	{ "e/hdr", "t.txt", "X-Campaign 2024\n", "" },
	/* sentence-case fix of a whole subject */
	{ "e/caps", "t.eml", "Subject: LAST CHANCE TO SAVE, I SAID\n\nHi.\n",
	  "e/caps@9-36 capitals => 'Last chance to save, I said'" },
	/* report: false rules make no diagnostic */
	{ "e/quiet", "t.txt", "Be quiet.\n", "" },

	/* header predicates */
	{ "h/absent", "t.eml", "From: a@b.example\nSubject: x\n\nHi.\n", "h/absent@28-28 no List-Unsubscribe" },
	{ "h/absent", "t.eml", "List-Unsubscribe: <https://u.example/>\n\nHi.\n", "" },
	{ "h/absent", "t.txt", "Hello.\n", "" }, /* templates have no headers */
	{ "h/present", "t.eml", "X-Mailer: Foo 1.0\n\nHi.\n", "h/present@0-17 X-Mailer: 'X-Mailer: Foo 1.0'" },
	{ "h/multiple", "t.eml", "Subject: a\nSubject: b\nSubject: c\n\nHi.\n",
	  "h/multiple@11-21 3 subjects (the first 'Subject' field is on line 1)" },
	{ "h/empty", "t.eml", "To:  \nSubject: x\n\nHi.\n", "h/empty@0-5 empty" },
	{ "h/matches", "t.eml", "Subject: RE: your invoice\n\nHi.\n", "h/matches@9-12 fake reply 'RE:'" },
	{ "h/notmatches", "t.eml", "Message-ID: <abc@x.example>\n\nHi.\n", "" },
	{ "h/notmatches", "t.eml", "Message-ID: abc\n\nHi.\n", "h/notmatches@0-15 bad id" },
	{ "h/addr", "t.eml",
	  "From: \"Shop, Inc.\" <news@shop.example> (comment)\n\nHi.\n", "" },
	{ "h/addr", "t.eml", "From: undisclosed-recipients:;\n\nHi.\n", "" },
	{ "h/addr", "t.eml", "From: Shop News news@shop.example\n\nHi.\n",
	  "h/addr@0-33 bad from (spaces in the local part (a display name needs <...> around the address))" },
	{ "h/addr", "t.eml", "From: Shop <news.shop.example>\n\nHi.\n",
	  "h/addr@0-30 bad from (missing '@' before '>')" },
	{ "h/addr", "t.eml", "From: <news@>\n\nHi.\n", "h/addr@0-13 bad from (empty domain)" },
	{ "h/addr", "t.eml", "From: a@b.example, \"unterminated\n\nHi.\n",
	  "h/addr@0-32 bad from (unterminated quoted string)" },
	{ "h/date", "t.eml", "Date: Mon, 3 Jun 2024 10:00:00 +0000\n\nHi.\n", "" },
	{ "h/date", "t.eml", "Date: 3 Jun 24 10:00 GMT (old style)\n\nHi.\n", "" },
	{ "h/date", "t.eml", "Date: Tue, 3 Jun 2024 10:00:00 +0000\n\nHi.\n",
	  "h/date@0-36 bad date (the 3 jun 2024 is not a tue)" },
	{ "h/date", "t.eml", "Date: 31 Feb 2024 10:00:00 +0000\n\nHi.\n",
	  "h/date@0-32 bad date (day 31 does not exist in feb)" },
	{ "h/date", "t.eml", "Date: 2024-06-03T10:00:00Z\n\nHi.\n",
	  "h/date@0-26 bad date (invalid day of the month)" },
	{ "h/dd", "t.eml", "From: a@mail.shop.example\nReply-To: b@shop.example\n\nHi.\n", "" },
	{ "h/dd", "t.eml", "From: a@shop.co.uk\nReply-To: b@other.co.uk\n\nHi.\n",
	  "h/dd@19-42 other.co.uk vs shop.co.uk ('other.co.uk' here, 'shop.co.uk' in From)" },
	{ "h/8bit", "t.eml", "Subject: Caf\xC3\xA9\n\nHi.\n",
	  "h/8bit@0-14 raw (raw 8-bit bytes in a header field need RFC 2047 encoding (or SMTPUTF8, RFC 6532))" },

	/* metric values; body and message scopes span the message body (here
	 * the whole template) */
	{ "m/length", "t.eml", "Subject: Caf\xC3\xA9 ok\n\nHi.\n", "m/length@9-17 7" },
	{ "m/caps", "t.eml", "Subject: ABCd {{ X }}\n\nHi.\n", "m/caps@9-21 0.75" },
	{ "m/words", "t.txt", "One two, 3 {{ four }} https://x.example/ five.\n", "m/words@0-46 4" },
	{ "m/allcaps", "t.txt", "FREE USA GIFTS now. OK\n", "m/allcaps@0-23 2" },
	{ "m/excl", "t.txt", "Wow! Yes!\n\nOne!\n", "m/excl@0-9 2 > 1" },
	{ "m/quest", "t.txt", "Why? Really?\n", "m/quest@0-13 2" },
	{ "m/emoji", "t.txt",
	  "Hi \xF0\x9F\x8E\x89 \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9 \xE2\x9D\xA4\xEF\xB8\x8F"
	  " \xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\n",
	  "m/emoji@0-36 4" },
	{ "m/ph", "t.txt", "Hi {{ name }}, your *|CODE|* is ready.\n", "m/ph@0-39 2" },
	{ "m/links", "t.txt", "See https://a.example/ and www.b.example.\n", "m/links@0-42 2" },
	{ "m/images,m/altmiss,m/t2i", "t.html",
	  "<html><body><p>Hello there</p><img src=\"a.png\" alt=\"A\">"
	  "<img src=\"b.png\"><img src=\"p.gif\" width=\"1\" height=\"1\"></body></html>\n",
	  "m/altmiss@0-125 1\nm/images@0-125 3\nm/t2i@0-125 5" },
	{ "m/t2i", "t.txt", "No images here.\n", "" },
	{ "m/html", "t.html", "<html><body><p>Hi</p></body></html>\n", "m/html@0-36 36" },
	{ "m/sent,m/wps", "t.txt", "One two three. Four five!\n",
	  "m/sent@0-26 2\nm/wps@0-14 3\nm/wps@15-25 2" },
	{ "m/read", "t.txt", "The cat sat on the mat.\n", "m/read@0-24 116.15" },
	{ "m/hidden", "t.html",
	  "<html><body><p>Hi</p><p style=\"display:none\">ab cd</p></body></html>\n", "m/hidden@0-69 4" },

	/* spelling: vocabulary (with possessives), ignore list, skipped tokens */
	{ "s/spell", "t.txt",
	  "Acme's gizmoo from Zorblax is blorp. NASA 4GB {{ nam }} https://x.example/qqzz\n",
	  "s/spell@7-13 'gizmoo'" },
	{ "s/spell", "t.txt", "We apreciate it.\n", "s/spell@3-12 'apreciate'" },
	/* capitalised inside a sentence: a name, unless names: check */
	{ "s/spell", "t.txt", "We met Okafor. Zorbex came.\n", "s/spell@15-21 'Zorbex'" },
	{ "s/names", "t.txt", "We met Okafor.\n", "s/names@7-13 'Okafor'" },
};

static int has_prefix(const char *rule, const char *prefixes)
{
	const char *p = prefixes;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (!strncmp(rule, p, n) && (rule[n] == 0 || rule[n] == '/' || p[n - 1] == '/'))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

static void render(sl_context *ctx, const char *name, const char *in, const char *prefixes,
                   char *out, size_t size)
{
	sl_result *r;
	out[0] = 0;
	if (sl_lint(&r, ctx, name, (const unsigned char *)in, strlen(in))) {
		snprintf(out, size, "(lint failed)");
		return;
	}
	size_t n = 0;
#define ADD(...) n += (size_t)snprintf(out + n, n < size ? size - n : 0, __VA_ARGS__)
	for (size_t i = 0; i < sl_result_count(r); i++) {
		const sl_diag *d = sl_result_diag(r, i);
		if (!has_prefix(d->rule, prefixes))
			continue;
		ADD("%s%s@%zu-%zu%s %s", n ? "\n" : "", d->rule, d->offset, d->end_offset,
		    d->exact ? "" : "~", d->message);
		for (size_t k = 0; k < d->nfixits; k++)
			ADD(" => '%s'", d->fixits[k].text);
		for (size_t k = 0; k < d->nnotes; k++)
			ADD(" (%s)", d->notes[k]);
	}
#undef ADD
	sl_result_free(r);
}

static sl_context *load(const char *dir, const char *const *vocab, size_t nvocab)
{
	const char *rd[1] = { dir };
	sl_options o;
	memset(&o, 0, sizeof o);
	o.rule_dirs = rd;
	o.nrule_dirs = 1;
	o.vocabulary = vocab;
	o.nvocabulary = nvocab;
	sl_context *ctx;
	if (sl_context_new(&ctx, &o)) {
		printf("context: %s", sl_context_errmsg(ctx));
		sl_context_free(ctx);
		return NULL;
	}
	return ctx;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A catastrophic pattern on long inputs: one input/limit-regex per rule
 * and file, quickly, and the other paragraphs still checked. */
static void test_regex_limit(sl_context *ctx)
{
	size_t n = 5000;
	char *in = malloc(3 * n + 16);
	memset(in, 'a', n);
	memcpy(in + n, "!\n\n", 3);
	memset(in + n + 3, 'a', n);
	memcpy(in + 2 * n + 3, "!\n\naaa\n", 8);
	double t0 = now();
	char got[4096];
	render(ctx, "t.txt", in, "input/,e/slow", got, sizeof got);
	double t = now() - t0;
	char want[256];
	snprintf(want, sizeof want,
	         "input/limit-regex@0-%zu pattern of rule 'e/slow' reached the regex limit "
	         "(match limit 1000000, depth 100000); the rest of this text is not checked\n"
	         "e/slow@%zu-%zu x", n + 1, 2 * n + 6, 2 * n + 9);
	T_STREQ(got, want, "regex limit");
	printf("catastrophic pattern over 2 x %zu bytes: %.3f s\n", n, t);
	free(in);
}

/* One context shared by threads (hunspell behind its mutex, the cache,
 * the shared matchers): every thread gets the single-threaded answer. */
typedef struct tjob {
	sl_context *ctx;
	const char *in, *want;
	int bad;
} tjob;

static void *tworker(void *arg)
{
	tjob *j = arg;
	for (int i = 0; i < 25; i++) {
		char got[4096];
		render(j->ctx, "t.txt", j->in, "s/spell,e/,m/words", got, sizeof got);
		if (strcmp(got, j->want))
			j->bad++;
	}
	return NULL;
}

static void test_threads(sl_context *ctx)
{
	static const char in[] =
		"We apreciate your FREE gizmoo, and the wrold thanks you.\n\n"
		"Anothr paragraf with free words.\n";
	char want[4096];
	render(ctx, "t.txt", in, "s/spell,e/,m/words", want, sizeof want);
	T_STREQ(want,
	        "m/words@0-56 10\n"
	        "s/spell@3-12 'apreciate'\n"
	        "e/free@18-22 'FREE' => 'free'\n"
	        "s/spell@23-29 'gizmoo'\n"
	        "s/spell@39-44 'wrold'\n"
	        "m/words@58-90 5\n"
	        "s/spell@58-64 'Anothr'\n"
	        "s/spell@65-73 'paragraf'\n"
	        "e/free@79-83 'free' => 'free'", "single thread");
	pthread_t th[4];
	tjob jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (tjob){ ctx, in, want, 0 };
		T_CHECK(pthread_create(&th[i], NULL, tworker, &jobs[i]) == 0, "thread");
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		T_EQ(jobs[i].bad, 0, "thread results");
	}
}

/* Loading bad rules: exact errors at the YAML's line and column. */
static void test_load_errors(void)
{
	static const struct {
		const char *yaml, *want;
	} bad[] = {
		{ "kind: regex\nscope: subject\npattern: \"ab(c\"\nmessage: x\n" COMMON,
		  "t/x.yml:3:15: error: invalid regular expression: missing closing parenthesis" },
		{ "kind: regex\nscope: subject\npattern: a\nmessage: \"x {nope} y\"\n" COMMON,
		  "t/x.yml:4:13: error: unknown placeholder '{nope}' in message" },
		{ "kind: regex\nscope: subject\npattern: a\nflags: q\nmessage: x\n" COMMON,
		  "t/x.yml:3:10: error: unknown regex flag 'q' (use i, m, s, x)" },
		{ "kind: phrase\nscope: raw\nphrases: [a]\nmessage: x\n" COMMON,
		  "t/x.yml:2:8: error: scope 'raw' is not allowed for a phrase rule" },
		{ "kind: phrase\nscope: body\nphrases: [\"a, b\"]\nmessage: x\n" COMMON,
		  "t/x.yml:3:11: error: phrase word 'a,' holds punctuation; phrases are words only" },
		{ "kind: phrase\nscope: body\nphrases: [\"* *\"]\nmessage: x\n" COMMON,
		  "t/x.yml:3:11: error: phrase '* *' has no word" },
		{ "kind: metric\nscope: subject\nmetric: images\nmin: 1\nmessage: x\n" COMMON,
		  "t/x.yml:2:8: error: scope 'subject' is not allowed for metric 'images'" },
		{ "kind: metric\nscope: subject\nmetric: nope\nmin: 1\nmessage: x\n" COMMON,
		  "t/x.yml:3:9: error: unknown metric 'nope'" },
		{ "kind: metric\nscope: subject\nmetric: length\nmessage: x\n" COMMON,
		  "t/x.yml:3:9: error: a metric rule needs 'min', 'max' or 'equals'" },
		{ "kind: header\nscope: header:From\ntest: matches\nmessage: x\n" COMMON,
		  "t/x.yml:3:7: error: test 'matches' needs 'pattern'" },
		{ "kind: header\nscope: header:From\ntest: sideways\nmessage: x\n" COMMON,
		  "t/x.yml:3:7: error: unknown header test 'sideways'" },
		{ "kind: header\nscope: header:From\ntest: absent\nmessage: \"{domain}\"\n" COMMON,
		  "t/x.yml:4:11: error: unknown placeholder '{domain}' in message" },
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
	static const char *const vocab[] = { "Acme", "Zorblax Inc" };
	sl_context *ctx = load(dir, vocab, 2);
	T_CHECK(ctx != NULL, "context");
	if (ctx) {
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			char got[4096];
			render(ctx, cases[i].name, cases[i].input, cases[i].prefixes, got, sizeof got);
			T_CHECK(!strcmp(got, cases[i].want), "case %zu (%s): got\n%s\nwant\n%s", i,
			        cases[i].prefixes, got, cases[i].want);
		}
		test_regex_limit(ctx);
		test_threads(ctx);
		sl_context_free(ctx);
	}
	test_load_errors();
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("note: could not remove %s\n", top);
	return t_done();
}
