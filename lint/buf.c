/*
 * buf.c - length-carrying string helpers and the bounded growable buffer.
 *
 * In: slices and bytes.  Out: arena-backed buffers that never grow past
 * their maximum (an append that would is refused whole and sets over).
 */
#include <stdio.h>

#include "internal.h"

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* These walk lit only as far as the comparison goes (no strlen): header
 * lookups compare every field name with a literal. */
int str_eq(sl_str a, const char *lit)
{
	size_t i = 0;
	for (; i < a.len; i++)
		if (!lit[i] || a.p[i] != lit[i])
			return 0;
	return lit[i] == 0;
}

int str_ieq(sl_str a, const char *lit)
{
	size_t i = 0;
	for (; i < a.len; i++)
		if (!lit[i] || lower((unsigned char)a.p[i]) != lower((unsigned char)lit[i]))
			return 0;
	return lit[i] == 0;
}

int str_iprefix(sl_str a, const char *lit)
{
	size_t i = 0;
	for (; lit[i]; i++)
		if (i >= a.len || lower((unsigned char)a.p[i]) != lower((unsigned char)lit[i]))
			return 0;
	return 1;
}

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

sl_str str_trim(sl_str s)
{
	while (s.len && is_ws((unsigned char)s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && is_ws((unsigned char)s.p[s.len - 1]))
		s.len--;
	return s;
}

char *str_lower_dup(sl_arena *a, sl_str s)
{
	char *p = arena_alloc(a, s.len + 1);
	for (size_t i = 0; i < s.len; i++)
		p[i] = (char)lower((unsigned char)s.p[i]);
	p[s.len] = 0;
	return p;
}

void buf_init(sl_buf *b, sl_arena *a, size_t max)
{
	b->a = a;
	b->p = NULL;
	b->len = b->alloc = 0;
	b->max = max;
	b->over = 0;
}

static int buf_reserve(sl_buf *b, size_t n)
{
	/* room for n more bytes plus a NUL */
	if (n > b->max || b->len > b->max - n) {
		b->over = 1;
		return -1;
	}
	size_t need = b->len + n + 1;
	if (need <= b->alloc)
		return 0;
	size_t alloc = b->alloc ? b->alloc : 64;
	while (alloc < need)
		alloc = alloc > SIZE_MAX / 2 ? need : alloc * 2;
	b->p = arena_resize(b->a, b->p, b->alloc, b->len, alloc);
	b->alloc = alloc;
	return 0;
}

int buf_add(sl_buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

int buf_addc(sl_buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_addf(sl_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = arena_vprintf(b->a, fmt, ap);
	va_end(ap);
	return buf_add(b, s, strlen(s));
}

char *buf_cstr(sl_buf *b)
{
	if (buf_reserve(b, 0) < 0) {
		/* at max: the NUL still needs a byte; grow past max by one */
		b->over = 1;
		b->p = arena_resize(b->a, b->p, b->alloc, b->len, b->len + 1);
		b->alloc = b->len + 1;
	}
	b->p[b->len] = 0;
	return b->p;
}
