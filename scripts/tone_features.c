/*
 * tone_features.c - the features the tone score is fitted on, one JSON
 * line per labelled text (or per file), for scripts/train_tone.py.
 *
 *   build/release/tone_features [--rules DIR] FILE.tsv
 *   build/release/tone_features [--rules DIR] --files PATH...
 *
 * In: a TSV whose header line names the columns label and text (any
 * order, other columns ignored), one text per line, any labels; each
 * text is linted as the plain-text template "text.txt" with the rules of
 * DIR (default: the rules.d beside the binary, up to three folders up,
 * else ./rules.d).  With --files, each PATH is read and linted as it is
 * (its name decides nothing but ties, as in sendlint), labelled with its
 * path.  Out, on stdout, per text or file:
 *
 *   {"label":"not","rules":{"tone/blame-shifting":1},
 *    "paragraphs":[["a","a b","b"]],"sentences":[["a","a b"],["b"]]}
 *
 * rules: every enabled, reported rule of group tone that hit, but those
 * of kind tokens, with its hit count capped at the rule's cap, in id
 * order; paragraphs: per body block (paragraph scope: not the subject,
 * preheader or title, not a text/plain alternative, not hidden) its
 * tokens as the tokens kind makes them (subject_tokens: sorted,
 * distinct); sentences: the same per sentence of those blocks, in
 * document order.  Strings are JSON-escaped (invalid UTF-8 as U+FFFD).
 *
 * Exit status: 0; 1 a malformed TSV line (reported as FILE:LINE: ...);
 * 2 a file cannot be read; 3 bad usage; 4 invalid rules.  Limits: the
 * TSV, and each --files file, at most FEATURES_FILE_MAX bytes.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "features_io.h"

#define MAX_COLS 64

/* --- one text ------------------------------------------------------------ */

static void tokens_array(sl_out *o, sl_result *r, const sl_block *b)
{
	const char **tok;
	size_t n = subject_tokens(r, b, &tok);
	out_addc(o, '[');
	for (size_t k = 0; k < n; k++) {
		if (k)
			out_addc(o, ',');
		render_json_str(o, tok[k], strlen(tok[k]));
	}
	out_addc(o, ']');
}

static int body_block(const sl_result *r, size_t i)
{
	const sl_block *b = &r->doc.blk[i];
	return scope_has_block(r, SL_SC_PARAGRAPH, 0, i) && b->kind != SL_BLK_SUBJECT &&
	       b->kind != SL_BLK_PREHEADER && b->kind != SL_BLK_TITLE;
}

static void rules_object(sl_out *o, const sl_context *ctx, const sl_result *r)
{
	out_adds(o, "\"rules\":{");
	int first = 1;
	for (size_t i = 0; i < ctx->nrule && r->rule_hits; i++) {
		const sl_rule *ru = ctx->rule[i];
		size_t hits = r->rule_hits[i];
		if (!hits || ru->kind == SL_RK_TOKENS || !ru->report || !ru->group ||
		    strcmp(ru->group, "tone") || !rule_on(ctx, ru))
			continue;
		if (ru->cap >= 1 && hits > (size_t)ru->cap)
			hits = (size_t)ru->cap;
		if (!first)
			out_addc(o, ',');
		first = 0;
		render_json_str(o, ru->id, strlen(ru->id));
		out_addf(o, ":%zu", hits);
	}
	out_addc(o, '}');
}

static int features(sl_out *o, const sl_context *ctx, const char *label, size_t labellen,
                    const char *name, const char *text, size_t len)
{
	sl_result *r;
	int rc = sl_lint(&r, ctx, name, (const unsigned char *)text, len);
	if (rc)
		return rc;
	out_adds(o, "{\"label\":");
	render_json_str(o, label, labellen);
	out_addc(o, ',');
	rules_object(o, ctx, r);
	out_adds(o, ",\"paragraphs\":[");
	int first = 1;
	for (size_t b = 0; b < r->doc.nblk; b++) {
		if (!body_block(r, b))
			continue;
		if (!first)
			out_addc(o, ',');
		first = 0;
		tokens_array(o, r, &r->doc.blk[b]);
	}
	out_adds(o, "],\"sentences\":[");
	first = 1;
	for (size_t b = 0; b < r->doc.nblk; b++) {
		if (!body_block(r, b))
			continue;
		const sl_block *blk = &r->doc.blk[b];
		for (size_t s = 0; s < blk->nsent; s++) {
			const sl_sentence *se = &blk->sent[s];
			if (se->word0 > blk->nword || se->nword > blk->nword - se->word0)
				continue;
			/* the sentence as a block of its own words */
			sl_block one = *blk;
			one.word = blk->word + se->word0;
			one.nword = se->nword;
			if (!first)
				out_addc(o, ',');
			first = 0;
			tokens_array(o, r, &one);
		}
	}
	out_adds(o, "]}\n");
	sl_result_free(r);
	return o->err;
}

/* --- input ---------------------------------------------------------------- */

typedef struct field {
	const char *p;
	size_t n;
} field;

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

static void flush(sl_strbuf *sb, int last)
{
	if (sb->len >= (1 << 16) || (last && sb->len)) {
		fwrite(sb->buf, 1, sb->len, stdout);
		sb->len = 0;
	}
}

static int run_tsv(const sl_context *ctx, const char *path, sl_out *o)
{
	char *buf;
	size_t len;
	if (read_all(path, &buf, &len)) {
		fprintf(stderr, "tone_features: %s: %s\n", path, strerror(errno));
		return 2;
	}
	size_t col_label = SIZE_MAX, col_text = SIZE_MAX, line = 0, ncol = 0;
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
				else if (field_is(f[k], "text"))
					col_text = k;
			}
			ncol = n;
			if (col_label == SIZE_MAX || col_text == SIZE_MAX) {
				fprintf(stderr, "%s:1: the header line must name the columns label "
				        "and text\n", path);
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
		field lab = f[col_label], text = f[col_text];
		if (features(o, ctx, lab.p, lab.n, "text.txt", text.p, text.n)) {
			fprintf(stderr, "%s:%zu: out of memory\n", path, line);
			status = 2;
		}
		flush(o->sb, p >= end);
	}
	flush(o->sb, 1);
	free(buf);
	return status;
}

static int run_files(const sl_context *ctx, char **paths, int n, sl_out *o)
{
	for (int i = 0; i < n; i++) {
		char *buf;
		size_t len;
		if (read_all(paths[i], &buf, &len)) {
			fprintf(stderr, "tone_features: %s: %s\n", paths[i], strerror(errno));
			return 2;
		}
		int rc = features(o, ctx, paths[i], strlen(paths[i]), paths[i], buf, len);
		free(buf);
		if (rc) {
			fprintf(stderr, "tone_features: %s: out of memory\n", paths[i]);
			return 2;
		}
		flush(o->sb, i + 1 == n);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *rules = NULL;
	int files = 0, i = 1;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--rules") && i + 1 < argc)
			rules = argv[++i];
		else if (!strncmp(argv[i], "--rules=", 8))
			rules = argv[i] + 8;
		else if (!strcmp(argv[i], "--files"))
			files = 1;
		else
			break;
	}
	if (i == argc || (!files && (i + 1 != argc || argv[i][0] == '-'))) {
		fprintf(stderr, "usage: tone_features [--rules DIR] FILE.tsv\n"
		        "       tone_features [--rules DIR] --files PATH...\n");
		return 3;
	}
	sl_options opts;
	memset(&opts, 0, sizeof opts);
	opts.default_rules = rules ? rules : default_rules();
	sl_context *ctx;
	int rc = sl_context_new(&ctx, &opts);
	if (rc) {
		fprintf(stderr, "%s", ctx ? sl_context_errmsg(ctx) : "out of memory\n");
		sl_context_free(ctx);
		return rc == SL_EIO ? 2 : 4;
	}
	sl_strbuf sb = { 0 };
	sl_out o = { &sb, 0 };
	int status = files ? run_files(ctx, argv + i, argc - i, &o) : run_tsv(ctx, argv[i], &o);
	sl_strbuf_release(&sb);
	sl_context_free(ctx);
	if (fflush(stdout) && !status) {
		fprintf(stderr, "tone_features: cannot write the output\n");
		status = 2;
	}
	return status;
}
