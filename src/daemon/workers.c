// SPDX-License-Identifier: MIT
/* Fork-join worker threads; see workers.h. */
#include "daemon/workers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Below this many items a hand-off (futex wake-ups and context switches,
 * tens of microseconds on a busy VM) costs more than the work it spreads
 * (about 1.5 us of AEAD per 1420-byte packet). */
#define WGD_WORKERS_MIN_ITEMS 16

unsigned wgd_workers_online(unsigned max)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus < 1)
		cpus = 1;
	return (unsigned long)cpus > max ? max : (unsigned)cpus;
}

static void drain(struct wgd_workers *w, unsigned lane)
{
	size_t i;

	while ((i = atomic_fetch_add_explicit(&w->next, 1, memory_order_relaxed)) < w->count)
		w->fn(w->arg, i, lane);
}

struct worker_arg {
	struct wgd_workers *w;
	unsigned lane;
};

static void *worker_main(void *p)
{
	struct worker_arg a = *(struct worker_arg *)p;
	struct wgd_workers *w = a.w;
	uint64_t seen = 0;

	free(p);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		if (w->stop)
			break;
		if (w->gen == seen) {
			pthread_cond_wait(&w->go, &w->mu);
			continue;
		}
		seen = w->gen;
		/* woken too late: the caller finished this batch alone and
		 * closed it; wait for the next one without touching it */
		if (!w->open)
			continue;
		w->active++;
		pthread_mutex_unlock(&w->mu);
		drain(w, a.lane);
		pthread_mutex_lock(&w->mu);
		if (--w->active == 0 && !w->open)
			pthread_cond_signal(&w->done);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int wgd_workers_start(struct wgd_workers *w, unsigned n)
{
	memset(w, 0, sizeof(*w));
	w->n = 1;
	atomic_init(&w->next, 0);
	if (n <= 1)
		return 0;
	if (pthread_mutex_init(&w->mu, NULL) || pthread_cond_init(&w->go, NULL) ||
	    pthread_cond_init(&w->done, NULL))
		return -ENOMEM;
	w->tids = calloc(n - 1, sizeof(*w->tids));
	if (!w->tids)
		return -ENOMEM;
	for (unsigned i = 1; i < n; i++) {
		struct worker_arg *a = malloc(sizeof(*a));
		int r;

		if (!a) {
			wgd_workers_stop(w);
			return -ENOMEM;
		}
		a->w = w;
		a->lane = i;
		r = pthread_create(&w->tids[i - 1], NULL, worker_main, a);
		if (r) {
			free(a);
			wgd_workers_stop(w);
			return -r;
		}
		w->n = i + 1;
	}
	return 0;
}

void wgd_workers_run(struct wgd_workers *w, size_t count, wgd_work_fn *fn, void *arg)
{
	if (w->n <= 1 || count < WGD_WORKERS_MIN_ITEMS) {
		for (size_t i = 0; i < count; i++)
			fn(arg, i, 0);
		return;
	}
	pthread_mutex_lock(&w->mu);
	w->fn = fn;
	w->arg = arg;
	w->count = count;
	atomic_store_explicit(&w->next, 0, memory_order_relaxed);
	w->open = true;
	w->gen++;
	pthread_cond_broadcast(&w->go);
	pthread_mutex_unlock(&w->mu);
	drain(w, 0);
	/* every item is claimed: close the batch to workers not yet in it
	 * (on a busy machine one may wake much later) and wait only for
	 * those still working on an item they claimed */
	pthread_mutex_lock(&w->mu);
	w->open = false;
	while (w->active)
		pthread_cond_wait(&w->done, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

void wgd_workers_stop(struct wgd_workers *w)
{
	unsigned started = w->n;

	if (!w->tids)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->go);
	pthread_mutex_unlock(&w->mu);
	for (unsigned i = 1; i < started; i++)
		pthread_join(w->tids[i - 1], NULL);
	free(w->tids);
	w->tids = NULL;
	w->n = 1;
	pthread_cond_destroy(&w->go);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->mu);
}
