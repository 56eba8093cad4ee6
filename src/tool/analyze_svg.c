// SPDX-License-Identifier: MIT
/*
 * wgmtu analyze --svg: packet size over time, one panel per direction.
 * Arrived packets are blue dots, lost ones red crosses; the inferred path
 * MTU is drawn as labelled lines (largest delivered, smallest lost) with the
 * band between them shaded, so the picture reads without a legend.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pmtu/overhead.h"
#include "tool/analyze_svg.h"

enum {
	W = 1000, PANEL_H = 300, TOP = 56, LEFT = 70, RIGHT = 200, PLOT_H = 220,
	MAX_PANELS = 8, MAX_POINTS = 20000,
};

struct panel {
	const struct ana_cap *c;
	uint32_t dir;
	const char *title_extra;
	uint64_t sent, lost;
	uint32_t lo, hi_lost;   /* largest delivered, smallest lost (IP bytes) */
	bool matched;
	const char *verdict;
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

static void draw_panel(FILE *f, const struct panel *p, int y0)
{
	const struct ana_cap *c = p->c;
	const struct ana_dir *d = &c->dirs[p->dir];
	char from[64], to[64];
	uint64_t t0 = d->first_us, t1 = d->last_us, n = 0, step = 1;
	double span, ymax = d->max_ip > 1500 ? d->max_ip * 1.08 : 1600;
	int pw = W - LEFT - RIGHT;

	/* captures are not always in time order: take the real range */
	for (uint64_t i = 0; i < c->n_recs; i++) {
		if (c->recs[i].dir != p->dir)
			continue;
		if (!n++ || c->recs[i].ts_us < t0)
			t0 = c->recs[i].ts_us;
		if (n == 1 || c->recs[i].ts_us > t1)
			t1 = c->recs[i].ts_us;
	}
	if (n > MAX_POINTS)
		step = n / MAX_POINTS + 1;
	span = t1 > t0 ? (double)(t1 - t0) : 1.0;
#define X(t) (LEFT + 6 + (double)((t) - t0) / span * (pw - 12))
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
	/* frame and grid */
	fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' fill='#fbfbfb' stroke='#999'/>\n",
		LEFT, y0, pw, PLOT_H);
	for (int v = 0; v <= (int)ymax; v += 250) {
		fprintf(f, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#e4e4e4'/>"
			"<text x='%d' y='%.1f' font-size='11' text-anchor='end' fill='#555'>%d</text>\n",
			LEFT, LEFT + pw, Y(v), Y(v), LEFT - 6, Y(v) + 4, v);
	}
	fprintf(f, "<text x='16' y='%d' font-size='11' fill='#555' transform='rotate(-90 16 %d)' "
		"text-anchor='middle'>IP packet size (bytes)</text>\n", y0 + PLOT_H / 2, y0 + PLOT_H / 2);
	for (int k = 0; k <= 4; k++) {
		double t = span * k / 4 / 1e6;

		fprintf(f, "<text x='%.1f' y='%d' font-size='11' text-anchor='middle' fill='#555'>"
			"%.*f s</text>\n", LEFT + pw * k / 4.0, y0 + PLOT_H + 16,
			span < 2e6 ? 2 : 1, t);
	}
	/* the bracket: shaded band between largest delivered and smallest lost */
	if (p->lo && p->hi_lost > p->lo) {
		fprintf(f, "<rect x='%d' y='%.1f' width='%d' height='%.1f' fill='#f6d55c' "
			"fill-opacity='0.25'/>\n", LEFT, Y(p->hi_lost), pw, Y(p->lo) - Y(p->hi_lost));
		if (Y(p->lo) - Y(p->hi_lost) >= 14)
			fprintf(f, "<text x='%d' y='%.1f' font-size='12' fill='#8a6d00'>the path MTU "
				"is in this band (%u\xe2\x80\x93%u)</text>\n", LEFT + 10,
				(Y(p->hi_lost) + Y(p->lo)) / 2 + 4, p->lo, p->hi_lost - 1);
	}
	if (p->lo) {
		fprintf(f, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#2a7d2a' "
			"stroke-width='1.5' stroke-dasharray='6 3'/>\n", LEFT, LEFT + pw, Y(p->lo), Y(p->lo));
		fprintf(f, "<text x='%d' y='%.1f' font-size='12' fill='#2a7d2a'>largest arrived: "
			"%u</text>\n", W - RIGHT + 8, Y(p->lo) + 4, p->lo);
	}
	if (p->hi_lost) {
		fprintf(f, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#c0392b' "
			"stroke-width='1.5' stroke-dasharray='6 3'/>\n", LEFT, LEFT + pw,
			Y(p->hi_lost), Y(p->hi_lost));
		fprintf(f, "<text x='%d' y='%.1f' font-size='12' fill='#c0392b'>%s: %u</text>\n",
			W - RIGHT + 8, Y(p->hi_lost) - 4, p->matched ? "smallest lost" : "never answered",
			p->hi_lost);
		if (p->lost)
			fprintf(f, "<text x='%d' y='%.1f' font-size='11' fill='#c0392b'>(%" PRIu64
				" %s)</text>\n", W - RIGHT + 8, Y(p->hi_lost) + 10, p->lost,
				p->matched ? "lost" : "sent, unanswered");
	}
	/* points: arrived/seen first, lost on top */
	fputs("<g fill='#2f6db5' fill-opacity='0.7'>\n", f);
	for (uint64_t i = 0, k = 0; i < c->n_recs; i++) {
		const struct ana_rec *r = &c->recs[i];

		if (r->dir != p->dir || r->lost == 1 || r->lost == 3 || (k++ % step))
			continue;
		if (!p->matched && p->hi_lost && r->ip_len >= p->hi_lost)
			continue;
		fprintf(f, "<circle cx='%.1f' cy='%.1f' r='2.5'/>\n", X(r->ts_us), Y(r->ip_len));
	}
	fputs("</g>\n<g stroke='#d62728' stroke-width='2'>\n", f);
	for (uint64_t i = 0; i < c->n_recs; i++) {
		const struct ana_rec *r = &c->recs[i];
		double x, y;

		if (r->dir != p->dir)
			continue;
		if (!(r->lost == 1 || (!p->matched && p->hi_lost && r->ip_len >= p->hi_lost)))
			continue;
		x = X(r->ts_us);
		y = Y(r->ip_len);
		fprintf(f, "<path d='M%.1f %.1fl8 8m0 -8l-8 8'/>\n", x - 4, y - 4);
	}
	fputs("</g>\n", f);
	fprintf(f, "<text x='%d' y='%d' font-size='12' fill='#333'>"
		"<tspan fill='#2f6db5'>\xe2\x97\x8f</tspan> %s   "
		"<tspan fill='#d62728'>\xe2\x9c\x95</tspan> %s</text>\n",
		LEFT + 4, y0 + PLOT_H + 34, p->matched ? "arrived" : "sent",
		p->matched ? "lost (never seen at the other end)" : "repeated with no answer");
#undef X
#undef Y
}

int ana_svg_write(const char *path, const struct ana_result *r, char *err, size_t errlen)
{
	struct panel pn[MAX_PANELS];
	int n = 0, h;
	FILE *f;

	if (r->match) {
		for (uint32_t i = 0; i < r->match->n && n < MAX_PANELS; i++) {
			const struct ana_mdir *x = &r->match->d[i];

			pn[n++] = (struct panel){
				.c = r->cap[x->sender], .dir = x->dir, .sent = x->sent, .lost = x->lost,
				.lo = x->max_delivered,
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
		draw_panel(f, &pn[i], TOP + 30 + i * PANEL_H);
	fputs("</svg>\n", f);
	if (f == stdout ? fflush(f) || ferror(f) : fclose(f)) {
		snprintf(err, errlen, "write failed: %s", strerror(errno));
		return -EIO;
	}
	return 0;
}
