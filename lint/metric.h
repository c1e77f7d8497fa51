/*
 * metric.h - what the metric modules share: metric.c (the kind, the
 * registry and the text measurements), metric_links.c (links, images,
 * elements: where a message's HTML points and what it embeds) and
 * metric_compliance.c (unsubscribe, postal address, clipping, body
 * alternatives, template hygiene).
 *
 * A measurement is a function of one scope instance (an mset) that returns
 * its value, or NAN when there is nothing to measure (it then never hits).
 * A measurement that locates what it counts (metric.locates) records each
 * thing with metric_item_add(); the kind turns them into hits by the
 * rule's `span:`.  Items may lie in any text of the result, including
 * r->srctext (the original file: a tag's or attribute's span).
 */
#ifndef SL_METRIC_H
#define SL_METRIC_H

#include <math.h>

#include "internal.h"

typedef struct mrule mrule;

/* Things one instance holds that a metric counted and located (past it,
 * input/limit-metric-items once). */
#define METRIC_ITEMS ((size_t)1000)

/* Something a metric counted, located: a hit of its own with `span:
 * each`, part of the hit's range with `span: items`. */
typedef struct mitem {
	const sl_text *t;       /* the text it is in: a block's, a header's raw value */
	uint32_t off, end;
	const char *fix;        /* a replacement the metric computed, or NULL */
	const char *note;       /* or NULL */
	int blk;                /* its block, -1 none, -2 the instance's */
} mitem;

/* What a measurement leaves besides its value. */
typedef struct mout {
	mitem *item;
	size_t n, alloc;
	int full;               /* METRIC_ITEMS reached (reported once) */
	const char *note;       /* for a hit that spans the instance */
} mout;

/* One scope instance (or, for body and message scopes, all of them). */
typedef struct mset {
	sl_result *r;
	const sl_rule *rule;
	const mrule *mr;
	const sl_unit *u;
	size_t nu;
	mout *out;              /* where located metrics put their items */
} mset;

typedef double (*mfn)(const mset *m);

typedef struct metric {
	const char *name;
	mfn fn;
	int doc;                /* document-wide: body or message scope only */
	int locates;            /* fills m->out: span items and each allowed */
} metric;

enum { SPAN_UNIT, SPAN_ITEMS, SPAN_EACH };

struct mrule {
	const metric *m;
	double min, max, equals;
	int has_min, has_max, has_equals;
	double min_words;
	double ignore_shorter;
	int span;               /* SPAN_* */
	const sl_wordset *vocab;
	const sl_wordset *words; /* `words:`, NULL if none */
	const char *const *list; /* the metric's list (metric_list_key), lower-
	                            cased and sorted (strcmp); NULL if none */
	size_t nlist;
};

/* Record t[off, end) as counted; NULL (nothing recorded) past
 * METRIC_ITEMS or when the caller does not collect.  The item's blk is -2
 * (the instance's) until the caller sets it. */
mitem *metric_item_add(const mset *m, const sl_text *t, size_t off, size_t end);

/* The key of the list of names metric name requires (`hosts:` for
 * link-hosts), NULL for none; *values the names the list may hold (NULL
 * ended), NULL for any (metric_links.c). */
const char *metric_list_key(const char *name, const char *const **values);

/* The registries of the other modules, each ended by an entry whose name
 * is NULL. */
extern const metric metrics_links[];
extern const metric metrics_compliance[];

#endif
