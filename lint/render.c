/* STUB - replaced by the render helper */
#include <stdlib.h>
#include "internal.h"
int sl_render_begin(sl_strbuf *out, sl_format fmt) { (void)out; (void)fmt; return 0; }
int sl_render(sl_strbuf *out, const sl_result *res, sl_format fmt, const sl_render_opts *opts) { (void)out; (void)res; (void)fmt; (void)opts; return 0; }
int sl_render_end(sl_strbuf *out, sl_format fmt) { (void)out; (void)fmt; return 0; }
