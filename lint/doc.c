/*
 * doc.c - growing the document model's arrays.
 *
 * In: a result.  Out: a new zeroed block, link, image or element appended
 * to r->doc; the stages fill it in.  Each array grows by doubling in the
 * file's arena (in place where the arena can: see arena_resize), and
 * doc_trim gives back the unused part once the document is built.
 */
#include "internal.h"

#define DOC_ADD(arr, n, alloc)                                              \
	do {                                                                \
		if (d->n == d->alloc) {                                     \
			size_t na = d->alloc ? d->alloc * 2 : 16;           \
			d->arr = arena_grow(&r->arena, d->arr, d->n, na,    \
			                    sizeof *d->arr);                \
			d->alloc = na;                                      \
		}                                                           \
		memset(&d->arr[d->n], 0, sizeof d->arr[d->n]);              \
		return &d->arr[d->n++];                                     \
	} while (0)

sl_block *doc_add_block(sl_result *r)
{
	sl_doc *d = &r->doc;
	if (d->nblk == d->blkalloc) {
		size_t na = d->blkalloc ? d->blkalloc * 2 : 16;
		d->blk = arena_grow(&r->arena, d->blk, d->nblk, na, sizeof *d->blk);
		d->blkalloc = na;
	}
	sl_block *b = &d->blk[d->nblk++];
	memset(b, 0, sizeof *b);
	b->link = -1;
	return b;
}

sl_link *doc_add_link(sl_result *r)
{
	sl_doc *d = &r->doc;
	DOC_ADD(link, nlink, linkalloc);
}

sl_image *doc_add_image(sl_result *r)
{
	sl_doc *d = &r->doc;
	DOC_ADD(img, nimg, imgalloc);
}

sl_elem *doc_add_elem(sl_result *r)
{
	sl_doc *d = &r->doc;
	DOC_ADD(elem, nelem, elemalloc);
}

sl_comment *doc_add_comment(sl_result *r)
{
	sl_doc *d = &r->doc;
	DOC_ADD(comment, ncomment, commentalloc);
}

#define DOC_TRIM(arr, n, alloc)                                             \
	do {                                                                \
		if (d->arr && d->alloc > d->n) {                            \
			size_t keep = d->n ? d->n : 1;                      \
			d->arr = arena_resize(&r->arena, d->arr,            \
			                      d->alloc * sizeof *d->arr,    \
			                      keep * sizeof *d->arr,        \
			                      keep * sizeof *d->arr);       \
			d->alloc = keep;                                    \
		}                                                           \
	} while (0)

void doc_trim(sl_result *r)
{
	sl_doc *d = &r->doc;
	DOC_TRIM(blk, nblk, blkalloc);
	DOC_TRIM(link, nlink, linkalloc);
	DOC_TRIM(img, nimg, imgalloc);
	DOC_TRIM(elem, nelem, elemalloc);
	DOC_TRIM(comment, ncomment, commentalloc);
}

static const char *const block_names[SL_BLK_NKINDS] = {
	[SL_BLK_SUBJECT] = "subject",
	[SL_BLK_PREHEADER] = "preheader",
	[SL_BLK_TITLE] = "title",
	[SL_BLK_HEADING] = "heading",
	[SL_BLK_PARAGRAPH] = "paragraph",
	[SL_BLK_LIST_ITEM] = "list-item",
	[SL_BLK_CELL] = "cell",
	[SL_BLK_BUTTON] = "button",
	[SL_BLK_QUOTE] = "quote",
	[SL_BLK_PRE] = "pre",
};

const char *block_kind_name(sl_block_kind k)
{
	return (unsigned)k < SL_BLK_NKINDS ? block_names[k] : "?";
}

const sl_header *part_header(const sl_part *p, const char *name)
{
	for (size_t i = 0; i < p->nhdr; i++)
		if (str_ieq(p->hdr[i].name, name))
			return &p->hdr[i];
	return NULL;
}

size_t part_header_count(const sl_part *p, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nhdr; i++)
		if (str_ieq(p->hdr[i].name, name))
			n++;
	return n;
}
