// SPDX-License-Identifier: MIT
/* One path-MTU search towards one address (see tune_measure.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/util.h"
#include "tool/tune_measure.h"

static uint64_t tnow(const struct tmeas *t)
{
	return t->clock() - t->t0;
}

/* The engine and the bookkeeping; the socket comes from the caller. */
static int setup(struct tmeas *t, int family, unsigned base, unsigned max,
		 uint32_t confirm_ms, uint32_t raise_ms, uint64_t (*clock)(void))
{
	struct plpmtud_config cfg;

	memset(t, 0, sizeof(*t));
	t->net.fd = -1;
	t->clock = clock ? clock : now_ms;
	plpmtud_config_default(&cfg, family == AF_INET6 ? 6 : 4);
	if (max < base)
		base = max;
	cfg.base_mtu = (uint16_t)base;
	cfg.max_mtu = (uint16_t)max;
	cfg.confirm_timer_ms = confirm_ms;
	cfg.raise_timer_ms = raise_ms;
	cfg.error_retry_ms = confirm_ms ? confirm_ms * 5 : 0;
	if (plpmtud_init(&t->eng, &cfg) < 0)
		return -EINVAL;
	if (getrandom(&t->next_seq, sizeof(t->next_seq), 0) != sizeof(t->next_seq))
		t->next_seq = (uint32_t)getpid() * 2654435761u;
	t->next_seq |= 1;
	t->adapt_wait = confirm_ms != 0;
	return 0;
}

static int opened(struct tmeas *t, unsigned base, unsigned max)
{
	if ((int)(max < base ? max : base) < pnet_min_size(&t->net)) {
		pnet_close(&t->net);
		return -EINVAL;
	}
	t->t0 = t->clock();
	t->open = true;
	return 0;
}

int tm_open(struct tmeas *t, const struct sockaddr_storage *dst, unsigned base,
	    unsigned max, uint32_t confirm_ms, uint32_t raise_ms)
{
	socklen_t len = dst->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in);
	struct sockaddr_storage d = *dst;
	int r;

	if (d.ss_family == AF_INET)
		((struct sockaddr_in *)&d)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&d)->sin6_port = 0;
	r = setup(t, d.ss_family, base, max, confirm_ms, raise_ms, NULL);
	if (r < 0)
		return r;
	r = pnet_open(&t->net, d.ss_family, PNET_ICMP, (struct sockaddr *)&d, len);
	if (r < 0)
		return r;
	return opened(t, base, max);
}

int tm_open_fd(struct tmeas *t, int fd, int family, unsigned base, unsigned max,
	       uint32_t confirm_ms, uint32_t raise_ms, uint64_t (*clock)(void))
{
	int r = setup(t, family, base, max, confirm_ms, raise_ms, clock);

	if (r < 0)
		return r;
	t->net.fd = fd;
	t->net.family = family;
	t->net.method = PNET_ICMP;
	return opened(t, base, max);
}

void tm_close(struct tmeas *t)
{
	if (t->open)
		pnet_close(&t->net);
	t->open = false;
}

void tm_start(struct tmeas *t)
{
	plpmtud_start(&t->eng, tnow(t));
}

int tm_fd(const struct tmeas *t)
{
	return t->net.fd;
}

/*
 * Watching, a round's wait follows the engine's smoothed RTT, which a
 * saturated tunnel inflates (queues) and which decays slowly with one
 * confirmation every few seconds: a black hole that follows a big
 * transfer would take 5 rounds of the 3 s maximum to confirm. The path's
 * own round trip is the smallest one seen; a wait of 3 times that plus
 * 300 ms (0.4..3 s) still covers loaded queues without the lag.
 */
static void cap_wait(struct tmeas *t)
{
	uint32_t cap = 3 * t->min_rtt_ms + 300;

	if (cap < 400)
		cap = 400;
	if (cap > 3000)
		cap = 3000;
	t->eng.cfg.max_timeout_ms = cap;
	if (t->eng.cfg.min_wait_ms > cap)
		t->eng.cfg.min_wait_ms = cap;
}

static void on_event(struct tmeas *t, const struct pnet_ev *ev)
{
	const struct tm_slot *e = &t->ring[ev->seq % TM_RING];
	uint32_t id = e->seq == ev->seq && ev->seq ? e->id : 0;
	uint64_t now = tnow(t);

	switch (ev->type) {
	case PNET_EV_REPLY:
		if (id) {
			uint64_t rtt = now - e->sent;

			if (!t->min_rtt_ms || rtt < t->min_rtt_ms)
				t->min_rtt_ms = rtt ? (uint32_t)rtt : 1;
			if (t->adapt_wait)
				cap_wait(t);
			t->bytes_in += e->size;
			t->n_in++;
			plpmtud_on_ack(&t->eng, id, now);
		}
		break;
	case PNET_EV_PTB:
		t->ptb_seen = true;
		plpmtud_on_ptb(&t->eng, id, ev->mtu, now);
		break;
	case PNET_EV_UNREACH:
		t->unreach++;
		break;
	case PNET_EV_TTL:
		break;
	}
}

int tm_step(struct tmeas *t)
{
	struct plpmtud_probe out[PLPMTUD_MAX_INFLIGHT];
	struct pnet_ev ev;
	uint64_t now;
	size_t n;
	int k = 0;

	/* bounded: a flood of answers must not hold us past the caller's
	 * deadline (the rest is read next time) */
	for (unsigned i = 0; i < TM_STEP_EVENTS && (k = pnet_recv(&t->net, &ev)) > 0; i++)
		on_event(t, &ev);
	if (k < 0 && k != -EAGAIN)
		return k;
	/*
	 * One poll, so one round at most. Polling again until the engine
	 * has nothing to send loops for as long as each round's sending
	 * outlasts its wait: on a slow enough process (sanitizers, a
	 * starved CPU) round after round closes with every probe "lost",
	 * its answers unread, and the call outlives any deadline. A round
	 * due right away shows as tm_timeout_ms() == 0.
	 */
	now = tnow(t);
	n = plpmtud_poll(&t->eng, now, out, PLPMTUD_MAX_INFLIGHT);
	t->events |= plpmtud_events(&t->eng);
	for (size_t i = 0; i < n; i++) {
		uint32_t seq = t->next_seq++;
		int err;

		if (!seq)
			seq = t->next_seq++;
		t->ring[seq % TM_RING].seq = seq;
		t->ring[seq % TM_RING].id = out[i].id;
		t->ring[seq % TM_RING].size = out[i].size;
		t->ring[seq % TM_RING].sent = now;
		t->bytes_out += out[i].size;
		t->n_out++;
		err = pnet_send(&t->net, seq, out[i].size, 0, 0);
		if (err == -EMSGSIZE) /* maybe a stale socket error */
			err = pnet_send(&t->net, seq, out[i].size, 0, 0);
		if (err == -EMSGSIZE)
			plpmtud_on_local_too_big(&t->eng, out[i].id, now);
		else if (err == -EHOSTUNREACH || err == -ENETUNREACH ||
			 err == -ECONNREFUSED)
			t->unreach++;
		else if (err < 0 && err != -ENOBUFS && err != -EAGAIN)
			return err;
	}
	return 0;
}

int tm_timeout_ms(const struct tmeas *t)
{
	uint64_t dl = plpmtud_next_deadline(&t->eng), now = tnow(t);

	if (dl == UINT64_MAX)
		return -1;
	if (dl <= now)
		return 0;
	return dl - now > 60000 ? 60000 : (int)(dl - now);
}

int tm_measure(struct tmeas *t, unsigned timeout_ms)
{
	uint64_t end = t->clock() + timeout_ms;
	int r;

	tm_start(t);
	for (;;) {
		struct pollfd p = { .fd = t->net.fd, .events = POLLIN };
		enum plpmtud_state s;
		uint64_t now;
		int wait;

		r = tm_step(t);
		if (r < 0)
			return r;
		s = plpmtud_state(&t->eng);
		if (s == PLPMTUD_SEARCH_COMPLETE || s == PLPMTUD_ERROR)
			return 0;
		if (t->unreach && t->eng.st.acks == 0)
			return 0;
		now = t->clock();
		if (now >= end)
			return 0;
		wait = tm_timeout_ms(t);
		if (wait < 0 || (uint64_t)wait > end - now)
			wait = (int)(end - now);
		if (wait > 1000)
			wait = 1000;
		if (poll(&p, 1, wait) < 0 && errno != EINTR)
			return -errno;
	}
}

uint32_t tm_events(struct tmeas *t)
{
	uint32_t e = t->events;

	t->events = 0;
	return e;
}

bool tm_complete(const struct tmeas *t)
{
	return plpmtud_state(&t->eng) == PLPMTUD_SEARCH_COMPLETE;
}

unsigned tm_result(const struct tmeas *t)
{
	return tm_complete(t) ? plpmtud_mtu(&t->eng) : 0;
}

bool tm_black_hole(const struct tmeas *t)
{
	return tm_complete(t) && plpmtud_black_hole(&t->eng);
}

unsigned tm_too_big(const struct tmeas *t)
{
	return tm_complete(t) ? plpmtud_too_big(&t->eng) : 0;
}
