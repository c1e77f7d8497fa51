/*
 * render.c - the renderer object and what the formats share.
 *
 * In: a format, options and one result per add call.  Out: text appended
 * to a caller-owned sl_strbuf, grown with malloc up to SL_OUT_MAX (the
 * buffer outlives the results, so never the arena).  SARIF keeps every
 * file's results, and the distinct rule ids, in the renderer until
 * finish, since the rules list precedes them (and the artifacts: files'
 * scores, unit scores and summaries, in run.artifacts[].properties).
 * Every failure is
 * SL_ENOMEM and sticks to the renderer.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

struct sl_renderer {
	sl_format fmt;
	sl_render_opts opts;
	int err;
	size_t nfiles;
	/* SARIF only */
	sl_strbuf results;     /* the results array's contents so far */
	int first_result;
	sl_strbuf artifacts;   /* the artifacts array's contents so far */
	int first_artifact;
	char **rule;           /* distinct rule ids, sorted, malloc'd */
	size_t nrule, rulealloc;
};

/* --- the writer ------------------------------------------------------ */

/* Room for n more bytes and a NUL. */
static int out_reserve(sl_out *o, size_t n)
{
	sl_strbuf *sb = o->sb;
	if (o->err)
		return -1;
	if (n > SL_OUT_MAX || sb->len > SL_OUT_MAX - n) {
		o->err = SL_ENOMEM;
		return -1;
	}
	size_t need = sb->len + n + 1;
	if (need <= sb->alloc)
		return 0;
	size_t na = sb->alloc ? sb->alloc : 256;
	while (na < need)
		na *= 2;
	char *p = realloc(sb->buf, na);
	if (!p) {
		o->err = SL_ENOMEM;
		return -1;
	}
	sb->buf = p;
	sb->alloc = na;
	return 0;
}

void out_add(sl_out *o, const void *p, size_t n)
{
	if (out_reserve(o, n))
		return;
	if (n)
		memcpy(o->sb->buf + o->sb->len, p, n);
	o->sb->len += n;
	o->sb->buf[o->sb->len] = 0;
}

void out_addc(sl_out *o, char c)
{
	out_add(o, &c, 1);
}

void out_adds(sl_out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

void out_repeat(sl_out *o, char c, size_t n)
{
	if (out_reserve(o, n))
		return;
	memset(o->sb->buf + o->sb->len, c, n);
	o->sb->len += n;
	o->sb->buf[o->sb->len] = 0;
}

void out_addf(sl_out *o, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->err = SL_ENOMEM;
		return;
	}
	if ((size_t)n < sizeof small) {
		out_add(o, small, (size_t)n);
		return;
	}
	if (out_reserve(o, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(o->sb->buf + o->sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->sb->len += (size_t)n;
}

/* --- UTF-8 ----------------------------------------------------------- */

size_t render_utf8(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
	unsigned c = p[0];
	size_t n;
	uint32_t v, min;
	*cp = SL_CP_BAD;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		n = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 1;
	}
	if ((size_t)(end - p) < n)
		return 1;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 1;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 1;
	*cp = v;
	return n;
}

/* --- SARIF rule ids -------------------------------------------------- */

static int rule_seen(sl_renderer *rd, const char *id)
{
	size_t lo = 0, hi = rd->nrule;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rd->rule[mid], id);
		if (!c)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (rd->nrule == rd->rulealloc) {
		size_t na = rd->rulealloc ? rd->rulealloc * 2 : 32;
		char **p = realloc(rd->rule, na * sizeof *p);
		if (!p)
			return SL_ENOMEM;
		rd->rule = p;
		rd->rulealloc = na;
	}
	size_t n = strlen(id);
	char *s = malloc(n + 1);
	if (!s)
		return SL_ENOMEM;
	memcpy(s, id, n + 1);
	memmove(&rd->rule[lo + 1], &rd->rule[lo], (rd->nrule - lo) * sizeof *rd->rule);
	rd->rule[lo] = s;
	rd->nrule++;
	return 0;
}

/* --- the renderer ---------------------------------------------------- */

int sl_renderer_new(sl_renderer **out, sl_format fmt, const sl_render_opts *opts)
{
	*out = NULL;
	if (fmt != SL_FMT_TEXT && fmt != SL_FMT_JSON && fmt != SL_FMT_SARIF &&
	    fmt != SL_FMT_DUMP)
		return SL_EUSAGE;
	sl_renderer *rd = calloc(1, sizeof *rd);
	if (!rd)
		return SL_ENOMEM;
	rd->fmt = fmt;
	if (opts)
		rd->opts = *opts;
	if (rd->opts.width <= 0)
		rd->opts.width = 100;
	rd->first_result = 1;
	rd->first_artifact = 1;
	*out = rd;
	return SL_OK;
}

static void json_open(sl_out *o)
{
	out_adds(o, "{\"tool\":\"sendlint\",\"version\":\"" SL_VERSION "\",\"files\":[");
}

int sl_renderer_add(sl_strbuf *out, sl_renderer *rd, const sl_result *res)
{
	if (rd->err)
		return rd->err;
	sl_out o = { out, 0 };
	switch (rd->fmt) {
	case SL_FMT_TEXT:
		render_text(&o, res, &rd->opts);
		break;
	case SL_FMT_DUMP:
		render_dump(&o, res);
		break;
	case SL_FMT_JSON:
		if (rd->nfiles == 0)
			json_open(&o);
		out_adds(&o, rd->nfiles ? ",\n" : "\n");
		render_json_file(&o, res);
		break;
	case SL_FMT_SARIF: {
		sl_out ro = { &rd->results, 0 }, ao = { &rd->artifacts, 0 };
		render_sarif_results(&ro, res, &rd->first_result);
		render_sarif_artifact(&ao, res, &rd->first_artifact);
		o.err = ro.err ? ro.err : ao.err;
		for (size_t i = 0; i < res->ndiag && !o.err; i++)
			o.err = rule_seen(rd, res->diag[i].rule);
		break;
	}
	}
	rd->nfiles++;
	rd->err = o.err;
	return rd->err;
}

int sl_renderer_finish(sl_strbuf *out, sl_renderer *rd)
{
	if (rd->err)
		return rd->err;
	sl_out o = { out, 0 };
	if (rd->fmt == SL_FMT_JSON) {
		if (rd->nfiles == 0)
			json_open(&o);
		out_adds(&o, rd->nfiles ? "\n]}\n" : "]}\n");
	} else if (rd->fmt == SL_FMT_SARIF) {
		render_sarif_log(&o, (const char *const *)rd->rule, rd->nrule,
		                 &rd->results, &rd->artifacts);
	}
	rd->err = o.err;
	return rd->err;
}

void sl_renderer_free(sl_renderer *rd)
{
	if (!rd)
		return;
	for (size_t i = 0; i < rd->nrule; i++)
		free(rd->rule[i]);
	free(rd->rule);
	free(rd->results.buf);
	free(rd->artifacts.buf);
	free(rd);
}
