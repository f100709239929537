#include "reqcount.h"

#include <string.h>

static void reqcount_add(uint64_t *v)
{
	__atomic_fetch_add(v, 1, __ATOMIC_RELAXED);
}

void reqcount_answer(struct shm_reqcount *c, long status)
{
	if (c == NULL)
		return;
	/* Anything outside 200..599 is no answer GitLab gives: counted with the failures. */
	if (status >= 200 && status <= 599)
		reqcount_add(&c->answers[SHM_ANSWER_2XX + status / 100 - 2]);
	else
		reqcount_add(&c->answers[SHM_ANSWER_NONE]);
	if (status == 429)
		reqcount_add(&c->throttled);
}

void reqcount_retry(struct shm_reqcount *c)
{
	if (c != NULL)
		reqcount_add(&c->retries);
}

void reqcount_read(struct shm_reqcount *c, struct shm_reqcount *out)
{
	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return;
	for (int i = 0; i < SHM_ANSWER_CLASSES; i++)
		out->answers[i] = __atomic_load_n(&c->answers[i], __ATOMIC_RELAXED);
	out->throttled = __atomic_load_n(&c->throttled, __ATOMIC_RELAXED);
	out->retries = __atomic_load_n(&c->retries, __ATOMIC_RELAXED);
}
