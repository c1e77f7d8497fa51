/* STUB - replaced by the html helper */
#include "internal.h"
void html_extract(sl_result *r, const sl_text *html, int part) { (void)r; (void)html; (void)part; }
