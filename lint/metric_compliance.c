/*
 * metric_compliance.c - measurements of what bulk-mail law and mailbox
 * providers require of a message's body: unsubscribe, postal address,
 * clipping, body alternatives, template hygiene (see metric.h).
 */
#include "metric.h"

const metric metrics_compliance[] = {
	{ NULL, NULL, 0, 0 },
};
