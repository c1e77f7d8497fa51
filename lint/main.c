/*
 * main.c - the sendlint command line: a thin shell around the library.
 *
 * In: options and paths (files, directories walked in sorted order, "-"
 * for standard input).  Out: rendered diagnostics on stdout, operational
 * errors on stderr, and the exit status:
 *   0 nothing at or above --fail-level (and no risk over --max-risk)
 *   1 findings at or above it
 *   2 an input could not be read
 *   3 bad usage
 *   4 invalid rules or configuration
 * This is the only file that prints or exits.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sendlint.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_IO = 2, EXIT_USAGE = 3, EXIT_RULES = 4 };

/* Directory walking bounds: real template trees are shallow; a loop of
 * bind mounts or a hostile tree must not run forever. */
#define WALK_MAX_DEPTH 64
#define WALK_MAX_FILES 1000000

typedef struct strvec {
	char **v;
	size_t n, alloc;
} strvec;

static void die_oom(void)
{
	fputs("sendlint: out of memory\n", stderr);
	exit(EXIT_IO);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xrealloc(NULL, n);
	memcpy(p, s, n);
	return p;
}

static void vec_push(strvec *v, const char *s)
{
	if (v->n == v->alloc) {
		v->alloc = v->alloc ? v->alloc * 2 : 16;
		v->v = xrealloc(v->v, v->alloc * sizeof *v->v);
	}
	v->v[v->n++] = xstrdup(s);
}

static void vec_free(strvec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = v->alloc = 0;
}

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("sendlint: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sendlint --help' for more information.\n", stderr);
	exit(EXIT_USAGE);
}

static const char usage_text[] =
"usage: sendlint [options] [FILE | DIR | -]...\n"
"\n"
"Lint raw emails (.eml) and HTML/text email templates for spam-filter,\n"
"tone, bad-news bundling and deliverability risks.\n"
"\n"
"Output:\n"
"  --format=FMT          text (default), json, sarif\n"
"  --dump                print what the linter sees (MIME tree, decoded text)\n"
"  --color=WHEN          auto (default), always, never\n"
"  --stdin-filename=NAME name for diagnostics when reading '-'\n"
"\n"
"Failing:\n"
"  --fail-level=LEVEL    exit 1 on findings at or above note|warning|error\n"
"                        (default error), or none\n"
"  --max-risk=N          also exit 1 when a file's risk score exceeds N\n"
"\n"
"Rules and configuration:\n"
"  --config=FILE         use FILE instead of the nearest .sendlint.yml\n"
"  --no-config           ignore .sendlint.yml files\n"
"  --rules=DIR           add a rule directory (repeatable)\n"
"  --no-default-rules    do not load the bundled rules\n"
"  --enable=ID|GROUP     enable a rule, group or id prefix (repeatable)\n"
"  --disable=ID|GROUP    disable a rule, group or id prefix (repeatable)\n"
"  --dict=PATH           hunspell dictionary (path without .dic/.aff)\n"
"  --limit=NAME=N        override an input limit (see sendlint(1))\n"
"  -j, --jobs=N          lint N files at a time (0: one per CPU; default 1)\n"
"\n"
"Rule authoring:\n"
"  --check-rules [DIR]   validate every rule file and run its examples\n"
"  --list-rules          list rules: id, group, severity, kind, description\n"
"  --explain=ID          print a rule's description, examples and fix\n"
"\n"
"  --version             print the version\n"
"  --help                print this help\n"
"\n"
"Exit status: 0 clean, 1 findings at or above --fail-level, 2 unreadable\n"
"input, 3 bad usage, 4 invalid rules or configuration.\n";

typedef struct opts {
	int format;            /* sl_format */
	int dump;
	int fail_level;        /* SL_CONFIG_NONE, SL_CONFIG_UNSET or sl_severity */
	long max_risk;         /* -2 unset, else 0-100 */
	const char *stdin_name;
	strvec paths;
} opts;

/* --- reading inputs ---------------------------------------------------- */

/* Read a whole stream, at most max+1 bytes (more than max is reported by
 * the library as a limit; reading further is pointless). */
static int read_stream(FILE *f, size_t max, unsigned char **out, size_t *len)
{
	size_t alloc = 1 << 16, n = 0;
	unsigned char *p = xrealloc(NULL, alloc);
	for (;;) {
		if (n == alloc) {
			if (alloc > max)
				break;
			alloc *= 2;
			p = xrealloc(p, alloc);
		}
		size_t want = alloc - n;
		if (n + want > max + 1)
			want = max + 1 - n;
		if (want == 0)
			break;
		size_t got = fread(p + n, 1, want, f);
		n += got;
		if (got < want) {
			if (ferror(f)) {
				free(p);
				return -1;
			}
			break;
		}
	}
	*out = p;
	*len = n;
	return 0;
}

static int read_file(const char *path, size_t max, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	int rc = read_stream(f, max, out, len);
	int saved = errno;
	fclose(f);
	errno = saved;
	return rc;
}

/* --- walking directories ----------------------------------------------- */

static int lintable_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return 0;
	return !strcmp(dot, ".eml") || !strcmp(dot, ".html") || !strcmp(dot, ".htm") ||
	       !strcmp(dot, ".txt");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *dir, int depth, strvec *out, int *io_errors)
{
	if (depth > WALK_MAX_DEPTH) {
		fprintf(stderr, "sendlint: %s: directories nested deeper than %d; not walked\n",
		        dir, WALK_MAX_DEPTH);
		(*io_errors)++;
		return 0;
	}
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "sendlint: %s: %s\n", dir, strerror(errno));
		(*io_errors)++;
		return 0;
	}
	strvec names = { 0 };
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue; /* ., .., hidden files and folders */
		vec_push(&names, e->d_name);
	}
	closedir(d);
	qsort(names.v, names.n, sizeof *names.v, cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		size_t n = strlen(dir) + strlen(names.v[i]) + 2;
		char *path = xrealloc(NULL, n);
		int slash = dir[0] && dir[strlen(dir) - 1] == '/';
		snprintf(path, n, "%s%s%s", dir, slash ? "" : "/", names.v[i]);
		struct stat st;
		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				walk(path, depth + 1, out, io_errors);
			} else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
			           lintable_name(names.v[i])) {
				if (out->n >= WALK_MAX_FILES) {
					fprintf(stderr, "sendlint: more than %d files; the rest are not linted\n",
					        WALK_MAX_FILES);
					(*io_errors)++;
					free(path);
					break;
				}
				vec_push(out, path);
			}
		}
		free(path);
	}
	vec_free(&names);
	return 0;
}

static size_t cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (size_t)n : 1;
}

/* --- options ------------------------------------------------------------ */

static int parse_level(const char *s)
{
	if (!strcmp(s, "note"))
		return SL_NOTE;
	if (!strcmp(s, "warning"))
		return SL_WARNING;
	if (!strcmp(s, "error"))
		return SL_ERROR;
	if (!strcmp(s, "none"))
		return SL_CONFIG_NONE;
	usage_error("invalid level '%s' (note, warning, error or none)", s);
	return 0;
}

static long parse_num(const char *s, const char *what, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		usage_error("invalid %s '%s'", what, s);
	return v;
}

static void parse_limit(sl_limits *l, const char *spec)
{
	const char *eq = strchr(spec, '=');
	if (!eq)
		usage_error("--limit expects NAME=N, got '%s'", spec);
	size_t n = (size_t)(eq - spec);
	long v = parse_num(eq + 1, "limit value", LONG_MAX);
	if (v == 0)
		usage_error("limit '%.*s' must be positive", (int)n, spec);
	static const struct { const char *name; size_t off; } names[] = {
		{ "input-size", offsetof(sl_limits, input_size) },
		{ "header-count", offsetof(sl_limits, header_count) },
		{ "header-line", offsetof(sl_limits, header_line) },
		{ "mime-depth", offsetof(sl_limits, mime_depth) },
		{ "mime-parts", offsetof(sl_limits, mime_parts) },
		{ "decoded-size", offsetof(sl_limits, decoded_size) },
		{ "html-depth", offsetof(sl_limits, html_depth) },
		{ "diagnostics", offsetof(sl_limits, diagnostics) },
		{ "regex-match", offsetof(sl_limits, regex_match) },
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strlen(names[i].name) == n && !strncmp(names[i].name, spec, n)) {
			*(size_t *)((char *)l + names[i].off) = (size_t)v;
			return;
		}
	usage_error("unknown limit '%.*s'", (int)n, spec);
}

/* "--name=value" or "--name value": returns the value or NULL if arg is
 * not this option. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return name[1] != '-' ? a + n : NULL;  /* -j4, as make takes it */
	if (*i + 1 >= argc)
		usage_error("option '%s' needs a value", name);
	return argv[++*i];
}

static int color_auto(void)
{
	const char *term = getenv("TERM");
	return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && term && strcmp(term, "dumb");
}

/* The bundled rules: PREFIX/share/sendlint/rules.d relative to an
 * installed binary, else rules.d beside the binary in the build tree, else
 * the data directory the binary was built for. */
static const char *default_rules_dir(const char *argv0)
{
	static char buf[PATH_MAX + 64];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			struct stat st;
			/* installed: BINDIR/../share/sendlint/rules.d, whatever
			 * PREFIX the binary was built with */
			snprintf(buf, sizeof buf, "%s/../share/sendlint/rules.d", exe);
			if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
				return buf;
			for (int up = 0; up < 3; up++) {
				snprintf(buf, sizeof buf, "%s/rules.d", exe);
				if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
					return buf;
				slash = strrchr(exe, '/');
				if (!slash)
					break;
				*slash = 0;
			}
		}
	}
	(void)argv0;
#ifdef SL_DATADIR
	snprintf(buf, sizeof buf, "%s/rules.d", SL_DATADIR);
#else
	snprintf(buf, sizeof buf, "/usr/local/share/sendlint/rules.d");
#endif
	return buf;
}

/* --- contexts per configuration file ----------------------------------- */

/* One context per distinct configuration file: files under different
 * .sendlint.yml files get different rules and settings.  The CLI's options
 * are the base; each config slips beneath them (sl_config_apply). */
typedef struct ctxent {
	char *cfgpath;          /* NULL: no configuration file */
	sl_config *cfg;
	sl_context *ctx;
	int fail_level;         /* effective */
	long max_risk;          /* effective, -1 none */
} ctxent;

typedef struct driver {
	const sl_options *base;
	int cli_fail_level;     /* SL_CONFIG_UNSET when not given */
	long cli_max_risk;      /* -2 when not given */
	ctxent **ent;           /* each allocated on its own: jobs keep
	                           pointers to them while more are added */
	size_t nent;
} driver;

static void die_context(sl_context *ctx, int rc)
{
	const char *msg = ctx ? sl_context_errmsg(ctx) : "out of memory";
	fputs(msg, stderr);
	if (!*msg || msg[strlen(msg) - 1] != '\n')
		fputc('\n', stderr);
	sl_context_free(ctx);
	exit(rc == SL_ERULES ? EXIT_RULES : EXIT_IO);
}

/* The context for a configuration file path (NULL = none); made on first
 * use.  Invalid configuration or rules end the run (exit 4): nothing else
 * is linted. */
static ctxent *context_for(driver *dv, const char *cfgpath)
{
	for (size_t i = 0; i < dv->nent; i++) {
		const char *p = dv->ent[i]->cfgpath;
		if ((!p && !cfgpath) || (p && cfgpath && !strcmp(p, cfgpath)))
			return dv->ent[i];
	}
	dv->ent = xrealloc(dv->ent, (dv->nent + 1) * sizeof *dv->ent);
	ctxent *e = xrealloc(NULL, sizeof *e);
	memset(e, 0, sizeof *e);
	dv->ent[dv->nent++] = e;
	sl_options so = *dv->base;
	int fail = SL_CONFIG_UNSET;
	int risk = SL_CONFIG_UNSET;
	if (cfgpath) {
		char *err = NULL;
		int rc = sl_config_load(&e->cfg, cfgpath, &err);
		if (rc != SL_OK) {
			fputs(err ? err : "sendlint: out of memory\n", stderr);
			free(err);
			exit(rc == SL_ENOMEM || rc == SL_EIO ? EXIT_IO : EXIT_RULES);
		}
		if (sl_config_apply(e->cfg, &so) != SL_OK)
			die_oom();
		e->cfgpath = xstrdup(cfgpath);
		fail = sl_config_fail_level(e->cfg);
		risk = sl_config_max_risk(e->cfg);
	}
	int rc = sl_context_new(&e->ctx, &so);
	if (rc != SL_OK)
		die_context(e->ctx, rc);
	e->fail_level = dv->cli_fail_level != SL_CONFIG_UNSET ? dv->cli_fail_level :
	                fail != SL_CONFIG_UNSET ? fail : SL_ERROR;
	e->max_risk = dv->cli_max_risk != -2 ? dv->cli_max_risk :
	              risk != SL_CONFIG_UNSET ? risk : -1;
	return e;
}

static void driver_free(driver *dv)
{
	for (size_t i = 0; i < dv->nent; i++) {
		sl_context_free(dv->ent[i]->ctx);
		sl_config_free(dv->ent[i]->cfg);
		free(dv->ent[i]->cfgpath);
		free(dv->ent[i]);
	}
	free(dv->ent);
}

/* Which configuration applies to path: --config, none with --no-config,
 * else the nearest .sendlint.yml (malloc'd or NULL). */
static char *config_path_for(const char *path, const char *forced, int none)
{
	if (none)
		return NULL;
	if (forced)
		return xstrdup(forced);
	return sl_config_find(path);
}

/* --- parallel linting ---------------------------------------------------- */

/* One file's work.  Workers fill rc/res/bytes; the main thread renders
 * results strictly in input order and frees them. */
enum { JOB_OK, JOB_IO, JOB_NOMEM };

typedef struct job {
	const char *path, *name;
	int is_stdin;
	struct ctxent *e;
	size_t max_input, len_;
	int rc, err, done;
	unsigned char *bytes;
	sl_result *res;
} job;

/* Workers take the next file; at most `window` results wait to be
 * rendered, so memory stays bounded however many files there are. */
typedef struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	job *jobs;
	size_t n, next, rendered, window;
	pthread_t *tid;
	size_t ntid;
} pool;

static void job_run(job *j)
{
	int r = j->is_stdin ? read_stream(stdin, j->max_input, &j->bytes, &j->len_)
	                    : read_file(j->path, j->max_input, &j->bytes, &j->len_);
	if (r < 0) {
		j->err = errno;
		j->rc = JOB_IO;
		return;
	}
	if (sl_lint(&j->res, j->e->ctx, j->name, j->bytes, j->len_) != SL_OK) {
		free(j->bytes);
		j->bytes = NULL;
		j->rc = JOB_NOMEM;
		return;
	}
	j->rc = JOB_OK;
}

static void *worker(void *arg)
{
	pool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->next < p->n && p->next >= p->rendered + p->window)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->next >= p->n)
			break;
		job *j = &p->jobs[p->next++];
		pthread_mutex_unlock(&p->mu);
		job_run(j);
		pthread_mutex_lock(&p->mu);
		j->done = 1;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* nthreads 1: no threads, each job runs in pool_wait. */
static void pool_start(pool *p, job *jobs, size_t n, size_t nthreads)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->jobs = jobs;
	p->n = n;
	p->window = nthreads * 4;
	if (nthreads <= 1 || n <= 1)
		return;
	p->tid = xrealloc(NULL, nthreads * sizeof *p->tid);
	for (size_t i = 0; i < nthreads; i++) {
		if (pthread_create(&p->tid[p->ntid], NULL, worker, p))
			break; /* fewer threads; the main thread covers the rest */
		p->ntid++;
	}
}

static job *pool_wait(pool *p, size_t i)
{
	job *j = &p->jobs[i];
	if (!p->ntid) {
		job_run(j);
		return j;
	}
	pthread_mutex_lock(&p->mu);
	while (!j->done)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	return j;
}

/* The main thread has rendered one more result: widen the window. */
static void pool_done(pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->rendered++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void pool_stop(pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->next = p->n;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < p->ntid; i++)
		pthread_join(p->tid[i], NULL);
	free(p->tid);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
}

int main(int argc, char **argv)
{
	opts o = { .format = SL_FMT_TEXT, .fail_level = SL_CONFIG_UNSET, .max_risk = -2 };
	sl_options so = { 0 };
	int color_mode = -1; /* auto */
	int check_rules = 0, list_rules = 0, no_default = 0, no_config = 0;
	const char *explain = NULL, *config = NULL;
	strvec rule_dirs = { 0 }, enable = { 0 }, disable = { 0 };
	int only_paths = 0;
	size_t njobs = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (only_paths || a[0] != '-' || !strcmp(a, "-")) {
			vec_push(&o.paths, a);
		} else if (!strcmp(a, "--")) {
			only_paths = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			return EXIT_CLEAN;
		} else if (!strcmp(a, "--version")) {
			printf("sendlint %s\n", SL_VERSION);
			return EXIT_CLEAN;
		} else if ((v = opt_value(argc, argv, &i, "--format"))) {
			if (!strcmp(v, "text"))
				o.format = SL_FMT_TEXT;
			else if (!strcmp(v, "json"))
				o.format = SL_FMT_JSON;
			else if (!strcmp(v, "sarif"))
				o.format = SL_FMT_SARIF;
			else
				usage_error("unknown format '%s' (text, json or sarif)", v);
		} else if (!strcmp(a, "--dump")) {
			o.dump = 1;
		} else if ((v = opt_value(argc, argv, &i, "--color")) ||
		           (v = opt_value(argc, argv, &i, "--colour"))) {
			if (!strcmp(v, "auto"))
				color_mode = -1;
			else if (!strcmp(v, "always"))
				color_mode = 1;
			else if (!strcmp(v, "never"))
				color_mode = 0;
			else
				usage_error("invalid --color '%s' (auto, always or never)", v);
		} else if ((v = opt_value(argc, argv, &i, "--fail-level"))) {
			o.fail_level = parse_level(v);
		} else if ((v = opt_value(argc, argv, &i, "--max-risk"))) {
			o.max_risk = parse_num(v, "--max-risk", 100);
		} else if ((v = opt_value(argc, argv, &i, "--stdin-filename"))) {
			o.stdin_name = v;
		} else if ((v = opt_value(argc, argv, &i, "--rules"))) {
			vec_push(&rule_dirs, v);
		} else if (!strcmp(a, "--no-default-rules")) {
			no_default = 1;
		} else if ((v = opt_value(argc, argv, &i, "--enable"))) {
			vec_push(&enable, v);
		} else if ((v = opt_value(argc, argv, &i, "--disable"))) {
			vec_push(&disable, v);
		} else if ((v = opt_value(argc, argv, &i, "--config"))) {
			config = v;
		} else if (!strcmp(a, "--no-config")) {
			no_config = 1;
		} else if ((v = opt_value(argc, argv, &i, "--dict"))) {
			so.dict = v;
		} else if ((v = opt_value(argc, argv, &i, "--limit"))) {
			parse_limit(&so.limits, v);
		} else if ((v = opt_value(argc, argv, &i, "--jobs")) ||
		           (v = opt_value(argc, argv, &i, "-j"))) {
			njobs = (size_t)parse_num(v, "--jobs", 256);
			if (!njobs)
				njobs = cpu_count();
		} else if (!strcmp(a, "--check-rules")) {
			check_rules = 1;
		} else if (!strcmp(a, "--list-rules")) {
			list_rules = 1;
		} else if ((v = opt_value(argc, argv, &i, "--explain"))) {
			explain = v;
		} else {
			usage_error("unknown option '%s'", a);
		}
	}
	if (config && no_config)
		usage_error("--config and --no-config exclude each other");

	/* --check-rules DIR...: the paths are rule directories to add */
	if (check_rules)
		for (size_t i = 0; i < o.paths.n; i++)
			vec_push(&rule_dirs, o.paths.v[i]);

	if (o.dump)
		o.format = SL_FMT_DUMP;
	so.default_rules = no_default ? NULL : default_rules_dir(argv[0]);
	so.rule_dirs = (const char *const *)rule_dirs.v;
	so.nrule_dirs = rule_dirs.n;
	so.enable = (const char *const *)enable.v;
	so.nenable = enable.n;
	so.disable = (const char *const *)disable.v;
	so.ndisable = disable.n;

	driver dv = { .base = &so, .cli_fail_level = o.fail_level, .cli_max_risk = o.max_risk };

	if (check_rules || list_rules || explain) {
		char *cp = config_path_for(".", config, no_config);
		ctxent *e = context_for(&dv, cp);
		free(cp);
		sl_strbuf out = { 0 };
		size_t failed = 0;
		int st = EXIT_CLEAN, rc;
		if (check_rules && o.paths.n) {
			/* --check-rules DIR...: only the rules of those dirs */
			rc = SL_OK;
			for (size_t k = 0; k < o.paths.n && rc == SL_OK; k++) {
				size_t f = 0;
				rc = sl_check_rules_dir(e->ctx, o.paths.v[k], &out, &f);
				failed += f;
			}
		} else if (check_rules)
			rc = sl_check_rules(e->ctx, &out, &failed);
		else if (list_rules)
			rc = sl_list_rules(e->ctx, &out);
		else
			rc = sl_explain_rule(e->ctx, explain, &out);
		if (out.len)
			fwrite(out.buf, 1, out.len, stdout);
		if (rc == SL_EUSAGE) {
			fprintf(stderr, "sendlint: %s\n", sl_context_errmsg(e->ctx));
			st = EXIT_USAGE;
		} else if (rc != SL_OK) {
			st = EXIT_IO;
		} else if (failed) {
			st = EXIT_RULES;
		}
		sl_strbuf_release(&out);
		driver_free(&dv);
		vec_free(&o.paths);
		vec_free(&rule_dirs);
		vec_free(&enable);
		vec_free(&disable);
		return st;
	}

	if (o.paths.n == 0)
		usage_error("no input files (use '-' for standard input)");

	/* Expand directories into their lintable files, sorted; files found
	 * by walking that their configuration ignores are left out (a file
	 * named on the command line is always linted). */
	int io_errors = 0;
	strvec files = { 0 };
	for (size_t i = 0; i < o.paths.n; i++) {
		struct stat st;
		const char *p = o.paths.v[i];
		if (strcmp(p, "-") && stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			strvec found = { 0 };
			walk(p, 0, &found, &io_errors);
			for (size_t k = 0; k < found.n; k++) {
				char *cp = config_path_for(found.v[k], config, no_config);
				ctxent *e = context_for(&dv, cp);
				free(cp);
				if (!e->cfg || !sl_config_ignored(e->cfg, found.v[k]))
					vec_push(&files, found.v[k]);
			}
			vec_free(&found);
		} else {
			vec_push(&files, p);
		}
	}

	sl_render_opts ro = { .color = color_mode < 0 ? color_auto() : color_mode, .width = 0 };
	size_t max_input = so.limits.input_size ? so.limits.input_size : (size_t)64 << 20;
	sl_strbuf out = { 0 };
	size_t nerr = 0, nwarn = 0, nnote = 0, nfiles = 0;
	int findings = 0;
	sl_renderer *rd = NULL;
	if (sl_renderer_new(&rd, (sl_format)o.format, &ro) != SL_OK)
		die_oom();
	/* Plan every file first (contexts are made here, on this thread),
	 * then lint with the workers and render in input order. */
	job *jobs = xrealloc(NULL, (files.n ? files.n : 1) * sizeof *jobs);
	for (size_t i = 0; i < files.n; i++) {
		job *j = &jobs[i];
		memset(j, 0, sizeof *j);
		j->path = files.v[i];
		j->is_stdin = !strcmp(j->path, "-");
		j->name = j->is_stdin ? (o.stdin_name ? o.stdin_name : "<stdin>") : j->path;
		/* stdin's configuration is found from its --stdin-filename, as
		 * editors expect, or the working directory */
		char *cp = config_path_for(j->is_stdin ? (o.stdin_name ? o.stdin_name : ".")
		                                       : j->path, config, no_config);
		j->e = context_for(&dv, cp);
		free(cp);
		j->max_input = max_input;
	}
	pool wp;
	pool_start(&wp, jobs, files.n, njobs);
	for (size_t i = 0; i < files.n; i++) {
		job *j = pool_wait(&wp, i);
		ctxent *e = j->e;
		if (j->rc == JOB_IO) {
			/* flush what is rendered so far to keep the order */
			if (out.len)
				fwrite(out.buf, 1, out.len, stdout);
			out.len = 0;
			fflush(stdout);
			fprintf(stderr, "sendlint: %s: %s\n", j->name, strerror(j->err));
			io_errors++;
			continue;
		}
		if (j->rc == JOB_NOMEM) {
			fprintf(stderr, "sendlint: %s: out of memory\n", j->name);
			io_errors++;
			continue;
		}
		sl_result *res = j->res;
		nfiles++;
		for (size_t k = 0; k < sl_result_count(res); k++) {
			const sl_diag *d = sl_result_diag(res, k);
			if (d->severity == SL_ERROR)
				nerr++;
			else if (d->severity == SL_WARNING)
				nwarn++;
			else
				nnote++;
			if (e->fail_level >= 0 && (int)d->severity >= e->fail_level)
				findings = 1;
		}
		if (e->max_risk >= 0 && sl_result_score(res, "risk") > e->max_risk)
			findings = 1;
		if (sl_renderer_add(&out, rd, res) != SL_OK)
			die_oom();
		sl_result_free(res);
		free(j->bytes);
		j->res = NULL;
		j->bytes = NULL;
		pool_done(&wp);
		if (out.len > (1 << 20)) {
			fwrite(out.buf, 1, out.len, stdout);
			out.len = 0;
		}
	}
	pool_stop(&wp);
	free(jobs);
	if (sl_renderer_finish(&out, rd) != SL_OK)
		die_oom();
	sl_renderer_free(rd);
	if (out.len)
		fwrite(out.buf, 1, out.len, stdout);
	if (o.format == SL_FMT_TEXT && nfiles > 1)
		printf("%zu files: %zu error%s, %zu warning%s, %zu note%s\n", nfiles,
		       nerr, nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s",
		       nnote, nnote == 1 ? "" : "s");
	fflush(stdout);

	sl_strbuf_release(&out);
	vec_free(&files);
	vec_free(&o.paths);
	vec_free(&rule_dirs);
	vec_free(&enable);
	vec_free(&disable);
	driver_free(&dv);
	if (io_errors)
		return EXIT_IO;
	return findings ? EXIT_FINDINGS : EXIT_CLEAN;
}
