/*
 * fuzz_lint.c - libFuzzer target over the library entry point: every
 * input is linted with the bundled rules and rendered in every format.
 * Crashes, hangs, leaks and sanitizer reports are failures.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sendlint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sl_context *ctx;

static void render(const sl_result *res, sl_format fmt)
{
	sl_renderer *rd = NULL;
	sl_strbuf out = { 0 };
	if (sl_renderer_new(&rd, fmt, NULL) == SL_OK) {
		sl_renderer_add(&out, rd, res);
		sl_renderer_finish(&out, rd);
	}
	sl_renderer_free(rd);
	sl_strbuf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctx) {
		sl_options o = { 0 };
		const char *rules = getenv("SENDLINT_RULES");
		o.default_rules = rules ? rules : "rules.d";
		if (sl_context_new(&ctx, &o) != SL_OK)
			abort();
	}
	/* the first byte picks the name, so kind detection's tie-breaker
	 * (the extension) is explored too */
	static const char *const names[] = { "f.eml", "f.html", "f.txt", "f" };
	const char *name = names[size ? data[0] % 4 : 0];
	sl_result *res = NULL;
	if (sl_lint(&res, ctx, name, data, size) != SL_OK)
		return 0;
	render(res, SL_FMT_TEXT);
	render(res, SL_FMT_JSON);
	render(res, SL_FMT_SARIF);
	render(res, SL_FMT_DUMP);
	sl_result_free(res);
	return 0;
}
