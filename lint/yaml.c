/*
 * yaml.c - YAML files (rule files, scores.yml, .sendlint.yml) as a tree
 * of positioned nodes, and the loader's error messages.
 *
 * In: one file's bytes (UTF-8).  Out: an sl_ynode tree in ctx->arena; every
 * node keeps its 1-based line and column (in code points) and its byte
 * range, so errors point into the YAML with a caret the way the linter's
 * diagnostics point into an email.  libyaml's event API does the parsing;
 * its marks count characters, so byte offsets are recomputed from a line
 * table of our own.  Errors go to ctx->errmsg as
 * "path:line:col: error: ..." + source line + caret.
 *
 * Limits: nesting depth YAML_DEPTH_MAX, YAML_MAP_MAX keys per mapping,
 * YAML_SEQ_MAX items per sequence, one document per file, no aliases
 * (they could make a small file expand without bound).  At most
 * SL_LOAD_ERRORS_MAX errors are kept.  An allocation failure longjmps to
 * ctx->oom (libyaml's parser state or a file buffer then leaks, on that
 * path only).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

#include "internal.h"

/* Rule files are a few levels deep (map > examples > match > item). */
#define YAML_DEPTH_MAX 64
/* Key lookups and duplicate checks are linear: bound the map size. */
#define YAML_MAP_MAX   1000
/* A phrase list of this size is already far past any sane rule. */
#define YAML_SEQ_MAX   100000
/* Source lines longer than this are shown as a window around the caret. */
#define LINE_SHOW_MAX  240

/* --- error messages -------------------------------------------------- */

static void errmsg_add(sl_context *ctx, const char *p, size_t n)
{
	size_t have = ctx->errmsg ? strlen(ctx->errmsg) : 0;
	char *s = realloc(ctx->errmsg, have + n + 1);
	if (!s)
		longjmp(ctx->oom, 1);
	memcpy(s + have, p, n);
	s[have + n] = 0;
	ctx->errmsg = s;
}

/* Length of the UTF-8 sequence at p (1 for an invalid byte); *ok set when
 * it is a valid sequence. */
static size_t cp_len(const unsigned char *p, const unsigned char *end, int *ok)
{
	size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 :
	           (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
	*ok = 0;
	if (n == 0 || (size_t)(end - p) < n)
		return 1;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 1;
	*ok = 1;
	return n;
}

/* Bytes of a line break at src[i] (libyaml's set: CR LF, CR, LF, NEL,
 * LS, PS), 0 if none. */
static size_t break_len(const unsigned char *s, size_t len, size_t i)
{
	if (s[i] == '\r')
		return i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
	if (s[i] == '\n')
		return 1;
	if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0x85)
		return 2;
	if (s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80 &&
	    (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))
		return 3;
	return 0;
}

/* Back up to a code point boundary. */
static size_t cp_floor(const unsigned char *s, size_t lo, size_t i)
{
	size_t k = 0;
	while (i > lo && k < 3 && (s[i] & 0xC0) == 0x80) {
		i--;
		k++;
	}
	return i;
}

/* One pass over the shown line: the line itself (caret 0) or the caret
 * line under [off, end) (caret 1). */
static void show_line(sl_out *o, const unsigned char *s, size_t a, size_t b,
                      size_t off, size_t end, int caret)
{
	const unsigned char *p = s + a, *e = s + b;
	while (p < e) {
		int ok;
		size_t n = cp_len(p, e, &ok);
		size_t at = (size_t)(p - s);
		if (caret) {
			if (at < off)
				out_addc(o, *p == '\t' ? '\t' : ' ');
			else if (at == off)
				out_addc(o, '^');
			else if (at < end)
				out_addc(o, '~');
		} else if (!ok) {
			out_addc(o, '?');
		} else if (n == 1 && (*p < 0x20 || *p == 0x7F) && *p != '\t') {
			out_addc(o, ' ');
		} else {
			out_add(o, p, n);
		}
		p += n;
	}
	if (caret && off >= b)
		out_addc(o, '^');
}

void yaml_caret(sl_out *o, const sl_ynode *at)
{
	const sl_yfile *f = at ? at->file : NULL;
	if (!f || !f->src || at->off > f->len)
		return;
	const unsigned char *s = (const unsigned char *)f->src;
	size_t off = at->off, end = at->end, a = off, b = off;
	while (a > 0 && s[a - 1] != '\n' && s[a - 1] != '\r')
		a--;
	while (b < f->len && !break_len(s, f->len, b))
		b++;
	int cut_left = 0, cut_right = 0;
	if (off - a > LINE_SHOW_MAX / 2) {
		a = cp_floor(s, a, off - LINE_SHOW_MAX / 3);
		cut_left = 1;
	}
	if (b - a > LINE_SHOW_MAX) {
		b = cp_floor(s, a, a + LINE_SHOW_MAX);
		cut_right = 1;
	}
	if (end > b)
		end = b;
	char num[32];
	int w = snprintf(num, sizeof num, "%zu", at->line);
	if (w < 5)
		w = 5;
	out_addf(o, "%*zu | %s", w, at->line, cut_left ? "..." : "");
	show_line(o, s, a, b, off, end, 0);
	out_addf(o, "%s\n%*s | %s", cut_right ? "..." : "", w, "",
	         cut_left ? "   " : "");
	show_line(o, s, a, b, off, end, 1);
	out_addc(o, '\n');
}

static void load_vmsg(sl_loader *L, const sl_ynode *at, const char *what,
                      const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void load_vmsg(sl_loader *L, const sl_ynode *at, const char *what,
                      const char *fmt, va_list ap)
{
	sl_context *ctx = L->ctx;
	const char *path = at && at->file ? at->file->path : L->path;
	sl_strbuf sb = { 0 };
	sl_out o = { &sb, 0 };
	if (path && at)
		out_addf(&o, "%s:%zu:%zu: %s: ", path, at->line, at->col, what);
	else if (path)
		out_addf(&o, "%s: %s: ", path, what);
	else
		out_addf(&o, "%s: ", what);
	char *msg = arena_vprintf(&ctx->arena, fmt, ap);
	out_adds(&o, msg);
	out_addc(&o, '\n');
	if (at)
		yaml_caret(&o, at);
	if (o.err) {
		sl_strbuf_release(&sb);
		longjmp(ctx->oom, 1);
	}
	errmsg_add(ctx, sb.buf, sb.len);
	sl_strbuf_release(&sb);
}

void load_error(sl_loader *L, const sl_ynode *at, const char *fmt, ...)
{
	L->nerr++;
	if (L->nerr > SL_LOAD_ERRORS_MAX) {
		if (L->nerr == SL_LOAD_ERRORS_MAX + 1) {
			static const char more[] = "error: too many errors, stopping\n";
			errmsg_add(L->ctx, more, sizeof more - 1);
		}
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	load_vmsg(L, at, "error", fmt, ap);
	va_end(ap);
}

void load_note(sl_loader *L, const sl_ynode *at, const char *fmt, ...)
{
	if (L->nerr > SL_LOAD_ERRORS_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	load_vmsg(L, at, "note", fmt, ap);
	va_end(ap);
}

size_t edit_distance(const char *a, const char *b, size_t max)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na > 64 || nb > 64)
		return max + 1;
	if ((na > nb ? na - nb : nb - na) > max)
		return max + 1;
	size_t row[65];
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb] > max ? max + 1 : row[nb];
}

/* --- parsing --------------------------------------------------------- */

typedef struct yparse {
	sl_loader *L;
	const sl_yfile *f;
	size_t *line;          /* byte offset of each line's start */
	size_t nline;
	sl_ynode *stack[YAML_DEPTH_MAX];
	size_t alloc[YAML_DEPTH_MAX];
	size_t depth;
	sl_ynode *root;
} yparse;

static void lines_build(yparse *y)
{
	const unsigned char *s = (const unsigned char *)y->f->src;
	size_t len = y->f->len, n = 1;
	for (size_t i = 0; i < len;) {
		size_t k = break_len(s, len, i);
		n += k != 0;
		i += k ? k : 1;
	}
	y->line = arena_array(&y->L->ctx->arena, n, sizeof *y->line);
	y->nline = 0;
	y->line[y->nline++] = 0;
	for (size_t i = 0; i < len;) {
		size_t k = break_len(s, len, i);
		i += k ? k : 1;
		if (k)
			y->line[y->nline++] = i;
	}
}

/* Byte offset of libyaml's (0-based line, column in characters). */
static size_t mark_off(const yparse *y, size_t line, size_t col)
{
	if (line >= y->nline)
		return y->f->len;
	const unsigned char *s = (const unsigned char *)y->f->src;
	const unsigned char *p = s + y->line[line], *e = s + y->f->len;
	while (col > 0 && p < e) {
		int ok;
		p += cp_len(p, e, &ok);
		col--;
	}
	return (size_t)(p - s);
}

/* Line and column (1-based, code points) of a byte offset. */
static void off_linecol(const yparse *y, size_t off, size_t *line, size_t *col)
{
	size_t lo = 0, hi = y->nline;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (y->line[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	const unsigned char *s = (const unsigned char *)y->f->src;
	const unsigned char *p = s + y->line[lo], *e = s + off;
	size_t c = 1;
	while (p < e) {
		int ok;
		p += cp_len(p, e, &ok);
		c++;
	}
	*line = lo + 1;
	*col = c;
}

/* A node-shaped position for errors that have no node. */
static sl_ynode at_off(const yparse *y, size_t off)
{
	sl_ynode n;
	memset(&n, 0, sizeof n);
	if (off > y->f->len)
		off = y->f->len;
	n.off = off;
	n.end = off + 1;
	n.file = y->f;
	off_linecol(y, off, &n.line, &n.col);
	return n;
}

static sl_ynode at_mark(const yparse *y, yaml_mark_t m)
{
	return at_off(y, mark_off(y, m.line, m.column));
}

static sl_ynode *node_new(yparse *y, sl_ytype type, yaml_mark_t start,
                          yaml_mark_t end)
{
	sl_ynode *n = arena_zalloc(&y->L->ctx->arena, sizeof *n);
	n->type = type;
	n->line = start.line + 1;
	n->col = start.column + 1;
	n->off = mark_off(y, start.line, start.column);
	n->end = mark_off(y, end.line, end.column);
	if (n->end < n->off)
		n->end = n->off;
	n->file = y->f;
	n->str = "";
	return n;
}

static int scalar_is(const sl_ynode *n, const char *lit)
{
	return n->type == SL_Y_SCALAR && n->len == strlen(lit) &&
	       !memcmp(n->str, lit, n->len);
}

/* Attach n to the collection on top of the stack (or make it the root). */
static int node_add(yparse *y, sl_ynode *n)
{
	if (!y->depth) {
		y->root = n;
		return 0;
	}
	sl_ynode *c = y->stack[y->depth - 1];
	size_t *alloc = &y->alloc[y->depth - 1];
	if (c->type == SL_Y_MAP && c->n % 2 == 0) {
		if (n->type != SL_Y_SCALAR) {
			load_error(y->L, n, "a mapping key must be a plain string");
			return -1;
		}
		if (c->n / 2 >= YAML_MAP_MAX) {
			load_error(y->L, n, "more than %d keys in one mapping", YAML_MAP_MAX);
			return -1;
		}
		for (size_t i = 0; i < c->n; i += 2) {
			const sl_ynode *k = c->item[i];
			if (k->len == n->len && !memcmp(k->str, n->str, n->len)) {
				load_error(y->L, n, "duplicate key '%s'", n->str);
				load_note(y->L, k, "'%s' first appears here", k->str);
				return -1;
			}
		}
	} else if (c->type == SL_Y_SEQ && c->n >= YAML_SEQ_MAX) {
		load_error(y->L, n, "more than %d items in one list", YAML_SEQ_MAX);
		return -1;
	}
	if (c->n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 8;
		c->item = arena_grow(&y->L->ctx->arena, c->item, c->n, na, sizeof *c->item);
		*alloc = na;
	}
	c->item[c->n++] = n;
	return 0;
}

static void parse_fail(yparse *y, yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		longjmp(y->L->ctx->oom, 1);
	const char *problem = p->problem ? p->problem : "invalid YAML";
	sl_ynode at;
	if (p->error == YAML_READER_ERROR) {
		at = at_off(y, p->problem_offset);
		if (p->problem_value != -1)
			load_error(y->L, &at, "%s (byte 0x%02x)", problem,
			           (unsigned)p->problem_value & 0xFFu);
		else
			load_error(y->L, &at, "%s", problem);
		return;
	}
	at = at_mark(y, p->problem_mark);
	load_error(y->L, &at, "%s", problem);
	if (p->context) {
		sl_ynode cat = at_mark(y, p->context_mark);
		load_note(y->L, &cat, "%s", p->context);
	}
}

/* One event into the tree: 1 at the stream's end, 0 go on, -1 error. */
static int on_event(yparse *y, const yaml_event_t *ev, int *ndoc)
{
	sl_ynode *n;
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*ndoc > 1) {
			sl_ynode at = at_mark(y, ev->start_mark);
			load_error(y->L, &at, "more than one YAML document in the file");
			return -1;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		n = node_new(y, SL_Y_SCALAR, ev->start_mark, ev->end_mark);
		load_error(y->L, n, "aliases are not supported");
		return -1;
	case YAML_SCALAR_EVENT:
		n = node_new(y, SL_Y_SCALAR, ev->start_mark, ev->end_mark);
		n->str = arena_strndup(&y->L->ctx->arena,
		                       (const char *)ev->data.scalar.value,
		                       ev->data.scalar.length);
		n->len = ev->data.scalar.length;
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		return node_add(y, n);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		n = node_new(y, ev->type == YAML_MAPPING_START_EVENT ? SL_Y_MAP : SL_Y_SEQ,
		             ev->start_mark, ev->end_mark);
		if (node_add(y, n))
			return -1;
		if (y->depth == YAML_DEPTH_MAX) {
			load_error(y->L, n, "nesting deeper than %d levels", YAML_DEPTH_MAX);
			return -1;
		}
		y->stack[y->depth] = n;
		y->alloc[y->depth] = 0;
		y->depth++;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (!y->depth)
			BUG("unbalanced YAML events");
		n = y->stack[--y->depth];
		n->end = mark_off(y, ev->end_mark.line, ev->end_mark.column);
		if (n->end < n->off)
			n->end = n->off;
		return 0;
	case YAML_STREAM_END_EVENT:
		return 1;
	default:
		return 0;
	}
}

sl_ynode *yaml_parse(sl_loader *L, const sl_yfile *f)
{
	yparse y;
	memset(&y, 0, sizeof y);
	y.L = L;
	y.f = f;
	lines_build(&y);

	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		longjmp(L->ctx->oom, 1);
	yaml_parser_set_input_string(&p, (const unsigned char *)f->src, f->len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	int ndoc = 0, rc = 0;
	/* every event consumes input or ends the stream: bounded by the size */
	while (rc == 0) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			parse_fail(&y, &p);
			rc = -1;
			break;
		}
		rc = on_event(&y, &ev, &ndoc);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (rc < 0)
		return NULL;
	if (!y.root) {
		/* an empty file: an empty (null) scalar at 1:1 */
		sl_ynode at = at_off(&y, 0);
		y.root = arena_zalloc(&L->ctx->arena, sizeof *y.root);
		*y.root = at;
		y.root->end = 0;
		y.root->str = "";
	}
	return y.root;
}

/* --- typed access ---------------------------------------------------- */

sl_ynode *ynode_get(sl_ynode *map, const char *key)
{
	if (!map || map->type != SL_Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		sl_ynode *k = map->item[i];
		if (scalar_is(k, key)) {
			k->used = 1;
			map->item[i + 1]->used = 1;
			return map->item[i + 1];
		}
	}
	return NULL;
}

static int is_null(const sl_ynode *n)
{
	return n->type == SL_Y_SCALAR && !n->quoted &&
	       (n->len == 0 || scalar_is(n, "~") || scalar_is(n, "null") ||
	        scalar_is(n, "Null") || scalar_is(n, "NULL"));
}

static const char *type_name(const sl_ynode *n)
{
	return n->type == SL_Y_MAP ? "a mapping" : n->type == SL_Y_SEQ ? "a list" :
	       is_null(n) ? "nothing" : "a string";
}

int ynode_str(sl_loader *L, const sl_ynode *n, const char **out)
{
	if (n->type != SL_Y_SCALAR || is_null(n)) {
		load_error(L, n, "expected a string, found %s", type_name(n));
		return -1;
	}
	if (memchr(n->str, 0, n->len)) {
		load_error(L, n, "a NUL character is not allowed here");
		return -1;
	}
	*out = n->str;
	return 0;
}

int ynode_num(sl_loader *L, const sl_ynode *n, double *out)
{
	int ok = n->type == SL_Y_SCALAR && !n->quoted && n->len > 0 && n->len < 64;
	for (size_t i = 0; ok && i < n->len; i++)
		ok = strchr("0123456789+-.eE_", n->str[i]) != NULL && n->str[i];
	char tmp[64];
	double v = 0;
	if (ok) {
		size_t k = 0;
		for (size_t i = 0; i < n->len; i++)  /* YAML allows 1_000 */
			if (n->str[i] != '_')
				tmp[k++] = n->str[i];
		tmp[k] = 0;
		char *end;
		v = strtod(tmp, &end);
		ok = k > 0 && *end == 0 && v == v && v < 1e300 && v > -1e300;
	}
	if (!ok) {
		if (n->type == SL_Y_SCALAR && !is_null(n) && !n->quoted)
			load_error(L, n, "expected a number, found '%s'", n->str);
		else
			load_error(L, n, "expected a number, found %s",
			           n->quoted ? "a quoted string" : type_name(n));
		return -1;
	}
	*out = v;
	return 0;
}

int ynode_bool(sl_loader *L, const sl_ynode *n, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes",
		"YES", "on", "On", "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No",
		"NO", "off", "Off", "OFF" };
	if (n->type == SL_Y_SCALAR && !n->quoted) {
		for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
			if (scalar_is(n, yes[i])) {
				*out = 1;
				return 0;
			}
			if (scalar_is(n, no[i])) {
				*out = 0;
				return 0;
			}
		}
	}
	load_error(L, n, "expected true or false");
	return -1;
}

int ynode_strs(sl_loader *L, const sl_ynode *n, const char ***out, size_t *nout)
{
	if (n->type == SL_Y_SCALAR) {
		const char **v = arena_alloc(&L->ctx->arena, sizeof *v);
		if (ynode_str(L, n, &v[0]))
			return -1;
		*out = v;
		*nout = 1;
		return 0;
	}
	if (n->type != SL_Y_SEQ) {
		load_error(L, n, "expected a string or a list of strings, found %s",
		           type_name(n));
		return -1;
	}
	const char **v = arena_array(&L->ctx->arena, n->n ? n->n : 1, sizeof *v);
	int rc = 0;
	for (size_t i = 0; i < n->n; i++)
		if (ynode_str(L, n->item[i], &v[i]))
			rc = -1;
	*out = v;
	*nout = n->n;
	return rc;
}

/* --- files ----------------------------------------------------------- */

/* Read at most max+1 bytes of path into a malloc'd buffer; -1 with errno
 * on failure. */
static int read_file(const char *path, size_t max, char **out, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	size_t n = 0, alloc = 4096;
	char *p = malloc(alloc);
	if (!p) {
		fclose(fp);
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		if (n == alloc) {
			if (alloc > max)
				break;
			char *q = realloc(p, alloc * 2);
			if (!q) {
				free(p);
				fclose(fp);
				errno = ENOMEM;
				return -1;
			}
			p = q;
			alloc *= 2;
		}
		size_t k = fread(p + n, 1, alloc - n, fp);
		n += k;
		if (k == 0)
			break;
	}
	int bad = ferror(fp);
	int saved = errno;
	fclose(fp);
	if (bad) {
		free(p);
		errno = saved ? saved : EIO;
		return -1;
	}
	*out = p;
	*len = n;
	return 0;
}

sl_ynode *yaml_load_file(sl_loader *L, const char *path, int *eio)
{
	sl_context *ctx = L->ctx;
	L->path = arena_strndup(&ctx->arena, path, strlen(path));
	L->src = NULL;
	L->len = 0;
	char *buf;
	size_t len;
	if (read_file(path, SL_YAML_FILE_MAX, &buf, &len)) {
		load_error(L, NULL, "cannot read the file: %s", strerror(errno));
		if (eio)
			*eio = 1;
		return NULL;
	}
	if (len > SL_YAML_FILE_MAX) {
		free(buf);
		load_error(L, NULL, "the file is larger than %zu KiB",
		           SL_YAML_FILE_MAX >> 10);
		return NULL;
	}
	char *src = arena_alloc(&ctx->arena, len + 1);
	memcpy(src, buf, len);
	src[len] = 0;
	free(buf);
	sl_yfile *f = arena_alloc(&ctx->arena, sizeof *f);
	f->path = L->path;
	f->src = src;
	f->len = len;
	L->src = src;
	L->len = len;
	return yaml_parse(L, f);
}
