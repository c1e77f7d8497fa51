/*
 * render_text.c - diagnostics as a compiler prints them (gcc/clang style).
 *
 * In: one result (sorted diagnostics with original-file byte spans) and
 * the render options.  Out: per diagnostic a "file:line:col: severity:
 * message [rule]" line, the source line with a caret line (and fix-it
 * lines) under it, then its notes; then the file's summary line; then,
 * per group scored by sentence and paragraph, one line locating the
 * worst sentence ("NAME:LINE:COL: tone: worst sentence scores 48; 2
 * sentences and 1 paragraph score above 0"), and one line per summary
 * entry ("NAME:LINE:COL: bundling: TEXT").
 *
 * Display columns are computed here, independent of the locale: a tab
 * goes to the next multiple of 8, East Asian wide characters and emoji
 * take 2 columns, combining marks 0, and control characters, bidi
 * controls and invalid UTF-8 are drawn as U+FFFD in 1 column.  A line
 * wider than opts->width (less the gutter) is cut around the caret with
 * "..." on the cut side(s).  Limits: the work per diagnostic is bounded
 * by the width, plus one pass over each long line (the diagnostics are
 * sorted, so a scan of a line resumes where the last one left off).
 */
#include <stdint.h>

#include "internal.h"

#define C_BOLD    "\033[1m"
#define C_ERROR   "\033[1;31m"
#define C_WARNING "\033[1;35m"
#define C_NOTE    "\033[1;36m"
#define C_CARET   "\033[1;32m"
#define C_FIXIT   "\033[32m"
#define C_RESET   "\033[0m"

static const char REPL[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* --- character widths ------------------------------------------------- */

typedef struct range {
	uint32_t lo, hi;
} range;

/* East Asian Wide and Fullwidth ranges (Unicode 15, simplified) and the
 * emoji blocks shown in two columns. */
static const range wide[] = {
	{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A },
	{ 0x23E9, 0x23EC }, { 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 },
	{ 0x25FD, 0x25FE }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 },
	{ 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
	{ 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 },
	{ 0x26CE, 0x26CE }, { 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA },
	{ 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 }, { 0x26FA, 0x26FA },
	{ 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
	{ 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E },
	{ 0x2753, 0x2755 }, { 0x2757, 0x2757 }, { 0x2795, 0x2797 },
	{ 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF }, { 0x2B1B, 0x2B1C },
	{ 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x303E },
	{ 0x3041, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF },
	{ 0xA000, 0xA4CF }, { 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 },
	{ 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 }, { 0xFE30, 0xFE6F },
	{ 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x16FE4 },
	{ 0x17000, 0x18CFF }, { 0x1B000, 0x1B2FF }, { 0x1F004, 0x1F004 },
	{ 0x1F0CF, 0x1F0CF }, { 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A },
	{ 0x1F200, 0x1F251 }, { 0x1F300, 0x1F64F }, { 0x1F680, 0x1F6FF },
	{ 0x1F7E0, 0x1F7EB }, { 0x1F90C, 0x1F9FF }, { 0x1FA70, 0x1FAFF },
	{ 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
};

/* Combining marks and zero-width characters. */
static const range zero[] = {
	{ 0x0300, 0x036F }, { 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF },
	{ 0x200B, 0x200D }, { 0x2060, 0x2064 }, { 0x20D0, 0x20FF },
	{ 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF },
	{ 0xE0100, 0xE01EF },
};

/* Characters never written to a terminal as they are: C0 and C1
 * controls, DEL, bidi controls (they reorder what follows), line and
 * paragraph separators. */
static int cp_unsafe(uint32_t cp)
{
	return cp == SL_CP_BAD || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
	       cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static int in_ranges(uint32_t cp, const range *t, size_t n)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < t[mid].lo)
			hi = mid;
		else if (cp > t[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static size_t cp_width(uint32_t cp)
{
	if (cp < 0x300)
		return 1;
	if (in_ranges(cp, zero, sizeof zero / sizeof *zero))
		return 0;
	return in_ranges(cp, wide, sizeof wide / sizeof *wide) ? 2 : 1;
}

/* One character as displayed: bytes taken, columns, how it is drawn. */
enum { DRAW_COPY, DRAW_SPACES, DRAW_REPL };

typedef struct lchar {
	size_t len, width;
	int draw;
} lchar;

static lchar line_char(const unsigned char *p, const unsigned char *end, size_t col)
{
	uint32_t cp;
	lchar c;
	c.len = render_utf8(p, end, &cp);
	if (cp == '\t') {
		c.width = 8 - col % 8;
		c.draw = DRAW_SPACES;
	} else if (cp_unsafe(cp)) {
		c.width = 1;
		c.draw = DRAW_REPL;
	} else {
		c.width = cp_width(cp);
		c.draw = DRAW_COPY;
	}
	return c;
}

/* Text for a header or note line: C0/C1 controls and DEL as \xNN (no
 * terminal escape reaches the screen), invalid UTF-8 as U+FFFD. */
static void put_safe(sl_out *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		uint32_t cp;
		size_t len = render_utf8(p, end, &cp);
		if (cp == SL_CP_BAD)
			out_adds(o, REPL);
		else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
			out_addf(o, "\\x%02x", (unsigned)cp);
		else
			out_add(o, p, len);
		p += len;
	}
}

static void put_safes(sl_out *o, const char *s)
{
	if (s)
		put_safe(o, s, strlen(s));
}

/* --- the state of one file's rendering ------------------------------- */

/* A character boundary in a line and its display column. */
typedef struct lpos {
	size_t pos, col;
} lpos;

typedef struct tstate {
	sl_out *o;
	const sl_result *r;
	int color;
	size_t avail;          /* columns for the source text */
	size_t gutter;         /* width of the line-number field */
	size_t cache_line;     /* a scan checkpoint on this line (or SIZE_MAX) */
	lpos cache;
} tstate;

/* A line's text [*ls, *lend): its LF (and a CR before it) excluded. */
static void line_bounds(const sl_result *r, size_t li, size_t *ls, size_t *lend)
{
	size_t s = r->line[li];
	size_t e = li + 1 < r->nline ? r->line[li + 1] : r->len;
	if (e > s && r->src[e - 1] == '\n') {
		e--;
		if (e > s && r->src[e - 1] == '\r')
			e--;
	}
	*ls = s;
	*lend = e;
}

/* Advance p by one character of the line ending at lend. */
static void step(const sl_result *r, lpos *p, size_t lend)
{
	lchar c = line_char(r->src + p->pos, r->src + lend, p->col);
	p->pos += c.len;
	p->col += c.width;
}

/* From *p, find the character holding byte target (or lend) and leave *p
 * on its boundary.  *back gets a checkpoint at most max(0, col - avail)
 * columns in, from which a window around the target can be drawn. */
static void scan_to(tstate *ts, lpos *p, size_t lend, size_t target, lpos *back)
{
	const sl_result *r = ts->r;
	lpos cp1 = *p, cp2 = *p;
	while (p->pos < lend) {
		lchar c = line_char(r->src + p->pos, r->src + lend, p->col);
		if (p->pos + c.len > target)
			break;
		p->pos += c.len;
		p->col += c.width;
		if (p->col - cp2.col >= ts->avail) {
			cp1 = cp2;
			cp2 = *p;
		}
	}
	*back = cp1;
}

/* The visible window of a line in display columns: [ws, we), with "..."
 * before it (left) and after it (right) when the line is cut. */
typedef struct win {
	size_t ws, we;
	int left, right;
} win;

static win choose_window(size_t avail, size_t cs, size_t ce, size_t total, int total_known)
{
	win w = { 0, total, 0, 0 };
	if (total_known && total <= avail)
		return w;
	if (ce <= avail - 3) {
		w.we = avail - 3;
		w.right = 1;
		return w;
	}
	if (total_known && cs >= total - (avail - 3)) {
		w.ws = total - (avail - 3);
		w.left = 1;
		return w;
	}
	size_t inner = avail - 6, cw = ce - cs;
	w.ws = cw >= inner ? cs : cs - (inner - cw) / 2;
	if (w.ws == 0) {
		w.we = avail - 3;
		w.right = 1;
		return w;
	}
	w.we = w.ws + inner;
	w.left = w.right = 1;
	return w;
}

static void put_gutter(tstate *ts, size_t line)
{
	if (line)
		out_addf(ts->o, "%*zu | ", (int)ts->gutter, line);
	else
		out_addf(ts->o, "%*s | ", (int)ts->gutter, "");
}

/* The source line's window, drawn from the checkpoint from. */
static void put_source(tstate *ts, size_t line, lpos from, size_t lend, const win *w)
{
	const sl_result *r = ts->r;
	sl_out *o = ts->o;
	put_gutter(ts, line);
	size_t mark = o->sb->len;
	if (w->left)
		out_adds(o, "...");
	lpos p = from;
	while (p.pos < lend && p.col < w->we) {
		lchar c = line_char(r->src + p.pos, r->src + lend, p.col);
		size_t a = p.col, b = p.col + c.width;
		if (a >= w->ws && b <= w->we) {
			if (c.draw == DRAW_COPY)
				out_add(o, r->src + p.pos, c.len);
			else if (c.draw == DRAW_REPL)
				out_adds(o, REPL);
			else
				out_repeat(o, ' ', c.width);
		} else if (b > w->ws) {
			/* a wide character or tab cut by the window's edge */
			size_t lo = a < w->ws ? w->ws : a, hi = b > w->we ? w->we : b;
			out_repeat(o, ' ', hi - lo);
		}
		p.pos += c.len;
		p.col += c.width;
	}
	if (w->right)
		out_adds(o, "...");
	if (!o->err && o->sb->len == mark) {
		/* an empty line: no trailing blank after the bar */
		o->sb->len--;
		o->sb->buf[o->sb->len] = 0;
	}
	out_addc(o, '\n');
}

/* Blanks up to display column col of the window. */
static void put_indent(tstate *ts, const win *w, size_t col)
{
	put_gutter(ts, 0);
	out_repeat(ts->o, ' ', (w->left ? 3 : 0) + (col > w->ws ? col - w->ws : 0));
}

static void put_caret(tstate *ts, const win *w, size_t cs, size_t ce)
{
	size_t a = cs < w->ws ? w->ws : cs;
	size_t b = ce > w->we ? w->we : ce;
	if (b <= a)
		b = a + 1;
	put_indent(ts, w, a);
	if (ts->color)
		out_adds(ts->o, C_CARET);
	out_addc(ts->o, a == cs ? '^' : '~');
	out_repeat(ts->o, '~', b - a - 1);
	if (ts->color)
		out_adds(ts->o, C_RESET);
	out_addc(ts->o, '\n');
}

static const char *sev_name(sl_severity s)
{
	return s == SL_ERROR ? "error" : s == SL_WARNING ? "warning" : "note";
}

static const char *sev_color(sl_severity s)
{
	return s == SL_ERROR ? C_ERROR : s == SL_WARNING ? C_WARNING : C_NOTE;
}

/* "file:line:col: severity: " */
static void put_lead(tstate *ts, size_t off, sl_severity sev)
{
	size_t line, col;
	source_linecol(ts->r, off, &line, &col);
	if (ts->color)
		out_adds(ts->o, C_BOLD);
	put_safes(ts->o, ts->r->name);
	out_addf(ts->o, ":%zu:%zu:", line, col);
	if (ts->color)
		out_addf(ts->o, C_RESET " %s%s:" C_RESET " ", sev_color(sev), sev_name(sev));
	else
		out_addf(ts->o, " %s: ", sev_name(sev));
}

/* Columns the text t[0..n) takes from display column col. */
static size_t text_width(const unsigned char *t, size_t n, size_t col)
{
	size_t c0 = col;
	for (size_t i = 0; i < n;) {
		lchar c = line_char(t + i, t + n, col);
		col += c.width;
		i += c.len;
	}
	return col - c0;
}

/* Draw t[0..n) from column col, up to column limit. */
static void put_text(tstate *ts, const unsigned char *t, size_t n, size_t col,
                     size_t limit)
{
	for (size_t i = 0; i < n;) {
		lchar c = line_char(t + i, t + n, col);
		if (col + c.width > limit)
			break;
		if (c.draw == DRAW_COPY)
			out_add(ts->o, t + i, c.len);
		else if (c.draw == DRAW_REPL)
			out_adds(ts->o, REPL);
		else
			out_repeat(ts->o, ' ', c.width);
		col += c.width;
		i += c.len;
	}
}

/* A fix-it under the line, at its own column: the replacement text (cut
 * with "..." to the width), or dashes under a deletion.  Returns -1 if it
 * cannot be drawn there; the caller then writes it as a note. */
static int put_fixit(tstate *ts, const sl_fixit *f, size_t ls, size_t lend,
                     lpos back, const win *w)
{
	const sl_result *r = ts->r;
	if (f->offset < ls || f->offset > lend || f->end_offset < f->offset)
		return -1;
	lpos p = back.pos <= f->offset ? back : (lpos){ ls, 0 };
	lpos dummy;
	scan_to(ts, &p, lend, f->offset, &dummy);
	size_t fs = p.col;
	/* as wide as the source window can be */
	size_t limit = w->ws + ts->avail - (w->left ? 3 : 0) - (w->right ? 3 : 0);
	const unsigned char *t = (const unsigned char *)f->text;
	size_t tn = strlen(f->text);
	size_t need = tn ? text_width(t, tn, fs) : 1;
	int cut = fs + need > limit;
	if (fs < w->ws || fs >= limit || (cut && fs + 4 > limit))
		return -1;
	put_indent(ts, w, fs);
	if (ts->color)
		out_adds(ts->o, C_FIXIT);
	if (tn == 0) {
		size_t end = f->end_offset < lend ? f->end_offset : lend;
		while (p.pos < end && p.col < limit)
			step(r, &p, lend);
		size_t fe = p.col > limit ? limit : p.col;
		out_repeat(ts->o, '-', fe > fs ? fe - fs : 1);
	} else {
		put_text(ts, t, tn, fs, cut ? limit - 3 : limit);
		if (cut)
			out_adds(ts->o, "...");
	}
	if (ts->color)
		out_adds(ts->o, C_RESET);
	out_addc(ts->o, '\n');
	return 0;
}

/* "file:line:col: severity: message [rule]" */
static void put_header(tstate *ts, const sl_diag *d)
{
	sl_out *o = ts->o;
	put_lead(ts, d->offset, d->severity);
	put_safes(o, d->message);
	out_adds(o, " [");
	if (ts->color)
		out_adds(o, sev_color(d->severity));
	put_safes(o, d->rule);
	if (ts->color)
		out_adds(o, C_RESET);
	out_adds(o, "]\n");
}

/* A fix-it that cannot be drawn under the line, as a note at its place. */
static void put_fixit_note(tstate *ts, const sl_fixit *f)
{
	put_lead(ts, f->offset, SL_NOTE);
	if (f->text[0]) {
		out_adds(ts->o, "fix-it: replace with '");
		put_safes(ts->o, f->text);
		out_adds(ts->o, "'\n");
	} else {
		out_adds(ts->o, "fix-it: delete\n");
	}
}

/* The first line of the span with the caret under it, then fix-its. */
static void put_snippet(tstate *ts, const sl_diag *d)
{
	const sl_result *r = ts->r;
	size_t line, col, ls, lend;
	source_linecol(r, d->offset, &line, &col);
	line_bounds(r, line - 1, &ls, &lend);
	size_t start = d->offset < lend ? d->offset : lend;
	size_t end = d->end_offset < lend ? d->end_offset : lend;

	/* the caret's columns; resume the last scan of this line if we can */
	lpos p = { ls, 0 }, back;
	if (ts->cache_line == line - 1 && ts->cache.pos <= start)
		p = ts->cache;
	scan_to(ts, &p, lend, start, &back);
	ts->cache_line = line - 1;
	ts->cache = back;
	size_t cs = p.col, ce = cs + 1;
	size_t bound = cs + ts->avail + 8;
	if (end > start && d->end_offset > d->offset) {
		while (p.pos < end && p.col < bound)
			step(r, &p, lend);
		if (p.col > cs)
			ce = p.col;
	}
	/* the line's width, as far as the window needs it */
	while (p.pos < lend && p.col < bound)
		step(r, &p, lend);
	size_t total = p.col > ce ? p.col : ce;
	win w = choose_window(ts->avail, cs, ce, total, p.pos >= lend);

	put_source(ts, line, back, lend, &w);
	put_caret(ts, &w, cs, ce);
	for (size_t i = 0; i < d->nfixits; i++)
		if (put_fixit(ts, &d->fixits[i], ls, lend, back, &w))
			put_fixit_note(ts, &d->fixits[i]);
}

static void put_diag(tstate *ts, const sl_diag *d)
{
	put_header(ts, d);
	put_snippet(ts, d);
	for (size_t i = 0; i < d->nnotes; i++) {
		put_lead(ts, d->offset, SL_NOTE);
		put_safes(ts->o, d->notes[i]);
		out_addc(ts->o, '\n');
	}
}

static void put_count(sl_out *o, size_t n, const char *one, const char *many, int *any)
{
	if (!n)
		return;
	out_addf(o, "%s%zu %s", *any ? ", " : "", n, n == 1 ? one : many);
	*any = 1;
}

/* "NAME: 1 error, 2 warnings; risk 12 (subject 30, ...)" */
static void put_summary(tstate *ts)
{
	const sl_result *r = ts->r;
	sl_out *o = ts->o;
	size_t nsev[3] = { 0, 0, 0 };
	for (size_t i = 0; i < r->ndiag; i++)
		if ((unsigned)r->diag[i].severity < 3)
			nsev[r->diag[i].severity]++;
	put_safes(o, r->name);
	out_adds(o, ": ");
	int any = 0;
	put_count(o, nsev[SL_ERROR], "error", "errors", &any);
	put_count(o, nsev[SL_WARNING], "warning", "warnings", &any);
	put_count(o, nsev[SL_NOTE], "note", "notes", &any);
	if (!any)
		out_adds(o, "no problems");

	size_t n;
	const sl_score *s = sl_result_scores(r, &n);
	size_t risk = n;
	for (size_t i = 0; i < n && risk == n; i++)
		if (!strcmp(s[i].group, "risk"))
			risk = i;
	if (n)
		out_adds(o, "; ");
	if (risk < n)
		out_addf(o, "risk %d%s", s[risk].value, n > 1 ? " (" : "");
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		if (i == risk)
			continue;
		out_addf(o, "%s%s %d", first ? "" : ", ", s[i].group, s[i].value);
		first = 0;
	}
	if (risk < n && n > 1)
		out_addc(o, ')');
	out_addc(o, '\n');
	if (r->dropped) {
		put_safes(o, r->name);
		out_addf(o, ": %zu more %s not shown\n", r->dropped,
		         r->dropped == 1 ? "diagnostic" : "diagnostics");
	}
}

/* "NAME:LINE:COL: " of file offset off. */
static void put_place(tstate *ts, size_t off)
{
	size_t line, col;
	source_linecol(ts->r, off, &line, &col);
	put_safes(ts->o, ts->r->name);
	out_addf(ts->o, ":%zu:%zu: ", line, col);
}

static void put_units_of(tstate *ts, const sl_unit_score *u, size_t n, const char *group)
{
	const sl_unit_score *worst = NULL, *worst_par = NULL;
	size_t nsent = 0, npar = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(u[i].group, group))
			continue;
		int sent = !strcmp(u[i].scope, "sentence");
		const sl_unit_score **w = sent ? &worst : &worst_par;
		if (!*w || u[i].value > (*w)->value)
			*w = &u[i];
		nsent += (size_t)sent;
		npar += (size_t)!sent;
	}
	const sl_unit_score *at = worst ? worst : worst_par;
	if (!at)
		return;
	put_place(ts, at->offset);
	put_safes(ts->o, group);
	out_addf(ts->o, ": worst %s scores %d;", worst ? "sentence" : "paragraph", at->value);
	if (nsent)
		out_addf(ts->o, " %zu sentence%s", nsent, nsent == 1 ? "" : "s");
	if (nsent && npar)
		out_adds(ts->o, " and");
	if (npar)
		out_addf(ts->o, " %zu paragraph%s", npar, npar == 1 ? "" : "s");
	out_addf(ts->o, " score%s above 0\n", nsent + npar == 1 ? "s" : "");
}

/* One line per group with unit scores (groups in order of first
 * appearance), then one per summary entry. */
static void put_units(tstate *ts)
{
	size_t n, ns;
	const sl_unit_score *u = sl_result_unit_scores(ts->r, &n);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < i && strcmp(u[k].group, u[i].group))
			k++;
		if (k == i)
			put_units_of(ts, u, n, u[i].group);
	}
	const sl_summary *s = sl_result_summaries(ts->r, &ns);
	for (size_t i = 0; i < ns; i++) {
		put_place(ts, s[i].offset);
		put_safes(ts->o, s[i].group);
		out_adds(ts->o, ": ");
		put_safes(ts->o, s[i].text);
		out_addc(ts->o, '\n');
	}
}

static size_t digits(size_t n)
{
	size_t k = 1;
	while (n >= 10) {
		n /= 10;
		k++;
	}
	return k;
}

void render_text(sl_out *o, const sl_result *r, const sl_render_opts *opts)
{
	tstate ts = { 0 };
	ts.o = o;
	ts.r = r;
	ts.color = opts && opts->color;
	ts.cache_line = SIZE_MAX;
	size_t width = opts && opts->width > 0 ? (size_t)opts->width : 100;
	/* the line-number field: 5 wide, more for a line number of 5+ digits */
	size_t maxline = r->nline ? r->nline : 1;
	ts.gutter = digits(maxline) + 1 > 5 ? digits(maxline) + 1 : 5;
	ts.avail = width > ts.gutter + 3 + 20 ? width - ts.gutter - 3 : 20;
	for (size_t i = 0; i < r->ndiag; i++)
		put_diag(&ts, &r->diag[i]);
	put_summary(&ts);
	put_units(&ts);
}
