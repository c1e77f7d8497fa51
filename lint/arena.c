/*
 * arena.c - the per-file (and per-context) bump allocator.
 *
 * In: sizes.  Out: 16-byte aligned blocks that live until arena_release.
 * Chunks grow geometrically from 64 KiB up to 16 MiB; a request of
 * ARENA_BIG bytes or more gets a block of its own, which arena_resize
 * grows or shrinks with realloc (for large blocks the C library moves
 * pages, not bytes), so that a large array grown by doubling costs
 * neither copies nor the old blocks.  A block at the top of the current
 * chunk grows in place while the chunk has room.  Allocation failure
 * longjmps to a->oom.
 *
 * A pool (one per context, shared by the threads that lint with it) keeps
 * the chunks of released arenas, up to a byte bound, so that linting many
 * files reuses warm memory instead of faulting in fresh pages each time.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

struct sl_chunk {
	struct sl_chunk *next;
	size_t size;
	_Alignas(16) char data[];
};

#define ARENA_FIRST ((size_t)64 << 10)
#define ARENA_CHUNK_MAX ((size_t)16 << 20)
#define ARENA_BIG ((size_t)1 << 20)
#define ARENA_ALIGN ((size_t)16)

struct sl_pool {
	pthread_mutex_t mu;
	struct sl_chunk *free;  /* kept chunks */
	size_t bytes, max;
};

sl_pool *pool_new(size_t max)
{
	sl_pool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	p->max = max;
	return p;
}

void pool_free(sl_pool *p)
{
	if (!p)
		return;
	struct sl_chunk *c = p->free;
	while (c) {
		struct sl_chunk *next = c->next;
		free(c);
		c = next;
	}
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* A kept chunk of at least size bytes (the smallest that fits), or NULL. */
static struct sl_chunk *pool_take(sl_pool *p, size_t size)
{
	struct sl_chunk *got = NULL, **gotp = NULL;
	pthread_mutex_lock(&p->mu);
	for (struct sl_chunk **cp = &p->free; *cp; cp = &(*cp)->next)
		if ((*cp)->size >= size && (!got || (*cp)->size < got->size)) {
			got = *cp;
			gotp = cp;
		}
	if (got) {
		*gotp = got->next;
		p->bytes -= got->size;
	}
	pthread_mutex_unlock(&p->mu);
	return got;
}

void arena_init(sl_arena *a, jmp_buf *oom)
{
	a->head = NULL;
	a->cur = a->end = NULL;
	a->total = 0;
	a->big = NULL;
	a->oom = oom;
	a->pool = NULL;
}

void arena_release(sl_arena *a)
{
	for (struct sl_chunk *c = a->big, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	a->big = NULL;
	struct sl_chunk *c = a->head;
	sl_pool *p = a->pool;
	if (p)
		pthread_mutex_lock(&p->mu);
	while (c) {
		struct sl_chunk *next = c->next;
		if (p && p->bytes + c->size <= p->max) {
			c->next = p->free;
			p->free = c;
			p->bytes += c->size;
		} else {
			free(c);
		}
		c = next;
	}
	if (p)
		pthread_mutex_unlock(&p->mu);
	a->head = NULL;
	a->cur = a->end = NULL;
	a->total = 0;
}

void arena_reset(sl_arena *a)
{
	for (struct sl_chunk *c = a->big, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	a->big = NULL;
	if (!a->head)
		return;
	/* keep the newest chunk (the largest: sizes only grow) */
	struct sl_chunk *keep = a->head;
	for (struct sl_chunk *c = keep->next, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	keep->next = NULL;
	a->head = keep;
	a->total = keep->size;
	a->cur = keep->data;
	a->end = keep->data + keep->size;
}

static void arena_fail(sl_arena *a)
{
	if (a->oom)
		longjmp(*a->oom, 1);
	BUG("out of memory in an arena without a recovery point");
}

static size_t align_up(sl_arena *a, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		arena_fail(a);
	return (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

/* A block of its own of n bytes (n aligned). */
static void *big_alloc(sl_arena *a, size_t n)
{
	struct sl_chunk *c = malloc(sizeof *c + n);
	if (!c)
		arena_fail(a);
	c->size = n;
	c->next = a->big;
	a->big = c;
	return c->data;
}

void *arena_alloc(sl_arena *a, size_t n)
{
	n = align_up(a, n);
	if (n >= ARENA_BIG)
		return big_alloc(a, n);
	if (a->cur && (size_t)(a->end - a->cur) >= n) {
		void *p = a->cur;
		a->cur += n;
		return p;
	}
	size_t size = a->total < ARENA_FIRST ? ARENA_FIRST : a->total;
	if (size > ARENA_CHUNK_MAX)
		size = ARENA_CHUNK_MAX;
	if (size < n)
		size = n;
	struct sl_chunk *c = a->pool ? pool_take(a->pool, size) : NULL;
	if (c) {
		size = c->size;
	} else {
		c = malloc(sizeof *c + size);
		if (!c)
			arena_fail(a);
		c->size = size;
	}
	c->next = a->head;
	a->head = c;
	a->total += size;
	a->cur = c->data + n;
	a->end = c->data + size;
	return c->data;
}

void *arena_zalloc(sl_arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

void *arena_array(sl_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / 4 / size)
		arena_fail(a);
	return arena_alloc(a, n * size);
}

void *arena_resize(sl_arena *a, void *old, size_t oldsize, size_t keep, size_t newsize)
{
	if (!old || !oldsize)
		return arena_alloc(a, newsize);
	size_t on = align_up(a, oldsize), nn = align_up(a, newsize);
	char *o = old;
	if (keep > oldsize)
		keep = oldsize;
	if (keep > newsize)
		keep = newsize;
	/* the last block of the current chunk: grow (or shrink) in place */
	if (a->cur && o + on == a->cur && (size_t)(a->end - o) >= nn) {
		a->cur = o + nn;
		return o;
	}
	/* a block of its own: realloc */
	if (on >= ARENA_BIG) {
		for (struct sl_chunk **cp = &a->big; *cp; cp = &(*cp)->next) {
			if ((*cp)->data != o)
				continue;
			struct sl_chunk *c = realloc(*cp, sizeof *c + nn);
			if (!c)
				arena_fail(a);
			c->size = nn;
			*cp = c;
			return c->data;
		}
	}
	if (nn <= on)
		return o; /* shrinking elsewhere: the block is big enough */
	void *p = arena_alloc(a, newsize);
	if (keep)
		memcpy(p, o, keep);
	return p;
}

void *arena_grow(sl_arena *a, void *old, size_t oldn, size_t newn, size_t size)
{
	if (size && (newn > SIZE_MAX / 4 / size || oldn > SIZE_MAX / 4 / size))
		arena_fail(a);
	size_t keep = oldn < newn ? oldn : newn;
	return arena_resize(a, old, oldn * size, keep * size, newn * size);
}

char *arena_strndup(sl_arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_vprintf(sl_arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(sl_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
