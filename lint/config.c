/*
 * config.c - configuration files (.sendlint.yml): discovery, loading,
 * merging beneath the command line, and the ignore globs.
 *
 * In: a path to start the search from, or a config file's path.  Out: an
 * sl_config owning its settings (one arena), or a malloc'd message with
 * "file:line:col: error: ..." lines and carets.  Relative paths in the
 * file (rules, dict) and the ignore globs are relative to the file's
 * directory.  Limits: the file is read like a rule file
 * (SL_YAML_FILE_MAX bytes, YAML nesting and size bounds of yaml.c); the
 * discovery climbs at most FIND_DEPTH_MAX directories.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define CONFIG_NAME ".sendlint.yml"
/* PATH_MAX allows ~2000 components; no real tree is deeper. */
#define FIND_DEPTH_MAX 4096

struct sl_config {
	sl_context *ctx;       /* private: the arena, the loader's messages */
	const char *path;
	const char *dir;       /* the file's directory ("." for a bare name) */
	const char **rules;
	size_t nrules;
	const char **disable, **enable;
	size_t ndisable, nenable;
	const sl_ynode **disable_at, **enable_at; /* where each is written */
	sl_severity_override *sev;
	const sl_ynode **sev_at;
	size_t nsev;
	int fail_level;        /* SL_CONFIG_UNSET / NONE / sl_severity */
	int max_risk;          /* SL_CONFIG_UNSET or 0-100 */
	int tmpl_headers;      /* -1 unset, 0, 1 */
	const char **vocab, **ignore;
	size_t nvocab, nignore;
	const char *dict;
};

static const char *const config_keys[] = {
	"rules", "disable", "enable", "severity", "fail-level", "max-risk",
	"vocabulary", "ignore", "templates-have-headers", "dict", NULL,
};

/* --- paths ----------------------------------------------------------- */

/* malloc'd copy of the working directory, NULL on failure. */
static char *cwd_dup(void)
{
	size_t n = 256;
	for (int i = 0; i < 16; i++, n *= 2) {
		char *b = malloc(n);
		if (!b)
			return NULL;
		if (getcwd(b, n))
			return b;
		free(b);
		if (errno != ERANGE)
			return NULL;
	}
	return NULL;
}

static int has_dotdot(const char *p)
{
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return 1;
		s += n;
		s += *s == '/';
	}
	return 0;
}

/* Lexical normal form: no "." or empty components, ".." resolved for
 * absolute paths (".." is kept only in relative ones); "." when empty.
 * malloc'd. */
static char *path_norm(const char *p)
{
	size_t n = strlen(p);
	char *out = malloc(n + 2);
	if (!out)
		return NULL;
	size_t k = 0;
	int abs = p[0] == '/';
	if (abs)
		out[k++] = '/';
	for (const char *s = p; *s;) {
		size_t c = strcspn(s, "/");
		if (c == 0 || (c == 1 && s[0] == '.')) {
			/* skip */
		} else if (abs && c == 2 && s[0] == '.' && s[1] == '.') {
			while (k > 1 && out[k - 1] != '/')
				k--;
			if (k > 1)
				k--;  /* the slash before the dropped component */
		} else {
			if (k && out[k - 1] != '/')
				out[k++] = '/';
			memcpy(out + k, s, c);
			k += c;
		}
		s += c;
		s += *s == '/';
	}
	if (k == 0)
		out[k++] = '.';
	out[k] = 0;
	return out;
}

/* Absolute normal form of p (relative to the working directory). */
static char *path_abs(const char *p)
{
	if (p[0] == '/')
		return path_norm(p);
	char *cwd = cwd_dup();
	if (!cwd)
		return NULL;
	size_t n = strlen(cwd) + strlen(p) + 2;
	char *j = malloc(n);
	if (j)
		snprintf(j, n, "%s/%s", cwd, p);
	free(cwd);
	char *r = j ? path_norm(j) : NULL;
	free(j);
	return r;
}

/* The parent of a normal path, in place: "a/b" -> "a", "a" -> ".",
 * "/a" -> "/"; 0 if there is none ("." and "/"). */
static int path_up(char *p)
{
	if (!strcmp(p, ".") || !strcmp(p, "/"))
		return 0;
	char *s = strrchr(p, '/');
	if (!s) {
		p[0] = '.';
		p[1] = 0;
	} else if (s == p)
		p[1] = 0;
	else
		*s = 0;
	return 1;
}

static int is_reg(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISREG(st.st_mode);
}

static int is_dir(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* malloc'd dir + "/" + name ("." + name = name). */
static char *join(const char *dir, const char *name)
{
	if (name[0] == '/' || !strcmp(dir, "."))
		return strdup(name);
	size_t n = strlen(dir) + strlen(name) + 2;
	char *j = malloc(n);
	if (j)
		snprintf(j, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	return j;
}

/* Look in d, then its parents, for the config; d is a normal path and is
 * changed.  *found gets the malloc'd path. */
static void climb(char *d, char **found)
{
	for (int i = 0; i < FIND_DEPTH_MAX && !*found; i++) {
		char *cand = join(d, CONFIG_NAME);
		if (!cand)
			return;
		if (is_reg(cand)) {
			*found = cand;
			return;
		}
		free(cand);
		if (!path_up(d))
			return;
	}
}

char *sl_config_find(const char *path)
{
	if (!path || !*path)
		path = ".";
	char *found = NULL;
	int rel = path[0] != '/' && !has_dotdot(path);
	char *d = rel ? path_norm(path) : path_abs(path);
	if (!d)
		return NULL;
	if (!is_dir(d) && !path_up(d)) {
		free(d);
		return NULL;
	}
	climb(d, &found);
	free(d);
	if (!found && rel) {
		/* above the working directory: absolute paths */
		char *cwd = cwd_dup();
		char *a = cwd ? path_norm(cwd) : NULL;
		free(cwd);
		if (a && path_up(a))
			climb(a, &found);
		free(a);
	}
	return found;
}

/* --- loading --------------------------------------------------------- */

/* A list of non-empty strings; paths are joined to the file's dir. */
/* A string or a list of strings; *where (when where is non-NULL) gets the
 * node of each, for errors found later. */
static int read_list(sl_loader *L, sl_config *cfg, sl_ynode *v, const char ***out,
                     size_t *n, int paths, const sl_ynode ***where)
{
	if (ynode_strs(L, v, out, n))
		return -1;
	if (where)
		*where = arena_array(&L->ctx->arena, *n + 1, sizeof **where);
	for (size_t i = 0; i < *n; i++) {
		const sl_ynode *at = v->type == SL_Y_SEQ ? v->item[i] : v;
		if (where)
			(*where)[i] = at;
		if (!*(*out)[i]) {
			load_error(L, at, "an empty string is not allowed here");
			return -1;
		}
		if (paths && (*out)[i][0] != '/' && strcmp(cfg->dir, ".")) {
			(*out)[i] = arena_printf(&L->ctx->arena, "%s/%s", cfg->dir,
			                         (*out)[i]);
		}
	}
	return 0;
}

static int read_level(sl_loader *L, const sl_ynode *v, int none_ok, int *out)
{
	static const char *const names[] = { "note", "warning", "error" };
	const char *s;
	if (ynode_str(L, v, &s))
		return -1;
	for (int i = 0; i < 3; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	if (none_ok && !strcmp(s, "none")) {
		*out = SL_CONFIG_NONE;
		return 0;
	}
	load_error(L, v, "invalid level '%s' (expected %s)", s,
	           none_ok ? "note, warning, error or none" : "note, warning or error");
	return -1;
}

static void read_severity_map(sl_loader *L, sl_config *cfg, sl_ynode *v)
{
	if (v->type != SL_Y_MAP) {
		load_error(L, v, "expected a mapping of rule ids to note, warning or error");
		return;
	}
	cfg->sev = arena_array(&L->ctx->arena, v->n / 2 + 1, sizeof *cfg->sev);
	cfg->sev_at = arena_array(&L->ctx->arena, v->n / 2 + 1, sizeof *cfg->sev_at);
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		int lv;
		if (!v->item[i]->len) {
			load_error(L, v->item[i], "an empty rule id");
			continue;
		}
		if (read_level(L, v->item[i + 1], 0, &lv))
			continue;
		cfg->sev[cfg->nsev].id = v->item[i]->str;
		cfg->sev[cfg->nsev].severity = (sl_severity)lv;
		cfg->sev_at[cfg->nsev] = v->item[i];
		cfg->nsev++;
	}
}

/* One key's value. */
static void config_key(sl_loader *L, sl_config *cfg, const char *key, sl_ynode *v)
{
	if (!strcmp(key, "rules")) {
		read_list(L, cfg, v, &cfg->rules, &cfg->nrules, 1, NULL);
	} else if (!strcmp(key, "disable")) {
		read_list(L, cfg, v, &cfg->disable, &cfg->ndisable, 0, &cfg->disable_at);
	} else if (!strcmp(key, "enable")) {
		read_list(L, cfg, v, &cfg->enable, &cfg->nenable, 0, &cfg->enable_at);
	} else if (!strcmp(key, "severity")) {
		read_severity_map(L, cfg, v);
	} else if (!strcmp(key, "fail-level")) {
		read_level(L, v, 1, &cfg->fail_level);
	} else if (!strcmp(key, "max-risk")) {
		double d;
		if (!ynode_num(L, v, &d)) {
			if (d < 0 || d > 100 || d != (double)(int)d)
				load_error(L, v, "max-risk must be a whole number from 0 to 100");
			else
				cfg->max_risk = (int)d;
		}
	} else if (!strcmp(key, "vocabulary")) {
		read_list(L, cfg, v, &cfg->vocab, &cfg->nvocab, 0, NULL);
	} else if (!strcmp(key, "ignore")) {
		read_list(L, cfg, v, &cfg->ignore, &cfg->nignore, 0, NULL);
	} else if (!strcmp(key, "templates-have-headers")) {
		int b;
		if (!ynode_bool(L, v, &b))
			cfg->tmpl_headers = b;
	} else if (!strcmp(key, "dict")) {
		const char **d;
		size_t n;
		if (v->type != SL_Y_SCALAR)
			load_error(L, v, "expected a path");
		else if (!read_list(L, cfg, v, &d, &n, 1, NULL))
			cfg->dict = d[0];
	}
}

/* The keys in file order, so that errors come in file order. */
static void config_parse(sl_loader *L, sl_config *cfg, sl_ynode *root)
{
	if (root->type == SL_Y_SCALAR && !root->len && !root->quoted)
		return;  /* an empty file */
	if (root->type != SL_Y_MAP) {
		load_error(L, root, "a configuration file must be a mapping of keys");
		return;
	}
	for (size_t i = 0; i + 1 < root->n; i += 2) {
		const sl_ynode *k = root->item[i];
		const char *best = NULL;
		size_t bd = 3;
		for (size_t j = 0; config_keys[j]; j++) {
			if (!strcmp(k->str, config_keys[j])) {
				best = NULL;
				bd = 0;
				break;
			}
			size_t d = edit_distance(k->str, config_keys[j], 2);
			if (d < bd && d < strlen(k->str)) {
				bd = d;
				best = config_keys[j];
			}
		}
		if (bd == 0)
			config_key(L, cfg, k->str, root->item[i + 1]);
		else if (best)
			load_error(L, k, "unknown key '%s' (did you mean '%s'?)", k->str, best);
		else
			load_error(L, k, "unknown key '%s'", k->str);
	}
}

static void config_free(sl_config *cfg)
{
	if (!cfg)
		return;
	if (cfg->ctx) {
		arena_release(&cfg->ctx->arena);
		free(cfg->ctx->errmsg);
		free(cfg->ctx);
	}
	free(cfg);
}

/* The file's directory: "." for a bare name. */
static const char *dir_of(sl_arena *a, const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return ".";
	if (s == path)
		return "/";
	return arena_strndup(a, path, (size_t)(s - path));
}

int sl_config_load(sl_config **out, const char *path, char **errmsg)
{
	*out = NULL;
	*errmsg = NULL;
	sl_config *cfg = calloc(1, sizeof *cfg);
	sl_context *ctx = calloc(1, sizeof *ctx);
	if (!cfg || !ctx) {
		free(cfg);
		free(ctx);
		*errmsg = strdup("error: out of memory\n");
		return SL_ENOMEM;
	}
	cfg->ctx = ctx;
	arena_init(&ctx->arena, &ctx->oom);
	if (setjmp(ctx->oom)) {
		config_free(cfg);
		*errmsg = strdup("error: out of memory\n");
		return SL_ENOMEM;
	}
	cfg->path = arena_strndup(&ctx->arena, path, strlen(path));
	cfg->dir = dir_of(&ctx->arena, cfg->path);
	cfg->fail_level = SL_CONFIG_UNSET;
	cfg->max_risk = SL_CONFIG_UNSET;
	cfg->tmpl_headers = -1;
	sl_loader L = { .ctx = ctx };
	int eio = 0;
	sl_ynode *root = yaml_load_file(&L, cfg->path, &eio);
	if (root)
		config_parse(&L, cfg, root);
	if (L.nerr) {
		*errmsg = ctx->errmsg;
		ctx->errmsg = NULL;
		config_free(cfg);
		return eio ? SL_EIO : SL_ERULES;
	}
	*out = cfg;
	return SL_OK;
}

void sl_config_free(sl_config *cfg)
{
	config_free(cfg);
}

/* a (na entries) followed by b (nb), in the arena. */
static const char *const *concat(sl_arena *ar, const char *const *a, size_t na,
                                 const char *const *b, size_t nb)
{
	if (!na)
		return b;
	const char **v = arena_array(ar, na + nb, sizeof *v);
	for (size_t i = 0; i < na; i++)
		v[i] = a[i];
	for (size_t i = 0; i < nb; i++)
		v[na + i] = b[i];
	return v;
}

int sl_config_apply(sl_config *cfg, sl_options *o)
{
	sl_arena *a = &cfg->ctx->arena;
	if (setjmp(cfg->ctx->oom))
		return SL_ENOMEM;
	o->rule_dirs = concat(a, cfg->rules, cfg->nrules, o->rule_dirs, o->nrule_dirs);
	o->nrule_dirs += cfg->nrules;
	o->vocabulary = concat(a, cfg->vocab, cfg->nvocab, o->vocabulary, o->nvocabulary);
	o->nvocabulary += cfg->nvocab;
	if (cfg->nsev) {
		sl_severity_override *s = arena_array(a, cfg->nsev + o->nseverity, sizeof *s);
		for (size_t i = 0; i < cfg->nsev; i++)
			s[i] = cfg->sev[i];
		for (size_t i = 0; i < o->nseverity; i++)
			s[cfg->nsev + i] = o->severity[i];
		o->severity = s;
		o->nseverity += cfg->nsev;
	}
	o->cfg_disable = cfg->disable;
	o->ncfg_disable = cfg->ndisable;
	o->cfg_enable = cfg->enable;
	o->ncfg_enable = cfg->nenable;
	o->cfg_disable_at = (const void *const *)cfg->disable_at;
	o->cfg_enable_at = (const void *const *)cfg->enable_at;
	o->cfg_severity_at = (const void *const *)cfg->sev_at;
	o->ncfg_severity = cfg->nsev;
	if (!o->dict)
		o->dict = cfg->dict;
	if (!o->templates_have_headers && cfg->tmpl_headers > 0)
		o->templates_have_headers = 1;
	return SL_OK;
}

int sl_config_fail_level(const sl_config *cfg)
{
	return cfg->fail_level;
}

int sl_config_max_risk(const sl_config *cfg)
{
	return cfg->max_risk;
}

const char *sl_config_path(const sl_config *cfg)
{
	return cfg->path;
}

/* --- ignore globs ---------------------------------------------------- */

/* Does glob g match rel (a normal relative path)?  See sendlint.h. */
static int glob_match(const char *g, char *rel)
{
	int anchored = g[0] == '/';
	g += anchored;
	size_t gl = strlen(g);
	char *gc = strdup(g);
	if (!gc)
		return 0;
	while (gl > 1 && gc[gl - 1] == '/')
		gc[--gl] = 0;  /* "drafts/" = "drafts" */
	int m = 0;
	if (!anchored && !strchr(gc, '/')) {
		/* any one component */
		for (char *s = rel; *s && !m;) {
			size_t n = strcspn(s, "/");
			char save = s[n];
			s[n] = 0;
			m = fnmatch(gc, s, 0) == 0;
			s[n] = save;
			s += n;
			s += *s == '/';
		}
	} else {
		int flags = strstr(gc, "**") ? 0 : FNM_PATHNAME;
		/* the whole path, then each leading directory */
		size_t n = strlen(rel);
		m = fnmatch(gc, rel, flags) == 0;
		for (size_t i = n; i-- > 1 && !m;) {
			if (rel[i] != '/')
				continue;
			rel[i] = 0;
			m = fnmatch(gc, rel, flags) == 0;
			rel[i] = '/';
		}
	}
	free(gc);
	return m;
}

int sl_config_ignored(const sl_config *cfg, const char *path)
{
	if (!cfg->nignore || !path || !strcmp(path, "-"))
		return 0;
	char *p = path_abs(path), *d = path_abs(cfg->dir);
	int m = 0;
	if (p && d) {
		size_t n = strlen(d);
		char *rel = NULL;
		if (!strcmp(d, "/"))
			rel = p + 1;
		else if (!strncmp(p, d, n) && p[n] == '/')
			rel = p + n + 1;
		for (size_t i = 0; rel && *rel && i < cfg->nignore && !m; i++)
			m = glob_match(cfg->ignore[i], rel);
	}
	free(p);
	free(d);
	return m;
}
