// SPDX-License-Identifier: MIT
/* The WireGuard device model from `wg show all dump` (see wgdump.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "tool/tune_sys.h"
#include "tool/uapi_io.h"
#include "tool/wgdump.h"

#define MAX_FIELDS 10

static void seterr(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!err || !cap)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

int wgm_prefix_parse(const char *s, struct wgm_prefix *p)
{
	char a[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len;

	memset(p, 0, sizeof(*p));
	if (n == 0 || n >= sizeof(a))
		return -EINVAL;
	memcpy(a, s, n);
	a[n] = 0;
	if (inet_pton(AF_INET, a, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, a, p->addr) == 1)
		p->family = AF_INET6;
	else
		return -EINVAL;
	if (!slash) {
		p->len = p->family == AF_INET ? 32 : 128;
		return 0;
	}
	if (parse_ulong(slash + 1, 0, p->family == AF_INET ? 32 : 128, &len) < 0)
		return -EINVAL;
	p->len = (uint8_t)len;
	return 0;
}

int wgm_endpoint_parse(const char *s, struct sockaddr_storage *ss)
{
	char a[INET6_ADDRSTRLEN + 1];
	const char *colon;
	unsigned long port;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		char *pct;

		if (!end || end[1] != ':')
			return -EINVAL;
		n = (size_t)(end - s - 1);
		if (n == 0 || n >= sizeof(a))
			return -EINVAL;
		memcpy(a, s + 1, n);
		a[n] = 0;
		pct = strchr(a, '%'); /* a scope: not needed to probe */
		if (pct)
			*pct = 0;
		if (inet_pton(AF_INET6, a, &s6->sin6_addr) != 1 ||
		    parse_ulong(end + 2, 0, 65535, &port) < 0)
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	colon = strrchr(s, ':');
	if (!colon)
		return -EINVAL;
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof(a))
		return -EINVAL;
	memcpy(a, s, n);
	a[n] = 0;
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, a, &s4->sin_addr) != 1 ||
		    parse_ulong(colon + 1, 0, 65535, &port) < 0)
			return -EINVAL;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
	}
	return 0;
}

const char *wgm_prefix_fmt(const struct wgm_prefix *p, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, n, "%s/%u", a, p->len);
	return buf;
}

bool wgm_prefix_eq(const struct wgm_prefix *a, const struct wgm_prefix *b)
{
	return a->family == b->family && a->len == b->len && wgm_prefix_contains(a, b);
}

bool wgm_prefix_contains(const struct wgm_prefix *a, const struct wgm_prefix *b)
{
	unsigned full, rest;

	if (a->family != b->family || a->len > b->len)
		return false;
	full = a->len / 8;
	rest = a->len % 8;
	if (memcmp(a->addr, b->addr, full))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((a->addr[full] & mask) != (b->addr[full] & mask))
			return false;
	}
	return true;
}

bool wgm_prefix_is_host(const struct wgm_prefix *p)
{
	return p->len == (p->family == AF_INET ? 32 : 128);
}

const struct wgm_prefix *wgm_peer_host(const struct wgm_peer *p, int family)
{
	int fams[2] = { AF_INET, AF_INET6 };

	for (int k = 0; k < 2; k++) {
		if (family && fams[k] != family)
			continue;
		for (size_t i = 0; i < p->n_allowed; i++)
			if (p->allowed[i].family == fams[k] && wgm_prefix_is_host(&p->allowed[i]))
				return &p->allowed[i];
	}
	return NULL;
}

bool wgm_peer_full_tunnel(const struct wgm_peer *p)
{
	for (size_t i = 0; i < p->n_allowed; i++)
		if (p->allowed[i].len == 0)
			return true;
	return false;
}

static void free_iface(struct wgm_iface *ifc)
{
	for (size_t i = 0; i < ifc->n_peers; i++)
		free(ifc->peers[i].allowed);
	free(ifc->peers);
}

void wgm_free(struct wgm_model *m)
{
	for (size_t i = 0; i < m->n_ifs; i++)
		free_iface(&m->ifs[i]);
	free(m->ifs);
	m->ifs = NULL;
	m->n_ifs = 0;
}

const struct wgm_iface *wgm_find(const struct wgm_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_ifs; i++)
		if (!strcmp(m->ifs[i].name, name))
			return &m->ifs[i];
	return NULL;
}

static bool is_key(const char *s)
{
	return strlen(s) == 44 && s[43] == '=';
}

static int parse_u64(const char *s, uint64_t *out)
{
	unsigned long v;

	if (parse_ulong(s, 0, ~0UL, &v) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_allowed(char *s, struct wgm_peer *p)
{
	size_t cap = 0;

	if (!strcmp(s, "(none)") || !*s)
		return 0;
	for (char *save = NULL, *tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (p->n_allowed == cap) {
			size_t nc = cap ? cap * 2 : 4;
			struct wgm_prefix *n = realloc(p->allowed, nc * sizeof(*n));

			if (!n)
				return -ENOMEM;
			p->allowed = n;
			cap = nc;
		}
		if (wgm_prefix_parse(tok, &p->allowed[p->n_allowed]) < 0)
			return -EINVAL;
		p->n_allowed++;
	}
	return 0;
}

static int parse_iface_line(char **f, struct wgm_model *m)
{
	struct wgm_iface *n, *ifc;
	unsigned long port;

	if (strlen(f[0]) == 0 || strlen(f[0]) >= WGM_IFNAMSIZ || wgm_find(m, f[0]))
		return -EINVAL;
	if (!is_key(f[2]) && strcmp(f[2], "(none)"))
		return -EINVAL;
	if (parse_ulong(f[3], 0, 65535, &port) < 0)
		return -EINVAL;
	n = realloc(m->ifs, (m->n_ifs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	m->ifs = n;
	ifc = &m->ifs[m->n_ifs++];
	memset(ifc, 0, sizeof(*ifc));
	snprintf(ifc->name, sizeof(ifc->name), "%s", f[0]);
	if (is_key(f[2]))
		memcpy(ifc->pubkey, f[2], 45);
	ifc->listen_port = (unsigned)port;
	if (strcmp(f[4], "off")) {
		/* wg prints the mark as 0x%x */
		char *end = NULL;
		unsigned long long mark;

		errno = 0;
		mark = strtoull(f[4], &end, 0);
		if (errno || !end || *end || f[4][0] == '-' || mark > 0xffffffffULL)
			return -EINVAL;
		ifc->fwmark = (uint32_t)mark;
	}
	return 0;
}

static int parse_peer_line(char **f, struct wgm_model *m)
{
	struct wgm_iface *ifc = NULL;
	struct wgm_peer *n, *p;
	unsigned long ka = 0;
	int r;

	for (size_t i = 0; i < m->n_ifs; i++)
		if (!strcmp(m->ifs[i].name, f[0]))
			ifc = &m->ifs[i];
	if (!ifc || !is_key(f[1]))
		return -EINVAL;
	n = realloc(ifc->peers, (ifc->n_peers + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	ifc->peers = n;
	p = &ifc->peers[ifc->n_peers++];
	memset(p, 0, sizeof(*p));
	memcpy(p->pubkey, f[1], 45);
	if (strcmp(f[3], "(none)")) {
		if (wgm_endpoint_parse(f[3], &p->endpoint) < 0)
			return -EINVAL;
		p->has_endpoint = true;
	}
	r = parse_allowed(f[4], p);
	if (r < 0)
		return r;
	if (parse_u64(f[5], &p->handshake) < 0 || parse_u64(f[6], &p->rx) < 0 ||
	    parse_u64(f[7], &p->tx) < 0)
		return -EINVAL;
	if (strcmp(f[8], "off") && parse_ulong(f[8], 0, 65535, &ka) < 0)
		return -EINVAL;
	p->keepalive = (unsigned)ka;
	return 0;
}

static int parse(const char *buf, size_t len, const char *ifname, struct wgm_model *m,
		 char *err, size_t err_cap)
{
	size_t off = 0, lineno = 0;
	char *line = NULL;
	int r = 0;

	memset(m, 0, sizeof(*m));
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		char *f[MAX_FIELDS], *save = NULL, *tok;
		size_t nf = 0;

		if (ifname)
			f[nf++] = (char *)ifname; /* `wg show IF dump` leaves it out */
		lineno++;
		if (n >= WGM_MAX_LINE || memchr(buf + off, 0, n)) {
			seterr(err, err_cap, "line %zu: too long or binary", lineno);
			r = -EINVAL;
			break;
		}
		line = malloc(n + 1);
		if (!line) {
			r = -ENOMEM;
			break;
		}
		memcpy(line, buf + off, n);
		line[n] = 0;
		off += n + (nl ? 1 : 0);
		if (n == 0) {
			free(line);
			line = NULL;
			continue;
		}
		for (tok = strtok_r(line, "\t", &save); tok && nf < MAX_FIELDS;
		     tok = strtok_r(NULL, "\t", &save))
			f[nf++] = tok;
		if (ifname && nf == 5 && m->n_ifs)
			r = -EINVAL; /* one interface line only */
		else if (nf == 5)
			r = parse_iface_line(f, m);
		else if (nf == 9)
			r = parse_peer_line(f, m);
		else
			r = -EINVAL;
		explicit_bzero(line, n);
		free(line);
		line = NULL;
		if (r < 0) {
			seterr(err, err_cap, "line %zu: %s", lineno,
			       r == -ENOMEM ? "out of memory" :
			       nf == 5 || nf == 9 ? "a field is malformed (or a peer of an unknown interface)" :
			       ifname ? "neither the interface (4 fields) nor a peer (8 fields)" :
			       "neither an interface (5 fields) nor a peer (9 fields)");
			break;
		}
	}
	if (r < 0)
		wgm_free(m);
	return r;
}

int wgm_parse_dump(const char *buf, size_t len, struct wgm_model *m,
		   char *err, size_t err_cap)
{
	return parse(buf, len, NULL, m, err, err_cap);
}

int wgm_parse_dump_one(const char *buf, size_t len, const char *ifname,
		       struct wgm_model *m, char *err, size_t err_cap)
{
	if (!*ifname || strlen(ifname) >= WGM_IFNAMSIZ) {
		memset(m, 0, sizeof(*m));
		return -EINVAL;
	}
	return parse(buf, len, ifname, m, err, err_cap);
}

const char *wgm_root_hint(void)
{
	return geteuid() == 0 ? "" :
	       "; not root: wg sees no WireGuard interface without CAP_NET_ADMIN, run as root";
}

int wgm_read_timeout_ms(void)
{
	return 10 * uapi_timeout_ms();
}

int wgm_read(struct wgm_model *m, const char *ifname, char *err, size_t err_cap)
{
	const char *wg = getenv("WGMTU_WG");
	char *argv[] = { NULL, (char *)"show", (char *)(ifname ? ifname : "all"),
			 (char *)"dump", NULL };
	char *out = NULL;
	size_t len = 0;
	int rc, r;

	memset(m, 0, sizeof(*m));
	argv[0] = (char *)(wg && *wg ? wg : "wg");
	/* wg asks each userspace daemon in turn and waits for ever: one
	 * that accepts and never answers must not hold us for ever */
	rc = sys_run_timeout(argv, NULL, SYS_RUN_SECRET, wgm_read_timeout_ms(), &out, &len);
	if (rc == -ETIMEDOUT) {
		seterr(err, err_cap, "'%s show %s dump' did not finish within %d ms "
		       "(a WireGuard daemon not answering?)", argv[0], argv[2],
		       wgm_read_timeout_ms());
		r = rc;
	} else if (rc < 0) {
		seterr(err, err_cap, "cannot run '%s': %s", argv[0], strerror(-rc));
		r = rc;
	} else if (rc == 127) {
		seterr(err, err_cap, "cannot run '%s': is wireguard-tools installed?", argv[0]);
		r = -ENOENT;
	} else if (rc != 0 && ifname) {
		/* wg: "Unable to access interface: No such device" */
		r = -ENODEV;
	} else if (rc != 0) {
		seterr(err, err_cap, "'%s show all dump' failed (exit %d)%s", argv[0], rc,
		       wgm_root_hint());
		r = -EIO;
	} else {
		r = parse(out, len, ifname, m, err, err_cap);
	}
	if (out) {
		explicit_bzero(out, len);
		free(out);
	}
	return r;
}
