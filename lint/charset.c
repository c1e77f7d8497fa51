/* STUB - replaced by the decode helper */
#include "internal.h"
void charset_to_utf8(sl_result *r, const char *cs, const sl_text *in, sl_text *out, sl_span decl) { (void)r; (void)cs; (void)decl; *out = *in; }
const char *charset_sniff_html(sl_result *r, const sl_text *t, sl_span *decl) { (void)r; (void)t; (void)decl; return NULL; }
