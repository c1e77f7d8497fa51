/*
 * test_metric_compliance.c - the measurements of metric_compliance.c:
 * unsubscribe-links, unsubscribe-mailto-only, postal-addresses,
 * html-sent-size, footer-offset, html-only, alternative-missing-words,
 * alternative-missing-facts, template-tags-unbalanced, merge-tag-fallback
 * and lorem-words, with the exact span, message and notes of what they
 * locate; and the spell kind's reading of words (spell.c).
 *
 * Rules are written to a temporary directory and loaded like a user rule
 * dir.  Each case lints one input and renders the diagnostics of the
 * rules named in the case, one per line:
 *   rule@off-end[~] message [(note)...]
 * where ~ marks an inexact span.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"
#include "t_lint.h"

static char top[] = "/tmp/sl_test_compliance_XXXXXX";

static void write_file(const char *dir, const char *id, const char *body)
{
	char path[1024], sub[1024];
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
#define MSG(m, extra) "kind: metric\nscope: message\nmetric: " m "\n" extra COMMON

static const struct {
	const char *id, *yaml;
} rules[] = {
	{ "c/unsub", MSG("unsubscribe-links", "max: -1\nspan: each\nmessage: \"{value} '{match}'\"\n") },
	{ "c/mailto", MSG("unsubscribe-mailto-only", "equals: 1\nspan: items\nmessage: \"'{match}'\"\n") },
	{ "c/addr", MSG("postal-addresses", "max: -1\nspan: each\nmessage: \"{value} '{match}'\"\n") },
	{ "c/size", MSG("html-sent-size", "max: 100\nspan: items\nmessage: \"{value}\"\n") },
	{ "c/foot", MSG("footer-offset", "max: 100\nspan: each\nmessage: \"'{match}' {value}\"\n") },
	{ "c/htmlonly", MSG("html-only", "equals: 1\nspan: items\nmessage: \"'{match}'\"\n") },
	{ "c/altw", MSG("alternative-missing-words", "max: -1\nspan: items\nmessage: \"{value}\"\n") },
	{ "c/altf", MSG("alternative-missing-facts", "max: 0\nspan: items\nmessage: \"'{match}' {value}\"\n") },
	{ "c/tags", MSG("template-tags-unbalanced", "max: 0\nspan: each\nmessage: \"'{match}'\"\n") },
	{ "c/merge", MSG("merge-tag-fallback", "max: 0\nspan: each\nmessage: \"'{match}'\"\n") },
	{ "c/lorem", "kind: metric\nscope: paragraph\nmetric: lorem-words\nmax: 1\nspan: items\n"
	  "message: \"{value}\"\n" COMMON },
	{ "c/spell", "kind: spell\nscope: message\nalt: include\nmessage: \"'{word}'\"\n"
	  "ignore: [preheader]\n" COMMON },
};

#define EML(body) "From: a@shop.example\nSubject: Spring\n\n" body

#define ALT(text, html) \
	"From: a@shop.example\nSubject: Spring\n" \
	"Content-Type: multipart/alternative; boundary=\"b\"\n\n" \
	"--b\nContent-Type: text/plain\n\n" text "\n" \
	"--b\nContent-Type: text/html\n\n" html "\n--b--\n"

static const struct {
	const char *rules, *name, *input, *want;
} cases[] = {
	/* unsubscribe: by URL, text, sentence; a tag as href; plain text */
	{ "c/unsub", "t.html",
	  "<p>Spring. <a href=\"https://s.example/u?x=1\">Leave</a></p>",
	  "c/unsub@3-50~ 0 'Spring. Leave' (decoded text: 'Spring. Leave') "
	  "(the end of the body, where readers look for the link)" },
	{ "c/unsub", "t.html",
	  "<p>Spring.</p><p>To unsubscribe, <a href=\"https://s.example/x\">click here</a>.</p>"
	  "<p><a href=\"{{ unsubscribe_url }}\">Leave</a> <a href=\"https://s.example/opt-out\">Go</a></p>",
	  "c/unsub@63-73 3 'click here'\nc/unsub@117-122 3 'Leave'\nc/unsub@163-165 3 'Go'" },
	{ "c/unsub", "t.txt", "Spring is here.\n\nTo unsubscribe:\n\nhttps://s.example/u/1\n",
	  "c/unsub@34-55 1 'https://s.example/u/1'" },
	{ "c/unsub", "t.txt", "Spring is here.\n\nSend a blank email to news@s.example to stop.\n",
	  "c/unsub@17-62 0 'Send a blank email to news@s.example to stop.' "
	  "(the end of the body, where readers look for the link)" },
	{ "c/unsub", "t.txt", "Spring is here.\n\nSend a blank email to leave-news@s.example.\n",
	  "c/unsub@39-59 1 'leave-news@s.example'" },
	{ "c/unsub", "t.txt", "Spring is here.\n\nTo unsubscribe, reply with REMOVE.\n",
	  "c/unsub@20-31 1 'unsubscribe'" },
	{ "c/unsub", "t.html", "<p>Spring.</p><p>Unsubscribe: [unsubscribe]</p>",
	  "c/unsub@30-43 1 '[unsubscribe]'" },
	/* the preheader and hidden text do not count */
	{ "c/unsub", "t.html",
	  "<div style=\"display:none\">x <a href=\"https://s.example/unsubscribe\">Unsubscribe</a></div>"
	  "<p>Spring is here.</p>",
	  "c/unsub@92-107 0 'Spring is here.' (the end of the body, where readers look for the link)" },
	{ "c/mailto", "t.html",
	  "<p>Spring. <a href=\"mailto:out@s.example?subject=unsubscribe\">Unsubscribe</a></p>",
	  "c/mailto@62-73 'Unsubscribe'" },
	{ "c/mailto", "t.html",
	  "<p>Spring. <a href=\"mailto:out@s.example\">Unsubscribe</a> or "
	  "<a href=\"https://s.example/unsubscribe\">online</a></p>", "" },
	/* postal addresses by their shape, and merge tags for them */
	{ "c/addr", "t.html",
	  "<p>Fieldnote Inc., 210 Mill Street, Suite 4, Asheville, NC 28801</p>"
	  "<p>PO Box 4417 - Marlow Ltd, London EC2V 6AA - Toronto ON M5V 2T6</p>"
	  "<p>Larkspur GmbH, Hauptstraße 5, 10115 Berlin - 12 rue de la Paix, 75002 Paris</p>"
	  "<p>{{ company.address }} [Sender_Address] *|LIST:ADDRESSLINE|*</p>",
	  "c/addr@19-34 10 '210 Mill Street'\nc/addr@45-64 10 'Asheville, NC 28801'\n"
	  "c/addr@71-82 10 'PO Box 4417'\nc/addr@104-112 10 'EC2V 6AA'\nc/addr@126-133 10 'M5V 2T6'\n"
	  "c/addr@155-183 10 'Hauptstraße 5, 10115 Berlin'\nc/addr@189-216 10 'rue de la Paix, 75002 Paris'\n"
	  "c/addr@223-244 10 '{{ company.address }}'\nc/addr@245-261 10 '[Sender_Address]'\n"
	  "c/addr@262-282 10 '*|LIST:ADDRESSLINE|*'" },
	{ "c/addr", "t.html",
	  "<p>Your 56K Modem Internal CD-ROM Drive, colour #E4E4E4, {{ email_address }}, at 7 AM CT.</p>",
	  "c/addr@3-89 0 'Your 56K Modem Internal CD-ROM Drive, colour #E4E4E4, {{ ema...' "
	  "(the end of the body, where the sender's postal address usually goes)" },
	/* Gmail's clip: where it falls, and a footer past it */
	{ "c/size", "t.html", "<p>Spring is here, with long linen shirts and straw hats for the garden, the beach and the hills.</p>",
	  "c/size@100-101 101 (1 byte of HTML follows this point)" },
	{ "c/size", "t.html", "<p>Spring is here.</p>", "" },
	{ "c/foot", "t.html",
	  "<p>Spring is here, with long linen shirts and straw hats.</p><p><a href=\"https://s.example/u\">Unsubscribe</a> "
	  "- 210 Mill Street, Asheville, NC 28801</p>",
	  "c/foot@94-105 'Unsubscribe' 127 (the unsubscribe link ends 105 bytes into the HTML)\n"
	  "c/foot@112-127 '210 Mill Street' 127 (the postal address ends 127 bytes into the HTML)" },
	/* alternatives */
	{ "c/htmlonly", "t.eml", "From: a@shop.example\nContent-Type: text/html\n\n<p>Hi.</p>\n",
	  "c/htmlonly@21-44 'Content-Type: text/html'" },
	{ "c/htmlonly", "t.eml", ALT("Hi.", "<p>Hi.</p>"), "" },
	{ "c/altw", "t.eml", ALT("Linen shirts are here.", "<p>Linen shirts and straw hats are here.</p>"),
	  "c/altw@118-140 50 (2 of the HTML's 4 words are missing here, such as 'straw', 'hats')" },
	{ "c/altf", "t.eml", ALT("Your order ships Monday.",
	  "<p>Your order #4417 of $49.00 ships Monday at 10:30.</p>"),
	  "c/altf@186-191 '#4417' 3 (2 more missing, such as '$49.00', '10:30')" },
	/* template tags */
	{ "c/tags", "t.html",
	  "<p>{% else %}{% if a %}A{% endfor %}</p><p>{{#each x}}{{y}}</p><p>{{{z}}</p>",
	  "c/tags@3-13 '{% else %}' ('{% else %}' is outside any block)\n"
	  "c/tags@13-23 '{% if a %}' ('{% if a %}' is never closed)\n"
	  "c/tags@24-36 '{% endfor %}' ('{% endfor %}' closes no open block)\n"
	  "c/tags@43-54 '{{#each x}}' ('{{#each x}}' is never closed)\n"
	  "c/tags@66-72 '{{{z}}' ('{{{z}}' is never closed)" },
	{ "c/tags", "t.html", "<p>{% for a in b %}{% if a %}A{% endfor %}</p>",
	  "c/tags@19-29 '{% if a %}' ('{% if a %}' is never closed: '{% endfor %}' comes first)" },
	{ "c/tags", "t.html",
	  "<p>{% raw %}{% if %}{% endraw %} {# {% if %} #} {{! {{#if}} }} {% set a = 1 %}"
	  "*|IF:FNAME|*Hi*|ELSE:|*Hey*|END:IF|* {{#a}}{{^b}}{{/b}}{{/a}}</p>", "" },
	{ "c/tags", "t.txt", "Use f({{ x }) in code.\n", "" },
	/* merge tags without a fallback, in prose, outside guards and loops */
	{ "c/merge", "t.html",
	  "<p>Hi {{ first_name }}, {{ first_name | default: \"there\" }}, {{ name or 'you' }}.</p>"
	  "<p>{% if user.first_name %}Hi {{ user.first_name }}{% endif %}</p>"
	  "<p>{{#each items}}{{name}} costs {{price}}{{/each}}</p><p>{{ city }}</p>"
	  "<p>Dear *|FNAME|*, from {{ company }}</p>",
	  "c/merge@6-22 '{{ first_name }}'\n"
	  "c/merge@231-240 '*|FNAME|*' (Mailchimp merge tags take no inline fallback: set a default value "
	  "for the field in the audience settings)\n"
	  "c/merge@247-260 '{{ company }}'" },
	/* lorem ipsum */
	{ "c/lorem", "t.html", "<p>Lorem ipsum dolor sit amet, consectetur elit.</p><p>Magna Carta, 1215.</p>",
	  "c/lorem@3-47 5" },
	/* spelling: generous reading, what is never checked, non-English */
	{ "c/spell", "t.html",
	  "<p>We recieve a full-day walk in colour, Fieldnote's customers' i'll preheader.</p>"
	  "<p>Dana's iPhone /usr/bin config.txt href=x &nbsp; [zzlist] Acme-Widgets.</p>"
	  "<img src=\"a.png\" alt=\"The ridge trial at sunrize\">",
	  "c/spell@6-13 'recieve'\nc/spell@201-208 'sunrize'" },
	{ "c/spell", "t.html", "<p>Lorem ipsum dolor sit amet.</p><p>We mapped a trial for yuo.</p>",
	  "c/spell@59-62 'yuo'" },
	{ "c/spell", "t.txt",
	  "Nous vous remercions de votre commande. Elle sera expédiée demain matin par "
	  "notre transporteur habituel, avec un numéro de suivi envoyé par courriel.\n", "" },
	{ "c/spell", "t.txt", "Thanks, Niall\n\nRohit Khare wrote the guide.\n", "" },
};

static void render(sl_context *ctx, const char *name, const char *in, const char *list,
                   char *out, size_t size)
{
	t_render(ctx, name, in, list, 0, out, size);
}

/* A template of many tags: the located items stop at METRIC_ITEMS, the
 * limit is reported once, and nothing hangs. */
static void test_many_tags(sl_context *ctx)
{
	size_t n = 3000;
	char *in = malloc(n * 8 + 64);
	size_t k = (size_t)snprintf(in, 64, "<p>{{ a }}");
	for (size_t i = 0; i < n; i++) {
		memcpy(in + k, "{% if %}", 8);
		k += 8;
	}
	memcpy(in + k, "</p>", 5);
	sl_result *r;
	T_CHECK(sl_lint(&r, ctx, "t.html", (const unsigned char *)in, strlen(in)) == 0, "lint");
	size_t limits = 0;
	for (size_t i = 0; i < sl_result_count(r); i++) {
		const sl_diag *d = sl_result_diag(r, i);
		limits += !strncmp(d->rule, "input/limit-", 12);
	}
	const sl_rule *rule = rules_find(ctx, "c/tags");
	T_CHECK(rule && r->rule_hits && r->rule_hits[rule->index] <= 1000, "located items bounded");
	T_CHECK(limits >= 1, "a limit reported");
	sl_result_free(r);
	free(in);
}

/* A sentence of nothing but merge tags (a line of data) is read in one
 * pass: each tag once, not the whole sentence again per tag (50,000 tags
 * took seconds that way).  Only the tag beside a word is reported. */
static void test_many_merge_tags(sl_context *ctx)
{
	size_t n = 50000, k = 0;
	const char *tag = "{{ first_name }} ", *tail = "</p><p>Hi {{ first_name }}.</p>";
	size_t tl = strlen(tag);
	char *in = malloc(n * tl + 64);
	memcpy(in, "<p>", 3);
	k = 3;
	for (size_t i = 0; i < n; i++, k += tl)
		memcpy(in + k, tag, tl);
	memcpy(in + k, tail, strlen(tail) + 1);
	char got[512], want[64];
	render(ctx, "t.html", in, "c/merge", got, sizeof got);
	snprintf(want, sizeof want, "c/merge@%zu-%zu '{{ first_name }}'", k + 10, k + 26);
	T_CHECK(!strcmp(got, want), "many merge tags: got %s want %s", got, want);
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
	const char *vocab[] = { "Fieldnote" };
	o.vocabulary = vocab;
	o.nvocabulary = 1;
	sl_context *ctx;
	if (sl_context_new(&ctx, &o)) {
		printf("context: %s", sl_context_errmsg(ctx));
		T_CHECK(0, "context");
	} else {
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			char got[8192];
			render(ctx, cases[i].name, cases[i].input, cases[i].rules, got, sizeof got);
			T_CHECK(!strcmp(got, cases[i].want), "case %zu (%s): got\n%s\nwant\n%s", i,
			        cases[i].rules, got, cases[i].want);
		}
		test_many_tags(ctx);
		test_many_merge_tags(ctx);
	}
	sl_context_free(ctx);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("note: could not remove %s\n", top);
	return t_done();
}
