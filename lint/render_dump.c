/*
 * render_dump.c - the document model as the linter sees it (--dump).
 *
 * In: one result.  Out: plain lines, fixed order, no colour, so tests can
 * compare them exactly:
 *
 *   dump: NAME
 *   kind: eml|html|text
 *   body: html part H, text part T      (either may be "none")
 *   parts:                              (indented two more per depth)
 *     I TYPE/SUB[ charset=C] encoding=E[ disposition=D][ filename='F']
 *       [ attachment] at L:C
 *   headers:                            (the root's fields)
 *     RANGE NAME: 'decoded value'
 *   title: 'TEXT'
 *   preheader: block N | none
 *   blocks:
 *     N KIND[ LEVEL][ [hidden]][ [alt]] RANGE part P[ link L]: 'TEXT'
 *       sentence N RANGE: 'TEXT'
 *   links:    N RANGE href='H' at RANGE text='TEXT' part P[ [hidden]]
 *   images:   N RANGE src='S' alt='A' WxH part P[ [hidden]]
 *   elements: N RANGE NAME attrs='A' part P
 *   comments: N RANGE 'TEXT' part P
 *
 * Indices are 0-based (as the model's own).  RANGE is "L:C-L:C" of the
 * original file (end exclusive), with a trailing '~' when the span is
 * not exact (decoded text).  An empty section prints "none" after its
 * colon.  Quoted text escapes \ ' and controls (\n \r \t \xNN, also for
 * invalid UTF-8 bytes) and is cut after 200 code points with "...".
 */
#include "internal.h"

/* Code points of one quoted text before it is cut. */
#define DUMP_TEXT_MAX 200

static void dump_quoted(sl_out *o, const char *s, size_t n)
{
	if (!s) {
		/* an empty text may have no bytes at all */
		s = "";
		n = 0;
	}
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t cps = 0;
	out_addc(o, '\'');
	while (p < end) {
		if (cps == DUMP_TEXT_MAX) {
			out_adds(o, "...");
			break;
		}
		uint32_t cp;
		size_t len = render_utf8(p, end, &cp);
		if (cp == '\\' || cp == '\'') {
			out_addc(o, '\\');
			out_addc(o, (char)cp);
		} else if (cp == '\n') {
			out_adds(o, "\\n");
		} else if (cp == '\r') {
			out_adds(o, "\\r");
		} else if (cp == '\t') {
			out_adds(o, "\\t");
		} else if (cp == SL_CP_BAD || cp < 0x20 || cp == 0x7F) {
			out_addf(o, "\\x%02x", p[0]);
		} else if (cp >= 0x80 && cp <= 0x9F) {
			out_addf(o, "\\u%04x", (unsigned)cp);
		} else {
			out_add(o, p, len);
		}
		p += len;
		cps++;
	}
	out_addc(o, '\'');
}

static void dump_quoted_s(sl_out *o, const char *s)
{
	dump_quoted(o, s, s ? strlen(s) : 0);
}

static void dump_range(sl_out *o, const sl_result *r, sl_span sp)
{
	size_t l1, c1, l2, c2;
	source_linecol(r, sp.off, &l1, &c1);
	source_linecol(r, sp.end, &l2, &c2);
	out_addf(o, "%zu:%zu-%zu:%zu%s", l1, c1, l2, c2, sp.exact ? "" : "~");
}

static void dump_section(sl_out *o, const char *name, size_t n)
{
	out_addf(o, "%s:%s\n", name, n ? "" : " none");
}

static void dump_part(sl_out *o, const sl_result *r, const sl_part *p)
{
	size_t line, col;
	out_repeat(o, ' ', 2 + 2 * (size_t)(p->depth > 0 ? p->depth : 0));
	out_addf(o, "%d ", p->index);
	out_adds(o, p->type ? p->type : "?");
	out_addc(o, '/');
	out_adds(o, p->subtype ? p->subtype : "?");
	if (p->charset) {
		out_adds(o, " charset=");
		out_adds(o, p->charset);
	}
	out_adds(o, " encoding=");
	out_adds(o, p->encoding ? p->encoding : "?");
	if (p->disposition) {
		out_adds(o, " disposition=");
		out_adds(o, p->disposition);
	}
	if (p->filename) {
		out_adds(o, " filename=");
		dump_quoted_s(o, p->filename);
	}
	if (p->attachment)
		out_adds(o, " attachment");
	source_linecol(r, p->off, &line, &col);
	out_addf(o, " at %zu:%zu\n", line, col);
}

static void dump_parts(sl_out *o, const sl_result *r)
{
	const sl_doc *d = &r->doc;
	out_adds(o, "body: ");
	if (d->html_part >= 0)
		out_addf(o, "html part %d", d->html_part);
	else
		out_adds(o, "html none");
	if (d->text_part >= 0)
		out_addf(o, ", text part %d\n", d->text_part);
	else
		out_adds(o, ", text none\n");
	dump_section(o, "parts", d->nparts);
	for (size_t i = 0; i < d->nparts; i++)
		dump_part(o, r, d->parts[i]);
	size_t nhdr = d->root ? d->root->nhdr : 0;
	dump_section(o, "headers", nhdr);
	for (size_t i = 0; i < nhdr; i++) {
		const sl_header *h = &d->root->hdr[i];
		out_adds(o, "  ");
		dump_range(o, r, (sl_span){ h->off, h->end, 1 });
		out_addc(o, ' ');
		dump_quoted(o, h->name.p, h->name.len);
		out_adds(o, ": ");
		dump_quoted(o, h->value.p, h->value.len);
		out_addc(o, '\n');
	}
}

static void dump_block(sl_out *o, const sl_result *r, size_t i)
{
	const sl_block *b = &r->doc.blk[i];
	out_addf(o, "  %zu %s", i, block_kind_name(b->kind));
	if (b->level)
		out_addf(o, " %d", b->level);
	if (b->hidden)
		out_adds(o, " [hidden]");
	if (b->alternative)
		out_adds(o, " [alt]");
	out_addc(o, ' ');
	dump_range(o, r, text_whole(&b->text));
	out_addf(o, " part %d", b->part);
	if (b->link >= 0)
		out_addf(o, " link %d", b->link);
	out_adds(o, ": ");
	dump_quoted(o, b->text.p, b->text.len);
	out_addc(o, '\n');
	for (size_t k = 0; k < b->nsent; k++) {
		const sl_sentence *s = &b->sent[k];
		size_t off = s->off, end = s->end;
		if (end > b->text.len)
			end = b->text.len;
		if (off > end)
			off = end;
		out_addf(o, "    sentence %zu ", k);
		dump_range(o, r, text_span(&b->text, off, end));
		out_adds(o, ": ");
		dump_quoted(o, b->text.p + off, end - off);
		out_addc(o, '\n');
	}
}

static void dump_blocks(sl_out *o, const sl_result *r)
{
	const sl_doc *d = &r->doc;
	out_adds(o, "title: ");
	dump_quoted(o, d->title.p, d->title.len);
	out_addc(o, '\n');
	if (d->preheader_blk >= 0)
		out_addf(o, "preheader: block %d\n", d->preheader_blk);
	else
		out_adds(o, "preheader: none\n");
	dump_section(o, "blocks", d->nblk);
	for (size_t i = 0; i < d->nblk; i++)
		dump_block(o, r, i);
}

static void dump_size(sl_out *o, long v)
{
	if (v >= 0)
		out_addf(o, "%ld", v);
	else
		out_addc(o, '?');
}

static void dump_facts(sl_out *o, const sl_result *r)
{
	const sl_doc *d = &r->doc;
	dump_section(o, "links", d->nlink);
	for (size_t i = 0; i < d->nlink; i++) {
		const sl_link *l = &d->link[i];
		out_addf(o, "  %zu ", i);
		dump_range(o, r, l->span);
		if (l->href) {
			out_adds(o, " href=");
			dump_quoted_s(o, l->href);
			out_adds(o, " at ");
			dump_range(o, r, l->href_span);
		} else {
			out_adds(o, " href=none");
		}
		out_adds(o, " text=");
		dump_quoted(o, l->text.p, l->text.len);
		out_addf(o, " part %d%s\n", l->part, l->hidden ? " [hidden]" : "");
	}
	dump_section(o, "images", d->nimg);
	for (size_t i = 0; i < d->nimg; i++) {
		const sl_image *im = &d->img[i];
		out_addf(o, "  %zu ", i);
		dump_range(o, r, im->span);
		out_adds(o, " src=");
		if (im->src)
			dump_quoted_s(o, im->src);
		else
			out_adds(o, "none");
		out_adds(o, " alt=");
		if (im->has_alt)
			dump_quoted(o, im->alt.p, im->alt.len);
		else
			out_adds(o, "none");
		out_addc(o, ' ');
		dump_size(o, im->width);
		out_addc(o, 'x');
		dump_size(o, im->height);
		out_addf(o, " part %d%s\n", im->part, im->hidden ? " [hidden]" : "");
	}
	dump_section(o, "elements", d->nelem);
	for (size_t i = 0; i < d->nelem; i++) {
		const sl_elem *e = &d->elem[i];
		out_addf(o, "  %zu ", i);
		dump_range(o, r, e->span);
		out_addc(o, ' ');
		out_adds(o, e->name ? e->name : "?");
		out_adds(o, " attrs=");
		dump_quoted_s(o, e->attrs);
		out_addf(o, " part %d\n", e->part);
	}
	dump_section(o, "comments", d->ncomment);
	for (size_t i = 0; i < d->ncomment; i++) {
		const sl_comment *c = &d->comment[i];
		out_addf(o, "  %zu ", i);
		dump_range(o, r, c->span);
		out_addc(o, ' ');
		dump_quoted(o, c->text.p, c->text.len);
		out_addf(o, " part %d\n", c->part);
	}
}

static const char *kind_name(sl_kind k)
{
	return k == SL_KIND_EML ? "eml" : k == SL_KIND_HTML ? "html" : "text";
}

void render_dump(sl_out *o, const sl_result *r)
{
	out_adds(o, "dump: ");
	dump_quoted_s(o, r->name);
	out_addc(o, '\n');
	out_addf(o, "kind: %s\n", kind_name(r->doc.kind));
	dump_parts(o, r);
	dump_blocks(o, r);
	dump_facts(o, r);
}
