/*
 * score.c - group scores and the overall risk.
 *
 * In (load): a rules dir's scores.yml (see rules.d/scores.yml for the
 * format and the reasoning); later files override earlier ones group by
 * group; with none, built-in defaults (the same values as the bundled
 * file).  In (run): the final diagnostics, after suppressions.  Out:
 * r->score: "risk", then subject, tone, bundling, deliverability, then the
 * other groups of the enabled rules in name order.
 *
 * A group's score:  S = sum over its enabled rules of
 *                       weight * min(diagnostics of the rule, rule->cap)
 *     score = round(100 * (sig(B + K*S) - sig(B)) / (1 - sig(B)))
 * with sig the logistic function, B the group's bias and K its scale:
 * 0 when nothing was reported, rising monotonically towards 100, and each
 * point traceable to the diagnostics the user sees.  Only reported rules
 * count (report: false sub-rules feed meta rules, whose diagnostics count
 * instead), and a suppressed diagnostic does not count.
 *
 * A rule with `score: value` (the tokens kind) adds weight * value for
 * each of its findings instead, the value being what the finding measured
 * (a summed token weight, which may be negative): every hit whose
 * diagnostic is shown (or every hit, for report: false), plus the values
 * of findings it kept below its reporting threshold (run->unreported):
 * those count although not shown, as a sub-rule's would through its meta
 * rule.  Its diagnostics' weight is set to what they added.  S below 0
 * scores 0.
 * Per unit (the tone group): each body block (paragraph) and each of its
 * sentences gets the same formula over the findings located inside it
 * (a finding's hit carries its block and sentence; a paragraph-scope
 * finding without a sentence counts for its paragraph only), in
 * r->uscore, in document order, a paragraph before its sentences, only
 * units that score above 0.  A finding that counts everywhere but has no
 * block (a message-scope meta rule placed on the subject, a header)
 * belongs to no unit.
 * risk = noisy-or of the risk groups' scores, 100 * (1 - prod(1 - g/100)),
 * or their maximum (risk: {combine: max}).  The risk groups are those
 * risk.groups lists; without the list, the built-in groups and every
 * user-defined group (not "input" or "sendlint").
 *
 * Limits: bias within [-20, 20] and scale within (0, 100] (past those
 * sig() saturates and the score says nothing); groups in scores.yml at
 * most SCORE_GROUPS_MAX.
 */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "internal.h"

/* Far beyond the four built-in groups plus any real set of custom ones;
 * lookups are linear. */
#define SCORE_GROUPS_MAX 256

typedef struct sgroup {
	const char *name;
	double bias, scale;
} sgroup;

enum { COMBINE_NOISY_OR, COMBINE_MAX };

struct sl_groups {
	sgroup *g;
	size_t n;
	sgroup def;             /* for groups not listed */
	int combine;
	const char **risk;      /* the groups risk combines */
	size_t nrisk;
	int risk_listed;        /* risk.groups given: exactly those */
};

static const char *const builtin_names[] = {
	"subject", "tone", "bundling", "deliverability",
};
#define NBUILTIN (sizeof builtin_names / sizeof *builtin_names)

/* Keep equal to rules.d/scores.yml (test_score checks it). */
static const sgroup builtin[NBUILTIN] = {
	{ "subject", -3.1749, 1.0 },
	{ "tone", -1.6743, 1.0 },
	{ "bundling", -2.5, 1.2 },
	{ "deliverability", -3.0, 0.8 },
};
static const sgroup builtin_def = { NULL, -3.0, 1.0 };

static const struct sl_groups builtin_groups = {
	(sgroup *)builtin, NBUILTIN, { NULL, -3.0, 1.0 }, COMBINE_NOISY_OR,
	(const char **)builtin_names, NBUILTIN, 0,
};

/* ---------------------------------------------------------------------
 * Loading.
 * ------------------------------------------------------------------- */

static struct sl_groups *groups_of(sl_context *ctx)
{
	if (ctx->groups)
		return ctx->groups;
	struct sl_groups *G = arena_zalloc(&ctx->arena, sizeof *G);
	G->g = arena_array(&ctx->arena, SCORE_GROUPS_MAX, sizeof *G->g);
	memcpy(G->g, builtin, sizeof builtin);
	G->n = NBUILTIN;
	G->def = builtin_def;
	G->combine = COMBINE_NOISY_OR;
	G->risk = (const char **)builtin_names;
	G->nrisk = NBUILTIN;
	ctx->groups = G;
	return G;
}

/* Report every key of map not among keys (with a did-you-mean). */
static int check_keys(sl_loader *L, const sl_ynode *map, const char *const *keys,
                      size_t nkeys)
{
	int rc = 0;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const sl_ynode *k = map->item[i];
		const char *best = NULL;
		size_t bd = 3;
		int ok = 0;
		for (size_t j = 0; j < nkeys && !ok; j++) {
			if (k->type == SL_Y_SCALAR && !strcmp(k->str, keys[j])) {
				ok = 1;
				break;
			}
			size_t d = k->type == SL_Y_SCALAR ? edit_distance(k->str, keys[j], 2) : 3;
			if (d < bd) {
				bd = d;
				best = keys[j];
			}
		}
		if (ok)
			continue;
		if (k->type != SL_Y_SCALAR)
			load_error(L, k, "a key must be a string");
		else if (best)
			load_error(L, k, "unknown key '%s' (did you mean '%s'?)", k->str, best);
		else
			load_error(L, k, "unknown key '%s'", k->str);
		rc = -1;
	}
	return rc;
}

static int want_map(sl_loader *L, const sl_ynode *n, const char *what)
{
	if (n->type == SL_Y_MAP)
		return 0;
	load_error(L, n, "%s must be a mapping", what);
	return -1;
}

/* {bias: B, scale: K} into *g (keys absent keep their value). */
static int read_params(sl_loader *L, sl_ynode *map, sgroup *g)
{
	static const char *const keys[] = { "bias", "scale" };
	if (want_map(L, map, "a group's parameters") < 0 || check_keys(L, map, keys, 2) < 0)
		return -1;
	sl_ynode *b = ynode_get(map, "bias"), *k = ynode_get(map, "scale");
	double v;
	if (b) {
		if (ynode_num(L, b, &v) < 0)
			return -1;
		if (!(v >= -20 && v <= 20)) {
			load_error(L, b, "bias must be between -20 and 20");
			return -1;
		}
		g->bias = v;
	}
	if (k) {
		if (ynode_num(L, k, &v) < 0)
			return -1;
		if (!(v > 0 && v <= 100)) {
			load_error(L, k, "scale must be above 0 and at most 100");
			return -1;
		}
		g->scale = v;
	}
	return 0;
}

static sgroup *group_find(struct sl_groups *G, const char *name)
{
	for (size_t i = 0; i < G->n; i++)
		if (!strcmp(G->g[i].name, name))
			return &G->g[i];
	return NULL;
}

static int read_groups(sl_loader *L, struct sl_groups *G, sl_ynode *map)
{
	if (want_map(L, map, "'groups'") < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		sl_ynode *k = map->item[i], *v = map->item[i + 1];
		if (k->type != SL_Y_SCALAR || !k->len) {
			load_error(L, k, "a group name must be a non-empty string");
			rc = -1;
			continue;
		}
		sgroup *g = group_find(G, k->str);
		sgroup tmp = g ? *g : (sgroup){ NULL, G->def.bias, G->def.scale };
		if (read_params(L, v, &tmp) < 0) {
			rc = -1;
			continue;
		}
		if (!g) {
			if (G->n == SCORE_GROUPS_MAX) {
				load_error(L, k, "more than %d groups", SCORE_GROUPS_MAX);
				return -1;
			}
			g = &G->g[G->n++];
			tmp.name = arena_strndup(&L->ctx->arena, k->str, k->len);
		}
		*g = tmp;
	}
	return rc;
}

static int read_risk(sl_loader *L, struct sl_groups *G, sl_ynode *map)
{
	static const char *const keys[] = { "combine", "groups" };
	if (want_map(L, map, "'risk'") < 0 || check_keys(L, map, keys, 2) < 0)
		return -1;
	sl_ynode *c = ynode_get(map, "combine"), *g = ynode_get(map, "groups");
	if (c) {
		const char *s;
		if (ynode_str(L, c, &s) < 0)
			return -1;
		if (!strcmp(s, "noisy-or"))
			G->combine = COMBINE_NOISY_OR;
		else if (!strcmp(s, "max"))
			G->combine = COMBINE_MAX;
		else {
			load_error(L, c, "unknown combine '%s' (noisy-or or max)", s);
			return -1;
		}
	}
	if (g && ynode_strs(L, g, &G->risk, &G->nrisk) < 0)
		return -1;
	if (g)
		G->risk_listed = 1;
	return 0;
}

int score_load(sl_loader *L, sl_context *ctx, const char *path)
{
	struct sl_groups *G = groups_of(ctx);
	struct stat st;
	if (!path || stat(path, &st) != 0)
		return 0; /* no scores.yml: the defaults stand */
	int eio = 0;
	sl_ynode *root = yaml_load_file(L, path, &eio);
	if (!root)
		return eio ? SL_EIO : SL_ERULES;
	if (root->type == SL_Y_SCALAR && !root->quoted && root->len == 0)
		return 0; /* an empty file */
	static const char *const keys[] = { "groups", "default", "risk" };
	if (want_map(L, root, "scores.yml") < 0 || check_keys(L, root, keys, 3) < 0)
		return SL_ERULES;
	sl_ynode *n;
	int rc = 0;
	if ((n = ynode_get(root, "default")) && read_params(L, n, &G->def) < 0)
		rc = SL_ERULES;
	if ((n = ynode_get(root, "groups")) && read_groups(L, G, n) < 0)
		rc = SL_ERULES;
	if ((n = ynode_get(root, "risk")) && read_risk(L, G, n) < 0)
		rc = SL_ERULES;
	return rc;
}

/* ---------------------------------------------------------------------
 * Scoring.
 * ------------------------------------------------------------------- */

static double sig(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

/* Groups also scored per sentence and per paragraph (sl_unit_score). */
static const char *const unit_groups[] = { "tone" };

static int group_score(const struct sl_groups *G, const char *name, double s)
{
	const sgroup *g = &G->def;
	for (size_t i = 0; i < G->n; i++)
		if (!strcmp(G->g[i].name, name))
			g = &G->g[i];
	if (!(s > 0))
		return 0;
	double b = sig(g->bias);
	double v = 100.0 * (sig(g->bias + g->scale * s) - b) / (1.0 - b);
	long k = lround(v);
	return k < 0 ? 0 : k > 100 ? 100 : (int)k;
}

static int rule_cmp(const void *key, const void *elem)
{
	const sl_rule *const *r = elem;
	return strcmp(key, (*r)->id);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_builtin(const char *g)
{
	for (size_t i = 0; i < NBUILTIN; i++)
		if (!strcmp(builtin_names[i], g))
			return 1;
	return 0;
}

/* The shown diagnostic of rule ru at sp, not yet matched to a hit, or
 * NULL (suppressed, or over the diagnostics limit). */
static sl_diag *shown_diag(sl_result *r, const sl_rule *ru, sl_span sp,
                           unsigned char *used)
{
	for (size_t i = 0; i < r->ndiag; i++) {
		sl_diag *d = &r->diag[i];
		if (!used[i] && d->offset == sp.off && d->end_offset == sp.end &&
		    !strcmp(d->rule, ru->id)) {
			used[i] = 1;
			return d;
		}
	}
	return NULL;
}

/* What a score: value rule adds to its group's S (see the top). */
static double value_sum(sl_run *run, const sl_rule *ru)
{
	sl_result *r = run->r;
	double s = 0;
	unsigned char *used = NULL;
	for (size_t i = 0; i < run->nhit; i++) {
		const sl_hit *h = &run->hit[i];
		if (h->rule != ru || !isfinite(h->value))
			continue;
		if (!ru->report) {
			s += ru->weight * h->value;
			continue;
		}
		if (!used)
			used = arena_zalloc(&r->arena, r->ndiag ? r->ndiag : 1);
		sl_diag *d = shown_diag(r, ru, text_span(h->text, h->off, h->end), used);
		if (d) {
			d->weight = ru->weight * h->value;
			s += d->weight;
		}
	}
	if (run->unreported && isfinite(run->unreported[ru->index]))
		s += ru->weight * run->unreported[ru->index];
	return s;
}

/* --- per-unit scores ------------------------------------------------- */

/* A shown finding of a unit group: where its hit is and what it adds. */
typedef struct ufind {
	int blk, sent;
	const sl_rule *rule;
	double add;             /* value rules: weight x value; else 0 */
} ufind;

static int ufind_cmp(const void *a, const void *b)
{
	const ufind *x = a, *y = b;
	if (x->blk != y->blk)
		return x->blk < y->blk ? -1 : 1;
	if (x->sent != y->sent)
		return x->sent < y->sent ? -1 : 1;
	return x->rule->index < y->rule->index ? -1 : x->rule->index > y->rule->index;
}

/* S of the findings f[0..n), sorted by rule: count rules add weight x
 * min(count, cap), value rules what each finding added. */
static double unit_sum(const ufind *f, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n;) {
		const sl_rule *ru = f[i].rule;
		size_t k = i;
		double v = 0;
		while (k < n && f[k].rule == ru)
			v += f[k++].add;
		if (ru->score_value) {
			s += v;
		} else {
			size_t c = k - i;
			if (ru->cap >= 0 && c > (size_t)ru->cap)
				c = (size_t)ru->cap;
			s += ru->weight * (double)c;
		}
		i = k;
	}
	return s;
}

/* Copy f[0..n) sorted by rule into tmp (a unit's findings are few; an
 * insertion sort keeps it simple). */
static void by_rule(ufind *tmp, const ufind *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = i;
		while (k > 0 && tmp[k - 1].rule->index > f[i].rule->index) {
			tmp[k] = tmp[k - 1];
			k--;
		}
		tmp[k] = f[i];
	}
}

static void uscore_add(sl_result *r, size_t *alloc, const char *group, const char *scope,
                       sl_span sp, int v)
{
	if (v <= 0)
		return;
	if (r->nuscore == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 16;
		r->uscore = arena_grow(&r->arena, r->uscore, r->nuscore, na, sizeof *r->uscore);
		*alloc = na;
	}
	r->uscore[r->nuscore++] = (sl_unit_score){ group, scope, sp.off, sp.end, v };
}

static int is_body_block(const sl_result *r, int blk)
{
	if (blk < 0 || (size_t)blk >= r->doc.nblk)
		return 0;
	const sl_block *b = &r->doc.blk[blk];
	return !b->alternative && b->kind != SL_BLK_SUBJECT && b->kind != SL_BLK_PREHEADER &&
	       b->kind != SL_BLK_TITLE;
}

/* The shown findings of group g with a body block, sorted by (block,
 * sentence, rule); *out an arena array, returns the count. */
static size_t unit_findings(sl_run *run, const char *g, ufind **out)
{
	sl_result *r = run->r;
	size_t n = 0, cap = run->nhit ? run->nhit : 1;
	ufind *f = arena_array(&r->arena, cap, sizeof *f);
	unsigned char *used = arena_zalloc(&r->arena, r->ndiag ? r->ndiag : 1);
	for (size_t i = 0; i < run->nhit; i++) {
		const sl_hit *h = &run->hit[i];
		const sl_rule *ru = h->rule;
		if (!ru->group || strcmp(ru->group, g) || !ru->report || !rule_on(run->ctx, ru) ||
		    !is_body_block(r, h->blk))
			continue;
		const sl_diag *d = shown_diag(r, ru, text_span(h->text, h->off, h->end), used);
		if (!d)
			continue;
		f[n++] = (ufind){ h->blk, h->sent, ru, ru->score_value ? d->weight : 0 };
	}
	/* the unit whose unreported excess counts (score: excess): it has
	 * no diagnostic, but its sentence's score shows where the points are */
	for (size_t i = 0; run->unreported_at && i < run->ctx->nrule; i++) {
		const sl_rule *ru = run->ctx->rule[i];
		int blk = run->unreported_at[2 * i], sent = run->unreported_at[2 * i + 1];
		if (!ru->group || strcmp(ru->group, g) || !rule_on(run->ctx, ru) || !ru->score_value ||
		    !(run->unreported[i] > 0) || sent < 0 || !is_body_block(r, blk))
			continue;
		if (n == cap) {
			f = arena_grow(&r->arena, f, cap, cap * 2, sizeof *f);
			cap *= 2;
		}
		f[n++] = (ufind){ blk, sent, ru, ru->weight * run->unreported[i] };
	}
	if (n > 1)
		qsort(f, n, sizeof *f, ufind_cmp);
	*out = f;
	return n;
}

/* r->uscore: every paragraph and sentence of the unit groups' findings
 * that scores above 0. */
static void unit_scores(sl_run *run, const struct sl_groups *G)
{
	sl_result *r = run->r;
	size_t alloc = 0;
	for (size_t gi = 0; gi < sizeof unit_groups / sizeof *unit_groups; gi++) {
		const char *g = unit_groups[gi];
		ufind *f;
		size_t n = unit_findings(run, g, &f);
		ufind *tmp = arena_array(&r->arena, n ? n : 1, sizeof *tmp);
		for (size_t i = 0; i < n;) {
			size_t k = i;
			while (k < n && f[k].blk == f[i].blk)
				k++;
			const sl_block *b = &r->doc.blk[f[i].blk];
			by_rule(tmp, f + i, k - i);
			uscore_add(r, &alloc, g, "paragraph", text_span(&b->text, 0, b->text.len),
			           group_score(G, g, unit_sum(tmp, k - i)));
			for (size_t s = i; s < k;) {
				size_t e = s;
				while (e < k && f[e].sent == f[s].sent)
					e++;
				int si = f[s].sent;
				if (si >= 0 && (size_t)si < b->nsent) {
					by_rule(tmp, f + s, e - s);
					uscore_add(r, &alloc, g, "sentence",
					           text_span(&b->text, b->sent[si].off, b->sent[si].end),
					           group_score(G, g, unit_sum(tmp, e - s)));
				}
				s = e;
			}
			i = k;
		}
	}
}

void score_compute(sl_run *run)
{
	sl_result *r = run->r;
	const sl_context *ctx = run->ctx;
	const struct sl_groups *G = ctx->groups ? ctx->groups : &builtin_groups;
	size_t nr = ctx->nrule;

	/* diagnostics per rule */
	size_t *n = arena_zalloc(&r->arena, (nr ? nr : 1) * sizeof *n);
	for (size_t i = 0; i < r->ndiag && nr; i++) {
		sl_rule *const *ru = bsearch(r->diag[i].rule, ctx->rule, nr,
		                             sizeof *ctx->rule, rule_cmp);
		if (ru && rule_on(ctx, *ru))
			n[(*ru)->index]++;
	}

	/* the groups: built-ins, then the others in name order */
	const char **name = arena_array(&r->arena, NBUILTIN + nr, sizeof *name);
	size_t ng = 0;
	for (size_t i = 0; i < NBUILTIN; i++)
		name[ng++] = builtin_names[i];
	size_t user = ng;
	for (size_t i = 0; i < nr; i++) {
		const char *g = ctx->rule[i]->group;
		if (!g || !*g || !rule_on(ctx, ctx->rule[i]) || is_builtin(g))
			continue;
		size_t j = user;
		while (j < ng && strcmp(name[j], g))
			j++;
		if (j == ng)
			name[ng++] = g;
	}
	if (ng - user > 1)
		qsort(name + user, ng - user, sizeof *name, str_cmp);

	/* S per group, then the scores */
	double *S = arena_zalloc(&r->arena, ng * sizeof *S);
	for (size_t i = 0; i < nr; i++) {
		const sl_rule *ru = ctx->rule[i];
		if (!ru->group)
			continue;
		double add;
		if (ru->score_value) {
			if (!rule_on(ctx, ru))
				continue;
			add = value_sum(run, ru);
		} else {
			if (!n[i])
				continue;
			size_t hits = ru->cap >= 0 && n[i] > (size_t)ru->cap ? (size_t)ru->cap : n[i];
			add = ru->weight * (double)hits;
		}
		for (size_t j = 0; j < ng; j++)
			if (!strcmp(name[j], ru->group))
				S[j] += add;
	}
	r->nscore = ng + 1;
	r->score = arena_array(&r->arena, r->nscore, sizeof *r->score);
	double keep = 1.0;
	int worst = 0;
	for (size_t j = 0; j < ng; j++) {
		int v = group_score(G, name[j], S[j]);
		r->score[j + 1] = (sl_score){ name[j], v };
		/* a group counts in risk when risk.groups lists it; without
		 * that list, the built-in groups and every group of the
		 * user's own (not input) do: a rule dir of one's own should
		 * move the risk */
		int in_risk = 0;
		for (size_t k = 0; k < G->nrisk && !in_risk; k++)
			in_risk = !strcmp(G->risk[k], name[j]);
		if (!in_risk && !G->risk_listed && strcmp(name[j], "input") &&
		    strcmp(name[j], "sendlint")) {
			in_risk = 1;
			for (size_t k = 0; k < NBUILTIN; k++)
				if (!strcmp(builtin_names[k], name[j]))
					in_risk = 0;
		}
		if (in_risk) {
			keep *= 1.0 - v / 100.0;
			if (v > worst)
				worst = v;
		}
	}
	int risk = G->combine == COMBINE_MAX ? worst : (int)lround(100.0 * (1.0 - keep));
	r->score[0] = (sl_score){ "risk", risk < 0 ? 0 : risk > 100 ? 100 : risk };
	unit_scores(run, G);
}
