// SPDX-License-Identifier: MIT
/*
 * The per-peer path-MTU controller (pmtu/pmtuctl.h) with a fake clock and
 * a simulated path and peer: the scenarios the netns tests cover
 * (t_pmtud_*.sh), without sleeping. The simulator delivers each probe the
 * controller asks for when it fits the path (and its reply fits on the way
 * back), after a round trip, unless random loss takes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "pmtu/overhead.h"
#include "pmtu/pmtuctl.h"
#include "pmtu/probemsg.h"

#define MS(x) ((uint64_t)(x) * 1000000ull)
#define S(x) (MS(x) * 1000ull)
#define T0 S(1000)
#define RTT MS(10)

enum peer_kind {
	PEER_WGMTUD,      /* acks in-band probes, its kernel answers pings */
	PEER_STANDARD,    /* drops in-band probes, answers pings, pads replies */
	PEER_NO_PINGS,    /* drops in-band probes, answers no pings */
};

struct pend {
	uint64_t at;
	enum pmtuctl_method m;
	uint32_t id;
};

struct sim {
	struct pmtuctl c;
	uint64_t now;
	unsigned path;            /* outer path MTU, both ways */
	enum peer_kind kind;
	unsigned peer_mtu;        /* the peer's own TUN MTU (caps its padding) */
	bool target;              /* a /32 tunnel address exists */
	bool ep_target;           /* echo outside the tunnel can be sent */
	bool ep_pings;            /* the endpoint answers pings */
	bool drop_hello;          /* the hello is lost on the way */
	bool drop_hello_ack;      /* its ack is lost on the way back */
	unsigned loss_pct;        /* random loss of each probe / reply */
	uint32_t rng;
	bool sending;             /* full-size data every 10 ms */
	uint64_t next_data;
	uint64_t rtt;             /* round trip of a probe and its answer */
	struct pend pend[512];
	size_t n_pend;
	/* what the controller did */
	uint64_t probes, probe_bytes, hellos;
	unsigned mtu_changes, targets_asked, ep_targets_asked;
	char log[64][PMTUCTL_LOG_MAX];
	size_t n_log;
};

static uint32_t rnd(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	return s->rng;
}

static bool lost(struct sim *s)
{
	return s->loss_pct && rnd(s) % 100 < s->loss_pct;
}

static void sim_init(struct sim *s, enum peer_kind kind, unsigned path)
{
	memset(s, 0, sizeof(*s));
	pmtuctl_init(&s->c);
	s->c.tun_mtu = 1440; /* room to search up to 1500 over IPv4 */
	s->c.raise_ms = 600000;
	s->now = T0;
	s->kind = kind;
	s->path = path;
	s->peer_mtu = 1420;
	s->target = true;
	s->ep_target = true;
	s->ep_pings = true;
	s->rng = 0x12345678;
	s->rtt = RTT;
}

static bool logged(const struct sim *s, const char *what)
{
	for (size_t i = 0; i < s->n_log; i++)
		if (strstr(s->log[i], what))
			return true;
	return false;
}

/* Does the reply to this probe come back? */
static bool answered(struct sim *s, const struct pmtuctl_probe *p)
{
	unsigned ovh = s->c.ovh;

	if (p->size > s->path || lost(s))
		return false;
	if (p->method == PMTUCTL_M_INBAND) {
		if (s->kind != PEER_WGMTUD)
			return false;
		if (p->id == s->c.hello_id && s->c.hello_id)
			return !s->drop_hello && !s->drop_hello_ack;
		return !lost(s); /* the ack is small: it always fits */
	}
	if (p->method == PMTUCTL_M_ICMP_ENDPOINT)
		return s->ep_pings && !lost(s); /* the reply has the request's size */
	if (s->kind == PEER_NO_PINGS)
		return false;
	/* the echo reply has the request's size; a standard peer pads it to
	 * a multiple of 16, capped by its own MTU */
	unsigned inner = p->size - ovh;
	if (s->kind == PEER_STANDARD) {
		unsigned padded = (inner + 15) / 16 * 16;
		inner = padded < s->peer_mtu ? padded : (inner > s->peer_mtu ? inner : s->peer_mtu);
	}
	return ovh + inner <= s->path && !lost(s);
}

static void perform(struct sim *s, struct pmtuctl_out *o)
{
	for (;;) {
		for (size_t i = 0; i < o->n_probes; i++) {
			const struct pmtuctl_probe *p = &o->probe[i];

			assert_true(p->method == PMTUCTL_M_INBAND || p->method == PMTUCTL_M_ICMP_TUNNEL ||
				    p->method == PMTUCTL_M_ICMP_ENDPOINT);
			assert_true(p->size >= s->c.ovh + PMSG_HDR_LEN && p->size <= 1500);
			s->probes++;
			s->probe_bytes += p->size;
			if (p->method == PMTUCTL_M_INBAND && p->id == s->c.hello_id && s->c.hello_id)
				s->hellos++;
			if (answered(s, p) && s->n_pend < 512)
				s->pend[s->n_pend++] = (struct pend){ s->now + s->rtt, p->method, p->id };
		}
		for (size_t i = 0; i < o->n_logs; i++) {
			assert_true(strlen(o->log[i]) > 0);
			if (s->n_log < 64)
				memcpy(s->log[s->n_log++], o->log[i], PMTUCTL_LOG_MAX);
		}
		if (o->mtu_changed)
			s->mtu_changes++;
		assert_int_equal(o->deadline, pmtuctl_deadline(&s->c));
		if (o->need_target == PMTUCTL_M_NONE)
			return;
		s->targets_asked++;
		if (o->need_target == PMTUCTL_M_ICMP_ENDPOINT) {
			s->ep_targets_asked++;
			pmtuctl_on_target(&s->c, o->need_target, s->ep_target,
					  s->ep_target ? "198.51.100.2" : NULL, s->now, o);
			continue;
		}
		assert_int_equal(o->need_target, PMTUCTL_M_ICMP_TUNNEL);
		pmtuctl_on_target(&s->c, o->need_target, s->target,
				  s->target ? "10.9.0.2" : "AllowedIPs 0.0.0.0/0, ::/0", s->now, o);
	}
}

static void start(struct sim *s, int family)
{
	struct pmtuctl_out o;

	s->c.ovh = 0; /* set by start */
	pmtuctl_start(&s->c, s->now, family, true, rnd(s), "test", &o);
	perform(s, &o);
}

/* Runs the simulation until t (absolute ns). */
static void run_until(struct sim *s, uint64_t t)
{
	struct pmtuctl_out o;

	for (int guard = 0; guard < 1000000; guard++) {
		uint64_t next = pmtuctl_deadline(&s->c);
		size_t k = SIZE_MAX;

		for (size_t i = 0; i < s->n_pend; i++)
			if (s->pend[i].at < next) {
				next = s->pend[i].at;
				k = i;
			}
		if (s->sending && s->next_data < next) {
			next = s->next_data;
			k = SIZE_MAX - 1;
		}
		if (next > t) {
			s->now = t;
			return;
		}
		if (next > s->now)
			s->now = next;
		if (k == SIZE_MAX - 1) {
			s->next_data = s->now + MS(10);
			pmtuctl_on_data_sent(&s->c, pmtuctl_mtu(&s->c, s->c.tun_mtu), s->now, &o);
		} else if (k != SIZE_MAX) {
			struct pend p = s->pend[k];

			s->pend[k] = s->pend[--s->n_pend];
			if (p.m == PMTUCTL_M_INBAND)
				pmtuctl_on_inband_ack(&s->c, p.id, s->now, &o);
			else
				pmtuctl_on_ack(&s->c, p.m, p.id, s->now, &o);
		} else {
			pmtuctl_tick(&s->c, s->now, &o);
		}
		perform(s, &o);
	}
	fail_msg("simulation does not settle");
}

static unsigned mtu(const struct sim *s)
{
	return pmtuctl_mtu(&s->c, s->c.tun_mtu);
}

/* ---- scenarios ---- */

static void test_wgmtud_peer_exact(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s, PEER_WGMTUD, 1454);
	start(&s, 4);
	assert_true(s.c.hello_out);
	assert_string_equal(pmtuctl_state_name(&s.c), "base");
	assert_int_equal(s.hellos, 1);
	run_until(&s, T0 + S(5));
	assert_true(s.c.inband_peer);
	assert_int_equal(s.c.method, PMTUCTL_M_INBAND);
	assert_int_equal(s.c.path_mtu, 1454);
	assert_int_equal(mtu(&s), 1454 - 60);
	assert_int_equal(s.mtu_changes, 1);
	assert_int_equal(s.targets_asked, 0);
	assert_string_equal(pmtuctl_state_name(&s.c), "search_complete");
	assert_string_equal(s.c.reason, "path MTU 1454 found by inband probes");
	assert_true(logged(&s, "answers in-band probes (a wgmtud: it acknowledged our in-band probe)"));
	/* nothing more while idle: the deadline is the raise timer */
	assert_true(pmtuctl_deadline(&s.c) >= T0 + S(600));
}

/* Both peers' hellos (or their acks) are lost: each takes the other for a
 * standard peer and pings it; wgmtud's ping pattern (or its in-band
 * probe) is the evidence that switches to in-band probes. */
static void test_hello_lost_both_ways(void **state)
{
	struct pmtuctl_out o;
	struct sim s;

	(void)state;
	sim_init(&s, PEER_WGMTUD, 1454);
	s.drop_hello = true;
	start(&s, 4);
	run_until(&s, T0 + MS(999));
	assert_true(s.c.hello_out);
	assert_int_equal(s.probes, 1);
	run_until(&s, T0 + MS(1001));
	assert_false(s.c.hello_out);
	assert_int_equal(s.targets_asked, 1);
	assert_int_equal(s.c.method, PMTUCTL_M_ICMP_TUNNEL);
	assert_string_equal(s.c.reason, "no reply to in-band probes; probing 10.9.0.2 inside the tunnel");
	/* the other side fell back too: its echo requests carry wgmtud's pattern */
	pmtuctl_on_evidence(&s.c, PMTUCTL_EV_PEER_PINGS, s.now, &o);
	perform(&s, &o);
	assert_true(s.c.inband_peer);
	assert_int_equal(s.c.method, PMTUCTL_M_INBAND);
	assert_true(logged(&s, "it pings us with wgmtud's probe pattern"));
	run_until(&s, T0 + S(6));
	assert_int_equal(s.c.path_mtu, 1454);
	assert_int_equal(mtu(&s), 1394);
	assert_int_equal(s.hellos, 1);

	/* the ack alone lost: the peer's in-band probe tells */
	sim_init(&s, PEER_WGMTUD, 1454);
	s.drop_hello_ack = true;
	start(&s, 6);
	assert_int_equal(s.c.ovh, 80);
	run_until(&s, T0 + MS(1500));
	assert_int_equal(s.c.method, PMTUCTL_M_ICMP_TUNNEL);
	pmtuctl_on_evidence(&s.c, PMTUCTL_EV_PEER_PROBED, s.now, &o);
	perform(&s, &o);
	run_until(&s, T0 + S(6));
	assert_int_equal(s.c.method, PMTUCTL_M_INBAND);
	assert_int_equal(s.c.path_mtu, 1454);
	assert_int_equal(mtu(&s), 1374);

	/* a late ack of the hello is evidence too */
	sim_init(&s, PEER_WGMTUD, 1454);
	s.drop_hello = true;
	start(&s, 4);
	{
		uint32_t hello = s.c.hello_id;

		run_until(&s, T0 + MS(1200));
		assert_int_equal(s.c.method, PMTUCTL_M_ICMP_TUNNEL);
		pmtuctl_on_inband_ack(&s.c, hello, s.now, &o);
		perform(&s, &o);
	}
	assert_true(logged(&s, "a late acknowledgement of our in-band probe"));
	assert_int_equal(s.c.method, PMTUCTL_M_INBAND);
}

/* wireguard-go pads its echo replies to 16 bytes: the answer is the
 * largest size whose padded reply fits (1452 on a 1454 path). */
static void test_standard_peer_padding(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s, PEER_STANDARD, 1454);
	start(&s, 4);
	run_until(&s, T0 + S(8));
	assert_false(s.c.inband_peer);
	assert_int_equal(s.hellos, 1);
	assert_int_equal(s.c.method, PMTUCTL_M_ICMP_TUNNEL);
	assert_int_equal(s.c.path_mtu, 1452);
	assert_int_equal(mtu(&s), 1392);
	assert_string_equal(s.c.reason,
			    "path MTU 1452 found by icmp-tunnel probes (peer pads replies: 16-byte steps)");
	/* exactly one in-band probe for a standard peer in this session */
	assert_true(s.probes > 5);
	assert_int_equal(s.hellos, 1);

	/* no tunnel address (a full-tunnel peer): its endpoint is pinged
	 * outside the tunnel, the reply has the request's size, so the path
	 * MTU is exact and the inner MTU is rounded down to 16 for the peer's
	 * padding */
	sim_init(&s, PEER_STANDARD, 1454);
	s.target = false;
	start(&s, 4);
	run_until(&s, T0 + S(3));
	assert_int_equal(s.c.method, PMTUCTL_M_ICMP_ENDPOINT);
	assert_int_equal(s.ep_targets_asked, 1);
	assert_int_equal(s.c.path_mtu, 1454);
	assert_int_equal(mtu(&s), 1392);
	assert_string_equal(pmtuctl_state_name(&s.c), "search_complete");
	assert_string_equal(s.c.reason, "path MTU 1454 found by icmp-endpoint probes (the peer pads: "
					"inner MTU in 16-byte steps) (no tunnel address: AllowedIPs "
					"0.0.0.0/0, ::/0)");
	assert_true(logged(&s, "no tunnel address: AllowedIPs 0.0.0.0/0, ::/0: trying icmp-endpoint probes"));
	assert_true(logged(&s, "with icmp-endpoint probes to 198.51.100.2"));
	assert_int_equal(s.hellos, 1);
	/* the same over IPv6: 1454 - 80 = 1374, rounded down to 1360 */
	sim_init(&s, PEER_STANDARD, 1454);
	s.target = false;
	start(&s, 6);
	run_until(&s, T0 + S(3));
	assert_int_equal(s.c.path_mtu, 1454);
	assert_int_equal(mtu(&s), 1360);

	/* nor can echoes leave outside the tunnel: keep the TUN MTU, say why */
	sim_init(&s, PEER_STANDARD, 1454);
	s.target = false;
	s.ep_target = false;
	start(&s, 4);
	run_until(&s, T0 + S(8));
	assert_int_equal(s.c.method, PMTUCTL_M_NONE);
	assert_false(s.c.active);
	assert_int_equal(s.probes, 1);
	assert_int_equal(mtu(&s), 1440);
	assert_string_equal(s.c.reason, "cannot send ICMP echo outside the tunnel: keeping MTU 1440, "
					"MSS clamped (no tunnel address: AllowedIPs 0.0.0.0/0, ::/0)");
	assert_string_equal(pmtuctl_state_name(&s.c), "disabled");
}

static void test_no_pings_peer(void **state)
{
	struct sim s;
	uint64_t probes;

	(void)state;
	/* the tunnel address answers no pings: the endpoint is tried */
	sim_init(&s, PEER_NO_PINGS, 1454);
	start(&s, 4);
	run_until(&s, T0 + S(30));
	assert_int_equal(s.c.method, PMTUCTL_M_ICMP_ENDPOINT);
	assert_int_equal(s.c.path_mtu, 1454);
	assert_int_equal(mtu(&s), 1392);
	assert_true(logged(&s, "tunnel address 10.9.0.2 answers no pings: trying icmp-endpoint probes"));

	/* neither does the endpoint */
	sim_init(&s, PEER_NO_PINGS, 1454);
	s.ep_pings = false;
	s.c.raise_ms = 60000;
	start(&s, 4);
	run_until(&s, T0 + S(30));
	assert_int_equal(s.c.method, PMTUCTL_M_ICMP_ENDPOINT);
	assert_string_equal(pmtuctl_state_name(&s.c), "error");
	assert_string_equal(s.c.reason, "the endpoint answers no pings: keeping MTU 1440, MSS clamped "
					"(tunnel address 10.9.0.2 answers no pings)");
	assert_int_equal(mtu(&s), 1440);
	assert_int_equal(s.mtu_changes, 0);
	/* bounded: nothing more until the retry (one raise interval) */
	probes = s.probes;
	assert_true(probes < 60);
	run_until(&s, T0 + S(59));
	assert_int_equal(s.probes, probes);

	/* icmp-tunnel chosen by hand: no fallback */
	sim_init(&s, PEER_NO_PINGS, 1454);
	s.c.mode = PMTUCTL_MODE_ICMP_TUNNEL;
	start(&s, 4);
	run_until(&s, T0 + S(30));
	assert_int_equal(s.c.method, PMTUCTL_M_ICMP_TUNNEL);
	assert_string_equal(s.c.reason, "peer answers no pings: keeping MTU 1440, MSS clamped");
	assert_int_equal(s.ep_targets_asked, 0);
}

/* Full-size data flows; the path shrinks under it and drops the ICMP: the
 * once-a-second confirmation finds the black hole, a new search the new
 * MTU within a few seconds. */
static void test_midflow_black_hole(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s, PEER_WGMTUD, 1500);
	start(&s, 4);
	run_until(&s, T0 + S(3));
	assert_int_equal(s.c.path_mtu, 1500);
	assert_int_equal(mtu(&s), 1440);
	s.sending = true;
	s.next_data = s.now;
	run_until(&s, T0 + S(10));
	assert_int_equal(s.c.path_mtu, 1500); /* confirmations pass */
	s.path = 1400;
	run_until(&s, T0 + S(16));
	assert_true(logged(&s, "black hole at path MTU 1500"));
	assert_int_equal(s.c.path_mtu, 1400);
	assert_int_equal(mtu(&s), 1340);
	assert_string_equal(pmtuctl_state_name(&s.c), "search_complete");
}

/* The same on a slow path (RTT 400 ms): the new search takes longer than
 * a second, so the MTU steps down to the base size meanwhile, then to the
 * search's answer. */
static void test_midflow_black_hole_slow_search(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s, PEER_WGMTUD, 1500);
	s.rtt = MS(400);
	start(&s, 4);
	run_until(&s, T0 + S(10));
	assert_int_equal(s.c.path_mtu, 1500);
	s.sending = true;
	s.next_data = s.now;
	s.path = 1400;
	run_until(&s, T0 + S(60));
	assert_true(logged(&s, "black hole at path MTU 1500"));
	assert_true(logged(&s, "base size meanwhile"));
	assert_true(logged(&s, "effective MTU 1140 (was 1440)"));
	assert_int_equal(s.c.path_mtu, 1400);
	assert_int_equal(mtu(&s), 1340);
	assert_int_equal(s.mtu_changes, 2); /* 1440 -> 1140 -> 1340 */
}

/* 5 % random loss both ways for five minutes of full-size data: the
 * discovered MTU is exact and no black hole is ever declared. */
static void test_loss_without_false_alarms(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s, PEER_WGMTUD, 1454);
	s.loss_pct = 5;
	s.rng = 0xdeadbeef;
	start(&s, 4);
	run_until(&s, T0 + S(10));
	assert_int_equal(s.c.path_mtu, 1454);
	s.sending = true;
	s.next_data = s.now;
	run_until(&s, T0 + S(300));
	assert_false(logged(&s, "black hole"));
	assert_int_equal(s.c.path_mtu, 1454);
	assert_int_equal(s.mtu_changes, 1);
}

/* The raise timer finds an idle peer: no probes until data flows again,
 * then a raise search at once. */
static void test_idle_deferral(void **state)
{
	struct sim s;
	uint64_t probes;

	(void)state;
	sim_init(&s, PEER_WGMTUD, 1454);
	s.c.raise_ms = 10000;
	start(&s, 4);
	run_until(&s, T0 + S(3));
	assert_int_equal(s.c.path_mtu, 1454);
	probes = s.probes;
	run_until(&s, T0 + S(3600));
	assert_int_equal(s.probes, probes);
	assert_true(s.c.raise_deferred);
	assert_int_equal(pmtuctl_deadline(&s.c), UINT64_MAX);
	/* the path grew meanwhile; data flows: the raise search runs now */
	s.path = 1500;
	s.sending = true;
	s.next_data = s.now;
	run_until(&s, T0 + S(3605));
	assert_false(s.c.raise_deferred);
	assert_true(s.probes > probes);
	assert_int_equal(s.c.path_mtu, 1500);
	assert_int_equal(mtu(&s), 1440);
}

static void test_pinned(void **state)
{
	struct pmtuctl_out o;
	struct sim s;

	(void)state;
	sim_init(&s, PEER_WGMTUD, 1454);
	s.c.pinned = 1300;
	start(&s, 4);
	run_until(&s, T0 + S(100));
	assert_int_equal(s.probes, 0);
	assert_int_equal(s.c.method, PMTUCTL_M_PINNED);
	assert_int_equal(mtu(&s), 1300);
	assert_string_equal(s.c.reason, "MTU 1300 pinned by hand");
	assert_string_equal(pmtuctl_state_name(&s.c), "disabled");
	/* capped by the TUN MTU */
	s.c.pinned = 1480;
	assert_int_equal(mtu(&s), 1440);
	/* hints and data change nothing */
	pmtuctl_on_ptb_hint(&s.c, 1280, s.now, &o);
	perform(&s, &o);
	pmtuctl_on_data_sent(&s.c, 1440, s.now, &o);
	perform(&s, &o);
	assert_int_equal(s.probes, 0);
	assert_int_equal(pmtuctl_deadline(&s.c), UINT64_MAX);

	/* discovery off: pinned still enforced, or the TUN MTU */
	sim_init(&s, PEER_WGMTUD, 1454);
	s.c.mode = PMTUCTL_MODE_OFF;
	start(&s, 4);
	assert_int_equal(s.probes, 0);
	assert_int_equal(s.c.method, PMTUCTL_M_NONE);
	assert_string_equal(s.c.reason, "path MTU discovery is off for this peer");
	s.c.probe_on = false;
	s.c.mode = PMTUCTL_MODE_AUTO;
	s.c.pinned = 1280;
	start(&s, 4);
	assert_int_equal(s.c.method, PMTUCTL_M_PINNED);
	assert_string_equal(s.c.reason, "path MTU discovery is off");
	assert_int_equal(mtu(&s), 1280);
}

/* n forged too-big hints, spacing apart; returns the forged bytes (the
 * smallest such ICMP message: what a forger must send at least). */
static uint64_t forge(struct sim *s, unsigned n, uint64_t spacing, uint32_t claim)
{
	struct pmtuctl_out o;
	uint64_t bytes = 0;

	for (unsigned i = 0; i < n; i++) {
		pmtuctl_on_ptb_hint(&s->c, claim, s->now, &o);
		perform(s, &o);
		bytes += s->c.family == 6 ? 96 : 56;
		run_until(s, s->now + spacing);
	}
	return bytes;
}

/* Forged outer ICMP too-big: counted, only ever a reason to probe, and
 * credit-limited: at most one probe round a second, and no more probe
 * bytes than half what the forger sent (plus one round a minute). Before
 * the limit, a flood bought 2.4 and a trickle of 15/s 48 probe bytes per
 * forged byte here. */
static void test_forged_hints(void **state)
{
	struct pmtuctl_out o;
	struct sim s;
	uint64_t b0, forged, round = 1454 + 1200;

	(void)state;
	sim_init(&s, PEER_WGMTUD, 1454);
	start(&s, 4);
	run_until(&s, T0 + S(3));
	assert_int_equal(s.c.path_mtu, 1454);

	/* the first hint (a real router's, say) is probed at once */
	b0 = s.probe_bytes;
	pmtuctl_on_ptb_hint(&s.c, 1400, s.now, &o);
	perform(&s, &o);
	assert_int_equal(o.n_probes, 2);
	assert_int_equal(s.probe_bytes - b0, round);
	assert_int_equal(s.c.ptb_limited, 0);
	run_until(&s, s.now + S(2));

	/* a flood: 20,000 in 10 s */
	b0 = s.probe_bytes;
	forged = forge(&s, 20000, 500000, 576);
	run_until(&s, s.now + S(5));
	print_message("# flood: %llu forged bytes, %llu probe bytes\n",
		      (unsigned long long)forged, (unsigned long long)(s.probe_bytes - b0));
	assert_true(s.probe_bytes - b0 <= forged);
	assert_true(s.probe_bytes - b0 <= 11 * round); /* one round a second */
	assert_true(s.c.ptb_limited >= 20000 - 11);

	/* a trickle: 15 a second for 20 s */
	b0 = s.probe_bytes;
	forged = forge(&s, 300, MS(1000) / 15, 1300);
	print_message("# trickle: %llu forged bytes, %llu probe bytes\n",
		      (unsigned long long)forged, (unsigned long long)(s.probe_bytes - b0));
	assert_true(s.probe_bytes - b0 <= forged);

	/* a slow trickle: one a second for two minutes: half its bytes and
	 * one round a minute */
	b0 = s.probe_bytes;
	forged = forge(&s, 120, S(1), 1300);
	assert_true(s.probe_bytes - b0 <= forged / 2 + 3 * round);

	run_until(&s, s.now + S(5));
	assert_int_equal(s.c.ptb_hints, 1 + 20000 + 300 + 120);
	assert_int_equal(s.c.path_mtu, 1454);
	assert_int_equal(mtu(&s), 1394);
	assert_int_equal(s.mtu_changes, 1);

	/* while a search runs, hints only join its rounds */
	sim_init(&s, PEER_WGMTUD, 1454);
	s.c.mode = PMTUCTL_MODE_INBAND;
	start(&s, 6);
	b0 = s.probe_bytes;
	forged = forge(&s, 2000, 1000000, 1300);
	assert_int_equal(s.c.path_mtu, 1454);
	assert_true(s.probe_bytes - b0 <= forged);
}

static void test_other_modes(void **state)
{
	struct sim s;

	(void)state;
	/* no session: nothing starts */
	sim_init(&s, PEER_WGMTUD, 1454);
	{
		struct pmtuctl_out o;

		pmtuctl_start(&s.c, s.now, 0, false, 1, "test", &o);
		perform(&s, &o);
	}
	assert_false(s.c.started);
	assert_int_equal(s.probes, 0);
	assert_string_equal(s.c.reason, "no session yet");

	/* icmp-endpoint by hand: no hello, straight to the endpoint */
	sim_init(&s, PEER_STANDARD, 1454);
	s.c.mode = PMTUCTL_MODE_ICMP_ENDPOINT;
	start(&s, 4);
	assert_int_equal(s.hellos, 0);
	assert_int_equal(s.ep_targets_asked, 1);
	assert_int_equal(s.targets_asked, 1);
	assert_string_equal(s.c.reason, "probing 198.51.100.2 outside the tunnel");
	run_until(&s, T0 + S(3));
	assert_int_equal(s.c.path_mtu, 1454);
	assert_int_equal(mtu(&s), 1392);
	assert_string_equal(s.c.reason,
			    "path MTU 1454 found by icmp-endpoint probes (the peer pads: inner MTU in 16-byte steps)");

	/* icmp-tunnel by hand: no hello, straight to the pings */
	sim_init(&s, PEER_STANDARD, 1454);
	s.c.mode = PMTUCTL_MODE_ICMP_TUNNEL;
	start(&s, 4);
	assert_int_equal(s.hellos, 0);
	assert_int_equal(s.targets_asked, 1);
	run_until(&s, T0 + S(8));
	assert_int_equal(s.c.path_mtu, 1452);

	/* in-band by hand against a wgmtud */
	sim_init(&s, PEER_WGMTUD, 1454);
	s.c.mode = PMTUCTL_MODE_INBAND;
	start(&s, 6);
	assert_int_equal(s.hellos, 0);
	run_until(&s, T0 + S(5));
	assert_int_equal(s.c.path_mtu, 1454);
	assert_int_equal(mtu(&s), 1374);
	/* an answer to a target that was never asked for changes nothing */
	{
		struct pmtuctl_out o;

		pmtuctl_on_target(&s.c, PMTUCTL_M_ICMP_TUNNEL, true, "x", s.now, &o);
		assert_int_equal(o.n_probes, 0);
		assert_int_equal(s.c.method, PMTUCTL_M_INBAND);
	}

	/* TUN MTU so small nothing is left to search */
	sim_init(&s, PEER_WGMTUD, 1454);
	s.c.tun_mtu = 1100;
	s.c.mode = PMTUCTL_MODE_INBAND;
	start(&s, 4);
	assert_false(s.c.active);
	assert_string_equal(s.c.reason, "TUN MTU 1100 leaves nothing to search above the base size");

	/* the method table is complete */
	for (int m = 0; m < PMTUCTL_M_COUNT; m++) {
		assert_non_null(pmtuctl_method_name((enum pmtuctl_method)m));
		if (pmtuctl_methods[m].probes)
			assert_non_null(pmtuctl_methods[m].searching);
		if (pmtuctl_methods[m].needs_target)
			assert_non_null(pmtuctl_methods[m].no_target);
	}
	assert_string_equal(pmtuctl_method_name(PMTUCTL_M_COUNT), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wgmtud_peer_exact),
		cmocka_unit_test(test_hello_lost_both_ways),
		cmocka_unit_test(test_standard_peer_padding),
		cmocka_unit_test(test_no_pings_peer),
		cmocka_unit_test(test_midflow_black_hole),
		cmocka_unit_test(test_midflow_black_hole_slow_search),
		cmocka_unit_test(test_loss_without_false_alarms),
		cmocka_unit_test(test_idle_deferral),
		cmocka_unit_test(test_pinned),
		cmocka_unit_test(test_forged_hints),
		cmocka_unit_test(test_other_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
