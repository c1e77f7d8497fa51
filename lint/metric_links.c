/*
 * metric_links.c - measurements of where a message's HTML points and what
 * it embeds: links, images and notable elements (see metric.h).
 */
#include "metric.h"

const metric metrics_links[] = {
	{ NULL, NULL, 0, 0 },
};
