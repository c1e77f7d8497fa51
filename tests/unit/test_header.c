/*
 * test_header.c - the header kind's sender and structure tests end to
 * end: msg-id syntax, display names (none, a person's name, several
 * addresses), charset-missing over every part, 8bit over every field
 * (header '*' with except), unsigned-fields over a DKIM h= tag, the
 * stricter local-part check, templates, and the load errors of the new
 * keys (exact file:line:col).
 *
 * Rules are written to a temporary directory and loaded like a user rule
 * dir (no bundled rules).  Each case lints one input and renders the
 * diagnostics of the rules named by the case's prefixes, one per line:
 *   rule@off-end[~] message [=> fix] [(note)...]
 * where ~ marks an inexact span.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"

static char top[] = "/tmp/sl_test_header_XXXXXX";

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
	{ "h/mid", "kind: header\nscope: header:Message-ID\ntest: invalid-msg-id\nmessage: bad id\n" COMMON },
	{ "h/addr", "kind: header\nscope: header:From\ntest: invalid-address\nmessage: bad from\n" COMMON },
	{ "h/nodn", "kind: header\nscope: header:From\ntest: no-display-name\n"
	  "message: \"no name for {address}\"\n" COMMON },
	{ "h/person", "kind: header\nscope: header:From\ntest: person-name\n"
	  "words: [Team, News, Inc]\nmessage: \"'{name}' at {domain}\"\n" COMMON },
	{ "h/many", "kind: header\nscope: header:From\ntest: multiple-addresses\n"
	  "message: \"{count} senders\"\n" COMMON },
	{ "h/cs", "kind: header\nscope: message\nheader: Content-Type\ntest: charset-missing\n"
	  "message: \"{type} without charset\"\n" COMMON },
	{ "h/any8", "kind: header\nscope: message\nheader: '*'\nexcept: [Subject]\ntest: 8bit\n"
	  "message: \"raw {header}\"\n" COMMON },
	{ "h/dkim", "kind: header\nscope: header:DKIM-Signature\ntest: unsigned-fields\n"
	  "fields: [List-Unsubscribe, List-Unsubscribe-Post]\n"
	  "message: \"unsigned {missing}\"\n" COMMON },
	{ "h/xhdr", "kind: header\nscope: message\nheader: X-Campaign\ntest: present\n"
	  "message: \"{header} here\"\n" COMMON },
};

static const struct {
	const char *prefixes, *name, *input, *want;
} cases[] = {
	/* msg-id: one id in angle brackets, '@', no white space inside */
	{ "h/mid", "t.eml", "Message-ID: <a.b$c@mail.example>\n\nHi.\n", "" },
	{ "h/mid", "t.eml", "Message-ID: (comment) <\"quoted left\"@[10.0.0.1]> \n\nHi.\n", "" },
	{ "h/mid", "t.eml", "Message-ID: <p0433@[209.202.248.109]>\n\nHi.\n", "" },
	{ "h/mid", "t.eml", "Message-ID: abc@mail.example\n\nHi.\n",
	  "h/mid@0-28 bad id (the id is not enclosed in '<...>')" },
	{ "h/mid", "t.eml", "Message-ID: <abc>\n\nHi.\n", "h/mid@0-17 bad id (no '@' before '>')" },
	{ "h/mid", "t.eml", "Message-ID: <abc@>\n\nHi.\n",
	  "h/mid@0-18 bad id (nothing after '@' before '>')" },
	{ "h/mid", "t.eml", "Message-ID: <@x.example>\n\nHi.\n", "h/mid@0-24 bad id (nothing before '@')" },
	{ "h/mid", "t.eml", "Message-ID: <a b@x.example>\n\nHi.\n",
	  "h/mid@0-27 bad id (white space inside '<...>')" },
	{ "h/mid", "t.eml", "Message-ID: <a..b@x.example>\n\nHi.\n",
	  "h/mid@0-28 bad id (an empty part between dots)" },
	{ "h/mid", "t.eml", "Message-ID: <a@x.example\n\nHi.\n",
	  "h/mid@0-24 bad id (unexpected end of the field)" },
	{ "h/mid", "t.eml", "Message-ID: <a@x.example> <b@x.example>\n\nHi.\n",
	  "h/mid@0-39 bad id (unexpected '<' after the id (one Message-ID holds one id))" },
	{ "h/mid", "t.eml", "Message-ID:\n\nHi.\n", "h/mid@0-11 bad id (empty Message-ID)" },

	/* words next to words before '@' need a display name's <...> */
	{ "h/addr", "t.eml", "From: Dana Reyes dana.reyes@x.example\n\nHi.\n",
	  "h/addr@0-37 bad from (spaces in the local part (a display name needs <...> around the address))" },
	{ "h/addr", "t.eml", "From: dana . reyes@x.example\n\nHi.\n", "" },

	/* no display name: a bare address, <address>, a name that repeats
	 * the address; the old "address (Name)" form is a name */
	{ "h/nodn", "t.eml", "From: news@shop.example\n\nHi.\n",
	  "h/nodn@6-23 no name for news@shop.example" },
	{ "h/nodn", "t.eml", "From:  <news@shop.example> \n\nHi.\n",
	  "h/nodn@7-26 no name for news@shop.example" },
	{ "h/nodn", "t.eml", "From: \"News@Shop.example\" <news@shop.example>\n\nHi.\n",
	  "h/nodn@6-45 no name for news@shop.example" },
	{ "h/nodn", "t.eml", "From: news@shop.example (Shop News)\n\nHi.\n", "" },
	{ "h/nodn", "t.eml", "From: Shop <news@shop.example>\n\nHi.\n", "" },
	{ "h/nodn", "t.eml", "From: =?utf-8?q?Caf=C3=A9?= <news@shop.example>\n\nHi.\n", "" },
	/* an invalid field is invalid-address's finding, not this test's */
	{ "h/nodn", "t.eml", "From: news@\n\nHi.\n", "" },
	/* each mailbox of a list */
	{ "h/nodn", "t.eml", "From: Shop <a@shop.example>,\n b@shop.example\n\nHi.\n",
	  "h/nodn@30-44 no name for b@shop.example" },

	/* a person's name: 2-3 capitalised words, no organisation word, no
	 * word shared with the domain, not the person's own mailbox */
	{ "h/person", "t.eml", "From: Dana Reyes <news@fieldnote.co>\n\nHi.\n",
	  "h/person@6-16 'Dana Reyes' at fieldnote.co "
	  "(no word of 'Dana Reyes' appears in the sender's domain 'fieldnote.co')" },
	{ "h/person", "t.eml", "From: \"Dana  J. Reyes\" <news@mail.fieldnote.co.uk>\n\nHi.\n",
	  "h/person@7-21 'Dana J. Reyes' at fieldnote.co.uk " /* one line: spaces collapsed */
	  "(no word of 'Dana  J. Reyes' appears in the sender's domain 'mail.fieldnote.co.uk')" },
	/* an encoded name: the span is the encoded word, inexact */
	{ "h/person", "t.eml", "From: =?UTF-8?Q?Jos=C3=A9_=C3=81lvarez?= <news@fieldnote.co>\n\nHi.\n",
	  "h/person@6-40~ 'José Álvarez' at fieldnote.co (decoded text: 'José Álvarez') "
	  "(no word of 'José Álvarez' appears in the sender's domain 'fieldnote.co')" },
	/* the old comment form */
	{ "h/person", "t.eml", "From: news@fieldnote.co (Dana Reyes)\n\nHi.\n",
	  "h/person@25-35 'Dana Reyes' at fieldnote.co "
	  "(no word of 'Dana Reyes' appears in the sender's domain 'fieldnote.co')" },
	{ "h/person", "t.eml", "From: Dana at Fieldnote <news@fieldnote.co>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: Fieldnote News <news@fieldnote.co>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: Northwind Traders <news@northwindtraders.com>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: North Wind <news@northwind.com>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: Acme Team <news@x.example>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: DANA REYES <news@x.example>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: Dana <news@x.example>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: Anna Maria Dana Reyes <news@x.example>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: Shop 24 <news@x.example>\n\nHi.\n", "" },
	/* the person's own mailbox: a name word, its start, the initials */
	{ "h/person", "t.eml", "From: Robert Elz <robert@munnari.example>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: Philip Reynolds <phil@redbrick.example>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: Ciaran Johnston <cj@nologic.example>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: \"Paul O'Neil\" <poneil@dbi.example>\n\nHi.\n", "" },
	{ "h/person", "t.eml", "From: Dana Reyes <hello@x.example>\n\nHi.\n",
	  "h/person@6-16 'Dana Reyes' at x.example "
	  "(no word of 'Dana Reyes' appears in the sender's domain 'x.example')" },

	/* several addresses: the span runs from the second to the last (over
	 * a folded line: inexact) */
	{ "h/many", "t.eml", "From: A <a@x.example>, b@x.example,\n C <c@x.example>\n\nHi.\n",
	  "h/many@23-52~ 3 senders (decoded text: 'b@x.example, C <c@x.example>')" },
	{ "h/many", "t.eml", "From: A <a@x.example>\n\nHi.\n", "" },
	{ "h/many", "t.eml", "From: Team: a@x.example, b@x.example;\n\nHi.\n", "h/many@25-36 2 senders" },

	/* charset-missing: every text leaf with non-ASCII text and no
	 * charset, at its Content-Type (or the end of its header) */
	{ "h/cs", "t.eml",
	  "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
	  "--b\nContent-Type: text/plain; charset=utf-8\n\nCaf\xC3\xA9\n"
	  "--b\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\nCaf\xC3\xA9\n"
	  "--b\nContent-Type: text/html\n\n<meta charset=\"utf-8\"><p>Caf\xC3\xA9</p>\n"
	  "--b\nContent-Type: text/plain\n\nplain ASCII\n"
	  "--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\nCaf\xC3\xA9\n"
	  "--b\nX-Part: 5\n\n\xE2\x80\x94 dash\n"
	  "--b--\n",
	  "h/cs@116-140 text/plain without charset "
	  "(the first non-ASCII character is on line 12; without a charset the text is US-ASCII (RFC 2046 4.1.2))\n"
	  "h/cs@383-383 text/plain without charset "
	  "(the first non-ASCII character is on line 29; without a charset the text is US-ASCII (RFC 2046 4.1.2))" },
	{ "h/cs", "t.txt", "Caf\xC3\xA9\n", "" },

	/* 8bit over every field but Subject, {header} naming each */
	{ "h/any8", "t.eml", "Subject: Caf\xC3\xA9\nFrom: Ren\xC3\xA9" "e <a@x.example>\nX-Tag: ok\n"
	  "X-Note: \xE2\x80\x94\n\nHi.\n",
	  "h/any8@15-41 raw From (raw 8-bit bytes in a header field need RFC 2047 encoding (or SMTPUTF8, RFC 6532))\n"
	  "h/any8@52-63 raw X-Note (raw 8-bit bytes in a header field need RFC 2047 encoding (or SMTPUTF8, RFC 6532))" },
	/* {header} of a scope message rule naming one field */
	{ "h/xhdr", "t.eml", "X-Campaign: may\n\nHi.\n", "h/xhdr@0-15 X-Campaign here" },

	/* unsigned-fields: the h= value, folded; only fields the message has */
	{ "h/dkim", "t.eml",
	  "DKIM-Signature: v=1; d=x.example;\n h=From:To:\n  list-unsubscribe ; b=abc\n"
	  "List-Unsubscribe: <https://x.example/u>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n\nHi.\n",
	  "h/dkim@37-64~ unsigned List-Unsubscribe-Post (decoded text: 'From:To:  list-unsubscribe')" },
	{ "h/dkim", "t.eml",
	  "DKIM-Signature: v=1; h=from:LIST-UNSUBSCRIBE:List-Unsubscribe-Post; b=abc\n"
	  "List-Unsubscribe: <https://x.example/u>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n\nHi.\n",
	  "" },
	{ "h/dkim", "t.eml",
	  "DKIM-Signature: v=1; h=from:to; b=abc\nFrom: a@x.example\n\nHi.\n", "" },
	{ "h/dkim", "t.eml",
	  "DKIM-Signature: v=1; b=abc\nList-Unsubscribe: <https://x.example/u>\n\nHi.\n",
	  "h/dkim@0-26 unsigned List-Unsubscribe (the signature has no 'h=' tag, which RFC 6376 requires)" },
	{ "h/dkim", "t.eml",
	  "DKIM-Signature: v=1; hh=x; h= from ; b=abc\nList-Unsubscribe: <https://x.example/u>\n\nHi.\n",
	  "h/dkim@30-34 unsigned List-Unsubscribe" },

	/* templates have no header fields */
	{ "h/", "t.html", "<html><body><p>Caf\xC3\xA9</p></body></html>\n", "" },
	{ "h/", "t.txt", "Dear Dana,\n\nCaf\xC3\xA9 on Friday.\n\nDana Reyes\n", "" },
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

static sl_context *load(const char *dir)
{
	const char *rd[1] = { dir };
	sl_options o;
	memset(&o, 0, sizeof o);
	o.rule_dirs = rd;
	o.nrule_dirs = 1;
	sl_context *ctx;
	if (sl_context_new(&ctx, &o)) {
		printf("context: %s", sl_context_errmsg(ctx));
		sl_context_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The new keys' load errors, at their exact line and column. */
static void test_load_errors(void)
{
	static const struct {
		const char *yaml, *want;
	} bad[] = {
		{ "kind: header\nscope: message\nheader: '*'\ntest: absent\nmessage: x\n" COMMON,
		  "t/x.yml:4:7: error: test 'absent' needs one field name, not '*'" },
		{ "kind: header\nscope: header:From\nexcept: [To]\ntest: 8bit\nmessage: x\n" COMMON,
		  "t/x.yml:3:9: error: 'except' applies to header '*' only" },
		{ "kind: header\nscope: header:From\ntest: 8bit\nwords: [Team]\nmessage: x\n" COMMON,
		  "t/x.yml:4:8: error: 'words' applies to test person-name only" },
		{ "kind: header\nscope: header:DKIM-Signature\ntest: unsigned-fields\nmessage: x\n" COMMON,
		  "t/x.yml:3:7: error: test unsigned-fields needs 'fields'" },
		{ "kind: header\nscope: header:DKIM-Signature\ntest: unsigned-fields\n"
		  "fields: [\"a b\"]\nmessage: x\n" COMMON,
		  "t/x.yml:4:9: error: invalid header field name 'a b' in 'fields'" },
		{ "kind: header\nscope: header:From\ntest: charset-missing\nmessage: x\n" COMMON,
		  "t/x.yml:3:7: error: test charset-missing reads Content-Type, not 'From'" },
		{ "kind: header\nscope: message\nheader: \"X Y\"\ntest: present\nmessage: x\n" COMMON,
		  "t/x.yml:3:9: error: invalid header field name 'X Y'" },
		{ "kind: header\nscope: header:From\ntest: no-display-name\nmessage: \"{name}\"\n" COMMON,
		  "t/x.yml:4:11: error: unknown placeholder '{name}' in message" },
		{ "kind: header\nscope: header:From\ntest: absent\nfields: [To]\nmessage: x\n" COMMON,
		  "t/x.yml:4:9: error: 'fields' applies to test unsigned-fields only" },
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

/* Hostile inputs end in bounded time: deeply nested comments, a long
 * run of mailboxes, an h= tag of many names. */
static void test_hostile(sl_context *ctx)
{
	sl_buf b;
	sl_arena a;
	arena_init(&a, NULL);
	buf_init(&b, &a, (size_t)1 << 20);
	buf_addf(&b, "From: ");
	for (int i = 0; i < 2000; i++)
		buf_addf(&b, "%sShop <a%d@x.example>", i ? ", " : "", i);
	buf_addf(&b, "\nMessage-ID: <a@b");
	for (int i = 0; i < 100; i++)
		buf_addc(&b, '(');
	buf_addf(&b, ">\nDKIM-Signature: h=");
	for (int i = 0; i < 4000; i++)
		buf_addf(&b, "%sf%d", i ? ":" : "", i);
	buf_addf(&b, "\nList-Unsubscribe: <https://x.example/u>\n\nHi.\n");
	char got[8192];
	render(ctx, "t.eml", buf_cstr(&b), "h/many,h/mid,h/dkim", got, sizeof got);
	T_CHECK(strstr(got, "h/many@") && strstr(got, " 2000 senders"), "many mailboxes: %s", got);
	T_CHECK(strstr(got, "h/mid@") != NULL, "nested comment id: %s", got);
	T_CHECK(strstr(got, "h/dkim@") != NULL, "long h=: %s", got);
	arena_release(&a);
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
	sl_context *ctx = load(dir);
	T_CHECK(ctx != NULL, "context");
	if (ctx) {
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			char got[4096];
			render(ctx, cases[i].name, cases[i].input, cases[i].prefixes, got, sizeof got);
			T_CHECK(!strcmp(got, cases[i].want), "case %zu (%s): got\n%s\nwant\n%s", i,
			        cases[i].prefixes, got, cases[i].want);
		}
		test_hostile(ctx);
		sl_context_free(ctx);
	}
	test_load_errors();
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("note: could not remove %s\n", top);
	return t_done();
}
