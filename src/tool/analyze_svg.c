// SPDX-License-Identifier: MIT
/*
 * wgmtu analyze --svg: packet size over time, one panel per direction.
 * Arrived packets are blue dots (hollow orange when they crossed as IP
 * fragments), lost ones red crosses, wgmtud probes above the path MTU grey
 * crosses; the inferred path MTU is drawn as labelled lines (largest
 * delivered, smallest lost) with the band between them shaded, an ICMP
 * too-big as a purple line at its MTU and a marker at its time. Every
 * panel shares one time scale and nice tick steps on both axes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pmtu/overhead.h"
#include "tool/analyze_svg.h"

enum {
	W = 1000, PANEL_H = 318, TOP = 56, LEFT = 70, RIGHT = 230, PLOT_H = 220,
	MAX_PANELS = 8, MAX_POINTS = 20000, MAX_TICKS = 8,
};

struct panel {
	const struct ana_cap *c;
	uint32_t dir;
	uint64_t sent, lost, probes;
	uint32_t lo, hi_lost;   /* largest delivered, smallest lost (IP bytes) */
	uint32_t ptb_mtu;       /* smallest MTU an ICMP too-big named, 0 none */
	bool matched, ptb_explained;
	const char *verdict;
	uint64_t t0;            /* the start of the panel's capture */
};

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* A tick step of 1, 2 or 5 times a power of ten giving at most MAX_TICKS
 * intervals over range (never 256 labels for a 64 KB axis). */
double ana_svg_tick_step(double range)
{
	double step = 1e-6;

	if (!(range > 0))
		return 1;
	while (range / step > MAX_TICKS) {
		if (range / (step * 2) <= MAX_TICKS)
			return step * 2;
		if (range / (step * 5) <= MAX_TICKS)
			return step * 5;
		step *= 10;
	}
	return step;
}

static int decimals_for(double step)
{
	int d = 0;

	while (d < 6 && step < 0.999) {
		step *= 10;
		d++;
	}
	return d;
}

/* An ICMP too-big in the panel's capture that quotes the panel's flow. */
static bool panel_ptb(const struct panel *p, uint32_t *mtu, uint64_t *first)
{
	const struct ana_dir *d = &p->c->dirs[p->dir];
	bool found = false;

	for (uint32_t i = 0; i < p->c->n_ptb; i++) {
		if (!p->c->ptb[i].have_flow || !ana_key_eq(&p->c->ptb[i].key, &d->key))
			continue;
		if (!found || p->c->ptb[i].mtu < *mtu)
			*mtu = p->c->ptb[i].mtu;
		if (!found || p->c->ptb[i].first_us < *first)
			*first = p->c->ptb[i].first_us;
		found = true;
	}
	return found;
}

static void right_label(FILE *f, double y, const char *color, const char *text, int *last_y)
{
	/* keep labels of close values from overprinting each other */
	if (*last_y && y < *last_y + 14 && y > *last_y - 14)
		y = *last_y + 14;
	fprintf(f, "<text x='%d' y='%.1f' font-size='12' fill='%s'>", W - RIGHT + 8, y, color);
	xml_text(f, text);
	fputs("</text>\n", f);
	*last_y = (int)y;
}

static void draw_panel(FILE *f, const struct panel *p, int y0, double span)
{
	const struct ana_cap *c = p->c;
	const struct ana_dir *d = &c->dirs[p->dir];
	char from[64], to[64], lbl[96];
	uint64_t n = 0, step = 1, n_frag = 0, ptb_t = 0;
	uint32_t ptb_mtu = 0;
	double ymax = d->max_ip > 1500 ? d->max_ip * 1.08 : 1600, ystep, xstep;
	int pw = W - LEFT - RIGHT, last_y = 0;
	bool have_ptb = panel_ptb(p, &ptb_mtu, &ptb_t);

	for (uint64_t i = 0; i < c->n_recs; i++)
		if (c->recs[i].dir == p->dir)
			n++;
	if (n > MAX_POINTS)
		step = n / MAX_POINTS + 1;
#define X(t) (LEFT + 6 + (double)((t) - p->t0) / span * (pw - 12))
#define Y(v) (y0 + PLOT_H - (double)(v) / ymax * PLOT_H)
	ana_fmt_endpoint(&d->key.src, d->key.sport, from, sizeof(from));
	ana_fmt_endpoint(&d->key.dst, d->key.dport, to, sizeof(to));
	fprintf(f, "<text x='%d' y='%d' font-size='15' font-weight='bold'>", LEFT, y0 - 12);
	xml_text(f, from);
	fputs(" \xe2\x86\x92 ", f);
	xml_text(f, to);
	fprintf(f, "</text>\n<text x='%d' y='%d' font-size='13' text-anchor='end' fill='%s'>",
		W - RIGHT, y0 - 12, !strcmp(p->verdict, "healthy") ? "#2a7d2a" : "#c0392b");
	if (p->matched)
		fprintf(f, "sent %" PRIu64 ", lost %" PRIu64 " \xe2\x80\x94 %s", p->sent, p->lost,
			p->verdict);
	else
		fprintf(f, "%" PRIu64 " datagrams seen \xe2\x80\x94 %s", p->sent, p->verdict);
	fputs("</text>\n", f);
	/* frame and grid: nice steps on both axes */
	fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' fill='#fbfbfb' stroke='#999'/>\n",
		LEFT, y0, pw, PLOT_H);
	ystep = ana_svg_tick_step(ymax);
	for (double v = 0; v <= ymax; v += ystep)
		fprintf(f, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#e4e4e4'/>"
			"<text x='%d' y='%.1f' font-size='11' text-anchor='end' fill='#555'>%.0f</text>\n",
			LEFT, LEFT + pw, Y(v), Y(v), LEFT - 6, Y(v) + 4, v);
	fprintf(f, "<text x='16' y='%d' font-size='11' fill='#555' transform='rotate(-90 16 %d)' "
		"text-anchor='middle'>IP packet size (bytes)</text>\n", y0 + PLOT_H / 2, y0 + PLOT_H / 2);
	xstep = ana_svg_tick_step(span / 1e6);
	for (double t = 0; t <= span / 1e6 + 1e-9; t += xstep)
		fprintf(f, "<text x='%.1f' y='%d' font-size='11' text-anchor='middle' fill='#555'>"
			"%.*f s</text>\n", X(p->t0 + t * 1e6), y0 + PLOT_H + 16,
			decimals_for(xstep), t);
	fprintf(f, "<text x='%d' y='%d' font-size='11' text-anchor='end' fill='#777'>time since ",
		LEFT + pw, y0 + PLOT_H + 32);
	xml_text(f, base(c->name));
	fputs(" began</text>\n", f);
	/* the bracket: shaded band between largest delivered and smallest lost */
	if (p->lo && p->hi_lost > p->lo) {
		fprintf(f, "<rect x='%d' y='%.1f' width='%d' height='%.1f' fill='#f6d55c' "
			"fill-opacity='0.25'/>\n", LEFT, Y(p->hi_lost), pw, Y(p->lo) - Y(p->hi_lost));
		if (Y(p->lo) - Y(p->hi_lost) >= 14)
			fprintf(f, "<text x='%d' y='%.1f' font-size='12' fill='#8a6d00'>the path MTU "
				"is in this band (%u\xe2\x80\x93%u)</text>\n", LEFT + 10,
				(Y(p->hi_lost) + Y(p->lo)) / 2 + 4, p->lo, p->hi_lost - 1);
	}
	/* right-hand labels, top down */
	if (p->hi_lost) {
		fprintf(f, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#c0392b' "
			"stroke-width='1.5' stroke-dasharray='6 3'/>\n", LEFT, LEFT + pw,
			Y(p->hi_lost), Y(p->hi_lost));
		snprintf(lbl, sizeof(lbl), "%s: %u", p->matched ? "smallest lost" : "never answered",
			 p->hi_lost);
		right_label(f, Y(p->hi_lost) - 4, "#c0392b", lbl, &last_y);
		if (p->lost) {
			snprintf(lbl, sizeof(lbl), "(%" PRIu64 " %s)", p->lost,
				 p->matched ? "lost" : "sent, unanswered");
			right_label(f, Y(p->hi_lost) + 10, "#c0392b", lbl, &last_y);
		}
	}
	if (have_ptb) {
		/* the ICMP that explains the verdict: its MTU, and when it came */
		fprintf(f, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#8e44ad' "
			"stroke-width='1.5' stroke-dasharray='2 3'/>\n", LEFT, LEFT + pw,
			Y(ptb_mtu), Y(ptb_mtu));
		fprintf(f, "<line x1='%.1f' x2='%.1f' y1='%d' y2='%d' stroke='#8e44ad' "
			"stroke-width='1.5'/>\n<path d='M%.1f %d l-6 -9 h12 z' fill='#8e44ad'/>\n",
			X(ptb_t), X(ptb_t), y0, y0 + PLOT_H, X(ptb_t), y0);
		snprintf(lbl, sizeof(lbl), "ICMP too-big: MTU %u", ptb_mtu);
		right_label(f, Y(ptb_mtu) + 4, "#8e44ad", lbl, &last_y);
	}
	if (p->lo) {
		fprintf(f, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#2a7d2a' "
			"stroke-width='1.5' stroke-dasharray='6 3'/>\n", LEFT, LEFT + pw, Y(p->lo), Y(p->lo));
		snprintf(lbl, sizeof(lbl), "largest arrived whole: %u", p->lo);
		right_label(f, Y(p->lo) + 4, "#2a7d2a", lbl, &last_y);
	}
	/* points: arrived whole (blue dots), arrived in IP fragments (hollow,
	 * orange: the size says nothing about the path MTU), lost (red
	 * crosses), wgmtud probes above the path MTU (grey crosses) */
	fputs("<g fill='#2f6db5' fill-opacity='0.7'>\n", f);
	for (uint64_t i = 0, k = 0; i < c->n_recs; i++) {
		const struct ana_rec *r = &c->recs[i];

		if (r->dir != p->dir || r->lost == 1 || r->lost == 3 || (k++ % step))
			continue;
		if (!p->matched && p->hi_lost && r->ip_len >= p->hi_lost)
			continue;
		if (r->frag) {
			n_frag++;
			continue;
		}
		fprintf(f, "<circle cx='%.1f' cy='%.1f' r='2.5'/>\n", X(r->ts_us), Y(r->ip_len));
	}
	fputs("</g>\n<g fill='none' stroke='#e67e22' stroke-width='1.5'>\n", f);
	for (uint64_t i = 0, k = 0; i < c->n_recs && n_frag; i++) {
		const struct ana_rec *r = &c->recs[i];

		if (r->dir != p->dir || r->lost == 1 || r->lost == 3 || (k++ % step) || !r->frag)
			continue;
		fprintf(f, "<circle cx='%.1f' cy='%.1f' r='3.5'/>\n", X(r->ts_us), Y(r->ip_len));
	}
	fputs("</g>\n<g stroke='#d62728' stroke-width='2'>\n", f);
	for (uint64_t i = 0; i < c->n_recs; i++) {
		const struct ana_rec *r = &c->recs[i];
		double x, y;

		if (r->dir != p->dir)
			continue;
		if (!(r->lost == 1 || r->lost == 3 ||
		      (!p->matched && p->hi_lost && r->ip_len >= p->hi_lost)))
			continue;
		x = X(r->ts_us);
		y = Y(r->ip_len);
		fprintf(f, "<path d='M%.1f %.1fl8 8m0 -8l-8 8'%s/>\n", x - 4, y - 4,
			r->lost == 3 ? " stroke='#999'" : "");
	}
	fputs("</g>\n", f);
	/* the legend names only what is drawn */
	fprintf(f, "<text x='%d' y='%d' font-size='12' fill='#333'>"
		"<tspan fill='#2f6db5'>\xe2\x97\x8f</tspan> %s", LEFT + 4, y0 + PLOT_H + 50,
		p->matched ? "arrived whole" : "sent");
	if (n_frag)
		fputs("   <tspan fill='#e67e22'>\xe2\x97\x8b</tspan> arrived in IP fragments", f);
	if (p->lost || (!p->matched && p->hi_lost))
		fprintf(f, "   <tspan fill='#d62728'>\xe2\x9c\x95</tspan> %s",
			p->matched ? "lost (never seen at the other end)" : "repeated with no answer");
	if (p->probes)
		fputs("   <tspan fill='#999'>\xe2\x9c\x95</tspan> wgmtud probe above the path MTU", f);
	if (have_ptb)
		fputs("   <tspan fill='#8e44ad'>\xe2\x96\xbc</tspan> ICMP too-big", f);
	fputs("</text>\n", f);
#undef X
#undef Y
}

int ana_svg_write(const char *path, const struct ana_result *r, char *err, size_t errlen)
{
	struct panel pn[MAX_PANELS];
	int n = 0, h;
	double span = 1.0;
	FILE *f;

	if (r->match) {
		for (uint32_t i = 0; i < r->match->n && n < MAX_PANELS; i++) {
			const struct ana_mdir *x = &r->match->d[i];

			pn[n++] = (struct panel){
				.c = r->cap[x->sender], .dir = x->dir, .sent = x->sent, .lost = x->lost,
				.probes = x->probes_lost, .lo = x->max_delivered,
				.hi_lost = x->verdict == ANA_BLACK_HOLE ? x->min_lost : 0,
				.matched = true, .verdict = ana_verdict_name(x->verdict) };
		}
	} else {
		const struct ana_cap *c = r->cap[0];

		for (uint32_t i = 0; i < c->n_dirs && n < MAX_PANELS; i++) {
			const struct ana_dir *d = &c->dirs[i];

			if (!d->n_data)
				continue;
			pn[n++] = (struct panel){
				.c = c, .dir = i, .sent = d->dgrams,
				.lost = d->bh_size >= 0 ? d->sizes[d->bh_size].count : 0,
				.hi_lost = d->bh_size >= 0 ? d->sizes[d->bh_size].ip_len : 0,
				.verdict = ana_verdict_name(d->verdict) };
		}
	}
	/* one time scale for every panel: seconds since the start of the
	 * capture that holds the panel's sending end (two captures' clocks
	 * need not agree, so each panel counts from its own capture's start) */
	for (int i = 0; i < n; i++) {
		pn[i].t0 = pn[i].c->first_us;
		if (pn[i].c->last_us > pn[i].t0 && (double)(pn[i].c->last_us - pn[i].t0) > span)
			span = (double)(pn[i].c->last_us - pn[i].t0);
	}
	f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!f) {
		snprintf(err, errlen, "cannot write: %s", strerror(errno));
		return -errno;
	}
	h = TOP + (n ? n : 1) * PANEL_H;
	fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n"
		"<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
		"viewBox='0 0 %d %d' font-family='DejaVu Sans, Helvetica, Arial, sans-serif'>\n"
		"<rect width='100%%' height='100%%' fill='white'/>\n", W, h, W, h);
	fprintf(f, "<text x='%d' y='26' font-size='18' font-weight='bold'>wgmtu analyze: ", LEFT);
	xml_text(f, base(r->cap[0]->name));
	if (r->ncap == 2) {
		fputs(" + ", f);
		xml_text(f, base(r->cap[1]->name));
	}
	fprintf(f, " \xe2\x80\x94 verdict: %s</text>\n", ana_verdict_name(r->verdict));
	if (!n)
		fprintf(f, "<text x='%d' y='%d' font-size='14'>no WireGuard or UDP transport "
			"traffic to draw</text>\n", LEFT, TOP + 40);
	for (int i = 0; i < n; i++)
		draw_panel(f, &pn[i], TOP + 30 + i * PANEL_H, span);
	fputs("</svg>\n", f);
	if (f == stdout ? fflush(f) || ferror(f) : fclose(f)) {
		snprintf(err, errlen, "write failed: %s", strerror(errno));
		return -EIO;
	}
	return 0;
}
