/* Listings read again when GitLab changed them meanwhile (crawl_settle.h). */
#include "crawl_settle.h"

#include <stdlib.h>

#include "error.h"
#include "log.h"

struct settle_page {
	size_t slot, listing;
	long long order; /* the page's place in its listing */
};

struct settle {
	struct crawl_queue_page_view *v; /* owned */
	size_t n;
	struct settle_page *pages; /* owned; the pages of listings, by listing then order */
	size_t npages;
};

static int settle_is_listing(enum crawl_queue_kind kind)
{
	return kind != CRAWL_QUEUE_PREFLIGHT && kind != CRAWL_QUEUE_GROUP;
}

/*
 * Page 1 has chain 0, pages 2..N queued by it chain -1, the pages of a window
 * (no totals) chain page - 1, pages followed by link one by one chain k.
 */
static long long settle_order(const struct crawl_queue_page_view *p)
{
	return p->chain < 0 ? p->page : p->chain + 1;
}

static int settle_cmp(const void *a, const void *b)
{
	const struct settle_page *x = a, *y = b;

	if (x->listing != y->listing)
		return x->listing < y->listing ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static int settle_load(struct crawl_queue *q, struct settle *s)
{
	size_t i;
	int err;

	if ((err = crawl_queue_pages(q, &s->v, &s->n)) < 0)
		return err;
	if ((s->pages = calloc(s->n + 1, sizeof(*s->pages))) == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	for (i = 0; i < s->n; i++) {
		if (!settle_is_listing(s->v[i].kind))
			continue;
		s->pages[s->npages].slot = i;
		s->pages[s->npages].listing = s->v[i].listing;
		s->pages[s->npages].order = settle_order(&s->v[i]);
		s->npages++;
	}
	qsort(s->pages, s->npages, sizeof(*s->pages), settle_cmp);
	return 0;
}

/*
 * Whether the pages [a, b) of one listing fit together.  A server that
 * ignored the order (a page not ascending) is only held to its totals.
 */
static int settle_fits(const struct settle *s, size_t a, size_t b, long long *seen)
{
	const struct crawl_queue_page_view *first = &s->v[s->pages[a].listing];
	long long sum = 0, prev_max = 0;
	int fits = 1;

	for (size_t i = a; i < b; i++) {
		const struct crawl_queue_page_view *p = &s->v[s->pages[i].slot];

		if (first->total >= 0 && p->total != first->total)
			fits = 0;
		sum += p->items;
		if (p->items > 0 && !p->unsorted) {
			if (p->min_id <= prev_max)
				fits = 0;
			prev_max = p->max_id;
		}
	}
	*seen = sum;
	return fits && (first->total < 0 || sum == first->total);
}

/* The listing's pages [a, b): all finished, none failed, not judged before. */
static int settle_ready(const struct settle *s, size_t a, size_t b)
{
	if (s->v[s->pages[a].listing].mark != CRAWL_QUEUE_LISTING_OK)
		return 0;
	for (size_t i = a; i < b; i++)
		if (s->v[s->pages[i].slot].state != CRAWL_QUEUE_DONE)
			return 0;
	return 1;
}

static int settle_one(struct crawl_queue *q, const struct settle *s, size_t a, size_t b,
		      size_t *queued, size_t *unsettled)
{
	size_t listing = s->pages[a].listing;
	const struct crawl_queue_page_view *first = &s->v[listing];
	long long seen;

	if (!settle_ready(s, a, b) || settle_fits(s, a, b, &seen))
		return 0;
	if (first->rereads + 1 >= CRAWL_SETTLE_TRIES) {
		log_error("%s (id %lld): the listing changed each of the %d times it was read; "
			  "giving up on it, so projects may be missing (run again later)",
			  crawl_queue_kind_name(first->kind), first->id, CRAWL_SETTLE_TRIES);
		(*unsettled)++;
		return crawl_queue_mark_listing(q, listing, CRAWL_QUEUE_LISTING_UNSETTLED);
	}
	log_verbose("%s (id %lld) changed while it was read (X-Total %lld, %lld items in %zu "
		    "pages); reading it again",
		    crawl_queue_kind_name(first->kind), first->id, first->total, seen, b - a);
	(*queued)++;
	return crawl_queue_mark_listing(q, listing, CRAWL_QUEUE_LISTING_REREAD);
}

int crawl_settle(struct crawl_queue *q, size_t *queued, size_t *unsettled)
{
	struct settle s = { 0 };
	size_t a, b;
	int err;

	*queued = 0;
	if ((err = settle_load(q, &s)) < 0)
		goto out;
	for (a = 0; a < s.npages && err == 0; a = b) {
		size_t listing = s.pages[a].listing;

		for (b = a + 1; b < s.npages && s.pages[b].listing == listing; b++)
			;
		err = settle_one(q, &s, a, b, queued, unsettled);
	}
out:
	free(s.v);
	free(s.pages);
	return err;
}

int crawl_settle_replaced(struct crawl_queue *q, unsigned char **out, size_t *n)
{
	struct crawl_queue_page_view *v = NULL;
	int err;

	*out = NULL;
	if ((err = crawl_queue_pages(q, &v, n)) < 0)
		return err;
	if ((*out = calloc(*n + 1, 1)) == NULL) {
		free(v);
		return glm_error_set(GLM_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < *n; i++)
		(*out)[i] = v[v[i].listing].mark == CRAWL_QUEUE_LISTING_REREAD;
	free(v);
	return 0;
}
