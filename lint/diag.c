/*
 * diag.c - collecting diagnostics for one file.
 *
 * In: rule id, group, severity, an original-file span and a message.
 * Out: r->diag, capped at lim.diagnostics (one input/limit-diagnostics
 * marks the cap; the rest are counted in r->dropped), sorted at the end.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static sl_diag *diag_vadd(sl_result *r, const char *rule, const char *group,
                          sl_severity sev, sl_span sp, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

static sl_diag *diag_vadd(sl_result *r, const char *rule, const char *group,
                          sl_severity sev, sl_span sp, const char *fmt, va_list ap)
{
	if (r->ndiag >= r->lim.diagnostics) {
		r->dropped++;
		return NULL;
	}
	if (r->ndiag == r->diagalloc) {
		size_t n = r->diagalloc ? r->diagalloc * 2 : 16;
		r->diag = arena_grow(&r->arena, r->diag, r->ndiag, n, sizeof *r->diag);
		r->diagalloc = n;
	}
	sl_diag *d = &r->diag[r->ndiag++];
	memset(d, 0, sizeof *d);
	d->rule = rule;
	d->group = group;
	d->severity = sev;
	d->message = arena_vprintf(&r->arena, fmt, ap);
	d->offset = sp.off;
	d->end_offset = sp.end < sp.off ? sp.off : sp.end;
	d->exact = sp.exact;
	if (r->ndiag == r->lim.diagnostics) {
		/* the last slot marks the cap: replace it */
		d->rule = "input/limit-diagnostics";
		d->group = "input";
		d->severity = SL_WARNING;
		d->message = arena_printf(&r->arena,
			"more than %zu diagnostics in this file; the rest are not shown",
			r->lim.diagnostics - 1);
		d->offset = d->end_offset = 0;
		d->exact = 0;
		r->dropped++;
		return NULL;
	}
	return d;
}

sl_diag *diag_add(sl_result *r, const char *rule, const char *group,
                  sl_severity sev, sl_span sp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sl_diag *d = diag_vadd(r, rule, group, sev, sp, fmt, ap);
	va_end(ap);
	return d;
}

sl_diag *diag_input(sl_result *r, const char *rule, sl_severity sev,
                    sl_span sp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sl_diag *d = diag_vadd(r, rule, "input", sev, sp, fmt, ap);
	va_end(ap);
	return d;
}

void diag_note(sl_result *r, sl_diag *d, const char *fmt, ...)
{
	if (!d)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *s = arena_vprintf(&r->arena, fmt, ap);
	va_end(ap);
	const char **notes = arena_grow(&r->arena, (void *)d->notes, d->nnotes,
	                                d->nnotes + 1, sizeof *notes);
	notes[d->nnotes] = s;
	d->notes = notes;
	d->nnotes++;
}

void diag_fixit(sl_result *r, sl_diag *d, sl_span sp, const char *text)
{
	if (!d || !sp.exact)
		return;
	sl_fixit *f = arena_grow(&r->arena, (void *)d->fixits, d->nfixits,
	                         d->nfixits + 1, sizeof *f);
	f[d->nfixits].offset = sp.off;
	f[d->nfixits].end_offset = sp.end;
	f[d->nfixits].text = arena_strndup(&r->arena, text, strlen(text));
	d->fixits = f;
	d->nfixits++;
}

/* Escape text for a one-line note: control characters as \xNN, at most
 * max code points, "..." when cut. */
static char *note_escape(sl_arena *a, const char *p, size_t n, size_t max)
{
	sl_buf b;
	buf_init(&b, a, (size_t)-1 / 2);
	size_t cps = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c & 0xC0) != 0x80) {
			if (cps == max) {
				buf_add(&b, "...", 3);
				break;
			}
			cps++;
		}
		if (c < 0x20 || c == 0x7f) {
			char esc[8];
			snprintf(esc, sizeof esc, "\\x%02x", c);
			buf_add(&b, esc, 4);
		} else {
			buf_addc(&b, (char)c);
		}
	}
	return buf_cstr(&b);
}

void diag_note_decoded(sl_result *r, sl_diag *d, const sl_text *t,
                       size_t off, size_t end)
{
	if (!d || d->exact)
		return;
	if (end > t->len)
		end = t->len;
	if (off > end)
		off = end;
	diag_note(r, d, "decoded text: '%s'",
	          note_escape(&r->arena, t->p + off, end - off, 80));
}

static int diag_cmp(const void *a, const void *b)
{
	const sl_diag *x = a, *y = b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	int c = strcmp(x->rule, y->rule);
	if (c)
		return c;
	if (x->end_offset != y->end_offset)
		return x->end_offset < y->end_offset ? -1 : 1;
	return strcmp(x->message, y->message);
}

void diag_sort(sl_result *r)
{
	if (r->ndiag > 1)
		qsort(r->diag, r->ndiag, sizeof *r->diag, diag_cmp);
}

void limit_reached(sl_result *r, const char *name, size_t value, sl_span sp)
{
	/* once per limit name per file */
	for (size_t i = 0; i < r->ndiag; i++)
		if (!strncmp(r->diag[i].rule, "input/limit-", 12) &&
		    !strcmp(r->diag[i].rule + 12, name))
			return;
	char *rule = arena_printf(&r->arena, "input/limit-%s", name);
	diag_input(r, rule, SL_WARNING, sp,
	           "%s limit of %zu reached; the rest is not checked", name, value);
}
