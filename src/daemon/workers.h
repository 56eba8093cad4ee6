/* SPDX-License-Identifier: MIT */
/*
 * Fork-join worker threads for the data path's AEAD work. The event loop
 * thread hands a batch of independent items (seal or open one packet) to
 * wgd_workers_run(), takes part in the work itself as lane 0, and returns
 * only when every item is done: whatever the loop does before and after
 * (routing, timers, replay window, sendmmsg, TUN writes) stays on one
 * thread, in batch order, so each peer's packets leave in the order they
 * came and nothing else needs a lock.
 *
 * The caller waits only for workers that joined the batch before all its
 * items were claimed: one that wakes later (the machine is busy) finds the
 * batch closed and goes back to sleep, so a slow wake-up never stalls the
 * loop.
 *
 * The hand-off pays only when a CPU is free to take the work: on a machine
 * whose CPUs are all busy (iperf3, the kernel and the other daemon on this
 * 2-vCPU VM) it adds wake-ups and cache traffic, measured at 10-20 % more
 * CPU per byte, and no throughput. With the default thread count the
 * device samples the machine's runnable tasks (/proc/loadavg) ten times a
 * second through struct wgd_cpu_gate and sets `shared` accordingly; while
 * it is false batches run on the caller. A thread count the administrator
 * set is always used.
 *
 * Lanes: the thread that runs an item passes its lane (0 = the loop
 * thread, 1..n-1 = workers); a keypair keeps one cipher context per lane
 * (wire/transport.h), so no context is ever used by two threads at once.
 */
#ifndef WGMTU_DAEMON_WORKERS_H
#define WGMTU_DAEMON_WORKERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void wgd_work_fn(void *arg, size_t item, unsigned lane);

struct wgd_workers {
	unsigned n;                 /* threads including the caller; 1 = inline */
	pthread_t *tids;
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	uint64_t gen;               /* one per wgd_workers_run hand-off */
	bool open;                  /* the current batch still takes workers */
	unsigned active;            /* workers inside the current batch */
	bool stop;
	bool shared;                /* hand batches to the threads (else inline) */
	wgd_work_fn *fn;
	void *arg;
	size_t count;
	atomic_size_t next;         /* next item to claim */
};

/* The default thread count: the online CPUs, capped at max. */
unsigned wgd_workers_online(unsigned max);
/* Starts n - 1 worker threads (n >= 1). 0 or negative errno; on failure
 * the pool runs inline (n = 1). */
int wgd_workers_start(struct wgd_workers *w, unsigned n);
/* fn(arg, i, lane) for every i < count, spread over the threads; returns
 * when all are done. Small batches run inline on the caller. */
void wgd_workers_run(struct wgd_workers *w, size_t count, wgd_work_fn *fn, void *arg);
/* Joins the threads (idempotent). */
void wgd_workers_stop(struct wgd_workers *w);

/*
 * Is there a CPU to spare for the worker threads? Pure: fed samples of the
 * machine's runnable tasks, the sampling thread (running) included. An
 * average over about a second (EWMA, weight 1/4 at 10 samples a second);
 * sharing starts when it drops below cpus - 0.5 (a CPU mostly idle) and
 * stops when it reaches cpus (none idle); in between it stays as it was.
 * Starts sharing (cpus > 1), as a fresh daemon on an idle machine would.
 */
struct wgd_cpu_gate {
	unsigned cpus;
	unsigned avg16;  /* the average, in sixteenths of a task */
	bool primed;     /* avg16 holds a sample */
	bool share;
};

void wgd_cpu_gate_init(struct wgd_cpu_gate *g, unsigned cpus);
/* Adds one sample; returns the new decision (also in g->share). */
bool wgd_cpu_gate_sample(struct wgd_cpu_gate *g, unsigned runnable);
/* The runnable tasks from /proc/loadavg's text ("0.50 0.40 0.30 3/210
 * 4242"): 3; -1 if the text is not of that form. */
int wgd_loadavg_runnable(const char *text);

#endif
