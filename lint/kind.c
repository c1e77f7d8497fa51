/* STUB - replaced by the mime helper */
#include "internal.h"
sl_kind kind_detect(const char *name, const unsigned char *p, size_t len) { (void)name; (void)p; (void)len; return SL_KIND_TEXT; }
