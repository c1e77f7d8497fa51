/*
 * subject_features.c - the features the subject score is fitted on, one
 * JSON line per labelled subject, for scripts/train_subjects.py.
 *
 *   build/release/subject_features [--rules DIR] FILE.tsv
 *
 * In: a TSV whose header line names the columns label, subject and source
 * (any order, other columns ignored), one subject per line; labels spam
 * or ham.  Each subject is linted as the message
 *
 *   Subject: <subject>
 *   From: a@example.org
 *   To: b@example.org
 *   Date: Mon, 2 Mar 2026 09:00:00 +0000
 *   Message-ID: <x@example.org>
 *
 *   (no body)
 *
 * with the rules of DIR (default: the rules.d beside the binary, up to
 * three folders up, else ./rules.d).  A subject holding non-ASCII bytes is
 * written as RFC 2047 encoded words (charset UTF-8 when it is valid UTF-8,
 * else windows-1252), the way a mail program sends it, so that rules about
 * raw 8-bit header bytes do not fire on every such row; an ASCII subject
 * is folded before 998 bytes at a space.  Out, on stdout, per row:
 *
 *   {"label":"spam","source":"...","rules":{"subject/urgency":1},
 *    "tokens":["<allcaps>","free","free money","money"]}
 *
 * rules: every enabled rule of group subject that hit (reported or not),
 * but those of kind tokens, with its hit count capped at the rule's cap,
 * in id order; tokens: subject_tokens() of the subject block (sorted,
 * distinct).  Strings are JSON-escaped (invalid UTF-8 as U+FFFD).
 *
 * Exit status: 0; 1 a malformed TSV line (reported as FILE:LINE: ...);
 * 2 the file cannot be read; 3 bad usage; 4 invalid rules.  Limits: the
 * TSV at most FEATURES_FILE_MAX bytes.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "features_io.h"

/* RFC 2047 2: an encoded word is at most 75 characters; 45 bytes of
 * text make 60 of base64, plus "=?windows-1252?B?" and "?=". */
#define EW_BYTES 45
/* Fold an ASCII subject line before RFC 5322's 998. */
#define LINE_FOLD 900

/* --- the message --------------------------------------------------------- */

static int valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		uint32_t cp;
		size_t k = render_utf8(p, end, &cp);
		if (cp == SL_CP_BAD)
			return 0;
		p += k;
	}
	return 1;
}

static void base64(sl_out *o, const unsigned char *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = { tab[(v >> 18) & 63], tab[(v >> 12) & 63],
		              i + 1 < n ? tab[(v >> 6) & 63] : '=', i + 2 < n ? tab[v & 63] : '=' };
		out_add(o, q, 4);
	}
}

/* Encoded words of at most EW_BYTES bytes each, cut between characters,
 * one per folded line. */
static void encoded_words(sl_out *o, const char *s, size_t n)
{
	int utf8 = valid_utf8(s, n);
	const char *cs = utf8 ? "UTF-8" : "windows-1252";
	size_t i = 0;
	while (i < n) {
		size_t k = n - i < EW_BYTES ? n - i : EW_BYTES;
		if (utf8)
			while (k > 1 && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
				k--;
		out_addf(o, "%s=?%s?B?", i ? "\n " : "", cs);
		base64(o, (const unsigned char *)s + i, k);
		out_adds(o, "?=");
		i += k;
	}
}

/* An ASCII subject, folded at a space before LINE_FOLD bytes per line. */
static void ascii_subject(sl_out *o, const char *s, size_t n)
{
	size_t line = 9; /* "Subject: " */
	size_t i = 0;
	while (i < n) {
		size_t rest = n - i;
		if (line + rest <= LINE_FOLD) {
			out_add(o, s + i, rest);
			return;
		}
		size_t lim = LINE_FOLD - line, cut = 0;
		for (size_t k = lim; k > 0; k--)
			if (s[i + k] == ' ') {
				cut = k;
				break;
			}
		if (!cut) {  /* one long word: leave it whole */
			const char *sp = memchr(s + i + 1, ' ', rest - 1);
			cut = sp ? (size_t)(sp - (s + i)) : rest;
		}
		out_add(o, s + i, cut);
		i += cut;
		if (i < n)
			out_addc(o, '\n');
		line = 0;
	}
}

static void make_message(sl_out *o, const char *s, size_t n)
{
	int ascii = 1;
	for (size_t i = 0; i < n; i++)
		ascii &= (unsigned char)s[i] < 0x80;
	out_adds(o, "Subject: ");
	if (ascii)
		ascii_subject(o, s, n);
	else
		encoded_words(o, s, n);
	out_adds(o, "\nFrom: a@example.org\nTo: b@example.org\n"
	         "Date: Mon, 2 Mar 2026 09:00:00 +0000\nMessage-ID: <x@example.org>\n"
	         "\n(no body)\n");
}

/* --- one row -------------------------------------------------------------- */

typedef struct field {
	const char *p;
	size_t n;
} field;

static int features(sl_out *o, const sl_context *ctx, field label, field subject,
                    field source)
{
	sl_strbuf msg = { 0 };
	sl_out mo = { &msg, 0 };
	make_message(&mo, subject.p, subject.n);
	if (mo.err) {
		sl_strbuf_release(&msg);
		return SL_ENOMEM;
	}
	sl_result *r;
	int rc = sl_lint(&r, ctx, "subject.eml", (const unsigned char *)msg.buf, msg.len);
	sl_strbuf_release(&msg);
	if (rc)
		return rc;
	out_adds(o, "{\"label\":");
	render_json_str(o, label.p, label.n);
	out_adds(o, ",\"source\":");
	render_json_str(o, source.p, source.n);
	out_adds(o, ",\"rules\":{");
	int first = 1;
	for (size_t i = 0; i < ctx->nrule && r->rule_hits; i++) {
		const sl_rule *ru = ctx->rule[i];
		size_t hits = r->rule_hits[i];
		if (!hits || ru->kind == SL_RK_TOKENS || !ru->group ||
		    strcmp(ru->group, "subject") || !rule_on(ctx, ru))
			continue;
		if (ru->cap >= 1 && hits > (size_t)ru->cap)
			hits = (size_t)ru->cap;
		if (!first)
			out_addc(o, ',');
		first = 0;
		render_json_str(o, ru->id, strlen(ru->id));
		out_addf(o, ":%zu", hits);
	}
	out_adds(o, "},\"tokens\":[");
	for (size_t b = 0; b < r->doc.nblk; b++) {
		if (r->doc.blk[b].kind != SL_BLK_SUBJECT)
			continue;
		const char **tok;
		size_t n = subject_tokens(r, &r->doc.blk[b], &tok);
		for (size_t k = 0; k < n; k++) {
			if (k)
				out_addc(o, ',');
			render_json_str(o, tok[k], strlen(tok[k]));
		}
		break;
	}
	out_adds(o, "]}\n");
	sl_result_free(r);
	return o->err;
}

/* The fields of line [p, end) split at tabs into f[0..max); returns how
 * many there are (possibly more than max). */
static size_t split(const char *p, const char *end, field *f, size_t max)
{
	size_t n = 0;
	for (;;) {
		const char *t = memchr(p, '\t', (size_t)(end - p));
		const char *e = t ? t : end;
		if (n < max)
			f[n] = (field){ p, (size_t)(e - p) };
		n++;
		if (!t)
			return n;
		p = t + 1;
	}
}

static int field_is(field f, const char *s)
{
	return f.n == strlen(s) && !memcmp(f.p, s, f.n);
}

#define MAX_COLS 64

int main(int argc, char **argv)
{
	const char *rules = NULL, *path = NULL;
	int usage = 0;
	for (int i = 1; i < argc && !usage; i++) {
		if (!strcmp(argv[i], "--rules") && i + 1 < argc)
			rules = argv[++i];
		else if (!strncmp(argv[i], "--rules=", 8))
			rules = argv[i] + 8;
		else if ((argv[i][0] == '-' && argv[i][1]) || path)
			usage = 1;
		else
			path = argv[i];
	}
	if (!path || usage) {
		fprintf(stderr, "usage: subject_features [--rules DIR] FILE.tsv\n");
		return 3;
	}
	char *buf;
	size_t len;
	if (read_all(path, &buf, &len)) {
		fprintf(stderr, "subject_features: %s: %s\n", path, strerror(errno));
		return 2;
	}
	sl_options opts;
	memset(&opts, 0, sizeof opts);
	opts.default_rules = rules ? rules : default_rules();
	sl_context *ctx;
	int rc = sl_context_new(&ctx, &opts);
	if (rc) {
		fprintf(stderr, "%s", ctx ? sl_context_errmsg(ctx) : "out of memory\n");
		sl_context_free(ctx);
		free(buf);
		return rc == SL_EIO ? 2 : 4;
	}
	sl_strbuf sb = { 0 };
	sl_out o = { &sb, 0 };
	size_t col_label = SIZE_MAX, col_subject = SIZE_MAX, col_source = SIZE_MAX;
	size_t line = 0, ncol = 0;
	int status = 0;
	const char *p = buf, *end = buf + len;
	while (p < end && !status) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;
		line++;
		if (e > p && e[-1] == '\r')
			e--;
		field f[MAX_COLS];
		size_t n = split(p, e, f, MAX_COLS);
		p = next;
		if (line == 1) {
			for (size_t k = 0; k < n && k < MAX_COLS; k++) {
				if (field_is(f[k], "label"))
					col_label = k;
				else if (field_is(f[k], "subject"))
					col_subject = k;
				else if (field_is(f[k], "source"))
					col_source = k;
			}
			ncol = n;
			if (col_label == SIZE_MAX || col_subject == SIZE_MAX || col_source == SIZE_MAX) {
				fprintf(stderr, "%s:1: the header line must name the columns label, "
				        "subject and source\n", path);
				status = 1;
			}
			continue;
		}
		if (n == 1 && f[0].n == 0)
			continue; /* a blank line */
		if (n != ncol) {
			fprintf(stderr, "%s:%zu: %zu fields, the header has %zu\n", path, line, n, ncol);
			status = 1;
			break;
		}
		field lab = f[col_label];
		if (!field_is(lab, "spam") && !field_is(lab, "ham")) {
			fprintf(stderr, "%s:%zu: label '%.*s' is not spam or ham\n", path, line,
			        (int)lab.n, lab.p);
			status = 1;
			break;
		}
		rc = features(&o, ctx, lab, f[col_subject], f[col_source]);
		if (rc) {
			fprintf(stderr, "%s:%zu: out of memory\n", path, line);
			status = 2;
			break;
		}
		if (sb.len >= (1 << 16) || p >= end) {
			fwrite(sb.buf, 1, sb.len, stdout);
			sb.len = 0;
		}
	}
	if (sb.len)
		fwrite(sb.buf, 1, sb.len, stdout);
	sl_strbuf_release(&sb);
	sl_context_free(ctx);
	free(buf);
	if (fflush(stdout) && !status) {
		fprintf(stderr, "subject_features: cannot write the output\n");
		status = 2;
	}
	return status;
}
