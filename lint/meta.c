/*
 * meta.c - meta rules: an expression over other rules' hits, evaluated
 * per scope instance.
 *
 * In (load): the rule's `expr:` and optional `at:`; ids are resolved and
 * checked for cycles once every rule is loaded.  In (run): the hits the
 * other kinds made (run->hit) and the zones of the blocks.  Out: one hit
 * per scope instance where the expression is true, located at the first
 * hit (in document order, within the instance) of the `at:` rule, or else
 * of the first identifier of the expression that has one, or else the
 * instance itself (a block, a sentence, or offset 0 of the file for the
 * message); the hit's value is the expression's value and its note names
 * what matched.
 *
 * The language (C precedence, loosest first):
 *     ||   &&   == !=   < <= > >=   + -   *   unary ! -
 * operands: numbers (12, 0.5), ( ... ), rule ids (1 when the rule has a
 * hit in the instance, else 0), and the functions
 *     count(id)            hits of id in the instance
 *     before(a, b)         a's first hit comes before b's first hit
 *     in(id, zone)         some hit of id is in a block of that zone
 *     absent_from(id, zone)  no hit of id is in that zone (also when id
 *                          has no hit at all)
 *     with(a, b)           some hit of a shares a sentence with a hit of b
 *     without(a, b)        some hit of a is in a sentence with no hit of b
 * zones: subject preheader top below-fold ps footer fine-print (zones.c).
 * Everything is a number; true is 1, false is 0, non-zero is true.  A rule
 * id is a letter or "_" followed by letters, digits and "_ . / -", so "a-b"
 * is one id: write subtraction with spaces ("count(a) - 1").
 *
 * Where the diagnostic goes, without `at:`: at the hit that made the
 * expression true (its witness): an id's first hit; for count() the
 * first hit, for before(a, b) a's, for in() the first hit in the zone,
 * for with() and without() the first hit of a that qualifies; `a && b`
 * takes a's witness (b's when a has none), `a || b` and `a + b` the
 * earlier in the document of their operands' witnesses, the other
 * operators their left operand's (else the right's); `!` and
 * absent_from() have none.  With no witness: the first hit of the first
 * identifier of the expression that has one in the instance.
 *
 * Scopes: message (every hit), paragraph (each block: hits in it),
 * sentence (each sentence of each block: hits in it).  The blocks are the
 * subject, the preheader and the body blocks of the preferred body (not a
 * non-preferred alternative, and not the title, which repeats the
 * subject, except in a file without a Subject, where the title stands
 * for it: see zones.c).
 * Meta rules may use meta rules; they run in dependency order and a cycle
 * is a load error.
 *
 * Limits: expressions nest at most META_DEPTH deep (parsing and
 * evaluation recurse); the rest is bounded by the expression's length and
 * the number of hits.
 */
#include <stdlib.h>

#include "internal.h"

/* Far past any readable expression; keeps the parser's and the
 * evaluator's recursion small. */
#define META_DEPTH 64
/* Counts never come near it; keeps arithmetic finite (no inf, no NaN). */
#define META_NUM_MAX 1e9

enum {
	M_NUM, M_REF, M_COUNT, M_NOT, M_NEG, M_AND, M_OR, M_ADD, M_SUB, M_MUL,
	M_LT, M_LE, M_GT, M_GE, M_EQ, M_NE, M_BEFORE, M_IN, M_ABSENT, M_WITH,
	M_WITHOUT,
};

typedef struct mnode {
	int op;
	int depth;              /* of the subtree */
	double num;
	int ref, ref2;          /* indexes in meta.ref */
	unsigned zone;
	struct mnode *a, *b;
} mnode;

/* One occurrence of a rule id in the expression. */
typedef struct mref {
	const char *id;
	sl_ynode at;            /* its position in the YAML file */
	const sl_rule *rule;    /* resolved by link */
} mref;

typedef struct meta {
	mnode *root;
	mref *ref;
	size_t nref;
	int at;                 /* ref index named by `at:`, -1 for the default */
	int depth;              /* 0 uses no meta rule, else 1 + theirs */
	int state;              /* link: 0 new, 1 on the path, 2 done */
} meta;

static const struct {
	const char *name;
	unsigned bit;
} zones[] = {
	{ "subject", SL_Z_SUBJECT }, { "preheader", SL_Z_PREHEADER },
	{ "top", SL_Z_TOP }, { "below-fold", SL_Z_BELOW_FOLD },
	{ "ps", SL_Z_PS }, { "footer", SL_Z_FOOTER },
	{ "fine-print", SL_Z_FINE_PRINT },
};

/* ---------------------------------------------------------------------
 * Positions inside the expression scalar.
 * ------------------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A double-quoted escape at raw[0..n) (raw[0] == '\\'): its length in the
 * file (*raw_len) and in the string (*str_len); 0 if malformed. */
static int dq_escape(const char *raw, size_t n, size_t *raw_len, size_t *str_len)
{
	if (n < 2)
		return 0;
	int digits = 0;
	switch (raw[1]) {
	case 'x': digits = 2; break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	case 'N': case '_': *raw_len = 2; *str_len = 2; return 1;
	case 'L': case 'P': *raw_len = 2; *str_len = 3; return 1;
	case '\n': case '\r': return 0; /* an escaped line break: multi-line */
	default: *raw_len = 2; *str_len = 1; return 1;
	}
	if (n < (size_t)digits + 2)
		return 0;
	unsigned long cp = 0;
	for (int i = 0; i < digits; i++) {
		int v = hexval((unsigned char)raw[2 + i]);
		if (v < 0)
			return 0;
		cp = cp * 16 + (unsigned long)v;
	}
	*raw_len = (size_t)digits + 2;
	*str_len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	return 1;
}

/* The file offset and column of byte i of scalar n's string; 0 when the
 * scalar is not a plain or quoted one on one line. */
static int str_to_file(const sl_ynode *n, size_t i, size_t *off, size_t *column)
{
	const char *src = n->file ? n->file->src : NULL;
	size_t len = n->file ? n->file->len : 0, o = n->off, k = 0, col = n->col;
	if (!src || o >= len || n->type != SL_Y_SCALAR)
		return 0;
	char q = 0;
	if (n->quoted) {
		q = src[o];
		if (q != '\'' && q != '"')
			return 0;
		o++;
		col++;
	} else if (src[o] == '|' || src[o] == '>') {
		return 0; /* a block scalar: the string starts on a later line */
	}
	while (k < i) {
		if (o >= len || src[o] == '\n' || src[o] == '\r' || k >= n->len)
			return 0;
		size_t rl = 1, sl = 1;
		if (q == '\'' && src[o] == '\'') {
			if (o + 1 >= len || src[o + 1] != '\'')
				return 0;
			rl = 2;
		} else if (q == '"' && src[o] == '\\') {
			if (!dq_escape(src + o, len - o, &rl, &sl))
				return 0;
		} else if (src[o] != n->str[k]) {
			return 0;
		}
		for (size_t j = 0; j < rl; j++)
			if (((unsigned char)src[o + j] & 0xC0) != 0x80)
				col++;
		o += rl;
		k += sl;
	}
	*off = o;
	*column = col;
	return 1;
}

/* A position for errors about the string's bytes [i, i+n): n's own when
 * the scalar spans lines or is a block scalar. */
static sl_ynode expr_pos(const sl_ynode *n, size_t i, size_t len)
{
	sl_ynode out = *n;
	size_t off, col, end, ecol;
	if (str_to_file(n, i, &off, &col)) {
		out.off = off;
		out.col = col;
		out.end = str_to_file(n, i + len, &end, &ecol) && end > off ? end : off + 1;
	}
	return out;
}

/* ---------------------------------------------------------------------
 * Parsing.
 * ------------------------------------------------------------------- */

typedef struct mparse {
	sl_loader *L;
	const sl_ynode *node;   /* the expr scalar */
	sl_arena *a;
	const char *s;
	size_t n, i;
	meta *m;
	size_t refalloc;
	int depth;
	int err;
} mparse;

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_id0(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_id(int c)
{
	return is_id0(c) || (c >= '0' && c <= '9') || c == '.' || c == '/' || c == '-';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Length of the token at pos: a run of id characters, else one byte. */
static size_t tok_len(const mparse *P, size_t pos)
{
	if (pos >= P->n)
		return 1;
	size_t e = pos;
	if (is_id0((unsigned char)P->s[pos]) || is_digit((unsigned char)P->s[pos])) {
		while (e < P->n && is_id((unsigned char)P->s[e]) && e - pos < 64)
			e++;
		return e - pos;
	}
	static const char *const two[] = { "&&", "||", "==", "!=", "<=", ">=" };
	for (size_t k = 0; k < sizeof two / sizeof *two; k++)
		if (pos + 1 < P->n && !memcmp(P->s + pos, two[k], 2))
			return 2;
	/* one code point */
	while (++e < P->n && ((unsigned char)P->s[e] & 0xC0) == 0x80 && e - pos < 4)
		;
	return e - pos;
}

/* What the parser found at pos, for messages. */
static const char *found(mparse *P, size_t pos)
{
	if (pos >= P->n)
		return "end of expression";
	return arena_printf(P->a, "'%.*s'", (int)tok_len(P, pos), P->s + pos);
}

static void perr(mparse *P, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(mparse *P, size_t pos, const char *fmt, ...)
{
	if (P->err)
		return;
	P->err = 1;
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(P->a, fmt, ap);
	va_end(ap);
	sl_ynode at = expr_pos(P->node, pos, tok_len(P, pos));
	load_error(P->L, &at, "%s", msg);
}

static void skip_ws(mparse *P)
{
	while (P->i < P->n && is_space((unsigned char)P->s[P->i]))
		P->i++;
}

/* Is the next token the operator op?  Consumes it if so. */
static int accept(mparse *P, const char *op)
{
	skip_ws(P);
	size_t k = strlen(op);
	if (P->n - P->i < k || memcmp(P->s + P->i, op, k))
		return 0;
	/* "<" must not take the start of "<=", "!" not of "!=", ... */
	if (k == 1 && P->i + 1 < P->n && P->s[P->i + 1] == '=' &&
	    (op[0] == '<' || op[0] == '>' || op[0] == '!' || op[0] == '='))
		return 0;
	P->i += k;
	return 1;
}

static mnode *node_new(mparse *P, int op, mnode *a, mnode *b)
{
	mnode *x = arena_zalloc(P->a, sizeof *x);
	x->op = op;
	x->a = a;
	x->b = b;
	x->ref = x->ref2 = -1;
	int d = 0;
	if (a && a->depth > d)
		d = a->depth;
	if (b && b->depth > d)
		d = b->depth;
	x->depth = d + 1;
	return x;
}

static mnode *parse_or(mparse *P);

/* A rule id at the current position: adds a reference, returns its index
 * or -1 (error reported). */
static int parse_ref(mparse *P)
{
	skip_ws(P);
	size_t s = P->i;
	if (s >= P->n || !is_id0((unsigned char)P->s[s])) {
		perr(P, s, "expected a rule id, found %s", found(P, s));
		return -1;
	}
	while (P->i < P->n && is_id((unsigned char)P->s[P->i]))
		P->i++;
	meta *m = P->m;
	if (m->nref == P->refalloc) {
		size_t na = P->refalloc ? P->refalloc * 2 : 4;
		m->ref = arena_grow(P->a, m->ref, m->nref, na, sizeof *m->ref);
		P->refalloc = na;
	}
	mref *r = &m->ref[m->nref];
	memset(r, 0, sizeof *r);
	r->id = arena_strndup(P->a, P->s + s, P->i - s);
	r->at = expr_pos(P->node, s, P->i - s);
	return (int)m->nref++;
}

static unsigned parse_zone(mparse *P)
{
	skip_ws(P);
	size_t s = P->i;
	while (P->i < P->n && is_id((unsigned char)P->s[P->i]))
		P->i++;
	for (size_t z = 0; z < sizeof zones / sizeof *zones; z++)
		if (strlen(zones[z].name) == P->i - s &&
		    !memcmp(zones[z].name, P->s + s, P->i - s))
			return zones[z].bit;
	if (P->i == s)
		perr(P, s, "expected a zone, found %s", found(P, s));
	else
		perr(P, s, "unknown zone '%.*s' (subject, preheader, top, below-fold, "
		     "ps, footer or fine-print)", (int)(P->i - s), P->s + s);
	return 0;
}

static int expect(mparse *P, const char *op, const char *what)
{
	if (accept(P, op))
		return 0;
	perr(P, P->i, "expected '%s' %s, found %s", op, what, found(P, P->i));
	return -1;
}

/* name(args) after the name [s, e) and its "(" */
static mnode *parse_call(mparse *P, size_t s, size_t e)
{
	static const struct {
		const char *name;
		int op;
	} fn[] = {
		{ "count", M_COUNT }, { "before", M_BEFORE }, { "in", M_IN },
		{ "absent_from", M_ABSENT }, { "with", M_WITH }, { "without", M_WITHOUT },
	};
	int op = -1;
	for (size_t k = 0; k < sizeof fn / sizeof *fn; k++)
		if (strlen(fn[k].name) == e - s && !memcmp(fn[k].name, P->s + s, e - s))
			op = fn[k].op;
	if (op < 0) {
		perr(P, s, "unknown function '%.*s' (count, before, in, absent_from, "
		     "with or without)",
		     (int)(e - s), P->s + s);
		return NULL;
	}
	mnode *x = node_new(P, op, NULL, NULL);
	x->ref = parse_ref(P);
	if (x->ref < 0)
		return NULL;
	if (op != M_COUNT) {
		if (expect(P, ",", "between the arguments") < 0)
			return NULL;
		if (op == M_BEFORE || op == M_WITH || op == M_WITHOUT)
			x->ref2 = parse_ref(P);
		else
			x->zone = parse_zone(P);
		if (P->err)
			return NULL;
	}
	if (expect(P, ")", "after the arguments") < 0)
		return NULL;
	return x;
}

static mnode *parse_primary(mparse *P)
{
	skip_ws(P);
	size_t s = P->i;
	if (s >= P->n) {
		perr(P, s, "expected an operand, found end of expression");
		return NULL;
	}
	unsigned char c = (unsigned char)P->s[s];
	if (c == '(') {
		P->i++;
		if (++P->depth > META_DEPTH) {
			perr(P, s, "expression nested more than %d deep", META_DEPTH);
			return NULL;
		}
		mnode *x = parse_or(P);
		P->depth--;
		if (!x)
			return NULL;
		skip_ws(P);
		if (!accept(P, ")")) {
			perr(P, P->i, "expected ')', found %s", found(P, P->i));
			return NULL;
		}
		return x;
	}
	if (is_digit(c)) {
		double v = 0;
		while (P->i < P->n && is_digit((unsigned char)P->s[P->i]))
			v = v * 10 + (P->s[P->i++] - '0');
		if (P->i < P->n && P->s[P->i] == '.') {
			P->i++;
			double f = 0.1;
			if (P->i >= P->n || !is_digit((unsigned char)P->s[P->i])) {
				perr(P, s, "malformed number");
				return NULL;
			}
			while (P->i < P->n && is_digit((unsigned char)P->s[P->i])) {
				v += f * (P->s[P->i++] - '0');
				f /= 10;
			}
		}
		if (P->i < P->n && is_id0((unsigned char)P->s[P->i])) {
			perr(P, s, "malformed number");
			return NULL;
		}
		if (v > META_NUM_MAX) {
			perr(P, s, "number larger than %.0f", META_NUM_MAX);
			return NULL;
		}
		mnode *x = node_new(P, M_NUM, NULL, NULL);
		x->num = v;
		return x;
	}
	if (is_id0(c)) {
		size_t e = s;
		while (e < P->n && is_id((unsigned char)P->s[e]))
			e++;
		size_t save = P->i;
		P->i = e;
		if (accept(P, "("))
			return parse_call(P, s, e);
		P->i = save;
		mnode *x = node_new(P, M_REF, NULL, NULL);
		x->ref = parse_ref(P);
		return x->ref < 0 ? NULL : x;
	}
	perr(P, s, "expected an operand, found %s", found(P, s));
	return NULL;
}

static mnode *parse_unary(mparse *P)
{
	int op = accept(P, "!") ? M_NOT : accept(P, "-") ? M_NEG : -1;
	if (op < 0)
		return parse_primary(P);
	size_t s = P->i;
	if (++P->depth > META_DEPTH) {
		perr(P, s, "expression nested more than %d deep", META_DEPTH);
		return NULL;
	}
	mnode *a = parse_unary(P);
	P->depth--;
	return a ? node_new(P, op, a, NULL) : NULL;
}

/* One level of left-associative binary operators. */
typedef struct binop {
	const char *tok;
	int op;
} binop;

static const binop mul_ops[] = { { "*", M_MUL }, { NULL, 0 } };
static const binop add_ops[] = { { "+", M_ADD }, { "-", M_SUB }, { NULL, 0 } };
static const binop rel_ops[] = {
	{ "<=", M_LE }, { ">=", M_GE }, { "<", M_LT }, { ">", M_GT }, { NULL, 0 },
};
static const binop eq_ops[] = { { "==", M_EQ }, { "!=", M_NE }, { NULL, 0 } };
static const binop and_ops[] = { { "&&", M_AND }, { NULL, 0 } };
static const binop or_ops[] = { { "||", M_OR }, { NULL, 0 } };

static const binop *const levels[] = {
	or_ops, and_ops, eq_ops, rel_ops, add_ops, mul_ops,
};
#define NLEVELS (sizeof levels / sizeof *levels)

static mnode *parse_level(mparse *P, size_t lv)
{
	if (lv == NLEVELS)
		return parse_unary(P);
	mnode *x = parse_level(P, lv + 1);
	while (x) {
		int op = -1;
		size_t at = P->i;
		for (const binop *b = levels[lv]; b->tok && op < 0; b++)
			if (accept(P, b->tok))
				op = b->op;
		if (op < 0)
			break;
		mnode *y = parse_level(P, lv + 1);
		if (!y)
			return NULL;
		x = node_new(P, op, x, y);
		if (x->depth > META_DEPTH) {
			skip_ws(P);
			perr(P, at, "expression nested more than %d deep", META_DEPTH);
			return NULL;
		}
	}
	return x;
}

static mnode *parse_or(mparse *P)
{
	return parse_level(P, 0);
}

static int meta_compile(sl_loader *L, sl_rule *rule, sl_ynode *map)
{
	sl_arena *a = &L->ctx->arena;
	sl_ynode *ex = ynode_get(map, "expr");
	sl_ynode *atn = ynode_get(map, "at");
	if (rule->scope != SL_SC_MESSAGE && rule->scope != SL_SC_PARAGRAPH &&
	    rule->scope != SL_SC_SENTENCE) {
		sl_ynode *sc = ynode_get(map, "scope");
		load_error(L, sc ? sc : map, "a meta rule's scope is message, paragraph "
		           "or sentence, not '%s'", scope_name(rule->scope));
		return -1;
	}
	if (!ex) {
		load_error(L, NULL, "missing key 'expr'");
		return -1;
	}
	if (ex->type != SL_Y_SCALAR) {
		load_error(L, ex, "'expr' must be a string");
		return -1;
	}
	meta *m = arena_zalloc(a, sizeof *m);
	m->at = -1;
	mparse P = { .L = L, .node = ex, .a = a, .s = ex->str, .n = ex->len, .m = m };
	m->root = parse_or(&P);
	if (!P.err) {
		skip_ws(&P);
		if (P.i < P.n)
			perr(&P, P.i, "unexpected %s after the expression", found(&P, P.i));
	}
	if (P.err)
		return -1;
	if (atn) {
		const char *id;
		if (ynode_str(L, atn, &id) < 0)
			return -1;
		for (size_t k = 0; k < m->nref && m->at < 0; k++)
			if (!strcmp(m->ref[k].id, id))
				m->at = (int)k;
		if (m->at < 0) {
			load_error(L, atn, "'at' names '%s', which the expression does not use", id);
			return -1;
		}
	}
	rule->data = m;
	return 0;
}

/* ---------------------------------------------------------------------
 * Linking: ids to rules, cycles, evaluation order.
 * ------------------------------------------------------------------- */

static int rule_cmp(const void *key, const void *elem)
{
	const sl_rule *const *r = elem;
	return strcmp(key, (*r)->id);
}

static const sl_rule *find_rule(const sl_context *ctx, const char *id)
{
	if (!ctx->nrule)
		return NULL;
	sl_rule *const *r = bsearch(id, ctx->rule, ctx->nrule, sizeof *ctx->rule, rule_cmp);
	return r ? *r : NULL;
}

/* Depth-first over meta references; 0, or -1 after reporting a cycle. */
static int visit(sl_loader *L, sl_rule *ru, const sl_rule **path, size_t np)
{
	meta *m = ru->data;
	m->state = 1;
	path[np] = ru;
	int depth = 0, rc = 0;
	for (size_t k = 0; k < m->nref && rc == 0; k++) {
		const sl_rule *t = m->ref[k].rule;
		if (!t || t->kind != SL_RK_META || !t->data)
			continue;
		meta *tm = t->data;
		if (tm->state == 1) {
			sl_buf b;
			buf_init(&b, &L->ctx->arena, (size_t)1 << 20);
			buf_addf(&b, "meta rules form a cycle: ");
			size_t from = 0;
			while (from < np && path[from] != t)
				from++;
			for (size_t j = from; j <= np; j++)
				buf_addf(&b, "%s -> ", path[j]->id);
			buf_addf(&b, "%s", t->id);
			load_error(L, &m->ref[k].at, "%s", buf_cstr(&b));
			rc = -1;
			break;
		}
		if (tm->state == 0 && visit(L, (sl_rule *)t, path, np + 1) < 0)
			rc = -1;
		if (tm->depth + 1 > depth)
			depth = tm->depth + 1;
	}
	m->depth = depth;
	m->state = 2;
	return rc;
}

static int meta_link(sl_loader *L, sl_context *ctx)
{
	int rc = 0;
	for (size_t i = 0; i < ctx->nrule; i++) {
		sl_rule *ru = ctx->rule[i];
		meta *m = ru->data;
		if (ru->kind != SL_RK_META || !m)
			continue;
		for (size_t k = 0; k < m->nref; k++) {
			m->ref[k].rule = find_rule(ctx, m->ref[k].id);
			if (!m->ref[k].rule) {
				load_error(L, &m->ref[k].at, "unknown rule '%s' in the expression",
				           m->ref[k].id);
				rc = -1;
			}
		}
	}
	if (rc < 0)
		return rc;
	const sl_rule **path = arena_array(&ctx->arena, ctx->nrule ? ctx->nrule : 1,
	                                   sizeof *path);
	for (size_t i = 0; i < ctx->nrule; i++) {
		sl_rule *ru = ctx->rule[i];
		meta *m = ru->data;
		if (ru->kind == SL_RK_META && m && m->state == 0 && visit(L, ru, path, 0) < 0)
			rc = -1;
	}
	return rc;
}

/* ---------------------------------------------------------------------
 * Running.
 * ------------------------------------------------------------------- */

/* A hit as meta rules see it (copied: run_hit may move run->hit). */
typedef struct mhit {
	const sl_text *text;
	uint32_t off, end;
	int blk, sent;
	size_t src;             /* original offset, orders hits outside blocks */
	const char *match;
} mhit;

typedef struct bucket {
	mhit *h;
	size_t n, alloc;
} bucket;

typedef struct inst {
	sl_scope scope;
	int blk, sent;
} inst;

typedef struct mrun {
	sl_run *run;
	sl_result *r;
	bucket *bk;             /* per rule index */
} mrun;

/* The sentence of block b holding block offset off, or -1. */
static int sentence_of(const sl_block *b, uint32_t off)
{
	int s = -1;
	for (size_t i = 0; i < b->nsent && b->sent[i].off <= off; i++)
		s = (int)i;
	return s;
}

static void bucket_add(mrun *M, int rule, const mhit *h)
{
	bucket *b = &M->bk[rule];
	if (b->n == b->alloc) {
		size_t na = b->alloc ? b->alloc * 2 : 8;
		b->h = arena_grow(&M->r->arena, b->h, b->n, na, sizeof *b->h);
		b->alloc = na;
	}
	mhit *x = &b->h[b->n++];
	*x = *h;
	const sl_doc *d = &M->r->doc;
	if (x->blk >= (int)d->nblk)
		x->blk = -1;
	if (x->blk < 0)
		x->sent = -1;
	else if (x->sent < 0 || (size_t)x->sent >= d->blk[x->blk].nsent)
		x->sent = sentence_of(&d->blk[x->blk], x->off);
	x->src = x->text ? text_span(x->text, x->off, x->end).off : 0;
}

static int key_cmp(int ablk, int asent, int bblk, int bsent)
{
	if (ablk != bblk)
		return ablk < bblk ? -1 : 1;
	if (asent != bsent)
		return asent < bsent ? -1 : 1;
	return 0;
}

static int mhit_cmp(const void *a, const void *b)
{
	const mhit *x = a, *y = b;
	int c = key_cmp(x->blk, x->sent, y->blk, y->sent);
	if (c)
		return c;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* Document order: by block and offset inside blocks, else by the
 * original offset. */
static int earlier(const mhit *x, const mhit *y)
{
	if (x->blk >= 0 && y->blk >= 0) {
		if (x->blk != y->blk)
			return x->blk < y->blk;
		return x->off < y->off;
	}
	if (x->src != y->src)
		return x->src < y->src;
	return x->blk < y->blk;
}

/* First index in b with key >= (blk, sent). */
static size_t lower(const bucket *b, int blk, int sent)
{
	size_t lo = 0, hi = b->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_cmp(b->h[mid].blk, b->h[mid].sent, blk, sent) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The hits of rule index ri inside the instance: b->h[*lo, *hi). */
static const bucket *range(const mrun *M, const sl_rule *ru, const inst *in,
                           size_t *lo, size_t *hi)
{
	const bucket *b = &M->bk[ru->index];
	switch (in->scope) {
	case SL_SC_PARAGRAPH:
		*lo = lower(b, in->blk, -1);
		*hi = lower(b, in->blk + 1, -1);
		break;
	case SL_SC_SENTENCE:
		*lo = lower(b, in->blk, in->sent);
		*hi = lower(b, in->blk, in->sent + 1);
		break;
	default:
		*lo = 0;
		*hi = b->n;
	}
	return b;
}

static const mhit *first_hit(const mrun *M, const sl_rule *ru, const inst *in)
{
	size_t lo, hi;
	const bucket *b = range(M, ru, in, &lo, &hi);
	const mhit *f = NULL;
	for (size_t i = lo; i < hi; i++)
		if (!f || earlier(&b->h[i], f))
			f = &b->h[i];
	return f;
}

/* The first hit of ru in the instance that lies in a block of zone z, or
 * NULL. */
static const mhit *in_zone(const mrun *M, const sl_rule *ru, const inst *in, unsigned z)
{
	size_t lo, hi;
	const bucket *b = range(M, ru, in, &lo, &hi);
	const unsigned *zone = M->r->doc.zone;
	for (size_t i = lo; i < hi; i++)
		if (b->h[i].blk >= 0 && zone && (zone[b->h[i].blk] & z))
			return &b->h[i];
	return NULL;
}

/* Does rule ru have a hit in the instance in the sentence of h? */
static int shares_sentence(const mrun *M, const sl_rule *ru, const inst *in,
                           const mhit *h)
{
	size_t lo, hi;
	const bucket *b = range(M, ru, in, &lo, &hi);
	if (h->blk < 0)
		return 0;
	size_t i = lower(b, h->blk, h->sent);
	if (i < lo)
		i = lo;
	return i < hi && b->h[i].blk == h->blk && b->h[i].sent == h->sent;
}

/* with(a, b) (want 1) and without(a, b) (want 0): the first hit of a in
 * the instance whose sentence holds a hit of b (1) or none (0), or NULL.
 * Buckets are sorted by block, sentence and offset, so the first found is
 * the first in the document among hits in blocks; hits outside blocks
 * (header fields) share no sentence. */
static const mhit *sentence_match(const mrun *M, const sl_rule *a, const sl_rule *b,
                                  const inst *in, int want)
{
	size_t lo, hi;
	const bucket *ba = range(M, a, in, &lo, &hi);
	const mhit *found = NULL;
	for (size_t i = lo; i < hi; i++) {
		const mhit *h = &ba->h[i];
		if (shares_sentence(M, b, in, h) != want)
			continue;
		if (!found || earlier(h, found))
			found = h;
		if (h->blk >= 0)
			break;
	}
	return found;
}

/* The earlier in the document of two witnesses (either may be NULL). */
static const mhit *first_of(const mhit *a, const mhit *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return earlier(b, a) ? b : a;
}

/* The expression's value in the instance; *w gets its witness (see the
 * top of the file), NULL when it has none. */
static double eval(const mrun *M, const meta *m, const mnode *x, const inst *in,
                   const mhit **w)
{
	const mhit *wa = NULL, *wb = NULL;
	double a, b;
	*w = NULL;
	switch (x->op) {
	case M_NUM:
		return x->num;
	case M_REF:
	case M_COUNT: {
		size_t lo, hi;
		range(M, m->ref[x->ref].rule, in, &lo, &hi);
		*w = first_hit(M, m->ref[x->ref].rule, in);
		return x->op == M_REF ? hi > lo : (double)(hi - lo);
	}
	case M_NOT:
		return !eval(M, m, x->a, in, &wa);
	case M_NEG:
		a = -eval(M, m, x->a, in, &wa);
		*w = wa;
		return a;
	case M_AND:
		if (!eval(M, m, x->a, in, &wa) || !eval(M, m, x->b, in, &wb))
			return 0;
		*w = wa ? wa : wb;
		return 1;
	case M_OR:
		a = eval(M, m, x->a, in, &wa) != 0;
		b = eval(M, m, x->b, in, &wb) != 0;
		*w = first_of(a ? wa : NULL, b ? wb : NULL);
		return a || b;
	case M_ADD:
		a = eval(M, m, x->a, in, &wa);
		b = eval(M, m, x->b, in, &wb);
		*w = first_of(wa, wb);
		return a + b;
	case M_BEFORE: {
		const mhit *ha = first_hit(M, m->ref[x->ref].rule, in);
		const mhit *hb = first_hit(M, m->ref[x->ref2].rule, in);
		if (!ha || !hb || !earlier(ha, hb))
			return 0;
		*w = ha;
		return 1;
	}
	case M_IN:
		*w = in_zone(M, m->ref[x->ref].rule, in, x->zone);
		return *w != NULL;
	case M_ABSENT:
		return !in_zone(M, m->ref[x->ref].rule, in, x->zone);
	case M_WITH:
	case M_WITHOUT:
		*w = sentence_match(M, m->ref[x->ref].rule, m->ref[x->ref2].rule, in,
		                    x->op == M_WITH);
		return *w != NULL;
	default:
		break;
	}
	/* the binary operators that take their left operand's witness */
	a = eval(M, m, x->a, in, &wa);
	b = eval(M, m, x->b, in, &wb);
	*w = wa ? wa : wb;
	switch (x->op) {
	case M_SUB: return a - b;
	case M_MUL: return a * b;
	case M_LT: return a < b;
	case M_LE: return a <= b;
	case M_GT: return a > b;
	case M_GE: return a >= b;
	case M_EQ: return a == b;
	case M_NE: return a != b;
	}
	BUG("meta: unknown node");
	return 0;
}

/* The text of a hit for notes and {match}: its match, else its bytes,
 * control characters as spaces, at most 40 code points. */
static const char *hit_text(sl_arena *a, const mhit *h)
{
	const char *p = h->match;
	size_t n = p ? strlen(p) : 0;
	if (!p && !h->text)
		return "";
	if (!p) {
		uint32_t off = h->off, end = h->end;
		if (end > h->text->len)
			end = (uint32_t)h->text->len;
		if (off > end)
			off = end;
		p = h->text->p + off;
		n = end - off;
	}
	sl_buf b;
	buf_init(&b, a, (size_t)1 << 20);
	size_t cps = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c & 0xC0) != 0x80 && cps++ == 40) {
			buf_add(&b, "...", 3);
			break;
		}
		buf_addc(&b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	return buf_cstr(&b);
}

/* "matched a ('x'), b ('y')": each rule of the expression with a hit in
 * the instance, once, in the expression's order. */
static const char *trace(const mrun *M, const meta *m, const inst *in)
{
	sl_buf b;
	buf_init(&b, &M->r->arena, (size_t)1 << 20);
	size_t shown = 0;
	for (size_t k = 0; k < m->nref; k++) {
		const sl_rule *ru = m->ref[k].rule;
		int seen = 0;
		for (size_t j = 0; j < k && !seen; j++)
			seen = m->ref[j].rule == ru;
		const mhit *h = seen ? NULL : first_hit(M, ru, in);
		if (!h)
			continue;
		buf_addf(&b, "%s%s ('%s')", shown++ ? ", " : "matched ", ru->id,
		         hit_text(&M->r->arena, h));
	}
	return shown ? buf_cstr(&b) : NULL;
}

static void fire(mrun *M, const sl_rule *ru, const meta *m, const inst *in, double v,
                 const mhit *witness)
{
	sl_result *r = M->r;
	const mhit *h = NULL;
	if (m->at >= 0)
		h = first_hit(M, m->ref[m->at].rule, in);
	else
		h = witness;
	for (size_t k = 0; !h && k < m->nref; k++)
		h = first_hit(M, m->ref[k].rule, in);
	mhit loc;
	memset(&loc, 0, sizeof loc);
	if (h) {
		loc = *h;
		if (!loc.match)
			loc.match = hit_text(&r->arena, h);
	} else if (in->scope == SL_SC_MESSAGE) {
		loc.text = &r->srctext;
		loc.blk = loc.sent = -1;
	} else {
		const sl_block *b = &r->doc.blk[in->blk];
		loc.text = &b->text;
		loc.blk = in->blk;
		loc.sent = in->sent;
		loc.end = (uint32_t)b->text.len;
		if (in->sent >= 0) {
			loc.off = b->sent[in->sent].off;
			loc.end = b->sent[in->sent].end;
		}
	}
	const char *note = trace(M, m, in);
	sl_hit *hit = run_hit(M->run, ru, loc.text, loc.off, loc.end, loc.blk, loc.sent);
	if (hit) {
		hit->value = v;
		hit->match = loc.match;
		hit->note = note;
	}
	bucket_add(M, ru->index, &loc);
}

/* A block that is an instance of paragraph and sentence scopes: the
 * subject, the preheader and the body, not a non-preferred alternative;
 * the title only where it stands for the subject (zones.c: a file
 * without a Subject). */
static int meta_block(const sl_result *r, size_t i)
{
	const sl_block *b = &r->doc.blk[i];
	if (b->alternative)
		return 0;
	return b->kind != SL_BLK_TITLE || (r->doc.zone && (r->doc.zone[i] & SL_Z_SUBJECT));
}

/* Evaluate at one instance; fire when the value is not 0. */
static void eval_at(mrun *M, const sl_rule *ru, const inst *in)
{
	const meta *m = ru->data;
	const mhit *w;
	double v = eval(M, m, m->root, in, &w);
	if (v != 0)
		fire(M, ru, m, in, v, w);
}

static void run_rule(mrun *M, const sl_rule *ru)
{
	const sl_doc *d = &M->r->doc;
	inst in = { ru->scope, -1, -1 };
	if (ru->scope == SL_SC_MESSAGE) {
		eval_at(M, ru, &in);
		return;
	}
	for (size_t b = 0; b < d->nblk; b++) {
		if (!meta_block(M->r, b))
			continue;
		in.blk = (int)b;
		if (ru->scope == SL_SC_PARAGRAPH) {
			in.sent = -1;
			eval_at(M, ru, &in);
			continue;
		}
		for (size_t s = 0; s < d->blk[b].nsent; s++) {
			in.sent = (int)s;
			eval_at(M, ru, &in);
		}
	}
}

static int order_cmp(const void *a, const void *b)
{
	const sl_rule *x = *(const sl_rule *const *)a, *y = *(const sl_rule *const *)b;
	const meta *mx = x->data, *my = y->data;
	if (mx->depth != my->depth)
		return mx->depth < my->depth ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Compiled and linked (a context that failed to load never runs). */
static int linked(const sl_rule *ru)
{
	const meta *m = ru->data;
	if (!m || !m->root)
		return 0;
	for (size_t k = 0; k < m->nref; k++)
		if (!m->ref[k].rule)
			return 0;
	return 1;
}

static void meta_run(sl_run *run)
{
	const sl_context *ctx = run->ctx;
	sl_result *r = run->r;
	size_t n = 0;
	const sl_rule **list = arena_array(&r->arena, ctx->nrule ? ctx->nrule : 1,
	                                   sizeof *list);
	for (size_t i = 0; i < ctx->nrule; i++)
		if (ctx->rule[i]->kind == SL_RK_META && rule_on(ctx, ctx->rule[i]) &&
		    linked(ctx->rule[i]))
			list[n++] = ctx->rule[i];
	if (n == 0)
		return;
	zones_compute(r);
	mrun M = { run, r, arena_zalloc(&r->arena, ctx->nrule * sizeof *M.bk) };
	unsigned char *need = arena_zalloc(&r->arena, ctx->nrule);
	for (size_t i = 0; i < n; i++) {
		const meta *m = list[i]->data;
		for (size_t k = 0; k < m->nref; k++)
			need[m->ref[k].rule->index] = 1;
	}
	for (size_t i = 0; i < run->nhit; i++) {
		const sl_hit *h = &run->hit[i];
		if (!h->rule || h->rule->index < 0 || (size_t)h->rule->index >= ctx->nrule ||
		    !need[h->rule->index])
			continue;
		mhit x = { h->text, h->off, h->end, h->blk, h->sent, 0, h->match };
		bucket_add(&M, h->rule->index, &x);
	}
	for (size_t i = 0; i < ctx->nrule; i++)
		if (M.bk[i].n > 1)
			qsort(M.bk[i].h, M.bk[i].n, sizeof *M.bk[i].h, mhit_cmp);
	qsort(list, n, sizeof *list, order_cmp);
	for (size_t i = 0; i < n; i++) {
		run_rule(&M, list[i]);
		bucket *b = &M.bk[list[i]->index];
		if (b->n > 1)
			qsort(b->h, b->n, sizeof *b->h, mhit_cmp);
	}
}

const sl_kind_ops meta_ops = { "meta", meta_compile, meta_link, meta_run };
