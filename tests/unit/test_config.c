/*
 * test_config.c - configuration files (config.c): loading and its errors
 * (exact text), discovery up a temporary directory tree, merging beneath
 * the command line (precedence), and the ignore globs.  Run from the
 * source root (make check does); writes under a mkdtemp directory that it
 * removes.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"

static char root[64];
static char srcdir[4096];

/* Files made, to remove at the end (deepest last made, removed first). */
static char *made[64];
static size_t nmade;

static void remember(const char *p)
{
	if (nmade < sizeof made / sizeof *made)
		made[nmade++] = strdup(p);
}

static void mkdir_p(const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	if (mkdir(p, 0700) == 0)
		remember(p);
}

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	if (!f) {
		printf("cannot write %s\n", p);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	remember(p);
}

static void cleanup(void)
{
	while (nmade) {
		char *p = made[--nmade];
		if (remove(p))
			printf("cannot remove %s\n", p);
		free(p);
	}
	rmdir(root);
}

/* --- loading ----------------------------------------------------------- */

static const struct {
	const char *yaml;
	int rc;
	const char *err;   /* %s = the file's path */
} loads[] = {
	{ "", SL_OK, NULL },
	{ "# only a comment\n", SL_OK, NULL },
	{ "rules: [extra]\nfail-level: none\nmax-risk: 40\n", SL_OK, NULL },
	{ "fail_level: warning\n", SL_ERULES,
	  "%s:1:1: error: unknown key 'fail_level' (did you mean 'fail-level'?)\n"
	  "    1 | fail_level: warning\n"
	  "      | ^~~~~~~~~~\n" },
	{ "colour: red\n", SL_ERULES,
	  "%s:1:1: error: unknown key 'colour'\n"
	  "    1 | colour: red\n"
	  "      | ^~~~~~\n" },
	{ "fail-level: fatal\nmax-risk: 101\n", SL_ERULES,
	  "%s:1:13: error: invalid level 'fatal' (expected note, warning, error or none)\n"
	  "    1 | fail-level: fatal\n"
	  "      |             ^~~~~\n"
	  "%s:2:11: error: max-risk must be a whole number from 0 to 100\n"
	  "    2 | max-risk: 101\n"
	  "      |           ^~~\n" },
	{ "severity:\n  tone/x: loud\n  subject: error\n", SL_ERULES,
	  "%s:2:11: error: invalid level 'loud' (expected note, warning or error)\n"
	  "    2 |   tone/x: loud\n"
	  "      |           ^~~~\n" },
	{ "severity: [a]\n", SL_ERULES,
	  "%s:1:11: error: expected a mapping of rule ids to note, warning or error\n"
	  "    1 | severity: [a]\n"
	  "      |           ^~~\n" },
	{ "disable: [tone, '']\ntemplates-have-headers: maybe\n", SL_ERULES,
	  "%s:1:17: error: an empty string is not allowed here\n"
	  "    1 | disable: [tone, '']\n"
	  "      |                 ^~\n"
	  "%s:2:25: error: expected true or false\n"
	  "    2 | templates-have-headers: maybe\n"
	  "      |                         ^~~~~\n" },
	{ "- a\n", SL_ERULES,
	  "%s:1:1: error: a configuration file must be a mapping of keys\n"
	  "    1 | - a\n"
	  "      | ^~~\n" },
	{ "dict: [a]\nvocabulary: {a: b}\n", SL_ERULES,
	  "%s:1:7: error: expected a path\n"
	  "    1 | dict: [a]\n"
	  "      |       ^~~\n"
	  "%s:2:13: error: expected a string or a list of strings, found a mapping\n"
	  "    2 | vocabulary: {a: b}\n"
	  "      |             ^~~~~~\n" },
	{ "rules: [a\n", SL_ERULES,
	  "%s:2:1: error: did not find expected ',' or ']'\n"
	  "    2 | \n"
	  "      | ^\n"
	  "%s:1:8: note: while parsing a flow sequence\n"
	  "    1 | rules: [a\n"
	  "      |        ^\n" },
};

static void test_load(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/load.yml", root);
	for (size_t i = 0; i < sizeof loads / sizeof *loads; i++) {
		FILE *f = fopen(path, "w");
		fputs(loads[i].yaml, f);
		fclose(f);
		sl_config *cfg = NULL;
		char *err = NULL;
		int rc = sl_config_load(&cfg, path, &err);
		T_EQ(rc, loads[i].rc, loads[i].yaml);
		if (loads[i].err) {
			char want[2048];
			/* every %s is the path */
			const char *s = loads[i].err;
			size_t k = 0;
			while (*s && k < sizeof want - 600) {
				if (s[0] == '%' && s[1] == 's') {
					k += (size_t)snprintf(want + k, sizeof want - k, "%s", path);
					s += 2;
				} else {
					want[k++] = *s++;
				}
			}
			want[k] = 0;
			T_STREQ(err, want, loads[i].yaml);
			T_CHECK(cfg == NULL, "no config on error");
		} else {
			T_CHECK(err == NULL && cfg != NULL, "loaded: %s", err ? err : "");
		}
		free(err);
		sl_config_free(cfg);
	}
	remove(path);

	sl_config *cfg = NULL;
	char *err = NULL;
	snprintf(path, sizeof path, "%s/missing.yml", root);
	T_EQ(sl_config_load(&cfg, path, &err), SL_EIO, "missing file");
	char want[600];
	snprintf(want, sizeof want, "%s: error: cannot read the file: No such file or directory\n", path);
	T_STREQ(err, want, "missing file text");
	free(err);
}

/* --- discovery --------------------------------------------------------- */

static void test_find(void)
{
	mkdir_p("proj");
	mkdir_p("proj/a");
	mkdir_p("proj/a/b");
	mkdir_p("proj/a/b/c");
	mkdir_p("proj/x");
	mkdir_p("proj/x/.sendlint.yml");   /* a directory: not a config */
	put("proj/.sendlint.yml", "max-risk: 10\n");
	put("proj/a/.sendlint.yml", "max-risk: 20\n");
	put("proj/a/b/c/mail.eml", "Subject: x\n\nbody\n");

	char p[512], want[512];
	struct { const char *from, *want; } abs[] = {
		{ "proj/a/b/c/mail.eml", "proj/a/.sendlint.yml" },
		{ "proj/a/b/c", "proj/a/.sendlint.yml" },
		{ "proj/a/b/c/", "proj/a/.sendlint.yml" },
		{ "proj/a/b/c/not-there.eml", "proj/a/.sendlint.yml" },
		{ "proj/a", "proj/a/.sendlint.yml" },
		{ "proj/x/y.html", "proj/.sendlint.yml" },
		{ "proj/a/../x/./y.html", "proj/.sendlint.yml" },
		{ "proj", "proj/.sendlint.yml" },
	};
	for (size_t i = 0; i < sizeof abs / sizeof *abs; i++) {
		snprintf(p, sizeof p, "%s/%s", root, abs[i].from);
		snprintf(want, sizeof want, "%s/%s", root, abs[i].want);
		char *got = sl_config_find(p);
		T_STREQ(got, want, abs[i].from);
		free(got);
	}
	/* relative paths give relative answers below the working directory,
	 * absolute ones above it */
	snprintf(p, sizeof p, "%s/proj", root);
	T_EQ(chdir(p), 0, "chdir");
	struct { const char *from, *want; } rel[] = {
		{ "a/b/c/mail.eml", "a/.sendlint.yml" },
		{ "./a/b/c/mail.eml", "a/.sendlint.yml" },
		{ "a//b/c/", "a/.sendlint.yml" },
		{ "x/y.html", ".sendlint.yml" },
		{ "mail.eml", ".sendlint.yml" },
		{ ".", ".sendlint.yml" },
		{ "", ".sendlint.yml" },
	};
	for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
		char *got = sl_config_find(rel[i].from);
		T_STREQ(got, rel[i].want, rel[i].from);
		free(got);
	}
	snprintf(p, sizeof p, "%s/proj/a/b", root);
	T_EQ(chdir(p), 0, "chdir");
	snprintf(want, sizeof want, "%s/proj/a/.sendlint.yml", root);
	char *got = sl_config_find("c/mail.eml");
	T_STREQ(got, want, "above the working directory");
	free(got);
	got = sl_config_find("../../x/y.html");
	snprintf(want, sizeof want, "%s/proj/.sendlint.yml", root);
	T_STREQ(got, want, "a relative path with ..");
	free(got);
	T_EQ(chdir(srcdir), 0, "chdir back");
}

/* --- merging and precedence -------------------------------------------- */

static void test_apply(void)
{
	mkdir_p("cfg");
	put("cfg/.sendlint.yml",
	    "rules: [myrules, /abs/rules]\n"
	    "disable: [tone]\n"
	    "enable: [tone/sorry-if]\n"
	    "severity: {subject/shouting: error, promo: note}\n"
	    "fail-level: warning\n"
	    "max-risk: 30\n"
	    "vocabulary: [Acme, Zorp]\n"
	    "ignore: ['*.draft.html', 'drafts', 'build/*', '/top.eml', 'deep/**/x.eml']\n"
	    "templates-have-headers: true\n"
	    "dict: dicts/en_GB\n");
	char path[512];
	snprintf(path, sizeof path, "%s/cfg/.sendlint.yml", root);
	sl_config *cfg = NULL;
	char *err = NULL;
	T_EQ(sl_config_load(&cfg, path, &err), SL_OK, "load");
	if (!cfg) {
		printf("%s", err ? err : "");
		free(err);
		return;
	}
	T_STREQ(sl_config_path(cfg), path, "path");
	T_EQ(sl_config_fail_level(cfg), SL_WARNING, "fail-level");
	T_EQ(sl_config_max_risk(cfg), 30, "max-risk");

	/* the command line's settings stay on top */
	static const char *const cli_dirs[] = { "cli-rules" };
	static const char *const cli_vocab[] = { "Blip" };
	static const sl_severity_override cli_sev[] = { { "promo", SL_ERROR } };
	sl_options o;
	memset(&o, 0, sizeof o);
	o.rule_dirs = cli_dirs;
	o.nrule_dirs = 1;
	o.vocabulary = cli_vocab;
	o.nvocabulary = 1;
	o.severity = cli_sev;
	o.nseverity = 1;
	o.dict = "cli-dict";
	T_EQ(sl_config_apply(cfg, &o), SL_OK, "apply");
	char d0[600];
	snprintf(d0, sizeof d0, "%s/cfg/myrules", root);
	T_EQ(o.nrule_dirs, 3, "rule dirs");
	T_STREQ(o.rule_dirs[0], d0, "config dir, relative to the file");
	T_STREQ(o.rule_dirs[1], "/abs/rules", "absolute dir kept");
	T_STREQ(o.rule_dirs[2], "cli-rules", "command line dir last");
	T_EQ(o.nvocabulary, 3, "vocabulary");
	T_STREQ(o.vocabulary[2], "Blip", "vocabulary order");
	T_EQ(o.nseverity, 3, "severities");
	T_STREQ(o.severity[2].id, "promo", "command line severity last (wins)");
	T_EQ(o.severity[2].severity, SL_ERROR, "command line severity");
	T_EQ(o.ncfg_disable, 1, "cfg_disable");
	T_STREQ(o.cfg_disable[0], "tone", "cfg_disable");
	T_STREQ(o.cfg_enable[0], "tone/sorry-if", "cfg_enable");
	T_EQ(o.ndisable, 0, "command line lists untouched");
	T_STREQ(o.dict, "cli-dict", "command line dict wins");
	T_EQ(o.templates_have_headers, 1, "templates-have-headers");

	memset(&o, 0, sizeof o);
	T_EQ(sl_config_apply(cfg, &o), SL_OK, "apply to nothing");
	char dd[600];
	snprintf(dd, sizeof dd, "%s/cfg/dicts/en_GB", root);
	T_STREQ(o.dict, dd, "dict relative to the file");

	/* ignore globs, relative to the file's directory */
	char p[600];
	static const struct { const char *rel; int want; } ig[] = {
		{ "cfg/a/promo.draft.html", 1 },
		{ "cfg/promo.html", 0 },
		{ "cfg/drafts/one.html", 1 },
		{ "cfg/x/drafts/one.html", 1 },
		{ "cfg/build/out.html", 1 },
		{ "cfg/build/sub/out.html", 1 },
		{ "cfg/x/build/out.html", 0 },
		{ "cfg/top.eml", 1 },
		{ "cfg/a/top.eml", 0 },
		{ "cfg/deep/1/2/x.eml", 1 },
		{ "cfg/deep/x.eml", 0 },
		{ "promo.draft.html", 0 },        /* outside the file's dir */
		{ "cfg/../promo.draft.html", 0 },
		{ "cfg/./q/../z.draft.html", 1 },
	};
	for (size_t i = 0; i < sizeof ig / sizeof *ig; i++) {
		snprintf(p, sizeof p, "%s/%s", root, ig[i].rel);
		T_EQ(sl_config_ignored(cfg, p), ig[i].want, ig[i].rel);
	}
	T_EQ(sl_config_ignored(cfg, "-"), 0, "stdin");
	sl_config_free(cfg);

	/* relative to the working directory */
	snprintf(p, sizeof p, "%s", root);
	T_EQ(chdir(p), 0, "chdir");
	T_EQ(sl_config_load(&cfg, "cfg/.sendlint.yml", &err), SL_OK, "relative load");
	if (cfg) {
		T_EQ(sl_config_ignored(cfg, "cfg/drafts/a.html"), 1, "relative ignore");
		T_EQ(sl_config_ignored(cfg, "cfg/a.html"), 0, "relative not ignored");
		memset(&o, 0, sizeof o);
		sl_config_apply(cfg, &o);
		T_STREQ(o.rule_dirs[0], "cfg/myrules", "relative rule dir");
		sl_config_free(cfg);
	}
	T_EQ(chdir(srcdir), 0, "chdir back");
}

/* The whole chain: a config beneath command-line options, into a
 * context, over the test rules. */
static void test_context(void)
{
	mkdir_p("ctx");
	char yml[8192];
	snprintf(yml, sizeof yml,
	         "rules: [%s/tests/rules/user]\n"
	         "disable: [tone, subject/shouting]\n"
	         "severity: {promo/free: error}\n", srcdir);
	put("ctx/.sendlint.yml", yml);
	char path[512];
	snprintf(path, sizeof path, "%s/ctx/.sendlint.yml", root);
	sl_config *cfg = NULL;
	char *err = NULL;
	T_EQ(sl_config_load(&cfg, path, &err), SL_OK, "load");
	if (!cfg) {
		free(err);
		return;
	}
	static const char *const enable[] = { "tone/sorry-if" };
	static const sl_severity_override sev[] = { { "promo", SL_NOTE } };
	sl_options o;
	memset(&o, 0, sizeof o);
	o.enable = enable;
	o.nenable = 1;
	o.severity = sev;
	o.nseverity = 1;
	sl_config_apply(cfg, &o);
	sl_context *ctx;
	int rc = sl_context_new(&ctx, &o);
	sl_config_free(cfg);  /* the context copied what it keeps */
	T_EQ(rc, SL_OK, "context");
	if (!rc) {
		const sl_rule *r = rules_find(ctx, "tone/sorry-if");
		T_CHECK(r && r->enabled, "command line enable beats config disable");
		r = rules_find(ctx, "subject/shouting");
		T_CHECK(r && !r->enabled, "config disable");
		r = rules_find(ctx, "promo/free");
		T_CHECK(r && r->enabled && r->severity == SL_NOTE,
		        "command line severity beats config severity");
	} else {
		printf("%s", sl_context_errmsg(ctx));
	}
	sl_context_free(ctx);
}

int main(void)
{
	if (!getcwd(srcdir, sizeof srcdir))
		return 2;
	snprintf(root, sizeof root, "/tmp/sendlint-config-XXXXXX");
	if (!mkdtemp(root)) {
		printf("mkdtemp failed\n");
		return 2;
	}
	test_load();
	test_find();
	test_apply();
	test_context();
	cleanup();
	return t_done();
}
