/*
 * t_result.h - the unit tests' hand-built result: what sl_lint gives the
 * stages before they run (default limits, the line table, the source's
 * identity text, an empty document), so a test can call one stage alone.
 */
#ifndef SL_T_RESULT_H
#define SL_T_RESULT_H

#include <stdlib.h>

#include "internal.h"

static inline sl_result *t_result(const char *src, size_t len)
{
	sl_result *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	arena_init(&r->arena, NULL);
	r->lim = (sl_limits){ SL_DEFAULT_INPUT_SIZE, SL_DEFAULT_HEADER_COUNT,
	                      SL_DEFAULT_HEADER_LINE, SL_DEFAULT_MIME_DEPTH,
	                      SL_DEFAULT_MIME_PARTS, SL_DEFAULT_DECODED_SIZE,
	                      SL_DEFAULT_HTML_DEPTH, SL_DEFAULT_DIAGNOSTICS,
	                      SL_DEFAULT_REGEX_MATCH };
	r->name = "t";
	r->src = (const unsigned char *)src;
	r->len = len;
	source_lines(r);
	text_identity(&r->srctext, &r->arena, src, 0, len);
	r->doc.html_part = r->doc.text_part = r->doc.preheader_blk = -1;
	return r;
}

static inline void t_result_free(sl_result *r)
{
	arena_release(&r->arena);
	free(r);
}

#endif
