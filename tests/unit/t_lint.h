/*
 * tests/unit/t_lint.h - lint a string and render the diagnostics of some
 * rules on one line each ("rule@off-end[~] message => 'fix' (note)"), for
 * tests that compare with an exact expected string.  Include after t.h.
 */
#ifndef T_LINT_H
#define T_LINT_H

#include <stdio.h>
#include <string.h>

#include "sendlint.h"

/* Is rule one of the comma-separated ids of list? */
static int t_has_rule(const char *rule, const char *list)
{
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (strlen(rule) == n && !strncmp(rule, p, n))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

/* The diagnostics of the rules in list, with their fix-its when fixits is
 * set, into out (truncated at size). */
static void t_render(sl_context *ctx, const char *name, const char *in, const char *list,
                     int fixits, char *out, size_t size)
{
	sl_result *r;
	out[0] = 0;
	if (sl_lint(&r, ctx, name, (const unsigned char *)in, strlen(in))) {
		snprintf(out, size, "(lint failed)");
		return;
	}
	size_t n = 0;
#define ADD(...) n += (size_t)snprintf(out + n, n < size ? size - n : 0, __VA_ARGS__)
	for (size_t i = 0; i < sl_result_count(r); i++) {
		const sl_diag *d = sl_result_diag(r, i);
		if (!t_has_rule(d->rule, list))
			continue;
		ADD("%s%s@%zu-%zu%s %s", n ? "\n" : "", d->rule, d->offset, d->end_offset,
		    d->exact ? "" : "~", d->message);
		for (size_t k = 0; fixits && k < d->nfixits; k++)
			ADD(" => '%s'", d->fixits[k].text);
		for (size_t k = 0; k < d->nnotes; k++)
			ADD(" (%s)", d->notes[k]);
	}
#undef ADD
	sl_result_free(r);
}

#endif
