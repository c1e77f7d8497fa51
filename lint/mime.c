/* STUB - replaced by the mime helper */
#include "internal.h"
void mime_parse(sl_result *r) {
	sl_part *p = arena_zalloc(&r->arena, sizeof *p);
	p->type = "text"; p->subtype = "plain"; p->encoding = "8bit";
	p->off = 0; p->end = r->len; p->body_off = 0; p->body_end = r->len;
	p->text = r->srctext; p->has_text = 1;
	r->doc.root = p;
	r->doc.parts = arena_alloc(&r->arena, sizeof *r->doc.parts);
	r->doc.parts[0] = p; r->doc.nparts = 1;
}
