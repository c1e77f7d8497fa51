/*
 * source.c - the original file's line table and positions.
 *
 * In: the file bytes.  Out: line start offsets (LF ends a line; CR LF too,
 * the CR being part of the line), and 1-based line and column for an
 * offset, the column counted in code points (an invalid UTF-8 byte counts
 * as one).
 */
#include "internal.h"

void source_lines(sl_result *r)
{
	size_t n = 1;
	const unsigned char *p = r->src, *end = r->src + r->len;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		n++;
		p++;
	}
	r->line = arena_array(&r->arena, n, sizeof *r->line);
	r->nline = 0;
	r->line[r->nline++] = 0;
	p = r->src;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		p++;
		r->line[r->nline++] = (size_t)(p - r->src);
	}
}

void source_linecol(const sl_result *r, size_t off, size_t *line, size_t *col)
{
	if (off > r->len)
		off = r->len;
	size_t lo = 0, hi = r->nline;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->line[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = lo + 1;
	/* Resume from the last position asked on the same line: renderers
	 * ask in offset order, and one long line may carry many
	 * diagnostics.  The cache is the result's only mutable state after
	 * sl_lint; a result is rendered by one thread at a time. */
	sl_poscache *pc = (sl_poscache *)&r->poscache;
	size_t i = r->line[lo], c = 1;
	if (pc->valid && pc->line == lo && pc->off <= off && pc->off >= i) {
		i = pc->off;
		c = pc->col;
	}
	const unsigned char *end = r->src + off;
	while (r->src + i < end) {
		uint32_t cp;
		size_t n = render_utf8(r->src + i, end, &cp);
		i += n ? n : 1;
		c++;
	}
	pc->valid = 1;
	pc->line = lo;
	pc->off = i;
	pc->col = c;
	*col = c;
}
