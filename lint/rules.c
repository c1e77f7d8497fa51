/*
 * rules.c - loading the rules into a context.
 *
 * In: ctx->opts (the bundled rules dir, extra dirs, the rule selection and
 * severity overrides).  Out: ctx->rule, every rule file compiled, sorted by
 * id, linked, and enabled or not; or every error found, in ctx->errmsg, as
 * "file:line:col: error: ..." with the YAML line and a caret.
 *
 * A rules dir is walked in sorted path order; every "*.yml" below it is a
 * rule whose id is its path without ".yml", except files whose name starts
 * with "_" and the top-level "scores.yml" (score parameters, score.c).
 * The common keys are read here; the kind's own keys by its compile
 * function; a key nobody read is an error.  Limits: RULES_DEPTH_MAX
 * folder levels, RULES_FILES_MAX files, SL_YAML_FILE_MAX bytes per file,
 * SL_LOAD_ERRORS_MAX errors (then loading stops).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "internal.h"

/* Rule folders are one or two levels deep (group/topic); deeper is a
 * symlink loop or a mistake. */
#define RULES_DEPTH_MAX 16
/* Thousands of rules would already make every email slow to read. */
#define RULES_FILES_MAX 10000

static const char *const common_keys[] = {
	"kind", "scope", "severity", "group", "weight", "message", "description",
	"link", "suggest", "fix", "report", "hidden", "cap", "examples", NULL,
};

/* Each kind's own keys, for "did you mean" (the compile functions are the
 * authority on what is accepted; keep these lists in step with them). */
static const char *const phrase_keys[] = {
	"phrases", "unless_before", "unless_after", "quoted", "negated", "case",
	NULL,
};
static const char *const regex_keys[] = { "pattern", "flags", "target", NULL };
static const char *const header_keys[] = {
	"header", "test", "pattern", "flags", "against", NULL,
};
static const char *const metric_keys[] = {
	"metric", "min", "max", "equals", "min_words", "ignore_shorter", NULL,
};
static const char *const meta_keys[] = { "expr", "at", NULL };
static const char *const spell_keys[] = { "min_length", "ignore", "names", "alt", NULL };
static const char *const tokens_keys[] = {
	"weights", "score", "report_min", "score_min", "max_listed", NULL,
};

typedef struct kind_info {
	const char *name;
	const sl_kind_ops *ops;
	const char *const *keys;
} kind_info;

/* In sl_rule_kind order. */
static const kind_info kinds[SL_RK_NKINDS] = {
	[SL_RK_PHRASE] = { "phrase", &phrase_ops, phrase_keys },
	[SL_RK_REGEX] = { "regex", &regex_ops, regex_keys },
	[SL_RK_HEADER] = { "header", &header_ops, header_keys },
	[SL_RK_METRIC] = { "metric", &metric_ops, metric_keys },
	[SL_RK_META] = { "meta", &meta_ops, meta_keys },
	[SL_RK_SPELL] = { "spell", &spell_ops, spell_keys },
	[SL_RK_TOKENS] = { "tokens", &tokens_ops, tokens_keys },
};

/* Meta rules link last: they refer to the others. */
static const sl_rule_kind link_order[SL_RK_NKINDS] = {
	SL_RK_PHRASE, SL_RK_REGEX, SL_RK_HEADER, SL_RK_METRIC, SL_RK_SPELL,
	SL_RK_TOKENS, SL_RK_META,
};

static const char *const scope_names[SL_SC_NSCOPES] = {
	[SL_SC_SUBJECT] = "subject", [SL_SC_PREHEADER] = "preheader",
	[SL_SC_TITLE] = "title", [SL_SC_HEADING] = "heading",
	[SL_SC_PARAGRAPH] = "paragraph", [SL_SC_SENTENCE] = "sentence",
	[SL_SC_BODY] = "body", [SL_SC_LINK] = "link", [SL_SC_ALT] = "alt",
	[SL_SC_HEADER] = "header", [SL_SC_RAW] = "raw",
	[SL_SC_MESSAGE] = "message",
};

const char *scope_name(sl_scope s)
{
	return (unsigned)s < SL_SC_NSCOPES ? scope_names[s] : "?";
}

const char *rule_kind_name(sl_rule_kind k)
{
	return (unsigned)k < SL_RK_NKINDS ? kinds[k].name : "?";
}

/* --- did you mean ---------------------------------------------------- */

typedef struct guess {
	const char *best;
	size_t dist;
} guess;

static void guess_try(guess *g, const char *word, const char *cand)
{
	size_t d = edit_distance(word, cand, 2);
	if (d <= 2 && d < strlen(word) && (!g->best || d < g->dist)) {
		g->best = cand;
		g->dist = d;
	}
}

static void guess_list(guess *g, const char *word, const char *const *list)
{
	for (size_t i = 0; list && list[i]; i++)
		guess_try(g, word, list[i]);
}

/* " (did you mean 'x'?)" or "". */
static const char *guess_text(sl_context *ctx, const guess *g)
{
	return g->best ? arena_printf(&ctx->arena, " (did you mean '%s'?)", g->best) : "";
}

/* --- walking the rule dirs ------------------------------------------- */

typedef struct rfile {
	const char *path;      /* dir + "/" + rel */
	const char *rel;
	const char *id;        /* rel without ".yml"; NULL for scores.yml */
	int dir;
	size_t first;          /* index of the first file with the same id */
} rfile;

typedef struct walk {
	sl_loader *L;
	rfile *f;
	size_t n, alloc;
	int eio;
	int full;
} walk;

static char *path_join(sl_arena *a, const char *dir, const char *name)
{
	size_t n = strlen(dir);
	if (!n)
		return arena_strndup(a, name, strlen(name));
	return arena_printf(a, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
}

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && !strcmp(s + n - k, suf);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void walk_add(walk *w, const char *path, const char *rel, int dir)
{
	sl_arena *a = &w->L->ctx->arena;
	if (w->n == RULES_FILES_MAX) {
		if (!w->full) {
			w->L->path = path;
			load_error(w->L, NULL, "more than %d rule files", RULES_FILES_MAX);
		}
		w->full = 1;
		return;
	}
	if (w->n == w->alloc) {
		size_t na = w->alloc ? w->alloc * 2 : 64;
		w->f = arena_grow(a, w->f, w->n, na, sizeof *w->f);
		w->alloc = na;
	}
	rfile *f = &w->f[w->n++];
	memset(f, 0, sizeof *f);
	f->path = path;
	f->rel = rel;
	f->dir = dir;
}

/* Add every rule file under root/rel (rel "" for root itself). */
static void walk_dir(walk *w, const char *root, const char *rel, int dir, int depth)
{
	sl_loader *L = w->L;
	sl_arena *a = &L->ctx->arena;
	const char *path = *rel ? path_join(a, root, rel) : root;
	DIR *d = opendir(path);
	if (!d) {
		L->path = path;
		load_error(L, NULL, "cannot open the rules directory: %s", strerror(errno));
		w->eio = 1;
		return;
	}
	/* names first (so nothing allocates while the DIR is open and an
	 * out-of-memory jump cannot leak it... beyond this array) */
	const char **name = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *e;
	int over = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == RULES_FILES_MAX) {
			over = 1;
			break;
		}
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			const char **nn = realloc(name, alloc * sizeof *name);
			if (!nn) {
				closedir(d);
				for (size_t i = 0; i < n; i++)
					free((char *)name[i]);
				free(name);
				longjmp(L->ctx->oom, 1);
			}
			name = nn;
		}
		char *copy = strdup(e->d_name);
		if (!copy) {
			closedir(d);
			for (size_t i = 0; i < n; i++)
				free((char *)name[i]);
			free(name);
			longjmp(L->ctx->oom, 1);
		}
		name[n++] = copy;
	}
	closedir(d);
	const char **v = arena_array(a, n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		v[i] = arena_strndup(a, name[i], strlen(name[i]));
		free((char *)name[i]);
	}
	free(name);
	if (over) {
		L->path = path;
		load_error(L, NULL, "more than %d entries in the directory", RULES_FILES_MAX);
	}
	qsort(v, n, sizeof *v, cmp_str);
	for (size_t i = 0; i < n && !w->full; i++) {
		const char *sub = *rel ? path_join(a, rel, v[i]) : v[i];
		const char *full = path_join(a, root, sub);
		struct stat st;
		if (stat(full, &st)) {
			L->path = full;
			load_error(L, NULL, "cannot read the file: %s", strerror(errno));
			w->eio = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (depth + 1 >= RULES_DEPTH_MAX) {
				L->path = full;
				load_error(L, NULL, "rule folders nested deeper than %d levels",
				           RULES_DEPTH_MAX);
			} else {
				walk_dir(w, root, sub, dir, depth + 1);
			}
		} else if (S_ISREG(st.st_mode) && ends_with(v[i], ".yml")) {
			walk_add(w, full, sub, dir);
		} else if (S_ISREG(st.st_mode) && ends_with(v[i], ".yaml")) {
			L->path = full;
			load_error(L, NULL, "rule files are named '*.yml', not '*.yaml'");
		}
	}
}

/* --- common keys ----------------------------------------------------- */

static int is_word(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int valid_id(const char *id)
{
	if (!*id || *id == '/')
		return 0;
	for (const char *s = id; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      *s == '.' || *s == '/'))
			return 0;
	return 1;
}

/* An optional string key: 0 absent or read, -1 wrong type. */
static int opt_str(sl_loader *L, sl_ynode *map, const char *key, const char **out)
{
	sl_ynode *v = ynode_get(map, key);
	if (!v)
		return 0;
	return ynode_str(L, v, out);
}

/* A header field name (RFC 5322 ftext). */
static int field_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == ':')
			return 0;
	return 1;
}

static int read_scope(sl_loader *L, sl_rule *r, sl_ynode *v)
{
	const char *s;
	if (ynode_str(L, v, &s))
		return -1;
	if (!strncmp(s, "header:", 7)) {
		r->scope = SL_SC_HEADER;
		r->header = s + 7;
		if (!field_name_ok(r->header)) {
			load_error(L, v, "invalid header field name '%s' in the scope", r->header);
			r->scope = SL_SC_NSCOPES;
			r->header = NULL;
			return -1;
		}
		return 0;
	}
	for (int i = 0; i < SL_SC_NSCOPES; i++) {
		if (!strcmp(s, scope_names[i]) && i != SL_SC_HEADER) {
			r->scope = (sl_scope)i;
			return 0;
		}
	}
	if (!strcmp(s, "header")) {
		load_error(L, v, "the scope 'header' needs a field name, as in 'header:From'");
		return -1;
	}
	guess g = { 0 };
	for (int i = 0; i < SL_SC_NSCOPES; i++)
		if (i != SL_SC_HEADER)
			guess_try(&g, s, scope_names[i]);
	load_error(L, v, "unknown scope '%s'%s", s, guess_text(L->ctx, &g));
	return -1;
}

static int parse_severity(const char *s, sl_severity *out)
{
	if (!strcmp(s, "note"))
		*out = SL_NOTE;
	else if (!strcmp(s, "warning"))
		*out = SL_WARNING;
	else if (!strcmp(s, "error"))
		*out = SL_ERROR;
	else
		return -1;
	return 0;
}

static int read_severity(sl_loader *L, sl_rule *r, sl_ynode *v)
{
	const char *s;
	if (ynode_str(L, v, &s))
		return -1;
	if (parse_severity(s, &r->severity)) {
		load_error(L, v, "invalid severity '%s' (expected note, warning or error)", s);
		return -1;
	}
	return 0;
}

/* Unknown keys inside a small map of known ones. */
static int check_keys(sl_loader *L, sl_ynode *map, const char *const *known)
{
	int rc = 0;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		sl_ynode *k = map->item[i];
		int found = 0;
		for (size_t j = 0; known[j]; j++)
			found |= !strcmp(k->str, known[j]);
		if (!found) {
			guess g = { 0 };
			guess_list(&g, k->str, known);
			load_error(L, k, "unknown key '%s'%s", k->str, guess_text(L->ctx, &g));
			rc = -1;
		}
	}
	return rc;
}

static int read_fix(sl_loader *L, sl_rule *r, sl_ynode *v)
{
	static const char *const keys[] = { "replace", "action", NULL };
	if (v->type != SL_Y_MAP) {
		load_error(L, v, "expected a mapping: {replace: \"...\"} or {action: ...}");
		return -1;
	}
	if (check_keys(L, v, keys))
		return -1;
	sl_ynode *rep = ynode_get(v, "replace"), *act = ynode_get(v, "action");
	if (rep && act) {
		load_error(L, v, "a fix has either 'replace' or 'action', not both");
		return -1;
	}
	if (!rep && !act) {
		load_error(L, v, "a fix needs 'replace' or 'action'");
		return -1;
	}
	if (rep) {
		if (rep->type == SL_Y_SCALAR && rep->len == 0 && rep->quoted) {
			r->fix_replace = "";  /* replace with nothing */
			return 0;
		}
		return ynode_str(L, rep, &r->fix_replace);
	}
	const char *s;
	if (ynode_str(L, act, &s))
		return -1;
	if (strcmp(s, "sentence-case") && strcmp(s, "delete") && strcmp(s, "lower")) {
		load_error(L, act, "unknown fix action '%s' (expected sentence-case, delete or lower)", s);
		return -1;
	}
	r->fix_action = s;
	return 0;
}

static int read_examples(sl_loader *L, sl_rule *r, sl_ynode *v)
{
	static const char *const keys[] = { "match", "nomatch", NULL };
	if (v->type != SL_Y_MAP) {
		load_error(L, v, "expected a mapping: {match: [...], nomatch: [...]}");
		return -1;
	}
	if (check_keys(L, v, keys))
		return -1;
	int rc = 0;
	sl_ynode *m = ynode_get(v, "match"), *nm = ynode_get(v, "nomatch");
	if (m && ynode_strs(L, m, &r->ex_match, &r->nex_match))
		rc = -1;
	if (nm && ynode_strs(L, nm, &r->ex_nomatch, &r->nex_nomatch))
		rc = -1;
	r->ex_node = v;
	return rc;
}

static int read_hidden(sl_loader *L, sl_rule *r, sl_ynode *v)
{
	const char *s;
	if (ynode_str(L, v, &s))
		return -1;
	if (!strcmp(s, "exclude"))
		r->hidden = 0;
	else if (!strcmp(s, "include"))
		r->hidden = 1;
	else if (!strcmp(s, "only"))
		r->hidden = 2;
	else {
		load_error(L, v, "invalid value '%s' for 'hidden' (expected exclude, include or only)", s);
		return -1;
	}
	return 0;
}

static int read_kind(sl_loader *L, sl_rule *r, sl_ynode *map)
{
	sl_ynode *v = ynode_get(map, "kind");
	const char *s;
	if (!v) {
		load_error(L, NULL, "missing key 'kind' (phrase, regex, header, metric, spell, tokens or meta)");
		return -1;
	}
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->item[i + 1] == v)
			r->line = map->item[i]->line;
	if (ynode_str(L, v, &s))
		return -1;
	for (int i = 0; i < SL_RK_NKINDS; i++) {
		if (!strcmp(s, kinds[i].name)) {
			r->kind = (sl_rule_kind)i;
			return 0;
		}
	}
	guess g = { 0 };
	for (int i = 0; i < SL_RK_NKINDS; i++)
		guess_try(&g, s, kinds[i].name);
	load_error(L, v, "unknown kind '%s'%s", s, g.best ? guess_text(L->ctx, &g) :
	           " (expected phrase, regex, header, metric, spell, tokens or meta)");
	return -1;
}

static void read_group(sl_loader *L, sl_rule *r, sl_ynode *v)
{
	const char *g;
	if (ynode_str(L, v, &g))
		return;
	if (!is_word(g))
		load_error(L, v, "invalid group '%s' (a lower-case word such as tone or subject)", g);
	else
		r->group = g;
}

/* Without `group:`, the id's top folder ("tone/x" -> "tone"). */
static void default_group(sl_loader *L, sl_rule *r)
{
	const char *slash = strchr(r->id, '/');
	const char *top = slash ? arena_strndup(&L->ctx->arena, r->id,
	                                        (size_t)(slash - r->id)) : "";
	if (is_word(top))
		r->group = top;
	else
		load_error(L, NULL, "missing key 'group' (the rule is not in a group's folder)");
}

static void read_cap(sl_loader *L, sl_rule *r, sl_ynode *v)
{
	double c;
	if (ynode_num(L, v, &c))
		return;
	if (c < 1 || c > 1000000 || c != (double)(int)c)
		load_error(L, v, "the cap must be a whole number from 1");
	else
		r->cap = (int)c;
}

/* The common keys, every error reported.  Returns -1 when the kind
 * cannot be compiled (unknown kind or scope); other bad keys do not stop
 * the compile, whose own errors are worth seeing too. */
static int read_common(sl_loader *L, sl_rule *r, sl_ynode *map)
{
	sl_ynode *v;
	int kind_ok = read_kind(L, r, map) == 0;

	r->severity = SL_WARNING;
	r->weight = 1.0;
	r->report = 1;
	r->cap = 1;
	r->enabled = 1;

	if ((v = ynode_get(map, "scope")))
		read_scope(L, r, v);
	else if (kind_ok && r->kind == SL_RK_META)
		r->scope = SL_SC_MESSAGE;
	else
		load_error(L, NULL, "missing key 'scope'");
	if ((v = ynode_get(map, "severity")))
		read_severity(L, r, v);
	if ((v = ynode_get(map, "group")))
		read_group(L, r, v);
	else
		default_group(L, r);
	if ((v = ynode_get(map, "weight")) && !ynode_num(L, v, &r->weight) &&
	    r->weight < 0)
		load_error(L, v, "the weight must not be negative");
	if ((v = ynode_get(map, "report")))
		ynode_bool(L, v, &r->report);
	if ((v = ynode_get(map, "cap")))
		read_cap(L, r, v);
	if ((v = ynode_get(map, "hidden")))
		read_hidden(L, r, v);
	if (!opt_str(L, map, "message", &r->message) && !r->message && r->report)
		load_error(L, NULL, "missing key 'message'");
	if (!opt_str(L, map, "description", &r->description) && !r->description)
		load_error(L, NULL, "missing key 'description'");
	opt_str(L, map, "link", &r->link);
	opt_str(L, map, "suggest", &r->suggest);
	if ((v = ynode_get(map, "fix")))
		read_fix(L, r, v);
	if ((v = ynode_get(map, "examples")))
		read_examples(L, r, v);
	return kind_ok && r->scope != SL_SC_NSCOPES ? 0 : -1;
}

static int in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list && list[i]; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

static int any_kind_key(const char *s)
{
	for (int i = 0; i < SL_RK_NKINDS; i++)
		if (in_list(s, kinds[i].keys))
			return 1;
	return 0;
}

/* Every top-level key nobody read.  kind < 0: the kind is unknown (any
 * kind's key is then let be).  compiled: the kind's compile succeeded, so
 * a key of the kind it did not read has no effect (after a failed compile
 * it may just not have got that far). */
static void unknown_keys(sl_loader *L, sl_ynode *map, int kind, int compiled)
{
	const char *const *kk = kind >= 0 ? kinds[kind].keys : NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		sl_ynode *k = map->item[i];
		if (k->used || (kind < 0 && any_kind_key(k->str)))
			continue;
		if (in_list(k->str, kk)) {
			if (compiled)
				load_error(L, k, "key '%s' has no effect in this rule", k->str);
			continue;
		}
		guess g = { 0 };
		guess_list(&g, k->str, common_keys);
		if (kind >= 0)
			guess_list(&g, k->str, kk);
		else
			for (int j = 0; j < SL_RK_NKINDS; j++)
				guess_list(&g, k->str, kinds[j].keys);
		load_error(L, k, "unknown key '%s'%s", k->str, guess_text(L->ctx, &g));
	}
}

/* --- loading --------------------------------------------------------- */

typedef struct loadstate {
	sl_loader *L;
	sl_rule **rule;
	size_t n, alloc;
	int eio;
} loadstate;

static void add_rule(loadstate *st, sl_rule *r)
{
	if (st->n == st->alloc) {
		size_t na = st->alloc ? st->alloc * 2 : 64;
		st->rule = arena_grow(&st->L->ctx->arena, st->rule, st->n, na, sizeof *st->rule);
		st->alloc = na;
	}
	st->rule[st->n++] = r;
}

/* --- one file's errors in line order --------------------------------- */

typedef struct msgblk {
	size_t off, len;       /* in ctx->errmsg: an error and its notes */
	size_t line, col;      /* 0 when it has no position in this file */
} msgblk;

/* The position of a message line "path:L:C: ..." in this file. */
static void msg_pos(const char *s, const char *path, size_t *line, size_t *col)
{
	size_t n = strlen(path);
	*line = *col = 0;
	if (!strncmp(s, "error: too many errors", 22)) {
		*line = SIZE_MAX;  /* stays last */
		return;
	}
	if (strncmp(s, path, n) || s[n] != ':')
		return;
	char *e;
	unsigned long l = strtoul(s + n + 1, &e, 10);
	if (*e != ':')
		return;
	unsigned long c = strtoul(e + 1, &e, 10);
	if (*e != ':')
		return;
	*line = l;
	*col = c;
}

static int is_note(const char *s, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i++) {
		if (!memcmp(s + i, ": note: ", 8))
			return 1;
		if (i + 9 <= n && !memcmp(s + i, ": error: ", 9))
			return 0;
	}
	return 0;
}

/* Reorder the messages appended since `from` by their position in path
 * (stable; messages without a position first), the way a compiler lists
 * a file's errors. */
static void sort_messages(sl_context *ctx, size_t from, const char *path)
{
	char *s = ctx->errmsg;
	size_t end = s ? strlen(s) : 0;
	if (end <= from)
		return;
	size_t nb = 0, alloc = 16;
	msgblk *b = arena_array(&ctx->arena, alloc, sizeof *b);
	for (size_t i = from; i < end;) {
		size_t ln = strcspn(s + i, "\n");
		ln += s[i + ln] == '\n';
		if (s[i] == ' ' || (nb && is_note(s + i, ln))) {
			if (nb)
				b[nb - 1].len += ln;  /* caret lines, notes */
		} else {
			if (nb == alloc) {
				b = arena_grow(&ctx->arena, b, nb, alloc * 2, sizeof *b);
				alloc *= 2;
			}
			b[nb].off = i;
			b[nb].len = ln;
			msg_pos(s + i, path, &b[nb].line, &b[nb].col);
			nb++;
		}
		i += ln;
	}
	/* insertion sort: stable, and a file has few errors */
	for (size_t i = 1; i < nb; i++) {
		msgblk t = b[i];
		size_t k = i;
		while (k > 0 && (b[k - 1].line > t.line ||
		                 (b[k - 1].line == t.line && b[k - 1].col > t.col))) {
			b[k] = b[k - 1];
			k--;
		}
		b[k] = t;
	}
	char *tmp = arena_alloc(&ctx->arena, end - from);
	size_t k = 0;
	for (size_t i = 0; i < nb; i++) {
		memcpy(tmp + k, s + b[i].off, b[i].len);
		k += b[i].len;
	}
	if (k == end - from)
		memcpy(s + from, tmp, k);
}

/* Load one rule file into st (its errors in load order). */
static void load_rule_file1(loadstate *st, const rfile *f, const rfile *all)
{
	sl_loader *L = st->L;
	size_t before = L->nerr;
	L->path = f->path;
	if (f->first != (size_t)(f - all)) {
		load_error(L, NULL, "duplicate rule id '%s'", f->id);
		L->path = all[f->first].path;
		load_note(L, NULL, "'%s' is first defined here", f->id);
		L->path = f->path;
	}
	if (!valid_id(f->id)) {
		load_error(L, NULL, "invalid rule id '%s': use letters, digits, '-', '_', '.' and '/'", f->id);
		return;
	}
	if (!strncmp(f->id, "input/", 6)) {
		load_error(L, NULL, "the id prefix 'input/' is reserved for findings about the input");
		return;
	}
	int eio = 0;
	sl_ynode *root = yaml_load_file(L, f->path, &eio);
	st->eio |= eio;
	if (!root)
		return;
	if (root->type != SL_Y_MAP) {
		int empty = root->type == SL_Y_SCALAR && !root->len && !root->quoted;
		load_error(L, empty ? NULL : root, "a rule file must be a mapping of keys (kind: ..., scope: ..., ...)");
		return;
	}
	sl_rule *r = arena_zalloc(&L->ctx->arena, sizeof *r);
	r->id = f->id;
	r->path = f->path;
	r->scope = SL_SC_NSCOPES;
	r->kind = SL_RK_NKINDS;
	int ok = read_common(L, r, root) == 0;
	int compiled = ok && kinds[r->kind].ops->compile(L, r, root) == 0;
	unknown_keys(L, root, r->kind < SL_RK_NKINDS ? (int)r->kind : -1, compiled);
	if (L->nerr == before)
		add_rule(st, r);
}

/* Load one rule file; its errors in line order. */
static void load_rule_file(loadstate *st, const rfile *f, const rfile *all)
{
	size_t from = st->L->ctx->errmsg ? strlen(st->L->ctx->errmsg) : 0;
	load_rule_file1(st, f, all);
	sort_messages(st->L->ctx, from, f->path);
}

/* Which earlier file first has each file's id (hash of ids). */
static void find_duplicates(sl_arena *a, rfile *f, size_t n)
{
	size_t size = 16;
	while (size < 2 * n)
		size *= 2;
	size_t *slot = arena_array(a, size, sizeof *slot);
	for (size_t i = 0; i < size; i++)
		slot[i] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		f[i].first = i;
		if (!f[i].id)
			continue;
		uint64_t h = 1469598103934665603ull;
		for (const char *s = f[i].id; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
		/* n <= size/2, so a free slot is always found */
		for (size_t k = (size_t)h & (size - 1);; k = (k + 1) & (size - 1)) {
			if (slot[k] == SIZE_MAX) {
				slot[k] = i;
				break;
			}
			if (!strcmp(f[slot[k]].id, f[i].id)) {
				f[i].first = slot[k];
				break;
			}
		}
	}
}

static int cmp_rule(const void *a, const void *b)
{
	const sl_rule *x = *(const sl_rule *const *)a, *y = *(const sl_rule *const *)b;
	return strcmp(x->id, y->id);
}

const sl_rule *rules_find(const sl_context *ctx, const char *id)
{
	size_t lo = 0, hi = ctx->nrule;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ctx->rule[mid]->id, id);
		if (!c)
			return ctx->rule[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* --- selection ------------------------------------------------------- */

/* Does a selection entry (id, group or id prefix) name rule r? */
int rules_select_match(const char *sel, const sl_rule *r)
{
	size_t n = strlen(sel);
	if (!n)
		return 0;
	if (!strcmp(sel, r->id) || !strcmp(sel, r->group))
		return 1;
	if (sel[n - 1] == '/')
		return !strncmp(r->id, sel, n);
	return !strncmp(r->id, sel, n) && r->id[n] == '/';
}

/* at: where a configuration file wrote sel (an sl_ynode), or NULL for
 * the command line. */
static void no_such(sl_loader *L, const char *what, const char *sel, const void *at)
{
	sl_context *ctx = L->ctx;
	guess g = { 0 };
	for (size_t i = 0; i < ctx->nrule; i++) {
		guess_try(&g, sel, ctx->rule[i]->id);
		guess_try(&g, sel, ctx->rule[i]->group);
	}
	L->path = NULL;
	load_error(L, at, "cannot %s '%s': no rule, group or id prefix has that name%s",
	           what, sel, guess_text(ctx, &g));
}

static void select_rules(sl_loader *L, const char *const *sel, size_t n, int on,
                         const char *what, const void *const *at)
{
	sl_context *ctx = L->ctx;
	for (size_t i = 0; i < n; i++) {
		int hit = 0;
		for (size_t k = 0; k < ctx->nrule; k++) {
			if (rules_select_match(sel[i], ctx->rule[k])) {
				ctx->rule[k]->enabled = on;
				hit = 1;
			}
		}
		if (!hit)
			no_such(L, what, sel[i], at ? at[i] : NULL);
	}
}

static void apply_selection(sl_loader *L)
{
	const sl_options *o = &L->ctx->opts;
	sl_context *ctx = L->ctx;
	select_rules(L, o->cfg_disable, o->ncfg_disable, 0, "disable", o->cfg_disable_at);
	select_rules(L, o->cfg_enable, o->ncfg_enable, 1, "enable", o->cfg_enable_at);
	select_rules(L, o->disable, o->ndisable, 0, "disable", NULL);
	select_rules(L, o->enable, o->nenable, 1, "enable", NULL);
	for (size_t i = 0; i < o->nseverity; i++) {
		int hit = 0;
		for (size_t k = 0; k < ctx->nrule; k++) {
			if (rules_select_match(o->severity[i].id, ctx->rule[k])) {
				ctx->rule[k]->severity = o->severity[i].severity;
				hit = 1;
			}
		}
		if (!hit)
			no_such(L, "set the severity of", o->severity[i].id,
			        o->cfg_severity_at && i < o->ncfg_severity ?
			        o->cfg_severity_at[i] : NULL);
	}
}

/* --- the whole load -------------------------------------------------- */

int rules_load(sl_context *ctx)
{
	sl_loader L = { .ctx = ctx };
	sl_arena *a = &ctx->arena;
	const sl_options *o = &ctx->opts;

	/* the rule dirs: bundled first, then the extra ones, each once */
	size_t ndir = 0;
	const char **dir = arena_array(a, o->nrule_dirs + 1, sizeof *dir);
	if (o->default_rules)
		dir[ndir++] = o->default_rules;
	for (size_t i = 0; i < o->nrule_dirs; i++) {
		int seen = 0;
		for (size_t k = 0; k < ndir; k++)
			seen |= !strcmp(dir[k], o->rule_dirs[i]);
		if (!seen)
			dir[ndir++] = o->rule_dirs[i];
	}

	walk w = { .L = &L };
	for (size_t i = 0; i < ndir && !w.full; i++)
		walk_dir(&w, dir[i], "", (int)i, 0);
	for (size_t i = 0; i < w.n; i++) {
		rfile *f = &w.f[i];
		const char *base = strrchr(f->rel, '/');
		base = base ? base + 1 : f->rel;
		if (!strcmp(f->rel, "scores.yml") || base[0] == '_')
			f->id = NULL;
		else
			f->id = arena_strndup(a, f->rel, strlen(f->rel) - 4);
	}
	find_duplicates(a, w.f, w.n);

	loadstate st = { .L = &L, .eio = w.eio };
	for (size_t i = 0; i < w.n && L.nerr <= SL_LOAD_ERRORS_MAX; i++)
		if (w.f[i].id)
			load_rule_file(&st, &w.f[i], w.f);

	ctx->rule = st.rule;
	ctx->nrule = st.n;
	if (ctx->nrule)
		qsort(ctx->rule, ctx->nrule, sizeof *ctx->rule, cmp_rule);
	for (size_t i = 0; i < ctx->nrule; i++)
		ctx->rule[i]->index = (int)i;

	for (size_t i = 0; i < w.n && L.nerr <= SL_LOAD_ERRORS_MAX; i++) {
		if (strcmp(w.f[i].rel, "scores.yml"))
			continue;
		size_t before = L.nerr;
		L.path = w.f[i].path;
		if (score_load(&L, ctx, w.f[i].path) && L.nerr == before)
			load_error(&L, NULL, "the score parameters could not be loaded");
	}

	/* linking needs every rule: skip it when some failed to load, so
	 * that one broken file does not cascade into "unknown id" errors */
	for (int i = 0; i < SL_RK_NKINDS && !L.nerr; i++) {
		const kind_info *k = &kinds[link_order[i]];
		L.path = NULL;
		L.src = NULL;
		L.len = 0;
		if (k->ops->link && k->ops->link(&L, ctx) && !L.nerr)
			load_error(&L, NULL, "the %s rules could not be linked", k->name);
	}
	if (!L.nerr)
		apply_selection(&L);
	if (L.nerr)
		return st.eio ? SL_EIO : SL_ERULES;
	return SL_OK;
}
