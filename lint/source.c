/*
 * source.c - the original file's line table and positions.
 *
 * In: the file bytes.  Out: line start offsets (LF ends a line; CR LF too,
 * the CR being part of the line), and 1-based line and column for an
 * offset, the column counted in code points (an invalid UTF-8 byte counts
 * as one).  The table is made in one pass, eight bytes a step (a memchr
 * per line costs more than the line on short lines), into an array that
 * grows in place and is cut to size.
 */
#include "internal.h"

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Lanes of x (eight bytes, the first in the lowest lane) equal to LF: bit
 * 7 of each such lane (exact: no borrow crosses lanes). */
static inline uint64_t lf_lanes(uint64_t x)
{
	x ^= ONES * '\n';
	return ~(((x & ~HIGHS) + ~HIGHS) | x) & HIGHS;
}

static void line_add(sl_result *r, size_t *alloc, size_t off)
{
	if (r->nline == *alloc) {
		r->line = arena_grow(&r->arena, r->line, *alloc, *alloc * 2, sizeof *r->line);
		*alloc *= 2;
	}
	r->line[r->nline++] = off;
}

void source_lines(sl_result *r)
{
	const unsigned char *p = r->src;
	size_t n = r->len, i = 0, alloc = n / 40 + 16;
	r->line = arena_array(&r->arena, alloc, sizeof *r->line);
	r->nline = 0;
	line_add(r, &alloc, 0);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; n - i >= 8; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		for (uint64_t m = lf_lanes(w); m; m &= m - 1)
			line_add(r, &alloc, i + (size_t)(__builtin_ctzll(m) >> 3) + 1);
	}
#endif
	for (; i < n; i++)
		if (p[i] == '\n')
			line_add(r, &alloc, i + 1);
	r->line = arena_resize(&r->arena, r->line, alloc * sizeof *r->line,
	                       r->nline * sizeof *r->line, r->nline * sizeof *r->line);
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
