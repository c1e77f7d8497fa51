/*
 * srcmap.c - the source map: texts whose every byte knows the original
 * file bytes it came from, and the builder that composes maps stage by
 * stage.
 *
 * In: an input sl_text and the pieces a stage emits.  Out: an sl_text
 * whose segments point straight into the original file.  The builder's
 * byte maximum is the caller's limit (decoded size); segments are merged
 * when contiguous, so a one-to-one copy costs one segment.
 */
#include "internal.h"

/* Index of the segment holding text byte off: the last with out <= off. */
static size_t seg_find(const sl_text *t, size_t off)
{
	size_t lo = 0, hi = t->nseg;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->seg[mid].out <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

sl_span text_span(const sl_text *t, size_t off, size_t end)
{
	sl_span sp = { 0, 0, 0 };
	if (t->nseg == 0)
		return sp;
	if (end > t->len)
		end = t->len;
	if (off > end)
		off = end;
	if (off == end) {
		if (off >= t->len) {
			const sl_seg *s = &t->seg[t->nseg - 1];
			sp.off = sp.end = s->src + s->src_len;
			sp.exact = s->exact;
			return sp;
		}
		const sl_seg *s = &t->seg[seg_find(t, off)];
		sp.off = sp.end = s->exact ? s->src + (off - s->out) : s->src;
		sp.exact = s->exact;
		return sp;
	}
	size_t i = seg_find(t, off), j = seg_find(t, end - 1);
	const sl_seg *a = &t->seg[i], *b = &t->seg[j];
	size_t start = a->exact ? a->src + (off - a->out) : a->src;
	size_t stop = b->exact ? b->src + (end - b->out) : b->src + b->src_len;
	int exact = 1;
	for (size_t k = i; k <= j; k++) {
		const sl_seg *s = &t->seg[k];
		if (!s->exact)
			exact = 0;
		if (k > i && s->src != t->seg[k - 1].src + t->seg[k - 1].src_len)
			exact = 0;
		/* maps are monotonic in practice; stay safe if one is not */
		if (k > i && k < j) {
			if (s->src < start)
				start = s->src;
			if (s->src + s->src_len > stop)
				stop = s->src + s->src_len;
		}
	}
	if (stop < start) {
		size_t tmp = start;
		start = stop;
		stop = tmp;
		exact = 0;
	}
	sp.off = start;
	sp.end = stop;
	sp.exact = exact;
	return sp;
}

sl_span text_whole(const sl_text *t)
{
	return text_span(t, 0, t->len);
}

void text_identity(sl_text *t, sl_arena *a, const char *src, size_t off, size_t len)
{
	sl_seg *s = arena_alloc(a, sizeof *s);
	s->out = 0;
	s->out_len = len;
	s->src = off;
	s->src_len = len;
	s->exact = 1;
	t->p = src + off;
	t->len = len;
	t->seg = s;
	t->nseg = len ? 1 : 0;
	if (!len) {
		/* an empty text still has a position */
		t->nseg = 1;
	}
}

void text_slice(sl_text *out, sl_arena *a, const sl_text *t, size_t off, size_t end)
{
	if (end > t->len)
		end = t->len;
	if (off > end)
		off = end;
	out->p = arena_strndup(a, t->p + off, end - off);
	out->len = end - off;
	if (t->nseg == 0) {
		out->seg = NULL;
		out->nseg = 0;
		return;
	}
	if (off == end) {
		sl_span sp = text_span(t, off, off);
		sl_seg *s = arena_alloc(a, sizeof *s);
		*s = (sl_seg){ 0, 0, sp.off, 0, sp.exact };
		out->seg = s;
		out->nseg = 1;
		return;
	}
	size_t i = seg_find(t, off), j = seg_find(t, end - 1);
	sl_seg *s = arena_array(a, j - i + 1, sizeof *s);
	size_t n = 0;
	for (size_t k = i; k <= j; k++) {
		sl_seg g = t->seg[k];
		size_t lo = g.out > off ? g.out : off;
		size_t hi = g.out + g.out_len < end ? g.out + g.out_len : end;
		if (hi <= lo)
			continue;
		if (g.exact) {
			g.src += lo - g.out;
			g.src_len = hi - lo;
		}
		g.out = lo - off;
		g.out_len = hi - lo;
		s[n++] = g;
	}
	out->seg = s;
	out->nseg = n;
}

/* --- builder ----------------------------------------------------------- */

void tb_init(sl_tb *tb, sl_arena *a, size_t max)
{
	tb->a = a;
	buf_init(&tb->out, a, max);
	tb->seg = NULL;
	tb->nseg = tb->segalloc = 0;
	tb->over = 0;
}

static void tb_push(sl_tb *tb, size_t out_len, size_t src, size_t src_len, int exact)
{
	size_t out = tb->out.len - out_len;
	if (tb->nseg) {
		sl_seg *p = &tb->seg[tb->nseg - 1];
		if (exact && p->exact && p->src + p->src_len == src) {
			p->out_len += out_len;
			p->src_len += src_len;
			return;
		}
		if (!exact && !p->exact && p->src == src && p->src_len == src_len) {
			p->out_len += out_len;
			return;
		}
	}
	if (tb->nseg == tb->segalloc) {
		/* most texts have a segment or two: start small (a large
		 * table has a million texts) */
		size_t n = tb->segalloc ? tb->segalloc * 2 : 2;
		tb->seg = arena_grow(tb->a, tb->seg, tb->nseg, n, sizeof *tb->seg);
		tb->segalloc = n;
	}
	tb->seg[tb->nseg++] = (sl_seg){ out, out_len, src, src_len, exact };
}

/* Append output bytes.  The first append makes room for one segment
 * (most texts have one) and then the bytes, in that order, so that the
 * bytes are the last
 * allocation: they grow in place and tb_finish cuts them to size (a large
 * table makes a million short texts). */
static int tb_add(sl_tb *tb, const char *s, size_t n)
{
	sl_buf *b = &tb->out;
	if (!b->alloc && !tb->segalloc && n < b->max) {
		tb->seg = arena_array(tb->a, 1, sizeof *tb->seg);
		tb->segalloc = 1;
		size_t want = n + 1 < 32 ? 32 : n + 1;
		if (want > b->max + 1)
			want = b->max + 1;
		b->p = arena_alloc(tb->a, want);
		b->alloc = want;
	}
	return buf_add(b, s, n);
}

int tb_emit(sl_tb *tb, const char *s, size_t n, sl_span sp)
{
	if (n == 0)
		return 0;
	if (tb_add(tb, s, n) < 0) {
		tb->over = 1;
		return -1;
	}
	int exact = sp.exact && n == sp.end - sp.off;
	tb_push(tb, n, sp.off, sp.end - sp.off, exact);
	return 0;
}

int tb_replace(sl_tb *tb, const char *s, size_t n, const sl_text *in,
               size_t off, size_t len)
{
	if (n == 0)
		return 0;
	sl_span sp = text_span(in, off, off + len);
	if (tb_add(tb, s, n) < 0) {
		tb->over = 1;
		return -1;
	}
	tb_push(tb, n, sp.off, sp.end - sp.off, 0);
	return 0;
}

int tb_copy(sl_tb *tb, const sl_text *in, size_t off, size_t len)
{
	if (len == 0)
		return 0;
	if (off > in->len || len > in->len - off)
		BUG("tb_copy past the end of its input");
	if (tb_add(tb, in->p + off, len) < 0) {
		tb->over = 1;
		return -1;
	}
	/* rewind so tb_push sees each piece's out position */
	size_t base = tb->out.len - len;
	size_t end = off + len;
	if (in->nseg == 0) {
		tb->out.len = base + len;
		tb_push(tb, len, 0, 0, 0);
		return 0;
	}
	size_t k = seg_find(in, off);
	size_t pos = off;
	while (pos < end) {
		const sl_seg *g = k < in->nseg ? &in->seg[k] : NULL;
		size_t n, src, src_len;
		int exact;
		if (!g || pos < g->out) {
			/* bytes no segment covers: map to the previous end, inexact */
			const sl_seg *p = k ? &in->seg[k - 1] : &in->seg[0];
			size_t stop = g ? (g->out < end ? g->out : end) : end;
			n = stop - pos;
			src = p->src + p->src_len;
			src_len = 0;
			exact = 0;
		} else if (pos >= g->out + g->out_len) {
			k++;
			continue;
		} else {
			size_t stop = g->out + g->out_len < end ? g->out + g->out_len : end;
			n = stop - pos;
			if (g->exact) {
				src = g->src + (pos - g->out);
				src_len = n;
				exact = 1;
			} else {
				src = g->src;
				src_len = g->src_len;
				exact = 0;
			}
			k++;
		}
		tb->out.len = base + (pos - off) + n;
		tb_push(tb, n, src, src_len, exact);
		pos += n;
	}
	tb->out.len = base + len;
	return 0;
}

void tb_reserve(sl_tb *tb, size_t bytes, size_t nseg)
{
	sl_buf *b = &tb->out;
	size_t room = b->max > b->len ? b->max - b->len : 0;
	if (bytes > room)
		bytes = room;
	if (b->len + bytes + 1 > b->alloc) {
		b->p = arena_resize(tb->a, b->p, b->alloc, b->len, b->len + bytes + 1);
		b->alloc = b->len + bytes + 1;
	}
	if (nseg > SIZE_MAX / 4 / sizeof *tb->seg - tb->nseg)
		return; /* absurd: let the appends fail as they come */
	if (tb->nseg + nseg > tb->segalloc) {
		tb->seg = arena_resize(tb->a, tb->seg, tb->segalloc * sizeof *tb->seg,
		                       tb->nseg * sizeof *tb->seg,
		                       (tb->nseg + nseg) * sizeof *tb->seg);
		tb->segalloc = tb->nseg + nseg;
	}
}

void tb_finish(sl_tb *tb, sl_text *out)
{
	sl_buf *b = &tb->out;
	/* give back what doubling left unused, where that costs no copy */
	if (b->p && b->alloc > b->len + 1) {
		b->p = arena_resize(tb->a, b->p, b->alloc, b->len, b->len + 1);
		b->alloc = b->len + 1;
	}
	if (tb->seg && tb->segalloc > tb->nseg) {
		tb->seg = arena_resize(tb->a, tb->seg, tb->segalloc * sizeof *tb->seg,
		                       tb->nseg * sizeof *tb->seg,
		                       (tb->nseg ? tb->nseg : 1) * sizeof *tb->seg);
		tb->segalloc = tb->nseg ? tb->nseg : 1;
	}
	out->p = buf_cstr(&tb->out);
	if (!out->p)
		out->p = "";
	out->len = tb->out.len;
	out->seg = tb->seg;
	out->nseg = tb->nseg;
}
