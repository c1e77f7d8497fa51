/* STUB - replaced by the decode helper */
#include "internal.h"
void decode_part(sl_result *r, sl_part *p) { (void)r; (void)p; }
void decode_header_value(sl_result *r, const sl_text *raw, sl_text *out) { (void)r; *out = *raw; }
