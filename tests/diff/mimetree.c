/*
 * mimetree.c - sendlint's view of a message's MIME tree, for the
 * differential test against Python's email package (tests/diff/run.sh).
 *
 * In: one file path (and -d to also list the diagnostics on stderr), or
 * "-o DIR" and any number of paths (one context for all: loading the
 * dictionary dominates the run time of one small file).
 * Out on stdout (or DIR/i.out for the i-th path, from 1): one line per
 * part of r->doc.parts (depth-first), fields separated by tabs:
 *   DEPTH  TYPE/SUBTYPE  CHARSET  [TEXT]
 * CHARSET is the lower-cased declared charset or "-"; TEXT, only for parts
 * that have a decoded text, is a JSON string literal.  Bytes that are not
 * valid UTF-8 (the library promises UTF-8, so these are bugs) are written
 * as \uDCxx, the lone surrogate of Python's surrogateescape, so that the
 * comparison sees and names them.  A file that the library did not read
 * as a message gets a first line "# kind: html|text".
 * Exit status: 0, 2 when a file cannot be read or written, 3 when the
 * library fails.
 * Limits: the whole file is read into memory (the library's own input-size
 * limit applies); no rules are loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Read all of f into a malloc'd buffer; -1 on failure. */
static int slurp(FILE *f, unsigned char **out, size_t *outlen)
{
	size_t len = 0, alloc = 1 << 16;
	unsigned char *b = malloc(alloc);
	if (!b)
		return -1;
	for (;;) {
		if (len == alloc) {
			unsigned char *nb = alloc > ((size_t)1 << 30) ? NULL : realloc(b, alloc * 2);
			if (!nb) {
				free(b);
				return -1;
			}
			b = nb;
			alloc *= 2;
		}
		size_t n = fread(b + len, 1, alloc - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(b);
		return -1;
	}
	*out = b;
	*outlen = len;
	return 0;
}

/* Length of the valid UTF-8 sequence at p (p < end), or 0 if it is not
 * one (overlong, surrogate, past U+10FFFF, truncated). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return n;
}

/* p[0..n) as a JSON string literal. */
static void put_json(FILE *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	fputc('"', o);
	while (p < end) {
		unsigned c = *p;
		size_t len = utf8_len(p, end);
		if (len == 0) {
			fprintf(o, "\\udc%02x", c);
			p++;
			continue;
		}
		if (len > 1) {
			fwrite(p, 1, len, o);
		} else if (c == '"' || c == '\\') {
			fprintf(o, "\\%c", (int)c);
		} else if (c == '\n') {
			fputs("\\n", o);
		} else if (c == '\r') {
			fputs("\\r", o);
		} else if (c == '\t') {
			fputs("\\t", o);
		} else if (c < 0x20 || c == 0x7F) {
			fprintf(o, "\\u%04x", c);
		} else {
			fputc((int)c, o);
		}
		p += len;
	}
	fputc('"', o);
}

/* A charset as the comparison expects it: as is when it is printable
 * ASCII without blanks, a JSON string otherwise, "-" when absent. */
static void put_charset(FILE *o, const char *cs)
{
	if (!cs) {
		fputc('-', o);
		return;
	}
	int plain = *cs != '\0' && strcmp(cs, "-");
	for (const char *c = cs; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7F || *c == '"')
			plain = 0;
	if (plain)
		fputs(cs, o);
	else
		put_json(o, cs, strlen(cs));
}

static void put_tree(FILE *o, const sl_result *r)
{
	if (r->doc.kind != SL_KIND_EML)
		fprintf(o, "# kind: %s\n", r->doc.kind == SL_KIND_HTML ? "html" : "text");
	for (size_t i = 0; i < r->doc.nparts; i++) {
		const sl_part *p = r->doc.parts[i];
		fprintf(o, "%d\t%s/%s\t", p->depth, p->type ? p->type : "?",
		       p->subtype ? p->subtype : "?");
		put_charset(o, p->charset);
		if (p->has_text) {
			fputc('\t', o);
			put_json(o, p->text.p, p->text.len);
		}
		fputc('\n', o);
	}
}

static void put_diags(const sl_result *r)
{
	for (size_t i = 0; i < sl_result_count(r); i++) {
		const sl_diag *d = sl_result_diag(r, i);
		fprintf(stderr, "# %s @%zu-%zu: %s\n", d->rule, d->offset,
		        d->end_offset, d->message);
	}
}

/* Lint one file and write its tree to o; 0, 2 (unreadable), 3 (library). */
static int one_file(FILE *o, const sl_context *ctx, const char *path, int diags)
{
	FILE *f = fopen(path, "rb");
	unsigned char *bytes;
	size_t len;
	if (!f || slurp(f, &bytes, &len) < 0) {
		fprintf(stderr, "mimetree: cannot read '%s'\n", path);
		if (f)
			fclose(f);
		return 2;
	}
	fclose(f);
	sl_result *r = NULL;
	if (sl_lint(&r, ctx, path, bytes, len) != SL_OK) {
		fprintf(stderr, "mimetree: '%s': out of memory\n", path);
		free(bytes);
		return 3;
	}
	put_tree(o, r);
	if (diags)
		put_diags(r);
	sl_result_free(r);
	free(bytes);
	return 0;
}

/* Batch mode: file i (from 1) of files[0..n) goes to DIR/i.out. */
static int batch(const sl_context *ctx, const char *dir, char **files, int n)
{
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char out[4096];
		int k = snprintf(out, sizeof out, "%s/%d.out", dir, i + 1);
		FILE *o = k > 0 && (size_t)k < sizeof out ? fopen(out, "w") : NULL;
		if (!o) {
			fprintf(stderr, "mimetree: cannot write '%s/%d.out'\n", dir, i + 1);
			return 2;
		}
		int frc = one_file(o, ctx, files[i], 0);
		if (fclose(o) != 0 && !frc)
			frc = 2;
		if (frc)
			rc = frc;
	}
	return rc;
}

int main(int argc, char **argv)
{
	int diags = argc == 3 && !strcmp(argv[1], "-d");
	int many = argc >= 3 && !strcmp(argv[1], "-o");
	if (!many && argc != 2 + diags) {
		fputs("usage: mimetree [-d] FILE\n"
		      "       mimetree -o DIR FILE...   (file i's tree in DIR/i.out)\n",
		      stderr);
		return 2;
	}
	sl_options opts;
	memset(&opts, 0, sizeof opts);
	opts.default_rules = NULL;
	sl_context *ctx = NULL;
	if (sl_context_new(&ctx, &opts) != SL_OK) {
		fprintf(stderr, "mimetree: %s\n", ctx ? sl_context_errmsg(ctx) : "out of memory");
		sl_context_free(ctx);
		return 3;
	}
	int rc;
	if (many)
		rc = batch(ctx, argv[2], argv + 3, argc - 3);
	else
		rc = one_file(stdout, ctx, argv[1 + diags], diags);
	sl_context_free(ctx);
	if (fflush(stdout) != 0 && !rc)
		rc = 2;
	return rc;
}
