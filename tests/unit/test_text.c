/*
 * test_text.c - the text stage: tokens, sentences, plain-text blocks,
 * template comments, the Subject block and the source map of each.
 *
 * Tokens render as [text|FLAGS|norm] ([text|FLAGS] when norm is NULL),
 * with a space before a token flagged SL_W_SPACE_BEFORE.  FLAGS letters:
 * H placeholder, U URL, E e-mail, N number, A all caps, I initial capital,
 * P punctuation, J emoji, Z zero-width inside, M mixed script.
 * Sentences render one per line, line breaks inside shown as "\n".
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "t.h"
#include "t_result.h"

static sl_result *mk(const char *s, size_t n, sl_kind kind)
{
	sl_result *r = t_result(s, n);
	r->doc.kind = kind;
	return r;
}

static void rel(sl_result *r)
{
	arena_release(&r->arena);
	free(r);
}

static void flags_str(sl_buf *b, uint32_t f)
{
	static const struct { uint32_t bit; char c; } names[] = {
		{ SL_W_PLACEHOLDER, 'H' }, { SL_W_URL, 'U' }, { SL_W_EMAIL, 'E' },
		{ SL_W_NUMBER, 'N' }, { SL_W_ALLCAPS, 'A' }, { SL_W_INITCAP, 'I' },
		{ SL_W_PUNCT, 'P' }, { SL_W_EMOJI, 'J' }, { SL_W_ZEROWIDTH, 'Z' },
		{ SL_W_MIXED_SCRIPT, 'M' },
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (f & names[i].bit)
			buf_addc(b, names[i].c);
}

static const char *render_words(sl_result *r, const sl_text *t, const sl_word *w,
                                size_t n)
{
	sl_buf b;
	buf_init(&b, &r->arena, (size_t)1 << 20);
	for (size_t i = 0; i < n; i++) {
		if (w[i].flags & SL_W_SPACE_BEFORE)
			buf_addc(&b, ' ');
		buf_addc(&b, '[');
		buf_add(&b, t->p + w[i].off, w[i].len);
		buf_addc(&b, '|');
		flags_str(&b, w[i].flags);
		if (w[i].norm) {
			buf_addc(&b, '|');
			buf_add(&b, w[i].norm, w[i].normlen);
			T_EQ(strlen(w[i].norm), w[i].normlen, "normlen");
		}
		buf_addc(&b, ']');
	}
	return buf_cstr(&b);
}

static const char *render_sentences(sl_result *r, const sl_block *blk)
{
	sl_buf b;
	buf_init(&b, &r->arena, (size_t)1 << 20);
	for (size_t i = 0; i < blk->nsent; i++) {
		const sl_sentence *s = &blk->sent[i];
		if (i)
			buf_addc(&b, '\n');
		for (size_t k = s->off; k < s->end; k++) {
			if (blk->text.p[k] == '\n')
				buf_add(&b, "\\n", 2);
			else
				buf_addc(&b, blk->text.p[k]);
		}
	}
	return buf_cstr(&b);
}

/* Every token in exactly one sentence, in order, sentences trimmed to
 * their first and last token. */
static void check_partition(const sl_block *b, const char *what)
{
	size_t next = 0;
	int ok = 1;
	for (size_t i = 0; i < b->nsent; i++) {
		const sl_sentence *s = &b->sent[i];
		if (s->word0 != next || s->nword == 0 ||
		    s->off != b->word[s->word0].off ||
		    s->end != b->word[s->word0 + s->nword - 1].off +
		              b->word[s->word0 + s->nword - 1].len)
			ok = 0;
		for (size_t k = s->word0; k < s->word0 + s->nword && k < b->nword; k++)
			if (b->word[k].sent != i)
				ok = 0;
		next = s->word0 + s->nword;
	}
	T_CHECK(ok && next == b->nword, "%s: tokens not partitioned into sentences", what);
}

/* Every word of every block maps to exactly its own bytes of the file. */
static void check_map(const sl_result *r, const char *what)
{
	size_t bad = 0, n = 0;
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *b = &r->doc.blk[i];
		for (size_t k = 0; k < b->nword; k++) {
			const sl_word *w = &b->word[k];
			sl_span sp = text_span(&b->text, w->off, (size_t)w->off + w->len);
			n++;
			if (!sp.exact || sp.end - sp.off != w->len ||
			    memcmp(r->src + sp.off, b->text.p + w->off, w->len))
				bad++;
		}
	}
	T_CHECK(bad == 0 && n > 0, "%s: %zu of %zu words do not map to their bytes", what,
	        bad, n);
}

/* --- tokens -------------------------------------------------------- */

static const struct {
	const char *in, *want;
} token_cases[] = {
	/* words, apostrophes, hyphens, abbreviations, case */
	{ "Don't e-mail me", "[Don't|I|don't] [e-mail||e-mail] [me||me]" },
	{ "don\xe2\x80\x99t O\xe2\x80\x99" "Brien\xe2\x80\x99s",
	  "[don\xe2\x80\x99t||don't] [O\xe2\x80\x99" "Brien\xe2\x80\x99s|I|o'brien's]" },
	{ "students' work 'quoted'",
	  "[students||students]['|P] [work||work] ['|P][quoted||quoted]['|P]" },
	{ "U.S. and e.g. Ph.D. i.e., a.m.",
	  "[U.S.|A|u.s.] [and||and] [e.g.||e.g.] [Ph.D.|I|ph.d.] [i.e.||i.e.][,|P] [a.m.||a.m.]" },
	{ "FREE offer NOW I am A iPhone McDonald",
	  "[FREE|A|free] [offer||offer] [NOW|A|now] [I||i] [am||am] [A||a] "
	  "[iPhone||iphone] [McDonald|I|mcdonald]" },
	{ "state-of-the-art COVID-19 well- --",
	  "[state-of-the-art||state-of-the-art] [COVID-19|A|covid-19] [well||well][-|P] [--|P]" },
	/* numbers: the symbol directly before or after belongs to the number */
	{ "$25 50% 4,417 10:00 #4417 $9.99 25\xe2\x82\xac 1/2 2024-01-15",
	  "[$25|N|$25] [50%|N|50%] [4,417|N|4,417] [10:00|N|10:00] [#4417|N|#4417] "
	  "[$9.99|N|$9.99] [25\xe2\x82\xac|N|25\xe2\x82\xac] [1/2|N|1/2] [2024-01-15|N|2024-01-15]" },
	{ "3rd 4GB 2-for-1 1.5GB $ 5 25.",
	  "[3rd||3rd] [4GB|A|4gb] [2-for-1||2-for-1] [1.5|N|1.5][GB|A|gb] [$|P] [5|N|5] "
	  "[25|N|25][.|P]" },
	{ "($25) -5 \xef\xbc\x91\xef\xbc\x92",
	  "[(|P][$25|N|$25][)|P] [-|P][5|N|5] [\xef\xbc\x91\xef\xbc\x92|N|\xef\xbc\x91\xef\xbc\x92]" },
	/* placeholders: one token each, never words */
	{ "Hi {{ first_name }}, {{{raw}}} {{#if x}}ok{{/if}}",
	  "[Hi|I|hi] [{{ first_name }}|H][,|P] [{{{raw}}}|H] [{{#if x}}|H][ok||ok][{{/if}}|H]" },
	{ "*|FNAME|* %%name%% ${name} [[name]] <%= name %> {% if x %} {# c #} *|IF:A=b|*",
	  "[*|FNAME|*|H] [%%name%%|H] [${name}|H] [[[name]]|H] [<%= name %>|H] "
	  "[{% if x %}|H] [{# c #}|H] [*|IF:A=b|*|H]" },
	{ "(*|FNAME|*) \"{{x}}\"",
	  "[(|P][*|FNAME|*|H][)|P] [\"|P][{{x}}|H][\"|P]" },
	{ "unclosed {{ here %% 50%% [[ x",
	  "[unclosed||unclosed] [{{|P] [here||here] [%%|P] [50%|N|50%][%|P] [[[|P] [x||x]" },
	/* URLs and e-mail addresses */
	{ "Visit https://example.com/a?b=1. Or www.example.org, or (see http://x.io/p_(a)).",
	  "[Visit|I|visit] [https://example.com/a?b=1|U][.|P] [Or|I|or] [www.example.org|U][,|P] "
	  "[or||or] [(|P][see||see] [http://x.io/p_(a)|U][).|P]" },
	{ "Mail support@example.com or mailto:a.b@c.co.uk. Go to example.com/deals today",
	  "[Mail|I|mail] [support@example.com|E] [or||or] [mailto:a.b@c.co.uk|U][.|P] "
	  "[Go|I|go] [to||to] [example.com/deals|U] [today||today]" },
	{ "https://x.com/u?id={{ user.id }}&t=*|EMAIL|* end",
	  "[https://x.com/u?id={{ user.id }}&t=*|EMAIL|*|U] [end||end]" },
	{ "a@b bob@ @x.com file.pdf Node.js x@y.com's",
	  "[a||a][@|P][b||b] [bob||bob][@|P] [@|P][x.com|U] [file||file][.|P][pdf||pdf] "
	  "[Node|I|node][.|P][js||js] [x@y.com|E]['|P][s||s]" },
	/* emoji: runs of their own, ZWJ sequences, keycaps, flags, VS16 */
	{ "Sale \xf0\x9f\x94\xa5\xf0\x9f\x94\xa5! \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7 "
	  "1\xef\xb8\x8f\xe2\x83\xa3 \xf0\x9f\x87\xba\xf0\x9f\x87\xb8 \xe2\x9d\xa4\xef\xb8\x8f \xc2\xa9\xef\xb8\x8f \xc2\xa9",
	  "[Sale|I|sale] [\xf0\x9f\x94\xa5\xf0\x9f\x94\xa5|PJ][!|P] "
	  "[\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7|PJ] "
	  "[1\xef\xb8\x8f\xe2\x83\xa3|PJ] [\xf0\x9f\x87\xba\xf0\x9f\x87\xb8|PJ] "
	  "[\xe2\x9d\xa4\xef\xb8\x8f|PJ] [\xc2\xa9\xef\xb8\x8f|PJ] [\xc2\xa9|P]" },
	{ "Hi!!\xf0\x9f\x8e\x89\xf0\x9f\x8f\xbd ok",
	  "[Hi|I|hi][!!|P][\xf0\x9f\x8e\x89\xf0\x9f\x8f\xbd|PJ] [ok||ok]" },
	/* ZWJ to a symbol with VS16 (health worker), tag sequence (England) */
	{ "\xf0\x9f\xa7\x91\xe2\x80\x8d\xe2\x9a\x95\xef\xb8\x8f "
	  "\xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2\xf3\xa0\x81\xa5\xf3\xa0\x81\xae\xf3\xa0\x81\xa7\xf3\xa0\x81\xbf x\xe2\x80\x8d\xc2\xa9\xef\xb8\x8f",
	  "[\xf0\x9f\xa7\x91\xe2\x80\x8d\xe2\x9a\x95\xef\xb8\x8f|PJ] "
	  "[\xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2\xf3\xa0\x81\xa5\xf3\xa0\x81\xae\xf3\xa0\x81\xa7\xf3\xa0\x81\xbf|PJ] "
	  "[x\xe2\x80\x8d|Z|x][\xc2\xa9\xef\xb8\x8f|PJ]" },
	{ "\xf0\x9f\x94\xa5\xe2\x80\x8d\xc2\xa9\xef\xb8\x8f \xf0\x9f\x94\xa5\xe2\x80\x8d\xc2\xa9",
	  "[\xf0\x9f\x94\xa5\xe2\x80\x8d\xc2\xa9\xef\xb8\x8f|PJ] [\xf0\x9f\x94\xa5|PJ][\xc2\xa9|P]" },
	/* zero-width and soft hyphens: in the span, out of the norm */
	{ "fr\xe2\x80\x8b" "ee V\xc2\xad" "iagra \xe2\x80\x8bhi \xef\xbb\xbf x\xe2\x81\xa0",
	  "[fr\xe2\x80\x8b" "ee|Z|free] [V\xc2\xad" "iagra|IZ|viagra] [\xe2\x80\x8bhi|Z|hi] "
	  "[x\xe2\x81\xa0|Z|x]" },
	/* look-alikes: Latin with Cyrillic or Greek letters */
	{ "P\xd0\xb0ypal \xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 Am\xce\xb1zon",
	  "[P\xd0\xb0ypal|IM|p\xd0\xb0ypal] [\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0|I|"
	  "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0] [Am\xce\xb1zon|IM|am\xce\xb1zon]" },
	/* case folding: Greek, Cyrillic, Latin-1, Latin Extended, full-width */
	{ "\xce\xa3\xce\x9f\xce\xa6\xce\x8a\xce\x91 \xce\x9f\xce\x94\xce\x8c\xce\xa3 Stra\xc3\x9f" "e "
	  "\xc3\x80\xc3\x89\xc3\x8e \xc7\x85 \xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3 "
	  "\xd0\x9a\xd0\x98\xd0\x87\xd0\x92 \xc5\x81\xc3\xb3" "d\xc5\xba \xc4\xb0stanbul",
	  "[\xce\xa3\xce\x9f\xce\xa6\xce\x8a\xce\x91|A|\xcf\x83\xce\xbf\xcf\x86\xce\xaf\xce\xb1] "
	  "[\xce\x9f\xce\x94\xce\x8c\xce\xa3|A|\xce\xbf\xce\xb4\xcf\x8c\xcf\x83] "
	  "[Stra\xc3\x9f" "e|I|stra\xc3\x9f" "e] [\xc3\x80\xc3\x89\xc3\x8e|A|\xc3\xa0\xc3\xa9\xc3\xae] "
	  "[\xc7\x85||\xc7\x86] [\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3|A|\xef\xbd\x81\xef\xbd\x82\xef\xbd\x83] "
	  "[\xd0\x9a\xd0\x98\xd0\x87\xd0\x92|A|\xd0\xba\xd0\xb8\xd1\x97\xd0\xb2] "
	  "[\xc5\x81\xc3\xb3" "d\xc5\xba|I|\xc5\x82\xc3\xb3" "d\xc5\xba] "
	  "[\xc4\xb0stanbul|I|\xc4\xb0stanbul]" },
	/* invalid bytes are single opaque characters; controls are symbols */
	{ "a\xff\xfe" "b \xc3(",
	  "[a||a][\xff|P][\xfe|P][b||b] [\xc3|P][(|P]" },
	/* punctuation runs split before an opening bracket or quote */
	{ "Wait...what?! \"Yes.\" end.(next \xe2\x80\x9cso\xe2\x80\x9d",
	  "[Wait|I|wait][...|P][what||what][?!|P] [\"|P][Yes|I|yes][.\"|P] [end||end][.|P]"
	  "[(|P][next||next] [\xe2\x80\x9c|P][so||so][\xe2\x80\x9d|P]" },
	{ "", "" },
	{ "   \xe2\x80\x8b  ", "" },
	{ "CJK \xe4\xbb\x8a\xe6\x97\xa5\xe3\x81\xaf\xe3\x80\x82",
	  "[CJK|A|cjk] [\xe4\xbb\x8a\xe6\x97\xa5\xe3\x81\xaf||\xe4\xbb\x8a\xe6\x97\xa5\xe3\x81\xaf][\xe3\x80\x82|P]" },
};

static void test_tokens(void)
{
	for (size_t i = 0; i < sizeof token_cases / sizeof *token_cases; i++) {
		const char *in = token_cases[i].in;
		sl_result *r = mk(in, strlen(in), SL_KIND_TEXT);
		sl_word *w;
		size_t n = text_words(r, &r->srctext, &w);
		T_STREQ(render_words(r, &r->srctext, w, n), token_cases[i].want, in);
		rel(r);
	}
}

/* NULs are input like any other byte. */
static void test_nul(void)
{
	static const char in[] = "ab\0cd e";
	sl_result *r = mk(in, sizeof in - 1, SL_KIND_TEXT);
	sl_word *w;
	size_t n = text_words(r, &r->srctext, &w);
	T_EQ(n, 4, "tokens around a NUL");
	if (n == 4) {
		T_EQ(w[1].off, 2, "NUL token offset");
		T_EQ(w[1].flags, SL_W_PUNCT, "NUL is a symbol");
		T_STREQ(w[2].norm, "cd", "word after NUL");
	}
	rel(r);
}

/* Bounded scans: hostile runs stay linear and never make placeholders. */
static void test_hostile(void)
{
	size_t n = 200000;
	static const char *const units[] = { "{{", "a.", "a@", "*|", "%%a!", "{#", "www.", "1." };
	for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
		size_t k = strlen(units[u]);
		char *s = malloc(n);
		if (!s)
			abort();
		for (size_t i = 0; i < n; i++)
			s[i] = units[u][i % k];
		sl_result *r = mk(s, n, SL_KIND_TEXT);
		sl_word *w;
		size_t nw = text_words(r, &r->srctext, &w);
		size_t ph = 0, covered = 0;
		for (size_t i = 0; i < nw; i++) {
			ph += (w[i].flags & SL_W_PLACEHOLDER) != 0;
			covered += w[i].len;
		}
		T_EQ(ph, 0, units[u]);
		T_EQ(covered, n, units[u]);
		rel(r);
		free(s);
	}
}

/* --- sentences ----------------------------------------------------- */

static const struct {
	const char *in, *want;
} sentence_cases[] = {
	{ "Mr. Smith met Dr. Jones. They talked.", "Mr. Smith met Dr. Jones.\nThey talked." },
	{ "It costs $9.99. Pi is 3.14. Done", "It costs $9.99.\nPi is 3.14.\nDone" },
	{ "Visit https://x.com/a. Then email a@b.com. Thanks!",
	  "Visit https://x.com/a.\nThen email a@b.com.\nThanks!" },
	{ "Wait... what? No way... Really.", "Wait... what?\nNo way...\nReally." },
	{ "Fine\xe2\x80\xa6 ok. Ok\xe2\x80\xa6so what. Really?! Yes",
	  "Fine\xe2\x80\xa6 ok.\nOk\xe2\x80\xa6so what.\nReally?!\nYes" },
	{ "J. Smith and J.R.R. Tolkien wrote. So did I. Yes",
	  "J. Smith and J.R.R. Tolkien wrote.\nSo did I.\nYes" },
	{ "He said \"Stop.\" Then left. \xe2\x80\x9cHello,\xe2\x80\x9d she said. \xe2\x80\x9c" "Bye.\xe2\x80\x9d Done",
	  "He said \"Stop.\"\nThen left.\n\xe2\x80\x9cHello,\xe2\x80\x9d she said.\n\xe2\x80\x9c" "Bye.\xe2\x80\x9d\nDone" },
	{ "(See below.) Next one.", "(See below.)\nNext one." },
	{ "Hi {{name}}. {{greeting}} to you. See e.g. the docs. Call *|PHONE|*. 5 left",
	  "Hi {{name}}.\n{{greeting}} to you.\nSee e.g. the docs.\nCall *|PHONE|*.\n5 left" },
	{ "Dear {{ user.first_name }}, thanks. Bye", "Dear {{ user.first_name }}, thanks.\nBye" },
	{ "Great news! \xf0\x9f\x8e\x89 Shop now. Bye \xf0\x9f\x91\x8b",
	  "Great news! \xf0\x9f\x8e\x89\nShop now.\nBye \xf0\x9f\x91\x8b" },
	{ "Item No. 5 is here. No. It is not. See No. #4.", "Item No. 5 is here.\nNo.\nIt is not.\nSee No. #4." },
	{ "The U.S. Army is big. It opens at 10 a.m. on Monday. Etc. and so on etc. Fine.",
	  "The U.S. Army is big.\nIt opens at 10 a.m. on Monday.\nEtc. and so on etc. Fine." },
	{ "Total: 4,417 items. 50% off! $5 each.", "Total: 4,417 items.\n50% off!\n$5 each." },
	{ "Fr\xe2\x80\x8b" "ee stuff. Now", "Fr\xe2\x80\x8b" "ee stuff.\nNow" },
	{ "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82. \xd0\x9a\xd0\xb0\xd0\xba \xd0\xb4\xd0\xb5\xd0\xbb\xd0\xb0? "
	  "\xd1\x85\xd0\xbe\xd1\x80\xd0\xbe\xd1\x88\xd0\xbe. \xce\x9d\xce\xb1\xce\xb9!",
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82.\n\xd0\x9a\xd0\xb0\xd0\xba \xd0\xb4\xd0\xb5\xd0\xbb\xd0\xb0? "
	  "\xd1\x85\xd0\xbe\xd1\x80\xd0\xbe\xd1\x88\xd0\xbe.\n\xce\x9d\xce\xb1\xce\xb9!" },
	{ "\xe4\xbb\x8a\xe6\x97\xa5\xe3\x81\xaf\xe6\x99\xb4\xe3\x82\x8c\xe3\x80\x82\xe6\x98\x8e\xe6\x97\xa5\xe3\x81\xaf\xe9\x9b\xa8\xef\xbc\x81",
	  "\xe4\xbb\x8a\xe6\x97\xa5\xe3\x81\xaf\xe6\x99\xb4\xe3\x82\x8c\xe3\x80\x82\n\xe6\x98\x8e\xe6\x97\xa5\xe3\x81\xaf\xe9\x9b\xa8\xef\xbc\x81" },
	{ "Shalom. \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d now", "Shalom.\n\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d now" },
	/* line breaks: only after terminal punctuation; list markers start one */
	{ "Hello team\nWe have news.\nsee below\n- item one\n- item two\n1. first\n2) second\na) third\n"
	  "\xe2\x80\xa2 dot\n\xe2\x9c\x85 done\nend",
	  "Hello team\\nWe have news.\nsee below\n- item one\n- item two\n1. first\n2) second\n"
	  "a) third\n\xe2\x80\xa2 dot\n\xe2\x9c\x85 done\\nend" },
	{ "So...\nand then\nmore? yes\nThe end... \nreally",
	  "So...\\nand then\\nmore? yes\\nThe end... \\nreally" },
	{ "Thanks.\n\nBye\n \nnow", "Thanks.\nBye\nnow" },
	{ "Version 2. Next\nplan B. Then 3 - 1 = 2", "Version 2.\nNext\\nplan B. Then 3 - 1 = 2" },
	{ "Email me.\xe2\x80\x8bThanks. -- ok", "Email me.\xe2\x80\x8bThanks. -- ok" },
	{ "See me.\xe2\x80\x8b(Now) ok.\xe2\x80\x8b \xe2\x80\x8bYes",
	  "See me.\xe2\x80\x8b(Now) ok.\n\xe2\x80\x8bYes" },
	{ "", "" },
	{ "!!!", "!!!" },
};

static void test_sentences(void)
{
	for (size_t i = 0; i < sizeof sentence_cases / sizeof *sentence_cases; i++) {
		const char *in = sentence_cases[i].in;
		sl_result *r = mk(in, strlen(in), SL_KIND_TEXT);
		sl_block *b = doc_add_block(r);
		b->kind = SL_BLK_PARAGRAPH;
		b->text = r->srctext;
		text_analyse(r);
		T_STREQ(render_sentences(r, b), sentence_cases[i].want, in);
		check_partition(b, in);
		rel(r);
	}
}

/* --- plain text blocks ---------------------------------------------- */

static const char *render_blocks(sl_result *r)
{
	sl_buf b;
	buf_init(&b, &r->arena, (size_t)1 << 20);
	for (size_t i = 0; i < r->doc.nblk; i++) {
		const sl_block *blk = &r->doc.blk[i];
		buf_addf(&b, "%s%s:", i ? "\n" : "", block_kind_name(blk->kind));
		for (size_t k = 0; k < blk->text.len; k++) {
			if (blk->text.p[k] == '\n')
				buf_add(&b, "\\n", 2);
			else
				buf_addc(&b, blk->text.p[k]);
		}
	}
	return buf_cstr(&b);
}

static const char *render_comments(sl_result *r)
{
	sl_buf b;
	buf_init(&b, &r->arena, (size_t)1 << 20);
	for (size_t i = 0; i < r->doc.ncomment; i++) {
		const sl_comment *c = &r->doc.comment[i];
		buf_addf(&b, "%s<%s>@%zu-%zu", i ? " " : "", c->text.p, c->span.off,
		         c->span.end);
		T_CHECK(c->span.exact, "comment span exact");
		T_EQ(c->part, 3, "comment part");
	}
	return buf_cstr(&b);
}

static const struct {
	sl_kind kind;
	const char *in, *blocks, *comments;
} block_cases[] = {
	{ SL_KIND_TEXT,
	  "Hi Anna,\n\nThanks for your order. It ships\ntoday.\n\n> On Monday you wrote:\n"
	  "> Where is it?\n>> nested\n>\n> more\n\n-- \nACME Inc.\nsupport@acme.com\n",
	  "paragraph:Hi Anna,\nparagraph:Thanks for your order. It ships\\ntoday.\n"
	  "quote:On Monday you wrote:\\nWhere is it?\\nnested\\n\\nmore\n"
	  "paragraph:ACME Inc.\\nsupport@acme.com",
	  "" },
	{ SL_KIND_EML,
	  "  Line one\r\n\tline two  \r\n\r\n \t \r\nLast\r\n> q1\r\nafter quote\r\n--\r\nsig",
	  "paragraph:Line one\r\\n\tline two\nparagraph:Last\nquote:q1\nparagraph:after quote\n"
	  "paragraph:sig",
	  "" },
	{ SL_KIND_TEXT,
	  "Hello {# note: hi #} world\n{{!-- sendlint-disable-next-line x --}}\n"
	  "Next {{! short }} line {{~!-- t --~}}{#- trim -#}",
	  "paragraph:Hello  world\nparagraph:Next  line",
	  "<note: hi>@6-20 <sendlint-disable-next-line x>@27-66 <short>@72-84 <t>@90-104 "
	  "<trim>@104-116" },
	{ SL_KIND_EML, "Hello {# note #} world", "paragraph:Hello {# note #} world", "" },
	{ SL_KIND_TEXT, "unclosed {# x\n\n{{! y", "paragraph:unclosed {# x\nparagraph:{{! y", "" },
	{ SL_KIND_TEXT, "", "", "" },
	{ SL_KIND_TEXT, "\n\n  \n>\n> \n-- \n", "", "" },
};

static void test_blocks(void)
{
	for (size_t i = 0; i < sizeof block_cases / sizeof *block_cases; i++) {
		const char *in = block_cases[i].in;
		sl_result *r = mk(in, strlen(in), block_cases[i].kind);
		text_plain_blocks(r, &r->srctext, 3);
		T_STREQ(render_blocks(r), block_cases[i].blocks, in);
		T_STREQ(render_comments(r), block_cases[i].comments, in);
		for (size_t k = 0; k < r->doc.nblk; k++) {
			T_EQ(r->doc.blk[k].part, 3, "block part");
			T_EQ(r->doc.blk[k].link, -1, "block link");
		}
		text_analyse(r);
		for (size_t k = 0; k < r->doc.nblk; k++)
			check_partition(&r->doc.blk[k], in);
		if (r->doc.nblk)
			check_map(r, in);
		rel(r);
	}
}

/* A paragraph's own text maps back exactly; its sentences too. */
static void test_block_map(void)
{
	static const char in[] = "Intro line.\n\nFirst sentence here. Second one\nwraps here!\n";
	sl_result *r = mk(in, sizeof in - 1, SL_KIND_TEXT);
	text_plain_blocks(r, &r->srctext, 0);
	text_analyse(r);
	T_EQ(r->doc.nblk, 2, "blocks");
	if (r->doc.nblk == 2) {
		const sl_block *b = &r->doc.blk[1];
		sl_span sp = text_whole(&b->text);
		T_CHECK(sp.exact, "paragraph span exact");
		T_EQ(sp.off, 13, "paragraph start");
		T_EQ(sp.end, 13 + b->text.len, "paragraph end");
		T_EQ(b->nsent, 2, "sentences");
		if (b->nsent == 2) {
			sp = text_span(&b->text, b->sent[1].off, b->sent[1].end);
			T_CHECK(sp.exact && sp.end - sp.off == 22 &&
			        !memcmp(in + sp.off, "Second one\nwraps here!", 22),
			        "sentence maps to its bytes");
		}
		/* a word of the second paragraph */
		const sl_word *w = &b->word[1];
		sp = text_span(&b->text, w->off, (size_t)w->off + w->len);
		T_CHECK(sp.exact && !memcmp(in + sp.off, "sentence", 8) && sp.end - sp.off == 8,
		        "word maps to its bytes");
	}
	rel(r);
}

/* The Subject block is the decoded value of the header, mapped to it. */
static void test_subject(void)
{
	static const char in[] = "Subject: Last chance!! Only $5. Today\r\n\r\nbody";
	sl_result *r = mk(in, sizeof in - 1, SL_KIND_EML);
	text_subject_block(r);
	T_EQ(r->doc.nblk, 0, "no subject, no block");
	sl_header h;
	memset(&h, 0, sizeof h);
	h.name = (sl_str){ in, 7 };
	h.off = 0;
	h.end = 37;
	h.value_off = 8;
	text_identity(&h.raw, &r->arena, in, 8, 29);
	text_slice(&h.value, &r->arena, &r->srctext, 9, 37);
	r->doc.subject = &h;
	text_subject_block(r);
	T_EQ(r->doc.nblk, 1, "subject block");
	text_analyse(r);
	if (r->doc.nblk == 1) {
		const sl_block *b = &r->doc.blk[0];
		T_EQ(b->kind, SL_BLK_SUBJECT, "kind");
		T_EQ(b->part, -1, "part");
		T_STREQ(render_sentences(r, b), "Last chance!!\nOnly $5.\nToday", "subject sentences");
		sl_span sp = text_whole(&b->text);
		T_CHECK(sp.exact && sp.off == 9 && sp.end == 37, "subject maps to the header");
		check_map(r, "subject");
	}
	rel(r);
}

/* A text that went through a decoder: words keep exact spans where the
 * bytes were copied, inexact ones inside a replacement. */
static void test_decoded_map(void)
{
	static const char in[] = "caf=C3=A9 menu";
	sl_result *r = mk(in, sizeof in - 1, SL_KIND_TEXT);
	sl_tb tb;
	tb_init(&tb, &r->arena, 100);
	tb_copy(&tb, &r->srctext, 0, 3);
	sl_span sp = text_span(&r->srctext, 3, 9);
	tb_emit(&tb, "\xc3\xa9", 2, sp);
	tb_copy(&tb, &r->srctext, 9, 5);
	sl_text t;
	tb_finish(&tb, &t);
	sl_word *w;
	size_t n = text_words(r, &t, &w);
	T_EQ(n, 2, "decoded words");
	if (n == 2) {
		T_STREQ(w[0].norm, "caf\xc3\xa9", "decoded norm");
		sp = text_span(&t, w[0].off, (size_t)w[0].off + w[0].len);
		T_CHECK(!sp.exact && sp.off == 0 && sp.end == 9, "encoded word spans its source");
		sp = text_span(&t, w[1].off, (size_t)w[1].off + w[1].len);
		T_CHECK(sp.exact && sp.off == 10 && sp.end == 14, "plain word exact");
	}
	rel(r);
}

int main(void)
{
	test_tokens();
	test_nul();
	test_hostile();
	test_sentences();
	test_blocks();
	test_block_map();
	test_subject();
	test_decoded_map();
	return t_done();
}
