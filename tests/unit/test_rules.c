/*
 * test_rules.c - the loader: YAML nodes and their positions (yaml.c),
 * YAML and rule-file errors with their exact text (rules.c, over the
 * bad-rule dirs in tests/rules/), duplicate ids across dirs, rule
 * selection and severity overrides, and the rule-authoring commands
 * (check.c).  Run from the source root (make check does).
 */
#include <stdlib.h>

#include "internal.h"
#include "t.h"

/* --- the YAML layer ---------------------------------------------------- */

static sl_context yctx;

static sl_ynode *parse(const char *src, sl_loader *L)
{
	static sl_yfile f;
	free(yctx.errmsg);
	yctx.errmsg = NULL;
	memset(L, 0, sizeof *L);
	L->ctx = &yctx;
	f.path = "t.yml";
	f.src = src;
	f.len = strlen(src);
	return yaml_parse(L, &f);
}

/* Follow a path of map keys and list indexes ("b/1/c"). */
static const sl_ynode *walk(const sl_ynode *n, const char *path)
{
	char key[64];
	while (n && *path) {
		size_t k = strcspn(path, "/");
		memcpy(key, path, k);
		key[k] = 0;
		path += k + (path[k] == '/');
		if (n->type == SL_Y_SEQ) {
			size_t i = (size_t)strtoul(key, NULL, 10);
			n = i < n->n ? n->item[i] : NULL;
		} else if (n->type == SL_Y_MAP) {
			const sl_ynode *v = NULL;
			for (size_t i = 0; i + 1 < n->n; i += 2)
				if (!strcmp(n->item[i]->str, key))
					v = n->item[i + 1];
			n = v;
		} else {
			n = NULL;
		}
	}
	return n;
}

static const struct {
	const char *yaml, *path;
	sl_ytype type;
	size_t line, col, off, end;
	const char *str;
	int quoted;
} ypos[] = {
	{ "a: b\n", "a", SL_Y_SCALAR, 1, 4, 3, 4, "b", 0 },
	{ "a: b\n", "", SL_Y_MAP, 1, 1, 0, 5, NULL, 0 },
	{ "a: 'x y'\n", "a", SL_Y_SCALAR, 1, 4, 3, 8, "x y", 1 },
	{ "k: 1\nlist:\n  - one\n  - \"two\"\n", "list/1", SL_Y_SCALAR, 4, 5, 23, 28, "two", 1 },
	{ "k: 1\nlist:\n  - one\n  - \"two\"\n", "list", SL_Y_SEQ, 3, 3, 13, 29, NULL, 0 },
	{ "f: [a, bc]\n", "f/1", SL_Y_SCALAR, 1, 8, 7, 9, "bc", 0 },
	{ "f: {x: 1}\n", "f/x", SL_Y_SCALAR, 1, 8, 7, 8, "1", 0 },
	/* columns count code points, offsets bytes */
	{ "é: ü\n", "é", SL_Y_SCALAR, 1, 4, 4, 6, "ü", 0 },
	{ "x: \"€€\"\ny: z\n", "y", SL_Y_SCALAR, 2, 4, 15, 16, "z", 0 },
	/* CR LF line breaks */
	{ "a: 1\r\nb: 2\r\n", "b", SL_Y_SCALAR, 2, 4, 9, 10, "2", 0 },
	/* a byte-order mark counts as one column */
	{ "\xEF\xBB\xBF" "a: 1\n", "a", SL_Y_SCALAR, 1, 5, 6, 7, "1", 0 },
	/* block scalars: the node starts at the indicator */
	{ "d: |\n  one\n  two\n", "d", SL_Y_SCALAR, 1, 4, 3, 17, "one\ntwo\n", 1 },
	{ "d: >\n  one\n  two\n", "d", SL_Y_SCALAR, 1, 4, 3, 17, "one two\n", 1 },
	/* an empty value is an empty plain scalar where the value would be */
	{ "a:\nb: 1\n", "a", SL_Y_SCALAR, 1, 3, 2, 2, "", 0 },
	{ "", "", SL_Y_SCALAR, 1, 1, 0, 0, "", 0 },
};

static void test_positions(void)
{
	for (size_t i = 0; i < sizeof ypos / sizeof *ypos; i++) {
		sl_loader L;
		sl_ynode *root = parse(ypos[i].yaml, &L);
		const sl_ynode *n = walk(root, ypos[i].path);
		T_CHECK(n != NULL, "ypos %zu: no node at '%s' (%s)", i, ypos[i].path,
		        yctx.errmsg ? yctx.errmsg : "");
		if (!n)
			continue;
		T_EQ(n->type, ypos[i].type, "node type");
		T_EQ(n->line, ypos[i].line, "line");
		T_EQ(n->col, ypos[i].col, "col");
		T_EQ(n->off, ypos[i].off, "off");
		T_EQ(n->end, ypos[i].end, "end");
		if (ypos[i].str)
			T_STREQ(n->str, ypos[i].str, "scalar");
		T_EQ(n->quoted, ypos[i].quoted, "quoted");
		T_EQ(L.nerr, 0, "no errors");
	}
}

static const struct {
	const char *yaml, *err;
} yerr[] = {
	{ "a: [b\n",
	  "t.yml:2:1: error: did not find expected ',' or ']'\n"
	  "    2 | \n"
	  "      | ^\n"
	  "t.yml:1:4: note: while parsing a flow sequence\n"
	  "    1 | a: [b\n"
	  "      |    ^\n" },
	{ "a: b\na: c\n",
	  "t.yml:2:1: error: duplicate key 'a'\n"
	  "    2 | a: c\n"
	  "      | ^\n"
	  "t.yml:1:1: note: 'a' first appears here\n"
	  "    1 | a: b\n"
	  "      | ^\n" },
	{ "a: &x 1\nb: *x\n",
	  "t.yml:2:4: error: aliases are not supported\n"
	  "    2 | b: *x\n"
	  "      |    ^~\n" },
	{ "a: 1\n---\nb: 2\n",
	  "t.yml:2:1: error: more than one YAML document in the file\n"
	  "    2 | ---\n"
	  "      | ^\n" },
	{ "? [a]\n: b\n",
	  "t.yml:1:3: error: a mapping key must be a plain string\n"
	  "    1 | ? [a]\n"
	  "      |   ^\n" },
	{ "a: \"x\001\"\n",
	  "t.yml:1:6: error: control characters are not allowed (byte 0x01)\n"
	  "    1 | a: \"x \"\n"
	  "      |      ^\n" },
	{ "a: \xff\n",
	  "t.yml:1:4: error: invalid leading UTF-8 octet (byte 0xff)\n"
	  "    1 | a: ?\n"
	  "      |    ^\n" },
	{ "a: 'unterminated\n",
	  "t.yml:2:1: error: found unexpected end of stream\n"
	  "    2 | \n"
	  "      | ^\n"
	  "t.yml:1:4: note: while scanning a quoted scalar\n"
	  "    1 | a: 'unterminated\n"
	  "      |    ^\n" },
};

static void test_yaml_errors(void)
{
	for (size_t i = 0; i < sizeof yerr / sizeof *yerr; i++) {
		sl_loader L;
		sl_ynode *root = parse(yerr[i].yaml, &L);
		T_CHECK(root == NULL, "yerr %zu: parsed", i);
		T_STREQ(yctx.errmsg, yerr[i].err, "yaml error text");
	}
	/* nesting is bounded */
	char deep[400];
	size_t k = 0;
	for (int i = 0; i < 70; i++)
		deep[k++] = '[';
	deep[k] = 0;
	sl_loader L;
	T_CHECK(parse(deep, &L) == NULL, "deep nesting refused");
	T_CHECK(yctx.errmsg && strstr(yctx.errmsg, "nesting deeper than 64 levels"),
	        "nesting error: %s", yctx.errmsg ? yctx.errmsg : "");
}

/* Typed reads and their errors. */
static const struct {
	const char *yaml;  /* "v: ..." */
	char what;         /* s string, n number, b bool, l strings */
	const char *want;  /* value as text, or NULL when an error */
	const char *err;
} typed[] = {
	{ "v: 1.5\n", 'n', "1.5", NULL },
	{ "v: -2\n", 'n', "-2", NULL },
	{ "v: 1_000\n", 'n', "1000", NULL },
	{ "v: '3'\n", 'n', NULL, "t.yml:1:4: error: expected a number, found a quoted string\n"
	  "    1 | v: '3'\n      |    ^~~\n" },
	{ "v: 0x10\n", 'n', NULL, "t.yml:1:4: error: expected a number, found '0x10'\n"
	  "    1 | v: 0x10\n      |    ^~~~\n" },
	{ "v: .inf\n", 'n', NULL, "t.yml:1:4: error: expected a number, found '.inf'\n"
	  "    1 | v: .inf\n      |    ^~~~\n" },
	{ "v:\n", 'n', NULL, "t.yml:1:3: error: expected a number, found nothing\n"
	  "    1 | v:\n      |   ^\n" },
	{ "v: yes\n", 'b', "1", NULL },
	{ "v: false\n", 'b', "0", NULL },
	{ "v: 'true'\n", 'b', NULL, "t.yml:1:4: error: expected true or false\n"
	  "    1 | v: 'true'\n      |    ^~~~~~\n" },
	{ "v: 12\n", 's', "12", NULL },
	{ "v: ~\n", 's', NULL, "t.yml:1:4: error: expected a string, found nothing\n"
	  "    1 | v: ~\n      |    ^\n" },
	{ "v: \"a\\0b\"\n", 's', NULL, "t.yml:1:4: error: a NUL character is not allowed here\n"
	  "    1 | v: \"a\\0b\"\n      |    ^~~~~~\n" },
	{ "v: {a: 1}\n", 's', NULL, "t.yml:1:4: error: expected a string, found a mapping\n"
	  "    1 | v: {a: 1}\n      |    ^~~~~~\n" },
	{ "v: [a, 'b c']\n", 'l', "a|b c", NULL },
	{ "v: one\n", 'l', "one", NULL },
	{ "v: [a, [b]]\n", 'l', NULL, "t.yml:1:8: error: expected a string, found a list\n"
	  "    1 | v: [a, [b]]\n      |        ^~~\n" },
};

static void test_typed(void)
{
	for (size_t i = 0; i < sizeof typed / sizeof *typed; i++) {
		sl_loader L;
		sl_ynode *root = parse(typed[i].yaml, &L);
		sl_ynode *v = ynode_get(root, "v");
		T_CHECK(v && v->used && root->item[0]->used, "typed %zu: get marks used", i);
		if (!v)
			continue;
		char got[128] = "";
		int rc = -1;
		if (typed[i].what == 'n') {
			double d;
			if (!(rc = ynode_num(&L, v, &d)))
				snprintf(got, sizeof got, "%g", d);
		} else if (typed[i].what == 'b') {
			int b;
			if (!(rc = ynode_bool(&L, v, &b)))
				snprintf(got, sizeof got, "%d", b);
		} else if (typed[i].what == 's') {
			const char *s;
			if (!(rc = ynode_str(&L, v, &s)))
				snprintf(got, sizeof got, "%s", s);
		} else {
			const char **s;
			size_t n;
			if (!(rc = ynode_strs(&L, v, &s, &n)))
				for (size_t k = 0; k < n; k++)
					snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s",
					         k ? "|" : "", s[k]);
		}
		if (typed[i].want) {
			T_EQ(rc, 0, typed[i].yaml);
			T_STREQ(got, typed[i].want, typed[i].yaml);
		} else {
			T_EQ(rc, -1, typed[i].yaml);
			T_STREQ(yctx.errmsg, typed[i].err, typed[i].yaml);
		}
	}
	sl_loader L;
	T_CHECK(ynode_get(parse("a: 1\n", &L), "b") == NULL, "absent key");
	T_CHECK(ynode_get(NULL, "b") == NULL, "NULL map");
}

static void test_edit_distance(void)
{
	static const struct { const char *a, *b; size_t d; } t[] = {
		{ "phrase", "phrases", 1 }, { "messag", "message", 1 },
		{ "paragraf", "paragraph", 2 }, { "kind", "kind", 0 },
		{ "colour", "scope", 3 }, { "", "ab", 2 }, { "abc", "", 3 },
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		T_EQ(edit_distance(t[i].a, t[i].b, 2), t[i].d, t[i].a);
}

/* --- rule dirs --------------------------------------------------------- */

static sl_context *load(const char *const *dirs, size_t n, const sl_options *base,
                        int *rc)
{
	sl_options o;
	if (base)
		o = *base;
	else
		memset(&o, 0, sizeof o);
	o.rule_dirs = dirs;
	o.nrule_dirs = n;
	sl_context *ctx;
	*rc = sl_context_new(&ctx, &o);
	return ctx;
}

static const struct {
	const char *dir;
	const char *err;
} bad[] = {
	{ "tests/rules/bad-yaml",
	  "tests/rules/bad-yaml/broken.yml:4:8: error: did not find expected ',' or ']'\n"
	  "    4 | message: x\n"
	  "      |        ^\n"
	  "tests/rules/bad-yaml/broken.yml:3:10: note: while parsing a flow sequence\n"
	  "    3 | phrases: [a, b\n"
	  "      |          ^\n"
	  "tests/rules/bad-yaml/tabs.yml:2:1: error: found a tab character that violates indentation\n"
	  "    2 | \tscope: paragraph\n"
	  "      | ^\n"
	  "tests/rules/bad-yaml/tabs.yml:1:7: note: while scanning a plain scalar\n"
	  "    1 | kind: regex\n"
	  "      |       ^\n" },
	{ "tests/rules/bad-keys",
	  /* a failed compile: keys it did not get to read are let be */
	  "tests/rules/bad-keys/tone/metric.yml:3:9: error: unknown metric 'capsratio'\n"
	  "    3 | metric: capsratio\n"
	  "      |         ^~~~~~~~~\n"
	  "tests/rules/bad-keys/tone/typo.yml: error: a phrase rule needs 'phrases'\n"
	  "tests/rules/bad-keys/tone/typo.yml:4:1: error: unknown key 'phrase' (did you mean 'phrases'?)\n"
	  "    4 | phrase: [a]\n"
	  "      | ^~~~~~\n"
	  "tests/rules/bad-keys/tone/typo.yml:5:1: error: unknown key 'messag' (did you mean 'message'?)\n"
	  "    5 | messag: \"x\"\n"
	  "      | ^~~~~~\n"
	  "tests/rules/bad-keys/tone/typo.yml:8:1: error: unknown key 'colour'\n"
	  "    8 | colour: red\n"
	  "      | ^~~~~~\n" },
	{ "tests/rules/bad-types",
	  "tests/rules/bad-types/t/types.yml:3:8: error: invalid group 'Tone' (a lower-case word such as tone or subject)\n"
	  "    3 | group: Tone\n"
	  "      |        ^~~~\n"
	  "tests/rules/bad-types/t/types.yml:5:9: error: expected a number, found 'heavy'\n"
	  "    5 | weight: heavy\n"
	  "      |         ^~~~~\n"
	  "tests/rules/bad-types/t/types.yml:6:9: error: expected true or false\n"
	  "    6 | report: maybe\n"
	  "      |         ^~~~~\n"
	  "tests/rules/bad-types/t/types.yml:7:6: error: the cap must be a whole number from 1\n"
	  "    7 | cap: 0\n"
	  "      |      ^\n"
	  "tests/rules/bad-types/t/types.yml:8:9: error: invalid value 'sometimes' for 'hidden' (expected exclude, include or only)\n"
	  "    8 | hidden: sometimes\n"
	  "      |         ^~~~~~~~~\n"
	  "tests/rules/bad-types/t/types.yml:9:11: error: invalid severity 'fatal' (expected note, warning or error)\n"
	  "    9 | severity: fatal\n"
	  "      |           ^~~~~\n"
	  "tests/rules/bad-types/t/types.yml:10:10: error: expected a string, found a list\n"
	  "   10 | message: [a, b]\n"
	  "      |          ^~~~~~\n"
	  "tests/rules/bad-types/t/types.yml:12:10: error: expected a string, found a mapping\n"
	  "   12 | suggest: {a: b}\n"
	  "      |          ^~~~~~\n"
	  "tests/rules/bad-types/t/weight.yml:5:9: error: the weight must not be negative\n"
	  "    5 | weight: -1\n"
	  "      |         ^~\n" },
	{ "tests/rules/bad-missing",
	  "tests/rules/bad-missing/empty.yml: error: a rule file must be a mapping of keys (kind: ..., scope: ..., ...)\n"
	  "tests/rules/bad-missing/list.yml:1:1: error: a rule file must be a mapping of keys (kind: ..., scope: ..., ...)\n"
	  "    1 | - kind: regex\n"
	  "      | ^~~~~~~~~~~~~\n"
	  "tests/rules/bad-missing/nogroup.yml: error: missing key 'group' (the rule is not in a group's folder)\n"
	  "tests/rules/bad-missing/t/nokeys.yml: error: missing key 'kind' (phrase, regex, header, metric, spell, tokens or meta)\n"
	  "tests/rules/bad-missing/t/nokeys.yml: error: missing key 'scope'\n"
	  "tests/rules/bad-missing/t/nokeys.yml: error: missing key 'message'\n"
	  "tests/rules/bad-missing/t/nokeys.yml: error: missing key 'description'\n"
	  "tests/rules/bad-missing/t/nomsg.yml: error: missing key 'message'\n"
	  "tests/rules/bad-missing/t/nomsg.yml: error: missing key 'description'\n" },
	{ "tests/rules/bad-kind-scope",
	  "tests/rules/bad-kind-scope/t/header.yml:2:8: error: the scope 'header' needs a field name, as in 'header:From'\n"
	  "    2 | scope: header\n"
	  "      |        ^~~~~~\n"
	  "tests/rules/bad-kind-scope/t/header2.yml:2:8: error: invalid header field name 'Reply To' in the scope\n"
	  "    2 | scope: 'header:Reply To'\n"
	  "      |        ^~~~~~~~~~~~~~~~~\n"
	  "tests/rules/bad-kind-scope/t/kind.yml:1:7: error: unknown kind 'phrasee' (did you mean 'phrase'?)\n"
	  "    1 | kind: phrasee\n"
	  "      |       ^~~~~~~\n"
	  "tests/rules/bad-kind-scope/t/kind2.yml:1:7: error: unknown kind 'words' (expected phrase, regex, header, metric, spell, tokens or meta)\n"
	  "    1 | kind: words\n"
	  "      |       ^~~~~\n"
	  /* an unknown kind: any kind's key is let be, others are not */
	  "tests/rules/bad-kind-scope/t/kind2.yml:5:1: error: unknown key 'severty' (did you mean 'severity'?)\n"
	  "    5 | severty: note\n"
	  "      | ^~~~~~~\n"
	  "tests/rules/bad-kind-scope/t/scope.yml:2:8: error: unknown scope 'paragraf' (did you mean 'paragraph'?)\n"
	  "    2 | scope: paragraf\n"
	  "      |        ^~~~~~~~\n" },
	{ "tests/rules/bad-fix-examples",
	  "tests/rules/bad-fix-examples/t/action.yml:6:15: error: unknown fix action 'upper' (expected sentence-case, delete or lower)\n"
	  "    6 | fix: {action: upper}\n"
	  "      |               ^~~~~\n"
	  "tests/rules/bad-fix-examples/t/action.yml:7:35: error: expected a string, found a list\n"
	  "    7 | examples: {match: a, nomatch: [b, [c]]}\n"
	  "      |                                   ^~~\n"
	  "tests/rules/bad-fix-examples/t/dupkey.yml:4:1: error: duplicate key 'pattern'\n"
	  "    4 | pattern: b\n"
	  "      | ^~~~~~~\n"
	  "tests/rules/bad-fix-examples/t/dupkey.yml:3:1: note: 'pattern' first appears here\n"
	  "    3 | pattern: a\n"
	  "      | ^~~~~~~\n"
	  "tests/rules/bad-fix-examples/t/fix.yml:6:6: error: a fix has either 'replace' or 'action', not both\n"
	  "    6 | fix: {replace: b, action: lower}\n"
	  "      |      ^~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
	  "tests/rules/bad-fix-examples/t/fix.yml:9:3: error: unknown key 'nomath' (did you mean 'nomatch'?)\n"
	  "    9 |   nomath: [b]\n"
	  "      |   ^~~~~~\n" },
	{ "tests/rules/bad-files",
	  "tests/rules/bad-files/old.yaml: error: rule files are named '*.yml', not '*.yaml'\n"
	  "tests/rules/bad-files/has space.yml: error: invalid rule id 'has space': use letters, digits, '-', '_', '.' and '/'\n"
	  "tests/rules/bad-files/input/x.yml: error: the id prefix 'input/' is reserved for findings about the input\n" },
	{ "tests/rules/no-such-dir",
	  "tests/rules/no-such-dir: error: cannot open the rules directory: No such file or directory\n" },
};

static void test_bad_dirs(void)
{
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int rc;
		sl_context *ctx = load(&bad[i].dir, 1, NULL, &rc);
		int want = strstr(bad[i].dir, "no-such") ? SL_EIO : SL_ERULES;
		T_EQ(rc, want, bad[i].dir);
		T_STREQ(sl_context_errmsg(ctx), bad[i].err, bad[i].dir);
		sl_context_free(ctx);
	}
}

static void test_duplicates(void)
{
	static const char *const dirs[] = { "tests/rules/dup-a", "tests/rules/dup-b" };
	int rc;
	sl_context *ctx = load(dirs, 2, NULL, &rc);
	T_EQ(rc, SL_ERULES, "duplicate id");
	T_STREQ(sl_context_errmsg(ctx),
	        "tests/rules/dup-b/tone/x.yml: error: duplicate rule id 'tone/x'\n"
	        "tests/rules/dup-a/tone/x.yml: note: 'tone/x' is first defined here\n",
	        "duplicate id text");
	sl_context_free(ctx);
	/* the same dir named twice is loaded once */
	static const char *const same[] = { "tests/rules/dup-a", "tests/rules/dup-a" };
	ctx = load(same, 2, NULL, &rc);
	T_EQ(rc, SL_OK, "a dir named twice");
	T_EQ(ctx->nrule, 1, "a dir named twice: one rule");
	sl_context_free(ctx);
	/* the bundled dir counts as a dir too */
	sl_options o;
	memset(&o, 0, sizeof o);
	o.default_rules = "tests/rules/dup-a";
	ctx = load(dirs + 1, 1, &o, &rc);
	T_EQ(rc, SL_ERULES, "duplicate of a bundled rule");
	sl_context_free(ctx);
}

/* --- selection --------------------------------------------------------- */

#define MAXS 4
static const struct {
	const char *cfg_disable[MAXS], *cfg_enable[MAXS], *disable[MAXS], *enable[MAXS];
	sl_severity_override sev[MAXS];
	const char *want;  /* "id=severity|off ..." in id order, or an error */
} sel[] = {
	{ .want = "promo/free=warning subject/shouting=note tone/sorry-if=warning" },
	{ .disable = { "tone/sorry-if" },
	  .want = "promo/free=warning subject/shouting=note tone/sorry-if=off" },
	/* a group */
	{ .disable = { "promo" },
	  .want = "promo/free=off subject/shouting=note tone/sorry-if=warning" },
	/* the group "tone" and the prefix "subject/" */
	{ .disable = { "tone", "subject/" },
	  .want = "promo/free=warning subject/shouting=off tone/sorry-if=off" },
	/* a prefix without its slash matches whole folders only */
	{ .disable = { "sub" }, .want = "error: cannot disable 'sub': no rule, group or id "
	  "prefix has that name\n" },
	{ .disable = { "tone/sorry-iff" }, .want = "error: cannot disable 'tone/sorry-iff': no rule, "
	  "group or id prefix has that name (did you mean 'tone/sorry-if'?)\n" },
	/* disable, then enable */
	{ .disable = { "subject", "tone" }, .enable = { "tone/sorry-if" },
	  .want = "promo/free=warning subject/shouting=off tone/sorry-if=warning" },
	/* the command line overrides the configuration file either way */
	{ .cfg_disable = { "tone" }, .enable = { "tone/sorry-if" },
	  .want = "promo/free=warning subject/shouting=note tone/sorry-if=warning" },
	{ .cfg_enable = { "tone/sorry-if" }, .disable = { "tone" },
	  .want = "promo/free=warning subject/shouting=note tone/sorry-if=off" },
	{ .cfg_disable = { "promo/free" }, .cfg_enable = { "promo" },
	  .want = "promo/free=warning subject/shouting=note tone/sorry-if=warning" },
	/* severities: by id, group or prefix; later entries win */
	{ .sev = { { "tone", SL_ERROR }, { "subject/shouting", SL_WARNING } },
	  .want = "promo/free=warning subject/shouting=warning tone/sorry-if=error" },
	{ .sev = { { "promo/", SL_NOTE }, { "promo/free", SL_ERROR } },
	  .want = "promo/free=error subject/shouting=note tone/sorry-if=warning" },
	{ .sev = { { "tone/nope", SL_NOTE } },
	  .want = "error: cannot set the severity of 'tone/nope': no rule, group or id "
	  "prefix has that name\n" },
};

static size_t count(const char *const *v)
{
	size_t n = 0;
	while (n < MAXS && v[n])
		n++;
	return n;
}

static void test_selection(void)
{
	static const char *const user[] = { "tests/rules/user" };
	static const char *const names[] = { "note", "warning", "error" };
	for (size_t i = 0; i < sizeof sel / sizeof *sel; i++) {
		sl_options o;
		memset(&o, 0, sizeof o);
		o.cfg_disable = sel[i].cfg_disable;
		o.ncfg_disable = count(sel[i].cfg_disable);
		o.cfg_enable = sel[i].cfg_enable;
		o.ncfg_enable = count(sel[i].cfg_enable);
		o.disable = sel[i].disable;
		o.ndisable = count(sel[i].disable);
		o.enable = sel[i].enable;
		o.nenable = count(sel[i].enable);
		o.severity = sel[i].sev;
		while (o.nseverity < MAXS && sel[i].sev[o.nseverity].id)
			o.nseverity++;
		int rc;
		sl_context *ctx = load(user, 1, &o, &rc);
		char got[512] = "";
		if (rc) {
			snprintf(got, sizeof got, "%s", sl_context_errmsg(ctx));
		} else {
			for (size_t k = 0; k < ctx->nrule; k++) {
				const sl_rule *r = ctx->rule[k];
				snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s=%s",
				         k ? " " : "", r->id,
				         r->enabled ? names[r->severity] : "off");
			}
		}
		T_STREQ(got, sel[i].want, "selection");
		sl_context_free(ctx);
	}
}

/* --- the loaded rules and the authoring commands ----------------------- */

static void test_user_rules(void)
{
	static const char *const user[] = { "tests/rules/user" };
	int rc;
	sl_context *ctx = load(user, 1, NULL, &rc);
	T_EQ(rc, SL_OK, "user rules load");
	T_STREQ(sl_context_errmsg(ctx), "", "no message");
	if (rc) {
		sl_context_free(ctx);
		return;
	}
	T_EQ(ctx->nrule, 3, "three rules (_notes.yml skipped)");
	const sl_rule *r = rules_find(ctx, "tone/sorry-if");
	T_CHECK(r != NULL, "find tone/sorry-if");
	if (r) {
		T_EQ(r->kind, SL_RK_PHRASE, "kind");
		T_EQ(r->scope, SL_SC_SENTENCE, "scope");
		T_STREQ(r->group, "tone", "group");
		T_CHECK(r->weight == 2.0, "weight");
		T_EQ(r->nex_match, 1, "match examples");
		T_EQ(r->nex_nomatch, 1, "nomatch examples");
		T_EQ(r->line, 2, "line of kind:");
		T_STREQ(r->path, "tests/rules/user/tone/sorry-if.yml", "path");
		T_EQ(r->report, 1, "report default");
		T_EQ(r->cap, 1, "cap default");
	}
	r = rules_find(ctx, "promo/free");
	T_CHECK(r && !strcmp(r->group, "promo"), "user-defined group");
	r = rules_find(ctx, "subject/shouting");
	T_CHECK(r && !strcmp(r->group, "subject") && r->fix_replace &&
	        !strcmp(r->fix_replace, "!"), "group from the folder, fix");
	T_CHECK(rules_find(ctx, "tone/nope") == NULL, "no such rule");
	for (size_t i = 0; i < ctx->nrule; i++)
		T_EQ(ctx->rule[i]->index, i, "index");

	sl_strbuf sb = { 0 };
	T_EQ(sl_list_rules(ctx, &sb), 0, "list");
	T_STREQ(sb.buf,
	        "promo/free        promo    warning  regex   The word free.\n"
	        "subject/shouting  subject  note     regex   Repeated exclamation marks read as shouting.\n"
	        "tone/sorry-if     tone     warning  phrase  A non-apology: it blames the reader's feelings.\n",
	        "list text");
	sb.len = 0;
	T_EQ(sl_explain_rule(ctx, "tone/sorry-if", &sb), 0, "explain");
	T_STREQ(sb.buf,
	        "tone/sorry-if\n"
	        "  kind phrase, scope sentence, warning, group tone, weight 2\n"
	        "  file tests/rules/user/tone/sorry-if.yml\n"
	        "\n"
	        "A non-apology: it blames the reader's feelings.\n"
	        "Second line of the description.\n"
	        "\n"
	        "message: '{match}' apologises for the reader's feelings, not for what happened\n"
	        "suggest: name what went wrong and apologise for that\n"
	        "\n"
	        "matches:\n"
	        "  We're sorry if you feel misled.\n"
	        "\n"
	        "does not match:\n"
	        "  We're sorry we shipped late.\n",
	        "explain text");
	sb.len = 0;
	T_EQ(sl_explain_rule(ctx, "tone/sorry-iff", &sb), SL_EUSAGE, "explain unknown");
	T_STREQ(sl_context_errmsg(ctx), "no rule 'tone/sorry-iff' (did you mean 'tone/sorry-if'?)",
	        "explain unknown text");
	T_EQ(sl_explain_rule(ctx, "zzz", &sb), SL_EUSAGE, "explain unknown");
	T_STREQ(sl_context_errmsg(ctx), "no rule 'zzz' (see --list-rules)", "explain unknown text");

	sb.len = 0;
	size_t failed = 99;
	T_EQ(sl_check_rules(ctx, &sb, &failed), 0, "check");
	T_STREQ(sb.buf,
	        "tests/rules/user/promo/free.yml: warning: rule promo/free has no 'nomatch' examples\n"
	        "6 passed, 0 failed\n", "check text");
	T_EQ(failed, 0, "check failures");
	sl_strbuf_release(&sb);
	sl_context_free(ctx);
}

/* Failing examples are reported at the example, with a caret; shipped
 * rules (the default dir) must have both kinds of example. */
static void test_check_failures(void)
{
	sl_options o;
	memset(&o, 0, sizeof o);
	o.default_rules = "tests/rules/examples";
	int rc;
	sl_context *ctx = load(NULL, 0, &o, &rc);
	T_EQ(rc, SL_OK, "examples dir loads");
	if (rc) {
		printf("%s", sl_context_errmsg(ctx));
		sl_context_free(ctx);
		return;
	}
	sl_strbuf sb = { 0 };
	size_t failed = 0;
	T_EQ(sl_check_rules(ctx, &sb, &failed), 0, "check");
	T_STREQ(sb.buf,
	        "tests/rules/examples/subject/bangs.yml:8:11: error: example 'Calm subject' should match subject/bangs but did not\n"
	        "    8 |   match: [\"Calm subject\", \"Wow!!\"]\n"
	        "      |           ^~~~~~~~~~~~~~\n"
	        "tests/rules/examples/subject/bangs.yml:10:7: error: example 'Subject: Hi!!\\n\\nA message example.\\n' should not match subject/bangs but did\n"
	        "   10 |     - |\n"
	        "      |       ^\n"
	        "tests/rules/examples/subject/noex.yml: error: rule subject/noex has no examples\n"
	        "2 passed, 3 failed\n", "check failures text");
	T_EQ(failed, 3, "failures");
	sb.len = 0;
	T_EQ(sl_check_rules_dir(ctx, "tests/rules/nowhere", &sb, &failed), 0, "check dir");
	T_STREQ(sb.buf, "0 passed, 0 failed\n", "check another dir");
	sl_strbuf_release(&sb);
	sl_context_free(ctx);
}

static void test_context_basics(void)
{
	sl_context *ctx;
	T_EQ(sl_context_new(&ctx, NULL), SL_OK, "no options: no rules");
	T_EQ(ctx->nrule, 0, "no rules");
	T_STREQ(sl_context_errmsg(ctx), "", "no message");
	T_EQ(ctx->lim.input_size, SL_DEFAULT_INPUT_SIZE, "limits filled");
	sl_context_free(ctx);
	T_STREQ(sl_context_errmsg(NULL), "out of memory", "NULL context");

	/* every option string is copied */
	char dir[64], word[16];
	snprintf(dir, sizeof dir, "tests/rules/user");
	snprintf(word, sizeof word, "Zorp");
	const char *dirs[] = { dir }, *vocab[] = { word };
	sl_options o;
	memset(&o, 0, sizeof o);
	o.rule_dirs = dirs;
	o.nrule_dirs = 1;
	o.vocabulary = vocab;
	o.nvocabulary = 1;
	T_EQ(sl_context_new(&ctx, &o), SL_OK, "user rules");
	memset(dir, 'x', sizeof dir - 1);
	memset(word, 'y', sizeof word - 1);
	T_STREQ(ctx->opts.rule_dirs[0], "tests/rules/user", "dir copied");
	T_STREQ(ctx->opts.vocabulary[0], "Zorp", "vocabulary copied");
	sl_context_free(ctx);

	memset(&o, 0, sizeof o);
	o.dict = "tests/rules/no-such-dict";
	T_EQ(sl_context_new(&ctx, &o), SL_EIO, "missing dictionary");
	T_STREQ(sl_context_errmsg(ctx), "error: cannot read the hunspell dictionary "
	        "'tests/rules/no-such-dict.aff' and 'tests/rules/no-such-dict.dic'\n",
	        "missing dictionary text");
	sl_context_free(ctx);
}

int main(void)
{
	arena_init(&yctx.arena, &yctx.oom);
	if (setjmp(yctx.oom)) {
		printf("out of memory\n");
		return 1;
	}
	test_positions();
	test_yaml_errors();
	test_typed();
	test_edit_distance();
	test_context_basics();
	test_bad_dirs();
	test_duplicates();
	test_selection();
	test_user_rules();
	test_check_failures();
	arena_release(&yctx.arena);
	free(yctx.errmsg);
	return t_done();
}
