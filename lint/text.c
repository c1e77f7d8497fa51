/* STUB - replaced by the text helper */
#include "internal.h"
void text_plain_blocks(sl_result *r, const sl_text *t, int part) { sl_block *b = doc_add_block(r); b->kind = SL_BLK_PARAGRAPH; b->part = part; b->text = *t; }
void text_subject_block(sl_result *r) { (void)r; }
void text_analyse(sl_result *r) { (void)r; }
size_t text_words(sl_result *r, const sl_text *t, sl_word **out) { (void)r; (void)t; *out = NULL; return 0; }
