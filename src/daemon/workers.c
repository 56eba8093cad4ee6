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
	w->shared = true;
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
	if (w->n <= 1 || !w->shared || count < WGD_WORKERS_MIN_ITEMS) {
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

void wgd_cpu_gate_init(struct wgd_cpu_gate *g, unsigned cpus)
{
	memset(g, 0, sizeof(*g));
	g->cpus = cpus ? cpus : 1;
	g->share = g->cpus > 1;
}

bool wgd_cpu_gate_sample(struct wgd_cpu_gate *g, unsigned runnable)
{
	unsigned s16 = (runnable > 4096 ? 4096 : runnable) * 16;

	if (!g->primed) {
		g->avg16 = s16;
		g->primed = true;
	} else {
		/* avg += (sample - avg) / 4, rounded to nearest */
		g->avg16 = (unsigned)(((int)g->avg16 * 3 + (int)s16 + 2) / 4);
	}
	if (g->cpus <= 1)
		g->share = false;
	else if (g->avg16 * 2 < g->cpus * 32 - 16) /* avg < cpus - 0.5 */
		g->share = true;
	else if (g->avg16 >= g->cpus * 16)      /* avg >= cpus */
		g->share = false;
	return g->share;
}

int wgd_loadavg_runnable(const char *text)
{
	const char *p = text;
	unsigned long r = 0;
	int digits = 0;

	/* skip the three load averages */
	for (int field = 0; field < 3; field++) {
		while (*p == ' ')
			p++;
		if (!*p || *p == ' ')
			return -1;
		while (*p && *p != ' ')
			p++;
	}
	while (*p == ' ')
		p++;
	for (; *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
		r = r * 10 + (unsigned long)(*p - '0');
	if (!digits || *p != '/')
		return -1;
	return (int)r;
}
