/*
 * render_json.c - diagnostics as JSON (sendlint's own, stable contract)
 * and as SARIF 2.1.0 (for code-scanning services).
 *
 * In: one result per call.  Out: JSON text, one file's object per line
 * (render.c writes the document around them and the separators), with
 * "units" (scores of single sentences and paragraphs) and "summary" (a
 * group's score explained in words) when the file has any; for SARIF the
 * results of one file and, for a file with unit scores or a summary, an
 * artifact whose properties hold its scores, units and summary (both
 * kept by render.c) and, at the end, the log around them with the
 * distinct rule ids.  Lines and columns are
 * 1-based, columns in code points (source_linecol); end positions are
 * those of the exclusive end offset.  Strings are escaped so that the
 * output is valid JSON whatever the input: control characters as \uXXXX,
 * invalid UTF-8 bytes as \uFFFD.  Numbers do not depend on the locale.
 * No limits of its own: the output grows with the diagnostics, which
 * are capped per file.
 */
#include <math.h>
#include <stdio.h>

#include "internal.h"

#define SARIF_SCHEMA \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

void render_json_str(sl_out *o, const char *s, size_t n)
{
	if (!s) {
		s = "";
		n = 0;
	}
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	out_addc(o, '"');
	while (p < end) {
		uint32_t cp;
		size_t len = render_utf8(p, end, &cp);
		switch (cp) {
		case '"': out_adds(o, "\\\""); break;
		case '\\': out_adds(o, "\\\\"); break;
		case '\n': out_adds(o, "\\n"); break;
		case '\r': out_adds(o, "\\r"); break;
		case '\t': out_adds(o, "\\t"); break;
		case '\b': out_adds(o, "\\b"); break;
		case '\f': out_adds(o, "\\f"); break;
		case SL_CP_BAD: out_adds(o, "\\uFFFD"); break;
		default:
			/* U+2028/2029 are valid JSON but end lines in JavaScript */
			if (cp < 0x20 || cp == 0x7F || cp == 0x2028 || cp == 0x2029)
				out_addf(o, "\\u%04X", (unsigned)cp);
			else
				out_add(o, p, len);
		}
		p += len;
	}
	out_addc(o, '"');
}

static void json_strs(sl_out *o, const char *s)
{
	render_json_str(o, s, s ? strlen(s) : 0);
}

/* "key": */
static void key(sl_out *o, const char *k)
{
	out_addf(o, "\"%s\":", k);
}

/* A number with up to 4 significant digits (%.4g) and a '.' whatever the
 * locale's decimal point; not finite numbers are written as 0. */
static void json_num(sl_out *o, double v)
{
	char tmp[64];
	if (!isfinite(v) || v == 0) {
		out_addc(o, '0');
		return;
	}
	int n = snprintf(tmp, sizeof tmp, "%.4g", v);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		out_addc(o, '0');
		return;
	}
	int in_point = 0;
	for (int i = 0; i < n; i++) {
		char c = tmp[i];
		if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e') {
			out_addc(o, c);
			in_point = 0;
		} else if (!in_point) {
			out_addc(o, '.');
			in_point = 1;
		}
	}
}

static const char *sev_name(sl_severity s)
{
	return s == SL_ERROR ? "error" : s == SL_WARNING ? "warning" : "note";
}

static void json_scores(sl_out *o, const sl_result *r)
{
	size_t n;
	const sl_score *s = sl_result_scores(r, &n);
	out_addc(o, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			out_addc(o, ',');
		json_strs(o, s[i].group);
		out_addf(o, ":%d", s[i].value);
	}
	out_addc(o, '}');
}

static void json_diag(sl_out *o, const sl_result *r, const sl_diag *d)
{
	size_t line, col, eline, ecol;
	source_linecol(r, d->offset, &line, &col);
	source_linecol(r, d->end_offset, &eline, &ecol);
	out_addc(o, '{');
	key(o, "rule");
	json_strs(o, d->rule);
	out_addc(o, ',');
	key(o, "group");
	json_strs(o, d->group);
	out_addc(o, ',');
	key(o, "severity");
	json_strs(o, sev_name(d->severity));
	out_addc(o, ',');
	key(o, "message");
	json_strs(o, d->message);
	out_addf(o, ",\"line\":%zu,\"column\":%zu,\"end_line\":%zu,\"end_column\":%zu"
	         ",\"offset\":%zu,\"end_offset\":%zu,\"exact\":%s,\"weight\":",
	         line, col, eline, ecol, d->offset, d->end_offset,
	         d->exact ? "true" : "false");
	json_num(o, d->weight);
	out_adds(o, ",\"fixits\":[");
	for (size_t i = 0; i < d->nfixits; i++) {
		const sl_fixit *f = &d->fixits[i];
		out_addf(o, "%s{\"offset\":%zu,\"end_offset\":%zu,\"text\":",
		         i ? "," : "", f->offset, f->end_offset);
		json_strs(o, f->text);
		out_addc(o, '}');
	}
	out_adds(o, "],\"notes\":[");
	for (size_t i = 0; i < d->nnotes; i++) {
		if (i)
			out_addc(o, ',');
		json_strs(o, d->notes[i]);
	}
	out_adds(o, "]}");
}

/* ,"units":[...] and ,"summary":[...], each only when not empty. */
static void json_units(sl_out *o, const sl_result *r)
{
	size_t n;
	const sl_unit_score *u = sl_result_unit_scores(r, &n);
	for (size_t i = 0; i < n; i++) {
		size_t line, col, eline, ecol;
		source_linecol(r, u[i].offset, &line, &col);
		source_linecol(r, u[i].end_offset, &eline, &ecol);
		out_adds(o, i ? ",{\"scope\":" : ",\"units\":[{\"scope\":");
		json_strs(o, u[i].scope);
		out_adds(o, ",\"group\":");
		json_strs(o, u[i].group);
		out_addf(o, ",\"score\":%d,\"line\":%zu,\"column\":%zu,\"end_line\":%zu,"
		         "\"end_column\":%zu,\"offset\":%zu,\"end_offset\":%zu}",
		         u[i].value, line, col, eline, ecol, u[i].offset, u[i].end_offset);
	}
	if (n)
		out_addc(o, ']');
	const sl_summary *s = sl_result_summaries(r, &n);
	for (size_t i = 0; i < n; i++) {
		size_t line, col;
		source_linecol(r, s[i].offset, &line, &col);
		out_adds(o, i ? ",{\"group\":" : ",\"summary\":[{\"group\":");
		json_strs(o, s[i].group);
		out_adds(o, ",\"text\":");
		json_strs(o, s[i].text);
		out_addf(o, ",\"line\":%zu,\"column\":%zu,\"offset\":%zu}", line, col,
		         s[i].offset);
	}
	if (n)
		out_addc(o, ']');
}

void render_json_file(sl_out *o, const sl_result *r)
{
	out_adds(o, "{\"path\":");
	json_strs(o, r->name);
	out_adds(o, ",\"scores\":");
	json_scores(o, r);
	out_adds(o, ",\"diagnostics\":[");
	for (size_t i = 0; i < r->ndiag; i++) {
		if (i)
			out_addc(o, ',');
		json_diag(o, r, &r->diag[i]);
	}
	out_addc(o, ']');
	json_units(o, r);
	out_addc(o, '}');
}

/* --- SARIF ----------------------------------------------------------- */

/* The path as a URI reference: bytes other than unreserved characters
 * and '/' percent-encoded (RFC 3986 2.1, 2.3). */
static void sarif_uri(sl_out *o, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	out_adds(o, "{\"uri\":\"");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		unsigned c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~' || c == '/') {
			out_addc(o, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			out_add(o, e, 3);
		}
	}
	out_adds(o, "\"}");
}

static void sarif_location(sl_out *o, const sl_result *r, const sl_diag *d)
{
	size_t line, col, eline, ecol;
	source_linecol(r, d->offset, &line, &col);
	source_linecol(r, d->end_offset, &eline, &ecol);
	out_adds(o, "\"physicalLocation\":{\"artifactLocation\":");
	sarif_uri(o, r->name);
	out_addf(o, ",\"region\":{\"startLine\":%zu,\"startColumn\":%zu,"
	         "\"endLine\":%zu,\"endColumn\":%zu,\"byteOffset\":%zu,"
	         "\"byteLength\":%zu}}",
	         line, col, eline, ecol, d->offset, d->end_offset - d->offset);
}

static void sarif_fixes(sl_out *o, const sl_result *r, const sl_diag *d)
{
	out_adds(o, ",\"fixes\":[{\"artifactChanges\":[{\"artifactLocation\":");
	sarif_uri(o, r->name);
	out_adds(o, ",\"replacements\":[");
	for (size_t i = 0; i < d->nfixits; i++) {
		const sl_fixit *f = &d->fixits[i];
		size_t n = f->end_offset > f->offset ? f->end_offset - f->offset : 0;
		out_addf(o, "%s{\"deletedRegion\":{\"byteOffset\":%zu,\"byteLength\":%zu},"
		         "\"insertedContent\":{\"text\":", i ? "," : "", f->offset, n);
		json_strs(o, f->text);
		out_adds(o, "}}");
	}
	out_adds(o, "]}]}]");
}

static void sarif_result(sl_out *o, const sl_result *r, const sl_diag *d)
{
	out_adds(o, "{\"ruleId\":");
	json_strs(o, d->rule);
	out_addf(o, ",\"level\":\"%s\",\"message\":{\"text\":", sev_name(d->severity));
	json_strs(o, d->message);
	out_adds(o, "},\"locations\":[{");
	sarif_location(o, r, d);
	out_adds(o, "}]");
	if (d->nnotes) {
		/* notes: further messages at the same place */
		out_adds(o, ",\"relatedLocations\":[");
		for (size_t i = 0; i < d->nnotes; i++) {
			out_addf(o, "%s{\"id\":%zu,", i ? "," : "", i + 1);
			sarif_location(o, r, d);
			out_adds(o, ",\"message\":{\"text\":");
			json_strs(o, d->notes[i]);
			out_adds(o, "}}");
		}
		out_addc(o, ']');
	}
	if (d->nfixits)
		sarif_fixes(o, r, d);
	out_adds(o, ",\"properties\":{\"group\":");
	json_strs(o, d->group);
	out_adds(o, ",\"weight\":");
	json_num(o, d->weight);
	out_addf(o, ",\"exact\":%s}}", d->exact ? "true" : "false");
}

void render_sarif_results(sl_out *o, const sl_result *r, int *first)
{
	for (size_t i = 0; i < r->ndiag; i++) {
		out_adds(o, *first ? "\n" : ",\n");
		*first = 0;
		sarif_result(o, r, &r->diag[i]);
	}
}

void render_sarif_artifact(sl_out *o, const sl_result *r, int *first)
{
	size_t nu, ns;
	sl_result_unit_scores(r, &nu);
	sl_result_summaries(r, &ns);
	if (!nu && !ns)
		return;
	out_adds(o, *first ? "\n{\"location\":" : ",\n{\"location\":");
	*first = 0;
	sarif_uri(o, r->name);
	out_adds(o, ",\"properties\":{\"scores\":");
	json_scores(o, r);
	json_units(o, r);
	out_adds(o, "}}");
}

void render_sarif_log(sl_out *o, const char *const *rules, size_t nrules,
                      const sl_strbuf *results, const sl_strbuf *artifacts)
{
	out_adds(o, "{\"$schema\":\"" SARIF_SCHEMA "\",\"version\":\"2.1.0\",\"runs\":[\n"
	         "{\"tool\":{\"driver\":{\"name\":\"sendlint\",\"version\":\""
	         SL_VERSION "\",\"rules\":[");
	for (size_t i = 0; i < nrules; i++) {
		out_adds(o, i ? ",\n{\"id\":" : "\n{\"id\":");
		json_strs(o, rules[i]);
		out_adds(o, ",\"shortDescription\":{\"text\":");
		json_strs(o, rules[i]);
		out_adds(o, "}}");
	}
	out_adds(o, "]}},\"columnKind\":\"unicodeCodePoints\",\"results\":[");
	if (results->len)
		out_add(o, results->buf, results->len);
	out_addc(o, ']');
	if (artifacts && artifacts->len) {
		out_adds(o, ",\"artifacts\":[");
		out_add(o, artifacts->buf, artifacts->len);
		out_addc(o, ']');
	}
	out_adds(o, "}\n]}\n");
}
