/*
 * bug.c - broken invariants.  A bug is not an input error: it names the
 * source line and stops the process so that tests and fuzzers catch it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

void sl_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "sendlint: BUG at %s:%d: %s\n", file, line, what);
	abort(); /* BUG */
}
